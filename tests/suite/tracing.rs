//! Traces: the spans requests and chat turns make, as an OpenTelemetry
//! exporter receives them (in memory here, OTLP on Lambda), through the same
//! layer and X-Ray id generator `telemetry::init` installs.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use opentelemetry::trace::{SpanId, TraceId};
use opentelemetry::{Array, StringValue, Value};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SpanData};
use paas_core::telemetry;
use paas_tests::lambda_emulator::Function;
use serde_json::json;
use tracing::subscriber::DefaultGuard;
use tracing_subscriber::layer::SubscriberExt;

use crate::chat::{answer_text, parse_sse};
use crate::fake_llm::{FakeLlm, Reply, usage};
use crate::support::{Reply as HttpReply, Signup, TestApp};

/// An X-Ray header as API Gateway sends it.
const TRACE_HEADER: &str = paas_tests::lambda_emulator::TRACE_ID;

/// Spans finish into `exporter` while the guard lives (this thread only:
/// `#[tokio::test]` runs the app, the turn task and the test on it).
struct Traces {
    exporter: InMemorySpanExporter,
    _guard: DefaultGuard,
}

impl Traces {
    fn capture() -> Self {
        let exporter = InMemorySpanExporter::default();
        let provider = telemetry::provider_builder().with_simple_exporter(exporter.clone()).build();
        let subscriber = tracing_subscriber::registry().with(telemetry::layer(&provider));
        Self { exporter, _guard: tracing::subscriber::set_default(subscriber) }
    }

    fn spans(&self) -> Vec<SpanData> {
        self.exporter.get_finished_spans().expect("finished spans")
    }

    /// The one finished span with this name.
    #[track_caller]
    fn one(&self, name: &str) -> SpanData {
        let spans: Vec<_> = self.spans().into_iter().filter(|span| span.name == name).collect();
        assert_eq!(
            spans.len(),
            1,
            "spans named {name:?}: {:#?}",
            self.spans().iter().map(|s| &s.name).collect::<Vec<_>>()
        );
        spans.into_iter().next().unwrap()
    }
}

fn attr<'a>(span: &'a SpanData, key: &str) -> Option<&'a Value> {
    span.attributes.iter().find(|kv| kv.key.as_str() == key).map(|kv| &kv.value)
}

#[track_caller]
fn assert_attr(span: &SpanData, key: &str, expected: impl Into<Value>) {
    assert_eq!(attr(span, key), Some(&expected.into()), "{key} of {}: {:#?}", span.name, span.attributes);
}

async fn chat(app: &TestApp, who: &Signup, message: &str, trace_header: Option<&str>) -> HttpReply {
    let mut request = http::Request::post("/api/v1/chat/completions")
        .header(http::header::AUTHORIZATION, format!("Bearer {}", who.access))
        .header(http::header::CONTENT_TYPE, "application/json");
    if let Some(value) = trace_header {
        request = request.header("x-amzn-trace-id", value);
    }
    let reply = app.send(request.body(json!({"message": message}).to_string().into()).unwrap()).await;
    reply.expect(200);
    reply
}

/// A tenant whose provider is a fake OpenAI-compatible server answering `replies`.
async fn setup(replies: Vec<Reply>) -> (TestApp, Signup, FakeLlm) {
    let app = TestApp::new().await;
    let acme = app.signup("acme").await;
    let fake = FakeLlm::start(replies).await;
    app.use_provider(&acme, "openai_compatible", &fake.base_url()).await;
    (app, acme, fake)
}

