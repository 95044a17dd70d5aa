//! Sign-up, log-in (one tenant or several), refresh rotation, log-out,
//! password change and invites, as a client goes through them.

use std::time::Duration;

use serde_json::json;

use crate::support::{PASSWORD, TestApp};

#[tokio::test]
async fn signup_creates_a_tenant_and_its_admin_who_can_log_in() {
    let app = TestApp::new().await;
    let acme = app.signup("acme").await;

    let me = app.get("/api/auth/me", &acme.access).await;
    me.expect(200);
    assert_eq!(me.body["user"]["email"], "admin@acme.test");
    assert_eq!(me.body["user"]["role"], "admin");
    assert_eq!(me.body["tenant"]["slug"], "acme");
    assert_eq!(me.body["tenant"]["plan"], "free");
    assert_eq!(me.body["tenant"]["status"], "active");
    assert_eq!(me.body["platform_admin"], false);
    assert!(me.body["permissions"].as_array().unwrap().contains(&json!("users_manage")));

    let login = app.post("/api/auth/login", None, json!({"email": "ADMIN@acme.test", "password": PASSWORD})).await;
    login.expect(200);
    assert_eq!(login.body["token_type"], "Bearer");
    assert_eq!(login.body["expires_in"], 900);
    app.get("/api/auth/me", &login.str("access_token")).await.expect(200);
}

#[tokio::test]
async fn a_taken_slug_is_a_conflict_and_creates_nothing() {
    let app = TestApp::new().await;
    app.signup("acme").await;
    let again = app
        .post(
            "/api/auth/signup",
            None,
            json!({"tenant_name": "Other", "tenant_slug": "acme", "email": "x@other.test", "password": PASSWORD}),
        )
        .await;
    again.expect_code(409, "slug_taken");
    let login = app.post("/api/auth/login", None, json!({"email": "x@other.test", "password": PASSWORD})).await;
    login.expect_code(401, "invalid_credentials");
}

#[tokio::test]
async fn weak_passwords_and_bad_fields_are_refused_at_signup() {
    let app = TestApp::new().await;
    let base = json!({"tenant_name": "Acme", "tenant_slug": "acme", "email": "a@acme.test", "password": PASSWORD});
    let with = |field: &str, value: serde_json::Value| {
        let mut body = base.clone();
        body[field] = value;
        body
    };
    for body in [
        with("password", json!("short")),
        with("password", json!("password1234")),
        with("password", json!("a@acme.test")),
        with("email", json!("not-an-email")),
        with("tenant_slug", json!("Bad Slug")),
        with("tenant_slug", json!("platform")),
        with("tenant_name", json!("")),
        with("plan", json!("gold")),
        with("plan", json!("enterprise")),
        with("tenant_name", json!("n".repeat(101))),
        with("password", json!("p".repeat(129))),
        with("email", json!(format!("{}@acme.test", "e".repeat(300)))),
        with("email", json!(42)),
        with("tenant_id", json!("01JD0000000000000000000000")),
        with("role", json!("platform_admin")),
    ] {
        app.post("/api/auth/signup", None, body).await.expect_code(422, "validation_failed");
    }
    app.post("/api/auth/signup", None, base).await.expect(201);
}

#[tokio::test]
async fn wrong_passwords_and_unknown_emails_get_the_same_answer() {
    let app = TestApp::new().await;
    app.signup("acme").await;
    let wrong =
        app.post("/api/auth/login", None, json!({"email": "admin@acme.test", "password": "wrong password!"})).await;
    let unknown = app.post("/api/auth/login", None, json!({"email": "nobody@acme.test", "password": PASSWORD})).await;
    wrong.expect_code(401, "invalid_credentials");
    unknown.expect_code(401, "invalid_credentials");
    assert_eq!(wrong.body["detail"], unknown.body["detail"]);
}

#[tokio::test]
async fn repeated_failures_are_slowed_per_account() {
    let app = TestApp::new().await;
    app.signup("acme").await;
    for _ in 0..5 {
        app.post("/api/auth/login", None, json!({"email": "admin@acme.test", "password": "wrong password!"}))
            .await
            .expect(401);
    }
    let blocked = app.post("/api/auth/login", None, json!({"email": "admin@acme.test", "password": PASSWORD})).await;
    blocked.expect_code(429, "too_many_attempts");
    let retry_after: u64 = blocked.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry_after));
}

