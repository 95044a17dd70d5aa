//! Defences that no single route owns: the browser headers on every answer,
//! and `/metrics` kept to this machine or a token.

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
