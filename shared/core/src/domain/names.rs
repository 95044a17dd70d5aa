//! Names people type: emails, tenant slugs, display names.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::TextRule;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("not a valid email address")]
    Email,
    #[error("a slug is 3 to 40 lowercase letters, digits and single hyphens, starting with a letter")]
    Slug,
    #[error("this slug is reserved")]
    ReservedSlug,
    #[error("a name is 1 to {max} characters without control characters")]
    DisplayName { max: usize },
}

/// An email address, trimmed and lowercased (one account per address).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, format = "email")]
pub struct Email(String);

impl TryFrom<String> for Email {
    type Error = NameError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        let email = text.trim().to_lowercase();
        let (local, domain) = email.rsplit_once('@').ok_or(NameError::Email)?;
        let domain_ok = domain.len() <= 253
            && domain.contains('.')
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.contains('@')
            && local.chars().all(|c| !c.is_control() && !c.is_whitespace() && !"<>()[],;:\\\"".contains(c));
        if email.len() <= 254 && domain_ok && local_ok { Ok(Self(email)) } else { Err(NameError::Email) }
    }
}

impl From<Email> for String {
    fn from(email: Email) -> Self {
        email.0
    }
}

impl Email {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A tenant's unique, URL-safe short name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, pattern = "^[a-z][a-z0-9]*(-[a-z0-9]+)*$", min_length = 3, max_length = 40)]
pub struct Slug(String);

const RESERVED_SLUGS: &[&str] = &["admin", "api", "app", "auth", "platform", "root", "system", "www"];

impl TryFrom<String> for Slug {
    type Error = NameError;

    fn try_from(slug: String) -> Result<Self, Self::Error> {
        let shape_ok = (3..=40).contains(&slug.len())
            && slug.starts_with(|c: char| c.is_ascii_lowercase())
            && !slug.ends_with('-')
            && !slug.contains("--")
            && slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !shape_ok {
            return Err(NameError::Slug);
        }
        if RESERVED_SLUGS.contains(&slug.as_str()) {
            return Err(NameError::ReservedSlug);
        }
        Ok(Self(slug))
    }
}

impl From<Slug> for String {
    fn from(slug: Slug) -> Self {
        slug.0
    }
}

impl Slug {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A human-readable name (a tenant's, a user's, a key's), trimmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DisplayName(String);

impl utoipa::PartialSchema for DisplayName {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
        let mut schema = Self::RULE.schema(false);
        if let utoipa::openapi::Schema::Object(object) = &mut schema {
            object.description = Some("A human-readable name (a tenant's, a user's, a key's), trimmed.".into());
        }
        schema.into()
    }
}

impl utoipa::ToSchema for DisplayName {}

impl DisplayName {
    pub const MAX: usize = 100;
    const RULE: TextRule = TextRule::line(Self::MAX).not_blank();

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for DisplayName {
    type Error = NameError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        if Self::RULE.accepts(&text) {
            Ok(Self(text.trim().to_owned()))
        } else {
            Err(NameError::DisplayName { max: Self::MAX })
        }
    }
}

impl From<DisplayName> for String {
    fn from(name: DisplayName) -> Self {
        name.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(Email::try_from(" Ada@Example.COM ".to_owned()).unwrap().as_str(), "ada@example.com");
        for bad in
            ["", "ada", "ada@", "@example.com", "ada@example", "a b@example.com", "ada@exa mple.com", "ada@-x.com"]
        {
            assert!(Email::try_from(bad.to_owned()).is_err(), "{bad}");
        }
        assert!(Email::try_from(format!("{}@example.com", "a".repeat(65))).is_err());
    }

    #[test]
    fn slugs_are_url_safe_and_not_reserved() {
        for good in ["acme", "acme-corp", "a1b2"] {
            assert!(Slug::try_from(good.to_owned()).is_ok(), "{good}");
        }
        for bad in ["ab", "Acme", "1acme", "acme-", "ac--me", "acme_corp", "acmé"] {
            assert_eq!(Slug::try_from(bad.to_owned()), Err(NameError::Slug), "{bad}");
        }
        assert_eq!(Slug::try_from("platform".to_owned()), Err(NameError::ReservedSlug));
    }

    #[test]
    fn display_names_are_trimmed_and_bounded() {
        assert_eq!(DisplayName::try_from("  Acme  ".to_owned()).unwrap().as_str(), "Acme");
        assert!(DisplayName::try_from("   ".to_owned()).is_err());
        assert!(DisplayName::try_from("a\u{0}b".to_owned()).is_err());
        assert!(DisplayName::try_from("x".repeat(101)).is_err());
    }
}
