//! Information queries with authorisation (不动产登记资料查询, SPEC 15.2): who may read a
//! unit's page and how much of it, the answer in that scope, the query log's lines and the
//! query result certificate (查询结果证明). Pure: the executor loads the page, writes the
//! lines and signs the certificate.

use std::fmt;

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};

use super::certificate::{canonical, sha256_hex, Signed, QUERY_RESULT_FORMAT};
use super::entry::Holder;
use super::page::{UnitPage, UnitStatus};
use crate::channel::Channel;
use crate::error::ErrorCode;
use crate::party::{Applicant, IdType};
use crate::refusal::{Detail, Refusal};

/// Who asks (`querier`): the table of SPEC 15.2.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuerierClass {
    /// One of the unit's owners (the default): the full page.
    #[default]
    Owner,
    /// An interested party with a purpose and a proof: identifiers masked.
    InterestedParty,
    /// A court, procuratorate or public security organ with a commission: the full page.
    Authority,
}

/// On what ground a line of the query log read a page: a querier's class, or `staff` for
/// a service read by the centre's staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReaderClass {
    /// An owner.
    Owner,
    /// An interested party.
    InterestedParty,
    /// An authority.
    Authority,
    /// The centre's staff reading the register in their work.
    Staff,
}

impl QuerierClass {
    /// Every class.
    pub const ALL: [QuerierClass; 3] = [QuerierClass::Owner, QuerierClass::InterestedParty, QuerierClass::Authority];

    /// The stable id.
    pub fn as_str(self) -> &'static str {
        ReaderClass::from(self).as_str()
    }
}

crate::ids::stable_id_enum!(QuerierClass, "querier class");

impl From<QuerierClass> for ReaderClass {
    fn from(class: QuerierClass) -> Self {
        match class {
            QuerierClass::Owner => ReaderClass::Owner,
            QuerierClass::InterestedParty => ReaderClass::InterestedParty,
            QuerierClass::Authority => ReaderClass::Authority,
        }
    }
}

impl ReaderClass {
    /// The stable id.
    pub fn as_str(self) -> &'static str {
        match self {
            ReaderClass::Owner => "owner",
            ReaderClass::InterestedParty => "interested_party",
            ReaderClass::Authority => "authority",
            ReaderClass::Staff => "staff",
        }
    }
}

impl fmt::Display for ReaderClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Outcome {
    /// Every outcome.
    pub const ALL: [Outcome; 5] =
        [Outcome::Refused, Outcome::Accepted, Outcome::Deferred, Outcome::Answered, Outcome::Read];
}

/// The authority types a centre accepts by default (`authorities`).
pub const DEFAULT_AUTHORITIES: [&str; 3] = ["court", "procuratorate", "public_security"];

/// Working days a deferred query may take by default (`query_defer_days`).
pub const DEFAULT_DEFER_DAYS: u32 = 5;

/// A query's arguments as accepted (checked for shape; the scope is decided from them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryArgs {
    /// Who asks.
    #[serde(default)]
    pub querier: QuerierClass,
    /// Why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    /// The interest proof's or the commission's reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proof: Option<String>,
    /// An authority's type (`court`, `procuratorate`, `public_security` or as configured).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority_type: Option<String>,
}

/// How much of the page a query answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// The full page.
    Full,
    /// Every identifier but the querier's masked (first 6 and last 4 characters kept).
    Masked,
}

/// The querier as the log and the result certificate name them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Querier {
    /// Name.
    pub name: String,
    /// Identifier.
    pub id: String,
    /// Identifier type.
    pub id_type: IdType,
}

impl Querier {
    /// The querier a case names: its first party.
    pub fn of(party: &Applicant) -> Querier {
        Querier { name: party.name.clone(), id: party.id.as_str().to_owned(), id_type: party.id.id_type() }
    }
}

fn not_permitted(message: String) -> Refusal {
    Refusal::new(ErrorCode::QueryNotPermitted, message).with(Detail::Field { name: "querier".into() })
}

