//! Metered quotas: sessions per UTC day and LLM tokens per UTC month, on
//! period-keyed counters (`USAGE#DAY#2026-11-25`, `USAGE#MONTH#2026-11`) so
//! a new period starts at zero with no reset job. Tokens are reserved before
//! a provider call and settled with the real usage after it; every take is a
//! conditional atomic add, so concurrent requests cannot overshoot a limit.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use serde::Serialize;
use serde_json::Value;

use super::tenants::Tenant;
use crate::domain::{Quota, TenantId};
use crate::store::{DynStore, Key, Query, SortRange, Update, from_item, tables};
use crate::{AppError, AppResult};

const TOKENS: &str = "tokens";
const SESSIONS: &str = "sessions";

fn day_key(tenant_id: &TenantId, day: NaiveDate) -> Key {
    Key::new(tenant_id.as_str(), format!("USAGE#DAY#{}", day.format("%Y-%m-%d")))
}

fn month_key(tenant_id: &TenantId, at: DateTime<Utc>) -> Key {
    Key::new(tenant_id.as_str(), format!("USAGE#MONTH#{}", at.format("%Y-%m")))
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

/// Counts a new session against today's limit.
pub async fn take_session(store: &DynStore, tenant: &Tenant) -> AppResult<()> {
    let now = Utc::now();
    let limit = tenant.quotas().sessions_per_day;
    let (update, cond) = Update::bounded_add(SESSIONS, 1, i64::from(limit));
    match store.update(&tables::TENANTS, &day_key(&tenant.tenant_id, now.date_naive()), &update, &[cond]).await {
        Ok(_) => Ok(()),
        Err(err) if err.is_condition_failed() => Err(AppError::QuotaExceeded {
            quota: Quota::SessionsDay,
            limit: limit.into(),
            reset_at: Some(next_day(now)),
        }),
        Err(err) => Err(err.into()),
    }
}

/// Tokens held for one provider call: its input estimate plus the output
/// allowance. The allowance caps the call's `max_tokens`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reservation {
    pub input: u64,
    pub output: u64,
    /// The month the reservation was taken in, which its settlement adjusts.
    pub at: DateTime<Utc>,
}

impl Reservation {
    pub fn total(&self) -> u64 {
        self.input + self.output
    }
}

/// The least output worth calling a provider for.
pub const MIN_OUTPUT_TOKENS: u64 = 16;

/// Reserves `input` tokens plus up to `max_output`, shrinking the output
/// allowance to what the month has left; 429 when not even
/// [`MIN_OUTPUT_TOKENS`] fit. Losing races to concurrent reservations is
/// retried; if it goes on, the answer is a retryable 409, not a false 429.
pub async fn reserve_tokens(store: &DynStore, tenant: &Tenant, input: u64, max_output: u64) -> AppResult<Reservation> {
    let now = Utc::now();
    let limit = tenant.quotas().tokens_per_month;
    let key = month_key(&tenant.tenant_id, now);
    for attempt in 0..RACE_ATTEMPTS {
        let used = counter(store, &key, TOKENS).await?;
        let left = limit.saturating_sub(used);
        if left < input + MIN_OUTPUT_TOKENS {
            return Err(AppError::QuotaExceeded { quota: Quota::TokensMonth, limit, reset_at: Some(next_month(now)) });
        }
        let output = max_output.min(left - input);
        let (update, cond) = Update::bounded_add(TOKENS, to_i64(input + output), to_i64(limit));
        match store.update(&tables::TENANTS, &key, &update, &[cond]).await {
            Ok(_) => return Ok(Reservation { input, output, at: now }),
            Err(err) if err.is_condition_failed() => tokio::time::sleep(race_pause(attempt)).await,
            Err(err) => return Err(err.into()),
        }
    }
    Err(busy())
}

/// How often a conditional add that lost a race is tried again.
const RACE_ATTEMPTS: u32 = 10;

fn race_pause(attempt: u32) -> std::time::Duration {
    let mut jitter = [0u8; 1];
    let _ = aws_lc_rs::rand::fill(&mut jitter);
    std::time::Duration::from_millis(u64::from(attempt) * 5 + u64::from(jitter[0] % 10))
}

fn busy() -> AppError {
    AppError::ConflictCode {
        code: "quota_busy",
        detail: "many requests are drawing on this quota right now; try again".into(),
    }
}

