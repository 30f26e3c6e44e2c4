//! Onward reporting (SPEC 14.1): every entry not brought in by an import gets one report
//! per target of its centre, queued in the entry's own transaction with a message id
//! minted there. A deliverer leases queued reports, hands each to the embedding
//! application's [`ReportHandler`] and marks it `sent`: at least once, under the same id,
//! also across a crash between the commit and the call. The adapter answers with
//! [`Engine::ack_report`]; a supervisor retries a rejected report with
//! [`Engine::retry_report`], which mints a new id.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use regflow_process::register::log::DailyLog;
use regflow_process::register::report::{self, Acked};
use regflow_process::register::{AckResult, Entry, MessageId, NationalClass, ReportState, Target};
use regflow_process::{Actor, Centre, CentreId, Detail, ErrorCode, Refusal, Role};
use serde::{Deserialize, Serialize};

use crate::clock::{from_micros, micros};
use crate::delivery::Delivery;
use crate::engine::{detached, Engine};
use crate::error::{Error, Result};
use crate::register::entry_from_row;
use crate::store::{Conn, LogRow, OnwardRow};

/// How long a deliverer holds the reports it claimed.
const LEASE: Duration = Duration::seconds(30);
/// How long a report the handler did not take waits before the next try.
const BACKOFF: Duration = Duration::seconds(10);
/// Reports claimed per delivery round.
const CLAIM: i64 = 100;

/// What a target receives (SPEC 14.1): the message id, the target, the area, the class and
/// the whole entry (parties with their roles).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportMessage {
    /// The business message id, the same on every delivery of this report.
    pub message_id: MessageId,
    /// The target.
    pub target: Target,
    /// The unit's area code.
    pub area: String,
    /// 登记类型.
    pub class: NationalClass,
    /// The entry.
    pub entry: Entry,
}

/// What the embedding application does with what a target is owed: hand it to the
/// target's platform. Called after the transaction that queued it committed, at least once
/// each; a report's message id is stable and a daily log is one per (target, area, date),
/// so the platform counts each once.
#[async_trait]
pub trait ReportHandler: Send + Sync {
    /// Hands one report over; [`Delivery::Retry`] leaves it queued for a later try.
    async fn report(&self, message: &ReportMessage) -> Delivery;

    /// Hands one closed daily 登簿日志 over (SPEC 14.2); [`Delivery::Retry`] leaves it
    /// queued for a later try.
    async fn daily_log(&self, log: &DailyLog) -> Delivery;
}

/// A handler that takes every report and log (they are `sent`; the adapter's `ack` decides
/// the rest).
#[derive(Debug, Clone, Copy, Default)]
pub struct TakeReports;

#[async_trait]
impl ReportHandler for TakeReports {
    async fn report(&self, _message: &ReportMessage) -> Delivery {
        Delivery::Acknowledged
    }

    async fn daily_log(&self, _log: &DailyLog) -> Delivery {
        Delivery::Acknowledged
    }
}

/// One deliverer's share of the queue: claimed under a lease, handed over outside any
/// transaction.
enum Claimed {
    Report(Box<(OnwardRow, Entry)>),
    Log(LogRow),
}

/// A report as callers see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OnwardReport {
    /// The entry's centre.
    pub centre: CentreId,
    /// The entry's `seq`.
    pub entry: u64,
    /// The target.
    pub target: Target,
    /// The unit.
    pub unit: String,
    /// The area code.
    pub area: String,
    /// 登记类型.
    pub class: u16,
    /// The current message id.
    pub message_id: MessageId,
    /// When the current id was minted.
    pub minted_at: DateTime<Utc>,
    /// Where it stands.
    pub state: ReportState,
    /// When it was handed over.
    pub sent_at: Option<DateTime<Utc>>,
    /// When the target answered.
    pub answered_at: Option<DateTime<Utc>>,
    /// The target's reason, if it gave one.
    pub reason: Option<String>,
}

