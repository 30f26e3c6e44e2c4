//! Persistence: the [`Store`] trait and its SQLite and PostgreSQL implementations.
//!
//! Both backends share one schema shape (`migrations/sqlite`, `migrations/postgres`) and
//! the same SQL text: instants are microseconds since the epoch, flags are 0/1, documents
//! are JSON text (kept byte for byte, so the hash chain can be verified). The
//! implementations differ only in how a write transaction begins and how due timers are
//! claimed (`FOR UPDATE SKIP LOCKED` on PostgreSQL). Only this module contains SQL.

mod rows;
mod sql;

pub use rows::{CalendarRow, CaseRow, EventRow, TimerRow};

use async_trait::async_trait;
use sqlx::{Database, Pool, Transaction};

use crate::error::Result;

/// A backend's connection type.
pub type Conn<S> = <<S as Store>::Db as Database>::Connection;

/// What regflow needs from a database. Every method runs on a connection the caller
/// holds, usually inside a transaction, so a command's writes commit together.
#[async_trait]
pub trait Store: Send + Sync + Clone + 'static {
    /// The sqlx database type.
    type Db: Database;

    /// The connection pool.
    fn pool(&self) -> &Pool<Self::Db>;

    /// Begins a transaction that will write (SQLite: `BEGIN IMMEDIATE`).
    async fn begin_write(&self) -> Result<Transaction<'static, Self::Db>>;

    /// The case row, if the case exists.
    async fn load_case(conn: &mut Conn<Self>, id: &str) -> Result<Option<CaseRow>>;

    /// Inserts a new case row; `false` when a case with that id exists already.
    async fn insert_case(conn: &mut Conn<Self>, row: &CaseRow) -> Result<bool>;

    /// Replaces case rows, each only if it is still at the version given with it, in one
    /// statement; returns how many were replaced (fewer means another writer won).
    async fn update_cases(conn: &mut Conn<Self>, rows: &[(CaseRow, i64)]) -> Result<u64>;

    /// Records the applicants' identifiers of a new case.
    async fn insert_applicants(conn: &mut Conn<Self>, case_id: &str, party_ids: &[String]) -> Result<()>;

    /// The case rows of `ids` (those that exist, in no particular order).
    async fn load_cases(conn: &mut Conn<Self>, ids: &[String]) -> Result<Vec<CaseRow>>;

    /// Appends history entries in one statement; `false` when one of their sequence
    /// numbers exists already.
    async fn insert_events(conn: &mut Conn<Self>, events: &[EventRow]) -> Result<bool>;

    /// Drops the unfired timers in `drop` and arms those in `arm` (already armed or fired
    /// ones are left as they are).
    async fn update_timers(conn: &mut Conn<Self>, drop: &[TimerRow], arm: &[TimerRow]) -> Result<()>;

    /// Whether the unit's latest recorded seizure or release is a seizure.
    async fn unit_seized(conn: &mut Conn<Self>, unit: &str) -> Result<bool>;

    /// Serialises, until the caller's transaction ends, the transactions that record on
    /// `unit`, so a seizure and a transfer of one unit cannot pass each other (PostgreSQL:
    /// a transaction-scoped advisory lock; SQLite has one writer at a time anyway).
    async fn lock_unit(conn: &mut Conn<Self>, unit: &str) -> Result<()>;

    /// The request hash and stored result of an idempotency key.
    async fn idempotency_get(conn: &mut Conn<Self>, key: &str) -> Result<Option<(String, String)>>;

    /// Stores an idempotency key's result; `false` when the key exists already.
    async fn idempotency_put(
        conn: &mut Conn<Self>,
        key: &str,
        case_id: &str,
        request_hash: &str,
        result: &str,
        at: i64,
    ) -> Result<bool>;

    /// Claims up to `limit` unfired timers due strictly before `before`, with their cases,
    /// and marks them fired at `fired_at` — in one statement, inside the caller's
    /// transaction, so a rollback un-claims them. Returned earliest first. On PostgreSQL,
    /// timers or cases locked by another transaction are skipped.
    async fn claim_due(conn: &mut Conn<Self>, before: i64, limit: i64, fired_at: i64) -> Result<Vec<TimerRow>>;

    /// Deletes claimed timers that turned out not to apply any more.
    async fn forget_timers(conn: &mut Conn<Self>, timers: &[TimerRow]) -> Result<()>;

    /// The earliest unfired timer's due instant.
    async fn next_due(conn: &mut Conn<Self>) -> Result<Option<i64>>;

    /// A case's history in sequence order.
    async fn history(conn: &mut Conn<Self>, case_id: &str) -> Result<Vec<EventRow>>;

    /// The ids of open, accepted cases whose deadlines a calendar change in `[from, to)`
    /// may move: their clocks run from before `to` to at or after `from`, or they are
    /// suspended in `suspended` (a public notice's end is not bounded by the statute).
    async fn cases_with_clocks_between(
        conn: &mut Conn<Self>,
        from: i64,
        to: i64,
        suspended: &str,
    ) -> Result<Vec<String>>;

    /// Cases of a centre in given states, in queue order (priority class, promise due,
    /// acceptance); with `task`, only those whose task is pending or failed.
    async fn queue(
        conn: &mut Conn<Self>,
        centre: &str,
        states: &[&str],
        task: Option<&str>,
        limit: i64,
    ) -> Result<Vec<CaseRow>>;

    /// Cases an applicant is party to, newest first.
    async fn cases_of_party(conn: &mut Conn<Self>, party_id: &str) -> Result<Vec<CaseRow>>;

    /// Running cases of a centre whose promise or statutory deadline is before `now`.
    async fn overdue(conn: &mut Conn<Self>, centre: Option<&str>, now: i64) -> Result<Vec<CaseRow>>;

    /// Cases opened in `[from, to)`, optionally of one centre.
    async fn opened_between(conn: &mut Conn<Self>, centre: Option<&str>, from: i64, to: i64) -> Result<Vec<CaseRow>>;

    /// Serialises calendar loads until the caller's transaction ends, so no two loads
    /// merge into the same head (PostgreSQL: a self-conflicting table lock that plain reads
    /// pass; SQLite has one writer at a time anyway).
    async fn lock_calendars(conn: &mut Conn<Self>) -> Result<()>;

    /// Records a calendar load (its `seq` is ignored); returns the sequence number given.
    async fn save_calendar(conn: &mut Conn<Self>, row: &CalendarRow) -> Result<i64>;

    /// The newest calendar load's sequence number, if any calendar was loaded.
    async fn calendar_head(conn: &mut Conn<Self>) -> Result<Option<i64>>;

    /// The calendar load `seq`.
    async fn calendar_load(conn: &mut Conn<Self>, seq: i64) -> Result<Option<CalendarRow>>;

    /// Every calendar load, oldest first.
    async fn calendar_loads(conn: &mut Conn<Self>) -> Result<Vec<CalendarRow>>;
}

/// The SQLite store.
#[cfg(feature = "sqlite")]
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: sqlx::SqlitePool,
}

#[cfg(feature = "sqlite")]
impl SqliteStore {
    /// A store over a pool whose schema is migrated.
    pub fn new(pool: sqlx::SqlitePool) -> Self {
        SqliteStore { pool }
    }
}

/// The PostgreSQL store.
#[cfg(feature = "postgres")]
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: sqlx::PgPool,
}

#[cfg(feature = "postgres")]
impl PgStore {
    /// A store over a pool whose schema is migrated.
    pub fn new(pool: sqlx::PgPool) -> Self {
        PgStore { pool }
    }
}

#[cfg(feature = "sqlite")]
sql::impl_store!(SqliteStore, sqlx::Sqlite, "BEGIN IMMEDIATE", "", "", "");

#[cfg(feature = "postgres")]
sql::impl_store!(
    PgStore,
    sqlx::Postgres,
    "BEGIN",
    " FOR UPDATE OF t, c SKIP LOCKED",
    "SELECT pg_advisory_xact_lock(hashtextextended($1, 7113))",
    "LOCK TABLE regflow_calendars IN SHARE ROW EXCLUSIVE MODE"
);
