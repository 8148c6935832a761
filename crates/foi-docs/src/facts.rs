//! What a document says, taken from the domain state of the case: which documents may be
//! issued when, and the plain context a template renders.
//!
//! Documents never contradict the event log: every date, item, amount and finding comes from
//! [`foi_domain::lifecycle::Case`] (the fold of the events) and every deadline from the
//! calendar, counted the way the domain counts it. A document whose facts do not exist yet
//! (a reply letter for a case not replied to, a fee notice without a fee) is refused with
//! [`NotIssuable`], naming what is missing.

use foi_domain::applicant::{DeliveryMethod, FormWanted};
use foi_domain::calendar::{Calendar, CalendarError};
use foi_domain::clock::{self, CONSULTATION, Deadline, FEE_PAYMENT, REPLY};
use foi_domain::lifecycle::{AgencyRules, Case, ConsultedParty, Stage};
use foi_domain::outcome::OutcomeGroup;
use foi_domain::privacy::deidentify_text;
use foi_domain::reasons::{WithheldItem, articles_cited};
use foi_domain::remedy::{Letter, RemedyClause, RemedyError};
use serde::Serialize;
use time::Date;

use crate::{DocumentKind, date_zh, number::PENDING_NUMBER, wording};

/// The particulars of the application, from the case row (Reg. 29).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Particulars {
    /// The case number given at registration, if registered.
    pub case_number: Option<String>,
    /// The applicant's name (a person or an organisation).
    pub applicant_name: String,
    /// What is asked for.
    pub subject: String,
    /// Further description.
    pub description: String,
    /// The form wanted.
    pub form_wanted: Option<FormWanted>,
    /// How the applicant receives the information.
    pub delivery: Option<DeliveryMethod>,
    /// The names of the files attached to the case, in the order they were added; a reply
    /// that discloses lists them as its 附件 (GB/T 9704-2012 §7.3.4).
    pub attachments: Vec<String>,
}

/// The issuing agency (the 发文机关 printed on the document).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issuer {
    /// The agency's code, which names its template overrides.
    pub code: String,
    /// Its name, e.g. 绵阳市游仙区人民政府.
    pub name: String,
    /// The body named in the remedy clause (rules.md §5).
    pub reconsideration_body: String,
    /// Its configured limits (the correction period, whether a fee pauses the clock).
    pub rules: AgencyRules,
    /// Its disclosure office's contact block, printed on every letter to a party; `None`
    /// until set with `foi admin agency contact`.
    pub contact: Option<ContactFacts>,
    /// How to pay an information-processing fee (缴费方式), printed on the fee notice.
    pub payment_instructions: Option<String>,
}

/// The contact block of the agency's disclosure office (政府信息公开工作机构), printed on
/// every letter to a party so that the applicant knows whom to ask (Reg. 24: the office's
/// name, address, telephone are published; the letters repeat them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContactFacts {
    /// The office, e.g. `绵阳市游仙区人民政府办公室政务公开科`.
    pub office: String,
    /// Its postal address (通讯地址).
    pub address: String,
    /// Its postcode (邮政编码), if given.
    pub postcode: Option<String>,
    /// Its telephone (联系电话).
    pub phone: String,
    /// The contact person (联系人).
    pub contact_person: String,
}

/// Which document is asked for, and on which day it is issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request {
    /// The kind.
    pub kind: DocumentKind,
    /// For a consultation letter: which consultation (1-based, in the order opened).
    pub consultation: Option<u32>,
    /// The date the document bears.
    pub issued_on: Date,
}

/// Why a document cannot be issued (yet) for the case as its events made it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotIssuable {
    /// Nothing is issued before the application is received (Reg. 31).
    #[error("the application has not been received yet (stage {stage}); sign for it first (Reg. 31)")]
    NotReceived {
        /// The case's stage.
        stage: Stage,
    },
    /// The file is closed.
    #[error(
        "the case was archived on {on}; its file is closed and kept unchanged (rules.md §2). \
         Documents issued before can still be read and printed"
    )]
    Archived {
        /// The day it was archived.
        on: Date,
    },
    /// No correction notice was sent (`requestCorrection` first).
    #[error("no correction was requested in this case; record the correction request first (Reg. 30)")]
    NoCorrection,
    /// The reply limit was not extended (`extendDeadline` first).
    #[error("the reply limit of this case was not extended; record the extension first (Reg. 33)")]
    NoExtension,
    /// A consultation letter names its consultation.
    #[error("a consultation letter needs the number of the consultation (1 to {count})")]
    ConsultationNumberRequired {
        /// How many consultations the case has.
        count: usize,
    },
    /// There is no consultation with that number.
    #[error("the case has no consultation number {number} (it has {count}); open the consultation first (Reg. 32, 34)")]
    NoConsultation {
        /// The number asked for.
        number: u32,
        /// How many consultations the case has.
        count: usize,
    },
    /// No fee notice was recorded (`issueFeeNotice` first).
    #[error("no information-processing fee was charged in this case; record the fee notice first (Reg. 42)")]
    NoFeeNotice,
    /// Only a case concluded as "not handled" gets that notice.
    #[error(
        "a \"not handled\" notice needs a case concluded as not handled (Reg. 35, 36(6), 39); \
         this one is {stage}{}", outcome_note(*.outcome)
    )]
    NotNotHandled {
        /// The case's stage.
        stage: Stage,
        /// Its outcome, if concluded.
        outcome: Option<foi_domain::outcome::Outcome>,
    },
    /// Only a replied case gets a reply letter.
    #[error(
        "a reply letter needs a case concluded by a reply (stage REPLIED with an outcome of rows (一) to (四)); \
         this one is {stage}{}; record the reply first", outcome_note(*.outcome)
    )]
    NotReplied {
        /// The case's stage.
        stage: Stage,
        /// Its outcome, if concluded.
        outcome: Option<foi_domain::outcome::Outcome>,
    },
    /// A document cannot be dated before what it documents.
    #[error("the document cannot be dated {issued_on}, before {what} on {fact_on}")]
    BeforeTheFact {
        /// The date asked for.
        issued_on: Date,
        /// What it documents, e.g. `the reply`.
        what: &'static str,
        /// When that happened.
        fact_on: Date,
    },
    /// The document's own date would make its printed text false (`DOCUMENT_DATE_CONFLICT`).
    #[error(transparent)]
    DateConflict(#[from] DateConflict),
    /// The proof of service and the approval sheet are printed on demand, never issued.
    #[error(
        "a {kind} is printed on demand for the file, not issued: it has no number and is not stored. \
         Print it with previewDocument{}", if *kind == DocumentKind::ProofOfService { " (documentId: the served document)" } else { "" }
    )]
    PrintedOnDemand {
        /// The kind asked for.
        kind: DocumentKind,
    },
    /// A proof of service names the document it goes with.
    #[error("a proof of service goes with one served document: give its documentId")]
    ServedDocumentRequired,
    /// The document named needs no proof of service.
    #[error("{number} {why}; no proof of service is printed for it")]
    NoProofOfService {
        /// The document's number.
        number: String,
        /// Why, e.g. `was voided`.
        why: &'static str,
    },
    /// The approval sheet carries the draft decision: none is recorded yet.
    #[error(
        "the approval sheet carries the draft decision, and none is recorded in this case (stage {stage}); \
         record the reply or the \"not handled\" decision first"
    )]
    NoDecision {
        /// The case's stage.
        stage: Stage,
    },
    /// The calendar could not count (a year no rule covers: `CALENDAR_UNKNOWN`). A year
    /// counted on the provisional calendar is no reason to refuse: the date is printed with
    /// the provisional mark (rules.md §3).
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    /// The remedy clause cannot be written.
    #[error(transparent)]
    Remedy(#[from] RemedyError),
}

