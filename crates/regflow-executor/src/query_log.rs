//! The query log (SPEC 15.2): each decision on an information query — refused ones
//! included — and each service read of a unit page, chained per centre and never updated.
//! A command's lines are written in its transaction, after the centre's log head is locked;
//! a refusal's line and a read's in a transaction of their own.

use chrono::{DateTime, Utc};
use regflow_process::register::query::{self, LogBreak, LogDraft, LogLine, GENESIS};
use regflow_process::{CentreId, Refusal};
use serde::Serialize;

use crate::clock::micros;
use crate::engine::{Engine, Request};
use crate::error::{Error, Result};
use crate::store::{Conn, QueryLogFilter, QueryLogRow};

/// Which lines of a centre's query log to read (`GET /v1/query-log`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryLogQuery {
    /// Lines at or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Lines before this instant.
    pub to: Option<DateTime<Utc>>,
    /// Lines about this unit.
    pub unit: Option<String>,
    /// Lines of this querier's identifier.
    pub querier: Option<String>,
    /// Lines after this `seq`.
    pub after: u64,
    /// At most this many (default and cap: 1,000).
    pub limit: Option<u64>,
}

/// The most lines one read returns.
pub const MAX_LOG_LINES: u64 = 1_000;

/// What checking a centre's query log found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueryLogVerification {
    /// The centre.
    pub centre: String,
    /// Lines checked.
    pub lines: u64,
    /// Where the chain breaks, if it does.
    pub broken: Option<LogBreak>,
}

impl QueryLogVerification {
    /// Whether the log is intact.
    pub fn is_intact(&self) -> bool {
        self.broken.is_none()
    }
}

fn row_of(centre: &str, line: &LogLine) -> Result<QueryLogRow> {
    Ok(QueryLogRow {
        centre: centre.to_owned(),
        seq: line.seq as i64,
        at: micros(line.draft.at),
        unit: line.draft.unit.clone(),
        querier_id: line.draft.querier.as_ref().map(|q| q.id.clone()),
        outcome: line.draft.outcome.as_str().to_owned(),
        case_id: line.draft.case.clone(),
        line: serde_json::to_string(&line.draft).map_err(Error::encode("a query log line"))?,
        hash: line.hash.clone(),
    })
}

fn line_of(row: &QueryLogRow) -> Result<LogLine> {
    let draft: LogDraft = serde_json::from_str(&row.line)
        .map_err(|e| Error::Corrupt(format!("query log of {} line {}: {e}", row.centre, row.seq)))?;
    Ok(LogLine { seq: row.seq as u64, draft, hash: row.hash.clone() })
}

impl Engine {
    /// Appends `lines` to `centre`'s query log on `conn` (the command's transaction).
    pub(crate) async fn write_query_log(
        &self,
        conn: &mut Conn<'_>,
        centre: &CentreId,
        lines: Vec<LogDraft>,
    ) -> Result<Vec<LogLine>> {
        if lines.is_empty() {
            return Ok(Vec::new());
        }
        let (head, mut prev) = conn.query_log_head(centre.as_str(), GENESIS).await?;
        let mut written = Vec::with_capacity(lines.len());
        for (i, draft) in lines.into_iter().enumerate() {
            let line = draft.chain(head as u64 + 1 + i as u64, &prev);
            prev.clone_from(&line.hash);
            written.push(line);
        }
        let rows = written.iter().map(|l| row_of(centre.as_str(), l)).collect::<Result<Vec<_>>>()?;
        if !conn.append_query_log(centre.as_str(), head, &rows).await? {
            return Err(Error::conflict(centre.as_str()));
        }
        Ok(written)
    }

    /// Appends `lines` in a transaction of their own (a refusal's, a read's).
    pub(crate) async fn log_queries(&self, centre: &CentreId, lines: Vec<LogDraft>) -> Result<()> {
        let mut tx = self.inner.writes.begin_write().await?;
        let out = self.write_query_log(&mut tx.conn(), centre, lines).await;
        tx.finish(out).await.map(drop)
    }

