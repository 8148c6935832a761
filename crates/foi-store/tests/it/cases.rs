//! Cases and their event log: one transaction per change, version guard, rollback.

use foi_store::{Agency, CaseChange, Store, StoreError, Uuid, constraints, new_id};
use time::macros::date;

use crate::common::{TestDb, on_each_backend};
use crate::fixtures::{D0, T0, agency, applicant, event, new_case};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn case_roundtrip_and_history() {
    on_each_backend(roundtrip_and_history).await;
}

async fn roundtrip_and_history(db: TestDb) {
    let s = &db.store;
    let a = agency(s, "youxian", None).await;
    let wang = s.create_account(applicant("wang")).await.unwrap();
    let new = new_case(a.id, Some(wang.id));
    let mut first = event("submitted").by(wang.id);
    // Nanoseconds are cut to PostgreSQL's microseconds on both backends.
    first.recorded_at = T0 + time::Duration::nanoseconds(789);
    let created = s.insert_case(new.clone(), first.clone()).await.unwrap();

    assert_eq!(created.version, 1);
    assert_eq!(created.id, new.id);
    assert_eq!(created.subject, new.subject);
    assert_eq!(created.applicant_id_number, new.applicant_id_number);
    // Instants come back in UTC, to the microsecond, equal to what was written.
    assert_eq!(created.submitted_at, Some(T0));
    assert_eq!(created.created_at, T0);
    assert_eq!(created.created_at.offset(), time::UtcOffset::UTC);
    assert_eq!(created.created_at, created.updated_at);
    assert_eq!(s.load_case(new.id).await.unwrap(), created);

    // Receipt: the clerk acknowledges; dates are set.
    let receipt = CaseChange {
        stage: Some("received".into()),
        received_on: Some(Some(D0)),
        clock_start_on: Some(Some(D0)),
        reply_due_on: Some(Some(date!(2026 - 03 - 30))),
        state_json: Some(r#"{"stage":"received"}"#.into()),
        ..CaseChange::default()
    };
    let later = T0 + time::Duration::hours(2);
    let mut ev = event("received").because("在线提交已确认");
    ev.recorded_at = later;
    assert_eq!(s.apply_case_change(new.id, 1, receipt, ev).await.unwrap(), 2);

    let case = s.load_case(new.id).await.unwrap();
    assert_eq!(case.version, 2);
    assert_eq!(case.stage, "received");
    assert_eq!(case.reply_due_on, Some(date!(2026 - 03 - 30)));
    assert_eq!(case.subject, new.subject, "untouched columns stay");
    assert_eq!(case.updated_at, later);
    assert_eq!(case.created_at, created.created_at);

    // Clearing a nullable column.
    let clear = CaseChange { reply_due_on: Some(None), applicant_email: Some(None), ..CaseChange::default() };
    assert_eq!(s.apply_case_change(new.id, 2, clear, event("note")).await.unwrap(), 3);
    let case = s.load_case(new.id).await.unwrap();
    assert_eq!((case.reply_due_on, case.applicant_email), (None, None));

    let history = s.case_events(new.id).await.unwrap();
    let seqs: Vec<_> = history.iter().map(|e| (e.seq, e.kind.as_str())).collect();
    assert_eq!(seqs, [(1, "submitted"), (2, "received"), (3, "note")]);
    assert_eq!(history[0].id, first.id);
    assert_eq!(history[0].actor_id, Some(wang.id));
    assert_eq!(history[0].payload, serde_json::json!({ "kind": "submitted" }));
    assert_eq!(history[1].reason.as_deref(), Some("在线提交已确认"));
    assert_eq!(history[1].occurred_on, D0);

    let missing = new_id();
    assert!(matches!(s.load_case(missing).await, Err(StoreError::NotFound { .. })));
    assert!(matches!(s.case_events(missing).await, Err(StoreError::NotFound { .. })));
    assert!(matches!(
        s.apply_case_change(missing, 1, CaseChange::default(), event("x")).await,
        Err(StoreError::NotFound { .. })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_version_is_a_conflict_and_writes_nothing() {
    on_each_backend(stale_version).await;
}

async fn stale_version(db: TestDb) {
    let s = &db.store;
    let a = agency(s, "youxian", None).await;
    let new = new_case(a.id, None);
    s.insert_case(new.clone(), event("submitted")).await.unwrap();

    let assign = |who: &str| CaseChange { stage: Some(who.into()), ..CaseChange::default() };
    // Two clerks read version 1; the first one wins.
    assert_eq!(s.apply_case_change(new.id, 1, assign("first"), event("a")).await.unwrap(), 2);
    let err = s.apply_case_change(new.id, 1, assign("second"), event("b")).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { expected: 1, actual: 2 }), "{err:?}");

    let case = s.load_case(new.id).await.unwrap();
    assert_eq!((case.version, case.stage.as_str()), (2, "first"));
    assert_eq!(s.case_events(new.id).await.unwrap().len(), 2);
    assert_eq!(db.count("SELECT COUNT(*) FROM case_events").await, 2, "no event row");

    // A version from the future is refused the same way.
    assert!(matches!(
        s.apply_case_change(new.id, 7, assign("x"), event("c")).await,
        Err(StoreError::Conflict { expected: 7, actual: 2 })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_event_insert_rolls_back_the_case_update() {
    on_each_backend(failed_event_insert).await;
}

async fn failed_event_insert(db: TestDb) {
    let s = &db.store;
    let a = agency(s, "youxian", None).await;
    let new = new_case(a.id, None);
    let first = event("submitted");
    s.insert_case(new.clone(), first.clone()).await.unwrap();

    // Reusing an event id (a retried request) fails the event insert after the case
    // update has run: the whole change must disappear.
    let mut duplicate = event("received");
    duplicate.id = first.id;
    let change = CaseChange {
        stage: Some("received".into()),
        reply_due_on: Some(Some(date!(2026 - 03 - 30))),
        ..CaseChange::default()
    };
    let err = s.apply_case_change(new.id, 1, change.clone(), duplicate).await.unwrap_err();
    assert!(matches!(&err, StoreError::UniqueViolation { constraint } if constraint == "case_events_pkey"), "{err:?}");
    let case = s.load_case(new.id).await.unwrap();
    assert_eq!(case.version, 1);
    assert_eq!(case.stage, "submitted");
    assert_eq!(case.reply_due_on, None);
    assert_eq!(s.case_events(new.id).await.unwrap().len(), 1);

    // The same change with a fresh event goes through at version 1.
    assert_eq!(s.apply_case_change(new.id, 1, change, event("received")).await.unwrap(), 2);

    // A failed first event leaves no case behind either.
    let orphan = new_case(a.id, None);
    let mut dup_first = event("submitted");
    dup_first.id = first.id;
    assert!(matches!(s.insert_case(orphan.clone(), dup_first).await, Err(StoreError::UniqueViolation { .. })));
    assert!(matches!(s.load_case(orphan.id).await, Err(StoreError::NotFound { .. })));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registration_numbers_a_case_in_one_transaction() {
    on_each_backend(registration).await;
}

/// The layer above allocates a case number and writes it with the registration event in the
/// same transaction; a failure after allocation gives the number back.
async fn registration(db: TestDb) {
    let s = &db.store;
    let a = agency(s, "youxian", None).await;
    let one = new_case(a.id, None);
    let two = new_case(a.id, None);
    s.insert_case(one.clone(), event("submitted")).await.unwrap();
    s.insert_case(two.clone(), event("submitted")).await.unwrap();

    // Stale version: the transaction fails after allocating 1, which is given back.
    let err = register(s, &a, one.id, 5).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
    assert_eq!(s.load_case(one.id).await.unwrap().case_number, None);

    assert_eq!(register(s, &a, one.id, 1).await.unwrap(), "游府信申〔2026〕1号");
    assert_eq!(register(s, &a, two.id, 1).await.unwrap(), "游府信申〔2026〕2号");
    assert_eq!(s.load_case(two.id).await.unwrap().case_number.as_deref(), Some("游府信申〔2026〕2号"));

    // Case numbers are unique.
    let three = new_case(a.id, None);
    let mut dup = three.clone();
    dup.case_number = Some("游府信申〔2026〕1号".into());
    let err = s.insert_case(dup, event("imported")).await.unwrap_err();
    assert!(
        matches!(&err, StoreError::UniqueViolation { constraint } if constraint == constraints::UX_CASES_CASE_NUMBER),
        "{err:?}"
    );
}

/// What the registration resolver will do: number and register in one transaction.
async fn register(s: &Store, agency: &Agency, case_id: Uuid, version: i64) -> Result<String, StoreError> {
    let prefix = agency.case_prefix.clone();
    let agency_id = agency.id;
    s.transaction(move |txn| {
        Box::pin(async move {
            let n = txn.next_sequence(agency_id, 2026, "case").await?;
            let number = format!("{prefix}〔2026〕{n}号");
            let change = CaseChange {
                stage: Some("registered".into()),
                case_number: Some(Some(number.clone())),
                case_year: Some(Some(2026)),
                ..CaseChange::default()
            };
            txn.apply_case_change(case_id, version, change, event("registered")).await?;
            Ok(number)
        })
    })
    .await
}
