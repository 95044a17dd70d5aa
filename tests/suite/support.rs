//! Fixtures: fresh stores on both backends, and the app on a fresh store.

use std::sync::Arc;

use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use paas_shared::store::{DynStore, DynamoStore, IndexDef, SqliteStore, TableDef, tables};
use paas_shared::{AppState, Config};

/// Where the test script started the DynamoDB emulator.
pub const DYNAMODB_ENDPOINT_VAR: &str = "PAAS_TEST_DYNAMODB_ENDPOINT";

/// A table for the contract suite, with both kinds of index and a TTL.
pub static CONTRACT: TableDef = TableDef {
    name: "contract",
    indexes: &[
        IndexDef { name: "by_owner", pk: "owner", sk: Some("rank") },
        IndexDef { name: "by_tag", pk: "tag", sk: None },
    ],
    ttl: Some(tables::TTL_ATTR),
};

fn all_tables() -> Vec<&'static TableDef> {
    tables::ALL.iter().copied().chain([&CONTRACT]).collect()
}

/// A store and whatever keeps it alive (its temporary directory).
pub struct TestStore {
    pub store: DynStore,
    _dir: Option<tempfile::TempDir>,
}

pub fn sqlite() -> TestStore {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(&dir.path().join("test.sqlite3"), &all_tables()).expect("open sqlite");
    TestStore { store: Arc::new(store), _dir: Some(dir) }
}

/// Fresh tables under a unique prefix on the emulator the test script started.
pub async fn dynamodb() -> TestStore {
    let endpoint = std::env::var(DYNAMODB_ENDPOINT_VAR).unwrap_or_else(|_| {
        panic!(
            "{DYNAMODB_ENDPOINT_VAR} is not set: run the suite through scripts/test, which starts the DynamoDB emulator"
        )
    });
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new("test", "test", None, None, "tests"))
        .build();
    let store = DynamoStore::new(aws_sdk_dynamodb::Client::from_conf(config), format!("t{}-", ulid::Ulid::new()));
    store.create_tables(&all_tables()).await.expect("create tables on the emulator");
    TestStore { store: Arc::new(store), _dir: None }
}

/// The app's state on a fresh SQLite store, with default (local) configuration.
pub fn app_state() -> (AppState, TestStore) {
    let store = sqlite();
    (AppState::new(Config::default(), store.store.clone()), store)
}
