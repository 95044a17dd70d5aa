//! Access tokens: short-lived EdDSA JWTs (RFC 9068 `at+jwt`) that every
//! function verifies locally with public keys, while only the auth function
//! can read the private keys that sign them.
//!
//! Key sets live in the secret store twice: the signing set (private and
//! public halves, readable by the auth function only) and the verify set
//! (public halves, readable by every function). Both list keys oldest first;
//! the newest signs, the others verify tokens issued before a rotation.

use std::fmt;
use std::time::Duration;

use anyhow::{Context, anyhow};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use ring::rand::SystemRandom;
use ring::signature::{Ed25519KeyPair, KeyPair};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::secrets::SecretStore;

pub const ACCESS_TTL: Duration = Duration::from_secs(15 * 60);
/// The signing set: private keys, for the auth function only.
pub const SIGNING_KEYS_SECRET: &str = "jwt-signing-keys";
/// The verify set: public keys only, for every function.
pub const VERIFY_KEYS_SECRET: &str = "jwt-verify-keys";

/// RFC 9068's header type keeps other JWTs (ID tokens, anything else signed
/// with the same keys one day) from being accepted as access tokens.
const TOKEN_TYPE: &str = "at+jwt";
/// Clock skew tolerated on `exp` and `nbf`.
const LEEWAY_SECS: u64 = 30;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AccessClaims {
    /// The user id.
    pub sub: String,
    /// The tenant id.
    pub tid: String,
    pub role: String,
    /// The user's token version: bumping it revokes every token issued before.
    pub ver: u64,
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
    pub aud: String,
    pub jti: String,
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("malformed token")]
    Malformed,
    #[error("token algorithm is not EdDSA")]
    Algorithm,
    #[error("token type is not {TOKEN_TYPE}")]
    WrongType,
    #[error("token key id is missing or unknown")]
    UnknownKey,
    #[error("token signature is invalid")]
    BadSignature,
    #[error("token has expired")]
    Expired,
    #[error("token is not valid yet")]
    NotYetValid,
    #[error("token claims are invalid: {0}")]
    Claims(String),
    #[error("these token keys cannot sign (verify-only)")]
    NoSigner,
    #[error("signing the token failed")]
    Signing(#[source] jsonwebtoken::errors::Error),
}

impl From<jsonwebtoken::errors::Error> for TokenError {
    /// Classifies a failure of `jsonwebtoken::decode`.
    fn from(err: jsonwebtoken::errors::Error) -> Self {
        match err.kind() {
            ErrorKind::InvalidSignature => Self::BadSignature,
            ErrorKind::InvalidAlgorithm => Self::Algorithm,
            ErrorKind::ExpiredSignature => Self::Expired,
            ErrorKind::ImmatureSignature => Self::NotYetValid,
            ErrorKind::MissingRequiredClaim(claim) => Self::Claims(format!("{claim} is missing")),
            ErrorKind::InvalidClaimFormat(claim) => Self::Claims(format!("{claim} has the wrong type")),
            ErrorKind::InvalidIssuer => Self::Claims("wrong issuer".into()),
            ErrorKind::InvalidAudience => Self::Claims("wrong audience".into()),
            _ => Self::Malformed,
        }
    }
}

/// A key as stored in the signing set. Deliberately not `Debug`.
#[derive(Clone, Serialize, Deserialize)]
struct PrivateKey {
    kid: String,
    pkcs8_b64: String,
    public_b64: String,
    created_at: DateTime<Utc>,
}

/// A key as stored in the verify set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct PublicKey {
    kid: String,
    public_b64: String,
    created_at: DateTime<Utc>,
}

impl From<&PrivateKey> for PublicKey {
    fn from(key: &PrivateKey) -> Self {
        Self { kid: key.kid.clone(), public_b64: key.public_b64.clone(), created_at: key.created_at }
    }
}

/// The stored JSON shape of both sets: `{"keys": [...]}`.
#[derive(Serialize, Deserialize)]
struct KeySet<K> {
    keys: K,
}

