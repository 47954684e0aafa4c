//! One error type for every handler: a status and a message for the client.
//! Internal details (SQLite, I/O) are logged on stderr, not sent.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

/// Result of a handler.
pub type ApiResult<T> = std::result::Result<T, ApiError>;

/// An error answered as `{"error": message}` with its status.
#[derive(Debug)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// What the client is told.
    pub message: String,
}

impl ApiError {
    /// 400: the request is malformed or a value is out of range.
    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError { status: StatusCode::BAD_REQUEST, message: message.into() }
    }
    /// 404: no such dataset, run, group, account, object or note.
    pub fn not_found(message: impl Into<String>) -> Self {
        ApiError { status: StatusCode::NOT_FOUND, message: message.into() }
    }
    /// 409: the request conflicts with a run's state (not finished, queue full).
    pub fn conflict(message: impl Into<String>) -> Self {
        ApiError { status: StatusCode::CONFLICT, message: message.into() }
    }
    /// 403: missing token, cross-site request, refused path.
    pub fn forbidden(message: impl Into<String>) -> Self {
        ApiError { status: StatusCode::FORBIDDEN, message: message.into() }
    }
    /// 413: an upload over the size limit.
    pub fn too_large(message: impl Into<String>) -> Self {
        ApiError { status: StatusCode::PAYLOAD_TOO_LARGE, message: message.into() }
    }
    /// 500: logged in full, answered without details.
    pub fn internal(err: impl std::fmt::Display) -> Self {
        eprintln!("lockstep serve: internal error: {}", lockstep_core::terminal_safe(&err.to_string(), 2000));
        ApiError { status: StatusCode::INTERNAL_SERVER_ERROR, message: "internal error (see the server's log)".into() }
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        ApiError::internal(e)
    }
}

impl From<std::io::Error> for ApiError {
    fn from(e: std::io::Error) -> Self {
        ApiError::internal(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(serde_json::json!({ "error": self.message }))).into_response()
    }
}
