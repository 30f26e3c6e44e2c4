//! The register (SPEC 13): what recordings write, the rules that read it, the legal clocks
//! that end rights by themselves — the reference vectors of 13.7 through `decide`.

use crate::at;
use crate::world::*;
use regflow_process::command::RegisterInput;
use regflow_process::identifier::UnitNumber;
use regflow_process::register::{EntryRef, EntryType, RestDays, Share, UnitPage, UnitStatus};
use regflow_process::{
    ApplicantCategory, ApplicantInput, Channel, Command, ErrorCode, IdType, IntakeInput, PartyRole, State, Task,
};

pub(crate) const WANG: &str = "630102197001010014";
const ZHAO: &str = "630102196512120018";
const BANK: &str = ORG;

fn unit() -> UnitNumber {
    UnitNumber::parse(UNIT).unwrap()
}

pub(crate) fn parties(list: &[(&str, &str, PartyRole)]) -> Vec<ApplicantInput> {
    list.iter()
        .map(|(name, id, role)| {
            let p = ApplicantInput::new(*name, *id).role(*role);
            if id.len() == 18 && id.as_bytes()[0] == b'9' {
                p.id_type(IdType::CreditCode)
            } else {
                p
            }
        })
        .collect()
}

pub(crate) fn case_intake(kind: &str, parties: Vec<ApplicantInput>, register: RegisterInput) -> IntakeInput {
    IntakeInput { register, ..IntakeInput::new(kind, ApplicantCategory::Individual, parties, UNIT, Channel::Window) }
}

/// Accepts, reviews and records a case at `when` (tasks done first); the recording's result.
pub(crate) fn record(w: &mut World, label: &str, when: &str, intake: IntakeInput) -> Result<State, ErrorCode> {
    let kind = intake.kind.clone();
    let cmd = accept_all(w, intake);
    let (clerk, rev, reg) = (w.staff("clerk-1"), w.staff("rev-1"), w.staff("reg-1"));
    let d = w.ok(label, when, &clerk, cmd);
    assert_eq!(d.case.state(), State::Accepted, "{label} accepted");
    for task in w.catalogue.get(&kind).unwrap().tasks.clone() {
        let officer = w.staff(if task == Task::Tax { "tax-1" } else { "tr-1" });
        w.ok(label, when, &officer, Command::task_succeeded(task));
    }
    w.ok(label, when, &rev, Command::Review);
    w.try_step(label, when, &reg, Command::Record).map(|d| d.case.state()).map_err(|r| r.code)
}

/// Handles an instant kind on the spot.
fn instantly(w: &mut World, label: &str, when: &str, actor: &str, intake: IntakeInput) -> Result<State, ErrorCode> {
    let mut intake = intake;
    intake.channel = if actor.starts_with("court") { Channel::Court } else { Channel::Window };
    let materials = all_materials(w, &intake.kind);
    let actor = w.staff(actor);
    w.try_step(label, when, &actor, Command::HandleInstantly { intake, materials })
        .map(|d| d.case.state())
        .map_err(|r| r.code)
}

fn page(w: &World, when: &str) -> UnitPage {
    let clock = w.centre.legal_clock(&w.calendar);
    let mine = w.entries.iter().filter(|(_, e)| e.unit == unit()).map(|(s, e)| (*s, e));
    regflow_process::register::UnitRegister::rebuild_as_of(unit(), mine, at(when), &clock)
        .unwrap()
        .page(at(when), &w.centre.hours)
}

fn owners(p: &UnitPage) -> Vec<(String, String)> {
    p.owners.iter().map(|o| (o.name.clone(), o.share.to_string())).collect()
}

pub(crate) fn no_args() -> RegisterInput {
    RegisterInput::default()
}

