//! Documents over GraphQL: issuing the notices and reply letters of a case
//! (`issueDocument`), voiding one issued with a mistake (`voidDocument`), reading them back (`document`, `Case.documents`) as printable HTML and
//! PDF, previewing one before it is issued (`previewDocument`), and the de-identification
//! preview clerks use before publishing a text or sending it to a third party
//! (`deidentifyPreview`).
//!
//! What may be issued when, and what a document says, is `foi_docs`'s decision; numbering,
//! storing and auditing in one transaction is the store's. This module authenticates,
//! authorises and maps errors:
//!
//! | code | when |
//! | --- | --- |
//! | `DOCUMENT_NOT_ISSUABLE` | the case has no such facts (yet): a reply letter for a case not replied to, a fee notice without a fee, an archived case, a date before the event, an approval sheet before a decision is recorded; `issueDocument` of a kind printed on demand (`PROOF_OF_SERVICE`, `APPROVAL_SHEET`: preview them); `extensions.kind` names the document |
//! | `DOCUMENT_DATE_CONFLICT` | the document's own date would make its printed text false: a receipt dated after the reply due date it states, an extension notice dated after the limit it extends (Reg. 33 ¶1), a fee notice that says the clock stops 自本通知书发出之日起 dated other than the day the fee was recorded; `extensions.kind` names the document, `extensions.useOn` the date to use (the latest allowed, or the one required), and the message says which |
//! | `ALREADY_EXISTS` | that document was issued already (`extensions.number`); print it again, or void it first |
//! | `DOCUMENT_ALREADY_VOIDED` | `voidDocument` on a voided document (`extensions.number`) |
//! | `DOCUMENT_NOT_VOIDABLE` | `voidDocument` in an archived case |
//! | `TEMPLATE_INVALID` | the agency's template does not parse or render (`extensions.file`, `extensions.line`) |
//! | `REMEDY_CLAUSE_MISSING` | the agency's reply template leaves out the remedy clause (rules.md §5) |
//! | `PDF_FONT_UNAVAILABLE` | `pdfBase64` without a CJK font; the message says how to install one |
//!
//! A warning, not an error (`extensions.warnings`): `AGENCY_CONTACT_MISSING` when a letter to
//! a party is previewed or issued while the agency has no complete contact block (`foi admin
//! agency-contact`): the letter is printed without it.

use std::sync::OnceLock;

use async_graphql::{ComplexObject, Context, Enum, ErrorExtensions, ID, InputObject, Object, SimpleObject};
use base64::Engine as _;
use foi_docs::{DocError, DocumentKind as Kind, NotIssuable, Renderer};
use foi_domain::privacy::View;
use foi_domain::service::ServiceMethod;
use foi_store::{
    CaseRecord, DocumentError, DocumentRecord, IssueRequest, ServeRequest, Uuid, VoidRefusal, VoidRequest,
};
use time::Date;

use crate::ApiState;
use crate::auth::{self, Viewer, roles};
use crate::error::ApiError;
use crate::types::CaseNode;

type ApiResult<T> = Result<T, async_graphql::Error>;

/// A kind of document issued in a case (文书种类).
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "foi_docs::DocumentKind")]
pub enum DocumentKind {
    /// 政府信息公开申请接收回执: acknowledges the application and its date of receipt (Reg. 31);
    /// numbered 游府信收〔2026〕N号.
    Receipt,
    /// 补正告知书: the one correction notice (Reg. 30); 游府信补〔2026〕N号.
    CorrectionNotice,
    /// 延期答复告知书: the reply limit is extended (Reg. 33); 游府信延〔2026〕N号.
    ExtensionNotice,
    /// 征求意见函: to a third party (Reg. 32) or co-producing agency (Reg. 34), naming the
    /// consultation by its number; 游府信征〔2026〕N号. Not shown to the applicant.
    ConsultationLetter,
    /// 信息处理费收费通知书 (Reg. 42); 游府信费〔2026〕N号.
    FeeNotice,
    /// 不予处理告知书 (Reg. 35, 36(6), 39), with the remedy clause; 游府信告〔2026〕N号.
    NotHandledNotice,
    /// 政府信息公开申请答复书 (Reg. 36–38, 40), with the remedy clause; 游府信答〔2026〕N号.
    Reply,
    /// 送达回证: the proof of service of one served document (its title and number, the
    /// addressee and address, how, by whom and when it was served, a line to sign), filed
    /// with it. Printed on demand with `previewDocument` (`documentId`: the served
    /// document), never issued or numbered. Case workers only; not shown to the applicant.
    ProofOfService,
    /// 政府信息公开申请办理呈批表: the internal approval sheet of the draft decision, with
    /// 承办人 / 审核人 / 签发人 from the history. Printed on demand with `previewDocument`
    /// once a decision is recorded, never issued. Case workers only.
    ApprovalSheet,
    /// 政府信息公开申请表 (Reg. 29): filled with a case's applicant and application for the
    /// applicant to check and sign (an oral application), with `previewDocument`; blank,
    /// for anyone, with `blankApplicationForm`. Printed on demand, never issued.
    ApplicationForm,
}

