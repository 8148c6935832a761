//! Entity of the `agencies` table (see `foi-migrations` for its constraints).

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "agencies")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(column_type = "Text", unique)]
    pub code: String,
    #[sea_orm(column_type = "Text")]
    pub name: String,
    pub parent_id: Option<Uuid>,
    #[sea_orm(column_type = "Text")]
    pub case_prefix: String,
    #[sea_orm(column_type = "Text")]
    pub case_number_pattern: String,
    #[sea_orm(column_type = "Text")]
    pub reconsideration_body: String,
    pub correction_period_wd: i32,
    pub due_soon_wd: i32,
    pub fee_pauses_clock: bool,
    #[sea_orm(column_type = "Text", nullable)]
    pub contact_office: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub contact_address: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub contact_postcode: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub contact_phone: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub contact_person: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub payment_instructions: Option<String>,
    /// `SUBMISSION_DAY` or `CLERK_CONFIRMATION` (Reg. 31(3)).
    #[sea_orm(column_type = "Text")]
    pub online_receipt: String,
    pub created_at: TimeDateTimeWithTimeZone,
}

impl ActiveModelBehavior for ActiveModel {}
