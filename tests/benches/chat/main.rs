//! What the platform adds to a streamed answer, measured in one run against
//! two baselines: the same fake provider called directly, and a bare relay
//! (no auth, no storage, no parsing) in front of it. The fake provider, the
//! relay and the platform (the local runner, on SQLite) each run as their own
//! process, so each one's resident memory is its own.
//!
//! - Latency: sequential turns, each one's time to first token, and every
//!   chunk's delay from the moment the fake provider sent it (chunks carry
//!   their send time) to its arrival at the client.
//! - Load: N concurrent streams: the wall time against one stream's, the
//!   memory each open stream holds, and resident memory at rest and at peak.
//!
//! The platform is `target/release/paas serve` when that exists (`cargo build
//! --release -p paas-cli`; `CHAT_BENCH_PAAS` names another build, to compare),
//! else this binary running the same server.
//!
//! Run: `cargo bench -p paas-tests --bench chat` (`CHAT_BENCH_STREAMS` sets N,
//! 1000 by default; `CHAT_BENCH_PERF=<file>` records a profile of the platform).

mod probe;
mod upstream;

use std::process::Stdio;
use std::time::{Duration, Instant};

use paas_core::Config;
use serde_json::{Value, json};
use tokio::process::{Child, Command};

use paas_tests::resident_kib;
use probe::{Seen, percentile};
use upstream::Shape;

/// The latency runs: 50 chunks 5 ms apart, this many turns on each path.
const TURNS: usize = 32;
const LATENCY: Shape = Shape::Paced { chunks: 50, pace: Duration::from_millis(5) };
/// The load: 4-second streams of 100 chunks 40 ms apart.
const LOAD: Shape = Shape::Paced { chunks: 100, pace: Duration::from_millis(40) };
const ROLE: &str = "CHAT_BENCH_ROLE";

fn main() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let port = || std::env::var("CHAT_BENCH_PORT").unwrap().parse().unwrap();
    match std::env::var(ROLE).as_deref() {
        Ok("fake") => runtime.block_on(upstream::fake(port())),
        Ok("relay") => runtime.block_on(upstream::relay(port(), std::env::var("CHAT_BENCH_UPSTREAM").unwrap())),
        // Exactly what `paas serve` runs.
        Ok("platform") => runtime.block_on(async {
            paas_core::allocator::tune();
            let config = Config::from_env().unwrap();
            paas_core::telemetry::init(&config);
            paas_cli::serve::run(config).await.unwrap();
        }),
        _ => runtime.block_on(bench()),
    }
}

/// A server process: this benchmark's binary in another role.
struct Server {
    url: String,
    child: Child,
}

impl Server {
    async fn start(role: &str, env: &[(&str, String)]) -> Self {
        let port = free_port();
        // The platform is the release build of `paas serve` when there is one (or `CHAT_BENCH_PAAS`).
        let release = std::env::var_os("CHAT_BENCH_PAAS").map_or_else(|| release_dir().join("paas"), Into::into);
        let (program, args) = match role {
            "platform" if release.exists() => (release, vec!["serve"]),
            _ => (std::env::current_exe().unwrap(), vec![]),
        };
        if role == "platform" {
            println!("platform: {}\n", program.display());
        }
        // `CHAT_BENCH_PERF=<file>` profiles the platform with `perf record` (its memory figures are then perf's).
        let mut command = match std::env::var("CHAT_BENCH_PERF") {
            Ok(out) if role == "platform" => {
                let mut perf = Command::new("perf");
                perf.args(["record", "-F", "2999", "-g", "-o", &out, "--"]).arg(program);
                perf
            }
            _ => Command::new(program),
        };
        command.args(args);
        command.env(ROLE, role).env("CHAT_BENCH_PORT", port.to_string()).env("PAAS_BIND", format!("127.0.0.1:{port}"));
        command.envs(env.iter().map(|(k, v)| (*k, v))).stdout(Stdio::null()).stderr(Stdio::null()).kill_on_drop(true);
        let child = command.spawn().unwrap();
        let started = Instant::now();
        while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
            assert!(started.elapsed() < Duration::from_secs(30), "{role} did not start");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Self { url: format!("http://127.0.0.1:{port}"), child }
    }

    /// Interrupts the server (perf then writes its profile) and waits for it to end.
    async fn stop(mut self) {
        let pid = self.child.id().unwrap().to_string();
        Command::new("kill").args(["-INT", &pid]).status().await.unwrap();
        let _ = self.child.wait().await;
    }

    fn resident_kib(&self) -> u64 {
        resident_kib(self.child.id().unwrap())
    }
}

