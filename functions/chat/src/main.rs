#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    paas_shared::runtime::run_lambda_streaming(paas_chat::router, paas_shared::state::Signing::VerifyOnly).await
}
