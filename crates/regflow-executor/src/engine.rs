//! The [`Engine`]: cases kept in a database, every command one transaction.

use chrono::{DateTime, Utc};
use regflow_process::catalogue::Catalogue;
use regflow_process::{
    decide, unit_to_check, Actor, Calendar, Case, CaseId, Centre, CentreId, Command, Context, ErrorCode, PlannedAlert,
    PolicyTimeline, Refusal,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};
use tokio::sync::watch;

use crate::chain;
use crate::clock::{micros, Clock, SystemClock};
use crate::error::{Error, Result};
use crate::mapping::{case_from_row, case_row, chain_events, timer_rows, HistoryEntry};
use crate::store::{CaseRow, CaseUpdate, Changes, Conn, Counts, IdempotencyScope, TimerRow};
use crate::store::{Database, MigrationMode};
use std::collections::HashSet;

/// The calendar an engine last read, with the load it came from (0: none loaded).
#[derive(Debug, Clone)]
pub(crate) struct CalendarHead {
    pub(crate) seq: i64,
    pub(crate) calendar: Calendar,
}

/// A command addressed to the engine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    /// The case; `None` lets a creating command (`apply`, `accept`, `handle_instantly`)
    /// open a case under a fresh UUID.
    pub case_id: Option<CaseId>,
    /// Who issues it.
    pub actor: Actor,
    /// What is asked.
    pub command: Command,
    /// Refuse with `conflict` unless the case is still at this version (the number of its
    /// events when the caller read it).
    pub expected_version: Option<u64>,
    /// For commands from outside systems: a repeat with the same key from the same actor of
    /// the same centre returns the first result and applies nothing twice. The same key
    /// from anyone else is another request.
    pub idempotency_key: Option<String>,
    /// When the command was captured, if it was taken offline and is committed now (at
    /// most 30 days before; recorded on its event beside the commit time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub captured_at: Option<DateTime<Utc>>,
}

impl Request {
    /// A command to a new case.
    pub fn new(actor: Actor, command: Command) -> Request {
        Request { case_id: None, actor, command, expected_version: None, idempotency_key: None, captured_at: None }
    }

    /// A command to the case `id`.
    pub fn to(id: &CaseId, actor: Actor, command: Command) -> Request {
        Request { case_id: Some(id.clone()), ..Request::new(actor, command) }
    }

    /// Guards the command with the version the caller read.
    pub fn expecting(mut self, version: u64) -> Request {
        self.expected_version = Some(version);
        self
    }

    /// Records when an offline command was captured.
    pub fn captured(mut self, at: DateTime<Utc>) -> Request {
        self.captured_at = Some(crate::clock::to_micros(at));
        self
    }

    /// Sets the idempotency key.
    pub fn idempotent(mut self, key: impl Into<String>) -> Request {
        self.idempotency_key = Some(key.into());
        self
    }
}

/// The result of a command that was applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Executed {
    /// The case after the command.
    pub case: Case,
    /// The history entries the command appended.
    pub entries: Vec<HistoryEntry>,
    /// The alerts armed from now on.
    pub alerts: Vec<PlannedAlert>,
    /// True when this is the stored result of an earlier request with the same key.
    pub repeated: bool,
    /// The register entries written with it: the ends that were due on the unit, then the
    /// entry of its own event (SPEC 13.1).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub register: Vec<regflow_process::register::Entry>,
}

pub(crate) struct Inner {
    /// Where reads go, and what the embedding application sees.
    pub(crate) db: Database,
    /// Where write transactions go ([`Database::writer`]).
    pub(crate) writes: Database,
    /// The calendar head this engine last read (see `calendar.rs`).
    pub(crate) calendar: RwLock<CalendarHead>,
    /// The calendar while the database holds no load.
    pub(crate) base_calendar: Calendar,
    pub(crate) policies: PolicyTimeline,
    pub(crate) catalogue: Catalogue,
    pub(crate) centres: BTreeMap<CentreId, Centre>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) timers_changed: watch::Sender<u64>,
    pub(crate) due_passes: std::sync::atomic::AtomicU64,
    /// The name this engine holds delivery leases in (see `delivery.rs`).
    pub(crate) delivery_owner: String,
    /// Per consumer, the turn this engine's delivery passes take.
    pub(crate) delivery_turns: std::sync::Mutex<std::collections::HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// The centres' signing keys (see `certificates.rs`).
    pub(crate) keys: crate::certificate_work::Keys,
}

