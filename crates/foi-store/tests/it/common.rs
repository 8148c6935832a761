//! A fresh database for every test, on every backend.
//!
//! Each test is written once as an `async fn(TestDb)` and run by [`on_each_backend`]:
//! always on SQLite (a file in a temporary directory, created through a missing
//! subdirectory), and on PostgreSQL when `FOI_TEST_POSTGRES_URL` names a server whose user
//! may create databases: [`foi_store::testing::TestDatabase`].

use std::future::Future;

use foi_store::testing::TestDatabase;
use foi_store::{Backend, Store};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};

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
/// if `FOI_TEST_POSTGRES_URL` is set ([`foi_store::testing`]).
pub async fn on_each_backend<F, Fut>(test: F)
where
    F: Fn(TestDb) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some(db) = TestDatabase::create(backend).await else { continue };
        let url = db.url().to_owned();
        let store = Store::connect(&url).await.unwrap_or_else(|e| panic!("{backend:?} store: {e}"));
        assert_eq!(store.backend(), backend);
        // On its own task, so that a panic is caught and re-raised here after `db` (and
        // with it a PostgreSQL database) is gone.
        let outcome = tokio::spawn(test(TestDb { store, url })).await;
        drop(db);
        if let Err(e) = outcome {
            std::panic::resume_unwind(e.into_panic());
        }
    }
}
