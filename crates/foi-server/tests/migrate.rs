//! Replicas that start together migrate a fresh database once: four `foi migrate`
//! processes started at the same moment on a database that does not have a table yet all
//! succeed, and every migration is recorded exactly once. On PostgreSQL they queue on an
//! advisory lock taken before sea-orm-migration looks at what is pending (it runs inside
//! the store's transaction, so the second migrator sees the first one's commit); on SQLite
//! on the write lock, which `BEGIN IMMEDIATE` waits for up to the busy timeout. PostgreSQL
//! runs need `FOI_TEST_POSTGRES_URL` and are skipped, with a printed reason, without it.

mod common;

use std::process::Stdio;

use common::{Server, foi_command};
use foi_store::Store;
use foi_store::backup::known_migrations;
use foi_store::testing::TestDatabase;

const MIGRATORS: usize = 4;

async fn four_at_once(db: TestDatabase) {
    let args = ["migrate", "--database-url", db.url()];
    // Spawned before any is waited for, so that they race.
    let children: Vec<_> = (0..MIGRATORS)
        .map(|_| foi_command(&args, db.dir()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap())
        .collect();
    let mut applied_by = Vec::new();
    for child in children {
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(out.status.success(), "foi migrate failed: {}{stdout}", String::from_utf8_lossy(&out.stderr));
        applied_by.push(stdout.lines().filter(|l| l.starts_with("applied ")).count());
    }
    println!("migrations each process reported applying: {applied_by:?}");
    // Each migration was applied by exactly one process, and each process says so truly.
    assert_eq!(applied_by.iter().sum::<usize>(), known_migrations().len(), "{applied_by:?}");
    let store = Store::connect_without_migrating(db.url()).await.unwrap();
    assert_eq!(store.applied_migrations().await.unwrap(), known_migrations(), "each migration exactly once, in order");
    assert!(store.pending_migrations().await.unwrap().is_empty());
    // The schema works: a fifth run has nothing to do.
    store.close().await.ok();
    let out = foi_command(&args, db.dir()).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("up to date"), "{out:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_migrators_at_once_on_a_fresh_sqlite_file() {
    // Several rounds: the race is at the first instants of a file's life.
    for _ in 0..3 {
        four_at_once(TestDatabase::sqlite()).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_migrators_at_once_on_a_fresh_postgres_database() {
    for _ in 0..3 {
        let Some(db) = TestDatabase::postgres().await else { return };
        four_at_once(db).await;
    }
}

/// Three `foi serve` replicas started at the same moment on a fresh database: each migrates
/// or waits for the one that does, and all of them serve.
async fn three_replicas_at_once(db: TestDatabase) {
    let (a, b, c) = tokio::join!(
        Server::start(db.url(), db.dir()),
        Server::start(db.url(), db.dir()),
        Server::start(db.url(), db.dir())
    );
    let store = Store::connect_without_migrating(db.url()).await.unwrap();
    assert_eq!(store.applied_migrations().await.unwrap(), known_migrations());
    store.close().await.ok();
    let mut applied_logs = 0;
    for server in [a, b, c] {
        assert_eq!(server.get("/healthz").await.unwrap(), (200, "ok".to_owned()));
        let (status, log) = server.stop();
        assert!(status.success(), "{log}");
        applied_logs += usize::from(log.contains("applied database migrations"));
    }
    assert_eq!(applied_logs, 1, "exactly one replica applied the migrations");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_replicas_starting_together_on_a_fresh_sqlite_file_all_serve() {
    three_replicas_at_once(TestDatabase::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_replicas_starting_together_on_a_fresh_postgres_database_all_serve() {
    if let Some(db) = TestDatabase::postgres().await {
        three_replicas_at_once(db).await;
    }
}
