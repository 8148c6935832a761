//! The deadline sweep on both backends, on real 2026 dates (Mid-Autumn on Fri 25 Sep,
//! National Day 1–7 Oct, Sat 10 Oct a make-up working day): lapsed corrections and fees
//! close their cases dated the day after the period's last day, lapsed consultations end,
//! open cases are marked due soon or overdue, and a second sweep changes nothing.

use foi_domain::calendar::Calendar;
use foi_domain::fee::FeeBasis;
use foi_domain::lifecycle::{ConsultedParty, Event, ServedNotice, ServiceMethod};
use foi_domain::outcome::Outcome;
use foi_store::{
    Actor, CaseState, ChangeRequest, Command, EventRecord, NewAgency, SWEEP_ACTOR, Store, SweepReport, UrgencyMark,
    Uuid,
};
use time::macros::{date, datetime};
use time::{Date, OffsetDateTime};

use crate::common::{TestDb, on_each_backend};
use crate::fixtures::{self, agency};

/// When the fixtures were recorded (only `recorded_at`; legal dates are the events' own).
const RECORDED: OffsetDateTime = datetime!(2026-09-18 10:00 +8);

fn actor() -> Actor {
    fixtures::clerk()
}

/// Opens a case received in person on `received` and registers it the same day.
async fn registered(s: &Store, agency_id: Uuid, received: Date) -> CaseState {
    fixtures::registered(s, agency_id, received, RECORDED).await
}

async fn change(s: &Store, state: &CaseState, command: Command) -> CaseState {
    let request =
        ChangeRequest { case_id: state.record.id, expected_version: state.record.version, command, reason: None };
    s.change_case(request, &actor(), &Calendar::bundled(), RECORDED).await.unwrap()
}

async fn event(s: &Store, state: &CaseState, event: Event) -> CaseState {
    change(s, state, Command::Event(event)).await
}

/// Records the service (送达) of `notice` on `on`: the period it starts runs from that day.
async fn served(s: &Store, state: &CaseState, notice: ServedNotice, on: Date, method: ServiceMethod) -> CaseState {
    event(s, state, Event::Served { on, notice, method, document_id: None, recipient: None }).await
}

async fn sweep(s: &Store, now: OffsetDateTime) -> SweepReport {
    let report = s.sweep(&Calendar::bundled(), now).await.unwrap();
    assert_eq!((report.failed, report.refused, report.skipped_locked), (0, 0, 0), "{report:?}");
    report
}

