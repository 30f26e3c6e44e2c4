//! A unit's register as the fold of its entries (SPEC 13.2, 13.5): who owns it, which
//! mortgages rank on it, which seizure holds it and which wait, which objections and
//! advance notices run — now, or as of any instant.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

use super::clock::{LegalClock, ADVANCE_NOTICE_DAYS, OBJECTION_DAYS};
use super::entry::{Amount, Content, EntryDraft, EntryType, Holder, NationalClass};
use super::share::Share;
use crate::calendar::{CalendarError, OfficeHours};
use crate::case::CaseId;
use crate::identifier::UnitNumber;

/// Whether a unit has owners on the register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitStatus {
    /// No ownership entry: the unit is not (yet) on this register.
    Unknown,
    /// It has current owners.
    Registered,
    /// Its ownership was cancelled (注销).
    Cancelled,
}

/// A current owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    /// Who, with the share.
    pub holder: Holder,
    /// Since when.
    pub since: DateTime<Utc>,
    /// The entry that made them owner.
    pub entry: u64,
}

/// An active mortgage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MortgageRight {
    /// 顺位.
    pub rank: u32,
    /// The mortgagees.
    pub mortgagees: Vec<Holder>,
    /// The mortgagors.
    pub mortgagors: Vec<Holder>,
    /// The secured amount.
    pub secured_amount: Option<Amount>,
    /// Since when.
    pub since: DateTime<Utc>,
    /// Its entry.
    pub entry: u64,
}

/// A seizure, active or queued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeizureRight {
    /// The court.
    pub court: String,
    /// The ruling.
    pub ruling: Option<String>,
    /// Its term in years.
    pub term_years: u32,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
    /// When it became active (`None` while queued).
    pub active_since: Option<DateTime<Utc>>,
    /// The last day of its term (`None` while queued).
    pub last_day: Option<NaiveDate>,
    /// 24:00 of the last day, when it expires (`None` while queued).
    pub expires_at: Option<DateTime<Utc>>,
    /// Its entry.
    pub entry: u64,
}

/// A lawsuit on an objection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lawsuit {
    /// The court.
    pub court: String,
    /// When it was filed.
    pub filed_on: NaiveDate,
    /// The entry that recorded it.
    pub entry: u64,
}

/// An active objection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectionRight {
    /// Who raised it.
    pub holders: Vec<Holder>,
    /// Since when.
    pub since: DateTime<Utc>,
    /// When it lapses (none once a lawsuit was filed).
    pub lapses_at: Option<DateTime<Utc>>,
    /// Whether `lapses_at` assumed a year the calendar does not cover.
    pub provisional: bool,
    /// The lawsuit, if one was filed.
    pub lawsuit: Option<Lawsuit>,
    /// Its entry.
    pub entry: u64,
}

/// An active advance notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeRight {
    /// Whom it protects.
    pub holders: Vec<Holder>,
    /// Since when.
    pub since: DateTime<Utc>,
    /// When it lapses unless the registration it secures comes first.
    pub lapses_at: DateTime<Utc>,
    /// Whether `lapses_at` assumed a year the calendar does not cover.
    pub provisional: bool,
    /// Its entry.
    pub entry: u64,
}

/// A right's end that comes by itself, at its due instant (SPEC 13.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum End {
    /// The objection of this entry lapses.
    ObjectionLapses(u64),
    /// The advance notice of this entry lapses.
    NoticeLapses(u64),
    /// The active seizure of this entry expires.
    SeizureExpires(u64),
}

impl End {
    /// The entry written for it.
    pub fn content(self) -> (Content, u64) {
        match self {
            End::ObjectionLapses(e) => (Content::ObjectionLapsed, e),
            End::NoticeLapses(e) => (Content::AdvanceNoticeLapsed, e),
            End::SeizureExpires(e) => (Content::SeizureExpired, e),
        }
    }
}

