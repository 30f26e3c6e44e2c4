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
