//! Small builders for test data.

use foi_domain::applicant::{ApplicantKind, Channel};
use foi_domain::calendar::Calendar;
use foi_domain::lifecycle::Event;
use foi_store::{
    Actor, Agency, CaseState, ChangeRequest, Command, NewAccount, NewAgency, NewCase, NewEvent, Store, Uuid, new_id,
};
use time::macros::{date, datetime};
use time::{Date, OffsetDateTime};

pub const T0: OffsetDateTime = datetime!(2026-03-02 09:30:00.123456 +08:00);
pub const D0: Date = date!(2026 - 03 - 02);

pub async fn agency(store: &Store, code: &str, parent: Option<Uuid>) -> Agency {
    let mut new = NewAgency::new(code, format!("{code} 政府"), "游府信申", "游仙区人民政府");
    new.parent_id = parent;
    store.create_agency(new).await.expect("create agency")
}

pub fn applicant(login: &str) -> NewAccount {
    NewAccount {
        kind: "applicant".into(),
        login: login.into(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        display_name: "王五".into(),
        applicant_kind: Some("natural_person".into()),
        id_document_kind: Some("resident_id".into()),
        // One applicant account per identity number (ux_accounts_identity): wang keeps the
        // number the tests assert on, any other login gets its own.
        id_number: Some(match login {
            "wang" => "11010519491231002X".to_owned(),
            "zhao" => "110101199003078515".to_owned(),
            other => format!("1101011990{:08}", other.bytes().map(u32::from).sum::<u32>()),
        }),
        phone: Some("13800000000".into()),
        ..NewAccount::default()
    }
}

pub fn new_case(agency_id: Uuid, applicant_id: Option<Uuid>) -> NewCase {
    NewCase {
        id: new_id(),
        agency_id,
        applicant_id,
        case_number: None,
        case_year: None,
        stage: "submitted".into(),
        outcome: None,
        channel: "online".into(),
        subject: "2025年度财政预算执行情况".into(),
        description: "请公开游仙区2025年度财政预算执行情况报告全文。".into(),
        form_wanted: "electronic".into(),
        delivery_method: "email".into(),
        applicant_name: "王五".into(),
        applicant_kind: "natural_person".into(),
        applicant_id_number: Some("11010519491231002X".into()),
        applicant_phone: Some("13800000000".into()),
        applicant_email: Some("wang@example.cn".into()),
        applicant_address: None,
        submitted_at: Some(T0),
        received_on: None,
        clock_start_on: None,
        reply_due_on: None,
        concluded_on: None,
        assignee_id: None,
        state_json: r#"{"stage":"submitted"}"#.into(),
        imported: false,
    }
}

pub fn event(kind: &str) -> NewEvent {
    NewEvent::new(kind, serde_json::json!({ "kind": kind }), D0, T0, "王五")
}

/// The clerk the workflow tests act as.
pub fn clerk() -> Actor {
    Actor { account_id: None, label: "李明 (clerk)".into() }
}

pub use foi_store::testing::paper_application as application;

/// A natural person's case received in person on `on` and registered the same day by the
/// clerk, recorded at `now`.
pub async fn registered(s: &Store, agency_id: Uuid, on: Date, now: OffsetDateTime) -> CaseState {
    let calendar = Calendar::bundled();
    let first = Event::Received { on, channel: Channel::InPerson };
    let application = application(agency_id, ApplicantKind::NaturalPerson);
    let state = s.open_case(application, first, &clerk(), &calendar, now).await.unwrap();
    let register = ChangeRequest {
        case_id: state.record.id,
        expected_version: state.record.version,
        command: Command::Register { on },
        reason: None,
    };
    s.change_case(register, &clerk(), &calendar, now).await.unwrap()
}
