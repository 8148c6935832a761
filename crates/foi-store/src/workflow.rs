//! The state changes of a case: decided by the domain, written by the store, together.
//!
//! Every change follows one path ([`Store::change_case`]): in one transaction, load the
//! case and refuse a stale version; let [`foi_domain::lifecycle::Case::apply`] decide;
//! derive the cached columns (stage, outcome, dates, the reply due date) from the new
//! domain state and the calendar; write them with the audit event and the applicant's
//! notification, if the event gives one ([`crate::outbox`]); commit. A case number
//! is allocated inside the same transaction, so a refused or failed registration gives its
//! number back. Nothing here decides a transition.

use foi_docs::kind::DocumentKind;
use foi_domain::applicant::{ApplicantKind, Channel, DeliveryMethod, FormWanted};
use foi_domain::calendar::{Calendar, CalendarError};
use foi_domain::case_number::{CaseNumberPattern, PatternError};
use foi_domain::challenge::{Challenge, ChallengeError, ChallengeKind, ChallengeResult};
use foi_domain::lifecycle::{AgencyRules, Case, Context, Event, Stage, TransitionError};
use sea_orm::sea_query::{NullOrdering, Order};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::entities::cases;
use crate::{Agency, CaseChange, CaseRecord, ChallengeRecord, NewCase, NewChallenge, NewEvent, Store, StoreError, Txn};

/// The reason recorded on every event of a case imported from an agency's earlier register,
/// its first event included (see [`Txn::open_case`]).
pub const IMPORT_REASON: &str = "从原台账导入";

/// Who caused a change, as the audit log records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    /// The signed-in account, if any (`None` for the system, e.g. a deadline sweep).
    pub account_id: Option<Uuid>,
    /// How the history shows the actor, e.g. `李明 (clerk)`.
    pub label: String,
}

/// The applicant's particulars as given on the application (Reg. 29).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplicantDetails {
    /// Name of the person or organisation.
    pub name: String,
    /// Statistics column.
    pub kind: ApplicantKind,
    /// Resident ID, passport or credit code, already checked by the caller.
    pub id_number: Option<String>,
    /// Contact phone.
    pub phone: Option<String>,
    /// Contact e-mail.
    pub email: Option<String>,
    /// Postal address.
    pub address: Option<String>,
}

/// A new application (Reg. 29).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewApplication {
    /// The agency applied to.
    pub agency_id: Uuid,
    /// The applicant's account, for online applications.
    pub applicant_id: Option<Uuid>,
    /// Who applies.
    pub applicant: ApplicantDetails,
    /// Title, document number or other identifying features of the information sought.
    pub subject: String,
    /// Further description.
    pub description: String,
    /// The form wanted.
    pub form_wanted: FormWanted,
    /// How to receive it.
    pub delivery: DeliveryMethod,
}

/// A change requested of a case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// Register (登记) on `on`: the store allocates the next case number of the agency's
    /// year and records [`Event::Registered`] with it.
    Register {
        /// The registration date.
        on: Date,
    },
    /// Record a domain event as given.
    Event(Event),
}

/// A change asked of one case: which case, at which version, what, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangeRequest {
    /// The case.
    pub case_id: Uuid,
    /// The version the requester read; a stale one is [`StoreError::Conflict`].
    pub expected_version: i64,
    /// What to do.
    pub command: Command,
    /// Why, for the audit trail.
    pub reason: Option<String>,
}

/// A stored case together with its decoded domain state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseState {
    /// The row.
    pub record: CaseRecord,
    /// The domain's view of the case, the fold of its events.
    pub case: Case,
}

