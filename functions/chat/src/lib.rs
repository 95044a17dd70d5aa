//! The chat function: `POST /api/v1/chat/completions` answers a message as
//! a server-sent event stream, stores the turn in a session, and counts its
//! tokens against the tenant's quota.

mod caps;
mod completions;
mod frames;
mod prepare;
mod turn;

use axum::Router;
use paas_shared::{AppState, http};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The routes this function serves, for merging into the local runner.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(completions::completions))
}

/// The function's complete service.
pub fn router(state: AppState) -> Router {
    http::app(routes(), state)
}
