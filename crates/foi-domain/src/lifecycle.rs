//! The lifecycle of an application: stages, events, and the one transition table.
//!
//! The district's rules name six stages of work (Reg. 45 requires a work system for them):
//! 签收 receipt, 登记 registration, 审核 review, 办理 handling, 答复 reply, 归档 archiving.
//! A case moves between [`Stage`]s only through an [`Event`], and only where
//! [`transition`] (the table) allows the pair *and* the guards in [`Case::apply`] accept the
//! event's facts. A refused event is a typed [`TransitionError`] naming the stage and event.
//!
//! Four concerns are kept apart, because mixing them is what breaks peer systems:
//! - the workflow [`Stage`];
//! - the [`Outcome`], set exactly once, when the case concludes;
//! - the state of each clock ([`ClockState`], derived in [`Case::schedule`]);
//! - visibility, decided by [`crate::privacy`] and the API, never by the stage.
//!
//! The event log is the truth. A [`Case`] is a fold of its events ([`Case::replay`]); every
//! deadline is derived from the case and the [`Calendar`] in [`Case::schedule`], never typed
//! in by hand and never stored as the source of truth.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::applicant::{Channel, OnlineReceipt};
use crate::calendar::{Calendar, CalendarError};
use crate::clock::{
    self, CONSULTATION, CORRECTION_NOTICE, ClockReading, ClockState, Deadline, FEE_PAYMENT, MAX_EXTENSION, Pause,
    REPLY, ReplyClock,
};
use crate::fee::FeeBasis;
use crate::outcome::{Outcome, OutcomeGroup};
use crate::reasons::{InformationHolder, WithheldItem, WithholdingGround, articles_cited};
pub use crate::service::{ServedNotice, Service, ServiceMethod};

/// The longest reason an extension request or refusal may give, in characters: a
/// paragraph of a notice, not a file.
pub const EXTENSION_REASON_MAX: usize = 500;

/// The correction periods a notice may set itself, in working days. Reg. 30 asks only for a
/// "reasonable" period; a day is the least that lets anyone act, and 60 working days (about
/// three months) is already longer than the whole reply period with its extension.
pub const CORRECTION_PERIOD_RANGE: std::ops::RangeInclusive<u32> = 1..=60;

/// The limits an agency may configure (rules.md marks them **configurable**).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgencyRules {
    /// The period the applicant has to correct an application, in working days (Reg. 30:
    /// "a reasonable period"; default 15).
    pub correction_period_wd: u32,
    /// A case is "due soon" with at most this many working days left (default 5).
    pub due_soon_wd: u32,
    /// Whether the reply clock stops while a fee notice is unpaid (default: it stops).
    pub fee_pauses_clock: bool,
    /// How an online submission's date of receipt is fixed (Reg. 31(3); rules.md §2;
    /// default: the day of submission, or the next working day).
    #[serde(default)]
    pub online_receipt: OnlineReceipt,
}

impl Default for AgencyRules {
    fn default() -> Self {
        AgencyRules {
            correction_period_wd: clock::DEFAULT_CORRECTION_PERIOD.working_days,
            due_soon_wd: 5,
            fee_pauses_clock: true,
            online_receipt: OnlineReceipt::SubmissionDay,
        }
    }
}

/// Where a case is in the workflow. Says nothing about its outcome or its clocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Stage {
    /// Not yet recorded: the state before the first event.
    New,
    /// Submitted online, waiting for a clerk to sign for it (签收); the clock has not started.
    Submitted,
    /// Received (签收): the date of receipt is fixed and the reply clock runs (Reg. 31).
    Received,
    /// Registered with a case number (登记) and under review (审核).
    InReview,
    /// A correction notice (补正告知书) was sent; waiting for the corrected application (Reg. 30).
    AwaitingCorrection,
    /// Asked to explain clearly excessive requests (Reg. 35).
    AwaitingReasons,
    /// Being handled (办理) by the department or officer that holds the information.
    Handling,
    /// Replied (答复): concluded with a reply letter or a "not handled" notice.
    Replied,
    /// Closed without a reply: withdrawn, correction not made, or fee not paid.
    Closed,
    /// Archived (归档): the file is closed and kept unchanged. Nothing happens after this.
    Archived,
}

impl Stage {
    /// Every stage, in workflow order.
    pub const ALL: [Stage; 10] = [
        Stage::New,
        Stage::Submitted,
        Stage::Received,
        Stage::InReview,
        Stage::AwaitingCorrection,
        Stage::AwaitingReasons,
        Stage::Handling,
        Stage::Replied,
        Stage::Closed,
        Stage::Archived,
    ];

    /// Whether the case is concluded (replied, closed or archived).
    pub fn is_concluded(self) -> bool {
        matches!(self, Stage::Replied | Stage::Closed | Stage::Archived)
    }

    /// Whether the case is open work for the agency (received and not concluded).
    pub fn is_open(self) -> bool {
        !self.is_concluded() && !matches!(self, Stage::New | Stage::Submitted)
    }

    /// The code used in storage and the API, e.g. `IN_REVIEW`.
    pub fn code(self) -> &'static str {
        match self {
            Stage::New => "NEW",
            Stage::Submitted => "SUBMITTED",
            Stage::Received => "RECEIVED",
            Stage::InReview => "IN_REVIEW",
            Stage::AwaitingCorrection => "AWAITING_CORRECTION",
            Stage::AwaitingReasons => "AWAITING_REASONS",
            Stage::Handling => "HANDLING",
            Stage::Replied => "REPLIED",
            Stage::Closed => "CLOSED",
            Stage::Archived => "ARCHIVED",
        }
    }

    /// The stage from its code.
    pub fn from_code(code: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The Chinese name shown to users.
    pub fn label_zh(self) -> &'static str {
        match self {
            Stage::New => "新建",
            Stage::Submitted => "待签收",
            Stage::Received => "已签收",
            Stage::InReview => "审核中",
            Stage::AwaitingCorrection => "待补正",
            Stage::AwaitingReasons => "待说明理由",
            Stage::Handling => "办理中",
            Stage::Replied => "已答复",
            Stage::Closed => "已终止",
            Stage::Archived => "已归档",
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Whom a consultation letter goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ConsultedParty {
    /// A third party whose lawful rights disclosure may harm (征求第三方意见, Reg. 32).
    ThirdParty,
    /// Another agency that co-produced the information (征求共同制作机关意见, Reg. 34).
    CoProducer,
}

/// How a consultation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ConsultationResult {
    /// The party agreed to disclosure.
    Consented,
    /// The party objected with reasons (Reg. 32: then no disclosure, unless a major public
    /// interest is found and the party told in writing).
    Objected,
    /// No opinion within 15 working days (for a co-producer, silence is consent, Reg. 34).
    NoReply,
}

/// Why an application is not handled as one (rules.md §2, table rows (五)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum NotHandledReason {
    /// A petition, complaint or report dressed as an application (Reg. 39 ¶1).
    Petition,
    /// A repeat of an application already answered (Reg. 36(6)).
    Repeat,
    /// A request for a published book or gazette (Reg. 39 ¶2).
    Publication,
    /// Clearly excessive requests without good reason (Reg. 35).
    Excessive,
    /// Asks to confirm or re-issue information already obtained.
    ConfirmOrReissue,
}

impl NotHandledReason {
    /// The outcome row this reason is counted in.
    pub fn outcome(self) -> Outcome {
        match self {
            NotHandledReason::Petition => Outcome::NotHandledPetition,
            NotHandledReason::Repeat => Outcome::NotHandledRepeat,
            NotHandledReason::Publication => Outcome::NotHandledPublication,
            NotHandledReason::Excessive => Outcome::NotHandledExcessive,
            NotHandledReason::ConfirmOrReissue => Outcome::NotHandledConfirmOrReissue,
        }
    }
}

