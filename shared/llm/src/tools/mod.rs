//! Tools agents can call: the built-ins (a calculator, the clock, an HTTP GET limited to the
//! tenant's allowed hosts) and tenant-defined HTTP tools ([`WebhookTool`]).
//!
//! A model's tool call is untrusted input: [`run`] checks it against the tool's schema and turns
//! every failure into text the model can read and react to, so a bad call never ends a turn.

mod args;
mod calculator;
mod clock;
mod http_get;
mod tzdb;
mod webhook;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use crate::ToolSpec;
use crate::net_guard::NetPolicy;

pub use args::{check_parameters_schema, parameters_schema};
pub use webhook::WebhookTool;

/// The names [`builtin`] knows.
pub const BUILTIN_NAMES: [&str; 3] = [calculator::NAME, clock::NAME, http_get::NAME];

/// The most text of one tool result the model sees (and the agent log stores): a page fetched
/// whole would crowd out the conversation.
const MAX_OUTPUT_BYTES: usize = 8 * 1024;

/// What a tool call may touch: the network policy and the tenant's allowed hosts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolContext {
    pub policy: NetPolicy,
    /// Hosts `http_get` may fetch from: exact names or IPs (case-insensitive), or `*.example.com`
    /// for any subdomain.
    pub allowed_hosts: Vec<String>,
    /// The whole outbound request: resolving, connecting, and reading the answer.
    pub http_timeout: Duration,
    /// Response bytes read at most; the rest is dropped unread.
    pub max_response_bytes: usize,
}

impl ToolContext {
    pub fn new(policy: NetPolicy, allowed_hosts: Vec<String>) -> Self {
        Self { policy, allowed_hosts, http_timeout: Duration::from_secs(10), max_response_bytes: 64 * 1024 }
    }
}

/// Why a tool call failed; its text is shown to the model.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ToolError {
    #[error("invalid arguments: {0}")]
    InvalidArguments(String),
    /// The network policy or the tenant's allowed hosts forbid it.
    #[error("refused: {0}")]
    Refused(String),
    /// Timeouts, upstream errors, unusable answers.
    #[error("failed: {0}")]
    Failed(String),
}

/// One tool the model can call.
#[async_trait]
pub trait Tool: Send + Sync {
    /// Name, description and JSON-schema parameters, as the model is shown them.
    fn spec(&self) -> ToolSpec;

    /// Runs the tool on arguments that [`run`] has already checked against the schema.
    async fn call(&self, arguments: &serde_json::Value, ctx: &ToolContext) -> Result<String, ToolError>;
}

/// Built-in tools by name (see [`BUILTIN_NAMES`]).
pub fn builtin(name: &str) -> Option<Arc<dyn Tool>> {
    match name {
        calculator::NAME => Some(Arc::new(calculator::Calculator)),
        clock::NAME => Some(Arc::new(clock::CurrentTime)),
        http_get::NAME => Some(Arc::new(http_get::HttpGet)),
        _ => None,
    }
}

/// A built-in tool's name, description and parameters, without linking the
/// code that runs it (the admin function lists them, only chat runs them).
pub fn builtin_spec(name: &str) -> Option<ToolSpec> {
    match name {
        calculator::NAME => Some(calculator::spec()),
        clock::NAME => Some(clock::spec()),
        http_get::NAME => Some(http_get::spec()),
        _ => None,
    }
}

/// What a tool call produced, success or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolOutcome {
    pub ok: bool,
    /// Shown to the model and stored in the agent log; at most [`MAX_OUTPUT_BYTES`] and a marker.
    pub output: String,
}

/// Runs a tool call as the model made it: parses the raw JSON argument text, checks it against the
/// tool's schema, calls the tool. Every failure becomes text for the model (`error: ...`).
pub async fn run(tool: &dyn Tool, raw_arguments: &str, ctx: &ToolContext) -> ToolOutcome {
    let spec = tool.spec();
    let result = match parse_arguments(raw_arguments) {
        Ok(arguments) => match args::check_arguments(&spec.parameters, &arguments) {
            Ok(()) => tool.call(&arguments, ctx).await,
            Err(problem) => Err(ToolError::InvalidArguments(problem)),
        },
        Err(problem) => Err(problem),
    };
    match result {
        Ok(output) => ToolOutcome { ok: true, output: cap(output) },
        Err(error) => {
            // The error text never holds argument values that could be secret, only what went wrong.
            tracing::debug!(tool = %spec.name, %error, "tool call failed");
            ToolOutcome { ok: false, output: cap(format!("error: {error}")) }
        }
    }
}

