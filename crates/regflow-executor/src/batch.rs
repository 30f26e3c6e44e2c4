//! Batches: many commands in one transaction, for bulk intake and simulations.
//!
//! A batch reads every case it names in one statement, decides each command in memory
//! against the case as the batch's earlier commands left it, and writes each touched case
//! once at the end — its new events, row and timers in a handful of multi-row statements —
//! instead of a transaction per command. Every guarantee of [`Engine::execute`] holds per
//! case: versions guard the rows, the events chain, timers are re-armed exactly once.
//!
//! Two commands need the database in the middle of a batch: one carrying an idempotency
//! key, and one that records on a unit's register (SPEC 13). Before either, what the batch
//! decided so far is written (still inside the transaction), so the database sees it.

use std::collections::HashMap;

use regflow_process::{decide, Case, CaseId, Event};

use crate::engine::{detached, Engine, Executed, Request, Written};
use crate::error::{Error, Result};
use crate::mapping::case_from_row;
use crate::store::{CaseRow, Conn};

/// What a batch does with a command that is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BatchMode {
    /// The first refusal rolls the whole batch back.
    AllOrNothing,
    /// A refused command leaves no trace and gets its refusal in its place; the others
    /// commit together.
    EachOnItsOwn,
}

/// One case as the batch has it: as stored, and as its decided commands leave it.
struct Slot {
    /// The row as read at the start of the batch (or after the last write), `None` for a
    /// case that does not exist yet.
    stored_row: Option<CaseRow>,
    stored_case: Option<Case>,
    /// The case after the batch's commands so far.
    current: Option<Case>,
    /// Events decided and not yet written.
    events: Vec<Event>,
    /// Which requests appended them: (request index, how many events).
    owners: Vec<(usize, usize)>,
}

impl Slot {
    fn new(stored_row: Option<CaseRow>, stored_case: Option<Case>) -> Slot {
        Slot { stored_row, current: stored_case.clone(), stored_case, events: Vec::new(), owners: Vec::new() }
    }
}

/// The batch's working state inside its transaction.
struct Batch<'e> {
    engine: &'e Engine,
    slots: HashMap<CaseId, Slot>,
    results: Vec<Option<Result<Executed>>>,
}

impl Engine {
    /// Runs `requests` in order in one transaction, all or nothing: each command sees what
    /// the batch's earlier commands did (accept a case, then review it); the first one
    /// refused rolls every one back.
    ///
    /// # Errors
    /// [`Error::InBatch`] naming the refused request's index and why; [`Error::Database`].
    /// Nothing is written.
    pub async fn execute_all(&self, requests: Vec<Request>) -> Result<Vec<Executed>> {
        let results = self.run_batch(requests, BatchMode::AllOrNothing).await?;
        results.into_iter().collect()
    }

    /// Runs `requests` in order in one transaction, each on its own: a refused command
    /// leaves no trace and its refusal stands in its place; the others commit together.
    ///
    /// # Errors
    /// [`Error::Database`] (or a `conflict` when another writer changed one of the cases
    /// meanwhile): then nothing is written, and the whole batch may be retried.
    pub async fn execute_each(&self, requests: Vec<Request>) -> Result<Vec<Result<Executed>>> {
        self.run_batch(requests, BatchMode::EachOnItsOwn).await
    }

    async fn run_batch(&self, requests: Vec<Request>, mode: BatchMode) -> Result<Vec<Result<Executed>>> {
        if requests.is_empty() {
            return Ok(Vec::new());
        }
        let engine = self.clone();
        detached(async move {
            let mut tx = engine.inner.writes.begin_write().await?;
            let out = Batch::new(&engine, requests.len()).run(&mut tx.conn(), &requests, mode).await;
            let results = tx.finish(out).await?;
            engine.timers_changed();
            Ok(results)
        })
        .await
    }
}

