//! What `record` (登簿) costs: cases accepted and reviewed beforehand, then only their
//! recordings timed, by 1 and 8 workers, three rounds each on fresh databases; medians of
//! throughput and the p50 / p99 latency of one recording. It uses only the engine's
//! long-standing API, so the same file measures an earlier version of regflow too (the
//! comparison of BENCHMARKS.md builds it in a worktree of that version).
//!
//! `REGFLOW_PG_URL=… cargo bench -p regflow-executor --bench record -- [--cases 400]`

use regflow_executor::testing::TestDb as Db;
use regflow_executor::{Engine, Request};
use regflow_process::{
    Actor, ApplicantCategory, ApplicantInput, CaseId, Centre, CentreId, Channel, Command, IntakeInput, Role,
};
use std::time::{Duration, Instant};

const ZHANG: &str = "630102198503120015";

fn staff(id: &str, role: Role) -> Actor {
    Actor::new(id, [role], CentreId::new("xining"))
}

fn accept(n: usize) -> Command {
    let unit = format!("630102001001GB{:05}F{:08}", n / 100_000_000 % 100_000, n % 100_000_000);
    let intake = IntakeInput::new(
        "change",
        ApplicantCategory::Individual,
        vec![ApplicantInput::new("张三", ZHANG)],
        unit,
        Channel::Window,
    );
    let materials =
        ["application_form", "identity_proof", "title_certificate", "change_proof"].map(String::from).to_vec();
    Command::Accept { intake: Some(intake), materials }
}

/// Records `per_worker` cases on each of `workers` workers; (recordings per second,
/// latencies).
async fn round(db: &Db, workers: usize, per_worker: usize) -> (f64, Vec<Duration>) {
    let engine = Engine::builder(&db.url).centre(Centre::new("xining")).build().await.unwrap();
    let total = workers * per_worker;
    for n in 0..total {
        let id = CaseId::new(format!("r{n:06}"));
        engine.execute(Request::to(&id, staff("clerk-1", Role::Clerk), accept(n))).await.unwrap();
        engine.execute(Request::to(&id, staff("rev-1", Role::Reviewer), Command::Review)).await.unwrap();
    }
    let started = Instant::now();
    let tasks: Vec<_> = (0..workers)
        .map(|w| {
            let engine = engine.clone();
            tokio::spawn(async move {
                let mut took = Vec::with_capacity(per_worker);
                for n in (w..total).step_by(workers) {
                    let id = CaseId::new(format!("r{n:06}"));
                    let t = Instant::now();
                    loop {
                        match engine.execute(Request::to(&id, staff("reg-1", Role::Registrar), Command::Record)).await {
                            Ok(_) => break,
                            // A lost race on a shared head is retried, as a client would.
                            Err(e) if e.code() == Some(regflow_process::ErrorCode::Conflict) => continue,
                            Err(e) => panic!("{e}"),
                        }
                    }
                    took.push(t.elapsed());
                }
                took
            })
        })
        .collect();
    let mut all = Vec::with_capacity(total);
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    (total as f64 / started.elapsed().as_secs_f64(), all)
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let cases: usize =
        args.iter().position(|a| a == "--cases").and_then(|i| args.get(i + 1)?.parse().ok()).unwrap_or(400);
    let mut backends = vec!["sqlite"];
    if std::env::var("REGFLOW_PG_URL").is_ok() {
        backends.push("postgres");
    }
    for backend in backends {
        for workers in [1usize, 8] {
            let (mut rates, mut lat) = (Vec::new(), Vec::new());
            for _ in 0..3 {
                let db =
                    if backend == "sqlite" { Db::sqlite() } else { Db::postgres("record benchmark").await.unwrap() };
                let (rate, took) = round(&db, workers, (cases / workers).max(1)).await;
                rates.push(rate);
                lat.extend(took);
                db.finish().await;
            }
            rates.sort_by(f64::total_cmp);
            lat.sort();
            println!(
                "record {backend} {workers} worker(s): {:.0} rec/s (runs {}), p50 {:.2} ms, p99 {:.2} ms",
                rates[1],
                rates.iter().map(|r| format!("{r:.0}")).collect::<Vec<_>>().join("/"),
                pct(&lat, 0.50),
                pct(&lat, 0.99)
            );
        }
    }
}
