//! What every function needs: domain types, storage (the store trait, the
//! DynamoDB backend and the key catalogue), configuration, errors and the
//! HTTP layer, credential verification, identity records, metering,
//! secrets, telemetry, metrics and the Lambda runtime.
//!
//! Talking to models lives in `paas-llm`, agents in `paas-agents` and the
//! embedded SQLite store in `paas-store-sqlite`, so a function links them
//! only when it serves them.

pub mod allocator;
pub mod auth;
pub mod aws;
pub mod config;
pub mod conversation;
pub mod domain;
pub mod http;
pub mod identity;
pub mod metering;
pub mod metrics;
pub mod random;
pub mod runtime;
pub mod secrets;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod tls;

pub use config::Config;
pub use http::error::{AppError, AppResult};
pub use state::AppState;