#[tokio::test]
async fn a_chat_request_is_a_server_span_of_its_route_and_tenant_with_a_genai_chat_span_inside() {
    let traces = Traces::capture();
    let (app, acme, _fake) = setup(vec![Reply::openai_text(&["Rayleigh ", "scattering."], Some(usage(31, 57)))]).await;
    let reply = chat(&app, &acme, "Why is the sky blue?", None).await;
    assert_eq!(answer_text(&parse_sse(&reply.text)), "Rayleigh scattering.");

    let request = traces.one("POST /api/v1/chat/completions");
    assert_attr(&request, "http.route", "/api/v1/chat/completions");
    assert_attr(&request, "http.request.method", "POST");
    assert_attr(&request, "http.response.status_code", 200_i64);
    assert_attr(&request, "tenant.id", acme.tenant_id.clone());
    assert_attr(&request, "request_id", reply.headers["x-request-id"].to_str().unwrap().to_owned());
    assert_eq!(request.parent_span_id, SpanId::INVALID, "without a trace header the request starts a trace");
    // X-Ray takes only trace ids that begin with their epoch second.
    let trace_id = request.span_context.trace_id().to_string();
    let started = i64::from_str_radix(&trace_id[..8], 16).unwrap();
    assert!((chrono::Utc::now().timestamp() - started).abs() < 300, "not an X-Ray trace id: {trace_id}");

    let call = traces.one("chat test-model");
    assert_eq!(call.parent_span_id, request.span_context.span_id(), "the call is the request's child");
    assert_eq!(call.span_context.trace_id(), request.span_context.trace_id());
    assert_attr(&call, "gen_ai.operation.name", "chat");
    assert_attr(&call, "gen_ai.provider.name", "openai_compatible");
    assert_attr(&call, "gen_ai.system", "openai_compatible");
    assert_attr(&call, "gen_ai.request.model", "test-model");
    assert!(matches!(attr(&call, "gen_ai.request.max_tokens"), Some(Value::I64(n)) if *n > 0));
    assert_attr(&call, "gen_ai.usage.input_tokens", 31_i64);
    assert_attr(&call, "gen_ai.usage.output_tokens", 57_i64);
    assert_attr(&call, "gen_ai.response.finish_reasons", Value::Array(Array::String(vec![StringValue::from("stop")])));
    assert_eq!(attr(&call, "error.type"), None);

    for span in traces.spans() {
        for kv in &span.attributes {
            let value = kv.value.as_str();
            for secret in ["sky", "Rayleigh", "sk-test-secret-9876", &acme.access] {
                assert!(!value.contains(secret), "{} carries {}={value}", span.name, kv.key);
            }
        }
    }

    // Routes with parameters are named by their template, not by the ids in the path.
    let session_id = parse_sse(&reply.text)[0].data["data"]["session_id"].as_str().unwrap().to_owned();
    app.get(&format!("/api/v1/sessions/{session_id}"), &acme.access).await.expect(200);
    let read = traces.one("GET /api/v1/sessions/{session_id}");
    assert_attr(&read, "http.route", "/api/v1/sessions/{session_id}");
    assert_attr(&read, "tenant.id", acme.tenant_id.clone());
}

#[tokio::test]
async fn an_x_ray_trace_header_makes_the_request_and_its_calls_part_of_that_trace() {
    let traces = Traces::capture();
    let (app, acme, _fake) = setup(vec![Reply::openai_text(&["Hi."], Some(usage(5, 1)))]).await;
    chat(&app, &acme, "Hello", Some(TRACE_HEADER)).await;

    let trace_id = TraceId::from_hex("5759e988bd862e3fe1be46a994272793").unwrap();
    let request = traces.one("POST /api/v1/chat/completions");
    assert_eq!(request.span_context.trace_id(), trace_id);
    assert_eq!(request.parent_span_id, SpanId::from_hex("53995c3f42cd8ad8").unwrap(), "the caller's segment");
    let call = traces.one("chat test-model");
    assert_eq!(call.span_context.trace_id(), trace_id);
}

#[tokio::test]
async fn a_trace_x_ray_did_not_sample_records_nothing() {
    let traces = Traces::capture();
    let (app, acme, _fake) = setup(vec![Reply::openai_text(&["Hi."], Some(usage(5, 1)))]).await;
    chat(&app, &acme, "Hello", Some(&TRACE_HEADER.replace("Sampled=1", "Sampled=0"))).await;
    let chat_spans: Vec<_> = traces.spans().into_iter().filter(|s| s.name.contains("chat")).map(|s| s.name).collect();
    assert!(chat_spans.is_empty(), "{chat_spans:?}");
}

