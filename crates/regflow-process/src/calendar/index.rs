//! The cumulative working-day index that makes every calendar computation constant time.

use super::{CalendarError, INDEX_FIRST_YEAR, INDEX_LAST_YEAR};
use chrono::NaiveDate;

/// Day-offset tables over [`INDEX_FIRST_YEAR`]..=[`INDEX_LAST_YEAR`].
pub(super) struct WorkdayIndex {
    origin: NaiveDate,
    /// `cumulative[i]`: working days in `[origin, origin + i]`.
    cumulative: Vec<u32>,
    /// Day offsets of the working days, in order: `workdays[k]` is the (k+1)-th.
    workdays: Vec<u32>,
    /// `uncovered_before[y - FIRST]`: uncovered years in `[FIRST, y)`.
    uncovered_before: Vec<u32>,
}

fn origin() -> NaiveDate {
    NaiveDate::from_ymd_opt(INDEX_FIRST_YEAR, 1, 1).expect("valid origin")
}

impl WorkdayIndex {
    /// Builds the tables from a working-day predicate (coverage is added by `with_coverage`).
    pub(super) fn build(is_working: impl Fn(NaiveDate) -> bool) -> Self {
        let origin = origin();
        let end = NaiveDate::from_ymd_opt(INDEX_LAST_YEAR + 1, 1, 1).expect("valid end");
        let days = (end - origin).num_days() as usize;
        let mut cumulative = Vec::with_capacity(days);
        let mut workdays = Vec::with_capacity(days * 5 / 7 + 1);
        let mut count = 0u32;
        for (offset, date) in origin.iter_days().take(days).enumerate() {
            if is_working(date) {
                count += 1;
                workdays.push(offset as u32);
            }
            cumulative.push(count);
        }
        WorkdayIndex { origin, cumulative, workdays, uncovered_before: Vec::new() }
    }

    /// Records which years have data.
    pub(super) fn with_coverage(mut self, covers: impl Fn(i32) -> bool) -> Self {
        let mut before = Vec::with_capacity((INDEX_LAST_YEAR - INDEX_FIRST_YEAR + 2) as usize);
        let mut n = 0u32;
        before.push(0);
        for year in INDEX_FIRST_YEAR..=INDEX_LAST_YEAR {
            if !covers(year) {
                n += 1;
            }
            before.push(n);
        }
        self.uncovered_before = before;
        self
    }

    fn offset(&self, date: NaiveDate) -> Result<usize, CalendarError> {
        let offset = (date - self.origin).num_days();
        if offset < 0 || offset as usize >= self.cumulative.len() {
            return Err(CalendarError::OutOfRange { date });
        }
        Ok(offset as usize)
    }

    fn date_at(&self, offset: u32) -> NaiveDate {
        self.origin + chrono::Days::new(u64::from(offset))
    }

    pub(super) fn is_working(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        let i = self.offset(date)?;
        let before = if i == 0 { 0 } else { self.cumulative[i - 1] };
        Ok(self.cumulative[i] > before)
    }

    /// The n-th working day after `date`; `date` itself for n = 0.
    pub(super) fn add(&self, date: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        let i = self.offset(date)?;
        if n == 0 {
            return Ok(date);
        }
        let k = self.cumulative[i] as usize + n as usize;
        match self.workdays.get(k - 1) {
            Some(&offset) => Ok(self.date_at(offset)),
            None => Err(CalendarError::OutOfRange { date }),
        }
    }

    /// The n-th working day before `date` (n ≥ 1); `date` itself for n = 0.
    pub(super) fn sub(&self, date: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        let i = self.offset(date)?;
        if n == 0 {
            return Ok(date);
        }
        let strictly_before = if i == 0 { 0 } else { self.cumulative[i - 1] } as usize;
        if strictly_before < n as usize {
            return Err(CalendarError::OutOfRange { date });
        }
        Ok(self.date_at(self.workdays[strictly_before - n as usize]))
    }

    /// Working days d with `from` < d ≤ `to`; 0 when `to` ≤ `from`.
    pub(super) fn between(&self, from: NaiveDate, to: NaiveDate) -> Result<u32, CalendarError> {
        let a = self.offset(from)?;
        let b = self.offset(to)?;
        Ok(self.cumulative[b].saturating_sub(self.cumulative[a]))
    }

    /// The first year in `[first, last]` without data, if any (years clamped to the index).
    pub(super) fn first_uncovered_year(&self, first: i32, last: i32) -> Option<i32> {
        let first = first.max(INDEX_FIRST_YEAR);
        let last = last.min(INDEX_LAST_YEAR);
        if first > last {
            return None;
        }
        let at = |y: i32| self.uncovered_before[(y - INDEX_FIRST_YEAR) as usize];
        if at(last + 1) == at(first) {
            return None;
        }
        (first..=last).find(|&y| at(y + 1) > at(y))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;

    #[test]
    fn index_spans_every_indexable_day() {
        let idx = WorkdayIndex::build(|d| d.weekday().number_from_monday() <= 5).with_coverage(|_| true);
        let last = NaiveDate::from_ymd_opt(INDEX_LAST_YEAR, 12, 31).unwrap();
        assert!(idx.offset(last).is_ok());
        assert!(idx.offset(last.succ_opt().unwrap()).is_err());
        assert!(idx.offset(origin().pred_opt().unwrap()).is_err());
        assert_eq!(idx.first_uncovered_year(2016, 2030), None);
    }
}
