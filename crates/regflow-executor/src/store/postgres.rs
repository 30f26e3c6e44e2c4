//! What PostgreSQL does differently: concurrent writers, so the due-timer claim skips rows
//! other workers hold, recording on a unit takes an advisory lock and calendar loads a
//! table lock; and how its pool is opened.

use super::sql::{Dialect, RowsAffected};
use crate::error::Result;

impl Dialect for sqlx::PgConnection {
    const CLAIM_LOCK: &'static str = " FOR UPDATE OF t, c SKIP LOCKED";
    // Self-conflicting, so loads queue; plain reads pass.
    const HEAD_LOCK: &'static str = " FOR UPDATE";
    const SKIP_LOCKED: &'static str = " FOR UPDATE SKIP LOCKED";
    const CALENDAR_LOCK: Option<&'static str> = Some("LOCK TABLE regflow_calendars IN SHARE ROW EXCLUSIVE MODE");
    // Alert writers queue until commit, so alert ids become visible in increasing order
    // and a consumer's cursor never passes an alert committed later.
    const ALERT_LOCK: Option<&'static str> = Some("LOCK TABLE regflow_alerts IN SHARE ROW EXCLUSIVE MODE");
    const DATA_MODIFYING_CTE: bool = true;
    const NOTIFY_TIMERS: Option<&'static str> = Some("SELECT pg_notify('regflow_timers', '')");
    const MIGRATION_LOCK: Option<&'static str> = Some("SELECT pg_advisory_xact_lock(7113, 1)");
    const SQLX_MIGRATIONS_EXISTS: &'static str =
        "SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = '_sqlx_migrations'";
    fn param(n: usize) -> String {
        format!("${n}")
    }
}

impl RowsAffected for sqlx::postgres::PgQueryResult {
    fn rows(&self) -> u64 {
        self.rows_affected()
    }
}

/// Opens a pool of up to `pool_size` connections (default 16).
///
/// A libpq-style URL with several hosts (`postgres://u@h1:5432,h2:5433/db`, optionally
/// `?target_session_attrs=read-write`, the only value regflow knows) connects to the one
/// that is a primary, and a sentinel task follows the primary from then on: when the one in
/// use stops answering or turns read-only, it finds the host that was promoted and points
/// the pool at it, so commands succeed again without a restart.
pub(crate) async fn connect(url: &str, pool_size: Option<u32>) -> Result<sqlx::PgPool> {
    let hosts = host_urls(url)?;
    let options = sqlx::postgres::PgPoolOptions::new()
        .max_connections(pool_size.unwrap_or(16))
        .acquire_timeout(std::time::Duration::from_secs(10));
    if hosts.len() == 1 {
        return Ok(options.connect(&hosts[0]).await?);
    }
    let primary = find_primary(&hosts).await?;
    let pool = options.connect_with(primary.clone()).await?;
    tokio::spawn(follow_primary(pool.clone(), hosts, primary));
    Ok(pool)
}

/// One single-host URL per host of `url`, without `target_session_attrs`.
fn host_urls(url: &str) -> Result<Vec<String>> {
    let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", url));
    let (authority, tail) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let (userinfo, hostlist) = match authority.rsplit_once('@') {
        Some((u, h)) => (format!("{u}@"), h),
        None => (String::new(), authority),
    };
    let (path, query) = tail.split_once('?').unwrap_or((tail, ""));
    let mut params = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("target_session_attrs", "read-write" | "any")) => {}
            Some(("target_session_attrs", other)) => {
                return Err(regflow_process::Refusal::argument(
                    "target_session_attrs",
                    format!("`target_session_attrs={other}`: regflow writes, so it takes read-write (or any)"),
                )
                .into())
            }
            _ => params.push(pair),
        }
    }
    let query = if params.is_empty() { String::new() } else { format!("?{}", params.join("&")) };
    Ok(hostlist.split(',').map(|h| format!("{scheme}://{userinfo}{h}{path}{query}")).collect())
}

/// The options of the first host that answers as a primary (not in recovery).
async fn find_primary(hosts: &[String]) -> Result<sqlx::postgres::PgConnectOptions> {
    use sqlx::Connection;
    let mut last = None;
    for url in hosts {
        let options: sqlx::postgres::PgConnectOptions = url.parse()?;
        let attempt = async {
            let mut conn =
                tokio::time::timeout(std::time::Duration::from_secs(2), sqlx::PgConnection::connect_with(&options))
                    .await
                    .map_err(|_| sqlx::Error::PoolTimedOut)??;
            let (standby,): (bool,) = sqlx::query_as("SELECT pg_is_in_recovery()").fetch_one(&mut conn).await?;
            conn.close().await.ok();
            Ok::<bool, sqlx::Error>(standby)
        };
        match attempt.await {
            Ok(false) => return Ok(options),
            Ok(true) => last = Some(sqlx::Error::Protocol(format!("{url} is a standby"))),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or(sqlx::Error::PoolClosed).into())
}

/// Every quarter second, checks that the pool's host is still the primary; when it is not,
/// points the pool at the host that is. Ends when the pool is closed (`PgPool::close`),
/// or with the runtime.
async fn follow_primary(pool: sqlx::PgPool, hosts: Vec<String>, mut current: sqlx::postgres::PgConnectOptions) {
    while !pool.is_closed() {
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        if let Ok(found) = find_primary(&hosts).await {
            if found.get_host() != current.get_host() || found.get_port() != current.get_port() {
                tracing::warn!(
                    host = found.get_host(),
                    port = found.get_port(),
                    "PostgreSQL primary moved; following it"
                );
                pool.set_connect_options(found.clone());
                current = found;
            }
        }
    }
}

/// regflow's PostgreSQL migrations, embedded.
pub(crate) static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Creates the database `name` through the server at `admin_url` (for test harnesses).
pub(crate) async fn create_database(admin_url: &str, name: &str) -> std::result::Result<(), sqlx::Error> {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(admin_url).await?;
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await?;
    conn.close().await.ok();
    Ok(())
}

/// Drops the database `name` (closing any connection still open to it), if it exists.
pub(crate) async fn drop_database(admin_url: &str, name: &str) -> std::result::Result<(), sqlx::Error> {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(admin_url).await?;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn).await?;
    Ok(())
}

/// The names of regflow's tables present, sorted.
pub(crate) async fn tables(pool: &sqlx::PgPool) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE 'regflow\\_%' ORDER BY tablename",
    )
    .fetch_all(pool)
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn several_hosts_become_one_url_each() {
        let urls =
            host_urls("postgres://u@10.0.0.1:5432,10.0.0.2:5433/reg?target_session_attrs=read-write&sslmode=disable")
                .unwrap();
        assert_eq!(
            urls,
            ["postgres://u@10.0.0.1:5432/reg?sslmode=disable", "postgres://u@10.0.0.2:5433/reg?sslmode=disable"]
        );
        assert_eq!(host_urls("postgres://u@h/db").unwrap(), ["postgres://u@h/db"]);
        assert!(host_urls("postgres://u@a,b/db?target_session_attrs=read-only").is_err());
    }
}
