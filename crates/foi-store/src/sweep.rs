//! The deadline sweep: statutory periods that end act on their own.
//!
//! [`Store::sweep`] looks at every open case (an indexed query per agency on
//! `(agency_id, stage)`, in batches) and, for each:
//!
//! - closes it when its correction period ended without a correction (Reg. 30: deemed
//!   abandoned, [`Event::CorrectionLapsed`], outcome (六)1), or when its fee went unpaid for
//!   20 working days (国办函〔2020〕109号: deemed abandoned, [`Event::FeeLapsed`], outcome
//!   (六)2);
//! - ends each consultation whose 15 working days passed without an opinion (Reg. 32, 34:
//!   [`Event::ConsultationClosed`] with [`ConsultationResult::NoReply`]);
//! - marks it due soon or overdue (`cases.urgency`) from the reply clock's reading.
//!
//! **The legal date** of each closing event is the day after the period's last day (a
//! period ends at 24:00 of its last day), not the day the sweep runs: a sweep that was down
//! for a week still closes every case on the right day. A deadline counted through a year
//! without a loaded holiday notice is provisional (rules.md §3) and its lapse is left alone
//! (reported as `provisional`) until that year's notice is loaded: closing a case as
//! abandoned cannot be undone, and the notice may give the party more days off (e.g. the
//! days around the Spring Festival) than the statutory holidays the provisional calendar
//! knows. A clerk who must act on it can still record the lapse by hand.
//!
//! **Nothing is bypassed.** Each event goes through [`Txn::change_case`], so the domain's
//! guards ([`Case::apply`]) decide, and the event, its audit record (actor
//! [`SWEEP_ACTOR`], a reason citing the article) and the derived columns are written in one
//! transaction. A refusal is counted and logged with the case id, never forced.
//!
//! **Exactly once, with several replicas.** Each case is handled in its own transaction. On
//! PostgreSQL the row is locked with `SELECT … FOR UPDATE SKIP LOCKED` (a case another
//! replica holds is skipped); on SQLite `BEGIN IMMEDIATE` already serialises writers. Under
//! the lock the case is read again and the work recomputed from what is there now, so a
//! case another sweep (or a clerk) changed meanwhile is never closed twice; the version
//! guard of the update makes a double apply impossible anyway. Running the sweep twice
//! changes nothing the second time.
//!
//! The urgency mark is a cache, like the cached due date: writing it is not a state change
//! (no event, no new version), and it is written only if the case is still at the version
//! it was computed from. Concluded cases are not looked at: their mark is what the sweep
//! last wrote while they were open (a case the sweep closes itself is set back to `NONE`).
//! A new mark is announced to the live queue like a change ([`crate::feed`]), at the same
//! version, so that a screen showing it refreshes.

use std::fmt;

use foi_domain::calendar::{Calendar, CalendarError, format_date};
use foi_domain::clock::{CONSULTATION, Deadline, FEE_PAYMENT, Urgency, today_in_china};
use foi_domain::lifecycle::{AgencyRules, Case, ConsultationResult, ConsultedParty, Context, Event, EventKind, Stage};
use sea_orm::sea_query::{Expr, LockBehavior, LockType};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::entities::cases;
use crate::feed::CaseChanged;
use crate::workflow::{Actor, CaseState, ChangeRequest, Command, WorkflowError, rules_of};
use crate::{Backend, Store, StoreError, Txn};

/// How the sweep signs the events it records, in the case history.
pub const SWEEP_ACTOR: &str = "系统：期限巡检";

/// Open cases read per query.
const BATCH: u64 = 200;

/// The mark kept in `cases.urgency` for an open case: how close its reply deadline is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UrgencyMark {
    /// On track, or no running reply clock (e.g. waiting for a correction).
    None,
    /// At most the agency's "due soon" number of working days left (default 5).
    DueSoon,
    /// The reply deadline has passed.
    Overdue,
}

impl UrgencyMark {
    /// The stored code: `NONE`, `DUE_SOON` or `OVERDUE`.
    pub fn code(self) -> &'static str {
        match self {
            UrgencyMark::None => "NONE",
            UrgencyMark::DueSoon => "DUE_SOON",
            UrgencyMark::Overdue => "OVERDUE",
        }
    }

    /// The mark from its stored code.
    pub fn from_code(code: &str) -> Option<UrgencyMark> {
        [UrgencyMark::None, UrgencyMark::DueSoon, UrgencyMark::Overdue].into_iter().find(|m| m.code() == code)
    }

    /// The mark of a reply-clock reading's urgency (`None`: no running clock).
    pub fn of(urgency: Option<Urgency>) -> UrgencyMark {
        match urgency {
            Some(Urgency::DueSoon) => UrgencyMark::DueSoon,
            Some(Urgency::Overdue) => UrgencyMark::Overdue,
            Some(Urgency::OnTrack) | None => UrgencyMark::None,
        }
    }
}

