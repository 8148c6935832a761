//! Issued documents on both backends: numbered per agency, year and kind without gaps; a
//! refused or failed issue consumes no number; the stored HTML matches its hash, is never
//! changed, and the case's history shows the issue.

use foi_docs::{DocumentKind, Renderer};
use foi_domain::calendar::Calendar;
use foi_domain::lifecycle::{Event, ServiceMethod};
use foi_domain::outcome::Outcome;
use foi_store::documents::DOCUMENT_ISSUED;
use foi_store::{Actor, Agency, ChangeRequest, Command, DocumentError, IssueRequest, NewAgency, Store, StoreError};
use time::Date;
use time::macros::{date, datetime};

use crate::common::{TestDb, on_each_backend};

fn actor() -> Actor {
    crate::fixtures::clerk()
}

async fn agency(s: &Store, code: &str, name: &str, prefix: &str) -> Agency {
    s.create_agency(NewAgency::new(code, name, prefix, "绵阳市人民政府")).await.unwrap()
}

/// A case received in person on `on` and registered the same day; returns (id, version).
async fn received(s: &Store, agency: &Agency, on: Date) -> (foi_store::Uuid, i64) {
    let state = crate::fixtures::registered(s, agency.id, on, datetime!(2026-11-30 10:00 +8)).await;
    (state.record.id, state.record.version)
}

