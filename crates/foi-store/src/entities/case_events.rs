//! Entity of the `case_events` table (see `foi-migrations` for its constraints).

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "case_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub case_id: Uuid,
    pub seq: i64,
    #[sea_orm(column_type = "Text")]
    pub kind: String,
    /// JSON text.
    #[sea_orm(column_type = "Text")]
    pub payload: String,
    pub occurred_on: TimeDate,
    pub recorded_at: TimeDateTimeWithTimeZone,
    pub actor_id: Option<Uuid>,
    #[sea_orm(column_type = "Text")]
    pub actor_label: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub reason: Option<String>,
    /// JSON text: the warnings the event gave, or null.
    #[sea_orm(column_type = "Text", nullable)]
    pub warnings: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
