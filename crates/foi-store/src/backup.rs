//! Whole-database operations behind `foi backup` and `foi restore` on SQLite: an online,
//! consistent copy of a live database, and the inspection of a database file (is it sound,
//! is it a `foi` database, which schema version does it hold).
//!
//! The copy is `VACUUM INTO`: it reads the live database inside one read transaction, so it
//! is a snapshot of one instant even while the server keeps committing (in WAL mode readers
//! never block the writer, nor the writer them), and it writes a compact file in rollback
//! journal mode that stands on its own, without `-wal` or `-shm` beside it. PostgreSQL is
//! backed up with its own tools (`pg_dump`), not here.

use std::io;
use std::path::{Path, PathBuf};

use foi_migrations::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, SqlxSqliteConnector, Statement};

use crate::{Backend, SQLITE_BUSY_TIMEOUT, Store, StoreError, sql};

/// The table in which sea-orm-migration records the applied migrations.
const MIGRATIONS_TABLE: &str = "seaql_migrations";

/// What [`inspect_sqlite_file`] found in a database file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileReport {
    /// What `PRAGMA integrity_check` reported; empty when the file is sound.
    pub integrity_problems: Vec<String>,
    /// The migrations recorded as applied, oldest first; `None` when the file has no
    /// migrations table (it is not a `foi` database).
    pub applied_migrations: Option<Vec<String>>,
    /// How many cases it holds; `None` without a `cases` table.
    pub cases: Option<u64>,
}

impl FileReport {
    /// The applied migrations this binary does not know: the file comes from a newer `foi`.
    pub fn unknown_migrations(&self) -> Vec<String> {
        let known = known_migrations();
        self.applied_migrations.iter().flatten().filter(|name| !known.contains(name)).cloned().collect()
    }

    /// The newest applied migration (the schema version), if any.
    pub fn schema_version(&self) -> Option<&str> {
        self.applied_migrations.as_ref()?.last().map(String::as_str)
    }
}

/// The names of every migration this binary carries, oldest first.
pub fn known_migrations() -> Vec<String> {
    Migrator::migrations().iter().map(|m| m.name().to_owned()).collect()
}

/// The file of an `sqlite://` URL; `None` for an in-memory database. A URL that does not
/// parse is `UnsupportedUrl` (not SQLite) or a connection error naming what is wrong.
pub fn sqlite_file(url: &str) -> Result<Option<PathBuf>, StoreError> {
    if crate::backend_of(url)? != Backend::Sqlite {
        return Err(StoreError::UnsupportedUrl { scheme: url.split_once(':').map_or(url, |(s, _)| s).to_owned() });
    }
    if url.contains(":memory:") || url.contains("mode=memory") {
        return Ok(None);
    }
    let options: SqliteConnectOptions = url.parse().map_err(|e: sea_orm::sqlx::Error| {
        StoreError::Database(sea_orm::DbErr::Conn(sea_orm::RuntimeErr::SqlxError(e.into())))
    })?;
    Ok(Some(options.get_filename().to_owned()))
}

impl Store {
    /// SQLite: writes a consistent copy of the whole database to `path` (`VACUUM INTO`),
    /// while other connections keep reading and writing. `path` must not exist. The copy
    /// is complete and synced to disk when this returns.
    pub async fn backup_sqlite_into(&self, path: &Path) -> Result<(), StoreError> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::Io {
                context: "only an SQLite database can be copied with VACUUM INTO; use pg_dump".into(),
                source: io::Error::from(io::ErrorKind::Unsupported),
            });
        }
        let target = path.to_str().ok_or_else(|| StoreError::Io {
            context: format!("the backup path {} is not valid UTF-8", path.display()),
            source: io::Error::from(io::ErrorKind::InvalidInput),
        })?;
        // On the pool, not in a transaction: VACUUM refuses to run inside one, and takes its
        // own read transaction.
        self.db.execute_raw(sql::stmt(DbBackend::Sqlite, "VACUUM INTO ?", [target.into()])).await?;
        // VACUUM INTO does not sync the file it wrote (unless synchronous=FULL/EXTRA on the
        // source); a backup that a power cut can tear is none.
        sync_file(path)
    }

    /// The migrations recorded as applied in this database, oldest first (empty on a fresh
    /// database).
    pub async fn applied_migrations(&self) -> Result<Vec<String>, StoreError> {
        Ok(Migrator::get_applied_migrations_read_only(&self.db).await?.iter().map(|m| m.name().to_owned()).collect())
    }
}

