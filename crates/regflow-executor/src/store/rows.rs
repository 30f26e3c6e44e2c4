//! Row shapes shared by both backends.

use sqlx::FromRow;

/// A case as stored: the JSON body plus the columns queries filter and sort on.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
#[allow(missing_docs)]
pub struct CaseRow {
    pub id: String,
    pub centre: String,
    pub kind: String,
    pub category: String,
    pub channel: String,
    pub priority: String,
    pub priority_class: i64,
    pub unit: String,
    pub unit_effect: Option<String>,
    pub state: String,
    pub is_open: i64,
    pub instant: i64,
    pub pending_task_bits: i64,
    pub accepted_at: Option<i64>,
    pub promise_due_at: Option<i64>,
    pub statutory_due_at: Option<i64>,
    pub provisional: i64,
    pub recorded_at: Option<i64>,
    pub completed_at: Option<i64>,
    pub working_days_used: Option<i64>,
    pub on_time: Option<i64>,
    pub within_statute: Option<i64>,
    pub extended_days: i64,
    pub suspensions: i64,
    pub rating: Option<i64>,
    pub version: i64,
    pub head_hash: String,
    pub body: String,
    pub created_at: i64,
    pub updated_at: i64,
}

/// What a report reads of a case: the columns its figures come from, without the body,
/// and where the case stands in the period (`at`: opened or completed, then `id`).
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
#[allow(missing_docs)]
pub struct ReportRow {
    pub id: String,
    pub at: i64,
    pub kind: String,
    pub category: String,
    pub channel: String,
    pub state: String,
    pub accepted_at: Option<i64>,
    pub instant: i64,
    pub working_days_used: Option<i64>,
    pub on_time: Option<i64>,
    pub within_statute: Option<i64>,
    pub extended_days: i64,
    pub suspensions: i64,
    pub rating: Option<i64>,
}

/// A case row with the calendar head's `seq` as its transaction saw it.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
#[allow(missing_docs)]
pub struct CaseWithHead {
    #[sqlx(flatten)]
    pub row: CaseRow,
    pub calendar_head: i64,
}

/// One history entry as stored.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
#[allow(missing_docs)]
pub struct EventRow {
    pub case_id: String,
    pub seq: i64,
    pub at: i64,
    pub command: String,
    pub actor: String,
    pub body: String,
    pub prev_hash: String,
    pub hash: String,
}

/// An armed timer: a deadline alert (`promise_warning`, `statutory_breach`, …) or a public
/// notice's automatic resumption (`auto_resume`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, FromRow)]
#[allow(missing_docs)]
pub struct TimerRow {
    pub case_id: String,
    pub timer: String,
    pub due_at: i64,
}

/// A register entry as stored (SPEC 13.1): its JSON `body` as hashed, and the columns
/// queries filter on.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
#[allow(missing_docs)]
pub struct EntryRow {
    pub centre: String,
    pub seq: i64,
    pub unit: String,
    pub case_id: Option<String>,
    pub entry_type: String,
    pub recorded_at: i64,
    pub body: String,
    pub prev_hash: String,
    pub hash: String,
}

/// A report of an entry to a target (SPEC 14.1), as stored.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
#[allow(missing_docs)]
pub struct OnwardRow {
    pub centre: String,
    pub entry_seq: i64,
    pub target: String,
    pub unit: String,
    pub area: String,
    pub class: i64,
    pub message_id: String,
    pub minted_at: i64,
    pub state: String,
    pub lease_until: i64,
    pub sent_at: Option<i64>,
    pub answered_at: Option<i64>,
    pub reason: Option<String>,
    pub overdue_at: Option<i64>,
}

/// A closed daily 登簿日志 on its way to its target (SPEC 14.2), as stored.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
#[allow(missing_docs)]
pub struct LogRow {
    pub centre: String,
    pub target: String,
    pub area: String,
    pub day: String,
    pub body: String,
}

