//! Legal periods of the register in calendar days (民法典 Art. 201–203, SPEC 13.4): the
//! 15 days of an objection, the 90 days of an advance notice, the years of a seizure.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::{Calendar, CalendarError, OfficeHours, Projected};

/// Days an objection runs without a lawsuit (不动产登记暂行条例实施细则 Art. 83 / 民法典 Art. 220).
pub const OBJECTION_DAYS: u32 = 15;
/// Days an advance notice runs without the registration it secures (民法典 Art. 221).
pub const ADVANCE_NOTICE_DAYS: u32 = 90;
/// A seizure's default term in years (查扣冻规定 Art. 29: 3 years for real estate).
pub const SEIZURE_TERM_YEARS: u32 = 3;
/// The longest term a seizure or renewal may give.
pub const MAX_TERM_YEARS: u32 = 30;

/// Which days a period's last day moves off (民法典 Art. 203).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RestDays {
    /// Statutory holidays and weekend rest days (adjusted working days count as working).
    #[default]
    HolidaysAndWeekends,
    /// Statutory holidays only.
    HolidaysOnly,
}

impl RestDays {
    /// The stable id used in configuration.
    pub const fn as_str(self) -> &'static str {
        match self {
            RestDays::HolidaysAndWeekends => "holidays_and_weekends",
            RestDays::HolidaysOnly => "holidays_only",
        }
    }

    /// Both settings.
    pub const ALL: [RestDays; 2] = [RestDays::HolidaysAndWeekends, RestDays::HolidaysOnly];
}

crate::ids::stable_id_enum!(RestDays, "rest days setting");

/// A centre's settings for the register's clocks and checks (SPEC 11 `[[centres]]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterSettings {
    /// A seizure's term when it gives none.
    pub seizure_term_years: u32,
    /// Which days a lapse's last day moves off.
    pub rest_days: RestDays,
    /// Whether a seizure's last day moves off rest days too (default: not moved).
    pub seizure_moves_for_rest_days: bool,
    /// Whether `not_the_owner` also refuses a case whose compared parties are empty.
    pub require_parties: bool,
    /// Where entries are reported (SPEC 14.1; default: `national`).
    pub report_targets: Vec<super::report::Target>,
    /// How long a report may stay unaccepted before `report_overdue`.
    pub report_within: chrono::Duration,
    /// Per target, the area codes whose daily log closes every day, even a day with
    /// nothing recorded or accepted (SPEC 14.2, a target's `areas`).
    pub report_areas: std::collections::BTreeMap<super::report::Target, std::collections::BTreeSet<String>>,
    /// How certificate numbers read (SPEC 15.1, `certificate_numbers`).
    pub certificate_numbers: super::certificate::NumberPatterns,
    /// The authority types whose commissions a query accepts (SPEC 15.2, `authorities`).
    pub authorities: Vec<String>,
    /// Working days a deferred query may take (`query_defer_days`).
    pub query_defer_days: u32,
}

impl RegisterSettings {
    /// The (target, area) pairs whose log closes every day.
    pub fn daily_areas(&self) -> impl Iterator<Item = (super::report::Target, &str)> + '_ {
        self.report_targets
            .iter()
            .filter_map(|t| self.report_areas.get(t).map(|areas| (*t, areas)))
            .flat_map(|(t, areas)| areas.iter().map(move |a| (t, a.as_str())))
    }
}

impl Default for RegisterSettings {
    fn default() -> Self {
        RegisterSettings {
            seizure_term_years: SEIZURE_TERM_YEARS,
            rest_days: RestDays::default(),
            seizure_moves_for_rest_days: false,
            require_parties: false,
            report_targets: vec![super::report::Target::National],
            report_within: chrono::Duration::minutes(60),
            report_areas: std::collections::BTreeMap::new(),
            certificate_numbers: super::certificate::NumberPatterns::default(),
            authorities: super::query::DEFAULT_AUTHORITIES.iter().map(|a| (*a).to_owned()).collect(),
            query_defer_days: super::query::DEFAULT_DEFER_DAYS,
        }
    }
}

/// What the register's clocks compute with: the calendar, the centre's hours and settings.
#[derive(Debug, Clone, Copy)]
pub struct LegalClock<'a> {
    /// The working-day calendar (for moving a last day off rest days).
    pub calendar: &'a Calendar,
    /// The centre's time zone.
    pub hours: &'a OfficeHours,
    /// The centre's register settings.
    pub settings: &'a RegisterSettings,
}

