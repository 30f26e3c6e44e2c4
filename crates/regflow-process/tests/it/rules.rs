//! One test per rule of SPEC 5.2: the happy path and every refusal, asserting the code.

use crate::world::*;
use regflow_process::case::{RejectionGround, Stage, SuspensionCause, TaskStatus};
use regflow_process::catalogue::{Catalogue, Task};
use regflow_process::refusal::Detail;
use regflow_process::{
    Actor, AlertLevel, ApplicantCategory, Channel, ClockKind, Command, CommandName, ErrorCode, IntakeInput, Role,
    State, TaskOutcome,
};

const T0: &str = "2026-03-02T09:00:00+08:00"; // Monday

/// A second-hand transfer accepted at T0 by clerk-1.
fn accepted_transfer(w: &mut World) {
    let clerk = w.staff("clerk-1");
    let cmd = accept(w, "transfer_second_hand", Channel::Window);
    w.ok("A", T0, &clerk, cmd);
}

#[test]
fn acceptance_with_every_material_starts_both_clocks() {
    let mut w = World::new();
    accepted_transfer(&mut w);
    let case = w.case("A");
    assert_eq!(case.state(), State::Accepted);
    let d = case.deadlines().unwrap();
    assert_eq!(w.fmt(d.promise.due_at), "2026-03-05T18:00:00+08:00");
    assert_eq!(w.fmt(d.statutory.due_at), "2026-04-14T18:00:00+08:00");
    assert_eq!(case.acceptance().unwrap().policy.as_str(), "xining-2018-07");
    assert_eq!(case.tasks().values().copied().collect::<Vec<_>>(), [TaskStatus::Pending, TaskStatus::Pending]);
    assert!(case.pledged().is_empty());
    // Warning and breach for both clocks are armed.
    let alerts = case.armed_alerts();
    assert_eq!(alerts.len(), 4);
    assert!(alerts.iter().any(|a| a.clock == ClockKind::Promise && a.level == AlertLevel::Warning));
    // The event records the policy and calendar version.
    let e = &w.history["A"][0];
    assert_eq!(e.policy_id.as_ref().unwrap().as_str(), "xining-2018-07");
    assert_eq!(e.calendar_version.as_ref(), Some(w.calendar.version()));
    assert_eq!((e.seq, e.state_before, e.state_after), (1, None, State::Accepted));
}

/// The key materials of a second-hand transfer, all of them.
const TRANSFER_KEY_MATERIALS: [&str; 4] = ["application_form", "identity_proof", "title_certificate", "sale_contract"];

#[test]
fn missing_key_material_means_not_accepted_with_the_whole_list() {
    let mut w = World::new();
    let clerk = w.staff("clerk-1");
    let cmd = accept_with(
        Some(intake("transfer_second_hand", Channel::Window)),
        &["application_form", "identity_proof", "household_register"],
    );
    let d = w.ok("A", T0, &clerk, cmd);
    assert_eq!(d.case.state(), State::NotAccepted);
    let missing: Vec<&str> = d.case.missing().iter().map(|m| m.as_str()).collect();
    // Every missing material at once, key and non-key, never the tax department's.
    assert_eq!(missing, ["title_certificate", "sale_contract", "marital_status_proof"]);
    assert!(d.case.deadlines().is_none(), "no clock runs for a case never accepted");
    assert!(d.alerts.is_empty());
    // not_accepted is terminal.
    let rev = w.staff("rev-1");
    w.refused("A", T0, &rev, Command::Review, ErrorCode::InvalidTransition);
}

#[test]
fn only_non_key_missing_is_accepted_with_pledges_unless_the_kind_forbids() {
    let mut w = World::new();
    let clerk = w.staff("clerk-1");
    let cmd = accept_with(Some(intake("transfer_second_hand", Channel::Window)), &TRANSFER_KEY_MATERIALS);
    let d = w.ok("A", T0, &clerk, cmd);
    assert_eq!(d.case.state(), State::Accepted);
    let pledged: Vec<&str> = d.case.pledged().iter().map(|m| m.as_str()).collect();
    assert_eq!(pledged, ["household_register", "marital_status_proof"]);

    let text = "[[kind]]\nid='change'\nname='变更登记'\nproduces='title_certificate'\npledges=false\n\
                material=[{id='application_form',name='申请书'},{id='note',name='说明',key=false}]\n";
    w.catalogue = Catalogue::from_toml(text).unwrap();
    let cmd = accept_with(Some(intake("change", Channel::Window)), &["application_form"]);
    let d = w.ok("B", T0, &clerk, cmd);
    assert_eq!(d.case.state(), State::NotAccepted);
    assert_eq!(d.case.missing()[0].as_str(), "note");
}

