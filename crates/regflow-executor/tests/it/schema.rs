use regflow_executor::testing::PgDatabase;
use regflow_executor::{Database, Error, MigrationMode};

const TABLES: [&str; 9] = [
    "regflow_alert_cursors",
    "regflow_alerts",
    "regflow_calendars",
    "regflow_case_applicants",
    "regflow_cases",
    "regflow_events",
    "regflow_idempotency_keys",
    "regflow_timers",
    "regflow_tokens",
];

#[tokio::test]
async fn schema_applies_on_sqlite_memory_and_file() {
    let db = Database::connect("sqlite::memory:", MigrationMode::Apply)
        .await
        .unwrap();
    assert_eq!(db.regflow_tables().await.unwrap(), TABLES);
    let dir = std::env::temp_dir().join(format!("regflow-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("cases.db").display());
    let db = Database::connect(&url, MigrationMode::Apply).await.unwrap();
    // Applying twice is a no-op.
    db.migrate().await.unwrap();
    assert_eq!(db.regflow_tables().await.unwrap(), TABLES);
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn skip_leaves_the_schema_alone() {
    let db = Database::connect("sqlite::memory:", MigrationMode::Skip).await.unwrap();
    assert!(db.regflow_tables().await.unwrap().is_empty());
}

#[tokio::test]
async fn unsupported_url_is_refused() {
    let err = Database::connect("mysql://root@localhost/x", MigrationMode::Apply)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::UnsupportedUrl { .. }), "{err}");
    assert_eq!(err.code(), Some(regflow_process::ErrorCode::InvalidArgument));
}

#[tokio::test]
async fn schema_applies_on_postgres() {
    let Some(pg) = PgDatabase::create("schema_applies_on_postgres").await else {
        return;
    };
    let db = Database::connect(pg.url(), MigrationMode::Apply).await.unwrap();
    assert_eq!(db.regflow_tables().await.unwrap(), TABLES);
    db.migrate().await.unwrap();
    drop(db);
    pg.drop().await;
}
