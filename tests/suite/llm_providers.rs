//! The LLM providers against a fake server speaking the real wire formats:
//! what they send, what they yield, and how they fail, retry and time out.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use paas_llm::{
    self, ChatMessage, ChatRequest, Completion, FinishReason, LlmError, LlmProvider, LlmStream, ProviderConfig,
    ProviderKind, RetryPolicy, StreamEvent, TimeoutKind, Timeouts, ToolCall, ToolSpec,
};
use serde_json::json;

use crate::fake_llm::{AnthropicBlock, FakeLlm, Reply, refused_base_url, usage};

const KEY: &str = "sk-test-secret-key";

fn config(kind: ProviderKind, base_url: String) -> ProviderConfig {
    ProviderConfig {
        kind,
        base_url: Some(base_url),
        api_key: Some(KEY.to_owned()),
        timeouts: Timeouts {
            connect: Duration::from_secs(1),
            first_token: Duration::from_secs(3),
            idle: Duration::from_secs(3),
        },
        retry: RetryPolicy { attempts: 3, base_delay: Duration::from_millis(10), max_delay: Duration::from_secs(2) },
        word_interval: Duration::ZERO,
    }
}

fn build(config: ProviderConfig) -> Arc<dyn LlmProvider> {
    let http = paas_llm::http_client(&config.timeouts);
    paas_llm::provider(config, http)
}

fn openai(base_url: String) -> Arc<dyn LlmProvider> {
    build(config(ProviderKind::OpenAi, base_url))
}

fn anthropic(base_url: String) -> Arc<dyn LlmProvider> {
    build(config(ProviderKind::Anthropic, base_url))
}

fn request(messages: Vec<ChatMessage>) -> ChatRequest {
    ChatRequest { model: "test-model".into(), messages, max_tokens: 256, temperature: None, tools: Vec::new() }
}

fn ask(question: &str) -> ChatRequest {
    request(vec![ChatMessage::system("Be brief."), ChatMessage::user(question)])
}

fn weather_tool() -> ToolSpec {
    ToolSpec {
        name: "get_weather".into(),
        description: "Current weather in a city".into(),
        parameters: json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}),
    }
}

fn calculator_tool() -> ToolSpec {
    ToolSpec {
        name: "calculator".into(),
        description: "Evaluates arithmetic".into(),
        parameters: json!({"type": "object", "properties": {"expression": {"type": "string"}}}),
    }
}

fn call(id: &str, name: &str, arguments: &str) -> ToolCall {
    ToolCall { id: id.into(), name: name.into(), arguments: arguments.into() }
}

/// Everything a stream yields, errors included.
async fn drain(stream: LlmStream) -> Vec<Result<StreamEvent, LlmError>> {
    stream.collect().await
}

/// Everything a successful stream yields.
async fn events(provider: &dyn LlmProvider, request: ChatRequest) -> Vec<StreamEvent> {
    let stream = provider.stream(request).await.expect("stream starts");
    drain(stream).await.into_iter().map(|event| event.expect("no stream error")).collect()
}

fn deltas(text: &[&str]) -> Vec<StreamEvent> {
    text.iter().map(|part| StreamEvent::Delta((*part).to_owned())).collect()
}

fn text_of(events: &[StreamEvent]) -> String {
    events
        .iter()
        .filter_map(|event| if let StreamEvent::Delta(text) = event { Some(text.as_str()) } else { None })
        .collect()
}

