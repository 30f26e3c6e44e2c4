//! A month of a registration centre, simulated through the engine: behind the
//! `xining_1113` and `reform_history` examples and `regflow simulate`.
//!
//! Everything random comes from one seeded generator, so a seed gives the same month.
//! The assumptions are in [`Config`] and [`ASSUMPTIONS`].

use crate::table;
use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, Utc};
use regflow_executor::{Engine, IgnoreAlerts, ManualClock, Report, ReportFilter, Request};
use regflow_process::case::{SuspensionCause, TaskStatus};
use regflow_process::catalogue::Task;
use regflow_process::{
    queue_order, Actor, ApplicantCategory, ApplicantInput, Case, CaseId, Centre, CentreId, Channel, Command, ErrorCode,
    IdType, IntakeInput, OfficeHours, PartyRole, PolicyTimeline, Priority, Promise, Role, State, TaskOutcome,
    WorkQueue,
};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// What the simulation assumes, printed with its results.
pub const ASSUMPTIONS: &str = "\
Assumptions (every figure below comes from these, not from Xining's data):
- arrivals on working days 09:00-17:00, mean --per-day cases: second-hand transfers 24%, mortgages 15%,
  new-commercial transfers 13%, information queries 12%, mortgage cancellations 10%, changes 6%,
  cancellations 4%, advance notices 4%, first registrations 3%, seizures 3%, corrections 2%,
  homestead first registrations 2%, objections 1%, seizure releases 1%;
- 80% individuals, 20% organisations; 5% green channel, 2% military;
- channels: mortgages and their cancellations 70% at bank branches, queries 80% at kiosks, seizures and
  releases from courts, other kinds 18% online (apply, pre-review, one visit), 2% home visits, else the window;
- materials: 86% complete, 8% missing a non-key one (pledged, brought 1-2 working days later),
  6% missing a key one (not accepted, everything missing listed at once);
- arrivals within the same ten minutes are taken together, at the start of them;
- staff for up to 60 arrivals a day: 4 clerks (40 certificates a day each), 3 reviewers (30 cases a day
  each), 2 registrars (45), 2 tax and 2 transaction officers (60), 1 supervisor; each team grows in
  proportion to --per-day beyond 60; they work on working days and take their queue in priority order;
- pace: a case is reviewed once a third of its promise has run and recorded at two thirds (8% slip a
  working day), and issued on the promise's last day (20% a day early, 3% a day late); departments finish
  their task the next working day (3% fail once and succeed a day later);
- 3% of reviews suspend for an appraisal of 2-4 working days; 2% are rejected; 1% of cases are withdrawn;
  homestead registrations run their 15-working-day public notice; 60% of finished cases are evaluated.";

/// Told how far a run has got: days simulated, days in all, cases so far.
pub type Progress = std::sync::Arc<dyn Fn(u64, u64, u64) + Send + Sync>;

/// How to simulate.
#[derive(Clone)]
pub struct Config {
    /// The random seed.
    pub seed: u64,
    /// The first day simulated.
    pub start: NaiveDate,
    /// Calendar days simulated (arrivals stop then; work goes on until every case has had
    /// time to finish, and the figures are taken at the end of the arrival period plus the
    /// statutory limit at most).
    pub days: u32,
    /// Mean arrivals per working day.
    pub per_day: u32,
    /// The database URL; `None`: a temporary SQLite file, removed with the [`Outcome`]
    /// (the cases stay on disk, so memory stays flat however long the run).
    pub database: Option<String>,
    /// The policies the centre works under.
    pub policies: PolicyTimeline,
    /// Called as the run moves from day to day.
    pub progress: Option<Progress>,
    /// Centres simulated side by side, each in a temporary SQLite file of its own, sharing
    /// `per_day` between them (a province of centres; 1: one centre). More than one needs
    /// `database` to be `None`.
    pub centres: u32,
}

impl Config {
    /// The arrival period: its first instant (midnight UTC of `start`) and the day after
    /// its last.
    fn period(&self) -> (DateTime<Utc>, NaiveDate) {
        (self.start.and_hms_opt(0, 0, 0).expect("midnight").and_utc(), self.start + Days::new(u64::from(self.days)))
    }
}

/// The arrivals of a run as the command line gives them (`--seed`, `--month`, `--days`,
/// `--per-day`), shared by the examples and `regflow simulate`.
#[derive(clap::Args, Debug, Clone)]
pub struct Arrivals {
    /// The random seed: the same seed gives the same arrivals.
    #[arg(long, default_value_t = 1113)]
    pub seed: u64,
    /// The month simulated, YYYY-MM.
    #[arg(long, default_value = "2026-03", value_parser = month_start)]
    pub month: NaiveDate,
    /// Calendar days of arrivals (default: the whole month).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=366))]
    pub days: Option<u32>,
    /// Mean arrivals per working day.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u32).range(1..=5000))]
    pub per_day: u32,
    /// Centres simulated side by side, each in a temporary database of its own, sharing
    /// --per-day between them; their figures are reported together.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub centres: u32,
}

impl Arrivals {
    /// The run of these arrivals under `policies`, in `database` (`None`: a temporary
    /// SQLite file), without progress reports.
    pub fn config(&self, database: Option<String>, policies: PolicyTimeline) -> Config {
        Config {
            seed: self.seed,
            start: self.month,
            days: self.days.unwrap_or_else(|| days_in_month(self.month)),
            per_day: self.per_day,
            database,
            policies,
            progress: None,
            centres: self.centres,
        }
    }
}

