//! A chat turn's hold on its tenant's meters, as one type: a slot among the
//! tenant's concurrent turns and the tokens reserved for its current model
//! step, both under a lease that expires a little after the longest turn.
//!
//! Its verbs follow the turn: [`TurnBudget::open`] takes the slot and
//! reserves the first step, [`TurnBudget::reserve`] each next step,
//! [`TurnBudget::settle`] records what a step used, and
//! [`TurnBudget::close`] settles the last step and gives the slot back.
//! Each is one all-or-nothing transaction over these items of the tenant's
//! partition in the tenants table:
//!
//! - `USAGE#MONTH#<yyyy-mm>`: `tokens`, what the month's limit bounds (used
//!   plus reserved), and `reserved`, the part held by steps still running.
//!   So what was used is `tokens - reserved`, exactly what settled turns recorded.
//! - `USAGE#DAY#<yyyy-mm-dd>`: `tokens` used that day (the chart).
//! - `USAGE#TURNS`: `turns`, the live leases, bounded by `concurrent_turns`.
//! - `TURN#<id>`: one lease: until when it holds, and the tokens it reserved.
//!
//! Usage above a reservation (a provider that reports more than was held)
//! is recorded, never dropped; the limit then shows as passed, by exactly
//! that much. A lease whose process died (killed, timed out) is reclaimed
//! once it has expired, by whichever request next finds the tenant at a
//! limit, and by the usage report: its slot and its reservation stop
//! counting, and its unsettled step costs nothing.
//!
//! Every transaction also checks that the tenant is live ([`tenants::check_live`]),
//! so a turn still running when its tenant is deleted recreates none of these
//! items: it is refused a slot or a step (404), and its settling writes nothing.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use super::usage::{self, TOKENS};
use crate::domain::{Quota, TenantId};
use crate::identity::tenants::{self, Tenant};
use crate::store::keys;
use crate::store::{Cond, DynStore, Item, Key, Query, StoreError, Update, Write, query_all, tables};
use crate::{AppError, AppResult};

const RESERVED: &str = "reserved";
const TURNS: &str = "turns";

/// The least output worth calling a provider for.
pub const MIN_OUTPUT_TOKENS: u64 = 16;

/// How often a reservation that lost a race to another is tried again.
const RACE_ATTEMPTS: u32 = 10;

/// Tokens held for one provider call: its input estimate plus the output
/// allowance, which caps the call's `max_tokens`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reservation {
    pub input: u64,
    pub output: u64,
    /// When it was taken: the month it counts in.
    pub at: DateTime<Utc>,
}

impl Reservation {
    pub fn total(&self) -> u64 {
        self.input + self.output
    }
}

