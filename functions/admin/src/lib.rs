//! The admin function: a tenant's workspace (profile, settings, LLM
//! provider, usage), its users, API keys, agents and tools, the catalog of
//! what is built in, and the platform operators' tenant lifecycle.

mod agents;
mod api_keys;
mod catalog;
mod llm;
mod platform;
mod tenant;
mod tools;
mod usage;
mod users;

use axum::Router;
use paas_core::http::RouteTable;
use paas_core::{AppState, http, route};

/// The routes this function serves: Lambda runs them, the local runner merges them.
pub fn routes<T: RouteTable<AppState>>(table: T) -> T {
    let table = route!(table, catalog::get_catalog);
    let table = route!(table, tenant::get_tenant, tenant::update_tenant);
    let table = route!(table, usage::get_usage);
    let table = route!(table, llm::get_llm, llm::put_llm);
    let table = route!(table, llm::test_llm);
    let table = route!(table, users::list_users, users::create_user);
    let table = route!(table, users::get_user, users::update_user, users::delete_user);
    let table = route!(table, api_keys::list_keys, api_keys::create_key);
    let table = route!(table, api_keys::revoke_key);
    let table = route!(table, agents::list_agents, agents::create_agent);
    let table = route!(table, agents::get_agent, agents::update_agent, agents::delete_agent);
    let table = route!(table, tools::list_tools, tools::create_tool);
    let table = route!(table, tools::get_tool, tools::update_tool, tools::delete_tool);
    let table = route!(table, platform::list_tenants);
    route!(table, platform::get_tenant, platform::update_tenant, platform::delete_tenant)
}

/// The function's complete service.
pub fn router(state: AppState) -> Router {
    http::app(routes(Router::new()), state)
}
