//! Tenant-defined agents (`AGENT#<id>` in the tenant's partition of the
//! agents table). Every update bumps `version`, so a session can record
//! which definition it ran with; the agent quota holds under concurrent
//! creation because the count is taken in the same transaction.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{AgentProfile, MAX_STEPS};
use paas_core::conversation::Owner;
use paas_core::domain::{DisplayName, Quota, TenantId, TextRule};
use paas_core::identity::tenants;
use paas_core::store::keys;
use paas_core::store::{Cond, Cursor, DynStore, Query, StoreError, Write, from_item, tables, to_item};
use paas_core::{AppError, AppResult};
use paas_llm::ProviderKind;

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Agent {
    pub agent_id: String,
    pub name: DisplayName,
    pub description: String,
    pub system_prompt: String,
    /// Overrides the tenant's default provider; it must be one the tenant configured.
    pub provider: Option<ProviderKind>,
    /// Overrides the provider's default model.
    pub model: Option<String>,
    pub temperature: Option<f32>,
    pub max_output_tokens: u32,
    /// Tool names: built-in (`calculator`, `current_time`, `http_get`) or the tenant's own.
    pub tools: Vec<String>,
    /// The most model calls one turn may make (each tool round is one).
    pub max_steps: u32,
    pub conversation_starters: Vec<String>,
    pub version: u64,
    pub created_by: Owner,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What an agent's fields may hold, as the catalog shows it (the web app's
/// form follows it).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AgentLimits {
    pub name_chars: usize,
    pub description_chars: usize,
    pub system_prompt_chars: usize,
    pub conversation_starters: usize,
    pub conversation_starter_chars: usize,
    /// Tools one agent may name (what providers accept in one request).
    pub tools: usize,
    pub temperature: Range<f32>,
    pub max_output_tokens: Range<u32>,
    pub max_steps: Range<u32>,
}

/// A number's bounds, and the value it has when not given.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Range<T> {
    pub min: T,
    pub max: T,
    /// Absent where there is none (the provider's own, for `temperature`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<T>,
}

pub const LIMITS: AgentLimits = AgentLimits {
    name_chars: DisplayName::MAX,
    description_chars: DESCRIPTION.max_chars,
    system_prompt_chars: SYSTEM_PROMPT.max_chars,
    conversation_starters: MAX_STARTERS,
    conversation_starter_chars: STARTER.max_chars,
    tools: MAX_TOOLS,
    temperature: Range { min: 0.0, max: 2.0, default: None },
    max_output_tokens: Range {
        min: *OUTPUT_TOKENS.start(),
        max: *OUTPUT_TOKENS.end(),
        default: Some(DEFAULT_OUTPUT_TOKENS),
    },
    max_steps: Range { min: 1, max: MAX_STEPS, default: Some(super::DEFAULT_MAX_STEPS) },
};

const DEFAULT_OUTPUT_TOKENS: u32 = 1024;
const DESCRIPTION: TextRule = TextRule::lines(500);
const SYSTEM_PROMPT: TextRule = TextRule::lines(20_000);
const STARTER: TextRule = TextRule::lines(200).not_blank();
const MAX_STARTERS: usize = 4;
const MAX_TOOLS: usize = 128;
const OUTPUT_TOKENS: std::ops::RangeInclusive<u32> = 16..=16_384;

/// The editable fields, as an update request carries them (`null` or absent
/// leaves a field as it is, but where it says otherwise).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentFields {
    pub name: Option<DisplayName>,
    #[schema(schema_with = description_schema)]
    pub description: Option<String>,
    #[schema(schema_with = system_prompt_schema)]
    pub system_prompt: Option<String>,
    /// `null` clears an override.
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<ProviderKind>)]
    pub provider: Option<Option<ProviderKind>>,
    /// `null` clears an override.
    #[serde(default, with = "double_option")]
    #[schema(schema_with = paas_llm::model_name_schema)]
    pub model: Option<Option<String>>,
    /// `null` clears an override.
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<f32>, minimum = 0, maximum = 2)]
    pub temperature: Option<Option<f32>>,
    #[schema(minimum = 16, maximum = 16_384)]
    pub max_output_tokens: Option<u32>,
    /// Tool names: built-in ones and the tenant's own; each must exist.
    #[schema(max_items = 128)] // MAX_TOOLS: the attribute takes a literal only
    pub tools: Option<Vec<String>>,
    #[schema(minimum = 1, maximum = 20)]
    pub max_steps: Option<u32>,
    #[schema(schema_with = starters_schema)]
    pub conversation_starters: Option<Vec<String>>,
}

