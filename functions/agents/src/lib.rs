//! The agents function: what a tenant's agents are made of. The catalog of
//! what is built in, the tenant's LLM provider (and its connection test),
//! its own agents and its HTTP tools. It links the provider clients (for the
//! test) and writes and deletes the tenant's provider key and tool secrets.

mod agents;
mod catalog;
mod llm;
mod tools;

use axum::Router;
use paas_core::http::RouteTable;
use paas_core::{AppState, http, route};

/// The routes this function serves: Lambda runs them, the local runner merges them.
pub fn routes<T: RouteTable<AppState>>(table: T) -> T {
    let table = route!(table, catalog::get_catalog);
    let table = route!(table, llm::get_llm, llm::put_llm);
    let table = route!(table, llm::test_llm);
    let table = route!(table, agents::list_agents, agents::create_agent);
    let table = route!(table, agents::get_agent, agents::update_agent, agents::delete_agent);
    let table = route!(table, tools::list_tools, tools::create_tool);
    route!(table, tools::get_tool, tools::update_tool, tools::delete_tool)
}

/// The function's complete service.
pub fn router(state: AppState) -> Router {
    http::app(routes(Router::new()), state)
}