fn corrupt(r: &OnwardRow, what: &str) -> Error {
    Error::Corrupt(format!("report {}.{} to {}: {what}", r.centre, r.entry_seq, r.target))
}

fn report_of(r: &OnwardRow) -> Result<OnwardReport> {
    Ok(OnwardReport {
        centre: CentreId::new(r.centre.as_str()),
        entry: r.entry_seq as u64,
        target: r.target.parse().map_err(|e: String| corrupt(r, &e))?,
        unit: r.unit.clone(),
        area: r.area.clone(),
        class: r.class as u16,
        message_id: MessageId::parse(&r.message_id).map_err(|e| corrupt(r, &e))?,
        minted_at: from_micros(r.minted_at),
        state: r.state.parse().map_err(|e: String| corrupt(r, &e))?,
        sent_at: r.sent_at.map(from_micros),
        answered_at: r.answered_at.map(from_micros),
        reason: r.reason.clone(),
    })
}

fn as_refs(key: &Option<(String, String)>) -> Option<(&str, &str)> {
    key.as_ref().map(|(c, t)| (c.as_str(), t.as_str()))
}

fn forbidden(actor: &Actor, what: &str, roles: Vec<Role>) -> Error {
    Refusal::new(ErrorCode::ForbiddenRole, format!("`{}` may not {what}", actor.id()))
        .with(Detail::Roles { required: roles })
        .into()
}

impl Engine {
    /// Mints an id for a report of `area` to `target` at `now` (the centre's local date).
    async fn mint(
        &self,
        conn: &mut Conn<'_>,
        centre: &Centre,
        target: Target,
        area: &str,
        now: DateTime<Utc>,
    ) -> Result<MessageId> {
        let day = centre.hours.local_date(now);
        let seq = conn.mint_message(target.as_str(), area, &day.format("%Y-%m-%d").to_string()).await?;
        let seq = u32::try_from(seq).unwrap_or(u32::MAX);
        MessageId::new(area, day, seq).map_err(|e| Refusal::new(ErrorCode::Conflict, e).into())
    }

    /// Queues one report per target of `centre` for each entry not marked `history`, in the
    /// entries' transaction.
    pub(crate) async fn queue_reports(&self, conn: &mut Conn<'_>, centre: &Centre, entries: &[Entry]) -> Result<()> {
        let now = self.now();
        for e in entries.iter().filter(|e| !e.draft.history) {
            let area = &e.draft.unit.as_str()[..6];
            for target in &centre.register.report_targets {
                let message_id = self.mint(conn, centre, *target, area, now).await?;
                let row = OnwardRow {
                    centre: centre.id.to_string(),
                    entry_seq: e.seq as i64,
                    target: target.as_str().to_owned(),
                    unit: e.draft.unit.to_string(),
                    area: area.to_owned(),
                    class: i64::from(e.draft.class.code()),
                    message_id: message_id.to_string(),
                    minted_at: micros(now),
                    state: ReportState::Queued.as_str().to_owned(),
                    lease_until: 0,
                    sent_at: None,
                    answered_at: None,
                    reason: None,
                    overdue_at: None,
                };
                // Its queueing is the row itself; the log keeps what happens to it after.
                conn.insert_report(&row).await?;
            }
        }
        Ok(())
    }

    /// Hands every queued report and closed daily log, of every centre and target, to
    /// `handler`, oldest first, and marks each one it takes `sent`; returns how many were
    /// sent. Engines sharing the database lease what they claim, so while every deliverer
    /// lives each is handed over once; one that dies holding a lease delays those by at
    /// most 30 seconds.
    ///
    /// # Errors
    /// [`Error::Database`] when the database fails; what was marked stays marked.
    pub async fn deliver_reports(&self, handler: &dyn ReportHandler) -> Result<usize> {
        self.deliver_scoped(None, handler).await
    }

    /// As [`Engine::deliver_reports`], for one target of one centre: each target is its own
    /// consumer (SPEC 14.1), served by its own handler or webhook.
    ///
    /// # Errors
    /// As [`Engine::deliver_reports`].
    pub async fn deliver_reports_to(
        &self,
        centre: &CentreId,
        target: Target,
        handler: &dyn ReportHandler,
    ) -> Result<usize> {
        self.deliver_scoped(Some((centre.clone(), target)), handler).await
    }

