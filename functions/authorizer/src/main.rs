//! The authorizer on Lambda: state once per cold start, then one verdict per event.

use std::sync::Arc;

use lambda_http::aws_lambda_events::apigw::ApiGatewayCustomAuthorizerRequestTypeRequest;
use lambda_http::lambda_runtime::LambdaEvent;
use paas_authorizer::{Authorizer, AuthorizerError};
use paas_core::AppState;
use paas_core::auth::keyring::Signing;
use paas_core::runtime::{self, Needs};
use paas_core::secrets::AwsSecrets;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    runtime::run_events(
        |state| {
            let authorizer = Arc::new(Authorizer::new(state));
            move |event: LambdaEvent<ApiGatewayCustomAuthorizerRequestTypeRequest>| {
                let authorizer = authorizer.clone();
                async move {
                    // Boxed: the verdict's future is deep enough to overflow the compiler's layout query inline.
                    let answer = Box::pin(authorizer.handle(&event.payload)).await;
                    if let Err(AuthorizerError::Internal(err)) = &answer {
                        tracing::error!(error = ?err, "authorizer failed");
                    }
                    answer
                }
            }
        },
        Needs { signing: Signing::VerifyOnly, secrets: AwsSecrets::read_only, more: AppState::with_gateway_keys },
    )
    .await
}
