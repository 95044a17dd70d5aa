//! The HTTP tools against real sockets on 127.0.0.1: `http_get` under the network policy and the
//! tenant's allowed hosts, and tenant-defined webhook tools.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::{get, post};
use futures::stream;
use paas_llm::net_guard::NetPolicy;
use paas_llm::tools::{self, Tool, ToolContext, ToolError, WebhookTool};
use serde_json::{Value, json};

/// An axum app on a random 127.0.0.1 port; dropping it stops the server.
struct Server {
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    async fn start(router: Router) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a free port");
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move { axum::serve(listener, router).await.expect("test server") });
        Self { addr, task }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

const TEXT: [(header::HeaderName, &str); 1] = [(header::CONTENT_TYPE, "text/plain; charset=utf-8")];

/// Pages for `http_get`; `hits` counts requests to `/text`.
async fn pages(hits: Arc<AtomicUsize>) -> Server {
    let router = Router::new()
        .route(
            "/text",
            get(move || {
                hits.fetch_add(1, Ordering::SeqCst);
                async { (TEXT, "hello from the page") }
            }),
        )
        .route("/json", get(|| async { axum::Json(json!({"ok": true})) }))
        .route("/missing", get(|| async { (StatusCode::NOT_FOUND, TEXT, "no such page") }))
        .route("/big", get(|| async { (TEXT, "x".repeat(100_000)) }))
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(30)).await;
                (TEXT, "too late")
            }),
        )
        .route(
            "/stall",
            get(|| async {
                // The headers and a first chunk arrive at once; the rest never does.
                let first = stream::once(async { Ok::<_, std::io::Error>(Bytes::from("partial")) });
                (TEXT, Body::from_stream(futures::StreamExt::chain(first, stream::pending())))
            }),
        )
        .route(
            "/redirect",
            get(|| async { (StatusCode::FOUND, [(header::LOCATION, "http://169.254.169.254/latest/meta-data/")]) }),
        )
        .route(
            "/binary",
            get(|| async { ([(header::CONTENT_TYPE, "application/octet-stream")], vec![0_u8, 159, 146, 150]) }),
        );
    Server::start(router).await
}

fn local(allowed_hosts: &[&str]) -> ToolContext {
    ToolContext::new(NetPolicy::local(), allowed_hosts.iter().map(|host| (*host).to_owned()).collect())
}

fn http_get() -> Arc<dyn Tool> {
    tools::builtin("http_get").expect("http_get is built in")
}

async fn get_url(url: &str, ctx: &ToolContext) -> Result<String, ToolError> {
    http_get().call(&json!({ "url": url }), ctx).await
}