/// A document whose own date would make what it prints false (issue 10 item 2): refused
/// with `DOCUMENT_DATE_CONFLICT`, saying which date to use. Every period a document states
/// from its addressee's receipt is printed relative to receipt and is true by construction;
/// these are the sentences that state an absolute date or a period from the document's own
/// date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateConflict {
    /// The document states a deadline that its own date is already past: a receipt dated
    /// after the reply due date it states (Reg. 33 ¶1), an extension notice dated after the
    /// deadline it extends (Reg. 33 ¶1: the extension is decided and told within the limit).
    #[error(
        "the {document} cannot be dated {issued_on}: it states {what} {deadline}, which is already past on that \
         date ({article}). Date it {deadline} or earlier"
    )]
    PastItsDeadline {
        /// The document, e.g. `receipt acknowledgement`.
        document: &'static str,
        /// The date asked for.
        issued_on: Date,
        /// What the deadline is, e.g. `the reply due date`.
        what: &'static str,
        /// The deadline.
        deadline: Date,
        /// The rule, e.g. `Reg. 33 ¶1`.
        article: &'static str,
    },
    /// The fee notice says the reply period stops "自本通知书发出之日起", and the case's clock
    /// stopped on the day the fee was recorded: the notice must bear that day.
    #[error(
        "the fee notice cannot be dated {issued_on}: it says the reply period stops from the day the notice is \
         sent (自本通知书发出之日起), and the case's reply clock stopped on {notified_on}, when the fee notice was \
         recorded (Reg. 42, 国办函〔2020〕109号). Date it {notified_on}"
    )]
    FeePauseFromAnotherDay {
        /// The date asked for.
        issued_on: Date,
        /// The day the fee was recorded, from which the clock stopped.
        notified_on: Date,
    },
}

impl DateConflict {
    /// The date to use instead: the latest allowed, or the one required.
    pub fn use_on(&self) -> Date {
        match self {
            DateConflict::PastItsDeadline { deadline, .. } => *deadline,
            DateConflict::FeePauseFromAnotherDay { notified_on, .. } => *notified_on,
        }
    }
}

fn outcome_note(outcome: Option<foi_domain::outcome::Outcome>) -> String {
    outcome.map(|o| format!(" with outcome {}", o.code())).unwrap_or_default()
}

/// The issuing agency, as printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgencyFacts {
    /// Its code.
    pub code: String,
    /// Its name.
    pub name: String,
}

/// The application, as every document recalls it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApplicationFacts {
    /// What is asked for (de-identified in a letter to a third party).
    pub subject: String,
    /// Further description (de-identified in a letter to a third party).
    pub description: String,
    /// The date of receipt, e.g. `2026年10月9日` (Reg. 31).
    pub received_on: String,
    /// How it arrived, e.g. `当面申请`.
    pub channel: String,
    /// The form wanted, e.g. `纸质文本`.
    pub form_wanted: String,
    /// How it is to be received, e.g. `邮寄`.
    pub delivery: String,
    /// The day the corrected application arrived, if there was a correction (Reg. 30).
    pub corrected_on: Option<String>,
}

/// The receipt acknowledgement's facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceiptFacts {
    /// Working days to reply (Reg. 33: 20).
    pub limit_working_days: u32,
    /// The last day to reply counted from the date of receipt, before any pause or
    /// extension.
    pub reply_due_on: String,
    /// Whether `reply_due_on` was counted on the provisional calendar: the template prints
    /// [`PROVISIONAL_NOTE`] after it.
    pub reply_due_provisional: bool,
}

