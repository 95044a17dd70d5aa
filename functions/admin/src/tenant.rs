//! The caller's own tenant: profile and settings.

use axum::Json;
use axum::extract::State;
use paas_core::auth::permission::Permission;
use paas_core::auth::principal::Caller;
use paas_core::domain::DisplayName;
use paas_core::http::ApiJson;
use paas_core::identity::tenants::{self, TenantSettings, TenantView};
use paas_core::{AppResult, AppState};
use serde::Deserialize;

#[utoipa::path(get, path = "/api/v1/tenant", tag = "tenant", security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = TenantView), (status = 401, body = paas_core::http::Problem)))]
pub async fn get_tenant(caller: Caller) -> AppResult<Json<TenantView>> {
    caller.require(Permission::TenantRead)?;
    Ok(Json(caller.tenant.into()))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTenant {
    pub name: Option<DisplayName>,
    pub settings: Option<TenantSettings>,
}

#[utoipa::path(patch, path = "/api/v1/tenant", tag = "tenant", security(("bearer" = []), ("api_key" = [])),
    request_body = UpdateTenant,
    responses((status = 200, body = TenantView), (status = 403, body = paas_core::http::Problem),
        (status = 422, body = paas_core::http::Problem)))]
pub async fn update_tenant(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<UpdateTenant>,
) -> AppResult<Json<TenantView>> {
    caller.require(Permission::TenantManage)?;
    let mut tenant = caller.tenant;
    if let Some(name) = body.name {
        tenant.name = name;
    }
    if let Some(settings) = body.settings {
        settings.check()?;
        tenant.settings = settings;
    }
    tenants::save(&state.store, &mut tenant).await?;
    Ok(Json(tenant.into()))
}