#[test]
fn owners_change_hands_with_shares_and_the_past_stays_readable() {
    let mut w = World::new();
    let first = case_intake(
        "first_registration",
        vec![ApplicantInput::new("张三", ZHANG).share("1/2"), ApplicantInput::new("李四", LI).share("2/4")],
        no_args(),
    );
    assert_eq!(record(&mut w, "F", "2026-03-02T10:00:00+08:00", first.clone()), Ok(State::Recorded));
    let p = page(&w, "2026-03-02T10:00:00+08:00");
    assert_eq!(p.status, UnitStatus::Registered);
    assert_eq!(owners(&p), vec![("张三".into(), "1/2".into()), ("李四".into(), "1/2".into())]);
    // A second first registration of the unit.
    assert_eq!(record(&mut w, "F2", "2026-03-02T11:00:00+08:00", first), Err(ErrorCode::UnitRegistered));
    // A transfer by someone who does not own it.
    let wrong = parties(&[("赵六", ZHAO, PartyRole::Obligor), ("王五", WANG, PartyRole::Obligee)]);
    assert_eq!(
        record(&mut w, "X", "2026-03-04T10:00:00+08:00", case_intake("transfer_second_hand", wrong, no_args())),
        Err(ErrorCode::NotTheOwner)
    );
    let sale = parties(&[
        ("张三", ZHANG, PartyRole::Obligor),
        ("李四", LI, PartyRole::Obligor),
        ("王五", WANG, PartyRole::Obligee),
    ]);
    assert_eq!(
        record(&mut w, "T", "2026-03-04T16:20:00+08:00", case_intake("transfer_second_hand", sale, no_args())),
        Ok(State::Recorded)
    );
    assert_eq!(owners(&page(&w, "2026-03-04T16:20:00+08:00")), vec![("王五".into(), "1/1".into())]);
    assert_eq!(owners(&page(&w, "2026-03-04T16:19:59+08:00")).len(), 2, "the page a second before");
    assert_eq!(w.entries.len(), 2);
    assert_eq!(w.entries[1].1.class.code(), 200);
    assert_eq!(w.entries[1].1.case.as_ref().map(|c| c.as_str()), Some("T"));
}

#[test]
fn shares_must_add_up_and_belong_to_obligees() {
    let mut w = World::new();
    let clerk = w.staff("clerk-1");
    for (shares, field) in
        [(["1/2", "1/3"], "applicants"), (["1/2", ""], "applicants"), (["1/2", "x"], "applicants[1].share")]
    {
        let people = vec![
            ApplicantInput::new("张三", ZHANG).share(shares[0]),
            match shares[1] {
                "" => ApplicantInput::new("李四", LI),
                s => ApplicantInput::new("李四", LI).share(s),
            },
        ];
        let cmd = accept_all(&w, case_intake("first_registration", people, no_args()));
        let r = w.refused("F", "2026-03-02T10:00:00+08:00", &clerk, cmd, ErrorCode::InvalidArgument);
        assert_eq!(r.detail, Some(regflow_process::Detail::Field { name: field.into() }), "{shares:?}: {r}");
    }
    // A share on a mortgage, and on an obligor.
    let people = vec![ApplicantInput::new("张三", ZHANG).share("1/1")];
    let cmd = accept_all(&w, case_intake("mortgage", people, no_args()));
    w.refused("M", "2026-03-02T10:00:00+08:00", &clerk, cmd, ErrorCode::InvalidArgument);
    // An argument the kind does not read.
    let args = RegisterInput { mortgage_entry: Some(EntryRef::Seq(1)), ..no_args() };
    let cmd = accept_all(&w, case_intake("transfer_second_hand", intake("x", Channel::Window).applicants, args));
    let r = w.refused("T", "2026-03-02T10:00:00+08:00", &clerk, cmd, ErrorCode::InvalidArgument);
    assert!(r.message.contains("mortgage_entry"), "{r}");
    assert_eq!(Share::parse("2/4").unwrap().to_string(), "1/2");
}

