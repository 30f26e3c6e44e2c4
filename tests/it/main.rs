//! End-to-end tests of the `regflow` facade and the scenario runner.

mod scenarios;
mod simulation;

use regflow::executor::{Database, MigrationMode};
use regflow::process::{ApplicantCategory, Calendar, KindId, OfficeHours, PolicyTimeline};

#[tokio::test]
async fn facade_reaches_both_layers() {
    let hours = OfficeHours::default();
    let accepted = "2025-09-30T02:00:00Z".parse().unwrap();
    let policy = PolicyTimeline::builtin().in_force(hours.local_date(accepted)).unwrap().clone();
    let kind = KindId::parse("first_registration").unwrap();
    let due =
        policy.clocks(&kind, ApplicantCategory::Organisation, accepted).project(&Calendar::builtin(), &hours).unwrap();
    // SPEC 2.2: 2025-09-30 + 30 working days = 2025-11-18 (8-day National Day break).
    assert_eq!(hours.format(due.statutory.due_at), "2025-11-18T18:00:00+08:00");
    let db = Database::connect("sqlite::memory:", MigrationMode::Apply).await.unwrap();
    assert!(!db.regflow_tables().await.unwrap().is_empty());
}
