//! Roles, API-key scopes, plans and their quotas, and lifecycle states.

use serde::{Deserialize, Serialize};

/// A user's role inside one tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    User,
    Viewer,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::User => "user",
            Self::Viewer => "viewer",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Admin, Self::User, Self::Viewer].into_iter().find(|r| r.as_str() == text)
    }
}

/// What an API key may do; the HTTP contract names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
pub enum Scope {
    #[serde(rename = "chat")]
    Chat,
    #[serde(rename = "sessions:read")]
    SessionsRead,
    #[serde(rename = "sessions:write")]
    SessionsWrite,
    #[serde(rename = "agents:manage")]
    AgentsManage,
    #[serde(rename = "admin")]
    Admin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Plan {
    Free,
    Pro,
    Enterprise,
}

/// Limits a tenant works within. Each plan has defaults; a platform admin
/// may override any of them for one tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Quotas {
    pub max_users: u32,
    pub max_agents: u32,
    /// The tenant's own HTTP tools.
    pub max_tools: u32,
    /// API keys, live or expired, until revoked.
    pub max_api_keys: u32,
    pub sessions_per_day: u32,
    pub tokens_per_month: u64,
    /// Chat turns streaming at once.
    pub concurrent_turns: u32,
}

/// Per-tenant overrides of plan quotas; absent fields keep the plan's value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuotaOverrides {
    pub max_users: Option<u32>,
    pub max_agents: Option<u32>,
    pub max_tools: Option<u32>,
    pub max_api_keys: Option<u32>,
    pub sessions_per_day: Option<u32>,
    pub tokens_per_month: Option<u64>,
    pub concurrent_turns: Option<u32>,
}

impl Plan {
    pub fn quotas(self) -> Quotas {
        match self {
            Self::Free => Quotas {
                max_users: 5,
                max_agents: 3,
                max_tools: 10,
                max_api_keys: 10,
                sessions_per_day: 100,
                tokens_per_month: 200_000,
                concurrent_turns: 5,
            },
            Self::Pro => Quotas {
                max_users: 50,
                max_agents: 50,
                max_tools: 100,
                max_api_keys: 100,
                sessions_per_day: 5_000,
                tokens_per_month: 10_000_000,
                concurrent_turns: 50,
            },
            Self::Enterprise => Quotas {
                max_users: 5_000,
                max_agents: 1_000,
                max_tools: 1_000,
                max_api_keys: 1_000,
                sessions_per_day: 200_000,
                tokens_per_month: 500_000_000,
                concurrent_turns: 500,
            },
        }
    }
}

impl Quotas {
    pub fn with(self, overrides: &QuotaOverrides) -> Self {
        Self {
            max_users: overrides.max_users.unwrap_or(self.max_users),
            max_agents: overrides.max_agents.unwrap_or(self.max_agents),
            max_tools: overrides.max_tools.unwrap_or(self.max_tools),
            max_api_keys: overrides.max_api_keys.unwrap_or(self.max_api_keys),
            sessions_per_day: overrides.sessions_per_day.unwrap_or(self.sessions_per_day),
            tokens_per_month: overrides.tokens_per_month.unwrap_or(self.tokens_per_month),
            concurrent_turns: overrides.concurrent_turns.unwrap_or(self.concurrent_turns),
        }
    }
}

/// The quotas a tenant can run out of; the names are the suffixes of the
/// `quota_exceeded.<name>` error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Quota {
    Users,
    Agents,
    Tools,
    ApiKeys,
    SessionsDay,
    TokensMonth,
    ConcurrentTurns,
}

impl Quota {
    pub fn name(self) -> &'static str {
        match self {
            Self::Users => "users",
            Self::Agents => "agents",
            Self::Tools => "tools",
            Self::ApiKeys => "api_keys",
            Self::SessionsDay => "sessions_day",
            Self::TokensMonth => "tokens_month",
            Self::ConcurrentTurns => "concurrent_turns",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Users => "quota_exceeded.users",
            Self::Agents => "quota_exceeded.agents",
            Self::Tools => "quota_exceeded.tools",
            Self::ApiKeys => "quota_exceeded.api_keys",
            Self::SessionsDay => "quota_exceeded.sessions_day",
            Self::TokensMonth => "quota_exceeded.tokens_month",
            Self::ConcurrentTurns => "quota_exceeded.concurrent_turns",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TenantStatus {
    Active,
    Suspended,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UserStatus {
    /// Created with an invite token that has not been accepted yet.
    Invited,
    Active,
    Suspended,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_replace_only_what_they_name() {
        let quotas = Plan::Free.quotas().with(&QuotaOverrides { max_users: Some(9), ..Default::default() });
        assert_eq!(quotas.max_users, 9);
        assert_eq!(quotas.max_agents, Plan::Free.quotas().max_agents);
    }

    #[test]
    fn scopes_use_the_contract_names() {
        let scopes: Vec<Scope> =
            serde_json::from_str(r#"["chat","sessions:read","sessions:write","agents:manage","admin"]"#).unwrap();
        assert_eq!(scopes.len(), 5);
        assert!(serde_json::from_str::<Scope>(r#""root""#).is_err());
    }
}