impl fmt::Display for UrgencyMark {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// What one sweep did: counts only, no personal data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SweepReport {
    /// The day the sweep ran on (China Standard Time).
    pub today: Date,
    /// Open cases looked at.
    pub examined: u64,
    /// Cases closed because the correction period ended (Reg. 30).
    pub corrections_lapsed: u64,
    /// Cases closed because the fee went unpaid (国办函〔2020〕109号).
    pub fees_lapsed: u64,
    /// Consultations ended without an opinion (Reg. 32, 34).
    pub consultations_closed: u64,
    /// Cases newly marked `DUE_SOON`.
    pub marked_due_soon: u64,
    /// Cases newly marked `OVERDUE`.
    pub marked_overdue: u64,
    /// Cases whose mark went back to `NONE` (e.g. after an extension, or closed here).
    pub marks_cleared: u64,
    /// Cases skipped because another sweep held them (PostgreSQL, several replicas).
    pub skipped_locked: u64,
    /// Lapsed periods left alone because they were counted on the provisional calendar of a
    /// year without a loaded holiday notice: load the notice.
    pub provisional: u64,
    /// Events the domain's guards refused (logged with the case id); a clerk must act.
    pub refused: u64,
    /// Cases that could not be swept (a database error, unreadable stored state).
    pub failed: u64,
    /// Every case the sweep changed (recorded an event for, or marked), as committed: what
    /// a clerk's live queue must hear of. On PostgreSQL the database also announces each one
    /// ([`crate::feed`]); on SQLite the caller publishes them in-process.
    pub changed: Vec<CaseChanged>,
}

impl SweepReport {
    /// An empty report for a sweep on `today`.
    pub fn new(today: Date) -> SweepReport {
        SweepReport {
            today,
            examined: 0,
            corrections_lapsed: 0,
            fees_lapsed: 0,
            consultations_closed: 0,
            marked_due_soon: 0,
            marked_overdue: 0,
            marks_cleared: 0,
            skipped_locked: 0,
            provisional: 0,
            refused: 0,
            failed: 0,
            changed: Vec::new(),
        }
    }

    /// Cases closed: corrections and fees lapsed.
    pub fn closed(&self) -> u64 {
        self.corrections_lapsed + self.fees_lapsed
    }

    /// Whether the sweep changed anything (events or marks).
    pub fn changed_anything(&self) -> bool {
        self.closed() + self.consultations_closed + self.marked_due_soon + self.marked_overdue + self.marks_cleared > 0
    }

    fn add(&mut self, done: CaseDone) {
        self.changed.extend(done.changed);
        self.corrections_lapsed += done.corrections_lapsed;
        self.fees_lapsed += done.fees_lapsed;
        self.consultations_closed += done.consultations_closed;
        self.refused += done.refused;
        self.count_mark(done.mark);
    }

    fn count_mark(&mut self, mark: Option<UrgencyMark>) {
        match mark {
            Some(UrgencyMark::DueSoon) => self.marked_due_soon += 1,
            Some(UrgencyMark::Overdue) => self.marked_overdue += 1,
            Some(UrgencyMark::None) => self.marks_cleared += 1,
            None => {}
        }
    }
}

/// An event a lapsed period calls for, with the reason the audit log gives.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Action {
    event: Event,
    reason: String,
}

/// What the sweep has to do for a case as it stands on `today`.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Plan {
    /// Events in date order (consultations before a closing event of the same day).
    actions: Vec<Action>,
    /// Lapsed periods left alone because they were counted on the provisional calendar.
    provisional: u64,
    /// The mark the case should carry now (before any of the actions).
    mark: UrgencyMark,
}

/// The day a period that ended on `deadline` counts as lapsed, if it has lapsed by `today`:
/// the day after its last day, since a period ends at 24:00 of its last day.
fn lapsed_on(deadline: &Deadline, today: Date) -> Option<Date> {
    (today > deadline.date).then(|| deadline.date.next_day()).flatten()
}

