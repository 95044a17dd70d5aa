//! Self-service sign-up: a tenant and its first admin, in one transaction.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use paas_core::auth::client_addr::ClientAddr;
use paas_core::auth::password::{self, Password};
use paas_core::domain::{DisplayName, Email, Plan, Quota, Role, Slug};
use paas_core::http::ApiJson;
use paas_core::identity::tenants::{self, Tenant, TenantView};
use paas_core::identity::throttle;
use paas_core::identity::users::{self, User, UserView};
use paas_core::store::{StoreError, Write, tables, to_item};
use paas_core::{AppError, AppResult, AppState};
use serde::{Deserialize, Serialize};

use crate::tokens::{self, TokenResponse};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignupRequest {
    pub tenant_name: DisplayName,
    /// Unique across the platform; lowercase letters, digits, hyphens.
    pub tenant_slug: Slug,
    pub email: Email,
    #[schema(min_length = 10, max_length = 128)]
    pub password: String,
    #[serde(default)]
    pub name: Option<DisplayName>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SignupResponse {
    pub tenant: TenantView,
    pub user: UserView,
    #[serde(flatten)]
    pub tokens: TokenResponse,
}

#[utoipa::path(post, path = "/api/auth/signup", tag = "auth", request_body = SignupRequest,
    responses((status = 201, body = SignupResponse),
        (status = 409, description = "slug taken, or the email has the most accounts allowed", body = paas_core::http::Problem),
        (status = 422, body = paas_core::http::Problem),
        (status = 429, description = "too many sign-ups from this address", body = paas_core::http::Problem)))]
pub async fn signup(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ApiJson(body): ApiJson<SignupRequest>,
) -> AppResult<(StatusCode, Json<SignupResponse>)> {
    throttle::signup(&state.store, &client).await?;
    let password =
        Password::parse_for(&body.password, body.email.as_str()).map_err(|e| AppError::Validation(e.to_string()))?;
    // Every tenant starts on the free plan; platform operators change plans.
    let tenant = Tenant::new(body.tenant_slug, body.tenant_name, Plan::Free);
    let mut admin = User::new(tenant.tenant_id.as_str(), body.email, body.name, Some(Role::Admin));
    admin.password_hash = Some(password::hash_async(&password).await.map_err(AppError::internal)?);

    let mut writes = tenants::create_writes(&tenant)?;
    let counts = serde_json::json!({ Quota::Users.name(): 1, users::ADMINS: 1 });
    writes.push(Write::Put {
        table: &tables::TENANTS,
        item: to_item(&paas_core::store::keys::tenant_counts(&tenant.tenant_id), &counts)?,
        conds: vec![],
    });
    let email_account = writes.len();
    writes.push(users::take_email_account(&admin.email));
    writes.extend(users::create_writes(&admin)?);
    match state.store.transact(writes).await {
        Ok(()) => {}
        Err(StoreError::ConditionFailed { write: Some(tenants::SLUG_WRITE) }) => {
            return Err(AppError::ConflictCode { code: "slug_taken", detail: "this tenant slug is taken".into() });
        }
        Err(StoreError::ConditionFailed { write: Some(i) }) if i == email_account => {
            return Err(users::too_many_accounts());
        }
        Err(err) => return Err(err.into()),
    }
    tracing::info!(tenant_id = %tenant.tenant_id, user_id = %admin.user_id, "tenant signed up");
    // The tenant's API Gateway key, on the free plan's usage plan. A failure
    // loses nothing: the tenant exists, and the authorizer provisions the key
    // on the tenant's first request (see `gateway_keys`).
    if let Some(gateway) = &state.gateway_keys
        && let Err(err) = gateway.sync(&state.store, &tenant).await
    {
        tracing::warn!(tenant_id = %tenant.tenant_id, error = %err, "could not create the tenant's API Gateway key; the authorizer will");
    }
    let tokens = tokens::issue(&state, &admin).await?;
    let response = SignupResponse { user: UserView::from(&admin), tenant: tenant.into(), tokens };
    Ok((StatusCode::CREATED, Json(response)))
}
