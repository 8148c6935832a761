//! Entity of the `calendar_years` table (see `foi-migrations` for its constraints).

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "calendar_years")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub year: i32,
    /// JSON text, the per-year shape of `cn-official-holidays.json`.
    #[sea_orm(column_type = "Text")]
    pub data: String,
    #[sea_orm(column_type = "Text")]
    pub version: String,
    pub loaded_at: TimeDateTimeWithTimeZone,
    #[sea_orm(column_type = "Text")]
    pub loaded_by: String,
}

impl ActiveModelBehavior for ActiveModel {}
