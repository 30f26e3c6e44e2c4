//! What `issue_certificate` costs: cases accepted, reviewed and recorded beforehand, then
//! only their issuing timed, one worker, three rounds on fresh databases; medians of
//! throughput and the p50 / p99 latency of one issue. Issue 27's target: with signing, at
//! most 1.2× the cost without. "Without" is the same file built from the commit before
//! certificates (`d0124a3`), whose `issue_certificate` wrote no document: the function
//! between the `KEY` marks gives no key there (BENCHMARKS.md has the commands).
//!
//! `REGFLOW_PG_URL=… cargo bench -p regflow-executor --bench issue -- [--cases 300] [--algorithm sm2|ed25519]`

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

/// Issues the certificates of `cases` recorded cases; (issues per second, latencies).
async fn round(db: &Db, cases: usize, algorithm: &str) -> (f64, Vec<Duration>) {
    let builder = with_key(Engine::builder(&db.url).centre(Centre::new("xining")), algorithm);
    let engine = builder.build().await.unwrap();
    for n in 0..cases {
        let id = CaseId::new(format!("i{n:06}"));
        engine.execute(Request::to(&id, staff("clerk-1", Role::Clerk), accept(n))).await.unwrap();
        engine.execute(Request::to(&id, staff("rev-1", Role::Reviewer), Command::Review)).await.unwrap();
        engine.execute(Request::to(&id, staff("reg-1", Role::Registrar), Command::Record)).await.unwrap();
    }
    let mut took = Vec::with_capacity(cases);
    let started = Instant::now();
    for n in 0..cases {
        let id = CaseId::new(format!("i{n:06}"));
        let t = Instant::now();
        engine.execute(Request::to(&id, staff("clerk-2", Role::Clerk), Command::IssueCertificate)).await.unwrap();
        took.push(t.elapsed());
    }
    (cases as f64 / started.elapsed().as_secs_f64(), took)
}

// KEY begin: the commit before certificates has no keys; there this is `b` alone.
fn with_key(b: regflow_executor::EngineBuilder, algorithm: &str) -> regflow_executor::EngineBuilder {
    let key = regflow_executor::signing::SigningKey::generate(algorithm.parse().unwrap()).unwrap();
    b.signing_key(CentreId::new("xining"), key)
}
// KEY end

fn pct(sorted: &[Duration], p: f64) -> f64 {
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let cases: usize = arg("--cases").and_then(|s| s.parse().ok()).unwrap_or(300);
    let algorithm = arg("--algorithm").unwrap_or_else(|| "sm2".to_owned());
    let mut backends = vec!["sqlite"];
    if std::env::var("REGFLOW_PG_URL").is_ok() {
        backends.push("postgres");
    }
    for backend in backends {
        let (mut rates, mut lat) = (Vec::new(), Vec::new());
        for _ in 0..3 {
            let db = if backend == "sqlite" { Db::sqlite() } else { Db::postgres("issue benchmark").await.unwrap() };
            let (rate, took) = round(&db, cases, &algorithm).await;
            rates.push(rate);
            lat.extend(took);
            db.finish().await;
        }
        rates.sort_by(f64::total_cmp);
        lat.sort();
        println!(
            "issue_certificate {backend} ({algorithm}): {:.0} issues/s (runs {}), p50 {:.2} ms, p99 {:.2} ms",
            rates[1],
            rates.iter().map(|r| format!("{r:.0}")).collect::<Vec<_>>().join("/"),
            pct(&lat, 0.50),
            pct(&lat, 0.99)
        );
    }
}
