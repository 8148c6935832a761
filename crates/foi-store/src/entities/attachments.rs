//! Entity of the `attachments` table (see `foi-migrations` for its constraints).

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "attachments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub case_id: Uuid,
    #[sea_orm(column_type = "Text")]
    pub file_name: String,
    #[sea_orm(column_type = "Text")]
    pub content_type: String,
    pub size_bytes: i64,
    #[sea_orm(column_type = "Text")]
    pub sha256: String,
    #[sea_orm(column_type = "Text")]
    pub storage_key: String,
    #[sea_orm(column_type = "Text")]
    pub uploaded_by: String,
    pub uploaded_by_id: Option<Uuid>,
    pub created_at: TimeDateTimeWithTimeZone,
    /// `DISCLOSURE`, `INTERNAL`, `IDENTITY_PROOF` or `CORRECTION`.
    #[sea_orm(column_type = "Text")]
    pub purpose: String,
}

impl ActiveModelBehavior for ActiveModel {}
