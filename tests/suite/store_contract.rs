//! The store contract: the same cases against SQLite and the DynamoDB
//! emulator. Test names read `store_contract::<backend>::<case>`.

use std::collections::HashSet;

use paas_core::store::{
    Cond, Cursor, DynStore, Item, Key, Query, SortRange, StoreError, Update, Write, from_item, now_epoch, to_item,
};
use serde_json::{Value, json};

use crate::support::CONTRACT;

fn item(pk: &str, sk: &str, data: Value) -> Item {
    to_item(&Key::new(pk, sk), &data).unwrap()
}

fn sks(items: &[Item]) -> Vec<String> {
    items.iter().map(|i| i["sk"].as_str().unwrap().to_owned()).collect()
}

/// Reads every page of a query, checking each page's size.
async fn all_pages(store: &DynStore, query: Query) -> (Vec<Item>, usize) {
    let (mut items, mut pages, mut cursor) = (Vec::new(), 0, None);
    loop {
        let page = store.query(&query.clone().after(cursor)).await.unwrap();
        assert!(page.items.len() <= query.limit, "a page holds at most `limit` items");
        pages += 1;
        items.extend(page.items);
        match page.next {
            Some(next) => cursor = Some(Cursor::decode(&next.encode()).unwrap()),
            None => return (items, pages),
        }
        assert!(pages < 100, "pagination does not end");
    }
}

pub async fn get_missing_is_none(store: DynStore) {
    assert!(store.get(&CONTRACT, &Key::new("t1", "nothing")).await.unwrap().is_none());
}

pub async fn put_then_get_round_trips_values(store: DynStore) {
    let data = json!({"name": "Ada", "count": 42, "ratio": 0.5, "negative": -7, "on": true, "none": null,
        "tags": ["a", "b"], "nested": {"deep": {"n": 1}}, "empty": ""});
    store.put(&CONTRACT, item("t1", "a", data.clone()), &[]).await.unwrap();
    let got = store.get(&CONTRACT, &Key::new("t1", "a")).await.unwrap().unwrap();
    assert_eq!(got, item("t1", "a", data));
    #[derive(serde::Deserialize)]
    struct Typed {
        name: String,
        count: u32,
    }
    let typed: Typed = from_item(got).unwrap();
    assert_eq!((typed.name.as_str(), typed.count), ("Ada", 42));
}

pub async fn put_if_not_exists_refuses_a_second_put(store: DynStore) {
    store.put(&CONTRACT, item("t1", "a", json!({"v": 1})), &[Cond::NotExists]).await.unwrap();
    let err = store.put(&CONTRACT, item("t1", "a", json!({"v": 2})), &[Cond::NotExists]).await.unwrap_err();
    assert!(err.is_condition_failed(), "{err:?}");
    let kept = store.get(&CONTRACT, &Key::new("t1", "a")).await.unwrap().unwrap();
    assert_eq!(kept["v"], 1, "a failed put changes nothing");
}

pub async fn put_with_version_match_is_optimistic_locking(store: DynStore) {
    store.put(&CONTRACT, item("t1", "a", json!({"version": 1})), &[]).await.unwrap();
    store.put(&CONTRACT, item("t1", "a", json!({"version": 2})), &[Cond::equals("version", 1)]).await.unwrap();
    let stale = store.put(&CONTRACT, item("t1", "a", json!({"version": 2})), &[Cond::equals("version", 1)]).await;
    assert!(stale.unwrap_err().is_condition_failed());
    let exists = store.put(&CONTRACT, item("t1", "b", json!({})), &[Cond::Exists]).await;
    assert!(exists.unwrap_err().is_condition_failed(), "Exists fails on a missing item");
}