fn given(text: &Option<String>) -> bool {
    text.as_deref().is_some_and(|t| !t.trim().is_empty())
}

/// The scope a query is answered in, decided at acceptance from the page now (SPEC 15.2):
/// an owner among the current owners (or of a unit the register does not know: its page is
/// empty), the full page; an interested party with purpose and
/// proof, masked; a listed authority with purpose and commission, the full page; anyone
/// else — and any querier but an owner at a kiosk — is refused.
///
/// # Errors
/// `query_not_permitted`, saying what is missing.
pub fn decide_scope(
    args: &QueryArgs,
    querier: &Applicant,
    channel: Channel,
    authorities: &[String],
    page: &UnitPage,
) -> Result<Scope, Refusal> {
    if channel == Channel::Kiosk && args.querier != QuerierClass::Owner {
        return Err(not_permitted(
            "a kiosk answers owners only: an interested party or an authority queries at the window".into(),
        ));
    }
    match args.querier {
        QuerierClass::Owner => {
            let id = querier.id.as_str();
            // A unit the register does not know yet (never recorded nor imported) has an
            // empty page: answering it tells nothing, and the officer checks the records
            // kept outside the register.
            if page.status == UnitStatus::Unknown || page.owners.iter().any(|o| o.id.eq_ignore_ascii_case(id)) {
                Ok(Scope::Full)
            } else {
                Err(not_permitted(format!(
                    "`{}` is not an owner of unit {} now: an owner's query is answered to its owners only",
                    mask(id),
                    page.unit
                )))
            }
        }
        QuerierClass::InterestedParty => {
            if given(&args.purpose) && given(&args.proof) {
                Ok(Scope::Masked)
            } else {
                Err(not_permitted(
                    "an interested party states `purpose` and gives `proof` (the interest proof's reference)".into(),
                ))
            }
        }
        QuerierClass::Authority => {
            let listed = args.authority_type.as_deref().is_some_and(|t| authorities.iter().any(|a| a == t.trim()));
            if !listed {
                return Err(not_permitted(format!(
                    "an authority names `authority_type`, one of {}",
                    authorities.join(", ")
                )));
            }
            if given(&args.purpose) && given(&args.proof) {
                Ok(Scope::Full)
            } else {
                Err(not_permitted(
                    "an authority states `purpose` and gives `proof` (the commission's reference)".into(),
                ))
            }
        }
    }
}

/// An identifier masked: the first 6 and last 4 characters kept, the rest `*`
/// (`630102********0015`); a short one keeps its first and last character only.
pub fn mask(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    let n = chars.len();
    let (head, tail) = if n > 10 {
        (6, 4)
    } else if n > 2 {
        (1, 1)
    } else {
        (0, 0)
    };
    chars.iter().enumerate().map(|(i, c)| if i < head || i >= n - tail { *c } else { '*' }).collect()
}

fn mask_holders(holders: &mut [Holder], keep: &str) {
    for h in holders {
        if !h.id.eq_ignore_ascii_case(keep) {
            h.id = mask(&h.id);
        }
    }
}

/// `page` in `scope` for a querier with identifier `keep`.
pub fn scoped(mut page: UnitPage, scope: Scope, keep: &str) -> UnitPage {
    if scope == Scope::Full {
        return page;
    }
    for o in &mut page.owners {
        if !o.id.eq_ignore_ascii_case(keep) {
            o.id = mask(&o.id);
        }
    }
    for m in &mut page.mortgages {
        mask_holders(&mut m.mortgagees, keep);
        mask_holders(&mut m.mortgagors, keep);
    }
    for o in &mut page.objections {
        mask_holders(&mut o.holders, keep);
    }
    for n in &mut page.advance_notices {
        mask_holders(&mut n.holders, keep);
    }
    page
}