#[derive(Clone)]
struct VerifyingKey {
    kid: String,
    /// The raw public key, base64url: the JWK `x`.
    x: String,
    key: DecodingKey,
}

#[derive(Clone)]
struct SigningKey {
    kid: String,
    key: EncodingKey,
}

/// Issuer, audience and the keys to verify (and, in the auth function, sign) access tokens.
#[derive(Clone)]
pub struct TokenKeys {
    issuer: String,
    audience: String,
    verifying: Vec<VerifyingKey>,
    signer: Option<SigningKey>,
    validation: Validation,
}

impl fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenKeys")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("kids", &self.verifying.iter().map(|k| &k.kid).collect::<Vec<_>>())
            .field("signing_kid", &self.signer.as_ref().map(|s| &s.kid))
            .finish()
    }
}

impl TokenKeys {
    /// Loads the signing set, creating a first key when there is none (auth function, local runner).
    pub async fn load_signer(secrets: &dyn SecretStore, issuer: &str, audience: &str) -> anyhow::Result<Self> {
        // Both sets at once: each read is a round trip to the secret store.
        let read_both = || async {
            tokio::try_join!(
                read_set::<PrivateKey>(secrets, SIGNING_KEYS_SECRET),
                read_set::<PublicKey>(secrets, VERIFY_KEYS_SECRET)
            )
        };
        let (mut keys, mut published) = read_both().await?;
        if keys.is_empty() {
            publish(secrets, &[generate()?]).await?;
            // Another process may have created its first key at the same time; the stored one wins.
            (keys, published) = read_both().await?;
        }
        let newest = keys.last().with_context(|| format!("secret {SIGNING_KEYS_SECRET} has no keys"))?;
        // Such a race, or a crash between the two writes, can leave the verify set without a signing key.
        let public: Vec<PublicKey> = keys.iter().map(PublicKey::from).collect();
        if !public.iter().all(|key| published.contains(key)) {
            put_set(secrets, VERIFY_KEYS_SECRET, &public).await?;
        }
        Self::new(issuer, audience, &public, Some(newest))
    }

    /// Loads public keys only (every other function). Fails clearly if none exist yet.
    pub async fn load_verifier(secrets: &dyn SecretStore, issuer: &str, audience: &str) -> anyhow::Result<Self> {
        let keys: Vec<PublicKey> = read_set(secrets, VERIFY_KEYS_SECRET).await?;
        anyhow::ensure!(
            !keys.is_empty(),
            "secret {VERIFY_KEYS_SECRET} has no keys yet: the auth function creates the first one when it starts"
        );
        Self::new(issuer, audience, &keys, None)
    }

    /// Adds a new signing key (it signs from now on) and rewrites both sets.
    /// A replaced key is dropped once it has been replaced for longer than
    /// `keep`, which should exceed [`ACCESS_TTL`] plus the time processes
    /// keep signing with a key they loaded; `Duration::ZERO` drops every
    /// older key at once (a leaked key). Returns the new kid.
    ///
    /// Running processes keep the keys they loaded: verifiers learn the new
    /// key when they load again.
    pub async fn rotate(secrets: &dyn SecretStore, keep: Duration) -> anyhow::Result<String> {
        let mut keys: Vec<PrivateKey> = read_set(secrets, SIGNING_KEYS_SECRET).await?;
        let new = generate()?;
        let kid = new.kid.clone();
        keys.push(new);
        let cutoff = Utc::now() - chrono::Duration::from_std(keep).context("keep is out of range")?;
        // A key stops signing when its successor is created, so that is when its tokens start running out.
        let replaced_at: Vec<DateTime<Utc>> = keys.iter().skip(1).map(|key| key.created_at).collect();
        let kept: Vec<PrivateKey> = keys
            .into_iter()
            .enumerate()
            .filter(|(i, _)| replaced_at.get(*i).is_none_or(|at| *at > cutoff))
            .map(|(_, key)| key)
            .collect();
        publish(secrets, &kept).await?;
        tracing::info!(kid, kept = kept.len(), "rotated the access-token signing key");
        Ok(kid)
    }

