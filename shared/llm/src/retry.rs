//! When to try a provider call again, and how long to wait first.

use std::time::Duration;

use super::error::{LlmError, TimeoutKind};

/// Retries for failures that happen before a response starts streaming.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Total attempts, the first one included.
    pub attempts: u32,
    /// The backoff ceiling of the first retry; it doubles for each later one.
    pub base_delay: Duration,
    /// No wait exceeds this; a longer `Retry-After` means giving up at once.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self { attempts: 3, base_delay: Duration::from_millis(250), max_delay: Duration::from_secs(5) }
    }
}

impl RetryPolicy {
    /// How long to wait before trying again after attempt number `attempt`
    /// (1-based) failed with `error`, or `None` to give up with that error.
    pub(crate) fn delay_after(&self, attempt: u32, error: &LlmError) -> Option<Duration> {
        if attempt >= self.attempts {
            return None;
        }
        match error {
            LlmError::RateLimited { retry_after: Some(wait) } => (*wait <= self.max_delay).then_some(*wait),
            LlmError::Connect(_) | LlmError::Timeout(TimeoutKind::Connect) | LlmError::RateLimited { .. } => {
                Some(self.backoff(attempt))
            }
            LlmError::Upstream { status, .. } if *status >= 500 => Some(self.backoff(attempt)),
            _ => None,
        }
    }

    /// Full jitter: uniform in [0, min(max_delay, base_delay * 2^(attempt-1))],
    /// so clients that failed together do not retry together.
    fn backoff(&self, attempt: u32) -> Duration {
        let ceiling = self.base_delay.saturating_mul(1 << attempt.saturating_sub(1).min(16)).min(self.max_delay);
        ceiling.mul_f64(random_fraction())
    }
}

/// A uniform random number in [0, 1].
fn random_fraction() -> f64 {
    let mut bytes = [0u8; 8];
    // The system generator does not fail in practice; no jitter is a safe fallback.
    if paas_core::random::fill(&mut bytes).is_err() {
        return 1.0;
    }
    (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_stays_under_a_doubling_capped_ceiling() {
        let policy =
            RetryPolicy { attempts: 10, base_delay: Duration::from_millis(100), max_delay: Duration::from_millis(300) };
        let server_error = LlmError::Upstream { status: 503, message: String::new() };
        for _ in 0..200 {
            assert!(policy.delay_after(1, &server_error).unwrap() <= Duration::from_millis(100));
            assert!(policy.delay_after(2, &server_error).unwrap() <= Duration::from_millis(200));
            assert!(policy.delay_after(9, &server_error).unwrap() <= Duration::from_millis(300));
        }
    }

    #[test]
    fn gives_up_after_the_last_attempt_on_client_errors_and_on_long_retry_after() {
        let policy = RetryPolicy::default();
        let unreachable = LlmError::Connect("refused".into());
        assert!(policy.delay_after(2, &unreachable).is_some());
        assert!(policy.delay_after(3, &unreachable).is_none());
        assert!(policy.delay_after(1, &LlmError::Upstream { status: 400, message: String::new() }).is_none());
        assert!(policy.delay_after(1, &LlmError::Unauthorized).is_none());
        let soon = LlmError::RateLimited { retry_after: Some(Duration::from_secs(2)) };
        assert_eq!(policy.delay_after(1, &soon), Some(Duration::from_secs(2)));
        let late = LlmError::RateLimited { retry_after: Some(Duration::from_secs(60)) };
        assert_eq!(policy.delay_after(1, &late), None);
    }
}
