//! A JSON body extractor whose rejections are our problem+json errors, so
//! malformed bodies, wrong types and oversized bodies get our error shape.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::error::AppError;

pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !json_content_type(request.headers()) {
            return Err(AppError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(request, state).await.map_err(|err| match err.status() {
            StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
            _ => AppError::BadRequest(err.body_text()),
        })?;
        let Ok(mut value) = serde_json::from_slice::<Value>(&bytes) else {
            return Err(AppError::BadRequest("the body is not valid JSON".into()));
        };
        // Every body this API takes is an object; serde would also read a
        // struct from an array of its fields in order.
        if !value.is_object() {
            return Err(AppError::Validation("the body must be a JSON object".into()));
        }
        whole_numbers_as_integers(&mut value);
        T::deserialize(value)
            .map(Self)
            .map_err(|err| AppError::Validation(format!("the body does not fit this route: {err}")))
    }
}

/// `5.0` is the integer 5 to JSON Schema, as the API's description states
/// its integers; serde reads an integer field only from `5`.
fn whole_numbers_as_integers(value: &mut Value) {
    match value {
        Value::Number(number) if number.is_f64() => {
            let whole = number.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 2f64.powi(53));
            if let Some(whole) = whole {
                *value = Value::from(whole as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_numbers_as_integers),
        Value::Object(fields) => fields.values_mut().for_each(whole_numbers_as_integers),
        _ => {}
    }
}

/// `application/json`, or an `application/*+json` type, as axum's `Json` takes.
fn json_content_type(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) else { return false };
    let essence = value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}