/// The hash of an answer: SHA-256 (hex) of the page's RFC 8785 bytes.
pub fn result_hash(page: &UnitPage) -> String {
    sha256_hex(&canonical(page))
}

/// The query result id of `case` at `centre`: the same on every replay.
pub fn query_result_id(centre: &str, case: &str) -> String {
    let digest = sha256_hex(format!("regflow-query-result\0{centre}\0{case}").as_bytes());
    format!("{}-{}-{}-{}-{}", &digest[0..8], &digest[8..12], &digest[12..16], &digest[16..20], &digest[20..32])
}

/// What the answering event carries: the result's id, the scope and the page's hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerRef {
    /// The query result's id.
    pub id: String,
    /// The scope it was answered in.
    pub scope: Scope,
    /// The SHA-256 of the page as answered.
    pub result_hash: String,
}

/// An answer `decide` gives: the page in scope, for the executor to store and certify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// What the event carries.
    pub reference: AnswerRef,
    /// The page as answered.
    pub page: UnitPage,
    /// The querier.
    pub querier: Querier,
    /// Their class.
    pub class: QuerierClass,
    /// The purpose stated.
    pub purpose: Option<String>,
}

/// What a line of the query log says happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Refused (`query_not_permitted`).
    Refused,
    /// Accepted, scope decided.
    Accepted,
    /// Deferred (`defer_query`).
    Deferred,
    /// Answered: the page given.
    Answered,
    /// A service read of a unit page.
    Read,
}

impl Outcome {
    /// The stable id.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Refused => "refused",
            Outcome::Accepted => "accepted",
            Outcome::Deferred => "deferred",
            Outcome::Answered => "answered",
            Outcome::Read => "read",
        }
    }
}

/// A line of the query log before the log gives it its `seq` and hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogDraft {
    /// When.
    pub at: DateTime<Utc>,
    /// Who acted (the officer, the kiosk, the reader).
    pub actor: String,
    /// The querier (none for a staff read).
    pub querier: Option<Querier>,
    /// On what ground.
    pub class: ReaderClass,
    /// The purpose stated.
    pub purpose: Option<String>,
    /// The unit.
    pub unit: String,
    /// What happened.
    pub outcome: Outcome,
    /// The channel the query came by (none for a service read).
    #[serde(default)]
    pub channel: Option<Channel>,
    /// The refusal's code.
    pub code: Option<ErrorCode>,
    /// The query case.
    pub case: Option<String>,
    /// The answer's hash.
    pub result_hash: Option<String>,
}

/// A line of the query log (SPEC 15.2): chained per centre, never updated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogLine {
    /// 1, 2, 3… per centre.
    pub seq: u64,
    /// The line.
    #[serde(flatten)]
    pub draft: LogDraft,
    /// SHA-256 of the previous line's hash and this line's canonical bytes.
    pub hash: String,
}

/// The hash before a centre's first line.
pub const GENESIS: &str = "regflow-query-log/1";

impl LogDraft {
    /// The line at `seq` after a line hashed `prev`.
    pub fn chain(self, seq: u64, prev: &str) -> LogLine {
        let hash = line_hash(prev, seq, &self);
        LogLine { seq, draft: self, hash }
    }
}

/// The hash of line `seq` with `draft` after `prev`.
pub fn line_hash(prev: &str, seq: u64, draft: &LogDraft) -> String {
    let mut bytes = prev.as_bytes().to_vec();
    bytes.push(0);
    bytes.extend(canonical(&(seq, draft)));
    sha256_hex(&bytes)
}

