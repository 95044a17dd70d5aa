//! Metering: what a tenant has used against its quotas, and the token
//! budget a chat turn holds while it runs.

pub mod report;
pub mod turn_budget;
pub mod usage;
