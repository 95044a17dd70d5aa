//! One turn's stream, run as its own task so it finishes its bookkeeping
//! whatever the client does: frames go into a channel the response body
//! reads; when the client goes away the channel closes, the task stops the
//! provider at once (dropping its request) and still stores what was
//! streamed and counts the tokens used.

use std::time::{Duration, Instant};

use chrono::Utc;
use futures::StreamExt;
use paas_shared::conversation::{self, LogEntry, Message, MessageRole, MessageStatus};
use paas_shared::identity::usage;
use paas_shared::llm::{FinishReason, LlmError, StreamEvent, Usage, estimate_tokens};
use paas_shared::{AppState, metrics};
use tokio::sync::mpsc;

use crate::frames::{Frame, Outcome};
use crate::prepare::Prepared;

/// What the provider produced, gathered as it streams.
#[derive(Default)]
struct Collected {
    /// Whether the provider took the request; one refused up front used no tokens.
    accepted: bool,
    text: String,
    usage: Option<Usage>,
    log: Vec<LogEntry>,
    step: u32,
    error: Option<(&'static str, String)>,
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
    let input_estimate = turn.reservation.input;
    let output_cap = turn.reservation.output;

    let mut collected = Collected::default();
    let opened = send(&tx, Frame::Session { session_id: session_id.clone(), message_id: message_id.clone() }).await;
    let outcome =
        if opened { stream(&state, &turn, &tx, &mut collected, output_cap).await } else { Outcome::Cancelled };

    let usage = match (collected.usage, collected.accepted) {
        (Some(reported), _) => reported,
        (None, true) => Usage { input_tokens: input_estimate, output_tokens: estimate_tokens(&collected.text) },
        (None, false) => Usage::default(),
    };
    let status = match (outcome, collected.text.is_empty()) {
        (Outcome::Completed, _) => MessageStatus::Complete,
        (_, true) => MessageStatus::Failed,
        (_, false) => MessageStatus::Partial,
    };
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
    let store = &state.store;
    let tenant = &turn.tenant;
    let session = &turn.session.session_id;
    // Bookkeeping failures are logged: the client's stream is already decided.
    if let Err(err) = conversation::append(store, &tenant.tenant_id, session, &answer).await {
        tracing::error!(error = %err, session_id, "could not store the assistant message");
    }
    for entry in &collected.log {
        if let Err(err) = conversation::append_log(store, &tenant.tenant_id, session, entry).await {
            tracing::error!(error = %err, session_id, "could not store an agent log entry");
        }
    }
    let used = usage.input_tokens + usage.output_tokens;
    if let Err(err) = usage::settle_tokens(store, tenant, turn.reservation, used).await {
        tracing::error!(error = %err, session_id, used, "could not settle the turn's tokens");
    }
    metrics::tokens_used(&tenant_id, &model, used);
    metrics::chat_finished(&tenant_id, turn.profile.agent_type, outcome.as_str(), started.elapsed());
    tracing::info!(tenant_id, session_id, outcome = outcome.as_str(), used, "chat turn ended");

    if let Some((code, message)) = collected.error {
        send(&tx, Frame::Error { code, message }).await;
    }
    send(&tx, Frame::Done { outcome, session_id, message_id, usage, model }).await;
}

/// Relays the provider's stream until it ends, fails, hits a cap, or the client leaves.
async fn stream(
    state: &AppState,
    turn: &Prepared,
    tx: &mpsc::Sender<Frame>,
    collected: &mut Collected,
    output_cap: u64,
) -> Outcome {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(state.config.turn_max_secs);
    let mut events = match turn.provider.stream(turn.request.clone()).await {
        Ok(events) => events,
        Err(err) => return failed(collected, &err),
    };
    let mut outcome = None;
    loop {
        let event = tokio::select! {
            () = tx.closed() => return Outcome::Cancelled,
            () = tokio::time::sleep_until(deadline) => {
                collected.error = Some(("turn_time_limit", "the answer took longer than this platform allows; it was cut".into()));
                return Outcome::Truncated;
            }
            event = events.next() => event,
        };
        collected.accepted |= matches!(event, Some(Ok(_)));
        match event {
            // The provider's stream ended after its finish (usage may follow the finish).
            None => return outcome.unwrap_or(Outcome::Completed),
            Some(Err(err)) => return failed(collected, &err),
            Some(Ok(StreamEvent::Delta(text))) => {
                collected.text.push_str(&text);
                if !send(tx, Frame::Message(text)).await {
                    return Outcome::Cancelled;
                }
                if estimate_tokens(&collected.text) > output_cap + output_cap / 4 {
                    // A provider that ignores max_tokens is cut a little past it.
                    return Outcome::Truncated;
                }
            }
            Some(Ok(StreamEvent::Reasoning(text))) => {
                if collected.log.last().is_none_or(|e| e.kind != "reasoning") {
                    collected.step += 1;
                    collected.log.push(log_entry(turn, "reasoning", collected.step));
                }
                if let Some(entry) = collected.log.last_mut() {
                    entry.text.push_str(&text);
                }
                if !send(tx, Frame::Thought { kind: "reasoning", text, step: collected.step }).await {
                    return Outcome::Cancelled;
                }
            }
            Some(Ok(StreamEvent::ToolCall(_))) => {
                // No tools are offered to the model yet, so a call is a protocol error.
                return failed(collected, &LlmError::Protocol("the model called a tool that was not offered".into()));
            }
            Some(Ok(StreamEvent::Usage(usage))) => collected.usage = Some(usage),
            Some(Ok(StreamEvent::Finished(reason))) => {
                outcome = Some(match reason {
                    FinishReason::Length => Outcome::Truncated,
                    _ => Outcome::Completed,
                });
            }
        }
    }
}

fn failed(collected: &mut Collected, err: &LlmError) -> Outcome {
    tracing::warn!(error = %err, "provider failed");
    collected.error = Some((err.code(), err.to_string()));
    Outcome::Failed
}

fn log_entry(turn: &Prepared, kind: &str, step: u32) -> LogEntry {
    LogEntry {
        entry_id: ulid::Ulid::new().to_string(),
        message_id: turn.assistant_message_id.clone(),
        kind: kind.into(),
        text: String::new(),
        step,
        created_at: Utc::now(),
    }
}
