//! The access-token keys a process holds, kept current with the secret
//! store: a token naming a key this process has not loaded (a rotation since
//! it started) triggers a reload, at most every [`RELOAD_INTERVAL`], and
//! keys older than the refresh interval (`PAAS_KEY_REFRESH_SECS`, 5 minutes)
//! are read again before they verify or sign. So `paas keys rotate` reaches
//! warm processes without a restart: signers move to the newest key, and a
//! key removed in an emergency (`--drop-old`) stops verifying everywhere
//! within the interval.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use ring::digest;

use super::token::{AccessClaims, TokenError, TokenKeys};
use crate::secrets::DynSecrets;

/// The least time between two reloads caused by unknown key ids, so forged
/// tokens cannot make every request read the secret store.
pub const RELOAD_INTERVAL: Duration = Duration::from_secs(30);

/// The most verified tokens remembered; the memory is emptied when full.
const VERIFIED_MAX: usize = 4096;

/// Whether this process signs access tokens (the auth function, the local
/// runner) or only verifies them (every other function).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signing {
    Sign,
    VerifyOnly,
}

pub struct KeyRing {
    secrets: DynSecrets,
    issuer: String,
    audience: String,
    signing: Signing,
    /// How long loaded keys are used before they are read again.
    refresh: Duration,
    current: RwLock<Loaded>,
}

struct Loaded {
    keys: Arc<TokenKeys>,
    /// Tokens these keys verified, by their SHA-256, with their claims (see [`KeyRing::verify`]).
    verified: Arc<Mutex<HashMap<[u8; 32], AccessClaims>>>,
    at: Instant,
    /// When an unknown key id last caused a reload.
    unknown_kid_reload: Option<Instant>,
}

impl KeyRing {
    pub async fn load(
        secrets: DynSecrets,
        issuer: &str,
        audience: &str,
        signing: Signing,
        refresh: Duration,
    ) -> anyhow::Result<Self> {
        let keys = read(&secrets, issuer, audience, signing).await?;
        Ok(Self {
            secrets,
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
            signing,
            refresh,
            current: RwLock::new(Loaded {
                keys: Arc::new(keys),
                verified: Arc::default(),
                at: Instant::now(),
                unknown_kid_reload: None,
            }),
        })
    }

    fn read_lock(&self) -> std::sync::RwLockReadGuard<'_, Loaded> {
        self.current.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn keys(&self) -> Arc<TokenKeys> {
        Arc::clone(&self.read_lock().keys)
    }

    /// Reloads the keys; a failed reload keeps those already loaded for another interval.
    async fn reload(&self, unknown_kid: bool) {
        match read(&self.secrets, &self.issuer, &self.audience, self.signing).await {
            Ok(keys) => {
                let mut loaded = self.current.write().unwrap_or_else(std::sync::PoisonError::into_inner);
                let now = Instant::now();
                loaded.keys = Arc::new(keys);
                loaded.verified = Arc::default();
                loaded.at = now;
                if unknown_kid {
                    loaded.unknown_kid_reload = Some(now);
                }
            }
            Err(err) => {
                tracing::warn!(error = format!("{err:#}"), "could not reload access-token keys");
                // Try again after another interval, not on every request of an outage.
                self.current.write().unwrap_or_else(std::sync::PoisonError::into_inner).at = Instant::now();
            }
        }
    }

    /// Reads the keys again once they are older than the refresh interval.
    async fn refresh_if_stale(&self) {
        if self.read_lock().at.elapsed() >= self.refresh {
            self.reload(false).await;
        }
    }

    /// Checks a token's signature and claims. A token these keys already
    /// verified is answered from memory until it expires: its first token
    /// waits on the signature check, about 0.1 ms on a cold core. The memory
    /// goes with the keys, so a reload (a rotation, a dropped key) starts it
    /// afresh, and what it answers is as true as a new check would be.
    pub async fn verify(&self, token: &str) -> Result<AccessClaims, TokenError> {
        self.refresh_if_stale().await;
        let (keys, verified) = {
            let loaded = self.read_lock();
            (Arc::clone(&loaded.keys), Arc::clone(&loaded.verified))
        };
        let digest: [u8; 32] = digest::digest(&digest::SHA256, token.as_bytes()).as_ref().try_into().expect("32 bytes");
        let now = chrono::Utc::now().timestamp();
        if let Some(claims) = locked(&verified).get(&digest).filter(|claims| claims.exp > now) {
            return Ok(claims.clone());
        }
        let claims = match keys.verify(token) {
            Err(TokenError::UnknownKey) => {
                let recent = self.read_lock().unknown_kid_reload.is_some_and(|at| at.elapsed() < RELOAD_INTERVAL);
                if recent {
                    return Err(TokenError::UnknownKey);
                }
                // New keys, and a new memory: this token is not remembered under the old one.
                self.reload(true).await;
                return self.keys().verify(token);
            }
            verified => verified?,
        };
        let mut remembered = locked(&verified);
        if remembered.len() >= VERIFIED_MAX {
            remembered.clear();
        }
        remembered.insert(digest, claims.clone());
        Ok(claims)
    }

    pub async fn issue(
        &self,
        sub: &str,
        tid: &str,
        role: &str,
        ver: u64,
    ) -> Result<(String, AccessClaims), TokenError> {
        self.refresh_if_stale().await;
        self.keys().issue(sub, tid, role, ver)
    }

    pub fn jwks(&self) -> serde_json::Value {
        self.keys().jwks()
    }
}

async fn read(secrets: &DynSecrets, issuer: &str, audience: &str, signing: Signing) -> anyhow::Result<TokenKeys> {
    match signing {
        Signing::Sign => TokenKeys::load_signer(secrets.as_ref(), issuer, audience).await,
        Signing::VerifyOnly => TokenKeys::load_verifier(secrets.as_ref(), issuer, audience).await,
    }
}

fn locked<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
