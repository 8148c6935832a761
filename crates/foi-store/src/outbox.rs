//! Notifications to applicants: the outbox.
//!
//! An applicant never has to poll to learn that something happened to their application.
//! Every event that matters to them (receipt, a correction notice, an extension, a fee
//! notice, the reply, a "not handled" notice, and the closings they must know of) writes one
//! row to the `outbox` table **in the same transaction as the event** ([`notify`], called by
//! the one write path in [`crate::workflow`]): the event and its notification commit
//! together or not at all, so a refused or rolled-back change notifies no one.
//!
//! A row names its recipients: the applicant's account (`recipient_id`, whose notification
//! list shows it) and the e-mail address the application gave (`email`), either or both; a
//! case with neither gets no row. A row with an address starts [`Delivery::Pending`]; a row
//! without one is [`Delivery::InAppOnly`] and is never claimed.
//!
//! Delivery (the sender in `foi serve`) works by lease: [`Store::claim_notifications`] sets
//! `claimed_until` on a batch of due, unclaimed pending rows (with `FOR UPDATE SKIP LOCKED`
//! on PostgreSQL, so two replicas never claim the same row; SQLite serialises writers), the
//! sender delivers them and calls [`Store::mark_notification_sent`] or
//! [`Store::mark_notification_failed`] (exponential [`Backoff`], [`Delivery::Failed`] after
//! the last attempt). A sender that dies holding a lease loses nothing: the lease runs out
//! and the row is claimed again.
//!
//! Texts are plain Chinese, built here from the case and the event, and hold nothing the
//! applicant does not already know: their own case number, what they asked for, dates and
//! the agency's decision. Bodies and addresses are personal data: nothing here logs them,
//! and [`Notification`]'s `Debug` leaves them out.

use std::fmt;

use foi_domain::calendar::Calendar;
use foi_domain::lifecycle::{AgencyRules, Case, Context, Event};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, DbBackend, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use time::{Date, Duration, OffsetDateTime};
use uuid::Uuid;

use crate::entities::outbox;
use crate::{Agency, CaseRecord, Store, StoreError, Txn, sql};

/// What a notification tells the applicant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NotificationKind {
    /// The application was received (签收); the reply clock runs (Reg. 31, 33).
    Received,
    /// A correction notice (补正告知书) was sent (Reg. 30).
    CorrectionRequested,
    /// The correction period ended without a correction: the application is closed (Reg. 30).
    CorrectionLapsed,
    /// The applicant is asked to explain clearly excessive requests (Reg. 35).
    ReasonsRequested,
    /// A later reasonable reply date was set (Reg. 35).
    LaterReplyDate,
    /// The reply limit was extended (Reg. 33).
    Extended,
    /// An information-processing fee is due (Reg. 42).
    FeeDue,
    /// The fee was not paid in time: the application is closed (fee measures).
    FeeLapsed,
    /// The reply (答复) was given.
    Replied,
    /// The request is not handled as an application (Reg. 35, 36(6), 39).
    NotHandled,
}

impl NotificationKind {
    /// Every kind.
    pub const ALL: [NotificationKind; 10] = [
        NotificationKind::Received,
        NotificationKind::CorrectionRequested,
        NotificationKind::CorrectionLapsed,
        NotificationKind::ReasonsRequested,
        NotificationKind::LaterReplyDate,
        NotificationKind::Extended,
        NotificationKind::FeeDue,
        NotificationKind::FeeLapsed,
        NotificationKind::Replied,
        NotificationKind::NotHandled,
    ];