/// The correction notice's facts (Reg. 30).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CorrectionFacts {
    /// The day the notice went out.
    pub requested_on: String,
    /// Everything to fix, in one notice.
    pub items: Vec<String>,
    /// The correction period in working days (configurable; default 15), printed as running
    /// from the applicant's receipt of the notice (Reg. 30).
    pub period_working_days: u32,
    /// The day the notice was served (送达), once recorded.
    pub served_on: Option<String>,
    /// The period's last day counted from service (day 0 not counted); `None` while the
    /// notice is not served: its date is then unknown and none is printed.
    pub due_on: Option<String>,
    /// Whether `due_on` was counted on the provisional calendar.
    pub due_provisional: bool,
}

/// The extension notice's facts (Reg. 33 ¶1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExtensionFacts {
    /// The day the office head approved it.
    pub approved_on: String,
    /// Working days added.
    pub working_days: u32,
    /// The extended last day to reply, as it stood on the day of the extension.
    pub due_on: String,
    /// Whether `due_on` was counted on the provisional calendar.
    pub due_provisional: bool,
    /// Why the reply needs more time, as requested and approved (Reg. 33 ¶1), without its
    /// final full stop so the notice can continue the sentence; `None` for an extension
    /// recorded before requests existed (the notice then gives the general reason).
    pub reason: Option<String>,
}

/// The consultation letter's facts (Reg. 32, 34).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsultationFacts {
    /// Its number within the case.
    pub number: u32,
    /// Whether it goes to a third party (Reg. 32) rather than a co-producing agency (Reg. 34).
    pub third_party: bool,
    /// Whom it goes to.
    pub name: String,
    /// The day it was sent.
    pub sent_on: String,
    /// The day it was served (送达) on the party, once recorded.
    pub served_on: Option<String>,
    /// The last day of the 15 working days for an opinion, counted from service (Reg. 32);
    /// `None` while the letter is not served.
    pub due_on: Option<String>,
    /// Whether `due_on` was counted on the provisional calendar.
    pub due_provisional: bool,
    /// The article it rests on: `第三十二条` or `第三十四条`.
    pub article: String,
}

/// The fee notice's facts (Reg. 42).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeeFacts {
    /// The amount in yuan.
    pub amount_yuan: u32,
    /// Per application or per page, e.g. `按件计收`.
    pub basis: String,
    /// The day the fee notice was recorded, from which the reply clock stops.
    pub notified_on: String,
    /// The day the notice was served (送达) on the applicant, once recorded.
    pub served_on: Option<String>,
    /// The last day to pay: 20 working days from the day after service; `None` while the
    /// notice is not served.
    pub due_on: Option<String>,
    /// Whether `due_on` was counted on the provisional calendar.
    pub due_provisional: bool,
    /// Whether the reply clock stops while the fee is unpaid (configurable; default yes).
    pub pauses_clock: bool,
    /// How to pay (account, payee, where and how), as the agency set it; `None` if not set.
    pub payment_instructions: Option<String>,
}

/// The decision of a reply or "not handled" notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecisionFacts {
    /// The outcome's code, e.g. `PARTLY_DISCLOSED`.
    pub outcome: String,
    /// Its row of the annual report, e.g. `(二)`.
    pub row: String,
    /// Its label, e.g. `部分公开`.
    pub label: String,
    /// The finding in the letter's words.
    pub finding: String,
    /// The article it rests on, e.g. `《中华人民共和国政府信息公开条例》第三十七条`; empty
    /// where no article applies, or where the withheld items or the officer's text already
    /// cite it (a letter cites each article once).
    pub basis: String,
    /// What is withheld, grouped by the article it rests on, each article printed once
    /// (Reg. 36(3), 37).
    pub withheld: Vec<WithheldGroup>,
    /// The agency that holds the information, for (四)1 when it can be determined (Reg. 36(5)).
    pub holder: Option<HolderFacts>,
    /// For (四)1 without a holder: the letter says the holding agency cannot be determined.
    pub holder_unknown: bool,
    /// The files provided with a reply that discloses (附件), by name.
    pub attachments: Vec<String>,
    /// The officer's statement of reasons and basis (the reply's `legal_basis`, the
    /// "not handled" explanation), if any.
    pub reasons: Option<String>,
    /// How the information is provided (Reg. 40), where some is.
    pub provision: Option<String>,
    /// Whether the reply was given on the spot (Reg. 33 ¶1).
    pub on_the_spot: bool,
    /// The day of the reply.
    pub decided_on: String,
}

/// The withheld items resting on one article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WithheldGroup {
    /// The citation, e.g. `《中华人民共和国政府信息公开条例》第十五条`.
    pub citation: String,
    /// The items, each with its ground in the letter's words.
    pub items: Vec<WithheldFacts>,
}

/// One withheld item as the letter prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WithheldFacts {
    /// Which information.
    pub information: String,
    /// The ground's code, e.g. `THIRD_PARTY_RIGHTS`.
    pub ground: String,
    /// The ground in the letter's words, e.g. `属于国家秘密`.
    pub reason: String,
}

/// The agency holding the information (Reg. 36(5)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HolderFacts {
    /// Its name.
    pub agency: String,
    /// How to contact it.
    pub contact: String,
}

/// The withheld items grouped by article, in the order each article first appears.
fn withheld_groups(items: &[WithheldItem]) -> Vec<WithheldGroup> {
    let mut groups: Vec<WithheldGroup> = Vec::new();
    for item in items {
        let citation = format!("《中华人民共和国政府信息公开条例》{}", item.ground.article_zh());
        let facts = WithheldFacts {
            information: item.information.clone(),
            ground: item.ground.code().to_owned(),
            reason: item.ground.label_zh().to_owned(),
        };
        match groups.iter_mut().find(|g| g.citation == citation) {
            Some(group) => group.items.push(facts),
            None => groups.push(WithheldGroup { citation, items: vec![facts] }),
        }
    }
    groups
}

