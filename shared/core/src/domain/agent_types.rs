//! The built-in agent types, there for every tenant: their names, which
//! sessions record and check; their prompts and tools are `paas-agents`'.

use crate::{AppError, AppResult};

pub const ASSISTANT: &str = "assistant";
pub const AGENT: &str = "agent";
pub const ALL: &[&str] = &[ASSISTANT, AGENT];
/// The type a session or turn gets when it names none.
pub const DEFAULT: &str = ASSISTANT;

/// A field naming a built-in type (`null` for the default).
pub fn schema() -> utoipa::openapi::Schema {
    let names: Vec<_> =
        ALL.iter().map(|name| serde_json::Value::from(*name)).chain([serde_json::Value::Null]).collect();
    serde_json::from_value(serde_json::json!({ "type": ["string", "null"], "enum": names })).expect("a valid schema")
}

/// The built-in type named (the default when none is), or 422 naming the known ones.
pub fn checked(agent_type: Option<&str>) -> AppResult<&'static str> {
    let wanted = agent_type.unwrap_or(DEFAULT);
    ALL.iter().copied().find(|known| *known == wanted).ok_or_else(|| {
        AppError::Validation(format!("unknown agent_type {wanted:?}; built-in types: {}", ALL.join(", ")))
    })
}
