//! One turn's stream, run as its own task so it finishes its bookkeeping
//! whatever the client does: frames go into a channel the response body
//! reads; when the client goes away the channel closes, the task stops the
//! provider at once (dropping its request) and still stores what was
//! streamed and counts the tokens used.
//!
//! A turn is a bounded loop of model steps: a step that ends in tool calls
//! runs the tools (in parallel), streams each call and result as a
//! `thought`, and asks the model again, until it answers, the agent's step
//! limit is reached, or the turn's time runs out. Every step reserves its
//! tokens before the call and settles them after.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use futures::StreamExt;
use paas_shared::conversation::{self, LogEntry, Message, MessageRole, MessageStatus};
use paas_shared::identity::usage::{self, Reservation};
use paas_shared::llm::{ChatMessage, FinishReason, LlmError, StreamEvent, ToolCall, Usage, estimate_tokens};
use paas_shared::telemetry::genai;
use paas_shared::tools::{self, Tool};
use paas_shared::{AppError, AppState, metrics};
use tokio::sync::mpsc;
use tracing::Instrument;

use crate::frames::{Frame, Outcome};
use crate::prepare::{Prepared, estimate};

/// What the turn produced, gathered as it streams.
#[derive(Default)]
struct Collected {
    text: String,
    usage: Usage,
    log: Vec<LogEntry>,
    /// Log entries sort by id: one generator keeps them in order within a millisecond.
    log_ids: ulid::Generator,
    error: Option<(&'static str, String)>,
}

impl Collected {
    fn log(&mut self, turn: &Prepared, kind: &str, step: u32, text: String) {
        let entry_id = self.log_ids.generate().unwrap_or_else(|_| ulid::Ulid::new()).to_string();
        self.log.push(LogEntry {
            entry_id,
            message_id: turn.assistant_message_id.clone(),
            kind: kind.into(),
            text,
            step,
            created_at: Utc::now(),
        });
    }
}

/// How one model step ended.
enum StepEnd {
    Answered(Outcome),
    ToolCalls(Vec<ToolCall>),
    Stopped(Outcome),
}

/// Sends a frame; false once the client is gone.
async fn send(tx: &mpsc::Sender<Frame>, frame: Frame) -> bool {
    tx.send(frame).await.is_ok()
}

pub async fn run(state: AppState, turn: Prepared, tx: mpsc::Sender<Frame>) {
    let started = Instant::now();
    let tenant_id = turn.tenant.tenant_id.to_string();
    let _active = metrics::session_active(&tenant_id);
    let session_id = turn.session.session_id.to_string();
    let message_id = turn.assistant_message_id.clone();
    let model = turn.request.model.clone();

    let mut collected = Collected::default();
    let opened = send(&tx, Frame::Session { session_id: session_id.clone(), message_id: message_id.clone() }).await;
    let outcome = if opened { steps(&state, &turn, &tx, &mut collected).await } else { Outcome::Cancelled };
    if !opened {
        settle(&state, &turn, turn.reservation, Usage::default()).await;
    }

    let status = match (outcome, collected.text.is_empty()) {
        (Outcome::Completed, _) => MessageStatus::Complete,
        (_, true) => MessageStatus::Failed,
        (_, false) => MessageStatus::Partial,
    };
    let usage = collected.usage;
    let answer = Message {
        message_id: message_id.clone(),
        role: MessageRole::Assistant,
        content: collected.text,
        status,
        model: Some(model.clone()),
        usage: Some(usage),
        outcome: Some(outcome.as_str().into()),
        error: collected.error.as_ref().map(|(code, _)| (*code).to_owned()),
        created_at: Utc::now(),
    };
    let (store, tenant, session) = (&state.store, &turn.tenant, &turn.session.session_id);
    // Bookkeeping failures are logged: the client's stream is already decided.
    let stored = conversation::append(store, &tenant.tenant_id, session, &answer).await;
    match &stored {
        Ok(()) => {}
        Err(AppError::NotFound) => tracing::info!(session_id, "the session was deleted during its turn"),
        Err(err) => tracing::error!(error = %err, session_id, "could not store the assistant message"),
    }
    // A log without its session would be orphaned.
    let log = if matches!(stored, Err(AppError::NotFound)) { &[][..] } else { &collected.log[..] };
    for entry in log {
        if let Err(err) = conversation::append_log(store, &tenant.tenant_id, session, entry).await {
            tracing::error!(error = %err, session_id, "could not store an agent log entry");
        }
    }
    let used = usage.input_tokens + usage.output_tokens;
    metrics::tokens_used(&tenant_id, &model, used);
    metrics::chat_finished(&tenant_id, &turn.profile.agent_type, outcome.as_str(), started.elapsed());
    tracing::info!(tenant_id, session_id, outcome = outcome.as_str(), used, "chat turn ended");

    if let Some((code, message)) = collected.error {
        send(&tx, Frame::Error { code, message }).await;
    }
    send(&tx, Frame::Done { outcome, session_id, message_id, usage, model }).await;
}

/// Replaces a step's reservation with what it used; failures are logged.
async fn settle(state: &AppState, turn: &Prepared, reservation: Reservation, used: Usage) {
    let total = used.input_tokens + used.output_tokens;
    if let Err(err) = usage::settle_tokens(&state.store, &turn.tenant, reservation, total).await {
        tracing::error!(error = %err, total, "could not settle a step's tokens");
    }
}

/// Runs model steps until the model answers or a limit stops the turn.
async fn steps(state: &AppState, turn: &Prepared, tx: &mpsc::Sender<Frame>, collected: &mut Collected) -> Outcome {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(state.config.turn_max_secs);
    let mut request = turn.request.clone();
    let mut reservation = turn.reservation;
    for step in 1..=turn.profile.max_steps {
        if step > 1 {
            let allowance = u64::from(turn.profile.max_output_tokens.min(state.config.turn_max_output_tokens));
            reservation =
                match usage::reserve_tokens(&state.store, &turn.tenant, estimate(&request.messages), allowance).await {
                    Ok(reservation) => reservation,
                    Err(AppError::QuotaExceeded { quota, .. }) => {
                        collected.error = Some((quota.code(), "the tenant's token quota is used up".into()));
                        return Outcome::Failed;
                    }
                    Err(err) => {
                        collected.error = Some(("internal", format!("could not reserve tokens: {err}")));
                        return Outcome::Failed;
                    }
                };
            request.max_tokens = u32::try_from(reservation.output).unwrap_or(u32::MAX);
        }
        let (end, step_text, used) = model_step(turn, &request, tx, collected, step, deadline, reservation).await;
        settle(state, turn, reservation, used).await;
        collected.usage.input_tokens += used.input_tokens;
        collected.usage.output_tokens += used.output_tokens;
        let calls = match end {
            StepEnd::Answered(outcome) | StepEnd::Stopped(outcome) => return outcome,
            StepEnd::ToolCalls(calls) => calls,
        };
        if step == turn.profile.max_steps {
            collected.error = Some(("step_limit", format!("the agent stopped after {step} steps without an answer")));
            return Outcome::Truncated;
        }
        let mut assistant = ChatMessage::assistant(step_text);
        assistant.tool_calls = calls.clone();
        request.messages.push(assistant);
        match run_tools(turn, &calls, tx, collected, step).await {
            Some(results) => request.messages.extend(results),
            None => return Outcome::Cancelled,
        }
    }
    Outcome::Truncated
}

/// Streams one model call. Answers how it ended, its text, and its usage
/// (reported, or estimated when the provider reported none; nothing when
/// the provider never took the request).
async fn model_step(
    turn: &Prepared,
    request: &paas_shared::llm::ChatRequest,
    tx: &mpsc::Sender<Frame>,
    collected: &mut Collected,
    step: u32,
    deadline: tokio::time::Instant,
    reservation: Reservation,
) -> (StepEnd, String, Usage) {
    let mut text = String::new();
    let mut reported = None;
    let mut accepted = false;
    let mut calls = Vec::new();
    let mut finish = None;
    let end = 'step: {
        let mut events = match turn.provider.stream(request.clone()).await {
            Ok(events) => events,
            Err(err) => break 'step failed(collected, &err),
        };
        loop {
            let event = tokio::select! {
                () = tx.closed() => break 'step StepEnd::Stopped(Outcome::Cancelled),
                () = tokio::time::sleep_until(deadline) => {
                    collected.error = Some(("turn_time_limit", "the answer took longer than this platform allows; it was cut".into()));
                    break 'step StepEnd::Stopped(Outcome::Truncated);
                }
                event = events.next() => event,
            };
            accepted |= matches!(event, Some(Ok(_)));
            match event {
                None => break,
                Some(Err(err)) => break 'step failed(collected, &err),
                Some(Ok(StreamEvent::Delta(delta))) => {
                    text.push_str(&delta);
                    collected.text.push_str(&delta);
                    if !send(tx, Frame::Message(delta)).await {
                        break 'step StepEnd::Stopped(Outcome::Cancelled);
                    }
                    if estimate_tokens(&text) > reservation.output + reservation.output / 4 {
                        // A provider that ignores max_tokens is cut a little past it.
                        break 'step StepEnd::Stopped(Outcome::Truncated);
                    }
                }
                Some(Ok(StreamEvent::Reasoning(delta))) => {
                    let continues = collected.log.last().is_some_and(|e| e.kind == "reasoning" && e.step == step);
                    if !continues {
                        collected.log(turn, "reasoning", step, String::new());
                    }
                    if let Some(entry) = collected.log.last_mut() {
                        entry.text.push_str(&delta);
                    }
                    if !send(tx, Frame::Thought { kind: "reasoning", text: delta, step }).await {
                        break 'step StepEnd::Stopped(Outcome::Cancelled);
                    }
                }
                Some(Ok(StreamEvent::ToolCall(call))) => calls.push(call),
                Some(Ok(StreamEvent::Usage(usage))) => reported = Some(usage),
                Some(Ok(StreamEvent::Finished(reason))) => finish = Some(reason),
            }
        }
        match finish {
            _ if !calls.is_empty() => StepEnd::ToolCalls(calls),
            Some(FinishReason::Length) => StepEnd::Answered(Outcome::Truncated),
            _ => StepEnd::Answered(Outcome::Completed),
        }
    };
    let used = match (reported, accepted) {
        (Some(usage), _) => usage,
        (None, true) => Usage { input_tokens: reservation.input, output_tokens: estimate_tokens(&text) },
        (None, false) => Usage::default(),
    };
    (end, text, used)
}

