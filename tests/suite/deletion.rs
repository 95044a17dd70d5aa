//! Deletion that completes, on both store backends: whichever write of a
//! session's or a tenant's deletion fails, the retry answers 204 and
//! finishes it, the thing reads as missing from the first write that
//! succeeded, and nothing of it is left in any table or in the secret
//! store; and turns still running when their session or tenant is deleted
//! write nothing of them.

use std::time::Duration;

use paas_core::conversation::{self, LogEntry};
use paas_core::domain::{SessionId, TenantId};
use paas_core::identity::tenants;
use paas_core::metering::turn_budget::TurnBudget;
use paas_core::store::{DynStore, Key, Query, query_all, tables};
use serde_json::json;

use crate::chat::chat_frames;
use crate::fake_llm::{FakeLlm, Reply, usage};
use crate::support::{FirstTries, Signup, TestApp, on_both_backends};

on_both_backends!(
    a_session_deletion_that_fails_at_any_step_is_finished_by_a_retry,
    a_tenant_deletion_that_fails_at_any_step_is_finished_by_a_retry,
    a_turn_that_ends_after_its_session_was_deleted_writes_nothing,
    a_turn_that_ends_after_its_tenant_was_deleted_writes_nothing,
);

/// Everything stored in one partition of a table.
async fn partition(store: &DynStore, table: &'static tables::TableDef, pk: &str) -> Vec<String> {
    let items = query_all(store.as_ref(), Query::partition(table, pk)).await.unwrap();
    items.iter().map(|item| format!("{}:{}", item["pk"], item["sk"])).collect()
}

/// DELETEs until the answer is 204, each write of the deletion failing once
/// on its first try, and `between` run after each failure; from the second
/// failure on (the first hits the tombstone itself), `reads` must answer 404.
/// Answers how many attempts failed.
async fn delete_through_failures(
    app: &mut TestApp,
    path: &str,
    token: &str,
    reads: &str,
    mut between: impl AsyncFnMut(&TestApp, &FirstTries),
) -> usize {
    let tries = app.flaky();
    tries.arm(true);
    let mut failed = 0;
    loop {
        let reply = app.call("DELETE", path, Some(token), None).await;
        if reply.status == 204 {
            break;
        }
        reply.expect_code(500, "internal");
        failed += 1;
        assert!(failed < 300, "the deletion makes no progress");
        if failed > 1 {
            app.get(reads, token).await.expect_code(404, "not_found");
        }
        between(app, &tries).await;
    }
    tries.arm(false);
    app.get(reads, token).await.expect_code(404, "not_found");
    app.call("DELETE", path, Some(token), None).await.expect_code(404, "not_found");
    failed
}

async fn a_session_deletion_that_fails_at_any_step_is_finished_by_a_retry(mut app: TestApp) {
    let acme = app.signup("acme").await;
    let calculator = json!({"message": "What is 12*(3+4)?", "agent_type": "agent"});
    let first = chat_frames(&app, &acme.access, calculator).await;
    let session_id = first[0].data["data"]["session_id"].as_str().unwrap().to_owned();
    chat_frames(&app, &acme.access, json!({"message": "And 2+2?", "agent_type": "agent", "session_id": session_id}))
        .await;
    let messages = format!("{}#{session_id}", acme.tenant_id);
    let stored = partition(&app.state.store, &tables::MESSAGES, &messages).await;
    assert!(stored.iter().any(|k| k.contains("LOG#")) && stored.iter().filter(|k| k.contains("MSG#")).count() == 4);

    let path = format!("/api/v1/sessions/{session_id}");
    let failed = delete_through_failures(&mut app, &path, &acme.access, &path, async |_, _| {}).await;
    assert!(failed > stored.len(), "a failure hit the mark, every message and log entry, and the record: {failed}");

    assert_eq!(partition(&app.state.store, &tables::MESSAGES, &messages).await, Vec::<String>::new());
    assert_eq!(partition(&app.state.store, &tables::SESSIONS, &acme.tenant_id).await, Vec::<String>::new());
    let listed = app.get("/api/v1/sessions", &acme.access).await;
    assert_eq!(listed.body["items"], json!([]));
}

