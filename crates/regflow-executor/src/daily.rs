//! What the register owes supervisors each day (SPEC 14.1–14.2): a `report_overdue` notice
//! for a report not accepted within `report_within` of its id's minting, and at 00:00 each
//! day the 登簿日志 of the day before per (target, area), with `unreported_entries` and
//! `excess_reports`. Each is raised or closed once, however many engines run (a notice by
//! its (type, subject), a log by its key), in the watcher's pass.

use chrono::{DateTime, NaiveDate, Utc};
use regflow_process::register::log::{DailyLog, LogLine};
use regflow_process::register::{ReportState, Target};
use regflow_process::{Centre, CentreId};
use serde_json::json;
use std::collections::BTreeSet;

use crate::clock::{from_micros, micros};
use crate::delivery::{notify, Notice};
use crate::engine::{detached, Engine};
use crate::error::{Error, Result};
use crate::register::entry_from_row;
use crate::store::Conn;

/// Days closed in one pass at most (a long outage catches up over several passes).
const DAYS_PER_PASS: usize = 400;

impl Engine {
    /// Raises the notices and closes the logs due by `now`, for every centre the engine
    /// serves, in one transaction.
    pub(crate) async fn daily_pass(&self, now: DateTime<Utc>) -> Result<usize> {
        // A read first: with nothing due, no write transaction is opened.
        if !self.daily_due(now).await? {
            return Ok(0);
        }
        let engine = self.clone();
        detached(async move {
            let mut tx = engine.inner.writes.begin_write().await?;
            let out = async {
                let mut conn = tx.conn();
                let mut n = 0;
                for centre in engine.inner.centres.values() {
                    n += engine.overdue_on(&mut conn, centre, now).await?;
                    n += engine.close_logs_on(&mut conn, centre, now).await?;
                }
                Ok(n)
            }
            .await;
            tx.finish(out).await
        })
        .await
    }

