//! The tenant's LLM provider: provider, model, base URL and a write-only API
//! key (kept in the secret store), and a connection test.

use std::time::Instant;

use axum::Json;
use axum::extract::State;
use chrono::Utc;
use paas_core::auth::permission::Permission;
use paas_core::auth::principal::Caller;
use paas_core::domain::TextRule;
use paas_core::http::ApiJson;
use paas_core::{AppError, AppResult, AppState};
use paas_llm::net_guard;
use paas_llm::settings::{self, LlmSettings};
use paas_llm::{ChatMessage, ChatRequest, ProviderKind};
use serde::{Deserialize, Serialize};

#[utoipa::path(get, path = "/api/v1/tenant/llm", tag = "tenant", security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = LlmSettings), (status = 403, body = paas_core::http::Problem)))]
pub async fn get_llm(State(state): State<AppState>, caller: Caller) -> AppResult<Json<LlmSettings>> {
    caller.require(Permission::TenantManage)?;
    Ok(Json(settings::get(&state.store, caller.tenant_id()).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutLlm {
    pub provider: ProviderKind,
    /// The provider's default model when absent.
    #[serde(default)]
    #[schema(schema_with = paas_llm::model_name_schema)]
    pub model: Option<String>,
    /// Required for `openai_compatible`; optional for presets (blank is
    /// absent). It must lead to an address the network policy allows.
    #[serde(default)]
    #[schema(schema_with = base_url_schema)]
    pub base_url: Option<String>,
    /// Write-only. Absent keeps the stored key, unless `base_url` changes: a
    /// stored key never follows a new address (409 `secret_required`). An
    /// empty string removes it. OpenAI, Zhipu, DeepSeek and Anthropic need
    /// one, given now or before (409 `api_key_required`).
    #[serde(default)]
    #[schema(schema_with = api_key_schema)]
    pub api_key: Option<String>,
}

const API_KEY: TextRule = TextRule::line(4096);

fn api_key_schema() -> utoipa::openapi::Schema {
    API_KEY.schema(true)
}

fn base_url_schema() -> utoipa::openapi::Schema {
    let schema = serde_json::json!({ "type": ["string", "null"], "pattern": "^(https?://.*|\\s*)$" });
    serde_json::from_value(schema).expect("a valid schema")
}

/// The description of a [`PutLlm`]: `openai_compatible` comes with a `base_url`.
pub struct PutLlmRequest;

impl utoipa::PartialSchema for PutLlmRequest {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
        use utoipa::openapi::schema::{AllOfBuilder, AnyOfBuilder, ObjectBuilder, Type};
        let presets: Vec<_> = ProviderKind::ALL
            .into_iter()
            .filter(|p| *p != ProviderKind::OpenAiCompatible)
            .map(ProviderKind::as_str)
            .collect();
        let preset = ObjectBuilder::new()
            .property("provider", ObjectBuilder::new().schema_type(Type::String).enum_values(Some(presets)));
        let url = ObjectBuilder::new().schema_type(Type::String).pattern(Some("^https?://"));
        let with_url = ObjectBuilder::new().property("base_url", url).required("base_url");
        AllOfBuilder::new()
            .item(<PutLlm as utoipa::PartialSchema>::schema())
            .item(AnyOfBuilder::new().item(preset).item(with_url))
            .into()
    }
}

impl utoipa::ToSchema for PutLlmRequest {
    fn schemas(schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::Schema>)>) {
        <PutLlm as utoipa::ToSchema>::schemas(schemas);
    }
}

#[utoipa::path(put, path = "/api/v1/tenant/llm", tag = "tenant", security(("bearer" = []), ("api_key" = [])),
    request_body = PutLlmRequest,
    responses((status = 200, body = LlmSettings),
        (status = 409, description = "`secret_required`: a changed base_url without the api_key; `api_key_required`: the provider has no key", body = paas_core::http::Problem),
        (status = 422, description = "invalid settings", body = paas_core::http::Problem)))]
