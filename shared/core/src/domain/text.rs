//! Free text a request carries (a title, a prompt, a model name), as the
//! API's description states it: lengths count characters, control characters
//! are refused (multi-line text keeps line feeds and tabs), and some text
//! must not be blank. Handlers check the same rules with [`TextRule::check`],
//! so the description and the check cannot drift apart.

use utoipa::openapi::{ObjectBuilder, Schema, Type};

/// Characters a one-line text refuses: every control character.
const CONTROLS: &str = r"\u0000-\u001F\u007F-\u009F";
/// Characters a multi-line text refuses: control characters but line feed and tab.
const CONTROLS_BUT_BREAKS: &str = r"\u0000-\u0008\u000B-\u001F\u007F-\u009F";

#[derive(Clone, Copy, Debug)]
pub struct TextRule {
    pub min_chars: usize,
    pub max_chars: usize,
    pub multiline: bool,
    /// Whether text of spaces alone is accepted.
    pub blank: bool,
    /// Whether whitespace is refused anywhere (a model name, an identifier).
    pub spaces: bool,
}

impl TextRule {
    /// One line of 0 to `max_chars` characters.
    pub const fn line(max_chars: usize) -> Self {
        Self { min_chars: 0, max_chars, multiline: false, blank: true, spaces: true }
    }

    /// Text of 0 to `max_chars` characters, line feeds and tabs allowed.
    pub const fn lines(max_chars: usize) -> Self {
        Self { multiline: true, ..Self::line(max_chars) }
    }

    /// The same text, with at least one character that is not a space.
    pub const fn not_blank(self) -> Self {
        Self { min_chars: if self.min_chars == 0 { 1 } else { self.min_chars }, blank: false, ..self }
    }

    /// The same text, one word: no whitespace at all.
    pub const fn word(self) -> Self {
        Self { spaces: false, ..self.not_blank() }
    }

    pub fn accepts(&self, text: &str) -> bool {
        let chars = text.chars().count();
        let refused = |c: char| c.is_control() && !(self.multiline && (c == '\n' || c == '\t'));
        (self.min_chars..=self.max_chars).contains(&chars)
            && !text.chars().any(refused)
            && (self.blank || !text.trim().is_empty())
            && (self.spaces || !text.chars().any(char::is_whitespace))
    }

    /// 422 naming `field` and the rule when `text` breaks it.
    pub fn check(&self, field: &str, text: &str) -> crate::AppResult<()> {
        if self.accepts(text) {
            return Ok(());
        }
        let what = match (self.spaces, self.blank) {
            (false, _) => "without spaces or control characters",
            (true, false) => "not blank, without control characters",
            (true, true) => "without control characters",
        };
        Err(crate::AppError::Validation(format!(
            "{field} is {} to {} characters {what}",
            self.min_chars, self.max_chars
        )))
    }

    /// The JSON Schema of this text; `nullable` when `null` means "left out".
    pub fn schema(&self, nullable: bool) -> Schema {
        let refused = if self.multiline { CONTROLS_BUT_BREAKS } else { CONTROLS };
        let pattern = match (self.spaces, self.blank) {
            (false, _) => format!(r"^[^\s{refused}]*$"),
            (true, false) => format!(r"^[^{refused}]*[^\s{refused}][^{refused}]*$"),
            (true, true) => format!(r"^[^{refused}]*$"),
        };
        let kind = if nullable {
            utoipa::openapi::schema::SchemaType::from_iter([Type::String, Type::Null])
        } else {
            utoipa::openapi::schema::SchemaType::Type(Type::String)
        };
        ObjectBuilder::new()
            .schema_type(kind)
            .min_length(Some(self.min_chars))
            .max_length(Some(self.max_chars))
            .pattern(Some(pattern))
            .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_checks_what_its_schema_states() {
        let title = TextRule::line(200).not_blank();
        assert!(title.accepts("Plans for Q3"));
        for bad in ["", "   ", "a\nb", "\u{85}x", &"x".repeat(201)] {
            assert!(!title.accepts(bad), "{bad:?}");
        }
        let prompt = TextRule::lines(20);
        assert!(prompt.accepts("two\nlines\tand a tab") && prompt.accepts(""));
        assert!(!prompt.accepts("a\r\nb"));
        let model = TextRule::line(200).word();
        assert!(model.accepts("gpt-4o-mini") && !model.accepts("gpt 4") && !model.accepts(""));
        assert_eq!(
            title.check("title", "  ").unwrap_err().to_string(),
            "title is 1 to 200 characters not blank, without control characters"
        );
    }
}
