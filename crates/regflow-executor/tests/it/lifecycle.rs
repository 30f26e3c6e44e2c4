//! Every kind's life through the public API.

use crate::support::*;
use regflow_executor::on_both;
use regflow_executor::{Clock, Engine, IgnoreAlerts, ManualClock, Request};
use regflow_process::catalogue::Task;
use regflow_process::{CaseId, Channel, Command, IntakeInput, Role, State};

/// A distinct unit per kind, so seizures on one do not block another.
fn unit(i: usize) -> String {
    format!("630102001001GB{:05}F00010001", i + 1)
}

async fn run(engine: &Engine, id: &CaseId, actor: regflow_process::Actor, command: Command) -> State {
    let done = engine.execute(Request::to(id, actor, command)).await.unwrap_or_else(|e| panic!("{id}: {e}"));
    done.case.state()
}

async fn life(engine: &Engine, clock: &ManualClock, i: usize, kind: &str) {
    let id = CaseId::new(format!("case-{kind}"));
    let mut input: IntakeInput = intake(kind, Channel::Window);
    input.unit = unit(i);
    let (channel, opener) = match kind {
        "mortgage" | "mortgage_cancellation" => (Channel::Bank, staff("bank-1", Role::Bank)),
        "seizure" | "seizure_release" => (Channel::Court, staff("court-1", Role::Court)),
        "information_query" => (Channel::Kiosk, staff("kiosk-1", Role::Kiosk)),
        _ => (Channel::Window, staff("clerk-1", Role::Clerk)),
    };
    input.channel = channel;
    let materials = all_materials(engine, kind);
    let instant =
        ["mortgage_cancellation", "cancellation", "seizure", "seizure_release", "information_query"].contains(&kind);
    if instant {
        let s = run(engine, &id, opener, Command::HandleInstantly { intake: input, materials }).await;
        assert_eq!(s, State::Completed, "{kind}");
        return;
    }
    assert_eq!(run(engine, &id, opener, Command::Accept { intake: Some(input), materials }).await, State::Accepted);
    let spec = engine.catalogue().get(kind).unwrap().clone();
    for task in &spec.tasks {
        let officer = match task {
            Task::Tax => staff("tax-1", Role::TaxOfficer),
            Task::TransactionFiling => staff("tr-1", Role::TransactionOfficer),
        };
        run(engine, &id, officer, Command::task_succeeded(*task)).await;
    }
    let reviewed = run(engine, &id, staff("rev-1", Role::Reviewer), Command::Review).await;
    if spec.public_notice_days.is_some() {
        assert_eq!(reviewed, State::Suspended, "{kind}");
        // The notice resumes by itself once it has run.
        let end = engine.case(&id).await.unwrap().unwrap().case.suspension().unwrap().notice.unwrap().ends_at;
        clock.set(end + chrono::Duration::minutes(1));
        let pass = engine.run_due(clock.now(), &IgnoreAlerts).await.unwrap();
        assert!(pass.resumed.contains(&id), "{kind}");
    }
    let recorded = run(engine, &id, staff("reg-1", Role::Registrar), Command::Record).await;
    assert_eq!(recorded, State::Recorded, "{kind}");
    assert_eq!(run(engine, &id, staff("clerk-2", Role::Clerk), Command::IssueCertificate).await, State::Completed);
}

async fn every_kind(db: &Db) {
    let clock = ManualClock::new(at("2026-03-02T09:00:00+08:00"));
    let engine = engine(db, &clock).await;
    let kinds: Vec<String> = engine.catalogue().kinds().iter().map(|k| k.id.to_string()).collect();
    for (i, kind) in kinds.iter().enumerate() {
        life(&engine, &clock, i, kind).await;
        let id = CaseId::new(format!("case-{kind}"));
        let view = engine.case(&id).await.unwrap().unwrap();
        assert_eq!(view.case.state(), State::Completed, "{kind}");
        assert!(view.case.completion().unwrap().on_time || kind == "first_registration_homestead", "{kind}");
        // The stored case is exactly the replay of its history.
        let replayed = regflow_process::Case::replay(view.history.iter().map(|e| &e.event)).unwrap();
        assert_eq!(replayed, view.case, "{kind}");
        assert!(engine.verify(&id).await.unwrap().is_intact(), "{kind}");
    }
}
on_both!(every_kind_lives_through_the_engine, every_kind);