/// Why a change was not made. Nothing was written in any of these cases.
#[derive(Debug, thiserror::Error)]
pub enum WorkflowError {
    /// The store refused or failed (including a stale version: [`StoreError::Conflict`]).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The domain refused the event.
    #[error(transparent)]
    Transition(#[from] TransitionError),
    /// A date needed a calendar year that is not loaded.
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    /// The domain refused the challenge (table 四).
    #[error(transparent)]
    Challenge(#[from] ChallengeError),
    /// The document may not be served as asked (voided, dated before its issue).
    #[error(transparent)]
    NotServable(#[from] crate::documents::ServeRefusal),
    /// The agency's case-number pattern is invalid.
    #[error("the agency's case-number pattern is invalid: {0}")]
    Pattern(#[from] PatternError),
    /// Archiving (归档) refused: the document recording the decision is not issued, or was
    /// voided and not issued again. The file would be closed without its decision, and once
    /// archived the letter can never be issued.
    #[error(
        "the case cannot be archived before its decision is issued: issue the {} ({}, {}) first, then archive",
        .kind.title_zh(), .kind.code(), missing(*.voided)
    )]
    DecisionNotIssued {
        /// The document to issue.
        kind: DocumentKind,
        /// Whether one was issued and then voided.
        voided: bool,
    },
    /// Archiving (归档) refused: the decision is issued but its service (送达) is not
    /// recorded. The applicant's remedy periods run from service (rules.md §2, §5); the file
    /// must show it.
    #[error(
        "the case cannot be archived before its decision is served: record the service of {number} ({}) with serveDocument, then archive",
        .kind.code()
    )]
    DecisionNotServed {
        /// The decision's kind.
        kind: DocumentKind,
        /// The decision's document number.
        number: String,
    },
}

/// Archiving needs the decision on file (rules.md §2 归档, the work system of Reg. 45: the
/// closed file holds every notice and letter; the reply itself is a written one, Reg. 36):
/// the document [`DocumentKind::deciding`] names, issued and not voided. Read in the archiving transaction; a void commits a new case
/// version, so a void racing this check makes the archive's versioned write fail (CONFLICT)
/// rather than archive a case whose letter was just voided.
///
/// A case imported from an earlier register (`foi import register`) is exempt: its decision
/// was issued on paper before `foi` knew the case, and no document of `foi` can stand for it.
///
/// The decision must also be served (送达, issue 10 item 7): its service recorded
/// ([`foi_domain::lifecycle::ServedNotice::Decision`]), or archiving is
/// [`WorkflowError::DecisionNotServed`] naming the document.
async fn decision_issued(txn: &Txn, current: &CaseState) -> Result<(), WorkflowError> {
    decision_on_file(&txn.inner, current).await
}

async fn decision_on_file<C: sea_orm::ConnectionTrait>(c: &C, current: &CaseState) -> Result<(), WorkflowError> {
    let Some(kind) = DocumentKind::deciding(&current.case) else { return Ok(()) };
    if current.record.imported {
        return Ok(());
    }
    let documents = crate::documents::of_case(c, current.record.id).await?;
    let mut of_kind = documents.iter().filter(|d| d.kind == kind.code()).peekable();
    let voided = of_kind.peek().is_some();
    let Some(valid) = of_kind.find(|d| d.voided.is_none()) else {
        return Err(WorkflowError::DecisionNotIssued { kind, voided });
    };
    if current.case.service_of(foi_domain::service::ServedNotice::Decision).is_none() {
        return Err(WorkflowError::DecisionNotServed { kind, number: valid.number.clone() });
    }
    Ok(())
}

fn missing(voided: bool) -> &'static str {
    if voided { "the one issued was voided" } else { "none is issued" }
}

/// The configurable limits of an agency, as the domain takes them.
pub fn rules_of(agency: &Agency) -> AgencyRules {
    let wd = |n: i32, default: u32| u32::try_from(n).unwrap_or(default);
    let defaults = AgencyRules::default();
    AgencyRules {
        correction_period_wd: wd(agency.correction_period_wd, defaults.correction_period_wd),
        due_soon_wd: wd(agency.due_soon_wd, defaults.due_soon_wd),
        fee_pauses_clock: agency.fee_pauses_clock,
        online_receipt: agency.online_receipt,
    }
}

impl CaseState {
    /// Decodes the stored domain state of `record`.
    pub fn decode(record: CaseRecord) -> Result<CaseState, StoreError> {
        let case = serde_json::from_str(&record.state_json)
            .map_err(|e| StoreError::Corrupt { what: format!("state of case {}: {e}", record.id) })?;
        Ok(CaseState { record, case })
    }
}

