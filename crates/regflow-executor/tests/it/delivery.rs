//! The alert delivery queue (SPEC 5.3): at least once, stable ids, acknowledged; a crash
//! between the commit and the hand-over loses nothing.

use crate::support::*;
use async_trait::async_trait;
use regflow_executor::on_both;
use regflow_executor::{AlertHandler, Engine, FiredAlert, ManualClock, Request};
use regflow_process::{CaseId, Channel, Role};
use std::sync::Mutex;

#[derive(Default)]
struct Ids(Mutex<Vec<u64>>);

#[async_trait]
impl AlertHandler for Ids {
    async fn on_alert(&self, a: &FiredAlert) {
        self.0.lock().unwrap().push(a.id);
    }
}

/// Takes a while over each alert, so concurrent deliveries would overlap.
#[derive(Default)]
struct SlowIds(Mutex<Vec<u64>>);

#[async_trait]
impl AlertHandler for SlowIds {
    async fn on_alert(&self, a: &FiredAlert) {
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        self.0.lock().unwrap().push(a.id);
    }
}

/// Dies on the first alert it is handed, as a process killed right after the commit.
struct Dies;

#[async_trait]
impl AlertHandler for Dies {
    async fn on_alert(&self, _a: &FiredAlert) {
        panic!("killed between the commit and the delivery");
    }
}

async fn expire_leases(engine: &Engine) {
    let sql = "UPDATE regflow_alert_cursors SET lease_until = 0";
    if let Some(pool) = engine.sqlite_pool() {
        sqlx::query(sql).execute(pool).await.unwrap();
    } else if let Some(pool) = engine.postgres_pool() {
        sqlx::query(sql).execute(pool).await.unwrap();
    }
}

async fn crash_before_delivery(db: &Db) {
    let clock = ManualClock::new(at("2026-03-02T09:00:00+08:00"));
    let first = engine(db, &clock).await;
    for i in 0..3 {
        let id = CaseId::new(format!("d{i}"));
        let req = Request::to(&id, staff("clerk-1", Role::Clerk), accept(&first, "change", Channel::Window));
        first.execute(req).await.unwrap();
    }
    let later = at("2026-06-01T00:00:00+08:00");
    let dying = first.clone();
    let died = tokio::spawn(async move { dying.run_due(later, &Dies).await }).await;
    assert!(died.is_err(), "the handler died");
    // The alerts are in history and queued, with ids in order.
    let queued: Vec<_> = first.alerts_after(None, 0, 100).await.unwrap().into_iter().filter_map(deadline).collect();
    assert_eq!(queued.len(), 12);
    assert!(queued.windows(2).all(|w| w[0].id < w[1].id));
    for a in &queued {
        assert_eq!(a.raised_at, later);
    }

    // Another engine (a restarted process) waits for the dead one's lease, then delivers
    // every alert with the same ids; a second pass delivers nothing more.
    let restarted = engine(db, &clock).await;
    let ids = Ids::default();
    assert_eq!(restarted.deliver("handler", &ids).await.unwrap(), 0, "the lease is still held");
    expire_leases(&restarted).await;
    let pass = restarted.run_due(later, &ids).await.unwrap();
    assert!(pass.alerts.is_empty(), "nothing fired twice");
    let got = ids.0.lock().unwrap().clone();
    assert_eq!(got, queued.iter().map(|a| a.id).collect::<Vec<_>>());
    restarted.run_due(later, &ids).await.unwrap();
    assert_eq!(ids.0.lock().unwrap().len(), 12, "acknowledged alerts are not delivered again");

    // Each consumer has its own cursor.
    let webhook = Ids::default();
    assert_eq!(restarted.deliver("webhook:dashboard", &webhook).await.unwrap(), 12);
    assert_eq!(restarted.deliver("webhook:dashboard", &webhook).await.unwrap(), 0);
}
on_both!(a_crash_before_delivery_loses_nothing, crash_before_delivery);

/// The deadline alert an item of the queue is, if it is one.
fn deadline(item: regflow_executor::Queued) -> Option<regflow_executor::FiredAlert> {
    match item {
        regflow_executor::Queued::Alert(a) => Some(a),
        regflow_executor::Queued::Notice(_) => None,
    }
}

/// A handler that keeps the notices it is handed.
#[derive(Default)]
struct Notices(std::sync::Mutex<Vec<regflow_executor::FiredNotice>>);

#[async_trait::async_trait]
impl AlertHandler for Notices {
    async fn on_alert(&self, _alert: &regflow_executor::FiredAlert) {}

    async fn deliver_notice(&self, notice: &regflow_executor::FiredNotice) -> regflow_executor::Delivery {
        self.0.lock().unwrap().push(notice.clone());
        regflow_executor::Delivery::Acknowledged
    }
}

