//! Aggregate counts of cases for the statistics (rules.md §4): how many applications each
//! agency received, carried over, concluded (by outcome) and carried forward in a period,
//! per applicant kind. One `GROUP BY … COUNT(*)` statement, never a case in memory, and one
//! statement so that the four counts come from the same snapshot and balance.
//!
//! Cases never received (`received_on` NULL, e.g. an online submission withdrawn before it
//! was signed for) are not applications in the statistics and are left out of every count.

use sea_orm::{ConnectionTrait, Value};
use time::Date;
use uuid::Uuid;

use crate::{Store, StoreError, sql};

/// Which count of the period a [`CountRow`] holds.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CountBucket {
    /// 一: received in `[from, to]` (by date of receipt).
    Received,
    /// 二: received before `from` and not concluded before `from`.
    CarriedOver,
    /// Concluded in `[from, to]` (by reply or closing date), with this outcome code (`None`
    /// if the row has no outcome, which is a data fault the statistics report).
    Concluded(Option<String>),
    /// 四: received on or before `to` and not concluded on or before `to`.
    CarriedForward,
}

/// The number of cases of one agency and applicant kind in one bucket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CountRow {
    /// The handling agency.
    pub agency_id: Uuid,
    /// The applicant-kind code as stored, e.g. `NATURAL_PERSON`.
    pub applicant_kind: String,
    /// What is counted.
    pub bucket: CountBucket,
    /// How many cases.
    pub count: u64,
}

/// The four counts as one statement: a `UNION ALL` of four grouped selects. `{ids}` is the
/// placeholder list of the agency ids, repeated in each branch.
const COUNTS_SQL: &str = "\
SELECT 'R' AS bucket, agency_id, applicant_kind, CAST(NULL AS TEXT) AS outcome, COUNT(*) AS n \
  FROM cases WHERE agency_id IN ({ids}) AND received_on >= ? AND received_on <= ? \
  GROUP BY agency_id, applicant_kind \
UNION ALL \
SELECT 'O', agency_id, applicant_kind, CAST(NULL AS TEXT), COUNT(*) \
  FROM cases WHERE agency_id IN ({ids}) AND received_on < ? \
   AND (concluded_on IS NULL OR concluded_on >= ?) \
  GROUP BY agency_id, applicant_kind \
UNION ALL \
SELECT 'C', agency_id, applicant_kind, outcome, COUNT(*) \
  FROM cases WHERE agency_id IN ({ids}) AND received_on IS NOT NULL \
   AND concluded_on >= ? AND concluded_on <= ? \
  GROUP BY agency_id, applicant_kind, outcome \
UNION ALL \
SELECT 'F', agency_id, applicant_kind, CAST(NULL AS TEXT), COUNT(*) \
  FROM cases WHERE agency_id IN ({ids}) AND received_on <= ? \
   AND (concluded_on IS NULL OR concluded_on > ?) \
  GROUP BY agency_id, applicant_kind";

impl Store {
    /// The counts of the period `[from, to]` (both days included) for the cases handled by
    /// `agency_ids` (each agency on its own: pass the subtree to roll it up). Rows with a
    /// zero count are not returned. An empty `agency_ids` gives no rows.
    pub async fn case_counts(&self, agency_ids: &[Uuid], from: Date, to: Date) -> Result<Vec<CountRow>, StoreError> {
        if agency_ids.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders = vec!["?"; agency_ids.len()].join(", ");
        let text = COUNTS_SQL.replace("{ids}", &placeholders);
        let ids = || agency_ids.iter().map(|id| Value::from(*id));
        let mut values: Vec<Value> = Vec::with_capacity(4 * agency_ids.len() + 8);
        values.extend(ids());
        values.extend([from.into(), to.into()]);
        values.extend(ids());
        values.extend([from.into(), from.into()]);
        values.extend(ids());
        values.extend([from.into(), to.into()]);
        values.extend(ids());
        values.extend([to.into(), to.into()]);
        let stmt = sql::stmt(self.db.get_database_backend(), &text, values);
        let rows = self.db.query_all_raw(stmt).await?;
        rows.into_iter()
            .map(|row| {
                let bucket: String = row.try_get("", "bucket")?;
                let outcome: Option<String> = row.try_get("", "outcome")?;
                let count: i64 = row.try_get("", "n")?;
                let bucket = match bucket.as_str() {
                    "R" => CountBucket::Received,
                    "O" => CountBucket::CarriedOver,
                    "C" => CountBucket::Concluded(outcome),
                    "F" => CountBucket::CarriedForward,
                    other => return Err(StoreError::Corrupt { what: format!("count bucket {other:?}") }),
                };
                Ok(CountRow {
                    agency_id: row.try_get("", "agency_id")?,
                    applicant_kind: row.try_get("", "applicant_kind")?,
                    bucket,
                    count: u64::try_from(count).unwrap_or(0),
                })
            })
            .collect()
    }
}
