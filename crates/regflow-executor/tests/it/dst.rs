//! A deterministic simulation: one seed drives many cases on an SQLite file through random
//! commands by random people, batches of them, clock jumps with alert passes, calendar
//! loads, concurrent writers, dropped futures and engine restarts, checking after every step that the case
//! it touched replays to what is stored with its chain intact, that no alert was handed
//! over twice or raised twice, that nothing was raised while a case is suspended, and that
//! no promise falls short of its working days; and, every few thousand steps and at the
//! end, that the register rebuilds to what is stored (verification intact), that at most
//! one seizure is active per unit and owners' shares add up to 1, that every entry has its
//! report, and that no report was handed over twice.
//!
//! `REGFLOW_DST_STEPS` (default 2,000 for a quick `cargo test`; CI runs 200,000 in a
//! release build, `.ci/dst`) and `REGFLOW_DST_SEED` (printed; replays a run).

use crate::support::*;
use async_trait::async_trait;
use regflow_executor::{AlertHandler, Engine, FiredAlert, ManualClock, Request};
use regflow_process::case::SuspensionCause;
use regflow_process::{Actor, Calendar, CaseId, Centre, Channel, Command, PolicyTimeline, Promise, Role, Task};
use std::collections::HashSet;
use std::future::Future;
use std::sync::{Arc, Mutex};

const LABELS: usize = 40;
const Y2027: &str = "date,kind,name,source\n2027-01-01,holiday,元旦,\n2027-01-04,holiday,元旦调休,\n";

/// Counts every alert handed over; a second hand-over of an id is a failure.
#[derive(Default)]
struct Once {
    seen: Mutex<HashSet<u64>>,
    twice: Mutex<Vec<u64>>,
}

#[async_trait]
impl AlertHandler for Once {
    async fn on_alert(&self, a: &FiredAlert) {
        if !self.seen.lock().unwrap().insert(a.id) {
            self.twice.lock().unwrap().push(a.id);
        }
    }
}

/// Counts every report handed over; a second hand-over of a report (entry, target and
/// message id) is a failure.
#[derive(Default)]
struct ReportsOnce {
    seen: Mutex<HashSet<String>>,
    twice: Mutex<Vec<String>>,
}

#[async_trait]
impl regflow_executor::ReportHandler for ReportsOnce {
    async fn report(&self, m: &regflow_executor::ReportMessage) -> regflow_executor::Delivery {
        // A message id repeats a century later (its `yyMMdd`); a report is its entry,
        // target and id.
        let key = format!("{}/{}/{}", m.entry.seq, m.target, m.message_id);
        if !self.seen.lock().unwrap().insert(key.clone()) {
            self.twice.lock().unwrap().push(key);
        }
        regflow_executor::Delivery::Acknowledged
    }

    async fn daily_log(&self, log: &regflow_process::register::log::DailyLog) -> regflow_executor::Delivery {
        // A (target, area, date) closes once, so its log is handed over once.
        let key = format!("log/{}/{}/{}", log.target, log.area, log.date);
        if !self.seen.lock().unwrap().insert(key.clone()) {
            self.twice.lock().unwrap().push(key);
        }
        regflow_executor::Delivery::Acknowledged
    }
}

/// The register's invariants over the whole centre.
async fn check_register(engine: &Engine, step: u64, seed: u64) {
    let v = engine.verify_register(&xining()).await.unwrap();
    assert!(v.is_intact(), "step {step} (seed {seed}): register: {:?}", v.problems);
    let entries = engine.register_entries(&xining(), 0, 10_000).await.unwrap();
    let units: std::collections::BTreeSet<_> = entries.iter().map(|e| e.draft.unit.clone()).collect();
    for unit in units {
        let page = engine.unit_page(&xining(), &unit, None).await.unwrap();
        if !page.owners.is_empty() {
            let shares = page.owners.iter().map(|o| o.share);
            assert!(
                regflow_process::register::Share::sum_to_whole(shares),
                "step {step} (seed {seed}): {unit}'s shares"
            );
        }
        assert!(
            page.restrictions.iter().filter(|r| **r == regflow_process::register::page::Restriction::Seized).count()
                <= 1
        );
    }
    let reports = engine.reports(&xining(), 0, 100_000, None).await.unwrap();
    for e in entries.iter().filter(|e| !e.draft.history) {
        assert!(reports.iter().any(|r| r.entry == e.seq), "step {step} (seed {seed}): entry {} has no report", e.seq);
    }
}

