//! The register in the executor (SPEC 13): a command that records on a unit locks its
//! centre's chain head, loads the unit's entries, writes the ends already due (13.3),
//! lets `decide` plan its entry, and appends what was decided in the same transaction as
//! its event — one event, one entry; a crash leaves both or neither. The watcher settles
//! units whose rights end by themselves; queries read pages now or as of any instant.

use chrono::{DateTime, Utc};
use regflow_process::identifier::UnitNumber;
use regflow_process::register::entry::holders;
use regflow_process::register::{Entry, EntryDraft, UnitPage, UnitRegister};
use regflow_process::PartyRole;
use regflow_process::{Calendar, CaseId, Centre, CentreId};
use serde::Serialize;

use crate::chain;
use crate::clock::micros;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::store::{Conn, EntryRow};
use crate::unit_work::{CaseOutcome, UnitWork};

/// The body an entry's hash covers: every field but the hash.
#[derive(Serialize)]
struct Body<'a> {
    id: &'a str,
    seq: u64,
    centre: &'a CentreId,
    #[serde(flatten)]
    draft: &'a EntryDraft,
    event: Option<u64>,
}

/// An entry as stored, read back; `Corrupt` when its body does not parse.
pub(crate) fn entry_from_row(row: &EntryRow) -> Result<Entry> {
    let mut entry: Entry = serde_json::from_str(&row.body)
        .map_err(|e| Error::Corrupt(format!("register entry {}.{}: {e}", row.centre, row.seq)))?;
    entry.hash.clone_from(&row.hash);
    Ok(entry)
}

/// The stored form of entry `seq` chained after `prev_hash`.
pub(crate) fn chained(
    centre: &CentreId,
    seq: u64,
    draft: &EntryDraft,
    event: Option<u64>,
    prev_hash: &str,
) -> Result<(EntryRow, Entry)> {
    let id = Entry::id_of(centre, seq);
    let body = serde_json::to_string(&Body { id: &id, seq, centre, draft, event })
        .map_err(Error::encode("a register entry"))?;
    let hash = chain::link(prev_hash, &body);
    let row = EntryRow {
        centre: centre.to_string(),
        seq: seq as i64,
        unit: draft.unit.to_string(),
        case_id: draft.case.as_ref().map(|c| c.to_string()),
        entry_type: draft.content.entry_type().as_str().to_owned(),
        recorded_at: micros(draft.recorded_at),
        body,
        prev_hash: prev_hash.to_owned(),
        hash: hash.clone(),
    };
    let entry = Entry { id, seq, centre: centre.clone(), draft: draft.clone(), event, hash };
    Ok((row, entry))
}

/// Folds rows of one unit (`Corrupt` when they do not fit together).
fn fold(
    unit: &UnitNumber,
    entries: &[Entry],
    centre: &Centre,
    calendar: &Calendar,
    at: Option<DateTime<Utc>>,
) -> Result<UnitRegister> {
    let clock = centre.legal_clock(calendar);
    let drafts = entries.iter().map(|e| (e.seq, &e.draft));
    let folded = match at {
        Some(at) => UnitRegister::rebuild_as_of(unit.clone(), drafts, at, &clock),
        None => UnitRegister::rebuild(unit.clone(), drafts, &clock),
    };
    folded.map_err(|e| Error::Corrupt(format!("register of unit {unit} at centre {}: {e}", centre.id)))
}

