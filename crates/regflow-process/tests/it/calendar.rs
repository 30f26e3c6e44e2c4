use crate::date;
use chrono::Datelike;
use regflow_process::calendar::{Calendar, CalendarError, DayKind};
use regflow_process::ErrorCode;

/// (accepted, N, strict due or the uncovered year, projected due, provisional)
type Vector = (&'static str, u32, Result<&'static str, i32>, &'static str, bool);

/// SPEC 2.2 reference vectors.
const VECTORS: &[Vector] = &[
    ("2025-01-24", 3, Ok("2025-02-05"), "2025-02-05", false),
    ("2025-01-24", 5, Ok("2025-02-07"), "2025-02-07", false),
    ("2026-02-13", 3, Ok("2026-02-25"), "2026-02-25", false),
    ("2026-02-13", 5, Ok("2026-02-27"), "2026-02-27", false),
    ("2024-02-08", 3, Ok("2024-02-19"), "2024-02-19", false),
    ("2024-09-27", 3, Ok("2024-10-08"), "2024-10-08", false),
    ("2025-09-26", 5, Ok("2025-10-10"), "2025-10-10", false),
    ("2025-09-30", 30, Ok("2025-11-18"), "2025-11-18", false),
    ("2025-12-31", 3, Ok("2026-01-06"), "2026-01-06", false),
    ("2026-01-01", 1, Ok("2026-01-04"), "2026-01-04", false),
    ("2026-12-31", 3, Err(2027), "2027-01-06", true),
    // The SPEC 9 example's statutory deadline.
    ("2026-02-13", 30, Ok("2026-04-02"), "2026-04-02", false),
];

#[test]
fn spec_reference_vectors() {
    let cal = Calendar::builtin();
    for &(accepted, n, strict, projected, provisional) in VECTORS {
        let got = cal.add_working_days(date(accepted), n);
        match strict {
            Ok(due) => assert_eq!(got, Ok(date(due)), "{accepted} + {n}"),
            Err(year) => {
                assert_eq!(got, Err(CalendarError::NotCovered { year }), "{accepted} + {n}");
                assert_eq!(got.unwrap_err().code(), ErrorCode::CalendarNotCovered);
            }
        }
        let p = cal.add_working_days_projected(date(accepted), n).unwrap();
        assert_eq!(p.value, date(projected), "{accepted} + {n} projected");
        assert_eq!(p.provisional, provisional, "{accepted} + {n} provisional");
    }
}

#[test]
fn working_days_and_coverage() {
    let cal = Calendar::builtin();
    assert_eq!(cal.is_working_day(date("2026-02-14")), Ok(true)); // adjusted Saturday
    assert_eq!(cal.is_working_day(date("2026-02-17")), Ok(false)); // Spring Festival
    assert_eq!(cal.is_working_day(date("2026-03-07")), Ok(false)); // plain Saturday
    assert_eq!(cal.is_working_day(date("2026-03-09")), Ok(true));
    assert_eq!(cal.is_working_day(date("2027-03-01")), Err(CalendarError::NotCovered { year: 2027 }));
    let p = cal.is_working_day_projected(date("2027-10-01")).unwrap();
    assert!(!p.value && p.provisional);
    assert_eq!(cal.covered_years().collect::<Vec<_>>(), (2016..=2026).collect::<Vec<_>>());
    assert_eq!(cal.working_days_between(date("2025-01-24"), date("2025-02-05")), Ok(3));
    assert_eq!(cal.working_days_between(date("2025-02-05"), date("2025-01-24")), Ok(0));
    assert_eq!(
        cal.working_days_between(date("2026-12-01"), date("2027-01-10")),
        Err(CalendarError::NotCovered { year: 2027 })
    );
    assert_eq!(cal.add_working_days(date("2026-03-07"), 0), Ok(date("2026-03-07")));
}

#[test]
fn builtin_version_is_stable_and_round_trips_through_csv() {
    let cal = Calendar::builtin();
    assert!(cal.version().as_str().starts_with("cal-2016-2026-"), "{}", cal.version());
    let again = Calendar::from_csv(&cal.to_csv()).unwrap();
    assert_eq!(again.version(), cal.version());
    assert_eq!(again.entries().count(), 373);
}

#[test]
fn rfc4180_quoting_and_optional_source() {
    let text = "date,kind,name,source\n\
                2030-01-01,holiday,\"New Year, \"\"元旦\"\"\",\n\
                \"2030-02-02\",\"adjusted_workday\",\"multi\nline\",\"https://x\"\n\
                2030-02-04,holiday,春节,\n";
    let cal = Calendar::from_csv(text).unwrap();
    let names: Vec<_> = cal.entries().map(|e| e.name.clone()).collect();
    assert_eq!(names, ["New Year, \"元旦\"", "multi\nline", "春节"]);
    assert_eq!(cal.entries().nth(1).unwrap().kind, DayKind::AdjustedWorkday);
    assert!(cal.covers(2030) && !cal.covers(2029));
    // A line after a quoted newline is still numbered as in the text.
    let bad = text.replace("2030-02-04,holiday", "2030-02-04,festival");
    check_refused(&bad, 5, "unknown kind `festival`");
    let three = Calendar::from_csv("date,kind,name\n2030-05-01,holiday,劳动节\n").unwrap();
    assert_eq!(three.entries().next().unwrap().source, "");
}

/// An `Invalid` error at `line` with exactly this reason.
fn invalid(line: u64, reason: &str) -> CalendarError {
    CalendarError::Invalid { line, reason: reason.to_owned() }
}

#[track_caller]
fn check_refused(text: &str, line: u64, reason_contains: &str) {
    match Calendar::from_csv(text) {
        Err(CalendarError::Invalid { line: l, reason }) => {
            assert_eq!(l, line, "line for {reason}");
            assert!(reason.contains(reason_contains), "`{reason}` lacks `{reason_contains}`");
            let err = CalendarError::Invalid { line: l, reason };
            assert_eq!(err.code(), ErrorCode::InvalidCalendar);
        }
        other => panic!("expected invalid_calendar at line {line}, got {other:?}"),
    }
}

#[test]
fn loading_errors_name_the_line() {
    let h = "date,kind,name,source\n";
    check_refused("", 1, "empty text");
    check_refused("day,kind,name,source\n2030-01-01,holiday,x,\n", 1, "expected the header");
    check_refused(h, 1, "no entries");
    check_refused(&format!("{h}2030-01-01,holiday,x\n"), 2, "expected 4 fields");
    check_refused(&format!("{h}2030-01-01,holiday,x,,extra\n"), 2, "expected 4 fields");
    check_refused(&format!("{h}2030-01-01,holiday,x,\n2030-13-01,holiday,x,\n"), 3, "malformed date");
    check_refused(&format!("{h}2030-01-01,holiday,x,\n2030-01-02,vacation,x,\n"), 3, "unknown kind `vacation`");
    check_refused(
        &format!("{h}2030-01-01,holiday,x,\n2030-01-02,holiday,x,\n2030-01-01,holiday,y,\n"),
        4,
        "duplicate date 2030-01-01 (first on line 2)",
    );
    // 2030-01-07 is a Monday.
    check_refused(&format!("{h}2030-01-07,adjusted_workday,x,\n"), 2, "only a Saturday or Sunday");
    check_refused(&format!("{h}1999-01-01,holiday,x,\n"), 2, "outside the years");
}

#[test]
fn unknown_kind_message_lists_the_kinds() {
    let text = "date,kind,name,source\n2030-01-01,festival,x,\n";
    let err = Calendar::from_csv(text).unwrap_err();
    assert_eq!(err, invalid(2, "unknown kind `festival` (expected `holiday` or `adjusted_workday`)"));
}

#[test]
fn loading_one_year_merges_and_keeps_the_others() {
    let builtin = Calendar::builtin();
    let y2027 = Calendar::from_csv(
        "date,kind,name,source\n2027-01-01,holiday,元旦,\n2027-02-06,holiday,春节,\n2027-02-07,holiday,春节,\n",
    )
    .unwrap();
    let merged = builtin.merged_with(&y2027);
    assert_eq!(merged.covered_years().collect::<Vec<_>>(), (2016..=2027).collect::<Vec<_>>());
    // The Spring Festival of 2026 is still known: 2026-02-13 + 3 = 2026-02-25.
    assert_eq!(merged.add_working_days(date("2026-02-13"), 3).unwrap(), date("2026-02-25"));
    assert_eq!(builtin.changed_years(&merged).into_iter().collect::<Vec<_>>(), vec![2027]);
    assert_ne!(merged.version(), builtin.version());
    // A revised year replaces just that year: 2020 with one more holiday.
    let mut lines: Vec<String> = builtin
        .entries()
        .filter(|e| e.date.year() == 2020)
        .map(|e| format!("{},{},{},", e.date, e.kind.as_str(), e.name))
        .collect();
    lines.insert(0, "date,kind,name,source".into());
    lines.push("2020-07-01,holiday,临时,".into());
    let revised = builtin.merged_with(&Calendar::from_csv(&lines.join("\n")).unwrap());
    assert_eq!(builtin.changed_years(&revised).into_iter().collect::<Vec<_>>(), vec![2020]);
    assert_eq!(revised.covered_years().count(), 11);
    assert!(!revised.is_working_day(date("2020-07-01")).unwrap());
    assert!(builtin.is_working_day(date("2020-07-01")).unwrap());
    // The same text merged twice is the same calendar.
    assert_eq!(revised.merged_with(&y2027), merged.merged_with(&Calendar::from_csv(&lines.join("\n")).unwrap()));
    assert!(builtin.changed_years(&builtin).is_empty());
}

#[test]
fn a_period_bound_may_be_a_local_time_as_the_pages_write_it() {
    let hours = regflow_process::OfficeHours::default();
    let t = hours.parse_instant("2026-03-04 16:20").unwrap();
    assert_eq!(hours.format(t), "2026-03-04T16:20:00+08:00");
    assert_eq!(hours.parse_instant("2026-03-04T16:20:00+08:00").unwrap(), t);
    assert_eq!(hours.format(hours.parse_instant("2026-03-04").unwrap()), "2026-03-04T00:00:00+08:00");
    let err = hours.parse_instant("2026-03-04 25:00").unwrap_err();
    assert!(err.contains("YYYY-MM-DD HH:MM"), "{err}");
}
