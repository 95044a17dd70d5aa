//! Built-in agent types, there for every tenant.

use paas_core::AppResult;
use paas_core::domain::agent_types::{self, AGENT, ASSISTANT};

use super::AgentProfile;

/// A built-in type: what people see of it, and what its profile holds.
struct Builtin {
    agent_type: &'static str,
    name: &'static str,
    description: &'static str,
    system_prompt: &'static str,
    tools: &'static [&'static str],
}

const BUILTINS: &[Builtin] = &[
    Builtin {
        agent_type: ASSISTANT,
        name: "Assistant",
        description: "A helpful, concise assistant, without tools.",
        system_prompt: "You are a helpful, concise assistant. Answer in Markdown.",
        tools: &[],
    },
    Builtin {
        agent_type: AGENT,
        name: "Agent with calculator and clock",
        description: "Uses the calculator for arithmetic and the clock for dates and times.",
        system_prompt: "You are a careful assistant with tools. Use the calculator for arithmetic and current_time for \
                        dates and times instead of guessing, then answer in Markdown.",
        tools: &["calculator", "current_time"],
    },
];

/// A built-in agent type as the catalog shows it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct BuiltinAgent {
    /// What `agent_type` names it.
    pub agent_type: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub tools: &'static [&'static str],
}

/// Every built-in agent type.
pub fn builtins() -> Vec<BuiltinAgent> {
    BUILTINS
        .iter()
        .map(|b| BuiltinAgent { agent_type: b.agent_type, name: b.name, description: b.description, tools: b.tools })
        .collect()
}

/// The built-in profile named `agent_type` (`assistant` when none is named).
pub fn builtin(agent_type: Option<&str>) -> AppResult<AgentProfile> {
    let name = agent_types::checked(agent_type)?;
    let found = BUILTINS.iter().find(|b| b.agent_type == name).expect("every built-in type has a profile");
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

#[cfg(test)]
mod tests {
    #[test]
    fn every_built_in_type_has_a_profile() {
        for name in paas_core::domain::agent_types::ALL {
            assert_eq!(super::builtin(Some(name)).unwrap().agent_type, *name);
        }
    }
}
