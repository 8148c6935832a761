//! The API's one error type and the `extensions.code` each variant reaches the client with.
//!
//! Clients branch on `extensions.code`, never on the message. Every variant's doc says what
//! the client sees. The bounds of a request are refused before any resolver runs, by
//! `crate::limits`, with codes of their own: `QUERY_TOO_DEEP`, `QUERY_TOO_COMPLEX`,
//! `TOO_MANY_ALIASES`, `ONE_SIGN_IN_PER_REQUEST`, `DEADLINE_EXCEEDED` (each with
//! `extensions.limit`), and `VALIDATION` with `extensions.field` for an input string with a
//! control character or over its length limit. Internal errors are logged here with their cause and reach the client as
//! an opaque `INTERNAL` error: no SQL, no stack, no personal data.

use async_graphql::ErrorExtensions;
use foi_domain::lifecycle::{Guard, TransitionError};
use foi_store::StoreError;

/// Everything a resolver can fail with.
///
/// It deliberately does not implement `Display`: async-graphql converts any `Display` error
/// into a bare message, which would drop `extensions.code`. `From<ApiError>` below keeps it.
#[derive(Debug)]
pub enum ApiError {
    /// `UNAUTHENTICATED`: no valid session; sign in and send `Authorization: Bearer <token>`.
    Unauthenticated,
    /// `FORBIDDEN`: signed in, but not allowed to do this.
    Forbidden(String),
    /// `NOT_FOUND`: no such object, or not one the caller may see.
    NotFound(String),
    /// `VALIDATION`: an input field is malformed; `extensions.field` names it.
    Validation {
        /// The input field, e.g. `input.idNumber`.
        field: String,
        /// What is wrong and what would be accepted.
        message: String,
    },
    /// `INVALID_TRANSITION`: the event is never allowed in the case's stage;
    /// `extensions.stage` and `extensions.event` name them.
    /// `RULE_VIOLATION`: allowed in the stage, but a statutory guard refused its facts
    /// (e.g. a correction notice after 7 working days); the message cites the article.
    /// `extensions.rule` names the guard (e.g. `CORRECTION_NOTICE_TOO_LATE`,
    /// `WITHHELD_ITEMS_REQUIRED`, `GROUND_NOT_OF_OUTCOME`, `DUPLICATE_CITATION`,
    /// `HOLDER_NOT_ALLOWED`) and, for a reply's reasons, `extensions.field` the input it is
    /// about (`input.withheld`, `input.legalBasis`, `input.holder`).
    /// Two guards of service (送达) have codes of their own: `ALREADY_SERVED` (a notice is
    /// served once; the message names the first date) and `NOT_SERVED` (a period that runs
    /// from service cannot lapse before the notice is served: record its service first).
    /// Two guards have codes of their own (Reg. 33 ¶1): `NO_EXTENSION_REQUESTED` (an
    /// approval or refusal with no request waiting) and `EXTENSION_ALREADY_REQUESTED` (a
    /// second request while one waits for the office head).
    Transition(TransitionError),
    /// `RULE_VIOLATION` also: a rule outside the lifecycle table refused the change (e.g. a
    /// challenge dated before the reply it challenges).
    Rule(String),
    /// `CONFLICT`: the case changed since the client read it (stale `version`). Reload and retry.
    Conflict {
        /// The version the client sent.
        expected: i64,
        /// The version stored.
        actual: i64,
    },
    /// `ALREADY_EXISTS`: a unique value is taken (e.g. a login).
    AlreadyExists(String),
    /// `CALENDAR_UNKNOWN`: a date lies in a year without a loaded holiday notice.
    CalendarUnknown(String),
    /// `RATE_LIMITED`: too many attempts (sign-in failures for a login or from an address,
    /// registrations from an address), or the server is busy hashing other passwords. The
    /// attempt was not processed (no password was checked). `extensions.retryAfterSeconds`
    /// (and the HTTP `Retry-After` header) say when to try again; `extensions.reason` is
    /// `TOO_MANY_ATTEMPTS` or `BUSY`.
    RateLimited {
        /// Seconds to wait before trying again (at least 1).
        retry_after_secs: u64,
        /// The server was busy, rather than the caller too insistent.
        busy: bool,
    },
    /// `DECISION_NOT_ISSUED`: the case cannot be archived (归档) before the document that
    /// records its decision is issued (and not voided); `extensions.kind` names the document
    /// kind to issue (`REPLY` or `NOT_HANDLED_NOTICE`).
    DecisionNotIssued {
        /// The document kind to issue, e.g. `REPLY`.
        kind: &'static str,
        /// What to do, naming the document.
        message: String,
    },
    /// `DECISION_NOT_SERVED`: the case cannot be archived before the service (送达) of its
    /// decision is recorded; `extensions.kind` names the kind and `extensions.number` the
    /// document to serve with `serveDocument`.
    DecisionNotServed {
        /// The document kind, e.g. `REPLY`.
        kind: &'static str,
        /// The document number to serve.
        number: String,
        /// What to do, naming the document.
        message: String,
    },
    /// `INTERNAL`: something failed on the server; the details are in its log.
    Internal,
}

