//! Agents: definitions and their quota, the tool-calling loop with its
//! thoughts, log and tokens, and tenant-defined HTTP tools.

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use crate::chat::{SseFrame, answer_text, chat_frames, done};
use crate::fake_llm::{AnthropicBlock, FakeLlm, Reply, usage};
use crate::support::{Signup, TestApp};

async fn create_agent(app: &TestApp, token: &str, body: Value) -> crate::support::Reply {
    app.post("/api/v1/agents", Some(token), body).await
}

fn thoughts(frames: &[SseFrame]) -> Vec<(String, String, u64)> {
    frames
        .iter()
        .filter(|f| f.event == "thought")
        .map(|f| {
            let d = &f.data["data"];
            (
                d["kind"].as_str().unwrap().to_owned(),
                d["text"].as_str().unwrap().to_owned(),
                d["step"].as_u64().unwrap(),
            )
        })
        .collect()
}

async fn tokens_used(app: &TestApp, admin: &Signup) -> u64 {
    app.get("/api/v1/tenant/usage", &admin.access).await.body["quotas"][0]["used"].as_u64().unwrap()
}

#[tokio::test]
async fn admins_define_versioned_agents_that_everyone_reads() {
    let app = TestApp::new().await;
    let acme = app.signup("acme").await;
    let (_, viewer) = app.member(&acme, "viewer").await;
    let (_, user) = app.member(&acme, "user").await;
    let body = json!({"name": "Math tutor", "description": "Explains arithmetic", "system_prompt": "You teach maths.",
        "tools": ["calculator"], "temperature": 0.2, "max_output_tokens": 512, "conversation_starters": ["What is 2+2?"]});
    let created = create_agent(&app, &acme.access, body.clone()).await;
    created.expect(201);
    assert_eq!(created.body["version"], 1);
    let agent_id = created.str("agent_id");
    let path = format!("/api/v1/agents/{agent_id}");

    assert_eq!(app.get("/api/v1/agents", &viewer).await.body["items"][0]["name"], "Math tutor");
    app.get(&path, &viewer).await.expect(200);
    create_agent(&app, &viewer, body.clone()).await.expect_code(403, "forbidden");
    create_agent(&app, &user, body.clone()).await.expect_code(403, "forbidden");

    let edited = app
        .call("PATCH", &path, Some(&acme.access), Some(json!({"system_prompt": "Be brief.", "model": "other-model"})))
        .await;
    edited.expect(200);
    assert_eq!((edited.body["version"].as_u64(), edited.body["model"].as_str()), (Some(2), Some("other-model")));
    let cleared = app.call("PATCH", &path, Some(&acme.access), Some(json!({"model": null}))).await;
    assert_eq!((cleared.body["version"].as_u64(), cleared.body["model"].is_null()), (Some(3), true));

    for bad in [
        json!({"tools": ["rm_rf"]}),
        json!({"temperature": 3.5}),
        json!({"max_steps": 0}),
        json!({"max_output_tokens": 5}),
        json!({"conversation_starters": ["a", "b", "c", "d", "e"]}),
        json!({"name": ""}),
        json!({"version": 9}),
    ] {
        app.call("PATCH", &path, Some(&acme.access), Some(bad)).await.expect_code(422, "validation_failed");
    }
    create_agent(&app, &acme.access, json!({"description": "no name"})).await.expect_code(422, "validation_failed");

    // Users may manage agents where the tenant allows it.
    let settings = json!({"settings": {"members_manage_agents": true}});
    app.call("PATCH", "/api/v1/tenant", Some(&acme.access), Some(settings)).await.expect(200);
    create_agent(&app, &user, json!({"name": "Mine"})).await.expect(201);
    create_agent(&app, &viewer, json!({"name": "Not mine"})).await.expect_code(403, "forbidden");

    app.call("DELETE", &path, Some(&acme.access), None).await.expect(204);
    app.get(&path, &acme.access).await.expect_code(404, "not_found");
}