#[test]
fn recording_waits_for_pledges_tasks_and_seizures() {
    let mut w = World::new();
    let clerk = w.staff("clerk-1");
    let cmd = accept_with(
        Some(intake("transfer_second_hand", Channel::Window)),
        &[&TRANSFER_KEY_MATERIALS[..], &["household_register"]].concat(),
    );
    w.ok("A", T0, &clerk, cmd);
    let rev = w.staff("rev-1");
    let reg = w.staff("reg-1");
    w.ok("A", "2026-03-02T11:00:00+08:00", &rev, Command::Review);
    let r = w.refused("A", "2026-03-02T12:00:00+08:00", &reg, Command::Record, ErrorCode::MaterialsPending);
    assert_eq!(r.detail, Some(Detail::Materials { materials: vec!["marital_status_proof".into()] }));
    // The applicant supplies the pledged material.
    let zhang = w.applicant(ZHANG);
    let d = w.ok(
        "A",
        "2026-03-02T13:00:00+08:00",
        &zhang,
        Command::SupplyMaterials { materials: strings(&["marital_status_proof"]) },
    );
    assert!(d.case.pledged().is_empty());
    let r = w.refused("A", "2026-03-02T14:00:00+08:00", &reg, Command::Record, ErrorCode::TasksPending);
    assert_eq!(r.detail, Some(Detail::Tasks { tasks: vec![Task::TransactionFiling, Task::Tax] }));
    // A failed task can later succeed.
    let tax = w.staff("tax-1");
    let tr = w.staff("tr-1");
    let failed =
        Command::CompleteTask { task: Task::Tax, outcome: TaskOutcome::Failed { reason: "valuation dispute".into() } };
    let d = w.ok("A", "2026-03-02T14:30:00+08:00", &tax, failed);
    assert_eq!(d.case.tasks()[&Task::Tax], TaskStatus::Failed);
    w.ok("A", "2026-03-02T15:00:00+08:00", &tax, Command::task_succeeded(Task::Tax));
    w.refused("A", "2026-03-02T15:01:00+08:00", &tax, Command::task_succeeded(Task::Tax), ErrorCode::InvalidTransition);
    w.refused(
        "A",
        "2026-03-02T15:02:00+08:00",
        &tax,
        Command::task_succeeded(Task::TransactionFiling),
        ErrorCode::ForbiddenRole,
    );
    w.ok("A", "2026-03-02T15:10:00+08:00", &tr, Command::task_succeeded(Task::TransactionFiling));
    // A seizure wins.
    let seizure = w.seize("2026-03-02T15:30:00+08:00");
    w.refused("A", "2026-03-02T16:00:00+08:00", &reg, Command::Record, ErrorCode::UnitSeized);
    w.release(seizure, "2026-03-03T09:00:00+08:00");
    let d = w.ok("A", "2026-03-03T10:00:00+08:00", &reg, Command::Record);
    assert_eq!(d.case.state(), State::Recorded);
    let d = w.ok("A", "2026-03-04T10:00:00+08:00", &clerk, Command::IssueCertificate);
    let c = d.case.completion().unwrap();
    assert_eq!((c.working_days_used, c.on_time, c.within_statute), (2, true, true));
    assert!(d.alerts.is_empty(), "a finished case arms nothing");
}

#[test]
fn tasks_apply_only_to_kinds_that_have_them() {
    let mut w = World::new();
    let clerk = w.staff("clerk-1");
    let cmd = accept(&w, "change", Channel::Window);
    w.ok("C", T0, &clerk, cmd);
    let tax = w.staff("tax-1");
    let r = w.refused("C", T0, &tax, Command::task_succeeded(Task::Tax), ErrorCode::InvalidArgument);
    assert_eq!(r.detail, Some(Detail::Field { name: "task".into() }));
}

#[test]
fn seizure_blocks_only_transfers_mortgages_and_changes() {
    let mut w = World::new();
    w.seize("2026-03-02T09:00:00+08:00");
    let clerk = w.staff("clerk-1");
    let (rev, reg) = (w.staff("rev-1"), w.staff("reg-1"));
    for (label, kind, code) in [
        ("C", "change", Some(ErrorCode::UnitSeized)),
        ("M", "mortgage", Some(ErrorCode::UnitSeized)),
        ("Q", "correction", None),
        ("O", "objection", None),
    ] {
        let cmd = accept(&w, kind, Channel::Window);
        w.ok(label, T0, &clerk, cmd);
        w.ok(label, "2026-03-02T10:00:00+08:00", &rev, Command::Review);
        match code {
            Some(code) => drop(w.refused(label, "2026-03-02T11:00:00+08:00", &reg, Command::Record, code)),
            None => assert_eq!(
                w.ok(label, "2026-03-02T11:00:00+08:00", &reg, Command::Record).case.state(),
                State::Recorded
            ),
        }
    }
}

