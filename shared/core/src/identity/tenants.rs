//! Tenants: profile, plan, status, settings and quota overrides (item
//! `META`), a global slug pointer that keeps slugs unique, and the counts
//! (`COUNTS`) that the user and agent quotas are enforced on.
//!
//! Deleting a tenant marks its record first ([`tombstone`]): from then on
//! it reads as missing to everyone (its users and keys are refused, the
//! operators' routes answer 404) and the writes of turns still running fail.
//! Then what lives outside our tables goes (its API Gateway keys, every
//! secret under [`secrets_prefix`]), then its partitions, and the record
//! last, so a deletion stopped by any failure is finished by a retry.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::gateway_keys::{self, GatewayKey, GatewayKeys};
use crate::domain::{DisplayName, Plan, Quota, QuotaOverrides, Quotas, Slug, TenantId, TenantStatus};
use crate::secrets::SecretStore;
use crate::store::{
    Cond, DynStore, Key, Query, StoreError, StoreResult, Update, Write, delete_partition, delete_partition_but,
    from_item, tables, to_item, tombstone,
};
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

/// Every secret the tenant owns is named under this prefix.
pub fn secrets_prefix(tenant_id: &TenantId) -> String {
    format!("tenants/{tenant_id}/")
}

/// A transaction's write that holds only while the tenant exists and is not being deleted.
pub fn check_live(tenant_id: &TenantId) -> Write {
    tombstone::check_live(&tables::TENANTS, meta_key(tenant_id))
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

/// A tenant; one being deleted is missing.
pub async fn get(store: &DynStore, tenant_id: &TenantId) -> AppResult<Option<Tenant>> {
    let item = tombstone::unless_marked(store.get(&tables::TENANTS, &meta_key(tenant_id)).await?);
    Ok(item.map(from_tenant_item).transpose()?)
}

/// A tenant as its deletion sees it: also while it is being deleted, so a retry can finish.
pub async fn get_to_delete(store: &DynStore, tenant_id: &TenantId) -> AppResult<Option<Tenant>> {
    Ok(store.get(&tables::TENANTS, &meta_key(tenant_id)).await?.map(from_tenant_item).transpose()?)
}

/// Saves a changed tenant only if nobody changed it since it was read
/// (409 otherwise, so concurrent edits never silently undo each other),
/// and never once its deletion began (404).
pub async fn save(store: &DynStore, tenant: &mut Tenant) -> AppResult<()> {
    let seen = serde_json::to_value(tenant.updated_at).map_err(AppError::internal)?;
    tenant.updated_at = Utc::now();
    let conds = [Cond::Equals("updated_at".into(), seen), Cond::Absent(tombstone::ATTR.into())];
    match store.put(&tables::TENANTS, tenant_item(tenant)?, &conds).await {
        Err(err) if err.is_condition_failed() && get(store, &tenant.tenant_id).await?.is_none() => {
            Err(AppError::NotFound)
        }
        other => Ok(other?),
    }
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
    let live = page.items.into_iter().filter(|item| !tombstone::is_marked(item));
    let tenants = live.map(from_tenant_item).collect::<StoreResult<_>>()?;
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

/// Deletes a tenant and everything it owns, in the order the module docs
/// give. Every step is idempotent, so a retry after any failure finishes the job.
pub async fn delete(
    store: &DynStore,
    secrets: &dyn SecretStore,
    gateway: Option<&GatewayKeys>,
    tenant: &Tenant,
) -> AppResult<()> {
    let tenant_id = &tenant.tenant_id;
    let tid = tenant_id.as_str();
    tombstone::mark(store.as_ref(), &tables::TENANTS, &meta_key(tenant_id)).await?;
    if let Some(gateway) = gateway {
        gateway.delete(store, tenant).await.map_err(AppError::internal)?;
    }
    crate::secrets::delete_prefixed(secrets, &secrets_prefix(tenant_id)).await.map_err(AppError::internal)?;
    // Pointers outside the tenant's partitions first, while the records naming them still exist.
    for user in crate::identity::users::list_all(store, tenant_id).await? {
        crate::identity::users::release_email_claim(store, &user).await?;
    }
    for key in crate::identity::api_keys::list_all(store, tenant_id).await? {
        store.delete(&tables::API_KEYS, &crate::identity::api_keys::pointer_key(&key.key_id), &[]).await?;
    }
    for session_id in crate::conversation::all_ids(store, tenant_id).await? {
        crate::conversation::delete(store, tenant_id, &session_id).await?;
    }
    for table in [&tables::AGENTS, &tables::API_KEYS, &tables::USERS, &tables::AUTH] {
        delete_partition(store.as_ref(), table, tid).await?;
    }
    // The slug may already name a new tenant (a retry after it was freed).
    let slug_is_ours = [Cond::equals("tenant_id", tid)];
    match store.delete(&tables::TENANTS, &slug_key(&tenant.slug), &slug_is_ours).await {
        Ok(_) | Err(StoreError::ConditionFailed { .. }) => {}
        Err(err) => return Err(err.into()),
    }
    // Usage counters, turn leases and settings; the record, which says what is left, goes last.
    let meta = meta_key(tenant_id);
    delete_partition_but(store.as_ref(), &tables::TENANTS, tid, Some(&meta)).await?;
    store.delete(&tables::TENANTS, &meta, &[]).await?;
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
