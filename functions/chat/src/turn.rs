//! One turn's stream, run as its own task so it finishes its bookkeeping
//! whatever the client does: frames go into a channel the response body
//! reads; when the client goes away the channel closes, the task stops the
//! provider at once (dropping its request) and still stores what was
//! streamed and counts the tokens used.
//!
//! A turn is a bounded loop of model steps: a step that ends in tool calls
//! runs the tools (a few at a time), streams each call and result as a
//! `thought`, and asks the model again, until it answers, the agent's step
//! limit is reached, a cap is hit (see [`crate::caps`]), or the turn's one
//! deadline passes: connecting, retries, tool runs and sending to a slow
//! client all count against it, so the bookkeeping after it always ends
//! before the function's timeout.
//!
//! Every step reserves its tokens before the call (through the turn's
//! [`TurnBudget`]) and is charged after it at the larger of what the
//! provider reported and a floor the platform counts itself: the input it
//! sent, and the text, reasoning and tool calls it relayed. A provider that
//! ignores `max_tokens` is cut at the allowance.

use std::time::{Duration, Instant};

use chrono::Utc;
use futures::StreamExt;
use paas_core::conversation::{self, LogEntry, Message, MessageRole, MessageStatus};
use paas_core::metering::turn_budget::TurnBudget;
use paas_core::{AppError, AppState, metrics};
use paas_llm::genai;
use paas_llm::tools;
use paas_llm::{
    ChatMessage, ChatRequest, FinishReason, LlmError, StreamEvent, TokenTally, ToolCall, Usage, estimate_request,
};
use tracing::Instrument;

use crate::caps::{self, Breach};
use crate::frames::{Frame, FrameSender};
use crate::prepare::Prepared;
use paas_core::conversation::{ThoughtKind, TurnOutcome as Outcome};

/// How long the last frames (`error`, `done`) may wait for a slow client
/// once the turn is over.
const FINAL_FRAMES_WAIT: Duration = Duration::from_secs(2);

/// What the turn produced, gathered as it streams.
#[derive(Default)]
struct Collected {
    text: String,
    usage: Usage,
    log: Vec<LogEntry>,
    /// Log entries sort by id: one generator keeps them in order within a millisecond.
    log_ids: ulid::Generator,
    error: Option<(&'static str, String)>,
    /// Bytes of text, reasoning and tool-call arguments relayed so far.
    relayed: usize,
    reasoning: usize,
    tool_calls: usize,
}

impl Collected {
    fn log(&mut self, turn: &Prepared, kind: ThoughtKind, step: u32, text: String) {
        let entry_id = self.log_ids.generate().unwrap_or_else(|_| ulid::Ulid::new()).to_string();
        self.log.push(LogEntry {
            entry_id,
            message_id: turn.assistant_message_id.clone(),
            kind,
            text,
            step,
            created_at: Utc::now(),
        });
    }

    fn breach(&mut self, breach: Breach) -> StepEnd {
        self.error = Some((breach.code(), breach.message()));
        StepEnd::Stopped(Outcome::Truncated)
    }

    /// How a turn ends when frames stop flowing.
    fn stopped(&mut self, stop: Stop) -> Outcome {
        match stop {
            Stop::Gone => Outcome::Cancelled,
            Stop::Late => {
                self.error =
                    Some(("turn_time_limit", "the answer took longer than this platform allows; it was cut".into()));
                Outcome::Truncated
            }
        }
    }

    fn failed(&mut self, err: &LlmError) -> StepEnd {
        tracing::warn!(error = %err, "provider failed");
        self.error = Some((err.code(), err.to_string()));
        StepEnd::Stopped(Outcome::Failed)
    }
}

/// How one model step ended.
enum StepEnd {
    Answered(Outcome),
    ToolCalls(Vec<ToolCall>),
    Stopped(Outcome),
}

/// Why frames stopped flowing.
#[derive(Clone, Copy)]
enum Stop {
    /// The client went away.
    Gone,
    /// The turn's deadline passed (a slow client too).
    Late,
}

/// The frames' way to the client, within the turn's deadline.
struct Relay<'a> {
    tx: &'a FrameSender,
    deadline: tokio::time::Instant,
}

impl Relay<'_> {
    async fn send(&self, frame: Frame) -> Result<(), Stop> {
        match tokio::time::timeout_at(self.deadline, self.tx.send(Box::new(frame))).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(Stop::Gone),
            Err(_) => Err(Stop::Late),
        }
    }
}

