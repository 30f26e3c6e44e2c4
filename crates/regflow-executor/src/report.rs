//! Reports (SPEC 7): counts, on-time rates, working days used, the reduction against the
//! statutory limit, materials per kind and evaluations, for a period and a filter.

use chrono::{DateTime, Utc};
use regflow_process::tally::{CaseFigures, Figures, Tally};
use regflow_process::{ApplicantCategory, CentreId, Channel, KindId, State};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::clock::micros;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::queries::Overdue;
use crate::query_log::QueryLogQuery;
use crate::store::{PeriodColumn, ReportRow};
use regflow_process::register::query::{LogLine, Outcome, QueryFigures};
use regflow_process::CaseId;

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

impl ReportBasis {
    /// The instant that places a case in the period, as the store names it.
    fn column(self) -> PeriodColumn {
        match self {
            ReportBasis::Opened => PeriodColumn::Created,
            ReportBasis::Completed => PeriodColumn::Completed,
        }
    }
}

impl std::str::FromStr for ReportBasis {
    type Err = String;

    /// `opened` or `completed`.
    fn from_str(text: &str) -> std::result::Result<Self, Self::Err> {
        match text {
            "opened" => Ok(ReportBasis::Opened),
            "completed" => Ok(ReportBasis::Completed),
            other => Err(format!("`basis` is `{other}`: use opened or completed")),
        }
    }
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
        ReportFilter { from, to, centre: None, kind: None, category: None, channel: None, basis: ReportBasis::Opened }
    }

    /// Every case completed in `[from, to)`.
    pub fn completed(from: DateTime<Utc>, to: DateTime<Utc>) -> ReportFilter {
        ReportFilter { basis: ReportBasis::Completed, ..ReportFilter::period(from, to) }
    }

    fn admits(&self, row: &ReportRow) -> bool {
        self.kind.as_ref().is_none_or(|k| k.as_str() == row.kind)
            && self.category.is_none_or(|c| c.as_str() == row.category)
            && self.channel.is_none_or(|c| c.as_str() == row.channel)
    }
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
    /// Information queries in the period per querier class and channel (SPEC 17 §7):
    /// answered on the spot, deferred (on time or not), refused.
    #[serde(default)]
    pub queries: Vec<QueryFigures>,
}

/// Cases a report reads per statement: the report's memory stays flat however many cases
/// the period holds.
const REPORT_PAGE: i64 = 1_000;

/// The figures of each group that has cases, in the order of `groups`.
fn groups_of<K: Ord>(
    mut tallies: BTreeMap<String, Tally>,
    groups: impl IntoIterator<Item = (K, String)>,
) -> BTreeMap<K, Figures> {
    groups.into_iter().filter_map(|(key, name)| tallies.remove(&name).map(|t| (key, t.finish()))).collect()
}

impl Engine {
    /// The report of SPEC 7 for the cases opened (or, by [`ReportBasis::Completed`],
    /// completed) in the filter's period, overall and per category, kind and channel.
    ///
    /// # Errors
    /// [`crate::Error::Database`] or [`crate::Error::Corrupt`].
    pub async fn report(&self, filter: &ReportFilter) -> Result<Report> {
        report_across(std::slice::from_ref(self), filter).await
    }
}

/// One report over the cases of several engines, each on a database of its own — a
/// province over its centres' databases: every figure (medians included) is taken over all
/// their cases together, the overdue lists are joined in the order of `engines`, and the
/// materials are those of the first engine's catalogue.
///
/// # Errors
/// [`crate::Error::Refused`] (`invalid_argument`) when `engines` is empty;
/// [`crate::Error::Database`] or [`crate::Error::Corrupt`].
pub async fn report_across(engines: &[Engine], filter: &ReportFilter) -> Result<Report> {
    let Some(first) = engines.first() else {
        return Err(regflow_process::Refusal::argument("engines", "no engine to report on: name at least one").into());
    };
    let mut gathering = Gathering::default();
    let mut overdue = Vec::new();
    let mut lines = Vec::new();
    let mut on_time = std::collections::HashMap::new();
    for engine in engines {
        gathering.read(engine, filter).await?;
        engine.read_queries(filter, &mut lines, &mut on_time).await?;
        let at = filter.to.min(engine.now());
        overdue.extend(engine.overdue(filter.centre.as_ref(), at).await?.into_iter().filter(|o| {
            filter.kind.as_ref().is_none_or(|k| o.case.kind() == k)
                && filter.category.is_none_or(|c| o.case.intake().category == c)
                && filter.channel.is_none_or(|c| o.case.intake().channel == c)
        }));
    }
    let catalogue = first.catalogue();
    let Gathering { overall, by_category, by_kind, by_channel } = gathering;
    Ok(Report {
        filter: filter.clone(),
        overall: overall.finish(),
        by_category: groups_of(by_category, ApplicantCategory::ALL.map(|c| (c, c.as_str().to_owned()))),
        by_kind: groups_of(by_kind, catalogue.kinds().iter().map(|k| (k.id.clone(), k.id.as_str().to_owned()))),
        by_channel: groups_of(by_channel, Channel::ALL.map(|c| (c, c.as_str().to_owned()))),
        overdue,
        materials: catalogue.material_counts(),
        queries: regflow_process::register::query::tally_queries(&lines, |case| on_time.get(case).copied().flatten()),
    })
}

