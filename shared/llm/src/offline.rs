//! The provider used when a tenant has configured none: no network,
//! deterministic, and plainly labelled, so chat (tool loop included) can be
//! tried and tested without a key.

use std::time::Duration;

use async_trait::async_trait;
use futures::StreamExt;

use super::error::LlmError;
use super::types::{ChatMessage, ChatRequest, FinishReason, MessageRole, StreamEvent, ToolCall, Usage};
use super::{LlmProvider, LlmStream, ProviderKind, TokenTally, estimate_request};

const REASONING: &str = "Offline provider: composing a deterministic answer…";
/// The tools the offline provider knows how to call.
const CALCULATOR: &str = "calculator";
const HTTP_GET: &str = "http_get";
/// How many of the user's words the answer quotes.
const QUOTED_WORDS: usize = 8;

pub(crate) struct OfflineProvider {
    /// The pause before each word, as a model paces its output.
    pub word_interval: Duration,
}

#[async_trait]
impl LlmProvider for OfflineProvider {
    async fn stream(&self, request: ChatRequest) -> Result<LlmStream, LlmError> {
        let pause = self.word_interval;
        Ok(Box::pin(futures::stream::iter(script(&request)).then(move |event| async move {
            if matches!(event, StreamEvent::Delta(_)) && !pause.is_zero() {
                tokio::time::sleep(pause).await;
            }
            Ok(event)
        })))
    }

    fn name(&self) -> &'static str {
        ProviderKind::Offline.as_str()
    }
}

/// Every event of the answer to `request`, in order.
fn script(request: &ChatRequest) -> Vec<StreamEvent> {
    // It reports what the platform's own estimate counts, honouring `max_tokens`.
    let input_tokens = estimate_request(request);
    let mut output = TokenTally::default();
    output.add(REASONING);
    let mut events = vec![StreamEvent::Reasoning(REASONING.to_owned())];
    if let Some(call) = tool_call(request) {
        output.add(&call.name);
        output.add(&call.arguments);
        events.push(StreamEvent::ToolCall(call));
        events.push(StreamEvent::Usage(Usage { input_tokens, output_tokens: output.tokens() }));
        events.push(StreamEvent::Finished(FinishReason::ToolCalls));
        return events;
    }
    let mut finish = FinishReason::Stop;
    for word in answer(&request.messages).split_inclusive(' ') {
        if output.fitting(word, u64::from(request.max_tokens)) < word.len() {
            finish = FinishReason::Length;
            break;
        }
        output.add(word);
        events.push(StreamEvent::Delta(word.to_owned()));
    }
    events.push(StreamEvent::Usage(Usage { input_tokens, output_tokens: output.tokens() }));
    events.push(StreamEvent::Finished(finish));
    events
}

/// The call the user's newest message asks for (a tool result after it
/// means the call was made): `http_get` for the first web address in it,
/// else the calculator for its first arithmetic, each when the request
/// offers that tool.
fn tool_call(request: &ChatRequest) -> Option<ToolCall> {
    let last = request.messages.last().filter(|message| message.role == MessageRole::User)?;
    let offers = |name: &str| request.tools.iter().any(|tool| tool.name == name);
    let (name, arguments) = if let Some(url) = web_address(&last.content).filter(|_| offers(HTTP_GET)) {
        (HTTP_GET, serde_json::json!({ "url": url }))
    } else {
        let expression = arithmetic(&last.content).filter(|_| offers(CALCULATOR))?;
        (CALCULATOR, serde_json::json!({ "expression": expression }))
    };
    Some(ToolCall { id: format!("call_offline_{name}"), name: name.to_owned(), arguments: arguments.to_string() })
}

/// The first http(s) address in `text`, without the punctuation a sentence puts after it.
fn web_address(text: &str) -> Option<&str> {
    text.split_whitespace()
        .map(|word| word.trim_start_matches(|c: char| "(\"'«“".contains(c)))
        .find(|word| word.starts_with("https://") || word.starts_with("http://"))
        .map(|word| word.trim_end_matches(|c: char| ".,;:!?)\"'»”".contains(c)))
}

