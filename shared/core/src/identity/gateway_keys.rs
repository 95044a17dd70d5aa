//! Each tenant's API Gateway key: what ties its requests to the usage plan
//! of its plan, so API Gateway throttles and meters it (best effort; the
//! platform's own quotas stay exact and apply whatever the plan lets through).
//!
//! The key is not a credential to our API: the REST API takes its keys from
//! the authorizer (`apiKeySourceType: AUTHORIZER`), which names a tenant's
//! key only after verifying the caller's own credential. Its value only
//! names the meter. It still stays out of responses and logs: it lives on
//! the tenant's record (`META`, attribute `gateway_key`) beside, not inside,
//! the serialized [`Tenant`], and its `Debug` is redacted.
//!
//! **The tenant record is the truth; API Gateway follows it.** [`GatewayKeys::sync`]
//! makes API Gateway match the record (a key named after the tenant id, on
//! exactly the usage plan of the tenant's plan, enabled while the tenant is
//! active) and records what it did; it is idempotent and converges from any
//! half-done state (a key created but not recorded is found again by its name).
//! Sign-up, plan and status changes call it and only log a failure, so an API
//! Gateway outage never loses a sign-up or blocks an operator. The authorizer
//! calls it again whenever the record shows the key out of step
//! ([`GatewayKeys::in_step`]), so a failed call is repaired by the tenant's next
//! request. Deleting a tenant deletes its key first and fails if that fails
//! (the deletion is retried as a whole, like the rest of it).

use aws_sdk_apigateway::config::retry::RetryConfig;
use aws_sdk_apigateway::config::timeout::TimeoutConfig;
use aws_types::SdkConfig;

pub use super::gateway_key::{ATTR, GatewayKey, GatewayKeyValue, KEY_VALUE_LEN};
use crate::Config;
use crate::domain::{Plan, TenantId, TenantStatus};
use crate::identity::tenants::Tenant;
use crate::store::keys;
use crate::store::{Cond, DynStore, Update, tables};

/// The usage plan of each tenant plan (`PAAS_APIGW_USAGE_PLANS`), by id or
/// by name. The SAM template names them: their ids cannot reach the
/// functions' environment, since the usage plans depend on the API stage,
/// the stage on the API, and the API on the functions (a cycle).
/// [`GatewayKeys`] resolves names to ids on first use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsagePlans {
    pub free: String,
    pub pro: String,
    pub enterprise: String,
}

impl UsagePlans {
    /// Parses `free=<id or name>,pro=<…>,enterprise=<…>`; every plan must be named once.
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let (mut free, mut pro, mut enterprise) = (None, None, None);
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (plan, id) = part
                .split_once('=')
                .ok_or_else(|| anyhow::anyhow!("PAAS_APIGW_USAGE_PLANS: {part:?} is not plan=usage_plan_id"))?;
            let slot = match plan.trim() {
                "free" => &mut free,
                "pro" => &mut pro,
                "enterprise" => &mut enterprise,
                other => anyhow::bail!("PAAS_APIGW_USAGE_PLANS: unknown plan {other:?}"),
            };
            let id = id.trim();
            anyhow::ensure!(!id.is_empty(), "PAAS_APIGW_USAGE_PLANS: no usage plan id for {plan}");
            anyhow::ensure!(slot.replace(id.to_owned()).is_none(), "PAAS_APIGW_USAGE_PLANS: {plan} named twice");
        }
        let missing = |plan: &str| anyhow::anyhow!("PAAS_APIGW_USAGE_PLANS names no usage plan for {plan}");
        Ok(Self {
            free: free.ok_or_else(|| missing("free"))?,
            pro: pro.ok_or_else(|| missing("pro"))?,
            enterprise: enterprise.ok_or_else(|| missing("enterprise"))?,
        })
    }

    pub fn of(&self, plan: Plan) -> &str {
        match plan {
            Plan::Free => &self.free,
            Plan::Pro => &self.pro,
            Plan::Enterprise => &self.enterprise,
        }
    }

    fn all(&self) -> [&str; 3] {
        [&self.free, &self.pro, &self.enterprise]
    }
}

