//! Everything a turn needs before the stream starts, in the order that keeps
//! failures clean: validate, find or plan the session, build the prompt,
//! reserve tokens, then (only then) create the session and store the user's
//! message. Any failure here is a problem+json answer, not a stream.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use paas_agents::AgentProfile;
use paas_agents::definition;
use paas_agents::tenant_tools;
use paas_core::auth::principal::Caller;
use paas_core::conversation::{self, MAX_MESSAGE_CHARS, Message, MessageRole, MessageStatus, Owner, Session};
use paas_core::domain::agent_types;
use paas_core::identity::tenants::Tenant;
use paas_core::metering::turn_budget::TurnBudget;
use paas_core::{AppError, AppResult, AppState};
use paas_llm::net_guard;
use paas_llm::settings;
use paas_llm::tools::{self, ToolContext};
use paas_llm::{ChatMessage, ChatRequest, LlmProvider, estimate_messages, estimate_request};

use serde::Deserialize;

/// The most earlier messages a turn reads before trimming to the budget.
const HISTORY_LIMIT: usize = 100;
/// How long a turn's lease outlives its deadline: room for its bookkeeping,
/// after which a turn whose process died stops counting.
const LEASE_GRACE: Duration = Duration::from_secs(30);

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChatBody {
    /// What the user says; not blank.
    #[schema(min_length = 1, max_length = 32_000, pattern = "\\S")]
    pub message: String,
    /// A built-in agent type (default `assistant`); not with `agent_id`.
    #[serde(default)]
    #[schema(schema_with = agent_types::schema)]
    pub agent_type: Option<String>,
    /// A tenant-defined agent.
    #[serde(default)]
    pub agent_id: Option<String>,
    /// Continue this session; without it a new session starts.
    #[serde(default)]
    pub session_id: Option<String>,
}

/// The description of a chat request: a [`ChatBody`] naming at most one of
/// `agent_type` and `agent_id`.
pub struct TurnRequest;

impl utoipa::PartialSchema for TurnRequest {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
        paas_core::http::openapi::at_most_one_of::<ChatBody>(["agent_type", "agent_id"])
    }
}

impl utoipa::ToSchema for TurnRequest {}

/// What a turn is asked, whichever route asked it.
pub struct TurnInput {
    pub message: String,
    pub agent: AgentChoice,
    /// Store the turn in this session; without it a new session starts.
    pub session_id: Option<String>,
    /// The conversation so far as the client holds it (stateless clients send
    /// it whole); `None` reads it from the session.
    pub history: Option<ClientHistory>,
}

/// Which agent answers.
pub enum AgentChoice {
    /// A built-in type; `None` is the default.
    BuiltIn(Option<String>),
    /// A tenant-defined agent, by id.
    Defined(String),
}

/// Earlier messages a client sent: its own instructions (added to the
/// agent's) and the exchanges before the new message.
#[derive(Default)]
pub struct ClientHistory {
    pub instructions: Vec<String>,
    pub earlier: Vec<ChatMessage>,
}

impl TryFrom<ChatBody> for TurnInput {
    type Error = AppError;

    fn try_from(body: ChatBody) -> AppResult<Self> {
        let agent = match (body.agent_type, body.agent_id) {
            (Some(_), Some(_)) => {
                return Err(AppError::Validation("name an agent_type or an agent_id, not both".into()));
            }
            (_, Some(id)) => AgentChoice::Defined(id),
            (agent_type, None) => AgentChoice::BuiltIn(agent_type),
        };
        Ok(Self { message: body.message, agent, session_id: body.session_id, history: None })
    }
}

/// The tools a turn offers, resolved once before it starts.
pub type TurnTools = Vec<Arc<dyn tools::Tool>>;

pub struct Prepared {
    pub tenant: Tenant,
    pub session: Session,
    pub profile: AgentProfile,
    /// The tools offered to the model, and what their calls may reach.
    pub tools: TurnTools,
    pub tool_context: ToolContext,
    pub provider: Arc<dyn LlmProvider>,
    pub request: ChatRequest,
    /// The most output tokens a step may ask for.
    pub max_output: u64,
    pub assistant_message_id: String,
    /// When the whole turn must be over: connecting, retries, tools and
    /// sending included, so its bookkeeping ends before the function's timeout.
    pub deadline: tokio::time::Instant,
}

/// A session's stored messages as a prompt's earlier exchanges.
fn from_session(history: Vec<Message>) -> ClientHistory {
    let earlier = history
        .into_iter()
        .filter(|m| !m.content.is_empty())
        .map(|m| match m.role {
            MessageRole::User => ChatMessage::user(m.content),
            MessageRole::Assistant => ChatMessage::assistant(m.content),
        })
        .collect();
    ClientHistory { instructions: Vec::new(), earlier }
}

/// The prompt: the agent's instructions (and the client's after them), as
/// much earlier conversation as fits the budget (oldest dropped first), and
/// the new message.
fn prompt(profile: &AgentProfile, history: ClientHistory, message: &str, budget: u64) -> Vec<ChatMessage> {
    let instructions =
        std::iter::once(profile.system_prompt.as_str()).chain(history.instructions.iter().map(String::as_str));
    let system = ChatMessage::system(instructions.collect::<Vec<_>>().join("\n\n"));
    let user = ChatMessage::user(message);
    let mut earlier = history.earlier;
    let fixed = estimate_messages(&[system.clone(), user.clone()]);
    while !earlier.is_empty() && fixed + estimate_messages(&earlier) > budget {
        earlier.remove(0);
    }
    let mut messages = vec![system];
    messages.extend(earlier);
    messages.push(user);
    messages
}

