//! Defences that no single route owns: the browser headers on every answer,
//! `/metrics` kept to this machine or a token, and a panicking request
//! answered as a 500 problem while the server keeps serving.

use axum::routing::get;
use paas_core::http;

use crate::support::TestApp;

#[tokio::test]
async fn every_answer_carries_the_browser_defences() {
    let app = TestApp::new().await;
    for path in ["/healthz", "/api/v1/nothing-here", "/api/auth/me", "/openapi.json"] {
        let reply = app.call("GET", path, None, None).await;
        let header = |name: &str| reply.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        let csp = header("content-security-policy");
        for directive in [
            "script-src 'self'",
            "img-src 'self' data:",
            "frame-ancestors 'none'",
            "object-src 'none'",
            "base-uri 'none'",
        ] {
            assert!(csp.contains(directive), "{path}: {directive} missing from {csp:?}");
        }
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert!(header("strict-transport-security").starts_with("max-age="), "{path}");
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header("referrer-policy"), "no-referrer", "{path}");
        assert_eq!(header("x-frame-options"), "DENY", "{path}");
    }
}

#[tokio::test]
async fn metrics_are_for_this_machine_or_the_metrics_token() {
    let open = TestApp::new().await;
    open.get_from("127.0.0.1:40000", "/metrics", None).await.expect(200);
    open.get_from("[::1]:40000", "/metrics", None).await.expect(200);
    open.get_from("203.0.113.9:40000", "/metrics", None).await.expect_code(403, "forbidden");
    open.get_from("203.0.113.9:40000", "/metrics", Some("anything")).await.expect_code(403, "forbidden");
    open.call("GET", "/metrics", None, None).await.expect_code(403, "forbidden");

    let guarded = TestApp::with(|c| c.metrics_token = Some("scrape-token-0123456789".into())).await;
    guarded.get_from("203.0.113.9:40000", "/metrics", None).await.expect_code(401, "unauthorized");
    guarded
        .get_from("203.0.113.9:40000", "/metrics", Some("scrape-token-wrong"))
        .await
        .expect_code(401, "unauthorized");
    guarded.get_from("203.0.113.9:40000", "/metrics", Some("scrape-token-0123456789")).await.expect(200);
    guarded.get_from("127.0.0.1:40000", "/metrics", None).await.expect(200);
}

#[tokio::test]
async fn a_panicking_request_answers_500_and_the_server_keeps_serving() {
    let app = TestApp::new().await;
    // A route only this test has, wrapped in the layers every function and the local runner use.
    let routes = axum::Router::new().route("/boom", get(boom));
    let router = http::finish(routes, app.state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.expect("serve") });

    let client = reqwest::Client::new();
    for _ in 0..2 {
        let boom = client.get(format!("http://{addr}/boom")).send().await.expect("an answer, not a dropped connection");
        assert_eq!(boom.status(), 500);
        assert_eq!(boom.headers()["content-type"], "application/problem+json");
        let body: serde_json::Value = boom.json().await.unwrap();
        assert_eq!(body["code"], "internal");
        assert!(!body.to_string().contains("a bug in one handler"), "the cause is logged, never sent: {body}");
    }
    let health = client.get(format!("http://{addr}/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
}

async fn boom() -> &'static str {
    panic!("a bug in one handler")
}

/// `CatchPanicLayer` only runs when panics unwind: with `panic = "abort"` a
/// release build (Lambda's, `paas serve --release`) dies with the request.
#[test]
fn release_builds_unwind_on_panic() {
    let manifest = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.toml")).unwrap();
    let release = manifest.split("[profile.release]").nth(1).expect("a release profile");
    let release = release.split("\n[").next().unwrap();
    let panic = release.lines().map(str::trim).find(|l| l.starts_with("panic"));
    assert!(panic.is_none_or(|l| l.contains("\"unwind\"")), "release profile: {panic:?}");
}
