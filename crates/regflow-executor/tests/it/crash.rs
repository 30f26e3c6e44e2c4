//! Crash consistency (SPEC 6, 13, 14): a child process runs a mixed load — new cases,
//! reviews, calendar loads that re-project thousands of open cases, seizures and
//! objections recorded in the register, lapses fired, reports delivered and acknowledged —
//! and is killed with SIGKILL at random moments, again and again. Afterwards every history
//! verifies (chain, replay = stored case), every calendar load is finished, every open
//! case's deadlines come from the calendar in force, the register verifies (no entry
//! without its event, no event without its entry, the rebuild equal to what is stored),
//! every entry has its report, and new commands succeed.
//!
//! 20 kills per backend by default; `REGFLOW_CRASH_ROUNDS=300` for more,
//! `REGFLOW_CRASH_SEED` to replay a run.

use crate::support::*;
use regflow_executor::{Engine, ManualClock, Request};
use regflow_process::{Actor, Calendar, CaseId, Centre, Channel, Command, Role};
use std::io::{BufRead, BufReader};
use std::process::{Command as Process, Stdio};
use std::time::{Duration, Instant};

const CHILD_URL: &str = "REGFLOW_CRASH_CHILD_URL";
const CHILD_SEED: &str = "REGFLOW_CRASH_CHILD_SEED";
const SEEDED: usize = 2000;
/// 2027's holidays, as a centre would load them in November 2026.
const Y2027: &str = "date,kind,name,source\n2027-01-01,holiday,元旦,\n2027-01-04,holiday,元旦调休,\n";

fn clock() -> ManualClock {
    ManualClock::new(at("2026-12-30T10:00:00+08:00"))
}

async fn open_engine(url: &str) -> Engine {
    Engine::builder(url).centre(Centre::new("xining")).clock(clock()).build().await.unwrap()
}

fn supervisor() -> Actor {
    staff("sup-1", Role::Supervisor)
}

/// The child: runs the mixed load until it is killed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "the child process of `crash_consistency`; it runs until killed"]
async fn crash_child() {
    let url = std::env::var(CHILD_URL).expect("run by crash_consistency");
    let seed: u64 = std::env::var(CHILD_SEED).unwrap().parse().unwrap();
    // Building the engine finishes a load an earlier kill cut off: that too may be killed.
    let engine = open_engine(&url).await;
    println!("ready");
    let mut rng = Rng(seed | 1);
    let builtin = Calendar::builtin().to_csv();
    for i in 0u64.. {
        let id = CaseId::new(format!("k{seed}-{i}"));
        let _ = engine
            .execute(Request::to(&id, staff("clerk-1", Role::Clerk), accept(&engine, "change", Channel::Window)))
            .await;
        match rng.next() % 6 {
            0 => {
                let _ = engine.load_calendar(&supervisor(), Y2027).await;
            }
            1 => {
                let _ = engine.replace_calendar(&supervisor(), &builtin).await;
            }
            2 => {
                let n = rng.next() as usize % SEEDED;
                let seeded = CaseId::new(format!("s{n:05}"));
                let _ = engine.execute(Request::to(&seeded, staff("rev-1", Role::Reviewer), Command::Review)).await;
            }
            3 => {
                // A court's seizure (active, or queued behind one), then the reports go out
                // and the platform answers.
                let seizure = Command::HandleInstantly {
                    intake: intake("seizure", Channel::Court),
                    materials: all_materials(&engine, "seizure"),
                };
                let _ = engine
                    .execute(Request::to(&CaseId::new(format!("{id}z")), staff("court-1", Role::Court), seizure))
                    .await;
                let _ = engine.deliver_reports(&regflow_executor::TakeReports).await;
                let adapter = Actor::new("adapter-1", [Role::Reporter], xining());
                if let Ok(reports) = engine.reports(&xining(), 0, 1_000, None).await {
                    for r in reports.iter().filter(|r| r.state == regflow_process::register::ReportState::Sent).take(3)
                    {
                        let ok = regflow_process::register::AckResult::Accepted;
                        let _ = engine.ack_report(&adapter, r.entry, r.target, &r.message_id, ok, None).await;
                    }
                }
            }
            4 => {
                // An objection recorded, and the days after it pass: it lapses.
                let o = CaseId::new(format!("{id}o"));
                let _ = engine
                    .execute(Request::to(
                        &o,
                        staff("clerk-1", Role::Clerk),
                        accept(&engine, "objection", Channel::Window),
                    ))
                    .await;
                let _ = engine.execute(Request::to(&o, staff("rev-1", Role::Reviewer), Command::Review)).await;
                let _ = engine.execute(Request::to(&o, staff("reg-1", Role::Registrar), Command::Record)).await;
                let _ = engine.run_due(at("2027-02-01T00:00:00+08:00"), &regflow_executor::IgnoreAlerts).await;
            }
            _ => {}
        }
    }
}