#[test]
fn rejection_needs_one_of_four_grounds_and_a_note() {
    let mut w = World::new();
    let rev = w.staff("rev-1");
    for (i, ground) in RejectionGround::ALL.into_iter().enumerate() {
        let label = format!("R{i}");
        let clerk = w.staff("clerk-1");
        let cmd = accept(&w, "change", Channel::Window);
        w.ok(&label, T0, &clerk, cmd);
        let d = w.ok(
            &label,
            "2026-03-02T10:00:00+08:00",
            &rev,
            Command::Reject { ground: ground.as_str().into(), note: "see file".into() },
        );
        assert_eq!(d.case.stage(), &Stage::Rejected { ground, note: "see file".into() });
    }
    let clerk = w.staff("clerk-1");
    let cmd = accept(&w, "change", Channel::Window);
    w.ok("X", T0, &clerk, cmd);
    w.refused("X", T0, &rev, Command::Reject { ground: "dislike".into(), note: "x".into() }, ErrorCode::InvalidGround);
    w.refused(
        "X",
        T0,
        &rev,
        Command::Reject { ground: "violates_law".into(), note: " ".into() },
        ErrorCode::InvalidArgument,
    );
    let sup = w.staff("sup-1");
    w.refused(
        "X",
        T0,
        &sup,
        Command::Reject { ground: "violates_law".into(), note: "x".into() },
        ErrorCode::ForbiddenRole,
    );
    // From suspended too.
    w.ok("X", T0, &sup, Command::Suspend { cause: SuspensionCause::Appraisal, note: "鉴定".into() });
    let d = w.ok(
        "X",
        "2026-03-03T10:00:00+08:00",
        &rev,
        Command::Reject { ground: "ownership_dispute".into(), note: "x".into() },
    );
    assert_eq!(d.case.state(), State::Rejected);
}

#[test]
fn withdrawal_needs_every_applicant_and_comes_before_recording() {
    let mut w = World::new();
    accepted_transfer(&mut w);
    let zhang = w.applicant(ZHANG);
    let r =
        w.refused("A", T0, &zhang, Command::Withdraw { consenting: strings(&[ZHANG]) }, ErrorCode::PartialWithdrawal);
    assert_eq!(r.detail, Some(Detail::Consent { missing: vec![LI.into()] }));
    let stranger = w.applicant("110101199003070011");
    w.refused("A", T0, &stranger, Command::Withdraw { consenting: strings(&[ZHANG, LI]) }, ErrorCode::ForbiddenRole);
    let clerk = w.staff("clerk-2");
    w.refused("A", T0, &clerk, Command::Withdraw { consenting: strings(&[ZHANG, LI]) }, ErrorCode::ForbiddenRole);
    w.refused(
        "A",
        T0,
        &zhang,
        Command::Withdraw { consenting: strings(&[ZHANG, LI, "110101199003070011"]) },
        ErrorCode::InvalidArgument,
    );
    let d = w.ok("A", T0, &zhang, Command::Withdraw { consenting: strings(&[LI, ZHANG]) });
    assert_eq!(d.case.state(), State::Withdrawn);
    // After recording: too late.
    let clerk = w.staff("clerk-1");
    let cmd = accept(&w, "change", Channel::Window);
    w.ok("C", T0, &clerk, cmd);
    w.ok("C", T0, &w.staff("rev-1"), Command::Review);
    w.ok("C", T0, &w.staff("reg-1"), Command::Record);
    w.refused("C", T0, &zhang, Command::Withdraw { consenting: strings(&[ZHANG, LI]) }, ErrorCode::InvalidTransition);
}

#[test]
fn separation_of_duties_unless_turned_off_or_instant() {
    let mut w = World::new();
    let both = Actor::new("pat", [Role::Clerk, Role::Reviewer, Role::Registrar], w.centre.id.clone());
    let cmd = accept(&w, "change", Channel::Window);
    w.ok("C", T0, &both, cmd);
    let r = w.refused("C", T0, &both, Command::Review, ErrorCode::SeparationOfDuties);
    assert_eq!(r.detail, Some(Detail::Officer { id: "pat".into() }));
    w.ok("C", T0, &w.staff("rev-1"), Command::Review);
    let rev_reg = Actor::new("rev-1", [Role::Reviewer, Role::Registrar], w.centre.id.clone());
    w.refused("C", T0, &rev_reg, Command::Record, ErrorCode::SeparationOfDuties);
    w.ok("C", T0, &both, Command::Record);
    // Off for the centre: one officer may do all.
    w.centre.separation_of_duties = false;
    let cmd = accept(&w, "change", Channel::Window);
    w.ok("D", T0, &both, cmd);
    w.ok("D", T0, &both, Command::Review);
    w.ok("D", T0, &both, Command::Record);
    // Instant kinds are handled start to finish by one officer.
    w.centre.separation_of_duties = true;
    let cmd = accept(&w, "cancellation", Channel::Window);
    w.ok("E", T0, &both, cmd);
    w.ok("E", T0, &both, Command::Review);
    assert_eq!(w.ok("E", T0, &both, Command::Record).case.state(), State::Completed);
}

