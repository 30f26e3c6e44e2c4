//! The staff workbench (`/staff`): each role's work queue, acceptance at the window, a
//! case with the commands the signed-in role may send now, live alerts and, for
//! supervisors, the SPEC 7 report.

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::IntoResponse;
use axum::Form;
use regflow_executor::ReportFilter;
use regflow_process::case::{RejectionGround, SuspensionCause};
use regflow_process::{CaseId, Channel, Task, WorkQueue};

use super::labels::Label as _;
use serde_json::{json, Map, Value};
use std::time::Duration;

use super::session::Visit;
use super::{
    back, checklist_page, form_object, labels, parties_of, posted_as, refusal_text, render, send, visit_as, Area,
    ChecklistQuery, Flash, Page,
};
use crate::alerts::queued_doc;
use crate::problem::Problem;
use crate::AppState;
use regflow_executor::Queued;

/// `GET /staff`: the signed-in officer's queues, in priority order.
pub async fn home(State(state): State<AppState>, headers: HeaderMap, Query(flash): Query<Flash>) -> Page {
    let (visit, me) = visit_as(&state, &headers, Area::Staff, flash.error.clone()).await?;
    let mut queues = Vec::new();
    for role in me.roles().iter().copied().filter(|r| !WorkQueue::of(*r).is_empty()) {
        let page = state.engine.as_actor(&me).work_queue(role, 50, None).await?;
        let cases: Vec<Value> = page.cases.iter().map(|c| labels::case(&state.engine, c, &me)).collect();
        let title = format!("{}待办", labels::role(role));
        queues.push(json!({"role": role.as_str(), "title": title, "empty": "无待办。", "cases": cases}));
    }
    let mut ctx = Map::new();
    ctx.insert("title".into(), json!("工作台"));
    ctx.insert("queues".into(), Value::Array(queues));
    ctx.insert("clerk".into(), json!(me.has(Channel::Window.serving_role())));
    ctx.insert("supervisor".into(), json!(me.supervises()));
    flash.into_ctx(&mut ctx);
    Ok(render(&state, &visit, "staff.html", ctx))
}

/// `?q=` of the case search.
#[derive(Debug, serde::Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

/// `GET /staff/search?q=`: the centre's cases a case id, unit number or party's
/// identifier names (SPEC 12), above the officer's queues.
pub async fn search(State(state): State<AppState>, headers: HeaderMap, Query(query): Query<SearchQuery>) -> Page {
    let (visit, me) = visit_as(&state, &headers, Area::Staff, None).await?;
    let found = state.engine.as_actor(&me).find_cases(&query.q).await?;
    let cases: Vec<Value> = found.iter().map(|c| labels::case(&state.engine, c, &me)).collect();
    let text = query.q.trim();
    let section = json!({"role": "search", "title": format!("查找“{text}”：{} 件", cases.len()),
                         "empty": "没有找到。请核对案件号、28 位不动产单元号或证件号。", "cases": cases});
    let mut ctx = Map::new();
    ctx.insert("title".into(), json!("查找案件"));
    ctx.insert("query".into(), json!(text));
    ctx.insert("queues".into(), json!([section]));
    ctx.insert("clerk".into(), json!(me.has(Channel::Window.serving_role())));
    ctx.insert("supervisor".into(), json!(me.supervises()));
    Ok(render(&state, &visit, "staff.html", ctx))
}

/// `GET /staff/accept?kind=`: acceptance at the window with the kind's checklist.
pub async fn accept_form(State(state): State<AppState>, headers: HeaderMap, Query(q): Query<ChecklistQuery>) -> Page {
    let page = ("窗口受理", "staff_accept.html");
    checklist_page(&state, &headers, Area::Staff, Channel::Window, q, page).await
}