#[tokio::test]
async fn the_agent_quota_holds_under_concurrent_creation() {
    let app = TestApp::new().await;
    let acme = app.signup("acme").await; // free plan: 3 agents
    let creations = (0..10).map(|n| create_agent(&app, &acme.access, json!({"name": format!("Agent {n}")})));
    let replies = futures::future::join_all(creations).await;
    assert_eq!(replies.iter().filter(|r| r.status == 201).count(), 3);
    for reply in replies.iter().filter(|r| r.status != 201) {
        reply.expect_code(429, "quota_exceeded.agents");
    }
    let first = app.get("/api/v1/agents", &acme.access).await.body["items"][0]["agent_id"].as_str().unwrap().to_owned();
    app.call("DELETE", &format!("/api/v1/agents/{first}"), Some(&acme.access), None).await.expect(204);
    create_agent(&app, &acme.access, json!({"name": "Room again"})).await.expect(201);
}

#[tokio::test]
async fn a_session_runs_with_its_agents_prompt_model_and_version() {
    let app = TestApp::new().await;
    let acme = app.signup("acme").await;
    let fake = FakeLlm::start(vec![Reply::openai_text(&["Ahoy."], Some(usage(20, 2)))]).await;
    app.use_provider(&acme, "openai_compatible", &fake.base_url()).await;
    let agent = create_agent(
        &app,
        &acme.access,
        json!({"name": "Pirate", "system_prompt": "Talk like a pirate.", "model": "pirate-model"}),
    )
    .await;
    let agent_id = agent.str("agent_id");

    let frames = chat_frames(&app, &acme.access, json!({"message": "Hello", "agent_id": agent_id})).await;
    assert_eq!(answer_text(&frames), "Ahoy.");
    let sent = &fake.requests()[0].body;
    assert_eq!(sent["model"], "pirate-model");
    assert_eq!(sent["messages"][0]["content"], "Talk like a pirate.");
    let session_id = frames[0].data["data"]["session_id"].as_str().unwrap();
    let session = app.get(&format!("/api/v1/sessions/{session_id}"), &acme.access).await;
    assert_eq!(
        (session.body["agent_id"].as_str(), session.body["agent_version"].as_u64()),
        (Some(agent_id.as_str()), Some(1))
    );

    let globex = app.signup("globex").await;
    crate::chat::chat(&app, &globex.access, json!({"message": "Hi", "agent_id": agent_id}))
        .await
        .expect_code(404, "not_found");
}

#[tokio::test]
async fn an_agent_may_use_another_configured_provider_than_the_default() {
    let app = TestApp::new().await;
    let acme = app.signup("acme").await;
    let anthropic = FakeLlm::start(vec![Reply::anthropic_text(&["From Claude."], usage(10, 3))]).await;
    let openai = FakeLlm::start(vec![Reply::openai_text(&["From the default."], Some(usage(10, 3)))]).await;
    let claude = json!({"provider": "anthropic", "model": "claude-test", "base_url": anthropic.base_url(), "api_key": "sk-ant-1"});
    app.call("PUT", "/api/v1/tenant/llm", Some(&acme.access), Some(claude)).await.expect(200);
    app.use_provider(&acme, "openai_compatible", &openai.base_url()).await; // now the default

    create_agent(&app, &acme.access, json!({"name": "Unconfigured", "provider": "deepseek"}))
        .await
        .expect_code(409, "provider_not_configured");
    let agent = create_agent(&app, &acme.access, json!({"name": "Claude", "provider": "anthropic"})).await;
    agent.expect(201);
    let frames = chat_frames(&app, &acme.access, json!({"message": "Hi", "agent_id": agent.str("agent_id")})).await;
    assert_eq!(answer_text(&frames), "From Claude.");
    assert_eq!((anthropic.requests().len(), openai.requests().len()), (1, 0));
    assert_eq!(anthropic.requests()[0].header("x-api-key"), Some("sk-ant-1"), "the provider's own key");
    let frames = chat_frames(&app, &acme.access, json!({"message": "Hi"})).await;
    assert_eq!(answer_text(&frames), "From the default.");
}

