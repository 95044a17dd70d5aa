//! What every route shares: health, request ids, and problem+json for bad
//! requests, through the real router of each function and the local runner.

use axum::Router;
use axum::body::Body;
use axum::routing::post;
use http::{Request, StatusCode, header};
use paas_core::http::{ApiJson, finish, not_found};
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::support::TestApp;

async fn send(router: Router, request: Request<Body>) -> (StatusCode, http::HeaderMap, Value) {
    let response = router.oneshot(request).await.unwrap();
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (parts.status, parts.headers, json)
}

fn get(path: &str) -> Request<Body> {
    Request::get(path).body(Body::empty()).unwrap()
}

fn assert_problem(status: StatusCode, headers: &http::HeaderMap, body: &Value, expected: StatusCode, code: &str) {
    assert_eq!(status, expected, "{body}");
    assert_eq!(headers[header::CONTENT_TYPE], "application/problem+json");
    assert_eq!(body["status"], expected.as_u16());
    assert_eq!(body["code"], code);
    for field in ["type", "title", "detail", "request_id"] {
        assert!(body[field].is_string(), "problem lacks {field}: {body}");
    }
}

#[tokio::test]
async fn every_function_answers_healthz() {
    let app = TestApp::new().await;
    let state = app.state.clone();
    for router in [
        paas_auth::router,
        paas_admin::router,
        paas_agents_api::router,
        paas_platform::router,
        paas_sessions::router,
        paas_chat::router,
    ] {
        let (status, _, body) = send(router(state.clone()), get("/healthz")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["status"], "ok");
    }
}

/// API Gateway takes up to 10 KiB of request line and headers (a browser's
/// cookies, a long bearer token); `paas serve` must take what it takes.
#[tokio::test]
async fn paas_serve_takes_a_request_head_as_large_as_api_gateway_does() {
    let app = TestApp::new().await;
    let addr = app.serve().await;
    let get = |cookie: String| {
        reqwest::Client::new().get(format!("http://{addr}/healthz")).header(header::COOKIE, cookie).send()
    };
    let response = get(format!("prefs={}", "a".repeat(10_000))).await.expect("an answer");
    assert_eq!(response.status(), StatusCode::OK);
    // The bound holds: a head past 16 KiB is refused, not buffered.
    let response = get(format!("prefs={}", "a".repeat(20_000))).await.expect("an answer");
    assert_eq!(response.status(), StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
}

/// A caller that trickles a request's head cannot hold a connection open:
/// the server closes it once the head timeout passes.
#[tokio::test]
async fn paas_serve_closes_a_connection_whose_head_never_ends() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::new().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let timeout = std::time::Duration::from_millis(300);
    tokio::spawn(paas_cli::http_server::serve_with_head_timeout(
        listener,
        app.router.clone(),
        std::future::pending(),
        timeout,
    ));
    let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    tcp.write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n").await.unwrap();
    let mut answer = Vec::new();
    let closed = tokio::time::timeout(std::time::Duration::from_secs(5), tcp.read_to_end(&mut answer)).await;
    assert!(closed.is_ok(), "the connection is still open after 5 s");
    assert!(!String::from_utf8_lossy(&answer).contains("200 OK"), "{}", String::from_utf8_lossy(&answer));
}