impl LegalClock<'_> {
    /// Moves `day` to the first day on or after it that is not a rest day.
    fn off_rest_days(&self, mut day: NaiveDate) -> Result<Projected<NaiveDate>, CalendarError> {
        let mut provisional = false;
        for _ in 0..366 {
            let rest = match self.settings.rest_days {
                RestDays::HolidaysAndWeekends => {
                    let w = self.calendar.is_working_day_projected(day)?;
                    provisional |= w.provisional;
                    !w.value
                }
                RestDays::HolidaysOnly => {
                    let h = self.calendar.is_holiday_projected(day);
                    provisional |= h.provisional;
                    h.value
                }
            };
            if !rest {
                return Ok(Projected { value: day, provisional });
            }
            day = day.succ_opt().ok_or(CalendarError::OutOfRange { date: day })?;
        }
        Err(CalendarError::OutOfRange { date: day })
    }

    /// The end of `days` days from `from`: they run from the next local date to the last
    /// one, moved off rest days, and end at its 24:00.
    ///
    /// # Errors
    /// [`CalendarError::OutOfRange`] outside the calendar's indexable years.
    pub fn days_end(&self, from: DateTime<Utc>, days: u32) -> Result<Projected<DateTime<Utc>>, CalendarError> {
        let start = self.hours.local_date(from);
        let last = start
            .checked_add_days(chrono::Days::new(u64::from(days)))
            .ok_or(CalendarError::OutOfRange { date: start })?;
        let last = self.off_rest_days(last)?;
        Ok(Projected { value: self.end_of(last.value), provisional: last.provisional })
    }

    /// 24:00 local of `day`.
    pub fn end_of(&self, day: NaiveDate) -> DateTime<Utc> {
        self.hours.start_of(day.succ_opt().unwrap_or(day))
    }

    /// The last day of a seizure term of `years` from the local date `from`: the same month
    /// and day `years` later (the month's last day when there is none), moved off rest days
    /// only when the centre says so.
    ///
    /// # Errors
    /// [`CalendarError::OutOfRange`] outside the calendar's indexable years.
    pub fn term_last_day(&self, from: NaiveDate, years: u32) -> Result<NaiveDate, CalendarError> {
        let last = add_years(from, years).ok_or(CalendarError::OutOfRange { date: from })?;
        if self.settings.seizure_moves_for_rest_days {
            Ok(self.off_rest_days(last)?.value)
        } else {
            Ok(last)
        }
    }
}

/// The same month and day `years` later; the month's last day when that day does not exist.
pub fn add_years(from: NaiveDate, years: u32) -> Option<NaiveDate> {
    let year = from.year().checked_add(i32::try_from(years).ok()?)?;
    (0..4).find_map(|back| NaiveDate::from_ymd_opt(year, from.month(), from.day() - back))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    fn fmt(hours: &OfficeHours, t: DateTime<Utc>) -> String {
        hours.format(t)
    }

    /// SPEC 13.7: objection lapses.
    #[test]
    fn objection_vectors() {
        let calendar = Calendar::builtin();
        let hours = OfficeHours::default();
        let settings = RegisterSettings::default();
        let only = RegisterSettings { rest_days: RestDays::HolidaysOnly, ..RegisterSettings::default() };
        let clock = LegalClock { calendar: &calendar, hours: &hours, settings: &settings };
        let holidays_only = LegalClock { settings: &only, ..clock };
        for (recorded, lapses) in [
            ("2026-03-03T10:00:00+08:00", "2026-03-19T00:00:00+08:00"),
            ("2026-02-13T10:00:00+08:00", "2026-03-01T00:00:00+08:00"),
            ("2026-03-06T10:00:00+08:00", "2026-03-24T00:00:00+08:00"),
            ("2026-09-10T10:00:00+08:00", "2026-09-29T00:00:00+08:00"),
            ("2025-09-16T10:00:00+08:00", "2025-10-10T00:00:00+08:00"),
            ("2026-09-16T10:00:00+08:00", "2026-10-09T00:00:00+08:00"),
        ] {
            let end = clock.days_end(at(recorded), OBJECTION_DAYS).unwrap();
            assert_eq!(fmt(&hours, end.value), lapses, "objection recorded {recorded}");
            assert!(!end.provisional);
        }
        let end = holidays_only.days_end(at("2026-03-06T10:00:00+08:00"), OBJECTION_DAYS).unwrap();
        assert_eq!(fmt(&hours, end.value), "2026-03-22T00:00:00+08:00");
    }

    /// SPEC 13.7: advance notices and seizure terms.
    #[test]
    fn advance_notice_and_seizure_vectors() {
        let calendar = Calendar::builtin();
        let hours = OfficeHours::default();
        let settings = RegisterSettings::default();
        let clock = LegalClock { calendar: &calendar, hours: &hours, settings: &settings };
        let end = clock.days_end(at("2025-07-03T10:00:00+08:00"), ADVANCE_NOTICE_DAYS).unwrap();
        assert_eq!(fmt(&hours, end.value), "2025-10-10T00:00:00+08:00");
        let end = clock.days_end(at("2026-03-04T10:00:00+08:00"), ADVANCE_NOTICE_DAYS).unwrap();
        assert_eq!(fmt(&hours, end.value), "2026-06-03T00:00:00+08:00");
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let last = clock.term_last_day(d("2026-03-04"), 3).unwrap();
        assert_eq!(fmt(&hours, clock.end_of(last)), "2029-03-05T00:00:00+08:00");
        let last = clock.term_last_day(d("2024-02-29"), 3).unwrap();
        assert_eq!(last, d("2027-02-28"));
        assert_eq!(fmt(&hours, clock.end_of(last)), "2027-03-01T00:00:00+08:00");
        // An uncovered year is provisional.
        let end = clock.days_end(at("2027-12-20T10:00:00+08:00"), OBJECTION_DAYS).unwrap();
        assert!(end.provisional);
    }
}
