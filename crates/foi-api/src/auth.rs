//! Who is calling, and what they may do.
//!
//! The caller is found from the request's bearer token. The rules of access:
//! - an applicant sees and acts on only their own cases;
//! - staff see the cases of their own agency and of every agency below it;
//! - lifecycle changes are made by staff with the clerk, reviewer or office-head role;
//!   only an office head approves an extension (Reg. 33);
//! - identity numbers, phones and addresses are shown in full only to the officers of the
//!   agency handling the case, and only on the case itself, never in lists (rules.md §6).

use async_graphql::Context;
use foi_domain::privacy::View;
use foi_store::{Account, CaseRecord, Uuid};

use crate::error::ApiError;
use crate::{ApiState, BearerToken};

/// Staff roles.
pub mod roles {
    /// 登记员: receives and registers applications, works the queue.
    pub const CLERK: &str = "clerk";
    /// 审核员: reviews applications.
    pub const REVIEWER: &str = "reviewer";
    /// 公开工作机构负责人: the head of the disclosure office; approves extensions.
    pub const OFFICE_HEAD: &str = "office_head";
    /// Manages the agency's staff and settings.
    pub const AGENCY_ADMIN: &str = "agency_admin";
    /// Manages the whole installation, including the calendar.
    pub const SYSTEM_ADMIN: &str = "system_admin";
    /// Not a staff role: the applicant account made by `applyWithoutAccount`, which follows
    /// exactly that application; its login is the application number and its password the
    /// query code (查询码).
    pub const CASE_FOLLOWER: &str = "case_follower";
    /// Every staff role.
    pub const ALL: [&str; 5] = [CLERK, REVIEWER, OFFICE_HEAD, AGENCY_ADMIN, SYSTEM_ADMIN];
    /// The roles that may change a case.
    pub const CASE_WORKERS: [&str; 3] = [CLERK, REVIEWER, OFFICE_HEAD];
}

/// The signed-in caller.
#[derive(Clone, Debug)]
pub struct Viewer {
    /// The account.
    pub account: Account,
    /// For staff: their agency and every agency below it.
    pub agencies: Vec<Uuid>,
}

impl Viewer {
    /// Whether the caller is an applicant.
    pub fn is_applicant(&self) -> bool {
        self.account.kind == "applicant"
    }

    /// Whether the caller is staff.
    pub fn is_staff(&self) -> bool {
        self.account.kind == "staff"
    }

    /// How the audit log names the caller.
    pub fn label(&self) -> String {
        if self.is_staff() {
            format!("{} ({})", self.account.display_name, self.account.roles.join(", "))
        } else {
            format!("{} (applicant)", self.account.display_name)
        }
    }

    /// The actor of a change made by this caller.
    pub fn actor(&self) -> foi_store::Actor {
        foi_store::Actor { account_id: Some(self.account.id), label: self.label() }
    }

    /// Whether the caller may see the case at all.
    pub fn can_see(&self, case: &CaseRecord) -> bool {
        if self.is_applicant() {
            case.applicant_id == Some(self.account.id)
        } else {
            self.agencies.contains(&case.agency_id)
        }
    }

    /// How much personal data of `case` the caller sees on the case itself.
    pub fn view_of(&self, case: &CaseRecord) -> View {
        let handling = self.is_staff()
            && self.account.agency_id == Some(case.agency_id)
            && self.account.roles.iter().any(|r| roles::CASE_WORKERS.contains(&r.as_str()));
        View::for_viewer(handling)
    }

    /// Refuses unless the caller is staff holding one of `allowed`.
    pub fn require_role(&self, allowed: &[&str], doing: &str) -> Result<(), ApiError> {
        if self.is_staff() && self.account.roles.iter().any(|r| allowed.contains(&r.as_str())) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!("{doing} needs one of the roles: {}", allowed.join(", "))))
        }
    }

    /// Refuses unless the caller may change `case` as staff.
    pub fn require_case_worker(&self, case: &CaseRecord) -> Result<(), ApiError> {
        self.require_role(&roles::CASE_WORKERS, "changing a case")?;
        if !self.can_see(case) {
            return Err(ApiError::NotFound(format!("case {}", case.id)));
        }
        Ok(())
    }
}

/// The raw token of this request, if any.
pub fn token<'a>(ctx: &'a Context<'_>) -> Option<&'a str> {
    ctx.data_opt::<BearerToken>().and_then(|t| t.0.as_deref())
}

/// The signed-in caller, or `UNAUTHENTICATED`.
pub async fn viewer(ctx: &Context<'_>) -> Result<Viewer, ApiError> {
    viewer_for_token(ctx.data_unchecked::<ApiState>(), token(ctx)).await
}

/// The caller of a bearer token, or `UNAUTHENTICATED`: [`viewer`] for the HTTP handlers
/// outside GraphQL (attachments), with the same sessions and the same rules.
pub async fn viewer_for_token(state: &ApiState, token: Option<&str>) -> Result<Viewer, ApiError> {
    let token = token.ok_or(ApiError::Unauthenticated)?;
    let now = state.clock.now();
    let (_, account) = state.store.lookup_session(token, now).await?.ok_or(ApiError::Unauthenticated)?;
    let agencies = match account.agency_id {
        Some(agency) if account.kind == "staff" => {
            state.store.agency_subtree(agency).await?.into_iter().map(|a| a.id).collect()
        }
        _ => Vec::new(),
    };
    Ok(Viewer { account, agencies })
}