/// Why an entry cannot apply to a unit's register: the stored register is not what its
/// entries say (a rebuild finds it) or an entry names what is not there.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("entry {seq}: {reason}")]
pub struct ApplyError {
    /// The entry.
    pub seq: u64,
    /// What does not fit.
    pub reason: String,
}

/// A unit's register: the fold of its entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitRegister {
    unit: UnitNumber,
    status: UnitStatus,
    owners: Vec<Owner>,
    ownership_entry: Option<u64>,
    mortgages: Vec<MortgageRight>,
    max_rank: u32,
    active: Option<SeizureRight>,
    queued: Vec<SeizureRight>,
    objections: Vec<ObjectionRight>,
    notices: Vec<NoticeRight>,
    /// Every entry of the unit: its type and the case that wrote it.
    entries: BTreeMap<u64, (EntryType, Option<CaseId>)>,
    /// Advance notices whose lapse waits for securing cases still open: the cases.
    held: BTreeMap<u64, BTreeSet<CaseId>>,
    /// Advance notices whose last securing case ended unrecorded, and when.
    released: BTreeMap<u64, DateTime<Utc>>,
    last_at: Option<DateTime<Utc>>,
}

impl UnitRegister {
    /// The register of a unit with no entries.
    pub fn empty(unit: UnitNumber) -> UnitRegister {
        UnitRegister {
            unit,
            status: UnitStatus::Unknown,
            owners: Vec::new(),
            ownership_entry: None,
            mortgages: Vec::new(),
            max_rank: 0,
            active: None,
            queued: Vec::new(),
            objections: Vec::new(),
            notices: Vec::new(),
            entries: BTreeMap::new(),
            held: BTreeMap::new(),
            released: BTreeMap::new(),
            last_at: None,
        }
    }

    /// Folds a unit's entries, in `seq` order.
    ///
    /// # Errors
    /// [`ApplyError`] for an entry that does not fit the register before it.
    pub fn rebuild<'e>(
        unit: UnitNumber,
        entries: impl IntoIterator<Item = (u64, &'e EntryDraft)>,
        clock: &LegalClock<'_>,
    ) -> Result<UnitRegister, ApplyError> {
        let mut reg = UnitRegister::empty(unit);
        for (seq, draft) in entries {
            reg.apply(seq, draft, clock)?;
        }
        Ok(reg)
    }

    /// The register as of `at` (SPEC 13.5): the entries recorded up to then, with the ends
    /// due by then.
    ///
    /// # Errors
    /// [`ApplyError`] for an entry that does not fit the register before it.
    pub fn rebuild_as_of<'e>(
        unit: UnitNumber,
        entries: impl IntoIterator<Item = (u64, &'e EntryDraft)>,
        at: DateTime<Utc>,
        clock: &LegalClock<'_>,
    ) -> Result<UnitRegister, ApplyError> {
        let reg = UnitRegister::rebuild(unit, entries.into_iter().filter(|(_, e)| e.recorded_at <= at), clock)?;
        Ok(reg.as_of(at, clock))
    }

    /// The unit.
    pub fn unit(&self) -> &UnitNumber {
        &self.unit
    }

    /// Unknown, registered or cancelled.
    pub fn status(&self) -> UnitStatus {
        self.status
    }

    /// The current owners.
    pub fn owners(&self) -> &[Owner] {
        &self.owners
    }

    /// Whether the unit has an ownership entry (registered or cancelled).
    pub fn has_ownership_entry(&self) -> bool {
        self.status != UnitStatus::Unknown
    }

    /// Active mortgages by rank.
    pub fn mortgages(&self) -> &[MortgageRight] {
        &self.mortgages
    }

    /// The highest rank ever given.
    pub fn max_rank(&self) -> u32 {
        self.max_rank
    }

    /// The active seizure.
    pub fn active_seizure(&self) -> Option<&SeizureRight> {
        self.active.as_ref()
    }

    /// Queued seizures in recording order.
    pub fn queued_seizures(&self) -> &[SeizureRight] {
        &self.queued
    }

