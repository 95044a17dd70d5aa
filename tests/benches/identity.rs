//! What identity costs per request, against baselines measured in the same
//! run: verifying an access token and authenticating an API key (each
//! through the whole router, against `GET /healthz` through the same
//! router), and a log-in's password check (against one SHA-256).
//!
//! Run: `cargo bench -p paas-tests --bench identity`

use std::hint::black_box;
use std::time::{Duration, Instant};

use axum::body::Body;
use http::Request;
use paas_core::Config;
use paas_core::auth::keyring::Signing;
use paas_core::auth::password::{self, Password};
use serde_json::{Value, json};
use tower::ServiceExt;

/// Mean time of one call, over enough calls to fill `budget`.
async fn time<F, Fut>(budget: Duration, mut call: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for _ in 0..20 {
        call().await;
    }
    let (started, mut runs) = (Instant::now(), 0u32);
    while started.elapsed() < budget {
        call().await;
        runs += 1;
    }
    started.elapsed() / runs
}

async fn send(app: &axum::Router, request: Request<Body>) -> (u16, Value) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

fn get(path: &str, header: Option<(&str, &str)>) -> Request<Body> {
    let mut request = Request::get(path);
    if let Some((name, value)) = header {
        request = request.header(name, value);
    }
    request.body(Body::empty()).unwrap()
}

fn post(path: &str, token: Option<&str>, body: Value) -> Request<Body> {
    let mut request = Request::post(path).header("content-type", "application/json");
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    request.body(Body::from(body.to_string())).unwrap()
}

fn row(name: &str, took: Duration, baseline: Duration) {
    println!(
        "{name:<48} {:>10.1} µs   {:>6.2}x baseline",
        took.as_secs_f64() * 1e6,
        took.as_secs_f64() / baseline.as_secs_f64()
    );
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config { data_dir: dir.path().to_owned(), ..Config::default() };
    let state = paas_store_sqlite::app_state(config, Signing::Sign).await.unwrap();
    let app = paas_cli::serve::app(state.clone()).unwrap();

    let signup = json!({"tenant_name": "Bench", "tenant_slug": "bench", "email": "a@bench.test", "password": "correct horse battery staple"});
    let (_, body) = send(&app, post("/api/auth/signup", None, signup)).await;
    let access = body["access_token"].as_str().unwrap().to_owned();
    let (_, body) =
        send(&app, post("/api/v1/api-keys", Some(&access), json!({"name": "b", "scopes": ["admin"]}))).await;
    let key = body["key"].as_str().unwrap().to_owned();
    let bearer = format!("Bearer {access}");

    let budget = Duration::from_secs(2);
    println!("identity costs per request (mean; SQLite store, in-process router)\n");
    let health = time(budget, || async {
        black_box(send(&app, get("/healthz", None)).await);
    })
    .await;
    row("baseline: GET /healthz (no auth)", health, health);
    let jwt = time(budget, || async {
        black_box(send(&app, get("/api/v1/tenant", Some(("authorization", &bearer)))).await);
    })
    .await;
    row("GET /api/v1/tenant with an access token", jwt, health);
    let api_key = time(budget, || async {
        black_box(send(&app, get("/api/v1/tenant", Some(("x-api-key", &key)))).await);
    })
    .await;
    row("GET /api/v1/tenant with an API key", api_key, health);

    let verify_only = time(budget, || async {
        black_box(state.tokens.verify(&access).await.unwrap());
    })
    .await;
    let sha = time(budget, || async {
        black_box(ring::digest::digest(&ring::digest::SHA256, access.as_bytes()));
    })
    .await;
    println!();
    row("baseline: SHA-256 of the access token", sha, sha);
    row("access-token signature and claims check alone", verify_only, sha);

    let phc = password::hash(&Password::parse("correct horse battery staple").unwrap()).unwrap();
    let login = time(budget, || async {
        black_box(password::verify("correct horse battery staple", &phc));
    })
    .await;
    row("password check at log-in (argon2id m=19456 t=2 p=1)", login, sha);
    println!("\nlog-in password check: {:.1} ms", login.as_secs_f64() * 1e3);
}
