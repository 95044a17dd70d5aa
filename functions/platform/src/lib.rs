//! The platform function: the operators' tenant lifecycle. Every tenant,
//! its plan and quota overrides, suspension and reactivation, and deletion
//! with everything it owns. It is the only function that lists secrets (a
//! tenant's deletion walks them); with auth and the authorizer it keeps
//! tenants' API Gateway keys in step.

mod tenants;

use axum::Router;
use paas_core::http::RouteTable;
use paas_core::{AppState, http, route};

/// The routes this function serves: Lambda runs them, the local runner merges them.
pub fn routes<T: RouteTable<AppState>>(table: T) -> T {
    let table = route!(table, tenants::list_tenants);
    route!(table, tenants::get_tenant, tenants::update_tenant, tenants::delete_tenant)
}

/// The function's complete service.
pub fn router(state: AppState) -> Router {
    http::app(routes(Router::new()), state)
}
