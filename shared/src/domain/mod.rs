//! Pure domain types and rules, no I/O. Request bodies parse into these
//! types (serde `try_from`), so a value that exists is valid by construction.

mod ids;
mod names;
mod roles;

pub use ids::{Id, IdError, SessionId, TenantId, UserId};
pub use names::{DisplayName, Email, NameError, Slug};
pub use roles::{Plan, Quota, QuotaOverrides, Quotas, Role, Scope, TenantStatus, UserStatus};
