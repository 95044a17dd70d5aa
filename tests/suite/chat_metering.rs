//! Metering a hostile upstream cannot game, on both store backends: a turn
//! is charged at least what the platform itself sent and relayed, whatever
//! the provider reports; usage above a reservation is recorded, never
//! dropped; caps end runaway streams with an `error` and one `done`; and
//! every turn gives back its concurrent-turn slot, even one whose process died.

use std::time::{Duration, Instant};

use paas_core::domain::TenantId;
use paas_core::identity::tenants;
use paas_core::metering::turn_budget::TurnBudget;
use paas_llm::estimate_tokens;
use serde_json::{Value, json};

use crate::chat::{SseFrame, answer_text, assert_well_formed, done, parse_sse};
use crate::fake_llm::{FakeLlm, Reply, usage};
use crate::support::{Signup, TestApp, on_both_backends};

on_both_backends!(
    with = super::app;
    a_provider_that_reports_zero_or_nothing_costs_the_floor,
    usage_above_the_reservation_is_recorded_and_shown_as_overage,
    one_endless_line_is_cut_at_the_event_cap,
    endless_reasoning_is_cut_at_the_output_allowance,
    a_thousand_tool_calls_run_none,
    a_provider_that_hangs_in_its_retries_is_cut_at_the_turn_deadline,
    an_abandoned_turn_stops_counting_once_its_lease_expires,
);

on_both_backends!(
    with = super::long_turns_app;
    fifty_concurrent_chats_on_a_free_tenant_run_exactly_its_concurrent_turns,
);

/// Provider timeouts that suit tests, and a short turn deadline.
async fn app(dynamodb: bool) -> TestApp {
    app_with(dynamodb, 3).await
}

/// For turns that must stay open until a test lets them go.
async fn long_turns_app(dynamodb: bool) -> TestApp {
    app_with(dynamodb, 60).await
}

async fn app_with(dynamodb: bool, turn_secs: u64) -> TestApp {
    let configure = move |c: &mut paas_core::Config| {
        c.llm_idle_timeout_ms = turn_secs * 1000 + 2_000;
        c.llm_first_token_timeout_ms = 10_000;
        c.llm_connect_timeout_ms = 1_000;
        c.turn_max_secs = turn_secs;
    };
    if dynamodb { TestApp::on_dynamodb_with(configure).await } else { TestApp::with(configure).await }
}

/// The tenant's standing as its usage report shows it.
struct Standing {
    used: u64,
    reserved: u64,
    overage: Option<u64>,
    turns: u64,
    today: u64,
}

async fn standing(app: &TestApp, admin: &Signup) -> Standing {
    let report = app.get("/api/v1/tenant/usage", &admin.access).await;
    report.expect(200);
    let quota =
        |name: &str| report.body["quotas"].as_array().unwrap().iter().find(|q| q["quota"] == name).unwrap().clone();
    let tokens = quota("tokens_month");
    Standing {
        used: tokens["used"].as_u64().unwrap(),
        reserved: tokens["reserved"].as_u64().unwrap(),
        overage: tokens["overage"].as_u64(),
        turns: quota("concurrent_turns")["used"].as_u64().unwrap(),
        today: report.body["daily"].as_array().unwrap().last().unwrap()["tokens"].as_u64().unwrap(),
    }
}

async fn on_provider(app: &TestApp, script: Vec<Reply>) -> (Signup, FakeLlm) {
    let acme = app.signup("acme").await;
    let fake = FakeLlm::start(script).await;
    app.use_provider(&acme, "openai_compatible", &fake.base_url()).await;
    (acme, fake)
}

async fn turn(app: &TestApp, admin: &Signup, body: Value) -> Vec<SseFrame> {
    let reply = app.post("/api/v1/chat/completions", Some(&admin.access), body).await;
    reply.expect(200);
    let frames = parse_sse(&reply.text);
    assert_well_formed(&frames);
    frames
}

fn error_code(frames: &[SseFrame]) -> Option<&str> {
    frames.iter().find(|f| f.event == "error").and_then(|f| f.data["data"]["code"].as_str())
}

fn total(frames: &[SseFrame]) -> u64 {
    done(frames)["usage"]["total_tokens"].as_u64().unwrap()
}

/// What an operator must see after any turn: the month and the day hold
/// exactly what the `done` frames reported, nothing is still reserved, and
/// no turn holds a slot.
async fn assert_settled(app: &TestApp, admin: &Signup, dones: u64) {
    let now = standing(app, admin).await;
    assert_eq!(now.used, dones, "recorded usage equals the sum of the done frames");
    assert_eq!(now.today, dones, "the daily series agrees");
    assert_eq!(now.reserved, 0, "nothing is left reserved");
    assert_eq!(now.turns, 0, "the lease was released");
}