#[tokio::test]
async fn parallel_guesses_cannot_slip_past_the_account_limit() {
    let app = TestApp::new().await;
    app.signup("acme").await;
    let guesses = (0..20).map(|n| {
        app.post("/api/auth/login", None, json!({"email": "admin@acme.test", "password": format!("wrong guess {n}")}))
    });
    let replies = futures::future::join_all(guesses).await;
    let checked = replies.iter().filter(|r| r.status == 401).count();
    assert_eq!(checked, 5, "only the account's limit of guesses reach the password check");
    assert_eq!(replies.iter().filter(|r| r.status == 429).count(), 15);
}

#[tokio::test]
async fn a_guessed_refresh_secret_does_not_revoke_the_family() {
    let app = TestApp::new().await;
    let acme = app.signup("acme").await;
    let (prefix, _) = acme.refresh.rsplit_once('.').unwrap();
    let guess = format!("{prefix}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    app.post("/api/auth/refresh", None, json!({"refresh_token": guess})).await.expect_code(401, "unauthorized");
    app.post("/api/auth/refresh", None, json!({"refresh_token": acme.refresh})).await.expect(200);
}

#[tokio::test]
async fn an_email_in_several_tenants_chooses_among_those_whose_password_matched() {
    let app = TestApp::new().await;
    let acme = app.signup_as("acme", "ada@example.test").await;
    let globex = app.signup_as("globex", "ada@example.test").await;
    // A third tenant where the same email has another password.
    let initech = app.signup("initech").await;
    let other = "another long passphrase";
    app.post(
        "/api/v1/users",
        Some(&initech.access),
        json!({"email": "ada@example.test", "role": "user", "password": other}),
    )
    .await
    .expect(201);

    let login = app.post("/api/auth/login", None, json!({"email": "ada@example.test", "password": PASSWORD})).await;
    login.expect(202);
    let mut offered: Vec<String> =
        login.body["tenants"].as_array().unwrap().iter().map(|t| t["tenant_id"].as_str().unwrap().to_owned()).collect();
    offered.sort();
    let mut expected = vec![acme.tenant_id.clone(), globex.tenant_id.clone()];
    expected.sort();
    assert_eq!(offered, expected, "only tenants whose password matched");

    let chosen = app
        .post(
            "/api/auth/login-with-tenant",
            None,
            json!({"email": "ada@example.test", "password": PASSWORD, "tenant_id": globex.tenant_id}),
        )
        .await;
    chosen.expect(200);
    let me = app.get("/api/auth/me", &chosen.str("access_token")).await;
    assert_eq!(me.body["tenant"]["slug"], "globex");

    let foreign = app
        .post(
            "/api/auth/login-with-tenant",
            None,
            json!({"email": "ada@example.test", "password": PASSWORD, "tenant_id": initech.tenant_id}),
        )
        .await;
    foreign.expect_code(401, "invalid_credentials");
    let single = app.post("/api/auth/login", None, json!({"email": "ada@example.test", "password": other})).await;
    single.expect(200);
}

#[tokio::test]
async fn refresh_rotates_and_reuse_after_the_grace_period_revokes_the_family() {
    let app = TestApp::with(|c| c.refresh_grace_secs = 1).await;
    let acme = app.signup("acme").await;

    let first = app.post("/api/auth/refresh", None, json!({"refresh_token": acme.refresh})).await;
    first.expect(200);
    let next = first.str("refresh_token");
    assert_ne!(next, acme.refresh);
    app.get("/api/auth/me", &first.str("access_token")).await.expect(200);

    // Within the grace period the replaced token is a parallel request: 409, family kept.
    let parallel = app.post("/api/auth/refresh", None, json!({"refresh_token": acme.refresh})).await;
    parallel.expect_code(409, "refresh_token_rotated");

    tokio::time::sleep(Duration::from_millis(1100)).await;
    let reuse = app.post("/api/auth/refresh", None, json!({"refresh_token": acme.refresh})).await;
    reuse.expect_code(401, "unauthorized");
    let successor = app.post("/api/auth/refresh", None, json!({"refresh_token": next})).await;
    successor.expect_code(401, "unauthorized");
}

#[tokio::test]
async fn twenty_parallel_refreshes_leave_exactly_one_live_successor() {
    let app = TestApp::new().await;
    let acme = app.signup("acme").await;
    let attempts = (0..20).map(|_| app.post("/api/auth/refresh", None, json!({"refresh_token": acme.refresh})));
    let replies = futures::future::join_all(attempts).await;
    let winners: Vec<_> = replies.iter().filter(|r| r.status == 200).collect();
    assert_eq!(winners.len(), 1, "exactly one rotation wins");
    for reply in replies.iter().filter(|r| r.status != 200) {
        reply.expect_code(409, "refresh_token_rotated");
    }
    let successor = winners[0].str("refresh_token");
    app.post("/api/auth/refresh", None, json!({"refresh_token": successor})).await.expect(200);
}

#[tokio::test]
async fn a_refresh_token_is_never_an_access_token_and_logout_ends_it() {
    let app = TestApp::new().await;
    let acme = app.signup("acme").await;
    app.get("/api/auth/me", &acme.refresh).await.expect_code(401, "unauthorized");
    app.post("/api/auth/refresh", None, json!({"refresh_token": acme.access})).await.expect_code(401, "unauthorized");

    app.post("/api/auth/logout", None, json!({"refresh_token": acme.refresh})).await.expect(204);
    app.post("/api/auth/refresh", None, json!({"refresh_token": acme.refresh})).await.expect(401);
}

#[tokio::test]
async fn logout_everywhere_revokes_every_token_at_once() {
    let app = TestApp::new().await;
    let acme = app.signup("acme").await;
    let other = app.post("/api/auth/login", None, json!({"email": acme.email, "password": PASSWORD})).await;
    app.call("POST", "/api/auth/logout-all", Some(&acme.access), None).await.expect(204);
    app.get("/api/auth/me", &acme.access).await.expect(401);
    app.get("/api/auth/me", &other.str("access_token")).await.expect(401);
    app.post("/api/auth/refresh", None, json!({"refresh_token": other.str("refresh_token")})).await.expect(401);
    app.post("/api/auth/login", None, json!({"email": acme.email, "password": PASSWORD})).await.expect(200);
}

#[tokio::test]
async fn changing_the_password_keeps_this_session_and_ends_the_others() {
    let app = TestApp::new().await;
    let acme = app.signup("acme").await;
    let new = "a brand new passphrase";
    let wrong = app
        .post(
            "/api/auth/password",
            Some(&acme.access),
            json!({"current_password": "not it at all", "new_password": new}),
        )
        .await;
    wrong.expect_code(401, "invalid_credentials");
    app.post("/api/auth/password", Some(&acme.access), json!({"current_password": PASSWORD, "new_password": "short"}))
        .await
        .expect_code(422, "validation_failed");

    let changed = app
        .post("/api/auth/password", Some(&acme.access), json!({"current_password": PASSWORD, "new_password": new}))
        .await;
    changed.expect(200);
    app.get("/api/auth/me", &changed.str("access_token")).await.expect(200);
    app.get("/api/auth/me", &acme.access).await.expect(401);
    app.post("/api/auth/login", None, json!({"email": acme.email, "password": PASSWORD})).await.expect(401);
    app.post("/api/auth/login", None, json!({"email": acme.email, "password": new})).await.expect(200);
}

#[tokio::test]
async fn an_invite_is_accepted_once_and_activates_the_user() {
    let app = TestApp::new().await;
    let acme = app.signup("acme").await;
    let created =
        app.post("/api/v1/users", Some(&acme.access), json!({"email": "new@acme.test", "role": "user"})).await;
    created.expect(201);
    assert_eq!(created.body["user"]["status"], "invited");
    let invite = created.str("invite_token");
    assert!(created.text.contains("inv."), "the invite token is shown once");
    app.post("/api/auth/login", None, json!({"email": "new@acme.test", "password": PASSWORD})).await.expect(401);

    app.post("/api/auth/accept-invite", None, json!({"invite_token": invite, "password": "short"}))
        .await
        .expect_code(422, "validation_failed");
    let accepted =
        app.post("/api/auth/accept-invite", None, json!({"invite_token": invite, "password": PASSWORD})).await;
    accepted.expect(200);
    let me = app.get("/api/auth/me", &accepted.str("access_token")).await;
    assert_eq!(me.body["user"]["status"], "active");
    assert_eq!(me.body["user"]["role"], "user");
    app.post("/api/auth/accept-invite", None, json!({"invite_token": invite, "password": PASSWORD}))
        .await
        .expect_code(409, "invite_invalid");
    let tampered = format!("{}x", &invite[..invite.len() - 1]);
    app.post("/api/auth/accept-invite", None, json!({"invite_token": tampered, "password": PASSWORD}))
        .await
        .expect_code(409, "invite_invalid");
}

#[tokio::test]
async fn jwks_publishes_the_verifying_keys() {
    let app = TestApp::new().await;
    let reply = app.call("GET", "/.well-known/jwks.json", None, None).await;
    reply.expect(200);
    let key = &reply.body["keys"][0];
    assert_eq!(
        (key["kty"].as_str(), key["crv"].as_str(), key["alg"].as_str()),
        (Some("OKP"), Some("Ed25519"), Some("EdDSA"))
    );
    assert!(key.get("d").is_none(), "no private part");
}

#[tokio::test]
async fn a_signing_key_rotation_reaches_running_functions() {
    use paas_core::auth::keyring::Signing;
    use tower::ServiceExt;

    let app = TestApp::new().await;
    let acme = app.signup("acme").await;
    let config = (*app.state.config).clone();
    // The admin function, warm since before the rotation.
    let tenants = paas_admin::router(paas_store_sqlite::app_state(config.clone(), Signing::VerifyOnly).await.unwrap());
    let new_kid = paas_cli::operators::rotate_signing_key(config.clone(), false).await.unwrap();
    // An auth function that starts after it signs with the new key.
    let auth = paas_auth::router(paas_store_sqlite::app_state(config, Signing::Sign).await.unwrap());

    let login = http::Request::post("/api/auth/login")
        .header("content-type", "application/json")
        .body(axum::body::Body::from(json!({"email": acme.email, "password": PASSWORD}).to_string()))
        .unwrap();
    let response = auth.oneshot(login).await.unwrap();
    let body: serde_json::Value =
        serde_json::from_slice(&axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap()).unwrap();
    let fresh = body["access_token"].as_str().unwrap().to_owned();
    let header = {
        use base64::Engine;
        let part = fresh.split('.').next().unwrap();
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part).unwrap();
        serde_json::from_slice::<serde_json::Value>(&bytes).unwrap()
    };
    assert_eq!(header["kid"], new_kid.as_str());

    for token in [&acme.access, &fresh] {
        let request = http::Request::get("/api/v1/tenant").header("authorization", format!("Bearer {token}"));
        let response = tenants.clone().oneshot(request.body(axum::body::Body::empty()).unwrap()).await.unwrap();
        assert_eq!(response.status(), 200, "old and new keys both verify on the warm function");
    }
}

