//! Which documents may be issued when, and the template overrides of an agency: the facts
//! must exist in the case as its events made it, and a reply's remedy clause cannot be
//! dropped by an override.

use foi_docs::facts::{DateConflict, Issuer, NotIssuable, Particulars, Request, context};
use foi_docs::{DocError, DocumentKind, Renderer};
use foi_domain::applicant::Channel;
use foi_domain::calendar::Calendar;
use foi_domain::lifecycle::{AgencyRules, Case, ConsultedParty, Context, Event, Stage};
use foi_domain::outcome::Outcome;
use foi_domain::reasons::{WithheldItem, WithholdingGround};
use time::Date;
use time::macros::date;

fn issuer(code: &str) -> Issuer {
    Issuer {
        code: code.into(),
        name: "绵阳市游仙区人民政府".into(),
        reconsideration_body: "绵阳市人民政府".into(),
        rules: AgencyRules::default(),
        contact: None,
        payment_instructions: None,
    }
}

fn particulars() -> Particulars {
    Particulars {
        case_number: Some("游府信申〔2026〕5号".into()),
        applicant_name: "张三".into(),
        subject: "2026年区级部门预算".into(),
        description: String::new(),
        form_wanted: None,
        delivery: None,
        attachments: vec![],
    }
}

fn replay(events: &[Event]) -> Case {
    let calendar = Calendar::bundled();
    Case::replay(events, Context { calendar: &calendar, rules: &AgencyRules::default() }).unwrap()
}

fn received() -> Vec<Event> {
    vec![
        Event::Received { on: date!(2026 - 10 - 09), channel: Channel::InPerson },
        Event::Registered { on: date!(2026 - 10 - 09), case_number: "游府信申〔2026〕5号".into() },
    ]
}

fn try_issue(case: &Case, kind: DocumentKind, consultation: Option<u32>, on: Date) -> Result<(), NotIssuable> {
    let request = Request { kind, consultation, issued_on: on };
    context(request, case, &particulars(), &issuer("youxian"), &Calendar::bundled(), None).map(|_| ())
}

const ON: Date = date!(2026 - 10 - 20);

#[test]
fn nothing_before_receipt() {
    let submitted = replay(&[Event::Submitted { on: date!(2026 - 10 - 09), received_on: None }]);
    for kind in DocumentKind::ISSUED {
        assert_eq!(try_issue(&submitted, kind, Some(1), ON), Err(NotIssuable::NotReceived { stage: Stage::Submitted }));
    }
    // The proof of service and the approval sheet are printed on demand, never issued.
    for kind in [DocumentKind::ProofOfService, DocumentKind::ApprovalSheet] {
        let refused = try_issue(&replay(&received()), kind, None, ON).unwrap_err();
        assert_eq!(refused, NotIssuable::PrintedOnDemand { kind });
        assert!(refused.to_string().contains("previewDocument"), "{refused}");
    }
}

#[test]
fn a_received_case_gets_its_receipt_and_nothing_else() {
    let case = replay(&received());
    assert_eq!(try_issue(&case, DocumentKind::Receipt, None, date!(2026 - 10 - 09)), Ok(()));
    assert_eq!(try_issue(&case, DocumentKind::CorrectionNotice, None, ON), Err(NotIssuable::NoCorrection));
    assert_eq!(try_issue(&case, DocumentKind::ExtensionNotice, None, ON), Err(NotIssuable::NoExtension));
    assert_eq!(
        try_issue(&case, DocumentKind::ConsultationLetter, None, ON),
        Err(NotIssuable::ConsultationNumberRequired { count: 0 })
    );
    assert_eq!(
        try_issue(&case, DocumentKind::ConsultationLetter, Some(1), ON),
        Err(NotIssuable::NoConsultation { number: 1, count: 0 })
    );
    assert_eq!(try_issue(&case, DocumentKind::FeeNotice, None, ON), Err(NotIssuable::NoFeeNotice));
    let refused = try_issue(&case, DocumentKind::Reply, None, ON).unwrap_err();
    assert_eq!(refused, NotIssuable::NotReplied { stage: Stage::InReview, outcome: None });
    assert!(refused.to_string().contains("record the reply first"), "{refused}");
    assert_eq!(
        try_issue(&case, DocumentKind::NotHandledNotice, None, ON),
        Err(NotIssuable::NotNotHandled { stage: Stage::InReview, outcome: None })
    );
    // Not dated before what it documents.
    assert_eq!(
        try_issue(&case, DocumentKind::Receipt, None, date!(2026 - 10 - 08)),
        Err(NotIssuable::BeforeTheFact {
            issued_on: date!(2026 - 10 - 08),
            what: "the date of receipt",
            fact_on: date!(2026 - 10 - 09)
        })
    );
}

