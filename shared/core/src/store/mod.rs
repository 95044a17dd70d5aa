//! Storage: one narrow trait modelled on the DynamoDB operations the domain
//! needs, with two real backends (SQLite, the embedded default, and DynamoDB).
//!
//! Items are JSON objects. Every item carries its table's key attributes
//! (`pk`, `sk`) and, for a table with indexes, the index key attributes it
//! should be found under. Domain code converts its types with serde; each
//! backend owns the conversion to its own representation.

mod cursor;
mod dynamodb;
pub mod keys;
pub mod tables;
pub mod tombstone;

use std::sync::Arc;

use async_trait::async_trait;
use serde::{Serialize, de::DeserializeOwned};
use serde_json::{Map, Value};

pub use cursor::{BadCursor, Cursor};
pub use dynamodb::DynamoStore;
pub use tables::{IndexDef, TableDef};

/// A stored item: a JSON object holding its key attributes and its data.
pub type Item = Map<String, Value>;

/// The partition and sort key attribute names every table uses.
pub const PK: &str = "pk";
pub const SK: &str = "sk";

/// A shared handle to whichever backend the configuration chose.
pub type DynStore = Arc<dyn Store>;

/// The primary key of one item.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    pub pk: String,
    pub sk: String,
}

impl Key {
    pub fn new(pk: impl Into<String>, sk: impl Into<String>) -> Self {
        Self { pk: pk.into(), sk: sk.into() }
    }
}

/// A precondition on the item a write touches; a write's conditions must all
/// hold, otherwise nothing is written and the write fails with
/// [`StoreError::ConditionFailed`]. An expired item counts as missing.
#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    /// No live item with this key exists.
    NotExists,
    /// A live item with this key exists.
    Exists,
    /// The attribute exists and equals the value (versions, states).
    Equals(String, Value),
    /// The attribute is missing (a missing item has none): a mark not set, such as a tombstone.
    Absent(String),
    /// The numeric attribute, missing counting as 0, is at most this value.
    /// `AtMost(counter, limit - delta)` bounds an atomic add by `limit`.
    AtMost(String, i64),
    /// The numeric attribute exists and is at least this value (a counter
    /// that must not fall below a floor).
    AtLeast(String, i64),
}

impl Cond {
    pub fn equals(attr: &str, value: impl Into<Value>) -> Self {
        Self::Equals(attr.to_owned(), value.into())
    }
}

/// Changes to one item, applied atomically; a missing item is created from
/// its key (as DynamoDB's `UpdateItem` does).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Update {
    pub set: Vec<(String, Value)>,
    pub add: Vec<(String, i64)>,
    pub remove: Vec<String>,
}

impl Update {
    pub fn set(mut self, attr: &str, value: impl Into<Value>) -> Self {
        self.set.push((attr.to_owned(), value.into()));
        self
    }
    pub fn add(mut self, attr: &str, delta: i64) -> Self {
        self.add.push((attr.to_owned(), delta));
        self
    }
    pub fn remove(mut self, attr: &str) -> Self {
        self.remove.push(attr.to_owned());
        self
    }
    /// An atomic add that fails instead of taking the counter past `limit`.
    /// The counter counts as 0 while it does not exist.
    pub fn bounded_add(attr: &str, delta: i64, limit: i64) -> (Self, Cond) {
        (Self::default().add(attr, delta), Cond::AtMost(attr.to_owned(), limit - delta))
    }
}

/// Which sort keys a query reads.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SortRange {
    #[default]
    All,
    Prefix(String),
    /// Inclusive on both ends.
    Between(String, String),
    /// Sort key >= the value.
    From(String),
    /// Sort key <= the value.
    To(String),
}

impl SortRange {
    /// Whether a sort key falls in the range (as DynamoDB compares strings: by bytes).
    pub fn contains(&self, sk: &str) -> bool {
        match self {
            Self::All => true,
            Self::Prefix(prefix) => sk.starts_with(prefix.as_str()),
            Self::Between(low, high) => low.as_str() <= sk && sk <= high.as_str(),
            Self::From(low) => low.as_str() <= sk,
            Self::To(high) => sk <= high.as_str(),
        }
    }
}

