//! The local runner: every function's routes in one server, the built web
//! app beside them, on embedded defaults (SQLite and secrets in the data
//! directory).

use std::net::SocketAddr;
use std::path::PathBuf;

use axum::extract::{ConnectInfo, Request};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use paas_core::auth::keyring::Signing;
use paas_core::{AppError, AppState, Config, http, metrics};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::browser_headers;

/// Every function's routes, merged as API Gateway would route them.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(http::ApiDoc::openapi())
        .merge(paas_auth::routes(OpenApiRouter::new()))
        .merge(paas_admin::routes(OpenApiRouter::new()))
        .merge(paas_agents_api::routes(OpenApiRouter::new()))
        .merge(paas_platform::routes(OpenApiRouter::new()))
        .merge(paas_sessions::routes(OpenApiRouter::new()))
        .merge(paas_chat::routes(OpenApiRouter::new()))
}

/// Each function's routes as `(METHOD, path)` pairs, from the same routers
/// Lambda runs, so `template.yaml` can be held to them.
pub fn routes_by_function() -> std::collections::BTreeMap<&'static str, Vec<(String, String)>> {
    let functions: [(&'static str, OpenApiRouter<AppState>); 6] = [
        ("auth", paas_auth::routes(OpenApiRouter::new())),
        ("admin", paas_admin::routes(OpenApiRouter::new())),
        ("agents", paas_agents_api::routes(OpenApiRouter::new())),
        ("platform", paas_platform::routes(OpenApiRouter::new())),
        ("sessions", paas_sessions::routes(OpenApiRouter::new())),
        ("chat", paas_chat::routes(OpenApiRouter::new())),
    ];
    functions
        .into_iter()
        .map(|(name, routes)| {
            let (_, spec) = routes.split_for_parts();
            let mut pairs = Vec::new();
            for (path, item) in spec.paths.paths {
                let item = serde_json::to_value(item).unwrap_or_default();
                for method in ["get", "post", "put", "patch", "delete"] {
                    if item.get(method).is_some() {
                        pairs.push((method.to_uppercase(), path.clone()));
                    }
                }
            }
            (name, pairs)
        })
        .collect()
}

/// The OpenAPI description of every route.
pub fn openapi() -> utoipa::openapi::OpenApi {
    described().1
}

/// The service and its complete description.
fn described() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (api, mut spec) = routes().split_for_parts();
    http::openapi::complete(&mut spec);
    (api, spec)
}

/// The local runner's whole service: the API, `/openapi.json`, Prometheus
/// `/metrics`, and the web app, each answer with the browser defences.
pub fn app(state: AppState) -> anyhow::Result<Router> {
    let frontend = state.config.frontend_dir.clone();
    let metrics_token = state.config.metrics_token.clone().filter(|token| !token.is_empty());
    let metrics = metrics::install_prometheus()?;
    let (api, spec) = described();
    let spec = std::sync::Arc::new(spec);
    let api = api
        .route("/openapi.json", get(move || async move { Json(spec.as_ref().clone()) }))
        .route(
            "/metrics",
            get(move |request: Request| async move {
                may_read_metrics(&request, metrics_token.as_deref()).map(|()| metrics.render())
            }),
        )
        .fallback(move |req| frontend_or_404(frontend.clone(), req));
    Ok(http::finish(api, state).layer(axum::middleware::from_fn(browser_headers::middleware)))
}

pub async fn run(config: Config) -> anyhow::Result<()> {
    let bind = config.bind;
    let state = paas_store_sqlite::app_state(config, Signing::Sign).await?;
    let listener = tokio::net::TcpListener::bind(bind).await?;
    let address = listener.local_addr()?;
    tracing::info!(%address, "serving");
    eprintln!("paas: serving the web app and the API on http://{address} (Ctrl-C stops)");
    crate::http_server::serve(listener, app(state)?, shutdown()).await;
    Ok(())
}

/// `/metrics` names every tenant: this machine may read it, other clients
/// only with `PAAS_METRICS_TOKEN` as a bearer token.
fn may_read_metrics(request: &Request, token: Option<&str>) -> Result<(), AppError> {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|info| info.0.ip().to_canonical());
    if peer.is_some_and(|ip| ip.is_loopback()) {
        return Ok(());
    }
    let Some(token) = token else {
        return Err(AppError::Forbidden("metrics are served to this machine only".into()));
    };
    let presented = request.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    match presented.and_then(|value| value.strip_prefix("Bearer ")) {
        Some(presented) if paas_core::auth::same_secret(presented, token) => Ok(()),
        _ => Err(AppError::Unauthorized),
    }
}

/// API paths that match no route are 404 problems; anything else is the web
/// app (its `index.html` for client-side routes), once it has been built.
async fn frontend_or_404(dir: PathBuf, request: Request) -> Response {
    let path = request.uri().path();
    let api = path.starts_with("/api/") || path.starts_with("/.well-known/");
    if api || !dir.join("index.html").is_file() {
        return AppError::NotFound.into_response();
    }
    let index = ServeFile::new(dir.join("index.html"));
    match ServeDir::new(&dir).fallback(index).oneshot(request).await {
        Ok(response) => response.into_response(),
        Err(never) => match never {},
    }
}

async fn shutdown() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
        tokio::select! { _ = ctrl_c => {}, _ = term.recv() => {} }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
