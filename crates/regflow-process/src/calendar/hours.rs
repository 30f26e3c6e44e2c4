//! A centre's time zone and closing time: where a working day ends.

use chrono::{DateTime, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// The time zone and closing time of a registration centre (SPEC 2.2).
///
/// A deadline of N working days ends at the closing time of day N in this time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficeHours {
    time_zone: Tz,
    closing_time: NaiveTime,
}

impl Default for OfficeHours {
    /// `Asia/Shanghai`, closing at 18:00.
    fn default() -> Self {
        OfficeHours {
            time_zone: chrono_tz::Asia::Shanghai,
            closing_time: NaiveTime::from_hms_opt(18, 0, 0).expect("valid time"),
        }
    }
}

impl OfficeHours {
    /// Office hours in `time_zone` closing at `closing_time` (to the second; a fraction
    /// of a second is dropped).
    pub fn new(time_zone: Tz, closing_time: NaiveTime) -> Self {
        use chrono::Timelike;
        OfficeHours { time_zone, closing_time: closing_time.with_nanosecond(0).unwrap_or(closing_time) }
    }

    /// Parses an IANA zone name (`Asia/Shanghai`) and an `HH:MM` closing time.
    ///
    /// # Errors
    /// A message naming the field that could not be parsed.
    pub fn parse(time_zone: &str, closing_time: &str) -> Result<Self, String> {
        let tz: Tz = time_zone.parse().map_err(|_| format!("time_zone: unknown time zone `{time_zone}`"))?;
        let closing = NaiveTime::parse_from_str(closing_time, "%H:%M")
            .map_err(|_| format!("closing_time: `{closing_time}` is not a time HH:MM"))?;
        Ok(Self::new(tz, closing))
    }

    /// The centre's time zone.
    pub fn time_zone(&self) -> Tz {
        self.time_zone
    }

    /// The centre's closing time.
    pub fn closing_time(&self) -> NaiveTime {
        self.closing_time
    }

    /// The centre's local date at `instant`.
    pub fn local_date(&self, instant: DateTime<Utc>) -> NaiveDate {
        instant.with_timezone(&self.time_zone).date_naive()
    }

    /// The instant the centre closes on `date`.
    pub fn closing_on(&self, date: NaiveDate) -> DateTime<Utc> {
        let mut local = date.and_time(self.closing_time);
        // A closing time inside a daylight-saving gap moves to the first instant after it.
        for _ in 0..4 {
            match self.time_zone.from_local_datetime(&local) {
                LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => return t.with_timezone(&Utc),
                LocalResult::None => local += chrono::Duration::minutes(30),
            }
        }
        Utc.from_utc_datetime(&date.and_time(self.closing_time))
    }

    /// The instant `date` begins at the centre (local 00:00; the first instant after a
    /// daylight-saving gap) — also 24:00 of the day before, when a legal period ends.
    pub fn start_of(&self, date: NaiveDate) -> DateTime<Utc> {
        let mut local = date.and_time(NaiveTime::MIN);
        for _ in 0..4 {
            match self.time_zone.from_local_datetime(&local) {
                LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => return t.with_timezone(&Utc),
                LocalResult::None => local += chrono::Duration::minutes(30),
            }
        }
        Utc.from_utc_datetime(&local)
    }

    /// Reads a period bound: an RFC 3339 time, a local time `YYYY-MM-DD HH:MM` at the
    /// centre (as the pages write times), or a date `YYYY-MM-DD` meaning the start of that
    /// day at the centre.
    ///
    /// # Errors
    /// A message saying which forms are accepted.
    pub fn parse_instant(&self, text: &str) -> Result<DateTime<Utc>, String> {
        let text = text.trim();
        if let Ok(t) = DateTime::parse_from_rfc3339(text) {
            return Ok(t.with_timezone(&Utc));
        }
        if let Ok(local) = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M") {
            return match self.time_zone.from_local_datetime(&local) {
                LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => Ok(t.with_timezone(&Utc)),
                LocalResult::None => Err(format!("`{text}` does not exist at the centre (a daylight-saving gap)")),
            };
        }
        let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
            format!("`{text}` is neither a date YYYY-MM-DD, a local time YYYY-MM-DD HH:MM nor an RFC 3339 time")
        })?;
        Ok(self.start_of(date))
    }

    /// Formats an instant as RFC 3339 in the centre's offset.
    pub fn format(&self, instant: DateTime<Utc>) -> String {
        instant.with_timezone(&self.time_zone).fixed_offset().to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
    }

    /// The first date whose closing is at or after `instant`.
    pub(crate) fn first_closing_at_or_after(&self, instant: DateTime<Utc>) -> NaiveDate {
        let date = self.local_date(instant);
        if self.closing_on(date) >= instant {
            date
        } else {
            date.succ_opt().unwrap_or(date)
        }
    }

    /// The last date whose closing is strictly before `instant`.
    pub(crate) fn last_closing_before(&self, instant: DateTime<Utc>) -> NaiveDate {
        let date = self.local_date(instant);
        if self.closing_on(date) < instant {
            date
        } else {
            date.pred_opt().unwrap_or(date)
        }
    }
}