/// What a run produced.
pub struct Outcome {
    /// The centres' engines, for further queries (one per centre).
    pub engines: Vec<Engine>,
    /// The centre's hours.
    pub hours: OfficeHours,
    /// The SPEC 7 report over the cases opened in the period.
    pub report: Report,
    /// When the figures were taken.
    pub end: DateTime<Utc>,
    /// Working days used by completed, non-instant cases, per category.
    pub days_used: BTreeMap<ApplicantCategory, Vec<u32>>,
    /// Completed instant cases and how many of them within their window.
    pub instant: (u64, u64),
    /// Cases opened per channel.
    pub channels: BTreeMap<Channel, u64>,
    /// The overdue list at the close of the arrival period's last day.
    pub overdue_at_close: Vec<regflow_executor::Overdue>,
    /// That close.
    pub close: DateTime<Utc>,
    /// Commands the engine refused, by code (a database failure counts under `None`).
    pub refusals: BTreeMap<Option<ErrorCode>, u64>,
    /// The temporary databases, removed when the outcome is dropped (after the engines).
    _scratch: Vec<Scratch>,
}

impl Outcome {
    /// Exits with status 1, saying why, when the run accepted no case at all (a month
    /// before the first policy, a calendar the engine cannot compute with…): figures over
    /// nothing would mislead.
    pub fn exit_unless_something_was_accepted(&self, what: &str) {
        if self.report.overall.accepted == 0 {
            eprintln!(
                "{what}: no case was accepted out of {} opened; refusals by code: {}",
                self.report.overall.opened,
                self.refusal_summary()
            );
            std::process::exit(1);
        }
    }

    /// The report's heading: the month, the seed, the arrival rate and the assumptions.
    pub fn heading(cfg: &Config) -> String {
        let centres = if cfg.centres > 1 {
            format!(", {} 个中心并行 centres side by side (各分其一 each a share)", cfg.centres)
        } else {
            String::new()
        };
        format!(
            "regflow — 西宁“高效1113”模拟 Xining 1113: {} 天 days from {}, 种子 seed {}, 每工作日平均 {} 件 arrivals a working day{centres}\n{ASSUMPTIONS}\n\n",
            cfg.days, cfg.start, cfg.seed, cfg.per_day
        )
    }

    /// The run's figures as text, in Chinese with the English ids: outcomes, suspensions
    /// and evaluations, channels, refusals, the table per applicant category, instant
    /// kinds and the overdue list.
    pub fn summary(&self) -> String {
        let r = &self.report;
        let o = &r.overall;
        let mut s = String::new();
        let _ = writeln!(s, "{}", table::outcome_line(o));
        let _ = writeln!(
            s,
            "中止 suspended {}, 延期 extended {}; 评价 evaluations {} (平均 average {} 分)",
            o.suspended,
            o.extended,
            o.evaluations,
            table::num(o.average_rating)
        );
        let channels: Vec<String> = self.channels.iter().map(|(c, n)| format!("{c} {n}")).collect();
        let _ = writeln!(s, "渠道 channels: {}", channels.join(", "));
        let _ = writeln!(s, "被拒绝的操作 commands refused, by code: {}\n", self.refusal_summary());
        let _ = writeln!(
            s,
            "按申请人类别 per applicant category (办理用时: 已按工作日办结的案件 time used: cases completed in working days):"
        );
        let mut rows: Vec<(String, &regflow_executor::Figures)> =
            r.by_category.iter().map(|(c, f)| (format!("{} {c}", table::category_zh(*c)), f)).collect();
        rows.push(("合计 all".into(), o));
        s.push_str(&table::figures_table("类别 category", rows));
        let _ = writeln!(
            s,
            "(改革报告 the reform reported: 较法定时限缩短 86% below the statutory limit — 个人 individuals 90%, 单位 organisations 83%)\n"
        );
        let _ = writeln!(
            s,
            "即时办结类 instant kinds (查询、查封、解封、注销、抵押注销): {} 件当场办结 handled on the spot, {} 件在30分钟内 within the 30-minute window",
            self.instant.0, self.instant.1
        );
        let _ = writeln!(
            s,
            "到 {} 仍超期 still overdue then: {}; 到达期最后一天下班时 at the close of {}: {}",
            self.hours.format(self.end),
            r.overdue.len(),
            self.hours.format(self.close),
            self.overdue_at_close.len()
        );
        for o in self.overdue_at_close.iter().take(20) {
            if let Some(d) = o.case.deadlines() {
                let _ = writeln!(
                    s,
                    "  {} {:<28} {:<12} {:<10} 承诺期 promise due {}  {:?}",
                    o.case.id(),
                    o.case.kind(),
                    o.case.intake().category,
                    o.case.state(),
                    self.hours.format(d.promise.due_at),
                    o.clocks
                );
            }
        }
        s
    }

