//! Every SQL statement regflow runs, written once for both backends.
//!
//! [`Sql`] wraps a connection of either backend; its methods are plain async functions
//! whose only generic part is the connection type. What differs between the backends (how
//! a write transaction begins, how timers are claimed past other workers' locks, how a unit
//! or the calendar loads are locked) comes from [`Dialect`], implemented in `sqlite.rs` and
//! `postgres.rs`. Both backends accept `$N` placeholders; multi-row statements number them
//! with `placeholders`, in binding order.

use super::bind::Bind;
use super::case_update::{
    bind_changing, bind_update, by_columns, fixed_values, update_cases_sql, CaseUpdate, Columns, CASE_COLUMNS,
    CHANGING, FIXED,
};
use super::{AlertRow, CalendarRow, CaseRow, CaseWithHead, EventRow, QueueKey, ReportRow, TimerRow, TokenRow};
use crate::error::Result;
use regflow_process::Task;

/// What one backend does differently.
pub(crate) trait Dialect {
    /// Appended to the due-timer claim's inner `SELECT` (PostgreSQL: skip rows other
    /// workers hold).
    const CLAIM_LOCK: &'static str;
    /// Locks a unit (`$1`) until the transaction ends, if the backend needs it.
    const UNIT_LOCK: Option<&'static str>;
    /// Locks the calendar loads until the transaction ends, if the backend needs it.
    const CALENDAR_LOCK: Option<&'static str>;
    /// Serialises alert writers until the transaction ends, if the backend needs it.
    const ALERT_LOCK: Option<&'static str>;
    /// Whether one statement may hold several data-modifying CTEs (PostgreSQL).
    const DATA_MODIFYING_CTE: bool;
    /// Wakes other processes' watchers when the transaction commits, if the backend can.
    const NOTIFY_TIMERS: Option<&'static str>;
    /// Serialises schema migrations until the transaction ends, if the backend needs it.
    const MIGRATION_LOCK: Option<&'static str>;
    /// Counts the tables named `_sqlx_migrations` in the current schema (0 or 1).
    const SQLX_MIGRATIONS_EXISTS: &'static str;

    /// The `n`-th parameter (1-based) of a statement whose parameters appear in the text in
    /// the order they are bound. SQLite takes anonymous `?`: numbered ones are looked up by
    /// name, one linear search per parameter, which costs quadratic time in a multi-row
    /// statement of thousands.
    fn param(n: usize) -> String;
}

/// The number of rows a statement changed.
pub(crate) trait RowsAffected {
    fn rows(&self) -> u64;
}

/// The instant that places a case in a report's period.
#[derive(Debug, Clone, Copy)]
pub(crate) enum PeriodColumn {
    /// When it was opened.
    Created,
    /// When it was completed.
    Completed,
}

/// What to do with the savepoint that keeps one command of a batch apart.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Savepoint {
    /// Set it.
    Set,
    /// Keep what was done since.
    Release,
    /// Undo what was done since.
    RollBack,
}

/// Whose idempotency key, for which case and request.
pub(crate) struct IdempotencyScope<'a> {
    pub(crate) centre: &'a str,
    pub(crate) actor: &'a str,
    pub(crate) key: &'a str,
    pub(crate) case_id: &'a str,
    pub(crate) request_hash: &'a str,
}

/// Everything one write of decided commands stores.
#[derive(Clone, Copy)]
pub(crate) struct Changes<'a> {
    /// New cases.
    pub(crate) cases: &'a [CaseRow],
    /// `(party_id, case_id)` of the new cases' applicants.
    pub(crate) parties: &'a [(&'a str, &'a str)],
    /// Existing cases, each guarded by the version it was read at.
    pub(crate) updates: &'a [CaseUpdate],
    /// History entries to append.
    pub(crate) events: &'a [EventRow],
    /// Armed timers no longer wanted.
    pub(crate) drop: &'a [TimerRow],
    /// Timers to arm.
    pub(crate) arm: &'a [TimerRow],
}

/// How many rows [`Sql::write_changes`] wrote of each kind that is counted; fewer than
/// asked means another writer won.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Counts {
    /// New cases inserted.
    pub(crate) created: u64,
    /// Cases updated.
    pub(crate) updated: u64,
    /// Events appended.
    pub(crate) appended: u64,
}

impl Counts {
    fn from_rows(created: i64, updated: i64, appended: i64) -> Counts {
        let count = |n: i64| n.max(0) as u64;
        Counts { created: count(created), updated: count(updated), appended: count(appended) }
    }
}

/// A connection of either backend, with regflow's statements.
pub(crate) struct Sql<'c, C>(pub(crate) &'c mut C);

/// The most timer keys one statement names: SQLite refuses an expression deeper than
/// 1,000 (`SQLITE_MAX_EXPR_DEPTH`), and each key adds a level to the `OR` chain.
const KEYS_PER_STATEMENT: usize = 200;

