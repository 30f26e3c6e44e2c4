//! Loading a calendar at run time (SPEC 2.1): the new schedule is stored, then every open
//! case whose deadlines it changes is re-projected, each change recorded in its history.

use regflow_process::{decide, Actor, Calendar, CaseId, Command, Context, Refusal};

use crate::clock::micros;
use crate::engine::{detached, with_store, Engine, Written};
use crate::error::{Error, Result};
use crate::mapping::case_from_row;
use crate::store::{Conn, Store};

/// What loading a calendar changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reprojection {
    /// The new calendar's version.
    pub calendar_version: regflow_process::CalendarVersion,
    /// Open cases examined.
    pub examined: usize,
    /// Cases whose deadlines moved (or became firm), each with a `reproject` history entry.
    pub moved: Vec<CaseId>,
}

impl Engine {
    /// Replaces the calendar with CSV text (`date,kind,name,source`) and re-projects the
    /// deadlines of every open case it changes: provisional ones, and ones a revised
    /// schedule moves.
    ///
    /// # Errors
    /// [`Error::Refused`] `invalid_calendar` naming the line; nothing changes then.
    /// [`Error::Database`] when the database fails midway: cases re-projected before stay
    /// re-projected (256 to a transaction), and loading again finishes the rest.
    #[tracing::instrument(name = "regflow.load_calendar", skip_all)]
    pub async fn load_calendar(&self, csv: &str) -> Result<Reprojection> {
        let calendar = Calendar::from_csv(csv).map_err(|e| Error::Refused(Refusal::new(e.code(), e.to_string())))?;
        let (engine, version, text, at) = (
            self.clone(),
            calendar.version().to_string(),
            csv.to_owned(),
            micros(self.now()),
        );
        let ids = detached(async move {
            with_store!(engine, s => {
                let mut tx = s.begin_write().await?;
                save_on(s, &mut tx, &version, &text, at).await?;
                let ids = open_on(s, &mut tx).await?;
                tx.commit().await?;
                Ok(ids)
            })
        })
        .await?;
        *self.inner.calendar.write().expect("calendar lock") = calendar.clone();
        let mut moved = Vec::new();
        for chunk in ids.chunks(REPROJECT_BATCH) {
            let (engine, chunk, cal) = (self.clone(), chunk.to_vec(), calendar.clone());
            let changed = detached(async move {
                with_store!(engine, s => {
                    let mut tx = s.begin_write().await?;
                    match engine.reproject_on(s, &mut tx, &chunk, &cal).await {
                        Ok(changed) => { tx.commit().await?; Ok(changed) }
                        Err(e) => { tx.rollback().await.ok(); Err(e) }
                    }
                })
            })
            .await?;
            moved.extend(changed);
        }
        if !moved.is_empty() {
            self.timers_changed();
        }
        Ok(Reprojection {
            calendar_version: calendar.version().clone(),
            examined: ids.len(),
            moved,
        })
    }

    /// Re-projects a batch of cases in one transaction; returns those whose deadlines moved.
    async fn reproject_on<S: Store>(
        &self,
        _s: &S,
        conn: &mut Conn<S>,
        ids: &[String],
        calendar: &Calendar,
    ) -> Result<Vec<CaseId>> {
        let rows = S::load_cases(conn, ids).await?;
        let mut work = Vec::new();
        for row in &rows {
            let case = case_from_row(row)?;
            let actor = Actor::system(case.centre().clone());
            let ctx = Context {
                now: self.now().max(case.updated_at()),
                actor: &actor,
                centre: self.context_centre(case.centre())?,
                calendar,
                policies: self.policies(),
                catalogue: self.catalogue(),
                case_id: case.id(),
                unit_seized: false,
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
                alerts: &d.alerts,
            })
            .collect();
        self.persist::<S>(conn, &written).await?;
        let mut moved: Vec<CaseId> = work.iter().map(|(_, c, _)| c.id().clone()).collect();
        moved.sort();
        Ok(moved)
    }
}

/// Cases re-projected per transaction.
const REPROJECT_BATCH: usize = 256;

async fn save_on<S: Store>(_s: &S, conn: &mut Conn<S>, version: &str, csv: &str, at: i64) -> Result<()> {
    S::save_calendar(conn, version, csv, at).await
}

async fn open_on<S: Store>(_s: &S, conn: &mut Conn<S>) -> Result<Vec<String>> {
    S::cases_with_clocks(conn).await
}
