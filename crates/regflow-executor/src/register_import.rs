//! `regflow import-register` (SPEC 13.6): a centre's existing register from a JSON-lines
//! file, one unit with its current rights a line. Two passes in (nearly) constant memory:
//! the first checks every line and that its unit has no entries (or was brought in by an
//! earlier run of an import that was stopped), naming each bad line, and writes nothing if one
//! is bad; the second writes batch by batch, each unit whole in one transaction, its
//! lapses and expiries armed. Running it again after a crash skips the units written.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use regflow_process::identifier::UnitNumber;
use regflow_process::register::import::entries_of;
use regflow_process::register::{EntryDraft, UnitRegister};
use regflow_process::{Actor, ErrorCode, Refusal, Role};

use crate::chain;
use crate::clock::micros;
use crate::engine::{detached, Engine};
use crate::error::{BadLine, Error, Result};
use crate::import::{Lines, BAD_LINES_SHOWN};
use crate::register::entry_from_row;

/// What a register import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RegisterImport {
    /// Lines (units) in the file.
    pub units: u64,
    /// Units written now.
    pub imported: u64,
    /// Units found written by an earlier run.
    pub already: u64,
    /// Entries written now.
    pub entries: u64,
}

/// Units per transaction.
const BATCH: usize = 1_000;

fn unit_hash(unit: &UnitNumber) -> u128 {
    let d = chain::digest(unit.as_str());
    u128::from_str_radix(&d[..32], 16).unwrap_or_default()
}

impl Engine {
    /// Imports the register file at `path` into `operator`'s centre (a supervisor).
    ///
    /// # Errors
    /// [`Error::BadRegister`] naming the bad lines (nothing written); `forbidden_role`;
    /// `wrong_centre`; [`Error::Database`]; a file that cannot be read as `invalid_argument`.
    pub async fn import_register(&self, operator: &Actor, path: &Path) -> Result<RegisterImport> {
        if !operator.has(Role::Supervisor) && !operator.has(Role::System) {
            return Err(Refusal::new(ErrorCode::ForbiddenRole, "only a supervisor imports a register").into());
        }
        let centre = self.context_centre(operator.centre())?.clone();
        let calendar = self.current_calendar().await?;
        let clock = centre.legal_clock(&calendar);
        let now = self.now();
        // Pass 1.
        let mut report = RegisterImport::default();
        let (mut bad, mut bad_count) = (Vec::new(), 0u64);
        let mut seen: HashSet<u128> = HashSet::new();
        let mut chunk: Vec<(u64, UnitNumber)> = Vec::with_capacity(BATCH);
        let mut lines = Lines::open(path)?;
        let mut note = |line: u64, message: String, bad: &mut Vec<BadLine>| {
            bad_count += 1;
            if bad.len() < BAD_LINES_SHOWN {
                bad.push(BadLine { line, message });
            }
        };
        loop {
            let next = lines.next().transpose()?;
            let end = next.is_none();
            if let Some((n, text)) = next {
                report.units += 1;
                match text.and_then(|t| entries_of(&t, now, &clock)) {
                    Ok((unit, _)) if !seen.insert(unit_hash(&unit)) => {
                        note(n, format!("unit {unit} appears on an earlier line too: one line a unit"), &mut bad)
                    }
                    Ok((unit, _)) => chunk.push((n, unit)),
                    Err(message) => note(n, message, &mut bad),
                }
            }
            if chunk.len() >= BATCH || (end && !chunk.is_empty()) {
                let states = self.units_written(&centre.id, &chunk).await?;
                for (n, unit) in &chunk {
                    if states.get(unit.as_str()) == Some(&false) {
                        note(
                            *n,
                            format!("unit {unit} has entries in the register already; it cannot be imported"),
                            &mut bad,
                        );
                    }
                }
                chunk.clear();
            }
            if end {
                break;
            }
        }
        if bad_count > 0 {
            return Err(Error::BadRegister { lines: bad, count: bad_count });
        }
        drop(seen);
        // Pass 2.
        let mut lines = Lines::open(path)?;
        let mut batch: Vec<(u64, UnitNumber, Vec<EntryDraft>)> = Vec::with_capacity(BATCH);
        loop {
            let next = lines.next().transpose()?;
            let end = next.is_none();
            if let Some((n, text)) = next {
                let (unit, drafts) = text
                    .and_then(|t| entries_of(&t, now, &clock))
                    .map_err(|message| Error::BadRegister { lines: vec![BadLine { line: n, message }], count: 1 })?;
                batch.push((n, unit, drafts));
            }
            if batch.len() >= BATCH || (end && !batch.is_empty()) {
                let (units, entries) = self.write_import(&centre, &calendar, std::mem::take(&mut batch)).await?;
                report.imported += units;
                report.entries += entries;
            }
            if end {
                break;
            }
        }
        report.already = report.units - report.imported;
        if report.imported > 0 {
            self.timers_changed();
        }
        Ok(report)
    }

