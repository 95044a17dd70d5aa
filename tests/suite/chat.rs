//! The chat stream with the offline provider (the default): frames, what is
//! stored, tokens counted, quotas, and the sessions API around it.

use serde_json::{Value, json};

use crate::support::{Signup, TestApp};

/// One SSE frame as a client reads it.
#[derive(Debug, Clone)]
pub struct SseFrame {
    pub event: String,
    pub id: u64,
    pub data: Value,
}

/// Parses an SSE body; comments (heartbeats) are skipped.
pub fn parse_sse(text: &str) -> Vec<SseFrame> {
    text.split("\n\n")
        .filter(|block| !block.trim().is_empty())
        .filter_map(|block| {
            let (mut event, mut id, mut data) = (None, None, String::new());
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("event:") {
                    event = Some(v.trim().to_owned());
                } else if let Some(v) = line.strip_prefix("id:") {
                    id = v.trim().parse().ok();
                } else if let Some(v) = line.strip_prefix("data:") {
                    data.push_str(v.strip_prefix(' ').unwrap_or(v));
                }
            }
            Some(SseFrame { event: event?, id: id?, data: serde_json::from_str(&data).ok()? })
        })
        .collect()
}

/// Checks the stream's shape: `session` first, `done` once and last, ids
/// from 1 without gaps, every envelope naming its event; answers the frames.
#[track_caller]
pub fn assert_well_formed(frames: &[SseFrame]) {
    assert!(!frames.is_empty(), "no frames");
    assert_eq!(frames[0].event, "session");
    assert_eq!(frames.last().unwrap().event, "done");
    assert_eq!(frames.iter().filter(|f| f.event == "done").count(), 1, "exactly one done");
    for (i, frame) in frames.iter().enumerate() {
        assert_eq!(frame.id, i as u64 + 1, "ids count from 1 without gaps");
        assert_eq!(frame.data["event"], frame.event.as_str(), "the envelope names its event");
    }
    if let Some(error) = frames.iter().position(|f| f.event == "error") {
        assert_eq!(error, frames.len() - 2, "an error is followed by done");
    }
}

pub fn answer_text(frames: &[SseFrame]) -> String {
    frames.iter().filter(|f| f.event == "message").map(|f| f.data["data"].as_str().unwrap()).collect()
}

pub fn done(frames: &[SseFrame]) -> &Value {
    &frames.last().unwrap().data["data"]
}

/// Sends a chat turn; answers the raw reply (a stream or a problem).
pub async fn chat(app: &TestApp, token: &str, body: Value) -> crate::support::Reply {
    app.post("/api/v1/chat/completions", Some(token), body).await
}

pub async fn chat_frames(app: &TestApp, token: &str, body: Value) -> Vec<SseFrame> {
    let reply = chat(app, token, body).await;
    reply.expect(200);
    assert_eq!(reply.headers["content-type"], "text/event-stream");
    let frames = parse_sse(&reply.text);
    assert_well_formed(&frames);
    frames
}

async fn tokens_used(app: &TestApp, admin: &Signup) -> u64 {
    let usage = app.get("/api/v1/tenant/usage", &admin.access).await;
    usage.expect(200);
    usage.body["quotas"].as_array().unwrap().iter().find(|q| q["quota"] == "tokens_month").unwrap()["used"]
        .as_u64()
        .unwrap()
}

#[tokio::test]
async fn the_offline_provider_streams_an_answer_that_is_stored_and_counted() {
    let app = TestApp::new().await;
    let acme = app.signup("acme").await;
    let frames = chat_frames(&app, &acme.access, json!({"message": "Why is the sky blue?"})).await;

    let session_id = frames[0].data["data"]["session_id"].as_str().unwrap().to_owned();
    let message_id = frames[0].data["data"]["message_id"].as_str().unwrap().to_owned();
    assert!(frames.iter().any(|f| f.event == "thought" && f.data["data"]["kind"] == "reasoning"), "a thought step");
    assert!(frames.iter().filter(|f| f.event == "message").count() > 3, "the answer arrives in pieces");
    let text = answer_text(&frames);
    assert!(text.starts_with("[offline]"), "labelled as offline: {text}");
    let done = done(&frames);
    assert_eq!(done["outcome"], "completed");
    assert_eq!(done["session_id"], session_id.as_str());
    assert_eq!(done["message_id"], message_id.as_str());
    let total = done["usage"]["total_tokens"].as_u64().unwrap();
    assert_eq!(
        total,
        done["usage"]["input_tokens"].as_u64().unwrap() + done["usage"]["output_tokens"].as_u64().unwrap()
    );
    assert!(total > 0);

    let messages = app.get(&format!("/api/v1/sessions/{session_id}/messages"), &acme.access).await;
    messages.expect(200);
    let items = messages.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(
        (items[0]["role"].as_str(), items[0]["status"].as_str()),
        (Some("assistant"), Some("complete")),
        "newest first"
    );
    assert_eq!(items[0]["content"], text.as_str());
    assert_eq!(items[0]["message_id"], message_id.as_str());
    assert_eq!(items[1]["content"], "Why is the sky blue?");
    let log = app.get(&format!("/api/v1/sessions/{session_id}/log"), &acme.access).await;
    assert_eq!(log.body["items"][0]["kind"], "reasoning");
    assert_eq!(tokens_used(&app, &acme).await, total, "the month counts exactly what the turn used");

    let session = app.get(&format!("/api/v1/sessions/{session_id}"), &acme.access).await;
    assert_eq!(session.body["title"], "Why is the sky blue?");
    assert_eq!(session.body["message_count"], 2);

    let metrics = app.get_from("127.0.0.1:50000", "/metrics", None).await;
    let tenant = format!("tenant_id=\"{}\"", acme.tenant_id);
    for series in ["chat_requests_total{", "chat_duration_seconds_bucket{", "token_usage_total{", "active_sessions{"] {
        assert!(
            metrics.text.lines().any(|l| l.starts_with(series) && l.contains(&tenant)),
            "{series} for the tenant in:\n{}",
            metrics.text
        );
    }
}