impl Engine {
    /// Reads `centre`'s register head and `unit` and writes nothing yet: the ends due by
    /// `now` are planned and applied, to be written first by [`Engine::write_entries`],
    /// which locks the head and checks the unit is still as read.
    pub(crate) async fn open_unit(
        &self,
        conn: &mut Conn<'_>,
        centre: &Centre,
        unit: &UnitNumber,
        calendar: &Calendar,
        now: DateTime<Utc>,
    ) -> Result<UnitWork> {
        let (head_seq, head_hash) = conn.register_head(centre.id.as_str(), chain::GENESIS, false).await?;
        let rows = conn.unit_entries(centre.id.as_str(), unit.as_str()).await?;
        let unit_last = rows.last().map_or(0, |r| r.seq as u64);
        let entries = rows.iter().map(entry_from_row).collect::<Result<Vec<_>>>()?;
        let mut register = fold(unit, &entries, centre, calendar, None)?;
        // Holds only put ends off: without them, no end means no timer was ever armed.
        let armed = register.next_end().is_some();
        self.hold_notices(conn, centre, &mut register).await?;
        let clock = centre.legal_clock(calendar);
        let lapses = register
            .settle(now, head_seq as u64 + 1, &clock)
            .map_err(|e| Error::Corrupt(format!("register of unit {unit}: {e}")))?;
        Ok(UnitWork {
            centre: centre.id.clone(),
            head_seq: head_seq as u64,
            head_hash,
            unit_last,
            armed,
            register,
            lapses,
        })
    }

    /// Advance notices wait for the open cases they secure (SPEC 13.4).
    async fn hold_notices(&self, conn: &mut Conn<'_>, centre: &Centre, register: &mut UnitRegister) -> Result<()> {
        if register.advance_notices().is_empty() {
            return Ok(());
        }
        for row in conn.open_cases_on_unit(centre.id.as_str(), register.unit().as_str()).await? {
            let case = crate::mapping::case_from_row(&row)?;
            if self.catalogue().get(case.kind().as_str()).is_some_and(|k| k.secures_advance_notice()) {
                let obligees = holders(&case.intake().applicants, PartyRole::Obligee);
                register.hold_for(case.id(), &obligees, case.created_at());
            }
        }
        Ok(())
    }

    /// Appends the work's ends due and the decided entries (each with the `seq` of the event
    /// that wrote it), moves the centre's head, and re-arms the unit's timer at its next end.
    /// Returns the entries written.
    pub(crate) async fn write_entries(
        &self,
        conn: &mut Conn<'_>,
        work: UnitWork,
        decided: &[(u64, EntryDraft)],
        outcome: CaseOutcome<'_>,
        centre: &Centre,
        calendar: &Calendar,
    ) -> Result<Vec<Entry>> {
        let CaseOutcome { ended, numbered } = outcome;
        let UnitWork { centre: centre_id, head_seq, head_hash, unit_last, armed, mut register, mut lapses } = work;
        let clock = centre.legal_clock(calendar);
        // The head is locked only now, so a centre's recordings take turns for their
        // appends alone; one that wrote on this unit since it was read wins.
        let (head_seq, head_hash) = match conn.relock_head(centre_id.as_str()).await? {
            Some((seq, hash)) if seq as u64 != head_seq => {
                if conn.unit_last_seq(centre_id.as_str(), register.unit().as_str()).await? as u64 != unit_last {
                    return Err(Error::conflict(register.unit().as_str()));
                }
                (seq as u64, hash)
            }
            _ => (head_seq, head_hash),
        };
        if let Some(case) = ended.filter(|_| register.holds()) {
            let now = self.now();
            register.release_case(case, now);
            let first = head_seq + lapses.len() as u64 + 1;
            let freed = register.settle(now, first, &clock).map_err(|e| Error::Corrupt(format!("register: {e}")))?;
            lapses.extend(freed);
        }
        let numbered_drafts;
        let decided = match numbered {
            Some(kind) => {
                let mut drafts = decided.to_vec();
                let first = head_seq + lapses.len() as u64 + 1;
                self.number_entries(conn, centre, kind, &mut drafts, first).await?;
                numbered_drafts = drafts;
                &numbered_drafts[..]
            }
            None => decided,
        };
        let mut rows = Vec::new();
        let mut written = Vec::new();
        let mut prev = head_hash;
        let mut seq = head_seq;
        let with_events = lapses.iter().map(|d| (None, d)).chain(decided.iter().map(|(ev, d)| (Some(*ev), d)));
        for (event, draft) in with_events {
            seq += 1;
            if event.is_some() {
                register
                    .apply(seq, draft, &clock)
                    .map_err(|e| Error::Corrupt(format!("decided entry does not apply: {e}")))?;
            }
            let (row, entry) = chained(&centre_id, seq, draft, event, &prev)?;
            prev.clone_from(&row.hash);
            rows.push(row);
            written.push(entry);
        }
        if !rows.is_empty() && !conn.append_entries(centre_id.as_str(), head_seq as i64, &rows).await? {
            return Err(Error::conflict(register.unit().as_str()));
        }
        // One report per target, queued with the entry (SPEC 14.1).
        self.queue_reports(conn, centre, &written).await?;
        let next = register.next_end().map(|(at, _)| at);
        if armed || next.is_some() {
            conn.arm_register_timer(centre_id.as_str(), register.unit().as_str(), next.map(micros)).await?;
        }
        if crate::wake::worth_waking(self.now(), next.map(micros)) {
            conn.notify_timers().await?;
        }
        Ok(written)
    }

