//! Metered quotas: sessions per UTC day and LLM tokens per UTC month, on
//! period-keyed counters (`USAGE#DAY#2026-11-25`, `USAGE#MONTH#2026-11`) so
//! a new period starts at zero with no reset job, and the usage report.
//! Every take is a conditional atomic add, so concurrent requests cannot
//! overshoot a limit. Chat turns draw on the token and concurrent-turn
//! quotas through [`super::turn_budget`].

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use serde::Serialize;
use serde_json::Value;

use crate::domain::{Quota, TenantId};
use crate::identity::tenants::{self, Tenant};
use crate::store::{DynStore, Key, Query, SortRange, StoreError, Update, Write, from_item, tables};
use crate::{AppError, AppResult};

pub(super) const TOKENS: &str = "tokens";
const SESSIONS: &str = "sessions";

pub(super) fn day_key(tenant_id: &TenantId, day: NaiveDate) -> Key {
    Key::new(tenant_id.as_str(), format!("USAGE#DAY#{}", day.format("%Y-%m-%d")))
}

/// The month `at` falls in, as month counters are named (`2026-11`).
pub(super) fn month_of(at: DateTime<Utc>) -> String {
    at.format("%Y-%m").to_string()
}

pub(super) fn month_key(tenant_id: &TenantId, at: DateTime<Utc>) -> Key {
    month_key_named(tenant_id, &month_of(at))
}

pub(super) fn month_key_named(tenant_id: &TenantId, month: &str) -> Key {
    Key::new(tenant_id.as_str(), format!("USAGE#MONTH#{month}"))
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

/// Counts a new session against today's limit, while the tenant is live
/// (404 once its deletion began, so no counter outlives it).
pub async fn take_session(store: &DynStore, tenant: &Tenant) -> AppResult<()> {
    let now = Utc::now();
    let limit = tenant.quotas().sessions_per_day;
    let (update, cond) = Update::bounded_add(SESSIONS, 1, i64::from(limit));
    let key = day_key(&tenant.tenant_id, now.date_naive());
    let writes = vec![
        Write::Update { table: &tables::TENANTS, key, update, conds: vec![cond] },
        tenants::check_live(&tenant.tenant_id),
    ];
    match store.transact(writes).await {
        Ok(()) => Ok(()),
        Err(StoreError::ConditionFailed { write: Some(1) }) => Err(AppError::NotFound),
        Err(err) if err.is_condition_failed() => Err(AppError::QuotaExceeded {
            quota: Quota::SessionsDay,
            limit: limit.into(),
            reset_at: Some(next_day(now)),
        }),
        Err(err) => Err(err.into()),
    }
}

pub(super) async fn counter(store: &DynStore, key: &Key, attr: &str) -> AppResult<u64> {
    let item = store.get(&tables::TENANTS, key).await?;
    Ok(item.and_then(|i| i.get(attr).and_then(Value::as_u64)).unwrap_or(0))
}

/// One quota's standing.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QuotaUsage {
    pub quota: Quota,
    pub used: u64,
    pub limit: u64,
    /// When the count starts again at zero; absent for users, agents and concurrent turns.
    pub reset_at: Option<DateTime<Utc>>,
    /// Tokens: what turns still running hold beyond `used` (it counts
    /// against the limit until they settle).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reserved: Option<u64>,
    /// Tokens: how far `used` passed the limit (providers that reported more
    /// than was reserved); absent when it did not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overage: Option<u64>,
}

impl QuotaUsage {
    fn of(quota: Quota, used: u64, limit: u64, reset_at: Option<DateTime<Utc>>) -> Self {
        Self { quota, used, limit, reset_at, reserved: None, overage: None }
    }
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
    let turns = super::turn_budget::live_turns(store, &tenant.tenant_id).await?;
    let (tokens_month, reserved) = super::turn_budget::month_tokens(store, &tenant.tenant_id, now).await?;
    let sessions_today = daily.last().map_or(0, |d| d.sessions);
    let users = crate::identity::tenants::count(store, &tenant.tenant_id, Quota::Users).await?;
    let agents = crate::identity::tenants::count(store, &tenant.tenant_id, Quota::Agents).await?;
    Ok(UsageReport {
        quotas: vec![
            QuotaUsage {
                quota: Quota::TokensMonth,
                used: tokens_month,
                limit: quotas.tokens_per_month,
                reset_at: Some(next_month(now)),
                reserved: Some(reserved),
                overage: tokens_month.checked_sub(quotas.tokens_per_month).filter(|over| *over > 0),
            },
            QuotaUsage::of(Quota::SessionsDay, sessions_today, quotas.sessions_per_day.into(), Some(next_day(now))),
            QuotaUsage::of(Quota::Users, users, quotas.max_users.into(), None),
            QuotaUsage::of(Quota::Agents, agents, quotas.max_agents.into(), None),
            QuotaUsage::of(Quota::ConcurrentTurns, turns, quotas.concurrent_turns.into(), None),
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
