//! What an attacker tries against sign-up, log-in and sessions, and what
//! the owner still notices afterwards; each story runs on both store
//! backends.

use std::time::Duration;

use futures::future::join_all;
use serde_json::{Value, json};

use crate::support::{PASSWORD, TestApp, on_both_backends};

on_both_backends!(
    a_signup_flood_under_an_operators_email_cannot_lock_the_operator_out,
    signups_from_one_address_are_throttled,
    a_guesser_cannot_lock_the_owner_out,
    parallel_guesses_get_only_the_free_attempts,
    owning_another_account_under_the_email_resets_nothing_for_the_victim,
    a_stolen_session_cannot_guess_the_password_at_will,
    a_stale_save_cannot_undo_log_out_everywhere,
    an_admin_key_stops_when_its_creator_loses_admin,
    the_last_admin_cannot_be_demoted_suspended_or_deleted,
    concurrent_demotions_of_two_admins_leave_one,
    a_tenant_from_before_the_admin_count_counts_its_new_admins,
    a_forged_invite_tells_nothing_about_its_user,
);

const ATTACKER: &str = "203.0.113.7:40000";
const OWNER: &str = "198.51.100.2:50000";

fn login(email: &str, password: &str) -> Value {
    json!({"email": email, "password": password})
}

fn signup_body(slug: &str, email: &str, password: &str) -> Value {
    json!({"tenant_name": format!("{slug} Inc"), "tenant_slug": slug, "email": email, "password": password})
}

async fn a_signup_flood_under_an_operators_email_cannot_lock_the_operator_out(app: TestApp) {
    let ops = "ops@platform.test";
    paas_cli::operators::create_operator((*app.state.config).clone(), ops, PASSWORD, None).await.unwrap();
    let attacker = "the attacker's own passphrase";
    let mut replies = Vec::new();
    for n in 0..21 {
        let body = signup_body(&format!("flood-{n}"), ops, attacker);
        replies.push(app.post_from(&format!("203.0.113.{n}:40000"), "/api/auth/signup", None, body).await);
    }
    assert_eq!(replies.iter().filter(|r| r.status == 201).count(), 20, "20 accounts per email");
    let refused = replies.iter().find(|r| r.status != 201).unwrap();
    refused.expect_code(409, "email_account_limit");
    assert!(refused.body["detail"].as_str().unwrap().contains("use another email"), "{}", refused.text);

    let operator = app.post_from(OWNER, "/api/auth/login", None, login(ops, PASSWORD)).await;
    operator.expect(200);
    assert_eq!(app.get("/api/auth/me", &operator.str("access_token")).await.body["platform_admin"], true);
    let chosen = json!({"email": ops, "password": PASSWORD, "tenant_id": "PLATFORM"});
    app.post_from(OWNER, "/api/auth/login-with-tenant", None, chosen).await.expect(200);

    // A deleted tenant gives its account back to the email.
    let flooded = replies[0].body["tenant"]["tenant_id"].as_str().unwrap();
    let path = format!("/api/platform/tenants/{flooded}");
    app.call("DELETE", &path, Some(&operator.str("access_token")), None).await.expect(204);
    app.post_from(OWNER, "/api/auth/signup", None, signup_body("after", ops, attacker)).await.expect(201);
}

async fn signups_from_one_address_are_throttled(app: TestApp) {
    for n in 0..20 {
        let body = signup_body(&format!("burst-{n}"), &format!("owner-{n}@burst.test"), PASSWORD);
        app.post_from(ATTACKER, "/api/auth/signup", None, body).await.expect(201);
    }
    let body = signup_body("burst-20", "owner-20@burst.test", PASSWORD);
    let throttled = app.post_from(ATTACKER, "/api/auth/signup", None, body.clone()).await;
    throttled.expect_code(429, "too_many_attempts");
    let retry_after: u64 = throttled.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=3600).contains(&retry_after));
    app.post_from(OWNER, "/api/auth/signup", None, body).await.expect(201);
}