    /// Settles the units whose register timers are due strictly before `now` (up to
    /// `limit`): each end is written once, at its due instant, however many engines run.
    /// Returns how many timers it claimed and the entries written.
    pub(crate) async fn settle_due_units(
        &self,
        conn: &mut Conn<'_>,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<(usize, Vec<Entry>)> {
        let timers = conn.claim_register_timers(micros(now), limit, micros(now)).await?;
        let mut out = Vec::new();
        if timers.is_empty() {
            return Ok((0, out));
        }
        let claimed = timers.len();
        let calendar = self.calendar_on(conn).await?;
        for t in timers {
            let centre_id = CentreId::new(t.centre.as_str());
            let Ok(centre) = self.context_centre(&centre_id) else {
                // Another engine serves that centre: leave the timer to it.
                conn.arm_register_timer(&t.centre, &t.unit, Some(t.due_at)).await?;
                continue;
            };
            let unit = UnitNumber::parse(&t.unit).map_err(|e| Error::Corrupt(format!("register timer: {e}")))?;
            let work = self.open_unit(conn, centre, &unit, &calendar, now).await?;
            out.extend(self.write_entries(conn, work, &[], CaseOutcome::default(), centre, &calendar).await?);
        }
        Ok((claimed, out))
    }

    /// Re-arms every unit's register timer with the calendar in force (after a load moved
    /// the days a lapse's last day moves off), writing the ends already due.
    pub(crate) async fn rearm_register_timers(&self) -> Result<usize> {
        let engine = self.clone();
        crate::engine::detached(async move {
            let mut tx = engine.inner.writes.begin_write().await?;
            let out = engine.rearm_on(&mut tx.conn()).await;
            tx.finish(out).await
        })
        .await
    }

    async fn rearm_on(&self, conn: &mut Conn<'_>) -> Result<usize> {
        let armed = conn.armed_register_units().await?;
        let calendar = self.calendar_on(conn).await?;
        let now = self.now();
        let mut n = 0;
        for t in armed {
            let Ok(centre) = self.context_centre(&CentreId::new(t.centre.as_str())) else { continue };
            let unit = UnitNumber::parse(&t.unit).map_err(|e| Error::Corrupt(format!("register timer: {e}")))?;
            let work = self.open_unit(conn, centre, &unit, &calendar, now).await?;
            self.write_entries(conn, work, &[], CaseOutcome::default(), centre, &calendar).await?;
            n += 1;
        }
        Ok(n)
    }

