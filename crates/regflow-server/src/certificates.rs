//! Certificates over HTTP (SPEC 15.1, 17 §10): the public verification anyone may call
//! (no names, no identifiers), the file and its QR code for the centre's staff and the
//! case's parties, and the centres' public keys.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;
use regflow_process::CentreId;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::Caller;
use crate::problem::Problem;
use crate::AppState;

/// The query of `GET /v1/certificates/{id}/verify`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyQuery {
    pub(crate) hash: Option<String>,
}

/// `GET /v1/certificates/{id}/verify?hash=` (public): `valid`, `superseded`, `cancelled`
/// or `not_genuine`, with the entry that decided it.
pub async fn verify(
    State(state): State<AppState>,
    Path(id): Path<String>,
    query: Result<Query<VerifyQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, Problem> {
    let Query(q) = query.map_err(|e| Problem::argument("query", e.body_text()))?;
    let answer = state.engine.verify_certificate(&id, q.hash.as_deref()).await?;
    Ok(Json(serde_json::to_value(answer).map_err(|e| Problem::from(regflow_executor::Error::Corrupt(e.to_string())))?))
}

/// A signed document's exact bytes as a download named `{name}-{id}.json`.
pub fn attachment(name: &str, id: &str, file: Vec<u8>) -> Response {
    let disposition = format!("attachment; filename=\"{name}-{id}.json\"");
    ([(header::CONTENT_TYPE, "application/json".to_owned()), (header::CONTENT_DISPOSITION, disposition)], file)
        .into_response()
}

/// `GET /v1/certificates/{id}`: the file's exact bytes (staff of the centre, the case's
/// parties; anyone else is told it is not found).
pub async fn file(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Response, Problem> {
    let certificate = state.engine.as_actor(&caller.actor).certificate(&id).await?;
    Ok(attachment("certificate", &certificate.document.id, certificate.file))
}

/// The address a certificate's QR code points at.
pub fn verify_url(state: &AppState, headers: &HeaderMap, centre: &str, id: &str, hash: &str) -> String {
    public_url(state, headers, centre, &format!("/v1/certificates/{id}/verify?hash={hash}"))
}

/// `path` at the centre's `verify_base` (default: the address the request came to).
pub fn public_url(state: &AppState, headers: &HeaderMap, centre: &str, path: &str) -> String {
    let base = state.verify_base(centre).map(str::to_owned).unwrap_or_else(|| {
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1");
        format!("http://{host}")
    });
    format!("{}{path}", base.trim_end_matches('/'))
}

/// The QR code (SVG) of `url`.
pub fn qr_svg(url: &str) -> Result<String, Problem> {
    let code = qrcode::QrCode::new(url.as_bytes())
        .map_err(|e| Problem::from(regflow_executor::Error::Corrupt(format!("QR code: {e}"))))?;
    Ok(code.render::<qrcode::render::svg::Color>().min_dimensions(200, 200).build())
}

/// `GET /v1/certificates/{id}/qr.svg`: the verification address as a QR code (who may
/// read the file).
pub async fn qr(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let certificate = state.engine.as_actor(&caller.actor).certificate(&id).await?;
    let url = verify_url(&state, &headers, &certificate.document.centre, &certificate.document.id, &certificate.hash);
    Ok(([(header::CONTENT_TYPE, "image/svg+xml")], qr_svg(&url)?).into_response())
}

/// `GET /v1/keys/{centre}` (public): the centre's public keys, PEM, with when each was
/// retired (a retired key still verifies what it signed).
pub async fn keys(State(state): State<AppState>, Path(centre): Path<String>) -> Result<Json<Value>, Problem> {
    let keys = state.engine.public_keys(&CentreId::new(centre.as_str())).await?;
    let keys: Vec<Value> = keys
        .iter()
        .map(|(k, retired)| {
            json!({"key_id": k.key_id, "algorithm": k.algorithm, "public_key": k.pem,
                   "retired_at": retired.map(|t| t.to_rfc3339())})
        })
        .collect();
    Ok(Json(json!({"centre": centre, "keys": keys})))
}
