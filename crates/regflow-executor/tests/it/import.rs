//! Bulk import: cases from a JSON-lines file get the deadlines the rules give, chains that
//! verify, armed alerts and 我的业务 entries; a bad line imports nothing; a second run of
//! the same file adds nothing.

use crate::support::*;
use regflow_executor::on_both;
use regflow_executor::{Engine, Error, IgnoreAlerts, ImportOptions, ManualClock, Request};
use regflow_process::case::SuspensionCause;
use regflow_process::{CaseId, Channel, Command, CommandName, Role, State};
use serde_json::{json, Value};

fn intake_json(kind: &str) -> Value {
    json!({
        "kind": kind,
        "applicant_category": "individual",
        "applicants": [{"name": "张三", "id": ZHANG}, {"name": "李四", "id": LI}],
        "unit": UNIT,
        "channel": "window",
        "priority": "standard"
    })
}

fn file(dir: &std::path::Path, name: &str, lines: &[String]) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

/// An open change: accepted, suspended for an appraisal, resumed, extended by 2 working
/// days. Its deadlines must be those of the same steps run live.
fn open_change(engine: &Engine) -> Value {
    json!({
        "id": "OLD-1",
        "intake": intake_json("change"),
        "materials": all_materials(engine, "change"),
        "accepted_at": "2026-03-02T09:00:00+08:00",
        "suspensions": [{"cause": "appraisal", "note": "鉴定", "from": "2026-03-03T10:00:00+08:00", "to": "2026-03-05T10:00:00+08:00"}],
        "extensions": [{"working_days": 2, "reason": "复杂", "at": "2026-03-05T11:00:00+08:00"}]
    })
}

async fn good_file(db: &Db) {
    let clock = ManualClock::new(at("2026-03-20T09:00:00+08:00"));
    let engine = engine(db, &clock).await;
    let sup = staff("sup-1", Role::Supervisor);
    let dir = tempdir();
    let lines = [
        open_change(&engine),
        json!({
            "id": "OLD-2",
            "intake": intake_json("change"),
            "materials": all_materials(&engine, "change"),
            "accepted_at": "2026-03-02T09:00:00+08:00",
            "reviewed_at": "2026-03-03T09:00:00+08:00",
            "recorded_at": "2026-03-04T09:00:00+08:00",
            "issued_at": "2026-03-04T15:00:00+08:00",
            "evaluation": {"at": "2026-03-04T15:10:00+08:00", "rating": 5}
        }),
        json!({
            "id": "OLD-3",
            "intake": intake_json("change"),
            "materials": all_materials(&engine, "change"),
            "accepted_at": "2026-03-02T09:00:00+08:00",
            "suspensions": [{"cause": "appraisal", "from": "2026-03-03T10:00:00+08:00"}]
        }),
        json!({
            "id": "OLD-4",
            "intake": intake_json("change"),
            "materials": all_materials(&engine, "change"),
            "accepted_at": "2026-03-02T09:00:00+08:00",
            "rejected": {"at": "2026-03-03T09:00:00+08:00", "ground": "ownership_dispute", "note": "权属争议"}
        }),
    ]
    .map(|v| v.to_string());
    let path = file(&dir, "cases.jsonl", &lines);
    let report = engine.import(&sup, &path, ImportOptions::default()).await.unwrap();
    assert_eq!((report.records, report.imported, report.already), (4, 4, 0));

    let states = [State::Accepted, State::Completed, State::Suspended, State::Rejected];
    for (n, state) in (1..=4).zip(states) {
        let id = CaseId::new(format!("OLD-{n}"));
        let view = engine.case(&id).await.unwrap().unwrap();
        assert_eq!(view.case.state(), state, "{id}");
        assert_eq!(view.history.len(), 1);
        assert_eq!(view.history[0].event.command, CommandName::Import);
        let v = engine.verify(&id).await.unwrap();
        assert!(v.is_intact(), "{id}: {v:?}");
    }
    let done = engine.case(&CaseId::new("OLD-2")).await.unwrap().unwrap().case;
    assert!(done.completion().unwrap().on_time);
    assert_eq!(done.evaluation().unwrap().rating, 5);

    // The same steps run live give the same deadlines.
    let live = CaseId::new("LIVE-1");
    let steps = [
        ("2026-03-02T09:00:00+08:00", staff("clerk-1", Role::Clerk), accept(&engine, "change", Channel::Window)),
        (
            "2026-03-03T10:00:00+08:00",
            sup.clone(),
            Command::Suspend { cause: SuspensionCause::Appraisal, note: "鉴定".into() },
        ),
        ("2026-03-05T10:00:00+08:00", sup.clone(), Command::Resume),
        ("2026-03-05T11:00:00+08:00", sup.clone(), Command::Extend { working_days: 2, reason: "复杂".into() }),
    ];
    for (when, actor, cmd) in steps {
        clock.set(at(when));
        engine.execute(Request::to(&live, actor, cmd)).await.unwrap();
    }
    let (imported, live) = (
        engine.case(&CaseId::new("OLD-1")).await.unwrap().unwrap().case,
        engine.case(&live).await.unwrap().unwrap().case,
    );
    assert_eq!(imported.deadlines(), live.deadlines());
    assert_eq!(imported.acceptance().unwrap().clocks, live.acceptance().unwrap().clocks);

    // Alerts are armed for the open, running case only.
    let pass = engine.run_due(at("2026-09-01T00:00:00+08:00"), &IgnoreAlerts).await.unwrap();
    let fired = |id: &str| pass.alerts.iter().filter(|a| a.case_id.as_str() == id).count();
    assert!(fired("OLD-1") > 0);
    assert_eq!(fired("OLD-2") + fired("OLD-4"), 0);
    // 我的业务 finds them.
    assert_eq!(engine.cases_of_applicant(LI).await.unwrap().len(), 5);

    // The same file again adds nothing.
    let again = engine.import(&sup, &path, ImportOptions::default()).await.unwrap();
    assert_eq!((again.records, again.imported, again.already), (4, 0, 4));
    std::fs::remove_dir_all(dir).ok();
}
on_both!(an_import_brings_cases_in_by_the_rules, good_file);