/// `POST /staff/accept`: accepts at the window (or records the 一次性告知 of a case not
/// accepted) as the signed-in clerk.
pub async fn accept(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Page {
    let (_, me) = posted_as(&state, &headers, &fields, Area::Staff).await?;
    let mut form = form_object(&fields);
    let kind = form.get("kind").and_then(Value::as_str).unwrap_or_default().to_owned();
    let parties = parties_of(&mut form, 1);
    form.insert("applicants".into(), Value::Array(parties));
    let fixed = [("command", json!("accept")), ("channel", json!(Channel::Window))];
    match send(&state, &me, None, &form, &fixed).await {
        Ok(case) => Ok(back(
            &format!("/staff/cases/{}", case.id()),
            Some(&format!("{}：{}", labels::state(case.state()), case.id())),
            None,
        )),
        Err(p) => Ok(back(&format!("/staff/accept?kind={kind}"), None, Some(&refusal_text(&p)))),
    }
}

/// `GET /staff/cases/{id}`: the case, its history with the chain verified, and a form for
/// each command the signed-in officer may send now.
pub async fn case(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(flash): Query<Flash>,
) -> Page {
    let (visit, me) = visit_as(&state, &headers, Area::Staff, None).await?;
    let case_id = CaseId::new(id.as_str());
    let Some(view) = state.engine.as_actor(&me).case(&case_id).await? else {
        return Ok(super::not_found_page(&state, &visit, Area::Staff));
    };
    let verified = state.engine.verify(&case_id).await?;
    let hours = state.engine.centre(me.centre()).map(|c| c.hours).unwrap_or_default();
    let history: Vec<Value> = view
        .history
        .iter()
        .map(|h| {
            json!({"seq": h.event.seq, "at": labels::local_minute(&hours, h.event.at), "actor": h.event.actor,
                   "role": labels::role(h.event.role), "command": h.event.command.as_str(),
                   "command_zh": labels::Label::zh(h.event.command),
                   "to": labels::state(h.event.state_after), "hash": &h.hash[..12]})
        })
        .collect();
    let mut ctx = Map::new();
    ctx.insert("title".into(), json!(format!("案件 {id}")));
    ctx.insert("case".into(), labels::case(&state.engine, &view.case, &me));
    ctx.insert("history".into(), Value::Array(history));
    ctx.insert("intact".into(), json!(verified.is_intact()));
    let option = |id: &str, zh: &str| json!({"id": id, "zh": zh});
    ctx.insert(
        "causes".into(),
        json!(SuspensionCause::ALL.iter().map(|c| option(c.as_str(), c.zh())).collect::<Vec<_>>()),
    );
    ctx.insert(
        "grounds".into(),
        json!(RejectionGround::ALL.iter().map(|g| option(g.as_str(), g.zh())).collect::<Vec<_>>()),
    );
    let tasks: Vec<Value> = Task::completed_by(&me).map(|t| option(t.as_str(), t.zh())).collect();
    ctx.insert("my_tasks".into(), json!(tasks));
    if let Some(r) = super::query_result::view(&state, &headers, &view.case, "/staff/query-results").await? {
        ctx.insert("query_result".into(), r);
    }
    if let Some(c) = super::certificate::view(&state, &headers, &view.case, "/staff/certificates").await? {
        ctx.insert("certificate".into(), c);
    }
    flash.into_ctx(&mut ctx);
    Ok(render(&state, &visit, "staff_case.html", ctx))
}

/// `POST /staff/cases/{id}`: one command from the case page.
pub async fn act(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Page {
    super::act_on_case(&state, &headers, &id, &fields, Area::Staff, &format!("/staff/cases/{id}")).await
}

/// The query of `GET /staff/report`.
#[derive(Debug, serde::Deserialize)]
pub struct ReportQuery {
    from: Option<String>,
    to: Option<String>,
}

/// `GET /staff/report?from=&to=`: the SPEC 7 report of the supervisor's centre, with bars.
pub async fn report(State(state): State<AppState>, headers: HeaderMap, Query(q): Query<ReportQuery>) -> Page {
    let (visit, me) = visit_as(&state, &headers, Area::Staff, None).await?;
    if !me.supervises() {
        return Ok(back("/staff", None, Some("报表仅主管可见 the report is for supervisors")));
    }
    let hours = state.engine.centre(me.centre()).map(|c| c.hours).unwrap_or_default();
    let today = hours.local_date(state.engine.now());
    let from_text = q.from.unwrap_or_else(|| format!("{}-01-01", chrono::Datelike::year(&today)));
    let to_text = q.to.unwrap_or_else(|| (today + chrono::Duration::days(1)).to_string());
    let (from, to) = match (hours.parse_instant(&from_text), hours.parse_instant(&to_text)) {
        (Ok(f), Ok(t)) if t > f => (f, t),
        _ => return Ok(back("/staff/report", None, Some("日期有误：请用 YYYY-MM-DD，结束晚于开始"))),
    };
    let filter = ReportFilter::period(from, to);
    let report = state.engine.as_actor(&me).report(&filter).await?;
    let pct = |x: Option<f64>| x.map(|v| (v * 1000.0).round() / 10.0);
    let row = |label: String, f: &regflow_executor::Figures| {
        json!({"label": label, "opened": f.opened, "accepted": f.accepted, "completed": f.completed,
               "not_accepted": f.not_accepted, "rejected": f.rejected, "withdrawn": f.withdrawn,
               "on_time": pct(f.on_time_rate), "within_statute": pct(f.within_statute_rate),
               "mean": f.mean_working_days.map(|v| (v * 100.0).round() / 100.0),
               "median": f.median_working_days, "reduction": pct(f.reduction_vs_statute),
               "evaluations": f.evaluations, "rating": f.average_rating.map(|v| (v * 100.0).round() / 100.0)})
    };
    let mut rows = vec![row("合计".into(), &report.overall)];
    for (c, f) in &report.by_category {
        rows.push(row(labels::category(*c).to_owned(), f));
    }
    let channels: Vec<Value> =
        report.by_channel.iter().map(|(c, f)| row(labels::Label::zh(*c).to_owned(), f)).collect();
    let queries: Vec<Value> = report
        .queries
        .iter()
        .map(|q| {
            let class = regflow_process::register::query::ReaderClass::from(q.class);
            json!({"class": labels::Label::zh(class), "channel": labels::Label::zh(q.channel),
                   "on_the_spot": q.answered_on_the_spot, "later": q.answered_later, "deferred": q.deferred,
                   "on_time": q.deferred_on_time, "late": q.deferred_late, "refused": q.refused})
        })
        .collect();
    let kinds: Vec<Value> = report
        .by_kind
        .iter()
        .map(|(k, f)| {
            let name = state.engine.catalogue().get(k.as_str()).map_or(k.as_str(), |s| s.name.as_str());
            row(name.to_owned(), f)
        })
        .collect();
    let materials: Vec<Value> = report
        .materials
        .iter()
        .map(|(k, (now, before))| {
            let name = state.engine.catalogue().get(k.as_str()).map_or(k.as_str(), |s| s.name.as_str());
            json!({"kind": name, "now": now, "before": before})
        })
        .collect();
    let mut ctx = Map::new();
    ctx.insert("title".into(), json!("统计报表"));
    ctx.insert("from".into(), json!(from_text));
    ctx.insert("to".into(), json!(to_text));
    ctx.insert("rows".into(), Value::Array(rows));
    ctx.insert("channels".into(), Value::Array(channels));
    ctx.insert("queries".into(), Value::Array(queries));
    ctx.insert("kinds".into(), Value::Array(kinds));
    ctx.insert("materials".into(), Value::Array(materials));
    ctx.insert("overdue".into(), json!(report.overdue.len()));
    Ok(render(&state, &visit, "staff_report.html", ctx))
}

/// `GET /staff/alerts`: the signed-in officer's centre's alerts from now on, as
/// Server-Sent Events for the workbench (the session cookie authenticates it).
pub async fn alerts(State(state): State<AppState>, headers: HeaderMap) -> Page {
    let visit = Visit::of(&state, &headers).await?;
    let Some(me) = Area::Staff.actor(&visit) else {
        return Err(Problem::unauthorized().into());
    };
    let start = state.engine.last_alert_id().await?;
    // Refused here, before any stream, when the officer does not follow alerts.
    state.engine.as_actor(&me).alerts_after(start, 1).await?;
    let centre = me.centre().clone();
    let signal = state.fanout.subscribe();
    let feed = (state, me, centre, start, signal);
    let events = futures_util::stream::unfold(feed, |(state, me, centre, last, mut signal)| async move {
        loop {
            match state.engine.as_actor(&me).alerts_after(last, 1).await {
                Ok(found) if !found.is_empty() => {
                    let item = &found[0];
                    let hours = state.engine.centre(&centre).map(|c| c.hours).unwrap_or_default();
                    let mut doc = queued_doc(item, &hours);
                    if let Queued::Alert(a) = item {
                        doc["case_url"] = json!(format!("/staff/cases/{}", a.case_id));
                    }
                    let event = Event::default().id(item.id().to_string()).event("alert").data(doc.to_string());
                    let next = item.id();
                    return Some((Ok::<_, std::convert::Infallible>(event), (state, me, centre, next, signal)));
                }
                Ok(_) => {
                    let _ = tokio::time::timeout(Duration::from_secs(1), signal.changed()).await;
                }
                Err(_) => tokio::time::sleep(Duration::from_secs(1)).await,
            }
        }
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()).into_response())
}