async fn a_guesser_cannot_lock_the_owner_out(app: TestApp) {
    let acme = app.signup("acme").await;
    for n in 0..5 {
        let guess = login(&acme.email, &format!("wrong guess {n}"));
        app.post_from(ATTACKER, "/api/auth/login", None, guess).await.expect_code(401, "invalid_credentials");
    }
    let slowed = app.post_from(ATTACKER, "/api/auth/login", None, login(&acme.email, PASSWORD)).await;
    slowed.expect_code(429, "too_many_attempts");
    let retry_after: u64 = slowed.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=30).contains(&retry_after), "the first wait is short: {retry_after}");

    app.post_from(OWNER, "/api/auth/login", None, login(&acme.email, PASSWORD)).await.expect(200);
    let chosen = json!({"email": acme.email, "password": PASSWORD, "tenant_id": acme.tenant_id});
    app.post_from(OWNER, "/api/auth/login-with-tenant", None, chosen).await.expect(200);
}

async fn parallel_guesses_get_only_the_free_attempts(app: TestApp) {
    let acme = app.signup("acme").await;
    let app = &app;
    let guesses = (0..20).map(|n| {
        let guess = login(&acme.email, &format!("wrong guess {n}"));
        async move { app.post_from(ATTACKER, "/api/auth/login", None, guess).await }
    });
    let replies = join_all(guesses).await;
    assert_eq!(replies.iter().filter(|r| r.status == 401).count(), 5, "only 5 guesses reach the password check");
    assert_eq!(replies.iter().filter(|r| r.status == 429).count(), 15);
    app.post_from(OWNER, "/api/auth/login", None, login(&acme.email, PASSWORD)).await.expect(200);
}

async fn owning_another_account_under_the_email_resets_nothing_for_the_victim(app: TestApp) {
    let victim = app.signup("acme").await;
    let own = "the attacker's own passphrase";
    app.post_from(ATTACKER, "/api/auth/signup", None, signup_body("evil", &victim.email, own)).await.expect(201);
    for n in 0..4 {
        let guess = login(&victim.email, &format!("wrong guess {n}"));
        app.post_from(ATTACKER, "/api/auth/login", None, guess).await.expect_code(401, "invalid_credentials");
    }
    // Logging in to their own account was the reset; it no longer is.
    app.post_from(ATTACKER, "/api/auth/login", None, login(&victim.email, own)).await.expect(200);
    let right_guess = app.post_from(ATTACKER, "/api/auth/login", None, login(&victim.email, PASSWORD)).await;
    right_guess.expect_code(429, "too_many_attempts");
    app.post_from(OWNER, "/api/auth/login", None, login(&victim.email, PASSWORD)).await.expect(200);
}