/// The reply due date to cache for queue ordering: the count as of `on`.
fn cached_due(case: &Case, rules: &AgencyRules, calendar: &Calendar, on: Date) -> Option<Date> {
    if case.stage.is_concluded() {
        return None;
    }
    let clock = case.reply_clock(rules)?;
    clock.due(calendar, on).ok().map(|d| d.date)
}

/// For a case just concluded by a reply (stage `Replied`: a reply letter or a "not
/// handled" notice): the working days counted on the day of the reply and the last day of
/// its limit then, cached for the processing figures. `(None, None)` for a case closed
/// without a reply (withdrawn, abandoned), for which no reply was due.
fn reply_timing(case: &Case, rules: &AgencyRules, calendar: &Calendar) -> (Option<i32>, Option<Date>) {
    let (Stage::Replied, Some(on)) = (case.stage, case.concluded_on) else {
        return (None, None);
    };
    match case.reply_clock(rules).map(|clock| clock.read(calendar, on, rules.due_soon_wd)) {
        Some(Ok(reading)) => (i32::try_from(reading.used).ok(), Some(reading.due.date)),
        _ => (None, None),
    }
}

/// An audit event of `kind` on the legal date `on`, recorded now by `actor`.
pub(crate) fn audit_event(
    kind: &str,
    payload: serde_json::Value,
    on: Date,
    actor: &Actor,
    now: OffsetDateTime,
) -> NewEvent {
    let mut record = NewEvent::new(kind, payload, on, now, actor.label.clone());
    record.actor_id = actor.account_id;
    record
}

fn event_record(event: &Event, actor: &Actor, reason: Option<String>, now: OffsetDateTime) -> NewEvent {
    let payload = serde_json::to_value(event).unwrap_or(serde_json::Value::Null);
    let mut record = audit_event(event.kind().code(), payload, event.on(), actor, now);
    record.reason = reason.filter(|r| !r.trim().is_empty());
    record
}

/// The audit record of `event` applied to `before`, with the warnings it gave (rules.md §2:
/// a receipt dated on a day off is kept in the history with its warning).
fn event_record_of(
    before: &Case,
    event: &Event,
    calendar: &Calendar,
    actor: &Actor,
    reason: Option<String>,
    now: OffsetDateTime,
) -> NewEvent {
    let mut record = event_record(event, actor, reason, now);
    record.warnings = before.warnings(event, calendar);
    record
}

fn state_json(case: &Case) -> String {
    serde_json::to_string(case).unwrap_or_default()
}

impl Store {
    /// Opens a case with its first event: [`Event::Submitted`] for an online application,
    /// or [`Event::Received`] for one that arrived another way.
    pub async fn open_case(
        &self,
        application: NewApplication,
        first: Event,
        actor: &Actor,
        calendar: &Calendar,
        now: OffsetDateTime,
    ) -> Result<CaseState, WorkflowError> {
        let txn = self.begin().await?;
        let result = txn.open_case(application, first, actor, calendar, now, false).await;
        txn.finish(result).await
    }

    /// Applies `command` to the case if it is still at `expected_version`, writing the new
    /// state and its audit event in one transaction. See the module docs.
    pub async fn change_case(
        &self,
        request: ChangeRequest,
        actor: &Actor,
        calendar: &Calendar,
        now: OffsetDateTime,
    ) -> Result<CaseState, WorkflowError> {
        let txn = self.begin().await?;
        let result = change_in(&txn, request, actor, calendar, now).await;
        txn.finish(result).await
    }

    /// Whether `current` could be archived as far as its file goes: its decision issued and
    /// served, as archiving checks it (`DecisionNotIssued`, `DecisionNotServed`). Read outside
    /// a transaction, to say beforehand what archiving would refuse.
    pub async fn archive_file_check(&self, current: &CaseState) -> Result<(), WorkflowError> {
        decision_on_file(&self.db, current).await
    }