/// A live turn's slot and reservation (see the module docs).
pub struct TurnBudget {
    store: DynStore,
    tenant: Tenant,
    lease: Key,
    step: Option<Reservation>,
    /// Until closed: a budget dropped while open gives its slot back itself.
    open: bool,
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// What a step's reservation adds to its month's counters (negative to give it back).
fn month_hold(tenant_id: &TenantId, at: DateTime<Utc>, tokens: i64, conds: Vec<Cond>) -> Write {
    Write::Update {
        table: &tables::TENANTS,
        key: usage::month_key(tenant_id, at),
        update: Update::default().add(TOKENS, tokens).add(RESERVED, tokens),
        conds,
    }
}

/// The writes with, last, the check that the tenant is live; and that check's index.
fn while_live(tenant_id: &TenantId, mut writes: Vec<Write>) -> (Vec<Write>, usize) {
    writes.push(tenants::check_live(tenant_id));
    let check = writes.len() - 1;
    (writes, check)
}

/// Whether a transaction of [`while_live`] failed because the tenant is being deleted or gone.
fn tenant_gone(result: &Result<(), StoreError>, check: usize) -> bool {
    matches!(result, Err(StoreError::ConditionFailed { write: Some(i) }) if *i == check)
}

/// A step's reservation and the write that takes it, sized to what the month has left.
enum Sized {
    Fits(Reservation, Write),
    Full,
}

impl TurnBudget {
    /// Takes one of the tenant's concurrent-turn slots and reserves the first
    /// step's tokens: `input` plus up to `max_output`, shrunk to what the
    /// month has left. 429 `quota_exceeded.concurrent_turns` or
    /// `.tokens_month` when either is used up (after reclaiming expired leases).
    pub async fn open(
        store: &DynStore,
        tenant: &Tenant,
        input: u64,
        max_output: u64,
        lease: Duration,
    ) -> AppResult<Self> {
        let lease_key = keys::turn_lease(&tenant.tenant_id, &keys::new_turn_lease());
        let slots = tenant.quotas().concurrent_turns;
        let mut reclaimed = false;
        for attempt in 0..RACE_ATTEMPTS {
            let (reservation, hold) = match size(store, tenant, input, max_output).await? {
                Sized::Fits(reservation, hold) => (reservation, hold),
                Sized::Full if !reclaimed => {
                    reclaimed = true;
                    reclaim_expired(store, &tenant.tenant_id).await?;
                    continue;
                }
                Sized::Full => return Err(tokens_exceeded(tenant, Utc::now())),
            };
            let until = (reservation.at + lease).timestamp();
            let mut lease_item = Item::new();
            lease_item.insert("lease_until".into(), until.into());
            lease_item.insert("month".into(), Value::String(usage::month_of(reservation.at)));
            lease_item.insert(RESERVED.into(), to_i64(reservation.total()).into());
            let (take_slot, slot_free) = Update::bounded_add(TURNS, 1, i64::from(slots));
            let (writes, check) = while_live(
                &tenant.tenant_id,
                vec![
                    Write::Update {
                        table: &tables::TENANTS,
                        key: keys::running_turns(&tenant.tenant_id),
                        update: take_slot,
                        conds: vec![slot_free],
                    },
                    hold,
                    Write::Put {
                        table: &tables::TENANTS,
                        item: with_key(&lease_key, lease_item),
                        conds: vec![Cond::NotExists],
                    },
                ],
            );
            let result = store.transact(writes).await;
            if tenant_gone(&result, check) {
                return Err(AppError::NotFound);
            }
            match result {
                Ok(()) => {
                    return Ok(Self {
                        store: store.clone(),
                        tenant: tenant.clone(),
                        lease: lease_key,
                        step: Some(reservation),
                        open: true,
                    });
                }
                Err(StoreError::ConditionFailed { write: Some(0) }) if !reclaimed => {
                    reclaimed = true;
                    reclaim_expired(store, &tenant.tenant_id).await?;
                }
                Err(StoreError::ConditionFailed { write: Some(0) }) => {
                    return Err(AppError::QuotaExceeded {
                        quota: Quota::ConcurrentTurns,
                        limit: slots.into(),
                        reset_at: None,
                    });
                }
                Err(err) if err.is_condition_failed() => tokio::time::sleep(race_pause(attempt)).await,
                Err(err) => return Err(err.into()),
            }
        }
        Err(busy())
    }

    /// The current step's reservation, if one is held.
    pub fn reservation(&self) -> Option<Reservation> {
        self.step
    }

    /// Reserves the next step's tokens, as [`TurnBudget::open`] does the first's.
    pub async fn reserve(&mut self, input: u64, max_output: u64) -> AppResult<Reservation> {
        debug_assert!(self.step.is_none(), "a step is settled before the next is reserved");
        let mut reclaimed = false;
        for attempt in 0..RACE_ATTEMPTS {
            let (reservation, hold) = match size(&self.store, &self.tenant, input, max_output).await? {
                Sized::Fits(reservation, hold) => (reservation, hold),
                Sized::Full if !reclaimed => {
                    reclaimed = true;
                    reclaim_expired(&self.store, &self.tenant.tenant_id).await?;
                    continue;
                }
                Sized::Full => return Err(tokens_exceeded(&self.tenant, Utc::now())),
            };
            let note = Update::default()
                .set("month", usage::month_of(reservation.at))
                .set(RESERVED, to_i64(reservation.total()));
            let lease = Write::Update {
                table: &tables::TENANTS,
                key: self.lease.clone(),
                update: note,
                conds: vec![Cond::Exists],
            };
            let (writes, check) = while_live(&self.tenant.tenant_id, vec![hold, lease]);
            let result = self.store.transact(writes).await;
            if tenant_gone(&result, check) {
                return Err(AppError::NotFound);
            }
            match result {
                Ok(()) => {
                    self.step = Some(reservation);
                    return Ok(reservation);
                }
                Err(StoreError::ConditionFailed { write: Some(1) }) => {
                    return Err(AppError::internal(anyhow::anyhow!("the turn's lease expired while it ran")));
                }
                Err(err) if err.is_condition_failed() => tokio::time::sleep(race_pause(attempt)).await,
                Err(err) => return Err(err.into()),
            }
        }
        Err(busy())
    }

