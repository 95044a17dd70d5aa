//! The real function binaries behind a local Lambda Runtime API, on the
//! DynamoDB emulator: what runs on AWS, invoked with API Gateway REST events
//! (buffered functions) and a Function URL event (chat, response streaming).
//!
//! The emulator implements the Runtime API's `next`, `response` (buffered,
//! and streaming with its metadata prelude) and `error` calls.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use futures::StreamExt;
use serde_json::{Value, json};
use tokio::sync::{Notify, mpsc};

use crate::support::{DYNAMODB_ENDPOINT_VAR, PASSWORD};

/// A piece of an invocation's response as it arrived.
struct Chunk {
    at: Instant,
    bytes: Bytes,
}

#[derive(Default)]
struct Runtime {
    pending: Mutex<VecDeque<(String, Value)>>,
    arrived: Notify,
    responses: Mutex<HashMap<String, mpsc::UnboundedSender<Chunk>>>,
}

async fn next(State(rt): State<Arc<Runtime>>) -> impl IntoResponse {
    loop {
        let notified = rt.arrived.notified();
        if let Some((id, event)) = rt.pending.lock().unwrap().pop_front() {
            let deadline = (chrono::Utc::now() + chrono::Duration::minutes(5)).timestamp_millis().to_string();
            let headers = [
                ("lambda-runtime-aws-request-id", id),
                ("lambda-runtime-deadline-ms", deadline),
                ("lambda-runtime-invoked-function-arn", "arn:aws:lambda:us-east-1:000000000000:function:test".into()),
                ("lambda-runtime-trace-id", "Root=1-00000000-000000000000000000000000;Sampled=0".into()),
            ];
            let mut map = HeaderMap::new();
            for (name, value) in headers {
                map.insert(name, value.parse().unwrap());
            }
            return (map, event.to_string());
        }
        notified.await;
    }
}

async fn respond(State(rt): State<Arc<Runtime>>, Path(id): Path<String>, body: Body) -> StatusCode {
    let Some(tx) = rt.responses.lock().unwrap().remove(&id) else { return StatusCode::NOT_FOUND };
    let mut stream = body.into_data_stream();
    while let Some(Ok(bytes)) = stream.next().await {
        let _ = tx.send(Chunk { at: Instant::now(), bytes });
    }
    StatusCode::ACCEPTED
}

async fn error(State(rt): State<Arc<Runtime>>, Path(id): Path<String>, body: String) -> StatusCode {
    if let Some(tx) = rt.responses.lock().unwrap().remove(&id) {
        let _ = tx.send(Chunk { at: Instant::now(), bytes: Bytes::from(format!("FUNCTION ERROR: {body}")) });
    }
    StatusCode::ACCEPTED
}

/// One function process behind its own Runtime API.
struct Function {
    runtime: Arc<Runtime>,
    /// Held so the process lives as long as the test needs it (killed on drop).
    _process: tokio::process::Child,
}

fn binary(name: &str) -> PathBuf {
    let dir = std::env::current_exe().unwrap().parent().unwrap().parent().unwrap().to_owned();
    let path = dir.join(name);
    assert!(path.exists(), "{} is missing: scripts/test builds the function binaries first", path.display());
    path
}

