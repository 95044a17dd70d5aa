//! Pure domain types and rules, no I/O. Request bodies parse into these
//! types (serde `try_from`), so a value that exists is valid by construction.

pub mod agent_types;
mod ids;
mod names;
mod roles;
mod text;

pub use ids::{Id, IdError, SessionId, TenantId, UserId};
pub use names::{DisplayName, Email, NameError, Slug};
pub use roles::{Plan, Quota, QuotaOverrides, Quotas, Role, Scope, TenantStatus, UserStatus};
pub use text::TextRule;

/// Tokens a model call consumed, as stored with an answer and metered.
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Usage {
    pub input_tokens: u64,
    pub output_tokens: u64,
}
