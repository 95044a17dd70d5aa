//! AWS Secrets Manager: one secret per name, its id prefixed so that stacks
//! sharing an account stay apart and IAM policies can grant by prefix.
//!
//! A function opens it as its IAM policy allows ([`OpenAwsSecrets`]), and
//! its binary links only those calls: admin, sessions, chat and the
//! authorizer read; auth also writes; agents also deletes (a provider key
//! or tool secret taken away); platform also lists (a tenant's deletion).

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use anyhow::Context;
use aws_sdk_secretsmanager::Client;
use aws_sdk_secretsmanager::error::DisplayErrorContext;
use aws_sdk_secretsmanager::types::{Filter, FilterNameStringType};

use super::{DynSecrets, SecretStore};

/// Opens Secrets Manager with a client and the secrets' id prefix:
/// [`AwsSecrets::full`], [`AwsSecrets::read_write`] or [`AwsSecrets::read_only`].
pub type OpenAwsSecrets = fn(Client, String) -> DynSecrets;

#[derive(Clone)]
pub struct AwsSecrets {
    client: Client,
    prefix: String,
}

impl AwsSecrets {
    fn new(client: Client, prefix: String) -> Self {
        Self { client, prefix }
    }

    /// Reads, writes, lists and deletes (platform, which deletes a tenant's
    /// secrets with the tenant, and `paas`).
    pub fn full(client: Client, prefix: String) -> DynSecrets {
        std::sync::Arc::new(Self::new(client, prefix))
    }

    /// Reads, writes and deletes by name, without listing (agents, which
    /// sets and clears a tenant's provider key and tool secrets).
    pub fn read_write_delete(client: Client, prefix: String) -> DynSecrets {
        std::sync::Arc::new(Limited::<true, true>(Self::new(client, prefix)))
    }

    /// Reads and writes (auth, which creates and rotates the signing keys).
    pub fn read_write(client: Client, prefix: String) -> DynSecrets {
        std::sync::Arc::new(Limited::<true, false>(Self::new(client, prefix)))
    }

    /// Reads only (`GetSecretValue`).
    pub fn read_only(client: Client, prefix: String) -> DynSecrets {
        std::sync::Arc::new(Limited::<false, false>(Self::new(client, prefix)))
    }

    fn id(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    async fn read(&self, name: &str) -> anyhow::Result<Option<String>> {
        let id = self.id(name);
        match self.client.get_secret_value().secret_id(&id).send().await {
            Ok(out) => {
                out.secret_string.map(Some).with_context(|| format!("secret {id} holds binary data, not a string"))
            }
            Err(err) if err.as_service_error().is_some_and(|e| e.is_resource_not_found_exception()) => Ok(None),
            Err(err) => {
                Err(anyhow::anyhow!("{}", DisplayErrorContext(err))).with_context(|| format!("reading secret {id}"))
            }
        }
    }

    async fn write(&self, name: &str, value: &str) -> anyhow::Result<()> {
        let id = self.id(name);
        if self.put_value(&id, value).await? {
            return Ok(());
        }
        match self.client.create_secret().name(&id).secret_string(value).send().await {
            Ok(_) => Ok(()),
            // Created concurrently by someone else: replace their value, as a put would have.
            Err(err) if err.as_service_error().is_some_and(|e| e.is_resource_exists_exception()) => {
                anyhow::ensure!(self.put_value(&id, value).await?, "secret {id} vanished while being created");
                Ok(())
            }
            Err(err) => {
                Err(anyhow::anyhow!("{}", DisplayErrorContext(err))).with_context(|| format!("creating secret {id}"))
            }
        }
    }

    async fn remove(&self, name: &str) -> anyhow::Result<()> {
        let id = self.id(name);
        match self.client.delete_secret().secret_id(&id).force_delete_without_recovery(true).send().await {
            Ok(_) => Ok(()),
            Err(err) if err.as_service_error().is_some_and(|e| e.is_resource_not_found_exception()) => Ok(()),
            Err(err) => {
                Err(anyhow::anyhow!("{}", DisplayErrorContext(err))).with_context(|| format!("deleting secret {id}"))
            }
        }
    }

    async fn put_value(&self, id: &str, value: &str) -> anyhow::Result<bool> {
        match self.client.put_secret_value().secret_id(id).secret_string(value).send().await {
            Ok(_) => Ok(true),
            Err(err) if err.as_service_error().is_some_and(|e| e.is_resource_not_found_exception()) => Ok(false),
            Err(err) => Err(anyhow::anyhow!("{}", DisplayErrorContext(err))),
        }
        .with_context(|| format!("putting secret {id}"))
    }
}

impl fmt::Debug for AwsSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AwsSecrets").field("prefix", &self.prefix).finish_non_exhaustive()
    }
}

