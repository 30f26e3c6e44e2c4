//! The service's benchmark: commands per second through HTTP beside the same commands
//! through the library, in one run, on both backends; then the memory of `regflow serve`.
//!
//! `cargo bench -p regflow-server --bench http [-- --seconds 3] [--rounds 3] [--only sqlite|postgres]
//!  [--memory-requests 100000]`
//!
//! 1. Throughput: each client sends `accept` commands (a window acceptance of a
//!    second-hand transfer: decide, one transaction writing the case, its first event and
//!    its four timers) back to back, for `--seconds` per round, with 1, 8 and 64 clients.
//!    Library rounds call `Engine::execute` from that many tasks; HTTP rounds post the same
//!    body to `POST /v1/cases` of a server in this process on loopback, over keep-alive
//!    connections, with a bearer token (so each request also authenticates). The two
//!    alternate, `--rounds` each; the medians are compared, and the HTTP p50/p99 latency
//!    of the median round is printed. PostgreSQL is measured when `REGFLOW_PG_URL` is set.
//! 2. Memory: `regflow serve` (the release binary, built first) on a fresh SQLite file;
//!    its resident memory idle, then after every 25,000 of `--memory-requests` requests
//!    (nine `GET /v1/cases/{id}` to one `POST /v1/cases`, 8 clients).

use regflow_executor::testing::PgDatabase;
use regflow_executor::{Engine, Request};
use regflow_process::{Actor, Centre, CentreId, Command, Role};
use regflow_server::config::{Config, Limits};
use regflow_server::Server;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

const ZHANG: &str = "630102198503120015";
const UNIT: &str = "630102001001GB00001F00010001";

fn body() -> Value {
    json!({"command": "accept", "kind": "transfer_second_hand", "applicant_category": "individual",
           "channel": "window", "unit": UNIT, "applicants": [{"name": "张三", "id": ZHANG}],
           "materials": ["application_form", "identity_proof", "title_certificate", "sale_contract",
                         "marital_status_proof", "household_register"]})
}

fn command() -> Command {
    let b = body();
    regflow_process::wire::command("accept", b.as_object().unwrap(), false).unwrap()
}

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

struct Round {
    per_second: f64,
    latencies: Vec<Duration>,
}

/// Runs `clients` tasks for `seconds`, each sending one request after another with `send`
/// (which panics on failure), and collects every request's latency.
async fn round<F, Fut>(clients: usize, seconds: f64, send: F) -> Round
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let until = Instant::now() + Duration::from_secs_f64(seconds);
    let started = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let send = send.clone();
            tokio::spawn(async move {
                let mut lat = Vec::new();
                while Instant::now() < until {
                    let t = Instant::now();
                    send().await;
                    lat.push(t.elapsed());
                }
                lat
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.extend(t.await.unwrap());
    }
    Round { per_second: latencies.len() as f64 / started.elapsed().as_secs_f64(), latencies }
}

async fn library_round(engine: &Engine, clients: usize, seconds: f64) -> Round {
    let clerk = Actor::new("clerk-1", [Role::Clerk], CentreId::new("xining"));
    let engine = engine.clone();
    round(clients, seconds, move || {
        let (engine, clerk) = (engine.clone(), clerk.clone());
        async move {
            engine.execute(Request::new(clerk, command())).await.unwrap();
        }
    })
    .await
}

