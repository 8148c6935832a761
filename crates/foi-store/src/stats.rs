//! Aggregate counts of cases for the statistics (rules.md §4): how many applications each
//! agency received, carried over, concluded (by outcome) and carried forward in a period,
//! per applicant kind. One `GROUP BY … COUNT(*)` statement, never a case in memory, and one
//! statement so that the four counts come from the same snapshot and balance.
//!
//! Cases never received (`received_on` NULL, e.g. an online submission withdrawn before it
//! was signed for under the clerk-confirmation rule) are not applications in the statistics
//! and are left out of every count. Under the submission-day rule (Reg. 31(3), rules.md §2)
//! an online submission is received when submitted, so it counts from that date, signed for
//! or not, and its withdrawal concludes a received case.

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

/// The four counts as one statement: a `UNION ALL` of grouped selects. `{ids}` is the
/// placeholder list of the agency ids, repeated in each branch. "Not concluded by a day" is
/// split into "still open" (`concluded_on IS NULL`) and "concluded after it", two ranges of
/// the covering index `ix_cases_stats_concluded`, so that no branch reads the table itself;
/// [`Store::case_counts`] adds the two parts up.
const COUNTS_SQL: &str = "\
SELECT 'R' AS bucket, agency_id, applicant_kind, CAST(NULL AS TEXT) AS outcome, COUNT(*) AS n \
  FROM cases WHERE agency_id IN ({ids}) AND received_on >= ? AND received_on <= ? \
  GROUP BY agency_id, applicant_kind \
UNION ALL \
SELECT 'O', agency_id, applicant_kind, CAST(NULL AS TEXT), COUNT(*) \
  FROM cases WHERE agency_id IN ({ids}) AND concluded_on IS NULL AND received_on < ? \
  GROUP BY agency_id, applicant_kind \
UNION ALL \
SELECT 'O', agency_id, applicant_kind, CAST(NULL AS TEXT), COUNT(*) \
  FROM cases WHERE agency_id IN ({ids}) AND concluded_on >= ? AND received_on < ? \
  GROUP BY agency_id, applicant_kind \
UNION ALL \
SELECT 'C', agency_id, applicant_kind, outcome, COUNT(*) \
  FROM cases WHERE agency_id IN ({ids}) AND concluded_on >= ? AND concluded_on <= ? \
   AND received_on IS NOT NULL \
  GROUP BY agency_id, applicant_kind, outcome \
UNION ALL \
SELECT 'F', agency_id, applicant_kind, CAST(NULL AS TEXT), COUNT(*) \
  FROM cases WHERE agency_id IN ({ids}) AND concluded_on IS NULL AND received_on <= ? \
  GROUP BY agency_id, applicant_kind \
UNION ALL \
SELECT 'F', agency_id, applicant_kind, CAST(NULL AS TEXT), COUNT(*) \
  FROM cases WHERE agency_id IN ({ids}) AND concluded_on > ? AND received_on <= ? \
  GROUP BY agency_id, applicant_kind";

