//! The integration suite: one test binary, so the crates link once.

mod fake_llm;
mod support;

mod agents;
mod api_basics;
mod auth_attacks;
mod auth_flow;
mod chat;
mod chat_metering;
mod chat_providers;
mod chat_quota;
mod deletion;
mod gateway_keys;
mod identity_on_dynamodb;
mod isolation;
mod lambda_runtime;
mod llm_providers;
mod llm_settings;
mod openai_api;
mod secret_stores;
mod security;
mod store_contract;
mod tenant_admin;
mod tools;
mod tracing;