/// What kind of personal data the de-identification found.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "foi_domain::privacy::FindingKind")]
pub enum FindingKind {
    /// 身份证号码: an 18-character resident ID number passing GB 11643.
    IdNumber,
    /// 电话号码: a mobile or landline number.
    Phone,
    /// 电子邮箱: an e-mail address.
    Email,
    /// 银行卡号: a bank card number passing the Luhn check.
    BankCard,
}

/// The renderer of this process: the built-in templates, overridden per agency from
/// `FOI_TEMPLATE_DIR`.
pub(crate) fn renderer() -> &'static Renderer {
    static RENDERER: OnceLock<Renderer> = OnceLock::new();
    RENDERER.get_or_init(Renderer::from_env)
}

fn state<'a>(ctx: &'a Context<'_>) -> &'a ApiState {
    ctx.data_unchecked::<ApiState>()
}

fn ext(e: impl Into<ApiError>) -> async_graphql::Error {
    e.into().extend()
}

fn coded(code: &'static str, message: String) -> async_graphql::Error {
    async_graphql::Error::new(message).extend_with(|_, e| e.set("code", code))
}

fn parse_id(field: &str, id: &ID) -> ApiResult<Uuid> {
    Uuid::parse_str(id.as_str()).map_err(|_| ext(ApiError::validation(field, "not a valid id")))
}

/// The date a document bears: the given one, or today; never a day to come.
fn issue_date(ctx: &Context<'_>, field: &str, on: Option<Date>) -> ApiResult<Date> {
    let today = state(ctx).clock.today();
    match on {
        Some(on) if on > today => Err(ext(ApiError::validation(
            field,
            format!("{on} has not come yet (today is {today} in China Standard Time)"),
        ))),
        Some(on) => Ok(on),
        None => Ok(today),
    }
}

fn consultation_number(kind: Kind, number: Option<i32>) -> ApiResult<Option<u32>> {
    match (kind, number) {
        (_, None) => Ok(None),
        (Kind::ConsultationLetter, Some(n)) => {
            u32::try_from(n).ok().filter(|n| *n >= 1).map(Some).ok_or_else(|| {
                ext(ApiError::validation("input.consultationNumber", "a consultation number is 1 or more"))
            })
        }
        (_, Some(_)) => Err(ext(ApiError::validation(
            "input.consultationNumber",
            "only a CONSULTATION_LETTER names a consultation; leave it out",
        ))),
    }
}

/// The error a client sees for a document that was not issued or rendered.
fn document_error(kind: Kind, e: DocumentError) -> async_graphql::Error {
    match e {
        DocumentError::Store(e) => ext(e),
        DocumentError::NotIssuable(e @ NotIssuable::Calendar(_)) => ext(ApiError::CalendarUnknown(e.to_string())),
        DocumentError::NotIssuable(NotIssuable::DateConflict(conflict)) => {
            let use_on = conflict.use_on().to_string();
            coded("DOCUMENT_DATE_CONFLICT", conflict.to_string()).extend_with(move |_, x| {
                x.set("kind", kind.code());
                x.set("useOn", use_on.as_str());
            })
        }
        DocumentError::NotIssuable(e) => {
            coded("DOCUMENT_NOT_ISSUABLE", e.to_string()).extend_with(|_, x| x.set("kind", kind.code()))
        }
        DocumentError::Render(e) => render_error(e),
        DocumentError::Pattern(e) => ext(ApiError::validation("agency.caseNumberPattern", e.to_string())),
        DocumentError::AlreadyIssued { ref number, .. } => {
            let number = number.clone();
            coded("ALREADY_EXISTS", e.to_string()).extend_with(move |_, x| x.set("number", number.as_str()))
        }
        DocumentError::AlreadyVoided { ref number, .. } => {
            let number = number.clone();
            coded("DOCUMENT_ALREADY_VOIDED", e.to_string()).extend_with(move |_, x| x.set("number", number.as_str()))
        }
        DocumentError::NotVoidable(e @ VoidRefusal::CaseArchived) => coded("DOCUMENT_NOT_VOIDABLE", e.to_string()),
        DocumentError::NotVoidable(e @ VoidRefusal::BeforeIssue { .. }) => {
            ext(ApiError::validation("input.on", e.to_string()))
        }
        DocumentError::NotVoidable(e @ VoidRefusal::NoReason) => {
            ext(ApiError::validation("input.reason", e.to_string()))
        }
    }
}

