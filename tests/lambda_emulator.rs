//! A local Lambda Runtime API (`next`, `response` buffered or streamed,
//! `error`) in front of one real function process, for tests and benchmarks.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::path::{Path as FsPath, PathBuf};
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

/// The X-Ray segment every invocation belongs to, as Lambda passes it (sampled).
pub const TRACE_ID: &str = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";

/// A piece of an invocation's response as it arrived.
pub struct Chunk {
    pub at: Instant,
    pub bytes: Bytes,
}

#[derive(Default)]
struct Runtime {
    pending: Mutex<VecDeque<(String, Value)>>,
    arrived: Notify,
    responses: Mutex<HashMap<String, mpsc::UnboundedSender<Chunk>>>,
    /// When the function first asked for work: the end of its cold start.
    first_poll: Mutex<Option<Instant>>,
}

async fn next(State(rt): State<Arc<Runtime>>) -> impl IntoResponse {
    rt.first_poll.lock().unwrap().get_or_insert_with(Instant::now);
    loop {
        let notified = rt.arrived.notified();
        if let Some((id, event)) = rt.pending.lock().unwrap().pop_front() {
            let deadline = (chrono::Utc::now() + chrono::Duration::minutes(5)).timestamp_millis().to_string();
            let headers = [
                ("lambda-runtime-aws-request-id", id),
                ("lambda-runtime-deadline-ms", deadline),
                ("lambda-runtime-invoked-function-arn", "arn:aws:lambda:us-east-1:000000000000:function:test".into()),
                ("lambda-runtime-trace-id", TRACE_ID.into()),
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
pub struct Function {
    runtime: Arc<Runtime>,
    /// Held so the process lives as long as the test needs it (killed on drop).
    _process: tokio::process::Child,
}

/// A binary built beside the running test or benchmark (`target/<profile>/<name>`).
pub fn binary(name: &str) -> PathBuf {
    let dir = std::env::current_exe().unwrap().parent().unwrap().parent().unwrap().to_owned();
    let path = dir.join(name);
    assert!(path.exists(), "{} is missing: build the function binaries first (scripts/test does)", path.display());
    path
}

impl Function {
    /// Starts a built binary (see [`binary`]) with its own Runtime API.
    pub async fn start(name: &str, env: &[(String, String)]) -> Self {
        Self::start_path(&binary(name), name, env).await
    }

    pub async fn start_path(path: &FsPath, name: &str, env: &[(String, String)]) -> Self {
        let runtime = Arc::new(Runtime::default());
        let app = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route("/2018-06-01/runtime/invocation/{id}/response", post(respond))
            .route("/2018-06-01/runtime/invocation/{id}/error", post(error))
            .with_state(runtime.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let process = tokio::process::Command::new(path)
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

    /// When the process first asked for work, if it has.
    pub fn ready_at(&self) -> Option<Instant> {
        *self.runtime.first_poll.lock().unwrap()
    }

    pub fn pid(&self) -> Option<u32> {
        self._process.id()
    }

    /// Ends the process and waits until it is gone, so that its teardown
    /// overlaps nothing measured next.
    pub async fn stop(mut self) {
        let _ = self._process.kill().await;
    }

    /// Invokes the function; answers the response's pieces as they arrive.
    pub fn invoke(&self, event: Value) -> mpsc::UnboundedReceiver<Chunk> {
        let id = ulid::Ulid::new().to_string();
        let (tx, rx) = mpsc::unbounded_channel();
        self.runtime.responses.lock().unwrap().insert(id.clone(), tx);
        self.runtime.pending.lock().unwrap().push_back((id, event));
        self.runtime.arrived.notify_waiters();
        rx
    }

    /// Invokes a buffered (API Gateway REST) function; answers status and JSON body.
    pub async fn call(&self, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> (u16, Value) {
        let raw = collect(self.invoke(rest_event(method, path, token, body))).await;
        let (response, body) = match split_stream(&raw) {
            // A streaming function (chat): its metadata prelude, then the body.
            Some((prelude, body)) => (prelude, serde_json::from_slice(body).unwrap_or(Value::Null)),
            None => {
                let response: Value =
                    serde_json::from_slice(&raw).unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&raw)));
                let body = response["body"].as_str().and_then(|b| serde_json::from_str(b).ok()).unwrap_or(Value::Null);
                (response, body)
            }
        };
        (response["statusCode"].as_u64().unwrap() as u16, body)
    }
}

/// An invocation's whole answer, once the function has sent all of it.
pub async fn collect(mut rx: mpsc::UnboundedReceiver<Chunk>) -> Vec<u8> {
    let mut raw = Vec::new();
    while let Some(chunk) =
        tokio::time::timeout(Duration::from_secs(30), rx.recv()).await.expect("the function answers")
    {
        raw.extend_from_slice(&chunk.bytes);
    }
    raw
}

/// An API Gateway REST proxy event, as the REST API hands a buffered function
/// a JSON request from a client at 203.0.113.7.
pub fn rest_event(method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> Value {
    let mut headers = json!({"content-type": "application/json", "x-forwarded-for": "203.0.113.7"});
    if let Some(token) = token {
        headers["authorization"] = json!(format!("Bearer {token}"));
    }
    json!({
        "resource": path, "path": path, "httpMethod": method, "headers": headers,
        "multiValueHeaders": {}, "queryStringParameters": null, "multiValueQueryStringParameters": null,
        "pathParameters": null, "stageVariables": null,
        "requestContext": {"accountId": "000000000000", "resourceId": "r", "stage": "dev", "requestId": ulid::Ulid::new().to_string(),
            "identity": {"sourceIp": "203.0.113.7"}, "resourcePath": path, "httpMethod": method, "apiId": "api", "path": format!("/dev{path}")},
        "body": body.map(|b| b.to_string()), "isBase64Encoded": false
    })
}

/// A streamed response's metadata prelude and body, split at the 8 NUL bytes
/// the runtime writes between them; `None` for a buffered response.
pub fn split_stream(raw: &[u8]) -> Option<(Value, &[u8])> {
    let at = raw.windows(8).position(|w| w == [0u8; 8])?;
    Some((serde_json::from_slice(&raw[..at]).ok()?, &raw[at + 8..]))
}

/// A Function URL event (payload 2.0), as Lambda hands the chat function a
/// `POST` to `path` with a bearer token and a JSON body.
pub fn function_url_post(path: &str, token: &str, body: &Value) -> Value {
    json!({
        "version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": "",
        "headers": {"content-type": "application/json", "authorization": format!("Bearer {token}")},
        "requestContext": {"accountId": "anonymous", "apiId": "url", "domainName": "url.lambda-url.us-east-1.on.aws",
            "domainPrefix": "url", "requestId": "r", "routeKey": "$default", "stage": "$default", "time": "25/Nov/2026:00:00:00 +0000",
            "timeEpoch": 0, "http": {"method": "POST", "path": path, "protocol": "HTTP/1.1", "sourceIp": "203.0.113.7", "userAgent": "test"}},
        "body": body.to_string(),
        "isBase64Encoded": false
    })
}
