//! Challenges to replies (table 四): reconsideration and litigation, with their results.
//!
//! The store keeps the rows and counts them; whether a challenge may be recorded is the
//! domain's decision (`foi_domain::challenge`), taken by the caller inside the same
//! transaction that appends the case's audit event.

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Value,
};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::entities::challenges;
use crate::{Store, StoreError, sql};

/// A challenge to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewChallenge {
    pub id: Uuid,
    pub case_id: Uuid,
    /// The agency whose reply is challenged (the case's agency).
    pub agency_id: Uuid,
    /// `RECONSIDERATION`, `SUIT_DIRECT` or `SUIT_AFTER_RECONSIDERATION`.
    pub kind: String,
    pub filed_on: Date,
    /// `UPHELD`, `CORRECTED`, `OTHER` or `PENDING`.
    pub result: String,
    pub decided_on: Option<Date>,
    /// The reconsideration body or the court.
    pub body: String,
    /// Its file number (复议案号 / 案号), if known.
    pub reference: Option<String>,
    pub at: OffsetDateTime,
}

/// A stored challenge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChallengeRecord {
    pub id: Uuid,
    pub case_id: Uuid,
    pub agency_id: Uuid,
    pub kind: String,
    pub filed_on: Date,
    pub result: String,
    pub decided_on: Option<Date>,
    pub body: String,
    pub reference: Option<String>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl From<challenges::Model> for ChallengeRecord {
    fn from(m: challenges::Model) -> Self {
        ChallengeRecord {
            id: m.id,
            case_id: m.case_id,
            agency_id: m.agency_id,
            kind: m.kind,
            filed_on: m.filed_on,
            result: m.result,
            decided_on: m.decided_on,
            body: m.body,
            reference: m.reference,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// Inserts a challenge. A second one of the same kind for the case is `UniqueViolation`
/// on [`crate::constraints::UX_CHALLENGES_CASE_KIND`].
pub(crate) async fn insert<C: ConnectionTrait>(c: &C, new: NewChallenge) -> Result<ChallengeRecord, StoreError> {
    let at = sql::instant(new.at);
    let model = challenges::ActiveModel {
        id: Set(new.id),
        case_id: Set(new.case_id),
        agency_id: Set(new.agency_id),
        kind: Set(new.kind),
        filed_on: Set(new.filed_on),
        result: Set(new.result),
        decided_on: Set(new.decided_on),
        body: Set(new.body),
        reference: Set(new.reference),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(c)
    .await?;
    Ok(model.into())
}

/// Sets the result of a challenge; `NotFound` if there is no such challenge.
pub(crate) async fn set_result<C: ConnectionTrait>(
    c: &C,
    id: Uuid,
    result: String,
    decided_on: Option<Date>,
    at: OffsetDateTime,
) -> Result<ChallengeRecord, StoreError> {
    let found = challenges::Entity::find_by_id(id)
        .one(c)
        .await?
        .ok_or_else(|| StoreError::NotFound { what: format!("challenge {id}") })?;
    let mut model: challenges::ActiveModel = found.into();
    model.result = Set(result);
    model.decided_on = Set(decided_on);
    model.updated_at = Set(sql::instant(at));
    Ok(model.update(c).await?.into())
}

/// One challenge, or `NotFound`.
pub(crate) async fn get<C: ConnectionTrait>(c: &C, id: Uuid) -> Result<ChallengeRecord, StoreError> {
    challenges::Entity::find_by_id(id)
        .one(c)
        .await?
        .map(ChallengeRecord::from)
        .ok_or_else(|| StoreError::NotFound { what: format!("challenge {id}") })
}

/// The challenges of a case, oldest first.
pub(crate) async fn of_case<C: ConnectionTrait>(c: &C, case_id: Uuid) -> Result<Vec<ChallengeRecord>, StoreError> {
    let rows = challenges::Entity::find()
        .filter(challenges::Column::CaseId.eq(case_id))
        .order_by_asc(challenges::Column::FiledOn)
        .order_by_asc(challenges::Column::CreatedAt)
        .all(c)
        .await?;
    Ok(rows.into_iter().map(ChallengeRecord::from).collect())
}

/// One cell group of table 四: how many challenges of one agency, kind and result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChallengeCount {
    pub agency_id: Uuid,
    pub kind: String,
    /// The result as of the end of the period (`PENDING` if decided only later).
    pub result: String,
    pub count: u64,
}

/// Challenges filed in the period, with their result as of its last day: a decision after
/// `to` is still pending on `to` (`foi_domain::challenge::result_as_of`).
const CHALLENGE_COUNTS_SQL: &str = "\
SELECT agency_id, kind, res, COUNT(*) AS n FROM ( \
  SELECT agency_id, kind, \
         CASE WHEN decided_on IS NOT NULL AND decided_on <= ? THEN result ELSE 'PENDING' END AS res \
    FROM challenges WHERE agency_id IN ({ids}) AND filed_on >= ? AND filed_on <= ?) filed \
 GROUP BY agency_id, kind, res";

impl Store {
    /// The counts of table 四 for the agencies: challenges filed in `[from, to]`, by kind
    /// and by result as of `to`.
    pub async fn challenge_counts(
        &self,
        agency_ids: &[Uuid],
        from: Date,
        to: Date,
    ) -> Result<Vec<ChallengeCount>, StoreError> {
        if agency_ids.is_empty() {
            return Ok(Vec::new());
        }
        let text = CHALLENGE_COUNTS_SQL.replace("{ids}", &sql::list(agency_ids.len()));
        let mut values: Vec<Value> = vec![to.into()];
        values.extend(agency_ids.iter().map(|id| Value::from(*id)));
        values.extend([from.into(), to.into()]);
        let rows = self.db.query_all_raw(sql::stmt(self.db.get_database_backend(), &text, values)).await?;
        rows.iter()
            .map(|row| {
                Ok(ChallengeCount {
                    agency_id: row.try_get("", "agency_id")?,
                    kind: row.try_get("", "kind")?,
                    result: row.try_get("", "res")?,
                    count: crate::stats::count(row, "n")?,
                })
            })
            .collect()
    }
}
