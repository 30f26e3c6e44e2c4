//! The SQL, written once and stamped out for each backend by [`impl_store!`].

/// Pushes `(case_id, timer, due_at), …` for `timers`: the keys of a row-value `IN` list.
pub(crate) fn push_timer_keys<'a, DB>(q: &mut sqlx::QueryBuilder<'a, DB>, timers: &'a [super::TimerRow])
where
    DB: sqlx::Database,
    &'a str: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    i64: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    let mut list = q.separated(", ");
    for t in timers {
        list.push("(");
        list.push_bind_unseparated(t.case_id.as_str());
        list.push_unseparated(", ");
        list.push_bind_unseparated(t.timer.as_str());
        list.push_unseparated(", ");
        list.push_bind_unseparated(t.due_at);
        list.push_unseparated(")");
    }
}

/// Implements [`super::Store`] for a backend: `$store` over `$db`, beginning write
/// transactions with `$begin`, appending `$claim_lock` to the timer claim, locking a unit
/// with `$unit_lock` and the calendar loads with `$calendar_lock` (nothing when empty).
macro_rules! impl_store {
    ($store:ident, $db:ty, $begin:literal, $claim_lock:literal, $unit_lock:literal, $calendar_lock:literal) => {
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

            async fn update_cases(
                conn: &mut $crate::store::Conn<Self>,
                rows: &[($crate::store::CaseRow, i64)],
            ) -> $crate::error::Result<u64> {
                if rows.is_empty() {
                    return Ok(0);
                }
                // VALUES columns are column1, column2, … on both backends.
                let mut q = sqlx::QueryBuilder::<$db>::new(
                    "UPDATE regflow_cases SET state = v.column3, is_open = v.column4, instant = v.column5, \
                     pending_tasks = v.column6, accepted_at = v.column7, promise_due_at = v.column8, \
                     statutory_due_at = v.column9, provisional = v.column10, recorded_at = v.column11, \
                     completed_at = v.column12, working_days_used = v.column13, on_time = v.column14, \
                     within_statute = v.column15, extended_days = v.column16, suspensions = v.column17, \
                     rating = v.column18, version = v.column19, head_hash = v.column20, body = v.column21, \
                     updated_at = v.column22 FROM (",
                );
                q.push_values(rows, |mut b, (r, expected)| {
                    b.push_bind(r.id.as_str())
                        .push_bind(*expected)
                        .push_bind(r.state.as_str())
                        .push_bind(r.is_open)
                        .push_bind(r.instant)
                        .push_bind(r.pending_tasks.as_str())
                        .push_bind(r.accepted_at)
                        .push_bind(r.promise_due_at)
                        .push_bind(r.statutory_due_at)
                        .push_bind(r.provisional)
                        .push_bind(r.recorded_at)
                        .push_bind(r.completed_at)
                        .push_bind(r.working_days_used)
                        .push_bind(r.on_time)
                        .push_bind(r.within_statute)
                        .push_bind(r.extended_days)
                        .push_bind(r.suspensions)
                        .push_bind(r.rating)
                        .push_bind(r.version)
                        .push_bind(r.head_hash.as_str())
                        .push_bind(r.body.as_str())
                        .push_bind(r.updated_at);
                });
                q.push(") AS v WHERE regflow_cases.id = v.column1 AND regflow_cases.version = v.column2");
                Ok(q.build().execute(&mut *conn).await?.rows_affected())
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

            async fn load_cases(
                conn: &mut $crate::store::Conn<Self>,
                ids: &[String],
            ) -> $crate::error::Result<Vec<$crate::store::CaseRow>> {
                if ids.is_empty() {
                    return Ok(Vec::new());
                }
                let mut q = sqlx::QueryBuilder::<$db>::new("SELECT * FROM regflow_cases WHERE id IN (");
                let mut list = q.separated(", ");
                for id in ids {
                    list.push_bind(id.as_str());
                }
                q.push(")");
                Ok(q.build_query_as().fetch_all(&mut *conn).await?)
            }

            async fn insert_events(
                conn: &mut $crate::store::Conn<Self>,
                events: &[$crate::store::EventRow],
            ) -> $crate::error::Result<bool> {
                if events.is_empty() {
                    return Ok(true);
                }
                let mut q = sqlx::QueryBuilder::<$db>::new(
                    "INSERT INTO regflow_events (case_id, seq, at, command, actor, body, prev_hash, hash) ",
                );
                q.push_values(events, |mut row, e| {
                    row.push_bind(e.case_id.as_str())
                        .push_bind(e.seq)
                        .push_bind(e.at)
                        .push_bind(e.command.as_str())
                        .push_bind(e.actor.as_str())
                        .push_bind(e.body.as_str())
                        .push_bind(e.prev_hash.as_str())
                        .push_bind(e.hash.as_str());
                });
                q.push(" ON CONFLICT DO NOTHING");
                let done = q.build().execute(&mut *conn).await?;
                Ok(done.rows_affected() == events.len() as u64)
            }

            async fn update_timers(
                conn: &mut $crate::store::Conn<Self>,
                drop: &[$crate::store::TimerRow],
                arm: &[$crate::store::TimerRow],
            ) -> $crate::error::Result<()> {
                if !drop.is_empty() {
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "DELETE FROM regflow_timers WHERE fired_at IS NULL AND (case_id, timer, due_at) IN (",
                    );
                    $crate::store::sql::push_timer_keys(&mut q, drop);
                    q.push(")");
                    q.build().execute(&mut *conn).await?;
                }
                if !arm.is_empty() {
                    let mut q = sqlx::QueryBuilder::<$db>::new("INSERT INTO regflow_timers (case_id, timer, due_at) ");
                    q.push_values(arm, |mut row, t| {
                        row.push_bind(t.case_id.as_str()).push_bind(t.timer.as_str()).push_bind(t.due_at);
                    });
                    q.push(" ON CONFLICT DO NOTHING");
                    q.build().execute(&mut *conn).await?;
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

            async fn lock_unit(conn: &mut $crate::store::Conn<Self>, unit: &str) -> $crate::error::Result<()> {
                if !$unit_lock.is_empty() {
                    sqlx::query($unit_lock).bind(unit).execute(&mut *conn).await?;
                }
                Ok(())
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
                fired_at: i64,
            ) -> $crate::error::Result<Vec<$crate::store::TimerRow>> {
                // The case rows are claimed with their timers, so concurrent watchers never
                // work on the same case (on PostgreSQL; SQLite has one writer anyway).
                let mut rows: Vec<$crate::store::TimerRow> = sqlx::query_as(concat!(
                    "UPDATE regflow_timers SET fired_at = $1 WHERE (case_id, timer, due_at) IN (\
                     SELECT t.case_id, t.timer, t.due_at FROM regflow_timers t \
                     JOIN regflow_cases c ON c.id = t.case_id \
                     WHERE t.fired_at IS NULL AND t.due_at < $2 \
                     ORDER BY t.due_at, t.case_id, t.timer LIMIT $3",
                    $claim_lock,
                    ") RETURNING case_id, timer, due_at"
                ))
                .bind(fired_at)
                .bind(before)
                .bind(limit)
                .fetch_all(&mut *conn)
                .await?;
                rows.sort_by(|a, b| (a.due_at, &a.case_id, &a.timer).cmp(&(b.due_at, &b.case_id, &b.timer)));
                Ok(rows)
            }

            async fn forget_timers(
                conn: &mut $crate::store::Conn<Self>,
                timers: &[$crate::store::TimerRow],
            ) -> $crate::error::Result<()> {
                if timers.is_empty() {
                    return Ok(());
                }
                let mut q = sqlx::QueryBuilder::<$db>::new(
                    "DELETE FROM regflow_timers WHERE (case_id, timer, due_at) IN (",
                );
                $crate::store::sql::push_timer_keys(&mut q, timers);
                q.push(")");
                q.build().execute(&mut *conn).await?;
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

            async fn cases_with_clocks_between(
                conn: &mut $crate::store::Conn<Self>,
                from: i64,
                to: i64,
                suspended: &str,
            ) -> $crate::error::Result<Vec<String>> {
                let rows: Vec<(String,)> = sqlx::query_as(
                    "SELECT id FROM regflow_cases WHERE is_open = 1 AND accepted_at IS NOT NULL \
                     AND ((accepted_at < $1 AND statutory_due_at >= $2) OR state = $3) ORDER BY id",
                )
                .bind(to)
                .bind(from)
                .bind(suspended)
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

            async fn lock_calendars(conn: &mut $crate::store::Conn<Self>) -> $crate::error::Result<()> {
                if !$calendar_lock.is_empty() {
                    sqlx::query($calendar_lock).execute(&mut *conn).await?;
                }
                Ok(())
            }

            async fn save_calendar(
                conn: &mut $crate::store::Conn<Self>,
                r: &$crate::store::CalendarRow,
            ) -> $crate::error::Result<i64> {
                let (seq,): (i64,) = sqlx::query_as(
                    "INSERT INTO regflow_calendars (version, csv, loaded_at, mode, loaded_by, years, changed_years, \
                     loaded_csv) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING seq",
                )
                .bind(&r.version)
                .bind(&r.csv)
                .bind(r.loaded_at)
                .bind(&r.mode)
                .bind(&r.loaded_by)
                .bind(&r.years)
                .bind(&r.changed_years)
                .bind(&r.loaded_csv)
                .fetch_one(&mut *conn)
                .await?;
                Ok(seq)
            }

            async fn calendar_head(conn: &mut $crate::store::Conn<Self>) -> $crate::error::Result<Option<i64>> {
                let row: Option<(i64,)> = sqlx::query_as("SELECT seq FROM regflow_calendars ORDER BY seq DESC LIMIT 1")
                    .fetch_optional(&mut *conn)
                    .await?;
                Ok(row.map(|(seq,)| seq))
            }

            async fn calendar_load(
                conn: &mut $crate::store::Conn<Self>,
                seq: i64,
            ) -> $crate::error::Result<Option<$crate::store::CalendarRow>> {
                Ok(sqlx::query_as("SELECT * FROM regflow_calendars WHERE seq = $1")
                    .bind(seq)
                    .fetch_optional(&mut *conn)
                    .await?)
            }

            async fn calendar_loads(
                conn: &mut $crate::store::Conn<Self>,
            ) -> $crate::error::Result<Vec<$crate::store::CalendarRow>> {
                Ok(sqlx::query_as("SELECT * FROM regflow_calendars ORDER BY seq")
                    .fetch_all(&mut *conn)
                    .await?)
            }
        }
    };
}

pub(crate) use impl_store;
