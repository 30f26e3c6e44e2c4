use crate::{at, date};
use regflow_process::policy::{PolicyError, PolicyTimeline, Promise};
use regflow_process::{ApplicantCategory, ErrorCode, KindId};

fn kind(s: &str) -> KindId {
    KindId::parse(s).unwrap()
}

#[test]
fn builtin_timeline_is_the_xining_reform_history() {
    let t = PolicyTimeline::builtin();
    let ind = ApplicantCategory::Individual;
    let org = ApplicantCategory::Organisation;
    // (date, kind, individual promise, organisation promise, policy id)
    let (wd, now) = (Promise::WorkingDays, Promise::Instant);
    let table = [
        ("2016-01-01", "transfer_second_hand", wd(30), wd(30), "xining-2016-01"),
        ("2016-04-30", "information_query", wd(30), wd(30), "xining-2016-01"),
        ("2016-05-01", "transfer_second_hand", wd(15), wd(30), "xining-2016-05"),
        ("2017-08-01", "mortgage", wd(10), wd(15), "xining-2017-08"),
        ("2018-06-30", "seizure", wd(10), wd(15), "xining-2017-08"),
        ("2018-07-01", "transfer_second_hand", wd(3), wd(5), "xining-2018-07"),
        ("2026-11-26", "information_query", now, now, "xining-2018-07"),
        ("2026-11-26", "mortgage_cancellation", now, now, "xining-2018-07"),
        ("2026-11-26", "cancellation", now, now, "xining-2018-07"),
        ("2026-11-26", "seizure_release", now, now, "xining-2018-07"),
        ("2026-11-26", "first_registration_homestead", wd(3), wd(5), "xining-2018-07"),
    ];
    for (d, k, i, o, id) in table {
        let p = t.in_force(date(d)).unwrap();
        assert_eq!(p.id().as_str(), id, "{d}");
        assert_eq!(p.promise_for(&kind(k), ind), i, "{d} {k}");
        assert_eq!(p.promise_for(&kind(k), org), o, "{d} {k}");
        assert_eq!(p.statutory_days(), 30);
        assert_eq!(p.warning_lead_days(), 1);
        assert_eq!(p.instant_window(), chrono::Duration::minutes(30));
    }
    let err = t.in_force(date("2015-12-31")).unwrap_err();
    assert_eq!(err, PolicyError::NoneInForce { date: date("2015-12-31") });
    assert_eq!(err.code(), ErrorCode::NoPolicyInForce);
    assert!(t.in_force(date("2018-07-01")).unwrap().is_instant(&kind("seizure"), ind));
}

#[test]
fn a_case_binds_the_policy_of_its_acceptance_date() {
    let t = PolicyTimeline::builtin();
    let p = t.in_force(date("2018-06-29")).unwrap();
    let clocks =
        p.clocks(&kind("transfer_second_hand"), ApplicantCategory::Individual, at("2018-06-29T10:00:00+08:00"));
    assert_eq!(clocks.promise(), Promise::WorkingDays(10));
}

const VALID: &str = r#"
[[policy]]
id = "a"
effective_from = 2020-01-01
effective_until = "2021-01-01"
promise = { individual = 5, organisation = 10 }
statutory_days = 20
instant_window_minutes = 15
warning_lead_days = 2
[policy.kinds]
information_query = "instant"
mortgage = { individual = 2, organisation = "instant" }

[[policy]]
id = "b"
effective_from = "2022-01-01"
promise = { individual = 3, organisation = 5 }
"#;

#[test]
fn loads_policies_from_toml() {
    let t = PolicyTimeline::from_toml(VALID).unwrap();
    let a = t.in_force(date("2020-06-01")).unwrap();
    assert_eq!(a.promise_for(&kind("mortgage"), ApplicantCategory::Individual), Promise::WorkingDays(2));
    assert_eq!(a.promise_for(&kind("mortgage"), ApplicantCategory::Organisation), Promise::Instant);
    assert_eq!(a.statutory_days(), 20);
    assert_eq!(a.warning_lead_days(), 2);
    // The gap effective_until leaves has no policy in force.
    assert!(matches!(t.in_force(date("2021-06-01")), Err(PolicyError::NoneInForce { .. })));
    assert_eq!(t.in_force(date("2030-01-01")).unwrap().id().as_str(), "b");
    // Custom kinds validate against the catalogue given.
    let custom = "[[policy]]\nid='c'\neffective_from=2020-01-01\npromise={individual=1,organisation=1}\n[policy.kinds]\nforest_right='instant'\n";
    assert!(PolicyTimeline::from_toml(custom).is_err());
    let t = PolicyTimeline::from_toml_with_kinds(custom, &[kind("forest_right")]).unwrap();
    assert!(t.policies()[0].is_instant(&kind("forest_right"), ApplicantCategory::Individual));
}

