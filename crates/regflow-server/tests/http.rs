//! The service over real HTTP on an ephemeral port, on SQLite and (with `REGFLOW_PG_URL`)
//! PostgreSQL: every route, the status of each SPEC 8 code, isolation, idempotency, limits.

use chrono::{DateTime, Utc};
use regflow_executor::{Engine, ManualClock};
use regflow_process::catalogue::Catalogue;
use regflow_process::{Actor, CaseId, Centre, CentreId, Role};
use regflow_server::config::{Config, Limits};
use regflow_server::Server;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::BTreeMap;

const ZHANG: &str = "630102198503120015";
const LI: &str = "630102199211080028";
const WANG: &str = "630102198001010035";
const UNIT: &str = "630102001001GB00001F00010001";
/// A second-hand transfer's key materials, and the ones it may pledge.
const TRANSFER_KEY: [&str; 4] = ["application_form", "identity_proof", "title_certificate", "sale_contract"];
const TRANSFER_OTHER: [&str; 2] = ["marital_status_proof", "household_register"];

/// A fresh database: an SQLite file in a temporary folder, or a PostgreSQL database.
struct Db {
    url: String,
    pg: Option<regflow_executor::testing::PgDatabase>,
    dir: Option<std::path::PathBuf>,
}

impl Db {
    fn sqlite() -> Db {
        let dir = std::env::temp_dir().join(format!("regflow-http-{}-{:x}", std::process::id(), rand_suffix()));
        std::fs::create_dir_all(&dir).unwrap();
        Db { url: format!("sqlite://{}", dir.join("cases.db").display()), pg: None, dir: Some(dir) }
    }

    async fn postgres(test: &str) -> Option<Db> {
        let pg = regflow_executor::testing::PgDatabase::create(test).await?;
        Some(Db { url: pg.url().to_owned(), pg: Some(pg), dir: None })
    }

    async fn finish(self) {
        if let Some(pg) = self.pg {
            pg.drop().await;
        }
        if let Some(dir) = self.dir {
            std::fs::remove_dir_all(dir).ok();
        }
    }
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
}

/// A running service with tokens for the people of two centres.
struct Svc {
    base: String,
    http: reqwest::Client,
    tokens: BTreeMap<&'static str, String>,
    engine: Engine,
    clock: ManualClock,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

impl Svc {
    async fn start(db: &Db, limits: Limits) -> Svc {
        Svc::start_with(db, Config { listen: "127.0.0.1:0".into(), limits, ..Config::default() }).await
    }

    async fn start_with(db: &Db, config: Config) -> Svc {
        Svc::start_on(db, config, Catalogue::builtin()).await
    }

    async fn start_on(db: &Db, config: Config, catalogue: Catalogue) -> Svc {
        let clock = ManualClock::new(at("2026-03-02T10:00:00+08:00"));
        let engine = Engine::builder(&db.url)
            .catalogue(catalogue)
            .centre(Centre::new("xining"))
            .centre(Centre::new("haidong"))
            .clock(clock.clone())
            .build()
            .await
            .unwrap();
        let x = CentreId::new("xining");
        let h = CentreId::new("haidong");
        let people: Vec<(&'static str, Actor, Option<&str>)> = vec![
            ("clerk", Actor::new("clerk-1", [Role::Clerk], x.clone()), None),
            ("clerk2", Actor::new("clerk-2", [Role::Clerk], x.clone()), None),
            ("clerk_reviewer", Actor::new("cr-1", [Role::Clerk, Role::Reviewer], x.clone()), None),
            ("reviewer", Actor::new("rev-1", [Role::Reviewer], x.clone()), None),
            ("registrar", Actor::new("reg-1", [Role::Registrar], x.clone()), None),
            ("supervisor", Actor::new("sup-1", [Role::Supervisor], x.clone()), None),
            ("tax", Actor::new("tax-1", [Role::TaxOfficer], x.clone()), None),
            ("tr", Actor::new("tr-1", [Role::TransactionOfficer], x.clone()), None),
            ("bank", Actor::new("bank-1", [Role::Bank], x.clone()), None),
            ("kiosk", Actor::new("kiosk-1", [Role::Kiosk], x.clone()), None),
            ("court", Actor::new("court-1", [Role::Court], x.clone()), None),
            ("zhang", Actor::applicant(ZHANG, x.clone()), Some("张三")),
            ("li", Actor::applicant(LI, x.clone()), Some("李四")),
            ("wang", Actor::applicant(WANG, x.clone()), Some("王五")),
            ("h_clerk", Actor::new("clerk-1", [Role::Clerk], h.clone()), None),
            ("h_supervisor", Actor::new("sup-1", [Role::Supervisor], h), None),
        ];
        let mut tokens = BTreeMap::new();
        for (name, actor, person) in people {
            let t = engine.database().issue_token(&actor, person, Utc::now()).await.unwrap();
            tokens.insert(name, t.secret);
        }
        let server = Server::bind(engine.clone(), &config).await.unwrap();
        let base = server.url();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(server.run(async move {
            let _ = stopped.await;
        }));
        Svc { base, http: reqwest::Client::new(), tokens, engine, clock, stop: Some(stop) }
    }

    async fn call(&self, method: Method, path: &str, who: Option<&str>, body: Option<Value>) -> (StatusCode, Value) {
        self.call_with(method, path, who, body, &[]).await
    }