    /// The unit page of `unit` at `centre` (SPEC 13.5), as of `at` (`None`: now).
    ///
    /// # Errors
    /// `wrong_centre` for a centre the engine does not serve; [`Error::Database`];
    /// [`Error::Corrupt`] when the stored entries do not fold.
    pub async fn unit_page(&self, centre: &CentreId, unit: &UnitNumber, at: Option<DateTime<Utc>>) -> Result<UnitPage> {
        let centre = self.context_centre(centre)?;
        let at = at.unwrap_or_else(|| self.now());
        let mut db = self.inner.db.acquire().await?;
        let mut conn = db.conn();
        let rows = conn.unit_entries(centre.id.as_str(), unit.as_str()).await?;
        let entries = rows.iter().map(entry_from_row).collect::<Result<Vec<_>>>()?;
        let calendar = self.calendar_on(&mut conn).await?;
        let clock = centre.legal_clock(&calendar);
        let drafts = entries.iter().filter(|e| e.draft.recorded_at <= at).map(|e| (e.seq, &e.draft));
        let mut register = UnitRegister::rebuild(unit.clone(), drafts, &clock)
            .map_err(|e| Error::Corrupt(format!("register of unit {unit} at centre {}: {e}", centre.id)))?;
        self.hold_notices(&mut conn, centre, &mut register).await?;
        Ok(register.as_of(at, &clock).page(at, &centre.hours))
    }

    /// The units of `centre` whose register entries name the identifier `id` (as an owner,
    /// a holder, a mortgagor…), in order: where 我的不动产 looks.
    ///
    /// # Errors
    /// [`Error::Database`] or [`Error::Corrupt`].
    pub async fn units_naming(&self, centre: &CentreId, id: &str) -> Result<Vec<UnitNumber>> {
        let mut db = self.inner.db.acquire().await?;
        let rows = db.conn().units_naming(centre.as_str(), id).await?;
        rows.into_iter()
            .map(|(u,)| UnitNumber::parse(&u).map_err(|e| Error::Corrupt(format!("register unit `{u}`: {e}"))))
            .collect()
    }

    /// The entries of `unit` at `centre`, in `seq` order.
    ///
    /// # Errors
    /// `wrong_centre`; [`Error::Database`] or [`Error::Corrupt`].
    pub async fn unit_entries(&self, centre: &CentreId, unit: &UnitNumber) -> Result<Vec<Entry>> {
        self.context_centre(centre)?;
        let mut db = self.inner.db.acquire().await?;
        let rows = db.conn().unit_entries(centre.as_str(), unit.as_str()).await?;
        rows.iter().map(entry_from_row).collect()
    }

    /// The entries a case's events wrote, in `seq` order.
    ///
    /// # Errors
    /// [`Error::Database`] or [`Error::Corrupt`].
    pub async fn case_entries(&self, case: &CaseId) -> Result<Vec<Entry>> {
        let mut db = self.inner.db.acquire().await?;
        let rows = db.conn().case_entries(case.as_str()).await?;
        rows.iter().map(entry_from_row).collect()
    }

    /// The entries `case`'s events wrote; only a recorded or completed case has any, so no
    /// other is read from the database.
    ///
    /// # Errors
    /// [`Error::Database`] or [`Error::Corrupt`].
    pub async fn entries_of(&self, case: &regflow_process::Case) -> Result<Vec<Entry>> {
        use regflow_process::State;
        if !matches!(case.state(), State::Recorded | State::Completed) {
            return Ok(Vec::new());
        }
        self.case_entries(case.id()).await
    }

    /// Every entry of `centre`'s register after `after` (its `seq`), up to `limit`, in order.
    ///
    /// # Errors
    /// [`Error::Database`] or [`Error::Corrupt`].
    pub async fn register_entries(&self, centre: &CentreId, after: u64, limit: u64) -> Result<Vec<Entry>> {
        let mut db = self.inner.db.acquire().await?;
        let rows = db.conn().centre_entries(centre.as_str(), after as i64, limit.min(10_000) as i64).await?;
        rows.iter().map(entry_from_row).collect()
    }
}
