//! The identity flows on the DynamoDB backend (the emulator), end to end
//! through the same router: what runs on Lambda.

use serde_json::json;

use crate::support::{PASSWORD, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn signup_login_refresh_keys_and_quotas_work_on_dynamodb() {
    let app = TestApp::on_dynamodb().await;
    let acme = app.signup("acme").await;
    app.signup_as("globex", &acme.email).await;

    let login = app.post("/api/auth/login", None, json!({"email": acme.email, "password": PASSWORD})).await;
    login.expect(202);
    assert_eq!(login.body["tenants"].as_array().unwrap().len(), 2);

    let refreshed = app.post("/api/auth/refresh", None, json!({"refresh_token": acme.refresh})).await;
    refreshed.expect(200);
    let replies = futures::future::join_all(
        (0..10).map(|_| app.post("/api/auth/refresh", None, json!({"refresh_token": refreshed.str("refresh_token")}))),
    )
    .await;
    assert_eq!(replies.iter().filter(|r| r.status == 200).count(), 1, "one rotation wins");

    let (key_id, key) = app.api_key(&acme, &["admin"]).await;
    app.get("/api/v1/tenant", &key).await.expect(200);
    let body = json!({"name": "k", "scopes": ["chat"]});
    let keys = futures::future::join_all((0..12).map(|_| app.post("/api/v1/api-keys", Some(&key), body.clone()))).await;
    assert_eq!(keys.iter().filter(|r| r.status == 201).count(), 9, "free plan: 10 API keys");
    keys.iter().find(|r| r.status != 201).unwrap().expect_code(429, "quota_exceeded.api_keys");
    let tool = |n: usize| json!({"name": format!("t{n}"), "description": "d", "endpoint": "http://127.0.0.1:9/hook"});
    let tools = futures::future::join_all((0..12).map(|n| app.post("/api/v1/tools", Some(&key), tool(n)))).await;
    assert_eq!(tools.iter().filter(|r| r.status == 201).count(), 10, "free plan: 10 tools");
    tools.iter().find(|r| r.status != 201).unwrap().expect_code(429, "quota_exceeded.tools");
    app.post("/api/v1/tools", Some(&key), tool(0)).await.expect_code(429, "quota_exceeded.tools");
    app.call("DELETE", &format!("/api/v1/api-keys/{key_id}"), Some(&acme.access), None).await.expect(204);
    app.post("/api/v1/api-keys", Some(&acme.access), body).await.expect(201);

    let creations = (0..10).map(|n| {
        app.post(
            "/api/v1/users",
            Some(&acme.access),
            json!({"email": format!("u{n}@acme.test"), "role": "user", "password": PASSWORD}),
        )
    });
    let replies = futures::future::join_all(creations).await;
    assert_eq!(replies.iter().filter(|r| r.status == 201).count(), 4, "free plan: 5 users with the admin");

    let ops = app.operator().await;
    let path = format!("/api/platform/tenants/{}", acme.tenant_id);
    app.call("DELETE", &path, Some(&ops), None).await.expect(204);
    app.get("/api/v1/tenant", &key).await.expect(401);
    app.post("/api/auth/login", None, json!({"email": acme.email, "password": PASSWORD})).await.expect(200);
}