/// Something that happened to a case, with the legal date it happened on.
///
/// Who did it and when it was recorded belong to the audit log around the event; the
/// domain needs only the facts that decide what is allowed and what the deadlines are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Event {
    /// The applicant submitted online. `received_on` is the date of receipt fixed at
    /// submission under the agency's rule then in force ([`OnlineReceipt::SubmissionDay`]:
    /// the day itself or the next working day, Reg. 31(3), rules.md §2); it is kept in the
    /// event so that replaying never recomputes it from a rule changed since. `None` (and
    /// every event stored before the field existed): the date of receipt is the day a clerk
    /// signs for it ([`OnlineReceipt::ClerkConfirmation`]).
    Submitted {
        on: Date,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        received_on: Option<Date>,
    },
    /// Receipt (签收): fixes the date of receipt, which starts the clock (Reg. 31). For an
    /// online application, the day the clerk acknowledges it, unless the submission already
    /// fixed it (then 签收 only acknowledges it and moves no date).
    Received { on: Date, channel: Channel },
    /// Registration (登记) under a case number.
    Registered { on: Date, case_number: String },
    /// Review (审核) found a complete disclosure application: on to handling.
    Accepted { on: Date },
    /// Assigned to the officer who holds the information.
    Assigned { on: Date, officer: String },
    /// One correction notice listing everything to fix (Reg. 30), sent in review or in
    /// handling. `period_wd` is the correction period the notice itself set (Reg. 30: "合理的
    /// 补正期限"), in working days; `None` (and every event stored before the field existed)
    /// means the agency's default, [`AgencyRules::correction_period_wd`].
    CorrectionRequested {
        on: Date,
        items: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        period_wd: Option<u32>,
    },
    /// The corrected application arrived: the clock restarts from this day (Reg. 30).
    CorrectionReceived { on: Date },
    /// The correction period ended without a correction: deemed abandoned (Reg. 30).
    CorrectionLapsed { on: Date },
    /// The applicant was asked to explain clearly excessive requests (Reg. 35).
    ReasonsRequested { on: Date },
    /// The applicant gave reasons (Reg. 35), their text the event's reason. The office then
    /// finds them reasonable ([`Event::ReasonsReceived`]) or not ([`Event::NotHandled`] as
    /// excessive).
    ReasonsGiven { on: Date },
    /// The applicant's reasons arrived and were found reasonable (Reg. 35).
    ReasonsReceived { on: Date },
    /// A later reasonable reply date was set and notified (Reg. 35).
    LaterReplyDateSet { on: Date, reply_by: Date },
    /// A consultation letter was sent (Reg. 32, 34); its time is not counted (Reg. 33 ¶2).
    ConsultationOpened { on: Date, party: ConsultedParty, name: String },
    /// A consultation ended; `number` is its 1-based order among the case's consultations.
    ConsultationClosed { on: Date, number: u32, result: ConsultationResult },
    /// A case worker asked the head of the disclosure office to extend the reply limit
    /// (Reg. 33 ¶1), giving the working days and the reason printed on the extension notice.
    ExtensionRequested { on: Date, working_days: u32, reason: String },
    /// The head of the disclosure office refused the requested extension (Reg. 33 ¶1:
    /// "经政府信息公开工作机构负责人同意"); no extension was used, so a new request may follow.
    ExtensionRefused { on: Date, approver: String, reason: String },
    /// The reply limit was extended (Reg. 33 ¶1): once, by at most 20 working days, with the
    /// consent of the head of the disclosure office. It approves the pending
    /// [`Event::ExtensionRequested`] and carries its days and reason. Stored before requests
    /// existed, it has no reason and no request before it.
    Extended {
        on: Date,
        working_days: u32,
        approver: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// An information-processing fee notice was issued (Reg. 42).
    FeeNoticeIssued { on: Date, amount_yuan: u32, basis: FeeBasis },
    /// The fee was paid.
    FeePaid { on: Date },
    /// The payment period ended unpaid: deemed abandoned (fee measures).
    FeeLapsed { on: Date },
    /// The reply (答复), with its outcome and the legal basis of any refusal (Reg. 36–38).
    ///
    /// `withheld` lists what a refusal or partial disclosure withholds and on which ground
    /// (Reg. 36(3), 37); `holder` names the agency holding information this agency does not
    /// (Reg. 36(5)). `from_register` marks a reply taken over from an agency's existing
    /// register (从原台账导入), which may lack structured reasons; only the import sets it.
    Replied {
        on: Date,
        outcome: Outcome,
        legal_basis: Option<String>,
        on_the_spot: bool,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        withheld: Vec<WithheldItem>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        holder: Option<InformationHolder>,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        from_register: bool,
    },
    /// Told that the request is not handled as an application (Reg. 35, 36(6), 39).
    NotHandled { on: Date, reason: NotHandledReason, explanation: String },
    /// The applicant withdrew the application before the reply.
    Withdrawn { on: Date },
    /// The file was archived (归档).
    Archived { on: Date },
    /// A notice or the decision was served (送达) on its addressee, on `on`, by `method`.
    /// Periods the law counts from the addressee's receipt run from this day, day 0 not
    /// counted (国办函〔2020〕109号 for the fee, Reg. 32 for the third party, Reg. 30 for the
    /// correction). Usually recorded after the fact, so it may be dated before the previous
    /// event, never before the notice itself.
    Served {
        on: Date,
        notice: ServedNotice,
        method: ServiceMethod,
        /// The served document's id, as the store knows it (for the audit trail).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        document_id: Option<String>,
        /// Who signed for it (签收人), if recorded.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        recipient: Option<String>,
    },
}

impl Event {
    /// A reply on `on` with `outcome` and nothing more: no legal basis, nothing withheld, no
    /// holder named, not on the spot, not from a register. What a disclosure (Reg. 36(1)–(2))
    /// needs; a refusal adds its reasons (Reg. 36(3), 37) to the fields.
    pub fn reply(on: Date, outcome: Outcome) -> Event {
        Event::Replied {
            on,
            outcome,
            legal_basis: None,
            on_the_spot: false,
            withheld: vec![],
            holder: None,
            from_register: false,
        }
    }
}

/// The kind of an [`Event`], without its facts: the columns of the transition table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[allow(missing_docs)]
pub enum EventKind {
    Submitted,
    Received,
    Registered,
    Accepted,
    Assigned,
    CorrectionRequested,
    CorrectionReceived,
    CorrectionLapsed,
    ReasonsRequested,
    ReasonsGiven,
    ReasonsReceived,
    LaterReplyDateSet,
    ConsultationOpened,
    ConsultationClosed,
    Extended,
    ExtensionRequested,
    ExtensionRefused,
    FeeNoticeIssued,
    FeePaid,
    FeeLapsed,
    Replied,
    NotHandled,
    Withdrawn,
    Archived,
    Served,
}

impl EventKind {
    /// Every event kind.
    pub const ALL: [EventKind; 25] = [
        EventKind::Submitted,
        EventKind::Received,
        EventKind::Registered,
        EventKind::Accepted,
        EventKind::Assigned,
        EventKind::CorrectionRequested,
        EventKind::CorrectionReceived,
        EventKind::CorrectionLapsed,
        EventKind::ReasonsRequested,
        EventKind::ReasonsGiven,
        EventKind::ReasonsReceived,
        EventKind::LaterReplyDateSet,
        EventKind::ConsultationOpened,
        EventKind::ConsultationClosed,
        EventKind::Extended,
        EventKind::ExtensionRequested,
        EventKind::ExtensionRefused,
        EventKind::FeeNoticeIssued,
        EventKind::FeePaid,
        EventKind::FeeLapsed,
        EventKind::Replied,
        EventKind::NotHandled,
        EventKind::Withdrawn,
        EventKind::Archived,
        EventKind::Served,
    ];

