//! Platform operators: every tenant, its plan and quota overrides,
//! suspension and reactivation, and deletion with everything it owns.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use paas_core::auth::principal::Operator;
use paas_core::domain::{Plan, QuotaOverrides, TenantId, TenantStatus};
use paas_core::http::{ApiJson, Page, PageParams};
use paas_core::identity::gateway_keys::GatewayKeys;
use paas_core::identity::tenants::{self, Tenant, TenantView};
use paas_core::{AppError, AppResult, AppState};
use serde::Deserialize;

#[utoipa::path(get, path = "/api/platform/tenants", tag = "platform", security(("bearer" = [])),
    params(PageParams),
    responses((status = 200, body = Page<TenantView>), (status = 403, body = paas_core::http::Problem)))]
pub async fn list_tenants(
    State(state): State<AppState>,
    _: Operator,
    page: PageParams,
) -> AppResult<Json<Page<TenantView>>> {
    let (tenants, next) = tenants::list(&state.store, page.limit, page.cursor).await?;
    Ok(Json(Page::new(tenants.into_iter().map(TenantView::from).collect(), next)))
}

async fn find(state: &AppState, tenant_id: &str) -> AppResult<Tenant> {
    let tenant_id = TenantId::parse(tenant_id).map_err(|_| AppError::NotFound)?;
    tenants::get(&state.store, &tenant_id).await?.ok_or(AppError::NotFound)
}

#[utoipa::path(get, path = "/api/platform/tenants/{tenant_id}", operation_id = "platform_get_tenant", tag = "platform", security(("bearer" = [])),
    params(("tenant_id" = String, Path)),
    responses((status = 200, body = TenantView), (status = 404, body = paas_core::http::Problem)))]
pub async fn get_tenant(
    State(state): State<AppState>,
    _: Operator,
    Path(tenant_id): Path<String>,
) -> AppResult<Json<TenantView>> {
    Ok(Json(find(&state, &tenant_id).await?.into()))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTenantPlan {
    pub plan: Option<Plan>,
    /// `suspended` blocks every user and key of the tenant at once; `active` lifts it.
    pub status: Option<TenantStatus>,
    /// Replaces the overrides; fields left out follow the plan.
    pub quota_overrides: Option<QuotaOverrides>,
}

#[utoipa::path(patch, path = "/api/platform/tenants/{tenant_id}", operation_id = "platform_update_tenant", tag = "platform", security(("bearer" = [])),
    params(("tenant_id" = String, Path)), request_body = UpdateTenantPlan,
    responses((status = 200, body = TenantView), (status = 404, body = paas_core::http::Problem)))]
pub async fn update_tenant(
    State(state): State<AppState>,
    operator: Operator,
    Path(tenant_id): Path<String>,
    ApiJson(body): ApiJson<UpdateTenantPlan>,
) -> AppResult<Json<TenantView>> {
    let mut tenant = find(&state, &tenant_id).await?;
    if let Some(plan) = body.plan {
        tenant.plan = plan;
    }
    if let Some(status) = body.status {
        tenant.status = status;
    }
    if let Some(overrides) = body.quota_overrides {
        tenant.quota_overrides = overrides;
    }
    tenants::save(&state.store, &mut tenant).await?;
    tracing::info!(tenant_id = %tenant.tenant_id, operator = %operator.user.user_id, status = ?tenant.status, plan = ?tenant.plan, "tenant changed");
    // The record is the truth: its API Gateway key follows it (another usage
    // plan, disabled while suspended). A failure is logged, not raised; the
    // authorizer repairs the key on the tenant's next request, and a
    // suspended tenant is refused by the authorizer and every function anyway.
    if let Some(gateway) = &state.gateway_keys
        && !GatewayKeys::in_step(&tenant)
        && let Err(err) = gateway.sync(&state.store, &tenant).await
    {
        tracing::warn!(tenant_id = %tenant.tenant_id, error = %err, "could not update the tenant's API Gateway key");
    }
    Ok(Json(tenant.into()))
}

#[utoipa::path(delete, path = "/api/platform/tenants/{tenant_id}", tag = "platform", security(("bearer" = [])),
    params(("tenant_id" = String, Path)),
    responses((status = 204, description = "the tenant and everything it owned are gone (also when a deletion that failed half-way is retried)"),
        (status = 404, body = paas_core::http::Problem)))]
pub async fn delete_tenant(
    State(state): State<AppState>,
    operator: Operator,
    Path(tenant_id): Path<String>,
) -> AppResult<StatusCode> {
    let tenant_id = TenantId::parse(&tenant_id).map_err(|_| AppError::NotFound)?;
    // A tenant being deleted is found too: this request finishes what a failed one began.
    let tenant = tenants::get_to_delete(&state.store, &tenant_id).await?.ok_or(AppError::NotFound)?;
    // Once it is marked, its users and keys are refused and its turns' writes fail; a failure
    // after that answers 500 and leaves it marked, for a retry to finish.
    paas_core::identity::deletion::delete(&state.store, state.secrets.as_ref(), state.gateway_keys.as_deref(), &tenant)
        .await?;
    tracing::info!(tenant_id = %tenant.tenant_id, operator = %operator.user.user_id, "tenant deleted");
    Ok(StatusCode::NO_CONTENT)
}
