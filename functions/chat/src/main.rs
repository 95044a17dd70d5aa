#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    paas_core::runtime::run_lambda_streaming(paas_chat::router, paas_core::auth::keyring::Signing::VerifyOnly).await
}
