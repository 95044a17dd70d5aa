//! Every provider's calls as `chat {model}` spans ([`crate::genai`]),
//! in one wrapper rather than in each wire format.

use async_trait::async_trait;
use futures::StreamExt;
use tracing::{Instrument, Span};

use super::{ChatRequest, LlmError, LlmProvider, LlmStream, StreamEvent};
use crate::genai;

pub(crate) struct Traced {
    pub inner: Box<dyn LlmProvider>,
    /// The model the provider uses when a request names none, for the span's name.
    pub default_model: &'static str,
}

#[async_trait]
impl LlmProvider for Traced {
    /// The span covers the request (retries included) and lives as long as
    /// the stream, recording usage, finish and failure as they pass.
    async fn stream(&self, request: ChatRequest) -> Result<LlmStream, LlmError> {
        let model = if request.model.is_empty() { self.default_model } else { &request.model };
        let span = genai::chat_span(self.name(), model, request.max_tokens, request.temperature);
        match self.inner.stream(request).instrument(span.clone()).await {
            Ok(events) => Ok(Box::pin(events.inspect(move |event| record(&span, event)))),
            Err(err) => {
                genai::record_error(&span, err.code());
                Err(err)
            }
        }
    }

    fn name(&self) -> &'static str {
        self.inner.name()
    }
}

fn record(span: &Span, event: &Result<StreamEvent, LlmError>) {
    match event {
        Ok(StreamEvent::Usage(usage)) => genai::record_usage(span, usage.input_tokens, usage.output_tokens),
        Ok(StreamEvent::Finished(reason)) => genai::record_finish_reason(span, reason.as_str()),
        Err(err) => genai::record_error(span, err.code()),
        Ok(_) => {}
    }
}