#[tokio::test]
async fn tool_runs_are_execute_tool_spans_between_the_chat_calls() {
    let traces = Traces::capture();
    let (app, acme, _fake) = setup(vec![
        Reply::openai_tool_calls(&[("call_1", "calculator", &[r#"{"expression":"6*7"}"#])], Some(usage(50, 20))),
        Reply::openai_text(&["42."], Some(usage(90, 5))),
    ])
    .await;
    let body = json!({"message": "What is 6*7?", "agent_type": "agent"});
    let reply = app.post("/api/v1/chat/completions", Some(&acme.access), body).await;
    assert_eq!(answer_text(&parse_sse(&reply.text)), "42.");

    let request = traces.one("POST /api/v1/chat/completions");
    let tool = traces.one("execute_tool calculator");
    assert_attr(&tool, "gen_ai.operation.name", "execute_tool");
    assert_attr(&tool, "gen_ai.tool.name", "calculator");
    assert_attr(&tool, "gen_ai.tool.call.id", "call_1");
    assert_eq!(tool.parent_span_id, request.span_context.span_id());
    let calls: Vec<_> = traces.spans().into_iter().filter(|s| s.name == "chat test-model").collect();
    assert_eq!(calls.len(), 2, "one call per step");
    let reasons = |reason: &'static str| Value::Array(Array::String(vec![StringValue::from(reason)]));
    assert_attr(&calls[0], "gen_ai.response.finish_reasons", reasons("tool_calls"));
    assert_attr(&calls[1], "gen_ai.response.finish_reasons", reasons("stop"));
}

/// OTLP/HTTP requests as a collector receives them (protobuf bodies).
async fn otlp_receiver() -> (String, Arc<Mutex<Vec<(String, Bytes)>>>) {
    let received = Arc::new(Mutex::new(Vec::new()));
    let record = received.clone();
    let app = axum::Router::new().fallback(move |uri: http::Uri, body: Bytes| async move {
        record.lock().unwrap().push((uri.path().to_owned(), body));
        http::StatusCode::OK
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (endpoint, received)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle)
}

/// The real auth binary behind the Lambda emulator: the invocation's spans
/// reach the OTLP endpoint as the invocation ends (the batch delay is a
/// minute, so only the flush can send them), in the trace of the segment
/// Lambda passed, with the request span inside.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_lambda_each_invocation_exports_its_spans_over_otlp_in_the_lambda_segment_trace() {
    let (endpoint, received) = otlp_receiver().await;
    let data = tempfile::tempdir().unwrap();
    let env: Vec<(String, String)> = [
        ("PAAS_DATA_DIR", data.path().to_str().unwrap()),
        // Lambda binaries store in DynamoDB only; serving the key set never reaches it.
        ("PAAS_STORE", "dynamodb"),
        ("PAAS_DYNAMODB_ENDPOINT", "http://127.0.0.1:9"),
        ("PAAS_OTEL_EXPORTER", "otlp"),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.as_str()),
        ("OTEL_BSP_SCHEDULE_DELAY", "60000"),
        ("AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH", "true"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let auth = Function::start("auth", &env).await;
    let (status, _) = auth.call("GET", "/.well-known/jwks.json", None, None).await;
    assert_eq!(status, 200);

    let trace_id = TraceId::from_hex("5759e988bd862e3fe1be46a994272793").unwrap().to_bytes();
    let lambda_segment = SpanId::from_hex("53995c3f42cd8ad8").unwrap().to_bytes();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    let body = loop {
        let exported = received.lock().unwrap().iter().find(|(path, _)| path == "/v1/traces").map(|(_, b)| b.clone());
        match exported {
            Some(body) => break body,
            None if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await
            }
            None => panic!("no spans were exported after the invocation"),
        }
    };
    assert!(contains(&body, &trace_id), "the spans are in Lambda's trace");
    assert!(contains(&body, &lambda_segment), "the invocation's span is a child of Lambda's segment");
    assert!(contains(&body, b"GET /.well-known/jwks.json"), "the request span is exported with the invocation's");
    assert!(contains(&body, b"faas.invocation_id"));
}
