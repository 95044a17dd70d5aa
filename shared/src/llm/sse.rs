//! Turning a provider's server-sent events into [`StreamEvent`]s under the
//! first-token and idle timeouts.

use std::collections::VecDeque;
use std::pin::Pin;
use std::time::Duration;

use eventsource_stream::{Event, EventStreamError, Eventsource};
use futures::{Stream, StreamExt};
use tokio::time::Instant;

use super::LlmStream;
use super::error::{LlmError, TimeoutKind};
use super::types::StreamEvent;
use super::upstream::Started;

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

type SseStream = Pin<Box<dyn Stream<Item = Result<Event, EventStreamError<reqwest::Error>>> + Send>>;

/// Decodes a started response. The stream ends after `Finished` or after
/// the first error; either way the body is dropped, which cancels the request.
pub(crate) fn decode(started: Started, decoder: impl Decoder, idle: Duration) -> LlmStream {
    let decoding = Decoding {
        sse: Box::pin(started.response.bytes_stream().eventsource()),
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

fn wire_error(error: &EventStreamError<reqwest::Error>) -> LlmError {
    match error {
        // A body cut mid-way surfaces as a transport error.
        EventStreamError::Transport(_) => LlmError::ended_early(),
        EventStreamError::Utf8(_) => LlmError::Protocol("event stream is not UTF-8".into()),
        EventStreamError::Parser(_) => LlmError::Protocol("malformed event stream".into()),
    }
}

/// Parses one event's JSON payload, naming the wire format in the error.
pub(crate) fn parse<T: serde::de::DeserializeOwned>(what: &str, event: &Event) -> Result<T, LlmError> {
    serde_json::from_str(&event.data).map_err(|error| LlmError::malformed(what, &error))
}
