//! `kill -9` loses no acknowledged write: `foi serve` is killed with SIGKILL while clerks
//! record and register applications from several tasks, and restarted on the same database,
//! three times over; every write the server acknowledged is there afterwards, every case's
//! event log is complete, and the case numbers run 1, 2, 3, … without a gap (a registration
//! cut off before its commit gave its number back). On SQLite this rests on WAL with
//! `synchronous=NORMAL`, which keeps every commit through a process crash (not through a
//! power cut, which may lose the last commits but never corrupts); on PostgreSQL on its own
//! write-ahead log. PostgreSQL runs need `FOI_TEST_POSTGRES_URL` and are skipped, with a
//! printed reason, without it.

mod common;

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{Server, assert_holds, setup, write_until};
use foi_store::backup::inspect_sqlite_file;
use foi_store::testing::TestDatabase;
use foi_store::{Backend, Store};

const WRITERS: usize = 4;
const CYCLES: usize = 3;

async fn killed_three_times(db: TestDatabase) {
    let dir = db.dir().to_owned();
    setup(db.url(), &dir);
    let mut acks = Vec::new();
    for cycle in 1..=CYCLES {
        let server = Arc::new(Server::start(db.url(), &dir).await);
        let token = server.sign_in().await;
        let stop = Arc::new(AtomicBool::new(false));
        let acked = Arc::new(Mutex::new(Vec::new()));
        let writers: Vec<_> = (0..WRITERS)
            .map(|_| {
                tokio::spawn(write_until(
                    Arc::clone(&server),
                    token.clone(),
                    true,
                    Arc::clone(&stop),
                    Arc::clone(&acked),
                ))
            })
            .collect();
        // A different moment of the stream each cycle.
        tokio::time::sleep(Duration::from_millis(700 + 400 * cycle as u64)).await;
        let in_cycle_before_kill = acked.lock().unwrap().len();
        server.sigkill();
        // Each writer ends at its first request without an answer.
        for writer in writers {
            tokio::time::timeout(Duration::from_secs(30), writer)
                .await
                .expect("writers end once the server is gone")
                .unwrap();
        }
        let acked = acked.lock().unwrap().clone();
        println!("cycle {cycle}: {} writes acknowledged ({in_cycle_before_kill} when SIGKILL was sent)", acked.len());
        assert!(in_cycle_before_kill >= 4, "the writers wrote too little to test anything");
        acks.extend(acked);

        // Before any restart: the files the killed server left must already hold everything.
        if db.backend() == Backend::Sqlite {
            let file = dir.join("data").join("foi.db");
            // A read-only look does not recover the WAL into the file; integrity_check reads
            // through the WAL, as every later connection will.
            let report = inspect_sqlite_file(&file).await.unwrap();
            assert!(report.integrity_problems.is_empty(), "cycle {cycle}: {report:?}");
        }
        let store = Store::connect_without_migrating(db.url()).await.unwrap();
        let cases = assert_holds(&store, &acks).await;
        store.close().await.ok();
        println!("cycle {cycle}: {cases} cases in the database, every acknowledged write among them");
    }
    // And it serves again after the last kill.
    let server = Server::start(db.url(), &dir).await;
    assert_eq!(server.get("/healthz").await.unwrap().0, 200);
    let (status, log) = server.stop();
    assert!(status.success(), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_stream_loses_no_acknowledged_write_on_sqlite() {
    killed_three_times(TestDatabase::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_stream_loses_no_acknowledged_write_on_postgres() {
    if let Some(db) = TestDatabase::postgres().await {
        killed_three_times(db).await;
    }
}
