//! The contact block of each agency's disclosure office, and how to pay its fees (issue 10):
//!
//! - `contact_office` (政府信息公开工作机构), `contact_address` (通讯地址), `contact_postcode`
//!   (邮政编码), `contact_phone` (联系电话), `contact_person` (联系人): printed on every letter
//!   to a party;
//! - `payment_instructions` (缴费方式): printed on the fee notice.
//!
//! All nullable text: an agency created before this version has none until an
//! administrator sets them with `foi admin agency contact`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const COLUMNS: [Agencies; 6] = [
    Agencies::ContactOffice,
    Agencies::ContactAddress,
    Agencies::ContactPostcode,
    Agencies::ContactPhone,
    Agencies::ContactPerson,
    Agencies::PaymentInstructions,
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds one column per ALTER TABLE.
        for column in COLUMNS {
            manager.alter_table(Table::alter().table(Agencies::Table).add_column(text_null(column)).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in COLUMNS {
            manager.alter_table(Table::alter().table(Agencies::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Agencies {
    Table,
    ContactOffice,
    ContactAddress,
    ContactPostcode,
    ContactPhone,
    ContactPerson,
    PaymentInstructions,
}
