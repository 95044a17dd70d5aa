//! The DynamoDB backend (`aws-sdk-dynamodb`; the endpoint is configurable, so
//! it runs against DynamoDB Local or an emulator too). Items convert with
//! `serde_dynamo`; conditions become condition expressions.
//!
//! DynamoDB deletes items past their TTL only eventually, so this backend
//! makes them read as missing itself: reads drop them, and every write on a
//! table with a TTL also requires the item to be missing or live. When that
//! fails on an expired item, the item is deleted and the write tried again.

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::{
    delete_item::DeleteItemError, put_item::PutItemError, transact_write_items::TransactWriteItemsError,
    update_item::UpdateItemError,
};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, ConditionCheck, Delete, GlobalSecondaryIndex, KeySchemaElement,
    KeyType, Projection, ProjectionType, Put, ReturnValue, ReturnValuesOnConditionCheckFailure, ScalarAttributeType,
    TimeToLiveSpecification, TransactWriteItem, Update as UpdateItem,
};

use super::{
    Cond, Item, Key, PK, Page, Query, SK, SortRange, Store, StoreError, StoreResult, TableDef, Update, Write,
    check_update, check_writes, is_expired, now_epoch,
};

type Attrs = HashMap<String, AttributeValue>;

/// How often a write is tried again after clearing an expired item or losing
/// a transaction conflict.
const ATTEMPTS: u32 = 5;
/// Transactions on a busy tenant's counters (concurrent turns starting
/// together) conflict often; they retry longer, with jitter so that the
/// losers of one conflict do not collide again.
const TRANSACT_ATTEMPTS: u32 = 8;

/// Full jitter: uniform in [0, 10 ms × 2^attempt], at most about 1.3 s.
fn conflict_pause(attempt: u32) -> Duration {
    let mut bytes = [0u8; 2];
    let _ = crate::random::fill(&mut bytes);
    let ceiling = 10u64 << attempt.min(7);
    Duration::from_millis(u64::from(u16::from_le_bytes(bytes)) * ceiling / u64::from(u16::MAX))
}

#[derive(Clone)]
pub struct DynamoStore {
    client: Client,
    prefix: String,
}

impl DynamoStore {
    /// `prefix` is prepended to every table's logical name.
    pub fn new(client: Client, prefix: impl Into<String>) -> Self {
        Self { client, prefix: prefix.into() }
    }

    fn table_name(&self, table: &TableDef) -> String {
        format!("{}{}", self.prefix, table.name)
    }

    /// Creates the tables (on-demand billing, whole-item index projections,
    /// TTL on) unless they exist; for emulators and DynamoDB Local.
    pub async fn create_tables(&self, tables: &[&TableDef]) -> StoreResult<()> {
        for table in tables {
            let name = self.table_name(table);
            let mut attrs = vec![PK, SK];
            let mut request = self
                .client
                .create_table()
                .table_name(&name)
                .billing_mode(BillingMode::PayPerRequest)
                .key_schema(key_element(PK, KeyType::Hash))
                .key_schema(key_element(SK, KeyType::Range));
            for index in table.indexes {
                let mut gsi = GlobalSecondaryIndex::builder()
                    .index_name(index.name)
                    .key_schema(key_element(index.pk, KeyType::Hash))
                    .projection(Projection::builder().projection_type(ProjectionType::All).build());
                attrs.push(index.pk);
                if let Some(sk) = index.sk {
                    gsi = gsi.key_schema(key_element(sk, KeyType::Range));
                    attrs.push(sk);
                }
                request = request.global_secondary_indexes(gsi.build().map_err(StoreError::backend)?);
            }
            attrs.sort_unstable();
            attrs.dedup();
            for attr in attrs {
                let def = AttributeDefinition::builder()
                    .attribute_name(attr)
                    .attribute_type(ScalarAttributeType::S)
                    .build()
                    .map_err(StoreError::backend)?;
                request = request.attribute_definitions(def);
            }
            match request.send().await {
                Ok(_) => {}
                Err(err) if err.as_service_error().is_some_and(|e| e.is_resource_in_use_exception()) => continue,
                Err(err) => return Err(StoreError::backend(err)),
            }
            if let Some(ttl) = table.ttl {
                let spec = TimeToLiveSpecification::builder()
                    .attribute_name(ttl)
                    .enabled(true)
                    .build()
                    .map_err(StoreError::backend)?;
                self.client
                    .update_time_to_live()
                    .table_name(&name)
                    .time_to_live_specification(spec)
                    .send()
                    .await
                    .map_err(StoreError::backend)?;
            }
        }
        Ok(())
    }

