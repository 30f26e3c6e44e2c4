//! What a centre asks every day: a case with its history, work queues, an applicant's
//! cases (我的业务), the overdue list; and the integrity check of SPEC 6.

use chrono::{DateTime, Utc};
use regflow_process::{Case, CaseId, CentreId, ClockKind, Role};
use serde::{Deserialize, Serialize};

use crate::chain;
use crate::clock::micros;
use crate::engine::{with_store, Engine};
use crate::error::Result;
use crate::mapping::{case_from_row, entry_from_row, HistoryEntry};
use crate::store::{CaseRow, Conn, EventRow, Store};

/// A case with its whole history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseView {
    /// The case as stored.
    pub case: Case,
    /// Every history entry in order.
    pub history: Vec<HistoryEntry>,
}

/// One overdue running case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overdue {
    /// The case.
    pub case: Case,
    /// The clocks that have run out, promise first.
    pub clocks: Vec<ClockKind>,
}

/// What verification found wrong with a case's stored history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum Tampering {
    /// An entry's hash does not match its body: the entry was edited.
    Edited {
        /// The entry's sequence number.
        seq: u64,
    },
    /// An entry does not follow the one before it: entries were deleted or reordered.
    Broken {
        /// The entry's sequence number.
        seq: u64,
    },
    /// The history ends before the case's version: trailing entries were deleted.
    Truncated {
        /// The case's version.
        version: u64,
        /// Entries found.
        found: u64,
    },
    /// Replaying the history does not give the stored case.
    ReplayMismatch,
}

/// The result of verifying a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    /// The case verified.
    pub case_id: CaseId,
    /// Entries checked.
    pub entries: u64,
    /// Everything found wrong; empty when the history is intact.
    pub problems: Vec<Tampering>,
}

impl Verification {
    /// Whether the history is intact.
    pub fn is_intact(&self) -> bool {
        self.problems.is_empty()
    }
}

fn cases(rows: Vec<CaseRow>) -> Result<Vec<Case>> {
    rows.iter().map(case_from_row).collect()
}

/// The states and task a role's work queue holds.
fn queue_of(role: Role) -> (&'static [&'static str], Option<&'static str>) {
    match role {
        Role::Clerk => (&["pre_review", "recorded"], None),
        Role::Reviewer => (&["accepted"], None),
        Role::Registrar => (&["reviewed"], None),
        Role::Supervisor => (&["suspended"], None),
        Role::TaxOfficer => (&["accepted", "reviewed", "suspended"], Some("tax")),
        Role::TransactionOfficer => (&["accepted", "reviewed", "suspended"], Some("transaction_filing")),
        _ => (&[], None),
    }
}

impl Engine {
    /// A case with its history, or `None`.
    ///
    /// # Errors
    /// [`crate::Error::Database`] or [`crate::Error::Corrupt`].
    pub async fn case(&self, id: &CaseId) -> Result<Option<CaseView>> {
        with_store!(self, s => {
            let mut conn = s.pool().acquire().await?;
            view_on(s, &mut conn, id.as_str()).await
        })
    }

    /// A case's history in order.
    ///
    /// # Errors
    /// [`crate::Error::Database`] or [`crate::Error::Corrupt`].
    pub async fn history(&self, id: &CaseId) -> Result<Vec<HistoryEntry>> {
        Ok(self.case(id).await?.map(|v| v.history).unwrap_or_default())
    }

    /// The work queue of `role` at `centre`: green channel and military first, then the
    /// earliest promise deadline, then the earliest acceptance (SPEC 5.2).
    ///
    /// Clerks see online applications to pre-review and recorded cases to issue;
    /// reviewers accepted cases; registrars reviewed ones; supervisors suspended ones; tax
    /// and transaction officers the running cases whose task is pending or failed.
    ///
    /// # Errors
    /// [`crate::Error::Database`] or [`crate::Error::Corrupt`].
    pub async fn work_queue(&self, centre: &CentreId, role: Role, limit: usize) -> Result<Vec<Case>> {
        let (states, task) = queue_of(role);
        if states.is_empty() {
            return Ok(Vec::new());
        }
        let rows = with_store!(self, s => {
            let mut conn = s.pool().acquire().await?;
            queue_on(s, &mut conn, centre.as_str(), states, task, limit as i64).await?
        });
        cases(rows)
    }

    /// An applicant's cases, open and finished, newest first (我的业务).
    ///
    /// # Errors
    /// [`crate::Error::Database`] or [`crate::Error::Corrupt`].
    pub async fn cases_of_applicant(&self, id_number: &str) -> Result<Vec<Case>> {
        let id = id_number.trim().to_ascii_uppercase();
        let rows = with_store!(self, s => {
            let mut conn = s.pool().acquire().await?;
            party_on(s, &mut conn, &id).await?
        });
        cases(rows)
    }

