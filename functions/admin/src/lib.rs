//! The admin function: a tenant's workspace (profile, settings, usage), its
//! users and its API keys. Agents, tools and the LLM provider are the agents
//! function's; the operators' tenant lifecycle is the platform function's.

mod api_keys;
mod tenant;
mod usage;
mod users;

use axum::Router;
use paas_core::http::RouteTable;
use paas_core::{AppState, http, route};

/// The routes this function serves: Lambda runs them, the local runner merges them.
pub fn routes<T: RouteTable<AppState>>(table: T) -> T {
    let table = route!(table, tenant::get_tenant, tenant::update_tenant);
    let table = route!(table, usage::get_usage);
    let table = route!(table, users::list_users, users::create_user);
    let table = route!(table, users::get_user, users::update_user, users::delete_user);
    let table = route!(table, api_keys::list_keys, api_keys::create_key);
    route!(table, api_keys::revoke_key)
}

/// The function's complete service.
pub fn router(state: AppState) -> Router {
    http::app(routes(Router::new()), state)
}