/// `(case_id = $1 AND timer = $2 AND due_at = $3) OR (…)`: the keys of `rows` timers,
/// numbered from `$first`. (Written as equalities, not a row-value `IN` list, so SQLite
/// looks each one up in the primary key instead of scanning the table.)
fn timer_keys<C: Dialect>(rows: usize, first: usize) -> String {
    let keys: Vec<String> = (0..rows)
        .map(|r| {
            let n = first + r * 3;
            format!("(case_id = {} AND timer = {} AND due_at = {})", C::param(n), C::param(n + 1), C::param(n + 2))
        })
        .collect();
    keys.join(" OR ")
}

/// The most parameters one statement binds: SQLite allows 32,766, PostgreSQL 65,535.
const PARAMETERS_PER_STATEMENT: usize = 30_000;

/// The most rows a multi-row statement has and still stays prepared on its connection.
/// Statements of one command's few rows recur and are worth keeping; one of hundreds of
/// rows (a batch, an import) rarely recurs with the same count, and its prepared form can
/// take megabytes, so it is prepared, run and let go.
const PREPARED_ROWS: usize = 16;

/// Whether a statement of `rows` rows stays prepared (see [`PREPARED_ROWS`]).
fn prepared(rows: usize) -> bool {
    rows <= PREPARED_ROWS
}

/// How many rows of `columns` parameters one multi-row statement takes.
fn rows_per_statement(columns: usize) -> usize {
    PARAMETERS_PER_STATEMENT / columns
}

/// `($1, $2, …), ($k, …)`: `rows` tuples of `columns` parameters, in binding order.
fn placeholders<C: Dialect>(rows: usize, columns: usize) -> String {
    placeholders_from::<C>(1, rows, columns)
}

/// [`placeholders`] numbered from `$first`.
pub(super) fn placeholders_from<C: Dialect>(first: usize, rows: usize, columns: usize) -> String {
    let tuples: Vec<String> = (0..rows)
        .map(|r| {
            let cells: Vec<String> = (0..columns).map(|c| C::param(first + r * columns + c)).collect();
            format!("({})", cells.join(", "))
        })
        .collect();
    tuples.join(", ")
}

