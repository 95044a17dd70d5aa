//! The application state every router shares, built once per process
//! (a Lambda cold start, or the local runner's start).

use std::sync::Arc;

use anyhow::Context;
use aws_config::BehaviorVersion;

use crate::config::{Config, StoreKind};
use crate::store::{DynStore, DynamoStore, SqliteStore, tables};

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub store: DynStore,
}

impl AppState {
    pub fn new(config: Config, store: DynStore) -> Self {
        Self { config: Arc::new(config), store }
    }

    /// Connects to the configured backends.
    pub async fn from_config(config: Config) -> anyhow::Result<Self> {
        let store = connect_store(&config).await?;
        Ok(Self::new(config, store))
    }
}

/// Opens the configured store: the SQLite file in the data directory, or DynamoDB.
pub async fn connect_store(config: &Config) -> anyhow::Result<DynStore> {
    Ok(match config.store {
        StoreKind::Sqlite => {
            std::fs::create_dir_all(&config.data_dir)
                .with_context(|| format!("creating data directory {}", config.data_dir.display()))?;
            let path = config.sqlite_path();
            Arc::new(SqliteStore::open(&path, tables::ALL).with_context(|| format!("opening {}", path.display()))?)
        }
        StoreKind::Dynamodb => Arc::new(dynamo_store(config).await),
    })
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