#[test]
fn channels_and_the_roles_serving_them() {
    let mut w = World::new();
    let (bank, kiosk, court, clerk) = (w.staff("bank-1"), w.staff("kiosk-1"), w.staff("court-1"), w.staff("clerk-1"));
    let ok_rows = [
        ("M", "mortgage", Channel::Bank, &bank),
        ("N", "mortgage_cancellation", Channel::Bank, &bank),
        ("S", "seizure", Channel::Court, &court),
        ("H", "change", Channel::HomeVisit, &clerk),
    ];
    for (label, kind, channel, actor) in ok_rows {
        let cmd = accept(&w, kind, channel);
        assert_eq!(w.ok(label, T0, actor, cmd).case.state(), State::Accepted, "{kind} on {channel}");
    }
    let refused_rows = [
        ("t1", "transfer_second_hand", Channel::Bank, &bank, ErrorCode::ChannelNotAllowed),
        ("t2", "change", Channel::Kiosk, &kiosk, ErrorCode::ChannelNotAllowed),
        ("t3", "mortgage", Channel::Court, &court, ErrorCode::ChannelNotAllowed),
        ("t4", "mortgage", Channel::Bank, &clerk, ErrorCode::ForbiddenRole),
        ("t5", "change", Channel::Window, &bank, ErrorCode::ForbiddenRole),
        ("t6", "change", Channel::Online, &clerk, ErrorCode::InvalidArgument),
    ];
    for (label, kind, channel, actor, code) in refused_rows {
        let cmd = accept(&w, kind, channel);
        w.refused(label, T0, actor, cmd, code);
        assert!(!w.cases.contains_key(label), "a refused creating command creates nothing");
    }
}

#[test]
fn instant_handling_is_one_atomic_step_for_instant_kinds_only() {
    let mut w = World::new();
    let kiosk = w.staff("kiosk-1");
    let query = |w: &World| Command::HandleInstantly {
        intake: intake("information_query", Channel::Kiosk),
        materials: all_materials(w, "information_query"),
    };
    let d = w.ok("Q", T0, &kiosk, query(&w));
    assert_eq!(d.events.len(), 1);
    assert_eq!(d.events[0].state_before, None);
    let c = d.case.completion().unwrap();
    assert_eq!((c.working_days_used, c.on_time), (0, true));
    assert_eq!(w.fmt(d.case.deadlines().unwrap().promise.due_at), "2026-03-02T09:30:00+08:00");
    // Not an instant kind.
    let clerk = w.staff("clerk-1");
    let cmd = Command::HandleInstantly { intake: intake("transfer_second_hand", Channel::Window), materials: vec![] };
    w.refused("T", T0, &clerk, cmd, ErrorCode::NotInstantKind);
    // Before the 2018 policy a query had a working-day promise.
    let cmd = query(&w);
    w.refused("Q2", "2017-09-01T10:00:00+08:00", &kiosk, cmd, ErrorCode::NotInstantKind);
    // Missing key material: not accepted, on the spot.
    let cmd =
        Command::HandleInstantly { intake: intake("seizure", Channel::Court), materials: strings(&["court_ruling"]) };
    let d = w.ok("S", T0, &w.staff("court-1"), cmd);
    assert_eq!(d.case.state(), State::NotAccepted);
    assert_eq!(d.case.missing()[0].as_str(), "assistance_notice");
}

#[test]
fn public_notice_suspends_at_review_and_resumes_by_itself() {
    let mut w = World::new();
    let clerk = w.staff("clerk-1");
    let cmd = accept(&w, "first_registration_homestead", Channel::Window);
    w.ok("H", T0, &clerk, cmd);
    let before = w.case("H").deadlines().unwrap().clone();
    let d = w.ok("H", "2026-03-03T10:00:00+08:00", &w.staff("rev-1"), Command::Review);
    assert_eq!(d.events.len(), 2);
    assert_eq!(d.events[1].command, CommandName::AutoSuspend);
    assert_eq!(d.events[1].role, Role::System);
    let s = d.case.suspension().unwrap();
    assert_eq!(s.cause, SuspensionCause::PublicNotice);
    let notice = s.notice.unwrap();
    // 15 working days counted from the review (2026-03-03): 2026-03-24 at closing.
    assert_eq!(w.fmt(notice.ends_at), "2026-03-24T18:00:00+08:00");
    assert!(d.alerts.is_empty(), "a suspended case raises nothing");
    let sup = w.staff("sup-1");
    w.refused("H", "2026-03-10T10:00:00+08:00", &sup, Command::Resume, ErrorCode::InvalidTransition);
    let system = w.staff("system");
    w.refused("H", "2026-03-24T17:00:00+08:00", &system, Command::AutoResume, ErrorCode::InvalidTransition);
    w.refused("H", "2026-03-24T19:00:00+08:00", &sup, Command::AutoResume, ErrorCode::ForbiddenRole);
    let d = w.ok("H", "2026-03-24T19:00:00+08:00", &system, Command::AutoResume);
    assert_eq!(d.case.state(), State::Reviewed);
    assert_eq!(w.fmt(d.events[0].at), "2026-03-24T18:00:00+08:00", "resumed at the notice's end");
    let after = d.case.deadlines().unwrap();
    // Closings 03-03 … 03-23 fell inside: 15 working days.
    assert_eq!(w.fmt(before.promise.due_at), "2026-03-05T18:00:00+08:00");
    assert_eq!(w.fmt(after.promise.due_at), "2026-03-26T18:00:00+08:00");
    assert!(after.statutory.due_at > before.statutory.due_at);
}