fn render_error(e: DocError) -> async_graphql::Error {
    // An agency's template is the operator's to fix: say which file, and log it.
    eprintln!("document template error: {e}");
    match &e {
        DocError::Template { file, line, .. } => {
            let (file, line) = (file.clone(), *line);
            coded("TEMPLATE_INVALID", e.to_string()).extend_with(move |_, x| {
                x.set("file", file.as_str());
                if let Some(line) = line {
                    x.set("line", line);
                }
            })
        }
        DocError::Unreadable { path, .. } => {
            let path = path.clone();
            coded("TEMPLATE_INVALID", e.to_string()).extend_with(move |_, x| x.set("file", path.as_str()))
        }
        DocError::RemedyClauseMissing { file } => {
            let file = file.clone();
            coded("REMEDY_CLAUSE_MISSING", e.to_string()).extend_with(move |_, x| x.set("file", file.as_str()))
        }
    }
}

/// Warns (`AGENCY_CONTACT_MISSING`) when a letter to a party is printed while its agency has no
/// complete contact block: it succeeds, without the block (Reg. 24 publishes the office's
/// contact details; every letter repeats them).
async fn warn_without_contact(ctx: &Context<'_>, kind: Kind, agency_id: Uuid) -> ApiResult<()> {
    if !kind.is_issued() {
        return Ok(());
    }
    let agency = state(ctx).store.agency(agency_id).await.map_err(ext)?;
    if !agency.contact.is_complete() {
        crate::warnings::Warnings::push(
            ctx,
            crate::warnings::WarningView {
                code: "AGENCY_CONTACT_MISSING".to_owned(),
                message: format!(
                    "{} has no complete contact block (office, address, telephone, contact person): the letter is printed \
                     without it; set it with `foi admin agency-contact --agency {}`",
                    agency.name, agency.code
                ),
                message_zh: format!(
                    "{}未设置完整的联系方式（工作机构、地址、电话、联系人），文书中未载明；请用 foi admin agency-contact 设置",
                    agency.name
                ),
            },
        );
    }
    Ok(())
}

/// The PDF of a document's HTML, base64-encoded, dated `created` (when it was issued);
/// `PDF_FONT_UNAVAILABLE` without a font.
fn pdf_base64(html: &str, title: &str, created: time::OffsetDateTime) -> ApiResult<String> {
    let pdf = foi_docs::pdf::Fonts::from_env()
        .and_then(|fonts| foi_docs::pdf::render_pdf(html, &foi_docs::pdf::PdfOptions { title, fonts: &fonts, created }))
        .map_err(|e| coded("PDF_FONT_UNAVAILABLE", e.to_string()))?;
    Ok(base64::engine::general_purpose::STANDARD.encode(pdf))
}

/// Whether the viewer may read a document of `kind` of this case: staff who see the case;
/// the applicant, the documents addressed to them.
fn may_read(viewer: &Viewer, case: &CaseRecord, kind: &str) -> bool {
    viewer.can_see(case) && (viewer.is_staff() || Kind::from_code(kind).is_some_and(|k| k.addressed_to_applicant()))
}

/// The documents of a case the viewer may read, in the order they were issued (for
/// `Case.documents`).
/// `ceiling` is the view of the case they are read from: a document reached from a list
/// leads back to its case masked, whoever asks.
pub(crate) async fn case_documents(
    ctx: &Context<'_>,
    case: &CaseRecord,
    ceiling: View,
) -> ApiResult<Vec<DocumentNode>> {
    let viewer = auth::viewer(ctx).await.map_err(ext)?;
    let rows = state(ctx).store.documents_of(case.id).await.map_err(ext)?;
    Ok(rows.into_iter().filter(|d| may_read(&viewer, case, &d.kind)).map(|d| DocumentNode(d, ceiling)).collect())
}

/// A notice or letter issued in a case (文书), kept unchanged as issued.
///
/// The second field is the widest view of the applicant's personal data that `Document.case`
/// may give: the view of the path the document was reached by (masked from a list), so that
/// no nested path shows more than the list it started from.
pub struct DocumentNode(pub DocumentRecord, pub View);