async fn executor_refusals(db: &Db) {
    let clock = ManualClock::new(at("2026-03-02T09:00:00+08:00"));
    let engine = engine(db, &clock).await;
    let done = open_change(&engine, &CaseId::new("refusals")).await;
    let id = done.case.id().clone();
    assert_eq!(done.entries.len(), 1);
    assert_eq!(done.entries[0].prev_hash, regflow_executor::GENESIS);
    // A stale version loses: conflict, nothing written.
    let rev = staff("rev-1", Role::Reviewer);
    let err = engine.execute(Request::to(&id, rev.clone(), Command::Review).expecting(0)).await.unwrap_err();
    assert_eq!(err.code(), Some(regflow_process::ErrorCode::Conflict));
    assert_eq!(engine.history(&id).await.unwrap().len(), 1);
    engine.execute(Request::to(&id, rev.clone(), Command::Review).expecting(1)).await.unwrap();
    // Unknown case and unknown centre.
    let err = engine.execute(Request::to(&CaseId::new("nope"), rev.clone(), Command::Review)).await.unwrap_err();
    assert_eq!(err.code(), Some(regflow_process::ErrorCode::CaseNotFound));
    let stranger = regflow_process::Actor::new("c", [Role::Clerk], regflow_process::CentreId::new("haidong"));
    let err = engine.execute(Request::new(stranger, accept(&engine, "change", Channel::Window))).await.unwrap_err();
    assert_eq!(err.code(), Some(regflow_process::ErrorCode::WrongCentre));
    // A refused step changes nothing.
    let err = engine.execute(Request::to(&id, rev, Command::Review)).await.unwrap_err();
    assert_eq!(err.code(), Some(regflow_process::ErrorCode::InvalidTransition));
    assert_eq!(engine.history(&id).await.unwrap().len(), 2);
}
on_both!(refusals_the_executor_adds, executor_refusals);

async fn centres_apart(db: &Db) {
    let clock = ManualClock::new(at("2026-03-02T09:00:00+08:00"));
    let engine = engine_of(db, &clock, &["xining", "haidong"]).await;
    let id = CaseId::new("X1");
    open_change(&engine, &id).await;
    let haidong = regflow_process::CentreId::new("haidong");
    let other = regflow_process::Actor::new("rev-1", [Role::Reviewer, Role::Registrar], haidong);
    // Whatever else is wrong — a stale version, a command the state does not allow —
    // another centre hears `wrong_centre` and nothing about the case.
    for req in [
        Request::to(&id, other.clone(), Command::Record),
        Request::to(&id, other.clone(), Command::Review).expecting(7),
        Request::to(&id, other.clone(), Command::Resume),
    ] {
        let err = engine.execute(req).await.unwrap_err();
        let r = err.refusal().unwrap();
        assert_eq!(r.code, regflow_process::ErrorCode::WrongCentre, "{r}");
        for secret in ["accepted", "xining", "version"] {
            assert!(!r.message.contains(secret), "`{secret}` leaked: {}", r.message);
        }
    }
    assert_eq!(engine.history(&id).await.unwrap().len(), 1);
}
on_both!(another_centre_learns_nothing_about_a_case, centres_apart);

async fn idempotency(db: &Db) {
    let clock = ManualClock::new(at("2026-03-02T09:00:00+08:00"));
    let engine = engine(db, &clock).await;
    let bank = staff("bank-1", Role::Bank);
    let cmd = accept(&engine, "mortgage", Channel::Bank);
    let first = engine.execute(Request::new(bank.clone(), cmd.clone()).idempotent("bank-req-1")).await.unwrap();
    let id = first.case.id().clone();
    // The bank retries (it lost the response): the same result, nothing applied twice.
    clock.advance(chrono::Duration::minutes(1));
    let again = engine.execute(Request::new(bank.clone(), cmd.clone()).idempotent("bank-req-1")).await.unwrap();
    assert!(again.repeated && !first.repeated);
    assert_eq!(again.case, first.case);
    assert_eq!(again.entries, first.entries);
    assert_eq!(engine.history(&id).await.unwrap().len(), 1);
    assert_eq!(engine.cases_of_applicant(ZHANG).await.unwrap().len(), 1);
    // The same key from the same actor for another command is refused.
    let other = Request::to(&id, bank.clone(), Command::Review).idempotent("bank-req-1");
    let err = engine.execute(other).await.unwrap_err();
    assert_eq!(err.code(), Some(regflow_process::ErrorCode::IdempotencyKeyReused));
}
on_both!(idempotency_keys_apply_once, idempotency);