#[tokio::test]
async fn openai_streams_text_then_usage_then_finish_and_sends_the_documented_request() {
    let fake = FakeLlm::start(vec![Reply::openai_text(&["Hello", " world"], Some(usage(9, 2)))]).await;
    let provider = openai(fake.base_url());
    let mut request = ask("Say hello");
    request.temperature = Some(0.5);

    let mut expected = deltas(&["Hello", " world"]);
    expected.extend([StreamEvent::Usage(usage(9, 2)), StreamEvent::Finished(FinishReason::Stop)]);
    assert_eq!(events(provider.as_ref(), request).await, expected);
    assert_eq!(provider.name(), "openai");

    let sent = &fake.requests()[0];
    assert_eq!((sent.method.as_str(), sent.path.as_str()), ("POST", "/v1/chat/completions"));
    assert_eq!(sent.header("authorization"), Some(format!("Bearer {KEY}").as_str()));
    assert_eq!(sent.header("content-type"), Some("application/json"));
    assert_eq!(
        sent.body,
        json!({
            "model": "test-model",
            "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Say hello"}],
            "max_tokens": 256,
            "temperature": 0.5,
            "stream": true,
            "stream_options": {"include_usage": true},
        })
    );
}

#[tokio::test]
async fn openai_compatible_reasoning_content_streams_as_reasoning_and_keyless_servers_get_no_auth_header() {
    let fake = FakeLlm::start(vec![Reply::openai_reasoning(&["The user", " greets."], &["Hi!"], None)]).await;
    let provider = build(ProviderConfig { api_key: None, ..config(ProviderKind::Ollama, fake.base_url()) });

    let expected = vec![
        StreamEvent::Reasoning("The user".into()),
        StreamEvent::Reasoning(" greets.".into()),
        StreamEvent::Delta("Hi!".into()),
        StreamEvent::Finished(FinishReason::Stop),
    ];
    assert_eq!(events(provider.as_ref(), ask("Hello")).await, expected, "no usage reported, none invented");
    assert_eq!(provider.name(), "ollama");
    assert_eq!(fake.requests()[0].header("authorization"), None);
}