impl Engine {
    /// Adds the query log's lines in the filter's period (of its centre, or of every
    /// centre) to `lines`, and for each deferred query whether it was answered — or can
    /// still be — by its promise.
    async fn read_queries(
        &self,
        filter: &ReportFilter,
        lines: &mut Vec<LogLine>,
        on_time: &mut std::collections::HashMap<String, Option<bool>>,
    ) -> Result<()> {
        let centres = match &filter.centre {
            Some(c) => vec![c.clone()],
            None => self.query_log_centres().await?,
        };
        let now = self.now();
        for centre in centres {
            let mut q = QueryLogQuery { from: Some(filter.from), to: Some(filter.to), ..QueryLogQuery::default() };
            loop {
                let page = self.query_log(&centre, &q).await?;
                let Some(last) = page.last() else { break };
                q.after = last.seq;
                for line in &page {
                    if line.draft.outcome != Outcome::Deferred {
                        continue;
                    }
                    let Some(case) = &line.draft.case else { continue };
                    let view = self.case(&CaseId::new(case.as_str())).await?;
                    let answer = view.map(|v| match v.case.completion() {
                        Some(done) => Some(done.on_time),
                        None => v.case.deadlines().and_then(|d| (now > d.promise.due_at).then_some(false)),
                    });
                    on_time.insert(case.clone(), answer.flatten());
                }
                lines.extend(page);
            }
        }
        Ok(())
    }
}

/// What SPEC 7 counts of the case in `row`.
fn figures_of(r: &ReportRow) -> Result<CaseFigures> {
    let state = r
        .state
        .parse::<State>()
        .map_err(|e| Error::Corrupt(format!("case `{}` has state `{}`: {e}", r.id, r.state)))?;
    Ok(CaseFigures {
        state,
        accepted: r.accepted_at.is_some(),
        instant: r.instant == 1,
        on_time: r.on_time.map(|v| v == 1),
        within_statute: r.within_statute.map(|v| v == 1),
        working_days_used: r.working_days_used,
        suspended: r.suspensions > 0,
        extended: r.extended_days > 0,
        rating: r.rating.and_then(|v| u8::try_from(v).ok()),
    })
}

/// A report's tallies as its cases are read, page by page.
#[derive(Default)]
struct Gathering {
    overall: Tally,
    by_category: BTreeMap<String, Tally>,
    by_kind: BTreeMap<String, Tally>,
    by_channel: BTreeMap<String, Tally>,
}

impl Gathering {
    /// Adds the cases of `engine`'s database that `filter` admits.
    async fn read(&mut self, engine: &Engine, filter: &ReportFilter) -> Result<()> {
        let centre = filter.centre.as_ref().map(|c| c.as_str().to_owned());
        let mut after: Option<(i64, String)> = None;
        loop {
            let mut db = engine.inner.db.acquire().await?;
            let page = db
                .conn()
                .cases_between(
                    filter.basis.column(),
                    centre.as_deref(),
                    (micros(filter.from), micros(filter.to)),
                    after.as_ref().map(|(at, id)| (*at, id.as_str())),
                    REPORT_PAGE,
                )
                .await?;
            let last_page = (page.len() as i64) < REPORT_PAGE;
            for r in page.iter().filter(|r| filter.admits(r)) {
                let c = figures_of(r)?;
                self.overall.add(&c);
                for (groups, name) in [
                    (&mut self.by_category, &r.category),
                    (&mut self.by_kind, &r.kind),
                    (&mut self.by_channel, &r.channel),
                ] {
                    match groups.get_mut(name.as_str()) {
                        Some(tally) => tally.add(&c),
                        None => groups.entry(name.clone()).or_insert_with(Tally::default).add(&c),
                    }
                }
            }
            match page.last() {
                Some(r) if !last_page => after = Some((r.at, r.id.clone())),
                _ => return Ok(()),
            }
        }
    }
}