    /// Deletes the tables; for test clean-up.
    pub async fn delete_tables(&self, tables: &[&TableDef]) -> StoreResult<()> {
        for table in tables {
            let result = self.client.delete_table().table_name(self.table_name(table)).send().await;
            if let Err(err) = result
                && !err.as_service_error().is_some_and(|e| e.is_resource_not_found_exception())
            {
                return Err(StoreError::backend(err));
            }
        }
        Ok(())
    }

    /// Deletes an item only while it is still expired.
    async fn clear_expired(&self, table: &TableDef, key: &Key) -> StoreResult<()> {
        let Some(ttl) = table.ttl else { return Ok(()) };
        let result = self
            .client
            .delete_item()
            .table_name(self.table_name(table))
            .set_key(Some(key_attrs(key)))
            .condition_expression("#t <= :now")
            .expression_attribute_names("#t", ttl)
            .expression_attribute_values(":now", AttributeValue::N(now_epoch().to_string()))
            .send()
            .await;
        match result {
            Err(err) if !err.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => {
                Err(StoreError::backend(err))
            }
            _ => Ok(()),
        }
    }

    /// Runs a single-item write; when its condition failed only because an
    /// expired item stood in the way, deletes that item and tries again.
    async fn single_write<F, Fut>(&self, table: &TableDef, key: &Key, mut send: F) -> StoreResult<Option<Attrs>>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<Option<Attrs>, WriteFailure>>,
    {
        for _ in 0..ATTEMPTS {
            match send().await {
                Ok(attrs) => return Ok(attrs),
                Err(WriteFailure::Condition(old)) => {
                    let expired =
                        old.map(from_attrs).transpose()?.is_some_and(|old| is_expired(table, &old, now_epoch()));
                    if !expired {
                        return Err(StoreError::ConditionFailed { write: None });
                    }
                    self.clear_expired(table, key).await?;
                }
                Err(WriteFailure::Store(err)) => return Err(err),
            }
        }
        Err(StoreError::backend(anyhow::anyhow!("write kept racing an expired item")))
    }
}

fn key_element(attr: &str, key_type: KeyType) -> KeySchemaElement {
    KeySchemaElement::builder().attribute_name(attr).key_type(key_type).build().expect("name and key type are set")
}

fn key_attrs(key: &Key) -> Attrs {
    HashMap::from([
        (PK.to_owned(), AttributeValue::S(key.pk.clone())),
        (SK.to_owned(), AttributeValue::S(key.sk.clone())),
    ])
}

fn to_attrs(item: &Item) -> StoreResult<Attrs> {
    serde_dynamo::to_item(item).map_err(StoreError::backend)
}

fn from_attrs(attrs: Attrs) -> StoreResult<Item> {
    serde_dynamo::from_item(attrs).map_err(StoreError::backend)
}

fn to_value(value: &serde_json::Value) -> StoreResult<AttributeValue> {
    serde_dynamo::to_attribute_value(value).map_err(StoreError::backend)
}

/// Placeholders for one request's expressions.
#[derive(Default)]
struct Expr {
    names: HashMap<String, String>,
    values: Attrs,
}

impl Expr {
    fn name(&mut self, attr: &str) -> String {
        if let Some((placeholder, _)) = self.names.iter().find(|(_, a)| *a == attr) {
            return placeholder.clone();
        }
        let placeholder = format!("#n{}", self.names.len());
        self.names.insert(placeholder.clone(), attr.to_owned());
        placeholder
    }

    fn value(&mut self, value: AttributeValue) -> String {
        let placeholder = format!(":v{}", self.values.len());
        self.values.insert(placeholder.clone(), value);
        placeholder
    }

    fn number(&mut self, n: i64) -> String {
        self.value(AttributeValue::N(n.to_string()))
    }

