//! Agencies: the tree of the district government, its departments, towns and streets.
//! Staff see their own agency and the agencies below it, so the subtree queries here are
//! the basis of every access check.

use foi_domain::applicant::OnlineReceipt;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait, QueryOrder};
use sea_orm::{ColumnTrait, QueryFilter};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::entities::agencies;
use crate::{StoreError, sql};

/// The case-number pattern an agency gets unless it sets its own (`游府信申〔2026〕17号`).
pub const DEFAULT_CASE_NUMBER_PATTERN: &str = "{prefix}〔{year}〕{seq}号";

/// An agency to create. [`NewAgency::new`] fills the configurable limits with the defaults
/// of rules.md; override the public fields as needed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAgency {
    /// Short unique code, e.g. `youxian`.
    pub code: String,
    pub name: String,
    /// The agency above this one; `None` for the root (the district government).
    pub parent_id: Option<Uuid>,
    /// Prefix of case numbers, e.g. `游府信申`.
    pub case_prefix: String,
    /// Pattern of case numbers, with `{prefix}`, `{year}` and `{seq}`.
    pub case_number_pattern: String,
    /// Named in the remedy clause of every reply.
    pub reconsideration_body: String,
    /// Correction period granted in a correction notice, in working days (default 15).
    pub correction_period_wd: i32,
    /// A case is "due soon" with this many working days left (default 5).
    pub due_soon_wd: i32,
    /// Whether an outstanding fee stops the reply clock (default yes).
    pub fee_pauses_clock: bool,
    /// How an online submission's date of receipt is fixed (default: the day of
    /// submission, or the next working day; Reg. 31(3), rules.md §2).
    pub online_receipt: OnlineReceipt,
}

impl NewAgency {
    pub fn new(
        code: impl Into<String>,
        name: impl Into<String>,
        case_prefix: impl Into<String>,
        reconsideration_body: impl Into<String>,
    ) -> Self {
        NewAgency {
            code: code.into(),
            name: name.into(),
            parent_id: None,
            case_prefix: case_prefix.into(),
            case_number_pattern: DEFAULT_CASE_NUMBER_PATTERN.to_owned(),
            reconsideration_body: reconsideration_body.into(),
            correction_period_wd: 15,
            due_soon_wd: 5,
            fee_pauses_clock: true,
            online_receipt: OnlineReceipt::SubmissionDay,
        }
    }

    /// Places the agency under `parent`.
    pub fn under(mut self, parent: Uuid) -> Self {
        self.parent_id = Some(parent);
        self
    }
}

/// A stored agency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Agency {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub parent_id: Option<Uuid>,
    pub case_prefix: String,
    pub case_number_pattern: String,
    pub reconsideration_body: String,
    pub correction_period_wd: i32,
    pub due_soon_wd: i32,
    pub fee_pauses_clock: bool,
    /// The disclosure office's contact block and the fee payment instructions.
    pub contact: AgencyContact,
    /// How an online submission's date of receipt is fixed (Reg. 31(3)).
    pub online_receipt: OnlineReceipt,
    pub created_at: OffsetDateTime,
}

/// The contact block of an agency's disclosure office (政府信息公开工作机构), printed on every
/// letter to a party, and how to pay its information-processing fees (缴费方式), printed on
/// the fee notice. Public information. Each part is `None` until set.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AgencyContact {
    /// The office, e.g. `绵阳市游仙区人民政府办公室政务公开科`.
    pub office: Option<String>,
    /// Postal address (通讯地址).
    pub address: Option<String>,
    /// Postcode (邮政编码), optional on letters.
    pub postcode: Option<String>,
    /// Telephone (联系电话).
    pub phone: Option<String>,
    /// Contact person (联系人).
    pub person: Option<String>,
    /// Fee payment instructions: account, payee, where and how (缴费方式).
    pub payment_instructions: Option<String>,
}

impl AgencyContact {
    /// Whether the block a letter prints is complete: office, address, telephone and
    /// contact person (the postcode is optional).
    pub fn is_complete(&self) -> bool {
        [&self.office, &self.address, &self.phone, &self.person]
            .iter()
            .all(|p| p.as_deref().is_some_and(|v| !v.is_empty()))
    }
}

impl From<agencies::Model> for Agency {
    fn from(m: agencies::Model) -> Self {
        Agency {
            id: m.id,
            code: m.code,
            name: m.name,
            parent_id: m.parent_id,
            case_prefix: m.case_prefix,
            case_number_pattern: m.case_number_pattern,
            reconsideration_body: m.reconsideration_body,
            correction_period_wd: m.correction_period_wd,
            due_soon_wd: m.due_soon_wd,
            fee_pauses_clock: m.fee_pauses_clock,
            contact: AgencyContact {
                office: m.contact_office,
                address: m.contact_address,
                postcode: m.contact_postcode,
                phone: m.contact_phone,
                person: m.contact_person,
                payment_instructions: m.payment_instructions,
            },
            // The column's check allows only the two codes; anything else reads as the default.
            online_receipt: m.online_receipt.parse().unwrap_or_default(),
            created_at: m.created_at,
        }
    }
}