paas_core::create_request!(
    /// A create request: the editable fields, `name` required.
    NewAgent = AgentFields, requiring ["name"]
);

fn description_schema() -> utoipa::openapi::Schema {
    DESCRIPTION.schema(true)
}

fn system_prompt_schema() -> utoipa::openapi::Schema {
    SYSTEM_PROMPT.schema(true)
}

fn starters_schema() -> utoipa::openapi::Schema {
    utoipa::openapi::ArrayBuilder::new()
        .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
            utoipa::openapi::Type::Array,
            utoipa::openapi::Type::Null,
        ]))
        .items(utoipa::openapi::RefOr::T(STARTER.schema(false)))
        .max_items(Some(MAX_STARTERS))
        .into()
}

/// Distinguishes a field left out (`None`) from one set to `null` (`Some(None)`).
mod double_option {
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }
}

fn invalid(message: impl Into<String>) -> AppError {
    AppError::Validation(message.into())
}

impl AgentFields {
    /// Those of the named tools the tenant may use, for [`Self::apply`]; a
    /// list longer than an agent may hold is refused before anything is read.
    pub async fn known_tools(&self, store: &DynStore, tenant_id: &TenantId) -> AppResult<Vec<String>> {
        let Some(tools) = &self.tools else { return Ok(Vec::new()) };
        if tools.len() > MAX_TOOLS {
            return Err(invalid(format!("an agent names at most {MAX_TOOLS} tools")));
        }
        crate::tenant_tools::known_among(store, tenant_id, tools).await
    }

    /// Applies the fields to an agent, checking each; `known_tools` are the names the tenant may use.
    pub fn apply(self, agent: &mut Agent, known_tools: &[String]) -> AppResult<()> {
        if let Some(name) = self.name {
            agent.name = name;
        }
        if let Some(description) = self.description {
            DESCRIPTION.check("description", &description)?;
            agent.description = description;
        }
        if let Some(prompt) = self.system_prompt {
            SYSTEM_PROMPT.check("system_prompt", &prompt)?;
            agent.system_prompt = prompt;
        }
        if let Some(provider) = self.provider {
            agent.provider = provider;
        }
        if let Some(model) = self.model {
            if let Some(model) = &model {
                paas_llm::MODEL_NAME.check("model", model)?;
            }
            agent.model = model;
        }
        if let Some(temperature) = self.temperature {
            if temperature.is_some_and(|t| !(LIMITS.temperature.min..=LIMITS.temperature.max).contains(&t)) {
                return Err(invalid("temperature is from 0 to 2"));
            }
            agent.temperature = temperature;
        }
        if let Some(max) = self.max_output_tokens {
            if !OUTPUT_TOKENS.contains(&max) {
                return Err(invalid("max_output_tokens is from 16 to 16384"));
            }
            agent.max_output_tokens = max;
        }
        if let Some(mut tools) = self.tools {
            tools.sort();
            tools.dedup();
            if let Some(unknown) = tools.iter().find(|t| !known_tools.contains(t)) {
                return Err(invalid(format!(
                    "unknown tool {unknown:?}: neither a built-in tool ({}) nor one of the tenant's own",
                    paas_llm::tools::BUILTIN_NAMES.join(", ")
                )));
            }
            agent.tools = tools;
        }
        if let Some(steps) = self.max_steps {
            if !(1..=MAX_STEPS).contains(&steps) {
                return Err(invalid(format!("max_steps is from 1 to {MAX_STEPS}")));
            }
            agent.max_steps = steps;
        }
        if let Some(starters) = self.conversation_starters {
            if starters.len() > MAX_STARTERS {
                return Err(invalid(format!("at most {MAX_STARTERS} conversation_starters")));
            }
            for starter in &starters {
                STARTER.check("a conversation starter", starter)?;
            }
            agent.conversation_starters = starters;
        }
        Ok(())
    }
}