/// A tenant that owns one of everything: users, an API key, an agent, a tool
/// with a secret header, a provider key, sessions with messages and logs,
/// usage counters, and a lease its dead process never gave back.
async fn a_tenant_with_everything(app: &TestApp) -> (Signup, String) {
    let acme = app.signup("acme").await;
    app.member(&acme, "user").await;
    let (key_id, _) = app.api_key(&acme, &["chat"]).await;
    app.post("/api/v1/agents", Some(&acme.access), json!({"name": "Tutor", "tools": ["calculator"]})).await.expect(201);
    let tool = json!({"name": "hook", "description": "d", "endpoint": "http://127.0.0.1:9/hook",
        "secret_header": {"name": "X-Key", "value": "tool-secret"}});
    app.post("/api/v1/tools", Some(&acme.access), tool).await.expect(201);
    chat_frames(app, &acme.access, json!({"message": "What is 12*(3+4)?", "agent_type": "agent"})).await;
    chat_frames(app, &acme.access, json!({"message": "Hello"})).await;
    app.use_provider(&acme, "openai_compatible", "http://127.0.0.1:9/v1").await;
    let tenant_id = TenantId::parse(&acme.tenant_id).unwrap();
    let tenant = tenants::get(&app.state.store, &tenant_id).await.unwrap().unwrap();
    let budget = TurnBudget::open(&app.state.store, &tenant, 100, 100, Duration::from_secs(600)).await.unwrap();
    std::mem::forget(budget);
    (acme, key_id)
}

/// Asserts that nothing of the tenant is left: no item in any of its
/// partitions, no pointer to it, no secret under its prefix.
async fn assert_nothing_left(app: &TestApp, acme: &Signup, key_id: &str, sessions: &[String]) {
    let store = &app.state.store;
    for table in tables::ALL {
        assert_eq!(partition(store, table, &acme.tenant_id).await, Vec::<String>::new(), "{}", table.name);
    }
    for session_id in sessions {
        let messages = partition(store, &tables::MESSAGES, &format!("{}#{session_id}", acme.tenant_id)).await;
        assert_eq!(messages, Vec::<String>::new());
    }
    let emails = partition(store, &tables::USERS, &format!("EMAIL#{}", acme.email)).await;
    assert!(emails.iter().all(|k| !k.contains(&acme.tenant_id)), "{emails:?}");
    let count = store.get(&tables::USERS, &Key::new(format!("ACCOUNTS#{}", acme.email), "COUNT")).await.unwrap();
    let accounts = count.map(|item| item["accounts"].as_u64().unwrap());
    let claims = (!emails.is_empty()).then_some(emails.len() as u64);
    assert_eq!(accounts, claims, "the email's account count matches its claims, and is not kept at zero");
    assert!(store.get(&tables::API_KEYS, &Key::new(format!("KEY#{key_id}"), "KEY")).await.unwrap().is_none());
    let slug = store.get(&tables::TENANTS, &Key::new(format!("SLUG#{}", acme.slug), "SLUG")).await.unwrap();
    assert!(slug.is_none_or(|s| s["tenant_id"] != acme.tenant_id.as_str()), "the slug is free or another's");
    let prefix = paas_core::store::keys::tenant_secrets(&TenantId::parse(&acme.tenant_id).unwrap());
    assert_eq!(app.state.secrets.list(&prefix, None).await.unwrap(), (vec![], None));
}

async fn a_tenant_deletion_that_fails_at_any_step_is_finished_by_a_retry(mut app: TestApp) {
    let (acme, key_id) = a_tenant_with_everything(&app).await;
    let prefix = paas_core::store::keys::tenant_secrets(&TenantId::parse(&acme.tenant_id).unwrap());
    assert_eq!(app.state.secrets.list(&prefix, None).await.unwrap().0.len(), 2, "a provider key and a tool secret");
    let usage_and_leases = partition(&app.state.store, &tables::TENANTS, &acme.tenant_id).await;
    assert!(
        usage_and_leases.iter().any(|k| k.contains("USAGE#")) && usage_and_leases.iter().any(|k| k.contains("TURN#"))
    );
    let sessions: Vec<String> = app.get("/api/v1/sessions", &acme.access).await.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["session_id"].as_str().unwrap().to_owned())
        .collect();
    let ops = app.operator().await;

    // Once the deletion freed the slug, a new tenant takes it; the old deletion's retries leave it theirs.
    let mut successor = None;
    let take_the_slug = async |app: &TestApp, tries: &FirstTries| {
        let slug = app.state.store.get(&tables::TENANTS, &Key::new("SLUG#acme", "SLUG")).await.unwrap();
        if slug.is_none() && successor.is_none() {
            tries.arm(false);
            successor = Some(app.signup_as("acme", "founder@acme.test").await);
            tries.arm(true);
        }
    };
    let path = format!("/api/platform/tenants/{}", acme.tenant_id);
    let failed = delete_through_failures(&mut app, &path, &ops, &path, take_the_slug).await;
    assert!(failed > 20, "a failure hit every step: {failed}");
    app.get("/api/v1/tenant", &acme.access).await.expect(401);
    let listed = app.get("/api/platform/tenants", &ops).await;
    assert!(!listed.text.contains(&acme.tenant_id));
    assert_nothing_left(&app, &acme, &key_id, &sessions).await;

    let successor = successor.expect("the slug was freed before the record went");
    assert_eq!(app.get("/api/v1/tenant", &successor.access).await.body["slug"], "acme");
    let taken = app
        .post(
            "/api/auth/signup",
            None,
            json!({"tenant_name": "Acme 3", "tenant_slug": "acme",
        "email": "third@acme.test", "password": crate::support::PASSWORD}),
        )
        .await;
    taken.expect_code(409, "slug_taken");
}