#[test]
fn each_notice_follows_its_event() {
    let mut events = received();
    events.push(Event::Accepted { on: date!(2026 - 10 - 12) });
    events.push(Event::ConsultationOpened {
        on: date!(2026 - 10 - 13),
        party: ConsultedParty::CoProducer,
        name: "绵阳市游仙区财政局".into(),
    });
    let case = replay(&events);
    assert_eq!(try_issue(&case, DocumentKind::ConsultationLetter, Some(1), ON), Ok(()));
    assert_eq!(
        try_issue(&case, DocumentKind::ConsultationLetter, Some(2), ON),
        Err(NotIssuable::NoConsultation { number: 2, count: 1 })
    );
    assert_eq!(
        try_issue(&case, DocumentKind::ConsultationLetter, Some(0), ON),
        Err(NotIssuable::NoConsultation { number: 0, count: 1 })
    );
    let request = Request { kind: DocumentKind::ConsultationLetter, consultation: Some(1), issued_on: ON };
    let letter = context(request, &case, &particulars(), &issuer("youxian"), &Calendar::bundled(), None).unwrap();
    assert_eq!(letter.title, "政府信息公开征求共同制作机关意见函");
    assert_eq!(letter.addressee, "绵阳市游仙区财政局");
    assert_eq!(letter.consultation.as_ref().map(|c| c.article.as_str()), Some("第三十四条"));
}

#[test]
fn the_decision_letters_follow_the_conclusion() {
    let mut replied = replied_events();
    let case = replay(&replied);
    assert_eq!(try_issue(&case, DocumentKind::Reply, None, ON), Ok(()));
    assert_eq!(
        try_issue(&case, DocumentKind::NotHandledNotice, None, ON),
        Err(NotIssuable::NotNotHandled { stage: Stage::Replied, outcome: Some(Outcome::Disclosed) })
    );
    assert!(matches!(
        try_issue(&case, DocumentKind::Reply, None, date!(2026 - 10 - 19)),
        Err(NotIssuable::BeforeTheFact { what: "the reply", .. })
    ));

    let mut withdrawn = received();
    withdrawn.push(Event::Withdrawn { on: ON });
    let case = replay(&withdrawn);
    assert_eq!(
        try_issue(&case, DocumentKind::Reply, None, ON),
        Err(NotIssuable::NotReplied { stage: Stage::Closed, outcome: Some(Outcome::OtherClosed) })
    );

    // Archived: the file is closed, nothing more is issued.
    replied.push(Event::Archived { on: date!(2026 - 10 - 21) });
    let case = replay(&replied);
    assert_eq!(
        try_issue(&case, DocumentKind::Reply, None, date!(2026 - 10 - 21)),
        Err(NotIssuable::Archived { on: date!(2026 - 10 - 21) })
    );
}

#[test]
fn the_remedy_clause_needs_a_reconsideration_body() {
    let case = replied_case();
    let mut agency = issuer("youxian");
    agency.reconsideration_body = " ".into();
    let request = Request { kind: DocumentKind::Reply, consultation: None, issued_on: ON };
    let refused = context(request, &case, &particulars(), &agency, &Calendar::bundled(), None).unwrap_err();
    assert!(matches!(refused, NotIssuable::Remedy(_)), "{refused}");
}

