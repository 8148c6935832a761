//! Deadline sweeps run as operators run them: two real `foi sweep` processes at the same
//! time (two cron jobs, or cron beside a replica), and two `foi serve` replicas sweeping
//! every second, over one database: every lapsed case is closed exactly once.
//!
//! The cases are 30 applications received on Fri 18 Sep 2026 whose correction notice went
//! out on Thu 24 Sep; the 15 working days (中秋节 25 Sep and 国庆节 1–7 Oct passed over,
//! Sat 10 Oct counted) ended on Thu 22 Oct, so each is closed dated Fri 23 Oct 2026 however
//! late the sweep runs. PostgreSQL runs need `FOI_TEST_POSTGRES_URL` (a user that may
//! create databases) and are skipped, with a printed reason, without it.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use foi_domain::applicant::{ApplicantKind, Channel};
use foi_domain::calendar::Calendar;
use foi_domain::lifecycle::Event;
use foi_store::testing::{TestDatabase, paper_application};
use foi_store::{Actor, ChangeRequest, Command as Change, NewAgency, SWEEP_ACTOR, Store, Uuid};
use time::macros::{date, datetime};

const CASES: usize = 30;

/// Creates an agency and [`CASES`] cases waiting for a correction that lapsed on 22 Oct 2026.
async fn seed(url: &str) -> Vec<Uuid> {
    let store = Store::connect(url).await.expect("the test database");
    let agency =
        store.create_agency(NewAgency::new("youxian", "游仙区人民政府", "游府信申", "绵阳市人民政府")).await.unwrap();
    let calendar = Calendar::bundled();
    let actor = Actor { account_id: None, label: "李明 (clerk)".into() };
    let recorded = datetime!(2026-09-24 10:00 +8);
    let mut ids = Vec::new();
    for _ in 0..CASES {
        let application = paper_application(agency.id, ApplicantKind::NaturalPerson);
        let received = Event::Received { on: date!(2026 - 09 - 18), channel: Channel::InPerson };
        let mut state = store.open_case(application, received, &actor, &calendar, recorded).await.unwrap();
        let items = vec!["请写明所需信息的名称或文号".to_owned()];
        for command in [
            Change::Register { on: date!(2026 - 09 - 18) },
            Change::Event(Event::CorrectionRequested { on: date!(2026 - 09 - 24), items, period_wd: None }),
            // Served the day it was sent (送达): the correction period runs from service.
            Change::Event(Event::Served {
                on: date!(2026 - 09 - 24),
                notice: foi_domain::service::ServedNotice::CorrectionNotice,
                method: foi_domain::service::ServiceMethod::InPerson,
                document_id: None,
                recipient: None,
            }),
        ] {
            let request = ChangeRequest {
                case_id: state.record.id,
                expected_version: state.record.version,
                command,
                reason: None,
            };
            state = store.change_case(request, &actor, &calendar, recorded).await.unwrap();
        }
        ids.push(state.record.id);
    }
    store.close().await.ok();
    ids
}

/// Asserts that every case was closed by exactly one CORRECTION_LAPSED event, dated the day
/// after the period's last day and signed by the sweep.
async fn each_closed_once(url: &str, ids: &[Uuid]) {
    let store = Store::connect(url).await.unwrap();
    for id in ids {
        let events = store.case_events(*id).await.unwrap();
        let lapsed: Vec<_> = events.iter().filter(|e| e.kind == "CORRECTION_LAPSED").collect();
        assert_eq!(lapsed.len(), 1, "case {id}: {events:#?}");
        assert_eq!(lapsed[0].occurred_on, date!(2026 - 10 - 23));
        assert_eq!(lapsed[0].actor_label, SWEEP_ACTOR);
        let case = store.load_case(*id).await.unwrap();
        assert_eq!((case.stage.as_str(), case.outcome.as_deref()), ("CLOSED", Some("OTHER_CORRECTION_NOT_MADE")));
    }
    store.close().await.ok();
}

fn foi(args: &[&str], dir: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_foi"))
        .args(args)
        // Anything a command writes beside its database stays in the test's directory.
        .current_dir(dir)
        .env_remove("FOI_DATABASE_URL")
        .env_remove("FOI_SWEEP_INTERVAL")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the foi binary runs")
}

