//! Alerts fire exactly once, at the right time, into history; calendars re-project.

use crate::support::*;
use async_trait::async_trait;
use regflow_executor::on_both;
use regflow_executor::{AlertHandler, Engine, FiredAlert, ManualClock, Request, WatchOptions};
use regflow_process::{AlertLevel, CaseId, Change, Channel, ClockKind, Command, Role};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Default)]
struct Counter {
    seen: Mutex<HashMap<(String, ClockKind, AlertLevel, i64), u32>>,
}

#[async_trait]
impl AlertHandler for Counter {
    async fn on_alert(&self, a: &FiredAlert) {
        let key = (a.case_id.to_string(), a.alert.clock, a.alert.level, a.alert.at.timestamp());
        *self.seen.lock().unwrap().entry(key).or_default() += 1;
    }
}

impl Counter {
    fn total(&self) -> u32 {
        self.seen.lock().unwrap().values().sum()
    }
    fn distinct(&self) -> usize {
        self.seen.lock().unwrap().len()
    }
}

async fn timing(db: &Db) {
    let clock = ManualClock::new(at("2026-03-02T09:00:00+08:00"));
    let engine = engine(db, &clock).await;
    let clerk = staff("clerk-1", Role::Clerk);
    let id = CaseId::new("A");
    engine.execute(Request::to(&id, clerk, accept(&engine, "change", Channel::Window))).await.unwrap();
    assert_eq!(engine.next_due().await.unwrap(), Some(at("2026-03-04T18:00:00+08:00")));
    let counter = Counter::default();
    // The warning is due at 03-04 18:00: not fired at that instant, fired just after.
    let pass = engine.run_due(at("2026-03-04T18:00:00+08:00"), &counter).await.unwrap();
    assert!(pass.alerts.is_empty());
    let pass = engine.run_due(at("2026-03-04T18:00:01+08:00"), &counter).await.unwrap();
    assert_eq!(pass.alerts.len(), 1);
    assert_eq!((pass.alerts[0].alert.clock, pass.alerts[0].alert.level), (ClockKind::Promise, AlertLevel::Warning));
    // Again: nothing more.
    assert!(engine.run_due(at("2026-03-04T19:00:00+08:00"), &counter).await.unwrap().alerts.is_empty());
    // Completed exactly at the due time: on time, no breach.
    clock.set(at("2026-03-05T18:00:00+08:00"));
    let rev = staff("rev-1", Role::Reviewer);
    engine.execute(Request::to(&id, rev, Command::Review)).await.unwrap();
    engine.execute(Request::to(&id, staff("reg-1", Role::Registrar), Command::Record)).await.unwrap();
    let done =
        engine.execute(Request::to(&id, staff("clerk-2", Role::Clerk), Command::IssueCertificate)).await.unwrap();
    assert!(done.case.completion().unwrap().on_time);
    let pass = engine.run_due(at("2026-06-01T00:00:00+08:00"), &counter).await.unwrap();
    assert!(pass.alerts.is_empty(), "{pass:?}");
    assert_eq!(counter.total(), 1);
    // The alert is in the history, at its due instant.
    let history = engine.history(&id).await.unwrap();
    let raised: Vec<_> = history.iter().filter(|e| matches!(e.event.change, Change::AlertRaised { .. })).collect();
    assert_eq!(raised.len(), 1);
    assert_eq!(raised[0].event.at, at("2026-03-04T18:00:00+08:00"));
    assert!(engine.verify(&id).await.unwrap().is_intact());
}
on_both!(alerts_fire_once_when_due_and_enter_history, timing);

async fn sub_microsecond_clock(db: &Db) {
    // A clock with nanoseconds (as the system clock has): instants are kept to the
    // microsecond, so the alert read back from storage is the alert the case armed.
    let clock = ManualClock::new(at("2026-03-02T09:00:00.123456789+08:00"));
    let engine = engine(db, &clock).await;
    let id = CaseId::new("nanos");
    let done = open_change(&engine, &id).await;
    assert_eq!(done.case.acceptance().unwrap().at, at("2026-03-02T09:00:00.123456+08:00"));
    let pass = engine.run_due(at("2026-03-06T00:00:00.000000999+08:00"), &Counter::default()).await.unwrap();
    assert_eq!(pass.alerts.len(), 2, "warning and breach of the promise: {pass:?}");
    assert_eq!(pass.dropped, 0);
}
on_both!(instants_are_kept_to_the_microsecond, sub_microsecond_clock);

