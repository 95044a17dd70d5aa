//! The store's operations in SQL: one table per table definition, each item
//! stored whole as JSON beside the columns queries read (key, TTL, index keys).

use std::path::Path;
use std::time::Duration;

use rusqlite::{CachedStatement, Connection, OptionalExtension, params_from_iter, types::Value as Sql};
use serde_json::Value;

use paas_core::store::{
    Item, Key, Page, Query, SortRange, StoreError, StoreResult, TableDef, Write, apply_update, conds_hold, is_expired,
    key_of, now_epoch,
};

/// A connection in WAL mode, which lets readers read while one writer writes.
/// `synchronous = NORMAL`: a commit survives a crash of this process; only a
/// power loss can take the last ones back.
pub(crate) fn connect(path: &Path) -> StoreResult<Connection> {
    let conn = Connection::open(path).map_err(StoreError::backend)?;
    conn.pragma_update(None, "journal_mode", "WAL").map_err(StoreError::backend)?;
    conn.pragma_update(None, "synchronous", "NORMAL").map_err(StoreError::backend)?;
    // Other processes (an operator command) may hold the write lock for a moment.
    conn.busy_timeout(Duration::from_secs(10)).map_err(StoreError::backend)?;
    // Every table's read, write and delete, and the usual queries.
    conn.set_prepared_statement_cache_capacity(128);
    Ok(conn)
}

/// A statement compiled once per connection: a turn's reads and writes repeat the same few.
fn cached<'c>(conn: &'c Connection, sql: &str) -> StoreResult<CachedStatement<'c>> {
    conn.prepare_cached(sql).map_err(StoreError::backend)
}

/// A connection that refuses to write.
pub(crate) fn connect_reader(path: &Path) -> StoreResult<Connection> {
    let conn = connect(path)?;
    conn.pragma_update(None, "query_only", true).map_err(StoreError::backend)?;
    Ok(conn)
}

pub(crate) fn schema(table: &TableDef) -> String {
    let name = table.name;
    let mut columns = String::from("pk TEXT NOT NULL, sk TEXT NOT NULL, item TEXT NOT NULL, expires_at INTEGER");
    let mut indexes = String::new();
    for (i, index) in table.indexes.iter().enumerate() {
        columns.push_str(&format!(", ix{i}_pk TEXT, ix{i}_sk TEXT"));
        indexes.push_str(&format!(
            "CREATE INDEX IF NOT EXISTS \"{name}__{}\" ON \"{name}\" (ix{i}_pk, ix{i}_sk, pk, sk) WHERE ix{i}_pk IS NOT NULL;\n",
            index.name
        ));
    }
    format!("CREATE TABLE IF NOT EXISTS \"{name}\" ({columns}, PRIMARY KEY (pk, sk)) WITHOUT ROWID;\n{indexes}")
}

/// Reads the live item under a key; an expired one reads as missing.
pub(crate) fn read(conn: &Connection, table: &TableDef, key: &Key) -> StoreResult<Option<Item>> {
    let sql = format!("SELECT item FROM \"{}\" WHERE pk = ?1 AND sk = ?2", table.name);
    let text: Option<String> =
        cached(conn, &sql)?.query_row([&key.pk, &key.sk], |row| row.get(0)).optional().map_err(StoreError::backend)?;
    let Some(text) = text else { return Ok(None) };
    let item = parse(&text)?;
    Ok((!is_expired(table, &item, now_epoch())).then_some(item))
}

fn parse(text: &str) -> StoreResult<Item> {
    serde_json::from_str(text).map_err(StoreError::backend)
}

/// Writes a whole item with the columns derived from it.
fn write(conn: &Connection, table: &TableDef, item: &Item) -> StoreResult<()> {
    let key = key_of(item)?;
    let mut names = vec!["pk".to_owned(), "sk".into(), "item".into(), "expires_at".into()];
    let mut values = vec![
        Sql::Text(key.pk),
        Sql::Text(key.sk),
        Sql::Text(Value::Object(item.clone()).to_string()),
        table.ttl.and_then(|a| item.get(a)).and_then(Value::as_i64).map_or(Sql::Null, Sql::Integer),
    ];
    for (i, index) in table.indexes.iter().enumerate() {
        // Like a DynamoDB index, an item is in it only when it has every index key.
        let pk = item.get(index.pk).and_then(Value::as_str);
        let sk = match index.sk {
            Some(attr) => item.get(attr).and_then(Value::as_str),
            None => Some(""),
        };
        let (pk, sk) = match (pk, sk) {
            (Some(pk), Some(sk)) => (Sql::Text(pk.into()), Sql::Text(sk.into())),
            _ => (Sql::Null, Sql::Null),
        };
        names.extend([format!("ix{i}_pk"), format!("ix{i}_sk")]);
        values.extend([pk, sk]);
    }
    let placeholders = (1..=values.len()).map(|n| format!("?{n}")).collect::<Vec<_>>().join(", ");
    let sql = format!("INSERT OR REPLACE INTO \"{}\" ({}) VALUES ({placeholders})", table.name, names.join(", "));
    cached(conn, &sql)?.execute(params_from_iter(values)).map_err(StoreError::backend)?;
    Ok(())
}

