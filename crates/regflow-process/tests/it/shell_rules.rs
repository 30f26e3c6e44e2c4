//! The rules the executor and the server ask of the core instead of deciding themselves:
//! who is staff, which queue cases are an officer's, which unit a command locks, which
//! policy is in force now, and how SPEC 7 counts.

use crate::world::{accept, intake, World, UNIT};
use crate::{at, date};
use regflow_process::tally::{CaseFigures, Tally};
use regflow_process::{
    unit_to_check, Actor, CentreId, Channel, Command, CommandName, OfficeHours, PolicyTimeline, Role, State, WorkQueue,
};

#[test]
fn staff_is_anyone_with_a_role_besides_applicant() {
    let centre = CentreId::new("xining");
    assert!(!Actor::applicant("630102198503120015", centre.clone()).is_staff());
    for role in [Role::Clerk, Role::Reviewer, Role::Supervisor, Role::Kiosk, Role::Bank, Role::Court] {
        assert!(Actor::new("x", [role], centre.clone()).is_staff(), "{role}");
    }
    assert!(Actor::new("x", [Role::Applicant, Role::Clerk], centre).is_staff());
}

#[test]
fn separation_of_duties_keeps_cases_from_the_officer_who_did_the_step_before() {
    let mut w = World::new();
    let (clerk, rev, rev2) = (w.staff("clerk-1"), w.staff("rev-1"), w.staff("rev-2"));
    let command = accept(&w, "transfer_second_hand", Channel::Window);
    w.ok("A", "2026-03-02T10:00:00+08:00", &clerk, command);
    let reviewers = WorkQueue::of(Role::Reviewer);
    let case = w.case("A").clone();
    assert!(reviewers.holds(&case));
    assert!(reviewers.offers(&case, rev.id(), &w.centre));
    // The clerk who accepted it also reviews: not theirs to review.
    let clerk_and_reviewer = Actor::new("clerk-1", [Role::Clerk, Role::Reviewer], w.centre.id.clone());
    assert!(!reviewers.offers(&case, clerk_and_reviewer.id(), &w.centre));
    assert_eq!(w.centre.bars(&case, clerk.id(), CommandName::Review), Some("accepted"));
    assert_eq!(w.centre.bars(&case, rev2.id(), CommandName::Review), None);
    // A centre that turned separation off offers every case.
    w.centre.separation_of_duties = false;
    assert!(reviewers.offers(&case, clerk_and_reviewer.id(), &w.centre));
    // Clerks' queue has no step separation guards.
    assert_eq!(WorkQueue::of(Role::Clerk).step, None);
}

#[test]
fn the_clerks_queue_holds_what_waits_for_them() {
    // SPEC 12: pre-review, the applicant's visit (待现场核验) and the certificate.
    let clerks = WorkQueue::of(Role::Clerk);
    for (state, held) in [
        (regflow_process::State::PreReview, true),
        (regflow_process::State::AwaitingVisit, true),
        (regflow_process::State::Recorded, true),
        (regflow_process::State::Accepted, false),
        (regflow_process::State::Returned, false),
    ] {
        assert_eq!(clerks.states.contains(&state), held, "{state:?}");
    }
}

#[test]
fn a_command_locks_the_unit_it_records_on() {
    let mut w = World::new();
    let clerk = w.staff("clerk-1");
    let command = accept(&w, "transfer_second_hand", Channel::Window);
    w.ok("A", "2026-03-02T10:00:00+08:00", &clerk, command);
    let case = w.case("A").clone();
    let check = unit_to_check(&w.catalogue, Some(&case), &Command::Record).expect("a transfer checks its unit");
    assert_eq!(check.unit.as_str(), UNIT);
    assert!(check.blocked_by_seizure);
    // Reviewing locks nothing.
    assert_eq!(unit_to_check(&w.catalogue, Some(&case), &Command::Review), None);
    // A seizure handled instantly locks its unit but is not blocked by another.
    let seize = Command::HandleInstantly { intake: intake("seizure", Channel::Court), materials: vec![] };
    let check = unit_to_check(&w.catalogue, None, &seize).expect("a seizure checks its unit");
    assert!(!check.blocked_by_seizure);
    // An information query reads its unit's page (SPEC 15.2), blocked by nothing; a bad unit
    // number names none.
    let query = Command::HandleInstantly { intake: intake("information_query", Channel::Kiosk), materials: vec![] };
    let check = unit_to_check(&w.catalogue, None, &query).expect("a query reads its unit");
    assert!(!check.blocked_by_seizure);
    let mut bad = intake("seizure", Channel::Court);
    bad.unit = "not-a-unit".into();
    assert_eq!(unit_to_check(&w.catalogue, None, &Command::HandleInstantly { intake: bad, materials: vec![] }), None);
}

#[test]
fn the_policy_in_force_is_the_one_of_the_local_date() {
    let policies = PolicyTimeline::builtin();
    let hours = OfficeHours::default();
    // 2018-06-30T17:00Z is already 2018-07-01 in Xining: the 3-day policy.
    let policy = policies.in_force_at(at("2018-06-30T17:00:00Z"), &hours).unwrap();
    assert_eq!(policy, policies.in_force(date("2018-07-01")).unwrap());
    let before = policies.in_force_at(at("2018-06-30T15:59:00Z"), &hours).unwrap();
    assert_eq!(before, policies.in_force(date("2018-06-30")).unwrap());
    assert_ne!(policy.id(), before.id());
    assert!(policies.in_force_at(at("2015-06-01T00:00:00Z"), &hours).is_err());
}

#[test]
fn the_tally_counts_as_spec_7_says() {
    let done = |days: i64, on_time: bool| CaseFigures {
        state: State::Completed,
        accepted: true,
        instant: false,
        on_time: Some(on_time),
        within_statute: Some(true),
        working_days_used: Some(days),
        suspended: false,
        extended: false,
        rating: None,
    };
    let mut tally = Tally::default();
    tally.add(&done(2, true));
    tally.add(&done(3, true));
    tally.add(&done(7, false));
    tally.add(&CaseFigures { rating: Some(4), suspended: true, ..done(4, true) });
    tally.add(&CaseFigures {
        state: State::NotAccepted,
        accepted: false,
        on_time: None,
        within_statute: None,
        working_days_used: None,
        ..done(0, false)
    });
    tally.add(&CaseFigures { instant: true, working_days_used: Some(0), ..done(0, true) });
    let f = tally.finish();
    assert_eq!((f.opened, f.accepted, f.completed, f.completed_instantly, f.not_accepted), (6, 5, 5, 1, 1));
    assert_eq!(f.on_time_rate, Some(4.0 / 5.0));
    // Mean and median over the four with a working-day promise: 2, 3, 4, 7.
    assert_eq!(f.mean_working_days, Some(4.0));
    assert_eq!(f.median_working_days, Some(3.5));
    assert_eq!(f.reduction_vs_statute, Some(1.0 - 4.0 / 30.0));
    assert_eq!((f.suspended, f.evaluations, f.average_rating), (1, 1, Some(4.0)));
    assert_eq!(Tally::default().finish().on_time_rate, None);
}
