//! Tenants: profile, plan, status, settings and quota overrides (item
//! `META`), a global slug pointer that keeps slugs unique, and the counts
//! (`COUNTS`) that the user and agent quotas are enforced on.
//! Deleting one is [`super::deletion`]'s.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::gateway_key::{self, GatewayKey};
use crate::domain::{DisplayName, Plan, Quota, QuotaOverrides, Quotas, Slug, TenantId, TenantStatus};
use crate::store::keys;
use crate::store::{
    Cond, DynStore, Query, StoreError, StoreResult, Update, Write, from_item, tables, to_item, tombstone,
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
    #[schema(schema_with = allowed_hosts)]
    pub allowed_hosts: Vec<String>,
}

/// What [`TenantSettings::check`] accepts in `allowed_hosts`.
fn allowed_hosts() -> utoipa::openapi::Schema {
    let host = serde_json::json!({
        "type": "string",
        "maxLength": 253,
        "pattern": "^(\\*\\.)?[a-z0-9-]{1,63}(\\.[a-z0-9-]{1,63})*$",
    });
    serde_json::from_value(serde_json::json!({ "type": "array", "maxItems": 50, "items": host }))
        .expect("a valid schema")
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
                && host.len() <= 253
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

/// A transaction's write that holds only while the tenant exists and is not being deleted.
pub fn check_live(tenant_id: &TenantId) -> Write {
    tombstone::check_live(&tables::TENANTS, keys::tenant(tenant_id))
}

/// The tenant's stored item; `kind` puts it in the `by_kind` index.
fn tenant_item(tenant: &Tenant) -> StoreResult<crate::store::Item> {
    let mut item = to_item(&keys::tenant(&tenant.tenant_id), tenant)?;
    item.insert("kind".into(), "tenant".into());
    if let Some(key) = &tenant.gateway_key {
        let key = serde_json::to_value(key).map_err(|e| StoreError::Invalid(e.to_string()))?;
        item.insert(gateway_key::ATTR.into(), key);
    }
    Ok(item)
}

/// A tenant from its stored item, with its API Gateway key.
fn from_tenant_item(mut item: crate::store::Item) -> StoreResult<Tenant> {
    let key = item.remove(gateway_key::ATTR);
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
            item: to_item(&keys::slug(&tenant.slug), &serde_json::json!({ "tenant_id": tenant.tenant_id }))?,
            conds: vec![Cond::NotExists],
        },
    ])
}

/// Index of the slug claim within [`create_writes`], to tell a taken slug apart.
pub const SLUG_WRITE: usize = 1;

/// A tenant; one being deleted is missing.
pub async fn get(store: &DynStore, tenant_id: &TenantId) -> AppResult<Option<Tenant>> {
    let item = tombstone::unless_marked(store.get(&tables::TENANTS, &keys::tenant(tenant_id)).await?);
    Ok(item.map(from_tenant_item).transpose()?)
}

/// A tenant as its deletion sees it: also while it is being deleted, so a retry can finish.
pub async fn get_to_delete(store: &DynStore, tenant_id: &TenantId) -> AppResult<Option<Tenant>> {
    Ok(store.get(&tables::TENANTS, &keys::tenant(tenant_id)).await?.map(from_tenant_item).transpose()?)
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

/// Not every counted quota was counted from the start: the first write that
/// finds no count for `counter` records how many items `existing` selects,
/// once. A count set meanwhile wins, and no write that takes or gives back a
/// unit commits before a count is set, so the count is exact from then on.
pub async fn count_earlier(store: &DynStore, tenant_id: &TenantId, counter: Quota, existing: Query) -> AppResult<()> {
    let key = keys::tenant_counts(tenant_id);
    if store.get(&tables::TENANTS, &key).await?.is_some_and(|item| item.contains_key(counter.name())) {
        return Ok(());
    }
    // Counted page by page: what is counted need not be held.
    let (mut query, mut count) = (existing, 0);
    loop {
        let page = store.query(&query).await?;
        count += page.items.len() as i64;
        match page.next {
            Some(next) => query = query.after(Some(next)),
            None => break,
        }
    }
    let set = Update::default().set(counter.name(), count);
    match store.update(&tables::TENANTS, &key, &set, &[Cond::Absent(counter.name().into())]).await {
        Ok(_) | Err(StoreError::ConditionFailed { .. }) => Ok(()),
        Err(err) => Err(err.into()),
    }
}

/// Takes one unit of a counted quota (agents, tools, API keys) inside a transaction:
/// the write fails when the count would pass the limit.
pub fn take_count(tenant_id: &TenantId, counter: Quota, limit: u32) -> Write {
    let (update, cond) = Update::bounded_add(counter.name(), 1, i64::from(limit));
    Write::Update { table: &tables::TENANTS, key: keys::tenant_counts(tenant_id), update, conds: vec![cond] }
}

/// Gives one unit of a counted quota back.
pub fn release_count(tenant_id: &TenantId, counter: Quota) -> Write {
    Write::Update {
        table: &tables::TENANTS,
        key: keys::tenant_counts(tenant_id),
        update: Update::default().add(counter.name(), -1),
        conds: vec![],
    }
}

/// The current values of the counted quotas, read at once.
pub async fn counts<const N: usize>(
    store: &DynStore,
    tenant_id: &TenantId,
    counters: [Quota; N],
) -> AppResult<[u64; N]> {
    let item = store.get(&tables::TENANTS, &keys::tenant_counts(tenant_id)).await?;
    let value = |counter: Quota| item.as_ref().and_then(|i| i.get(counter.name())).and_then(serde_json::Value::as_u64);
    Ok(counters.map(|counter| value(counter).unwrap_or(0)))
}

/// Maps a failed quota write to the 429 it means.
pub fn quota_error(counter: Quota, limit: u32) -> AppError {
    AppError::QuotaExceeded { quota: counter, limit: u64::from(limit), reset_at: None }
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
