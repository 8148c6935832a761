//! Receipt rules and warnings (issue 10):
//!
//! - `agencies.online_receipt`: how the agency fixes the date of receipt of an online
//!   submission (Reg. 31(3), rules.md §2): `SUBMISSION_DAY` (the default, the common provincial
//!   rule: the day of submission, or the next working day) or `CLERK_CONFIRMATION` (the day a
//!   clerk signs for it). Existing agencies get the default.
//! - `case_events.warnings`: the warnings an accepted event gave (JSON text, e.g. a receipt
//!   dated on a day off, `RECEIVED_ON_DAY_OFF`); null when there were none.

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
        // One column per statement: SQLite adds one column per ALTER TABLE.
        manager
            .alter_table(
                Table::alter()
                    .table(Agencies::Table)
                    .add_column(
                        text(Agencies::OnlineReceipt)
                            .default("SUBMISSION_DAY")
                            .check(Expr::col(Agencies::OnlineReceipt).is_in(["SUBMISSION_DAY", "CLERK_CONFIRMATION"])),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(Table::alter().table(CaseEvents::Table).add_column(text_null(CaseEvents::Warnings)).to_owned())
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(CaseEvents::Table).drop_column(CaseEvents::Warnings).to_owned())
            .await?;
        manager
            .alter_table(Table::alter().table(Agencies::Table).drop_column(Agencies::OnlineReceipt).to_owned())
            .await?;
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Agencies {
    Table,
    OnlineReceipt,
}

#[derive(DeriveIden)]
enum CaseEvents {
    Table,
    Warnings,
}