    /// Active objections.
    pub fn objections(&self) -> &[ObjectionRight] {
        &self.objections
    }

    /// Active advance notices.
    pub fn advance_notices(&self) -> &[NoticeRight] {
        &self.notices
    }

    /// The entries of the unit: `seq` → (type, case).
    pub fn entries(&self) -> &BTreeMap<u64, (EntryType, Option<CaseId>)> {
        &self.entries
    }

    /// The entry of the unit that `case`'s recording wrote (its first).
    pub fn entry_of_case(&self, case: &str) -> Option<u64> {
        self.entries.iter().find(|(_, (_, c))| c.as_ref().is_some_and(|c| c.as_str() == case)).map(|(s, _)| *s)
    }

    /// Holds the lapse of each active advance notice that `case` secures (SPEC 13.4): a
    /// case of a kind a notice secures (`secures`: the transfers, `mortgage`), naming one
    /// of its holders as obligee, opened at `opened` before the notice lapsed and still
    /// open. Its recording ends the notice `fulfilled`; if it ends unrecorded, see
    /// [`UnitRegister::release_case`].
    pub fn hold_for(&mut self, case: &CaseId, obligees: &[Holder], opened: DateTime<Utc>) {
        for n in &self.notices {
            if opened < n.lapses_at && n.holders.iter().any(|h| obligees.iter().any(|o| o.same(h))) {
                self.held.entry(n.entry).or_default().insert(case.clone());
            }
        }
    }

    /// `case` ended at `at` without being recorded: the notices only it held lapse then,
    /// if their 90 days have run.
    pub fn release_case(&mut self, case: &CaseId, at: DateTime<Utc>) {
        let mut freed = Vec::new();
        for (entry, cases) in &mut self.held {
            if cases.remove(case) && cases.is_empty() {
                freed.push(*entry);
            }
        }
        for entry in freed {
            self.held.remove(&entry);
            self.released.insert(entry, at);
        }
    }

    /// Whether any notice's lapse is held by an open case.
    pub fn holds(&self) -> bool {
        !self.held.is_empty()
    }

    /// The next end due, with its instant (held notices left out; a released one ends no
    /// earlier than its release).
    pub fn next_end(&self) -> Option<(DateTime<Utc>, End)> {
        let objections =
            self.objections.iter().filter_map(|o| o.lapses_at.map(|at| (at, End::ObjectionLapses(o.entry))));
        let notices = self.notices.iter().filter(|n| !self.held.contains_key(&n.entry)).map(|n| {
            let at = self.released.get(&n.entry).map_or(n.lapses_at, |r| n.lapses_at.max(*r));
            (at, End::NoticeLapses(n.entry))
        });
        let seizure = self.active.iter().filter_map(|s| Some((s.expires_at?, End::SeizureExpires(s.entry))));
        objections.chain(notices).chain(seizure).min()
    }

    /// The entries of the ends due at or before `at`, in due order, each applied as it is
    /// planned (`first_seq` is the `seq` the first will get).
    ///
    /// # Errors
    /// [`ApplyError`] when a promoted seizure's term leaves the calendar's years.
    pub fn settle(
        &mut self,
        at: DateTime<Utc>,
        first_seq: u64,
        clock: &LegalClock<'_>,
    ) -> Result<Vec<EntryDraft>, ApplyError> {
        let mut out = Vec::new();
        while let Some((due, end)) = self.next_end().filter(|(due, _)| *due <= at) {
            let (content, refers_to) = end.content();
            let draft = EntryDraft {
                unit: self.unit.clone(),
                case: None,
                refers_to: Some(refers_to),
                recorded_at: due,
                class: NationalClass::of_right(content.entry_type()),
                history: false,
                content,
                certificate: None,
            };
            let seq = first_seq + out.len() as u64;
            self.apply(seq, &draft, clock)?;
            out.push(draft);
        }
        Ok(out)
    }

