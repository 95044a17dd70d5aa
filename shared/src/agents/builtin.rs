//! Built-in agent types, there for every tenant.

use super::AgentProfile;
use crate::{AppError, AppResult};

/// A built-in type: a name and what its profile holds.
struct Builtin {
    agent_type: &'static str,
    system_prompt: &'static str,
    tools: &'static [&'static str],
}

const BUILTINS: &[Builtin] = &[
    Builtin {
        agent_type: "assistant",
        system_prompt: "You are a helpful, concise assistant. Answer in Markdown.",
        tools: &[],
    },
    Builtin {
        agent_type: "agent",
        system_prompt: "You are a careful assistant with tools. Use the calculator for arithmetic and current_time for \
                        dates and times instead of guessing, then answer in Markdown.",
        tools: &["calculator", "current_time"],
    },
];

/// The default built-in type.
pub const DEFAULT_TYPE: &str = "assistant";

/// The built-in profile named `agent_type` (`assistant` when none is named).
pub fn builtin(agent_type: Option<&str>) -> AppResult<AgentProfile> {
    let wanted = agent_type.unwrap_or(DEFAULT_TYPE);
    let found = BUILTINS.iter().find(|b| b.agent_type == wanted).ok_or_else(|| {
        let known: Vec<_> = BUILTINS.iter().map(|b| b.agent_type).collect();
        AppError::Validation(format!("unknown agent_type {wanted:?}; built-in types: {}", known.join(", ")))
    })?;
    Ok(AgentProfile {
        agent_type: found.agent_type.to_owned(),
        agent_id: None,
        version: None,
        system_prompt: found.system_prompt.to_owned(),
        provider: None,
        model: None,
        temperature: Some(0.7),
        max_output_tokens: 1024,
        tools: found.tools.iter().map(|t| (*t).to_owned()).collect(),
        max_steps: super::DEFAULT_MAX_STEPS,
    })
}

/// The name of a built-in type, checked.
pub fn builtin_type(agent_type: Option<&str>) -> AppResult<String> {
    builtin(agent_type).map(|p| p.agent_type)
}
