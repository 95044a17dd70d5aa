//! The two servers a stream passes through besides the platform, each run
//! as its own process: a fake OpenAI-compatible provider, and a bare relay
//! (no auth, no storage, no parsing), the floor anything in between can reach.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::Response;
use axum::routing::post;
use axum::serve::ListenerExt;
use futures::StreamExt;
use serde_json::{Value, json};

/// How a fake stream runs, named by the request's `model`: `s<chunks>x<pace ms>`,
/// or `hold` (one chunk, then an open, silent stream).
#[derive(Clone, Copy)]
pub enum Shape {
    Paced { chunks: usize, pace: Duration },
    Hold,
}

impl Shape {
    pub fn model(self) -> String {
        match self {
            Self::Paced { chunks, pace } => format!("s{chunks}x{}", pace.as_millis()),
            Self::Hold => "hold".into(),
        }
    }

    fn parse(model: &str) -> Self {
        let paced = model.strip_prefix('s').and_then(|rest| rest.split_once('x')).and_then(|(chunks, pace)| {
            Some(Self::Paced { chunks: chunks.parse().ok()?, pace: Duration::from_millis(pace.parse().ok()?) })
        });
        paced.unwrap_or(Self::Hold)
    }
}

/// Nanoseconds since the epoch: every process on this machine reads the same clock.
pub fn now_nanos() -> u128 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos()
}

/// One content chunk, stamped `@<nanos>;` with the moment it was sent.
fn chunk(n: usize) -> String {
    let data = json!({"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m",
        "choices": [{"index": 0, "delta": {"content": format!("w{n} @{};", now_nanos())}, "finish_reason": null}]});
    format!("data: {data}\n\n")
}

fn last(chunks: usize) -> String {
    let done = json!({"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m",
        "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]});
    let usage = json!({"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m", "choices": [],
        "usage": {"prompt_tokens": 10, "completion_tokens": chunks, "total_tokens": 10 + chunks}});
    format!("data: {done}\n\ndata: {usage}\n\ndata: [DONE]\n\n")
}

async fn fake_completion(body: axum::Json<Value>) -> Response {
    let shape = Shape::parse(body["model"].as_str().unwrap_or_default());
    let frames = futures::stream::unfold(0usize, move |n| async move {
        let frame = match shape {
            Shape::Hold if n == 0 => chunk(0),
            Shape::Hold => futures::future::pending().await,
            Shape::Paced { chunks, pace } if n < chunks => {
                if n > 0 {
                    tokio::time::sleep(pace).await;
                }
                chunk(n)
            }
            Shape::Paced { chunks, .. } if n == chunks => last(chunks),
            Shape::Paced { .. } => return None,
        };
        Some((Ok::<_, std::io::Error>(Bytes::from(frame)), n + 1))
    });
    Response::builder().header(CONTENT_TYPE, "text/event-stream").body(Body::from_stream(frames)).unwrap()
}

/// The fake provider, on `port`.
pub async fn fake(port: u16) {
    serve(port, Router::new().route("/v1/chat/completions", post(fake_completion))).await;
}

#[derive(Clone)]
struct Relay {
    http: reqwest::Client,
    upstream: String,
}

async fn relay_completion(State(relay): State<Relay>, body: Bytes) -> Response {
    let upstream = relay.http.post(&relay.upstream).header(CONTENT_TYPE, "application/json").body(body);
    let answer = upstream.send().await.unwrap();
    Response::builder()
        .header(CONTENT_TYPE, "text/event-stream")
        .body(Body::from_stream(answer.bytes_stream().map(|chunk| chunk.map_err(std::io::Error::other))))
        .unwrap()
}

/// The bare relay, on `port`, passing every request to `upstream` and its
/// answer back byte for byte.
pub async fn relay(port: u16, upstream: String) {
    let relay = Relay { http: reqwest::Client::new(), upstream: format!("{upstream}/v1/chat/completions") };
    serve(port, Router::new().route("/v1/chat/completions", post(relay_completion)).with_state(relay)).await;
}

async fn serve(port: u16, router: Router) {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.unwrap();
    let listener = listener.tap_io(|tcp| tcp.set_nodelay(true).unwrap());
    axum::serve(listener, router).await.unwrap();
}
