//! Everything a turn needs before the stream starts, in the order that keeps
//! failures clean: validate, find or plan the session, build the prompt,
//! reserve tokens, then (only then) create the session and store the user's
//! message. Any failure here is a problem+json answer, not a stream.

use std::sync::Arc;

use chrono::Utc;
use paas_shared::agents::{self, AgentProfile};
use paas_shared::auth::principal::Caller;
use paas_shared::conversation::{self, Message, MessageRole, MessageStatus, Owner, Session};
use paas_shared::identity::llm_settings;
use paas_shared::identity::tenants::Tenant;
use paas_shared::identity::usage::{self, Reservation};
use paas_shared::llm::{ChatMessage, ChatRequest, LlmProvider, estimate_tokens};
use paas_shared::{AppError, AppResult, AppState};
use serde::Deserialize;

pub const MAX_MESSAGE_CHARS: usize = 32_000;
/// The most earlier messages a turn reads before trimming to the budget.
const HISTORY_LIMIT: usize = 100;
/// Tokens a message costs beyond its text (role markers), per the providers' formats.
const PER_MESSAGE_TOKENS: u64 = 4;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChatBody {
    pub message: String,
    /// A built-in agent type (default `assistant`).
    #[serde(default)]
    pub agent_type: Option<String>,
    /// A tenant-defined agent.
    #[serde(default)]
    pub agent_id: Option<String>,
    /// Continue this session; without it a new session starts.
    #[serde(default)]
    pub session_id: Option<String>,
}

/// A turn ready to stream.
pub struct Prepared {
    pub tenant: Tenant,
    pub session: Session,
    pub profile: &'static AgentProfile,
    pub provider: Arc<dyn LlmProvider>,
    pub request: ChatRequest,
    pub reservation: Reservation,
    pub assistant_message_id: String,
}

fn estimate(messages: &[ChatMessage]) -> u64 {
    messages.iter().map(|m| estimate_tokens(&m.content) + PER_MESSAGE_TOKENS).sum()
}

/// The prompt: the agent's instructions, as much recent history as fits the
/// budget (oldest dropped first), and the new message.
fn prompt(profile: &AgentProfile, history: Vec<Message>, message: &str, budget: u64) -> Vec<ChatMessage> {
    let system = ChatMessage::system(profile.system_prompt);
    let user = ChatMessage::user(message);
    let mut earlier: Vec<ChatMessage> = history
        .into_iter()
        .filter(|m| !m.content.is_empty())
        .map(|m| match m.role {
            MessageRole::User => ChatMessage::user(m.content),
            MessageRole::Assistant => ChatMessage::assistant(m.content),
        })
        .collect();
    let fixed = estimate(&[system.clone(), user.clone()]);
    while !earlier.is_empty() && fixed + estimate(&earlier) > budget {
        earlier.remove(0);
    }
    let mut messages = vec![system];
    messages.extend(earlier);
    messages.push(user);
    messages
}

pub async fn prepare(state: &AppState, caller: &Caller, body: ChatBody) -> AppResult<Prepared> {
    let message = body.message.trim();
    if message.is_empty() || message.chars().count() > MAX_MESSAGE_CHARS {
        return Err(AppError::Validation(format!("message must be 1 to {MAX_MESSAGE_CHARS} characters")));
    }
    if body.agent_type.is_some() && body.agent_id.is_some() {
        return Err(AppError::Validation("name an agent_type or an agent_id, not both".into()));
    }
    if body.agent_id.is_some() {
        // Tenant-defined agents arrive with the agents feature; until then none exists.
        return Err(AppError::NotFound);
    }
    let profile = agents::builtin(body.agent_type.as_deref())?;
    let tenant = &caller.tenant;
    let existing = match &body.session_id {
        Some(id) => Some(conversation::get(&state.store, &tenant.tenant_id, id).await?.ok_or(AppError::NotFound)?),
        None => None,
    };
    let history = match &existing {
        Some(session) => {
            conversation::history(&state.store, &tenant.tenant_id, &session.session_id, HISTORY_LIMIT).await?
        }
        None => Vec::new(),
    };
    let max_output = u64::from(profile.max_output_tokens.min(state.config.turn_max_output_tokens));
    let budget = u64::from(state.config.context_tokens).saturating_sub(max_output);
    let messages = prompt(profile, history, message, budget);
    let connected = llm_settings::connect(state, &tenant.tenant_id).await?;
    let (provider, model) = (connected.provider, connected.model);

    let reservation = usage::reserve_tokens(&state.store, tenant, estimate(&messages), max_output).await?;
    // One generator for both ids keeps the answer after the question even within one millisecond.
    let mut ids = ulid::Generator::new();
    let question_id = ids.generate().map_err(AppError::internal)?.to_string();
    let answer_id = ids.generate().map_err(AppError::internal)?.to_string();
    let stored = async {
        let session = match existing {
            Some(session) => session,
            None => {
                usage::take_session(&state.store, tenant).await?;
                let session = Session::new(
                    conversation::title_from(message),
                    Owner::of(caller),
                    Some(profile.agent_type.into()),
                    None,
                    None,
                );
                conversation::create(&state.store, &tenant.tenant_id, &session).await?;
                session
            }
        };
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
        conversation::append(&state.store, &tenant.tenant_id, &session.session_id, &user_message).await?;
        AppResult::Ok(session)
    };
    let session = match stored.await {
        Ok(session) => session,
        Err(err) => {
            usage::settle_tokens(&state.store, tenant, reservation, 0).await?;
            return Err(err);
        }
    };
    let request = ChatRequest {
        model,
        messages,
        max_tokens: u32::try_from(reservation.output).unwrap_or(u32::MAX),
        temperature: profile.temperature,
        tools: Vec::new(),
    };
    Ok(Prepared {
        tenant: tenant.clone(),
        session,
        profile,
        provider,
        request,
        reservation,
        assistant_message_id: answer_id,
    })
}