fn people() -> Vec<Actor> {
    let mut v: Vec<Actor> = [
        ("clerk-1", Role::Clerk),
        ("clerk-2", Role::Clerk),
        ("rev-1", Role::Reviewer),
        ("rev-2", Role::Reviewer),
        ("reg-1", Role::Registrar),
        ("sup-1", Role::Supervisor),
        ("tax-1", Role::TaxOfficer),
        ("tr-1", Role::TransactionOfficer),
        ("kiosk-1", Role::Kiosk),
        ("court-1", Role::Court),
    ]
    .into_iter()
    .map(|(id, r)| staff(id, r))
    .collect();
    v.push(applicant(ZHANG));
    v.push(applicant(LI));
    v
}

/// Who usually sends command `choice` (an index into [`people`]): most steps go to
/// someone who may send it, the rest to anyone, so refusals are exercised too.
fn sender(choice: u64) -> usize {
    match choice % 23 {
        20 | 21 => 9,                                 // the court seizes and releases
        22 => 0,                                      // an objection at the window
        0..=3 | 7 | 14 => (choice / 20 % 2) as usize, // clerk-1 or clerk-2
        4 | 6 | 8 | 18 | 19 => 10,                    // 张三
        5 => 1,                                       // clerk-2 pre-reviews
        9 => 6,
        10 => 7,
        11 | 12 => 2 + (choice / 20 % 2) as usize, // a reviewer
        13 => 4,
        _ => 5, // the supervisor suspends, resumes, extends
    }
}

fn command(engine: &Engine, choice: u64) -> Command {
    let s = |items: &[&str]| items.iter().map(|m| (*m).to_owned()).collect::<Vec<_>>();
    match choice % 23 {
        20 => Command::HandleInstantly {
            intake: intake("seizure", Channel::Court),
            materials: all_materials(engine, "seizure"),
        },
        21 => Command::HandleInstantly {
            intake: intake("seizure_release", Channel::Court),
            materials: all_materials(engine, "seizure_release"),
        },
        22 => accept(engine, "objection", Channel::Window),
        0 | 1 => accept(engine, "transfer_second_hand", Channel::Window),
        2 => Command::Accept {
            intake: Some(intake("transfer_second_hand", Channel::Window)),
            materials: s(&["application_form", "identity_proof", "title_certificate", "sale_contract"]),
        },
        3 => accept(engine, "change", Channel::Window),
        4 => Command::Apply {
            intake: intake("change", Channel::Online),
            materials: s(&["application_form", "identity_proof"]),
        },
        5 => Command::PreReview { pass: !choice.is_multiple_of(3), problems: s(&["unclear"]) },
        6 => Command::Amend {
            materials: s(&["application_form", "identity_proof", "title_certificate", "change_proof"]),
        },
        7 => Command::Accept { intake: None, materials: s(&["title_certificate", "change_proof"]) },
        8 => Command::SupplyMaterials { materials: s(&["marital_status_proof", "household_register"]) },
        9 => Command::task_succeeded(Task::Tax),
        10 => Command::task_succeeded(Task::TransactionFiling),
        11 | 12 => Command::Review,
        13 => Command::Record,
        14 => Command::IssueCertificate,
        15 => Command::Suspend { cause: SuspensionCause::ALL[(choice % 5) as usize], note: "dst".into() },
        16 => Command::Resume,
        17 => Command::Extend { working_days: choice % 4 + 1, reason: "dst".into() },
        18 => Command::Withdraw { consenting: s(&[ZHANG, LI]) },
        _ => Command::Evaluate { rating: 5, comment: String::new() },
    }
}

async fn open(url: &str, clock: &ManualClock) -> Engine {
    Engine::builder(url).centre(Centre::new("xining")).clock(clock.clone()).build().await.unwrap()
}