pub async fn put_llm(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<PutLlm>,
) -> AppResult<Json<LlmSettings>> {
    caller.require(Permission::TenantManage)?;
    let tenant_id = caller.tenant_id();
    // Each provider keeps its own key: one left out stays as it was for this provider.
    let current = settings::get_for(&state.store, tenant_id, body.provider).await?.unwrap_or_else(LlmSettings::offline);
    let model = body.model.unwrap_or_else(|| body.provider.default_model().to_owned());
    paas_llm::MODEL_NAME.check("model", &model)?;
    let base_url = body.base_url.filter(|u| !u.trim().is_empty());
    if body.provider == ProviderKind::OpenAiCompatible && base_url.is_none() {
        return Err(AppError::Validation("openai_compatible needs a base_url".into()));
    }
    if let Some(url) = settings::guarded_url(body.provider, base_url.as_deref()) {
        net_guard::check_url(&url, &net_guard::policy(&state.config))
            .await
            .map_err(|e| AppError::Validation(e.to_string()))?;
    }
    let key = body.api_key.as_deref().map(str::trim);
    if let Some(key) = body.api_key.as_deref() {
        API_KEY.check("api_key", key)?;
    }
    // A key was given to one host: sending it to another needs the admin to give it again.
    if key.is_none() && current.api_key_set && base_url != current.base_url {
        return Err(AppError::secret_required(
            "a new base_url needs the api_key again (or an empty api_key to remove it)",
        ));
    }
    let (api_key_set, api_key_last4) = match key {
        Some("") => (false, None),
        Some(key) => (true, Some(settings::last4(key))),
        None => (current.api_key_set, current.api_key_last4),
    };
    if body.provider.needs_api_key() && !api_key_set {
        return Err(AppError::ConflictCode {
            code: "api_key_required",
            detail: format!("the {} provider needs an api_key", provider_name(body.provider)),
        });
    }
    // Only now, with everything checked, does the stored key change.
    let secret = settings::key_secret_name(tenant_id, body.provider);
    match key {
        Some("") => state.secrets.delete(&secret).await.map_err(AppError::internal)?,
        Some(key) => state.secrets.put(&secret, key).await.map_err(AppError::internal)?,
        None => {}
    }
    let settings = LlmSettings {
        provider: body.provider,
        model,
        base_url,
        api_key_set,
        api_key_last4,
        updated_at: Some(Utc::now()),
    };
    settings::save(&state.store, tenant_id, &settings).await?;
    tracing::info!(tenant_id = %tenant_id, provider = provider_name(settings.provider), "LLM settings changed");
    Ok(Json(settings))
}

fn provider_name(kind: ProviderKind) -> String {
    kind.as_str().to_owned()
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LlmTest {
    pub ok: bool,
    pub provider: String,
    pub model: String,
    pub latency_ms: u64,
    /// The start of the model's answer, when it answered.
    pub reply: Option<String>,
    /// What went wrong, when it did (`code` as in the chat stream's `error` event).
    pub error: Option<LlmTestError>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LlmTestError {
    pub code: &'static str,
    pub message: String,
}

/// Asks the configured provider for a tiny answer; the result is data
/// (200 either way), since a failing provider is what the test is for.
#[utoipa::path(post, path = "/api/v1/tenant/llm/test", tag = "tenant", security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = LlmTest), (status = 403, body = paas_core::http::Problem)))]
pub async fn test_llm(State(state): State<AppState>, caller: Caller) -> AppResult<Json<LlmTest>> {
    caller.require(Permission::TenantManage)?;
    let connected = settings::connect(&state, caller.tenant_id(), None).await?;
    let (provider, model, provider_label) = (connected.provider, connected.model, provider_name(connected.kind));
    let request = ChatRequest {
        model: model.clone(),
        messages: vec![ChatMessage::user("Reply with the single word: OK")],
        max_tokens: 16,
        temperature: Some(0.0),
        tools: Vec::new(),
    };
    let started = Instant::now();
    let result = provider.complete(request).await;
    let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    Ok(Json(match result {
        Ok(done) => LlmTest {
            ok: true,
            provider: provider_label,
            model,
            latency_ms,
            reply: Some(done.text.chars().take(200).collect()),
            error: None,
        },
        Err(err) => LlmTest {
            ok: false,
            provider: provider_label,
            model,
            latency_ms,
            reply: None,
            error: Some(LlmTestError { code: err.code(), message: err.to_string() }),
        },
    }))
}
