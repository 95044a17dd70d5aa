//! A tenant's LLM provider settings: provider, model and base URL in the
//! tenant's partition, one item per configured provider (`LLM#<provider>`)
//! and the default (`LLM`); each provider's API key in the secret store,
//! never in a table, a log or an answer (only whether one is set and its
//! last four characters). Agents may use any configured provider.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{ProviderConfig, ProviderKind, net_guard};
use paas_core::domain::TenantId;
use paas_core::secrets::SecretStore;
use paas_core::store::keys;
use paas_core::store::{DynStore, Write, from_item, tables, to_item};
use paas_core::{AppError, AppResult};

/// The stored settings, and what `GET /api/v1/tenant/llm` answers.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LlmSettings {
    pub provider: ProviderKind,
    pub model: String,
    pub base_url: Option<String>,
    pub api_key_set: bool,
    pub api_key_last4: Option<String>,
    pub updated_at: Option<DateTime<Utc>>,
}

impl LlmSettings {
    /// What a tenant that configured nothing gets: the offline provider.
    pub fn offline() -> Self {
        Self {
            provider: ProviderKind::Offline,
            model: ProviderKind::Offline.default_model().into(),
            base_url: None,
            api_key_set: false,
            api_key_last4: None,
            updated_at: None,
        }
    }
}

/// The secret that holds a tenant's key for one provider.
pub fn key_secret_name(tenant_id: &TenantId, kind: ProviderKind) -> String {
    format!("{}llm-api-key/{}", keys::tenant_secrets(tenant_id), kind.as_str())
}

/// The tenant's default provider settings (the offline provider until one is set).
pub async fn get(store: &DynStore, tenant_id: &TenantId) -> AppResult<LlmSettings> {
    match store.get(&tables::TENANTS, &keys::llm_default(tenant_id)).await? {
        Some(item) => Ok(from_item(item)?),
        None => Ok(LlmSettings::offline()),
    }
}

/// The tenant's settings for one provider, if it configured that provider
/// (the offline provider needs no configuring).
pub async fn get_for(store: &DynStore, tenant_id: &TenantId, kind: ProviderKind) -> AppResult<Option<LlmSettings>> {
    if kind == ProviderKind::Offline {
        return Ok(Some(LlmSettings::offline()));
    }
    Ok(store.get(&tables::TENANTS, &keys::llm_provider(tenant_id, kind.as_str())).await?.map(from_item).transpose()?)
}

/// Saves a provider's settings and makes it the tenant's default.
pub async fn save(store: &DynStore, tenant_id: &TenantId, settings: &LlmSettings) -> AppResult<()> {
    let writes = vec![
        Write::Put {
            table: &tables::TENANTS,
            item: to_item(&keys::llm_provider(tenant_id, settings.provider.as_str()), settings)?,
            conds: vec![],
        },
        Write::Put { table: &tables::TENANTS, item: to_item(&keys::llm_default(tenant_id), settings)?, conds: vec![] },
    ];
    store.transact(writes).await?;
    Ok(())
}

/// The last four characters of a key, for recognising it.
pub fn last4(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    chars[chars.len().saturating_sub(4)..].iter().collect()
}

/// The URL a tenant's settings make the platform call that must pass the
/// network guard: a tenant-supplied base URL, or the Ollama preset (a
/// loopback address, allowed only where the operator allows loopback).
/// The other presets are fixed public endpoints.
pub fn guarded_url(kind: ProviderKind, base_url: Option<&str>) -> Option<String> {
    match (base_url, kind) {
        (Some(url), _) => Some(url.to_owned()),
        (None, ProviderKind::Ollama) => kind.default_base_url().map(str::to_owned),
        (None, _) => None,
    }
}

/// Everything needed to call one of the tenant's providers (its default, or
/// the one an agent names), key included.
pub async fn provider_config(
    store: &DynStore,
    secrets: &dyn SecretStore,
    tenant_id: &TenantId,
    platform: &paas_core::Config,
    provider: Option<ProviderKind>,
) -> AppResult<(ProviderConfig, String)> {
    let settings = match provider {
        Some(kind) => get_for(store, tenant_id, kind).await?.ok_or_else(|| {
            AppError::Validation(format!(
                "this agent uses the {} provider, which the tenant has not configured",
                kind.as_str()
            ))
        })?,
        None => get(store, tenant_id).await?,
    };
    let api_key = if settings.api_key_set {
        secrets.get(&key_secret_name(tenant_id, settings.provider)).await.map_err(AppError::internal)?
    } else {
        None
    };
    let config = ProviderConfig {
        kind: settings.provider,
        base_url: guarded_url(settings.provider, settings.base_url.as_deref()),
        api_key,
        timeouts: crate::Timeouts::of(platform),
        retry: Default::default(),
        word_interval: crate::config::word_interval(platform.offline_words_per_second),
    };
    Ok((config, settings.model))
}

/// A tenant's provider, ready to call.
pub struct TenantProvider {
    pub provider: std::sync::Arc<dyn crate::LlmProvider>,
    pub kind: ProviderKind,
    pub model: String,
}

/// Builds the tenant's provider. A guarded URL ([`guarded_url`]) is checked
/// against the network policy now, and the connection pinned to the
/// addresses checked, so a DNS change between check and call cannot reach
/// an internal host.
pub async fn connect(
    state: &paas_core::AppState,
    tenant_id: &TenantId,
    provider: Option<ProviderKind>,
) -> AppResult<TenantProvider> {
    let (config, model) =
        provider_config(&state.store, state.secrets.as_ref(), tenant_id, &state.config, provider).await?;
    let http = match &config.base_url {
        Some(url) => {
            let policy = net_guard::policy(&state.config);
            net_guard::check_url(url, &policy)
                .await
                .map_err(|e| AppError::Validation(format!("the tenant's LLM base URL is not usable: {e}")))?;
            net_guard::shared_client(policy, config.timeouts.connect)
        }
        None => state.http().clone(),
    };
    let kind = config.kind;
    Ok(TenantProvider { provider: crate::provider(config, http), kind, model })
}
