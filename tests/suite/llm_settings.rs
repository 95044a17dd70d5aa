//! A tenant admin's LLM provider settings: the key is write-only, base URLs
//! are held to the network policy, and the connection test reports.

use serde_json::json;

use crate::fake_llm::{FakeLlm, Reply, refused_base_url, usage};
use crate::support::TestApp;

#[tokio::test]
async fn the_provider_key_is_write_only() {
    let app = TestApp::new().await;
    let acme = app.signup("acme").await;
    let fresh = app.get("/api/v1/tenant/llm", &acme.access).await;
    fresh.expect(200);
    assert_eq!((fresh.body["provider"].as_str(), fresh.body["api_key_set"].as_bool()), (Some("offline"), Some(false)));

    let secret = "sk-live-abcdefghijklmnop-WXYZ";
    let put = json!({"provider": "openai", "model": "gpt-4o-mini", "api_key": secret});
    let saved = app.call("PUT", "/api/v1/tenant/llm", Some(&acme.access), Some(put)).await;
    saved.expect(200);
    let read = app.get("/api/v1/tenant/llm", &acme.access).await;
    for reply in [&saved, &read] {
        assert!(!reply.text.contains(secret), "the key is never answered");
        assert_eq!(reply.body["api_key_set"], true);
        assert_eq!(reply.body["api_key_last4"], "WXYZ");
    }
    // Changing the model keeps the key; an empty key removes it.
    let model_only = json!({"provider": "openai", "model": "gpt-4o"});
    let kept = app.call("PUT", "/api/v1/tenant/llm", Some(&acme.access), Some(model_only)).await;
    assert_eq!(kept.body["api_key_set"], true);
    let cleared = app
        .call("PUT", "/api/v1/tenant/llm", Some(&acme.access), Some(json!({"provider": "openai", "api_key": ""})))
        .await;
    cleared.expect_code(409, "api_key_required");
    let tenant_id = paas_core::domain::TenantId::parse(&acme.tenant_id).unwrap();
    let name = paas_llm::settings::key_secret_name(&tenant_id, paas_llm::ProviderKind::OpenAi);
    assert_eq!(app.state.secrets.get(&name).await.unwrap().as_deref(), Some(secret), "a refused change keeps the key");
    assert_eq!(app.get("/api/v1/tenant/llm", &acme.access).await.body["api_key_set"], true);
    let back = app
        .call("PUT", "/api/v1/tenant/llm", Some(&acme.access), Some(json!({"provider": "offline", "api_key": ""})))
        .await;
    back.expect(200);
    assert_eq!(back.body["api_key_set"], false);
}

#[tokio::test]
async fn base_urls_that_reach_internal_networks_are_refused() {
    let app = TestApp::with(|c| c.allow_loopback_urls = false).await;
    let acme = app.signup("acme").await;
    for url in [
        "http://169.254.169.254/latest",
        "https://10.0.0.8/v1",
        "https://127.0.0.1/v1",
        "https://localhost/v1",
        "https://[::ffff:127.0.0.1]/v1",
        "http://api.example.com/v1",
        "ftp://example.com/",
        "https://user:pass@example.com/v1",
        "not a url",
    ] {
        let body = json!({"provider": "openai_compatible", "base_url": url, "api_key": "k-1234"});
        app.call("PUT", "/api/v1/tenant/llm", Some(&acme.access), Some(body))
            .await
            .expect_code(422, "validation_failed");
    }
    // The Ollama preset is a loopback address too.
    app.call("PUT", "/api/v1/tenant/llm", Some(&acme.access), Some(json!({"provider": "ollama"})))
        .await
        .expect_code(422, "validation_failed");
    let missing = json!({"provider": "openai_compatible", "api_key": "k-1234"});
    app.call("PUT", "/api/v1/tenant/llm", Some(&acme.access), Some(missing))
        .await
        .expect_code(422, "validation_failed");
    let unknown = json!({"provider": "skynet"});
    app.call("PUT", "/api/v1/tenant/llm", Some(&acme.access), Some(unknown))
        .await
        .expect_code(422, "validation_failed");
    assert_eq!(app.get("/api/v1/tenant/llm", &acme.access).await.body["provider"], "offline", "nothing was saved");
}

#[tokio::test]
async fn the_connection_test_reports_success_and_failure() {
    let app = TestApp::new().await;
    let acme = app.signup("acme").await;
    let offline = app.call("POST", "/api/v1/tenant/llm/test", Some(&acme.access), None).await;
    offline.expect(200);
    assert_eq!(offline.body["ok"], true);
    assert!(offline.body["reply"].as_str().unwrap().starts_with("[offline]"));

    let fake = FakeLlm::start(vec![Reply::openai_text(&["OK"], Some(usage(5, 1))), Reply::status(401, None)]).await;
    app.use_provider(&acme, "openai_compatible", &fake.base_url()).await;
    let ok = app.call("POST", "/api/v1/tenant/llm/test", Some(&acme.access), None).await;
    assert_eq!((ok.body["ok"].as_bool(), ok.body["reply"].as_str()), (Some(true), Some("OK")));
    let denied = app.call("POST", "/api/v1/tenant/llm/test", Some(&acme.access), None).await;
    assert_eq!(
        (denied.body["ok"].as_bool(), denied.body["error"]["code"].as_str()),
        (Some(false), Some("provider_auth_failed"))
    );
    assert!(!denied.text.contains("sk-test-secret-9876"), "the key never appears in an answer");

    app.use_provider(&acme, "openai_compatible", &refused_base_url()).await;
    let refused = app.call("POST", "/api/v1/tenant/llm/test", Some(&acme.access), None).await;
    assert_eq!(refused.body["error"]["code"], "provider_unreachable");
}

#[tokio::test]
async fn a_stored_key_never_follows_a_new_base_url() {
    let app = TestApp::new().await;
    let acme = app.signup("acme").await;
    let old_host = FakeLlm::start(vec![Reply::openai_text(&["OK"], Some(usage(5, 1)))]).await;
    let new_host = FakeLlm::start(vec![Reply::openai_text(&["OK"], Some(usage(5, 1)))]).await;
    app.use_provider(&acme, "openai_compatible", &old_host.base_url()).await;

    let moved = json!({"provider": "openai_compatible", "model": "test-model", "base_url": new_host.base_url()});
    app.call("PUT", "/api/v1/tenant/llm", Some(&acme.access), Some(moved.clone()))
        .await
        .expect_code(409, "secret_required");
    let kept = app.get("/api/v1/tenant/llm", &acme.access).await;
    assert_eq!(kept.body["base_url"], old_host.base_url(), "a refused move changes nothing");

    // Moving and removing the key in one step is fine: the new host gets no key.
    let mut without_key = moved;
    without_key["api_key"] = json!("");
    app.call("PUT", "/api/v1/tenant/llm", Some(&acme.access), Some(without_key)).await.expect(200);
    let tested = app.call("POST", "/api/v1/tenant/llm/test", Some(&acme.access), None).await;
    assert_eq!(tested.body["ok"], true, "{}", tested.text);
    let sent = new_host.requests();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].header("authorization"), None, "the old key never reaches the new host");
    assert!(old_host.requests().is_empty());
}
