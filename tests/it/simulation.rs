//! The month simulation behind the examples is deterministic for a seed.

use regflow_sim::simulation as sim;

use regflow::process::PolicyTimeline;

async fn month(seed: u64) -> sim::Outcome {
    month_from(seed, chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()).await
}

async fn month_from(seed: u64, start: chrono::NaiveDate) -> sim::Outcome {
    sim::simulate(config(seed, start, 12, 1)).await.unwrap()
}

fn config(seed: u64, start: chrono::NaiveDate, per_day: u32, centres: u32) -> sim::Config {
    sim::Config {
        seed,
        start,
        days: 3,
        per_day,
        database: None,
        policies: PolicyTimeline::builtin(),
        progress: None,
        centres,
    }
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn centres_side_by_side_are_reported_together() {
    let start = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    // Two centres sharing 25 arrivals a day: the first takes 13 and the run's seed, the
    // second 12 and the next seed — each the month one centre alone would have.
    let both = sim::simulate(config(5, start, 25, 2)).await.unwrap();
    let first = sim::simulate(config(5, start, 13, 1)).await.unwrap();
    let second = sim::simulate(config(6, start, 12, 1)).await.unwrap();
    assert_eq!(both.engines.len(), 2);
    let (o, a, b) = (&both.report.overall, &first.report.overall, &second.report.overall);
    assert!(a.opened > 0 && b.opened > 0);
    assert_eq!(o.opened, a.opened + b.opened);
    assert_eq!(o.completed, a.completed + b.completed);
    assert_eq!(o.evaluations, a.evaluations + b.evaluations);
    // Means and medians are taken over every case of both, not averaged per centre.
    let mut days: Vec<u32> = first.days_used.values().chain(second.days_used.values()).flatten().copied().collect();
    let mut merged: Vec<u32> = both.days_used.values().flatten().copied().collect();
    days.sort_unstable();
    merged.sort_unstable();
    assert_eq!(merged, days);
    let counted = |f: &regflow::executor::Figures| (f.completed - f.completed_instantly) as f64;
    let mean = (a.mean_working_days.unwrap() * counted(a) + b.mean_working_days.unwrap() * counted(b))
        / (counted(a) + counted(b));
    assert!((o.mean_working_days.unwrap() - mean).abs() < 1e-9, "{:?} against {mean}", o.mean_working_days);
    for (channel, n) in &both.channels {
        let alone = first.channels.get(channel).unwrap_or(&0) + second.channels.get(channel).unwrap_or(&0);
        assert_eq!(*n, alone, "{channel}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn centres_need_their_own_databases_and_an_arrival_each() {
    let start = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    let too_many = sim::simulate(config(1, start, 3, 4)).await.err().expect("4 centres for 3 arrivals a day");
    assert!(too_many.to_string().contains("--centres 4 is more than --per-day 3"), "{too_many}");
    let named = sim::Config { database: Some("sqlite::memory:".into()), ..config(1, start, 12, 2) };
    let shared = sim::simulate(named).await.err().expect("two centres in one named database");
    assert!(shared.to_string().contains("drop --database"), "{shared}");
}