/// The decision of a concluded case as its documents state it: finding, reasons and the
/// closing citation, each article cited once.
fn decision_facts(
    case: &Case,
    outcome: foi_domain::outcome::Outcome,
    particulars: &Particulars,
    decided: Date,
) -> DecisionFacts {
    let withheld = withheld_groups(&case.withheld);
    // A letter cites each article once: the closing sentence leaves out the outcome's
    // article where the withheld items or the officer's own text already cite it.
    let mut cited: Vec<String> = case.withheld.iter().flat_map(|i| articles_cited(i.ground.article_zh())).collect();
    cited.extend(case.legal_basis.as_deref().map(articles_cited).unwrap_or_default());
    let basis = outcome.basis_zh();
    let basis = if articles_cited(basis).iter().any(|a| cited.contains(a)) { "" } else { basis };
    let discloses =
        matches!(outcome, foi_domain::outcome::Outcome::Disclosed | foi_domain::outcome::Outcome::PartlyDisclosed);
    DecisionFacts {
        outcome: outcome.code().to_owned(),
        row: outcome.row().to_owned(),
        label: outcome.label_zh().to_owned(),
        finding: wording::finding_zh(outcome).unwrap_or_default().to_owned(),
        basis: basis.to_owned(),
        withheld,
        holder: case.holder.as_ref().map(|h| HolderFacts { agency: h.agency.clone(), contact: h.contact.clone() }),
        // Reg. 36(5): name the holder "能够确定的"; otherwise say it cannot be determined.
        holder_unknown: outcome == foi_domain::outcome::Outcome::NotHeld && case.holder.is_none(),
        attachments: if discloses { particulars.attachments.clone() } else { Vec::new() },
        reasons: case.legal_basis.clone(),
        provision: wording::provision_zh(outcome, particulars.form_wanted, particulars.delivery),
        on_the_spot: case.on_the_spot,
        decided_on: date_zh(decided),
    }
}

/// The remedy clause (rules.md §5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemedyFacts {
    /// `RECONSIDERATION_OR_LITIGATION` or `RECONSIDERATION_FIRST`.
    pub route: String,
    /// The body named.
    pub reconsideration_body: String,
    /// The clause as printed; a reply or "not handled" template must print it.
    pub text: String,
}

/// Everything a template can print: the plain context of one document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentContext {
    /// The kind.
    pub kind: DocumentKind,
    /// The title, e.g. `政府信息公开申请答复书`.
    pub title: String,
    /// The document number, or `〔待编号〕` in a preview.
    pub number: String,
    /// The date it bears, e.g. `2026年10月9日`.
    pub issued_on: String,
    /// The issuing agency.
    pub agency: AgencyFacts,
    /// The agency's contact block, printed after a letter to a party; `None` if not set.
    pub contact: Option<ContactFacts>,
    /// To whom: the applicant, or for a consultation letter the party consulted.
    pub addressee: String,
    /// The case number, if registered.
    pub case_number: Option<String>,
    /// The application.
    pub application: ApplicationFacts,
    /// For a receipt acknowledgement.
    pub receipt: Option<ReceiptFacts>,
    /// The correction, if one was requested (every later document recalls it).
    pub correction: Option<CorrectionFacts>,
    /// For an extension notice.
    pub extension: Option<ExtensionFacts>,
    /// For a consultation letter.
    pub consultation: Option<ConsultationFacts>,
    /// For a fee notice.
    pub fee: Option<FeeFacts>,
    /// For a reply or "not handled" notice.
    pub decision: Option<DecisionFacts>,
    /// For a reply or "not handled" notice: the remedy clause.
    pub remedy: Option<RemedyFacts>,
    /// For a proof of service: the served document and its service.
    pub proof: Option<ProofFacts>,
    /// For an approval sheet: the case facts and who signs.
    pub approval: Option<ApprovalFacts>,
    /// For an application form (申请表): what it is filled with.
    pub form: Option<FormFacts>,
}

/// The mark printed after a date counted on the provisional calendar (rules.md §3).
pub const PROVISIONAL_NOTE: &str = "（以国务院办公厅公布的放假安排为准）";

/// A deadline as printed: the date in Chinese, and whether it is provisional (a year without
/// a loaded notice, counted on the statutory holidays; rules.md §3). The template prints
/// [`PROVISIONAL_NOTE`] after a provisional date instead of the document being refused.
fn printed(deadline: Deadline) -> (String, bool) {
    (date_zh(deadline.date), deadline.is_provisional())
}

fn not_before(issued_on: Date, what: &'static str, fact_on: Date) -> Result<(), NotIssuable> {
    if issued_on < fact_on {
        return Err(NotIssuable::BeforeTheFact { issued_on, what, fact_on });
    }
    Ok(())
}

/// The reply deadline with `limit` working days (20, or 20 plus the extension) as it stood
/// on the day of the extension: the clock of the case with only the pauses known that day,
/// an open one assumed to end that day.
fn due_as_of(
    case: &Case,
    rules: &AgencyRules,
    calendar: &Calendar,
    on: Date,
    limit: u32,
) -> Result<Deadline, NotIssuable> {
    let Some(mut clock) = case.reply_clock(rules) else {
        // Waiting for a correction: no count runs, and none is stated.
        return Ok(clock::deadline(calendar, on, limit)?);
    };
    clock.limit = limit;
    clock.pauses.retain(|p| p.from <= on);
    for pause in &mut clock.pauses {
        if pause.to.is_none_or(|to| to > on) {
            pause.to = None;
        }
    }
    clock.fixed_due = None;
    Ok(clock.due(calendar, on)?)
}

