//! Setting up an installation without SQL: agencies and staff accounts, as `foi admin` and
//! the end-to-end tests create them.
//!
//! The checks here are the ones a person typing a command needs: an unknown parent agency,
//! a taken code or login, an unknown role or a weak password each come back as
//! [`AdminError::Invalid`] with a sentence saying what to change. Passwords are hashed with
//! argon2id by `foi_api::password` before they reach the store.

use foi_domain::case_number::CaseNumberPattern;
use foi_store::{Account, Agency, AgencyContact, NewAccount, NewAgency, Store, StoreError, constraints};

/// The staff roles an account can hold.
pub const STAFF_ROLES: [&str; 5] = ["clerk", "reviewer", "office_head", "agency_admin", "system_admin"];

/// An agency to create. Only `code` and `name` are required; the rest have defaults.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AgencySpec {
    /// Short unique code, e.g. `youxian` (letters, digits, `-`, `_`).
    pub code: String,
    /// Full name, e.g. `游仙区人民政府`.
    pub name: String,
    /// Code of the agency above this one; `None` for a root (a district government).
    pub parent: Option<String>,
    /// Prefix of case numbers (e.g. `游府信申`); default: the name followed by `信申`.
    pub case_prefix: Option<String>,
    /// Case-number pattern; default `{prefix}〔{year}〕{seq}号`.
    pub case_number_pattern: Option<String>,
    /// The reconsideration body (复议机关) named in replies; default: the parent agency's
    /// name. Required for a root agency (for a district government it is the city government).
    pub reconsideration_body: Option<String>,
    /// Correction period in working days (Reg. 30); default 15.
    pub correction_period_wd: Option<i32>,
    /// "Due soon" threshold in working days left; default 5.
    pub due_soon_wd: Option<i32>,
    /// Whether a fee notice pauses the reply clock; default yes.
    pub fee_pauses_clock: Option<bool>,
    /// How an online submission's date of receipt is fixed (Reg. 31(3)); default
    /// `SUBMISSION_DAY`.
    pub online_receipt: Option<foi_domain::applicant::OnlineReceipt>,
}

/// Changes to an agency's contact block (printed on every letter to a party) and fee payment
/// instructions (printed on the fee notice). `None` leaves a part as it is; an empty text
/// clears it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContactSpec {
    /// Code of the agency.
    pub agency: String,
    /// 政府信息公开工作机构: the office's name.
    pub office: Option<String>,
    /// 通讯地址: postal address.
    pub address: Option<String>,
    /// 邮政编码: six digits.
    pub postcode: Option<String>,
    /// 联系电话: telephone.
    pub phone: Option<String>,
    /// 联系人: contact person.
    pub contact_person: Option<String>,
    /// 缴费方式: how to pay a fee (account, payee, where and how).
    pub payment_instructions: Option<String>,
}

/// Sets parts of an agency's contact block and fee payment instructions; returns the agency
/// as stored. Each part is checked (no control characters, a bounded length, a six-digit
/// postcode, a telephone with at least seven digits) and refused with a sentence naming its
/// flag.
pub async fn set_agency_contact(store: &Store, spec: ContactSpec) -> Result<Agency, AdminError> {
    let Some(agency) = store.agency_by_code(spec.agency.trim()).await? else {
        return Err(invalid(format!(
            "--agency: there is no agency {:?}; see `foi admin list-agencies`",
            spec.agency.trim()
        )));
    };
    let checked = |flag: &str, value: Option<String>, max: usize| -> Result<Option<Option<String>>, AdminError> {
        let Some(value) = value else { return Ok(None) };
        let value = value.trim().to_owned();
        if value.chars().any(char::is_control) {
            return Err(invalid(format!("{flag}: remove the control characters (line breaks, tabs)")));
        }
        if value.chars().count() > max {
            return Err(invalid(format!("{flag}: at most {max} characters")));
        }
        Ok(Some(Some(value).filter(|v| !v.is_empty())))
    };
    let mut contact: AgencyContact = agency.contact.clone();
    if let Some(v) = checked("--office", spec.office, 100)? {
        contact.office = v;
    }
    if let Some(v) = checked("--address", spec.address, 200)? {
        contact.address = v;
    }
    if let Some(v) = checked("--postcode", spec.postcode, 6)? {
        if v.as_deref().is_some_and(|p| p.len() != 6 || !p.bytes().all(|b| b.is_ascii_digit())) {
            return Err(invalid("--postcode: a postcode (邮政编码) is six digits, e.g. 621000"));
        }
        contact.postcode = v;
    }
    if let Some(v) = checked("--phone", spec.phone, 60)? {
        if v.as_deref().is_some_and(|p| p.chars().filter(char::is_ascii_digit).count() < 7) {
            return Err(invalid("--phone: give a telephone number with its area code, e.g. 0816-2345678"));
        }
        contact.phone = v;
    }
    if let Some(v) = checked("--contact-person", spec.contact_person, 50)? {
        contact.person = v;
    }
    // The payment instructions may run over several lines of a notice, not of a flag.
    if let Some(v) = checked("--payment-instructions", spec.payment_instructions, 500)? {
        contact.payment_instructions = v;
    }
    Ok(store.set_agency_contact(&agency.code, contact).await?)
}