    /// The register as of `at`: what entries up to then say, with the ends due by then.
    pub fn as_of(&self, at: DateTime<Utc>, clock: &LegalClock<'_>) -> UnitRegister {
        let mut out = self.clone();
        // Ends never fail to apply to the register that planned them; a term out of the
        // calendar's years leaves the seizure as it is.
        let _ = out.settle(at, u64::MAX / 2, clock);
        out
    }

    fn bad(seq: u64, reason: impl Into<String>) -> ApplyError {
        ApplyError { seq, reason: reason.into() }
    }

    /// Applies entry `seq`.
    ///
    /// # Errors
    /// [`ApplyError`] when it names a right that is not there or is of another unit.
    pub fn apply(&mut self, seq: u64, e: &EntryDraft, clock: &LegalClock<'_>) -> Result<(), ApplyError> {
        if e.unit != self.unit {
            return Err(Self::bad(seq, format!("is of unit {}, not {}", e.unit, self.unit)));
        }
        let at = e.recorded_at;
        let refers = || e.refers_to.ok_or_else(|| Self::bad(seq, "names no entry it ends"));
        match &e.content {
            Content::Ownership { owners, fulfils } => {
                self.owners = owners.iter().map(|h| Owner { holder: h.clone(), since: at, entry: seq }).collect();
                self.ownership_entry = Some(seq);
                self.status = UnitStatus::Registered;
                for n in fulfils {
                    self.end_notice(seq, *n)?;
                }
            }
            Content::OwnerDetails { owners } => {
                for o in &mut self.owners {
                    if let Some(new) = owners.iter().find(|h| h.same(&o.holder)) {
                        o.holder.name.clone_from(&new.name);
                        if new.share.is_some() {
                            o.holder.share = new.share;
                        }
                    }
                }
            }
            Content::Mortgage { rank, mortgagees, mortgagors, secured_amount, fulfils } => {
                self.max_rank = self.max_rank.max(*rank);
                self.mortgages.push(MortgageRight {
                    rank: *rank,
                    mortgagees: mortgagees.clone(),
                    mortgagors: mortgagors.clone(),
                    secured_amount: *secured_amount,
                    since: at,
                    entry: seq,
                });
                self.mortgages.sort_by_key(|m| m.rank);
                for n in fulfils {
                    self.end_notice(seq, *n)?;
                }
            }
            Content::MortgageRelease => {
                if let Some(m) = e.refers_to {
                    let before = self.mortgages.len();
                    self.mortgages.retain(|x| x.entry != m);
                    if self.mortgages.len() == before {
                        return Err(Self::bad(seq, format!("releases entry {m}, not an active mortgage")));
                    }
                }
            }
            Content::Seizure { court, ruling, term_years, last_day } => {
                let mut right = SeizureRight {
                    court: court.clone(),
                    ruling: ruling.clone(),
                    term_years: *term_years,
                    recorded_at: at,
                    active_since: None,
                    last_day: None,
                    expires_at: None,
                    entry: seq,
                };
                if self.active.is_none() {
                    right.activate(at, clock).map_err(|e| Self::bad(seq, e.to_string()))?;
                    if let Some(day) = last_day {
                        // An imported seizure keeps the last day it was brought in with.
                        right.last_day = Some(*day);
                        right.expires_at = Some(clock.end_of(*day));
                    }
                    self.active = Some(right);
                } else {
                    self.queued.push(right);
                }
            }
            Content::SeizureRelease => {
                if let Some(s) = e.refers_to {
                    if self.active.as_ref().is_some_and(|a| a.entry == s) {
                        self.active = None;
                        self.promote(at, clock).map_err(|e| Self::bad(seq, e.to_string()))?;
                    } else {
                        let before = self.queued.len();
                        self.queued.retain(|q| q.entry != s);
                        if self.queued.len() == before {
                            return Err(Self::bad(seq, format!("releases entry {s}, not a seizure of the unit")));
                        }
                    }
                }
            }
            Content::Objection { holders, lawsuit } => {
                let end = clock.days_end(at, OBJECTION_DAYS).map_err(|e| Self::bad(seq, e.to_string()))?;
                let lawsuit =
                    lawsuit.as_ref().map(|l| Lawsuit { court: l.court.clone(), filed_on: l.filed_on, entry: seq });
                self.objections.push(ObjectionRight {
                    holders: holders.clone(),
                    since: at,
                    lapses_at: if lawsuit.is_some() { None } else { Some(end.value) },
                    provisional: end.provisional,
                    lawsuit,
                    entry: seq,
                });
            }
            Content::AdvanceNotice { holders } => {
                let end = clock.days_end(at, ADVANCE_NOTICE_DAYS).map_err(|e| Self::bad(seq, e.to_string()))?;
                self.notices.push(NoticeRight {
                    holders: holders.clone(),
                    since: at,
                    lapses_at: end.value,
                    provisional: end.provisional,
                    entry: seq,
                });
            }
            Content::Correction { obligees, obligors, secured_amount } => {
                if let Some(target) = e.refers_to {
                    self.correct(seq, target, obligees, obligors, *secured_amount)?;
                }
            }
            Content::Cancellation => match e.refers_to {
                None => {
                    self.owners.clear();
                    self.status = UnitStatus::Cancelled;
                    self.mortgages.clear();
                    self.objections.clear();
                    self.notices.clear();
                }
                Some(r) => {
                    let before = self.objections.len() + self.notices.len();
                    self.objections.retain(|o| o.entry != r);
                    self.notices.retain(|n| n.entry != r);
                    if self.objections.len() + self.notices.len() == before {
                        return Err(Self::bad(seq, format!("cancels entry {r}, not an active objection or notice")));
                    }
                }
            },
            Content::ObjectionLapsed => {
                let r = refers()?;
                let before = self.objections.len();
                self.objections.retain(|o| o.entry != r);
                if self.objections.len() == before {
                    return Err(Self::bad(seq, format!("lapses entry {r}, not an active objection")));
                }
            }
            Content::AdvanceNoticeLapsed => {
                let r = refers()?;
                self.end_notice(seq, r)?;
            }
            Content::SeizureExpired => {
                let r = refers()?;
                if self.active.as_ref().is_none_or(|a| a.entry != r) {
                    return Err(Self::bad(seq, format!("expires entry {r}, not the active seizure")));
                }
                self.active = None;
                self.promote(at, clock).map_err(|e| Self::bad(seq, e.to_string()))?;
            }
            Content::ObjectionLawsuit { court, filed_on } => {
                let r = refers()?;
                let o =
                    self.objections.iter_mut().find(|o| o.entry == r).ok_or_else(|| {
                        Self::bad(seq, format!("files a lawsuit on entry {r}, not an active objection"))
                    })?;
                o.lawsuit = Some(Lawsuit { court: court.clone(), filed_on: *filed_on, entry: seq });
                o.lapses_at = None;
            }
            Content::SeizureRenewed { term_years } => {
                let r = refers()?;
                let active = self
                    .active
                    .as_mut()
                    .filter(|a| a.entry == r)
                    .ok_or_else(|| Self::bad(seq, format!("renews entry {r}, not the active seizure")))?;
                let last = active.last_day.expect("an active seizure has a last day");
                let last = super::clock::add_years(last, *term_years).ok_or_else(|| Self::bad(seq, "term too long"))?;
                active.last_day = Some(last);
                active.expires_at = Some(clock.end_of(last));
            }
        }
        self.entries.insert(seq, (e.content.entry_type(), e.case.clone()));
        self.last_at = Some(self.last_at.map_or(at, |l| l.max(at)));
        Ok(())
    }