pub async fn absent_holds_until_the_attribute_is_set(store: DynStore) {
    let (key, mark) = (Key::new("t1", "a"), Update::default().set("deleting", "now"));
    let live = [Cond::Exists, Cond::Absent("deleting".into())];
    let refused = store.update(&CONTRACT, &key, &Update::default().add("n", 1), &live).await;
    assert!(refused.unwrap_err().is_condition_failed(), "a missing item is not live");
    store.put(&CONTRACT, item("t1", "a", json!({"n": 0})), &[]).await.unwrap();
    store.update(&CONTRACT, &key, &Update::default().add("n", 1), &live).await.unwrap();
    store.update(&CONTRACT, &key, &mark, &live).await.unwrap();
    let writes = vec![
        Write::Put { table: &CONTRACT, item: item("t1", "child", json!({})), conds: vec![] },
        Write::Check { table: &CONTRACT, key: key.clone(), conds: live.to_vec() },
    ];
    let err = store.transact(writes).await.unwrap_err();
    assert!(matches!(err, StoreError::ConditionFailed { write: Some(1) }), "{err:?}");
    assert!(store.get(&CONTRACT, &Key::new("t1", "child")).await.unwrap().is_none(), "nothing written after the mark");
    assert_eq!(store.get(&CONTRACT, &key).await.unwrap().unwrap()["n"], 1);
}

pub async fn update_sets_adds_removes_and_answers_the_new_item(store: DynStore) {
    store.put(&CONTRACT, item("t1", "a", json!({"name": "x", "gone": 1, "n": 5})), &[]).await.unwrap();
    let update = Update::default().set("name", "y").add("n", 3).add("fresh", 2).remove("gone");
    let after = store.update(&CONTRACT, &Key::new("t1", "a"), &update, &[Cond::Exists]).await.unwrap();
    assert_eq!(after, item("t1", "a", json!({"name": "y", "n": 8, "fresh": 2})));
    assert_eq!(store.get(&CONTRACT, &Key::new("t1", "a")).await.unwrap().unwrap(), after);
}

pub async fn update_creates_a_missing_item_unless_it_must_exist(store: DynStore) {
    let key = Key::new("t1", "counter");
    let must_exist = store.update(&CONTRACT, &key, &Update::default().add("n", 1), &[Cond::Exists]).await;
    assert!(must_exist.unwrap_err().is_condition_failed());
    assert!(store.get(&CONTRACT, &key).await.unwrap().is_none(), "a failed update creates nothing");
    let created = store.update(&CONTRACT, &key, &Update::default().add("n", 1), &[]).await.unwrap();
    assert_eq!(created, item("t1", "counter", json!({"n": 1})));
}

pub async fn update_cannot_change_key_attributes(store: DynStore) {
    let err = store.update(&CONTRACT, &Key::new("t1", "a"), &Update::default().set("sk", "b"), &[]).await;
    assert!(matches!(err, Err(StoreError::Invalid(_))));
}

pub async fn bounded_counter_stops_exactly_at_its_limit_under_50_concurrent_adds(store: DynStore) {
    let key = Key::new("t1", "USAGE#2026-11");
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let (store, key) = (store.clone(), key.clone());
            tokio::spawn(async move {
                let (update, cond) = Update::bounded_add("tokens", 1, 20);
                store.update(&CONTRACT, &key, &update, &[cond]).await
            })
        })
        .collect();
    let mut accepted = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => accepted += 1,
            Err(err) => assert!(err.is_condition_failed(), "only the limit refuses an add: {err:?}"),
        }
    }
    assert_eq!(accepted, 20);
    let counter = store.get(&CONTRACT, &key).await.unwrap().unwrap();
    assert_eq!(counter["tokens"], 20);
}