    /// The refusals as one line, most frequent first: `invalid_transition 12, …`.
    pub fn refusal_summary(&self) -> String {
        let mut rows: Vec<(&Option<ErrorCode>, &u64)> = self.refusals.iter().collect();
        rows.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        if rows.is_empty() {
            return "none".into();
        }
        rows.iter()
            .map(|(code, n)| match code {
                Some(c) => format!("{c} {n}"),
                None => format!("database error {n}"),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

const KINDS: [(&str, u32); 14] = [
    ("transfer_second_hand", 24),
    ("mortgage", 15),
    ("transfer_new_commercial", 13),
    ("information_query", 12),
    ("mortgage_cancellation", 10),
    ("change", 6),
    ("cancellation", 4),
    ("advance_notice", 4),
    ("first_registration", 3),
    ("seizure", 3),
    ("correction", 2),
    ("first_registration_homestead", 2),
    ("objection", 1),
    ("seizure_release", 1),
];

/// Resident ID numbers and credit codes to draw applicants from (all valid).
const PEOPLE: [&str; 6] = [
    "630102198503120015",
    "630102199211080028",
    "630104197001010017",
    "630105198807150023",
    "632122196512240012",
    "630103199903030033",
];

fn check_resident(body: &str) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body.bytes().zip(W).map(|(b, w)| u32::from(b - b'0') * w).sum();
    format!("{body}{}", b"10X98765432"[(sum % 11) as usize] as char)
}

/// A valid resident ID number for person `n`.
fn person(n: u64) -> String {
    let base = PEOPLE[(n % PEOPLE.len() as u64) as usize];
    check_resident(&format!("{}{:03}", &base[..14], n % 1000))
}

/// A valid unified social credit code for organisation `n`.
fn organisation(n: u64) -> String {
    const CS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let org_body = format!("{:08}", 10_000_000 + n % 89_999_999);
    const OW: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
    let s: u32 = org_body.bytes().zip(OW).map(|(b, w)| u32::from(b - b'0') * w).sum();
    let c9 = match 11 - s % 11 {
        10 => 'X',
        11 => '0',
        d => char::from(b'0' + d as u8),
    };
    let first17 = format!("91630100{org_body}{c9}");
    const W: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
    let sum: u32 = first17
        .bytes()
        .zip(W)
        .map(|(b, w)| CS.iter().position(|c| *c == b).expect("credit code charset") as u32 * w)
        .sum();
    format!("{first17}{}", CS[((31 - sum % 31) % 31) as usize] as char)
}

fn unit(n: u64) -> String {
    format!("630102{:03}{:03}GB{:05}F{:08}", 1 + n % 7, 1 + n % 13, n % 100_000, 10_001 + n % 900)
}

/// Minutes between two waves of arrivals: everyone who arrived in the same ten minutes is
/// taken in one batch at the start of them.
const WAVE_MINUTES: u32 = 10;

/// Something to do at an instant.
#[derive(Debug, Clone)]
enum Action {
    Arrive(u64),
    PreReview(u64),
    Amend(u64),
    Visit(u64),
    Supply(u64),
    Withdraw(u64),
    Resume(u64),
    /// The applicant (who may no longer have an open case) rates it.
    Evaluate(u64, Actor),
    Tasks,
    Review,
    Record,
    Issue,
}

/// An action in the plan, taken in time order (first planned first at the same instant).
struct Planned {
    at: DateTime<Utc>,
    seq: u64,
    action: Action,
}

impl PartialEq for Planned {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}

impl Eq for Planned {}

impl PartialOrd for Planned {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Planned {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.at, self.seq).cmp(&(other.at, other.seq))
    }
}

/// How many people work at the centre: the base team for up to 60 arrivals a working day,
/// grown in proportion beyond.
#[derive(Debug, Clone, Copy)]
struct Staff {
    clerks: u32,
    reviewers: u32,
    registrars: u32,
    /// Tax officers, and as many transaction officers.
    officers: u32,
}

impl Staff {
    fn for_arrivals(per_day: u32) -> Staff {
        let scaled = |base: u32| (base * per_day).div_ceil(60).max(base);
        Staff { clerks: scaled(4), reviewers: scaled(3), registrars: scaled(2), officers: scaled(2) }
    }
}

/// A case the simulation still follows: what arrived, the case as the engine last
/// returned it, and each step's drawn deviation from its planned day.
struct Open {
    arrival: Arrival,
    case: Option<Case>,
    jitter: [Option<i64>; 3],
}

/// What to do with the result of one command of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Then {
    Nothing,
    /// An arrival at the window, a bank, a kiosk or a court.
    Opened,
    /// The one visit of an online application.
    Visited,
    /// A review, which may complete a case of a kind that ends there.
    Reviewed,
    Issued,
}

/// One command of the batch being built.
struct Step {
    case: u64,
    request: Request,
    then: Then,
}

struct Sim {
    cfg: Config,
    rng: fastrand::Rng,
    engine: Engine,
    clock: ManualClock,
    hours: OfficeHours,
    centre: CentreId,
    staff: Staff,
    plan: BinaryHeap<Reverse<Planned>>,
    seq: u64,
    /// Cases not ended yet, by number.
    open: HashMap<u64, Open>,
    channels: BTreeMap<Channel, u64>,
    refusals: BTreeMap<Option<ErrorCode>, u64>,
    days_used: BTreeMap<ApplicantCategory, Vec<u32>>,
    instant: (u64, u64),
}

#[derive(Debug, Clone)]
struct Arrival {
    intake: IntakeInput,
    materials: Vec<String>,
    pledged: Vec<String>,
    instant: bool,
}

fn id(n: u64) -> CaseId {
    CaseId::new(format!("X{n:05}"))
}

fn number(id: &CaseId) -> u64 {
    id.as_str()[1..].parse().unwrap_or(0)
}

impl Sim {
    fn at(&self, date: NaiveDate, h: u32, m: u32) -> DateTime<Utc> {
        let t = NaiveTime::from_hms_opt(h, m, 0).expect("valid time");
        date.and_time(t).and_local_timezone(self.hours.time_zone()).single().expect("unambiguous").with_timezone(&Utc)
    }

