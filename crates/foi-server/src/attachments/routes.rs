//! The HTTP routes of attachments:
//!
//! - `POST /cases/{caseId}/attachments`: the raw file as the body, with `Content-Type`,
//!   `X-File-Name` (percent-encoded UTF-8, optional), `X-Attachment-Purpose` (optional:
//!   `DISCLOSURE`, `INTERNAL`, `IDENTITY_PROOF` or `CORRECTION`) and `Authorization: Bearer
//!   <token>` of a case worker who may change the case, or of the case's applicant with a
//!   proof of identity or correction papers. Answers `201` with
//!   `{id, fileName, contentType, sizeBytes, sha256, purpose, downloadUrl}`.
//! - `GET /attachments/{id}`: the file, with its type and `Content-Disposition`, for the
//!   case's workers and its applicant (not the office's working files).
//!
//! Errors are JSON, `{"code": …, "message": …}`, with the codes of the GraphQL API:
//!
//! | problem | status | `code` |
//! | --- | --- | --- |
//! | no valid session | 401 | `UNAUTHENTICATED` |
//! | no case-worker role (an administrator), an applicant uploading another purpose | 403 | `FORBIDDEN` |
//! | no such case or attachment, or not one the caller may see | 404 | `NOT_FOUND` |
//! | a malformed `X-File-Name` or `X-Attachment-Purpose`, an empty file | 400 | `VALIDATION` |
//! | an archived case (a concluded one, for the applicant) | 409 | `RULE_VIOLATION` |
//! | a file over the limit | 413 | `PAYLOAD_TOO_LARGE` |
//! | a type not allowed, or content that is not what `Content-Type` says | 415 | `UNSUPPORTED_MEDIA_TYPE` |
//!
//! Who may do what is decided by `foi_api::attachments`; the bytes by the storage of the
//! parent module. Nothing of a file, its name or the caller is logged.

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use foi_api::ApiState;
use foi_api::attachments::{AttachmentPurpose, StoredUpload, authorize_download, authorize_upload, record_upload};
use foi_api::error::ApiError;
use serde_json::json;
use tower_http::timeout::TimeoutLayer;

use super::names::{content_disposition, file_name_from_header};
use super::sniff::Kind;
use super::{Attachments, StageError};
use crate::http::{bearer_token, drain};

/// How long one upload or download may take, reading the body included: a 20 MiB file
/// needs time on a slow line, more than the 30 s a GraphQL request gets.
pub const TRANSFER_TIMEOUT: Duration = Duration::from_secs(10 * 60);

/// The header that names an uploaded file.
pub const FILE_NAME_HEADER: &str = "x-file-name";

/// The header that says what an upload is for (`AttachmentPurpose`'s code).
pub const PURPOSE_HEADER: &str = "x-attachment-purpose";

#[derive(Clone)]
struct RouteState {
    api: ApiState,
    attachments: Attachments,
}

/// The attachment routes over `api` and `attachments`, with their own timeout.
pub(crate) fn routes(api: ApiState, attachments: Attachments) -> Router {
    Router::new()
        .route("/cases/{case_id}/attachments", post(upload))
        .route("/attachments/{attachment_id}", get(download))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, TRANSFER_TIMEOUT))
        .with_state(RouteState { api, attachments })
}

/// `POST /cases/{caseId}/attachments`.
async fn upload(State(state): State<RouteState>, Path(case_id): Path<String>, request: Request) -> Response {
    let (parts, mut body) = request.into_parts();
    let headers = &parts.headers;
    let token = bearer_token(headers);
    let purpose = match headers.get(PURPOSE_HEADER).map(|v| v.to_str().ok().and_then(AttachmentPurpose::from_code)) {
        None => None,
        Some(Some(purpose)) => Some(purpose),
        Some(None) => {
            let message = "one of DISCLOSURE, INTERNAL, IDENTITY_PROOF, CORRECTION";
            return refuse(headers, body, validation("X-Attachment-Purpose", message)).await;
        }
    };
    // Who, before a byte of the file is read.
    let (viewer, case, purpose) = match authorize_upload(&state.api, token.as_deref(), &case_id, purpose).await {
        Ok(found) => found,
        Err(e) => return refuse(headers, body, api_error(&e)).await,
    };
    let declared = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::trim).unwrap_or("");
    let Some(declared_kind) = Kind::from_media_type(declared) else {
        let message = if declared.is_empty() {
            format!("send the file's type as Content-Type, one of: {}", Kind::allowed_list())
        } else {
            format!("{declared} is not a type an attachment may have; allowed: {}", Kind::allowed_list())
        };
        return refuse(headers, body, error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE", &message))
            .await;
    };
    let file_name =
        match file_name_from_header(headers.get(FILE_NAME_HEADER).map(|v| v.as_bytes()), declared_kind.extension()) {
            Ok(name) => name,
            Err(e) => return refuse(headers, body, validation("X-File-Name", &e.to_string())).await,
        };
    let limit = state.attachments.max_bytes();
    let declared_length = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared_length.is_some_and(|n| n > limit) {
        return refuse(headers, body, too_large(limit)).await;
    }
    let staged = match state.attachments.stage(&mut body).await {
        Ok(staged) => staged,
        Err(StageError::TooLarge { limit }) => return refuse(headers, body, too_large(limit)).await,
        Err(StageError::Empty) => return validation("body", "the file is empty: send its bytes as the request body"),
        Err(StageError::Unreadable) => {
            return error(StatusCode::BAD_REQUEST, "BAD_REQUEST", "the request body could not be read");
        }
        Err(StageError::Unsupported(what)) => {
            let message = format!(
                "the file was declared as {} but its content is {what}; allowed: {}",
                declared_kind.essence(),
                Kind::allowed_list()
            );
            return error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE", &message);
        }
        Err(e @ StageError::Io { .. }) => return internal(&e),
    };
    if staged.kind != declared_kind {
        let message = format!(
            "the file was declared as {} but its content is {}; send it with Content-Type: {}",
            declared_kind.essence(),
            staged.kind.describe(),
            staged.kind.essence()
        );
        return error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE", &message);
    }
    let (size_bytes, sha256) = (staged.size, staged.sha256.clone());
    // Stored first: the row below never points at a missing file (see the module docs).
    let storage_key = match state.attachments.commit(staged).await {
        Ok(key) => key,
        Err(e) => return internal(&e),
    };
    let stored = StoredUpload {
        file_name,
        content_type: declared_kind.media_type().to_owned(),
        size_bytes,
        sha256,
        storage_key,
    };
    match record_upload(&state.api, &viewer, case.id, stored, purpose).await {
        Ok(record) => {
            let location = foi_api::attachments::download_path(record.id);
            let body = json!({
                "id": record.id,
                "fileName": record.file_name,
                "contentType": record.content_type,
                "sizeBytes": record.size_bytes,
                "sha256": record.sha256,
                "purpose": record.purpose,
                "downloadUrl": location,
            });
            let mut response = (StatusCode::CREATED, axum::Json(body)).into_response();
            if let Ok(value) = HeaderValue::from_str(&location) {
                response.headers_mut().insert(header::LOCATION, value);
            }
            response
        }
        Err(e) => api_error(&e),
    }
}

