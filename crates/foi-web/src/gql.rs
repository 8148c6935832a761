//! The one door to the data: every page runs a named operation of `operations/*.graphql`
//! against the in-process schema, with the visitor's session token and address set as the
//! HTTP path (`POST /graphql`) sets them. So the portal has no second path to the store and
//! no second authorisation: what the API refuses, the page refuses.

use async_graphql::Variables;
use foi_api::observe::OperationSlot;
use foi_api::{BearerToken, ClientAddr, FoiSchema};
use serde_json::Value;

use crate::session::Visitor;

/// A named operation kept in `operations/NAME.graphql`.
#[derive(Debug, Clone, Copy)]
pub struct Operation {
    /// The operation's name, which is also its file's name.
    pub name: &'static str,
    /// The file's text.
    pub source: &'static str,
}

macro_rules! operation {
    ($name:literal) => {
        Operation { name: $name, source: include_str!(concat!("../operations/", $name, ".graphql")) }
    };
}

pub const ME: Operation = operation!("Me");
pub const SIGN_IN: Operation = operation!("SignIn");
pub const SIGN_OUT: Operation = operation!("SignOut");
pub const REGISTER_APPLICANT: Operation = operation!("RegisterApplicant");
pub const DIRECTORY: Operation = operation!("Directory");
pub const SUBMIT_APPLICATION: Operation = operation!("SubmitApplication");
pub const MY_CASES: Operation = operation!("MyCases");
pub const CASE_PAGE: Operation = operation!("CasePage");
pub const DOCUMENT_PDF: Operation = operation!("DocumentPdf");
pub const OPEN_DOCUMENT: Operation = operation!("OpenDocument");
pub const APPLY_WITHOUT_ACCOUNT: Operation = operation!("ApplyWithoutAccount");
pub const FOLLOWED_CASE: Operation = operation!("FollowedCase");
pub const SUBMIT_CORRECTION: Operation = operation!("SubmitCorrection");
pub const GIVE_REASONS: Operation = operation!("GiveReasons");
pub const REPORT_FEE_PAYMENT: Operation = operation!("ReportFeePayment");
pub const WITHDRAW_APPLICATION: Operation = operation!("WithdrawApplication");
pub const PUBLIC_STATISTICS: Operation = operation!("PublicStatistics");
pub const BLANK_APPLICATION_FORM: Operation = operation!("BlankApplicationForm");

/// Every operation the pages run; a test validates each against the schema and checks that
/// every file of `operations/` is here.
pub const OPERATIONS: &[Operation] = &[
    ME,
    SIGN_IN,
    SIGN_OUT,
    REGISTER_APPLICANT,
    DIRECTORY,
    SUBMIT_APPLICATION,
    MY_CASES,
    CASE_PAGE,
    DOCUMENT_PDF,
    OPEN_DOCUMENT,
    APPLY_WITHOUT_ACCOUNT,
    FOLLOWED_CASE,
    SUBMIT_CORRECTION,
    GIVE_REASONS,
    REPORT_FEE_PAYMENT,
    WITHDRAW_APPLICATION,
    PUBLIC_STATISTICS,
    BLANK_APPLICATION_FORM,
];

/// One error of a response, as a page uses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GqlError {
    /// What went wrong, for people (the API writes it in Chinese where an applicant sees it).
    pub message: String,
    /// `extensions.code`.
    pub code: String,
    /// `extensions.field` (e.g. `input.subject`), when the error is about one input.
    pub field: Option<String>,
    /// `extensions.retryAfterSeconds` of a `RATE_LIMITED` refusal.
    pub retry_after_secs: Option<u64>,
}

/// What an operation answered.
#[derive(Debug, Clone)]
pub struct Answer {
    /// `data`, `null` when nothing ran.
    pub data: Value,
    /// `errors`.
    pub errors: Vec<GqlError>,
}

impl Answer {
    /// The first error with `code`, if any.
    pub fn error(&self, code: &str) -> Option<&GqlError> {
        self.errors.iter().find(|e| e.code == code)
    }
}

/// Runs `op` with `variables` as `visitor`.
pub async fn run(schema: &FoiSchema, visitor: &Visitor, op: Operation, variables: Value) -> Answer {
    let request = async_graphql::Request::new(op.source)
        .operation_name(op.name)
        .variables(Variables::from_json(variables))
        .data(BearerToken(visitor.token.clone()))
        .data(ClientAddr(visitor.peer.client))
        .data(OperationSlot::default());
    let response = foi_api::execute(schema, request).await;
    let errors = response
        .errors
        .iter()
        .map(|e| {
            let get = |key: &str| match e.extensions.as_ref().and_then(|x| x.get(key)) {
                Some(async_graphql::Value::String(s)) => Some(s.clone()),
                _ => None,
            };
            let retry_after_secs = match e.extensions.as_ref().and_then(|x| x.get("retryAfterSeconds")) {
                Some(async_graphql::Value::Number(n)) => n.as_u64(),
                _ => None,
            };
            GqlError {
                message: e.message.clone(),
                code: get("code").unwrap_or_default(),
                field: get("field"),
                retry_after_secs,
            }
        })
        .collect::<Vec<_>>();
    if !errors.is_empty() {
        // Codes only: messages may quote what the visitor typed.
        let codes: Vec<&str> = errors.iter().map(|e| e.code.as_str()).collect();
        tracing::debug!(operation = op.name, codes = ?codes, "portal operation errors");
    }
    let data = response.data.into_json().unwrap_or(Value::Null);
    Answer { data, errors }
}
