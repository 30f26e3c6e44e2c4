//! History integrity: verification catches tampering; commands are all or nothing.

use crate::support::*;
use regflow_executor::on_both;
use regflow_executor::{Engine, ManualClock, Request, Tampering};
use regflow_process::{CaseId, Channel, Command, Role};

/// A change case accepted, reviewed, extended and recorded: four entries.
async fn four_entries(engine: &Engine, label: &str) -> CaseId {
    let id = CaseId::new(label);
    let steps = [
        (staff("clerk-1", Role::Clerk), accept(engine, "change", Channel::Window)),
        (staff("sup-1", Role::Supervisor), Command::Extend { working_days: 1, reason: "复杂".into() }),
        (staff("rev-1", Role::Reviewer), Command::Review),
        (staff("reg-1", Role::Registrar), Command::Record),
    ];
    for (actor, cmd) in steps {
        engine.execute(Request::to(&id, actor, cmd)).await.unwrap();
    }
    id
}

async fn tampering(db: &Db) {
    let clock = ManualClock::new(at("2026-03-02T09:00:00+08:00"));
    let engine = engine(db, &clock).await;
    for label in ["edit", "delete", "reorder", "truncate", "intact"] {
        four_entries(&engine, label).await;
    }
    let intact = engine.verify(&CaseId::new("intact")).await.unwrap();
    assert!(intact.is_intact(), "{intact:?}");
    assert_eq!(intact.entries, 4);

    raw(&engine, "UPDATE regflow_events SET body = replace(body, '复杂', '简单') WHERE case_id = 'edit' AND seq = 2")
        .await;
    let v = engine.verify(&CaseId::new("edit")).await.unwrap();
    assert!(v.problems.contains(&Tampering::Edited { seq: 2 }), "{v:?}");

    raw(&engine, "DELETE FROM regflow_events WHERE case_id = 'delete' AND seq = 2").await;
    let v = engine.verify(&CaseId::new("delete")).await.unwrap();
    assert!(v.problems.contains(&Tampering::Broken { seq: 3 }), "{v:?}");

    raw(&engine, "UPDATE regflow_events SET seq = seq + 100 WHERE case_id = 'reorder' AND seq IN (2, 3)").await;
    raw(&engine, "UPDATE regflow_events SET seq = 5 - (seq - 100) WHERE case_id = 'reorder' AND seq > 100").await;
    let v = engine.verify(&CaseId::new("reorder")).await.unwrap();
    assert!(v.problems.iter().any(|p| matches!(p, Tampering::Broken { .. })), "{v:?}");

    raw(&engine, "DELETE FROM regflow_events WHERE case_id = 'truncate' AND seq = 4").await;
    let v = engine.verify(&CaseId::new("truncate")).await.unwrap();
    assert!(v.problems.contains(&Tampering::Truncated { version: 4, found: 3 }), "{v:?}");

    // Nothing else was touched.
    assert!(engine.verify(&CaseId::new("intact")).await.unwrap().is_intact());
    let err = engine.verify(&CaseId::new("nope")).await.unwrap_err();
    assert_eq!(err.code(), Some(regflow_process::ErrorCode::CaseNotFound));
}
on_both!(verification_catches_edited_deleted_and_reordered_events, tampering);

