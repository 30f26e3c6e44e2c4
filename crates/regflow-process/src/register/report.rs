//! Onward reporting (登簿日志实时上报, SPEC 14.1): the targets an entry is reported to, the
//! message id each report carries, and the rules of acknowledgement and retry. The
//! executor queues one report per (entry, target) in the entry's transaction and delivers
//! it; whether an `ack` or a `report_retry` is taken is decided here.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;

use crate::error::ErrorCode;
use crate::refusal::Refusal;

/// Where entries are reported: the national platform, and optionally the province's and
/// the city's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// 不动产登记信息管理基础平台 (default).
    National,
    /// The province's platform.
    Province,
    /// The city's platform.
    City,
}

impl Target {
    /// Every target.
    pub const ALL: [Target; 3] = [Target::National, Target::Province, Target::City];

    /// The stable id.
    pub const fn as_str(self) -> &'static str {
        match self {
            Target::National => "national",
            Target::Province => "province",
            Target::City => "city",
        }
    }
}

crate::ids::stable_id_enum!(Target, "report target");

/// Where a report stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportState {
    /// Queued in the entry's transaction, not yet handed over.
    Queued,
    /// Handed to the target's adapter.
    Sent,
    /// The target accepted it.
    Accepted,
    /// The target rejected it; a supervisor may retry.
    Rejected,
}

impl ReportState {
    /// Every state.
    pub const ALL: [ReportState; 4] =
        [ReportState::Queued, ReportState::Sent, ReportState::Accepted, ReportState::Rejected];

    /// The stable id.
    pub const fn as_str(self) -> &'static str {
        match self {
            ReportState::Queued => "queued",
            ReportState::Sent => "sent",
            ReportState::Accepted => "accepted",
            ReportState::Rejected => "rejected",
        }
    }
}

crate::ids::stable_id_enum!(ReportState, "report state");

/// A target's answer to a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AckResult {
    /// 接收成功.
    Accepted,
    /// 退回.
    Rejected,
}

impl AckResult {
    /// Both results.
    pub const ALL: [AckResult; 2] = [AckResult::Accepted, AckResult::Rejected];

    /// The stable id.
    pub const fn as_str(self) -> &'static str {
        match self {
            AckResult::Accepted => "accepted",
            AckResult::Rejected => "rejected",
        }
    }

    /// The report's state after it.
    pub const fn state(self) -> ReportState {
        match self {
            AckResult::Accepted => ReportState::Accepted,
            AckResult::Rejected => ReportState::Rejected,
        }
    }
}

crate::ids::stable_id_enum!(AckResult, "report result");

/// A business message id (SPEC 14.1): the unit's 6-digit area code, the local `yyMMdd` of
/// minting and a 6-digit sequence per (target, area, date), e.g. `630102260304000001`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MessageId(String);

/// The largest daily sequence a message id holds.
pub const MAX_DAILY: u32 = 999_999;

impl MessageId {
    /// The id of the `seq`-th message of `area` minted on `date`.
    ///
    /// # Errors
    /// A message when the area is not 6 digits or `seq` is not 1 to 999,999.
    pub fn new(area: &str, date: NaiveDate, seq: u32) -> Result<MessageId, String> {
        if area.len() != 6 || !area.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("area `{area}` is not a 6-digit code"));
        }
        if !(1..=MAX_DAILY).contains(&seq) {
            return Err(format!("sequence {seq} is not 1 to {MAX_DAILY}: the day's ids for area {area} are used up"));
        }
        Ok(MessageId(format!("{area}{:02}{:02}{:02}{seq:06}", date.year() % 100, date.month(), date.day())))
    }

    /// Reads a message id: 18 digits.
    ///
    /// # Errors
    /// A message saying what a message id looks like.
    pub fn parse(text: &str) -> Result<MessageId, String> {
        let t = text.trim();
        if t.len() != 18 || !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("`{text}` is not a message id: 18 digits (area, yyMMdd, sequence)"));
        }
        Ok(MessageId(t.to_owned()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The area code.
    pub fn area(&self) -> &str {
        &self.0[..6]
    }
}

impl fmt::Display for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

impl TryFrom<String> for MessageId {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        MessageId::parse(&value)
    }
}