    /// Which of `numbers` are already the number of a case (case numbers are unique across
    /// the database). An import asks before it plans, so that its dry run refuses what the
    /// import would.
    pub async fn taken_case_numbers(
        &self,
        numbers: &[String],
    ) -> Result<std::collections::HashSet<String>, StoreError> {
        let mut taken = std::collections::HashSet::new();
        // Bounded statements: a register may list thousands of numbers.
        for chunk in numbers.chunks(500) {
            let found: Vec<Option<String>> = cases::Entity::find()
                .select_only()
                .column(cases::Column::CaseNumber)
                .filter(cases::Column::CaseNumber.is_in(chunk.iter().cloned()))
                .into_tuple()
                .all(&self.db)
                .await?;
            taken.extend(found.into_iter().flatten());
        }
        Ok(taken)
    }

    /// The case with its decoded state, or `NotFound`.
    pub async fn case_state(&self, id: Uuid) -> Result<CaseState, StoreError> {
        CaseState::decode(self.load_case(id).await?)
    }

    /// Recomputes the cached reply due date of every open case with `calendar` (after a
    /// calendar year was loaded or amended), as of `today`. Returns how many changed. The
    /// cache is not a state change: no event is written and versions stay.
    pub async fn refresh_due_dates(&self, calendar: &Calendar, today: Date) -> Result<u64, StoreError> {
        let rows = cases::Entity::find().filter(cases::Column::Stage.is_in(queue_stage_codes())).all(&self.db).await?;
        let mut agencies = std::collections::HashMap::new();
        let mut changed = 0;
        for row in rows {
            let state = CaseState::decode(CaseRecord::from(row))?;
            if !agencies.contains_key(&state.record.agency_id) {
                let agency = self.agency(state.record.agency_id).await?;
                agencies.insert(agency.id, rules_of(&agency));
            }
            let rules = &agencies[&state.record.agency_id];
            let due = cached_due(&state.case, rules, calendar, state.case.last_event_on.unwrap_or(today));
            if due != state.record.reply_due_on {
                cases::Entity::update_many()
                    .col_expr(cases::Column::ReplyDueOn, sea_orm::sea_query::Expr::value(due))
                    .filter(cases::Column::Id.eq(state.record.id))
                    .exec(&self.db)
                    .await?;
                changed += 1;
            }
        }
        Ok(changed)
    }

    /// One page of the clerk queue and the total number of matching cases.
    pub async fn queue(&self, query: &QueueQuery) -> Result<(Vec<CaseState>, bool), StoreError> {
        let mut condition = Condition::all().add(cases::Column::AgencyId.is_in(query.agency_ids.clone()));
        let stages: Vec<&str> =
            if query.stages.is_empty() { queue_stage_codes() } else { query.stages.iter().map(|s| s.code()).collect() };
        condition = condition.add(cases::Column::Stage.is_in(stages));
        if let Some(assignee) = query.assignee_id {
            condition = condition.add(cases::Column::AssigneeId.eq(assignee));
        }
        if let Some(applicant) = query.applicant_id {
            condition = condition.add(cases::Column::ApplicantId.eq(applicant));
        }
        if let Some(date) = query.due_on_or_before {
            condition = condition.add(cases::Column::ReplyDueOn.lte(date));
        }
        if let Some(date) = query.due_on_or_after {
            condition = condition.add(cases::Column::ReplyDueOn.gte(date));
        }
        if query.awaiting_extension_decision {
            // The cached domain state holds the waiting request (`Case::extension_request`),
            // serialised by `state_json` as `"extension_request":{…}` (null when none): a
            // filter on the cache, kept true by the one write path.
            condition = condition.add(cases::Column::StateJson.contains("\"extension_request\":{"));
        }
        if let Some(after) = &query.after {
            condition = condition.add(after.rest());
        }
        let mut rows = cases::Entity::find()
            .filter(condition)
            .order_by_with_nulls(cases::Column::ReplyDueOn, Order::Asc, NullOrdering::Last)
            .order_by_asc(cases::Column::CreatedAt)
            .order_by_asc(cases::Column::Id)
            .limit(query.limit.saturating_add(1))
            .all(&self.db)
            .await?;
        let more = rows.len() as u64 > query.limit;
        rows.truncate(usize::try_from(query.limit).unwrap_or(usize::MAX));
        let states = rows.into_iter().map(|r| CaseState::decode(CaseRecord::from(r))).collect::<Result<_, _>>()?;
        Ok((states, more))
    }
}

