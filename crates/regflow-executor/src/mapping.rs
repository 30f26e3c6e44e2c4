//! Between process types and stored rows.

use regflow_process::catalogue::Catalogue;
use regflow_process::{Case, Event, Promise, Timer};
use serde::{Deserialize, Serialize};

use crate::chain;
use crate::clock::{from_micros, micros};
use crate::error::{Error, Result};
use crate::store::{CaseRow, EventRow, TimerRow};

/// The timer name of a public notice's automatic resumption.
/// One entry of a case's stored history: the event and its place in the hash chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// The event.
    pub event: Event,
    /// The hash of the previous entry (all zeros for the first).
    pub prev_hash: String,
    /// SHA-256 over `prev_hash` and this entry's stored body.
    pub hash: String,
}

pub(crate) fn case_row(case: &Case, catalogue: &Catalogue, head_hash: &str) -> Result<CaseRow> {
    let intake = case.intake();
    let unit_effect = catalogue.get(case.kind().as_str()).and_then(|k| k.unit_effect).map(|e| e.as_str().to_owned());
    let pending_task_bits = case
        .tasks()
        .iter()
        .filter(|(_, s)| **s != regflow_process::case::TaskStatus::Succeeded)
        .fold(0, |bits, (t, _)| bits | t.bit());
    let deadlines = case.deadlines();
    let completion = case.completion();
    Ok(CaseRow {
        id: case.id().to_string(),
        centre: case.centre().to_string(),
        kind: case.kind().to_string(),
        category: intake.category.as_str().to_owned(),
        channel: intake.channel.as_str().to_owned(),
        priority: intake.priority.as_str().to_owned(),
        priority_class: i64::from(intake.priority.class()),
        unit: intake.unit.to_string(),
        unit_effect,
        state: case.state().as_str().to_owned(),
        is_open: i64::from(!case.state().is_terminal()),
        instant: i64::from(case.acceptance().is_some_and(|a| a.clocks.promise() == Promise::Instant)),
        pending_task_bits,
        accepted_at: case.acceptance().map(|a| micros(a.at)),
        promise_due_at: deadlines.map(|d| micros(d.promise.due_at)),
        statutory_due_at: deadlines.map(|d| micros(d.statutory.due_at)),
        provisional: i64::from(deadlines.is_some_and(|d| d.provisional())),
        recorded_at: case.recorded_at().map(micros),
        completed_at: completion.map(|c| micros(c.at)),
        working_days_used: completion.map(|c| i64::from(c.working_days_used)),
        on_time: completion.map(|c| i64::from(c.on_time)),
        within_statute: completion.map(|c| i64::from(c.within_statute)),
        extended_days: case.extensions().iter().map(|e| i64::from(e.days)).sum(),
        suspensions: i64::from(case.suspension_count()),
        rating: case.evaluation().map(|e| i64::from(e.rating)),
        version: case.version() as i64,
        head_hash: head_hash.to_owned(),
        body: serde_json::to_string(case).map_err(Error::encode("a case"))?,
        created_at: micros(case.created_at()),
        updated_at: micros(case.updated_at()),
    })
}

pub(crate) fn case_from_row(row: &CaseRow) -> Result<Case> {
    serde_json::from_str(&row.body).map_err(|e| Error::Corrupt(format!("case {}: {e}", row.id)))
}

/// Chains events after `prev_hash`.
pub(crate) fn chain_events(events: &[Event], mut prev_hash: String) -> Result<(Vec<EventRow>, Vec<HistoryEntry>)> {
    let mut rows = Vec::with_capacity(events.len());
    let mut entries = Vec::with_capacity(events.len());
    for e in events {
        let body = serde_json::to_string(e).map_err(Error::encode("an event"))?;
        let hash = chain::link(&prev_hash, &body);
        rows.push(EventRow {
            case_id: e.case_id.to_string(),
            seq: e.seq as i64,
            at: micros(e.at),
            command: e.command.as_str().to_owned(),
            actor: e.actor.to_string(),
            body,
            prev_hash: prev_hash.clone(),
            hash: hash.clone(),
        });
        entries.push(HistoryEntry { event: e.clone(), prev_hash, hash: hash.clone() });
        prev_hash = hash;
    }
    Ok((rows, entries))
}

pub(crate) fn entry_from_row(row: &EventRow) -> Result<HistoryEntry> {
    let event = serde_json::from_str(&row.body)
        .map_err(|e| Error::Corrupt(format!("event {}#{}: {e}", row.case_id, row.seq)))?;
    Ok(HistoryEntry { event, prev_hash: row.prev_hash.clone(), hash: row.hash.clone() })
}

/// The timer rows of the timers a case wants armed.
pub(crate) fn timer_rows(case: &Case) -> Vec<TimerRow> {
    let id = case.id().to_string();
    case.timers()
        .iter()
        .map(|t| TimerRow { case_id: id.clone(), timer: t.key().to_owned(), due_at: micros(t.at) })
        .collect()
}

/// The timer a stored row stands for (`None` for a key this version does not know).
pub(crate) fn timer_of(row: &TimerRow) -> Option<Timer> {
    Timer::from_key(&row.timer, from_micros(row.due_at))
}
