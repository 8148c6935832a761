//! The feed of case changes across replicas (PostgreSQL `LISTEN`/`NOTIFY`).
//!
//! Every write of a case (a new case, or a versioned change with its event) announces the
//! case's id, agency, stage and version on the channel [`CHANNEL`] with `pg_notify` inside
//! its own transaction. PostgreSQL delivers a notification only when that transaction
//! commits, and to every listening connection: so every replica of the service sharing the
//! database learns of every committed change, whichever replica (or `foi sweep`) made it,
//! and never of a rolled-back one. [`Store::case_changes`] listens.
//!
//! SQLite has no such channel: there one process serves, and it publishes its own changes
//! in-process, the API's and its background sweep's ([`crate::SweepReport::changed`]).
//! Changes made by a separate `foi sweep` process are not seen live there.

use sea_orm::{ConnectionTrait, DbBackend, Value};
use uuid::Uuid;

use crate::{Store, StoreError, sql};

/// The notification channel.
pub const CHANNEL: &str = "foi_case_changed";

/// A committed change of a case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseChanged {
    /// The case.
    pub case_id: Uuid,
    /// Its agency.
    pub agency_id: Uuid,
    /// Its stage code after the change.
    pub stage: String,
    /// Its version after the change.
    pub version: i64,
}

impl CaseChanged {
    /// The change that left the case as `case` is now.
    pub fn of(case: &crate::CaseRecord) -> CaseChanged {
        CaseChanged { case_id: case.id, agency_id: case.agency_id, stage: case.stage.clone(), version: case.version }
    }
}

/// Announces the current state of the case on PostgreSQL (a no-op on SQLite). Run inside
/// the transaction that changed it.
pub(crate) async fn announce<C: ConnectionTrait>(c: &C, case_id: Uuid) -> Result<(), StoreError> {
    if c.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let stmt = sql::stmt(
        DbBackend::Postgres,
        "SELECT pg_notify(?, json_build_object('case_id', id, 'agency_id', agency_id, 'stage', stage, \
         'version', version)::text) FROM cases WHERE id = ?",
        [Value::from(CHANNEL), Value::from(case_id)],
    );
    c.query_all_raw(stmt).await?;
    Ok(())
}

/// A listening connection; see [`Store::case_changes`].
pub struct CaseChanges(sea_orm::sqlx::postgres::PgListener);

impl std::fmt::Debug for CaseChanges {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CaseChanges")
    }
}

impl CaseChanges {
    /// The next committed change. A lost connection is re-established (changes committed
    /// meanwhile are missed, which a screen tolerates: the next change refreshes it); an
    /// unreadable payload is skipped.
    pub async fn next(&mut self) -> Result<CaseChanged, StoreError> {
        loop {
            let notification =
                self.0.recv().await.map_err(|e| {
                    StoreError::Database(sea_orm::DbErr::Conn(sea_orm::RuntimeErr::SqlxError(e.into())))
                })?;
            if let Some(change) = parse(notification.payload()) {
                return Ok(change);
            }
        }
    }
}

/// Reads a payload written by [`announce`].
fn parse(payload: &str) -> Option<CaseChanged> {
    let v: serde_json::Value = serde_json::from_str(payload).ok()?;
    let id = |field: &str| v.get(field)?.as_str()?.parse::<Uuid>().ok();
    Some(CaseChanged {
        case_id: id("case_id")?,
        agency_id: id("agency_id")?,
        stage: v.get("stage")?.as_str()?.to_owned(),
        version: v.get("version")?.as_i64()?,
    })
}

impl Store {
    /// Listens for the committed case changes of every replica: `Some` on PostgreSQL, `None`
    /// on SQLite (where there is one process and nothing to relay).
    pub async fn case_changes(&self) -> Result<Option<CaseChanges>, StoreError> {
        if self.db.get_database_backend() != DbBackend::Postgres {
            return Ok(None);
        }
        let conn = |e: sea_orm::sqlx::Error| {
            StoreError::Database(sea_orm::DbErr::Conn(sea_orm::RuntimeErr::SqlxError(e.into())))
        };
        let mut listener = sea_orm::sqlx::postgres::PgListener::connect_with(self.db.get_postgres_connection_pool())
            .await
            .map_err(conn)?;
        listener.listen(CHANNEL).await.map_err(conn)?;
        Ok(Some(CaseChanges(listener)))
    }
}