async fn issue(
    s: &Store,
    case: (foi_store::Uuid, i64),
    kind: DocumentKind,
    on: Date,
    renderer: &Renderer,
) -> Result<(foi_store::DocumentRecord, foi_store::CaseRecord), DocumentError> {
    let request = IssueRequest { case_id: case.0, expected_version: case.1, kind, consultation: None, issued_on: on };
    s.issue_document(request, renderer, &actor(), &Calendar::bundled(), datetime!(2026-11-30 10:00 +8)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn numbers_per_agency_year_and_kind_without_gaps() {
    on_each_backend(numbering).await;
}

async fn numbering(db: TestDb) {
    let s = &db.store;
    let renderer = Renderer::built_in();
    let district = agency(s, "youxian", "绵阳市游仙区人民政府", "游府信申").await;
    let edu = agency(s, "youxian-edu", "绵阳市游仙区教育局", "游教信申").await;
    let mut numbers = Vec::new();
    // December 2025, then October 2026: each year starts again at 1.
    for (agency, on) in [
        (&district, date!(2025 - 12 - 15)),
        (&district, date!(2026 - 10 - 09)),
        (&edu, date!(2026 - 10 - 09)),
        (&district, date!(2026 - 10 - 12)),
        (&edu, date!(2026 - 10 - 12)),
        (&district, date!(2026 - 10 - 13)),
    ] {
        let case = received(s, agency, on).await;
        // Refused (not replied) before, and so no reply number is taken.
        assert!(matches!(
            issue(s, case, DocumentKind::Reply, on, &renderer).await,
            Err(DocumentError::NotIssuable(foi_docs::NotIssuable::NotReplied { .. }))
        ));
        let (receipt, case_after) = issue(s, case, DocumentKind::Receipt, on, &renderer).await.unwrap();
        numbers.push(receipt.number.clone());
        // A second kind, with its own sequence: the reply, after replying.
        let reply = ChangeRequest {
            case_id: case.0,
            expected_version: case_after.version,
            command: Command::Event(Event::reply(on, Outcome::Disclosed)),
            reason: None,
        };
        let replied =
            s.change_case(reply, &actor(), &Calendar::bundled(), datetime!(2026-11-30 10:00 +8)).await.unwrap();
        let (letter, _) = issue(s, (case.0, replied.record.version), DocumentKind::Reply, on, &renderer).await.unwrap();
        numbers.push(letter.number);
    }
    assert_eq!(
        numbers,
        [
            "游府信收〔2025〕1号",
            "游府信答〔2025〕1号",
            "游府信收〔2026〕1号",
            "游府信答〔2026〕1号",
            "游教信收〔2026〕1号",
            "游教信答〔2026〕1号",
            "游府信收〔2026〕2号",
            "游府信答〔2026〕2号",
            "游教信收〔2026〕2号",
            "游教信答〔2026〕2号",
            "游府信收〔2026〕3号",
            "游府信答〔2026〕3号",
        ]
    );
    let rows = db.count("SELECT COUNT(*) FROM documents").await;
    assert_eq!(rows, 12);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issued_documents_are_kept_unchanged() {
    on_each_backend(kept_unchanged).await;
}

async fn kept_unchanged(db: TestDb) {
    let s = &db.store;
    let district = agency(s, "youxian", "绵阳市游仙区人民政府", "游府信申").await;
    let renderer = Renderer::built_in();
    let on = date!(2026 - 10 - 09);
    let case = received(s, &district, on).await;

    // A stale version is refused and takes no number.
    let stale = issue(s, (case.0, case.1 - 1), DocumentKind::Receipt, on, &renderer).await;
    assert!(matches!(stale, Err(DocumentError::Store(StoreError::Conflict { .. }))), "{stale:?}");

    // A template that fails takes no number either.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("youxian")).unwrap();
    std::fs::write(dir.path().join("youxian/receipt.html"), "{% extends \"base.html\" %}{% block body %}{{ oops(")
        .unwrap();
    let broken = issue(s, case, DocumentKind::Receipt, on, &Renderer::with_template_dir(dir.path())).await;
    assert!(matches!(broken, Err(DocumentError::Render(foi_docs::DocError::Template { .. }))), "{broken:?}");

    let (receipt, after) = issue(s, case, DocumentKind::Receipt, on, &renderer).await.unwrap();
    assert_eq!(receipt.number, "游府信收〔2026〕1号");
    assert_eq!(receipt.seq, 1);
    assert_eq!(receipt.year, 2026);
    assert_eq!(receipt.issued_on, on);
    assert_eq!(receipt.title, "政府信息公开申请接收回执");
    assert_eq!(receipt.issued_by, "李明 (clerk)");
    assert_eq!(receipt.content_sha256, foi_docs::sha256_hex(&receipt.html));
    assert_eq!(receipt.content_sha256.len(), 64);
    assert_eq!(after.version, case.1 + 1, "issuing appends an audit event");

    // Read back: by id and by case, byte for byte.
    assert_eq!(s.document(receipt.id).await.unwrap(), receipt);
    assert_eq!(s.documents_of(case.0).await.unwrap(), std::slice::from_ref(&receipt));
    assert!(matches!(s.document(foi_store::new_id()).await, Err(StoreError::NotFound { .. })));

    // Issued once: a second receipt is refused and the first stays as it was.
    let again = issue(s, (case.0, after.version), DocumentKind::Receipt, on, &renderer).await;
    match again {
        Err(DocumentError::AlreadyIssued { number, .. }) => assert_eq!(number, "游府信收〔2026〕1号"),
        other => panic!("{other:?}"),
    }
    assert_eq!(s.documents_of(case.0).await.unwrap(), std::slice::from_ref(&receipt));

    // The row cannot be overwritten through an insert either.
    let txn = s.begin().await.unwrap();
    let copy = foi_store::NewDocument {
        id: receipt.id,
        case_id: receipt.case_id,
        agency_id: receipt.agency_id,
        kind: receipt.kind.clone(),
        number: "游府信收〔2026〕99号".into(),
        year: 2026,
        seq: 99,
        issued_on: on,
        title: receipt.title.clone(),
        html: "<p>forged</p>".into(),
        content_sha256: foi_docs::sha256_hex("<p>forged</p>"),
        issued_by: "x".into(),
        issued_by_id: None,
        created_at: datetime!(2026-11-30 10:00 +8),
    };
    assert!(matches!(txn.insert_document(copy).await, Err(StoreError::UniqueViolation { .. })));
    drop(txn);
    assert_eq!(s.document(receipt.id).await.unwrap(), receipt);

    // The history shows it.
    let events = s.case_events(case.0).await.unwrap();
    let last = events.last().unwrap();
    assert_eq!(last.kind, DOCUMENT_ISSUED);
    assert_eq!(last.occurred_on, on);
    assert_eq!(last.payload["number"], "游府信收〔2026〕1号");
    assert_eq!(last.payload["kind"], "RECEIPT");
    assert_eq!(last.payload["sha256"], receipt.content_sha256.as_str());
    assert_eq!(last.payload["document_id"], receipt.id.to_string());
    assert_eq!(db.count("SELECT COUNT(*) FROM sequences WHERE kind = 'RECEIPT'").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn archiving_needs_the_decision_issued_and_not_voided() {
    on_each_backend(archiving).await;
}

async fn archiving(db: TestDb) {
    let s = &db.store;
    let district = agency(s, "youxian", "绵阳市游仙区人民政府", "游府信申").await;
    let renderer = Renderer::built_in();
    let (calendar, now) = (Calendar::bundled(), datetime!(2026-11-30 10:00 +8));
    let step = |id, version, event: Event| {
        let request =
            ChangeRequest { case_id: id, expected_version: version, command: Command::Event(event), reason: None };
        let calendar = &calendar;
        async move { s.change_case(request, &actor(), calendar, now).await }
    };
    // Received Friday 25 September 2026, accepted, replied after the National Day week.
    let (id, v) = received(s, &district, date!(2026 - 09 - 25)).await;
    let v = step(id, v, Event::Accepted { on: date!(2026 - 09 - 28) }).await.unwrap().record.version;
    let replied = Event::reply(date!(2026 - 10 - 09), Outcome::Disclosed);
    let v = step(id, v, replied).await.unwrap().record.version;
    let archive = Event::Archived { on: date!(2026 - 10 - 12) };
    let not_issued = |r: Result<foi_store::CaseState, foi_store::WorkflowError>, was_voided: bool| match r {
        Err(foi_store::WorkflowError::DecisionNotIssued { kind: DocumentKind::Reply, voided }) => {
            assert_eq!(voided, was_voided)
        }
        other => panic!("expected DecisionNotIssued(REPLY), got {other:?}"),
    };

    // Before the reply letter: refused, nothing written.
    not_issued(step(id, v, archive.clone()).await, false);
    assert_eq!(s.case_state(id).await.unwrap().record.version, v);
    // A receipt is no decision.
    let (_, c) = issue(s, (id, v), DocumentKind::Receipt, date!(2026 - 10 - 09), &renderer).await.unwrap();
    not_issued(step(id, c.version, archive.clone()).await, false);
    // The reply issued, then voided: refused again, saying it was voided.
    let (letter, c) = issue(s, (id, c.version), DocumentKind::Reply, date!(2026 - 10 - 09), &renderer).await.unwrap();
    let void = foi_store::VoidRequest {
        document_id: letter.id,
        expected_version: c.version,
        reason: "答复书文号有误".into(),
        on: date!(2026 - 10 - 12),
    };
    let (_, c) = s.void_document(void, &actor(), now).await.unwrap();
    not_issued(step(id, c.version, archive.clone()).await, true);
    // The voided letter is not served.
    let serve = |document_id, expected_version, on| foi_store::ServeRequest {
        document_id,
        expected_version,
        method: ServiceMethod::InPerson,
        on,
        recipient: Some("张三".into()),
    };
    let voided_letter =
        s.serve_document(serve(letter.id, c.version, date!(2026 - 10 - 12)), &actor(), &calendar, now).await;
    assert!(matches!(voided_letter, Err(foi_store::WorkflowError::NotServable(_))));
    // Issued anew: still not served, so not archived (issue 10 item 7).
    let (anew, c) = issue(s, (id, c.version), DocumentKind::Reply, date!(2026 - 10 - 12), &renderer).await.unwrap();
    match step(id, c.version, archive.clone()).await {
        Err(foi_store::WorkflowError::DecisionNotServed { kind: DocumentKind::Reply, number }) => {
            assert_eq!(number, anew.number)
        }
        other => panic!("expected DecisionNotServed(REPLY), got {other:?}"),
    }
    // Not served before its own date; then served in person on Mon 12 Oct, and archived.
    let early = s.serve_document(serve(anew.id, c.version, date!(2026 - 10 - 09)), &actor(), &calendar, now).await;
    assert!(matches!(early, Err(foi_store::WorkflowError::NotServable(foi_store::ServeRefusal::BeforeIssue { .. }))));
    let (_, c) =
        s.serve_document(serve(anew.id, c.version, date!(2026 - 10 - 12)), &actor(), &calendar, now).await.unwrap();
    let served = s.case_events(id).await.unwrap().pop().unwrap();
    assert_eq!((served.kind.as_str(), served.occurred_on), ("SERVED", date!(2026 - 10 - 12)));
    assert_eq!(served.payload["document_id"], anew.id.to_string());
    assert_eq!(served.payload["notice"]["kind"], "DECISION");
    let archived = step(id, c.record.version, archive.clone()).await.unwrap();
    assert_eq!(archived.record.stage, "ARCHIVED");

    // A withdrawn application ends without a decision letter, and archives as it is.
    let (id, v) = received(s, &district, date!(2026 - 09 - 25)).await;
    let v = step(id, v, Event::Withdrawn { on: date!(2026 - 09 - 28) }).await.unwrap().record.version;
    assert_eq!(step(id, v, archive).await.unwrap().record.stage, "ARCHIVED");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_voided_document_stays_as_issued_and_is_issued_anew_under_the_next_number() {
    on_each_backend(voiding).await;
}

async fn voiding(db: TestDb) {
    let s = &db.store;
    let district = agency(s, "youxian", "绵阳市游仙区人民政府", "游府信申").await;
    let renderer = Renderer::built_in();
    let now = datetime!(2026-11-30 10:00 +8);
    // Received and acknowledged on Friday 9 October 2026 (the first working day after the
    // National Day week); the mistake is found on Monday 12 October.
    let on = date!(2026 - 10 - 09);
    let found = date!(2026 - 10 - 12);
    let case = received(s, &district, on).await;
    let (receipt, issued) = issue(s, case, DocumentKind::Receipt, on, &renderer).await.unwrap();
    let request = |version: i64, reason: &str, on: Date| foi_store::VoidRequest {
        document_id: receipt.id,
        expected_version: version,
        reason: reason.to_owned(),
        on,
    };
    let reason = "回执所载申请内容有误";

    // Refused, with nothing written: a stale version, a day before the document, no reason.
    let stale = s.void_document(request(issued.version - 1, reason, found), &actor(), now).await;
    assert!(matches!(stale, Err(DocumentError::Store(StoreError::Conflict { .. }))), "{stale:?}");
    let early = s.void_document(request(issued.version, reason, date!(2026 - 10 - 08)), &actor(), now).await;
    assert!(
        matches!(early, Err(DocumentError::NotVoidable(foi_store::VoidRefusal::BeforeIssue { issued_on })) if issued_on == on),
        "{early:?}"
    );
    let blank = s.void_document(request(issued.version, "  ", found), &actor(), now).await;
    assert!(matches!(blank, Err(DocumentError::NotVoidable(foi_store::VoidRefusal::NoReason))), "{blank:?}");
    assert_eq!(s.case_events(case.0).await.unwrap().len() as i64, issued.version, "nothing was appended");

    // Voided: one audit event with the reason; the row, its number and its HTML unchanged.
    let (voided, after) = s.void_document(request(issued.version, reason, found), &actor(), now).await.unwrap();
    assert_eq!(after.version, issued.version + 1);
    let expected = foi_store::Voiding { on: found, by: actor().label, reason: reason.to_owned() };
    assert_eq!(voided.voided.as_ref(), Some(&expected));
    let stored = s.document(receipt.id).await.unwrap();
    assert_eq!((stored.number.as_str(), stored.html.as_str()), (receipt.number.as_str(), receipt.html.as_str()));
    assert_eq!(stored.content_sha256, foi_docs::sha256_hex(&stored.html));
    assert_eq!(stored.voided, Some(expected));
    let last = s.case_events(case.0).await.unwrap().pop().unwrap();
    assert_eq!(
        (last.kind.as_str(), last.occurred_on, last.reason.as_deref()),
        ("DOCUMENT_VOIDED", found, Some(reason))
    );
    assert_eq!(last.payload["number"], "游府信收〔2026〕1号");

    // Voided once only.
    let again = s.void_document(request(after.version, reason, found), &actor(), now).await;
    assert!(matches!(again, Err(DocumentError::AlreadyVoided { on, .. }) if on == found), "{again:?}");

    // Issued anew: the next number (the voided one is never given again), naming what it
    // replaces; and then it is the one valid receipt.
    let (second, latest) = issue(s, (case.0, after.version), DocumentKind::Receipt, found, &renderer).await.unwrap();
    assert_eq!(second.number, "游府信收〔2026〕2号");
    assert_eq!(second.replaces.as_deref(), Some("游府信收〔2026〕1号"));
    let third = issue(s, (case.0, latest.version), DocumentKind::Receipt, found, &renderer).await;
    assert!(
        matches!(&third, Err(DocumentError::AlreadyIssued { number, .. }) if number == "游府信收〔2026〕2号"),
        "{third:?}"
    );
    let listed = s.documents_of(case.0).await.unwrap();
    let summary: Vec<_> =
        listed.iter().map(|d| (d.number.as_str(), d.voided.is_some(), d.replaces.as_deref())).collect();
    assert_eq!(
        summary,
        [("游府信收〔2026〕1号", true, None), ("游府信收〔2026〕2号", false, Some("游府信收〔2026〕1号"))]
    );
    assert_eq!(db.count("SELECT COUNT(*) FROM documents").await, 2);
}

/// The contact block an administrator sets (migration `m20261202_000002_agency_contact`) is
/// stored, read back, and printed on the next letter; an incomplete block is not printed.
/// Receipt of an application of Wednesday 2026-09-30, the last working day before National Day.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agency_contact_block_is_stored_and_printed() {
    on_each_backend(contact_block).await;
}

async fn contact_block(db: TestDb) {
    let s = &db.store;
    let district = agency(s, "youxian", "绵阳市游仙区人民政府", "游府信申").await;
    assert_eq!(district.contact, foi_store::AgencyContact::default());
    let renderer = Renderer::built_in();
    let on = date!(2026 - 09 - 30);
    // Only a telephone: incomplete, so the letter goes out without a block.
    let partial = foi_store::AgencyContact { phone: Some("0816-2345678".into()), ..Default::default() };
    s.set_agency_contact("youxian", partial).await.unwrap();
    let (receipt, _) = issue(s, received(s, &district, on).await, DocumentKind::Receipt, on, &renderer).await.unwrap();
    assert!(!receipt.html.contains("联系人"), "{}", receipt.html);
    let full = foi_store::AgencyContact {
        office: Some("绵阳市游仙区人民政府政务公开科".into()),
        address: Some("绵阳市游仙区东南路中段1号".into()),
        postcode: None,
        phone: Some("0816-2345678".into()),
        person: Some("张明".into()),
        payment_instructions: Some("转账至收款人：绵阳市游仙区财政局".into()),
    };
    let stored = s.set_agency_contact("youxian", full.clone()).await.unwrap();
    assert_eq!(stored.contact, full);
    assert_eq!(s.agency_by_code("youxian").await.unwrap().unwrap().contact, full);
    let (receipt, _) = issue(s, received(s, &district, on).await, DocumentKind::Receipt, on, &renderer).await.unwrap();
    assert!(
        receipt.html.contains("联系人：张明　联系电话：0816-2345678　地址：绵阳市游仙区东南路中段1号）"),
        "{}",
        receipt.html
    );
    assert!(matches!(s.set_agency_contact("nowhere", full).await, Err(StoreError::NotFound { .. })));
}