async fn a_stolen_session_cannot_guess_the_password_at_will(app: TestApp) {
    let acme = app.signup("acme").await;
    let change = |current: &str| json!({"current_password": current, "new_password": "a brand new passphrase"});
    for n in 0..5 {
        let guess = change(&format!("wrong guess {n}"));
        app.post_from(ATTACKER, "/api/auth/password", Some(&acme.access), guess)
            .await
            .expect_code(401, "invalid_credentials");
    }
    let right = app.post_from(ATTACKER, "/api/auth/password", Some(&acme.access), change(PASSWORD)).await;
    right.expect_code(429, "too_many_attempts");
    app.post_from(OWNER, "/api/auth/login", None, login(&acme.email, PASSWORD)).await.expect(200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn only_a_live_refresh_token_logs_out_on_sqlite() {
    only_a_live_refresh_token_logs_out(TestApp::with(|c| c.refresh_grace_secs = 1).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn only_a_live_refresh_token_logs_out_on_dynamodb() {
    only_a_live_refresh_token_logs_out(TestApp::on_dynamodb_with(|c| c.refresh_grace_secs = 1).await).await;
}

/// Log-out ends a session only for its current refresh token, or the one a
/// parallel refresh just replaced; any other token gets the same 204 and
/// ends nothing.
async fn only_a_live_refresh_token_logs_out(app: TestApp) {
    let acme = app.signup("acme").await;
    let refresh = |token: &str| app.post("/api/auth/refresh", None, json!({"refresh_token": token}));
    let logout = |token: &str| app.post("/api/auth/logout", None, json!({"refresh_token": token}));

    let (family, _) = acme.refresh.rsplit_once('.').unwrap();
    logout(&format!("{family}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")).await.expect(204);
    let first = refresh(&acme.refresh).await;
    first.expect(200);

    tokio::time::sleep(Duration::from_millis(1100)).await;
    logout(&acme.refresh).await.expect(204);
    let second = refresh(&first.str("refresh_token")).await;
    second.expect(200);

    // Logged out while a parallel refresh rotated the token: the session still ends.
    let third = refresh(&second.str("refresh_token")).await;
    third.expect(200);
    logout(&second.str("refresh_token")).await.expect(204);
    refresh(&third.str("refresh_token")).await.expect_code(401, "unauthorized");
}

async fn a_stale_save_cannot_undo_log_out_everywhere(app: TestApp) {
    use paas_core::domain::{DisplayName, UserId};
    use paas_core::identity::users;

    let acme = app.signup("acme").await;
    let user_id = UserId::parse(&acme.user_id).unwrap();
    // An edit read the user before the log-out everywhere, and saves after it.
    let seen = users::get(&app.state.store, &acme.tenant_id, &user_id).await.unwrap().unwrap();
    app.call("POST", "/api/auth/logout-all", Some(&acme.access), None).await.expect(204);
    let mut edited = seen.clone();
    edited.name = Some(DisplayName::try_from("Ada".to_owned()).unwrap());
    let _ = users::save(&app.state.store, &seen, edited, false).await;

    app.get("/api/auth/me", &acme.access).await.expect_code(401, "unauthorized");
    app.post("/api/auth/refresh", None, json!({"refresh_token": acme.refresh})).await.expect(401);
}

async fn an_admin_key_stops_when_its_creator_loses_admin(app: TestApp) {
    let acme = app.signup("acme").await;
    let (bob, bob_token) = app.member(&acme, "admin").await;
    let key_body = json!({"name": "bob's key", "scopes": ["admin"]});
    let bobs_key = app.post("/api/v1/api-keys", Some(&bob_token), key_body.clone()).await;
    bobs_key.expect(201);
    let bobs_key = bobs_key.str("key");
    // A key made with Bob's key answers to Bob too.
    let keys_key = app.post("/api/v1/api-keys", Some(&bobs_key), key_body).await;
    keys_key.expect(201);
    let keys_key = keys_key.str("key");
    let (_, admins_own) = app.api_key(&acme, &["admin"]).await;
    for key in [&bobs_key, &keys_key] {
        app.get("/api/v1/users", key).await.expect(200);
    }

    let path = format!("/api/v1/users/{bob}");
    app.call("PATCH", &path, Some(&acme.access), Some(json!({"role": "user"}))).await.expect(200);
    for key in [&bobs_key, &keys_key] {
        app.get("/api/v1/users", key).await.expect_code(401, "unauthorized");
    }
    app.get("/api/v1/users", &admins_own).await.expect(200);

    // Back to admin, then suspended: the key stops again; deleted: for good.
    app.call("PATCH", &path, Some(&acme.access), Some(json!({"role": "admin"}))).await.expect(200);
    app.get("/api/v1/users", &bobs_key).await.expect(200);
    app.call("PATCH", &path, Some(&acme.access), Some(json!({"status": "suspended"}))).await.expect(200);
    app.get("/api/v1/users", &bobs_key).await.expect_code(401, "unauthorized");
    app.call("DELETE", &path, Some(&acme.access), None).await.expect(204);
    app.get("/api/v1/users", &bobs_key).await.expect_code(401, "unauthorized");
}

async fn the_last_admin_cannot_be_demoted_suspended_or_deleted(app: TestApp) {
    let acme = app.signup("acme").await;
    let (_, key) = app.api_key(&acme, &["admin"]).await;
    let path = format!("/api/v1/users/{}", acme.user_id);
    for change in [json!({"role": "user"}), json!({"status": "suspended"})] {
        let refused = app.call("PATCH", &path, Some(&key), Some(change)).await;
        refused.expect_code(409, "last_admin");
        assert!(refused.body["detail"].as_str().unwrap().contains("at least one active admin"), "{}", refused.text);
    }
    app.call("DELETE", &path, Some(&key), None).await.expect_code(409, "last_admin");
    let me = app.get("/api/auth/me", &acme.access).await;
    me.expect(200);
    assert_eq!(me.body["user"]["role"], "admin");

    // With a second admin, the first may go.
    app.member(&acme, "admin").await;
    app.call("PATCH", &path, Some(&key), Some(json!({"role": "user"}))).await.expect(200);
}

async fn a_tenant_from_before_the_admin_count_counts_its_new_admins(app: TestApp) {
    use paas_core::store::{Key, Update, tables};
    let acme = app.signup("acme").await;
    // As stored before tenants counted their admins.
    let counts = Key::new(acme.tenant_id.as_str(), "COUNTS");
    app.state.store.update(&tables::TENANTS, &counts, &Update::default().remove("admins"), &[]).await.unwrap();
    let (_, bob) = app.member(&acme, "admin").await;
    // Two admins now: the second may demote the first.
    let path = format!("/api/v1/users/{}", acme.user_id);
    app.call("PATCH", &path, Some(&bob), Some(json!({"role": "user"}))).await.expect(200);
}

async fn concurrent_demotions_of_two_admins_leave_one(app: TestApp) {
    let acme = app.signup("acme").await;
    let (bob, bob_token) = app.member(&acme, "admin").await;
    let demote = |token: String, user_id: String| {
        let app = &app;
        async move {
            let path = format!("/api/v1/users/{user_id}");
            app.call("PATCH", &path, Some(&token), Some(json!({"role": "user"}))).await
        }
    };
    let replies =
        join_all([demote(acme.access.clone(), bob.clone()), demote(bob_token.clone(), acme.user_id.clone())]).await;
    assert_eq!(replies.iter().filter(|r| r.status == 200).count(), 1, "one demotion wins");
    for reply in replies.iter().filter(|r| r.status != 200) {
        assert!(matches!(reply.status.as_u16(), 401 | 409), "the other is refused: {}", reply.text);
    }

    let still_admin = if replies[0].status == 200 { &acme.access } else { &bob_token };
    let users = app.get("/api/v1/users", still_admin).await;
    let admins = users.body["items"].as_array().unwrap().iter().filter(|u| u["role"] == "admin").count();
    assert_eq!(admins, 1, "{}", users.text);
}

async fn a_forged_invite_tells_nothing_about_its_user(app: TestApp) {
    let acme = app.signup("acme").await;
    let created =
        app.post("/api/v1/users", Some(&acme.access), json!({"email": "new@acme.test", "role": "user"})).await;
    created.expect(201);
    let invite = created.str("invite_token");
    let (prefix, _) = invite.rsplit_once('.').unwrap();
    let forged = format!("{prefix}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    let unknown = format!("inv.{}.01JD0000000000000000000000.AAAA", acme.tenant_id);
    // The user's email as the password would be refused as such: only for a real invite.
    let accept = |token: String| {
        app.post("/api/auth/accept-invite", None, json!({"invite_token": token, "password": "new@acme.test"}))
    };
    let (forged, unknown) = (accept(forged).await, accept(unknown).await);
    forged.expect_code(409, "invite_invalid");
    unknown.expect_code(409, "invite_invalid");
    assert_eq!(forged.body["detail"], unknown.body["detail"]);
    let real = accept(invite).await;
    real.expect_code(422, "validation_failed");
    assert_ne!(real.body["detail"], unknown.body["detail"], "a real invite explains the password rule");
}