#[test]
fn every_reply_outcome_renders_with_its_remedy_clause() {
    for outcome in Outcome::ALL {
        let mut events = received();
        events.push(Event::Accepted { on: date!(2026 - 10 - 12) });
        let legal_basis = outcome.needs_legal_basis().then(|| "依据说明".to_owned());
        let (event, kind) = match outcome.group() {
            foi_domain::outcome::OutcomeGroup::Other => continue,
            foi_domain::outcome::OutcomeGroup::NotHandled => {
                let reason = [
                    foi_domain::lifecycle::NotHandledReason::Petition,
                    foi_domain::lifecycle::NotHandledReason::Repeat,
                    foi_domain::lifecycle::NotHandledReason::Publication,
                    foi_domain::lifecycle::NotHandledReason::Excessive,
                    foi_domain::lifecycle::NotHandledReason::ConfirmOrReissue,
                ]
                .into_iter()
                .find(|r| r.outcome() == outcome)
                .unwrap();
                (Event::NotHandled { on: ON, reason, explanation: "说明".into() }, DocumentKind::NotHandledNotice)
            }
            _ if outcome == Outcome::StillUnclearAfterCorrection => continue,
            _ => (
                Event::Replied {
                    on: ON,
                    outcome,
                    legal_basis,
                    on_the_spot: false,
                    // A refusal rests on its row's ground; a partial disclosure names what it
                    // withholds (Reg. 36(3), 37).
                    withheld: WithholdingGround::of_refusal(outcome)
                        .or((outcome == Outcome::PartlyDisclosed).then_some(WithholdingGround::ThirdPartyRights))
                        .map(|ground| WithheldItem { information: "所申请信息中的部分内容".into(), ground })
                        .into_iter()
                        .collect(),
                    holder: None,
                    from_register: false,
                },
                DocumentKind::Reply,
            ),
        };
        events.push(event);
        let case = replay(&events);
        let request = Request { kind, consultation: None, issued_on: ON };
        let ctx = context(request, &case, &particulars(), &issuer("youxian"), &Calendar::bundled(), Some("x")).unwrap();
        let html = Renderer::built_in().render(&ctx).unwrap().html;
        let text = foi_docs::text::text_content(&html);
        let first = outcome.reconsideration_first();
        assert_eq!(text.contains("先向绵阳市人民政府申请行政复议"), first, "{outcome}: {text}");
        assert_eq!(text.contains("六个月内依法向人民法院提起行政诉讼"), !first, "{outcome}: {text}");
        assert!(text.contains(outcome.basis_zh()), "{outcome} cites its article");
    }
}

/// Received on 2026-10-09 and answered with a full disclosure on [`ON`].
fn replied_events() -> Vec<Event> {
    let mut events = received();
    events.push(Event::reply(ON, Outcome::Disclosed));
    events
}

fn replied_case() -> Case {
    replay(&replied_events())
}

fn render_with(dir: &std::path::Path, code: &str, kind: DocumentKind) -> Result<String, DocError> {
    let case = if kind == DocumentKind::Reply { replied_case() } else { replay(&received()) };
    let request = Request { kind, consultation: None, issued_on: ON };
    let ctx = context(request, &case, &particulars(), &issuer(code), &Calendar::bundled(), Some("游府信答〔2026〕1号"))
        .unwrap();
    Renderer::with_template_dir(dir).render(&ctx).map(|r| r.html)
}

#[test]
fn an_agency_overrides_its_templates() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("youxian")).unwrap();
    std::fs::write(
        dir.path().join("youxian/receipt.html"),
        "{% extends \"base.html\" %}{% block body %}<p>本局已于{{ application.received_on }}收到。</p>{% endblock %}",
    )
    .unwrap();
    let html = render_with(dir.path(), "youxian", DocumentKind::Receipt).unwrap();
    assert!(html.contains("<p>本局已于2026年10月9日收到。</p>"), "{html}");
    // Another agency, and every kind the directory does not override, keeps the built-in.
    let other = render_with(dir.path(), "youxian-edu", DocumentKind::Receipt).unwrap();
    assert!(other.contains("特此回执"));
    assert!(render_with(dir.path(), "youxian", DocumentKind::Reply).unwrap().contains("特此答复"));
    // The layout can be overridden too.
    std::fs::write(dir.path().join("youxian/base.html"), "<html><body>{% block body %}{% endblock %}</body></html>")
        .unwrap();
    let html = render_with(dir.path(), "youxian", DocumentKind::Receipt).unwrap();
    assert_eq!(html, "<html><body><p>本局已于2026年10月9日收到。</p></body></html>");
}

