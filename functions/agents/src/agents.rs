//! A tenant's agents: everyone reads them; admins (and users, when the
//! tenant allows) create, edit and delete them.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use paas_agents::definition::{self, Agent, AgentFields};
use paas_core::auth::permission::Permission;
use paas_core::auth::principal::Caller;
use paas_core::conversation::Owner;
use paas_core::domain::Role;
use paas_core::http::{ApiJson, Page, PageParams};
use paas_core::{AppError, AppResult, AppState};
use paas_llm::settings;

/// Agents are the admins' to manage, and also the users' where the tenant allows it.
fn require_manage(caller: &Caller) -> AppResult<()> {
    let members_may = caller.tenant.settings.members_manage_agents && caller.role() == Some(Role::User);
    if members_may { Ok(()) } else { caller.require(Permission::AgentsManage) }
}

/// An agent's provider override must name a provider the tenant configured.
async fn check_provider(state: &AppState, caller: &Caller, agent: &Agent) -> AppResult<()> {
    if let Some(kind) = agent.provider
        && settings::get_for(&state.store, caller.tenant_id(), kind).await?.is_none()
    {
        return Err(AppError::ConflictCode {
            code: "provider_not_configured",
            detail: format!("the tenant has not configured the {} provider (PUT /api/v1/tenant/llm)", kind.as_str()),
        });
    }
    Ok(())
}

async fn find(state: &AppState, caller: &Caller, agent_id: &str) -> AppResult<Agent> {
    definition::get(&state.store, caller.tenant_id(), agent_id).await?.ok_or(AppError::NotFound)
}

#[utoipa::path(get, path = "/api/v1/agents", tag = "agents", security(("bearer" = []), ("api_key" = [])),
    params(PageParams),
    responses((status = 200, description = "newest first", body = Page<Agent>)))]
pub async fn list_agents(
    State(state): State<AppState>,
    caller: Caller,
    page: PageParams,
) -> AppResult<Json<Page<Agent>>> {
    caller.require(Permission::AgentsRead)?;
    let (agents, next) = definition::list(&state.store, caller.tenant_id(), page.limit, page.cursor).await?;
    Ok(Json(Page::new(agents, next)))
}

#[utoipa::path(post, path = "/api/v1/agents", tag = "agents", security(("bearer" = []), ("api_key" = [])),
    request_body = definition::NewAgent,
    responses((status = 201, body = Agent),
        (status = 409, description = "`provider_not_configured`: the tenant has no settings for the agent's provider", body = paas_core::http::Problem),
        (status = 429, description = "agents quota", body = paas_core::http::Problem)))]
pub async fn create_agent(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<AgentFields>,
) -> AppResult<(StatusCode, Json<Agent>)> {
    require_manage(&caller)?;
    let known = body.known_tools(&state.store, caller.tenant_id()).await?;
    let agent = Agent::create(body, Owner::of(&caller), &known)?;
    check_provider(&state, &caller, &agent).await?;
    definition::create(&state.store, caller.tenant_id(), caller.tenant.quotas().max_agents, &agent).await?;
    Ok((StatusCode::CREATED, Json(agent)))
}

#[utoipa::path(get, path = "/api/v1/agents/{agent_id}", tag = "agents", security(("bearer" = []), ("api_key" = [])),
    params(("agent_id" = String, Path)),
    responses((status = 200, body = Agent), (status = 404, body = paas_core::http::Problem)))]
pub async fn get_agent(
    State(state): State<AppState>,
    caller: Caller,
    Path(agent_id): Path<String>,
) -> AppResult<Json<Agent>> {
    caller.require(Permission::AgentsRead)?;
    Ok(Json(find(&state, &caller, &agent_id).await?))
}

#[utoipa::path(patch, path = "/api/v1/agents/{agent_id}", tag = "agents", security(("bearer" = []), ("api_key" = [])),
    params(("agent_id" = String, Path)), request_body = AgentFields,
    responses((status = 200, description = "the next version", body = Agent), (status = 404, body = paas_core::http::Problem),
        (status = 409, description = "changed meanwhile; `provider_not_configured`: the tenant has no settings for the agent's provider", body = paas_core::http::Problem)))]
pub async fn update_agent(
    State(state): State<AppState>,
    caller: Caller,
    Path(agent_id): Path<String>,
    ApiJson(body): ApiJson<AgentFields>,
) -> AppResult<Json<Agent>> {
    require_manage(&caller)?;
    let mut agent = find(&state, &caller, &agent_id).await?;
    let known = body.known_tools(&state.store, caller.tenant_id()).await?;
    body.apply(&mut agent, &known)?;
    check_provider(&state, &caller, &agent).await?;
    definition::save(&state.store, caller.tenant_id(), &mut agent).await?;
    Ok(Json(agent))
}

#[utoipa::path(delete, path = "/api/v1/agents/{agent_id}", tag = "agents", security(("bearer" = []), ("api_key" = [])),
    params(("agent_id" = String, Path)),
    responses((status = 204, description = "deleted"), (status = 404, body = paas_core::http::Problem)))]
pub async fn delete_agent(
    State(state): State<AppState>,
    caller: Caller,
    Path(agent_id): Path<String>,
) -> AppResult<StatusCode> {
    require_manage(&caller)?;
    let agent = find(&state, &caller, &agent_id).await?;
    definition::delete(&state.store, caller.tenant_id(), &agent).await?;
    Ok(StatusCode::NO_CONTENT)
}
