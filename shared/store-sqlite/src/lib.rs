//! The embedded backend: one SQLite file in WAL mode, one SQL table per
//! table definition ([`sql`]). Concurrent writes are grouped into one
//! commit while readers read, each on its caller's thread ([`connections`]).
//! Writes run in `BEGIN IMMEDIATE` transactions, so conditions and counters
//! hold across processes too.
//!
//! [`connect`] opens whichever store the configuration names, this one
//! included; Lambda binaries, which do not link this crate, have DynamoDB only.

mod connections;
mod sql;

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;

use anyhow::Context;
use aws_types::SdkConfig;
use paas_core::auth::keyring::Signing;
use paas_core::config::StoreKind;
use paas_core::secrets::AwsSecrets;
use paas_core::state::{create_data_dir, dynamo_store};
use paas_core::store::{DynStore, tables};
use paas_core::{AppState, Config};

use paas_core::store::{
    Cond, Item, Key, Page, Query, Store, StoreResult, TableDef, Update, Write, check_update, check_writes,
};

use connections::Connections;

/// The configured store: the SQLite file in the data directory, or DynamoDB.
pub fn connect(config: &Config, aws: &SdkConfig) -> anyhow::Result<DynStore> {
    Ok(match config.store {
        StoreKind::Sqlite => {
            create_data_dir(config)?;
            let path = config.sqlite_path();
            Arc::new(SqliteStore::open(&path, tables::ALL).with_context(|| format!("opening {}", path.display()))?)
        }
        StoreKind::Dynamodb => Arc::new(dynamo_store(config, aws)),
    })
}

/// The application state over the configured store (SQLite or DynamoDB).
pub async fn app_state(config: Config, signing: Signing) -> anyhow::Result<AppState> {
    let aws = paas_core::aws::ambient(&config).await;
    let store = connect(&config, &aws)?;
    AppState::with_store(config, store, signing, AwsSecrets::full, &aws).await?.with_gateway_keys(&aws)
}

#[derive(Clone)]
pub struct SqliteStore {
    connections: Arc<Connections>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and its tables.
    pub fn open(path: &Path, tables: &[&TableDef]) -> StoreResult<Self> {
        let schema: String = tables.iter().map(|table| sql::schema(table)).collect();
        Ok(Self { connections: Arc::new(Connections::open(path, &schema)?) })
    }

    async fn write(&self, writes: Vec<Write>, transact: bool) -> StoreResult<Vec<Option<Item>>> {
        self.connections.write(writes, transact).await
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn get(&self, table: &'static TableDef, key: &Key) -> StoreResult<Option<Item>> {
        self.connections.read(|conn| sql::read(conn, table, key))
    }

    async fn put(&self, table: &'static TableDef, item: Item, conds: &[Cond]) -> StoreResult<()> {
        self.write(vec![Write::Put { table, item, conds: conds.to_vec() }], false).await.map(drop)
    }

    async fn update(&self, table: &'static TableDef, key: &Key, update: &Update, conds: &[Cond]) -> StoreResult<Item> {
        check_update(update)?;
        let writes = vec![Write::Update { table, key: key.clone(), update: update.clone(), conds: conds.to_vec() }];
        let mut results = self.write(writes, false).await?;
        Ok(results.pop().flatten().expect("an update answers its item"))
    }

    async fn delete(&self, table: &'static TableDef, key: &Key, conds: &[Cond]) -> StoreResult<Option<Item>> {
        let writes = vec![Write::Delete { table, key: key.clone(), conds: conds.to_vec() }];
        Ok(self.write(writes, false).await?.pop().flatten())
    }

    async fn query(&self, query: &Query) -> StoreResult<Page> {
        query.check()?;
        self.connections.read(|conn| sql::run_query(conn, query))
    }

    async fn transact(&self, writes: Vec<Write>) -> StoreResult<()> {
        check_writes(&writes)?;
        self.write(writes, true).await.map(drop)
    }

    fn backend_name(&self) -> &'static str {
        "sqlite"
    }
}
