//! Chat turns against a fake provider that speaks the real wire formats:
//! each case asserts the frames the client saw, what was stored, and the
//! tokens counted.

use std::time::Duration;

use futures::StreamExt;
use serde_json::{Value, json};

use crate::chat::{SseFrame, answer_text, assert_well_formed, chat_frames, done, parse_sse};
use crate::fake_llm::{FakeLlm, Reply, refused_base_url, usage};
use crate::support::{Signup, TestApp};

/// A tenant on an app whose provider timeouts suit tests.
async fn setup() -> (TestApp, Signup) {
    let app = TestApp::with(|c| {
        c.llm_idle_timeout_ms = 400;
        c.llm_first_token_timeout_ms = 2_000;
        c.llm_connect_timeout_ms = 1_000;
    })
    .await;
    let acme = app.signup("acme").await;
    (app, acme)
}

async fn tokens_used(app: &TestApp, admin: &Signup) -> u64 {
    let usage = app.get("/api/v1/tenant/usage", &admin.access).await;
    usage.body["quotas"][0]["used"].as_u64().unwrap()
}

/// The assistant message a turn stored.
async fn stored_answer(app: &TestApp, admin: &Signup, frames: &[SseFrame]) -> Value {
    let session_id = frames[0].data["data"]["session_id"].as_str().unwrap();
    let messages = app.get(&format!("/api/v1/sessions/{session_id}/messages"), &admin.access).await;
    let answer = messages.body["items"][0].clone();
    assert_eq!(answer["role"], "assistant");
    assert_eq!(answer["message_id"], frames[0].data["data"]["message_id"]);
    answer
}