/// API Gateway keys of tenants; `None` in [`crate::AppState`] when
/// `PAAS_APIGW_USAGE_PLANS` is unset.
#[derive(Debug)]
pub struct GatewayKeys {
    client: aws_sdk_apigateway::Client,
    /// As configured: ids or names.
    configured: UsagePlans,
    /// The ids, once resolved.
    ids: tokio::sync::OnceCell<UsagePlans>,
}

type SdkError<E> = aws_sdk_apigateway::error::SdkError<E>;

impl GatewayKeys {
    /// From `PAAS_APIGW_USAGE_PLANS` and `PAAS_APIGW_ENDPOINT`; `None` when the first is unset.
    pub fn from_config(config: &Config, aws: &SdkConfig) -> anyhow::Result<Option<Self>> {
        let Some(plans) = config.apigw_usage_plans.as_deref().filter(|p| !p.trim().is_empty()) else {
            return Ok(None);
        };
        let plans = UsagePlans::parse(plans)?;
        // These calls sit on sign-up and the authorizer: a hung API Gateway must fail fast
        // (the callers carry on without it), not hold a request for the SDK's defaults.
        let timeouts = TimeoutConfig::builder()
            .operation_attempt_timeout(std::time::Duration::from_secs(1))
            .operation_timeout(std::time::Duration::from_secs(2))
            .build();
        let mut apigw = aws_sdk_apigateway::config::Builder::from(aws)
            .timeout_config(timeouts)
            .retry_config(RetryConfig::standard().with_max_attempts(2));
        if let Some(endpoint) = &config.apigw_endpoint {
            apigw = apigw.endpoint_url(endpoint);
        }
        Ok(Some(Self::new(aws_sdk_apigateway::Client::from_conf(apigw.build()), plans)))
    }

    pub fn new(client: aws_sdk_apigateway::Client, plans: UsagePlans) -> Self {
        Self { client, configured: plans, ids: tokio::sync::OnceCell::new() }
    }

    /// The usage plan ids, resolving configured names on first use: each
    /// configured value must be the id or the name of exactly one usage plan.
    pub async fn plans(&self) -> anyhow::Result<&UsagePlans> {
        self.ids
            .get_or_try_init(|| async {
                let mut all = Vec::new();
                let mut position = None;
                loop {
                    let page = self.client.get_usage_plans().set_position(position).limit(500).send().await?;
                    all.extend(
                        page.items()
                            .iter()
                            .map(|p| (p.id().unwrap_or_default(), p.name().unwrap_or_default()))
                            .map(|(id, name)| (id.to_owned(), name.to_owned())),
                    );
                    match page.position() {
                        Some(next) if !next.is_empty() => position = Some(next.to_owned()),
                        _ => break,
                    }
                }
                let resolve = |wanted: &str| -> anyhow::Result<String> {
                    if all.iter().any(|(id, _)| id == wanted) {
                        return Ok(wanted.to_owned());
                    }
                    let named: Vec<&String> = all.iter().filter(|(_, name)| name == wanted).map(|(id, _)| id).collect();
                    match named.as_slice() {
                        [id] => Ok((*id).clone()),
                        [] => anyhow::bail!("no API Gateway usage plan has the id or name {wanted:?}"),
                        _ => anyhow::bail!("several API Gateway usage plans are named {wanted:?}"),
                    }
                };
                Ok(UsagePlans {
                    free: resolve(&self.configured.free)?,
                    pro: resolve(&self.configured.pro)?,
                    enterprise: resolve(&self.configured.enterprise)?,
                })
            })
            .await
    }

    /// Whether the record says API Gateway holds what the tenant needs: a
    /// key on its plan's usage plan, enabled exactly while it is active.
    pub fn in_step(tenant: &Tenant) -> bool {
        tenant
            .gateway_key
            .as_ref()
            .is_some_and(|key| key.plan == tenant.plan && key.enabled == (tenant.status == TenantStatus::Active))
    }

