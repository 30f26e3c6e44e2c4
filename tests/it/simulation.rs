//! The month simulation behind the examples is deterministic for a seed.

use regflow_sim::simulation as sim;

use regflow::process::PolicyTimeline;

async fn month(seed: u64) -> sim::Outcome {
    month_from(seed, chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()).await
}

async fn month_from(seed: u64, start: chrono::NaiveDate) -> sim::Outcome {
    sim::simulate(sim::Config {
        seed,
        start,
        days: 3,
        per_day: 12,
        database: None,
        policies: PolicyTimeline::builtin(),
        progress: None,
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
    assert!(a.report.overall != c.report.overall || a.days_used != c.days_used, "another seed, another month");
    // Every arrival was opened and every accepted case finished or ended.
    let o = &a.report.overall;
    assert_eq!(o.opened, o.completed + o.not_accepted + o.rejected + o.withdrawn);
    // Mortgages name the bank beside the mortgagor, so no withdrawal misses its consent.
    assert!(!a.refusals.contains_key(&Some(regflow::process::ErrorCode::PartialWithdrawal)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_are_counted_by_code() {
    // Before the first policy (2016-01-01) no case can be accepted: the run says why.
    let out = month_from(7, chrono::NaiveDate::from_ymd_opt(2015, 6, 1).unwrap()).await;
    assert_eq!(out.report.overall.accepted, 0);
    let no_policy = out.refusals[&Some(regflow::process::ErrorCode::NoPolicyInForce)];
    assert!(no_policy > 0);
    assert!(out.refusal_summary().starts_with(&format!("no_policy_in_force {no_policy}")));
}
