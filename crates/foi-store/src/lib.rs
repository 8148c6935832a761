//! The foi database: sea-orm entities and the repository over them.
//!
//! The store is the only crate that knows sea-orm and the table layout. It offers plain
//! records ([`Agency`], [`CaseRecord`], …) and a few guarantees the layers above build on:
//!
//! - **One transaction per state change.** [`Store::apply_case_change`] updates the case
//!   row and appends its audit event together or not at all.
//! - **No lost update.** A case change names the version it was computed from; if the case
//!   moved on meanwhile, [`StoreError::Conflict`] is returned and nothing is written.
//! - **Gap-free numbers.** [`Txn::next_sequence`] hands out 1, 2, 3, … per agency, year
//!   and kind inside the caller's transaction, so a rolled-back registration gives its
//!   number back and concurrent ones never share one.
//! - **SQLite and PostgreSQL behave the same.** Every write transaction on SQLite starts
//!   with `BEGIN IMMEDIATE`, taking the database's single write lock up front (waiting up
//!   to the busy timeout), which gives it the serialisation PostgreSQL gets from row locks.
//!
//! Stage, outcome, channel and the other vocabularies of the law are stored as text: the
//! domain crate owns their meaning and the layer above maps them. Instants are stored in
//! UTC with microsecond precision; legal dates are plain dates.
//!
//! Inside a [`Txn`], use the transaction's own methods: on SQLite a pool method called
//! while the transaction holds the write lock waits for it (and, on an in-memory database
//! with its single connection, for a connection that never comes).

mod accounts;
mod agencies;
pub mod attachments;
pub mod backup;
mod calendar;
mod cases;
mod challenges;
pub mod documents;
mod entities;
mod error;
pub mod feed;
pub mod outbox;
mod sequences;
mod sessions;
mod sql;
pub mod stats;
pub mod sweep;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod throttle;
pub mod workflow;

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use foi_migrations::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

pub use accounts::{Account, NewAccount};
pub use agencies::{Agency, AgencyContact, DEFAULT_CASE_NUMBER_PATTERN, NewAgency};
pub use attachments::{AttachmentRecord, NewAttachment};
pub use calendar::{CalendarYear, NewCalendarYear};
pub use cases::{CaseChange, CaseRecord, EventRecord, NewCase, NewEvent};
pub use challenges::{ChallengeCount, ChallengeRecord, NewChallenge};
pub use documents::{
    DocumentError, DocumentRecord, IssueRequest, NewDocument, ServeRefusal, ServeRequest, VoidRefusal, VoidRequest,
    Voiding, signers,
};
pub use error::StoreError;
pub use sessions::{NewSession, Session};
pub use sql::stmt as raw_statement;
pub use stats::{CountBucket, CountRow, EventCount, OpenCase, OpenNow, ReplyDays};
pub use sweep::{SWEEP_ACTOR, SweepReport, UrgencyMark};
pub use throttle::{Counted, Reset, ThrottleEntry, ThrottleKind};
pub use time::{Date, OffsetDateTime};
pub use uuid::Uuid;
pub use workflow::{
    Actor, ApplicantDetails, CaseState, ChallengeRequest, ChangeRequest, Command, NewApplication, QueueCursor,
    QueueQuery, WorkflowError,
};

/// Names of the unique constraints a [`StoreError::UniqueViolation`] can report.
pub mod constraints {
    pub use foi_migrations::names::*;
}

/// How long a SQLite write waits for the write lock before giving up with `SQLITE_BUSY`.
pub(crate) const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections in a file-backed SQLite pool: readers run beside the one writer (WAL).
const SQLITE_FILE_POOL: u32 = 4;
/// A statement slower than this is logged as a warning.
const SLOW_STATEMENT: Duration = Duration::from_secs(1);
/// Arbitrary key of the PostgreSQL advisory lock that serialises concurrent migrators.
const MIGRATION_LOCK_KEY: i64 = 0x666f_695f_6d69_6772; // "foi_migr"

/// The database engine behind a [`Store`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// How a [`Store`]'s connection pool is used at one moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolStatus {
    /// Connections open, idle or in use.
    pub open: u32,
    /// Open connections waiting for work; `open - idle` are in use.
    pub idle: u32,
    /// The most connections the pool opens.
    pub max: u32,
}

/// A handle to the database: a connection pool. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    db: DatabaseConnection,
    backend: Backend,
}

