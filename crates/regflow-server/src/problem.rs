//! Errors as RFC 9457 problem details with the SPEC 8 code (SPEC 10).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use regflow_executor::Error;
use regflow_process::{Detail, ErrorCode, Refusal};
use serde_json::{json, Map, Value};

/// A problem answer: status, SPEC 8 code (or a service code such as `unauthorized`), a
/// message and the refusal's data.
#[derive(Debug, Clone)]
pub struct Problem {
    /// The HTTP status.
    pub status: StatusCode,
    /// The stable code.
    pub code: String,
    /// What went wrong, for a person.
    pub detail: String,
    /// Extra members (the refusal's data).
    pub extra: Map<String, Value>,
}

/// The HTTP status of a refusal code (SPEC 10).
pub fn status_of(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::InvalidArgument
        | ErrorCode::InvalidIdentifier
        | ErrorCode::UnknownKind
        | ErrorCode::UnknownMaterial
        | ErrorCode::InvalidCalendar
        | ErrorCode::InvalidRegister => StatusCode::BAD_REQUEST,
        ErrorCode::ForbiddenRole
        | ErrorCode::SeparationOfDuties
        | ErrorCode::ChannelNotAllowed
        | ErrorCode::QueryNotPermitted => StatusCode::FORBIDDEN,
        ErrorCode::CaseNotFound | ErrorCode::WrongCentre | ErrorCode::CertificateNotFound => StatusCode::NOT_FOUND,
        ErrorCode::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::CONFLICT,
    }
}

impl Problem {
    /// A problem with no extra data.
    pub fn new(status: StatusCode, code: impl Into<String>, detail: impl Into<String>) -> Problem {
        Problem { status, code: code.into(), detail: detail.into(), extra: Map::new() }
    }

    /// 400 `invalid_argument` naming `field`.
    pub fn argument(field: &str, detail: impl Into<String>) -> Problem {
        Problem::from(Refusal::argument(field, detail))
    }

    /// 401: no token, or one that is unknown or revoked.
    pub fn unauthorized() -> Problem {
        Problem::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "send `Authorization: Bearer TOKEN` with a live token (`regflow token add` issues one)",
        )
    }

    /// 404 for a case the caller may not see, whether or not it exists.
    pub fn not_found(id: &str) -> Problem {
        Problem::from(Refusal::new(ErrorCode::CaseNotFound, format!("no case `{id}`")))
    }
}

impl From<Refusal> for Problem {
    fn from(r: Refusal) -> Problem {
        // Another centre's case is answered as if it did not exist (SPEC 10).
        if r.code == ErrorCode::WrongCentre {
            return Problem::new(
                StatusCode::NOT_FOUND,
                ErrorCode::CaseNotFound.as_str(),
                "no such case at your centre",
            );
        }
        let mut extra = Map::new();
        match r.detail {
            Some(Detail::Field { name }) => {
                extra.insert("field".into(), json!(name));
            }
            Some(Detail::Roles { required }) => {
                extra.insert("roles_required".into(), json!(required));
            }
            Some(Detail::Allowed { commands }) => {
                extra.insert("allowed_commands".into(), json!(commands));
            }
            Some(Detail::Materials { materials }) => {
                extra.insert("materials".into(), json!(materials));
            }
            Some(Detail::Tasks { tasks }) => {
                extra.insert("tasks".into(), json!(tasks));
            }
            Some(Detail::Consent { missing }) => {
                extra.insert("missing_consent".into(), json!(missing));
            }
            Some(Detail::Deadlines { promise_due, statutory_due }) => {
                extra.insert("promise_due".into(), json!(promise_due));
                extra.insert("statutory_due".into(), json!(statutory_due));
            }
            Some(Detail::Officer { id }) => {
                extra.insert("officer".into(), json!(id));
            }
            Some(_) | None => {}
        }
        Problem { status: status_of(r.code), code: r.code.as_str().into(), detail: r.message, extra }
    }
}

impl From<Error> for Problem {
    fn from(e: Error) -> Problem {
        match e {
            Error::Refused(r) => r.into(),
            Error::Database(e) => {
                tracing::error!(error = %e, "database error");
                Problem::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "database_unavailable",
                    "the database did not answer; retry shortly",
                )
            }
            other => {
                tracing::error!(error = %other, "internal error");
                Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", other.to_string())
            }
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let title = self.status.canonical_reason().unwrap_or("Error");
        let mut body = Map::new();
        body.insert("type".into(), json!(format!("urn:regflow:problem:{}", self.code)));
        body.insert("title".into(), json!(title));
        body.insert("status".into(), json!(self.status.as_u16()));
        body.insert("detail".into(), json!(self.detail));
        body.insert("code".into(), json!(self.code));
        body.extend(self.extra);
        let mut response = (self.status, Value::Object(body).to_string()).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_client_status() {
        for code in ErrorCode::ALL {
            let s = status_of(code);
            assert!(s.is_client_error(), "{code} → {s}");
        }
        assert_eq!(status_of(ErrorCode::UnknownMaterial), StatusCode::BAD_REQUEST);
        assert_eq!(status_of(ErrorCode::SeparationOfDuties), StatusCode::FORBIDDEN);
        assert_eq!(status_of(ErrorCode::UnitSeized), StatusCode::CONFLICT);
        let p = Problem::from(Refusal::new(ErrorCode::WrongCentre, "case x belongs to centre haidong"));
        assert_eq!((p.status, p.code.as_str()), (StatusCode::NOT_FOUND, "case_not_found"));
        assert!(!p.detail.contains("haidong"));
    }
}
