//! Attachments: the files of a case, as the API shows and guards them. Each has a purpose
//! ([`AttachmentPurpose`]): files disclosed with the reply (附件), the office's working
//! files, and the applicant's proof of identity (Reg. 29) and correction papers (Reg. 30).
//!
//! The bytes travel over plain HTTP (`POST /cases/{caseId}/attachments`,
//! `GET /attachments/{id}`, served by `foi-server`), not over GraphQL; this module holds
//! what those handlers and the GraphQL field `Case.attachments` share: who may upload (a
//! case worker who may change the case, any purpose; the case's applicant, a proof of
//! identity or correction papers while the case is open), who may download (the case's
//! workers, and its applicant every file but the office's working files; anyone else is
//! told `NOT_FOUND`), and the recording of an upload with its audit event.

use async_graphql::{Context, Enum, ID, Object};
use foi_domain::lifecycle::Stage;
use foi_store::{AttachmentRecord, CaseRecord, NewAttachment, StoreError, Uuid};
use time::OffsetDateTime;

use crate::ApiState;
use crate::auth::{Viewer, roles, viewer_for_token};
use crate::error::{ApiError, ApiResult};

/// How many times an upload is recorded again when the case changed between reading it and
/// writing the row (the uploader named no version, so a conflict is not theirs to resolve).
const RECORD_ATTEMPTS: usize = 3;

/// What an attachment is for, which decides who may read it.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum AttachmentPurpose {
    /// 附件: information disclosed with the reply; the applicant downloads it. What a staff
    /// upload is unless it says otherwise.
    Disclosure,
    /// A working file of the office (a draft, a consultation answer): its case workers only.
    Internal,
    /// 身份证明 (Reg. 29): the applicant's proof of identity, uploaded with the application;
    /// what an applicant's upload is unless it says otherwise.
    IdentityProof,
    /// 补正材料 (Reg. 30): papers filed with the corrected application.
    Correction,
}

impl AttachmentPurpose {
    /// Every purpose.
    pub const ALL: [AttachmentPurpose; 4] = [
        AttachmentPurpose::Disclosure,
        AttachmentPurpose::Internal,
        AttachmentPurpose::IdentityProof,
        AttachmentPurpose::Correction,
    ];

    /// The stored code, also the value of the upload's `X-Attachment-Purpose` header.
    pub fn code(self) -> &'static str {
        match self {
            AttachmentPurpose::Disclosure => "DISCLOSURE",
            AttachmentPurpose::Internal => "INTERNAL",
            AttachmentPurpose::IdentityProof => "IDENTITY_PROOF",
            AttachmentPurpose::Correction => "CORRECTION",
        }
    }

    /// The purpose with this code (letter case ignored).
    pub fn from_code(code: &str) -> Option<AttachmentPurpose> {
        AttachmentPurpose::ALL.into_iter().find(|p| p.code().eq_ignore_ascii_case(code.trim()))
    }

    /// Whether the case's applicant may upload a file for this purpose.
    pub fn by_applicant(self) -> bool {
        matches!(self, AttachmentPurpose::IdentityProof | AttachmentPurpose::Correction)
    }

    /// Whether the case's applicant may read a file of this purpose.
    pub fn shown_to_applicant(self) -> bool {
        self != AttachmentPurpose::Internal
    }
}

/// The purpose of a stored attachment; an unknown code (the database refuses one) reads as
/// the most guarded.
fn purpose_of(record: &AttachmentRecord) -> AttachmentPurpose {
    AttachmentPurpose::from_code(&record.purpose).unwrap_or(AttachmentPurpose::Internal)
}

/// A file of a case.
pub struct AttachmentNode(pub AttachmentRecord);

