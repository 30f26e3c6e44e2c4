//! The 最多跑一次 portal (`/`): 用户信息, 办事指南, 业务办理 and 我的业务 for applicants.

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::Form;
use regflow_process::{CaseId, Channel};
use serde_json::{json, Map, Value};

use super::labels::Label;
use super::session::Visit;
use super::{
    back, checklist_page, form_object, labels, parties_of, posted_as, refusal_text, render, send, visit_as, Area,
    ChecklistQuery, Flash, Page,
};
use crate::{view, AppState};

/// `GET /`: 用户信息 and the ways in, or the sign-in form.
pub async fn home(State(state): State<AppState>, headers: HeaderMap, Query(flash): Query<Flash>) -> Page {
    let (visit, _) = visit_as(&state, &headers, Area::Portal, flash.error.clone()).await?;
    let mut ctx = Map::new();
    ctx.insert("title".into(), json!("互联网+不动产登记"));
    flash.into_ctx(&mut ctx);
    Ok(render(&state, &visit, "portal.html", ctx))
}

/// `GET /guides`: 办事指南, public.
pub async fn guides(State(state): State<AppState>, headers: HeaderMap) -> Page {
    let visit = Visit::of(&state, &headers).await?;
    let policy = state.engine.policy_now(None)?;
    let mut guides: Vec<Value> = view::guides(state.engine.catalogue(), policy);
    // Steps, channels and the tasks providing materials by their Chinese names.
    for g in &mut guides {
        let names = |list: &Value, name: &dyn Fn(&str) -> Option<&'static str>| -> Value {
            let zh = list.as_array().into_iter().flatten().filter_map(Value::as_str).map(|id| name(id).unwrap_or(id));
            Value::Array(zh.map(|s| json!(s)).collect())
        };
        g["steps_zh"] = names(&g["steps"], &|id| id.parse::<regflow_process::CommandName>().ok().map(Label::zh));
        g["channels_zh"] = names(&g["channels"], &|id| id.parse::<Channel>().ok().map(Label::zh));
        for m in g["materials"].as_array_mut().into_iter().flatten() {
            if let Some(task) = m["provided_by"]["task"].as_str().and_then(|t| t.parse::<regflow_process::Task>().ok())
            {
                m["provider_zh"] = json!(task.zh());
            }
        }
    }
    let mut ctx = Map::new();
    ctx.insert("title".into(), json!("办事指南"));
    ctx.insert("guides".into(), Value::Array(guides));
    Ok(render(&state, &visit, "guides.html", ctx))
}

/// `GET /apply?kind=`: 业务办理 — the kinds that may be applied for online, then the
/// chosen kind's checklist.
pub async fn apply_form(State(state): State<AppState>, headers: HeaderMap, Query(q): Query<ChecklistQuery>) -> Page {
    let page = ("业务办理", "apply.html");
    checklist_page(&state, &headers, Area::Portal, Channel::Online, q, page).await
}

/// `POST /apply`: the online application, as the signed-in applicant.
pub async fn apply(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Page {
    let (visit, me) = posted_as(&state, &headers, &fields, Area::Portal).await?;
    let name = visit.token.as_ref().and_then(|t| t.name.clone()).unwrap_or_default();
    let mut form = form_object(&fields);
    let kind = form.get("kind").and_then(Value::as_str).unwrap_or_default().to_owned();
    // The applicant is the first party (in the role and share they chose); the others are
    // the rows they filled in.
    let mut me_party = json!({"name": name, "id": me.id().as_str()});
    for field in ["role", "share"] {
        if let Some(v) = form.remove(&format!("p0_{field}")) {
            me_party[field] = v;
        }
    }
    let mut parties = vec![me_party];
    parties.extend(parties_of(&mut form, 1));
    form.insert("applicants".into(), Value::Array(parties));
    match send(&state, &me, None, &form, &[("command", json!("apply"))]).await {
        Ok(case) => Ok(back(&format!("/my/cases/{}", case.id()), Some("已提交网上申请，等待预审"), None)),
        Err(p) => Ok(back(&format!("/apply?kind={kind}"), None, Some(&refusal_text(&p)))),
    }
}

/// `GET /my`: 我的业务.
pub async fn my_cases(State(state): State<AppState>, headers: HeaderMap) -> Page {
    let (visit, me) = visit_as(&state, &headers, Area::Portal, None).await?;
    let cases = state.engine.as_actor(&me).my_cases().await?;
    let list: Vec<Value> = cases.iter().map(|c| labels::case(&state.engine, c, &me)).collect();
    let mut ctx = Map::new();
    ctx.insert("title".into(), json!("我的业务"));
    ctx.insert("cases".into(), Value::Array(list));
    Ok(render(&state, &visit, "my_cases.html", ctx))
}

/// `GET /my/cases/{id}`: one of the applicant's own cases (another's is not found).
pub async fn my_case(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(flash): Query<Flash>,
) -> Page {
    let (visit, me) = visit_as(&state, &headers, Area::Portal, None).await?;
    let Some(view) = state.engine.as_actor(&me).case(&CaseId::new(id.as_str())).await? else {
        return Ok(super::not_found_page(&state, &visit, Area::Portal));
    };
    let mut ctx = Map::new();
    ctx.insert("title".into(), json!("我的业务"));
    ctx.insert("case".into(), labels::case(&state.engine, &view.case, &me));
    if let Some(r) = super::query_result::view(&state, &headers, &view.case, "/my/query-results").await? {
        ctx.insert("query_result".into(), r);
    }
    if let Some(c) = super::certificate::view(&state, &headers, &view.case, "/my/certificates").await? {
        ctx.insert("certificate".into(), c);
    }
    flash.into_ctx(&mut ctx);
    Ok(render(&state, &visit, "my_case.html", ctx))
}

/// `POST /my/cases/{id}`: amend, supply materials, withdraw or rate, as the applicant.
pub async fn act(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Page {
    super::act_on_case(&state, &headers, &id, &fields, Area::Portal, &format!("/my/cases/{id}")).await
}
