//! The executor's benchmark: one run, both backends (SQLite file in WAL, PostgreSQL).
//!
//! `cargo bench -p regflow-executor --bench engine [-- --scale small|full] [--only sqlite|postgres]
//!  [--sections 1,2,3,4,5]`
//!
//! PostgreSQL is measured when `REGFLOW_PG_URL` is set (a throw-away database is created).
//! Sections:
//! 1. lifecycle commands per second (accept → two tasks → review → record → issue) with 1
//!    and 8 workers (600 cases, three alternating rounds, medians compared), beside a raw-SQL
//!    floor: per command one transaction that reads the case's version, writes the case
//!    (its state, version and the same JSON body the engine wrote), appends the same event
//!    and arms or drops the same timers — no `decide`, no hashing, no task (on SQLite on a
//!    connection of its own, as the engine's writes are);
//! 2. one `run_due` pass with 100 alerts due among N open cases (and an idle pass), with
//!    the process's resident memory after each;
//! 3. alert firing throughput: 100,000 alerts due at once, fired by 1 and by 8 concurrent
//!    watchers, each alert claimed, written to history and handed to a handler atomically;
//! 4. firing latency of the background watcher on the system clock — alerts armed seconds
//!    ahead, and one already due by the time the command arming it commits — and how
//!    many passes it ran while idle;
//! 5. lifecycle commands per second sent in batches of 1, 10 and 100 (`execute_all`);
//! 6. `Engine::import` of historical cases (`--import N`, default 1,000,000; 10,000 at
//!    small scale): the rate and the memory it took.

use async_trait::async_trait;
use chrono::{DateTime, Datelike, Duration as Days, NaiveDate, Timelike, Utc};
use regflow_executor::testing::TestDb as Db;
use regflow_executor::{AlertHandler, Clock, Engine, FiredAlert, IgnoreAlerts, ManualClock, Request, WatchOptions};
use regflow_process::catalogue::Task;
use regflow_process::{
    Actor, ApplicantCategory, ApplicantInput, Calendar, CaseId, Catalogue, Centre, CentreId, Channel, Command,
    IntakeInput, OfficeHours, PolicyTimeline, Role,
};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const ZHANG: &str = "630102198503120015";

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Sqlite,
    Postgres,
}

async fn fresh(kind: Kind) -> Db {
    match kind {
        Kind::Sqlite => Db::sqlite(),
        Kind::Postgres => Db::postgres("engine benchmark").await.expect("REGFLOW_PG_URL"),
    }
}

async fn engine_on(db: &Db, clock: impl Clock + 'static, centres: Vec<Centre>) -> Engine {
    let mut b = Engine::builder(&db.url).clock(clock);
    for c in centres {
        b = b.centre(c);
    }
    b.build().await.unwrap()
}

async fn raw(engine: &Engine, sql: &str) {
    if let Some(pool) = engine.sqlite_pool() {
        sqlx::query(sql).execute(pool).await.unwrap();
    } else if let Some(pool) = engine.postgres_pool() {
        sqlx::query(sql).execute(pool).await.unwrap();
    }
}

fn xining() -> CentreId {
    CentreId::new("xining")
}

fn staff(id: &str, role: Role) -> Actor {
    Actor::new(id, [role], xining())
}

fn accept(kind: &str) -> Command {
    accept_on(kind, "630102001001GB00001F00010001")
}

/// The property unit of the `n`-th case of a run: each case is another flat, so recording
/// one never waits for another's lock on the same unit.
fn unit(n: usize) -> String {
    format!("630102001001GB00001F{n:08}")
}

/// A window acceptance of `kind` on `unit` with every material the applicant brings.
fn accept_on(kind: &str, unit: &str) -> Command {
    let applicants = vec![ApplicantInput::new("张三", ZHANG)];
    Command::Accept {
        intake: Some(IntakeInput::new(kind, ApplicantCategory::Individual, applicants, unit, Channel::Window)),
        materials: materials(kind),
    }
}

