//! Cases and their event log.
//!
//! A case row is a cache of what the domain derives from the event log and the calendar:
//! its stage, outcome, dates and serialized state. Every change to it is written together
//! with the event that caused it, in one transaction, guarded by the version the change was
//! computed from. The event log is append-only: events get consecutive sequence numbers per
//! case and are never updated.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue, ActiveValue::NotSet, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    EntityTrait, ExprTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::entities::{case_events, cases};
use crate::{StoreError, sql};

/// A case to create, with every Reg. 29 field of the application. Vocabulary fields
/// (`stage`, `channel`, `applicant_kind`, …) are the domain's names, stored as text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCase {
    /// Chosen by the caller ([`crate::new_id`]) so that it can be named in the first event.
    pub id: Uuid,
    pub agency_id: Uuid,
    /// The applicant's account; `None` for a case imported or received offline.
    pub applicant_id: Option<Uuid>,
    pub case_number: Option<String>,
    pub case_year: Option<i32>,
    pub stage: String,
    pub outcome: Option<String>,
    pub channel: String,
    pub subject: String,
    pub description: String,
    pub form_wanted: String,
    pub delivery_method: String,
    pub applicant_name: String,
    pub applicant_kind: String,
    pub applicant_id_number: Option<String>,
    pub applicant_phone: Option<String>,
    pub applicant_email: Option<String>,
    pub applicant_address: Option<String>,
    pub submitted_at: Option<OffsetDateTime>,
    pub received_on: Option<Date>,
    pub clock_start_on: Option<Date>,
    pub reply_due_on: Option<Date>,
    pub concluded_on: Option<Date>,
    pub assignee_id: Option<Uuid>,
    /// The domain's serialized case state.
    pub state_json: String,
    pub imported: bool,
}

/// A stored case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseRecord {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub applicant_id: Option<Uuid>,
    pub case_number: Option<String>,
    pub case_year: Option<i32>,
    pub stage: String,
    pub outcome: Option<String>,
    pub channel: String,
    pub subject: String,
    pub description: String,
    pub form_wanted: String,
    pub delivery_method: String,
    pub applicant_name: String,
    pub applicant_kind: String,
    pub applicant_id_number: Option<String>,
    pub applicant_phone: Option<String>,
    pub applicant_email: Option<String>,
    pub applicant_address: Option<String>,
    pub submitted_at: Option<OffsetDateTime>,
    pub received_on: Option<Date>,
    pub clock_start_on: Option<Date>,
    pub reply_due_on: Option<Date>,
    pub concluded_on: Option<Date>,
    pub assignee_id: Option<Uuid>,
    pub state_json: String,
    /// Starts at 1 and grows by one with every change.
    pub version: i64,
    pub imported: bool,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    /// For a case concluded by a reply: the working days its clock had counted on the day
    /// of the reply (pauses excluded; restarted after a correction).
    pub wd_used: Option<i32>,
    /// For a case concluded by a reply: the last day of its limit then (after any
    /// extension, pause or later reply date). Replied on or before it: on time.
    pub limit_due_on: Option<Date>,
}

/// The columns a state change sets. `None` leaves a column as it is; for a nullable column
/// `Some(None)` clears it. Identity columns (id, agency, applicant, channel, submission
/// time) never change; the version and `updated_at` are set by the store.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaseChange {
    pub stage: Option<String>,
    pub outcome: Option<Option<String>>,
    pub case_number: Option<Option<String>>,
    pub case_year: Option<Option<i32>>,
    pub subject: Option<String>,
    pub description: Option<String>,
    pub form_wanted: Option<String>,
    pub delivery_method: Option<String>,
    pub applicant_name: Option<String>,
    pub applicant_kind: Option<String>,
    pub applicant_id_number: Option<Option<String>>,
    pub applicant_phone: Option<Option<String>>,
    pub applicant_email: Option<Option<String>>,
    pub applicant_address: Option<Option<String>>,
    pub received_on: Option<Option<Date>>,
    pub clock_start_on: Option<Option<Date>>,
    pub reply_due_on: Option<Option<Date>>,
    pub concluded_on: Option<Option<Date>>,
    pub assignee_id: Option<Option<Uuid>>,
    pub state_json: Option<String>,
    pub wd_used: Option<Option<i32>>,
    pub limit_due_on: Option<Option<Date>>,
    /// The deadline sweep's mark (`NONE`, `DUE_SOON`, `OVERDUE`).
    pub urgency: Option<String>,
}

