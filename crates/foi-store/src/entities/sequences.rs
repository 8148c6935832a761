//! Entity of the `sequences` table (see `foi-migrations` for its constraints).

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sequences")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub agency_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub year: i32,
    #[sea_orm(primary_key, auto_increment = false, column_type = "Text")]
    pub kind: String,
    /// The number the next allocation hands out.
    pub next_value: i64,
}

impl ActiveModelBehavior for ActiveModel {}