    async fn deliver_scoped(&self, scope: Option<(CentreId, Target)>, handler: &dyn ReportHandler) -> Result<usize> {
        let scoped = |s: &Option<(CentreId, Target)>| s.as_ref().map(|(c, t)| (c.to_string(), t.as_str().to_owned()));
        // A read first: with nothing queued, no write transaction is opened.
        let key = scoped(&scope);
        let waiting = self.inner.db.acquire().await?.conn().reports_waiting(micros(self.now()), as_refs(&key)).await?;
        if !waiting {
            return Ok(0);
        }
        let mut sent = 0;
        loop {
            let (engine, now, key) = (self.clone(), self.now(), scoped(&scope));
            let claimed = detached(async move {
                let mut tx = engine.inner.writes.begin_write().await?;
                let out = async {
                    let mut conn = tx.conn();
                    let (now, until) = (micros(now), micros(now + LEASE));
                    let rows = conn.claim_reports(now, until, CLAIM, as_refs(&key)).await?;
                    let mut out = Vec::with_capacity(rows.len());
                    for r in rows {
                        let entry =
                            conn.entry_row(&r.centre, r.entry_seq).await?.ok_or_else(|| corrupt(&r, "no entry"))?;
                        out.push(Claimed::Report(Box::new((r, entry_from_row(&entry)?))));
                    }
                    if out.is_empty() {
                        out.extend(
                            conn.claim_logs(now, until, CLAIM, as_refs(&key)).await?.into_iter().map(Claimed::Log),
                        );
                    }
                    Ok(out)
                }
                .await;
                tx.finish(out).await
            })
            .await?;
            if claimed.is_empty() {
                return Ok(sent);
            }
            for item in claimed {
                let taken = match &item {
                    Claimed::Report(item) => {
                        let (row, entry) = &**item;
                        let message = ReportMessage {
                            message_id: MessageId::parse(&row.message_id).map_err(|e| corrupt(row, &e))?,
                            target: row.target.parse().map_err(|e: String| corrupt(row, &e))?,
                            area: row.area.clone(),
                            class: entry.draft.class,
                            entry: entry.clone(),
                        };
                        handler.report(&message).await
                    }
                    Claimed::Log(row) => {
                        let log: DailyLog = serde_json::from_str(&row.body).map_err(|e| {
                            Error::Corrupt(format!("register log {}/{}/{}: {e}", row.target, row.area, row.day))
                        })?;
                        handler.daily_log(&log).await
                    }
                } == Delivery::Acknowledged;
                let engine = self.clone();
                let n = detached(async move {
                    let mut tx = engine.inner.writes.begin_write().await?;
                    let out = async {
                        let mut conn = tx.conn();
                        let now = engine.now();
                        match item {
                            Claimed::Log(row) => {
                                let at = if taken { now } else { now + BACKOFF };
                                Ok(usize::from(conn.log_delivered(&row, taken, micros(at)).await? && taken))
                            }
                            Claimed::Report(item) if !taken => {
                                conn.delay_report(&item.0, micros(now + BACKOFF)).await?;
                                Ok(0)
                            }
                            Claimed::Report(item) => {
                                let row = &item.0;
                                if conn.mark_sent(row, micros(now)).await? {
                                    conn.log_report(row, micros(now), "sent", "system", None).await?;
                                    return Ok(1);
                                }
                                Ok(0)
                            }
                        }
                    }
                    .await;
                    tx.finish(out).await
                })
                .await?;
                sent += n;
            }
        }
    }

