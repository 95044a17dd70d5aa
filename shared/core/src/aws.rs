//! The AWS SDK's configuration. On Lambda a function takes its region and
//! credentials from the environment Lambda sets (`AWS_REGION`,
//! `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), which
//! is where the SDK's default chain would find them first, without the rest
//! of that chain (profiles, IMDS, STS, SSO): less code in each binary and
//! less work in each cold start. `paas` commands and the local runner, which
//! may run on a developer's machine, use the whole chain.

use anyhow::Context;
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_types::SdkConfig;
use aws_types::region::Region;

use crate::config::{Config, SecretsKind, StoreKind};

pub use aws_config::BehaviorVersion;

/// The configuration Lambda's environment gives a function.
pub fn from_lambda_environment() -> anyhow::Result<SdkConfig> {
    let var = |name: &str| std::env::var(name).with_context(|| format!("{name} is not set (Lambda sets it)"));
    let credentials = Credentials::new(
        var("AWS_ACCESS_KEY_ID")?,
        var("AWS_SECRET_ACCESS_KEY")?,
        std::env::var("AWS_SESSION_TOKEN").ok(),
        None,
        "lambda-environment",
    );
    Ok(SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(var("AWS_REGION")?))
        .credentials_provider(SharedCredentialsProvider::new(credentials))
        .build())
}

/// The SDK's default chain, loaded only when the configuration uses AWS at
/// all: looking for a region on a machine without one may wait on IMDS.
pub async fn ambient(config: &Config) -> SdkConfig {
    let uses_aws =
        config.store == StoreKind::Dynamodb || config.secrets == SecretsKind::Aws || config.apigw_usage_plans.is_some();
    if uses_aws {
        aws_config::defaults(BehaviorVersion::latest()).load().await
    } else {
        SdkConfig::builder().behavior_version(BehaviorVersion::latest()).build()
    }
}
