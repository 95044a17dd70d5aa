//! What the integration suite and the benchmarks share: a local Lambda
//! Runtime API that runs the real function binaries.

pub mod lambda_emulator;