/// regflow's engine. Cheap to clone; every clone shares the pool and settings.
#[derive(Clone)]
pub struct Engine {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("database", &self.inner.db)
            .field("calendar", &self.calendar().version())
            .field("centres", &self.inner.centres.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// Builds an [`Engine`].
#[must_use]
pub struct EngineBuilder {
    source: Source,
    pool_size: Option<u32>,
    migrations: MigrationMode,
    calendar: Option<Calendar>,
    policies: PolicyTimeline,
    catalogue: Catalogue,
    clock: Arc<dyn Clock>,
    centres: Vec<Centre>,
    keys: Vec<(CentreId, crate::signing::SigningKey)>,
}

impl EngineBuilder {
    fn from_source(source: Source) -> EngineBuilder {
        EngineBuilder {
            source,
            pool_size: None,
            migrations: MigrationMode::Apply,
            calendar: None,
            policies: PolicyTimeline::builtin(),
            catalogue: Catalogue::builtin(),
            clock: Arc::new(SystemClock),
            centres: Vec::new(),
            keys: Vec::new(),
        }
    }
}

/// Where the engine's database comes from.
enum Source {
    Url(String),
    Pool(Database),
}

impl EngineBuilder {
    /// The most connections the engine opens to a database given by URL (default: 8 for
    /// an SQLite file, 1 for an in-memory one, 16 for PostgreSQL). A host's pool keeps its
    /// own size.
    pub fn pool_size(mut self, connections: u32) -> Self {
        self.pool_size = Some(connections.max(1));
        self
    }

    /// Whether to apply regflow's migrations on connect (default: apply).
    pub fn migrations(mut self, mode: MigrationMode) -> Self {
        self.migrations = mode;
        self
    }

    /// The calendar to compute with while the database holds no loaded calendar (default:
    /// the built-in 2016–2026 schedules). Once a calendar is loaded into the database
    /// ([`Engine::load_calendar`]), every engine on it computes with the newest load.
    pub fn calendar(mut self, calendar: Calendar) -> Self {
        self.calendar = Some(calendar);
        self
    }

    /// The policy timeline (default: the built-in Xining history).
    pub fn policies(mut self, policies: PolicyTimeline) -> Self {
        self.policies = policies;
        self
    }

    /// The kind catalogue (default: the 14 built-in kinds).
    pub fn catalogue(mut self, catalogue: Catalogue) -> Self {
        self.catalogue = catalogue;
        self
    }

    /// The clock (default: the system clock).
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Adds a centre (default: one centre `default` at Asia/Shanghai, closing 18:00).
    pub fn centre(mut self, centre: Centre) -> Self {
        self.centres.push(centre);
        self
    }

    /// The key `centre` signs its certificates with (SPEC 15.1). A centre without one
    /// signs with an SM2 key made for this process only (logged), whose public half is
    /// stored like any other: certificates stay verifiable, but the next process signs
    /// with another key.
    pub fn signing_key(mut self, centre: CentreId, key: crate::signing::SigningKey) -> Self {
        self.keys.push((centre, key));
        self
    }

    /// Connects, migrates and returns the engine.
    ///
    /// # Errors
    /// [`Error::UnsupportedUrl`], [`Error::Database`] or [`Error::Migrate`].
    pub async fn build(self) -> Result<Engine> {
        let db = match self.source {
            Source::Url(url) => Database::connect_sized(&url, self.pool_size, self.migrations).await?,
            Source::Pool(db) => {
                if self.migrations == MigrationMode::Apply {
                    db.migrate().await?;
                }
                db
            }
        };
        let mut centres: BTreeMap<CentreId, Centre> = self.centres.into_iter().map(|c| (c.id.clone(), c)).collect();
        if centres.is_empty() {
            let c = Centre::new("default");
            centres.insert(c.id.clone(), c);
        }
        let base_calendar = self.calendar.unwrap_or_else(Calendar::builtin);
        let writes = db.writer().await?;
        let engine = Engine {
            inner: Arc::new(Inner {
                db,
                writes,
                calendar: RwLock::new(CalendarHead { seq: 0, calendar: base_calendar.clone() }),
                base_calendar,
                policies: self.policies,
                catalogue: self.catalogue,
                centres,
                clock: self.clock,
                timers_changed: watch::channel(0).0,
                due_passes: std::sync::atomic::AtomicU64::new(0),
                delivery_owner: uuid::Uuid::new_v4().to_string(),
                delivery_turns: std::sync::Mutex::default(),
                keys: crate::certificate_work::Keys::default(),
            }),
        };
        for (centre, key) in self.keys {
            engine.use_signing_key(&centre, key).await?;
        }
        engine.current_calendar().await?;
        // A load another process cut off half-way is finished before this engine works.
        engine.finish_calendar_loads().await?;
        Ok(engine)
    }
}

/// Runs a future that holds a transaction to its end in its own task, whatever becomes of
/// the caller.
pub(crate) async fn detached<T: Send + 'static>(
    fut: impl std::future::Future<Output = Result<T>> + Send + 'static,
) -> Result<T> {
    tokio::spawn(fut).await?
}

impl Engine {
    /// Starts building an engine on `url`: `sqlite://path.db`, `sqlite::memory:` or
    /// `postgres://user@host/db`.
    pub fn builder(url: impl Into<String>) -> EngineBuilder {
        EngineBuilder::from_source(Source::Url(url.into()))
    }