/// `target/release`, where `cargo build --release` puts binaries.
fn release_dir() -> std::path::PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.ancestors().find(|p| p.ends_with("target")).unwrap().join("release")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A way to open one stream, and the text its body ends with when it completed.
struct Path<'a> {
    name: &'static str,
    open: Box<dyn Fn(Shape) -> reqwest::RequestBuilder + 'a>,
    end: &'static str,
}

async fn bench() {
    let streams: usize = std::env::var("CHAT_BENCH_STREAMS").ok().and_then(|n| n.parse().ok()).unwrap_or(1000);
    let http = reqwest::Client::new();
    let fake = Server::start("fake", &[]).await;
    let relay = Server::start("relay", &[("CHAT_BENCH_UPSTREAM", fake.url.clone())]).await;
    let dir = tempfile::tempdir().unwrap();
    let password = "correct horse battery staple";
    let config = Config { data_dir: dir.path().to_owned(), ..Config::default() };
    paas_cli::operators::create_operator(config, "ops@bench.test", password, None).await.unwrap();
    let platform = Server::start("platform", &[("PAAS_DATA_DIR", dir.path().display().to_string())]).await;
    let token = sign_up(&http, &platform.url, password, streams).await;
    let idle_after_signup = platform.resident_kib();
    let use_shape = |shape: Shape| {
        let llm =
            json!({"provider": "openai_compatible", "model": shape.model(), "base_url": format!("{}/v1", fake.url)});
        http.put(format!("{}/api/v1/tenant/llm", platform.url)).bearer_auth(&token).json(&llm).send()
    };

    let upstream = |url: &str| {
        let url = format!("{url}/v1/chat/completions");
        let http = &http;
        move |shape: Shape| http.post(&url).json(&json!({"model": shape.model(), "stream": true, "messages": []}))
    };
    let paths = [
        Path { name: "direct", open: Box::new(upstream(&fake.url)), end: "[DONE]" },
        Path { name: "bare relay", open: Box::new(upstream(&relay.url)), end: "[DONE]" },
        Path {
            name: "platform",
            open: Box::new(|_| {
                http.post(format!("{}/api/v1/chat/completions", platform.url))
                    .bearer_auth(&token)
                    .json(&json!({"message": "Benchmark turn"}))
            }),
            end: "\"outcome\":\"completed\"",
        },
    ];

    use_shape(LATENCY).await.unwrap().error_for_status().unwrap();
    let mut seen: Vec<Vec<Seen>> = paths.iter().map(|_| Vec::new()).collect();
    for _ in 0..TURNS {
        for (path, seen) in paths.iter().zip(&mut seen) {
            let turn = probe::stream((path.open)(LATENCY), path.end).await;
            assert!(turn.completed, "a {} stream did not complete", path.name);
            seen.push(turn);
        }
    }
    let Shape::Paced { chunks, pace } = LATENCY else { unreachable!() };
    println!("latency: {TURNS} sequential turns on each path, {chunks} chunks {pace:?} apart\n");
    println!(
        "{:<30}{:>12}{:>12}{:>12}{:>16}{:>16}",
        "", "direct", "bare relay", "platform", "relay adds", "platform adds"
    );
    let row = |label: &str, figure: &dyn Fn(&[Seen]) -> Duration| {
        let [direct, relay, platform] = [0, 1, 2].map(|i| ms(figure(&seen[i])));
        println!(
            "{label:<30}{direct:>9.3} ms{relay:>9.3} ms{platform:>9.3} ms{:>13.3} ms{:>13.3} ms",
            relay - direct,
            platform - direct
        );
    };
    let firsts = |seen: &[Seen]| seen.iter().map(|s| s.first).collect::<Vec<_>>();
    let delays = |seen: &[Seen]| seen.iter().flat_map(|s| s.delays.iter().copied()).collect::<Vec<_>>();
    row("time to first token, p50", &|s| percentile(&firsts(s), 50));
    row("chunk delay, p50", &|s| percentile(&delays(s), 50));
    row("chunk delay, p90", &|s| percentile(&delays(s), 90));
    row("chunk delay, p99", &|s| percentile(&delays(s), 99));
    println!(
        "{:<30}{:>12}{:>9.1} MB{:>9.1} MB",
        format!("RSS after {TURNS} turns"),
        "",
        mb(relay.resident_kib()),
        mb(platform.resident_kib())
    );
    println!("platform RSS at rest after sign-up and log-in: {:.1} MB", mb(idle_after_signup));

    // The OpenAI-compatible route against the native one, turn for turn, after the
    // figures above (its turns would add to the RSS they report).
    let native = &paths[2];
    let openai = Path {
        name: "OpenAI route",
        open: Box::new(|_| {
            http.post(format!("{}/v1/chat/completions", platform.url)).bearer_auth(&token).json(
                &json!({"model": "assistant", "stream": true, "messages": [{"role": "user", "content": "Benchmark turn"}]}),
            )
        }),
        end: "[DONE]",
    };
    let mut pairs: [Vec<Seen>; 2] = [Vec::new(), Vec::new()];
    for turn in 0..TURNS {
        // Each route goes first in half the pairs, so neither always follows the other's bookkeeping.
        let order = if turn % 2 == 0 { [0, 1] } else { [1, 0] };
        for i in order {
            let path = [native, &openai][i];
            let seen = probe::stream((path.open)(LATENCY), path.end).await;
            assert!(seen.completed, "a {} stream did not complete", path.name);
            pairs[i].push(seen);
        }
    }
    println!("\nthe OpenAI-compatible route: {TURNS} more turns on each platform route, alternating\n");
    println!("{:<30}{:>12}{:>14}{:>16}", "", "native", "OpenAI route", "OpenAI adds");
    let pair_row = |label: &str, figure: &dyn Fn(&[Seen]) -> Duration| {
        let [native, openai] = [0, 1].map(|i| ms(figure(&pairs[i])));
        println!("{label:<30}{native:>9.3} ms{openai:>11.3} ms{:>13.3} ms", openai - native);
    };
    pair_row("time to first token, p50", &|s| percentile(&firsts(s), 50));
    pair_row("chunk delay, p50", &|s| percentile(&delays(s), 50));
    pair_row("chunk delay, p90", &|s| percentile(&delays(s), 90));
    drop(openai);

    use_shape(LOAD).await.unwrap().error_for_status().unwrap();
    let Shape::Paced { chunks, pace } = LOAD else { unreachable!() };
    println!("\nload: {streams} concurrent streams of {chunks} chunks {pace:?} apart\n");
    println!(
        "{:<12}{:>12}{:>12}{:>10}{:>12}{:>12}{:>12}{:>14}",
        "", "completed", "wall", "× one", "RSS before", "RSS peak", "RSS after", "KiB / stream"
    );
    for (path, server) in [(&paths[1], &relay), (&paths[2], &platform)] {
        let one = probe::stream((path.open)(LOAD), path.end).await.whole;
        let before = server.resident_kib();
        let (completed, wall, peak) = load(path, server, streams).await;
        tokio::time::sleep(Duration::from_secs(1)).await;
        println!(
            "{:<12}{:>12}{:>10.2} s{:>9.2}x{:>9.1} MB{:>9.1} MB{:>9.1} MB{:>14.1}",
            path.name,
            format!("{completed}/{streams}"),
            wall.as_secs_f64(),
            wall.as_secs_f64() / one.as_secs_f64(),
            mb(before),
            mb(peak),
            mb(server.resident_kib()),
            peak.saturating_sub(before) as f64 / streams as f64,
        );
    }
    drop(paths);
    platform.stop().await;
}

