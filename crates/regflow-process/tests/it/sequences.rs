//! Property tests over random command sequences, and serde round-trips.

use crate::at;
use crate::world::*;
use proptest::prelude::*;
use regflow_process::case::SuspensionCause;
use regflow_process::catalogue::Task;
use regflow_process::{Actor, Case, Channel, Command, Event, Role, State, TaskOutcome};

fn actors(w: &World) -> Vec<Actor> {
    let mut v: Vec<Actor> =
        ["clerk-1", "clerk-2", "rev-1", "reg-1", "sup-1", "tax-1", "tr-1", "bank-1", "kiosk-1", "court-1", "system"]
            .iter()
            .map(|id| w.staff(id))
            .collect();
    v.push(w.applicant(ZHANG));
    v.push(w.applicant(LI));
    v.push(Actor::new("pat", [Role::Clerk, Role::Reviewer, Role::Registrar, Role::Supervisor], w.centre.id.clone()));
    v
}

fn command(w: &World, label: &str, choice: u8) -> Command {
    let m = |items: &[&str]| strings(items);
    match choice % 30 {
        0 => accept(w, "transfer_second_hand", Channel::Window),
        1 => Command::Accept {
            intake: Some(intake("transfer_second_hand", Channel::Window)),
            materials: m(&["application_form", "identity_proof", "title_certificate", "sale_contract"]),
        },
        2 => accept(w, "change", Channel::Window),
        3 => Command::HandleInstantly {
            intake: intake("information_query", Channel::Kiosk),
            materials: m(&["identity_proof"]),
        },
        4 => Command::Apply { intake: intake("change", Channel::Online), materials: m(&["application_form"]) },
        5 => Command::PreReview { pass: true, problems: vec![] },
        6 => Command::PreReview { pass: false, problems: m(&["unclear"]) },
        7 => Command::Amend { materials: m(&["identity_proof", "title_certificate", "change_proof"]) },
        8 => Command::Accept { intake: None, materials: m(&["identity_proof"]) },
        9 => Command::SupplyMaterials { materials: m(&["marital_status_proof", "household_register"]) },
        10 => Command::task_succeeded(Task::Tax),
        11 => Command::task_succeeded(Task::TransactionFiling),
        12 => Command::CompleteTask { task: Task::Tax, outcome: TaskOutcome::Failed { reason: "dispute".into() } },
        13 => Command::Review,
        14 => Command::Record,
        15 => Command::IssueCertificate,
        16 => Command::Suspend { cause: SuspensionCause::Appraisal, note: "鉴定".into() },
        17 => Command::Resume,
        18 => Command::Reject { ground: "violates_law".into(), note: "x".into() },
        19 => Command::Withdraw { consenting: m(&[ZHANG, LI]) },
        20 => Command::Withdraw { consenting: m(&[ZHANG]) },
        21 => Command::Extend { working_days: 2, reason: "complex".into() },
        22 => Command::Extend { working_days: 40, reason: "complex".into() },
        23 => Command::Evaluate { rating: 5, comment: "good".into() },
        24 => accept(w, "first_registration_homestead", Channel::Window),
        25 => Command::AutoResume,
        26 => match w.cases.get(label).and_then(|c| c.armed_alerts().first().copied()) {
            Some(alert) => Command::RaiseAlert { alert },
            None => Command::Review,
        },
        27 => Command::Reproject,
        28 => accept(w, "mortgage", Channel::Bank),
        _ => Command::Accept { intake: Some(intake("change", Channel::Window)), materials: m(&["application_form"]) },
    }
}

/// The actor who would normally issue a command from the menu.
fn usual_actor(w: &World, choice: u8) -> Actor {
    match choice % 30 {
        0 | 1 | 2 | 8 | 24 | 29 => w.staff("clerk-1"),
        3 => w.staff("kiosk-1"),
        4 | 9 | 23 => w.applicant(ZHANG),
        5 | 6 | 15 => w.staff("clerk-2"),
        7 | 19 | 20 => w.applicant(LI),
        10 | 12 => w.staff("tax-1"),
        11 => w.staff("tr-1"),
        13 | 18 => w.staff("rev-1"),
        14 => w.staff("reg-1"),
        16 | 17 | 21 | 22 => w.staff("sup-1"),
        25..=27 => w.staff("system"),
        _ => w.staff("bank-1"),
    }
}

