//! The files disclosed with a reply (附件): one `attachments` row per upload, written with
//! the case's `ATTACHMENT_ADDED` audit event in one transaction.
//!
//! The store keeps only the metadata: the file name as given, the content type, the size,
//! the SHA-256 and the `storage_key` under which the bytes lie in the blob storage of
//! `foi-server` (local disk or an S3-compatible store). The bytes are stored before the row
//! is written; see `foi_server::attachments` for why a row never points at a missing file.

use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::entities::attachments;
use crate::workflow::{Actor, audit_event};
use crate::{CaseRecord, Store, StoreError, Txn, sql};

/// The audit event code of an upload. It is not a lifecycle event and changes no stage.
pub const ATTACHMENT_ADDED: &str = "ATTACHMENT_ADDED";

/// An attachment to record: its bytes are already stored under `storage_key`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAttachment {
    /// Chosen by the caller.
    pub id: Uuid,
    /// The case it belongs to.
    pub case_id: Uuid,
    /// The file name as the uploader gave it, sanitised (metadata only, never a path).
    pub file_name: String,
    /// The media type, as checked against the content.
    pub content_type: String,
    /// Its size in bytes.
    pub size_bytes: i64,
    /// Lower-case hex SHA-256 of the content.
    pub sha256: String,
    /// Where the blob storage keeps the bytes.
    pub storage_key: String,
    /// What it is for: `DISCLOSURE`, `INTERNAL`, `IDENTITY_PROOF` or `CORRECTION` (the
    /// caller checks the code; the database refuses any other).
    pub purpose: String,
}

/// A stored attachment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttachmentRecord {
    pub id: Uuid,
    pub case_id: Uuid,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub storage_key: String,
    /// Who uploaded it, as the history names them.
    pub uploaded_by: String,
    pub uploaded_by_id: Option<Uuid>,
    pub created_at: OffsetDateTime,
    /// What it is for (see [`NewAttachment::purpose`]).
    pub purpose: String,
}

impl From<attachments::Model> for AttachmentRecord {
    fn from(m: attachments::Model) -> Self {
        AttachmentRecord {
            id: m.id,
            case_id: m.case_id,
            file_name: m.file_name,
            content_type: m.content_type,
            size_bytes: m.size_bytes,
            sha256: m.sha256,
            storage_key: m.storage_key,
            uploaded_by: m.uploaded_by,
            uploaded_by_id: m.uploaded_by_id,
            created_at: m.created_at,
            purpose: m.purpose,
        }
    }
}

async fn insert<C: ConnectionTrait>(
    c: &C,
    new: NewAttachment,
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<AttachmentRecord, StoreError> {
    let model = attachments::ActiveModel {
        id: Set(new.id),
        case_id: Set(new.case_id),
        file_name: Set(new.file_name),
        content_type: Set(new.content_type),
        size_bytes: Set(new.size_bytes),
        sha256: Set(new.sha256),
        storage_key: Set(new.storage_key),
        purpose: Set(new.purpose),
        uploaded_by: Set(actor.label.clone()),
        uploaded_by_id: Set(actor.account_id),
        created_at: Set(sql::instant(now)),
    }
    .insert(c)
    .await?;
    Ok(model.into())
}

async fn get<C: ConnectionTrait>(c: &C, id: Uuid) -> Result<AttachmentRecord, StoreError> {
    attachments::Entity::find_by_id(id)
        .one(c)
        .await?
        .map(AttachmentRecord::from)
        .ok_or_else(|| StoreError::not_found(format!("attachment {id}")))
}

async fn of_case<C: ConnectionTrait>(c: &C, case_id: Uuid) -> Result<Vec<AttachmentRecord>, StoreError> {
    let rows = attachments::Entity::find()
        .filter(attachments::Column::CaseId.eq(case_id))
        .order_by_asc(attachments::Column::CreatedAt)
        .order_by_asc(attachments::Column::Id)
        .all(c)
        .await?;
    Ok(rows.into_iter().map(AttachmentRecord::from).collect())
}

impl Store {
    /// Records an attachment of the case with its `ATTACHMENT_ADDED` event (dated `today`),
    /// in one transaction, if the case is still at `expected_version`; returns the row and
    /// the case at its new version. A stale version is [`StoreError::Conflict`] and writes
    /// nothing.
    pub async fn add_attachment(
        &self,
        new: NewAttachment,
        expected_version: i64,
        actor: &Actor,
        today: Date,
        now: OffsetDateTime,
    ) -> Result<(AttachmentRecord, CaseRecord), StoreError> {
        let actor = actor.clone();
        self.transaction(move |txn| {
            Box::pin(async move { txn.add_attachment(new, expected_version, &actor, today, now).await })
        })
        .await
    }

    /// One attachment, or `NotFound`.
    pub async fn attachment(&self, id: Uuid) -> Result<AttachmentRecord, StoreError> {
        get(&self.db, id).await
    }

    /// The attachments of a case, oldest first.
    pub async fn attachments_of(&self, case_id: Uuid) -> Result<Vec<AttachmentRecord>, StoreError> {
        of_case(&self.db, case_id).await
    }
}

impl Txn {
    /// [`Store::add_attachment`] as part of this transaction. After an error, roll the
    /// transaction back (or drop it).
    pub async fn add_attachment(
        &self,
        new: NewAttachment,
        expected_version: i64,
        actor: &Actor,
        today: Date,
        now: OffsetDateTime,
    ) -> Result<(AttachmentRecord, CaseRecord), StoreError> {
        let case_id = new.case_id;
        let payload = serde_json::json!({
            "attachment_id": new.id,
            "file_name": new.file_name,
            "size": new.size_bytes,
            "sha256": new.sha256,
            "purpose": new.purpose,
        });
        let event = audit_event(ATTACHMENT_ADDED, payload, today, actor, now);
        // The case first: an unknown case is `NotFound` and a stale version `Conflict`,
        // before the row is tried.
        let case = self.append_audit_event(case_id, expected_version, event).await?;
        let record = insert(&self.inner, new, actor, now).await?;
        Ok((record, case))
    }

    /// The attachments of a case, oldest first.
    pub async fn attachments_of(&self, case_id: Uuid) -> Result<Vec<AttachmentRecord>, StoreError> {
        of_case(&self.inner, case_id).await
    }
}
