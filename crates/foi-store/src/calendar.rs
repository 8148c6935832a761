//! The loaded calendar years: one State Council holiday notice per year, as data. A notice
//! can be amended during its year, so each load carries a version and replaces the year.

use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, QueryOrder};
use time::OffsetDateTime;

use crate::entities::calendar_years;
use crate::{StoreError, sql};

/// A year's notice to load (or reload).
#[derive(Clone, Debug, PartialEq)]
pub struct NewCalendarYear {
    pub year: i32,
    /// The per-year object of `cn-official-holidays.json` (`all_off_days`,
    /// `makeup_workdays`, …). The store does not look inside.
    pub data: serde_json::Value,
    /// The version the deadlines computed with it will cite.
    pub version: String,
    pub loaded_at: OffsetDateTime,
    /// Who loaded it (an account login, or `seed`).
    pub loaded_by: String,
}

/// A stored calendar year.
#[derive(Clone, Debug, PartialEq)]
pub struct CalendarYear {
    pub year: i32,
    pub data: serde_json::Value,
    pub version: String,
    pub loaded_at: OffsetDateTime,
    pub loaded_by: String,
}

impl TryFrom<calendar_years::Model> for CalendarYear {
    type Error = StoreError;

    fn try_from(m: calendar_years::Model) -> Result<Self, StoreError> {
        let data = serde_json::from_str(&m.data)
            .map_err(|e| StoreError::Corrupt { what: format!("calendar year {}: {e}", m.year) })?;
        Ok(CalendarYear { year: m.year, data, version: m.version, loaded_at: m.loaded_at, loaded_by: m.loaded_by })
    }
}

/// Inserts the year, or replaces it if already loaded.
pub(crate) async fn upsert<C: ConnectionTrait>(c: &C, new: NewCalendarYear) -> Result<CalendarYear, StoreError> {
    let model = calendar_years::ActiveModel {
        year: Set(new.year),
        data: Set(new.data.to_string()),
        version: Set(new.version),
        loaded_at: Set(sql::instant(new.loaded_at)),
        loaded_by: Set(new.loaded_by),
    };
    calendar_years::Entity::insert(model)
        .on_conflict(
            OnConflict::column(calendar_years::Column::Year)
                .update_columns([
                    calendar_years::Column::Data,
                    calendar_years::Column::Version,
                    calendar_years::Column::LoadedAt,
                    calendar_years::Column::LoadedBy,
                ])
                .to_owned(),
        )
        .exec(c)
        .await?;
    calendar_years::Entity::find_by_id(new.year)
        .one(c)
        .await?
        .ok_or_else(|| StoreError::not_found(format_args!("calendar year {}", new.year)))?
        .try_into()
}

/// Every loaded year, in order.
pub(crate) async fn list<C: ConnectionTrait>(c: &C) -> Result<Vec<CalendarYear>, StoreError> {
    calendar_years::Entity::find()
        .order_by_asc(calendar_years::Column::Year)
        .all(c)
        .await?
        .into_iter()
        .map(CalendarYear::try_from)
        .collect()
}

impl crate::Store {
    /// The calendar in force: the bundled notices, amended and extended by the years loaded
    /// into the database. A stored year that does not parse or contradicts itself is
    /// [`StoreError::Corrupt`].
    pub async fn load_calendar(&self) -> Result<foi_domain::calendar::Calendar, StoreError> {
        let mut calendar = foi_domain::calendar::Calendar::bundled();
        for year in self.calendar_years().await? {
            let corrupt =
                |e: &dyn std::fmt::Display| StoreError::Corrupt { what: format!("calendar year {}: {e}", year.year) };
            let notice = serde_json::from_value(year.data.clone()).map_err(|e| corrupt(&e))?;
            calendar = calendar.with_notice(year.year, notice).map_err(|e| corrupt(&e))?;
        }
        Ok(calendar)
    }
}
