//! A tenant's users: admins add people (with a password, or an invite they
//! accept themselves), change roles, suspend and delete them.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use paas_core::auth::password::{self, Password};
use paas_core::auth::permission::Permission;
use paas_core::auth::principal::Caller;
use paas_core::domain::{DisplayName, Email, Role, UserId, UserStatus};
use paas_core::http::{ApiJson, Page, PageParams};
use paas_core::identity::invites;
use paas_core::identity::users::{self, User, UserView};
use paas_core::{AppError, AppResult, AppState};
use serde::{Deserialize, Serialize};

#[utoipa::path(get, path = "/api/v1/users", tag = "users", security(("bearer" = []), ("api_key" = [])),
    params(PageParams),
    responses((status = 200, body = Page<UserView>), (status = 403, body = paas_core::http::Problem)))]
pub async fn list_users(
    State(state): State<AppState>,
    caller: Caller,
    page: PageParams,
) -> AppResult<Json<Page<UserView>>> {
    caller.require(Permission::UsersManage)?;
    let (users, next) = users::list(&state.store, caller.tenant_id(), page.limit, page.cursor).await?;
    Ok(Json(Page::new(users.iter().map(UserView::from).collect(), next)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    pub email: Email,
    pub role: Role,
    #[serde(default)]
    pub name: Option<DisplayName>,
    /// An initial password; without one the user gets a one-time invite token.
    #[serde(default)]
    #[schema(min_length = 10, max_length = 128)]
    pub password: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedUser {
    pub user: UserView,
    /// Shown once, when the user was invited instead of given a password.
    pub invite_token: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/users", tag = "users", security(("bearer" = []), ("api_key" = [])),
    request_body = CreateUser,
    responses((status = 201, body = CreatedUser),
        (status = 409, description = "email taken here, or it has the most accounts allowed", body = paas_core::http::Problem),
        (status = 429, description = "users quota", body = paas_core::http::Problem)))]
pub async fn create_user(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<CreateUser>,
) -> AppResult<(StatusCode, Json<CreatedUser>)> {
    caller.require(Permission::UsersManage)?;
    let tenant_id = caller.tenant_id();
    let mut user = User::new(tenant_id.as_str(), body.email, body.name, Some(body.role));
    match body.password {
        Some(text) => {
            let password =
                Password::parse_for(&text, user.email.as_str()).map_err(|e| AppError::Validation(e.to_string()))?;
            user.password_hash = Some(password::hash_async(&password).await.map_err(AppError::internal)?);
        }
        None => user.status = UserStatus::Invited,
    }
    users::create_in_tenant(&state.store, tenant_id, caller.tenant.quotas().max_users, &user).await?;
    let invite_token = match user.status {
        UserStatus::Invited => Some(invites::create(&state.store, tenant_id, &user.user_id).await?),
        _ => None,
    };
    tracing::info!(tenant_id = %tenant_id, user_id = %user.user_id, "user created");
    Ok((StatusCode::CREATED, Json(CreatedUser { user: UserView::from(&user), invite_token })))
}

/// A user of the caller's tenant; any other id (malformed, missing, another
/// tenant's) is the same 404.
async fn find(state: &AppState, caller: &Caller, user_id: &str) -> AppResult<User> {
    let user_id = UserId::parse(user_id).map_err(|_| AppError::NotFound)?;
    users::get(&state.store, caller.tenant_id().as_str(), &user_id).await?.ok_or(AppError::NotFound)
}

#[utoipa::path(get, path = "/api/v1/users/{user_id}", tag = "users", security(("bearer" = []), ("api_key" = [])),
    params(("user_id" = String, Path)),
    responses((status = 200, body = UserView), (status = 404, body = paas_core::http::Problem)))]
pub async fn get_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(user_id): Path<String>,
) -> AppResult<Json<UserView>> {
    caller.require(Permission::UsersManage)?;
    Ok(Json(UserView::from(&find(&state, &caller, &user_id).await?)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    pub role: Option<Role>,
    /// An invited user becomes `active` only by accepting the invite.
    #[schema(schema_with = settable_status)]
    pub status: Option<UserStatus>,
    pub name: Option<DisplayName>,
}

/// The statuses an admin may set: `invited` only ever comes from a create.
fn settable_status() -> utoipa::openapi::Schema {
    let schema = serde_json::json!({ "type": ["string", "null"], "enum": ["active", "suspended", null] });
    serde_json::from_value(schema).expect("a valid schema")
}

/// Admins cannot lock themselves out by demoting, suspending or deleting
/// their own account; another admin must.
fn not_self(caller: &Caller, user: &User) -> AppResult<()> {
    if caller.user_id() == Some(&user.user_id) {
        return Err(AppError::Forbidden("you cannot change the role or status of, or delete, your own account".into()));
    }
    Ok(())
}

#[utoipa::path(patch, path = "/api/v1/users/{user_id}", tag = "users", security(("bearer" = []), ("api_key" = [])),
    params(("user_id" = String, Path)), request_body = UpdateUser,
    responses((status = 200, body = UserView), (status = 404, body = paas_core::http::Problem),
        (status = 409, description = "`last_admin`: the tenant's last active admin; `invite_pending`: the user has not accepted the invite", body = paas_core::http::Problem)))]
pub async fn update_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(user_id): Path<String>,
    ApiJson(body): ApiJson<UpdateUser>,
) -> AppResult<Json<UserView>> {
    caller.require(Permission::UsersManage)?;
    let seen = find(&state, &caller, &user_id).await?;
    let mut user = seen.clone();
    let mut revoke = false;
    if let Some(role) = body.role.filter(|r| user.role != Some(*r)) {
        not_self(&caller, &user)?;
        user.role = Some(role);
        revoke = true;
    }
    if let Some(status) = body.status.filter(|s| *s != user.status) {
        not_self(&caller, &user)?;
        if status == UserStatus::Invited {
            return Err(AppError::Validation("status is active or suspended".into()));
        }
        if user.status == UserStatus::Invited {
            return Err(AppError::ConflictCode {
                code: "invite_pending",
                detail: "an invited user becomes active by accepting the invite".into(),
            });
        }
        user.status = status;
        revoke = true;
    }
    if let Some(name) = body.name {
        user.name = Some(name);
    }
    // A new role or status takes effect at once: older tokens stop working.
    let user = users::save(&state.store, &seen, user, revoke).await?;
    Ok(Json(UserView::from(&user)))
}

#[utoipa::path(delete, path = "/api/v1/users/{user_id}", tag = "users", security(("bearer" = []), ("api_key" = [])),
    params(("user_id" = String, Path)),
    responses((status = 204, description = "deleted"), (status = 404, body = paas_core::http::Problem),
        (status = 409, description = "`last_admin`: the tenant's last active admin", body = paas_core::http::Problem)))]
pub async fn delete_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(user_id): Path<String>,
) -> AppResult<StatusCode> {
    caller.require(Permission::UsersManage)?;
    let user = find(&state, &caller, &user_id).await?;
    not_self(&caller, &user)?;
    users::delete_in_tenant(&state.store, caller.tenant_id(), &user).await?;
    Ok(StatusCode::NO_CONTENT)
}