impl Store {
    /// The counts of the period `[from, to]` (both days included) for the cases handled by
    /// `agency_ids` (each agency on its own: pass the subtree to roll it up). Rows with a
    /// zero count are not returned. An empty `agency_ids` gives no rows.
    pub async fn case_counts(&self, agency_ids: &[Uuid], from: Date, to: Date) -> Result<Vec<CountRow>, StoreError> {
        if agency_ids.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders = sql::list(agency_ids.len());
        let text = COUNTS_SQL.replace("{ids}", &placeholders);
        let ids = || agency_ids.iter().map(|id| Value::from(*id));
        let mut values: Vec<Value> = Vec::with_capacity(6 * agency_ids.len() + 10);
        let tails: [&[Date]; 6] = [&[from, to], &[from], &[from, from], &[from, to], &[to], &[to, to]];
        for tail in tails {
            values.extend(ids());
            values.extend(tail.iter().map(|d| Value::from(*d)));
        }
        let stmt = sql::stmt(self.db.get_database_backend(), &text, values);
        let rows = self.db.query_all_raw(stmt).await?;
        let rows: Vec<CountRow> = rows
            .into_iter()
            .map(|row| {
                let bucket: String = row.try_get("", "bucket")?;
                let outcome: Option<String> = row.try_get("", "outcome")?;
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
                    count: count(&row, "n")?,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        // Add up the two parts of 二 and of 四, keeping the order of first appearance.
        let mut merged: Vec<CountRow> = Vec::with_capacity(rows.len());
        for row in rows {
            match merged.iter_mut().find(|m| {
                m.agency_id == row.agency_id && m.applicant_kind == row.applicant_kind && m.bucket == row.bucket
            }) {
                Some(m) => m.count += row.count,
                None => merged.push(row),
            }
        }
        Ok(merged)
    }
}

/// Builds a statement whose `{ids}` placeholder list holds `agency_ids`, followed by
/// `tail` values.
fn with_ids(store: &Store, text: &str, agency_ids: &[Uuid], tail: Vec<Value>) -> sea_orm::Statement {
    let placeholders = sql::list(agency_ids.len());
    let text = text.replace("{ids}", &placeholders);
    let mut values: Vec<Value> = agency_ids.iter().map(|id| Value::from(*id)).collect();
    values.extend(tail);
    sql::stmt(store.db.get_database_backend(), &text, values)
}

/// A `COUNT(*)` (or `SUM`) column of an aggregate row.
pub(crate) fn count(row: &sea_orm::QueryResult, column: &str) -> Result<u64, StoreError> {
    let n: i64 = row.try_get("", column)?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// How many replies of one agency in a period took `wd_used` working days, and how many of
/// those were on time (on or before the last day of their limit).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplyDays {
    /// The handling agency.
    pub agency_id: Uuid,
    /// Working days counted on the day of the reply.
    pub wd_used: i32,
    /// Replies that took that long.
    pub count: u64,
    /// Of those, replied within the limit.
    pub on_time: u64,
}

/// Event counts of one agency in a period, by event kind code (`EXTENDED`, …).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventCount {
    /// The handling agency.
    pub agency_id: Uuid,
    /// The event kind code.
    pub kind: String,
    /// How many such events occurred in the period.
    pub count: u64,
}

/// Open cases of one agency now, and how many of them are past their reply due date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenNow {
    /// The handling agency.
    pub agency_id: Uuid,
    /// Open cases (received, not concluded).
    pub open: u64,
    /// Of those, with a reply due date before today.
    pub overdue: u64,
}

/// A case still open at the end of a period, for the list of the oldest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenCase {
    /// The case.
    pub case_id: Uuid,
    /// The handling agency.
    pub agency_id: Uuid,
    /// Its number, once registered.
    pub case_number: Option<String>,
    /// The date of receipt.
    pub received_on: Date,
    /// The day its reply clock (re)started.
    pub clock_start_on: Option<Date>,
    /// The current reply due date, if it is still open now.
    pub reply_due_on: Option<Date>,
    /// Its stage now (it may have concluded since the period ended).
    pub stage: String,
}

const REPLY_DAYS_SQL: &str = "\
SELECT agency_id, wd_used, COUNT(*) AS n, \
       SUM(CASE WHEN concluded_on <= limit_due_on THEN 1 ELSE 0 END) AS on_time \
  FROM cases WHERE agency_id IN ({ids}) AND concluded_on >= ? AND concluded_on <= ? \
   AND wd_used IS NOT NULL AND received_on IS NOT NULL \
  GROUP BY agency_id, wd_used";

const EVENT_COUNTS_SQL: &str = "\
SELECT c.agency_id AS agency_id, e.kind AS kind, COUNT(*) AS n \
  FROM case_events e JOIN cases c ON c.id = e.case_id \
 WHERE c.agency_id IN ({ids}) AND e.kind IN ({kinds}) AND e.occurred_on >= ? AND e.occurred_on <= ? \
 GROUP BY c.agency_id, e.kind";

/// Open stages all come after receipt and before conclusion, so the stage alone selects
/// the open cases, from the index `ix_cases_agency_stage_due` (agency, stage, due date),
/// together with the online submissions already received under the submission-day rule
/// but not yet signed for (Reg. 31(3), rules.md §2): their clock runs too.
const OPEN_NOW_SQL: &str = "\
SELECT agency_id, COUNT(*) AS n, \
       SUM(CASE WHEN reply_due_on < ? THEN 1 ELSE 0 END) AS overdue \
  FROM cases WHERE agency_id IN ({ids}) \
   AND (stage IN ({stages}) OR (stage = 'SUBMITTED' AND received_on IS NOT NULL)) \
  GROUP BY agency_id";