async fn stored_answer(app: &TestApp, admin: &Signup, frames: &[SseFrame]) -> Value {
    let session_id = frames[0].data["data"]["session_id"].as_str().unwrap();
    let messages = app.get(&format!("/api/v1/sessions/{session_id}/messages"), &admin.access).await;
    messages.body["items"][0].clone()
}

async fn a_provider_that_reports_zero_or_nothing_costs_the_floor(app: TestApp) {
    let answer = ["我们的平台按照", "实际用量计费。", " Metered by what was relayed."];
    let (acme, _fake) =
        on_provider(&app, vec![Reply::openai_text(&answer, Some(usage(0, 0))), Reply::openai_text(&answer, None)])
            .await;
    let mut dones = 0;
    for _ in 0..2 {
        let frames = turn(&app, &acme, json!({"message": "How are turns billed?"})).await;
        assert_eq!(done(&frames)["outcome"], "completed");
        let used = &done(&frames)["usage"];
        assert_eq!(used["output_tokens"], estimate_tokens(&answer.concat()), "the relayed answer is the floor");
        assert!(used["input_tokens"].as_u64().unwrap() > 10, "the prompt sent is the floor: {used}");
        // Characters / 4 would have charged 10 tokens for this answer.
        assert!(used["output_tokens"].as_u64().unwrap() > 20, "{used}");
        dones += total(&frames);
    }
    assert_settled(&app, &acme, dones).await;
}

async fn usage_above_the_reservation_is_recorded_and_shown_as_overage(app: TestApp) {
    let (acme, _fake) = on_provider(&app, vec![Reply::openai_text(&["Short."], Some(usage(50_000, 10)))]).await;
    let ops = app.operator().await;
    let limit = json!({"quota_overrides": {"tokens_per_month": 20_000}});
    app.call("PATCH", &format!("/api/platform/tenants/{}", acme.tenant_id), Some(&ops), Some(limit)).await.expect(200);

    let frames = turn(&app, &acme, json!({"message": "Count this"})).await;
    assert_eq!(done(&frames)["usage"]["input_tokens"], 50_000, "the provider's larger figure is charged");
    assert_eq!(total(&frames), 50_010);
    assert_settled(&app, &acme, 50_010).await;
    assert_eq!(standing(&app, &acme).await.overage, Some(30_010), "the usage report shows the overage");
    // The month is over its limit: the next turn is refused before any stream.
    let refused = app.post("/api/v1/chat/completions", Some(&acme.access), json!({"message": "More"})).await;
    refused.expect_code(429, "quota_exceeded.tokens_month");
}

async fn one_endless_line_is_cut_at_the_event_cap(app: TestApp) {
    // A normal delta, then a 100 MB line that never ends.
    let start = r#"data: {"id":"x","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"Partial "#;
    let first = Reply::openai_text(&["Partial answer. "], None).chunks[1].clone();
    let piece = "a".repeat(64 * 1024);
    let huge = Reply::sse(vec![first, start.to_owned()]).then_repeat(piece, 1600);
    let (acme, fake) = on_provider(&app, vec![huge]).await;

    let frames = turn(&app, &acme, json!({"message": "Go on forever"})).await;
    assert_eq!(error_code(&frames), Some("provider_event_too_large"));
    assert_eq!(answer_text(&frames), "Partial answer. ");
    let stored = stored_answer(&app, &acme, &frames).await;
    assert_eq!((stored["status"].as_str(), stored["content"].as_str()), (Some("partial"), Some("Partial answer. ")));
    assert_settled(&app, &acme, total(&frames)).await;
    assert!(total(&frames) > 0, "what was relayed is counted");
    // The platform hung up long before the 100 MB were through.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(fake.sent_bytes() < 24 << 20, "the fake wrote {} bytes", fake.sent_bytes());
}