    /// Makes API Gateway hold what the tenant record says, records it on the
    /// tenant, and answers the key. Idempotent; see the module docs.
    pub async fn sync(&self, store: &DynStore, tenant: &Tenant) -> anyhow::Result<GatewayKey> {
        let enabled = tenant.status == TenantStatus::Active;
        // A recorded key someone deleted in API Gateway is as good as none: find or make another.
        let recorded = match &tenant.gateway_key {
            Some(key) if self.exists(&key.key_id).await? => Some(key),
            _ => None,
        };
        let (key_id, value, known_enabled) = match recorded {
            Some(key) => (key.key_id.clone(), key.value.clone(), Some(key.enabled)),
            None => match self.find(&tenant.tenant_id).await? {
                Some((id, value, was_enabled)) => (id, value, Some(was_enabled)),
                None => {
                    let value = GatewayKeyValue::generate();
                    let created = self
                        .client
                        .create_api_key()
                        .name(tenant.tenant_id.as_str())
                        .value(value.expose())
                        .enabled(enabled)
                        .send()
                        .await?;
                    let id = created.id().ok_or_else(|| anyhow::anyhow!("API Gateway answered a key without an id"))?;
                    (id.to_owned(), value, Some(enabled))
                }
            },
        };
        if known_enabled != Some(enabled) {
            self.set_enabled(&key_id, enabled).await?;
        }
        self.place(&key_id, Some(tenant.plan)).await?;
        let key = GatewayKey { key_id, value, plan: tenant.plan, enabled };
        record(store, &tenant.tenant_id, Some(&key)).await?;
        Ok(key)
    }

    /// Deletes the tenant's key: the one its record names and any other named
    /// after the tenant (two first requests through the authorizer racing to
    /// provision a missing key may each have made one). A key already gone
    /// counts as deleted.
    pub async fn delete(&self, store: &DynStore, tenant: &Tenant) -> anyhow::Result<()> {
        let mut key_ids: Vec<String> = self.named(&tenant.tenant_id).await?.into_iter().map(|(id, ..)| id).collect();
        if let Some(key) = &tenant.gateway_key
            && !key_ids.contains(&key.key_id)
        {
            key_ids.push(key.key_id.clone());
        }
        for key_id in key_ids {
            self.place(&key_id, None).await?;
            match self.client.delete_api_key().api_key(&key_id).send().await {
                Ok(_) => {}
                Err(err) if not_found(&err) => {}
                Err(err) => return Err(err.into()),
            }
        }
        record(store, &tenant.tenant_id, None).await?;
        Ok(())
    }

    async fn exists(&self, key_id: &str) -> anyhow::Result<bool> {
        match self.client.get_api_key().api_key(key_id).send().await {
            Ok(_) => Ok(true),
            Err(err) if not_found(&err) => Ok(false),
            Err(err) => Err(err.into()),
        }
    }

    /// The key named after the tenant, if one exists: (id, value, enabled).
    async fn find(&self, tenant_id: &TenantId) -> anyhow::Result<Option<(String, GatewayKeyValue, bool)>> {
        Ok(self.named(tenant_id).await?.into_iter().next())
    }

    /// Every key named after the tenant: (id, value, enabled).
    async fn named(&self, tenant_id: &TenantId) -> anyhow::Result<Vec<(String, GatewayKeyValue, bool)>> {
        let keys = self.client.get_api_keys().name_query(tenant_id.as_str()).include_values(true).send().await?;
        // The name query matches prefixes; only the exact name is the tenant's.
        Ok(keys
            .items()
            .iter()
            .filter(|k| k.name() == Some(tenant_id.as_str()))
            .filter_map(|k| {
                Some((k.id()?.to_owned(), GatewayKeyValue::from_gateway(k.value()?.to_owned()), k.enabled()))
            })
            .collect())
    }