impl<'e> Batch<'e> {
    fn new(engine: &'e Engine, n: usize) -> Batch<'e> {
        Batch { engine, slots: HashMap::new(), results: (0..n).map(|_| None).collect() }
    }

    async fn run(
        mut self,
        conn: &mut Conn<'_>,
        requests: &[Request],
        mode: BatchMode,
    ) -> Result<Vec<Result<Executed>>> {
        let named: Vec<String> = requests
            .iter()
            .filter_map(|r| r.case_id.as_ref().map(|id| id.as_str().to_owned()))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        self.read(conn, &named).await?;
        let head = conn.calendar_head().await?.unwrap_or(0);
        let calendar = self.engine.calendar_at(conn, head).await?;
        for (i, req) in requests.iter().enumerate() {
            // A case written by an earlier flush is read again: whether the command records
            // on a unit depends on it.
            if let Some(id) = req.case_id.as_ref().filter(|id| !self.slots.contains_key(*id)) {
                self.read(conn, &[id.as_str().to_owned()]).await?;
            }
            let outcome = if req.idempotency_key.is_some() || self.needs_flush(req) {
                self.flush(conn).await?;
                self.through_database(conn, req, mode).await?
            } else {
                self.in_memory(conn, i, req, &calendar).await?
            };
            match outcome {
                Outcome::Done(done) => self.results[i] = Some(Ok(*done)),
                Outcome::Pending => {}
                Outcome::Refused(e) if mode == BatchMode::AllOrNothing => {
                    return Err(Error::InBatch { index: i, source: Box::new(e) })
                }
                Outcome::Refused(e) => self.results[i] = Some(Err(e)),
            }
        }
        self.flush(conn).await?;
        Ok(self.results.into_iter().map(|r| r.expect("every request has a result once the batch is written")).collect())
    }

    /// Reads the named cases that are not in a slot yet, in one statement per thousand.
    async fn read(&mut self, conn: &mut Conn<'_>, ids: &[String]) -> Result<()> {
        let missing: Vec<String> =
            ids.iter().filter(|id| !self.slots.contains_key(&CaseId::new(id.as_str()))).cloned().collect();
        for chunk in missing.chunks(1000) {
            let rows = conn.load_cases(chunk).await?;
            let mut found: HashMap<String, CaseRow> = rows.into_iter().map(|r| (r.id.clone(), r)).collect();
            for id in chunk {
                let row = found.remove(id);
                let case = row.as_ref().map(case_from_row).transpose()?;
                self.slots.insert(CaseId::new(id.as_str()), Slot::new(row, case));
            }
        }
        Ok(())
    }

    /// Whether `req` reads or records on a unit's register, or writes the query log: it
    /// goes through the database (its unit read there), which must see the batch's earlier
    /// commands first.
    fn needs_flush(&self, req: &Request) -> bool {
        let current = req.case_id.as_ref().and_then(|id| self.slots.get(id)).and_then(|s| s.current.as_ref());
        regflow_process::unit_to_check(self.engine.catalogue(), current, &req.command).is_some()
            || matches!(req.command, regflow_process::Command::DeferQuery { .. })
    }

    /// Decides `req` against the batch's copy of its case; the writes wait for the flush.
    async fn in_memory(
        &mut self,
        conn: &mut Conn<'_>,
        index: usize,
        req: &Request,
        calendar: &regflow_process::Calendar,
    ) -> Result<Outcome> {
        let engine = self.engine;
        let case_id = match &req.case_id {
            Some(id) => {
                if !self.slots.contains_key(id) {
                    self.read(conn, &[id.as_str().to_owned()]).await?;
                }
                id.clone()
            }
            None => {
                let id = engine.new_case_id();
                self.slots.insert(id.clone(), Slot::new(None, None));
                id
            }
        };
        let centre = match engine.context_centre(req.actor.centre()) {
            Ok(c) => c,
            Err(e) => return Ok(Outcome::Refused(e)),
        };
        let current = self.slots[&case_id].current.clone();
        // Commands that record on a unit go through the database (`needs_flush`).
        let ctx = engine.context(req, centre, calendar, &case_id, None);
        let decision = match decide(current.as_ref(), &req.command, &ctx) {
            Ok(d) => d,
            Err(refusal) => return Ok(Outcome::Refused(refusal.into())),
        };
        let slot = self.slots.get_mut(&case_id).expect("read above");
        slot.owners.push((index, decision.events.len()));
        slot.events.extend(decision.events);
        slot.current = Some(decision.case.clone());
        self.results[index] = Some(Ok(Executed {
            case: decision.case,
            entries: Vec::new(),
            alerts: decision.alerts,
            repeated: false,
            register: Vec::new(),
        }));
        Ok(Outcome::Pending)
    }

    /// Runs `req` as [`Engine::execute`] would, inside the batch's transaction; on its own
    /// (a savepoint) when refusals are kept apart.
    async fn through_database(&mut self, conn: &mut Conn<'_>, req: &Request, mode: BatchMode) -> Result<Outcome> {
        if let Some(id) = &req.case_id {
            // The database is the truth for this case from now on.
            self.slots.remove(id);
        }
        if mode == BatchMode::AllOrNothing {
            return Ok(match self.engine.execute_on(conn, req).await {
                Ok(done) => Outcome::Done(Box::new(done)),
                Err(e @ Error::Refused(_)) => Outcome::Refused(e),
                Err(e) => return Err(e),
            });
        }
        conn.savepoint().await?;
        match self.engine.execute_on(conn, req).await {
            Ok(done) => {
                conn.release_savepoint().await?;
                Ok(Outcome::Done(Box::new(done)))
            }
            Err(e @ Error::Refused(_)) => {
                conn.rollback_to_savepoint().await?;
                Ok(Outcome::Refused(e))
            }
            Err(e) => Err(e),
        }
    }

    /// Writes what was decided and not yet written; the written cases are read afresh when
    /// a later command names them.
    async fn flush(&mut self, conn: &mut Conn<'_>) -> Result<()> {
        let dirty: Vec<(&CaseId, &Slot)> = self.slots.iter().filter(|(_, s)| !s.events.is_empty()).collect();
        if dirty.is_empty() {
            return Ok(());
        }
        let written: Vec<Written<'_>> = dirty
            .iter()
            .map(|(_, s)| Written {
                before: s.stored_row.as_ref(),
                before_case: s.stored_case.as_ref(),
                fired: &[],
                case: s.current.as_ref().expect("a slot with events has a case"),
                events: &s.events,
            })
            .collect();
        let entries = self.engine.persist(conn, &written).await?;
        let owners: Vec<(CaseId, Vec<(usize, usize)>)> =
            dirty.iter().map(|(id, s)| ((*id).clone(), s.owners.clone())).collect();
        for ((id, owners), entries) in owners.into_iter().zip(entries) {
            let mut entries = entries.into_iter();
            for (index, count) in owners {
                if let Some(Some(Ok(done))) = self.results.get_mut(index) {
                    done.entries = entries.by_ref().take(count).collect();
                }
            }
            self.slots.remove(&id);
        }
        Ok(())
    }
}

/// What became of one request.
enum Outcome {
    /// Applied and written.
    Done(Box<Executed>),
    /// Decided; written at the next flush.
    Pending,
    /// Refused; nothing of it is written.
    Refused(Error),
}