fn remove(conn: &Connection, table: &TableDef, key: &Key) -> StoreResult<()> {
    let sql = format!("DELETE FROM \"{}\" WHERE pk = ?1 AND sk = ?2", table.name);
    cached(conn, &sql)?.execute([&key.pk, &key.sk]).map_err(StoreError::backend)?;
    Ok(())
}

/// Applies one write inside an open transaction, checking its conditions first.
fn apply(conn: &Connection, write_op: &Write) -> StoreResult<Option<Item>> {
    let (table, key) = write_op.target()?;
    let current = read(conn, table, &key)?;
    if !conds_hold(write_op.conds(), current.as_ref()) {
        return Err(StoreError::ConditionFailed { write: None });
    }
    match write_op {
        Write::Put { item, .. } => write(conn, table, item).map(|()| None),
        Write::Update { update, .. } => {
            let updated = apply_update(&key, current, update)?;
            write(conn, table, &updated)?;
            Ok(Some(updated))
        }
        Write::Delete { .. } => {
            remove(conn, table, &key)?;
            Ok(current)
        }
        Write::Check { .. } => Ok(None),
    }
}

/// Applies writes inside the caller's open transaction or savepoint, which
/// the caller rolls back on an error. A failed condition names its write
/// only for callers of `transact`, as DynamoDB does.
pub(crate) fn apply_all(conn: &Connection, writes: &[Write], transact: bool) -> StoreResult<Vec<Option<Item>>> {
    let mut results = Vec::with_capacity(writes.len());
    for (i, w) in writes.iter().enumerate() {
        match apply(conn, w) {
            Ok(result) => results.push(result),
            Err(StoreError::ConditionFailed { .. }) if transact => {
                return Err(StoreError::ConditionFailed { write: Some(i) });
            }
            Err(err) => return Err(err),
        }
    }
    Ok(results)
}

pub(crate) fn run_query(conn: &Connection, query: &Query) -> StoreResult<Page> {
    let position = query.index.map(|index| query.table.indexes.iter().position(|i| std::ptr::eq(i, index)));
    let (pk_col, sk_col) = match position {
        Some(Some(i)) => (format!("ix{i}_pk"), format!("ix{i}_sk")),
        Some(None) => unreachable!("Query::check rejects foreign indexes"),
        None => ("pk".into(), "sk".into()),
    };
    let mut sql = format!("SELECT item FROM \"{}\" WHERE {pk_col} = ?", query.table.name);
    let mut args = vec![Sql::Text(query.partition.clone())];
    match &query.range {
        SortRange::All => {}
        SortRange::Prefix(prefix) => {
            sql.push_str(&format!(" AND {sk_col} >= ? AND substr({sk_col}, 1, length(?)) = ?"));
            args.extend([Sql::Text(prefix.clone()), Sql::Text(prefix.clone()), Sql::Text(prefix.clone())]);
        }
        SortRange::Between(low, high) => {
            sql.push_str(&format!(" AND {sk_col} BETWEEN ? AND ?"));
            args.extend([Sql::Text(low.clone()), Sql::Text(high.clone())]);
        }
        SortRange::From(low) => {
            sql.push_str(&format!(" AND {sk_col} >= ?"));
            args.push(Sql::Text(low.clone()));
        }
        SortRange::To(high) => {
            sql.push_str(&format!(" AND {sk_col} <= ?"));
            args.push(Sql::Text(high.clone()));
        }
    }
    sql.push_str(" AND (expires_at IS NULL OR expires_at > ?)");
    args.push(Sql::Integer(now_epoch()));
    let (cmp, order) = if query.forward { (">", "ASC") } else { ("<", "DESC") };
    if let Some(cursor) = &query.cursor {
        let at = |attr: &str| Sql::Text(cursor.get(attr).unwrap_or_default().to_owned());
        match query.index {
            None => {
                sql.push_str(&format!(" AND sk {cmp} ?"));
                args.push(at("sk"));
            }
            Some(index) => {
                sql.push_str(&format!(" AND ({sk_col}, pk, sk) {cmp} (?, ?, ?)"));
                args.extend([index.sk.map_or(Sql::Text(String::new()), at), at("pk"), at("sk")]);
            }
        }
    }
    match query.index {
        None => sql.push_str(&format!(" ORDER BY sk {order}")),
        Some(_) => sql.push_str(&format!(" ORDER BY {sk_col} {order}, pk {order}, sk {order}")),
    }
    sql.push_str(&format!(" LIMIT {}", query.limit + 1));

    let mut stmt = cached(conn, &sql)?;
    let texts = stmt
        .query_map(params_from_iter(args), |row| row.get::<_, String>(0))
        .map_err(StoreError::backend)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(StoreError::backend)?;
    let items = texts.iter().map(|t| parse(t)).collect::<StoreResult<Vec<_>>>()?;
    Ok(Page::from_one_extra(items, query))
}