async fn breach_and_suspension(db: &Db) {
    let clock = ManualClock::new(at("2026-03-02T09:00:00+08:00"));
    let engine = engine(db, &clock).await;
    let id = CaseId::new("B");
    open_change(&engine, &id).await;
    let counter = Counter::default();
    // Suspended before the warning: nothing raised while suspended.
    clock.set(at("2026-03-03T10:00:00+08:00"));
    let sup = staff("sup-1", Role::Supervisor);
    engine
        .execute(Request::to(
            &id,
            sup.clone(),
            Command::Suspend { cause: regflow_process::case::SuspensionCause::Appraisal, note: "鉴定".into() },
        ))
        .await
        .unwrap();
    assert!(engine.run_due(at("2026-03-20T00:00:00+08:00"), &counter).await.unwrap().alerts.is_empty());
    clock.set(at("2026-03-20T09:00:00+08:00"));
    let resumed = engine.execute(Request::to(&id, sup, Command::Resume)).await.unwrap();
    let due = resumed.case.deadlines().unwrap().promise.due_at;
    // Closings 03-03 … 03-19 (13 working days) fell inside: due 03-05 + 13 = 03-24.
    assert_eq!(due, at("2026-03-24T18:00:00+08:00"));
    let pass = engine.run_due(due + chrono::Duration::seconds(1), &counter).await.unwrap();
    let levels: Vec<_> = pass.alerts.iter().map(|a| (a.alert.clock, a.alert.level)).collect();
    assert_eq!(levels, [(ClockKind::Promise, AlertLevel::Warning), (ClockKind::Promise, AlertLevel::Breach)]);
    assert_eq!(engine.overdue(None, due + chrono::Duration::seconds(1)).await.unwrap().len(), 1);
}
on_both!(suspension_holds_alerts_and_resume_rearms_them, breach_and_suspension);

async fn watcher(db: &Db) {
    let clock = ManualClock::new(at("2026-03-02T09:00:00+08:00"));
    let engine = engine(db, &clock).await;
    let counter = Arc::new(Counter::default());
    let w = engine.watch(counter.clone(), WatchOptions { max_idle: Duration::from_secs(30), ..Default::default() });
    engine
        .execute(Request::new(staff("clerk-1", Role::Clerk), accept(&engine, "change", Channel::Window)))
        .await
        .unwrap();
    clock.set(at("2026-03-04T18:30:00+08:00"));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while counter.total() < 1 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(counter.total(), 1, "the watcher woke on the clock change");
    w.shutdown().await.unwrap();
}
on_both!(the_watcher_wakes_and_shuts_down, watcher);

async fn three_engines(db: &Db) {
    const CASES: usize = 1000;
    let clock = ManualClock::new(at("2026-03-02T09:00:00+08:00"));
    let first = engine(db, &clock).await;
    let clerk = staff("clerk-1", Role::Clerk);
    for i in 0..CASES {
        let id = CaseId::new(format!("c{i:04}"));
        first.execute(Request::to(&id, clerk.clone(), accept(&first, "change", Channel::Window))).await.unwrap();
    }
    let mut engines = vec![first];
    for _ in 0..2 {
        engines.push(engine(db, &clock).await);
    }
    let counter = Arc::new(Counter::default());
    let watchers: Vec<_> = engines
        .iter()
        .map(|e| e.watch(counter.clone(), WatchOptions { max_idle: Duration::from_millis(200), batch: 64 }))
        .collect();
    // Everything comes due: 4 alerts per case.
    clock.set(at("2026-06-01T00:00:00+08:00"));
    let expected = (CASES * 4) as u32;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    while counter.total() < expected && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    for w in watchers {
        w.shutdown().await.unwrap();
    }
    assert_eq!(counter.total(), expected, "every alert delivered");
    assert_eq!(counter.distinct(), expected as usize, "none delivered twice");
    // And written into history exactly once.
    for i in (0..CASES).step_by(97) {
        let id = CaseId::new(format!("c{i:04}"));
        let raised = engines[0]
            .history(&id)
            .await
            .unwrap()
            .iter()
            .filter(|e| matches!(e.event.change, Change::AlertRaised { .. }))
            .count();
        assert_eq!(raised, 4, "{id}");
    }
}
on_both!(three_engines_deliver_each_alert_exactly_once, three_engines);