/// A file of a case, downloaded from `downloadUrl`.
#[Object(name = "Attachment")]
impl AttachmentNode {
    /// Identifier.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// What it is for: disclosed with the reply, the office's working file, the applicant's
    /// proof of identity or correction papers.
    async fn purpose(&self) -> AttachmentPurpose {
        purpose_of(&self.0)
    }
    /// The file name the uploader gave (sanitised; only shown, never used as a path).
    async fn file_name(&self) -> &str {
        &self.0.file_name
    }
    /// The media type, checked against the content when it was uploaded.
    async fn content_type(&self) -> &str {
        &self.0.content_type
    }
    /// The size in bytes.
    async fn size_bytes(&self) -> i64 {
        self.0.size_bytes
    }
    /// Lower-case hex SHA-256 of the content, to check a download against.
    async fn sha256(&self) -> &str {
        &self.0.sha256
    }
    /// When it was uploaded.
    async fn uploaded_at(&self) -> OffsetDateTime {
        self.0.created_at
    }
    /// Who uploaded it, as the history names them.
    async fn uploaded_by(&self) -> &str {
        &self.0.uploaded_by
    }
    /// Where to download it (`GET`, with the same `Authorization: Bearer <token>`), relative
    /// to the service's address.
    async fn download_url(&self) -> String {
        download_path(self.0.id)
    }
}

/// The path of an attachment's download: `/attachments/{id}`.
pub fn download_path(id: Uuid) -> String {
    format!("/attachments/{id}")
}

/// The attachments of a case the caller already may see (`Case.attachments`), oldest first:
/// all of them for staff, and for the applicant all but the office's working files.
pub(crate) async fn of_case(ctx: &Context<'_>, case_id: Uuid) -> ApiResult<Vec<AttachmentNode>> {
    let state = ctx.data_unchecked::<ApiState>();
    let viewer = crate::auth::viewer(ctx).await?;
    let rows = state.store.attachments_of(case_id).await.map_err(ApiError::from)?;
    Ok(rows
        .into_iter()
        .filter(|r| viewer.is_staff() || purpose_of(r).shown_to_applicant())
        .map(AttachmentNode)
        .collect())
}

/// A file already in the blob storage, to be recorded as an attachment of a case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredUpload {
    /// The sanitised file name.
    pub file_name: String,
    /// The media type, as checked against the content.
    pub content_type: String,
    /// The size in bytes.
    pub size_bytes: u64,
    /// Lower-case hex SHA-256 of the content.
    pub sha256: String,
    /// Where the blob storage keeps it.
    pub storage_key: String,
}

fn case_not_found(raw: &str) -> ApiError {
    ApiError::NotFound(format!("case {raw}"))
}

/// Refuses a change to an archived case: the file is closed and kept unchanged (rules.md
/// §2, 归档).
fn check_not_archived(case: &CaseRecord) -> Result<(), ApiError> {
    if case.stage == Stage::Archived.code() {
        return Err(ApiError::Rule(
            "the case is archived (归档): its file is closed and kept unchanged, so no attachment can be added".into(),
        ));
    }
    Ok(())
}

/// Refuses an applicant's upload to a concluded case: the papers of Reg. 29 and 30 go with
/// an application still in hand.
fn check_open_for_applicant(case: &CaseRecord) -> Result<(), ApiError> {
    let concluded = [Stage::Replied, Stage::Closed, Stage::Archived].map(Stage::code);
    if concluded.contains(&case.stage.as_str()) {
        return Err(ApiError::Rule(
            "the application is concluded: its proof of identity and correction papers can no longer be added".into(),
        ));
    }
    Ok(())
}

/// Checks who uploads for `purpose` to `case`: a case worker who may change it (any
/// purpose, the case not archived), or its applicant (a proof of identity or correction
/// papers, the case not concluded).
fn check_uploader(viewer: &Viewer, case: &CaseRecord, purpose: AttachmentPurpose) -> Result<(), ApiError> {
    if viewer.is_applicant() {
        if !viewer.can_see(case) {
            return Err(case_not_found(&case.id.to_string()));
        }
        if !purpose.by_applicant() {
            return Err(ApiError::Forbidden(format!(
                "an applicant uploads IDENTITY_PROOF or CORRECTION, not {}",
                purpose.code()
            )));
        }
        return check_open_for_applicant(case);
    }
    viewer.require_role(&roles::CASE_WORKERS, "adding an attachment")?;
    if !viewer.can_see(case) {
        return Err(case_not_found(&case.id.to_string()));
    }
    check_not_archived(case)
}