/// The tools an agent names: built-in ones, or the tenant's own by name.
async fn resolve_tools(state: &AppState, tenant: &Tenant, profile: &AgentProfile) -> AppResult<TurnTools> {
    let own = tenant_tools::named(&state.store, &tenant.tenant_id, &profile.tools).await?;
    let mut resolved: TurnTools = Vec::new();
    for name in &profile.tools {
        if let Some(tool) = tools::builtin(name) {
            resolved.push(tool);
        } else if let Some(tool) = own.iter().find(|t| &t.name == name) {
            resolved.push(Arc::new(tenant_tools::invoker(state.secrets.as_ref(), &tenant.tenant_id, tool).await?));
        }
        // A tool deleted after the agent named it is simply not offered.
    }
    Ok(resolved)
}

/// The turn, and its hold on the tenant's meters (the first step reserved). The turn
/// comes boxed: its task moves it into its future, which would otherwise hold it twice.
pub async fn prepare(state: &AppState, caller: &Caller, input: TurnInput) -> AppResult<(Box<Prepared>, TurnBudget)> {
    let turn_time = Duration::from_secs(state.config.turn_max_secs);
    let deadline = tokio::time::Instant::now() + turn_time;
    let message = input.message.trim();
    if message.is_empty() || input.message.chars().count() > MAX_MESSAGE_CHARS {
        return Err(AppError::Validation(format!("message must be 1 to {MAX_MESSAGE_CHARS} characters")));
    }
    let tenant = &caller.tenant;
    let profile = match &input.agent {
        AgentChoice::Defined(id) => {
            definition::get(&state.store, &tenant.tenant_id, id).await?.ok_or(AppError::NotFound)?.profile()
        }
        AgentChoice::BuiltIn(agent_type) => paas_agents::builtin(agent_type.as_deref())?,
    };
    let tools = resolve_tools(state, tenant, &profile).await?;
    let existing = match &input.session_id {
        Some(id) => {
            let session = conversation::get(&state.store, &tenant.tenant_id, id).await?.ok_or(AppError::NotFound)?;
            session.check_may_change(caller)?;
            Some(session)
        }
        None => None,
    };
    let history = match (input.history, &existing) {
        (Some(history), _) => history,
        (None, Some(session)) => from_session(
            conversation::history(&state.store, &tenant.tenant_id, &session.session_id, HISTORY_LIMIT).await?,
        ),
        (None, None) => ClientHistory::default(),
    };
    let max_output = u64::from(profile.max_output_tokens.min(state.config.turn_max_output_tokens));
    let context = u64::from(state.config.context_tokens).saturating_sub(max_output);
    let messages = prompt(&profile, history, message, context);
    let mut request = ChatRequest {
        model: String::new(),
        messages,
        max_tokens: 0,
        temperature: profile.temperature,
        tools: tools.iter().map(|t| t.spec()).collect(),
    };
    // One generator for both ids keeps the answer after the question even within one millisecond.
    let mut ids = ulid::Generator::new();
    let question_id = ids.generate().map_err(AppError::internal)?.to_string();
    let answer_id = ids.generate().map_err(AppError::internal)?.to_string();
    // The provider's settings and the first step's tokens do not depend on each other: both at
    // once, each to its end (a reservation is given back, never dropped half-way).
    let lease = turn_time + LEASE_GRACE;
    let (connected, budget) = tokio::join!(
        settings::connect(state, &tenant.tenant_id, profile.provider),
        TurnBudget::open(&state.store, tenant, estimate_request(&request), max_output, lease),
    );
    let budget = budget?;
    let connected = match connected {
        Ok(connected) => connected,
        Err(err) => {
            budget.close(0).await?;
            return Err(err);
        }
    };
    let provider = connected.provider;
    request.model = profile.model.clone().unwrap_or(connected.model);
    let allowance = budget.reservation().map_or(0, |r| r.output);
    request.max_tokens = u32::try_from(allowance).unwrap_or(u32::MAX);
    let user_message = Message {
        message_id: question_id,
        role: MessageRole::User,
        content: message.to_owned(),
        status: MessageStatus::Complete,
        model: None,
        usage: None,
        outcome: None,
        error: None,
        created_at: Utc::now(),
    };
    let stored = match existing {
        Some(session) => conversation::append(&state.store, &tenant.tenant_id, &session.session_id, &user_message)
            .await
            .map(|()| session),
        None => {
            let mut session = Session::new(
                conversation::title_from(message),
                Owner::of(caller),
                Some(profile.agent_type.clone()),
                profile.agent_id.clone(),
                profile.version,
            );
            conversation::open(&state.store, tenant, &mut session, Some(&user_message)).await.map(|()| session)
        }
    };
    let session = match stored {
        Ok(session) => session,
        Err(err) => {
            budget.close(0).await?;
            return Err(err);
        }
    };
    let tool_context = ToolContext::new(net_guard::policy(&state.config), tenant.settings.allowed_hosts.clone());
    Ok((
        Box::new(Prepared {
            tenant: tenant.clone(),
            session,
            profile,
            tools,
            tool_context,
            provider,
            request,
            max_output,
            assistant_message_id: answer_id,
            deadline,
        }),
        budget,
    ))
}
