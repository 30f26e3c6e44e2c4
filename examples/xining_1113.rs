//! One month of the Xining registration centre under the "高效1113" reform, simulated
//! through the engine: arrivals of every kind, category and channel; staff with roles and
//! daily capacity; pledges, suspensions, public notices, rejections, withdrawals, kiosk
//! queries and bank mortgage cancellations. Prints a summary like the reform's own (in
//! Chinese, with the English ids) and writes an SVG chart of working days used.
//!
//! `cargo run --release --example xining_1113 -- --help`

use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};
use regflow::process::{ApplicantCategory, PolicyTimeline};
use regflow_sim::chart::{self, Bars, Reference, Series};
use regflow_sim::simulation::{simulate, Arrivals, Config, Outcome};
use regflow_sim::table;
use regflow_sim::write_stdout;
use std::fmt::Write as _;
use std::process::ExitCode;
use std::sync::Arc;

/// mimalloc serves Rust's allocations and, through its `override` feature, SQLite's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A month of the Xining centre, simulated through regflow.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    arrivals: Arrivals,
    /// Where to keep the cases (default: a temporary SQLite file, removed at the end).
    #[arg(long)]
    database: Option<String>,
    /// Where to write the chart.
    #[arg(long, default_value = "target/xining_1113.svg")]
    svg: std::path::PathBuf,
}

#[tokio::main]
async fn main() -> Result<ExitCode, Box<dyn std::error::Error>> {
    let args = Args::parse();
    let bar = ProgressBar::new(1).with_style(ProgressStyle::with_template("{bar:40} {pos}/{len} 天 days, {msg}")?);
    let progress_bar = bar.clone();
    let cfg = Config {
        progress: Some(Arc::new(move |done, total, cases| {
            progress_bar.set_length(total);
            progress_bar.set_position(done);
            progress_bar.set_message(format!("{cases} 件 cases"));
        })),
        ..args.arrivals.config(args.database.clone(), PolicyTimeline::builtin())
    };
    let out = simulate(cfg.clone()).await?;
    bar.finish_and_clear();
    out.exit_unless_something_was_accepted(&format!("{} days from {}", cfg.days, cfg.start));

    let mut s = String::new();
    s.push_str(&Outcome::heading(&cfg));
    s.push_str(&out.summary());

    // The chart: share of each category's completed cases by working days used.
    let longest = out.days_used.values().flatten().copied().max().unwrap_or(0);
    let last = longest.max(30) as usize;
    let groups: Vec<String> = (0..=last).map(|d| d.to_string()).collect();
    let series: Vec<Series> = ApplicantCategory::ALL
        .iter()
        .zip(chart::COLOURS)
        .map(|(c, colour)| {
            let used = out.days_used.get(c).cloned().unwrap_or_default();
            let total = used.len().max(1) as f64;
            Series {
                name: format!("{} {c} ({} 件)", table::category_zh(*c), used.len()),
                colour,
                values: (0..=last).map(|d| used.iter().filter(|u| **u as usize == d).count() as f64 / total).collect(),
            }
        })
        .collect();
    chart::write(
        &Bars {
            title: "西宁“高效1113”：办结案件的办理用时 Xining 1113: working days used per completed case",
            x_title: "办理用时（工作日）working days used",
            y_title: "占已办结案件 share of completed cases",
            groups: &groups,
            series: &series,
            references: &[
                Reference::AtGroup(3, "个人承诺 3 工作日".into()),
                Reference::AtGroup(5, "单位承诺 5 工作日".into()),
                Reference::AtGroup(30, "法定 30 工作日".into()),
            ],
            percent: true,
        },
        &args.svg,
    )?;
    writeln!(s, "\n图 chart: {}", args.svg.display())?;
    Ok(write_stdout(&s))
}
