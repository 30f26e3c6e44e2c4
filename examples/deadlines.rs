//! Prints the deadlines regflow computes for the SPEC's reference cases: promise and
//! statutory due times, warnings and whether each is provisional.
//!
//! `cargo run --example deadlines [-- --centre-zone Asia/Shanghai --closing 18:00]`

use chrono::{DateTime, Utc};
use regflow::process::{ApplicantCategory, Calendar, KindId, OfficeHours, PolicyTimeline};

/// The deadlines regflow computes for the SPEC's reference cases.
#[derive(clap::Parser, Debug)]
#[command(version, about)]
struct Args {
    /// The centre's time zone (IANA name).
    #[arg(long, default_value = "Asia/Shanghai")]
    centre_zone: String,
    /// The centre's closing time, HH:MM.
    #[arg(long, default_value = "18:00")]
    closing: String,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = <Args as clap::Parser>::parse();
    let hours = OfficeHours::parse(&args.centre_zone, &args.closing)?;
    let calendar = Calendar::builtin();
    let policies = PolicyTimeline::builtin();
    println!("calendar {} (covers {:?})", calendar.version(), calendar.covered_years().collect::<Vec<_>>());
    println!(
        "{:<26} {:<22} {:<13} {:<10} {:<26} {:<26} {:<26} provisional",
        "accepted", "kind", "category", "policy", "promise due", "warning", "statutory due"
    );
    let cases = [
        ("2016-03-01T10:00:00+08:00", "transfer_second_hand", ApplicantCategory::Individual),
        ("2017-09-01T10:00:00+08:00", "mortgage", ApplicantCategory::Organisation),
        ("2025-01-24T10:00:00+08:00", "transfer_second_hand", ApplicantCategory::Individual),
        ("2026-02-13T10:00:00+08:00", "transfer_new_commercial", ApplicantCategory::Organisation),
        ("2026-11-26T10:00:00+08:00", "information_query", ApplicantCategory::Individual),
        ("2026-12-31T10:00:00+08:00", "change", ApplicantCategory::Individual),
    ];
    for (accepted, kind, category) in cases {
        let accepted: DateTime<Utc> = DateTime::parse_from_rfc3339(accepted)?.with_timezone(&Utc);
        let policy = policies.in_force(hours.local_date(accepted))?;
        let kind = KindId::parse(kind)?;
        let due = policy.clocks(&kind, category, accepted).project(&calendar, &hours)?;
        println!(
            "{:<26} {:<22} {:<13} {:<10} {:<26} {:<26} {:<26} {}",
            hours.format(accepted),
            kind,
            category,
            policy.id().as_str().trim_start_matches("xining-"),
            hours.format(due.promise.due_at),
            due.promise.warning_at.map(|w| hours.format(w)).unwrap_or_else(|| "—".into()),
            hours.format(due.statutory.due_at),
            due.provisional()
        );
    }
    Ok(())
}
