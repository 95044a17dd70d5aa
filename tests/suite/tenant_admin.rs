//! What a tenant admin does: the tenant's profile, users and roles, API
//! keys; and what each role and scope may not do.

use std::time::Duration;

use paas_core::store::{Key, tables};
use serde_json::json;

use crate::support::{PASSWORD, TestApp};

#[tokio::test]
async fn admins_edit_the_tenant_and_every_role_reads_it() {
    let app = TestApp::new().await;
    let acme = app.signup("acme").await;
    let (_, viewer) = app.member(&acme, "viewer").await;

    let patched = app
        .call(
            "PATCH",
            "/api/v1/tenant",
            Some(&acme.access),
            Some(json!({"name": "Acme Corp", "settings": {"members_manage_agents": true}})),
        )
        .await;
    patched.expect(200);
    assert_eq!(patched.body["name"], "Acme Corp");
    let seen = app.get("/api/v1/tenant", &viewer).await;
    seen.expect(200);
    assert_eq!(seen.body["settings"]["members_manage_agents"], true);
    assert_eq!(seen.body["quotas"]["max_users"], 5);

    app.call("PATCH", "/api/v1/tenant", Some(&viewer), Some(json!({"name": "Mine"})))
        .await
        .expect_code(403, "forbidden");
    for smuggled in [json!({"plan": "enterprise"}), json!({"status": "active"}), json!({"tenant_id": acme.tenant_id})] {
        app.call("PATCH", "/api/v1/tenant", Some(&acme.access), Some(smuggled))
            .await
            .expect_code(422, "validation_failed");
    }
}

#[tokio::test]
async fn admins_manage_users_and_a_role_change_takes_effect_at_once() {
    let app = TestApp::new().await;
    let acme = app.signup("acme").await;
    let (user_id, user_token) = app.member(&acme, "user").await;

    let listed = app.get("/api/v1/users", &acme.access).await;
    listed.expect(200);
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 2);
    assert!(!listed.text.contains("argon2"), "no password hash in any answer");
    assert!(!listed.text.contains("password"));

    app.get("/api/v1/users", &user_token).await.expect_code(403, "forbidden");
    let dup = app
        .post("/api/v1/users", Some(&acme.access), json!({"email": acme.email, "role": "user", "password": PASSWORD}))
        .await;
    dup.expect_code(409, "email_taken");

    let path = format!("/api/v1/users/{user_id}");
    let promoted = app.call("PATCH", &path, Some(&acme.access), Some(json!({"role": "viewer"}))).await;
    promoted.expect(200);
    assert_eq!(promoted.body["role"], "viewer");
    app.get("/api/auth/me", &user_token).await.expect_code(401, "unauthorized");

    app.call("PATCH", &path, Some(&acme.access), Some(json!({"status": "suspended"}))).await.expect(200);
    let email = app.get(&path, &acme.access).await.str("email");
    app.post("/api/auth/login", None, json!({"email": email, "password": PASSWORD}))
        .await
        .expect_code(403, "user_suspended");

    let own = format!("/api/v1/users/{}", acme.user_id);
    app.call("PATCH", &own, Some(&acme.access), Some(json!({"role": "viewer"}))).await.expect_code(403, "forbidden");
    app.call("DELETE", &own, Some(&acme.access), None).await.expect_code(403, "forbidden");

    app.call("DELETE", &path, Some(&acme.access), None).await.expect(204);
    app.get(&path, &acme.access).await.expect_code(404, "not_found");
    app.call("DELETE", &path, Some(&acme.access), None).await.expect_code(404, "not_found");
}

#[tokio::test]
async fn the_user_quota_holds_under_concurrent_creation() {
    let app = TestApp::new().await;
    let acme = app.signup("acme").await; // free plan: 5 users, the admin is one
    let creations = (0..12).map(|n| {
        app.post(
            "/api/v1/users",
            Some(&acme.access),
            json!({"email": format!("u{n}@acme.test"), "role": "user", "password": PASSWORD}),
        )
    });
    let replies = futures::future::join_all(creations).await;
    let created = replies.iter().filter(|r| r.status == 201).count();
    assert_eq!(created, 4);
    for reply in replies.iter().filter(|r| r.status != 201) {
        reply.expect_code(429, "quota_exceeded.users");
        assert_eq!(reply.body["quota"], "users");
        assert_eq!(reply.body["limit"], 5);
    }
    let listed = app.get("/api/v1/users?limit=100", &acme.access).await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 5);

    // Deleting one frees a place.
    let victim = listed.body["items"].as_array().unwrap().iter().find(|u| u["role"] == "user").unwrap().clone();
    app.call("DELETE", &format!("/api/v1/users/{}", victim["user_id"].as_str().unwrap()), Some(&acme.access), None)
        .await
        .expect(204);
    // Its address had no other account: nothing of it is kept.
    let count = Key::new(format!("ACCOUNTS#{}", victim["email"].as_str().unwrap()), "COUNT");
    assert_eq!(app.state.store.get(&tables::USERS, &count).await.unwrap(), None);
    app.post(
        "/api/v1/users",
        Some(&acme.access),
        json!({"email": "late@acme.test", "role": "user", "password": PASSWORD}),
    )
    .await
    .expect(201);
}