/// A read of one partition of a table or of one of its indexes.
#[derive(Debug, Clone)]
pub struct Query {
    pub table: &'static TableDef,
    pub index: Option<&'static IndexDef>,
    pub partition: String,
    pub range: SortRange,
    /// Ascending sort keys when true, descending (newest first for ULIDs) otherwise.
    pub forward: bool,
    pub limit: usize,
    pub cursor: Option<Cursor>,
}

impl Query {
    pub fn partition(table: &'static TableDef, partition: impl Into<String>) -> Self {
        Self {
            table,
            index: None,
            partition: partition.into(),
            range: SortRange::All,
            forward: true,
            limit: 100,
            cursor: None,
        }
    }
    pub fn index(mut self, index: &'static IndexDef) -> Self {
        self.index = Some(index);
        self
    }
    pub fn range(mut self, range: SortRange) -> Self {
        self.range = range;
        self
    }
    pub fn backward(mut self) -> Self {
        self.forward = false;
        self
    }
    pub fn limit(mut self, limit: usize) -> Self {
        self.limit = limit.max(1);
        self
    }
    pub fn after(mut self, cursor: Option<Cursor>) -> Self {
        self.cursor = cursor;
        self
    }

    /// The attributes holding the partition and sort key this query reads by.
    pub fn key_attrs(&self) -> (&'static str, Option<&'static str>) {
        self.index.map_or((PK, Some(SK)), |i| (i.pk, i.sk))
    }

    /// Checks what both backends require: a cursor from this very partition,
    /// an index of this table, and no sort range on an index without a sort key.
    pub fn check(&self) -> StoreResult<()> {
        if let Some(index) = self.index
            && !self.table.indexes.iter().any(|i| std::ptr::eq(i, index))
        {
            return Err(StoreError::Invalid(format!("{} is not an index of {}", index.name, self.table.name)));
        }
        let (pk_attr, sk_attr) = self.key_attrs();
        if sk_attr.is_none() && self.range != SortRange::All {
            return Err(StoreError::Invalid("a sort range needs a sort key".into()));
        }
        if let Some(cursor) = &self.cursor {
            let same_partition = cursor.get(pk_attr) == Some(self.partition.as_str());
            let exact_keys = cursor.0.keys().map(String::as_str).eq(Cursor::attrs(self.index));
            let sort_key = sk_attr.map(|a| cursor.get(a));
            let in_range = match sort_key {
                None => true,
                Some(None) => false,
                Some(Some(sk)) => self.range.contains(sk),
            };
            if !same_partition || !exact_keys || !in_range {
                return Err(StoreError::BadCursor);
            }
        }
        Ok(())
    }
}

/// One page of a query; `next` is present when more items may follow.
#[derive(Debug, Clone, Default)]
pub struct Page {
    pub items: Vec<Item>,
    pub next: Option<Cursor>,
}

impl Page {
    /// A page from up to `query.limit + 1` items read in order: the extra
    /// one only shows that more follow, after the last one kept.
    pub fn from_one_extra(mut items: Vec<Item>, query: &Query) -> Self {
        let next = if items.len() > query.limit {
            items.truncate(query.limit);
            items.last().map(|last| Cursor::after(last, query.index))
        } else {
            None
        };
        Self { items, next }
    }

    /// The page's items as domain values, and its cursor as a client sees it.
    pub fn typed<T: DeserializeOwned>(self) -> StoreResult<(Vec<T>, Option<String>)> {
        let items = self.items.into_iter().map(from_item).collect::<StoreResult<Vec<T>>>()?;
        Ok((items, self.next.map(|c| c.encode())))
    }
}

/// Every item a query selects, page after page (for partitions known to be small, and clean-ups).
pub async fn query_all(store: &dyn Store, mut query: Query) -> StoreResult<Vec<Item>> {
    let mut items = Vec::new();
    loop {
        let page = store.query(&query).await?;
        items.extend(page.items);
        match page.next {
            Some(next) => query.cursor = Some(next),
            None => return Ok(items),
        }
    }
}

/// Deletes every item of one partition, page after page; an item already
/// gone counts as deleted, so a retry after a failure finishes the job.
pub async fn delete_partition(store: &dyn Store, table: &'static TableDef, partition: &str) -> StoreResult<()> {
    delete_partition_but(store, table, partition, None).await
}

