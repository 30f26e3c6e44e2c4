//! What SQLite's durability costs: `accept` commands per second on a WAL file with
//! `synchronous=FULL` (regflow's default: an acknowledged command survives a power cut)
//! beside `synchronous=NORMAL` (survives an application crash only), 1 and 8 workers,
//! rounds alternating between the two, medians.
//!
//! `cargo bench -p regflow-executor --bench durability [-- --seconds 3 --rounds 3]`

use regflow_executor::{Engine, Request};
use regflow_process::{Actor, Centre, CentreId, Command, Role};
use std::time::{Duration, Instant};

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

fn accept() -> Command {
    let body = serde_json::json!({"kind": "change", "applicant_category": "individual", "channel": "window",
        "unit": "630102001001GB00001F00010001", "applicants": [{"name": "张三", "id": "630102198503120015"}],
        "materials": ["application_form", "identity_proof", "title_certificate", "change_proof"]});
    regflow_process::wire::command("accept", body.as_object().unwrap(), false).unwrap()
}

async fn round(engine: &Engine, workers: usize, seconds: f64) -> f64 {
    let clerk = Actor::new("clerk-1", [Role::Clerk], CentreId::new("xining"));
    let until = Instant::now() + Duration::from_secs_f64(seconds);
    let started = Instant::now();
    let tasks: Vec<_> = (0..workers)
        .map(|_| {
            let (engine, clerk) = (engine.clone(), clerk.clone());
            tokio::spawn(async move {
                let mut n = 0u64;
                while Instant::now() < until {
                    engine.execute(Request::new(clerk.clone(), accept())).await.unwrap();
                    n += 1;
                }
                n
            })
        })
        .collect();
    let mut total = 0;
    for t in tasks {
        total += t.await.unwrap();
    }
    total as f64 / started.elapsed().as_secs_f64()
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

#[tokio::main]
async fn main() {
    let seconds: f64 = arg("--seconds").and_then(|s| s.parse().ok()).unwrap_or(3.0);
    let rounds: usize = arg("--rounds").and_then(|s| s.parse().ok()).unwrap_or(3);
    let dir = std::env::temp_dir().join(format!("regflow-durability-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut engines = Vec::new();
    for level in ["full", "normal"] {
        let url = format!("sqlite://{}?synchronous={level}", dir.join(format!("{level}.db")).display());
        let engine = Engine::builder(url).centre(Centre::new("xining")).build().await.unwrap();
        round(&engine, 2, 0.3).await;
        engines.push((level, engine));
    }
    println!("SQLite (WAL file) accept commands per second, {rounds} alternating rounds of {seconds} s, medians");
    println!("  {:>7} {:>14} {:>14} {:>8}", "workers", "FULL", "NORMAL", "ratio");
    for workers in [1usize, 8] {
        let (mut full, mut normal) = (Vec::new(), Vec::new());
        for _ in 0..rounds {
            full.push(round(&engines[0].1, workers, seconds).await);
            normal.push(round(&engines[1].1, workers, seconds).await);
        }
        let (f, n) = (median(full), median(normal));
        println!("  {workers:>7} {f:>14.0} {n:>14.0} {:>7.2}×", f / n);
    }
    std::fs::remove_dir_all(dir).ok();
}