#[tokio::test]
async fn user_lists_page_with_cursors() {
    let app = TestApp::with(|_| {}).await;
    let acme = app.signup("acme").await;
    for n in 0..3 {
        app.post("/api/v1/users", Some(&acme.access), json!({"email": format!("u{n}@acme.test"), "role": "viewer"}))
            .await
            .expect(201);
    }
    let first = app.get("/api/v1/users?limit=3", &acme.access).await;
    first.expect(200);
    let cursor = first.str("next_cursor");
    let second = app.get(&format!("/api/v1/users?limit=3&cursor={cursor}"), &acme.access).await;
    second.expect(200);
    assert_eq!(second.body["items"].as_array().unwrap().len(), 1);
    assert!(second.body["next_cursor"].is_null());
    app.get("/api/v1/users?limit=0", &acme.access).await.expect_code(422, "validation_failed");
    app.get("/api/v1/users?limit=abc", &acme.access).await.expect_code(422, "validation_failed");
    app.get("/api/v1/users?cursor=garbage", &acme.access).await.expect_code(422, "validation_failed");
}

#[tokio::test]
async fn api_keys_are_shown_once_and_act_within_their_scopes() {
    let app = TestApp::new().await;
    let acme = app.signup("acme").await;
    let (key_id, chat_key) = app.api_key(&acme, &["chat"]).await;
    assert!(chat_key.starts_with("paas_"));

    let listed = app.get("/api/v1/api-keys", &acme.access).await;
    listed.expect(200);
    assert!(!listed.text.contains(&chat_key), "the full key is never shown again");
    assert!(!listed.text.contains("hash"));
    assert_eq!(listed.body["items"][0]["last4"], chat_key[chat_key.len() - 4..]);
    assert!(listed.body["items"][0]["last_used_at"].is_null(), "not used yet");

    // Bearer and X-API-Key both work; the scope decides what is allowed.
    app.get("/api/v1/tenant", &chat_key).await.expect_code(403, "forbidden");
    let via_header =
        http::Request::get("/api/v1/users").header("x-api-key", &chat_key).body(axum::body::Body::empty()).unwrap();
    app.send(via_header).await.expect_code(403, "forbidden");
    let (_, admin_key) = app.api_key(&acme, &["admin"]).await;
    app.get("/api/v1/users", &admin_key).await.expect(200);
    let keys = app.get("/api/v1/api-keys", &acme.access).await;
    let used = keys.body["items"].as_array().unwrap().iter().filter(|k| !k["last_used_at"].is_null()).count();
    assert_eq!(used, 2, "a key's use is recorded (the chat key's refused call counts: it authenticated)");
    let via_header =
        http::Request::get("/api/v1/tenant").header("x-api-key", &admin_key).body(axum::body::Body::empty()).unwrap();
    app.send(via_header).await.expect(200);
    app.get("/api/auth/me", &admin_key).await.expect_code(403, "forbidden");

    // A mistyped key fails its checksum; a revoked key stops at once.
    let mut typo = admin_key.clone().into_bytes();
    let i = typo.len() - 10;
    typo[i] = if typo[i] == b'a' { b'b' } else { b'a' };
    app.get("/api/v1/users", &String::from_utf8(typo).unwrap()).await.expect_code(401, "unauthorized");
    app.call("DELETE", &format!("/api/v1/api-keys/{key_id}"), Some(&acme.access), None).await.expect(204);
    app.get("/api/v1/tenant", &chat_key).await.expect_code(401, "unauthorized");
    app.call("DELETE", &format!("/api/v1/api-keys/{key_id}"), Some(&acme.access), None)
        .await
        .expect_code(404, "not_found");
}

