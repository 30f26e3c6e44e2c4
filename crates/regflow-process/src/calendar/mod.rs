//! The working-day calendar (SPEC 2.1–2.2).
//!
//! A [`Calendar`] knows which dates are working days: Monday–Friday unless a statutory
//! holiday, plus the weekend days declared working days (调休上班日). It covers exactly the
//! years its data names. The *strict* arithmetic refuses an uncovered year with
//! [`CalendarError::NotCovered`]; the *projected* arithmetic assumes Monday–Friday minus the
//! fixed-date holidays for such a year and marks its result provisional.
//!
//! Every operation is constant time: a cumulative working-day index spans
//! [`INDEX_FIRST_YEAR`]..=[`INDEX_LAST_YEAR`] and is built once per calendar.

mod csv_text;
mod hours;
mod index;

pub use hours::OfficeHours;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::{Arc, OnceLock};

use crate::error::ErrorCode;
use index::WorkdayIndex;

/// The first year any calendar computation can reach.
pub const INDEX_FIRST_YEAR: i32 = 2000;
/// The last year any calendar computation can reach.
pub const INDEX_LAST_YEAR: i32 = 2199;

/// The official mainland schedules 2016–2026, shipped with the crate.
const BUILTIN_CSV: &str = include_str!("../../data/cn_holidays_2016_2026.csv");

/// What the State Council's schedule says about one date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// A statutory holiday (放假): not a working day.
    Holiday,
    /// A weekend day declared a working day (调休上班日).
    AdjustedWorkday,
}

impl DayKind {
    /// The stable id used in calendar text.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Holiday => "holiday",
            Self::AdjustedWorkday => "adjusted_workday",
        }
    }
}

/// One line of calendar data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarEntry {
    /// The date concerned.
    pub date: NaiveDate,
    /// Holiday or adjusted working day.
    pub kind: DayKind,
    /// The festival's name, e.g. 春节.
    pub name: String,
    /// Where the schedule was published; may be empty.
    pub source: String,
}

/// Identifies the data a calendar was built from; recorded with every computed deadline.
///
/// Two calendars with the same dates and kinds have the same version, whatever their
/// names, sources or line order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CalendarVersion(String);

impl CalendarVersion {
    /// The version as text, e.g. `cal-2016-2026-1a2b3c4d5e6f`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Wraps a version read back from storage.
    pub fn from_stored(text: impl Into<String>) -> Self {
        Self(text.into())
    }
}

impl fmt::Display for CalendarVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

/// Why a calendar computation or a calendar load failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CalendarError {
    /// The strict arithmetic needed a year the calendar has no data for.
    #[error("the calendar does not cover the year {year}")]
    NotCovered {
        /// The first uncovered year the computation needed.
        year: i32,
    },
    /// Calendar text was refused as a whole.
    #[error("invalid calendar at line {line}: {reason}")]
    Invalid {
        /// 1-based line number in the text (the header is line 1).
        line: u64,
        /// What is wrong with that line.
        reason: String,
    },
    /// The computation left the years any calendar can index.
    #[error("the date {date} is outside the years {INDEX_FIRST_YEAR}–{INDEX_LAST_YEAR} regflow computes with")]
    OutOfRange {
        /// The offending date (or the start of the computation that ran out).
        date: NaiveDate,
    },
}

impl CalendarError {
    /// The SPEC 8 code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::NotCovered { .. } => ErrorCode::CalendarNotCovered,
            Self::Invalid { .. } => ErrorCode::InvalidCalendar,
            Self::OutOfRange { .. } => ErrorCode::InvalidArgument,
        }
    }
}

/// A value computed with the projected arithmetic, marked provisional when it needed a
/// year the calendar does not cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Projected<T> {
    /// The computed value.
    pub value: T,
    /// True when an uncovered year was assumed to be Monday–Friday minus fixed holidays.
    pub provisional: bool,
}

/// A working-day calendar. Cheap to clone.
#[derive(Clone)]
pub struct Calendar {
    inner: Arc<Inner>,
}

struct Inner {
    version: CalendarVersion,
    entries: BTreeMap<NaiveDate, CalendarEntry>,
    covered: BTreeSet<i32>,
    index: WorkdayIndex,
}

impl fmt::Debug for Calendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Calendar")
            .field("version", &self.inner.version)
            .field("covered", &self.inner.covered)
            .field("entries", &self.inner.entries.len())
            .finish()
    }
}

impl PartialEq for Calendar {
    fn eq(&self, other: &Self) -> bool {
        self.inner.version == other.inner.version
    }
}