/// Replaces a reservation with the tokens really used, and adds them to the
/// day's chart. Usage above the reservation (a provider that ignored
/// `max_tokens`, an input estimate that fell short) is counted up to the
/// limit and the rest logged, so the month never passes its limit.
pub async fn settle_tokens(store: &DynStore, tenant: &Tenant, reservation: Reservation, used: u64) -> AppResult<()> {
    let key = month_key(&tenant.tenant_id, reservation.at);
    let reserved = reservation.total();
    if used <= reserved {
        let refund = Update::default().add(TOKENS, -to_i64(reserved - used));
        store.update(&tables::TENANTS, &key, &refund, &[]).await?;
    } else {
        let limit = tenant.quotas().tokens_per_month;
        let mut extra = used - reserved;
        for attempt in 0..RACE_ATTEMPTS {
            let room = limit.saturating_sub(counter(store, &key, TOKENS).await?);
            let counted = extra.min(room);
            if counted == 0 {
                break;
            }
            let (update, cond) = Update::bounded_add(TOKENS, to_i64(counted), to_i64(limit));
            match store.update(&tables::TENANTS, &key, &update, &[cond]).await {
                Ok(_) => extra -= counted,
                Err(err) if err.is_condition_failed() => tokio::time::sleep(race_pause(attempt)).await,
                Err(err) => return Err(err.into()),
            }
            if extra == 0 {
                break;
            }
        }
        if extra > 0 {
            tracing::warn!(tenant_id = %tenant.tenant_id, extra, "usage above the reservation would pass the monthly limit; not counted");
        }
    }
    let day = Update::default().add(TOKENS, to_i64(used));
    store.update(&tables::TENANTS, &day_key(&tenant.tenant_id, reservation.at.date_naive()), &day, &[]).await?;
    Ok(())
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

async fn counter(store: &DynStore, key: &Key, attr: &str) -> AppResult<u64> {
    let item = store.get(&tables::TENANTS, key).await?;
    Ok(item.and_then(|i| i.get(attr).and_then(Value::as_u64)).unwrap_or(0))
}

/// One quota's standing.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QuotaUsage {
    pub quota: Quota,
    pub used: u64,
    pub limit: u64,
    /// When the count starts again at zero; absent for users and agents.
    pub reset_at: Option<DateTime<Utc>>,
}

/// One day of the chart.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DailyUsage {
    pub date: NaiveDate,
    pub tokens: u64,
    pub sessions: u64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UsageReport {
    pub quotas: Vec<QuotaUsage>,
    /// The last 30 UTC days, oldest first, days without use included as zeros.
    pub daily: Vec<DailyUsage>,
}

#[derive(serde::Deserialize, Default)]
struct DayCounters {
    #[serde(default)]
    tokens: u64,
    #[serde(default)]
    sessions: u64,
}

/// The current period's usage against every limit, and the daily series.
pub async fn report(store: &DynStore, tenant: &Tenant) -> AppResult<UsageReport> {
    let now = Utc::now();
    let quotas = tenant.quotas();
    let today = now.date_naive();
    let first = today - Duration::days(29);
    let range = SortRange::Between(day_key(&tenant.tenant_id, first).sk, day_key(&tenant.tenant_id, today).sk);
    let page =
        store.query(&Query::partition(&tables::TENANTS, tenant.tenant_id.as_str()).range(range).limit(31)).await?;
    let mut days = std::collections::HashMap::new();
    for item in page.items {
        let date =
            item.get("sk").and_then(Value::as_str).and_then(|sk| sk.strip_prefix("USAGE#DAY#")).map(str::to_owned);
        if let Some(date) = date.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()) {
            days.insert(date, from_item::<DayCounters>(item)?);
        }
    }
    let daily: Vec<DailyUsage> = first
        .iter_days()
        .take(30)
        .map(|date| {
            let counters = days.remove(&date).unwrap_or_default();
            DailyUsage { date, tokens: counters.tokens, sessions: counters.sessions }
        })
        .collect();
    let tokens_month = counter(store, &month_key(&tenant.tenant_id, now), TOKENS).await?;
    let sessions_today = daily.last().map_or(0, |d| d.sessions);
    let users = super::tenants::count(store, &tenant.tenant_id, Quota::Users).await?;
    let agents = super::tenants::count(store, &tenant.tenant_id, Quota::Agents).await?;
    Ok(UsageReport {
        quotas: vec![
            QuotaUsage {
                quota: Quota::TokensMonth,
                used: tokens_month,
                limit: quotas.tokens_per_month,
                reset_at: Some(next_month(now)),
            },
            QuotaUsage {
                quota: Quota::SessionsDay,
                used: sessions_today,
                limit: quotas.sessions_per_day.into(),
                reset_at: Some(next_day(now)),
            },
            QuotaUsage { quota: Quota::Users, used: users, limit: quotas.max_users.into(), reset_at: None },
            QuotaUsage { quota: Quota::Agents, used: agents, limit: quotas.max_agents.into(), reset_at: None },
        ],
        daily,
    })
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
