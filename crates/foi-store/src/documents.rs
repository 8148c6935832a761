//! Issued documents (文书): the notices and reply letters of a case, kept unchanged.
//!
//! Issuing a document is one transaction ([`Store::issue_document`]): load the case and
//! refuse a stale version; let `foi_docs` decide that the document may be issued for the
//! case as its events made it and gather its facts; allocate its number from the agency's
//! yearly sequence of its kind (gap-free, like case numbers: a failed issue gives the number
//! back); render it; insert the row with the HTML and its SHA-256; append the case's
//! `DOCUMENT_ISSUED` audit event. The rows are never updated or deleted: this module has no
//! function that could, and a document is re-printed from its stored HTML.
//!
//! A document issued with a mistake is voided (作废, [`Store::void_document`]): a
//! `DOCUMENT_VOIDED` audit event with the reason, and nothing else. The row, its number and
//! its HTML stay as issued; the number is never given again. Once voided, a document of
//! the same kind (and consultation) may be issued anew, under the next number of its
//! sequence, and its `DOCUMENT_ISSUED` event names the number it replaces. Whether a
//! document is voided, and what it replaces, is read from the case's events
//! ([`DocumentRecord::voided`], [`DocumentRecord::replaces`]).

use foi_docs::facts::{
    ContactFacts, Issuer, NotIssuable, Particulars, Request, ServedDocument, ServiceRecord, Signer, Signers,
};
use foi_docs::{DocError, DocumentKind, Rendered, Renderer};
use foi_domain::calendar::Calendar;
use foi_domain::case_number::PatternError;
use foi_domain::lifecycle::{Event, Stage};
use foi_domain::service::ServiceMethod;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::entities::documents;
use crate::workflow::{Actor, CaseState, audit_event, rules_of};
use crate::{Agency, CaseRecord, EventRecord, Store, StoreError, Txn, sql};

/// The audit event code of an issued document. It is not a lifecycle event and changes no
/// stage; its payload names the document (`document_id`, `kind`, `number`, `sha256`, and
/// `replaces`, the number of the voided document it replaces, if any).
pub const DOCUMENT_ISSUED: &str = "DOCUMENT_ISSUED";

/// The audit event code of a voided document: its payload names the document
/// (`document_id`, `kind`, `number`), its reason is why.
pub const DOCUMENT_VOIDED: &str = "DOCUMENT_VOIDED";

/// How a document was voided (作废).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Voiding {
    /// The date of the voiding.
    pub on: Date,
    /// Who voided it, as the history names them.
    pub by: String,
    /// Why.
    pub reason: String,
}

/// A document to store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewDocument {
    /// Chosen by the caller.
    pub id: Uuid,
    pub case_id: Uuid,
    /// The issuing agency (the case's).
    pub agency_id: Uuid,
    /// The kind's code, e.g. `REPLY`.
    pub kind: String,
    /// The document number, e.g. `游府信答〔2026〕17号`; unique.
    pub number: String,
    /// The year and sequence the number was allocated from.
    pub year: i32,
    pub seq: i64,
    /// The date it bears.
    pub issued_on: Date,
    pub title: String,
    /// The rendered, printable HTML.
    pub html: String,
    /// Lower-case hex SHA-256 of the HTML's UTF-8 bytes.
    pub content_sha256: String,
    /// Who issued it, as the history names them.
    pub issued_by: String,
    pub issued_by_id: Option<Uuid>,
    pub created_at: OffsetDateTime,
}

/// A stored document, as issued, with what the case's events say of it since.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentRecord {
    pub id: Uuid,
    pub case_id: Uuid,
    pub agency_id: Uuid,
    pub kind: String,
    pub number: String,
    pub year: i32,
    pub seq: i64,
    pub issued_on: Date,
    pub title: String,
    pub html: String,
    pub content_sha256: String,
    pub issued_by: String,
    pub issued_by_id: Option<Uuid>,
    pub created_at: OffsetDateTime,
    /// Set once the document was voided.
    pub voided: Option<Voiding>,
    /// The number of the voided document this one was issued to replace.
    pub replaces: Option<String>,
}