    fn new(issuer: &str, audience: &str, public: &[PublicKey], signer: Option<&PrivateKey>) -> anyhow::Result<Self> {
        super::jwt_crypto::install();
        let verifying = public
            .iter()
            .map(|key| {
                let raw = decode_key(&key.public_b64).with_context(|| format!("public key {}", key.kid))?;
                anyhow::ensure!(raw.len() == 32, "public key {} is not an Ed25519 key", key.kid);
                // `jwt_crypto` verifies with the raw 32-byte key, not a DER SubjectPublicKeyInfo.
                Ok(VerifyingKey {
                    kid: key.kid.clone(),
                    x: URL_SAFE_NO_PAD.encode(&raw),
                    key: DecodingKey::from_ed_der(&raw),
                })
            })
            .collect::<anyhow::Result<_>>()?;
        let signer = signer.map(signing_key).transpose()?;

        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.leeway = LEEWAY_SECS;
        validation.validate_nbf = true;
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);

        Ok(Self { issuer: issuer.to_owned(), audience: audience.to_owned(), verifying, signer, validation })
    }

    /// Issues an access token for these identity fields (iat/exp/jti/iss/aud filled in here).
    /// Errors if this instance has no signer.
    pub fn issue(&self, sub: &str, tid: &str, role: &str, ver: u64) -> Result<(String, AccessClaims), TokenError> {
        let signer = self.signer.as_ref().ok_or(TokenError::NoSigner)?;
        let iat = Utc::now().timestamp();
        let claims = AccessClaims {
            sub: sub.to_owned(),
            tid: tid.to_owned(),
            role: role.to_owned(),
            ver,
            iat,
            exp: iat + ACCESS_TTL.as_secs() as i64,
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            jti: ulid::Ulid::new().to_string(),
        };
        let mut header = Header::new(Algorithm::EdDSA);
        header.typ = Some(TOKEN_TYPE.to_owned());
        header.kid = Some(signer.kid.clone());
        let token = jsonwebtoken::encode(&header, &claims, &signer.key).map_err(TokenError::Signing)?;
        Ok((token, claims))
    }

    pub fn verify(&self, token: &str) -> Result<AccessClaims, TokenError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Malformed)?;
        if header.alg != Algorithm::EdDSA {
            return Err(TokenError::Algorithm);
        }
        if header.typ.as_deref() != Some(TOKEN_TYPE) {
            return Err(TokenError::WrongType);
        }
        // We understand no header extension, and RFC 7515 requires rejecting those marked critical.
        if header.crit.is_some() {
            return Err(TokenError::Malformed);
        }
        // Only our own keys: `jku`, `jwk`, `x5u` and `x5c` are never looked at.
        let kid = header.kid.as_deref().ok_or(TokenError::UnknownKey)?;
        let key = self.verifying.iter().find(|k| k.kid == kid).ok_or(TokenError::UnknownKey)?;
        // Decoding to a JSON value first lets the library's claim checks run and report precisely
        // (a string `exp`, a missing `aud`) before the claims take their typed shape.
        let data = jsonwebtoken::decode::<serde_json::Value>(token, &key.key, &self.validation)?;
        serde_json::from_value(data.claims).map_err(|err| TokenError::Claims(err.to_string()))
    }

    /// The public JWK Set ({"keys":[{"kty":"OKP","crv":"Ed25519","x","kid","alg":"EdDSA","use":"sig"}]}).
    pub fn jwks(&self) -> serde_json::Value {
        let keys: Vec<_> = self
            .verifying
            .iter()
            .map(|k| json!({"kty": "OKP", "crv": "Ed25519", "x": k.x, "kid": k.kid, "alg": "EdDSA", "use": "sig"}))
            .collect();
        json!({ "keys": keys })
    }
}

