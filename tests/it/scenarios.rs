//! The scenario files in `tests/scenarios/` run through the runner on SQLite and
//! PostgreSQL, compared with their expected outputs. Together they cover every rule of
//! SPEC 5.2; `spec_example.expected.json` is SPEC 9's own output.

use regflow_executor::testing::PgDatabase;
use regflow_sim::scenario;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn scenario_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json") && !p.to_string_lossy().ends_with(".expected.json"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "scenario files missing from {}", dir.display());
    files
}

/// Messages are for people; the comparison checks they exist and leaves their wording free.
/// Certificate hashes differ per run.
fn without_messages(mut v: Value) -> Value {
    for e in v["errors"].as_array_mut().into_iter().flatten() {
        let m = e["message"].as_str().unwrap_or_default();
        assert!(!m.trim().is_empty(), "an error without a message: {e}");
        e["message"] = Value::Null;
    }
    // A certificate's hash covers its case's id, which carries the run's id: it is checked
    // to be a SHA-256, not compared.
    for c in v["certificates"].as_object_mut().into_iter().flat_map(|m| m.values_mut()) {
        let hash = c["hash"].as_str().unwrap_or_default();
        assert!(hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()), "a certificate hash: {c}");
        c["hash"] = Value::Null;
    }
    v
}

async fn check_all(database: &str) {
    for file in scenario_files() {
        check(&file, database).await;
    }
}

async fn check(file: &Path, database: &str) {
    let text = std::fs::read_to_string(file).unwrap();
    let expected_path = file.with_extension("expected.json");
    let expected: Value = serde_json::from_str(&std::fs::read_to_string(&expected_path).unwrap()).unwrap();
    let output = scenario::run(&text, database).await.unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let got = serde_json::to_value(&output).unwrap();
    assert_eq!(
        without_messages(got),
        without_messages(expected),
        "{} differs from {}",
        file.display(),
        expected_path.display()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scenarios_on_sqlite() {
    check_all("sqlite::memory:").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scenarios_on_postgres() {
    let Some(probe) = PgDatabase::create("scenarios_on_postgres_probe").await else {
        return;
    };
    probe.drop().await;
    // Each file on a database of its own: the register is the database's, and two files
    // record on the same units.
    for (i, file) in scenario_files().iter().enumerate() {
        let db = PgDatabase::create(&format!("scenarios_on_postgres_{i}")).await.expect("PostgreSQL answered");
        check(file, db.url()).await;
        db.drop().await;
    }
}

#[tokio::test]
async fn malformed_files_say_where() {
    for (text, needle) in [
        ("{\"steps\": [", "not JSON"),
        ("{\"stops\": []}", "no `steps` array"),
        (
            "{\"steps\": [{\"at\": \"2026-01-05T09:00:00+08:00\", \"command\": \"tick\"}, {\"command\": \"tick\"}]}",
            "step 1 has no `at`",
        ),
        ("{\"steps\": [{\"at\": \"2026-01-05T09:00:00+08:00\"}]}", "step 0 has no `command`"),
        ("{\"centre\": {\"time_zone\": \"Mars/Base\"}, \"steps\": []}", "time_zone"),
    ] {
        let err = scenario::run(text, "sqlite::memory:").await.unwrap_err();
        assert!(err.to_string().contains(needle), "`{err}` lacks `{needle}`");
    }
    // An empty scenario runs and reports nothing.
    let out = scenario::run("{\"steps\": []}", "sqlite::memory:").await.unwrap();
    assert!(out.cases.is_empty() && out.errors.is_empty());
}
