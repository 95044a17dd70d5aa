use paas_core::auth::keyring::Signing;
use paas_core::runtime::{self, Needs};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    runtime::run_lambda_streaming(
        paas_chat::router,
        Needs { signing: Signing::VerifyOnly, more: runtime::nothing_more },
    )
    .await
}
