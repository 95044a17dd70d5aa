//! X-Ray propagation: the trace header Lambda and API Gateway pass on
//! (`X-Amzn-Trace-Id`, `_X_AMZN_TRACE_ID`) as the parent of our spans.

use opentelemetry::Context;
use opentelemetry::trace::TraceContextExt;
use opentelemetry_aws::trace::xray_propagator::span_context_from_str;

/// The header API Gateway, Function URLs and `lambda_http` set.
pub const HEADER: &str = "x-amzn-trace-id";

/// The segment a `Root=…;Parent=…;Sampled=…` header names, as a remote
/// parent; `None` for a malformed header. `Sampled=0` makes it a parent whose
/// children are not recorded.
pub fn parent(header: &str) -> Option<Context> {
    let span_context = span_context_from_str(header.trim())?;
    Some(Context::new().with_remote_span_context(span_context))
}