fn generate() -> anyhow::Result<PrivateKey> {
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).map_err(|_| anyhow!("generating a key failed"))?;
    let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).map_err(|_| anyhow!("reading a generated key failed"))?;
    Ok(PrivateKey {
        kid: ulid::Ulid::new().to_string(),
        pkcs8_b64: STANDARD.encode(pkcs8.as_ref()),
        public_b64: STANDARD.encode(pair.public_key().as_ref()),
        created_at: Utc::now(),
    })
}

/// Checks the stored private key before it signs anything, and that it
/// belongs to the public key verifiers were given.
fn signing_key(key: &PrivateKey) -> anyhow::Result<SigningKey> {
    let pkcs8 = decode_key(&key.pkcs8_b64).with_context(|| format!("signing key {}", key.kid))?;
    let pair = Ed25519KeyPair::from_pkcs8_maybe_unchecked(&pkcs8)
        .map_err(|_| anyhow!("signing key {} is not an Ed25519 PKCS#8 document", key.kid))?;
    anyhow::ensure!(
        STANDARD.encode(pair.public_key().as_ref()) == key.public_b64,
        "signing key {} does not match its public key",
        key.kid
    );
    Ok(SigningKey { kid: key.kid.clone(), key: EncodingKey::from_ed_der(&pkcs8) })
}

/// Base64 without echoing the input's bytes into the error.
fn decode_key(b64: &str) -> anyhow::Result<Vec<u8>> {
    STANDARD.decode(b64).map_err(|_| anyhow!("is not valid base64"))
}

/// Reads a key set; a missing secret is an empty set.
async fn read_set<K: DeserializeOwned>(secrets: &dyn SecretStore, name: &str) -> anyhow::Result<Vec<K>> {
    let Some(json) = secrets.get(name).await? else { return Ok(Vec::new()) };
    // serde_json errors can quote the input, which here holds private keys: report the position only.
    let set: KeySet<Vec<K>> = serde_json::from_str(&json)
        .map_err(|err| anyhow!("secret {name} is not a key set (line {}, column {})", err.line(), err.column()))?;
    Ok(set.keys)
}

async fn put_set<K: Serialize>(secrets: &dyn SecretStore, name: &str, keys: &[K]) -> anyhow::Result<()> {
    let json = serde_json::to_string(&KeySet { keys })?;
    secrets.put(name, &json).await.with_context(|| format!("writing secret {name}"))
}

/// Writes the verify set before the signing set, so no token is signed by a
/// key that verifiers starting now would not find.
async fn publish(secrets: &dyn SecretStore, keys: &[PrivateKey]) -> anyhow::Result<()> {
    let public: Vec<PublicKey> = keys.iter().map(PublicKey::from).collect();
    put_set(secrets, VERIFY_KEYS_SECRET, &public).await?;
    put_set(secrets, SIGNING_KEYS_SECRET, keys).await
}

#[cfg(test)]
mod tests {
    use ring::hmac;
    use serde_json::Value;
    use tempfile::TempDir;

    use super::*;
    use crate::secrets::LocalSecrets;

    const ISS: &str = "https://paas.test";
    const AUD: &str = "paas-api";

    struct Fixture {
        _dir: TempDir,
        secrets: LocalSecrets,
        keys: TokenKeys,
    }