    fn push(&mut self, at: DateTime<Utc>, action: Action) {
        self.seq += 1;
        self.plan.push(Reverse(Planned { at, seq: self.seq, action }));
    }

    fn working_day_after(&self, date: NaiveDate, n: u32) -> NaiveDate {
        self.engine.calendar().add_working_days_projected(date, n).map(|p| p.value).unwrap_or(date)
    }

    fn is_working(&self, date: NaiveDate) -> bool {
        self.engine.calendar().is_working_day_projected(date).map(|p| p.value).unwrap_or(false)
    }

    fn staff(&self, id: &str, role: Role) -> Actor {
        Actor::new(id, [role], self.centre.clone())
    }

    /// The clerk of the `n`th window.
    fn clerk(&self, n: u64) -> Actor {
        self.staff(&format!("clerk-{}", 1 + n % u64::from(self.staff.clerks)), Role::Clerk)
    }
    fn pick_kind(&mut self) -> &'static str {
        let total: u32 = KINDS.iter().map(|(_, w)| w).sum();
        let mut r = self.rng.u32(0..total);
        for (k, w) in KINDS {
            if r < w {
                return k;
            }
            r -= w;
        }
        KINDS[0].0
    }

    fn arrival(&mut self, n: u64, today: NaiveDate) -> Arrival {
        let kind = self.pick_kind();
        let spec = self.engine.catalogue().get(kind).expect("built-in kind").clone();
        let category =
            if self.rng.u32(0..100) < 80 { ApplicantCategory::Individual } else { ApplicantCategory::Organisation };
        let applicants = match (kind, category) {
            // A mortgage names the mortgagor and the bank (a credit code on an individual
            // case); its cancellation, the bank giving the right up.
            ("mortgage" | "mortgage_cancellation", ApplicantCategory::Individual) => {
                let (person_role, bank) = if kind == "mortgage" {
                    (PartyRole::Obligor, PartyRole::Obligee)
                } else {
                    (PartyRole::Obligee, PartyRole::Obligor)
                };
                vec![
                    ApplicantInput::new(format!("申请人{n}-0"), person(n * 2)).role(person_role),
                    ApplicantInput::new("青海银行西宁分行", organisation(0)).id_type(IdType::CreditCode).role(bank),
                ]
            }
            (_, ApplicantCategory::Individual) => (0..1 + u64::from(self.rng.u32(0..100) < 40))
                .map(|i| ApplicantInput::new(format!("申请人{n}-{i}"), person(n * 2 + i)))
                .collect(),
            (_, ApplicantCategory::Organisation) => {
                vec![ApplicantInput::new(format!("单位{n}"), organisation(n))]
            }
        };
        let r = self.rng.u32(0..100);
        let instant_kind = self.cfg.policies.in_force(today).is_ok_and(|p| p.is_instant(&spec.id, category));
        let channel = match kind {
            "mortgage" | "mortgage_cancellation" if r < 70 => Channel::Bank,
            "information_query" if r < 80 => Channel::Kiosk,
            "seizure" | "seizure_release" => Channel::Court,
            "mortgage" | "mortgage_cancellation" | "information_query" => Channel::Window,
            _ if r < 18 && !instant_kind => Channel::Online,
            _ if r < 20 && !instant_kind => Channel::HomeVisit,
            _ => Channel::Window,
        };
        let p = self.rng.u32(0..100);
        let priority = if p < 5 {
            Priority::GreenChannel
        } else if p < 7 {
            Priority::Military
        } else {
            Priority::Standard
        };
        let mut materials = spec.applicant_material_ids(None);
        let mut pledged = Vec::new();
        let r = self.rng.u32(0..100);
        let non_key = spec.applicant_material_ids(Some(false));
        if r < 8 {
            if !non_key.is_empty() {
                let m = non_key[self.rng.usize(0..non_key.len())].clone();
                materials.retain(|x| *x != m);
                pledged.push(m);
            }
        } else if r < 14 {
            let key = spec.applicant_material_ids(Some(true));
            let m = key[self.rng.usize(0..key.len())].clone();
            materials.retain(|x| *x != m);
        }
        Arrival {
            intake: IntakeInput { priority, ..IntakeInput::new(kind, category, applicants, unit(n), channel) },
            materials,
            pledged,
            instant: instant_kind,
        }
    }

    fn opener(&self, channel: Channel, n: u64) -> Actor {
        match channel {
            Channel::Bank => self.staff("bank-xining-1", Role::Bank),
            Channel::Kiosk => self.staff("kiosk-1", Role::Kiosk),
            Channel::Court => self.staff("court-chengzhong", Role::Court),
            _ => self.clerk(n),
        }
    }

    fn applicant(&self, a: &Arrival) -> Actor {
        Actor::applicant(a.intake.applicants[0].id.clone(), self.centre.clone())
    }

    /// Working days into its promise a step becomes due: review at a third, record at two
    /// thirds, issue on the last day — or the one before (20%), or the one after (3%);
    /// review and record slip a day 8% of the time.
    fn ready_offset(&mut self, n: u64, case: &Case, step: usize) -> u32 {
        let promise = match case.acceptance().map(|a| a.clocks.promise()) {
            Some(Promise::WorkingDays(p)) => p + case.extensions().iter().map(|e| e.days).sum::<u32>(),
            _ => 1,
        };
        let base = match step {
            0 => promise.div_ceil(3),
            1 => (2 * promise).div_ceil(3),
            _ => promise,
        };
        let rng = &mut self.rng;
        let Some(open) = self.open.get_mut(&n) else {
            return base;
        };
        let jitter = *open.jitter[step].get_or_insert_with(|| match step {
            2 => match rng.u32(0..100) {
                0..20 => -1,
                20..23 => 1,
                _ => 0,
            },
            _ => i64::from(rng.u32(0..100) < 8),
        });
        (i64::from(base) + jitter).max(0) as u32
    }

