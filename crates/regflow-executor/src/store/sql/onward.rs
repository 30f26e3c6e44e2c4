//! Onward reporting's statements (SPEC 14): reports queued with their entries, message id
//! sequences, delivery claims under a lease, answers and retries, and the report log.

use super::dialect::RowsAffected;
use super::statements;
use crate::error::Result;
use crate::store::{LogRow, OnwardRow};

const COLUMNS: &str = "centre, entry_seq, target, unit, area, class, message_id, minted_at, state, lease_until, \
                       sent_at, answered_at, reason, overdue_at";

/// The condition narrowing a delivery to one centre's target, its parameters numbered from `n`.
fn scoped(scope: Option<(&str, &str)>, n: usize) -> String {
    match scope {
        Some(_) => format!(" AND centre = ${n} AND target = ${}", n + 1),
        None => String::new(),
    }
}

statements! {
    /// The next number of `target`'s message ids for `area` on `day` (1 for the first);
    /// the row stays locked until the transaction ends, so ids follow commit order.
    pub(crate) async fn mint_message(self, target: &str, area: &str, day: &str) -> Result<i64> {
        let (last,): (i64,) = sqlx::query_as(
            "INSERT INTO regflow_report_sequences (target, area, day, last) VALUES ($1, $2, $3, 1) \
             ON CONFLICT (target, area, day) DO UPDATE SET last = regflow_report_sequences.last + 1 RETURNING last",
        )
        .bind(target)
        .bind(area)
        .bind(day)
        .fetch_one(self.0)
        .await?;
        Ok(last)
    }

    /// Queues a report.
    pub(crate) async fn insert_report(self, r: &OnwardRow) -> Result<()> {
        sqlx::query(&format!(
            "INSERT INTO regflow_reports ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
        ))
        .bind(r.centre.as_str())
        .bind(r.entry_seq)
        .bind(r.target.as_str())
        .bind(r.unit.as_str())
        .bind(r.area.as_str())
        .bind(r.class)
        .bind(r.message_id.as_str())
        .bind(r.minted_at)
        .bind(r.state.as_str())
        .bind(r.lease_until)
        .bind(r.sent_at)
        .bind(r.answered_at)
        .bind(r.reason.as_deref())
        .bind(r.overdue_at)
        .execute(self.0)
        .await?;
        Ok(())
    }

    /// Appends a step of a report to the log.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn log_report(
        self,
        r: &OnwardRow,
        at: i64,
        action: &str,
        actor: &str,
        reason: Option<&str>,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO regflow_report_log (centre, entry_seq, target, message_id, at, action, actor, reason) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(r.centre.as_str())
        .bind(r.entry_seq)
        .bind(r.target.as_str())
        .bind(r.message_id.as_str())
        .bind(at)
        .bind(action)
        .bind(actor)
        .bind(reason)
        .execute(self.0)
        .await?;
        Ok(())
    }

    /// Whether a queued report or daily log of `scope` (a centre and target; all when
    /// `None`) has its lease run out by `now` (a read, before any write).
    pub(crate) async fn reports_waiting(self, now: i64, scope: Option<(&str, &str)>) -> Result<bool> {
        for table in ["regflow_reports", "regflow_register_logs"] {
            let sql = format!(
                "SELECT lease_until FROM {table} WHERE state = 'queued' AND lease_until <= $1{} LIMIT 1",
                scoped(scope, 2)
            );
            let mut query = sqlx::query_as(&sql).bind(now);
            if let Some((centre, target)) = scope {
                query = query.bind(centre).bind(target);
            }
            let row: Option<(i64,)> = query.fetch_optional(&mut *self.0).await?;
            if row.is_some() {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Leases up to `limit` queued reports of `scope` whose lease ran out by `now` until
    /// `until` (others' claims skipped on PostgreSQL), oldest entries first.
    pub(crate) async fn claim_reports(
        self,
        now: i64,
        until: i64,
        limit: i64,
        scope: Option<(&str, &str)>,
    ) -> Result<Vec<OnwardRow>> {
        let sql = format!(
            "UPDATE regflow_reports SET lease_until = $1 WHERE (centre, entry_seq, target) IN (\
             SELECT centre, entry_seq, target FROM regflow_reports WHERE state = 'queued' AND lease_until <= $2{} \
             ORDER BY minted_at, centre, entry_seq LIMIT $3{}) RETURNING {COLUMNS}",
            scoped(scope, 4),
            C::SKIP_LOCKED
        );
        let mut query = sqlx::query_as(&sql).bind(until).bind(now).bind(limit);
        if let Some((centre, target)) = scope {
            query = query.bind(centre).bind(target);
        }
        let mut rows: Vec<OnwardRow> = query.fetch_all(self.0).await?;
        rows.sort_by(|a, b| (a.minted_at, &a.centre, a.entry_seq).cmp(&(b.minted_at, &b.centre, b.entry_seq)));
        Ok(rows)
    }

    /// Leases up to `limit` closed daily logs of `scope` not yet handed to their target, as
    /// `claim_reports` does; oldest days first.
    pub(crate) async fn claim_logs(
        self,
        now: i64,
        until: i64,
        limit: i64,
        scope: Option<(&str, &str)>,
    ) -> Result<Vec<LogRow>> {
        let sql = format!(
            "UPDATE regflow_register_logs SET lease_until = $1 WHERE (centre, target, area, day) IN (\
             SELECT centre, target, area, day FROM regflow_register_logs WHERE state = 'queued' AND lease_until <= $2{} \
             ORDER BY day, centre, target, area LIMIT $3{}) RETURNING centre, target, area, day, body",
            scoped(scope, 4),
            C::SKIP_LOCKED
        );
        let mut query = sqlx::query_as(&sql).bind(until).bind(now).bind(limit);
        if let Some((centre, target)) = scope {
            query = query.bind(centre).bind(target);
        }
        let mut rows: Vec<LogRow> = query.fetch_all(self.0).await?;
        rows.sort_by(|a, b| (&a.day, &a.centre, &a.target, &a.area).cmp(&(&b.day, &b.centre, &b.target, &b.area)));
        Ok(rows)
    }

    /// Marks a daily log handed over (`sent`) at `at`, or, when the target did not take
    /// it, moves its lease to `at`.
    pub(crate) async fn log_delivered(self, l: &LogRow, taken: bool, at: i64) -> Result<bool> {
        let sql = if taken {
            "UPDATE regflow_register_logs SET state = 'sent', sent_at = $1 \
             WHERE centre = $2 AND target = $3 AND area = $4 AND day = $5 AND state = 'queued'"
        } else {
            "UPDATE regflow_register_logs SET lease_until = $1 \
             WHERE centre = $2 AND target = $3 AND area = $4 AND day = $5 AND state = 'queued'"
        };
        let done = sqlx::query(sql)
            .bind(at)
            .bind(l.centre.as_str())
            .bind(l.target.as_str())
            .bind(l.area.as_str())
            .bind(l.day.as_str())
            .execute(self.0)
            .await?;
        Ok(done.rows() == 1)
    }

    /// Marks a report sent, if it is still queued under `message_id`.
    pub(crate) async fn mark_sent(self, r: &OnwardRow, at: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE regflow_reports SET state = 'sent', sent_at = $1 \
             WHERE centre = $2 AND entry_seq = $3 AND target = $4 AND message_id = $5 AND state = 'queued'",
        )
        .bind(at)
        .bind(r.centre.as_str())
        .bind(r.entry_seq)
        .bind(r.target.as_str())
        .bind(r.message_id.as_str())
        .execute(self.0)
        .await?;
        Ok(done.rows() == 1)
    }

    /// Moves a queued report's lease (a delivery that failed is retried then).
    pub(crate) async fn delay_report(self, r: &OnwardRow, until: i64) -> Result<()> {
        sqlx::query(
            "UPDATE regflow_reports SET lease_until = $1 \
             WHERE centre = $2 AND entry_seq = $3 AND target = $4 AND message_id = $5 AND state = 'queued'",
        )
        .bind(until)
        .bind(r.centre.as_str())
        .bind(r.entry_seq)
        .bind(r.target.as_str())
        .bind(r.message_id.as_str())
        .execute(self.0)
        .await?;
        Ok(())
    }

    /// The report of entry `seq` of `centre` to `target`, locked until the transaction ends.
    pub(crate) async fn report_for_update(self, centre: &str, seq: i64, target: &str) -> Result<Option<OnwardRow>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM regflow_reports WHERE centre = $1 AND entry_seq = $2 AND target = $3{}",
            C::HEAD_LOCK
        );
        Ok(sqlx::query_as(&sql).bind(centre).bind(seq).bind(target).fetch_optional(self.0).await?)
    }

    /// Writes a report's new state: an answer, or a retry's new id.
    pub(crate) async fn update_report(self, r: &OnwardRow) -> Result<()> {
        sqlx::query(
            "UPDATE regflow_reports SET message_id = $1, minted_at = $2, state = $3, lease_until = $4, sent_at = $5, \
             answered_at = $6, reason = $7, overdue_at = $8 WHERE centre = $9 AND entry_seq = $10 AND target = $11",
        )
        .bind(r.message_id.as_str())
        .bind(r.minted_at)
        .bind(r.state.as_str())
        .bind(r.lease_until)
        .bind(r.sent_at)
        .bind(r.answered_at)
        .bind(r.reason.as_deref())
        .bind(r.overdue_at)
        .bind(r.centre.as_str())
        .bind(r.entry_seq)
        .bind(r.target.as_str())
        .execute(self.0)
        .await?;
        Ok(())
    }

    /// The reports of `centre`'s entries after `after` (their `seq`), up to `limit`, in
    /// entry order; `entry` narrows to one entry.
    pub(crate) async fn reports_of(self, centre: &str, after: i64, limit: i64, entry: Option<i64>) -> Result<Vec<OnwardRow>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM regflow_reports WHERE centre = $1 AND entry_seq > $2 \
             AND ($3 < 0 OR entry_seq = $3) ORDER BY entry_seq, target LIMIT $4"
        );
        Ok(sqlx::query_as(&sql).bind(centre).bind(after).bind(entry.unwrap_or(-1)).bind(limit).fetch_all(self.0).await?)
    }

    /// Up to `limit` reports of `centre` not accepted whose id was minted at or before
    /// `cutoff` and that no `report_overdue` notice was raised for yet.
    pub(crate) async fn overdue_reports(self, centre: &str, cutoff: i64, limit: i64) -> Result<Vec<OnwardRow>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM regflow_reports WHERE centre = $1 AND state <> 'accepted' AND overdue_at IS NULL \
             AND minted_at <= $2 ORDER BY minted_at LIMIT $3"
        );
        Ok(sqlx::query_as(&sql).bind(centre).bind(cutoff).bind(limit).fetch_all(self.0).await?)
    }

    /// The reports of `centre` accepted in `[from, to)`.
    pub(crate) async fn accepted_between(self, centre: &str, from: i64, to: i64) -> Result<Vec<OnwardRow>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM regflow_reports WHERE centre = $1 AND state = 'accepted' \
             AND answered_at >= $2 AND answered_at < $3 ORDER BY entry_seq, target"
        );
        Ok(sqlx::query_as(&sql).bind(centre).bind(from).bind(to).fetch_all(self.0).await?)
    }

    /// The entries of `centre` recorded in `[from, to)`.
    pub(crate) async fn entries_between(self, centre: &str, from: i64, to: i64) -> Result<Vec<crate::store::EntryRow>> {
        Ok(sqlx::query_as(
            "SELECT centre, seq, unit, case_id, entry_type, recorded_at, body, prev_hash, hash \
             FROM regflow_register_entries WHERE centre = $1 AND recorded_at >= $2 AND recorded_at < $3 ORDER BY seq",
        )
        .bind(centre)
        .bind(from)
        .bind(to)
        .fetch_all(self.0)
        .await?)
    }

    /// The first instant at or after `from` when `centre` recorded an entry or had a report
    /// accepted.
    pub(crate) async fn next_activity(self, centre: &str, from: i64) -> Result<Option<i64>> {
        let (at,): (Option<i64>,) = sqlx::query_as(
            "SELECT MIN(t) FROM (SELECT MIN(recorded_at) AS t FROM regflow_register_entries WHERE centre = $1 AND recorded_at >= $2 \
             UNION ALL SELECT MIN(answered_at) FROM regflow_reports WHERE centre = $1 AND state = 'accepted' AND answered_at >= $2) x",
        )
        .bind(centre)
        .bind(from)
        .fetch_one(self.0)
        .await?;
        Ok(at)
    }

    /// Raises a notice once per (type, subject); `false` when it was raised before.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn insert_notice(
        self,
        centre: &str,
        kind: &str,
        subject: &str,
        due_at: i64,
        raised_at: i64,
        body: &str,
    ) -> Result<Option<i64>> {
        let id: Option<(i64,)> = sqlx::query_as(
            "INSERT INTO regflow_notices (centre, type, subject, due_at, raised_at, body) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (type, subject) DO NOTHING RETURNING id",
        )
        .bind(centre)
        .bind(kind)
        .bind(subject)
        .bind(due_at)
        .bind(raised_at)
        .bind(body)
        .fetch_optional(self.0)
        .await?;
        Ok(id.map(|(id,)| id))
    }

    /// `centre`'s notices after id `after`, in id order.
    pub(crate) async fn notices(self, centre: &str, after: i64, limit: i64) -> Result<Vec<crate::store::NoticeRow>> {
        Ok(sqlx::query_as(
            "SELECT id, centre, type, subject, due_at, raised_at, body FROM regflow_notices \
             WHERE centre = $1 AND id > $2 ORDER BY id LIMIT $3",
        )
        .bind(centre)
        .bind(after)
        .bind(limit)
        .fetch_all(self.0)
        .await?)
    }

    /// The last local date `centre`'s logs were closed for.
    pub(crate) async fn log_day(self, centre: &str) -> Result<Option<String>> {
        let row: Option<(String,)> = sqlx::query_as("SELECT day FROM regflow_log_days WHERE centre = $1")
            .bind(centre)
            .fetch_optional(self.0)
            .await?;
        Ok(row.map(|(d,)| d))
    }

    /// Records that `centre`'s logs are closed through `day`.
    pub(crate) async fn set_log_day(self, centre: &str, day: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO regflow_log_days (centre, day) VALUES ($1, $2) ON CONFLICT (centre) DO UPDATE SET day = $2",
        )
        .bind(centre)
        .bind(day)
        .execute(self.0)
        .await?;
        Ok(())
    }

    /// Stores a closed log once; `false` when it was closed before.
    pub(crate) async fn insert_log(
        self,
        centre: &str,
        target: &str,
        area: &str,
        day: &str,
        closed_at: i64,
        body: &str,
    ) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO regflow_register_logs (centre, target, area, day, closed_at, body) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT DO NOTHING",
        )
        .bind(centre)
        .bind(target)
        .bind(area)
        .bind(day)
        .bind(closed_at)
        .bind(body)
        .execute(self.0)
        .await?;
        Ok(done.rows() == 1)
    }

    /// `centre`'s closed logs, by day, target and area; one when all three are given.
    pub(crate) async fn logs(self, centre: &str) -> Result<Vec<(String,)>> {
        Ok(sqlx::query_as("SELECT body FROM regflow_register_logs WHERE centre = $1 ORDER BY day, target, area")
            .bind(centre)
            .fetch_all(self.0)
            .await?)
    }

    /// One entry's stored row.
    pub(crate) async fn entry_row(self, centre: &str, seq: i64) -> Result<Option<crate::store::EntryRow>> {
        Ok(sqlx::query_as(
            "SELECT centre, seq, unit, case_id, entry_type, recorded_at, body, prev_hash, hash \
             FROM regflow_register_entries WHERE centre = $1 AND seq = $2",
        )
        .bind(centre)
        .bind(seq)
        .fetch_optional(self.0)
        .await?)
    }
}