/// A staff account to create.
#[derive(Clone, PartialEq, Eq)]
pub struct StaffSpec {
    /// Unique sign-in name.
    pub login: String,
    /// The name shown to colleagues.
    pub display_name: String,
    /// Code of the staff member's agency.
    pub agency: String,
    /// One or more of [`STAFF_ROLES`].
    pub roles: Vec<String>,
    /// The initial password, in clear; hashed before it is stored.
    pub password: String,
}

impl std::fmt::Debug for StaffSpec {
    // The password never reaches a log or a panic message.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaffSpec")
            .field("login", &self.login)
            .field("agency", &self.agency)
            .field("roles", &self.roles)
            .finish_non_exhaustive()
    }
}

/// Why an administrative command failed.
#[derive(Debug)]
pub enum AdminError {
    /// The input cannot be used; the message says what to change (exit status 2).
    Invalid(String),
    /// A unique value is taken: a login or an agency code (`ALREADY_EXISTS`, exit status 3),
    /// so that a provisioning script can tell "already there" from a mistake.
    AlreadyExists(String),
    /// The database failed (exit status 1).
    Store(StoreError),
    /// Something else failed on this machine, e.g. no randomness for a salt (exit status 1).
    Internal(String),
}

impl std::fmt::Display for AdminError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AdminError::Invalid(message) | AdminError::AlreadyExists(message) => f.write_str(message),
            AdminError::Store(err) => write!(f, "database error: {}", crate::db::error_chain(err)),
            AdminError::Internal(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for AdminError {}

impl From<StoreError> for AdminError {
    fn from(err: StoreError) -> Self {
        AdminError::Store(err)
    }
}

fn invalid(message: impl Into<String>) -> AdminError {
    AdminError::Invalid(message.into())
}

/// Creates an agency after checking its fields and its parent.
pub async fn create_agency(store: &Store, spec: AgencySpec) -> Result<Agency, AdminError> {
    check_code(&spec.code)?;
    let name = spec.name.trim();
    if name.is_empty() {
        return Err(invalid("--name: give the agency's full name"));
    }
    let parent = match &spec.parent {
        None => None,
        Some(code) => Some(
            store
                .agency_by_code(code)
                .await?
                .ok_or_else(|| invalid(format!("--parent: no agency has the code {code:?}; create it first")))?,
        ),
    };
    if store.agency_by_code(&spec.code).await?.is_some() {
        return Err(taken_code(&spec.code));
    }
    let reconsideration_body = match (&spec.reconsideration_body, &parent) {
        (Some(body), _) if !body.trim().is_empty() => body.trim().to_owned(),
        (Some(_), _) => return Err(invalid("--reconsideration-body: must not be empty")),
        (None, Some(parent)) => parent.name.clone(),
        (None, None) => {
            return Err(invalid(
                "--reconsideration-body: a top-level agency needs its reconsideration body \
                 (复议机关; for a district government, the city government)",
            ));
        }
    };
    let case_prefix = match &spec.case_prefix {
        Some(prefix) if prefix.trim().is_empty() => return Err(invalid("--case-prefix: must not be empty")),
        Some(prefix) => prefix.trim().to_owned(),
        None => format!("{name}信申"),
    };
    let mut new = NewAgency::new(spec.code.clone(), name, case_prefix, reconsideration_body);
    if let Some(pattern) = &spec.case_number_pattern {
        let parsed = CaseNumberPattern::parse(pattern).map_err(|e| invalid(format!("--case-number-pattern: {e}")))?;
        new.case_number_pattern = parsed.as_str().to_owned();
    }
    if let Some(days) = spec.correction_period_wd {
        if !(1..=60).contains(&days) {
            return Err(invalid("--correction-period-wd: give 1 to 60 working days (the default is 15)"));
        }
        new.correction_period_wd = days;
    }
    if let Some(days) = spec.due_soon_wd {
        if !(0..=40).contains(&days) {
            return Err(invalid("--due-soon-wd: give 0 to 40 working days (the default is 5)"));
        }
        new.due_soon_wd = days;
    }
    if let Some(pauses) = spec.fee_pauses_clock {
        new.fee_pauses_clock = pauses;
    }
    if let Some(rule) = spec.online_receipt {
        new.online_receipt = rule;
    }
    if let Some(parent) = &parent {
        new = new.under(parent.id);
    }
    match store.create_agency(new).await {
        Ok(agency) => Ok(agency),
        // Someone created the same code between our check and the insert.
        Err(StoreError::UniqueViolation { constraint }) if constraint == constraints::UX_AGENCIES_CODE => {
            Err(taken_code(&spec.code))
        }
        Err(e) => Err(e.into()),
    }
}

/// Sets how an existing agency fixes the date of receipt of online submissions (Reg. 31(3),
/// rules.md §2). Submissions already made keep their date of receipt.
pub async fn set_online_receipt(
    store: &Store,
    code: &str,
    rule: foi_domain::applicant::OnlineReceipt,
) -> Result<Agency, AdminError> {
    let agency = store
        .agency_by_code(code)
        .await?
        .ok_or_else(|| invalid(format!("--agency: no agency has the code {code:?}")))?;
    Ok(store.set_agency_online_receipt(agency.id, rule).await?)
}

/// Creates a staff account after checking its agency, roles and password.
pub async fn create_staff(store: &Store, spec: StaffSpec) -> Result<Account, AdminError> {
    let login = spec.login.trim();
    if login.is_empty() || login.chars().any(char::is_whitespace) || login.chars().count() > 64 {
        return Err(invalid("--login: give a sign-in name of 1 to 64 characters without spaces"));
    }
    let display_name = spec.display_name.trim();
    if display_name.is_empty() {
        return Err(invalid("--name: give the staff member's name"));
    }
    let mut roles: Vec<String> = Vec::new();
    for role in &spec.roles {
        if !STAFF_ROLES.contains(&role.as_str()) {
            return Err(invalid(format!("--role: unknown role {role:?}; use {}", STAFF_ROLES.join(", "))));
        }
        if !roles.contains(role) {
            roles.push(role.clone());
        }
    }
    if roles.is_empty() {
        return Err(invalid(format!("--role: give at least one of {}", STAFF_ROLES.join(", "))));
    }
    foi_api::password::check_new("password", &spec.password, login, &[display_name])
        .map_err(|e| invalid(e.message()))?;
    let agency = store
        .agency_by_code(&spec.agency)
        .await?
        .ok_or_else(|| invalid(format!("--agency: no agency has the code {:?}", spec.agency)))?;
    if store.account_by_login(login).await?.is_some() {
        return Err(taken_login(login));
    }
    let password_hash = foi_api::password::hash(&spec.password)
        .map_err(|e| AdminError::Internal(format!("cannot hash the password: {}", e.message())))?;
    let new = NewAccount {
        kind: "staff".to_owned(),
        login: login.to_owned(),
        password_hash,
        display_name: display_name.to_owned(),
        agency_id: Some(agency.id),
        roles,
        ..NewAccount::default()
    };
    match store.create_account(new).await {
        Ok(account) => Ok(account),
        Err(StoreError::UniqueViolation { constraint }) if constraint == constraints::UX_ACCOUNTS_LOGIN => {
            Err(taken_login(login))
        }
        Err(e) => Err(e.into()),
    }
}

/// Every agency, ordered by code, each with its parent's code.
pub async fn list_agencies(store: &Store) -> Result<Vec<(Agency, Option<String>)>, AdminError> {
    let agencies = store.agencies().await?;
    let code_of = |id| agencies.iter().find(|a: &&Agency| a.id == id).map(|a| a.code.clone());
    Ok(agencies.iter().map(|a| (a.clone(), a.parent_id.and_then(code_of))).collect())
}

fn check_code(code: &str) -> Result<(), AdminError> {
    let ok =
        !code.is_empty() && code.len() <= 64 && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok { Ok(()) } else { Err(invalid("--code: use 1 to 64 ASCII letters, digits, '-' or '_' (e.g. youxian)")) }
}

fn taken_code(code: &str) -> AdminError {
    AdminError::AlreadyExists(format!("--code: an agency with the code {code:?} already exists; choose another code"))
}

fn taken_login(login: &str) -> AdminError {
    AdminError::AlreadyExists(format!("--login: the login {login:?} is already taken; choose another login"))
}
