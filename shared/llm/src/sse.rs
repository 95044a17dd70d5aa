//! Turning a provider's server-sent events into [`StreamEvent`]s under the
//! first-token and idle timeouts, and within size caps: the SSE parser keeps
//! a line, and an event's data, in memory until it ends, so an upstream that
//! never ends one (or never stops) must be cut off.

use std::collections::VecDeque;
use std::pin::Pin;
use std::time::Duration;

use eventsource_stream::{Event, EventStreamError, Eventsource};
use futures::{Stream, StreamExt};
use tokio::time::Instant;

use super::LlmStream;
use super::error::{LlmError, Oversize, TimeoutKind};
use super::types::StreamEvent;

/// Whether a wire message completed the answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Progress {
    More,
    Done,
}

/// One provider's wire format: SSE events in, stream events out.
pub(crate) trait Decoder: Send + 'static {
    fn decode(&mut self, event: &Event, out: &mut VecDeque<StreamEvent>) -> Result<Progress, LlmError>;
}

type SseStream = Pin<Box<dyn Stream<Item = Result<Event, EventStreamError<BodyError>>> + Send>>;

/// The longest SSE event (and so line) a provider may send: real ones are a
/// few hundred bytes; a tool call's arguments in one event stay far below.
pub const MAX_EVENT_BYTES: usize = 1024 * 1024;
/// The most one provider response may send, whatever its events.
pub const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// Why a response body stopped.
#[derive(Debug)]
enum BodyError {
    Transport,
    Oversized(Oversize),
}

/// Counts a body's bytes: in all, and since the last blank line (the end of an event).
#[derive(Default)]
struct SizeGuard {
    total: usize,
    event: usize,
    /// The last byte seen, when it ended a line.
    line_end: Option<u8>,
}

impl SizeGuard {
    fn check(&mut self, chunk: &[u8]) -> Result<(), Oversize> {
        self.total += chunk.len();
        if self.total > MAX_RESPONSE_BYTES {
            return Err(Oversize::Response);
        }
        // A blank line: two line ends in a row ("\r\n" counts as one).
        let within = [&b"\n\n"[..], b"\r\r", b"\n\r"]
            .iter()
            .filter_map(|end| memchr::memmem::rfind(chunk, end).map(|at| at + end.len()))
            .max();
        let across = match (self.line_end, chunk.first()) {
            (Some(b'\n'), Some(b'\n' | b'\r')) | (Some(b'\r'), Some(b'\r')) => Some(1),
            _ => None,
        };
        self.event = match within.or(across) {
            Some(end) => chunk.len() - end,
            None => self.event + chunk.len(),
        };
        self.line_end = chunk.last().copied().filter(|b| matches!(b, b'\n' | b'\r'));
        if self.event > MAX_EVENT_BYTES { Err(Oversize::Event) } else { Ok(()) }
    }
}

/// A provider's response whose body has begun (a success status).
pub(crate) struct Started {
    pub response: reqwest::Response,
    /// When the first output must have arrived (this attempt's send time + first-token timeout).
    pub first_token_deadline: Instant,
}

/// Decodes a started response. The stream ends after `Finished` or after
/// the first error; either way the body is dropped, which cancels the request.
pub(crate) fn decode(started: Started, decoder: impl Decoder, idle: Duration) -> LlmStream {
    let decoding = Decoding {
        sse: Box::pin(guarded(started.response).eventsource()),
        decoder,
        pending: VecDeque::new(),
        done: false,
        output_started: false,
        first_token_deadline: started.first_token_deadline,
        idle,
    };
    Box::pin(futures::stream::unfold(Some(decoding), |decoding| async move {
        let mut decoding = decoding?;
        match decoding.next().await? {
            Ok(event) => Some((Ok(event), Some(decoding))),
            Err(error) => Some((Err(error), None)),
        }
    }))
}

/// The body, failing once it passes a size cap (which drops the connection).
fn guarded(response: reqwest::Response) -> impl Stream<Item = Result<impl AsRef<[u8]>, BodyError>> {
    let mut guard = SizeGuard::default();
    response.bytes_stream().map(move |chunk| {
        let chunk = chunk.map_err(|_| BodyError::Transport)?;
        guard.check(&chunk).map_err(BodyError::Oversized)?;
        Ok(chunk)
    })
}

