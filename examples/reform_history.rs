//! The same month of arrivals under each policy of the Xining reform history (SPEC 3):
//! 2016-01 unified registration, 2016-05, 2017-08 and 2018-07 "高效1113". Prints the
//! promise limits, mean working days, on-time rates and the reduction against the
//! statutory limit, and writes an SVG chart.
//!
//! `cargo run --release --example reform_history [-- --seed 1113 --month 2026-03
//!  --per-day 60 --svg target/reform_history.svg]`

use regflow::process::{ApplicantCategory, KindId, PolicyTimeline, Promise};
use regflow_sim::simulation::{bar_chart, days_in_month, flags, month_start, simulate, Config, ASSUMPTIONS};

fn promise(p: Promise) -> String {
    match p {
        Promise::WorkingDays(n) => n.to_string(),
        Promise::Instant => "instant".into(),
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let f = flags(&["seed", "month", "per-day", "days", "svg"])?;
    let seed: u64 = f.get("seed").map_or(Ok(1113), |s| s.parse())?;
    let start = month_start(f.get("month").map_or("2026-03", String::as_str))?;
    let days: u32 = f.get("days").map_or(Ok(days_in_month(start)), |s| s.parse())?;
    let per_day: u32 = f.get("per-day").map_or(Ok(60), |s| s.parse())?;
    let svg_path = f
        .get("svg")
        .cloned()
        .unwrap_or_else(|| "target/reform_history.svg".into());
    println!("regflow — the Xining reform history: the same {days} days of arrivals from {start} (seed {seed}) under each policy");
    println!("{ASSUMPTIONS}");
    println!();
    let query = KindId::parse("information_query")?;
    let mut rows = Vec::new();
    for policy in PolicyTimeline::builtin().policies() {
        eprintln!("simulating under {} …", policy.id());
        // The policy alone, in force over the simulated month.
        let timeline = PolicyTimeline::from_policies(vec![policy.redated(start.pred_opt().unwrap_or(start))])?;
        let out = simulate(Config {
            seed,
            start,
            days,
            per_day,
            database: "sqlite::memory:".into(),
            policies: timeline,
            progress: false,
        })
        .await?;
        out.exit_unless_something_was_accepted(&format!("under {}", policy.id()));
        eprintln!("  commands refused, by code: {}", out.refusal_summary());
        rows.push((policy.clone(), out));
    }
    println!(
        "{:<16} {:>8} {:>8} {:>8} | {:>9} {:>9} {:>9} | {:>8} | {:>10} {:>10} {:>10}",
        "policy",
        "ind.",
        "org.",
        "query",
        "mean ind",
        "mean org",
        "mean all",
        "on time",
        "reduc. ind",
        "reduc. org",
        "reduc. all"
    );
    let fmt = |x: Option<f64>, pct: bool| {
        x.map_or("—".to_owned(), |v| {
            if pct {
                format!("{:.1}%", v * 100.0)
            } else {
                format!("{v:.2}")
            }
        })
    };
    for (policy, out) in &rows {
        let cat = |c: ApplicantCategory| out.report.by_category.get(&c);
        let ind = cat(ApplicantCategory::Individual);
        let org = cat(ApplicantCategory::Organisation);
        let any = KindId::parse("transfer_second_hand")?;
        println!(
            "{:<16} {:>8} {:>8} {:>8} | {:>9} {:>9} {:>9} | {:>8} | {:>10} {:>10} {:>10}",
            policy.id(),
            promise(policy.promise_for(&any, ApplicantCategory::Individual)),
            promise(policy.promise_for(&any, ApplicantCategory::Organisation)),
            promise(policy.promise_for(&query, ApplicantCategory::Individual)),
            fmt(ind.and_then(|f| f.mean_working_days), false),
            fmt(org.and_then(|f| f.mean_working_days), false),
            fmt(out.report.overall.mean_working_days, false),
            fmt(out.report.overall.on_time_rate, true),
            fmt(ind.and_then(|f| f.reduction_vs_statute), true),
            fmt(org.and_then(|f| f.reduction_vs_statute), true),
            fmt(out.report.overall.reduction_vs_statute, true),
        );
    }
    println!("(the reform reported 86% below the statutory limit under 2018-07: individuals 90%, organisations 83%)");
    let groups: Vec<String> = rows
        .iter()
        .map(|(p, _)| p.id().as_str().trim_start_matches("xining-").to_owned())
        .collect();
    let mean = |c: ApplicantCategory| -> Vec<f64> {
        rows.iter()
            .map(|(_, o)| {
                o.report
                    .by_category
                    .get(&c)
                    .and_then(|f| f.mean_working_days)
                    .unwrap_or(0.0)
            })
            .collect()
    };
    let svg = bar_chart(
        "Xining reform history: mean working days per case, same arrivals under each policy",
        "policy in force",
        &groups,
        &[
            ("individuals".into(), mean(ApplicantCategory::Individual), "#3b7dd8"),
            ("organisations".into(), mean(ApplicantCategory::Organisation), "#e0803a"),
        ],
    );
    if let Some(dir) = std::path::Path::new(&svg_path).parent() {
        std::fs::create_dir_all(dir).ok();
    }
    std::fs::write(&svg_path, svg)?;
    println!("Chart: {svg_path}");
    Ok(())
}
