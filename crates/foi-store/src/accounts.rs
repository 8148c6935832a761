//! Accounts: applicants who sign in to submit and follow their cases, and staff with roles.
//! The store keeps what it is given; the API layer parses roles and kinds, and hashes
//! passwords (argon2id) before they get here.

use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait};
use sea_orm::{EntityTrait, QueryFilter, QueryOrder};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::entities::accounts;
use crate::{StoreError, sql};

/// An account to create.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct NewAccount {
    /// `applicant` or `staff` (the schema refuses anything else).
    pub kind: String,
    /// Unique sign-in name.
    pub login: String,
    /// argon2id PHC string (`$argon2id$v=19$…`), never the password itself.
    pub password_hash: String,
    pub display_name: String,
    /// A staff member's agency.
    pub agency_id: Option<Uuid>,
    /// Role names (`clerk`, `reviewer`, `office_head`, `agency_admin`, `system_admin`);
    /// stored comma-separated, so a role name never contains a comma.
    pub roles: Vec<String>,
    /// An applicant's kind: natural person or one of the five organisation kinds.
    pub applicant_kind: Option<String>,
    pub id_document_kind: Option<String>,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
}

/// A stored account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub id: Uuid,
    pub kind: String,
    pub login: String,
    pub password_hash: String,
    pub display_name: String,
    pub agency_id: Option<Uuid>,
    pub roles: Vec<String>,
    pub applicant_kind: Option<String>,
    pub id_document_kind: Option<String>,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub created_at: OffsetDateTime,
    /// Set when the account may no longer sign in.
    pub disabled_at: Option<OffsetDateTime>,
}

impl Account {
    /// Whether the account holds `role`.
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }
}

impl From<accounts::Model> for Account {
    fn from(m: accounts::Model) -> Self {
        Account {
            id: m.id,
            kind: m.kind,
            login: m.login,
            password_hash: m.password_hash,
            display_name: m.display_name,
            agency_id: m.agency_id,
            roles: split_roles(&m.roles),
            applicant_kind: m.applicant_kind,
            id_document_kind: m.id_document_kind,
            id_number: m.id_number,
            phone: m.phone,
            email: m.email,
            address: m.address,
            created_at: m.created_at,
            disabled_at: m.disabled_at,
        }
    }
}

fn split_roles(roles: &str) -> Vec<String> {
    roles.split(',').map(str::trim).filter(|r| !r.is_empty()).map(str::to_owned).collect()
}

fn join_roles(roles: &[String]) -> String {
    debug_assert!(roles.iter().all(|r| !r.contains(',')), "role with a comma");
    roles.iter().map(|r| r.trim()).filter(|r| !r.is_empty()).collect::<Vec<_>>().join(",")
}

pub(crate) async fn create<C: ConnectionTrait>(c: &C, new: NewAccount) -> Result<Account, StoreError> {
    let model = accounts::ActiveModel {
        id: Set(crate::new_id()),
        kind: Set(new.kind),
        login: Set(new.login),
        password_hash: Set(new.password_hash),
        display_name: Set(new.display_name),
        agency_id: Set(new.agency_id),
        roles: Set(join_roles(&new.roles)),
        applicant_kind: Set(new.applicant_kind),
        id_document_kind: Set(new.id_document_kind),
        id_number: Set(new.id_number),
        phone: Set(new.phone),
        email: Set(new.email),
        address: Set(new.address),
        created_at: Set(sql::now()),
        disabled_at: Set(None),
    }
    .insert(c)
    .await?;
    Ok(model.into())
}

pub(crate) async fn get<C: ConnectionTrait>(c: &C, id: Uuid) -> Result<Account, StoreError> {
    accounts::Entity::find_by_id(id)
        .one(c)
        .await?
        .map(Account::from)
        .ok_or_else(|| StoreError::not_found(format_args!("account {id}")))
}

pub(crate) async fn by_login<C: ConnectionTrait>(c: &C, login: &str) -> Result<Option<Account>, StoreError> {
    Ok(accounts::Entity::find().filter(accounts::Column::Login.eq(login)).one(c).await?.map(Account::from))
}

/// Whether an applicant account already holds this identity number (disabled ones too).
pub(crate) async fn id_number_registered<C: ConnectionTrait>(c: &C, id_number: &str) -> Result<bool, StoreError> {
    let found = accounts::Entity::find()
        .filter(accounts::Column::Kind.eq("applicant"))
        .filter(accounts::Column::IdNumber.eq(id_number))
        .one(c)
        .await?;
    Ok(found.is_some())
}

/// The staff accounts of the given agencies, ordered by display name.
pub(crate) async fn staff_of<C: ConnectionTrait>(c: &C, agency_ids: Vec<Uuid>) -> Result<Vec<Account>, StoreError> {
    let rows = accounts::Entity::find()
        .filter(accounts::Column::Kind.eq("staff"))
        .filter(accounts::Column::AgencyId.is_in(agency_ids))
        .order_by_asc(accounts::Column::DisplayName)
        .all(c)
        .await?;
    Ok(rows.into_iter().map(Account::from).collect())
}
