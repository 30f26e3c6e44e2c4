//! Wake-ups across processes: a watcher hears at once when another process arms a timer
//! that is due soon, instead of at its next `max_idle` look.
//!
//! PostgreSQL: a transaction that arms a timer due within [`HORIZON`] sends
//! `NOTIFY regflow_timers` (delivered when it commits); watchers `LISTEN`. SQLite has no
//! notifications: a watcher reads `PRAGMA data_version` on a connection of its own every
//! [`SQLITE_POLL`] and, when another connection has committed, looks whether a timer is
//! due. Either way a lost notification costs at most `max_idle`, the watcher's fallback.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::database::Database;
use crate::engine::Engine;

/// A newly armed timer due sooner than this after its transaction's time wakes the
/// watchers of other processes (later ones are found by their regular look).
pub const HORIZON: chrono::Duration = chrono::Duration::minutes(5);

/// The PostgreSQL channel.
#[cfg(feature = "postgres")]
pub(crate) const CHANNEL: &str = "regflow_timers";

/// How often a watcher on SQLite looks whether another connection committed.
pub const SQLITE_POLL: Duration = Duration::from_millis(5);

/// Whether arming timers due at `due` (microseconds) from a transaction at `now` should
/// wake other processes' watchers.
pub(crate) fn worth_waking(now: DateTime<Utc>, due: impl IntoIterator<Item = i64>) -> bool {
    let horizon = crate::clock::micros(now + HORIZON);
    due.into_iter().any(|d| d <= horizon)
}

/// What a watcher listens on.
pub(crate) enum Wakeups {
    /// `LISTEN regflow_timers`.
    #[cfg(feature = "postgres")]
    Postgres(sqlx::postgres::PgListener),
    /// A connection of its own and the data version it last saw.
    #[cfg(feature = "sqlite")]
    Sqlite(sqlx::SqliteConnection, i64),
    /// Nothing to listen on (the database could not be reached when the watcher started).
    Nothing,
}

impl Wakeups {
    /// Starts listening (a failure leaves the watcher on its `max_idle` looks).
    pub(crate) async fn start(db: &Database) -> Wakeups {
        let started: Result<Wakeups, sqlx::Error> = match db {
            #[cfg(feature = "postgres")]
            Database::Postgres(pool) => {
                async {
                    let mut listener = sqlx::postgres::PgListener::connect_with(pool).await?;
                    listener.listen(CHANNEL).await?;
                    Ok::<_, sqlx::Error>(Wakeups::Postgres(listener))
                }
                .await
            }
            #[cfg(feature = "sqlite")]
            // An in-memory database lives on its one connection: no other process sees it.
            Database::Sqlite(pool) if pool.options().get_max_connections() == 1 => Ok(Wakeups::Nothing),
            #[cfg(feature = "sqlite")]
            Database::Sqlite(pool) => {
                async {
                    use sqlx::ConnectOptions;
                    // A connection of its own, outside the pool, so the pool keeps its size.
                    let mut conn = pool.connect_options().connect().await?;
                    let (version,): (i64,) = sqlx::query_as("PRAGMA data_version").fetch_one(&mut conn).await?;
                    Ok::<_, sqlx::Error>(Wakeups::Sqlite(conn, version))
                }
                .await
            }
        };
        started.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "cannot listen for timers armed elsewhere; relying on max_idle");
            Wakeups::Nothing
        })
    }

    /// Returns when another process may have armed a timer due before `planned` (the
    /// watcher's next look): a notification arrived (PostgreSQL), or another connection
    /// committed and the earliest timer is due before `planned` (SQLite). Never returns when
    /// there is nothing to listen on.
    #[cfg_attr(not(feature = "sqlite"), allow(unused_variables))]
    pub(crate) async fn next(&mut self, engine: &Engine, planned: DateTime<Utc>) {
        match self {
            #[cfg(feature = "postgres")]
            Wakeups::Postgres(listener) => {
                if let Err(e) = listener.recv().await {
                    tracing::warn!(error = %e, "timer notifications lost; relying on max_idle");
                    *self = Wakeups::Nothing;
                    std::future::pending::<()>().await;
                }
            }
            #[cfg(feature = "sqlite")]
            Wakeups::Sqlite(conn, seen) => loop {
                tokio::time::sleep(SQLITE_POLL).await;
                let Ok((version,)) = sqlx::query_as::<_, (i64,)>("PRAGMA data_version").fetch_one(&mut *conn).await
                else {
                    continue;
                };
                if version == *seen {
                    continue;
                }
                *seen = version;
                // Only a timer earlier than the planned look matters; most are days ahead.
                if engine.next_due().await.ok().flatten().is_some_and(|t| t < planned) {
                    return;
                }
            },
            Wakeups::Nothing => std::future::pending().await,
        }
    }
}
