//! Figures as text tables, in Chinese with the English ids, for a centre's staff: the
//! simulation's summary and `regflow report --format table` print the same rows.

use regflow_executor::Figures;
use regflow_process::ApplicantCategory;
use std::fmt::Write as _;

/// A rate as a percentage, `—` when there is nothing to rate.
pub fn pct(x: Option<f64>) -> String {
    x.map_or("—".into(), |v| format!("{:.1}%", v * 100.0))
}

/// A figure to two decimals, `—` when there is none.
pub fn num(x: Option<f64>) -> String {
    x.map_or("—".into(), |v| format!("{v:.2}"))
}

/// Cases opened and not yet ended.
pub fn still_open(f: &Figures) -> u64 {
    f.opened.saturating_sub(f.completed + f.not_accepted + f.rejected + f.withdrawn)
}

/// 个人 / 单位.
pub fn category_zh(c: ApplicantCategory) -> &'static str {
    match c {
        ApplicantCategory::Individual => "个人",
        ApplicantCategory::Organisation => "单位",
    }
}

/// One line of the outcome counts: opened = instant + in days + not accepted + …
pub fn outcome_line(o: &Figures) -> String {
    format!(
        "申请 opened {} = 即时办结 completed on the spot {} + 按工作日办结 completed in working days {} + 不予受理 not_accepted {} + 不予登记 rejected {} + 撤回 withdrawn {} + 在办 still open {}",
        o.opened,
        o.completed_instantly,
        o.completed - o.completed_instantly,
        o.not_accepted,
        o.rejected,
        o.withdrawn,
        still_open(o)
    )
}

/// A table of figures, one row per `(label, figures)`: opened, instant, in days, mean and
/// median working days, on-time rate, within-statute rate, reduction against 30 days.
pub fn figures_table<'a>(first_column: &str, rows: impl IntoIterator<Item = (String, &'a Figures)>) -> String {
    let mut s = String::new();
    let line = |s: &mut String, cells: [&str; 9]| {
        let _ = writeln!(
            s,
            "{:<22} {:>6} {:>8} {:>8} {:>12} {:>12} {:>10} {:>10} {:>10}",
            cells[0], cells[1], cells[2], cells[3], cells[4], cells[5], cells[6], cells[7], cells[8]
        );
    };
    line(
        &mut s,
        [first_column, "申请", "即时办结", "工作日办结", "平均工作日", "中位工作日", "按时率", "法定内", "较30工作日"],
    );
    line(&mut s, ["", "opened", "instant", "in days", "mean", "median", "on time", "in statute", "reduction"]);
    for (name, f) in rows {
        let cells = [
            name,
            f.opened.to_string(),
            f.completed_instantly.to_string(),
            (f.completed - f.completed_instantly).to_string(),
            num(f.mean_working_days),
            num(f.median_working_days),
            pct(f.on_time_rate),
            pct(f.within_statute_rate),
            pct(f.reduction_vs_statute),
        ];
        let refs: [&str; 9] = std::array::from_fn(|i| cells[i].as_str());
        line(&mut s, refs);
    }
    s
}