fn failed(collected: &mut Collected, err: &LlmError) -> StepEnd {
    tracing::warn!(error = %err, "provider failed");
    collected.error = Some((err.code(), err.to_string()));
    StepEnd::Stopped(Outcome::Failed)
}

/// Runs a step's tool calls concurrently, streaming each call and result as
/// a thought; answers the tool messages for the next step, or `None` when
/// the client left.
async fn run_tools(
    turn: &Prepared,
    calls: &[ToolCall],
    tx: &mpsc::Sender<Frame>,
    collected: &mut Collected,
    step: u32,
) -> Option<Vec<ChatMessage>> {
    for call in calls {
        let text = format!("{}({})", call.name, call.arguments);
        collected.log(turn, "tool_call", step, text.clone());
        if !send(tx, Frame::Thought { kind: "tool_call", text, step }).await {
            return None;
        }
    }
    let runs = calls.iter().map(|call| {
        let span = genai::tool_span(&call.name, &call.id);
        let failed = span.clone();
        async move {
            let outcome = match turn.tools.iter().find(|t| t.spec().name == call.name) {
                Some(tool) => tools::run(tool.as_ref(), &call.arguments, &turn.tool_context).await,
                None => {
                    tools::ToolOutcome { ok: false, output: format!("error: there is no tool named {:?}", call.name) }
                }
            };
            if !outcome.ok {
                genai::record_error(&failed, "tool_error");
            }
            outcome
        }
        .instrument(span)
    });
    let outcomes = futures::future::join_all(runs).await;
    let mut messages = Vec::with_capacity(calls.len());
    for (call, outcome) in calls.iter().zip(outcomes) {
        collected.log(turn, "tool_result", step, outcome.output.clone());
        if !send(tx, Frame::Thought { kind: "tool_result", text: outcome.output.clone(), step }).await {
            return None;
        }
        messages.push(ChatMessage::tool_result(call.id.clone(), outcome.output));
    }
    Some(messages)
}

/// The tools a turn offers, resolved once before it starts.
pub type TurnTools = Vec<Arc<dyn Tool>>;