pub(crate) async fn create<C: ConnectionTrait>(c: &C, new: NewAgency) -> Result<Agency, StoreError> {
    let model = agencies::ActiveModel {
        id: Set(crate::new_id()),
        code: Set(new.code),
        name: Set(new.name),
        parent_id: Set(new.parent_id),
        case_prefix: Set(new.case_prefix),
        case_number_pattern: Set(new.case_number_pattern),
        reconsideration_body: Set(new.reconsideration_body),
        correction_period_wd: Set(new.correction_period_wd),
        due_soon_wd: Set(new.due_soon_wd),
        fee_pauses_clock: Set(new.fee_pauses_clock),
        contact_office: Set(None),
        contact_address: Set(None),
        contact_postcode: Set(None),
        contact_phone: Set(None),
        contact_person: Set(None),
        payment_instructions: Set(None),
        online_receipt: Set(new.online_receipt.code().to_owned()),
        created_at: Set(sql::now()),
    }
    .insert(c)
    .await?;
    Ok(model.into())
}

/// Sets how the agency fixes the date of receipt of online submissions (Reg. 31(3)). Only
/// submissions made afterwards follow the new rule: each submission keeps the date its
/// event fixed.
pub(crate) async fn set_online_receipt<C: ConnectionTrait>(
    c: &C,
    id: Uuid,
    rule: OnlineReceipt,
) -> Result<Agency, StoreError> {
    let found = agencies::Entity::find_by_id(id)
        .one(c)
        .await?
        .ok_or_else(|| StoreError::not_found(format_args!("agency {id}")))?;
    let mut model: agencies::ActiveModel = found.into();
    model.online_receipt = Set(rule.code().to_owned());
    Ok(model.update(c).await?.into())
}

pub(crate) async fn get<C: ConnectionTrait>(c: &C, id: Uuid) -> Result<Agency, StoreError> {
    agencies::Entity::find_by_id(id)
        .one(c)
        .await?
        .map(Agency::from)
        .ok_or_else(|| StoreError::not_found(format_args!("agency {id}")))
}

pub(crate) async fn by_code<C: ConnectionTrait>(c: &C, code: &str) -> Result<Option<Agency>, StoreError> {
    Ok(agencies::Entity::find().filter(agencies::Column::Code.eq(code)).one(c).await?.map(Agency::from))
}

pub(crate) async fn list<C: ConnectionTrait>(c: &C) -> Result<Vec<Agency>, StoreError> {
    Ok(agencies::Entity::find()
        .order_by_asc(agencies::Column::Code)
        .all(c)
        .await?
        .into_iter()
        .map(Agency::from)
        .collect())
}

/// The agency and all agencies below it, ordered by code. `UNION` (not `UNION ALL`) keeps
/// the recursion finite even if a cycle were ever written.
pub(crate) async fn subtree<C: ConnectionTrait>(c: &C, root: Uuid) -> Result<Vec<Agency>, StoreError> {
    let stmt = sql::stmt(
        c.get_database_backend(),
        "WITH RECURSIVE subtree(id) AS ( \
             SELECT id FROM agencies WHERE id = ? \
             UNION \
             SELECT a.id FROM agencies a JOIN subtree s ON a.parent_id = s.id \
         ) \
         SELECT agencies.* FROM agencies WHERE id IN (SELECT id FROM subtree) ORDER BY code",
        [root.into()],
    );
    let rows = agencies::Entity::find().from_raw_sql(stmt).all(c).await?;
    if rows.is_empty() {
        return Err(StoreError::not_found(format_args!("agency {root}")));
    }
    Ok(rows.into_iter().map(Agency::from).collect())
}

/// Whether `agency` is `ancestor` or lies below it. Unknown ids are simply not within.
pub(crate) async fn is_within<C: ConnectionTrait>(c: &C, agency: Uuid, ancestor: Uuid) -> Result<bool, StoreError> {
    if agency == ancestor {
        return Ok(agencies::Entity::find_by_id(agency).one(c).await?.is_some());
    }
    let stmt = sql::stmt(
        c.get_database_backend(),
        "WITH RECURSIVE up(id, parent_id) AS ( \
             SELECT id, parent_id FROM agencies WHERE id = ? \
             UNION \
             SELECT a.id, a.parent_id FROM agencies a JOIN up u ON a.id = u.parent_id \
         ) \
         SELECT 1 AS found FROM up WHERE id = ?",
        [agency.into(), ancestor.into()],
    );
    Ok(c.query_one_raw(stmt).await?.is_some())
}

/// Replaces the contact block and payment instructions of the agency `code`; returns the
/// agency as stored.
pub(crate) async fn set_contact<C: ConnectionTrait>(
    c: &C,
    code: &str,
    contact: AgencyContact,
) -> Result<Agency, StoreError> {
    let Some(agency) = by_code(c, code).await? else {
        return Err(StoreError::not_found(format_args!("agency {code}")));
    };
    let model = agencies::ActiveModel {
        id: Set(agency.id),
        contact_office: Set(contact.office),
        contact_address: Set(contact.address),
        contact_postcode: Set(contact.postcode),
        contact_phone: Set(contact.phone),
        contact_person: Set(contact.person),
        payment_instructions: Set(contact.payment_instructions),
        ..Default::default()
    }
    .update(c)
    .await?;
    Ok(model.into())
}
