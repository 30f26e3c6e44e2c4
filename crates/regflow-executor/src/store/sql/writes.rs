//! Statements that write a decision: new and updated cases, their applicants, events,
//! timers (armed, claimed, dropped), idempotency keys and savepoints. On
//! PostgreSQL one command's writes go in one statement of data-modifying CTEs.

use super::dialect::{
    placeholders, placeholders_from, prepared, rows_per_statement, timer_keys, Dialect, RowsAffected,
    KEYS_PER_STATEMENT, PARAMETERS_PER_STATEMENT,
};
use super::{statements, Changes, Counts, IdempotencyScope, Savepoint, Sql};
use crate::error::Result;
use crate::store::bind::Bind;
use crate::store::case_update::{
    bind_changing, bind_update, by_columns, fixed_values, update_cases_sql, CaseUpdate, Columns, CASE_COLUMNS,
    CHANGING, FIXED,
};
use crate::store::{CaseRow, EventRow, TimerRow};

statements! {
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