impl ApiError {
    /// A validation error for `field`.
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> ApiError {
        ApiError::Validation { field: field.into(), message: message.into() }
    }

    /// The message shown to the client: what is wrong and what to do.
    pub fn message(&self) -> String {
        match self {
            ApiError::Unauthenticated => {
                "sign in first: send a valid session token as `Authorization: Bearer <token>`".into()
            }
            ApiError::Forbidden(why) => format!("forbidden: {why}"),
            ApiError::NotFound(what) => format!("{what} not found"),
            ApiError::Validation { field, message } => format!("{field}: {message}"),
            ApiError::Transition(e) => e.to_string(),
            ApiError::Rule(message) => message.clone(),
            ApiError::Conflict { expected, actual } => format!(
                "the case was changed by someone else (expected version {expected}, it is at {actual}); reload it and try again"
            ),
            ApiError::AlreadyExists(what) => format!("{what} is already taken"),
            ApiError::CalendarUnknown(message) => message.clone(),
            ApiError::RateLimited { retry_after_secs, busy: false } => {
                format!("too many attempts; try again in {retry_after_secs} seconds")
            }
            ApiError::RateLimited { retry_after_secs, busy: true } => {
                format!("the server is busy checking other passwords; try again in {retry_after_secs} seconds")
            }
            ApiError::DecisionNotIssued { message, .. } | ApiError::DecisionNotServed { message, .. } => {
                message.clone()
            }
            ApiError::Internal => "internal error; the server log has the details".into(),
        }
    }

    /// The stable code clients branch on.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Unauthenticated => "UNAUTHENTICATED",
            ApiError::Forbidden(_) => "FORBIDDEN",
            ApiError::NotFound(_) => "NOT_FOUND",
            ApiError::Validation { .. } => "VALIDATION",
            ApiError::Transition(TransitionError::NotAllowed { .. }) => "INVALID_TRANSITION",
            // 送达 (rules.md §2): a client branches on these two.
            ApiError::Transition(TransitionError::Refused { reason: Guard::AlreadyServed { .. }, .. }) => {
                "ALREADY_SERVED"
            }
            ApiError::Transition(TransitionError::Refused { reason: Guard::NotServed { .. }, .. }) => "NOT_SERVED",
            // Reg. 33 ¶1: codes a client branches on (ask for a request first; decide the
            // pending one first).
            ApiError::Transition(TransitionError::Refused { reason: Guard::NoExtensionRequested, .. }) => {
                "NO_EXTENSION_REQUESTED"
            }
            ApiError::Transition(TransitionError::Refused {
                reason: Guard::ExtensionAlreadyRequested { .. }, ..
            }) => "EXTENSION_ALREADY_REQUESTED",
            ApiError::Transition(TransitionError::Refused { .. }) | ApiError::Rule(_) => "RULE_VIOLATION",
            ApiError::Conflict { .. } => "CONFLICT",
            ApiError::AlreadyExists(_) => "ALREADY_EXISTS",
            ApiError::CalendarUnknown(_) => "CALENDAR_UNKNOWN",
            ApiError::RateLimited { .. } => "RATE_LIMITED",
            ApiError::DecisionNotIssued { .. } => "DECISION_NOT_ISSUED",
            ApiError::DecisionNotServed { .. } => "DECISION_NOT_SERVED",
            ApiError::Internal => "INTERNAL",
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> ApiError {
        match err {
            StoreError::NotFound { what } => ApiError::NotFound(what),
            StoreError::Conflict { expected, actual } => ApiError::Conflict { expected, actual },
            StoreError::UniqueViolation { constraint } => ApiError::AlreadyExists(constraint),
            other => {
                // Logged with its cause chain; never shown to the client.
                let mut message = other.to_string();
                let mut source = std::error::Error::source(&other);
                while let Some(s) = source {
                    message.push_str(": ");
                    message.push_str(&s.to_string());
                    source = s.source();
                }
                // In the request's span (its request id); the message names no personal data:
                // store errors carry table and constraint names, not values.
                tracing::error!(error = %message, "internal error");
                ApiError::Internal
            }
        }
    }
}

