//! The key catalogue: every storage key of the platform is built here, and
//! every key of a tenant's data from its verified `&TenantId` (request input
//! never names a partition). [`TENANT_DATA`] lists what a tenant owns, by
//! where it lives; deleting a tenant walks it (`identity::deletion`), so a
//! new kind of record is added here, in the list, and the compiler asks how
//! to delete it.
//!
//! | table | partition | sort key | record |
//! |---|---|---|---|
//! | tenants | `<tenant>` | `META`, `COUNTS` | the tenant (and its API Gateway key), its member and agent counts |
//! | tenants | `<tenant>` | `USAGE#DAY#<date>`, `USAGE#MONTH#<month>`, `USAGE#TURNS`, `TURN#<ulid>` | usage counters, running turns' leases |
//! | tenants | `<tenant>` | `LLM`, `LLM#<provider>` | provider settings |
//! | tenants | `SLUG#<slug>` | `SLUG` | the slug's owner |
//! | users | `<tenant>` or `PLATFORM` | `USER#<user>`, `INVITE#<user>` | members and operators, open invites |
//! | users | `EMAIL#<email>` | `<tenant>` or `PLATFORM` | log-in pointers |
//! | users | `ACCOUNTS#<email>` | `COUNT` | how many tenant accounts an email has |
//! | api_keys | `<tenant>` | `<key id>` | API keys (hashes) |
//! | api_keys | `KEY#<key id>` | `KEY` | the key's tenant |
//! | agents | `<tenant>` | `AGENT#<id>`, `TOOL#<id>`, `TOOLNAME#<name>` | agents, tools, tool names |
//! | sessions | `<tenant>` | `<session>` | sessions |
//! | messages | `<tenant>#<session>` | `MSG#<id>`, `LOG#<id>` | messages, agent log |
//! | auth | `<tenant>` or `PLATFORM` | `RT#<family>` | refresh-token families |
//! | auth | `THROTTLE#…` | window or client | log-in throttling (not a tenant's) |
//!
//! Secrets a tenant owns are named under [`tenant_secrets`].

use chrono::NaiveDate;

use super::{Key, SortRange, TableDef, tables};
use crate::auth::api_key::ApiKeyId;
use crate::domain::{Email, SessionId, Slug, TenantId, UserId};

/// The partition of platform operators (and their refresh tokens), outside every tenant.
pub const PLATFORM: &str = "PLATFORM";

// Tenants table.

pub fn tenant(tenant_id: &TenantId) -> Key {
    Key::new(tenant_id.as_str(), "META")
}

pub fn tenant_counts(tenant_id: &TenantId) -> Key {
    Key::new(tenant_id.as_str(), "COUNTS")
}

pub fn slug(slug: &Slug) -> Key {
    Key::new(format!("SLUG#{}", slug.as_str()), "SLUG")
}

/// Every secret the tenant owns is named under this prefix.
pub fn tenant_secrets(tenant_id: &TenantId) -> String {
    format!("tenants/{tenant_id}/")
}

pub const USAGE_DAY_PREFIX: &str = "USAGE#DAY#";

pub fn usage_day(tenant_id: &TenantId, day: NaiveDate) -> Key {
    Key::new(tenant_id.as_str(), format!("{USAGE_DAY_PREFIX}{}", day.format("%Y-%m-%d")))
}

/// `month` as month counters are named (`2026-11`).
pub fn usage_month(tenant_id: &TenantId, month: &str) -> Key {
    Key::new(tenant_id.as_str(), format!("USAGE#MONTH#{month}"))
}

pub fn running_turns(tenant_id: &TenantId) -> Key {
    Key::new(tenant_id.as_str(), "USAGE#TURNS")
}

pub const TURN_LEASE_PREFIX: &str = "TURN#";

/// A running turn's lease; `lease` is its sort key, as generated or as read back.
pub fn turn_lease(tenant_id: &TenantId, lease: &str) -> Key {
    Key::new(tenant_id.as_str(), lease)
}

/// A new turn lease's sort key.
pub fn new_turn_lease() -> String {
    format!("{TURN_LEASE_PREFIX}{}", ulid::Ulid::new())
}

pub fn llm_default(tenant_id: &TenantId) -> Key {
    Key::new(tenant_id.as_str(), "LLM")
}

/// `provider` as the provider kind is named (`openai`).
pub fn llm_provider(tenant_id: &TenantId, provider: &str) -> Key {
    Key::new(tenant_id.as_str(), format!("LLM#{provider}"))
}

// Users table. `partition` is a member's tenant id, or [`PLATFORM`] for an operator.

pub const USER_PREFIX: &str = "USER#";

pub fn user(partition: &str, user_id: &UserId) -> Key {
    Key::new(partition, format!("{USER_PREFIX}{user_id}"))
}

pub fn email_pointer(email: &Email, partition: &str) -> Key {
    Key::new(email_pointers(email), partition)
}