async fn endless_reasoning_is_cut_at_the_output_allowance(app: TestApp) {
    let thinking = Reply::openai_reasoning(&["Hmm, "], &[], None);
    let piece = thinking.chunks[1].clone();
    let endless = Reply::sse(thinking.chunks[..1].to_vec()).then_repeat(piece, 1_000_000);
    let (acme, fake) = on_provider(&app, vec![endless]).await;

    let frames = turn(&app, &acme, json!({"message": "Think hard"})).await;
    assert_eq!(error_code(&frames), Some("output_limit"));
    assert_eq!(done(&frames)["outcome"], "truncated");
    assert_eq!(
        done(&frames)["usage"]["output_tokens"],
        1024,
        "cut at the allowance (the agent's max output), not past it"
    );
    let session_id = frames[0].data["data"]["session_id"].as_str().unwrap();
    let log = app.get(&format!("/api/v1/sessions/{session_id}/log"), &acme.access).await;
    let reasoning = log.body["items"][0]["text"].as_str().unwrap();
    assert_eq!(estimate_tokens(reasoning), 1024, "the reasoning relayed is kept in the log");
    assert_settled(&app, &acme, total(&frames)).await;
    assert!(fake.sent_bytes() < 8 << 20, "the fake wrote {} bytes", fake.sent_bytes());
}

