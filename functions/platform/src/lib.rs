//! The platform function: the operators' tenant lifecycle. Every tenant,
//! its plan and quota overrides, suspension and reactivation, and deletion
//! with everything it owns. It alone of the tenant-facing functions keeps
//! API Gateway keys in step and lists and deletes secrets (a tenant's, as
//! the tenant goes).

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
