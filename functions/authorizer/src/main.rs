//! The authorizer on Lambda: state once per cold start, then one verdict per event.

use lambda_http::aws_lambda_events::apigw::ApiGatewayCustomAuthorizerRequestTypeRequest;
use lambda_http::lambda_runtime::{self, LambdaEvent, service_fn};
use paas_authorizer::Authorizer;
use paas_shared::state::{AppState, Signing};
use paas_shared::{Config, telemetry};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    let config = Config::from_env()?;
    let traces = telemetry::init(&config);
    let authorizer = &*Box::leak(Box::new(Authorizer::new(AppState::from_config(config, Signing::VerifyOnly).await?)));
    let traces = &traces;
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<ApiGatewayCustomAuthorizerRequestTypeRequest>| async move {
            let answer = Box::pin(authorizer.handle(&event.payload)).await;
            if let Some(Err(err)) = traces.as_ref().map(|t| t.force_flush()) {
                tracing::warn!(error = %err, "could not export spans");
            }
            if let Err(paas_authorizer::AuthorizerError::Internal(err)) = &answer {
                tracing::error!(error = ?err, "authorizer failed");
            }
            answer
        },
    ))
    .await
}