impl Store {
    /// Connects and applies pending migrations.
    ///
    /// Accepts `sqlite://path/to/foi.db` (the file and its directory are created if
    /// missing), `sqlite::memory:` (one connection, gone when the store is dropped), and
    /// `postgres://…` / `postgresql://…`.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        let store = Store::connect_without_migrating(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Connects without touching the schema (for `foi migrate --status` and the like).
    pub async fn connect_without_migrating(url: &str) -> Result<Store, StoreError> {
        let backend = backend_of(url)?;
        let mut options = ConnectOptions::new(url.to_owned());
        // Statements are for debugging; slow ones deserve a warning.
        options
            .sqlx_logging_level(log::LevelFilter::Debug)
            .sqlx_slow_statements_logging_settings(log::LevelFilter::Warn, SLOW_STATEMENT);
        if backend == Backend::Sqlite {
            configure_sqlite(url, &mut options)?;
        }
        let started = std::time::Instant::now();
        let db = loop {
            match Database::connect(options.clone()).await {
                Ok(db) => break db,
                // Another process is setting up the same new SQLite file: switching it to WAL
                // takes its lock for an instant, and the busy timeout does not cover the
                // connection's own pragmas. Wait and try again, within the busy timeout.
                Err(e) if backend == Backend::Sqlite && is_locked(&e) && started.elapsed() < SQLITE_BUSY_TIMEOUT => {
                    tokio::time::sleep(Duration::from_millis(25)).await;
                }
                Err(e) => return Err(e.into()),
            }
        };
        Ok(Store { db, backend })
    }

    /// Applies pending migrations, in one transaction, and returns the names of those this
    /// call applied. Idempotent. Concurrent migrators are serialised: by an advisory lock on
    /// PostgreSQL, by the write lock on SQLite. The pending list is read after the lock is
    /// held and sea-orm-migration runs each step in a savepoint of this transaction, so of
    /// replicas starting together exactly one applies each migration and the others find
    /// nothing pending.
    pub async fn migrate(&self) -> Result<Vec<String>, StoreError> {
        let txn = self.begin_inner().await?;
        if self.backend == Backend::Postgres {
            txn.execute_raw(sql::stmt(
                DbBackend::Postgres,
                "SELECT pg_advisory_xact_lock(?)",
                [MIGRATION_LOCK_KEY.into()],
            ))
            .await?;
        }
        let pending: Vec<String> =
            Migrator::get_pending_migrations(&txn).await?.iter().map(|m| m.name().to_owned()).collect();
        if !pending.is_empty() {
            Migrator::up(&txn, None).await?;
        }
        txn.commit().await?;
        Ok(pending)
    }

    /// Names of the migrations not yet applied.
    pub async fn pending_migrations(&self) -> Result<Vec<String>, StoreError> {
        Ok(Migrator::get_pending_migrations_read_only(&self.db).await?.iter().map(|m| m.name().to_owned()).collect())
    }

    /// Which engine this store talks to.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Checks that the database answers (for `/healthz`).
    pub async fn ping(&self) -> Result<(), StoreError> {
        Ok(self.db.ping().await?)
    }

    /// How the connection pool is used right now (for `/metrics`).
    pub fn pool_status(&self) -> PoolStatus {
        fn of<DB: sea_orm::sqlx::Database>(pool: &sea_orm::sqlx::Pool<DB>) -> PoolStatus {
            let idle = u32::try_from(pool.num_idle()).unwrap_or(u32::MAX);
            PoolStatus { open: pool.size(), idle, max: pool.options().get_max_connections() }
        }
        // The backend was decided by the URL at connect time, so the pool is of that kind.
        match self.backend {
            Backend::Sqlite => of(self.db.get_sqlite_connection_pool()),
            Backend::Postgres => of(self.db.get_postgres_connection_pool()),
        }
    }

    /// Closes the pool, waiting for connections to be returned.
    pub async fn close(self) -> Result<(), StoreError> {
        Ok(self.db.close().await?)
    }

    /// Starts a write transaction (on SQLite: `BEGIN IMMEDIATE`). Dropping the [`Txn`]
    /// without [`Txn::commit`] rolls it back.
    pub async fn begin(&self) -> Result<Txn, StoreError> {
        Ok(Txn { inner: self.begin_inner().await?, backend: self.backend })
    }

