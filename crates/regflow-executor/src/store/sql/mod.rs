//! Every SQL statement regflow runs, written once for both backends.
//!
//! [`Sql`] wraps a connection of either backend; its methods are plain async functions
//! whose only generic part is the connection type. What differs between the backends (how
//! a write transaction begins, how timers are claimed past other workers' locks, how a unit
//! or the calendar loads are locked) comes from [`Dialect`], implemented in `sqlite.rs` and
//! `postgres.rs`. Both backends accept `$N` placeholders; multi-row statements number them
//! with `placeholders`, in binding order.

mod calendars;
mod certificates;
mod delivery;
pub(crate) mod dialect;
mod onward;
mod queries;
mod reads;
mod register;
mod schema;
mod tokens;
mod writes;

pub(crate) use dialect::{Dialect, RowsAffected};

use super::{CaseRow, CaseUpdate, EventRow, TimerRow};

/// The instant that places a case in a report's period.
#[derive(Debug, Clone, Copy)]
pub(crate) enum PeriodColumn {
    /// When it was opened.
    Created,
    /// When it was completed.
    Completed,
}

/// Which lines of a centre's query log to read: those after `after`, at instants in
/// `[from, to)`, of a unit or a querier, at most `limit`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct QueryLogFilter<'a> {
    pub(crate) centre: &'a str,
    pub(crate) after: i64,
    pub(crate) from: Option<i64>,
    pub(crate) to: Option<i64>,
    pub(crate) unit: Option<&'a str>,
    pub(crate) querier: Option<&'a str>,
    pub(crate) limit: i64,
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

/// Stamps an `impl` block of [`Sql`] with the bounds its statements need of sqlx, so the
/// statements of each concept live in a file of their own under one `where` clause.
macro_rules! statements {
    ($($body:tt)*) => {
        impl<'c, C, DB> $crate::store::sql::Sql<'c, C>
        where
            C: sqlx::Connection<Database = DB> + $crate::store::sql::Dialect,
            DB: sqlx::Database + sqlx::database::HasStatementCache,
            DB::QueryResult: $crate::store::sql::RowsAffected,
            for<'e> &'e mut C: sqlx::Executor<'e, Database = DB>,
            for<'q> DB::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
            for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
            for<'q> Option<&'q str>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
            for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
            for<'q> Option<i64>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
            $crate::store::CaseRow: for<'r> sqlx::FromRow<'r, DB::Row>,
            $crate::store::ReportRow: for<'r> sqlx::FromRow<'r, DB::Row>,
            $crate::store::CaseWithHead: for<'r> sqlx::FromRow<'r, DB::Row>,
            $crate::store::EventRow: for<'r> sqlx::FromRow<'r, DB::Row>,
            $crate::store::TimerRow: for<'r> sqlx::FromRow<'r, DB::Row>,
            $crate::store::TokenRow: for<'r> sqlx::FromRow<'r, DB::Row>,
            $crate::store::AlertRow: for<'r> sqlx::FromRow<'r, DB::Row>,
            $crate::store::CalendarRow: for<'r> sqlx::FromRow<'r, DB::Row>,
            $crate::store::EntryRow: for<'r> sqlx::FromRow<'r, DB::Row>,
            $crate::store::RegisterTimerRow: for<'r> sqlx::FromRow<'r, DB::Row>,
            $crate::store::OnwardRow: for<'r> sqlx::FromRow<'r, DB::Row>,
            $crate::store::NoticeRow: for<'r> sqlx::FromRow<'r, DB::Row>,
            $crate::store::LogRow: for<'r> sqlx::FromRow<'r, DB::Row>,
            $crate::store::CertificateRow: for<'r> sqlx::FromRow<'r, DB::Row>,
            $crate::store::KeyRow: for<'r> sqlx::FromRow<'r, DB::Row>,
            $crate::store::QueryLogRow: for<'r> sqlx::FromRow<'r, DB::Row>,
            $crate::store::QueryResultRow: for<'r> sqlx::FromRow<'r, DB::Row>,
            (Option<i64>,): for<'r> sqlx::FromRow<'r, DB::Row>,
            (i64,): for<'r> sqlx::FromRow<'r, DB::Row>,
            (String,): for<'r> sqlx::FromRow<'r, DB::Row>,
            (String, String): for<'r> sqlx::FromRow<'r, DB::Row>,
            (String, String, String): for<'r> sqlx::FromRow<'r, DB::Row>,
            (String, i64): for<'r> sqlx::FromRow<'r, DB::Row>,
            (i64, String): for<'r> sqlx::FromRow<'r, DB::Row>,
            (i64, i64): for<'r> sqlx::FromRow<'r, DB::Row>,
            (i64, i64, i64): for<'r> sqlx::FromRow<'r, DB::Row>, {
            $($body)*
        }
    };
}
pub(crate) use statements;