impl From<documents::Model> for DocumentRecord {
    fn from(m: documents::Model) -> Self {
        DocumentRecord {
            id: m.id,
            case_id: m.case_id,
            agency_id: m.agency_id,
            kind: m.kind,
            number: m.number,
            year: m.year,
            seq: m.seq,
            issued_on: m.issued_on,
            title: m.title,
            html: m.html,
            content_sha256: m.content_sha256,
            issued_by: m.issued_by,
            issued_by_id: m.issued_by_id,
            created_at: m.created_at,
            voided: None,
            replaces: None,
        }
    }
}

/// The document a `DOCUMENT_ISSUED` or `DOCUMENT_VOIDED` event names.
fn document_of(event: &EventRecord) -> Option<Uuid> {
    event.payload.get("document_id")?.as_str()?.parse().ok()
}

/// Fills in [`DocumentRecord::voided`] and [`DocumentRecord::replaces`] from the case's
/// events.
fn annotate(documents: &mut [DocumentRecord], events: &[EventRecord]) {
    for event in events {
        let Some(id) = document_of(event) else { continue };
        let Some(document) = documents.iter_mut().find(|d| d.id == id) else { continue };
        if event.kind == DOCUMENT_VOIDED {
            document.voided = Some(Voiding {
                on: event.occurred_on,
                by: event.actor_label.clone(),
                reason: event.reason.clone().unwrap_or_default(),
            });
        } else if event.kind == DOCUMENT_ISSUED {
            document.replaces = event.payload.get("replaces").and_then(|n| n.as_str()).map(str::to_owned);
        }
    }
}

/// Inserts a document. A taken number is `UniqueViolation` on
/// [`crate::constraints::UX_DOCUMENTS_NUMBER`]; a taken id on `documents_pkey`.
async fn insert<C: ConnectionTrait>(c: &C, new: NewDocument) -> Result<DocumentRecord, StoreError> {
    let model = documents::ActiveModel {
        id: Set(new.id),
        case_id: Set(new.case_id),
        agency_id: Set(new.agency_id),
        kind: Set(new.kind),
        number: Set(new.number),
        year: Set(new.year),
        seq: Set(new.seq),
        issued_on: Set(new.issued_on),
        title: Set(new.title),
        html: Set(new.html),
        content_sha256: Set(new.content_sha256),
        issued_by: Set(new.issued_by),
        issued_by_id: Set(new.issued_by_id),
        created_at: Set(sql::instant(new.created_at)),
    }
    .insert(c)
    .await?;
    Ok(model.into())
}

pub(crate) async fn of_case<C: ConnectionTrait>(c: &C, case_id: Uuid) -> Result<Vec<DocumentRecord>, StoreError> {
    let rows = documents::Entity::find()
        .filter(documents::Column::CaseId.eq(case_id))
        .order_by_asc(documents::Column::IssuedOn)
        .order_by_asc(documents::Column::CreatedAt)
        .order_by_asc(documents::Column::Number)
        .all(c)
        .await?;
    let mut documents: Vec<DocumentRecord> = rows.into_iter().map(DocumentRecord::from).collect();
    if !documents.is_empty() {
        annotate(&mut documents, &document_events(c, case_id).await?);
    }
    Ok(documents)
}

async fn get<C: ConnectionTrait>(c: &C, id: Uuid) -> Result<DocumentRecord, StoreError> {
    let document = documents::Entity::find_by_id(id)
        .one(c)
        .await?
        .map(DocumentRecord::from)
        .ok_or_else(|| StoreError::not_found(format_args!("document {id}")))?;
    let events = document_events(c, document.case_id).await?;
    let mut one = [document];
    annotate(&mut one, &events);
    let [document] = one;
    Ok(document)
}

/// The `DOCUMENT_ISSUED` and `DOCUMENT_VOIDED` events of a case, in order.
async fn document_events<C: ConnectionTrait>(c: &C, case_id: Uuid) -> Result<Vec<EventRecord>, StoreError> {
    crate::cases::events_of_kinds(c, case_id, &[DOCUMENT_ISSUED, DOCUMENT_VOIDED]).await
}

impl Store {
    /// The documents of a case, in the order they were issued.
    pub async fn documents_of(&self, case_id: Uuid) -> Result<Vec<DocumentRecord>, StoreError> {
        of_case(&self.db, case_id).await
    }

    /// One document, or `NotFound`.
    pub async fn document(&self, id: Uuid) -> Result<DocumentRecord, StoreError> {
        get(&self.db, id).await
    }
}