/// The oldest cases open at the end of the period: received by `to` and not concluded by
/// `to` (the cases of 四), the first `limit` per agency in the order of [`oldest_first`]. The
/// two parts (still open; concluded after `to`) are index ranges, as in the counts.
///
/// The order is spelt out so that both backends agree with each other and with
/// [`oldest_first`]: unnumbered cases last by an explicit key (SQLite sorts NULLs first,
/// PostgreSQL last), numbers by length before text (so that 〔2026〕9号 comes before
/// 〔2026〕10号), text compared bytewise (`{collate}`: PostgreSQL's `"C"` collation; SQLite
/// compares bytes already), and the id last so that no tie is left to chance.
const OLDEST_OPEN_SQL: &str = "\
SELECT id, agency_id, case_number, received_on, clock_start_on, reply_due_on, stage FROM ( \
  SELECT id, agency_id, case_number, received_on, clock_start_on, reply_due_on, stage, \
         ROW_NUMBER() OVER (PARTITION BY agency_id ORDER BY received_on, \
             CASE WHEN case_number IS NULL THEN 1 ELSE 0 END, LENGTH(case_number), \
             case_number {collate}, id) AS rn \
    FROM (SELECT * FROM cases WHERE agency_id IN ({ids}) AND concluded_on IS NULL AND received_on <= ? \
          UNION ALL \
          SELECT * FROM cases WHERE agency_id IN ({ids}) AND concluded_on > ? AND received_on <= ?) open_then \
  ) ranked \
 WHERE rn <= ? ORDER BY agency_id, rn";

/// The order of the list of the oldest open cases, as [`Store::oldest_open`] ranks them
/// in SQL, for lists merged in Rust: by date of receipt, then numbered before unnumbered,
/// then shorter numbers first and equal lengths as text (for the numbers of one agency and
/// year, whose pattern is fixed, that is the order of their sequence: 〔2026〕9号 before
/// 〔2026〕10号), then by id. Each argument is (date of receipt, case number, case id).
pub fn oldest_first(a: (Date, Option<&str>, Uuid), b: (Date, Option<&str>, Uuid)) -> std::cmp::Ordering {
    // `chars().count()` as SQL's LENGTH counts characters on both backends; `str`'s order
    // is bytewise, as the SQL compares.
    fn key((on, number, id): (Date, Option<&str>, Uuid)) -> (Date, bool, usize, &str, Uuid) {
        (on, number.is_none(), number.map_or(0, |n| n.chars().count()), number.unwrap_or_default(), id)
    }
    key(a).cmp(&key(b))
}

/// Open cases across every agency, and those past their reply due date (the gauges of
/// `/metrics`): one pass over the open stages.
const OPEN_AND_OVERDUE_SQL: &str = "\
SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN reply_due_on < ? THEN 1 ELSE 0 END), 0) AS overdue \
  FROM cases WHERE stage IN ({stages}) OR (stage = 'SUBMITTED' AND received_on IS NOT NULL)";

impl Store {
    /// How many cases are open in every agency, and how many of them are past their reply
    /// due date on `today` (as [`Store::open_now`] counts them per agency).
    pub async fn open_and_overdue(&self, today: Date) -> Result<(u64, u64), StoreError> {
        let open: Vec<&str> = foi_domain::lifecycle::Stage::ALL
            .into_iter()
            .filter(|s| s.is_open())
            .map(foi_domain::lifecycle::Stage::code)
            .collect();
        let text = OPEN_AND_OVERDUE_SQL.replace("{stages}", &sql::list(open.len()));
        let mut values: Vec<Value> = vec![today.into()];
        values.extend(open.iter().map(|s| Value::from(*s)));
        let stmt = sql::stmt(self.db.get_database_backend(), &text, values);
        match self.db.query_one_raw(stmt).await? {
            Some(row) => Ok((count(&row, "n")?, count(&row, "overdue")?)),
            None => Ok((0, 0)),
        }
    }

    /// The replies concluded in `[from, to]` by the agencies, grouped by the working days
    /// they took (see `cases.wd_used`), with how many were on time. Cases closed without a
    /// reply (withdrawn, abandoned, unpaid) had no reply due and are not counted.
    pub async fn reply_days(&self, agency_ids: &[Uuid], from: Date, to: Date) -> Result<Vec<ReplyDays>, StoreError> {
        if agency_ids.is_empty() {
            return Ok(Vec::new());
        }
        let stmt = with_ids(self, REPLY_DAYS_SQL, agency_ids, vec![from.into(), to.into()]);
        let rows = self.db.query_all_raw(stmt).await?;
        rows.iter()
            .map(|row| {
                Ok(ReplyDays {
                    agency_id: row.try_get("", "agency_id")?,
                    wd_used: row.try_get("", "wd_used")?,
                    count: count(row, "n")?,
                    on_time: count(row, "on_time")?,
                })
            })
            .collect()
    }