async fn every_column(db: &Db) {
    let clock = ManualClock::new(at("2026-03-02T09:00:00+08:00"));
    let engine = engine(db, &clock).await;
    // An edit of each queryable column of the case row, and of each column of an entry
    // beside its hashed body, is reported naming the column.
    let event_edits = [("at", "at = at + 1"), ("command", "command = 'reject'"), ("actor", "actor = 'someone-else'")];
    for (column, set) in event_edits {
        let id = four_entries(&engine, &format!("ev-{column}")).await;
        raw(&engine, &format!("UPDATE regflow_events SET {set} WHERE case_id = '{id}' AND seq = 2")).await;
        let v = engine.verify(&id).await.unwrap();
        assert!(v.problems.contains(&Tampering::EventColumn { seq: 2, column: column.to_owned() }), "{column}: {v:?}");
    }
    // An untouched case is intact.
    let id = four_entries(&engine, "clean").await;
    assert!(engine.verify(&id).await.unwrap().is_intact());
    let case_edits: [(&str, &str); 26] = [
        ("centre", "centre = 'haidong'"),
        ("kind", "kind = 'mortgage'"),
        ("category", "category = 'organisation'"),
        ("channel", "channel = 'bank'"),
        ("priority", "priority = 'military'"),
        ("priority_class", "priority_class = 0"),
        ("unit", "unit = '630102001001GB00002F00010001'"),
        ("state", "state = 'completed'"),
        ("is_open", "is_open = 0"),
        ("instant", "instant = 1"),
        ("pending_task_bits", "pending_task_bits = 2"),
        ("accepted_at", "accepted_at = accepted_at - 1"),
        ("promise_due_at", "promise_due_at = promise_due_at + 86400000000"),
        ("statutory_due_at", "statutory_due_at = statutory_due_at + 1"),
        ("provisional", "provisional = 1"),
        ("recorded_at", "recorded_at = 1"),
        ("completed_at", "completed_at = 1"),
        ("working_days_used", "working_days_used = 1"),
        ("on_time", "on_time = 1"),
        ("within_statute", "within_statute = 0"),
        ("extended_days", "extended_days = 9"),
        ("suspensions", "suspensions = 3"),
        ("rating", "rating = 5"),
        ("created_at", "created_at = created_at - 1"),
        ("updated_at", "updated_at = updated_at + 1"),
        // Last: a recorded case that seizes its unit blocks every later recording on it.
        ("unit_effect", "unit_effect = 'seize'"),
    ];
    for (i, (column, set)) in case_edits.iter().enumerate() {
        let id = four_entries(&engine, &format!("col{i}")).await;
        raw(&engine, &format!("UPDATE regflow_cases SET {set} WHERE id = '{id}'")).await;
        let v = engine.verify(&id).await.unwrap();
        assert!(v.problems.contains(&Tampering::CaseColumn { column: (*column).to_owned() }), "{column}: {v:?}");
    }
}
on_both!(verification_catches_an_edit_of_every_column, every_column);

/// Reads racing a stream of commands on the same case: every `verify` and every view sees
/// the case row and its history from one moment, never a history one event ahead.
async fn reads_during_writes(db: &Db) {
    let clock = ManualClock::new(at("2026-03-02T09:00:00+08:00"));
    let engine = engine(db, &clock).await;
    let id = open_change(&engine, &CaseId::new("busy")).await.case.id().clone();
    let writer = {
        let (engine, id) = (engine.clone(), id.clone());
        tokio::spawn(async move {
            let sup = staff("sup-1", Role::Supervisor);
            for n in 0..60 {
                let cmd = if n % 2 == 0 {
                    Command::Suspend { cause: regflow_process::case::SuspensionCause::Appraisal, note: "鉴定".into() }
                } else {
                    Command::Resume
                };
                engine.execute(Request::to(&id, sup.clone(), cmd)).await.unwrap();
            }
        })
    };
    let mut reads = 0;
    while !writer.is_finished() {
        let v = engine.verify(&id).await.unwrap();
        assert!(v.is_intact(), "after {reads} reads: {v:?}");
        let view = engine.case(&id).await.unwrap().unwrap();
        assert_eq!(view.history.len() as u64, view.case.version(), "after {reads} reads");
        reads += 1;
    }
    writer.await.unwrap();
    assert!(reads > 0);
}
on_both!(reads_see_one_moment_while_commands_commit, reads_during_writes);