/// An event to append to a case's log: what happened, on which legal date, who did it and
/// why.
#[derive(Clone, Debug, PartialEq)]
pub struct NewEvent {
    /// Chosen by the caller; a retried request that reuses it is refused as a duplicate
    /// ([`StoreError::UniqueViolation`] on `case_events_pkey`) instead of applied twice.
    pub id: Uuid,
    pub kind: String,
    /// The event's data, as the domain serializes it.
    pub payload: serde_json::Value,
    /// The legal date of the event (China Standard Time), from which deadlines count.
    pub occurred_on: Date,
    /// When it was recorded; also becomes the case's `updated_at`.
    pub recorded_at: OffsetDateTime,
    pub actor_id: Option<Uuid>,
    /// Who did it, as shown in the history ("张三 (clerk)", "system: deadline sweep").
    pub actor_label: String,
    pub reason: Option<String>,
    /// What the event should make a person check again (e.g. a receipt on a day off).
    pub warnings: Vec<foi_domain::lifecycle::Warning>,
}

impl NewEvent {
    /// An event with a fresh id, no actor account and no reason.
    pub fn new(
        kind: impl Into<String>,
        payload: serde_json::Value,
        occurred_on: Date,
        recorded_at: OffsetDateTime,
        actor_label: impl Into<String>,
    ) -> Self {
        NewEvent {
            id: crate::new_id(),
            kind: kind.into(),
            payload,
            occurred_on,
            recorded_at,
            actor_id: None,
            actor_label: actor_label.into(),
            reason: None,
            warnings: Vec::new(),
        }
    }

    /// Attributes the event to an account.
    pub fn by(mut self, actor_id: Uuid) -> Self {
        self.actor_id = Some(actor_id);
        self
    }

    /// Records the reason given.
    pub fn because(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }
}

/// A stored event.
#[derive(Clone, Debug, PartialEq)]
pub struct EventRecord {
    pub id: Uuid,
    pub case_id: Uuid,
    /// 1, 2, 3, … within the case.
    pub seq: i64,
    pub kind: String,
    pub payload: serde_json::Value,
    pub occurred_on: Date,
    pub recorded_at: OffsetDateTime,
    pub actor_id: Option<Uuid>,
    pub actor_label: String,
    pub reason: Option<String>,
    /// The warnings it gave when it was recorded.
    pub warnings: Vec<foi_domain::lifecycle::Warning>,
}

impl From<cases::Model> for CaseRecord {
    fn from(m: cases::Model) -> Self {
        CaseRecord {
            id: m.id,
            agency_id: m.agency_id,
            applicant_id: m.applicant_id,
            case_number: m.case_number,
            case_year: m.case_year,
            stage: m.stage,
            outcome: m.outcome,
            channel: m.channel,
            subject: m.subject,
            description: m.description,
            form_wanted: m.form_wanted,
            delivery_method: m.delivery_method,
            applicant_name: m.applicant_name,
            applicant_kind: m.applicant_kind,
            applicant_id_number: m.applicant_id_number,
            applicant_phone: m.applicant_phone,
            applicant_email: m.applicant_email,
            applicant_address: m.applicant_address,
            submitted_at: m.submitted_at,
            received_on: m.received_on,
            clock_start_on: m.clock_start_on,
            reply_due_on: m.reply_due_on,
            concluded_on: m.concluded_on,
            assignee_id: m.assignee_id,
            state_json: m.state_json,
            version: m.version,
            imported: m.imported,
            created_at: m.created_at,
            updated_at: m.updated_at,
            wd_used: m.wd_used,
            limit_due_on: m.limit_due_on,
        }
    }
}

impl TryFrom<case_events::Model> for EventRecord {
    type Error = StoreError;

    fn try_from(m: case_events::Model) -> Result<Self, StoreError> {
        let payload = serde_json::from_str(&m.payload)
            .map_err(|e| StoreError::Corrupt { what: format!("payload of event {}: {e}", m.id) })?;
        let warnings = match m.warnings.as_deref() {
            None => Vec::new(),
            Some(text) => serde_json::from_str(text)
                .map_err(|e| StoreError::Corrupt { what: format!("warnings of event {}: {e}", m.id) })?,
        };
        Ok(EventRecord {
            id: m.id,
            case_id: m.case_id,
            seq: m.seq,
            kind: m.kind,
            payload,
            occurred_on: m.occurred_on,
            recorded_at: m.recorded_at,
            actor_id: m.actor_id,
            actor_label: m.actor_label,
            reason: m.reason,
            warnings,
        })
    }
}

