use paas_core::AppState;
use paas_core::auth::keyring::Signing;
use paas_core::runtime::{self, Needs};
use paas_core::secrets::AwsSecrets;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    runtime::run_lambda(
        paas_platform::router,
        Needs { signing: Signing::VerifyOnly, secrets: AwsSecrets::full, more: AppState::with_gateway_keys },
    )
    .await
}
