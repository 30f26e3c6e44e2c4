//! Statements that read: cases, histories, the next due timer, the queues and the period
//! pages of reports, idempotency keys, and what the metrics count.

use super::dialect::{param_list, prepared, rows_per_statement};
use super::{statements, PeriodColumn};
use crate::error::Result;
use crate::store::{CaseRow, CaseWithHead, EventRow, QueueKey, ReportRow};
use regflow_process::Task;

statements! {
    /// The case row, if the case exists.
    pub(crate) async fn load_case(self, id: &str) -> Result<Option<CaseRow>> {
        Ok(sqlx::query_as("SELECT * FROM regflow_cases WHERE id = $1").bind(id).fetch_optional(self.0).await?)
    }

    /// The case row, if the case exists, with the calendar head's `seq` (0 when nothing was
    /// loaded) read in the same statement — one round trip for what every command needs.
    pub(crate) async fn load_case_with_head(self, id: &str) -> Result<Option<CaseWithHead>> {
        Ok(sqlx::query_as(
            "SELECT c.*, (SELECT COALESCE(MAX(seq), 0) FROM regflow_calendars) AS calendar_head \
             FROM regflow_cases c WHERE c.id = $1",
        )
        .bind(id)
        .fetch_optional(self.0)
        .await?)
    }

    /// The case rows of `ids` (those that exist, in no particular order).
    pub(crate) async fn load_cases(self, ids: &[String]) -> Result<Vec<CaseRow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!("SELECT * FROM regflow_cases WHERE id IN ({})", param_list::<C>(1, ids.len()));
        let mut q = sqlx::query_as(&sql).persistent(prepared(ids.len()));
        for id in ids {
            q = q.bind(id.as_str());
        }
        Ok(q.fetch_all(self.0).await?)
    }

    /// The first event's command and body of each case in `ids` that exists (an import
    /// recognises the cases it brought in already).
    pub(crate) async fn first_events(self, ids: &[&str]) -> Result<Vec<(String, String, String)>> {
        let mut found = Vec::new();
        for chunk in ids.chunks(rows_per_statement(1)) {
            let sql = format!(
                "SELECT case_id, command, body FROM regflow_events WHERE seq = 1 AND case_id IN ({})",
                param_list::<C>(1, chunk.len())
            );
            let mut q = sqlx::query_as(&sql).persistent(prepared(chunk.len()));
            for id in chunk {
                q = q.bind(*id);
            }
            found.extend(q.fetch_all(&mut *self.0).await?);
        }
        Ok(found)
    }

    /// A case's history in sequence order.
    pub(crate) async fn history(self, case_id: &str) -> Result<Vec<EventRow>> {
        Ok(sqlx::query_as("SELECT * FROM regflow_events WHERE case_id = $1 ORDER BY seq")
            .bind(case_id)
            .fetch_all(self.0)
            .await?)
    }

    /// The earliest unfired timer's due instant.
    pub(crate) async fn next_due(self) -> Result<Option<i64>> {
        let (due,): (Option<i64>,) = sqlx::query_as(
            "SELECT MIN(d) FROM (SELECT MIN(due_at) AS d FROM regflow_timers WHERE fired_at IS NULL \
             UNION ALL SELECT MIN(due_at) FROM regflow_register_timers WHERE fired_at IS NULL) x",
        )
        .fetch_one(self.0)
        .await?;
        Ok(due)
    }


    /// The request hash and stored result of `actor`'s idempotency key at `centre`.
    pub(crate) async fn idempotency_get(
        self,
        centre: &str,
        actor: &str,
        key: &str,
    ) -> Result<Option<(String, String)>> {
        Ok(sqlx::query_as(
            "SELECT request_hash, result FROM regflow_idempotency_keys WHERE centre = $1 AND actor = $2 AND key = $3",
        )
        .bind(centre)
        .bind(actor)
        .bind(key)
        .fetch_optional(self.0)
        .await?)
    }

    /// One trivial round trip, to see whether the database answers.
    pub(crate) async fn ping(self) -> Result<()> {
        sqlx::query("SELECT 1").execute(self.0).await?;
        Ok(())
    }

    /// Up to `limit` case ids after `after`, in id order (for walking every case).
    pub(crate) async fn case_ids(self, after: &str, limit: i64) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar("SELECT id FROM regflow_cases WHERE id > $1 ORDER BY id LIMIT $2")
            .bind(after)
            .bind(limit)
            .fetch_all(self.0)
            .await?)
    }

    /// Cases of a centre in given states, in queue order (priority class, promise due,
    /// acceptance, id); with `task`, only those whose task is pending or failed; with
    /// `after`, only those after that position in the order (keyset paging).
    pub(crate) async fn queue(
        self,
        centre: &str,
        states: &[&str],
        task: Option<Task>,
        after: Option<&QueueKey>,
        limit: i64,
    ) -> Result<Vec<CaseRow>> {
        if states.is_empty() {
            return Ok(Vec::new());
        }
        // Numbered like the statement's other parameters (`$1`…`$8`) on both backends.
        let list: Vec<String> = (0..states.len()).map(|i| format!("${}", i + 9)).collect();
        let sql = format!(
            "SELECT * FROM regflow_cases WHERE centre = $1 AND ($2 = 0 OR (pending_task_bits & $2) <> 0) AND state IN ({}) \
             AND ($3 = 0 OR (priority_class, COALESCE(promise_due_at, {MAX}), COALESCE(accepted_at, created_at), id) \
             > ($4, $5, $6, $7)) \
             ORDER BY priority_class, COALESCE(promise_due_at, {MAX}), COALESCE(accepted_at, created_at), id \
             LIMIT $8",
            list.join(", "),
            MAX = i64::MAX,
        );
        let task = task.map_or(0, Task::bit);
        let origin = QueueKey::default();
        let key = after.unwrap_or(&origin);
        let mut q = sqlx::query_as(&sql)
            .bind(centre)
            .bind(task)
            .bind(i64::from(after.is_some()))
            .bind(key.priority_class)
            .bind(key.promise_due_at)
            .bind(key.since)
            .bind(key.id.as_str())
            .bind(limit.max(0));
        for s in states {
            q = q.bind(*s);
        }
        Ok(q.fetch_all(self.0).await?)
    }

    /// The open cases of `centre` on `unit`.
    pub(crate) async fn open_cases_on_unit(self, centre: &str, unit: &str) -> Result<Vec<CaseRow>> {
        Ok(sqlx::query_as("SELECT * FROM regflow_cases WHERE unit = $1 AND centre = $2 AND is_open = 1 ORDER BY created_at, id")
            .bind(unit)
            .bind(centre)
            .fetch_all(self.0)
            .await?)
    }

    /// Cases an applicant is party to, newest first.
    pub(crate) async fn cases_of_party(self, party_id: &str) -> Result<Vec<CaseRow>> {
        Ok(sqlx::query_as(
            "SELECT c.* FROM regflow_cases c JOIN regflow_case_applicants a ON a.case_id = c.id \
             WHERE a.party_id = $1 ORDER BY c.created_at DESC, c.id",
        )
        .bind(party_id)
        .fetch_all(self.0)
        .await?)
    }

    /// Up to `limit` cases of `centre` whose id is `case_id`, whose unit is `unit`, or with
    /// the party `party_id`, newest first.
    pub(crate) async fn find_cases(
        self,
        centre: &str,
        case_id: &str,
        unit: &str,
        party_id: &str,
        limit: i64,
    ) -> Result<Vec<CaseRow>> {
        Ok(sqlx::query_as(
            "SELECT * FROM regflow_cases WHERE centre = $1 AND (id = $2 OR unit = $3 OR id IN \
             (SELECT case_id FROM regflow_case_applicants WHERE party_id = $4)) ORDER BY created_at DESC, id LIMIT $5",
        )
        .bind(centre)
        .bind(case_id)
        .bind(unit)
        .bind(party_id)
        .bind(limit)
        .fetch_all(self.0)
        .await?)
    }

    /// Running cases (of a centre) whose promise or statutory deadline is before `now`;
    /// cases in `suspended` are left out (their clocks are stopped).
    pub(crate) async fn overdue(self, centre: Option<&str>, now: i64, suspended: &str) -> Result<Vec<CaseRow>> {
        Ok(sqlx::query_as(
            "SELECT * FROM regflow_cases WHERE is_open = 1 AND state <> $1 \
             AND (promise_due_at < $2 OR statutory_due_at < $3) AND ($4 = '' OR centre = $5) \
             ORDER BY promise_due_at, id",
        )
        .bind(suspended)
        .bind(now)
        .bind(now)
        .bind(centre.unwrap_or(""))
        .bind(centre.unwrap_or(""))
        .fetch_all(self.0)
        .await?)
    }

    /// Up to `limit` cases whose `instant` (`created_at`: opened, `completed_at`:
    /// completed) lies in `[from, to)`, optionally of one centre, in (instant, id) order
    /// after `after`: the report's columns only, read page by page.
    pub(crate) async fn cases_in_period(
        self,
        instant: PeriodColumn,
        centre: Option<&str>,
        (from, to): (i64, i64),
        after: Option<(i64, &str)>,
        limit: i64,
    ) -> Result<Vec<ReportRow>> {
        let column = match instant {
            PeriodColumn::Created => "created_at",
            PeriodColumn::Completed => "completed_at",
        };
        let sql = format!(
            "SELECT id, {column} AS at, kind, category, channel, state, accepted_at, instant, working_days_used, \
             on_time, within_statute, extended_days, suspensions, rating FROM regflow_cases \
             WHERE {column} >= $1 AND {column} < $2 AND ($3 = '' OR centre = $4) \
             AND ($5 = 0 OR ({column}, id) > ($6, $7)) ORDER BY {column}, id LIMIT $8"
        );
        let (after_at, after_id) = after.unwrap_or((0, ""));
        Ok(sqlx::query_as(&sql)
            .bind(from)
            .bind(to)
            .bind(centre.unwrap_or(""))
            .bind(centre.unwrap_or(""))
            .bind(i64::from(after.is_some()))
            .bind(after_at)
            .bind(after_id)
            .bind(limit)
            .fetch_all(self.0)
            .await?)
    }

    /// The ids of open, accepted cases whose deadlines a calendar change in `[from, to)`
    /// may move: their clocks run from before `to` to at or after `from`, or they are
    /// suspended in `suspended` (a public notice's end is not bounded by the statute).
    pub(crate) async fn cases_with_clocks_between(self, from: i64, to: i64, suspended: &str) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM regflow_cases WHERE is_open = 1 AND accepted_at IS NOT NULL \
             AND ((accepted_at < $1 AND statutory_due_at >= $2) OR state = $3) ORDER BY id",
        )
        .bind(to)
        .bind(from)
        .bind(suspended)
        .fetch_all(self.0)
        .await?)
    }

    /// Open cases per state.
    pub(crate) async fn open_by_state(self) -> Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as("SELECT state, COUNT(*) FROM regflow_cases WHERE is_open = 1 GROUP BY state ORDER BY state")
            .fetch_all(self.0)
            .await?)
    }

    /// Per consumer, the alerts queued past its cursor.
    pub(crate) async fn delivery_backlog(self) -> Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT c.consumer, (SELECT COUNT(*) FROM regflow_alerts a WHERE a.id > c.last_id) \
             FROM regflow_alert_cursors c ORDER BY c.consumer",
        )
        .fetch_all(self.0)
        .await?)
    }
}
