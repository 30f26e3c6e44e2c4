//! Calendar loads (SPEC 2.1): merged by year, stored with who and when, seen by every
//! engine on the database, re-projecting only what the changed years touch.

use crate::support::*;
use regflow_executor::on_both;
use regflow_executor::{Engine, LoadMode, ManualClock, Request};
use regflow_process::{Actor, Calendar, CaseId, Centre, Change, Channel, ErrorCode, Role};

/// The 2027 schedule alone, as the State Council publishes it each November (abridged;
/// 2027-01-04, a Monday, is declared a holiday so that the load visibly moves dates).
const Y2027: &str = "date,kind,name,source\n2027-01-01,holiday,元旦,\n2027-01-04,holiday,元旦调休,\n";

fn supervisor() -> Actor {
    staff("sup-1", Role::Supervisor)
}

async fn one_year_load_keeps_the_years_known(db: &Db) {
    let clock = ManualClock::new(at("2026-02-13T10:00:00+08:00"));
    let engine = engine(db, &clock).await;
    // Accepted before the Spring Festival: promise 2026-02-25 (SPEC 2.2 vector).
    let spring = CaseId::new("spring");
    open_change(&engine, &spring).await;
    // Accepted on 2026-12-30: its promise runs into 2027, still uncovered.
    clock.set(at("2026-12-30T10:00:00+08:00"));
    let winter = CaseId::new("winter");
    let done = open_change(&engine, &winter).await;
    assert!(done.case.deadlines().unwrap().provisional());
    let before = engine.case(&spring).await.unwrap().unwrap();

    let r = engine.load_calendar(&supervisor(), Y2027).await.unwrap();
    assert_eq!(r.load.mode, LoadMode::Merge);
    assert_eq!(r.load.years, vec![2027]);
    assert_eq!(r.load.changed_years, vec![2027]);
    assert_eq!(r.load.loaded_by.as_str(), "sup-1");
    assert_eq!(r.load.loaded_at, at("2026-12-30T10:00:00+08:00"));
    // Only the case whose clocks reach into 2027 was looked at, and it moved.
    assert_eq!(r.examined, 1);
    assert_eq!(r.moved, vec![winter.clone()]);
    let cal = engine.current_calendar().await.unwrap();
    assert_eq!(cal.covered_years().collect::<Vec<_>>(), (2016..=2027).collect::<Vec<_>>());
    assert_eq!(cal.version(), &r.load.version);

    // The Spring Festival case is untouched: same deadlines, same history.
    let after = engine.case(&spring).await.unwrap().unwrap();
    assert_eq!(after.case, before.case);
    assert_eq!(after.history.len(), before.history.len());
    let dl = after.case.deadlines().unwrap();
    assert_eq!(dl.promise.due_at, at("2026-02-25T18:00:00+08:00"));
    assert!(!dl.provisional());

    // The winter case is firm now: 12-31, (01-01 and 01-04 holidays), 01-05, 01-06.
    let view = engine.case(&winter).await.unwrap().unwrap();
    let dl = view.case.deadlines().unwrap();
    assert!(!dl.provisional());
    assert_eq!(dl.promise.due_at, at("2027-01-06T18:00:00+08:00"));
    let last = view.history.last().unwrap();
    assert!(matches!(last.event.change, Change::Reprojected { .. }));
    assert_eq!(last.event.calendar_version.as_ref(), Some(&r.load.version));

    // Loading the same year again changes nothing and examines nothing.
    let again = engine.load_calendar(&supervisor(), Y2027).await.unwrap();
    assert!(again.load.changed_years.is_empty());
    assert_eq!((again.examined, again.moved.len()), (0, 0));

    // Every load is kept, in order, with who made it.
    let loads = engine.calendar_loads().await.unwrap();
    assert_eq!(loads.iter().map(|l| l.seq).collect::<Vec<_>>(), vec![1, 2]);
    assert!(loads.iter().all(|l| l.loaded_by.as_str() == "sup-1"));
}
on_both!(loading_one_year_keeps_the_years_already_known, one_year_load_keeps_the_years_known);

async fn replace_is_explicit(db: &Db) {
    let clock = ManualClock::new(at("2026-02-13T10:00:00+08:00"));
    let engine = engine(db, &clock).await;
    let spring = CaseId::new("spring");
    open_change(&engine, &spring).await;
    // Replacing the whole calendar with 2027 alone leaves 2026 uncovered: the spring case
    // is re-projected over Monday–Friday and marked provisional, as asked.
    let r = engine.replace_calendar(&supervisor(), Y2027).await.unwrap();
    assert_eq!(r.load.mode, LoadMode::Replace);
    assert!(r.load.changed_years.contains(&2026));
    assert_eq!(r.moved, vec![spring.clone()]);
    let dl = deadlines(&engine, &spring).await;
    assert!(dl.provisional());
    // Putting the built-in data back restores the deadline.
    engine.load_calendar(&supervisor(), &Calendar::builtin().to_csv()).await.unwrap();
    let dl = deadlines(&engine, &spring).await;
    assert_eq!(dl.promise.due_at, at("2026-02-25T18:00:00+08:00"));
    assert!(!dl.provisional());
}
on_both!(replacing_the_calendar_is_its_own_call, replace_is_explicit);

