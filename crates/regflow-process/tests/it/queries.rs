//! Information queries with authorisation (SPEC 15.2) through `decide`: the scope each
//! querier gets, the answer's page and hash, the log lines, and the deferral's clock.

use crate::register::{case_intake, no_args, parties, record, WANG};
use crate::world::*;
use regflow_process::command::QueryInput;
use regflow_process::register::query::{self, Outcome, QuerierClass, ReaderClass, Scope};
use regflow_process::{
    refused_query_line, ApplicantCategory, ApplicantInput, Channel, Command, ErrorCode, IntakeInput, PartyRole, State,
};

/// 张三 and 李四 register the unit, then sell it to 王五 (SPEC 13.7).
fn sold_to_wang() -> World {
    let mut w = World::new();
    let first = case_intake(
        "first_registration",
        vec![ApplicantInput::new("张三", ZHANG).share("1/2"), ApplicantInput::new("李四", LI).share("1/2")],
        no_args(),
    );
    assert_eq!(record(&mut w, "F", "2026-03-02T10:00:00+08:00", first), Ok(State::Recorded));
    let sale = parties(&[
        ("张三", ZHANG, PartyRole::Obligor),
        ("李四", LI, PartyRole::Obligor),
        ("王五", WANG, PartyRole::Obligee),
    ]);
    let transfer = case_intake("transfer_second_hand", sale, no_args());
    assert_eq!(record(&mut w, "T", "2026-03-04T16:20:00+08:00", transfer), Ok(State::Recorded));
    w
}

fn query(name: &str, id: &str, channel: Channel, q: QueryInput) -> IntakeInput {
    IntakeInput {
        query: q,
        ..IntakeInput::new(
            "information_query",
            ApplicantCategory::Individual,
            vec![ApplicantInput::new(name, id)],
            UNIT,
            channel,
        )
    }
}

fn at_kiosk(intake: IntakeInput) -> Command {
    Command::HandleInstantly { intake, materials: vec!["identity_proof".into()] }
}

fn interested(purpose: Option<&str>, proof: Option<&str>) -> QueryInput {
    QueryInput {
        querier: Some(QuerierClass::InterestedParty),
        purpose: purpose.map(Into::into),
        proof: proof.map(Into::into),
        authority_type: None,
    }
}

#[test]
fn the_kiosk_answers_the_owner_with_the_full_page_and_refuses_a_former_owner() {
    let mut w = sold_to_wang();
    let kiosk = w.staff("kiosk-1");
    let d = w.ok(
        "Q1",
        "2026-03-05T09:00:00+08:00",
        &kiosk,
        at_kiosk(query("王五", WANG, Channel::Kiosk, QueryInput::default())),
    );
    assert_eq!(d.case.state(), State::Completed);
    let answer = d.answer.expect("answered on the spot");
    assert_eq!(answer.reference.scope, Scope::Full);
    assert_eq!(answer.page.owners[0].id, WANG);
    assert_eq!(answer.reference.result_hash, query::result_hash(&answer.page));
    assert_eq!(d.case.answer(), Some(&answer.reference), "the event carries the answer's hash");
    let outcomes: Vec<Outcome> = d.query_log.iter().map(|l| l.outcome).collect();
    assert_eq!(outcomes, vec![Outcome::Accepted, Outcome::Answered]);
    assert_eq!(d.query_log[1].result_hash.as_deref(), Some(answer.reference.result_hash.as_str()));
    assert_eq!(d.query_log[0].class, ReaderClass::Owner);

    // 张三 sold the unit: refused, and the refusal is logged.
    let command = at_kiosk(query("张三", ZHANG, Channel::Kiosk, QueryInput::default()));
    let refusal = w.refused("Q2", "2026-03-05T09:05:00+08:00", &kiosk, command.clone(), ErrorCode::QueryNotPermitted);
    let line = refused_query_line(None, &command, &kiosk, crate::at("2026-03-05T09:05:00+08:00"), &refusal)
        .expect("a refused query writes its line");
    assert_eq!(line.outcome, Outcome::Refused);
    assert_eq!(line.code, Some(ErrorCode::QueryNotPermitted));
    assert_eq!(line.querier.unwrap().id, ZHANG);

    // Anyone but an owner is refused at a kiosk, proof or not.
    let q = query("赵六", "630102196512120018", Channel::Kiosk, interested(Some("诉讼"), Some("(2026)青01民初1号")));
    w.refused("Q3", "2026-03-05T09:10:00+08:00", &kiosk, at_kiosk(q), ErrorCode::QueryNotPermitted);
}