pub async fn bounded_add_larger_than_the_limit_fails_on_a_missing_counter(store: DynStore) {
    let key = Key::new("t1", "USAGE#2026-12");
    let (update, cond) = Update::bounded_add("tokens", 11, 10);
    assert!(store.update(&CONTRACT, &key, &update, &[cond]).await.unwrap_err().is_condition_failed());
    let (update, cond) = Update::bounded_add("tokens", 10, 10);
    assert_eq!(store.update(&CONTRACT, &key, &update, &[cond]).await.unwrap()["tokens"], 10);
    // Settling a reservation downwards is always allowed.
    let refund = store.update(&CONTRACT, &key, &Update::default().add("tokens", -4), &[]).await.unwrap();
    assert_eq!(refund["tokens"], 6);
}

pub async fn a_floor_holds_under_20_concurrent_takes_and_a_missing_counter_is_below_it(store: DynStore) {
    let key = Key::new("t1", "COUNTS");
    let floor = || vec![Cond::AtLeast("admins".into(), 2)];
    let take = Update::default().add("admins", -1);
    assert!(store.update(&CONTRACT, &key, &take, &floor()).await.unwrap_err().is_condition_failed());
    store.update(&CONTRACT, &key, &Update::default().set("admins", 5), &[]).await.unwrap();
    let takes = (0..20).map(|_| {
        let (store, key, take) = (store.clone(), key.clone(), take.clone());
        tokio::spawn(async move { store.update(&CONTRACT, &key, &take, &floor()).await })
    });
    let mut accepted = 0;
    for task in takes.collect::<Vec<_>>() {
        match task.await.unwrap() {
            Ok(_) => accepted += 1,
            Err(err) => assert!(err.is_condition_failed(), "only the floor refuses a take: {err:?}"),
        }
    }
    assert_eq!(accepted, 4);
    assert_eq!(store.get(&CONTRACT, &key).await.unwrap().unwrap()["admins"], 1);
}

pub async fn delete_answers_the_old_item_and_honours_conditions(store: DynStore) {
    let key = Key::new("t1", "a");
    store.put(&CONTRACT, item("t1", "a", json!({"version": 3})), &[]).await.unwrap();
    let refused = store.delete(&CONTRACT, &key, &[Cond::equals("version", 2)]).await;
    assert!(refused.unwrap_err().is_condition_failed());
    assert!(store.get(&CONTRACT, &key).await.unwrap().is_some(), "a refused delete keeps the item");
    let old = store.delete(&CONTRACT, &key, &[Cond::equals("version", 3)]).await.unwrap();
    assert_eq!(old.unwrap()["version"], 3);
    assert!(store.get(&CONTRACT, &key).await.unwrap().is_none());
    assert!(store.delete(&CONTRACT, &key, &[]).await.unwrap().is_none(), "deleting a missing item is a no-op");
}

pub async fn transaction_applies_every_kind_of_write(store: DynStore) {
    store.put(&CONTRACT, item("t1", "old", json!({})), &[]).await.unwrap();
    store.put(&CONTRACT, item("t1", "guard", json!({"state": "open"})), &[]).await.unwrap();
    store
        .transact(vec![
            Write::Put { table: &CONTRACT, item: item("t1", "new", json!({"v": 1})), conds: vec![Cond::NotExists] },
            Write::Update {
                table: &CONTRACT,
                key: Key::new("t1", "count"),
                update: Update::default().add("n", 5),
                conds: vec![],
            },
            Write::Delete { table: &CONTRACT, key: Key::new("t1", "old"), conds: vec![Cond::Exists] },
            Write::Check { table: &CONTRACT, key: Key::new("t1", "guard"), conds: vec![Cond::equals("state", "open")] },
        ])
        .await
        .unwrap();
    assert!(store.get(&CONTRACT, &Key::new("t1", "new")).await.unwrap().is_some());
    assert_eq!(store.get(&CONTRACT, &Key::new("t1", "count")).await.unwrap().unwrap()["n"], 5);
    assert!(store.get(&CONTRACT, &Key::new("t1", "old")).await.unwrap().is_none());
}

