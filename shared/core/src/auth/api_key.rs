//! API keys in the manner of GitHub's tokens: `paas_` + key id + secret + checksum, all base62.
//!
//! The fixed prefix lets secret scanners find leaked keys; the key id finds the stored record without
//! a scan; the CRC32 checksum refuses a mistyped or truncated key before any storage read. Keys are
//! stored only as an HMAC-SHA256 under a server-side pepper, so a leaked table alone verifies nothing.

use std::fmt;

use base64::Engine;
use ring::hmac;
use serde::{Deserialize, Serialize, Serializer};

/// What every key starts with.
pub const PREFIX: &str = "paas_";
const ID_LEN: usize = 16;
/// 32 base62 characters: about 190 random bits.
const SECRET_LEN: usize = 32;
/// 62^6 > 2^32, so six characters hold any CRC32.
const CHECKSUM_LEN: usize = 6;
/// Length of every key, in bytes (all ASCII).
pub const KEY_LEN: usize = PREFIX.len() + ID_LEN + SECRET_LEN + CHECKSUM_LEN;

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const REDACTED: &str = "<redacted>";

/// Why a string is not an API key; the messages are written for the API user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ApiKeyFormatError {
    #[error("not an API key: API keys start with `{PREFIX}`")]
    Prefix,
    #[error("not an API key: API keys are {KEY_LEN} characters long")]
    Length,
    #[error("not an API key: after `{PREFIX}` API keys contain only 0-9, A-Z and a-z")]
    Alphabet,
    #[error("the API key's checksum does not match: it was mistyped or cut short")]
    Checksum,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("an API key id is {ID_LEN} characters from 0-9, A-Z and a-z")]
pub struct InvalidApiKeyId;

/// The public, non-secret part of a key, which names its stored record.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(try_from = "String")]
pub struct ApiKeyId(String);

impl ApiKeyId {
    pub fn parse(s: &str) -> Result<Self, InvalidApiKeyId> {
        if s.len() == ID_LEN && is_base62(s) { Ok(Self(s.to_owned())) } else { Err(InvalidApiKeyId) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ApiKeyId {
    type Error = InvalidApiKeyId;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl Serialize for ApiKeyId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl fmt::Display for ApiKeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A freshly generated key: `full` is shown to its creator once and then only its hash is kept.
pub struct NewApiKey {
    pub id: ApiKeyId,
    pub full: String,
    /// The key's last four characters, kept in clear so people can tell their keys apart.
    pub last4: String,
}

impl NewApiKey {
    pub fn generate() -> Self {
        let body = random_base62(ID_LEN + SECRET_LEN);
        let mut full = format!("{PREFIX}{body}");
        full.push_str(&checksum(&full));
        Self { id: ApiKeyId(body[..ID_LEN].to_owned()), last4: full[KEY_LEN - 4..].to_owned(), full }
    }
}

impl fmt::Debug for NewApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewApiKey").field("id", &self.id).field("full", &REDACTED).field("last4", &self.last4).finish()
    }
}

/// A string from a request that has the shape and checksum of a key; whether it is a real one is up
/// to [`KeyHasher::verify`]. Its `Debug` shows only the id.
pub struct PresentedKey {
    id: ApiKeyId,
    full: String,
}

impl PresentedKey {
    pub fn parse(s: &str) -> Result<Self, ApiKeyFormatError> {
        let body = s.strip_prefix(PREFIX).ok_or(ApiKeyFormatError::Prefix)?;
        if s.len() != KEY_LEN {
            return Err(ApiKeyFormatError::Length);
        }
        if !is_base62(body) {
            return Err(ApiKeyFormatError::Alphabet);
        }
        let (unchecked, sum) = s.split_at(KEY_LEN - CHECKSUM_LEN);
        if checksum(unchecked) != sum {
            return Err(ApiKeyFormatError::Checksum);
        }
        Ok(Self { id: ApiKeyId(body[..ID_LEN].to_owned()), full: s.to_owned() })
    }

    pub fn id(&self) -> &ApiKeyId {
        &self.id
    }
}

impl fmt::Debug for PresentedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PresentedKey").field("id", &self.id).field("secret", &REDACTED).finish()
    }
}

/// The start of a key that may be shown in listings (`paas_` + id): it is no secret and, with the
/// stored last four characters, lets people recognise their keys.
pub fn display_prefix(id: &ApiKeyId) -> String {
    format!("{PREFIX}{id}")
}

/// Tells an API key from a JWT in `Authorization: Bearer` (JWTs start with `eyJ`).
pub fn looks_like_api_key(s: &str) -> bool {
    s.starts_with(PREFIX)
}