/// The facts every document of the case shares: the application, the issuer, the
/// correction if any. Refuses a case not received, and a date before its receipt.
fn common(
    kind: DocumentKind,
    case: &Case,
    particulars: &Particulars,
    issuer: &Issuer,
    calendar: &Calendar,
    on: Date,
    number: Option<&str>,
) -> Result<DocumentContext, NotIssuable> {
    let Some(received) = case.received_on else {
        return Err(NotIssuable::NotReceived { stage: case.stage });
    };
    not_before(on, "the date of receipt", received)?;
    let third_party_letter = kind == DocumentKind::ConsultationLetter;
    // A letter to a third party carries no personal data of the applicant (rules.md §6).
    let shown = |text: &str| if third_party_letter { deidentify_text(text) } else { text.to_owned() };
    let correction = match &case.correction {
        Some(c) => {
            // Reg. 30 (rules.md §2): the period runs from the applicant's receipt of the
            // notice (its service), day 0 not counted. The notice is printed before it is
            // served, so it states the period relative to receipt; only once the service is
            // recorded is its last day known, and printed.
            let due = c
                .served_on
                .map(|served| clock::deadline(calendar, served, c.period(&issuer.rules)))
                .transpose()?
                .map(printed);
            Some(CorrectionFacts {
                requested_on: date_zh(c.requested_on),
                items: c.items.iter().map(|i| shown(i)).collect(),
                // The notice's own period if it set one, else the agency's default (Reg. 30).
                period_working_days: c.period(&issuer.rules),
                served_on: c.served_on.map(date_zh),
                due_provisional: due.as_ref().is_some_and(|d| d.1),
                due_on: due.map(|d| d.0),
            })
        }
        None => None,
    };
    Ok(DocumentContext {
        kind,
        title: kind.title_zh().to_owned(),
        number: number.unwrap_or(PENDING_NUMBER).to_owned(),
        issued_on: date_zh(on),
        agency: AgencyFacts { code: issuer.code.clone(), name: issuer.name.clone() },
        contact: issuer.contact.clone(),
        addressee: particulars.applicant_name.clone(),
        case_number: particulars.case_number.clone(),
        application: ApplicationFacts {
            subject: shown(&particulars.subject),
            description: shown(&particulars.description),
            received_on: date_zh(received),
            channel: case.channel.map(|c| c.label_zh()).unwrap_or_default().to_owned(),
            form_wanted: particulars.form_wanted.map(|f| f.label_zh()).unwrap_or_default().to_owned(),
            delivery: particulars.delivery.map(|d| d.label_zh()).unwrap_or_default().to_owned(),
            corrected_on: case.correction.as_ref().and_then(|c| c.received_on).map(date_zh),
        },
        receipt: None,
        correction,
        extension: None,
        consultation: None,
        fee: None,
        decision: None,
        remedy: None,
        proof: None,
        approval: None,
        form: None,
    })
}