/// Runs the turn to its end as the task its stream reads from.
///
/// A task holds room for its future's largest state for as long as it runs, and
/// every open stream has one: the bookkeeping after the stream (storing,
/// closing, the last frames) is boxed, so it takes memory only while it runs.
pub async fn run(state: AppState, turn: Box<Prepared>, mut budget: TurnBudget, tx: FrameSender) {
    let started = Instant::now();
    let _active = metrics::session_active(&turn.tenant.tenant_id.to_string());
    let relay = Relay { tx: &tx, deadline: turn.deadline };
    let mut collected = Collected::default();
    let opening = Frame::Session {
        session_id: turn.session.session_id.to_string(),
        message_id: turn.assistant_message_id.clone(),
    };
    let (outcome, unsettled) = match relay.send(opening).await {
        Ok(()) => steps(&turn, &mut budget, &relay, &mut collected).await,
        Err(stop) => (collected.stopped(stop), 0),
    };
    let ended = Ended { outcome, unsettled, collected, started };
    Box::pin(finish(&state, &turn, budget, &tx, ended)).await;
}

/// How a turn's steps ended: what its bookkeeping records.
struct Ended {
    outcome: Outcome,
    /// What the last step used, for closing the budget to settle.
    unsettled: u64,
    collected: Collected,
    started: Instant,
}

/// Stores the answer and the agent log, settles and closes the budget, and
/// sends the last frames (`error`, `done`).
async fn finish(state: &AppState, turn: &Prepared, budget: TurnBudget, tx: &FrameSender, ended: Ended) {
    let Ended { outcome, unsettled, collected, started } = ended;
    let tenant_id = turn.tenant.tenant_id.to_string();
    let session_id = turn.session.session_id.to_string();
    let message_id = turn.assistant_message_id.clone();
    let model = turn.request.model.clone();
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
        outcome: Some(outcome),
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
    // The log is written only while its session lives (each write checks), so a deleted session gets none.
    if !matches!(stored, Err(AppError::NotFound)) {
        match conversation::append_log(store, &tenant.tenant_id, session, &collected.log).await {
            Ok(()) => {}
            Err(AppError::NotFound) => tracing::info!(session_id, "the session was deleted during its turn"),
            Err(err) => tracing::error!(error = %err, session_id, "could not store the turn's agent log"),
        }
    }
    if let Err(err) = budget.close(unsettled).await {
        tracing::error!(error = %err, unsettled, "could not settle the turn's tokens");
    }
    let used = usage.input_tokens + usage.output_tokens;
    metrics::tokens_used(&tenant_id, &model, used);
    metrics::chat_finished(&tenant_id, &turn.profile.agent_type, outcome.as_str(), started.elapsed());
    tracing::info!(tenant_id, session_id, outcome = outcome.as_str(), used, "chat turn ended");

    let last = collected.error.map(|(code, message)| Frame::Error { code, message });
    for frame in last.into_iter().chain([Frame::Done { outcome, session_id, message_id, usage: usage.into(), model }]) {
        if !matches!(tokio::time::timeout(FINAL_FRAMES_WAIT, tx.send(Box::new(frame))).await, Ok(Ok(()))) {
            break;
        }
    }
}

/// Runs model steps until the model answers or a limit stops the turn.
/// Answers the outcome and what the last step used, which closing the
/// budget settles (earlier steps are settled as the next one is reserved).
async fn steps(
    turn: &Prepared,
    budget: &mut TurnBudget,
    relay: &Relay<'_>,
    collected: &mut Collected,
) -> (Outcome, u64) {
    let mut request = turn.request.clone();
    let mut unsettled = 0;
    for step in 1..=turn.profile.max_steps {
        if step > 1 {
            if let Err(err) = budget.settle(unsettled).await {
                // Closing the budget settles it again; a next step would need a reservation it cannot take.
                tracing::error!(error = %err, unsettled, "could not settle a step's tokens");
                collected.error = Some(("internal", "could not count the tokens of the last step".into()));
                return (Outcome::Failed, unsettled);
            }
            match budget.reserve(estimate_request(&request), turn.max_output).await {
                Ok(reservation) => request.max_tokens = u32::try_from(reservation.output).unwrap_or(u32::MAX),
                Err(AppError::QuotaExceeded { quota, .. }) => {
                    collected.error = Some((quota.code(), "the tenant's token quota is used up".into()));
                    return (Outcome::Failed, 0);
                }
                Err(err) => {
                    tracing::error!(error = %err, "could not reserve a step's tokens");
                    collected.error = Some(("internal", "could not reserve tokens for the next step".into()));
                    return (Outcome::Failed, 0);
                }
            }
        }
        let Some(reservation) = budget.reservation() else { return (Outcome::Failed, 0) };
        // The step's text is the tail of the answer: kept once, copied only when tools follow.
        let step_start = collected.text.len();
        let (end, used) = model_step(turn, &request, relay, collected, step, reservation).await;
        unsettled = used.input_tokens + used.output_tokens;
        collected.usage.input_tokens = collected.usage.input_tokens.saturating_add(used.input_tokens);
        collected.usage.output_tokens = collected.usage.output_tokens.saturating_add(used.output_tokens);
        let calls = match end {
            StepEnd::Answered(outcome) | StepEnd::Stopped(outcome) => return (outcome, unsettled),
            StepEnd::ToolCalls(calls) => calls,
        };
        if step == turn.profile.max_steps {
            collected.error = Some(("step_limit", format!("the agent stopped after {step} steps without an answer")));
            return (Outcome::Truncated, unsettled);
        }
        let mut assistant = ChatMessage::assistant(collected.text[step_start..].to_owned());
        assistant.tool_calls = calls.clone();
        request.messages.push(assistant);
        match run_tools(turn, &calls, relay, collected, step).await {
            Ok(results) => request.messages.extend(results),
            Err(stop) => return (collected.stopped(stop), unsettled),
        }
    }
    (Outcome::Truncated, unsettled)
}

