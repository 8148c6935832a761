//! Attachments (附件): the files disclosed with a reply, as the API shows and guards them.
//!
//! The bytes travel over plain HTTP (`POST /cases/{caseId}/attachments`,
//! `GET /attachments/{id}`, served by `foi-server`), not over GraphQL; this module holds
//! what those handlers and the GraphQL field `Case.attachments` share: who may upload
//! (a case worker who may change the case), who may download (the case's workers and its
//! applicant; anyone else is told `NOT_FOUND`), and the recording of an upload with its
//! audit event.

use async_graphql::{Context, ID, Object};
use foi_domain::lifecycle::Stage;
use foi_store::{AttachmentRecord, CaseRecord, NewAttachment, StoreError, Uuid};
use time::OffsetDateTime;

use crate::ApiState;
use crate::auth::{Viewer, roles, viewer_for_token};
use crate::error::{ApiError, ApiResult};

/// How many times an upload is recorded again when the case changed between reading it and
/// writing the row (the uploader named no version, so a conflict is not theirs to resolve).
const RECORD_ATTEMPTS: usize = 3;

/// A file disclosed with the case's reply (附件).
pub struct AttachmentNode(pub AttachmentRecord);

/// A file disclosed with a case's reply (附件), downloaded from `downloadUrl`.
#[Object(name = "Attachment")]
impl AttachmentNode {
    /// Identifier.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
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

/// The attachments of a case the caller already may see (`Case.attachments`), oldest first.
pub(crate) async fn of_case(ctx: &Context<'_>, case_id: Uuid) -> ApiResult<Vec<AttachmentNode>> {
    let state = ctx.data_unchecked::<ApiState>();
    let rows = state.store.attachments_of(case_id).await.map_err(ApiError::from)?;
    Ok(rows.into_iter().map(AttachmentNode).collect())
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

/// Who uploads to case `case_id`, before a byte of the file is read: a signed-in case worker
/// (clerk, reviewer, office head) who may change the case, and the case not archived.
/// `UNAUTHENTICATED` without a live session; `NOT_FOUND` for a malformed id or a case the
/// caller may not see; `FORBIDDEN` for a caller without a case-worker role (applicants too);
/// `RULE_VIOLATION` for an archived case.
pub async fn authorize_upload(
    state: &ApiState,
    token: Option<&str>,
    case_id: &str,
) -> Result<(Viewer, CaseRecord), ApiError> {
    let viewer = viewer_for_token(state, token).await?;
    let id = Uuid::parse_str(case_id).map_err(|_| case_not_found(case_id))?;
    let case = match state.store.load_case(id).await {
        Err(StoreError::NotFound { .. }) => return Err(case_not_found(case_id)),
        other => other?,
    };
    viewer.require_role(&roles::CASE_WORKERS, "adding an attachment")?;
    if !viewer.can_see(&case) {
        return Err(case_not_found(case_id));
    }
    check_not_archived(&case)?;
    Ok((viewer, case))
}

/// Records an uploaded file (already stored) as an attachment of the case, with its
/// `ATTACHMENT_ADDED` event dated today, in one transaction. If the case changed meanwhile,
/// it is read again (and checked again) and the write retried.
pub async fn record_upload(
    state: &ApiState,
    viewer: &Viewer,
    case_id: Uuid,
    upload: StoredUpload,
) -> Result<AttachmentRecord, ApiError> {
    let id = foi_store::new_id();
    let size_bytes = i64::try_from(upload.size_bytes)
        .map_err(|_| ApiError::validation("body", "the file is larger than the service can record"))?;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let case = state.store.load_case(case_id).await?;
        viewer.require_case_worker(&case)?;
        check_not_archived(&case)?;
        let new = NewAttachment {
            id,
            case_id,
            file_name: upload.file_name.clone(),
            content_type: upload.content_type.clone(),
            size_bytes,
            sha256: upload.sha256.clone(),
            storage_key: upload.storage_key.clone(),
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
/// (staff with a case-worker role who may see the case) and the case's applicant.
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
    if !viewer.can_see(&case) || !(viewer.is_applicant() || worker) {
        return Err(not_found());
    }
    Ok(record)
}
