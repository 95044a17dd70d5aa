//! Metered quotas: sessions per UTC day and LLM tokens per UTC month, on
//! period-keyed counters (`USAGE#DAY#2026-11-25`, `USAGE#MONTH#2026-11`) so
//! a new period starts at zero with no reset job ([`super::report`] reads them).
//! Every take is a conditional atomic add, so concurrent requests cannot
//! overshoot a limit. Chat turns draw on the token and concurrent-turn
//! quotas through [`super::turn_budget`].

use chrono::{DateTime, Datelike, Duration, TimeZone, Utc};
use serde_json::Value;

use crate::domain::{Quota, TenantId};
use crate::identity::tenants::Tenant;
use crate::store::keys;
use crate::store::{DynStore, Key, Update, Write, tables};
use crate::{AppError, AppResult};

pub const TOKENS: &str = "tokens";
const SESSIONS: &str = "sessions";

/// The month `at` falls in, as month counters are named (`2026-11`).
pub fn month_of(at: DateTime<Utc>) -> String {
    at.format("%Y-%m").to_string()
}

pub fn month_key(tenant_id: &TenantId, at: DateTime<Utc>) -> Key {
    keys::usage_month(tenant_id, &month_of(at))
}

/// The start of the next UTC day, when the daily quotas reset.
pub fn next_day(now: DateTime<Utc>) -> DateTime<Utc> {
    let tomorrow = now.date_naive() + Duration::days(1);
    Utc.from_utc_datetime(&tomorrow.and_hms_opt(0, 0, 0).expect("midnight exists"))
}

/// The start of the next UTC month, when the monthly quotas reset.
pub fn next_month(now: DateTime<Utc>) -> DateTime<Utc> {
    let (year, month) = if now.month() == 12 { (now.year() + 1, 1) } else { (now.year(), now.month() + 1) };
    Utc.with_ymd_and_hms(year, month, 1, 0, 0, 0).single().expect("the first of a month exists")
}

/// The write that counts a new session against today's limit (it fails
/// its condition at the limit: [`sessions_exceeded`]). Sessions are
/// created in the same transaction ([`crate::conversation::open`]).
pub fn count_session(tenant: &Tenant, now: DateTime<Utc>) -> Write {
    let limit = tenant.quotas().sessions_per_day;
    let (update, cond) = Update::bounded_add(SESSIONS, 1, i64::from(limit));
    Write::Update {
        table: &tables::TENANTS,
        key: keys::usage_day(&tenant.tenant_id, now.date_naive()),
        update,
        conds: vec![cond],
    }
}

/// 429: today's sessions are used up.
pub fn sessions_exceeded(tenant: &Tenant, now: DateTime<Utc>) -> AppError {
    AppError::QuotaExceeded {
        quota: Quota::SessionsDay,
        limit: tenant.quotas().sessions_per_day.into(),
        reset_at: Some(next_day(now)),
    }
}

pub async fn counter(store: &DynStore, key: &Key, attr: &str) -> AppResult<u64> {
    let item = store.get(&tables::TENANTS, key).await?;
    Ok(item.and_then(|i| i.get(attr).and_then(Value::as_u64)).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_reset_at_utc_boundaries() {
        let at = Utc.with_ymd_and_hms(2026, 12, 31, 23, 59, 59).unwrap();
        assert_eq!(next_day(at), Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap());
        assert_eq!(next_month(at), Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap());
        let mid = Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap();
        assert_eq!(next_month(mid), Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap());
    }
}