#[test]
fn a_broken_template_names_its_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("youxian")).unwrap();
    let path = dir.path().join("youxian/receipt.html");
    std::fs::write(
        &path,
        "{% extends \"base.html\" %}\n{% block body %}\n<p>{{ application.received_on </p>\n{% endblock %}",
    )
    .unwrap();
    let err = render_with(dir.path(), "youxian", DocumentKind::Receipt).unwrap_err();
    match &err {
        DocError::Template { file, line, .. } => {
            assert_eq!(file, &path.display().to_string());
            assert_eq!(*line, Some(3));
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("receipt.html, line 3"), "{err}");
    // A misspelt variable is caught when rendering, with its line.
    std::fs::write(
        &path,
        "{% extends \"base.html\" %}\n{% block body %}\n<p>{{ aplication.received_on }}</p>\n{% endblock %}",
    )
    .unwrap();
    let err = render_with(dir.path(), "youxian", DocumentKind::Receipt).unwrap_err();
    assert!(matches!(&err, DocError::Template { line: Some(3), .. }), "{err:?}");
    assert!(Renderer::with_template_dir(dir.path()).check("youxian").is_ok(), "it parses; it fails to render");
}

#[test]
fn an_override_cannot_drop_the_remedy_clause() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("youxian")).unwrap();
    let path = dir.path().join("youxian/reply.html");
    std::fs::write(&path, "{% extends \"base.html\" %}{% block body %}<p>{{ decision.finding }}</p>{% endblock %}")
        .unwrap();
    let err = render_with(dir.path(), "youxian", DocumentKind::Reply).unwrap_err();
    assert_eq!(err, DocError::RemedyClauseMissing { file: path.display().to_string() });
    assert!(err.to_string().contains("{{ remedy.text }}"), "{err}");
    // Printed, even split over lines, it passes.
    std::fs::write(&path, "{% extends \"base.html\" %}{% block body %}<p>{{ remedy.text }}</p>{% endblock %}").unwrap();
    assert!(render_with(dir.path(), "youxian", DocumentKind::Reply).is_ok());
}

#[test]
fn a_missing_template_directory_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    let err = render_with(&missing, "youxian", DocumentKind::Receipt).unwrap_err();
    assert!(matches!(err, DocError::Unreadable { .. }), "{err:?}");
    assert!(err.to_string().contains("FOI_TEMPLATE_DIR"), "{err}");
}

fn html(case: &Case, kind: DocumentKind, on: Date, calendar: &Calendar) -> String {
    let request = Request { kind, consultation: None, issued_on: on };
    let context = context(request, case, &particulars(), &issuer("youxian"), calendar, None)
        .unwrap_or_else(|e| panic!("{kind}: {e}"));
    Renderer::built_in().render(&context).unwrap_or_else(|e| panic!("{kind}: {e}")).html
}

