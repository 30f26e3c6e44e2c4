//! The SQL, written once and stamped out for each backend by [`impl_store!`].

/// Implements [`super::Store`] for a backend: `$store` over `$db`, beginning write
/// transactions with `$begin` and appending `$claim_lock` to the timer claim.
macro_rules! impl_store {
    ($store:ident, $db:ty, $begin:literal, $claim_lock:literal) => {
        #[async_trait::async_trait]
        impl $crate::store::Store for $store {
            type Db = $db;

            fn pool(&self) -> &sqlx::Pool<$db> {
                &self.pool
            }

            async fn begin_write(&self) -> $crate::error::Result<sqlx::Transaction<'static, $db>> {
                Ok(self.pool.begin_with($begin).await?)
            }

            async fn load_case(
                conn: &mut $crate::store::Conn<Self>,
                id: &str,
            ) -> $crate::error::Result<Option<$crate::store::CaseRow>> {
                Ok(sqlx::query_as("SELECT * FROM regflow_cases WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut *conn)
                    .await?)
            }

            async fn insert_case(
                conn: &mut $crate::store::Conn<Self>,
                r: &$crate::store::CaseRow,
            ) -> $crate::error::Result<bool> {
                let done = sqlx::query(
                    "INSERT INTO regflow_cases (id, centre, kind, category, channel, priority, priority_class, unit, \
                     unit_effect, state, is_open, instant, pending_tasks, accepted_at, promise_due_at, statutory_due_at, \
                     provisional, recorded_at, completed_at, working_days_used, on_time, within_statute, extended_days, \
                     suspensions, rating, version, head_hash, body, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, \
                     $21, $22, $23, $24, $25, $26, $27, $28, $29, $30) ON CONFLICT (id) DO NOTHING",
                )
                .bind(&r.id)
                .bind(&r.centre)
                .bind(&r.kind)
                .bind(&r.category)
                .bind(&r.channel)
                .bind(&r.priority)
                .bind(r.priority_class)
                .bind(&r.unit)
                .bind(&r.unit_effect)
                .bind(&r.state)
                .bind(r.is_open)
                .bind(r.instant)
                .bind(&r.pending_tasks)
                .bind(r.accepted_at)
                .bind(r.promise_due_at)
                .bind(r.statutory_due_at)
                .bind(r.provisional)
                .bind(r.recorded_at)
                .bind(r.completed_at)
                .bind(r.working_days_used)
                .bind(r.on_time)
                .bind(r.within_statute)
                .bind(r.extended_days)
                .bind(r.suspensions)
                .bind(r.rating)
                .bind(r.version)
                .bind(&r.head_hash)
                .bind(&r.body)
                .bind(r.created_at)
                .bind(r.updated_at)
                .execute(&mut *conn)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn update_case(
                conn: &mut $crate::store::Conn<Self>,
                r: &$crate::store::CaseRow,
                expected_version: i64,
            ) -> $crate::error::Result<bool> {
                let done = sqlx::query(
                    "UPDATE regflow_cases SET state = $1, is_open = $2, pending_tasks = $3, accepted_at = $4, \
                     promise_due_at = $5, statutory_due_at = $6, provisional = $7, recorded_at = $8, completed_at = $9, \
                     working_days_used = $10, on_time = $11, within_statute = $12, extended_days = $13, suspensions = $14, \
                     rating = $15, version = $16, head_hash = $17, body = $18, updated_at = $19, instant = $20 \
                     WHERE id = $21 AND version = $22",
                )
                .bind(&r.state)
                .bind(r.is_open)
                .bind(&r.pending_tasks)
                .bind(r.accepted_at)
                .bind(r.promise_due_at)
                .bind(r.statutory_due_at)
                .bind(r.provisional)
                .bind(r.recorded_at)
                .bind(r.completed_at)
                .bind(r.working_days_used)
                .bind(r.on_time)
                .bind(r.within_statute)
                .bind(r.extended_days)
                .bind(r.suspensions)
                .bind(r.rating)
                .bind(r.version)
                .bind(&r.head_hash)
                .bind(&r.body)
                .bind(r.updated_at)
                .bind(r.instant)
                .bind(&r.id)
                .bind(expected_version)
                .execute(&mut *conn)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn insert_applicants(
                conn: &mut $crate::store::Conn<Self>,
                case_id: &str,
                party_ids: &[String],
            ) -> $crate::error::Result<()> {
                for p in party_ids {
                    sqlx::query(
                        "INSERT INTO regflow_case_applicants (party_id, case_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                    )
                    .bind(p)
                    .bind(case_id)
                    .execute(&mut *conn)
                    .await?;
                }
                Ok(())
            }

            async fn insert_events(
                conn: &mut $crate::store::Conn<Self>,
                events: &[$crate::store::EventRow],
            ) -> $crate::error::Result<bool> {
                for e in events {
                    let done = sqlx::query(
                        "INSERT INTO regflow_events (case_id, seq, at, command, actor, body, prev_hash, hash) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
                    )
                    .bind(&e.case_id)
                    .bind(e.seq)
                    .bind(e.at)
                    .bind(&e.command)
                    .bind(&e.actor)
                    .bind(&e.body)
                    .bind(&e.prev_hash)
                    .bind(&e.hash)
                    .execute(&mut *conn)
                    .await?;
                    if done.rows_affected() != 1 {
                        return Ok(false);
                    }
                }
                Ok(true)
            }

            async fn sync_timers(
                conn: &mut $crate::store::Conn<Self>,
                case_id: &str,
                timers: &[$crate::store::TimerRow],
            ) -> $crate::error::Result<()> {
                sqlx::query("DELETE FROM regflow_timers WHERE case_id = $1 AND fired_at IS NULL")
                    .bind(case_id)
                    .execute(&mut *conn)
                    .await?;
                for t in timers {
                    sqlx::query(
                        "INSERT INTO regflow_timers (case_id, timer, due_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                    )
                    .bind(&t.case_id)
                    .bind(&t.timer)
                    .bind(t.due_at)
                    .execute(&mut *conn)
                    .await?;
                }
                Ok(())
            }

            async fn unit_seized(conn: &mut $crate::store::Conn<Self>, unit: &str) -> $crate::error::Result<bool> {
                let latest: Option<(String,)> = sqlx::query_as(
                    "SELECT unit_effect FROM regflow_cases WHERE unit = $1 AND unit_effect IS NOT NULL \
                     AND recorded_at IS NOT NULL ORDER BY recorded_at DESC, version DESC LIMIT 1",
                )
                .bind(unit)
                .fetch_optional(&mut *conn)
                .await?;
                Ok(latest.is_some_and(|(effect,)| effect == "seize"))
            }

            async fn idempotency_get(
                conn: &mut $crate::store::Conn<Self>,
                key: &str,
            ) -> $crate::error::Result<Option<(String, String)>> {
                Ok(sqlx::query_as("SELECT request_hash, result FROM regflow_idempotency WHERE key = $1")
                    .bind(key)
                    .fetch_optional(&mut *conn)
                    .await?)
            }

            async fn idempotency_put(
                conn: &mut $crate::store::Conn<Self>,
                key: &str,
                case_id: &str,
                request_hash: &str,
                result: &str,
                at: i64,
            ) -> $crate::error::Result<bool> {
                let done = sqlx::query(
                    "INSERT INTO regflow_idempotency (key, case_id, request_hash, result, created_at) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                )
                .bind(key)
                .bind(case_id)
                .bind(request_hash)
                .bind(result)
                .bind(at)
                .execute(&mut *conn)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn claim_due(
                conn: &mut $crate::store::Conn<Self>,
                before: i64,
                limit: i64,
            ) -> $crate::error::Result<Vec<$crate::store::TimerRow>> {
                Ok(sqlx::query_as(concat!(
                    "SELECT case_id, timer, due_at FROM regflow_timers WHERE fired_at IS NULL AND due_at < $1 \
                     ORDER BY due_at, case_id, timer LIMIT $2",
                    $claim_lock
                ))
                .bind(before)
                .bind(limit)
                .fetch_all(&mut *conn)
                .await?)
            }

            async fn mark_fired(
                conn: &mut $crate::store::Conn<Self>,
                t: &$crate::store::TimerRow,
                fired_at: i64,
            ) -> $crate::error::Result<bool> {
                let done = sqlx::query(
                    "UPDATE regflow_timers SET fired_at = $1 WHERE case_id = $2 AND timer = $3 AND due_at = $4 \
                     AND fired_at IS NULL",
                )
                .bind(fired_at)
                .bind(&t.case_id)
                .bind(&t.timer)
                .bind(t.due_at)
                .execute(&mut *conn)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn drop_timer(
                conn: &mut $crate::store::Conn<Self>,
                t: &$crate::store::TimerRow,
            ) -> $crate::error::Result<()> {
                sqlx::query(
                    "DELETE FROM regflow_timers WHERE case_id = $1 AND timer = $2 AND due_at = $3 AND fired_at IS NULL",
                )
                .bind(&t.case_id)
                .bind(&t.timer)
                .bind(t.due_at)
                .execute(&mut *conn)
                .await?;
                Ok(())
            }

            async fn next_due(conn: &mut $crate::store::Conn<Self>) -> $crate::error::Result<Option<i64>> {
                let row: Option<(i64,)> = sqlx::query_as(
                    "SELECT due_at FROM regflow_timers WHERE fired_at IS NULL ORDER BY due_at LIMIT 1",
                )
                .fetch_optional(&mut *conn)
                .await?;
                Ok(row.map(|(t,)| t))
            }

            async fn history(
                conn: &mut $crate::store::Conn<Self>,
                case_id: &str,
            ) -> $crate::error::Result<Vec<$crate::store::EventRow>> {
                Ok(sqlx::query_as("SELECT * FROM regflow_events WHERE case_id = $1 ORDER BY seq")
                    .bind(case_id)
                    .fetch_all(&mut *conn)
                    .await?)
            }

            async fn cases_with_clocks(conn: &mut $crate::store::Conn<Self>) -> $crate::error::Result<Vec<String>> {
                let rows: Vec<(String,)> = sqlx::query_as(
                    "SELECT id FROM regflow_cases WHERE is_open = 1 AND accepted_at IS NOT NULL ORDER BY id",
                )
                .fetch_all(&mut *conn)
                .await?;
                Ok(rows.into_iter().map(|(id,)| id).collect())
            }

            async fn queue(
                conn: &mut $crate::store::Conn<Self>,
                centre: &str,
                states: &[&str],
                task: Option<&str>,
                limit: i64,
            ) -> $crate::error::Result<Vec<$crate::store::CaseRow>> {
                // States are passed as one comma-framed list so the SQL stays one text.
                let states = format!(",{},", states.join(","));
                let task = task.map(|t| format!("%,{t},%")).unwrap_or_else(|| "%".to_owned());
                Ok(sqlx::query_as(
                    "SELECT * FROM regflow_cases WHERE centre = $1 AND $2 LIKE '%,' || state || ',%' \
                     AND pending_tasks LIKE $3 \
                     ORDER BY priority_class, COALESCE(promise_due_at, 9223372036854775807), \
                     COALESCE(accepted_at, created_at), id LIMIT $4",
                )
                .bind(centre)
                .bind(states)
                .bind(task)
                .bind(limit)
                .fetch_all(&mut *conn)
                .await?)
            }

            async fn cases_of_party(
                conn: &mut $crate::store::Conn<Self>,
                party_id: &str,
            ) -> $crate::error::Result<Vec<$crate::store::CaseRow>> {
                Ok(sqlx::query_as(
                    "SELECT c.* FROM regflow_cases c JOIN regflow_case_applicants a ON a.case_id = c.id \
                     WHERE a.party_id = $1 ORDER BY c.created_at DESC, c.id",
                )
                .bind(party_id)
                .fetch_all(&mut *conn)
                .await?)
            }

            async fn overdue(
                conn: &mut $crate::store::Conn<Self>,
                centre: Option<&str>,
                now: i64,
            ) -> $crate::error::Result<Vec<$crate::store::CaseRow>> {
                Ok(sqlx::query_as(
                    "SELECT * FROM regflow_cases WHERE is_open = 1 AND state <> 'suspended' \
                     AND (promise_due_at < $1 OR statutory_due_at < $2) AND ($3 = '' OR centre = $4) \
                     ORDER BY promise_due_at, id",
                )
                .bind(now)
                .bind(now)
                .bind(centre.unwrap_or(""))
                .bind(centre.unwrap_or(""))
                .fetch_all(&mut *conn)
                .await?)
            }

            async fn opened_between(
                conn: &mut $crate::store::Conn<Self>,
                centre: Option<&str>,
                from: i64,
                to: i64,
            ) -> $crate::error::Result<Vec<$crate::store::CaseRow>> {
                Ok(sqlx::query_as(
                    "SELECT * FROM regflow_cases WHERE created_at >= $1 AND created_at < $2 \
                     AND ($3 = '' OR centre = $4) ORDER BY created_at, id",
                )
                .bind(from)
                .bind(to)
                .bind(centre.unwrap_or(""))
                .bind(centre.unwrap_or(""))
                .fetch_all(&mut *conn)
                .await?)
            }

            async fn save_calendar(
                conn: &mut $crate::store::Conn<Self>,
                version: &str,
                csv: &str,
                at: i64,
            ) -> $crate::error::Result<()> {
                sqlx::query("INSERT INTO regflow_calendars (version, csv, loaded_at) VALUES ($1, $2, $3)")
                    .bind(version)
                    .bind(csv)
                    .bind(at)
                    .execute(&mut *conn)
                    .await?;
                Ok(())
            }

            async fn latest_calendar(conn: &mut $crate::store::Conn<Self>) -> $crate::error::Result<Option<String>> {
                let row: Option<(String,)> =
                    sqlx::query_as("SELECT csv FROM regflow_calendars ORDER BY seq DESC LIMIT 1")
                        .fetch_optional(&mut *conn)
                        .await?;
                Ok(row.map(|(csv,)| csv))
            }
        }
    };
}

pub(crate) use impl_store;