impl Function {
    async fn start(name: &str, env: &[(String, String)]) -> Self {
        let runtime = Arc::new(Runtime::default());
        let app = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route("/2018-06-01/runtime/invocation/{id}/response", post(respond))
            .route("/2018-06-01/runtime/invocation/{id}/error", post(error))
            .with_state(runtime.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let process = tokio::process::Command::new(binary(name))
            .envs(env.iter().cloned())
            .env("AWS_LAMBDA_RUNTIME_API", addr.to_string())
            .env("AWS_LAMBDA_FUNCTION_NAME", name)
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        Self { runtime, _process: process }
    }

    /// Invokes the function; answers the response's pieces as they arrive.
    fn invoke(&self, event: Value) -> mpsc::UnboundedReceiver<Chunk> {
        let id = ulid::Ulid::new().to_string();
        let (tx, rx) = mpsc::unbounded_channel();
        self.runtime.responses.lock().unwrap().insert(id.clone(), tx);
        self.runtime.pending.lock().unwrap().push_back((id, event));
        self.runtime.arrived.notify_waiters();
        rx
    }

    /// Invokes a buffered (API Gateway REST) function; answers status and JSON body.
    async fn call(&self, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> (u16, Value) {
        let mut headers = json!({"content-type": "application/json", "x-forwarded-for": "203.0.113.7"});
        if let Some(token) = token {
            headers["authorization"] = json!(format!("Bearer {token}"));
        }
        let event = json!({
            "resource": path, "path": path, "httpMethod": method, "headers": headers,
            "multiValueHeaders": {}, "queryStringParameters": null, "multiValueQueryStringParameters": null,
            "pathParameters": null, "stageVariables": null,
            "requestContext": {"accountId": "000000000000", "resourceId": "r", "stage": "dev", "requestId": ulid::Ulid::new().to_string(),
                "identity": {"sourceIp": "203.0.113.7"}, "resourcePath": path, "httpMethod": method, "apiId": "api", "path": format!("/dev{path}")},
            "body": body.map(|b| b.to_string()), "isBase64Encoded": false
        });
        let mut rx = self.invoke(event);
        let mut raw = Vec::new();
        while let Some(chunk) =
            tokio::time::timeout(Duration::from_secs(30), rx.recv()).await.expect("the function answers")
        {
            raw.extend_from_slice(&chunk.bytes);
        }
        let response: Value =
            serde_json::from_slice(&raw).unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&raw)));
        let body =
            response["body"].as_str().map(|b| serde_json::from_str(b).unwrap_or(Value::Null)).unwrap_or(Value::Null);
        (response["statusCode"].as_u64().unwrap() as u16, body)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_functions_run_behind_the_lambda_runtime_and_chat_streams() {
    let endpoint = std::env::var(DYNAMODB_ENDPOINT_VAR).expect("scripts/test starts the DynamoDB emulator");
    let data = tempfile::tempdir().unwrap();
    let prefix = format!("l{}-", ulid::Ulid::new());
    let config = paas_shared::Config {
        store: paas_shared::config::StoreKind::Dynamodb,
        dynamodb_endpoint: Some(endpoint.clone()),
        table_prefix: prefix.clone(),
        ..Default::default()
    };
    paas_shared::state::dynamo_store(&config).await.create_tables(paas_shared::store::tables::ALL).await.unwrap();
    let env: Vec<(String, String)> = [
        ("PAAS_STORE", "dynamodb"),
        ("PAAS_DYNAMODB_ENDPOINT", endpoint.as_str()),
        ("PAAS_TABLE_PREFIX", prefix.as_str()),
        ("PAAS_SECRETS", "local"),
        ("PAAS_DATA_DIR", data.path().to_str().unwrap()),
        ("AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH", "true"),
        ("PAAS_LOG", "warn"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();

    // The auth function first: it creates the signing keys the others verify with.
    let auth = Function::start("auth", &env).await;
    let (status, jwks) = auth.call("GET", "/.well-known/jwks.json", None, None).await;
    assert_eq!((status, jwks["keys"].as_array().map(Vec::len)), (200, Some(1)));
    let (tenants, sessions, chat) = (
        Function::start("tenants", &env).await,
        Function::start("sessions", &env).await,
        Function::start("chat", &env).await,
    );

    let signup = json!({"tenant_name": "Acme", "tenant_slug": "acme", "email": "ada@acme.test", "password": PASSWORD});
    let (status, body) = auth.call("POST", "/api/auth/signup", None, Some(signup)).await;
    assert_eq!(status, 201, "{body}");
    let (status, body) =
        auth.call("POST", "/api/auth/login", None, Some(json!({"email": "ada@acme.test", "password": PASSWORD}))).await;
    assert_eq!(status, 200, "{body}");
    let token = body["access_token"].as_str().unwrap().to_owned();
    let (status, tenant) = tenants.call("GET", "/api/v1/tenant", Some(&token), None).await;
    assert_eq!((status, tenant["slug"].as_str()), (200, Some("acme")));
    let (status, session) =
        sessions.call("POST", "/api/v1/sessions", Some(&token), Some(json!({"title": "Over Lambda"}))).await;
    assert_eq!(status, 201, "{session}");
    let session_id = session["session_id"].as_str().unwrap().to_owned();

    // A Function URL event, answered through response streaming.
    let event = json!({
        "version": "2.0", "routeKey": "$default", "rawPath": "/api/v1/chat/completions", "rawQueryString": "",
        "headers": {"content-type": "application/json", "authorization": format!("Bearer {token}")},
        "requestContext": {"accountId": "anonymous", "apiId": "url", "domainName": "url.lambda-url.us-east-1.on.aws",
            "domainPrefix": "url", "requestId": "r", "routeKey": "$default", "stage": "$default", "time": "25/Nov/2026:00:00:00 +0000",
            "timeEpoch": 0, "http": {"method": "POST", "path": "/api/v1/chat/completions", "protocol": "HTTP/1.1", "sourceIp": "203.0.113.7", "userAgent": "test"}},
        "body": json!({"message": "Hello over Lambda", "session_id": session_id}).to_string(),
        "isBase64Encoded": false
    });
    let mut rx = chat.invoke(event);
    let mut chunks = Vec::new();
    while let Some(chunk) = tokio::time::timeout(Duration::from_secs(30), rx.recv()).await.expect("the stream goes on")
    {
        chunks.push(chunk);
    }
    let raw: Vec<u8> = chunks.iter().flat_map(|c| c.bytes.to_vec()).collect();
    let split = raw.windows(8).position(|w| w == [0u8; 8]).expect("a metadata prelude, then 8 NUL bytes");
    let prelude: Value = serde_json::from_slice(&raw[..split]).unwrap();
    assert_eq!(prelude["statusCode"], 200);
    assert_eq!(prelude["headers"]["content-type"], "text/event-stream");
    let frames = crate::chat::parse_sse(&String::from_utf8_lossy(&raw[split + 8..]));
    crate::chat::assert_well_formed(&frames);
    assert!(crate::chat::answer_text(&frames).starts_with("[offline]"));
    assert_eq!(crate::chat::done(&frames)["session_id"], session_id.as_str());
    let spread = chunks.last().unwrap().at - chunks.first().unwrap().at;
    assert!(chunks.len() > 5 && spread > Duration::from_millis(100), "{} chunks over {spread:?}", chunks.len());

    let (status, messages) =
        sessions.call("GET", &format!("/api/v1/sessions/{session_id}/messages"), Some(&token), None).await;
    assert_eq!((status, messages["items"].as_array().map(Vec::len)), (200, Some(2)));
    drop((auth, tenants, sessions, chat));
}
