//! The OpenAI-compatible API (`/v1/chat/completions`, `/v1/models`) as an
//! OpenAI client reads it: chunks, usage, `[DONE]`, the completion object,
//! error objects, and the same sessions and quotas as the native route.

use serde_json::{Value, json};

use crate::fake_llm::{FakeLlm, Reply, usage};
use crate::support::TestApp;

/// The `data:` payloads of an OpenAI stream, in order (`[DONE]` as a string).
fn data_lines(text: &str) -> Vec<Value> {
    text.split("\n\n")
        .filter_map(|block| block.lines().find_map(|line| line.strip_prefix("data: ")))
        .map(|data| serde_json::from_str(data).unwrap_or_else(|_| Value::String(data.to_owned())))
        .collect()
}

#[tokio::test]
async fn a_streamed_completion_speaks_openais_chunks_and_is_stored_in_a_session() {
    let app = TestApp::new().await;
    let acme = app.signup("acme").await;
    let (_, key) = app.api_key(&acme, &["chat"]).await;
    let body = json!({
        "model": "agent",
        "messages": [{"role": "user", "content": "What is 12*(3+4)?"}],
        "stream": true,
        "stream_options": {"include_usage": true},
    });
    let reply = app.post("/v1/chat/completions", Some(&key), body).await;
    reply.expect(200);
    assert_eq!(reply.headers["content-type"], "text/event-stream");
    let chunks = data_lines(&reply.text);
    assert_eq!(chunks.last().unwrap(), "[DONE]");
    let (usage_chunk, finish) = (&chunks[chunks.len() - 2], &chunks[chunks.len() - 3]);
    for chunk in &chunks[..chunks.len() - 1] {
        assert_eq!(chunk["object"], "chat.completion.chunk");
        assert_eq!(chunk["model"], "agent");
        assert_eq!(chunk["id"], chunks[0]["id"], "one id for the whole answer");
    }
    assert_eq!(chunks[0]["choices"][0]["delta"]["role"], "assistant");
    assert_eq!(finish["choices"][0]["finish_reason"], "stop");
    assert_eq!(usage_chunk["choices"], json!([]));
    let tokens = &usage_chunk["usage"];
    assert!(tokens["completion_tokens"].as_u64().unwrap() > 0);
    assert_eq!(
        tokens["total_tokens"].as_u64(),
        Some(tokens["prompt_tokens"].as_u64().unwrap() + tokens["completion_tokens"].as_u64().unwrap())
    );
    assert!(chunks[1..chunks.len() - 3].iter().all(|c| c["usage"].is_null()), "usage is null but in the last chunk");
    let content: String =
        chunks.iter().filter_map(|c| c["choices"][0]["delta"]["content"].as_str()).collect::<Vec<_>>().concat();
    assert!(content.contains("84"), "{content}");
    let reasoning: String =
        chunks.iter().filter_map(|c| c["choices"][0]["delta"]["reasoning_content"].as_str()).collect();
    assert!(reasoning.contains("[tool call] calculator"), "tool steps arrive as reasoning_content: {reasoning}");

    // The turn is a session like any other, named in X-Session-Id.
    let session = reply.headers["x-session-id"].to_str().unwrap();
    let messages = app.get(&format!("/api/v1/sessions/{session}/messages"), &acme.access).await;
    messages.expect(200);
    let stored: Vec<_> = messages.body["items"].as_array().unwrap().iter().map(|m| m["role"].clone()).collect();
    assert_eq!(stored, [json!("assistant"), json!("user")]);
    assert!(messages.body["items"][0]["content"].as_str().unwrap().contains("84"));
}

