//! What every test of the service shares: a running service with tokens for the people
//! of two centres, a client that checks every failure is a problem document, and the
//! bodies tests send.

#![allow(dead_code)]

pub use chrono::{DateTime, Utc};
pub use regflow_executor::{Engine, ManualClock};
pub use regflow_process::catalogue::Catalogue;
pub use regflow_process::{Actor, CaseId, Centre, CentreId, Role};
pub use regflow_server::config::{Config, Limits};
pub use regflow_server::Server;
pub use reqwest::{Method, StatusCode};
pub use serde_json::{json, Value};
pub use std::collections::BTreeMap;

pub const ZHANG: &str = "630102198503120015";
pub const LI: &str = "630102199211080028";
pub const WANG: &str = "630102198001010035";
pub const UNIT: &str = "630102001001GB00001F00010001";
/// A second-hand transfer's key materials, and the ones it may pledge.
pub const TRANSFER_KEY: [&str; 4] = ["application_form", "identity_proof", "title_certificate", "sale_contract"];
pub const TRANSFER_OTHER: [&str; 2] = ["marital_status_proof", "household_register"];

pub use regflow_executor::testing::TestDb as Db;

/// A running service with tokens for the people of two centres.
pub struct Svc {
    pub base: String,
    pub http: reqwest::Client,
    pub tokens: BTreeMap<&'static str, String>,
    pub engine: Engine,
    pub clock: ManualClock,
    pub stop: Option<tokio::sync::oneshot::Sender<()>>,
}

pub fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

impl Svc {
    pub async fn start(db: &Db, limits: Limits) -> Svc {
        Svc::start_with(db, Config { listen: "127.0.0.1:0".into(), limits, ..Config::default() }).await
    }

    pub async fn start_with(db: &Db, config: Config) -> Svc {
        Svc::start_on(db, config, Catalogue::builtin()).await
    }

    pub async fn start_on(db: &Db, config: Config, catalogue: Catalogue) -> Svc {
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
            ("reporter", Actor::new("adapter-1", [Role::Reporter], x.clone()), None),
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

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        who: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        self.call_with(method, path, who, body, &[]).await
    }

    pub async fn call_with(
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

    pub async fn post(&self, path: &str, who: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(who), Some(body)).await
    }

    pub async fn get(&self, path: &str, who: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, Some(who), None).await
    }

    pub async fn command(&self, id: &str, who: &str, body: Value) -> (StatusCode, Value) {
        self.post(&format!("/v1/cases/{id}/commands"), who, body).await
    }

    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

pub fn transfer(applicants: Value) -> Value {
    json!({"command": "accept", "kind": "transfer_second_hand", "applicant_category": "individual",
           "channel": "window", "unit": UNIT, "applicants": applicants, "materials": ([&TRANSFER_KEY[..], &TRANSFER_OTHER].concat())})
}

pub fn zhang_and_li() -> Value {
    json!([{"name": "张三", "id": ZHANG}, {"name": "李四", "id": LI}])
}
