//! Notices, letters and notifications (issue 5):
//!
//! - `documents`: every notice and reply letter issued, kept unchanged: its number from the
//!   agency's yearly sequence of its kind, the rendered HTML and its SHA-256.
//! - `attachments`: the files disclosed with a reply, stored by the service (local disk or
//!   an S3-compatible store) under `storage_key`, with their size, type and SHA-256.
//! - `outbox`: notifications written in the same transaction as the event they tell of,
//!   delivered later by e-mail with retries; the applicant's notification list reads it.
//! - `cases.urgency`: `NONE`, `DUE_SOON` or `OVERDUE`, as the deadline sweep last marked it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::names::*;
use crate::{index, unique_index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(Cases::Table).add_column(text(Cases::Urgency).default("NONE")).to_owned())
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Documents::Table)
                    .col(pk_uuid(Documents::Id))
                    .col(uuid(Documents::CaseId))
                    .col(uuid(Documents::AgencyId))
                    .col(text(Documents::Kind))
                    .col(text(Documents::Number))
                    .col(integer(Documents::Year))
                    .col(big_integer(Documents::Seq))
                    .col(date(Documents::IssuedOn))
                    .col(text(Documents::Title))
                    .col(text(Documents::Html))
                    .col(text(Documents::ContentSha256))
                    .col(text(Documents::IssuedBy))
                    .col(uuid_null(Documents::IssuedById))
                    .col(timestamp_with_time_zone(Documents::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_documents_case")
                            .from(Documents::Table, Documents::CaseId)
                            .to(Cases::Table, Cases::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        unique_index(manager, UX_DOCUMENTS_NUMBER, Documents::Table, [Documents::Number]).await?;
        index(manager, "ix_documents_case", Documents::Table, [Documents::CaseId]).await?;

        manager
            .create_table(
                Table::create()
                    .table(Attachments::Table)
                    .col(pk_uuid(Attachments::Id))
                    .col(uuid(Attachments::CaseId))
                    .col(text(Attachments::FileName))
                    .col(text(Attachments::ContentType))
                    .col(big_integer(Attachments::SizeBytes))
                    .col(text(Attachments::Sha256))
                    .col(text(Attachments::StorageKey))
                    .col(text(Attachments::UploadedBy))
                    .col(uuid_null(Attachments::UploadedById))
                    .col(timestamp_with_time_zone(Attachments::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_attachments_case")
                            .from(Attachments::Table, Attachments::CaseId)
                            .to(Cases::Table, Cases::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        index(manager, "ix_attachments_case", Attachments::Table, [Attachments::CaseId]).await?;

        // outbox: status PENDING → SENT, or FAILED after the last attempt. A sender claims a
        // row by setting `claimed_until` (a lease), so a crashed sender's rows are retried.
        manager
            .create_table(
                Table::create()
                    .table(Outbox::Table)
                    .col(pk_uuid(Outbox::Id))
                    .col(uuid_null(Outbox::CaseId))
                    .col(uuid_null(Outbox::RecipientId))
                    .col(text_null(Outbox::Email))
                    .col(text(Outbox::Kind))
                    .col(text(Outbox::Subject))
                    .col(text(Outbox::Body))
                    .col(text(Outbox::Status).default("PENDING"))
                    .col(integer(Outbox::Attempts).default(0))
                    .col(timestamp_with_time_zone(Outbox::NextAttemptAt))
                    .col(timestamp_with_time_zone_null(Outbox::ClaimedUntil))
                    .col(text_null(Outbox::LastError))
                    .col(timestamp_with_time_zone_null(Outbox::SentAt))
                    .col(timestamp_with_time_zone_null(Outbox::ReadAt))
                    .col(timestamp_with_time_zone(Outbox::CreatedAt))
                    .to_owned(),
            )
            .await?;
        index(manager, "ix_outbox_status_next", Outbox::Table, [Outbox::Status, Outbox::NextAttemptAt]).await?;
        index(manager, "ix_outbox_recipient", Outbox::Table, [Outbox::RecipientId, Outbox::CreatedAt]).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Outbox::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Attachments::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Documents::Table).to_owned()).await?;
        manager.alter_table(Table::alter().table(Cases::Table).drop_column(Cases::Urgency).to_owned()).await?;
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Cases {
    Table,
    Id,
    Urgency,
}

#[derive(DeriveIden)]
enum Documents {
    Table,
    Id,
    CaseId,
    AgencyId,
    Kind,
    Number,
    Year,
    Seq,
    IssuedOn,
    Title,
    Html,
    ContentSha256,
    IssuedBy,
    IssuedById,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Attachments {
    Table,
    Id,
    CaseId,
    FileName,
    ContentType,
    SizeBytes,
    Sha256,
    StorageKey,
    UploadedBy,
    UploadedById,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Outbox {
    Table,
    Id,
    CaseId,
    RecipientId,
    Email,
    Kind,
    Subject,
    Body,
    Status,
    Attempts,
    NextAttemptAt,
    ClaimedUntil,
    LastError,
    SentAt,
    ReadAt,
    CreatedAt,
}
