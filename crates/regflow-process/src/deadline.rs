//! Deadlines: from a case's clocks, a calendar and office hours to due times (SPEC 2.2–2.4, 5.3).
//!
//! [`CaseClocks`] is everything a case's deadlines depend on — acceptance, the bound
//! policy's clocks, closed suspensions and extensions — so re-projecting with a new
//! calendar is simply projecting again. [`CaseClocks::project`] yields [`Deadlines`].

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::{Calendar, CalendarError, CalendarVersion, OfficeHours, Projected};
use crate::error::ErrorCode;
use crate::policy::Promise;

/// Which clock a deadline belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockKind {
    /// The centre's promise (3 working days for individuals under the 2018 policy).
    Promise,
    /// The statutory limit (30 working days).
    Statutory,
}

impl ClockKind {
    /// Both clocks.
    pub const ALL: [ClockKind; 2] = [ClockKind::Promise, ClockKind::Statutory];

    /// The stable snake_case id.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Promise => "promise",
            Self::Statutory => "statutory",
        }
    }
}

/// A closed suspension (中止): clocks stopped during `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suspension {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
}

impl Suspension {
    /// A suspension from `from` until `to`; `None` when `to` is before `from`.
    pub fn new(from: DateTime<Utc>, to: DateTime<Utc>) -> Option<Suspension> {
        (to >= from).then_some(Suspension { from, to })
    }

    /// When the case was suspended.
    pub fn from(&self) -> DateTime<Utc> {
        self.from
    }

    /// When the case resumed.
    pub fn to(&self) -> DateTime<Utc> {
        self.to
    }

    /// Whether `instant` lies in `[from, to)`.
    pub fn contains(&self, instant: DateTime<Utc>) -> bool {
        self.from <= instant && instant < self.to
    }

    /// Working days d with `after` < d ≤ `until` whose closing time fell inside the suspension.
    fn working_days_inside(
        &self,
        cal: &Calendar,
        hours: &OfficeHours,
        after: NaiveDate,
        until: Option<NaiveDate>,
    ) -> Result<Projected<u32>, CalendarError> {
        let first = hours.first_closing_at_or_after(self.from).max(after.succ_opt().unwrap_or(after));
        let mut last = hours.last_closing_before(self.to);
        if let Some(until) = until {
            last = last.min(until);
        }
        if last < first {
            return Ok(Projected { value: 0, provisional: false });
        }
        cal.working_days_between_projected(first.pred_opt().unwrap_or(first), last)
    }
}

/// Why a case's clocks cannot be changed as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DeadlineError {
    /// An extension would put the promise after the statutory deadline, or is too large
    /// to compute at all (then `promise_due` is `None`).
    #[error(
        "an extension of {days} working days would put the promise after the statutory deadline ({statutory_due})"
    )]
    ExceedsStatutory {
        /// The working days asked for.
        days: u64,
        /// The promise deadline the extension would give, when it can be computed.
        promise_due: Option<DateTime<Utc>>,
        /// The statutory deadline.
        statutory_due: DateTime<Utc>,
    },
    /// An instant promise cannot be extended in working days.
    #[error("an instant promise cannot be extended by working days")]
    InstantNotExtendable,
    /// An extension of zero working days.
    #[error("an extension must be at least 1 working day")]
    ZeroExtension,
    /// The computation left the years regflow can index.
    #[error(transparent)]
    Calendar(#[from] CalendarError),
}

impl DeadlineError {
    /// The SPEC 8 code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::ExceedsStatutory { .. } => ErrorCode::ExceedsStatutory,
            Self::InstantNotExtendable | Self::ZeroExtension => ErrorCode::InvalidArgument,
            Self::Calendar(e) => e.code(),
        }
    }
}

/// Everything a case's deadlines depend on: acceptance, the bound policy's clocks, the
/// closed suspensions and the extensions granted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseClocks {
    accepted_at: DateTime<Utc>,
    promise: Promise,
    statutory_days: u32,
    instant_window_minutes: u32,
    warning_lead_days: u32,
    extension_days: u32,
    suspensions: Vec<Suspension>,
}

/// One computed deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    /// Promise or statutory.
    pub clock: ClockKind,
    /// The instant the clock runs out (closing time of the last working day).
    pub due_at: DateTime<Utc>,
    /// When the warning is raised, if one is.
    pub warning_at: Option<DateTime<Utc>>,
    /// True when the computation needed a year the calendar does not cover.
    pub provisional: bool,
}