pub async fn transaction_whose_last_write_fails_leaves_nothing_behind(store: DynStore) {
    store.put(&CONTRACT, item("t1", "taken", json!({})), &[]).await.unwrap();
    let err = store
        .transact(vec![
            Write::Put { table: &CONTRACT, item: item("t1", "first", json!({})), conds: vec![Cond::NotExists] },
            Write::Update {
                table: &CONTRACT,
                key: Key::new("t1", "count"),
                update: Update::default().add("n", 1),
                conds: vec![],
            },
            Write::Put { table: &CONTRACT, item: item("t1", "taken", json!({"v": 2})), conds: vec![Cond::NotExists] },
        ])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::ConditionFailed { write: Some(2) }), "{err:?}");
    assert!(store.get(&CONTRACT, &Key::new("t1", "first")).await.unwrap().is_none());
    assert!(store.get(&CONTRACT, &Key::new("t1", "count")).await.unwrap().is_none());
    assert!(store.get(&CONTRACT, &Key::new("t1", "taken")).await.unwrap().unwrap().get("v").is_none());
}

/// Transactions that run at once (SQLite commits them together) stay
/// all-or-nothing one by one: a failing one leaves nothing, the others land whole.
pub async fn concurrent_transactions_fail_or_land_each_on_its_own(store: DynStore) {
    store.put(&CONTRACT, item("t1", "taken", json!({})), &[]).await.unwrap();
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut writes = vec![
                    Write::Put {
                        table: &CONTRACT,
                        item: item("t1", &format!("item-{i:02}"), json!({})),
                        conds: vec![],
                    },
                    Write::Update {
                        table: &CONTRACT,
                        key: Key::new("t1", format!("count-{}", i % 4)),
                        update: Update::default().add("n", 1),
                        conds: vec![],
                    },
                ];
                if i % 2 == 1 {
                    writes.push(Write::Check {
                        table: &CONTRACT,
                        key: Key::new("t1", "taken"),
                        conds: vec![Cond::NotExists],
                    });
                }
                store.transact(writes).await
            })
        })
        .collect();
    for (i, task) in tasks.into_iter().enumerate() {
        let result = task.await.unwrap();
        assert_eq!(result.is_ok(), i % 2 == 0, "transaction {i}: {result:?}");
    }
    for i in 0..40 {
        let found = store.get(&CONTRACT, &Key::new("t1", format!("item-{i:02}"))).await.unwrap();
        assert_eq!(found.is_some(), i % 2 == 0, "item {i}");
    }
    for n in 0..4 {
        let count = store.get(&CONTRACT, &Key::new("t1", format!("count-{n}"))).await.unwrap();
        // Counters 0 and 2 take the even transactions (10 each); 1 and 3 only odd ones, which failed.
        assert_eq!(count.map(|c| c["n"].as_i64().unwrap()), (n % 2 == 0).then_some(10), "counter {n}");
    }
}

pub async fn transaction_may_touch_an_item_only_once(store: DynStore) {
    let err = store
        .transact(vec![
            Write::Put { table: &CONTRACT, item: item("t1", "a", json!({})), conds: vec![] },
            Write::Delete { table: &CONTRACT, key: Key::new("t1", "a"), conds: vec![] },
        ])
        .await;
    assert!(matches!(err, Err(StoreError::Invalid(_))));
}

async fn seed_partition(store: &DynStore, pk: &str, count: usize) -> Vec<String> {
    let mut keys = Vec::new();
    for n in 0..count {
        let sk = format!("msg#{n:03}");
        store.put(&CONTRACT, item(pk, &sk, json!({"n": n})), &[]).await.unwrap();
        keys.push(sk);
    }
    keys
}