    /// Runs `f` in a write transaction: commits if it returns `Ok`, rolls back if it
    /// returns `Err`. The closure returns a boxed future because it borrows the [`Txn`]:
    ///
    /// ```ignore
    /// let number = store
    ///     .transaction(|txn| Box::pin(async move {
    ///         let n = txn.next_sequence(agency_id, 2026, "case").await?;
    ///         txn.apply_case_change(case_id, version, change, event).await?;
    ///         Ok::<_, StoreError>(n)
    ///     }))
    ///     .await?;
    /// ```
    pub async fn transaction<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: for<'t> FnOnce(&'t Txn) -> Pin<Box<dyn Future<Output = Result<T, E>> + Send + 't>> + Send,
        E: From<StoreError>,
        T: Send,
    {
        let txn = self.begin().await?;
        let result = f(&txn).await;
        txn.finish(result).await
    }

    async fn begin_inner(&self) -> Result<DatabaseTransaction, StoreError> {
        let options = TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        };
        Ok(self.db.begin_with_options(options).await?)
    }
}

/// An open write transaction. Every method runs inside it; nothing is visible to others
/// until [`Txn::commit`]. Dropped without commit, it rolls back.
#[derive(Debug)]
pub struct Txn {
    inner: DatabaseTransaction,
    backend: Backend,
}

impl Txn {
    /// Makes every write of the transaction durable and visible.
    pub async fn commit(self) -> Result<(), StoreError> {
        Ok(self.inner.commit().await?)
    }

    /// Discards every write of the transaction (and gives allocated numbers back).
    pub async fn rollback(self) -> Result<(), StoreError> {
        Ok(self.inner.rollback().await?)
    }

    /// Commits if `result` is `Ok`, rolls back otherwise, and returns `result` (or the
    /// commit's error). On an error the caller's is the one worth reporting: a failed
    /// rollback leaves the connection to sqlx, which discards it.
    pub async fn finish<T, E: From<StoreError>>(self, result: Result<T, E>) -> Result<T, E> {
        match result {
            Ok(value) => {
                self.commit().await?;
                Ok(value)
            }
            Err(err) => {
                let _ = self.rollback().await;
                Err(err)
            }
        }
    }

    /// Which engine this transaction runs on.
    pub fn backend(&self) -> Backend {
        self.backend
    }
}

/// Whether SQLite refused because another connection holds the lock (`SQLITE_BUSY`).
fn is_locked(err: &sea_orm::DbErr) -> bool {
    err.to_string().contains("database is locked")
}

/// A fresh random id (UUID v4) for a new row.
pub fn new_id() -> Uuid {
    Uuid::new_v4()
}

pub(crate) fn backend_of(url: &str) -> Result<Backend, StoreError> {
    let scheme = url.split_once(':').map_or(url, |(scheme, _)| scheme);
    match scheme {
        "sqlite" => Ok(Backend::Sqlite),
        "postgres" | "postgresql" => Ok(Backend::Postgres),
        _ => Err(StoreError::UnsupportedUrl { scheme: scheme.to_owned() }),
    }
}

/// SQLite: foreign keys on, WAL and `synchronous=NORMAL` for files, a busy timeout, and the
/// file and its directory created on first start.
fn configure_sqlite(url: &str, options: &mut ConnectOptions) -> Result<(), StoreError> {
    let in_memory = url.contains(":memory:") || url.contains("mode=memory");
    if !in_memory {
        let parsed: SqliteConnectOptions = url.parse().map_err(|e: sea_orm::sqlx::Error| {
            StoreError::Database(sea_orm::DbErr::Conn(sea_orm::RuntimeErr::SqlxError(e.into())))
        })?;
        if let Some(dir) = parsed.get_filename().parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
                context: format!("creating the database directory {}", dir.display()),
                source,
            })?;
        }
    }
    options.map_sqlx_sqlite_opts(move |o| {
        let o = o.foreign_keys(true).busy_timeout(SQLITE_BUSY_TIMEOUT).create_if_missing(true);
        if in_memory { o } else { o.journal_mode(SqliteJournalMode::Wal).synchronous(SqliteSynchronous::Normal) }
    });
    if in_memory {
        // Every connection would be its own empty database: keep exactly one, forever.
        options.max_connections(1).min_connections(1).idle_timeout(None).max_lifetime(None);
    } else {
        options.max_connections(SQLITE_FILE_POOL);
    }
    Ok(())
}