    /// The adapter's answer to a report (SPEC 14.1): `by` is a `reporter` of the entry's
    /// centre (or the engine itself). Repeated, it changes nothing and answers as the first.
    ///
    /// # Errors
    /// `forbidden_role`; `unknown_message` for an id that is not the report's current one
    /// or no such report; `invalid_transition` for another result of an answered id.
    pub async fn ack_report(
        &self,
        by: &Actor,
        entry: u64,
        target: Target,
        message_id: &MessageId,
        result: AckResult,
        reason: Option<&str>,
    ) -> Result<OnwardReport> {
        if !by.has(Role::Reporter) && !by.has(Role::System) {
            return Err(forbidden(by, "answer a report: it needs the role reporter", vec![Role::Reporter]));
        }
        let (engine, by, message_id) = (self.clone(), by.clone(), message_id.clone());
        let reason = reason.map(|r| r.trim().to_owned()).filter(|r| !r.is_empty());
        detached(async move {
            let mut tx = engine.inner.writes.begin_write().await?;
            let out = async {
                let mut conn = tx.conn();
                let Some(mut row) = conn.report_for_update(by.centre().as_str(), entry as i64, target.as_str()).await?
                else {
                    return Err(report::unknown(&message_id).into());
                };
                let current = report_of(&row)?;
                match report::ack(current.state, &current.message_id, &message_id, result)? {
                    Acked::Repeated => Ok(current),
                    Acked::Moved(state) => {
                        let now = engine.now();
                        row.state = state.as_str().to_owned();
                        row.answered_at = Some(micros(now));
                        row.reason = reason.clone();
                        conn.update_report(&row).await?;
                        conn.log_report(&row, micros(now), result.as_str(), by.id().as_str(), reason.as_deref())
                            .await?;
                        report_of(&row)
                    }
                }
            }
            .await;
            tx.finish(out).await
        })
        .await
    }

    /// Retries a rejected report (SPEC 14.1): a supervisor of the entry's centre mints a new
    /// id on today's date and queues it; the old id becomes unknown.
    ///
    /// # Errors
    /// `forbidden_role`; `report_not_rejected`; `unknown_message` when there is no such report.
    pub async fn retry_report(&self, by: &Actor, entry: u64, target: Target) -> Result<OnwardReport> {
        if !by.has(Role::Supervisor) && !by.has(Role::System) {
            return Err(forbidden(by, "retry a report: it needs the role supervisor", vec![Role::Supervisor]));
        }
        let centre = self.context_centre(by.centre())?.clone();
        let (engine, by) = (self.clone(), by.clone());
        detached(async move {
            let mut tx = engine.inner.writes.begin_write().await?;
            let out = async {
                let mut conn = tx.conn();
                let Some(mut row) = conn.report_for_update(by.centre().as_str(), entry as i64, target.as_str()).await?
                else {
                    return Err(Refusal::new(
                        ErrorCode::UnknownMessage,
                        format!("entry {entry} has no report to {target}"),
                    )
                    .into());
                };
                report::retry(report_of(&row)?.state)?;
                let now = engine.now();
                let id = engine.mint(&mut conn, &centre, target, &row.area, now).await?;
                row.message_id = id.to_string();
                row.minted_at = micros(now);
                row.state = ReportState::Queued.as_str().to_owned();
                row.lease_until = 0;
                row.sent_at = None;
                row.answered_at = None;
                row.reason = None;
                row.overdue_at = None;
                conn.update_report(&row).await?;
                conn.log_report(&row, micros(now), "retried", by.id().as_str(), None).await?;
                report_of(&row)
            }
            .await;
            tx.finish(out).await
        })
        .await
    }

    /// The reports of `centre`'s entries after `after`, up to `limit`; `entry` narrows to one.
    ///
    /// # Errors
    /// [`Error::Database`] or [`Error::Corrupt`].
    pub async fn reports(
        &self,
        centre: &CentreId,
        after: u64,
        limit: u64,
        entry: Option<u64>,
    ) -> Result<Vec<OnwardReport>> {
        let mut db = self.inner.db.acquire().await?;
        let rows = db
            .conn()
            .reports_of(centre.as_str(), after as i64, limit.min(10_000) as i64, entry.map(|e| e as i64))
            .await?;
        rows.iter().map(report_of).collect()
    }
}
