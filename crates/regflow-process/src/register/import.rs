//! `regflow import-register` (SPEC 13.6): a centre's existing register, one unit with its
//! current rights a JSON line, checked whole and turned into `history` entries — one per
//! right, never reported onward, its lapse or expiry armed from `since` (or `last_day`).

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;

use super::clock::{LegalClock, ADVANCE_NOTICE_DAYS, MAX_TERM_YEARS, OBJECTION_DAYS};
use super::entry::{Amount, Content, EntryDraft, Holder, ImportedLawsuit, NationalClass};
use super::share::Share;
use crate::identifier::UnitNumber;
use crate::party::{IdType, PartyId};

/// A person as an import line names them.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonLine {
    /// Name.
    pub name: String,
    /// Identifier number.
    pub id: String,
    /// Identifier type (read from the number when left out).
    #[serde(default)]
    pub id_type: Option<IdType>,
    /// An owner's share, `"p/q"`.
    #[serde(default)]
    pub share: Option<String>,
}

/// A mortgage of an import line.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MortgageLine {
    /// 顺位.
    pub rank: u32,
    /// The mortgagees.
    pub mortgagees: Vec<PersonLine>,
    /// The mortgagors.
    pub mortgagors: Vec<PersonLine>,
    /// The secured amount in yuan.
    #[serde(default)]
    pub secured_amount: Option<String>,
    /// Since when.
    pub since: DateTime<chrono::FixedOffset>,
}

/// A seizure of an import line.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeizureLine {
    /// The court.
    pub court: String,
    /// The ruling.
    #[serde(default)]
    pub ruling: Option<String>,
    /// Since when (active since, or queued since).
    pub since: DateTime<chrono::FixedOffset>,
    /// The last day of the term of the active seizure (default: `since` + the centre's term).
    #[serde(default)]
    pub last_day: Option<NaiveDate>,
    /// Whether it waits behind the active one (轮候).
    #[serde(default)]
    pub queued: bool,
}

/// An objection of an import line.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectionLine {
    /// Who raised it.
    pub holders: Vec<PersonLine>,
    /// Since when.
    pub since: DateTime<chrono::FixedOffset>,
    /// The lawsuit filed on it, if any: then it does not lapse.
    #[serde(default)]
    pub lawsuit: Option<ImportedLawsuit>,
}

/// An advance notice of an import line.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoticeLine {
    /// Whom it protects.
    pub holders: Vec<PersonLine>,
    /// Since when.
    pub since: DateTime<chrono::FixedOffset>,
}

/// One line of a register import.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportLine {
    /// The unit.
    pub unit: String,
    /// When its current ownership was recorded.
    pub recorded_at: DateTime<chrono::FixedOffset>,
    /// The owners (none: a unit whose ownership is not on this register).
    #[serde(default)]
    pub owners: Vec<PersonLine>,
    /// Active mortgages.
    #[serde(default)]
    pub mortgages: Vec<MortgageLine>,
    /// The active seizure and the queued ones.
    #[serde(default)]
    pub seizures: Vec<SeizureLine>,
    /// Active objections.
    #[serde(default)]
    pub objections: Vec<ObjectionLine>,
    /// Active advance notices.
    #[serde(default)]
    pub advance_notices: Vec<NoticeLine>,
}

fn holder(field: &str, p: &PersonLine, may_share: bool) -> Result<Holder, String> {
    if p.name.trim().is_empty() {
        return Err(format!("{field}.name is empty"));
    }
    let id = match p.id_type {
        Some(t) => PartyId::parse(&p.id, t).map_err(|e| format!("{field}.id: {e}"))?,
        None => PartyId::parse_any(&p.id).map_err(|e| format!("{field}.id: {e} (give `id_type`)"))?,
    };
    let share = match (&p.share, may_share) {
        (None, _) => None,
        (Some(s), true) => Some(Share::parse(s).map_err(|e| format!("{field}.share: {e}"))?),
        (Some(_), false) => return Err(format!("{field}.share: only an owner holds a share")),
    };
    Ok(Holder { name: p.name.trim().to_owned(), id: id.as_str().to_owned(), id_type: id.id_type(), share })
}

fn people(field: &str, list: &[PersonLine]) -> Result<Vec<Holder>, String> {
    if list.is_empty() {
        return Err(format!("{field} is empty: name at least one"));
    }
    list.iter().enumerate().map(|(i, p)| holder(&format!("{field}[{i}]"), p, false)).collect()
}

