//! Structured logs and traces through `tracing`: JSON lines by default, one
//! field per request id, never a secret or a message body; with
//! `PAAS_OTEL_EXPORTER=otlp`, spans also go out over OTLP/HTTP with X-Ray
//! trace ids, so they join the segments Lambda and API Gateway open.

pub mod xray;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{Protocol, WithExportConfig};
use opentelemetry_sdk::trace::{SdkTracerProvider, TracerProviderBuilder};
use tracing::Subscriber;
use tracing_subscriber::filter::{FilterExt, LevelFilter, Targets, filter_fn};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{Layer, fmt};

use crate::config::{Config, LogFormat, OtelExporter};

/// The target of spans that only traces show (the GenAI spans): logs keep
/// the request span as their context, with its request id.
pub const TRACE_ONLY: &str = "paas::trace";

/// Installs the global subscriber; a second call (tests) is a no-op. Answers
/// the tracer provider when spans are exported, for flushing.
pub fn init(config: &Config) -> Option<SdkTracerProvider> {
    let provider = match config.otel_exporter {
        OtelExporter::None => None,
        OtelExporter::Otlp => match otlp_provider() {
            Ok(provider) => Some(provider),
            // Logs are not up yet; a function runs without traces rather than not at all.
            Err(err) => {
                eprintln!("paas: traces disabled, the OTLP exporter failed to build: {err}");
                None
            }
        },
    };
    let traces = provider.as_ref().map(layer);
    let installed = tracing_subscriber::registry().with(log_layer(config)).with(traces).try_init();
    provider.filter(|_| installed.is_ok())
}

/// JSON or compact lines on stderr, filtered by `PAAS_LOG`.
fn log_layer<S>(config: &Config) -> impl Layer<S>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    // `Targets` (`info`, `paas=debug,info`) rather than `EnvFilter`, whose span and field
    // directives would link a regex engine into every function.
    let filter: Targets = config.log.parse().unwrap_or_else(|_| Targets::new().with_default(LevelFilter::INFO));
    let not_trace_only = filter_fn(|meta| !(meta.is_span() && meta.target() == TRACE_ONLY));
    let lines = fmt::layer().with_writer(std::io::stderr);
    let lines = match config.log_format {
        LogFormat::Json => lines.json().flatten_event(true).with_current_span(true).with_span_list(false).boxed(),
        // Colours only for a terminal: a redirected log stays plain text.
        LogFormat::Pretty => lines.compact().with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr())).boxed(),
    };
    lines.with_filter(filter.and(not_trace_only))
}

/// The layer that turns `tracing` spans (info and above) into OpenTelemetry
/// spans of `provider`. Tests put it in a local subscriber over an in-memory exporter.
pub fn layer<S>(provider: &SdkTracerProvider) -> impl Layer<S> + use<S>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    tracing_opentelemetry::layer()
        .with_tracer(provider.tracer("agent-paas"))
        .with_threads(false)
        .with_filter(LevelFilter::INFO)
}

/// A tracer provider whose trace ids X-Ray accepts (they start with the epoch
/// second); the caller adds the exporter. Resource attributes come from the
/// standard variables (`OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`).
pub fn provider_builder() -> TracerProviderBuilder {
    SdkTracerProvider::builder().with_id_generator(opentelemetry_aws::trace::XrayIdGenerator::default())
}

/// Batches spans to the OTLP/HTTP endpoint the standard variables name
/// (`OTEL_EXPORTER_OTLP_ENDPOINT`, default `http://localhost:4318`: the
/// collector layer on Lambda). The batch runs on its own thread, which is
/// why the exporter's client is reqwest's blocking one.
fn otlp_provider() -> Result<SdkTracerProvider, opentelemetry_otlp::ExporterBuildError> {
    crate::tls::install_provider();
    let exporter =
        opentelemetry_otlp::SpanExporter::builder().with_http().with_protocol(Protocol::HttpBinary).build()?;
    Ok(provider_builder().with_batch_exporter(exporter).build())
}