#[test]
fn mortgages_rank_and_a_release_names_one() {
    let mut w = World::new();
    let owner = case_intake("first_registration", vec![ApplicantInput::new("张三", ZHANG)], no_args());
    record(&mut w, "F", "2026-03-02T09:00:00+08:00", owner).unwrap();
    let mortgage = |amount: &str| {
        case_intake(
            "mortgage",
            parties(&[("张三", ZHANG, PartyRole::Obligor), ("青海银行", BANK, PartyRole::Obligee)]),
            RegisterInput { secured_amount: Some(amount.into()), ..no_args() },
        )
    };
    record(&mut w, "M1", "2026-03-02T10:00:00+08:00", mortgage("500000")).unwrap();
    record(&mut w, "M2", "2026-03-02T11:00:00+08:00", mortgage("120000.5")).unwrap();
    let p = page(&w, "2026-03-02T12:00:00+08:00");
    let ranks: Vec<(u32, String)> =
        p.mortgages.iter().map(|m| (m.rank, m.secured_amount.unwrap().to_string())).collect();
    assert_eq!(ranks, vec![(1, "500000.00".into()), (2, "120000.50".into())]);
    assert_eq!(p.mortgages[0].mortgagees[0].id, BANK);
    assert_eq!(p.mortgages[0].mortgagors[0].id, ZHANG);
    let release = |named: Option<EntryRef>| {
        case_intake(
            "mortgage_cancellation",
            parties(&[("青海银行", BANK, PartyRole::Obligee)]),
            RegisterInput { mortgage_entry: named, ..no_args() },
        )
    };
    assert_eq!(
        instantly(&mut w, "R0", "2026-03-03T10:00:00+08:00", "clerk-1", release(None)),
        Err(ErrorCode::NoSuchMortgage)
    );
    assert_eq!(
        instantly(&mut w, "R9", "2026-03-03T10:00:00+08:00", "clerk-1", release(Some(EntryRef::Seq(99)))),
        Err(ErrorCode::NoSuchMortgage)
    );
    assert_eq!(
        instantly(&mut w, "R1", "2026-03-03T10:00:00+08:00", "clerk-1", release(Some(EntryRef::Case("M1".into())))),
        Ok(State::Completed)
    );
    record(&mut w, "M3", "2026-03-04T10:00:00+08:00", mortgage("1")).unwrap();
    let ranks: Vec<u32> = page(&w, "2026-03-04T10:00:00+08:00").mortgages.iter().map(|m| m.rank).collect();
    assert_eq!(ranks, vec![2, 3], "M1 released; M3 ranks after the highest ever given");
    assert_eq!(page(&w, "2026-03-04T10:00:00+08:00").restrictions.len(), 1);
}

