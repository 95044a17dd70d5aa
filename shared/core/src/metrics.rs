//! The platform's metrics, named in one place, and the two ways they leave the process.
//!
//! The chat code calls the typed functions below; which recorder receives them is chosen once at
//! start: the local runner calls [`install_prometheus`] and serves
//! [`PrometheusHandle::render`] at `GET /metrics`; Lambda calls [`init_emf`], which prints one
//! CloudWatch Embedded Metric Format line to stdout per update (CloudWatch Logs turns them into
//! metrics, so a short-lived function needs no exporter, agent or flush).

use std::collections::HashMap;
use std::io::{self, Write};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use metrics::{
    Counter, CounterFn, Gauge, GaugeFn, Histogram, HistogramFn, Key, KeyName, Metadata, Recorder, SharedString, Unit,
    counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram,
};
pub use metrics_exporter_prometheus::PrometheusHandle;
use metrics_exporter_prometheus::{BuildError, Matcher, PrometheusBuilder};
use serde_json::{Map, Value, json};

const CHAT_REQUESTS_TOTAL: &str = "chat_requests_total";
const CHAT_DURATION_SECONDS: &str = "chat_duration_seconds";
const ACTIVE_SESSIONS: &str = "active_sessions";
const TOKEN_USAGE_TOTAL: &str = "token_usage_total";

/// From a quick tool answer to a long agent run that hits the chat timeout.
const CHAT_DURATION_BUCKETS: [f64; 11] = [0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0];

/// Without an HTTP listener nobody drains histogram samples between scrapes, so we do.
const UPKEEP_INTERVAL: Duration = Duration::from_secs(5);

const EMF_NAMESPACE: &str = "AgentPaaS";

/// Counts one finished chat (any outcome) and records how long it took.
pub fn chat_finished(tenant_id: &str, agent_type: &str, status: &str, duration: Duration) {
    let (tenant_id, agent_type) = (tenant_id.to_owned(), agent_type.to_owned());
    counter!(
        CHAT_REQUESTS_TOTAL,
        "tenant_id" => tenant_id.clone(), "agent_type" => agent_type.clone(), "status" => status.to_owned()
    )
    .increment(1);
    histogram!(CHAT_DURATION_SECONDS, "tenant_id" => tenant_id, "agent_type" => agent_type)
        .record(duration.as_secs_f64());
}

/// Models that get a series of their own; tenants name models freely, so
/// any other name would let one tenant create unbounded series.
const KNOWN_MODELS: &[&str] = &[
    "offline",
    "gpt-4o",
    "gpt-4o-mini",
    "gpt-4.1",
    "gpt-4.1-mini",
    "gpt-4.1-nano",
    "gpt-5",
    "gpt-5-mini",
    "gpt-5-nano",
    "o3",
    "o4-mini",
    "claude-3-5-haiku-latest",
    "claude-3-7-sonnet-latest",
    "claude-sonnet-4-0",
    "claude-opus-4-0",
    "claude-sonnet-4-5",
    "claude-haiku-4-5",
    "glm-4-flash",
    "glm-4-plus",
    "glm-4.5",
    "glm-4.6",
    "deepseek-chat",
    "deepseek-reasoner",
    "llama3.2",
];

/// The label every other model is counted under.
pub const OTHER_MODEL: &str = "other";

/// The `model` label for a model name: itself when known, else [`OTHER_MODEL`].
pub fn model_label(model: &str) -> &'static str {
    KNOWN_MODELS.iter().find(|known| **known == model).copied().unwrap_or(OTHER_MODEL)
}

/// Adds the tokens one turn was charged.
pub fn tokens_used(tenant_id: &str, model: &str, tokens: u64) {
    counter!(TOKEN_USAGE_TOTAL, "tenant_id" => tenant_id.to_owned(), "model" => model_label(model)).increment(tokens);
}

/// Counts a chat as streaming until the returned guard drops, so every exit path (error,
/// client disconnect, panic) gives the session back.
pub fn session_active(tenant_id: &str) -> ActiveSession {
    let gauge = gauge!(ACTIVE_SESSIONS, "tenant_id" => tenant_id.to_owned());
    gauge.increment(1.0);
    ActiveSession(gauge)
}

/// One streaming chat in `active_sessions`; see [`session_active`].
#[must_use = "the session counts as active only while the guard lives"]
pub struct ActiveSession(Gauge);

impl Drop for ActiveSession {
    fn drop(&mut self) {
        self.0.decrement(1.0);
    }
}