impl Deadline {
    /// Working days left at `now` before the deadline, counted in `hours`' local dates with
    /// `calendar` (projected past its coverage): 0 once it has passed; `None` when the dates
    /// lie outside what the calendar can count.
    pub fn working_days_left(&self, calendar: &Calendar, hours: &OfficeHours, now: DateTime<Utc>) -> Option<u32> {
        let between = calendar.working_days_between_projected(hours.local_date(now), hours.local_date(self.due_at));
        between.ok().map(|n| if self.due_at > now { n.value } else { 0 })
    }
}

/// A case's two deadlines and the calendar version that computed them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadlines {
    /// The promise deadline.
    pub promise: Deadline,
    /// The statutory deadline.
    pub statutory: Deadline,
    /// The calendar that produced them.
    pub calendar_version: CalendarVersion,
}

impl Deadlines {
    /// True while either deadline is provisional.
    pub fn provisional(&self) -> bool {
        self.promise.provisional || self.statutory.provisional
    }

    /// Both deadlines, promise first.
    pub fn iter(&self) -> impl Iterator<Item = &Deadline> {
        [&self.promise, &self.statutory].into_iter()
    }

    /// Whether the due times, warnings or provisional marks differ (the version aside).
    pub fn moved_from(&self, other: &Deadlines) -> bool {
        self.promise != other.promise || self.statutory != other.statutory
    }
}

impl CaseClocks {
    /// Clocks started at `accepted_at` with a policy's promise and statutory clocks.
    pub fn start(
        accepted_at: DateTime<Utc>,
        promise: Promise,
        statutory_days: u32,
        instant_window_minutes: u32,
        warning_lead_days: u32,
    ) -> CaseClocks {
        CaseClocks {
            accepted_at,
            promise,
            statutory_days,
            instant_window_minutes,
            warning_lead_days,
            extension_days: 0,
            suspensions: Vec::new(),
        }
    }

    /// When the case was accepted.
    pub fn accepted_at(&self) -> DateTime<Utc> {
        self.accepted_at
    }

    /// The promise clock of the bound policy.
    pub fn promise(&self) -> Promise {
        self.promise
    }

    /// Working days of extension granted so far.
    pub fn extension_days(&self) -> u32 {
        self.extension_days
    }

    /// The closed suspensions.
    pub fn suspensions(&self) -> &[Suspension] {
        &self.suspensions
    }

    /// Records a closed suspension; every running deadline moves later on projection.
    pub fn with_suspension(mut self, suspension: Suspension) -> CaseClocks {
        self.suspensions.push(suspension);
        self
    }

    /// Extends the promise by `days` working days (SPEC 2.4).
    ///
    /// The promise and the statutory clock run from the same acceptance with the same
    /// suspension shift, so the promise passes the statute exactly when its working days
    /// do: a `days` that would, however large, is refused before any date is computed, and
    /// no input can wrap around into an earlier deadline.
    ///
    /// # Errors
    /// [`DeadlineError::ZeroExtension`] for 0; [`DeadlineError::InstantNotExtendable`] for
    /// an instant promise; [`DeadlineError::ExceedsStatutory`] when the promise would end
    /// after the statutory deadline.
    pub fn extended(&self, days: u64, cal: &Calendar, hours: &OfficeHours) -> Result<CaseClocks, DeadlineError> {
        if days == 0 {
            return Err(DeadlineError::ZeroExtension);
        }
        let Promise::WorkingDays(n) = self.promise else {
            return Err(DeadlineError::InstantNotExtendable);
        };
        let total = (u64::from(n) + u64::from(self.extension_days)).saturating_add(days);
        if total > u64::from(self.statutory_days) {
            let now = self.project(cal, hours)?;
            let promise_due = u32::try_from(total - u64::from(n))
                .ok()
                .and_then(|ext| {
                    let mut next = self.clone();
                    next.extension_days = ext;
                    next.project(cal, hours).ok()
                })
                .map(|d| d.promise.due_at);
            return Err(DeadlineError::ExceedsStatutory { days, promise_due, statutory_due: now.statutory.due_at });
        }
        let mut next = self.clone();
        // total ≤ statutory_days, a u32, so the extension fits.
        next.extension_days = (total - u64::from(n)) as u32;
        Ok(next)
    }

