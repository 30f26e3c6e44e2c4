//! 我的不动产 (`/my/units`): the units the signed-in applicant owns now, each with its page
//! (identifiers masked; the read is logged as an owner's query) and the electronic
//! certificates of their cases on it, with QR code, status and download.

use axum::extract::State;
use axum::http::HeaderMap;
use serde_json::{json, Map, Value};

use super::{certificate, register, render, visit_as, Area, Page};
use crate::AppState;

/// `GET /my/units`.
pub async fn page(State(state): State<AppState>, headers: HeaderMap) -> Page {
    let (visit, me) = visit_as(&state, &headers, Area::Portal, None).await?;
    let units = state.engine.as_actor(&me).my_units().await?;
    let mut list = Vec::with_capacity(units.len());
    for (i, u) in units.iter().enumerate() {
        let certificates = u
            .certificates
            .iter()
            .map(|(c, standing)| certificate::block(&state, &headers, c, standing, "/my/certificates"))
            .collect::<Result<Vec<Value>, _>>()?;
        list.push(json!({"key": format!("u{i}-"), "page": register::view(&u.page), "certificates": certificates}));
    }
    let mut ctx = Map::new();
    ctx.insert("title".into(), json!("我的不动产"));
    ctx.insert("units".into(), Value::Array(list));
    Ok(render(&state, &visit, "my_units.html", ctx))
}
