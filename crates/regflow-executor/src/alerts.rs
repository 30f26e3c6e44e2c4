//! Deadline alerts and automatic resumptions (SPEC 5.3): a one-shot [`Engine::run_due`]
//! and a background [`Watcher`]. Each timer fires exactly once however many engines run:
//! claiming it, writing the case's history and marking it fired happen in one transaction
//! (on PostgreSQL, timers claimed by another engine are skipped).

use chrono::{DateTime, Utc};
use regflow_process::{decide, Actor, CaseId, Command, Context};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::clock::{from_micros, micros};
use crate::delivery::{AlertHandler, FiredAlert};
use crate::engine::{detached, Engine, Written};
use crate::error::{Error, Result};
use crate::mapping::{case_from_row, timer_of};
use crate::store::{CaseRow, Conn, Heard, Wakeups};
use std::collections::{BTreeMap, HashMap};

/// What one pass fired.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DuePass {
    /// Alerts raised, in due order.
    pub alerts: Vec<FiredAlert>,
    /// Cases whose public notice ended and that resumed by themselves.
    pub resumed: Vec<CaseId>,
    /// Timers dropped because their case no longer armed them.
    pub dropped: usize,
    /// Register entries written because a right ended by itself (SPEC 13.4).
    pub register: Vec<regflow_process::register::Entry>,
    /// Notices raised and daily logs closed (SPEC 14).
    pub notices: usize,
}

/// How many timers one transaction claims.
pub const DEFAULT_BATCH: i64 = 256;

impl Engine {
    /// Fires every timer due strictly before `now`, in due order: public notices that have
    /// run resume their cases, and alerts are written into history and the delivery queue;
    /// then every queued alert `handler` has not acknowledged is handed to it.
    /// Timers that firing makes due (the moved deadlines of a resumed case) are fired in the
    /// same pass: it returns when nothing due before `now` is left.
    ///
    /// # Errors
    /// [`Error::Database`] when the database fails; what was committed before stays.
    #[tracing::instrument(name = "regflow.run_due", skip_all, fields(now = %now))]
    pub async fn run_due(&self, now: DateTime<Utc>, handler: &dyn AlertHandler) -> Result<DuePass> {
        self.run_due_batched(now, handler, DEFAULT_BATCH).await
    }

    /// [`Engine::run_due`] claiming at most `batch` timers per transaction.
    ///
    /// # Errors
    /// As [`Engine::run_due`].
    pub async fn run_due_batched(&self, now: DateTime<Utc>, handler: &dyn AlertHandler, batch: i64) -> Result<DuePass> {
        let now = crate::clock::to_micros(now);
        let now_instant = now;
        self.inner.due_passes.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut pass = DuePass::default();
        // A read first: with nothing due, no write transaction is opened (on SQLite it
        // would wait for, and hold up, the one writer).
        let anything_due = self.next_due().await?.is_some_and(|due| due < now);
        if anything_due {
            self.fire_all(now, batch, &mut pass, handler).await?;
        }
        // Reports overdue and the daily logs due by now (SPEC 14), once each.
        pass.notices = self.daily_pass(now_instant).await?;
        if !pass.resumed.is_empty() || !pass.alerts.is_empty() || !pass.register.is_empty() {
            self.timers_changed();
        }
        self.deliver(crate::delivery::HANDLER, handler).await?;
        Ok(pass)
    }

    /// Fires every timer due before `now`, batch after batch, into `pass`. Deliveries keep
    /// pace with a backlog (an engine back after an outage): after the first batch that
    /// raised alerts, and then at most every [`DELIVER_EVERY`], what was fired is handed
    /// to `handler` before the next batch, rather than all after the last.
    async fn fire_all(
        &self,
        now: DateTime<Utc>,
        batch: i64,
        pass: &mut DuePass,
        handler: &dyn AlertHandler,
    ) -> Result<()> {
        let mut conflicts = 0;
        let mut delivered: Option<std::time::Instant> = None;
        loop {
            let engine = self.clone();
            let fired = detached(async move { engine.fire_batch(now, batch.max(1)).await }).await;
            let one = match fired {
                Ok(one) => one,
                // Another writer changed a claimed case: its timers are re-armed by that
                // writer or retried on the next batch.
                Err(Error::Refused(r)) if r.code == regflow_process::ErrorCode::Conflict && conflicts < 20 => {
                    conflicts += 1;
                    continue;
                }
                Err(e) => return Err(e),
            };
            conflicts = 0;
            let empty = one.claimed == 0;
            let raised = !one.pass.alerts.is_empty();
            pass.alerts.extend(one.pass.alerts);
            pass.resumed.extend(one.pass.resumed);
            pass.dropped += one.pass.dropped;
            pass.register.extend(one.pass.register);
            // A batch may arm timers already due (a public notice that ended resumes its
            // case and moves its deadlines): claim again until nothing due before `now` is
            // left, so one pass leaves nothing behind.
            if empty {
                return Ok(());
            }
            if raised && delivered.is_none_or(|at| at.elapsed() >= DELIVER_EVERY) {
                if let Err(e) = self.deliver(crate::delivery::HANDLER, handler).await {
                    tracing::warn!(error = %e, "delivery during a backlog failed; the pass delivers again at its end");
                }
                delivered = Some(std::time::Instant::now());
            }
        }
    }