/// Checks that `request` may be issued for `case` and builds the document's context.
/// `number` is the allocated document number, or `None` for a preview (`〔待编号〕`). The two
/// kinds printed on demand are refused here ([`NotIssuable::PrintedOnDemand`]): see
/// [`proof_of_service`] and [`approval_sheet`].
pub fn context(
    request: Request,
    case: &Case,
    particulars: &Particulars,
    issuer: &Issuer,
    calendar: &Calendar,
    number: Option<&str>,
) -> Result<DocumentContext, NotIssuable> {
    let kind = request.kind;
    let on = request.issued_on;
    if !kind.is_issued() {
        return Err(NotIssuable::PrintedOnDemand { kind });
    }
    if let Some(archived) = case.archived_on {
        return Err(NotIssuable::Archived { on: archived });
    }
    let mut context = common(kind, case, particulars, issuer, calendar, on, number)?;
    let received = case.received_on.ok_or(NotIssuable::NotReceived { stage: case.stage })?;
    let mut title = kind.title_zh().to_owned();
    let mut addressee = particulars.applicant_name.clone();
    let correction = context.correction.take();
    match kind {
        DocumentKind::Receipt => {
            // Reg. 33 ¶1: 20 working days from the date of receipt (Reg. 31).
            let due = clock::deadline(calendar, received, REPLY.working_days)?;
            // The receipt states the reply due date: dated after it, it would be false.
            if on > due.date {
                return Err(DateConflict::PastItsDeadline {
                    document: "receipt acknowledgement",
                    issued_on: on,
                    what: "the reply due date",
                    deadline: due.date,
                    article: "Reg. 31, 33 ¶1",
                }
                .into());
            }
            let (reply_due_on, reply_due_provisional) = printed(due);
            context.receipt =
                Some(ReceiptFacts { limit_working_days: REPLY.working_days, reply_due_on, reply_due_provisional });
        }
        DocumentKind::CorrectionNotice => {
            let c = case.correction.as_ref().ok_or(NotIssuable::NoCorrection)?;
            not_before(on, "the correction request", c.requested_on)?;
        }
        DocumentKind::ExtensionNotice => {
            let e = case.extension.as_ref().ok_or(NotIssuable::NoExtension)?;
            not_before(on, "the extension", e.approved_on)?;
            // Reg. 33 ¶1: the extension is decided and told within the limit it extends; a
            // notice dated after that limit (and so after any date it could state) is false.
            let original = due_as_of(case, &issuer.rules, calendar, e.approved_on, REPLY.working_days)?;
            if on > original.date {
                return Err(DateConflict::PastItsDeadline {
                    document: "extension notice",
                    issued_on: on,
                    what: "that it extends the reply limit ending on",
                    deadline: original.date,
                    article: "Reg. 33 ¶1",
                }
                .into());
            }
            let limit = REPLY.working_days + e.working_days;
            let (due_on, due_provisional) = printed(due_as_of(case, &issuer.rules, calendar, e.approved_on, limit)?);
            context.extension = Some(ExtensionFacts {
                approved_on: date_zh(e.approved_on),
                working_days: e.working_days,
                due_on,
                due_provisional,
                reason: e
                    .reason
                    .as_deref()
                    .map(|r| r.trim().trim_end_matches(['。', '，', '；', '.', ',', ';']).to_owned())
                    .filter(|r| !r.is_empty()),
            });
        }
        DocumentKind::ConsultationLetter => {
            let count = case.consultations.len();
            let number = request.consultation.ok_or(NotIssuable::ConsultationNumberRequired { count })?;
            let c = (number as usize)
                .checked_sub(1)
                .and_then(|i| case.consultations.get(i))
                .ok_or(NotIssuable::NoConsultation { number, count })?;
            not_before(on, "the consultation", c.sent_on)?;
            let third_party = c.party == ConsultedParty::ThirdParty;
            // Reg. 32, 34: 15 working days for an opinion, from the party's receipt of the
            // letter (its service, day 0 not counted): printed relative to receipt, with the
            // last day only once the service is recorded.
            let due = c
                .served_on
                .map(|served| clock::deadline(calendar, served, CONSULTATION.working_days))
                .transpose()?
                .map(printed);
            title = if third_party {
                "政府信息公开征求第三方意见函"
            } else {
                "政府信息公开征求共同制作机关意见函"
            }
            .to_owned();
            addressee = c.name.clone();
            context.consultation = Some(ConsultationFacts {
                number,
                third_party,
                name: c.name.clone(),
                sent_on: date_zh(c.sent_on),
                served_on: c.served_on.map(date_zh),
                due_provisional: due.as_ref().is_some_and(|d| d.1),
                due_on: due.map(|d| d.0),
                article: if third_party { "第三十二条" } else { "第三十四条" }.to_owned(),
            });
        }
        DocumentKind::FeeNotice => {
            let f = case.fee.as_ref().ok_or(NotIssuable::NoFeeNotice)?;
            not_before(on, "the fee notice", f.notified_on)?;
            // Reg. 42: where the fee pauses the reply clock the notice says the pause runs
            // "自本通知书发出之日起", and the clock stopped on the day the fee was recorded: the
            // notice must bear that day, or the sentence is false.
            if issuer.rules.fee_pauses_clock && on != f.notified_on {
                return Err(DateConflict::FeePauseFromAnotherDay { issued_on: on, notified_on: f.notified_on }.into());
            }
            // 国办函〔2020〕109号: 20 working days from the day after the notice is received
            // (its service): printed relative to receipt, the last day only once served.
            let due = f
                .served_on
                .map(|served| clock::deadline(calendar, served, FEE_PAYMENT.working_days))
                .transpose()?
                .map(printed);
            context.fee = Some(FeeFacts {
                amount_yuan: f.amount_yuan,
                basis: f.basis.label_zh().to_owned(),
                notified_on: date_zh(f.notified_on),
                served_on: f.served_on.map(date_zh),
                due_provisional: due.as_ref().is_some_and(|d| d.1),
                due_on: due.map(|d| d.0),
                pauses_clock: issuer.rules.fee_pauses_clock,
                payment_instructions: issuer.payment_instructions.clone(),
            });
        }
        DocumentKind::ProofOfService | DocumentKind::ApprovalSheet | DocumentKind::ApplicationForm => {
            return Err(NotIssuable::PrintedOnDemand { kind });
        }
        DocumentKind::NotHandledNotice | DocumentKind::Reply => {
            let outcome = case.outcome.filter(|_| case.stage == Stage::Replied);
            let wanted = |o: &foi_domain::outcome::Outcome| {
                let not_handled = o.group() == OutcomeGroup::NotHandled;
                o.is_reply_outcome() && (not_handled == (kind == DocumentKind::NotHandledNotice))
            };
            let Some(outcome) = outcome.filter(wanted) else {
                return Err(if kind == DocumentKind::Reply {
                    NotIssuable::NotReplied { stage: case.stage, outcome: case.outcome }
                } else {
                    NotIssuable::NotNotHandled { stage: case.stage, outcome: case.outcome }
                });
            };
            let decided = case.concluded_on.unwrap_or(on);
            not_before(on, if kind == DocumentKind::Reply { "the reply" } else { "the decision" }, decided)?;
            let clause = RemedyClause::for_outcome(outcome, &issuer.reconsideration_body)?;
            let letter = if kind == DocumentKind::Reply { Letter::Reply } else { Letter::NotHandledNotice };
            context.decision = Some(decision_facts(case, outcome, particulars, decided));
            context.remedy = Some(RemedyFacts {
                route: clause.route.code().to_owned(),
                reconsideration_body: clause.reconsideration_body.clone(),
                text: clause.text_zh(letter),
            });
        }
    }
    context.correction = correction;
    context.title = title;
    context.addressee = addressee;
    Ok(context)
}

/// A document that must be served, as the proof of service (送达回证) names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServedDocument {
    /// Its kind.
    pub kind: DocumentKind,
    /// For a consultation letter: which consultation (1-based).
    pub consultation: Option<u32>,
    /// The title printed on it.
    pub title: String,
    /// Its number (文号).
    pub number: String,
    /// Whether it was voided (作废): a voided document is not served.
    pub voided: bool,
    /// Its service, once recorded.
    pub service: Option<ServiceRecord>,
    /// The applicant's postal address, as the case records it (a letter to the applicant
    /// goes there).
    pub applicant_address: Option<String>,
}

/// A recorded service (送达) of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRecord {
    /// How.
    pub method: foi_domain::service::ServiceMethod,
    /// The day it reached the addressee.
    pub on: Date,
    /// Who signed for it, if recorded.
    pub recipient: Option<String>,
    /// Who recorded it, as the history names them: the officer who served it (送达人).
    pub recorded_by: String,
}

