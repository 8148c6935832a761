//! The lifecycle, tested three ways: every (stage, event) pair of the table; whole case
//! histories on real calendars; and property tests over random histories.

use foi_domain::applicant::{Channel, OnlineReceipt};
use foi_domain::calendar::Calendar;
use foi_domain::clock::{ClockState, Urgency};
use foi_domain::fee::FeeBasis;
use foi_domain::lifecycle::{
    AgencyRules, Case, ConsultationResult, ConsultedParty, Context, Event, EventKind, Guard, NotHandledReason,
    ServedNotice, ServiceMethod, Stage, TransitionError, Warning, transition,
};
use foi_domain::outcome::Outcome;
use foi_domain::reasons::{InformationHolder, WithheldItem, WithholdingGround};
use proptest::prelude::*;
use time::Date;
use time::macros::date;

fn calendar() -> &'static Calendar {
    static CALENDAR: std::sync::OnceLock<Calendar> = std::sync::OnceLock::new();
    CALENDAR.get_or_init(Calendar::bundled)
}

const RULES: AgencyRules = AgencyRules {
    correction_period_wd: 15,
    due_soon_wd: 5,
    fee_pauses_clock: true,
    online_receipt: OnlineReceipt::SubmissionDay,
};

fn ctx() -> Context<'static> {
    Context { calendar: calendar(), rules: &RULES }
}

fn play(events: &[Event]) -> Case {
    Case::replay(events, ctx()).unwrap_or_else(|e| panic!("history refused: {e}"))
}

fn apply(case: &Case, event: Event) -> Result<Case, TransitionError> {
    case.apply(&event, ctx())
}

