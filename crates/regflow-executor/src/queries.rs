//! What a centre asks every day: a case with its history, work queues, an applicant's
//! cases (我的业务), the overdue list; and the integrity check of SPEC 6.

use chrono::{DateTime, Utc};
use regflow_process::{
    Actor, Case, CaseId, Centre, CentreId, ClockKind, Detail, ErrorCode, PartyId, Refusal, Role, State, WorkQueue,
};
use serde::{Deserialize, Serialize};

use crate::chain;
use crate::clock::micros;
use crate::engine::Engine;
use crate::error::Result;
use crate::mapping::{case_from_row, case_row, entry_from_row, HistoryEntry};
use crate::store::{CaseRow, EventRow, QueueKey};
use regflow_process::catalogue::Catalogue;

/// The largest work-queue page.
pub const MAX_PAGE: usize = 1000;

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
    /// A column of a history entry disagrees with the entry's hashed body (the columns are
    /// derived from it, so an edit of any of them is caught).
    EventColumn {
        /// The entry's sequence number.
        seq: u64,
        /// The column.
        column: String,
    },
    /// A column of the case row that queues, reports or the overdue list read disagrees
    /// with the case its history replays to.
    CaseColumn {
        /// The column.
        column: String,
    },
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

/// Where the next page of a work queue starts: opaque text a client hands back as it got
/// it (`class.due.since.id`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct QueueCursor(String);

impl QueueCursor {
    fn of(key: &QueueKey) -> QueueCursor {
        QueueCursor(format!("{}.{}.{}.{}", key.priority_class, key.promise_due_at, key.since, key.id))
    }

    /// Reads a cursor a client handed back.
    ///
    /// # Errors
    /// `invalid_argument` naming `cursor` when the text is not a cursor this engine gave.
    pub fn parse(text: &str) -> Result<QueueCursor> {
        QueueCursor(text.to_owned()).key().map(|_| QueueCursor(text.to_owned()))
    }

    /// The cursor as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn key(&self) -> Result<QueueKey> {
        let bad = || Refusal::argument("cursor", format!("`{}` is not a work-queue cursor", self.0));
        let mut parts = self.0.splitn(4, '.');
        let mut number = || -> Result<i64> { Ok(parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?) };
        let (priority_class, promise_due_at, since) = (number()?, number()?, number()?);
        let id = parts.next().filter(|id| !id.is_empty()).ok_or_else(bad)?.to_owned();
        Ok(QueueKey { priority_class, promise_due_at, since, id })
    }
}

/// One page of a work queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuePage {
    /// The cases, in queue order.
    pub cases: Vec<Case>,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<QueueCursor>,
}

fn cases(rows: Vec<CaseRow>) -> Result<Vec<Case>> {
    rows.iter().map(case_from_row).collect()
}

/// The states and task a role's work queue holds.
impl Engine {
    /// A case with its history, or `None`.
    ///
    /// # Errors
    /// [`crate::Error::Database`] or [`crate::Error::Corrupt`].
    pub async fn case(&self, id: &CaseId) -> Result<Option<CaseView>> {
        let Some((row, events)) = self.case_rows(id).await? else {
            return Ok(None);
        };
        let history = events.iter().map(entry_from_row).collect::<Result<Vec<_>>>()?;
        Ok(Some(CaseView { case: case_from_row(&row)?, history }))
    }

    /// A case row and its events, read from one snapshot: a command committing between the
    /// two reads would otherwise show a history one event ahead of its case.
    async fn case_rows(&self, id: &CaseId) -> Result<Option<(CaseRow, Vec<EventRow>)>> {
        let mut tx = self.inner.db.begin_snapshot().await?;
        let mut conn = tx.conn();
        let Some(row) = conn.load_case(id.as_str()).await? else {
            tx.rollback().await;
            return Ok(None);
        };
        let events = conn.history(id.as_str()).await?;
        tx.rollback().await;
        Ok(Some((row, events)))
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
        let rows = self.queue_rows(centre, role, None, limit).await?;
        cases(rows)
    }

