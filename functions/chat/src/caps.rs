//! Caps on what an upstream or a model can make one turn do. A provider the
//! tenant points us at may be hostile: without these it could fill memory,
//! or turn one message into thousands of tool runs. Each breach ends the
//! turn with an `error` frame carrying its code (listed in the README), then
//! `done` with outcome `truncated`; what was relayed is stored and counted.
//! The SSE layer caps single events and whole responses
//! (`provider_event_too_large`, `provider_response_too_large`).

/// Answer text, reasoning and tool-call arguments relayed in one turn.
pub const MAX_TURN_BYTES: usize = 4 * 1024 * 1024;
/// Reasoning text in one turn.
pub const MAX_REASONING_BYTES: usize = 512 * 1024;
/// One tool call's arguments.
pub const MAX_TOOL_ARGUMENT_BYTES: usize = 64 * 1024;
/// Tool calls one model step may make.
pub const MAX_TOOL_CALLS_PER_STEP: usize = 16;
/// Tool calls one turn may make, over all its steps.
pub const MAX_TOOL_CALLS_PER_TURN: usize = 64;
/// Tool calls of one step that run at the same time.
pub const MAX_CONCURRENT_TOOL_RUNS: usize = 4;
/// The most tokens a provider's report is believed for one step, each way:
/// far beyond any model's context, so only a lying upstream reaches it, and
/// its figures cannot overflow the counters.
pub const MAX_REPORTED_TOKENS: u64 = 10_000_000;

/// A cap a turn ran into: its error code and what the client is told.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Breach {
    /// The provider went on past the output allowance (`max_tokens`).
    OutputLimit,
    TurnBytes,
    Reasoning,
    ToolArguments,
    ToolCalls,
}

impl Breach {
    pub fn code(self) -> &'static str {
        match self {
            Self::OutputLimit => "output_limit",
            Self::TurnBytes => "turn_too_large",
            Self::Reasoning => "reasoning_too_long",
            Self::ToolArguments => "tool_arguments_too_large",
            Self::ToolCalls => "too_many_tool_calls",
        }
    }

    pub fn message(self) -> String {
        match self {
            Self::OutputLimit => {
                "the provider went on past the output allowance (max_tokens); the answer was cut there".into()
            }
            Self::TurnBytes => format!("the turn passed {} MiB of text; it was cut", MAX_TURN_BYTES >> 20),
            Self::Reasoning => {
                format!("the model's reasoning passed {} KiB; the turn was cut", MAX_REASONING_BYTES >> 10)
            }
            Self::ToolArguments => {
                format!("a tool call's arguments passed {} KiB; no tool was run", MAX_TOOL_ARGUMENT_BYTES >> 10)
            }
            Self::ToolCalls => format!(
                "the model asked for more than {MAX_TOOL_CALLS_PER_STEP} tool calls in a step or \
                 {MAX_TOOL_CALLS_PER_TURN} in a turn; no more were run"
            ),
        }
    }
}
