//! The same month of arrivals under each policy of the Xining reform history (SPEC 3):
//! 2016-01 unified registration, 2016-05, 2017-08 and 2018-07 "高效1113". Prints the
//! promise limits, mean working days, on-time rates and the reduction against the
//! statutory limit, and writes an SVG chart.
//!
//! `cargo run --release --example reform_history [-- --seed 1113 --month 2026-03
//!  --per-day 60 --svg target/reform_history.svg]`

use clap::Parser;
use regflow::process::{ApplicantCategory, KindId, PolicyTimeline, Promise};
use regflow_sim::chart::{self, Bars, Reference, Series};
use regflow_sim::simulation::{simulate, Arrivals, Config, ASSUMPTIONS};
use regflow_sim::write_stdout;
use std::fmt::Write as _;
use std::process::ExitCode;

/// mimalloc serves Rust's allocations and, through its `override` feature, SQLite's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The same arrivals under each policy of the Xining reform history.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    arrivals: Arrivals,
    /// Where to write the chart.
    #[arg(long, default_value = "target/reform_history.svg")]
    svg: std::path::PathBuf,
}

fn promise(p: Promise) -> String {
    match p {
        Promise::WorkingDays(n) => format!("{n} 工作日"),
        Promise::Instant => "即时 instant".into(),
    }
}

#[tokio::main]
async fn main() -> Result<ExitCode, Box<dyn std::error::Error>> {
    let args = Args::parse();
    let base = args.arrivals.config(None, PolicyTimeline::builtin());
    let (seed, start, days) = (base.seed, base.start, base.days);
    let mut s = String::new();
    writeln!(
        s,
        "regflow — 西宁改革历程 the Xining reform history: 同样的 {days} 天到件 the same {days} days of arrivals from {start} (种子 seed {seed}) under each policy"
    )?;
    writeln!(s, "{ASSUMPTIONS}\n")?;
    let query = KindId::parse("information_query")?;
    let mut rows = Vec::new();
    let timeline = PolicyTimeline::builtin();
    let bar = indicatif::ProgressBar::new(timeline.policies().len() as u64)
        .with_style(indicatif::ProgressStyle::with_template("{bar:20} {pos}/{len} {msg}")?);
    for policy in timeline.policies() {
        bar.set_message(format!("模拟 simulating under {}", policy.id()));
        // The policy alone, in force over the simulated month.
        let timeline = PolicyTimeline::from_policies(vec![policy.redated(start.pred_opt().unwrap_or(start))])?;
        let out = simulate(Config { policies: timeline, ..base.clone() }).await?;
        out.exit_unless_something_was_accepted(&format!("under {}", policy.id()));
        rows.push((policy.clone(), out));
        bar.inc(1);
    }
    bar.finish_and_clear();
    writeln!(
        s,
        "{:<16} {:>12} {:>12} {:>14} | {:>9} {:>9} {:>9} | {:>8} | {:>10} {:>10} {:>10}",
        "政策 policy",
        "个人 ind.",
        "单位 org.",
        "查询 query",
        "平均 ind",
        "平均 org",
        "平均 all",
        "按时率",
        "缩短 ind",
        "缩短 org",
        "缩短 all"
    )?;
    let fmt = |x: Option<f64>, pct: bool| {
        x.map_or("—".to_owned(), |v| if pct { format!("{:.1}%", v * 100.0) } else { format!("{v:.2}") })
    };
    let any = KindId::parse("transfer_second_hand")?;
    for (policy, out) in &rows {
        let cat = |c: ApplicantCategory| out.report.by_category.get(&c);
        let ind = cat(ApplicantCategory::Individual);
        let org = cat(ApplicantCategory::Organisation);
        writeln!(
            s,
            "{:<16} {:>12} {:>12} {:>14} | {:>9} {:>9} {:>9} | {:>8} | {:>10} {:>10} {:>10}",
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
        )?;
    }
    for (policy, out) in &rows {
        writeln!(s, "{}: 被拒绝的操作 commands refused, by code: {}", policy.id(), out.refusal_summary())?;
    }
    writeln!(
        s,
        "(平均 mean: 已办结案件的平均工作日 working days per completed case; 缩短 reduction: 较法定30个工作日 against the 30-day limit; the reform reported 86% under 2018-07: individuals 90%, organisations 83%)"
    )?;
    let groups: Vec<String> =
        rows.iter().map(|(p, _)| p.id().as_str().trim_start_matches("xining-").to_owned()).collect();
    let mean = |c: ApplicantCategory| -> Vec<f64> {
        rows.iter()
            .map(|(_, o)| o.report.by_category.get(&c).and_then(|f| f.mean_working_days).unwrap_or(0.0))
            .collect()
    };
    let series = vec![
        Series {
            name: "个人 individuals".into(),
            colour: chart::COLOURS[0],
            values: mean(ApplicantCategory::Individual),
        },
        Series {
            name: "单位 organisations".into(),
            colour: chart::COLOURS[1],
            values: mean(ApplicantCategory::Organisation),
        },
    ];
    chart::write(
        &Bars {
            title:
                "西宁改革历程：同样的到件在各项政策下的平均办理用时 Xining reform history: mean working days per case",
            x_title: "施行的政策 policy in force",
            y_title: "平均办理用时（工作日）mean working days used",
            groups: &groups,
            series: &series,
            references: &[
                Reference::AtValue(3.0, "个人 3 工作日".into()),
                Reference::AtValue(5.0, "单位 5 工作日".into()),
                Reference::AtValue(30.0, "法定 30 工作日".into()),
            ],
            percent: false,
        },
        &args.svg,
    )?;
    writeln!(s, "图 chart: {}", args.svg.display())?;
    Ok(write_stdout(&s))
}