    async fn fire_batch(&self, now: DateTime<Utc>, batch: i64) -> Result<Batch> {
        let mut tx = self.inner.writes.begin_write().await?;
        let result = self.fire_on(&mut tx.conn(), now, batch).await;
        tx.finish(result).await
    }

    async fn fire_on(&self, conn: &mut Conn<'_>, now: DateTime<Utc>, batch: i64) -> Result<Batch> {
        // Units whose rights end by themselves first: a lapse is recorded at its due instant.
        let (settled, register) = self.settle_due_units(conn, now, batch).await?;
        let timers = conn.claim_due(micros(now), batch, micros(now)).await?;
        let mut out = Batch { claimed: (timers.len() + settled) as i64, pass: DuePass::default() };
        out.pass.register = register;
        if timers.is_empty() {
            return Ok(out);
        }
        let mut ids: Vec<String> = timers.iter().map(|t| t.case_id.clone()).collect();
        ids.sort_unstable();
        ids.dedup();
        let rows: HashMap<String, CaseRow> =
            conn.load_cases(&ids).await?.into_iter().map(|r| (r.id.clone(), r)).collect();
        // Each case's state as the batch's timers are decided in due order.
        let mut work: BTreeMap<String, Work> = BTreeMap::new();
        let mut stale = Vec::new();
        let calendar = self.calendar_on(conn).await?;
        for timer in timers {
            let Some(row) = rows.get(&timer.case_id) else {
                stale.push(timer);
                continue;
            };
            let w = match work.entry(timer.case_id.clone()) {
                std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::btree_map::Entry::Vacant(v) => {
                    let case = case_from_row(row)?;
                    v.insert(Work { before: case.clone(), case, events: Vec::new(), fired: Vec::new() })
                }
            };
            let Some(command) = timer_of(&timer).map(|t| t.command()) else {
                stale.push(timer);
                continue;
            };
            let actor = Actor::system(w.case.centre().clone());
            let ctx = Context {
                now: now.max(w.case.updated_at()),
                actor: &actor,
                centre: self.context_centre(w.case.centre())?,
                calendar: &calendar,
                policies: self.policies(),
                catalogue: self.catalogue(),
                case_id: w.case.id(),
                register: None,
                expected_version: None,
                captured_at: None,
                certificate: None,
            };
            match decide(Some(&w.case), &command, &ctx) {
                Ok(d) => {
                    match command {
                        Command::RaiseAlert { alert } => out.pass.alerts.push(FiredAlert {
                            id: 0,
                            case_id: w.case.id().clone(),
                            centre: w.case.centre().clone(),
                            kind: w.case.kind().clone(),
                            alert,
                            raised_at: now,
                        }),
                        _ => out.pass.resumed.push(w.case.id().clone()),
                    }
                    w.case = d.case;
                    w.events.extend(d.events);
                    w.fired.push(timer.clone());
                }
                Err(refusal) => {
                    tracing::debug!(case = %w.case.id(), timer = %timer.timer, %refusal, "stale timer dropped");
                    stale.push(timer);
                }
            }
        }
        out.pass.dropped = stale.len();
        conn.forget_timers(&stale).await?;
        let written: Vec<Written<'_>> = work
            .iter()
            .map(|(id, w)| Written {
                before: rows.get(id),
                before_case: Some(&w.before),
                fired: &w.fired,
                case: &w.case,
                events: &w.events,
            })
            .collect();
        self.persist(conn, &written).await?;
        crate::delivery::enqueue(conn, &mut out.pass.alerts, now).await?;
        Ok(out)
    }

    /// The earliest instant a timer is due, if any is armed.
    ///
    /// # Errors
    /// [`Error::Database`] when the database fails.
    pub async fn next_due(&self) -> Result<Option<DateTime<Utc>>> {
        let next = self.inner.db.acquire().await?.conn().next_due().await?;
        Ok(next.map(from_micros))
    }

