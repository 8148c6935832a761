//! Sign-in and registration throttling (issue 9):
//!
//! - `throttle_entries`: one row per throttled thing, keyed by `kind` (`login`, `address`,
//!   `register`) and `key` (the SHA-256 of a normalised login, never the login itself; or a
//!   client address), holding the failure count since `first_failure_at`, the last failure
//!   and the instant before which attempts are refused. Every replica reads and writes the
//!   same rows, so a login locked on one is locked on all. Rows idle for longer than the
//!   policy's `forget_after_secs` are deleted as new ones come, through `ix_throttle_last`.
//! - `ix_accounts_id_number`: registration looks an identity number up before it creates
//!   an account, so that a number already registered is not registered twice.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ThrottleEntries::Table)
                    .col(text(ThrottleEntries::Kind))
                    .col(text(ThrottleEntries::Key))
                    .col(
                        big_integer(ThrottleEntries::Failures)
                            .default(0)
                            .check(Expr::col(ThrottleEntries::Failures).gte(0)),
                    )
                    .col(timestamp_with_time_zone(ThrottleEntries::FirstFailureAt))
                    .col(timestamp_with_time_zone(ThrottleEntries::LastFailureAt))
                    .col(timestamp_with_time_zone_null(ThrottleEntries::LockedUntil))
                    .primary_key(Index::create().col(ThrottleEntries::Kind).col(ThrottleEntries::Key))
                    .to_owned(),
            )
            .await?;
        index(manager, "ix_throttle_last", ThrottleEntries::Table, [ThrottleEntries::LastFailureAt]).await?;
        index(manager, "ix_accounts_id_number", Accounts::Table, [Accounts::IdNumber]).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("ix_accounts_id_number").table(Accounts::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(ThrottleEntries::Table).to_owned()).await?;
        Ok(())
    }
}

#[derive(DeriveIden)]
enum ThrottleEntries {
    Table,
    Kind,
    Key,
    Failures,
    FirstFailureAt,
    LastFailureAt,
    LockedUntil,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    IdNumber,
}
