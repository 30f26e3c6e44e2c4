use crate::at;
use regflow_process::calendar::{Calendar, OfficeHours};
use regflow_process::deadline::{CaseClocks, DeadlineError, Suspension};
use regflow_process::policy::Promise;
use regflow_process::ErrorCode;

fn clocks(accepted_at: &str, promise: Promise) -> CaseClocks {
    CaseClocks::start(at(accepted_at), promise, 30, 30, 1)
}

fn fmt(t: chrono::DateTime<chrono::Utc>) -> String {
    OfficeHours::default().format(t)
}

#[test]
fn spec9_example_deadlines_and_warning() {
    let cal = Calendar::builtin();
    let hours = OfficeHours::default();
    let d = clocks("2026-02-13T10:00:00+08:00", Promise::WorkingDays(3)).project(&cal, &hours).unwrap();
    assert_eq!(fmt(d.promise.due_at), "2026-02-25T18:00:00+08:00");
    assert_eq!(fmt(d.promise.warning_at.unwrap()), "2026-02-24T18:00:00+08:00");
    assert_eq!(fmt(d.statutory.due_at), "2026-04-02T18:00:00+08:00");
    assert!(!d.provisional());
    assert_eq!(&d.calendar_version, cal.version());
}

/// (accepted_at, promise days, suspensions, expected promise due, expected statutory due)
type Row = (&'static str, u32, &'static [(&'static str, &'static str)], &'static str, &'static str);

const SUSPENSION_TABLE: &[Row] = &[
    // SPEC 2.3: the closings of Tue and Wed fell inside; the promise moves 2 working days.
    (
        "2026-03-02T09:00:00+08:00",
        3,
        &[("2026-03-03T11:00:00+08:00", "2026-03-05T09:00:00+08:00")],
        "2026-03-09T18:00:00+08:00",
        "2026-04-16T18:00:00+08:00",
    ),
    // Suspended and resumed inside one afternoon: no closing inside, nothing moves.
    (
        "2026-03-02T09:00:00+08:00",
        3,
        &[("2026-03-03T11:00:00+08:00", "2026-03-03T17:59:59+08:00")],
        "2026-03-05T18:00:00+08:00",
        "2026-04-14T18:00:00+08:00",
    ),
    // Suspended exactly at closing: that closing is inside [from, to).
    (
        "2026-03-02T09:00:00+08:00",
        3,
        &[("2026-03-03T18:00:00+08:00", "2026-03-04T08:00:00+08:00")],
        "2026-03-06T18:00:00+08:00",
        "2026-04-15T18:00:00+08:00",
    ),
    // Two suspensions add up; a weekend inside does not count.
    (
        "2026-03-02T09:00:00+08:00",
        3,
        &[
            ("2026-03-03T11:00:00+08:00", "2026-03-04T09:00:00+08:00"),
            ("2026-03-06T12:00:00+08:00", "2026-03-09T09:00:00+08:00"),
        ],
        "2026-03-09T18:00:00+08:00",
        "2026-04-16T18:00:00+08:00",
    ),
];

#[test]
fn suspension_moves_running_deadlines() {
    let cal = Calendar::builtin();
    let hours = OfficeHours::default();
    for &(accepted, days, suspensions, promise_due, statutory_due) in SUSPENSION_TABLE {
        let mut c = clocks(accepted, Promise::WorkingDays(days));
        for &(from, to) in suspensions {
            c = c.with_suspension(Suspension::new(at(from), at(to)).unwrap());
        }
        let d = c.project(&cal, &hours).unwrap();
        assert_eq!(fmt(d.promise.due_at), promise_due, "{accepted} {suspensions:?}");
        assert_eq!(fmt(d.statutory.due_at), statutory_due, "{accepted} {suspensions:?}");
    }
}

