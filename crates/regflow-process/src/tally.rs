//! The figures of SPEC 7 over a set of cases: counted one case at a time, so a report
//! reads its period a page at a time and its memory stays flat.

use serde::{Deserialize, Serialize};

use crate::case::State;
use crate::policy::STATUTORY_DAYS;

/// The figures of a set of cases.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    /// Cases opened (applied or presented).
    pub opened: u64,
    /// Cases accepted (clocks started), including those handled instantly.
    pub accepted: u64,
    /// Cases completed.
    pub completed: u64,
    /// Of those, handled on the spot (instant promise).
    pub completed_instantly: u64,
    /// Cases not accepted at the window.
    pub not_accepted: u64,
    /// Cases rejected.
    pub rejected: u64,
    /// Cases withdrawn.
    pub withdrawn: u64,
    /// Cases suspended at least once.
    pub suspended: u64,
    /// Cases extended at least once.
    pub extended: u64,
    /// Completed on or before the (extended) promise, over completed.
    pub on_time_rate: Option<f64>,
    /// Completed on or before the statutory deadline, over completed.
    pub within_statute_rate: Option<f64>,
    /// Mean working days used by completed cases with a working-day promise.
    pub mean_working_days: Option<f64>,
    /// Median of the same.
    pub median_working_days: Option<f64>,
    /// 1 − mean / 30.
    pub reduction_vs_statute: Option<f64>,
    /// Evaluations received.
    pub evaluations: u64,
    /// Average rating of those.
    pub average_rating: Option<f64>,
}

/// What SPEC 7 counts of one case (as the executor reads it from its row).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseFigures {
    /// Its state.
    pub state: State,
    /// Whether its clocks started (accepted, or handled instantly).
    pub accepted: bool,
    /// Whether its promise was instant.
    pub instant: bool,
    /// Completed on or before the (extended) promise.
    pub on_time: Option<bool>,
    /// Completed on or before the statutory deadline.
    pub within_statute: Option<bool>,
    /// Working days used, when completed.
    pub working_days_used: Option<i64>,
    /// Suspended at least once.
    pub suspended: bool,
    /// Extended at least once.
    pub extended: bool,
    /// The applicant's rating, when evaluated.
    pub rating: Option<u8>,
}

fn rate(n: u64, of: u64) -> Option<f64> {
    (of > 0).then(|| n as f64 / of as f64)
}

/// Figures being gathered, one case at a time.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    figures: Figures,
    /// Working days used by each completed case with a working-day promise.
    days: Vec<i64>,
    on_time: u64,
    within: u64,
    rating_sum: i64,
}

impl Tally {
    /// Counts one case.
    pub fn add(&mut self, c: &CaseFigures) {
        let f = &mut self.figures;
        f.opened += 1;
        f.accepted += u64::from(c.accepted);
        match c.state {
            State::Completed => {
                f.completed += 1;
                self.on_time += u64::from(c.on_time == Some(true));
                self.within += u64::from(c.within_statute == Some(true));
                if c.instant {
                    f.completed_instantly += 1;
                } else if let Some(d) = c.working_days_used {
                    self.days.push(d);
                }
            }
            State::NotAccepted => f.not_accepted += 1,
            State::Rejected => f.rejected += 1,
            State::Withdrawn => f.withdrawn += 1,
            _ => {}
        }
        f.suspended += u64::from(c.suspended);
        f.extended += u64::from(c.extended);
        if let Some(rating) = c.rating {
            f.evaluations += 1;
            self.rating_sum += i64::from(rating);
        }
    }

    /// The figures of the cases counted: rates over completed cases, mean and median
    /// working days of completed cases with a working-day promise, and the reduction
    /// against the statutory limit (1 − mean / [`STATUTORY_DAYS`]).
    pub fn finish(mut self) -> Figures {
        let f = &mut self.figures;
        f.on_time_rate = rate(self.on_time, f.completed);
        f.within_statute_rate = rate(self.within, f.completed);
        if !self.days.is_empty() {
            let days = &mut self.days;
            days.sort_unstable();
            let mean = days.iter().sum::<i64>() as f64 / days.len() as f64;
            let mid = days.len() / 2;
            let median = if days.len() % 2 == 1 { days[mid] as f64 } else { (days[mid - 1] + days[mid]) as f64 / 2.0 };
            f.mean_working_days = Some(mean);
            f.median_working_days = Some(median);
            f.reduction_vs_statute = Some(1.0 - mean / f64::from(STATUTORY_DAYS));
        }
        f.average_rating = (f.evaluations > 0).then(|| self.rating_sum as f64 / f.evaluations as f64);
        self.figures
    }
}
