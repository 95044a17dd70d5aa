//! The application state every router shares, built once per process
//! (a Lambda cold start, or the local runner's start).

use std::sync::Arc;

use anyhow::Context;
use aws_config::BehaviorVersion;

use crate::auth::api_key::{KeyHasher, generate_pepper};
use crate::auth::keyring::KeyRing;
use crate::config::{Config, SecretsKind, StoreKind};
use crate::identity::gateway_keys::GatewayKeys;
use crate::secrets::{AwsSecrets, DynSecrets, LocalSecrets, SecretStore};
use crate::store::{DynStore, DynamoStore, SqliteStore, tables};

/// The secret holding the pepper of API-key hashes.
pub const API_KEY_PEPPER_SECRET: &str = "api-key-pepper";

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub store: DynStore,
    pub secrets: DynSecrets,
    pub tokens: Arc<KeyRing>,
    pub key_hasher: Arc<KeyHasher>,
    /// One HTTP client per process, so provider connections are pooled.
    pub http: reqwest::Client,
    /// Tenants' API Gateway keys; `None` unless `PAAS_APIGW_USAGE_PLANS` is set.
    pub gateway_keys: Option<Arc<GatewayKeys>>,
}

/// Whether this process signs access tokens (the auth function, the local
/// runner) or only verifies them (every other function).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signing {
    Sign,
    VerifyOnly,
}

impl AppState {
    /// Connects to the configured backends and loads keys.
    pub async fn from_config(config: Config, signing: Signing) -> anyhow::Result<Self> {
        let store = connect_store(&config).await?;
        let secrets = connect_secrets(&config).await?;
        let refresh = std::time::Duration::from_secs(config.key_refresh_secs);
        let tokens = KeyRing::load(secrets.clone(), &config.jwt_issuer, &config.jwt_audience, signing, refresh).await?;
        let pepper = load_or_create(secrets.as_ref(), API_KEY_PEPPER_SECRET, generate_pepper).await?;
        let http = crate::llm::http_client(&config.llm_timeouts());
        let gateway_keys = GatewayKeys::from_config(&config).await?.map(Arc::new);
        Ok(Self {
            config: Arc::new(config),
            store,
            secrets,
            tokens: Arc::new(tokens),
            key_hasher: Arc::new(KeyHasher::new(pepper.as_bytes())),
            http,
            gateway_keys,
        })
    }
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

/// Opens the configured store: the SQLite file in the data directory, or DynamoDB.
pub async fn connect_store(config: &Config) -> anyhow::Result<DynStore> {
    Ok(match config.store {
        StoreKind::Sqlite => {
            create_data_dir(config)?;
            let path = config.sqlite_path();
            Arc::new(SqliteStore::open(&path, tables::ALL).with_context(|| format!("opening {}", path.display()))?)
        }
        StoreKind::Dynamodb => Arc::new(dynamo_store(config).await),
    })
}

async fn connect_secrets(config: &Config) -> anyhow::Result<DynSecrets> {
    Ok(match config.secrets {
        SecretsKind::Local => {
            create_data_dir(config)?;
            Arc::new(LocalSecrets::open(&config.data_dir)?)
        }
        SecretsKind::Aws => {
            let sdk = aws_config::defaults(BehaviorVersion::latest()).load().await;
            Arc::new(AwsSecrets::new(aws_sdk_secretsmanager::Client::new(&sdk), config.secrets_prefix.clone()))
        }
    })
}

fn create_data_dir(config: &Config) -> anyhow::Result<()> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("creating data directory {}", config.data_dir.display()))
}

/// A DynamoDB store from the ambient AWS configuration and the configured endpoint.
pub async fn dynamo_store(config: &Config) -> DynamoStore {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(endpoint) = &config.dynamodb_endpoint {
        loader = loader.endpoint_url(endpoint);
    }
    let client = aws_sdk_dynamodb::Client::new(&loader.load().await);
    DynamoStore::new(client, config.table_prefix.clone())
}