    async fn call_with(
        &self,
        method: Method,
        path: &str,
        who: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> (StatusCode, Value) {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(who) = who {
            req = req.bearer_auth(&self.tokens[who]);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let problem = res
            .headers()
            .get("content-type")
            .is_some_and(|v| v.to_str().unwrap().starts_with("application/problem+json"));
        let text = res.text().await.unwrap();
        let value: Value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        if !status.is_success() {
            assert!(problem, "{status} without a problem document: {value}");
            assert_eq!(value["status"], json!(status.as_u16()), "{value}");
        }
        (status, value)
    }

    async fn post(&self, path: &str, who: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(who), Some(body)).await
    }

    async fn get(&self, path: &str, who: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, Some(who), None).await
    }

    async fn command(&self, id: &str, who: &str, body: Value) -> (StatusCode, Value) {
        self.post(&format!("/v1/cases/{id}/commands"), who, body).await
    }

    async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

fn transfer(applicants: Value) -> Value {
    json!({"command": "accept", "kind": "transfer_second_hand", "applicant_category": "individual",
           "channel": "window", "unit": UNIT, "applicants": applicants, "materials": ([&TRANSFER_KEY[..], &TRANSFER_OTHER].concat())})
}

fn zhang_and_li() -> Value {
    json!([{"name": "张三", "id": ZHANG}, {"name": "李四", "id": LI}])
}

/// Runs an async test body on both backends, as `NAME::sqlite` and `NAME::postgres`.
macro_rules! on_both {
    ($name:ident, $body:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = super::Db::sqlite();
                super::$body(&db).await;
                db.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(db) = super::Db::postgres(stringify!($name)).await else {
                    return;
                };
                super::$body(&db).await;
                db.finish().await;
            }
        }
    };
}

async fn a_case_from_window_to_evaluation(db: &Db) {
    let svc = Svc::start(db, Limits::default()).await;
    let (s, case) = svc.post("/v1/cases", "clerk", transfer(zhang_and_li())).await;
    assert_eq!(s, StatusCode::CREATED, "{case}");
    let id = case["id"].as_str().unwrap().to_owned();
    assert_eq!(case["state"], "accepted");
    assert_eq!(case["deadlines"]["promise"]["due_at"], "2026-03-05T18:00:00+08:00");
    assert_eq!(case["tasks"], json!({"tax": "pending", "transaction_filing": "pending"}));
    assert_eq!(case["commands"], json!(["supply_materials"]), "the clerk may only supply materials now");

    let (_, seen) = svc.get(&format!("/v1/cases/{id}"), "reviewer").await;
    assert_eq!(seen["commands"], json!(["review", "suspend", "reject"]));
    // The reviewer's queue holds it; the registrar's does not.
    let (s, q) = svc.get("/v1/queues/reviewer", "reviewer").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(q["cases"][0]["id"], json!(id));
    let (_, q) = svc.get("/v1/queues/registrar", "registrar").await;
    assert_eq!(q["cases"], json!([]));

    for (who, body) in [
        ("tax", json!({"command": "complete_task", "task": "tax", "ok": true})),
        ("tr", json!({"command": "complete_task", "task": "transaction_filing"})),
        ("reviewer", json!({"command": "review"})),
        ("registrar", json!({"command": "record"})),
        ("clerk2", json!({"command": "issue_certificate"})),
        ("zhang", json!({"command": "evaluate", "rating": 5, "comment": "很快"})),
    ] {
        let (s, v) = svc.command(&id, who, body.clone()).await;
        assert_eq!(s, StatusCode::OK, "{body} → {v}");
    }
    let (_, done) = svc.get(&format!("/v1/cases/{id}"), "zhang").await;
    assert_eq!(done["state"], "completed");
    assert_eq!(done["completion"]["on_time"], true);
    assert_eq!(done["evaluation"]["rating"], 5);
    assert_eq!(done["commands"], json!([]), "evaluated once: nothing left");

    let (_, history) = svc.get(&format!("/v1/cases/{id}/history"), "clerk").await;
    let events = history["events"].as_array().unwrap();
    assert_eq!(events.len(), 7);
    assert_eq!(events[1]["prev_hash"], events[0]["hash"]);
    assert!(events[0]["event"]["at"].as_str().unwrap().ends_with("+08:00"));
    let (_, v) = svc.get(&format!("/v1/cases/{id}/verify"), "supervisor").await;
    assert_eq!((v["intact"].clone(), v["entries"].clone()), (json!(true), json!(7)));

    // 我的业务: both parties see it; another applicant sees nothing and cannot read it.
    let (_, mine) = svc.get("/v1/my/cases", "li").await;
    assert_eq!(mine["cases"][0]["id"], json!(id));
    let (_, theirs) = svc.get("/v1/my/cases", "wang").await;
    assert_eq!(theirs["cases"], json!([]));
    let (s, p) = svc.get(&format!("/v1/cases/{id}"), "wang").await;
    assert_eq!((s, p["code"].as_str()), (StatusCode::NOT_FOUND, Some("case_not_found")));
    let (s, _) = svc.get(&format!("/v1/cases/{id}/history"), "wang").await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Reports and the overdue list, of the caller's own centre.
    let (s, r) = svc.get("/v1/reports?from=2026-03-01&to=2026-04-01", "supervisor").await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["overall"]["completed"], 1);
    assert_eq!(r["by_channel"]["window"]["opened"], 1);
    let (_, r) = svc.get("/v1/reports?from=2026-03-01&to=2026-04-01", "h_supervisor").await;
    assert_eq!(r["overall"]["opened"], 0, "another centre's report counts nothing of xining");
    let (s, _) = svc.get("/v1/reports?from=2026-03-01&to=2026-04-01", "zhang").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, o) = svc.get("/v1/overdue", "supervisor").await;
    assert_eq!((s, o["cases"].clone()), (StatusCode::OK, json!([])));
    svc.stop().await;
}
on_both!(case_from_window_to_evaluation, a_case_from_window_to_evaluation);

