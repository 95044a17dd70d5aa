//! One error type for every route, answered as RFC 9457 problem+json with a
//! stable `code`. Internal causes are logged, never sent.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::request_id;
use crate::domain::Quota;
use crate::store::StoreError;

pub type AppResult<T> = Result<T, AppError>;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The body or a parameter is malformed (unparseable JSON, a bad cursor).
    #[error("{0}")]
    BadRequest(String),
    /// The input parsed but breaks a rule (wrong type, missing field, bad value).
    #[error("{0}")]
    Validation(String),
    /// A rule clients branch on by its own code (422).
    #[error("{detail}")]
    ValidationCode { code: &'static str, detail: String },
    #[error("authentication is required")]
    Unauthorized,
    #[error("invalid email or password")]
    InvalidCredentials,
    #[error("this account is suspended")]
    UserSuspended,
    #[error("{0}")]
    Forbidden(String),
    #[error("the resource does not exist")]
    NotFound,
    #[error("this method is not allowed on this resource")]
    MethodNotAllowed,
    #[error("{0}")]
    Conflict(String),
    /// A conflict clients branch on by its own code.
    #[error("{detail}")]
    ConflictCode { code: &'static str, detail: String },
    #[error("this tenant is suspended")]
    TenantSuspended,
    /// Too many attempts (failed logins); try again after the given seconds.
    #[error("too many attempts; try again in {retry_after} seconds")]
    RateLimited { retry_after: u64 },
    /// A tenant quota would be exceeded. `reset_at` is absent for quotas that
    /// do not reset with time (users, agents, concurrent turns).
    #[error("the {} quota of {limit} is used up", quota.name())]
    QuotaExceeded { quota: Quota, limit: u64, reset_at: Option<chrono::DateTime<chrono::Utc>> },
    #[error("the request body is larger than this API accepts")]
    PayloadTooLarge,
    #[error("the request body must be JSON (Content-Type: application/json)")]
    UnsupportedMediaType,
    /// A bug or an outage; the cause goes to the log only.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

/// The problem+json body.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: &'static str,
    pub status: u16,
    pub detail: String,
    pub code: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Quota errors: which quota, its limit, and when it resets (if it does).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quota: Option<Quota>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reset_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl AppError {
    pub fn internal(err: impl Into<anyhow::Error>) -> Self {
        Self::Internal(err.into())
    }

    /// A stored secret (an API key, a tool's header) was meant for one
    /// address: a change of address without the secret given again is
    /// refused, never sent on to the new host. It conflicts with what is
    /// stored, not with the request's own shape, hence 409.
    pub fn secret_required(detail: impl Into<String>) -> Self {
        Self::ConflictCode { code: "secret_required", detail: detail.into() }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Validation(_) | Self::ValidationCode { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unauthorized | Self::InvalidCredentials => StatusCode::UNAUTHORIZED,
            Self::UserSuspended => StatusCode::FORBIDDEN,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict(_) | Self::ConflictCode { .. } => StatusCode::CONFLICT,
            Self::TenantSuspended => StatusCode::FORBIDDEN,
            Self::RateLimited { .. } | Self::QuotaExceeded { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable, machine-readable code clients branch on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadRequest(_) => "bad_request",
            Self::Validation(_) => "validation_failed",
            Self::ValidationCode { code, .. } => code,
            Self::Unauthorized => "unauthorized",
            Self::InvalidCredentials => "invalid_credentials",
            Self::UserSuspended => "user_suspended",
            Self::Forbidden(_) => "forbidden",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::Conflict(_) => "conflict",
            Self::ConflictCode { code, .. } => code,
            Self::TenantSuspended => "tenant_suspended",
            Self::RateLimited { .. } => "too_many_attempts",
            Self::QuotaExceeded { quota, .. } => quota.code(),
            Self::PayloadTooLarge => "payload_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::Internal(_) => "internal",
        }
    }

    /// Seconds a client should wait before trying again, for 429s.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            Self::RateLimited { retry_after } => Some(*retry_after),
            // A slot frees as soon as one of the tenant's turns ends.
            Self::QuotaExceeded { quota: Quota::ConcurrentTurns, .. } => Some(1),
            Self::QuotaExceeded { reset_at: Some(at), .. } => {
                Some((*at - chrono::Utc::now()).num_seconds().max(1).unsigned_abs())
            }
            _ => None,
        }
    }

    pub fn problem(&self) -> Problem {
        let status = self.status();
        let mut problem = Problem {
            kind: format!("https://agent-paas.dev/problems/{}", self.code().replace(['.', '_'], "-")),
            title: status.canonical_reason().unwrap_or("Error"),
            status: status.as_u16(),
            detail: self.to_string(),
            code: self.code(),
            request_id: request_id::current(),
            quota: None,
            limit: None,
            reset_at: None,
        };
        if let Self::QuotaExceeded { quota, limit, reset_at } = self {
            problem.quota = Some(*quota);
            problem.limit = Some(*limit);
            problem.reset_at = *reset_at;
        }
        problem
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let Self::Internal(cause) = &self {
            tracing::error!(error = format!("{cause:#}"), "request failed");
        }
        let problem = self.problem();
        let mut response = (self.status(), axum::Json(problem)).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if let Some(seconds) = self.retry_after() {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

impl AppError {
    /// For deletes and appends whose condition says the item must exist:
    /// a failed condition means the resource is gone.
    pub fn missing_if_condition_failed(err: StoreError) -> Self {
        match err {
            StoreError::ConditionFailed { .. } => Self::NotFound,
            other => other.into(),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::BadCursor => Self::Validation(err.to_string()),
            StoreError::ConditionFailed { .. } => Self::Conflict("the resource changed or already exists".into()),
            other => Self::internal(other),
        }
    }
}