    /// The code stored in `outbox.kind`.
    pub fn code(self) -> &'static str {
        match self {
            NotificationKind::Received => "RECEIVED",
            NotificationKind::CorrectionRequested => "CORRECTION_REQUESTED",
            NotificationKind::CorrectionLapsed => "CORRECTION_LAPSED",
            NotificationKind::ReasonsRequested => "REASONS_REQUESTED",
            NotificationKind::LaterReplyDate => "LATER_REPLY_DATE",
            NotificationKind::Extended => "EXTENDED",
            NotificationKind::FeeDue => "FEE_DUE",
            NotificationKind::FeeLapsed => "FEE_LAPSED",
            NotificationKind::Replied => "REPLIED",
            NotificationKind::NotHandled => "NOT_HANDLED",
        }
    }

    /// The kind from its stored code.
    pub fn from_code(code: &str) -> Option<NotificationKind> {
        NotificationKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The notification an event gives the applicant, if any. Events of the agency's own
    /// work (registration, assignment, consultations, payment, archiving) and the
    /// applicant's own acts (submission, withdrawal) tell them nothing new.
    pub fn for_event(event: &Event) -> Option<NotificationKind> {
        Some(match event {
            Event::Received { .. } => NotificationKind::Received,
            Event::CorrectionRequested { .. } => NotificationKind::CorrectionRequested,
            Event::CorrectionLapsed { .. } => NotificationKind::CorrectionLapsed,
            Event::ReasonsRequested { .. } => NotificationKind::ReasonsRequested,
            Event::LaterReplyDateSet { .. } => NotificationKind::LaterReplyDate,
            Event::Extended { .. } => NotificationKind::Extended,
            Event::FeeNoticeIssued { .. } => NotificationKind::FeeDue,
            Event::FeeLapsed { .. } => NotificationKind::FeeLapsed,
            Event::Replied { .. } => NotificationKind::Replied,
            Event::NotHandled { .. } => NotificationKind::NotHandled,
            _ => return None,
        })
    }
}

/// Where a notification's e-mail is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Delivery {
    /// Waiting to be e-mailed (also while no mail server is configured).
    Pending,
    /// Accepted by the mail server.
    Sent,
    /// Given up: the server refused it for good, or the last attempt failed.
    Failed,
    /// No e-mail address: shown in the applicant's notification list only.
    InAppOnly,
}

impl Delivery {
    /// The code stored in `outbox.status`.
    pub fn code(self) -> &'static str {
        match self {
            Delivery::Pending => "PENDING",
            Delivery::Sent => "SENT",
            Delivery::Failed => "FAILED",
            Delivery::InAppOnly => "IN_APP_ONLY",
        }
    }

    /// The status from its stored code.
    pub fn from_code(code: &str) -> Option<Delivery> {
        [Delivery::Pending, Delivery::Sent, Delivery::Failed, Delivery::InAppOnly]
            .into_iter()
            .find(|d| d.code() == code)
    }
}

/// A notification to write.
#[derive(Clone, PartialEq, Eq)]
pub struct NewNotification {
    /// The case it tells of.
    pub case_id: Option<Uuid>,
    /// The applicant's account, whose notification list shows it.
    pub recipient_id: Option<Uuid>,
    /// The address to e-mail it to.
    pub email: Option<String>,
    /// What it tells.
    pub kind: NotificationKind,
    /// The subject line.
    pub subject: String,
    /// The plain-text body.
    pub body: String,
}

impl fmt::Debug for NewNotification {
    // Never the address or the body: personal data.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewNotification")
            .field("case_id", &self.case_id)
            .field("recipient_id", &self.recipient_id)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

/// A stored notification.
#[derive(Clone, PartialEq, Eq)]
pub struct Notification {
    pub id: Uuid,
    pub case_id: Option<Uuid>,
    pub recipient_id: Option<Uuid>,
    pub email: Option<String>,
    pub kind: NotificationKind,
    pub subject: String,
    pub body: String,
    pub delivery: Delivery,
    /// Delivery attempts that failed so far.
    pub attempts: u32,
    /// The earliest time of the next attempt.
    pub next_attempt_at: OffsetDateTime,
    /// The lease of the sender working on it, if any.
    pub claimed_until: Option<OffsetDateTime>,
    /// The last delivery error (the mail server's answer); never logged.
    pub last_error: Option<String>,
    pub sent_at: Option<OffsetDateTime>,
    /// When the recipient marked it read.
    pub read_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
}

impl fmt::Debug for Notification {
    // Never the address, the body or the mail server's answer: they may hold personal data.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Notification")
            .field("id", &self.id)
            .field("case_id", &self.case_id)
            .field("recipient_id", &self.recipient_id)
            .field("kind", &self.kind)
            .field("delivery", &self.delivery)
            .field("attempts", &self.attempts)
            .field("next_attempt_at", &self.next_attempt_at)
            .field("claimed_until", &self.claimed_until)
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}

impl TryFrom<outbox::Model> for Notification {
    type Error = StoreError;