#[test]
fn warning_is_never_before_acceptance_nor_inside_a_suspension() {
    let cal = Calendar::builtin();
    let hours = OfficeHours::default();
    // 1 working day, accepted in the morning: warned at that day's closing.
    let d = clocks("2026-03-02T10:00:00+08:00", Promise::WorkingDays(1)).project(&cal, &hours).unwrap();
    assert_eq!(fmt(d.promise.warning_at.unwrap()), "2026-03-02T18:00:00+08:00");
    // Accepted after closing (extended hours): that closing is not after acceptance.
    let d = clocks("2026-03-02T19:00:00+08:00", Promise::WorkingDays(1)).project(&cal, &hours).unwrap();
    assert_eq!(d.promise.warning_at, None);
    assert_eq!(fmt(d.promise.due_at), "2026-03-03T18:00:00+08:00");
    // The warning instant of the moved deadline falls inside the suspension: not raised.
    let c = clocks("2026-03-02T10:00:00+08:00", Promise::WorkingDays(2))
        .with_suspension(Suspension::new(at("2026-03-02T12:00:00+08:00"), at("2026-03-04T08:00:00+08:00")).unwrap());
    let d = c.project(&cal, &hours).unwrap();
    assert_eq!(fmt(d.promise.due_at), "2026-03-05T18:00:00+08:00");
    assert_eq!(fmt(d.promise.warning_at.unwrap()), "2026-03-04T18:00:00+08:00");
    let c = clocks("2026-03-02T10:00:00+08:00", Promise::WorkingDays(2))
        .with_suspension(Suspension::new(at("2026-03-04T12:00:00+08:00"), at("2026-03-04T20:00:00+08:00")).unwrap());
    let d = c.project(&cal, &hours).unwrap();
    assert_eq!(fmt(d.promise.due_at), "2026-03-05T18:00:00+08:00");
    assert_eq!(d.promise.warning_at, None, "03-04 18:00 was inside the suspension");
    // Lead 0 raises no warning at all.
    let d = CaseClocks::start(at("2026-03-02T10:00:00+08:00"), Promise::WorkingDays(3), 30, 30, 0)
        .project(&cal, &hours)
        .unwrap();
    assert_eq!(d.promise.warning_at, None);
}

#[test]
fn instant_window_and_provisional_statutory() {
    let cal = Calendar::builtin();
    let hours = OfficeHours::default();
    let d = clocks("2026-11-26T10:00:00+08:00", Promise::Instant).project(&cal, &hours).unwrap();
    assert_eq!(fmt(d.promise.due_at), "2026-11-26T10:30:00+08:00");
    assert_eq!(d.promise.warning_at, None);
    assert!(!d.promise.provisional);
    // 30 working days from 2026-11-26 reach into 2027, whose schedule is not published.
    assert!(d.statutory.provisional);
    assert!(d.provisional());
    assert_eq!(fmt(d.statutory.due_at), "2027-01-08T18:00:00+08:00");
}

#[test]
fn extension_moves_the_promise_only_and_never_past_the_statute() {
    let cal = Calendar::builtin();
    let hours = OfficeHours::default();
    let c = clocks("2026-03-02T09:00:00+08:00", Promise::WorkingDays(3));
    let before = c.project(&cal, &hours).unwrap();
    let e = c.extended(2, &cal, &hours).unwrap();
    let after = e.project(&cal, &hours).unwrap();
    assert_eq!(fmt(after.promise.due_at), "2026-03-09T18:00:00+08:00");
    assert_eq!(after.statutory, before.statutory);
    assert_eq!(e.extension_days(), 2);
    // 3 + 27 = 30 reaches the statutory deadline exactly; one more is refused.
    assert!(c.extended(27, &cal, &hours).is_ok());
    let err = c.extended(28, &cal, &hours).unwrap_err();
    assert!(matches!(err, DeadlineError::ExceedsStatutory { days: 28, .. }), "{err:?}");
    assert_eq!(err.code(), ErrorCode::ExceedsStatutory);
    let instant = clocks("2026-03-02T09:00:00+08:00", Promise::Instant);
    assert_eq!(instant.extended(1, &cal, &hours).unwrap_err().code(), ErrorCode::InvalidArgument);
    assert_eq!(c.extended(0, &cal, &hours).unwrap_err(), DeadlineError::ZeroExtension);
}

