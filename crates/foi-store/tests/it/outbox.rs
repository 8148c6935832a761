//! The outbox: every notifying event writes exactly one row in its own transaction (a
//! refused or rolled-back one writes none), and the sender's claim, lease and backoff. On
//! SQLite and PostgreSQL; the concurrent-claim test matters on PostgreSQL (SKIP LOCKED).

use std::collections::HashSet;

use foi_domain::applicant::{ApplicantKind, Channel, DeliveryMethod, FormWanted};
use foi_domain::calendar::Calendar;
use foi_domain::fee::FeeBasis;
use foi_domain::lifecycle::{Event, NotHandledReason, ServedNotice, ServiceMethod};
use foi_domain::outcome::Outcome;
use foi_store::outbox::{Backoff, Delivery, FailureOutcome, NewNotification, NotificationCursor, NotificationKind};
use foi_store::{
    Actor, ApplicantDetails, CaseState, ChangeRequest, Command, NewApplication, Store, Uuid, WorkflowError,
};
use time::macros::{date, datetime};
use time::{Date, Duration, OffsetDateTime};

use crate::common::{TestDb, on_each_backend};
use crate::fixtures::{agency, applicant};

const NOW: OffsetDateTime = datetime!(2026-10-20 10:00 +8);

fn actor() -> Actor {
    Actor { account_id: None, label: "李明 (clerk)".into() }
}

fn application(agency_id: Uuid, applicant_id: Option<Uuid>, email: Option<&str>) -> NewApplication {
    NewApplication {
        agency_id,
        applicant_id,
        applicant: ApplicantDetails {
            name: "王五".into(),
            kind: ApplicantKind::NaturalPerson,
            id_number: Some("11010519491231002X".into()),
            phone: Some("13800000000".into()),
            email: email.map(str::to_owned),
            address: None,
        },
        subject: "2026年区级部门预算".into(),
        description: String::new(),
        form_wanted: FormWanted::ElectronicCopy,
        delivery: DeliveryMethod::Email,
    }
}

async fn rows(db: &TestDb) -> i64 {
    db.count("SELECT COUNT(*) FROM outbox").await
}

async fn step(s: &Store, state: &CaseState, command: Command) -> Result<CaseState, WorkflowError> {
    let request =
        ChangeRequest { case_id: state.record.id, expected_version: state.record.version, command, reason: None };
    s.change_case(request, &actor(), &Calendar::bundled(), NOW).await
}

async fn ev(s: &Store, state: &CaseState, event: Event) -> CaseState {
    step(s, state, Command::Event(event)).await.unwrap()
}

/// The notifications of a case, oldest first.
/// Served in person on `on` (送达): the periods it starts run from this day.
fn served(on: Date, notice: ServedNotice) -> Event {
    Event::Served { on, notice, method: ServiceMethod::InPerson, document_id: None, recipient: None }
}

