//! The OpenAI-compatible API: `POST /v1/chat/completions` and `GET
//! /v1/models`, so OpenAI's SDKs, frameworks and chat front ends talk to a
//! tenant's agents with an API key. A turn runs exactly as on the native
//! route (same quotas, metering, session and cancellation); only the wire
//! format differs: [`Frame`]s become completion chunks, and errors OpenAI's
//! error objects.
//!
//! Conventions: `model` names a built-in type or `agent:<id or name>`; the
//! client's `messages` are the prompt's history; `X-Session-Id` stores the
//! turn in that session (without it a new session is started), and every
//! answer names its session in `X-Session-Id`. Thoughts and tool steps
//! arrive as `reasoning_content`.

mod errors;
pub mod wire;

use std::convert::Infallible;
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::{Stream, StreamExt};
use paas_agents::definition;
use paas_core::auth::permission::Permission;
use paas_core::auth::principal::Caller;
use paas_core::conversation::TurnOutcome;
use paas_core::domain::agent_types;
use paas_core::http::ApiJson;
use paas_core::{AppError, AppResult, AppState};
use paas_llm::ChatMessage;
use tokio_stream::wrappers::ReceiverStream;
use tracing::Instrument;

pub use errors::OpenAiError;
use wire::{Chunk, ChunkChoice, Completion, CompletionRequest, Delta, FinishReason, InRole, Model, ModelList};

use crate::frames::{self, Frame, FrameReceiver};
use crate::prepare::{self, AgentChoice, ClientHistory, TurnInput};
use crate::turn;

/// The header that names a turn's session, both ways.
const SESSION_HEADER: &str = "x-session-id";
/// `model` names a tenant agent as `agent:<id or name>`.
const AGENT_PREFIX: &str = "agent:";

/// The built-in types and the tenant's agents, as `model` names them.
#[utoipa::path(get, path = "/v1/models", tag = "openai", security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = ModelList),
        (status = 401, description = "`invalid_api_key`", body = wire::ErrorBody),
        (status = 403, description = "the credential may not chat, or its user or tenant is suspended", body = wire::ErrorBody)))]
pub async fn list_models(
    State(state): State<AppState>,
    caller: Result<Caller, AppError>,
) -> Result<Json<ModelList>, OpenAiError> {
    let caller = caller?;
    caller.require(Permission::Chat)?;
    let mut data: Vec<Model> = agent_types::ALL
        .iter()
        .map(|name| Model { id: (*name).to_owned(), object: "model", created: 0, owned_by: "platform".into() })
        .collect();
    for agent in all_agents(&state, &caller).await? {
        data.push(Model {
            id: format!("{AGENT_PREFIX}{}", agent.agent_id),
            object: "model",
            created: agent.created_at.timestamp(),
            owned_by: caller.tenant.slug.as_str().to_owned(),
        });
    }
    Ok(Json(ModelList { object: "list", data }))
}

/// Every agent of the caller's tenant (the agent quota keeps them few).
async fn all_agents(state: &AppState, caller: &Caller) -> AppResult<Vec<definition::Agent>> {
    let mut agents = Vec::new();
    let mut cursor = None;
    loop {
        let (page, next) = definition::list(&state.store, caller.tenant_id(), 100, cursor).await?;
        agents.extend(page);
        match next {
            Some(next) => cursor = Some(paas_core::store::Cursor::decode(&next).map_err(AppError::internal)?),
            None => return Ok(agents),
        }
    }
}

/// The agent `model` names: a built-in type, or `agent:<id or name>`.
async fn agent_named(state: &AppState, caller: &Caller, model: &str) -> Result<AgentChoice, OpenAiError> {
    let unknown = || OpenAiError::UnknownModel(model.to_owned());
    if agent_types::ALL.contains(&model) {
        return Ok(AgentChoice::BuiltIn(Some(model.to_owned())));
    }
    let Some(wanted) = model.strip_prefix(AGENT_PREFIX) else { return Err(unknown()) };
    if definition::get(&state.store, caller.tenant_id(), wanted).await?.is_some() {
        return Ok(AgentChoice::Defined(wanted.to_owned()));
    }
    let named: Vec<_> = all_agents(state, caller).await?.into_iter().filter(|a| a.name.as_str() == wanted).collect();
    match named.as_slice() {
        [agent] => Ok(AgentChoice::Defined(agent.agent_id.clone())),
        _ => Err(unknown()),
    }
}