    /// The condition expression for a write: the item is missing or live
    /// (on tables with a TTL), and every condition holds.
    fn condition(&mut self, table: &TableDef, conds: &[Cond]) -> StoreResult<Option<String>> {
        let mut parts = Vec::new();
        if let Some(ttl) = table.ttl {
            let (pk, ttl, now) = (self.name(PK), self.name(ttl), self.number(now_epoch()));
            // Only a number is a TTL (as for DynamoDB's own expiry and `is_expired`): an item whose
            // attribute of that name holds anything else (an API key's `expires_at: null`) is live.
            let number = self.value(AttributeValue::S("N".into()));
            parts.push(format!(
                "(attribute_not_exists({pk}) OR attribute_not_exists({ttl}) OR NOT attribute_type({ttl}, {number}) OR {ttl} > {now})"
            ));
        }
        for cond in conds {
            parts.push(match cond {
                Cond::NotExists => format!("attribute_not_exists({})", self.name(PK)),
                Cond::Exists => format!("attribute_exists({})", self.name(PK)),
                Cond::Equals(attr, value) => format!("{} = {}", self.name(attr), self.value(to_value(value)?)),
                Cond::Absent(attr) => format!("attribute_not_exists({})", self.name(attr)),
                // A missing counter counts as 0, which passes only a bound >= 0.
                Cond::AtMost(attr, max) if *max >= 0 => {
                    let (a, m) = (self.name(attr), self.number(*max));
                    format!("(attribute_not_exists({a}) OR {a} <= {m})")
                }
                Cond::AtMost(attr, max) => format!("{} <= {}", self.name(attr), self.number(*max)),
                Cond::AtLeast(attr, min) => format!("{} >= {}", self.name(attr), self.number(*min)),
            });
        }
        Ok((!parts.is_empty()).then(|| parts.join(" AND ")))
    }

    fn update(&mut self, update: &Update) -> StoreResult<String> {
        let mut clauses = Vec::new();
        if !update.set.is_empty() {
            let sets = update
                .set
                .iter()
                .map(|(attr, value)| Ok(format!("{} = {}", self.name(attr), self.value(to_value(value)?))))
                .collect::<StoreResult<Vec<_>>>()?;
            clauses.push(format!("SET {}", sets.join(", ")));
        }
        if !update.add.is_empty() {
            let adds: Vec<_> =
                update.add.iter().map(|(attr, delta)| format!("{} {}", self.name(attr), self.number(*delta))).collect();
            clauses.push(format!("ADD {}", adds.join(", ")));
        }
        if !update.remove.is_empty() {
            let removes: Vec<_> = update.remove.iter().map(|attr| self.name(attr)).collect();
            clauses.push(format!("REMOVE {}", removes.join(", ")));
        }
        if clauses.is_empty() {
            // DynamoDB needs an expression; rewriting the key creates a missing item as SQLite does.
            clauses.push(format!("SET {} = {}", self.name(SK), self.name(SK)));
        }
        Ok(clauses.join(" "))
    }

    fn names(&self) -> Option<HashMap<String, String>> {
        (!self.names.is_empty()).then(|| self.names.clone())
    }

    fn values(&self) -> Option<Attrs> {
        (!self.values.is_empty()).then(|| self.values.clone())
    }
}

/// Why a single-item write failed: its condition (with the item that stood
/// there, if DynamoDB returned it), or anything else.
enum WriteFailure {
    Condition(Option<Attrs>),
    Store(StoreError),
}

impl From<StoreError> for WriteFailure {
    fn from(err: StoreError) -> Self {
        Self::Store(err)
    }
}

/// Sorts an SDK error: `old` answers the returned item when the error is a
/// failed condition, and `None` for every other error.
fn write_failure<E>(err: SdkError<E>, old: impl Fn(&E) -> Option<Option<Attrs>>) -> WriteFailure
where
    E: std::error::Error + Send + Sync + 'static,
{
    match err.as_service_error().and_then(old) {
        Some(item) => WriteFailure::Condition(item),
        None => WriteFailure::Store(StoreError::backend(err)),
    }
}

#[async_trait]
impl Store for DynamoStore {
    async fn get(&self, table: &'static TableDef, key: &Key) -> StoreResult<Option<Item>> {
        let output = self
            .client
            .get_item()
            .table_name(self.table_name(table))
            .set_key(Some(key_attrs(key)))
            .consistent_read(true)
            .send()
            .await
            .map_err(StoreError::backend)?;
        let item = output.item.map(from_attrs).transpose()?;
        Ok(item.filter(|item| !is_expired(table, item, now_epoch())))
    }

    async fn put(&self, table: &'static TableDef, item: Item, conds: &[Cond]) -> StoreResult<()> {
        let key = super::key_of(&item)?;
        let attrs = to_attrs(&item)?;
        self.single_write(table, &key, || async {
            let mut expr = Expr::default();
            let condition = expr.condition(table, conds)?;
            let result = self
                .client
                .put_item()
                .table_name(self.table_name(table))
                .set_item(Some(attrs.clone()))
                .set_condition_expression(condition)
                .set_expression_attribute_names(expr.names())
                .set_expression_attribute_values(expr.values())
                .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
                .send()
                .await;
            result.map(|_| None).map_err(|err| {
                write_failure(err, |e| match e {
                    PutItemError::ConditionalCheckFailedException(c) => Some(c.item.clone()),
                    _ => None,
                })
            })
        })
        .await
        .map(drop)
    }