#[Object(name = "Document")]
impl DocumentNode {
    /// Identifier.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Which document.
    async fn kind(&self) -> Option<DocumentKind> {
        Kind::from_code(&self.0.kind).map(Into::into)
    }
    /// Its number (文号), e.g. 游府信答〔2026〕17号: per agency, year and kind, without gaps.
    async fn number(&self) -> &str {
        &self.0.number
    }
    /// The title printed on it, e.g. 政府信息公开申请答复书.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// The date it bears.
    async fn issued_on(&self) -> Date {
        self.0.issued_on
    }
    /// Who issued it, as the history names them.
    async fn issued_by(&self) -> &str {
        &self.0.issued_by
    }
    /// Lower-case hex SHA-256 of `html` (its UTF-8 bytes): proof the stored text is the
    /// issued one.
    async fn content_sha256(&self) -> &str {
        &self.0.content_sha256
    }
    /// Set once the document was voided (作废): it stays in the case file as issued, but is
    /// no longer in force. A document of the same kind may then be issued anew.
    async fn voided(&self) -> Option<DocumentVoiding> {
        self.0.voided.as_ref().map(|v| DocumentVoiding { on: v.on, by: v.by.clone(), reason: v.reason.clone() })
    }
    /// Whether the document must reach its addressee (送达) and have its service recorded:
    /// every notice and letter of a case does (rules.md §2).
    async fn requires_service(&self) -> bool {
        Kind::from_code(&self.0.kind).is_some_and(|k| k.served_notice(Some(1)).is_some())
    }
    /// How and when it was served (送达), or null while its service is not recorded.
    async fn service(&self, ctx: &Context<'_>) -> ApiResult<Option<DocumentService>> {
        let viewer = auth::viewer(ctx).await.map_err(ext)?;
        let s = state(ctx);
        let record = s.store.load_case(self.0.case_id).await.map_err(ext)?;
        let view = viewer.view_of(&record).at_most(self.1);
        let served = service_event(s, &self.0).await.map_err(ext)?;
        Ok(served.map(|e| {
            let method = e.payload.get("method").and_then(|m| m.as_str()).and_then(ServiceMethod::from_code);
            // Who signed is personal data: only the case's officers see it.
            let recipient = e.payload.get("recipient").and_then(|r| r.as_str()).map(str::to_owned);
            DocumentService {
                method: method.map(Into::into),
                served_on: e.occurred_on,
                recipient: recipient.filter(|_| view == View::Full),
                recorded_by: e.actor_label,
            }
        }))
    }
    /// The number of the voided document this one was issued to replace, if any.
    async fn replaces(&self) -> Option<&str> {
        self.0.replaces.as_deref()
    }
    /// The printable HTML (A4), exactly as issued; print it from a browser.
    async fn html(&self) -> &str {
        &self.0.html
    }
    /// The same document as a PDF (A4, body and title fonts embedded, page numbers "— 1 —"
    /// from two pages on, the sign-off kept with the body), base64-encoded; its creation date
    /// is the moment the document was issued. Null with a `PDF_FONT_UNAVAILABLE` error where
    /// the server has no CJK font (`FOI_PDF_FONT`, `FOI_PDF_TITLE_FONT`).
    async fn pdf_base64(&self) -> ApiResult<Option<String>> {
        let (html, title) = (self.0.html.clone(), format!("{} {}", self.0.title, self.0.number));
        let created = self.0.created_at;
        crate::statistics::off_the_runtime(move || pdf_base64(&html, &title, created)).await.map(Some)
    }
    /// The case it belongs to, as it stands now.
    async fn case(&self, ctx: &Context<'_>) -> ApiResult<CaseNode> {
        let viewer = auth::viewer(ctx).await.map_err(ext)?;
        let s = state(ctx);
        let found = s.store.case_state(self.0.case_id).await.map_err(ext)?;
        if !viewer.can_see(&found.record) {
            return Err(ext(ApiError::NotFound(format!("case {}", self.0.case_id))));
        }
        let agency = s.store.agency(found.record.agency_id).await.map_err(ext)?;
        let view = viewer.view_of(&found.record).at_most(self.1);
        Ok(CaseNode { state: found, agency, view, calendar: s.calendar(), today: s.clock.today() })
    }
}

/// How and when a document reached its addressee (送达).
#[derive(SimpleObject)]
pub struct DocumentService {
    /// How it was served.
    pub method: Option<crate::enums::ServiceMethod>,
    /// The day it reached the addressee: periods counted from receipt of the notice start
    /// from this day, day 0 not counted.
    pub served_on: Date,
    /// Who signed for it (签收人), if recorded; shown to the case's officers only.
    pub recipient: Option<String>,
    /// Who recorded the service, as the history names them.
    pub recorded_by: String,
}

