//! Request bodies: read up to the configured limit (413 beyond), then parsed; anything
//! unreadable is a problem answer, never a bare text reply.

use axum::extract::{FromRequest, Request};
use axum::http::{header, StatusCode};
use serde_json::{Map, Value};

use crate::problem::Problem;
use crate::AppState;

/// A request body of at most the configured size.
pub struct Limited(pub axum::body::Bytes);

impl FromRequest<AppState> for Limited {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &AppState) -> Result<Limited, Problem> {
        let limit = state.limits.body_bytes;
        let declared =
            req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
        let too_large = || {
            Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                format!("the request body is over the limit of {limit} bytes"),
            )
        };
        if declared.is_some_and(|n| n > limit as u64) {
            return Err(too_large());
        }
        axum::body::to_bytes(req.into_body(), limit).await.map(Limited).map_err(|_| too_large())
    }
}

/// A JSON object body.
pub struct JsonObject(pub Map<String, Value>);

impl FromRequest<AppState> for JsonObject {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &AppState) -> Result<JsonObject, Problem> {
        let Limited(bytes) = Limited::from_request(req, state).await?;
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(map)) => Ok(JsonObject(map)),
            Ok(_) => Err(Problem::argument("body", "the body must be a JSON object")),
            Err(e) => Err(Problem::argument(
                "body",
                format!("the body is not JSON: {e} (line {}, column {})", e.line(), e.column()),
            )),
        }
    }
}
