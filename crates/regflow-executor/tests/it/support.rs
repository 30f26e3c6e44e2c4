//! Test support: one suite, run on SQLite and, when `REGFLOW_PG_URL` is set, PostgreSQL.

use chrono::{DateTime, Utc};
use regflow_executor::{Engine, ManualClock};
use regflow_process::{
    Actor, ApplicantCategory, ApplicantInput, Centre, CentreId, Channel, Command, IntakeInput,
    Priority, Role,
};
use sqlx::Connection;

pub const ZHANG: &str = "630102198503120015";
pub const LI: &str = "630102199211080028";
pub const UNIT: &str = "630102001001GB00001F00010001";

/// A fresh database: a SQLite file in a temporary folder, or a PostgreSQL database.
pub struct Db {
    pub url: String,
    pg: Option<PgDatabase>,
    dir: Option<std::path::PathBuf>,
}

impl Db {
    pub async fn sqlite() -> Db {
        let dir =
            std::env::temp_dir().join(format!("regflow-test-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}", dir.join("cases.db").display());
        Db {
            url,
            pg: None,
            dir: Some(dir),
        }
    }

    pub async fn postgres() -> Option<Db> {
        let pg = PgDatabase::create().await?;
        Some(Db {
            url: pg.url.clone(),
            pg: Some(pg),
            dir: None,
        })
    }

    pub async fn finish(self) {
        if let Some(pg) = self.pg {
            pg.drop().await;
        }
        if let Some(dir) = self.dir {
            std::fs::remove_dir_all(dir).ok();
        }
    }
}

/// Runs an async test body on both backends, as `NAME::sqlite` and `NAME::postgres`.
#[macro_export]
macro_rules! on_both {
    ($name:ident, $body:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = $crate::support::Db::sqlite().await;
                super::$body(&db).await;
                db.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(db) = $crate::support::Db::postgres().await else {
                    return;
                };
                super::$body(&db).await;
                db.finish().await;
            }
        }
    };
}

pub fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

pub fn xining() -> CentreId {
    CentreId::new("xining")
}

pub async fn engine(db: &Db, clock: &ManualClock) -> Engine {
    Engine::builder(&db.url)
        .centre(Centre::new("xining"))
        .clock(clock.clone())
        .build()
        .await
        .unwrap()
}

pub fn staff(id: &str, role: Role) -> Actor {
    Actor::new(id, [role], xining())
}

pub fn applicant(id: &str) -> Actor {
    Actor::applicant(id, xining())
}

pub fn intake(kind: &str, channel: Channel) -> IntakeInput {
    IntakeInput {
        kind: kind.into(),
        applicant_category: ApplicantCategory::Individual,
        applicants: vec![
            ApplicantInput {
                name: "张三".into(),
                id: ZHANG.into(),
            },
            ApplicantInput {
                name: "李四".into(),
                id: LI.into(),
            },
        ],
        unit: UNIT.into(),
        channel,
        priority: Priority::Standard,
    }
}

pub fn all_materials(engine: &Engine, kind: &str) -> Vec<String> {
    engine
        .catalogue()
        .get(kind)
        .unwrap()
        .applicant_materials()
        .map(|m| m.id.to_string())
        .collect()
}

pub fn accept(engine: &Engine, kind: &str, channel: Channel) -> Command {
    Command::Accept {
        intake: Some(intake(kind, channel)),
        materials: all_materials(engine, kind),
    }
}

/// A throw-away PostgreSQL database created for one test.
pub struct PgDatabase {
    admin_url: String,
    name: String,
    pub url: String,
}

impl PgDatabase {
    /// Creates a database, or says loudly that the PostgreSQL half is skipped when
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
