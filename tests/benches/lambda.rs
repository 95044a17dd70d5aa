//! What each function costs as a Lambda function, next to a minimal
//! `lambda_http` hello function built the same way in the same run: the
//! stripped binary's size, the time from process start to ready for its
//! first invocation (its first call to the Runtime API; the median of
//! [`COLD_STARTS`], each right after one of hello), and its resident memory
//! after the first request.
//!
//! With the DynamoDB emulator's endpoint in `PAAS_TEST_DYNAMODB_ENDPOINT` (as
//! `scripts/test` starts it), it also signs a tenant up through the auth
//! function and reports the chat function's memory after its first streamed
//! turn (the offline provider), and how long after the response's prelude
//! its first frame reached the Runtime API.
//!
//! Build first with the Lambda profile, then run:
//! `cargo build --release --bins -p paas-auth -p paas-admin -p paas-agents-api -p paas-platform -p paas-sessions -p paas-chat -p paas-authorizer &&
//!  cargo build --release -p paas-tests --example hello_lambda && cargo bench -p paas-tests --bench lambda`

use std::path::PathBuf;
use std::time::{Duration, Instant};

use paas_tests::lambda_emulator::Function;
use paas_tests::resident_kib;
use serde_json::json;

/// Cold starts of each function, each one right after a cold start of hello,
/// so that both meet the machine in the same state. Each takes milliseconds;
/// with 9 the ratio's median moved by ±0.15 between runs, with 51 by ±0.05.
const COLD_STARTS: usize = 51;

/// `target/release`, where the Lambda profile puts binaries.
fn release_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.ancestors().find(|p| p.ends_with("target")).unwrap().join("release")
}

/// Time to ready of one cold start, and the resident memory after one request.
async fn cold_start(path: &std::path::Path, name: &str, env: &[(String, String)]) -> (Duration, u64) {
    let started = Instant::now();
    let function = Function::start_path(path, name, env).await;
    while function.ready_at().is_none() {
        tokio::time::sleep(Duration::from_micros(200)).await;
    }
    let ready = function.ready_at().unwrap() - started;
    first_request(&function, name).await;
    let memory = resident_kib(function.pid().unwrap());
    function.stop().await;
    (ready, memory)
}