#[tokio::test]
async fn openai_parallel_tool_calls_are_assembled_and_tool_turns_are_sent_in_openai_format() {
    let fake = FakeLlm::start(vec![Reply::openai_tool_calls(
        &[
            ("call_paris", "get_weather", &["{\"ci", "ty\": \"Pa", "ris\"}"]),
            ("call_tokyo", "get_weather", &["{\"city\":", " \"Tokyo\"}"]),
        ],
        Some(usage(80, 40)),
    )])
    .await;
    let provider = build(config(ProviderKind::DeepSeek, fake.base_url()));
    let mut request = request(vec![
        ChatMessage::user("Weather in Oslo?"),
        ChatMessage {
            tool_calls: vec![call("call_oslo", "get_weather", r#"{"city":"Oslo"}"#)],
            ..ChatMessage::assistant("")
        },
        ChatMessage::tool_result("call_oslo", "4°C, rain"),
        ChatMessage::assistant("Oslo: 4°C and rain."),
        ChatMessage::user("And Paris and Tokyo?"),
    ]);
    request.tools = vec![weather_tool()];

    let expected = vec![
        StreamEvent::ToolCall(call("call_paris", "get_weather", r#"{"city": "Paris"}"#)),
        StreamEvent::ToolCall(call("call_tokyo", "get_weather", r#"{"city": "Tokyo"}"#)),
        StreamEvent::Usage(usage(80, 40)),
        StreamEvent::Finished(FinishReason::ToolCalls),
    ];
    assert_eq!(events(provider.as_ref(), request).await, expected);

    let body = &fake.requests()[0].body;
    assert_eq!(
        body["tools"],
        json!([{"type": "function", "function": {
            "name": "get_weather", "description": "Current weather in a city", "parameters": weather_tool().parameters,
        }}])
    );
    assert_eq!(
        body["messages"],
        json!([
            {"role": "user", "content": "Weather in Oslo?"},
            {"role": "assistant", "content": null, "tool_calls": [
                {"id": "call_oslo", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Oslo\"}"}},
            ]},
            {"role": "tool", "tool_call_id": "call_oslo", "content": "4°C, rain"},
            {"role": "assistant", "content": "Oslo: 4°C and rain."},
            {"role": "user", "content": "And Paris and Tokyo?"},
        ])
    );
}

#[tokio::test]
async fn anthropic_streams_text_and_sends_the_documented_request() {
    let fake = FakeLlm::start(vec![Reply::anthropic_text(&["Hello", "!"], usage(25, 15))]).await;
    let provider = anthropic(fake.base_url());

    let mut expected = deltas(&["Hello", "!"]);
    expected.extend([StreamEvent::Usage(usage(25, 15)), StreamEvent::Finished(FinishReason::Stop)]);
    assert_eq!(events(provider.as_ref(), ask("Say hello")).await, expected);
    assert_eq!(provider.name(), "anthropic");

    let sent = &fake.requests()[0];
    assert_eq!(sent.path, "/v1/messages");
    assert_eq!(sent.header("x-api-key"), Some(KEY));
    assert_eq!(sent.header("anthropic-version"), Some("2023-06-01"));
    assert_eq!(sent.header("authorization"), None);
    assert_eq!(
        sent.body,
        json!({
            "model": "test-model",
            "max_tokens": 256,
            "system": "Be brief.",
            "messages": [{"role": "user", "content": [{"type": "text", "text": "Say hello"}]}],
            "stream": true,
        })
    );
}

#[tokio::test]
async fn anthropic_thinking_and_tool_use_stream_as_reasoning_and_a_whole_tool_call() {
    let blocks = [
        AnthropicBlock::Thinking(&["I should", " look it up."]),
        AnthropicBlock::Text(&["Checking."]),
        AnthropicBlock::ToolUse { id: "toolu_01", name: "get_weather", json: &["{\"city\": \"San Fra", "ncisco\"}"] },
    ];
    let fake = FakeLlm::start(vec![Reply::anthropic(&blocks, "tool_use", usage(472, 89))]).await;
    let provider = anthropic(fake.base_url());
    let mut request = request(vec![
        ChatMessage::user("Weather in Oslo and Rome?"),
        ChatMessage {
            tool_calls: vec![
                call("toolu_a", "get_weather", r#"{"city":"Oslo"}"#),
                call("toolu_b", "get_weather", "{}"),
            ],
            ..ChatMessage::assistant("Let me check.")
        },
        ChatMessage::tool_result("toolu_a", "4°C"),
        ChatMessage::tool_result("toolu_b", "21°C"),
        ChatMessage::user("And San Francisco?"),
    ]);
    request.tools = vec![weather_tool()];

    let expected = vec![
        StreamEvent::Reasoning("I should".into()),
        StreamEvent::Reasoning(" look it up.".into()),
        StreamEvent::Delta("Checking.".into()),
        StreamEvent::ToolCall(call("toolu_01", "get_weather", r#"{"city": "San Francisco"}"#)),
        StreamEvent::Usage(usage(472, 89)),
        StreamEvent::Finished(FinishReason::ToolCalls),
    ];
    assert_eq!(events(provider.as_ref(), request).await, expected);

    let body = &fake.requests()[0].body;
    assert_eq!(
        body["tools"],
        json!([{"name": "get_weather", "description": "Current weather in a city", "input_schema": weather_tool().parameters}])
    );
    assert_eq!(
        body["messages"],
        json!([
            {"role": "user", "content": [{"type": "text", "text": "Weather in Oslo and Rome?"}]},
            {"role": "assistant", "content": [
                {"type": "text", "text": "Let me check."},
                {"type": "tool_use", "id": "toolu_a", "name": "get_weather", "input": {"city": "Oslo"}},
                {"type": "tool_use", "id": "toolu_b", "name": "get_weather", "input": {}},
            ]},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "toolu_a", "content": "4°C"},
                {"type": "tool_result", "tool_use_id": "toolu_b", "content": "21°C"},
                {"type": "text", "text": "And San Francisco?"},
            ]},
        ])
    );
}

#[tokio::test]
async fn anthropic_error_event_mid_stream_is_a_typed_error() {
    let mut frames = Reply::anthropic_text(&["Hel"], usage(10, 1)).chunks;
    frames.truncate(4); // message_start, ping, content_block_start, one delta
    frames.push(
        "event: error\ndata: {\"type\": \"error\", \"error\": {\"type\": \"overloaded_error\", \"message\": \"Overloaded\"}}\n\n"
            .to_owned(),
    );
    let fake = FakeLlm::start(vec![Reply::sse(frames)]).await;
    let stream = anthropic(fake.base_url()).stream(ask("Hi")).await.unwrap();

    let yielded = drain(stream).await;
    assert_eq!(
        yielded,
        vec![
            Ok(StreamEvent::Delta("Hel".into())),
            Err(LlmError::Upstream { status: 529, message: "Overloaded".into() })
        ]
    );
    assert_eq!(fake.requests().len(), 1, "no retry once the stream has started");
}

#[tokio::test]
async fn rate_limit_waits_for_retry_after_then_succeeds() {
    let fake =
        FakeLlm::start(vec![Reply::status(429, Some("1")), Reply::openai_text(&["ok"], Some(usage(3, 1)))]).await;
    let started = Instant::now();

    let completion = openai(fake.base_url()).complete(ask("Hi")).await.unwrap();
    assert_eq!(completion.text, "ok");
    assert!(started.elapsed() >= Duration::from_secs(1), "retried after {:?}", started.elapsed());
    assert_eq!(fake.requests().len(), 2);
}

#[tokio::test]
async fn retry_after_beyond_the_max_delay_gives_up_at_once() {
    let fake = FakeLlm::start(vec![Reply::status(429, Some("120")), Reply::openai_text(&["late"], None)]).await;

    let error = openai(fake.base_url()).stream(ask("Hi")).await.err().unwrap();
    assert_eq!(error, LlmError::RateLimited { retry_after: Some(Duration::from_secs(120)) });
    assert_eq!(error.code(), "provider_rate_limited");
    assert_eq!(fake.requests().len(), 1);
}

#[tokio::test]
async fn server_error_is_retried_then_succeeds() {
    let fake = FakeLlm::start(vec![Reply::status(500, None), Reply::anthropic_text(&["fine"], usage(3, 1))]).await;

    let completion = anthropic(fake.base_url()).complete(ask("Hi")).await.unwrap();
    assert_eq!(
        completion,
        Completion { text: "fine".into(), tool_calls: vec![], usage: Some(usage(3, 1)), finish: FinishReason::Stop }
    );
    assert_eq!(fake.requests().len(), 2);
}

#[tokio::test]
async fn server_errors_give_up_after_the_last_attempt_with_the_providers_message() {
    let fake = FakeLlm::start(vec![Reply::status(503, None); 4]).await;

    let error = openai(fake.base_url()).stream(ask("Hi")).await.err().unwrap();
    assert_eq!(error, LlmError::Upstream { status: 503, message: "fake error 503".into() });
    assert_eq!(error.code(), "provider_error");
    assert_eq!(fake.requests().len(), 3, "three attempts in all");
}

#[tokio::test]
async fn client_errors_and_refused_keys_are_not_retried() {
    let fake = FakeLlm::start(vec![Reply::status(401, None), Reply::status(400, None)]).await;
    let provider = openai(fake.base_url());

    let refused = provider.stream(ask("Hi")).await.err().unwrap();
    assert_eq!(refused, LlmError::Unauthorized);
    assert_eq!(refused.code(), "provider_auth_failed");
    let invalid = provider.stream(ask("Hi")).await.err().unwrap();
    assert_eq!(invalid, LlmError::Upstream { status: 400, message: "fake error 400".into() });
    assert_eq!(fake.requests().len(), 2, "one request each");
}

#[tokio::test]
async fn an_error_body_is_read_only_up_to_4_kib() {
    let huge = Reply { chunks: vec!["x".repeat(64 * 1024)], ..Reply::status(404, None) };
    let fake = FakeLlm::start(vec![huge]).await;

    let Some(LlmError::Upstream { status: 404, message }) = openai(fake.base_url()).stream(ask("Hi")).await.err()
    else {
        panic!("expected a 404 upstream error")
    };
    assert_eq!(message.len(), 4096);
}

#[tokio::test]
async fn refused_connections_are_retried_then_reported_unreachable() {
    let error = openai(refused_base_url()).stream(ask("Hi")).await.err().unwrap();
    assert!(matches!(&error, LlmError::Connect(reason) if reason.contains("refused")), "{error:?}");
    assert_eq!(error.code(), "provider_unreachable");
}

#[tokio::test]
async fn a_stream_cut_mid_way_ends_with_a_protocol_error() {
    let fake = FakeLlm::start(vec![Reply::openai_text(&["Hello", " world"], Some(usage(9, 2))).cut_after(2)]).await;
    let stream = openai(fake.base_url()).stream(ask("Hi")).await.unwrap();

    let yielded = drain(stream).await;
    assert_eq!(
        yielded,
        vec![Ok(StreamEvent::Delta("Hello".into())), Err(LlmError::Protocol("stream ended early".into()))]
    );
    assert_eq!(yielded[1].as_ref().unwrap_err().code(), "provider_protocol_error");
}

#[tokio::test]
async fn a_stream_closed_before_message_stop_ends_with_a_protocol_error() {
    let mut frames = Reply::anthropic_text(&["Hello"], usage(9, 2)).chunks;
    frames.pop(); // message_stop
    let fake = FakeLlm::start(vec![Reply::sse(frames)]).await;
    let stream = anthropic(fake.base_url()).stream(ask("Hi")).await.unwrap();

    let yielded = drain(stream).await;
    assert_eq!(yielded.last(), Some(&Err(LlmError::Protocol("stream ended early".into()))));
    assert!(!yielded.iter().any(|event| matches!(event, Ok(StreamEvent::Finished(_)))));
}

#[tokio::test]
async fn a_malformed_chunk_is_a_protocol_error_not_a_panic() {
    let mut frames = Reply::openai_text(&["Hello", " world"], None).chunks;
    frames[2] = "data: {\"choices\": [{\"delta\": {\"content\": \" wor\n\n".to_owned();
    let fake = FakeLlm::start(vec![Reply::sse(frames)]).await;
    let stream = openai(fake.base_url()).stream(ask("Hi")).await.unwrap();

    let yielded = drain(stream).await;
    assert_eq!(yielded.len(), 2, "{yielded:?}");
    assert_eq!(yielded[0], Ok(StreamEvent::Delta("Hello".into())));
    assert!(matches!(&yielded[1], Err(LlmError::Protocol(reason)) if reason.contains("malformed")), "{yielded:?}");
}

#[tokio::test]
async fn a_stall_after_the_first_token_times_out_idle_and_cancels_the_upstream_request() {
    let reply = Reply::openai_text(&["Hello", " world"], None).stall_after(2, Duration::from_secs(5));
    let fake = FakeLlm::start(vec![reply]).await;
    let mut config = config(ProviderKind::OpenAi, fake.base_url());
    config.timeouts.idle = Duration::from_millis(300);
    let started = Instant::now();
    let stream = build(config).stream(ask("Hi")).await.unwrap();

    let yielded = drain(stream).await;
    assert_eq!(yielded, vec![Ok(StreamEvent::Delta("Hello".into())), Err(LlmError::Timeout(TimeoutKind::Idle))]);
    assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());
    assert_eq!(yielded[1].as_ref().unwrap_err().code(), "provider_timeout");
    // The dropped body closes the connection: the server stops writing long before its 5 s stall ends.
    let hung_up = Instant::now();
    while fake.open_bodies() > 0 {
        assert!(hung_up.elapsed() < Duration::from_secs(2), "the upstream request is still open");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn no_output_before_the_first_token_timeout_is_a_first_token_timeout() {
    // The first chunk only announces the assistant role: no output yet.
    let reply = Reply::openai_text(&["Hello"], None).stall_after(1, Duration::from_secs(5));
    let fake = FakeLlm::start(vec![reply]).await;
    let mut config = config(ProviderKind::OpenAi, fake.base_url());
    config.timeouts.first_token = Duration::from_millis(300);
    let stream = build(config).stream(ask("Hi")).await.unwrap();

    assert_eq!(drain(stream).await, vec![Err(LlmError::Timeout(TimeoutKind::FirstToken))]);
    assert_eq!(fake.requests().len(), 1, "timeouts are not retried");
}

#[tokio::test]
async fn offline_answers_deterministically_labelled_and_echoing_the_question() {
    let provider = build(config(ProviderKind::Offline, refused_base_url()));
    let question = ask("Please summarise the quarterly report for the board meeting tomorrow morning");

    let first = events(provider.as_ref(), question.clone()).await;
    assert_eq!(first, events(provider.as_ref(), question).await, "deterministic");
    assert_eq!(provider.name(), "offline");
    assert!(matches!(&first[0], StreamEvent::Reasoning(text) if text.starts_with("Offline provider")));
    let text = text_of(&first);
    assert!(text.starts_with("[offline] "), "{text}");
    assert!(text.contains("offline provider") && text.contains("11 words"), "{text}");
    assert!(text.contains("\"Please summarise the quarterly report for the board…\""), "{text}");
    assert!(first.iter().filter(|event| matches!(event, StreamEvent::Delta(_))).count() > 10, "word by word");
    let n = first.len();
    assert!(matches!(first[n - 2], StreamEvent::Usage(usage) if usage.input_tokens > 0 && usage.output_tokens > 0));
    assert_eq!(first[n - 1], StreamEvent::Finished(FinishReason::Stop));
}

#[tokio::test]
async fn offline_stops_at_max_tokens() {
    let provider = build(config(ProviderKind::Offline, refused_base_url()));
    let mut request = ask("Tell me everything");
    request.max_tokens = 40;

    let completion = provider.complete(request).await.unwrap();
    assert_eq!(completion.finish, FinishReason::Length);
    // Its reasoning counts as output too; it stops before a word would pass the limit.
    let output = completion.usage.map_or(0, |usage| usage.output_tokens);
    assert!((36..=40).contains(&output), "{output}");
    assert!(completion.text.starts_with("[offline] "));
}

#[tokio::test]
async fn offline_calls_the_calculator_then_answers_with_its_result() {
    let provider = build(config(ProviderKind::Offline, refused_base_url()));
    let mut request = request(vec![ChatMessage::user("What is 12*(3+4)?")]);
    request.tools = vec![weather_tool(), calculator_tool()];

    let asked = provider.complete(request.clone()).await.unwrap();
    assert_eq!(asked.finish, FinishReason::ToolCalls);
    assert_eq!(asked.tool_calls.len(), 1);
    let tool_call = &asked.tool_calls[0];
    assert_eq!(tool_call.name, "calculator");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&tool_call.arguments).unwrap(),
        json!({"expression": "12*(3+4)"})
    );

    request.messages.push(ChatMessage { tool_calls: asked.tool_calls.clone(), ..ChatMessage::assistant("") });
    request.messages.push(ChatMessage::tool_result(&tool_call.id, "84"));
    let answered = provider.complete(request).await.unwrap();
    assert_eq!(answered.finish, FinishReason::Stop);
    assert!(answered.tool_calls.is_empty());
    assert!(
        answered.text.starts_with("[offline] ") && answered.text.contains("calculator tool answered: 84"),
        "{}",
        answered.text
    );
}

#[tokio::test]
async fn offline_fetches_a_web_address_in_the_message_when_http_get_is_offered() {
    let provider = build(config(ProviderKind::Offline, refused_base_url()));
    let http_get = ToolSpec { name: "http_get".into(), description: "Fetches a page".into(), parameters: json!({}) };
    let mut request = request(vec![ChatMessage::user("What does https://example.com/status say, 2+2?")]);
    request.tools = vec![calculator_tool(), http_get];

    let asked = provider.complete(request.clone()).await.unwrap();
    assert_eq!(asked.finish, FinishReason::ToolCalls);
    assert_eq!((asked.tool_calls[0].name.as_str(), asked.tool_calls.len()), ("http_get", 1));
    let arguments: serde_json::Value = serde_json::from_str(&asked.tool_calls[0].arguments).unwrap();
    assert_eq!(arguments, json!({"url": "https://example.com/status"}));

    request.tools.pop();
    let without = provider.complete(request).await.unwrap();
    assert_eq!(without.tool_calls[0].name, "calculator", "no http_get offered: the arithmetic is next");
}

#[tokio::test]
async fn offline_paces_its_words_as_configured() {
    let paced = ProviderConfig {
        word_interval: Duration::from_millis(20),
        ..config(ProviderKind::Offline, refused_base_url())
    };
    let question = ask("Hi");

    let started = std::time::Instant::now();
    let events = events(build(paced).as_ref(), question).await;
    let words = events.iter().filter(|event| matches!(event, StreamEvent::Delta(_))).count() as u32;
    assert!(words > 10, "{words} words");
    assert!(started.elapsed() >= Duration::from_millis(20) * words, "{:?} for {words} words", started.elapsed());
}

#[tokio::test]
async fn offline_answers_arithmetic_in_words_when_no_calculator_is_offered() {
    let provider = build(config(ProviderKind::Offline, refused_base_url()));

    let completion = provider.complete(ask("What is 2+2?")).await.unwrap();
    assert_eq!(completion.finish, FinishReason::Stop);
    assert!(completion.tool_calls.is_empty() && completion.text.contains("3 words"), "{}", completion.text);
}

#[test]
fn provider_config_debug_never_shows_the_key() {
    let config = config(ProviderKind::OpenAi, "https://api.openai.com/v1".into());
    let shown = format!("{config:?}");
    assert!(!shown.contains(KEY) && shown.contains("<redacted>"), "{shown}");
}

#[test]
fn provider_kinds_have_stable_names_and_defaults() {
    let names: Vec<_> = [
        ProviderKind::Offline,
        ProviderKind::OpenAi,
        ProviderKind::Zhipu,
        ProviderKind::DeepSeek,
        ProviderKind::Ollama,
        ProviderKind::OpenAiCompatible,
        ProviderKind::Anthropic,
    ]
    .into_iter()
    .map(|kind| serde_json::to_value(kind).unwrap())
    .collect();
    assert_eq!(
        names,
        json!(["offline", "openai", "zhipu", "deepseek", "ollama", "openai_compatible", "anthropic"])
            .as_array()
            .unwrap()
            .clone()
    );
    assert_eq!(
        serde_json::from_value::<ProviderKind>(json!("openai_compatible")).unwrap(),
        ProviderKind::OpenAiCompatible
    );
    assert_eq!(ProviderKind::Zhipu.default_base_url(), Some("https://open.bigmodel.cn/api/paas/v4"));
    assert_eq!(ProviderKind::OpenAiCompatible.default_base_url(), None);
    assert!(ProviderKind::Anthropic.needs_api_key() && !ProviderKind::Ollama.needs_api_key());
    assert_eq!(paas_llm::estimate_tokens(""), 0);
    assert_eq!(paas_llm::estimate_tokens("hi"), 1);
    assert_eq!(paas_llm::estimate_tokens("twelve chars"), 3);
}