pub async fn pagination_returns_every_item_once_in_both_directions(store: DynStore) {
    let keys = seed_partition(&store, "t1#s1", 25).await;
    store.put(&CONTRACT, item("t1#s2", "msg#000", json!({})), &[]).await.unwrap();

    let (forward, pages) = all_pages(&store, Query::partition(&CONTRACT, "t1#s1").limit(7)).await;
    assert_eq!(sks(&forward), keys, "forward: every item once, in order");
    assert_eq!(pages, 4);

    let (backward, _) = all_pages(&store, Query::partition(&CONTRACT, "t1#s1").limit(7).backward()).await;
    let mut reversed = keys.clone();
    reversed.reverse();
    assert_eq!(sks(&backward), reversed, "backward: every item once, newest first");

    let exact = store.query(&Query::partition(&CONTRACT, "t1#s1").limit(25)).await.unwrap();
    assert_eq!((exact.items.len(), exact.next.is_none()), (25, true), "a page that holds the rest has no cursor");
}

pub async fn sort_ranges_select_keys_in_both_directions(store: DynStore) {
    for sk in ["a#1", "a#2", "ab#1", "b#1", "b#2", "c#1"] {
        store.put(&CONTRACT, item("t1", sk, json!({})), &[]).await.unwrap();
    }
    let run = |range: SortRange, forward: bool| {
        let store = store.clone();
        async move {
            let mut query = Query::partition(&CONTRACT, "t1").range(range);
            if !forward {
                query = query.backward();
            }
            sks(&store.query(&query).await.unwrap().items)
        }
    };
    assert_eq!(run(SortRange::Prefix("a#".into()), true).await, ["a#1", "a#2"]);
    assert_eq!(run(SortRange::Prefix("a".into()), false).await, ["ab#1", "a#2", "a#1"]);
    assert_eq!(run(SortRange::Between("a#2".into(), "b#1".into()), true).await, ["a#2", "ab#1", "b#1"]);
    assert_eq!(run(SortRange::From("b#2".into()), true).await, ["b#2", "c#1"]);
    assert_eq!(run(SortRange::To("a#2".into()), false).await, ["a#2", "a#1"]);
    assert_eq!(run(SortRange::All, false).await.len(), 6);
}

pub async fn index_query_pages_through_ties_without_loss(store: DynStore) {
    // Twelve items over three ranks (ties), owned by "ada" in two tenants, plus noise.
    let mut expected = HashSet::new();
    for n in 0..12 {
        let (pk, sk, rank) = (format!("t{}", n % 2), format!("item#{n:02}"), format!("r{}", n % 3));
        store.put(&CONTRACT, item(&pk, &sk, json!({"owner": "ada", "rank": rank})), &[]).await.unwrap();
        expected.insert((pk, sk));
    }
    store.put(&CONTRACT, item("t0", "other", json!({"owner": "bob", "rank": "r0"})), &[]).await.unwrap();
    store.put(&CONTRACT, item("t0", "unindexed", json!({"owner": "ada"})), &[]).await.unwrap();

    let query = Query::partition(&CONTRACT, "ada").index(CONTRACT.index_named("by_owner")).limit(5);
    let (items, _) = all_pages(&store, query.clone()).await;
    let seen: Vec<_> =
        items.iter().map(|i| (i["pk"].as_str().unwrap().to_owned(), i["sk"].as_str().unwrap().to_owned())).collect();
    assert_eq!(seen.len(), 12, "no item repeated or lost: {seen:?}");
    assert_eq!(seen.iter().cloned().collect::<HashSet<_>>(), expected, "only items with every index key");
    let ranks: Vec<_> = items.iter().map(|i| i["rank"].as_str().unwrap().to_owned()).collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "ordered by the index sort key: {ranks:?}");

    let (backward, _) = all_pages(&store, query.clone().backward()).await;
    assert_eq!(backward.len(), 12);
    let r2 = store.query(&query.range(SortRange::Prefix("r2".into()))).await.unwrap();
    assert_eq!(r2.items.len(), 4);
}