#[test]
fn resume_moves_deadlines_by_the_suspended_closings() {
    let mut w = World::new();
    accepted_transfer(&mut w);
    let sup = w.staff("sup-1");
    w.refused("A", T0, &sup, Command::Resume, ErrorCode::InvalidTransition);
    w.refused(
        "A",
        T0,
        &sup,
        Command::Suspend { cause: SuspensionCause::PublicNotice, note: "x".into() },
        ErrorCode::InvalidArgument,
    );
    w.refused(
        "A",
        T0,
        &sup,
        Command::Suspend { cause: SuspensionCause::Other, note: "".into() },
        ErrorCode::InvalidArgument,
    );
    w.refused(
        "A",
        T0,
        &w.staff("clerk-1"),
        Command::Suspend { cause: SuspensionCause::Other, note: "x".into() },
        ErrorCode::ForbiddenRole,
    );
    w.ok(
        "A",
        "2026-03-03T11:00:00+08:00",
        &sup,
        Command::Suspend { cause: SuspensionCause::ExpertReview, note: "专家评审".into() },
    );
    let d = w.ok("A", "2026-03-05T09:00:00+08:00", &w.staff("rev-1"), Command::Resume);
    assert_eq!(d.case.state(), State::Accepted);
    assert_eq!(w.fmt(d.case.deadlines().unwrap().promise.due_at), "2026-03-09T18:00:00+08:00");
    assert_eq!(d.case.suspension_count(), 1);
}

#[test]
fn extension_moves_the_promise_never_past_the_statute() {
    let mut w = World::new();
    accepted_transfer(&mut w);
    let sup = w.staff("sup-1");
    let ext = |days: u64| Command::Extend { working_days: days, reason: "复杂".into() };
    w.refused("A", T0, &w.staff("rev-1"), ext(2), ErrorCode::ForbiddenRole);
    w.refused("A", T0, &sup, ext(0), ErrorCode::InvalidArgument);
    w.refused("A", T0, &sup, Command::Extend { working_days: 2, reason: " ".into() }, ErrorCode::InvalidArgument);
    let d = w.ok("A", T0, &sup, ext(2));
    let dl = d.case.deadlines().unwrap();
    assert_eq!(w.fmt(dl.promise.due_at), "2026-03-09T18:00:00+08:00");
    assert_eq!(w.fmt(dl.statutory.due_at), "2026-04-14T18:00:00+08:00");
    assert_eq!(d.case.extensions().len(), 1);
    let r = w.refused("A", T0, &sup, ext(26), ErrorCode::ExceedsStatutory);
    assert!(matches!(r.detail, Some(Detail::Deadlines { .. })));
    w.ok("A", T0, &sup, ext(25));
}

#[test]
fn evaluation_once_after_completion() {
    let mut w = World::new();
    let kiosk = w.staff("kiosk-1");
    let zhang = w.applicant(ZHANG);
    let cmd = Command::HandleInstantly {
        intake: intake("information_query", Channel::Kiosk),
        materials: strings(&["identity_proof"]),
    };
    w.ok("Q", T0, &kiosk, cmd);
    let eval = |rating| Command::Evaluate { rating, comment: "快".into() };
    w.refused("Q", T0, &zhang, eval(6), ErrorCode::InvalidArgument);
    w.refused("Q", T0, &w.applicant("110101199003070011"), eval(5), ErrorCode::ForbiddenRole);
    let d = w.ok("Q", T0, &zhang, eval(5));
    assert_eq!(d.case.evaluation().unwrap().rating, 5);
    w.refused("Q", T0, &zhang, eval(4), ErrorCode::AlreadyEvaluated);
    accepted_transfer(&mut w);
    w.refused("A", T0, &zhang, eval(4), ErrorCode::InvalidTransition);
}