async fn callers_see_only_what_is_theirs(db: &Db) {
    let svc = Svc::start(db, Limits { token_cache_ms: 300, ..Limits::default() }).await;
    let (_, case) = svc.post("/v1/cases", "clerk", transfer(zhang_and_li())).await;
    let id = case["id"].as_str().unwrap().to_owned();

    // No token, a made-up one, a revoked one: 401.
    let (s, p) = svc.call(Method::GET, &format!("/v1/cases/{id}"), None, None).await;
    assert_eq!((s, p["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthorized")));
    let forged = reqwest::Client::new()
        .get(format!("{}/v1/cases/{id}", svc.base))
        .bearer_auth(format!("{}x", &svc.tokens["clerk"]))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
    let clerk2_id = svc.tokens["clerk2"].split('_').nth(1).unwrap().to_owned();
    let (s, _) = svc.get(&format!("/v1/cases/{id}"), "clerk2").await;
    assert_eq!(s, StatusCode::OK);
    assert!(svc.engine.database().revoke_token(&clerk2_id, Utc::now()).await.unwrap());
    // Refused once the token cache's 300 ms have passed, without a restart.
    tokio::time::sleep(std::time::Duration::from_millis(350)).await;
    let (s, _) = svc.get(&format!("/v1/cases/{id}"), "clerk2").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "revoked without a restart");

    // Centre B's clerk on centre A's case: 404, nothing told.
    let (s, p) = svc.get(&format!("/v1/cases/{id}"), "h_clerk").await;
    assert_eq!((s, p["code"].as_str()), (StatusCode::NOT_FOUND, Some("case_not_found")));
    assert!(!p.to_string().contains("xining"), "{p}");
    let (s, p) = svc.command(&id, "h_clerk", json!({"command": "supply_materials", "materials": []})).await;
    assert_eq!((s, p["code"].as_str()), (StatusCode::NOT_FOUND, Some("case_not_found")));
    let (s, _) = svc.get(&format!("/v1/cases/{id}/history"), "h_clerk").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = svc.get(&format!("/v1/cases/{id}/verify"), "h_supervisor").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, q) = svc.get("/v1/queues/clerk", "h_clerk").await;
    assert_eq!(q["cases"], json!([]));

    // A bank token where a kiosk acts, and on another role's queue: 403.
    let (s, p) = svc
        .post(
            "/v1/cases",
            "bank",
            json!({"command": "handle_instantly", "kind": "information_query", "applicant_category": "individual",
                   "channel": "kiosk", "unit": UNIT, "applicants": [{"name": "张三", "id": ZHANG}],
                   "materials": ["identity_proof"]}),
        )
        .await;
    assert_eq!((s, p["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden_role")), "{p}");
    let (s, p) = svc.get("/v1/queues/kiosk", "bank").await;
    assert_eq!((s, p["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden_role")));
    // The applicant's 我的业务 is for applicants only.
    let (s, _) = svc.get("/v1/my/cases", "clerk").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // An applicant may not act for another applicant's case.
    let (s, p) = svc.command(&id, "wang", json!({"command": "supply_materials", "materials": []})).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{p}");
    svc.stop().await;
}
on_both!(isolation, callers_see_only_what_is_theirs);

