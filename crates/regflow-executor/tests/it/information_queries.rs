//! Information queries with authorisation through the engine (SPEC 15.2): the answer and
//! its signed 查询结果证明, the query log with refusals and service reads in it, chained and
//! checked.

use crate::support::*;
use regflow_executor::on_both;
use regflow_executor::query_log::QueryLogQuery;
use regflow_executor::signing::Algorithm;
use regflow_executor::{ManualClock, ReportFilter, Request};
use regflow_process::command::QueryInput;
use regflow_process::identifier::UnitNumber;
use regflow_process::register::certificate::read_signed_file;
use regflow_process::register::query::{Outcome, QuerierClass, ReaderClass, Scope};
use regflow_process::{
    ApplicantCategory, ApplicantInput, CaseId, Channel, Command, ErrorCode, IntakeInput, PartyRole, Role, State,
};

const WANG: &str = "630102197001010014";
const ZHAO: &str = "630102196512120018";

fn query(name: &str, id: &str, channel: Channel, q: QueryInput) -> Command {
    let parties = vec![ApplicantInput::new(name, id)];
    let intake = IntakeInput {
        query: q,
        ..IntakeInput::new("information_query", ApplicantCategory::Individual, parties, UNIT, channel)
    };
    Command::HandleInstantly { intake, materials: vec!["identity_proof".into()] }
}

fn outcomes(lines: &[regflow_process::register::query::LogLine]) -> Vec<(Outcome, ReaderClass)> {
    lines.iter().map(|l| (l.draft.outcome, l.draft.class)).collect()
}