    /// Starts building an engine on the host application's pool (`Database::Sqlite(pool)`
    /// or `Database::Postgres(pool)`), so regflow shares its connections.
    pub fn builder_on(db: Database) -> EngineBuilder {
        EngineBuilder::from_source(Source::Pool(db))
    }

    /// The policy timeline.
    pub fn policies(&self) -> &PolicyTimeline {
        &self.inner.policies
    }

    /// The policy in force now at `centre` (the engine's first centre when `None`): the
    /// one a case accepted now would bind, which the 办事指南 shows.
    ///
    /// # Errors
    /// `no_policy_in_force` when no policy covers today.
    pub fn policy_now(&self, centre: Option<&CentreId>) -> Result<&regflow_process::Policy> {
        let hours = match centre {
            Some(id) => self.centre(id).map(|c| c.hours),
            None => self.centres().next().map(|c| c.hours),
        };
        Ok(self.inner.policies.in_force_at(self.now(), &hours.unwrap_or_default()).map_err(Refusal::from)?)
    }

    /// The kind catalogue.
    pub fn catalogue(&self) -> &Catalogue {
        &self.inner.catalogue
    }

    /// A configured centre.
    pub fn centre(&self, id: &CentreId) -> Option<&Centre> {
        self.inner.centres.get(id)
    }

    /// The configured centres.
    pub fn centres(&self) -> impl Iterator<Item = &Centre> {
        self.inner.centres.values()
    }

    /// The engine's current instant, to the microsecond (the precision instants are
    /// stored with, so a time read back equals the time written).
    pub fn now(&self) -> DateTime<Utc> {
        crate::clock::to_micros(self.inner.clock.now())
    }

    /// A fresh case id: a UUID whose first 48 bits are the engine's current millisecond
    /// (version 7), the rest random. Ids drawn later sort later, so a new case's rows and
    /// index entries land beside the other recent cases' instead of anywhere in the
    /// B-trees, and the open cases a day's commands touch sit on few pages.
    pub(crate) fn new_case_id(&self) -> CaseId {
        let now = self.inner.clock.now();
        let at = uuid::Timestamp::from_unix(
            uuid::NoContext,
            u64::try_from(now.timestamp()).unwrap_or(0),
            now.timestamp_subsec_nanos(),
        );
        CaseId::new(uuid::Uuid::new_v7(at).to_string())
    }