/// The first arithmetic expression in `text` ("2+2", "12*(3+4)", "2^10"): a run of
/// digits, operators, points, parentheses and spaces with an operator
/// between two numbers.
fn arithmetic(text: &str) -> Option<String> {
    text.split(|c: char| !(c.is_ascii_digit() || " .+-*/%^()".contains(c)))
        .map(|run| balanced(run.trim().trim_end_matches('.').trim_end()))
        .find(|run| {
            run.char_indices().any(|(at, c)| {
                "+-*/%^".contains(c)
                    && run[..at].contains(|c: char| c.is_ascii_digit())
                    && run[at + 1..].contains(|c: char| c.is_ascii_digit())
            })
        })
        .map(str::to_owned)
}

/// Drops parentheses a sentence wrapped around the expression, like "(2+2".
fn balanced(mut run: &str) -> &str {
    loop {
        let (open, close) = (run.matches('(').count(), run.matches(')').count());
        if open > close && run.starts_with('(') {
            run = run[1..].trim_start();
        } else if close > open && run.ends_with(')') {
            run = run[..run.len() - 1].trim_end();
        } else {
            return run;
        }
    }
}

fn answer(messages: &[ChatMessage]) -> String {
    const LABEL: &str = "This is the offline provider, so no language model was called.";
    if let Some(result) = messages.last().filter(|message| message.role == MessageRole::Tool) {
        let tool = tool_name(messages, result.tool_call_id.as_deref()).unwrap_or("tool");
        return format!("[offline] The {tool} tool answered: {}. {LABEL}", result.content.trim());
    }
    let Some(question) = messages.iter().rev().find(|message| message.role == MessageRole::User) else {
        return format!("[offline] {LABEL} There is no user message to answer yet.");
    };
    let words: Vec<&str> = question.content.split_whitespace().collect();
    let gist = match words.len() {
        0 => "Your message is empty.".to_owned(),
        count => {
            let quoted = words[..count.min(QUOTED_WORDS)].join(" ");
            let more = if count > QUOTED_WORDS { "…" } else { "" };
            let plural = if count == 1 { "" } else { "s" };
            format!("Your message has {count} word{plural} and begins with \"{quoted}{more}\".")
        }
    };
    format!("[offline] {LABEL} {gist} Configure an LLM provider to get real answers.")
}

/// The name of the tool whose call `call_id` a tool result answers.
fn tool_name<'a>(messages: &'a [ChatMessage], call_id: Option<&str>) -> Option<&'a str> {
    let call_id = call_id?;
    messages
        .iter()
        .flat_map(|message| &message.tool_calls)
        .find(|call| call.id == call_id)
        .map(|call| call.name.as_str())
}

#[cfg(test)]
mod tests {
    use super::{arithmetic, web_address};

    #[test]
    fn finds_a_web_address_in_a_sentence() {
        assert_eq!(web_address("Fetch https://example.com/page."), Some("https://example.com/page"));
        assert_eq!(web_address("what does (http://127.0.0.1:8080/hello) say?"), Some("http://127.0.0.1:8080/hello"));
        assert_eq!(web_address("see http://127.0.0.1:8080/hello, please"), Some("http://127.0.0.1:8080/hello"));
        assert_eq!(web_address("no address here"), None);
    }

    #[test]
    fn finds_arithmetic_in_a_sentence() {
        assert_eq!(arithmetic("What is 2+2?").as_deref(), Some("2+2"));
        assert_eq!(arithmetic("Please compute 12*(3+4).").as_deref(), Some("12*(3+4)"));
        assert_eq!(arithmetic("how much is 1.5 * 4, roughly").as_deref(), Some("1.5 * 4"));
        assert_eq!(arithmetic("(that is 7 - 2)").as_deref(), Some("7 - 2"));
        assert_eq!(arithmetic("What is 2^10?").as_deref(), Some("2^10"));
        assert_eq!(arithmetic("I have 3 cats"), None);
        assert_eq!(arithmetic("a well-known -5 fact"), None);
    }
}