#[tokio::test]
async fn unknown_routes_and_methods_are_problems_with_the_request_id() {
    let app = TestApp::new().await;
    let state = app.state.clone();
    let (status, headers, body) = send(paas_auth::router(state.clone()), get("/api/v1/nothing-here")).await;
    assert_problem(status, &headers, &body, StatusCode::NOT_FOUND, "not_found");
    assert_eq!(headers["x-request-id"], body["request_id"].as_str().unwrap(), "the header and the body name one id");

    let request = Request::post("/healthz").header("x-request-id", "client-id-42").body(Body::empty()).unwrap();
    let (status, headers, body) = send(paas_auth::router(state), request).await;
    assert_problem(status, &headers, &body, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
    assert_eq!(body["request_id"], "client-id-42", "a sane incoming request id is kept");
}

#[derive(serde::Deserialize, serde::Serialize)]
struct Greeting {
    name: String,
    count: u32,
}

/// A route with a JSON body, served the way every function serves its routes.
async fn echo_app() -> (Router, TestApp) {
    let app = TestApp::with(|config| config.max_body_bytes = 1024).await;
    let routes = Router::new()
        .route("/echo", post(|ApiJson(g): ApiJson<Greeting>| async move { axum::Json(g) }))
        .fallback(not_found);
    (finish(routes, app.state.clone()), app)
}

fn post_json(body: impl Into<Body>, content_type: Option<&str>) -> Request<Body> {
    let mut request = Request::post("/echo");
    if let Some(content_type) = content_type {
        request = request.header(header::CONTENT_TYPE, content_type);
    }
    request.body(body.into()).unwrap()
}

#[tokio::test]
async fn bad_bodies_get_4xx_problems_never_5xx() {
    let json = Some("application/json");
    let cases: Vec<(Request<Body>, StatusCode, &str)> = vec![
        (post_json("{\"name\": ", json), StatusCode::BAD_REQUEST, "bad_request"),
        (post_json(r#"{"name": "a", "count": 1"#, json), StatusCode::BAD_REQUEST, "bad_request"),
        (post_json(r#"{"name": 5, "count": 1}"#, json), StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"),
        (post_json(r#"{"name": "a", "count": -1}"#, json), StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"),
        (post_json(r#"{"name": "a"}"#, json), StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"),
        // serde reads a struct from an array of its fields; the API takes objects only.
        (post_json(r#"["a", 1]"#, json), StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"),
        (post_json(r#"{"name": "a", "count": 1.5}"#, json), StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"),
        (post_json(r#"{"name": "a", "count": 1}"#, None), StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
        (
            post_json(r#"{"name": "a", "count": 1}"#, Some("text/plain")),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            post_json(format!(r#"{{"name": "{}", "count": 1}}"#, "x".repeat(4096)), json),
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
        ),
    ];
    for (request, expected, code) in cases {
        let (router, _app) = echo_app().await;
        let (status, headers, body) = send(router, request).await;
        assert_problem(status, &headers, &body, expected, code);
    }
    let (router, _app) = echo_app().await;
    let (status, _, body) = send(router, post_json(r#"{"name": "a", "count": 2}"#, json)).await;
    assert_eq!((status, body), (StatusCode::OK, json!({"name": "a", "count": 2})), "a good body passes");
    // JSON Schema's integer includes 2.0, and so does the API's.
    let (router, _app) = echo_app().await;
    let (status, _, body) = send(router, post_json(r#"{"name": "a", "count": 2.0}"#, json)).await;
    assert_eq!((status, body), (StatusCode::OK, json!({"name": "a", "count": 2})), "2.0 is the integer 2");
}

#[tokio::test]
async fn openapi_states_every_error_as_problem_json_and_the_answers_every_operation_shares() {
    let app = TestApp::new().await;
    let spec = app.call("GET", "/openapi.json", None, None).await;
    let users = &spec.body["paths"]["/api/v1/users/{user_id}"]["patch"]["responses"];
    for status in ["400", "401", "403", "404", "409", "413", "415", "422"] {
        let content = users[status]["content"].as_object().unwrap_or_else(|| panic!("{status} is stated"));
        assert_eq!(content.keys().collect::<Vec<_>>(), ["application/problem+json"], "{status}");
    }
    let limit = &spec.body["paths"]["/api/v1/users"]["get"]["parameters"][0];
    assert_eq!(
        (limit["name"].as_str(), &limit["schema"]["minimum"], &limit["schema"]["maximum"]),
        (Some("limit"), &json!(1), &json!(100))
    );
    let logout = &spec.body["paths"]["/api/auth/logout"]["post"]["responses"];
    assert!(
        logout.get("401").is_none() && logout.get("403").is_none(),
        "an operation without a credential states neither"
    );
}

#[tokio::test]
async fn openapi_names_every_operation_once_so_generated_clients_keep_them_apart() {
    let app = TestApp::new().await;
    let spec = app.call("GET", "/openapi.json", None, None).await;
    spec.expect(200);
    let mut seen = std::collections::BTreeMap::new();
    for (path, item) in spec.body["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            let id = operation["operationId"].as_str().unwrap_or_else(|| panic!("{method} {path} has no operationId"));
            if let Some(other) = seen.insert(id.to_owned(), format!("{method} {path}")) {
                panic!("operationId {id} names both {other} and {method} {path}");
            }
        }
    }
    assert!(seen.len() >= 46, "every served route is described: {}", seen.len());
}
