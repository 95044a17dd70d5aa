//! A fake LLM provider: an HTTP server on 127.0.0.1 that answers each request
//! with the next scripted [`Reply`] and records what it was sent.
//!
//! The prefab replies replay the OpenAI chat-completions and Anthropic
//! Messages streams as their API references document them (same events,
//! fields and framing), so the real provider code parses them:
//!
//! ```ignore
//! let fake = FakeLlm::start(vec![Reply::status(429, Some("1")), Reply::openai_text(&["Hi"], Some(usage(9, 1)))]).await;
//! // point an OpenAI-compatible provider at fake.base_url(), call it, then:
//! assert_eq!(fake.requests()[1].body["stream"], true);
//! ```
//!
//! Dropping the `FakeLlm` stops the server.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use futures::StreamExt;
use futures::stream::{self, BoxStream};
use paas_llm::Usage;
use serde_json::{Value, json};

/// A running fake provider.
pub struct FakeLlm {
    addr: SocketAddr,
    shared: Arc<Shared>,
    server: tokio::task::JoinHandle<()>,
}

#[derive(Default)]
struct Shared {
    script: Mutex<VecDeque<Reply>>,
    requests: Mutex<Vec<RecordedRequest>>,
    /// Response bodies still being written: a client that hangs up drops its body.
    open_bodies: AtomicUsize,
    /// Body bytes handed to the connection so far.
    sent_bytes: AtomicUsize,
}

/// A request as the fake received it.
#[derive(Clone, Debug)]
pub struct RecordedRequest {
    pub method: String,
    /// e.g. `/v1/chat/completions`
    pub path: String,
    pub headers: http::HeaderMap,
    /// The JSON body (`Null` if it was not JSON).
    pub body: Value,
}

impl RecordedRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }
}

/// One scripted answer: a status, headers, and a body written chunk by chunk.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// Body pieces, each written on its own (for streams: one SSE frame each).
    pub chunks: Vec<String>,
    pub ending: Ending,
}

/// What happens after the last chunk.
#[derive(Clone, Debug)]
pub enum Ending {
    /// The body ends normally.
    Complete,
    /// The connection is dropped without finishing the body.
    Cut,
    /// Nothing more is sent for this long, then the connection is dropped.
    Stall(Duration),
    /// This piece is sent again and again, `times` times, then the body ends
    /// (made as it is sent, so a huge body costs the fake no memory).
    Repeat { piece: String, times: usize },
}

/// A block of a scripted Anthropic message.
pub enum AnthropicBlock<'a> {
    Text(&'a [&'a str]),
    Thinking(&'a [&'a str]),
    /// A tool call whose input JSON streams in these pieces.
    ToolUse {
        id: &'a str,
        name: &'a str,
        json: &'a [&'a str],
    },
}

pub fn usage(input_tokens: u64, output_tokens: u64) -> Usage {
    Usage { input_tokens, output_tokens }
}

/// A base URL on which nothing listens: connecting is refused.
///
/// The port stays bound (without listening, and without `SO_REUSEADDR`) for the
/// rest of the process, so a server another test starts meanwhile cannot take it
/// and answer in its place.
pub fn refused_base_url() -> String {
    static HELD: std::sync::OnceLock<tokio::net::TcpSocket> = std::sync::OnceLock::new();
    let socket = HELD.get_or_init(|| {
        let socket = tokio::net::TcpSocket::new_v4().expect("open a socket");
        socket.bind("127.0.0.1:0".parse().unwrap()).expect("bind a free port");
        socket
    });
    let addr = socket.local_addr().unwrap();
    format!("http://{addr}/v1")
}

impl Reply {
    /// A 200 event stream of these raw SSE frames (`"data: ...\n\n"`).
    pub fn sse(frames: Vec<String>) -> Self {
        Self {
            status: 200,
            headers: vec![("content-type".into(), "text/event-stream".into())],
            chunks: frames,
            ending: Ending::Complete,
        }
    }

    /// An error status with an OpenAI-style error body, and `Retry-After`
    /// (seconds or an HTTP date) if given.
    pub fn status(status: u16, retry_after: Option<&str>) -> Self {
        let mut headers = vec![("content-type".to_owned(), "application/json".to_owned())];
        headers.extend(retry_after.map(|value| ("retry-after".to_owned(), value.to_owned())));
        let body = json!({"error": {"message": format!("fake error {status}"), "type": "fake_error", "param": null, "code": null}});
        Self { status, headers, chunks: vec![body.to_string()], ending: Ending::Complete }
    }

    /// Sends only the first `frames` chunks, then drops the connection.
    pub fn cut_after(mut self, frames: usize) -> Self {
        self.chunks.truncate(frames);
        self.ending = Ending::Cut;
        self
    }

