//! The tenants function: the tenant's profile and settings, its users and
//! API keys, and the platform operators' tenant lifecycle.

mod agents;
mod api_keys;
mod llm;
mod platform;
mod tenant;
mod tools;
mod usage;
mod users;

use axum::Router;
use paas_shared::{AppState, http};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The routes this function serves, for merging into the local runner.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(tenant::get_tenant, tenant::update_tenant))
        .routes(routes!(usage::get_usage))
        .routes(routes!(llm::get_llm, llm::put_llm))
        .routes(routes!(llm::test_llm))
        .routes(routes!(users::list_users, users::create_user))
        .routes(routes!(users::get_user, users::update_user, users::delete_user))
        .routes(routes!(api_keys::list_keys, api_keys::create_key))
        .routes(routes!(api_keys::revoke_key))
        .routes(routes!(agents::list_agents, agents::create_agent))
        .routes(routes!(agents::get_agent, agents::update_agent, agents::delete_agent))
        .routes(routes!(tools::list_tools, tools::create_tool))
        .routes(routes!(tools::get_tool, tools::update_tool, tools::delete_tool))
        .routes(routes!(platform::list_tenants))
        .routes(routes!(platform::get_tenant, platform::update_tenant, platform::delete_tenant))
}

/// The function's complete service.
pub fn router(state: AppState) -> Router {
    http::app(routes(), state)
}
