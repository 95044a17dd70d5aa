//! One-time invite tokens: an admin creates a user without a password and
//! hands them `inv.<tenant>.<user>.<secret>`; accepting it sets the password
//! and activates the user, once, within 7 days. Only a hash is stored.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Duration;
use serde::{Deserialize, Serialize};

use crate::domain::{TenantId, UserId};
use crate::store::keys;
use crate::store::{Cond, DynStore, Key, from_item, tables, to_item};
use crate::{AppError, AppResult};

pub const INVITE_TTL: Duration = Duration::days(7);

#[derive(Serialize, Deserialize)]
struct Invite {
    hash: String,
    expires_at: i64,
}

fn hash(token: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, token.as_bytes());
    URL_SAFE_NO_PAD.encode(digest.as_ref())
}

/// Stores an invite for a new user and answers its token (shown once).
pub async fn create(store: &DynStore, tenant_id: &TenantId, user_id: &UserId) -> AppResult<String> {
    let mut secret = [0u8; 32];
    crate::random::fill(&mut secret).map_err(|_| AppError::internal(anyhow::anyhow!("no system randomness")))?;
    let token = format!("inv.{tenant_id}.{user_id}.{}", URL_SAFE_NO_PAD.encode(secret));
    let invite = Invite { hash: hash(&token), expires_at: super::expires_in(INVITE_TTL) };
    store.put(&tables::AUTH, to_item(&keys::invite(tenant_id, user_id), &invite)?, &[]).await?;
    Ok(token)
}

pub fn invalid() -> AppError {
    AppError::ConflictCode {
        code: "invite_invalid",
        detail: "this invite is not valid (used, expired or mistyped)".into(),
    }
}

/// Whose invite a token claims to be, from its shape alone.
fn parse(token: &str) -> AppResult<(TenantId, UserId)> {
    let mut parts = token.splitn(4, '.');
    let (Some("inv"), Some(tenant), Some(user), Some(_)) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(invalid());
    };
    Ok((TenantId::parse(tenant).map_err(|_| invalid())?, UserId::parse(user).map_err(|_| invalid())?))
}

/// The stored invite a presented token matches, with its key; any other
/// token (mistyped, used, expired, forged) is [`invalid`].
async fn matching(store: &DynStore, token: &str) -> AppResult<(TenantId, UserId, Key, Invite)> {
    let (tenant_id, user_id) = parse(token)?;
    let key = keys::invite(&tenant_id, &user_id);
    let Some(item) = store.get(&tables::AUTH, &key).await? else { return Err(invalid()) };
    let invite: Invite = from_item(item)?;
    let presented = hash(token);
    if !crate::auth::same_secret(&presented, &invite.hash) {
        return Err(invalid());
    }
    Ok((tenant_id, user_id, key, invite))
}

/// Whose invite a presented token is, once its hash matches, without consuming it.
pub async fn check(store: &DynStore, token: &str) -> AppResult<(TenantId, UserId)> {
    let (tenant_id, user_id, ..) = matching(store, token).await?;
    Ok((tenant_id, user_id))
}

/// Consumes a presented invite: answers whose it was, exactly once.
pub async fn redeem(store: &DynStore, token: &str) -> AppResult<(TenantId, UserId)> {
    let (tenant_id, user_id, key, invite) = matching(store, token).await?;
    // Deleting on the stored hash makes a concurrent second redemption fail.
    store
        .delete(&tables::AUTH, &key, &[Cond::equals("hash", invite.hash)])
        .await
        .map_err(|err| if err.is_condition_failed() { invalid() } else { err.into() })?;
    Ok((tenant_id, user_id))
}
