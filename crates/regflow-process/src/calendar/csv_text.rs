//! Calendar text: `date,kind,name,source`, RFC 4180 quoting.

use super::{is_weekend, CalendarEntry, CalendarError, DayKind, INDEX_FIRST_YEAR, INDEX_LAST_YEAR};
use chrono::{Datelike, NaiveDate};
use std::collections::BTreeMap;

fn invalid(line: u64, reason: impl Into<String>) -> CalendarError {
    CalendarError::Invalid { line, reason: reason.into() }
}

/// Parses and validates calendar text; the whole text is refused on the first bad line.
pub(super) fn parse(text: &str) -> Result<BTreeMap<NaiveDate, CalendarEntry>, CalendarError> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => return Err(invalid(line_of(&e), format!("malformed header: {e}"))),
        None => return Err(invalid(1, "empty text: expected the header `date,kind,name,source`")),
    };
    let columns: Vec<&str> = header.iter().map(str::trim).collect();
    let with_source = match columns.as_slice() {
        ["date", "kind", "name", "source"] => true,
        ["date", "kind", "name"] => false,
        _ => {
            return Err(invalid(
                1,
                format!("expected the header `date,kind,name,source`, found `{}`", columns.join(",")),
            ))
        }
    };
    let width = if with_source { 4 } else { 3 };
    let mut entries = BTreeMap::new();
    let mut first_line = BTreeMap::new();
    for record in records {
        let record = record.map_err(|e| invalid(line_of(&e), format!("malformed line: {e}")))?;
        let line = record.position().map_or(0, |p| p.line());
        if record.len() == 1 && record.get(0).is_some_and(|f| f.trim().is_empty()) {
            continue; // a blank line
        }
        if record.len() != width {
            return Err(invalid(line, format!("malformed line: expected {width} fields, found {}", record.len())));
        }
        let field = |i: usize| record.get(i).unwrap_or("").trim();
        let date = NaiveDate::parse_from_str(field(0), "%Y-%m-%d")
            .map_err(|_| invalid(line, format!("malformed date `{}` (expected YYYY-MM-DD)", field(0))))?;
        if !(INDEX_FIRST_YEAR..=INDEX_LAST_YEAR).contains(&date.year()) {
            return Err(invalid(
                line,
                format!("date {date} is outside the years {INDEX_FIRST_YEAR}–{INDEX_LAST_YEAR}"),
            ));
        }
        let kind = match field(1) {
            "holiday" => DayKind::Holiday,
            "adjusted_workday" => DayKind::AdjustedWorkday,
            other => {
                return Err(invalid(line, format!("unknown kind `{other}` (expected `holiday` or `adjusted_workday`)")))
            }
        };
        if kind == DayKind::AdjustedWorkday && !is_weekend(date) {
            return Err(invalid(
                line,
                format!("{date} is a {}: only a Saturday or Sunday can be an adjusted working day", date.weekday()),
            ));
        }
        if let Some(previous) = first_line.insert(date, line) {
            return Err(invalid(line, format!("duplicate date {date} (first on line {previous})")));
        }
        let entry = CalendarEntry {
            date,
            kind,
            name: field(2).to_owned(),
            source: if with_source { field(3).to_owned() } else { String::new() },
        };
        entries.insert(date, entry);
    }
    if entries.is_empty() {
        return Err(invalid(1, "the calendar has no entries"));
    }
    Ok(entries)
}

fn line_of(e: &csv::Error) -> u64 {
    e.position().map_or(0, |p| p.line())
}

/// Writes entries back as calendar text.
pub(super) fn write<'a>(entries: impl Iterator<Item = &'a CalendarEntry>) -> String {
    let mut out = String::from("date,kind,name,source\n");
    for e in entries {
        out.push_str(&format!("{},{},{},{}\n", e.date, e.kind.as_str(), quote(&e.name), quote(&e.source)));
    }
    out
}

fn quote(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_owned()
    }
}