/// `GET /attachments/{id}`.
async fn download(State(state): State<RouteState>, Path(attachment_id): Path<String>, headers: HeaderMap) -> Response {
    let token = bearer_token(&headers);
    let record = match authorize_download(&state.api, token.as_deref(), &attachment_id).await {
        Ok(record) => record,
        Err(e) => return api_error(&e),
    };
    let blob = match state.attachments.open_blob(&record.storage_key).await {
        Ok(blob) => blob,
        Err(e) => {
            tracing::error!(attachment = %record.id, error = %e, "an attachment's file cannot be read");
            return internal_response();
        }
    };
    if i64::try_from(blob.size).ok() != Some(record.size_bytes) {
        tracing::error!(
            attachment = %record.id,
            stored = blob.size,
            recorded = record.size_bytes,
            "an attachment's stored file has the wrong size"
        );
        return internal_response();
    }
    let mut response = Response::new(blob.body);
    let out = response.headers_mut();
    let content_type =
        HeaderValue::from_str(&record.content_type).unwrap_or(HeaderValue::from_static("application/octet-stream"));
    out.insert(header::CONTENT_TYPE, content_type);
    out.insert(header::CONTENT_LENGTH, HeaderValue::from(blob.size));
    if let Ok(value) = HeaderValue::from_str(&content_disposition(&record.file_name)) {
        out.insert(header::CONTENT_DISPOSITION, value);
    }
    if let Ok(value) = HeaderValue::from_str(&format!("\"{}\"", record.sha256)) {
        out.insert(header::ETAG, value);
    }
    // A disclosed file may hold personal data: no shared cache keeps it, and no browser
    // guesses another type than the one checked at upload.
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    out.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

/// Answers before the body was read to its end: reads and discards the rest first (see
/// `crate::http::drain`), unless the client waits for `100 Continue` and so sent nothing,
/// and closes the connection.
async fn refuse(headers: &HeaderMap, body: Body, mut response: Response) -> Response {
    let expects_continue = headers
        .get(header::EXPECT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("100-continue"));
    if !expects_continue {
        drain(body).await;
    }
    response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// A JSON error: `{"code": …, "message": …}`.
fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, axum::Json(json!({ "code": code, "message": message }))).into_response()
}

fn validation(field: &str, message: &str) -> Response {
    let body = json!({ "code": "VALIDATION", "message": format!("{field}: {message}"), "field": field });
    (StatusCode::BAD_REQUEST, axum::Json(body)).into_response()
}

fn too_large(limit: u64) -> Response {
    error(
        StatusCode::PAYLOAD_TOO_LARGE,
        "PAYLOAD_TOO_LARGE",
        &format!("the file is larger than the limit of {limit} bytes ({:.1} MiB)", limit as f64 / 1_048_576.0),
    )
}

fn internal(e: &dyn std::error::Error) -> Response {
    tracing::error!(error = %e, "storing an attachment failed");
    internal_response()
}

fn internal_response() -> Response {
    error(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", "internal error; the server log has the details")
}

/// An API error with the status that says the same as its code.
fn api_error(e: &ApiError) -> Response {
    let status = match e.code() {
        "UNAUTHENTICATED" => StatusCode::UNAUTHORIZED,
        "FORBIDDEN" => StatusCode::FORBIDDEN,
        "NOT_FOUND" => StatusCode::NOT_FOUND,
        "VALIDATION" => StatusCode::BAD_REQUEST,
        "CONFLICT" | "RULE_VIOLATION" | "INVALID_TRANSITION" | "ALREADY_EXISTS" => StatusCode::CONFLICT,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    let mut body = json!({ "code": e.code(), "message": e.message() });
    if let ApiError::Validation { field, .. } = e {
        body["field"] = json!(field);
    }
    let mut response = (status, axum::Json(body)).into_response();
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    response
}