/// The line of a service read of `page` by `actor` (SPEC 15.2), as [`super::may_read`]
/// decided it: `staff`, or `owner` for an owner reading their unit, or `refused`.
pub fn read_line(
    actor: &crate::actor::Actor,
    page: &UnitPage,
    decided: &Result<super::Reader, Refusal>,
    now: DateTime<Utc>,
) -> LogDraft {
    let id = actor.id().as_str();
    let owner = page.owners.iter().find(|o| o.id.eq_ignore_ascii_case(id.trim()));
    let (class, querier) = match decided {
        Ok(super::Reader::Staff) => (ReaderClass::Staff, None),
        _ => (
            ReaderClass::Owner,
            Some(match owner {
                Some(o) => Querier { name: o.name.clone(), id: o.id.clone(), id_type: o.id_type },
                None => Querier { name: id.to_owned(), id: id.to_owned(), id_type: IdType::Other },
            }),
        ),
    };
    let (outcome, code) = match decided {
        Ok(_) => (Outcome::Read, None),
        Err(r) => (Outcome::Refused, Some(r.code)),
    };
    LogDraft {
        at: now,
        actor: id.to_owned(),
        querier,
        class,
        purpose: None,
        unit: page.unit.to_string(),
        outcome,
        channel: None,
        code,
        case: None,
        result_hash: None,
    }
}

/// SPEC 17 §7's query figures of one querier class and channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryFigures {
    /// Owner, interested party or authority.
    pub class: QuerierClass,
    /// The channel the queries came by.
    pub channel: Channel,
    /// Answered at their acceptance (at the kiosk, handled instantly at the window…).
    pub answered_on_the_spot: u64,
    /// Answered after their acceptance, not deferred.
    pub answered_later: u64,
    /// Deferred (`defer_query`).
    pub deferred: u64,
    /// Deferred and answered by their promise.
    pub deferred_on_time: u64,
    /// Deferred and answered after their promise, or past it unanswered.
    pub deferred_late: u64,
    /// Refused (`query_not_permitted`).
    pub refused: u64,
}

/// The query figures of `lines` (a period's lines of one or more centres), per class and
/// channel in their order; `on_time` says of a deferred query's case whether it was (or,
/// still open, can still be) answered by its promise. Service reads are not queries.
pub fn tally_queries<'a>(
    lines: impl IntoIterator<Item = &'a LogLine>,
    on_time: impl Fn(&str) -> Option<bool>,
) -> Vec<QueryFigures> {
    use std::collections::{BTreeMap, HashMap};
    let key = |class: ReaderClass| match class {
        ReaderClass::Owner => Some(QuerierClass::Owner),
        ReaderClass::InterestedParty => Some(QuerierClass::InterestedParty),
        ReaderClass::Authority => Some(QuerierClass::Authority),
        ReaderClass::Staff => None,
    };
    let mut accepted_at: HashMap<&str, DateTime<Utc>> = HashMap::new();
    let mut deferred: HashMap<&str, ()> = HashMap::new();
    let mut out: BTreeMap<(usize, Channel), QueryFigures> = BTreeMap::new();
    for line in lines {
        let d = &line.draft;
        let (Some(class), Some(channel)) = (key(d.class), d.channel) else { continue };
        let order = QuerierClass::ALL.iter().position(|c| *c == class).unwrap_or(0);
        let f = out.entry((order, channel)).or_insert_with(|| QueryFigures {
            class,
            channel,
            answered_on_the_spot: 0,
            answered_later: 0,
            deferred: 0,
            deferred_on_time: 0,
            deferred_late: 0,
            refused: 0,
        });
        let case = d.case.as_deref().unwrap_or_default();
        match d.outcome {
            Outcome::Refused => f.refused += 1,
            Outcome::Accepted => {
                accepted_at.insert(case, d.at);
            }
            Outcome::Deferred => {
                f.deferred += 1;
                deferred.insert(case, ());
                match on_time(case) {
                    Some(true) => f.deferred_on_time += 1,
                    Some(false) => f.deferred_late += 1,
                    None => {}
                }
            }
            Outcome::Answered if deferred.contains_key(case) => {}
            Outcome::Answered if accepted_at.get(case) == Some(&d.at) => f.answered_on_the_spot += 1,
            Outcome::Answered => f.answered_later += 1,
            Outcome::Read => {}
        }
    }
    out.into_values().collect()
}

