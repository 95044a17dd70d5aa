//! The AWS SDK's configuration. On Lambda a function takes its region and
//! credentials from the environment Lambda sets (`AWS_REGION`,
//! `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), which
//! is where the SDK's default chain would find them first, without the rest
//! of that chain (profiles, IMDS, STS, SSO): less code in each binary and
//! less work in each cold start. `paas` commands and the local runner, which
//! may run on a developer's machine, use the whole chain.
//!
//! Either way the SDK sends its requests through [`http_client`]: reqwest,
//! the platform's one HTTP stack (HTTP/1.1 over rustls with ring and
//! compiled-in roots), instead of the SDK's own hyper client, whose HTTP/2
//! support and system root store every binary would otherwise carry.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use anyhow::Context;
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_smithy_runtime_api::client::http::{
    HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector, http_client_fn,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::http::Response;
use aws_smithy_types::body::SdkBody;
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
        .http_client(http_client())
        .build())
}

/// The SDK's default chain, loaded only when the configuration uses AWS at
/// all: looking for a region on a machine without one may wait on IMDS.
pub async fn ambient(config: &Config) -> SdkConfig {
    let uses_aws =
        config.store == StoreKind::Dynamodb || config.secrets == SecretsKind::Aws || config.apigw_usage_plans.is_some();
    if uses_aws {
        aws_config::defaults(BehaviorVersion::latest()).http_client(http_client()).load().await
    } else {
        SdkConfig::builder().behavior_version(BehaviorVersion::latest()).http_client(http_client()).build()
    }
}

/// The connect and read timeouts a connector applies.
type Timeouts = (Option<Duration>, Option<Duration>);

/// The SDK's HTTP client: one reqwest client (one connection pool) per
/// timeout setting the SDK asks for.
pub fn http_client() -> SharedHttpClient {
    let connectors: Mutex<HashMap<Timeouts, SharedHttpConnector>> = Mutex::default();
    http_client_fn(move |settings: &HttpConnectorSettings, _: &RuntimeComponents| {
        let timeouts = (settings.connect_timeout(), settings.read_timeout());
        let mut connectors = connectors.lock().unwrap_or_else(PoisonError::into_inner);
        connectors.entry(timeouts).or_insert_with(|| SharedHttpConnector::new(Reqwest::new(timeouts))).clone()
    })
}

#[derive(Debug)]
struct Reqwest(reqwest::Client);

impl Reqwest {
    fn new((connect, read): Timeouts) -> Self {
        crate::tls::install_provider();
        // The SDK sees every answer as AWS gave it (its own client follows no redirect either).
        let mut builder = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none());
        if let Some(connect) = connect {
            builder = builder.connect_timeout(connect);
        }
        if let Some(read) = read {
            builder = builder.read_timeout(read);
        }
        Self(builder.build().expect("the TLS backend initialises"))
    }
}

impl HttpConnector for Reqwest {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let client = self.0.clone();
        HttpConnectorFuture::new(async move {
            let request = request.try_into_http1x().map_err(|e| ConnectorError::user(e.into()))?;
            let (parts, body) = request.into_parts();
            // The platform calls JSON APIs only: every request body is in memory.
            let body = body.bytes().ok_or_else(|| ConnectorError::user("a streaming request body".into()))?.to_vec();
            let request = reqwest::Request::try_from(http::Request::from_parts(parts, body))
                .map_err(|e| ConnectorError::user(e.into()))?;
            let response = client.execute(request).await.map_err(|e| {
                if e.is_timeout() {
                    ConnectorError::timeout(e.into())
                } else if e.is_connect() || e.is_request() || e.is_body() {
                    ConnectorError::io(e.into())
                } else {
                    ConnectorError::other(e.into(), None)
                }
            })?;
            let response = http::Response::<reqwest::Body>::from(response).map(SdkBody::from_body_1_x);
            Response::try_from(response).map_err(|e| ConnectorError::other(e.into(), None))
        })
    }
}
