//! How a function binary starts on Lambda: configuration, logs and state
//! once per cold start, then the router behind `lambda_http`.

use axum::Router;

use crate::state::Signing;
use crate::{AppState, Config, telemetry};

/// Runs a function's router as a Lambda handler (buffered responses).
pub async fn run_lambda(router: fn(AppState) -> Router, signing: Signing) -> Result<(), lambda_http::Error> {
    let config = Config::from_env()?;
    telemetry::init(&config);
    let state = AppState::from_config(config, signing).await?;
    lambda_http::run(router(state)).await
}
