//! Slows password guessing and sign-up floods without handing anyone a way
//! to lock an owner out:
//!
//! - Password attempts are counted per (account, client address). The first
//!   [`FREE_ATTEMPTS`] failures cost nothing; then each attempt waits twice
//!   as long as the one before (30 s, 1 min, 2 min, … at most 15 min), for a
//!   day after the last. A guesser at one address slows only itself: the
//!   owner at another address logs in as before. A success clears only the
//!   account that succeeded, at that address, so owning another account
//!   under the same email resets nothing.
//! - Every address gets [`MAX_CLIENT_FAILURES`] failed attempts per 15-minute
//!   window over all accounts, and [`MAX_SIGNUPS`] sign-ups an hour.
//!
//! Attempts are claimed *before* any password is hashed, with conditional
//! writes, so parallel guesses cannot slip past.

use crate::store::{Cond, DynStore, Key, StoreError, Update, tables};
use crate::{AppError, AppResult};

pub const FREE_ATTEMPTS: i64 = 5;
const FIRST_DELAY_SECS: i64 = 30;
const MAX_DELAY_SECS: i64 = 15 * 60;
/// How long an account's failures at an address are remembered after the last.
const FORGET_SECS: i64 = 24 * 60 * 60;
const LOGIN_WINDOW_SECS: i64 = 15 * 60;
pub const MAX_CLIENT_FAILURES: i64 = 50;
const SIGNUP_WINDOW_SECS: i64 = 60 * 60;
pub const MAX_SIGNUPS: i64 = 20;
const ATTEMPTS: &str = "attempts";
const LAST_AT: &str = "last_at";

/// Whose password is being tried: an account (partition and user id), or an
/// email without accounts, so unknown emails are slowed like known ones.
pub struct Account(String);

impl Account {
    pub fn user(user: &super::users::User) -> Self {
        Self(format!("{}#{}", user.partition, user.user_id))
    }

    pub fn unknown(email: &crate::domain::Email) -> Self {
        Self(format!("EMAIL#{email}"))
    }

    fn key(&self, client: &str) -> Key {
        Key::new(format!("THROTTLE#account#{}", self.0), client)
    }
}

/// The wait before the next attempt, once `attempts` have been made.
fn delay_after(attempts: i64) -> i64 {
    if attempts < FREE_ATTEMPTS {
        return 0;
    }
    let doublings = u32::try_from(attempts - FREE_ATTEMPTS).unwrap_or(u32::MAX).min(16);
    (FIRST_DELAY_SECS << doublings).min(MAX_DELAY_SECS)
}

fn too_many(retry_after: i64) -> AppError {
    AppError::RateLimited { retry_after: retry_after.max(1).unsigned_abs() }
}

/// Claims one attempt at an account's password from a client: 429 while the
/// account must wait at this address.
pub async fn claim(store: &DynStore, account: &Account, client: &str) -> AppResult<()> {
    let key = account.key(client);
    let now = crate::store::now_epoch();
    let seen = store.get(&tables::AUTH, &key).await?;
    let number = |attr| seen.as_ref().and_then(|item| item.get(attr)).and_then(serde_json::Value::as_i64).unwrap_or(0);
    // The count and the time of the last attempt come from one version of the item.
    let (attempts, last_at) = (number(ATTEMPTS), number(LAST_AT));
    let wait_until = last_at + delay_after(attempts);
    if wait_until > now {
        return Err(too_many(wait_until - now));
    }
    // Free attempts are bounded by count; later ones one at a time, on the count just read.
    let cond = if attempts < FREE_ATTEMPTS {
        Cond::AtMost(ATTEMPTS.into(), FREE_ATTEMPTS - 1)
    } else {
        Cond::equals(ATTEMPTS, attempts)
    };
    let update = Update::default().add(ATTEMPTS, 1).set(LAST_AT, now).set(tables::TTL_ATTR, now + FORGET_SECS);
    match store.update(&tables::AUTH, &key, &update, &[cond]).await {
        Ok(_) => Ok(()),
        Err(err) if err.is_condition_failed() => Err(too_many(delay_after(attempts + 1))),
        Err(err) => Err(err.into()),
    }
}

/// The right password: this account starts again from zero at this address.
pub async fn succeeded(store: &DynStore, account: &Account, client: &str) -> AppResult<()> {
    store.delete(&tables::AUTH, &account.key(client), &[]).await?;
    Ok(())
}

/// Counts one event of a client in fixed windows (period-keyed items with a
/// TTL, so nothing needs resetting); 429 past the limit.
async fn take_window(store: &DynStore, kind: &str, client: &str, window_secs: i64, limit: i64) -> AppResult<()> {
    let (key, window_end) = window_key(kind, client, window_secs);
    let (update, cond) = Update::bounded_add(ATTEMPTS, 1, limit);
    let update = update.set(tables::TTL_ATTR, window_end + window_secs);
    match store.update(&tables::AUTH, &key, &update, &[cond]).await {
        Ok(_) => Ok(()),
        Err(err) if err.is_condition_failed() => Err(too_many(window_end - crate::store::now_epoch())),
        Err(err) => Err(err.into()),
    }
}

/// The item counting a client's events in the current window, and when the window ends.
fn window_key(kind: &str, client: &str, window_secs: i64) -> (Key, i64) {
    let now = crate::store::now_epoch();
    let window = now - now.rem_euclid(window_secs);
    (Key::new(format!("THROTTLE#{kind}#{client}"), window.to_string()), window + window_secs)
}

/// Counts a log-in attempt of a client, over all accounts.
pub async fn client_attempt(store: &DynStore, client: &str) -> AppResult<()> {
    take_window(store, "client", client, LOGIN_WINDOW_SECS, MAX_CLIENT_FAILURES).await
}

/// A successful log-in gives the client its attempt back, so only failures accumulate.
pub async fn client_succeeded(store: &DynStore, client: &str) -> AppResult<()> {
    let (key, _) = window_key("client", client, LOGIN_WINDOW_SECS);
    give_back(store, &key).await
}

/// Takes back one counted attempt, if one is counted (a new window, or a
/// forgotten count, has none to give back: no negative count is made).
async fn give_back(store: &DynStore, key: &Key) -> AppResult<()> {
    let counted = [Cond::Exists, Cond::AtLeast(ATTEMPTS.into(), 1)];
    match store.update(&tables::AUTH, key, &Update::default().add(ATTEMPTS, -1), &counted).await {
        Ok(_) | Err(StoreError::ConditionFailed { .. }) => Ok(()),
        Err(err) => Err(err.into()),
    }
}

/// Counts a sign-up of a client.
pub async fn signup(store: &DynStore, client: &str) -> AppResult<()> {
    take_window(store, "signup", client, SIGNUP_WINDOW_SECS, MAX_SIGNUPS).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempts_wait_longer_and_longer_up_to_fifteen_minutes() {
        let waits: Vec<i64> = (1..=12).map(delay_after).collect();
        assert_eq!(waits, [0, 0, 0, 0, 30, 60, 120, 240, 480, 900, 900, 900]);
        assert_eq!(delay_after(i64::MAX), 900);
    }
}
