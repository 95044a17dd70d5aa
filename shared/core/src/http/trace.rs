//! The request's span: HTTP semantic-convention fields, the tenant once its
//! credential is verified, and the X-Ray trace the request continues.

use axum::extract::{MatchedPath, Request};
use axum::http::StatusCode;
use opentelemetry::trace::TraceContextExt;
use tracing::Span;
use tracing::field::Empty;
use tracing_opentelemetry::OpenTelemetrySpanExt;

use crate::domain::TenantId;
use crate::telemetry::xray;

/// The span a request is handled in, named `{method} {route}` after the
/// matched route template (never the raw path, whose ids would make every
/// request its own name).
pub fn request_span(request: &Request, request_id: &str) -> Span {
    let method = request.method().as_str();
    let route = request.extensions().get::<MatchedPath>().map(MatchedPath::as_str);
    let span = tracing::info_span!(
        "request",
        otel.name = %route.map_or_else(|| method.to_owned(), |route| format!("{method} {route}")),
        otel.kind = "server",
        otel.status_code = Empty,
        request_id,
        http.request.method = method,
        http.route = route,
        url.path = request.uri().path(),
        http.response.status_code = Empty,
        tenant.id = Empty,
    );
    // On Lambda the invocation's span, already parented to Lambda's segment,
    // is the parent; elsewhere (the local runner) the header's trace is.
    let header = || request.headers().get(xray::HEADER)?.to_str().ok().and_then(xray::parent);
    if let Some(parent) = header().filter(|_| !opentelemetry::Context::current().has_active_span()) {
        // Fails only when no OpenTelemetry layer is installed: nothing to join then.
        let _ = span.set_parent(parent);
    }
    span
}

/// The answer's status on the request's span; a 5xx marks it failed.
pub fn record_status(span: &Span, status: StatusCode) {
    span.record("http.response.status_code", i64::from(status.as_u16()));
    if status.is_server_error() {
        span.record("otel.status_code", "error");
    }
}

/// Adds the verified caller's tenant to the span of the request being handled.
pub fn record_tenant(tenant: &TenantId) {
    Span::current().record("tenant.id", tenant.as_str());
}