    fn ready(&mut self, n: u64, case: &Case, step: usize, today: NaiveDate) -> bool {
        let accepted = case.acceptance().map(|a| self.hours.local_date(a.at)).unwrap_or(today);
        let offset = self.ready_offset(n, case, step);
        let due = self.working_day_after(accepted, offset);
        today >= due
    }

    /// The arrival and case of an open case.
    fn open_case(&self, n: u64) -> Option<(&Arrival, Option<&Case>)> {
        self.open.get(&n).map(|o| (&o.arrival, o.case.as_ref()))
    }

    /// The commands `action` sends now, planning what follows it.
    fn act(&mut self, now: DateTime<Utc>, action: Action, steps: &mut Vec<Step>) {
        let today = self.hours.local_date(now);
        let send = |case: u64, actor: Actor, command: Command, then: Then| Step {
            case,
            request: Request::to(&id(case), actor, command),
            then,
        };
        match action {
            Action::Arrive(n) => {
                let a = self.arrival(n, today);
                *self.channels.entry(a.intake.channel).or_default() += 1;
                let step = if a.intake.channel == Channel::Online {
                    let apply = Command::Apply { intake: a.intake.clone(), materials: a.materials.clone() };
                    self.push(self.at(self.working_day_after(today, 1), 10, 0), Action::PreReview(n));
                    send(n, self.applicant(&a), apply, Then::Nothing)
                } else if a.instant {
                    let cmd = Command::HandleInstantly { intake: a.intake.clone(), materials: a.materials.clone() };
                    send(n, self.opener(a.intake.channel, n), cmd, Then::Opened)
                } else {
                    let cmd = Command::Accept { intake: Some(a.intake.clone()), materials: a.materials.clone() };
                    send(n, self.opener(a.intake.channel, n), cmd, Then::Opened)
                };
                self.open.insert(n, Open { arrival: a, case: None, jitter: [None; 3] });
                steps.push(step);
            }
            Action::PreReview(n) => {
                if self.open_case(n).is_none() {
                    return;
                }
                let pass = self.rng.u32(0..100) >= 15;
                let problems = if pass { vec![] } else { vec!["材料不清晰".to_owned()] };
                let clerk = self.staff("clerk-online", Role::Clerk);
                steps.push(send(n, clerk, Command::PreReview { pass, problems }, Then::Nothing));
                let next = self.at(self.working_day_after(today, 1), 10, 30);
                self.push(next, if pass { Action::Visit(n) } else { Action::Amend(n) });
            }
            Action::Amend(n) => {
                let Some((a, _)) = self.open_case(n) else { return };
                let cmd = Command::Amend { materials: a.materials.clone() };
                steps.push(send(n, self.applicant(a), cmd, Then::Nothing));
                self.push(self.at(self.working_day_after(today, 1), 10, 0), Action::PreReview(n));
            }
            Action::Visit(n) => {
                let Some((a, _)) = self.open_case(n) else { return };
                let cmd = Command::Accept { intake: None, materials: a.materials.clone() };
                steps.push(send(n, self.clerk(n), cmd, Then::Visited));
            }
            Action::Supply(n) => {
                let Some((a, _)) = self.open_case(n) else { return };
                let cmd = Command::SupplyMaterials { materials: a.pledged.clone() };
                steps.push(send(n, self.applicant(a), cmd, Then::Nothing));
            }
            Action::Withdraw(n) => {
                let Some((a, _)) = self.open_case(n) else { return };
                let consenting = a.intake.applicants.iter().map(|p| p.id.clone()).collect();
                steps.push(send(n, self.applicant(a), Command::Withdraw { consenting }, Then::Nothing));
            }
            Action::Resume(n) => {
                if self.open_case(n).is_some() {
                    steps.push(send(n, self.staff("sup-1", Role::Supervisor), Command::Resume, Then::Nothing));
                }
            }
            Action::Evaluate(n, applicant) => {
                let rating = [5, 5, 5, 4, 4, 3][self.rng.usize(0..6)];
                let cmd = Command::Evaluate { rating, comment: String::new() };
                steps.push(send(n, applicant, cmd, Then::Nothing));
            }
            Action::Tasks => self.tasks(today, steps),
            Action::Review => self.review(today, steps),
            Action::Record => self.record(today, steps),
            Action::Issue => self.issue(today, steps),
        }
    }

    /// Takes in what a command returned: plans what follows it, and stops following a
    /// case that ended (keeping its figures).
    fn absorb(&mut self, now: DateTime<Utc>, n: u64, case: Case, then: Then) {
        let today = self.hours.local_date(now);
        let evaluation = match then {
            Then::Opened | Then::Visited => {
                self.after_acceptance(n, &case, today);
                (then == Then::Opened).then_some(5)
            }
            Then::Reviewed => Some(10),
            Then::Issued => Some(15),
            Then::Nothing => None,
        };
        if let Some(minutes) = evaluation {
            if case.state() == State::Completed && self.rng.u32(0..100) < 60 {
                if let Some((a, _)) = self.open_case(n) {
                    let applicant = self.applicant(a);
                    self.push(now + chrono::Duration::minutes(minutes), Action::Evaluate(n, applicant));
                }
            }
        }
        if !case.state().is_terminal() {
            if let Some(open) = self.open.get_mut(&n) {
                open.case = Some(case);
            }
            return;
        }
        // A case already let go (an evaluation after completion) counts once.
        if self.open.remove(&n).is_none() {
            return;
        }
        if let Some(done) = case.completion() {
            if case.is_instant() {
                self.instant.0 += 1;
                self.instant.1 += u64::from(done.on_time);
            } else {
                self.days_used.entry(case.intake().category).or_default().push(done.working_days_used);
            }
        }
    }