#[test]
fn online_application_pre_review_and_one_visit() {
    let mut w = World::new();
    let zhang = w.applicant(ZHANG);
    let clerk = w.staff("clerk-1");
    let apply = Command::Apply {
        intake: intake("transfer_second_hand", Channel::Online),
        materials: strings(&["application_form"]),
    };
    w.refused("O", T0, &w.applicant("110101199003070011"), apply.clone(), ErrorCode::ForbiddenRole);
    let d = w.ok("O", T0, &zhang, apply);
    assert_eq!(d.case.state(), State::PreReview);
    assert!(d.case.deadlines().is_none());
    w.refused("O", T0, &clerk, Command::PreReview { pass: false, problems: vec![] }, ErrorCode::InvalidArgument);
    let d = w.ok("O", T0, &clerk, Command::PreReview { pass: false, problems: strings(&["合同缺页"]) });
    assert_eq!(d.case.stage(), &Stage::Returned { problems: strings(&["合同缺页"]) });
    w.refused("O", T0, &clerk, Command::Amend { materials: vec![] }, ErrorCode::ForbiddenRole);
    w.ok("O", T0, &w.applicant(LI), Command::Amend { materials: strings(&["sale_contract", "identity_proof"]) });
    w.ok("O", T0, &clerk, Command::PreReview { pass: true, problems: vec![] });
    // The visit: only materials are given; the rest comes from the application.
    let d = w.ok("O", "2026-03-03T10:00:00+08:00", &clerk, accept_with(None, &["title_certificate"]));
    assert_eq!(d.case.state(), State::Accepted);
    assert_eq!(d.case.intake().channel, Channel::Online);
    assert_eq!(d.case.pledged().len(), 2);
    assert_eq!(w.fmt(d.case.deadlines().unwrap().promise.due_at), "2026-03-06T18:00:00+08:00");
}

#[test]
fn identifiers_are_validated_naming_the_field() {
    let mut w = World::new();
    let clerk = w.staff("clerk-1");
    let mut input = intake("change", Channel::Window);
    input.applicants[1].id = "630102199211080029".into();
    let r = w.refused("A", T0, &clerk, accept_with(Some(input), &[]), ErrorCode::InvalidIdentifier);
    assert_eq!(r.detail, Some(Detail::Field { name: "applicants[1].id".into() }));
    // An organisation needs a credit code, not an ID number.
    let mut input = org_intake("change", Channel::Window);
    input.applicants[0].id = ZHANG.into();
    w.refused("A", T0, &clerk, accept_with(Some(input), &[]), ErrorCode::InvalidIdentifier);
    let mut input = intake("change", Channel::Window);
    input.unit = "630102001001GB00001F0001000".into();
    let r = w.refused("A", T0, &clerk, accept_with(Some(input), &[]), ErrorCode::InvalidIdentifier);
    assert_eq!(r.detail, Some(Detail::Field { name: "unit".into() }));
    // An organisation's promise is 5 working days.
    let cmd = accept_all(&w, org_intake("change", Channel::Window));
    let d = w.ok("O", T0, &clerk, cmd);
    assert_eq!(d.case.intake().category, ApplicantCategory::Organisation);
    assert_eq!(w.fmt(d.case.deadlines().unwrap().promise.due_at), "2026-03-09T18:00:00+08:00");
}

#[test]
fn unknown_things_and_time() {
    let mut w = World::new();
    let clerk = w.staff("clerk-1");
    let r = w.refused(
        "A",
        T0,
        &clerk,
        accept_with(Some(intake("houseboat", Channel::Window)), &[]),
        ErrorCode::UnknownKind,
    );
    assert_eq!(r.detail, Some(Detail::Field { name: "kind".into() }));
    let r = w.refused(
        "A",
        T0,
        &clerk,
        accept_with(Some(intake("change", Channel::Window)), &["bribe"]),
        ErrorCode::UnknownMaterial,
    );
    assert_eq!(r.detail, Some(Detail::Materials { materials: vec!["bribe".into()] }));
    w.refused("Z", T0, &w.staff("rev-1"), Command::Review, ErrorCode::CaseNotFound);
    w.refused("Z", T0, &clerk, accept_with(None, &[]), ErrorCode::InvalidArgument);
    accepted_transfer(&mut w);
    w.refused("A", "2026-03-01T09:00:00+08:00", &w.staff("rev-1"), Command::Review, ErrorCode::TimeWentBackwards);
    let other = Actor::new("rev-9", [Role::Reviewer], regflow_process::CentreId::new("haidong"));
    w.refused("A", T0, &other, Command::Review, ErrorCode::WrongCentre);
    w.refused("A", T0, &clerk, accept(&w, "change", Channel::Window), ErrorCode::InvalidTransition);
    // The policy must be in force.
    let cmd = accept(&w, "change", Channel::Window);
    w.refused("P", "2015-06-01T10:00:00+08:00", &clerk, cmd, ErrorCode::NoPolicyInForce);
}

/// Refuses, with `code`, `actor`'s acceptance of case A at T0 from `intake`.
fn refused_at_accept(w: &mut World, actor: &Actor, intake: &IntakeInput, code: ErrorCode) {
    w.refused("A", T0, actor, accept_with(Some(intake.clone()), &["x"]), code);
}

