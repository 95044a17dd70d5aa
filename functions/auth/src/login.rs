//! Log-in by email and password. An email may belong to several tenants
//! (and to the platform's operators): with one matching account the answer
//! is tokens; with several, 202 and the tenants whose password matched, so
//! the client asks which and calls `login-with-tenant`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use paas_core::auth::client_addr::ClientAddr;
use paas_core::auth::password;
use paas_core::domain::{Email, TenantId, TenantStatus, UserStatus};
use paas_core::http::ApiJson;
use paas_core::identity::users::{self, User};
use paas_core::identity::{PLATFORM, tenants, throttle};
use paas_core::{AppError, AppResult, AppState};
use serde::{Deserialize, Serialize};

use crate::tokens::{self, TokenResponse};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: Email,
    pub password: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginWithTenantRequest {
    pub email: Email,
    pub password: String,
    /// A tenant id from the 202 answer of `/api/auth/login` (`PLATFORM` for operators).
    pub tenant_id: String,
}

/// One tenant the email and password open.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TenantChoice {
    pub tenant_id: String,
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TenantChoices {
    pub tenants: Vec<TenantChoice>,
}

/// Which of these accounts the password opens. Each account is throttled
/// per client address before its hash is checked (see `throttle`); no
/// accounts (an unknown email) cost one hash too, so timing tells nothing.
/// 429 when nothing matched and some account had to wait.
async fn matching(
    state: &AppState,
    email: &Email,
    accounts: Vec<User>,
    password: &str,
    client: &str,
) -> AppResult<Vec<User>> {
    throttle::client_attempt(&state.store, client).await?;
    if accounts.is_empty() {
        throttle::claim(&state.store, &throttle::Account::unknown(email), client).await?;
        password::verify_or_waste(password, None).await;
        return Err(AppError::InvalidCredentials);
    }
    let (mut matched, mut waiting) = (Vec::new(), None);
    for user in accounts {
        let account = throttle::Account::user(&user);
        if let Err(err) = throttle::claim(&state.store, &account, client).await {
            waiting = Some(err);
            continue;
        }
        if password::verify_or_waste(password, user.password_hash.as_deref()).await {
            throttle::succeeded(&state.store, &account, client).await?;
            matched.push(user);
        }
    }
    if matched.is_empty() {
        return Err(waiting.unwrap_or(AppError::InvalidCredentials));
    }
    throttle::client_succeeded(&state.store, client).await?;
    Ok(matched)
}

/// Tokens for one matched account, once its user and tenant are active.
async fn sign_in(state: &AppState, user: &User) -> AppResult<TokenResponse> {
    if user.status != UserStatus::Active {
        return Err(AppError::UserSuspended);
    }
    if user.partition != PLATFORM {
        let tenant_id = TenantId::parse(&user.partition).map_err(AppError::internal)?;
        match tenants::get(&state.store, &tenant_id).await? {
            Some(tenant) if tenant.status == TenantStatus::Active => {}
            Some(_) => return Err(AppError::TenantSuspended),
            None => return Err(AppError::InvalidCredentials),
        }
    }
    tokens::issue(state, user).await
}

async fn choice(state: &AppState, user: &User) -> AppResult<TenantChoice> {
    if user.partition == PLATFORM {
        return Ok(TenantChoice {
            tenant_id: PLATFORM.into(),
            slug: "platform".into(),
            name: "Platform operators".into(),
        });
    }
    let tenant_id = TenantId::parse(&user.partition).map_err(AppError::internal)?;
    let tenant = tenants::get(&state.store, &tenant_id).await?.ok_or(AppError::InvalidCredentials)?;
    Ok(TenantChoice {
        tenant_id: user.partition.clone(),
        slug: tenant.slug.as_str().into(),
        name: tenant.name.as_str().into(),
    })
}

#[utoipa::path(post, path = "/api/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = TokenResponse), (status = 202, description = "choose a tenant", body = TenantChoices),
        (status = 401, body = paas_core::http::Problem), (status = 403, description = "`user_suspended` or `tenant_suspended`", body = paas_core::http::Problem),
        (status = 429, body = paas_core::http::Problem)))]
pub async fn login(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ApiJson(body): ApiJson<LoginRequest>,
) -> AppResult<Response> {
    let accounts = users::accounts_of(&state.store, &body.email).await?;
    let matched = matching(&state, &body.email, accounts, &body.password, &client).await?;
    if let [user] = matched.as_slice() {
        return Ok(Json(sign_in(&state, user).await?).into_response());
    }
    let mut tenants = Vec::with_capacity(matched.len());
    for user in &matched {
        tenants.push(choice(&state, user).await?);
    }
    Ok((StatusCode::ACCEPTED, Json(TenantChoices { tenants })).into_response())
}

#[utoipa::path(post, path = "/api/auth/login-with-tenant", tag = "auth", request_body = LoginWithTenantRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = paas_core::http::Problem),
        (status = 403, description = "`user_suspended` or `tenant_suspended`", body = paas_core::http::Problem), (status = 429, body = paas_core::http::Problem)))]
pub async fn login_with_tenant(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ApiJson(body): ApiJson<LoginWithTenantRequest>,
) -> AppResult<Json<TokenResponse>> {
    // Read by key: however many accounts the email has elsewhere, this one is found.
    let known = body.tenant_id == PLATFORM || TenantId::parse(&body.tenant_id).is_ok();
    let account = match known {
        true => users::account_in(&state.store, &body.email, &body.tenant_id).await?,
        false => None,
    };
    let matched = matching(&state, &body.email, account.into_iter().collect(), &body.password, &client).await?;
    Ok(Json(sign_in(&state, &matched[0]).await?))
}
