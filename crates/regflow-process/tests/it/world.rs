//! A small in-memory world for driving `decide` in tests.

use crate::at;
use regflow_process::catalogue::Catalogue;
use regflow_process::identifier::UnitNumber;
use regflow_process::register::{Content, EntryDraft, NationalClass, UnitRegister};
use regflow_process::{
    decide, unit_to_check, Actor, ApplicantCategory, ApplicantInput, Calendar, Case, CaseId, Centre, CentreId, Channel,
    Command, Context, Decision, ErrorCode, Event, IntakeInput, PolicyTimeline, Refusal, Role,
};
use std::collections::HashMap;

pub const UNIT: &str = "630102001001GB00001F00010001";
pub const ZHANG: &str = "630102198503120015";
pub const LI: &str = "630102199211080028";
pub const ORG: &str = "91630100MA7512347R";

pub struct World {
    pub calendar: Calendar,
    pub policies: PolicyTimeline,
    pub catalogue: Catalogue,
    pub centre: Centre,
    pub cases: HashMap<String, Case>,
    pub history: HashMap<String, Vec<Event>>,
    /// The centre's register: every entry with its `seq`.
    pub entries: Vec<(u64, EntryDraft)>,
    pub expected_version: Option<u64>,
}

impl World {
    pub fn new() -> World {
        World {
            calendar: Calendar::builtin(),
            policies: PolicyTimeline::builtin(),
            catalogue: Catalogue::builtin(),
            centre: Centre::new("xining"),
            cases: HashMap::new(),
            history: HashMap::new(),
            entries: Vec::new(),
            expected_version: None,
        }
    }

    /// A staff actor of this centre; the role is read from the id's prefix.
    pub fn staff(&self, id: &str) -> Actor {
        let role = match id.split('-').next().unwrap() {
            "clerk" => Role::Clerk,
            "rev" => Role::Reviewer,
            "reg" => Role::Registrar,
            "sup" => Role::Supervisor,
            "tax" => Role::TaxOfficer,
            "tr" => Role::TransactionOfficer,
            "bank" => Role::Bank,
            "kiosk" => Role::Kiosk,
            "court" => Role::Court,
            "system" => Role::System,
            other => panic!("no role for {other}"),
        };
        Actor::new(id, [role], self.centre.id.clone())
    }

    pub fn applicant(&self, id: &str) -> Actor {
        Actor::applicant(id, self.centre.id.clone())
    }

    pub fn try_step(&mut self, label: &str, when: &str, actor: &Actor, command: Command) -> Result<Decision, Refusal> {
        self.try_step_at(label, at(when), actor, command)
    }

    pub fn try_step_at(
        &mut self,
        label: &str,
        now: chrono::DateTime<chrono::Utc>,
        actor: &Actor,
        command: Command,
    ) -> Result<Decision, Refusal> {
        let case_id = CaseId::new(label);
        let before = self.cases.get(label).cloned();
        // As the executor does: the unit's register, with the ends due by now written first.
        let mut lapses = Vec::new();
        let register = match unit_to_check(&self.catalogue, before.as_ref(), &command) {
            Some(check) => {
                let mut reg = self.register(&check.unit);
                let clock = self.centre.legal_clock(&self.calendar);
                let first = self.entries.len() as u64 + 1;
                lapses = reg.settle(now, first, &clock).expect("ends apply");
                Some(reg)
            }
            None => None,
        };
        let ctx = Context {
            now,
            actor,
            centre: &self.centre,
            calendar: &self.calendar,
            policies: &self.policies,
            catalogue: &self.catalogue,
            case_id: &case_id,
            register: register.as_ref(),
            expected_version: self.expected_version,
            captured_at: None,
            certificate: None,
        };
        let result = decide(before.as_ref(), &command, &ctx);
        match &result {
            Ok(d) => {
                self.history.entry(label.to_owned()).or_default().extend(d.events.iter().cloned());
                self.cases.insert(label.to_owned(), d.case.clone());
                for draft in lapses.into_iter().chain(d.entries.iter().map(|(_, e)| e.clone())) {
                    let seq = self.entries.len() as u64 + 1;
                    self.entries.push((seq, draft));
                }
            }
            Err(_) => assert_eq!(self.cases.get(label), before.as_ref(), "a refused command changed the case"),
        }
        result
    }

