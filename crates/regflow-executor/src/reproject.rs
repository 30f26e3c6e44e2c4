//! Loading a calendar at run time (SPEC 2.1): the load is stored as the new head, then every
//! open case whose deadlines reach into a year the load changed is re-projected, each
//! change recorded in its history.

use regflow_process::{decide, Actor, CaseId, Command, Context, State};
use std::collections::HashSet;

use crate::calendar::{span_of, CalendarLoad, LoadMode};
use crate::clock::micros;
use crate::engine::{detached, Engine, Written};
use crate::error::Result;
use crate::mapping::case_from_row;
use crate::store::Conn;

/// What loading a calendar changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reprojection {
    /// The stored load: the new calendar's version, who, when, which years changed.
    pub load: CalendarLoad,
    /// Open cases examined: those whose deadlines reach into a changed year.
    pub examined: usize,
    /// Cases whose deadlines moved (or became firm), each with a `reproject` history entry.
    pub moved: Vec<CaseId>,
}

impl Engine {
    /// Loads calendar text (`date,kind,name,source`) by merging it by year into the
    /// calendar in force: each year the text covers is replaced by the text's lines for it,
    /// every other year stays (SPEC 2.1). So next year's schedule is loaded on its own.
    /// Then re-projects the open cases whose deadlines reach into a year that changed.
    ///
    /// `by` must be a supervisor (or the engine's system actor); the load is stored with
    /// who made it and when ([`Engine::calendar_loads`]), and every engine on the database
    /// computes with it from its next transaction on.
    ///
    /// # Errors
    /// [`crate::Error::Refused`] `invalid_calendar` naming the line, or `forbidden_role`;
    /// nothing changes then. [`crate::Error::Database`] when the database fails midway:
    /// cases re-projected before stay re-projected (256 to a transaction), and loading the
    /// same text again finishes the rest.
    #[tracing::instrument(name = "regflow.load_calendar", skip_all, fields(by = %by.id()))]
    pub async fn load_calendar(&self, by: &Actor, csv: &str) -> Result<Reprojection> {
        self.load_with(by, csv, LoadMode::Merge).await
    }

    /// Replaces the whole calendar with the text: years it does not cover become
    /// uncovered (their deadlines provisional). Otherwise as [`Engine::load_calendar`].
    ///
    /// # Errors
    /// As [`Engine::load_calendar`].
    #[tracing::instrument(name = "regflow.replace_calendar", skip_all, fields(by = %by.id()))]
    pub async fn replace_calendar(&self, by: &Actor, csv: &str) -> Result<Reprojection> {
        self.load_with(by, csv, LoadMode::Replace).await
    }

    async fn load_with(&self, by: &Actor, csv: &str, mode: LoadMode) -> Result<Reprojection> {
        let (load, _, _) = self.store_load(by, csv, mode).await?;
        self.finish_load(load).await
    }

    /// Finishes every calendar load whose re-projection did not finish (a process that
    /// loaded it died half-way): re-projects the open cases its changed years touch and
    /// marks it finished. Engines call it when they are built and in their watcher; it is
    /// safe to run anywhere at any time (re-projecting a case twice changes nothing).
    ///
    /// # Errors
    /// [`crate::Error::Database`] when the database fails; what was done stays done.
    pub async fn finish_calendar_loads(&self) -> Result<Vec<Reprojection>> {
        let mut db = self.inner.db.acquire().await?;
        let rows = db.conn().unfinished_calendar_loads().await?;
        let mut done = Vec::with_capacity(rows.len());
        for row in &rows {
            let load = crate::calendar::load_of(row)?;
            tracing::info!(seq = load.seq, "finishing an interrupted calendar load");
            done.push(self.finish_load(load).await?);
        }
        Ok(done)
    }

    /// Re-projects what `load` changed and marks it finished.
    async fn finish_load(&self, mut load: CalendarLoad) -> Result<Reprojection> {
        let changed = load.changed_years.iter().copied().collect();
        let (examined, moved) = match span_of(&changed) {
            Some((from, to)) => self.reproject_span(from, to).await?,
            None => (0, Vec::new()),
        };
        if !changed.is_empty() {
            // The register's lapses move with the calendar too (SPEC 13.4).
            self.rearm_register_timers().await?;
        }
        let (seq, at) = (i64::try_from(load.seq).unwrap_or(i64::MAX), self.now());
        let engine = self.clone();
        detached(async move {
            let mut pooled = engine.inner.db.acquire().await?;
            pooled.conn().finish_calendar_load(seq, micros(at)).await
        })
        .await?;
        load.reprojected_at = Some(at);
        Ok(Reprojection { load, examined, moved })
    }