#[track_caller]
fn check_invalid(text: &str, entry: &str, reason_contains: &str) {
    match PolicyTimeline::from_toml(text) {
        Err(e @ PolicyError::Invalid { .. }) => {
            assert_eq!(e.code(), ErrorCode::InvalidPolicy);
            let PolicyError::Invalid { entry: got, reason } = e else { unreachable!() };
            assert_eq!(got, entry, "entry for `{reason}`");
            assert!(reason.contains(reason_contains), "`{reason}` lacks `{reason_contains}`");
        }
        other => panic!("expected invalid policy {entry}, got {other:?}"),
    }
}

#[test]
fn validation_errors_name_the_entry() {
    let one = |extra: &str| {
        format!("[[policy]]\nid = \"p\"\neffective_from = 2020-01-01\npromise = {{ individual = 3, organisation = 5 }}\n{extra}")
    };
    check_invalid(&one("[policy.kinds]\nhouseboat = \"instant\"\n"), "`p`.kinds.houseboat", "unknown kind `houseboat`");
    check_invalid(&one("statutory_days = -30\n"), "`p`", "statutory_days: -30 is negative");
    check_invalid(&one("statutory_days = 4294967326\n"), "`p`", "statutory_days: 4294967326 is not between 1 and 1000");
    check_invalid(
        &one("instant_window_minutes = 9223372036854775807\n"),
        "`p`",
        "instant_window_minutes: 9223372036854775807 is not between 1 and 1440",
    );
    check_invalid(&one("warning_lead_days = 31\n"), "`p`", "warning_lead_days: 31 is not between 0 and 30");
    check_invalid(&one("warning_lead_days = -1\n"), "`p`", "warning_lead_days: -1 is negative");
    check_invalid(&one("[policy.kinds]\nmortgage = -2\n"), "`p`.kinds.mortgage", "-2 working days is negative");
    check_invalid(
        "[[policy]]\nid = \"p\"\neffective_from = 2020-01-01\npromise = { individual = -3, organisation = 5 }\n",
        "`p`.promise",
        "individual: -3 working days is negative",
    );
    check_invalid(&one("[policy.kinds]\nmortgage = 0\n"), "`p`.kinds.mortgage", "use \"instant\"");
    check_invalid(&one("[policy.kinds]\nmortgage = \"soon\"\n"), "`p`.kinds.mortgage", "`soon` is not a promise");
    check_invalid(&one("statutory_days = 4\n"), "`p`.promise", "organisation: 5 working days exceeds the statutory 4");
    check_invalid(&one("effective_until = 2019-01-01\n"), "`p`", "is not after effective_from");
    let overlapping = format!(
        "{}\n[[policy]]\nid = \"q\"\neffective_from = 2020-06-01\npromise = {{ individual = 3, organisation = 5 }}\n",
        one("effective_until = 2020-07-01\n")
    );
    check_invalid(&overlapping, "`q`", "effective dates overlap `p`");
    let same_day = format!(
        "{}\n[[policy]]\nid = \"q\"\neffective_from = 2020-01-01\npromise = {{ individual = 3, organisation = 5 }}\n",
        one("")
    );
    check_invalid(&same_day, "`q`", "effective dates overlap `p`");
    let duplicate = format!("{}\n{}", one(""), one("").replace("2020-01-01", "2021-01-01"));
    check_invalid(&duplicate, "`p`", "duplicate policy id");
    check_invalid("", "(none)", "at least one");
    check_invalid(
        &one("").replace("2020-01-01", "\"2020-02-30\""),
        "`p`",
        "effective_from: `2020-02-30` is not a date",
    );
}

#[test]
fn syntax_errors_are_refused() {
    let e = PolicyTimeline::from_toml("[[policy]\nid=").unwrap_err();
    assert!(matches!(e, PolicyError::Syntax { .. }), "{e:?}");
    let e = PolicyTimeline::from_toml(
        "[[policy]]\nid='p'\neffective_from=2020-01-01\npromise={individual=1,organisation=1}\ncolour='red'\n",
    )
    .unwrap_err();
    assert!(e.to_string().contains("colour"), "{e}");
}
