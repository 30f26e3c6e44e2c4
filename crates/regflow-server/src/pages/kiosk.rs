//! The self-service kiosk (`/kiosk`): an information query (不动产登记信息查询) handled on
//! the spot, with the time it took.

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::Form;
use serde_json::{json, Map, Value};

use super::{form_object, labels, posted_as, refusal_text, render, send, visit_as, Area, Flash, Page};
use crate::AppState;
use regflow_process::{Channel, ErrorCode};

/// `GET /kiosk`: the query form (the kiosk signs in once with its token).
pub async fn home(State(state): State<AppState>, headers: HeaderMap, Query(flash): Query<Flash>) -> Page {
    let (visit, _) = visit_as(&state, &headers, Area::Kiosk, flash.error.clone()).await?;
    let mut ctx = Map::new();
    ctx.insert("title".into(), json!("自助查询"));
    flash.into_ctx(&mut ctx);
    Ok(render(&state, &visit, "kiosk.html", ctx))
}

/// `POST /kiosk`: handles the query at once and shows the outcome and the time taken.
pub async fn query(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Page {
    let (visit, me) = posted_as(&state, &headers, &fields, Area::Kiosk).await?;
    let mut form = form_object(&fields);
    let name = form.remove("name").unwrap_or(Value::Null);
    let id = form.remove("id").unwrap_or(Value::Null);
    let mut ctx = Map::new();
    ctx.insert("title".into(), json!("自助查询"));
    // The kind the catalogue opens at the kiosk (the information query) and its one set of
    // materials (the reader checks the identity document).
    let Some(query) = state.engine.catalogue().opened_on(Channel::Kiosk).next() else {
        ctx.insert("error".into(), json!("本中心的登记目录没有可在自助机办理的事项 — the catalogue opens no kind on the kiosk channel: list `kiosk` in the channels of the kind the kiosk serves"));
        return Ok(render(&state, &visit, "kiosk.html", ctx));
    };
    let fixed = [
        ("command", json!("handle_instantly")),
        ("kind", json!(query.id)),
        ("channel", json!(Channel::Kiosk)),
        ("applicants", json!([{"name": name, "id": id}])),
        ("materials", json!(query.applicant_material_ids(None))),
    ];
    let started = std::time::Instant::now();
    let outcome = send(&state, &me, None, &form, &fixed).await;
    let took_ms = started.elapsed().as_secs_f64() * 1000.0;
    match outcome {
        Ok(case) => {
            ctx.insert(
                "result".into(),
                json!({"id": case.id(), "state": labels::state(case.state()), "unit": case.intake().unit.as_str(),
                       "took_ms": (took_ms * 10.0).round() / 10.0}),
            );
            // The owner's page, as answered (SPEC 15.2); nothing to download at a public kiosk.
            if let Some(answer) = super::query_result::view(&state, &headers, &case, "").await? {
                ctx.insert("query_result".into(), answer);
            }
        }
        Err(p) if p.code == ErrorCode::QueryNotPermitted.as_str() => {
            ctx.insert(
                "error".into(),
                json!("您不是该不动产登记簿记载的现权利人，自助机不能为您查询。利害关系人、国家机关请持证明材料到窗口办理查询。"),
            );
            ctx.insert("refused".into(), json!(true));
        }
        Err(p) => {
            ctx.insert("error".into(), json!(refusal_text(&p)));
        }
    }
    Ok(render(&state, &visit, "kiosk.html", ctx))
}