async fn notice_then_alerts(db: &Db) {
    let clock = ManualClock::new(at("2026-03-02T09:00:00+08:00"));
    let engine = engine(db, &clock).await;
    let id = CaseId::new("H");
    engine
        .execute(Request::to(
            &id,
            staff("clerk-1", Role::Clerk),
            accept(&engine, "first_registration_homestead", Channel::Window),
        ))
        .await
        .unwrap();
    clock.set(at("2026-03-02T10:00:00+08:00"));
    let reviewed = engine.execute(Request::to(&id, staff("rev-1", Role::Reviewer), Command::Review)).await.unwrap();
    assert_eq!(reviewed.case.state(), regflow_process::State::Suspended);
    // Long after the notice (15 working days: ends 03-23 18:00), one pass resumes the case
    // and fires every alert its moved deadlines made due — none is left for a later pass.
    let now = at("2026-07-01T09:00:00+08:00");
    let counter = Counter::default();
    let pass = engine.run_due(now, &counter).await.unwrap();
    assert_eq!(pass.resumed, vec![id.clone()]);
    let fired: Vec<(ClockKind, AlertLevel)> = pass.alerts.iter().map(|a| (a.alert.clock, a.alert.level)).collect();
    assert_eq!(
        fired,
        vec![
            (ClockKind::Promise, AlertLevel::Warning),
            (ClockKind::Promise, AlertLevel::Breach),
            (ClockKind::Statutory, AlertLevel::Warning),
            (ClockKind::Statutory, AlertLevel::Breach),
        ]
    );
    assert_eq!(counter.total(), 4);
    assert!(engine.next_due().await.unwrap().is_none_or(|t| t >= now));
    // Each at the instant it was due: the promise moved 14 working days (03-03..03-20).
    let view = engine.case(&id).await.unwrap().unwrap();
    let dl = view.case.deadlines().unwrap();
    assert_eq!(dl.promise.due_at, at("2026-03-25T18:00:00+08:00"));
    assert_eq!(pass.alerts[0].alert.at, at("2026-03-24T18:00:00+08:00"));
    assert_eq!(pass.alerts[1].alert.at, dl.promise.due_at);
    assert_eq!(pass.alerts[3].alert.at, dl.statutory.due_at);
    assert!(engine.verify(&id).await.unwrap().is_intact());
}
on_both!(a_pass_fires_what_a_resumed_notice_makes_due, notice_then_alerts);

/// Eight `run_due` calls at once over hundreds of cases, each case with several alerts
/// due: between them they fire every one, once, and each call returns only when nothing
/// due before its `now` is left unclaimed.
async fn eight_at_once(db: &Db) {
    let clock = ManualClock::new(at("2026-03-02T09:00:00+08:00"));
    let engine = engine(db, &clock).await;
    let clerk = staff("clerk-1", Role::Clerk);
    let cases = 600;
    let requests: Vec<Request> = (0..cases)
        .map(|i| Request::to(&CaseId::new(format!("c{i}")), clerk.clone(), accept(&engine, "change", Channel::Window)))
        .collect();
    for chunk in requests.chunks(200) {
        engine.execute_all(chunk.to_vec()).await.unwrap();
    }
    let now = at("2026-06-01T00:00:00+08:00");
    let counter = Arc::new(Counter::default());
    let calls: Vec<_> = (0..8)
        .map(|_| {
            let (engine, counter) = (engine.clone(), counter.clone());
            tokio::spawn(async move { engine.run_due_batched(now, counter.as_ref(), 64).await.unwrap() })
        })
        .collect();
    let mut fired = 0;
    for call in calls {
        fired += call.await.unwrap().alerts.len();
    }
    // No later pass is needed: nothing due is left once every call has returned.
    let next = engine.next_due().await.unwrap();
    assert!(next.is_none_or(|t| t >= now), "left due: {next:?}");
    let per_case = engine.case(&CaseId::new("c0")).await.unwrap().unwrap().case.alerts().len();
    assert!(per_case >= 2);
    assert_eq!(fired, cases * per_case, "every alert fired once between the calls");
}
on_both!(eight_concurrent_passes_fire_everything_before_returning, eight_at_once);

/// Records when each alert arrived.
#[derive(Default)]
struct Arrivals(Mutex<Vec<(chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>)>>);

#[async_trait]
impl AlertHandler for Arrivals {
    async fn on_alert(&self, a: &FiredAlert) {
        self.0.lock().unwrap().push((a.alert.at, chrono::Utc::now()));
    }
}