    /// Re-projects the open cases whose clocks reach into `[from, to)`; returns how many
    /// were examined and which moved.
    async fn reproject_span(&self, from: i64, to: i64) -> Result<(usize, Vec<CaseId>)> {
        // A command whose transaction began before the load committed may still commit a
        // case computed with the old calendar after the first listing: list again until a
        // listing brings no case not yet examined. Cases accepted after the load carry the
        // new calendar already and re-project to no change.
        let mut examined: HashSet<String> = HashSet::new();
        let mut moved = Vec::new();
        loop {
            let engine = self.clone();
            let listed = detached(async move {
                let mut pooled = engine.inner.db.acquire().await?;
                pooled.conn().cases_with_clocks_between(from, to, State::Suspended.as_str()).await
            })
            .await?;
            let fresh: Vec<String> = listed.into_iter().filter(|id| !examined.contains(id)).collect();
            if fresh.is_empty() {
                break;
            }
            for chunk in fresh.chunks(REPROJECT_BATCH) {
                moved.extend(self.reproject_batch(chunk).await?);
            }
            examined.extend(fresh);
        }
        if !moved.is_empty() {
            self.timers_changed();
        }
        moved.sort();
        Ok((examined.len(), moved))
    }

    /// Re-projects a batch in its own transaction. Another writer may change one of its
    /// cases meanwhile (a command, or another engine finishing the same load): the batch is
    /// then decided again on the cases as they are now.
    async fn reproject_batch(&self, chunk: &[String]) -> Result<Vec<CaseId>> {
        let mut attempts = 0;
        loop {
            let (engine, ids) = (self.clone(), chunk.to_vec());
            let out = detached(async move {
                let mut tx = engine.inner.writes.begin_write().await?;
                let out = engine.reproject_on(&mut tx.conn(), &ids).await;
                tx.finish(out).await
            })
            .await;
            match out {
                Err(e) if e.code() == Some(regflow_process::ErrorCode::Conflict) && attempts < 20 => attempts += 1,
                other => return other,
            }
        }
    }

    /// Re-projects a batch of cases in one transaction with the calendar head as the
    /// transaction sees it; returns those whose deadlines moved.
    async fn reproject_on(&self, conn: &mut Conn<'_>, ids: &[String]) -> Result<Vec<CaseId>> {
        let calendar = self.calendar_on(conn).await?;
        let rows = conn.load_cases(ids).await?;
        let mut work = Vec::new();
        for row in &rows {
            let case = case_from_row(row)?;
            let actor = Actor::system(case.centre().clone());
            // A centre this engine does not serve keeps its hours and settings elsewhere:
            // the engine that serves it re-projects its cases (on start, `finish_calendar_loads`).
            let Ok(centre) = self.context_centre(case.centre()) else {
                tracing::warn!(case = %case.id(), centre = %case.centre(), "not re-projected: centre not served here");
                continue;
            };
            let ctx = Context {
                now: self.now().max(case.updated_at()),
                actor: &actor,
                centre,
                calendar: &calendar,
                policies: self.policies(),
                catalogue: self.catalogue(),
                case_id: case.id(),
                register: None,
                expected_version: None,
                captured_at: None,
                certificate: None,
            };
            // A case whose state takes no re-projection (it finished meanwhile) is skipped.
            if let Ok(decision) = decide(Some(&case), &Command::Reproject, &ctx) {
                if !decision.events.is_empty() {
                    work.push((row, case, decision));
                }
            }
        }
        let written: Vec<Written<'_>> = work
            .iter()
            .map(|(row, case, d)| Written {
                before: Some(row),
                before_case: Some(case),
                fired: &[],
                case: &d.case,
                events: &d.events,
            })
            .collect();
        self.persist(conn, &written).await?;
        Ok(work.iter().map(|(_, c, _)| c.id().clone()).collect())
    }
}

/// Cases re-projected per transaction.
const REPROJECT_BATCH: usize = 256;