/// Issue 10, item 8 (rules.md §3): an extension on Monday 2026-12-21 whose due date lands in
/// January 2027, before the 2027 notice is loaded. The extension notice is issued, not
/// refused: it prints the date counted on the provisional calendar (1 January 2027, 元旦,
/// off) followed by 以国务院办公厅公布的放假安排为准. With a 2027 notice loaded it prints
/// the final date, without the mark.
#[test]
fn an_extension_into_2027_prints_the_provisional_mark_until_the_notice_is_loaded() {
    // Received Monday 2026-11-23: the reply is due Monday 2026-12-21.
    let case = replay(&[
        Event::Received { on: date!(2026 - 11 - 23), channel: Channel::InPerson },
        Event::Registered { on: date!(2026 - 11 - 23), case_number: "游府信申〔2026〕5号".into() },
        Event::Accepted { on: date!(2026 - 11 - 23) },
        Event::ExtensionRequested {
            on: date!(2026 - 12 - 21),
            working_days: 20,
            reason: "申请的信息需要多个部门协调检索".into(),
        },
        Event::Extended {
            on: date!(2026 - 12 - 21),
            working_days: 20,
            approver: "王主任".into(),
            reason: Some("申请的信息需要多个部门协调检索".into()),
        },
    ]);
    let provisional = html(&case, DocumentKind::ExtensionNotice, date!(2026 - 12 - 21), &Calendar::bundled());
    // 22–25, 28–31 December (8), 1 January off, 4–8 (13), 11–15 (18), 18–19 January (20).
    assert!(
        provisional.contains("本机关将于2027年1月19日（以国务院办公厅公布的放假安排为准）前作出答复"),
        "{provisional}"
    );
    // The receipt (due 21 December 2026, all in a loaded year) has no mark.
    let receipt = html(&case, DocumentKind::Receipt, date!(2026 - 11 - 23), &Calendar::bundled());
    assert!(receipt.contains("即2026年12月21日前") && !receipt.contains("放假安排为准"), "{receipt}");
    // A (test) 2027 notice giving 1–4 January off: the date moves to 20 January and is final.
    let json = r#"{"2027": {"all_off_days": ["2027-01-01", "2027-01-02", "2027-01-03", "2027-01-04"], "makeup_workdays": []}}"#;
    let loaded = Calendar::bundled().merged_with_json(json).unwrap();
    let final_ = html(&case, DocumentKind::ExtensionNotice, date!(2026 - 12 - 21), &loaded);
    assert!(final_.contains("本机关将于2027年1月20日前作出答复") && !final_.contains("放假安排为准"), "{final_}");
}

/// A receipt on Monday 2026-12-14: the reply deadline (20 working days) reaches 2027 and is
/// printed provisionally; before 2018 no rule gives an answer and the document is refused.
#[test]
fn a_receipt_whose_reply_date_is_in_2027_is_marked_and_one_before_2018_is_refused() {
    let case = replay(&[Event::Received { on: date!(2026 - 12 - 14), channel: Channel::InPerson }]);
    let receipt = html(&case, DocumentKind::Receipt, date!(2026 - 12 - 14), &Calendar::bundled());
    // 15–18 (4), 21–25 (9), 28–31 December (13), 1 January off, 4–8 (18), 11–12 January (20).
    assert!(receipt.contains("即2027年1月12日（以国务院办公厅公布的放假安排为准）前予以答复"), "{receipt}");
    let old = Case::replay(
        &[Event::Received { on: date!(2017 - 12 - 01), channel: Channel::InPerson }],
        Context { calendar: &Calendar::bundled(), rules: &AgencyRules::default() },
    )
    .unwrap();
    let err = try_issue(&old, DocumentKind::Receipt, None, date!(2017 - 12 - 01)).unwrap_err();
    assert!(matches!(err, NotIssuable::Calendar(_)) && err.to_string().contains("calendar unknown"), "{err}");
}

fn text_of(case: &Case, kind: DocumentKind, consultation: Option<u32>, on: Date, issuer: &Issuer) -> String {
    let request = Request { kind, consultation, issued_on: on };
    let context = context(request, case, &particulars(), issuer, &Calendar::bundled(), None)
        .unwrap_or_else(|e| panic!("{kind}: {e}"));
    foi_docs::text::text_content(&Renderer::built_in().render(&context).unwrap_or_else(|e| panic!("{kind}: {e}")).html)
}

fn served(on: Date, notice: foi_domain::service::ServedNotice) -> Event {
    Event::Served { on, notice, method: foi_domain::service::ServiceMethod::Post, document_id: None, recipient: None }
}