async fn host_transaction(db: &Db) {
    let clock = ManualClock::new(at("2026-03-02T09:00:00+08:00"));
    let engine = engine(db, &clock).await;
    let clerk = staff("clerk-1", Role::Clerk);
    let id = CaseId::new("host");
    let req = || Request::to(&id, clerk.clone(), accept(&engine, "change", Channel::Window));
    // Rolled back with the host's transaction: nothing stays.
    if let Some(pool) = engine.sqlite_pool() {
        let mut tx = pool.begin().await.unwrap();
        engine.execute_in_sqlite(&mut tx, req()).await.unwrap();
        tx.rollback().await.unwrap();
        assert!(engine.case(&id).await.unwrap().is_none());
        let mut tx = pool.begin().await.unwrap();
        engine.execute_in_sqlite(&mut tx, req()).await.unwrap();
        tx.commit().await.unwrap();
    } else if let Some(pool) = engine.postgres_pool() {
        let mut tx = pool.begin().await.unwrap();
        engine.execute_in_postgres(&mut tx, req()).await.unwrap();
        tx.rollback().await.unwrap();
        assert!(engine.case(&id).await.unwrap().is_none());
        let mut tx = pool.begin().await.unwrap();
        engine.execute_in_postgres(&mut tx, req()).await.unwrap();
        tx.commit().await.unwrap();
    }
    assert!(engine.verify(&id).await.unwrap().is_intact());
}
on_both!(commands_join_the_host_transaction, host_transaction);

/// Polls `fut` at most `polls` times, then drops it unfinished.
async fn drop_after_polls<F: std::future::Future>(fut: F, polls: usize) {
    let mut fut = std::pin::pin!(fut);
    let mut n = 0;
    std::future::poll_fn(|cx| {
        n += 1;
        match fut.as_mut().poll(cx) {
            std::task::Poll::Ready(_) => std::task::Poll::Ready(()),
            std::task::Poll::Pending if n >= polls => std::task::Poll::Ready(()),
            std::task::Poll::Pending => std::task::Poll::Pending,
        }
    })
    .await;
}

async fn interrupted(db: &Db) {
    let clock = ManualClock::new(at("2026-03-02T09:00:00+08:00"));
    let engine = engine(db, &clock).await;
    let clerk = staff("clerk-1", Role::Clerk);
    // Callers that drop the future after ever more polls: the command runs to its end
    // or not at all, and nothing is left half-written or holding a lock.
    for polls in 1..=40usize {
        let id = CaseId::new(format!("cut-{polls}"));
        let fut =
            engine.execute(Request::to(&id, clerk.clone(), accept(&engine, "transfer_second_hand", Channel::Window)));
        drop_after_polls(fut, polls).await;
    }
    let mut whole = 0;
    for polls in 1..=40usize {
        let id = CaseId::new(format!("cut-{polls}"));
        // The detached transaction may still be finishing: wait for it, briefly.
        let mut view = None;
        for _ in 0..100 {
            view = engine.case(&id).await.unwrap();
            if view.is_some() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        if let Some(view) = view {
            assert_eq!(view.history.len(), 1);
            assert!(engine.verify(&id).await.unwrap().is_intact());
            whole += 1;
        }
    }
    assert_eq!(whole, 40, "every dropped command still completed whole");
    // The database is not left locked: the next command goes through at once.
    let next =
        engine.execute(Request::to(&CaseId::new("after"), clerk.clone(), accept(&engine, "change", Channel::Window)));
    tokio::time::timeout(std::time::Duration::from_secs(5), next).await.expect("not locked").unwrap();
    // A connection killed mid-transaction.
    if let Some(pool) = engine.postgres_pool() {
        let id = CaseId::new("killed");
        let mut tx = pool.begin().await.unwrap();
        let (pid,): (i32,) = sqlx::query_as("SELECT pg_backend_pid()").fetch_one(&mut *tx).await.unwrap();
        engine
            .execute_in_postgres(&mut tx, Request::to(&id, clerk.clone(), accept(&engine, "change", Channel::Window)))
            .await
            .unwrap();
        sqlx::query("SELECT pg_terminate_backend($1)").bind(pid).execute(pool).await.unwrap();
        assert!(tx.commit().await.is_err());
        assert!(engine.case(&id).await.unwrap().is_none());
    } else if let Some(pool) = engine.sqlite_pool() {
        let id = CaseId::new("killed");
        let mut conn = pool.acquire().await.unwrap();
        let mut tx = sqlx::Connection::begin(&mut *conn).await.unwrap();
        engine
            .execute_in_sqlite(&mut tx, Request::to(&id, clerk.clone(), accept(&engine, "change", Channel::Window)))
            .await
            .unwrap();
        drop(tx);
        conn.detach();
        assert!(engine.case(&id).await.unwrap().is_none());
    }
}
on_both!(an_interrupted_command_leaves_all_or_nothing, interrupted);
