//! 查询记录 (`/staff/query-log`, supervisors): the centre's query log — every decision on an
//! information query, refused ones included, and every service read of a unit page — with
//! filters by date, unit and querier, and whether its chain is intact.

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use regflow_executor::query_log::QueryLogQuery;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::labels::{self, Label};
use super::{back, register, render, visit_as, Area, Page};
use crate::AppState;

/// The filters of `GET /staff/query-log`.
#[derive(Debug, Deserialize)]
pub struct Filters {
    from: Option<String>,
    to: Option<String>,
    unit: Option<String>,
    querier: Option<String>,
}

fn given(text: &Option<String>) -> Option<String> {
    text.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned)
}

/// `GET /staff/query-log?from=&to=&unit=&querier=`: the latest 1,000 lines that match.
pub async fn page(State(state): State<AppState>, headers: HeaderMap, Query(f): Query<Filters>) -> Page {
    let (visit, me) = visit_as(&state, &headers, Area::Staff, None).await?;
    if !me.supervises() {
        return Ok(back("/staff", None, Some("查询记录仅主管可见 the query log is for supervisors")));
    }
    let hours = state.engine.centre(me.centre()).map(|c| c.hours).unwrap_or_default();
    let bound = |text: &Option<String>| given(text).map(|t| hours.parse_instant(&t)).transpose();
    let (Ok(from), Ok(to)) = (bound(&f.from), bound(&f.to)) else {
        return Ok(back("/staff/query-log", None, Some("日期有误：请用 YYYY-MM-DD")));
    };
    let q = QueryLogQuery { from, to, unit: given(&f.unit), querier: given(&f.querier), ..QueryLogQuery::default() };
    let lines = state.engine.as_actor(&me).query_log(&q).await?;
    let intact = state.engine.verify_query_log(me.centre()).await?.is_intact();
    let rows: Vec<Value> = lines
        .iter()
        .rev()
        .map(|l| {
            let d = &l.draft;
            json!({
                "seq": l.seq,
                "at": labels::local_minute(&hours, d.at),
                "actor": d.actor,
                "querier": d.querier.as_ref().map(|q| format!("{}（{}）", q.name, register::mask(&q.id))),
                "class": d.class.zh(),
                "purpose": d.purpose,
                "unit": d.unit,
                "outcome": d.outcome.zh(),
                "outcome_id": d.outcome.as_str(),
                "code": d.code.map(|c| labels::code(c.as_str())),
                "case": d.case,
            })
        })
        .collect();
    let mut ctx = Map::new();
    ctx.insert("title".into(), json!("查询记录"));
    ctx.insert("lines".into(), Value::Array(rows));
    ctx.insert("intact".into(), json!(intact));
    ctx.insert(
        "filters".into(),
        json!({"from": f.from.unwrap_or_default(), "to": f.to.unwrap_or_default(),
               "unit": f.unit.unwrap_or_default(), "querier": f.querier.unwrap_or_default()}),
    );
    Ok(render(&state, &visit, "staff_query_log.html", ctx))
}