impl Txn {
    /// Opens a case with its first event, as part of this transaction; see
    /// [`Store::open_case`]. `imported` marks a case brought in from an agency's earlier
    /// register (`foi import register`); its first event then carries [`IMPORT_REASON`].
    pub async fn open_case(
        &self,
        application: NewApplication,
        first: Event,
        actor: &Actor,
        calendar: &Calendar,
        now: OffsetDateTime,
        imported: bool,
    ) -> Result<CaseState, WorkflowError> {
        let agency = self.agency(application.agency_id).await?;
        let rules = rules_of(&agency);
        let case = Case::new().apply(&first, Context { calendar, rules: &rules })?;
        let channel = case.channel.unwrap_or(Channel::Online);
        let new = NewCase {
            id: crate::new_id(),
            agency_id: application.agency_id,
            applicant_id: application.applicant_id,
            case_number: None,
            case_year: None,
            stage: case.stage.code().to_owned(),
            outcome: None,
            channel: channel.code().to_owned(),
            subject: application.subject,
            description: application.description,
            form_wanted: application.form_wanted.code().to_owned(),
            delivery_method: application.delivery.code().to_owned(),
            applicant_name: application.applicant.name,
            applicant_kind: application.applicant.kind.code().to_owned(),
            applicant_id_number: application.applicant.id_number,
            applicant_phone: application.applicant.phone,
            applicant_email: application.applicant.email,
            applicant_address: application.applicant.address,
            submitted_at: case.submitted_on.map(|_| now),
            received_on: case.received_on,
            clock_start_on: case.clock_start(),
            reply_due_on: cached_due(&case, &rules, calendar, first.on()),
            concluded_on: None,
            assignee_id: None,
            state_json: state_json(&case),
            imported,
        };
        let reason = imported.then(|| IMPORT_REASON.to_owned());
        let record = self.insert_case(new, event_record_of(&Case::new(), &first, calendar, actor, reason, now)).await?;
        // The applicant's notification commits with the event, or neither does.
        crate::outbox::notify(self, &record, &case, &first, &agency, &rules, calendar, now).await?;
        Ok(CaseState { record, case })
    }

    /// Applies `command` as part of this transaction; see [`Store::change_case`]. After an
    /// error, roll the transaction back (or drop it).
    pub async fn change_case(
        &self,
        request: ChangeRequest,
        actor: &Actor,
        calendar: &Calendar,
        now: OffsetDateTime,
    ) -> Result<CaseState, WorkflowError> {
        change_in(self, request, actor, calendar, now).await
    }

    /// Appends an audit event that changes none of the case's cached columns (a challenge
    /// filed or decided, a document issued, an attachment added) if the case is still at
    /// `expected_version`; its version grows by one. Returns the case as it is now.
    pub async fn append_audit_event(
        &self,
        case_id: Uuid,
        expected_version: i64,
        event: NewEvent,
    ) -> Result<CaseRecord, StoreError> {
        self.apply_case_change(case_id, expected_version, CaseChange::default(), event).await?;
        self.load_case(case_id).await
    }
}

/// The codes of the stages in which a case is work for an agency: open cases, and online
/// submissions waiting to be signed for.
fn queue_stage_codes() -> Vec<&'static str> {
    Stage::ALL.into_iter().filter(|s| s.is_open() || *s == Stage::Submitted).map(Stage::code).collect()
}

