//! Entity of the `throttle_entries` table (see `foi-migrations` and `crate::throttle`).

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "throttle_entries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false, column_type = "Text")]
    pub kind: String,
    #[sea_orm(primary_key, auto_increment = false, column_type = "Text")]
    pub key: String,
    pub failures: i64,
    pub first_failure_at: TimeDateTimeWithTimeZone,
    pub last_failure_at: TimeDateTimeWithTimeZone,
    pub locked_until: Option<TimeDateTimeWithTimeZone>,
}

impl ActiveModelBehavior for ActiveModel {}