    fn try_from(m: outbox::Model) -> Result<Self, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt { what: format!("{what} of notification {}", m.id) };
        Ok(Notification {
            kind: NotificationKind::from_code(&m.kind).ok_or_else(|| corrupt("kind"))?,
            delivery: Delivery::from_code(&m.status).ok_or_else(|| corrupt("status"))?,
            attempts: u32::try_from(m.attempts).map_err(|_| corrupt("attempts"))?,
            id: m.id,
            case_id: m.case_id,
            recipient_id: m.recipient_id,
            email: m.email,
            subject: m.subject,
            body: m.body,
            next_attempt_at: m.next_attempt_at,
            claimed_until: m.claimed_until,
            last_error: m.last_error,
            sent_at: m.sent_at,
            read_at: m.read_at,
            created_at: m.created_at,
        })
    }
}

/// How failed deliveries are retried: after `base`, then twice as long each time, at most
/// `max` apart; after `max_attempts` failed attempts the notification is [`Delivery::Failed`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    /// The wait after the first failure.
    pub base: Duration,
    /// The longest wait.
    pub max: Duration,
    /// Attempts before giving up.
    pub max_attempts: u32,
}

impl Default for Backoff {
    /// 30 s, 1 min, 2 min, … at most 1 h apart; 10 attempts (about 4 hours in all).
    fn default() -> Self {
        Backoff { base: Duration::seconds(30), max: Duration::hours(1), max_attempts: 10 }
    }
}

impl Backoff {
    /// The wait after the `failures`-th failed attempt (1-based).
    pub fn delay(&self, failures: u32) -> Duration {
        let doublings = failures.saturating_sub(1).min(30);
        let factor = 1i32 << doublings;
        self.base.checked_mul(factor).map_or(self.max, |d| d.min(self.max))
    }
}

/// What [`Store::mark_notification_failed`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureOutcome {
    /// Another attempt is due at this time.
    RetryAt(OffsetDateTime),
    /// No more attempts: the notification is [`Delivery::Failed`].
    GaveUp,
    /// The notification was not pending (already sent or given up): nothing changed.
    NotPending,
}

/// A position in a recipient's notification list (newest first): the last one seen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NotificationCursor {
    /// Its creation time.
    pub created_at: OffsetDateTime,
    /// Its id.
    pub id: Uuid,
}

impl NotificationCursor {
    /// The cursor just after `notification`.
    pub fn after(notification: &Notification) -> NotificationCursor {
        NotificationCursor { created_at: notification.created_at, id: notification.id }
    }

    /// An opaque text form: `<microseconds since 1970>_<id>`.
    pub fn encode(&self) -> String {
        sql::encode_position(self.created_at, self.id)
    }

    /// Reads [`NotificationCursor::encode`]'s form; `None` for anything else.
    pub fn decode(text: &str) -> Option<NotificationCursor> {
        let (created_at, id) = sql::decode_position(text)?;
        Some(NotificationCursor { created_at, id })
    }
}