/// Every material the applicant brings for `kind`, in checklist order.
fn materials(kind: &str) -> Vec<String> {
    static CATALOGUE: std::sync::LazyLock<Catalogue> = std::sync::LazyLock::new(Catalogue::builtin);
    CATALOGUE.get(kind).unwrap().applicant_material_ids(None)
}

/// The template lifecycle of a transfer of `unit`.
fn lifecycle(unit: &str) -> Vec<(Actor, Command)> {
    vec![
        (staff("clerk-1", Role::Clerk), accept_on("transfer_second_hand", unit)),
        (staff("tax-1", Role::TaxOfficer), Command::task_succeeded(Task::Tax)),
        (staff("tr-1", Role::TransactionOfficer), Command::task_succeeded(Task::TransactionFiling)),
        (staff("rev-1", Role::Reviewer), Command::Review),
        (staff("reg-1", Role::Registrar), Command::Record),
        (staff("clerk-2", Role::Clerk), Command::IssueCertificate),
    ]
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

// ---------------------------------------------------------------- 1. lifecycle

/// What one command of the template lifecycle wrote, as the floor writes it again.
#[derive(Clone)]
struct Step {
    creates: bool,
    state: String,
    case_body: String,
    event: FloorEvent,
    timers: Vec<(String, i64)>,
}

#[derive(Clone)]
struct FloorEvent {
    seq: i64,
    at: i64,
    command: String,
    actor: String,
    body: String,
    prev_hash: String,
    hash: String,
}

async fn engine_lifecycles(db: &Db, workers: usize, per_worker: usize) -> f64 {
    let engine = engine_on(db, regflow_executor::SystemClock, vec![Centre::new("xining")]).await;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..workers {
        let engine = engine.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..per_worker {
                let id = CaseId::new(format!("e{w}-{i}"));
                for (actor, cmd) in lifecycle(&unit(w * per_worker + i)) {
                    engine.execute(Request::to(&id, actor, cmd)).await.unwrap();
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    (workers * per_worker * 6) as f64 / started.elapsed().as_secs_f64()
}

/// Runs one lifecycle through the engine and keeps what each command wrote.
async fn template(engine: &Engine) -> Vec<Step> {
    let id = CaseId::new("template");
    let mut steps = Vec::new();
    for (i, (actor, cmd)) in lifecycle(&unit(0)).into_iter().enumerate() {
        let done = engine.execute(Request::to(&id, actor, cmd)).await.unwrap();
        let e = &done.entries[0];
        steps.push(Step {
            creates: i == 0,
            state: done.case.state().as_str().to_owned(),
            case_body: serde_json::to_string(&done.case).unwrap(),
            event: FloorEvent {
                seq: e.event.seq as i64,
                at: e.event.at.timestamp_micros(),
                command: e.event.command.as_str().into(),
                actor: e.event.actor.to_string(),
                body: serde_json::to_string(&e.event).unwrap(),
                prev_hash: e.prev_hash.clone(),
                hash: e.hash.clone(),
            },
            timers: done
                .alerts
                .iter()
                .map(|a| (format!("{}_{}", a.clock.as_str(), a.level.as_str()), a.at.timestamp_micros()))
                .collect(),
        });
    }
    steps
}

/// The raw-SQL floor's statements, for a connection of either backend.
struct Floor<'c, C>(&'c mut C);

impl<'c, C, DB> Floor<'c, C>
where
    C: sqlx::Connection<Database = DB>,
    DB: sqlx::Database,
    for<'e> &'e mut C: sqlx::Executor<'e, Database = DB>,
    for<'q> DB::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    (i64,): for<'r> sqlx::FromRow<'r, DB::Row>,
{
    async fn command(self, id: &str, unit: &str, k: usize, steps: &[Step]) {
        let step = &steps[k];
        let version: Option<(i64,)> = sqlx::query_as("SELECT version FROM regflow_cases WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *self.0)
            .await
            .unwrap();
        let at = step.event.at;
        if step.creates {
            assert!(version.is_none());
            sqlx::query(
                "INSERT INTO regflow_cases (id, centre, kind, category, channel, priority, priority_class, unit, \
                 state, is_open, instant, pending_task_bits, provisional, extended_days, suspensions, version, head_hash, \
                 body, created_at, updated_at) VALUES ($1, 'xining', 'transfer_second_hand', 'individual', 'window', \
                 'standard', 2, $2, $3, 1, 0, 0, 0, 0, 0, 1, $4, $5, $6, $7)",
            )
            .bind(id)
            .bind(unit)
            .bind(step.state.as_str())
            .bind(step.event.hash.as_str())
            .bind(step.case_body.as_str())
            .bind(at)
            .bind(at)
            .execute(&mut *self.0)
            .await
            .unwrap();
        } else {
            sqlx::query(
                "UPDATE regflow_cases SET state = $1, version = $2, head_hash = $3, body = $4, updated_at = $5 \
                 WHERE id = $6 AND version = $7",
            )
            .bind(step.state.as_str())
            .bind(k as i64 + 1)
            .bind(step.event.hash.as_str())
            .bind(step.case_body.as_str())
            .bind(at)
            .bind(id)
            .bind(k as i64)
            .execute(&mut *self.0)
            .await
            .unwrap();
        }
        let e = &step.event;
        sqlx::query(
            "INSERT INTO regflow_events (case_id, seq, at, command, actor, body, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(e.seq)
        .bind(e.at)
        .bind(e.command.as_str())
        .bind(e.actor.as_str())
        .bind(e.body.as_str())
        .bind(e.prev_hash.as_str())
        .bind(e.hash.as_str())
        .execute(&mut *self.0)
        .await
        .unwrap();
        // The same timer writes as the engine: drop what is no longer armed, arm what is new.
        let before: &[(String, i64)] = if k == 0 { &[] } else { &steps[k - 1].timers };
        for (timer, due) in before.iter().filter(|t| !step.timers.contains(t)) {
            sqlx::query(
                "DELETE FROM regflow_timers WHERE case_id = $1 AND timer = $2 AND due_at = $3 AND fired_at IS NULL",
            )
            .bind(id)
            .bind(timer.as_str())
            .bind(*due)
            .execute(&mut *self.0)
            .await
            .unwrap();
        }
        for (timer, due) in step.timers.iter().filter(|t| !before.contains(t)) {
            sqlx::query("INSERT INTO regflow_timers (case_id, timer, due_at) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(timer.as_str())
                .bind(*due)
                .execute(&mut *self.0)
                .await
                .unwrap();
        }
    }
}

async fn baseline_one(engine: &Engine, writer: Option<&sqlx::SqlitePool>, id: &str, unit: &str, steps: &[Step]) {
    for k in 0..steps.len() {
        if let Some(pool) = writer {
            let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.unwrap();
            Floor(&mut *tx).command(id, unit, k, steps).await;
            tx.commit().await.unwrap();
        } else {
            let mut tx = engine.postgres_pool().unwrap().begin().await.unwrap();
            Floor(&mut *tx).command(id, unit, k, steps).await;
            tx.commit().await.unwrap();
        }
    }
}

/// On SQLite the floor writes on one connection of its own, as the engine does (each
/// connection's page cache survives only its own commits).
async fn floor_writer(engine: &Engine) -> Option<sqlx::SqlitePool> {
    let pool = engine.sqlite_pool()?;
    Some(
        sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .connect_with((*pool.connect_options()).clone())
            .await
            .unwrap(),
    )
}

async fn baseline_lifecycles(db: &Db, workers: usize, per_worker: usize) -> f64 {
    let engine = engine_on(db, regflow_executor::SystemClock, vec![Centre::new("xining")]).await;
    let steps = template(&engine).await;
    let writer = floor_writer(&engine).await;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..workers {
        let (steps, engine, writer) = (steps.clone(), engine.clone(), writer.clone());
        tasks.push(tokio::spawn(async move {
            for i in 0..per_worker {
                let (id, unit) = (format!("b{w}-{i}"), unit(w * per_worker + i));
                baseline_one(&engine, writer.as_ref(), &id, &unit, &steps).await;
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    (workers * per_worker * 6) as f64 / started.elapsed().as_secs_f64()
}

// ------------------------------------------------------------ 2. run_due pass

const CASE_COLUMNS: &str = "id, centre, kind, category, channel, priority, priority_class, unit, unit_effect, state, \
    is_open, instant, pending_task_bits, accepted_at, promise_due_at, statutory_due_at, provisional, recorded_at, completed_at, \
    working_days_used, on_time, within_statute, extended_days, suspensions, rating, version, head_hash, body, created_at, updated_at";

/// Copies case `template` `n` times as `{prefix}{i}`, with its unfired timers; with
/// `body`, the copies carry that body instead of the template's (fillers never loaded).
async fn clone_cases(engine: &Engine, template: &str, prefix: &str, n: u64, body: Option<&str>, timer_shift_us: i64) {
    let body_expr = match body {
        Some(b) => format!("'{b}'"),
        None => format!("replace(body, '{template}', '{prefix}' || i)"),
    };
    let select_cols = CASE_COLUMNS
        .replace("id, centre", &format!("'{prefix}' || i, centre"))
        .replace("head_hash, body", &format!("head_hash, {body_expr}"));
    let gen = format!("WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < {n})");
    raw(engine, &format!("{gen} INSERT INTO regflow_cases ({CASE_COLUMNS}) SELECT {select_cols} FROM regflow_cases, g WHERE id = '{template}'")).await;
    raw(
        engine,
        &format!(
            "{gen} INSERT INTO regflow_timers (case_id, timer, due_at) SELECT '{prefix}' || i, timer, due_at + {timer_shift_us} \
             FROM regflow_timers, g WHERE case_id = '{template}' AND fired_at IS NULL"
        ),
    )
    .await;
    if engine.postgres_pool().is_some() {
        raw(engine, "ANALYZE").await;
    }
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// The idle pass, three passes of 100 alerts, and how much the process's resident memory
/// grew over them (KiB).
async fn pass_among(db: &Db, open: u64) -> (Duration, Vec<Duration>, i64) {
    let clock = ManualClock::new(at("2026-03-02T09:00:00+08:00"));
    let engine = engine_on(db, clock.clone(), vec![Centre::new("xining")]).await;
    for i in 0..100 {
        let id = CaseId::new(format!("due{i}"));
        engine.execute(Request::to(&id, staff("clerk-1", Role::Clerk), accept("change"))).await.unwrap();
    }
    // Fillers: open cases whose alerts come a year later.
    clone_cases(&engine, "due0", "open", open - 100, Some("{}"), 365 * 86_400 * 1_000_000).await;
    let rss_before = rss_kib();
    let idle_started = Instant::now();
    let idle = engine.run_due(at("2026-03-02T10:00:00+08:00"), &IgnoreAlerts).await.unwrap();
    let idle_time = idle_started.elapsed();
    assert!(idle.alerts.is_empty());
    // Three passes, 100 alerts each: the promise warnings (03-04 18:00), the promise
    // breaches (03-05 18:00), the statutory warnings (04-13 18:00).
    let mut times = Vec::new();
    for when in ["2026-03-04T18:00:01+08:00", "2026-03-05T18:00:01+08:00", "2026-04-13T18:00:01+08:00"] {
        let started = Instant::now();
        let pass = engine.run_due(at(when), &IgnoreAlerts).await.unwrap();
        times.push(started.elapsed());
        assert_eq!(pass.alerts.len(), 100, "{when}");
    }
    (idle_time, times, rss_kib() as i64 - rss_before as i64)
}

// ------------------------------------------------------------ 3. throughput

#[derive(Default)]
struct Count {
    seen: Mutex<HashSet<(String, String, i64)>>,
    calls: std::sync::atomic::AtomicU64,
}

#[async_trait]
impl AlertHandler for Count {
    async fn on_alert(&self, a: &FiredAlert) {
        self.calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.seen.lock().unwrap().insert((
            a.case_id.to_string(),
            format!("{:?}{:?}", a.alert.clock, a.alert.level),
            a.alert.at.timestamp(),
        ));
    }
}

async fn throughput(db: &Db, alerts: u64, watchers: usize) -> (f64, u64, usize, bool) {
    let clock = ManualClock::new(at("2026-03-02T09:00:00+08:00"));
    let engine = engine_on(db, clock.clone(), vec![Centre::new("xining")]).await;
    engine.execute(Request::to(&CaseId::new("tpl"), staff("clerk-1", Role::Clerk), accept("change"))).await.unwrap();
    clone_cases(&engine, "tpl", "t", alerts / 4 - 1, None, 0).await;
    let count = Arc::new(Count::default());
    let now = at("2026-06-01T00:00:00+08:00");
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..watchers {
        let (engine, count) = (engine.clone(), count.clone());
        tasks.push(tokio::spawn(async move { engine.run_due(now, count.as_ref()).await.unwrap() }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let calls = count.calls.load(std::sync::atomic::Ordering::Relaxed);
    let distinct = count.seen.lock().unwrap().len();
    let left = engine.next_due().await.unwrap().is_some_and(|t| t < now);
    (calls as f64 / elapsed, calls, distinct, left)
}

// ------------------------------------------------------------ 4. latency

/// A calendar on which every day of this year and the next is a working day.
fn every_day_calendar(today: NaiveDate) -> Calendar {
    let mut csv = String::from("date,kind,name,source\n");
    let mut d = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap();
    let end = NaiveDate::from_ymd_opt(today.year() + 2, 1, 1).unwrap();
    while d < end {
        if d.weekday().number_from_monday() >= 6 {
            csv.push_str(&format!("{d},adjusted_workday,bench,\n"));
        }
        d = d.succ_opt().unwrap();
    }
    Calendar::from_csv(&csv).unwrap()
}

struct Latency {
    samples: Mutex<Vec<(DateTime<Utc>, DateTime<Utc>)>>,
}

#[async_trait]
impl AlertHandler for Latency {
    async fn on_alert(&self, a: &FiredAlert) {
        self.samples.lock().unwrap().push((a.alert.at, Utc::now()));
    }
}

/// Alerts due 3–11 s from now, armed by the watcher's own engine or (`elsewhere`) by
/// another engine on the same database, which shares nothing with the watcher in memory,
/// as another process would.
async fn latency(db: &Db, elsewhere: bool) -> Timings {
    let now = Utc::now();
    // Three more centres close after the idle spell, a second apart: each one's alert falls
    // due while the command that arms it commits. (Office hours are kept to the second.)
    let due_now = (now + Days::seconds(30)).with_nanosecond(0).unwrap();
    let centres: Vec<Centre> = (0..8)
        .map(|i| Centre {
            id: CentreId::new(format!("lat{i}")),
            name: format!("lat{i}"),
            hours: OfficeHours::new(
                chrono_tz::UTC,
                if i < 5 { now + Days::seconds(3 + 2 * i) } else { due_now + Days::seconds(i - 5) }.time(),
            ),
            separation_of_duties: true,
            register: Default::default(),
        })
        .collect();
    let policies = PolicyTimeline::from_toml(
        "[[policy]]\nid = \"bench\"\neffective_from = 2000-01-01\npromise = { individual = 1, organisation = 1 }\n",
    )
    .unwrap();
    let open = || {
        let mut b = Engine::builder(&db.url).calendar(every_day_calendar(now.date_naive())).policies(policies.clone());
        for c in &centres {
            b = b.centre(c.clone());
        }
        b.build()
    };
    let engine = open().await.unwrap();
    let commanding = if elsewhere { open().await.unwrap() } else { engine.clone() };
    let handler = Arc::new(Latency { samples: Mutex::new(Vec::new()) });
    let watcher =
        engine.watch(handler.clone(), WatchOptions { max_idle: Duration::from_secs(5), ..Default::default() });
    for c in &centres[..5] {
        let clerk = Actor::new("clerk", [Role::Clerk], c.id.clone());
        let done = commanding.execute(Request::new(clerk, accept("change"))).await.unwrap();
        if std::env::var("BENCH_DEBUG").is_ok() {
            eprintln!("{:?} {:?}", done.case.deadlines(), done.alerts);
        }
    }
    tokio::time::sleep(Duration::from_secs(13)).await;
    // Idle: nothing more is due for a day; count the passes over 10 seconds.
    let before = engine.due_passes();
    tokio::time::sleep(Duration::from_secs(10)).await;
    let idle_passes = engine.due_passes() - before;
    // Alerts already due when armed: each command is sent 2, 3 or 4 ms before its centre
    // closes, so its promise warning falls due about when it commits (a try decided after
    // the close arms no warning and shows no sample; one that commits before the close is
    // marked). Timers sleep to the millisecond, hence no finer lead.
    let mut tries = Vec::new();
    for (k, c) in centres[5..].iter().enumerate() {
        let due = due_now + Days::seconds(k as i64);
        let lead = Days::milliseconds(2 + k as i64);
        let wait = (due - lead - Utc::now()).to_std().unwrap_or_default();
        tokio::time::sleep(wait).await;
        let clerk = Actor::new("clerk", [Role::Clerk], c.id.clone());
        let sent = Utc::now();
        commanding.execute(Request::new(clerk, accept("change"))).await.unwrap();
        tries.push((due, sent, Utc::now()));
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    watcher.shutdown().await.unwrap();
    let ms = |from: DateTime<Utc>, to: DateTime<Utc>| (to - from).num_microseconds().unwrap_or(0) as f64 / 1000.0;
    let samples = handler.samples.lock().unwrap().clone();
    let (late, ahead): (Vec<_>, Vec<_>) = samples.iter().partition(|(due, _)| *due >= due_now);
    Timings {
        after_due: ahead.iter().map(|(due, got)| ms(*due, *got)).collect(),
        already_due: late
            .iter()
            .filter_map(|(due, got)| {
                let (_, sent, returned) = tries.iter().find(|(d, _, _)| d == due)?;
                Some((ms(*returned, *got), ms(*sent, *got), returned > due))
            })
            .collect(),
        idle_passes,
        passes: engine.due_passes(),
    }
}

/// What section 4 measured.
struct Timings {
    /// Alerts armed seconds ahead: ms from due to received.
    after_due: Vec<f64>,
    /// Alerts due by the time their command committed: ms from the command's return and
    /// from its sending to received, and whether it was indeed due at the return.
    already_due: Vec<(f64, f64, bool)>,
    /// The watcher's passes over 10 idle seconds, and in all.
    idle_passes: u64,
    passes: u64,
}

// ------------------------------------------------------------------ 5. batches

/// Lifecycle commands per second sent in batches of `size` (`execute_all`); size 1 is
/// `execute`, one transaction per command.
async fn batched_lifecycles(db: &Db, cases: usize, size: usize) -> f64 {
    let engine = engine_on(db, regflow_executor::SystemClock, vec![Centre::new("xining")]).await;
    let stream: Vec<Request> = (0..cases)
        .flat_map(|i| {
            let id = CaseId::new(format!("b{i}"));
            lifecycle(&unit(i)).into_iter().map(move |(actor, cmd)| Request::to(&id, actor, cmd))
        })
        .collect();
    let n = stream.len();
    let started = Instant::now();
    if size == 1 {
        for req in stream {
            engine.execute(req).await.unwrap();
        }
    } else {
        for chunk in stream.chunks(size) {
            engine.execute_all(chunk.to_vec()).await.unwrap();
        }
    }
    n as f64 / started.elapsed().as_secs_f64()
}

// ------------------------------------------------------------------- 6. import

/// Writes `n` historical cases as import lines: alternately changes and second-hand
/// transfers accepted through 2025, seven in ten finished, two in ten reviewed and open,
/// one in ten accepted and open.
fn import_file(path: &std::path::Path, n: u64) {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    for i in 0..n {
        let kind = if i % 2 == 0 { "change" } else { "transfer_second_hand" };
        let day = format!("2025-{:02}-{:02}", 2 + i % 10, 3 + i % 25);
        let mut line = format!(
            r#"{{"id":"HIST-{i:07}","intake":{{"kind":"{kind}","applicant_category":"individual","applicants":[{{"name":"张三","id":"{ZHANG}"}}],"unit":"630102001001GB00001F{i:08}","channel":"window","priority":"standard"}},"materials":{},"accepted_at":"{day}T09:00:00+08:00""#,
            serde_json::to_string(&materials(kind)).unwrap()
        );
        let tasks = if kind == "transfer_second_hand" {
            format!(
                r#","tasks":[{{"task":"tax","at":"{day}T10:00:00+08:00"}},{{"task":"transaction_filing","at":"{day}T10:30:00+08:00"}}]"#
            )
        } else {
            String::new()
        };
        match i % 10 {
            0..=6 => line.push_str(&format!(
                r#"{tasks},"reviewed_at":"{day}T14:00:00+08:00","recorded_at":"{day}T15:00:00+08:00","issued_at":"{day}T16:00:00+08:00""#
            )),
            7 | 8 => line.push_str(&format!(r#"{tasks},"reviewed_at":"{day}T14:00:00+08:00""#)),
            _ => {}
        }
        line.push_str("}\n");
        out.write_all(line.as_bytes()).unwrap();
    }
}

/// Imports `n` historical cases in batches of 1,000: seconds taken and resident memory
/// growth (KiB) over the import.
async fn import_rate(db: &Db, n: u64) -> (f64, u64) {
    let engine = engine_on(db, regflow_executor::SystemClock, vec![Centre::new("xining")]).await;
    let path = std::env::temp_dir().join(format!("regflow-import-{}.jsonl", uuid::Uuid::new_v4().simple()));
    import_file(&path, n);
    let supervisor = staff("sup-1", Role::Supervisor);
    let before = rss_kib();
    let started = Instant::now();
    let report = engine.import(&supervisor, &path, regflow_executor::ImportOptions::default()).await.unwrap();
    let secs = started.elapsed().as_secs_f64();
    assert_eq!(report.imported, n);
    std::fs::remove_file(&path).ok();
    (secs, rss_kib().saturating_sub(before))
}

// ------------------------------------------------------------------- main

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let small = arg("--scale").as_deref() == Some("small");
    let only = arg("--only");
    let sections = arg("--sections").unwrap_or_else(|| "1,2,3,4,5,6".into());
    let import_n: u64 = arg("--import").and_then(|n| n.parse().ok()).unwrap_or(if small { 10_000 } else { 1_000_000 });
    let run = |n: &str| sections.split(',').any(|s| s.trim() == n);
    let mut kinds = vec![Kind::Sqlite];
    if std::env::var("REGFLOW_PG_URL").is_ok() {
        kinds.push(Kind::Postgres);
    } else {
        eprintln!("SKIPPED: PostgreSQL — set REGFLOW_PG_URL to measure it too");
    }
    kinds.retain(|k| only.as_deref().is_none_or(|o| format!("{k:?}").eq_ignore_ascii_case(o)));
    let (lifecycles, opens, alerts): (usize, Vec<u64>, u64) = if small {
        (40, vec![1_000, 10_000, 100_000], 10_000)
    } else {
        (600, vec![10_000, 100_000, 1_000_000], 100_000)
    };
    println!(
        "regflow engine benchmark ({} scale), {} cores",
        if small { "small" } else { "full" },
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    for kind in kinds {
        println!("\n== {kind:?}");
        if run("1") {
            println!("-- 1. lifecycle commands per second (accept, tax, filing, review, record, issue)");
            for workers in [1usize, 8] {
                // Engine and baseline alternate, three rounds each on fresh databases; the
                // medians are compared (single runs on a shared 2-core machine are noisy).
                let per_worker = (lifecycles / workers).max(1);
                let (mut engine_runs, mut baseline_runs) = (Vec::new(), Vec::new());
                for _ in 0..3 {
                    let db = fresh(kind).await;
                    engine_runs.push(engine_lifecycles(&db, workers, per_worker).await);
                    db.finish().await;
                    let db = fresh(kind).await;
                    baseline_runs.push(baseline_lifecycles(&db, workers, per_worker).await);
                    db.finish().await;
                }
                let median = |v: &mut Vec<f64>| {
                    v.sort_by(f64::total_cmp);
                    v[v.len() / 2]
                };
                let (eng, base) = (median(&mut engine_runs), median(&mut baseline_runs));
                let runs = |v: &[f64]| v.iter().map(|x| format!("{x:.0}")).collect::<Vec<_>>().join("/");
                println!(
                    "   {workers} worker(s): engine {eng:>6.0} cmd/s ({})   baseline {base:>6.0} cmd/s ({})   ratio of medians {:.2}",
                    runs(&engine_runs),
                    runs(&baseline_runs),
                    eng / base
                );
            }
        }
        if run("2") {
            println!("-- 2. one run_due pass: 100 alerts due among N open cases");
            for &n in &opens {
                let db = fresh(kind).await;
                let (idle, passes, rss) = pass_among(&db, n).await;
                db.finish().await;
                let ms: Vec<String> = passes.iter().map(|p| format!("{:.2}", p.as_secs_f64() * 1e3)).collect();
                println!(
                    "   N = {n:>9}: idle pass {:>6.2} ms   passes firing 100 alerts each [{}] ms   RSS growth {:>6} KiB",
                    idle.as_secs_f64() * 1e3,
                    ms.join(", "),
                    rss
                );
            }
        }
        if run("3") {
            println!("-- 3. alert firing throughput: {alerts} alerts due at once");
            for watchers in [1usize, 8] {
                let db = fresh(kind).await;
                let (rate, calls, distinct, left) = throughput(&db, alerts, watchers).await;
                db.finish().await;
                let left = if left { "   SOME LEFT DUE after every call returned" } else { "" };
                println!(
                    "   {watchers} watcher(s): {rate:>8.0} alerts/s   delivered {calls}, distinct {distinct}{left}"
                );
            }
        }
        if run("4") {
            println!(
                "-- 4. watcher firing latency on the system clock (5 alerts 2 s apart, then 3 tries at one due as it is armed)"
            );
            for elsewhere in [false, true] {
                let db = fresh(kind).await;
                let t = latency(&db, elsewhere).await;
                db.finish().await;
                let fmt: Vec<String> = t.after_due.iter().map(|ms| format!("{ms:.1}")).collect();
                let by = if elsewhere { "another engine (as another process)" } else { "the watcher's engine" };
                println!("   armed by {by}: latency after due [{}] ms", fmt.join(", "));
                let late: Vec<String> = t
                    .already_due
                    .iter()
                    .map(|(returned, sent, due)| {
                        let note = if *due { "" } else { " (not yet due at commit)" };
                        format!("{returned:.1} after the command returned, {sent:.1} after it was sent{note}")
                    })
                    .collect();
                println!("   already due when armed: received [{}] ms", late.join("; "));
                println!(
                    "   passes while idle for 10 s: {} (max_idle 5 s); passes in all: {}",
                    t.idle_passes, t.passes
                );
            }
        }
        if run("5") {
            println!("-- 5. lifecycle commands per second in batches (execute_all), 3 interleaved rounds");
            let sizes = [1usize, 10, 100];
            let mut runs: Vec<Vec<f64>> = vec![Vec::new(); sizes.len()];
            for _ in 0..3 {
                for (i, &size) in sizes.iter().enumerate() {
                    let db = fresh(kind).await;
                    runs[i].push(batched_lifecycles(&db, lifecycles / 2, size).await);
                    db.finish().await;
                }
            }
            let medians: Vec<f64> = runs
                .iter_mut()
                .map(|v| {
                    v.sort_by(f64::total_cmp);
                    v[v.len() / 2]
                })
                .collect();
            for (i, size) in sizes.iter().enumerate() {
                let all = runs[i].iter().map(|x| format!("{x:.0}")).collect::<Vec<_>>().join("/");
                println!(
                    "   batch of {size:>3}: {:>7.0} cmd/s ({all})   {:.2}x single commands",
                    medians[i],
                    medians[i] / medians[0]
                );
            }
        }
        if run("6") {
            println!("-- 6. import of {import_n} historical cases (JSON lines, batches of 1,000)");
            let db = fresh(kind).await;
            let (secs, rss) = import_rate(&db, import_n).await;
            db.finish().await;
            println!("   {secs:.1} s, {:.0} cases/s; resident memory grew {rss} KiB", import_n as f64 / secs);
        }
    }
}