/// The proof of service's facts (送达回证). Blank fields (`None`) are printed as lines to
/// fill in by hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProofFacts {
    /// 送达文书名称及文号: the served document's title.
    pub document_title: String,
    /// Its number.
    pub document_number: String,
    /// 受送达人: the applicant, or the party consulted.
    pub addressee: String,
    /// 送达地址: the applicant's postal address; for a consultation letter the party's name
    /// (the case keeps no address of it).
    pub address: Option<String>,
    /// 送达方式, e.g. `邮寄送达`, once recorded.
    pub method: Option<String>,
    /// 送达人: the officer who recorded the service (none for online service, which the
    /// addressee's own opening records).
    pub server: Option<String>,
    /// 受送达人签收: who signed, as recorded.
    pub recipient: Option<String>,
    /// 送达日期, once recorded.
    pub served_on: Option<String>,
    /// 备注.
    pub remark: Option<String>,
}

/// The proof of service (送达回证) of `served`, printed on `on`: a document for the handling
/// officers and the addressee, with no number of its own. With the service recorded it
/// carries the method, date and recipient; otherwise blanks to fill in by hand. Refused for
/// a voided document, and for one that needs no service.
pub fn proof_of_service(
    served: &ServedDocument,
    case: &Case,
    particulars: &Particulars,
    issuer: &Issuer,
    calendar: &Calendar,
    on: Date,
) -> Result<DocumentContext, NotIssuable> {
    let kind = DocumentKind::ProofOfService;
    if served.voided {
        return Err(NotIssuable::NoProofOfService { number: served.number.clone(), why: "was voided" });
    }
    if served.kind.served_notice(served.consultation).is_none() {
        return Err(NotIssuable::NoProofOfService { number: served.number.clone(), why: "needs no service" });
    }
    let mut context = common(kind, case, particulars, issuer, calendar, on, None)?;
    // It refers to the served document's number and has none of its own.
    context.number = String::new();
    let consulted = served
        .consultation
        .filter(|_| served.kind == DocumentKind::ConsultationLetter)
        .and_then(|n| (n as usize).checked_sub(1))
        .and_then(|i| case.consultations.get(i));
    let (addressee, address) = match consulted {
        Some(c) => (c.name.clone(), Some(c.name.clone())),
        None => (
            particulars.applicant_name.clone(),
            served.applicant_address.as_deref().map(str::trim).filter(|a| !a.is_empty()).map(str::to_owned),
        ),
    };
    let service = served.service.as_ref();
    let online = service.is_some_and(|s| s.method == foi_domain::service::ServiceMethod::Online);
    context.addressee = addressee.clone();
    context.proof = Some(ProofFacts {
        document_title: served.title.clone(),
        document_number: served.number.clone(),
        addressee,
        address,
        method: service.map(|s| s.method.label_zh().to_owned()),
        server: service.filter(|_| !online).map(|s| s.recorded_by.clone()),
        recipient: service.and_then(|s| s.recipient.clone()),
        served_on: service.map(|s| date_zh(s.on)),
        remark: online.then(|| "受送达人在网上首次打开该文书之日为送达日期".to_owned()),
    });
    Ok(context)
}

/// One signature of the approval sheet: who, and on which day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signer {
    /// The officer, as the history names them.
    pub name: String,
    /// The day.
    pub on: Date,
}

/// Who signs the approval sheet, taken from the case's history; `None` prints a blank line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Signers {
    /// 承办人: the officer who recorded the decision (or the assignee).
    pub prepared: Option<Signer>,
    /// 审核人: the officer who accepted the application at review (审核).
    pub reviewed: Option<Signer>,
    /// 签发人: the officer who issued the decision letter, once issued.
    pub approved: Option<Signer>,
}

/// A signature as printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignerFacts {
    /// The name.
    pub name: String,
    /// The date, e.g. `2026年11月20日`.
    pub on: String,
}

/// The approval sheet's facts (呈批表).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApprovalFacts {
    /// The applicant's name.
    pub applicant: String,
    /// The reply due date as it stands on the day of the decision (pauses and extension
    /// counted), if a clock runs.
    pub reply_due_on: Option<String>,
    /// Whether `reply_due_on` was counted on the provisional calendar.
    pub reply_due_provisional: bool,
    /// The draft decision's letter, e.g. `政府信息公开申请答复书`.
    pub letter: String,
    /// The recorded outcome in the wording of table 三 of the annual report, with its row,
    /// e.g. `(二)部分公开` (the form's counting note left out).
    pub outcome: String,
    /// 承办人.
    pub prepared: Option<SignerFacts>,
    /// 审核人.
    pub reviewed: Option<SignerFacts>,
    /// 签发人.
    pub approved: Option<SignerFacts>,
}