impl From<MessageId> for String {
    fn from(value: MessageId) -> Self {
        value.0
    }
}

/// What an acknowledgement does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acked {
    /// The report moves to this state.
    Moved(ReportState),
    /// The same answer again: nothing changes, and it answers as the first.
    Repeated,
}

/// Decides `ack {message_id, result}` on a report now in `state` under `current` (SPEC
/// 14.1): from `queued` or `sent` it moves; repeated, it changes nothing; another result
/// for an answered id is `invalid_transition`; an id that is not the current one is
/// `unknown_message`.
///
/// # Errors
/// `unknown_message` or `invalid_transition`.
pub fn ack(state: ReportState, current: &MessageId, given: &MessageId, result: AckResult) -> Result<Acked, Refusal> {
    if current != given {
        return Err(unknown(given));
    }
    match state {
        ReportState::Queued | ReportState::Sent => Ok(Acked::Moved(result.state())),
        answered if answered == result.state() => Ok(Acked::Repeated),
        answered => Err(Refusal::new(
            ErrorCode::InvalidTransition,
            format!("message {given} was already answered `{}`; a report is answered once", answered.as_str()),
        )),
    }
}

/// The refusal for a message id that is no report's current one.
pub fn unknown(given: &MessageId) -> Refusal {
    Refusal::new(ErrorCode::UnknownMessage, format!("no report carries message id {given} now"))
}

/// Decides `report_retry` on a report now in `state`: only a rejected one is retried.
///
/// # Errors
/// `report_not_rejected`.
pub fn retry(state: ReportState) -> Result<(), Refusal> {
    match state {
        ReportState::Rejected => Ok(()),
        other => Err(Refusal::new(
            ErrorCode::ReportNotRejected,
            format!("the report is `{}`: only a rejected report is retried", other.as_str()),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(text: &str) -> MessageId {
        MessageId::parse(text).unwrap()
    }

    #[test]
    fn message_ids_are_area_date_and_sequence() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 4).unwrap();
        assert_eq!(MessageId::new("630102", d, 1).unwrap().as_str(), "630102260304000001");
        assert!(MessageId::new("630102", d, 1_000_000).unwrap_err().contains("used up"));
        assert!(MessageId::new("63010", d, 1).is_err());
        assert!(MessageId::parse("63010226030400000x").is_err());
        assert_eq!(id("630102260304000001").area(), "630102");
    }

    /// SPEC 14.3 vector 1 and 4: an ack, repeated; another id; a retry.
    #[test]
    fn acks_are_idempotent_and_answered_once() {
        let current = id("630102260304000001");
        let ok = AckResult::Accepted;
        assert_eq!(ack(ReportState::Sent, &current, &current, ok), Ok(Acked::Moved(ReportState::Accepted)));
        assert_eq!(ack(ReportState::Queued, &current, &current, ok), Ok(Acked::Moved(ReportState::Accepted)));
        assert_eq!(ack(ReportState::Accepted, &current, &current, ok), Ok(Acked::Repeated));
        let r = ack(ReportState::Accepted, &current, &current, AckResult::Rejected).unwrap_err();
        assert_eq!(r.code, ErrorCode::InvalidTransition);
        let r = ack(ReportState::Sent, &current, &id("630102260304000009"), ok).unwrap_err();
        assert_eq!(r.code, ErrorCode::UnknownMessage);
        assert!(retry(ReportState::Rejected).is_ok());
        for s in [ReportState::Queued, ReportState::Sent, ReportState::Accepted] {
            assert_eq!(retry(s).unwrap_err().code, ErrorCode::ReportNotRejected);
        }
    }
}
