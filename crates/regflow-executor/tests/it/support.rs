//! Test support: a fresh PostgreSQL database per test, from `REGFLOW_PG_URL`.

use sqlx::Connection;

/// A throw-away database created for one test.
pub struct PgDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl PgDatabase {
    /// Creates a database, or says loudly that PostgreSQL tests are skipped when
    /// `REGFLOW_PG_URL` is not set.
    pub async fn create() -> Option<PgDatabase> {
        let Ok(admin_url) = std::env::var("REGFLOW_PG_URL") else {
            // Written to the real stderr, past the test harness's capture, so it is seen.
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr().lock(),
                "SKIPPED: PostgreSQL test — set REGFLOW_PG_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres) to run it"
            );
            return None;
        };
        let name = format!("regflow_test_{}", uuid::Uuid::new_v4().simple());
        let mut conn = sqlx::PgConnection::connect(&admin_url)
            .await
            .expect("REGFLOW_PG_URL is set but PostgreSQL cannot be reached");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.ok();
        let base = admin_url
            .rsplit_once('/')
            .map_or(admin_url.as_str(), |(b, _)| b);
        let url = format!("{base}/{name}");
        Some(PgDatabase {
            admin_url,
            name,
            url,
        })
    }

    /// The URL of the fresh database.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Drops the database.
    pub async fn drop(self) {
        if let Ok(mut conn) = sqlx::PgConnection::connect(&self.admin_url).await {
            sqlx::query(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .execute(&mut conn)
            .await
            .ok();
        }
    }
}