    async fn queue_rows(
        &self,
        centre: &CentreId,
        role: Role,
        after: Option<&QueueKey>,
        limit: usize,
    ) -> Result<Vec<CaseRow>> {
        let queue = WorkQueue::of(role);
        if queue.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let states: Vec<&str> = queue.states.iter().map(|s| s.as_str()).collect();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut db = self.inner.db.acquire().await?;
        db.conn().queue(centre.as_str(), &states, queue.task, after, limit).await
    }

    /// One page of `officer`'s work queue in `role`, after `cursor`: the cases of the
    /// officer's own centre in queue order, without those separation of duties keeps from
    /// the officer (a case they accepted is not theirs to review, one they reviewed not
    /// theirs to record).
    ///
    /// # Errors
    /// `forbidden_role` when the officer does not hold `role`; `invalid_argument` for a
    /// `limit` of 0 or above 1,000; [`crate::Error::Database`].
    pub async fn work_queue_page(
        &self,
        officer: &Actor,
        role: Role,
        limit: usize,
        cursor: Option<&QueueCursor>,
    ) -> Result<QueuePage> {
        if !officer.has(role) {
            return Err(Refusal::new(
                ErrorCode::ForbiddenRole,
                format!("`{}` does not hold the role {role}", officer.id()),
            )
            .with(Detail::Roles { required: vec![role] })
            .into());
        }
        if !(1..=MAX_PAGE).contains(&limit) {
            return Err(Refusal::argument("limit", format!("`limit` must be between 1 and {MAX_PAGE}")).into());
        }
        let queue = WorkQueue::of(role);
        let centre = self.centre(officer.centre()).cloned().unwrap_or_else(|| Centre::new(officer.centre().as_str()));
        let mine = |case: &Case| queue.offers(case, officer.id(), &centre);
        let mut after = cursor.map(QueueCursor::key).transpose()?;
        let mut page = Vec::new();
        loop {
            let rows = self.queue_rows(officer.centre(), role, after.as_ref(), limit).await?;
            let exhausted = rows.len() < limit;
            for row in &rows {
                after = Some(QueueKey::of(row));
                let case = case_from_row(row)?;
                if mine(&case) {
                    page.push(case);
                    if page.len() == limit {
                        let more = !exhausted || row.id != rows.last().map_or("", |r| r.id.as_str());
                        let next = after.as_ref().map(QueueCursor::of).filter(|_| more);
                        return Ok(QueuePage { cases: page, next });
                    }
                }
            }
            if exhausted {
                return Ok(QueuePage { cases: page, next: None });
            }
        }
    }

    /// A party's cases, open and finished, newest first (我的业务), by the number of any
    /// checked identifier type (see `PartyId::parse_any`).
    ///
    /// # Errors
    /// `invalid_identifier` when `id_number` is none; [`crate::Error::Database`] or
    /// [`crate::Error::Corrupt`].
    pub async fn cases_of_applicant(&self, id_number: &str) -> Result<Vec<Case>> {
        let id = PartyId::parse_any(id_number)
            .map_err(|why| Refusal::new(ErrorCode::InvalidIdentifier, why).with(Detail::Field { name: "id".into() }))?;
        let mut db = self.inner.db.acquire().await?;
        let rows = db.conn().cases_of_party(id.as_str()).await?;
        cases(rows)
    }