    fn end_notice(&mut self, seq: u64, notice: u64) -> Result<(), ApplyError> {
        let before = self.notices.len();
        self.notices.retain(|n| n.entry != notice);
        self.held.remove(&notice);
        self.released.remove(&notice);
        if self.notices.len() == before {
            return Err(Self::bad(seq, format!("ends entry {notice}, not an active advance notice")));
        }
        Ok(())
    }

    fn promote(&mut self, at: DateTime<Utc>, clock: &LegalClock<'_>) -> Result<(), CalendarError> {
        if self.queued.is_empty() {
            return Ok(());
        }
        let mut next = self.queued.remove(0);
        next.activate(at, clock)?;
        self.active = Some(next);
        Ok(())
    }

    fn correct(
        &mut self,
        seq: u64,
        target: u64,
        obligees: &[Holder],
        obligors: &[Holder],
        amount: Option<Amount>,
    ) -> Result<(), ApplyError> {
        if self.ownership_entry == Some(target) && self.status == UnitStatus::Registered {
            let since = self.owners.first().map(|o| o.since);
            let shares = obligees.iter().all(|h| h.share.is_some());
            self.owners = obligees
                .iter()
                .map(|h| Owner {
                    holder: Holder {
                        share: h.share.or(Some(Share::equal(obligees.len())).filter(|_| !shares)),
                        ..h.clone()
                    },
                    since: since.unwrap_or_default(),
                    entry: target,
                })
                .collect();
        } else if let Some(m) = self.mortgages.iter_mut().find(|m| m.entry == target) {
            m.mortgagees = obligees.to_vec();
            m.mortgagors = obligors.to_vec();
            if amount.is_some() {
                m.secured_amount = amount;
            }
        } else if self.objections.iter().any(|o| o.entry == target) {
            self.objections.retain(|o| o.entry != target);
        } else if let Some(n) = self.notices.iter_mut().find(|n| n.entry == target) {
            n.holders = obligees.to_vec();
        } else if !self.entries.contains_key(&target) {
            return Err(Self::bad(seq, format!("corrects entry {target}, not an entry of the unit")));
        }
        Ok(())
    }