    fn after_acceptance(&mut self, n: u64, case: &Case, today: NaiveDate) {
        if case.state() != State::Accepted {
            return;
        }
        if !case.pledged().is_empty() {
            let days = 1 + self.rng.u32(0..2);
            self.push(self.at(self.working_day_after(today, days), 9, 30), Action::Supply(n));
        }
        if self.rng.u32(0..100) < 1 {
            self.push(self.at(self.working_day_after(today, 1), 9, 15), Action::Withdraw(n));
        }
    }

    /// Sends one batch, all at `now`, and takes in the results.
    async fn send(&mut self, now: DateTime<Utc>, steps: Vec<Step>) {
        if steps.is_empty() {
            return;
        }
        let (plan, requests): (Vec<(u64, Then)>, Vec<Request>) =
            steps.into_iter().map(|s| ((s.case, s.then), s.request)).unzip();
        match self.engine.execute_each(requests).await {
            Ok(results) => {
                for ((n, then), result) in plan.into_iter().zip(results) {
                    match result {
                        Ok(done) => self.absorb(now, n, done.case, then),
                        Err(e) => self.refused(n, e.code()),
                    }
                }
            }
            Err(e) => {
                for (n, _) in plan {
                    self.refused(n, e.code());
                }
            }
        }
    }

    /// Counts a refused command; an arrival the engine refused opened no case to follow.
    fn refused(&mut self, n: u64, code: Option<ErrorCode>) {
        *self.refusals.entry(code).or_default() += 1;
        if self.open.get(&n).is_some_and(|o| o.case.is_none()) {
            self.open.remove(&n);
        }
    }

    /// Fires what is due before `now` and takes in the cases whose public notice ended.
    async fn fire(&mut self, now: DateTime<Utc>) -> Result<(), regflow_executor::Error> {
        let pass = self.engine.run_due(now, &IgnoreAlerts).await?;
        for resumed in pass.resumed {
            if let Some(view) = self.engine.case(&resumed).await? {
                if let Some(open) = self.open.get_mut(&number(&resumed)) {
                    open.case = Some(view.case);
                }
            }
        }
        Ok(())
    }

    /// The open cases in `role`'s work queue, in queue order.
    fn queue_of(&self, role: Role) -> Vec<u64> {
        let queue = WorkQueue::of(role);
        let mut cases: Vec<(&Case, u64)> =
            self.open.iter().filter_map(|(n, o)| o.case.as_ref().filter(|c| queue.holds(c)).map(|c| (c, *n))).collect();
        cases.sort_by(|a, b| queue_order(a.0).cmp(&queue_order(b.0)));
        cases.into_iter().map(|(_, n)| n).collect()
    }

    fn case_of(&self, n: u64) -> Option<Case> {
        self.open.get(&n).and_then(|o| o.case.clone())
    }

    fn tasks(&mut self, today: NaiveDate, steps: &mut Vec<Step>) {
        let officers = self.staff.officers;
        for (role, task) in [(Role::TaxOfficer, Task::Tax), (Role::TransactionOfficer, Task::TransactionFiling)] {
            let mut capacity = 60 * officers;
            for n in self.queue_of(role) {
                let Some(case) = self.case_of(n) else { continue };
                let accepted = case.acceptance().map(|a| self.hours.local_date(a.at)).unwrap_or(today);
                if capacity == 0 {
                    break;
                }
                if accepted >= today {
                    continue;
                }
                capacity -= 1;
                let failed_before = case.tasks().get(&task) == Some(&TaskStatus::Failed);
                let outcome = if !failed_before && self.rng.u32(0..100) < 3 {
                    TaskOutcome::Failed { reason: "核税信息不符".into() }
                } else {
                    TaskOutcome::Succeeded
                };
                let officer = self.staff(&format!("{}-{}", task.as_str(), 1 + capacity % officers), role);
                steps.push(Step {
                    case: n,
                    request: Request::to(&id(n), officer, Command::CompleteTask { task, outcome }),
                    then: Then::Nothing,
                });
            }
        }
    }

    fn review(&mut self, today: NaiveDate, steps: &mut Vec<Step>) {
        let mut capacity = 30 * self.staff.reviewers;
        for n in self.queue_of(Role::Reviewer) {
            if capacity == 0 {
                break;
            }
            let Some(case) = self.case_of(n) else { continue };
            if !self.ready(n, &case, 0, today) {
                continue;
            }
            capacity -= 1;
            let reviewer = self.staff(&format!("rev-{}", 1 + n % u64::from(self.staff.reviewers)), Role::Reviewer);
            let r = self.rng.u32(0..100);
            let command = if r < 2 {
                Command::Reject { ground: "ownership_dispute".into(), note: "权属争议".into() }
            } else if r < 5 {
                let wait = 2 + self.rng.u32(0..3);
                let back = self.working_day_after(today, wait);
                self.push(self.at(back, 9, 0), Action::Resume(n));
                Command::Suspend { cause: SuspensionCause::Appraisal, note: "需鉴定".into() }
            } else {
                Command::Review
            };
            steps.push(Step { case: n, request: Request::to(&id(n), reviewer, command), then: Then::Reviewed });
        }
    }