/// [`delete_partition`], keeping one item (a record deleted after what it owns).
pub async fn delete_partition_but(
    store: &dyn Store,
    table: &'static TableDef,
    partition: &str,
    keep: Option<&Key>,
) -> StoreResult<()> {
    for item in query_all(store, Query::partition(table, partition).limit(500)).await? {
        let key = key_of(&item)?;
        if Some(&key) == keep {
            continue;
        }
        match store.delete(table, &key, &[]).await {
            // Expired meanwhile: as good as deleted.
            Ok(_) | Err(StoreError::ConditionFailed { .. }) => {}
            Err(err) => return Err(err),
        }
    }
    Ok(())
}

/// One write of a transaction.
#[derive(Debug, Clone)]
pub enum Write {
    Put {
        table: &'static TableDef,
        item: Item,
        conds: Vec<Cond>,
    },
    Update {
        table: &'static TableDef,
        key: Key,
        update: Update,
        conds: Vec<Cond>,
    },
    Delete {
        table: &'static TableDef,
        key: Key,
        conds: Vec<Cond>,
    },
    /// Writes nothing; only its conditions must hold.
    Check {
        table: &'static TableDef,
        key: Key,
        conds: Vec<Cond>,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A write's conditions did not hold; nothing was written. In a
    /// transaction, `write` is the index of the first write that failed.
    #[error("condition failed")]
    ConditionFailed { write: Option<usize> },
    /// A cursor that this store did not issue for this query (bad input).
    #[error("the cursor is not one this API issued for this list")]
    BadCursor,
    /// The request itself is not valid for the store (a bug, not input).
    #[error("invalid store request: {0}")]
    Invalid(String),
    /// The backend failed or could not be reached.
    #[error("storage backend failed")]
    Backend(#[source] anyhow::Error),
}

impl StoreError {
    pub fn is_condition_failed(&self) -> bool {
        matches!(self, Self::ConditionFailed { .. })
    }
    pub fn backend(err: impl Into<anyhow::Error>) -> Self {
        Self::Backend(err.into())
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

impl From<BadCursor> for StoreError {
    fn from(_: BadCursor) -> Self {
        Self::BadCursor
    }
}

/// The storage operations the domain is written against.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Reads one live item.
    async fn get(&self, table: &'static TableDef, key: &Key) -> StoreResult<Option<Item>>;

    /// Writes a whole item (replacing any previous one) if the conditions hold.
    async fn put(&self, table: &'static TableDef, item: Item, conds: &[Cond]) -> StoreResult<()>;

    /// Applies `update` if the conditions hold and answers the item as it is after.
    async fn update(&self, table: &'static TableDef, key: &Key, update: &Update, conds: &[Cond]) -> StoreResult<Item>;

    /// Deletes an item if the conditions hold; answers the live item deleted, if any.
    async fn delete(&self, table: &'static TableDef, key: &Key, conds: &[Cond]) -> StoreResult<Option<Item>>;

    /// Reads one page of a partition (of the table or of an index) in sort-key order.
    async fn query(&self, query: &Query) -> StoreResult<Page>;

    /// Applies every write or none of them.
    async fn transact(&self, writes: Vec<Write>) -> StoreResult<()>;

    /// Which backend this is, for logs and test names.
    fn backend_name(&self) -> &'static str;
}

/// Serialises a domain value into an item with the given key.
pub fn to_item<T: Serialize>(key: &Key, value: &T) -> StoreResult<Item> {
    let mut item = match serde_json::to_value(value).map_err(StoreError::backend)? {
        Value::Object(map) => map,
        other => return Err(StoreError::Invalid(format!("item must be an object, got {other}"))),
    };
    item.insert(PK.into(), Value::String(key.pk.clone()));
    item.insert(SK.into(), Value::String(key.sk.clone()));
    Ok(item)
}

/// Reads a domain value back from an item (key attributes are ignored unless the type names them).
pub fn from_item<T: DeserializeOwned>(item: Item) -> StoreResult<T> {
    serde_json::from_value(Value::Object(item)).map_err(StoreError::backend)
}

/// The key of a stored item.
pub fn key_of(item: &Item) -> StoreResult<Key> {
    match (item.get(PK), item.get(SK)) {
        (Some(Value::String(pk)), Some(Value::String(sk))) => Ok(Key::new(pk.clone(), sk.clone())),
        _ => Err(StoreError::Invalid("item lacks string pk and sk".into())),
    }
}

/// Seconds since the Unix epoch, the unit of TTL attributes.
pub fn now_epoch() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Whether an item has passed its table's TTL attribute.
pub fn is_expired(table: &TableDef, item: &Item, now: i64) -> bool {
    table.ttl.and_then(|attr| item.get(attr)).and_then(Value::as_i64).is_some_and(|at| at <= now)
}

/// Checks conditions against the current live item (used by backends that
/// evaluate conditions themselves).
pub fn conds_hold(conds: &[Cond], item: Option<&Item>) -> bool {
    conds.iter().all(|cond| match cond {
        Cond::NotExists => item.is_none(),
        Cond::Exists => item.is_some(),
        Cond::Equals(attr, value) => item.and_then(|i| i.get(attr)) == Some(value),
        Cond::Absent(attr) => item.and_then(|i| i.get(attr)).is_none(),
        Cond::AtMost(attr, max) => {
            let current = item.and_then(|i| i.get(attr)).map_or(Some(0), Value::as_i64);
            current.is_some_and(|c| c <= *max)
        }
        Cond::AtLeast(attr, min) => item.and_then(|i| i.get(attr)).and_then(Value::as_i64).is_some_and(|c| c >= *min),
    })
}

/// Applies an update to an item in memory (used by backends that apply
/// updates themselves). A counter that is not a number is an error, as in DynamoDB.
pub fn apply_update(key: &Key, item: Option<Item>, update: &Update) -> StoreResult<Item> {
    let mut item = item.unwrap_or_default();
    item.insert(PK.into(), Value::String(key.pk.clone()));
    item.insert(SK.into(), Value::String(key.sk.clone()));
    for (attr, value) in &update.set {
        item.insert(attr.clone(), value.clone());
    }
    for (attr, delta) in &update.add {
        let current = match item.get(attr) {
            None => 0,
            Some(v) => v.as_i64().ok_or_else(|| StoreError::Invalid(format!("attribute {attr} is not an integer")))?,
        };
        item.insert(attr.clone(), Value::from(current + delta));
    }
    for attr in &update.remove {
        item.remove(attr);
    }
    Ok(item)
}

/// Rejects updates that touch key attributes, which neither backend allows.
pub fn check_update(update: &Update) -> StoreResult<()> {
    let touched = update.set.iter().map(|(a, _)| a).chain(update.add.iter().map(|(a, _)| a)).chain(&update.remove);
    for attr in touched {
        if attr == PK || attr == SK {
            return Err(StoreError::Invalid(format!("update may not change key attribute {attr}")));
        }
    }
    Ok(())
}

/// The most writes one transaction may hold (DynamoDB's limit).
pub const MAX_TRANSACTION_WRITES: usize = 100;

/// Rejects transactions DynamoDB would reject, so both backends agree:
/// none or too many writes, or two writes to one item.
pub fn check_writes(writes: &[Write]) -> StoreResult<()> {
    if writes.is_empty() || writes.len() > MAX_TRANSACTION_WRITES {
        return Err(StoreError::Invalid(format!("a transaction holds 1 to {MAX_TRANSACTION_WRITES} writes")));
    }
    let mut seen = std::collections::HashSet::new();
    for w in writes {
        let (table, key) = w.target()?;
        if !seen.insert((table.name, key)) {
            return Err(StoreError::Invalid("a transaction may touch each item once".into()));
        }
        if let Write::Update { update, .. } = w {
            check_update(update)?;
        }
    }
    Ok(())
}

impl Write {
    /// The table and key this write touches.
    pub fn target(&self) -> StoreResult<(&'static TableDef, Key)> {
        Ok(match self {
            Write::Put { table, item, .. } => (*table, key_of(item)?),
            Write::Update { table, key, .. } | Write::Delete { table, key, .. } | Write::Check { table, key, .. } => {
                (*table, key.clone())
            }
        })
    }

    pub fn conds(&self) -> &[Cond] {
        match self {
            Write::Put { conds, .. }
            | Write::Update { conds, .. }
            | Write::Delete { conds, .. }
            | Write::Check { conds, .. } => conds,
        }
    }
}
