//! The local runner: every function's routes in one server, the built web
//! app beside them, on embedded defaults (SQLite in the data directory).

use std::path::PathBuf;

use axum::Router;
use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use paas_shared::{AppError, AppState, Config, http};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

/// Every function's routes, merged as API Gateway would route them.
pub fn routes() -> Router<AppState> {
    paas_auth::routes().merge(paas_tenants::routes()).merge(paas_sessions::routes()).merge(paas_chat::routes())
}

pub async fn run(config: Config) -> anyhow::Result<()> {
    let bind = config.bind;
    let frontend = config.frontend_dir.clone();
    let state = AppState::from_config(config).await?;
    let app = http::finish(routes().fallback(move |req| frontend_or_404(frontend.clone(), req)), state);
    let listener = tokio::net::TcpListener::bind(bind).await?;
    tracing::info!(address = %listener.local_addr()?, "serving");
    eprintln!("paas: serving on http://{}", listener.local_addr()?);
    axum::serve(listener, app).with_graceful_shutdown(shutdown()).await?;
    Ok(())
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
