use regflow_executor::testing::PgDatabase;
use regflow_executor::{Database, Error, MigrationMode};

const TABLES: [&str; 25] = [
    "regflow_alert_cursors",
    "regflow_alerts",
    "regflow_calendars",
    "regflow_case_applicants",
    "regflow_cases",
    "regflow_certificate_numbers",
    "regflow_certificates",
    "regflow_events",
    "regflow_idempotency_keys",
    "regflow_log_days",
    "regflow_migrations",
    "regflow_notices",
    "regflow_query_log",
    "regflow_query_log_heads",
    "regflow_query_results",
    "regflow_register_entries",
    "regflow_register_heads",
    "regflow_register_logs",
    "regflow_register_timers",
    "regflow_report_log",
    "regflow_report_sequences",
    "regflow_reports",
    "regflow_signing_keys",
    "regflow_timers",
    "regflow_tokens",
];

#[tokio::test]
async fn schema_applies_on_sqlite_memory_and_file() {
    let db = Database::connect("sqlite::memory:", MigrationMode::Apply).await.unwrap();
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
    let err = Database::connect("mysql://root@localhost/x", MigrationMode::Apply).await.unwrap_err();
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

/// A host application's own sqlx migration: version 1, a table of its own.
fn host_migrator() -> sqlx::migrate::Migrator {
    use sqlx::migrate::{Migration, MigrationType, Migrator};
    use std::borrow::Cow;
    let m = Migration::new(
        1,
        Cow::Borrowed("host things"),
        MigrationType::Simple,
        Cow::Borrowed("CREATE TABLE host_things (id INTEGER PRIMARY KEY)"),
        false,
    );
    Migrator { migrations: Cow::Owned(vec![m]), ..Migrator::DEFAULT }
}

#[tokio::test]
async fn migrations_keep_to_their_own_table_and_adopt_old_records() {
    let dir = std::env::temp_dir().join(format!("regflow-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("host.db").display());
    // A database migrated by an earlier regflow, which recorded its versions in sqlx's table.
    let db = Database::connect(&url, MigrationMode::Skip).await.unwrap();
    let pool = match &db {
        Database::Sqlite(p) => p.clone(),
        _ => unreachable!(),
    };
    let mut old = sqlx::migrate!("./migrations/sqlite");
    old.set_ignore_missing(true);
    old.run(&pool).await.unwrap();
    // regflow adopts those records and leaves sqlx's table to the host …
    db.migrate().await.unwrap();
    let ours: Vec<(i64,)> = sqlx::query_as("SELECT version FROM regflow_migrations").fetch_all(&pool).await.unwrap();
    assert_eq!(ours.len(), sqlx::migrate!("./migrations/sqlite").iter().count());
    let left: Vec<(i64,)> = sqlx::query_as("SELECT version FROM _sqlx_migrations").fetch_all(&pool).await.unwrap();
    assert!(left.is_empty(), "{left:?}");
    // … whose own strict migrator now runs without meeting versions it does not know.
    host_migrator().run(&pool).await.unwrap();
    db.migrate().await.unwrap();
    let host: Vec<(i64,)> = sqlx::query_as("SELECT version FROM _sqlx_migrations").fetch_all(&pool).await.unwrap();
    assert_eq!(host, vec![(1,)]);
    // A migration changed after it was applied is refused.
    sqlx::query("UPDATE regflow_migrations SET checksum = 'edited' WHERE version = (SELECT MAX(version) FROM regflow_migrations)")
        .execute(&pool)
        .await
        .unwrap();
    let err = db.migrate().await.unwrap_err();
    assert!(matches!(err, Error::Migrate(_)), "{err}");
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn a_host_migrator_and_regflow_share_a_postgres_database() {
    let Some(pg) = PgDatabase::create("a_host_migrator_and_regflow_share_a_postgres_database").await else {
        return;
    };
    let pool = sqlx::PgPool::connect(pg.url()).await.unwrap();
    host_migrator().run(&pool).await.unwrap();
    let db = Database::Postgres(pool.clone());
    db.migrate().await.unwrap();
    assert_eq!(db.regflow_tables().await.unwrap(), TABLES);
    host_migrator().run(&pool).await.unwrap();
    let host: Vec<(i64,)> = sqlx::query_as("SELECT version FROM _sqlx_migrations").fetch_all(&pool).await.unwrap();
    assert_eq!(host, vec![(1,)]);
    // The engine runs on the host's own pool.
    let engine = regflow_executor::Engine::builder_on(db).build().await.unwrap();
    assert_eq!(engine.database().pool_status().2, pool.options().get_max_connections());
    pool.close().await;
    pg.drop().await;
}

#[tokio::test]
async fn the_pool_size_is_configurable() {
    let dir = std::env::temp_dir().join(format!("regflow-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("sized.db").display());
    let engine = regflow_executor::Engine::builder(&url).pool_size(3).build().await.unwrap();
    assert_eq!(engine.database().pool_status().2, 3);
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn sqlite_commits_are_durable_by_default() {
    let dir = std::env::temp_dir().join(format!("regflow-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("durable.db");
    for (suffix, expected) in [("", 2), ("?synchronous=full", 2), ("?synchronous=normal", 1)] {
        let db =
            Database::connect(&format!("sqlite://{}{suffix}", path.display()), MigrationMode::Apply).await.unwrap();
        let Database::Sqlite(pool) = &db else { unreachable!() };
        let (level,): (i64,) = sqlx::query_as("PRAGMA synchronous").fetch_one(pool).await.unwrap();
        assert_eq!(level, expected, "synchronous for `{suffix}` (2 = FULL, 1 = NORMAL)");
        let (mode,): (String,) = sqlx::query_as("PRAGMA journal_mode").fetch_one(pool).await.unwrap();
        assert_eq!(mode, "wal");
    }
    let err = Database::connect(&format!("sqlite://{}?synchronous=off", path.display()), MigrationMode::Apply)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(regflow_process::ErrorCode::InvalidArgument));
    std::fs::remove_dir_all(dir).ok();
}
