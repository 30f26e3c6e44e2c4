//! Test support: one suite, run on SQLite and, when `REGFLOW_PG_URL` is set, PostgreSQL.

use chrono::{DateTime, Utc};
use regflow_executor::{Engine, ManualClock};
use regflow_process::{
    Actor, ApplicantCategory, ApplicantInput, Centre, CentreId, Channel, Command, IntakeInput, Role,
};

pub const ZHANG: &str = "630102198503120015";
pub const LI: &str = "630102199211080028";
pub const UNIT: &str = "630102001001GB00001F00010001";

/// A fresh database of either backend: the harness every regflow crate's tests share.
pub use regflow_executor::testing::TestDb as Db;

pub fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

pub fn xining() -> CentreId {
    CentreId::new("xining")
}

pub async fn engine(db: &Db, clock: &ManualClock) -> Engine {
    engine_of(db, clock, &["xining"]).await
}

/// An engine serving the centres named, on `clock`.
pub async fn engine_of(db: &Db, clock: &ManualClock, centres: &[&str]) -> Engine {
    let mut builder = Engine::builder(&db.url).clock(clock.clone());
    for centre in centres {
        builder = builder.centre(Centre::new(*centre));
    }
    builder.build().await.unwrap()
}

/// An engine serving `xining` on `clock`, signing with a new key of `algorithm`; and the
/// key's public half.
pub async fn engine_signing(
    db: &Db,
    clock: &ManualClock,
    algorithm: regflow_executor::signing::Algorithm,
) -> (Engine, regflow_executor::signing::PublicKey) {
    let key = regflow_executor::signing::SigningKey::generate(algorithm).unwrap();
    let public = key.public().clone();
    let engine = Engine::builder(&db.url)
        .clock(clock.clone())
        .centre(Centre::new("xining"))
        .signing_key(xining(), key)
        .build()
        .await
        .unwrap();
    (engine, public)
}

pub fn staff(id: &str, role: Role) -> Actor {
    Actor::new(id, [role], xining())
}

pub fn applicant(id: &str) -> Actor {
    Actor::applicant(id, xining())
}

pub fn intake(kind: &str, channel: Channel) -> IntakeInput {
    let applicants = vec![ApplicantInput::new("张三", ZHANG), ApplicantInput::new("李四", LI)];
    IntakeInput::new(kind, ApplicantCategory::Individual, applicants, UNIT, channel)
}

pub fn all_materials(engine: &Engine, kind: &str) -> Vec<String> {
    engine.catalogue().get(kind).unwrap().applicant_material_ids(None)
}

pub fn accept(engine: &Engine, kind: &str, channel: Channel) -> Command {
    Command::Accept { intake: Some(intake(kind, channel)), materials: all_materials(engine, kind) }
}

/// Opens a change registration at the window as `clerk-1`.
pub async fn open_change(engine: &Engine, id: &regflow_process::CaseId) -> regflow_executor::Executed {
    let req =
        regflow_executor::Request::to(id, staff("clerk-1", Role::Clerk), accept(engine, "change", Channel::Window));
    engine.execute(req).await.unwrap()
}

/// Reviews, records and issues a case with `rev-1`, `reg-1` and `clerk-2`.
pub async fn review_record_issue(engine: &Engine, id: &regflow_process::CaseId) -> regflow_executor::Executed {
    let steps = [
        (staff("rev-1", Role::Reviewer), Command::Review),
        (staff("reg-1", Role::Registrar), Command::Record),
        (staff("clerk-2", Role::Clerk), Command::IssueCertificate),
    ];
    let mut last = None;
    for (actor, command) in steps {
        last = Some(engine.execute(regflow_executor::Request::to(id, actor, command)).await.unwrap());
    }
    last.expect("three steps")
}

/// Accepts, reviews and records a case of `kind` on `unit` (a mortgage at the bank, the
/// rest at the window), its tasks done.
pub async fn carry(
    engine: &Engine,
    label: &str,
    kind: &str,
    unit: &str,
    parties: Vec<ApplicantInput>,
) -> regflow_process::CaseId {
    let id = regflow_process::CaseId::new(label);
    let (channel, opener) = if kind == "mortgage" {
        (Channel::Bank, staff("bank-1", Role::Bank))
    } else {
        (Channel::Window, staff("clerk-1", Role::Clerk))
    };
    let intake = IntakeInput::new(kind, ApplicantCategory::Individual, parties, unit, channel);
    let accept = Command::Accept { intake: Some(intake), materials: all_materials(engine, kind) };
    engine.execute(regflow_executor::Request::to(&id, opener, accept)).await.unwrap();
    for task in engine.catalogue().get(kind).unwrap().tasks.clone() {
        let officer = if task == regflow_process::Task::Tax {
            staff("tax-1", Role::TaxOfficer)
        } else {
            staff("tr-1", Role::TransactionOfficer)
        };
        engine.execute(regflow_executor::Request::to(&id, officer, Command::task_succeeded(task))).await.unwrap();
    }
    engine.execute(regflow_executor::Request::to(&id, staff("rev-1", Role::Reviewer), Command::Review)).await.unwrap();
    engine.execute(regflow_executor::Request::to(&id, staff("reg-1", Role::Registrar), Command::Record)).await.unwrap();
    id
}

/// Runs `sql` on the engine's database behind its back (a tampering).
pub async fn raw(engine: &Engine, sql: &str) {
    if let Some(pool) = engine.sqlite_pool() {
        sqlx::query(sql).execute(pool).await.unwrap();
    } else if let Some(pool) = engine.postgres_pool() {
        sqlx::query(sql).execute(pool).await.unwrap();
    }
}

/// A small deterministic generator (xorshift), so a seed replays a run.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// `var` from the environment as a number, or `default`.
pub fn env_or(var: &str, default: u64) -> u64 {
    std::env::var(var).ok().and_then(|s| s.parse().ok()).unwrap_or(default)
}

/// A seed from `var`, or one from the clock (printed by the caller, so a run replays).
pub fn seed_from_env(var: &str) -> u64 {
    let clock = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64;
    env_or(var, clock)
}

/// The court's seizure of UNIT, handled on the spot (an entry and its reports).
pub async fn seize(engine: &Engine) {
    let seizure = IntakeInput::new(
        "seizure",
        ApplicantCategory::Individual,
        vec![ApplicantInput::new("张三", ZHANG)],
        UNIT,
        Channel::Court,
    );
    let cmd = Command::HandleInstantly { intake: seizure, materials: all_materials(engine, "seizure") };
    engine.execute(regflow_executor::Request::new(staff("court-1", Role::Court), cmd)).await.unwrap();
}