    /// The database the engine keeps its cases in (its pool), for the embedding
    /// application's own transactions ([`Engine::execute_in_sqlite`],
    /// [`Engine::execute_in_postgres`]).
    pub fn database(&self) -> &Database {
        &self.inner.db
    }

    /// The SQLite pool, when the engine runs on SQLite.
    #[cfg(feature = "sqlite")]
    pub fn sqlite_pool(&self) -> Option<&sqlx::SqlitePool> {
        #[allow(unreachable_patterns)]
        match &self.inner.db {
            Database::Sqlite(pool) => Some(pool),
            _ => None,
        }
    }

    /// The PostgreSQL pool, when the engine runs on PostgreSQL.
    #[cfg(feature = "postgres")]
    pub fn postgres_pool(&self) -> Option<&sqlx::PgPool> {
        #[allow(unreachable_patterns)]
        match &self.inner.db {
            Database::Postgres(pool) => Some(pool),
            _ => None,
        }
    }

    /// How many alert passes (`run_due` calls, the watcher's included) this engine has run:
    /// a watcher that is idle runs one per `max_idle`, not in a tight loop.
    pub fn due_passes(&self) -> u64 {
        self.inner.due_passes.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub(crate) fn timers_changed(&self) {
        self.inner.timers_changed.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Runs a command: load, decide, append the events, update the case, re-arm its timers
    /// — all or nothing, in a transaction of its own (on PostgreSQL a command with no
    /// idempotency key and no unit to lock is written in one statement that guards itself,
    /// without a transaction).
    ///
    /// # Errors
    /// [`Error::Refused`] with the rule's code (including `conflict` for a lost race and
    /// `case_not_found`); [`Error::Database`] when the database fails. Nothing is written.
    #[tracing::instrument(name = "regflow.execute", skip_all, fields(command = %req.command.name(), case = ?req.case_id, actor = %req.actor.id()))]
    pub async fn execute(&self, req: Request) -> Result<Executed> {
        // The transaction runs in a task of its own, so a caller that drops this future
        // (a timeout, a disconnected client) cannot cut it in half: it commits or rolls
        // back whole, and the connection goes back to the pool clean.
        let engine = self.clone();
        let out = detached(async move { engine.execute_tx(&req).await }).await;
        if let Err(e) = &out {
            tracing::debug!(error = %e, "command not applied");
        }
        out
    }

    async fn execute_tx(&self, req: &Request) -> Result<Executed> {
        let out = self.execute_tx_once(req).await;
        // A refused query writes its line of the query log, and nothing else (SPEC 15.2).
        if let Err(Error::Refused(refusal)) = &out {
            self.log_refused_query(req, refusal).await?;
        }
        out
    }

    async fn execute_tx_once(&self, req: &Request) -> Result<Executed> {
        if let Some(done) = self.execute_alone(req).await? {
            if !done.entries.is_empty() {
                self.timers_changed();
            }
            return Ok(done);
        }
        let mut tx = self.inner.writes.begin_write().await?;
        let out = self.execute_on(&mut tx.conn(), req).await;
        let done = tx.finish(out).await?;
        if !done.entries.is_empty() {
            self.timers_changed();
        }
        Ok(done)
    }

    /// Runs a command with no idempotency key and no unit to lock without a transaction,
    /// where the backend writes a command in one statement that is all or nothing by itself
    /// (PostgreSQL, see `Sql::write_combined`): the case is read, decided on and written in
    /// two round trips instead of four or more, the write checking the version read (or,
    /// for a new case, that its id is free) as the transaction's would. `None` when the
    /// command needs the transaction; nothing was written then.
    async fn execute_alone(&self, req: &Request) -> Result<Option<Executed>> {
        // Recording and instant handling may lock their unit (see `regflow_process::unit_to_check`, checked
        // again below once the case is read).
        if !self.inner.writes.writes_in_one_statement()
            || req.idempotency_key.is_some()
            || matches!(req.command, Command::Record | Command::HandleInstantly { .. } | Command::IssueCertificate)
        {
            return Ok(None);
        }
        let mut pooled = self.inner.writes.acquire().await?;
        let mut conn = pooled.conn();
        let read = self.read_for(&mut conn, req).await?;
        if unit_to_check(&self.inner.catalogue, read.case.as_ref(), &req.command).is_some() {
            return Ok(None);
        }
        // One case's few rows always fit one statement (`fits_one_statement`).
        let calendar = self.calendar_at(&mut conn, read.head).await?;
        Ok(Some(self.decide_and_write(&mut conn, req, &read, &calendar, None, None).await?))
    }

    /// Reads the case `req` names, with the calendar head, in one round trip (a new id,
    /// given or drawn, reads the head alone).
    async fn read_for(&self, conn: &mut Conn<'_>, req: &Request) -> Result<ReadCase> {
        let (case_id, found) = match &req.case_id {
            Some(id) => (id.clone(), conn.load_case_with_head(id.as_str()).await?),
            None => (self.new_case_id(), None),
        };
        let (row, head) = match found {
            Some(found) => (Some(found.row), found.calendar_head),
            None => (None, conn.calendar_head().await?.unwrap_or(0)),
        };
        let case = row.as_ref().map(case_from_row).transpose()?;
        Ok(ReadCase { case_id, row, case, head })
    }

    /// Decides `req` on the case as read and writes the decision (see [`Engine::persist`]),
    /// with the register entries it writes on the unit opened for it.
    async fn decide_and_write(
        &self,
        conn: &mut Conn<'_>,
        req: &Request,
        read: &ReadCase,
        calendar: &Calendar,
        unit: Option<crate::unit_work::UnitWork>,
        certificate: Option<crate::certificate_work::Planned>,
    ) -> Result<Executed> {
        let centre = self.context_centre(req.actor.centre())?;
        let mut ctx = self.context(req, centre, calendar, &read.case_id, unit.as_ref().map(|u| &u.register));
        ctx.certificate = certificate.as_ref().map(|c| &c.reference);
        let decision = decide(read.case.as_ref(), &req.command, &ctx)?;
        let written = Written {
            before: read.row.as_ref(),
            before_case: read.case.as_ref(),
            fired: &[],
            case: &decision.case,
            events: &decision.events,
        };
        let entries = self.persist(conn, &[written]).await?.pop().unwrap_or_default();
        let register = match unit {
            Some(work) => {
                // A case that ended here unrecorded no longer holds an advance notice.
                let ended =
                    (decision.case.state().is_terminal() && decision.entries.is_empty()).then(|| decision.case.id());
                // A recording of a kind that issues a certificate gives its number (SPEC 15.1).
                let numbered = matches!(req.command, Command::Record)
                    .then(|| self.inner.catalogue.get(decision.case.kind().as_str()))
                    .flatten()
                    .and_then(|k| regflow_process::register::CertificateType::of(k.produces));
                let outcome = crate::unit_work::CaseOutcome { ended, numbered };
                self.write_entries(conn, work, &decision.entries, outcome, centre, calendar).await?
            }
            None => Vec::new(),
        };
        if let Some(planned) = certificate {
            self.store_certificate(conn, decision.case.id(), planned).await?;
        }
        // A query's decisions go to the query log; its answer is certified (SPEC 15.2).
        self.write_query_log(conn, &centre.id, decision.query_log).await?;
        if let Some(answer) = &decision.answer {
            self.store_answer(conn, centre, decision.case.id(), answer).await?;
        }
        Ok(Executed { case: decision.case, entries, alerts: decision.alerts, repeated: false, register })
    }

    /// Runs a command inside the embedding application's own SQLite transaction (or on a
    /// plain connection): regflow's writes commit or roll back with the caller's.
    ///
    /// # Errors
    /// As [`Engine::execute`]; on error the caller should roll its transaction back.
    #[cfg(feature = "sqlite")]
    pub async fn execute_in_sqlite(&self, conn: &mut sqlx::SqliteConnection, req: Request) -> Result<Executed> {
        let done = self.execute_on(&mut Conn::Sqlite(conn), &req).await?;
        self.timers_changed();
        Ok(done)
    }

    /// Runs a command inside the embedding application's own PostgreSQL transaction.
    ///
    /// # Errors
    /// As [`Engine::execute`]; on error the caller should roll its transaction back.
    #[cfg(feature = "postgres")]
    pub async fn execute_in_postgres(&self, conn: &mut sqlx::PgConnection, req: Request) -> Result<Executed> {
        let done = self.execute_on(&mut Conn::Postgres(conn), &req).await?;
        self.timers_changed();
        Ok(done)
    }

    pub(crate) fn context_centre(&self, id: &CentreId) -> Result<&Centre> {
        self.inner.centres.get(id).ok_or_else(|| {
            Error::Refused(Refusal::new(ErrorCode::WrongCentre, format!("centre `{id}` is not served by this engine")))
        })
    }

    pub(crate) async fn execute_on(&self, conn: &mut Conn<'_>, req: &Request) -> Result<Executed> {
        let request_hash = match &req.idempotency_key {
            Some(key) => {
                let hash = chain::digest(
                    &serde_json::to_string(&(&req.case_id, req.actor.id(), &req.command))
                        .map_err(Error::encode("a request"))?,
                );
                let (centre, actor) = (req.actor.centre().as_str(), req.actor.id().as_str());
                if let Some((stored, result)) = conn.idempotency_get(centre, actor, key).await? {
                    if stored != hash {
                        return Err(Refusal::new(
                            ErrorCode::IdempotencyKeyReused,
                            format!("idempotency key `{key}` was used for a different command: send a new key"),
                        )
                        .into());
                    }
                    let mut first: Executed = serde_json::from_str(&result)
                        .map_err(|e| Error::Corrupt(format!("idempotency key `{key}`: {e}")))?;
                    first.repeated = true;
                    return Ok(first);
                }
                Some(hash)
            }
            None => None,
        };
        let read = self.read_for(conn, req).await?;
        let calendar = self.calendar_at(conn, read.head).await?;
        let unit = self.open_unit_for(conn, req, read.case.as_ref(), &calendar).await?;
        let certificate = self.plan_certificate(conn, req, read.case.as_ref(), &calendar).await?;
        let done = self.decide_and_write(conn, req, &read, &calendar, unit, certificate).await?;
        if let (Some(key), Some(hash)) = (&req.idempotency_key, request_hash) {
            let result = serde_json::to_string(&done).map_err(Error::encode("a command's result"))?;
            let scope = IdempotencyScope {
                centre: req.actor.centre().as_str(),
                actor: req.actor.id().as_str(),
                key,
                case_id: read.case_id.as_str(),
                request_hash: &hash,
            };
            if !conn.idempotency_put(&scope, &result, micros(self.now())).await? {
                return Err(Error::conflict(read.case_id.as_str()));
            }
        }
        Ok(done)
    }

    /// What `decide` sees of a request, now.
    pub(crate) fn context<'a>(
        &'a self,
        req: &'a Request,
        centre: &'a Centre,
        calendar: &'a Calendar,
        case_id: &'a CaseId,
        register: Option<&'a regflow_process::register::UnitRegister>,
    ) -> Context<'a> {
        Context {
            now: self.now(),
            actor: &req.actor,
            centre,
            calendar,
            policies: &self.inner.policies,
            catalogue: &self.inner.catalogue,
            case_id,
            register,
            expected_version: req.expected_version,
            captured_at: req.captured_at,
            certificate: None,
        }
    }