#[tokio::test]
async fn http_get_refuses_internal_addresses_under_the_cloud_policy() {
    let hits = Arc::new(AtomicUsize::new(0));
    let server = pages(hits.clone()).await;
    // Every host is allowed, so the refusals come from the network policy.
    let ctx = ToolContext::new(
        NetPolicy::cloud(),
        ["127.0.0.1", "10.0.0.1", "192.168.1.1", "169.254.169.254", "::ffff:127.0.0.1", "::ffff:169.254.169.254"]
            .into_iter()
            .chain(["fe80::1", "localhost"])
            .map(str::to_owned)
            .collect(),
    );
    for url in [
        "https://127.0.0.1/",
        "https://10.0.0.1/",
        "https://192.168.1.1/",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::ffff:127.0.0.1]/",
        "https://[::ffff:169.254.169.254]/",
        "https://[fe80::1]/",
        "https://localhost/",
        &server.url("/text"),
    ] {
        let outcome = tools::run(http_get().as_ref(), &json!({ "url": url }).to_string(), &ctx).await;
        assert!(!outcome.ok, "{url}");
        assert!(outcome.output.starts_with("error: refused: "), "{url}: {}", outcome.output);
    }
    assert_eq!(hits.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn http_get_refuses_hosts_the_tenant_did_not_allow() {
    let hits = Arc::new(AtomicUsize::new(0));
    let server = pages(hits.clone()).await;
    let answer = get_url(&server.url("/text"), &local(&["example.com", "*.0.0.1"])).await;
    assert_eq!(answer, Err(ToolError::Refused("the host 127.0.0.1 is not in the organisation's allowed hosts".into())));
    assert_eq!(hits.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn http_get_fetches_text_from_an_allowed_host() {
    let hits = Arc::new(AtomicUsize::new(0));
    let server = pages(hits.clone()).await;
    let ctx = local(&["127.0.0.1"]);
    let outcome = tools::run(http_get().as_ref(), &json!({ "url": server.url("/text") }).to_string(), &ctx).await;
    assert!(outcome.ok, "{}", outcome.output);
    assert_eq!(outcome.output, "HTTP 200 OK\n\nhello from the page");
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    assert_eq!(get_url(&server.url("/json"), &ctx).await, Ok("HTTP 200 OK\n\n{\"ok\":true}".into()));
    assert_eq!(get_url(&server.url("/missing"), &ctx).await, Ok("HTTP 404 Not Found\n\nno such page".into()));
}

#[tokio::test]
async fn http_get_caps_the_response_size() {
    let server = pages(Arc::default()).await;
    let ctx = ToolContext { max_response_bytes: 1000, ..local(&["127.0.0.1"]) };
    let answer = get_url(&server.url("/big"), &ctx).await.unwrap();
    assert_eq!(answer, format!("HTTP 200 OK\n\n{}\n[truncated]", "x".repeat(1000)));
}

#[tokio::test]
async fn http_get_gives_up_after_the_timeout() {
    let server = pages(Arc::default()).await;
    let ctx = ToolContext { http_timeout: Duration::from_millis(300), ..local(&["127.0.0.1"]) };
    for path in ["/slow", "/stall"] {
        let started = Instant::now();
        let answer = get_url(&server.url(path), &ctx).await;
        assert_eq!(answer, Err(ToolError::Failed("no answer within 300ms".into())), "{path}");
        assert!(started.elapsed() < Duration::from_secs(5), "{path}: {:?}", started.elapsed());
    }
}

#[tokio::test]
async fn http_get_does_not_follow_redirects() {
    let server = pages(Arc::default()).await;
    let answer = get_url(&server.url("/redirect"), &local(&["127.0.0.1"])).await;
    assert_eq!(
        answer,
        Err(ToolError::Failed(
            "HTTP 302 Found to http://169.254.169.254/latest/meta-data/: redirects are not followed".into()
        ))
    );
}

#[tokio::test]
async fn http_get_refuses_binary_content() {
    let server = pages(Arc::default()).await;
    let answer = get_url(&server.url("/binary"), &local(&["127.0.0.1"])).await;
    assert_eq!(answer, Err(ToolError::Failed("the answer is not text".into())));
}

/// What the webhook endpoint received: the secret header and the JSON body.
type Received = Arc<Mutex<Vec<(Option<String>, Value)>>>;

async fn webhook_endpoint(received: Received) -> Server {
    let router = Router::new()
        .route(
            "/hook",
            post(move |headers: HeaderMap, axum::Json(body): axum::Json<Value>| {
                let secret = headers.get("x-api-key").and_then(|value| value.to_str().ok()).map(str::to_owned);
                received.lock().unwrap().push((secret, body));
                async { axum::Json(json!({"answer": 42})) }
            }),
        )
        .route("/broken", post(|| async { (StatusCode::INTERNAL_SERVER_ERROR, TEXT, "boom") }));
    Server::start(router).await
}

fn webhook(endpoint: String, secret_header: Option<(String, String)>) -> WebhookTool {
    WebhookTool {
        name: "lookup".into(),
        description: "Looks up an answer.".into(),
        parameters: json!({"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]}),
        endpoint,
        secret_header,
    }
}

#[tokio::test]
async fn webhook_posts_the_arguments_and_the_secret_header() {
    let received = Received::default();
    let server = webhook_endpoint(received.clone()).await;
    let tool = webhook(server.url("/hook"), Some(("x-api-key".into(), "s3cret".into())));
    // No allowed hosts: the endpoint an admin registered is allowed by registering it.
    let outcome = tools::run(&tool, r#"{"q": "life"}"#, &local(&[])).await;
    assert_eq!(outcome.output, r#"{"answer":42}"#);
    assert!(outcome.ok);
    assert_eq!(*received.lock().unwrap(), [(Some("s3cret".to_owned()), json!({"q": "life"}))]);

    let anonymous = webhook(server.url("/hook"), None);
    assert!(tools::run(&anonymous, r#"{"q": "again"}"#, &local(&[])).await.ok);
    assert_eq!(received.lock().unwrap()[1], (None, json!({"q": "again"})));
}

#[tokio::test]
async fn webhook_errors_become_tool_error_text() {
    let received = Received::default();
    let server = webhook_endpoint(received.clone()).await;
    let broken = webhook(server.url("/broken"), None);
    let outcome = tools::run(&broken, r#"{"q": "life"}"#, &local(&[])).await;
    assert!(!outcome.ok);
    assert_eq!(outcome.output, "error: failed: the endpoint answered HTTP 500 Internal Server Error: boom");

    // Arguments that do not fit the schema never reach the endpoint.
    let tool = webhook(server.url("/hook"), None);
    let outcome = tools::run(&tool, r#"{"q": 1}"#, &local(&[])).await;
    assert_eq!(outcome.output, "error: invalid arguments: `q` must be a string");
    let outcome = tools::run(&tool, r#"{"q": "#, &local(&[])).await;
    assert!(outcome.output.starts_with("error: invalid arguments: not valid JSON"), "{}", outcome.output);
    assert!(received.lock().unwrap().is_empty());

    // Under the cloud policy the same endpoint is refused.
    let outcome = tools::run(&tool, r#"{"q": "life"}"#, &ToolContext::new(NetPolicy::cloud(), Vec::new())).await;
    assert_eq!(outcome.output, "error: refused: only https URLs are allowed");
}