#[tokio::test]
async fn the_api_key_quota_holds_under_concurrent_creation_and_counts_earlier_keys() {
    let app = TestApp::new().await;
    let acme = app.signup("acme").await; // free plan: 10 API keys
    // Two keys stored as a release that did not count keys stored them.
    let (earlier, _) = app.api_key(&acme, &["chat"]).await;
    app.api_key(&acme, &["chat"]).await;
    let tenant_id = paas_core::domain::TenantId::parse(&acme.tenant_id).unwrap();
    let uncount = paas_core::store::Update::default().remove("api_keys");
    let counts = paas_core::store::keys::tenant_counts(&tenant_id);
    app.state.store.update(&paas_core::store::tables::TENANTS, &counts, &uncount, &[]).await.unwrap();

    let body = json!({"name": "k", "scopes": ["chat"]});
    let replies =
        futures::future::join_all((0..12).map(|_| app.post("/api/v1/api-keys", Some(&acme.access), body.clone())))
            .await;
    assert_eq!(replies.iter().filter(|r| r.status == 201).count(), 8, "the two earlier keys count");
    for reply in replies.iter().filter(|r| r.status != 201) {
        reply.expect_code(429, "quota_exceeded.api_keys");
        assert!(!reply.text.contains("paas_"), "a refused key is never shown");
    }
    let listed = app.get("/api/v1/api-keys?limit=100", &acme.access).await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 10);
    let usage = app.get("/api/v1/tenant/usage", &acme.access).await;
    let row = usage.body["quotas"].as_array().unwrap().iter().find(|q| q["quota"] == "api_keys").unwrap().clone();
    assert_eq!((row["used"].as_u64(), row["limit"].as_u64()), (Some(10), Some(10)));

    // Revoking a key frees its place, and no more.
    app.call("DELETE", &format!("/api/v1/api-keys/{earlier}"), Some(&acme.access), None).await.expect(204);
    app.post("/api/v1/api-keys", Some(&acme.access), body.clone()).await.expect(201);
    app.post("/api/v1/api-keys", Some(&acme.access), body).await.expect_code(429, "quota_exceeded.api_keys");
}

#[tokio::test]
async fn api_keys_stop_at_their_expiry_and_refuse_bad_requests() {
    let app = TestApp::new().await;
    let acme = app.signup("acme").await;
    let soon = (chrono::Utc::now() + chrono::Duration::milliseconds(1500)).to_rfc3339();
    let created = app
        .post(
            "/api/v1/api-keys",
            Some(&acme.access),
            json!({"name": "short-lived", "scopes": ["admin"], "expires_at": soon}),
        )
        .await;
    created.expect(201);
    let key = created.str("key");
    app.get("/api/v1/tenant", &key).await.expect(200);
    tokio::time::sleep(Duration::from_millis(1600)).await;
    app.get("/api/v1/tenant", &key).await.expect_code(401, "unauthorized");

    for body in [
        json!({"name": "k", "scopes": []}),
        json!({"name": "k", "scopes": ["root"]}),
        json!({"name": "k", "scopes": ["chat"], "expires_at": "2001-01-01T00:00:00Z"}),
        json!({"name": "k", "scopes": ["chat"], "expires_at": "tomorrow"}),
        json!({"name": "", "scopes": ["chat"]}),
        json!({"name": "k", "scopes": ["chat"], "tenant_id": acme.tenant_id}),
    ] {
        app.post("/api/v1/api-keys", Some(&acme.access), body).await.expect_code(422, "validation_failed");
    }
}

#[tokio::test]
async fn platform_operators_manage_tenant_lifecycles() {
    let app = TestApp::new().await;
    let acme = app.signup("acme").await;
    let (_, acme_key) = app.api_key(&acme, &["admin"]).await;
    let ops = app.operator().await;

    let me = app.get("/api/auth/me", &ops).await;
    assert_eq!(me.body["platform_admin"], true);
    let tenants = app.get("/api/platform/tenants", &ops).await;
    tenants.expect(200);
    assert_eq!(tenants.body["items"][0]["slug"], "acme");
    app.get("/api/platform/tenants", &acme.access).await.expect_code(403, "forbidden");
    app.get("/api/v1/tenant", &ops).await.expect_code(403, "forbidden");

    let path = format!("/api/platform/tenants/{}", acme.tenant_id);
    let upgraded =
        app.call("PATCH", &path, Some(&ops), Some(json!({"plan": "pro", "quota_overrides": {"max_users": 7}}))).await;
    upgraded.expect(200);
    assert_eq!(upgraded.body["quotas"]["max_users"], 7);
    assert_eq!(upgraded.body["quotas"]["max_agents"], 50, "the rest follows the pro plan");

    app.call("PATCH", &path, Some(&ops), Some(json!({"status": "suspended"}))).await.expect(200);
    app.get("/api/v1/tenant", &acme.access).await.expect_code(403, "tenant_suspended");
    app.get("/api/v1/tenant", &acme_key).await.expect_code(403, "tenant_suspended");
    app.post("/api/auth/login", None, json!({"email": acme.email, "password": PASSWORD}))
        .await
        .expect_code(403, "tenant_suspended");
    app.call("PATCH", &path, Some(&ops), Some(json!({"status": "active"}))).await.expect(200);
    app.get("/api/v1/tenant", &acme.access).await.expect(200);

    app.call("DELETE", &path, Some(&ops), None).await.expect(204);
    app.get(&path, &ops).await.expect_code(404, "not_found");
    app.get("/api/v1/tenant", &acme_key).await.expect(401);
    app.post("/api/auth/login", None, json!({"email": acme.email, "password": PASSWORD})).await.expect(401);
    // The slug is free again.
    app.signup("acme").await;
}