async fn notices_travel_the_queue(db: &Db) {
    // SPEC 17 §6: a `report_overdue` notice goes through the delivery queue with a stable
    // id and its type, once per consumer, after the case alerts raised before it.
    let clock = ManualClock::new(at("2026-03-04T16:40:00+08:00"));
    let engine = engine(db, &clock).await;
    seize(&engine).await;
    let notices = Notices::default();
    engine.run_due(at("2026-03-04T17:41:00+08:00"), &notices).await.unwrap();
    let got = notices.0.lock().unwrap().clone();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!((got[0].notice.kind.as_str(), got[0].notice.at), ("report_overdue", at("2026-03-04T17:40:00+08:00")));
    assert!(got[0].notice.subject.ends_with("/national/630102260304000001"), "{}", got[0].notice.subject);
    assert_eq!(got[0].notice.body["message_id"], "630102260304000001");
    // The feed shows it in id order; another pass raises and hands over nothing again.
    let feed = engine.alerts_after(Some(&xining()), 0, 100).await.unwrap();
    assert_eq!(feed.iter().map(|q| q.id()).collect::<Vec<_>>(), vec![got[0].id]);
    engine.run_due(at("2026-03-04T18:00:00+08:00"), &notices).await.unwrap();
    assert_eq!(notices.0.lock().unwrap().len(), 1);
    // A second consumer gets it under the same id.
    let other = Notices::default();
    assert_eq!(engine.deliver("webhook:desk", &other).await.unwrap(), 1);
    assert_eq!(other.0.lock().unwrap()[0].id, got[0].id);
}
on_both!(a_notice_travels_the_delivery_queue_once_per_consumer, notices_travel_the_queue);

async fn feeds_by_centre(db: &Db) {
    let clock = ManualClock::new(at("2026-03-02T09:00:00+08:00"));
    let engine = engine_of(db, &clock, &["xining", "haidong"]).await;
    let x = CaseId::new("x1");
    engine
        .execute(Request::to(&x, staff("clerk-1", Role::Clerk), accept(&engine, "change", Channel::Window)))
        .await
        .unwrap();
    let h = CaseId::new("h1");
    let haidong_clerk =
        regflow_process::Actor::new("clerk-1", [Role::Clerk], regflow_process::CentreId::new("haidong"));
    engine.execute(Request::to(&h, haidong_clerk, accept(&engine, "change", Channel::Window))).await.unwrap();
    let pass = engine.run_due(at("2026-06-01T00:00:00+08:00"), &regflow_executor::IgnoreAlerts).await.unwrap();
    assert_eq!(pass.alerts.len(), 8);
    assert!(pass.alerts.iter().all(|a| a.id > 0));
    let ours: Vec<_> =
        engine.alerts_after(Some(&xining()), 0, 100).await.unwrap().into_iter().filter_map(deadline).collect();
    assert_eq!(ours.len(), 4);
    assert!(ours.iter().all(|a| a.case_id == x));
    // Resuming after the second of them gives the other two.
    let rest: Vec<_> =
        engine.alerts_after(Some(&xining()), ours[1].id, 100).await.unwrap().into_iter().filter_map(deadline).collect();
    assert_eq!(rest, ours[2..].to_vec());
}
on_both!(alert_feeds_are_per_centre_and_resumable, feeds_by_centre);

async fn concurrent_passes(db: &Db) {
    let clock = ManualClock::new(at("2026-03-02T09:00:00+08:00"));
    let engine = engine(db, &clock).await;
    for i in 0..100 {
        let id = CaseId::new(format!("p{i:03}"));
        let req = Request::to(&id, staff("clerk-1", Role::Clerk), accept(&engine, "change", Channel::Window));
        engine.execute(req).await.unwrap();
    }
    let ids = std::sync::Arc::new(SlowIds::default());
    let later = at("2026-06-01T00:00:00+08:00");
    let passes: Vec<_> = (0..8)
        .map(|_| {
            let (engine, ids) = (engine.clone(), ids.clone());
            tokio::spawn(async move { engine.run_due(later, ids.as_ref()).await.unwrap() })
        })
        .collect();
    for p in passes {
        p.await.unwrap();
    }
    let mut got = ids.0.lock().unwrap().clone();
    let total = got.len();
    got.sort_unstable();
    got.dedup();
    assert_eq!((total, got.len()), (400, 400), "each alert handed over once by eight concurrent passes");
}
on_both!(concurrent_passes_of_one_engine_deliver_once, concurrent_passes);

/// Hangs on its first alert until `release` is notified (or for ever), then takes the rest.
#[derive(Default)]
struct Hangs {
    entered: tokio::sync::Notify,
    release: tokio::sync::Notify,
    got: Mutex<Vec<u64>>,
}