/// Median times to ready of hello and of the function, alternating, and the
/// function's resident memory after one request.
async fn measure(
    hello: &std::path::Path,
    path: &std::path::Path,
    name: &str,
    env: &[(String, String)],
) -> (Duration, Duration, u64) {
    let (mut hellos, mut readies, mut memory) = (Vec::new(), Vec::new(), 0);
    for _ in 0..COLD_STARTS {
        hellos.push(cold_start(hello, "hello", env).await.0);
        let (ready, kib) = cold_start(path, name, env).await;
        readies.push(ready);
        memory = kib;
    }
    (median(hellos), median(readies), memory)
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// One request each function answers: `/healthz`, or for the authorizer a
/// REQUEST event without a credential (it answers API Gateway's `Unauthorized`).
async fn first_request(function: &Function, name: &str) {
    if name != "authorizer" {
        let (status, _) = function.call("GET", "/healthz", None, None).await;
        assert_eq!(status, 200, "{name} answers");
        return;
    }
    let event = serde_json::json!({
        "type": "REQUEST", "methodArn": "arn:aws:execute-api:us-east-1:000000000000:api/dev/GET/api/v1/tenant",
        "resource": "/api/v1/tenant", "path": "/api/v1/tenant", "httpMethod": "GET", "headers": {},
        "requestContext": {"accountId": "000000000000", "apiId": "api", "stage": "dev"}
    });
    let mut answer = function.invoke(event);
    let mut raw = Vec::new();
    while let Some(chunk) = tokio::time::timeout(Duration::from_secs(30), answer.recv()).await.expect("it answers") {
        raw.extend_from_slice(&chunk.bytes);
    }
    assert!(
        String::from_utf8_lossy(&raw).contains("Unauthorized"),
        "the authorizer refuses: {}",
        String::from_utf8_lossy(&raw)
    );
}

#[tokio::main]
async fn main() {
    let dir = release_dir();
    let data = tempfile::tempdir().unwrap();
    let env: Vec<(String, String)> = [
        ("PAAS_DATA_DIR", data.path().to_str().unwrap()),
        // Lambda binaries store in DynamoDB only; no request here reaches the store.
        ("PAAS_STORE", "dynamodb"),
        ("PAAS_DYNAMODB_ENDPOINT", "http://127.0.0.1:9"),
        ("PAAS_LOG", "warn"),
        ("AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH", "true"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let hello = dir.join("examples/hello_lambda");
    let size = |p: &std::path::Path| {
        std::fs::metadata(p).unwrap_or_else(|_| panic!("{} is not built (see this file's header)", p.display())).len()
    };
    let (_, hello_memory) = cold_start(&hello, "hello", &env).await;
    let hello_size = size(&hello);
    println!("each function as a Lambda function, against a minimal lambda_http hello function (release profile)");
    println!("start to ready: medians of {COLD_STARTS} cold starts, each right after one of hello\n");
    println!(
        "{:<10}{:>14}{:>8}{:>16}{:>16}{:>8}{:>16}{:>8}",
        "", "binary", "ratio", "hello ready", "ready", "ratio", "memory after 1", "ratio"
    );
    println!(
        "{:<10}{:>11.1} MB{:>8}{:>48}{:>13} MB{:>8}",
        "hello",
        hello_size as f64 / 1e6,
        "1.00x",
        "",
        hello_memory / 1024,
        "1.00x"
    );
    // The auth function first: it creates the keys the others load.
    for name in ["auth", "admin", "agents", "platform", "sessions", "chat", "authorizer"] {
        let path = dir.join(name);
        let (hello_ready, ready, memory) = measure(&hello, &path, name, &env).await;
        let bytes = size(&path);
        println!(
            "{:<10}{:>11.1} MB{:>7.2}x{:>13.1} ms{:>13.1} ms{:>7.2}x{:>13} MB{:>7.2}x",
            name,
            bytes as f64 / 1e6,
            bytes as f64 / hello_size as f64,
            hello_ready.as_secs_f64() * 1e3,
            ready.as_secs_f64() * 1e3,
            ready.as_secs_f64() / hello_ready.as_secs_f64(),
            memory / 1024,
            memory as f64 / hello_memory.max(1) as f64
        );
    }
    if let Ok(endpoint) = std::env::var("PAAS_TEST_DYNAMODB_ENDPOINT") {
        let (healthz, turn, first_frame) = chat_turn(&dir, &endpoint).await;
        println!(
            "\nchat, memory after its first request: {} MB; after its first streamed turn: {} MB (hello after 1 request: {} MB)",
            healthz / 1024,
            turn / 1024,
            hello_memory / 1024
        );
        println!(
            "chat's first frame reached the Runtime API {:.2} ms after the response's prelude",
            first_frame.as_secs_f64() * 1e3
        );
    }
}

/// The chat function's resident memory after `/healthz`, and after one
/// streamed turn (Function URL event, offline provider), on the emulator; and
/// how long after the response's prelude its first frame arrived (a stall
/// there is Nagle's algorithm waiting on a delayed ACK).
async fn chat_turn(dir: &std::path::Path, endpoint: &str) -> (u64, u64, Duration) {
    let data = tempfile::tempdir().unwrap();
    let prefix = format!("bench{}-", ulid::Ulid::new());
    let config = paas_core::Config {
        store: paas_core::config::StoreKind::Dynamodb,
        dynamodb_endpoint: Some(endpoint.to_owned()),
        table_prefix: prefix.clone(),
        ..Default::default()
    };
    let aws = paas_core::aws::ambient(&config).await;
    paas_core::state::dynamo_store(&config, &aws).create_tables(paas_core::store::tables::ALL).await.unwrap();
    let env: Vec<(String, String)> = [
        ("PAAS_STORE", "dynamodb"),
        ("PAAS_DYNAMODB_ENDPOINT", endpoint),
        ("PAAS_TABLE_PREFIX", prefix.as_str()),
        ("PAAS_SECRETS", "local"),
        ("PAAS_DATA_DIR", data.path().to_str().unwrap()),
        ("PAAS_LOG", "warn"),
        ("AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH", "true"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let auth = Function::start_path(&dir.join("auth"), "auth", &env).await;
    let password = "correct horse battery staple";
    let signup = json!({"tenant_name": "Bench", "tenant_slug": "bench", "email": "a@bench.test", "password": password});
    let (status, body) = auth.call("POST", "/api/auth/signup", None, Some(signup)).await;
    assert_eq!(status, 201, "{body}");
    let token = body["access_token"].as_str().unwrap().to_owned();

    let chat = Function::start_path(&dir.join("chat"), "chat", &env).await;
    first_request(&chat, "chat").await;
    let healthz = resident_kib(chat.pid().unwrap());
    let body = json!({"message": "Hello over Lambda"});
    let event = paas_tests::lambda_emulator::function_url_post("/api/v1/chat/completions", &token, &body);
    let mut answer = chat.invoke(event);
    let mut chunks = Vec::new();
    while let Some(chunk) = tokio::time::timeout(Duration::from_secs(30), answer.recv()).await.expect("it streams") {
        chunks.push(chunk);
    }
    let raw: Vec<u8> = chunks.iter().flat_map(|c| c.bytes.to_vec()).collect();
    assert!(String::from_utf8_lossy(&raw).contains("event: done"), "the turn completes");
    let first_frame =
        chunks.iter().find(|c| c.bytes.windows(6).any(|w| w == b"event:")).expect("a frame").at - chunks[0].at;
    (healthz, resident_kib(chat.pid().unwrap()), first_frame)
}
