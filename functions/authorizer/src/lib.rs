//! The REST API's Lambda REQUEST authorizer.
//!
//! It verifies the request's credential with the same code every function
//! uses ([`verify_headers`]: an access token against our keys, or one of our
//! API keys from `Authorization: Bearer` or `X-API-Key`), then answers:
//!
//! - **Allow**, with context `tenant_id` and, as `usageIdentifierKey`, the
//!   tenant's API Gateway key, so API Gateway throttles and meters the
//!   tenant on its plan's usage plan. Operators get the platform key.
//! - **Deny** (403) for a suspended tenant.
//! - **Unauthorized** (401) for anything else: no credential, a forged or
//!   expired token, a revoked key.
//!
//! It only meters and rejects early. Every function still verifies the
//! credential and re-reads the user and tenant on every request, so
//! revocations stay immediate there whatever this authorizer answered.
//!
//! **Caching.** Verdicts are cached in the process for [`CACHE_TTL`], keyed
//! on a SHA-256 of the identity headers (`Authorization`, `X-API-Key`). Not
//! in API Gateway's authorizer cache: with caching on, API Gateway answers
//! 401 without calling the authorizer when any identity source is missing,
//! and a caller sends exactly one of the two headers. Caching is safe for the
//! reason above (the functions re-check everything); its cost is that for up
//! to the TTL a revoked credential still reaches the functions (which refuse
//! it) and a reactivated tenant is still denied here. Only verified
//! credentials are cached, so random tokens cannot fill the cache.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use lambda_http::aws_lambda_events::apigw::{
    ApiGatewayCustomAuthorizerPolicy, ApiGatewayCustomAuthorizerRequestTypeRequest, ApiGatewayCustomAuthorizerResponse,
};
use lambda_http::aws_lambda_events::iam::{IamPolicyEffect, IamPolicyStatement};
use paas_core::auth::principal::{Actor, Authenticated, verify_headers};
use paas_core::identity::PLATFORM;
use paas_core::identity::gateway_keys::GatewayKeys;
use paas_core::{AppError, AppState};

/// The event API Gateway sends a REQUEST authorizer, and the answer.
pub use lambda_http::aws_lambda_events::apigw::{
    ApiGatewayCustomAuthorizerRequestTypeRequest as Request, ApiGatewayCustomAuthorizerResponse as Response,
};

/// How long a verdict is reused for the same identity headers.
pub const CACHE_TTL: Duration = Duration::from_secs(30);

/// Past this many cached verdicts, expired ones are dropped (and, if that is
/// not enough, all of them): memory stays bounded.
const CACHE_MAX: usize = 10_000;

/// What the authorizer decided about one credential.
#[derive(Clone, PartialEq, Eq)]
pub enum Verdict {
    Allow {
        /// The user or API key id.
        principal_id: String,
        /// The tenant, or `PLATFORM` for an operator.
        tenant_id: String,
        /// The API Gateway key value to meter on (`usageIdentifierKey`).
        usage_key: Option<String>,
    },
    /// A verified credential of a suspended tenant.
    Deny,
}

/// Never shows the usage key's value: it would meter someone else's traffic on the tenant.
impl std::fmt::Debug for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Allow { principal_id, tenant_id, usage_key } => f
                .debug_struct("Allow")
                .field("principal_id", principal_id)
                .field("tenant_id", tenant_id)
                .field("usage_key", &usage_key.as_ref().map(|_| "[redacted]"))
                .finish(),
            Self::Deny => f.write_str("Deny"),
        }
    }
}

/// Why no policy is answered.
#[derive(Debug, thiserror::Error)]
pub enum AuthorizerError {
    /// API Gateway turns an authorizer error with exactly this message into 401.
    #[error("Unauthorized")]
    Unauthorized,
    /// An outage (storage, API Gateway): API Gateway answers 500.
    #[error("authorizer failed")]
    Internal(#[source] anyhow::Error),
}

/// API Gateway reads `errorMessage`: exactly `Unauthorized` means 401.
impl From<AuthorizerError> for lambda_http::lambda_runtime::Diagnostic {
    fn from(err: AuthorizerError) -> Self {
        let error_type = match err {
            AuthorizerError::Unauthorized => "Unauthorized",
            AuthorizerError::Internal(_) => "AuthorizerFailed",
        };
        Self { error_type: error_type.into(), error_message: err.to_string() }
    }
}

pub struct Authorizer {
    state: AppState,
    cache: Mutex<HashMap<[u8; 32], (Instant, Verdict)>>,
}

impl Authorizer {
    pub fn new(state: AppState) -> Self {
        Self { state, cache: Mutex::new(HashMap::new()) }
    }

    /// The answer to one authorizer event.
    pub async fn handle(
        &self,
        request: &ApiGatewayCustomAuthorizerRequestTypeRequest,
    ) -> Result<ApiGatewayCustomAuthorizerResponse, AuthorizerError> {
        let verdict = self.verdict(&request.headers).await?;
        let method_arn = request
            .method_arn
            .as_deref()
            .filter(|arn| !arn.is_empty())
            .ok_or_else(|| AuthorizerError::Internal(anyhow::anyhow!("the authorizer event has no methodArn")))?;
        Ok(response(&verdict, method_arn))
    }