#[async_trait]
impl AlertHandler for Hangs {
    async fn on_alert(&self, a: &FiredAlert) {
        let first = self.got.lock().unwrap().is_empty();
        if first {
            self.entered.notify_one();
            self.release.notified().await;
        }
        self.got.lock().unwrap().push(a.id);
    }
}

/// Twelve alerts due (three cases, two clocks, warning and breach), none delivered yet.
async fn twelve_due(engine: &Engine) {
    for i in 0..3 {
        let id = CaseId::new(format!("l{i}"));
        let req = Request::to(&id, staff("clerk-1", Role::Clerk), accept(engine, "change", Channel::Window));
        engine.execute(req).await.unwrap();
    }
    let pass = engine.run_due(at("2026-06-01T00:00:00+08:00"), &regflow_executor::IgnoreAlerts).await.unwrap();
    assert_eq!(pass.alerts.len(), 12);
}

async fn dead_deliverer(db: &Db) {
    // SPEC 5.3 under faults: a deliverer that dies holding the lease holds up another
    // engine's delivery by the lease (4 s) at most; the one in hand is delivered again.
    let clock = ManualClock::new(at("2026-03-02T09:00:00+08:00"));
    let (a, b) = (engine(db, &clock).await, engine(db, &clock).await);
    twelve_due(&a).await;
    let hangs = std::sync::Arc::new(Hangs::default());
    let dying = {
        let (a, hangs) = (a.clone(), hangs.clone());
        tokio::spawn(async move { a.deliver("dashboard", hangs.as_ref()).await })
    };
    hangs.entered.notified().await;
    dying.abort();
    let _ = dying.await;
    let started = std::time::Instant::now();
    let ids = Ids::default();
    while b.deliver("dashboard", &ids).await.unwrap() == 0 {
        assert!(started.elapsed() < std::time::Duration::from_secs(15), "the dead lease was never taken over");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let took = started.elapsed();
    println!("a dead deliverer's lease taken over after {:.1} s", took.as_secs_f64());
    assert_eq!(ids.0.lock().unwrap().len(), 12, "the alert in hand is delivered again, with the rest");
}
on_both!(a_dead_deliverers_lease_is_taken_over_after_seconds, dead_deliverer);

async fn live_deliverer(db: &Db) {
    // A handler slower than the lease: its engine keeps the lease while it runs, so another
    // engine hands nothing over twice; and an engine whose pass was cut short (its
    // database away) takes its own lease back at once.
    let clock = ManualClock::new(at("2026-03-02T09:00:00+08:00"));
    let (a, b) = (engine(db, &clock).await, engine(db, &clock).await);
    twelve_due(&a).await;
    let hangs = std::sync::Arc::new(Hangs::default());
    let slow = {
        let (a, hangs) = (a.clone(), hangs.clone());
        tokio::spawn(async move { a.deliver("dashboard", hangs.as_ref()).await })
    };
    hangs.entered.notified().await;
    tokio::time::sleep(std::time::Duration::from_secs(7)).await;
    let ids = Ids::default();
    assert_eq!(b.deliver("dashboard", &ids).await.unwrap(), 0, "the live deliverer's lease holds");
    hangs.release.notify_one();
    assert_eq!(slow.await.unwrap().unwrap(), 12);
    assert_eq!(b.deliver("dashboard", &ids).await.unwrap(), 0, "nothing twice");

    twelve_due_again(&a, &clock).await;
    let cut = {
        let hangs = std::sync::Arc::new(Hangs::default());
        let (a, h) = (a.clone(), hangs.clone());
        let task = tokio::spawn(async move { a.deliver("dashboard", h.as_ref()).await });
        hangs.entered.notified().await;
        task
    };
    // Cut short: the pass is dropped (as one whose database went away returns), and only then
    // does the engine try again.
    cut.abort();
    let _ = cut.await;
    let again = Ids::default();
    assert_eq!(a.deliver("dashboard", &again).await.unwrap(), 12, "its own lease, taken back at once");
}
on_both!(a_live_deliverer_keeps_its_lease_and_takes_it_back_at_once, live_deliverer);

/// Twelve more alerts due, on three new cases.
async fn twelve_due_again(engine: &Engine, clock: &ManualClock) {
    clock.set(at("2026-06-02T09:00:00+08:00"));
    for i in 0..3 {
        let id = CaseId::new(format!("m{i}"));
        let req = Request::to(&id, staff("clerk-1", Role::Clerk), accept(engine, "change", Channel::Window));
        engine.execute(req).await.unwrap();
    }
    let pass = engine.run_due(at("2026-10-01T00:00:00+08:00"), &regflow_executor::IgnoreAlerts).await.unwrap();
    assert_eq!(pass.alerts.len(), 12);
}
