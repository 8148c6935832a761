//! Issued documents (文书): the notices and reply letters of a case, kept unchanged.
//!
//! Issuing a document is one transaction ([`Store::issue_document`]): load the case and
//! refuse a stale version; let `foi_docs` decide that the document may be issued for the
//! case as its events made it and gather its facts; allocate its number from the agency's
//! yearly sequence of its kind (gap-free, like case numbers: a failed issue gives the number
//! back); render it; insert the row with the HTML and its SHA-256; append the case's
//! `DOCUMENT_ISSUED` audit event. The rows are never updated or deleted: this module has no
//! function that could, and a document is re-printed from its stored HTML.

use foi_docs::facts::{Issuer, NotIssuable, Particulars, Request};
use foi_docs::{DocError, DocumentKind, Rendered, Renderer};
use foi_domain::calendar::Calendar;
use foi_domain::case_number::PatternError;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::entities::documents;
use crate::workflow::{Actor, CaseState, audit_event, rules_of};
use crate::{Agency, CaseRecord, Store, StoreError, Txn, sql};

/// The audit event code of an issued document. It is not a lifecycle event and changes no
/// stage; its payload names the document (`document_id`, `kind`, `number`, `sha256`).
pub const DOCUMENT_ISSUED: &str = "DOCUMENT_ISSUED";

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

/// A stored document.
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

async fn of_case<C: ConnectionTrait>(c: &C, case_id: Uuid) -> Result<Vec<DocumentRecord>, StoreError> {
    let rows = documents::Entity::find()
        .filter(documents::Column::CaseId.eq(case_id))
        .order_by_asc(documents::Column::IssuedOn)
        .order_by_asc(documents::Column::CreatedAt)
        .order_by_asc(documents::Column::Number)
        .all(c)
        .await?;
    Ok(rows.into_iter().map(DocumentRecord::from).collect())
}

async fn get<C: ConnectionTrait>(c: &C, id: Uuid) -> Result<DocumentRecord, StoreError> {
    documents::Entity::find_by_id(id)
        .one(c)
        .await?
        .map(DocumentRecord::from)
        .ok_or_else(|| StoreError::not_found(format_args!("document {id}")))
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
}

/// The particulars of the application as documents state them.
fn particulars(record: &CaseRecord) -> Particulars {
    Particulars {
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
    }
}

/// The consultation number recorded in a `DOCUMENT_ISSUED` payload, if any.
fn issued_consultation(payload: &serde_json::Value) -> Option<u32> {
    payload.get("consultation_number").and_then(|n| n.as_u64()).and_then(|n| u32::try_from(n).ok())
}

impl Store {
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
        match issue_in(&txn, request, renderer, actor, calendar, now).await {
            Ok(value) => {
                txn.commit().await?;
                Ok(value)
            }
            Err(e) => {
                txn.rollback().await?;
                Err(e)
            }
        }
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
        let context = foi_docs::facts::context(
            request,
            &state.case,
            &particulars(&state.record),
            &issuer(&agency),
            calendar,
            None,
        )?;
        Ok(renderer.render(&context)?)
    }
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
    let particulars = particulars(&state.record);
    let issuer = issuer(&agency);
    foi_docs::facts::context(request, &state.case, &particulars, &issuer, calendar, None)?;
    // One document of each kind (per consultation), issued once and re-printed after.
    for event in txn.case_events(case_id).await?.iter().filter(|e| e.kind == DOCUMENT_ISSUED) {
        let same_kind = event.payload.get("kind").and_then(|k| k.as_str()) == Some(kind.code());
        if same_kind && issued_consultation(&event.payload) == consultation {
            let number = event.payload.get("number").and_then(|n| n.as_str()).unwrap_or_default().to_owned();
            return Err(DocumentError::AlreadyIssued {
                kind: kind.code().to_owned(),
                number,
                issued_on: event.occurred_on,
            });
        }
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
    });
    let event = audit_event(DOCUMENT_ISSUED, payload, issued_on, actor, now);
    Ok((document, txn.append_audit_event(case_id, expected_version, event).await?))
}
