//! What the platform adds to a streamed answer, measured in one run against
//! the same fake provider called directly: time to first token, the gap
//! between chunks, and memory per open stream.
//!
//! Run: `cargo bench -p paas-tests --bench chat`

use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::routing::post;
use futures::StreamExt;
use paas_core::Config;
use paas_core::auth::keyring::Signing;
use serde_json::{Value, json};

const CHUNKS: usize = 50;
const PACE: Duration = Duration::from_millis(2);
const RUNS: usize = 20;
const OPEN_STREAMS: usize = 200;

/// A fake OpenAI-compatible provider: `CHUNKS` deltas `PACE` apart, or, for
/// the model `hold`, one delta and then an open, silent stream.
async fn fake_provider(body: axum::Json<Value>) -> Body {
    let hold = body["model"] == "hold";
    let stream = async_stream(hold);
    Body::from_stream(stream)
}

fn chunk(content: &str) -> String {
    let data = json!({"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m",
        "choices": [{"index": 0, "delta": {"content": content}, "finish_reason": null}]});
    format!("data: {data}\n\n")
}

fn async_stream(hold: bool) -> impl futures::Stream<Item = Result<Bytes, std::io::Error>> {
    futures::stream::unfold(0usize, move |n| async move {
        if hold && n == 1 {
            futures::future::pending::<()>().await;
        }
        let frame = match n {
            _ if n < CHUNKS => {
                if n > 0 {
                    tokio::time::sleep(PACE).await;
                }
                chunk(&format!("w{n} "))
            }
            _ if n == CHUNKS => {
                let done = json!({"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m",
                    "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]});
                let usage = json!({"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m", "choices": [],
                    "usage": {"prompt_tokens": 10, "completion_tokens": CHUNKS, "total_tokens": 10 + CHUNKS}});
                format!("data: {done}\n\ndata: {usage}\n\ndata: [DONE]\n\n")
            }
            _ => return None,
        };
        Some((Ok(Bytes::from(frame)), n + 1))
    })
}

async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}")
}

/// Time to the first chunk holding `marker`, and the mean gap between such chunks.
async fn measure(request: reqwest::RequestBuilder, marker: &str) -> (Duration, Duration) {
    let started = Instant::now();
    let mut body = request.send().await.unwrap().bytes_stream();
    let (mut first, mut last, mut count) = (None, started, 0u32);
    while let Some(bytes) = body.next().await {
        let text = String::from_utf8_lossy(&bytes.unwrap()).into_owned();
        let hits = text.matches(marker).count() as u32;
        if hits > 0 {
            let now = Instant::now();
            first.get_or_insert(now - started);
            last = now;
            count += hits;
        }
    }
    let first = first.expect("no chunk arrived");
    (first, (last - started - first) / count.saturating_sub(1).max(1))
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

fn resident_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    statm.split_whitespace().nth(1).and_then(|p| p.parse::<u64>().ok()).unwrap_or(0) * 4096
}