#[test]
fn an_interested_party_needs_proof_and_reads_identifiers_masked() {
    let mut w = sold_to_wang();
    let clerk = w.staff("clerk-1");
    let zhao = "630102196512120018";
    let without = query("赵六", zhao, Channel::Window, interested(Some("诉讼"), None));
    w.refused("Q1", "2026-03-05T09:00:00+08:00", &clerk, at_kiosk(without), ErrorCode::QueryNotPermitted);
    let with = query("赵六", zhao, Channel::Window, interested(Some("诉讼"), Some("(2026)青01民初1号")));
    let d = w.ok("Q2", "2026-03-05T09:05:00+08:00", &clerk, at_kiosk(with));
    let answer = d.answer.unwrap();
    assert_eq!(answer.reference.scope, Scope::Masked);
    assert_eq!(answer.page.owners[0].id, "630102********0014", "王五's identifier masked");
    assert_eq!(answer.page.owners[0].name, "王五");
    assert_eq!(d.query_log[0].class, ReaderClass::InterestedParty);
    assert_eq!(d.query_log[0].purpose.as_deref(), Some("诉讼"));
}

#[test]
fn an_authority_with_a_commission_reads_the_full_page() {
    let mut w = sold_to_wang();
    let clerk = w.staff("clerk-1");
    let commission = |authority: &str, proof: Option<&str>| QueryInput {
        querier: Some(QuerierClass::Authority),
        purpose: Some("执行".into()),
        proof: proof.map(Into::into),
        authority_type: Some(authority.into()),
    };
    let q = query("城中区人民法院", ORG, Channel::Window, commission("court", Some("(2026)青0103执100号")));
    let mut q = q;
    q.applicants[0] = q.applicants[0].clone().id_type(regflow_process::IdType::CreditCode);
    let d = w.ok("Q1", "2026-03-05T09:00:00+08:00", &clerk, at_kiosk(q.clone()));
    assert_eq!(d.answer.unwrap().page.owners[0].id, WANG);
    let mut unlisted = q.clone();
    unlisted.query = commission("tax_bureau", Some("x"));
    w.refused("Q2", "2026-03-05T09:01:00+08:00", &clerk, at_kiosk(unlisted), ErrorCode::QueryNotPermitted);
    let mut no_commission = q;
    no_commission.query = commission("court", None);
    w.refused("Q3", "2026-03-05T09:02:00+08:00", &clerk, at_kiosk(no_commission), ErrorCode::QueryNotPermitted);
}

#[test]
fn query_arguments_belong_to_queries_only() {
    let mut w = World::new();
    let clerk = w.staff("clerk-1");
    let mut transfer = intake("transfer_second_hand", Channel::Window);
    transfer.query.purpose = Some("x".into());
    let r = w.refused("A", "2026-03-05T09:00:00+08:00", &clerk, accept_all(&w, transfer), ErrorCode::InvalidArgument);
    assert!(r.message.contains("purpose"), "{r}");
}

#[test]
fn a_deferred_query_is_due_five_working_days_after_acceptance() {
    let mut w = sold_to_wang();
    let (clerk, rev) = (w.staff("clerk-1"), w.staff("rev-1"));
    let accept = Command::Accept {
        intake: Some(query("王五", WANG, Channel::Window, QueryInput::default())),
        materials: vec!["identity_proof".into()],
    };
    let d = w.ok("Q", "2026-09-29T10:00:00+08:00", &clerk, accept);
    assert_eq!(d.case.state(), State::Accepted);
    assert_eq!(d.query_log.iter().map(|l| l.outcome).collect::<Vec<_>>(), vec![Outcome::Accepted]);
    let defer = || Command::DeferQuery { reason: "档案调取".into() };
    let d = w.ok("Q", "2026-09-29T10:30:00+08:00", &clerk, defer());
    let promise = d.case.acceptance().unwrap().deadlines.promise;
    assert_eq!(w.fmt(promise.due_at), "2026-10-12T18:00:00+08:00");
    assert_eq!(promise.warning_at.map(|t| w.fmt(t)).as_deref(), Some("2026-10-10T18:00:00+08:00"));
    assert_eq!(d.query_log[0].outcome, Outcome::Deferred);
    w.refused("Q", "2026-09-29T10:40:00+08:00", &clerk, defer(), ErrorCode::InvalidTransition);
    let d = w.ok("Q", "2026-10-09T10:00:00+08:00", &rev, Command::Review);
    assert_eq!(d.case.state(), State::Completed);
    assert!(d.case.completion().unwrap().on_time);
    assert_eq!(d.query_log[0].outcome, Outcome::Answered);
    assert_eq!(d.answer.unwrap().page.owners[0].id, WANG);
}