async fn bad_lines(db: &Db) {
    let clock = ManualClock::new(at("2026-03-20T09:00:00+08:00"));
    let engine = engine(db, &clock).await;
    let sup = staff("sup-1", Role::Supervisor);
    let dir = tempdir();
    let mut review_first = open_change(&engine);
    review_first["id"] = json!("OLD-9");
    review_first["reviewed_at"] = json!("2026-03-01T09:00:00+08:00");
    let lines = [
        open_change(&engine).to_string(),
        String::new(),
        "{\"id\": \"OLD-2\", \"intake\": ".to_owned(),
        review_first.to_string(),
        json!({"id": "OLD-5", "intake": intake_json("change"), "materials": [], "accepted_at": "2026-03-02T09:00:00+08:00", "colour": "red"}).to_string(),
    ];
    let path = file(&dir, "bad.jsonl", &lines);
    let err = engine.import(&sup, &path, ImportOptions::default()).await.unwrap_err();
    let Error::BadImport { lines: bad, count } = &err else {
        panic!("expected BadImport, got {err:?}");
    };
    assert_eq!(*count, 3);
    assert_eq!(bad.iter().map(|b| b.line).collect::<Vec<_>>(), [3, 4, 5]);
    assert!(bad[1].message.contains("reviewed_at"), "{}", bad[1].message);
    assert!(bad[2].message.contains("colour"), "{}", bad[2].message);
    // One id on two lines far apart, a line of two megabytes and one that is not UTF-8.
    let mut again = open_change(&engine);
    again["accepted_at"] = json!("2026-03-03T09:00:00+08:00");
    let mut odd = vec![open_change(&engine).to_string(), "x".repeat(2 << 20), again.to_string()];
    odd.push(String::from_utf8_lossy(b"ok").into_owned());
    let path2 = file(&dir, "odd.jsonl", &odd);
    let mut bytes = std::fs::read(&path2).unwrap();
    bytes.extend_from_slice(b"{\"id\": \"\xff\xfe\"}\n");
    std::fs::write(&path2, bytes).unwrap();
    let small = ImportOptions { batch: 1, ..ImportOptions::default() };
    let Err(Error::BadImport { lines: odd_lines, .. }) = engine.import(&sup, &path2, small).await else {
        panic!("expected BadImport");
    };
    let named: Vec<(u64, &str)> = odd_lines.iter().map(|b| (b.line, b.message.as_str())).collect();
    assert_eq!(named.iter().map(|(l, _)| *l).collect::<Vec<_>>(), [2, 3, 4, 5], "{named:?}");
    assert!(named[0].1.contains("longer than"), "{named:?}");
    assert!(named[1].1.contains("earlier line"), "{named:?}");
    assert!(named[3].1.contains("UTF-8"), "{named:?}");
    // Nothing was written, not even the good first line.
    assert!(engine.case(&CaseId::new("OLD-1")).await.unwrap().is_none());
    // Only a supervisor imports.
    let clerk = staff("clerk-1", Role::Clerk);
    let err = engine.import(&clerk, &path, ImportOptions::default()).await.unwrap_err();
    assert_eq!(err.code(), Some(regflow_process::ErrorCode::ForbiddenRole));
    std::fs::remove_dir_all(dir).ok();
}
on_both!(a_bad_line_imports_nothing_and_is_named, bad_lines);

fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("regflow-import-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
