//! Tenants: profile, plan, status, settings and quota overrides (item
//! `META`), a global slug pointer that keeps slugs unique, and the counts
//! (`COUNTS`) that the user and agent quotas are enforced on.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::gateway_keys::{self, GatewayKey};
use crate::domain::{DisplayName, Plan, Quota, QuotaOverrides, Quotas, Slug, TenantId, TenantStatus};
use crate::store::{Cond, DynStore, Key, Query, StoreError, StoreResult, Update, Write, from_item, tables, to_item};
use crate::{AppError, AppResult};

/// What a tenant admin may change about the workspace's behaviour.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TenantSettings {
    /// Whether users (not only admins) may create and edit agents.
    #[serde(default)]
    pub members_manage_agents: bool,
    /// Hosts the `http_get` tool may fetch from (`example.com`, or `*.example.com` for its subdomains).
    #[serde(default)]
    pub allowed_hosts: Vec<String>,
}

impl TenantSettings {
    /// Checks what an admin typed.
    pub fn check(&self) -> AppResult<()> {
        if self.allowed_hosts.len() > 50 {
            return Err(AppError::Validation("at most 50 allowed_hosts".into()));
        }
        for host in &self.allowed_hosts {
            let name = host.strip_prefix("*.").unwrap_or(host);
            let ok = !name.is_empty()
                && name.len() <= 253
                && name.split('.').all(|label| {
                    !label.is_empty()
                        && label.len() <= 63
                        && label.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                });
            if !ok {
                return Err(AppError::Validation(format!("{host:?} is not a lowercase host name (or *.host name)")));
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Tenant {
    pub tenant_id: TenantId,
    pub slug: Slug,
    pub name: DisplayName,
    pub plan: Plan,
    pub status: TenantStatus,
    #[serde(default)]
    pub settings: TenantSettings,
    #[serde(default)]
    pub quota_overrides: QuotaOverrides,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The tenant's API Gateway key (see [`gateway_keys`]). Stored on the
    /// record as its own attribute, never in this type's serialized form, so
    /// no response (they all serialize a `Tenant`) can carry it.
    #[serde(skip)]
    pub gateway_key: Option<GatewayKey>,
}

impl Tenant {
    pub fn new(slug: Slug, name: DisplayName, plan: Plan) -> Self {
        let now = Utc::now();
        Self {
            tenant_id: TenantId::generate(),
            slug,
            name,
            plan,
            status: TenantStatus::Active,
            settings: TenantSettings::default(),
            quota_overrides: QuotaOverrides::default(),
            created_at: now,
            updated_at: now,
            gateway_key: None,
        }
    }

    pub fn quotas(&self) -> Quotas {
        self.plan.quotas().with(&self.quota_overrides)
    }
}

pub fn meta_key(tenant_id: &TenantId) -> Key {
    Key::new(tenant_id.as_str(), "META")
}

fn slug_key(slug: &Slug) -> Key {
    Key::new(format!("SLUG#{}", slug.as_str()), "SLUG")
}

pub fn counts_key(tenant_id: &TenantId) -> Key {
    Key::new(tenant_id.as_str(), "COUNTS")
}

/// The tenant's stored item; `kind` puts it in the `by_kind` index.
fn tenant_item(tenant: &Tenant) -> StoreResult<crate::store::Item> {
    let mut item = to_item(&meta_key(&tenant.tenant_id), tenant)?;
    item.insert("kind".into(), "tenant".into());
    if let Some(key) = &tenant.gateway_key {
        let key = serde_json::to_value(key).map_err(|e| StoreError::Invalid(e.to_string()))?;
        item.insert(gateway_keys::ATTR.into(), key);
    }
    Ok(item)
}

/// A tenant from its stored item, with its API Gateway key.
fn from_tenant_item(mut item: crate::store::Item) -> StoreResult<Tenant> {
    let key = item.remove(gateway_keys::ATTR);
    let mut tenant: Tenant = from_item(item)?;
    tenant.gateway_key = key.and_then(|key| serde_json::from_value(key).ok());
    Ok(tenant)
}

/// The writes that create a tenant and claim its slug; the caller adds its first user.
pub fn create_writes(tenant: &Tenant) -> StoreResult<Vec<Write>> {
    Ok(vec![
        Write::Put { table: &tables::TENANTS, item: tenant_item(tenant)?, conds: vec![Cond::NotExists] },
        Write::Put {
            table: &tables::TENANTS,
            item: to_item(&slug_key(&tenant.slug), &serde_json::json!({ "tenant_id": tenant.tenant_id }))?,
            conds: vec![Cond::NotExists],
        },
    ])
}

/// Index of the slug claim within [`create_writes`], to tell a taken slug apart.
pub const SLUG_WRITE: usize = 1;

pub async fn get(store: &DynStore, tenant_id: &TenantId) -> AppResult<Option<Tenant>> {
    match store.get(&tables::TENANTS, &meta_key(tenant_id)).await? {
        Some(item) => Ok(Some(from_tenant_item(item)?)),
        None => Ok(None),
    }
}

/// Saves a changed tenant only if nobody changed it since it was read
/// (409 otherwise, so concurrent edits never silently undo each other).
pub async fn save(store: &DynStore, tenant: &mut Tenant) -> AppResult<()> {
    let seen = serde_json::to_value(tenant.updated_at).map_err(AppError::internal)?;
    tenant.updated_at = Utc::now();
    store.put(&tables::TENANTS, tenant_item(tenant)?, &[Cond::Equals("updated_at".into(), seen)]).await?;
    Ok(())
}

/// Every tenant, for platform operators, oldest first.
pub async fn list(
    store: &DynStore,
    limit: usize,
    cursor: Option<crate::store::Cursor>,
) -> AppResult<(Vec<Tenant>, Option<String>)> {
    let query = Query::partition(&tables::TENANTS, "tenant")
        .index(tables::TENANTS.index_named("by_kind"))
        .limit(limit)
        .after(cursor);
    let page = store.query(&query).await?;
    let tenants = page.items.into_iter().map(from_tenant_item).collect::<StoreResult<_>>()?;
    Ok((tenants, page.next.map(|c| c.encode())))
}

/// Takes one unit of a counted quota (users, agents) inside a transaction:
/// the write fails when the count would pass the limit.
pub fn take_count(tenant_id: &TenantId, counter: Quota, limit: u32) -> Write {
    let (update, cond) = Update::bounded_add(counter.name(), 1, i64::from(limit));
    Write::Update { table: &tables::TENANTS, key: counts_key(tenant_id), update, conds: vec![cond] }
}

/// Gives one unit of a counted quota back.
pub fn release_count(tenant_id: &TenantId, counter: Quota) -> Write {
    Write::Update {
        table: &tables::TENANTS,
        key: counts_key(tenant_id),
        update: Update::default().add(counter.name(), -1),
        conds: vec![],
    }
}

/// The current value of a counted quota.
pub async fn count(store: &DynStore, tenant_id: &TenantId, counter: Quota) -> AppResult<u64> {
    let item = store.get(&tables::TENANTS, &counts_key(tenant_id)).await?;
    Ok(item.and_then(|i| i.get(counter.name()).and_then(serde_json::Value::as_u64)).unwrap_or(0))
}

/// Maps a failed quota write to the 429 it means.
pub fn quota_error(counter: Quota, limit: u32) -> AppError {
    AppError::QuotaExceeded { quota: counter, limit: u64::from(limit), reset_at: None }
}

/// Deletes a tenant and everything it owns, partition by partition. Each
/// deletion is idempotent, so a retry after a failure finishes the job.
pub async fn delete_everything(store: &DynStore, tenant: &Tenant) -> AppResult<()> {
    let tid = tenant.tenant_id.as_str();
    // Pointers outside the tenant's partitions first, while the records naming them still exist.
    for user in crate::identity::users::list_all(store, &tenant.tenant_id).await? {
        crate::identity::users::release_email_claim(store, &user).await?;
    }
    for key in crate::identity::api_keys::list_all(store, &tenant.tenant_id).await? {
        store.delete(&tables::API_KEYS, &crate::identity::api_keys::pointer_key(&key.key_id), &[]).await?;
    }
    // Message partitions are one per session, named after it.
    let sessions = drain_keys(store, &tables::SESSIONS, tid).await?;
    for session in &sessions {
        delete_partition(store, &tables::MESSAGES, &format!("{tid}#{}", session.sk)).await?;
    }
    for table in [&tables::SESSIONS, &tables::AGENTS, &tables::API_KEYS, &tables::USERS, &tables::AUTH] {
        delete_partition(store, table, tid).await?;
    }
    store.delete(&tables::TENANTS, &slug_key(&tenant.slug), &[]).await?;
    delete_partition(store, &tables::TENANTS, tid).await?;
    Ok(())
}

async fn drain_keys(store: &DynStore, table: &'static tables::TableDef, partition: &str) -> StoreResult<Vec<Key>> {
    let items = crate::store::query_all(store.as_ref(), Query::partition(table, partition).limit(500)).await?;
    items.iter().map(crate::store::key_of).collect()
}

/// Deletes every item of one partition.
pub async fn delete_partition(store: &DynStore, table: &'static tables::TableDef, partition: &str) -> StoreResult<()> {
    for key in drain_keys(store, table, partition).await? {
        match store.delete(table, &key, &[]).await {
            Ok(_) | Err(StoreError::ConditionFailed { .. }) => {}
            Err(err) => return Err(err),
        }
    }
    Ok(())
}

/// A tenant as the API shows it: its record and its effective quotas.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TenantView {
    #[serde(flatten)]
    pub tenant: Tenant,
    pub quotas: Quotas,
}

impl From<Tenant> for TenantView {
    fn from(tenant: Tenant) -> Self {
        let quotas = tenant.quotas();
        Self { tenant, quotas }
    }
}
