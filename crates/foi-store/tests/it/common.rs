//! A fresh database for every test, on every backend.
//!
//! Each test is written once as an `async fn(TestDb)` and run by [`on_each_backend`]:
//! always on SQLite (a file in a temporary directory, created through a missing
//! subdirectory), and on PostgreSQL when `FOI_TEST_POSTGRES_URL` names a server whose user
//! may create databases. There each run gets its own database `foi_test_<uuid>`, dropped
//! afterwards even if the test panicked.

use std::future::Future;

use foi_store::{Backend, Store};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};

pub const POSTGRES_ENV: &str = "FOI_TEST_POSTGRES_URL";

/// One test's database.
pub struct TestDb {
    pub store: Store,
    /// The URL the store was opened with (for a second, inspecting connection).
    pub url: String,
}

impl TestDb {
    /// A plain sea-orm connection to the same database, to look at what the store wrote.
    pub async fn raw(&self) -> DatabaseConnection {
        Database::connect(self.url.as_str()).await.expect("inspecting connection")
    }

    /// Runs a `SELECT COUNT(*) …` (or any query whose first column is an integer).
    pub async fn count(&self, sql: &str) -> i64 {
        let raw = self.raw().await;
        let row = raw
            .query_one_raw(Statement::from_string(raw.get_database_backend(), sql))
            .await
            .expect(sql)
            .expect("a row");
        let n = row.try_get_by_index::<i64>(0).expect("an integer");
        raw.close().await.ok();
        n
    }
}

/// Runs `test` against a fresh SQLite database, then against a fresh PostgreSQL database
/// if [`POSTGRES_ENV`] is set.
pub async fn on_each_backend<F, Fut>(test: F)
where
    F: Fn(TestDb) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let dir = tempfile::tempdir().expect("temporary directory");
    // A subdirectory that does not exist yet: the store must create it.
    let path = dir.path().join("data").join("foi.db");
    let url = format!("sqlite://{}", path.display());
    let store = Store::connect(&url).await.expect("SQLite store");
    assert_eq!(store.backend(), Backend::Sqlite);
    run(test(TestDb { store, url })).await;

    let Ok(admin_url) = std::env::var(POSTGRES_ENV) else {
        println!("skipping PostgreSQL: {POSTGRES_ENV} not set");
        return;
    };
    let name = format!("foi_test_{}", uuid::Uuid::new_v4().simple());
    let admin = Database::connect(admin_url.as_str()).await.expect("PostgreSQL admin connection");
    admin.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await.expect("CREATE DATABASE");
    let url = with_database(&admin_url, &name);
    let outcome = async {
        let store = Store::connect(&url).await.expect("PostgreSQL store");
        assert_eq!(store.backend(), Backend::Postgres);
        tokio::spawn(test(TestDb { store, url })).await
    }
    .await;
    // Best effort: FORCE ends the store's pooled connections.
    if let Err(e) = admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await {
        eprintln!("could not drop test database {name}: {e}");
    }
    admin.close().await.ok();
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

/// Runs the test body on its own task so that a panic is caught and re-raised here.
async fn run<Fut>(fut: Fut)
where
    Fut: Future<Output = ()> + Send + 'static,
{
    if let Err(e) = tokio::spawn(fut).await {
        std::panic::resume_unwind(e.into_panic());
    }
}

/// `postgres://u@h:5432/admin?x=y` with the database replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let server = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{server}/{name}?{query}"),
        None => format!("{server}/{name}"),
    }
}

#[test]
fn replaces_the_database_in_a_url() {
    assert_eq!(with_database("postgres://postgres@127.0.0.1:5432/test", "x"), "postgres://postgres@127.0.0.1:5432/x");
    assert_eq!(with_database("postgres://u:p@h/test?sslmode=disable", "x"), "postgres://u:p@h/x?sslmode=disable");
    assert_eq!(with_database("postgres://h:5432", "x"), "postgres://h:5432/x");
}
