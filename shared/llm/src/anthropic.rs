//! The Anthropic Messages wire format.

use std::collections::{BTreeMap, VecDeque};

use async_trait::async_trait;
use eventsource_stream::Event;
use reqwest::header::{HeaderName, HeaderValue};
use serde::{Deserialize, Serialize};

use super::config::{ProviderConfig, ProviderKind};
use super::error::LlmError;
use super::sse::{self, Decoder, Progress};
use super::types::{ChatMessage, ChatRequest, FinishReason, MessageRole, StreamEvent, ToolCall, ToolSpec, Usage};
use super::{LlmProvider, LlmStream, upstream};

const API_VERSION: &str = "2023-06-01";

pub(crate) struct AnthropicProvider {
    endpoint: upstream::Endpoint,
}

impl AnthropicProvider {
    pub(crate) fn new(config: ProviderConfig, http: reqwest::Client) -> Self {
        Self { endpoint: upstream::Endpoint::new(config, http) }
    }
}

#[async_trait]
impl LlmProvider for AnthropicProvider {
    async fn stream(&self, request: ChatRequest) -> Result<LlmStream, LlmError> {
        let model = if request.model.is_empty() { ProviderKind::Anthropic.default_model() } else { &request.model };
        let body = serde_json::to_vec(&WireRequest::new(model, &request))
            .map_err(|_| LlmError::Protocol("cannot encode the request".into()))?;
        let mut headers = vec![(HeaderName::from_static("anthropic-version"), HeaderValue::from_static(API_VERSION))];
        headers.extend(self.endpoint.key_header(HeaderName::from_static("x-api-key"), str::to_owned)?);
        self.endpoint.stream(self.name(), "/messages", body, headers, EventDecoder::default()).await
    }

    fn name(&self) -> &'static str {
        ProviderKind::Anthropic.as_str()
    }
}

#[derive(Serialize)]
struct WireRequest<'a> {
    model: &'a str,
    max_tokens: u32,
    /// Anthropic takes the system prompt beside the turns, not among them.
    #[serde(skip_serializing_if = "Option::is_none")]
    system: Option<String>,
    messages: Vec<WireMessage<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    temperature: Option<f32>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tools: Vec<WireTool<'a>>,
    stream: bool,
}

impl<'a> WireRequest<'a> {
    fn new(model: &'a str, request: &'a ChatRequest) -> Self {
        let system: Vec<&str> = request
            .messages
            .iter()
            .filter(|message| message.role == MessageRole::System && !message.content.is_empty())
            .map(|message| message.content.as_str())
            .collect();
        Self {
            model,
            max_tokens: request.max_tokens,
            system: (!system.is_empty()).then(|| system.join("\n\n")),
            messages: turns(&request.messages),
            temperature: request.temperature,
            tools: request.tools.iter().map(WireTool::from).collect(),
            stream: true,
        }
    }
}

#[derive(Serialize)]
struct WireMessage<'a> {
    role: &'static str,
    content: Vec<Block<'a>>,
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Block<'a> {
    Text { text: &'a str },
    ToolUse { id: &'a str, name: &'a str, input: serde_json::Value },
    ToolResult { tool_use_id: &'a str, content: &'a str },
}

/// The conversation as Anthropic turns: tool results are user content, and
/// consecutive messages of one role merge into one turn (parallel tool
/// results must all sit in the turn after the calls).
fn turns(messages: &[ChatMessage]) -> Vec<WireMessage<'_>> {
    let mut turns: Vec<WireMessage<'_>> = Vec::new();
    for message in messages {
        let text = (!message.content.is_empty()).then_some(Block::Text { text: &message.content });
        let (role, blocks): (_, Vec<Block<'_>>) = match message.role {
            MessageRole::System => continue,
            MessageRole::User => ("user", text.into_iter().collect()),
            MessageRole::Assistant => {
                ("assistant", text.into_iter().chain(message.tool_calls.iter().map(tool_use)).collect())
            }
            MessageRole::Tool => (
                "user",
                vec![Block::ToolResult {
                    tool_use_id: message.tool_call_id.as_deref().unwrap_or_default(),
                    content: &message.content,
                }],
            ),
        };
        if blocks.is_empty() {
            continue;
        }
        match turns.last_mut() {
            Some(last) if last.role == role => last.content.extend(blocks),
            _ => turns.push(WireMessage { role, content: blocks }),
        }
    }
    turns
}

/// Anthropic wants the arguments as an object; arguments the model garbled
/// go back as an empty one rather than failing the whole conversation.
fn tool_use(call: &ToolCall) -> Block<'_> {
    let input = serde_json::from_str::<serde_json::Value>(&call.arguments)
        .ok()
        .filter(serde_json::Value::is_object)
        .unwrap_or_else(|| serde_json::json!({}));
    Block::ToolUse { id: &call.id, name: &call.name, input }
}

#[derive(Serialize)]
struct WireTool<'a> {
    name: &'a str,
    description: &'a str,
    input_schema: &'a serde_json::Value,
}

impl<'a> From<&'a ToolSpec> for WireTool<'a> {
    fn from(tool: &'a ToolSpec) -> Self {
        Self { name: &tool.name, description: &tool.description, input_schema: &tool.parameters }
    }
}

/// One streamed event, told apart by its `type` (the SSE event name repeats it).
#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum WireEvent {
    MessageStart {
        message: StartedMessage,
    },
    ContentBlockStart {
        index: usize,
        content_block: StartedBlock,
    },
    ContentBlockDelta {
        index: usize,
        delta: BlockDelta,
    },
    ContentBlockStop {
        index: usize,
    },
    MessageDelta {
        delta: MessageDelta,
        usage: Option<OutputUsage>,
    },
    MessageStop,
    Error {
        error: WireError,
    },
    /// `ping` and event types added after this was written.
    #[serde(other)]
    Ignored,
}

