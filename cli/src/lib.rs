//! The local runner and operator commands, as a library so the tests run
//! exactly what `paas serve` serves.

pub mod browser_headers;
pub mod http_server;
pub mod operators;
pub mod serve;