async fn of_case(s: &Store, recipient: Uuid, case_id: Uuid) -> Vec<foi_store::outbox::Notification> {
    let mut all = s.notifications_of(recipient, None, 100).await.unwrap();
    all.retain(|n| n.case_id == Some(case_id));
    all.reverse();
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_notifying_event_writes_one_row_with_the_event() {
    on_each_backend(notifying_events).await;
}

async fn notifying_events(db: TestDb) {
    let s = &db.store;
    let a = agency(s, "youxian", None).await;
    let wang = s.create_account(applicant("wang")).await.unwrap();
    let calendar = Calendar::bundled();

    // An online application: submission is the applicant's own act, and tells them nothing.
    let app = application(a.id, Some(wang.id), Some("wang@example.cn"));
    let mut case = s
        .open_case(app, Event::Submitted { on: date!(2026 - 09 - 17), received_on: None }, &actor(), &calendar, NOW)
        .await
        .unwrap();
    assert_eq!(rows(&db).await, 0);

    let dbr = &db;
    let expect = |n: i64| async move { assert_eq!(rows(dbr).await, n) };
    case = ev(s, &case, Event::Received { on: date!(2026 - 09 - 18), channel: Channel::Online }).await;
    expect(1).await;
    case = step(s, &case, Command::Register { on: date!(2026 - 09 - 18) }).await.unwrap();
    expect(1).await;
    case = ev(
        s,
        &case,
        Event::CorrectionRequested {
            on: date!(2026 - 09 - 21), items: vec!["请写明文件名称".into()], period_wd: None
        },
    )
    .await;
    expect(2).await;
    case = ev(s, &case, Event::CorrectionReceived { on: date!(2026 - 10 - 12) }).await;
    case = ev(s, &case, Event::Accepted { on: date!(2026 - 10 - 12) }).await;
    expect(2).await;
    case = ev(
        s,
        &case,
        Event::Extended { on: date!(2026 - 10 - 13), working_days: 20, approver: "王主任".into(), reason: None },
    )
    .await;
    expect(3).await;
    // Refused by the domain (Reg. 33: one extension only): no event, no notification.
    let refused =
        Event::Extended { on: date!(2026 - 10 - 14), working_days: 5, approver: "王主任".into(), reason: None };
    assert!(step(s, &case, Command::Event(refused)).await.is_err());
    expect(3).await;
    // A stale version: nothing written.
    let mut stale = case.clone();
    stale.record.version -= 1;
    assert!(step(s, &stale, Command::Event(Event::FeePaid { on: date!(2026 - 10 - 14) })).await.is_err());
    expect(3).await;
    case = ev(
        s,
        &case,
        Event::FeeNoticeIssued { on: date!(2026 - 10 - 14), amount_yuan: 100, basis: FeeBasis::PerApplication },
    )
    .await;
    expect(4).await;
    case = ev(s, &case, Event::FeePaid { on: date!(2026 - 10 - 15) }).await;
    expect(4).await;
    case = ev(s, &case, Event::reply(date!(2026 - 10 - 20), Outcome::Disclosed)).await;
    expect(5).await;
    // Archiving needs the reply letter on file.
    let request = foi_store::IssueRequest {
        case_id: case.record.id,
        expected_version: case.record.version,
        kind: foi_docs::DocumentKind::Reply,
        consultation: None,
        issued_on: date!(2026 - 10 - 20),
    };
    let now = datetime!(2026-11-30 10:00 +8);
    s.issue_document(request, &foi_docs::Renderer::built_in(), &actor(), &Calendar::bundled(), now).await.unwrap();
    let case = s.case_state(case.record.id).await.unwrap();
    // … and served (issue 10 item 7); the service tells the applicant nothing new.
    let case = ev(s, &case, served(date!(2026 - 10 - 20), ServedNotice::Decision)).await;
    ev(s, &case, Event::Archived { on: date!(2026 - 10 - 20) }).await;
    expect(5).await;

    let got = of_case(s, wang.id, case.record.id).await;
    let kinds: Vec<NotificationKind> = got.iter().map(|n| n.kind).collect();
    use NotificationKind as K;
    assert_eq!(kinds, [K::Received, K::CorrectionRequested, K::Extended, K::FeeDue, K::Replied]);
    for n in &got {
        assert_eq!(n.recipient_id, Some(wang.id));
        assert_eq!(n.email.as_deref(), Some("wang@example.cn"));
        assert_eq!(n.delivery, Delivery::Pending);
        assert_eq!(n.attempts, 0);
        assert!(n.body.contains("2026年区级部门预算"), "{}", n.body);
        assert!(!n.body.contains("11010519491231002X") && !n.body.contains("13800000000"), "no ID number or phone");
    }
    // Real calendar dates (2026 National Day: 1–7 Oct off, Sat 10 Oct worked).
    // Reg. 33: received Fri 18 Sep, reply due 20 working days later, Thu 22 Oct.
    assert!(got[0].body.contains("已于2026年9月18日签收"), "{}", got[0].body);
    assert!(got[0].body.contains("答复期限至2026年10月22日"), "{}", got[0].body);
    assert_eq!(got[0].subject, "政府信息公开申请已签收");
    // Reg. 30: the correction period runs from the notice's service, not yet recorded when
    // the notification is written: the period as the law gives it, no computed date.
    assert!(got[1].subject.starts_with("政府信息公开申请需要补正（游府信申〔2026〕1号）"), "{}", got[1].subject);
    assert!(got[1].body.contains("1. 请写明文件名称"), "{}", got[1].body);
    assert!(got[1].body.contains("请自收到补正告知书之日起15个工作日内提交补正"), "{}", got[1].body);
    assert!(!got[1].body.contains("2026年10月19日"), "{}", got[1].body);
    // Reg. 30, 33: restarted on 12 Oct (due 9 Nov), extended by 20 working days: 7 Dec.
    assert!(got[2].body.contains("延长20个工作日，延长后的答复期限至2026年12月7日"), "{}", got[2].body);
    // Fee measures (国办函〔2020〕109号): from the day after the applicant receives it.
    assert!(got[3].body.contains("信息处理费100元（按件计收）"), "{}", got[3].body);
    assert!(got[3].body.contains("请自收到收费通知书次日起20个工作日内缴纳"), "{}", got[3].body);
    assert!(got[4].body.contains("作出答复（予以公开）") && got[4].body.contains("行政复议"), "{}", got[4].body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closings_and_recipients() {
    on_each_backend(closings).await;
}

async fn closings(db: TestDb) {
    let s = &db.store;
    let a = agency(s, "youxian", None).await;
    let calendar = Calendar::bundled();
    let received = |on: Date| Event::Received { on, channel: Channel::InPerson };

    // Offline, with an e-mail address but no account: e-mail only.
    let app = application(a.id, None, Some(" li@example.cn "));
    let mut case = s.open_case(app, received(date!(2026 - 09 - 18)), &actor(), &calendar, NOW).await.unwrap();
    assert_eq!(rows(&db).await, 1, "received on the spot: one notification");
    case = step(s, &case, Command::Register { on: date!(2026 - 09 - 18) }).await.unwrap();
    case = ev(s, &case, Event::ReasonsRequested { on: date!(2026 - 09 - 21) }).await;
    case = ev(s, &case, Event::ReasonsReceived { on: date!(2026 - 09 - 22) }).await;
    case = ev(s, &case, Event::LaterReplyDateSet { on: date!(2026 - 09 - 22), reply_by: date!(2026 - 12 - 31) }).await;
    ev(
        s,
        &case,
        Event::NotHandled {
            on: date!(2026 - 09 - 23),
            reason: NotHandledReason::Excessive,
            explanation: "依照《条例》第三十五条不予处理。".into(),
        },
    )
    .await;
    assert_eq!(rows(&db).await, 4);
    let pending = s.claim_notifications(NOW, Duration::minutes(5), 10).await.unwrap();
    let kinds: Vec<NotificationKind> = pending.iter().map(|n| n.kind).collect();
    use NotificationKind as K;
    assert_eq!(kinds, [K::Received, K::ReasonsRequested, K::LaterReplyDate, K::NotHandled]);
    assert!(pending.iter().all(|n| n.recipient_id.is_none() && n.email.as_deref() == Some("li@example.cn")));
    assert!(pending[2].body.contains("答复期限至2026年12月31日"), "{}", pending[2].body);
    assert!(pending[3].body.contains("无正当理由大量反复申请"), "{}", pending[3].body);
    for n in &pending {
        assert!(s.mark_notification_sent(n.id, NOW).await.unwrap());
    }

    // Neither an account nor an address: no row, whatever happens.
    let app = application(a.id, None, None);
    let mut case = s.open_case(app, received(date!(2026 - 09 - 18)), &actor(), &calendar, NOW).await.unwrap();
    case = step(s, &case, Command::Register { on: date!(2026 - 09 - 18) }).await.unwrap();
    case = ev(
        s,
        &case,
        Event::CorrectionRequested { on: date!(2026 - 09 - 21), items: vec!["x".into()], period_wd: None },
    )
    .await;
    case = ev(s, &case, served(date!(2026 - 09 - 21), ServedNotice::CorrectionNotice)).await;
    ev(s, &case, Event::CorrectionLapsed { on: date!(2026 - 10 - 20) }).await;
    assert_eq!(rows(&db).await, 4);

    // An account without an address: shown in the list only, never claimed for e-mail.
    let zhao = s.create_account(applicant("zhao")).await.unwrap();
    let app = application(a.id, Some(zhao.id), None);
    let mut case = s
        .open_case(app, Event::Submitted { on: date!(2026 - 09 - 17), received_on: None }, &actor(), &calendar, NOW)
        .await
        .unwrap();
    case = ev(s, &case, Event::Received { on: date!(2026 - 09 - 18), channel: Channel::Online }).await;
    case = step(s, &case, Command::Register { on: date!(2026 - 09 - 18) }).await.unwrap();
    case = ev(
        s,
        &case,
        Event::CorrectionRequested { on: date!(2026 - 09 - 21), items: vec!["x".into()], period_wd: None },
    )
    .await;
    case = ev(s, &case, served(date!(2026 - 09 - 21), ServedNotice::CorrectionNotice)).await;
    // Reg. 30: the period ended Mon 19 Oct; lapsed on the 20th.
    ev(s, &case, Event::CorrectionLapsed { on: date!(2026 - 10 - 20) }).await;
    let got = of_case(s, zhao.id, case.record.id).await;
    assert_eq!(
        got.iter().map(|n| n.kind).collect::<Vec<_>>(),
        [K::Received, K::CorrectionRequested, K::CorrectionLapsed]
    );
    assert!(got.iter().all(|n| n.delivery == Delivery::InAppOnly && n.email.is_none()));
    assert!(got[2].body.contains("视为放弃申请，本机关于2026年10月20日终止办理"), "{}", got[2].body);
    assert!(s.claim_notifications(NOW + Duration::days(1), Duration::minutes(5), 10).await.unwrap().is_empty());

    // Fee not paid in time: closed, and told.
    let app = application(a.id, None, Some("sun@example.cn"));
    let mut case = s.open_case(app, received(date!(2026 - 09 - 18)), &actor(), &calendar, NOW).await.unwrap();
    case = step(s, &case, Command::Register { on: date!(2026 - 09 - 18) }).await.unwrap();
    case = ev(s, &case, Event::Accepted { on: date!(2026 - 09 - 18) }).await;
    case =
        ev(s, &case, Event::FeeNoticeIssued { on: date!(2026 - 09 - 21), amount_yuan: 200, basis: FeeBasis::PerPage })
            .await;
    case = ev(s, &case, served(date!(2026 - 09 - 21), ServedNotice::FeeNotice)).await;
    // Refused while the payment period runs (it ends Mon 26 Oct): no notification.
    assert!(step(s, &case, Command::Event(Event::FeeLapsed { on: date!(2026 - 10 - 26) })).await.is_err());
    ev(s, &case, Event::FeeLapsed { on: date!(2026 - 10 - 27) }).await;
    let fee: Vec<_> = s
        .claim_notifications(NOW + Duration::days(1), Duration::minutes(5), 10)
        .await
        .unwrap()
        .into_iter()
        .filter(|n| n.case_id == Some(case.record.id))
        .map(|n| n.kind)
        .collect();
    assert_eq!(fee, [K::Received, K::FeeDue, K::FeeLapsed]);

    // An imported case's events are history, not news.
    let before = rows(&db).await;
    let txn = s.begin().await.unwrap();
    let app = application(a.id, None, Some("old@example.cn"));
    txn.open_case(app, received(date!(2026 - 03 - 02)), &actor(), &calendar, NOW, true).await.unwrap();
    txn.commit().await.unwrap();
    assert_eq!(rows(&db).await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rolled_back_event_leaves_no_notification() {
    on_each_backend(rolled_back).await;
}

async fn rolled_back(db: TestDb) {
    let s = &db.store;
    let a = agency(s, "youxian", None).await;
    let calendar = Calendar::bundled();
    let txn = s.begin().await.unwrap();
    let app = application(a.id, None, Some("li@example.cn"));
    let case = txn
        .open_case(
            app,
            Event::Received { on: date!(2026 - 09 - 18), channel: Channel::Fax },
            &actor(),
            &calendar,
            NOW,
            false,
        )
        .await
        .unwrap();
    let register = ChangeRequest {
        case_id: case.record.id,
        expected_version: 1,
        command: Command::Register { on: date!(2026 - 09 - 18) },
        reason: None,
    };
    let case = txn.change_case(register, &actor(), &calendar, NOW).await.unwrap();
    let correction = ChangeRequest {
        case_id: case.record.id,
        expected_version: 2,
        command: Command::Event(Event::CorrectionRequested {
            on: date!(2026 - 09 - 21),
            items: vec!["x".into()],
            period_wd: None,
        }),
        reason: None,
    };
    txn.change_case(correction, &actor(), &calendar, NOW).await.unwrap();
    txn.rollback().await.unwrap();
    assert_eq!(rows(&db).await, 0, "the case, its events and its notifications went together");
    assert_eq!(db.count("SELECT COUNT(*) FROM cases").await, 0);
}

async fn insert(s: &Store, n: usize, email: Option<&str>, at: OffsetDateTime) -> Vec<Uuid> {
    let txn = s.begin().await.unwrap();
    let mut ids = Vec::new();
    for i in 0..n {
        let new = NewNotification {
            case_id: None,
            recipient_id: None,
            email: email.map(str::to_owned),
            kind: NotificationKind::Received,
            subject: format!("通知 {i}"),
            body: "正文".into(),
        };
        ids.push(txn.insert_notification(new, at).await.unwrap());
    }
    txn.commit().await.unwrap();
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claims_lease_and_back_off() {
    on_each_backend(claim_lease_backoff).await;
}

async fn claim_lease_backoff(db: TestDb) {
    let s = &db.store;
    let t0 = datetime!(2026-10-20 10:00 UTC);
    let lease = Duration::minutes(5);
    let ids = insert(s, 3, Some("a@example.cn"), t0).await;
    insert(s, 1, None, t0).await; // in-app only: never claimed
    let backoff = Backoff { base: Duration::seconds(30), max: Duration::minutes(10), max_attempts: 3 };

    // Not yet due before it was written.
    assert!(s.claim_notifications(t0 - Duration::seconds(1), lease, 10).await.unwrap().is_empty());
    let first = s.claim_notifications(t0, lease, 2).await.unwrap();
    assert_eq!(first.iter().map(|n| n.id).collect::<Vec<_>>(), ids[..2], "oldest first");
    assert!(first.iter().all(|n| n.claimed_until == Some(t0 + lease)));
    let second = s.claim_notifications(t0, lease, 10).await.unwrap();
    assert_eq!(second.iter().map(|n| n.id).collect::<Vec<_>>(), ids[2..], "leased rows are not claimed again");
    assert!(s.claim_notifications(t0 + Duration::minutes(1), lease, 10).await.unwrap().is_empty());

    // Sent: done for good.
    assert!(s.mark_notification_sent(ids[0], t0 + Duration::seconds(5)).await.unwrap());
    assert!(!s.mark_notification_sent(ids[0], t0 + Duration::seconds(6)).await.unwrap(), "only once");
    let sent = s.notification(ids[0]).await.unwrap();
    assert_eq!(
        (sent.delivery, sent.sent_at, sent.claimed_until),
        (Delivery::Sent, Some(t0 + Duration::seconds(5)), None)
    );

    // A transient failure: retried after 30 s, then 60 s; the third failure gives up.
    let t1 = t0 + Duration::seconds(10);
    assert_eq!(
        s.mark_notification_failed(ids[1], t1, "451 try later", false, &backoff).await.unwrap(),
        FailureOutcome::RetryAt(t1 + Duration::seconds(30))
    );
    let failed = s.notification(ids[1]).await.unwrap();
    assert_eq!((failed.attempts, failed.claimed_until, failed.last_error.as_deref()), (1, None, Some("451 try later")));
    assert!(s.claim_notifications(t1 + Duration::seconds(29), lease, 10).await.unwrap().is_empty(), "not due yet");
    let t2 = t1 + Duration::seconds(30);
    let retry = s.claim_notifications(t2, lease, 10).await.unwrap();
    assert_eq!(retry.iter().map(|n| n.id).collect::<Vec<_>>(), [ids[1]]);
    assert_eq!(
        s.mark_notification_failed(ids[1], t2, "451 again", false, &backoff).await.unwrap(),
        FailureOutcome::RetryAt(t2 + Duration::seconds(60))
    );
    let t3 = t2 + Duration::seconds(60);
    assert_eq!(s.claim_notifications(t3, lease, 10).await.unwrap().len(), 1);
    assert_eq!(s.mark_notification_failed(ids[1], t3, "451", false, &backoff).await.unwrap(), FailureOutcome::GaveUp);
    assert_eq!(s.notification(ids[1]).await.unwrap().delivery, Delivery::Failed);
    assert_eq!(
        s.mark_notification_failed(ids[1], t3, "451", false, &backoff).await.unwrap(),
        FailureOutcome::NotPending
    );

    // A sender crashed holding ids[2] (claimed at t0): the lease runs out at t0 + 5 min and
    // the row is claimed again; a permanent refusal gives up at once.
    assert!(s.claim_notifications(t0 + lease - Duration::seconds(1), lease, 10).await.unwrap().is_empty());
    let reclaimed = s.claim_notifications(t0 + lease, lease, 10).await.unwrap();
    assert_eq!(reclaimed.iter().map(|n| n.id).collect::<Vec<_>>(), [ids[2]]);
    assert_eq!(
        s.mark_notification_failed(ids[2], t0 + lease, "550 no such user", true, &backoff).await.unwrap(),
        FailureOutcome::GaveUp
    );
    assert!(s.claim_notifications(t0 + Duration::days(1), lease, 10).await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_claimers_never_share_a_row() {
    on_each_backend(concurrent_claims).await;
}

async fn concurrent_claims(db: TestDb) {
    let t0 = datetime!(2026-10-20 10:00 UTC);
    let lease = Duration::minutes(5);
    let ids: HashSet<Uuid> = insert(&db.store, 120, Some("a@example.cn"), t0).await.into_iter().collect();
    if db.store.backend() == foi_store::Backend::Postgres {
        // A claimer holding row locks (its claim not yet committed) is skipped, not waited
        // for and not duplicated: lock the three oldest rows in another transaction.
        let raw = db.raw().await;
        let txn = sea_orm::TransactionTrait::begin(&raw).await.unwrap();
        let locked: Vec<Uuid> = sea_orm::ConnectionTrait::query_all_raw(
            &txn,
            sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                "SELECT id FROM outbox ORDER BY next_attempt_at, created_at, id LIMIT 3 FOR UPDATE",
            ),
        )
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get::<Uuid>("", "id").unwrap())
        .collect();
        let claim = db.store.claim_notifications(t0, lease, 5);
        let claimed =
            tokio::time::timeout(std::time::Duration::from_secs(10), claim).await.expect("not blocked").unwrap();
        assert_eq!(claimed.len(), 5);
        assert!(claimed.iter().all(|n| !locked.contains(&n.id)), "locked rows are skipped");
        txn.rollback().await.unwrap();
        let released = db.store.claim_notifications(t0, lease, 3).await.unwrap();
        assert_eq!(released.iter().map(|n| n.id).collect::<Vec<_>>(), locked, "then claimed when free");
        // Give them back to the race below.
        let txn = sea_orm::TransactionTrait::begin(&raw).await.unwrap();
        sea_orm::ConnectionTrait::execute_unprepared(&txn, "UPDATE outbox SET claimed_until = NULL").await.unwrap();
        txn.commit().await.unwrap();
        raw.close().await.ok();
    }
    // Four claimers (separate pools, like replicas) race for the rows in small batches.
    let mut stores = Vec::new();
    for _ in 0..4 {
        stores.push(Store::connect(&db.url).await.unwrap());
    }
    let start = std::sync::Arc::new(tokio::sync::Barrier::new(4));
    let mut tasks = Vec::new();
    for store in stores {
        let start = start.clone();
        tasks.push(tokio::spawn(async move {
            start.wait().await;
            let mut mine = Vec::new();
            loop {
                let batch = store.claim_notifications(t0, lease, 3).await.unwrap();
                if batch.is_empty() {
                    return mine;
                }
                mine.extend(batch.into_iter().map(|n| n.id));
                tokio::task::yield_now().await;
            }
        }));
    }
    let mut seen = HashSet::new();
    let mut shares = Vec::new();
    for task in tasks {
        let mine = task.await.unwrap();
        shares.push(mine.len());
        for id in mine {
            assert!(seen.insert(id), "row {id} claimed twice");
        }
    }
    assert_eq!(seen, ids, "every row claimed exactly once");
    println!("rows per claimer: {shares:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_newest_first_and_marks_only_own_read() {
    on_each_backend(listing).await;
}

async fn listing(db: TestDb) {
    let s = &db.store;
    let wang = s.create_account(applicant("wang")).await.unwrap();
    let zhao = s.create_account(applicant("zhao")).await.unwrap();
    let t0 = datetime!(2026-10-20 02:00 UTC);
    let txn = s.begin().await.unwrap();
    let mut ids = Vec::new();
    // Two written in the same microsecond: still listed in the order written.
    for (i, at) in
        [t0, t0 + Duration::minutes(1), t0 + Duration::minutes(2), t0 + Duration::minutes(2)].into_iter().enumerate()
    {
        let new = NewNotification {
            case_id: None,
            recipient_id: Some(wang.id),
            email: None,
            kind: NotificationKind::Replied,
            subject: format!("{i}"),
            body: String::new(),
        };
        ids.push(txn.insert_notification(new, at).await.unwrap());
    }
    txn.commit().await.unwrap();

    let page1 = s.notifications_of(wang.id, None, 3).await.unwrap();
    assert_eq!(page1.iter().map(|n| n.subject.as_str()).collect::<Vec<_>>(), ["3", "2", "1"]);
    let cursor = NotificationCursor::decode(&NotificationCursor::after(&page1[2]).encode()).unwrap();
    let page2 = s.notifications_of(wang.id, Some(cursor), 3).await.unwrap();
    assert_eq!(page2.iter().map(|n| n.subject.as_str()).collect::<Vec<_>>(), ["0"]);
    let cursor = NotificationCursor::after(&page1[0]);
    let rest = s.notifications_of(wang.id, Some(cursor), 10).await.unwrap();
    assert_eq!(rest.len(), 3, "the cursor splits rows of the same microsecond correctly");
    assert!(s.notifications_of(zhao.id, None, 10).await.unwrap().is_empty());

    assert_eq!(s.unread_notification_count(wang.id).await.unwrap(), 4);
    let read_at = t0 + Duration::hours(1);
    let read = s.mark_notification_read(ids[1], wang.id, read_at).await.unwrap();
    assert_eq!(read.read_at, Some(read_at));
    let again = s.mark_notification_read(ids[1], wang.id, read_at + Duration::hours(1)).await.unwrap();
    assert_eq!(again.read_at, Some(read_at), "the first reading stays");
    assert_eq!(s.unread_notification_count(wang.id).await.unwrap(), 3);
    // Another account's notification: not found, and untouched.
    let err = s.mark_notification_read(ids[0], zhao.id, read_at).await.unwrap_err();
    assert!(matches!(err, foi_store::StoreError::NotFound { .. }), "{err:?}");
    assert_eq!(s.notification(ids[0]).await.unwrap().read_at, None);
}
