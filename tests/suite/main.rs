//! The integration suite: one test binary (see the handbook's testing rules).

mod support;

mod api_basics;
mod auth_flow;
mod store_contract;
mod tenant_admin;