/// A document whose service (送达) to record.
#[derive(InputObject)]
pub struct ServeDocumentInput {
    /// The document.
    pub document_id: ID,
    /// The version of its case read; a stale one is refused with `CONFLICT`. Serving
    /// appends a `SERVED` event, so the case's version grows by one.
    pub version: i64,
    /// How it was served.
    pub method: crate::enums::ServiceMethod,
    /// The day it reached the addressee (e.g. the date on the postal return receipt):
    /// required, except for `ONLINE` (default today); not in the future, not before the
    /// document's date.
    pub served_on: Option<Date>,
    /// Who signed for it (签收人), if recorded.
    pub recipient: Option<String>,
}

/// How a document was voided (作废).
#[derive(SimpleObject)]
pub struct DocumentVoiding {
    /// The date of the voiding.
    pub on: Date,
    /// Who voided it, as the history names them.
    pub by: String,
    /// Why.
    pub reason: String,
}

/// A document to void.
#[derive(InputObject)]
pub struct VoidDocumentInput {
    /// The document.
    pub document_id: ID,
    /// The version of its case read; a stale one is refused with `CONFLICT`. Voiding
    /// appends a `DOCUMENT_VOIDED` event, so the case's version grows by one.
    pub version: i64,
    /// Why it is voided (e.g. 申请人姓名有误); kept in the case's history.
    pub reason: String,
    /// The date of the voiding (default: today in China Standard Time); not before the
    /// document's date, not in the future.
    pub on: Option<Date>,
}

/// A document rendered as it would be issued, without a number (〔待编号〕), not stored; or
/// a document printed on demand (proof of service, approval sheet).
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct DocumentPreview {
    /// Which document.
    pub kind: DocumentKind,
    /// 〔待编号〕: a number is given only when the document is issued. Empty for the kinds
    /// printed on demand, which have none (a proof of service prints the served document's).
    pub number: String,
    /// The title printed on it.
    pub title: String,
    /// The date it would bear.
    pub issued_on: Date,
    /// The printable HTML.
    pub html: String,
}

#[ComplexObject]
impl DocumentPreview {
    /// The same as a PDF (A4, as `Document.pdfBase64`), base64-encoded, dated now. Null with
    /// a `PDF_FONT_UNAVAILABLE` error where the server has no CJK font.
    async fn pdf_base64(&self, ctx: &Context<'_>) -> ApiResult<Option<String>> {
        let (html, title) = (self.html.clone(), format!("{} {}", self.title, self.number).trim().to_owned());
        let created = state(ctx).clock.now();
        crate::statistics::off_the_runtime(move || pdf_base64(&html, &title, created)).await.map(Some)
    }
}

/// A document to issue.
#[derive(InputObject)]
pub struct IssueDocumentInput {
    /// The case.
    pub case_id: ID,
    /// The version read; a stale one is refused with `CONFLICT`. Issuing appends a
    /// `DOCUMENT_ISSUED` event, so the case's version grows by one.
    pub version: i64,
    /// Which document.
    pub kind: DocumentKind,
    /// For a consultation letter: the consultation's number (see `Case.consultations`).
    pub consultation_number: Option<i32>,
    /// The date it bears (default: today in China Standard Time); not before the event it
    /// documents, not in the future.
    pub on: Option<Date>,
}

/// A document to preview.
#[derive(InputObject)]
pub struct PreviewDocumentInput {
    /// The case.
    pub case_id: ID,
    /// Which document.
    pub kind: DocumentKind,
    /// For a consultation letter: the consultation's number.
    pub consultation_number: Option<i32>,
    /// For a `PROOF_OF_SERVICE`: the served document (`Document.id`), a document of this
    /// case; only that kind names one.
    pub document_id: Option<ID>,
    /// The date it would bear (default: today).
    pub on: Option<Date>,
}

/// One piece of personal data found in a text.
#[derive(SimpleObject)]
pub struct Finding {
    /// What it is.
    pub kind: FindingKind,
    /// Offset of its first character in the text given (characters, i.e. Unicode scalar
    /// values, from 0).
    pub start: i32,
    /// Offset after its last character.
    pub end: i32,
}

/// A text with its personal data masked (去标识化).
#[derive(SimpleObject)]
pub struct DeidentifiedText {
    /// The text with every finding masked: ID numbers keep their first 6 and last 4
    /// characters, phones their first 3 and last 4 digits (landlines the area code and the
    /// last 2), e-mails their first character and domain, cards their last 4 digits.
    pub masked_text: String,
    /// What was masked, in order.
    pub findings: Vec<Finding>,
}