/// The internal approval sheet (呈批表) of the case's draft decision, printed on `on`, for
/// the handling officers: the case facts, the recorded decision with its reasons, and the
/// 承办人 / 审核人 / 签发人 grid. Refused before a decision is recorded.
pub fn approval_sheet(
    case: &Case,
    particulars: &Particulars,
    issuer: &Issuer,
    calendar: &Calendar,
    signers: &Signers,
    on: Date,
) -> Result<DocumentContext, NotIssuable> {
    let kind = DocumentKind::ApprovalSheet;
    let mut context = common(kind, case, particulars, issuer, calendar, on, None)?;
    let Some(deciding) = DocumentKind::deciding(case) else {
        return Err(NotIssuable::NoDecision { stage: case.stage });
    };
    let outcome = case.outcome.ok_or(NotIssuable::NoDecision { stage: case.stage })?;
    let decided = case.concluded_on.unwrap_or(on);
    context.number = String::new();
    context.decision = Some(decision_facts(case, outcome, particulars, decided));
    // The reply due date as the clock stood on the day of the decision (Reg. 33).
    let due = case.reply_clock(&issuer.rules).map(|clock| clock.due(calendar, decided)).transpose()?.map(printed);
    let signed = |s: &Option<Signer>| s.as_ref().map(|s| SignerFacts { name: s.name.clone(), on: date_zh(s.on) });
    context.approval = Some(ApprovalFacts {
        applicant: particulars.applicant_name.clone(),
        reply_due_provisional: due.as_ref().is_some_and(|d| d.1),
        reply_due_on: due.map(|d| d.0),
        letter: deciding.title_zh().to_owned(),
        outcome: format!("{}{}", outcome.row(), outcome.label_zh().split('（').next().unwrap_or_default()),
        prepared: signed(&signers.prepared),
        reviewed: signed(&signers.reviewed),
        approved: signed(&signers.approved),
    });
    Ok(context)
}

/// One box of a form's choice (☐ or ☑), e.g. 纸质文本.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Choice {
    /// What it says.
    pub label: String,
    /// Whether it is ticked.
    pub checked: bool,
}

/// The facts of an application form (政府信息公开申请表, Reg. 29): blank, or filled with a
/// case's particulars for the applicant to check and sign.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FormFacts {
    /// Whether it is filled from a case (else every line is blank to write on).
    pub filled: bool,
    /// Whether the applicant is an organisation; `None` on a blank form (both blocks shown).
    pub organisation: Option<bool>,
    /// The statistics column, e.g. 自然人, 商业企业 (Reg. 29 (1)).
    pub kind: String,
    /// The name of the person or organisation.
    pub name: String,
    /// The identity document, e.g. 居民身份证, 统一社会信用代码.
    pub id_document: String,
    /// Its number.
    pub id_number: String,
    /// Phone.
    pub phone: String,
    /// E-mail.
    pub email: String,
    /// Postal address.
    pub address: String,
    /// The information sought (Reg. 29 (2)).
    pub subject: String,
    /// Its further description.
    pub description: String,
    /// The forms the information may be provided in, the wanted one ticked (Reg. 29 (3)).
    pub forms: Vec<Choice>,
    /// The ways it may be obtained, the wanted one ticked (Reg. 29 (3)).
    pub deliveries: Vec<Choice>,
    /// The date of receipt, when filled from a case.
    pub received_on: String,
}

impl FormFacts {
    /// A blank form: every choice offered, none ticked.
    pub fn blank() -> FormFacts {
        FormFacts {
            forms: choices(&FormWanted::ALL.map(FormWanted::label_zh), None),
            deliveries: choices(&DeliveryMethod::ALL.map(DeliveryMethod::label_zh), None),
            ..FormFacts::default()
        }
    }
}

fn choices(labels: &[&str], checked: Option<&str>) -> Vec<Choice> {
    labels.iter().map(|l| Choice { label: (*l).to_owned(), checked: checked == Some(*l) }).collect()
}

/// An application as the filled form prints it (the case's own particulars, unmasked: the
/// form goes to the applicant to check and sign, through the officers handling the case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormApplicant {
    /// Who applies.
    pub kind: foi_domain::applicant::ApplicantKind,
    /// Name.
    pub name: String,
    /// Identity number or credit code.
    pub id_number: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Postal address.
    pub address: Option<String>,
}

/// The application form (申请表, Reg. 29) of `issuer`, printed on `on`: blank when `filled` is
/// `None`, else with the applicant and the application of a case.
pub fn application_form(
    issuer: &Issuer,
    filled: Option<(&FormApplicant, &Particulars, Option<Date>)>,
    on: Date,
) -> DocumentContext {
    let kind = DocumentKind::ApplicationForm;
    let form = match filled {
        None => FormFacts::blank(),
        Some((applicant, particulars, received)) => {
            let organisation = applicant.kind.is_organisation();
            let text = |v: &Option<String>| v.clone().unwrap_or_default();
            FormFacts {
                filled: true,
                organisation: Some(organisation),
                kind: applicant.kind.label_zh().to_owned(),
                name: applicant.name.clone(),
                id_document: if organisation { "统一社会信用代码" } else { "居民身份证" }.to_owned(),
                id_number: text(&applicant.id_number),
                phone: text(&applicant.phone),
                email: text(&applicant.email),
                address: text(&applicant.address),
                subject: particulars.subject.clone(),
                description: particulars.description.clone(),
                forms: choices(
                    &FormWanted::ALL.map(FormWanted::label_zh),
                    particulars.form_wanted.map(FormWanted::label_zh),
                ),
                deliveries: choices(
                    &DeliveryMethod::ALL.map(DeliveryMethod::label_zh),
                    particulars.delivery.map(DeliveryMethod::label_zh),
                ),
                received_on: received.map(date_zh).unwrap_or_default(),
            }
        }
    };
    DocumentContext {
        kind,
        title: kind.title_zh().to_owned(),
        number: String::new(),
        issued_on: date_zh(on),
        agency: AgencyFacts { code: issuer.code.clone(), name: issuer.name.clone() },
        contact: issuer.contact.clone(),
        addressee: String::new(),
        case_number: filled.and_then(|(_, p, _)| p.case_number.clone()),
        application: ApplicationFacts {
            subject: String::new(),
            description: String::new(),
            received_on: String::new(),
            channel: String::new(),
            form_wanted: String::new(),
            delivery: String::new(),
            corrected_on: None,
        },
        receipt: None,
        correction: None,
        extension: None,
        consultation: None,
        fee: None,
        decision: None,
        remedy: None,
        proof: None,
        approval: None,
        form: Some(form),
    }
}
