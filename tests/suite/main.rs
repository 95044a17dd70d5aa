//! The integration suite: one test binary (see the handbook's testing rules).

mod support;

mod api_basics;
mod auth_flow;
mod identity_on_dynamodb;
mod isolation;
mod store_contract;
mod tenant_admin;