    /// Records the tokens the current step used (all of them, above its
    /// reservation too) and gives back the rest of its reservation.
    /// On failure the reservation stays held, for `close` (or the lease's expiry) to give back.
    pub async fn settle(&mut self, used: u64) -> AppResult<()> {
        let Some(reservation) = self.step else { return Ok(()) };
        let lease = Write::Update {
            table: &tables::TENANTS,
            key: self.lease.clone(),
            update: Update::default().set(RESERVED, 0),
            conds: vec![Cond::Exists],
        };
        self.record(reservation, used, vec![lease]).await?;
        self.step = None;
        Ok(())
    }

    /// Settles the current step, if one is held, and gives the turn's slot back.
    pub async fn close(mut self, used: u64) -> AppResult<()> {
        self.open = false;
        self.end(used).await
    }

    async fn end(&mut self, used: u64) -> AppResult<()> {
        let end = vec![
            Write::Delete { table: &tables::TENANTS, key: self.lease.clone(), conds: vec![Cond::Exists] },
            Write::Update {
                table: &tables::TENANTS,
                key: keys::running_turns(&self.tenant.tenant_id),
                update: Update::default().add(TURNS, -1),
                conds: vec![],
            },
        ];
        match self.step.take() {
            Some(reservation) => self.record(reservation, used, end).await,
            None => {
                let (end, check) = while_live(&self.tenant.tenant_id, end);
                match self.store.transact(end).await {
                    // Reclaimed after it expired: the slot was given back then.
                    Ok(()) | Err(StoreError::ConditionFailed { write: Some(0) }) => Ok(()),
                    // The tenant's deletion takes its counters and leases with it.
                    Err(StoreError::ConditionFailed { write: Some(i) }) if i == check => Ok(()),
                    Err(err) => Err(err.into()),
                }
            }
        }
    }

    /// Moves a reservation to what was used, in one transaction with the
    /// `lease` writes (the first of which needs the lease to exist). A lease
    /// reclaimed meanwhile already gave its reservation and slot back, so
    /// then only the use is recorded.
    async fn record(&self, reservation: Reservation, used: u64, lease: Vec<Write>) -> AppResult<()> {
        let tenant_id = &self.tenant.tenant_id;
        let month_key = usage::month_key(tenant_id, reservation.at);
        let day_key = keys::usage_day(tenant_id, reservation.at.date_naive());
        let used_i = to_i64(used);
        let held = to_i64(reservation.total());
        let mut writes = vec![
            Write::Update {
                table: &tables::TENANTS,
                key: month_key.clone(),
                update: Update::default().add(TOKENS, used_i - held).add(RESERVED, -held),
                conds: vec![],
            },
            Write::Update {
                table: &tables::TENANTS,
                key: day_key.clone(),
                update: Update::default().add(TOKENS, used_i),
                conds: vec![],
            },
        ];
        writes.extend(lease);
        let (writes, check) = while_live(tenant_id, writes);
        let result = self.store.transact(writes).await;
        if tenant_gone(&result, check) {
            tracing::info!(%tenant_id, used, "a turn ended after its tenant was deleted");
            return Ok(());
        }
        match result {
            Ok(()) => Ok(()),
            Err(StoreError::ConditionFailed { write: Some(2) }) => {
                tracing::warn!(%tenant_id, used, "a turn settled after its lease was reclaimed");
                let used = Update::default().add(TOKENS, used_i);
                let (writes, check) = while_live(
                    tenant_id,
                    vec![
                        Write::Update { table: &tables::TENANTS, key: month_key, update: used.clone(), conds: vec![] },
                        Write::Update { table: &tables::TENANTS, key: day_key, update: used, conds: vec![] },
                    ],
                );
                let result = self.store.transact(writes).await;
                if tenant_gone(&result, check) {
                    return Ok(());
                }
                Ok(result?)
            }
            Err(err) => Err(err.into()),
        }
    }
}

impl Drop for TurnBudget {
    /// A budget dropped open (its request was cancelled before the turn
    /// started) gives its slot back at once, not when its lease expires.
    fn drop(&mut self) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
        if !self.open {
            return;
        }
        let mut orphan = Self {
            store: self.store.clone(),
            tenant: self.tenant.clone(),
            lease: self.lease.clone(),
            step: self.step.take(),
            open: false,
        };
        runtime.spawn(async move {
            if let Err(err) = orphan.end(0).await {
                tracing::warn!(error = %err, "could not release a dropped turn's budget; its lease will expire");
            }
        });
    }
}

fn with_key(key: &Key, mut item: Item) -> Item {
    item.insert(crate::store::PK.into(), Value::String(key.pk.clone()));
    item.insert(crate::store::SK.into(), Value::String(key.sk.clone()));
    item
}

