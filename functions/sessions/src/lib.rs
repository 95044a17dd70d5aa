//! The sessions function: conversations, their messages and agent logs.

mod routes;

use axum::Router;
use paas_core::http::RouteTable;
use paas_core::{AppState, http, route};

/// The routes this function serves: Lambda runs them, the local runner merges them.
pub fn routes<T: RouteTable<AppState>>(table: T) -> T {
    let table = route!(table, routes::list_sessions, routes::create_session);
    let table = route!(table, routes::get_session, routes::rename_session, routes::delete_session);
    let table = route!(table, routes::list_messages);
    route!(table, routes::session_log)
}

/// The function's complete service.
pub fn router(state: AppState) -> Router {
    http::app(routes(Router::new()), state)
}