    /// The clocks of a deferred query (SPEC 15.2): the promise becomes `days` working days
    /// after acceptance, extensions dropped.
    pub fn deferred(&self, days: u32) -> CaseClocks {
        let mut next = self.clone();
        next.promise = Promise::WorkingDays(days.max(1));
        next.extension_days = 0;
        next
    }

    /// Working days the closed suspensions moved the clocks by.
    ///
    /// # Errors
    /// [`CalendarError::OutOfRange`] outside the indexable years.
    pub fn suspension_shift(&self, cal: &Calendar, hours: &OfficeHours) -> Result<Projected<u32>, CalendarError> {
        self.days_inside_suspensions(cal, hours, None)
    }

    fn days_inside_suspensions(
        &self,
        cal: &Calendar,
        hours: &OfficeHours,
        until: Option<NaiveDate>,
    ) -> Result<Projected<u32>, CalendarError> {
        let accepted = hours.local_date(self.accepted_at);
        let mut total = Projected { value: 0u32, provisional: false };
        for s in &self.suspensions {
            let p = s.working_days_inside(cal, hours, accepted, until)?;
            total.value = total.value.saturating_add(p.value);
            total.provisional |= p.provisional;
        }
        Ok(total)
    }

    /// Computes both deadlines with `cal`: from the local acceptance date, N working days
    /// plus the suspension shift (and, for the promise, the extensions), ending at closing.
    ///
    /// # Errors
    /// [`CalendarError::OutOfRange`] outside the indexable years; an uncovered year only
    /// makes the result provisional.
    pub fn project(&self, cal: &Calendar, hours: &OfficeHours) -> Result<Deadlines, CalendarError> {
        let shift = self.suspension_shift(cal, hours)?;
        let promise = match self.promise {
            Promise::Instant => Deadline {
                clock: ClockKind::Promise,
                due_at: self.accepted_at + chrono::Duration::minutes(i64::from(self.instant_window_minutes)),
                warning_at: None,
                provisional: false,
            },
            Promise::WorkingDays(n) => {
                let days = n
                    .checked_add(self.extension_days)
                    .ok_or(CalendarError::OutOfRange { date: hours.local_date(self.accepted_at) })?;
                self.working_day_deadline(ClockKind::Promise, days, shift, cal, hours)?
            }
        };
        let statutory = self.working_day_deadline(ClockKind::Statutory, self.statutory_days, shift, cal, hours)?;
        Ok(Deadlines { promise, statutory, calendar_version: cal.version().clone() })
    }

    fn working_day_deadline(
        &self,
        clock: ClockKind,
        days: u32,
        shift: Projected<u32>,
        cal: &Calendar,
        hours: &OfficeHours,
    ) -> Result<Deadline, CalendarError> {
        let accepted = hours.local_date(self.accepted_at);
        let total = days.checked_add(shift.value).ok_or(CalendarError::OutOfRange { date: accepted })?;
        let due = cal.add_working_days_projected(accepted, total)?;
        let mut provisional = due.provisional || shift.provisional;
        let warning_at = if self.warning_lead_days == 0 {
            None
        } else {
            let day = cal.sub_working_days_projected(due.value, self.warning_lead_days)?;
            provisional |= day.provisional && day.value > accepted;
            let at = hours.closing_on(day.value);
            let raised = at > self.accepted_at && !self.suspensions.iter().any(|s| s.contains(at));
            raised.then_some(at)
        };
        Ok(Deadline { clock, due_at: hours.closing_on(due.value), warning_at, provisional })
    }

    /// Working days used by a case completed at `completed_at`: working days d with
    /// acceptance date < d ≤ completion date whose closing did not fall inside a suspension.
    ///
    /// # Errors
    /// [`CalendarError::OutOfRange`] outside the indexable years.
    pub fn working_days_used(
        &self,
        completed_at: DateTime<Utc>,
        cal: &Calendar,
        hours: &OfficeHours,
    ) -> Result<Projected<u32>, CalendarError> {
        let accepted = hours.local_date(self.accepted_at);
        let completed = hours.local_date(completed_at);
        let all = cal.working_days_between_projected(accepted, completed)?;
        let inside = self.days_inside_suspensions(cal, hours, Some(completed))?;
        Ok(Projected {
            value: all.value.saturating_sub(inside.value),
            provisional: all.provisional || inside.provisional,
        })
    }
}

crate::ids::stable_id_enum!(ClockKind, "clock");