    /// After its chunks, sends `piece` `times` times over.
    pub fn then_repeat(mut self, piece: impl Into<String>, times: usize) -> Self {
        self.ending = Ending::Repeat { piece: piece.into(), times };
        self
    }

    /// Sends only the first `frames` chunks, then goes silent for `pause`.
    pub fn stall_after(mut self, frames: usize, pause: Duration) -> Self {
        self.chunks.truncate(frames);
        self.ending = Ending::Stall(pause);
        self
    }

    /// OpenAI streaming text: a role chunk, one chunk per part, a
    /// `finish_reason: "stop"` chunk, the usage chunk (when given, as
    /// `stream_options.include_usage` asks), then `[DONE]`.
    pub fn openai_text(parts: &[&str], usage: Option<Usage>) -> Self {
        let deltas = parts.iter().map(|part| json!({"content": part}));
        Self::openai(deltas.collect(), "stop", usage)
    }

    /// DeepSeek/GLM reasoning models: `reasoning_content` deltas before the answer's.
    pub fn openai_reasoning(reasoning: &[&str], parts: &[&str], usage: Option<Usage>) -> Self {
        let thoughts = reasoning.iter().map(|part| json!({"content": null, "reasoning_content": part}));
        let answer = parts.iter().map(|part| json!({"content": part, "reasoning_content": null}));
        Self::openai(thoughts.chain(answer).collect(), "stop", usage)
    }

    /// OpenAI (parallel) tool calls `(id, name, argument pieces)`: each call's
    /// first fragment carries index, id, type and name, later ones only
    /// argument pieces; then `finish_reason: "tool_calls"`.
    pub fn openai_tool_calls(calls: &[(&str, &str, &[&str])], usage: Option<Usage>) -> Self {
        let mut deltas = Vec::new();
        for (index, (id, name, pieces)) in calls.iter().enumerate() {
            deltas.push(json!({"tool_calls": [{"index": index, "id": id, "type": "function", "function": {"name": name, "arguments": ""}}]}));
            for piece in *pieces {
                deltas.push(json!({"tool_calls": [{"index": index, "function": {"arguments": piece}}]}));
            }
        }
        Self::openai(deltas, "tool_calls", usage)
    }

    fn openai(deltas: Vec<Value>, finish_reason: &str, usage: Option<Usage>) -> Self {
        let include_usage = usage.is_some();
        let chunk = |choices: Value, usage: Option<Value>| {
            let mut chunk = json!({
                "id": "chatcmpl-123", "object": "chat.completion.chunk", "created": 1694268190,
                "model": "gpt-4o-mini", "system_fingerprint": "fp_44709d6fcb", "choices": choices,
            });
            if include_usage {
                chunk["usage"] = usage.unwrap_or(Value::Null);
            }
            format!("data: {chunk}\n\n")
        };
        let choice = |delta: Value, finish: Option<&str>| json!([{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish}]);
        let mut frames = vec![chunk(choice(json!({"role": "assistant", "content": ""}), None), None)];
        frames.extend(deltas.into_iter().map(|delta| chunk(choice(delta, None), None)));
        frames.push(chunk(choice(json!({}), Some(finish_reason)), None));
        if let Some(usage) = usage {
            let reported = json!({
                "prompt_tokens": usage.input_tokens, "completion_tokens": usage.output_tokens,
                "total_tokens": usage.input_tokens + usage.output_tokens,
            });
            frames.push(chunk(json!([]), Some(reported)));
        }
        frames.push("data: [DONE]\n\n".to_owned());
        Self::sse(frames)
    }

    /// An Anthropic text answer (`stop_reason: "end_turn"`).
    pub fn anthropic_text(parts: &[&str], usage: Usage) -> Self {
        Self::anthropic(&[AnthropicBlock::Text(parts)], "end_turn", usage)
    }

