//! The OpenAI chat-completions wire format, which OpenAI, Zhipu GLM,
//! DeepSeek, Ollama, vLLM and most self-hosted servers speak.

use std::collections::{BTreeMap, VecDeque};

use async_trait::async_trait;
use eventsource_stream::Event;
use reqwest::header::AUTHORIZATION;
use serde::{Deserialize, Serialize};

use super::config::{ProviderConfig, ProviderKind};
use super::error::LlmError;
use super::sse::{self, Decoder, Progress};
use super::types::{ChatMessage, ChatRequest, FinishReason, MessageRole, StreamEvent, ToolCall, ToolSpec, Usage};
use super::{LlmProvider, LlmStream, upstream};

pub(crate) struct OpenAiProvider {
    kind: ProviderKind,
    endpoint: upstream::Endpoint,
}

impl OpenAiProvider {
    pub(crate) fn new(config: ProviderConfig, http: reqwest::Client) -> Self {
        Self { kind: config.kind, endpoint: upstream::Endpoint::new(config, http) }
    }
}

#[async_trait]
impl LlmProvider for OpenAiProvider {
    async fn stream(&self, request: ChatRequest) -> Result<LlmStream, LlmError> {
        let model = if request.model.is_empty() { self.kind.default_model() } else { &request.model };
        let body = serde_json::to_vec(&WireRequest::new(model, &request))
            .map_err(|_| LlmError::Protocol("cannot encode the request".into()))?;
        // Servers without auth (Ollama, vLLM) get no header at all.
        let headers = self.endpoint.key_header(AUTHORIZATION, |key| format!("Bearer {key}"))?.into_iter().collect();
        self.endpoint.stream(self.name(), "/chat/completions", body, headers, ChunkDecoder::default()).await
    }

    fn name(&self) -> &'static str {
        self.kind.as_str()
    }
}

#[derive(Serialize)]
struct WireRequest<'a> {
    model: &'a str,
    messages: Vec<WireMessage<'a>>,
    max_tokens: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    temperature: Option<f32>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tools: Vec<WireTool<'a>>,
    stream: bool,
    stream_options: StreamOptions,
}

impl<'a> WireRequest<'a> {
    fn new(model: &'a str, request: &'a ChatRequest) -> Self {
        Self {
            model,
            messages: request.messages.iter().map(WireMessage::from).collect(),
            max_tokens: request.max_tokens,
            temperature: request.temperature,
            tools: request.tools.iter().map(WireTool::from).collect(),
            stream: true,
            // Usage in the last chunk: the only way to learn it when streaming.
            stream_options: StreamOptions { include_usage: true },
        }
    }
}

#[derive(Serialize)]
struct StreamOptions {
    include_usage: bool,
}

#[derive(Serialize)]
struct WireMessage<'a> {
    role: MessageRole,
    /// `null` for an assistant turn that only called tools.
    content: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_calls: Vec<WireToolCall<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tool_call_id: Option<&'a str>,
}

impl<'a> From<&'a ChatMessage> for WireMessage<'a> {
    fn from(message: &'a ChatMessage) -> Self {
        let only_tool_calls = message.content.is_empty() && !message.tool_calls.is_empty();
        Self {
            role: message.role,
            content: (!only_tool_calls).then_some(message.content.as_str()),
            tool_calls: message
                .tool_calls
                .iter()
                .map(|call| WireToolCall {
                    id: &call.id,
                    r#type: "function",
                    function: WireFunctionCall { name: &call.name, arguments: &call.arguments },
                })
                .collect(),
            tool_call_id: message.tool_call_id.as_deref(),
        }
    }
}

#[derive(Serialize)]
struct WireToolCall<'a> {
    id: &'a str,
    r#type: &'static str,
    function: WireFunctionCall<'a>,
}

#[derive(Serialize)]
struct WireFunctionCall<'a> {
    name: &'a str,
    arguments: &'a str,
}

#[derive(Serialize)]
struct WireTool<'a> {
    r#type: &'static str,
    function: WireFunction<'a>,
}

impl<'a> From<&'a ToolSpec> for WireTool<'a> {
    fn from(tool: &'a ToolSpec) -> Self {
        Self {
            r#type: "function",
            function: WireFunction { name: &tool.name, description: &tool.description, parameters: &tool.parameters },
        }
    }
}

#[derive(Serialize)]
struct WireFunction<'a> {
    name: &'a str,
    description: &'a str,
    parameters: &'a serde_json::Value,
}

/// One `chat.completion.chunk`.
#[derive(Deserialize)]
struct Chunk {
    #[serde(default)]
    choices: Vec<Choice>,
    usage: Option<WireUsage>,
    /// Some servers (vLLM, DeepSeek) report failures mid-stream this way.
    error: Option<WireError>,
}