/// Which cases a queue lists. Every filter narrows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QueueQuery {
    /// The agencies whose cases may be listed (the caller's subtree).
    pub agency_ids: Vec<Uuid>,
    /// Only these stages; empty means every open stage.
    pub stages: Vec<Stage>,
    /// Only cases assigned to this officer.
    pub assignee_id: Option<Uuid>,
    /// Only this applicant's cases.
    pub applicant_id: Option<Uuid>,
    /// Only cases whose reply is due on or before this date.
    pub due_on_or_before: Option<Date>,
    /// Only cases whose reply is due on or after this date.
    pub due_on_or_after: Option<Date>,
    /// Only cases with an extension request waiting for the office head (Reg. 33 ¶1).
    pub awaiting_extension_decision: bool,
    /// Only cases after this one in the queue's order (the next page).
    pub after: Option<QueueCursor>,
    /// Rows to return at most.
    pub limit: u64,
}

/// A case's place in the queue's order: reply due date (cases without one last), then
/// creation, then id. A page that starts after a cursor is the same whatever was added to
/// or removed from the pages before it (keyset pagination), so paging on while clerks work
/// never shows a case twice or skips one that kept its place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueueCursor {
    /// The case's reply due date, if its clock runs.
    pub reply_due_on: Option<Date>,
    /// When it was created.
    pub created_at: OffsetDateTime,
    /// Its id.
    pub id: Uuid,
}

impl QueueCursor {
    /// The cursor just after `case`.
    pub fn after(case: &CaseRecord) -> QueueCursor {
        QueueCursor { reply_due_on: case.reply_due_on, created_at: case.created_at, id: case.id }
    }

    /// An opaque text form: `<due date or ->_<microseconds since 1970>_<id>`.
    pub fn encode(&self) -> String {
        let due = self.reply_due_on.map_or_else(|| "-".to_owned(), |d| d.to_string());
        format!("{due}_{}", crate::sql::encode_position(self.created_at, self.id))
    }

    /// Reads [`QueueCursor::encode`]'s form; `None` for anything else.
    pub fn decode(text: &str) -> Option<QueueCursor> {
        let (due, position) = text.split_once('_')?;
        let reply_due_on = match due {
            "-" => None,
            due => Some(Date::parse(due, &time::format_description::well_known::Iso8601::DATE).ok()?),
        };
        let (created_at, id) = crate::sql::decode_position(position)?;
        Some(QueueCursor { reply_due_on, created_at, id })
    }

    /// The cases after this one in the queue's order.
    fn rest(&self) -> Condition {
        let (at, id) = (cases::Column::CreatedAt, cases::Column::Id);
        let later = crate::sql::after_position(at, id, self.created_at, self.id, false);
        match self.reply_due_on {
            // Later dates, then the cases without one, come after.
            Some(due) => Condition::any()
                .add(cases::Column::ReplyDueOn.gt(due))
                .add(cases::Column::ReplyDueOn.is_null())
                .add(Condition::all().add(cases::Column::ReplyDueOn.eq(due)).add(later)),
            None => Condition::all().add(cases::Column::ReplyDueOn.is_null()).add(later),
        }
    }
}