    fn record(&mut self, today: NaiveDate, steps: &mut Vec<Step>) {
        let mut capacity = 45 * self.staff.registrars;
        for n in self.queue_of(Role::Registrar) {
            if capacity == 0 {
                break;
            }
            let Some(case) = self.case_of(n) else { continue };
            let blocked = !case.pledged().is_empty() || case.tasks().values().any(|s| *s != TaskStatus::Succeeded);
            if blocked || !self.ready(n, &case, 1, today) {
                continue;
            }
            capacity -= 1;
            let registrar = self.staff(&format!("reg-{}", 1 + n % u64::from(self.staff.registrars)), Role::Registrar);
            steps.push(Step { case: n, request: Request::to(&id(n), registrar, Command::Record), then: Then::Nothing });
        }
    }

    fn issue(&mut self, today: NaiveDate, steps: &mut Vec<Step>) {
        let mut capacity = 40 * self.staff.clerks;
        for n in self.queue_of(Role::Clerk) {
            if capacity == 0 {
                break;
            }
            let Some(case) = self.case_of(n) else { continue };
            if case.state() != State::Recorded || !self.ready(n, &case, 2, today) {
                continue;
            }
            capacity -= 1;
            steps.push(Step {
                case: n,
                request: Request::to(&id(n), self.clerk(n + 1), Command::IssueCertificate),
                then: Then::Issued,
            });
        }
    }
}

/// A database file that exists for one run and is removed with the outcome.
struct Scratch(std::path::PathBuf);

impl Scratch {
    fn new(seed: u64, centre: &str) -> Scratch {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
        Scratch(std::env::temp_dir().join(format!("regflow-sim-{}-{centre}-{seed}-{nanos}.db", std::process::id())))
    }

    /// Durable commits buy nothing for a database thrown away at the end.
    fn url(&self) -> String {
        format!("sqlite://{}?synchronous=normal", self.0.display())
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut path = self.0.clone().into_os_string();
            path.push(suffix);
            let _ = std::fs::remove_file(path);
        }
    }
}

/// What one centre's run produced, before the centres' figures are put together.
struct CentreRun {
    engine: Engine,
    scratch: Option<Scratch>,
    hours: OfficeHours,
    end: DateTime<Utc>,
    close: DateTime<Utc>,
    overdue_at_close: Vec<regflow_executor::Overdue>,
    days_used: BTreeMap<ApplicantCategory, Vec<u32>>,
    instant: (u64, u64),
    channels: BTreeMap<Channel, u64>,
    refusals: BTreeMap<Option<ErrorCode>, u64>,
}

/// Simulates the period and reports on it: one centre, or `cfg.centres` side by side (each
/// on a database of its own, so they share the machine's cores), their figures reported
/// together.
///
/// # Errors
/// More centres than arrivals a day, more than one centre with a `database` named, or the
/// engine's error.
pub async fn simulate(cfg: Config) -> Result<Outcome, Box<dyn std::error::Error>> {
    let centres = cfg.centres.max(1);
    if centres > 1 && cfg.database.is_some() {
        return Err(format!(
            "--centres {centres} gives each centre a temporary database of its own: drop --database, or simulate one centre"
        )
        .into());
    }
    if centres > cfg.per_day {
        return Err(format!(
            "--centres {centres} is more than --per-day {}: each centre needs at least one arrival a working day",
            cfg.per_day
        )
        .into());
    }
    let planned = Arc::new(AtomicU64::new(0));
    let mut centre_runs = Vec::new();
    for index in 0..centres {
        // Centre `index` takes its share of the arrivals and a seed of its own; the first
        // keeps the run's seed, so one centre gives what it always gave.
        let share = cfg.per_day / centres + u32::from(index < cfg.per_day % centres);
        let centre_cfg = Config {
            seed: cfg.seed.wrapping_add(u64::from(index)),
            per_day: share,
            progress: if index == 0 { cfg.progress.clone() } else { None },
            ..cfg.clone()
        };
        let name = if centres == 1 { "xining".to_owned() } else { format!("xining-{:02}", index + 1) };
        centre_runs.push(run_centre(centre_cfg, Centre::new(&name), planned.clone()));
    }
    // The centres' loops take turns on this task; the engine runs each batch and firing
    // pass on a task of its own, so the centres' databases work side by side.
    let runs = futures_util::future::try_join_all(centre_runs).await?;
    let first = runs.first().expect("at least one centre");
    let (hours, end, close) = (first.hours, first.end, first.close);
    let (start_at, arrival_end) = cfg.period();
    let filter = ReportFilter::period(start_at, arrival_end.and_hms_opt(0, 0, 0).expect("midnight").and_utc());
    let engines: Vec<Engine> = runs.iter().map(|r| r.engine.clone()).collect();
    let report = regflow_executor::report_across(&engines, &filter).await?;
    let mut out = Outcome {
        engines,
        hours,
        report,
        end,
        days_used: BTreeMap::new(),
        instant: (0, 0),
        channels: BTreeMap::new(),
        overdue_at_close: Vec::new(),
        close,
        refusals: BTreeMap::new(),
        _scratch: Vec::new(),
    };
    for run in runs {
        for (category, days) in run.days_used {
            out.days_used.entry(category).or_default().extend(days);
        }
        out.instant = (out.instant.0 + run.instant.0, out.instant.1 + run.instant.1);
        for (channel, n) in run.channels {
            *out.channels.entry(channel).or_default() += n;
        }
        for (code, n) in run.refusals {
            *out.refusals.entry(code).or_default() += n;
        }
        out.overdue_at_close.extend(run.overdue_at_close);
        out._scratch.extend(run.scratch);
    }
    Ok(out)
}