async fn load_case(ctx: &Context<'_>, viewer: &Viewer, field: &str, id: &ID) -> ApiResult<foi_store::CaseState> {
    let case_id = parse_id(field, id)?;
    let found = state(ctx).store.case_state(case_id).await.map_err(ext)?;
    if !viewer.can_see(&found.record) {
        return Err(ext(ApiError::NotFound(format!("case {case_id}"))));
    }
    viewer.require_case_worker(&found.record).map_err(ext)?;
    Ok(found)
}

/// The document queries: one document, a preview, and the de-identification preview.
#[derive(Default)]
pub struct DocumentsQuery;

#[Object]
impl DocumentsQuery {
    /// One issued document. Staff see the documents of the cases they see; an applicant
    /// those of their own cases addressed to them (not consultation letters).
    async fn document(&self, ctx: &Context<'_>, id: ID) -> ApiResult<DocumentNode> {
        let viewer = auth::viewer(ctx).await.map_err(ext)?;
        let document_id = parse_id("id", &id)?;
        let (document, _) = readable_document(ctx, &viewer, document_id).await?;
        Ok(DocumentNode(document, View::Full))
    }

    /// Renders a document as `issueDocument` would, without numbering or storing it (the
    /// number reads 〔待编号〕). Refused where issuing would be. Also prints the two kinds
    /// that are printed on demand and never issued: `PROOF_OF_SERVICE` (送达回证) of the
    /// document `documentId`, with its service filled in once recorded, and
    /// `APPROVAL_SHEET` (呈批表) once a decision is recorded. Case workers of the case only.
    async fn preview_document(&self, ctx: &Context<'_>, input: PreviewDocumentInput) -> ApiResult<DocumentPreview> {
        let viewer = auth::viewer(ctx).await.map_err(ext)?;
        let found = load_case(ctx, &viewer, "input.caseId", &input.case_id).await?;
        let kind: Kind = input.kind.into();
        let consultation = consultation_number(kind, input.consultation_number)?;
        let on = issue_date(ctx, "input.on", input.on)?;
        let s = state(ctx);
        let served = match (kind, input.document_id.as_ref()) {
            (Kind::ProofOfService, Some(id)) => {
                let document_id = parse_id("input.documentId", id)?;
                let not_found = || ext(ApiError::NotFound(format!("document {document_id} in this case")));
                let document = s.store.document(document_id).await.map_err(|_| not_found())?;
                if document.case_id != found.record.id {
                    return Err(not_found());
                }
                Some(document_id)
            }
            (Kind::ProofOfService, None) => {
                return Err(ext(ApiError::validation(
                    "input.documentId",
                    "a PROOF_OF_SERVICE goes with one served document: give its id (Case.documents)",
                )));
            }
            (_, Some(_)) => {
                return Err(ext(ApiError::validation(
                    "input.documentId",
                    "only a PROOF_OF_SERVICE names a document; leave it out",
                )));
            }
            (_, None) => None,
        };
        let rendered = match (kind, served) {
            (Kind::ProofOfService, Some(document_id)) => {
                s.store.proof_of_service(document_id, on, renderer(), &s.calendar()).await
            }
            (Kind::ApprovalSheet, _) => s.store.approval_sheet(found.record.id, on, renderer(), &s.calendar()).await,
            (Kind::ApplicationForm, _) => {
                s.store.application_form(found.record.agency_id, Some(found.record.id), on, renderer()).await
            }
            _ => s.store.preview_document(found.record.id, kind, consultation, on, renderer(), &s.calendar()).await,
        }
        .map_err(|e| document_error(kind, e))?;
        warn_without_contact(ctx, kind, found.record.agency_id).await?;
        Ok(DocumentPreview {
            kind: input.kind,
            number: rendered.number,
            title: rendered.title,
            issued_on: on,
            html: rendered.html,
        })
    }

    /// Masks the personal data in a text before it is published or sent to a third party:
    /// resident ID numbers, mobile and landline numbers, e-mail addresses and bank card
    /// numbers (rules.md §6), and says what was found where. Staff handling cases only.
    async fn deidentify_preview(&self, ctx: &Context<'_>, text: String) -> ApiResult<DeidentifiedText> {
        let viewer = auth::viewer(ctx).await.map_err(ext)?;
        viewer.require_role(&roles::CASE_WORKERS, "the de-identification preview").map_err(ext)?;
        let found = foi_domain::privacy::deidentify(&text);
        let offset = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
        Ok(DeidentifiedText {
            masked_text: found.text,
            findings: found
                .findings
                .into_iter()
                .map(|f| Finding { kind: f.kind.into(), start: offset(f.start), end: offset(f.end) })
                .collect(),
        })
    }
}

/// The document mutations.
#[derive(Default)]
pub struct DocumentsMutation;