    /// Starts a background watcher that sleeps until the next timer is due, or until a
    /// command arms an earlier one — in this process, or in another (see [`crate::wake`]) —
    /// and fires what is due.
    pub fn watch(&self, handler: Arc<dyn AlertHandler>, options: WatchOptions) -> Watcher {
        let (stop, stopped) = watch::channel(false);
        let engine = self.clone();
        let task = tokio::spawn(async move { engine.watch_loop(handler, options, stopped).await });
        Watcher { stop, task }
    }

    /// Returns when another process may have armed a timer due before `planned` (the
    /// watcher's next look): a notification arrived (PostgreSQL), or another connection
    /// committed and the earliest timer is due before `planned` (SQLite).
    async fn armed_elsewhere(&self, elsewhere: &mut Wakeups, planned: DateTime<Utc>) {
        loop {
            if elsewhere.next().await == Heard::TimerArmed {
                return;
            }
            // Only a timer earlier than the planned look matters; most are days ahead.
            if self.next_due().await.ok().flatten().is_some_and(|t| t < planned) {
                return;
            }
        }
    }

    async fn watch_loop(
        &self,
        handler: Arc<dyn AlertHandler>,
        options: WatchOptions,
        mut stopped: watch::Receiver<bool>,
    ) -> Result<()> {
        let mut changed = self.inner.timers_changed.subscribe();
        let mut jumped = self.inner.clock.jumped();
        let mut elsewhere = Wakeups::start(&self.inner.db).await;
        loop {
            if *stopped.borrow() {
                return Ok(());
            }
            changed.borrow_and_update();
            if let Some(j) = jumped.as_mut() {
                j.borrow_and_update();
            }
            if let Err(e) = self.finish_calendar_loads().await {
                tracing::warn!(error = %e, "finishing a calendar load failed; retrying");
            }
            let now = self.now();
            if let Err(e) = self.run_due_batched(now, handler.as_ref(), options.batch).await {
                tracing::warn!(error = %e, "alert pass failed; retrying");
            }
            let next = self.next_due().await.ok().flatten();
            // Real time sleeps until the next due instant (just past it: due means strictly
            // before now). A manual clock only moves when set, so wait for that instead.
            let wait = match (next, jumped.is_some()) {
                (Some(t), false) => (t - self.now() + chrono::Duration::microseconds(1))
                    .to_std()
                    .unwrap_or(Duration::ZERO)
                    .min(options.max_idle),
                _ => options.max_idle,
            };
            // The next look as the database stood: only an earlier timer is news.
            let idle_until = self.now() + chrono::Duration::from_std(options.max_idle).unwrap_or(chrono::Duration::MAX);
            let planned = next.map_or(idle_until, |t| t.min(idle_until));
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = changed.changed() => {}
                _ = self.armed_elsewhere(&mut elsewhere, planned) => {}
                _ = async { match jumped.as_mut() { Some(j) => { let _ = j.changed().await; } None => std::future::pending::<()>().await } } => {}
                _ = stopped.changed() => {}
            }
        }
    }
}

/// How often a backlog's firing stops to hand what it fired to the handler.
const DELIVER_EVERY: std::time::Duration = std::time::Duration::from_millis(200);

struct Batch {
    claimed: i64,
    pass: DuePass,
}

/// A case being worked on within one batch.
struct Work {
    before: regflow_process::Case,
    fired: Vec<crate::store::TimerRow>,
    case: regflow_process::Case,
    events: Vec<regflow_process::Event>,
}

/// How a [`Watcher`] behaves.
#[derive(Debug, Clone, Copy)]
pub struct WatchOptions {
    /// The longest sleep without looking at the database, which bounds how late a timer
    /// armed by another process is noticed (default 5 s).
    pub max_idle: Duration,
    /// Timers claimed per transaction (default 256).
    pub batch: i64,
}

impl Default for WatchOptions {
    fn default() -> Self {
        WatchOptions { max_idle: Duration::from_secs(5), batch: DEFAULT_BATCH }
    }
}

/// A running background watcher.
#[derive(Debug)]
pub struct Watcher {
    stop: watch::Sender<bool>,
    task: JoinHandle<Result<()>>,
}

impl Watcher {
    /// Stops the watcher after its current pass and waits for it.
    ///
    /// # Errors
    /// [`Error::Task`] when the watcher task panicked.
    pub async fn shutdown(self) -> Result<()> {
        let _ = self.stop.send(true);
        self.task.await?
    }
}