async fn change_in(
    txn: &Txn,
    request: ChangeRequest,
    actor: &Actor,
    calendar: &Calendar,
    now: OffsetDateTime,
) -> Result<CaseState, WorkflowError> {
    let ChangeRequest { case_id, expected_version, command, reason } = request;
    let current = CaseState::decode(txn.load_case(case_id).await?)?;
    // A stale client gets CONFLICT, not a decision computed on a state it has not seen.
    if current.record.version != expected_version {
        return Err(StoreError::Conflict { expected: expected_version, actual: current.record.version }.into());
    }
    let agency = txn.agency(current.record.agency_id).await?;
    let rules = rules_of(&agency);
    let ctx = Context { calendar, rules: &rules };
    let event = match command {
        Command::Event(event) => event,
        Command::Register { on } => {
            // Check the transition first, so a refused registration allocates no number.
            foi_domain::lifecycle::transition(current.case.stage, foi_domain::lifecycle::EventKind::Registered).ok_or(
                TransitionError::NotAllowed {
                    stage: current.case.stage,
                    event: foi_domain::lifecycle::EventKind::Registered,
                },
            )?;
            let pattern = CaseNumberPattern::parse(&agency.case_number_pattern)?;
            let seq = txn.next_sequence(agency.id, on.year(), "case").await?;
            let seq = u32::try_from(seq).unwrap_or(u32::MAX);
            Event::Registered { on, case_number: pattern.format(&agency.case_prefix, on.year(), seq).to_string() }
        }
    };
    let next = current.case.apply(&event, ctx)?;
    if matches!(event, Event::Archived { .. }) {
        decision_issued(txn, &current).await?;
    }
    // Cached once, when the case concludes; archiving keeps what the reply fixed.
    let timing = (!current.case.stage.is_concluded() && next.stage.is_concluded())
        .then(|| reply_timing(&next, &rules, calendar));
    let opt = |v: Option<&str>| v.map(str::to_owned);
    let change = CaseChange {
        stage: Some(next.stage.code().to_owned()),
        outcome: Some(next.outcome.map(|o| o.code().to_owned())),
        case_number: Some(next.case_number.clone()),
        case_year: Some(match &event {
            Event::Registered { on, .. } => Some(on.year()),
            _ => current.record.case_year,
        }),
        received_on: Some(next.received_on),
        clock_start_on: Some(next.clock_start()),
        reply_due_on: Some(cached_due(&next, &rules, calendar, event.on())),
        concluded_on: Some(next.concluded_on),
        assignee_id: Some(opt(next.assignee.as_deref()).and_then(|a| Uuid::parse_str(&a).ok())),
        state_json: Some(state_json(&next)),
        wd_used: timing.map(|t| t.0),
        limit_due_on: timing.map(|t| t.1),
        // A concluded case is neither due soon nor overdue any more.
        urgency: timing.map(|_| crate::sweep::UrgencyMark::None.code().to_owned()),
        ..CaseChange::default()
    };
    let new_version = txn
        .apply_case_change(
            case_id,
            expected_version,
            change,
            event_record_of(&current.case, &event, calendar, actor, reason, now),
        )
        .await?;
    let record = txn.load_case(case_id).await?;
    debug_assert_eq!(record.version, new_version);
    // The applicant's notification commits with the event, or neither does.
    crate::outbox::notify(txn, &record, &next, &event, &agency, &rules, calendar, now).await?;
    Ok(CaseState { record, case: next })
}

/// The audit event codes of challenges; they are not lifecycle events and change no stage.
pub mod challenge_events {
    /// A reconsideration or suit against the reply was recorded.
    pub const FILED: &str = "CHALLENGE_FILED";
    /// Its result was recorded.
    pub const DECIDED: &str = "CHALLENGE_DECIDED";
}

/// A challenge to a case's reply, as asked to be recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChallengeRequest {
    /// The case whose reply is challenged.
    pub case_id: Uuid,
    /// The version the requester read; a stale one is [`StoreError::Conflict`].
    pub expected_version: i64,
    /// What was filed, when, and its result so far.
    pub challenge: Challenge,
    /// The reconsideration body or court.
    pub body: String,
    /// Its file number, if known.
    pub reference: Option<String>,
}

fn decode_challenge(record: &ChallengeRecord) -> Result<Challenge, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt { what: format!("{what} of challenge {}", record.id) };
    Ok(Challenge {
        kind: record.kind.parse().map_err(|_| corrupt("kind"))?,
        filed_on: record.filed_on,
        result: record.result.parse().map_err(|_| corrupt("result"))?,
        decided_on: record.decided_on,
    })
}

/// The day the case was concluded by a reply, if it was (an archived case keeps its reply).
fn replied_on(state: &CaseState) -> Option<Date> {
    let replied = state.case.outcome.is_some_and(|o| o.is_reply_outcome());
    (replied && matches!(state.case.stage, Stage::Replied | Stage::Archived))
        .then_some(state.case.concluded_on)
        .flatten()
}

impl Store {
    /// Records a challenge to the case's reply together with its audit event, in one
    /// transaction, if the domain allows it (`foi_domain::challenge::check_new`).
    pub async fn record_challenge(
        &self,
        request: ChallengeRequest,
        actor: &Actor,
        now: OffsetDateTime,
    ) -> Result<(ChallengeRecord, CaseRecord), WorkflowError> {
        let txn = self.begin().await?;
        let result = record_challenge_in(&txn, request, actor, now).await;
        txn.finish(result).await
    }

