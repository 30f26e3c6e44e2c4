//! The daily 登簿日志 (SPEC 14.2): for a (target, area) and a local date, the entries
//! recorded and the reports accepted that day, per class, and what the reconciliation
//! tells supervisors — entries with no accepted report (已登簿未上报), and accepted reports
//! of earlier days' entries when they outnumber the day's entries.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::report::Target;

/// One line of a log's lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogLine {
    /// The entry's `seq`.
    pub entry: u64,
    /// The case whose event wrote it.
    pub case: Option<String>,
    /// The unit.
    pub unit: String,
    /// 登记类型.
    pub class: u16,
    /// The report's current message id.
    pub message_id: Option<String>,
}

/// Counts per class code, with `total`.
pub type Counts = BTreeMap<String, u64>;

fn counts(lines: &[LogLine]) -> Counts {
    let mut out = Counts::new();
    for l in lines {
        *out.entry(l.class.to_string()).or_default() += 1;
    }
    out.insert("total".into(), lines.len() as u64);
    out
}

/// A closed day's log for one target and area.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailyLog {
    /// The target.
    pub target: Target,
    /// The area code.
    pub area: String,
    /// The local date.
    pub date: NaiveDate,
    /// Entries recorded that day (not `history`), per class.
    pub recorded: Counts,
    /// The target's reports accepted that day, whatever their entry's day, per class.
    pub accepted: Counts,
    /// The entries recorded.
    pub recorded_list: Vec<LogLine>,
    /// The reports accepted.
    pub accepted_list: Vec<LogLine>,
    /// The day's entries with no accepted report to the target when the day closed.
    pub unreported: Vec<LogLine>,
    /// When more reports were accepted than entries recorded: the accepted reports of
    /// earlier days' entries.
    pub excess: Vec<LogLine>,
}

impl DailyLog {
    /// Closes `date` for `target` and `area`: `recorded` are the day's entries, each with
    /// whether its report to the target is accepted now; `accepted` the reports accepted
    /// that day, each with the local date its entry was recorded on.
    pub fn close(
        target: Target,
        area: &str,
        date: NaiveDate,
        recorded: Vec<(LogLine, bool)>,
        accepted: Vec<(LogLine, NaiveDate)>,
    ) -> DailyLog {
        let unreported: Vec<LogLine> = recorded.iter().filter(|(_, ok)| !ok).map(|(l, _)| l.clone()).collect();
        let recorded_list: Vec<LogLine> = recorded.into_iter().map(|(l, _)| l).collect();
        let excess: Vec<LogLine> = if accepted.len() > recorded_list.len() {
            accepted.iter().filter(|(_, day)| *day < date).map(|(l, _)| l.clone()).collect()
        } else {
            Vec::new()
        };
        let accepted_list: Vec<LogLine> = accepted.into_iter().map(|(l, _)| l).collect();
        DailyLog {
            target,
            area: area.to_owned(),
            date,
            recorded: counts(&recorded_list),
            accepted: counts(&accepted_list),
            recorded_list,
            accepted_list,
            unreported,
            excess,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(entry: u64, class: u16) -> LogLine {
        LogLine { entry, case: None, unit: "630102001001GB00001F00010001".into(), class, message_id: None }
    }

    /// SPEC 14.3 vectors 3 and 4.
    #[test]
    fn a_day_counts_and_reconciles() {
        let d4 = NaiveDate::from_ymd_opt(2026, 3, 4).unwrap();
        let d5 = d4.succ_opt().unwrap();
        let log = DailyLog::close(
            Target::National,
            "630102",
            d4,
            vec![(line(1, 200), true), (line(2, 800), false)],
            vec![(line(1, 200), d4)],
        );
        assert_eq!(log.recorded, Counts::from([("200".into(), 1), ("800".into(), 1), ("total".into(), 2)]));
        assert_eq!(log.accepted, Counts::from([("200".into(), 1), ("total".into(), 1)]));
        assert_eq!(log.unreported.iter().map(|l| l.entry).collect::<Vec<_>>(), vec![2]);
        assert!(log.excess.is_empty());
        let next = DailyLog::close(Target::National, "630102", d5, vec![], vec![(line(2, 800), d4)]);
        assert_eq!(next.recorded, Counts::from([("total".into(), 0)]));
        assert_eq!(next.accepted, Counts::from([("800".into(), 1), ("total".into(), 1)]));
        assert_eq!(next.excess.iter().map(|l| l.entry).collect::<Vec<_>>(), vec![2]);
    }
}
