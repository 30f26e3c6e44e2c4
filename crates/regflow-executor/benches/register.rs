//! The register at size (SPEC 13–14): `import-register` of N units, then the unit page as
//! of a random instant for random units (p50 / p99), at 10,000, 100,000 and 1,000,000
//! entries; and onward reporting: reports produced by 8 clients recording, then handed to a
//! handler.
//!
//! `REGFLOW_PG_URL=… cargo bench -p regflow-executor --bench register -- [--units 10000,100000,1000000] [--reports 100000]`

use chrono::{DateTime, Utc};
use regflow_executor::testing::TestDb as Db;
use regflow_executor::{Engine, Request, TakeReports};
use regflow_process::identifier::UnitNumber;
use regflow_process::{
    Actor, ApplicantCategory, ApplicantInput, CaseId, Centre, CentreId, Channel, Command, IntakeInput, Role,
};
use std::io::Write;
use std::time::{Duration, Instant};

const ZHANG: &str = "630102198503120015";

fn xining() -> CentreId {
    CentreId::new("xining")
}

fn unit(n: u64) -> String {
    format!("630102001001GB{:05}F{:08}", n / 100_000_000 % 100_000, n % 100_000_000)
}

/// A small deterministic generator (xorshift).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

async fn fresh(backend: &str) -> Db {
    if backend == "sqlite" {
        Db::sqlite()
    } else {
        Db::postgres("register benchmark").await.unwrap()
    }
}

/// Imports `n` units (an owner each; every tenth with a mortgage) and reads pages.
async fn pages(backend: &str, n: u64) {
    let db = fresh(backend).await;
    let engine = Engine::builder(&db.url).centre(Centre::new("xining")).build().await.unwrap();
    let path = std::env::temp_dir().join(format!("regflow-register-bench-{}.jsonl", uuid::Uuid::new_v4().simple()));
    {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        for i in 0..n {
            let mortgage = if i % 10 == 0 {
                format!(
                    r#","mortgages":[{{"rank":1,"mortgagees":[{{"name":"青海银行","id":"91630100MA7512347R","id_type":"credit_code"}}],"mortgagors":[{{"name":"张三","id":"{ZHANG}"}}],"since":"2022-01-01T10:00:00+08:00"}}]"#
                )
            } else {
                String::new()
            };
            writeln!(
                out,
                r#"{{"unit":"{}","recorded_at":"2021-0{}-0{}T10:00:00+08:00","owners":[{{"name":"张三","id":"{ZHANG}","id_type":"resident_id"}}]{mortgage}}}"#,
                unit(i),
                1 + i % 9,
                1 + i % 9
            )
            .unwrap();
        }
    }
    let before = rss_kib();
    let started = Instant::now();
    let done = engine.import_register(&Actor::new("sup-1", [Role::Supervisor], xining()), &path).await.unwrap();
    let import_secs = started.elapsed().as_secs_f64();
    let grew = rss_kib().saturating_sub(before) / 1024;
    std::fs::remove_file(&path).ok();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut took = Vec::new();
    let base: DateTime<Utc> = "2021-01-01T00:00:00Z".parse().unwrap();
    for _ in 0..2_000 {
        let u = UnitNumber::parse(&unit(rng.next() % n)).unwrap();
        let at = base + chrono::Duration::days((rng.next() % 1800) as i64);
        let t = Instant::now();
        engine.unit_page(&xining(), &u, Some(at)).await.unwrap();
        took.push(t.elapsed());
    }
    took.sort();
    println!(
        "page {backend} {} entries: import {:.1} s (+{grew} MB), unit page as of an instant p50 {:.2} ms, p99 {:.2} ms",
        done.entries,
        import_secs,
        pct(&took, 0.50),
        pct(&took, 0.99)
    );
    db.finish().await;
}

/// 8 clients record `n` seizures on distinct units (each an entry and a report); then the
/// queued reports are handed to a handler.
async fn reports(backend: &str, n: u64) {
    let db = fresh(backend).await;
    let engine = Engine::builder(&db.url).centre(Centre::new("xining")).build().await.unwrap();
    let court = Actor::new("court-1", [Role::Court], xining());
    let materials = ["court_ruling", "assistance_notice"].map(String::from).to_vec();
    let started = Instant::now();
    let tasks: Vec<_> = (0..8u64)
        .map(|w| {
            let (engine, court, materials) = (engine.clone(), court.clone(), materials.clone());
            tokio::spawn(async move {
                for i in (w..n).step_by(8) {
                    let intake = IntakeInput::new(
                        "seizure",
                        ApplicantCategory::Individual,
                        vec![ApplicantInput::new("张三", ZHANG)],
                        unit(i),
                        Channel::Court,
                    );
                    let cmd = Command::HandleInstantly { intake, materials: materials.clone() };
                    let id = CaseId::new(format!("s{i:07}"));
                    loop {
                        match engine.execute(Request::to(&id, court.clone(), cmd.clone())).await {
                            Ok(_) => break,
                            Err(e) if e.code() == Some(regflow_process::ErrorCode::Conflict) => continue,
                            Err(e) => panic!("{e}"),
                        }
                    }
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let produced = n as f64 / started.elapsed().as_secs_f64();
    let started = Instant::now();
    let sent = engine.deliver_reports(&TakeReports).await.unwrap();
    let delivered = sent as f64 / started.elapsed().as_secs_f64();
    assert_eq!(sent as u64, n);
    println!(
        "reports {backend} {n}: produced by 8 recording clients at {produced:.0}/s, handed to a handler at {delivered:.0}/s ({:.2}×)",
        delivered / produced
    );
    db.finish().await;
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let units: Vec<u64> = arg("--units")
        .unwrap_or_else(|| "10000,100000,1000000".into())
        .split(',')
        .filter_map(|n| n.trim().parse().ok())
        .collect();
    let report_n: u64 = arg("--reports").and_then(|n| n.parse().ok()).unwrap_or(100_000);
    let mut backends = vec!["sqlite"];
    if std::env::var("REGFLOW_PG_URL").is_ok() {
        backends.push("postgres");
    }
    for backend in &backends {
        for n in &units {
            pages(backend, *n).await;
        }
        if report_n > 0 {
            reports(backend, report_n).await;
        }
    }
}