#[derive(Deserialize)]
struct StartedMessage {
    #[serde(default)]
    usage: InputUsage,
}

/// Cached prompt tokens are input too; any of these may be null.
#[derive(Default, Deserialize)]
struct InputUsage {
    input_tokens: Option<u64>,
    cache_creation_input_tokens: Option<u64>,
    cache_read_input_tokens: Option<u64>,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum StartedBlock {
    Text {
        #[serde(default)]
        text: String,
    },
    ToolUse {
        id: String,
        name: String,
    },
    Thinking {
        #[serde(default)]
        thinking: String,
    },
    /// Redacted thinking, server tools…: nothing to show.
    #[serde(other)]
    Ignored,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum BlockDelta {
    TextDelta {
        text: String,
    },
    InputJsonDelta {
        partial_json: String,
    },
    ThinkingDelta {
        thinking: String,
    },
    /// Signatures, citations…
    #[serde(other)]
    Ignored,
}

#[derive(Deserialize)]
struct MessageDelta {
    stop_reason: Option<String>,
}

#[derive(Deserialize)]
struct OutputUsage {
    output_tokens: Option<u64>,
}

#[derive(Deserialize)]
struct WireError {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    message: String,
}

/// Tracks open tool_use blocks and holds usage and the stop reason until
/// `message_stop`, so they come last and once.
#[derive(Default)]
struct EventDecoder {
    /// Open tool_use blocks by content-block index, arguments accumulating.
    tool_calls: BTreeMap<usize, ToolCall>,
    usage: Usage,
    finish: Option<FinishReason>,
}

impl Decoder for EventDecoder {
    fn decode(&mut self, event: &Event, out: &mut VecDeque<StreamEvent>) -> Result<Progress, LlmError> {
        if event.data.trim().is_empty() {
            return Ok(Progress::More);
        }
        match sse::parse("Anthropic", event)? {
            WireEvent::MessageStart { message } => {
                let usage = message.usage;
                self.usage.input_tokens =
                    [usage.input_tokens, usage.cache_creation_input_tokens, usage.cache_read_input_tokens]
                        .into_iter()
                        .flatten()
                        .sum();
            }
            WireEvent::ContentBlockStart { index, content_block } => match content_block {
                StartedBlock::Text { text } => out.extend(non_empty(text).map(StreamEvent::Delta)),
                StartedBlock::Thinking { thinking } => out.extend(non_empty(thinking).map(StreamEvent::Reasoning)),
                StartedBlock::ToolUse { id, name } => {
                    self.tool_calls.insert(index, ToolCall { id, name, arguments: String::new() });
                }
                StartedBlock::Ignored => {}
            },
            WireEvent::ContentBlockDelta { index, delta } => match delta {
                BlockDelta::TextDelta { text } => out.extend(non_empty(text).map(StreamEvent::Delta)),
                BlockDelta::ThinkingDelta { thinking } => out.extend(non_empty(thinking).map(StreamEvent::Reasoning)),
                BlockDelta::InputJsonDelta { partial_json } => match self.tool_calls.get_mut(&index) {
                    Some(call) => call.arguments.push_str(&partial_json),
                    None => return Err(LlmError::Protocol("input_json_delta outside a tool_use block".into())),
                },
                BlockDelta::Ignored => {}
            },
            WireEvent::ContentBlockStop { index } => {
                if let Some(mut call) = self.tool_calls.remove(&index) {
                    // A tool without parameters streams no JSON at all.
                    if call.arguments.trim().is_empty() {
                        call.arguments = "{}".to_owned();
                    }
                    out.push_back(StreamEvent::ToolCall(call));
                }
            }
            WireEvent::MessageDelta { delta, usage } => {
                self.finish = delta.stop_reason.as_deref().map(finish_reason).or(self.finish.take());
                if let Some(output_tokens) = usage.and_then(|usage| usage.output_tokens) {
                    self.usage.output_tokens = output_tokens;
                }
            }
            WireEvent::MessageStop => {
                let finish =
                    self.finish.take().ok_or_else(|| LlmError::Protocol("message_stop before a stop_reason".into()))?;
                out.push_back(StreamEvent::Usage(self.usage));
                out.push_back(StreamEvent::Finished(finish));
                return Ok(Progress::Done);
            }
            WireEvent::Error { error } => {
                return Err(LlmError::from_status(error_status(&error.kind), None, error.message));
            }
            WireEvent::Ignored => {}
        }
        Ok(Progress::More)
    }
}

fn non_empty(text: String) -> Option<String> {
    (!text.is_empty()).then_some(text)
}

fn finish_reason(reason: &str) -> FinishReason {
    match reason {
        "end_turn" | "stop_sequence" => FinishReason::Stop,
        "max_tokens" => FinishReason::Length,
        "tool_use" => FinishReason::ToolCalls,
        other => FinishReason::Other(other.to_owned()),
    }
}

/// The HTTP status Anthropic documents for each error type, so a mid-stream
/// error maps like the same error before the stream.
fn error_status(kind: &str) -> u16 {
    match kind {
        "invalid_request_error" => 400,
        "authentication_error" => 401,
        "permission_error" => 403,
        "not_found_error" => 404,
        "request_too_large" => 413,
        "rate_limit_error" => 429,
        "overloaded_error" => 529,
        _ => 500,
    }
}