/// The mark of `case` on `today`: from the reply clock's reading, for an open case.
fn mark_of(case: &Case, ctx: Context<'_>, today: Date) -> Result<UrgencyMark, CalendarError> {
    if !case.stage.is_open() {
        return Ok(UrgencyMark::None);
    }
    let schedule = case.schedule(ctx, today)?;
    Ok(UrgencyMark::of(schedule.reply.map(|r| r.urgency)))
}

fn plan(case: &Case, ctx: Context<'_>, today: Date) -> Result<Plan, CalendarError> {
    let schedule = case.schedule(ctx, today)?;
    let mark = mark_of(case, ctx, today)?;
    let mut actions = Vec::new();
    let mut provisional = 0;
    let mut lapsed = |deadline: &Deadline, make: &dyn Fn(Date, String) -> Action| {
        let Some(on) = lapsed_on(deadline, today) else { return };
        if deadline.is_provisional() {
            provisional += 1;
        } else {
            actions.push(make(on, format_date(deadline.date)));
        }
    };
    // Reg. 30: no correction within the period → deemed abandoned.
    if let Some(due) = &schedule.correction_due {
        // The notice's own period where it set one (the schedule counted the same).
        let period = case.correction.as_ref().map_or(ctx.rules.correction_period_wd, |c| c.period(ctx.rules));
        lapsed(due, &|on, last| Action {
            event: Event::CorrectionLapsed { on },
            reason: format!("补正期限（{period}个工作日）已于{last}届满，视为放弃申请（条例第三十条）"),
        });
    }
    // Reg. 32 (third party) and 34 (co-producing agency): 15 working days for an opinion.
    for (number, due) in &schedule.consultations_due {
        let party = (*number as usize).checked_sub(1).and_then(|i| case.consultations.get(i)).map(|c| c.party);
        let days = CONSULTATION.working_days;
        lapsed(due, &|on, last| Action {
            event: Event::ConsultationClosed { on, number: *number, result: ConsultationResult::NoReply },
            reason: match party {
                Some(ConsultedParty::CoProducer) => format!(
                    "征求共同制作机关意见期限（{days}个工作日）已于{last}届满，逾期未提出意见，视为同意公开（条例第三十四条）"
                ),
                _ => format!(
                    "征求第三方意见期限（{days}个工作日）已于{last}届满，第三方逾期未提出意见，由本机关依法决定是否公开（条例第三十二条）"
                ),
            },
        });
    }
    // Fee measures (国办函〔2020〕109号): unpaid within 20 working days → deemed abandoned.
    if let Some(due) = &schedule.fee_payment_due {
        let days = FEE_PAYMENT.working_days;
        lapsed(due, &|on, last| Action {
            event: Event::FeeLapsed { on },
            reason: format!(
                "缴费期限（{days}个工作日）已于{last}届满，逾期未缴纳信息处理费，视为放弃申请（《政府信息公开信息处理费管理办法》，国办函〔2020〕109号）"
            ),
        });
    }
    // Events are recorded in the order they happened; a closing event comes last on its day.
    actions
        .sort_by_key(|a| (a.event.on(), matches!(a.event.kind(), EventKind::FeeLapsed | EventKind::CorrectionLapsed)));
    Ok(Plan { actions, provisional, mark })
}

/// What the transaction of one case did.
#[derive(Debug, Default)]
struct CaseDone {
    corrections_lapsed: u64,
    fees_lapsed: u64,
    consultations_closed: u64,
    refused: u64,
    /// The mark written, if it changed.
    mark: Option<UrgencyMark>,
    /// Another sweep held the case.
    locked: bool,
    /// The case as the last event left it, if any event was recorded.
    changed: Option<CaseChanged>,
}

/// One open case as the candidate query reads it.
struct Candidate {
    id: Uuid,
    agency_id: Uuid,
    stage: String,
    version: i64,
    state_json: String,
    urgency: String,
}

/// The codes of the open stages (received and not concluded): the sweep's candidates.
fn open_stage_codes() -> Vec<&'static str> {
    Stage::ALL.into_iter().filter(|s| s.is_open()).map(Stage::code).collect()
}

