//! The tenant's usage against every limit, with a daily series for charts.

use axum::Json;
use axum::extract::State;
use paas_shared::auth::permission::Permission;
use paas_shared::auth::principal::Caller;
use paas_shared::identity::usage::{self, UsageReport};
use paas_shared::{AppResult, AppState};

#[utoipa::path(get, path = "/api/v1/tenant/usage", tag = "tenant", security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = UsageReport), (status = 403, body = paas_shared::http::Problem)))]
pub async fn get_usage(State(state): State<AppState>, caller: Caller) -> AppResult<Json<UsageReport>> {
    caller.require(Permission::TenantManage)?;
    Ok(Json(usage::report(&state.store, &caller.tenant).await?))
}