async fn http_round(url: &str, token: &str, http: &reqwest::Client, clients: usize, seconds: f64) -> Round {
    let payload: Arc<str> = body().to_string().into();
    let (http, url, token) = (http.clone(), Arc::<str>::from(format!("{url}/v1/cases")), Arc::<str>::from(token));
    round(clients, seconds, move || {
        let (http, url, token, payload) = (http.clone(), url.clone(), token.clone(), payload.clone());
        async move {
            let res = http
                .post(&*url)
                .bearer_auth(&token)
                .header("content-type", "application/json")
                .body(payload.to_string())
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 201, "{}", res.text().await.unwrap_or_default());
            res.bytes().await.unwrap();
        }
    })
    .await
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn percentile(lat: &[Duration], p: f64) -> Duration {
    let mut sorted = lat.to_vec();
    sorted.sort();
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn throughput(name: &str, url: &str, seconds: f64, rounds: usize) {
    let engine = Engine::builder(url).centre(Centre::new("xining")).pool_size(16).build().await.unwrap();
    let token = engine
        .database()
        .issue_token(&Actor::new("clerk-1", [Role::Clerk], CentreId::new("xining")), None, chrono::Utc::now())
        .await
        .unwrap()
        .secret;
    let config = Config {
        listen: "127.0.0.1:0".into(),
        limits: Limits { requests_per_minute: u32::MAX, ..Limits::default() },
        ..Config::default()
    };
    let server = Server::bind(engine.clone(), &config).await.unwrap();
    let base = server.url();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(server.run(async move {
        let _ = stopped.await;
    }));
    let http = reqwest::Client::builder().pool_max_idle_per_host(128).build().unwrap();
    // Warm both paths.
    library_round(&engine, 4, 0.3).await;
    http_round(&base, &token, &http, 4, 0.3).await;
    println!("{name}: accept commands per second, {rounds} alternating rounds of {seconds} s, medians");
    println!(
        "  {:>7} {:>12} {:>12} {:>8} {:>12} {:>12} {:>12}",
        "clients", "library", "http", "ratio", "http p50", "http p99", "library p99"
    );
    for clients in [1usize, 8, 64] {
        let (mut lib, mut web) = (Vec::new(), Vec::new());
        for _ in 0..rounds {
            lib.push(library_round(&engine, clients, seconds).await);
            web.push(http_round(&base, &token, &http, clients, seconds).await);
        }
        let lib_rate = median(lib.iter().map(|r| r.per_second).collect());
        let web_rate = median(web.iter().map(|r| r.per_second).collect());
        web.sort_by(|a, b| a.per_second.total_cmp(&b.per_second));
        lib.sort_by(|a, b| a.per_second.total_cmp(&b.per_second));
        let mid = &web[web.len() / 2];
        println!(
            "  {:>7} {:>12.0} {:>12.0} {:>7.2}× {:>10.2}ms {:>10.2}ms {:>10.2}ms",
            clients,
            lib_rate,
            web_rate,
            web_rate / lib_rate,
            percentile(&mid.latencies, 0.5).as_secs_f64() * 1e3,
            percentile(&mid.latencies, 0.99).as_secs_f64() * 1e3,
            percentile(&lib[lib.len() / 2].latencies, 0.99).as_secs_f64() * 1e3,
        );
    }
    let _ = stop.send(());
    running.await.unwrap().unwrap();
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

async fn memory(requests: usize) {
    let status = std::process::Command::new("cargo")
        .args(["build", "--quiet", "--release", "-p", "regflow-cli"])
        .status()
        .unwrap();
    assert!(status.success());
    let bin = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/release/regflow");
    let dir = std::env::temp_dir().join(format!("regflow-bench-mem-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite://{}", dir.join("mem.db").display());
    let out = std::process::Command::new(&bin)
        .args(["--database", &db, "token", "add", "--centre", "xining", "--actor", "clerk-1", "--role", "clerk"])
        .output()
        .unwrap();
    let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let mut child = std::process::Command::new(&bin)
        .args(["--database", &db, "serve", "--listen", "127.0.0.1:0"])
        .env("REGFLOW_REQUESTS_PER_MINUTE", "4000000000")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stdout.take().unwrap()), &mut line).unwrap();
    let base = line.trim().to_owned();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let pid = child.id();
    println!("memory of `regflow serve` (SQLite file), resident:");
    println!("  idle: {} KiB", rss_kib(pid));
    let http = reqwest::Client::new();
    let created: Value = http
        .post(format!("{base}/v1/cases"))
        .bearer_auth(&token)
        .json(&body())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    let per_client = requests / 8;
    let done = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let step = 25_000;
    let mut next_report = step;
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (http, base, token, id, done) = (http.clone(), base.clone(), token.clone(), id.clone(), done.clone());
            tokio::spawn(async move {
                for i in 0..per_client {
                    let res = if i % 10 == 9 {
                        http.post(format!("{base}/v1/cases")).bearer_auth(&token).json(&body()).send().await
                    } else {
                        http.get(format!("{base}/v1/cases/{id}")).bearer_auth(&token).send().await
                    };
                    let res = res.unwrap();
                    assert!(res.status().is_success());
                    res.bytes().await.unwrap();
                    done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            })
        })
        .collect();
    let started = Instant::now();
    while tasks.iter().any(|t| !t.is_finished()) {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let n = done.load(std::sync::atomic::Ordering::Relaxed);
        if n >= next_report {
            println!("  after {n:>6} requests: {} KiB", rss_kib(pid));
            next_report += step;
        }
    }
    let n = done.load(std::sync::atomic::Ordering::Relaxed);
    println!(
        "  after {n:>6} requests: {} KiB ({:.0} requests/s)",
        rss_kib(pid),
        n as f64 / started.elapsed().as_secs_f64()
    );
    let _ = std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status();
    let _ = child.wait();
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::main]
async fn main() {
    let seconds: f64 = arg("--seconds").and_then(|s| s.parse().ok()).unwrap_or(3.0);
    let rounds: usize = arg("--rounds").and_then(|s| s.parse().ok()).unwrap_or(3);
    let only = arg("--only");
    if only.as_deref() != Some("postgres") {
        let dir = std::env::temp_dir().join(format!("regflow-bench-http-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        throughput("SQLite (file, WAL)", &format!("sqlite://{}", dir.join("bench.db").display()), seconds, rounds)
            .await;
        std::fs::remove_dir_all(dir).ok();
    }
    if only.as_deref() != Some("sqlite") {
        match PgDatabase::create("http benchmark").await {
            Some(pg) => {
                throughput("PostgreSQL", pg.url(), seconds, rounds).await;
                pg.drop().await;
            }
            None => println!("PostgreSQL: set REGFLOW_PG_URL to measure it"),
        }
    }
    if only.is_none() {
        let requests = arg("--memory-requests").and_then(|s| s.parse().ok()).unwrap_or(100_000);
        memory(requests).await;
    }
}