    /// How many events of each of `kinds` (event kind codes) occurred in `[from, to]` in
    /// the agencies' cases.
    pub async fn event_counts(
        &self,
        agency_ids: &[Uuid],
        kinds: &[&str],
        from: Date,
        to: Date,
    ) -> Result<Vec<EventCount>, StoreError> {
        if agency_ids.is_empty() || kinds.is_empty() {
            return Ok(Vec::new());
        }
        let text = EVENT_COUNTS_SQL.replace("{kinds}", &sql::list(kinds.len()));
        let mut tail: Vec<Value> = kinds.iter().map(|k| Value::from(*k)).collect();
        tail.extend([from.into(), to.into()]);
        let rows = self.db.query_all_raw(with_ids(self, &text, agency_ids, tail)).await?;
        rows.iter()
            .map(|row| {
                Ok(EventCount {
                    agency_id: row.try_get("", "agency_id")?,
                    kind: row.try_get("", "kind")?,
                    count: count(row, "n")?,
                })
            })
            .collect()
    }

    /// The agencies' open cases as of `today`, and how many are past their reply due date
    /// (due before `today`).
    pub async fn open_now(&self, agency_ids: &[Uuid], today: Date) -> Result<Vec<OpenNow>, StoreError> {
        if agency_ids.is_empty() {
            return Ok(Vec::new());
        }
        let open: Vec<&str> = foi_domain::lifecycle::Stage::ALL
            .into_iter()
            .filter(|s| s.is_open())
            .map(foi_domain::lifecycle::Stage::code)
            .collect();
        // `today` comes before the ids in the text; bind it first, then the ids, then stages.
        let text =
            OPEN_NOW_SQL.replace("{ids}", &sql::list(agency_ids.len())).replace("{stages}", &sql::list(open.len()));
        let mut values: Vec<Value> = vec![today.into()];
        values.extend(agency_ids.iter().map(|id| Value::from(*id)));
        values.extend(open.iter().map(|s| Value::from(*s)));
        let stmt = sql::stmt(self.db.get_database_backend(), &text, values);
        let rows = self.db.query_all_raw(stmt).await?;
        rows.iter()
            .map(|row| {
                Ok(OpenNow {
                    agency_id: row.try_get("", "agency_id")?,
                    open: count(row, "n")?,
                    overdue: count(row, "overdue")?,
                })
            })
            .collect()
    }

    /// Per agency, the `limit` oldest cases still open at the end of the day `to`, in the
    /// order of [`oldest_first`] (by date of receipt, then case number).
    pub async fn oldest_open(&self, agency_ids: &[Uuid], to: Date, limit: u32) -> Result<Vec<OpenCase>, StoreError> {
        if agency_ids.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let placeholders = sql::list(agency_ids.len());
        let backend = self.db.get_database_backend();
        let collate = if backend == sea_orm::DbBackend::Postgres { "COLLATE \"C\"" } else { "" };
        let text = OLDEST_OPEN_SQL.replace("{ids}", &placeholders).replace("{collate}", collate);
        let ids = || agency_ids.iter().map(|id| Value::from(*id));
        let mut values: Vec<Value> = ids().collect();
        values.push(to.into());
        values.extend(ids());
        values.extend([to.into(), to.into(), i64::from(limit).into()]);
        let stmt = sql::stmt(backend, &text, values);
        let rows = self.db.query_all_raw(stmt).await?;
        rows.iter()
            .map(|row| {
                Ok(OpenCase {
                    case_id: row.try_get("", "id")?,
                    agency_id: row.try_get("", "agency_id")?,
                    case_number: row.try_get("", "case_number")?,
                    received_on: row.try_get("", "received_on")?,
                    clock_start_on: row.try_get("", "clock_start_on")?,
                    reply_due_on: row.try_get("", "reply_due_on")?,
                    stage: row.try_get("", "stage")?,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn oldest_first_orders_by_receipt_then_sequence_then_unnumbered() {
        let day = date!(2026 - 10 - 12);
        let ids: Vec<Uuid> = (0..5).map(|_| Uuid::new_v4()).collect();
        let mut cases = [
            (day, None, ids[0]),
            (day, Some("游府信申〔2026〕10号"), ids[1]),
            (date!(2026 - 10 - 13), Some("游府信申〔2026〕1号"), ids[2]),
            (day, Some("游府信申〔2026〕9号"), ids[3]),
            (date!(2026 - 10 - 09), None, ids[4]),
        ];
        cases.sort_by(|a, b| oldest_first(*a, *b));
        let order: Vec<Uuid> = cases.iter().map(|c| c.2).collect();
        assert_eq!(order, [ids[4], ids[3], ids[1], ids[0], ids[2]]);
        // Equal dates and numbers: the id decides, never chance.
        let (x, y) = (ids[0].min(ids[1]), ids[0].max(ids[1]));
        assert_eq!(oldest_first((day, None, x), (day, None, y)), std::cmp::Ordering::Less);
    }
}
