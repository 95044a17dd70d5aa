//! Built-in agent types, there for every tenant.

use paas_core::AppResult;
use paas_core::domain::agent_types::{self, AGENT, ASSISTANT};

use super::AgentProfile;

/// A built-in type: a name and what its profile holds.
struct Builtin {
    agent_type: &'static str,
    system_prompt: &'static str,
    tools: &'static [&'static str],
}

const BUILTINS: &[Builtin] = &[
    Builtin {
        agent_type: ASSISTANT,
        system_prompt: "You are a helpful, concise assistant. Answer in Markdown.",
        tools: &[],
    },
    Builtin {
        agent_type: AGENT,
        system_prompt: "You are a careful assistant with tools. Use the calculator for arithmetic and current_time for \
                        dates and times instead of guessing, then answer in Markdown.",
        tools: &["calculator", "current_time"],
    },
];

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
