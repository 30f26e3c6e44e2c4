//! Wake-ups across processes: a watcher hears at once when another process arms a timer
//! that is due soon, instead of at its next `max_idle` look.
//!
//! PostgreSQL: a transaction that arms a timer due within [`HORIZON`] sends
//! `NOTIFY regflow_timers` (delivered when it commits); watchers `LISTEN`. SQLite has no
//! notifications: a watcher reads `PRAGMA data_version` on a connection of its own every
//! [`SQLITE_POLL`] and, when another connection has committed, looks whether a timer is
//! due. Either way a lost notification costs at most `max_idle`, the watcher's fallback.
//! The listening itself is the store's (`store/wakeups.rs`); this module says when to wake.

use chrono::{DateTime, Utc};

pub use crate::store::SQLITE_POLL;

/// A newly armed timer due sooner than this after its transaction's time wakes the
/// watchers of other processes (later ones are found by their regular look).
pub const HORIZON: chrono::Duration = chrono::Duration::minutes(5);

/// Whether arming timers due at `due` (microseconds) from a transaction at `now` should
/// wake other processes' watchers.
pub(crate) fn worth_waking(now: DateTime<Utc>, due: impl IntoIterator<Item = i64>) -> bool {
    let horizon = crate::clock::micros(now + HORIZON);
    due.into_iter().any(|d| d <= horizon)
}