    /// The page (SPEC 13.5), times in the centre's offset.
    pub fn page(&self, as_of: DateTime<Utc>, hours: &OfficeHours) -> UnitPage {
        let t = |at: DateTime<Utc>| at.with_timezone(&hours.time_zone()).fixed_offset();
        let seizure = |s: &SeizureRight| PageSeizure {
            court: s.court.clone(),
            ruling: s.ruling.clone(),
            since: t(s.active_since.unwrap_or(s.recorded_at)),
            expires_at: s.expires_at.map(t),
            entry: s.entry,
        };
        let mut restrictions = Vec::new();
        if self.active.is_some() {
            restrictions.push(Restriction::Seized);
        }
        if !self.mortgages.is_empty() {
            restrictions.push(Restriction::Mortgaged);
        }
        if !self.objections.is_empty() {
            restrictions.push(Restriction::Objection);
        }
        if !self.notices.is_empty() {
            restrictions.push(Restriction::AdvanceNotice);
        }
        UnitPage {
            unit: self.unit.clone(),
            as_of: t(as_of),
            status: self.status,
            owners: self
                .owners
                .iter()
                .map(|o| PageOwner {
                    name: o.holder.name.clone(),
                    id: o.holder.id.clone(),
                    id_type: o.holder.id_type,
                    share: o.holder.share.unwrap_or(Share::WHOLE),
                    since: t(o.since),
                    entry: o.entry,
                })
                .collect(),
            mortgages: self
                .mortgages
                .iter()
                .map(|m| PageMortgage {
                    rank: m.rank,
                    mortgagees: m.mortgagees.clone(),
                    mortgagors: m.mortgagors.clone(),
                    secured_amount: m.secured_amount,
                    since: t(m.since),
                    entry: m.entry,
                })
                .collect(),
            seizures: PageSeizures {
                active: self.active.as_ref().map(seizure),
                queued: self.queued.iter().map(seizure).collect(),
            },
            objections: self
                .objections
                .iter()
                .map(|o| PageObjection {
                    holders: o.holders.clone(),
                    since: t(o.since),
                    lapses_at: o.lapses_at.map(t),
                    lawsuit: o.lawsuit.clone(),
                    entry: o.entry,
                })
                .collect(),
            advance_notices: self
                .notices
                .iter()
                .map(|n| PageNotice {
                    holders: n.holders.clone(),
                    since: t(n.since),
                    lapses_at: t(n.lapses_at),
                    entry: n.entry,
                })
                .collect(),
            restrictions,
        }
    }
}

