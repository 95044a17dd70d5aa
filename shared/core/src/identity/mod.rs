//! Identity records and their storage rules: tenants, users, API keys,
//! refresh-token families and login throttling. Every key is built here
//! from a verified tenant id; request input never names a partition.

pub mod api_keys;
pub mod deletion;
pub mod gateway_key;
pub mod gateway_keys;
pub mod invites;
pub mod refresh;
pub mod tenants;
pub mod throttle;
pub mod users;

pub use crate::store::keys::PLATFORM;

/// Seconds since the epoch for a TTL attribute this far ahead.
pub fn expires_in(duration: chrono::Duration) -> i64 {
    (chrono::Utc::now() + duration).timestamp()
}