/// Models send an empty string for a call without arguments; that means `{}`.
fn parse_arguments(raw: &str) -> Result<serde_json::Value, ToolError> {
    if raw.trim().is_empty() {
        return Ok(serde_json::Value::Object(serde_json::Map::new()));
    }
    serde_json::from_str(raw).map_err(|error| ToolError::InvalidArguments(format!("not valid JSON ({error})")))
}

/// Cuts `text` to [`MAX_OUTPUT_BYTES`] on a character boundary, saying so.
fn cap(mut text: String) -> String {
    if text.len() > MAX_OUTPUT_BYTES {
        let cut = (0..=MAX_OUTPUT_BYTES).rev().find(|&index| text.is_char_boundary(index)).unwrap_or(0);
        text.truncate(cut);
        text.push_str("\n[truncated]");
    }
    text
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    /// Answers its arguments, or fails the way it is told to.
    struct Echo;

    #[async_trait]
    impl Tool for Echo {
        fn spec(&self) -> ToolSpec {
            ToolSpec {
                name: "echo".into(),
                description: "Echoes.".into(),
                parameters: json!({
                    "type": "object",
                    "properties": {"text": {"type": "string"}, "fail": {"type": "boolean"}},
                    "required": ["text"]
                }),
            }
        }

        async fn call(&self, arguments: &Value, _ctx: &ToolContext) -> Result<String, ToolError> {
            match arguments["fail"].as_bool() {
                Some(true) => Err(ToolError::Failed("as asked".into())),
                _ => Ok(arguments["text"].as_str().unwrap_or_default().to_owned()),
            }
        }
    }

    fn ctx() -> ToolContext {
        ToolContext::new(NetPolicy::cloud(), Vec::new())
    }

    #[tokio::test]
    async fn run_returns_the_tool_output() {
        let outcome = run(&Echo, r#"{"text": "hi"}"#, &ctx()).await;
        assert_eq!(outcome, ToolOutcome { ok: true, output: "hi".into() });
    }

    #[tokio::test]
    async fn run_turns_every_failure_into_text() {
        for (raw, expected) in [
            ("{\"text\": ", "error: invalid arguments: not valid JSON"),
            ("not json", "error: invalid arguments: not valid JSON"),
            ("[1, 2]", "error: invalid arguments: the arguments must be a JSON object"),
            ("{}", "error: invalid arguments: `text` is required"),
            (r#"{"text": 5}"#, "error: invalid arguments: `text` must be a string"),
            (r#"{"text": "x", "fail": true}"#, "error: failed: as asked"),
        ] {
            let outcome = run(&Echo, raw, &ctx()).await;
            assert!(!outcome.ok, "{raw}");
            assert!(outcome.output.starts_with(expected), "{raw}: {}", outcome.output);
        }
    }

    #[tokio::test]
    async fn empty_arguments_mean_an_empty_object() {
        let outcome = run(builtin("current_time").unwrap().as_ref(), " ", &ctx()).await;
        assert!(outcome.ok, "{}", outcome.output);
        assert!(outcome.output.ends_with(", UTC)"), "{}", outcome.output);
    }

    #[tokio::test]
    async fn long_output_is_capped_on_a_char_boundary() {
        let text = "é".repeat(MAX_OUTPUT_BYTES);
        let outcome = run(&Echo, &json!({ "text": text }).to_string(), &ctx()).await;
        assert!(outcome.ok);
        assert!(outcome.output.ends_with("\n[truncated]"));
        assert!(outcome.output.len() <= MAX_OUTPUT_BYTES + "\n[truncated]".len());
    }

    #[test]
    fn builtins_are_found_by_their_names() {
        for name in BUILTIN_NAMES {
            let tool = builtin(name).unwrap_or_else(|| panic!("{name}"));
            let spec = tool.spec();
            assert_eq!(spec.name, name);
            assert_eq!(check_parameters_schema(&spec.parameters), Ok(()), "{name}");
        }
        assert!(builtin("shell").is_none());
    }
}