    /// The code used in storage and the audit log, e.g. `CORRECTION_REQUESTED`.
    pub fn code(self) -> &'static str {
        match self {
            EventKind::Submitted => "SUBMITTED",
            EventKind::Received => "RECEIVED",
            EventKind::Registered => "REGISTERED",
            EventKind::Accepted => "ACCEPTED",
            EventKind::Assigned => "ASSIGNED",
            EventKind::CorrectionRequested => "CORRECTION_REQUESTED",
            EventKind::CorrectionReceived => "CORRECTION_RECEIVED",
            EventKind::CorrectionLapsed => "CORRECTION_LAPSED",
            EventKind::ReasonsRequested => "REASONS_REQUESTED",
            EventKind::ReasonsGiven => "REASONS_GIVEN",
            EventKind::ReasonsReceived => "REASONS_RECEIVED",
            EventKind::LaterReplyDateSet => "LATER_REPLY_DATE_SET",
            EventKind::ConsultationOpened => "CONSULTATION_OPENED",
            EventKind::ConsultationClosed => "CONSULTATION_CLOSED",
            EventKind::Extended => "EXTENDED",
            EventKind::ExtensionRequested => "EXTENSION_REQUESTED",
            EventKind::ExtensionRefused => "EXTENSION_REFUSED",
            EventKind::FeeNoticeIssued => "FEE_NOTICE_ISSUED",
            EventKind::FeePaid => "FEE_PAID",
            EventKind::FeeLapsed => "FEE_LAPSED",
            EventKind::Replied => "REPLIED",
            EventKind::NotHandled => "NOT_HANDLED",
            EventKind::Withdrawn => "WITHDRAWN",
            EventKind::Archived => "ARCHIVED",
            EventKind::Served => "SERVED",
        }
    }

    /// The event kind from its code, as stored in the audit log.
    pub fn from_code(code: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The Chinese name shown in the case history.
    pub fn label_zh(self) -> &'static str {
        match self {
            EventKind::Submitted => "网上提交申请",
            EventKind::Received => "签收",
            EventKind::Registered => "登记",
            EventKind::Accepted => "审核通过，转办理",
            EventKind::Assigned => "分派承办人",
            EventKind::CorrectionRequested => "发出补正告知书",
            EventKind::CorrectionReceived => "收到补正申请",
            EventKind::CorrectionLapsed => "逾期未补正",
            EventKind::ReasonsRequested => "要求说明理由",
            EventKind::ReasonsGiven => "申请人说明理由",
            EventKind::ReasonsReceived => "收到理由说明",
            EventKind::LaterReplyDateSet => "确定延迟答复期限",
            EventKind::ConsultationOpened => "征求意见",
            EventKind::ConsultationClosed => "征求意见结束",
            EventKind::Extended => "延期答复",
            EventKind::ExtensionRequested => "申请延期答复",
            EventKind::ExtensionRefused => "不同意延期答复",
            EventKind::FeeNoticeIssued => "发出收费通知",
            EventKind::FeePaid => "缴纳信息处理费",
            EventKind::FeeLapsed => "逾期未缴费",
            EventKind::Replied => "答复",
            EventKind::NotHandled => "告知不作为政府信息公开申请处理",
            EventKind::Withdrawn => "撤回申请",
            EventKind::Archived => "归档",
            EventKind::Served => "送达",
        }
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Event {
    /// The event's kind.
    pub fn kind(&self) -> EventKind {
        match self {
            Event::Submitted { .. } => EventKind::Submitted,
            Event::Received { .. } => EventKind::Received,
            Event::Registered { .. } => EventKind::Registered,
            Event::Accepted { .. } => EventKind::Accepted,
            Event::Assigned { .. } => EventKind::Assigned,
            Event::CorrectionRequested { .. } => EventKind::CorrectionRequested,
            Event::CorrectionReceived { .. } => EventKind::CorrectionReceived,
            Event::CorrectionLapsed { .. } => EventKind::CorrectionLapsed,
            Event::ReasonsRequested { .. } => EventKind::ReasonsRequested,
            Event::ReasonsGiven { .. } => EventKind::ReasonsGiven,
            Event::ReasonsReceived { .. } => EventKind::ReasonsReceived,
            Event::LaterReplyDateSet { .. } => EventKind::LaterReplyDateSet,
            Event::ConsultationOpened { .. } => EventKind::ConsultationOpened,
            Event::ConsultationClosed { .. } => EventKind::ConsultationClosed,
            Event::Extended { .. } => EventKind::Extended,
            Event::ExtensionRequested { .. } => EventKind::ExtensionRequested,
            Event::ExtensionRefused { .. } => EventKind::ExtensionRefused,
            Event::FeeNoticeIssued { .. } => EventKind::FeeNoticeIssued,
            Event::FeePaid { .. } => EventKind::FeePaid,
            Event::FeeLapsed { .. } => EventKind::FeeLapsed,
            Event::Replied { .. } => EventKind::Replied,
            Event::NotHandled { .. } => EventKind::NotHandled,
            Event::Withdrawn { .. } => EventKind::Withdrawn,
            Event::Archived { .. } => EventKind::Archived,
            Event::Served { .. } => EventKind::Served,
        }
    }

    /// The legal date of the event.
    pub fn on(&self) -> Date {
        match self {
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
            | Event::Served { on, .. } => *on,
        }
    }
}

/// The transition table: the stage an event of `kind` leads to from `stage`, or `None`
/// where the pair is never allowed. Guards on the event's facts are in [`Case::apply`].
pub fn transition(stage: Stage, kind: EventKind) -> Option<Stage> {
    use EventKind as E;
    use Stage as S;
    let next = match (stage, kind) {
        (S::New, E::Submitted) => S::Submitted,
        // Offline channels are received directly; online ones after submission (Reg. 31).
        (S::New | S::Submitted, E::Received) => S::Received,
        (S::Received, E::Registered) => S::InReview,
        (S::InReview, E::Accepted) => S::Handling,
        (S::InReview | S::Handling, E::Assigned) => stage,
        // 条例第三十条: the only limit is 7 working days from receipt, not a stage; a notice
        // may follow acceptance into handling. The guard in `Case::apply` checks the days.
        (S::InReview | S::Handling, E::CorrectionRequested) => S::AwaitingCorrection,
        (S::AwaitingCorrection, E::CorrectionReceived) => S::InReview,
        (S::AwaitingCorrection, E::CorrectionLapsed) => S::Closed,
        (S::InReview | S::Handling, E::ReasonsRequested) => S::AwaitingReasons,
        // Reg. 35: the applicant's reasons wait for the office's finding.
        (S::AwaitingReasons, E::ReasonsGiven) => S::AwaitingReasons,
        (S::AwaitingReasons, E::ReasonsReceived) => S::Handling,
        (S::Handling, E::LaterReplyDateSet) => S::Handling,
        (S::Handling, E::ConsultationOpened | E::ConsultationClosed) => S::Handling,
        (S::InReview | S::Handling, E::Extended | E::ExtensionRequested | E::ExtensionRefused) => stage,
        (S::Handling, E::FeeNoticeIssued | E::FeePaid) => S::Handling,
        (S::Handling, E::FeeLapsed) => S::Closed,
        (S::InReview | S::Handling, E::Replied) => S::Replied,
        (S::InReview | S::AwaitingReasons | S::Handling, E::NotHandled) => S::Replied,
        // The applicant may withdraw at any time before the reply (rules.md §2).
        (
            S::Submitted | S::Received | S::InReview | S::AwaitingCorrection | S::AwaitingReasons | S::Handling,
            E::Withdrawn,
        ) => S::Closed,
        (S::Replied | S::Closed, E::Archived) => S::Archived,
        // 送达 (rules.md §2): any notice, once it exists, until the file is archived.
        (
            S::Received
            | S::InReview
            | S::AwaitingCorrection
            | S::AwaitingReasons
            | S::Handling
            | S::Replied
            | S::Closed,
            E::Served,
        ) => stage,
        _ => return None,
    };
    Some(next)
}

/// A refused event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// The table never allows this event in this stage.
    #[error("{event} is not allowed while the case is {stage}")]
    NotAllowed {
        /// The case's stage.
        stage: Stage,
        /// The refused event.
        event: EventKind,
    },
    /// The table allows the pair, but a guard refused the event's facts.
    #[error("{event} refused while the case is {stage}: {reason}")]
    Refused {
        /// The case's stage.
        stage: Stage,
        /// The refused event.
        event: EventKind,
        /// What is wrong, and what would be accepted.
        reason: Guard,
    },
}

