//! Issuing a session: an access token and the start of a refresh family.

use axum::Json;
use axum::extract::State;
use paas_core::identity::{refresh, users::User};
use paas_core::{AppError, AppResult, AppState};
use serde::Serialize;

/// The role claim of platform operators, who hold no tenant role.
pub const PLATFORM_ROLE: &str = "platform_admin";

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds the access token lives.
    pub expires_in: i64,
    /// Opaque; rotated on every use.
    pub refresh_token: String,
    pub refresh_expires_in: i64,
}

/// Signs an access token for the user and starts a refresh family.
pub async fn issue(state: &AppState, user: &User) -> AppResult<TokenResponse> {
    let refresh = refresh::start(&state.store, &user.partition, &user.user_id, user.token_version).await?;
    respond(state, user, refresh).await
}

/// Signs an access token for the user beside a refresh token.
pub async fn respond(state: &AppState, user: &User, refresh: refresh::IssuedRefresh) -> AppResult<TokenResponse> {
    let role = user.role.map_or(PLATFORM_ROLE, |r| r.as_str());
    let (access_token, claims) = state
        .tokens
        .issue(user.user_id.as_str(), &user.partition, role, user.token_version)
        .await
        .map_err(AppError::internal)?;
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in: claims.exp - claims.iat,
        refresh_token: refresh.token,
        refresh_expires_in: refresh.expires_in,
    })
}

/// The public keys that verify access tokens (RFC 7517).
#[utoipa::path(get, path = "/.well-known/jwks.json", tag = "auth", responses((status = 200, description = "JWK Set")))]
pub async fn jwks(State(state): State<AppState>) -> Json<serde_json::Value> {
    Json(state.tokens.jwks())
}
