//! How a function binary starts on Lambda: configuration, logs and state
//! once per cold start, then the router behind `lambda_http`.

use axum::Router;

use crate::state::Signing;
use crate::{AppState, Config, metrics, telemetry};

/// Configuration, logs, metrics and state, once per cold start.
async fn cold_start(signing: Signing) -> Result<AppState, lambda_http::Error> {
    let config = Config::from_env()?;
    telemetry::init(&config);
    metrics::init(metrics::SinkKind::Emf)?;
    Ok(AppState::from_config(config, signing).await?)
}

/// Runs a function's router as a Lambda handler (buffered responses).
pub async fn run_lambda(router: fn(AppState) -> Router, signing: Signing) -> Result<(), lambda_http::Error> {
    let state = cold_start(signing).await?;
    lambda_http::run(router(state)).await
}

/// Runs a function's router as a Lambda handler whose responses stream
/// (chat): each frame reaches the client as it is written.
pub async fn run_lambda_streaming(router: fn(AppState) -> Router, signing: Signing) -> Result<(), lambda_http::Error> {
    let state = cold_start(signing).await?;
    lambda_http::run_with_streaming_response(router(state)).await
}