    /// Whether a notice or a log is due by `now` at any centre the engine serves.
    async fn daily_due(&self, now: DateTime<Utc>) -> Result<bool> {
        let mut db = self.inner.db.acquire().await?;
        let mut conn = db.conn();
        for centre in self.inner.centres.values() {
            let id = centre.id.as_str();
            if !conn.overdue_reports(id, micros(now - centre.register.report_within), 1).await?.is_empty() {
                return Ok(true);
            }
            let today = centre.hours.local_date(now);
            let every_day = centre.register.daily_areas().next().is_some();
            let from = match conn.log_day(id).await? {
                Some(d) if every_day && d < today.pred_opt().unwrap_or(today).format("%Y-%m-%d").to_string() => {
                    return Ok(true)
                }
                Some(d) => match NaiveDate::parse_from_str(&d, "%Y-%m-%d") {
                    Ok(d) => micros(centre.hours.start_of(d.succ_opt().unwrap_or(d))),
                    Err(_) => return Ok(true),
                },
                None if every_day => return Ok(true),
                None => 0,
            };
            if conn.next_activity(id, from).await?.is_some_and(|t| centre.hours.local_date(from_micros(t)) < today) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    async fn overdue_on(&self, conn: &mut Conn<'_>, centre: &Centre, now: DateTime<Utc>) -> Result<usize> {
        let within = centre.register.report_within;
        let rows = conn.overdue_reports(centre.id.as_str(), micros(now - within), 500).await?;
        let mut n = 0;
        for mut r in rows {
            let due = from_micros(r.minted_at) + within;
            let subject = format!("{}.{}/{}/{}", r.centre, r.entry_seq, r.target, r.message_id);
            let body = json!({"entry": r.entry_seq, "target": r.target, "message_id": r.message_id,
                              "state": r.state, "unit": r.unit});
            if notify(conn, &r.centre, "report_overdue", &subject, due, now, &body).await? {
                n += 1;
            }
            r.overdue_at = Some(micros(now));
            conn.update_report(&r).await?;
        }
        Ok(n)
    }

    async fn close_logs_on(&self, conn: &mut Conn<'_>, centre: &Centre, now: DateTime<Utc>) -> Result<usize> {
        let hours = &centre.hours;
        let id = centre.id.as_str();
        let today = hours.local_date(now);
        // Day D closes at 00:00 of D + 1: every day before today is due.
        let parse =
            |d: &str| NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|e| Error::Corrupt(format!("log day: {e}")));
        let yesterday = today.pred_opt().unwrap_or(today);
        // With areas whose log closes every day, no day is skipped; the first is yesterday.
        let every_day = centre.register.daily_areas().next().is_some();
        let mut closed = match conn.log_day(id).await? {
            Some(d) => parse(&d)?,
            None => match conn.next_activity(id, 0).await? {
                Some(first) => hours.local_date(from_micros(first)).pred_opt().unwrap_or(today),
                None if every_day => yesterday.pred_opt().unwrap_or(yesterday),
                None => return Ok(0),
            },
        };
        let mut n = 0;
        for _ in 0..DAYS_PER_PASS {
            let next_day = closed.succ_opt().unwrap_or(closed);
            if next_day >= today {
                break;
            }
            if every_day {
                n += self.close_day(conn, centre, next_day, now).await?;
                closed = next_day;
                continue;
            }
            // Skip the days with nothing recorded or accepted.
            let Some(next) = conn.next_activity(id, micros(hours.start_of(next_day))).await? else {
                closed = today.pred_opt().unwrap_or(today);
                break;
            };
            let day = hours.local_date(from_micros(next));
            if day >= today {
                closed = today.pred_opt().unwrap_or(today);
                break;
            }
            n += self.close_day(conn, centre, day, now).await?;
            closed = day;
        }
        conn.set_log_day(id, &closed.format("%Y-%m-%d").to_string()).await?;
        Ok(n)
    }

    /// Closes `day` for every target and area with an entry recorded or a report accepted
    /// on it; raises its reconciliation notices.
    async fn close_day(
        &self,
        conn: &mut Conn<'_>,
        centre: &Centre,
        day: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<usize> {
        let hours = &centre.hours;
        let id = centre.id.as_str();
        let (from, to) = (micros(hours.start_of(day)), micros(hours.start_of(day.succ_opt().unwrap_or(day))));
        let entries: Vec<_> = conn
            .entries_between(id, from, to)
            .await?
            .iter()
            .map(entry_from_row)
            .collect::<Result<Vec<_>>>()?
            .into_iter()
            .filter(|e| !e.draft.history)
            .collect();
        let accepted = conn.accepted_between(id, from, to).await?;
        // The reports of the day's entries, to tell which are accepted now.
        let first = entries.first().map_or(0, |e| e.seq as i64 - 1);
        let last = entries.last().map_or(0, |e| e.seq as i64);
        let reports = if entries.is_empty() {
            Vec::new()
        } else {
            conn.reports_of(id, first, (last - first) * 3 + 3, None).await?
        };
        let mut keys: BTreeSet<(Target, String)> = BTreeSet::new();
        for e in &entries {
            for t in &centre.register.report_targets {
                keys.insert((*t, e.draft.unit.as_str()[..6].to_owned()));
            }
        }
        for r in &accepted {
            if let Ok(t) = r.target.parse::<Target>() {
                keys.insert((t, r.area.clone()));
            }
        }
        for (t, area) in centre.register.daily_areas() {
            keys.insert((t, area.to_owned()));
        }
        let mut n = 0;
        let closes_at = hours.start_of(day.succ_opt().unwrap_or(day));
        for (target, area) in keys {
            let recorded: Vec<(LogLine, bool)> = entries
                .iter()
                .filter(|e| e.draft.unit.as_str().starts_with(&area))
                .map(|e| {
                    let report = reports.iter().find(|r| r.entry_seq as u64 == e.seq && r.target == target.as_str());
                    let line = LogLine {
                        entry: e.seq,
                        case: e.draft.case.as_ref().map(|c| c.to_string()),
                        unit: e.draft.unit.to_string(),
                        class: e.draft.class.code(),
                        message_id: report.map(|r| r.message_id.clone()),
                    };
                    (line, report.is_some_and(|r| r.state == ReportState::Accepted.as_str()))
                })
                .collect();
            let mut accepted_lines = Vec::new();
            for r in accepted.iter().filter(|r| r.area == area && r.target == target.as_str()) {
                let entry = conn.entry_row(id, r.entry_seq).await?.map(|row| entry_from_row(&row)).transpose()?;
                let entry_day = entry.as_ref().map_or(day, |e| hours.local_date(e.draft.recorded_at));
                accepted_lines.push((
                    LogLine {
                        entry: r.entry_seq as u64,
                        case: entry.and_then(|e| e.draft.case.map(|c| c.to_string())),
                        unit: r.unit.clone(),
                        class: r.class as u16,
                        message_id: Some(r.message_id.clone()),
                    },
                    entry_day,
                ));
            }
            let log = DailyLog::close(target, &area, day, recorded, accepted_lines);
            let body = serde_json::to_string(&log).map_err(Error::encode("a register log"))?;
            let date = day.format("%Y-%m-%d").to_string();
            if !conn.insert_log(id, target.as_str(), &area, &date, micros(now), &body).await? {
                continue;
            }
            n += 1;
            let subject = format!("{target}/{area}/{date}");
            if !log.unreported.is_empty() {
                let body = json!({"target": target, "area": area, "date": date, "entries": log.unreported});
                notify(conn, id, "unreported_entries", &subject, closes_at, now, &body).await?;
            }
            if !log.excess.is_empty() {
                let body = json!({"target": target, "area": area, "date": date, "reports": log.excess});
                notify(conn, id, "excess_reports", &subject, closes_at, now, &body).await?;
            }
        }
        Ok(n)
    }

    /// `centre`'s notices after id `after` (up to `limit`), in id order.
    ///
    /// # Errors
    /// [`Error::Database`] or [`Error::Corrupt`].
    pub async fn notices(&self, centre: &CentreId, after: u64, limit: u64) -> Result<Vec<Notice>> {
        let mut db = self.inner.db.acquire().await?;
        let rows = db.conn().notices(centre.as_str(), after as i64, limit.min(10_000) as i64).await?;
        rows.into_iter()
            .map(|r| {
                Ok(Notice {
                    id: r.id as u64,
                    centre: CentreId::new(r.centre),
                    kind: r.kind,
                    subject: r.subject,
                    at: from_micros(r.due_at),
                    body: serde_json::from_str(&r.body).map_err(|e| Error::Corrupt(format!("notice {}: {e}", r.id)))?,
                })
            })
            .collect()
    }

    /// `centre`'s closed daily logs, by day, target and area.
    ///
    /// # Errors
    /// [`Error::Database`] or [`Error::Corrupt`].
    pub async fn register_logs(&self, centre: &CentreId) -> Result<Vec<serde_json::Value>> {
        let mut db = self.inner.db.acquire().await?;
        let rows = db.conn().logs(centre.as_str()).await?;
        rows.into_iter()
            .map(|(body,)| serde_json::from_str(&body).map_err(|e| Error::Corrupt(format!("register log: {e}"))))
            .collect()
    }
}