    /// The verdict for these headers, from the cache when it is fresh.
    pub async fn verdict(&self, headers: &http::HeaderMap) -> Result<Verdict, AuthorizerError> {
        let key = cache_key(headers);
        let now = Instant::now();
        if let Some((at, verdict)) = self.lock().get(&key)
            && now.duration_since(*at) < CACHE_TTL
        {
            return Ok(verdict.clone());
        }
        let verdict = self.decide(headers).await?;
        let mut cache = self.lock();
        if cache.len() >= CACHE_MAX {
            cache.retain(|_, (at, _)| now.duration_since(*at) < CACHE_TTL);
            if cache.len() >= CACHE_MAX {
                cache.clear();
            }
        }
        cache.insert(key, (now, verdict.clone()));
        Ok(verdict)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<[u8; 32], (Instant, Verdict)>> {
        self.cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    async fn decide(&self, headers: &http::HeaderMap) -> Result<Verdict, AuthorizerError> {
        let authenticated = match verify_headers(headers, &self.state).await {
            Ok(authenticated) => authenticated,
            Err(AppError::TenantSuspended) => return Ok(Verdict::Deny),
            Err(AppError::Internal(err)) => return Err(AuthorizerError::Internal(err)),
            Err(_) => return Err(AuthorizerError::Unauthorized),
        };
        Ok(match authenticated {
            Authenticated::Tenant(caller) => {
                let principal_id = match &caller.actor {
                    Actor::User(user) => user.user_id.to_string(),
                    Actor::ApiKey(key) => key.key_id.as_str().to_owned(),
                };
                let usage_key = self.usage_key(&caller.tenant).await?;
                Verdict::Allow { principal_id, tenant_id: caller.tenant.tenant_id.to_string(), usage_key }
            }
            Authenticated::Platform(operator) => Verdict::Allow {
                principal_id: operator.user.user_id.to_string(),
                tenant_id: PLATFORM.to_owned(),
                usage_key: self.state.config.apigw_platform_key.clone(),
            },
        })
    }

    /// The tenant's API Gateway key value, provisioned or repaired first when
    /// the record shows it out of step (a sign-up or plan change whose API
    /// Gateway call failed). `None` when gateway keys are off.
    async fn usage_key(
        &self,
        tenant: &paas_core::identity::tenants::Tenant,
    ) -> Result<Option<String>, AuthorizerError> {
        let Some(gateway) = &self.state.gateway_keys else { return Ok(None) };
        if GatewayKeys::in_step(tenant)
            && let Some(key) = &tenant.gateway_key
        {
            return Ok(Some(key.value.expose().to_owned()));
        }
        match gateway.sync(&self.state.store, tenant).await {
            Ok(key) => {
                tracing::info!(tenant_id = %tenant.tenant_id, "provisioned the tenant's API Gateway key");
                Ok(Some(key.value.expose().to_owned()))
            }
            // A key on the old plan still meters; better than refusing the tenant.
            Err(err) if tenant.gateway_key.is_some() => {
                tracing::warn!(tenant_id = %tenant.tenant_id, error = %err, "could not repair the tenant's API Gateway key");
                Ok(tenant.gateway_key.as_ref().map(|key| key.value.expose().to_owned()))
            }
            // No key yet and API Gateway unreachable: meter on the platform key rather than
            // fail a verified caller; the platform's own quotas hold either way.
            Err(err) if self.state.config.apigw_platform_key.is_some() => {
                tracing::warn!(tenant_id = %tenant.tenant_id, error = %err, "no API Gateway key yet; metering on the platform key");
                Ok(self.state.config.apigw_platform_key.clone())
            }
            Err(err) => Err(AuthorizerError::Internal(err)),
        }
    }
}

/// SHA-256 over the identity headers, each with its name, so an
/// `Authorization` and an `X-API-Key` with the same value differ.
fn cache_key(headers: &http::HeaderMap) -> [u8; 32] {
    use ring::digest;
    let mut context = digest::Context::new(&digest::SHA256);
    for name in ["authorization", "x-api-key"] {
        context.update(name.as_bytes());
        context.update(&[0]);
        if let Some(value) = headers.get(name) {
            context.update(&[1]);
            context.update(value.as_bytes());
        }
        context.update(&[0]);
    }
    let mut key = [0u8; 32];
    key.copy_from_slice(context.finish().as_ref());
    key
}

/// The policy API Gateway applies to this request (`methodArn`: API Gateway
/// calls the authorizer per request, as its own cache is off).
pub fn response(verdict: &Verdict, method_arn: &str) -> ApiGatewayCustomAuthorizerResponse {
    let (effect, principal_id, context, usage_key) = match verdict {
        Verdict::Allow { principal_id, tenant_id, usage_key } => (
            IamPolicyEffect::Allow,
            principal_id.as_str(),
            serde_json::json!({ "tenant_id": tenant_id }),
            usage_key.clone(),
        ),
        // The gateway response for ACCESS_DENIED answers problem+json with this code.
        Verdict::Deny => (IamPolicyEffect::Deny, "suspended", serde_json::json!({ "code": "tenant_suspended" }), None),
    };
    let mut statement = IamPolicyStatement::default();
    statement.action = vec!["execute-api:Invoke".into()];
    statement.effect = effect;
    statement.resource = vec![method_arn.to_owned()];
    let mut policy = ApiGatewayCustomAuthorizerPolicy::default();
    policy.version = Some("2012-10-17".into());
    policy.statement = vec![statement];
    let mut response = ApiGatewayCustomAuthorizerResponse::default();
    response.principal_id = Some(principal_id.to_owned());
    response.policy_document = policy;
    response.context = context;
    response.usage_identifier_key = usage_key;
    response
}
