//! Stable error codes (SPEC 8) shared by every layer of regflow.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A stable, snake_case error code. Codes are never renamed; new ones are only added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorCode {
    /// The command is not allowed from the case's current state.
    InvalidTransition,
    /// The actor lacks the role the command needs.
    ForbiddenRole,
    /// The actor already did an earlier step of this case that must be done by someone else.
    SeparationOfDuties,
    /// The actor belongs to another centre.
    WrongCentre,
    /// The kind may not be opened on this channel.
    ChannelNotAllowed,
    /// `handle_instantly` on a kind that is not instant under the case's policy.
    NotInstantKind,
    /// The kind is not in the catalogue.
    UnknownKind,
    /// A material is not on the kind's checklist.
    UnknownMaterial,
    /// An identifier (ID number, credit code, unit number) is malformed.
    InvalidIdentifier,
    /// A pledged material is still outstanding.
    MaterialsPending,
    /// A parallel departmental task has not succeeded.
    TasksPending,
    /// The unit carries an unreleased seizure.
    UnitSeized,
    /// Not every applicant consented to the withdrawal.
    PartialWithdrawal,
    /// The rejection ground is not one of the four of 条例 Art. 22.
    InvalidGround,
    /// The case was already evaluated.
    AlreadyEvaluated,
    /// An extension would put the promise after the statutory deadline.
    ExceedsStatutory,
    /// The strict calendar arithmetic needed a year the calendar does not cover.
    CalendarNotCovered,
    /// Calendar text could not be loaded.
    InvalidCalendar,
    /// An argument is missing, ill-typed or out of range.
    InvalidArgument,
    /// Another writer changed the case first.
    Conflict,
    /// No case with that id.
    CaseNotFound,
    /// A command's time is earlier than the case's last event.
    TimeWentBackwards,
    /// Policy data could not be loaded (unknown kind, negative days, overlapping dates).
    InvalidPolicy,
    /// No policy is in force on the date asked for.
    NoPolicyInForce,
    /// A kind catalogue could not be loaded.
    InvalidCatalogue,
    /// An idempotency key was sent again with a different command or body.
    IdempotencyKeyReused,
    /// A first registration of a unit that has current owners.
    UnitRegistered,
    /// The case's compared parties are not exactly the unit's current owners.
    NotTheOwner,
    /// An advance notice holder neither stands on the case nor consents.
    AdvanceNoticeConsentMissing,
    /// The mortgage named (or implied) is not an active mortgage of the unit.
    NoSuchMortgage,
    /// The seizure named (or implied) is not a seizure of the unit.
    NoSuchSeizure,
    /// The entry named is not an entry of the unit (or not an active right it may end).
    NoSuchEntry,
    /// A register import line is wrong; nothing was written.
    InvalidRegister,
    /// No report has this message id as its current one.
    UnknownMessage,
    /// Only a rejected report may be retried.
    ReportNotRejected,
    /// The querier may not read this part of the register (SPEC 15.2).
    QueryNotPermitted,
    /// No certificate has this id (SPEC 15.1).
    CertificateNotFound,
}

