//! API keys of a tenant: records (hash, scopes, expiry, last use) in the
//! tenant's partition, and a global pointer from key id to tenant so a
//! presented key finds its record with two consistent reads.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::auth::api_key::{ApiKeyId, KeyHasher, NewApiKey, PresentedKey};
use crate::domain::{DisplayName, Quota, Scope, TenantId, UserId};
use crate::identity::tenants::{self, Tenant};
use crate::store::keys;
use crate::store::{Cond, DynStore, Key, Query, StoreError, StoreResult, Update, Write, from_item, tables, to_item};
use crate::{AppError, AppResult};

/// How stale `last_used_at` may get before a request refreshes it: recording
/// every use would put a write on every request.
const LAST_USED_PRECISION: chrono::Duration = chrono::Duration::minutes(5);

/// A stored key. The API answers [`ApiKeyView`]; the hash never leaves.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ApiKeyRecord {
    pub key_id: ApiKeyId,
    pub tenant_id: TenantId,
    pub name: DisplayName,
    pub scopes: Vec<Scope>,
    pub hash: String,
    pub last4: String,
    pub created_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ApiKeyView {
    #[schema(value_type = String)]
    pub key_id: ApiKeyId,
    pub name: DisplayName,
    pub scopes: Vec<Scope>,
    /// The key's visible start and its last four characters, to recognise it.
    pub prefix: String,
    pub last4: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

impl From<&ApiKeyRecord> for ApiKeyView {
    fn from(record: &ApiKeyRecord) -> Self {
        Self {
            key_id: record.key_id.clone(),
            name: record.name.clone(),
            scopes: record.scopes.clone(),
            prefix: crate::auth::api_key::display_prefix(&record.key_id),
            last4: record.last4.clone(),
            created_at: record.created_at,
            expires_at: record.expires_at,
            last_used_at: record.last_used_at,
        }
    }
}

impl ApiKeyRecord {
    fn key(&self) -> Key {
        keys::api_key(&self.tenant_id, &self.key_id)
    }

    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_some_and(|at| at <= now)
    }
}

#[derive(Serialize, Deserialize)]
struct Pointer {
    tenant_id: TenantId,
}

/// Creates a key within the tenant's API-key quota (each one is kept until
/// revoked, and a tenant's deletion reads them all); answers its record and
/// the full key, which is shown once.
pub async fn create(
    store: &DynStore,
    hasher: &KeyHasher,
    tenant: &Tenant,
    name: DisplayName,
    scopes: Vec<Scope>,
    expires_at: Option<DateTime<Utc>>,
    created_by: Option<UserId>,
) -> AppResult<(ApiKeyRecord, NewApiKey)> {
    let tenant_id = &tenant.tenant_id;
    let max_keys = tenant.quotas().max_api_keys;
    count_earlier_keys(store, tenant_id).await?;
    let new_key = NewApiKey::generate();
    let record = ApiKeyRecord {
        key_id: new_key.id.clone(),
        tenant_id: tenant_id.clone(),
        name,
        scopes,
        hash: hasher.hash(&new_key.full),
        last4: new_key.last4.clone(),
        created_by,
        created_at: Utc::now(),
        expires_at,
        last_used_at: None,
    };
    let pointer = Pointer { tenant_id: tenant_id.clone() };
    store
        .transact(vec![
            Write::Put {
                table: &tables::API_KEYS,
                item: to_item(&record.key(), &record)?,
                conds: vec![Cond::NotExists],
            },
            Write::Put {
                table: &tables::API_KEYS,
                item: to_item(&keys::api_key_pointer(&record.key_id), &pointer)?,
                conds: vec![Cond::NotExists],
            },
            // Not into a tenant being deleted: its deletion has listed its keys already.
            tenants::check_live(tenant_id),
            tenants::take_count(tenant_id, Quota::ApiKeys, max_keys),
        ])
        .await
        .map_err(|err| match err {
            StoreError::ConditionFailed { write: Some(2) } => AppError::NotFound,
            StoreError::ConditionFailed { write: Some(3) } => tenants::quota_error(Quota::ApiKeys, max_keys),
            err => err.into(),
        })?;
    Ok((record, new_key))
}

/// Finds the live record a presented key belongs to, or nothing (unknown,
/// wrong secret, expired). The caller still checks the tenant's status.
pub async fn authenticate(
    store: &DynStore,
    hasher: &KeyHasher,
    presented: &PresentedKey,
) -> AppResult<Option<ApiKeyRecord>> {
    let Some(pointer) = store.get(&tables::API_KEYS, &keys::api_key_pointer(presented.id())).await? else {
        return Ok(None);
    };
    let pointer: Pointer = from_item(pointer)?;
    let Some(item) = store.get(&tables::API_KEYS, &keys::api_key(&pointer.tenant_id, presented.id())).await? else {
        return Ok(None);
    };
    let record: ApiKeyRecord = from_item(item)?;
    let now = Utc::now();
    if !hasher.verify(presented, &record.hash) || record.is_expired(now) {
        return Ok(None);
    }
    if record.last_used_at.is_none_or(|at| now - at > LAST_USED_PRECISION) {
        record_use(store, &record, now).await;
    }
    Ok(Some(record))
}

/// Records a use; a failure costs only precision, so it is logged, not raised.
async fn record_use(store: &DynStore, record: &ApiKeyRecord, now: DateTime<Utc>) {
    let update = Update::default().set("last_used_at", serde_json::to_value(now).unwrap_or_default());
    if let Err(err) = store.update(&tables::API_KEYS, &record.key(), &update, &[Cond::Exists]).await
        && !err.is_condition_failed()
    {
        tracing::warn!(error = %err, key_id = record.key_id.as_str(), "could not record API key use");
    }
}

pub async fn list(
    store: &DynStore,
    tenant_id: &TenantId,
    limit: usize,
    cursor: Option<crate::store::Cursor>,
) -> AppResult<(Vec<ApiKeyRecord>, Option<String>)> {
    Ok(store
        .query(&Query::partition(&tables::API_KEYS, tenant_id.as_str()).limit(limit).after(cursor))
        .await?
        .typed()?)
}

pub(crate) async fn list_all(store: &DynStore, tenant_id: &TenantId) -> AppResult<Vec<ApiKeyRecord>> {
    let items =
        crate::store::query_all(store.as_ref(), Query::partition(&tables::API_KEYS, tenant_id.as_str()).limit(500))
            .await?;
    Ok(items.into_iter().map(from_item).collect::<StoreResult<Vec<ApiKeyRecord>>>()?)
}

/// Keys made before keys were counted count too.
async fn count_earlier_keys(store: &DynStore, tenant_id: &TenantId) -> AppResult<()> {
    let keys = Query::partition(&tables::API_KEYS, tenant_id.as_str()).limit(500);
    tenants::count_earlier(store, tenant_id, Quota::ApiKeys, keys).await
}

/// Revokes a key at once: its record and pointer go.
pub async fn revoke(store: &DynStore, tenant_id: &TenantId, key_id: &ApiKeyId) -> AppResult<()> {
    count_earlier_keys(store, tenant_id).await?;
    let writes = vec![
        Write::Delete { table: &tables::API_KEYS, key: keys::api_key(tenant_id, key_id), conds: vec![Cond::Exists] },
        Write::Delete { table: &tables::API_KEYS, key: keys::api_key_pointer(key_id), conds: vec![] },
        tenants::release_count(tenant_id, Quota::ApiKeys),
    ];
    store.transact(writes).await.map_err(AppError::missing_if_condition_failed)
}