/// Writes `mark` if the case is still at `version` and carries another mark; whether it
/// wrote. Not a state change: no event, no new version.
async fn write_mark<C: ConnectionTrait>(c: &C, id: Uuid, version: i64, mark: UrgencyMark) -> Result<bool, StoreError> {
    let updated = cases::Entity::update_many()
        .col_expr(cases::Column::Urgency, Expr::value(mark.code()))
        .filter(cases::Column::Id.eq(id))
        .filter(cases::Column::Version.eq(version))
        .filter(cases::Column::Urgency.ne(mark.code()))
        .exec(c)
        .await?;
    Ok(updated.rows_affected > 0)
}

impl Store {
    /// Runs the deadline sweep once, as of `now`; see the module docs. Errors only if the
    /// agencies or the candidate cases cannot be read; a case that fails is counted in
    /// [`SweepReport::failed`] and the sweep goes on.
    pub async fn sweep(&self, calendar: &Calendar, now: OffsetDateTime) -> Result<SweepReport, StoreError> {
        let today = today_in_china(now);
        let mut report = SweepReport::new(today);
        let stages = open_stage_codes();
        for agency in self.agencies().await? {
            let rules = rules_of(&agency);
            let mut after: Option<Uuid> = None;
            loop {
                // Uses ix_cases_agency_stage_due (agency_id, stage, …).
                let mut query = cases::Entity::find()
                    .select_only()
                    .columns([
                        cases::Column::Id,
                        cases::Column::Stage,
                        cases::Column::Version,
                        cases::Column::StateJson,
                        cases::Column::Urgency,
                    ])
                    .filter(cases::Column::AgencyId.eq(agency.id))
                    .filter(cases::Column::Stage.is_in(stages.clone()));
                if let Some(after) = after {
                    query = query.filter(cases::Column::Id.gt(after));
                }
                let batch: Vec<(Uuid, String, i64, String, String)> =
                    query.order_by_asc(cases::Column::Id).limit(BATCH).into_tuple().all(&self.db).await?;
                let full = batch.len() as u64 == BATCH;
                after = batch.last().map(|row| row.0);
                for (id, stage, version, state_json, urgency) in batch {
                    let candidate = Candidate { id, agency_id: agency.id, stage, version, state_json, urgency };
                    self.sweep_case(candidate, &rules, calendar, now, &mut report).await;
                }
                if !full {
                    break;
                }
            }
        }
        Ok(report)
    }

    /// The urgency mark the sweep last gave the case; `NotFound` if there is no such case.
    pub async fn urgency_mark(&self, case_id: Uuid) -> Result<UrgencyMark, StoreError> {
        let code: String = cases::Entity::find_by_id(case_id)
            .select_only()
            .column(cases::Column::Urgency)
            .into_tuple()
            .one(&self.db)
            .await?
            .ok_or_else(|| StoreError::not_found(format_args!("case {case_id}")))?;
        UrgencyMark::from_code(&code)
            .ok_or_else(|| StoreError::Corrupt { what: format!("urgency {code:?} of case {case_id}") })
    }

    async fn sweep_case(
        &self,
        candidate: Candidate,
        rules: &AgencyRules,
        calendar: &Calendar,
        now: OffsetDateTime,
        report: &mut SweepReport,
    ) {
        report.examined += 1;
        let id = candidate.id;
        let ctx = Context { calendar, rules };
        let today = report.today;
        let planned = serde_json::from_str::<Case>(&candidate.state_json)
            .map_err(|e| format!("unreadable state: {e}"))
            .and_then(|case| plan(&case, ctx, today).map_err(|e| e.to_string()));
        let plan = match planned {
            Ok(plan) => plan,
            Err(e) => {
                log::warn!("deadline sweep: case {id} skipped: {e}");
                report.failed += 1;
                return;
            }
        };
        report.provisional += plan.provisional;
        if plan.actions.is_empty() {
            // Only the mark, guarded by the version it was computed from.
            if plan.mark.code() != candidate.urgency {
                match write_mark(&self.db, id, candidate.version, plan.mark).await {
                    Ok(true) => {
                        report.count_mark(Some(plan.mark));
                        // A queue screen showing the mark should hear of it.
                        if let Err(e) = crate::feed::announce(&self.db, id).await {
                            log::warn!("deadline sweep: case {id}: announcing its mark failed: {e}");
                        }
                        report.changed.push(CaseChanged {
                            case_id: id,
                            agency_id: candidate.agency_id,
                            stage: candidate.stage,
                            version: candidate.version,
                        });
                    }
                    Ok(false) => {}
                    Err(e) => {
                        log::warn!("deadline sweep: case {id}: marking it failed: {e}");
                        report.failed += 1;
                    }
                }
            }
            return;
        }
        match self.sweep_locked(id, rules, calendar, now, today).await {
            Ok(done) if done.locked => report.skipped_locked += 1,
            Ok(done) => report.add(done),
            Err(e) => {
                log::warn!("deadline sweep: case {id} failed: {e}");
                report.failed += 1;
            }
        }
    }

