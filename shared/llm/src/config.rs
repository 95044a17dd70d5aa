//! Which provider to call, where, with which key, and how patiently.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::retry::RetryPolicy;

/// A model's name as a provider knows it: one word of at most 200 characters.
pub const MODEL_NAME: paas_core::domain::TextRule = paas_core::domain::TextRule::line(200).word();

/// [`MODEL_NAME`] as a field's schema, where `null` is accepted.
pub fn model_name_schema() -> utoipa::openapi::Schema {
    MODEL_NAME.schema(true)
}

/// A provider family. The OpenAI-compatible ones differ only in defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProviderKind {
    Offline,
    #[serde(rename = "openai")]
    OpenAi,
    Zhipu,
    #[serde(rename = "deepseek")]
    DeepSeek,
    Ollama,
    #[serde(rename = "openai_compatible")]
    OpenAiCompatible,
    Anthropic,
}

impl ProviderKind {
    pub const ALL: [ProviderKind; 7] = [
        Self::Offline,
        Self::OpenAi,
        Self::Zhipu,
        Self::DeepSeek,
        Self::Ollama,
        Self::OpenAiCompatible,
        Self::Anthropic,
    ];

    /// The label used in logs, metrics and answers (the serde name).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Offline => "offline",
            Self::OpenAi => "openai",
            Self::Zhipu => "zhipu",
            Self::DeepSeek => "deepseek",
            Self::Ollama => "ollama",
            Self::OpenAiCompatible => "openai_compatible",
            Self::Anthropic => "anthropic",
        }
    }

    /// Its name on screen.
    pub fn label(self) -> &'static str {
        match self {
            Self::Offline => "Offline (built-in demo, no key)",
            Self::OpenAi => "OpenAI",
            Self::Zhipu => "Zhipu",
            Self::DeepSeek => "DeepSeek",
            Self::Ollama => "Ollama",
            Self::OpenAiCompatible => "OpenAI-compatible server",
            Self::Anthropic => "Anthropic",
        }
    }

    /// Where the provider's API lives when no base URL is configured; the
    /// offline provider needs none and a generic compatible server must be given one.
    pub fn default_base_url(self) -> Option<&'static str> {
        match self {
            Self::OpenAi => Some("https://api.openai.com/v1"),
            Self::Zhipu => Some("https://open.bigmodel.cn/api/paas/v4"),
            Self::DeepSeek => Some("https://api.deepseek.com/v1"),
            Self::Ollama => Some("http://127.0.0.1:11434/v1"),
            Self::Anthropic => Some("https://api.anthropic.com/v1"),
            Self::Offline | Self::OpenAiCompatible => None,
        }
    }

    /// The model used when a request names none.
    pub fn default_model(self) -> &'static str {
        match self {
            Self::Offline => "offline",
            Self::OpenAi => "gpt-4o-mini",
            Self::Zhipu => "glm-4-flash",
            Self::DeepSeek => "deepseek-chat",
            Self::Ollama => "llama3.2",
            Self::OpenAiCompatible => "default",
            Self::Anthropic => "claude-3-5-haiku-latest",
        }
    }

    /// Whether the hosted API refuses calls without a key (local and
    /// self-hosted servers usually take none).
    pub fn needs_api_key(self) -> bool {
        matches!(self, Self::OpenAi | Self::Zhipu | Self::DeepSeek | Self::Anthropic)
    }
}

/// How long to wait for each phase of a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// Opening the connection (set on the shared HTTP client).
    pub connect: Duration,
    /// From sending the request until the first text, reasoning or tool call.
    pub first_token: Duration,
    /// The longest gap between stream events once output has started.
    pub idle: Duration,
}

impl Timeouts {
    /// The timeouts the platform's configuration sets.
    pub fn of(config: &paas_core::Config) -> Self {
        Self {
            connect: Duration::from_millis(config.llm_connect_timeout_ms),
            first_token: Duration::from_millis(config.llm_first_token_timeout_ms),
            idle: Duration::from_millis(config.llm_idle_timeout_ms),
        }
    }
}

/// The pause before each word when `words_per_second` are streamed; none for 0, less or not
/// a number. A rate too small for a `Duration` waits for ever (the turn's deadline ends it)
/// rather than failing every turn.
pub fn word_interval(words_per_second: f64) -> Duration {
    if words_per_second > 0.0 {
        Duration::try_from_secs_f64(1.0 / words_per_second).unwrap_or(Duration::MAX)
    } else {
        Duration::ZERO
    }
}

impl Default for Timeouts {
    fn default() -> Self {
        Self { connect: Duration::from_secs(10), first_token: Duration::from_secs(60), idle: Duration::from_secs(30) }
    }
}

/// Everything needed to build a provider for one tenant.
#[derive(Clone, PartialEq)]
pub struct ProviderConfig {
    pub kind: ProviderKind,
    /// Overrides [`ProviderKind::default_base_url`].
    pub base_url: Option<String>,
    pub api_key: Option<String>,
    pub timeouts: Timeouts,
    pub retry: RetryPolicy,
    /// The offline provider's pause before each word of its answer.
    pub word_interval: Duration,
}

impl ProviderConfig {
    /// The configured base URL, else the kind's default, without a trailing slash.
    pub(crate) fn resolved_base_url(&self) -> Option<String> {
        let base = self.base_url.as_deref().or(self.kind.default_base_url())?;
        Some(base.trim_end_matches('/').to_owned())
    }
}

/// Hand-written so the API key can never reach a log.
impl fmt::Debug for ProviderConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProviderConfig")
            .field("kind", &self.kind)
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("timeouts", &self.timeouts)
            .field("retry", &self.retry)
            .field("word_interval", &self.word_interval)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_configured_pace_is_an_interval() {
        assert_eq!(word_interval(20.0), Duration::from_millis(50));
        assert_eq!(word_interval(0.0), Duration::ZERO);
        assert_eq!(word_interval(-3.0), Duration::ZERO);
        assert_eq!(word_interval(f64::NAN), Duration::ZERO);
        assert_eq!(word_interval(1e-300), Duration::MAX);
    }
}