async fn last_event(s: &Store, id: Uuid) -> EventRecord {
    s.case_events(id).await.unwrap().pop().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lapsed_correction_closes_the_case_the_day_after_the_period() {
    on_each_backend(correction_lapses).await;
}

async fn correction_lapses(db: TestDb) {
    let s = &db.store;
    let a = agency(s, "youxian", None).await;
    // Received Fri 18 Sep; correction notice Thu 24 Sep. 15 working days (25 Sep 中秋节 and
    // 1–7 Oct 国庆节 passed over, Sat 10 Oct counted) end on Thu 22 Oct.
    let open = registered(s, a.id, date!(2026 - 09 - 18)).await;
    let items = vec!["请写明所需信息的名称或文号".to_owned()];
    let waiting =
        event(s, &open, Event::CorrectionRequested { on: date!(2026 - 09 - 24), items, period_wd: None }).await;
    let waiting =
        served(s, &waiting, ServedNotice::CorrectionNotice, date!(2026 - 09 - 24), ServiceMethod::InPerson).await;

    // On the last day, up to 24:00 Beijing time (16:00 UTC), the period runs: nothing.
    for now in [datetime!(2026-10-22 09:00 +8), datetime!(2026-10-22 15:59:59 UTC)] {
        let report = sweep(s, now).await;
        assert_eq!(report.closed(), 0, "{report:?}");
        assert_eq!(report.examined, 1);
        assert_eq!(s.load_case(waiting.record.id).await.unwrap(), waiting.record);
    }

    // From 00:00 on Fri 23 Oct: deemed abandoned (Reg. 30), dated 23 Oct.
    let now = datetime!(2026-10-22 16:00 UTC);
    let report = sweep(s, now).await;
    assert_eq!(report.corrections_lapsed, 1, "{report:?}");
    assert_eq!(report.today, date!(2026 - 10 - 23));
    let closed = s.case_state(waiting.record.id).await.unwrap();
    assert_eq!(closed.record.stage, "CLOSED");
    assert_eq!(closed.record.outcome.as_deref(), Some(Outcome::OtherCorrectionNotMade.code()));
    assert_eq!(closed.record.outcome.as_deref(), Some("OTHER_CORRECTION_NOT_MADE"));
    assert_eq!(closed.record.concluded_on, Some(date!(2026 - 10 - 23)));
    assert_eq!(closed.record.version, waiting.record.version + 1);
    let lapsed = last_event(s, waiting.record.id).await;
    assert_eq!(lapsed.kind, "CORRECTION_LAPSED");
    assert_eq!(lapsed.occurred_on, date!(2026 - 10 - 23));
    assert_eq!(lapsed.actor_label, SWEEP_ACTOR);
    assert_eq!(lapsed.actor_id, None);
    assert_eq!(
        lapsed.reason.as_deref(),
        Some("补正期限（15个工作日）已于2026-10-22届满，视为放弃申请（条例第三十条）")
    );
    assert_eq!(s.urgency_mark(waiting.record.id).await.unwrap(), UrgencyMark::None);

    // Idempotent: the same sweep again, and a later one, change nothing.
    let events = s.case_events(waiting.record.id).await.unwrap().len();
    for now in [now, datetime!(2026-11-06 09:00 +8)] {
        let report = sweep(s, now).await;
        assert!(!report.changed_anything(), "{report:?}");
        assert_eq!(report.examined, 0, "closed cases are no longer candidates");
        assert_eq!(s.case_events(waiting.record.id).await.unwrap().len(), events);
        assert_eq!(s.case_state(waiting.record.id).await.unwrap().record, closed.record);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_notice_in_handling_with_its_own_period_lapses_by_that_period() {
    on_each_backend(own_period_lapses).await;
}

async fn own_period_lapses(db: TestDb) {
    let s = &db.store;
    let a = agency(s, "youxian", None).await;
    // Received Fri 25 Sep (中秋节), accepted: in handling. The notice goes out on Mon 12 Oct,
    // working day 7 (28, 29, 30 Sep; 8, 9, Sat 10 Oct make-up; 12 Oct), with its own 10
    // working days: 13–16 Oct (4), 19–23 (9), Mon 26 Oct = 10. The agency's 15 would end
    // on 2 Nov.
    let open = registered(s, a.id, date!(2026 - 09 - 25)).await;
    let handling = event(s, &open, Event::Accepted { on: date!(2026 - 09 - 28) }).await;
    let items = vec!["请写明所需信息的名称或文号".to_owned()];
    let notice = Event::CorrectionRequested { on: date!(2026 - 10 - 12), items, period_wd: Some(10) };
    let waiting = event(s, &handling, notice).await;
    assert_eq!(waiting.record.stage, "AWAITING_CORRECTION");
    let waiting =
        served(s, &waiting, ServedNotice::CorrectionNotice, date!(2026 - 10 - 12), ServiceMethod::InPerson).await;
    // On the period's last day nothing lapses; the next day it does, dated that day.
    let report = sweep(s, datetime!(2026-10-26 23:00 +8)).await;
    assert_eq!(report.corrections_lapsed, 0, "{report:?}");
    let report = sweep(s, datetime!(2026-10-27 00:30 +8)).await;
    assert_eq!(report.corrections_lapsed, 1, "{report:?}");
    let lapsed = last_event(s, waiting.record.id).await;
    assert_eq!((lapsed.kind.as_str(), lapsed.occurred_on), ("CORRECTION_LAPSED", date!(2026 - 10 - 27)));
    let reason = lapsed.reason.unwrap_or_default();
    assert!(reason.contains("（10个工作日）已于2026-10-26届满"), "{reason}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sweep_that_runs_late_still_dates_the_closing_by_the_law() {
    on_each_backend(late_sweep).await;
}

async fn late_sweep(db: TestDb) {
    let s = &db.store;
    let a = agency(s, "youxian", None).await;
    let open = registered(s, a.id, date!(2026 - 09 - 18)).await;
    let items = vec!["请写明所需信息的名称或文号".to_owned()];
    let waiting =
        event(s, &open, Event::CorrectionRequested { on: date!(2026 - 09 - 24), items, period_wd: None }).await;
    let waiting =
        served(s, &waiting, ServedNotice::CorrectionNotice, date!(2026 - 09 - 24), ServiceMethod::InPerson).await;
    // Two weeks after the period ended on 22 Oct, the sweep runs for the first time.
    let now = datetime!(2026-11-06 09:00 +8);
    let report = sweep(s, now).await;
    assert_eq!(report.corrections_lapsed, 1);
    let lapsed = last_event(s, waiting.record.id).await;
    assert_eq!((lapsed.kind.as_str(), lapsed.occurred_on), ("CORRECTION_LAPSED", date!(2026 - 10 - 23)));
    assert_eq!(lapsed.recorded_at, now);
    assert_eq!(s.load_case(waiting.record.id).await.unwrap().concluded_on, Some(date!(2026 - 10 - 23)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unpaid_fee_closes_the_case_after_20_working_days() {
    on_each_backend(fee_lapses).await;
}

async fn fee_lapses(db: TestDb) {
    let s = &db.store;
    let a = agency(s, "youxian", None).await;
    // Issued Wed 30 Sep 2026, the last working day before National Day (1–7 Oct off).
    let fee = Event::FeeNoticeIssued { on: date!(2026 - 09 - 30), amount_yuan: 100, basis: FeeBasis::PerApplication };
    let mut cases = Vec::new();
    for _ in 0..3 {
        let open = registered(s, a.id, date!(2026 - 09 - 18)).await;
        let handling = event(s, &open, Event::Accepted { on: date!(2026 - 09 - 18) }).await;
        cases.push(event(s, &handling, fee.clone()).await);
    }
    // Two served by post on Fri 9 Oct (the return receipt's date), recorded after the fact;
    // the third's service is never recorded.
    for case in &mut cases[..2] {
        *case = served(s, case, ServedNotice::FeeNotice, date!(2026 - 10 - 09), ServiceMethod::Post).await;
    }
    let unserved = cases[2].record.id;
    // 国办函〔2020〕109号: 20 working days from the day after service: Sat 10 Oct (make-up
    // working day) = 1, 12–16 = 2–6, 19–23 = 7–11, 26–30 = 12–16, 2–5 Nov = 17–20 → Thu
    // 5 Nov. Counted from the notice's own date it would have ended on Wed 28 Oct: a sweep
    // the day after that, and one on the last day itself, close nothing.
    for now in [datetime!(2026-10-29 08:00 +8), datetime!(2026-11-05 18:00 +8)] {
        let report = sweep(s, now).await;
        assert_eq!(report.fees_lapsed, 0, "{report:?}");
        assert_eq!(s.load_case(cases[0].record.id).await.unwrap().stage, "HANDLING");
    }

    let report = sweep(s, datetime!(2026-11-06 08:00 +8)).await;
    assert_eq!((report.fees_lapsed, report.corrections_lapsed), (2, 0), "{report:?}");
    let closed = s.load_case(cases[0].record.id).await.unwrap();
    assert_eq!((closed.stage.as_str(), closed.outcome.as_deref()), ("CLOSED", Some("OTHER_FEE_NOT_PAID")));
    assert_eq!(closed.concluded_on, Some(date!(2026 - 11 - 06)));
    let lapsed = last_event(s, cases[0].record.id).await;
    assert_eq!((lapsed.kind.as_str(), lapsed.occurred_on), ("FEE_LAPSED", date!(2026 - 11 - 06)));
    assert_eq!(lapsed.actor_label, SWEEP_ACTOR);
    let reason = lapsed.reason.unwrap();
    assert!(reason.starts_with("缴费期限（20个工作日）已于2026-11-05届满"), "{reason}");
    assert!(reason.contains("国办函〔2020〕109号"), "{reason}");

    let report = sweep(s, datetime!(2026-11-20 08:00 +8)).await;
    assert_eq!(report.fees_lapsed, 0, "{report:?}");
    let events = s.case_events(cases[1].record.id).await.unwrap();
    assert_eq!(events.iter().filter(|e| e.kind == "FEE_LAPSED").count(), 1);
    // Never served: the period has not begun, and no sweep closes the case.
    let report = sweep(s, datetime!(2027-01-04 08:00 +8)).await;
    assert_eq!(report.fees_lapsed, 0, "{report:?}");
    assert_eq!(s.load_case(unserved).await.unwrap().stage, "HANDLING");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consultation_letter_served_after_a_holiday_runs_from_service() {
    on_each_backend(consultation_served_late).await;
}

async fn consultation_served_late(db: TestDb) {
    let s = &db.store;
    let a = agency(s, "youxian", None).await;
    let open = registered(s, a.id, date!(2026 - 09 - 18)).await;
    let handling = event(s, &open, Event::Accepted { on: date!(2026 - 09 - 18) }).await;
    let letter = Event::ConsultationOpened {
        on: date!(2026 - 09 - 29),
        party: ConsultedParty::ThirdParty,
        name: "绵阳某建设有限公司".into(),
    };
    let sent = event(s, &handling, letter).await;
    // Unserved, the party's period has not begun: nothing ends, however late.
    let report = sweep(s, datetime!(2026-10-27 08:00 +8)).await;
    assert_eq!(report.consultations_closed, 0, "{report:?}");
    // Received by the third party Thu 8 Oct, after National Day. Reg. 32: 15 working days
    // from receipt: 9, Sat 10 (make-up), 12–16, 19–23, 26, 27, 28 Oct → Wed 28 Oct (from
    // the sending day it would have been Mon 26 Oct).
    let letter = ServedNotice::ConsultationLetter { number: 1 };
    let case = served(s, &sent, letter, date!(2026 - 10 - 08), ServiceMethod::Post).await;
    let report = sweep(s, datetime!(2026-10-28 20:00 +8)).await;
    assert_eq!(report.consultations_closed, 0, "{report:?}");
    let report = sweep(s, datetime!(2026-10-29 08:00 +8)).await;
    assert_eq!(report.consultations_closed, 1, "{report:?}");
    let ended = last_event(s, case.record.id).await;
    assert_eq!((ended.kind.as_str(), ended.occurred_on), ("CONSULTATION_CLOSED", date!(2026 - 10 - 29)));
    assert!(ended.reason.as_deref().unwrap().contains("已于2026-10-28届满"), "{:?}", ended.reason);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consultation_without_an_opinion_ends_after_15_working_days() {
    on_each_backend(consultation_ends).await;
}

async fn consultation_ends(db: TestDb) {
    let s = &db.store;
    let a = agency(s, "youxian", None).await;
    let open = registered(s, a.id, date!(2026 - 10 - 09)).await;
    let handling = event(s, &open, Event::Accepted { on: date!(2026 - 10 - 09) }).await;
    let letter =
        |party| Event::ConsultationOpened {
            on: date!(2026 - 10 - 12), party, name: "绵阳某建设有限公司".into()
        };
    let first = ServedNotice::ConsultationLetter { number: 1 };
    let third = event(s, &handling, letter(ConsultedParty::ThirdParty)).await;
    let third = served(s, &third, first, date!(2026 - 10 - 12), ServiceMethod::InPerson).await;
    let open = registered(s, a.id, date!(2026 - 10 - 09)).await;
    let handling = event(s, &open, Event::Accepted { on: date!(2026 - 10 - 09) }).await;
    let co = event(s, &handling, letter(ConsultedParty::CoProducer)).await;
    let co = served(s, &co, first, date!(2026 - 10 - 12), ServiceMethod::Email).await;

    // Letters sent Mon 12 Oct: the 15 working days end on Mon 2 Nov.
    let report = sweep(s, datetime!(2026-11-02 20:00 +8)).await;
    assert_eq!(report.consultations_closed, 0, "{report:?}");

    // A sweep on Tue 3 Nov ends the third party's (Reg. 32) …
    let report = sweep(s, datetime!(2026-11-03 08:00 +8)).await;
    assert_eq!(report.consultations_closed, 2, "{report:?}");
    assert_eq!(report.closed(), 0);
    let after = s.case_state(third.record.id).await.unwrap();
    assert_eq!(after.record.stage, "HANDLING", "the case goes on");
    assert_eq!(after.record.version, third.record.version + 1);
    assert!(after.case.consultations[0].closed.is_some());
    let ended = last_event(s, third.record.id).await;
    assert_eq!((ended.kind.as_str(), ended.occurred_on), ("CONSULTATION_CLOSED", date!(2026 - 11 - 03)));
    assert_eq!(ended.payload["result"], "NO_REPLY");
    assert_eq!(ended.payload["number"], 1);
    assert!(ended.reason.as_deref().unwrap().contains("第三十二条"), "{:?}", ended.reason);
    // … and the co-producing agency's, whose silence is consent (Reg. 34).
    let ended = last_event(s, co.record.id).await;
    assert_eq!(ended.occurred_on, date!(2026 - 11 - 03));
    assert!(ended.reason.as_deref().unwrap().contains("视为同意公开（条例第三十四条）"), "{:?}", ended.reason);

    let report = sweep(s, datetime!(2026-11-17 08:00 +8)).await;
    assert_eq!(report.consultations_closed, 0, "{report:?}");
    assert_eq!(s.case_events(third.record.id).await.unwrap().len(), ended.seq as usize);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_cases_are_marked_due_soon_and_overdue() {
    on_each_backend(urgency_marks).await;
}

async fn urgency_marks(db: TestDb) {
    let s = &db.store;
    let a = agency(s, "youxian", None).await;
    let mut strict = NewAgency::new("youxian-fgj", "游仙区发展和改革局", "游发改信申", "游仙区人民政府").under(a.id);
    strict.due_soon_wd = 3;
    let strict = s.create_agency(strict).await.unwrap();
    // Received Mon 12 Oct: reply due Mon 9 Nov (Reg. 33).
    let case = registered(s, a.id, date!(2026 - 10 - 12)).await;
    let other = registered(s, strict.id, date!(2026 - 10 - 12)).await;
    let replied = registered(s, a.id, date!(2026 - 10 - 12)).await;
    let replied = event(s, &replied, Event::reply(date!(2026 - 11 - 12), Outcome::Disclosed)).await;
    let mark = |id| async move { s.urgency_mark(id).await.unwrap() };

    // Fri 30 Oct: 6 working days left; on track everywhere.
    let report = sweep(s, datetime!(2026-10-30 09:00 +8)).await;
    assert!(!report.changed_anything(), "{report:?}");
    assert_eq!(mark(case.record.id).await, UrgencyMark::None);

    // Mon 2 Nov: 5 left, due soon under the default window of 5; not under the bureau's 3.
    let report = sweep(s, datetime!(2026-11-02 09:00 +8)).await;
    assert_eq!((report.marked_due_soon, report.marked_overdue), (1, 0), "{report:?}");
    assert_eq!(mark(case.record.id).await, UrgencyMark::DueSoon);
    assert_eq!(mark(other.record.id).await, UrgencyMark::None);
    // A mark is not a state change: no event, no new version.
    assert_eq!(s.load_case(case.record.id).await.unwrap().version, case.record.version);
    assert_eq!(s.case_events(case.record.id).await.unwrap().len(), 2);
    let report = sweep(s, datetime!(2026-11-02 17:00 +8)).await;
    assert!(!report.changed_anything(), "idempotent: {report:?}");

    // Wed 4 Nov: 3 left, due soon for the bureau too.
    let report = sweep(s, datetime!(2026-11-04 09:00 +8)).await;
    assert_eq!(report.marked_due_soon, 1, "{report:?}");
    assert_eq!(mark(other.record.id).await, UrgencyMark::DueSoon);

    // Tue 10 Nov: past the 9 Nov deadline, both overdue.
    let report = sweep(s, datetime!(2026-11-10 09:00 +8)).await;
    assert_eq!(report.marked_overdue, 2, "{report:?}");
    assert_eq!(mark(case.record.id).await, UrgencyMark::Overdue);
    assert_eq!(mark(other.record.id).await, UrgencyMark::Overdue);

    // Replying clears the mark in the same write: a concluded case is not overdue.
    let late_reply = Event::reply(date!(2026 - 11 - 12), Outcome::Disclosed);
    let case = event(s, &case, late_reply).await;
    assert_eq!(mark(case.record.id).await, UrgencyMark::None);

    // The cases replied late (12 Nov) are concluded: never candidates, left alone.
    let report = sweep(s, datetime!(2026-11-20 09:00 +8)).await;
    assert_eq!(report.examined, 1, "{report:?}");
    assert_eq!(mark(replied.record.id).await, UrgencyMark::None);
    assert_eq!(s.load_case(replied.record.id).await.unwrap(), replied.record);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_concurrent_sweeps_close_each_case_exactly_once() {
    on_each_backend(concurrent_sweeps).await;
}

async fn concurrent_sweeps(db: TestDb) {
    let s = &db.store;
    let a = agency(s, "youxian", None).await;
    let mut ids = Vec::new();
    for _ in 0..12 {
        let open = registered(s, a.id, date!(2026 - 09 - 18)).await;
        let items = vec!["请写明所需信息的名称或文号".to_owned()];
        let waiting =
            event(s, &open, Event::CorrectionRequested { on: date!(2026 - 09 - 24), items, period_wd: None }).await;
        let waiting =
            served(s, &waiting, ServedNotice::CorrectionNotice, date!(2026 - 09 - 24), ServiceMethod::Post).await;
        ids.push(waiting.record.id);
    }
    // A second replica: its own connection pool on the same database.
    let other = Store::connect(&db.url).await.unwrap();
    let calendar = Calendar::bundled();
    let now = datetime!(2026-10-26 09:00 +8);
    let (one, two) = tokio::join!(s.sweep(&calendar, now), other.sweep(&calendar, now));
    let (one, two) = (one.unwrap(), two.unwrap());
    assert_eq!((one.failed, two.failed, one.refused, two.refused), (0, 0, 0, 0), "{one:?} {two:?}");
    assert_eq!(one.corrections_lapsed + two.corrections_lapsed, 12, "{one:?} {two:?}");
    for id in ids {
        let events = s.case_events(id).await.unwrap();
        let lapsed: Vec<_> = events.iter().filter(|e| e.kind == "CORRECTION_LAPSED").collect();
        assert_eq!(lapsed.len(), 1);
        assert_eq!(lapsed[0].occurred_on, date!(2026 - 10 - 23));
    }
    other.close().await.ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_period_counted_through_an_unknown_year_is_left_alone() {
    on_each_backend(unknown_year).await;
}

async fn unknown_year(db: TestDb) {
    let s = &db.store;
    let a = agency(s, "youxian", None).await;
    // Notice sent Tue 15 Dec 2026: its 15 working days run into 2027, whose holiday notice
    // is not loaded, so the last day is only provisional (rules.md §3): the sweep waits for
    // the notice before closing anything on it.
    let open = registered(s, a.id, date!(2026 - 12 - 14)).await;
    let items = vec!["请写明所需信息的名称或文号".to_owned()];
    let waiting =
        event(s, &open, Event::CorrectionRequested { on: date!(2026 - 12 - 15), items, period_wd: None }).await;
    let waiting =
        served(s, &waiting, ServedNotice::CorrectionNotice, date!(2026 - 12 - 15), ServiceMethod::InPerson).await;
    let report = sweep(s, datetime!(2027-02-01 09:00 +8)).await;
    assert_eq!((report.corrections_lapsed, report.provisional), (0, 1), "{report:?}");
    assert_eq!(s.load_case(waiting.record.id).await.unwrap().stage, "AWAITING_CORRECTION");
}