/// Opens `OPEN_STREAMS` streams, waits for each one's first chunk, and
/// answers the growth in resident memory per stream.
async fn memory_per_stream(open: impl Fn() -> reqwest::RequestBuilder, marker: &str) -> (u64, Vec<impl Sized>) {
    let before = resident_bytes();
    let mut held = Vec::new();
    for _ in 0..OPEN_STREAMS {
        let mut body = open().send().await.unwrap().bytes_stream();
        let mut seen = String::new();
        while !seen.contains(marker) {
            seen.push_str(&String::from_utf8_lossy(&body.next().await.unwrap().unwrap()));
        }
        held.push(body);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    (resident_bytes().saturating_sub(before) / OPEN_STREAMS as u64, held)
}

#[tokio::main]
async fn main() {
    let fake = serve(Router::new().route("/v1/chat/completions", post(fake_provider))).await;
    let dir = tempfile::tempdir().unwrap();
    let config = Config { data_dir: dir.path().to_owned(), ..Config::default() };
    let state = paas_store_sqlite::app_state(config.clone(), Signing::Sign).await.unwrap();
    let platform = serve(paas_cli::serve::app(state).unwrap()).await;
    let http = reqwest::Client::new();

    let password = "correct horse battery staple";
    let signup = json!({"tenant_name": "Bench", "tenant_slug": "bench", "email": "a@bench.test", "password": password});
    let reply: Value =
        http.post(format!("{platform}/api/auth/signup")).json(&signup).send().await.unwrap().json().await.unwrap();
    let token = reply["access_token"].as_str().unwrap().to_owned();
    let tenant_id = reply["tenant"]["tenant_id"].as_str().unwrap().to_owned();
    // The enterprise plan, so the benchmark's sessions fit its daily quota.
    paas_cli::operators::create_operator(config, "ops@bench.test", password, None).await.unwrap();
    let login = json!({"email": "ops@bench.test", "password": password});
    let ops: Value =
        http.post(format!("{platform}/api/auth/login")).json(&login).send().await.unwrap().json().await.unwrap();
    let ops = ops["access_token"].as_str().unwrap().to_owned();
    http.patch(format!("{platform}/api/platform/tenants/{tenant_id}"))
        .bearer_auth(&ops)
        .json(&json!({"plan": "enterprise"}))
        .send()
        .await
        .unwrap();
    let llm = json!({"provider": "openai_compatible", "model": "bench", "base_url": format!("{fake}/v1")});
    http.put(format!("{platform}/api/v1/tenant/llm")).bearer_auth(&token).json(&llm).send().await.unwrap();

    let direct_request = || {
        http.post(format!("{fake}/v1/chat/completions"))
            .json(&json!({"model": "bench", "stream": true, "messages": []}))
    };
    let platform_request = || {
        http.post(format!("{platform}/api/v1/chat/completions"))
            .bearer_auth(&token)
            .json(&json!({"message": "Benchmark turn"}))
    };

    let (mut direct_first, mut direct_gap, mut via_first, mut via_gap) = (vec![], vec![], vec![], vec![]);
    for _ in 0..RUNS {
        let (first, gap) = measure(direct_request(), "\"content\"").await;
        direct_first.push(first);
        direct_gap.push(gap);
        let (first, gap) = measure(platform_request(), "event: message").await;
        via_first.push(first);
        via_gap.push(gap);
    }
    let (df, dg, vf, vg) = (median(direct_first), median(direct_gap), median(via_first), median(via_gap));
    println!(
        "streamed chat through the platform vs the fake provider called directly (median of {RUNS} turns, {CHUNKS} chunks {PACE:?} apart)\n"
    );
    println!("{:<32}{:>12}{:>12}{:>10}", "", "direct", "platform", "ratio");
    println!("{:<32}{:>9.2} ms{:>9.2} ms{:>9.2}x", "time to first token", ms(df), ms(vf), ms(vf) / ms(df));
    println!("{:<32}{:>9.3} ms{:>9.3} ms{:>9.2}x", "gap between chunks", ms(dg), ms(vg), ms(vg) / ms(dg));

    let hold_llm = json!({"provider": "openai_compatible", "model": "hold", "base_url": format!("{fake}/v1")});
    http.put(format!("{platform}/api/v1/tenant/llm")).bearer_auth(&token).json(&hold_llm).send().await.unwrap();
    let (direct_mem, held_direct) = memory_per_stream(
        || {
            http.post(format!("{fake}/v1/chat/completions"))
                .json(&json!({"model": "hold", "stream": true, "messages": []}))
        },
        "\"content\"",
    )
    .await;
    let (via_mem, held_via) = memory_per_stream(platform_request, "event: message").await;
    println!(
        "\nmemory per open stream ({OPEN_STREAMS} held open; resident growth of this process, client and fake included):\n  direct {:.1} KiB, through the platform {:.1} KiB",
        direct_mem as f64 / 1024.0,
        via_mem as f64 / 1024.0
    );
    drop((held_direct, held_via));
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
