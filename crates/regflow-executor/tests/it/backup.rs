//! Backup while commands run (SQLite's online copy): everything acknowledged before the
//! backup began is in the copy, which verifies intact and serves an engine; PostgreSQL's
//! backups are pg_dump's, and asking regflow for one says so.

use crate::support::*;
use regflow_executor::{on_both, ManualClock, Request};
use regflow_process::{CaseId, Channel, Command, ErrorCode, Role};
use std::sync::{Arc, Mutex};

async fn backup_under_load(db: &Db) {
    let clock = ManualClock::new(at("2026-03-02T09:00:00+08:00"));
    let engine = engine(db, &clock).await;
    let Some(dir) = db.dir() else {
        // PostgreSQL: refused with where to look.
        let err = engine.database().backup(std::path::Path::new("copy.db")).await.unwrap_err();
        assert_eq!(err.code(), Some(ErrorCode::InvalidArgument));
        assert!(err.to_string().contains("pg_dump"), "{err}");
        return;
    };
    let acked: Arc<Mutex<Vec<CaseId>>> = Arc::default();
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let (engine, acked) = (engine.clone(), acked.clone());
            tokio::spawn(async move {
                for i in 0..60 {
                    let id = CaseId::new(format!("B-{w}-{i}"));
                    let accept = Command::Accept {
                        intake: Some(intake("transfer_second_hand", Channel::Window)),
                        materials: all_materials(&engine, "transfer_second_hand"),
                    };
                    engine.execute(Request::to(&id, staff("clerk-1", Role::Clerk), accept)).await.unwrap();
                    acked.lock().unwrap().push(id);
                }
            })
        })
        .collect();
    while acked.lock().unwrap().len() < 40 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let before: Vec<CaseId> = acked.lock().unwrap().clone();
    let copy = dir.join("backup.db");
    let bytes = engine.database().backup(&copy).await.unwrap();
    assert!(bytes > 0);
    for w in writers {
        w.await.unwrap();
    }
    // A second backup to the same file is refused, naming it.
    let err = engine.database().backup(&copy).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::InvalidArgument));
    assert!(err.to_string().contains("backup.db"), "{err}");
    // The copy serves an engine: every case acknowledged before the backup began, intact.
    let url = format!("sqlite://{}", copy.display());
    let engine = regflow_executor::Engine::builder(&url)
        .centre(regflow_process::Centre::new("xining"))
        .clock(clock.clone())
        .build()
        .await
        .unwrap();
    for id in &before {
        let v = engine.verify(id).await.unwrap();
        assert!(v.is_intact(), "{id}: {:?}", v.problems);
        assert_eq!(v.entries, 1, "{id}");
    }
    assert!(engine.verify_registers().await.unwrap().iter().all(|r| r.is_intact()));
}
on_both!(a_backup_taken_under_load_holds_every_acknowledged_command, backup_under_load);