/// Opens `streams` streams at once and reads them all to the end, sampling
/// the server's memory meanwhile: how many completed, the wall time, and the
/// peak resident memory.
async fn load(path: &Path<'_>, server: &Server, streams: usize) -> (usize, Duration, u64) {
    let started = Instant::now();
    let runs = (0..streams).map(|_| probe::stream((path.open)(LOAD), path.end));
    let all = futures::future::join_all(runs);
    tokio::pin!(all);
    let mut peak = 0;
    let seen = loop {
        peak = peak.max(server.resident_kib());
        tokio::select! {
            seen = &mut all => break seen,
            () = tokio::time::sleep(Duration::from_millis(20)) => {}
        }
    };
    (seen.iter().filter(|s| s.completed).count(), started.elapsed(), peak)
}

/// A tenant on the enterprise plan with room for `streams` concurrent turns;
/// answers its admin's access token.
async fn sign_up(http: &reqwest::Client, platform: &str, password: &str, streams: usize) -> String {
    let signup = json!({"tenant_name": "Bench", "tenant_slug": "bench", "email": "a@bench.test", "password": password});
    let reply: Value =
        http.post(format!("{platform}/api/auth/signup")).json(&signup).send().await.unwrap().json().await.unwrap();
    let token = reply["access_token"].as_str().unwrap().to_owned();
    let tenant_id = reply["tenant"]["tenant_id"].as_str().unwrap();
    let login = json!({"email": "ops@bench.test", "password": password});
    let ops: Value =
        http.post(format!("{platform}/api/auth/login")).json(&login).send().await.unwrap().json().await.unwrap();
    let plan = json!({"plan": "enterprise", "quota_overrides": {"concurrent_turns": streams + 10}});
    http.patch(format!("{platform}/api/platform/tenants/{tenant_id}"))
        .bearer_auth(ops["access_token"].as_str().unwrap())
        .json(&plan)
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    token
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn mb(kib: u64) -> f64 {
    kib as f64 / 1024.0
}
