//! Throttle entries: atomic counts under concurrency, locks that refuse without counting,
//! resets after idleness or a window, and housekeeping.

use foi_store::{Counted, Reset, Store, ThrottleKind};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use crate::common::{TestDb, on_each_backend};

const NOW: OffsetDateTime = datetime!(2026-09-18 09:00 +8);
const IDLE: Reset = Reset { after_idle: Duration::hours(1), after_span: None };

fn lock_after(
    n: i64,
    until: OffsetDateTime,
) -> impl FnOnce(&foi_store::ThrottleEntry) -> Option<OffsetDateTime> + Send {
    move |e| (e.failures >= n).then_some(until)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_counts_lose_no_increment() {
    on_each_backend(concurrent_counts).await;
}

async fn concurrent_counts(db: TestDb) {
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..40 {
        let store: Store = db.store.clone();
        tasks.spawn(async move {
            store.count_failure(ThrottleKind::Login, "k", NOW, IDLE, true, |_| None).await.expect("count")
        });
    }
    let mut seen = Vec::new();
    while let Some(counted) = tasks.join_next().await {
        match counted.expect("task") {
            Counted::Counted(e) => seen.push(e.failures),
            Counted::Locked(_) => panic!("nothing locks it"),
        }
    }
    seen.sort_unstable();
    assert_eq!(seen, (1..=40).collect::<Vec<i64>>(), "every count saw its own number");
    let entry = db.store.throttle_entry(ThrottleKind::Login, "k").await.unwrap().unwrap();
    assert_eq!(entry.failures, 40);
    assert_eq!(db.count("SELECT COUNT(*) FROM throttle_entries").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_lock_refuses_concurrent_attempts_once_the_count_reaches_it() {
    on_each_backend(lock_under_concurrency).await;
}

/// Twenty attempts at once against a lock earned at the fifth: exactly five are counted,
/// the others see the lock, however they interleave.
async fn lock_under_concurrency(db: TestDb) {
    let until = NOW + Duration::seconds(30);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let store: Store = db.store.clone();
        tasks.spawn(async move {
            store.count_failure(ThrottleKind::Login, "k", NOW, IDLE, true, lock_after(5, until)).await.expect("count")
        });
    }
    let (mut counted, mut locked) = (0, 0);
    while let Some(outcome) = tasks.join_next().await {
        match outcome.expect("task") {
            Counted::Counted(_) => counted += 1,
            Counted::Locked(at) => {
                assert_eq!(at, until);
                locked += 1;
            }
        }
    }
    assert_eq!((counted, locked), (5, 15));
    let entry = db.store.throttle_entry(ThrottleKind::Login, "k").await.unwrap().unwrap();
    assert_eq!(entry.failures, 5);
    assert_eq!(entry.locked_at(NOW), Some(until));
    assert_eq!(entry.locked_at(until), None, "a lock ends at its instant");
}

#[tokio::test]
async fn locks_counts_resets_and_purges() {
    on_each_backend(lifecycle).await;
}

async fn lifecycle(db: TestDb) {
    let s = &db.store;
    let until = NOW + Duration::seconds(10);
    let count = |at, refuse| s.count_failure(ThrottleKind::Address, "10.0.0.1", at, IDLE, refuse, lock_after(2, until));
    assert!(
        matches!(count(NOW, true).await.unwrap(), Counted::Counted(e) if e.failures == 1 && e.locked_until.is_none())
    );
    let Counted::Counted(second) = count(NOW, true).await.unwrap() else { panic!("counted") };
    assert_eq!((second.failures, second.locked_until), (2, Some(until)));
    // Locked: refused and not counted, unless the caller counts regardless.
    assert_eq!(count(NOW + Duration::seconds(5), true).await.unwrap(), Counted::Locked(until));
    let Counted::Counted(third) = count(NOW + Duration::seconds(5), false).await.unwrap() else { panic!("counted") };
    assert_eq!(third.failures, 3);
    // A lock is never shortened by a later, smaller one.
    let shorter =
        s.count_failure(ThrottleKind::Address, "10.0.0.1", until, IDLE, true, lock_after(1, NOW)).await.unwrap();
    assert!(matches!(shorter, Counted::Counted(e) if e.failures == 4 && e.locked_until == Some(until)));
    // Kinds are apart.
    assert!(s.throttle_entry(ThrottleKind::Registration, "10.0.0.1").await.unwrap().is_none());

    // An hour and more without a failure: the count starts again.
    let later = until + Duration::hours(2);
    let Counted::Counted(fresh) = count(later, true).await.unwrap() else { panic!("counted") };
    assert_eq!((fresh.failures, fresh.first_failure_at), (1, later));

    // A window resets a busy count too.
    let window = Reset { after_idle: Duration::hours(1), after_span: Some(Duration::minutes(10)) };
    for minute in 0..12 {
        let at = NOW + Duration::minutes(minute);
        let Counted::Counted(e) =
            s.count_failure(ThrottleKind::Registration, "10.0.0.1", at, window, true, |_| None).await.unwrap()
        else {
            panic!("counted")
        };
        // Minutes 0 to 10 fall in the window that started at minute 0; minute 11 does not.
        let expected = if minute <= 10 { minute + 1 } else { 1 };
        assert_eq!(e.failures, expected, "minute {minute}");
    }

    // Clearing forgets; a fresh count purges the idle entries.
    s.count_failure(ThrottleKind::Login, "old", NOW, IDLE, true, |_| None).await.unwrap();
    assert!(s.clear_throttle(ThrottleKind::Address, "10.0.0.1").await.unwrap());
    assert!(!s.clear_throttle(ThrottleKind::Address, "10.0.0.1").await.unwrap());
    assert!(s.throttle_entry(ThrottleKind::Login, "old").await.unwrap().is_some());
    s.count_failure(ThrottleKind::Login, "new", NOW + Duration::hours(3), IDLE, true, |_| None).await.unwrap();
    assert!(s.throttle_entry(ThrottleKind::Login, "old").await.unwrap().is_none(), "idle entries are purged");
    assert!(s.throttle_entry(ThrottleKind::Login, "new").await.unwrap().is_some());
    assert_eq!(s.purge_throttles(NOW + Duration::days(1), NOW + Duration::days(1)).await.unwrap(), 1);
}
