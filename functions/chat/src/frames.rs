//! The chat stream's frames, as the HTTP contract names them: each has an
//! SSE `event:` name, an `id:` counting from 1 within the turn, and the JSON
//! envelope `{"event": ..., "data": ...}` that [`Frame`] serialises to (and
//! `/openapi.json` describes, so the web app's parser is generated from it).

use axum::response::sse::Event;
use paas_core::conversation::{ThoughtKind, TurnOutcome};
use paas_llm::Usage;
use serde::Serialize;
use tokio::sync::mpsc;

/// One frame of a turn's stream.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(tag = "event", content = "data", rename_all = "snake_case")]
pub enum Frame {
    /// First: the session the turn belongs to (new or continued) and the
    /// answer's message id.
    Session { session_id: String, message_id: String },
    /// A step of the agent's work, the moment it happens.
    Thought { kind: ThoughtKind, text: String, step: u32 },
    /// A piece of the answer's text, as a plain string.
    Message(String),
    /// Why the turn failed or was cut short; always followed by `done`.
    Error { code: &'static str, message: String },
    /// Exactly once, last.
    Done { outcome: TurnOutcome, session_id: String, message_id: String, usage: TokenUsage, model: String },
}

/// A turn's frames on their way to its response. Boxed: a channel allocates
/// its slots 32 at a time, and a frame takes 104 bytes, so every open stream
/// would hold kilobytes of empty slots.
pub type FrameSender = mpsc::Sender<Box<Frame>>;
pub type FrameReceiver = mpsc::Receiver<Box<Frame>>;

/// The channel from a turn to its response.
pub fn channel() -> (FrameSender, FrameReceiver) {
    mpsc::channel(64)
}

/// The tokens a turn consumed.
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
pub struct TokenUsage {
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub total_tokens: u64,
}

impl From<Usage> for TokenUsage {
    fn from(usage: Usage) -> Self {
        let Usage { input_tokens, output_tokens } = usage;
        Self { input_tokens, output_tokens, total_tokens: input_tokens + output_tokens }
    }
}

/// One server-sent event of the stream, as `/openapi.json` describes it:
/// `event:` the frame's name, `id:` its number in the turn, `data:` the
/// frame as JSON.
pub struct FrameEvent;

impl utoipa::PartialSchema for FrameEvent {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
        use utoipa::openapi::{ObjectBuilder, Ref, Type};
        let frame = serde_json::to_value(Ref::from_schema_name(<Frame as utoipa::ToSchema>::name())).expect("a ref");
        let data = paas_core::http::openapi::json_event_data(frame);
        let names = ["session", "thought", "message", "error", "done"];
        ObjectBuilder::new()
            .property("event", ObjectBuilder::new().schema_type(Type::String).enum_values(Some(names)))
            .property("id", ObjectBuilder::new().schema_type(Type::String).pattern(Some("^[1-9][0-9]*$")))
            .property("data", data)
            .required("event")
            .required("id")
            .required("data")
            .into()
    }
}

impl utoipa::ToSchema for FrameEvent {
    fn schemas(schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::Schema>)>) {
        schemas.push((<Frame as utoipa::ToSchema>::name().into(), <Frame as utoipa::PartialSchema>::schema()));
        <Frame as utoipa::ToSchema>::schemas(schemas);
    }
}

impl Frame {
    fn name(&self) -> &'static str {
        match self {
            Self::Session { .. } => "session",
            Self::Message(_) => "message",
            Self::Thought { .. } => "thought",
            Self::Error { .. } => "error",
            Self::Done { .. } => "done",
        }
    }

    /// The SSE event for this frame, numbered `id` within its turn.
    pub fn to_event(&self, id: u64) -> Event {
        let envelope = serde_json::to_string(self).expect("a frame serialises");
        Event::default().event(self.name()).id(id.to_string()).data(envelope)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_frame_is_the_envelope_the_contract_names() {
        let thought = Frame::Thought { kind: ThoughtKind::ToolCall, text: "calculator(2+2)".into(), step: 1 };
        assert_eq!(
            serde_json::to_value(&thought).unwrap(),
            serde_json::json!({"event": "thought", "data": {"kind": "tool_call", "text": "calculator(2+2)", "step": 1}})
        );
        let piece = Frame::Message("Rayleigh ".into());
        assert_eq!(serde_json::to_value(&piece).unwrap(), serde_json::json!({"event": "message", "data": "Rayleigh "}));
        let done = Frame::Done {
            outcome: TurnOutcome::Completed,
            session_id: "s".into(),
            message_id: "m".into(),
            usage: Usage { input_tokens: 31, output_tokens: 57 }.into(),
            model: "x".into(),
        };
        let usage = &serde_json::to_value(&done).unwrap()["data"]["usage"];
        assert_eq!(usage, &serde_json::json!({"input_tokens": 31, "output_tokens": 57, "total_tokens": 88}));
    }
}
