//! Persistence: the one road from the engine to SQL.
//!
//! The engine works on a [`Conn`], a connection of either backend (a pooled one, a
//! transaction of the engine's own, or the embedding application's). Each of its methods
//! dispatches once, by backend, to the statement in `sql.rs`, which is written once for
//! both; `sqlite.rs` and `postgres.rs` hold only what differs (the [`sql::Dialect`]) and how
//! a pool is opened. Only this module contains SQL (the migrations aside). Instants are
//! microseconds since the epoch, flags 0/1, documents JSON text kept byte for byte.

mod bind;
mod case_update;
pub(crate) mod database;
mod migrate;
mod rows;
mod sql;
mod wakeups;

#[cfg(feature = "postgres")]
pub(crate) mod postgres;
#[cfg(feature = "sqlite")]
pub(crate) mod sqlite;

pub(crate) use rows::{
    AlertRow, CalendarRow, CaseRow, CaseWithHead, CertificateRow, EntryRow, EventRow, KeyRow, LogRow, NoticeRow,
    OnwardRow, QueryLogRow, QueryResultRow, QueueKey, RegisterTimerRow, ReportRow, TimerRow, TokenRow,
};

use crate::error::Result;
pub(crate) use case_update::{columns_differing, CaseUpdate};
pub use database::{Database, MigrationMode};
pub(crate) use sql::PeriodColumn;
use sql::Savepoint;
use sql::Sql;
pub(crate) use sql::{Changes, Counts, IdempotencyScope, QueryLogFilter};
pub use wakeups::SQLITE_POLL;
pub(crate) use wakeups::{Heard, Wakeups};

/// A connection of either backend, borrowed for one or more statements.
pub(crate) enum Conn<'c> {
    #[cfg(feature = "sqlite")]
    Sqlite(&'c mut sqlx::SqliteConnection),
    #[cfg(feature = "postgres")]
    Postgres(&'c mut sqlx::PgConnection),
}

/// A write transaction of either backend.
pub(crate) enum Tx {
    #[cfg(feature = "sqlite")]
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    #[cfg(feature = "postgres")]
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// A pooled connection of either backend.
pub(crate) enum Pooled {
    #[cfg(feature = "sqlite")]
    Sqlite(sqlx::pool::PoolConnection<sqlx::Sqlite>),
    #[cfg(feature = "postgres")]
    Postgres(sqlx::pool::PoolConnection<sqlx::Postgres>),
}

/// Runs the same statement on whichever backend `$conn` is.
macro_rules! on_backend {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            #[cfg(feature = "sqlite")]
            Conn::Sqlite($c) => $body,
            #[cfg(feature = "postgres")]
            Conn::Postgres($c) => $body,
        }
    };
}

impl Tx {
    /// The transaction's connection.
    pub(crate) fn conn(&mut self) -> Conn<'_> {
        match self {
            #[cfg(feature = "sqlite")]
            Tx::Sqlite(tx) => Conn::Sqlite(tx),
            #[cfg(feature = "postgres")]
            Tx::Postgres(tx) => Conn::Postgres(tx),
        }
    }

    /// Commits.
    pub(crate) async fn commit(self) -> Result<()> {
        match self {
            #[cfg(feature = "sqlite")]
            Tx::Sqlite(tx) => tx.commit().await?,
            #[cfg(feature = "postgres")]
            Tx::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }

    /// Commits when `outcome` is `Ok`, rolls back when it is an error, and returns it: the
    /// end of every transaction that decides and writes.
    ///
    /// # Errors
    /// `outcome`'s error, or the commit's.
    pub(crate) async fn finish<T>(self, outcome: Result<T>) -> Result<T> {
        match outcome {
            Ok(value) => {
                self.commit().await?;
                Ok(value)
            }
            Err(e) => {
                self.rollback().await;
                Err(e)
            }
        }
    }

    /// Rolls back (a failure to roll back is left to the pool, which discards the
    /// connection).
    pub(crate) async fn rollback(self) {
        let _ = match self {
            #[cfg(feature = "sqlite")]
            Tx::Sqlite(tx) => tx.rollback().await,
            #[cfg(feature = "postgres")]
            Tx::Postgres(tx) => tx.rollback().await,
        };
    }
}