#[tokio::test]
async fn parallel_tool_calls_stream_as_thoughts_are_logged_and_every_step_is_counted() {
    let app = TestApp::new().await;
    let acme = app.signup("acme").await;
    let fake = FakeLlm::start(vec![
        Reply::openai_tool_calls(
            &[
                ("call_1", "calculator", &[r#"{"expression":"#, r#""12*(3+4)"}"#]),
                ("call_2", "current_time", &[r#"{"timezone":"Europe/Paris"}"#]),
            ],
            Some(usage(500, 20)),
        ),
        Reply::openai_text(&["It is 84."], Some(usage(900, 5))),
    ])
    .await;
    app.use_provider(&acme, "openai_compatible", &fake.base_url()).await;

    let frames = chat_frames(
        &app,
        &acme.access,
        json!({"message": "What is 12*(3+4), and what time is it in Paris?", "agent_type": "agent"}),
    )
    .await;
    let seen = thoughts(&frames);
    assert_eq!(seen.len(), 4, "{seen:?}");
    assert_eq!((seen[0].0.as_str(), seen[0].2), ("tool_call", 1));
    assert!(seen[0].1.starts_with("calculator(") && seen[0].1.contains("12*(3+4)"));
    assert!(seen[1].1.starts_with("current_time("));
    assert_eq!((seen[2].0.as_str(), seen[2].1.as_str()), ("tool_result", "84"));
    assert!(seen[3].1.contains("Europe/Paris"), "{}", seen[3].1);
    let first_message = frames.iter().position(|f| f.event == "message").unwrap();
    let last_thought = frames.iter().rposition(|f| f.event == "thought").unwrap();
    assert!(last_thought < first_message, "the answer streams after the tool steps");
    assert_eq!(answer_text(&frames), "It is 84.");
    assert_eq!(done(&frames)["usage"]["total_tokens"], 1425, "both steps, as reported");
    assert_eq!(tokens_used(&app, &acme).await, 1425);

    let second = &fake.requests()[1].body;
    assert_eq!(fake.requests()[0].body["tools"].as_array().unwrap().len(), 2, "the agent's tools are offered");
    let tool_messages: Vec<_> = second["messages"].as_array().unwrap().iter().filter(|m| m["role"] == "tool").collect();
    assert_eq!(tool_messages.len(), 2);
    assert_eq!(
        (tool_messages[0]["tool_call_id"].as_str(), tool_messages[0]["content"].as_str()),
        (Some("call_1"), Some("84"))
    );

    let session_id = frames[0].data["data"]["session_id"].as_str().unwrap();
    let log = app.get(&format!("/api/v1/sessions/{session_id}/log"), &acme.access).await;
    let kinds: Vec<_> =
        log.body["items"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap().to_owned()).collect();
    assert_eq!(kinds, ["tool_call", "tool_call", "tool_result", "tool_result"]);
}

#[tokio::test]
async fn unknown_tools_and_bad_arguments_become_errors_the_model_sees() {
    let app = TestApp::new().await;
    let acme = app.signup("acme").await;
    let fake = FakeLlm::start(vec![
        Reply::openai_tool_calls(
            &[
                ("c1", "launch_missiles", &["{}"]),
                ("c2", "calculator", &[r#"{"expression": 42}"#]),
                ("c3", "calculator", &["not json"]),
            ],
            Some(usage(10, 10)),
        ),
        Reply::openai_text(&["Sorry."], Some(usage(30, 1))),
    ])
    .await;
    app.use_provider(&acme, "openai_compatible", &fake.base_url()).await;
    let frames = chat_frames(&app, &acme.access, json!({"message": "Do things", "agent_type": "agent"})).await;
    assert_eq!(done(&frames)["outcome"], "completed");
    let results: Vec<_> = thoughts(&frames).into_iter().filter(|t| t.0 == "tool_result").map(|t| t.1).collect();
    assert_eq!(results.len(), 3);
    assert!(results.iter().all(|r| r.starts_with("error")), "{results:?}");
    let sent: Vec<_> = fake.requests()[1].body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["role"] == "tool")
        .cloned()
        .collect();
    assert_eq!(sent.len(), 3, "the model sees every failure");
}

#[tokio::test]
async fn a_loop_that_never_ends_stops_at_the_step_limit() {
    let app = TestApp::new().await;
    let acme = app.signup("acme").await;
    let again = || Reply::openai_tool_calls(&[("c", "calculator", &[r#"{"expression":"1+1"}"#])], Some(usage(500, 20)));
    let fake = FakeLlm::start((0..10).map(|_| again()).collect()).await;
    app.use_provider(&acme, "openai_compatible", &fake.base_url()).await;
    let agent =
        create_agent(&app, &acme.access, json!({"name": "Looper", "tools": ["calculator"], "max_steps": 3})).await;
    let frames = chat_frames(&app, &acme.access, json!({"message": "Loop", "agent_id": agent.str("agent_id")})).await;
    assert_eq!(fake.requests().len(), 3, "three model calls, no more");
    let error = frames.iter().find(|f| f.event == "error").unwrap();
    assert_eq!(error.data["data"]["code"], "step_limit");
    assert_eq!(done(&frames)["outcome"], "truncated");
    assert_eq!(done(&frames)["usage"]["total_tokens"], 1560);
    assert_eq!(tokens_used(&app, &acme).await, 1560);
}

#[tokio::test]
async fn anthropic_tool_use_round_trips() {
    let app = TestApp::new().await;
    let acme = app.signup("acme").await;
    let fake = FakeLlm::start(vec![
        Reply::anthropic(
            &[AnthropicBlock::ToolUse {
                id: "toolu_1",
                name: "calculator",
                json: &[r#"{"expression":"#, r#""2^10"}"#],
            }],
            "tool_use",
            usage(40, 10),
        ),
        Reply::anthropic_text(&["1024."], usage(60, 2)),
    ])
    .await;
    let body =
        json!({"provider": "anthropic", "model": "claude-test", "base_url": fake.base_url(), "api_key": "sk-ant-1"});
    app.call("PUT", "/api/v1/tenant/llm", Some(&acme.access), Some(body)).await.expect(200);
    let frames = chat_frames(&app, &acme.access, json!({"message": "2^10?", "agent_type": "agent"})).await;
    assert_eq!(answer_text(&frames), "1024.");
    assert!(thoughts(&frames).contains(&("tool_result".into(), "1024".into(), 1)));
    let second = &fake.requests()[1].body;
    let result_block = second["messages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| m["content"].as_array().cloned().unwrap_or_default())
        .find(|b| b["type"] == "tool_result")
        .unwrap();
    assert_eq!(
        (result_block["tool_use_id"].as_str(), result_block["content"].as_str()),
        (Some("toolu_1"), Some("1024"))
    );
}

#[tokio::test]
async fn the_offline_provider_demonstrates_a_tool_using_agent() {
    let app = TestApp::new().await;
    let acme = app.signup("acme").await;
    let frames = chat_frames(&app, &acme.access, json!({"message": "What is 12*(3+4)?", "agent_type": "agent"})).await;
    let seen = thoughts(&frames);
    assert!(seen.iter().any(|t| t.0 == "tool_call" && t.1.starts_with("calculator(")), "{seen:?}");
    assert!(seen.iter().any(|t| t.0 == "tool_result" && t.1 == "84"), "{seen:?}");
    assert!(answer_text(&frames).contains("84"), "{}", answer_text(&frames));
    assert_eq!(done(&frames)["outcome"], "completed");
}

/// A tenant's own tool endpoint on 127.0.0.1 that records what it was sent.
async fn tool_endpoint() -> (String, Arc<Mutex<Vec<(Value, Option<String>)>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    let route = axum::routing::post(move |headers: http::HeaderMap, axum::Json(body): axum::Json<Value>| {
        let record = record.clone();
        async move {
            let secret = headers.get("x-tool-secret").map(|v| v.to_str().unwrap().to_owned());
            record.lock().unwrap().push((body.clone(), secret));
            format!("weather in {}: sunny", body["city"].as_str().unwrap_or("?"))
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, axum::Router::new().route("/weather", route)).await.unwrap() });
    (format!("http://{addr}/weather"), seen)
}

/// A `weather` tool at `endpoint` with the secret header `X-Tool-Secret: s3cret-value`.
fn weather_tool(endpoint: &str) -> Value {
    json!({"name": "weather", "description": "Weather by city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
        "endpoint": endpoint, "secret_header": {"name": "X-Tool-Secret", "value": "s3cret-value"}})
}

/// Asks an agent with the `weather` tool about Oslo, through a fake model that calls the tool once.
async fn ask_weatherman(app: &TestApp, admin: &Signup) -> (FakeLlm, Vec<SseFrame>) {
    let fake = FakeLlm::start(vec![
        Reply::openai_tool_calls(&[("w1", "weather", &[r#"{"city":"Oslo"}"#])], Some(usage(30, 8))),
        Reply::openai_text(&["Sunny in Oslo."], Some(usage(50, 4))),
    ])
    .await;
    app.use_provider(admin, "openai_compatible", &fake.base_url()).await;
    let agent = create_agent(app, &admin.access, json!({"name": "Weatherman", "tools": ["weather"]})).await;
    let message = json!({"message": "Weather in Oslo?", "agent_id": agent.str("agent_id")});
    (fake, chat_frames(app, &admin.access, message).await)
}

#[tokio::test]
async fn tenant_defined_http_tools_are_called_with_their_secret_header() {
    let app = TestApp::new().await;
    let acme = app.signup("acme").await;
    let (endpoint, seen) = tool_endpoint().await;
    let tool = weather_tool(&endpoint);
    let created = app.post("/api/v1/tools", Some(&acme.access), tool.clone()).await;
    created.expect(201);
    assert!(!created.text.contains("s3cret-value"), "the secret is write-only");
    assert_eq!(
        (created.body["secret_set"].as_bool(), created.body["secret_header_name"].as_str()),
        (Some(true), Some("X-Tool-Secret"))
    );
    app.post("/api/v1/tools", Some(&acme.access), tool).await.expect_code(409, "tool_name_taken");
    let listed = app.get("/api/v1/tools", &acme.access).await;
    assert!(!listed.text.contains("s3cret-value"));

    let (fake, frames) = ask_weatherman(&app, &acme).await;
    assert!(
        thoughts(&frames).contains(&("tool_result".into(), "weather in Oslo: sunny".into(), 1)),
        "{:?}",
        thoughts(&frames)
    );
    assert_eq!(seen.lock().unwrap().as_slice(), [(json!({"city": "Oslo"}), Some("s3cret-value".to_owned()))]);
    assert_eq!(fake.requests()[0].body["tools"][0]["function"]["name"], "weather");
}

#[tokio::test]
async fn tool_definitions_are_checked() {
    let app = TestApp::with(|c| c.allow_loopback_urls = false).await;
    let acme = app.signup("acme").await;
    let base = json!({"name": "t", "description": "d", "parameters": {"type": "object", "properties": {}}, "endpoint": "https://example.com/x"});
    let with = |field: &str, value: Value| {
        let mut body = base.clone();
        body[field] = value;
        body
    };
    for bad in [
        with("endpoint", json!("https://169.254.169.254/latest/meta-data")),
        with("endpoint", json!("https://127.0.0.1/hook")),
        with("endpoint", json!("https://[::ffff:10.0.0.1]/hook")),
        with("endpoint", json!("http://example.com/hook")),
        with("name", json!("calculator")),
        with("name", json!("Bad Name")),
        with("parameters", json!({"type": "string"})),
        with("parameters", json!("nope")),
        with("secret_header", json!({"name": "bad header", "value": "v"})),
    ] {
        app.post("/api/v1/tools", Some(&acme.access), bad).await.expect_code(422, "validation_failed");
    }
    let (_, user) = app.member(&acme, "user").await;
    app.post("/api/v1/tools", Some(&user), base).await.expect_code(403, "forbidden");
}

#[tokio::test]
async fn a_refused_tool_update_leaves_its_secret_alone() {
    let app = TestApp::new().await;
    let acme = app.signup("acme").await;
    let tool = |name: &str| {
        json!({"name": name, "description": "d", "endpoint": "http://127.0.0.1:9/hook",
        "secret_header": {"name": "X-Key", "value": "keep-me"}})
    };
    let first = app.post("/api/v1/tools", Some(&acme.access), tool("first")).await;
    app.post("/api/v1/tools", Some(&acme.access), tool("second")).await.expect(201);
    let tool_id = first.str("tool_id");
    let clash = json!({"name": "second", "secret_header": null});
    app.call("PATCH", &format!("/api/v1/tools/{tool_id}"), Some(&acme.access), Some(clash))
        .await
        .expect_code(409, "tool_name_taken");
    let tenant_id = paas_core::domain::TenantId::parse(&acme.tenant_id).unwrap();
    let name = paas_agents::tenant_tools::secret_name(&tenant_id, &tool_id);
    assert_eq!(app.state.secrets.get(&name).await.unwrap().as_deref(), Some("keep-me"));
    let kept = app.get(&format!("/api/v1/tools/{tool_id}"), &acme.access).await;
    assert_eq!((kept.body["name"].as_str(), kept.body["secret_set"].as_bool()), (Some("first"), Some(true)));
}

#[tokio::test]
async fn a_tool_secret_never_follows_a_new_endpoint() {
    let app = TestApp::new().await;
    let acme = app.signup("acme").await;
    let (old_endpoint, old_seen) = tool_endpoint().await;
    let (new_endpoint, new_seen) = tool_endpoint().await;
    let tool_id = app.post("/api/v1/tools", Some(&acme.access), weather_tool(&old_endpoint)).await.str("tool_id");
    let path = format!("/api/v1/tools/{tool_id}");

    app.call("PATCH", &path, Some(&acme.access), Some(json!({"endpoint": new_endpoint})))
        .await
        .expect_code(409, "secret_required");
    assert_eq!(app.get(&path, &acme.access).await.body["endpoint"], old_endpoint.as_str(), "nothing changed");
    let moved = app
        .call("PATCH", &path, Some(&acme.access), Some(json!({"endpoint": new_endpoint, "secret_header": null})))
        .await;
    moved.expect(200);
    assert_eq!(moved.body["secret_set"], false);

    ask_weatherman(&app, &acme).await;
    assert_eq!(new_seen.lock().unwrap().as_slice(), [(json!({"city": "Oslo"}), None)], "no secret to the new host");
    assert!(old_seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn the_tools_quota_holds_under_concurrent_creation_and_the_list_pages_through_them() {
    let app = TestApp::new().await;
    let acme = app.signup("acme").await; // free plan: 10 tools
    let tool = |n: usize| {
        json!({"name": format!("tool_{n:02}"), "description": "d", "endpoint": "http://127.0.0.1:9/hook",
            "secret_header": {"name": "X-Key", "value": format!("secret-{n}")}})
    };
    let creations = (0..15).map(|n| app.post("/api/v1/tools", Some(&acme.access), tool(n)));
    let replies = futures::future::join_all(creations).await;
    let created: Vec<String> = replies.iter().filter(|r| r.status == 201).map(|r| r.str("tool_id")).collect();
    assert_eq!(created.len(), 10);
    for reply in replies.iter().filter(|r| r.status != 201) {
        reply.expect_code(429, "quota_exceeded.tools");
        assert_eq!(reply.body["limit"], 10);
    }
    let tenant_id = paas_core::domain::TenantId::parse(&acme.tenant_id).unwrap();
    let mut stored_secrets = 0;
    for (n, reply) in replies.iter().enumerate() {
        let id = reply.body["tool_id"].as_str().unwrap_or("refused");
        let secret = app.state.secrets.get(&paas_agents::tenant_tools::secret_name(&tenant_id, id)).await.unwrap();
        stored_secrets += usize::from(secret == Some(format!("secret-{n}")));
    }
    assert_eq!(stored_secrets, 10, "a refused tool leaves no secret behind");
    let usage = app.get("/api/v1/tenant/usage", &acme.access).await;
    let row = usage.body["quotas"].as_array().unwrap().iter().find(|q| q["quota"] == "tools").unwrap().clone();
    assert_eq!((row["used"].as_u64(), row["limit"].as_u64()), (Some(10), Some(10)));

    // The list pages, newest first, through every tool and no other.
    let mut listed = Vec::new();
    let mut path = "/api/v1/tools?limit=4".to_owned();
    loop {
        let page = app.get(&path, &acme.access).await;
        page.expect(200);
        listed.extend(page.body["items"].as_array().unwrap().iter().map(|t| t["tool_id"].as_str().unwrap().to_owned()));
        match page.body["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/tools?limit=4&cursor={cursor}"),
            None => break,
        }
    }
    let mut newest_first = created.clone();
    newest_first.sort_by(|a, b| b.cmp(a));
    assert_eq!(listed, newest_first);

    deleting_frees_one_place(&app, &acme.access, &created[0], tool).await;
}

/// With the tools quota full, deleting `tool_id` makes room for one more `tool`, and no more.
async fn deleting_frees_one_place(app: &TestApp, access: &str, tool_id: &str, tool: impl Fn(usize) -> Value) {
    app.call("DELETE", &format!("/api/v1/tools/{tool_id}"), Some(access), None).await.expect(204);
    app.post("/api/v1/tools", Some(access), tool(20)).await.expect(201);
    app.post("/api/v1/tools", Some(access), tool(21)).await.expect_code(429, "quota_exceeded.tools");
}

#[tokio::test]
async fn tools_made_before_tools_were_counted_count_against_the_quota() {
    use paas_core::store::{keys, tables, to_item};
    let app = TestApp::new().await;
    let acme = app.signup("acme").await; // free plan: 10 tools
    let tenant_id = paas_core::domain::TenantId::parse(&acme.tenant_id).unwrap();
    // Three tools stored as a release without the count stored them: no unit taken.
    let mut earlier = Vec::new();
    for name in ["old_a", "old_b", "old_c"] {
        let tool_id = ulid::Ulid::new().to_string();
        let tool = json!({"tool_id": tool_id, "name": name, "description": "d", "parameters": {"type": "object"},
            "endpoint": "http://127.0.0.1:9/hook", "secret_header_name": null, "secret_set": false,
            "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"});
        let claim = json!({"tool_id": tool_id});
        app.state
            .store
            .put(&tables::AGENTS, to_item(&keys::tool(&tenant_id, &tool_id), &tool).unwrap(), &[])
            .await
            .unwrap();
        app.state
            .store
            .put(&tables::AGENTS, to_item(&keys::tool_name(&tenant_id, name), &claim).unwrap(), &[])
            .await
            .unwrap();
        earlier.push(tool_id);
    }
    let tool =
        |n: usize| json!({"name": format!("new_{n}"), "description": "d", "endpoint": "http://127.0.0.1:9/hook"});
    let replies =
        futures::future::join_all((0..10).map(|n| app.post("/api/v1/tools", Some(&acme.access), tool(n)))).await;
    assert_eq!(replies.iter().filter(|r| r.status == 201).count(), 7, "the three earlier tools count");

    deleting_frees_one_place(&app, &acme.access, &earlier[0], tool).await;
}

#[tokio::test]
async fn an_agent_names_only_tools_that_exist_and_at_most_the_catalogs_limit() {
    let app = TestApp::new().await;
    let acme = app.signup("acme").await;
    let hook = json!({"name": "lookup", "description": "d", "endpoint": "http://127.0.0.1:9/hook"});
    let tool_id = app.post("/api/v1/tools", Some(&acme.access), hook).await.str("tool_id");
    let acme_id = paas_core::domain::TenantId::parse(&acme.tenant_id).unwrap();
    create_agent(&app, &acme.access, json!({"name": "Finder", "tools": ["lookup", "calculator"]})).await.expect(201);

    // Another tenant's tool of the same name is unknown here.
    let globex = app.signup("globex").await;
    let refused = create_agent(&app, &globex.access, json!({"name": "Finder", "tools": ["lookup"]})).await;
    refused.expect_code(422, "validation_failed");
    assert!(refused.body["detail"].as_str().unwrap().contains("\"lookup\""), "{}", refused.text);

    // The refusal names the built-in tools, never the tenant's own (a member may not list those).
    let (_, user) = app.member(&acme, "user").await;
    let settings = json!({"settings": {"members_manage_agents": true}});
    app.call("PATCH", "/api/v1/tenant", Some(&acme.access), Some(settings)).await.expect(200);
    let refused = create_agent(&app, &user, json!({"name": "Nosy", "tools": ["missing"]})).await;
    refused.expect_code(422, "validation_failed");
    assert!(refused.text.contains("calculator") && !refused.text.contains("lookup"), "{}", refused.text);

    // A renamed tool is known by its new name only; a delete holding the old name loses nothing.
    let stale = paas_agents::tenant_tools::get(&app.state.store, &acme_id, &tool_id).await.unwrap().unwrap();
    let path = format!("/api/v1/tools/{tool_id}");
    app.call("PATCH", &path, Some(&acme.access), Some(json!({"name": "search"}))).await.expect(200);
    let late = paas_agents::tenant_tools::delete(&app.state.store, app.state.secrets.as_ref(), &acme_id, &stale).await;
    assert!(matches!(late, Err(paas_core::AppError::Conflict(_))), "{late:?}");
    app.get(&path, &acme.access).await.expect(200);
    create_agent(&app, &acme.access, json!({"name": "Old", "tools": ["lookup"]}))
        .await
        .expect_code(422, "validation_failed");
    create_agent(&app, &acme.access, json!({"name": "New", "tools": ["search"]})).await.expect(201);

    let limit = app.get("/api/v1/catalog", &acme.access).await.body["limits"]["agent"]["tools"].as_u64().unwrap();
    let too_many: Vec<String> = (0..=limit).map(|n| format!("tool_{n}")).collect();
    create_agent(&app, &acme.access, json!({"name": "Greedy", "tools": too_many}))
        .await
        .expect_code(422, "validation_failed");
}

#[tokio::test]
async fn the_catalog_lists_what_every_tenant_has_and_the_limits_the_server_holds() {
    let app = TestApp::new().await;
    let acme = app.signup("acme").await;
    let (_, viewer) = app.member(&acme, "viewer").await;
    let (_, chat_key) = app.api_key(&acme, &["chat"]).await;
    app.call("GET", "/api/v1/catalog", None, None).await.expect_code(401, "unauthorized");
    app.get("/api/v1/catalog", &chat_key).await.expect(200);
    let catalog = app.get("/api/v1/catalog", &viewer).await;
    catalog.expect(200);
    let body = &catalog.body;

    let agents: Vec<_> = body["agents"].as_array().unwrap().iter().map(|a| a["agent_type"].clone()).collect();
    assert_eq!(agents, [json!("assistant"), json!("agent")]);
    assert_eq!(body["agents"][1]["tools"], json!(["calculator", "current_time"]));
    let tools: Vec<_> = body["tools"].as_array().unwrap().iter().map(|t| t["name"].clone()).collect();
    assert_eq!(tools, [json!("calculator"), json!("current_time"), json!("http_get")]);
    assert_eq!(body["tools"][0]["parameters"]["type"], "object");
    let openai = body["providers"].as_array().unwrap().iter().find(|p| p["provider"] == "openai").unwrap();
    assert_eq!(
        (&openai["default_base_url"], &openai["needs_api_key"], &openai["needs_base_url"]),
        (&json!("https://api.openai.com/v1"), &json!(true), &json!(false))
    );

    // The limits are the ones the server holds an agent to.
    let steps = &body["limits"]["agent"]["max_steps"];
    let max = steps["max"].as_u64().unwrap();
    create_agent(&app, &acme.access, json!({"name": "Deep", "max_steps": max})).await.expect(201);
    create_agent(&app, &acme.access, json!({"name": "Deeper", "max_steps": max + 1}))
        .await
        .expect_code(422, "validation_failed");
    let starters = body["limits"]["agent"]["conversation_starters"].as_u64().unwrap() as usize;
    let too_many = vec!["Hi"; starters + 1];
    create_agent(&app, &acme.access, json!({"name": "Chatty", "conversation_starters": too_many}))
        .await
        .expect_code(422, "validation_failed");
}

#[tokio::test]
async fn the_web_apps_catalog_fixture_is_what_the_server_answers() {
    let app = TestApp::new().await;
    let acme = app.signup("acme").await;
    let served = app.get("/api/v1/catalog", &acme.access).await;
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../frontend/src/testing/catalog.json");
    let fixture: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(
        served.body, fixture,
        "frontend/src/testing/catalog.json is stale: write GET /api/v1/catalog's answer to it"
    );
}