    async fn update(&self, table: &'static TableDef, key: &Key, update: &Update, conds: &[Cond]) -> StoreResult<Item> {
        check_update(update)?;
        let attrs = self
            .single_write(table, key, || async {
                let mut expr = Expr::default();
                let update_expr = expr.update(update)?;
                let condition = expr.condition(table, conds)?;
                let result = self
                    .client
                    .update_item()
                    .table_name(self.table_name(table))
                    .set_key(Some(key_attrs(key)))
                    .update_expression(update_expr)
                    .set_condition_expression(condition)
                    .set_expression_attribute_names(expr.names())
                    .set_expression_attribute_values(expr.values())
                    .return_values(ReturnValue::AllNew)
                    .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
                    .send()
                    .await;
                result.map(|out| out.attributes).map_err(|err| {
                    write_failure(err, |e| match e {
                        UpdateItemError::ConditionalCheckFailedException(c) => Some(c.item.clone()),
                        _ => None,
                    })
                })
            })
            .await?;
        from_attrs(attrs.ok_or_else(|| StoreError::backend(anyhow::anyhow!("update answered no item")))?)
    }

    async fn delete(&self, table: &'static TableDef, key: &Key, conds: &[Cond]) -> StoreResult<Option<Item>> {
        let old = self
            .single_write(table, key, || async {
                let mut expr = Expr::default();
                let condition = expr.condition(table, conds)?;
                let result = self
                    .client
                    .delete_item()
                    .table_name(self.table_name(table))
                    .set_key(Some(key_attrs(key)))
                    .set_condition_expression(condition)
                    .set_expression_attribute_names(expr.names())
                    .set_expression_attribute_values(expr.values())
                    .return_values(ReturnValue::AllOld)
                    .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
                    .send()
                    .await;
                result.map(|out| out.attributes).map_err(|err| {
                    write_failure(err, |e| match e {
                        DeleteItemError::ConditionalCheckFailedException(c) => Some(c.item.clone()),
                        _ => None,
                    })
                })
            })
            .await?;
        Ok(old.map(from_attrs).transpose()?.filter(|item| !is_expired(table, item, now_epoch())))
    }

    async fn query(&self, query: &Query) -> StoreResult<Page> {
        query.check()?;
        let (pk_attr, sk_attr) = query.key_attrs();
        let mut expr = Expr::default();
        let mut key_condition =
            format!("{} = {}", expr.name(pk_attr), expr.value(AttributeValue::S(query.partition.clone())));
        if let Some(sk_attr) = sk_attr.filter(|_| query.range != SortRange::All) {
            let s = expr.name(sk_attr);
            let mut v = |text: &String| expr.value(AttributeValue::S(text.clone()));
            match &query.range {
                SortRange::All => {}
                SortRange::Prefix(p) => key_condition.push_str(&format!(" AND begins_with({s}, {})", v(p))),
                SortRange::Between(a, b) => {
                    let (a, b) = (v(a), v(b));
                    key_condition.push_str(&format!(" AND {s} BETWEEN {a} AND {b}"))
                }
                SortRange::From(a) => key_condition.push_str(&format!(" AND {s} >= {}", v(a))),
                SortRange::To(b) => key_condition.push_str(&format!(" AND {s} <= {}", v(b))),
            }
        }
        let now = now_epoch();
        let mut start: Option<Attrs> =
            query.cursor.as_ref().map(|c| c.0.iter().map(|(k, v)| (k.clone(), AttributeValue::S(v.clone()))).collect());
        let mut items = Vec::new();
        // Expired items are dropped here, so a page may need several reads to fill.
        loop {
            let output = self
                .client
                .query()
                .table_name(self.table_name(query.table))
                .set_index_name(query.index.map(|i| i.name.to_owned()))
                .key_condition_expression(&key_condition)
                .set_expression_attribute_names(expr.names())
                .set_expression_attribute_values(expr.values())
                .scan_index_forward(query.forward)
                .consistent_read(query.index.is_none())
                .limit(i32::try_from(query.limit + 1 - items.len()).unwrap_or(i32::MAX))
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(StoreError::backend)?;
            for attrs in output.items.unwrap_or_default() {
                let item = from_attrs(attrs)?;
                if !is_expired(query.table, &item, now) {
                    items.push(item);
                }
            }
            start = output.last_evaluated_key;
            if items.len() > query.limit || start.is_none() {
                break;
            }
        }
        Ok(Page::from_one_extra(items, query))
    }