/// Where metrics go; chosen once per process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SinkKind {
    /// Kept in memory and rendered as Prometheus text (local runner).
    Prometheus,
    /// Printed to stdout as CloudWatch Embedded Metric Format lines (Lambda).
    Emf,
}

/// The installed sink; the Prometheus one carries the handle that renders `GET /metrics`.
#[derive(Debug, Clone)]
pub enum MetricsSink {
    Prometheus(PrometheusHandle),
    Emf,
}

impl MetricsSink {
    fn kind(&self) -> SinkKind {
        match self {
            Self::Prometheus(_) => SinkKind::Prometheus,
            Self::Emf => SinkKind::Emf,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MetricsError {
    #[error("another metrics recorder is already installed in this process")]
    AlreadyInstalled,
    #[error("invalid Prometheus exporter configuration: {0}")]
    Prometheus(#[from] BuildError),
    #[error("could not start the metrics upkeep thread: {0}")]
    Upkeep(#[source] io::Error),
}

/// The process-wide sink. A `Mutex<Option<_>>` rather than a `OnceLock` because installing can
/// fail and `OnceLock::get_or_try_init` is unstable.
static INSTALLED: Mutex<Option<MetricsSink>> = Mutex::new(None);

/// Installs the EMF recorder (Lambda).
pub fn init_emf() -> Result<MetricsSink, MetricsError> {
    install(SinkKind::Emf, || {
        metrics::set_global_recorder(EmfRecorder::new(Arc::new(print_line)))
            .map_err(|_| MetricsError::AlreadyInstalled)?;
        Ok(MetricsSink::Emf)
    })
}

/// Installs the Prometheus recorder (the local runner), returning the handle that renders `/metrics`.
pub fn install_prometheus() -> Result<PrometheusHandle, MetricsError> {
    let sink = install(SinkKind::Prometheus, || {
        let recorder = prometheus_builder()?.build_recorder();
        let handle = recorder.handle();
        metrics::set_global_recorder(recorder).map_err(|_| MetricsError::AlreadyInstalled)?;
        let upkeep = handle.clone();
        std::thread::Builder::new()
            .name("metrics-upkeep".into())
            .spawn(move || {
                loop {
                    std::thread::sleep(UPKEEP_INTERVAL);
                    upkeep.run_upkeep();
                }
            })
            .map_err(MetricsError::Upkeep)?;
        Ok(MetricsSink::Prometheus(handle))
    })?;
    match sink {
        MetricsSink::Prometheus(handle) => Ok(handle),
        MetricsSink::Emf => Err(MetricsError::AlreadyInstalled),
    }
}

/// Installs the global recorder `build` makes, once per process. Calling it again for the same
/// kind returns the same sink (tests build several apps in one process); the other kind is an
/// error. Each kind builds its recorder in its own function, so a Lambda binary does not link
/// the Prometheus exporter.
fn install(
    kind: SinkKind,
    build: impl FnOnce() -> Result<MetricsSink, MetricsError>,
) -> Result<MetricsSink, MetricsError> {
    let mut installed = INSTALLED.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(sink) = installed.as_ref() {
        return if sink.kind() == kind { Ok(sink.clone()) } else { Err(MetricsError::AlreadyInstalled) };
    }
    let sink = build()?;
    describe();
    Ok(installed.insert(sink).clone())
}

fn prometheus_builder() -> Result<PrometheusBuilder, BuildError> {
    PrometheusBuilder::new().set_buckets_for_metric(Matcher::Full(CHAT_DURATION_SECONDS.into()), &CHAT_DURATION_BUCKETS)
}

/// `# HELP` lines for `/metrics`; the EMF recorder ignores descriptions.
fn describe() {
    describe_counter!(CHAT_REQUESTS_TOTAL, Unit::Count, "Finished chats by tenant, agent type and outcome.");
    describe_histogram!(CHAT_DURATION_SECONDS, Unit::Seconds, "Wall time of a chat, request to last event.");
    describe_gauge!(ACTIVE_SESSIONS, Unit::Count, "Chats streaming right now, by tenant.");
    describe_counter!(TOKEN_USAGE_TOTAL, Unit::Count, "LLM tokens used, by tenant and model.");
}

/// Where EMF lines go: stdout in production, a buffer in tests.
type LineOut = Arc<dyn Fn(&str) + Send + Sync>;

/// One locked write per line, so EMF lines never interleave with other stdout output.
fn print_line(line: &str) {
    // A closed stdout must not take the request down; the metric is lost either way.
    let _ = writeln!(io::stdout().lock(), "{line}");
}

/// A recorder that prints every update as one EMF line, unaggregated: CloudWatch does the sums.
struct EmfRecorder {
    /// Gauges must keep their value across registrations, because EMF carries the value, not the
    /// change.
    gauges: Mutex<HashMap<Key, Arc<EmfGauge>>>,
    out: LineOut,
}

impl EmfRecorder {
    fn new(out: LineOut) -> Self {
        Self { gauges: Mutex::default(), out }
    }

    fn series(&self, key: &Key) -> EmfSeries {
        EmfSeries { key: key.clone(), out: Arc::clone(&self.out) }
    }
}

impl Recorder for EmfRecorder {
    fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}

    fn register_counter(&self, key: &Key, _: &Metadata<'_>) -> Counter {
        Counter::from_arc(Arc::new(self.series(key)))
    }

    fn register_gauge(&self, key: &Key, _: &Metadata<'_>) -> Gauge {
        let mut gauges = self.gauges.lock().unwrap_or_else(PoisonError::into_inner);
        let gauge = gauges
            .entry(key.clone())
            .or_insert_with(|| Arc::new(EmfGauge { series: self.series(key), value: Mutex::new(0.0) }));
        Gauge::from_arc(Arc::clone(gauge))
    }

    fn register_histogram(&self, key: &Key, _: &Metadata<'_>) -> Histogram {
        Histogram::from_arc(Arc::new(self.series(key)))
    }
}

struct EmfSeries {
    key: Key,
    out: LineOut,
}

impl EmfSeries {
    fn emit(&self, value: f64) {
        let timestamp_ms = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_millis();
        (self.out)(&emf_line(&self.key, value, timestamp_ms));
    }
}

impl CounterFn for EmfSeries {
    fn increment(&self, value: u64) {
        self.emit(value as f64);
    }

    /// Not used by this platform's counters; printed as is for completeness of the recorder.
    fn absolute(&self, value: u64) {
        self.emit(value as f64);
    }
}

impl HistogramFn for EmfSeries {
    fn record(&self, value: f64) {
        self.emit(value);
    }
}

struct EmfGauge {
    series: EmfSeries,
    value: Mutex<f64>,
}

impl EmfGauge {
    /// Emits under the lock so concurrent updates print in the order they were applied.
    fn update(&self, change: impl FnOnce(f64) -> f64) {
        let mut value = self.value.lock().unwrap_or_else(PoisonError::into_inner);
        *value = change(*value);
        self.series.emit(*value);
    }
}

impl GaugeFn for EmfGauge {
    fn increment(&self, value: f64) {
        self.update(|current| current + value);
    }

    fn decrement(&self, value: f64) {
        self.update(|current| current - value);
    }

    fn set(&self, value: f64) {
        self.update(|_| value);
    }
}

/// One EMF document: the labels become both the dimension set and root members, as EMF requires.
fn emf_line(key: &Key, value: f64, timestamp_ms: u128) -> String {
    let dimensions: Vec<&str> = key.labels().map(|label| label.key()).collect();
    let mut doc = Map::new();
    doc.insert(
        "_aws".into(),
        json!({
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": EMF_NAMESPACE,
                "Dimensions": [dimensions],
                "Metrics": [{ "Name": key.name(), "Unit": emf_unit(key.name()) }],
            }],
        }),
    );
    for label in key.labels() {
        doc.insert(label.key().into(), label.value().into());
    }
    doc.insert(key.name().into(), value.into());
    Value::Object(doc).to_string()
}

/// Prometheus names carry their unit as a suffix; everything else here is a count.
fn emf_unit(name: &str) -> &'static str {
    if name.ends_with("_seconds") { "Seconds" } else { "Count" }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prometheus() -> (metrics_exporter_prometheus::PrometheusRecorder, PrometheusHandle) {
        let recorder = prometheus_builder().unwrap().build_recorder();
        let handle = recorder.handle();
        (recorder, handle)
    }

    fn emf() -> (EmfRecorder, Arc<Mutex<Vec<Value>>>) {
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&lines);
        let recorder = EmfRecorder::new(Arc::new(move |line: &str| {
            sink.lock().unwrap().push(serde_json::from_str(line).unwrap())
        }));
        (recorder, lines)
    }