/// Hashes keys for storage with HMAC-SHA256 under the pepper. A fast MAC suffices: the keys carry
/// 190 random bits, so there is nothing for a slow hash to protect against.
#[derive(Clone)]
pub struct KeyHasher(hmac::Key);

impl KeyHasher {
    pub fn new(pepper: &[u8]) -> Self {
        Self(hmac::Key::new(hmac::HMAC_SHA256, pepper))
    }

    /// Lowercase hex HMAC of the full key, the value to store.
    pub fn hash(&self, full_key: &str) -> String {
        hmac::sign(&self.0, full_key.as_bytes()).as_ref().iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Compares in constant time; false for a stored value that is not hex.
    pub fn verify(&self, presented: &PresentedKey, stored_hex: &str) -> bool {
        decode_hex(stored_hex).is_some_and(|tag| hmac::verify(&self.0, presented.full.as_bytes(), &tag).is_ok())
    }
}

impl fmt::Debug for KeyHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyHasher(<redacted>)")
    }
}

/// A new random pepper (32 bytes, standard base64), for a deployment's first start.
pub fn generate_pepper() -> String {
    let mut pepper = [0u8; 32];
    fill_random(&mut pepper);
    base64::engine::general_purpose::STANDARD.encode(pepper)
}

/// Without working randomness no key or pepper can be made safely, so failure is fatal.
fn fill_random(buf: &mut [u8]) {
    crate::random::fill(buf).expect("the system random generator failed");
}

/// Uniform base62 by rejection sampling: bytes at or above 248 (4 × 62) would favour the first
/// characters of the alphabet, so they are dropped.
pub(crate) fn random_base62(len: usize) -> String {
    let mut out = String::with_capacity(len);
    let mut bytes = [0u8; 64];
    while out.len() < len {
        fill_random(&mut bytes);
        out.extend(
            bytes.iter().filter(|&&b| b < 248).take(len - out.len()).map(|&b| char::from(BASE62[usize::from(b % 62)])),
        );
    }
    out
}

/// CRC32 of `s` as six base62 digits, most significant first, zero-padded.
fn checksum(s: &str) -> String {
    let mut n = crc32fast::hash(s.as_bytes());
    let mut digits = [b'0'; CHECKSUM_LEN];
    for digit in digits.iter_mut().rev() {
        *digit = BASE62[(n % 62) as usize];
        n /= 62;
    }
    digits.iter().copied().map(char::from).collect()
}