    async fn transact(&self, writes: Vec<Write>) -> StoreResult<()> {
        check_writes(&writes)?;
        for attempt in 0..TRANSACT_ATTEMPTS {
            let mut request = self.client.transact_write_items();
            for w in &writes {
                request = request.transact_items(self.transact_item(w)?);
            }
            let err = match request.send().await {
                Ok(_) => return Ok(()),
                Err(err) => err,
            };
            let Some(reasons) = err.as_service_error().and_then(|e| match e {
                TransactWriteItemsError::TransactionCanceledException(c) => Some(c.cancellation_reasons().to_vec()),
                _ => None,
            }) else {
                return Err(StoreError::backend(err));
            };
            let mut expired = Vec::new();
            let mut conflict = false;
            for (i, reason) in reasons.iter().enumerate() {
                match reason.code() {
                    Some("ConditionalCheckFailed") => {
                        let (table, key) = writes[i].target()?;
                        match reason.item.clone().map(from_attrs).transpose()? {
                            Some(old) if is_expired(table, &old, now_epoch()) => expired.push((table, key)),
                            _ => return Err(StoreError::ConditionFailed { write: Some(i) }),
                        }
                    }
                    Some("TransactionConflict") => conflict = true,
                    Some("None") | None => {}
                    Some(_) => return Err(StoreError::backend(err)),
                }
            }
            for (table, key) in expired {
                self.clear_expired(table, &key).await?;
            }
            if conflict {
                tokio::time::sleep(conflict_pause(attempt)).await;
            }
        }
        Err(StoreError::backend(anyhow::anyhow!("transaction kept conflicting")))
    }

    fn backend_name(&self) -> &'static str {
        "dynamodb"
    }
}

impl DynamoStore {
    fn transact_item(&self, w: &Write) -> StoreResult<TransactWriteItem> {
        let (table, key) = w.target()?;
        let name = self.table_name(table);
        let mut expr = Expr::default();
        let update_expr = match w {
            Write::Update { update, .. } => Some(expr.update(update)?),
            _ => None,
        };
        let condition = expr.condition(table, w.conds())?;
        let on_fail = ReturnValuesOnConditionCheckFailure::AllOld;
        let item = match w {
            Write::Put { item, .. } => TransactWriteItem::builder().put(
                Put::builder()
                    .table_name(name)
                    .set_item(Some(to_attrs(item)?))
                    .set_condition_expression(condition)
                    .set_expression_attribute_names(expr.names())
                    .set_expression_attribute_values(expr.values())
                    .return_values_on_condition_check_failure(on_fail)
                    .build()
                    .map_err(StoreError::backend)?,
            ),
            Write::Update { .. } => TransactWriteItem::builder().update(
                UpdateItem::builder()
                    .table_name(name)
                    .set_key(Some(key_attrs(&key)))
                    .set_update_expression(update_expr)
                    .set_condition_expression(condition)
                    .set_expression_attribute_names(expr.names())
                    .set_expression_attribute_values(expr.values())
                    .return_values_on_condition_check_failure(on_fail)
                    .build()
                    .map_err(StoreError::backend)?,
            ),
            Write::Delete { .. } => TransactWriteItem::builder().delete(
                Delete::builder()
                    .table_name(name)
                    .set_key(Some(key_attrs(&key)))
                    .set_condition_expression(condition)
                    .set_expression_attribute_names(expr.names())
                    .set_expression_attribute_values(expr.values())
                    .return_values_on_condition_check_failure(on_fail)
                    .build()
                    .map_err(StoreError::backend)?,
            ),
            Write::Check { .. } => {
                // A check needs some condition; with none, "exists or not" always holds.
                let condition = condition.unwrap_or_else(|| {
                    let pk = expr.name(PK);
                    format!("attribute_exists({pk}) OR attribute_not_exists({pk})")
                });
                TransactWriteItem::builder().condition_check(
                    ConditionCheck::builder()
                        .table_name(name)
                        .set_key(Some(key_attrs(&key)))
                        .condition_expression(condition)
                        .set_expression_attribute_names(expr.names())
                        .set_expression_attribute_values(expr.values())
                        .return_values_on_condition_check_failure(on_fail)
                        .build()
                        .map_err(StoreError::backend)?,
                )
            }
        };
        Ok(item.build())
    }
}
