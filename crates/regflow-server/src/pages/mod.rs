//! The reference web pages of SPEC 12, in Chinese: the 最多跑一次 portal (`/`), the staff
//! workbench (`/staff`) and the self-service kiosk (`/kiosk`). Server-rendered with
//! minijinja from templates embedded in the binary (output escaped), a little JavaScript
//! for live alerts, no build step. Like the API, the pages hold no rule: each form becomes
//! a command read by `regflow_process::wire` and sent to the engine as the signed-in
//! person; each list comes from the engine's `ActorView`.

mod certificate;
mod kiosk;
mod labels;
mod my_units;
mod portal;
mod query_log;
mod query_result;
mod register;
mod session;
mod staff;

pub use session::Key;

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use minijinja::Environment;
use regflow_executor::Request;
use regflow_process::{wire, Actor, Case, Role};
use serde_json::{Map, Value};

use crate::problem::Problem;
use crate::AppState;
use session::Visit;

/// The templates, embedded.
const TEMPLATES: [(&str, &str); 20] = [
    ("base.html", include_str!("../../templates/base.html")),
    ("login.html", include_str!("../../templates/login.html")),
    ("portal.html", include_str!("../../templates/portal.html")),
    ("guides.html", include_str!("../../templates/guides.html")),
    ("apply.html", include_str!("../../templates/apply.html")),
    ("my_cases.html", include_str!("../../templates/my_cases.html")),
    ("my_case.html", include_str!("../../templates/my_case.html")),
    ("staff.html", include_str!("../../templates/staff.html")),
    ("staff_accept.html", include_str!("../../templates/staff_accept.html")),
    ("staff_case.html", include_str!("../../templates/staff_case.html")),
    ("staff_report.html", include_str!("../../templates/staff_report.html")),
    ("staff_unit.html", include_str!("../../templates/staff_unit.html")),
    ("unit_page.html", include_str!("../../templates/unit_page.html")),
    ("query_result.html", include_str!("../../templates/query_result.html")),
    ("my_units.html", include_str!("../../templates/my_units.html")),
    ("staff_query_log.html", include_str!("../../templates/staff_query_log.html")),
    ("parties.html", include_str!("../../templates/parties.html")),
    ("certificate.html", include_str!("../../templates/certificate.html")),
    ("message.html", include_str!("../../templates/message.html")),
    ("kiosk.html", include_str!("../../templates/kiosk.html")),
];

const CSS: &str = include_str!("../../templates/app.css");
const JS: &str = include_str!("../../templates/app.js");

/// The template environment (HTML-escaping every `.html` template).
pub fn templates() -> Environment<'static> {
    let mut env = Environment::new();
    for (name, text) in TEMPLATES {
        env.add_template(name, text).expect("the embedded templates parse");
    }
    env
}

/// The pages' routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(portal::home))
        .route("/login", post(login))
        .route("/logout", post(logout))
        .route("/guides", get(portal::guides))
        .route("/apply", get(portal::apply_form).post(portal::apply))
        .route("/my", get(portal::my_cases))
        .route("/my/cases/{id}", get(portal::my_case).post(portal::act))
        .route("/my/certificates/{id}", get(certificate::mine))
        .route("/staff/certificates/{id}", get(certificate::staff))
        .route("/my/query-results/{id}", get(query_result::mine))
        .route("/staff/query-results/{id}", get(query_result::staff))
        .route("/my/units", get(my_units::page))
        .route("/staff/query-log", get(query_log::page))
        .route("/staff", get(staff::home))
        .route("/staff/search", get(staff::search))
        .route("/staff/accept", get(staff::accept_form).post(staff::accept))
        .route("/staff/cases/{id}", get(staff::case).post(staff::act))
        .route("/staff/units/{unit}", get(register::unit))
        .route("/staff/report", get(staff::report))
        .route("/staff/alerts", get(staff::alerts))
        .route("/kiosk", get(kiosk::home).post(kiosk::query))
        .route("/assets/app.css", get(|| async { asset("text/css; charset=utf-8", CSS) }))
        .route("/assets/app.js", get(|| async { asset("text/javascript; charset=utf-8", JS) }))
}

fn asset(kind: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, kind), (header::CACHE_CONTROL, "max-age=3600")], body).into_response()
}