#[Object]
impl DocumentsMutation {
    /// Issues a notice or the reply letter of a case: numbered from the agency's yearly
    /// sequence of its kind, rendered from the agency's template, stored unchanged with its
    /// SHA-256, and recorded in the case's history, in one transaction. Each document is
    /// issued once (`ALREADY_EXISTS` after); it may be issued only when the case has its
    /// facts (`DOCUMENT_NOT_ISSUABLE`), and only on a date its text is true of
    /// (`DOCUMENT_DATE_CONFLICT`). The proof of service and the approval sheet are printed on
    /// demand with `previewDocument`, never issued (`DOCUMENT_NOT_ISSUABLE`). Case workers
    /// only.
    async fn issue_document(&self, ctx: &Context<'_>, input: IssueDocumentInput) -> ApiResult<DocumentNode> {
        let viewer = auth::viewer(ctx).await.map_err(ext)?;
        let found = load_case(ctx, &viewer, "input.caseId", &input.case_id).await?;
        let kind: Kind = input.kind.into();
        let consultation = consultation_number(kind, input.consultation_number)?;
        let on = issue_date(ctx, "input.on", input.on)?;
        let s = state(ctx);
        let request = IssueRequest {
            case_id: found.record.id,
            expected_version: input.version,
            kind,
            consultation,
            issued_on: on,
        };
        let (document, _) = s
            .store
            .issue_document(request, renderer(), &viewer.actor(), &s.calendar(), s.clock.now())
            .await
            .map_err(|e| document_error(kind, e))?;
        warn_without_contact(ctx, kind, found.record.agency_id).await?;
        Ok(DocumentNode(document, View::Full))
    }

    /// Records the service (送达) of a document: how and when it reached its addressee.
    /// Periods the law counts from receipt of a notice (fee payment, the third party's 15
    /// working days, the correction period) run from this date, and the case's decision
    /// must be served before the case is archived. A notice is served once
    /// (`ALREADY_SERVED`); a voided document is not served (`RULE_VIOLATION`). Case workers
    /// of the case's agency only.
    async fn serve_document(&self, ctx: &Context<'_>, input: ServeDocumentInput) -> ApiResult<DocumentNode> {
        let viewer = auth::viewer(ctx).await.map_err(ext)?;
        let document_id = parse_id("input.documentId", &input.document_id)?;
        let s = state(ctx);
        worked_document(ctx, &viewer, document_id).await?;
        let method: ServiceMethod = input.method.into();
        if input.served_on.is_none() && method != ServiceMethod::Online {
            return Err(ext(ApiError::validation(
                "input.servedOn",
                "say on which day it reached the addressee (e.g. the date on the postal return receipt)",
            )));
        }
        let on = issue_date(ctx, "input.servedOn", input.served_on)?;
        let recipient = match input.recipient.as_deref() {
            Some(r) => Some(crate::text::bounded("input.recipient", r, crate::text::NAME).map_err(ext)?),
            None => None,
        };
        let request = ServeRequest { document_id, expected_version: input.version, method, on, recipient };
        let (served, _) = s
            .store
            .serve_document(request, &viewer.actor(), &s.calendar(), s.clock.now())
            .await
            .map_err(|e| ext(ApiError::from(e)))?;
        Ok(DocumentNode(served, View::Full))
    }

    /// Voids (作废) a document issued with a mistake: the case's history records who voided
    /// it, when and why, in one transaction; the document stays in the file exactly as
    /// issued, and its number is never given again. Then issue the corrected one with
    /// `issueDocument`: it takes the next number and names the one it replaces. Office
    /// heads only, as they sign off what the office issues; not in an archived case.
    async fn void_document(&self, ctx: &Context<'_>, input: VoidDocumentInput) -> ApiResult<DocumentNode> {
        let viewer = auth::viewer(ctx).await.map_err(ext)?;
        let document_id = parse_id("input.documentId", &input.document_id)?;
        let s = state(ctx);
        let (document, _) = worked_document(ctx, &viewer, document_id).await?;
        viewer.require_role(&[roles::OFFICE_HEAD], "voiding a document").map_err(ext)?;
        let on = issue_date(ctx, "input.on", input.on)?;
        // Voiding is never refused as "not issuable": the kind only labels such an error.
        let kind = Kind::from_code(&document.kind).unwrap_or(Kind::Receipt);
        let reason = crate::text::bounded("input.reason", &input.reason, crate::text::REASON).map_err(ext)?;
        let request = VoidRequest { document_id, expected_version: input.version, reason, on };
        let (voided, _) = s
            .store
            .void_document(request, &viewer.actor(), s.clock.now())
            .await
            .map_err(|e| document_error(kind, e))?;
        Ok(DocumentNode(voided, View::Full))
    }

