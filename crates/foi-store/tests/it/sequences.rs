//! Gap-free, unique numbering under concurrency.

use std::collections::BTreeSet;
use std::time::Duration;

use foi_store::Store;

use crate::common::{TestDb, on_each_backend};
use crate::fixtures::agency;

const TASKS: usize = 50;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_sequences_are_unique_and_gap_free() {
    on_each_backend(concurrent_sequences).await;
}

async fn concurrent_sequences(db: TestDb) {
    let s = &db.store;
    let a = agency(s, "youxian", None).await;
    let b = agency(s, "fucheng", None).await;

    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..TASKS {
        let store: Store = s.clone();
        let agency_id = a.id;
        tasks.spawn(async move {
            let txn = store.begin().await.expect("begin");
            let n = txn.next_sequence(agency_id, 2026, "case").await.expect("allocate");
            // Hold the counter a little so that others queue behind it.
            tokio::time::sleep(Duration::from_millis((i % 3) as u64)).await;
            if i % 4 == 1 {
                txn.rollback().await.expect("rollback");
                None
            } else {
                txn.commit().await.expect("commit");
                Some(n)
            }
        });
    }
    let mut committed = Vec::new();
    while let Some(result) = tasks.join_next().await {
        if let Some(n) = result.expect("task") {
            committed.push(n);
        }
    }
    let expected_commits = (0..TASKS).filter(|i| i % 4 != 1).count();
    assert_eq!(committed.len(), expected_commits);
    let unique: BTreeSet<i64> = committed.iter().copied().collect();
    assert_eq!(unique.len(), committed.len(), "a number was handed out twice");
    let expected: BTreeSet<i64> = (1..=expected_commits as i64).collect();
    assert_eq!(unique, expected, "numbers must be 1..=committed without gaps");

    // Counters are per agency, year and kind.
    let txn = s.begin().await.unwrap();
    assert_eq!(txn.next_sequence(a.id, 2026, "case").await.unwrap(), expected_commits as i64 + 1);
    assert_eq!(txn.next_sequence(a.id, 2027, "case").await.unwrap(), 1);
    assert_eq!(txn.next_sequence(a.id, 2026, "extension_notice").await.unwrap(), 1);
    assert_eq!(txn.next_sequence(b.id, 2026, "case").await.unwrap(), 1);
    assert_eq!(txn.next_sequence(b.id, 2026, "case").await.unwrap(), 2);
    txn.commit().await.unwrap();
}

#[tokio::test]
async fn reserving_through_a_number_skips_it_and_never_lowers_the_counter() {
    on_each_backend(reserve_through).await;
}

async fn reserve_through(db: TestDb) {
    let s = &db.store;
    let a = agency(s, "youxian", None).await;
    let txn = s.begin().await.unwrap();
    // A fresh counter: numbers 1–17 were given by an imported register.
    txn.reserve_sequence_through(a.id, 2025, "case", 17).await.unwrap();
    assert_eq!(txn.next_sequence(a.id, 2025, "case").await.unwrap(), 18);
    // Reserving below the counter changes nothing and allocates nothing.
    txn.reserve_sequence_through(a.id, 2025, "case", 5).await.unwrap();
    assert_eq!(txn.next_sequence(a.id, 2025, "case").await.unwrap(), 19);
    txn.reserve_sequence_through(a.id, 2025, "case", 30).await.unwrap();
    assert_eq!(txn.next_sequence(a.id, 2025, "case").await.unwrap(), 31);
    // Other years and kinds are untouched.
    assert_eq!(txn.next_sequence(a.id, 2026, "case").await.unwrap(), 1);
    txn.rollback().await.unwrap();
}