pub async fn index_without_sort_key_finds_items(store: DynStore) {
    store.put(&CONTRACT, item("t1", "k1", json!({"tag": "key-abc"})), &[]).await.unwrap();
    store.put(&CONTRACT, item("t2", "k2", json!({"tag": "key-def"})), &[]).await.unwrap();
    let page =
        store.query(&Query::partition(&CONTRACT, "key-def").index(CONTRACT.index_named("by_tag"))).await.unwrap();
    assert_eq!(sks(&page.items), ["k2"]);
    let ranged =
        Query::partition(&CONTRACT, "key-def").index(CONTRACT.index_named("by_tag")).range(SortRange::From("a".into()));
    assert!(matches!(store.query(&ranged).await, Err(StoreError::Invalid(_))));
}

pub async fn expired_items_read_as_missing_everywhere(store: DynStore) {
    let past = now_epoch() - 60;
    let future = now_epoch() + 3600;
    store
        .put(&CONTRACT, item("t1", "gone", json!({"expires_at": past, "owner": "ada", "rank": "r", "n": 7})), &[])
        .await
        .unwrap();
    store
        .put(&CONTRACT, item("t1", "live", json!({"expires_at": future, "owner": "ada", "rank": "r"})), &[])
        .await
        .unwrap();
    let gone = Key::new("t1", "gone");

    assert!(store.get(&CONTRACT, &gone).await.unwrap().is_none(), "get");
    assert!(store.get(&CONTRACT, &Key::new("t1", "live")).await.unwrap().is_some());
    assert_eq!(sks(&store.query(&Query::partition(&CONTRACT, "t1")).await.unwrap().items), ["live"], "query");
    let by_owner = Query::partition(&CONTRACT, "ada").index(CONTRACT.index_named("by_owner"));
    assert_eq!(sks(&store.query(&by_owner).await.unwrap().items), ["live"], "index query");
    assert!(
        store
            .update(&CONTRACT, &gone, &Update::default().set("x", 1), &[Cond::Exists])
            .await
            .unwrap_err()
            .is_condition_failed()
    );
    assert!(store.delete(&CONTRACT, &gone, &[]).await.unwrap().is_none(), "delete answers no live item");

    store.put(&CONTRACT, item("t1", "gone", json!({"expires_at": past, "n": 7})), &[]).await.unwrap();
    let fresh = store.update(&CONTRACT, &gone, &Update::default().add("n", 1), &[]).await.unwrap();
    assert_eq!(fresh, item("t1", "gone", json!({"n": 1})), "an update starts from a missing item");

    store.put(&CONTRACT, item("t1", "gone", json!({"expires_at": past})), &[]).await.unwrap();
    store.put(&CONTRACT, item("t1", "gone", json!({"v": 1})), &[Cond::NotExists]).await.unwrap();
    assert_eq!(store.get(&CONTRACT, &gone).await.unwrap().unwrap()["v"], 1, "put-if-absent over an expired item");

    store.put(&CONTRACT, item("t1", "gone", json!({"expires_at": past})), &[]).await.unwrap();
    store
        .transact(vec![Write::Put {
            table: &CONTRACT,
            item: item("t1", "gone", json!({"v": 2})),
            conds: vec![Cond::NotExists],
        }])
        .await
        .unwrap();
    assert_eq!(store.get(&CONTRACT, &gone).await.unwrap().unwrap()["v"], 2, "transaction over an expired item");
}

/// Only a number in the TTL attribute is a TTL: other values (an API key's
/// `expires_at: null`, a date string) leave the item live for conditional writes too.
pub async fn a_ttl_attribute_that_is_not_a_number_never_expires(store: DynStore) {
    for (sk, value) in [("null", json!(null)), ("date", json!("2020-01-01T00:00:00Z"))] {
        let key = Key::new("t1", sk);
        store.put(&CONTRACT, item("t1", sk, json!({"expires_at": value, "n": 1})), &[]).await.unwrap();
        assert!(store.get(&CONTRACT, &key).await.unwrap().is_some(), "{sk}: read");
        store.update(&CONTRACT, &key, &Update::default().add("n", 1), &[Cond::Exists]).await.unwrap();
        store
            .transact(vec![Write::Delete { table: &CONTRACT, key: key.clone(), conds: vec![Cond::Exists] }])
            .await
            .unwrap();
        assert!(store.get(&CONTRACT, &key).await.unwrap().is_none(), "{sk}: deleted");
    }
}