/// Why a guard refused an event. Each message says what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Guard {
    /// Events are recorded in the order they happen.
    #[error("its date {on} is before the previous event's date {previous}")]
    BeforePreviousEvent { on: Date, previous: Date },
    /// A required fact is empty.
    #[error("{field} must not be empty")]
    Missing { field: &'static str },
    /// The channel does not fit the way the case arrived.
    #[error("{0}")]
    Channel(&'static str),
    /// Reg. 30: one single correction notice (一次性告知).
    #[error(
        "a correction notice was already sent on {sent}; the law allows one single notice listing everything (Reg. 30)"
    )]
    CorrectionAlreadySent { sent: Date },
    /// The period a correction notice set is outside what a notice may set.
    #[error(
        "a correction period of {days} working days is out of range; set 1 to 60 working days, or leave it out for the agency's default (Reg. 30)"
    )]
    CorrectionPeriodOutOfRange { days: u32 },
    /// Reg. 30: the notice goes out within 7 working days of receipt.
    #[error("the correction notice had to go out by {due} (7 working days after receipt, Reg. 30)")]
    CorrectionNoticeTooLate { due: Date },
    /// The correction arrived after the correction period.
    #[error("the correction period ended on {due}; the application is deemed abandoned (Reg. 30)")]
    CorrectionPeriodOver { due: Date },
    /// A lapse can only be recorded once the period is over.
    #[error("the correction period runs until {due}; it has not lapsed yet")]
    CorrectionPeriodRunning { due: Date },
    /// Reg. 35 reasons are asked once.
    #[error("reasons were already requested on {on} (Reg. 35)")]
    ReasonsAlreadyRequested { on: Date },
    /// Reg. 35: a later reply date follows reasons found reasonable.
    #[error("a later reply date may only be set after the applicant's reasons were received (Reg. 35)")]
    ReasonsNotReceived,
    /// A later reply date must be later.
    #[error("the later reply date {reply_by} must be after the current reply deadline {due}")]
    NotLater { reply_by: Date, due: Date },
    /// No open consultation with that number.
    #[error("there is no open consultation number {number}")]
    NoOpenConsultation { number: u32 },
    /// Silence can only be recorded once the opinion period is over.
    #[error("the opinion period runs until {due} (15 working days, Reg. 32/34); record NO_REPLY after it")]
    OpinionPeriodRunning { due: Date },
    /// Reg. 33: one extension at most.
    #[error("the reply limit was already extended on {on}; the law allows one extension (Reg. 33)")]
    AlreadyExtended { on: Date },
    /// Reg. 33 ¶1: one request waits for the head's decision at a time.
    #[error(
        "an extension was already requested on {on} and waits for the office head's decision; approve or refuse it first (Reg. 33)"
    )]
    ExtensionAlreadyRequested { on: Date },
    /// Reg. 33 ¶1: the head approves or refuses a request; there is none.
    #[error("no extension request is waiting; a case worker requests the extension first (Reg. 33)")]
    NoExtensionRequested,
    /// The approval must grant what was requested.
    #[error(
        "the request asked for {requested} working days and gave its reason; the approval must grant the same (Reg. 33)"
    )]
    ExtensionNotAsRequested { requested: u32 },
    /// A free-text fact is longer than its bound.
    #[error("{field} is longer than {max} characters")]
    TooLong { field: &'static str, max: usize },
    /// Reg. 33: at most 20 working days.
    #[error("an extension is 1 to 20 working days (Reg. 33), not {days}")]
    ExtensionLength { days: u32 },
    /// An extension or fee notice must be issued before the reply deadline passes.
    #[error("it must be issued by the reply deadline {due} (Reg. 33)")]
    AfterReplyDeadline { due: Date },
    /// A fee notice is already outstanding or was paid.
    #[error("a fee notice was already issued on {on}; one notice per application")]
    FeeAlreadyIssued { on: Date },
    /// No fee notice is outstanding.
    #[error("no fee notice is outstanding")]
    NoFeeOutstanding,
    /// The fee was paid after its period.
    #[error("the payment period ended on {due}; the application is deemed abandoned")]
    FeePeriodOver { due: Date },
    /// A lapse can only be recorded once the period is over.
    #[error("the payment period runs until {due}; it has not lapsed yet")]
    FeePeriodRunning { due: Date },
    /// A fee of zero is no fee.
    #[error("a fee notice needs an amount above 0 yuan")]
    ZeroFee,
    /// A fee is outstanding, so the case cannot conclude with a reply yet.
    #[error("a fee notice of {on} is unpaid; record payment or its lapse first")]
    FeeOutstanding { on: Date },
    /// Closures have their own events.
    #[error("{outcome} is not the outcome of a reply; use {instead}")]
    NotAReplyOutcome { outcome: Outcome, instead: &'static str },
    /// Reg. 36–38: a refusal must state its legal basis.
    #[error("a reply with outcome {outcome} must state its legal basis (legal_basis)")]
    LegalBasisRequired { outcome: Outcome },
    /// Reg. 36(3), 37: a refusal or partial disclosure says which information it withholds
    /// and on which ground.
    #[error(
        "a reply with outcome {outcome} must list what it withholds and why (withheld: information and ground) (Reg. 36(3), Reg. 37)"
    )]
    WithheldItemsRequired { outcome: Outcome },
    /// Only a refusal or partial disclosure withholds anything.
    #[error(
        "a reply with outcome {outcome} withholds nothing; leave withheld empty or choose PARTLY_DISCLOSED or a WITHHELD_* outcome"
    )]
    WithheldNotAllowed { outcome: Outcome },
    /// A refusal row names one ground; its items must rest on it (Reg. 14–16, 36(7)).
    #[error(
        "withheld item {index} gives ground {given} but outcome {outcome} is a refusal on ground {expected}; use {expected} or choose the outcome of {given}"
    )]
    GroundNotOfOutcome { index: usize, outcome: Outcome, given: &'static str, expected: &'static str },
    /// A letter cites each article once: the withheld items cite their grounds' articles.
    #[error(
        "legal_basis cites {article}, which the withheld items already cite with their ground; leave the article out of legal_basis (it is a further explanation) so the letter cites it once"
    )]
    DuplicateCitation { article: String },
    /// Reg. 36(5): the holding agency is named only when the information is not held here.
    #[error("holder is given only with outcome NOT_HELD (Reg. 36(5)), not with {outcome}")]
    HolderNotAllowed { outcome: Outcome },
    /// Reg. 30: (四)3 needs a correction first.
    #[error("\"still unclear after correction\" needs a correction notice and a corrected application first (Reg. 30)")]
    NotCorrected,
    /// A consultation is still open.
    #[error("consultation number {number} is still open; close it before replying")]
    ConsultationOpen { number: u32 },
    /// Reg. 33: an on-the-spot reply is given on the day of receipt.
    #[error("an on-the-spot reply is given on the day of receipt ({received}), not on {on} (Reg. 33)")]
    NotOnTheSpot { on: Date, received: Date },
    /// Only Reg. 35's outcome may follow a request for reasons.
    #[error("after a request for reasons only EXCESSIVE (Reg. 35) may be given as not handled")]
    OnlyExcessiveHere,
    /// Archive after conclusion.
    #[error("the archive date {on} is before the conclusion date {concluded}")]
    ArchiveBeforeConclusion { on: Date, concluded: Date },
    /// A notice is served once.
    #[error("the {notice} was already served on {on}; a notice is served once")]
    AlreadyServed { notice: ServedNotice, on: Date },
    /// Service of a notice that was not sent, or dated before it was.
    #[error("there is no {notice} to serve; issue it first")]
    NothingToServe { notice: ServedNotice },
    /// A notice cannot be served before its own date.
    #[error("the service date {on} is before the {notice}'s own date {issued}")]
    ServedBeforeNotice { notice: ServedNotice, on: Date, issued: Date },
    /// The period a notice starts runs from its service (rules.md §2): until then it has not
    /// begun, so it cannot have lapsed.
    #[error("the {notice} has not been served; its period runs from service: record its service first")]
    NotServed { notice: ServedNotice },
    /// The calendar could not answer.
    #[error(transparent)]
    Calendar(#[from] CalendarError),
}

impl Guard {
    /// The rule's stable code, e.g. `WITHHELD_ITEMS_REQUIRED`: the API gives it as
    /// `extensions.rule` beside the code `RULE_VIOLATION`, so a client can branch on which
    /// rule refused without reading the message.
    pub fn code(&self) -> &'static str {
        match self {
            Guard::BeforePreviousEvent { .. } => "BEFORE_PREVIOUS_EVENT",
            Guard::Missing { .. } => "MISSING",
            Guard::Channel(_) => "CHANNEL",
            Guard::CorrectionAlreadySent { .. } => "CORRECTION_ALREADY_SENT",
            Guard::CorrectionPeriodOutOfRange { .. } => "CORRECTION_PERIOD_OUT_OF_RANGE",
            Guard::CorrectionNoticeTooLate { .. } => "CORRECTION_NOTICE_TOO_LATE",
            Guard::CorrectionPeriodOver { .. } => "CORRECTION_PERIOD_OVER",
            Guard::CorrectionPeriodRunning { .. } => "CORRECTION_PERIOD_RUNNING",
            Guard::ReasonsAlreadyRequested { .. } => "REASONS_ALREADY_REQUESTED",
            Guard::ReasonsNotReceived => "REASONS_NOT_RECEIVED",
            Guard::NotLater { .. } => "NOT_LATER",
            Guard::NoOpenConsultation { .. } => "NO_OPEN_CONSULTATION",
            Guard::OpinionPeriodRunning { .. } => "OPINION_PERIOD_RUNNING",
            Guard::AlreadyExtended { .. } => "ALREADY_EXTENDED",
            Guard::ExtensionAlreadyRequested { .. } => "EXTENSION_ALREADY_REQUESTED",
            Guard::NoExtensionRequested => "NO_EXTENSION_REQUESTED",
            Guard::ExtensionNotAsRequested { .. } => "EXTENSION_NOT_AS_REQUESTED",
            Guard::TooLong { .. } => "TOO_LONG",
            Guard::ExtensionLength { .. } => "EXTENSION_LENGTH",
            Guard::AfterReplyDeadline { .. } => "AFTER_REPLY_DEADLINE",
            Guard::FeeAlreadyIssued { .. } => "FEE_ALREADY_ISSUED",
            Guard::NoFeeOutstanding => "NO_FEE_OUTSTANDING",
            Guard::FeePeriodOver { .. } => "FEE_PERIOD_OVER",
            Guard::FeePeriodRunning { .. } => "FEE_PERIOD_RUNNING",
            Guard::ZeroFee => "ZERO_FEE",
            Guard::FeeOutstanding { .. } => "FEE_OUTSTANDING",
            Guard::NotAReplyOutcome { .. } => "NOT_A_REPLY_OUTCOME",
            Guard::LegalBasisRequired { .. } => "LEGAL_BASIS_REQUIRED",
            Guard::WithheldItemsRequired { .. } => "WITHHELD_ITEMS_REQUIRED",
            Guard::WithheldNotAllowed { .. } => "WITHHELD_NOT_ALLOWED",
            Guard::GroundNotOfOutcome { .. } => "GROUND_NOT_OF_OUTCOME",
            Guard::DuplicateCitation { .. } => "DUPLICATE_CITATION",
            Guard::HolderNotAllowed { .. } => "HOLDER_NOT_ALLOWED",
            Guard::NotCorrected => "NOT_CORRECTED",
            Guard::ConsultationOpen { .. } => "CONSULTATION_OPEN",
            Guard::NotOnTheSpot { .. } => "NOT_ON_THE_SPOT",
            Guard::OnlyExcessiveHere => "ONLY_EXCESSIVE_HERE",
            Guard::ArchiveBeforeConclusion { .. } => "ARCHIVE_BEFORE_CONCLUSION",
            Guard::AlreadyServed { .. } => "ALREADY_SERVED",
            Guard::NothingToServe { .. } => "NOTHING_TO_SERVE",
            Guard::ServedBeforeNotice { .. } => "SERVED_BEFORE_NOTICE",
            Guard::NotServed { .. } => "NOT_SERVED",
            Guard::Calendar(_) => "CALENDAR_UNKNOWN",
        }
    }

    /// The reply's input that a refusal of its reasons is about (`withheld`, `legal_basis`,
    /// `holder`), so that a form can show the message beside that field.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Guard::LegalBasisRequired { .. } | Guard::DuplicateCitation { .. } => Some("legal_basis"),
            Guard::WithheldItemsRequired { .. }
            | Guard::WithheldNotAllowed { .. }
            | Guard::GroundNotOfOutcome { .. } => Some("withheld"),
            Guard::HolderNotAllowed { .. } => Some("holder"),
            Guard::Missing { field } | Guard::TooLong { field, .. }
                if field.starts_with("withheld") || field.starts_with("holder") =>
            {
                Some(field)
            }
            _ => None,
        }
    }
}

