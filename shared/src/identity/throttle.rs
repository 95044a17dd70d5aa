//! Slows repeated log-in attempts, per account and per client address:
//! attempts are counted in fixed 15-minute windows (period-keyed items with
//! a TTL, so nothing needs resetting) *before* any password is hashed, with
//! a conditional add, so parallel guesses cannot slip past the limit. A
//! successful log-in clears the account's count and gives the client its
//! attempt back, so only failures accumulate.

use crate::store::{DynStore, Key, Update, tables};
use crate::{AppError, AppResult};

const WINDOW_SECS: i64 = 15 * 60;
pub const MAX_ACCOUNT_FAILURES: i64 = 5;
pub const MAX_CLIENT_FAILURES: i64 = 50;
const ATTEMPTS: &str = "attempts";

fn window_now() -> (i64, i64) {
    let now = crate::store::now_epoch();
    let start = now - now.rem_euclid(WINDOW_SECS);
    (start, start + WINDOW_SECS - now)
}

fn account_key(email: &str, window: i64) -> Key {
    Key::new(format!("THROTTLE#account#{email}"), window.to_string())
}

fn client_key(client: &str, window: i64) -> Key {
    Key::new(format!("THROTTLE#client#{client}"), window.to_string())
}

/// Counts an attempt; 429 when the account or the client is past its limit.
pub async fn begin(store: &DynStore, email: &str, client: &str) -> AppResult<()> {
    let (window, remaining) = window_now();
    for (key, limit) in
        [(account_key(email, window), MAX_ACCOUNT_FAILURES), (client_key(client, window), MAX_CLIENT_FAILURES)]
    {
        let (update, cond) = Update::bounded_add(ATTEMPTS, 1, limit);
        let update = update.set(tables::TTL_ATTR, window + 2 * WINDOW_SECS);
        match store.update(&tables::AUTH, &key, &update, &[cond]).await {
            Ok(_) => {}
            Err(err) if err.is_condition_failed() => {
                return Err(AppError::RateLimited { retry_after: remaining.unsigned_abs().max(1) });
            }
            Err(err) => return Err(err.into()),
        }
    }
    Ok(())
}

/// A successful log-in: the account starts again from zero, and the client's attempt is returned.
pub async fn succeeded(store: &DynStore, email: &str, client: &str) -> AppResult<()> {
    let (window, _) = window_now();
    store.delete(&tables::AUTH, &account_key(email, window), &[]).await?;
    store.update(&tables::AUTH, &client_key(client, window), &Update::default().add(ATTEMPTS, -1), &[]).await?;
    Ok(())
}
