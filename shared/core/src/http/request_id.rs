//! Request ids: taken from a sane incoming `x-request-id` (API Gateway and
//! load balancers set one) or made fresh, echoed in the response, carried by
//! the request's span (see [`super::trace`]) and by every problem body.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

pub const HEADER: &str = "x-request-id";

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being handled, if any.
pub fn current() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

fn accept(incoming: Option<&HeaderValue>) -> Option<String> {
    let text = incoming?.to_str().ok()?;
    let sane = !text.is_empty()
        && text.len() <= 128
        && text.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b));
    sane.then(|| text.to_owned())
}

/// Middleware: assigns the id, logs the request's outcome within its span.
pub async fn middleware(request: Request, next: Next) -> Response {
    let id = accept(request.headers().get(HEADER)).unwrap_or_else(|| ulid::Ulid::new().to_string());
    let span = super::trace::request_span(&request, &id);
    let started = std::time::Instant::now();
    let mut response = REQUEST_ID.scope(id.clone(), next.run(request)).instrument(span.clone()).await;
    super::trace::record_status(&span, response.status());
    let status = response.status().as_u16();
    span.in_scope(|| tracing::info!(status, latency_ms = started.elapsed().as_millis() as u64, "request handled"));
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(HEADER, value);
    }
    response
}
