//! HTTP plumbing every function shares: the error type, the JSON extractor,
//! request ids and the request's span, and [`app`], which wraps a function's routes in the layers
//! and routes that every function answers the same way.

pub mod error;
pub mod json;
pub mod openapi;
pub mod pagination;
pub mod request_id;
pub mod routes;
pub mod trace;

use axum::extract::DefaultBodyLimit;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router, middleware};
use serde_json::json;
use tower_http::catch_panic::CatchPanicLayer;

pub use error::{AppError, AppResult, Problem};
pub use json::ApiJson;
pub use pagination::{Page, PageParams};
pub use routes::RouteTable;

use crate::state::AppState;

/// Finishes a function's routes into its service; unknown routes answer 404.
pub fn app(routes: Router<AppState>, state: AppState) -> Router {
    finish(routes.fallback(not_found), state)
}

/// The API description every function's routes add their paths to.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(title = "Agent PaaS API", description = "Multi-tenant agent platform. Errors are application/problem+json."),
    modifiers(&BearerAuth),
    components(schemas(Problem))
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        let bearer = HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT or API key").build();
        components.add_security_scheme("bearer", SecurityScheme::Http(bearer));
        components
            .add_security_scheme("api_key", SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-API-Key"))));
    }
}

/// Adds what every service has: `GET /healthz`, problem+json for wrong
/// methods, the body limit, request ids, and panics answered as 500 problems
/// instead of dropped connections. The caller has chosen the fallback.
pub fn finish(routes: Router<AppState>, state: AppState) -> Router {
    let body_limit = state.config.max_body_bytes;
    routes
        .route("/healthz", get(healthz))
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(middleware::from_fn(request_id::middleware))
        .with_state(state)
}

async fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }))
}

pub async fn not_found() -> AppError {
    AppError::NotFound
}

async fn method_not_allowed() -> AppError {
    AppError::MethodNotAllowed
}

/// A panic is a bug: its message goes to the log (with the request's id),
/// the client gets a 500 problem like any other internal error.
fn panic_response(payload: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a non-text payload".into());
    AppError::internal(anyhow::anyhow!("handler panicked: {message}")).into_response()
}
