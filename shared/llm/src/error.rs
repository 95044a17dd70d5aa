//! What can go wrong talking to a provider, with the stable codes clients see.

use std::time::Duration;

/// Which of the three timeouts fired.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeoutKind {
    /// Opening the TCP/TLS connection.
    Connect,
    /// From sending the request until the first text, reasoning or tool call.
    FirstToken,
    /// The longest silence allowed once the answer has started.
    Idle,
}

/// Which size cap a provider's answer passed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Oversize {
    /// One SSE event (or line) longer than the cap.
    Event,
    /// More bytes in one response than the cap.
    Response,
}

/// A provider call that failed; never carries a key or a message body.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum LlmError {
    #[error("cannot reach the provider: {0}")]
    Connect(String),
    #[error("the provider timed out ({0:?})")]
    Timeout(TimeoutKind),
    #[error("the provider is rate limiting requests")]
    RateLimited { retry_after: Option<Duration> },
    #[error("the provider answered {status}: {message}")]
    Upstream { status: u16, message: String },
    #[error("the provider refused the API key")]
    Unauthorized,
    #[error("the provider broke the protocol: {0}")]
    Protocol(String),
    #[error("the provider sent more than this platform accepts ({0:?} size cap)")]
    Oversized(Oversize),
}

impl LlmError {
    /// The stable snake_case code a client's error event carries.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Connect(_) => "provider_unreachable",
            Self::Timeout(_) => "provider_timeout",
            Self::RateLimited { .. } => "provider_rate_limited",
            Self::Upstream { .. } => "provider_error",
            Self::Unauthorized => "provider_auth_failed",
            Self::Protocol(_) => "provider_protocol_error",
            Self::Oversized(Oversize::Event) => "provider_event_too_large",
            Self::Oversized(Oversize::Response) => "provider_response_too_large",
        }
    }

    /// The error for a stream that stopped before the provider said it was finished.
    pub(crate) fn ended_early() -> Self {
        Self::Protocol("stream ended early".into())
    }

    /// A chunk that is not the JSON the wire format promises. Only the error's
    /// position is kept: serde's message can quote the chunk, i.e. model output.
    pub(crate) fn malformed(what: &str, error: &serde_json::Error) -> Self {
        Self::Protocol(format!("malformed {what} chunk ({:?} error at column {})", error.classify(), error.column()))
    }

    /// The error for a non-success HTTP status (also used for in-stream errors
    /// that name one).
    pub(crate) fn from_status(status: u16, retry_after: Option<Duration>, message: String) -> Self {
        match status {
            401 | 403 => Self::Unauthorized,
            429 => Self::RateLimited { retry_after },
            _ => Self::Upstream { status, message },
        }
    }
}