fn check_invariants(w: &World, label: &str) -> Result<(), TestCaseError> {
    let case = &w.cases[label];
    // A case is exactly the fold of its events.
    let replayed = Case::replay(&w.history[label]).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(&replayed, case);
    prop_assert_eq!(case.version(), w.history[label].len() as u64);
    // Deadlines never precede acceptance.
    if let Some(a) = case.acceptance() {
        for d in a.deadlines.iter() {
            prop_assert!(d.due_at >= a.at);
            if let Some(wt) = d.warning_at {
                prop_assert!(wt > a.at);
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_command_sequences_keep_the_invariants(
        steps in prop::collection::vec(
            (0u8..3, prop::option::weighted(0.25, 0u8..14), 0u8..30, -120i64..2000),
            1..80,
        )
    ) {
        let mut w = World::new();
        let pool = actors(&w);
        let mut now = at("2026-03-02T08:00:00+08:00");
        for (label_i, actor_i, choice, minutes) in steps {
            let label = ["A", "B", "C"][label_i as usize];
            now += chrono::Duration::minutes(minutes);
            // Mostly the usual actor, sometimes anyone (to exercise the refusals).
            let actor = match actor_i {
                Some(i) => pool[i as usize % pool.len()].clone(),
                None => usual_actor(&w, choice),
            };
            let actor = &actor;
            let cmd = command(&w, label, choice);
            let before = w.cases.get(label).cloned();
            // Refusals are checked inside try_step: the case is unchanged.
            match w.try_step_at(label, now, actor, cmd) {
                Ok(d) => {
                    if let Some(b) = &before {
                        if b.state().is_terminal() {
                            prop_assert_eq!(d.case.state(), b.state(), "terminal states absorb");
                        }
                    }
                    for e in &d.events {
                        prop_assert!(e.at >= before.as_ref().map_or(e.at, |b| b.updated_at()));
                    }
                    prop_assert_eq!(&d.alerts, &d.case.armed_alerts());
                    if matches!(d.case.state(), State::Suspended) || d.case.state().is_terminal() {
                        prop_assert!(d.alerts.is_empty());
                    }
                    check_invariants(&w, label)?;
                }
                Err(_) => {
                    prop_assert_eq!(w.cases.get(label), before.as_ref());
                }
            }
        }
    }
}

#[test]
fn serde_round_trips_with_stable_ids() {
    let mut w = World::new();
    let clerk = w.staff("clerk-1");
    let cmd = accept(&w, "first_registration_homestead", Channel::Window);
    w.ok("H", "2026-03-02T09:00:00+08:00", &clerk, cmd);
    w.ok("H", "2026-03-03T10:00:00+08:00", &w.staff("rev-1"), Command::Review);
    let case = w.case("H").clone();
    let json = serde_json::to_string(&case).unwrap();
    assert!(json.contains("\"state\":\"suspended\""), "{json}");
    assert!(json.contains("\"cause\":\"public_notice\""));
    assert_eq!(serde_json::from_str::<Case>(&json).unwrap(), case);
    for e in &w.history["H"] {
        let json = serde_json::to_string(e).unwrap();
        assert_eq!(&serde_json::from_str::<Event>(&json).unwrap(), e);
    }
    let e = serde_json::to_value(&w.history["H"][2]).unwrap();
    assert_eq!(e["command"], "auto_suspend");
    assert_eq!(e["state_before"], "reviewed");
    assert_eq!(e["change"]["type"], "suspended");
    let cmd =
        Command::CompleteTask { task: Task::TransactionFiling, outcome: TaskOutcome::Failed { reason: "r".into() } };
    let v = serde_json::to_value(&cmd).unwrap();
    assert_eq!(v["command"], "complete_task");
    assert_eq!(v["task"], "transaction_filing");
    assert_eq!(serde_json::from_value::<Command>(v).unwrap(), cmd);
    for s in State::ALL {
        assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
    }
    for code in [regflow_process::ErrorCode::UnitSeized, regflow_process::ErrorCode::PartialWithdrawal] {
        assert_eq!(serde_json::to_value(code).unwrap(), code.as_str());
    }
}
