//! The integration suite: one test binary (see the handbook's testing rules).

mod support;

mod api_basics;
mod store_contract;
