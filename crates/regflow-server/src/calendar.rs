//! `/v1/calendar`: the working-day calendar in force, and loading a schedule (SPEC 2.1).

use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

use crate::auth::Caller;
use crate::body::Limited;
use crate::problem::Problem;
use crate::view;
use crate::AppState;

/// `GET /v1/calendar`: the years covered and the version.
pub async fn show(State(state): State<AppState>, _caller: Caller) -> Result<Json<Value>, Problem> {
    let calendar = state.engine.current_calendar().await?;
    let years: Vec<i32> = calendar.covered_years().collect();
    Ok(Json(json!({"version": calendar.version(), "years": years})))
}

/// `POST /v1/calendar` (`text/csv`, supervisor only): merges the schedule by year and
/// re-projects the open cases it moves.
pub async fn load(
    State(state): State<AppState>,
    caller: Caller,
    Limited(body): Limited,
) -> Result<Json<Value>, Problem> {
    let csv = std::str::from_utf8(&body).map_err(|_| Problem::argument("body", "the calendar text must be UTF-8"))?;
    let done = state.engine.load_calendar(&caller.actor, csv).await?;
    let mut doc = json!({
        "version": done.load.version,
        "seq": done.load.seq,
        "mode": done.load.mode.as_str(),
        "years": done.load.years,
        "changed_years": done.load.changed_years,
        "loaded_at": done.load.loaded_at,
        "examined": done.examined,
        "moved": done.moved,
    });
    if let Some(centre) = state.engine.centre(caller.actor.centre()) {
        view::localise(&mut doc, &centre.hours);
    }
    Ok(Json(doc))
}