    #[track_caller]
    pub fn ok(&mut self, label: &str, when: &str, actor: &Actor, command: Command) -> Decision {
        match self.try_step(label, when, actor, command) {
            Ok(d) => d,
            Err(r) => panic!("refused: {r} ({:?})", r.detail),
        }
    }

    #[track_caller]
    pub fn refused(&mut self, label: &str, when: &str, actor: &Actor, command: Command, code: ErrorCode) -> Refusal {
        match self.try_step(label, when, actor, command) {
            Ok(d) => panic!("expected {code}, got state {}", d.case.state()),
            Err(r) => {
                assert_eq!(r.code, code, "{r}");
                assert!(!r.message.is_empty());
                r
            }
        }
    }

    /// A copy of the world, to try another way from here.
    pub fn clone_world(&self) -> World {
        World {
            calendar: self.calendar.clone(),
            policies: self.policies.clone(),
            catalogue: self.catalogue.clone(),
            centre: self.centre.clone(),
            cases: self.cases.clone(),
            history: self.history.clone(),
            entries: self.entries.clone(),
            expected_version: self.expected_version,
        }
    }

    /// The register of `unit` as its entries fold.
    pub fn register(&self, unit: &UnitNumber) -> UnitRegister {
        let clock = self.centre.legal_clock(&self.calendar);
        let mine = self.entries.iter().filter(|(_, e)| &e.unit == unit).map(|(s, e)| (*s, e));
        UnitRegister::rebuild(unit.clone(), mine, &clock).expect("the world's register folds")
    }

    /// Writes a seizure of `UNIT` by `court-9` at `when`, as a court's instant case would.
    pub fn seize(&mut self, when: &str) -> u64 {
        let seq = self.entries.len() as u64 + 1;
        let draft = EntryDraft {
            unit: UnitNumber::parse(UNIT).unwrap(),
            case: None,
            refers_to: None,
            recorded_at: at(when),
            class: NationalClass::Seizure,
            history: false,
            content: Content::Seizure { court: "court-9".into(), ruling: None, term_years: 3, last_day: None },
            certificate: None,
        };
        self.entries.push((seq, draft));
        seq
    }

    /// Releases the seizure `entry` of `UNIT` at `when`.
    pub fn release(&mut self, entry: u64, when: &str) {
        let seq = self.entries.len() as u64 + 1;
        let draft = EntryDraft {
            unit: UnitNumber::parse(UNIT).unwrap(),
            case: None,
            refers_to: Some(entry),
            recorded_at: at(when),
            class: NationalClass::Seizure,
            history: false,
            content: Content::SeizureRelease,
            certificate: None,
        };
        self.entries.push((seq, draft));
    }

    pub fn case(&self, label: &str) -> &Case {
        &self.cases[label]
    }

    pub fn fmt(&self, t: chrono::DateTime<chrono::Utc>) -> String {
        self.centre.hours.format(t)
    }
}

pub fn intake(kind: &str, channel: Channel) -> IntakeInput {
    let applicants = vec![ApplicantInput::new("张三", ZHANG), ApplicantInput::new("李四", LI)];
    IntakeInput::new(kind, ApplicantCategory::Individual, applicants, UNIT, channel)
}

pub fn org_intake(kind: &str, channel: Channel) -> IntakeInput {
    IntakeInput {
        applicant_category: ApplicantCategory::Organisation,
        applicants: vec![ApplicantInput::new("西宁某公司", ORG)],
        ..intake(kind, channel)
    }
}

pub fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// Every applicant-provided material of a kind.
pub fn all_materials(w: &World, kind: &str) -> Vec<String> {
    w.catalogue.get(kind).unwrap().applicant_material_ids(None)
}

pub fn accept(w: &World, kind: &str, channel: Channel) -> Command {
    accept_all(w, intake(kind, channel))
}

/// An acceptance of `intake` with every material its kind asks of the applicant.
pub fn accept_all(w: &World, intake: IntakeInput) -> Command {
    Command::Accept { materials: all_materials(w, &intake.kind), intake: Some(intake) }
}

/// An acceptance of `intake` (none: the case's own) with the materials named.
pub fn accept_with(intake: Option<IntakeInput>, materials: &[&str]) -> Command {
    Command::Accept { intake, materials: strings(materials) }
}

#[allow(dead_code)]
pub fn centre_id(id: &str) -> CentreId {
    CentreId::new(id)
}
