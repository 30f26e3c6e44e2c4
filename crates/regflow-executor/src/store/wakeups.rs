//! Listening for commits of other processes (see `crate::wake`): PostgreSQL's
//! `LISTEN regflow_timers`, SQLite's `PRAGMA data_version` on a connection of its own.

use std::time::Duration;

use super::Database;

/// The PostgreSQL channel.
#[cfg(feature = "postgres")]
pub(crate) const CHANNEL: &str = "regflow_timers";

/// How often a watcher on SQLite looks whether another connection committed.
pub const SQLITE_POLL: Duration = Duration::from_millis(5);

/// What [`Wakeups::next`] heard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Heard {
    /// A timer due soon was armed elsewhere (PostgreSQL's notification).
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    TimerArmed,
    /// Another connection committed something (SQLite): maybe a timer.
    #[cfg_attr(not(feature = "sqlite"), allow(dead_code))]
    Committed,
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

    /// Returns when another process armed a timer (PostgreSQL) or committed anything
    /// (SQLite). Never returns when there is nothing to listen on.
    pub(crate) async fn next(&mut self) -> Heard {
        match self {
            #[cfg(feature = "postgres")]
            Wakeups::Postgres(listener) => match listener.recv().await {
                Ok(_) => Heard::TimerArmed,
                Err(e) => {
                    tracing::warn!(error = %e, "timer notifications lost; relying on max_idle");
                    *self = Wakeups::Nothing;
                    std::future::pending().await
                }
            },
            #[cfg(feature = "sqlite")]
            Wakeups::Sqlite(conn, seen) => loop {
                tokio::time::sleep(SQLITE_POLL).await;
                let Ok((version,)) = sqlx::query_as::<_, (i64,)>("PRAGMA data_version").fetch_one(&mut *conn).await
                else {
                    continue;
                };
                if version != *seen {
                    *seen = version;
                    return Heard::Committed;
                }
            },
            Wakeups::Nothing => std::future::pending().await,
        }
    }
}