/// Sizes a step's reservation to what the month has left, and the
/// conditional write that takes it (failing if a concurrent one took the room).
async fn size(store: &DynStore, tenant: &Tenant, input: u64, max_output: u64) -> AppResult<Sized> {
    let now = Utc::now();
    let limit = tenant.quotas().tokens_per_month;
    let held = usage::counter(store, &usage::month_key(&tenant.tenant_id, now), TOKENS).await?;
    let left = limit.saturating_sub(held);
    if left < input + MIN_OUTPUT_TOKENS {
        return Ok(Sized::Full);
    }
    let reservation = Reservation { input, output: max_output.min(left - input), at: now };
    let total = to_i64(reservation.total());
    let hold = month_hold(&tenant.tenant_id, now, total, vec![Cond::AtMost(TOKENS.into(), to_i64(limit) - total)]);
    Ok(Sized::Fits(reservation, hold))
}

fn tokens_exceeded(tenant: &Tenant, now: DateTime<Utc>) -> AppError {
    let limit = tenant.quotas().tokens_per_month;
    AppError::QuotaExceeded { quota: Quota::TokensMonth, limit, reset_at: Some(usage::next_month(now)) }
}

/// A lease item as stored.
#[derive(Deserialize)]
struct Lease {
    sk: String,
    lease_until: i64,
    month: String,
    #[serde(default)]
    reserved: i64,
}

/// Gives back the slots and reservations of the tenant's expired leases
/// (turns whose process died); answers how many it reclaimed. Each lease is
/// reclaimed once, whoever else tries at the same moment.
pub async fn reclaim_expired(store: &DynStore, tenant_id: &TenantId) -> AppResult<u32> {
    let query = Query::partition(&tables::TENANTS, tenant_id.as_str()).range(keys::under(keys::TURN_LEASE_PREFIX));
    let now = Utc::now().timestamp();
    let mut reclaimed = 0;
    for item in query_all(store.as_ref(), query).await? {
        let Ok(lease) = crate::store::from_item::<Lease>(item) else { continue };
        if lease.lease_until > now {
            continue;
        }
        let key = keys::turn_lease(tenant_id, &lease.sk);
        // Unchanged since it was read: a late step of a stalled turn cannot be given back twice.
        let mut writes = vec![
            Write::Delete { table: &tables::TENANTS, key, conds: vec![Cond::equals(RESERVED, lease.reserved)] },
            Write::Update {
                table: &tables::TENANTS,
                key: keys::running_turns(tenant_id),
                update: Update::default().add(TURNS, -1),
                conds: vec![],
            },
        ];
        if lease.reserved > 0 {
            writes.push(Write::Update {
                table: &tables::TENANTS,
                key: keys::usage_month(tenant_id, &lease.month),
                update: Update::default().add(TOKENS, -lease.reserved).add(RESERVED, -lease.reserved),
                conds: vec![],
            });
        }
        // Nothing of a tenant being deleted is brought back.
        let (writes, _) = while_live(tenant_id, writes);
        match store.transact(writes).await {
            Ok(()) => {
                reclaimed += 1;
                tracing::warn!(%tenant_id, reserved = lease.reserved, "reclaimed an expired turn lease");
            }
            Err(err) if err.is_condition_failed() => {}
            Err(err) => return Err(err.into()),
        }
    }
    Ok(reclaimed)
}

/// The tenant's live turns (after reclaiming expired leases).
pub async fn live_turns(store: &DynStore, tenant_id: &TenantId) -> AppResult<u64> {
    reclaim_expired(store, tenant_id).await?;
    usage::counter(store, &keys::running_turns(tenant_id), TURNS).await
}

/// The month's tokens: `(used, reserved)`, read from one version of its counter.
pub async fn month_tokens(store: &DynStore, tenant_id: &TenantId, at: DateTime<Utc>) -> AppResult<(u64, u64)> {
    let item = store.get(&tables::TENANTS, &usage::month_key(tenant_id, at)).await?;
    let number = |attr| item.as_ref().and_then(|i| i.get(attr)).and_then(Value::as_u64).unwrap_or(0);
    let reserved = number(RESERVED);
    Ok((number(TOKENS).saturating_sub(reserved), reserved))
}

fn race_pause(attempt: u32) -> Duration {
    let mut jitter = [0u8; 1];
    let _ = crate::random::fill(&mut jitter);
    Duration::from_millis(u64::from(attempt) * 5 + u64::from(jitter[0] % 10))
}

fn busy() -> AppError {
    AppError::ConflictCode {
        code: "quota_busy",
        detail: "many requests are drawing on this quota right now; try again".into(),
    }
}