/// A provider that thinks aloud, then answers only after `pause` (and is cut).
async fn slow_provider(app: &TestApp, admin: &Signup, pause: Duration) -> FakeLlm {
    let reply = Reply::openai_reasoning(&["Let me think."], &["Partly"], Some(usage(20, 5))).stall_after(3, pause);
    let fake = FakeLlm::start(vec![reply]).await;
    app.use_provider(admin, "openai_compatible", &fake.base_url()).await;
    fake
}

/// The first session of the tenant, once its turn has stored the user's message.
async fn running_session(app: &TestApp, admin: &Signup) -> String {
    for _ in 0..200 {
        let listed = app.get("/api/v1/sessions", &admin.access).await;
        if let Some(id) = listed.body["items"][0]["session_id"].as_str() {
            return id.to_owned();
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the turn never started a session");
}

async fn a_turn_that_ends_after_its_session_was_deleted_writes_nothing(app: TestApp) {
    let acme = app.signup("acme").await;
    let _fake = slow_provider(&app, &acme, Duration::from_millis(1_500)).await;
    let turn = app.post("/api/v1/chat/completions", Some(&acme.access), json!({"message": "Think"}));
    let delete = async {
        let session_id = running_session(&app, &acme).await;
        app.call("DELETE", &format!("/api/v1/sessions/{session_id}"), Some(&acme.access), None).await.expect(204);
        session_id
    };
    let (streamed, session_id) = tokio::join!(turn, delete);
    streamed.expect(200);
    assert!(streamed.text.contains("event: done"));
    let messages = format!("{}#{session_id}", acme.tenant_id);
    assert_eq!(partition(&app.state.store, &tables::MESSAGES, &messages).await, Vec::<String>::new());
    app.get(&format!("/api/v1/sessions/{session_id}/log"), &acme.access).await.expect_code(404, "not_found");
    let report = app.get("/api/v1/tenant/usage", &acme.access).await;
    assert!(report.body["quotas"][0]["used"].as_u64().unwrap() > 0, "the turn's tokens are still charged");

    // The bookkeeping itself, run late: refused, and nothing written.
    let (tenant_id, session_id) = (TenantId::parse(&acme.tenant_id).unwrap(), SessionId::parse(&session_id).unwrap());
    let entry = LogEntry {
        entry_id: ulid::Ulid::new().to_string(),
        message_id: ulid::Ulid::new().to_string(),
        kind: paas_core::conversation::ThoughtKind::Reasoning,
        text: "late".into(),
        step: 1,
        created_at: chrono::Utc::now(),
    };
    let late = conversation::append_log(&app.state.store, &tenant_id, &session_id, &[entry]).await;
    assert!(matches!(late, Err(paas_core::AppError::NotFound)), "{late:?}");
    assert_eq!(partition(&app.state.store, &tables::MESSAGES, &messages).await, Vec::<String>::new());
}

async fn a_turn_that_ends_after_its_tenant_was_deleted_writes_nothing(app: TestApp) {
    let acme = app.signup("acme").await;
    let _fake = slow_provider(&app, &acme, Duration::from_millis(1_500)).await;
    let ops = app.operator().await;
    let turn = app.post("/api/v1/chat/completions", Some(&acme.access), json!({"message": "Think"}));
    let delete = async {
        let session_id = running_session(&app, &acme).await;
        let path = format!("/api/platform/tenants/{}", acme.tenant_id);
        app.call("DELETE", &path, Some(&ops), None).await.expect(204);
        session_id
    };
    let (streamed, session_id) = tokio::join!(turn, delete);
    streamed.expect(200);
    assert!(streamed.text.contains("event: done"));
    let store = &app.state.store;
    for table in tables::ALL {
        assert_eq!(partition(store, table, &acme.tenant_id).await, Vec::<String>::new(), "{}", table.name);
    }
    let messages = format!("{}#{session_id}", acme.tenant_id);
    assert_eq!(partition(store, &tables::MESSAGES, &messages).await, Vec::<String>::new());
}
