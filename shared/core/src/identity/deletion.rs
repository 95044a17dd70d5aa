//! Deleting a tenant and everything it owns. The record is marked first
//! ([`tombstone`]): from then on the tenant reads as missing to everyone
//! (its users and keys are refused, the operators' routes answer 404) and
//! the writes of turns still running fail. Then the deletion walks the key
//! catalogue's [`TENANT_DATA`] in order: what lives outside our tables (its
//! API Gateway key, its secrets), the pointers into its partitions, the
//! partitions, and the record last. Every step is idempotent, so a deletion
//! stopped by any failure is finished by a retry.

use super::gateway_keys::GatewayKeys;
use super::tenants::Tenant;
use super::{api_keys, users};
use crate::secrets::SecretStore;
use crate::store::keys::{self, TENANT_DATA, TenantData};
use crate::store::{Cond, DynStore, StoreError, delete_partition, delete_partition_but, tables, tombstone};
use crate::{AppError, AppResult};

/// Deletes a tenant and everything it owns.
pub async fn delete(
    store: &DynStore,
    secrets: &dyn SecretStore,
    gateway: Option<&GatewayKeys>,
    tenant: &Tenant,
) -> AppResult<()> {
    let tenant_id = &tenant.tenant_id;
    let tid = tenant_id.as_str();
    tombstone::mark(store.as_ref(), &tables::TENANTS, &keys::tenant(tenant_id)).await?;
    for data in TENANT_DATA {
        match *data {
            TenantData::GatewayKey => {
                if let Some(gateway) = gateway {
                    gateway.delete(store, tenant).await.map_err(AppError::internal)?;
                }
            }
            TenantData::Secrets => crate::secrets::delete_prefixed(secrets, &keys::tenant_secrets(tenant_id))
                .await
                .map_err(AppError::internal)?,
            TenantData::EmailPointers => {
                for user in users::list_all(store, tenant_id).await? {
                    users::release_email_claim(store, &user).await?;
                }
            }
            TenantData::ApiKeyPointers => {
                for key in api_keys::list_all(store, tenant_id).await? {
                    store.delete(&tables::API_KEYS, &keys::api_key_pointer(&key.key_id), &[]).await?;
                }
            }
            TenantData::SessionMessages => {
                for session_id in crate::conversation::all_ids(store, tenant_id).await? {
                    let messages = keys::session_messages(tenant_id, &session_id);
                    delete_partition(store.as_ref(), &tables::MESSAGES, &messages).await?;
                }
            }
            TenantData::Partition(table) => delete_partition(store.as_ref(), table, tid).await?,
            TenantData::Slug => {
                // The slug may already name a new tenant (a retry after it was freed).
                let slug_is_ours = [Cond::equals("tenant_id", tid)];
                match store.delete(&tables::TENANTS, &keys::slug(&tenant.slug), &slug_is_ours).await {
                    Ok(_) | Err(StoreError::ConditionFailed { .. }) => {}
                    Err(err) => return Err(err.into()),
                }
            }
            TenantData::TenantItems => {
                delete_partition_but(store.as_ref(), &tables::TENANTS, tid, Some(&keys::tenant(tenant_id))).await?
            }
            TenantData::Record => {
                store.delete(&tables::TENANTS, &keys::tenant(tenant_id), &[]).await?;
            }
        }
    }
    Ok(())
}
