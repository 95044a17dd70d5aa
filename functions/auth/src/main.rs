#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    paas_shared::runtime::run_lambda(paas_auth::router, paas_shared::state::Signing::Sign).await
}
