//! The real function binaries behind a local Lambda Runtime API, on the
//! DynamoDB emulator: what runs on AWS, invoked with API Gateway REST events
//! (buffered functions) and a Function URL event (chat, response streaming).
//!
//! The emulator (`tests/lambda_emulator.rs`) implements the Runtime API's
//! `next`, `response` (buffered, and streaming with its metadata prelude)
//! and `error` calls.

use std::time::Duration;

use paas_tests::lambda_emulator::Function;
use serde_json::json;

use crate::support::{DYNAMODB_ENDPOINT_VAR, PASSWORD};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_functions_run_behind_the_lambda_runtime_and_chat_streams() {
    let endpoint = std::env::var(DYNAMODB_ENDPOINT_VAR).expect("scripts/test starts the DynamoDB emulator");
    let data = tempfile::tempdir().unwrap();
    let prefix = format!("l{}-", ulid::Ulid::new());
    let config = paas_core::Config {
        store: paas_core::config::StoreKind::Dynamodb,
        dynamodb_endpoint: Some(endpoint.clone()),
        table_prefix: prefix.clone(),
        ..Default::default()
    };
    paas_core::state::dynamo_store(&config, &paas_core::aws::ambient(&config).await)
        .create_tables(paas_core::store::tables::ALL)
        .await
        .unwrap();
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

    let read =
        |rx| async move { String::from_utf8_lossy(&paas_tests::lambda_emulator::collect(rx).await).into_owned() };
    // The auth function first: it creates the signing keys the others verify with.
    let auth = Function::start("auth", &env).await;
    let (status, jwks) = auth.call("GET", "/.well-known/jwks.json", None, None).await;
    assert_eq!((status, jwks["keys"].as_array().map(Vec::len)), (200, Some(1)));
    // API Gateway takes every header from multiValueHeaders, and a JSON body as text.
    let event = paas_tests::lambda_emulator::rest_event("GET", "/api/v1/nowhere", None, None);
    let proxied: serde_json::Value = serde_json::from_str(&read(auth.invoke(event)).await).unwrap();
    assert_eq!((&proxied["statusCode"], &proxied["isBase64Encoded"]), (&json!(404), &json!(false)), "{proxied}");
    assert_eq!(proxied["multiValueHeaders"]["content-type"], json!(["application/problem+json"]));
    assert_eq!(proxied["multiValueHeaders"]["x-request-id"].as_array().map(Vec::len), Some(1));
    let problem: serde_json::Value = serde_json::from_str(proxied["body"].as_str().unwrap()).unwrap();
    assert_eq!(problem["code"], "not_found");
    let (admin, agents, platform, sessions, chat) = (
        Function::start("admin", &env).await,
        Function::start("agents", &env).await,
        Function::start("platform", &env).await,
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
    let (status, tenant) = admin.call("GET", "/api/v1/tenant", Some(&token), None).await;
    assert_eq!((status, tenant["slug"].as_str()), (200, Some("acme")));
    let (status, catalog) = agents.call("GET", "/api/v1/catalog", Some(&token), None).await;
    assert_eq!((status, catalog["agents"].as_array().is_some_and(|a| !a.is_empty())), (200, true), "{catalog}");
    // A tenant's admin is no platform operator.
    let (status, problem) = platform.call("GET", "/api/platform/tenants", Some(&token), None).await;
    assert_eq!((status, problem["code"].as_str()), (403, Some("forbidden")), "{problem}");
    let (status, session) =
        sessions.call("POST", "/api/v1/sessions", Some(&token), Some(json!({"title": "Over Lambda"}))).await;
    assert_eq!(status, 201, "{session}");
    let session_id = session["session_id"].as_str().unwrap().to_owned();

    // A Function URL event, answered through response streaming.
    let body = json!({"message": "Hello over Lambda", "session_id": session_id});
    let event = paas_tests::lambda_emulator::function_url_post("/api/v1/chat/completions", &token, &body);
    let mut rx = chat.invoke(event);
    let mut chunks = Vec::new();
    while let Some(chunk) = tokio::time::timeout(Duration::from_secs(30), rx.recv()).await.expect("the stream goes on")
    {
        chunks.push(chunk);
    }
    let raw: Vec<u8> = chunks.iter().flat_map(|c| c.bytes.to_vec()).collect();
    let (prelude, body) =
        paas_tests::lambda_emulator::split_stream(&raw).expect("a metadata prelude, then 8 NUL bytes");
    assert_eq!(prelude["statusCode"], 200);
    assert_eq!(prelude["headers"]["content-type"], "text/event-stream");
    let frames = crate::chat::parse_sse(&String::from_utf8_lossy(body));
    crate::chat::assert_well_formed(&frames);
    assert!(crate::chat::answer_text(&frames).starts_with("[offline]"));
    assert_eq!(crate::chat::done(&frames)["session_id"], session_id.as_str());
    let spread = chunks.last().unwrap().at - chunks.first().unwrap().at;
    assert!(chunks.len() > 5 && spread > Duration::from_millis(100), "{} chunks over {spread:?}", chunks.len());

    let (status, messages) =
        sessions.call("GET", &format!("/api/v1/sessions/{session_id}/messages"), Some(&token), None).await;
    assert_eq!((status, messages["items"].as_array().map(Vec::len)), (200, Some(2)));

    // The REST API's authorizer: Allow with the tenant for the token, API Gateway's Unauthorized without one.
    let authorizer = Function::start("authorizer", &env).await;
    let answer = |headers: serde_json::Value| {
        authorizer.invoke(json!({
            "type": "REQUEST", "methodArn": "arn:aws:execute-api:us-east-1:000000000000:api/dev/GET/api/v1/tenant",
            "resource": "/api/v1/tenant", "path": "/api/v1/tenant", "httpMethod": "GET", "headers": headers,
            "requestContext": {"accountId": "000000000000", "apiId": "api", "stage": "dev"}
        }))
    };
    let allowed: serde_json::Value =
        serde_json::from_str(&read(answer(json!({"Authorization": format!("Bearer {token}")}))).await).unwrap();
    assert_eq!(allowed["policyDocument"]["Statement"][0]["Effect"], "Allow", "{allowed}");
    assert_eq!(allowed["context"]["tenant_id"], tenant["tenant_id"]);
    assert!(read(answer(json!({}))).await.contains("Unauthorized"));
    drop((auth, admin, agents, platform, sessions, chat, authorizer));
}

/// A streamed response is many small writes to the Runtime API (the prelude,
/// 8 NUL bytes, then each frame). With Nagle's algorithm on, each would wait
/// for the last one's ACK, which the Runtime API may delay by ~40 ms: the
/// client the runtime builds (as `lambda_runtime::Runtime::new` does) keeps
/// its connection with `TCP_NODELAY`.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn the_runtime_api_connection_sends_each_write_at_once() {
    use std::os::fd::BorrowedFd;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let runtime_api = listener.local_addr().unwrap();
    let app = axum::Router::new().route("/2018-06-01/runtime/invocation/next", axum::routing::get(|| async { "{}" }));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let client = lambda_runtime_api_client::PooledClient::builder()
        .with_endpoint(format!("http://{runtime_api}").parse().unwrap())
        .with_pool_size(1)
        .build();
    let next = http::Request::get("/2018-06-01/runtime/invocation/next")
        .body(lambda_runtime_api_client::body::Body::empty())
        .unwrap();
    assert_eq!(client.call(next).await.unwrap().status(), 200);

    // The connection stays in the client's pool: find it among this process's sockets.
    let nodelay: Vec<bool> = std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .filter_map(|entry| entry.unwrap().file_name().to_str()?.parse::<i32>().ok())
        .filter_map(|fd| {
            // SAFETY: under a threaded runner another test may close the descriptor
            // meanwhile; the two calls below only read, so a stale one fails them or
            // asks another socket (whose peer is not this test's Runtime API).
            let fd = unsafe { BorrowedFd::borrow_raw(fd) };
            let socket = socket2::SockRef::from(&fd);
            let peer = socket.peer_addr().ok()?.as_socket()?;
            if peer != runtime_api {
                return None;
            }
            socket.tcp_nodelay().ok()
        })
        .collect();
    assert_eq!(nodelay, [true], "one connection to the Runtime API, with Nagle's algorithm off");
}