    async fn fixture() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let secrets = LocalSecrets::open(dir.path()).unwrap();
        let keys = TokenKeys::load_signer(&secrets, ISS, AUD).await.unwrap();
        Fixture { _dir: dir, secrets, keys }
    }

    impl Fixture {
        async fn signing_set(&self) -> Vec<PrivateKey> {
            read_set(&self.secrets, SIGNING_KEYS_SECRET).await.unwrap()
        }

        /// Our current signing key, to forge tokens whose only flaw is in their header or claims.
        async fn own_pair(&self) -> (String, Ed25519KeyPair) {
            let newest = self.signing_set().await.pop().unwrap();
            (newest.kid, Ed25519KeyPair::from_pkcs8(&STANDARD.decode(newest.pkcs8_b64).unwrap()).unwrap())
        }
    }

    fn now() -> i64 {
        Utc::now().timestamp()
    }

    fn claims() -> Value {
        json!({
            "sub": "user-1", "tid": "tenant-1", "role": "admin", "ver": 3,
            "iat": now(), "exp": now() + 900, "iss": ISS, "aud": AUD, "jti": ulid::Ulid::new().to_string(),
        })
    }

    fn header(kid: &str) -> Value {
        json!({"alg": "EdDSA", "typ": "at+jwt", "kid": kid})
    }

    fn part(value: &Value) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap())
    }

    fn signing_input(header: &Value, claims: &Value) -> String {
        format!("{}.{}", part(header), part(claims))
    }

    fn sign_ed(pair: &Ed25519KeyPair, header: &Value, claims: &Value) -> String {
        let input = signing_input(header, claims);
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(pair.sign(input.as_bytes())))
    }

    fn other_pair() -> Ed25519KeyPair {
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
        Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap()
    }

    /// Forges a token with our own key and a claim changed (`None` removes it).
    async fn with_claim(f: &Fixture, name: &str, value: Option<Value>) -> Result<AccessClaims, TokenError> {
        let (kid, pair) = f.own_pair().await;
        let mut claims = claims();
        match value {
            Some(value) => claims[name] = value,
            None => _ = claims.as_object_mut().unwrap().remove(name),
        }
        f.keys.verify(&sign_ed(&pair, &header(&kid), &claims))
    }

    #[tokio::test]
    async fn round_trip() {
        let f = fixture().await;
        let (token, issued) = f.keys.issue("user-1", "tenant-1", "admin", 7).unwrap();
        assert_eq!(f.keys.verify(&token).unwrap(), issued);
        assert_eq!((issued.iss.as_str(), issued.aud.as_str(), issued.ver), (ISS, AUD, 7));
        assert_eq!(issued.exp - issued.iat, 900);
        assert!(issued.jti.parse::<ulid::Ulid>().is_ok());

        let header = jsonwebtoken::decode_header(&token).unwrap();
        assert_eq!(header.typ.as_deref(), Some("at+jwt"));
        assert_eq!(header.kid, Some(f.signing_set().await[0].kid.clone()));
    }

    #[tokio::test]
    async fn hand_built_token_with_our_key_verifies() {
        // The control for every forged token below: only the flaw each one adds makes it fail.
        let f = fixture().await;
        let (kid, pair) = f.own_pair().await;
        let verified = f.keys.verify(&sign_ed(&pair, &header(&kid), &claims())).unwrap();
        assert_eq!(verified.role, "admin");
    }

    #[tokio::test]
    async fn expired_token_is_rejected_after_the_leeway() {
        let f = fixture().await;
        assert!(matches!(with_claim(&f, "exp", Some(json!(now() - 60))).await, Err(TokenError::Expired)));
        assert!(with_claim(&f, "exp", Some(json!(now() - 10))).await.is_ok());
    }

    #[tokio::test]
    async fn not_yet_valid_token_is_rejected_after_the_leeway() {
        let f = fixture().await;
        assert!(matches!(with_claim(&f, "nbf", Some(json!(now() + 120))).await, Err(TokenError::NotYetValid)));
        assert!(with_claim(&f, "nbf", Some(json!(now() + 10))).await.is_ok());
        assert!(matches!(with_claim(&f, "nbf", Some(json!("0"))).await, Err(TokenError::Claims(_))));
    }

    #[tokio::test]
    async fn exp_as_a_string_is_rejected() {
        // CVE-2026-25537: such an `exp` used to be skipped, making the token immortal.
        let f = fixture().await;
        let long_ago = (now() - 3600).to_string();
        assert!(matches!(with_claim(&f, "exp", Some(json!(long_ago))).await, Err(TokenError::Claims(_))));
        let later = (now() + 900).to_string();
        assert!(matches!(with_claim(&f, "exp", Some(json!(later))).await, Err(TokenError::Claims(_))));
    }

    #[tokio::test]
    async fn required_claims_must_be_present() {
        let f = fixture().await;
        for name in ["exp", "iss", "aud", "sub", "tid", "role", "ver", "jti"] {
            let result = with_claim(&f, name, None).await;
            assert!(matches!(result, Err(TokenError::Claims(_))), "{name}: {result:?}");
        }
    }

    #[tokio::test]
    async fn wrong_issuer_or_audience_is_rejected() {
        let f = fixture().await;
        assert!(matches!(with_claim(&f, "iss", Some(json!("https://evil.test"))).await, Err(TokenError::Claims(_))));
        assert!(matches!(with_claim(&f, "aud", Some(json!("other-api"))).await, Err(TokenError::Claims(_))));
    }

    #[tokio::test]
    async fn alg_none_is_rejected() {
        let f = fixture().await;
        let (kid, _) = f.own_pair().await;
        let token = format!("{}.", signing_input(&json!({"alg": "none", "typ": "at+jwt", "kid": kid}), &claims()));
        assert!(matches!(f.keys.verify(&token), Err(TokenError::Malformed | TokenError::Algorithm)));
    }

    #[tokio::test]
    async fn hs256_with_our_public_key_as_secret_is_rejected() {
        let f = fixture().await;
        let (kid, pair) = f.own_pair().await;
        let header = json!({"alg": "HS256", "typ": "at+jwt", "kid": kid});
        let input = signing_input(&header, &claims());
        let raw = pair.public_key().as_ref().to_vec();
        let x = URL_SAFE_NO_PAD.encode(&raw);
        for secret in [raw, x.into_bytes()] {
            let tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, &secret), input.as_bytes());
            let token = format!("{input}.{}", URL_SAFE_NO_PAD.encode(tag.as_ref()));
            assert!(matches!(f.keys.verify(&token), Err(TokenError::Algorithm)));
        }
    }

    #[tokio::test]
    async fn another_key_under_our_kid_is_rejected() {
        let f = fixture().await;
        let (kid, _) = f.own_pair().await;
        let token = sign_ed(&other_pair(), &header(&kid), &claims());
        assert!(matches!(f.keys.verify(&token), Err(TokenError::BadSignature)));
    }

    #[tokio::test]
    async fn unknown_missing_or_malformed_kid_is_rejected() {
        let f = fixture().await;
        let (_, pair) = f.own_pair().await;
        let unknown = sign_ed(&pair, &header(&ulid::Ulid::new().to_string()), &claims());
        assert!(matches!(f.keys.verify(&unknown), Err(TokenError::UnknownKey)));

        let no_kid = sign_ed(&pair, &json!({"alg": "EdDSA", "typ": "at+jwt"}), &claims());
        assert!(matches!(f.keys.verify(&no_kid), Err(TokenError::UnknownKey)));

        for kid in [json!(42), json!(null), json!(["a"]), json!("")] {
            let token = sign_ed(&pair, &json!({"alg": "EdDSA", "typ": "at+jwt", "kid": kid}), &claims());
            let result = f.keys.verify(&token);
            assert!(matches!(result, Err(TokenError::Malformed | TokenError::UnknownKey)), "{kid}: {result:?}");
        }

        let remote = json!({"alg": "EdDSA", "typ": "at+jwt", "jku": "https://evil.test/jwks.json"});
        assert!(matches!(f.keys.verify(&sign_ed(&pair, &remote, &claims())), Err(TokenError::UnknownKey)));
    }

    #[tokio::test]
    async fn tampered_payload_is_rejected() {
        let f = fixture().await;
        let (token, issued) = f.keys.issue("user-1", "tenant-1", "viewer", 1).unwrap();
        let mut claims = serde_json::to_value(&issued).unwrap();
        claims["role"] = json!("admin");
        let parts: Vec<&str> = token.split('.').collect();
        let forged = format!("{}.{}.{}", parts[0], part(&claims), parts[2]);
        assert!(matches!(f.keys.verify(&forged), Err(TokenError::BadSignature)));
    }

    #[tokio::test]
    async fn header_type_must_be_at_jwt() {
        let f = fixture().await;
        let (kid, pair) = f.own_pair().await;
        for typ in [None, Some("JWT"), Some("application/jwt"), Some("AT+JWT")] {
            let mut header = header(&kid);
            match typ {
                Some(typ) => header["typ"] = json!(typ),
                None => _ = header.as_object_mut().unwrap().remove("typ"),
            }
            let result = f.keys.verify(&sign_ed(&pair, &header, &claims()));
            assert!(matches!(result, Err(TokenError::WrongType)), "{typ:?}: {result:?}");
        }
    }

    #[tokio::test]
    async fn critical_header_extensions_are_rejected() {
        let f = fixture().await;
        let (kid, pair) = f.own_pair().await;
        let mut header = header(&kid);
        header["crit"] = json!(["exp"]);
        assert!(matches!(f.keys.verify(&sign_ed(&pair, &header, &claims())), Err(TokenError::Malformed)));
    }

    #[tokio::test]
    async fn garbage_is_malformed() {
        let f = fixture().await;
        for token in ["", "a", "a.b", "a.b.c", "...", "eyJhbGciOiJFZERTQSJ9.e30"] {
            assert!(matches!(f.keys.verify(token), Err(TokenError::Malformed)), "{token:?}");
        }
    }

    #[tokio::test]
    async fn verifier_verifies_but_cannot_issue() {
        let f = fixture().await;
        let verifier = TokenKeys::load_verifier(&f.secrets, ISS, AUD).await.unwrap();
        let (token, issued) = f.keys.issue("user-1", "tenant-1", "user", 1).unwrap();
        assert_eq!(verifier.verify(&token).unwrap(), issued);
        assert!(matches!(verifier.issue("user-1", "tenant-1", "user", 1), Err(TokenError::NoSigner)));
        assert_eq!(verifier.jwks(), f.keys.jwks());
    }

    #[tokio::test]
    async fn verifier_needs_published_keys() {
        let dir = tempfile::tempdir().unwrap();
        let secrets = LocalSecrets::open(dir.path()).unwrap();
        let err = TokenKeys::load_verifier(&secrets, ISS, AUD).await.unwrap_err();
        assert!(err.to_string().contains(VERIFY_KEYS_SECRET), "{err}");
    }

    #[tokio::test]
    async fn signer_reuses_its_key_and_repairs_the_verify_set() {
        let f = fixture().await;
        f.secrets.delete(VERIFY_KEYS_SECRET).await.unwrap();
        let again = TokenKeys::load_signer(&f.secrets, ISS, AUD).await.unwrap();
        let (token, _) = again.issue("user-1", "tenant-1", "user", 1).unwrap();
        assert!(f.keys.verify(&token).is_ok(), "the existing key signs");
        assert_eq!(f.signing_set().await.len(), 1);
        let verifier = TokenKeys::load_verifier(&f.secrets, ISS, AUD).await.unwrap();
        assert!(verifier.verify(&token).is_ok());
    }

    #[tokio::test]
    async fn rotation_keeps_old_tokens_valid() {
        let f = fixture().await;
        let (old_token, _) = f.keys.issue("user-1", "tenant-1", "user", 1).unwrap();
        let old_kid = f.signing_set().await[0].kid.clone();

        let new_kid = TokenKeys::rotate(&f.secrets, Duration::from_secs(24 * 3600)).await.unwrap();
        assert_ne!(new_kid, old_kid);
        let signer = TokenKeys::load_signer(&f.secrets, ISS, AUD).await.unwrap();
        let verifier = TokenKeys::load_verifier(&f.secrets, ISS, AUD).await.unwrap();
        let (new_token, _) = signer.issue("user-1", "tenant-1", "user", 1).unwrap();
        assert_eq!(jsonwebtoken::decode_header(&new_token).unwrap().kid, Some(new_kid.clone()));
        for keys in [&signer, &verifier] {
            assert!(keys.verify(&old_token).is_ok());
            assert!(keys.verify(&new_token).is_ok());
        }
        assert!(matches!(f.keys.verify(&new_token), Err(TokenError::UnknownKey)), "loaded before the rotation");

        let kids: Vec<Value> = verifier.jwks()["keys"].as_array().unwrap().iter().map(|k| k["kid"].clone()).collect();
        assert_eq!(kids, [json!(old_kid), json!(new_kid)]);
    }

    #[tokio::test]
    async fn rotation_drops_keys_replaced_longer_ago_than_keep() {
        let f = fixture().await;
        let days_ago = |days| Utc::now() - chrono::Duration::days(days);
        let mut oldest = generate().unwrap();
        oldest.created_at = days_ago(60);
        let mut previous = generate().unwrap();
        // Created long ago but replaced only now: tokens it signed are still live.
        previous.created_at = days_ago(30);
        publish(&f.secrets, &[oldest, previous.clone()]).await.unwrap();

        let new_kid = TokenKeys::rotate(&f.secrets, Duration::from_secs(3600)).await.unwrap();
        let kids: Vec<String> = f.signing_set().await.into_iter().map(|k| k.kid).collect();
        assert_eq!(kids, [previous.kid, new_kid.clone()]);
        let public: Vec<PublicKey> = read_set(&f.secrets, VERIFY_KEYS_SECRET).await.unwrap();
        assert_eq!(public.iter().map(|k| &k.kid).collect::<Vec<_>>(), kids.iter().collect::<Vec<_>>());

        let newest = TokenKeys::rotate(&f.secrets, Duration::ZERO).await.unwrap();
        let kids: Vec<String> = f.signing_set().await.into_iter().map(|k| k.kid).collect();
        assert_eq!(kids, [newest]);
    }

    #[tokio::test]
    async fn jwks_lists_every_key_as_usable_okp() {
        let f = fixture().await;
        TokenKeys::rotate(&f.secrets, Duration::from_secs(3600)).await.unwrap();
        let signer = TokenKeys::load_signer(&f.secrets, ISS, AUD).await.unwrap();
        let (token, _) = signer.issue("user-1", "tenant-1", "user", 1).unwrap();
        let kid = jsonwebtoken::decode_header(&token).unwrap().kid.unwrap();

        let jwks = signer.jwks();
        let keys = jwks["keys"].as_array().unwrap();
        assert_eq!(keys.len(), 2);
        for key in keys {
            let mut fields: Vec<&String> = key.as_object().unwrap().keys().collect();
            fields.sort();
            assert_eq!(fields, ["alg", "crv", "kid", "kty", "use", "x"]);
            assert_eq!(
                (&key["kty"], &key["crv"], &key["alg"], &key["use"]),
                (&json!("OKP"), &json!("Ed25519"), &json!("EdDSA"), &json!("sig"))
            );
            assert_eq!(URL_SAFE_NO_PAD.decode(key["x"].as_str().unwrap()).unwrap().len(), 32);
        }
        // A client verifying with the published JWK gets the same answer.
        let jwk = keys.iter().find(|k| k["kid"] == json!(kid)).unwrap();
        let decoding = DecodingKey::from_ed_components(jwk["x"].as_str().unwrap()).unwrap();
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_audience(&[AUD]);
        assert!(jsonwebtoken::decode::<AccessClaims>(&token, &decoding, &validation).is_ok());
    }

    #[tokio::test]
    async fn nothing_private_is_printed() {
        let f = fixture().await;
        let stored = f.signing_set().await.pop().unwrap();
        let printed = format!("{:?} {:?}", f.keys, f.secrets);
        assert!(!printed.contains(&stored.pkcs8_b64), "{printed}");
        assert!(printed.contains(&stored.kid));
    }
}
