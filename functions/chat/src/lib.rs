//! The chat function: streaming chat completions.

use axum::Router;
use paas_shared::{AppState, http};
use utoipa_axum::router::OpenApiRouter;

/// The routes this function serves, for merging into the local runner.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
}

/// The function's complete service.
pub fn router(state: AppState) -> Router {
    http::app(routes(), state)
}