/// A notice to a centre's supervisors (SPEC 17 §6), as stored.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
#[allow(missing_docs)]
pub struct NoticeRow {
    pub id: i64,
    pub centre: String,
    #[sqlx(rename = "type")]
    pub kind: String,
    pub subject: String,
    pub due_at: i64,
    pub raised_at: i64,
    pub body: String,
}

/// A unit's armed register timer: when its next right ends by itself.
#[derive(Debug, Clone, PartialEq, Eq, Hash, FromRow)]
#[allow(missing_docs)]
pub struct RegisterTimerRow {
    pub centre: String,
    pub unit: String,
    pub due_at: i64,
}

/// One calendar load as stored: the whole calendar in force after it (`csv`) and how it
/// came to be.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
#[allow(missing_docs)]
pub struct CalendarRow {
    pub seq: i64,
    pub version: String,
    pub csv: String,
    pub loaded_at: i64,
    pub mode: String,
    pub loaded_by: String,
    pub years: String,
    pub changed_years: String,
    pub loaded_csv: String,
    pub reprojected_at: Option<i64>,
}

/// A case's position in a work queue's order: priority class, promise due (the largest
/// instant when none), acceptance (or creation), id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct QueueKey {
    pub priority_class: i64,
    pub promise_due_at: i64,
    pub since: i64,
    pub id: String,
}

impl QueueKey {
    /// The key of a row.
    pub fn of(row: &CaseRow) -> QueueKey {
        QueueKey {
            priority_class: row.priority_class,
            promise_due_at: row.promise_due_at.unwrap_or(i64::MAX),
            since: row.accepted_at.unwrap_or(row.created_at),
            id: row.id.clone(),
        }
    }
}

/// A bearer token as stored (only its hash).
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub(crate) struct TokenRow {
    pub id: String,
    pub hash: String,
    pub centre: String,
    pub actor: String,
    pub roles: String,
    pub name: Option<String>,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

/// An item of the delivery queue: a case's deadline alert (`type` `deadline`, with its
/// case, kind, clock and level) or a notice (its `type`, `notice_id`, and — read with the
/// queue — the notice's subject and body; the case columns empty).
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub(crate) struct AlertRow {
    pub id: i64,
    pub centre: String,
    pub case_id: String,
    pub kind: String,
    pub clock: String,
    pub level: String,
    pub due_at: i64,
    pub raised_at: i64,
    #[sqlx(rename = "type")]
    pub item_type: String,
    pub notice_id: i64,
    #[sqlx(default)]
    pub subject: Option<String>,
    #[sqlx(default)]
    pub body: Option<String>,
}

/// An issued certificate (SPEC 15.1), as stored: its file is the document's RFC 8785 bytes.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
#[allow(missing_docs)]
pub struct CertificateRow {
    pub id: String,
    pub centre: String,
    pub case_id: String,
    pub unit: String,
    pub entry_seq: i64,
    pub cert_type: String,
    pub number: String,
    pub hash: String,
    pub key_id: String,
    pub issued_at: i64,
    pub file: String,
}

/// A centre's public signing key.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
#[allow(missing_docs)]
pub struct KeyRow {
    pub centre: String,
    pub key_id: String,
    pub algorithm: String,
    pub public_pem: String,
    pub created_at: i64,
    pub retired_at: Option<i64>,
}

/// A line of a centre's query log (SPEC 15.2): the line as JSON, with the columns it is
/// found by.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
#[allow(missing_docs)]
pub struct QueryLogRow {
    pub centre: String,
    pub seq: i64,
    pub at: i64,
    pub unit: String,
    pub querier_id: Option<String>,
    pub outcome: String,
    pub case_id: Option<String>,
    pub line: String,
    pub hash: String,
}

/// A query's answer with its signed 查询结果证明.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
#[allow(missing_docs)]
pub struct QueryResultRow {
    pub id: String,
    pub centre: String,
    pub case_id: String,
    pub unit: String,
    pub number: String,
    pub hash: String,
    pub result_hash: String,
    pub key_id: String,
    pub issued_at: i64,
    pub page: String,
    pub file: String,
}