/// The request's messages as a turn's input: the last one is the user's new
/// message, system and developer messages add to the agent's instructions.
fn history_of(body: &CompletionRequest) -> AppResult<(String, ClientHistory)> {
    let Some((last, earlier)) = body.messages.split_last() else {
        return Err(AppError::Validation("messages must hold at least the user's message".into()));
    };
    if last.role != InRole::User {
        return Err(AppError::Validation("the last message must be the user's".into()));
    }
    let text = |m: &wire::InMessage| m.content.as_ref().map(wire::Content::text).unwrap_or_default();
    let mut history = ClientHistory::default();
    for message in earlier {
        let content = text(message);
        match message.role {
            InRole::System | InRole::Developer => history.instructions.push(content),
            InRole::User => history.earlier.push(ChatMessage::user(content)),
            // An assistant message that only called tools carries no text.
            InRole::Assistant if !content.is_empty() => history.earlier.push(ChatMessage::assistant(content)),
            // The client's own tool round trips are not the agent's: it has its own tools.
            InRole::Assistant | InRole::Tool => {}
        }
    }
    Ok((text(last), history))
}

/// Answers the conversation with the agent `model` names: a stream of
/// completion chunks closed by `data: [DONE]` when `stream` is true, else one
/// completion.
#[utoipa::path(post, path = "/v1/chat/completions", tag = "openai", security(("bearer" = []), ("api_key" = [])),
    request_body = CompletionRequest,
    params(("X-Session-Id" = Option<String>, Header, description = "Store the turn in this session; without it a new one starts.")),
    responses(
        (status = 200, description = "The completion, or with `stream` server-sent `data:` chunks and a last `data: [DONE]`. `X-Session-Id` names the session.",
            content((Completion = "application/json"), (wire::ChunkEvent = "text/event-stream"))),
        (status = 400, description = "`invalid_request_error`: the request breaks a constraint, or sets a parameter not served (code `unsupported_parameter`, `param` naming it: client-defined `tools` or `functions`, `n` above 1)", body = wire::ErrorBody),
        (status = 401, description = "`invalid_api_key`", body = wire::ErrorBody),
        (status = 403, description = "the credential may not chat, or its user or tenant is suspended", body = wire::ErrorBody),
        (status = 404, description = "`model_not_found`, or the session does not exist", body = wire::ErrorBody),
        (status = 409, description = "`quota_busy`", body = wire::ErrorBody),
        (status = 429, description = "`insufficient_quota`: a quota is used up; `rate_limit_exceeded`: the tenant's concurrent turns are all streaming (Retry-After)", body = wire::ErrorBody),
        (status = 502, description = "the provider failed (a whole completion only)", body = wire::ErrorBody)))]
pub async fn create_chat_completion(
    State(state): State<AppState>,
    caller: Result<Caller, AppError>,
    headers: HeaderMap,
    body: Result<ApiJson<CompletionRequest>, AppError>,
) -> Result<Response, OpenAiError> {
    let caller = caller?;
    caller.require(Permission::Chat)?;
    let ApiJson(body) = body?;
    if body.n.is_some_and(|n| n != 1) {
        return Err(OpenAiError::Unsupported { param: "n", message: "Only n = 1 is served.".into() });
    }
    for (param, list) in [("tools", &body.tools), ("functions", &body.functions)] {
        if list.as_ref().is_some_and(|list| !list.is_empty()) {
            let message = format!(
                "Client-defined `{param}` are not served: the agent calls its own tools. \
                 Define the tool as a tenant tool (/api/v1/tools) and give it to an agent."
            );
            return Err(OpenAiError::Unsupported { param, message });
        }
    }
    let session_id = match headers.get(SESSION_HEADER) {
        Some(value) => Some(value.to_str().map_err(|_| AppError::NotFound)?.to_owned()),
        None => None,
    };
    let agent = agent_named(&state, &caller, &body.model).await?;
    let (message, history) = history_of(&body)?;
    let input = TurnInput { message, agent, session_id, history: Some(history) };
    let (prepared, budget) = prepare::prepare(&state, &caller, input).await?;
    let session = HeaderValue::from_str(prepared.session.session_id.as_str()).map_err(AppError::internal)?;
    let answer = Answer {
        id: format!("chatcmpl-{}", prepared.assistant_message_id),
        created: chrono::Utc::now().timestamp(),
        model: body.model,
    };
    let heartbeat = Duration::from_millis(state.config.heartbeat_ms);
    let (tx, rx) = frames::channel();
    tokio::spawn(turn::run(state, prepared, budget, tx).in_current_span());
    tokio::task::yield_now().await;
    let mut response = if body.stream.unwrap_or(false) {
        let usage = body.stream_options.and_then(|o| o.include_usage).unwrap_or(false);
        let events = chunks(answer, usage, rx);
        Sse::new(events).keep_alive(KeepAlive::new().interval(heartbeat).text("heartbeat")).into_response()
    } else {
        // A failed turn's error names its session too: the question is stored there.
        whole(answer, rx).await.into_response()
    };
    response.headers_mut().insert(SESSION_HEADER, session);
    Ok(response)
}