    /// Running (not suspended) cases whose promise or statutory deadline passed before
    /// `now`, optionally of one centre.
    ///
    /// # Errors
    /// [`crate::Error::Database`] or [`crate::Error::Corrupt`].
    pub async fn overdue(&self, centre: Option<&CentreId>, now: DateTime<Utc>) -> Result<Vec<Overdue>> {
        let rows = with_store!(self, s => {
            let mut conn = s.pool().acquire().await?;
            overdue_on(s, &mut conn, centre.map(|c| c.as_str()), micros(now)).await?
        });
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let case = case_from_row(row)?;
            let mut clocks = Vec::new();
            if row.promise_due_at.is_some_and(|t| t < micros(now)) {
                clocks.push(ClockKind::Promise);
            }
            if row.statutory_due_at.is_some_and(|t| t < micros(now)) {
                clocks.push(ClockKind::Statutory);
            }
            out.push(Overdue { case, clocks });
        }
        Ok(out)
    }

    /// Verifies a case's history: every hash, every link, the count against the case's
    /// version, and that replaying the events gives the stored case.
    ///
    /// # Errors
    /// [`crate::Error::Refused`] `case_not_found`; [`crate::Error::Database`].
    pub async fn verify(&self, id: &CaseId) -> Result<Verification> {
        let (row, events) = with_store!(self, s => {
            let mut conn = s.pool().acquire().await?;
            raw_on(s, &mut conn, id.as_str()).await?
        });
        let Some(row) = row else {
            return Err(regflow_process::Refusal::new(
                regflow_process::ErrorCode::CaseNotFound,
                format!("no case `{id}`"),
            )
            .into());
        };
        Ok(verify_rows(id, &row, &events))
    }
}

pub(crate) fn verify_rows(id: &CaseId, row: &CaseRow, events: &[EventRow]) -> Verification {
    let mut problems = Vec::new();
    let mut prev = chain::GENESIS.to_owned();
    for (i, e) in events.iter().enumerate() {
        let seq = e.seq as u64;
        if chain::link(&e.prev_hash, &e.body) != e.hash {
            problems.push(Tampering::Edited { seq });
        }
        if e.prev_hash != prev || seq != i as u64 + 1 {
            problems.push(Tampering::Broken { seq });
        }
        prev = e.hash.clone();
    }
    let version = row.version as u64;
    if events.len() as u64 != version || prev != row.head_hash {
        problems.push(Tampering::Truncated {
            version,
            found: events.len() as u64,
        });
    }
    let replayed = events
        .iter()
        .map(entry_from_row)
        .collect::<Result<Vec<_>>>()
        .ok()
        .and_then(|entries| Case::replay(entries.iter().map(|e| &e.event)).ok());
    let stored = case_from_row(row).ok();
    if replayed.is_none() || replayed != stored {
        problems.push(Tampering::ReplayMismatch);
    }
    Verification {
        case_id: id.clone(),
        entries: events.len() as u64,
        problems,
    }
}

async fn view_on<S: Store>(_s: &S, conn: &mut Conn<S>, id: &str) -> Result<Option<CaseView>> {
    let Some(row) = S::load_case(conn, id).await? else {
        return Ok(None);
    };
    let history = S::history(conn, id)
        .await?
        .iter()
        .map(entry_from_row)
        .collect::<Result<Vec<_>>>()?;
    Ok(Some(CaseView {
        case: case_from_row(&row)?,
        history,
    }))
}

async fn raw_on<S: Store>(_s: &S, conn: &mut Conn<S>, id: &str) -> Result<(Option<CaseRow>, Vec<EventRow>)> {
    let row = S::load_case(conn, id).await?;
    let events = S::history(conn, id).await?;
    Ok((row, events))
}

async fn queue_on<S: Store>(
    _s: &S,
    conn: &mut Conn<S>,
    centre: &str,
    states: &[&str],
    task: Option<&str>,
    limit: i64,
) -> Result<Vec<CaseRow>> {
    S::queue(conn, centre, states, task, limit).await
}

async fn party_on<S: Store>(_s: &S, conn: &mut Conn<S>, id: &str) -> Result<Vec<CaseRow>> {
    S::cases_of_party(conn, id).await
}

async fn overdue_on<S: Store>(_s: &S, conn: &mut Conn<S>, centre: Option<&str>, now: i64) -> Result<Vec<CaseRow>> {
    S::overdue(conn, centre, now).await
}