/// Runs `foi sweep --json` and returns its report.
fn report_of(child: Child) -> serde_json::Value {
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "foi sweep failed: {stderr}");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not a JSON report ({e}): {stderr}"))
}

async fn two_sweeps(db: TestDatabase) {
    let ids = seed(db.url()).await;
    let args = ["sweep", "--json", "--database-url", db.url()];
    // Both at once, as two cron jobs (or cron beside a replica) would.
    let (one, two) = (foi(&args, db.dir()), foi(&args, db.dir()));
    let (one, two) = (report_of(one), report_of(two));
    println!("the two reports:\n{one}\n{two}");
    let closed = |r: &serde_json::Value| r["corrections_lapsed"].as_u64().unwrap();
    assert_eq!(closed(&one) + closed(&two), CASES as u64, "{one}\n{two}");
    for report in [&one, &two] {
        assert_eq!(report["failed"], 0, "{report}");
        assert_eq!(report["refused"], 0, "{report}");
    }
    each_closed_once(db.url(), &ids).await;

    // A third run finds nothing left to do.
    let again = report_of(foi(&args, db.dir()));
    assert_eq!((again["corrections_lapsed"].as_u64(), again["examined"].as_u64()), (Some(0), Some(0)), "{again}");
    // The text report names each count.
    let out = foi(&["sweep", "--database-url", db.url()], db.dir()).wait_with_output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("deadline sweep of "), "{text}");
    assert!(text.lines().any(|l| l.starts_with("corrections_lapsed") && l.contains(" 0  ")), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_sweeps_at_once_close_each_case_once_on_sqlite() {
    two_sweeps(TestDatabase::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_sweeps_at_once_close_each_case_once_on_postgres() {
    if let Some(db) = TestDatabase::postgres().await {
        two_sweeps(db).await;
    }
}

/// A running `foi serve`, killed if the test fails before stopping it.
struct Replica(Option<Child>);

impl Replica {
    /// SIGTERM, as systemd, docker and Kubernetes stop it; then its exit and its log.
    fn stop(mut self) -> (std::process::ExitStatus, String) {
        let child = self.0.take().expect("running");
        let sent = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
        assert!(sent.success());
        let out = child.wait_with_output().unwrap();
        (out.status, String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        if let Some(child) = self.0.as_mut() {
            child.kill().ok();
            child.wait().ok();
        }
    }
}

/// Two `foi serve` replicas sweeping every second: wait until every case is closed, then
/// stop both with SIGTERM (they must stop cleanly).
async fn two_replicas(db: TestDatabase) {
    let ids = seed(db.url()).await;
    let serve = ["serve", "--listen", "127.0.0.1:0", "--sweep-interval", "1", "--database-url", db.url()];
    let replicas = [Replica(Some(foi(&serve, db.dir()))), Replica(Some(foi(&serve, db.dir())))];
    let store = Store::connect(db.url()).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let mut open = 0;
        for id in &ids {
            if store.load_case(*id).await.unwrap().stage != "CLOSED" {
                open += 1;
            }
        }
        if open == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "{open} cases still open after 60 s");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    // Let a few more sweeps run over the closed cases: they must change nothing.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    store.close().await.ok();
    let mut logs = String::new();
    for replica in replicas {
        let (status, log) = replica.stop();
        assert!(status.success(), "foi serve did not stop cleanly: {log}");
        logs.push_str(&log);
    }
    // The closings were logged as counts, and nothing personal was.
    assert!(logs.contains("deadline sweep") && logs.contains("corrections_lapsed="), "{logs}");
    assert!(!logs.contains("张三"), "no personal data in the log: {logs}");
    each_closed_once(db.url(), &ids).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_serve_replicas_sweeping_every_second_close_each_case_once_on_sqlite() {
    two_replicas(TestDatabase::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_serve_replicas_sweeping_every_second_close_each_case_once_on_postgres() {
    if let Some(db) = TestDatabase::postgres().await {
        two_replicas(db).await;
    }
}
