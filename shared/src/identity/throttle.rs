//! Slows repeated failed log-ins, per account and per client address:
//! failures are counted in fixed 15-minute windows (period-keyed items with
//! a TTL, so nothing needs resetting); past the limit, attempts are refused
//! with 429 until the window ends, before any password is hashed.

use crate::store::{Cond, DynStore, Key, Update, tables};
use crate::{AppError, AppResult};

const WINDOW_SECS: i64 = 15 * 60;
pub const MAX_ACCOUNT_FAILURES: i64 = 5;
pub const MAX_CLIENT_FAILURES: i64 = 50;

fn window_now() -> (i64, i64) {
    let now = crate::store::now_epoch();
    let start = now - now.rem_euclid(WINDOW_SECS);
    (start, start + WINDOW_SECS - now)
}

fn keys(email: &str, client: &str, window: i64) -> [(Key, i64); 2] {
    [
        (Key::new(format!("THROTTLE#account#{email}"), window.to_string()), MAX_ACCOUNT_FAILURES),
        (Key::new(format!("THROTTLE#client#{client}"), window.to_string()), MAX_CLIENT_FAILURES),
    ]
}

/// Refuses the attempt if the account or the client failed too often.
pub async fn check(store: &DynStore, email: &str, client: &str) -> AppResult<()> {
    let (window, remaining) = window_now();
    for (key, limit) in keys(email, client, window) {
        let failures = store.get(&tables::AUTH, &key).await?.and_then(|i| i.get("failures")?.as_i64()).unwrap_or(0);
        if failures >= limit {
            return Err(AppError::RateLimited { retry_after: remaining.unsigned_abs().max(1) });
        }
    }
    Ok(())
}

/// Counts a failed attempt against the account and the client.
pub async fn record_failure(store: &DynStore, email: &str, client: &str) -> AppResult<()> {
    let (window, _) = window_now();
    for (key, _) in keys(email, client, window) {
        let update = Update::default().add("failures", 1).set(tables::TTL_ATTR, window + 2 * WINDOW_SECS);
        store.update(&tables::AUTH, &key, &update, &[]).await?;
    }
    Ok(())
}

/// A successful log-in clears the account's count (not the client's).
pub async fn record_success(store: &DynStore, email: &str) -> AppResult<()> {
    let (window, _) = window_now();
    let key = Key::new(format!("THROTTLE#account#{email}"), window.to_string());
    store
        .delete(&tables::AUTH, &key, &[Cond::Exists])
        .await
        .map(drop)
        .or_else(|err| if err.is_condition_failed() { Ok(()) } else { Err(err.into()) })
}
