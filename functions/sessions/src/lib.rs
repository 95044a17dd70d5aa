//! The sessions function: conversations, their messages and agent logs.

mod routes;

use axum::Router;
use paas_shared::{AppState, http};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The routes this function serves, for merging into the local runner.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(routes::list_sessions, routes::create_session))
        .routes(routes!(routes::get_session, routes::rename_session, routes::delete_session))
        .routes(routes!(routes::list_messages))
        .routes(routes!(routes::session_log))
}

/// The function's complete service.
pub fn router(state: AppState) -> Router {
    http::app(routes(), state)
}
