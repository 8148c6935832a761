//! Every schema version of the foi database, as sea-orm-migration steps.
//!
//! The same migrations run on SQLite (the embedded default) and on PostgreSQL, so they are
//! written with the schema builder only: no raw SQL, no backend-specific types. Column types
//! are chosen for what both backends store faithfully:
//!
//! - ids are `uuid` (PostgreSQL `uuid`; SQLite a 16-byte blob in a `uuid_text` column);
//! - instants are `timestamptz`, always written in UTC by the store;
//! - legal dates (receipt, due dates) are `date`: the law counts calendar days in China
//!   Standard Time, so a date must never be derived from an instant by the database;
//! - JSON is kept in `text` columns: the store reads and writes it with serde, and neither
//!   backend needs to look inside.
//!
//! Constraint and index names are fixed here (`ux_*`, `ix_*`, `fk_*`) because the store maps
//! a unique violation to a constraint name; see `foi_store::constraints`.
//!
//! A migration is never edited once released: add a new one to [`Migrator::migrations`].

pub use sea_orm_migration::MigratorTrait;
use sea_orm_migration::prelude::*;

mod m20261125_000001_initial;
mod m20261126_000001_processing;
mod m20261126_000002_notices;
mod m20261201_000001_throttle;
mod m20261202_000001_receipt_rule;
mod m20261202_000002_agency_contact;
mod m20261202_000003_applicant_identity;
mod m20261203_000001_attachment_purpose;

/// The ordered list of schema versions.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_initial::Migration),
            Box::new(m20261126_000001_processing::Migration),
            Box::new(m20261126_000002_notices::Migration),
            Box::new(m20261201_000001_throttle::Migration),
            Box::new(m20261202_000001_receipt_rule::Migration),
            Box::new(m20261202_000002_agency_contact::Migration),
            Box::new(m20261202_000003_applicant_identity::Migration),
            Box::new(m20261203_000001_attachment_purpose::Migration),
        ]
    }
}

/// Names of the unique constraints and indexes created by the migrations. On PostgreSQL a
/// violation reports these names; the store maps SQLite's column lists onto the same names.
pub mod names {
    /// `agencies.code` is unique.
    pub const UX_AGENCIES_CODE: &str = "ux_agencies_code";
    /// `accounts.login` is unique.
    pub const UX_ACCOUNTS_LOGIN: &str = "ux_accounts_login";
    /// `cases.case_number` is unique (several cases may have none yet).
    pub const UX_CASES_CASE_NUMBER: &str = "ux_cases_case_number";
    /// `(case_events.case_id, case_events.seq)` is unique.
    pub const UX_CASE_EVENTS_CASE_SEQ: &str = "ux_case_events_case_seq";
    /// `(challenges.case_id, challenges.kind)` is unique: one reconsideration and one suit
    /// of each kind per reply.
    pub const UX_CHALLENGES_CASE_KIND: &str = "ux_challenges_case_kind";
    /// `documents.number` is unique: a document number is never given twice.
    pub const UX_DOCUMENTS_NUMBER: &str = "ux_documents_number";
    /// `(accounts.id_document_kind, accounts.id_number)` is unique: one applicant account
    /// per resident ID number or unified social credit code (staff have none).
    pub const UX_ACCOUNTS_IDENTITY: &str = "ux_accounts_identity";
}

/// Creates the (non-unique) index `name` on `cols` of `table`.
pub(crate) async fn index<T, C, const N: usize>(
    manager: &SchemaManager<'_>,
    name: &str,
    table: T,
    cols: [C; N],
) -> Result<(), DbErr>
where
    T: IntoIden,
    C: IntoIden,
{
    let mut stmt = Index::create();
    stmt.name(name).table(table);
    for col in cols {
        stmt.col(col);
    }
    manager.create_index(stmt).await
}

/// Creates the unique index `name` on `cols` of `table`.
pub(crate) async fn unique_index<T, C, const N: usize>(
    manager: &SchemaManager<'_>,
    name: &str,
    table: T,
    cols: [C; N],
) -> Result<(), DbErr>
where
    T: IntoIden,
    C: IntoIden,
{
    let mut stmt = Index::create();
    stmt.name(name).table(table).unique();
    for col in cols {
        stmt.col(col);
    }
    manager.create_index(stmt).await
}
