//! The certificate on the case pages (SPEC 15.1): its number, status and QR code, and its
//! file for whoever may see the case — the workbench's officers and the portal's parties.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use regflow_process::register::certificate::Status;
use regflow_process::{Actor, Case};
use serde_json::{json, Value};

use super::{visit_as, Area, Page};
use crate::problem::Problem;
use crate::AppState;

fn status_zh(status: Status) -> &'static str {
    match status {
        Status::Valid => "有效",
        Status::Superseded => "已失效（权利已变更）",
        Status::Cancelled => "已失效（权利已注销）",
        Status::NotGenuine => "非本中心签发",
    }
}

fn kind_zh(kind: regflow_process::register::CertificateType) -> &'static str {
    match kind {
        regflow_process::register::CertificateType::Title => "不动产权证书",
        regflow_process::register::CertificateType::Certification => "不动产登记证明",
    }
}

/// The certificate block of `case`'s page, when one was issued: `download` is where the
/// page's reader fetches the file.
pub(crate) async fn view(
    state: &AppState,
    headers: &HeaderMap,
    case: &Case,
    download: &str,
) -> Result<Option<Value>, Problem> {
    if case.state() != regflow_process::State::Completed {
        return Ok(None);
    }
    let Some((_, c)) = state.engine.certificates_of(case.centre(), &[case.id()]).await?.pop() else {
        return Ok(None);
    };
    let standing = state.engine.verify_certificate(&c.document.id, None).await?;
    block(state, headers, &c, &standing, download).map(Some)
}

/// The certificate block of `c`, standing as `standing`.
pub(crate) fn block(
    state: &AppState,
    headers: &HeaderMap,
    c: &regflow_executor::certificates::Certificate,
    standing: &regflow_executor::certificates::Verification,
    download: &str,
) -> Result<Value, Problem> {
    let id = &c.document.id;
    let url = crate::certificates::verify_url(state, headers, &c.document.centre, id, &c.hash);
    Ok(json!({
        "id": id, "number": c.document.number, "kind_zh": kind_zh(c.document.kind),
        "status": standing.status, "status_zh": status_zh(standing.status),
        "issued_at": c.document.issued_at.format("%Y-%m-%d %H:%M").to_string(),
        "hash": c.hash, "verify_url": url, "qr_svg": crate::certificates::qr_svg(&url)?,
        "download": format!("{download}/{id}"),
    }))
}

async fn file_for(state: &AppState, me: &Actor, id: &str) -> Page {
    let certificate = state.engine.as_actor(me).certificate(id).await?;
    Ok(crate::certificates::attachment("certificate", &certificate.document.id, certificate.file))
}

/// `GET /my/certificates/{id}`: the file, for a party of its case.
pub async fn mine(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> Page {
    let (_, me) = visit_as(&state, &headers, Area::Portal, None).await?;
    file_for(&state, &me, &id).await
}

/// `GET /staff/certificates/{id}`: the file, for the centre's officers.
pub async fn staff(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> Page {
    let (_, me) = visit_as(&state, &headers, Area::Staff, None).await?;
    file_for(&state, &me, &id).await
}