async fn answers(db: &Db) {
    let clock = ManualClock::new(at("2026-03-02T09:00:00+08:00"));
    let (engine, public) = engine_signing(db, &clock, Algorithm::Ed25519).await;
    let first = vec![ApplicantInput::new("张三", ZHANG), ApplicantInput::new("李四", LI)];
    carry(&engine, "F", "first_registration", UNIT, first).await;
    clock.set(at("2026-03-04T16:20:00+08:00"));
    let sale = vec![
        ApplicantInput::new("张三", ZHANG).role(PartyRole::Obligor),
        ApplicantInput::new("李四", LI).role(PartyRole::Obligor),
        ApplicantInput::new("王五", WANG),
    ];
    carry(&engine, "T", "transfer_second_hand", UNIT, sale).await;

    // 王五 at the kiosk: the full page, certified.
    clock.set(at("2026-03-05T09:00:00+08:00"));
    let kiosk = staff("kiosk-1", Role::Kiosk);
    let q1 = CaseId::new("Q1");
    let done = engine
        .execute(Request::to(&q1, kiosk.clone(), query("王五", WANG, Channel::Kiosk, QueryInput::default())))
        .await
        .unwrap();
    assert_eq!(done.case.state(), State::Completed);
    let answer = done.case.answer().expect("answered").clone();
    assert_eq!(answer.scope, Scope::Full);
    let result = engine.query_result(&answer.id).await.unwrap();
    assert_eq!(result.document.number, "青(2026)西宁市不动产查询第0000001号");
    assert_eq!(result.document.result_hash, answer.result_hash);
    assert_eq!(result.page["owners"][0]["id"], WANG);
    let file = read_signed_file(&result.file).unwrap();
    assert!(public.verifies(&file.signed_bytes, &file.signature), "signed with the centre's key");
    let v = engine.verify_query_result(&answer.id, Some(&file.hash)).await.unwrap();
    assert_eq!(v.status, "valid");
    let v = engine.verify_query_result(&answer.id, Some(&answer.result_hash)).await.unwrap();
    assert_eq!(v.status, "not_genuine", "another hash is not this result's");

    // 张三 sold: refused at the kiosk, and the refusal is in the log; nothing else is written.
    let q2 = CaseId::new("Q2");
    let err = engine
        .execute(Request::to(&q2, kiosk.clone(), query("张三", ZHANG, Channel::Kiosk, QueryInput::default())))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::QueryNotPermitted));
    assert!(engine.case(&q2).await.unwrap().is_none(), "a refused query opens no case");

    // An interested party at the window: without proof refused, with it masked.
    let clerk = staff("clerk-1", Role::Clerk);
    let interested = |proof: Option<&str>| QueryInput {
        querier: Some(QuerierClass::InterestedParty),
        purpose: Some("诉讼".into()),
        proof: proof.map(Into::into),
        authority_type: None,
    };
    let err = engine
        .execute(Request::to(&CaseId::new("Q3"), clerk.clone(), query("赵六", ZHAO, Channel::Window, interested(None))))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::QueryNotPermitted));
    let q4 = CaseId::new("Q4");
    let proof = interested(Some("(2026)青01民初1号"));
    let done =
        engine.execute(Request::to(&q4, clerk.clone(), query("赵六", ZHAO, Channel::Window, proof))).await.unwrap();
    let masked = engine.query_result(&done.case.answer().unwrap().id).await.unwrap();
    assert_eq!(masked.page["owners"][0]["id"], "630102********0014");
    assert_eq!(masked.document.number, "青(2026)西宁市不动产查询第0000002号");

    // Service reads: the clerk's, the owner's own, and a former owner's refused.
    let unit = UnitNumber::parse(UNIT).unwrap();
    engine.as_actor(&clerk).unit_page(&unit, None).await.unwrap();
    engine.as_actor(&applicant(WANG)).unit_page(&unit, None).await.unwrap();
    let err = engine.as_actor(&applicant(ZHANG)).unit_page(&unit, None).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::QueryNotPermitted));

    let log = engine.query_log(&xining(), &QueryLogQuery::default()).await.unwrap();
    use Outcome::*;
    use ReaderClass as C;
    assert_eq!(
        outcomes(&log),
        vec![
            (Accepted, C::Owner),
            (Answered, C::Owner),
            (Refused, C::Owner),
            (Refused, C::InterestedParty),
            (Accepted, C::InterestedParty),
            (Answered, C::InterestedParty),
            (Read, C::Staff),
            (Read, C::Owner),
            (Refused, C::Owner),
        ]
    );
    assert_eq!(log[2].draft.code, Some(ErrorCode::QueryNotPermitted));
    assert_eq!(log[2].draft.querier.as_ref().unwrap().id, ZHANG);
    assert_eq!(log[1].draft.result_hash.as_deref(), Some(answer.result_hash.as_str()));
    assert_eq!(log.iter().map(|l| l.seq).collect::<Vec<_>>(), (1..=9).collect::<Vec<_>>());
    let by_querier = QueryLogQuery { querier: Some(ZHANG.into()), ..QueryLogQuery::default() };
    assert_eq!(engine.query_log(&xining(), &by_querier).await.unwrap().len(), 2);

    // Only a supervisor reads the log through the scoped view.
    let err = engine.as_actor(&clerk).query_log(&QueryLogQuery::default()).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::ForbiddenRole));
    let sup = staff("sup-1", Role::Supervisor);
    assert_eq!(
        engine.as_actor(&sup).query_log(&QueryLogQuery::default()).await.unwrap().len(),
        9,
        "its own read is not logged"
    );

    // The querier and staff read the result; anyone else learns nothing of it.
    assert!(engine.as_actor(&applicant(WANG)).case_result(&q1).await.is_ok());
    let err = engine.as_actor(&applicant(ZHAO)).query_result(&answer.id).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::CertificateNotFound));

    // The report counts the queries per querier class and channel (SPEC 17 §7).
    let filter = ReportFilter::period(at("2026-03-05T00:00:00+08:00"), at("2026-03-06T00:00:00+08:00"));
    let figures: Vec<(QuerierClass, Channel, u64, u64)> = engine
        .report(&filter)
        .await
        .unwrap()
        .queries
        .iter()
        .map(|f| (f.class, f.channel, f.answered_on_the_spot, f.refused))
        .collect();
    assert_eq!(
        figures,
        vec![(QuerierClass::Owner, Channel::Kiosk, 1, 1), (QuerierClass::InterestedParty, Channel::Window, 1, 1),]
    );

    // The chain holds; an edited line, a deleted last line are found.
    let v = engine.verify_query_log(&xining()).await.unwrap();
    assert!(v.is_intact(), "{v:?}");
    assert_eq!(v.lines, 9);
    raw(&engine, "UPDATE regflow_query_log SET line = replace(line, 'kiosk-1', 'kiosk-9') WHERE seq = 3").await;
    let v = engine.verify_query_log(&xining()).await.unwrap();
    assert_eq!(v.broken.map(|b| b.seq), Some(3));
    raw(&engine, "UPDATE regflow_query_log SET line = replace(line, 'kiosk-9', 'kiosk-1') WHERE seq = 3").await;
    raw(&engine, "DELETE FROM regflow_query_log WHERE seq = 9").await;
    let v = engine.verify_query_log(&xining()).await.unwrap();
    assert_eq!(v.broken.map(|b| b.seq), Some(9), "a deleted last line is found by the head");
    // A tampered stored result no longer verifies.
    raw(
        &engine,
        &format!("UPDATE regflow_query_results SET file = replace(file, '王五', '王六') WHERE id = '{}'", answer.id),
    )
    .await;
    assert_eq!(engine.verify_query_result(&answer.id, None).await.unwrap().status, "not_genuine");
}
on_both!(a_query_is_answered_in_its_scope_certified_and_logged_with_its_refusals, answers);