/// The checks on one case after a step.
async fn check(engine: &Engine, id: &CaseId, policies: &PolicyTimeline, step: u64, seed: u64) {
    let Some(view) = engine.case(id).await.unwrap() else {
        return;
    };
    let v = engine.verify(id).await.unwrap();
    assert!(v.is_intact(), "step {step} (seed {seed}): {id}: {:?}", v.problems);
    let case = view.case;
    let mut raised = HashSet::new();
    for a in case.alerts() {
        assert!(raised.insert(a.alert), "step {step} (seed {seed}): {id} raised {:?} twice", a.alert);
    }
    // No clock runs while suspended: nothing was raised since the suspension began.
    if let Some(suspended) = case.suspension() {
        for a in case.alerts() {
            assert!(
                a.raised_at <= suspended.since,
                "step {step} (seed {seed}): {id} raised {:?} at {} while suspended since {}",
                a.alert,
                a.raised_at,
                suspended.since
            );
        }
    }
    // A finished case keeps the deadlines of the calendar it finished under; an open one's
    // come from the calendar in force (a load re-projects it).
    if let (false, Some(acc), Some(d)) = (case.state().is_terminal(), case.acceptance(), case.deadlines()) {
        let hours = engine.centre(case.centre()).unwrap().hours;
        let policy = policies.in_force(hours.local_date(acc.at)).unwrap();
        if let Promise::WorkingDays(n) = policy.promise_for(case.kind(), case.intake().category) {
            let cal = engine.calendar();
            let days = cal
                .working_days_between_projected(hours.local_date(acc.at), hours.local_date(d.promise.due_at))
                .unwrap()
                .value;
            assert!(
                days >= n,
                "step {step} (seed {seed}): {id}'s promise is {days} working days after acceptance, under {n}: \
                 accepted {}, promise {}, deadlines by {}, engine on {}, history {:?}",
                hours.format(acc.at),
                hours.format(d.promise.due_at),
                d.calendar_version,
                cal.version(),
                view.history.iter().map(|h| (h.event.command.as_str(), hours.format(h.event.at))).collect::<Vec<_>>()
            );
        }
    }
}

