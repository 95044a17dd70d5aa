//! The tables, defined once: the SQLite backend creates them from these
//! definitions, `paas tables create` creates them on a DynamoDB endpoint, and
//! `paas tables schema` prints them so a test can hold `template.yaml` to them.
//!
//! Every key attribute is a string. Every table has the TTL attribute
//! [`TTL_ATTR`] (epoch seconds); an item past it reads as missing at once,
//! although DynamoDB deletes it only later.

use serde::Serialize;

pub const TTL_ATTR: &str = "expires_at";

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct TableDef {
    /// Logical name; the physical name is the configured prefix + this.
    pub name: &'static str,
    pub indexes: &'static [IndexDef],
    pub ttl: Option<&'static str>,
}

/// A global secondary index projecting whole items.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct IndexDef {
    pub name: &'static str,
    pub pk: &'static str,
    pub sk: Option<&'static str>,
}

impl TableDef {
    pub fn index_named(&'static self, name: &str) -> &'static IndexDef {
        self.indexes
            .iter()
            .find(|i| i.name == name)
            .unwrap_or_else(|| panic!("table {} has no index {name}", self.name))
    }
}

/// Tenant profile, plan, quotas and period-keyed usage counters.
/// `by_kind` lists every tenant for platform operators (META items carry `kind`).
pub static TENANTS: TableDef = TableDef {
    name: "tenants",
    indexes: &[IndexDef { name: "by_kind", pk: "kind", sk: Some("pk") }],
    ttl: Some(TTL_ATTR),
};

/// Users of a tenant, and the global `EMAIL#<email>` pointers log-in reads
/// (consistent reads, unlike an index, so a new user can log in at once).
pub static USERS: TableDef = TableDef { name: "users", indexes: &[], ttl: Some(TTL_ATTR) };

/// API keys (hashes only), and the global `KEY#<key id>` pointers to their tenants.
pub static API_KEYS: TableDef = TableDef { name: "api_keys", indexes: &[], ttl: Some(TTL_ATTR) };

pub static AGENTS: TableDef = TableDef { name: "agents", indexes: &[], ttl: Some(TTL_ATTR) };

/// Session metadata; sort keys are ULIDs, so a partition reads by time.
pub static SESSIONS: TableDef = TableDef { name: "sessions", indexes: &[], ttl: Some(TTL_ATTR) };

/// Messages, thoughts and tool steps; one partition per session (`tenant#session`).
pub static MESSAGES: TableDef = TableDef { name: "messages", indexes: &[], ttl: Some(TTL_ATTR) };

/// Refresh-token families and other short-lived auth state.
pub static AUTH: TableDef = TableDef { name: "auth", indexes: &[], ttl: Some(TTL_ATTR) };

pub static ALL: &[&TableDef] = &[&TENANTS, &USERS, &API_KEYS, &AGENTS, &SESSIONS, &MESSAGES, &AUTH];