#[test]
fn seizures_queue_promote_expire_and_renew() {
    let mut w = World::new();
    let seizure = || case_intake("seizure", vec![ApplicantInput::new("张三", ZHANG)], no_args());
    assert_eq!(instantly(&mut w, "S1", "2026-03-04T10:00:00+08:00", "court-1", seizure()), Ok(State::Completed));
    assert_eq!(instantly(&mut w, "S2", "2026-04-01T10:00:00+08:00", "court-2", seizure()), Ok(State::Completed));
    let p = page(&w, "2026-04-01T10:00:00+08:00");
    let active = p.seizures.active.as_ref().unwrap();
    assert_eq!(
        (active.court.as_str(), w.fmt(active.expires_at.unwrap().into())),
        ("court-1", "2029-03-05T00:00:00+08:00".into())
    );
    assert_eq!(p.seizures.queued.len(), 1);
    assert!(p.seizures.queued[0].expires_at.is_none(), "a queued seizure's term has not started");
    // Renewing a queued seizure.
    let court2 = w.staff("court-2");
    let r = w.refused(
        "S2",
        "2026-04-02T10:00:00+08:00",
        &court2,
        Command::RenewSeizure { term_years: None },
        ErrorCode::InvalidTransition,
    );
    assert!(r.message.contains("queued"), "{r}");
    // Releasing S1 promotes S2 at that instant.
    let release = case_intake(
        "seizure_release",
        vec![ApplicantInput::new("张三", ZHANG)],
        RegisterInput { seizure_entry: Some(EntryRef::Case("S1".into())), ..no_args() },
    );
    assert_eq!(instantly(&mut w, "R", "2026-05-06T15:00:00+08:00", "court-1", release), Ok(State::Completed));
    let p = page(&w, "2026-05-06T15:00:00+08:00");
    let active = p.seizures.active.as_ref().unwrap();
    assert_eq!(active.court, "court-2");
    assert_eq!(w.fmt(active.expires_at.unwrap().into()), "2029-05-07T00:00:00+08:00");
    // A transfer recorded at 16:00 is refused.
    let sale = parties(&[("张三", ZHANG, PartyRole::Obligor), ("王五", WANG, PartyRole::Obligee)]);
    assert_eq!(
        record(&mut w, "T", "2026-05-06T16:00:00+08:00", case_intake("transfer_second_hand", sale, no_args())),
        Err(ErrorCode::UnitSeized)
    );
    // Renewing S2 by 3 years on 2029-05-01.
    w.ok("S2", "2029-05-01T10:00:00+08:00", &court2, Command::RenewSeizure { term_years: Some(3) });
    let p = page(&w, "2029-05-01T10:00:00+08:00");
    assert_eq!(w.fmt(p.seizures.active.as_ref().unwrap().expires_at.unwrap().into()), "2032-05-07T00:00:00+08:00");
    // It expires at its end, and the expiry is an entry written by the next command on the unit.
    let p = page(&w, "2032-05-07T00:00:00+08:00");
    assert!(p.seizures.active.is_none());
    assert!(page(&w, "2032-05-06T23:59:59+08:00").seizures.active.is_some());
    // A release naming nothing on a unit without owners releases nothing.
    let release = case_intake("seizure_release", vec![ApplicantInput::new("张三", ZHANG)], no_args());
    assert_eq!(instantly(&mut w, "R2", "2032-05-08T10:00:00+08:00", "court-1", release), Ok(State::Completed));
    let types: Vec<EntryType> = w.entries.iter().map(|(_, e)| e.content.entry_type()).collect();
    assert_eq!(
        types,
        vec![
            EntryType::Seizure,
            EntryType::Seizure,
            EntryType::SeizureRelease,
            EntryType::SeizureRenewed,
            EntryType::SeizureExpired,
            EntryType::SeizureRelease,
        ]
    );
    assert_eq!(
        w.fmt(w.entries[4].1.recorded_at),
        "2032-05-07T00:00:00+08:00",
        "the expiry is recorded at its due instant"
    );
    assert_eq!(w.entries[5].1.refers_to, None);
}

#[test]
fn a_seizure_of_a_leap_day_expires_on_the_last_day_of_february() {
    let mut w = World::new();
    let seizure = case_intake("seizure", vec![ApplicantInput::new("张三", ZHANG)], no_args());
    instantly(&mut w, "S", "2024-02-29T10:00:00+08:00", "court-1", seizure).unwrap();
    let p = page(&w, "2024-02-29T10:00:00+08:00");
    assert_eq!(w.fmt(p.seizures.active.unwrap().expires_at.unwrap().into()), "2027-03-01T00:00:00+08:00");
}

fn objection(w: &mut World, label: &str, when: &str) {
    let o = case_intake("objection", vec![ApplicantInput::new("张三", ZHANG)], no_args());
    assert_eq!(record(w, label, when, o), Ok(State::Recorded));
}