    /// For each unit of `chunk` that has entries: `true` when its first entry came from an
    /// import (an earlier run of this one; lapses and later recordings may follow),
    /// `false` when the unit was on the register before.
    async fn units_written(
        &self,
        centre: &regflow_process::CentreId,
        chunk: &[(u64, UnitNumber)],
    ) -> Result<HashMap<String, bool>> {
        let units: Vec<&str> = chunk.iter().map(|(_, u)| u.as_str()).collect();
        let rows = self.inner.db.acquire().await?.conn().entries_of_units(centre.as_str(), &units).await?;
        let mut out: HashMap<String, bool> = HashMap::new();
        // Rows come in `seq` order: the first of each unit decides.
        for row in &rows {
            if !out.contains_key(&row.unit) {
                out.insert(row.unit.clone(), entry_from_row(row)?.draft.history);
            }
        }
        Ok(out)
    }

    /// Writes the units of `batch` that have no entries yet, in one transaction; returns how
    /// many units and entries it wrote.
    async fn write_import(
        &self,
        centre: &regflow_process::Centre,
        calendar: &regflow_process::Calendar,
        batch: Vec<(u64, UnitNumber, Vec<EntryDraft>)>,
    ) -> Result<(u64, u64)> {
        let (engine, centre, calendar) = (self.clone(), centre.clone(), calendar.clone());
        detached(async move {
            let mut tx = engine.inner.writes.begin_write().await?;
            let out = async {
                let mut conn = tx.conn();
                let (head_seq, head_hash) = conn.register_head(centre.id.as_str(), chain::GENESIS, true).await?;
                let units: Vec<&str> = batch.iter().map(|(_, u, _)| u.as_str()).collect();
                let present: HashSet<String> =
                    conn.entries_of_units(centre.id.as_str(), &units).await?.into_iter().map(|r| r.unit).collect();
                let clock = centre.legal_clock(&calendar);
                let (mut seq, mut prev) = (head_seq as u64, head_hash);
                let (mut rows, mut arms, mut written) = (Vec::new(), Vec::new(), 0u64);
                for (n, unit, drafts) in batch.iter().filter(|(_, u, _)| !present.contains(u.as_str())) {
                    let mut register = UnitRegister::empty(unit.clone());
                    for d in drafts {
                        seq += 1;
                        register.apply(seq, d, &clock).map_err(|e| Error::BadRegister {
                            lines: vec![BadLine { line: *n, message: e.to_string() }],
                            count: 1,
                        })?;
                        let (row, _) = crate::register::chained(&centre.id, seq, d, None, &prev)?;
                        prev.clone_from(&row.hash);
                        rows.push(row);
                    }
                    if let Some((at, _)) = register.next_end() {
                        arms.push((unit.to_string(), micros(at)));
                    }
                    written += 1;
                }
                if !rows.is_empty() && !conn.append_entries(centre.id.as_str(), head_seq, &rows).await? {
                    return Err(Error::conflict("the register head"));
                }
                for (unit, due) in &arms {
                    conn.arm_register_timer(centre.id.as_str(), unit, Some(*due)).await?;
                }
                Ok((written, rows.len() as u64))
            }
            .await;
            tx.finish(out).await
        })
        .await
    }
}