impl SeizureRight {
    fn activate(&mut self, at: DateTime<Utc>, clock: &LegalClock<'_>) -> Result<(), CalendarError> {
        let from = clock.hours.local_date(at);
        let last = clock.term_last_day(from, self.term_years)?;
        self.active_since = Some(at);
        self.last_day = Some(last);
        self.expires_at = Some(clock.end_of(last));
        Ok(())
    }
}

/// 限制状态: what restricts the unit now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Restriction {
    /// 查封.
    Seized,
    /// 抵押.
    Mortgaged,
    /// 异议.
    Objection,
    /// 预告.
    AdvanceNotice,
}

/// An owner on the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageOwner {
    /// Name.
    pub name: String,
    /// Identifier number.
    pub id: String,
    /// Identifier type.
    pub id_type: crate::party::IdType,
    /// Share (`1/1` for a sole owner).
    pub share: Share,
    /// Since when.
    pub since: DateTime<FixedOffset>,
    /// The entry (its `seq`).
    pub entry: u64,
}

/// A mortgage on the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageMortgage {
    /// 顺位.
    pub rank: u32,
    /// Mortgagees.
    pub mortgagees: Vec<Holder>,
    /// Mortgagors.
    pub mortgagors: Vec<Holder>,
    /// Secured amount.
    pub secured_amount: Option<Amount>,
    /// Since when.
    pub since: DateTime<FixedOffset>,
    /// The entry.
    pub entry: u64,
}

/// A seizure on the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageSeizure {
    /// The court.
    pub court: String,
    /// The ruling.
    pub ruling: Option<String>,
    /// Active since (recorded at, while queued).
    pub since: DateTime<FixedOffset>,
    /// When it expires (null while queued).
    pub expires_at: Option<DateTime<FixedOffset>>,
    /// The entry.
    pub entry: u64,
}

/// The active seizure and the queue behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageSeizures {
    /// The active seizure.
    pub active: Option<PageSeizure>,
    /// Queued seizures in order (轮候).
    pub queued: Vec<PageSeizure>,
}

/// An objection on the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageObjection {
    /// Holders.
    pub holders: Vec<Holder>,
    /// Since when.
    pub since: DateTime<FixedOffset>,
    /// When it lapses (null with a lawsuit).
    pub lapses_at: Option<DateTime<FixedOffset>>,
    /// The lawsuit.
    pub lawsuit: Option<Lawsuit>,
    /// The entry.
    pub entry: u64,
}

/// An advance notice on the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageNotice {
    /// Holders.
    pub holders: Vec<Holder>,
    /// Since when.
    pub since: DateTime<FixedOffset>,
    /// When it lapses.
    pub lapses_at: DateTime<FixedOffset>,
    /// The entry.
    pub entry: u64,
}

/// The unit page (登记簿), SPEC 13.5.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitPage {
    /// The unit.
    pub unit: UnitNumber,
    /// The instant it shows.
    pub as_of: DateTime<FixedOffset>,
    /// unknown, registered or cancelled.
    pub status: UnitStatus,
    /// Owners with shares.
    pub owners: Vec<PageOwner>,
    /// Active mortgages by rank.
    pub mortgages: Vec<PageMortgage>,
    /// The active seizure and the queued ones.
    pub seizures: PageSeizures,
    /// Active objections.
    pub objections: Vec<PageObjection>,
    /// Active advance notices.
    pub advance_notices: Vec<PageNotice>,
    /// 限制状态, in the order seized, mortgaged, objection, advance notice.
    pub restrictions: Vec<Restriction>,
}