/// One centre's run under `cfg`; adds its planned arrivals to `planned`, the count its
/// progress reports (every centre's).
async fn run_centre(
    cfg: Config,
    centre: Centre,
    planned: Arc<AtomicU64>,
) -> Result<CentreRun, regflow_executor::Error> {
    let (start_at, arrival_end) = cfg.period();
    let clock = ManualClock::new(start_at);
    let hours = centre.hours;
    let scratch = cfg.database.is_none().then(|| Scratch::new(cfg.seed, centre.id.as_str()));
    let url = match (&cfg.database, &scratch) {
        (Some(url), _) => url.clone(),
        (None, Some(s)) => s.url(),
        (None, None) => unreachable!("a scratch file when no database is named"),
    };
    let engine = Engine::builder(&url)
        .calendar(regflow_process::Calendar::builtin())
        .policies(cfg.policies.clone())
        .centre(centre.clone())
        .clock(clock.clone())
        .build()
        .await?;
    let mut sim = Sim {
        rng: fastrand::Rng::with_seed(cfg.seed),
        engine,
        clock,
        hours,
        centre: centre.id.clone(),
        staff: Staff::for_arrivals(cfg.per_day),
        plan: BinaryHeap::new(),
        seq: 0,
        open: HashMap::new(),
        channels: BTreeMap::new(),
        refusals: BTreeMap::new(),
        days_used: BTreeMap::new(),
        instant: (0, 0),
        cfg,
    };
    // Work goes on after the last arrival until even 30-working-day promises can finish.
    let work_end = sim.working_day_after(arrival_end, 32);
    let mut n = 0u64;
    let mut day = sim.cfg.start;
    while day <= work_end {
        if sim.is_working(day) {
            if day < arrival_end {
                let count = sim.cfg.per_day / 2 + sim.rng.u32(0..=sim.cfg.per_day);
                let mut times: Vec<u32> = (0..count).map(|_| sim.rng.u32(0..480)).collect();
                times.sort_unstable();
                for minute in times {
                    n += 1;
                    let wave = minute - minute % WAVE_MINUTES;
                    let at = sim.at(day, 9 + wave / 60, wave % 60);
                    sim.push(at, Action::Arrive(n));
                }
            }
            for (h, m, a) in
                [(11, 0, Action::Tasks), (14, 0, Action::Review), (15, 30, Action::Record), (16, 30, Action::Issue)]
            {
                let at = sim.at(day, h, m);
                sim.push(at, a);
            }
        }
        day = day.succ_opt().expect("date");
    }
    planned.fetch_add(n, Ordering::Relaxed);
    let total_days = (work_end - sim.cfg.start).num_days().max(1) as u64;
    let mut last_shown = u64::MAX;
    let last_day = arrival_end.pred_opt().expect("date");
    // Just after closing on the last day: what is due at closing and not done is overdue.
    let close = sim.at(last_day, 18, 1);
    let mut overdue_at_close = None;
    while let Some(Reverse(next)) = sim.plan.pop() {
        let at = next.at;
        if at > close && overdue_at_close.is_none() {
            sim.fire(close).await?;
            sim.clock.set(close);
            overdue_at_close = Some(sim.engine.overdue(None, close).await?);
        }
        sim.fire(at).await?;
        sim.clock.set(at);
        // Everything planned for this instant goes in one batch, in the order planned.
        let mut steps = Vec::new();
        sim.act(at, next.action, &mut steps);
        while sim.plan.peek().is_some_and(|Reverse(p)| p.at == at) {
            let Some(Reverse(p)) = sim.plan.pop() else { break };
            sim.act(at, p.action, &mut steps);
        }
        sim.send(at, steps).await;
        let done = (sim.hours.local_date(at) - sim.cfg.start).num_days().max(0) as u64;
        if done != last_shown {
            last_shown = done;
            if let Some(report) = &sim.cfg.progress {
                report(done.min(total_days), total_days, planned.load(Ordering::Relaxed));
            }
        }
    }
    let end = sim.at(work_end, 18, 0);
    sim.fire(end).await?;
    sim.clock.set(end);
    let overdue_at_close = match overdue_at_close {
        Some(o) => o,
        None => sim.engine.overdue(None, close).await?,
    };
    Ok(CentreRun {
        engine: sim.engine,
        scratch,
        hours,
        end,
        close,
        overdue_at_close,
        days_used: sim.days_used,
        instant: sim.instant,
        channels: sim.channels,
        refusals: sim.refusals,
    })
}

/// The month's first day from `YYYY-MM`.
pub fn month_start(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d").map_err(|_| format!("`{text}` is not a month YYYY-MM"))
}

/// Calendar days in the month starting at `start`.
pub fn days_in_month(start: NaiveDate) -> u32 {
    let next = if start.month() == 12 {
        NaiveDate::from_ymd_opt(start.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(start.year(), start.month() + 1, 1)
    };
    next.map_or(30, |n| (n - start).num_days() as u32)
}
