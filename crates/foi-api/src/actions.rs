//! `Case.allowedActions`: what the caller may do on a case now, and why not where not.
//!
//! The answer is the domain's ([`foi_domain::actions::availability`]: the transition table and
//! its guards, tried on today), plus what archiving checks in the store (the decision issued
//! and served), filtered by who is asking: the case's applicant gets the applicant's
//! actions, a case worker of the agency the office's, an office head also the head's. A page
//! shows a form for each allowed action and, beside each one that is not, the message the
//! mutation would refuse with. Nothing here decides anything the mutations do not.

use async_graphql::{Context, Enum, SimpleObject};
use foi_domain::actions::availability;
use foi_domain::lifecycle::{Case, EventKind, TransitionError};

use crate::ApiState;
use crate::auth::{Viewer, roles};
use crate::enums;
use crate::error::ApiError;
use crate::types::CaseNode;

/// An action on a case: the mutation of the same name (in camelCase, e.g. `REQUEST_CORRECTION`
/// is `requestCorrection`).
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum CaseAction {
    /// `receiveApplication` (签收).
    ReceiveApplication,
    /// `registerCase` (登记).
    RegisterCase,
    /// `acceptCase` (审核通过).
    AcceptCase,
    /// `assignCase`.
    AssignCase,
    /// `requestCorrection` (Reg. 30).
    RequestCorrection,
    /// `receiveCorrection` (Reg. 30), by the office.
    ReceiveCorrection,
    /// `submitCorrection` (Reg. 30), by the applicant.
    SubmitCorrection,
    /// `lapseCorrection` (Reg. 30).
    LapseCorrection,
    /// `requestReasons` (Reg. 35).
    RequestReasons,
    /// `giveReasons` (Reg. 35), by the applicant.
    GiveReasons,
    /// `receiveReasons` (Reg. 35).
    ReceiveReasons,
    /// `setLaterReplyDate` (Reg. 35).
    SetLaterReplyDate,
    /// `openConsultation` (Reg. 32, 34).
    OpenConsultation,
    /// `closeConsultation`.
    CloseConsultation,
    /// `requestExtension` (Reg. 33 ¶1).
    RequestExtension,
    /// `approveExtension` (Reg. 33 ¶1), by an office head.
    ApproveExtension,
    /// `refuseExtension`, by an office head.
    RefuseExtension,
    /// `extendDeadline`: request and approval in one step, by an office head.
    ExtendDeadline,
    /// `issueFeeNotice` (Reg. 42).
    IssueFeeNotice,
    /// `recordFeePayment`, by the office.
    RecordFeePayment,
    /// `reportFeePayment`, by the applicant.
    ReportFeePayment,
    /// `lapseFee`.
    LapseFee,
    /// `reply` (Reg. 36–38).
    Reply,
    /// `notHandled` (Reg. 35, 36(6), 39).
    NotHandled,
    /// `withdrawApplication`.
    WithdrawApplication,
    /// `archiveCase` (归档).
    ArchiveCase,
}

/// Who may take an action.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Who {
    /// A case worker (clerk, reviewer, office head) of the case's agency or above.
    Worker,
    /// An office head.
    Head,
    /// The case's applicant.
    Applicant,
    /// Either.
    WorkerOrApplicant,
}