/// A leaked signing key is dropped (`paas keys rotate --drop-old`): a
/// function that has been warm since before stops taking its tokens within
/// the key refresh interval, without a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_key_dropped_in_an_emergency_stops_verifying_within_the_refresh_interval() {
    use paas_core::auth::keyring::Signing;

    let app = TestApp::with(|c| c.key_refresh_secs = 1).await;
    let acme = app.signup("acme").await;
    let config = (*app.state.config).clone();
    let warm = paas_admin::router(paas_store_sqlite::app_state(config.clone(), Signing::VerifyOnly).await.unwrap());
    let tenant_status = |token: String| {
        use tower::ServiceExt;
        let request = http::Request::get("/api/v1/tenant").header("authorization", format!("Bearer {token}"));
        let warm = warm.clone();
        async move { warm.oneshot(request.body(axum::body::Body::empty()).unwrap()).await.unwrap().status() }
    };
    assert_eq!(tenant_status(acme.access.clone()).await, 200);

    paas_cli::operators::rotate_signing_key(config, true).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(tenant_status(acme.access.clone()).await, 401, "the dropped key no longer verifies");
    let fresh = app.post("/api/auth/login", None, json!({"email": acme.email, "password": PASSWORD})).await;
    fresh.expect(200);
    assert_eq!(tenant_status(fresh.str("access_token")).await, 200);
}