impl Agent {
    /// A new agent from a create request; `name` is required.
    pub fn create(fields: AgentFields, owner: Owner, known_tools: &[String]) -> AppResult<Self> {
        let name = fields.name.clone().ok_or_else(|| invalid("name is required"))?;
        let now = Utc::now();
        let mut agent = Self {
            agent_id: ulid::Ulid::new().to_string(),
            name,
            description: String::new(),
            system_prompt: "You are a helpful assistant. Answer in Markdown.".into(),
            provider: None,
            model: None,
            temperature: None,
            max_output_tokens: DEFAULT_OUTPUT_TOKENS,
            tools: Vec::new(),
            max_steps: super::DEFAULT_MAX_STEPS,
            conversation_starters: Vec::new(),
            version: 1,
            created_by: owner,
            created_at: now,
            updated_at: now,
        };
        fields.apply(&mut agent, known_tools)?;
        Ok(agent)
    }

    /// What a turn with this agent runs with.
    pub fn profile(&self) -> AgentProfile {
        AgentProfile {
            agent_type: "custom".into(),
            agent_id: Some(self.agent_id.clone()),
            version: Some(self.version),
            system_prompt: self.system_prompt.clone(),
            provider: self.provider,
            model: self.model.clone(),
            temperature: self.temperature,
            max_output_tokens: self.max_output_tokens,
            tools: self.tools.clone(),
            max_steps: self.max_steps,
        }
    }
}

/// Stores a new agent within the tenant's agent quota.
pub async fn create(store: &DynStore, tenant_id: &TenantId, max_agents: u32, agent: &Agent) -> AppResult<()> {
    let writes = vec![
        tenants::take_count(tenant_id, Quota::Agents, max_agents),
        Write::Put {
            table: &tables::AGENTS,
            item: to_item(&keys::agent(tenant_id, &agent.agent_id), agent)?,
            conds: vec![Cond::NotExists],
        },
    ];
    match store.transact(writes).await {
        Ok(()) => Ok(()),
        Err(StoreError::ConditionFailed { write: Some(0) }) => Err(tenants::quota_error(Quota::Agents, max_agents)),
        Err(err) => Err(err.into()),
    }
}

/// An agent of this tenant; a malformed or foreign id is simply missing.
pub async fn get(store: &DynStore, tenant_id: &TenantId, agent_id: &str) -> AppResult<Option<Agent>> {
    if ulid::Ulid::from_string(agent_id).map(|u| u.to_string()).as_deref() != Ok(agent_id) {
        return Ok(None);
    }
    Ok(store.get(&tables::AGENTS, &keys::agent(tenant_id, agent_id)).await?.map(from_item).transpose()?)
}

/// Saves a changed agent as the next version, unless someone saved another meanwhile (409).
pub async fn save(store: &DynStore, tenant_id: &TenantId, agent: &mut Agent) -> AppResult<()> {
    let seen = agent.version;
    agent.version += 1;
    agent.updated_at = Utc::now();
    let item = to_item(&keys::agent(tenant_id, &agent.agent_id), agent)?;
    store.put(&tables::AGENTS, item, &[Cond::equals("version", seen)]).await?;
    Ok(())
}

pub async fn delete(store: &DynStore, tenant_id: &TenantId, agent: &Agent) -> AppResult<()> {
    let writes = vec![
        Write::Delete {
            table: &tables::AGENTS,
            key: keys::agent(tenant_id, &agent.agent_id),
            conds: vec![Cond::Exists],
        },
        tenants::release_count(tenant_id, Quota::Agents),
    ];
    store.transact(writes).await.map_err(AppError::missing_if_condition_failed)
}

/// The tenant's agents, newest first.
pub async fn list(
    store: &DynStore,
    tenant_id: &TenantId,
    limit: usize,
    cursor: Option<Cursor>,
) -> AppResult<(Vec<Agent>, Option<String>)> {
    let query = Query::partition(&tables::AGENTS, tenant_id.as_str())
        .range(keys::under(keys::AGENT_PREFIX))
        .backward()
        .limit(limit)
        .after(cursor);
    Ok(store.query(&query).await?.typed()?)
}