impl Txn {
    /// Stores a document as part of this transaction; see [`NewDocument`]. Use
    /// [`Store::issue_document`], which numbers, renders and audits it in the same
    /// transaction.
    pub async fn insert_document(&self, new: NewDocument) -> Result<DocumentRecord, StoreError> {
        insert(&self.inner, new).await
    }

    /// The documents of a case, in the order they were issued.
    pub async fn documents_of(&self, case_id: Uuid) -> Result<Vec<DocumentRecord>, StoreError> {
        of_case(&self.inner, case_id).await
    }

    /// One document, or `NotFound`.
    pub async fn document(&self, id: Uuid) -> Result<DocumentRecord, StoreError> {
        get(&self.inner, id).await
    }
}

/// A document asked to be issued.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssueRequest {
    /// The case.
    pub case_id: Uuid,
    /// The version the requester read; a stale one is [`StoreError::Conflict`].
    pub expected_version: i64,
    /// Which document.
    pub kind: DocumentKind,
    /// For a consultation letter: which consultation (1-based).
    pub consultation: Option<u32>,
    /// The date it bears.
    pub issued_on: Date,
}

/// Why a document was not issued. Nothing was written in any of these cases.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// The store refused or failed (a stale version is [`StoreError::Conflict`]).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The case's state does not allow this document (yet).
    #[error(transparent)]
    NotIssuable(#[from] NotIssuable),
    /// The template failed, or left out the remedy clause.
    #[error(transparent)]
    Render(#[from] DocError),
    /// The agency's case-number pattern is invalid.
    #[error("the agency's case-number pattern is invalid: {0}")]
    Pattern(#[from] PatternError),
    /// The document was issued already; it is re-printed, not issued again.
    #[error(
        "this {kind} was already issued as {number} on {issued_on}; print that one again (Case.documents) \
         instead of issuing a second"
    )]
    AlreadyIssued {
        /// The kind's code.
        kind: String,
        /// The number it was issued under.
        number: String,
        /// The date it bears.
        issued_on: Date,
    },
    /// The document was voided already.
    #[error("{number} was already voided on {on}")]
    AlreadyVoided {
        /// Its number.
        number: String,
        /// The date of the voiding.
        on: Date,
    },
    /// The document may not be voided as asked.
    #[error(transparent)]
    NotVoidable(#[from] VoidRefusal),
}

/// A document asked to be served (送达).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServeRequest {
    /// The document.
    pub document_id: Uuid,
    /// The version of its case the requester read; a stale one is [`StoreError::Conflict`].
    pub expected_version: i64,
    /// How it was served.
    pub method: ServiceMethod,
    /// The day it reached the addressee.
    pub on: Date,
    /// Who signed for it, if recorded.
    pub recipient: Option<String>,
}

/// Why a document may not be served as asked (the domain's own refusals, e.g. a second
/// service, come as [`crate::WorkflowError::Transition`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ServeRefusal {
    /// A voided document is not served; serve the one issued in its place.
    #[error("{number} was voided; serve the document issued in its place")]
    Voided {
        /// Its number.
        number: String,
    },
    /// The service would be dated before the document.
    #[error("a document dated {issued_on} cannot be served before that day")]
    BeforeIssue {
        /// The date the document bears.
        issued_on: Date,
    },
    /// The document names no notice of the case (a consultation letter without its number).
    #[error("this document names no notice of the case that could be served")]
    NoNotice,
}

/// A document asked to be voided (作废).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VoidRequest {
    /// The document.
    pub document_id: Uuid,
    /// The version of its case the requester read; a stale one is [`StoreError::Conflict`].
    pub expected_version: i64,
    /// Why it is voided: required, kept in the case's history.
    pub reason: String,
    /// The date of the voiding.
    pub on: Date,
}

/// Why a document may not be voided as asked.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum VoidRefusal {
    /// The case file is archived (归档) and closed to changes.
    #[error("the case is archived: its file is closed, and its documents stay as they are")]
    CaseArchived,
    /// The voiding would be dated before the document.
    #[error("a document issued on {issued_on} cannot be voided before that day")]
    BeforeIssue {
        /// The date the document bears.
        issued_on: Date,
    },
    /// No reason was given.
    #[error("say why the document is voided: the reason is kept in the case's history")]
    NoReason,
}

