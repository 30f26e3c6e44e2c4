//! Reports (SPEC 7): counts, on-time rates, working days used, the reduction against the
//! statutory limit, materials per kind and evaluations, for a period and a filter.

use chrono::{DateTime, Utc};
use regflow_process::{ApplicantCategory, CentreId, Channel, KindId, State};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::clock::micros;
use crate::engine::Engine;
use crate::error::Result;
use crate::queries::Overdue;
use crate::store::CaseRow;

/// The statutory limit the reduction is measured against (条例 Art. 20).
pub const STATUTORY_LIMIT_DAYS: f64 = 30.0;

/// Which instant of a case places it in a report's period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportBasis {
    /// The cases opened in the period (what came in).
    #[default]
    Opened,
    /// The cases completed in the period (what was delivered).
    Completed,
}

/// Which cases a report covers: those opened (or completed) in `[from, to)`, narrowed by
/// the filters set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportFilter {
    /// Start of the period (inclusive).
    pub from: DateTime<Utc>,
    /// End of the period (exclusive).
    pub to: DateTime<Utc>,
    /// Only this centre.
    pub centre: Option<CentreId>,
    /// Only this kind.
    pub kind: Option<KindId>,
    /// Only this applicant category.
    pub category: Option<ApplicantCategory>,
    /// Only this channel.
    pub channel: Option<Channel>,
    /// Opened or completed in the period.
    #[serde(default)]
    pub basis: ReportBasis,
}

impl ReportFilter {
    /// Every case opened in `[from, to)`.
    pub fn period(from: DateTime<Utc>, to: DateTime<Utc>) -> ReportFilter {
        ReportFilter {
            from,
            to,
            centre: None,
            kind: None,
            category: None,
            channel: None,
            basis: ReportBasis::Opened,
        }
    }

    /// Every case completed in `[from, to)`.
    pub fn completed(from: DateTime<Utc>, to: DateTime<Utc>) -> ReportFilter {
        ReportFilter {
            basis: ReportBasis::Completed,
            ..ReportFilter::period(from, to)
        }
    }

    fn admits(&self, row: &CaseRow) -> bool {
        self.kind.as_ref().is_none_or(|k| k.as_str() == row.kind)
            && self.category.is_none_or(|c| c.as_str() == row.category)
            && self.channel.is_none_or(|c| c.as_str() == row.channel)
    }
}

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

/// A report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// What it covers.
    pub filter: ReportFilter,
    /// All cases admitted by the filter.
    pub overall: Figures,
    /// The same per applicant category.
    pub by_category: BTreeMap<ApplicantCategory, Figures>,
    /// The same per kind.
    pub by_kind: BTreeMap<KindId, Figures>,
    /// The same per channel (window, online, bank, kiosk, home visit, court).
    pub by_channel: BTreeMap<Channel, Figures>,
    /// Running cases overdue at the report's end (or now, if earlier).
    pub overdue: Vec<Overdue>,
    /// Per kind: materials on the checklist now, and before the reform when known.
    pub materials: BTreeMap<KindId, (usize, Option<u32>)>,
}

fn rate(n: u64, of: u64) -> Option<f64> {
    (of > 0).then(|| n as f64 / of as f64)
}

/// Computes figures over rows.
pub fn figures<'a>(rows: impl IntoIterator<Item = &'a CaseRow>) -> Figures {
    let mut f = Figures::default();
    let mut days: Vec<i64> = Vec::new();
    let (mut on_time, mut within, mut rating_sum) = (0u64, 0u64, 0i64);
    for r in rows {
        f.opened += 1;
        f.accepted += u64::from(r.accepted_at.is_some());
        match r.state.parse::<State>() {
            Ok(State::Completed) => {
                f.completed += 1;
                on_time += u64::from(r.on_time == Some(1));
                within += u64::from(r.within_statute == Some(1));
                if r.instant == 1 {
                    f.completed_instantly += 1;
                } else if let Some(d) = r.working_days_used {
                    days.push(d);
                }
            }
            Ok(State::NotAccepted) => f.not_accepted += 1,
            Ok(State::Rejected) => f.rejected += 1,
            Ok(State::Withdrawn) => f.withdrawn += 1,
            _ => {}
        }
        f.suspended += u64::from(r.suspensions > 0);
        f.extended += u64::from(r.extended_days > 0);
        if let Some(rating) = r.rating {
            f.evaluations += 1;
            rating_sum += rating;
        }
    }
    f.on_time_rate = rate(on_time, f.completed);
    f.within_statute_rate = rate(within, f.completed);
    if !days.is_empty() {
        days.sort_unstable();
        let mean = days.iter().sum::<i64>() as f64 / days.len() as f64;
        let mid = days.len() / 2;
        let median = if days.len() % 2 == 1 {
            days[mid] as f64
        } else {
            (days[mid - 1] + days[mid]) as f64 / 2.0
        };
        f.mean_working_days = Some(mean);
        f.median_working_days = Some(median);
        f.reduction_vs_statute = Some(1.0 - mean / STATUTORY_LIMIT_DAYS);
    }
    f.average_rating = (f.evaluations > 0).then(|| rating_sum as f64 / f.evaluations as f64);
    f
}

impl Engine {
    /// The report of SPEC 7 for the cases opened (or, by [`ReportBasis::Completed`],
    /// completed) in the filter's period, overall and per category, kind and channel.
    ///
    /// # Errors
    /// [`crate::Error::Database`] or [`crate::Error::Corrupt`].
    pub async fn report(&self, filter: &ReportFilter) -> Result<Report> {
        let centre = filter.centre.as_ref().map(|c| c.as_str().to_owned());
        let rows = self
            .inner
            .db
            .acquire()
            .await?
            .conn()
            .cases_between(filter.basis, centre.as_deref(), micros(filter.from), micros(filter.to))
            .await?;
        let rows: Vec<CaseRow> = rows.into_iter().filter(|r| filter.admits(r)).collect();
        let mut by_category = BTreeMap::new();
        for c in ApplicantCategory::ALL {
            let f = figures(rows.iter().filter(|r| r.category == c.as_str()));
            if f.opened > 0 {
                by_category.insert(c, f);
            }
        }
        let mut by_kind = BTreeMap::new();
        for k in self.catalogue().kinds() {
            let f = figures(rows.iter().filter(|r| r.kind == k.id.as_str()));
            if f.opened > 0 {
                by_kind.insert(k.id.clone(), f);
            }
        }
        let mut by_channel = BTreeMap::new();
        for c in Channel::ALL {
            let f = figures(rows.iter().filter(|r| r.channel == c.as_str()));
            if f.opened > 0 {
                by_channel.insert(c, f);
            }
        }
        let at = filter.to.min(self.now());
        let overdue = self
            .overdue(filter.centre.as_ref(), at)
            .await?
            .into_iter()
            .filter(|o| {
                filter.kind.as_ref().is_none_or(|k| o.case.kind() == k)
                    && filter.category.is_none_or(|c| o.case.intake().category == c)
                    && filter.channel.is_none_or(|c| o.case.intake().channel == c)
            })
            .collect();
        Ok(Report {
            filter: filter.clone(),
            overall: figures(&rows),
            by_category,
            by_kind,
            by_channel,
            overdue,
            materials: self.catalogue().material_counts(),
        })
    }
}