#[tokio::test]
async fn a_seeded_simulation_keeps_every_invariant() {
    let steps = env_or("REGFLOW_DST_STEPS", 2_000);
    let seed = seed_from_env("REGFLOW_DST_SEED");
    println!("deterministic simulation: {steps} steps, REGFLOW_DST_SEED={seed}");
    let db = Db::sqlite();
    // Power-loss durability is not what this checks; syncing only at checkpoints makes steps cheap.
    let url = format!("{}?synchronous=normal", db.url);
    let clock = ManualClock::new(at("2026-03-02T09:00:00+08:00"));
    let mut engine = open(&url, &clock).await;
    let policies = PolicyTimeline::builtin();
    let people = people();
    let handler = Arc::new(Once::default());
    let reports = ReportsOnce::default();
    let mut rng = Rng(seed | 1);
    let mut now = at("2026-03-02T09:00:00+08:00");
    let builtin = Calendar::builtin().to_csv();
    let (mut commands, mut accepted_steps, mut jumps, mut restarts) = (0u64, 0u64, 0u64, 0u64);
    // Cases come and go: a creating command usually opens a new label, other commands go
    // to one of the last LABELS labels.
    let mut next_label: u64 = 0;
    for step in 0..steps {
        let recent = next_label.saturating_sub(LABELS as u64) + rng.below(LABELS as u64);
        let mut id = CaseId::new(format!("d{recent}"));
        match rng.below(100) {
            60..=64 => {
                // A batch of a few commands, each on its own, mostly to one case.
                let mut requests = Vec::new();
                let mut touched = vec![id.clone()];
                for _ in 0..2 + rng.below(3) {
                    let choice = rng.next();
                    let target = if rng.below(4) == 0 {
                        let other =
                            CaseId::new(format!("d{}", next_label.saturating_sub(1 + rng.below(LABELS as u64))));
                        touched.push(other.clone());
                        other
                    } else {
                        id.clone()
                    };
                    requests.push(Request::to(&target, people[sender(choice)].clone(), command(&engine, choice)));
                }
                commands += requests.len() as u64;
                let results = engine.execute_each(requests).await.unwrap();
                accepted_steps += results.iter().filter(|r| r.is_ok()).count() as u64;
                for t in &touched {
                    check(&engine, t, &policies, step, seed).await;
                }
            }
            0..=69 => {
                let choice = rng.next();
                let who = if rng.below(10) < 8 { sender(choice) } else { rng.below(people.len() as u64) as usize };
                let actor = people[who].clone();
                let cmd = command(&engine, choice);
                if cmd.name().creates() && rng.below(4) != 0 {
                    id = CaseId::new(format!("d{next_label}"));
                    next_label += 1;
                }
                commands += 1;
                if engine.execute(Request::to(&id, actor, cmd)).await.is_ok() {
                    accepted_steps += 1;
                }
                check(&engine, &id, &policies, step, seed).await;
            }
            70..=84 => {
                // Time passes: minutes to days; what fell due fires.
                now += chrono::Duration::minutes(rng.below(60 * 24 * 3) as i64 + 1);
                clock.set(now);
                jumps += 1;
                let pass = engine.run_due(now, handler.as_ref()).await.unwrap();
                engine.deliver_reports(&reports).await.unwrap();
                let touched: HashSet<CaseId> =
                    pass.alerts.iter().map(|a| a.case_id.clone()).chain(pass.resumed.iter().cloned()).collect();
                for t in &touched {
                    check(&engine, t, &policies, step, seed).await;
                }
            }
            85..=89 => {
                // Two writers on one case at once: at most one wins each version.
                let (x, y) = (rng.next(), rng.next());
                let (a, b) = (people[sender(x)].clone(), people[sender(y)].clone());
                let (ca, cb) = (command(&engine, x), command(&engine, y));
                let (e1, e2) = (engine.clone(), engine.clone());
                let (i1, i2) = (id.clone(), id.clone());
                let _ = tokio::join!(async move { e1.execute(Request::to(&i1, a, ca)).await }, async move {
                    e2.execute(Request::to(&i2, b, cb)).await
                });
                check(&engine, &id, &policies, step, seed).await;
            }
            90..=94 => {
                // A caller that goes away after the first poll: all or nothing.
                let choice = rng.next();
                let actor = people[sender(choice)].clone();
                {
                    let fut = engine.execute(Request::to(&id, actor, command(&engine, choice)));
                    let mut fut = std::pin::pin!(fut);
                    std::future::poll_fn(|cx| {
                        let _ = fut.as_mut().poll(cx);
                        std::task::Poll::Ready(())
                    })
                    .await;
                } // the caller's future is dropped here
                tokio::task::yield_now().await;
                tokio::time::sleep(std::time::Duration::from_millis(1)).await;
                check(&engine, &id, &policies, step, seed).await;
            }
            // A calendar load now and then: each re-projects every suspended open case, so
            // frequent loads would make the run quadratic in its length.
            95 if rng.below(50) == 0 => {
                let sup = staff("sup-1", Role::Supervisor);
                let loaded = if rng.below(2) == 0 {
                    engine.load_calendar(&sup, Y2027).await
                } else {
                    engine.replace_calendar(&sup, &builtin).await
                };
                for moved in &loaded.unwrap().moved {
                    check(&engine, moved, &policies, step, seed).await;
                }
            }
            _ if rng.below(16) != 0 => {}
            _ => {
                drop(engine);
                engine = open(&url, &clock).await;
                restarts += 1;
            }
        }
        assert!(
            handler.twice.lock().unwrap().is_empty(),
            "step {step} (seed {seed}): alerts handed over twice: {:?}",
            handler.twice.lock().unwrap()
        );
        assert!(reports.twice.lock().unwrap().is_empty(), "step {step} (seed {seed}): a report handed over twice");
        if step % 5_000 == 4_999 {
            check_register(&engine, step, seed).await;
        }
    }
    // Everything fires in the end, each alert once.
    now += chrono::Duration::days(400);
    clock.set(now);
    engine.run_due(now, handler.as_ref()).await.unwrap();
    engine.deliver_reports(&reports).await.unwrap();
    check_register(&engine, steps, seed).await;
    for n in 0..next_label {
        check(&engine, &CaseId::new(format!("d{n}")), &policies, steps, seed).await;
    }
    assert!(handler.twice.lock().unwrap().is_empty());
    let entries = engine.register_entries(&xining(), 0, 100_000).await.unwrap().len();
    let alerts = handler.seen.lock().unwrap().len();
    let handed = reports.seen.lock().unwrap().len();
    println!(
        "deterministic simulation: {steps} steps — {next_label} cases, {commands} commands ({accepted_steps} accepted), {jumps} clock jumps, {restarts} restarts, {alerts} alerts each handed over once, {entries} register entries, {handed} reports each handed over once",
    );
    db.finish().await;
}