async fn kills(db: &Db) {
    let rounds = env_or("REGFLOW_CRASH_ROUNDS", 20) as usize;
    let seed = seed_from_env("REGFLOW_CRASH_SEED");
    println!("crash consistency: {rounds} kills, REGFLOW_CRASH_SEED={seed}");
    // Thousands of open cases whose deadlines reach into 2027, so every load re-projects them.
    {
        let engine = open_engine(&db.url).await;
        let tasks: Vec<_> = (0..4)
            .map(|w| {
                let engine = engine.clone();
                tokio::spawn(async move {
                    for n in (w..SEEDED).step_by(4) {
                        let id = CaseId::new(format!("s{n:05}"));
                        let req =
                            Request::to(&id, staff("clerk-1", Role::Clerk), accept(&engine, "change", Channel::Window));
                        engine.execute(req).await.unwrap();
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
    }
    let me = std::env::current_exe().unwrap();
    let mut rng = Rng(seed | 1);
    for round in 0..rounds {
        let mut child = Process::new(&me)
            .args(["--ignored", "--exact", "crash::crash_child", "--nocapture", "--test-threads=1"])
            .env(CHILD_URL, &db.url)
            .env(CHILD_SEED, (seed.wrapping_add(round as u64)).to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Kill either while the engine starts (finishing an earlier load) or once it runs.
        let early = rng.next().is_multiple_of(4);
        if !early {
            let mut line = String::new();
            let mut out = BufReader::new(child.stdout.take().unwrap());
            let started = Instant::now();
            while !line.contains("ready") && started.elapsed() < Duration::from_secs(60) {
                line.clear();
                if out.read_line(&mut line).unwrap() == 0 {
                    break;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(rng.next() % 600)).await;
        child.kill().unwrap();
        child.wait().unwrap();
    }

    // Whatever was cut off is finished by the next engine.
    let engine = open_engine(&db.url).await;
    let loads = engine.calendar_loads().await.unwrap();
    assert!(loads.iter().all(|l| l.reprojected_at.is_some()), "a load left unfinished");
    let head = engine.current_calendar().await.unwrap();
    let mut ids = Vec::new();
    loop {
        let page = engine.case_ids(ids.last(), 1000).await.unwrap();
        if page.is_empty() {
            break;
        }
        ids.extend(page);
    }
    assert!(ids.len() >= SEEDED);
    let mut open = 0;
    for id in &ids {
        let v = engine.verify(id).await.unwrap();
        assert!(v.is_intact(), "{id}: {:?}", v.problems);
        let case = engine.case(id).await.unwrap().unwrap().case;
        if let (false, Some(d)) = (case.state().is_terminal(), case.deadlines()) {
            open += 1;
            assert_eq!(&d.calendar_version, head.version(), "{id} keeps deadlines of another calendar");
            assert_eq!(d.provisional(), !head.covers(2027), "{id}");
        }
    }
    assert!(open >= SEEDED / 2);
    // The register: chain, rebuild, events and entries one for one; a report per entry.
    let v = engine.verify_register(&xining()).await.unwrap();
    assert!(v.is_intact(), "register: {:?}", v.problems);
    let entries = engine.register_entries(&xining(), 0, 10_000).await.unwrap();
    let reports = engine.reports(&xining(), 0, 100_000, None).await.unwrap();
    for e in &entries {
        assert_eq!(reports.iter().filter(|r| r.entry == e.seq).count(), 1, "entry {} and its report", e.seq);
    }
    // And the engine goes on.
    let fresh = CaseId::new("after-the-crashes");
    engine
        .execute(Request::to(&fresh, staff("clerk-1", Role::Clerk), accept(&engine, "change", Channel::Window)))
        .await
        .unwrap();
    engine.load_calendar(&supervisor(), Y2027).await.unwrap();
    println!(
        "crash consistency: {} cases and {} register entries verified after {rounds} kills",
        ids.len(),
        entries.len()
    );
}
regflow_executor::on_both!(crash_consistency, kills);
