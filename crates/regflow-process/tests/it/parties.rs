//! Parties (SPEC 5.2): identifier types, obligee and obligor, consent of every party.

use crate::world::*;
use regflow_process::{
    ApplicantCategory, ApplicantInput, Channel, Command, Detail, ErrorCode, IdType, IntakeInput, PartyRole, Priority,
    State,
};

const BANK_CODE: &str = ORG;

fn mortgage() -> IntakeInput {
    IntakeInput {
        kind: "mortgage".into(),
        applicant_category: ApplicantCategory::Individual,
        applicants: vec![
            ApplicantInput::new("张三", ZHANG).role(PartyRole::Obligor),
            ApplicantInput::new("青海银行西宁分行", BANK_CODE).id_type(IdType::CreditCode).role(PartyRole::Obligee),
        ],
        unit: UNIT.into(),
        channel: Channel::Bank,
        priority: Priority::Standard,
        consents: Vec::new(),
        register: Default::default(),
        query: Default::default(),
    }
}

#[test]
fn a_mortgage_names_the_individual_obligor_and_the_bank_obligee() {
    let mut w = World::new();
    let bank = w.staff("bank-1");
    let cmd = accept_all(&w, mortgage());
    let d = w.ok("M", "2026-03-02T10:00:00+08:00", &bank, cmd);
    let parties = &d.case.intake().applicants;
    assert_eq!(parties[0].id.id_type(), IdType::ResidentId);
    assert_eq!(parties[0].role, PartyRole::Obligor);
    assert_eq!(parties[1].id.id_type(), IdType::CreditCode);
    assert_eq!(parties[1].id.as_str(), BANK_CODE);
    assert_eq!(parties[1].role, PartyRole::Obligee);
    // The individual category still selects the promise: 3 working days.
    assert_eq!(w.fmt(d.case.deadlines().unwrap().promise.due_at), "2026-03-05T18:00:00+08:00");
    // Withdrawal needs every party, the bank included.
    let zhang = w.applicant(ZHANG);
    let r = w.refused(
        "M",
        "2026-03-02T11:00:00+08:00",
        &zhang,
        Command::Withdraw { consenting: strings(&[ZHANG]) },
        ErrorCode::PartialWithdrawal,
    );
    assert_eq!(r.detail, Some(Detail::Consent { missing: vec![BANK_CODE.to_owned()] }));
    let d = w.ok(
        "M",
        "2026-03-02T11:00:00+08:00",
        &zhang,
        Command::Withdraw { consenting: vec![ZHANG.to_lowercase(), format!(" {BANK_CODE} ")] },
    );
    assert_eq!(d.case.state(), State::Withdrawn);
}

#[test]
fn a_refused_identifier_says_which_type_it_was_read_as() {
    let mut w = World::new();
    let bank = w.staff("bank-1");
    // The bank's credit code without `id_type` on an individual case: read as an ID number.
    let mut input = mortgage();
    input.applicants[1].id_type = None;
    let r = w.refused("M", "2026-03-02T10:00:00+08:00", &bank, accept_all(&w, input), ErrorCode::InvalidIdentifier);
    assert_eq!(r.detail, Some(Detail::Field { name: "applicants[1].id".into() }));
    assert!(r.message.contains("resident ID number"), "{}", r.message);
    assert!(r.message.contains("id_type"), "{}", r.message);
    // An ID number given as a credit code is read as one, and the message says so.
    let mut input = mortgage();
    input.applicants[0].id_type = Some(IdType::CreditCode);
    let r = w.refused("M", "2026-03-02T10:00:00+08:00", &bank, accept_all(&w, input), ErrorCode::InvalidIdentifier);
    assert!(r.message.starts_with("applicants[0].id was read as a unified social credit code"), "{}", r.message);
    // An organisation case reads credit codes by default, and an individual party can
    // stand on it by its own type (a new-housing sale names the developer and the buyer).
    let mut input = org_intake("transfer_new_commercial", Channel::Window);
    input.applicants.push(ApplicantInput::new("张三", ZHANG).id_type(IdType::ResidentId));
    let cmd = accept_all(&w, input);
    let d = w.ok("N", "2026-03-02T10:00:00+08:00", &w.staff("clerk-1"), cmd);
    let types: Vec<IdType> = d.case.intake().applicants.iter().map(|a| a.id.id_type()).collect();
    assert_eq!(types, vec![IdType::CreditCode, IdType::ResidentId]);
}

#[test]
fn parties_serialise_with_stable_ids_and_old_records_default_to_obligee() {
    let input = ApplicantInput::new("张三", ZHANG).id_type(IdType::ResidentId).role(PartyRole::Obligor);
    let json = serde_json::to_value(&input).unwrap();
    assert_eq!(json["id_type"], "resident_id");
    assert_eq!(json["role"], "obligor");
    let old: regflow_process::Applicant =
        serde_json::from_str(&format!(r#"{{"name":"张三","id":{{"resident":"{ZHANG}"}}}}"#)).unwrap();
    assert_eq!(old.role, PartyRole::Obligee);
}

#[test]
fn owners_who_are_not_mainland_residents_are_accepted_by_their_document() {
    let mut w = World::new();
    let clerk = w.staff("clerk-1");
    let mut input = intake("transfer_second_hand", Channel::Window);
    input.applicants = vec![
        ApplicantInput::new("陈大文", "h12345678").id_type(IdType::HkMacaoPermit),
        ApplicantInput::new("John Smith", "E98765432").id_type(IdType::Passport),
        ApplicantInput::new("林美玲", "810000199408230021").id_type(IdType::HmtResidencePermit),
        ApplicantInput::new("Anna Berg", "911000198001010019").id_type(IdType::ForeignPermanentResidence),
    ];
    let cmd = accept_all(&w, input.clone());
    let d = w.ok("T", "2026-03-02T10:00:00+08:00", &clerk, cmd);
    let parties = &d.case.intake().applicants;
    let types: Vec<IdType> = parties.iter().map(|a| a.id.id_type()).collect();
    assert_eq!(
        types,
        vec![IdType::HkMacaoPermit, IdType::Passport, IdType::HmtResidencePermit, IdType::ForeignPermanentResidence]
    );
    assert_eq!(parties[0].id.as_str(), "H12345678");
    // A bad number is refused by its own type, the field named.
    input.applicants[1].id = "E1".into();
    let r = w.refused("U", "2026-03-02T10:00:00+08:00", &clerk, accept_all(&w, input), ErrorCode::InvalidIdentifier);
    assert_eq!(r.detail, Some(Detail::Field { name: "applicants[1].id".into() }));
    assert!(r.message.contains("passport"), "{}", r.message);
    // Every type has a stable id that reads back.
    for t in IdType::ALL {
        assert_eq!(t.as_str().parse::<IdType>().unwrap(), t);
    }
}