#[tokio::test]
async fn a_session_continues_and_foreign_or_missing_sessions_are_404() {
    let app = TestApp::new().await;
    let acme = app.signup("acme").await;
    let globex = app.signup("globex").await;
    let first = chat_frames(&app, &acme.access, json!({"message": "Hello"})).await;
    let session_id = first[0].data["data"]["session_id"].as_str().unwrap().to_owned();
    let second = chat_frames(&app, &acme.access, json!({"message": "And again", "session_id": session_id})).await;
    assert_eq!(second[0].data["data"]["session_id"], session_id.as_str());
    let session = app.get(&format!("/api/v1/sessions/{session_id}"), &acme.access).await;
    assert_eq!(session.body["message_count"], 4);

    let foreign = chat(&app, &globex.access, json!({"message": "Hi", "session_id": session_id})).await;
    let missing =
        chat(&app, &globex.access, json!({"message": "Hi", "session_id": ulid::Ulid::new().to_string()})).await;
    foreign.expect_code(404, "not_found");
    missing.expect_code(404, "not_found");
    assert_eq!(foreign.body["detail"], missing.body["detail"]);
    chat(&app, &globex.access, json!({"message": "Hi", "session_id": "../x"})).await.expect_code(404, "not_found");
}

#[tokio::test]
async fn bad_chat_requests_are_refused_before_the_stream() {
    let app = TestApp::new().await;
    let acme = app.signup("acme").await;
    for body in [
        json!({"message": ""}),
        json!({"message": "   "}),
        json!({"message": "x".repeat(32_001)}),
        json!({"message": 42}),
        json!({"message": "hi", "agent_type": "wizard"}),
        json!({"message": "hi", "agent_type": "assistant", "agent_id": "a1"}),
        json!({"message": "hi", "tenant_id": acme.tenant_id}),
        json!({}),
    ] {
        chat(&app, &acme.access, body).await.expect_code(422, "validation_failed");
    }
    chat(&app, &acme.access, json!({"message": "hi", "agent_id": "01JD0000000000000000000000"}))
        .await
        .expect_code(404, "not_found");
    app.post("/api/v1/chat/completions", None, json!({"message": "hi"})).await.expect_code(401, "unauthorized");
    let (_, viewer) = app.member(&acme, "viewer").await;
    chat(&app, &viewer, json!({"message": "hi"})).await.expect_code(403, "forbidden");
    let sessions = app.get("/api/v1/sessions", &acme.access).await;
    assert!(sessions.body["items"].as_array().unwrap().is_empty(), "refused requests store nothing");
}

#[tokio::test]
async fn api_keys_chat_within_their_scopes() {
    let app = TestApp::new().await;
    let acme = app.signup("acme").await;
    let (_, chat_key) = app.api_key(&acme, &["chat"]).await;
    let (_, read_key) = app.api_key(&acme, &["sessions:read"]).await;
    let frames = chat_frames(&app, &chat_key, json!({"message": "From a program"})).await;
    assert_eq!(done(&frames)["outcome"], "completed");
    chat(&app, &read_key, json!({"message": "hi"})).await.expect_code(403, "forbidden");
    let listed = app.get("/api/v1/sessions", &read_key).await;
    listed.expect(200);
    assert_eq!(listed.body["items"][0]["owner"]["kind"], "api_key");
}