/// The subject and body of a notification.
#[derive(Clone, PartialEq, Eq)]
pub struct Message {
    /// What it tells.
    pub kind: NotificationKind,
    /// The subject line, e.g. `政府信息公开申请已签收（游府信申〔2026〕17号）`.
    pub subject: String,
    /// The plain-text body.
    pub body: String,
}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Message").field("kind", &self.kind).finish_non_exhaustive()
    }
}

/// `2026年10月9日`.
pub fn zh_date(date: Date) -> String {
    format!("{}年{}月{}日", date.year(), u8::from(date.month()), date.day())
}

/// The longest part of the applicant's own request quoted in a notification.
const QUOTED_SUBJECT_CHARS: usize = 100;

/// The notification `event` gives the applicant of `record` (the case as the event left
/// it, with `case` its domain state), or `None` if the event tells them nothing new.
pub fn message_for(
    record: &CaseRecord,
    case: &Case,
    event: &Event,
    agency: &Agency,
    rules: &AgencyRules,
    calendar: &Calendar,
) -> Option<Message> {
    let kind = NotificationKind::for_event(event)?;
    let on = zh_date(event.on());
    let schedule = case.schedule(Context { calendar, rules }, event.on()).ok();
    let reply_due = record.reply_due_on.map(zh_date);
    let (title, text) = match event {
        // Reg. 31: the date of receipt; Reg. 33 ¶1: the reply within 20 working days of it.
        Event::Received { .. } => (
            "政府信息公开申请已签收",
            format!(
                "已于{on}签收{}。依照《中华人民共和国政府信息公开条例》第三十三条，本机关将自收到申请之日起20个工作日内予以答复{}。",
                // Reg. 31(3), rules.md §2: under the submission-day rule the date of receipt
                // was fixed at submission, and 签收 only acknowledges it.
                case.received_on
                    .filter(|r| *r != event.on())
                    .map(|r| format!("，收到申请之日为{}", zh_date(r)))
                    .unwrap_or_default(),
                reply_due.map(|d| format!("，答复期限至{d}")).unwrap_or_default()
            ),
        ),
        // Reg. 30: one notice listing everything to fix, a reasonable period, the count
        // restarts from the corrected application; no correction in time: abandoned.
        Event::CorrectionRequested { items, .. } => {
            let list: String =
                items.iter().enumerate().map(|(i, item)| format!("\n{}. {}", i + 1, item.trim())).collect();
            // The period runs from the applicant's receipt of the notice (its service): a date
            // is stated only once service fixes it; before, the period as the law gives it.
            let due = schedule.as_ref().and_then(|s| s.correction_due.as_ref()).map(|d| zh_date(d.date));
            let days = case.correction.as_ref().map_or(rules.correction_period_wd, |c| c.period(rules));
            (
                "政府信息公开申请需要补正",
                format!(
                    "需要补正。本机关于{on}依照《中华人民共和国政府信息公开条例》第三十条发出补正告知书，请对以下内容作出补正：{list}\n\n{}答复期限自本机关收到补正后的申请之日起重新计算。无正当理由逾期不补正的，视为放弃申请，本机关不再处理该申请。",
                    due.map_or_else(
                        || format!("请自收到补正告知书之日起{days}个工作日内提交补正。"),
                        |d| format!("请于{d}前提交补正。")
                    )
                ),
            )
        }
        // Reg. 30: deemed abandoned.
        Event::CorrectionLapsed { .. } => (
            "政府信息公开申请已终止：逾期未补正",
            format!(
                "因未在补正期限内补正，依照《中华人民共和国政府信息公开条例》第三十条视为放弃申请，本机关于{on}终止办理。"
            ),
        ),
        // Reg. 35: clearly excessive requests; the agency may ask for reasons.
        Event::ReasonsRequested { .. } => (
            "政府信息公开申请：请说明理由",
            format!(
                "，本机关认为申请的数量、频次明显超过合理范围，于{on}依照《中华人民共和国政府信息公开条例》第三十五条要求您说明理由。理由不合理的，本机关告知不予处理；理由合理但无法在规定期限内答复的，本机关将确定延迟答复的合理期限并告知您。"
            ),
        ),
        // Reg. 35: a later reasonable reply date, notified.
        Event::LaterReplyDateSet { reply_by, .. } => (
            "政府信息公开申请：延迟答复",
            format!(
                "，经审查，本机关于{on}依照《中华人民共和国政府信息公开条例》第三十五条确定延迟答复，答复期限至{}。",
                zh_date(*reply_by)
            ),
        ),
        // Reg. 33 ¶1: once, at most 20 working days, with the office head's consent, notified.
        Event::Extended { working_days, .. } => (
            "政府信息公开申请：答复期限延长",
            format!(
                "需要延长答复期限。经政府信息公开工作机构负责人同意，依照《中华人民共和国政府信息公开条例》第三十三条，答复期限自{on}起延长{working_days}个工作日{}。",
                reply_due.map(|d| format!("，延长后的答复期限至{d}")).unwrap_or_default()
            ),
        ),
        // Reg. 42 and the fee measures: pay within 20 working days, or it is abandoned.
        Event::FeeNoticeIssued { amount_yuan, basis, .. } => {
            let due = schedule.as_ref().and_then(|s| s.fee_payment_due.as_ref()).map(|d| zh_date(d.date));
            (
                "政府信息公开申请：信息处理费缴费通知",
                format!(
                    "需要缴纳信息处理费。本机关于{on}依照《中华人民共和国政府信息公开条例》第四十二条发出收费通知：应缴纳信息处理费{amount_yuan}元（{}）。{}逾期未缴纳的，视为放弃申请，本机关不再处理该申请。{}",
                    basis.label_zh(),
                    // 国办函〔2020〕109号: from the day after receipt (service); a date only once served.
                    due.map_or_else(
                        || "请自收到收费通知书次日起20个工作日内缴纳。".to_owned(),
                        |d| format!("请于{d}前缴纳。")
                    ),
                    if rules.fee_pauses_clock { "等待缴费的时间不计算在答复期限内。" } else { "" }
                ),
            )
        }
        Event::FeeLapsed { .. } => (
            "政府信息公开申请已终止：逾期未缴费",
            format!("因未在规定期限内缴纳信息处理费，视为放弃申请，本机关于{on}终止办理。"),
        ),
        // rules.md §5: every reply carries the remedy clause; the letter is the authority.
        Event::Replied { outcome, .. } => (
            "政府信息公开申请已答复",
            format!(
                "，本机关已于{on}作出答复（{}）。请查收答复书；答复书载明了所依据的法律条款和救济途径，如对答复不服，可依法申请行政复议或者提起行政诉讼，具体期限和途径以答复书为准。",
                outcome.label_zh()
            ),
        ),
        // Reg. 35, 36(6), 39.
        Event::NotHandled { reason, explanation, .. } => (
            "政府信息公开申请：不予处理告知",
            format!(
                "，经审查，本机关于{on}告知：该申请不作为政府信息公开申请处理（{}）。{}",
                reason.outcome().label_zh(),
                explanation.trim()
            ),
        ),
        _ => return None,
    };
    let number = record.case_number.as_deref().map(|n| format!("（{n}）")).unwrap_or_default();
    let quoted: String = record.subject.chars().take(QUOTED_SUBJECT_CHARS).collect();
    let ellipsis = if record.subject.chars().count() > QUOTED_SUBJECT_CHARS { "……" } else { "" };
    let subject = format!("{title}{number}");
    let body = format!(
        "您好：\n\n您向{agency}提出的政府信息公开申请{number}{text}\n\n申请内容：{quoted}{ellipsis}\n\n\
         本通知由系统自动发送，请勿直接回复；登录申请平台可查看办理进度。\n\n{agency}\n{on}\n",
        agency = agency.name,
    );
    Some(Message { kind, subject, body })
}