/// Issue 10 item 2: the fee notice recorded on Wednesday 2026-09-30, the last working day
/// before the National Day break. The notice states the payment period from its receipt
/// (国办函〔2020〕109号: 自收到本通知书次日起20个工作日内), never a date counted from the day it was
/// recorded. It says the reply clock stops "自本通知书发出之日起", so it must bear the day the
/// clock stopped: dated Friday 2026-10-09 it is refused, and the refusal names 2026-09-30.
/// Served by post on 10-09 and printed again, it adds the last day counted from service: from
/// Saturday 10-10 (a make-up working day) 20 working days end on Thursday 2026-11-05.
#[test]
fn the_fee_notice_states_its_period_from_receipt_and_bears_the_day_the_clock_stopped() {
    let mut events = vec![
        Event::Received { on: date!(2026 - 09 - 28), channel: Channel::InPerson },
        Event::Registered { on: date!(2026 - 09 - 28), case_number: "游府信申〔2026〕5号".into() },
        Event::Accepted { on: date!(2026 - 09 - 28) },
        Event::FeeNoticeIssued {
            on: date!(2026 - 09 - 30),
            amount_yuan: 100,
            basis: foi_domain::fee::FeeBasis::PerApplication,
        },
    ];
    let case = replay(&events);
    let refused = try_issue(&case, DocumentKind::FeeNotice, None, date!(2026 - 10 - 09)).unwrap_err();
    assert_eq!(
        refused,
        NotIssuable::DateConflict(DateConflict::FeePauseFromAnotherDay {
            issued_on: date!(2026 - 10 - 09),
            notified_on: date!(2026 - 09 - 30)
        })
    );
    assert!(refused.to_string().contains("Date it 2026-09-30"), "{refused}");
    let text = text_of(&case, DocumentKind::FeeNotice, None, date!(2026 - 09 - 30), &issuer("youxian"));
    assert!(text.contains("请您自收到本通知书次日起20个工作日内缴纳。逾期未缴纳的"), "{text}");
    assert!(text.contains("自本通知书发出之日起至您缴纳费用之日止的期间，不计算在答复期限内"), "{text}");
    assert!(!text.contains("送达") && !text.contains("2026年10月") && !text.contains("2026年11月"), "{text}");
    // An agency whose fee does not stop the clock prints no such sentence: any later date is
    // true.
    let mut no_pause = issuer("youxian");
    no_pause.rules.fee_pauses_clock = false;
    let text = text_of(&case, DocumentKind::FeeNotice, None, date!(2026 - 10 - 09), &no_pause);
    assert!(!text.contains("发出之日"), "{text}");
    // Served by post on Friday 2026-10-09.
    events.push(served(date!(2026 - 10 - 09), foi_domain::service::ServedNotice::FeeNotice));
    let text = text_of(&replay(&events), DocumentKind::FeeNotice, None, date!(2026 - 09 - 30), &issuer("youxian"));
    assert!(text.contains("本通知书已于2026年10月9日送达，缴费期限至2026年11月5日止。"), "{text}");
}

/// The correction notice states its period from the applicant's receipt (Reg. 30, counted
/// from service): sent Tuesday 2026-10-13, it prints no last day; served by post on Friday
/// 2026-10-16, 15 working days end on Friday 2026-11-06.
#[test]
fn the_correction_notice_states_its_period_from_receipt() {
    let mut events = received();
    events.push(Event::CorrectionRequested {
        on: date!(2026 - 10 - 13),
        items: vec!["请写明所需信息的名称".into()],
        period_wd: None,
    });
    let text =
        text_of(&replay(&events), DocumentKind::CorrectionNotice, None, date!(2026 - 10 - 13), &issuer("youxian"));
    assert!(text.contains("请您自收到本告知书之日起15个工作日内，向本机关提交补正后的申请。答复期限"), "{text}");
    assert!(!text.contains("发出之日") && !text.contains("2026年11月"), "{text}");
    events.push(served(date!(2026 - 10 - 16), foi_domain::service::ServedNotice::CorrectionNotice));
    let text =
        text_of(&replay(&events), DocumentKind::CorrectionNotice, None, date!(2026 - 10 - 13), &issuer("youxian"));
    assert!(text.contains("本告知书已于2026年10月16日送达，补正期限至2026年11月6日止。"), "{text}");
}

