//! `foi backup` and `foi restore` run as an operator runs them, with the real binary: a
//! backup taken while clerks keep writing holds every write acknowledged before it started,
//! and a restore of it serves again; both refuse what they must, saying what to do.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Server, assert_holds, foi_ok, foi_refuses, setup, write_until};
use foi_store::Store;
use foi_store::backup::inspect_sqlite_file;
use foi_store::testing::TestDatabase;

const WRITERS: usize = 3;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_writing_restores_every_write_acknowledged_before_it() {
    let db = TestDatabase::sqlite();
    let dir = db.dir().to_owned();
    setup(db.url(), &dir);
    let server = Arc::new(Server::start(db.url(), &dir).await);
    let token = server.sign_in().await;

    let stop = Arc::new(AtomicBool::new(false));
    let acks = Arc::new(Mutex::new(Vec::new()));
    let writers: Vec<_> = (0..WRITERS)
        .map(|_| {
            tokio::spawn(write_until(Arc::clone(&server), token.clone(), true, Arc::clone(&stop), Arc::clone(&acks)))
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(1500)).await;

    // The backup runs while the writers keep going.
    let backup = dir.join("backups").join("foi-backup.db");
    std::fs::create_dir_all(backup.parent().unwrap()).unwrap();
    let backup_arg = backup.to_str().unwrap().to_owned();
    let url = db.url().to_owned();
    let started = Instant::now();
    let run_dir = dir.clone();
    let printed = tokio::task::spawn_blocking(move || {
        foi_ok(&["backup", "--database-url", &url, "--output", &backup_arg], &run_dir)
    })
    .await
    .unwrap();
    let finished = Instant::now();
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::SeqCst);
    for writer in writers {
        writer.await.unwrap();
    }
    let acks = acks.lock().unwrap().clone();
    let before: Vec<_> = acks.iter().filter(|a| a.at < started).cloned().collect();
    let during = acks.iter().filter(|a| a.at >= started && a.at <= finished).count();
    let after = acks.iter().filter(|a| a.at > finished).count();
    println!(
        "{} writes acknowledged before the backup, {during} while it ran ({:?}), {after} after",
        before.len(),
        finished - started
    );
    println!("{printed}");
    assert!(before.len() >= 10, "the writers wrote too little to test anything: {}", before.len());
    assert!(after > 0, "the server stopped answering writes during the backup");
    assert!(printed.contains("integrity  ok") && printed.contains("schema     m2"), "{printed}");
    assert!(printed.contains("attachments are files in"), "{printed}");

    // Everything acknowledged before the backup started is in it; what came later may or
    // may not be, but whatever is there is whole.
    let report = inspect_sqlite_file(&backup).await.unwrap();
    assert!(report.integrity_problems.is_empty(), "{report:?}");
    let cases_in_backup = report.cases.unwrap() as usize;
    let distinct_total = acks.iter().map(|a| a.case_id).collect::<std::collections::HashSet<_>>().len();
    assert!(cases_in_backup <= distinct_total, "{cases_in_backup} cases in the backup, {distinct_total} acknowledged");
    assert!(printed.contains(&format!("cases      {cases_in_backup}\n")), "{printed}");

    // Refusals while the server runs: the output exists; the live database is in use.
    let e = foi_refuses(&["backup", "--database-url", db.url(), "--output", backup.to_str().unwrap()], &dir);
    assert!(e.contains("exists") && e.contains("--force"), "{e}");
    let e = foi_refuses(&["restore", "--database-url", db.url(), "--input", backup.to_str().unwrap(), "--force"], &dir);
    assert!(e.contains("in use") && e.contains("stop"), "{e}");

    let server = Arc::into_inner(server).expect("the writers are done");
    let (status, log) = server.stop();
    assert!(status.success(), "foi serve did not stop cleanly: {log}");
    assert!(!log.contains("张三"), "no personal data in the log");

    // Restore into a fresh place, as onto a new machine.
    let restored_url = format!("sqlite://{}", dir.join("restored").join("foi.db").display());
    let printed = foi_ok(&["restore", "--database-url", &restored_url, "--input", backup.to_str().unwrap()], &dir);
    assert!(printed.contains(&format!("cases      {cases_in_backup}\n")), "{printed}");
    let restored = dir.join("restored").join("foi.db");
    assert!(inspect_sqlite_file(&restored).await.unwrap().integrity_problems.is_empty());
    let store = Store::connect_without_migrating(&restored_url).await.unwrap();
    let held = assert_holds(&store, &before).await;
    assert_eq!(held, cases_in_backup);
    assert!(store.pending_migrations().await.unwrap().is_empty());
    store.close().await.ok();

    // It serves, and the clerk signs in with the password of the backup.
    let server = Server::start(&restored_url, &dir).await;
    assert_eq!(server.get("/healthz").await.unwrap(), (200, "ok".to_owned()));
    server.sign_in().await;
    let (status, log) = server.stop();
    assert!(status.success(), "{log}");

    // Restoring over an existing database needs --force, and keeps the one it replaces.
    let e = foi_refuses(&["restore", "--database-url", &restored_url, "--input", backup.to_str().unwrap()], &dir);
    assert!(e.contains("--force"), "{e}");
    let printed =
        foi_ok(&["restore", "--database-url", &restored_url, "--input", backup.to_str().unwrap(), "--force"], &dir);
    let kept: Vec<_> = std::fs::read_dir(dir.join("restored"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("foi.db.before-restore-"))
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert!(printed.contains(&kept[0]), "{printed}");
    let kept_report = inspect_sqlite_file(&dir.join("restored").join(&kept[0])).await.unwrap();
    assert_eq!(kept_report.cases, Some(cases_in_backup as u64));
}

#[test]
fn bad_inputs_are_refused_with_what_to_do() {
    let db = TestDatabase::sqlite();
    let dir = db.dir();
    // PostgreSQL: the commands to run instead.
    let e = foi_refuses(&["backup", "--database-url", "postgres://foi:hunter2@db/foi", "--output", "x.db"], dir);
    assert!(e.contains("pg_dump --format=custom"), "{e}");
    assert!(!e.contains("hunter2"), "{e}");
    let e = foi_refuses(&["restore", "--database-url", "postgres://foi@db/foi", "--input", "x.dump"], dir);
    assert!(e.contains("pg_restore --clean --if-exists --no-owner") && e.contains("foi migrate"), "{e}");
    // No database to back up: nothing is created.
    let missing = format!("sqlite://{}", dir.join("nothing").join("foi.db").display());
    let e = foi_refuses(&["backup", "--database-url", &missing, "--output", "x.db"], dir);
    assert!(e.contains("no database"), "{e}");
    assert!(!dir.join("nothing").exists());
    // Not a database, not a foi database, no file at all.
    std::fs::write(dir.join("notes.txt"), "not a database at all, just some text").unwrap();
    let target = format!("sqlite://{}", dir.join("r").join("foi.db").display());
    let e = foi_refuses(&["restore", "--database-url", &target, "--input", "notes.txt"], dir);
    assert!(e.contains("not a readable SQLite database"), "{e}");
    let status = std::process::Command::new("sqlite3")
        .arg(dir.join("other.db"))
        .arg("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .status();
    if status.is_ok_and(|s| s.success()) {
        let e = foi_refuses(&["restore", "--database-url", &target, "--input", "other.db"], dir);
        assert!(e.contains("not a foi database"), "{e}");
    }
    let e = foi_refuses(&["restore", "--database-url", &target, "--input", "missing.db"], dir);
    assert!(e.contains("missing.db"), "{e}");
    assert!(!dir.join("r").join("foi.db").exists(), "a refused restore writes nothing");
}

#[tokio::test]
async fn a_backup_from_a_newer_foi_is_refused() {
    let db = TestDatabase::sqlite();
    let dir = db.dir();
    setup(db.url(), dir);
    let backup = dir.join("b.db");
    foi_ok(&["backup", "--database-url", db.url(), "--output", backup.to_str().unwrap()], dir);
    // A migration this binary does not know, as a newer foi would have recorded.
    let status = std::process::Command::new("sqlite3")
        .arg(&backup)
        .arg("INSERT INTO seaql_migrations (version, applied_at) VALUES ('m20991231_000001_future', 0);")
        .status();
    if !status.is_ok_and(|s| s.success()) {
        println!("skipping: the sqlite3 command is not installed");
        return;
    }
    let target = format!("sqlite://{}", dir.join("r").join("foi.db").display());
    let e = foi_refuses(&["restore", "--database-url", &target, "--input", backup.to_str().unwrap()], dir);
    assert!(e.contains("newer foi") && e.contains("m20991231_000001_future"), "{e}");
}

/// Restoring over a database its server left by crashing: the log the crash left (with
/// commits not yet in the main file) is not replayed onto the restored file, and moves
/// along with the replaced database, which therefore keeps every write it acknowledged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restore_over_a_crashed_database_keeps_its_log_with_it_and_off_the_restored_file() {
    let db = TestDatabase::sqlite();
    let dir = db.dir().to_owned();
    setup(db.url(), &dir);
    let backup = dir.join("empty.db");
    foi_ok(&["backup", "--database-url", db.url(), "--output", backup.to_str().unwrap()], &dir);

    let server = Arc::new(Server::start(db.url(), &dir).await);
    let token = server.sign_in().await;
    let stop = Arc::new(AtomicBool::new(false));
    let acks = Arc::new(Mutex::new(Vec::new()));
    let writer = tokio::spawn(write_until(Arc::clone(&server), token, true, Arc::clone(&stop), Arc::clone(&acks)));
    tokio::time::sleep(Duration::from_millis(800)).await;
    server.sigkill();
    writer.await.unwrap();
    drop(server);
    let acks = acks.lock().unwrap().clone();
    assert!(!acks.is_empty());
    let live = dir.join("data").join("foi.db");
    let wal = dir.join("data").join("foi.db-wal");
    assert!(wal.metadata().is_ok_and(|m| m.len() > 0), "the killed server left its log");

    let printed =
        foi_ok(&["restore", "--database-url", db.url(), "--input", backup.to_str().unwrap(), "--force"], &dir);
    let report = inspect_sqlite_file(&live).await.unwrap();
    assert_eq!(report.cases, Some(0), "the restored database is the backup, without the old log replayed: {printed}");
    assert!(report.integrity_problems.is_empty());
    let names: Vec<String> = std::fs::read_dir(dir.join("data"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let kept = names
        .iter()
        .find(|n| n.starts_with("foi.db.before-restore-") && !n.ends_with("-wal") && !n.ends_with("-shm"))
        .unwrap_or_else(|| panic!("the replaced database is kept: {names:?}"));
    assert!(names.contains(&format!("{kept}-wal")), "its log moved along: {names:?}");
    let kept = dir.join("data").join(kept);
    let kept_url = format!("sqlite://{}", kept.display());
    let store = Store::connect_without_migrating(&kept_url).await.unwrap();
    let held = assert_holds(&store, &acks).await;
    store.close().await.ok();
    println!("{} writes acknowledged before SIGKILL; the kept database holds {held} cases", acks.len());
}