async fn every_code_has_its_status(db: &Db) {
    let svc = Svc::start(db, Limits::default()).await;
    let expect = |what: &str, got: (StatusCode, Value), status: u16, code: &str| {
        assert_eq!((got.0.as_u16(), got.1["code"].as_str().unwrap_or("")), (status, code), "{what}: {}", got.1);
    };
    let mut bad = transfer(zhang_and_li());
    bad["kind"] = json!("castle");
    expect("unknown kind", svc.post("/v1/cases", "clerk", bad).await, 400, "unknown_kind");
    let mut bad = transfer(zhang_and_li());
    bad["unit"] = json!("63010200100");
    expect("bad unit", svc.post("/v1/cases", "clerk", bad).await, 400, "invalid_identifier");
    let mut bad = transfer(zhang_and_li());
    bad["materials"] = json!(["application_form", "love_letter"]);
    expect("unknown material", svc.post("/v1/cases", "clerk", bad).await, 400, "unknown_material");
    let mut bad = transfer(zhang_and_li());
    bad.as_object_mut().unwrap().remove("unit");
    expect("missing field", svc.post("/v1/cases", "clerk", bad).await, 400, "invalid_argument");
    let mut bad = transfer(zhang_and_li());
    bad["actor"] = json!("sup-1");
    let got = svc.post("/v1/cases", "clerk", bad).await;
    expect("actor in the body", got.clone(), 400, "invalid_argument");
    assert_eq!(got.1["field"], "actor");
    let raw = reqwest::Client::new()
        .post(format!("{}/v1/cases", svc.base))
        .bearer_auth(&svc.tokens["clerk"])
        .body("{\"command\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), StatusCode::BAD_REQUEST);
    expect(
        "a command of an existing case",
        svc.post("/v1/cases", "clerk", json!({"command": "review"})).await,
        400,
        "invalid_argument",
    );
    expect(
        "reviewer accepting",
        svc.post("/v1/cases", "reviewer", transfer(zhang_and_li())).await,
        403,
        "forbidden_role",
    );
    let mut bank = transfer(zhang_and_li());
    bank["channel"] = json!("bank");
    expect("transfer at a bank", svc.post("/v1/cases", "bank", bank).await, 403, "channel_not_allowed");
    expect(
        "not instant",
        svc.post("/v1/cases", "clerk", {
            let mut b = transfer(zhang_and_li());
            b["command"] = json!("handle_instantly");
            b
        })
        .await,
        409,
        "not_instant_kind",
    );
    expect("no case", svc.command("nope", "reviewer", json!({"command": "review"})).await, 404, "case_not_found");

    // One case by the clerk who also reviews: separation of duties.
    let (_, case) = svc.post("/v1/cases", "clerk_reviewer", transfer(zhang_and_li())).await;
    let id = case["id"].as_str().unwrap().to_owned();
    expect(
        "own review",
        svc.command(&id, "clerk_reviewer", json!({"command": "review"})).await,
        403,
        "separation_of_duties",
    );
    expect(
        "record before review",
        svc.command(&id, "registrar", json!({"command": "record"})).await,
        409,
        "invalid_transition",
    );
    expect(
        "stale version",
        svc.command(&id, "reviewer", json!({"command": "review", "expected_version": 0})).await,
        409,
        "conflict",
    );
    expect(
        "negative version",
        svc.command(&id, "reviewer", json!({"command": "review", "expected_version": -1})).await,
        400,
        "invalid_argument",
    );
    expect(
        "partial withdrawal",
        svc.command(&id, "zhang", json!({"command": "withdraw", "consenting": [ZHANG]})).await,
        409,
        "partial_withdrawal",
    );
    expect(
        "bad ground",
        svc.command(&id, "reviewer", json!({"command": "reject", "ground": "dislike", "note": "x"})).await,
        409,
        "invalid_ground",
    );
    expect(
        "huge extension",
        svc.command(&id, "supervisor", json!({"command": "extend", "working_days": 1e30, "reason": "x"})).await,
        409,
        "exceeds_statutory",
    );
    let (s, _) = svc.command(&id, "reviewer", json!({"command": "review"})).await;
    assert_eq!(s, StatusCode::OK);
    expect(
        "record with tasks open",
        svc.command(&id, "registrar", json!({"command": "record"})).await,
        409,
        "tasks_pending",
    );

    // A pledged material blocks recording.
    let mut pledged = transfer(zhang_and_li());
    pledged["materials"] = json!(TRANSFER_KEY);
    pledged["kind"] = json!("transfer_second_hand");
    let (_, case) = svc.post("/v1/cases", "clerk", pledged).await;
    assert_eq!(case["materials"]["pledged"], json!(["household_register", "marital_status_proof"]));
    let pid = case["id"].as_str().unwrap().to_owned();
    for (who, body) in [
        ("tax", json!({"command": "complete_task", "task": "tax"})),
        ("tr", json!({"command": "complete_task", "task": "transaction_filing"})),
        ("reviewer", json!({"command": "review"})),
    ] {
        assert_eq!(svc.command(&pid, who, body).await.0, StatusCode::OK);
    }
    expect(
        "pledge outstanding",
        svc.command(&pid, "registrar", json!({"command": "record"})).await,
        409,
        "materials_pending",
    );

    // A seizure by the court blocks a transfer of the unit.
    let (s, seized) = svc
        .post(
            "/v1/cases",
            "court",
            json!({"command": "handle_instantly", "kind": "seizure", "applicant_category": "organisation",
                   "channel": "court", "unit": UNIT,
                   "applicants": [{"name": "西宁中院", "id": "91630100MA7512347R"}],
                   "materials": ["court_ruling", "assistance_notice"]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{seized}");
    assert_eq!(
        svc.command(
            &pid,
            "clerk",
            json!({"command": "supply_materials", "materials": ["household_register", "marital_status_proof"]})
        )
        .await
        .0,
        StatusCode::OK
    );
    expect("unit seized", svc.command(&pid, "registrar", json!({"command": "record"})).await, 409, "unit_seized");

    // Evaluated twice.
    let (_, q) = svc
        .post(
            "/v1/cases",
            "kiosk",
            json!({"command": "handle_instantly", "kind": "information_query", "applicant_category": "individual",
                   "channel": "kiosk", "unit": UNIT, "applicants": [{"name": "张三", "id": ZHANG}],
                   "materials": ["identity_proof"]}),
        )
        .await;
    assert_eq!(q["state"], "completed", "{q}");
    let qid = q["id"].as_str().unwrap().to_owned();
    assert_eq!(svc.command(&qid, "zhang", json!({"command": "evaluate", "rating": 4})).await.0, StatusCode::OK);
    expect(
        "evaluated again",
        svc.command(&qid, "zhang", json!({"command": "evaluate", "rating": 4})).await,
        409,
        "already_evaluated",
    );

    // Calendars: a clerk may not load; bad text is 400; a supervisor's load merges.
    let csv_call = |who: &str, text: &str| {
        reqwest::Client::new()
            .post(format!("{}/v1/calendar", svc.base))
            .bearer_auth(&svc.tokens[who])
            .header("content-type", "text/csv")
            .body(text.to_owned())
    };
    let r = csv_call("clerk", "date,kind,name,source\n").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = csv_call("supervisor", "this is not a calendar").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "invalid_calendar");
    let (s, cal) = svc.get("/v1/calendar", "clerk").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(cal["years"].as_array().unwrap().len(), 11);
    svc.stop().await;
}
on_both!(codes_and_statuses, every_code_has_its_status);

async fn idempotent_repeats_and_limits(db: &Db) {
    let svc = Svc::start(
        db,
        Limits { body_bytes: 4096, requests_per_minute: 600, request_timeout_secs: 30, ..Limits::default() },
    )
    .await;
    let key = [("Idempotency-Key", "bank-2026-0001")];
    let mortgage = json!({"command": "accept", "kind": "mortgage", "applicant_category": "individual",
                          "channel": "bank", "unit": UNIT,
                          "applicants": [{"name": "张三", "id": ZHANG, "role": "obligor"},
                                         {"name": "青海银行", "id": "91630100MA7512347R", "id_type": "credit_code"}],
                          "materials": ["application_form", "identity_proof", "title_certificate", "mortgage_contract", "loan_contract"]});
    let (s1, first) = svc.call_with(Method::POST, "/v1/cases", Some("bank"), Some(mortgage.clone()), &key).await;
    assert_eq!(s1, StatusCode::CREATED, "{first}");
    let (s2, again) = svc.call_with(Method::POST, "/v1/cases", Some("bank"), Some(mortgage.clone()), &key).await;
    assert_eq!((s2, &again["id"]), (StatusCode::CREATED, &first["id"]));
    let id = first["id"].as_str().unwrap();
    let (_, h) = svc.get(&format!("/v1/cases/{id}/history"), "bank").await;
    assert_eq!(h["events"].as_array().unwrap().len(), 1, "applied once");
    let mut other = mortgage.clone();
    other["priority"] = json!("military");
    let (s, p) = svc.call_with(Method::POST, "/v1/cases", Some("bank"), Some(other), &key).await;
    assert_eq!((s.as_u16(), p["code"].as_str()), (422, Some("idempotency_key_reused")));
    // The same key from another caller is another request.
    let mut court = mortgage.clone();
    court["kind"] = json!("seizure");
    court["channel"] = json!("court");
    court["materials"] = json!(["court_ruling", "assistance_notice"]);
    court["command"] = json!("handle_instantly");
    let (s, c) = svc.call_with(Method::POST, "/v1/cases", Some("court"), Some(court), &key).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    assert_ne!(c["id"], first["id"]);
    let (s, _) = svc
        .call_with(Method::POST, "/v1/cases", Some("bank"), Some(mortgage.clone()), &[("Idempotency-Key", "")])
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    // 413 over the body limit.
    let mut big = mortgage.clone();
    big["materials"] = json!(vec!["x".repeat(100); 100]);
    let (s, p) = svc.post("/v1/cases", "bank", big).await;
    assert_eq!((s.as_u16(), p["code"].as_str()), (413, Some("body_too_large")));

    // Public routes, an unknown route.
    let (s, g) = svc.call(Method::GET, "/v1/guides", None, None).await;
    assert_eq!(s, StatusCode::OK);
    let kinds = g["kinds"].as_array().unwrap();
    assert_eq!(kinds.len(), 14);
    let (s, g) = svc.call(Method::GET, "/v1/guides/transfer_second_hand", None, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(g["limits"]["individual"]["promise"]["working_days"], 3);
    assert_eq!(g["limits"]["organisation"]["promise"]["working_days"], 5);
    assert_eq!(g["limits"]["individual"]["statutory_working_days"], 30);
    assert_eq!(g["steps"], json!(["accept", "review", "record", "issue_certificate"]));
    let (s, _) = svc.call(Method::GET, "/v1/guides/castle", None, None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, h) = svc.call(Method::GET, "/v1/health", None, None).await;
    assert_eq!((s, h["database"].as_str()), (StatusCode::OK, Some("ok")));
    let (s, _) = svc.call(Method::GET, "/v1/nothing", None, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = svc.get("/v1/queues/wizard", "clerk").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = svc.get("/v1/queues/clerk?limit=0", "clerk").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = svc.get("/v1/queues/clerk?limit=99999999999999999999999", "clerk").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = svc.get("/v1/queues/clerk?cursor=%00%01garbage", "clerk").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = svc.get("/v1/reports?from=2026-13-01&to=2026-04-01", "supervisor").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    svc.stop().await;
}
on_both!(idempotency_and_limits, idempotent_repeats_and_limits);

async fn queues_page_in_priority_order(db: &Db) {
    let svc = Svc::start(db, Limits::default()).await;
    let mut ids = Vec::new();
    for priority in ["standard", "green_channel", "military", "standard"] {
        let mut body = transfer(zhang_and_li());
        body["priority"] = json!(priority);
        let (_, c) = svc.post("/v1/cases", "clerk", body).await;
        ids.push((priority, c["id"].as_str().unwrap().to_owned()));
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/queues/reviewer?limit=3&cursor={c}"),
            None => "/v1/queues/reviewer?limit=3".to_owned(),
        };
        let (s, page) = svc.get(&path, "reviewer").await;
        assert_eq!(s, StatusCode::OK, "{page}");
        for c in page["cases"].as_array().unwrap() {
            seen.push(c["priority"].as_str().unwrap().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 4);
    assert_ne!(seen[0], "standard");
    assert_ne!(seen[1], "standard");
    assert_eq!(&seen[2..], ["standard", "standard"]);
    svc.stop().await;
}
on_both!(queues, queues_page_in_priority_order);

async fn callers_over_their_rate_get_429(db: &Db) {
    let svc = Svc::start(
        db,
        Limits { body_bytes: 4096, requests_per_minute: 60, request_timeout_secs: 30, ..Limits::default() },
    )
    .await;
    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(svc.get("/v1/calendar", "clerk").await.0.as_u16());
    }
    assert_eq!(&statuses[..6], [200; 6]);
    assert_eq!(statuses[7], 429);
    // Another token has its own rate.
    assert_eq!(svc.get("/v1/calendar", "reviewer").await.0, StatusCode::OK);
    svc.stop().await;
}
on_both!(rate_limits, callers_over_their_rate_get_429);

/// Reads Server-Sent Events from `res` until `n` alert events arrived or `wait` passed;
/// their ids and data.
async fn sse_events(res: &mut reqwest::Response, n: usize, wait: std::time::Duration) -> Vec<(u64, Value)> {
    let mut out = Vec::new();
    let mut text = String::new();
    let until = tokio::time::Instant::now() + wait;
    while out.len() < n {
        let Ok(chunk) = tokio::time::timeout_at(until, res.chunk()).await else {
            break;
        };
        let Some(chunk) = chunk.unwrap() else { break };
        text.push_str(std::str::from_utf8(&chunk).unwrap());
        while let Some(end) = text.find("\n\n") {
            let block: String = text.drain(..end + 2).collect();
            let id = block.lines().find_map(|l| l.strip_prefix("id:")).map(|v| v.trim().parse::<u64>().unwrap());
            let data =
                block.lines().find_map(|l| l.strip_prefix("data:")).map(|v| serde_json::from_str(v.trim()).unwrap());
            if let (Some(id), Some(data)) = (id, data) {
                out.push((id, data));
            }
        }
    }
    out
}

async fn open_stream(svc: &Svc, who: &str, last: Option<u64>) -> reqwest::Response {
    let mut req = svc.http.get(format!("{}/v1/alerts/stream", svc.base)).bearer_auth(&svc.tokens[who]);
    if let Some(id) = last {
        req = req.header("Last-Event-ID", id.to_string());
    }
    req.send().await.unwrap()
}

async fn alert_stream_resumes(db: &Db) {
    let svc = Svc::start(db, Limits::default()).await;
    let mut live = open_stream(&svc, "supervisor", None).await;
    assert_eq!(live.status(), StatusCode::OK);
    assert!(live.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    let mut other = open_stream(&svc, "h_supervisor", Some(0)).await;
    let (s, _) = svc.post("/v1/cases", "clerk", transfer(zhang_and_li())).await;
    assert_eq!(s, StatusCode::CREATED);
    // Everything comes due: a warning and a breach on each clock.
    svc.clock.set(at("2026-06-01T10:00:00+08:00"));
    let first = sse_events(&mut live, 2, std::time::Duration::from_secs(20)).await;
    assert_eq!(first.len(), 2, "{first:?}");
    assert_eq!(first[0].1["level"], "warning");
    assert!(first[0].1["due_at"].as_str().unwrap().ends_with("+08:00"));
    drop(live);
    // Resumed after the second: the two it missed, nothing twice.
    let mut resumed = open_stream(&svc, "supervisor", Some(first[1].0)).await;
    let rest = sse_events(&mut resumed, 2, std::time::Duration::from_secs(20)).await;
    assert_eq!(rest.len(), 2, "{rest:?}");
    assert!(rest.iter().all(|(id, _)| *id > first[1].0));
    let mut all: Vec<u64> = first.iter().chain(&rest).map(|(id, _)| *id).collect();
    all.dedup();
    assert_eq!(all.len(), 4);
    // Another centre's stream carries none of them.
    assert!(sse_events(&mut other, 1, std::time::Duration::from_millis(1500)).await.is_empty());
    // Applicants and channel systems do not follow a centre's alerts.
    let (s, _) = svc.get("/v1/alerts/stream", "zhang").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = svc.get("/v1/alerts/stream", "bank").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let bad = svc
        .http
        .get(format!("{}/v1/alerts/stream", svc.base))
        .bearer_auth(&svc.tokens["supervisor"])
        .header("Last-Event-ID", "yesterday")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    svc.stop().await;
}
on_both!(alert_stream, alert_stream_resumes);

/// One request a webhook receiver got: the status it answered, the alert id, the
/// signature header and the body.
type Received = (u16, u64, String, String);

/// A webhook receiver that fails its first `failures` requests.
#[derive(Clone, Default)]
struct Receiver {
    seen: std::sync::Arc<std::sync::Mutex<Vec<Received>>>,
}

async fn webhook_receiver(failures: usize) -> (String, Receiver) {
    use axum::http::HeaderMap as H;
    let rec = Receiver::default();
    let r = rec.clone();
    let app = axum::Router::new().route(
        "/alerts",
        axum::routing::post(move |headers: H, body: String| {
            let r = r.clone();
            async move {
                let mut seen = r.seen.lock().unwrap();
                let status = if seen.len() < failures { 500 } else { 200 };
                let id = headers["x-regflow-alert-id"].to_str().unwrap().parse().unwrap();
                let sig = headers["x-regflow-signature"].to_str().unwrap().to_owned();
                seen.push((status, id, sig, body));
                axum::http::StatusCode::from_u16(status).unwrap()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/alerts", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, rec)
}

fn hmac_hex(secret: &str, body: &str) -> String {
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body.as_bytes());
    let bytes = mac.finalize().into_bytes();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

async fn webhooks_retry_until_taken(db: &Db) {
    const SECRET: &str = "a shared secret of some length";
    let (url, rec) = webhook_receiver(2).await;
    let config = Config {
        listen: "127.0.0.1:0".into(),
        webhooks: vec![regflow_server::config::WebhookConfig {
            name: "desk".into(),
            url,
            secret: SECRET.into(),
            centre: Some("xining".into()),
            retry_initial_ms: 50,
        }],
        ..Config::default()
    };
    let svc = Svc::start_with(db, config).await;
    let (s, _) = svc.post("/v1/cases", "clerk", transfer(zhang_and_li())).await;
    assert_eq!(s, StatusCode::CREATED);
    svc.clock.set(at("2026-06-01T10:00:00+08:00"));
    let until = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let ok = rec.seen.lock().unwrap().iter().filter(|s| s.0 == 200).count();
        if ok >= 4 || tokio::time::Instant::now() > until {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let seen = rec.seen.lock().unwrap().clone();
    let failed: Vec<_> = seen.iter().filter(|s| s.0 == 500).collect();
    let taken: Vec<_> = seen.iter().filter(|s| s.0 == 200).collect();
    assert_eq!(failed.len(), 2);
    assert_eq!(taken.len(), 4, "each alert taken once: {seen:?}");
    // The first alert was retried until taken; the ids are in order and distinct.
    assert_eq!(failed[0].1, failed[1].1);
    assert_eq!(taken[0].1, failed[0].1);
    assert!(taken.windows(2).all(|w| w[0].1 < w[1].1));
    for (_, id, sig, body) in &seen {
        assert_eq!(sig, &format!("sha256={}", hmac_hex(SECRET, body)), "alert {id}");
        let doc: Value = serde_json::from_str(body).unwrap();
        assert_eq!(doc["id"], json!(id));
        assert_eq!(doc["centre"], "xining");
    }
    svc.stop().await;
}
on_both!(webhooks, webhooks_retry_until_taken);

async fn metrics_count_commands_and_read_the_database(db: &Db) {
    let svc = Svc::start(db, Limits::default()).await;
    let (s, case) = svc.post("/v1/cases", "clerk", transfer(zhang_and_li())).await;
    assert_eq!(s, StatusCode::CREATED);
    let id = case["id"].as_str().unwrap();
    let (s, _) = svc.command(id, "registrar", json!({"command": "record"})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    svc.clock.set(at("2026-06-01T10:00:00+08:00"));
    let until = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    let text = loop {
        let res = svc.http.get(format!("{}/metrics", svc.base)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let text = res.text().await.unwrap();
        if text.contains("regflow_alerts_fired_total 4") || tokio::time::Instant::now() > until {
            break text;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    for line in [
        "regflow_commands_total{command=\"accept\",outcome=\"ok\"} 1",
        "regflow_commands_total{command=\"record\",outcome=\"invalid_transition\"} 1",
        "regflow_command_duration_seconds_count{command=\"accept\"} 1",
        "regflow_alerts_fired_total 4",
        "regflow_open_cases{state=\"accepted\"} 1",
        "regflow_delivery_backlog{consumer=\"handler\"} 0",
        "regflow_pool_connections{connections=\"max\"}",
    ] {
        assert!(text.contains(line), "no `{line}` in:\n{text}");
    }
    assert!(text.trim_end().ends_with("# EOF"));
    assert_eq!(text.matches("# EOF").count(), 1);
    svc.stop().await;
}
on_both!(metrics, metrics_count_commands_and_read_the_database);

async fn the_document_describes_the_routes(db: &Db) {
    let svc = Svc::start(db, Limits::default()).await;
    let (s, doc) = svc.call(Method::GET, "/v1/openapi.json", None, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    assert_eq!(paths.len(), 16);
    // Every documented path is a route (the fallback answers `not_found` for the rest).
    for (path, ops) in paths {
        if path == "/v1/alerts/stream" {
            continue;
        }
        let concrete = path.replace("{id}", "nope").replace("{kind}", "change").replace("{role}", "clerk");
        for method in ops.as_object().unwrap().keys() {
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let (_, body) = svc.call(m, &concrete, Some("clerk"), None).await;
            assert_ne!(body["code"], "not_found", "{method} {path} is documented but not routed");
        }
    }
    // Every command a caller may send has a body schema, with exactly the fields it reads.
    let bodies = doc["components"]["schemas"]["CaseCommand"]["oneOf"].as_array().unwrap();
    for name in regflow_process::wire::COMMANDS {
        let body = bodies
            .iter()
            .find(|b| b["properties"]["command"]["const"] == name.as_str())
            .unwrap_or_else(|| panic!("no schema for {name}"));
        let fields: Vec<&String> = body["properties"].as_object().unwrap().keys().collect();
        assert_eq!(fields.len(), regflow_process::wire::fields_of(*name).len() + 2, "{name}: {fields:?}");
    }
    svc.stop().await;
}
on_both!(openapi_document, the_document_describes_the_routes);

/// Signs `who` in to the pages at `area` the way a browser does; the `Cookie` header.
async fn page_session(svc: &Svc, who: &str, area: &str) -> String {
    let plain = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let res = plain.get(format!("{}{area}", svc.base)).send().await.unwrap();
    let cookie_of = |res: &reqwest::Response, name: &str| {
        res.headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(|v| v.split(';').next().unwrap().to_owned())
    };
    let csrf_cookie = cookie_of(&res, "regflow_csrf").expect("a CSRF cookie");
    let html = res.text().await.unwrap();
    let start = html.find("name=\"csrf\" value=\"").unwrap() + "name=\"csrf\" value=\"".len();
    let csrf = &html[start..start + 64];
    let res = plain
        .post(format!("{}/login", svc.base))
        .header("cookie", &csrf_cookie)
        .form(&[("csrf", csrf), ("token", svc.tokens[who].as_str()), ("next", area)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let session = cookie_of(&res, "regflow_session").expect("a session cookie");
    format!("{csrf_cookie}; {session}")
}

async fn workbench_alerts_arrive_live(db: &Db) {
    let svc = Svc::start(db, Limits::default()).await;
    let cookie = page_session(&svc, "reviewer", "/staff").await;
    let mut live = svc.http.get(format!("{}/staff/alerts", svc.base)).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(live.status(), StatusCode::OK);
    let (s, case) = svc.post("/v1/cases", "clerk", transfer(zhang_and_li())).await;
    assert_eq!(s, StatusCode::CREATED);
    svc.clock.set(at("2026-06-01T10:00:00+08:00"));
    let got = sse_events(&mut live, 4, std::time::Duration::from_secs(20)).await;
    assert_eq!(got.len(), 4, "{got:?}");
    assert!(got.iter().all(|(_, a)| a["case"] == case["id"]));
    assert_eq!(got[0].1["case_url"], json!(format!("/staff/cases/{}", case["id"].as_str().unwrap())));
    // A session cookie with its signature changed is no session.
    let forged = cookie.replace("regflow_session=", "regflow_session=x");
    let res = svc.http.get(format!("{}/staff/alerts", svc.base)).header("cookie", forged).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // The page shows the case to the reviewer; an applicant's session cannot open /staff pages.
    let page = svc
        .http
        .get(format!("{}/staff/cases/{}", svc.base, case["id"].as_str().unwrap()))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.headers()["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
    let html = page.text().await.unwrap();
    assert!(html.contains("data-command=\"review\""), "the reviewer may review");
    let applicant = page_session(&svc, "zhang", "/").await;
    let staff_page = svc
        .http
        .get(format!("{}/staff/cases/{}", svc.base, case["id"].as_str().unwrap()))
        .header("cookie", &applicant)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(staff_page.contains("name=\"token\""), "an applicant is asked to sign in as staff");
    svc.stop().await;
}
on_both!(workbench_alerts, workbench_alerts_arrive_live);

/// Posts the kiosk's query form as the signed-in kiosk; the page's HTML.
async fn kiosk_query(svc: &Svc, cookie: &str) -> String {
    let page = svc.http.get(format!("{}/kiosk", svc.base)).header("cookie", cookie).send().await.unwrap();
    let page = page.text().await.unwrap();
    let start = page.find("name=\"csrf\" value=\"").unwrap() + "name=\"csrf\" value=\"".len();
    let csrf = page[start..start + 64].to_owned();
    let form = [
        ("csrf", csrf.as_str()),
        ("name", "张三"),
        ("id", ZHANG),
        ("unit", "630102004010GB00087F00010088"),
        ("applicant_category", "individual"),
    ];
    let res = svc.http.post(format!("{}/kiosk", svc.base)).header("cookie", cookie).form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.text().await.unwrap()
}

async fn kiosk_answers_the_catalogues_kiosk_kind(db: &Db) {
    let svc = Svc::start(db, Limits::default()).await;
    let cookie = page_session(&svc, "kiosk", "/kiosk").await;
    let html = kiosk_query(&svc, &cookie).await;
    let start = html.find("案件号 ").unwrap_or_else(|| panic!("a case number on the page: {html}")) + "案件号 ".len();
    let id = &html[start..html[start..].find('。').unwrap() + start];
    let case = svc.engine.case(&CaseId::new(id)).await.unwrap().expect("the kiosk's case").case;
    assert_eq!((case.kind().as_str(), case.intake().channel.as_str()), ("information_query", "kiosk"));
    assert_eq!(case.materials().len(), 1, "the query's one material");
    svc.stop().await;
    // A centre whose catalogue opens nothing on the kiosk is told so, and nothing is opened.
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../regflow-process/data/catalogue.toml"))
        .unwrap()
        .replace("channels = [\"kiosk\"]", "channels = []");
    let svc = Svc::start_on(
        db,
        Config { listen: "127.0.0.1:0".into(), ..Config::default() },
        Catalogue::from_toml(&text).unwrap(),
    )
    .await;
    let cookie = page_session(&svc, "kiosk", "/kiosk").await;
    let cases = svc.engine.case_ids(None, 100).await.unwrap();
    let html = kiosk_query(&svc, &cookie).await;
    assert!(html.contains("the catalogue opens no kind on the kiosk channel"), "{html}");
    assert_eq!(svc.engine.case_ids(None, 100).await.unwrap(), cases);
    svc.stop().await;
}
on_both!(kiosk_page, kiosk_answers_the_catalogues_kiosk_kind);