/// Writes the notification `event` gives the applicant of `record`, inside `txn` (the
/// event's own transaction): one row addressed to the applicant's account and e-mail, or
/// nothing if the event tells them nothing new, the case has neither, or it was imported
/// from an earlier register (its events are history, not news).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn notify(
    txn: &Txn,
    record: &CaseRecord,
    case: &Case,
    event: &Event,
    agency: &Agency,
    rules: &AgencyRules,
    calendar: &Calendar,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    if record.imported {
        return Ok(());
    }
    let email = record.applicant_email.as_deref().map(str::trim).filter(|e| !e.is_empty()).map(str::to_owned);
    if record.applicant_id.is_none() && email.is_none() {
        return Ok(());
    }
    let Some(message) = message_for(record, case, event, agency, rules, calendar) else {
        return Ok(());
    };
    let new = NewNotification {
        case_id: Some(record.id),
        recipient_id: record.applicant_id,
        email,
        kind: message.kind,
        subject: message.subject,
        body: message.body,
    };
    txn.insert_notification(new, now).await?;
    Ok(())
}

impl Txn {
    /// Writes a notification as part of this transaction and returns its id. With an
    /// e-mail address it is [`Delivery::Pending`] and due at once; without one it is
    /// [`Delivery::InAppOnly`].
    pub async fn insert_notification(&self, new: NewNotification, now: OffsetDateTime) -> Result<Uuid, StoreError> {
        let now = sql::instant(now);
        let email = new.email.map(|e| e.trim().to_owned()).filter(|e| !e.is_empty());
        let delivery = if email.is_some() { Delivery::Pending } else { Delivery::InAppOnly };
        // Time-ordered ids: notifications written in the same microsecond still list in
        // the order they were written.
        let id = Uuid::now_v7();
        outbox::Entity::insert(outbox::ActiveModel {
            id: Set(id),
            case_id: Set(new.case_id),
            recipient_id: Set(new.recipient_id),
            email: Set(email),
            kind: Set(new.kind.code().to_owned()),
            subject: Set(new.subject),
            body: Set(new.body),
            status: Set(delivery.code().to_owned()),
            attempts: Set(0),
            next_attempt_at: Set(now),
            claimed_until: Set(None),
            last_error: Set(None),
            sent_at: Set(None),
            read_at: Set(None),
            created_at: Set(now),
        })
        .exec_without_returning(&self.inner)
        .await?;
        Ok(id)
    }
}

