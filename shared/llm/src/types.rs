//! The provider-neutral conversation: messages, tools, and what a stream yields.

use serde::{Deserialize, Serialize, Serializer};

/// Who said a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageRole {
    System,
    User,
    Assistant,
    Tool,
}

/// One message of a conversation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChatMessage {
    pub role: MessageRole,
    pub content: String,
    /// Assistant messages that requested tools.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tool_calls: Vec<ToolCall>,
    /// Tool messages: which call this answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_call_id: Option<String>,
}

impl ChatMessage {
    fn plain(role: MessageRole, content: impl Into<String>) -> Self {
        Self { role, content: content.into(), tool_calls: Vec::new(), tool_call_id: None }
    }

    pub fn system(content: impl Into<String>) -> Self {
        Self::plain(MessageRole::System, content)
    }

    pub fn user(content: impl Into<String>) -> Self {
        Self::plain(MessageRole::User, content)
    }

    pub fn assistant(content: impl Into<String>) -> Self {
        Self::plain(MessageRole::Assistant, content)
    }

    /// The answer to the tool call `call_id`.
    pub fn tool_result(call_id: impl Into<String>, content: impl Into<String>) -> Self {
        Self { tool_call_id: Some(call_id.into()), ..Self::plain(MessageRole::Tool, content) }
    }
}

/// A tool the model may call.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ToolSpec {
    pub name: String,
    pub description: String,
    /// JSON Schema of the arguments object.
    pub parameters: serde_json::Value,
}

/// A tool call the model made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolCall {
    pub id: String,
    pub name: String,
    /// Raw JSON text as the model produced it: it may not parse.
    pub arguments: String,
}

/// One completion request, whichever provider answers it.
#[derive(Clone, Debug, PartialEq)]
pub struct ChatRequest {
    /// Empty means the provider's default model.
    pub model: String,
    pub messages: Vec<ChatMessage>,
    pub max_tokens: u32,
    pub temperature: Option<f32>,
    pub tools: Vec<ToolSpec>,
}

pub use paas_core::domain::Usage;

/// Why the model stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FinishReason {
    Stop,
    Length,
    ToolCalls,
    /// A provider-specific reason, as the provider named it (e.g. `content_filter`).
    Other(String),
}

impl FinishReason {
    pub fn as_str(&self) -> &str {
        match self {
            Self::Stop => "stop",
            Self::Length => "length",
            Self::ToolCalls => "tool_calls",
            Self::Other(reason) => reason,
        }
    }
}

/// Serialised as its name, the way clients see it in a `done` event.
impl Serialize for FinishReason {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// What a completion stream yields, in order: reasoning and text as they
/// arrive, complete tool calls, usage, then `Finished` last.
#[derive(Clone, Debug, PartialEq)]
pub enum StreamEvent {
    /// Answer text, as it arrives.
    Delta(String),
    /// Model reasoning text where the provider streams it (DeepSeek/GLM
    /// `reasoning_content`, Anthropic thinking); the offline provider emits one.
    Reasoning(String),
    /// A complete tool call (assembled from streamed fragments).
    ToolCall(ToolCall),
    /// Reported usage (usually once, near the end).
    Usage(Usage),
    Finished(FinishReason),
}

impl StreamEvent {
    /// Whether this is model output, which ends the first-token wait.
    pub(crate) fn is_output(&self) -> bool {
        matches!(self, Self::Delta(_) | Self::Reasoning(_) | Self::ToolCall(_))
    }
}

/// A whole completion, collected from a stream.
#[derive(Clone, Debug, PartialEq)]
pub struct Completion {
    pub text: String,
    pub tool_calls: Vec<ToolCall>,
    pub usage: Option<Usage>,
    pub finish: FinishReason,
}