/// Reads and checks one line (`now`: the import's instant) and returns its entries in the
/// order they are written: the ownership, the mortgages by rank, the active seizure then
/// the queued, the objections, the advance notices.
///
/// # Errors
/// A message naming the field and what is wrong: bad JSON or an unknown field, a bad
/// identifier or share, shares not adding up to 1, a rank twice, two active seizures or a
/// queued one without an active one, a date after the import, a right already ended.
pub fn entries_of(
    text: &str,
    now: DateTime<Utc>,
    clock: &LegalClock<'_>,
) -> Result<(UnitNumber, Vec<EntryDraft>), String> {
    let line: ImportLine = serde_json::from_str(text).map_err(|e| format!("not an import line: {e}"))?;
    let unit = UnitNumber::parse(&line.unit).map_err(|e| format!("unit: {e}"))?;
    let utc = |t: DateTime<chrono::FixedOffset>| t.with_timezone(&Utc);
    let not_after = |field: &str, t: DateTime<Utc>| {
        if t > now {
            Err(format!("{field} {} is after the import", clock.hours.format(t)))
        } else {
            Ok(t)
        }
    };
    let draft = |content: Content, at: DateTime<Utc>| EntryDraft {
        unit: unit.clone(),
        case: None,
        refers_to: None,
        recorded_at: at,
        class: NationalClass::of_right(content.entry_type()),
        history: true,
        content,
        certificate: None,
    };
    let mut out = Vec::new();
    let recorded_at = not_after("recorded_at", utc(line.recorded_at))?;
    if !line.owners.is_empty() {
        let mut owners = Vec::new();
        for (i, p) in line.owners.iter().enumerate() {
            let field = format!("owners[{i}]");
            let h = holder(&field, p, true)?;
            if owners.iter().any(|o: &Holder| o.same(&h)) {
                return Err(format!("{field}.id: {} is listed twice", h.id));
            }
            owners.push(h);
        }
        let given = owners.iter().filter(|o| o.share.is_some()).count();
        if given > 0 && given < owners.len() {
            return Err(format!("owners: {given} of {} carry a share: give every owner one, or none", owners.len()));
        }
        if given > 0 && !Share::sum_to_whole(owners.iter().filter_map(|o| o.share)) {
            return Err("owners: the shares do not add up to exactly 1".into());
        }
        let n = owners.len();
        for o in &mut owners {
            o.share = o.share.or(Some(Share::equal(n)));
        }
        let mut d = draft(Content::Ownership { owners, fulfils: Vec::new() }, recorded_at);
        d.class = NationalClass::First;
        out.push(d);
    }
    let mut mortgages = line.mortgages.clone();
    mortgages.sort_by_key(|m| m.rank);
    for (i, m) in mortgages.iter().enumerate() {
        let field = format!("mortgages (rank {})", m.rank);
        if m.rank == 0 {
            return Err(format!("{field}: ranks start at 1"));
        }
        if i > 0 && mortgages[i - 1].rank == m.rank {
            return Err(format!("{field}: two mortgages of one rank"));
        }
        let secured_amount = m
            .secured_amount
            .as_deref()
            .map(|a| Amount::parse(a).map_err(|e| format!("{field}.secured_amount: {e}")))
            .transpose()?;
        let content = Content::Mortgage {
            rank: m.rank,
            mortgagees: people(&format!("{field}.mortgagees"), &m.mortgagees)?,
            mortgagors: people(&format!("{field}.mortgagors"), &m.mortgagors)?,
            secured_amount,
            fulfils: Vec::new(),
        };
        out.push(draft(content, not_after(&format!("{field}.since"), utc(m.since))?));
    }
    let active: Vec<&SeizureLine> = line.seizures.iter().filter(|s| !s.queued).collect();
    if active.len() > 1 {
        return Err("seizures: at most one is active; mark the others `queued`".into());
    }
    if active.is_empty() && !line.seizures.is_empty() {
        return Err("seizures: a queued seizure waits behind an active one; none is active".into());
    }
    let mut queued: Vec<&SeizureLine> = line.seizures.iter().filter(|s| s.queued).collect();
    queued.sort_by_key(|s| s.since);
    for (i, s) in active.iter().chain(queued.iter()).enumerate() {
        let field = format!("seizures[{i}]");
        if s.court.trim().is_empty() {
            return Err(format!("{field}.court is empty"));
        }
        let since = not_after(&format!("{field}.since"), utc(s.since))?;
        if s.queued && s.last_day.is_some() {
            return Err(format!("{field}.last_day: a queued seizure's term has not started"));
        }
        let last_day = match s.last_day {
            Some(d) => Some(d),
            None if !s.queued => Some(
                clock
                    .term_last_day(clock.hours.local_date(since), clock.settings.seizure_term_years)
                    .map_err(|e| format!("{field}: {e}"))?,
            ),
            None => None,
        };
        if let Some(d) = last_day {
            if clock.end_of(d) <= now {
                return Err(format!("{field}.last_day {d}: the seizure has expired already"));
            }
            if d.years_since(clock.hours.local_date(since)).is_some_and(|y| y > MAX_TERM_YEARS) {
                return Err(format!("{field}.last_day {d}: more than {MAX_TERM_YEARS} years after `since`"));
            }
        }
        let content = Content::Seizure {
            court: s.court.trim().to_owned(),
            ruling: s.ruling.clone(),
            term_years: clock.settings.seizure_term_years,
            last_day: if s.queued { None } else { last_day },
        };
        out.push(draft(content, since));
    }
    for (i, o) in line.objections.iter().enumerate() {
        let field = format!("objections[{i}]");
        let since = not_after(&format!("{field}.since"), utc(o.since))?;
        if o.lawsuit.is_none() {
            let end = clock.days_end(since, OBJECTION_DAYS).map_err(|e| format!("{field}: {e}"))?;
            if end.value <= now {
                return Err(format!("{field}: it lapsed at {} (no lawsuit)", clock.hours.format(end.value)));
            }
        }
        let content = Content::Objection {
            holders: people(&format!("{field}.holders"), &o.holders)?,
            lawsuit: o.lawsuit.clone(),
        };
        out.push(draft(content, since));
    }
    for (i, n) in line.advance_notices.iter().enumerate() {
        let field = format!("advance_notices[{i}]");
        let since = not_after(&format!("{field}.since"), utc(n.since))?;
        let end = clock.days_end(since, ADVANCE_NOTICE_DAYS).map_err(|e| format!("{field}: {e}"))?;
        if end.value <= now {
            return Err(format!("{field}: it lapsed at {}", clock.hours.format(end.value)));
        }
        out.push(draft(Content::AdvanceNotice { holders: people(&format!("{field}.holders"), &n.holders)? }, since));
    }
    if out.is_empty() {
        return Err("the line names no right: give owners or at least one right".into());
    }
    Ok((unit, out))
}
