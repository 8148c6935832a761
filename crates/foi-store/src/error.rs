//! The store's one error type, and the mapping of database errors onto it.

use std::borrow::Cow;

use sea_orm::sqlx::error::{DatabaseError, ErrorKind};
use sea_orm::{DbErr, RuntimeErr};

use foi_migrations::names;

/// What went wrong in the store. The API layer maps each variant to a client error code;
/// only [`StoreError::Database`] and [`StoreError::Io`] are internal errors.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row asked for does not exist (`what` names it, e.g. `case 1f0e…`).
    #[error("{what} not found")]
    NotFound { what: String },

    /// Optimistic lock failure: the case was changed since it was read. Nothing was written.
    #[error("version conflict: expected version {expected}, the case is at {actual}")]
    Conflict { expected: i64, actual: i64 },

    /// A unique constraint refused the write. `constraint` is the constraint's name, the same
    /// on both backends for the constraints in [`crate::constraints`]; for other primary keys
    /// it is `<table>_pkey`.
    #[error("unique constraint {constraint} violated")]
    UniqueViolation { constraint: String },

    /// A foreign key refused the write (e.g. an account for an agency that does not exist).
    #[error("foreign key violated: {detail}")]
    ForeignKeyViolation { detail: String },

    /// A stored value could not be read back (e.g. JSON that does not parse).
    #[error("corrupt stored data: {what}")]
    Corrupt { what: String },

    /// The database URL names no backend the store supports.
    #[error("unsupported database URL scheme {scheme:?}: use sqlite:// or postgres://")]
    UnsupportedUrl { scheme: String },

    /// A local operation failed (creating the SQLite directory, reading OS randomness).
    #[error("{context}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },

    /// A migration refused to run; its message says why and what to do (it never holds
    /// personal data: see `m20261202_000003_applicant_identity`).
    #[error("migration refused: {0}")]
    Migration(String),

    /// Any other database error: connection, syntax, serialization, timeouts.
    #[error("database error")]
    Database(#[source] DbErr),
}

impl StoreError {
    pub(crate) fn not_found(what: impl std::fmt::Display) -> Self {
        StoreError::NotFound { what: what.to_string() }
    }
}

impl From<DbErr> for StoreError {
    fn from(err: DbErr) -> Self {
        map_db_err(err)
    }
}

/// Classifies a sea-orm error. Constraint violations are recognised by the driver's error
/// kind (SQLSTATE 23505/23503 on PostgreSQL, extended result codes on SQLite), not by
/// message text; only the constraint *name* on SQLite has to come from the message, which
/// lists columns (`UNIQUE constraint failed: agencies.code`).
fn map_db_err(err: DbErr) -> StoreError {
    if let DbErr::Migration(message) = &err {
        return StoreError::Migration(message.clone());
    }
    let Some(db_error) = database_error(&err) else {
        return StoreError::Database(err);
    };
    match db_error.kind() {
        ErrorKind::UniqueViolation => {
            StoreError::UniqueViolation { constraint: unique_constraint_name(db_error).into_owned() }
        }
        ErrorKind::ForeignKeyViolation => {
            StoreError::ForeignKeyViolation { detail: db_error.constraint().unwrap_or(db_error.message()).to_owned() }
        }
        _ => StoreError::Database(err),
    }
}

fn database_error(err: &DbErr) -> Option<&dyn DatabaseError> {
    match err {
        DbErr::Exec(RuntimeErr::SqlxError(e))
        | DbErr::Query(RuntimeErr::SqlxError(e))
        | DbErr::Conn(RuntimeErr::SqlxError(e)) => e.as_database_error(),
        _ => None,
    }
}

/// SQLite's column lists for each named unique constraint of the schema.
const SQLITE_UNIQUE_COLUMNS: &[(&str, &str)] = &[
    ("agencies.code", names::UX_AGENCIES_CODE),
    ("accounts.login", names::UX_ACCOUNTS_LOGIN),
    ("accounts.id_document_kind, accounts.id_number", names::UX_ACCOUNTS_IDENTITY),
    ("cases.case_number", names::UX_CASES_CASE_NUMBER),
    ("case_events.case_id, case_events.seq", names::UX_CASE_EVENTS_CASE_SEQ),
    ("challenges.case_id, challenges.kind", names::UX_CHALLENGES_CASE_KIND),
    ("documents.number", names::UX_DOCUMENTS_NUMBER),
    ("sessions.token_hash", "sessions_pkey"),
    ("calendar_years.year", "calendar_years_pkey"),
    ("sequences.agency_id, sequences.year, sequences.kind", "sequences_pkey"),
];

fn unique_constraint_name(e: &dyn DatabaseError) -> Cow<'_, str> {
    // PostgreSQL names the constraint (or unique index) itself.
    if let Some(name) = e.constraint() {
        return Cow::Borrowed(name);
    }
    // SQLite: "UNIQUE constraint failed: cases.case_number".
    let message = e.message();
    let columns = message.split_once("constraint failed:").map(|(_, cols)| cols.trim()).unwrap_or(message);
    if let Some((_, name)) = SQLITE_UNIQUE_COLUMNS.iter().find(|(c, _)| *c == columns) {
        return Cow::Borrowed(name);
    }
    // A uuid primary key "<table>.id": name it like PostgreSQL does.
    if let Some(table) = columns.strip_suffix(".id")
        && !table.contains([',', ' '])
    {
        return Cow::Owned(format!("{table}_pkey"));
    }
    Cow::Owned(columns.to_owned())
}