#[test]
fn the_first_broken_rule_is_reported() {
    let mut w = World::new();
    let bank = w.staff("bank-1");
    let rev = w.staff("rev-1");
    let other_clerk = Actor::new("c9", [Role::Clerk], regflow_process::CentreId::new("haidong"));
    let mut bad = intake("houseboat", Channel::Bank);
    bad.unit = "nope".into();
    // unknown_kind before forbidden_role, channel and identifiers.
    refused_at_accept(&mut w, &rev, &bad, ErrorCode::UnknownKind);
    // wrong_centre before unknown_kind, forbidden_role and everything after.
    refused_at_accept(&mut w, &other_clerk, &bad, ErrorCode::WrongCentre);
    bad.kind = "transfer_second_hand".into();
    // forbidden_role before channel.
    refused_at_accept(&mut w, &rev, &bad, ErrorCode::ForbiddenRole);
    // wrong_centre before channel.
    let other_bank = Actor::new("b9", [Role::Bank], regflow_process::CentreId::new("haidong"));
    refused_at_accept(&mut w, &other_bank, &bad, ErrorCode::WrongCentre);
    // channel before identifiers.
    refused_at_accept(&mut w, &bank, &bad, ErrorCode::ChannelNotAllowed);
    bad.kind = "mortgage".into();
    // identifiers before materials.
    refused_at_accept(&mut w, &bank, &bad, ErrorCode::InvalidIdentifier);
    bad.unit = UNIT.into();
    refused_at_accept(&mut w, &bank, &bad, ErrorCode::UnknownMaterial);
    // not_instant_kind before identifiers.
    let mut q = intake("change", Channel::Window);
    q.unit = "nope".into();
    w.refused(
        "B",
        T0,
        &w.staff("clerk-1"),
        Command::HandleInstantly { intake: q, materials: vec![] },
        ErrorCode::NotInstantKind,
    );
    // time before everything.
    accepted_transfer(&mut w);
    w.refused(
        "A",
        "2026-03-01T00:00:00+08:00",
        &bank,
        Command::Evaluate { rating: 9, comment: String::new() },
        ErrorCode::TimeWentBackwards,
    );
    // invalid_argument before invalid_transition.
    w.refused("A", T0, &bank, Command::Evaluate { rating: 9, comment: String::new() }, ErrorCode::InvalidArgument);
    // separation before the command's own codes.
    let both = Actor::new("clerk-1", [Role::Clerk, Role::Reviewer], w.centre.id.clone());
    w.refused("A", T0, &both, Command::Review, ErrorCode::SeparationOfDuties);
}

#[test]
fn information_query_is_answered_at_review_and_notices_complete_at_record() {
    let mut w = World::new();
    let clerk = w.staff("clerk-1");
    let cmd = accept_with(Some(intake("information_query", Channel::Window)), &["identity_proof"]);
    w.ok("Q", "2017-09-01T10:00:00+08:00", &clerk, cmd);
    let d = w.ok("Q", "2017-09-04T10:00:00+08:00", &w.staff("rev-1"), Command::Review);
    assert_eq!(d.case.state(), State::Completed);
    assert!(d.case.recorded_at().is_none(), "no register entry");
    assert_eq!(d.case.completion().unwrap().working_days_used, 1);
    let cmd = accept(&w, "cancellation", Channel::Window);
    w.ok("N", T0, &clerk, cmd);
    w.ok("N", T0, &w.staff("rev-1"), Command::Review);
    let d = w.ok("N", T0, &w.staff("reg-1"), Command::Record);
    assert_eq!(d.case.state(), State::Completed);
    assert!(d.case.recorded_at().is_some());
}

#[test]
fn alerts_are_raised_once_and_only_when_due() {
    let mut w = World::new();
    accepted_transfer(&mut w);
    let system = w.staff("system");
    let warning = w.case("A").armed_alerts()[0];
    assert_eq!((warning.clock, warning.level), (ClockKind::Promise, AlertLevel::Warning));
    w.refused(
        "A",
        "2026-03-04T17:00:00+08:00",
        &system,
        Command::RaiseAlert { alert: warning },
        ErrorCode::InvalidTransition,
    );
    let d = w.ok("A", "2026-03-04T18:30:00+08:00", &system, Command::RaiseAlert { alert: warning });
    assert_eq!(d.events[0].at, warning.at, "history records the due instant");
    assert_eq!(d.case.alerts().len(), 1);
    assert!(!d.alerts.contains(&warning));
    w.refused(
        "A",
        "2026-03-04T18:31:00+08:00",
        &system,
        Command::RaiseAlert { alert: warning },
        ErrorCode::InvalidTransition,
    );
    w.refused(
        "A",
        "2026-03-04T18:31:00+08:00",
        &w.staff("sup-1"),
        Command::RaiseAlert { alert: warning },
        ErrorCode::ForbiddenRole,
    );
}