/// The particulars of the application as documents state them, with the names of the
/// files attached to the case (a disclosing reply lists them as its 附件).
fn particulars(record: &CaseRecord, attachments: &[crate::attachments::AttachmentRecord]) -> Particulars {
    Particulars {
        attachments: attachments.iter().map(|a| a.file_name.clone()).collect(),
        case_number: record.case_number.clone(),
        applicant_name: record.applicant_name.clone(),
        subject: record.subject.clone(),
        description: record.description.clone(),
        form_wanted: record.form_wanted.parse().ok(),
        delivery: record.delivery_method.parse().ok(),
    }
}

/// The agency as the issuer of documents.
pub fn issuer(agency: &Agency) -> Issuer {
    Issuer {
        code: agency.code.clone(),
        name: agency.name.clone(),
        reconsideration_body: agency.reconsideration_body.clone(),
        rules: rules_of(agency),
        contact: contact_of(agency),
        payment_instructions: agency.contact.payment_instructions.clone().filter(|p| !p.trim().is_empty()),
    }
}

/// The contact block a letter prints, if the agency set a complete one.
fn contact_of(agency: &Agency) -> Option<ContactFacts> {
    let c = &agency.contact;
    if !c.is_complete() {
        return None;
    }
    Some(ContactFacts {
        office: c.office.clone().unwrap_or_default(),
        address: c.address.clone().unwrap_or_default(),
        postcode: c.postcode.clone().filter(|p| !p.trim().is_empty()),
        phone: c.phone.clone().unwrap_or_default(),
        contact_person: c.person.clone().unwrap_or_default(),
    })
}

/// The consultation number recorded in a `DOCUMENT_ISSUED` payload, if any.
fn issued_consultation(payload: &serde_json::Value) -> Option<u32> {
    payload.get("consultation_number").and_then(|n| n.as_u64()).and_then(|n| u32::try_from(n).ok())
}

impl Store {
    /// Records the service (送达) of a document: the domain's [`Event::Served`] for the
    /// notice it is, with the document's id and the recipient, through the one path of a
    /// case change (version-guarded, one transaction with its audit event). Returns the
    /// document and the case as it is now.
    pub async fn serve_document(
        &self,
        request: ServeRequest,
        actor: &Actor,
        calendar: &Calendar,
        now: OffsetDateTime,
    ) -> Result<(DocumentRecord, CaseState), crate::WorkflowError> {
        let txn = self.begin().await?;
        let result = serve_in(&txn, request, actor, calendar, now).await;
        txn.finish(result).await
    }

    /// Issues a document: checks it may be issued, numbers it, renders it, stores it and
    /// appends the case's `DOCUMENT_ISSUED` event, in one transaction. Returns the document
    /// and the case at its new version.
    pub async fn issue_document(
        &self,
        request: IssueRequest,
        renderer: &Renderer,
        actor: &Actor,
        calendar: &Calendar,
        now: OffsetDateTime,
    ) -> Result<(DocumentRecord, CaseRecord), DocumentError> {
        let txn = self.begin().await?;
        let result = issue_in(&txn, request, renderer, actor, calendar, now).await;
        txn.finish(result).await
    }

    /// Voids a document (作废): appends the case's `DOCUMENT_VOIDED` event with the reason,
    /// in one transaction; the document itself stays as issued. Returns the document, now
    /// voided, and the case at its new version. After it, a document of the same kind may
    /// be issued anew ([`Store::issue_document`]).
    pub async fn void_document(
        &self,
        request: VoidRequest,
        actor: &Actor,
        now: OffsetDateTime,
    ) -> Result<(DocumentRecord, CaseRecord), DocumentError> {
        let txn = self.begin().await?;
        let result = void_in(&txn, request, actor, now).await;
        txn.finish(result).await
    }

    /// Renders a document as it would be issued on `issued_on`, without a number
    /// (`〔待编号〕`) and without storing anything. Refused where issuing would be.
    pub async fn preview_document(
        &self,
        case_id: Uuid,
        kind: DocumentKind,
        consultation: Option<u32>,
        issued_on: Date,
        renderer: &Renderer,
        calendar: &Calendar,
    ) -> Result<Rendered, DocumentError> {
        let state = self.case_state(case_id).await?;
        let agency = self.agency(state.record.agency_id).await?;
        let request = Request { kind, consultation, issued_on };
        let attachments = self.attachments_of(case_id).await?;
        let context = foi_docs::facts::context(
            request,
            &state.case,
            &particulars(&state.record, &attachments),
            &issuer(&agency),
            calendar,
            None,
        )?;
        Ok(renderer.render(&context)?)
    }
}