/// The actions that record an event of `kind`, and who takes each.
fn actions_of(kind: EventKind) -> &'static [(CaseAction, Who)] {
    use CaseAction as A;
    use Who::*;
    match kind {
        EventKind::Submitted | EventKind::Served => &[],
        EventKind::Received => &[(A::ReceiveApplication, Worker)],
        EventKind::Registered => &[(A::RegisterCase, Worker)],
        EventKind::Accepted => &[(A::AcceptCase, Worker)],
        EventKind::Assigned => &[(A::AssignCase, Worker)],
        EventKind::CorrectionRequested => &[(A::RequestCorrection, Worker)],
        EventKind::CorrectionReceived => &[(A::ReceiveCorrection, Worker), (A::SubmitCorrection, Applicant)],
        EventKind::CorrectionLapsed => &[(A::LapseCorrection, Worker)],
        EventKind::ReasonsRequested => &[(A::RequestReasons, Worker)],
        EventKind::ReasonsGiven => &[(A::GiveReasons, Applicant)],
        EventKind::ReasonsReceived => &[(A::ReceiveReasons, Worker)],
        EventKind::LaterReplyDateSet => &[(A::SetLaterReplyDate, Worker)],
        EventKind::ConsultationOpened => &[(A::OpenConsultation, Worker)],
        EventKind::ConsultationClosed => &[(A::CloseConsultation, Worker)],
        EventKind::ExtensionRequested => &[(A::RequestExtension, Worker)],
        EventKind::ExtensionRefused => &[(A::RefuseExtension, Head)],
        EventKind::Extended => &[(A::ApproveExtension, Head), (A::ExtendDeadline, Head)],
        EventKind::FeeNoticeIssued => &[(A::IssueFeeNotice, Worker)],
        EventKind::FeePaid => &[(A::RecordFeePayment, Worker), (A::ReportFeePayment, Applicant)],
        EventKind::FeeLapsed => &[(A::LapseFee, Worker)],
        EventKind::Replied => &[(A::Reply, Worker)],
        EventKind::NotHandled => &[(A::NotHandled, Worker)],
        EventKind::Withdrawn => &[(A::WithdrawApplication, WorkerOrApplicant)],
        EventKind::Archived => &[(A::ArchiveCase, Worker)],
    }
}

/// One action and whether it can be taken now.
#[derive(SimpleObject)]
pub struct CaseActionView {
    /// The action (the mutation of that name).
    pub action: CaseAction,
    /// The event it records.
    pub event: enums::EventKind,
    /// Whether it can be taken now (today, in China Standard Time).
    pub allowed: bool,
    /// Why not: the error code the mutation would answer (`INVALID_TRANSITION`,
    /// `RULE_VIOLATION`, `NOT_SERVED`, `NO_EXTENSION_REQUESTED`, `DECISION_NOT_ISSUED`, …).
    pub code: Option<String>,
    /// For a statutory guard, which one (as `extensions.rule`), e.g. `CORRECTION_NOTICE_TOO_LATE`.
    pub rule: Option<String>,
    /// Why not, as the mutation would say it (citing the article).
    pub reason: Option<String>,
}

/// The actions of `node` for `viewer`, each with whether it can be taken today.
pub(crate) async fn allowed_actions(
    ctx: &Context<'_>,
    node: &CaseNode,
    viewer: &Viewer,
) -> Result<Vec<CaseActionView>, ApiError> {
    let record = &node.state.record;
    let applicant = viewer.is_applicant() && viewer.can_see(record);
    let worker = viewer.require_case_worker(record).is_ok();
    let head = worker && viewer.account.has_role(roles::OFFICE_HEAD);
    if !(applicant || worker) {
        return Ok(Vec::new());
    }
    let rules = foi_store::workflow::rules_of(&node.agency);
    let case: &Case = &node.state.case;
    let domain_ctx = foi_domain::lifecycle::Context { calendar: &node.calendar, rules: &rules };
    let mut out = Vec::new();
    for a in availability(case, domain_ctx, node.today) {
        for &(action, who) in actions_of(a.kind) {
            let mine = match who {
                Who::Worker => worker,
                Who::Head => head,
                Who::Applicant => applicant,
                Who::WorkerOrApplicant => worker || applicant,
            };
            if !mine {
                continue;
            }
            let mut refusal = a.refusal.clone().map(ApiError::Transition);
            if refusal.is_none() && a.kind == EventKind::Archived {
                // What archiving also checks in the store: the decision on file and served.
                let state = ctx.data_unchecked::<ApiState>();
                if let Err(e) = state.store.archive_file_check(&node.state).await {
                    refusal = Some(ApiError::from(e));
                }
            }
            out.push(view(action, a.kind, refusal));
        }
    }
    Ok(out)
}

fn view(action: CaseAction, kind: EventKind, refusal: Option<ApiError>) -> CaseActionView {
    let rule = match &refusal {
        Some(ApiError::Transition(TransitionError::Refused { reason, .. })) => Some(reason.code().to_owned()),
        _ => None,
    };
    CaseActionView {
        action,
        event: kind.into(),
        allowed: refusal.is_none(),
        code: refusal.as_ref().map(|e| e.code().to_owned()),
        rule,
        reason: refusal.as_ref().map(ApiError::message),
    }
}
