//! How a function binary starts on Lambda: configuration, logs, traces and
//! state once per cold start, then the router behind the Lambda runtime
//! (buffered for the REST API, streaming for chat's Function URL).

use std::future::Future;
use std::task::{Context, Poll};

use aws_types::SdkConfig;
use axum::Router;
use lambda_http::lambda_runtime::layers::{OpenTelemetryFaasTrigger, OpenTelemetryLayer, TracingLayer};
use lambda_http::lambda_runtime::{Diagnostic, LambdaEvent, LambdaInvocation, Runtime, service_fn};
use lambda_http::tower::{Service, layer::layer_fn};
use opentelemetry_sdk::trace::SdkTracerProvider;

mod buffered;

use crate::auth::keyring::Signing;
use crate::secrets::OpenAwsSecrets;
use crate::telemetry::xray;
use crate::{AppState, Config, metrics, telemetry};

/// What a function's state holds beyond the common part, how it signs, and
/// what it does with secrets.
#[derive(Clone, Copy)]
pub struct Needs {
    pub signing: Signing,
    /// The Secrets Manager calls the function makes, as its IAM policy allows
    /// ([`crate::secrets::AwsSecrets::read_only`], `read_write` or `full`).
    pub secrets: OpenAwsSecrets,
    /// Adds what only this function uses ([`AppState::with_gateway_keys`], or
    /// [`nothing_more`]); a function links only what it adds.
    pub more: fn(AppState, &SdkConfig) -> anyhow::Result<AppState>,
}

/// For [`Needs::more`]: the common state is all the function uses.
pub fn nothing_more(state: AppState, _: &SdkConfig) -> anyhow::Result<AppState> {
    Ok(state)
}

/// Configuration, logs, traces, metrics and state, once per cold start.
async fn cold_start(needs: Needs) -> Result<(AppState, Option<SdkTracerProvider>), lambda_http::Error> {
    crate::allocator::tune();
    let config = Config::from_env()?;
    let traces = telemetry::init(&config);
    metrics::init_emf()?;
    let aws = crate::aws::from_lambda_environment()?;
    let state = AppState::on_dynamodb(config, needs.signing, needs.secrets, &aws).await?;
    Ok(((needs.more)(state, &aws)?, traces))
}

/// Runs a function's router as a Lambda handler (buffered responses).
pub async fn run_lambda(router: fn(AppState) -> Router, needs: Needs) -> Result<(), lambda_http::Error> {
    let (state, traces) = cold_start(needs).await?;
    run(Runtime::new(buffered::Buffered(router(state))), traces, OpenTelemetryFaasTrigger::Http).await
}

/// Runs a function's router as a Lambda handler whose responses stream
/// (chat): each frame reaches the client as it is written.
pub async fn run_lambda_streaming(router: fn(AppState) -> Router, needs: Needs) -> Result<(), lambda_http::Error> {
    let (state, traces) = cold_start(needs).await?;
    run(lambda_http::streaming_runtime(router(state)), traces, OpenTelemetryFaasTrigger::Http).await
}

/// Runs an event handler that is not HTTP (the REST API's authorizer) with
/// the same cold start and invocation spans as the HTTP functions; `handler`
/// builds the per-event function from the state, once.
pub async fn run_events<H, F, E, R, Fut, Er>(handler: H, needs: Needs) -> Result<(), lambda_http::Error>
where
    H: FnOnce(AppState) -> F,
    F: Fn(LambdaEvent<E>) -> Fut,
    E: serde::de::DeserializeOwned + Send + std::fmt::Debug,
    R: serde::Serialize + Send,
    Fut: Future<Output = Result<R, Er>>,
    Er: Into<Diagnostic> + std::fmt::Debug,
{
    let (state, traces) = cold_start(needs).await?;
    run(Runtime::new(service_fn(handler(state))), traces, OpenTelemetryFaasTrigger::Other).await
}

/// Runs the runtime with the spans every invocation gets: the runtime's
/// (request id, X-Ray trace id, as `lambda_http::run` adds) inside the
/// invocation's (`faas.*`, parented to Lambda's X-Ray segment). Spans are
/// flushed as each invocation ends (a streamed one once its last byte is
/// sent): Lambda may freeze the process right after.
async fn run<S>(
    runtime: Runtime<S>,
    traces: Option<SdkTracerProvider>,
    trigger: OpenTelemetryFaasTrigger,
) -> Result<(), lambda_http::Error>
where
    S: Service<LambdaInvocation, Response = (), Error = lambda_http::Error>,
{
    let flush = move || {
        if let Some(Err(err)) = traces.as_ref().map(SdkTracerProvider::force_flush) {
            tracing::warn!(error = %err, "could not export spans");
        }
    };
    runtime
        .layer(TracingLayer::new())
        .layer(OpenTelemetryLayer::new(flush).with_trigger(trigger))
        .layer(layer_fn(XrayParent))
        .run()
        .await
}

/// Makes the segment Lambda opened for an invocation (`_X_AMZN_TRACE_ID`)
/// the current OpenTelemetry context while the inner layers are called, so
/// the invocation's span, created there, continues that trace.
struct XrayParent<S>(S);

impl<S: Service<LambdaInvocation>> Service<LambdaInvocation> for XrayParent<S> {
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, invocation: LambdaInvocation) -> Self::Future {
        let parent = invocation.context.xray_trace_id.as_deref().and_then(xray::parent);
        let _attached = parent.map(opentelemetry::Context::attach);
        self.0.call(invocation)
    }
}