/// Opens the SQLite file at `path` read-only and reports whether it is sound, which
/// migrations it holds and how many cases. Nothing is written to it; a backup (in rollback
/// journal mode) gets no `-wal` or `-shm` beside it, and a WAL database is read through
/// its log as any connection would.
pub async fn inspect_sqlite_file(path: &Path) -> Result<FileReport, StoreError> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .create_if_missing(false)
        .busy_timeout(SQLITE_BUSY_TIMEOUT);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .map_err(|e| StoreError::Database(sea_orm::DbErr::Conn(sea_orm::RuntimeErr::SqlxError(e.into()))))?;
    let db = SqlxSqliteConnector::from_sqlx_sqlite_pool(pool);
    let report = inspect(&db).await;
    db.close().await.ok();
    report
}

async fn inspect(db: &DatabaseConnection) -> Result<FileReport, StoreError> {
    let query = |sql: &str| Statement::from_string(DbBackend::Sqlite, sql);
    let integrity: Vec<String> = db
        .query_all_raw(query("PRAGMA integrity_check"))
        .await?
        .iter()
        .map(|row| row.try_get_by_index::<String>(0))
        .collect::<Result<_, _>>()?;
    let integrity_problems = if integrity == ["ok"] { Vec::new() } else { integrity };
    let has_table = async |name: &str| -> Result<bool, StoreError> {
        let found = db
            .query_one_raw(sql::stmt(
                DbBackend::Sqlite,
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                [name.into()],
            ))
            .await?;
        Ok(found.is_some())
    };
    let applied_migrations = if has_table(MIGRATIONS_TABLE).await? {
        let rows = db.query_all_raw(query("SELECT version FROM seaql_migrations ORDER BY version")).await?;
        Some(rows.iter().map(|row| row.try_get_by_index::<String>(0)).collect::<Result<_, _>>()?)
    } else {
        None
    };
    let cases = if has_table("cases").await? {
        let row = db.query_one_raw(query("SELECT COUNT(*) FROM cases")).await?;
        let count: i64 = row.map(|r| r.try_get_by_index(0)).transpose()?.unwrap_or(0);
        Some(u64::try_from(count).unwrap_or(0))
    } else {
        None
    };
    Ok(FileReport { integrity_problems, applied_migrations, cases })
}

/// `fsync`s a file that was written by someone else (SQLite).
fn sync_file(path: &Path) -> Result<(), StoreError> {
    std::fs::File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(|source| StoreError::Io { context: format!("syncing {} to disk", path.display()), source })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_of_a_sqlite_url() {
        assert_eq!(sqlite_file("sqlite://foi-data/foi.db").unwrap(), Some(PathBuf::from("foi-data/foi.db")));
        assert_eq!(
            sqlite_file("sqlite:///var/lib/foi/foi.db?mode=rwc").unwrap(),
            Some(PathBuf::from("/var/lib/foi/foi.db"))
        );
        assert_eq!(sqlite_file("sqlite::memory:").unwrap(), None);
        assert!(matches!(
            sqlite_file("postgres://foi@db/foi"),
            Err(StoreError::UnsupportedUrl { scheme }) if scheme == "postgres"
        ));
    }

    #[tokio::test]
    async fn a_backup_is_a_sound_copy_that_inspection_reads_back() {
        let db = crate::testing::TestDatabase::sqlite();
        let store = Store::connect(db.url()).await.unwrap();
        let target = db.dir().join("copy.db");
        store.backup_sqlite_into(&target).await.unwrap();
        let report = inspect_sqlite_file(&target).await.unwrap();
        assert!(report.integrity_problems.is_empty());
        assert_eq!(report.applied_migrations.as_deref(), Some(known_migrations().as_slice()));
        assert_eq!(store.applied_migrations().await.unwrap(), known_migrations());
        assert_eq!((report.cases, report.unknown_migrations().len()), (Some(0), 0));
        // VACUUM INTO never overwrites.
        assert!(store.backup_sqlite_into(&target).await.is_err());
        store.close().await.ok();
        assert!(inspect_sqlite_file(&db.dir().join("missing.db")).await.is_err());
    }
}
