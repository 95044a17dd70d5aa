//! The chat stream's frames, as the HTTP contract names them: each has an
//! SSE `event:` name, an `id:` counting from 1 within the turn, and a JSON
//! envelope `{"event": ..., "data": ...}`.

use axum::response::sse::Event;
use paas_llm::Usage;
use serde::Serialize;
use serde_json::{Value, json};

/// How a turn ended; `done` carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Completed,
    Failed,
    Cancelled,
    Truncated,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
            Self::Truncated => "truncated",
        }
    }
}

#[derive(Debug, Clone)]
pub enum Frame {
    Session {
        session_id: String,
        message_id: String,
    },
    /// A piece of the answer.
    Message(String),
    Thought {
        kind: &'static str,
        text: String,
        step: u32,
    },
    Error {
        code: &'static str,
        message: String,
    },
    Done {
        outcome: Outcome,
        session_id: String,
        message_id: String,
        usage: Usage,
        model: String,
    },
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

    fn data(&self) -> Value {
        match self {
            Self::Session { session_id, message_id } => json!({ "session_id": session_id, "message_id": message_id }),
            Self::Message(text) => json!(text),
            Self::Thought { kind, text, step } => json!({ "kind": kind, "text": text, "step": step }),
            Self::Error { code, message } => json!({ "code": code, "message": message }),
            Self::Done { outcome, session_id, message_id, usage, model } => json!({
                "outcome": outcome,
                "session_id": session_id,
                "message_id": message_id,
                "usage": {
                    "input_tokens": usage.input_tokens,
                    "output_tokens": usage.output_tokens,
                    "total_tokens": usage.input_tokens + usage.output_tokens,
                },
                "model": model,
            }),
        }
    }

    /// The SSE event for this frame, numbered `id` within its turn.
    pub fn to_event(&self, id: u64) -> Event {
        let name = self.name();
        Event::default().event(name).id(id.to_string()).data(json!({ "event": name, "data": self.data() }).to_string())
    }
}