/// A rendered page, with the visit's cookies.
pub(crate) fn render(state: &AppState, visit: &Visit, name: &str, mut ctx: Map<String, Value>) -> Response {
    ctx.insert("csrf".into(), Value::String(visit.csrf.clone()));
    ctx.insert("demo".into(), Value::Bool(state.demo));
    if let Some(t) = &visit.token {
        let mut me = labels::person(t);
        if let Some(centre) = state.engine.centre(t.actor.centre()) {
            me["centre_name"] = Value::String(centre.name.clone());
        }
        ctx.insert("me".into(), me);
    }
    let html = state.templates.get_template(name).and_then(|t| t.render(Value::Object(ctx)));
    let mut response = match html {
        Ok(html) => (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CACHE_CONTROL, "no-store"),
                (
                    header::CONTENT_SECURITY_POLICY,
                    "default-src 'self'; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'",
                ),
                (header::X_FRAME_OPTIONS, "DENY"),
                (header::REFERRER_POLICY, "same-origin"),
            ],
            html,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, template = name, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "page error").into_response()
        }
    };
    with_cookies(&mut response, visit);
    response
}

fn with_cookies(response: &mut Response, visit: &Visit) {
    for c in &visit.set_cookies {
        if let Ok(v) = HeaderValue::from_str(c) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
}

/// A page saying the case (or certificate) is not one the visitor may see, with 404:
/// the same whether it exists elsewhere or not.
pub(crate) fn not_found_page(state: &AppState, visit: &Visit, area: Area) -> Response {
    let (back, back_label) = match area {
        Area::Staff => ("/staff", "返回工作台"),
        Area::Kiosk => ("/kiosk", "返回首页"),
        Area::Portal => ("/my", "返回我的业务"),
    };
    let mut ctx = Map::new();
    ctx.insert("title".into(), serde_json::json!("未找到"));
    ctx.insert("message".into(), serde_json::json!("没有找到这项业务，或您无权查看。请核对链接，或从列表中打开。"));
    ctx.insert("back".into(), serde_json::json!(back));
    ctx.insert("back_label".into(), serde_json::json!(back_label));
    let mut response = render(state, visit, "message.html", ctx);
    *response.status_mut() = StatusCode::NOT_FOUND;
    response
}

/// A redirect after a form, carrying a message for the next page.
pub(crate) fn back(to: &str, notice: Option<&str>, error: Option<&str>) -> Response {
    back_with(to, &[("notice", notice), ("error", error)])
}

/// Back to `to` with a warning: done, but not what the applicant hoped for (不予受理,
/// 不予登记, 退回补正), shown apart from a plain success.
pub(crate) fn back_warning(to: &str, warning: &str) -> Response {
    back_with(to, &[("warning", Some(warning))])
}

fn back_with(to: &str, flashes: &[(&str, Option<&str>)]) -> Response {
    let mut url = to.to_owned();
    let mut sep = if url.contains('?') { '&' } else { '?' };
    for &(k, v) in flashes {
        if let Some(v) = v {
            url.push(sep);
            url.push_str(k);
            url.push('=');
            url.push_str(&encode(v));
            sep = '&';
        }
    }
    Redirect::to(&url).into_response()
}

/// Percent-encodes a query value.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A command posted from a case page (`to`) in `area`: back to the page with what became of
/// it. A case the caller may not see is not found, as the engine says.
pub(crate) async fn act_on_case(
    state: &AppState,
    headers: &HeaderMap,
    id: &str,
    fields: &[(String, String)],
    area: Area,
    to: &str,
) -> Page {
    let (_, me) = posted_as(state, headers, fields, area).await?;
    let form = form_object(fields);
    match send(state, &me, Some(id), &form, &[]).await {
        Ok(case) if case.state().is_adverse() => {
            Ok(back_warning(to, &format!("已办理，结果：{}", labels::state(case.state()))))
        }
        Ok(case) => Ok(back(to, Some(&format!("已办理，当前状态：{}", labels::state(case.state()))), None)),
        Err(p) if p.status == StatusCode::NOT_FOUND => Err(p.into()),
        Err(p) => Ok(back(to, None, Some(&refusal_text(&p)))),
    }
}

/// The message a refused form shows: the SPEC 8 code and what to do.
pub(crate) fn refusal_text(p: &Problem) -> String {
    format!("{} ({}): {}", labels::code(&p.code), p.code, p.detail)
}

/// A form as the JSON object `wire` reads: repeated fields become lists (`materials`,
/// `problems`, `consenting`), `pass`/`ok` become booleans, numbers become numbers.
pub(crate) fn form_object(fields: &[(String, String)]) -> Map<String, Value> {
    let mut map = Map::new();
    for (k, v) in fields {
        match k.as_str() {
            "csrf" => {}
            "materials" | "consenting" => {
                let entry = map.entry(k.clone()).or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(items) = entry {
                    items.push(Value::String(v.clone()));
                }
            }
            "problems" => {
                let lines: Vec<Value> =
                    v.lines().map(str::trim).filter(|l| !l.is_empty()).map(|l| Value::String(l.to_owned())).collect();
                map.insert(k.clone(), Value::Array(lines));
            }
            "pass" | "ok" => {
                map.insert(k.clone(), Value::Bool(v == "true" || v == "on"));
            }
            "working_days" | "rating" => {
                let n = v.trim().parse::<u64>().map(Value::from).unwrap_or(Value::String(v.clone()));
                map.insert(k.clone(), n);
            }
            _ if v.is_empty() => {}
            _ => {
                map.insert(k.clone(), Value::String(v.clone()));
            }
        }
    }
    for list in ["materials", "consenting"] {
        map.entry(list).or_insert_with(|| Value::Array(Vec::new()));
    }
    map
}

/// The party rows an application form offers (a transfer: sellers and buyers).
pub(crate) const PARTY_ROWS: usize = 4;

/// What a party row chooses from: identifier types and roles, with their Chinese names.
pub(crate) fn party_choices() -> Value {
    use labels::Label;
    use regflow_process::party::{IdType, PartyRole};
    let id_types: Vec<Value> =
        IdType::ALL.iter().map(|t| serde_json::json!({"id": t.as_str(), "zh": t.zh()})).collect();
    let roles: Vec<Value> = [PartyRole::Obligee, PartyRole::Obligor]
        .iter()
        .map(|r| serde_json::json!({"id": r.as_str(), "zh": r.zh()}))
        .collect();
    serde_json::json!({"id_types": id_types, "roles": roles, "rows": (1..=PARTY_ROWS).collect::<Vec<_>>()})
}

/// Takes the party rows `p{i}_name`, `p{i}_id`, `p{i}_id_type`, `p{i}_role`, `p{i}_share`
/// (i from `first` to [`PARTY_ROWS`]) out of `form`, each row with a name or a number as a
/// party of the SPEC 10 form; a field left empty takes its default (the identifier type
/// from the applicant category, the role `obligee`, no share).
pub(crate) fn parties_of(form: &mut Map<String, Value>, first: usize) -> Vec<Value> {
    let mut out = Vec::new();
    for i in first..=PARTY_ROWS {
        let mut party = Map::new();
        for field in regflow_process::wire::PARTY_FIELDS {
            if let Some(v) = form.remove(&format!("p{i}_{field}")) {
                party.insert(field.into(), v);
            }
        }
        if party.contains_key("name") || party.contains_key("id") {
            out.push(Value::Object(party));
        }
    }
    out
}

/// Sends the command a form describes, as `actor`, to case `id` (or a new case).
pub(crate) async fn send(
    state: &AppState,
    actor: &Actor,
    id: Option<&str>,
    form: &Map<String, Value>,
    fixed: &[(&str, Value)],
) -> Result<Case, Problem> {
    let mut body = form.clone();
    for (k, v) in fixed {
        body.insert((*k).to_owned(), v.clone());
    }
    let name = body.get("command").and_then(Value::as_str).unwrap_or_default().to_owned();
    let command = wire::command(&name, &body, id.is_some())?;
    let req = match id {
        Some(id) => Request::to(&regflow_process::CaseId::new(id), actor.clone(), command),
        None => Request::new(actor.clone(), command),
    };
    Ok(state.engine.as_actor(actor).execute(req).await?.case)
}

/// `POST /login`: a person signs in with their token.
async fn login(
    axum::extract::State(state): axum::extract::State<AppState>,
    headers: HeaderMap,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Page {
    let visit = Visit::of(&state, &headers).await?;
    let field = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    // Only a path of this site: a sign-in never redirects elsewhere.
    let next = field("next").filter(|n| local_path(n)).unwrap_or("/");
    if !visit.csrf_ok(field("csrf")) {
        return Ok(forbidden_form());
    }
    let bearer = field("token").unwrap_or_default().trim();
    let Some(token) = state.engine.database().authenticate(bearer).await? else {
        return Ok(back(next, None, Some("令牌无效或已吊销 the token is unknown or revoked")));
    };
    if !Area::at(next).admits(&token.actor) {
        return Ok(back(next, None, Some("此令牌不能登录此页面 this token is not for this page")));
    }
    let mut response = Redirect::to(next).into_response();
    if let Ok(v) = HeaderValue::from_str(&Visit::sign_in(&state, &token.id)) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    with_cookies(&mut response, &visit);
    Ok(response)
}

/// `POST /logout`.
async fn logout(
    axum::extract::State(state): axum::extract::State<AppState>,
    headers: HeaderMap,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Page {
    let visit = Visit::of(&state, &headers).await?;
    let csrf = fields.iter().find(|(n, _)| n == "csrf").map(|(_, v)| v.as_str());
    if !visit.csrf_ok(csrf) {
        return Ok(forbidden_form());
    }
    let mut response = Redirect::to("/").into_response();
    if let Ok(v) = HeaderValue::from_str(&Visit::sign_out()) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(response)
}

/// The answer to a form without a valid CSRF field.
pub(crate) fn forbidden_form() -> Response {
    (
        StatusCode::FORBIDDEN,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "表单已过期或来源不明，请刷新页面后重试。 The form is stale or did not come from this site: reload the page.",
    )
        .into_response()
}

/// The answer when a page needs someone signed in with one of `roles`.
pub(crate) fn sign_in_page(state: &AppState, visit: &Visit, area: &str, error: Option<String>) -> Response {
    let mut ctx = Map::new();
    ctx.insert("area".into(), Value::String(area.into()));
    ctx.insert("title".into(), Value::String(labels::area(area).into()));
    if let Some(e) = error {
        ctx.insert("error".into(), Value::String(e));
    }
    render(state, visit, "login.html", ctx)
}

/// Whether `next` is a path of this site to return to after signing in (the page a
/// deep link asked for): `/…`, not `//host` nor with a backslash, printable ASCII, not long.
fn local_path(next: &str) -> bool {
    next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && next.len() <= 512
        && next.bytes().all(|b| b.is_ascii_graphic() && b != b'\\')
}

/// Who may use an area of the pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Area {
    /// The portal: applicants.
    Portal,
    /// The workbench: staff (anyone but an applicant).
    Staff,
    /// The kiosk: kiosk systems.
    Kiosk,
}

impl Area {
    fn name(self) -> &'static str {
        match self {
            Area::Portal => "portal",
            Area::Staff => "staff",
            Area::Kiosk => "kiosk",
        }
    }

    /// The signed-in actor, if they belong in this area.
    pub(crate) fn actor(self, visit: &Visit) -> Option<Actor> {
        let actor = &visit.token.as_ref()?.actor;
        self.admits(actor).then(|| actor.clone())
    }

    /// The area whose pages start at `path` (`/`, `/staff`, `/kiosk`).
    fn at(path: &str) -> Area {
        let under =
            |root: &str| path == root || path.starts_with(&format!("{root}/")) || path.starts_with(&format!("{root}?"));
        if under("/staff") {
            Area::Staff
        } else if under("/kiosk") {
            Area::Kiosk
        } else {
            Area::Portal
        }
    }

    /// Whether `actor` signs in here: applicants at the portal, staff at the workbench,
    /// kiosk systems at the kiosk.
    fn admits(self, actor: &Actor) -> bool {
        match self {
            Area::Portal => actor.has(Role::Applicant),
            Area::Staff => actor.is_staff(),
            Area::Kiosk => actor.has(regflow_process::Channel::Kiosk.serving_role()),
        }
    }
}

/// What a page handler answers instead of the page asked for: another page (the sign-in
/// form, 403 for a form without its CSRF field) or a problem.
pub enum Instead {
    /// A page to show.
    Page(Response),
    /// A problem, as [`Problem`] renders it.
    Problem(Problem),
}

impl<E: Into<Problem>> From<E> for Instead {
    fn from(e: E) -> Self {
        Instead::Problem(e.into())
    }
}

impl IntoResponse for Instead {
    fn into_response(self) -> Response {
        match self {
            Instead::Page(page) => page,
            Instead::Problem(problem) => problem.into_response(),
        }
    }
}

/// What a page handler returns.
pub type Page = Result<Response, Instead>;

/// A page visit by someone signed in to `area`, or the answer to give instead (the
/// sign-in page).
pub(crate) async fn visit_as(
    state: &AppState,
    headers: &HeaderMap,
    area: Area,
    error: Option<String>,
) -> Result<(Visit, Actor), Instead> {
    let visit = Visit::of(state, headers).await?;
    match area.actor(&visit) {
        Some(actor) => Ok((visit, actor)),
        None => Err(Instead::Page(sign_in_page(state, &visit, area.name(), error))),
    }
}

/// A form posted to `area`: the visit and actor once the CSRF field and the sign-in are
/// checked, or the answer to give instead (403 for the CSRF field, the sign-in page).
pub(crate) async fn posted_as(
    state: &AppState,
    headers: &HeaderMap,
    fields: &[(String, String)],
    area: Area,
) -> Result<(Visit, Actor), Instead> {
    let visit = Visit::of(state, headers).await?;
    let csrf = fields.iter().find(|(k, _)| k == "csrf").map(|(_, v)| v.as_str());
    if !visit.csrf_ok(csrf) {
        return Err(Instead::Page(forbidden_form()));
    }
    match area.actor(&visit) {
        Some(actor) => Ok((visit, actor)),
        None => Err(Instead::Page(sign_in_page(state, &visit, area.name(), None))),
    }
}

/// An application form page (业务办理 online, 窗口受理 at the window): the kinds that open
/// on `channel`, the checklist of the one chosen, and the refusal the last try met.
pub(crate) async fn checklist_page(
    state: &AppState,
    headers: &HeaderMap,
    area: Area,
    channel: regflow_process::Channel,
    form: ChecklistQuery,
    (title, template): (&str, &str),
) -> Page {
    let (visit, _) = visit_as(state, headers, area, None).await?;
    let mut ctx = checklist(state, channel, form.kind.as_deref());
    ctx.insert("title".into(), Value::String(title.into()));
    ctx.insert("party".into(), party_choices());
    if let Some(e) = form.error {
        ctx.insert("error".into(), Value::String(e));
    }
    Ok(render(state, &visit, template, ctx))
}

/// `?kind=&error=` of an application form page.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct ChecklistQuery {
    kind: Option<String>,
    error: Option<String>,
}