#[test]
fn objections_lapse_after_15_days_unless_a_lawsuit_is_filed() {
    // 2025-09-16: day 15 is 10-01, National Day → lapses 2025-10-10T00:00.
    let mut w = World::new();
    objection(&mut w, "O", "2025-09-16T10:00:00+08:00");
    let p = page(&w, "2025-09-16T10:00:00+08:00");
    assert_eq!(w.fmt(p.objections[0].lapses_at.unwrap().into()), "2025-10-10T00:00:00+08:00");
    let zhang = w.applicant(ZHANG);
    let lawsuit = Command::LawsuitFiled { court: "城中区人民法院".into(), filed_on: crate::date("2025-10-09") };
    let mut late = w.clone_world();
    w.ok("O", "2025-10-09T23:59:00+08:00", &zhang, lawsuit.clone());
    let p = page(&w, "2026-01-01T00:00:00+08:00");
    assert_eq!(p.objections.len(), 1, "no lapse with a lawsuit");
    assert!(p.objections[0].lapses_at.is_none());
    assert_eq!(p.objections[0].lawsuit.as_ref().unwrap().court, "城中区人民法院");
    // At 2025-10-10T00:00 it has lapsed: the lawsuit is refused and the page shows no objection.
    let r = late.refused("O", "2025-10-10T00:00:00+08:00", &zhang, lawsuit, ErrorCode::InvalidTransition);
    assert!(r.message.contains("no longer active"), "{r}");
    assert!(page(&late, "2025-10-10T00:00:00+08:00").objections.is_empty());
    // Someone not on the case may not file it.
    let wang = late.applicant(WANG);
    let lawsuit = Command::LawsuitFiled { court: "x".into(), filed_on: crate::date("2025-10-01") };
    late.refused("O", "2025-10-10T00:00:00+08:00", &wang, lawsuit, ErrorCode::ForbiddenRole);
}

#[test]
fn objection_lapses_follow_the_calendar_and_the_centre_setting() {
    for (recorded, lapses, rest) in [
        ("2026-03-03T10:00:00+08:00", "2026-03-19T00:00:00+08:00", RestDays::HolidaysAndWeekends),
        ("2026-02-13T10:00:00+08:00", "2026-03-01T00:00:00+08:00", RestDays::HolidaysAndWeekends),
        ("2026-03-06T10:00:00+08:00", "2026-03-24T00:00:00+08:00", RestDays::HolidaysAndWeekends),
        ("2026-03-06T10:00:00+08:00", "2026-03-22T00:00:00+08:00", RestDays::HolidaysOnly),
        ("2026-09-10T10:00:00+08:00", "2026-09-29T00:00:00+08:00", RestDays::HolidaysAndWeekends),
        ("2026-09-16T10:00:00+08:00", "2026-10-09T00:00:00+08:00", RestDays::HolidaysAndWeekends),
    ] {
        let mut w = World::new();
        w.centre.register.rest_days = rest;
        objection(&mut w, "O", recorded);
        let p = page(&w, recorded);
        assert_eq!(w.fmt(p.objections[0].lapses_at.unwrap().into()), lapses, "{recorded} {rest}");
    }
}

fn notice(w: &mut World, when: &str) {
    let n = case_intake(
        "advance_notice",
        parties(&[("张三", ZHANG, PartyRole::Obligor), ("王五", WANG, PartyRole::Obligee)]),
        no_args(),
    );
    assert_eq!(record(w, "N", when, n), Ok(State::Recorded));
}