/// A watcher of one engine hears at once of a timer another engine (another process, as
/// far as it can tell: no shared memory) arms due in a few seconds, though it looks on its
/// own only every 30 seconds.
async fn wake_elsewhere(db: &Db) {
    use chrono::Datelike;
    let now = chrono::Utc::now();
    let centre = regflow_process::Centre {
        id: xining(),
        name: "西宁".into(),
        hours: regflow_process::OfficeHours::new(chrono_tz::UTC, (now + chrono::Duration::seconds(5)).time()),
        separation_of_duties: true,
        register: Default::default(),
    };
    // Every day a working day, and a promise of one: the promise's warning is due at
    // closing time today, five seconds from now.
    let mut csv = String::from("date,kind,name,source\n");
    let mut d = chrono::NaiveDate::from_ymd_opt(now.year(), 1, 1).unwrap();
    while d.year() <= now.year() + 1 {
        if d.weekday().number_from_monday() >= 6 {
            csv.push_str(&format!("{d},adjusted_workday,test,\n"));
        }
        d = d.succ_opt().unwrap();
    }
    let policies = regflow_process::PolicyTimeline::from_toml(
        "[[policy]]\nid = \"test\"\neffective_from = 2000-01-01\npromise = { individual = 1, organisation = 1 }\n",
    )
    .unwrap();
    let open = || {
        Engine::builder(&db.url)
            .calendar(regflow_process::Calendar::from_csv(&csv).unwrap())
            .policies(policies.clone())
            .centre(centre.clone())
            .build()
    };
    let (watching, commanding) = (open().await.unwrap(), open().await.unwrap());
    let arrivals = Arc::new(Arrivals::default());
    let watcher =
        watching.watch(arrivals.clone(), WatchOptions { max_idle: Duration::from_secs(30), ..Default::default() });
    // Let the watcher settle into its long sleep first.
    tokio::time::sleep(Duration::from_millis(2000)).await;
    let passes = watching.due_passes();
    commanding
        .execute(Request::new(staff("clerk-1", Role::Clerk), accept(&commanding, "change", Channel::Window)))
        .await
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(12);
    while arrivals.0.lock().unwrap().is_empty() && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    watcher.shutdown().await.unwrap();
    assert!(passes >= 1, "the watcher had looked once before the command");
    let got = arrivals.0.lock().unwrap().clone();
    let (due, arrived) = *got.first().expect("the alert arrived well before the watcher's 30 s look");
    assert!(arrived - due < chrono::Duration::seconds(2), "due {due}, arrived {arrived}");
}
on_both!(a_watcher_hears_of_a_timer_armed_in_another_process, wake_elsewhere);

/// Notes, at its first alert, whether timers were still due then: delivery while firing.
struct Watches {
    engine: Engine,
    now: chrono::DateTime<chrono::Utc>,
    still_due_at_first: Mutex<Option<bool>>,
    handed: std::sync::atomic::AtomicUsize,
}

#[async_trait]
impl AlertHandler for Watches {
    async fn on_alert(&self, _a: &regflow_executor::FiredAlert) {
        self.handed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let first = self.still_due_at_first.lock().unwrap().is_none();
        if first {
            let due = self.engine.next_due().await.unwrap().is_some_and(|t| t < self.now);
            *self.still_due_at_first.lock().unwrap() = Some(due);
        }
    }
}

async fn backlog_delivers_while_firing(db: &Db) {
    // An engine back after an outage finds 600 cases' alerts due at once: the handler
    // starts receiving them while the backlog is still firing, not after (issue 25).
    let clock = ManualClock::new(at("2026-03-02T09:00:00+08:00"));
    let engine = engine(db, &clock).await;
    let clerk = staff("clerk-1", Role::Clerk);
    let requests: Vec<Request> = (0..600)
        .map(|i| Request::to(&CaseId::new(format!("b{i}")), clerk.clone(), accept(&engine, "change", Channel::Window)))
        .collect();
    for chunk in requests.chunks(200) {
        engine.execute_all(chunk.to_vec()).await.unwrap();
    }
    let now = at("2026-06-01T00:00:00+08:00");
    let handler = Watches {
        engine: engine.clone(),
        now,
        still_due_at_first: Mutex::new(None),
        handed: std::sync::atomic::AtomicUsize::new(0),
    };
    let pass = engine.run_due_batched(now, &handler, 32).await.unwrap();
    assert_eq!(*handler.still_due_at_first.lock().unwrap(), Some(true), "the first alert waited for the whole backlog");
    assert_eq!(handler.handed.load(std::sync::atomic::Ordering::Relaxed), pass.alerts.len(), "each alert once");
}
on_both!(a_backlog_is_delivered_while_it_fires, backlog_delivers_while_firing);