/// The longest delivery error kept.
const MAX_ERROR_CHARS: usize = 500;

impl Store {
    /// Claims up to `limit` notifications due for delivery at `now`: pending, due
    /// (`next_attempt_at <= now`) and not under another sender's live lease. Each gets the
    /// lease `claimed_until = now + lease`, within which the caller delivers it and marks it
    /// sent or failed; if it does neither (it crashed), the row is claimed again once the
    /// lease has run out. On PostgreSQL the candidate rows are locked with `FOR UPDATE SKIP
    /// LOCKED`, so concurrent claimers (several replicas) never get the same row; on SQLite
    /// the transaction holds the database's write lock. Oldest due first.
    pub async fn claim_notifications(
        &self,
        now: OffsetDateTime,
        lease: Duration,
        limit: u64,
    ) -> Result<Vec<Notification>, StoreError> {
        let now = sql::instant(now);
        let until = sql::instant(now + lease);
        let lock = match self.backend {
            crate::Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            crate::Backend::Sqlite => "",
        };
        let backend = if self.backend == crate::Backend::Postgres { DbBackend::Postgres } else { DbBackend::Sqlite };
        let text = format!(
            "UPDATE outbox SET claimed_until = ? WHERE id IN (\
             SELECT id FROM outbox WHERE status = ? AND next_attempt_at <= ? \
             AND (claimed_until IS NULL OR claimed_until <= ?) \
             ORDER BY next_attempt_at, created_at, id LIMIT ?{lock}) RETURNING *"
        );
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let stmt = sql::stmt(
            backend,
            &text,
            [until.into(), Delivery::Pending.code().into(), now.into(), now.into(), limit.into()],
        );
        let txn = self.begin().await?;
        let rows = outbox::Entity::find().from_raw_sql(stmt).all(&txn.inner).await?;
        txn.commit().await?;
        let mut claimed = rows.into_iter().map(Notification::try_from).collect::<Result<Vec<_>, _>>()?;
        claimed.sort_by_key(|n| (n.next_attempt_at, n.created_at, n.id));
        Ok(claimed)
    }

