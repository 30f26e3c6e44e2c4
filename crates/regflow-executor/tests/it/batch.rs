//! Batches: many commands in one transaction, all or nothing or each on its own, with the
//! same cases, histories and timers as the same commands sent one by one.

use crate::support::*;
use regflow_executor::on_both;
use regflow_executor::{Engine, Error, IgnoreAlerts, ManualClock, Request};
use regflow_process::{CaseId, Channel, Command, ErrorCode, Role, State};

fn lifecycle(engine: &Engine, id: &CaseId) -> Vec<Request> {
    vec![
        Request::to(id, staff("clerk-1", Role::Clerk), accept(engine, "change", Channel::Window)),
        Request::to(id, staff("rev-1", Role::Reviewer), Command::Review),
        Request::to(id, staff("reg-1", Role::Registrar), Command::Record),
    ]
}

async fn same_as_one_by_one(db: &Db) {
    let clock = ManualClock::new(at("2026-03-02T09:00:00+08:00"));
    let engine = engine(db, &clock).await;
    let (a, b, single) = (CaseId::new("A"), CaseId::new("B"), CaseId::new("S"));
    // Two cases interleaved in one batch.
    let mut batch = lifecycle(&engine, &a);
    batch.insert(1, lifecycle(&engine, &b).remove(0));
    let done = engine.execute_all(batch).await.unwrap();
    assert_eq!(done.len(), 4);
    assert_eq!(done[0].case.state(), State::Accepted);
    assert_eq!(done[3].case.state(), State::Recorded);
    // Each result carries the entries its own command appended, chained in order.
    assert_eq!(done[0].entries.len(), 1);
    assert_eq!(done[2].entries[0].event.seq, 2);
    assert_eq!(done[3].entries[0].event.seq, 3);
    assert_eq!(done[3].entries[0].prev_hash, done[2].entries[0].hash);
    // The same commands one by one give the same case, history and timers.
    for req in lifecycle(&engine, &single) {
        engine.execute(req).await.unwrap();
    }
    let (batched, alone) = (engine.case(&a).await.unwrap().unwrap(), engine.case(&single).await.unwrap().unwrap());
    assert_eq!(batched.case.version(), 3);
    assert_eq!(batched.case.deadlines(), alone.case.deadlines());
    assert_eq!(batched.case.alerts(), alone.case.alerts());
    let commands = |v: &regflow_executor::CaseView| v.history.iter().map(|h| h.event.command).collect::<Vec<_>>();
    assert_eq!(commands(&batched), commands(&alone));
    for id in [&a, &b, &single] {
        let v = engine.verify(id).await.unwrap();
        assert!(v.is_intact(), "{id}: {v:?}");
    }
    // Their timers fire alike: as many alerts for the batched case as for the single one.
    let pass = engine.run_due(at("2026-06-01T00:00:00+08:00"), &IgnoreAlerts).await.unwrap();
    let count = |id: &CaseId| pass.alerts.iter().filter(|x| &x.case_id == id).count();
    assert!(count(&single) > 0);
    assert_eq!(count(&a), count(&single));
}
on_both!(a_batch_writes_what_the_commands_one_by_one_write, same_as_one_by_one);

async fn all_or_nothing(db: &Db) {
    let clock = ManualClock::new(at("2026-03-02T09:00:00+08:00"));
    let engine = engine(db, &clock).await;
    let (a, b) = (CaseId::new("A"), CaseId::new("B"));
    let mut batch = lifecycle(&engine, &a);
    batch.push(lifecycle(&engine, &b).remove(0));
    // B is not reviewed yet, so it cannot be recorded: the fifth command is refused, and
    // nothing stays.
    batch.push(Request::to(&b, staff("reg-1", Role::Registrar), Command::Record));
    let err = engine.execute_all(batch).await.unwrap_err();
    match &err {
        Error::InBatch { index, source } => {
            assert_eq!(*index, 4);
            assert_eq!(source.code(), Some(ErrorCode::InvalidTransition));
        }
        other => panic!("expected InBatch, got {other:?}"),
    }
    assert_eq!(err.code(), Some(ErrorCode::InvalidTransition));
    assert!(engine.case(&a).await.unwrap().is_none());
    assert!(engine.case(&b).await.unwrap().is_none());
    assert!(engine.execute_all(Vec::new()).await.unwrap().is_empty());
}
on_both!(a_refusal_rolls_an_all_or_nothing_batch_back, all_or_nothing);

async fn each_on_its_own(db: &Db) {
    let clock = ManualClock::new(at("2026-03-02T09:00:00+08:00"));
    let engine = engine(db, &clock).await;
    let (a, b) = (CaseId::new("A"), CaseId::new("B"));
    let clerk = staff("clerk-1", Role::Clerk);
    let keyed = Request::to(&b, clerk.clone(), accept(&engine, "change", Channel::Window)).idempotent("k-1");
    let batch = vec![
        Request::to(&a, clerk.clone(), accept(&engine, "change", Channel::Window)),
        Request::to(&CaseId::new("nowhere"), staff("rev-1", Role::Reviewer), Command::Review),
        keyed.clone(),
        keyed,
        Request::to(&a, staff("rev-1", Role::Reviewer), Command::Review),
        // Reviewed already: refused, and the review before it stands.
        Request::to(&a, staff("rev-1", Role::Reviewer), Command::Review),
        Request::to(&b, staff("rev-1", Role::Reviewer), Command::Review).expecting(1),
    ];
    let results = engine.execute_each(batch).await.unwrap();
    let codes: Vec<Option<ErrorCode>> = results.iter().map(|r| r.as_ref().err().and_then(Error::code)).collect();
    assert_eq!(
        codes,
        [None, Some(ErrorCode::CaseNotFound), None, None, None, Some(ErrorCode::InvalidTransition), None]
    );
    assert!(results[3].as_ref().unwrap().repeated);
    assert_eq!(results[4].as_ref().unwrap().entries[0].event.seq, 2);
    for id in [&a, &b] {
        let view = engine.case(id).await.unwrap().unwrap();
        assert_eq!(view.case.version(), 2, "{id}");
        assert!(engine.verify(id).await.unwrap().is_intact());
    }
}
on_both!(a_batch_keeps_each_refusal_apart, each_on_its_own);

async fn seizure_inside(db: &Db) {
    let clock = ManualClock::new(at("2026-03-02T09:00:00+08:00"));
    let engine = engine(db, &clock).await;
    let a = CaseId::new("A");
    let mut batch = lifecycle(&engine, &a);
    // A court seizes the unit before the registrar records: the recording, decided after
    // the seizure in the same batch, must see it.
    batch.insert(
        2,
        Request::new(
            staff("court-1", Role::Court),
            Command::HandleInstantly {
                intake: intake("seizure", Channel::Court),
                materials: all_materials(&engine, "seizure"),
            },
        ),
    );
    let results = engine.execute_each(batch).await.unwrap();
    assert!(results[2].is_ok());
    assert_eq!(results[3].as_ref().unwrap_err().code(), Some(ErrorCode::UnitSeized));
    assert_eq!(engine.case(&a).await.unwrap().unwrap().case.state(), State::Reviewed);
}
on_both!(a_seizure_earlier_in_a_batch_blocks_a_recording_later_in_it, seizure_inside);