/// The partition of an email's log-in pointers, one per tenant (or the platform).
pub fn email_pointers(email: &Email) -> String {
    format!("EMAIL#{email}")
}

pub fn email_accounts(email: &Email) -> Key {
    Key::new(format!("ACCOUNTS#{email}"), "COUNT")
}

pub fn invite(tenant_id: &TenantId, user_id: &UserId) -> Key {
    Key::new(tenant_id.as_str(), format!("INVITE#{user_id}"))
}

// API keys table.

pub fn api_key(tenant_id: &TenantId, key_id: &ApiKeyId) -> Key {
    Key::new(tenant_id.as_str(), key_id.as_str())
}

pub fn api_key_pointer(key_id: &ApiKeyId) -> Key {
    Key::new(format!("KEY#{}", key_id.as_str()), "KEY")
}

// Agents table.

pub const AGENT_PREFIX: &str = "AGENT#";
pub const TOOL_PREFIX: &str = "TOOL#";

pub fn agent(tenant_id: &TenantId, agent_id: &str) -> Key {
    Key::new(tenant_id.as_str(), format!("{AGENT_PREFIX}{agent_id}"))
}

pub fn tool(tenant_id: &TenantId, tool_id: &str) -> Key {
    Key::new(tenant_id.as_str(), format!("{TOOL_PREFIX}{tool_id}"))
}

pub fn tool_name(tenant_id: &TenantId, name: &str) -> Key {
    Key::new(tenant_id.as_str(), format!("TOOLNAME#{name}"))
}

// Sessions and messages tables.

pub fn session(tenant_id: &TenantId, session_id: &SessionId) -> Key {
    Key::new(tenant_id.as_str(), session_id.as_str())
}

/// The partition of one session's messages and log.
pub fn session_messages(tenant_id: &TenantId, session_id: &SessionId) -> String {
    format!("{tenant_id}#{session_id}")
}

pub const MESSAGE_PREFIX: &str = "MSG#";
pub const LOG_PREFIX: &str = "LOG#";

pub fn message(tenant_id: &TenantId, session_id: &SessionId, message_id: &str) -> Key {
    Key::new(session_messages(tenant_id, session_id), format!("{MESSAGE_PREFIX}{message_id}"))
}

pub fn log_entry(tenant_id: &TenantId, session_id: &SessionId, entry_id: &str) -> Key {
    Key::new(session_messages(tenant_id, session_id), format!("{LOG_PREFIX}{entry_id}"))
}

// Auth table.

/// `partition` as for users.
pub fn refresh_family(partition: &str, family_id: &str) -> Key {
    Key::new(partition, format!("RT#{family_id}"))
}

/// Everything a tenant owns, by where it lives. Deletion walks this list in
/// order: pointers outside the tenant's partitions first, while the records
/// naming them still exist; the tenant record, which says what is left, last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TenantData {
    /// The API Gateway key named on the tenant record (outside storage).
    GatewayKey,
    /// Secrets under [`tenant_secrets`]: provider keys, tool headers.
    Secrets,
    /// `EMAIL#` pointers and `ACCOUNTS#` counts of its members.
    EmailPointers,
    /// `KEY#` pointers of its API keys.
    ApiKeyPointers,
    /// Each session's message partition ([`session_messages`]).
    SessionMessages,
    /// The tenant's own partition of a table.
    Partition(&'static TableDef),
    /// Its `SLUG#` item, while it still names the tenant.
    Slug,
    /// Its `TENANTS` partition but the record: counters, leases, settings.
    TenantItems,
    /// The tenant record itself.
    Record,
}

pub const TENANT_DATA: &[TenantData] = &[
    TenantData::GatewayKey,
    TenantData::Secrets,
    TenantData::EmailPointers,
    TenantData::ApiKeyPointers,
    TenantData::SessionMessages,
    TenantData::Partition(&tables::SESSIONS),
    TenantData::Partition(&tables::AGENTS),
    TenantData::Partition(&tables::API_KEYS),
    TenantData::Partition(&tables::USERS),
    TenantData::Partition(&tables::AUTH),
    TenantData::Slug,
    TenantData::TenantItems,
    TenantData::Record,
];

/// A sort-key range of everything under a prefix.
pub fn under(prefix: &str) -> SortRange {
    SortRange::Prefix(prefix.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A table added without saying how a tenant's part of it is deleted fails here.
    #[test]
    fn tenant_deletion_reaches_every_table() {
        for table in tables::ALL {
            let covered = TENANT_DATA.iter().any(|data| match data {
                TenantData::Partition(t) => std::ptr::eq(*t, *table),
                TenantData::SessionMessages => std::ptr::eq(*table, &tables::MESSAGES),
                TenantData::TenantItems | TenantData::Record => std::ptr::eq(*table, &tables::TENANTS),
                _ => false,
            });
            assert!(covered, "table {} has no place in TENANT_DATA", table.name);
        }
    }

    #[test]
    fn the_record_goes_last() {
        assert_eq!(TENANT_DATA.last(), Some(&TenantData::Record));
    }
}