impl Pooled {
    /// The connection.
    pub(crate) fn conn(&mut self) -> Conn<'_> {
        match self {
            #[cfg(feature = "sqlite")]
            Pooled::Sqlite(c) => Conn::Sqlite(c),
            #[cfg(feature = "postgres")]
            Pooled::Postgres(c) => Conn::Postgres(c),
        }
    }
}

impl Conn<'_> {
    /// See [`Sql::load_case`].
    pub(crate) async fn load_case(&mut self, id: &str) -> Result<Option<CaseRow>> {
        on_backend!(self, c => Sql(&mut **c).load_case(id).await)
    }

    /// See [`Sql::load_case_with_head`].
    pub(crate) async fn load_case_with_head(&mut self, id: &str) -> Result<Option<CaseWithHead>> {
        on_backend!(self, c => Sql(&mut **c).load_case_with_head(id).await)
    }

    /// See [`Sql::load_cases`].
    pub(crate) async fn load_cases(&mut self, ids: &[String]) -> Result<Vec<CaseRow>> {
        on_backend!(self, c => Sql(&mut **c).load_cases(ids).await)
    }

    /// See [`Sql::first_events`].
    pub(crate) async fn first_events(&mut self, ids: &[&str]) -> Result<Vec<(String, String, String)>> {
        on_backend!(self, c => Sql(&mut **c).first_events(ids).await)
    }

    /// See [`Sql::history`].
    pub(crate) async fn history(&mut self, case_id: &str) -> Result<Vec<EventRow>> {
        on_backend!(self, c => Sql(&mut **c).history(case_id).await)
    }

    /// See [`Sql::claim_due`].
    pub(crate) async fn claim_due(&mut self, before: i64, limit: i64, fired_at: i64) -> Result<Vec<TimerRow>> {
        on_backend!(self, c => Sql(&mut **c).claim_due(before, limit, fired_at).await)
    }

    /// See [`Sql::write_changes`].
    pub(crate) async fn write_changes(&mut self, changes: &Changes<'_>) -> Result<Counts> {
        on_backend!(self, c => Sql(&mut **c).write_changes(changes).await)
    }

    /// See [`Sql::notify_timers`].
    pub(crate) async fn notify_timers(&mut self) -> Result<()> {
        on_backend!(self, c => Sql(&mut **c).notify_timers().await)
    }

    /// See [`Sql::forget_timers`].
    pub(crate) async fn forget_timers(&mut self, timers: &[TimerRow]) -> Result<()> {
        on_backend!(self, c => Sql(&mut **c).forget_timers(timers).await)
    }

    /// See [`Sql::next_due`].
    pub(crate) async fn next_due(&mut self) -> Result<Option<i64>> {
        on_backend!(self, c => Sql(&mut **c).next_due().await)
    }

    /// See [`Sql::units_naming`].
    pub(crate) async fn units_naming(&mut self, centre: &str, text: &str) -> Result<Vec<(String,)>> {
        on_backend!(self, c => Sql(&mut **c).units_naming(centre, text).await)
    }

    /// See [`Sql::register_head`].
    pub(crate) async fn register_head(&mut self, centre: &str, genesis: &str, lock: bool) -> Result<(i64, String)> {
        on_backend!(self, c => Sql(&mut **c).register_head(centre, genesis, lock).await)
    }

    /// See [`Sql::next_certificate_seq`].
    pub(crate) async fn next_certificate_seq(
        &mut self,
        centre: &str,
        year: i64,
        cert_type: &str,
        entry_seq: i64,
    ) -> Result<Option<i64>> {
        on_backend!(self, c => Sql(&mut **c).next_certificate_seq(centre, year, cert_type, entry_seq).await)
    }

    /// See [`Sql::query_log_head`].
    pub(crate) async fn query_log_head(&mut self, centre: &str, genesis: &str) -> Result<(i64, String)> {
        on_backend!(self, c => Sql(&mut **c).query_log_head(centre, genesis).await)
    }

    /// See [`Sql::query_log_seq`].
    pub(crate) async fn query_log_seq(&mut self, centre: &str) -> Result<i64> {
        on_backend!(self, c => Sql(&mut **c).query_log_seq(centre).await)
    }

    /// See [`Sql::query_log_centres`].
    pub(crate) async fn query_log_centres(&mut self) -> Result<Vec<(String,)>> {
        on_backend!(self, c => Sql(&mut **c).query_log_centres().await)
    }

    /// See [`Sql::append_query_log`].
    pub(crate) async fn append_query_log(&mut self, centre: &str, from_seq: i64, rows: &[QueryLogRow]) -> Result<bool> {
        on_backend!(self, c => Sql(&mut **c).append_query_log(centre, from_seq, rows).await)
    }

    /// See [`Sql::query_log`].
    pub(crate) async fn query_log(&mut self, filter: &QueryLogFilter<'_>) -> Result<Vec<QueryLogRow>> {
        on_backend!(self, c => Sql(&mut **c).query_log(filter).await)
    }

    /// See [`Sql::put_query_result`].
    pub(crate) async fn put_query_result(&mut self, row: &QueryResultRow) -> Result<bool> {
        on_backend!(self, c => Sql(&mut **c).put_query_result(row).await)
    }

    /// See [`Sql::query_result`].
    pub(crate) async fn query_result(&mut self, id: &str) -> Result<Option<QueryResultRow>> {
        on_backend!(self, c => Sql(&mut **c).query_result(id).await)
    }

    /// See [`Sql::put_certificate`].
    pub(crate) async fn put_certificate(&mut self, row: &CertificateRow) -> Result<bool> {
        on_backend!(self, c => Sql(&mut **c).put_certificate(row).await)
    }

    /// See [`Sql::certificate`].
    pub(crate) async fn certificate(&mut self, id: &str) -> Result<Option<CertificateRow>> {
        on_backend!(self, c => Sql(&mut **c).certificate(id).await)
    }

    /// See [`Sql::certificates_of_cases`].
    pub(crate) async fn certificates_of_cases(&mut self, centre: &str, cases: &[&str]) -> Result<Vec<CertificateRow>> {
        on_backend!(self, c => Sql(&mut **c).certificates_of_cases(centre, cases).await)
    }

    /// See [`Sql::centre_certificates`].
    pub(crate) async fn centre_certificates(
        &mut self,
        centre: &str,
        after: &str,
        limit: i64,
    ) -> Result<Vec<CertificateRow>> {
        on_backend!(self, c => Sql(&mut **c).centre_certificates(centre, after, limit).await)
    }

    /// See [`Sql::put_public_key`].
    pub(crate) async fn put_public_key(&mut self, row: &KeyRow) -> Result<()> {
        on_backend!(self, c => Sql(&mut **c).put_public_key(row).await)
    }

    /// See [`Sql::retire_keys_but`].
    pub(crate) async fn retire_keys_but(&mut self, centre: &str, current: &str, at: i64) -> Result<()> {
        on_backend!(self, c => Sql(&mut **c).retire_keys_but(centre, current, at).await)
    }

    /// See [`Sql::public_keys`].
    pub(crate) async fn public_keys(&mut self, centre: &str) -> Result<Vec<KeyRow>> {
        on_backend!(self, c => Sql(&mut **c).public_keys(centre).await)
    }

    /// See [`Sql::relock_head`].
    pub(crate) async fn relock_head(&mut self, centre: &str) -> Result<Option<(i64, String)>> {
        on_backend!(self, c => Sql(&mut **c).relock_head(centre).await)
    }

    /// See [`Sql::unit_last_seq`].
    pub(crate) async fn unit_last_seq(&mut self, centre: &str, unit: &str) -> Result<i64> {
        on_backend!(self, c => Sql(&mut **c).unit_last_seq(centre, unit).await)
    }

    /// See [`Sql::unit_entries`].
    pub(crate) async fn unit_entries(&mut self, centre: &str, unit: &str) -> Result<Vec<EntryRow>> {
        on_backend!(self, c => Sql(&mut **c).unit_entries(centre, unit).await)
    }

    /// See [`Sql::open_cases_on_unit`].
    pub(crate) async fn open_cases_on_unit(&mut self, centre: &str, unit: &str) -> Result<Vec<CaseRow>> {
        on_backend!(self, c => Sql(&mut **c).open_cases_on_unit(centre, unit).await)
    }

    /// See [`Sql::entries_of_units`].
    pub(crate) async fn entries_of_units(&mut self, centre: &str, units: &[&str]) -> Result<Vec<EntryRow>> {
        on_backend!(self, c => Sql(&mut **c).entries_of_units(centre, units).await)
    }

    /// See [`Sql::case_entries`].
    pub(crate) async fn case_entries(&mut self, case_id: &str) -> Result<Vec<EntryRow>> {
        on_backend!(self, c => Sql(&mut **c).case_entries(case_id).await)
    }

    /// See [`Sql::centre_entries`].
    pub(crate) async fn centre_entries(&mut self, centre: &str, after: i64, limit: i64) -> Result<Vec<EntryRow>> {
        on_backend!(self, c => Sql(&mut **c).centre_entries(centre, after, limit).await)
    }

    /// See [`Sql::register_centres`].
    pub(crate) async fn register_centres(&mut self) -> Result<Vec<(String, i64)>> {
        on_backend!(self, c => Sql(&mut **c).register_centres().await)
    }

    /// See [`Sql::append_entries`].
    pub(crate) async fn append_entries(&mut self, centre: &str, from_seq: i64, rows: &[EntryRow]) -> Result<bool> {
        on_backend!(self, c => Sql(&mut **c).append_entries(centre, from_seq, rows).await)
    }

    /// See [`Sql::recording_events`].
    pub(crate) async fn recording_events(&mut self, centre: &str, kinds: &[String]) -> Result<Vec<(String, i64)>> {
        on_backend!(self, c => Sql(&mut **c).recording_events(centre, kinds).await)
    }

    /// See [`Sql::mint_message`].
    pub(crate) async fn mint_message(&mut self, target: &str, area: &str, day: &str) -> Result<i64> {
        on_backend!(self, c => Sql(&mut **c).mint_message(target, area, day).await)
    }

    /// See [`Sql::insert_report`].
    pub(crate) async fn insert_report(&mut self, r: &OnwardRow) -> Result<()> {
        on_backend!(self, c => Sql(&mut **c).insert_report(r).await)
    }

    /// See [`Sql::log_report`].
    pub(crate) async fn log_report(
        &mut self,
        r: &OnwardRow,
        at: i64,
        action: &str,
        actor: &str,
        reason: Option<&str>,
    ) -> Result<()> {
        on_backend!(self, c => Sql(&mut **c).log_report(r, at, action, actor, reason).await)
    }

    /// See [`Sql::reports_waiting`].
    pub(crate) async fn reports_waiting(&mut self, now: i64, scope: Option<(&str, &str)>) -> Result<bool> {
        on_backend!(self, c => Sql(&mut **c).reports_waiting(now, scope).await)
    }

    /// See [`Sql::claim_reports`].
    pub(crate) async fn claim_reports(
        &mut self,
        now: i64,
        until: i64,
        limit: i64,
        scope: Option<(&str, &str)>,
    ) -> Result<Vec<OnwardRow>> {
        on_backend!(self, c => Sql(&mut **c).claim_reports(now, until, limit, scope).await)
    }

    /// See [`Sql::claim_logs`].
    pub(crate) async fn claim_logs(
        &mut self,
        now: i64,
        until: i64,
        limit: i64,
        scope: Option<(&str, &str)>,
    ) -> Result<Vec<LogRow>> {
        on_backend!(self, c => Sql(&mut **c).claim_logs(now, until, limit, scope).await)
    }

    /// See [`Sql::log_delivered`].
    pub(crate) async fn log_delivered(&mut self, l: &LogRow, taken: bool, at: i64) -> Result<bool> {
        on_backend!(self, c => Sql(&mut **c).log_delivered(l, taken, at).await)
    }

    /// See [`Sql::mark_sent`].
    pub(crate) async fn mark_sent(&mut self, r: &OnwardRow, at: i64) -> Result<bool> {
        on_backend!(self, c => Sql(&mut **c).mark_sent(r, at).await)
    }

    /// See [`Sql::delay_report`].
    pub(crate) async fn delay_report(&mut self, r: &OnwardRow, until: i64) -> Result<()> {
        on_backend!(self, c => Sql(&mut **c).delay_report(r, until).await)
    }

    /// See [`Sql::report_for_update`].
    pub(crate) async fn report_for_update(
        &mut self,
        centre: &str,
        seq: i64,
        target: &str,
    ) -> Result<Option<OnwardRow>> {
        on_backend!(self, c => Sql(&mut **c).report_for_update(centre, seq, target).await)
    }

    /// See [`Sql::update_report`].
    pub(crate) async fn update_report(&mut self, r: &OnwardRow) -> Result<()> {
        on_backend!(self, c => Sql(&mut **c).update_report(r).await)
    }

    /// See [`Sql::reports_of`].
    pub(crate) async fn reports_of(
        &mut self,
        centre: &str,
        after: i64,
        limit: i64,
        entry: Option<i64>,
    ) -> Result<Vec<OnwardRow>> {
        on_backend!(self, c => Sql(&mut **c).reports_of(centre, after, limit, entry).await)
    }

    /// See [`Sql::overdue_reports`].
    pub(crate) async fn overdue_reports(&mut self, centre: &str, cutoff: i64, limit: i64) -> Result<Vec<OnwardRow>> {
        on_backend!(self, c => Sql(&mut **c).overdue_reports(centre, cutoff, limit).await)
    }

    /// See [`Sql::accepted_between`].
    pub(crate) async fn accepted_between(&mut self, centre: &str, from: i64, to: i64) -> Result<Vec<OnwardRow>> {
        on_backend!(self, c => Sql(&mut **c).accepted_between(centre, from, to).await)
    }

    /// See [`Sql::entries_between`].
    pub(crate) async fn entries_between(&mut self, centre: &str, from: i64, to: i64) -> Result<Vec<EntryRow>> {
        on_backend!(self, c => Sql(&mut **c).entries_between(centre, from, to).await)
    }

    /// See [`Sql::next_activity`].
    pub(crate) async fn next_activity(&mut self, centre: &str, from: i64) -> Result<Option<i64>> {
        on_backend!(self, c => Sql(&mut **c).next_activity(centre, from).await)
    }

    /// See [`Sql::insert_notice`].
    pub(crate) async fn insert_notice(
        &mut self,
        centre: &str,
        kind: &str,
        subject: &str,
        due_at: i64,
        raised_at: i64,
        body: &str,
    ) -> Result<Option<i64>> {
        on_backend!(self, c => Sql(&mut **c).insert_notice(centre, kind, subject, due_at, raised_at, body).await)
    }

    /// See [`Sql::notices`].
    pub(crate) async fn notices(&mut self, centre: &str, after: i64, limit: i64) -> Result<Vec<NoticeRow>> {
        on_backend!(self, c => Sql(&mut **c).notices(centre, after, limit).await)
    }

    /// See [`Sql::log_day`].
    pub(crate) async fn log_day(&mut self, centre: &str) -> Result<Option<String>> {
        on_backend!(self, c => Sql(&mut **c).log_day(centre).await)
    }

    /// See [`Sql::set_log_day`].
    pub(crate) async fn set_log_day(&mut self, centre: &str, day: &str) -> Result<()> {
        on_backend!(self, c => Sql(&mut **c).set_log_day(centre, day).await)
    }

    /// See [`Sql::insert_log`].
    pub(crate) async fn insert_log(
        &mut self,
        centre: &str,
        target: &str,
        area: &str,
        day: &str,
        closed_at: i64,
        body: &str,
    ) -> Result<bool> {
        on_backend!(self, c => Sql(&mut **c).insert_log(centre, target, area, day, closed_at, body).await)
    }

    /// See [`Sql::logs`].
    pub(crate) async fn logs(&mut self, centre: &str) -> Result<Vec<(String,)>> {
        on_backend!(self, c => Sql(&mut **c).logs(centre).await)
    }

    /// See [`Sql::entry_row`].
    pub(crate) async fn entry_row(&mut self, centre: &str, seq: i64) -> Result<Option<EntryRow>> {
        on_backend!(self, c => Sql(&mut **c).entry_row(centre, seq).await)
    }

    /// See [`Sql::arm_register_timer`].
    pub(crate) async fn arm_register_timer(&mut self, centre: &str, unit: &str, due: Option<i64>) -> Result<()> {
        on_backend!(self, c => Sql(&mut **c).arm_register_timer(centre, unit, due).await)
    }

    /// See [`Sql::claim_register_timers`].
    pub(crate) async fn claim_register_timers(
        &mut self,
        before: i64,
        limit: i64,
        fired_at: i64,
    ) -> Result<Vec<RegisterTimerRow>> {
        on_backend!(self, c => Sql(&mut **c).claim_register_timers(before, limit, fired_at).await)
    }

    /// See [`Sql::armed_register_units`].
    pub(crate) async fn armed_register_units(&mut self) -> Result<Vec<RegisterTimerRow>> {
        on_backend!(self, c => Sql(&mut **c).armed_register_units().await)
    }

    /// See [`Sql::idempotency_get`].
    pub(crate) async fn idempotency_get(
        &mut self,
        centre: &str,
        actor: &str,
        key: &str,
    ) -> Result<Option<(String, String)>> {
        on_backend!(self, c => Sql(&mut **c).idempotency_get(centre, actor, key).await)
    }

    /// See [`Sql::idempotency_put`].
    pub(crate) async fn idempotency_put(
        &mut self,
        scope: &IdempotencyScope<'_>,
        result: &str,
        at: i64,
    ) -> Result<bool> {
        on_backend!(self, c => Sql(&mut **c).idempotency_put(scope, result, at).await)
    }

    /// Sets the savepoint that keeps one command of a batch apart.
    pub(crate) async fn savepoint(&mut self) -> Result<()> {
        on_backend!(self, c => Sql(&mut **c).savepoint(Savepoint::Set).await)
    }

    /// Keeps what was done since the savepoint.
    pub(crate) async fn release_savepoint(&mut self) -> Result<()> {
        on_backend!(self, c => Sql(&mut **c).savepoint(Savepoint::Release).await)
    }

    /// Undoes what was done since the savepoint.
    pub(crate) async fn rollback_to_savepoint(&mut self) -> Result<()> {
        on_backend!(self, c => Sql(&mut **c).savepoint(Savepoint::RollBack).await)
    }

    /// See [`Sql::ping`].
    pub(crate) async fn ping(&mut self) -> Result<()> {
        on_backend!(self, c => Sql(&mut **c).ping().await)
    }

    /// See [`Sql::case_ids`].
    pub(crate) async fn case_ids(&mut self, after: &str, limit: i64) -> Result<Vec<String>> {
        on_backend!(self, c => Sql(&mut **c).case_ids(after, limit).await)
    }

    /// See [`Sql::alerts_insert`].
    pub(crate) async fn alerts_insert(&mut self, rows: &[AlertRow]) -> Result<Vec<AlertRow>> {
        on_backend!(self, c => Sql(&mut **c).alerts_insert(rows).await)
    }

    /// See [`Sql::alerts_after`].
    pub(crate) async fn alerts_after(&mut self, after: i64, centre: Option<&str>, limit: i64) -> Result<Vec<AlertRow>> {
        on_backend!(self, c => Sql(&mut **c).alerts_after(after, centre, limit).await)
    }

    /// See [`Sql::alerts_last_id`].
    pub(crate) async fn alerts_last_id(&mut self) -> Result<i64> {
        on_backend!(self, c => Sql(&mut **c).alerts_last_id().await)
    }

    /// See [`Sql::alerts_waiting`].
    pub(crate) async fn alerts_waiting(&mut self, consumer: &str) -> Result<bool> {
        on_backend!(self, c => Sql(&mut **c).alerts_waiting(consumer).await)
    }

    /// See [`Sql::cursor_lease`].
    pub(crate) async fn cursor_lease(
        &mut self,
        consumer: &str,
        owner: &str,
        now: i64,
        until: i64,
    ) -> Result<Option<i64>> {
        on_backend!(self, c => Sql(&mut **c).cursor_lease(consumer, owner, now, until).await)
    }

    /// See [`Sql::cursor_advance`].
    pub(crate) async fn cursor_advance(
        &mut self,
        consumer: &str,
        owner: &str,
        last_id: i64,
        release: bool,
    ) -> Result<()> {
        on_backend!(self, c => Sql(&mut **c).cursor_advance(consumer, owner, last_id, release).await)
    }

    /// See [`Sql::open_by_state`].
    pub(crate) async fn open_by_state(&mut self) -> Result<Vec<(String, i64)>> {
        on_backend!(self, c => Sql(&mut **c).open_by_state().await)
    }

    /// See [`Sql::delivery_backlog`].
    pub(crate) async fn delivery_backlog(&mut self) -> Result<Vec<(String, i64)>> {
        on_backend!(self, c => Sql(&mut **c).delivery_backlog().await)
    }

    /// See [`Sql::migrations_prepare`].
    pub(crate) async fn migrations_prepare(&mut self) -> Result<()> {
        on_backend!(self, c => Sql(&mut **c).migrations_prepare().await)
    }

    /// See [`Sql::migrations_applied`].
    pub(crate) async fn migrations_applied(&mut self) -> Result<Vec<(i64, String)>> {
        on_backend!(self, c => Sql(&mut **c).migrations_applied().await)
    }

    /// See [`Sql::sqlx_migrations`].
    pub(crate) async fn sqlx_migrations(&mut self) -> Result<Vec<i64>> {
        on_backend!(self, c => Sql(&mut **c).sqlx_migrations().await)
    }

    /// See [`Sql::sqlx_migration_forget`].
    pub(crate) async fn sqlx_migration_forget(&mut self, version: i64) -> Result<()> {
        on_backend!(self, c => Sql(&mut **c).sqlx_migration_forget(version).await)
    }

    /// See [`Sql::migration_run`].
    pub(crate) async fn migration_run(&mut self, script: &str) -> Result<()> {
        on_backend!(self, c => Sql(&mut **c).migration_run(script).await)
    }

    /// See [`Sql::migration_record`].
    pub(crate) async fn migration_record(
        &mut self,
        version: i64,
        description: &str,
        checksum: &str,
        at: i64,
    ) -> Result<()> {
        on_backend!(self, c => Sql(&mut **c).migration_record(version, description, checksum, at).await)
    }

    /// See [`Sql::token_insert`].
    pub(crate) async fn token_insert(&mut self, row: &TokenRow) -> Result<()> {
        on_backend!(self, c => Sql(&mut **c).token_insert(row).await)
    }

    /// See [`Sql::token_get`].
    pub(crate) async fn token_get(&mut self, id: &str) -> Result<Option<TokenRow>> {
        on_backend!(self, c => Sql(&mut **c).token_get(id).await)
    }

    /// See [`Sql::token_list`].
    pub(crate) async fn token_list(&mut self) -> Result<Vec<TokenRow>> {
        on_backend!(self, c => Sql(&mut **c).token_list().await)
    }

    /// See [`Sql::token_revoke`].
    pub(crate) async fn token_revoke(&mut self, id: &str, at: i64) -> Result<bool> {
        on_backend!(self, c => Sql(&mut **c).token_revoke(id, at).await)
    }

    /// See [`Sql::queue`].
    pub(crate) async fn queue(
        &mut self,
        centre: &str,
        states: &[&str],
        task: Option<regflow_process::Task>,
        after: Option<&QueueKey>,
        limit: i64,
    ) -> Result<Vec<CaseRow>> {
        on_backend!(self, c => Sql(&mut **c).queue(centre, states, task, after, limit).await)
    }

    /// One page of the cases opened or completed in `[from, to)`, after `after`: see
    /// [`Sql::cases_in_period`].
    pub(crate) async fn cases_between(
        &mut self,
        period: PeriodColumn,
        centre: Option<&str>,
        (from, to): (i64, i64),
        after: Option<(i64, &str)>,
        limit: i64,
    ) -> Result<Vec<ReportRow>> {
        on_backend!(self, c => Sql(&mut **c).cases_in_period(period, centre, (from, to), after, limit).await)
    }

    /// See [`Sql::find_cases`].
    pub(crate) async fn find_cases(
        &mut self,
        centre: &str,
        case_id: &str,
        unit: &str,
        party_id: &str,
        limit: i64,
    ) -> Result<Vec<CaseRow>> {
        on_backend!(self, c => Sql(&mut **c).find_cases(centre, case_id, unit, party_id, limit).await)
    }

    /// See [`Sql::cases_of_party`].
    pub(crate) async fn cases_of_party(&mut self, party_id: &str) -> Result<Vec<CaseRow>> {
        on_backend!(self, c => Sql(&mut **c).cases_of_party(party_id).await)
    }

    /// See [`Sql::overdue`].
    pub(crate) async fn overdue(&mut self, centre: Option<&str>, now: i64, suspended: &str) -> Result<Vec<CaseRow>> {
        on_backend!(self, c => Sql(&mut **c).overdue(centre, now, suspended).await)
    }

    /// See [`Sql::cases_with_clocks_between`].
    pub(crate) async fn cases_with_clocks_between(
        &mut self,
        from: i64,
        to: i64,
        suspended: &str,
    ) -> Result<Vec<String>> {
        on_backend!(self, c => Sql(&mut **c).cases_with_clocks_between(from, to, suspended).await)
    }

    /// See [`Sql::lock_calendars`].
    pub(crate) async fn lock_calendars(&mut self) -> Result<()> {
        on_backend!(self, c => Sql(&mut **c).lock_calendars().await)
    }

    /// See [`Sql::save_calendar`].
    pub(crate) async fn save_calendar(&mut self, row: &CalendarRow) -> Result<i64> {
        on_backend!(self, c => Sql(&mut **c).save_calendar(row).await)
    }

    /// See [`Sql::calendar_head`].
    pub(crate) async fn calendar_head(&mut self) -> Result<Option<i64>> {
        on_backend!(self, c => Sql(&mut **c).calendar_head().await)
    }

    /// See [`Sql::calendar_load`].
    pub(crate) async fn calendar_load(&mut self, seq: i64) -> Result<Option<CalendarRow>> {
        on_backend!(self, c => Sql(&mut **c).calendar_load(seq).await)
    }

    /// See [`Sql::finish_calendar_load`].
    pub(crate) async fn finish_calendar_load(&mut self, seq: i64, at: i64) -> Result<()> {
        on_backend!(self, c => Sql(&mut **c).finish_calendar_load(seq, at).await)
    }

    /// See [`Sql::unfinished_calendar_loads`].
    pub(crate) async fn unfinished_calendar_loads(&mut self) -> Result<Vec<CalendarRow>> {
        on_backend!(self, c => Sql(&mut **c).unfinished_calendar_loads().await)
    }

    /// See [`Sql::calendar_loads`].
    pub(crate) async fn calendar_loads(&mut self) -> Result<Vec<CalendarRow>> {
        on_backend!(self, c => Sql(&mut **c).calendar_loads().await)
    }
}
