//! Refresh tokens: opaque, 7 days, stored hashed, rotated on every use.
//! One family per log-in: each rotation replaces the family's current hash.
//! Presenting the token just replaced, within a short grace period, is a
//! client's parallel request (answered 409, family kept); presenting it
//! after that is reuse: the family is revoked. A token whose secret matches
//! neither is refused without revoking anything, so knowing a family's id
//! is not enough to log its user out.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::UserId;
use crate::store::keys;
use crate::store::{Cond, DynStore, Update, from_item, tables, to_item};
use crate::{AppError, AppResult};

pub const REFRESH_TTL: Duration = Duration::days(7);
const PREFIX: &str = "rt";

/// A stored family. The tokens themselves are never stored, only hashes.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Family {
    family_id: String,
    user_id: UserId,
    /// The user's token version when the family began; a bump ends it.
    token_version: u64,
    current_hash: String,
    previous_hash: Option<String>,
    rotated_at: DateTime<Utc>,
    expires_at: i64,
}

/// A refresh token as issued: `rt.<partition>.<family>.<secret>`.
pub struct IssuedRefresh {
    pub token: String,
    pub expires_in: i64,
}

/// What a successful rotation yields: whose family it is, and its next token.
pub struct Rotated {
    pub partition: String,
    pub user_id: UserId,
    pub token_version: u64,
    pub next: IssuedRefresh,
}

fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    crate::random::fill(&mut bytes).expect("system randomness");
    URL_SAFE_NO_PAD.encode(bytes)
}

fn hash(token: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, token.as_bytes());
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// The parts of a presented token; anything malformed is simply unauthorized.
fn parse(token: &str) -> Option<(&str, &str)> {
    let mut parts = token.splitn(4, '.');
    let (prefix, partition, family, secret) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let sane = |s: &str| {
        !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    (prefix == PREFIX && sane(partition) && sane(family) && sane(secret)).then_some((partition, family))
}

fn token(partition: &str, family_id: &str) -> String {
    format!("{PREFIX}.{partition}.{family_id}.{}", random_secret())
}

/// Starts a family at log-in.
pub async fn start(
    store: &DynStore,
    partition: &str,
    user_id: &UserId,
    token_version: u64,
) -> AppResult<IssuedRefresh> {
    let family_id = ulid::Ulid::new().to_string();
    let token = token(partition, &family_id);
    let family = Family {
        family_id: family_id.clone(),
        user_id: user_id.clone(),
        token_version,
        current_hash: hash(&token),
        previous_hash: None,
        rotated_at: Utc::now(),
        expires_at: super::expires_in(REFRESH_TTL),
    };
    store
        .put(&tables::AUTH, to_item(&keys::refresh_family(partition, &family_id), &family)?, &[Cond::NotExists])
        .await?;
    Ok(IssuedRefresh { token, expires_in: REFRESH_TTL.num_seconds() })
}

fn invalid() -> AppError {
    AppError::Unauthorized
}

/// Rotates a presented token. The token the last rotation replaced counts as
/// a parallel request for `grace`, and as reuse after it. The caller checks
/// that the user still exists, is active, and still has `token_version`,
/// and ends the family otherwise.
pub async fn rotate(store: &DynStore, presented: &str, grace: Duration) -> AppResult<Rotated> {
    let (partition, family_id) = parse(presented).ok_or_else(invalid)?;
    let key = keys::refresh_family(partition, family_id);
    let family: Family = match store.get(&tables::AUTH, &key).await? {
        Some(item) => from_item(item)?,
        None => return Err(invalid()),
    };
    let presented_hash = hash(presented);
    if presented_hash != family.current_hash {
        if family.previous_hash.as_deref() != Some(presented_hash.as_str()) {
            // Not a token of this family at all (a guess at its secret): refuse, but revoke nothing.
            return Err(invalid());
        }
        if Utc::now() - family.rotated_at <= grace {
            return Err(rotated_meanwhile());
        }
        tracing::warn!("a replaced refresh token was presented again; revoking its family");
        store.delete(&tables::AUTH, &key, &[]).await?;
        return Err(invalid());
    }
    let next = token(partition, family_id);
    let update = Update::default()
        .set("current_hash", hash(&next))
        .set("previous_hash", presented_hash.clone())
        .set("rotated_at", serde_json::to_value(Utc::now()).map_err(AppError::internal)?)
        .set("expires_at", super::expires_in(REFRESH_TTL));
    match store.update(&tables::AUTH, &key, &update, &[Cond::equals("current_hash", presented_hash)]).await {
        Ok(_) => Ok(Rotated {
            partition: partition.to_owned(),
            user_id: family.user_id,
            token_version: family.token_version,
            next: IssuedRefresh { token: next, expires_in: REFRESH_TTL.num_seconds() },
        }),
        // A parallel request rotated it between our read and write.
        Err(err) if err.is_condition_failed() => Err(rotated_meanwhile()),
        Err(err) => Err(err.into()),
    }
}

fn rotated_meanwhile() -> AppError {
    AppError::ConflictCode {
        code: "refresh_token_rotated",
        detail: "a parallel request just rotated this refresh token; use the token it received".into(),
    }
}

/// Ends the family of a presented token (log-out), if it is the family's
/// current token or the one just replaced within `grace` (a client that
/// logged out while a parallel refresh rotated it). Any other token (a
/// stale one, a guessed secret, an unknown family) ends nothing, and the
/// answer is the same, so log-out tells nothing about a token.
pub async fn end(store: &DynStore, presented: &str, grace: Duration) -> AppResult<()> {
    let Some((partition, family_id)) = parse(presented) else { return Ok(()) };
    let key = keys::refresh_family(partition, family_id);
    let Some(item) = store.get(&tables::AUTH, &key).await? else { return Ok(()) };
    let family: Family = from_item(item)?;
    let presented_hash = hash(presented);
    let just_replaced =
        family.previous_hash.as_deref() == Some(presented_hash.as_str()) && Utc::now() - family.rotated_at <= grace;
    if presented_hash != family.current_hash && !just_replaced {
        return Ok(());
    }
    // On the hash just read: a rotation in between leaves the family to its new token.
    match store.delete(&tables::AUTH, &key, &[Cond::equals("current_hash", family.current_hash)]).await {
        Err(err) if !err.is_condition_failed() => Err(err.into()),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_parse_only_in_their_own_shape() {
        let t = token("01JD0000000000000000000000", "01JD0000000000000000000001");
        assert_eq!(parse(&t), Some(("01JD0000000000000000000000", "01JD0000000000000000000001")));
        for bad in ["", "rt", "rt.a.b", "xx.a.b.c", "rt.a.b.c d", "rt..b.c", "eyJhbGciOiJFZERTQSJ9.e30.sig"] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
