//! A tenant's API keys: created with a name, scopes and an optional expiry;
//! the full key is answered once; revoking stops it at once.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use paas_core::auth::api_key::ApiKeyId;
use paas_core::auth::permission::Permission;
use paas_core::auth::principal::{Actor, Caller};
use paas_core::domain::{DisplayName, Scope};
use paas_core::http::{ApiJson, Page, PageParams};
use paas_core::identity::api_keys::{self, ApiKeyView};
use paas_core::{AppError, AppResult, AppState};
use serde::{Deserialize, Serialize};

#[utoipa::path(get, path = "/api/v1/api-keys", tag = "api-keys", security(("bearer" = []), ("api_key" = [])),
    params(PageParams),
    responses((status = 200, body = Page<ApiKeyView>), (status = 403, body = paas_core::http::Problem)))]
pub async fn list_keys(
    State(state): State<AppState>,
    caller: Caller,
    page: PageParams,
) -> AppResult<Json<Page<ApiKeyView>>> {
    caller.require(Permission::ApiKeysManage)?;
    let (keys, next) = api_keys::list(&state.store, caller.tenant_id(), page.limit, page.cursor).await?;
    Ok(Json(Page::new(keys.iter().map(ApiKeyView::from).collect(), next)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateKey {
    pub name: DisplayName,
    #[schema(min_items = 1)]
    pub scopes: Vec<Scope>,
    /// When the key stops working; absent for a key that does not expire.
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedKey {
    /// The full key. It is shown this once and cannot be read again.
    pub key: String,
    pub api_key: ApiKeyView,
}

#[utoipa::path(post, path = "/api/v1/api-keys", tag = "api-keys", security(("bearer" = []), ("api_key" = [])),
    request_body = CreateKey,
    responses((status = 201, body = CreatedKey), (status = 422, body = paas_core::http::Problem),
        (status = 429, description = "API keys quota", body = paas_core::http::Problem)))]
pub async fn create_key(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<CreateKey>,
) -> AppResult<(StatusCode, Json<CreatedKey>)> {
    caller.require(Permission::ApiKeysManage)?;
    let mut scopes = body.scopes;
    scopes.sort();
    scopes.dedup();
    if scopes.is_empty() {
        return Err(AppError::Validation("a key needs at least one scope".into()));
    }
    if body.expires_at.is_some_and(|at| at <= Utc::now()) {
        return Err(AppError::Validation("expires_at must be in the future".into()));
    }
    // A key made by a key answers to the person behind that one.
    let created_by = match &caller.actor {
        Actor::User(user) => Some(user.user_id.clone()),
        Actor::ApiKey(key) => key.created_by.clone(),
    };
    let (record, key) = api_keys::create(
        &state.store,
        &state.key_hasher,
        &caller.tenant,
        body.name,
        scopes,
        body.expires_at,
        created_by,
    )
    .await?;
    tracing::info!(tenant_id = %caller.tenant_id(), key_id = record.key_id.as_str(), "API key created");
    Ok((StatusCode::CREATED, Json(CreatedKey { key: key.full.clone(), api_key: ApiKeyView::from(&record) })))
}

#[utoipa::path(delete, path = "/api/v1/api-keys/{key_id}", tag = "api-keys", security(("bearer" = []), ("api_key" = [])),
    params(("key_id" = String, Path)),
    responses((status = 204, description = "revoked"), (status = 404, body = paas_core::http::Problem)))]
pub async fn revoke_key(
    State(state): State<AppState>,
    caller: Caller,
    Path(key_id): Path<String>,
) -> AppResult<StatusCode> {
    caller.require(Permission::ApiKeysManage)?;
    let key_id = ApiKeyId::parse(&key_id).map_err(|_| AppError::NotFound)?;
    api_keys::revoke(&state.store, caller.tenant_id(), &key_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
