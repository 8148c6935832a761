//! Entity of the `cases` table (see `foi-migrations` for its constraints).

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cases")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub agency_id: Uuid,
    pub applicant_id: Option<Uuid>,
    #[sea_orm(column_type = "Text", nullable, unique)]
    pub case_number: Option<String>,
    pub case_year: Option<i32>,
    #[sea_orm(column_type = "Text")]
    pub stage: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub outcome: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub channel: String,
    #[sea_orm(column_type = "Text")]
    pub subject: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    #[sea_orm(column_type = "Text")]
    pub form_wanted: String,
    #[sea_orm(column_type = "Text")]
    pub delivery_method: String,
    #[sea_orm(column_type = "Text")]
    pub applicant_name: String,
    #[sea_orm(column_type = "Text")]
    pub applicant_kind: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub applicant_id_number: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub applicant_phone: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub applicant_email: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub applicant_address: Option<String>,
    pub submitted_at: Option<TimeDateTimeWithTimeZone>,
    pub received_on: Option<TimeDate>,
    pub clock_start_on: Option<TimeDate>,
    pub reply_due_on: Option<TimeDate>,
    pub concluded_on: Option<TimeDate>,
    pub assignee_id: Option<Uuid>,
    #[sea_orm(column_type = "Text")]
    pub state_json: String,
    pub version: i64,
    pub imported: bool,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
    pub wd_used: Option<i32>,
    pub limit_due_on: Option<TimeDate>,
    #[sea_orm(column_type = "Text")]
    pub urgency: String,
}

impl ActiveModelBehavior for ActiveModel {}
