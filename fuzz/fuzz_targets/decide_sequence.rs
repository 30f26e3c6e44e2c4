//! `decide` over random command sequences (SPEC 5): each input byte picks an actor, a
//! command and a step of time. A refused command changes nothing; an accepted one's case is
//! the replay of the case's whole history; no deadline falls before the acceptance.
#![no_main]
use chrono::{DateTime, Duration, Utc};
use libfuzzer_sys::fuzz_target;
use regflow_process::case::SuspensionCause;
use regflow_process::catalogue::Task;
use regflow_process::{
    decide, Actor, ApplicantCategory, ApplicantInput, Calendar, Case, CaseId, Catalogue, Centre, Channel, Command,
    Context, Event, IntakeInput, PolicyTimeline, Priority, Role,
};

const ZHANG: &str = "630102198503120015";
const LI: &str = "630102199211080028";

fn intake(kind: &str, channel: Channel) -> IntakeInput {
    let mut intake = IntakeInput::new(
        kind,
        ApplicantCategory::Individual,
        vec![ApplicantInput::new("张三", ZHANG), ApplicantInput::new("李四", LI)],
        "630102001001GB00001F00010001",
        channel,
    );
    intake.priority = Priority::Standard;
    intake
}

/// A second-hand transfer's key materials, and the ones it may pledge.
const TRANSFER_KEY: [&str; 4] = ["application_form", "identity_proof", "title_certificate", "sale_contract"];
const TRANSFER_OTHER: [&str; 2] = ["marital_status_proof", "household_register"];

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

fn command(choice: u8) -> Command {
    match choice % 20 {
        0 => Command::Accept {
            intake: Some(intake("transfer_second_hand", Channel::Window)),
            materials: strings(&[&TRANSFER_KEY[..], &TRANSFER_OTHER].concat()),
        },
        1 => Command::Accept {
            intake: Some(intake("transfer_second_hand", Channel::Window)),
            materials: strings(&TRANSFER_KEY),
        },
        2 => Command::Apply { intake: intake("change", Channel::Online), materials: strings(&["application_form"]) },
        3 => Command::PreReview { pass: true, problems: vec![] },
        4 => Command::PreReview { pass: false, problems: strings(&["unclear"]) },
        5 => Command::Amend { materials: strings(&["identity_proof", "title_certificate", "change_proof"]) },
        6 => Command::Accept { intake: None, materials: strings(&["identity_proof"]) },
        7 => Command::SupplyMaterials { materials: strings(&["marital_status_proof", "household_register"]) },
        8 => Command::task_succeeded(Task::Tax),
        9 => Command::task_succeeded(Task::TransactionFiling),
        10 => Command::Review,
        11 => Command::Record,
        12 => Command::IssueCertificate,
        13 => Command::Suspend { cause: SuspensionCause::ALL[0], note: "x".into() },
        14 => Command::Resume,
        15 => Command::Reject { ground: "violates_law".into(), note: "x".into() },
        16 => Command::Withdraw { consenting: strings(&[ZHANG, LI]) },
        17 => Command::Extend { working_days: u64::from(choice / 20) + 1, reason: "x".into() },
        18 => Command::Evaluate { rating: choice % 7, comment: String::new() },
        _ => Command::HandleInstantly {
            intake: intake("information_query", Channel::Kiosk),
            materials: strings(&["identity_proof"]),
        },
    }
}

/// The built-in data, read once per process.
fn world() -> &'static (Calendar, PolicyTimeline, Catalogue) {
    static WORLD: std::sync::OnceLock<(Calendar, PolicyTimeline, Catalogue)> = std::sync::OnceLock::new();
    WORLD.get_or_init(|| (Calendar::builtin(), PolicyTimeline::builtin(), Catalogue::builtin()))
}

fuzz_target!(|data: &[u8]| {
    let (calendar, policies, catalogue) = world();
    let centre = Centre::new("xining");
    let actors: Vec<Actor> = vec![
        Actor::new("clerk-1", [Role::Clerk], centre.id.clone()),
        Actor::new("clerk-2", [Role::Clerk], centre.id.clone()),
        Actor::new("rev-1", [Role::Reviewer], centre.id.clone()),
        Actor::new("reg-1", [Role::Registrar], centre.id.clone()),
        Actor::new("sup-1", [Role::Supervisor], centre.id.clone()),
        Actor::new("tax-1", [Role::TaxOfficer], centre.id.clone()),
        Actor::new("tr-1", [Role::TransactionOfficer], centre.id.clone()),
        Actor::new("kiosk-1", [Role::Kiosk], centre.id.clone()),
        Actor::applicant(ZHANG, centre.id.clone()),
        Actor::applicant(LI, centre.id.clone()),
    ];
    let id = CaseId::new("f");
    let mut now: DateTime<Utc> = "2026-03-02T02:00:00Z".parse().unwrap();
    let mut case: Option<Case> = None;
    let mut history: Vec<Event> = Vec::new();
    for pair in data.chunks(2).take(64) {
        let (a, c) = (pair[0], *pair.get(1).unwrap_or(&0));
        now += Duration::minutes(i64::from(a / 16) * 97);
        let actor = &actors[usize::from(a) % actors.len()];
        let ctx = Context {
            now,
            actor,
            centre: &centre,
            calendar,
            policies,
            catalogue,
            case_id: &id,
            register: None,
            expected_version: None,
            captured_at: None,
            certificate: None,
        };
        let before = case.clone();
        match decide(case.as_ref(), &command(c), &ctx) {
            Ok(d) => {
                history.extend(d.events.iter().cloned());
                let replayed = Case::replay(&history).expect("a history replays");
                assert_eq!(replayed, d.case, "replay differs from the decided case");
                if let (Some(acc), Some(dl)) = (d.case.acceptance(), d.case.deadlines()) {
                    assert!(dl.promise.due_at >= acc.at && dl.statutory.due_at >= acc.at);
                }
                case = Some(d.case);
            }
            Err(_) => assert_eq!(case, before, "a refusal changed the case"),
        }
    }
});