/// What every chunk of one answer repeats.
struct Answer {
    id: String,
    created: i64,
    model: String,
}

impl Answer {
    fn chunk(&self, delta: Delta, finish_reason: Option<FinishReason>, usage: Option<Option<wire::Usage>>) -> Chunk {
        let choices = vec![ChunkChoice { index: 0, delta, finish_reason }];
        Chunk {
            id: self.id.clone(),
            object: "chat.completion.chunk",
            created: self.created,
            model: self.model.clone(),
            choices,
            usage,
        }
    }
}

fn finish_reason(outcome: TurnOutcome) -> FinishReason {
    match outcome {
        TurnOutcome::Truncated => FinishReason::Length,
        TurnOutcome::Completed | TurnOutcome::Failed | TurnOutcome::Cancelled => FinishReason::Stop,
    }
}

fn thought_line(kind: paas_core::conversation::ThoughtKind, text: &str) -> String {
    use paas_core::conversation::ThoughtKind;
    match kind {
        ThoughtKind::Reasoning => text.to_owned(),
        ThoughtKind::ToolCall => format!("\n[tool call] {text}\n"),
        ThoughtKind::ToolResult => format!("\n[tool result] {text}\n"),
    }
}

/// The turn's frames as OpenAI stream chunks, then `[DONE]`.
fn chunks(answer: Answer, include_usage: bool, rx: FrameReceiver) -> impl Stream<Item = Result<Event, Infallible>> {
    let usage_slot = move || include_usage.then_some(None);
    let mut failure = None;
    ReceiverStream::new(rx).flat_map(move |frame| {
        let data: Vec<String> = match *frame {
            Frame::Session { .. } => {
                let delta = Delta { role: Some("assistant"), content: Some(String::new()), ..Delta::default() };
                vec![json(&answer.chunk(delta, None, usage_slot()))]
            }
            Frame::Message(text) => {
                vec![json(&answer.chunk(Delta { content: Some(text), ..Delta::default() }, None, usage_slot()))]
            }
            Frame::Thought { kind, text, .. } => {
                let delta = Delta { reasoning_content: Some(thought_line(kind, &text)), ..Delta::default() };
                vec![json(&answer.chunk(delta, None, usage_slot()))]
            }
            Frame::Error { code, message } => {
                failure = Some(errors::turn_failed(code, message));
                Vec::new()
            }
            Frame::Done { outcome, usage, .. } => {
                let mut data = Vec::new();
                match (outcome, failure.take()) {
                    // A turn that failed ends in an error object, which OpenAI's clients raise.
                    (TurnOutcome::Failed, Some(error)) => data.push(json(&error)),
                    _ => data.push(json(&answer.chunk(Delta::default(), Some(finish_reason(outcome)), usage_slot()))),
                }
                if include_usage {
                    let mut last = answer.chunk(Delta::default(), None, Some(Some(usage.into())));
                    last.choices.clear();
                    data.push(json(&last));
                }
                data.push("[DONE]".to_owned());
                data
            }
        };
        futures::stream::iter(data.into_iter().map(|data| Ok(Event::default().data(data))))
    })
}

fn json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).expect("a wire type serialises")
}

/// The whole turn as one completion, once it is over.
async fn whole(answer: Answer, mut rx: FrameReceiver) -> Result<Json<Completion>, OpenAiError> {
    let (mut content, mut reasoning, mut failure) = (String::new(), String::new(), None);
    while let Some(frame) = rx.recv().await {
        match *frame {
            Frame::Message(text) => content.push_str(&text),
            Frame::Thought { kind, text, .. } => reasoning.push_str(&thought_line(kind, &text)),
            Frame::Error { code, message } => failure = Some(errors::turn_failed(code, message)),
            Frame::Done { outcome, usage, .. } => {
                if let (TurnOutcome::Failed, Some(error)) = (outcome, failure.take()) {
                    return Err(OpenAiError::Upstream(error));
                }
                let message = wire::OutMessage {
                    role: "assistant",
                    content,
                    reasoning_content: (!reasoning.is_empty()).then_some(reasoning),
                };
                let choice = wire::Choice { index: 0, message, finish_reason: finish_reason(outcome) };
                return Ok(Json(Completion {
                    id: answer.id,
                    object: "chat.completion",
                    created: answer.created,
                    model: answer.model,
                    choices: vec![choice],
                    usage: usage.into(),
                }));
            }
            Frame::Session { .. } => {}
        }
    }
    Err(AppError::internal(std::io::Error::other("the turn ended without its done frame")).into())
}