/// Who uploads to case `case_id` for `purpose` (default: `DISCLOSURE` from staff,
/// `IDENTITY_PROOF` from the applicant), before a byte of the file is read: a signed-in
/// case worker (clerk, reviewer, office head) who may change the case, the case not
/// archived; or the case's applicant, with a proof of identity or correction papers, the
/// case not concluded. `UNAUTHENTICATED` without a live session; `NOT_FOUND` for a
/// malformed id or a case the caller may not see; `FORBIDDEN` for a caller without a
/// case-worker role or an applicant uploading another purpose; `RULE_VIOLATION` for an
/// archived case (a concluded one, for the applicant).
pub async fn authorize_upload(
    state: &ApiState,
    token: Option<&str>,
    case_id: &str,
    purpose: Option<AttachmentPurpose>,
) -> Result<(Viewer, CaseRecord, AttachmentPurpose), ApiError> {
    let viewer = viewer_for_token(state, token).await?;
    let id = Uuid::parse_str(case_id).map_err(|_| case_not_found(case_id))?;
    let case = match state.store.load_case(id).await {
        Err(StoreError::NotFound { .. }) => return Err(case_not_found(case_id)),
        other => other?,
    };
    let purpose = purpose.unwrap_or(if viewer.is_applicant() {
        AttachmentPurpose::IdentityProof
    } else {
        AttachmentPurpose::Disclosure
    });
    check_uploader(&viewer, &case, purpose)?;
    Ok((viewer, case, purpose))
}

/// Records an uploaded file (already stored) as an attachment of the case, with its
/// `ATTACHMENT_ADDED` event dated today, in one transaction. If the case changed meanwhile,
/// it is read again (and checked again) and the write retried.
pub async fn record_upload(
    state: &ApiState,
    viewer: &Viewer,
    case_id: Uuid,
    upload: StoredUpload,
    purpose: AttachmentPurpose,
) -> Result<AttachmentRecord, ApiError> {
    let id = foi_store::new_id();
    let size_bytes = i64::try_from(upload.size_bytes)
        .map_err(|_| ApiError::validation("body", "the file is larger than the service can record"))?;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let case = state.store.load_case(case_id).await?;
        check_uploader(viewer, &case, purpose)?;
        let new = NewAttachment {
            id,
            case_id,
            file_name: upload.file_name.clone(),
            content_type: upload.content_type.clone(),
            size_bytes,
            sha256: upload.sha256.clone(),
            storage_key: upload.storage_key.clone(),
            purpose: purpose.code().to_owned(),
        };
        let now = state.clock.now();
        let today = state.clock.today();
        match state.store.add_attachment(new, case.version, &viewer.actor(), today, now).await {
            Ok((record, _)) => return Ok(record),
            Err(StoreError::Conflict { .. }) if attempt < RECORD_ATTEMPTS => continue,
            Err(e) => return Err(e.into()),
        }
    }
}

/// The attachment `attachment_id`, if the caller may download it: the case's workers
/// (staff with a case-worker role who may see the case) and the case's applicant (every
/// file but the office's working files).
/// `UNAUTHENTICATED` without a live session; `NOT_FOUND` for everyone else, and for a
/// malformed or unknown id, so that nobody learns which attachments exist.
pub async fn authorize_download(
    state: &ApiState,
    token: Option<&str>,
    attachment_id: &str,
) -> Result<AttachmentRecord, ApiError> {
    let viewer = viewer_for_token(state, token).await?;
    let not_found = || ApiError::NotFound(format!("attachment {attachment_id}"));
    let id = Uuid::parse_str(attachment_id).map_err(|_| not_found())?;
    let record = match state.store.attachment(id).await {
        Err(StoreError::NotFound { .. }) => return Err(not_found()),
        other => other?,
    };
    let case = state.store.load_case(record.case_id).await?;
    let worker = viewer.is_staff() && viewer.account.roles.iter().any(|r| roles::CASE_WORKERS.contains(&r.as_str()));
    let applicant = viewer.is_applicant() && purpose_of(&record).shown_to_applicant();
    if !viewer.can_see(&case) || !(applicant || worker) {
        return Err(not_found());
    }
    Ok(record)
}