/// Inserts a case at version 1 with its first event (seq 1). Run inside a transaction.
pub(crate) async fn insert<C: ConnectionTrait>(
    c: &C,
    new: NewCase,
    first_event: NewEvent,
) -> Result<CaseRecord, StoreError> {
    let at = sql::instant(first_event.recorded_at);
    let model = cases::ActiveModel {
        id: Set(new.id),
        agency_id: Set(new.agency_id),
        applicant_id: Set(new.applicant_id),
        case_number: Set(new.case_number),
        case_year: Set(new.case_year),
        stage: Set(new.stage),
        outcome: Set(new.outcome),
        channel: Set(new.channel),
        subject: Set(new.subject),
        description: Set(new.description),
        form_wanted: Set(new.form_wanted),
        delivery_method: Set(new.delivery_method),
        applicant_name: Set(new.applicant_name),
        applicant_kind: Set(new.applicant_kind),
        applicant_id_number: Set(new.applicant_id_number),
        applicant_phone: Set(new.applicant_phone),
        applicant_email: Set(new.applicant_email),
        applicant_address: Set(new.applicant_address),
        submitted_at: Set(new.submitted_at.map(sql::instant)),
        received_on: Set(new.received_on),
        clock_start_on: Set(new.clock_start_on),
        reply_due_on: Set(new.reply_due_on),
        concluded_on: Set(new.concluded_on),
        assignee_id: Set(new.assignee_id),
        state_json: Set(new.state_json),
        version: Set(1),
        imported: Set(new.imported),
        created_at: Set(at),
        updated_at: Set(at),
        wd_used: NotSet,
        limit_due_on: NotSet,
        urgency: NotSet,
    }
    .insert(c)
    .await?;
    insert_event(c, model.id, 1, first_event).await?;
    crate::feed::announce(c, model.id).await?;
    Ok(model.into())
}

/// Applies `change` to the case if it is still at `expected_version`, and appends `event`.
/// Returns the new version. Run inside a transaction: on any error the caller must roll
/// back (the case update may already have been written).
pub(crate) async fn apply_change<C: ConnectionTrait>(
    c: &C,
    case_id: Uuid,
    expected_version: i64,
    change: CaseChange,
    event: NewEvent,
) -> Result<i64, StoreError> {
    let new_version = expected_version + 1;
    let columns = cases::ActiveModel {
        id: NotSet,
        agency_id: NotSet,
        applicant_id: NotSet,
        case_number: maybe(change.case_number),
        case_year: maybe(change.case_year),
        stage: maybe(change.stage),
        outcome: maybe(change.outcome),
        channel: NotSet,
        subject: maybe(change.subject),
        description: maybe(change.description),
        form_wanted: maybe(change.form_wanted),
        delivery_method: maybe(change.delivery_method),
        applicant_name: maybe(change.applicant_name),
        applicant_kind: maybe(change.applicant_kind),
        applicant_id_number: maybe(change.applicant_id_number),
        applicant_phone: maybe(change.applicant_phone),
        applicant_email: maybe(change.applicant_email),
        applicant_address: maybe(change.applicant_address),
        submitted_at: NotSet,
        received_on: maybe(change.received_on),
        clock_start_on: maybe(change.clock_start_on),
        reply_due_on: maybe(change.reply_due_on),
        concluded_on: maybe(change.concluded_on),
        assignee_id: maybe(change.assignee_id),
        state_json: maybe(change.state_json),
        version: Set(new_version),
        imported: NotSet,
        created_at: NotSet,
        updated_at: Set(sql::instant(event.recorded_at)),
        wd_used: maybe(change.wd_used),
        limit_due_on: maybe(change.limit_due_on),
        urgency: maybe(change.urgency),
    };
    // The version guard: on PostgreSQL a concurrent writer blocks on the row lock and then
    // finds the version moved on; on SQLite the write lock was taken at BEGIN IMMEDIATE.
    let updated = cases::Entity::update_many()
        .set(columns)
        .filter(cases::Column::Id.eq(case_id))
        .filter(cases::Column::Version.eq(expected_version))
        .exec(c)
        .await?;
    if updated.rows_affected == 0 {
        let actual = cases::Entity::find_by_id(case_id)
            .select_only()
            .column(cases::Column::Version)
            .into_tuple::<i64>()
            .one(c)
            .await?
            .ok_or_else(|| StoreError::not_found(format_args!("case {case_id}")))?;
        return Err(StoreError::Conflict { expected: expected_version, actual });
    }
    // The case row is locked until commit, so no one else appends to its log meanwhile.
    let last_seq: Option<i64> = case_events::Entity::find()
        .select_only()
        .column_as(Expr::col(case_events::Column::Seq).max(), "last_seq")
        .filter(case_events::Column::CaseId.eq(case_id))
        .into_tuple::<Option<i64>>()
        .one(c)
        .await?
        .flatten();
    insert_event(c, case_id, last_seq.unwrap_or(0) + 1, event).await?;
    crate::feed::announce(c, case_id).await?;
    Ok(new_version)
}