struct Decoding<D> {
    sse: SseStream,
    decoder: D,
    /// Decoded but not yet yielded (one wire message can hold several events).
    pending: VecDeque<StreamEvent>,
    done: bool,
    /// Set once model output was yielded: from then on the idle timeout applies.
    output_started: bool,
    first_token_deadline: Instant,
    idle: Duration,
}

impl<D: Decoder> Decoding<D> {
    async fn next(&mut self) -> Option<Result<StreamEvent, LlmError>> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                self.output_started |= event.is_output();
                return Some(Ok(event));
            }
            if self.done {
                return None;
            }
            // One timeout per poll: any event (a ping too) shows the provider alive.
            let (polled, kind) = if self.output_started {
                (tokio::time::timeout(self.idle, self.sse.next()).await, TimeoutKind::Idle)
            } else {
                (tokio::time::timeout_at(self.first_token_deadline, self.sse.next()).await, TimeoutKind::FirstToken)
            };
            let event = match polled {
                Err(_) => return Some(Err(LlmError::Timeout(kind))),
                Ok(None) => return Some(Err(LlmError::ended_early())),
                Ok(Some(Err(error))) => return Some(Err(wire_error(&error))),
                Ok(Some(Ok(event))) => event,
            };
            match self.decoder.decode(&event, &mut self.pending) {
                Ok(progress) => self.done = progress == Progress::Done,
                Err(error) => return Some(Err(error)),
            }
        }
    }
}

fn wire_error(error: &EventStreamError<BodyError>) -> LlmError {
    match error {
        // A body cut mid-way surfaces as a transport error.
        EventStreamError::Transport(BodyError::Transport) => LlmError::ended_early(),
        EventStreamError::Transport(BodyError::Oversized(what)) => LlmError::Oversized(*what),
        EventStreamError::Utf8(_) => LlmError::Protocol("event stream is not UTF-8".into()),
        EventStreamError::Parser(_) => LlmError::Protocol("malformed event stream".into()),
    }
}

/// Parses one event's JSON payload, naming the wire format in the error.
pub(crate) fn parse<T: serde::de::DeserializeOwned>(what: &str, event: &Event) -> Result<T, LlmError> {
    serde_json::from_str(&event.data).map_err(|error| LlmError::malformed(what, &error))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_reset_the_count_and_long_ones_fail() {
        let mut guard = SizeGuard::default();
        let event = format!("data: {}\n\n", "x".repeat(MAX_EVENT_BYTES - 10));
        for _ in 0..3 {
            assert_eq!(guard.check(event.as_bytes()), Ok(()));
        }
        // One line split over chunks, never ended.
        let mut guard = SizeGuard::default();
        let piece = vec![b'x'; MAX_EVENT_BYTES / 2];
        assert_eq!(guard.check(b"data: "), Ok(()));
        assert_eq!(guard.check(&piece), Ok(()));
        assert_eq!(guard.check(&piece), Err(Oversize::Event));
    }

    #[test]
    fn a_blank_line_across_chunks_ends_an_event() {
        let mut guard = SizeGuard::default();
        let half = format!("data: {}\r\n", "x".repeat(MAX_EVENT_BYTES / 2 + 10));
        assert_eq!(guard.check(half.as_bytes()), Ok(()));
        assert_eq!(guard.check(format!("\r\n{half}").as_bytes()), Ok(()));
        // No blank line this time: the event goes on past the cap.
        assert_eq!(guard.check(half.as_bytes()), Err(Oversize::Event));
    }

    #[test]
    fn a_response_is_capped_in_all() {
        let mut guard = SizeGuard::default();
        let event = format!("data: {}\n\n", "x".repeat(1000));
        let mut result = Ok(());
        for _ in 0..=MAX_RESPONSE_BYTES / event.len() {
            result = guard.check(event.as_bytes());
        }
        assert_eq!(result, Err(Oversize::Response));
    }
}
