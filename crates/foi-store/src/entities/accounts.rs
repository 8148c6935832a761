//! Entity of the `accounts` table (see `foi-migrations` for its constraints).

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "accounts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(column_type = "Text")]
    pub kind: String,
    #[sea_orm(column_type = "Text", unique)]
    pub login: String,
    #[sea_orm(column_type = "Text")]
    pub password_hash: String,
    #[sea_orm(column_type = "Text")]
    pub display_name: String,
    pub agency_id: Option<Uuid>,
    /// Comma-separated role names.
    #[sea_orm(column_type = "Text")]
    pub roles: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub applicant_kind: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub id_document_kind: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub id_number: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub phone: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub email: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub address: Option<String>,
    pub created_at: TimeDateTimeWithTimeZone,
    pub disabled_at: Option<TimeDateTimeWithTimeZone>,
}

impl ActiveModelBehavior for ActiveModel {}
