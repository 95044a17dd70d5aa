//! Secret storage for signing keys, the API-key pepper and tenants' LLM
//! provider keys: AWS Secrets Manager in the cloud, a private JSON file on one
//! machine. Values never reach a log or a `Debug` output.

mod aws;
mod local;

use std::sync::Arc;

pub use aws::{AwsSecrets, OpenAwsSecrets};
pub use local::LocalSecrets;

#[async_trait::async_trait]
pub trait SecretStore: Send + Sync + 'static {
    async fn get(&self, name: &str) -> anyhow::Result<Option<String>>;
    /// Creates or replaces.
    async fn put(&self, name: &str, value: &str) -> anyhow::Result<()>;
    /// Deleting a missing secret is a no-op.
    async fn delete(&self, name: &str) -> anyhow::Result<()>;
    /// One page of the names that start with `prefix`, and the token of the next page, if any.
    async fn list(&self, prefix: &str, page: Option<String>) -> anyhow::Result<(Vec<String>, Option<String>)>;
}

/// Deletes every secret whose name starts with `prefix` (all of a tenant's).
/// The names are read whole before any is deleted, so no page shifts under
/// the listing; a secret already gone counts as deleted.
pub async fn delete_prefixed(secrets: &dyn SecretStore, prefix: &str) -> anyhow::Result<()> {
    let (mut names, mut page) = secrets.list(prefix, None).await?;
    while let Some(token) = page {
        let (more, next) = secrets.list(prefix, Some(token)).await?;
        names.extend(more);
        page = next;
    }
    for name in names {
        secrets.delete(&name).await?;
    }
    Ok(())
}

pub type DynSecrets = Arc<dyn SecretStore>;