#[test]
fn reprojection_moves_only_what_the_calendar_changes() {
    let mut w = World::new();
    let clerk = w.staff("clerk-1");
    let cmd = accept(&w, "change", Channel::Window);
    w.ok("A", "2026-12-30T10:00:00+08:00", &clerk, cmd);
    assert!(w.case("A").deadlines().unwrap().provisional());
    let system = w.staff("system");
    let d = w.ok("A", "2026-12-30T11:00:00+08:00", &system, Command::Reproject);
    assert!(d.events.is_empty(), "the same calendar moves nothing");
    w.calendar = regflow_process::Calendar::from_csv(&format!(
        "{}2027-01-01,holiday,元旦,\n2027-01-04,holiday,test,\n",
        w.calendar.to_csv()
    ))
    .unwrap();
    let d = w.ok("A", "2026-12-30T12:00:00+08:00", &system, Command::Reproject);
    assert_eq!(d.events.len(), 1);
    let dl = d.case.deadlines().unwrap();
    assert!(!dl.promise.provisional);
    assert_eq!(w.fmt(dl.promise.due_at), "2027-01-06T18:00:00+08:00");
    assert_eq!(d.events[0].calendar_version.as_ref(), Some(w.calendar.version()));
}

#[test]
fn seizures_open_only_on_a_court_commission() {
    let mut w = World::new();
    let (clerk, bank, kiosk, court) = (w.staff("clerk-1"), w.staff("bank-1"), w.staff("kiosk-1"), w.staff("court-1"));
    for kind in ["seizure", "seizure_release"] {
        let materials = all_materials(&w, kind);
        for (channel, actor) in
            [(Channel::Window, &clerk), (Channel::HomeVisit, &clerk), (Channel::Bank, &bank), (Channel::Kiosk, &kiosk)]
        {
            for cmd in [
                Command::Accept { intake: Some(intake(kind, channel)), materials: materials.clone() },
                Command::HandleInstantly { intake: intake(kind, channel), materials: materials.clone() },
            ] {
                let r = w.refused("S", T0, actor, cmd, ErrorCode::ChannelNotAllowed);
                assert!(r.message.contains(kind), "{r}");
            }
        }
        // Not by an applicant online either.
        let owner = w.applicant(ZHANG);
        w.refused(
            "S",
            T0,
            &owner,
            Command::Apply { intake: intake(kind, Channel::Online), materials: materials.clone() },
            ErrorCode::ChannelNotAllowed,
        );
        assert!(!w.cases.contains_key("S"));
        let d = w.ok(kind, T0, &court, Command::HandleInstantly { intake: intake(kind, Channel::Court), materials });
        assert_eq!(d.case.state(), State::Completed);
    }
}

#[test]
fn extensions_of_any_size_never_move_the_promise_earlier() {
    let mut w = World::new();
    accepted_transfer(&mut w);
    let sup = w.staff("sup-1");
    let before = w.case("A").clone();
    let ext = |days: u64| Command::Extend { working_days: days, reason: "复杂".into() };
    w.refused("A", T0, &sup, ext(0), ErrorCode::InvalidArgument);
    for huge in [u64::from(u32::MAX), u64::from(u32::MAX) - 1, i64::MAX as u64, u64::MAX, 28, 10_000] {
        let r = w.refused("A", T0, &sup, ext(huge), ErrorCode::ExceedsStatutory);
        let Some(Detail::Deadlines { promise_due, statutory_due }) = r.detail else { panic!("no deadlines in {r}") };
        assert_eq!(statutory_due, before.deadlines().unwrap().statutory.due_at);
        if let Some(p) = promise_due {
            assert!(p > statutory_due, "{r}");
        }
        assert_eq!(w.case("A"), &before, "a refused extension changed the case");
    }
    // 27 more working days is exactly the statute (3 + 27 = 30).
    let d = w.ok("A", T0, &sup, ext(27));
    let dl = d.case.deadlines().unwrap();
    assert_eq!(dl.promise.due_at, dl.statutory.due_at);
    w.refused("A", T0, &sup, ext(1), ErrorCode::ExceedsStatutory);
}

#[test]
fn another_centre_learns_nothing_about_a_case() {
    let mut w = World::new();
    accepted_transfer(&mut w);
    let other = Actor::new("rev-9", [Role::Registrar, Role::Reviewer], regflow_process::CentreId::new("haidong"));
    // `record` is not allowed in `accepted`, the time is before the case's last change,
    // the version is stale, the command's own rules would fail: all `wrong_centre`.
    w.expected_version = Some(99);
    for (when, cmd) in [
        (T0, Command::Record),
        ("2026-01-01T09:00:00+08:00", Command::Review),
        (T0, Command::Resume),
        (T0, Command::Extend { working_days: 1, reason: "x".into() }),
    ] {
        let r = w.refused("A", when, &other, cmd, ErrorCode::WrongCentre);
        for secret in ["accepted", "xining", "version", "2026-03"] {
            assert!(!r.message.contains(secret), "`{secret}` leaked in: {}", r.message);
        }
        assert_eq!(r.detail, None);
    }
    // A stale version from the case's own centre is `conflict`.
    w.refused("A", T0, &w.staff("rev-1"), Command::Review, ErrorCode::Conflict);
    w.expected_version = Some(w.case("A").version());
    w.ok("A", T0, &w.staff("rev-1"), Command::Review);
}