    #[test]
    fn prometheus_text_has_labelled_series() {
        let (recorder, handle) = prometheus();
        metrics::with_local_recorder(&recorder, || {
            chat_finished("t1", "assistant", "ok", Duration::from_millis(1500));
            chat_finished("t1", "assistant", "ok", Duration::from_secs(3));
            tokens_used("t1", "gpt-4o-mini", 42);
        });
        let text = handle.render();
        for series in [
            r#"chat_requests_total{tenant_id="t1",agent_type="assistant",status="ok"} 2"#,
            r#"chat_duration_seconds_bucket{tenant_id="t1",agent_type="assistant",le="0.1"} 0"#,
            r#"chat_duration_seconds_bucket{tenant_id="t1",agent_type="assistant",le="2.5"} 1"#,
            r#"chat_duration_seconds_bucket{tenant_id="t1",agent_type="assistant",le="120"} 2"#,
            r#"chat_duration_seconds_sum{tenant_id="t1",agent_type="assistant"} 4.5"#,
            r#"token_usage_total{tenant_id="t1",model="gpt-4o-mini"} 42"#,
        ] {
            assert!(text.contains(series), "missing {series} in:\n{text}");
        }
    }

    #[test]
    fn tenant_chosen_model_names_share_one_series() {
        let (recorder, handle) = prometheus();
        metrics::with_local_recorder(&recorder, || {
            for n in 0..50 {
                tokens_used("t1", &format!("my-model-{n}"), 1);
            }
            tokens_used("t1", "deepseek-chat", 5);
        });
        let text = handle.render();
        assert!(text.contains(r#"token_usage_total{tenant_id="t1",model="other"} 50"#), "{text}");
        assert!(text.contains(r#"token_usage_total{tenant_id="t1",model="deepseek-chat"} 5"#), "{text}");
        assert_eq!(text.matches("token_usage_total{").count(), 2, "{text}");
    }

    #[test]
    fn active_session_gauge_goes_up_and_down() {
        let (recorder, handle) = prometheus();
        let rendered = || handle.render();
        metrics::with_local_recorder(&recorder, || {
            let first = session_active("t1");
            let second = session_active("t1");
            assert!(rendered().contains(r#"active_sessions{tenant_id="t1"} 2"#));
            drop(first);
            assert!(rendered().contains(r#"active_sessions{tenant_id="t1"} 1"#));
            drop(second);
        });
        assert!(rendered().contains(r#"active_sessions{tenant_id="t1"} 0"#));
    }

    #[test]
    fn emf_lines_have_the_aws_structure() {
        let (recorder, lines) = emf();
        metrics::with_local_recorder(&recorder, || chat_finished("t1", "assistant", "ok", Duration::from_millis(250)));
        let lines = lines.lock().unwrap();
        assert_eq!(lines.len(), 2);

        let count = &lines[0];
        assert!(count["_aws"]["Timestamp"].as_u64().is_some_and(|ms| ms > 1_600_000_000_000));
        assert_eq!(
            count["_aws"]["CloudWatchMetrics"],
            json!([{
                "Namespace": "AgentPaaS",
                "Dimensions": [["tenant_id", "agent_type", "status"]],
                "Metrics": [{ "Name": "chat_requests_total", "Unit": "Count" }],
            }])
        );
        assert_eq!(
            (&count["tenant_id"], &count["agent_type"], &count["status"]),
            (&json!("t1"), &json!("assistant"), &json!("ok"))
        );
        assert_eq!(count["chat_requests_total"], json!(1.0));

        let duration = &lines[1];
        assert_eq!(duration["_aws"]["CloudWatchMetrics"][0]["Dimensions"], json!([["tenant_id", "agent_type"]]));
        assert_eq!(duration["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Unit"], "Seconds");
        assert_eq!(duration["chat_duration_seconds"], json!(0.25));
    }

    #[test]
    fn emf_gauge_carries_the_current_value() {
        let (recorder, lines) = emf();
        metrics::with_local_recorder(&recorder, || {
            let first = session_active("t1");
            let second = session_active("t1");
            drop(first);
            drop(second);
        });
        let values: Vec<_> =
            lines.lock().unwrap().iter().map(|line| line["active_sessions"].as_f64().unwrap()).collect();
        assert_eq!(values, [1.0, 2.0, 1.0, 0.0]);
    }

    /// The only test touching the process-wide recorder; every other test uses a local one.
    #[test]
    fn install_is_idempotent_per_kind() {
        let first = install_prometheus().unwrap();
        let second = install_prometheus().unwrap();
        tokens_used("idempotent-tenant", "gpt-4o", 3);
        for handle in [first, second] {
            assert!(handle.render().contains(r#"token_usage_total{tenant_id="idempotent-tenant",model="gpt-4o"} 3"#));
        }
        assert!(matches!(init_emf(), Err(MetricsError::AlreadyInstalled)));
    }
}