/// The part of `delta` that fits both the step's output allowance and the
/// byte caps in `rooms` (bytes left, and the breach when one cuts it),
/// added to `output`; with the breach, when something did not fit.
fn admit(
    output: &mut TokenTally,
    allowance: u64,
    mut delta: String,
    rooms: &[(usize, Breach)],
) -> (String, Option<Breach>) {
    let mut end = output.fitting(&delta, allowance);
    let mut breach = (end < delta.len()).then_some(Breach::OutputLimit);
    for &(room, cap) in rooms {
        if room < end {
            end = delta.floor_char_boundary(room);
            breach = Some(cap);
        }
    }
    delta.truncate(end);
    output.add(&delta);
    (delta, breach)
}

/// Streams one model call, appending its text to `collected.text`. Answers
/// how it ended and what it is charged: per direction, the larger of the
/// provider's report and the platform's own count (nothing when the provider
/// never took the request).
async fn model_step(
    turn: &Prepared,
    request: &ChatRequest,
    relay: &Relay<'_>,
    collected: &mut Collected,
    step: u32,
    reservation: paas_core::metering::turn_budget::Reservation,
) -> (StepEnd, Usage) {
    let mut output = TokenTally::default();
    let mut reported = None;
    let mut accepted = false;
    let mut calls: Vec<ToolCall> = Vec::new();
    let mut finish = None;
    let end = 'step: {
        let mut events = match tokio::time::timeout_at(relay.deadline, turn.provider.stream(request.clone())).await {
            Err(_) => break 'step StepEnd::Stopped(collected.stopped(Stop::Late)),
            Ok(Err(err)) => break 'step collected.failed(&err),
            Ok(Ok(events)) => events,
        };
        loop {
            let event = tokio::select! {
                () = relay.tx.closed() => break 'step StepEnd::Stopped(Outcome::Cancelled),
                () = tokio::time::sleep_until(relay.deadline) => break 'step StepEnd::Stopped(collected.stopped(Stop::Late)),
                event = events.next() => event,
            };
            accepted |= matches!(event, Some(Ok(_)));
            let turn_room = caps::MAX_TURN_BYTES.saturating_sub(collected.relayed);
            match event {
                None => break,
                Some(Err(err)) => break 'step collected.failed(&err),
                Some(Ok(StreamEvent::Delta(delta))) => {
                    let (piece, breach) =
                        admit(&mut output, reservation.output, delta, &[(turn_room, Breach::TurnBytes)]);
                    collected.relayed += piece.len();
                    if !piece.is_empty() {
                        collected.text.push_str(&piece);
                        if let Err(stop) = relay.send(Frame::Message(piece)).await {
                            break 'step StepEnd::Stopped(collected.stopped(stop));
                        }
                    }
                    if let Some(breach) = breach {
                        break 'step collected.breach(breach);
                    }
                }
                Some(Ok(StreamEvent::Reasoning(delta))) => {
                    let reasoning_room = caps::MAX_REASONING_BYTES.saturating_sub(collected.reasoning);
                    let rooms = [(turn_room, Breach::TurnBytes), (reasoning_room, Breach::Reasoning)];
                    let (piece, breach) = admit(&mut output, reservation.output, delta, &rooms);
                    collected.relayed += piece.len();
                    collected.reasoning += piece.len();
                    if !piece.is_empty() {
                        let continues =
                            collected.log.last().is_some_and(|e| e.kind == ThoughtKind::Reasoning && e.step == step);
                        if !continues {
                            collected.log(turn, ThoughtKind::Reasoning, step, String::new());
                        }
                        if let Some(entry) = collected.log.last_mut() {
                            entry.text.push_str(&piece);
                        }
                        if let Err(stop) =
                            relay.send(Frame::Thought { kind: ThoughtKind::Reasoning, text: piece, step }).await
                        {
                            break 'step StepEnd::Stopped(collected.stopped(stop));
                        }
                    }
                    if let Some(breach) = breach {
                        break 'step collected.breach(breach);
                    }
                }
                Some(Ok(StreamEvent::ToolCall(call))) => {
                    // Counted as the model produced it, run or not.
                    output.add(&call.name);
                    output.add(&call.arguments);
                    collected.relayed += call.arguments.len();
                    collected.tool_calls += 1;
                    let breach = if call.arguments.len() > caps::MAX_TOOL_ARGUMENT_BYTES {
                        Some(Breach::ToolArguments)
                    } else if calls.len() >= caps::MAX_TOOL_CALLS_PER_STEP
                        || collected.tool_calls > caps::MAX_TOOL_CALLS_PER_TURN
                    {
                        Some(Breach::ToolCalls)
                    } else if collected.relayed > caps::MAX_TURN_BYTES {
                        Some(Breach::TurnBytes)
                    } else if output.tokens() > reservation.output {
                        Some(Breach::OutputLimit)
                    } else {
                        None
                    };
                    if let Some(breach) = breach {
                        break 'step collected.breach(breach);
                    }
                    calls.push(call);
                }
                Some(Ok(StreamEvent::Usage(usage))) => {
                    reported = Some(Usage {
                        input_tokens: usage.input_tokens.min(caps::MAX_REPORTED_TOKENS),
                        output_tokens: usage.output_tokens.min(caps::MAX_REPORTED_TOKENS),
                    });
                }
                Some(Ok(StreamEvent::Finished(reason))) => finish = Some(reason),
            }
        }
        match finish {
            _ if !calls.is_empty() => StepEnd::ToolCalls(calls),
            Some(FinishReason::Length) => StepEnd::Answered(Outcome::Truncated),
            _ => StepEnd::Answered(Outcome::Completed),
        }
    };
    let floor = Usage { input_tokens: if accepted { reservation.input } else { 0 }, output_tokens: output.tokens() };
    let used = match reported {
        Some(reported) => Usage {
            input_tokens: reported.input_tokens.max(floor.input_tokens),
            output_tokens: reported.output_tokens.max(floor.output_tokens),
        },
        None => floor,
    };
    (end, used)
}