#[test]
fn advance_notices_protect_their_holder_then_lapse_or_are_fulfilled() {
    let mut w = World::new();
    record(
        &mut w,
        "F",
        "2025-07-01T10:00:00+08:00",
        case_intake("first_registration", vec![ApplicantInput::new("张三", ZHANG)], no_args()),
    )
    .unwrap();
    notice(&mut w, "2025-07-03T10:00:00+08:00");
    let p = page(&w, "2025-07-03T10:00:00+08:00");
    assert_eq!(w.fmt(p.advance_notices[0].lapses_at.into()), "2025-10-10T00:00:00+08:00");
    // A sale to someone else without the holder's consent is refused; with it, recorded.
    let sale = parties(&[("张三", ZHANG, PartyRole::Obligor), ("赵六", ZHAO, PartyRole::Obligee)]);
    let mut other = w.clone_world();
    assert_eq!(
        record(
            &mut other,
            "T",
            "2025-08-01T10:00:00+08:00",
            case_intake("transfer_second_hand", sale.clone(), no_args())
        ),
        Err(ErrorCode::AdvanceNoticeConsentMissing)
    );
    let mut consenting = case_intake("transfer_second_hand", sale, no_args());
    consenting.consents = vec![ApplicantInput::new("王五", WANG)];
    assert_eq!(record(&mut other, "T2", "2025-08-01T10:00:00+08:00", consenting), Ok(State::Recorded));
    assert_eq!(
        page(&other, "2025-08-01T10:00:00+08:00").advance_notices.len(),
        1,
        "a sale to another does not fulfil it"
    );
    // A sale to the holder fulfils it.
    let mut fulfilled = w.clone_world();
    let sale = parties(&[("张三", ZHANG, PartyRole::Obligor), ("王五", WANG, PartyRole::Obligee)]);
    record(&mut fulfilled, "T", "2025-08-01T10:00:00+08:00", case_intake("transfer_second_hand", sale, no_args()))
        .unwrap();
    let p = page(&fulfilled, "2025-08-01T10:00:00+08:00");
    assert!(p.advance_notices.is_empty());
    assert_eq!(owners(&p), vec![("王五".into(), "1/1".into())]);
    // Left alone, it lapses at the end of its 90 days.
    assert_eq!(page(&w, "2025-10-09T23:59:59+08:00").advance_notices.len(), 1);
    assert!(page(&w, "2025-10-10T00:00:00+08:00").advance_notices.is_empty());
}

#[test]
fn the_2026_advance_notice_vector() {
    let mut w = World::new();
    notice(&mut w, "2026-03-04T10:00:00+08:00");
    let p = page(&w, "2026-03-04T10:00:00+08:00");
    assert_eq!(w.fmt(p.advance_notices[0].lapses_at.into()), "2026-06-03T00:00:00+08:00");
    assert_eq!(p.restrictions, vec![regflow_process::register::page::Restriction::AdvanceNotice]);
}

#[test]
fn a_cancellation_ends_the_ownership_and_its_rights_but_not_seizures() {
    let mut w = World::new();
    record(
        &mut w,
        "F",
        "2026-03-02T09:00:00+08:00",
        case_intake("first_registration", vec![ApplicantInput::new("张三", ZHANG)], no_args()),
    )
    .unwrap();
    let m = case_intake(
        "mortgage",
        parties(&[("张三", ZHANG, PartyRole::Obligor), ("青海银行", BANK, PartyRole::Obligee)]),
        no_args(),
    );
    record(&mut w, "M", "2026-03-02T10:00:00+08:00", m).unwrap();
    objection(&mut w, "O", "2026-03-02T11:00:00+08:00");
    // Cancelling only the objection, by naming it.
    let named = case_intake(
        "cancellation",
        parties(&[("张三", ZHANG, PartyRole::Obligor)]),
        RegisterInput { entry: Some(EntryRef::Case("O".into())), ..no_args() },
    );
    assert_eq!(instantly(&mut w, "C1", "2026-03-03T10:00:00+08:00", "clerk-1", named.clone()), Ok(State::Completed));
    assert!(page(&w, "2026-03-03T10:00:00+08:00").objections.is_empty());
    assert_eq!(instantly(&mut w, "C2", "2026-03-03T10:00:00+08:00", "clerk-1", named), Err(ErrorCode::NoSuchEntry));
    let all = case_intake("cancellation", parties(&[("张三", ZHANG, PartyRole::Obligor)]), no_args());
    assert_eq!(instantly(&mut w, "C3", "2026-03-03T11:00:00+08:00", "clerk-1", all), Ok(State::Completed));
    let p = page(&w, "2026-03-03T11:00:00+08:00");
    assert_eq!(p.status, UnitStatus::Cancelled);
    assert!(p.owners.is_empty() && p.mortgages.is_empty());
    // A cancelled unit has no owners: a sale by the old owner is refused.
    let sale = parties(&[("张三", ZHANG, PartyRole::Obligor), ("王五", WANG, PartyRole::Obligee)]);
    assert_eq!(
        record(&mut w, "T", "2026-03-04T10:00:00+08:00", case_intake("transfer_second_hand", sale, no_args())),
        Err(ErrorCode::NotTheOwner)
    );
}

