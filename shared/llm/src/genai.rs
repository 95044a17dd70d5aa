//! Spans of LLM calls and tool runs, named and attributed after the
//! OpenTelemetry GenAI semantic conventions. Names, sizes and counts only:
//! never a prompt, an answer, a tool's arguments or a key.

use opentelemetry::{Array, StringValue, Value};
use tracing::Span;
use tracing::field::Empty;
use tracing_opentelemetry::OpenTelemetrySpanExt;

use paas_core::telemetry::TRACE_ONLY;

/// `chat {model}`: one call to a provider, from the request to the stream's end.
pub fn chat_span(provider: &str, model: &str, max_tokens: u32, temperature: Option<f32>) -> Span {
    tracing::info_span!(
        target: TRACE_ONLY,
        "chat",
        otel.name = %format_args!("chat {model}"),
        otel.kind = "client",
        otel.status_code = Empty,
        gen_ai.operation.name = "chat",
        // `gen_ai.system` is the older name of `gen_ai.provider.name`; backends read either.
        gen_ai.system = provider,
        gen_ai.provider.name = provider,
        gen_ai.request.model = model,
        gen_ai.request.max_tokens = i64::from(max_tokens),
        gen_ai.request.temperature = temperature.map(f64::from),
        gen_ai.usage.input_tokens = Empty,
        gen_ai.usage.output_tokens = Empty,
        error.type = Empty,
    )
}

/// `execute_tool {name}`: one tool call the model made.
pub fn tool_span(name: &str, call_id: &str) -> Span {
    tracing::info_span!(
        target: TRACE_ONLY,
        "execute_tool",
        otel.name = %format_args!("execute_tool {name}"),
        otel.status_code = Empty,
        gen_ai.operation.name = "execute_tool",
        gen_ai.tool.name = name,
        gen_ai.tool.call.id = call_id,
        error.type = Empty,
    )
}

pub fn record_usage(span: &Span, input_tokens: u64, output_tokens: u64) {
    span.record("gen_ai.usage.input_tokens", int(input_tokens));
    span.record("gen_ai.usage.output_tokens", int(output_tokens));
}

/// Counts as `i64`: the OpenTelemetry layer records unsigned fields as text.
fn int(count: u64) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}

/// The convention's value is a list (one reason per choice); `tracing` fields cannot be lists.
pub fn record_finish_reason(span: &Span, reason: &str) {
    let reasons = Array::String(vec![StringValue::from(reason.to_owned())]);
    span.set_attribute("gen_ai.response.finish_reasons", Value::Array(reasons));
}

/// Marks the span failed, with a low-cardinality `error.type` (an error code, not a message).
pub fn record_error(span: &Span, code: &'static str) {
    span.record("error.type", code);
    span.record("otel.status_code", "error");
}