/// Checks the structured reasons of a reply against its outcome and returns them trimmed.
///
/// - Reg. 36(3), 37: a refusal (三) or partial disclosure (二) lists at least one withheld
///   item, each naming the information and its ground; no other outcome withholds anything.
///   A reply imported from a register (`from_register`) may lack the items.
/// - A refusal row names one ground (国办公开办函〔2021〕30号 table 三), so its items rest on
///   that ground; a partial disclosure may combine grounds.
/// - Reg. 36(5): the holding agency, with name and contact, only with (四)1 NOT_HELD.
fn check_reasons(
    outcome: Outcome,
    withheld: &[WithheldItem],
    holder: Option<&InformationHolder>,
    from_register: bool,
) -> Result<(Vec<WithheldItem>, Option<InformationHolder>), Guard> {
    let withholds = outcome.is_refusal() || outcome == Outcome::PartlyDisclosed;
    if !withholds && !withheld.is_empty() {
        return Err(Guard::WithheldNotAllowed { outcome });
    }
    if withholds && withheld.is_empty() && !from_register {
        return Err(Guard::WithheldItemsRequired { outcome });
    }
    let mut items = Vec::with_capacity(withheld.len());
    for (index, item) in withheld.iter().enumerate() {
        let information = item.information.trim();
        if information.is_empty() {
            return Err(Guard::Missing { field: "withheld.information" });
        }
        if let Some(expected) = WithholdingGround::of_refusal(outcome).filter(|g| *g != item.ground) {
            return Err(Guard::GroundNotOfOutcome {
                index,
                outcome,
                given: item.ground.code(),
                expected: expected.code(),
            });
        }
        items.push(WithheldItem { information: information.to_owned(), ground: item.ground });
    }
    let holder = match holder {
        None => None,
        // Reg. 36(5): only information this agency does not hold has another holder.
        Some(_) if outcome != Outcome::NotHeld => return Err(Guard::HolderNotAllowed { outcome }),
        Some(h) => {
            let (agency, contact) = (h.agency.trim(), h.contact.trim());
            if agency.is_empty() {
                return Err(Guard::Missing { field: "holder.agency" });
            }
            if contact.is_empty() {
                return Err(Guard::Missing { field: "holder.contact" });
            }
            Some(InformationHolder { agency: agency.to_owned(), contact: contact.to_owned() })
        }
    };
    Ok((items, holder))
}

/// A consultation letter and its answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consultation {
    /// Third party or co-producing agency.
    pub party: ConsultedParty,
    /// Whom the letter went to.
    pub name: String,
    /// The day the letter was sent.
    pub sent_on: Date,
    /// When and how it ended; `None` while open.
    pub closed: Option<(Date, ConsultationResult)>,
    /// The day the party received the letter (送达): its 15 working days run from here
    /// (Reg. 32). `None` while not served.
    #[serde(default)]
    pub served_on: Option<Date>,
}

/// The one extension of the reply limit (Reg. 33).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    /// Working days added (1–20).
    pub working_days: u32,
    /// The head of the disclosure office who approved it.
    pub approver: String,
    /// The day it was approved and notified.
    pub approved_on: Date,
    /// Why the reply needs more time, as requested and printed on the extension notice;
    /// `None` for an extension recorded before requests existed.
    #[serde(default)]
    pub reason: Option<String>,
    /// The day it was requested; `None` for an extension recorded before requests existed.
    #[serde(default)]
    pub requested_on: Option<Date>,
}

/// An extension request waiting for the head of the disclosure office (Reg. 33 ¶1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtensionRequest {
    /// The day it was requested.
    pub requested_on: Date,
    /// Working days asked for (1–20).
    pub working_days: u32,
    /// Why the reply needs more time.
    pub reason: String,
}

/// Something an accepted event recorded that a person should look at again: the event was
/// right to accept (the law allows it), but it is unusual enough to be a typing mistake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Warning {
    /// An application was received on a day off. Offices open on some days off, so it is
    /// accepted (rules.md §2), but a wrong date moves every deadline.
    ReceivedOnDayOff {
        /// The date of receipt.
        on: Date,
    },
}

impl Warning {
    /// The stable code clients branch on.
    pub fn code(&self) -> &'static str {
        match self {
            Warning::ReceivedOnDayOff { .. } => "RECEIVED_ON_DAY_OFF",
        }
    }

    /// What to check, in English.
    pub fn message(&self) -> String {
        match self {
            Warning::ReceivedOnDayOff { on } => format!(
                "the date of receipt {on} is not a working day; it was accepted, but check the date: the reply deadline counts from it (Reg. 31)"
            ),
        }
    }

    /// What to check, in Chinese.
    pub fn message_zh(&self) -> String {
        match self {
            Warning::ReceivedOnDayOff { on } => {
                format!("收到申请之日{on}为非工作日，已受理；请核对该日期，答复期限自该日起算（条例第三十一条）")
            }
        }
    }
}

/// An information-processing fee notice (Reg. 42).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeNotice {
    /// The amount in yuan.
    pub amount_yuan: u32,
    /// Counted per application or per page.
    pub basis: FeeBasis,
    /// The day the applicant received the notice.
    pub notified_on: Date,
    /// The day it was paid.
    pub paid_on: Option<Date>,
    /// The day the applicant received it (送达): the 20 working days run from the next day
    /// (国办函〔2020〕109号). `None` while not served.
    #[serde(default)]
    pub served_on: Option<Date>,
}

/// A correction notice and the corrected application (Reg. 30).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Correction {
    /// The day the notice was sent.
    pub requested_on: Date,
    /// Everything the applicant must fix, in one notice.
    pub items: Vec<String>,
    /// The correction period the notice set, in working days; `None`: the agency's default.
    #[serde(default)]
    pub period_wd: Option<u32>,
    /// The day the corrected application was received.
    pub received_on: Option<Date>,
    /// The day the applicant received the notice (送达): the correction period runs from
    /// here (Reg. 30). `None` while not served.
    #[serde(default)]
    pub served_on: Option<Date>,
}

impl Correction {
    /// The correction period that applies: the notice's own, or else the agency's default.
    pub fn period(&self, rules: &AgencyRules) -> u32 {
        self.period_wd.unwrap_or(rules.correction_period_wd)
    }
}

/// A case as its events made it: the facts that decide what may happen next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    /// Where it is in the workflow.
    pub stage: Stage,
    /// How it arrived.
    pub channel: Option<Channel>,
    /// The day it was submitted online.
    pub submitted_on: Option<Date>,
    /// The date of receipt (Reg. 31); never changes once fixed.
    pub received_on: Option<Date>,
    /// The case number given at registration.
    pub case_number: Option<String>,
    /// The officer it is assigned to.
    pub assignee: Option<String>,
    /// The correction notice, if one was sent.
    pub correction: Option<Correction>,
    /// When reasons were requested under Reg. 35, and when received.
    pub reasons: Option<(Date, Option<Date>)>,
    /// A later reply date notified under Reg. 35.
    pub later_reply_date: Option<Date>,
    /// Consultations in the order they were opened (numbered from 1).
    pub consultations: Vec<Consultation>,
    /// The extension, if any.
    pub extension: Option<Extension>,
    /// The extension request waiting for the office head, if any (Reg. 33 ¶1).
    #[serde(default)]
    pub extension_request: Option<ExtensionRequest>,
    /// The fee notice, if any.
    pub fee: Option<FeeNotice>,
    /// The outcome, set exactly once when the case concludes.
    pub outcome: Option<Outcome>,
    /// The legal basis stated in the reply.
    pub legal_basis: Option<String>,
    /// What the reply withholds and on which ground (Reg. 36(3), 37).
    #[serde(default)]
    pub withheld: Vec<WithheldItem>,
    /// The agency that holds the information, when it is not held here (Reg. 36(5)).
    #[serde(default)]
    pub holder: Option<InformationHolder>,
    /// Whether the reply was given on the spot.
    pub on_the_spot: bool,
    /// The day it was replied to or closed.
    pub concluded_on: Option<Date>,
    /// The day it was archived.
    pub archived_on: Option<Date>,
    /// The date of the latest event.
    pub last_event_on: Option<Date>,
    /// Every service recorded (送达), in the order recorded.
    #[serde(default)]
    pub services: Vec<Service>,
}

/// Everything a decision needs besides the case and the event.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The working-day calendar.
    pub calendar: &'a Calendar,
    /// The agency's configured limits.
    pub rules: &'a AgencyRules,
}

