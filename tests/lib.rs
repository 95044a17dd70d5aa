//! What the integration suite and the benchmarks share: a local Lambda
//! Runtime API that runs the real function binaries, and a process's memory.

pub mod lambda_emulator;

/// A process's resident memory, in KiB.
pub fn resident_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.trim().trim_end_matches(" kB").parse().ok())
        .unwrap_or(0)
}
