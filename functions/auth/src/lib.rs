//! The auth function: sign-up, log-in, token refresh and log-out, the
//! signed-in user's account, and the public key set that verifies tokens.

mod account;
mod login;
mod signup;
mod tokens;

use axum::Router;
use paas_shared::{AppState, http};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The routes this function serves, for merging into the local runner.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(signup::signup))
        .routes(routes!(login::login))
        .routes(routes!(login::login_with_tenant))
        .routes(routes!(account::refresh))
        .routes(routes!(account::logout))
        .routes(routes!(account::logout_all))
        .routes(routes!(account::me))
        .routes(routes!(account::change_password))
        .routes(routes!(account::accept_invite))
        .routes(routes!(tokens::jwks))
}

/// The function's complete service.
pub fn router(state: AppState) -> Router {
    http::app(routes(), state)
}