impl From<foi_store::WorkflowError> for ApiError {
    fn from(err: foi_store::WorkflowError) -> ApiError {
        match err {
            foi_store::WorkflowError::Store(e) => e.into(),
            foi_store::WorkflowError::Transition(e) => e.into(),
            foi_store::WorkflowError::Calendar(e) => e.into(),
            foi_store::WorkflowError::Pattern(e) => ApiError::validation("agency.caseNumberPattern", e.to_string()),
            foi_store::WorkflowError::Challenge(e) => ApiError::Rule(e.to_string()),
            e @ foi_store::WorkflowError::DecisionNotIssued { kind, .. } => {
                ApiError::DecisionNotIssued { kind: kind.code(), message: e.to_string() }
            }
            foi_store::WorkflowError::DecisionNotServed { kind, ref number } => {
                let number = number.clone();
                ApiError::DecisionNotServed { kind: kind.code(), message: err.to_string(), number }
            }
            foi_store::WorkflowError::NotServable(e @ foi_store::ServeRefusal::BeforeIssue { .. }) => {
                ApiError::validation("input.servedOn", e.to_string())
            }
            foi_store::WorkflowError::NotServable(e) => ApiError::Rule(e.to_string()),
        }
    }
}

impl From<TransitionError> for ApiError {
    fn from(err: TransitionError) -> ApiError {
        ApiError::Transition(err)
    }
}

impl From<foi_domain::calendar::CalendarError> for ApiError {
    fn from(err: foi_domain::calendar::CalendarError) -> ApiError {
        ApiError::CalendarUnknown(err.to_string())
    }
}

impl ErrorExtensions for ApiError {
    fn extend(&self) -> async_graphql::Error {
        async_graphql::Error::new(self.message()).extend_with(|_, e| {
            e.set("code", self.code());
            match self {
                ApiError::Validation { field, .. } => e.set("field", field.as_str()),
                ApiError::Transition(TransitionError::NotAllowed { stage, event }) => {
                    e.set("stage", stage.code());
                    e.set("event", event.code());
                }
                ApiError::Transition(TransitionError::Refused { stage, event, reason }) => {
                    e.set("stage", stage.code());
                    e.set("event", event.code());
                    // Which rule refused, and for a reply's reasons the input it is about.
                    e.set("rule", reason.code());
                    if let Some(field) = reason.field() {
                        e.set("field", format!("input.{}", camel_case(field)));
                    }
                }
                ApiError::Conflict { expected, actual } => {
                    e.set("expectedVersion", *expected);
                    e.set("actualVersion", *actual);
                }
                ApiError::RateLimited { retry_after_secs, busy } => {
                    e.set("retryAfterSeconds", *retry_after_secs);
                    e.set("reason", if *busy { "BUSY" } else { "TOO_MANY_ATTEMPTS" });
                }
                ApiError::DecisionNotIssued { kind, .. } => e.set("kind", *kind),
                ApiError::DecisionNotServed { kind, number, .. } => {
                    e.set("kind", *kind);
                    e.set("number", number.as_str());
                }
                _ => {}
            }
        })
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(err: ApiError) -> async_graphql::Error {
        err.extend()
    }
}

/// Resolver results.
pub type ApiResult<T> = Result<T, async_graphql::Error>;

/// `legal_basis` → `legalBasis`, `withheld.information` → `withheld.information`: a domain
/// field as the GraphQL input names it.
fn camel_case(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut upper = false;
    for c in field.chars() {
        match c {
            '_' => upper = true,
            c if upper => {
                out.extend(c.to_uppercase());
                upper = false;
            }
            c => out.push(c),
        }
    }
    out
}
