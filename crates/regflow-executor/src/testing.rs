//! The test harness of every regflow crate, and of applications that embed it: a fresh
//! database per test — an SQLite file in a temporary folder, or a throw-away PostgreSQL
//! database on the server named by `REGFLOW_PG_URL` — and [`on_both!`](crate::on_both),
//! which runs one async test body on each.

/// The environment variable naming the PostgreSQL server tests use.
pub const PG_URL_VAR: &str = "REGFLOW_PG_URL";

/// A PostgreSQL database created for one test and dropped by [`PgDatabase::drop`].
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
        crate::store::postgres::create_database(&admin_url, &name)
            .await
            .unwrap_or_else(|e| panic!("{PG_URL_VAR} is set but a test database cannot be created there: {e}"));
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
        crate::store::postgres::drop_database(&self.admin_url, &self.name).await.ok();
    }
}

/// A fresh database for one test, on either backend.
#[derive(Debug)]
pub struct TestDb {
    /// Its URL, for [`crate::Engine::builder`] or `regflow --database`.
    pub url: String,
    pg: Option<PgDatabase>,
    dir: Option<std::path::PathBuf>,
}

impl TestDb {
    /// An SQLite file in a folder of its own under the system's temporary folder.
    ///
    /// # Panics
    /// When the folder cannot be created.
    pub fn sqlite() -> TestDb {
        let dir = std::env::temp_dir().join(format!("regflow-test-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
        let url = format!("sqlite://{}", dir.join("cases.db").display());
        TestDb { url, pg: None, dir: Some(dir) }
    }

    /// A throw-away PostgreSQL database (see [`PgDatabase::create`]); `None`, said on
    /// standard error, without `REGFLOW_PG_URL`.
    pub async fn postgres(test: &str) -> Option<TestDb> {
        let pg = PgDatabase::create(test).await?;
        Some(TestDb { url: pg.url().to_owned(), pg: Some(pg), dir: None })
    }

    /// The folder an SQLite database lives in (`None` on PostgreSQL): room for a test's
    /// other files.
    pub fn dir(&self) -> Option<&std::path::Path> {
        self.dir.as_deref()
    }

    /// Removes the database.
    pub async fn finish(self) {
        if let Some(pg) = self.pg {
            pg.drop().await;
        }
        if let Some(dir) = self.dir {
            std::fs::remove_dir_all(dir).ok();
        }
    }
}

/// Runs the async test body `$body(&TestDb)` on both backends, as the tests `$name::sqlite`
/// and `$name::postgres` (which says `SKIPPED` without `REGFLOW_PG_URL`). The calling
/// crate needs `tokio` with the multi-threaded runtime among its dev-dependencies.
#[macro_export]
macro_rules! on_both {
    ($name:ident, $body:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = $crate::testing::TestDb::sqlite();
                super::$body(&db).await;
                db.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(db) = $crate::testing::TestDb::postgres(stringify!($name)).await else {
                    return;
                };
                super::$body(&db).await;
                db.finish().await;
            }
        }
    };
}
