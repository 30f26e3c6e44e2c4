//! Helpers for tests against a real PostgreSQL server, for regflow's own suites and for
//! applications that embed it: a throw-away database per test.

use sqlx::Connection;

/// The environment variable naming the PostgreSQL server tests use.
pub const PG_URL_VAR: &str = "REGFLOW_PG_URL";

/// A database created for one test and dropped by [`PgDatabase::drop`].
#[derive(Debug)]
pub struct PgDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl PgDatabase {
    /// Creates a fresh database on the server named by `REGFLOW_PG_URL` (its user must be
    /// allowed to create databases). Without the variable, writes `SKIPPED: …` to the
    /// process's real standard error — past the test harness's capture, so it is seen —
    /// and returns `None`.
    ///
    /// # Panics
    /// When the variable is set but the server cannot be reached or refuses: a test that
    /// was asked to run on PostgreSQL must not pass silently.
    pub async fn create(test: &str) -> Option<PgDatabase> {
        let Ok(admin_url) = std::env::var(PG_URL_VAR) else {
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr().lock(),
                "SKIPPED: PostgreSQL half of `{test}` — set {PG_URL_VAR} (e.g. postgres://postgres@127.0.0.1:5432/postgres) to run it"
            );
            return None;
        };
        let name = format!("regflow_test_{}", uuid::Uuid::new_v4().simple());
        let mut conn = sqlx::PgConnection::connect(&admin_url)
            .await
            .unwrap_or_else(|e| panic!("{PG_URL_VAR} is set but PostgreSQL cannot be reached: {e}"));
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("cannot create a test database: {e}"));
        conn.close().await.ok();
        let base = admin_url.rsplit_once('/').map_or(admin_url.as_str(), |(b, _)| b);
        let url = format!("{base}/{name}");
        Some(PgDatabase { admin_url, name, url })
    }

    /// The fresh database's URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Drops the database (closing any connection still open to it).
    pub async fn drop(self) {
        if let Ok(mut conn) = sqlx::PgConnection::connect(&self.admin_url).await {
            sqlx::query(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name)).execute(&mut conn).await.ok();
        }
    }
}