async fn keys_per_centre(db: &Db) {
    let clock = ManualClock::new(at("2026-03-02T09:00:00+08:00"));
    let engine = engine_of(db, &clock, &["xining", "haidong"]).await;
    let xining_bank = staff("bank-1", Role::Bank);
    let first = engine
        .execute(Request::new(xining_bank.clone(), accept(&engine, "mortgage", Channel::Bank)).idempotent("k-1"))
        .await
        .unwrap();
    // Another centre's actor with the same id and the same key gets nothing of the first
    // centre's: its own request is decided afresh (here for a case of its own).
    let haidong_bank = regflow_process::Actor::new("bank-1", [Role::Bank], regflow_process::CentreId::new("haidong"));
    let mut other = intake("mortgage", Channel::Bank);
    other.unit = "630102001001GB00077F00010001".into();
    let theirs = engine
        .execute(
            Request::new(
                haidong_bank,
                Command::Accept { intake: Some(other), materials: all_materials(&engine, "mortgage") },
            )
            .idempotent("k-1"),
        )
        .await
        .unwrap();
    assert!(!theirs.repeated);
    assert_ne!(theirs.case.id(), first.case.id());
    assert_eq!(theirs.case.centre().as_str(), "haidong");
    // Another actor of the same centre: also a request of its own.
    let other_bank = staff("bank-2", Role::Bank);
    let again = engine
        .execute(Request::new(other_bank, accept(&engine, "mortgage", Channel::Bank)).idempotent("k-1"))
        .await
        .unwrap();
    assert!(!again.repeated);
    // The first actor repeating gets its own first result.
    let repeat = engine
        .execute(Request::new(xining_bank, accept(&engine, "mortgage", Channel::Bank)).idempotent("k-1"))
        .await
        .unwrap();
    assert!(repeat.repeated);
    assert_eq!(repeat.case.id(), first.case.id());
}
on_both!(idempotency_keys_are_scoped_to_centre_and_actor, keys_per_centre);

async fn seizure_across_cases(db: &Db) {
    let clock = ManualClock::new(at("2026-03-02T09:00:00+08:00"));
    let engine = engine(db, &clock).await;
    let id = open_change(&engine, &CaseId::new("seized")).await.case.id().clone();
    engine.execute(Request::to(&id, staff("rev-1", Role::Reviewer), Command::Review)).await.unwrap();
    let court = staff("court-1", Role::Court);
    let seize = Command::HandleInstantly {
        intake: intake("seizure", Channel::Court),
        materials: all_materials(&engine, "seizure"),
    };
    engine.execute(Request::new(court.clone(), seize)).await.unwrap();
    clock.advance(chrono::Duration::minutes(5));
    let reg = staff("reg-1", Role::Registrar);
    let err = engine.execute(Request::to(&id, reg.clone(), Command::Record)).await.unwrap_err();
    assert_eq!(err.code(), Some(regflow_process::ErrorCode::UnitSeized));
    clock.advance(chrono::Duration::minutes(5));
    let release = Command::HandleInstantly {
        intake: intake("seizure_release", Channel::Court),
        materials: all_materials(&engine, "seizure_release"),
    };
    engine.execute(Request::new(court, release)).await.unwrap();
    clock.advance(chrono::Duration::minutes(5));
    assert_eq!(engine.execute(Request::to(&id, reg, Command::Record)).await.unwrap().case.state(), State::Recorded);
}
on_both!(a_recorded_seizure_blocks_recording_until_released, seizure_across_cases);

