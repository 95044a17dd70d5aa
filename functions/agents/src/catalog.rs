//! `GET /api/v1/catalog`: what every tenant has before defining anything
//! (built-in agents and tools), the providers it may configure with their
//! presets, and the limits forms follow. Clients read these lists here
//! rather than keeping their own copies.

use axum::Json;
use paas_agents::definition::{AgentLimits, LIMITS};
use paas_agents::{BuiltinAgent, builtins};
use paas_core::AppResult;
use paas_core::auth::principal::Caller;
use paas_core::conversation::MAX_MESSAGE_CHARS;
use paas_core::http::pagination::{DEFAULT_LIMIT, MAX_LIMIT};
use paas_llm::{ProviderKind, tools};
use serde::Serialize;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Catalog {
    pub agents: Vec<BuiltinAgent>,
    pub tools: Vec<BuiltinTool>,
    pub providers: Vec<ProviderPreset>,
    pub limits: Limits,
}

/// A tool every agent may name.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BuiltinTool {
    pub name: String,
    pub description: String,
    /// The JSON Schema of its arguments.
    #[schema(value_type = Object)]
    pub parameters: serde_json::Value,
}

/// A provider `PUT /api/v1/tenant/llm` accepts, and what it assumes when
/// nothing is given.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProviderPreset {
    pub provider: ProviderKind,
    pub label: &'static str,
    pub default_model: &'static str,
    /// Where the provider's API is when no `base_url` is given; absent where one must be given.
    pub default_base_url: Option<&'static str>,
    /// Whether it refuses to run without an API key.
    pub needs_api_key: bool,
    pub needs_base_url: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Limits {
    pub agent: AgentLimits,
    /// The most characters one chat message may have.
    pub message_chars: usize,
    /// Items per page of a list: at most `max`, `default` when `limit` is absent.
    pub page_size: PageSize,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PageSize {
    pub max: usize,
    pub default: usize,
}

#[utoipa::path(get, path = "/api/v1/catalog", tag = "catalog", security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = Catalog)))]
pub async fn get_catalog(_caller: Caller) -> AppResult<Json<Catalog>> {
    let tools = tools::BUILTIN_NAMES
        .into_iter()
        .filter_map(tools::builtin_spec)
        .map(|spec| BuiltinTool { name: spec.name, description: spec.description, parameters: spec.parameters })
        .collect();
    let providers = ProviderKind::ALL
        .into_iter()
        .map(|provider| ProviderPreset {
            provider,
            label: provider.label(),
            default_model: provider.default_model(),
            default_base_url: provider.default_base_url(),
            needs_api_key: provider.needs_api_key(),
            needs_base_url: provider == ProviderKind::OpenAiCompatible,
        })
        .collect();
    Ok(Json(Catalog {
        agents: builtins(),
        tools,
        providers,
        limits: Limits {
            agent: LIMITS,
            message_chars: MAX_MESSAGE_CHARS,
            page_size: PageSize { max: MAX_LIMIT, default: DEFAULT_LIMIT },
        },
    }))
}
