//! The application state every router shares, built once per process
//! (a Lambda cold start, or the local runner's start).

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use anyhow::Context;
use aws_types::SdkConfig;

use crate::auth::api_key::{KeyHasher, generate_pepper};
use crate::auth::keyring::{KeyRing, Signing};
use crate::config::{Config, SecretsKind, StoreKind};
use crate::identity::gateway_keys::GatewayKeys;
use crate::secrets::{DynSecrets, LocalSecrets, OpenAwsSecrets, SecretStore};
use crate::store::{DynStore, DynamoStore};

/// The secret holding the pepper of API-key hashes.
pub const API_KEY_PEPPER_SECRET: &str = "api-key-pepper";

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub store: DynStore,
    pub secrets: DynSecrets,
    pub tokens: Arc<KeyRing>,
    pub key_hasher: Arc<KeyHasher>,
    /// One HTTP client per process, so provider connections are pooled;
    /// built on first use, so a function that never calls out never sets up TLS for it.
    http: Arc<OnceLock<reqwest::Client>>,
    /// Tenants' API Gateway keys; `None` unless `PAAS_APIGW_USAGE_PLANS` is set
    /// and the function keeps them ([`AppState::with_gateway_keys`]).
    pub gateway_keys: Option<Arc<GatewayKeys>>,
}

impl AppState {
    /// Connects to DynamoDB and the configured secret store, and loads keys:
    /// what a function does on Lambda. (The embedded SQLite store is the
    /// local runner's: `paas-store-sqlite` opens it.)
    pub async fn on_dynamodb(
        config: Config,
        signing: Signing,
        aws_secrets: OpenAwsSecrets,
        aws: &SdkConfig,
    ) -> anyhow::Result<Self> {
        anyhow::ensure!(
            config.store == StoreKind::Dynamodb,
            "this binary stores in DynamoDB only: set PAAS_STORE=dynamodb (the local runner, `paas`, has SQLite)"
        );
        let store: DynStore = Arc::new(dynamo_store(&config, aws));
        Self::with_store(config, store, signing, aws_secrets, aws).await
    }

    /// The state over a store the caller opened; `aws` reaches Secrets
    /// Manager, opened with `aws_secrets`, when the configuration uses it.
    pub async fn with_store(
        config: Config,
        store: DynStore,
        signing: Signing,
        aws_secrets: OpenAwsSecrets,
        aws: &SdkConfig,
    ) -> anyhow::Result<Self> {
        let secrets = connect_secrets(&config, aws_secrets, aws)?;
        let refresh = Duration::from_secs(config.key_refresh_secs);
        // Side by side: on Lambda each read is a round trip to Secrets Manager within the cold start.
        let (tokens, pepper) = tokio::try_join!(
            KeyRing::load(secrets.clone(), &config.jwt_issuer, &config.jwt_audience, signing, refresh),
            load_or_create(secrets.as_ref(), API_KEY_PEPPER_SECRET, generate_pepper),
        )?;
        Ok(Self {
            config: Arc::new(config),
            store,
            secrets,
            tokens: Arc::new(tokens),
            key_hasher: Arc::new(KeyHasher::new(pepper.as_bytes())),
            http: Arc::default(),
            gateway_keys: None,
        })
    }

    /// Adds tenants' API Gateway keys, when `PAAS_APIGW_USAGE_PLANS` is set:
    /// only the functions that keep them in step call this (auth, platform,
    /// authorizer), so the others do not link the API Gateway client.
    pub fn with_gateway_keys(mut self, aws: &SdkConfig) -> anyhow::Result<Self> {
        self.gateway_keys = GatewayKeys::from_config(&self.config, aws)?.map(Arc::new);
        Ok(self)
    }

    /// The client for calls out to providers and tenant tools.
    pub fn http(&self) -> &reqwest::Client {
        self.http.get_or_init(|| http_client(Duration::from_millis(self.config.llm_connect_timeout_ms)))
    }
}

/// An HTTP client for calls out of the platform (providers, tools).
pub fn http_client(connect_timeout: Duration) -> reqwest::Client {
    crate::tls::install_provider();
    reqwest::Client::builder()
        .connect_timeout(connect_timeout)
        .user_agent(concat!("agent-paas/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("the TLS backend initialises")
}

/// Reads a secret, creating it on first start; re-reads after writing so
/// that two processes racing to create it end up using the same value.
async fn load_or_create(secrets: &dyn SecretStore, name: &str, create: fn() -> String) -> anyhow::Result<String> {
    if let Some(value) = secrets.get(name).await? {
        return Ok(value);
    }
    secrets.put(name, &create()).await?;
    secrets.get(name).await?.with_context(|| format!("secret {name} vanished after it was written"))
}

fn connect_secrets(config: &Config, aws_secrets: OpenAwsSecrets, aws: &SdkConfig) -> anyhow::Result<DynSecrets> {
    Ok(match config.secrets {
        SecretsKind::Local => {
            create_data_dir(config)?;
            Arc::new(LocalSecrets::open(&config.data_dir)?)
        }
        SecretsKind::Aws => aws_secrets(aws_sdk_secretsmanager::Client::new(aws), config.secrets_prefix.clone()),
    })
}

/// Creates the data directory (local secrets, the SQLite file) if missing.
pub fn create_data_dir(config: &Config) -> anyhow::Result<()> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("creating data directory {}", config.data_dir.display()))
}

/// A DynamoDB store on `aws`, at the configured endpoint if one is set.
pub fn dynamo_store(config: &Config, aws: &SdkConfig) -> DynamoStore {
    let mut dynamodb = aws_sdk_dynamodb::config::Builder::from(aws);
    if let Some(endpoint) = &config.dynamodb_endpoint {
        // An emulator may serve one request at a time, so under load a request can queue for
        // seconds: slow, not stalled. The SDK's stalled-stream guard would cut it off and retry
        // it, and an emulator does not recognise a retried transaction by its token as DynamoDB does.
        let patient = aws_sdk_dynamodb::config::StalledStreamProtectionConfig::disabled();
        dynamodb = dynamodb.endpoint_url(endpoint).stalled_stream_protection(patient);
    }
    DynamoStore::new(aws_sdk_dynamodb::Client::from_conf(dynamodb.build()), config.table_prefix.clone())
}