impl<'c, C, DB> Sql<'c, C>
where
    C: sqlx::Connection<Database = DB> + Dialect,
    DB: sqlx::Database + sqlx::database::HasStatementCache,
    DB::QueryResult: RowsAffected,
    for<'e> &'e mut C: sqlx::Executor<'e, Database = DB>,
    for<'q> DB::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<&'q str>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<i64>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    CaseRow: for<'r> sqlx::FromRow<'r, DB::Row>,
    ReportRow: for<'r> sqlx::FromRow<'r, DB::Row>,
    CaseWithHead: for<'r> sqlx::FromRow<'r, DB::Row>,
    EventRow: for<'r> sqlx::FromRow<'r, DB::Row>,
    TimerRow: for<'r> sqlx::FromRow<'r, DB::Row>,
    TokenRow: for<'r> sqlx::FromRow<'r, DB::Row>,
    AlertRow: for<'r> sqlx::FromRow<'r, DB::Row>,
    CalendarRow: for<'r> sqlx::FromRow<'r, DB::Row>,
    (i64,): for<'r> sqlx::FromRow<'r, DB::Row>,
    (String,): for<'r> sqlx::FromRow<'r, DB::Row>,
    (String, String): for<'r> sqlx::FromRow<'r, DB::Row>,
    (String, String, String): for<'r> sqlx::FromRow<'r, DB::Row>,
    (String, i64): for<'r> sqlx::FromRow<'r, DB::Row>,
    (i64, String): for<'r> sqlx::FromRow<'r, DB::Row>,
    (i64, i64): for<'r> sqlx::FromRow<'r, DB::Row>,
    (i64, i64, i64): for<'r> sqlx::FromRow<'r, DB::Row>,
{
    // ------------------------------------------------------------------ cases

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
        let list: Vec<String> = (1..=ids.len()).map(C::param).collect();
        let sql = format!("SELECT * FROM regflow_cases WHERE id IN ({})", list.join(", "));
        let mut q = sqlx::query_as(&sql).persistent(prepared(ids.len()));
        for id in ids {
            q = q.bind(id.as_str());
        }
        Ok(q.fetch_all(self.0).await?)
    }

    /// Inserts new case rows; returns how many were inserted (fewer means a case with one
    /// of their ids exists already).
    pub(crate) async fn insert_cases(self, rows: &[CaseRow]) -> Result<u64> {
        let mut inserted = 0;
        for chunk in rows.chunks(rows_per_statement(CASE_COLUMNS)) {
            let sql = format!("{} ON CONFLICT (id) DO NOTHING", insert_cases_sql::<C>(1, chunk.len()));
            let mut q = sqlx::query(&sql).persistent(prepared(chunk.len()));
            for r in chunk {
                q = bind_new_case(q, r);
            }
            inserted += q.execute(&mut *self.0).await?.rows();
        }
        Ok(inserted)
    }

    /// Replaces case rows, each only if it is still at the version it was read at, in one
    /// statement per set of changed columns; returns how many were replaced (fewer means
    /// another writer won).
    pub(crate) async fn update_cases(self, updates: &[CaseUpdate]) -> Result<u64> {
        let mut replaced = 0;
        for (columns, group) in by_columns(updates) {
            for chunk in group.chunks(rows_per_statement(2 + columns.len())) {
                let sql = update_cases_sql::<C>(1, chunk.len(), columns);
                let mut q = sqlx::query(&sql).persistent(prepared(chunk.len()));
                for u in chunk {
                    q = bind_update(q, u);
                }
                replaced += q.execute(&mut *self.0).await?.rows();
            }
        }
        Ok(replaced)
    }

    /// Writes what decided commands changed: new cases and their applicants, updates
    /// (version-guarded), events, timers dropped and armed. Where the rows fit, in one
    /// statement ([`Sql::write_combined`]); otherwise one statement each, inside the
    /// caller's transaction.
    pub(crate) async fn write_changes(self, changes: &Changes<'_>) -> Result<Counts> {
        if fits_one_statement(changes) {
            return self.write_combined(changes).await;
        }
        let created = Sql(&mut *self.0).insert_cases(changes.cases).await?;
        Sql(&mut *self.0).insert_applicants(changes.parties).await?;
        let updated = Sql(&mut *self.0).update_cases(changes.updates).await?;
        let appended =
            if Sql(&mut *self.0).insert_events(changes.events).await? { changes.events.len() as u64 } else { 0 };
        self.update_timers(changes.drop, changes.arm).await?;
        Ok(Counts { created, updated, appended })
    }

    /// [`Sql::write_changes`] in one round trip where it would otherwise take up to six.
    ///
    /// On PostgreSQL it is one statement of data-modifying CTEs that is all or nothing by
    /// itself, so it needs no transaction around it: applicants, events and timers are
    /// written only if every new case was inserted and every update found its row at the
    /// version read, and an event that exists already aborts it. On SQLite the statements
    /// are sent together (the driver steps through them, binding each its share of the
    /// parameters) inside the caller's transaction. The caller keeps within the parameter
    /// and key limits ([`fits_one_statement`]).
    async fn write_combined(self, changes: &Changes<'_>) -> Result<Counts> {
        let Changes { cases, parties, updates, events, drop, arm } = *changes;
        // Each part's parameters follow the previous part's, in binding order (see
        // `bind_changes`); updates are one part per set of changed columns.
        let mut next = 1;
        let new_cases = (!cases.is_empty()).then(|| {
            let sql = insert_cases_sql::<C>(next, cases.len());
            next += cases.len() * CASE_COLUMNS;
            sql
        });
        let party_values = (!parties.is_empty()).then(|| {
            let values = placeholders_from::<C>(next, parties.len(), 2);
            next += parties.len() * 2;
            values
        });
        let groups = by_columns(updates);
        let mut set_cases = Vec::new();
        for (columns, group) in &groups {
            set_cases.push(update_cases_sql::<C>(next, group.len(), *columns));
            next += group.len() * (2 + columns.len());
        }
        let event_values = (!events.is_empty()).then(|| {
            let values = placeholders_from::<C>(next, events.len(), 8);
            next += events.len() * 8;
            values
        });
        let drop_keys = (!drop.is_empty()).then(|| {
            let keys = timer_keys::<C>(drop.len(), next);
            next += drop.len() * 3;
            keys
        });
        let arm_values = (!arm.is_empty()).then(|| placeholders_from::<C>(next, arm.len(), 3));
        if new_cases.is_none()
            && party_values.is_none()
            && set_cases.is_empty()
            && event_values.is_none()
            && drop_keys.is_none()
            && arm_values.is_none()
        {
            return Ok(Counts::default());
        }
        const APPLICANTS: &str = "INSERT INTO regflow_case_applicants (party_id, case_id)";
        const EVENTS: &str = "INSERT INTO regflow_events (case_id, seq, at, command, actor, body, prev_hash, hash)";
        const TIMERS: &str = "INSERT INTO regflow_timers (case_id, timer, due_at)";
        let persistent = prepared(cases.len() + updates.len() + events.len() + drop.len() + arm.len());
        let q = if C::DATA_MODIFYING_CTE {
            let mut ctes = Vec::new();
            let created = match &new_cases {
                Some(sql) => {
                    ctes.push(format!("c AS ({sql} ON CONFLICT (id) DO NOTHING RETURNING 1)"));
                    "(SELECT COUNT(*) FROM c)".to_owned()
                }
                None => "CAST(0 AS BIGINT)".to_owned(),
            };
            for (i, sql) in set_cases.iter().enumerate() {
                ctes.push(format!("u{i} AS ({sql} RETURNING 1)"));
            }
            let updated = if set_cases.is_empty() {
                "CAST(0 AS BIGINT)".to_owned()
            } else {
                let counts: Vec<String> =
                    (0..set_cases.len()).map(|i| format!("(SELECT COUNT(*) FROM u{i})")).collect();
                counts.join(" + ")
            };
            let all_found = format!("({created}) = {} AND ({updated}) = {}", cases.len(), updates.len());
            if let Some(values) = &party_values {
                ctes.push(format!(
                    "p AS ({APPLICANTS} SELECT * FROM (VALUES {values}) AS v WHERE {all_found} \
                     ON CONFLICT DO NOTHING RETURNING 1)"
                ));
            }
            if let Some(values) = &event_values {
                ctes.push(format!(
                    "e AS ({EVENTS} SELECT * FROM (VALUES {values}) AS v WHERE {all_found} RETURNING 1)"
                ));
            }
            if let Some(keys) = &drop_keys {
                ctes.push(format!(
                    "d AS (DELETE FROM regflow_timers WHERE fired_at IS NULL AND ({keys}) AND {all_found} RETURNING 1)"
                ));
            }
            if let Some(values) = &arm_values {
                ctes.push(format!(
                    "a AS ({TIMERS} SELECT * FROM (VALUES {values}) AS v WHERE {all_found} \
                     ON CONFLICT DO NOTHING RETURNING 1)"
                ));
            }
            let appended = if event_values.is_some() { "(SELECT COUNT(*) FROM e)" } else { "CAST(0 AS BIGINT)" };
            format!("WITH {} SELECT {created}, {updated}, {appended}", ctes.join(", "))
        } else {
            let mut statements = Vec::new();
            if let Some(sql) = &new_cases {
                statements.push(format!("{sql} ON CONFLICT (id) DO NOTHING RETURNING 'c'"));
            }
            if let Some(values) = &party_values {
                statements.push(format!("{APPLICANTS} VALUES {values} ON CONFLICT DO NOTHING"));
            }
            statements.extend(set_cases.iter().map(|sql| format!("{sql} RETURNING 'u'")));
            if let Some(values) = &event_values {
                statements.push(format!("{EVENTS} VALUES {values} ON CONFLICT DO NOTHING RETURNING 'e'"));
            }
            if let Some(keys) = &drop_keys {
                statements.push(format!("DELETE FROM regflow_timers WHERE fired_at IS NULL AND ({keys})"));
            }
            if let Some(values) = &arm_values {
                statements.push(format!("{TIMERS} VALUES {values} ON CONFLICT DO NOTHING"));
            }
            statements.join(";\n")
        };
        if C::DATA_MODIFYING_CTE {
            let (created, updated, appended): (i64, i64, i64) =
                bind_changes(sqlx::query_as(&q).persistent(persistent), &groups, changes).fetch_one(self.0).await?;
            return Ok(Counts::from_rows(created, updated, appended));
        }
        let rows: Vec<(String,)> =
            bind_changes(sqlx::query_as(&q).persistent(persistent), &groups, changes).fetch_all(self.0).await?;
        let count = |name: &str| rows.iter().filter(|(n,)| n == name).count() as i64;
        Ok(Counts::from_rows(count("c"), count("u"), count("e")))
    }

    /// Records which parties' identifiers belong to which new cases, `(party_id, case_id)`
    /// (我的业务 looks cases up by them).
    pub(crate) async fn insert_applicants(self, pairs: &[(&str, &str)]) -> Result<()> {
        for chunk in pairs.chunks(rows_per_statement(2)) {
            let sql = format!(
                "INSERT INTO regflow_case_applicants (party_id, case_id) VALUES {} ON CONFLICT DO NOTHING",
                placeholders::<C>(chunk.len(), 2)
            );
            let mut q = sqlx::query(&sql).persistent(prepared(chunk.len()));
            for (party, case) in chunk {
                q = q.bind(*party).bind(*case);
            }
            q.execute(&mut *self.0).await?;
        }
        Ok(())
    }

    // ---------------------------------------------------------------- history

    /// Appends history entries in one statement; `false` when one of their sequence
    /// numbers exists already.
    pub(crate) async fn insert_events(self, events: &[EventRow]) -> Result<bool> {
        let mut inserted = 0;
        for chunk in events.chunks(rows_per_statement(8)) {
            let sql = insert_events_sql::<C>(1, chunk.len());
            inserted += bind_events(sqlx::query(&sql).persistent(prepared(chunk.len())), chunk)
                .execute(&mut *self.0)
                .await?
                .rows();
        }
        Ok(inserted == events.len() as u64)
    }

    /// The first event's command and body of each case in `ids` that exists (an import
    /// recognises the cases it brought in already).
    pub(crate) async fn first_events(self, ids: &[&str]) -> Result<Vec<(String, String, String)>> {
        let mut found = Vec::new();
        for chunk in ids.chunks(rows_per_statement(1)) {
            let list: Vec<String> = (1..=chunk.len()).map(C::param).collect();
            let sql = format!(
                "SELECT case_id, command, body FROM regflow_events WHERE seq = 1 AND case_id IN ({})",
                list.join(", ")
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

    // ----------------------------------------------------------------- timers

    /// Drops the unfired timers in `drop` and arms those in `arm` (already armed or fired
    /// ones are left as they are).
    pub(crate) async fn update_timers(self, drop: &[TimerRow], arm: &[TimerRow]) -> Result<()> {
        for chunk in drop.chunks(KEYS_PER_STATEMENT) {
            let sql =
                format!("DELETE FROM regflow_timers WHERE fired_at IS NULL AND ({})", timer_keys::<C>(chunk.len(), 1));
            bind_timers(sqlx::query(&sql).persistent(prepared(chunk.len())), chunk).execute(&mut *self.0).await?;
        }
        for chunk in arm.chunks(rows_per_statement(3)) {
            let sql = format!(
                "INSERT INTO regflow_timers (case_id, timer, due_at) VALUES {} ON CONFLICT DO NOTHING",
                placeholders::<C>(chunk.len(), 3)
            );
            bind_timers(sqlx::query(&sql).persistent(prepared(chunk.len())), chunk).execute(&mut *self.0).await?;
        }
        Ok(())
    }

    /// Claims up to `limit` unfired timers due strictly before `before`, with their cases,
    /// and marks them fired at `fired_at` — in one statement, inside the caller's
    /// transaction, so a rollback un-claims them. Returned earliest first.
    pub(crate) async fn claim_due(self, before: i64, limit: i64, fired_at: i64) -> Result<Vec<TimerRow>> {
        // The case rows are claimed with their timers, so concurrent watchers never work on
        // the same case (on PostgreSQL; SQLite has one writer anyway).
        let sql = format!(
            "UPDATE regflow_timers SET fired_at = $1 WHERE (case_id, timer, due_at) IN (\
             SELECT t.case_id, t.timer, t.due_at FROM regflow_timers t \
             JOIN regflow_cases c ON c.id = t.case_id \
             WHERE t.fired_at IS NULL AND t.due_at < $2 \
             ORDER BY t.due_at, t.case_id, t.timer LIMIT $3{}) RETURNING case_id, timer, due_at",
            C::CLAIM_LOCK
        );
        let mut rows: Vec<TimerRow> =
            sqlx::query_as(&sql).bind(fired_at).bind(before).bind(limit).fetch_all(self.0).await?;
        rows.sort_by(|a, b| (a.due_at, &a.case_id, &a.timer).cmp(&(b.due_at, &b.case_id, &b.timer)));
        Ok(rows)
    }

    /// Tells other processes' watchers, at commit, that a timer due soon was armed.
    pub(crate) async fn notify_timers(self) -> Result<()> {
        if let Some(notify) = C::NOTIFY_TIMERS {
            sqlx::query(notify).execute(self.0).await?;
        }
        Ok(())
    }

    /// Deletes claimed timers that turned out not to apply any more.
    pub(crate) async fn forget_timers(self, timers: &[TimerRow]) -> Result<()> {
        for chunk in timers.chunks(KEYS_PER_STATEMENT) {
            let sql = format!("DELETE FROM regflow_timers WHERE {}", timer_keys::<C>(chunk.len(), 1));
            bind_timers(sqlx::query(&sql).persistent(prepared(chunk.len())), chunk).execute(&mut *self.0).await?;
        }
        Ok(())
    }

    /// The earliest unfired timer's due instant.
    pub(crate) async fn next_due(self) -> Result<Option<i64>> {
        let row: Option<(i64,)> =
            sqlx::query_as("SELECT due_at FROM regflow_timers WHERE fired_at IS NULL ORDER BY due_at LIMIT 1")
                .fetch_optional(self.0)
                .await?;
        Ok(row.map(|(t,)| t))
    }

    // ------------------------------------------------------------------ units

    /// Whether the unit's latest recorded seizure or release is a seizure (`seize`).
    pub(crate) async fn unit_seized(self, unit: &str, seize: &str) -> Result<bool> {
        let latest: Option<(String,)> = sqlx::query_as(
            "SELECT unit_effect FROM regflow_cases WHERE unit = $1 AND unit_effect IS NOT NULL \
             AND recorded_at IS NOT NULL ORDER BY recorded_at DESC, version DESC LIMIT 1",
        )
        .bind(unit)
        .fetch_optional(self.0)
        .await?;
        Ok(latest.is_some_and(|(effect,)| effect == seize))
    }

    /// Serialises, until the transaction ends, the transactions that record on `unit`.
    pub(crate) async fn lock_unit(self, unit: &str) -> Result<()> {
        if let Some(lock) = C::UNIT_LOCK {
            sqlx::query(lock).bind(unit).execute(self.0).await?;
        }
        Ok(())
    }

    // ------------------------------------------------------------ idempotency

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

    /// Stores the result of `actor`'s idempotency key at `centre`; `false` when the key
    /// exists already.
    pub(crate) async fn idempotency_put(self, scope: &IdempotencyScope<'_>, result: &str, at: i64) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO regflow_idempotency_keys (centre, actor, key, case_id, request_hash, result, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
        )
        .bind(scope.centre)
        .bind(scope.actor)
        .bind(scope.key)
        .bind(scope.case_id)
        .bind(scope.request_hash)
        .bind(result)
        .bind(at)
        .execute(self.0)
        .await?;
        Ok(done.rows() == 1)
    }

    /// Runs a savepoint statement (`SAVEPOINT`, `RELEASE`, `ROLLBACK TO`) on the batch's
    /// one savepoint.
    pub(crate) async fn savepoint(self, statement: Savepoint) -> Result<()> {
        let sql = match statement {
            Savepoint::Set => "SAVEPOINT regflow_item",
            Savepoint::Release => "RELEASE SAVEPOINT regflow_item",
            Savepoint::RollBack => "ROLLBACK TO SAVEPOINT regflow_item",
        };
        sqlx::query(sql).execute(self.0).await?;
        Ok(())
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

    // ------------------------------------------------------------- migrations

    /// Locks out other migrators and creates regflow's migration table if needed.
    pub(crate) async fn migrations_prepare(self) -> Result<()> {
        if let Some(lock) = C::MIGRATION_LOCK {
            sqlx::query(lock).execute(&mut *self.0).await?;
        }
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS regflow_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, \
             checksum TEXT NOT NULL, applied_at BIGINT NOT NULL)",
        )
        .execute(self.0)
        .await?;
        Ok(())
    }

    /// The versions applied, with their checksums (hex).
    pub(crate) async fn migrations_applied(self) -> Result<Vec<(i64, String)>> {
        Ok(sqlx::query_as("SELECT version, checksum FROM regflow_migrations ORDER BY version")
            .fetch_all(self.0)
            .await?)
    }

    /// The versions sqlx's own table records as applied, if that table exists.
    pub(crate) async fn sqlx_migrations(self) -> Result<Vec<i64>> {
        let (exists,): (i64,) = sqlx::query_as(C::SQLX_MIGRATIONS_EXISTS).fetch_one(&mut *self.0).await?;
        if exists == 0 {
            return Ok(Vec::new());
        }
        let rows: Vec<(i64,)> = sqlx::query_as("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
            .fetch_all(self.0)
            .await?;
        Ok(rows.into_iter().map(|(v,)| v).collect())
    }

    /// Removes regflow's version `version` from sqlx's own table (once adopted).
    pub(crate) async fn sqlx_migration_forget(self, version: i64) -> Result<()> {
        sqlx::query("DELETE FROM _sqlx_migrations WHERE version = $1").bind(version).execute(self.0).await?;
        Ok(())
    }

    /// Runs a migration's script (several statements).
    pub(crate) async fn migration_run(self, script: &str) -> Result<()> {
        sqlx::raw_sql(script).execute(self.0).await?;
        Ok(())
    }

    /// Records migration `version` as applied.
    pub(crate) async fn migration_record(self, version: i64, description: &str, checksum: &str, at: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO regflow_migrations (version, description, checksum, applied_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(version)
        .bind(description)
        .bind(checksum)
        .bind(at)
        .execute(self.0)
        .await?;
        Ok(())
    }

    // ------------------------------------------------------------ alert queue

    /// Queues `rows` (their ids ignored) and returns them with the ids given.
    pub(crate) async fn alerts_insert(self, rows: &[AlertRow]) -> Result<Vec<AlertRow>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        if let Some(lock) = C::ALERT_LOCK {
            sqlx::query(lock).execute(&mut *self.0).await?;
        }
        let sql = format!(
            "INSERT INTO regflow_alerts (centre, case_id, kind, clock, level, due_at, raised_at) VALUES {} \
             ON CONFLICT DO NOTHING RETURNING *",
            placeholders::<C>(rows.len(), 7)
        );
        let mut q = sqlx::query_as(&sql).persistent(prepared(rows.len()));
        for r in rows {
            q = q
                .bind(r.centre.as_str())
                .bind(r.case_id.as_str())
                .bind(r.kind.as_str())
                .bind(r.clock.as_str())
                .bind(r.level.as_str())
                .bind(r.due_at)
                .bind(r.raised_at);
        }
        Ok(q.fetch_all(self.0).await?)
    }

    /// Up to `limit` queued alerts after id `after`, of `centre` when given, in id order.
    pub(crate) async fn alerts_after(self, after: i64, centre: Option<&str>, limit: i64) -> Result<Vec<AlertRow>> {
        Ok(sqlx::query_as(
            "SELECT * FROM regflow_alerts WHERE id > $1 AND ($2 IS NULL OR centre = $2) ORDER BY id LIMIT $3",
        )
        .bind(after)
        .bind(centre)
        .bind(limit)
        .fetch_all(self.0)
        .await?)
    }

    /// The id of the newest queued alert (0 when none).
    pub(crate) async fn alerts_last_id(self) -> Result<i64> {
        let row: (i64,) = sqlx::query_as("SELECT COALESCE(MAX(id), 0) FROM regflow_alerts").fetch_one(self.0).await?;
        Ok(row.0)
    }

    /// Whether an alert is queued past `consumer`'s cursor (all of them when it has none).
    pub(crate) async fn alerts_waiting(self, consumer: &str) -> Result<bool> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM (SELECT 1 FROM regflow_alerts WHERE id > \
             COALESCE((SELECT last_id FROM regflow_alert_cursors WHERE consumer = $1), 0) LIMIT 1) AS w",
        )
        .bind(consumer)
        .fetch_one(self.0)
        .await?;
        Ok(n > 0)
    }

    /// Takes (or renews) `consumer`'s delivery lease for `owner` until `until`, when it is
    /// free at `now`; the consumer's last acknowledged id, or `None` when another owner
    /// holds the lease.
    pub(crate) async fn cursor_lease(self, consumer: &str, owner: &str, now: i64, until: i64) -> Result<Option<i64>> {
        let row: Option<(i64,)> = sqlx::query_as(
            "INSERT INTO regflow_alert_cursors (consumer, last_id, lease_owner, lease_until) VALUES ($1, 0, $2, $3) \
             ON CONFLICT (consumer) DO UPDATE SET lease_owner = $2, lease_until = $3 \
             WHERE regflow_alert_cursors.lease_until < $4 OR regflow_alert_cursors.lease_owner = $2 \
             RETURNING last_id",
        )
        .bind(consumer)
        .bind(owner)
        .bind(until)
        .bind(now)
        .fetch_optional(self.0)
        .await?;
        Ok(row.map(|(id,)| id))
    }

    /// Moves `consumer`'s cursor to `last_id` (never back) while `owner` holds the lease;
    /// `release` frees the lease.
    pub(crate) async fn cursor_advance(self, consumer: &str, owner: &str, last_id: i64, release: bool) -> Result<()> {
        sqlx::query(
            "UPDATE regflow_alert_cursors SET last_id = CASE WHEN last_id < $3 THEN $3 ELSE last_id END, \
             lease_until = CASE WHEN $4 = 1 THEN 0 ELSE lease_until END \
             WHERE consumer = $1 AND lease_owner = $2",
        )
        .bind(consumer)
        .bind(owner)
        .bind(last_id)
        .bind(i64::from(release))
        .execute(self.0)
        .await?;
        Ok(())
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

    // ----------------------------------------------------------------- tokens

    /// Stores a new token.
    pub(crate) async fn token_insert(self, row: &TokenRow) -> Result<()> {
        sqlx::query(
            "INSERT INTO regflow_tokens (id, hash, centre, actor, roles, name, created_at, revoked_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, NULL)",
        )
        .bind(row.id.as_str())
        .bind(row.hash.as_str())
        .bind(row.centre.as_str())
        .bind(row.actor.as_str())
        .bind(row.roles.as_str())
        .bind(row.name.as_deref())
        .bind(row.created_at)
        .execute(self.0)
        .await?;
        Ok(())
    }

    /// The token with public id `id`.
    pub(crate) async fn token_get(self, id: &str) -> Result<Option<TokenRow>> {
        Ok(sqlx::query_as("SELECT * FROM regflow_tokens WHERE id = $1").bind(id).fetch_optional(self.0).await?)
    }

    /// Every token, oldest first.
    pub(crate) async fn token_list(self) -> Result<Vec<TokenRow>> {
        Ok(sqlx::query_as("SELECT * FROM regflow_tokens ORDER BY created_at, id").fetch_all(self.0).await?)
    }

    /// Revokes token `id` at `at`; `false` when there is no such token or it was revoked
    /// already.
    pub(crate) async fn token_revoke(self, id: &str, at: i64) -> Result<bool> {
        let done = sqlx::query("UPDATE regflow_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(at)
            .bind(id)
            .execute(self.0)
            .await?;
        Ok(done.rows() == 1)
    }

    // ---------------------------------------------------------------- queries

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

    // -------------------------------------------------------------- calendars

    /// Serialises calendar loads until the transaction ends.
    pub(crate) async fn lock_calendars(self) -> Result<()> {
        if let Some(lock) = C::CALENDAR_LOCK {
            sqlx::query(lock).execute(self.0).await?;
        }
        Ok(())
    }

    /// Records a calendar load (its `seq` is ignored); returns the sequence number given.
    pub(crate) async fn save_calendar(self, r: &CalendarRow) -> Result<i64> {
        let (seq,): (i64,) = sqlx::query_as(
            "INSERT INTO regflow_calendars (version, csv, loaded_at, mode, loaded_by, years, changed_years, \
             loaded_csv) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING seq",
        )
        .bind(r.version.as_str())
        .bind(r.csv.as_str())
        .bind(r.loaded_at)
        .bind(r.mode.as_str())
        .bind(r.loaded_by.as_str())
        .bind(r.years.as_str())
        .bind(r.changed_years.as_str())
        .bind(r.loaded_csv.as_str())
        .fetch_one(self.0)
        .await?;
        Ok(seq)
    }

    /// The newest calendar load's sequence number, if any calendar was loaded.
    pub(crate) async fn calendar_head(self) -> Result<Option<i64>> {
        let row: Option<(i64,)> = sqlx::query_as("SELECT seq FROM regflow_calendars ORDER BY seq DESC LIMIT 1")
            .fetch_optional(self.0)
            .await?;
        Ok(row.map(|(seq,)| seq))
    }

    /// The calendar load `seq`.
    pub(crate) async fn calendar_load(self, seq: i64) -> Result<Option<CalendarRow>> {
        Ok(sqlx::query_as("SELECT * FROM regflow_calendars WHERE seq = $1").bind(seq).fetch_optional(self.0).await?)
    }

    /// Marks calendar load `seq` finished: the cases it changes are re-projected.
    pub(crate) async fn finish_calendar_load(self, seq: i64, at: i64) -> Result<()> {
        sqlx::query("UPDATE regflow_calendars SET reprojected_at = $1 WHERE seq = $2 AND reprojected_at IS NULL")
            .bind(at)
            .bind(seq)
            .execute(self.0)
            .await?;
        Ok(())
    }

    /// Calendar loads whose re-projection has not finished, oldest first.
    pub(crate) async fn unfinished_calendar_loads(self) -> Result<Vec<CalendarRow>> {
        Ok(sqlx::query_as("SELECT * FROM regflow_calendars WHERE reprojected_at IS NULL ORDER BY seq")
            .fetch_all(self.0)
            .await?)
    }

    /// Every calendar load, oldest first.
    pub(crate) async fn calendar_loads(self) -> Result<Vec<CalendarRow>> {
        Ok(sqlx::query_as("SELECT * FROM regflow_calendars ORDER BY seq").fetch_all(self.0).await?)
    }
}

/// Whether [`Sql::write_combined`] can take these rows in one statement.
pub(crate) fn fits_one_statement(changes: &Changes<'_>) -> bool {
    let parameters = changes.cases.len() * CASE_COLUMNS
        + changes.parties.len() * 2
        + changes.updates.iter().map(CaseUpdate::parameters).sum::<usize>()
        + changes.events.len() * 8
        + (changes.drop.len() + changes.arm.len()) * 3;
    parameters <= PARAMETERS_PER_STATEMENT && changes.drop.len() <= KEYS_PER_STATEMENT
}

/// Inserts `rows` new cases (the caller adds the conflict clause); parameters from
/// `$first`, as [`bind_new_case`] binds them.
fn insert_cases_sql<C: Dialect>(first: usize, rows: usize) -> String {
    format!(
        "INSERT INTO regflow_cases ({}, {}) VALUES {}",
        FIXED.join(", "),
        CHANGING.join(", "),
        placeholders_from::<C>(first, rows, CASE_COLUMNS)
    )
}

/// Binds what [`insert_cases_sql`] takes for one case.
fn bind_new_case<'q, A: Bind<'q>>(mut q: A, r: &'q CaseRow) -> A {
    for value in fixed_values(r) {
        q = q.bind(value);
    }
    bind_changing(q, r)
}

/// Appends `rows` events (an existing `(case_id, seq)` is skipped); parameters from `$first`.
fn insert_events_sql<C: Dialect>(first: usize, rows: usize) -> String {
    format!(
        "INSERT INTO regflow_events (case_id, seq, at, command, actor, body, prev_hash, hash) VALUES {} \
         ON CONFLICT DO NOTHING",
        placeholders_from::<C>(first, rows, 8)
    )
}

/// Binds what [`Sql::write_combined`] takes: new cases, their applicants, updates (by
/// group), events, timers dropped, timers armed.
fn bind_changes<'q, A: Bind<'q>>(mut q: A, groups: &[(Columns, Vec<&'q CaseUpdate>)], changes: &Changes<'q>) -> A {
    for r in changes.cases {
        q = bind_new_case(q, r);
    }
    for (party, case) in changes.parties {
        q = q.bind(*party).bind(*case);
    }
    for u in groups.iter().flat_map(|(_, group)| group) {
        q = bind_update(q, u);
    }
    bind_timers(bind_timers(bind_events(q, changes.events), changes.drop), changes.arm)
}

/// Binds what [`insert_events_sql`] takes, in order.
fn bind_events<'q, A: Bind<'q>>(mut q: A, events: &'q [EventRow]) -> A {
    for e in events {
        q = q
            .bind(e.case_id.as_str())
            .bind(e.seq)
            .bind(e.at)
            .bind(e.command.as_str())
            .bind(e.actor.as_str())
            .bind(e.body.as_str())
            .bind(e.prev_hash.as_str())
            .bind(e.hash.as_str());
    }
    q
}

/// Binds `(case_id, timer, due_at)` of each timer, in order.
fn bind_timers<'q, A: Bind<'q>>(mut q: A, timers: &'q [TimerRow]) -> A {
    for t in timers {
        q = q.bind(t.case_id.as_str()).bind(t.timer.as_str()).bind(t.due_at);
    }
    q
}