/// The derived deadlines and clock readings of a case on one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// The state of the reply clock.
    pub reply_clock: ClockState,
    /// The day the clock restarted after a correction, if it did (Reg. 30).
    pub restarted_on: Option<Date>,
    /// The reply clock read on the day (for a concluded case: on its conclusion date).
    pub reply: Option<ClockReading>,
    /// Last day for the correction notice, while one may still be sent (Reg. 30).
    pub correction_notice_due: Option<Deadline>,
    /// Last day of the correction period, while waiting for it (Reg. 30).
    pub correction_due: Option<Deadline>,
    /// Last day of each open consultation's opinion period: (number, deadline) (Reg. 32, 34).
    pub consultations_due: Vec<(u32, Deadline)>,
    /// Last day to pay an outstanding fee.
    pub fee_payment_due: Option<Deadline>,
    /// The notices that start a period for their addressee, each with its service and the
    /// period's last day once served (rules.md §2).
    pub notices: Vec<NoticeService>,
}

/// A notice that starts a period for its addressee, and whether it was served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeService {
    /// Which notice.
    pub notice: ServedNotice,
    /// The notice's own date (sent / issued).
    pub issued_on: Date,
    /// Its service, if recorded.
    pub service: Option<Service>,
    /// The last day of the period it starts, counted from service; `None` while unserved
    /// or once the period no longer runs (paid, corrected, answered).
    pub period_due: Option<Deadline>,
}

impl Case {
    /// The state before any event.
    pub fn new() -> Case {
        Case {
            stage: Stage::New,
            channel: None,
            submitted_on: None,
            received_on: None,
            case_number: None,
            assignee: None,
            correction: None,
            reasons: None,
            later_reply_date: None,
            consultations: Vec::new(),
            extension: None,
            extension_request: None,
            fee: None,
            outcome: None,
            legal_basis: None,
            withheld: Vec::new(),
            holder: None,
            on_the_spot: false,
            concluded_on: None,
            archived_on: None,
            last_event_on: None,
            services: Vec::new(),
        }
    }