async fn unit_serialised(db: &Db) {
    let clock = ManualClock::new(at("2026-03-02T09:00:00+08:00"));
    let engine = engine(db, &clock).await;
    let id = CaseId::new("T");
    open_change(&engine, &id).await;
    engine.execute(Request::to(&id, staff("rev-1", Role::Reviewer), Command::Review)).await.unwrap();
    let record = Request::to(&id, staff("reg-1", Role::Registrar), Command::Record);
    let seize = Request::new(
        staff("court-1", Role::Court),
        Command::HandleInstantly {
            intake: intake("seizure", Channel::Court),
            materials: all_materials(&engine, "seizure"),
        },
    );
    // Recording holds the unit until its transaction ends: a seizure of the same unit
    // waits for it, and then sees a recorded change, not a half-finished one.
    macro_rules! hold_and_race {
        ($pool:expr, $exec:ident) => {{
            let mut tx = $pool.begin().await.unwrap();
            let done = engine.$exec(&mut tx, record.clone()).await.unwrap();
            assert_eq!(done.case.state(), State::Recorded);
            let racing = tokio::spawn({
                let engine = engine.clone();
                let seize = seize.clone();
                async move { engine.execute(seize).await }
            });
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            assert!(!racing.is_finished(), "the seizure waited for the recording's transaction");
            tx.commit().await.unwrap();
            let seized = racing.await.unwrap().unwrap();
            assert_eq!(seized.case.state(), State::Completed);
        }};
    }
    if let Some(pool) = engine.sqlite_pool() {
        hold_and_race!(pool, execute_in_sqlite);
    } else if let Some(pool) = engine.postgres_pool() {
        hold_and_race!(pool, execute_in_postgres);
    }
    assert_eq!(engine.case(&id).await.unwrap().unwrap().case.state(), State::Recorded);
}
on_both!(recording_on_a_unit_is_serialised, unit_serialised);

async fn offline_capture(db: &Db) {
    let clock = ManualClock::new(at("2026-03-02T15:00:00+08:00"));
    let engine = engine(db, &clock).await;
    let kiosk = staff("kiosk-1", Role::Kiosk);
    let query = || Command::HandleInstantly {
        intake: intake("information_query", Channel::Kiosk),
        materials: vec!["identity_proof".into()],
    };
    // Taken at 09:00 while the kiosk was offline, committed at 15:00.
    let captured = at("2026-03-02T09:00:00+08:00");
    let done =
        engine.execute(Request::to(&CaseId::new("Q1"), kiosk.clone(), query()).captured(captured)).await.unwrap();
    let event = &done.entries[0].event;
    assert_eq!(event.captured_at, Some(captured));
    assert_eq!(event.at, at("2026-03-02T15:00:00+08:00"));
    assert!(engine.verify(&CaseId::new("Q1")).await.unwrap().is_intact());
    // Not from the future, not from more than 30 days ago.
    for when in ["2026-03-02T15:00:01+08:00", "2026-01-30T15:00:00+08:00"] {
        let err = engine
            .execute(Request::to(&CaseId::new("Q2"), kiosk.clone(), query()).captured(at(when)))
            .await
            .unwrap_err();
        let r = err.refusal().unwrap();
        assert_eq!(r.code, regflow_process::ErrorCode::InvalidArgument, "{r}");
        assert!(r.message.contains("captured_at"), "{r}");
    }
    assert!(engine.case(&CaseId::new("Q2")).await.unwrap().is_none());
}
on_both!(offline_commands_record_when_they_were_captured, offline_capture);

async fn ids_in_time_order(db: &Db) {
    let clock = ManualClock::new(at("2026-03-02T09:00:00+08:00"));
    let engine = engine(db, &clock).await;
    let clerk = staff("clerk-1", Role::Clerk);
    let mut ids = Vec::new();
    for _ in 0..3 {
        let done =
            engine.execute(Request::new(clerk.clone(), accept(&engine, "change", Channel::Window))).await.unwrap();
        ids.push(done.case.id().as_str().to_owned());
        clock.advance(chrono::Duration::milliseconds(1));
    }
    // Two drawn in one batch at one instant differ.
    let batch = vec![
        Request::new(clerk.clone(), accept(&engine, "change", Channel::Window)),
        Request::new(clerk.clone(), accept(&engine, "change", Channel::Window)),
    ];
    for done in engine.execute_all(batch).await.unwrap() {
        ids.push(done.case.id().as_str().to_owned());
    }
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids[..3], sorted[..3], "ids drawn later sort later");
    assert!(ids[3] > ids[2] && ids[4] > ids[2] && ids[3] != ids[4], "{ids:?}");
    // Version 7, stamped with the engine's clock (2026-03-02T01:00:00Z), not the system's.
    let uuid = uuid::Uuid::parse_str(&ids[0]).unwrap();
    assert_eq!(uuid.get_version_num(), 7);
    let (secs, _) = uuid.get_timestamp().unwrap().to_unix();
    assert_eq!(secs, at("2026-03-02T09:00:00+08:00").timestamp() as u64);
}
on_both!(new_case_ids_sort_by_the_engine_clock, ids_in_time_order);