fn refused(result: Result<Case, TransitionError>) -> Guard {
    match result {
        Err(TransitionError::Refused { reason, .. }) => reason,
        other => panic!("expected a guard refusal, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// The table, pair by pair.
// ---------------------------------------------------------------------------------------

/// The allowed pairs, restated from rules.md §2 independently of the code's match.
fn expected(stage: Stage, kind: EventKind) -> Option<Stage> {
    use EventKind as E;
    use Stage as S;
    let allowed: &[(S, E, S)] = &[
        (S::New, E::Submitted, S::Submitted),
        (S::New, E::Received, S::Received),
        (S::Submitted, E::Received, S::Received),
        (S::Submitted, E::Withdrawn, S::Closed),
        (S::Received, E::Registered, S::InReview),
        (S::Received, E::Withdrawn, S::Closed),
        (S::InReview, E::Accepted, S::Handling),
        (S::InReview, E::Assigned, S::InReview),
        (S::InReview, E::CorrectionRequested, S::AwaitingCorrection),
        (S::InReview, E::ReasonsRequested, S::AwaitingReasons),
        (S::InReview, E::Extended, S::InReview),
        (S::InReview, E::ExtensionRequested, S::InReview),
        (S::InReview, E::ExtensionRefused, S::InReview),
        (S::InReview, E::Replied, S::Replied),
        (S::InReview, E::NotHandled, S::Replied),
        (S::InReview, E::Withdrawn, S::Closed),
        (S::AwaitingCorrection, E::CorrectionReceived, S::InReview),
        (S::AwaitingCorrection, E::CorrectionLapsed, S::Closed),
        (S::AwaitingCorrection, E::Withdrawn, S::Closed),
        (S::AwaitingReasons, E::ReasonsGiven, S::AwaitingReasons),
        (S::AwaitingReasons, E::ReasonsReceived, S::Handling),
        (S::AwaitingReasons, E::NotHandled, S::Replied),
        (S::AwaitingReasons, E::Withdrawn, S::Closed),
        (S::Handling, E::Assigned, S::Handling),
        (S::Handling, E::CorrectionRequested, S::AwaitingCorrection),
        (S::Handling, E::ReasonsRequested, S::AwaitingReasons),
        (S::Handling, E::LaterReplyDateSet, S::Handling),
        (S::Handling, E::ConsultationOpened, S::Handling),
        (S::Handling, E::ConsultationClosed, S::Handling),
        (S::Handling, E::Extended, S::Handling),
        (S::Handling, E::ExtensionRequested, S::Handling),
        (S::Handling, E::ExtensionRefused, S::Handling),
        (S::Handling, E::FeeNoticeIssued, S::Handling),
        (S::Handling, E::FeePaid, S::Handling),
        (S::Handling, E::FeeLapsed, S::Closed),
        (S::Handling, E::Replied, S::Replied),
        (S::Handling, E::NotHandled, S::Replied),
        (S::Handling, E::Withdrawn, S::Closed),
        (S::Replied, E::Archived, S::Archived),
        (S::Closed, E::Archived, S::Archived),
        // 送达: from receipt until the file is archived, the stage unchanged (rules.md §2).
        (S::Received, E::Served, S::Received),
        (S::InReview, E::Served, S::InReview),
        (S::AwaitingCorrection, E::Served, S::AwaitingCorrection),
        (S::AwaitingReasons, E::Served, S::AwaitingReasons),
        (S::Handling, E::Served, S::Handling),
        (S::Replied, E::Served, S::Replied),
        (S::Closed, E::Served, S::Closed),
    ];
    allowed.iter().find(|(s, e, _)| *s == stage && *e == kind).map(|(_, _, to)| *to)
}

/// A case in each stage, built from a real history around National Day 2026.
fn case_in(stage: Stage) -> Case {
    let submitted = Event::Submitted { on: date!(2026 - 09 - 16), received_on: None };
    let received = Event::Received { on: date!(2026 - 09 - 18), channel: Channel::Online };
    let registered = Event::Registered { on: date!(2026 - 09 - 18), case_number: "游府信申〔2026〕17号".into() };
    let accepted = Event::Accepted { on: date!(2026 - 09 - 21) };
    let history: Vec<Event> = match stage {
        Stage::New => vec![],
        Stage::Submitted => vec![submitted],
        Stage::Received => vec![submitted, received],
        Stage::InReview => vec![submitted, received, registered],
        Stage::AwaitingCorrection => vec![
            submitted,
            received,
            registered,
            Event::CorrectionRequested {
                on: date!(2026 - 09 - 21),
                items: vec!["文件名称不明确".into()],
                period_wd: None,
            },
        ],
        Stage::AwaitingReasons => {
            vec![submitted, received, registered, Event::ReasonsRequested { on: date!(2026 - 09 - 21) }]
        }
        Stage::Handling => vec![submitted, received, registered, accepted],
        Stage::Replied => {
            vec![submitted, received, registered, accepted, Event::reply(date!(2026 - 09 - 30), Outcome::Disclosed)]
        }
        Stage::Closed => vec![submitted, received, Event::Withdrawn { on: date!(2026 - 09 - 22) }],
        Stage::Archived => vec![
            submitted,
            received,
            Event::Withdrawn { on: date!(2026 - 09 - 22) },
            Event::Archived { on: date!(2026 - 10 - 09) },
        ],
    };
    let case = play(&history);
    assert_eq!(case.stage, stage);
    case
}

/// One sample event of each kind, dated after every fixture's history.
fn sample(kind: EventKind) -> Event {
    let on = date!(2026 - 10 - 12);
    match kind {
        EventKind::Submitted => Event::Submitted { on, received_on: None },
        EventKind::Received => Event::Received { on, channel: Channel::Online },
        EventKind::Registered => Event::Registered { on, case_number: "游府信申〔2026〕18号".into() },
        EventKind::Accepted => Event::Accepted { on },
        EventKind::Assigned => Event::Assigned { on, officer: "李明".into() },
        EventKind::CorrectionRequested => {
            Event::CorrectionRequested { on, items: vec!["补充文号".into()], period_wd: None }
        }
        EventKind::CorrectionReceived => Event::CorrectionReceived { on },
        EventKind::CorrectionLapsed => Event::CorrectionLapsed { on },
        EventKind::ReasonsRequested => Event::ReasonsRequested { on },
        EventKind::ReasonsGiven => Event::ReasonsGiven { on },
        EventKind::ReasonsReceived => Event::ReasonsReceived { on },
        EventKind::LaterReplyDateSet => Event::LaterReplyDateSet { on, reply_by: date!(2026 - 12 - 31) },
        EventKind::ConsultationOpened => {
            Event::ConsultationOpened { on, party: ConsultedParty::ThirdParty, name: "某公司".into() }
        }
        EventKind::ConsultationClosed => {
            Event::ConsultationClosed { on, number: 1, result: ConsultationResult::Consented }
        }
        EventKind::Extended => Event::Extended { on, working_days: 20, approver: "王主任".into(), reason: None },
        EventKind::ExtensionRequested => {
            Event::ExtensionRequested { on, working_days: 20, reason: "需调取档案".into() }
        }
        EventKind::ExtensionRefused => {
            Event::ExtensionRefused { on, approver: "王主任".into(), reason: "可按期答复".into() }
        }
        EventKind::FeeNoticeIssued => Event::FeeNoticeIssued { on, amount_yuan: 100, basis: FeeBasis::PerApplication },
        EventKind::FeePaid => Event::FeePaid { on },
        EventKind::FeeLapsed => Event::FeeLapsed { on },
        EventKind::Replied => Event::reply(on, Outcome::Disclosed),
        EventKind::NotHandled => Event::NotHandled {
            on,
            reason: NotHandledReason::Excessive,
            explanation: "申请数量明显超过合理范围".into(),
        },
        EventKind::Withdrawn => Event::Withdrawn { on },
        EventKind::Archived => Event::Archived { on },
        EventKind::Served => served(on, ServedNotice::Receipt, ServiceMethod::Post),
    }
}

fn served(on: Date, notice: ServedNotice, method: ServiceMethod) -> Event {
    Event::Served { on, notice, method, document_id: None, recipient: None }
}

#[test]
fn every_stage_event_pair_matches_the_table() {
    let mut allowed = 0;
    for stage in Stage::ALL {
        let case = case_in(stage);
        for kind in EventKind::ALL {
            assert_eq!(transition(stage, kind), expected(stage, kind), "table entry for ({stage}, {kind})");
            let event = sample(kind);
            assert_eq!(event.kind(), kind);
            assert_eq!(EventKind::from_code(kind.code()), Some(kind));
            match (expected(stage, kind), apply(&case, event)) {
                (None, Err(TransitionError::NotAllowed { stage: s, event: e })) => {
                    assert_eq!((s, e), (stage, kind));
                    let message = TransitionError::NotAllowed { stage: s, event: e }.to_string();
                    assert!(message.contains(stage.code()) && message.contains(kind.code()), "{message}");
                }
                (None, other) => panic!("({stage}, {kind}) must be refused by the table, got {other:?}"),
                (Some(_), Err(TransitionError::NotAllowed { .. })) => {
                    panic!("({stage}, {kind}) is in the table but was refused as not allowed")
                }
                (Some(to), Ok(next)) => {
                    allowed += 1;
                    assert_eq!(next.stage, to, "({stage}, {kind})");
                }
                // Allowed by the table, refused by a guard on the sample's facts: fine here,
                // the guards have their own tests.
                (Some(_), Err(TransitionError::Refused { .. })) => {}
            }
        }
    }
    // Most allowed pairs go through with the sample facts; a collapse would mean the guards
    // refuse everything.
    assert!(allowed >= 20, "only {allowed} sample transitions succeeded");
}

#[test]
fn nothing_happens_after_archiving() {
    let case = case_in(Stage::Archived);
    for kind in EventKind::ALL {
        assert!(matches!(apply(&case, sample(kind)), Err(TransitionError::NotAllowed { .. })), "{kind}");
    }
}

// ---------------------------------------------------------------------------------------
// Whole histories on real calendars.
// ---------------------------------------------------------------------------------------

fn received_in_person(on: Date) -> Vec<Event> {
    vec![
        Event::Received { on, channel: Channel::InPerson },
        Event::Registered { on, case_number: "游府信申〔2025〕3号".into() },
    ]
}

#[test]
fn online_receipt_is_the_day_the_clerk_acknowledges() {
    // Submitted on Saturday 27 September 2025, acknowledged on the make-up Sunday 28.
    let case = play(&[
        Event::Submitted { on: date!(2025 - 09 - 27), received_on: None },
        Event::Received { on: date!(2025 - 09 - 28), channel: Channel::Online },
    ]);
    assert_eq!(case.received_on, Some(date!(2025 - 09 - 28)));
    let s = case.schedule(ctx(), date!(2025 - 09 - 28)).unwrap();
    assert_eq!(s.reply_clock, ClockState::Running);
    // National Day 2025: 1–8 October off, Saturday 11 October worked.
    // 29, 30 Sep; 9, 10, 11 (Sat), 13–17, 20–24, 27–31 Oct = 20 → 31 October.
    assert_eq!(s.reply.unwrap().due.date, date!(2025 - 10 - 31));
    // The channel must fit: an online submission is not received "in person".
    let submitted = play(&[Event::Submitted { on: date!(2025 - 09 - 27), received_on: None }]);
    let wrong = apply(&submitted, Event::Received { on: date!(2025 - 09 - 28), channel: Channel::InPerson });
    assert!(matches!(refused(wrong), Guard::Channel(_)));
    let direct_online = apply(&Case::new(), Event::Received { on: date!(2025 - 09 - 28), channel: Channel::Online });
    assert!(matches!(refused(direct_online), Guard::Channel(_)));
}

#[test]
fn the_correction_notice_is_due_within_7_working_days() {
    // Received Friday 26 September 2025: 28 (Sun, worked), 29, 30 Sep, 9, 10, 11 (Sat,
    // worked), 13 Oct → last day Monday 13 October 2025.
    let case = play(&received_in_person(date!(2025 - 09 - 26)));
    let s = case.schedule(ctx(), date!(2025 - 09 - 26)).unwrap();
    assert_eq!(s.correction_notice_due.unwrap().date, date!(2025 - 10 - 13));
    let late = apply(
        &case,
        Event::CorrectionRequested { on: date!(2025 - 10 - 14), items: vec!["x".into()], period_wd: None },
    );
    assert_eq!(refused(late), Guard::CorrectionNoticeTooLate { due: date!(2025 - 10 - 13) });
    assert!(
        apply(
            &case,
            Event::CorrectionRequested { on: date!(2025 - 10 - 13), items: vec!["x".into()], period_wd: None }
        )
        .is_ok()
    );
}

/// Received Friday 25 September 2026 (中秋节, a day off: an in-person receipt is allowed),
/// registered and accepted the same day: the case is in handling.
fn in_handling_since_25_september_2026() -> Vec<Event> {
    let mut history = received_in_person(date!(2026 - 09 - 25));
    history.push(Event::Accepted { on: date!(2026 - 09 - 25) });
    history
}

#[test]
fn a_correction_notice_may_go_out_in_handling_within_7_working_days() {
    let case = play(&in_handling_since_25_september_2026());
    assert_eq!(case.stage, Stage::Handling);
    // By hand: day 0 is Fri 25 Sep (中秋节); 26, 27 Sep off; 28 Sep = 1, 29 = 2, 30 = 3;
    // 1–7 Oct 国庆节 off; 8 Oct = 4, 9 Oct = 5, Sat 10 Oct (调休上班) = 6, Sun 11 off,
    // Mon 12 Oct = 7 → the last day is Monday 12 October 2026; the next working day,
    // Tuesday 13 October, is too late.
    let notice = |on, period_wd| Event::CorrectionRequested { on, items: vec!["请写明文号".into()], period_wd };
    let waiting = apply(&case, notice(date!(2026 - 10 - 12), None)).expect("day 7 in handling is in time");
    assert_eq!(waiting.stage, Stage::AwaitingCorrection);
    let late = apply(&case, notice(date!(2026 - 10 - 13), None));
    assert_eq!(refused(late), Guard::CorrectionNoticeTooLate { due: date!(2026 - 10 - 12) });
}

#[test]
fn a_correction_notice_sets_its_own_period() {
    let case = play(&in_handling_since_25_september_2026());
    let notice = |period_wd| Event::CorrectionRequested {
        on: date!(2026 - 10 - 12),
        items: vec!["请写明文号".into()],
        period_wd,
    };
    // 10 working days from Mon 12 Oct 2026: 13–16 (4), 19–23 (9), 26 Oct = 10.
    let in_person = served(date!(2026 - 10 - 12), ServedNotice::CorrectionNotice, ServiceMethod::InPerson);
    let own = apply(&apply(&case, notice(Some(10))).unwrap(), in_person.clone()).unwrap();
    let s = own.schedule(ctx(), date!(2026 - 10 - 12)).unwrap();
    assert_eq!(s.correction_due.unwrap().date, date!(2026 - 10 - 26));
    // Without its own period the notice takes the agency's 15: 27–30 Oct (14), 2 Nov = 15.
    let default = apply(&apply(&case, notice(None)).unwrap(), in_person).unwrap();
    let s = default.schedule(ctx(), date!(2026 - 10 - 12)).unwrap();
    assert_eq!(s.correction_due.unwrap().date, date!(2026 - 11 - 02));
    // A correction on day 11 of a 10-day period is too late, though within the default.
    let late = apply(&own, Event::CorrectionReceived { on: date!(2026 - 10 - 27) });
    assert_eq!(refused(late), Guard::CorrectionPeriodOver { due: date!(2026 - 10 - 26) });
    for days in [0, 61] {
        assert_eq!(refused(apply(&case, notice(Some(days)))), Guard::CorrectionPeriodOutOfRange { days });
    }
    assert!(apply(&case, notice(Some(1))).is_ok() && apply(&case, notice(Some(60))).is_ok());
}

#[test]
fn a_correction_notice_stored_before_periods_existed_means_the_default() {
    // The event log is never rewritten: JSON without `period_wd` still reads.
    let old = r#"{"type":"CORRECTION_REQUESTED","on":"2026-10-12","items":["请写明文号"]}"#;
    let event: Event = serde_json::from_str(old).unwrap();
    assert!(matches!(event, Event::CorrectionRequested { period_wd: None, .. }));
    let json = serde_json::to_string(&event).unwrap();
    assert!(!json.contains("period_wd"), "{json}");
}

#[test]
fn a_correction_restarts_the_clock_from_zero() {
    let mut history = received_in_person(date!(2025 - 09 - 26));
    history.push(Event::CorrectionRequested {
        on: date!(2025 - 09 - 30),
        items: vec!["请明确文件名称和文号".into()],
        period_wd: None,
    });
    history.push(served(date!(2025 - 09 - 30), ServedNotice::CorrectionNotice, ServiceMethod::InPerson));
    let waiting = play(&history);
    let s = waiting.schedule(ctx(), date!(2025 - 10 - 09)).unwrap();
    assert_eq!(s.reply_clock, ClockState::Stopped);
    assert!(s.reply.is_none());
    // Correction period: 15 working days from 30 Sep 2025: 9, 10, 11 (Sat), 13–17, 20–24,
    // 27, 28 Oct → 28 October.
    assert_eq!(s.correction_due.unwrap().date, date!(2025 - 10 - 28));
    // Only one notice (Reg. 30).
    let second = apply(
        &waiting,
        Event::CorrectionRequested { on: date!(2025 - 10 - 09), items: vec!["y".into()], period_wd: None },
    );
    assert!(matches!(second, Err(TransitionError::NotAllowed { .. })));

    history.push(Event::CorrectionReceived { on: date!(2025 - 10 - 20) });
    let corrected = play(&history);
    let s = corrected.schedule(ctx(), date!(2025 - 10 - 20)).unwrap();
    assert_eq!(s.restarted_on, Some(date!(2025 - 10 - 20)));
    assert_eq!(s.reply_clock, ClockState::Running);
    let reply = s.reply.unwrap();
    // 20 working days from Monday 20 October 2025, nothing carried over: 17 November.
    assert_eq!(reply.due.date, date!(2025 - 11 - 17));
    assert_eq!((reply.used, reply.left), (0, 20));
    // "Still unclear after correction" is now a lawful reply.
    let unclear = Event::Replied {
        on: date!(2025 - 10 - 22),
        outcome: Outcome::StillUnclearAfterCorrection,
        legal_basis: Some("《政府信息公开条例》第三十条".into()),
        on_the_spot: false,
        withheld: vec![],
        holder: None,
        from_register: false,
    };
    assert_eq!(apply(&corrected, unclear).unwrap().outcome, Some(Outcome::StillUnclearAfterCorrection));
}

#[test]
fn an_uncorrected_application_lapses_only_after_its_period() {
    let mut history = received_in_person(date!(2025 - 09 - 26));
    history.push(Event::CorrectionRequested {
        on: date!(2025 - 09 - 30),
        items: vec!["请明确文件名称".into()],
        period_wd: None,
    });
    // Unserved, the period has not begun: nothing can lapse (Reg. 30).
    let unserved = play(&history);
    let early = apply(&unserved, Event::CorrectionLapsed { on: date!(2025 - 12 - 01) });
    assert_eq!(refused(early), Guard::NotServed { notice: ServedNotice::CorrectionNotice });
    history.push(served(date!(2025 - 09 - 30), ServedNotice::CorrectionNotice, ServiceMethod::InPerson));
    let waiting = play(&history);
    let early = apply(&waiting, Event::CorrectionLapsed { on: date!(2025 - 10 - 28) });
    assert_eq!(refused(early), Guard::CorrectionPeriodRunning { due: date!(2025 - 10 - 28) });
    let late_correction = apply(&waiting, Event::CorrectionReceived { on: date!(2025 - 10 - 29) });
    assert_eq!(refused(late_correction), Guard::CorrectionPeriodOver { due: date!(2025 - 10 - 28) });
    let closed = apply(&waiting, Event::CorrectionLapsed { on: date!(2025 - 10 - 29) }).unwrap();
    assert_eq!((closed.stage, closed.outcome), (Stage::Closed, Some(Outcome::OtherCorrectionNotMade)));
}

#[test]
fn a_third_party_consultation_is_not_counted() {
    // Received Monday 3 March 2025 → due 31 March without pause.
    let mut history = received_in_person(date!(2025 - 03 - 03));
    history.push(Event::Accepted { on: date!(2025 - 03 - 04) });
    history.push(Event::ConsultationOpened {
        on: date!(2025 - 03 - 10),
        party: ConsultedParty::ThirdParty,
        name: "某建筑公司".into(),
    });
    // Unserved, the third party's period has not begun (Reg. 32): no due, no silence.
    let unserved = play(&history);
    assert!(unserved.schedule(ctx(), date!(2025 - 03 - 12)).unwrap().consultations_due.is_empty());
    let silence =
        Event::ConsultationClosed { on: date!(2025 - 04 - 30), number: 1, result: ConsultationResult::NoReply };
    assert_eq!(
        refused(apply(&unserved, silence)),
        Guard::NotServed { notice: ServedNotice::ConsultationLetter { number: 1 } }
    );
    history.push(served(date!(2025 - 03 - 10), ServedNotice::ConsultationLetter { number: 1 }, ServiceMethod::Fax));
    let pending = play(&history);
    let s = pending.schedule(ctx(), date!(2025 - 03 - 12)).unwrap();
    assert_eq!(s.reply_clock, ClockState::Paused);
    // The third party has 15 working days from 10 March: 31 March.
    assert_eq!(s.consultations_due[0].1.date, date!(2025 - 03 - 31));
    // Silence can only be recorded after the opinion period.
    let early_silence = apply(
        &pending,
        Event::ConsultationClosed { on: date!(2025 - 03 - 31), number: 1, result: ConsultationResult::NoReply },
    );
    assert_eq!(refused(early_silence), Guard::OpinionPeriodRunning { due: date!(2025 - 03 - 31) });
    // No reply while the consultation is open.
    let reply = Event::reply(date!(2025 - 03 - 12), Outcome::Disclosed);
    assert_eq!(refused(apply(&pending, reply)), Guard::ConsultationOpen { number: 1 });

    history.push(Event::ConsultationClosed {
        on: date!(2025 - 03 - 21),
        number: 1,
        result: ConsultationResult::Objected,
    });
    let answered = play(&history);
    let s = answered.schedule(ctx(), date!(2025 - 03 - 21)).unwrap();
    assert_eq!(s.reply_clock, ClockState::Running);
    // 11–21 March (9 working days) are not counted: 31 March + 9 working days over Qingming
    // (Friday 4 April off) = Monday 14 April.
    assert_eq!(s.reply.unwrap().due.date, date!(2025 - 04 - 14));
}

#[test]
fn a_consultation_pauses_the_clock_for_at_most_its_15_working_days() {
    // Received Mon 28 Sep 2026; by Mon 12 Oct 6 working days are used (29, 30 Sep; 8, 9,
    // Sat 10 (make-up), 12 Oct). The letter goes out on 12 Oct; the party's 15 working days
    // end on Mon 2 Nov. 14 working days are left after it: due Fri 20 Nov.
    let mut history = received_in_person(date!(2026 - 09 - 28));
    history.push(Event::Accepted { on: date!(2026 - 09 - 28) });
    history.push(Event::ConsultationOpened {
        on: date!(2026 - 10 - 12),
        party: ConsultedParty::ThirdParty,
        name: "某建筑公司".into(),
    });
    history.push(served(
        date!(2026 - 10 - 12),
        ServedNotice::ConsultationLetter { number: 1 },
        ServiceMethod::InPerson,
    ));
    let open = play(&history);
    // Still open a week after the period: the pause stopped on 2 Nov all the same.
    let s = open.schedule(ctx(), date!(2026 - 11 - 09)).unwrap();
    assert_eq!(s.reply.unwrap().due.date, date!(2026 - 11 - 20));
    for (closed_on, result) in [
        (date!(2026 - 11 - 03), ConsultationResult::NoReply),
        // An answer arriving late does not stretch the pause either.
        (date!(2026 - 11 - 10), ConsultationResult::Consented),
        // An answer within the period ends the pause that day: 10 of the 15 used (13–16,
        // 19–23, 26 Oct), so 14 working days from 26 Oct: Fri 13 Nov.
        (date!(2026 - 10 - 26), ConsultationResult::Consented),
    ] {
        let closed = apply(&open, Event::ConsultationClosed { on: closed_on, number: 1, result }).unwrap();
        let due = closed.schedule(ctx(), closed_on).unwrap().reply.unwrap().due.date;
        let expected = if closed_on == date!(2026 - 10 - 26) { date!(2026 - 11 - 13) } else { date!(2026 - 11 - 20) };
        assert_eq!(due, expected, "closed on {closed_on} ({result:?})");
    }
}

#[test]
fn one_extension_of_at_most_20_days_with_an_approver() {
    // Received Friday 18 September 2026 → reply due 22 October; extended by 20 → 19 November.
    let mut history = received_in_person(date!(2026 - 09 - 18));
    history.push(Event::Accepted { on: date!(2026 - 09 - 21) });
    let handling = play(&history);
    let too_long = apply(
        &handling,
        Event::Extended { on: date!(2026 - 10 - 20), working_days: 21, approver: "王主任".into(), reason: None },
    );
    assert_eq!(refused(too_long), Guard::ExtensionLength { days: 21 });
    let no_approver = apply(
        &handling,
        Event::Extended { on: date!(2026 - 10 - 20), working_days: 20, approver: " ".into(), reason: None },
    );
    assert_eq!(refused(no_approver), Guard::Missing { field: "approver" });
    let too_late = apply(
        &handling,
        Event::Extended { on: date!(2026 - 10 - 23), working_days: 20, approver: "王主任".into(), reason: None },
    );
    assert_eq!(refused(too_late), Guard::AfterReplyDeadline { due: date!(2026 - 10 - 22) });

    history.push(Event::Extended {
        on: date!(2026 - 10 - 22),
        working_days: 20,
        approver: "王主任".into(),
        reason: None,
    });
    let extended = play(&history);
    assert_eq!(extended.extension.as_ref().unwrap().approver, "王主任");
    let s = extended.schedule(ctx(), date!(2026 - 10 - 22)).unwrap();
    let reply = s.reply.unwrap();
    assert_eq!(reply.due.date, date!(2026 - 11 - 19));
    assert_eq!((reply.used, reply.left, reply.limit), (20, 20, 40));
    let again = apply(
        &extended,
        Event::Extended { on: date!(2026 - 10 - 23), working_days: 1, approver: "王主任".into(), reason: None },
    );
    assert_eq!(refused(again), Guard::AlreadyExtended { on: date!(2026 - 10 - 22) });
}

#[test]
fn an_online_submission_on_a_spring_festival_sunday_is_received_on_the_next_working_day() {
    // Sunday 22 February 2026 lies in the Spring Festival break (15–23 February off); the
    // next working day is Tuesday 24 February (Reg. 31(3), rules.md §2).
    let sunday = date!(2026 - 02 - 22);
    let (received, assumed) = OnlineReceipt::SubmissionDay.date_of_receipt(calendar(), sunday).unwrap().unwrap();
    assert_eq!((received, assumed), (date!(2026 - 02 - 24), vec![]));
    assert_eq!(OnlineReceipt::ClerkConfirmation.date_of_receipt(calendar(), sunday).unwrap(), None);
    // A working day is its own date of receipt: Saturday 28 February 2026 is a make-up day.
    let saturday = date!(2026 - 02 - 28);
    assert_eq!(OnlineReceipt::SubmissionDay.date_of_receipt(calendar(), saturday).unwrap().unwrap().0, saturday);

    let submitted = play(&[Event::Submitted { on: sunday, received_on: Some(received) }]);
    assert_eq!((submitted.stage, submitted.received_on), (Stage::Submitted, Some(date!(2026 - 02 - 24))));
    let s = submitted.schedule(ctx(), date!(2026 - 02 - 24)).unwrap();
    assert_eq!(s.reply_clock, ClockState::Running);
    // From Tue 24 Feb: 25, 26, 27, Sat 28 (make-up), 2–6, 9–13, 16–20, 23 March = 20th.
    assert_eq!(s.reply.unwrap().due.date, date!(2026 - 03 - 23));
    // 签收 on Thursday 26 February acknowledges it and moves nothing.
    let signed = apply(&submitted, Event::Received { on: date!(2026 - 02 - 26), channel: Channel::Online }).unwrap();
    assert_eq!((signed.stage, signed.received_on), (Stage::Received, Some(date!(2026 - 02 - 24))));
    assert_eq!(signed.schedule(ctx(), date!(2026 - 02 - 26)).unwrap().reply.unwrap().due.date, date!(2026 - 03 - 23));
    // The same submission under the clerk-confirmation rule is received when signed for.
    let clerk = play(&[
        Event::Submitted { on: sunday, received_on: None },
        Event::Received { on: date!(2026 - 02 - 26), channel: Channel::Online },
    ]);
    assert_eq!(clerk.received_on, Some(date!(2026 - 02 - 26)));
    // 26 February + 20 working days (Sat 28 February a make-up day) → 25 March.
    assert_eq!(clerk.schedule(ctx(), date!(2026 - 02 - 26)).unwrap().reply.unwrap().due.date, date!(2026 - 03 - 25));
    // A date of receipt before the submission is refused.
    let backwards = apply(&Case::new(), Event::Submitted { on: sunday, received_on: Some(date!(2026 - 02 - 20)) });
    assert!(matches!(refused(backwards), Guard::BeforePreviousEvent { .. }));
}

#[test]
fn a_friday_submission_signed_for_on_monday_keeps_fridays_date() {
    // Friday 6 March 2026 is a working day: received that day, whenever 签收 follows.
    let friday = date!(2026 - 03 - 06);
    let received = OnlineReceipt::SubmissionDay.date_of_receipt(calendar(), friday).unwrap().unwrap().0;
    let case = play(&[
        Event::Submitted { on: friday, received_on: Some(received) },
        Event::Received { on: date!(2026 - 03 - 09), channel: Channel::Online },
    ]);
    assert_eq!(case.received_on, Some(friday));
    // 9–13, 16–20, 23–27 March, 30, 31 March, 1, 2, 3 April = 20 → Friday 3 April 2026
    // (Qingming 4–6 April is after it).
    assert_eq!(case.schedule(ctx(), date!(2026 - 03 - 09)).unwrap().reply.unwrap().due.date, date!(2026 - 04 - 03));
}

#[test]
fn a_receipt_on_a_day_off_is_accepted_with_a_warning() {
    // Saturday 3 October 2026, National Day break (1–7 October off).
    let event = Event::Received { on: date!(2026 - 10 - 03), channel: Channel::InPerson };
    let warnings = Case::new().warnings(&event, calendar());
    assert_eq!(warnings, vec![Warning::ReceivedOnDayOff { on: date!(2026 - 10 - 03) }]);
    assert_eq!(warnings[0].code(), "RECEIVED_ON_DAY_OFF");
    assert!(warnings[0].message_zh().contains("非工作日"));
    assert!(apply(&Case::new(), event).is_ok());
    // Saturday 10 October 2026 is a make-up working day: no warning.
    let make_up = Event::Received { on: date!(2026 - 10 - 10), channel: Channel::InPerson };
    assert!(Case::new().warnings(&make_up, calendar()).is_empty());
    // 签收 on a day off of a submission already received under the submission-day rule
    // moves no date, so it warns of nothing.
    let submitted = play(&[Event::Submitted { on: date!(2026 - 10 - 02), received_on: Some(date!(2026 - 10 - 08)) }]);
    let sign = Event::Received { on: date!(2026 - 10 - 03), channel: Channel::Online };
    assert!(submitted.warnings(&sign, calendar()).is_empty());
    let clerk_rule = play(&[Event::Submitted { on: date!(2026 - 10 - 02), received_on: None }]);
    assert_eq!(clerk_rule.warnings(&sign, calendar()).len(), 1);
}

#[test]
fn an_extension_is_requested_then_approved_or_refused_by_the_office_head() {
    // Received Monday 16 November 2026 → reply due Monday 14 December (20 working days).
    let mut history = received_in_person(date!(2026 - 11 - 16));
    history.push(Event::Accepted { on: date!(2026 - 11 - 17) });
    let handling = play(&history);
    let reason = "需从档案馆调取2019年度档案";
    let request = Event::ExtensionRequested { on: date!(2026 - 12 - 01), working_days: 15, reason: reason.into() };
    // Reg. 33 ¶1: a reason is required and bounded; 1–20 working days.
    let no_reason = Event::ExtensionRequested { on: date!(2026 - 12 - 01), working_days: 15, reason: " ".into() };
    assert_eq!(refused(apply(&handling, no_reason)), Guard::Missing { field: "reason" });
    let long = Event::ExtensionRequested { on: date!(2026 - 12 - 01), working_days: 15, reason: "理".repeat(501) };
    assert_eq!(refused(apply(&handling, long)), Guard::TooLong { field: "reason", max: 500 });
    let zero = Event::ExtensionRequested { on: date!(2026 - 12 - 01), working_days: 0, reason: reason.into() };
    assert_eq!(refused(apply(&handling, zero)), Guard::ExtensionLength { days: 0 });
    let late = Event::ExtensionRequested { on: date!(2026 - 12 - 15), working_days: 15, reason: reason.into() };
    assert_eq!(refused(apply(&handling, late)), Guard::AfterReplyDeadline { due: date!(2026 - 12 - 14) });
    // No approval or refusal without a request.
    let approve = |on, days: u32| Event::Extended {
        on,
        working_days: days,
        approver: "王主任".into(),
        reason: Some(reason.into()),
    };
    assert_eq!(refused(apply(&handling, approve(date!(2026 - 12 - 02), 15))), Guard::NoExtensionRequested);
    let refusal =
        Event::ExtensionRefused {
            on: date!(2026 - 12 - 02), approver: "王主任".into(), reason: "可按期答复".into()
        };
    assert_eq!(refused(apply(&handling, refusal.clone())), Guard::NoExtensionRequested);

    let requested = apply(&handling, request.clone()).unwrap();
    assert_eq!(requested.extension_request.as_ref().unwrap().working_days, 15);
    // The request alone extends nothing.
    assert_eq!(
        requested.schedule(ctx(), date!(2026 - 12 - 01)).unwrap().reply.unwrap().due.date,
        date!(2026 - 12 - 14)
    );
    assert_eq!(
        refused(apply(&requested, request.clone())),
        Guard::ExtensionAlreadyRequested { on: date!(2026 - 12 - 01) }
    );
    // The approval grants what was asked, no more.
    assert_eq!(
        refused(apply(&requested, approve(date!(2026 - 12 - 02), 20))),
        Guard::ExtensionNotAsRequested { requested: 15 }
    );
    // An approval after the reply deadline (14 December) is refused.
    assert_eq!(
        refused(apply(&requested, approve(date!(2026 - 12 - 15), 15))),
        Guard::AfterReplyDeadline { due: date!(2026 - 12 - 14) }
    );
    let approved = apply(&requested, approve(date!(2026 - 12 - 02), 15)).unwrap();
    let extension = approved.extension.as_ref().unwrap();
    assert_eq!(
        (extension.reason.as_deref(), extension.requested_on, extension.approved_on),
        (Some(reason), Some(date!(2026 - 12 - 01)), date!(2026 - 12 - 02))
    );
    assert!(approved.extension_request.is_none());
    // 14 December + 15 working days: 15–18, 21–25, 28–31 Dec (13), then 2027 — counted
    // leniently here up to 31 December: the limit is 35.
    let reading = approved.schedule(ctx(), date!(2026 - 12 - 02)).map(|s| s.reply.unwrap().limit);
    assert!(matches!(reading, Ok(35) | Err(_)));
    let second = Event::ExtensionRequested { on: date!(2026 - 12 - 03), working_days: 5, reason: reason.into() };
    assert_eq!(refused(apply(&approved, second)), Guard::AlreadyExtended { on: date!(2026 - 12 - 02) });

    // Refused: no extension, and a new request may follow.
    let refused_case = apply(&requested, refusal).unwrap();
    assert!(refused_case.extension.is_none() && refused_case.extension_request.is_none());
    let again =
        Event::ExtensionRequested { on: date!(2026 - 12 - 03), working_days: 10, reason: "补充理由".into() };
    assert!(apply(&refused_case, again).is_ok());
}

#[test]
fn an_unpaid_fee_ends_the_case_after_20_working_days() {
    // Received Monday 5 January 2026; fee notice received Monday 12 January 2026.
    let mut history = received_in_person(date!(2026 - 01 - 05));
    history.push(Event::Accepted { on: date!(2026 - 01 - 06) });
    history.push(Event::FeeNoticeIssued {
        on: date!(2026 - 01 - 12),
        amount_yuan: 100,
        basis: FeeBasis::PerApplication,
    });
    history.push(served(date!(2026 - 01 - 12), ServedNotice::FeeNotice, ServiceMethod::InPerson));
    let owing = play(&history);
    let s = owing.schedule(ctx(), date!(2026 - 01 - 20)).unwrap();
    // 13–16, 19–23, 26–30 January, 2–6, 9 February = 20 → 9 February 2026.
    assert_eq!(s.fee_payment_due.unwrap().date, date!(2026 - 02 - 09));
    assert_eq!(s.reply_clock, ClockState::Paused);
    let early = apply(&owing, Event::FeeLapsed { on: date!(2026 - 02 - 09) });
    assert_eq!(refused(early), Guard::FeePeriodRunning { due: date!(2026 - 02 - 09) });
    let late_payment = apply(&owing, Event::FeePaid { on: date!(2026 - 02 - 10) });
    assert_eq!(refused(late_payment), Guard::FeePeriodOver { due: date!(2026 - 02 - 09) });
    let closed = apply(&owing, Event::FeeLapsed { on: date!(2026 - 02 - 10) }).unwrap();
    assert_eq!(closed.outcome, Some(Outcome::OtherFeeNotPaid));
    assert_eq!(closed.schedule(ctx(), date!(2026 - 03 - 01)).unwrap().reply_clock, ClockState::Stopped);
}

#[test]
fn the_fee_pause_is_configurable() {
    let mut history = received_in_person(date!(2026 - 01 - 05));
    history.push(Event::Accepted { on: date!(2026 - 01 - 06) });
    history.push(Event::FeeNoticeIssued { on: date!(2026 - 01 - 12), amount_yuan: 100, basis: FeeBasis::PerPage });
    history.push(Event::FeePaid { on: date!(2026 - 01 - 16) });
    let paid = play(&history);
    let stopping = paid.schedule(ctx(), date!(2026 - 01 - 16)).unwrap().reply.unwrap().due.date;
    let running_rules = AgencyRules { fee_pauses_clock: false, ..RULES };
    let running_ctx = Context { calendar: calendar(), rules: &running_rules };
    let running = paid.schedule(running_ctx, date!(2026 - 01 - 16)).unwrap().reply.unwrap().due.date;
    // Without the pause: 20 working days from 5 January = 2 February. With it, 13–16
    // January (4 working days) are not counted: 6 February.
    assert_eq!(running, date!(2026 - 02 - 02));
    assert_eq!(stopping, date!(2026 - 02 - 06));
}

#[test]
fn a_reply_carries_an_outcome_and_a_refusal_its_basis() {
    let mut history = received_in_person(date!(2026 - 03 - 02));
    history.push(Event::Accepted { on: date!(2026 - 03 - 03) });
    let handling = play(&history);
    let on = date!(2026 - 03 - 20);
    // Reg. 36(3): a refusal says what it withholds and why.
    let without_reasons = reply(on, Outcome::WithheldStateSecret, None, vec![], None);
    assert_eq!(
        refused(apply(&handling, without_reasons)),
        Guard::WithheldItemsRequired { outcome: Outcome::WithheldStateSecret }
    );
    // Reg. 37: so does a partial disclosure, whatever text it gives.
    let blank = reply(on, Outcome::PartlyDisclosed, Some("  "), vec![], None);
    assert!(matches!(refused(apply(&handling, blank)), Guard::WithheldItemsRequired { .. }));
    // (四) rows still state their basis in words.
    let not_held = reply(on, Outcome::NeedsCompilation, None, vec![], None);
    assert!(matches!(refused(apply(&handling, not_held)), Guard::LegalBasisRequired { .. }));
    for closure in [Outcome::OtherClosed, Outcome::OtherFeeNotPaid, Outcome::NotHandledRepeat] {
        let e = reply(on, closure, Some("x"), vec![], None);
        assert!(matches!(refused(apply(&handling, e)), Guard::NotAReplyOutcome { .. }), "{closure:?}");
    }
    let unclear = reply(on, Outcome::StillUnclearAfterCorrection, Some("第三十条"), vec![], None);
    assert_eq!(refused(apply(&handling, unclear)), Guard::NotCorrected);
    let refusal =
        reply(on, Outcome::WithheldStateSecret, None, vec![item("涉密会议纪要", WithholdingGround::StateSecret)], None);
    let replied = apply(&handling, refusal).unwrap();
    assert_eq!((replied.stage, replied.outcome), (Stage::Replied, Some(Outcome::WithheldStateSecret)));
    assert_eq!(replied.withheld, vec![item("涉密会议纪要", WithholdingGround::StateSecret)]);
    assert_eq!(replied.concluded_on, Some(on));
    // The final count is frozen at the reply: 2–20 March 2026 is 14 working days.
    let s = replied.schedule(ctx(), date!(2026 - 06 - 01)).unwrap();
    assert_eq!(s.reply_clock, ClockState::Stopped);
    assert_eq!(s.reply.unwrap().used, 14);
}

fn reply(
    on: Date,
    outcome: Outcome,
    basis: Option<&str>,
    withheld: Vec<WithheldItem>,
    holder: Option<InformationHolder>,
) -> Event {
    Event::Replied {
        on,
        outcome,
        legal_basis: basis.map(str::to_owned),
        on_the_spot: false,
        withheld,
        holder,
        from_register: false,
    }
}

fn item(information: &str, ground: WithholdingGround) -> WithheldItem {
    WithheldItem { information: information.to_owned(), ground }
}

/// Reg. 36(3), 36(5), 37 on a case received on Wednesday 2026-09-30, the last working day
/// before National Day, and answered on Monday 2026-10-12 (10-01..10-07 off, Saturday 10-10
/// a make-up working day: 10-08, 10-09, 10-10, 10-12 are working days 1–4).
#[test]
fn structured_reasons_are_checked_against_the_outcome() {
    let mut history = received_in_person(date!(2026 - 09 - 30));
    history.push(Event::Accepted { on: date!(2026 - 09 - 30) });
    let handling = play(&history);
    let on = date!(2026 - 10 - 12);
    // A refusal row names one ground; an item on another ground is refused, naming both.
    let wrong_ground = reply(
        on,
        Outcome::WithheldThirdPartyRights,
        None,
        vec![item("会议纪要", WithholdingGround::ProcessInformation)],
        None,
    );
    assert_eq!(
        refused(apply(&handling, wrong_ground)),
        Guard::GroundNotOfOutcome {
            index: 0,
            outcome: Outcome::WithheldThirdPartyRights,
            given: "PROCESS_INFORMATION",
            expected: "THIRD_PARTY_RIGHTS",
        }
    );
    // An item must name the information.
    let unnamed =
        reply(on, Outcome::PartlyDisclosed, None, vec![item("  ", WithholdingGround::ThirdPartyRights)], None);
    assert_eq!(refused(apply(&handling, unnamed)), Guard::Missing { field: "withheld.information" });
    // A full disclosure withholds nothing.
    let disclosed = reply(on, Outcome::Disclosed, None, vec![item("报价", WithholdingGround::ThirdPartyRights)], None);
    assert_eq!(refused(apply(&handling, disclosed)), Guard::WithheldNotAllowed { outcome: Outcome::Disclosed });
    // A partial disclosure may combine grounds; items are trimmed; no basis text needed.
    let partly = reply(
        on,
        Outcome::PartlyDisclosed,
        None,
        vec![
            item(" 投标人报价明细 ", WithholdingGround::ThirdPartyRights),
            item("评标委员会讨论记录", WithholdingGround::ProcessInformation),
        ],
        None,
    );
    let twice = reply(
        on,
        Outcome::PartlyDisclosed,
        Some("依据第十五条、第三十七条"),
        vec![item("投标人报价明细", WithholdingGround::ThirdPartyRights)],
        None,
    );
    assert_eq!(refused(apply(&handling, twice)), Guard::DuplicateCitation { article: "第十五条".into() });
    let replied = apply(&handling, partly).unwrap();
    assert_eq!(replied.withheld[0].information, "投标人报价明细");
    assert_eq!(replied.legal_basis, None);
    assert_eq!(replied.schedule(ctx(), on).unwrap().reply.unwrap().used, 4);
    // Reg. 36(5): the holder goes with NOT_HELD only, with both its name and its contact.
    let holder = |agency: &str, contact: &str| InformationHolder { agency: agency.into(), contact: contact.into() };
    let elsewhere =
        reply(on, Outcome::NeedsCompilation, Some("需另行制作"), vec![], Some(holder("区自然资源局", "0816-1234567")));
    assert_eq!(refused(apply(&handling, elsewhere)), Guard::HolderNotAllowed { outcome: Outcome::NeedsCompilation });
    let no_contact = reply(on, Outcome::NotHeld, Some("经检索"), vec![], Some(holder("区自然资源局", " ")));
    assert_eq!(refused(apply(&handling, no_contact)), Guard::Missing { field: "holder.contact" });
    let no_agency = reply(on, Outcome::NotHeld, Some("经检索"), vec![], Some(holder("", "0816-1234567")));
    assert_eq!(refused(apply(&handling, no_agency)), Guard::Missing { field: "holder.agency" });
    let named = reply(on, Outcome::NotHeld, Some("经检索"), vec![], Some(holder("区自然资源局", "0816-1234567")));
    assert_eq!(apply(&handling, named).unwrap().holder, Some(holder("区自然资源局", "0816-1234567")));
    // A reply taken over from a register may lack the items, not its basis.
    let imported = Event::Replied {
        on,
        outcome: Outcome::WithheldStateSecret,
        legal_basis: Some("《中华人民共和国政府信息公开条例》第十四条".into()),
        on_the_spot: false,
        withheld: vec![],
        holder: None,
        from_register: true,
    };
    assert!(apply(&handling, imported).unwrap().withheld.is_empty());
}

/// Replies stored before structured reasons existed still read: the new fields default.
#[test]
fn a_reply_stored_without_reasons_still_reads() {
    let event = reply(date!(2026 - 04 - 10), Outcome::NeedsCompilation, Some("需另行制作"), vec![], None);
    let stored = serde_json::to_value(&event).unwrap();
    // Written exactly as before: no new keys when there is nothing in them.
    let keys: Vec<&str> = stored.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["legal_basis", "on", "on_the_spot", "outcome", "type"], "{stored}");
    let read: Event = serde_json::from_value(stored).unwrap();
    assert_eq!(read, event);
}

#[test]
fn on_the_spot_replies_are_given_on_the_day_of_receipt() {
    let history = received_in_person(date!(2026 - 04 - 30));
    let case = play(&history);
    let next_day = Event::Replied {
        on: date!(2026 - 05 - 06),
        outcome: Outcome::Disclosed,
        legal_basis: None,
        on_the_spot: true,
        withheld: vec![],
        holder: None,
        from_register: false,
    };
    assert!(matches!(refused(apply(&case, next_day)), Guard::NotOnTheSpot { .. }));
    let same_day = Event::Replied {
        on: date!(2026 - 04 - 30),
        outcome: Outcome::Disclosed,
        legal_basis: None,
        on_the_spot: true,
        withheld: vec![],
        holder: None,
        from_register: false,
    };
    let replied = apply(&case, same_day).unwrap();
    assert!(replied.on_the_spot);
    assert_eq!(replied.schedule(ctx(), date!(2026 - 05 - 10)).unwrap().reply.unwrap().used, 0);
}

#[test]
fn not_handled_closures_count_in_their_rows() {
    let case = play(&received_in_person(date!(2026 - 06 - 15)));
    for (reason, row) in [
        (NotHandledReason::Petition, "(五)1"),
        (NotHandledReason::Repeat, "(五)2"),
        (NotHandledReason::Publication, "(五)3"),
        (NotHandledReason::Excessive, "(五)4"),
        (NotHandledReason::ConfirmOrReissue, "(五)5"),
    ] {
        let e = Event::NotHandled { on: date!(2026 - 06 - 16), reason, explanation: "依据条例告知".into() };
        let done = apply(&case, e).unwrap();
        assert_eq!(done.outcome.unwrap().row(), row);
    }
    let blank =
        Event::NotHandled { on: date!(2026 - 06 - 16), reason: NotHandledReason::Petition, explanation: "".into() };
    assert_eq!(refused(apply(&case, blank)), Guard::Missing { field: "explanation" });
}

#[test]
fn excessive_requests_reasons_and_a_later_reply_date() {
    // Reg. 35: ask for reasons; reasons found reasonable; a later reply date set.
    let mut history = received_in_person(date!(2026 - 06 - 15));
    history.push(Event::ReasonsRequested { on: date!(2026 - 06 - 17) });
    let asking = play(&history);
    let petition =
        Event::NotHandled { on: date!(2026 - 06 - 18), reason: NotHandledReason::Petition, explanation: "x".into() };
    assert_eq!(refused(apply(&asking, petition)), Guard::OnlyExcessiveHere);
    history.push(Event::ReasonsReceived { on: date!(2026 - 06 - 24) });
    let handling = play(&history);
    assert_eq!(handling.stage, Stage::Handling);
    // Reply due: 20 working days from 15 June 2026 (Dragon Boat: 19 June off) = 14 July.
    let due = handling.schedule(ctx(), date!(2026 - 06 - 24)).unwrap().reply.unwrap().due.date;
    assert_eq!(due, date!(2026 - 07 - 14));
    let not_later = apply(&handling, Event::LaterReplyDateSet { on: date!(2026 - 06 - 25), reply_by: due });
    assert!(matches!(refused(not_later), Guard::NotLater { .. }));
    history.push(Event::LaterReplyDateSet { on: date!(2026 - 06 - 25), reply_by: date!(2026 - 08 - 31) });
    let later = play(&history);
    let reply = later.schedule(ctx(), date!(2026 - 07 - 20)).unwrap().reply.unwrap();
    assert_eq!(reply.due.date, date!(2026 - 08 - 31));
    assert_eq!(reply.urgency, Urgency::OnTrack);
}

#[test]
fn withdrawal_is_possible_until_the_reply_and_then_not() {
    for stage in [
        Stage::Submitted,
        Stage::Received,
        Stage::InReview,
        Stage::AwaitingCorrection,
        Stage::AwaitingReasons,
        Stage::Handling,
    ] {
        let closed = apply(&case_in(stage), Event::Withdrawn { on: date!(2026 - 10 - 12) }).unwrap();
        assert_eq!((closed.stage, closed.outcome), (Stage::Closed, Some(Outcome::OtherClosed)), "{stage}");
    }
    assert!(apply(&case_in(Stage::Replied), Event::Withdrawn { on: date!(2026 - 10 - 12) }).is_err());
}

#[test]
fn events_cannot_be_backdated_before_the_previous_one() {
    let case = play(&received_in_person(date!(2026 - 06 - 15)));
    let backdated = apply(&case, Event::Accepted { on: date!(2026 - 06 - 12) });
    assert_eq!(
        refused(backdated),
        Guard::BeforePreviousEvent { on: date!(2026 - 06 - 12), previous: date!(2026 - 06 - 15) }
    );
}

#[test]
fn events_round_trip_through_json() {
    let e = Event::Replied {
        on: date!(2026 - 10 - 22),
        outcome: Outcome::PartlyDisclosed,
        legal_basis: Some("第三十七条".into()),
        on_the_spot: false,
        withheld: vec![],
        holder: None,
        from_register: false,
    };
    let json = serde_json::to_string(&e).unwrap();
    assert!(json.contains("\"type\":\"REPLIED\"") && json.contains("\"2026-10-22\""), "{json}");
    assert_eq!(serde_json::from_str::<Event>(&json).unwrap(), e);
}

// ---------------------------------------------------------------------------------------
// Property tests: random histories keep the invariants.
// ---------------------------------------------------------------------------------------

fn build_event(kind: EventKind, on: Date, param: u8) -> Event {
    let outcomes = Outcome::ALL;
    match kind {
        EventKind::Received => {
            let channels = [Channel::Online, Channel::InPerson, Channel::SignedPost, Channel::Fax];
            Event::Received { on, channel: channels[usize::from(param) % channels.len()] }
        }
        EventKind::Replied => Event::Replied {
            on,
            outcome: outcomes[usize::from(param) % outcomes.len()],
            legal_basis: (!param.is_multiple_of(3)).then(|| "《政府信息公开条例》".to_owned()),
            on_the_spot: param.is_multiple_of(7),
            withheld: vec![],
            holder: None,
            from_register: false,
        },
        EventKind::Extended => {
            Event::Extended { on, working_days: u32::from(param % 24), approver: "王主任".into(), reason: None }
        }
        EventKind::ExtensionRequested => {
            Event::ExtensionRequested { on, working_days: u32::from(param % 24), reason: "需调取档案".into() }
        }
        EventKind::ExtensionRefused => {
            Event::ExtensionRefused { on, approver: "王主任".into(), reason: "可按期答复".into() }
        }
        EventKind::ConsultationClosed => {
            let results = [ConsultationResult::Consented, ConsultationResult::Objected, ConsultationResult::NoReply];
            // Mostly the first consultation; sometimes one that does not exist.
            Event::ConsultationClosed {
                on,
                number: u32::from(param % 4).min(2),
                result: results[usize::from(param) % 3],
            }
        }
        EventKind::LaterReplyDateSet => {
            Event::LaterReplyDateSet { on, reply_by: on + time::Duration::days(i64::from(param)) }
        }
        EventKind::FeeNoticeIssued => {
            Event::FeeNoticeIssued { on, amount_yuan: u32::from(param % 4) * 100, basis: FeeBasis::PerApplication }
        }
        EventKind::Served => {
            let notices = [
                ServedNotice::Receipt,
                ServedNotice::CorrectionNotice,
                ServedNotice::ConsultationLetter { number: 1 },
                ServedNotice::FeeNotice,
                ServedNotice::Decision,
                ServedNotice::ExtensionNotice,
            ];
            served(on, notices[usize::from(param) % notices.len()], ServiceMethod::Post)
        }
        other => {
            let mut e = sample(other);
            set_date(&mut e, on);
            e
        }
    }
}

fn set_date(event: &mut Event, date: Date) {
    let on = match event {
        Event::Submitted { on, .. }
        | Event::Received { on, .. }
        | Event::Registered { on, .. }
        | Event::Accepted { on }
        | Event::Assigned { on, .. }
        | Event::CorrectionRequested { on, .. }
        | Event::CorrectionReceived { on }
        | Event::CorrectionLapsed { on }
        | Event::ReasonsRequested { on }
        | Event::ReasonsGiven { on }
        | Event::ReasonsReceived { on }
        | Event::LaterReplyDateSet { on, .. }
        | Event::ConsultationOpened { on, .. }
        | Event::ConsultationClosed { on, .. }
        | Event::Extended { on, .. }
        | Event::ExtensionRequested { on, .. }
        | Event::ExtensionRefused { on, .. }
        | Event::FeeNoticeIssued { on, .. }
        | Event::FeePaid { on }
        | Event::FeeLapsed { on }
        | Event::Replied { on, .. }
        | Event::NotHandled { on, .. }
        | Event::Withdrawn { on }
        | Event::Archived { on }
        | Event::Served { on, .. } => on,
    };
    *on = date;
}

/// One random step: which event (mostly one the table allows now, so that histories reach
/// every stage; sometimes any event at all), how many days later, and a parameter that
/// picks the event's facts.
#[derive(Debug, Clone)]
struct Step {
    choice: u8,
    any_kind: bool,
    gap: u8,
    param: u8,
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    let step = (any::<u8>(), proptest::bool::weighted(0.15), prop_oneof![8 => 0u8..4, 2 => 4u8..30], any::<u8>())
        .prop_map(|(choice, any_kind, gap, param)| Step { choice, any_kind, gap, param });
    proptest::collection::vec(step, 1..40)
}

fn pick(stage: Stage, step: &Step) -> EventKind {
    // Withdrawal is allowed almost everywhere and ends the history: make it rare.
    let rare_withdrawal = |k: &EventKind| *k != EventKind::Withdrawn || step.param.is_multiple_of(16);
    let allowed: Vec<EventKind> =
        EventKind::ALL.into_iter().filter(|k| transition(stage, *k).is_some() && rare_withdrawal(k)).collect();
    let pool = if step.any_kind || allowed.is_empty() { EventKind::ALL.to_vec() } else { allowed };
    pool[usize::from(step.choice) % pool.len()]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn random_histories_keep_the_invariants(start in 0i64..3000, steps in steps()) {
        let ctx = ctx();
        let mut case = Case::new();
        let mut date = date!(2018 - 01 - 02) + time::Duration::days(start);
        let mut accepted = Vec::new();
        let mut last_due: Option<Date> = None;
        for step in steps {
            date += time::Duration::days(i64::from(step.gap));
            let kind = pick(case.stage, &step);
            let event = build_event(kind, date, step.param);
            let before = case.clone();
            match case.apply(&event, ctx) {
                Err(TransitionError::NotAllowed { stage, event: k }) => {
                    prop_assert_eq!(transition(stage, k), None);
                    prop_assert_eq!(&case, &before);
                }
                Err(TransitionError::Refused { stage, event: k, .. }) => {
                    prop_assert!(transition(stage, k).is_some());
                }
                Ok(next) => {
                    // A closed case stays closed, with its outcome unchanged.
                    if before.stage.is_concluded() {
                        prop_assert!(next.stage.is_concluded());
                        prop_assert_eq!(next.outcome, before.outcome);
                        prop_assert!(matches!(kind, EventKind::Archived | EventKind::Served), "{:?}", kind);
                    }
                    // Exactly one outcome once concluded, none before.
                    prop_assert_eq!(next.outcome.is_some(), next.stage.is_concluded());
                    // The date of receipt never changes once fixed.
                    if before.received_on.is_some() {
                        prop_assert_eq!(next.received_on, before.received_on);
                    }
                    // The reply deadline never moves backwards, except by the lawful restart.
                    let due = next.reply_clock(&RULES).map(|c| c.due(ctx.calendar, date).unwrap().date);
                    // Serving a consultation letter caps its pause at the party's 15 working
                    // days from service (Reg. 32), which may end an open pause earlier.
                    if let (Some(prev), Some(now)) = (last_due, due)
                        && kind != EventKind::CorrectionReceived
                        && kind != EventKind::Served
                    {
                        prop_assert!(now >= prev, "{:?} moved the deadline from {} to {}", kind, prev, now);
                    }
                    if due.is_some() {
                        last_due = due;
                    }
                    // Used + left always add up to the limit, on any day.
                    let schedule = next.schedule(ctx, date).unwrap();
                    if let Some(r) = schedule.reply {
                        prop_assert_eq!(r.used + r.left, r.limit);
                        prop_assert!(r.used >= 0);
                    }
                    accepted.push(event);
                    case = next;
                }
            }
        }
        // The case is exactly the fold of its accepted events: the log is the truth.
        prop_assert_eq!(Case::replay(&accepted, ctx).unwrap(), case);
    }

    #[test]
    fn used_and_left_add_up_on_every_day(start in 0i64..3000, pause_at in 0i64..30, pause_len in 0i64..25, read_at in 0i64..90) {
        let ctx = ctx();
        let received = date!(2018 - 01 - 02) + time::Duration::days(start);
        let mut history = received_in_person(received);
        history.push(Event::Accepted { on: received });
        let sent = received + time::Duration::days(pause_at);
        history.push(Event::ConsultationOpened { on: sent, party: ConsultedParty::CoProducer, name: "区财政局".into() });
        history.push(Event::ConsultationClosed { on: sent + time::Duration::days(pause_len), number: 1, result: ConsultationResult::Consented });
        let case = Case::replay(&history, ctx).unwrap();
        let r = case.schedule(ctx, received + time::Duration::days(read_at)).unwrap().reply.unwrap();
        prop_assert_eq!(r.used + r.left, r.limit);
        prop_assert_eq!(r.limit, 20);
        // A deadline on a Friday is overdue on Saturday with 0 days left: overdue follows the
        // date, and a negative count always means overdue.
        prop_assert!(r.left >= 0 || r.urgency == Urgency::Overdue);
        prop_assert!(r.urgency != Urgency::Overdue || r.left <= 0);
    }
}

// ---------------------------------------------------------------------------------------
// Service (送达): periods counted from the addressee's receipt (rules.md §2).
// ---------------------------------------------------------------------------------------

/// Received Mon 14 Sep 2026 in person, in handling from the 15th.
fn handling_since_14_september_2026() -> Vec<Event> {
    let mut history = vec![
        Event::Received { on: date!(2026 - 09 - 14), channel: Channel::InPerson },
        Event::Registered { on: date!(2026 - 09 - 14), case_number: "游府信申〔2026〕31号".into() },
    ];
    history.push(Event::Accepted { on: date!(2026 - 09 - 15) });
    history
}

#[test]
fn a_posted_fee_notice_runs_from_the_day_after_service() {
    // Fee notice issued Wed 30 Sep 2026, the last working day before National Day (1–7 Oct
    // off), served by post on Fri 9 Oct. 国办函〔2020〕109号: 20 working days from the day
    // after receipt: Sat 10 Oct (make-up working day) = 1, 12–16 = 2–6, 19–23 = 7–11, 26–30
    // = 12–16, 2–5 Nov = 17–20 → Thursday 5 November 2026.
    let mut history = handling_since_14_september_2026();
    history.push(Event::FeeNoticeIssued {
        on: date!(2026 - 09 - 30),
        amount_yuan: 100,
        basis: FeeBasis::PerApplication,
    });
    let unserved = play(&history);
    let s = unserved.schedule(ctx(), date!(2026 - 10 - 09)).unwrap();
    assert_eq!(s.fee_payment_due, None, "unserved, the period has not begun");
    assert_eq!(s.notices.len(), 1);
    assert_eq!((s.notices[0].notice, s.notices[0].service), (ServedNotice::FeeNotice, None));
    // Counted from the notice's date it would have ended on 28 Oct; from service it has not
    // even begun, so no lapse at any date.
    assert_eq!(
        refused(apply(&unserved, Event::FeeLapsed { on: date!(2026 - 12 - 31) })),
        Guard::NotServed { notice: ServedNotice::FeeNotice }
    );

    history.push(served(date!(2026 - 10 - 09), ServedNotice::FeeNotice, ServiceMethod::Post));
    let owing = play(&history);
    let s = owing.schedule(ctx(), date!(2026 - 10 - 12)).unwrap();
    assert_eq!(s.fee_payment_due.as_ref().unwrap().date, date!(2026 - 11 - 05));
    assert_eq!(s.notices[0].period_due.as_ref().unwrap().date, date!(2026 - 11 - 05));
    assert_eq!(s.notices[0].service.unwrap().method, ServiceMethod::Post);
    let early = apply(&owing, Event::FeeLapsed { on: date!(2026 - 11 - 05) });
    assert_eq!(refused(early), Guard::FeePeriodRunning { due: date!(2026 - 11 - 05) });
    assert!(apply(&owing, Event::FeePaid { on: date!(2026 - 11 - 05) }).is_ok(), "the last day is in time");
    let closed = apply(&owing, Event::FeeLapsed { on: date!(2026 - 11 - 06) }).unwrap();
    assert_eq!(closed.outcome, Some(Outcome::OtherFeeNotPaid));
}

#[test]
fn a_consultation_letter_served_after_national_day_gives_15_days_from_service() {
    // Letter sent Tue 29 Sep 2026, received by the third party Thu 8 Oct, after the break.
    // Reg. 32: 15 working days from its receipt: 9, Sat 10 (make-up), 12–16, 19–23, 26, 27,
    // 28 Oct → Wednesday 28 October (from the sending day it would be Mon 26 Oct).
    let mut history = handling_since_14_september_2026();
    history.push(Event::ConsultationOpened {
        on: date!(2026 - 09 - 29),
        party: ConsultedParty::ThirdParty,
        name: "某建筑公司".into(),
    });
    history.push(served(date!(2026 - 10 - 08), ServedNotice::ConsultationLetter { number: 1 }, ServiceMethod::Post));
    let case = play(&history);
    let s = case.schedule(ctx(), date!(2026 - 10 - 12)).unwrap();
    assert_eq!(s.consultations_due, vec![(1, s.consultations_due[0].1.clone())]);
    assert_eq!(s.consultations_due[0].1.date, date!(2026 - 10 - 28));
    let number = 1;
    let early = Event::ConsultationClosed { on: date!(2026 - 10 - 28), number, result: ConsultationResult::NoReply };
    assert_eq!(refused(apply(&case, early)), Guard::OpinionPeriodRunning { due: date!(2026 - 10 - 28) });
    let silence = Event::ConsultationClosed { on: date!(2026 - 10 - 29), number, result: ConsultationResult::NoReply };
    assert!(apply(&case, silence).is_ok());
    // The pause (Reg. 33 ¶2) runs from sending to the end of the party's period: read on
    // 9 Nov with the consultation still open, it covers 30 Sep–28 Oct and no more.
    // Received 14 Sep: 15–18, Sun 20 (make-up), 21–24, 28, 29 Sep (25–27 off, 中秋节) = 11
    // used before the letter; 9 left after
    // 28 Oct: 29, 30 Oct, 2–6 Nov, 9, 10 Nov → Tuesday 10 November.
    let due = case.schedule(ctx(), date!(2026 - 11 - 09)).unwrap().reply.unwrap().due.date;
    assert_eq!(due, date!(2026 - 11 - 10));
}

#[test]
fn service_is_recorded_once_never_before_its_notice_and_may_be_recorded_late() {
    let mut history = handling_since_14_september_2026();
    history.push(Event::FeeNoticeIssued {
        on: date!(2026 - 09 - 30),
        amount_yuan: 100,
        basis: FeeBasis::PerApplication,
    });
    history.push(Event::Assigned { on: date!(2026 - 10 - 12), officer: "李明".into() });
    let case = play(&history);
    // Nothing to serve: no correction notice was sent.
    let none = served(date!(2026 - 10 - 12), ServedNotice::CorrectionNotice, ServiceMethod::Post);
    assert_eq!(refused(apply(&case, none)), Guard::NothingToServe { notice: ServedNotice::CorrectionNotice });
    // Not before the notice's own date.
    let before = served(date!(2026 - 09 - 29), ServedNotice::FeeNotice, ServiceMethod::Post);
    assert_eq!(
        refused(apply(&case, before)),
        Guard::ServedBeforeNotice {
            notice: ServedNotice::FeeNotice,
            on: date!(2026 - 09 - 29),
            issued: date!(2026 - 09 - 30)
        }
    );
    // Recorded on 12 Oct for a return receipt of 9 Oct: earlier than the last event, allowed,
    // and the case's latest date stays 12 Oct.
    let served_case =
        apply(&case, served(date!(2026 - 10 - 09), ServedNotice::FeeNotice, ServiceMethod::Post)).unwrap();
    assert_eq!(served_case.last_event_on, Some(date!(2026 - 10 - 12)));
    assert_eq!(served_case.fee.as_ref().unwrap().served_on, Some(date!(2026 - 10 - 09)));
    let again = served(date!(2026 - 10 - 12), ServedNotice::FeeNotice, ServiceMethod::InPerson);
    assert_eq!(
        refused(apply(&served_case, again)),
        Guard::AlreadyServed { notice: ServedNotice::FeeNotice, on: date!(2026 - 10 - 09) }
    );
    // Other events still may not be backdated.
    let backdated = apply(&served_case, Event::Assigned { on: date!(2026 - 10 - 09), officer: "王芳".into() });
    assert!(matches!(refused(backdated), Guard::BeforePreviousEvent { .. }));
    // A payment before service is recorded is accepted: the applicant evidently had it.
    assert!(apply(&case, Event::FeePaid { on: date!(2026 - 10 - 13) }).is_ok());
}

#[test]
fn the_decision_is_served_after_the_reply_and_not_after_archiving() {
    let mut history = handling_since_14_september_2026();
    let decision = served(date!(2026 - 10 - 09), ServedNotice::Decision, ServiceMethod::InPerson);
    assert_eq!(
        refused(apply(&play(&history), decision.clone())),
        Guard::NothingToServe { notice: ServedNotice::Decision }
    );
    history.push(Event::reply(date!(2026 - 10 - 09), Outcome::Disclosed));
    history.push(decision);
    let replied = play(&history);
    assert_eq!(replied.stage, Stage::Replied);
    assert_eq!(replied.service_of(ServedNotice::Decision).unwrap().on, date!(2026 - 10 - 09));
    history.push(Event::Archived { on: date!(2026 - 10 - 12) });
    let archived = play(&history);
    let late = served(date!(2026 - 10 - 12), ServedNotice::Receipt, ServiceMethod::Post);
    assert!(matches!(apply(&archived, late), Err(TransitionError::NotAllowed { .. })));
}

#[test]
fn events_stored_before_service_existed_still_read() {
    // The event log is never rewritten: a case state without the service fields reads.
    let old = r#"{"amount_yuan":100,"basis":"PER_APPLICATION","notified_on":"2026-09-30","paid_on":null}"#;
    let fee: foi_domain::lifecycle::FeeNotice = serde_json::from_str(old).unwrap();
    assert_eq!(fee.served_on, None);
    let event = served(date!(2026 - 10 - 09), ServedNotice::ConsultationLetter { number: 2 }, ServiceMethod::Email);
    let json = serde_json::to_string(&event).unwrap();
    assert_eq!(serde_json::from_str::<Event>(&json).unwrap(), event);
    assert!(json.contains(r#""notice":{"kind":"CONSULTATION_LETTER","number":2}"#), "{json}");
}

// ---------------------------------------------------------------------------------------
// What may be done now (actions::availability).
// ---------------------------------------------------------------------------------------

/// The refusal `availability` gives for `kind`, `None` when allowed.
fn availability_of(case: &Case, on: Date, kind: EventKind) -> Option<TransitionError> {
    foi_domain::actions::availability(case, ctx(), on)
        .into_iter()
        .find(|a| a.kind == kind)
        .unwrap_or_else(|| panic!("{kind:?} is listed"))
        .refusal
}

#[test]
fn what_may_be_done_now_follows_the_table_and_the_guards() {
    // Received Friday 26 September 2025: the correction notice was due by Monday 13 October
    // (7 working days, National Day passed over).
    let case = play(&received_in_person(date!(2025 - 09 - 26)));
    let kinds: Vec<EventKind> =
        foi_domain::actions::availability(&case, ctx(), date!(2025 - 10 - 13)).into_iter().map(|a| a.kind).collect();
    assert!(!kinds.contains(&EventKind::Submitted) && !kinds.contains(&EventKind::Served));
    assert_eq!(kinds.len(), EventKind::ALL.len() - 2);
    assert_eq!(availability_of(&case, date!(2025 - 10 - 13), EventKind::CorrectionRequested), None, "the last day");
    let late = availability_of(&case, date!(2025 - 10 - 14), EventKind::CorrectionRequested);
    assert!(matches!(
        late,
        Some(TransitionError::Refused { reason: Guard::CorrectionNoticeTooLate { due }, .. }) if due == date!(2025 - 10 - 13)
    ));
    assert_eq!(availability_of(&case, date!(2025 - 10 - 14), EventKind::Accepted), None);
    assert_eq!(availability_of(&case, date!(2025 - 10 - 14), EventKind::Replied), None);
    assert!(matches!(
        availability_of(&case, date!(2025 - 10 - 14), EventKind::CorrectionReceived),
        Some(TransitionError::NotAllowed { stage: Stage::InReview, event: EventKind::CorrectionReceived })
    ));
    // Reg. 35: waiting for reasons, the applicant may give them and the office may find the
    // request excessive; no reply meanwhile.
    let mut asked = received_in_person(date!(2025 - 09 - 26));
    asked.push(Event::ReasonsRequested { on: date!(2025 - 09 - 29) });
    let asked = play(&asked);
    let on = date!(2025 - 10 - 09);
    assert_eq!(availability_of(&asked, on, EventKind::ReasonsGiven), None);
    assert_eq!(availability_of(&asked, on, EventKind::NotHandled), None, "as excessive");
    assert!(matches!(availability_of(&asked, on, EventKind::Replied), Some(TransitionError::NotAllowed { .. })));
    // An extension is approved only when requested (Reg. 33 ¶1).
    assert!(matches!(
        availability_of(&case, on, EventKind::Extended),
        Some(TransitionError::Refused { reason: Guard::NoExtensionRequested, .. })
    ));
}