#[tokio::test]
async fn the_token_quota_answers_429_with_its_reset_time() {
    let app = TestApp::new().await;
    let acme = app.signup("acme").await;
    let ops = app.operator().await;
    let path = format!("/api/platform/tenants/{}", acme.tenant_id);
    app.call("PATCH", &path, Some(&ops), Some(json!({"quota_overrides": {"tokens_per_month": 40}}))).await.expect(200);

    let refused = chat(&app, &acme.access, json!({"message": "This message and the instructions need more than forty tokens to send, surely, with all these words in it."})).await;
    refused.expect_code(429, "quota_exceeded.tokens_month");
    assert_eq!(refused.body["quota"], "tokens_month");
    assert_eq!(refused.body["limit"], 40);
    let reset: chrono::DateTime<chrono::Utc> = refused.body["reset_at"].as_str().unwrap().parse().unwrap();
    assert!(reset > chrono::Utc::now());
    let retry_after: i64 = refused.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry_after > 0 && retry_after <= 31 * 86_400);
    for hidden in ["used", "tokens_per_month", "max_users"] {
        assert!(refused.body.get(hidden).is_none(), "no other figures: {hidden}");
    }
    assert!(app.get("/api/v1/sessions", &acme.access).await.body["items"].as_array().unwrap().is_empty());

    // A short message fits, with its output allowance shrunk to what is left.
    let frames = chat_frames(&app, &acme.access, json!({"message": "Hi"})).await;
    assert!(matches!(done(&frames)["outcome"].as_str(), Some("completed" | "truncated")));
    assert!(tokens_used(&app, &acme).await <= 40);
}

#[tokio::test]
async fn the_daily_session_quota_holds() {
    let app = TestApp::new().await;
    let acme = app.signup("acme").await;
    let ops = app.operator().await;
    let path = format!("/api/platform/tenants/{}", acme.tenant_id);
    app.call("PATCH", &path, Some(&ops), Some(json!({"quota_overrides": {"sessions_per_day": 2}}))).await.expect(200);
    let first = chat_frames(&app, &acme.access, json!({"message": "one"})).await;
    app.post("/api/v1/sessions", Some(&acme.access), json!({"title": "two"})).await.expect(201);
    chat(&app, &acme.access, json!({"message": "three"})).await.expect_code(429, "quota_exceeded.sessions_day");
    app.post("/api/v1/sessions", Some(&acme.access), json!({})).await.expect_code(429, "quota_exceeded.sessions_day");
    // Continuing a session is not a new session.
    let session_id = first[0].data["data"]["session_id"].as_str().unwrap();
    chat_frames(&app, &acme.access, json!({"message": "more", "session_id": session_id})).await;
    // The refused ones left nothing behind; the chat's session counts both turns' messages.
    let listed = app.get("/api/v1/sessions", &acme.access).await;
    let counts: Vec<(String, u64)> = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["title"].as_str().unwrap().to_owned(), s["message_count"].as_u64().unwrap()))
        .collect();
    assert_eq!(counts, [("two".to_owned(), 0), ("one".to_owned(), 4)]);
    let usage = app.get("/api/v1/tenant/usage", &acme.access).await;
    let sessions =
        usage.body["quotas"].as_array().unwrap().iter().find(|q| q["quota"] == "sessions_day").unwrap().clone();
    assert_eq!((sessions["used"].as_u64(), sessions["limit"].as_u64()), (Some(2), Some(2)));
    let today = usage.body["daily"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(today["sessions"], 2);
    assert!(today["tokens"].as_u64().unwrap() > 0);
    assert_eq!(usage.body["daily"].as_array().unwrap().len(), 30);
}

#[tokio::test]
async fn sessions_are_listed_newest_first_renamed_and_deleted_by_their_owner() {
    let app = TestApp::new().await;
    let acme = app.signup("acme").await;
    let (_, user) = app.member(&acme, "user").await;
    let (_, viewer) = app.member(&acme, "viewer").await;
    let mine = chat_frames(&app, &user, json!({"message": "first"})).await;
    chat_frames(&app, &acme.access, json!({"message": "second"})).await;
    let listed = app.get("/api/v1/sessions", &viewer).await;
    listed.expect(200);
    let titles: Vec<_> =
        listed.body["items"].as_array().unwrap().iter().map(|s| s["title"].as_str().unwrap().to_owned()).collect();
    assert_eq!(titles, ["second", "first"]);
    let page = app.get("/api/v1/sessions?limit=1", &viewer).await;
    let next = app.get(&format!("/api/v1/sessions?limit=1&cursor={}", page.str("next_cursor")), &viewer).await;
    assert_eq!(next.body["items"][0]["title"], "first");

    let session_id = mine[0].data["data"]["session_id"].as_str().unwrap();
    let (_, other_user) = app.member(&acme, "user").await;
    chat(&app, &other_user, json!({"message": "my turn", "session_id": session_id}))
        .await
        .expect_code(403, "forbidden");
    let path = format!("/api/v1/sessions/{session_id}");
    app.call("PATCH", &path, Some(&viewer), Some(json!({"title": "mine now"}))).await.expect_code(403, "forbidden");
    let renamed = app.call("PATCH", &path, Some(&user), Some(json!({"title": "  Renamed  "}))).await;
    renamed.expect(200);
    assert_eq!(renamed.body["title"], "Renamed");
    app.call("PATCH", &path, Some(&user), Some(json!({"title": ""}))).await.expect_code(422, "validation_failed");
    app.call("DELETE", &path, Some(&acme.access), None).await.expect(204);
    app.get(&path, &user).await.expect_code(404, "not_found");
    app.get(&format!("{path}/messages"), &user).await.expect_code(404, "not_found");
}