async fn bad_loads_change_nothing(db: &Db) {
    let clock = ManualClock::new(at("2026-12-30T10:00:00+08:00"));
    let engine = engine(db, &clock).await;
    let err = engine.load_calendar(&supervisor(), "date,kind,name,source\n2027-01-05,weekday,x,\n").await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::InvalidCalendar));
    assert!(err.to_string().contains("line 2"), "{err}");
    let err = engine.load_calendar(&staff("clerk-1", Role::Clerk), Y2027).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::ForbiddenRole));
    assert!(engine.calendar_loads().await.unwrap().is_empty());
    assert_eq!(engine.current_calendar().await.unwrap().version(), Calendar::builtin().version());
}
on_both!(a_refused_load_changes_nothing, bad_loads_change_nothing);

async fn two_engines(db: &Db) {
    let clock = ManualClock::new(at("2026-12-31T10:00:00+08:00"));
    // Two engines, two pools, as two processes on one database.
    let a = engine(db, &clock).await;
    let b = engine(db, &clock).await;
    assert_eq!(b.calendar().version(), Calendar::builtin().version());
    let r = a.load_calendar(&supervisor(), Y2027).await.unwrap();
    // B has not heard of the load, but its next command reads the head in its transaction.
    assert_eq!(b.calendar().version(), Calendar::builtin().version());
    let id = CaseId::new("B1");
    let done = b
        .execute(Request::to(&id, staff("clerk-1", Role::Clerk), accept(&b, "change", Channel::Window)))
        .await
        .unwrap();
    let dl = done.case.deadlines().unwrap();
    assert_eq!(dl.calendar_version, r.load.version);
    assert!(!dl.provisional());
    // 2027-01-01 and 01-04 are holidays: 12-31 + 3 = 01-07.
    assert_eq!(dl.promise.due_at, at("2027-01-07T18:00:00+08:00"));
    assert_eq!(b.calendar().version(), &r.load.version);
    // So does a new engine, and B's alert passes.
    let c = Engine::builder(&db.url).centre(Centre::new("xining")).clock(clock.clone()).build().await.unwrap();
    assert_eq!(c.calendar().version(), &r.load.version);
}
on_both!(another_engine_computes_with_the_newest_load, two_engines);

/// Polls `fut` once, then drops it: the caller went away (or the process died) right after
/// the load's head was handed to its transaction.
async fn poll_once<F: std::future::Future>(fut: F) {
    let mut fut = std::pin::pin!(fut);
    std::future::poll_fn(|cx| {
        let _ = fut.as_mut().poll(cx);
        std::task::Poll::Ready(())
    })
    .await;
}

async fn interrupted_load(db: &Db) {
    let clock = ManualClock::new(at("2026-12-30T10:00:00+08:00"));
    let engine = engine(db, &clock).await;
    let mut ids = Vec::new();
    for i in 0..20 {
        let id = CaseId::new(format!("w{i}"));
        open_change(&engine, &id).await;
        ids.push(id);
    }
    // The load's head commits, but its re-projection never runs.
    poll_once(engine.load_calendar(&supervisor(), Y2027)).await;
    let loads = loop {
        let loads = engine.calendar_loads().await.unwrap();
        if !loads.is_empty() {
            break loads;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    };
    assert_eq!(loads[0].reprojected_at, None);
    let stale = engine.case(&ids[0]).await.unwrap().unwrap();
    assert!(stale.case.deadlines().unwrap().provisional(), "not re-projected yet");
    // The next engine to start finishes the load: every case is firm, the load is done.
    let next = crate::support::engine(db, &clock).await;
    for id in &ids {
        let view = next.case(id).await.unwrap().unwrap();
        let dl = view.case.deadlines().unwrap();
        assert!(!dl.provisional(), "{id} still provisional");
        assert_eq!(dl.promise.due_at, at("2027-01-06T18:00:00+08:00"));
    }
    let loads = next.calendar_loads().await.unwrap();
    assert!(loads[0].reprojected_at.is_some());
    // Finishing again finds nothing to do.
    assert!(next.finish_calendar_loads().await.unwrap().is_empty());
}
on_both!(an_interrupted_load_is_finished_by_the_next_engine, interrupted_load);

async fn many_cases(db: &Db) {
    let clock = ManualClock::new(at("2026-12-30T10:00:00+08:00"));
    let engine = engine(db, &clock).await;
    for i in 0..300 {
        open_change(&engine, &CaseId::new(format!("m{i:03}"))).await;
    }
    // A batch re-projects 256 cases: over a thousand timers re-armed in one transaction.
    let r = engine.load_calendar(&supervisor(), Y2027).await.unwrap();
    assert_eq!(r.moved.len(), 300);
    let firm = engine.case(&CaseId::new("m299")).await.unwrap().unwrap();
    assert!(!firm.case.deadlines().unwrap().provisional());
}
on_both!(a_load_reprojects_hundreds_of_cases, many_cases);

/// The deadlines of a stored, accepted case.
async fn deadlines(engine: &Engine, id: &CaseId) -> regflow_process::Deadlines {
    engine.case(id).await.unwrap().unwrap().case.deadlines().cloned().unwrap()
}
