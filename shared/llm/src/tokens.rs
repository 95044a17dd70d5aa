//! Token estimates the platform makes itself, from the text it sent and
//! relayed: what a turn reserves before a call, the floor it is charged at
//! whatever a provider reports, and where an answer is cut when a provider
//! ignores `max_tokens`.
//!
//! Tokenizers spend tokens by script, not by character: about four ASCII
//! characters make a token, but a Chinese or Japanese character is about one
//! token on its own (counting characters / 4 undercounts such text about
//! fourfold). So each character weighs by the bytes UTF-8 needs for it, a
//! proxy for its script, in quarter tokens:
//!
//! | UTF-8 bytes | scripts | weight |
//! |---|---|---|
//! | 1 | ASCII (English, code) | 1/4 token |
//! | 2 | Latin with accents, Greek, Cyrillic, Hebrew, Arabic | 1/2 token |
//! | 3 | CJK, Hangul, kana, Indic, Thai, most symbols | 1 token |
//! | 4 | emoji, rare CJK | 2 tokens |

use super::types::{ChatMessage, ChatRequest};

/// Tokens a message costs beyond its text (role markers), per the providers' formats.
const PER_MESSAGE_TOKENS: u64 = 4;

/// A running count, in quarter tokens so that pieces of one text add up to
/// exactly the estimate of the whole.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TokenTally {
    quarters: u64,
}

fn quarters(c: char) -> u64 {
    match c.len_utf8() {
        1 => 1,
        2 => 2,
        3 => 4,
        _ => 8,
    }
}

impl TokenTally {
    pub fn add(&mut self, text: &str) {
        self.quarters += text.chars().map(quarters).sum::<u64>();
    }

    /// Whole tokens, rounded up: any text costs at least one.
    pub fn tokens(&self) -> u64 {
        self.quarters.div_ceil(4)
    }

    /// How many bytes of `text` fit before the tally would pass `limit`
    /// tokens (a char boundary; all of it when it fits).
    pub fn fitting(&self, text: &str, limit: u64) -> usize {
        let mut room = (limit * 4).saturating_sub(self.quarters);
        for (at, c) in text.char_indices() {
            let cost = quarters(c);
            if cost > room {
                return at;
            }
            room -= cost;
        }
        text.len()
    }
}

/// The estimate for one text.
pub fn estimate_tokens(text: &str) -> u64 {
    let mut tally = TokenTally::default();
    tally.add(text);
    tally.tokens()
}

/// Messages as a provider receives them: text, tool calls and their
/// arguments, and each message's role markers.
pub fn estimate_messages(messages: &[ChatMessage]) -> u64 {
    messages
        .iter()
        .map(|m| {
            let mut tally = TokenTally::default();
            tally.add(&m.content);
            for call in &m.tool_calls {
                tally.add(&call.name);
                tally.add(&call.arguments);
            }
            tally.tokens() + PER_MESSAGE_TOKENS
        })
        .sum()
}

/// Everything a request sends: its messages and its tools' definitions.
pub fn estimate_request(request: &ChatRequest) -> u64 {
    let mut tools = TokenTally::default();
    for tool in &request.tools {
        tools.add(&tool.name);
        tools.add(&tool.description);
        tools.add(&tool.parameters.to_string());
    }
    estimate_messages(&request.messages) + tools.tokens()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_weigh_what_tokenizers_spend_on_them() {
        assert_eq!(estimate_tokens(""), 0);
        assert_eq!(estimate_tokens("a"), 1);
        assert_eq!(estimate_tokens("four score and seven"), 5);
        // Thirteen Chinese characters: chars / 4 would say 3.
        assert_eq!(estimate_tokens("我们的平台按照实际用量计费"), 13);
        assert_eq!(estimate_tokens("Привет"), 3);
        assert_eq!(estimate_tokens("🙂🙂"), 4);
    }

    #[test]
    fn pieces_add_up_to_the_whole() {
        let text = "Hello, 世界! Ça va? 🙂 ok";
        let mut tally = TokenTally::default();
        for piece in ["Hello, 世", "界! Ça", " va? 🙂", " ok"] {
            tally.add(piece);
        }
        assert_eq!(tally.tokens(), estimate_tokens(text));
    }

    #[test]
    fn fitting_stops_at_the_limit_on_a_char_boundary() {
        let mut tally = TokenTally::default();
        tally.add("abcdefg"); // 7 quarters
        // One token is left under a limit of 3: one more quarter completes the second, then four.
        assert_eq!(tally.fitting("hijklmnop", 3), 5);
        assert_eq!(tally.fitting("界界", 3), "界".len());
        assert_eq!(tally.fitting("hi", 3), 2);
        assert_eq!(tally.fitting("anything", 1), 0);
    }
}
