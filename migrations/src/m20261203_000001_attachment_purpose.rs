//! What an attachment is for (issue 11): `attachments.purpose`.
//!
//! - `DISCLOSURE` (附件, the default and what every earlier file was): information disclosed
//!   with the reply; the applicant downloads it.
//! - `INTERNAL`: a working file of the office (a draft, a consultation answer); its case
//!   workers only.
//! - `IDENTITY_PROOF` (身份证明, Reg. 29): uploaded by the applicant with the application.
//! - `CORRECTION` (补正材料, Reg. 30): uploaded by the applicant with the corrected application.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Attachments::Table)
                    .add_column(text(Attachments::Purpose).default("DISCLOSURE").check(
                        Expr::col(Attachments::Purpose).is_in([
                            "DISCLOSURE",
                            "INTERNAL",
                            "IDENTITY_PROOF",
                            "CORRECTION",
                        ]),
                    ))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(Attachments::Table).drop_column(Attachments::Purpose).to_owned())
            .await?;
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Attachments {
    Table,
    Purpose,
}