    /// Records the result of a challenge (or sets it back to pending) with its audit event,
    /// in one transaction.
    pub async fn decide_challenge(
        &self,
        challenge_id: Uuid,
        result: ChallengeResult,
        decided_on: Option<Date>,
        actor: &Actor,
        now: OffsetDateTime,
    ) -> Result<(ChallengeRecord, CaseRecord), WorkflowError> {
        let txn = self.begin().await?;
        let outcome = decide_challenge_in(&txn, challenge_id, result, decided_on, actor, now).await;
        txn.finish(outcome).await
    }
}

async fn record_challenge_in(
    txn: &Txn,
    request: ChallengeRequest,
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<(ChallengeRecord, CaseRecord), WorkflowError> {
    let state = CaseState::decode(txn.load_case(request.case_id).await?)?;
    if state.record.version != request.expected_version {
        let actual = state.record.version;
        return Err(StoreError::Conflict { expected: request.expected_version, actual }.into());
    }
    let existing: Vec<Challenge> =
        txn.challenges_of(request.case_id).await?.iter().map(decode_challenge).collect::<Result<_, _>>()?;
    let challenge = request.challenge;
    foi_domain::challenge::check_new(&challenge, replied_on(&state), &existing)?;
    let record = txn
        .insert_challenge(NewChallenge {
            id: crate::new_id(),
            case_id: request.case_id,
            agency_id: state.record.agency_id,
            kind: challenge.kind.code().to_owned(),
            filed_on: challenge.filed_on,
            result: challenge.result.code().to_owned(),
            decided_on: challenge.decided_on,
            body: request.body.clone(),
            reference: request.reference.clone(),
            at: now,
        })
        .await?;
    let payload = serde_json::json!({
        "challenge_id": record.id,
        "kind": challenge.kind,
        "body": request.body,
        "reference": request.reference,
        "result": challenge.result,
        "decided_on": challenge.decided_on,
    });
    let event = audit_event(challenge_events::FILED, payload, challenge.filed_on, actor, now);
    Ok((record, txn.append_audit_event(request.case_id, request.expected_version, event).await?))
}

async fn decide_challenge_in(
    txn: &Txn,
    challenge_id: Uuid,
    result: ChallengeResult,
    decided_on: Option<Date>,
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<(ChallengeRecord, CaseRecord), WorkflowError> {
    let found = txn.challenge(challenge_id).await?;
    let mut challenge = decode_challenge(&found)?;
    challenge.result = result;
    challenge.decided_on = decided_on;
    foi_domain::challenge::check_result(&challenge)?;
    // A suit after reconsideration must not end up before the decision it follows.
    if challenge.kind == ChallengeKind::Reconsideration {
        let others = txn.challenges_of(found.case_id).await?;
        if let Some(suit) = others.iter().find(|c| c.kind == ChallengeKind::SuitAfterReconsideration.code()) {
            match decided_on {
                Some(d) if suit.filed_on >= d => {}
                Some(d) => {
                    return Err(ChallengeError::BeforeReconsiderationDecision {
                        filed_on: suit.filed_on,
                        decided_on: d,
                    }
                    .into());
                }
                None => return Err(ChallengeError::NoDecidedReconsideration.into()),
            }
        }
    }
    let record = txn.set_challenge_result(challenge_id, result.code().to_owned(), decided_on, now).await?;
    let case = txn.load_case(found.case_id).await?;
    let payload = serde_json::json!({
        "challenge_id": record.id,
        "kind": challenge.kind,
        "result": result,
        "decided_on": decided_on,
    });
    let on = decided_on.unwrap_or_else(|| foi_domain::clock::today_in_china(now));
    let event = audit_event(challenge_events::DECIDED, payload, on, actor, now);
    Ok((record, txn.append_audit_event(case.id, case.version, event).await?))
}
