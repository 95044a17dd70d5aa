//! 100 concurrent chats against a tenant near its monthly token limit never
//! push its usage past the limit, on both store backends.

use serde_json::json;

use crate::support::TestApp;

const LIMIT: u64 = 6_000;

async fn hundred_concurrent_chats_stay_within_the_limit(app: TestApp) {
    let acme = app.signup("acme").await;
    let ops = app.operator().await;
    let overrides =
        json!({"quota_overrides": {"tokens_per_month": LIMIT, "sessions_per_day": 1000, "concurrent_turns": 100}});
    app.call("PATCH", &format!("/api/platform/tenants/{}", acme.tenant_id), Some(&ops), Some(overrides))
        .await
        .expect(200);

    let turns = (0..100).map(|n| {
        app.post(
            "/api/v1/chat/completions",
            Some(&acme.access),
            json!({"message": format!("Question number {n}, please answer at length.")}),
        )
    });
    let replies = futures::future::join_all(turns).await;
    let streamed = replies.iter().filter(|r| r.status == 200).count();
    for refused in replies.iter().filter(|r| r.status != 200) {
        refused.expect_code(429, "quota_exceeded.tokens_month");
    }
    let counted: u64 = replies
        .iter()
        .filter(|r| r.status == 200)
        .map(|r| {
            let frames = crate::chat::parse_sse(&r.text);
            crate::chat::assert_well_formed(&frames);
            crate::chat::done(&frames)["usage"]["total_tokens"].as_u64().unwrap()
        })
        .sum();
    let usage = app.get("/api/v1/tenant/usage", &acme.access).await;
    let used = usage.body["quotas"][0]["used"].as_u64().unwrap();
    println!("{streamed} of 100 chats streamed; {used} of {LIMIT} tokens used");
    assert!(used <= LIMIT, "usage {used} passed the limit {LIMIT}");
    assert_eq!(used, counted, "the month holds exactly what the streamed turns reported");
    assert!((3..100).contains(&streamed), "some chats fit, the rest are refused: {streamed}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn on_sqlite() {
    hundred_concurrent_chats_stay_within_the_limit(TestApp::new().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn on_dynamodb() {
    hundred_concurrent_chats_stay_within_the_limit(TestApp::on_dynamodb().await).await;
}