    async fn set_enabled(&self, key_id: &str, enabled: bool) -> anyhow::Result<()> {
        use aws_sdk_apigateway::types::{Op, PatchOperation};
        let op = PatchOperation::builder().op(Op::Replace).path("/enabled").value(enabled.to_string()).build();
        self.client.update_api_key().api_key(key_id).patch_operations(op).send().await?;
        Ok(())
    }

    /// Puts the key on the usage plan of `plan` and off every other of the
    /// stack's plans (a key may be on one plan per API stage, so it leaves
    /// the old plan first); `None` takes it off all of them.
    async fn place(&self, key_id: &str, plan: Option<Plan>) -> anyhow::Result<()> {
        let plans = self.plans().await?;
        let target = plan.map(|plan| plans.of(plan));
        let on = self.client.get_usage_plans().key_id(key_id).limit(500).send().await?;
        let on: Vec<&str> = on.items().iter().filter_map(|p| p.id()).collect();
        for plan_id in plans.all() {
            if on.contains(&plan_id) && Some(plan_id) != target {
                match self.client.delete_usage_plan_key().usage_plan_id(plan_id).key_id(key_id).send().await {
                    Ok(_) => {}
                    Err(err) if not_found(&err) => {}
                    Err(err) => return Err(err.into()),
                }
            }
        }
        if let Some(target) = target.filter(|t| !on.contains(t)) {
            match self
                .client
                .create_usage_plan_key()
                .usage_plan_id(target)
                .key_id(key_id)
                .key_type("API_KEY")
                .send()
                .await
            {
                Ok(_) => {}
                Err(err) if conflict(&err) => {}
                Err(err) => return Err(err.into()),
            }
        }
        Ok(())
    }
}

fn not_found<E: aws_sdk_apigateway::error::ProvideErrorMetadata>(err: &SdkError<E>) -> bool {
    err.as_service_error().and_then(|e| e.code()) == Some("NotFoundException")
}

fn conflict<E: aws_sdk_apigateway::error::ProvideErrorMetadata>(err: &SdkError<E>) -> bool {
    err.as_service_error().and_then(|e| e.code()) == Some("ConflictException")
}

/// Writes (or clears) the tenant's key on its record, touching nothing else
/// of it (so it never undoes a concurrent edit). A tenant deleted meanwhile
/// is left deleted.
async fn record(store: &DynStore, tenant_id: &TenantId, key: Option<&GatewayKey>) -> anyhow::Result<()> {
    let update = match key {
        Some(key) => Update::default().set(ATTR, serde_json::to_value(key)?),
        None => Update::default().remove(ATTR),
    };
    match store.update(&tables::TENANTS, &keys::tenant(tenant_id), &update, &[Cond::Exists]).await {
        Ok(_) => Ok(()),
        Err(err) if err.is_condition_failed() => Ok(()),
        Err(err) => Err(err.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_plans_parse_every_plan_once() {
        let plans = UsagePlans::parse("free=a1, pro=b2,enterprise=c3").unwrap();
        assert_eq!(plans.of(Plan::Pro), "b2");
        assert!(UsagePlans::parse("free=a1,pro=b2").is_err());
        assert!(UsagePlans::parse("free=a1,pro=b2,enterprise=c3,free=d4").is_err());
        assert!(UsagePlans::parse("free=a1,pro=b2,gold=c3").is_err());
        assert!(UsagePlans::parse("free=,pro=b2,enterprise=c3").is_err());
    }

    #[test]
    fn key_values_are_long_random_and_never_debug_printed() {
        let value = GatewayKeyValue::generate();
        assert_eq!(value.expose().len(), KEY_VALUE_LEN);
        assert_ne!(value, GatewayKeyValue::generate());
        let key = GatewayKey { key_id: "k1".into(), value: value.clone(), plan: Plan::Free, enabled: true };
        assert!(!format!("{key:?} {value:?}").contains(value.expose()));
    }
}