/// A consultation letter sent on Wednesday 2026-09-30 and served after the National Day
/// break, on Thursday 2026-10-08: the party's 15 working days (Reg. 32) run from then, with
/// Saturday 10-10 a make-up working day, to Wednesday 2026-10-28. Before service the letter
/// states the period from receipt only.
#[test]
fn a_consultation_letter_served_after_the_holiday_counts_from_service() {
    let mut events = received_on(date!(2026 - 09 - 29));
    events.push(Event::Accepted { on: date!(2026 - 09 - 29) });
    events.push(Event::ConsultationOpened {
        on: date!(2026 - 09 - 30),
        party: ConsultedParty::ThirdParty,
        name: "绵阳某建设有限公司".into(),
    });
    let text =
        text_of(&replay(&events), DocumentKind::ConsultationLetter, Some(1), date!(2026 - 09 - 30), &issuer("youxian"));
    assert!(text.contains("请贵方自收到本函之日起15个工作日内向本机关提出书面意见"), "{text}");
    assert!(!text.contains("发出之日") && !text.contains("2026年10月"), "{text}");
    events.push(served(date!(2026 - 10 - 08), foi_domain::service::ServedNotice::ConsultationLetter { number: 1 }));
    let text =
        text_of(&replay(&events), DocumentKind::ConsultationLetter, Some(1), date!(2026 - 09 - 30), &issuer("youxian"));
    assert!(text.contains("本函已于2026年10月8日送达，提出意见的期限至2026年10月28日止。"), "{text}");
}

fn received_on(on: Date) -> Vec<Event> {
    vec![
        Event::Received { on, channel: Channel::InPerson },
        Event::Registered { on, case_number: "游府信申〔2026〕5号".into() },
    ]
}

/// A receipt states the reply due date: received Friday 2026-10-09, due Thursday 2026-11-05
/// (Saturday 10-10 a make-up working day). Dated 11-05 it is issued; dated 11-06 it would
/// state a date already past, and is refused naming 11-05.
#[test]
fn a_receipt_dated_after_the_reply_due_date_it_states_is_refused() {
    let case = replay(&received());
    assert_eq!(try_issue(&case, DocumentKind::Receipt, None, date!(2026 - 11 - 05)), Ok(()));
    let refused = try_issue(&case, DocumentKind::Receipt, None, date!(2026 - 11 - 06)).unwrap_err();
    let NotIssuable::DateConflict(conflict) = &refused else { panic!("{refused:?}") };
    assert_eq!(conflict.use_on(), date!(2026 - 11 - 05));
    assert!(refused.to_string().contains("Date it 2026-11-05 or earlier"), "{refused}");
}

/// Reg. 33 ¶1: the extension is decided and told within the limit it extends. Received
/// Monday 2026-11-23, the reply is due Monday 2026-12-21 and the extension is approved that
/// day: its notice may bear 12-21, not Tuesday 12-22.
#[test]
fn an_extension_notice_dated_after_the_deadline_it_extends_is_refused() {
    let mut events = received_on(date!(2026 - 11 - 23));
    events.push(Event::Accepted { on: date!(2026 - 11 - 23) });
    events.push(Event::ExtensionRequested {
        on: date!(2026 - 12 - 18),
        working_days: 10,
        reason: "需要协调检索".into(),
    });
    events.push(Event::Extended {
        on: date!(2026 - 12 - 21),
        working_days: 10,
        approver: "王主任".into(),
        reason: Some("需要协调检索".into()),
    });
    let case = replay(&events);
    assert_eq!(try_issue(&case, DocumentKind::ExtensionNotice, None, date!(2026 - 12 - 21)), Ok(()));
    let refused = try_issue(&case, DocumentKind::ExtensionNotice, None, date!(2026 - 12 - 22)).unwrap_err();
    assert_eq!(
        refused,
        NotIssuable::DateConflict(DateConflict::PastItsDeadline {
            document: "extension notice",
            issued_on: date!(2026 - 12 - 22),
            what: "that it extends the reply limit ending on",
            deadline: date!(2026 - 12 - 21),
            article: "Reg. 33 ¶1",
        })
    );
}