    /// Marks a pending notification sent at `now` (its lease ends). `false` if it was not
    /// pending (already sent, or given up).
    pub async fn mark_notification_sent(&self, id: Uuid, now: OffsetDateTime) -> Result<bool, StoreError> {
        let result = outbox::Entity::update_many()
            .col_expr(outbox::Column::Status, Expr::value(Delivery::Sent.code()))
            .col_expr(outbox::Column::SentAt, Expr::value(sql::instant(now)))
            .col_expr(outbox::Column::ClaimedUntil, Expr::value(Option::<OffsetDateTime>::None))
            .filter(outbox::Column::Id.eq(id))
            .filter(outbox::Column::Status.eq(Delivery::Pending.code()))
            .exec(&self.db)
            .await?;
        Ok(result.rows_affected == 1)
    }

    /// Records a failed delivery attempt at `now` and ends the lease. The next attempt is
    /// due after [`Backoff::delay`]; a `permanent` failure (the mail server refused the
    /// message for good) or the last allowed attempt gives up ([`Delivery::Failed`]).
    /// `error` is kept (cut to 500 characters) for the administrator, never logged.
    pub async fn mark_notification_failed(
        &self,
        id: Uuid,
        now: OffsetDateTime,
        error: &str,
        permanent: bool,
        backoff: &Backoff,
    ) -> Result<FailureOutcome, StoreError> {
        let now = sql::instant(now);
        let error: String = error.chars().take(MAX_ERROR_CHARS).collect();
        let txn = self.begin().await?;
        let row = outbox::Entity::find_by_id(id)
            .filter(outbox::Column::Status.eq(Delivery::Pending.code()))
            .one(&txn.inner)
            .await?;
        let Some(row) = row else {
            txn.rollback().await?;
            return Ok(FailureOutcome::NotPending);
        };
        let failures = u32::try_from(row.attempts).unwrap_or(0).saturating_add(1);
        let outcome = if permanent || failures >= backoff.max_attempts {
            FailureOutcome::GaveUp
        } else {
            FailureOutcome::RetryAt(sql::instant(now + backoff.delay(failures)))
        };
        let mut update = outbox::Entity::update_many()
            .col_expr(outbox::Column::Attempts, Expr::value(i32::try_from(failures).unwrap_or(i32::MAX)))
            .col_expr(outbox::Column::LastError, Expr::value(error))
            .col_expr(outbox::Column::ClaimedUntil, Expr::value(Option::<OffsetDateTime>::None));
        update = match outcome {
            FailureOutcome::RetryAt(at) => update.col_expr(outbox::Column::NextAttemptAt, Expr::value(at)),
            _ => update.col_expr(outbox::Column::Status, Expr::value(Delivery::Failed.code())),
        };
        update.filter(outbox::Column::Id.eq(id)).exec(&txn.inner).await?;
        txn.commit().await?;
        Ok(outcome)
    }

    /// One notification, or `NotFound`.
    pub async fn notification(&self, id: Uuid) -> Result<Notification, StoreError> {
        outbox::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or_else(|| StoreError::not_found(format_args!("notification {id}")))?
            .try_into()
    }