    /// Up to 50 cases of `centre` that `text` names: by case id, by unit number, or by a
    /// party's identifier (any type), newest first. Surrounding spaces and letter case do not
    /// matter for a unit or an identifier.
    ///
    /// # Errors
    /// [`crate::Error::Database`] or [`crate::Error::Corrupt`].
    pub async fn find_cases(&self, centre: &CentreId, text: &str) -> Result<Vec<Case>> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(Vec::new());
        }
        let unit =
            regflow_process::identifier::UnitNumber::parse(text).map_or_else(|_| text.to_owned(), |u| u.to_string());
        let party = PartyId::parse_any(text).map_or_else(|_| text.to_owned(), |p| p.as_str().to_owned());
        let mut db = self.inner.db.acquire().await?;
        let rows = db.conn().find_cases(centre.as_str(), text, &unit, &party, 50).await?;
        cases(rows)
    }

    /// Running (not suspended) cases whose promise or statutory deadline passed before
    /// `now`, optionally of one centre.
    ///
    /// # Errors
    /// [`crate::Error::Database`] or [`crate::Error::Corrupt`].
    pub async fn overdue(&self, centre: Option<&CentreId>, now: DateTime<Utc>) -> Result<Vec<Overdue>> {
        let mut db = self.inner.db.acquire().await?;
        let rows = db.conn().overdue(centre.map(|c| c.as_str()), micros(now), State::Suspended.as_str()).await?;
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

    /// How many cases are open in each state (all centres).
    ///
    /// # Errors
    /// [`crate::Error::Database`]; [`crate::Error::Corrupt`] for a stored state that is not one.
    pub async fn open_cases_by_state(&self) -> Result<Vec<(State, u64)>> {
        let mut db = self.inner.db.acquire().await?;
        let rows = db.conn().open_by_state().await?;
        rows.into_iter()
            .map(|(s, n)| {
                let state = s.parse::<State>().map_err(crate::Error::Corrupt)?;
                Ok((state, u64::try_from(n).unwrap_or(0)))
            })
            .collect()
    }

    /// Up to `limit` case ids after `after` (all centres), in id order: walk every case
    /// by passing the last id of one page as the next page's `after`.
    ///
    /// # Errors
    /// `invalid_argument` for a `limit` of 0 or above 1,000; [`crate::Error::Database`].
    pub async fn case_ids(&self, after: Option<&CaseId>, limit: usize) -> Result<Vec<CaseId>> {
        if limit == 0 || limit > MAX_PAGE {
            return Err(Refusal::argument("limit", format!("`limit` is {limit}: give 1 to {MAX_PAGE}")).into());
        }
        let after = after.map_or("", CaseId::as_str);
        let mut db = self.inner.db.acquire().await?;
        let ids = db.conn().case_ids(after, limit as i64).await?;
        Ok(ids.into_iter().map(CaseId::new).collect())
    }

    /// Verifies a case's history: every hash, every link, the count against the case's
    /// version, and that replaying the events gives the stored case.
    ///
    /// # Errors
    /// [`crate::Error::Refused`] `case_not_found`; [`crate::Error::Database`].
    pub async fn verify(&self, id: &CaseId) -> Result<Verification> {
        let Some((row, events)) = self.case_rows(id).await? else {
            return Err(regflow_process::Refusal::new(
                regflow_process::ErrorCode::CaseNotFound,
                format!("no case `{id}`"),
            )
            .into());
        };
        Ok(verify_rows(id, &row, &events, self.catalogue()))
    }
}

pub(crate) fn verify_rows(id: &CaseId, row: &CaseRow, events: &[EventRow], catalogue: &Catalogue) -> Verification {
    let mut problems = Vec::new();
    let mut prev = chain::GENESIS.to_owned();
    for (i, e) in events.iter().enumerate() {
        let seq = e.seq as u64;
        if chain::link(&e.prev_hash, &e.body) != e.hash {
            problems.push(Tampering::Edited { seq });
        }
        for column in event_columns_edited(e) {
            problems.push(Tampering::EventColumn { seq, column: column.to_owned() });
        }
        if e.prev_hash != prev || seq != i as u64 + 1 {
            problems.push(Tampering::Broken { seq });
        }
        prev = e.hash.clone();
    }
    let version = row.version as u64;
    if events.len() as u64 != version || prev != row.head_hash {
        problems.push(Tampering::Truncated { version, found: events.len() as u64 });
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
    if let Some(expected) = replayed.and_then(|case| case_row(&case, catalogue, &prev).ok()) {
        for column in crate::store::columns_differing(row, &expected) {
            problems.push(Tampering::CaseColumn { column: column.to_owned() });
        }
    }
    Verification { case_id: id.clone(), entries: events.len() as u64, problems }
}

/// The columns of an event row that disagree with its body (all, when the body is not an
/// event: that is reported as an edit already).
fn event_columns_edited(row: &EventRow) -> Vec<&'static str> {
    let Ok(event) = serde_json::from_str::<regflow_process::Event>(&row.body) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if row.case_id != event.case_id.as_str() {
        out.push("case_id");
    }
    if row.seq != event.seq as i64 {
        out.push("seq");
    }
    if row.at != micros(event.at) {
        out.push("at");
    }
    if row.command != event.command.as_str() {
        out.push("command");
    }
    if row.actor != event.actor.as_str() {
        out.push("actor");
    }
    out
}
