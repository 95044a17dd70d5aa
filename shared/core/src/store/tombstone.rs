//! Deletion that completes. A record with children (a session and its
//! messages, a tenant and everything it owns) is deleted in three steps:
//! it is marked `deleting` (a tombstone: it reads as missing to everyone),
//! its children are deleted, and the record itself goes last. Whichever step
//! fails, the record is still there to say what remains, so a retry resumes
//! where the failure stopped it. Writes that add children are conditional on
//! [`live`], so nothing written after the mark can outlive the record.

use serde_json::Value;

use super::{Cond, Item, Key, Store, StoreResult, TableDef, Update, Write};

/// The attribute that marks a record being deleted (when it was marked).
pub const ATTR: &str = "deleting";

/// The conditions on a record whose children a write adds to: it exists and is not being deleted.
pub fn live() -> Vec<Cond> {
    vec![Cond::Exists, Cond::Absent(ATTR.into())]
}

/// A transaction's write that only checks the record is [`live`].
pub fn check_live(table: &'static TableDef, key: Key) -> Write {
    Write::Check { table, key, conds: live() }
}

/// Whether a stored record is being deleted.
pub fn is_marked(item: &Item) -> bool {
    item.contains_key(ATTR)
}

/// The record as everyone but its deletion sees it: missing once marked.
pub fn unless_marked(item: Option<Item>) -> Option<Item> {
    item.filter(|item| !is_marked(item))
}

/// Marks a record as being deleted (again, on a retry); answers false when it is already gone.
pub async fn mark(store: &dyn Store, table: &'static TableDef, key: &Key) -> StoreResult<bool> {
    let update = Update::default().set(ATTR, Value::String(chrono::Utc::now().to_rfc3339()));
    match store.update(table, key, &update, &[Cond::Exists]).await {
        Ok(_) => Ok(true),
        Err(err) if err.is_condition_failed() => Ok(false),
        Err(err) => Err(err),
    }
}