async fn a_thousand_tool_calls_run_none(app: TestApp) {
    let ids: Vec<String> = (0..1000).map(|n| format!("call_{n}")).collect();
    let args: &[&str] = &[r#"{"expression":"1+1"}"#];
    let calls: Vec<(&str, &str, &[&str])> = ids.iter().map(|id| (id.as_str(), "calculator", args)).collect();
    let (acme, fake) = on_provider(&app, vec![Reply::openai_tool_calls(&calls, Some(usage(100, 5)))]).await;

    let frames = turn(&app, &acme, json!({"message": "Add a lot", "agent_type": "agent"})).await;
    assert_eq!(error_code(&frames), Some("too_many_tool_calls"));
    assert_eq!(done(&frames)["outcome"], "truncated");
    assert!(!frames.iter().any(|f| f.event == "thought" && f.data["data"]["kind"] == "tool_result"), "no tool ran");
    assert_eq!(fake.requests().len(), 1, "no second model step");
    assert!(done(&frames)["usage"]["output_tokens"].as_u64().unwrap() > 5, "the calls received are counted");
    assert_settled(&app, &acme, total(&frames)).await;
}

async fn a_provider_that_hangs_in_its_retries_is_cut_at_the_turn_deadline(app: TestApp) {
    let script = vec![Reply::status(429, Some("2")), Reply::status(429, Some("2")), Reply::status(429, Some("2"))];
    let (acme, _fake) = on_provider(&app, script).await;
    let started = Instant::now();
    let frames = turn(&app, &acme, json!({"message": "Anyone?"})).await;
    assert!(started.elapsed() < Duration::from_secs(6), "the 3 s deadline held: {:?}", started.elapsed());
    assert_eq!(error_code(&frames), Some("turn_time_limit"));
    assert_eq!(done(&frames)["outcome"], "truncated");
    assert_eq!(total(&frames), 0, "a provider that never answered costs nothing");
    assert_eq!(stored_answer(&app, &acme, &frames).await["status"], "failed");
    assert_settled(&app, &acme, 0).await;
}

async fn an_abandoned_turn_stops_counting_once_its_lease_expires(app: TestApp) {
    let acme = app.signup("acme").await;
    let ops = app.operator().await;
    let one = json!({"quota_overrides": {"concurrent_turns": 1}});
    app.call("PATCH", &format!("/api/platform/tenants/{}", acme.tenant_id), Some(&ops), Some(one)).await.expect(200);
    let tenant_id = TenantId::parse(&acme.tenant_id).unwrap();
    let tenant = tenants::get(&app.state.store, &tenant_id).await.unwrap().unwrap();

    // Reserved, never settled: as if the process died mid-turn.
    let budget = TurnBudget::open(&app.state.store, &tenant, 500, 1_000, Duration::from_secs(2)).await.unwrap();
    std::mem::forget(budget);
    let held = standing(&app, &acme).await;
    assert_eq!((held.turns, held.reserved, held.used), (1, 1_500, 0));
    let refused = app.post("/api/v1/chat/completions", Some(&acme.access), json!({"message": "Hi"})).await;
    refused.expect_code(429, "quota_exceeded.concurrent_turns");
    assert_eq!(refused.headers["retry-after"], "1");

    tokio::time::sleep(Duration::from_millis(2_500)).await;
    let frames = turn(&app, &acme, json!({"message": "Hi again"})).await;
    assert_eq!(done(&frames)["outcome"], "completed");
    assert_settled(&app, &acme, total(&frames)).await;
}

async fn fifty_concurrent_chats_on_a_free_tenant_run_exactly_its_concurrent_turns(app: TestApp) {
    // Five answers that stall, held open by their clients until every refusal is in.
    let mut script: Vec<Reply> = (0..5)
        .map(|_| Reply::openai_text(&["Slow ", "answer."], None).stall_after(2, Duration::from_secs(50)))
        .collect();
    script.push(Reply::openai_text(&["Next."], Some(usage(200, 2))));
    let (acme, _fake) = on_provider(&app, script).await;
    let base = format!("http://{}", app.serve().await);
    let http = reqwest::Client::new();
    let chats = (0..50).map(|n| {
        http.post(format!("{base}/api/v1/chat/completions"))
            .bearer_auth(&acme.access)
            .json(&json!({"message": format!("Chat {n}")}))
            .send()
    });
    let replies: Vec<reqwest::Response> =
        futures::future::join_all(chats).await.into_iter().map(Result::unwrap).collect();
    let (streaming, refused): (Vec<_>, Vec<_>) = replies.into_iter().partition(|r| r.status() == 200);
    assert_eq!(streaming.len(), 5, "exactly the free plan's concurrent turns run");
    assert_eq!(standing(&app, &acme).await.turns, 5);
    for reply in refused {
        assert_eq!(reply.status(), 429);
        assert!(reply.headers().contains_key("retry-after"));
        let problem: Value = reply.json().await.unwrap();
        assert_eq!(
            (problem["code"].as_str(), problem["limit"].as_u64()),
            (Some("quota_exceeded.concurrent_turns"), Some(5))
        );
    }
    // The clients leave: their turns end and give their slots back at once.
    drop(streaming);
    let deadline = Instant::now() + Duration::from_secs(10);
    while standing(&app, &acme).await.turns > 0 {
        assert!(Instant::now() < deadline, "the slots were not given back");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(standing(&app, &acme).await.reserved, 0);
    let next = turn(&app, &acme, json!({"message": "And now?"})).await;
    assert_eq!(answer_text(&next), "Next.");
}

#[tokio::test]
async fn a_steps_tool_calls_run_at_most_four_at_a_time() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    // A tenant's tool that takes a while and remembers how many calls overlapped.
    let (running, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let (now, peak) = (running.clone(), most.clone());
    let route = axum::routing::post(move || {
        let (now, peak) = (now.clone(), peak.clone());
        async move {
            peak.fetch_max(now.fetch_add(1, Ordering::SeqCst) + 1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(150)).await;
            now.fetch_sub(1, Ordering::SeqCst);
            "done"
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}/slow", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, axum::Router::new().route("/slow", route)).await.unwrap() });

    let app = app(false).await;
    let ids: Vec<String> = (0..10).map(|n| format!("call_{n}")).collect();
    let args: &[&str] = &["{}"];
    let calls: Vec<(&str, &str, &[&str])> = ids.iter().map(|id| (id.as_str(), "slow", args)).collect();
    let script = vec![Reply::openai_tool_calls(&calls, Some(usage(300, 100))), Reply::openai_text(&["Done."], None)];
    let (acme, _fake) = on_provider(&app, script).await;
    let tool = json!({"name": "slow", "description": "Takes a while",
        "parameters": {"type": "object", "properties": {}}, "endpoint": endpoint});
    app.post("/api/v1/tools", Some(&acme.access), tool).await.expect(201);
    let agent = app.post("/api/v1/agents", Some(&acme.access), json!({"name": "Busy", "tools": ["slow"]})).await;
    agent.expect(201);

    let frames = turn(&app, &acme, json!({"message": "Do it all", "agent_id": agent.str("agent_id")})).await;
    let results = frames.iter().filter(|f| f.event == "thought" && f.data["data"]["kind"] == "tool_result").count();
    assert_eq!(results, 10, "every call ran");
    assert_eq!(most.load(Ordering::SeqCst), 4, "no more than four at once");
    assert_eq!(answer_text(&frames), "Done.");
}

#[tokio::test]
async fn a_tool_call_with_oversized_arguments_runs_no_tool() {
    let app = app(false).await;
    let huge = format!(r#"{{"expression":"{}"}}"#, "1+".repeat(40 * 1024));
    let (acme, fake) =
        on_provider(&app, vec![Reply::openai_tool_calls(&[("c1", "calculator", &[huge.as_str()])], None)]).await;
    let frames = turn(&app, &acme, json!({"message": "Add", "agent_type": "agent"})).await;
    assert_eq!(error_code(&frames), Some("tool_arguments_too_large"));
    assert_eq!(done(&frames)["outcome"], "truncated");
    assert!(!frames.iter().any(|f| f.event == "thought"), "no tool call was shown or run");
    assert_eq!(fake.requests().len(), 1);
    assert_settled(&app, &acme, total(&frames)).await;
}

/// The base URL `paas serve` prints once it listens; its further output is drained.
async fn served_at(stderr: tokio::process::ChildStderr) -> String {
    use tokio::io::AsyncBufReadExt;
    let mut lines = tokio::io::BufReader::new(stderr).lines();
    let read = async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(url) = line.split_whitespace().find(|word| word.starts_with("http://")) {
                return url.to_owned();
            }
        }
        panic!("paas serve exited before it listened");
    };
    let url = tokio::time::timeout(Duration::from_secs(30), read).await.expect("paas serve listened within 30 s");
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    url
}

/// Peak resident memory of a process, from `/proc/<pid>/status`.
fn peak_resident_bytes(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap() * 1024
}

#[tokio::test]
async fn the_local_runner_stays_small_while_an_upstream_streams_100_mb_without_a_newline() {
    let start = r#"data: {"id":"x","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":""#;
    let fake = FakeLlm::start(vec![Reply::sse(vec![start.to_owned()]).then_repeat("a".repeat(64 * 1024), 1600)]).await;
    let dir = tempfile::tempdir().unwrap();
    // Port 0, then the address it prints: a port picked here and freed could be
    // taken by another test's server before the runner binds it.
    let mut runner = tokio::process::Command::new(paas_tests::lambda_emulator::binary("paas"))
        .args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .env("PAAS_LOG", "warn")
        .env("PAAS_FRONTEND_DIR", dir.path())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let base = served_at(runner.stderr.take().unwrap()).await;
    let http = reqwest::Client::new();
    let signup = json!({"tenant_name": "Acme", "tenant_slug": "acme", "email": "a@acme.test", "password": crate::support::PASSWORD});
    let reply = http.post(format!("{base}/api/auth/signup")).json(&signup).send().await.unwrap();
    let reply = reply.json::<Value>().await.unwrap();
    let token = reply["access_token"].as_str().unwrap().to_owned();
    let llm = json!({"provider": "openai_compatible", "model": "m", "base_url": fake.base_url()});
    let put = http.put(format!("{base}/api/v1/tenant/llm")).bearer_auth(&token).json(&llm).send().await.unwrap();
    assert_eq!(put.status(), 200);
    let pid = runner.id().unwrap();
    // Forget the peak so far (sign-up's password hash alone takes 19 MiB).
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").unwrap();
    let before = peak_resident_bytes(pid);

    let body = http
        .post(format!("{base}/api/v1/chat/completions"))
        .bearer_auth(&token)
        .json(&json!({"message": "Go on forever"}))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let grown = peak_resident_bytes(pid).saturating_sub(before);
    println!("peak resident memory grew by {} KiB", grown / 1024);
    assert!(grown < 32 << 20, "the runner's memory grew by {} MiB", grown >> 20);
    assert_eq!(error_code(&parse_sse(&body)), Some("provider_event_too_large"));
    runner.kill().await.unwrap();
}

#[tokio::test]
async fn an_absurd_report_is_believed_only_up_to_the_cap() {
    let app = app(false).await;
    let (acme, _fake) =
        on_provider(&app, vec![Reply::openai_text(&["Cheap?"], Some(usage(u64::MAX / 2, u64::MAX / 2)))]).await;
    let frames = turn(&app, &acme, json!({"message": "Count this"})).await;
    let used = &done(&frames)["usage"];
    assert_eq!((used["input_tokens"].as_u64(), used["output_tokens"].as_u64()), (Some(10_000_000), Some(10_000_000)));
    assert_settled(&app, &acme, 20_000_000).await;
    assert_eq!(standing(&app, &acme).await.overage, Some(20_000_000 - 200_000), "no counter wrapped round");
}

#[tokio::test]
async fn a_turn_runs_at_most_64_tool_calls_over_its_steps() {
    let app = app(false).await;
    let ids: Vec<String> = (0..16).map(|n| format!("call_{n}")).collect();
    let args: &[&str] = &[r#"{"expression":"1+1"}"#];
    let calls: Vec<(&str, &str, &[&str])> = ids.iter().map(|id| (id.as_str(), "calculator", args)).collect();
    let script = (0..5).map(|_| Reply::openai_tool_calls(&calls, Some(usage(2_000, 200)))).collect();
    let (acme, fake) = on_provider(&app, script).await;

    let frames = turn(&app, &acme, json!({"message": "Keep adding", "agent_type": "agent"})).await;
    assert_eq!(error_code(&frames), Some("too_many_tool_calls"));
    let results = frames.iter().filter(|f| f.event == "thought" && f.data["data"]["kind"] == "tool_result").count();
    assert_eq!(results, 64, "four full steps ran, the fifth none");
    assert_eq!(fake.requests().len(), 5);
    assert_settled(&app, &acme, total(&frames)).await;
}
