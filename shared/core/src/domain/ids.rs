//! Identifiers: ULIDs (they sort by creation time), typed per entity so a
//! user id can never be passed where a tenant id is expected.

use std::fmt;
use std::marker::PhantomData;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid id")]
pub struct IdError;

/// An id of entity `E`: a ULID in its canonical 26-character form.
pub struct Id<E> {
    value: String,
    entity: PhantomData<fn() -> E>,
}

#[derive(Debug)]
pub enum TenantEntity {}
#[derive(Debug)]
pub enum UserEntity {}
#[derive(Debug)]
pub enum SessionEntity {}

pub type TenantId = Id<TenantEntity>;
pub type UserId = Id<UserEntity>;
pub type SessionId = Id<SessionEntity>;

impl<E> Id<E> {
    pub fn generate() -> Self {
        Self::from_trusted(ulid::Ulid::new().to_string())
    }

    /// Parses an id from untrusted input (a path segment, a token claim).
    pub fn parse(text: &str) -> Result<Self, IdError> {
        let ulid = ulid::Ulid::from_string(text).map_err(|_| IdError)?;
        let canonical = ulid.to_string();
        (canonical == text).then(|| Self::from_trusted(canonical)).ok_or(IdError)
    }

    /// Wraps a value read back from our own storage.
    pub(crate) fn from_trusted(value: String) -> Self {
        Self { value, entity: PhantomData }
    }

    pub fn as_str(&self) -> &str {
        &self.value
    }
}

impl<E> Clone for Id<E> {
    fn clone(&self) -> Self {
        Self::from_trusted(self.value.clone())
    }
}

impl<E> PartialEq for Id<E> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl<E> Eq for Id<E> {}

impl<E> std::hash::Hash for Id<E> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.value.hash(state);
    }
}

impl<E> fmt::Debug for Id<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.value)
    }
}

impl<E> fmt::Display for Id<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.value)
    }
}

impl<E> Serialize for Id<E> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.value)
    }
}

impl<'de, E> Deserialize<'de> for Id<E> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl<E> utoipa::PartialSchema for Id<E> {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some("ULID"))
            .examples(["01JD0000000000000000000000"])
            .into()
    }
}

impl<E> utoipa::ToSchema for Id<E> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_only_canonical_ulids() {
        let id = UserId::generate();
        assert_eq!(UserId::parse(id.as_str()).unwrap(), id);
        assert!(UserId::parse(&id.as_str().to_lowercase()).is_err(), "one spelling per id");
        for bad in ["", "x", "01JD000000000000000000000", "01JD00000000000000000000000", "../etc/passwd"] {
            assert!(UserId::parse(bad).is_err(), "{bad}");
        }
    }
}
