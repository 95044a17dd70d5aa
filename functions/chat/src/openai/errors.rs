//! The platform's errors as OpenAI's error objects, with the statuses and
//! types OpenAI's clients branch on: 400 `invalid_request_error` for any bad
//! request (`unsupported_parameter` naming what is not served), 401
//! `invalid_api_key`, 404 `model_not_found`, 429
//! `insufficient_quota` or `rate_limit_exceeded`. The platform's own code
//! stays in `code` where OpenAI has none.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use paas_core::AppError;
use paas_core::domain::Quota;

use super::wire::{ErrorBody, ErrorDetail};

pub enum OpenAiError {
    App(AppError),
    /// `model` names no agent the caller may use: 404 `model_not_found`.
    UnknownModel(String),
    /// The turn failed at the provider (a whole completion only).
    Upstream(ErrorBody),
    /// A parameter the platform does not serve: 400 `unsupported_parameter`, naming it.
    Unsupported {
        param: &'static str,
        message: String,
    },
}

impl From<AppError> for OpenAiError {
    fn from(err: AppError) -> Self {
        Self::App(err)
    }
}

/// What ends a turn that failed: the error frame's code and message.
pub fn turn_failed(code: &'static str, message: String) -> ErrorBody {
    ErrorBody { error: ErrorDetail { message, kind: "server_error", param: None, code: code.to_owned() } }
}

fn body(message: String, kind: &'static str, code: &str) -> Json<ErrorBody> {
    Json(ErrorBody { error: ErrorDetail { message, kind, param: None, code: code.to_owned() } })
}

impl IntoResponse for OpenAiError {
    fn into_response(self) -> Response {
        let err = match self {
            Self::App(err) => err,
            Self::Upstream(error) => return (StatusCode::BAD_GATEWAY, Json(error)).into_response(),
            Self::Unsupported { param, message } => {
                let detail = ErrorDetail {
                    message,
                    kind: "invalid_request_error",
                    param: Some(param),
                    code: "unsupported_parameter".to_owned(),
                };
                return (StatusCode::BAD_REQUEST, Json(ErrorBody { error: detail })).into_response();
            }
            Self::UnknownModel(model) => {
                let message = format!("The model `{model}` does not exist or you do not have access to it.");
                return (StatusCode::NOT_FOUND, body(message, "invalid_request_error", "model_not_found"))
                    .into_response();
            }
        };
        if let AppError::Internal(cause) = &err {
            tracing::error!(error = format!("{cause:#}"), "request failed");
            return (StatusCode::INTERNAL_SERVER_ERROR, body("internal error".into(), "server_error", "internal"))
                .into_response();
        }
        let problem = err.problem();
        let (status, kind, code) = match &err {
            AppError::Unauthorized | AppError::InvalidCredentials => {
                (StatusCode::UNAUTHORIZED, "invalid_request_error", "invalid_api_key")
            }
            AppError::QuotaExceeded { quota: Quota::ConcurrentTurns, .. } | AppError::RateLimited { .. } => {
                (StatusCode::TOO_MANY_REQUESTS, "requests", "rate_limit_exceeded")
            }
            AppError::QuotaExceeded { .. } => {
                (StatusCode::TOO_MANY_REQUESTS, "insufficient_quota", "insufficient_quota")
            }
            AppError::Forbidden(_) | AppError::UserSuspended | AppError::TenantSuspended => {
                (StatusCode::FORBIDDEN, "permission_error", problem.code)
            }
            AppError::NotFound => (StatusCode::NOT_FOUND, "invalid_request_error", problem.code),
            AppError::Conflict(_) | AppError::ConflictCode { .. } => {
                (StatusCode::CONFLICT, "invalid_request_error", problem.code)
            }
            // Every other refusal of the request is OpenAI's 400.
            _ => (StatusCode::BAD_REQUEST, "invalid_request_error", problem.code),
        };
        let mut response = (status, body(problem.detail, kind, code)).into_response();
        if let Some(seconds) = err.retry_after() {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