/// Declares repository methods that work the same on the pool ([`Store`]) and inside a
/// transaction ([`Txn`]), forwarding to one generic implementation.
macro_rules! on_store_and_txn {
    ($(
        $(#[$meta:meta])*
        pub async fn $name:ident(&self $(, $arg:ident: $ty:ty)* $(,)?) -> $ret:ty = $imp:path;
    )*) => {
        impl Store {
            $(
                $(#[$meta])*
                pub async fn $name(&self $(, $arg: $ty)*) -> $ret {
                    $imp(&self.db $(, $arg)*).await
                }
            )*
        }
        impl Txn {
            $(
                $(#[$meta])*
                pub async fn $name(&self $(, $arg: $ty)*) -> $ret {
                    $imp(&self.inner $(, $arg)*).await
                }
            )*
        }
    };
}

on_store_and_txn! {
    /// Creates an agency. A taken code is `UniqueViolation` on
    /// [`constraints::UX_AGENCIES_CODE`]; an unknown parent is `ForeignKeyViolation`.
    pub async fn create_agency(&self, new: NewAgency) -> Result<Agency, StoreError>
        = agencies::create;
    /// The agency with this id, or `NotFound`.
    pub async fn agency(&self, id: Uuid) -> Result<Agency, StoreError> = agencies::get;
    /// Sets the agency's online receipt rule (Reg. 31(3)); later submissions follow it.
    pub async fn set_agency_online_receipt(
        &self,
        id: Uuid,
        rule: foi_domain::applicant::OnlineReceipt,
    ) -> Result<Agency, StoreError> = agencies::set_online_receipt;
    /// The agency with this code, if any.
    pub async fn agency_by_code(&self, code: &str) -> Result<Option<Agency>, StoreError>
        = agencies::by_code;
    /// Every agency, ordered by code.
    pub async fn agencies(&self) -> Result<Vec<Agency>, StoreError> = agencies::list;
    /// Replaces the contact block and fee payment instructions of the agency with this
    /// code (`foi admin agency contact`); `NotFound` if there is none.
    pub async fn set_agency_contact(&self, code: &str, contact: AgencyContact) -> Result<Agency, StoreError>
        = agencies::set_contact;
    /// The agency and every agency below it, ordered by code; `NotFound` if it does not
    /// exist.
    pub async fn agency_subtree(&self, root: Uuid) -> Result<Vec<Agency>, StoreError>
        = agencies::subtree;
    /// Whether `agency` is `ancestor` itself or lies below it.
    pub async fn is_within(&self, agency: Uuid, ancestor: Uuid) -> Result<bool, StoreError>
        = agencies::is_within;

    /// Creates an account. A taken login is `UniqueViolation` on
    /// [`constraints::UX_ACCOUNTS_LOGIN`].
    pub async fn create_account(&self, new: NewAccount) -> Result<Account, StoreError>
        = accounts::create;
    /// The account with this id, or `NotFound`.
    pub async fn account(&self, id: Uuid) -> Result<Account, StoreError> = accounts::get;
    /// The staff accounts of these agencies, ordered by display name.
    pub async fn staff_of(&self, agency_ids: Vec<Uuid>) -> Result<Vec<Account>, StoreError>
        = accounts::staff_of;
    /// The account with this login, if any (disabled accounts included).
    pub async fn account_by_login(&self, login: &str) -> Result<Option<Account>, StoreError>
        = accounts::by_login;
    /// Whether an applicant account already holds this identity number (disabled ones
    /// included); indexed by `ix_accounts_id_number`.
    pub async fn id_number_registered(&self, id_number: &str) -> Result<bool, StoreError>
        = accounts::id_number_registered;

    /// Opens a session for the account, valid from `now` for `ttl`. The returned token is
    /// the only copy: only its SHA-256 is stored.
    pub async fn create_session(
        &self,
        account_id: Uuid,
        now: OffsetDateTime,
        ttl: time::Duration,
    ) -> Result<NewSession, StoreError> = sessions::create;
    /// The live session of a bearer token and its account; `None` if the token is unknown,
    /// revoked, expired at `now`, or its account is disabled.
    pub async fn lookup_session(
        &self,
        token: &str,
        now: OffsetDateTime,
    ) -> Result<Option<(Session, Account)>, StoreError> = sessions::lookup;
    /// Revokes the session of a bearer token (sign-out); `false` if there was no live one.
    pub async fn revoke_session(&self, token: &str, now: OffsetDateTime)
        -> Result<bool, StoreError> = sessions::revoke;
    /// Revokes every session of an account; returns how many were live.
    pub async fn revoke_sessions_of(&self, account_id: Uuid, now: OffsetDateTime)
        -> Result<u64, StoreError> = sessions::revoke_all;

    /// Loads a year's holiday notice, replacing the year if it was loaded before.
    pub async fn upsert_calendar_year(&self, new: NewCalendarYear)
        -> Result<CalendarYear, StoreError> = calendar::upsert;
    /// Every loaded calendar year, in order.
    pub async fn calendar_years(&self) -> Result<Vec<CalendarYear>, StoreError>
        = calendar::list;

    /// The case, or `NotFound`.
    pub async fn load_case(&self, id: Uuid) -> Result<CaseRecord, StoreError> = cases::load;
    /// The ordinal of `case` among the applications of the identity `id_number` that
    /// `agency` received in the period `(from, to)` (every channel and account; for the fee
    /// counted per applicant per calendar month, 国办函〔2020〕109号).
    pub async fn identity_applications(
        &self,
        agency: Uuid,
        id_number: &str,
        period: (Date, Date),
        case: &CaseRecord,
    ) -> Result<u64, StoreError> = cases::identity_applications;
    /// The case's events ordered by `seq`; `NotFound` if the case does not exist.
    pub async fn case_events(&self, case_id: Uuid) -> Result<Vec<EventRecord>, StoreError>
        = cases::events;
    /// Records a challenge to a reply (table 四); see [`NewChallenge`].
    pub async fn insert_challenge(&self, new: NewChallenge) -> Result<ChallengeRecord, StoreError>
        = challenges::insert;
    /// Sets the result of a challenge.
    pub async fn set_challenge_result(
        &self,
        id: Uuid,
        result: String,
        decided_on: Option<Date>,
        at: OffsetDateTime,
    ) -> Result<ChallengeRecord, StoreError>
        = challenges::set_result;
    /// One challenge; `NotFound` if there is none.
    pub async fn challenge(&self, id: Uuid) -> Result<ChallengeRecord, StoreError>
        = challenges::get;
    /// The challenges of a case, oldest first.
    pub async fn challenges_of(&self, case_id: Uuid) -> Result<Vec<ChallengeRecord>, StoreError>
        = challenges::of_case;
}

impl Store {
    /// Creates a case at version 1 with its first event, in one transaction.
    pub async fn insert_case(&self, new: NewCase, first_event: NewEvent) -> Result<CaseRecord, StoreError> {
        self.transaction(|txn| Box::pin(txn.insert_case(new, first_event))).await
    }

    /// Applies a state change and appends its event, in one transaction, if the case is
    /// still at `expected_version`; returns the new version. A stale version is
    /// [`StoreError::Conflict`] and writes nothing; so does any other failure.
    pub async fn apply_case_change(
        &self,
        case_id: Uuid,
        expected_version: i64,
        change: CaseChange,
        event: NewEvent,
    ) -> Result<i64, StoreError> {
        self.transaction(|txn| Box::pin(txn.apply_case_change(case_id, expected_version, change, event))).await
    }
}

impl Txn {
    /// Creates a case at version 1 with its first event, as part of this transaction.
    pub async fn insert_case(&self, new: NewCase, first_event: NewEvent) -> Result<CaseRecord, StoreError> {
        cases::insert(&self.inner, new, first_event).await
    }

    /// Applies a state change and appends its event as part of this transaction; see
    /// [`Store::apply_case_change`]. After an error, roll the transaction back (or drop it).
    pub async fn apply_case_change(
        &self,
        case_id: Uuid,
        expected_version: i64,
        change: CaseChange,
        event: NewEvent,
    ) -> Result<i64, StoreError> {
        cases::apply_change(&self.inner, case_id, expected_version, change, event).await
    }

    /// Allocates the next number of the agency's yearly sequence `kind` (`"case"` or a
    /// document type): 1, 2, 3, … without gaps among committed transactions. The counter
    /// stays locked until this transaction ends; a rollback gives the number back.
    pub async fn next_sequence(&self, agency_id: Uuid, year: i32, kind: &str) -> Result<i64, StoreError> {
        sequences::next(&self.inner, agency_id, year, kind).await
    }

    /// Makes the agency's yearly sequence `kind` hand out numbers after `used` from now on
    /// (it is never lowered, and nothing is allocated): for numbers given elsewhere, such as
    /// the case numbers of an imported register (`foi import register`).
    pub async fn reserve_sequence_through(
        &self,
        agency_id: Uuid,
        year: i32,
        kind: &str,
        used: i64,
    ) -> Result<(), StoreError> {
        sequences::reserve_through(&self.inner, agency_id, year, kind, used).await
    }
}
