//! 登记簿 on the workbench (`/staff/units/{unit}`): the unit page in Chinese, now or as of
//! a date, reachable from each case. The template gets a typed view, never the raw page.

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use chrono::{DateTime, FixedOffset};
use regflow_process::identifier::UnitNumber;
use regflow_process::register::page::{PageSeizure, Restriction};
use regflow_process::register::{Holder, UnitPage, UnitStatus};
use serde::Serialize;
use serde_json::{json, Map};

use super::{labels, render, visit_as, Area, Page};
use crate::problem::Problem;
use crate::AppState;

/// A person on the page, their identifier masked (first 6, last 4).
#[derive(Debug, Serialize)]
struct PersonView {
    name: String,
    id: String,
    id_type: &'static str,
    share: Option<String>,
}

#[derive(Debug, Serialize)]
struct MortgageView {
    rank: u32,
    mortgagees: Vec<PersonView>,
    mortgagors: Vec<PersonView>,
    amount: Option<String>,
    since: String,
    entry: u64,
}

#[derive(Debug, Serialize)]
struct SeizureView {
    court: String,
    ruling: Option<String>,
    since: String,
    expires: Option<String>,
    entry: u64,
}

#[derive(Debug, Serialize)]
struct RightView {
    holders: Vec<PersonView>,
    since: String,
    lapses: Option<String>,
    lawsuit: Option<String>,
    entry: u64,
}

/// The unit page as the template shows it.
#[derive(Debug, Serialize)]
pub(crate) struct UnitView {
    unit: String,
    as_of: String,
    status: &'static str,
    owners: Vec<PersonView>,
    owners_since: Option<String>,
    mortgages: Vec<MortgageView>,
    seizure: Option<SeizureView>,
    queued: Vec<SeizureView>,
    objections: Vec<RightView>,
    notices: Vec<RightView>,
    restrictions: Vec<&'static str>,
}

/// `YYYY-MM-DD HH:mm` in the centre's offset.
fn local(t: DateTime<FixedOffset>) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

/// An identifier shown on a page: first 6 and last 4 characters (SPEC 15.2's masking).
pub(crate) fn mask(id: &str) -> String {
    regflow_process::register::query::mask(id)
}

fn person(h: &Holder) -> PersonView {
    PersonView {
        name: h.name.clone(),
        id: mask(&h.id),
        id_type: labels::Label::zh(h.id_type),
        share: h.share.map(|s| s.to_string()),
    }
}

fn seizure(s: &PageSeizure) -> SeizureView {
    SeizureView {
        court: s.court.clone(),
        ruling: s.ruling.clone(),
        since: local(s.since),
        expires: s.expires_at.map(local),
        entry: s.entry,
    }
}

/// The unit page as `unit_page.html` shows it.
pub(crate) fn view(page: &UnitPage) -> UnitView {
    UnitView {
        unit: page.unit.to_string(),
        as_of: local(page.as_of),
        status: match page.status {
            UnitStatus::Unknown => "未登记（本登记簿无所有权记载）",
            UnitStatus::Registered => "已登记",
            UnitStatus::Cancelled => "已注销",
        },
        owners: page
            .owners
            .iter()
            .map(|o| PersonView {
                name: o.name.clone(),
                id: mask(&o.id),
                id_type: labels::Label::zh(o.id_type),
                share: Some(o.share.to_string()),
            })
            .collect(),
        owners_since: page.owners.first().map(|o| local(o.since)),
        mortgages: page
            .mortgages
            .iter()
            .map(|m| MortgageView {
                rank: m.rank,
                mortgagees: m.mortgagees.iter().map(person).collect(),
                mortgagors: m.mortgagors.iter().map(person).collect(),
                amount: m.secured_amount.map(|a| format!("{a} 元")),
                since: local(m.since),
                entry: m.entry,
            })
            .collect(),
        seizure: page.seizures.active.as_ref().map(seizure),
        queued: page.seizures.queued.iter().map(seizure).collect(),
        objections: page
            .objections
            .iter()
            .map(|o| RightView {
                holders: o.holders.iter().map(person).collect(),
                since: local(o.since),
                lapses: o.lapses_at.map(local),
                lawsuit: o.lawsuit.as_ref().map(|l| format!("{}（{} 起诉）", l.court, l.filed_on)),
                entry: o.entry,
            })
            .collect(),
        notices: page
            .advance_notices
            .iter()
            .map(|n| RightView {
                holders: n.holders.iter().map(person).collect(),
                since: local(n.since),
                lapses: Some(local(n.lapses_at)),
                lawsuit: None,
                entry: n.entry,
            })
            .collect(),
        restrictions: page
            .restrictions
            .iter()
            .map(|r| match r {
                Restriction::Seized => "查封",
                Restriction::Mortgaged => "抵押",
                Restriction::Objection => "异议",
                Restriction::AdvanceNotice => "预告",
            })
            .collect(),
    }
}

/// The query of `GET /staff/units/{unit}`.
#[derive(Debug, serde::Deserialize)]
pub struct AsOf {
    at: Option<String>,
}

/// `GET /staff/units/{unit}?at=`: the unit page (登记簿) for the centre's staff.
pub async fn unit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(text): Path<String>,
    Query(q): Query<AsOf>,
) -> Page {
    let (visit, me) = visit_as(&state, &headers, Area::Staff, None).await?;
    let unit = UnitNumber::parse(&text).map_err(|e| {
        Problem::from(regflow_process::Refusal::new(
            regflow_process::ErrorCode::InvalidIdentifier,
            format!("unit: {e}"),
        ))
    })?;
    let hours = state.engine.centre(me.centre()).map(|c| c.hours).unwrap_or_default();
    let at = match q.at.as_deref().filter(|t| !t.trim().is_empty()) {
        None => None,
        Some(t) => Some(hours.parse_instant(t.trim()).map_err(|e| Problem::argument("at", format!("查询时点：{e}")))?),
    };
    let page = state.engine.as_actor(&me).unit_page(&unit, at).await?;
    let mut ctx = Map::new();
    ctx.insert("title".into(), json!(format!("登记簿 {unit}")));
    ctx.insert("page".into(), serde_json::to_value(view(&page)).unwrap_or_default());
    ctx.insert("at".into(), json!(q.at.unwrap_or_default()));
    Ok(render(&state, &visit, "staff_unit.html", ctx))
}