fn error_code(frames: &[SseFrame]) -> Option<String> {
    frames.iter().find(|f| f.event == "error").map(|f| f.data["data"]["code"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn an_openai_compatible_stream_is_relayed_stored_and_counted_with_the_reported_usage() {
    let (app, acme) = setup().await;
    let fake = FakeLlm::start(vec![
        Reply::openai_reasoning(&["Think", "ing"], &["Ray", "leigh ", "scattering."], Some(usage(31, 57))),
        Reply::openai_text(&["Again."], Some(usage(60, 2))),
    ])
    .await;
    app.use_provider(&acme, "openai_compatible", &fake.base_url()).await;

    let frames = chat_frames(&app, &acme.access, json!({"message": "Why is the sky blue?"})).await;
    assert_eq!(answer_text(&frames), "Rayleigh scattering.");
    let messages: Vec<_> = frames.iter().filter(|f| f.event == "message").map(|f| f.data["data"].clone()).collect();
    assert_eq!(messages, [json!("Ray"), json!("leigh "), json!("scattering.")], "each delta is its own frame");
    let thought = frames.iter().find(|f| f.event == "thought").unwrap();
    assert_eq!(
        (thought.data["data"]["kind"].as_str(), thought.data["data"]["step"].as_u64()),
        (Some("reasoning"), Some(1))
    );
    let done = done(&frames);
    assert_eq!(done["outcome"], "completed");
    assert_eq!(done["usage"], json!({"input_tokens": 31, "output_tokens": 57, "total_tokens": 88}));
    assert_eq!(done["model"], "test-model");
    assert_eq!(tokens_used(&app, &acme).await, 88, "the month counts the provider's figures");
    let answer = stored_answer(&app, &acme, &frames).await;
    assert_eq!(
        (answer["content"].as_str(), answer["status"].as_str()),
        (Some("Rayleigh scattering."), Some("complete"))
    );

    let sent = &fake.requests()[0];
    assert_eq!(sent.path, "/v1/chat/completions");
    assert_eq!(sent.header("authorization"), Some("Bearer sk-test-secret-9876"));
    assert_eq!(sent.body["stream"], true);
    assert_eq!(sent.body["stream_options"]["include_usage"], true);
    assert_eq!(sent.body["model"], "test-model");
    assert!(sent.body["max_tokens"].as_u64().unwrap() <= 1024, "the output allowance caps the call");
    assert_eq!(sent.body["messages"][0]["role"], "system");
    assert_eq!(sent.body["messages"][1]["content"], "Why is the sky blue?");

    // The next turn of the session sends the history.
    let session_id = frames[0].data["data"]["session_id"].as_str().unwrap();
    chat_frames(&app, &acme.access, json!({"message": "Again?", "session_id": session_id})).await;
    let roles: Vec<_> =
        fake.requests()[1].body["messages"].as_array().unwrap().iter().map(|m| m["content"].clone()).collect();
    assert_eq!(roles[1..], [json!("Why is the sky blue?"), json!("Rayleigh scattering."), json!("Again?")]);
    assert_eq!(tokens_used(&app, &acme).await, 150);
}

#[tokio::test]
async fn an_anthropic_stream_is_relayed_and_counted() {
    let (app, acme) = setup().await;
    let fake = FakeLlm::start(vec![Reply::anthropic_text(&["Hello", ", world"], usage(120, 4))]).await;
    let base = fake.base_url();
    let body =
        json!({"provider": "anthropic", "model": "claude-test", "base_url": base, "api_key": "sk-ant-test-4321"});
    app.call("PUT", "/api/v1/tenant/llm", Some(&acme.access), Some(body)).await.expect(200);
    let frames = chat_frames(&app, &acme.access, json!({"message": "Say hello"})).await;
    assert_eq!(answer_text(&frames), "Hello, world");
    assert_eq!(done(&frames)["usage"]["total_tokens"], 124);
    assert_eq!(tokens_used(&app, &acme).await, 124);
    let sent = &fake.requests()[0];
    assert_eq!(sent.path, "/v1/messages");
    assert_eq!(sent.header("x-api-key"), Some("sk-ant-test-4321"));
    assert_eq!(sent.body["system"].as_str().map(|s| !s.is_empty()), Some(true));
}

#[tokio::test]
async fn a_refused_connection_is_an_error_event_and_costs_nothing() {
    let (app, acme) = setup().await;
    app.use_provider(&acme, "openai_compatible", &refused_base_url()).await;
    let frames = chat_frames(&app, &acme.access, json!({"message": "Hello?"})).await;
    assert_eq!(error_code(&frames).as_deref(), Some("provider_unreachable"));
    assert_eq!(done(&frames)["outcome"], "failed");
    let answer = stored_answer(&app, &acme, &frames).await;
    assert_eq!(answer["status"], "failed");
    assert_eq!(done(&frames)["usage"]["total_tokens"], 0, "{:?}", frames);
    assert_eq!(tokens_used(&app, &acme).await, 0, "a provider that never took the request used no tokens");
}

#[tokio::test]
async fn rate_limits_and_server_errors_before_the_first_token_are_retried() {
    let (app, acme) = setup().await;
    let fake = FakeLlm::start(vec![
        Reply::status(429, Some("1")),
        Reply::status(500, None),
        Reply::openai_text(&["Fine."], Some(usage(200, 2))),
    ])
    .await;
    app.use_provider(&acme, "openai_compatible", &fake.base_url()).await;
    let started = std::time::Instant::now();
    let frames = chat_frames(&app, &acme.access, json!({"message": "Are you there?"})).await;
    assert!(started.elapsed() >= Duration::from_secs(1), "Retry-After is honoured");
    assert_eq!(answer_text(&frames), "Fine.");
    assert_eq!(done(&frames)["outcome"], "completed");
    assert_eq!(fake.requests().len(), 3);
    assert_eq!(tokens_used(&app, &acme).await, 202);
}

#[tokio::test]
async fn a_stream_cut_midway_keeps_what_was_streamed() {
    let (app, acme) = setup().await;
    let fake = FakeLlm::start(vec![
        Reply::openai_text(&["Part one, ", "part two, ", "never."], Some(usage(9, 9))).cut_after(3),
    ])
    .await;
    app.use_provider(&acme, "openai_compatible", &fake.base_url()).await;
    let frames = chat_frames(&app, &acme.access, json!({"message": "Tell me"})).await;
    let streamed = answer_text(&frames);
    assert!(!streamed.is_empty() && !streamed.contains("never"), "{streamed}");
    assert_eq!(error_code(&frames).as_deref(), Some("provider_protocol_error"));
    assert_eq!(done(&frames)["outcome"], "failed");
    let answer = stored_answer(&app, &acme, &frames).await;
    assert_eq!((answer["status"].as_str(), answer["content"].as_str()), (Some("partial"), Some(streamed.as_str())));
    let counted = tokens_used(&app, &acme).await;
    assert_eq!(counted, done(&frames)["usage"]["total_tokens"].as_u64().unwrap(), "estimated, and counted once");
    assert!(counted > 0);
}

#[tokio::test]
async fn a_malformed_chunk_fails_the_turn_cleanly() {
    let (app, acme) = setup().await;
    let fake = FakeLlm::start(vec![Reply::sse(vec![
        "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hi\"},\"finish_reason\":null}]}\n\n".into(),
        "data: {not json\n\n".into(),
    ])])
    .await;
    app.use_provider(&acme, "openai_compatible", &fake.base_url()).await;
    let frames = chat_frames(&app, &acme.access, json!({"message": "Hello"})).await;
    assert_eq!(answer_text(&frames), "Hi");
    assert_eq!(error_code(&frames).as_deref(), Some("provider_protocol_error"));
    assert_eq!(done(&frames)["outcome"], "failed");
}

#[tokio::test]
async fn a_stall_past_the_idle_timeout_ends_the_turn() {
    let (app, acme) = setup().await;
    let fake =
        FakeLlm::start(vec![Reply::openai_text(&["Start", " and then"], None).stall_after(2, Duration::from_secs(5))])
            .await;
    app.use_provider(&acme, "openai_compatible", &fake.base_url()).await;
    let started = std::time::Instant::now();
    let frames = chat_frames(&app, &acme.access, json!({"message": "Hello"})).await;
    assert!(started.elapsed() < Duration::from_secs(4), "the idle timeout, not the stall, ends it");
    assert_eq!(error_code(&frames).as_deref(), Some("provider_timeout"));
    assert_eq!(done(&frames)["outcome"], "failed");
    assert_eq!(stored_answer(&app, &acme, &frames).await["status"], "partial");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(fake.open_bodies(), 0, "the upstream request was dropped");
}

#[tokio::test]
async fn a_client_that_disconnects_cancels_the_upstream_and_the_turn_is_kept() {
    let (app, acme) = setup().await;
    let fake = FakeLlm::start(vec![
        Reply::openai_text(&["First words", " more"], None).stall_after(2, Duration::from_millis(300)),
    ])
    .await;
    app.use_provider(&acme, "openai_compatible", &fake.base_url()).await;
    let addr = app.serve().await;

    let response = reqwest::Client::new()
        .post(format!("http://{addr}/api/v1/chat/completions"))
        .bearer_auth(&acme.access)
        .json(&json!({"message": "Stream to me"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let mut body = response.bytes_stream();
    let mut seen = String::new();
    while !seen.contains("event: message") {
        seen.push_str(&String::from_utf8_lossy(&body.next().await.unwrap().unwrap()));
    }
    drop(body); // the client goes away mid-answer

    // The turn notices, stops the provider, and stores what was streamed.
    let mut answer = Value::Null;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let sessions = app.get("/api/v1/sessions", &acme.access).await;
        let Some(session_id) = sessions.body["items"][0]["session_id"].as_str() else { continue };
        let messages = app.get(&format!("/api/v1/sessions/{session_id}/messages"), &acme.access).await;
        if messages.body["items"][0]["role"] == "assistant" {
            answer = messages.body["items"][0].clone();
            break;
        }
    }
    assert_eq!(answer["status"], "partial", "{answer}");
    assert_eq!(answer["outcome"], "cancelled");
    assert!(answer["content"].as_str().unwrap().starts_with("First words"));
    assert!(tokens_used(&app, &acme).await > 0, "what was generated is counted");
    assert_eq!(fake.open_bodies(), 0, "the upstream request was cancelled");
}

#[tokio::test]
async fn heartbeats_keep_a_silent_stream_open() {
    let app = TestApp::with(|c| c.heartbeat_ms = 100).await;
    let acme = app.signup("acme").await;
    let fake = FakeLlm::start(vec![
        Reply::openai_text(&["Slow", " answer"], Some(usage(5, 2))).stall_after(2, Duration::from_millis(700)),
    ])
    .await;
    app.use_provider(&acme, "openai_compatible", &fake.base_url()).await;
    let reply = crate::chat::chat(&app, &acme.access, json!({"message": "Take your time"})).await;
    reply.expect(200);
    assert!(reply.text.matches("\n: heartbeat\n").count() >= 3, "{}", reply.text);
    let frames = parse_sse(&reply.text);
    assert_well_formed(&frames);
    assert!(answer_text(&frames).starts_with("Slow"));
}

#[tokio::test]
async fn the_stream_arrives_frame_by_frame_over_a_real_connection() {
    let (app, acme) = setup().await;
    let addr = app.serve().await;
    let response = reqwest::Client::new()
        .post(format!("http://{addr}/api/v1/chat/completions"))
        .bearer_auth(&acme.access)
        .json(&json!({"message": "Stream to me, offline provider"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let (mut reads, mut text) = (0, String::new());
    let mut body = response.bytes_stream();
    while let Some(chunk) = body.next().await {
        reads += 1;
        text.push_str(&String::from_utf8_lossy(&chunk.unwrap()));
    }
    let frames = parse_sse(&text);
    assert_well_formed(&frames);
    assert!(reads > 5, "frames arrive over time, not in one write ({reads} reads)");
}
