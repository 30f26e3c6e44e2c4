//! Property tests of the calendar arithmetic.

use chrono::{Datelike, Days, NaiveDate, Weekday};
use proptest::prelude::*;
use regflow_process::calendar::{is_fixed_date_holiday, Calendar, DayKind, OfficeHours};
use regflow_process::deadline::{CaseClocks, Suspension};
use regflow_process::policy::Promise;
use std::collections::HashMap;

fn d0() -> NaiveDate {
    NaiveDate::from_ymd_opt(2016, 1, 1).unwrap()
}

/// Dates in 2016-01-01 ..= 2026-12-31.
fn any_date() -> impl Strategy<Value = NaiveDate> {
    (0u64..4018).prop_map(|n| d0() + Days::new(n))
}

/// A plain day-by-day reading of the calendar data, independent of the index.
struct Walk {
    days: HashMap<NaiveDate, DayKind>,
    cal: Calendar,
}

impl Walk {
    fn new() -> Self {
        let cal = Calendar::builtin();
        let days = cal.entries().map(|e| (e.date, e.kind)).collect();
        Walk { days, cal }
    }

    fn is_working(&self, d: NaiveDate) -> bool {
        match self.days.get(&d) {
            Some(k) => *k == DayKind::AdjustedWorkday,
            None => {
                !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
                    && (self.cal.covers(d.year()) || !is_fixed_date_holiday(d))
            }
        }
    }

