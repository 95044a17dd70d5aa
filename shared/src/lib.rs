//! The library every function shares: configuration, application state,
//! HTTP plumbing (errors, extractors, request ids), telemetry and storage.

pub mod agents;
pub mod auth;
pub mod config;
pub mod conversation;
pub mod domain;
pub mod http;
pub mod identity;
pub mod llm;
pub mod metrics;
pub mod net_guard;
pub mod runtime;
pub mod secrets;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod tools;

pub use config::Config;
pub use http::error::{AppError, AppResult};
pub use state::AppState;