#[derive(Deserialize)]
struct Choice {
    #[serde(default)]
    index: u32,
    #[serde(default)]
    delta: Delta,
    finish_reason: Option<String>,
}

#[derive(Default, Deserialize)]
struct Delta {
    content: Option<String>,
    reasoning_content: Option<String>,
    #[serde(default)]
    tool_calls: Vec<ToolCallFragment>,
}

#[derive(Deserialize)]
struct ToolCallFragment {
    index: Option<usize>,
    id: Option<String>,
    function: Option<FunctionFragment>,
}

#[derive(Default, Deserialize)]
struct FunctionFragment {
    name: Option<String>,
    arguments: Option<String>,
}

#[derive(Deserialize)]
struct WireUsage {
    #[serde(default)]
    prompt_tokens: u64,
    #[serde(default)]
    completion_tokens: u64,
}

#[derive(Deserialize)]
struct WireError {
    #[serde(default)]
    message: String,
    code: Option<serde_json::Value>,
}

/// Assembles tool calls from fragments and holds usage and the finish reason
/// back until `[DONE]`, so they come last and once.
#[derive(Default)]
struct ChunkDecoder {
    tool_calls: BTreeMap<usize, ToolCall>,
    usage: Option<Usage>,
    finish: Option<FinishReason>,
}

impl Decoder for ChunkDecoder {
    fn decode(&mut self, event: &Event, out: &mut VecDeque<StreamEvent>) -> Result<Progress, LlmError> {
        match event.data.trim() {
            "" => return Ok(Progress::More),
            "[DONE]" => {
                let finish =
                    self.finish.take().ok_or_else(|| LlmError::Protocol("[DONE] before a finish_reason".into()))?;
                out.extend(self.usage.take().map(StreamEvent::Usage));
                out.push_back(StreamEvent::Finished(finish));
                return Ok(Progress::Done);
            }
            _ => {}
        }
        let chunk: Chunk = sse::parse("OpenAI", event)?;
        if let Some(error) = chunk.error {
            let status = error.code.and_then(|code| code.as_u64()).filter(|code| (400..600).contains(code));
            return Err(LlmError::from_status(status.map_or(500, |code| code as u16), None, error.message));
        }
        // `n` is never set, so only the first choice exists.
        for choice in chunk.choices.into_iter().filter(|choice| choice.index == 0) {
            let delta = choice.delta;
            out.extend(delta.reasoning_content.filter(|text| !text.is_empty()).map(StreamEvent::Reasoning));
            out.extend(delta.content.filter(|text| !text.is_empty()).map(StreamEvent::Delta));
            for fragment in delta.tool_calls {
                self.add_fragment(fragment);
            }
            if let Some(reason) = choice.finish_reason {
                self.flush_tool_calls(out)?;
                self.finish = Some(finish_reason(&reason));
            }
        }
        if let Some(usage) = chunk.usage {
            self.usage = Some(Usage { input_tokens: usage.prompt_tokens, output_tokens: usage.completion_tokens });
        }
        Ok(Progress::More)
    }
}

impl ChunkDecoder {
    /// The first fragment of a call carries its id and name, later ones
    /// pieces of the arguments. Servers that omit `index` send whole calls.
    fn add_fragment(&mut self, fragment: ToolCallFragment) {
        let index = fragment.index.unwrap_or(self.tool_calls.len());
        let call = self.tool_calls.entry(index).or_insert_with(|| ToolCall {
            id: String::new(),
            name: String::new(),
            arguments: String::new(),
        });
        if let Some(id) = fragment.id.filter(|_| call.id.is_empty()) {
            call.id = id;
        }
        let function = fragment.function.unwrap_or_default();
        // Some servers repeat the name in every fragment.
        if let Some(name) = function.name.filter(|_| call.name.is_empty()) {
            call.name = name;
        }
        call.arguments.push_str(function.arguments.as_deref().unwrap_or_default());
    }

    fn flush_tool_calls(&mut self, out: &mut VecDeque<StreamEvent>) -> Result<(), LlmError> {
        for (_, mut call) in std::mem::take(&mut self.tool_calls) {
            if call.name.is_empty() {
                return Err(LlmError::Protocol("tool call without a name".into()));
            }
            if call.id.is_empty() {
                call.id = format!("call_{}", ulid::Ulid::new());
            }
            out.push_back(StreamEvent::ToolCall(call));
        }
        Ok(())
    }
}

fn finish_reason(reason: &str) -> FinishReason {
    match reason {
        "stop" => FinishReason::Stop,
        "length" => FinishReason::Length,
        "tool_calls" | "function_call" => FinishReason::ToolCalls,
        other => FinishReason::Other(other.to_owned()),
    }
}