fn is_base62(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    let pairs = s.as_bytes().chunks_exact(2);
    if !pairs.remainder().is_empty() {
        return None;
    }
    pairs
        .map(|pair| {
            let hi = char::from(pair[0]).to_digit(16)?;
            let lo = char::from(pair[1]).to_digit(16)?;
            u8::try_from((hi << 4) | lo).ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret_of(key: &str) -> &str {
        &key[PREFIX.len() + ID_LEN..KEY_LEN - CHECKSUM_LEN]
    }

    #[test]
    fn generated_keys_parse_with_their_id_and_last4() {
        for _ in 0..100 {
            let key = NewApiKey::generate();
            assert_eq!(key.full.len(), KEY_LEN);
            assert!(looks_like_api_key(&key.full));
            assert_eq!(&key.full[PREFIX.len()..PREFIX.len() + ID_LEN], key.id.as_str());
            assert_eq!(key.last4, &key.full[KEY_LEN - 4..]);
            let presented = PresentedKey::parse(&key.full).unwrap();
            assert_eq!(presented.id(), &key.id);
            assert_eq!(ApiKeyId::parse(key.id.as_str()).unwrap(), key.id);
            assert!(key.full.starts_with(&display_prefix(&key.id)));
        }
    }

    #[test]
    fn keys_are_distinct() {
        let (a, b) = (NewApiKey::generate(), NewApiKey::generate());
        assert_ne!(a.id, b.id);
        assert_ne!(secret_of(&a.full), secret_of(&b.full));
    }

    #[test]
    fn random_characters_cover_the_alphabet() {
        let sample = random_base62(62 * 100);
        for &c in BASE62 {
            assert!(sample.contains(char::from(c)), "{}", char::from(c));
        }
    }

    #[test]
    fn checksum_is_six_padded_digits() {
        assert_eq!(checksum(""), "000000");
        assert_eq!(crc32fast::hash(b"a"), 0xe8b7_be43);
        // 0xe8b7be43 = 3904355907 = 4·62^5 + 16·62^4 + 14·62^3 + 17·62^2 + 20·62 + 23
        assert_eq!(checksum("a"), "4GEHKN");
    }

    #[test]
    fn every_single_character_change_is_refused() {
        let key = NewApiKey::generate().full;
        for position in 0..KEY_LEN {
            let original = key.as_bytes()[position];
            for &replacement in BASE62.iter().filter(|&&c| c != original) {
                let mut changed = key.clone().into_bytes();
                changed[position] = replacement;
                let changed = String::from_utf8(changed).unwrap();
                let expected =
                    if position < PREFIX.len() { ApiKeyFormatError::Prefix } else { ApiKeyFormatError::Checksum };
                assert_eq!(PresentedKey::parse(&changed).unwrap_err(), expected, "position {position}");
            }
        }
    }

    #[test]
    fn wrong_prefix_length_or_alphabet_is_refused() {
        let key = NewApiKey::generate().full;
        let body = &key[PREFIX.len()..];
        assert_eq!(PresentedKey::parse(&format!("ghp_{body}")).unwrap_err(), ApiKeyFormatError::Prefix);
        assert_eq!(PresentedKey::parse(&format!("PAAS_{body}")).unwrap_err(), ApiKeyFormatError::Prefix);
        assert_eq!(PresentedKey::parse("eyJhbGciOiJFZERTQSJ9.e30.sig").unwrap_err(), ApiKeyFormatError::Prefix);
        assert_eq!(PresentedKey::parse("").unwrap_err(), ApiKeyFormatError::Prefix);
        assert_eq!(PresentedKey::parse(&key[..KEY_LEN - 1]).unwrap_err(), ApiKeyFormatError::Length);
        assert_eq!(PresentedKey::parse(&format!("{key}0")).unwrap_err(), ApiKeyFormatError::Length);
        assert_eq!(PresentedKey::parse(PREFIX).unwrap_err(), ApiKeyFormatError::Length);
        let mut bad = key.clone().into_bytes();
        bad[PREFIX.len() + 3] = b'-';
        assert_eq!(PresentedKey::parse(&String::from_utf8(bad).unwrap()).unwrap_err(), ApiKeyFormatError::Alphabet);
        // Two bytes of UTF-8 in place of two ASCII characters keep the byte length.
        let multibyte = format!("{}é{}", &key[..10], &key[12..]);
        assert_eq!(PresentedKey::parse(&multibyte).unwrap_err(), ApiKeyFormatError::Alphabet);
    }

    #[test]
    fn api_key_ids_parse_and_round_trip_through_serde() {
        let id = ApiKeyId::parse("0123456789abcdEF").unwrap();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"0123456789abcdEF\"");
        assert_eq!(serde_json::from_str::<ApiKeyId>(&json).unwrap(), id);
        assert!(serde_json::from_str::<ApiKeyId>("\"short\"").is_err());
        assert_eq!(ApiKeyId::parse("0123456789abcde"), Err(InvalidApiKeyId));
        assert_eq!(ApiKeyId::parse("0123456789abcde_"), Err(InvalidApiKeyId));
    }

    #[test]
    fn hash_and_verify() {
        let key = NewApiKey::generate();
        let hasher = KeyHasher::new(generate_pepper().as_bytes());
        let stored = hasher.hash(&key.full);
        assert_eq!(stored.len(), 64);
        assert!(stored.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
        let presented = PresentedKey::parse(&key.full).unwrap();
        assert!(hasher.verify(&presented, &stored));
        assert!(hasher.verify(&presented, &stored.to_uppercase()));
        assert!(!KeyHasher::new(generate_pepper().as_bytes()).verify(&presented, &stored));
        let other = PresentedKey::parse(&NewApiKey::generate().full).unwrap();
        assert!(!hasher.verify(&other, &stored));
        for malformed in ["", "zz", &stored[..63], &stored[..62]] {
            assert!(!hasher.verify(&presented, malformed), "{malformed}");
        }
    }

    #[test]
    fn peppers_are_32_random_bytes() {
        let pepper = generate_pepper();
        assert_eq!(base64::engine::general_purpose::STANDARD.decode(&pepper).unwrap().len(), 32);
        assert_ne!(pepper, generate_pepper());
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let key = NewApiKey::generate();
        let secret = secret_of(&key.full).to_owned();
        let presented = PresentedKey::parse(&key.full).unwrap();
        for debug in [format!("{key:?}"), format!("{presented:?}"), format!("{:?}", KeyHasher::new(b"pepper"))] {
            assert!(!debug.contains(&secret), "{debug}");
            assert!(!debug.contains(&key.full), "{debug}");
        }
        assert!(format!("{presented:?}").contains(key.id.as_str()));
    }
}