    /// An Anthropic Messages stream: `message_start` (input tokens), a
    /// `ping`, each block as `content_block_start`/`_delta`s/`_stop` (thinking
    /// blocks end with a `signature_delta`), `message_delta` (stop reason,
    /// output tokens), `message_stop`.
    pub fn anthropic(blocks: &[AnthropicBlock<'_>], stop_reason: &str, usage: Usage) -> Self {
        let event = |data: Value| format!("event: {}\ndata: {data}\n\n", data["type"].as_str().unwrap());
        let mut frames = vec![
            event(json!({"type": "message_start", "message": {
                "id": "msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY", "type": "message", "role": "assistant",
                "content": [], "model": "claude-3-5-sonnet-20241022", "stop_reason": null, "stop_sequence": null,
                "usage": {"input_tokens": usage.input_tokens, "output_tokens": 1},
            }})),
            event(json!({"type": "ping"})),
        ];
        for (index, block) in blocks.iter().enumerate() {
            let (start, deltas): (Value, Vec<Value>) = match block {
                AnthropicBlock::Text(parts) => (
                    json!({"type": "text", "text": ""}),
                    parts.iter().map(|text| json!({"type": "text_delta", "text": text})).collect(),
                ),
                AnthropicBlock::Thinking(parts) => (
                    json!({"type": "thinking", "thinking": ""}),
                    parts
                        .iter()
                        .map(|thinking| json!({"type": "thinking_delta", "thinking": thinking}))
                        .chain([json!({"type": "signature_delta", "signature": "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds"})])
                        .collect(),
                ),
                AnthropicBlock::ToolUse { id, name, json } => (
                    json!({"type": "tool_use", "id": id, "name": name, "input": {}}),
                    json.iter().map(|piece| json!({"type": "input_json_delta", "partial_json": piece})).collect(),
                ),
            };
            frames.push(event(json!({"type": "content_block_start", "index": index, "content_block": start})));
            for delta in deltas {
                frames.push(event(json!({"type": "content_block_delta", "index": index, "delta": delta})));
            }
            frames.push(event(json!({"type": "content_block_stop", "index": index})));
        }
        frames.push(event(json!({
            "type": "message_delta", "delta": {"stop_reason": stop_reason, "stop_sequence": null},
            "usage": {"output_tokens": usage.output_tokens},
        })));
        frames.push(event(json!({"type": "message_stop"})));
        Self::sse(frames)
    }
}

impl FakeLlm {
    /// Serves `script`, one reply per request in order; requests beyond it get a 500.
    pub async fn start(script: Vec<Reply>) -> Self {
        let shared = Arc::new(Shared { script: Mutex::new(script.into()), ..Shared::default() });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind the fake LLM");
        let addr = listener.local_addr().unwrap();
        let app = axum::Router::new().fallback(answer).with_state(shared.clone());
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("fake LLM server");
        });
        Self { addr, shared, server }
    }

    /// The API root, like `https://api.openai.com/v1`.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.requests.lock().unwrap().clone()
    }

    /// How many response bodies are still being written; 0 once clients
    /// that hung up have been noticed.
    pub fn open_bodies(&self) -> usize {
        self.shared.open_bodies.load(Ordering::SeqCst)
    }

    /// How many body bytes the fake has written so far, over all replies.
    pub fn sent_bytes(&self) -> usize {
        self.shared.sent_bytes.load(Ordering::SeqCst)
    }
}

impl Drop for FakeLlm {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn answer(
    axum::extract::State(shared): axum::extract::State<Arc<Shared>>,
    method: http::Method,
    uri: http::Uri,
    headers: http::HeaderMap,
    body: Bytes,
) -> http::Response<Body> {
    shared.requests.lock().unwrap().push(RecordedRequest {
        method: method.to_string(),
        path: uri.path().to_owned(),
        headers,
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    });
    let next = shared.script.lock().unwrap().pop_front();
    let reply = next.unwrap_or_else(|| Reply {
        chunks: vec![json!({"error": {"message": "fake LLM: no scripted reply left"}}).to_string()],
        ..Reply::status(500, None)
    });
    let mut response = http::Response::builder().status(reply.status);
    for (name, value) in &reply.headers {
        response = response.header(name, value);
    }
    response.body(Body::from_stream(body_stream(reply, shared))).unwrap()
}

/// The reply's chunks, then its ending; counted in `open_bodies` until dropped.
fn body_stream(reply: Reply, shared: Arc<Shared>) -> BoxStream<'static, Result<String, std::io::Error>> {
    let open = OpenBody::new(shared);
    let tail = match reply.ending {
        Ending::Complete => stream::empty().boxed(),
        // The pause lets the server flush what it sent before failing the body,
        // which makes it drop the connection without finishing the response.
        Ending::Cut => cut_after(Duration::from_millis(50)),
        Ending::Stall(pause) => cut_after(pause),
        Ending::Repeat { piece, times } => stream::repeat(piece).take(times).map(Ok).boxed(),
    };
    stream::iter(reply.chunks.into_iter().map(Ok))
        .chain(tail)
        .map(move |chunk| {
            if let Ok(chunk) = &chunk {
                open.0.sent_bytes.fetch_add(chunk.len(), Ordering::SeqCst);
            }
            chunk
        })
        .boxed()
}

fn cut_after(pause: Duration) -> BoxStream<'static, Result<String, std::io::Error>> {
    stream::once(async move {
        tokio::time::sleep(pause).await;
        Err(std::io::Error::other("fake LLM drops the connection"))
    })
    .boxed()
}

/// Counts a body as open for as long as it lives.
struct OpenBody(Arc<Shared>);

impl OpenBody {
    fn new(shared: Arc<Shared>) -> Self {
        shared.open_bodies.fetch_add(1, Ordering::SeqCst);
        Self(shared)
    }
}

impl Drop for OpenBody {
    fn drop(&mut self) {
        self.0.open_bodies.fetch_sub(1, Ordering::SeqCst);
    }
}
