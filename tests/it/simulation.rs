//! The month simulation behind the examples is deterministic for a seed.

#[path = "../../examples/support/simulation.rs"]
mod sim;

use regflow::process::PolicyTimeline;

async fn month(seed: u64) -> sim::Outcome {
    sim::simulate(sim::Config {
        seed,
        start: chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
        days: 3,
        per_day: 12,
        database: "sqlite::memory:".into(),
        policies: PolicyTimeline::builtin(),
        progress: false,
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_seed_gives_the_same_month() {
    let (a, b, c) = (month(11).await, month(11).await, month(12).await);
    assert_eq!(a.report.overall, b.report.overall);
    assert_eq!(a.days_used, b.days_used);
    assert_eq!(a.channels, b.channels);
    assert!(a.report.overall.opened > 0);
    assert!(
        a.report.overall != c.report.overall || a.days_used != c.days_used,
        "another seed, another month"
    );
    // Every arrival was opened and every accepted case finished or ended.
    let o = &a.report.overall;
    assert_eq!(o.opened, o.completed + o.not_accepted + o.rejected + o.withdrawn);
}