    /// Applies the lapsed periods of one case in its own transaction, under its row lock.
    async fn sweep_locked(
        &self,
        id: Uuid,
        rules: &AgencyRules,
        calendar: &Calendar,
        now: OffsetDateTime,
        today: Date,
    ) -> Result<CaseDone, WorkflowError> {
        let txn = self.begin().await?;
        let result = sweep_in(&txn, id, rules, calendar, now, today).await;
        match result {
            Ok(done) if !done.locked => {
                txn.commit().await?;
                Ok(done)
            }
            other => {
                txn.rollback().await?;
                other
            }
        }
    }
}

async fn sweep_in(
    txn: &Txn,
    id: Uuid,
    rules: &AgencyRules,
    calendar: &Calendar,
    now: OffsetDateTime,
    today: Date,
) -> Result<CaseDone, WorkflowError> {
    let mut done = CaseDone::default();
    if txn.backend() == Backend::Postgres {
        // Another replica sweeping this case holds the lock: leave the case to it.
        let locked: Option<Uuid> = cases::Entity::find_by_id(id)
            .select_only()
            .column(cases::Column::Id)
            .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
            .into_tuple()
            .one(&txn.inner)
            .await
            .map_err(StoreError::from)?;
        if locked.is_none() {
            done.locked = true;
            return Ok(done);
        }
    }
    // Re-read under the lock and decide again from what is there now.
    let mut state = CaseState::decode(txn.load_case(id).await?)?;
    let ctx = Context { calendar, rules };
    let plan = plan(&state.case, ctx, today)?;
    let plan_version = state.record.version;
    let actor = Actor { account_id: None, label: SWEEP_ACTOR.to_owned() };
    for action in plan.actions {
        if !state.case.stage.is_open() {
            break;
        }
        let kind = action.event.kind();
        let request = ChangeRequest {
            case_id: id,
            expected_version: state.record.version,
            command: Command::Event(action.event),
            reason: Some(action.reason),
        };
        match txn.change_case(request, &actor, calendar, now).await {
            Ok(next) => state = next,
            // The guards refused: nothing of this event was written; keep what was.
            Err(WorkflowError::Transition(e)) => {
                log::warn!("deadline sweep: case {id}: {e}");
                done.refused += 1;
                break;
            }
            Err(e) => return Err(e),
        }
        match kind {
            EventKind::CorrectionLapsed => done.corrections_lapsed += 1,
            EventKind::FeeLapsed => done.fees_lapsed += 1,
            _ => done.consultations_closed += 1,
        }
    }
    let events_recorded = state.record.version != plan_version;
    let mark = mark_of(&state.case, ctx, today)?;
    if write_mark(&txn.inner, id, state.record.version, mark).await? {
        done.mark = Some(mark);
        if !events_recorded {
            // Only the mark changed: announce it like a change (an event announced itself).
            crate::feed::announce(&txn.inner, id).await?;
        }
    }
    if events_recorded || done.mark.is_some() {
        done.changed = Some(CaseChanged::of(&state.record));
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_period_lapses_the_day_after_its_last_day() {
        let deadline = Deadline { date: date!(2026 - 10 - 22), provisional_years: Default::default() };
        assert_eq!(lapsed_on(&deadline, date!(2026 - 10 - 22)), None);
        assert_eq!(lapsed_on(&deadline, date!(2026 - 10 - 23)), Some(date!(2026 - 10 - 23)));
        // Late sweeps still date it the day after the last day.
        assert_eq!(lapsed_on(&deadline, date!(2026 - 11 - 06)), Some(date!(2026 - 10 - 23)));
    }

    #[test]
    fn marks_round_trip_through_their_codes() {
        for mark in [UrgencyMark::None, UrgencyMark::DueSoon, UrgencyMark::Overdue] {
            assert_eq!(UrgencyMark::from_code(mark.code()), Some(mark));
        }
        assert_eq!(UrgencyMark::from_code("ON_TRACK"), None);
        assert_eq!(UrgencyMark::of(Some(Urgency::OnTrack)), UrgencyMark::None);
        assert_eq!(UrgencyMark::of(None), UrgencyMark::None);
    }
}
