//! The tenant's usage against every limit, with a daily series for charts.

use axum::Json;
use axum::extract::State;
use paas_core::auth::permission::Permission;
use paas_core::auth::principal::Caller;
use paas_core::metering::report::{self, UsageReport};
use paas_core::{AppResult, AppState};

#[utoipa::path(get, path = "/api/v1/tenant/usage", tag = "tenant", security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = UsageReport), (status = 403, body = paas_core::http::Problem)))]
pub async fn get_usage(State(state): State<AppState>, caller: Caller) -> AppResult<Json<UsageReport>> {
    caller.require(Permission::TenantManage)?;
    Ok(Json(report::report(&state.store, &caller.tenant).await?))
}