/// The kinds that open on `channel`, and the checklist of the one chosen: the context of
/// an application form.
fn checklist(state: &AppState, channel: regflow_process::Channel, chosen: Option<&str>) -> Map<String, Value> {
    let catalogue = state.engine.catalogue();
    let kinds: Vec<Value> = catalogue
        .kinds()
        .iter()
        .filter(|k| k.allows(channel))
        .map(|k| serde_json::json!({"id": k.id, "name": k.name}))
        .collect();
    let mut ctx = Map::new();
    ctx.insert("kinds".into(), Value::Array(kinds));
    if let Some(kind) = chosen.and_then(|k| catalogue.get(k)) {
        // Key materials first (SPEC 12): the ones whose absence refuses the case.
        let mut items: Vec<Value> =
            kind.applicant_materials().map(|m| serde_json::json!({"id": m.id, "name": m.name, "key": m.key})).collect();
        items.sort_by_key(|m| !m["key"].as_bool().unwrap_or(false));
        ctx.insert("kind".into(), serde_json::json!({"id": kind.id, "name": kind.name, "checklist": items}));
    }
    ctx
}

/// Messages passed along a redirect.
#[derive(Debug, serde::Deserialize, Default)]
pub(crate) struct Flash {
    notice: Option<String>,
    warning: Option<String>,
    error: Option<String>,
}

impl Flash {
    fn into_ctx(self, ctx: &mut Map<String, Value>) {
        if let Some(n) = self.notice {
            ctx.insert("notice".into(), Value::String(n));
        }
        if let Some(w) = self.warning {
            ctx.insert("warning".into(), Value::String(w));
        }
        if let Some(e) = self.error {
            ctx.insert("error".into(), Value::String(e));
        }
    }
}