/// Runs a step's tool calls, a few at a time, streaming each call and
/// result as a thought; answers the tool messages for the next step.
async fn run_tools(
    turn: &Prepared,
    calls: &[ToolCall],
    relay: &Relay<'_>,
    collected: &mut Collected,
    step: u32,
) -> Result<Vec<ChatMessage>, Stop> {
    for call in calls {
        let text = format!("{}({})", call.name, call.arguments);
        collected.log(turn, ThoughtKind::ToolCall, step, text.clone());
        relay.send(Frame::Thought { kind: ThoughtKind::ToolCall, text, step }).await?;
    }
    let runs: Vec<_> = calls
        .iter()
        .map(|call| {
            let span = genai::tool_span(&call.name, &call.id);
            let failed = span.clone();
            async move {
                let outcome = match turn.tools.iter().find(|t| t.spec().name == call.name) {
                    Some(tool) => tools::run(tool.as_ref(), &call.arguments, &turn.tool_context).await,
                    None => tools::ToolOutcome {
                        ok: false,
                        output: format!("error: there is no tool named {:?}", call.name),
                    },
                };
                if !outcome.ok {
                    genai::record_error(&failed, "tool_error");
                }
                outcome
            }
            .instrument(span)
        })
        .collect();
    let running = futures::stream::iter(runs).buffered(caps::MAX_CONCURRENT_TOOL_RUNS).collect::<Vec<_>>();
    let outcomes = tokio::time::timeout_at(relay.deadline, running).await.map_err(|_| Stop::Late)?;
    let mut messages = Vec::with_capacity(calls.len());
    for (call, outcome) in calls.iter().zip(outcomes) {
        collected.log(turn, ThoughtKind::ToolResult, step, outcome.output.clone());
        relay.send(Frame::Thought { kind: ThoughtKind::ToolResult, text: outcome.output.clone(), step }).await?;
        messages.push(ChatMessage::tool_result(call.id.clone(), outcome.output));
    }
    Ok(messages)
}