    fn add(&self, mut d: NaiveDate, n: u32) -> NaiveDate {
        let mut left = n;
        while left > 0 {
            d = d.succ_opt().unwrap();
            if self.is_working(d) {
                left -= 1;
            }
        }
        d
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn adding_lands_on_a_working_day(d in any_date(), n in 1u32..=250) {
        let cal = Calendar::builtin();
        let due = cal.add_working_days_projected(d, n).unwrap().value;
        prop_assert!(cal.is_working_day_projected(due).unwrap().value);
        prop_assert!(due > d);
    }

    #[test]
    fn adding_is_monotonic(d in any_date(), n in 1u32..=250) {
        let cal = Calendar::builtin();
        let a = cal.add_working_days_projected(d, n).unwrap().value;
        let b = cal.add_working_days_projected(d, n + 1).unwrap().value;
        prop_assert!(a < b);
    }

    #[test]
    fn between_inverts_add(d in any_date(), n in 0u32..=250) {
        let cal = Calendar::builtin();
        let due = cal.add_working_days_projected(d, n).unwrap().value;
        prop_assert_eq!(cal.working_days_between_projected(d, due).unwrap().value, n);
    }

    #[test]
    fn strict_agrees_with_projected_when_covered(d in any_date(), n in 1u32..=60) {
        let cal = Calendar::builtin();
        let p = cal.add_working_days_projected(d, n).unwrap();
        match cal.add_working_days(d, n) {
            Ok(due) => { prop_assert_eq!(due, p.value); prop_assert!(!p.provisional); }
            Err(e) => { prop_assert!(p.provisional, "{e}"); prop_assert!(p.value.year() > 2026); }
        }
    }

    #[test]
    fn index_agrees_with_a_day_by_day_walk(d in any_date(), n in 0u32..=250) {
        let walk = Walk::new();
        let due = walk.cal.add_working_days_projected(d, n).unwrap().value;
        prop_assert_eq!(due, walk.add(d, n));
        prop_assert_eq!(walk.cal.is_working_day_projected(d).unwrap().value, walk.is_working(d));
    }

    #[test]
    fn a_suspension_never_moves_a_deadline_earlier(
        d in any_date(),
        n in 1u32..=30,
        start_hours in 0i64..(24 * 60),
        length_hours in 0i64..(24 * 40),
    ) {
        let cal = Calendar::builtin();
        let hours = OfficeHours::default();
        let accepted = hours.closing_on(d) - chrono::Duration::hours(8);
        let clocks = CaseClocks::start(accepted, Promise::WorkingDays(n), 30, 30, 1);
        let before = clocks.project(&cal, &hours).unwrap();
        let from = accepted + chrono::Duration::hours(start_hours);
        let s = Suspension::new(from, from + chrono::Duration::hours(length_hours)).unwrap();
        let after = clocks.with_suspension(s).project(&cal, &hours).unwrap();
        prop_assert!(after.promise.due_at >= before.promise.due_at);
        prop_assert!(after.statutory.due_at >= before.statutory.due_at);
        if let Some(w) = after.promise.warning_at {
            prop_assert!(w > accepted && !s.contains(w));
        }
    }
}

/// A calendar to load: one year of the built-in data with some holidays dropped or moved,
/// as a revised schedule would.
fn revised_year() -> impl Strategy<Value = (i32, Vec<usize>, i64)> {
    (2016i32..=2027, proptest::collection::vec(0usize..40, 0..6), 1i64..5)
}

fn load_revision(base: &Calendar, (year, dropped, shift): (i32, Vec<usize>, i64)) -> Calendar {
    let mut lines = vec!["date,kind,name,source".to_owned()];
    let entries: Vec<_> = base.entries().filter(|e| e.date.year() == year).collect();
    for (i, e) in entries.iter().enumerate() {
        if dropped.contains(&i) {
            continue;
        }
        lines.push(format!("{},{},{},", e.date, e.kind.as_str(), e.name));
    }
    // A holiday the State Council adds mid-year (as the 2020 Spring Festival extension),
    // on a weekday not already listed.
    let mut extra = NaiveDate::from_ymd_opt(year, 7, 1).unwrap() + Days::new(shift as u64);
    while matches!(extra.weekday(), Weekday::Sat | Weekday::Sun) || entries.iter().any(|e| e.date == extra) {
        extra = extra.succ_opt().unwrap();
    }
    lines.push(format!("{extra},holiday,加,"));
    base.merged_with(&Calendar::from_csv(&lines.join("\n")).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// SPEC 2.4 and 2.1: whatever extension is asked for, whatever suspensions ran and
    /// whatever calendar is loaded, a running deadline is never earlier than acceptance +
    /// its own working days under the calendar that projects it, and an extension or a
    /// suspension never moves it earlier than it was.
    #[test]
    fn no_extension_suspension_or_load_moves_a_deadline_before_its_working_days(
        d in any_date(),
        n in 1u32..=30,
        extensions in proptest::collection::vec(prop_oneof![
            1u64..=40,
            Just(u64::from(u32::MAX)),
            Just(u64::MAX),
            Just(i64::MAX as u64),
            (u64::from(u32::MAX) - 40)..=u64::from(u32::MAX),
        ], 0..4),
        suspension in proptest::option::of((0i64..(24 * 20), 0i64..(24 * 30))),
        revision in proptest::option::of(revised_year()),
    ) {
        let builtin = Calendar::builtin();
        let cal = match revision {
            Some(r) => load_revision(&builtin, r),
            None => builtin.clone(),
        };
        let hours = OfficeHours::default();
        let accepted = hours.closing_on(d) - chrono::Duration::hours(8);
        let mut clocks = CaseClocks::start(accepted, Promise::WorkingDays(n), 30, 30, 1);
        let mut last = clocks.project(&cal, &hours).unwrap();
        if let Some((start, length)) = suspension {
            let from = accepted + chrono::Duration::hours(start);
            let s = Suspension::new(from, from + chrono::Duration::hours(length)).unwrap();
            clocks = clocks.with_suspension(s);
            let now = clocks.project(&cal, &hours).unwrap();
            prop_assert!(now.promise.due_at >= last.promise.due_at);
            prop_assert!(now.statutory.due_at >= last.statutory.due_at);
            last = now;
        }
        for k in extensions {
            match clocks.extended(k, &cal, &hours) {
                Ok(next) => {
                    let now = next.project(&cal, &hours).unwrap();
                    prop_assert!(now.promise.due_at > last.promise.due_at, "extension by {k} moved the promise earlier");
                    prop_assert!(now.promise.due_at <= now.statutory.due_at);
                    prop_assert_eq!(now.statutory.due_at, last.statutory.due_at);
                    clocks = next;
                    last = now;
                }
                Err(e) => prop_assert_eq!(e.code(), regflow_process::ErrorCode::ExceedsStatutory, "{}", e),
            }
        }
        let local = hours.local_date(accepted);
        let floor = |days: u32| hours.closing_on(cal.add_working_days_projected(local, days).unwrap().value);
        prop_assert!(last.promise.due_at >= floor(n + clocks.extension_days()));
        prop_assert!(last.statutory.due_at >= floor(30));
        // Re-projecting with the built-in calendar after a revision obeys the same floor.
        let back = clocks.project(&builtin, &hours).unwrap();
        let floor_b = |days: u32| hours.closing_on(builtin.add_working_days_projected(local, days).unwrap().value);
        prop_assert!(back.promise.due_at >= floor_b(n + clocks.extension_days()));
        prop_assert!(back.statutory.due_at >= floor_b(30));
    }
}