impl ErrorCode {
    /// Every code, in SPEC 8's order (then regflow's own).
    pub const ALL: [ErrorCode; 37] = [
        ErrorCode::InvalidTransition,
        ErrorCode::ForbiddenRole,
        ErrorCode::SeparationOfDuties,
        ErrorCode::WrongCentre,
        ErrorCode::ChannelNotAllowed,
        ErrorCode::NotInstantKind,
        ErrorCode::UnknownKind,
        ErrorCode::UnknownMaterial,
        ErrorCode::InvalidIdentifier,
        ErrorCode::MaterialsPending,
        ErrorCode::TasksPending,
        ErrorCode::UnitSeized,
        ErrorCode::PartialWithdrawal,
        ErrorCode::InvalidGround,
        ErrorCode::AlreadyEvaluated,
        ErrorCode::ExceedsStatutory,
        ErrorCode::CalendarNotCovered,
        ErrorCode::InvalidCalendar,
        ErrorCode::InvalidArgument,
        ErrorCode::Conflict,
        ErrorCode::CaseNotFound,
        ErrorCode::TimeWentBackwards,
        ErrorCode::InvalidPolicy,
        ErrorCode::NoPolicyInForce,
        ErrorCode::InvalidCatalogue,
        ErrorCode::IdempotencyKeyReused,
        ErrorCode::UnitRegistered,
        ErrorCode::NotTheOwner,
        ErrorCode::AdvanceNoticeConsentMissing,
        ErrorCode::NoSuchMortgage,
        ErrorCode::NoSuchSeizure,
        ErrorCode::NoSuchEntry,
        ErrorCode::InvalidRegister,
        ErrorCode::UnknownMessage,
        ErrorCode::ReportNotRejected,
        ErrorCode::QueryNotPermitted,
        ErrorCode::CertificateNotFound,
    ];
    /// The stable snake_case id of the code.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::InvalidTransition => "invalid_transition",
            Self::ForbiddenRole => "forbidden_role",
            Self::SeparationOfDuties => "separation_of_duties",
            Self::WrongCentre => "wrong_centre",
            Self::ChannelNotAllowed => "channel_not_allowed",
            Self::NotInstantKind => "not_instant_kind",
            Self::UnknownKind => "unknown_kind",
            Self::UnknownMaterial => "unknown_material",
            Self::InvalidIdentifier => "invalid_identifier",
            Self::MaterialsPending => "materials_pending",
            Self::TasksPending => "tasks_pending",
            Self::UnitSeized => "unit_seized",
            Self::PartialWithdrawal => "partial_withdrawal",
            Self::InvalidGround => "invalid_ground",
            Self::AlreadyEvaluated => "already_evaluated",
            Self::ExceedsStatutory => "exceeds_statutory",
            Self::CalendarNotCovered => "calendar_not_covered",
            Self::InvalidCalendar => "invalid_calendar",
            Self::InvalidArgument => "invalid_argument",
            Self::Conflict => "conflict",
            Self::CaseNotFound => "case_not_found",
            Self::TimeWentBackwards => "time_went_backwards",
            Self::InvalidPolicy => "invalid_policy",
            Self::NoPolicyInForce => "no_policy_in_force",
            Self::InvalidCatalogue => "invalid_catalogue",
            Self::IdempotencyKeyReused => "idempotency_key_reused",
            Self::UnitRegistered => "unit_registered",
            Self::NotTheOwner => "not_the_owner",
            Self::AdvanceNoticeConsentMissing => "advance_notice_consent_missing",
            Self::NoSuchMortgage => "no_such_mortgage",
            Self::NoSuchSeizure => "no_such_seizure",
            Self::NoSuchEntry => "no_such_entry",
            Self::InvalidRegister => "invalid_register",
            Self::UnknownMessage => "unknown_message",
            Self::ReportNotRejected => "report_not_rejected",
            Self::QueryNotPermitted => "query_not_permitted",
            Self::CertificateNotFound => "certificate_not_found",
        }
    }
}

impl std::str::FromStr for ErrorCode {
    type Err = String;

    /// Reads a code by its stable id.
    fn from_str(text: &str) -> Result<ErrorCode, String> {
        ErrorCode::ALL.into_iter().find(|c| c.as_str() == text).ok_or_else(|| format!("no error code `{text}`"))
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `ALL` lists every code once: `as_str` matches exhaustively, so a new code has an id,
    /// and reading every id back must find a code of `ALL`.
    #[test]
    fn all_lists_every_code_once() {
        let ids: std::collections::BTreeSet<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(ids.len(), ErrorCode::ALL.len());
        for code in ErrorCode::ALL {
            assert_eq!(code.as_str().parse::<ErrorCode>(), Ok(code));
            assert_eq!(serde_json::to_string(&code).unwrap(), format!("\"{}\"", code.as_str()));
        }
        assert!("no_such_code".parse::<ErrorCode>().is_err());
    }

    #[test]
    fn serde_form_is_the_stable_id() {
        for code in [
            ErrorCode::InvalidTransition,
            ErrorCode::CalendarNotCovered,
            ErrorCode::TimeWentBackwards,
            ErrorCode::NoPolicyInForce,
        ] {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            let back: ErrorCode = serde_json::from_str(&json).unwrap();
            assert_eq!(back, code);
        }
    }
}
