//! An information query's answer on the pages (SPEC 15.2): its 查询结果证明 (number, scope,
//! QR code of the public verification, download) and the page it answered, identifiers
//! masked, for whoever may see the case — the querier on the portal and at the kiosk, the
//! centre's officers on the workbench.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use regflow_process::register::query::Scope;
use regflow_process::register::UnitPage;
use regflow_process::{Actor, Case};
use serde_json::{json, Value};

use super::{register, visit_as, Area, Page};
use crate::problem::Problem;
use crate::AppState;

fn corrupt(e: impl std::fmt::Display) -> Problem {
    Problem::from(regflow_executor::Error::Corrupt(e.to_string()))
}

/// The answer block of `case`'s page, when the query was answered: `download` is where the
/// page's reader fetches the 查询结果证明 (empty: nowhere, as at a public kiosk).
pub(crate) async fn view(
    state: &AppState,
    headers: &HeaderMap,
    case: &Case,
    download: &str,
) -> Result<Option<Value>, Problem> {
    let Some(answer) = case.answer() else { return Ok(None) };
    let result = state.engine.query_result(&answer.id).await?;
    let page: UnitPage = serde_json::from_value(result.page.clone()).map_err(corrupt)?;
    let hash = &result.hash;
    let id = &answer.id;
    let path = format!("/v1/query-results/{id}/verify?hash={hash}");
    let url = crate::certificates::public_url(state, headers, case.centre().as_str(), &path);
    let d = &result.document;
    Ok(Some(json!({
        "id": id, "number": d.number,
        "scope_zh": match answer.scope { Scope::Full => "完整登记信息", Scope::Masked => "证件号码已部分隐藏（利害关系人查询）" },
        "issued_at": d.issued_at.format("%Y-%m-%d %H:%M").to_string(),
        "verify_url": url, "qr_svg": crate::certificates::qr_svg(&url)?,
        "download": if download.is_empty() { String::new() } else { format!("{download}/{id}") },
        "page": register::view(&page),
    })))
}

async fn file_for(state: &AppState, me: &Actor, id: &str) -> Page {
    let result = state.engine.as_actor(me).query_result(id).await?;
    Ok(crate::certificates::attachment("query-result", &result.document.id, result.file))
}

/// `GET /my/query-results/{id}`: the 查询结果证明, for its querier.
pub async fn mine(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> Page {
    let (_, me) = visit_as(&state, &headers, Area::Portal, None).await?;
    file_for(&state, &me, &id).await
}

/// `GET /staff/query-results/{id}`: the 查询结果证明, for the centre's officers.
pub async fn staff(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> Page {
    let (_, me) = visit_as(&state, &headers, Area::Staff, None).await?;
    file_for(&state, &me, &id).await
}