pub async fn foreign_or_garbled_cursors_are_refused(store: DynStore) {
    seed_partition(&store, "t1#s1", 3).await;
    seed_partition(&store, "t2#s1", 3).await;
    let page = store.query(&Query::partition(&CONTRACT, "t1#s1").limit(1)).await.unwrap();
    let cursor = page.next.unwrap();
    let foreign = store.query(&Query::partition(&CONTRACT, "t2#s1").limit(1).after(Some(cursor))).await;
    assert!(matches!(foreign, Err(StoreError::BadCursor)), "a cursor works only in its own partition");
    let forge = |json: &str| {
        use base64::Engine;
        Cursor::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)).unwrap()
    };
    let query = Query::partition(&CONTRACT, "t1#s1").range(SortRange::Prefix("msg#".into()));
    for tampered in [r#"{"pk":"t1#s1","sk":"msg#001","extra":"x"}"#, r#"{"pk":"t1#s1","sk":"zzz#1"}"#] {
        let result = store.query(&query.clone().after(Some(forge(tampered)))).await;
        assert!(matches!(result, Err(StoreError::BadCursor)), "{tampered}: {result:?}");
    }
    assert!(Cursor::decode("not-a-cursor").is_err());
    assert!(Cursor::decode("e30").is_err(), "an empty object is no cursor");
}

/// Generates one test per case for each backend.
macro_rules! contract {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    let store = crate::support::sqlite();
                    super::$case(store.store.clone()).await;
                }
            )*
        }
        mod dynamodb {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    let store = crate::support::dynamodb().await;
                    super::$case(store.store.clone()).await;
                }
            )*
        }
    };
}

contract!(
    get_missing_is_none,
    put_then_get_round_trips_values,
    put_if_not_exists_refuses_a_second_put,
    put_with_version_match_is_optimistic_locking,
    absent_holds_until_the_attribute_is_set,
    update_sets_adds_removes_and_answers_the_new_item,
    update_creates_a_missing_item_unless_it_must_exist,
    update_cannot_change_key_attributes,
    bounded_counter_stops_exactly_at_its_limit_under_50_concurrent_adds,
    bounded_add_larger_than_the_limit_fails_on_a_missing_counter,
    a_floor_holds_under_20_concurrent_takes_and_a_missing_counter_is_below_it,
    delete_answers_the_old_item_and_honours_conditions,
    transaction_applies_every_kind_of_write,
    transaction_whose_last_write_fails_leaves_nothing_behind,
    transaction_may_touch_an_item_only_once,
    concurrent_transactions_fail_or_land_each_on_its_own,
    pagination_returns_every_item_once_in_both_directions,
    sort_ranges_select_keys_in_both_directions,
    index_query_pages_through_ties_without_loss,
    index_without_sort_key_finds_items,
    expired_items_read_as_missing_everywhere,
    a_ttl_attribute_that_is_not_a_number_never_expires,
    foreign_or_garbled_cursors_are_refused,
);

#[tokio::test]
async fn sqlite_data_survives_reopening_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite3");
    let tables = [&CONTRACT];
    {
        let store = paas_store_sqlite::SqliteStore::open(&path, &tables).unwrap();
        paas_core::store::Store::put(&store, &CONTRACT, item("t1", "a", json!({"v": 1})), &[]).await.unwrap();
    }
    let reopened = paas_store_sqlite::SqliteStore::open(&path, &tables).unwrap();
    let got = paas_core::store::Store::get(&reopened, &CONTRACT, &Key::new("t1", "a")).await.unwrap();
    assert_eq!(got.unwrap()["v"], 1);
}