#[async_trait::async_trait]
impl SecretStore for AwsSecrets {
    async fn get(&self, name: &str) -> anyhow::Result<Option<String>> {
        self.read(name).await
    }

    async fn put(&self, name: &str, value: &str) -> anyhow::Result<()> {
        self.write(name, value).await
    }

    async fn list(&self, prefix: &str, page: Option<String>) -> anyhow::Result<(Vec<String>, Option<String>)> {
        let by_name = Filter::builder().key(FilterNameStringType::Name).values(self.id(prefix)).build();
        let out = self
            .client
            .list_secrets()
            .filters(by_name)
            .max_results(100)
            .set_next_token(page)
            .send()
            .await
            .map_err(|err| anyhow::anyhow!("{}", DisplayErrorContext(err)))
            .with_context(|| format!("listing secrets under {}", self.id(prefix)))?;
        // The name filter matches prefixes regardless of case; only ours, exactly, count.
        let names = out
            .secret_list()
            .iter()
            .filter_map(|secret| secret.name()?.strip_prefix(self.prefix.as_str()))
            .filter(|name| name.starts_with(prefix))
            .map(str::to_owned)
            .collect();
        Ok((names, out.next_token))
    }

    async fn delete(&self, name: &str) -> anyhow::Result<()> {
        self.remove(name).await
    }
}

/// Secrets Manager without listing, without writing unless `WRITES` and
/// without deleting unless `DELETES`: a binary links only the calls its
/// function may make.
#[derive(Debug)]
struct Limited<const WRITES: bool, const DELETES: bool>(AwsSecrets);

/// A call to Secrets Manager under way.
type Call<'a> = Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send + 'a>>;

impl<const WRITES: bool, const DELETES: bool> Limited<WRITES, DELETES> {
    // Plain functions, not async ones: the compiler drops a call the function may not make, and
    // with it the SDK's code for that call. Inside an async body the call's state would stay.
    fn write<'a>(&'a self, name: &'a str, value: &'a str) -> Call<'a> {
        if WRITES { Box::pin(self.0.write(name, value)) } else { refuse("write", name) }
    }

    fn remove<'a>(&'a self, name: &'a str) -> Call<'a> {
        if DELETES { Box::pin(self.0.remove(name)) } else { refuse("delete", name) }
    }
}

fn refuse<'a>(call: &str, name: &str) -> Call<'a> {
    let refused = anyhow::anyhow!("this function's IAM policy does not let it {call} secrets: {name}");
    Box::pin(std::future::ready(Err(refused)))
}

#[async_trait::async_trait]
impl<const WRITES: bool, const DELETES: bool> SecretStore for Limited<WRITES, DELETES> {
    async fn get(&self, name: &str) -> anyhow::Result<Option<String>> {
        self.0.read(name).await
    }

    async fn put(&self, name: &str, value: &str) -> anyhow::Result<()> {
        self.write(name, value).await
    }

    async fn delete(&self, name: &str) -> anyhow::Result<()> {
        self.remove(name).await
    }

    async fn list(&self, prefix: &str, _: Option<String>) -> anyhow::Result<(Vec<String>, Option<String>)> {
        anyhow::bail!("this function does not list secrets; it cannot list {prefix}")
    }
}