fn maybe<T>(value: Option<T>) -> ActiveValue<T>
where
    T: Into<sea_orm::Value>,
{
    match value {
        Some(v) => Set(v),
        None => NotSet,
    }
}

async fn insert_event<C: ConnectionTrait>(c: &C, case_id: Uuid, seq: i64, event: NewEvent) -> Result<(), StoreError> {
    case_events::Entity::insert(case_events::ActiveModel {
        id: Set(event.id),
        case_id: Set(case_id),
        seq: Set(seq),
        kind: Set(event.kind),
        payload: Set(event.payload.to_string()),
        occurred_on: Set(event.occurred_on),
        recorded_at: Set(sql::instant(event.recorded_at)),
        actor_id: Set(event.actor_id),
        actor_label: Set(event.actor_label),
        reason: Set(event.reason),
        warnings: Set((!event.warnings.is_empty()).then(|| serde_json::to_string(&event.warnings).unwrap_or_default())),
    })
    .exec_without_returning(c)
    .await?;
    Ok(())
}

/// How many applications of one identity (resident ID number or credit code, as stored:
/// upper-case) `agency` received from `from` to `to` (both included) that come no later
/// than `case` in the order of receipt (date of receipt, then creation, then id): the
/// ordinal of `case` among that identity's applications of the period. Counts every
/// channel — online under any account and offline recorded — because the fee is counted
/// per applicant per calendar month (rules.md §2; 国办函〔2020〕109号), not per account.
pub(crate) async fn identity_applications<C: ConnectionTrait>(
    c: &C,
    agency: Uuid,
    id_number: &str,
    (from, to): (Date, Date),
    case: &CaseRecord,
) -> Result<u64, StoreError> {
    let Some(received) = case.received_on else { return Ok(0) };
    let earlier = Condition::any().add(cases::Column::ReceivedOn.lt(received)).add(
        Condition::all().add(cases::Column::ReceivedOn.eq(received)).add(
            Condition::any().add(cases::Column::CreatedAt.lt(case.created_at)).add(
                Condition::all().add(cases::Column::CreatedAt.eq(case.created_at)).add(cases::Column::Id.lte(case.id)),
            ),
        ),
    );
    Ok(cases::Entity::find()
        .filter(cases::Column::AgencyId.eq(agency))
        .filter(cases::Column::ApplicantIdNumber.eq(id_number))
        .filter(cases::Column::ReceivedOn.between(from, to))
        .filter(earlier)
        .count(c)
        .await?)
}

pub(crate) async fn load<C: ConnectionTrait>(c: &C, id: Uuid) -> Result<CaseRecord, StoreError> {
    cases::Entity::find_by_id(id)
        .one(c)
        .await?
        .map(CaseRecord::from)
        .ok_or_else(|| StoreError::not_found(format_args!("case {id}")))
}

/// The case's events in order. A case that does not exist is `NotFound`.
pub(crate) async fn events<C: ConnectionTrait>(c: &C, case_id: Uuid) -> Result<Vec<EventRecord>, StoreError> {
    let rows = case_events::Entity::find()
        .filter(case_events::Column::CaseId.eq(case_id))
        .order_by_asc(case_events::Column::Seq)
        .all(c)
        .await?;
    if rows.is_empty() && cases::Entity::find_by_id(case_id).one(c).await?.is_none() {
        return Err(StoreError::not_found(format_args!("case {case_id}")));
    }
    rows.into_iter().map(EventRecord::try_from).collect()
}

/// The case's events of the given kinds, in order (none for an unknown case).
pub(crate) async fn events_of_kinds<C: ConnectionTrait>(
    c: &C,
    case_id: Uuid,
    kinds: &[&str],
) -> Result<Vec<EventRecord>, StoreError> {
    let rows = case_events::Entity::find()
        .filter(case_events::Column::CaseId.eq(case_id))
        .filter(case_events::Column::Kind.is_in(kinds.iter().copied()))
        .order_by_asc(case_events::Column::Seq)
        .all(c)
        .await?;
    rows.into_iter().map(EventRecord::try_from).collect()
}