    /// Opens the unit `req` records on (see [`regflow_process::unit_to_check`]): read now,
    /// checked again when its entries are written, so the check and the recording cannot
    /// interleave with another transaction's. `None` when the command records nothing or
    /// the actor's centre is not served (`decide` refuses it then).
    pub(crate) async fn open_unit_for(
        &self,
        conn: &mut Conn<'_>,
        req: &Request,
        case: Option<&Case>,
        calendar: &Calendar,
    ) -> Result<Option<crate::unit_work::UnitWork>> {
        let Some(check) = unit_to_check(&self.inner.catalogue, case, &req.command) else {
            return Ok(None);
        };
        // The register is the case's centre's (a foreign actor is refused by `decide`).
        let centre_id = case.map_or_else(|| req.actor.centre(), |c| c.centre());
        let Ok(centre) = self.context_centre(centre_id) else { return Ok(None) };
        if case.is_some_and(|c| c.centre() != req.actor.centre()) {
            return Ok(None);
        }
        Ok(Some(self.open_unit(conn, centre, &check.unit, calendar, self.now()).await?))
    }

    /// Writes decisions: for each case, its events chained after its head and its row
    /// guarded by the version it was read at; new cases, updates, events and timers each in
    /// one multi-row statement (or a few, for thousands of rows). Returns each change's
    /// history entries, in the order of `changes`.
    pub(crate) async fn persist(&self, conn: &mut Conn<'_>, changes: &[Written<'_>]) -> Result<Vec<Vec<HistoryEntry>>> {
        let mut all_rows = Vec::new();
        let mut per_change = Vec::with_capacity(changes.len());
        let (mut drop, mut arm) = (Vec::new(), Vec::new());
        let (mut inserts, mut updates) = (Vec::new(), Vec::new());
        let mut parties: Vec<(&str, &str)> = Vec::new();
        let mut first_id = None;
        for w in changes {
            if w.events.is_empty() {
                per_change.push(Vec::new());
                continue;
            }
            let prev = w.before.map_or_else(|| chain::GENESIS.to_owned(), |b| b.head_hash.clone());
            let (rows, entries) = chain_events(w.events, prev)?;
            let head = entries.last().map(|e| e.hash.clone()).unwrap_or_default();
            let row = case_row(w.case, &self.inner.catalogue, &head)?;
            let id = w.case.id().as_str();
            first_id.get_or_insert(id);
            match w.before {
                None => {
                    inserts.push(row);
                    parties.extend(w.case.intake().applicants.iter().map(|a| (a.id.as_str(), id)));
                }
                Some(b) => updates.push(CaseUpdate::new(b, row)),
            }
            all_rows.extend(rows);
            per_change.push(entries);
            // Only what changed: timers armed before and no longer wanted are dropped,
            // new ones armed. Untouched rows are never locked, so concurrent watchers
            // working on other timers of the same table do not wait on each other.
            let wanted: HashSet<TimerRow> = timer_rows(w.case).into_iter().collect();
            let had: HashSet<TimerRow> = w.before_case.map(timer_rows).unwrap_or_default().into_iter().collect();
            drop.extend(had.difference(&wanted).filter(|t| !w.fired.contains(t)).cloned());
            arm.extend(wanted.difference(&had).cloned());
        }
        let changes = Changes {
            cases: &inserts,
            parties: &parties,
            updates: &updates,
            events: &all_rows,
            drop: &drop,
            arm: &arm,
        };
        let counts = conn.write_changes(&changes).await?;
        let asked =
            Counts { created: inserts.len() as u64, updated: updates.len() as u64, appended: all_rows.len() as u64 };
        if counts != asked {
            return Err(Error::conflict(first_id.unwrap_or("")));
        }
        if crate::wake::worth_waking(self.now(), arm.iter().map(|t| t.due_at)) {
            conn.notify_timers().await?;
        }
        Ok(per_change)
    }
}

/// A command's case as read: its id, the row and the case (`None` for a new one), and the
/// calendar head seen with them.
struct ReadCase {
    case_id: CaseId,
    row: Option<CaseRow>,
    case: Option<Case>,
    head: i64,
}

/// One case's decided change, ready to be written.
pub(crate) struct Written<'a> {
    /// The row as read (`None` for a new case).
    pub(crate) before: Option<&'a CaseRow>,
    /// The case as read.
    pub(crate) before_case: Option<&'a Case>,
    /// Timers fired by this change (marked fired, not dropped).
    pub(crate) fired: &'a [TimerRow],
    /// The case after the events.
    pub(crate) case: &'a Case,
    /// The events to append.
    pub(crate) events: &'a [regflow_process::Event],
}