/// The fixed-date statutory holidays assumed for an uncovered year
/// (全国年节及纪念日放假办法 Art. 2): 1 January, 1–2 May, 1–3 October.
pub fn is_fixed_date_holiday(date: NaiveDate) -> bool {
    matches!((date.month(), date.day()), (1, 1) | (5, 1) | (5, 2) | (10, 1) | (10, 2) | (10, 3))
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

impl Calendar {
    /// The official mainland schedules 2016–2026 shipped inside the crate; needs no files.
    pub fn builtin() -> Calendar {
        static BUILTIN: OnceLock<Calendar> = OnceLock::new();
        BUILTIN.get_or_init(|| Calendar::from_csv(BUILTIN_CSV).expect("the built-in calendar data is valid")).clone()
    }

    /// Parses calendar text: a header `date,kind,name,source` (`source` may be empty or
    /// left out), then one line per date, fields optionally quoted as in RFC 4180.
    ///
    /// # Errors
    /// [`CalendarError::Invalid`] with the line number for a malformed line, an unknown
    /// kind, a duplicate date, an adjusted working day on Monday–Friday, a date outside the
    /// indexable years, or text with no entries. Nothing is loaded on error.
    pub fn from_csv(text: &str) -> Result<Calendar, CalendarError> {
        let entries = csv_text::parse(text)?;
        Ok(Self::from_entries(entries))
    }

    /// This calendar with the years that `loaded` covers replaced by `loaded`'s data; every
    /// other year stays as it is (SPEC 2.1: loading merges by year). Loading next year's
    /// schedule on its own keeps the years already known; a revised year replaces just that
    /// year.
    pub fn merged_with(&self, loaded: &Calendar) -> Calendar {
        let mut entries: BTreeMap<NaiveDate, CalendarEntry> = self
            .inner
            .entries
            .iter()
            .filter(|(date, _)| !loaded.covers(date.year()))
            .map(|(d, e)| (*d, e.clone()))
            .collect();
        entries.extend(loaded.inner.entries.iter().map(|(d, e)| (*d, e.clone())));
        Self::from_entries(entries)
    }

    /// The years in which `self` and `other` disagree about a date: a year one covers and
    /// the other does not, or a date they mark differently. Deadlines that touch no such
    /// year compute the same with either calendar.
    pub fn changed_years(&self, other: &Calendar) -> BTreeSet<i32> {
        let mut years: BTreeSet<i32> = self.inner.covered.symmetric_difference(&other.inner.covered).copied().collect();
        for (date, entry) in &self.inner.entries {
            if other.inner.entries.get(date).map(|e| e.kind) != Some(entry.kind) {
                years.insert(date.year());
            }
        }
        for (date, entry) in &other.inner.entries {
            if self.inner.entries.get(date).map(|e| e.kind) != Some(entry.kind) {
                years.insert(date.year());
            }
        }
        years
    }

    /// Builds a calendar from entries already validated by [`csv_text::parse`].
    fn from_entries(entries: BTreeMap<NaiveDate, CalendarEntry>) -> Calendar {
        let covered: BTreeSet<i32> = entries.keys().map(|d| d.year()).collect();
        let version = version_of(&entries, &covered);
        let index = WorkdayIndex::build(|date| {
            match entries.get(&date) {
                Some(e) => e.kind == DayKind::AdjustedWorkday,
                None if is_weekend(date) => false,
                // Uncovered years assume the fixed-date holidays.
                None => covered.contains(&date.year()) || !is_fixed_date_holiday(date),
            }
        });
        let index = index.with_coverage(|year| covered.contains(&year));
        Calendar { inner: Arc::new(Inner { version, entries, covered, index }) }
    }

    /// The version recorded with every deadline this calendar computes.
    pub fn version(&self) -> &CalendarVersion {
        &self.inner.version
    }

    /// The years this calendar has data for.
    pub fn covered_years(&self) -> impl Iterator<Item = i32> + '_ {
        self.inner.covered.iter().copied()
    }

    /// Whether the calendar has data for `year`.
    pub fn covers(&self, year: i32) -> bool {
        self.inner.covered.contains(&year)
    }

    /// The calendar's entries in date order.
    pub fn entries(&self) -> impl Iterator<Item = &CalendarEntry> + '_ {
        self.inner.entries.values()
    }

    /// The calendar's data as CSV text in the shape [`Calendar::from_csv`] reads.
    pub fn to_csv(&self) -> String {
        csv_text::write(self.inner.entries.values())
    }

    fn check_covered(&self, first: NaiveDate, last: NaiveDate) -> Result<(), CalendarError> {
        match self.inner.index.first_uncovered_year(first.year(), last.year()) {
            Some(year) => Err(CalendarError::NotCovered { year }),
            None => Ok(()),
        }
    }

    fn provisional(&self, first: NaiveDate, last: NaiveDate) -> bool {
        first <= last && self.inner.index.first_uncovered_year(first.year(), last.year()).is_some()
    }

    /// Whether `date` is a working day.
    ///
    /// # Errors
    /// [`CalendarError::NotCovered`] when the calendar has no data for the date's year.
    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        self.check_covered(date, date)?;
        self.inner.index.is_working(date)
    }

    /// Whether `date` is a working day, assuming the fixed-date holidays for an uncovered year.
    ///
    /// # Errors
    /// [`CalendarError::OutOfRange`] outside the indexable years.
    pub fn is_working_day_projected(&self, date: NaiveDate) -> Result<Projected<bool>, CalendarError> {
        Ok(Projected { value: self.inner.index.is_working(date)?, provisional: !self.covers(date.year()) })
    }

    /// Whether `date` is a statutory holiday (放假; not a weekend rest day), assuming the
    /// fixed-date holidays for an uncovered year.
    pub fn is_holiday_projected(&self, date: NaiveDate) -> Projected<bool> {
        if self.covers(date.year()) {
            let value = self.inner.entries.get(&date).is_some_and(|e| e.kind == DayKind::Holiday);
            Projected { value, provisional: false }
        } else {
            Projected { value: is_fixed_date_holiday(date), provisional: true }
        }
    }

    /// The N-th working day after `date` (`date` itself is not counted; N = 0 gives `date`).
    ///
    /// # Errors
    /// [`CalendarError::NotCovered`] naming the first year the count needed that the
    /// calendar does not cover.
    pub fn add_working_days(&self, date: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        let due = self.inner.index.add(date, n)?;
        if n > 0 {
            self.check_covered(date.succ_opt().unwrap_or(date), due)?;
        }
        Ok(due)
    }

    /// Like [`Calendar::add_working_days`], but assumes Monday–Friday minus the fixed-date
    /// holidays for an uncovered year and marks the result provisional.
    ///
    /// # Errors
    /// [`CalendarError::OutOfRange`] outside the indexable years.
    pub fn add_working_days_projected(&self, date: NaiveDate, n: u32) -> Result<Projected<NaiveDate>, CalendarError> {
        let due = self.inner.index.add(date, n)?;
        let provisional = n > 0 && self.provisional(date.succ_opt().unwrap_or(date), due);
        Ok(Projected { value: due, provisional })
    }

    /// The N-th working day before `date` (N ≥ 1; `date` itself is not counted).
    ///
    /// # Errors
    /// [`CalendarError::OutOfRange`] outside the indexable years.
    pub fn sub_working_days_projected(&self, date: NaiveDate, n: u32) -> Result<Projected<NaiveDate>, CalendarError> {
        let day = self.inner.index.sub(date, n)?;
        let provisional = self.provisional(day, date);
        Ok(Projected { value: day, provisional })
    }

    /// The number of working days d with `from` < d ≤ `to` (0 when `to` ≤ `from`).
    ///
    /// # Errors
    /// [`CalendarError::NotCovered`] when a year in between is not covered.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> Result<u32, CalendarError> {
        let n = self.inner.index.between(from, to)?;
        if to > from {
            self.check_covered(from.succ_opt().unwrap_or(from), to)?;
        }
        Ok(n)
    }

    /// Like [`Calendar::working_days_between`], marking the count provisional when it
    /// needed an uncovered year.
    ///
    /// # Errors
    /// [`CalendarError::OutOfRange`] outside the indexable years.
    pub fn working_days_between_projected(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Projected<u32>, CalendarError> {
        let n = self.inner.index.between(from, to)?;
        let provisional = to > from && self.provisional(from.succ_opt().unwrap_or(from), to);
        Ok(Projected { value: n, provisional })
    }
}

fn version_of(entries: &BTreeMap<NaiveDate, CalendarEntry>, covered: &BTreeSet<i32>) -> CalendarVersion {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for e in entries.values() {
        hasher.update(format!("{},{}\n", e.date, e.kind.as_str()).as_bytes());
    }
    let digest = hasher.finalize();
    let hex: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
    let span = match (covered.first(), covered.last()) {
        (Some(a), Some(b)) if a == b => format!("{a}"),
        (Some(a), Some(b)) => format!("{a}-{b}"),
        _ => "empty".to_owned(),
    };
    CalendarVersion(format!("cal-{span}-{hex}"))
}