#[tokio::test]
async fn a_whole_completion_honours_the_clients_history_and_continues_a_named_session() {
    let openai = FakeLlm::start(vec![
        Reply::openai_text(&["Paris."], Some(usage(30, 2))),
        Reply::openai_text(&["Lyon."], Some(usage(40, 2))),
    ])
    .await;
    let app = TestApp::new().await;
    let acme = app.signup("acme").await;
    app.use_provider(&acme, "openai_compatible", &openai.base_url()).await;
    let (_, key) = app.api_key(&acme, &["chat"]).await;
    let body = json!({
        "model": "assistant",
        "messages": [
            {"role": "system", "content": "Answer in one word."},
            {"role": "user", "content": "Capital of Italy?"},
            {"role": "assistant", "content": "Rome."},
            {"role": "user", "content": [{"type": "text", "text": "And of France?"}]},
        ],
    });
    let reply = app.post("/v1/chat/completions", Some(&key), body).await;
    reply.expect(200);
    assert_eq!(reply.body["object"], "chat.completion");
    assert_eq!(reply.body["choices"][0]["message"], json!({"role": "assistant", "content": "Paris."}));
    assert_eq!(reply.body["choices"][0]["finish_reason"], "stop");
    // The platform's own count of the prompt when the provider reports less.
    let tokens = &reply.body["usage"];
    let prompt = tokens["prompt_tokens"].as_u64().unwrap();
    assert!(prompt >= 30 && tokens["completion_tokens"] == 2 && tokens["total_tokens"] == prompt + 2, "{tokens}");
    let sent = &openai.requests()[0].body["messages"];
    let roles: Vec<_> = sent.as_array().unwrap().iter().map(|m| m["role"].as_str().unwrap()).collect();
    assert_eq!(roles, ["system", "user", "assistant", "user"], "the client's history is the prompt's");
    assert!(sent[0]["content"].as_str().unwrap().ends_with("Answer in one word."), "{}", sent[0]);
    assert_eq!(sent[3]["content"], "And of France?");

    // X-Session-Id stores the next turn in the same session.
    let session = reply.headers["x-session-id"].to_str().unwrap().to_owned();
    let next = json!({"model": "assistant", "messages": [{"role": "user", "content": "And Lyon?"}]});
    let request = http::Request::post("/v1/chat/completions")
        .header("authorization", format!("Bearer {key}"))
        .header("content-type", "application/json")
        .header("x-session-id", &session)
        .body(axum::body::Body::from(next.to_string()))
        .unwrap();
    let continued = app.send(request).await;
    continued.expect(200);
    assert_eq!(continued.headers["x-session-id"].to_str().unwrap(), session);
    let messages = app.get(&format!("/api/v1/sessions/{session}/messages"), &acme.access).await;
    assert_eq!(messages.body["items"].as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn models_lists_the_built_in_types_and_the_tenants_agents() {
    let app = TestApp::new().await;
    let acme = app.signup("acme").await;
    let created = app.post("/api/v1/agents", Some(&acme.access), json!({"name": "Helpdesk"})).await;
    created.expect(201);
    let (_, key) = app.api_key(&acme, &["chat"]).await;
    let models = app.get("/v1/models", &key).await;
    models.expect(200);
    assert_eq!(models.body["object"], "list");
    let ids: Vec<_> =
        models.body["data"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap().to_owned()).collect();
    let agent = format!("agent:{}", created.body["agent_id"].as_str().unwrap());
    assert_eq!(ids, ["assistant".to_owned(), "agent".to_owned(), agent.clone()]);

    // An agent answers by id and by name.
    for model in [agent.as_str(), "agent:Helpdesk"] {
        let body = json!({"model": model, "messages": [{"role": "user", "content": "Hi"}]});
        app.post("/v1/chat/completions", Some(&key), body).await.expect(200);
    }
}

#[tokio::test]
async fn errors_are_openais_error_objects_with_its_statuses() {
    let app = TestApp::new().await;
    let acme = app.signup("acme").await;
    let (_, key) = app.api_key(&acme, &["chat"]).await;
    let (_, read_only) = app.api_key(&acme, &["sessions:read"]).await;
    let ask = |model: &str| json!({"model": model, "messages": [{"role": "user", "content": "Hi"}]});
    let error = |reply: &crate::support::Reply, status: u16, kind: &str, code: &str| {
        assert_eq!(reply.status.as_u16(), status, "{}", reply.text);
        assert_eq!(reply.headers["content-type"], "application/json");
        assert_eq!(
            (reply.body["error"]["type"].as_str(), reply.body["error"]["code"].as_str()),
            (Some(kind), Some(code))
        );
        assert!(reply.body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
    };

    let anonymous = app.call("POST", "/v1/chat/completions", None, Some(ask("assistant"))).await;
    error(&anonymous, 401, "invalid_request_error", "invalid_api_key");
    let wrong = app.post("/v1/chat/completions", Some("pk_live_not_a_key"), ask("assistant")).await;
    error(&wrong, 401, "invalid_request_error", "invalid_api_key");
    error(&app.get("/v1/models", &read_only).await, 403, "permission_error", "forbidden");
    error(
        &app.post("/v1/chat/completions", Some(&key), ask("gpt-4o")).await,
        404,
        "invalid_request_error",
        "model_not_found",
    );
    let no_question = json!({"model": "assistant", "messages": [{"role": "system", "content": "Be brief."}]});
    error(
        &app.post("/v1/chat/completions", Some(&key), no_question).await,
        400,
        "invalid_request_error",
        "validation_failed",
    );
    error(
        &app.post("/v1/chat/completions", Some(&key), json!({"messages": []})).await,
        400,
        "invalid_request_error",
        "validation_failed",
    );

    let ops = app.operator().await;
    let path = format!("/api/platform/tenants/{}", acme.tenant_id);
    app.call("PATCH", &path, Some(&ops), Some(json!({"quota_overrides": {"tokens_per_month": 10}}))).await.expect(200);
    let refused = app.post("/v1/chat/completions", Some(&key), ask("assistant")).await;
    error(&refused, 429, "insufficient_quota", "insufficient_quota");
    assert!(refused.headers.contains_key("retry-after"));
}

#[tokio::test]
async fn every_concurrent_turn_busy_is_openais_rate_limit_with_retry_after() {
    let app = TestApp::new().await;
    let acme = app.signup("acme").await;
    let (_, key) = app.api_key(&acme, &["chat"]).await;
    let ops = app.operator().await;
    let one = json!({"quota_overrides": {"concurrent_turns": 1}});
    app.call("PATCH", &format!("/api/platform/tenants/{}", acme.tenant_id), Some(&ops), Some(one)).await.expect(200);
    let tenant_id = paas_core::domain::TenantId::parse(&acme.tenant_id).unwrap();
    let tenant = paas_core::identity::tenants::get(&app.state.store, &tenant_id).await.unwrap().unwrap();
    // The tenant's one turn is taken, as by a stream still running.
    let lease = std::time::Duration::from_secs(60);
    let held = paas_core::metering::turn_budget::TurnBudget::open(&app.state.store, &tenant, 100, 100, lease);
    std::mem::forget(held.await.unwrap());

    let body = json!({"model": "assistant", "messages": [{"role": "user", "content": "Hi"}]});
    let refused = app.post("/v1/chat/completions", Some(&key), body).await;
    assert_eq!(refused.status.as_u16(), 429, "{}", refused.text);
    assert_eq!(refused.body["error"]["type"], "requests");
    assert_eq!(refused.body["error"]["code"], "rate_limit_exceeded");
    assert_eq!(refused.headers["retry-after"], "1");
}

#[tokio::test]
async fn client_defined_tools_are_refused_by_name_and_start_nothing() {
    let app = TestApp::new().await;
    let acme = app.signup("acme").await;
    let (_, key) = app.api_key(&acme, &["chat"]).await;
    let tool = json!({"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}});
    for (param, body) in [
        ("tools", json!({"model": "agent", "messages": [{"role": "user", "content": "Hi"}], "tools": [tool]})),
        (
            "functions",
            json!({"model": "agent", "messages": [{"role": "user", "content": "Hi"}], "functions": [{"name": "lookup"}]}),
        ),
        ("n", json!({"model": "agent", "messages": [{"role": "user", "content": "Hi"}], "n": 2})),
    ] {
        let refused = app.post("/v1/chat/completions", Some(&key), body).await;
        assert_eq!(refused.status.as_u16(), 400, "{}", refused.text);
        assert_eq!(refused.body["error"]["param"], param, "{}", refused.text);
        assert_eq!(refused.body["error"]["code"], "unsupported_parameter");
    }
    let empty = json!({"model": "agent", "messages": [{"role": "user", "content": "Hi"}], "tools": []});
    app.post("/v1/chat/completions", Some(&key), empty).await.expect(200);

    let sessions = app.get("/api/v1/sessions", &acme.access).await;
    assert_eq!(sessions.body["items"].as_array().unwrap().len(), 1, "only the accepted request started a session");
}

#[tokio::test]
async fn a_whole_completion_whose_provider_fails_is_a_502_error_object_and_the_turn_is_kept() {
    let openai = FakeLlm::start(vec![Reply::status(400, None)]).await;
    let app = TestApp::new().await;
    let acme = app.signup("acme").await;
    app.use_provider(&acme, "openai_compatible", &openai.base_url()).await;
    let (_, key) = app.api_key(&acme, &["chat"]).await;

    let body = json!({"model": "assistant", "messages": [{"role": "user", "content": "Hi"}]});
    let failed = app.post("/v1/chat/completions", Some(&key), body).await;
    assert_eq!(failed.status.as_u16(), 502, "{}", failed.text);
    assert_eq!(failed.body["error"]["type"], "server_error", "{}", failed.text);
    assert!(failed.body["error"]["code"].as_str().is_some_and(|code| code.starts_with("provider")), "{}", failed.text);

    // The error names the session, where the question is kept and the answer marked failed.
    let session = failed.headers["x-session-id"].to_str().unwrap().to_owned();
    let messages = app.get(&format!("/api/v1/sessions/{session}/messages"), &acme.access).await;
    let stored: Vec<_> =
        messages.body["items"].as_array().unwrap().iter().map(|m| (m["role"].clone(), m["error"].clone())).collect();
    assert_eq!(stored, [(json!("assistant"), json!("provider_error")), (json!("user"), Value::Null)]);
}
