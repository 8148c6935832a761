//! `/readyz`'s check on a real database: not ready while a migration is pending, ready once
//! `foi migrate` (here `Store::migrate`) has run; on SQLite and PostgreSQL.

use std::time::Duration;

use foi_server::http::readiness;
use foi_store::testing::TestDatabase;
use foi_store::{Backend, Store};

async fn pending_then_ready(backend: Backend) {
    let Some(database) = TestDatabase::create(backend).await else { return };
    let store = Store::connect_without_migrating(database.url()).await.expect("connect");
    let reason = readiness(&store, Duration::from_secs(10)).await.expect_err("a fresh database is not ready");
    assert!(reason.contains("pending") && reason.contains("foi migrate"), "{reason}");
    store.migrate().await.expect("migrate");
    assert_eq!(readiness(&store, Duration::from_secs(10)).await, Ok(()));
    store.close().await.ok();
}

#[tokio::test(flavor = "multi_thread")]
async fn not_ready_while_migrations_are_pending_sqlite() {
    pending_then_ready(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn not_ready_while_migrations_are_pending_postgres() {
    pending_then_ready(Backend::Postgres).await;
}
