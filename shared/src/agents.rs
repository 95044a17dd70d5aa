//! Agent profiles: what a turn sends the model besides the conversation.
//! Built-in types exist for every tenant, so `agent_type` works before any
//! agent is defined.

use crate::{AppError, AppResult};

#[derive(Debug, Clone, PartialEq)]
pub struct AgentProfile {
    pub agent_type: &'static str,
    pub system_prompt: &'static str,
    pub max_output_tokens: u32,
    pub temperature: Option<f32>,
}

pub const ASSISTANT: AgentProfile = AgentProfile {
    agent_type: "assistant",
    system_prompt: "You are a helpful, concise assistant. Answer in Markdown.",
    max_output_tokens: 1024,
    temperature: Some(0.7),
};

pub const BUILTIN: &[AgentProfile] = &[ASSISTANT];

/// The built-in profile named `agent_type` (`assistant` when none is named).
pub fn builtin(agent_type: Option<&str>) -> AppResult<&'static AgentProfile> {
    let wanted = agent_type.unwrap_or(ASSISTANT.agent_type);
    BUILTIN.iter().find(|p| p.agent_type == wanted).ok_or_else(|| {
        let known: Vec<_> = BUILTIN.iter().map(|p| p.agent_type).collect();
        AppError::Validation(format!("unknown agent_type {wanted:?}; built-in types: {}", known.join(", ")))
    })
}

/// The name of a built-in type, checked.
pub fn builtin_type(agent_type: Option<&str>) -> AppResult<&'static str> {
    builtin(agent_type).map(|p| p.agent_type)
}