    /// The notifications of one account, newest first: up to `limit` after `after`.
    pub async fn notifications_of(
        &self,
        recipient_id: Uuid,
        after: Option<NotificationCursor>,
        limit: u64,
    ) -> Result<Vec<Notification>, StoreError> {
        let mut select = outbox::Entity::find().filter(outbox::Column::RecipientId.eq(recipient_id));
        if let Some(cursor) = after {
            // Newest first.
            let (at, id) = (outbox::Column::CreatedAt, outbox::Column::Id);
            select = select.filter(sql::after_position(at, id, cursor.created_at, cursor.id, true));
        }
        let rows = select
            .order_by_desc(outbox::Column::CreatedAt)
            .order_by_desc(outbox::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?;
        rows.into_iter().map(Notification::try_from).collect()
    }

    /// How many notifications of the account are unread.
    pub async fn unread_notification_count(&self, recipient_id: Uuid) -> Result<u64, StoreError> {
        Ok(outbox::Entity::find()
            .filter(outbox::Column::RecipientId.eq(recipient_id))
            .filter(outbox::Column::ReadAt.is_null())
            .count(&self.db)
            .await?)
    }

    /// Marks the recipient's own notification read at `now` (a second time keeps the first
    /// time). Another account's notification, or none, is `NotFound`.
    pub async fn mark_notification_read(
        &self,
        id: Uuid,
        recipient_id: Uuid,
        now: OffsetDateTime,
    ) -> Result<Notification, StoreError> {
        let own = || Condition::all().add(outbox::Column::Id.eq(id)).add(outbox::Column::RecipientId.eq(recipient_id));
        outbox::Entity::update_many()
            .col_expr(outbox::Column::ReadAt, Expr::value(sql::instant(now)))
            .filter(own())
            .filter(outbox::Column::ReadAt.is_null())
            .exec(&self.db)
            .await?;
        outbox::Entity::find()
            .filter(own())
            .one(&self.db)
            .await?
            .ok_or_else(|| StoreError::not_found(format_args!("notification {id}")))?
            .try_into()
    }

    /// How many notifications are not sent yet, due or waiting for a retry (the backlog
    /// gauge of `/metrics`).
    pub async fn unsent_notifications(&self) -> Result<u64, StoreError> {
        Ok(outbox::Entity::find().filter(outbox::Column::Status.eq(Delivery::Pending.code())).count(&self.db).await?)
    }

    /// How many pending notifications are due at `now`, for the sender's log line.
    pub async fn notification_backlog(&self, now: OffsetDateTime) -> Result<u64, StoreError> {
        Ok(outbox::Entity::find()
            .filter(outbox::Column::Status.eq(Delivery::Pending.code()))
            .filter(outbox::Column::NextAttemptAt.lte(sql::instant(now)))
            .count(&self.db)
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_its_ceiling() {
        let b = Backoff { base: Duration::seconds(30), max: Duration::minutes(5), max_attempts: 5 };
        let delays: Vec<i64> = (1..=6).map(|n| b.delay(n).whole_seconds()).collect();
        assert_eq!(delays, [30, 60, 120, 240, 300, 300]);
        assert_eq!(b.delay(200), Duration::minutes(5));
    }

    #[test]
    fn cursors_round_trip_and_refuse_garbage() {
        let c = NotificationCursor {
            created_at: time::macros::datetime!(2026-10-09 01:02:03.456789 UTC),
            id: Uuid::now_v7(),
        };
        assert_eq!(NotificationCursor::decode(&c.encode()), Some(c));
        assert_eq!(NotificationCursor::decode("garbage"), None);
        assert_eq!(NotificationCursor::decode("12_notauuid"), None);
    }

    #[test]
    fn codes_round_trip() {
        for k in NotificationKind::ALL {
            assert_eq!(NotificationKind::from_code(k.code()), Some(k));
        }
        for d in [Delivery::Pending, Delivery::Sent, Delivery::Failed, Delivery::InAppOnly] {
            assert_eq!(Delivery::from_code(d.code()), Some(d));
        }
    }
}