/// Where a centre's query log first breaks its chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogBreak {
    /// The line.
    pub seq: u64,
    /// What is wrong.
    pub reason: String,
}

/// Checks a centre's lines in order: numbered 1, 2, 3… with each hash over the one before.
pub fn check_chain<'a>(lines: impl IntoIterator<Item = &'a LogLine>) -> Result<u64, LogBreak> {
    let mut prev = GENESIS.to_owned();
    let mut count = 0;
    for line in lines {
        count += 1;
        if line.seq != count {
            return Err(LogBreak { seq: line.seq, reason: format!("line {count} is numbered {}", line.seq) });
        }
        if line_hash(&prev, line.seq, &line.draft) != line.hash {
            return Err(LogBreak { seq: line.seq, reason: "its hash does not match its content".into() });
        }
        prev.clone_from(&line.hash);
    }
    Ok(count)
}

/// The query result certificate (`regflow-query-result/1`): signed like a certificate,
/// never superseded (it is a snapshot).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultDocument {
    /// `regflow-query-result/1`.
    pub format: String,
    /// The result's id.
    pub id: String,
    /// Its number.
    pub number: String,
    /// The centre.
    pub centre: String,
    /// The query case.
    pub case: String,
    /// The querier.
    pub querier: Querier,
    /// Their class.
    pub class: QuerierClass,
    /// The purpose stated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    /// The unit.
    pub unit: String,
    /// The instant the page shows.
    pub as_of: DateTime<FixedOffset>,
    /// SHA-256 of the page as answered.
    pub result_hash: String,
    /// When it was issued.
    pub issued_at: DateTime<FixedOffset>,
    /// The signing key's id.
    pub key_id: String,
    /// `sm2` or `ed25519`.
    pub algorithm: String,
    /// The signature over the canonical bytes without it (base64).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

impl ResultDocument {
    /// The unsigned document of `answer` on `case` of `centre`, numbered `number`.
    pub fn new(answer: &Answer, centre: &str, case: &str, number: String, key_id: &str, algorithm: &str) -> Self {
        ResultDocument {
            format: QUERY_RESULT_FORMAT.into(),
            id: answer.reference.id.clone(),
            number,
            centre: centre.to_owned(),
            case: case.to_owned(),
            querier: answer.querier.clone(),
            class: answer.class,
            purpose: answer.purpose.clone(),
            unit: answer.page.unit.to_string(),
            as_of: answer.page.as_of,
            result_hash: answer.reference.result_hash.clone(),
            issued_at: answer.page.as_of,
            key_id: key_id.to_owned(),
            algorithm: algorithm.to_owned(),
            signature: None,
        }
    }
}

impl Signed for ResultDocument {
    fn signature_mut(&mut self) -> &mut Option<String> {
        &mut self.signature
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking_keeps_six_and_four() {
        assert_eq!(mask("630102198503120015"), "630102********0015");
        assert_eq!(mask("91630100MA7512347R"), "916301********347R");
        assert_eq!(mask("E1234567"), "E******7");
        assert_eq!(mask("AB"), "**");
    }

    #[test]
    fn a_changed_line_breaks_the_chain() {
        let draft = |unit: &str| LogDraft {
            at: DateTime::UNIX_EPOCH,
            actor: "kiosk-1".into(),
            querier: None,
            class: ReaderClass::Staff,
            purpose: None,
            unit: unit.into(),
            outcome: Outcome::Read,
            channel: None,
            code: None,
            case: None,
            result_hash: None,
        };
        let first = draft("a").chain(1, GENESIS);
        let second = draft("b").chain(2, &first.hash);
        assert_eq!(check_chain([&first, &second]), Ok(2));
        let mut forged = second.clone();
        forged.draft.unit = "c".into();
        assert_eq!(check_chain([&first, &forged]).unwrap_err().seq, 2);
        assert_eq!(check_chain([&second]).unwrap_err().seq, 2);
    }
}
