use paas_core::auth::keyring::Signing;
use paas_core::runtime::{self, Needs};
use paas_core::secrets::AwsSecrets;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    runtime::run_lambda(
        paas_admin::router,
        Needs { signing: Signing::VerifyOnly, secrets: AwsSecrets::read_only, more: runtime::nothing_more },
    )
    .await
}