async fn deferred(db: &Db) {
    let clock = ManualClock::new(at("2026-09-29T10:00:00+08:00"));
    let engine = engine(db, &clock).await;
    let id = CaseId::new("Q");
    let clerk = staff("clerk-1", Role::Clerk);
    let intake = IntakeInput::new(
        "information_query",
        ApplicantCategory::Individual,
        vec![ApplicantInput::new("王五", WANG)],
        UNIT,
        Channel::Window,
    );
    let accept = Command::Accept { intake: Some(intake), materials: vec!["identity_proof".into()] };
    engine.execute(Request::to(&id, clerk.clone(), accept)).await.unwrap();
    let defer = || Command::DeferQuery { reason: "档案调取".into() };
    let done = engine.execute(Request::to(&id, clerk.clone(), defer())).await.unwrap();
    let promise = done.case.acceptance().unwrap().deadlines.promise;
    assert_eq!(promise.due_at, at("2026-10-12T18:00:00+08:00"));
    assert_eq!(promise.warning_at, Some(at("2026-10-10T18:00:00+08:00")));
    let err = engine.execute(Request::to(&id, clerk, defer())).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::InvalidTransition));
    clock.set(at("2026-10-09T10:00:00+08:00"));
    let done = engine.execute(Request::to(&id, staff("rev-1", Role::Reviewer), Command::Review)).await.unwrap();
    assert_eq!(done.case.state(), State::Completed);
    let log = engine.query_log(&xining(), &QueryLogQuery::default()).await.unwrap();
    let seen: Vec<Outcome> = log.iter().map(|l| l.draft.outcome).collect();
    assert_eq!(seen, vec![Outcome::Accepted, Outcome::Deferred, Outcome::Answered]);
    let filter = ReportFilter::period(at("2026-09-01T00:00:00+08:00"), at("2026-11-01T00:00:00+08:00"));
    let figures = engine.report(&filter).await.unwrap().queries;
    assert_eq!(figures.len(), 1);
    let f = &figures[0];
    assert_eq!(
        (f.class, f.channel, f.deferred, f.deferred_on_time, f.deferred_late, f.answered_on_the_spot),
        (QuerierClass::Owner, Channel::Window, 1, 1, 0, 0)
    );
    assert!(engine.verify_query_log(&xining()).await.unwrap().is_intact());
}
on_both!(a_deferred_query_is_due_in_five_working_days_and_answered_at_review, deferred);