impl Store {
    /// Renders the proof of service (送达回证) of the document `document_id`, printed on
    /// `on`: with its service filled in when recorded (method, date, who signed, who served),
    /// blanks otherwise. Printed on demand: nothing is numbered or stored. Refused for a
    /// voided document.
    pub async fn proof_of_service(
        &self,
        document_id: Uuid,
        on: Date,
        renderer: &Renderer,
        calendar: &Calendar,
    ) -> Result<Rendered, DocumentError> {
        let document = self.document(document_id).await?;
        let state = self.case_state(document.case_id).await?;
        let agency = self.agency(state.record.agency_id).await?;
        let attachments = self.attachments_of(document.case_id).await?;
        let events = self.case_events(document.case_id).await?;
        let id = document.id.to_string();
        let names_it = |e: &&EventRecord| e.payload.get("document_id").and_then(|d| d.as_str()) == Some(id.as_str());
        let consultation = events
            .iter()
            .filter(|e| e.kind == DOCUMENT_ISSUED)
            .find(names_it)
            .and_then(|e| issued_consultation(&e.payload));
        let service = events
            .iter()
            .filter(|e| e.kind == foi_domain::lifecycle::EventKind::Served.code())
            .find(names_it)
            .and_then(|e| {
                let method = e.payload.get("method").and_then(|m| m.as_str()).and_then(ServiceMethod::from_code)?;
                Some(ServiceRecord {
                    method,
                    on: e.occurred_on,
                    recipient: e.payload.get("recipient").and_then(|r| r.as_str()).map(str::to_owned),
                    recorded_by: e.actor_label.clone(),
                })
            });
        let served = ServedDocument {
            kind: DocumentKind::from_code(&document.kind).unwrap_or(DocumentKind::ProofOfService),
            consultation,
            title: document.title.clone(),
            number: document.number.clone(),
            voided: document.voided.is_some(),
            service,
            applicant_address: state.record.applicant_address.clone(),
        };
        let context = foi_docs::facts::proof_of_service(
            &served,
            &state.case,
            &particulars(&state.record, &attachments),
            &issuer(&agency),
            calendar,
            on,
        )?;
        Ok(renderer.render(&context)?)
    }

    /// Renders the approval sheet (呈批表) of the case's draft decision, printed on `on`,
    /// with the 承办人 / 审核人 / 签发人 taken from the history ([`signers`]). Printed on
    /// demand: nothing is numbered or stored. Refused before a decision is recorded.
    pub async fn approval_sheet(
        &self,
        case_id: Uuid,
        on: Date,
        renderer: &Renderer,
        calendar: &Calendar,
    ) -> Result<Rendered, DocumentError> {
        let state = self.case_state(case_id).await?;
        let agency = self.agency(state.record.agency_id).await?;
        let attachments = self.attachments_of(case_id).await?;
        let events = self.case_events(case_id).await?;
        let deciding = DocumentKind::deciding(&state.case);
        let context = foi_docs::facts::approval_sheet(
            &state.case,
            &particulars(&state.record, &attachments),
            &issuer(&agency),
            calendar,
            &signers(&events, deciding),
            on,
        )?;
        Ok(renderer.render(&context)?)
    }
}

impl Store {
    /// Renders the application form (申请表, Reg. 29) of agency `agency_id`, printed on `on`:
    /// blank, or with `case_id`'s applicant and application for the applicant to check and
    /// sign (an oral application, Reg. 29 ¶2). Printed on demand: nothing is numbered or
    /// stored.
    pub async fn application_form(
        &self,
        agency_id: Uuid,
        case_id: Option<Uuid>,
        on: Date,
        renderer: &Renderer,
    ) -> Result<Rendered, DocumentError> {
        let agency = self.agency(agency_id).await?;
        let context = match case_id {
            None => foi_docs::facts::application_form(&issuer(&agency), None, on),
            Some(case_id) => {
                let record = self.load_case(case_id).await?;
                let attachments = self.attachments_of(case_id).await?;
                let applicant = foi_docs::facts::FormApplicant {
                    kind: record.applicant_kind.parse().unwrap_or(foi_domain::applicant::ApplicantKind::NaturalPerson),
                    name: record.applicant_name.clone(),
                    id_number: record.applicant_id_number.clone(),
                    phone: record.applicant_phone.clone(),
                    email: record.applicant_email.clone(),
                    address: record.applicant_address.clone(),
                };
                let particulars = particulars(&record, &attachments);
                foi_docs::facts::application_form(
                    &issuer(&agency),
                    Some((&applicant, &particulars, record.received_on)),
                    on,
                )
            }
        };
        Ok(renderer.render(&context)?)
    }
}