    /// Folds a history of events into a case, checking each as it was checked when it
    /// happened.
    pub fn replay<'e>(events: impl IntoIterator<Item = &'e Event>, ctx: Context<'_>) -> Result<Case, TransitionError> {
        events.into_iter().try_fold(Case::new(), |case, event| case.apply(event, ctx))
    }

    /// Day 0 of the reply clock: the date of receipt, or of the corrected application.
    pub fn clock_start(&self) -> Option<Date> {
        self.correction.as_ref().and_then(|c| c.received_on).or(self.received_on)
    }

    /// The reply clock, once the application is received and unless it waits for a
    /// correction (when the old count is void and a new one will start).
    pub fn reply_clock(&self, rules: &AgencyRules) -> Option<ReplyClock> {
        let start = self.clock_start()?;
        if self.stage == Stage::AwaitingCorrection {
            return None;
        }
        let mut clock = ReplyClock::new(start);
        clock.limit = REPLY.working_days + self.extension.as_ref().map_or(0, |e| e.working_days);
        // Reg. 33 ¶2: consultation time is not counted.
        clock.pauses.extend(self.consultations.iter().map(|c| Pause {
            from: c.sent_on,
            to: c.closed.map(|(on, _)| on),
            // At most the party's 15 working days from its receipt of the letter (Reg. 32,
            // 34): silence is recorded the day after the last one, and a late answer does
            // not stop the clock longer. Until the letter is served the pause is open.
            max_working_days: c.served_on.map(|_| CONSULTATION.working_days),
            max_from: c.served_on,
        }));
        if rules.fee_pauses_clock {
            clock.pauses.extend(self.fee.iter().map(|f| Pause {
                from: f.notified_on,
                to: f.paid_on,
                max_working_days: None,
                max_from: None,
            }));
        }
        // Only time after day 0 can pause the current count.
        clock.pauses.retain(|p| p.to.is_none_or(|to| to > start));
        clock.fixed_due = self.later_reply_date;
        Some(clock)
    }

    fn reply_due(&self, ctx: Context<'_>, on: Date) -> Result<Date, Guard> {
        match self.reply_clock(ctx.rules) {
            Some(clock) => Ok(clock.due(ctx.calendar, on)?.date),
            // Without a running clock there is no deadline to be late against.
            None => Ok(Date::MAX),
        }
    }

    fn correction_notice_due(&self, ctx: Context<'_>) -> Result<Option<Deadline>, CalendarError> {
        self.received_on
            .map(|received| clock::deadline(ctx.calendar, received, CORRECTION_NOTICE.working_days))
            .transpose()
    }

    fn correction_due(&self, ctx: Context<'_>) -> Result<Option<Deadline>, CalendarError> {
        // Reg. 30: the period the notice sets runs from the applicant's receipt of it (its
        // service); unserved, it has not begun.
        self.correction
            .as_ref()
            .and_then(|c| c.served_on.map(|served| (served, c.period(ctx.rules))))
            .map(|(served, days)| clock::deadline(ctx.calendar, served, days))
            .transpose()
    }

    fn fee_due(&self, ctx: Context<'_>) -> Result<Option<Deadline>, CalendarError> {
        self.fee
            .as_ref()
            .filter(|f| f.paid_on.is_none())
            // 国办函〔2020〕109号: 自收到本通知书次日起20个工作日, counted from service (day 0
            // not counted); unserved, the period has not begun.
            .and_then(|f| f.served_on)
            .map(|served| clock::deadline(ctx.calendar, served, FEE_PAYMENT.working_days))
            .transpose()
    }

    fn open_consultation(&self) -> Option<u32> {
        self.consultations.iter().position(|c| c.closed.is_none()).map(|i| i as u32 + 1)
    }

    /// Applies `event`: checks the table and the guards, and returns the case it makes.
    /// `self` is unchanged on refusal.
    pub fn apply(&self, event: &Event, ctx: Context<'_>) -> Result<Case, TransitionError> {
        let stage = self.stage;
        let kind = event.kind();
        let next = transition(stage, kind).ok_or(TransitionError::NotAllowed { stage, event: kind })?;
        let refuse = |reason: Guard| TransitionError::Refused { stage, event: kind, reason };
        let mut case = self.clone();
        self.check_and_apply(event, ctx, &mut case).map_err(refuse)?;
        case.stage = next;
        // A service recorded after the fact may be dated earlier: the latest date stays.
        case.last_event_on = self.last_event_on.max(Some(event.on()));
        Ok(case)
    }

    fn check_and_apply(&self, event: &Event, ctx: Context<'_>, case: &mut Case) -> Result<(), Guard> {
        let on = event.on();
        // Service is usually recorded after the fact (a postal return receipt arrives days
        // later): it is exempt, and checked against the notice's own date instead.
        if let Some(previous) = self.last_event_on.filter(|p| on < *p && event.kind() != EventKind::Served) {
            return Err(Guard::BeforePreviousEvent { on, previous });
        }
        let conclude = |case: &mut Case, outcome: Outcome| {
            case.outcome = Some(outcome);
            case.concluded_on = Some(on);
        };
        match event {
            Event::Submitted { received_on, .. } => {
                // Reg. 31(3), rules.md §2: under the agency's submission-day rule the date of
                // receipt is fixed now (the day itself or the next working day); it cannot
                // come before the submission.
                if let Some(received) = received_on.filter(|r| *r < on) {
                    return Err(Guard::BeforePreviousEvent { on: received, previous: on });
                }
                case.channel = Some(Channel::Online);
                case.submitted_on = Some(on);
                case.received_on = *received_on;
            }
            Event::Received { channel, .. } => {
                // Reg. 31: an online application is received on the day the clerk
                // acknowledges the submission; other channels are recorded on arrival.
                match (self.stage, *channel == Channel::Online) {
                    (Stage::Submitted, true) | (Stage::New, false) => {}
                    (Stage::Submitted, false) => {
                        return Err(Guard::Channel("an online submission is received through the ONLINE channel"));
                    }
                    _ => {
                        return Err(Guard::Channel(
                            "an online application is submitted by the applicant first, then received",
                        ));
                    }
                }
                case.channel = Some(*channel);
                // 签收 of a submission whose date of receipt was fixed at submission only
                // acknowledges it: the date stays (rules.md §2).
                if self.received_on.is_none() {
                    case.received_on = Some(on);
                }
            }
            Event::Registered { case_number, .. } => {
                if case_number.trim().is_empty() {
                    return Err(Guard::Missing { field: "case_number" });
                }
                case.case_number = Some(case_number.trim().to_owned());
            }
            Event::Accepted { .. } => {}
            Event::Assigned { officer, .. } => {
                if officer.trim().is_empty() {
                    return Err(Guard::Missing { field: "officer" });
                }
                case.assignee = Some(officer.trim().to_owned());
            }
            Event::CorrectionRequested { items, period_wd, .. } => {
                if let Some(c) = &self.correction {
                    return Err(Guard::CorrectionAlreadySent { sent: c.requested_on });
                }
                if items.iter().all(|i| i.trim().is_empty()) {
                    return Err(Guard::Missing { field: "items" });
                }
                // Reg. 30: within 7 working days of receipt.
                if let Some(due) = self.correction_notice_due(ctx)?.filter(|d| on > d.date) {
                    return Err(Guard::CorrectionNoticeTooLate { due: due.date });
                }
                let items = items.iter().map(|i| i.trim().to_owned()).filter(|i| !i.is_empty()).collect();
                if let Some(days) = period_wd.filter(|d| !CORRECTION_PERIOD_RANGE.contains(d)) {
                    return Err(Guard::CorrectionPeriodOutOfRange { days });
                }
                case.correction = Some(Correction {
                    requested_on: on,
                    items,
                    period_wd: *period_wd,
                    received_on: None,
                    served_on: None,
                });
            }
            Event::CorrectionReceived { .. } => {
                if let Some(due) = self.correction_due(ctx)?.filter(|d| on > d.date) {
                    return Err(Guard::CorrectionPeriodOver { due: due.date });
                }
                // Reg. 30: the corrected application restarts the clock from this day.
                if let Some(c) = case.correction.as_mut() {
                    c.received_on = Some(on);
                }
            }
            Event::CorrectionLapsed { .. } => {
                // Reg. 30: the period runs from service; unserved, it has not begun.
                if self.correction.as_ref().is_some_and(|c| c.served_on.is_none()) {
                    return Err(Guard::NotServed { notice: ServedNotice::CorrectionNotice });
                }
                if let Some(due) = self.correction_due(ctx)?.filter(|d| on <= d.date) {
                    return Err(Guard::CorrectionPeriodRunning { due: due.date });
                }
                conclude(case, Outcome::OtherCorrectionNotMade);
            }
            Event::ReasonsRequested { .. } => {
                if let Some((asked, _)) = self.reasons {
                    return Err(Guard::ReasonsAlreadyRequested { on: asked });
                }
                case.reasons = Some((on, None));
            }
            // The text is the event's reason; the office's finding comes next.
            Event::ReasonsGiven { .. } => {}
            Event::ReasonsReceived { .. } => {
                case.reasons = self.reasons.map(|(asked, _)| (asked, Some(on)));
            }
            Event::LaterReplyDateSet { reply_by, .. } => {
                if !matches!(self.reasons, Some((_, Some(_)))) {
                    return Err(Guard::ReasonsNotReceived);
                }
                let due = self.reply_due(ctx, on)?;
                if *reply_by <= due {
                    return Err(Guard::NotLater { reply_by: *reply_by, due });
                }
                // Reg. 35: a later reasonable date, notified to the applicant.
                case.later_reply_date = Some(*reply_by);
            }
            Event::ConsultationOpened { party, name, .. } => {
                if name.trim().is_empty() {
                    return Err(Guard::Missing { field: "name" });
                }
                case.consultations.push(Consultation {
                    party: *party,
                    name: name.trim().to_owned(),
                    sent_on: on,
                    closed: None,
                    served_on: None,
                });
            }
            Event::ConsultationClosed { number, result, .. } => {
                let index = (*number as usize).checked_sub(1);
                let open = index.and_then(|i| case.consultations.get_mut(i)).filter(|c| c.closed.is_none());
                let Some(consultation) = open else {
                    return Err(Guard::NoOpenConsultation { number: *number });
                };
                // Reg. 32, 34: the party has 15 working days from its receipt of the letter;
                // silence is recorded after them, and not before the letter was served.
                if *result == ConsultationResult::NoReply {
                    let Some(served) = consultation.served_on else {
                        return Err(Guard::NotServed { notice: ServedNotice::ConsultationLetter { number: *number } });
                    };
                    let due = clock::deadline(ctx.calendar, served, CONSULTATION.working_days)?;
                    if on <= due.date {
                        return Err(Guard::OpinionPeriodRunning { due: due.date });
                    }
                }
                consultation.closed = Some((on, *result));
            }
            Event::ExtensionRequested { working_days, reason, .. } => {
                // Reg. 33 ¶1: once, at most 20 working days, requested before the reply
                // deadline as the clock stands, with a reason for the notice.
                if let Some(e) = &self.extension {
                    return Err(Guard::AlreadyExtended { on: e.approved_on });
                }
                if let Some(r) = &self.extension_request {
                    return Err(Guard::ExtensionAlreadyRequested { on: r.requested_on });
                }
                if !(1..=MAX_EXTENSION.working_days).contains(working_days) {
                    return Err(Guard::ExtensionLength { days: *working_days });
                }
                let reason = extension_reason(reason)?;
                let due = self.reply_due(ctx, on)?;
                if on > due {
                    return Err(Guard::AfterReplyDeadline { due });
                }
                case.extension_request =
                    Some(ExtensionRequest { requested_on: on, working_days: *working_days, reason });
            }
            Event::ExtensionRefused { approver, reason, .. } => {
                // Reg. 33 ¶1: the office head decides; a refusal uses no extension.
                if self.extension_request.is_none() {
                    return Err(Guard::NoExtensionRequested);
                }
                if approver.trim().is_empty() {
                    return Err(Guard::Missing { field: "approver" });
                }
                extension_reason(reason)?;
                case.extension_request = None;
            }
            Event::Extended { working_days, approver, reason, .. } => {
                // Reg. 33 ¶1: once, at most 20 working days, approved by the office head.
                if let Some(e) = &self.extension {
                    return Err(Guard::AlreadyExtended { on: e.approved_on });
                }
                if !(1..=MAX_EXTENSION.working_days).contains(working_days) {
                    return Err(Guard::ExtensionLength { days: *working_days });
                }
                if approver.trim().is_empty() {
                    return Err(Guard::Missing { field: "approver" });
                }
                let reason = reason.as_deref().map(extension_reason).transpose()?;
                // The approval grants the pending request. Only an extension recorded before
                // requests existed (no reason) stands without one.
                let requested_on = match (&self.extension_request, &reason) {
                    (Some(r), Some(given)) if r.working_days == *working_days && r.reason == *given => {
                        Some(r.requested_on)
                    }
                    (Some(r), _) => return Err(Guard::ExtensionNotAsRequested { requested: r.working_days }),
                    (None, Some(_)) => return Err(Guard::NoExtensionRequested),
                    (None, None) => None,
                };
                let due = self.reply_due(ctx, on)?;
                if on > due {
                    return Err(Guard::AfterReplyDeadline { due });
                }
                case.extension_request = None;
                case.extension = Some(Extension {
                    working_days: *working_days,
                    approver: approver.trim().to_owned(),
                    approved_on: on,
                    reason,
                    requested_on,
                });
            }
            Event::FeeNoticeIssued { amount_yuan, basis, .. } => {
                if let Some(f) = &self.fee {
                    return Err(Guard::FeeAlreadyIssued { on: f.notified_on });
                }
                if *amount_yuan == 0 {
                    return Err(Guard::ZeroFee);
                }
                // Reg. 42 measures: the notice goes out within the reply period.
                let due = self.reply_due(ctx, on)?;
                if on > due {
                    return Err(Guard::AfterReplyDeadline { due });
                }
                case.fee = Some(FeeNotice {
                    amount_yuan: *amount_yuan,
                    basis: *basis,
                    notified_on: on,
                    paid_on: None,
                    served_on: None,
                });
            }
            Event::FeePaid { .. } => {
                if !self.fee.as_ref().is_some_and(|f| f.paid_on.is_none()) {
                    return Err(Guard::NoFeeOutstanding);
                }
                // Paid before its service was recorded: the applicant evidently had it.
                if let Some(due) = self.fee_due(ctx)?.filter(|d| on > d.date) {
                    return Err(Guard::FeePeriodOver { due: due.date });
                }
                if let Some(f) = case.fee.as_mut() {
                    f.paid_on = Some(on);
                }
            }
            Event::FeeLapsed { .. } => {
                if !self.fee.as_ref().is_some_and(|f| f.paid_on.is_none()) {
                    return Err(Guard::NoFeeOutstanding);
                }
                // 国办函〔2020〕109号: 20 working days from the day after receipt; unserved, the
                // period has not begun.
                let due = self.fee_due(ctx)?.ok_or(Guard::NotServed { notice: ServedNotice::FeeNotice })?;
                if on <= due.date {
                    return Err(Guard::FeePeriodRunning { due: due.date });
                }
                conclude(case, Outcome::OtherFeeNotPaid);
            }
            Event::Replied { outcome, legal_basis, on_the_spot, withheld, holder, from_register, .. } => {
                match outcome.group() {
                    OutcomeGroup::NotHandled => {
                        return Err(Guard::NotAReplyOutcome { outcome: *outcome, instead: "NOT_HANDLED" });
                    }
                    OutcomeGroup::Other => {
                        return Err(Guard::NotAReplyOutcome {
                            outcome: *outcome,
                            instead: "WITHDRAWN, CORRECTION_LAPSED or FEE_LAPSED",
                        });
                    }
                    _ => {}
                }
                let basis = legal_basis.as_deref().map(str::trim).filter(|b| !b.is_empty());
                let (withheld, holder) = check_reasons(*outcome, withheld, holder.as_ref(), *from_register)?;
                // The letter prints each item's article; the text must not cite it again.
                let item_articles: Vec<String> =
                    withheld.iter().flat_map(|i| articles_cited(i.ground.article_zh())).collect();
                if let Some(article) =
                    basis.map(articles_cited).unwrap_or_default().into_iter().find(|a| item_articles.contains(a))
                {
                    return Err(Guard::DuplicateCitation { article });
                }
                // Reg. 36–38: a refusal, partial disclosure or inability states its basis. Where
                // the withheld items state it (each with its article), the text is optional;
                // an imported reply without items still needs it.
                let items_state_basis = !withheld.is_empty();
                if outcome.needs_legal_basis() && basis.is_none() && !items_state_basis {
                    return Err(Guard::LegalBasisRequired { outcome: *outcome });
                }
                if *outcome == Outcome::StillUnclearAfterCorrection
                    && self.correction.as_ref().and_then(|c| c.received_on).is_none()
                {
                    return Err(Guard::NotCorrected);
                }
                if let Some(number) = self.open_consultation() {
                    return Err(Guard::ConsultationOpen { number });
                }
                if let Some(f) = self.fee.as_ref().filter(|f| f.paid_on.is_none()) {
                    return Err(Guard::FeeOutstanding { on: f.notified_on });
                }
                if *on_the_spot {
                    // Reg. 33 ¶1: replies on the spot are given when the application is made.
                    let received = self.received_on.unwrap_or(on);
                    if on != received {
                        return Err(Guard::NotOnTheSpot { on, received });
                    }
                }
                case.legal_basis = basis.map(str::to_owned);
                case.withheld = withheld;
                case.holder = holder;
                case.on_the_spot = *on_the_spot;
                conclude(case, *outcome);
            }
            Event::NotHandled { reason, explanation, .. } => {
                if self.stage == Stage::AwaitingReasons && *reason != NotHandledReason::Excessive {
                    return Err(Guard::OnlyExcessiveHere);
                }
                if explanation.trim().is_empty() {
                    return Err(Guard::Missing { field: "explanation" });
                }
                if let Some(f) = self.fee.as_ref().filter(|f| f.paid_on.is_none()) {
                    return Err(Guard::FeeOutstanding { on: f.notified_on });
                }
                case.legal_basis = Some(explanation.trim().to_owned());
                conclude(case, reason.outcome());
            }
            Event::Withdrawn { .. } => conclude(case, Outcome::OtherClosed),
            Event::Archived { .. } => {
                if let Some(concluded) = self.concluded_on.filter(|c| on < *c) {
                    return Err(Guard::ArchiveBeforeConclusion { on, concluded });
                }
                case.archived_on = Some(on);
            }
            Event::Served { notice, method, .. } => {
                if let Some(first) = self.services.iter().find(|s| s.notice == *notice) {
                    return Err(Guard::AlreadyServed { notice: *notice, on: first.on });
                }
                let issued = self.notice_date(*notice).ok_or(Guard::NothingToServe { notice: *notice })?;
                if on < issued {
                    return Err(Guard::ServedBeforeNotice { notice: *notice, on, issued });
                }
                match notice {
                    ServedNotice::CorrectionNotice => {
                        if let Some(c) = case.correction.as_mut() {
                            c.served_on = Some(on);
                        }
                    }
                    ServedNotice::FeeNotice => {
                        if let Some(f) = case.fee.as_mut() {
                            f.served_on = Some(on);
                        }
                    }
                    ServedNotice::ConsultationLetter { number } => {
                        let index = (*number as usize).checked_sub(1);
                        if let Some(c) = index.and_then(|i| case.consultations.get_mut(i)) {
                            c.served_on = Some(on);
                        }
                    }
                    ServedNotice::Receipt | ServedNotice::ExtensionNotice | ServedNotice::Decision => {}
                }
                case.services.push(Service { notice: *notice, on, method: *method });
            }
        }
        Ok(())
    }

    /// The notice's own date (the day it was sent or issued), if the case has that notice.
    pub fn notice_date(&self, notice: ServedNotice) -> Option<Date> {
        match notice {
            ServedNotice::Receipt => self.received_on,
            ServedNotice::CorrectionNotice => self.correction.as_ref().map(|c| c.requested_on),
            ServedNotice::ExtensionNotice => self.extension.as_ref().map(|e| e.approved_on),
            ServedNotice::ConsultationLetter { number } => {
                (number as usize).checked_sub(1).and_then(|i| self.consultations.get(i)).map(|c| c.sent_on)
            }
            ServedNotice::FeeNotice => self.fee.as_ref().map(|f| f.notified_on),
            // The reply or the "not handled" notice; a closing by withdrawal or lapse is no
            // decision to serve.
            ServedNotice::Decision => {
                self.outcome.filter(|o| !matches!(o.group(), OutcomeGroup::Other)).and(self.concluded_on)
            }
        }
    }

    /// The service recorded for `notice`, if any.
    pub fn service_of(&self, notice: ServedNotice) -> Option<Service> {
        self.services.iter().find(|s| s.notice == notice).copied()
    }

    /// The notices of the case that start a period for their addressee, with their service
    /// and the period's last day (counted from service) while it runs.
    pub fn period_notices(&self, ctx: Context<'_>) -> Result<Vec<NoticeService>, CalendarError> {
        let mut notices = Vec::new();
        if let Some(c) = &self.correction {
            let period_due = if c.received_on.is_none() { self.correction_due(ctx)? } else { None };
            notices.push(NoticeService {
                notice: ServedNotice::CorrectionNotice,
                issued_on: c.requested_on,
                service: self.service_of(ServedNotice::CorrectionNotice),
                period_due,
            });
        }
        for (i, c) in self.consultations.iter().enumerate() {
            let notice = ServedNotice::ConsultationLetter { number: i as u32 + 1 };
            let period_due = match (c.closed, c.served_on) {
                (None, Some(served)) => Some(clock::deadline(ctx.calendar, served, CONSULTATION.working_days)?),
                _ => None,
            };
            notices.push(NoticeService { notice, issued_on: c.sent_on, service: self.service_of(notice), period_due });
        }
        if let Some(f) = &self.fee {
            notices.push(NoticeService {
                notice: ServedNotice::FeeNotice,
                issued_on: f.notified_on,
                service: self.service_of(ServedNotice::FeeNotice),
                period_due: self.fee_due(ctx)?,
            });
        }
        Ok(notices)
    }

    /// The case's deadlines and clock readings as they stand on `today`.
    pub fn schedule(&self, ctx: Context<'_>, today: Date) -> Result<Schedule, CalendarError> {
        let restarted_on = self.correction.as_ref().and_then(|c| c.received_on);
        let clock = self.reply_clock(ctx.rules);
        let reply_clock = match (&clock, self.stage) {
            (None, Stage::New | Stage::Submitted) => ClockState::NotStarted,
            (None, _) => ClockState::Stopped,
            (Some(_), s) if s.is_concluded() => ClockState::Stopped,
            (Some(c), _) if c.pauses.iter().any(|p| p.to.is_none()) => ClockState::Paused,
            (Some(_), _) => ClockState::Running,
        };
        // A concluded case is read on the day it concluded: its final count.
        let read_on = self.concluded_on.map_or(today, |c| c.min(today));
        let reply = clock.map(|c| c.read(ctx.calendar, read_on, ctx.rules.due_soon_wd)).transpose()?;
        let open = self.stage.is_open();
        let correction_notice_due = if open && self.correction.is_none() && self.stage != Stage::Handling {
            self.correction_notice_due(ctx)?
        } else {
            None
        };
        let correction_due = if self.stage == Stage::AwaitingCorrection { self.correction_due(ctx)? } else { None };
        let consultations_due = if open {
            self.consultations
                .iter()
                .enumerate()
                .filter(|(_, c)| c.closed.is_none())
                // Reg. 32: 15 working days from the party's receipt of the letter.
                .filter_map(|(i, c)| c.served_on.map(|served| (i, served)))
                .map(|(i, served)| {
                    Ok((i as u32 + 1, clock::deadline(ctx.calendar, served, CONSULTATION.working_days)?))
                })
                .collect::<Result<_, CalendarError>>()?
        } else {
            Vec::new()
        };
        let fee_payment_due = if open { self.fee_due(ctx)? } else { None };
        let notices = self.period_notices(ctx)?;
        Ok(Schedule {
            notices,
            reply_clock,
            restarted_on,
            reply,
            correction_notice_due,
            correction_due,
            consultations_due,
            fee_payment_due,
        })
    }
}

/// The reason of an extension request or refusal, trimmed: required, and bounded by
/// [`EXTENSION_REASON_MAX`].
fn extension_reason(reason: &str) -> Result<String, Guard> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Guard::Missing { field: "reason" });
    }
    if reason.chars().count() > EXTENSION_REASON_MAX {
        return Err(Guard::TooLong { field: "reason", max: EXTENSION_REASON_MAX });
    }
    Ok(reason.to_owned())
}

impl Case {
    /// What `event`, accepted on this case, should make a person look at again. Empty for
    /// most events; a year without a loaded notice gives no warning (its days are unknown).
    pub fn warnings(&self, event: &Event, calendar: &Calendar) -> Vec<Warning> {
        let mut warnings = Vec::new();
        // rules.md §2: an offline receipt (or a clerk's 签收 that fixes the date) dated on a
        // day off is allowed, with a warning (Reg. 31 fixes the date; offices open on some).
        if let Event::Received { on, .. } = event {
            if self.received_on.is_none() && calendar.is_working_day(*on) == Ok(false) {
                warnings.push(Warning::ReceivedOnDayOff { on: *on });
            }
        }
        warnings
    }
}

impl Default for Case {
    fn default() -> Self {
        Case::new()
    }
}
