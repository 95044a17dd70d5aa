//! Secret storage for signing keys, the API-key pepper and tenants' LLM
//! provider keys: AWS Secrets Manager in the cloud, a private JSON file on one
//! machine. Values never reach a log or a `Debug` output.

mod aws;
mod local;

use std::sync::Arc;

pub use aws::AwsSecrets;
pub use local::LocalSecrets;

#[async_trait::async_trait]
pub trait SecretStore: Send + Sync + 'static {
    async fn get(&self, name: &str) -> anyhow::Result<Option<String>>;
    /// Creates or replaces.
    async fn put(&self, name: &str, value: &str) -> anyhow::Result<()>;
    /// Deleting a missing secret is a no-op.
    async fn delete(&self, name: &str) -> anyhow::Result<()>;
}

pub type DynSecrets = Arc<dyn SecretStore>;
