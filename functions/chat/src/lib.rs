//! The chat function: `POST /api/v1/chat/completions` answers a message as
//! a server-sent event stream, stores the turn in a session, and counts its
//! tokens against the tenant's quota; `/v1/chat/completions` and
//! `/v1/models` serve the same turns in OpenAI's wire format.

mod caps;
mod completions;
mod frames;
mod openai;
mod prepare;
mod turn;

use axum::Router;
use paas_core::http::RouteTable;
use paas_core::{AppState, http, route};

/// The routes this function serves: Lambda runs them, the local runner merges them.
pub fn routes<T: RouteTable<AppState>>(table: T) -> T {
    let table = route!(table, completions::completions);
    let table = route!(table, openai::create_chat_completion);
    route!(table, openai::list_models)
}

/// The function's complete service.
pub fn router(state: AppState) -> Router {
    http::app(routes(Router::new()), state)
}
