//! Cost of one due-date computation for N = 1, 3, 5, 30 and 250 working days.
//!
//! Run with `cargo bench -p regflow-process --bench deadlines`. Prints nanoseconds per
//! computation for the index (`add_working_days_projected`), for a whole case projection
//! (both deadlines with warnings), and for a naive day-by-day walk for comparison.

use chrono::{Datelike, Days, NaiveDate, Weekday};
use regflow_process::calendar::{Calendar, OfficeHours};
use regflow_process::deadline::CaseClocks;
use regflow_process::policy::Promise;
use std::hint::black_box;
use std::time::Instant;

const ITERATIONS: u32 = 200_000;

fn dates() -> Vec<NaiveDate> {
    let origin = NaiveDate::from_ymd_opt(2016, 1, 1).unwrap();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..1024)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            origin + Days::new(x % 4000)
        })
        .collect()
}

fn per_op(mut f: impl FnMut(usize)) -> f64 {
    for i in 0..10_000 {
        f(i);
    }
    let start = Instant::now();
    for i in 0..ITERATIONS as usize {
        f(i);
    }
    start.elapsed().as_nanos() as f64 / f64::from(ITERATIONS)
}

fn main() {
    let cal = Calendar::builtin();
    let hours = OfficeHours::default();
    let dates = dates();
    let holidays: std::collections::HashMap<_, _> = cal.entries().map(|e| (e.date, e.kind)).collect();
    let walk = |mut d: NaiveDate, mut n: u32| {
        while n > 0 {
            d = d.succ_opt().unwrap();
            let working = match holidays.get(&d) {
                Some(k) => *k == regflow_process::calendar::DayKind::AdjustedWorkday,
                None => !matches!(d.weekday(), Weekday::Sat | Weekday::Sun),
            };
            if working {
                n -= 1;
            }
        }
        d
    };
    println!("calendar {} — ns per computation ({ITERATIONS} iterations each)", cal.version());
    println!("{:>5} {:>12} {:>16} {:>14}", "N", "index add", "case projection", "day-by-day");
    for n in [1u32, 3, 5, 30, 250] {
        let add = per_op(|i| {
            black_box(cal.add_working_days_projected(black_box(dates[i % dates.len()]), black_box(n)).unwrap());
        });
        let project = per_op(|i| {
            let accepted = hours.closing_on(dates[i % dates.len()]) - chrono::Duration::hours(7);
            let clocks = CaseClocks::start(accepted, Promise::WorkingDays(n.min(30)), 30.max(n), 30, 1);
            black_box(clocks.project(&cal, &hours).unwrap());
        });
        let naive = per_op(|i| {
            black_box(walk(black_box(dates[i % dates.len()]), black_box(n)));
        });
        println!("{n:>5} {add:>12.1} {project:>16.1} {naive:>14.1}");
    }
}