/// Who signs the approval sheet, from the case's history: the 承办人 is the officer who
/// recorded the decision (else the officer it was assigned to, on the day of assignment);
/// the 审核人 the officer who accepted the application at review (审核); the 签发人 the
/// officer who issued the decision letter (`deciding`) that is in force, once issued.
pub fn signers(events: &[EventRecord], deciding: Option<DocumentKind>) -> Signers {
    use foi_domain::lifecycle::EventKind;
    let signer = |e: &EventRecord| Signer { name: e.actor_label.clone(), on: e.occurred_on };
    let decided = events
        .iter()
        .rev()
        .find(|e| e.kind == EventKind::Replied.code() || e.kind == EventKind::NotHandled.code())
        .map(signer);
    let assigned = events.iter().rev().find(|e| e.kind == EventKind::Assigned.code()).and_then(|e| {
        let officer = e.payload.get("officer").and_then(|o| o.as_str())?.trim();
        (!officer.is_empty()).then(|| Signer { name: officer.to_owned(), on: e.occurred_on })
    });
    let reviewed = events.iter().rev().find(|e| e.kind == EventKind::Accepted.code()).map(signer);
    let voided: Vec<Uuid> = events.iter().filter(|e| e.kind == DOCUMENT_VOIDED).filter_map(document_of).collect();
    let approved = deciding.and_then(|kind| {
        events
            .iter()
            .rev()
            .filter(|e| e.kind == DOCUMENT_ISSUED)
            .filter(|e| e.payload.get("kind").and_then(|k| k.as_str()) == Some(kind.code()))
            .find(|e| document_of(e).is_none_or(|id| !voided.contains(&id)))
            .map(signer)
    });
    Signers { prepared: decided.or(assigned), reviewed, approved }
}

async fn issue_in(
    txn: &Txn,
    request: IssueRequest,
    renderer: &Renderer,
    actor: &Actor,
    calendar: &Calendar,
    now: OffsetDateTime,
) -> Result<(DocumentRecord, CaseRecord), DocumentError> {
    let IssueRequest { case_id, expected_version, kind, consultation, issued_on } = request;
    let state = CaseState::decode(txn.load_case(case_id).await?)?;
    if state.record.version != expected_version {
        return Err(StoreError::Conflict { expected: expected_version, actual: state.record.version }.into());
    }
    let agency = txn.agency(state.record.agency_id).await?;
    let consultation = consultation.filter(|_| kind == DocumentKind::ConsultationLetter);
    // The facts first: a refused document allocates no number.
    let request = Request { kind, consultation, issued_on };
    let particulars = particulars(&state.record, &txn.attachments_of(case_id).await?);
    let issuer = issuer(&agency);
    foi_docs::facts::context(request, &state.case, &particulars, &issuer, calendar, None)?;
    // One valid document of each kind (per consultation): issued once and re-printed after,
    // or issued anew once voided.
    let events = document_events(&txn.inner, case_id).await?;
    let voided: Vec<Uuid> = events.iter().filter(|e| e.kind == DOCUMENT_VOIDED).filter_map(document_of).collect();
    let mut replaces = None;
    for event in events.iter().filter(|e| e.kind == DOCUMENT_ISSUED) {
        let same_kind = event.payload.get("kind").and_then(|k| k.as_str()) == Some(kind.code());
        if !same_kind || issued_consultation(&event.payload) != consultation {
            continue;
        }
        let number = event.payload.get("number").and_then(|n| n.as_str()).unwrap_or_default().to_owned();
        if document_of(event).is_some_and(|id| voided.contains(&id)) {
            replaces = Some(number);
            continue;
        }
        return Err(DocumentError::AlreadyIssued {
            kind: kind.code().to_owned(),
            number,
            issued_on: event.occurred_on,
        });
    }
    let year = issued_on.year();
    // rules.md §2: numbers per agency, year and kind, never repeated or skipped.
    let seq = txn.next_sequence(agency.id, year, kind.code()).await?;
    let number = foi_docs::document_number(
        &agency.case_number_pattern,
        &agency.case_prefix,
        kind,
        year,
        u32::try_from(seq).unwrap_or(u32::MAX),
    )?;
    let context = foi_docs::facts::context(request, &state.case, &particulars, &issuer, calendar, Some(&number))?;
    let rendered = renderer.render(&context)?;
    let document = txn
        .insert_document(NewDocument {
            id: crate::new_id(),
            case_id,
            agency_id: agency.id,
            kind: kind.code().to_owned(),
            number: rendered.number.clone(),
            year,
            seq,
            issued_on,
            title: rendered.title.clone(),
            html: rendered.html,
            content_sha256: rendered.sha256,
            issued_by: actor.label.clone(),
            issued_by_id: actor.account_id,
            created_at: now,
        })
        .await?;
    let payload = serde_json::json!({
        "document_id": document.id,
        "kind": document.kind,
        "number": document.number,
        "sha256": document.content_sha256,
        "consultation_number": consultation,
        "replaces": replaces,
    });
    let event = audit_event(DOCUMENT_ISSUED, payload, issued_on, actor, now);
    let case = txn.append_audit_event(case_id, expected_version, event).await?;
    let document = DocumentRecord { replaces, ..document };
    Ok((document, case))
}

