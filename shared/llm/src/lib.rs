//! Talking to models. LLM providers: one streaming trait, the
//! OpenAI-compatible and Anthropic wire formats over HTTP, and an offline
//! provider that needs no network; the built-in [`tools`], the
//! [`net_guard`] every tenant-supplied URL passes, the GenAI spans
//! ([`genai`]) and a tenant's provider [`settings`].
//!
//! Every provider streams; `complete` collects a stream. Retries happen
//! before the first event only, so a client never sees an answer twice.

mod anthropic;
mod config;
mod error;
pub mod genai;
pub mod net_guard;
mod offline;
mod openai;
mod retry;
pub mod settings;
mod sse;
mod tokens;
pub mod tools;
mod traced;
mod types;
mod upstream;

use std::pin::Pin;
use std::sync::Arc;

use async_trait::async_trait;
use futures::{Stream, StreamExt};

pub use config::{MODEL_NAME, ProviderConfig, ProviderKind, Timeouts, model_name_schema};
pub use error::{LlmError, Oversize, TimeoutKind};
pub use retry::RetryPolicy;
pub use tokens::{TokenTally, estimate_messages, estimate_request, estimate_tokens};
pub use types::{
    ChatMessage, ChatRequest, Completion, FinishReason, MessageRole, StreamEvent, ToolCall, ToolSpec, Usage,
};

/// A completion as it streams; it ends after `Finished` or after the first error.
pub type LlmStream = Pin<Box<dyn Stream<Item = Result<StreamEvent, LlmError>> + Send>>;

#[async_trait]
pub trait LlmProvider: Send + Sync + 'static {
    /// Starts a streamed completion. Retries happen inside, before the first
    /// event; none after.
    async fn stream(&self, request: ChatRequest) -> Result<LlmStream, LlmError>;

    /// The whole completion at once: text, tool calls, usage and finish.
    async fn complete(&self, request: ChatRequest) -> Result<Completion, LlmError> {
        let mut stream = self.stream(request).await?;
        let (mut text, mut tool_calls, mut usage) = (String::new(), Vec::new(), None);
        while let Some(event) = stream.next().await {
            match event? {
                StreamEvent::Delta(delta) => text.push_str(&delta),
                StreamEvent::Reasoning(_) => {}
                StreamEvent::ToolCall(call) => tool_calls.push(call),
                StreamEvent::Usage(reported) => usage = Some(reported),
                StreamEvent::Finished(finish) => return Ok(Completion { text, tool_calls, usage, finish }),
            }
        }
        Err(LlmError::ended_early())
    }

    /// Label for logs, metrics and answers: "openai", "anthropic", "offline"…
    fn name(&self) -> &'static str;
}

/// Builds a provider, its calls traced; `http` is a shared client built once per process.
pub fn provider(config: ProviderConfig, http: reqwest::Client) -> Arc<dyn LlmProvider> {
    let kind = config.kind;
    let inner: Box<dyn LlmProvider> = match kind {
        ProviderKind::Offline => Box::new(offline::OfflineProvider { word_interval: config.word_interval }),
        ProviderKind::Anthropic => Box::new(anthropic::AnthropicProvider::new(config, http)),
        ProviderKind::OpenAi
        | ProviderKind::Zhipu
        | ProviderKind::DeepSeek
        | ProviderKind::Ollama
        | ProviderKind::OpenAiCompatible => Box::new(openai::OpenAiProvider::new(config, http)),
    };
    Arc::new(traced::Traced { inner, default_model: kind.default_model() })
}

/// A client with the connect timeout, to share between providers and tenants
/// (connection pools are per client). No overall timeout: answers stream for
/// as long as they keep coming, which the first-token and idle timeouts bound.
pub fn http_client(timeouts: &Timeouts) -> reqwest::Client {
    paas_core::state::http_client(timeouts.connect)
}
