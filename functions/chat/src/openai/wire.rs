//! OpenAI's Chat Completions wire format, as far as the platform speaks it:
//! the request (unknown fields are accepted and ignored, as clients send
//! many), the completion, the stream's chunks, the model list and the error
//! object.

use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CompletionRequest {
    /// `assistant` or `agent` (the built-in types), or `agent:<id or name>`;
    /// `GET /v1/models` lists them.
    #[schema(example = "agent")]
    pub model: String,
    /// The conversation so far, the new user message last.
    #[schema(min_items = 1, example = json!([{"role": "user", "content": "What is 12*(3+4)?"}]))]
    pub messages: Vec<InMessage>,
    #[serde(default)]
    #[schema(example = true)]
    pub stream: Option<bool>,
    #[serde(default)]
    pub stream_options: Option<StreamOptions>,
    /// Only 1 is served.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 1)]
    pub n: Option<u32>,
    /// Not served, so a client that relies on its own tools learns it at once:
    /// the agent calls its own tools (tenant tools are defined at `/api/v1/tools`).
    #[serde(default)]
    #[schema(max_items = 0, value_type = Option<Vec<Object>>)]
    pub tools: Option<Vec<serde_json::Value>>,
    /// The deprecated form of `tools`, not served either.
    #[serde(default)]
    #[schema(max_items = 0, value_type = Option<Vec<Object>>)]
    pub functions: Option<Vec<serde_json::Value>>,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct StreamOptions {
    /// A last chunk, with empty `choices`, carries the turn's `usage`.
    #[serde(default)]
    pub include_usage: Option<bool>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct InMessage {
    pub role: InRole,
    #[serde(default)]
    pub content: Option<Content>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InRole {
    System,
    Developer,
    User,
    Assistant,
    Tool,
}

/// A message's text, as a string or as parts of which the text ones count.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum Content {
    Text(String),
    Parts(Vec<ContentPart>),
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ContentPart {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub text: Option<String>,
}

impl Content {
    pub fn text(&self) -> String {
        match self {
            Self::Text(text) => text.clone(),
            Self::Parts(parts) => parts
                .iter()
                .filter(|p| p.kind == "text")
                .filter_map(|p| p.text.as_deref())
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }
}

/// Tokens, as OpenAI counts them.
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
pub struct Usage {
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub total_tokens: u64,
}

impl From<crate::frames::TokenUsage> for Usage {
    fn from(usage: crate::frames::TokenUsage) -> Self {
        Self {
            prompt_tokens: usage.input_tokens,
            completion_tokens: usage.output_tokens,
            total_tokens: usage.total_tokens,
        }
    }
}

/// A whole answer (`stream` false or absent).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Completion {
    pub id: String,
    /// Always `chat.completion`.
    pub object: &'static str,
    pub created: i64,
    pub model: String,
    pub choices: Vec<Choice>,
    pub usage: Usage,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Choice {
    pub index: u32,
    pub message: OutMessage,
    pub finish_reason: FinishReason,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OutMessage {
    /// Always `assistant`.
    pub role: &'static str,
    pub content: String,
    /// The agent's thoughts and tool steps, one a line (as DeepSeek and vLLM
    /// send reasoning); strict clients ignore it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reasoning_content: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FinishReason {
    Stop,
    /// A limit cut the answer short.
    Length,
}

/// One `data:` of a stream (`stream: true`), before the closing `[DONE]`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Chunk {
    pub id: String,
    /// Always `chat.completion.chunk`.
    pub object: &'static str,
    pub created: i64,
    pub model: String,
    /// Empty in the usage chunk.
    pub choices: Vec<ChunkChoice>,
    /// With `stream_options.include_usage`: `null` but in the last chunk.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage: Option<Option<Usage>>,
}

/// One server-sent event of a stream: `data:` a [`Chunk`], an error object
/// (a turn that failed), or the closing `[DONE]`.
pub struct ChunkEvent;

impl utoipa::PartialSchema for ChunkEvent {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
        use utoipa::openapi::Ref;
        use utoipa::openapi::schema::{AnyOfBuilder, ObjectBuilder, Type};
        let payload = serde_json::json!({ "oneOf": [
            Ref::from_schema_name(<Chunk as utoipa::ToSchema>::name()),
            Ref::from_schema_name(<ErrorBody as utoipa::ToSchema>::name()),
        ]});
        let json = paas_core::http::openapi::json_event_data(payload);
        let done = ObjectBuilder::new().schema_type(Type::String).enum_values(Some(["[DONE]"]));
        ObjectBuilder::new().property("data", AnyOfBuilder::new().item(done).item(json)).required("data").into()
    }
}

impl utoipa::ToSchema for ChunkEvent {
    fn schemas(schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::Schema>)>) {
        for (name, schema) in [
            (<Chunk as utoipa::ToSchema>::name(), <Chunk as utoipa::PartialSchema>::schema()),
            (<ErrorBody as utoipa::ToSchema>::name(), <ErrorBody as utoipa::PartialSchema>::schema()),
        ] {
            schemas.push((name.into(), schema));
        }
        <Chunk as utoipa::ToSchema>::schemas(schemas);
        <ErrorBody as utoipa::ToSchema>::schemas(schemas);
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChunkChoice {
    pub index: u32,
    pub delta: Delta,
    pub finish_reason: Option<FinishReason>,
}

#[derive(Debug, Default, Serialize, utoipa::ToSchema)]
pub struct Delta {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// A thought or tool step of the agent (see [`OutMessage::reasoning_content`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reasoning_content: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ModelList {
    /// Always `list`.
    pub object: &'static str,
    pub data: Vec<Model>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Model {
    /// What `model` names it.
    pub id: String,
    /// Always `model`.
    pub object: &'static str,
    pub created: i64,
    /// `platform` for the built-in types, the tenant's slug for its agents.
    pub owned_by: String,
}

/// The error object OpenAI's clients read.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    pub message: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub param: Option<&'static str>,
    pub code: String,
}