async fn serve_in(
    txn: &Txn,
    request: ServeRequest,
    actor: &Actor,
    calendar: &Calendar,
    now: OffsetDateTime,
) -> Result<(DocumentRecord, CaseState), crate::WorkflowError> {
    let ServeRequest { document_id, expected_version, method, on, recipient } = request;
    let document = get(&txn.inner, document_id).await?;
    if document.voided.is_some() {
        return Err(ServeRefusal::Voided { number: document.number }.into());
    }
    if on < document.issued_on {
        return Err(ServeRefusal::BeforeIssue { issued_on: document.issued_on }.into());
    }
    let consultation = document_events(&txn.inner, document.case_id)
        .await?
        .iter()
        .filter(|e| e.kind == DOCUMENT_ISSUED && document_of(e) == Some(document.id))
        .find_map(|e| issued_consultation(&e.payload));
    let notice = DocumentKind::from_code(&document.kind)
        .and_then(|k| k.served_notice(consultation))
        .ok_or(ServeRefusal::NoNotice)?;
    let event = Event::Served {
        on,
        notice,
        method,
        document_id: Some(document.id.to_string()),
        recipient: recipient.map(|r| r.trim().to_owned()).filter(|r| !r.is_empty()),
    };
    let request = crate::ChangeRequest {
        case_id: document.case_id,
        expected_version,
        command: crate::Command::Event(event),
        reason: Some(format!("{}（{}）{}", document.title, document.number, method.label_zh())),
    };
    let state = txn.change_case(request, actor, calendar, now).await?;
    Ok((document, state))
}

async fn void_in(
    txn: &Txn,
    request: VoidRequest,
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<(DocumentRecord, CaseRecord), DocumentError> {
    let VoidRequest { document_id, expected_version, reason, on } = request;
    let document = get(&txn.inner, document_id).await?;
    let case = txn.load_case(document.case_id).await?;
    if case.version != expected_version {
        return Err(StoreError::Conflict { expected: expected_version, actual: case.version }.into());
    }
    if let Some(voided) = &document.voided {
        return Err(DocumentError::AlreadyVoided { number: document.number, on: voided.on });
    }
    if case.stage == Stage::Archived.code() {
        return Err(VoidRefusal::CaseArchived.into());
    }
    if on < document.issued_on {
        return Err(VoidRefusal::BeforeIssue { issued_on: document.issued_on }.into());
    }
    let reason = reason.trim().to_owned();
    if reason.is_empty() {
        return Err(VoidRefusal::NoReason.into());
    }
    let payload = serde_json::json!({
        "document_id": document.id,
        "kind": document.kind,
        "number": document.number,
    });
    let mut event = audit_event(DOCUMENT_VOIDED, payload, on, actor, now);
    event.reason = Some(reason.clone());
    let case = txn.append_audit_event(case.id, expected_version, event).await?;
    let voided = Voiding { on, by: actor.label.clone(), reason };
    Ok((DocumentRecord { voided: Some(voided), ..document }, case))
}
