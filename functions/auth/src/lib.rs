//! The auth function: sign-up, log-in, token refresh and log-out, the
//! signed-in user's account, and the public key set that verifies tokens.

mod account;
mod login;
mod signup;
mod tokens;

use axum::Router;
use paas_core::http::RouteTable;
use paas_core::{AppState, http, route};

/// The routes this function serves: Lambda runs them, the local runner merges them.
pub fn routes<T: RouteTable<AppState>>(table: T) -> T {
    let table = route!(table, signup::signup);
    let table = route!(table, login::login);
    let table = route!(table, login::login_with_tenant);
    let table = route!(table, account::refresh);
    let table = route!(table, account::logout);
    let table = route!(table, account::logout_all);
    let table = route!(table, account::me);
    let table = route!(table, account::change_password);
    let table = route!(table, account::accept_invite);
    route!(table, tokens::jwks)
}

/// The function's complete service.
pub fn router(state: AppState) -> Router {
    http::app(routes(Router::new()), state)
}