#[test]
fn a_correction_rewrites_the_entry_it_names() {
    let mut w = World::new();
    record(
        &mut w,
        "F",
        "2026-03-02T09:00:00+08:00",
        case_intake("first_registration", vec![ApplicantInput::new("张三", ZHANG)], no_args()),
    )
    .unwrap();
    let fix = case_intake(
        "correction",
        vec![ApplicantInput::new("张三", ZHANG), ApplicantInput::new("李四", LI)],
        RegisterInput { corrects: Some(EntryRef::Case("F".into())), ..no_args() },
    );
    assert_eq!(record(&mut w, "K", "2026-03-05T10:00:00+08:00", fix), Ok(State::Recorded));
    let p = page(&w, "2026-03-05T10:00:00+08:00");
    assert_eq!(owners(&p), vec![("张三".into(), "1/2".into()), ("李四".into(), "1/2".into())]);
    assert_eq!(w.fmt(p.owners[0].since.into()), "2026-03-02T09:00:00+08:00", "dates are kept");
    let bad = case_intake(
        "correction",
        vec![ApplicantInput::new("张三", ZHANG)],
        RegisterInput { corrects: Some(EntryRef::Seq(42)), ..no_args() },
    );
    assert_eq!(record(&mut w, "K2", "2026-03-05T11:00:00+08:00", bad), Err(ErrorCode::NoSuchEntry));
}

#[test]
fn the_refusals_come_in_their_order() {
    // Not the owner and seized: not_the_owner first.
    let mut w = World::new();
    record(
        &mut w,
        "F",
        "2026-03-02T09:00:00+08:00",
        case_intake("first_registration", vec![ApplicantInput::new("张三", ZHANG)], no_args()),
    )
    .unwrap();
    w.seize("2026-03-02T10:00:00+08:00");
    let sale = parties(&[("赵六", ZHAO, PartyRole::Obligor), ("王五", WANG, PartyRole::Obligee)]);
    assert_eq!(
        record(&mut w, "T", "2026-03-03T10:00:00+08:00", case_intake("transfer_second_hand", sale, no_args())),
        Err(ErrorCode::NotTheOwner)
    );
    // Materials pending comes before the register's rules.
    let sale = parties(&[("赵六", ZHAO, PartyRole::Obligor), ("王五", WANG, PartyRole::Obligee)]);
    let clerk = w.staff("clerk-1");
    let mut materials = all_materials(&w, "transfer_second_hand");
    materials.retain(|m| m != "household_register");
    let cmd = Command::Accept { intake: Some(case_intake("transfer_second_hand", sale, no_args())), materials };
    w.ok("P", "2026-03-03T10:00:00+08:00", &clerk, cmd);
    let (rev, reg, tax, tr) = (w.staff("rev-1"), w.staff("reg-1"), w.staff("tax-1"), w.staff("tr-1"));
    w.ok("P", "2026-03-03T10:00:00+08:00", &tax, Command::task_succeeded(Task::Tax));
    w.ok("P", "2026-03-03T10:00:00+08:00", &tr, Command::task_succeeded(Task::TransactionFiling));
    w.ok("P", "2026-03-03T10:00:00+08:00", &rev, Command::Review);
    w.refused("P", "2026-03-03T10:00:00+08:00", &reg, Command::Record, ErrorCode::MaterialsPending);
}
