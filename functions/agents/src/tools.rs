//! A tenant's own HTTP tools, for its agents to call: admins register a
//! name, description, JSON-schema parameters and an https endpoint, with an
//! optional write-only secret header.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use paas_agents::tenant_tools::{self, TenantTool, ToolFields};
use paas_core::auth::permission::Permission;
use paas_core::auth::principal::Caller;
use paas_core::http::{ApiJson, Page, PageParams};
use paas_core::{AppError, AppResult, AppState};
use paas_llm::net_guard;

async fn find(state: &AppState, caller: &Caller, tool_id: &str) -> AppResult<TenantTool> {
    tenant_tools::get(&state.store, caller.tenant_id(), tool_id).await?.ok_or(AppError::NotFound)
}

#[utoipa::path(get, path = "/api/v1/tools", tag = "tools", security(("bearer" = []), ("api_key" = [])),
    params(PageParams),
    responses((status = 200, description = "newest first", body = Page<TenantTool>), (status = 403, body = paas_core::http::Problem)))]
pub async fn list_tools(
    State(state): State<AppState>,
    caller: Caller,
    page: PageParams,
) -> AppResult<Json<Page<TenantTool>>> {
    caller.require(Permission::TenantManage)?;
    let (tools, next) = tenant_tools::list(&state.store, caller.tenant_id(), page.limit, page.cursor).await?;
    Ok(Json(Page::new(tools, next)))
}

#[utoipa::path(post, path = "/api/v1/tools", tag = "tools", security(("bearer" = []), ("api_key" = [])),
    request_body = tenant_tools::NewTool,
    responses((status = 201, body = TenantTool), (status = 409, description = "name taken", body = paas_core::http::Problem),
        (status = 422, body = paas_core::http::Problem),
        (status = 429, description = "tools quota", body = paas_core::http::Problem)))]
pub async fn create_tool(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<ToolFields>,
) -> AppResult<(StatusCode, Json<TenantTool>)> {
    caller.require(Permission::TenantManage)?;
    let policy = net_guard::policy(&state.config);
    let max_tools = caller.tenant.quotas().max_tools;
    let tool = tenant_tools::create(&state.store, state.secrets.as_ref(), &policy, caller.tenant_id(), max_tools, body)
        .await?;
    Ok((StatusCode::CREATED, Json(tool)))
}

#[utoipa::path(get, path = "/api/v1/tools/{tool_id}", tag = "tools", security(("bearer" = []), ("api_key" = [])),
    params(("tool_id" = String, Path)),
    responses((status = 200, body = TenantTool), (status = 404, body = paas_core::http::Problem)))]
pub async fn get_tool(
    State(state): State<AppState>,
    caller: Caller,
    Path(tool_id): Path<String>,
) -> AppResult<Json<TenantTool>> {
    caller.require(Permission::TenantManage)?;
    Ok(Json(find(&state, &caller, &tool_id).await?))
}

#[utoipa::path(patch, path = "/api/v1/tools/{tool_id}", tag = "tools", security(("bearer" = []), ("api_key" = [])),
    params(("tool_id" = String, Path)), request_body = ToolFields,
    responses((status = 200, body = TenantTool), (status = 404, body = paas_core::http::Problem),
        (status = 409, description = "`tool_name_taken`, or `secret_required`: a changed endpoint without the secret_header", body = paas_core::http::Problem),
        (status = 422, description = "invalid fields", body = paas_core::http::Problem)))]
pub async fn update_tool(
    State(state): State<AppState>,
    caller: Caller,
    Path(tool_id): Path<String>,
    ApiJson(body): ApiJson<ToolFields>,
) -> AppResult<Json<TenantTool>> {
    caller.require(Permission::TenantManage)?;
    let tool = find(&state, &caller, &tool_id).await?;
    let policy = net_guard::policy(&state.config);
    Ok(Json(tenant_tools::update(&state.store, state.secrets.as_ref(), &policy, caller.tenant_id(), tool, body).await?))
}

#[utoipa::path(delete, path = "/api/v1/tools/{tool_id}", tag = "tools", security(("bearer" = []), ("api_key" = [])),
    params(("tool_id" = String, Path)),
    responses((status = 204, description = "deleted"), (status = 404, body = paas_core::http::Problem),
        (status = 409, description = "renamed meanwhile: try again", body = paas_core::http::Problem)))]
pub async fn delete_tool(
    State(state): State<AppState>,
    caller: Caller,
    Path(tool_id): Path<String>,
) -> AppResult<StatusCode> {
    caller.require(Permission::TenantManage)?;
    let tool = find(&state, &caller, &tool_id).await?;
    tenant_tools::delete(&state.store, state.secrets.as_ref(), caller.tenant_id(), &tool).await?;
    Ok(StatusCode::NO_CONTENT)
}
