//! Agents: what a turn sends the model besides the conversation. Built-in
//! types exist for every tenant, so `agent_type` works before any agent is
//! defined; tenants define their own, versioned.

mod builtin;
pub mod definition;
pub mod tenant_tools;

pub use builtin::{BuiltinAgent, builtin, builtins};

/// How many model calls a turn may make by default (each tool round is one).
pub const DEFAULT_MAX_STEPS: u32 = 6;
/// The most any agent may ask for.
pub const MAX_STEPS: u32 = 20;

/// Everything a turn needs to know about its agent.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentProfile {
    /// `assistant`, `agent`, or `custom` for a tenant-defined agent.
    pub agent_type: String,
    pub agent_id: Option<String>,
    pub version: Option<u64>,
    pub system_prompt: String,
    /// Overrides the tenant's default provider (one the tenant configured).
    pub provider: Option<paas_llm::ProviderKind>,
    /// Overrides the provider's default model.
    pub model: Option<String>,
    pub temperature: Option<f32>,
    pub max_output_tokens: u32,
    /// Names of the tools the model is offered: built-in or the tenant's own.
    pub tools: Vec<String>,
    pub max_steps: u32,
}