    /// Opens a document: what the portal calls when a reader opens it. When the applicant
    /// opens a notice or decision addressed to them that is not yet served, this records its
    /// online service (网上送达) dated today, as the applicant's own act: the periods it starts
    /// run from that day (rules.md §2). Opening it again, or by staff, changes nothing. The
    /// document is returned in any case; a service the case no longer allows (archived, served
    /// meanwhile by a clerk) is simply not recorded.
    async fn open_document(&self, ctx: &Context<'_>, input: OpenDocumentInput) -> ApiResult<DocumentNode> {
        let viewer = auth::viewer(ctx).await.map_err(ext)?;
        let document_id = parse_id("input.documentId", &input.document_id)?;
        let s = state(ctx);
        let (document, case) = readable_document(ctx, &viewer, document_id).await?;
        let view = viewer.view_of(&case);
        let served_online = viewer.is_applicant()
            && case.applicant_id == Some(viewer.account.id)
            && document.voided.is_none()
            && Kind::from_code(&document.kind).is_some_and(|k| k.served_notice(Some(1)).is_some())
            && service_event(s, &document).await.map_err(ext)?.is_none();
        if !served_online {
            return Ok(DocumentNode(document, view));
        }
        // A clerk may change the case between the read and the write: read again and retry.
        for _ in 0..3 {
            let version = s.store.load_case(document.case_id).await.map_err(ext)?.version;
            let request = ServeRequest {
                document_id,
                expected_version: version,
                method: ServiceMethod::Online,
                on: s.clock.today(),
                recipient: None,
            };
            match s.store.serve_document(request, &viewer.actor(), &s.calendar(), s.clock.now()).await {
                Ok((served, _)) => return Ok(DocumentNode(served, view)),
                Err(foi_store::WorkflowError::Store(foi_store::StoreError::Conflict { .. })) => continue,
                // Refused by the rules (served meanwhile, case archived, voided): opening
                // still shows it.
                Err(
                    foi_store::WorkflowError::Transition(_)
                    | foi_store::WorkflowError::NotServable(_)
                    | foi_store::WorkflowError::Calendar(_),
                ) => break,
                Err(e) => return Err(ext(ApiError::from(e))),
            }
        }
        Ok(DocumentNode(document, view))
    }
}

/// The document `document_id` and its case, if `viewer` may read it ([`may_read`]);
/// `NOT_FOUND` otherwise, so that nobody learns which documents exist.
async fn readable_document(
    ctx: &Context<'_>,
    viewer: &Viewer,
    document_id: Uuid,
) -> ApiResult<(DocumentRecord, CaseRecord)> {
    let (document, case) = document_and_case(ctx, document_id).await?;
    if !may_read(viewer, &case, &document.kind) {
        return Err(ext(ApiError::NotFound(format!("document {document_id}"))));
    }
    Ok((document, case))
}

/// The document `document_id` and its case, if `viewer` works that case (a case worker
/// who may change it); `NOT_FOUND` for a case the viewer does not see.
async fn worked_document(
    ctx: &Context<'_>,
    viewer: &Viewer,
    document_id: Uuid,
) -> ApiResult<(DocumentRecord, CaseRecord)> {
    let (document, case) = document_and_case(ctx, document_id).await?;
    if !viewer.can_see(&case) {
        return Err(ext(ApiError::NotFound(format!("document {document_id}"))));
    }
    viewer.require_case_worker(&case).map_err(ext)?;
    Ok((document, case))
}

async fn document_and_case(ctx: &Context<'_>, document_id: Uuid) -> ApiResult<(DocumentRecord, CaseRecord)> {
    let s = state(ctx);
    let document =
        s.store.document(document_id).await.map_err(|_| ext(ApiError::NotFound(format!("document {document_id}"))))?;
    let case = s.store.load_case(document.case_id).await.map_err(ext)?;
    Ok((document, case))
}

/// The `SERVED` event of the case's history that records the service of `document`.
async fn service_event(s: &ApiState, document: &DocumentRecord) -> Result<Option<foi_store::EventRecord>, ApiError> {
    let events = s.store.case_events(document.case_id).await?;
    let id = document.id.to_string();
    Ok(events.into_iter().find(|e| {
        e.kind == foi_domain::lifecycle::EventKind::Served.code()
            && e.payload.get("document_id").and_then(|d| d.as_str()) == Some(id.as_str())
    }))
}

/// A document to open.
#[derive(InputObject)]
pub struct OpenDocumentInput {
    /// The document (`Document.id`).
    pub document_id: ID,
}