    /// Writes the line of a query `req` was refused (SPEC 15.2: the one refusal that writes
    /// something), if it is one.
    pub(crate) async fn log_refused_query(&self, req: &Request, refusal: &Refusal) -> Result<()> {
        if refusal.code != regflow_process::ErrorCode::QueryNotPermitted
            || self.context_centre(req.actor.centre()).is_err()
        {
            return Ok(());
        }
        let case = match &req.case_id {
            Some(id) => self.case(id).await?.map(|v| v.case),
            None => None,
        };
        let line = regflow_process::refused_query_line(case.as_ref(), &req.command, &req.actor, self.now(), refusal);
        match line {
            Some(mut line) => {
                // The case the request named, though the refusal opened none.
                line.case = req.case_id.as_ref().map(ToString::to_string);
                self.log_queries(req.actor.centre(), vec![line]).await
            }
            None => Ok(()),
        }
    }

    /// Lines of `centre`'s query log, in order.
    ///
    /// # Errors
    /// [`Error::Database`] or [`Error::Corrupt`].
    pub async fn query_log(&self, centre: &CentreId, q: &QueryLogQuery) -> Result<Vec<LogLine>> {
        let filter = QueryLogFilter {
            centre: centre.as_str(),
            after: q.after.min(i64::MAX as u64) as i64,
            from: q.from.map(micros),
            to: q.to.map(micros),
            unit: q.unit.as_deref(),
            querier: q.querier.as_deref(),
            limit: q.limit.unwrap_or(MAX_LOG_LINES).clamp(1, MAX_LOG_LINES) as i64,
        };
        let mut db = self.inner.db.acquire().await?;
        let rows = db.conn().query_log(&filter).await?;
        rows.iter().map(line_of).collect()
    }

    /// The centres that have a query log.
    pub(crate) async fn query_log_centres(&self) -> Result<Vec<CentreId>> {
        let rows = self.inner.db.acquire().await?.conn().query_log_centres().await?;
        Ok(rows.into_iter().map(|(c,)| CentreId::new(c)).collect())
    }

    /// Checks every centre's query log (see [`Engine::verify_query_log`]).
    ///
    /// # Errors
    /// [`Error::Database`].
    pub async fn verify_query_logs(&self) -> Result<Vec<QueryLogVerification>> {
        let mut out = Vec::new();
        for centre in self.query_log_centres().await? {
            out.push(self.verify_query_log(&centre).await?);
        }
        Ok(out)
    }

    /// Checks `centre`'s query log: every line in order, each hash over the line before it
    /// and its own content (an edited, deleted or inserted line is named by `seq`).
    ///
    /// # Errors
    /// [`Error::Database`].
    pub async fn verify_query_log(&self, centre: &CentreId) -> Result<QueryLogVerification> {
        let mut db = self.inner.db.acquire().await?;
        let mut conn = db.conn();
        let mut lines = Vec::new();
        let mut after = 0;
        loop {
            let filter = QueryLogFilter {
                centre: centre.as_str(),
                after,
                from: None,
                to: None,
                unit: None,
                querier: None,
                limit: 10_000,
            };
            let rows = conn.query_log(&filter).await?;
            let Some(last) = rows.last() else { break };
            after = last.seq;
            for row in &rows {
                match line_of(row) {
                    Ok(line) => lines.push(line),
                    Err(_) => {
                        let broken = LogBreak { seq: row.seq as u64, reason: "its line is not readable".into() };
                        return Ok(QueryLogVerification {
                            centre: centre.to_string(),
                            lines: lines.len() as u64,
                            broken: Some(broken),
                        });
                    }
                }
            }
        }
        let head = conn.query_log_seq(centre.as_str()).await?;
        let broken = match query::check_chain(lines.iter()) {
            Err(b) => Some(b),
            Ok(n) if n != head as u64 => Some(LogBreak {
                seq: head as u64,
                reason: format!("the head names line {head}, the log ends at line {n}: lines were deleted"),
            }),
            Ok(_) => None,
        };
        Ok(QueryLogVerification { centre: centre.to_string(), lines: lines.len() as u64, broken })
    }
}
