//! Two writers on one case never lose an update.

use crate::support::*;
use regflow_executor::on_both;
use regflow_executor::{ManualClock, Request};
use regflow_process::{CaseId, Channel, Command, ErrorCode, Role};
use std::sync::Arc;

async fn eight_writers(db: &Db) {
    let clock = ManualClock::new(at("2026-03-02T09:00:00+08:00"));
    let engine = Arc::new(engine(db, &clock).await);
    let id = CaseId::new("raced");
    engine
        .execute(Request::to(
            &id,
            staff("clerk-1", Role::Clerk),
            accept(&engine, "transfer_second_hand", Channel::Window),
        ))
        .await
        .unwrap();
    // Rounds of 8 tasks, each sending a conflicting command for the version it read.
    let mut versions_won = Vec::new();
    for round in 0..5 {
        let version = engine.case(&id).await.unwrap().unwrap().case.version();
        let mut tasks = Vec::new();
        for i in 0..8 {
            let engine = engine.clone();
            let id = id.clone();
            tasks.push(tokio::spawn(async move {
                let sup = staff(&format!("sup-{i}"), Role::Supervisor);
                let cmd = Command::Extend { working_days: 1, reason: format!("round {round} writer {i}") };
                engine.execute(Request::to(&id, sup, cmd).expecting(version)).await
            }));
        }
        let mut won = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(done) => {
                    won += 1;
                    assert_eq!(done.case.version(), version + 1);
                }
                Err(e) => assert_eq!(e.code(), Some(ErrorCode::Conflict), "{e}"),
            }
        }
        assert_eq!(won, 1, "exactly one writer wins version {version}");
        versions_won.push(version);
    }
    // Nothing lost: every win is in the history, chained and replayable.
    let view = engine.case(&id).await.unwrap().unwrap();
    assert_eq!(view.history.len(), 6);
    assert_eq!(view.case.extensions().len(), 5);
    assert!(engine.verify(&id).await.unwrap().is_intact());
    // The losers armed and dropped nothing: the timers waiting are the winners'.
    assert_eq!(armed(&engine, &id).await, wanted(&view.case));
    // Unguarded writers: every one that is allowed lands, none is lost.
    let mut tasks = Vec::new();
    for i in 0..8 {
        let engine = engine.clone();
        let id = id.clone();
        tasks.push(tokio::spawn(async move {
            let cmd = Command::SupplyMaterials { materials: vec!["household_register".into()] };
            let clerk = staff(&format!("clerk-{i}"), Role::Clerk);
            engine.execute(Request::to(&id, clerk, cmd)).await
        }));
    }
    let mut landed = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => landed += 1,
            Err(e) => assert_eq!(e.code(), Some(ErrorCode::Conflict), "{e}"),
        }
    }
    let view = engine.case(&id).await.unwrap().unwrap();
    assert_eq!(view.history.len(), 6 + landed);
    assert!(landed >= 1);
    assert!(engine.verify(&id).await.unwrap().is_intact());
}
on_both!(eight_writers_one_wins_per_version, eight_writers);

async fn eight_openers(db: &Db) {
    let clock = ManualClock::new(at("2026-03-02T09:00:00+08:00"));
    let engine = Arc::new(engine(db, &clock).await);
    let id = CaseId::new("opened-once");
    let mut tasks = Vec::new();
    for i in 0..8 {
        let (engine, id) = (engine.clone(), id.clone());
        tasks.push(tokio::spawn(async move {
            let clerk = staff(&format!("clerk-{i}"), Role::Clerk);
            // Half of them accept a kind with other deadlines and timers.
            let kind = if i % 2 == 0 { "transfer_second_hand" } else { "change" };
            let cmd = accept(&engine, kind, Channel::Window);
            engine.execute(Request::to(&id, clerk, cmd)).await
        }));
    }
    let mut won = Vec::new();
    for t in tasks {
        match t.await.unwrap() {
            Ok(done) => won.push(done),
            // A loser that read the case before it was opened conflicts; one that read it
            // after finds it accepted already.
            Err(e) => assert!(matches!(e.code(), Some(ErrorCode::Conflict | ErrorCode::InvalidTransition)), "{e}"),
        }
    }
    assert_eq!(won.len(), 1, "exactly one opener wins");
    // The losers wrote nothing: one event, the winner's case and timers.
    let view = engine.case(&id).await.unwrap().unwrap();
    assert_eq!(view.history.len(), 1);
    assert_eq!(view.case, won[0].case);
    assert!(engine.verify(&id).await.unwrap().is_intact());
    assert_eq!(armed(&engine, &id).await, wanted(&view.case));
}
on_both!(eight_openers_one_wins, eight_openers);

/// The timers stored for `id` that have not fired, as `(key, due micros)`, sorted.
async fn armed(engine: &regflow_executor::Engine, id: &CaseId) -> Vec<(String, i64)> {
    const SQL: &str =
        "SELECT timer, due_at FROM regflow_timers WHERE case_id = $1 AND fired_at IS NULL ORDER BY timer, due_at";
    if let Some(pool) = engine.sqlite_pool() {
        sqlx::query_as(SQL).bind(id.as_str()).fetch_all(pool).await.unwrap()
    } else {
        let pool = engine.postgres_pool().unwrap();
        sqlx::query_as(SQL).bind(id.as_str()).fetch_all(pool).await.unwrap()
    }
}

/// The timers `case` wants armed, as [`armed`] lists them.
fn wanted(case: &regflow_process::Case) -> Vec<(String, i64)> {
    let mut timers: Vec<(String, i64)> =
        case.timers().iter().map(|t| (t.key().to_owned(), t.at.timestamp_micros())).collect();
    timers.sort();
    timers
}
