//! The usage report: the current period's usage against every limit, and
//! the daily series of the last 30 days.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;
use serde_json::Value;

use super::turn_budget;
use super::usage::{next_day, next_month};
use crate::AppResult;
use crate::domain::Quota;
use crate::identity::tenants::Tenant;
use crate::store::keys;
use crate::store::{DynStore, Query, SortRange, from_item, tables};

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
    let range =
        SortRange::Between(keys::usage_day(&tenant.tenant_id, first).sk, keys::usage_day(&tenant.tenant_id, today).sk);
    let page =
        store.query(&Query::partition(&tables::TENANTS, tenant.tenant_id.as_str()).range(range).limit(31)).await?;
    let mut days = std::collections::HashMap::new();
    for item in page.items {
        let date = item
            .get("sk")
            .and_then(Value::as_str)
            .and_then(|sk| sk.strip_prefix(keys::USAGE_DAY_PREFIX))
            .map(str::to_owned);
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
    let turns = turn_budget::live_turns(store, &tenant.tenant_id).await?;
    let (tokens_month, reserved) = turn_budget::month_tokens(store, &tenant.tenant_id, now).await?;
    let sessions_today = daily.last().map_or(0, |d| d.sessions);
    let counted = [Quota::Users, Quota::Agents, Quota::Tools, Quota::ApiKeys];
    let [users, agents, tools, api_keys] = crate::identity::tenants::counts(store, &tenant.tenant_id, counted).await?;
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
            QuotaUsage::of(Quota::Tools, tools, quotas.max_tools.into(), None),
            QuotaUsage::of(Quota::ApiKeys, api_keys, quotas.max_api_keys.into(), None),
            QuotaUsage::of(Quota::ConcurrentTurns, turns, quotas.concurrent_turns.into(), None),
        ],
        daily,
    })
}
