//! The access-token keys a process holds, kept current with the secret
//! store: a token naming a key this process has not loaded (a rotation since
//! it started) triggers a reload, at most every [`RELOAD_INTERVAL`], and
//! keys older than the refresh interval (`PAAS_KEY_REFRESH_SECS`, 5 minutes)
//! are read again before they verify or sign. So `paas keys rotate` reaches
//! warm processes without a restart: signers move to the newest key, and a
//! key removed in an emergency (`--drop-old`) stops verifying everywhere
//! within the interval.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use super::token::{AccessClaims, TokenError, TokenKeys};
use crate::secrets::DynSecrets;

/// The least time between two reloads caused by unknown key ids, so forged
/// tokens cannot make every request read the secret store.
pub const RELOAD_INTERVAL: Duration = Duration::from_secs(30);

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
            current: RwLock::new(Loaded { keys: Arc::new(keys), at: Instant::now(), unknown_kid_reload: None }),
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

    pub async fn verify(&self, token: &str) -> Result<AccessClaims, TokenError> {
        self.refresh_if_stale().await;
        match self.keys().verify(token) {
            Err(TokenError::UnknownKey) => {
                let recent = self.read_lock().unknown_kid_reload.is_some_and(|at| at.elapsed() < RELOAD_INTERVAL);
                if recent {
                    return Err(TokenError::UnknownKey);
                }
                self.reload(true).await;
                self.keys().verify(token)
            }
            verified => verified,
        }
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
