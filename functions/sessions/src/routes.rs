//! Sessions are readable by everyone in the tenant who may read sessions;
//! renaming and deleting one is for its owner and admins.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use paas_core::auth::permission::Permission;
use paas_core::auth::principal::Caller;
use paas_core::conversation::{self, LogEntry, Message, Owner, Session};
use paas_core::domain::{TextRule, agent_types};
use paas_core::http::{ApiJson, Page, PageParams};
use paas_core::{AppError, AppResult, AppState};
use serde::Deserialize;

async fn find(state: &AppState, caller: &Caller, session_id: &str) -> AppResult<Session> {
    conversation::get(&state.store, caller.tenant_id(), session_id).await?.ok_or(AppError::NotFound)
}

#[utoipa::path(get, path = "/api/v1/sessions", tag = "sessions", security(("bearer" = []), ("api_key" = [])),
    params(PageParams),
    responses((status = 200, description = "newest first", body = Page<Session>)))]
pub async fn list_sessions(
    State(state): State<AppState>,
    caller: Caller,
    page: PageParams,
) -> AppResult<Json<Page<Session>>> {
    caller.require(Permission::SessionsRead)?;
    let (sessions, next) = conversation::list(&state.store, caller.tenant_id(), page.limit, page.cursor).await?;
    Ok(Json(Page::new(sessions, next)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSession {
    /// `New chat` when absent.
    #[serde(default)]
    #[schema(schema_with = optional_title)]
    pub title: Option<String>,
    /// A built-in agent type (default `assistant`).
    #[serde(default)]
    #[schema(schema_with = agent_types::schema)]
    pub agent_type: Option<String>,
}

const TITLE: TextRule = TextRule::line(200).not_blank();

fn title() -> utoipa::openapi::Schema {
    TITLE.schema(false)
}

fn optional_title() -> utoipa::openapi::Schema {
    TITLE.schema(true)
}

fn check_title(title: &str) -> AppResult<String> {
    TITLE.check("a title", title)?;
    Ok(title.trim().to_owned())
}

#[utoipa::path(post, path = "/api/v1/sessions", tag = "sessions", security(("bearer" = []), ("api_key" = [])),
    request_body = CreateSession,
    responses((status = 201, body = Session), (status = 429, description = "sessions per day", body = paas_core::http::Problem)))]
pub async fn create_session(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<CreateSession>,
) -> AppResult<(StatusCode, Json<Session>)> {
    caller.require(Permission::SessionsWrite)?;
    let title = body.title.as_deref().map(check_title).transpose()?.unwrap_or_else(|| "New chat".into());
    let agent_type = agent_types::checked(body.agent_type.as_deref())?.to_owned();
    let mut session = Session::new(title, Owner::of(&caller), Some(agent_type), None, None);
    conversation::open(&state.store, &caller.tenant, &mut session, None).await?;
    Ok((StatusCode::CREATED, Json(session)))
}

#[utoipa::path(get, path = "/api/v1/sessions/{session_id}", tag = "sessions", security(("bearer" = []), ("api_key" = [])),
    params(("session_id" = String, Path)),
    responses((status = 200, body = Session), (status = 404, body = paas_core::http::Problem)))]
pub async fn get_session(
    State(state): State<AppState>,
    caller: Caller,
    Path(session_id): Path<String>,
) -> AppResult<Json<Session>> {
    caller.require(Permission::SessionsRead)?;
    Ok(Json(find(&state, &caller, &session_id).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenameSession {
    #[schema(schema_with = title)]
    pub title: String,
}

#[utoipa::path(patch, path = "/api/v1/sessions/{session_id}", tag = "sessions", security(("bearer" = []), ("api_key" = [])),
    params(("session_id" = String, Path)), request_body = RenameSession,
    responses((status = 200, body = Session), (status = 404, body = paas_core::http::Problem)))]
pub async fn rename_session(
    State(state): State<AppState>,
    caller: Caller,
    Path(session_id): Path<String>,
    ApiJson(body): ApiJson<RenameSession>,
) -> AppResult<Json<Session>> {
    caller.require(Permission::SessionsWrite)?;
    let session = find(&state, &caller, &session_id).await?;
    session.check_may_change(&caller)?;
    let title = check_title(&body.title)?;
    Ok(Json(conversation::rename(&state.store, caller.tenant_id(), &session, &title).await?))
}

#[utoipa::path(delete, path = "/api/v1/sessions/{session_id}", tag = "sessions", security(("bearer" = []), ("api_key" = [])),
    params(("session_id" = String, Path)),
    responses((status = 204, description = "deleted with its messages and log (also when a deletion that failed half-way is retried)"),
        (status = 404, body = paas_core::http::Problem)))]
pub async fn delete_session(
    State(state): State<AppState>,
    caller: Caller,
    Path(session_id): Path<String>,
) -> AppResult<StatusCode> {
    caller.require(Permission::SessionsWrite)?;
    // A session being deleted is found too: this request finishes what a failed one began.
    let session =
        conversation::get_to_delete(&state.store, caller.tenant_id(), &session_id).await?.ok_or(AppError::NotFound)?;
    session.check_may_change(&caller)?;
    conversation::delete(&state.store, caller.tenant_id(), &session.session_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/sessions/{session_id}/messages", tag = "sessions", security(("bearer" = []), ("api_key" = [])),
    params(("session_id" = String, Path), PageParams),
    responses((status = 200, description = "newest first", body = Page<Message>), (status = 404, body = paas_core::http::Problem)))]
pub async fn list_messages(
    State(state): State<AppState>,
    caller: Caller,
    Path(session_id): Path<String>,
    page: PageParams,
) -> AppResult<Json<Page<Message>>> {
    caller.require(Permission::SessionsRead)?;
    let session = find(&state, &caller, &session_id).await?;
    let (items, next) =
        conversation::messages(&state.store, caller.tenant_id(), &session.session_id, page.limit, page.cursor).await?;
    Ok(Json(Page::new(items, next)))
}

#[utoipa::path(get, path = "/api/v1/sessions/{session_id}/log", tag = "sessions", security(("bearer" = []), ("api_key" = [])),
    params(("session_id" = String, Path), PageParams),
    responses((status = 200, description = "thoughts and tool steps, in order", body = Page<LogEntry>),
        (status = 404, body = paas_core::http::Problem)))]
pub async fn session_log(
    State(state): State<AppState>,
    caller: Caller,
    Path(session_id): Path<String>,
    page: PageParams,
) -> AppResult<Json<Page<LogEntry>>> {
    caller.require(Permission::SessionsRead)?;
    let session = find(&state, &caller, &session_id).await?;
    let (items, next) =
        conversation::log(&state.store, caller.tenant_id(), &session.session_id, page.limit, page.cursor).await?;
    Ok(Json(Page::new(items, next)))
}
