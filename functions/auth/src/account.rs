//! The signed-in user's session and account: refresh, log-out (here or
//! everywhere), who am I, password change, and accepting an invite.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use paas_core::auth::client_addr::ClientAddr;
use paas_core::auth::password::{self, Password};
use paas_core::auth::permission::Permission;
use paas_core::auth::principal::SignedIn;
use paas_core::domain::{DisplayName, TenantId, TenantStatus, UserStatus};
use paas_core::http::ApiJson;
use paas_core::identity::tenants::{self, TenantView};
use paas_core::identity::users::{self, UserView};
use paas_core::identity::{PLATFORM, invites, refresh, throttle};
use paas_core::{AppError, AppResult, AppState};
use serde::{Deserialize, Serialize};

use crate::tokens::{self, TokenResponse};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

#[utoipa::path(post, path = "/api/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = paas_core::http::Problem),
        (status = 403, description = "`tenant_suspended`", body = paas_core::http::Problem),
        (status = 409, description = "`refresh_token_rotated`: rotated by a parallel request", body = paas_core::http::Problem)))]
pub async fn refresh(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<RefreshRequest>,
) -> AppResult<Json<TokenResponse>> {
    let grace = chrono::Duration::seconds(state.config.refresh_grace_secs.into());
    let rotated = refresh::rotate(&state.store, &body.refresh_token, grace).await?;
    let user = users::get(&state.store, &rotated.partition, &rotated.user_id).await?;
    let fit = user.filter(|u| u.status == UserStatus::Active && u.token_version == rotated.token_version);
    let Some(user) = fit else {
        refresh::end(&state.store, &rotated.next.token, grace).await?;
        return Err(AppError::Unauthorized);
    };
    if user.partition != PLATFORM {
        let tenant_id = TenantId::parse(&user.partition).map_err(AppError::internal)?;
        let tenant = tenants::get(&state.store, &tenant_id).await?.ok_or(AppError::Unauthorized)?;
        if tenant.status != TenantStatus::Active {
            return Err(AppError::TenantSuspended);
        }
    }
    Ok(Json(tokens::respond(&state, &user, rotated.next).await?))
}

/// Ends the session of a live refresh token; any other token ends nothing,
/// with the same answer.
#[utoipa::path(post, path = "/api/auth/logout", tag = "auth", request_body = RefreshRequest,
    responses((status = 204, description = "the refresh token's family is ended, if the token was its live one")))]
pub async fn logout(State(state): State<AppState>, ApiJson(body): ApiJson<RefreshRequest>) -> AppResult<StatusCode> {
    let grace = chrono::Duration::seconds(state.config.refresh_grace_secs.into());
    refresh::end(&state.store, &body.refresh_token, grace).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/auth/logout-all", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "every token of the user is revoked"), (status = 401, body = paas_core::http::Problem)))]
pub async fn logout_all(State(state): State<AppState>, signed_in: SignedIn) -> AppResult<StatusCode> {
    users::revoke_tokens(&state.store, &signed_in.user).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MeResponse {
    pub user: UserView,
    /// Absent for platform operators.
    pub tenant: Option<TenantView>,
    pub permissions: Vec<Permission>,
    pub platform_admin: bool,
}

#[utoipa::path(get, path = "/api/auth/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = MeResponse), (status = 401, body = paas_core::http::Problem)))]
pub async fn me(signed_in: SignedIn) -> Json<MeResponse> {
    let role = signed_in.user.role;
    let permissions = Permission::ALL.into_iter().filter(|p| role.is_some_and(|r| r.grants(*p))).collect();
    Json(MeResponse {
        user: UserView::from(&signed_in.user),
        platform_admin: signed_in.tenant.is_none(),
        tenant: signed_in.tenant.map(TenantView::from),
        permissions,
    })
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    #[schema(min_length = 10, max_length = 128)]
    pub new_password: String,
}

/// Changes the password and logs out everywhere else; answers fresh tokens
/// so the session that changed it goes on. The current password is
/// throttled like a log-in, so a stolen session cannot guess it.
#[utoipa::path(post, path = "/api/auth/password", tag = "auth", security(("bearer" = [])), request_body = ChangePasswordRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = paas_core::http::Problem),
        (status = 422, body = paas_core::http::Problem), (status = 429, body = paas_core::http::Problem)))]
pub async fn change_password(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    signed_in: SignedIn,
    ApiJson(body): ApiJson<ChangePasswordRequest>,
) -> AppResult<Json<TokenResponse>> {
    let seen = signed_in.user;
    let account = throttle::Account::user(&seen);
    throttle::claim(&state.store, &account, &client).await?;
    if !password::verify_or_waste(&body.current_password, seen.password_hash.as_deref()).await {
        return Err(AppError::InvalidCredentials);
    }
    throttle::succeeded(&state.store, &account, &client).await?;
    let new = Password::parse_for(&body.new_password, seen.email.as_str())
        .map_err(|e| AppError::Validation(e.to_string()))?;
    let mut user = seen.clone();
    user.password_hash = Some(password::hash_async(&new).await.map_err(AppError::internal)?);
    let user = users::save(&state.store, &seen, user, true).await?;
    Ok(Json(tokens::issue(&state, &user).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptInviteRequest {
    pub invite_token: String,
    #[schema(min_length = 10, max_length = 128)]
    pub password: String,
    #[serde(default)]
    pub name: Option<DisplayName>,
}

#[utoipa::path(post, path = "/api/auth/accept-invite", tag = "auth", request_body = AcceptInviteRequest,
    responses((status = 200, body = TokenResponse),
        (status = 409, description = "`invite_invalid`: the invite is used, expired or mistyped", body = paas_core::http::Problem)))]
pub async fn accept_invite(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<AcceptInviteRequest>,
) -> AppResult<Json<TokenResponse>> {
    // The token first: nothing about its user is read or told before it proves itself.
    let (tenant_id, user_id) = invites::check(&state.store, &body.invite_token).await?;
    let seen = users::get(&state.store, tenant_id.as_str(), &user_id).await?.ok_or_else(invites::invalid)?;
    // Check the password before consuming the invite, so a weak one can be retried.
    let password =
        Password::parse_for(&body.password, seen.email.as_str()).map_err(|e| AppError::Validation(e.to_string()))?;
    invites::redeem(&state.store, &body.invite_token).await?;
    let mut user = seen.clone();
    user.password_hash = Some(password::hash_async(&password).await.map_err(AppError::internal)?);
    user.status = UserStatus::Active;
    if body.name.is_some() {
        user.name = body.name;
    }
    let user = users::save(&state.store, &seen, user, false).await?;
    Ok(Json(tokens::issue(&state, &user).await?))
}