#[test]
fn working_days_used_skips_suspended_closings() {
    let cal = Calendar::builtin();
    let hours = OfficeHours::default();
    let c = clocks("2026-03-02T10:00:00+08:00", Promise::WorkingDays(3))
        .with_suspension(Suspension::new(at("2026-03-03T11:00:00+08:00"), at("2026-03-05T09:00:00+08:00")).unwrap());
    // Working days 03-03 … 03-09 are five; the closings of 03-03 and 03-04 were inside.
    let used = c.working_days_used(at("2026-03-09T10:00:00+08:00"), &cal, &hours).unwrap();
    assert_eq!((used.value, used.provisional), (3, false));
    // Completed on the acceptance day: zero days used.
    let c = clocks("2026-03-02T10:00:00+08:00", Promise::WorkingDays(3));
    assert_eq!(c.working_days_used(at("2026-03-02T16:00:00+08:00"), &cal, &hours).unwrap().value, 0);
    // A home visit on Saturday counts from the Monday.
    let c = clocks("2026-03-07T10:00:00+08:00", Promise::WorkingDays(3));
    assert_eq!(c.working_days_used(at("2026-03-09T16:00:00+08:00"), &cal, &hours).unwrap().value, 1);
}

#[test]
fn other_centre_hours() {
    let cal = Calendar::builtin();
    let hours = OfficeHours::parse("Asia/Urumqi", "19:30").unwrap();
    let d = clocks("2026-02-13T10:00:00+06:00", Promise::WorkingDays(3)).project(&cal, &hours).unwrap();
    assert_eq!(hours.format(d.promise.due_at), "2026-02-25T19:30:00+06:00");
    assert!(OfficeHours::parse("Mars/Olympus", "18:00").unwrap_err().contains("time_zone"));
    assert!(OfficeHours::parse("Asia/Shanghai", "6pm").unwrap_err().contains("closing_time"));
}

#[test]
fn reprojection_follows_a_revised_schedule() {
    let hours = OfficeHours::default();
    let revised = Calendar::builtin();
    // The 2020 schedule as first published: Spring Festival 01-24 … 01-30, 02-01 worked.
    let original = Calendar::from_csv(
        "date,kind,name,source\n2020-01-01,holiday,元旦,\n2020-01-19,adjusted_workday,春节,\n\
         2020-01-24,holiday,春节,\n2020-01-25,holiday,春节,\n2020-01-26,holiday,春节,\n\
         2020-01-27,holiday,春节,\n2020-01-28,holiday,春节,\n2020-01-29,holiday,春节,\n\
         2020-01-30,holiday,春节,\n2020-02-01,adjusted_workday,春节,\n",
    )
    .unwrap();
    let c = clocks("2020-01-23T10:00:00+08:00", Promise::WorkingDays(3));
    let first = c.project(&original, &hours).unwrap();
    assert_eq!(fmt(first.promise.due_at), "2020-02-03T18:00:00+08:00");
    let again = c.project(&revised, &hours).unwrap();
    assert_eq!(fmt(again.promise.due_at), "2020-02-05T18:00:00+08:00");
    assert!(again.moved_from(&first));
    assert_ne!(again.calendar_version, first.calendar_version);
    // A provisional deadline firms up when next year's schedule is loaded.
    let c = clocks("2026-12-30T10:00:00+08:00", Promise::WorkingDays(3));
    let provisional = c.project(&revised, &hours).unwrap();
    assert!(provisional.provisional());
    let next_year = format!("{}2027-01-01,holiday,元旦,\n2027-01-04,holiday,test,\n", revised.to_csv());
    let firm = c.project(&Calendar::from_csv(&next_year).unwrap(), &hours).unwrap();
    assert!(!firm.provisional());
    assert_eq!(fmt(provisional.promise.due_at), "2027-01-05T18:00:00+08:00");
    assert_eq!(fmt(firm.promise.due_at), "2027-01-06T18:00:00+08:00");
}

#[test]
fn working_days_left_counts_down_to_zero() {
    use regflow_process::deadline::{ClockKind, Deadline};
    let calendar = regflow_process::Calendar::builtin();
    let hours = regflow_process::OfficeHours::default();
    let t = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&chrono::Utc);
    let due = Deadline {
        clock: ClockKind::Promise,
        due_at: t("2026-03-06T18:00:00+08:00"),
        warning_at: None,
        provisional: false,
    };
    let monday = due.working_days_left(&calendar, &hours, t("2026-03-02T09:00:00+08:00"));
    let thursday = due.working_days_left(&calendar, &hours, t("2026-03-05T09:00:00+08:00"));
    assert!(monday.unwrap() > thursday.unwrap(), "{monday:?} {thursday:?}");
    assert_eq!(due.working_days_left(&calendar, &hours, t("2026-03-09T09:00:00+08:00")), Some(0));
}
