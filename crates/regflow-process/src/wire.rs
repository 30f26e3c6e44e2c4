//! Commands as JSON objects, with the argument names of SPEC 9 and 10.
//!
//! The scenario runner and the HTTP service read a command the same way: a `command`
//! name and its arguments as fields of one object. A missing, ill-typed or out-of-range
//! argument is refused with `invalid_argument` naming the field; the rules themselves
//! (identifiers, kinds, materials, limits) stay in [`crate::decide::decide`].

use serde_json::{Map, Value};

use crate::case::SuspensionCause;
use crate::catalogue::Task;
use crate::channel::{Channel, Priority};
use crate::command::{ApplicantInput, Command, CommandName, IntakeInput, RegisterInput, TaskOutcome};
use crate::party::{IdType, PartyRole};
use crate::register::EntryRef;
use crate::{ApplicantCategory, Refusal};

/// The commands a person or a channel system sends (the first eighteen of
/// [`CommandName::ALL`]; the engine's own commands come after them).
pub const COMMANDS: &[CommandName] = CommandName::ALL.split_at(19).0;

const INTAKE: &[&str] = &[
    "kind",
    "applicant_category",
    "applicants",
    "unit",
    "channel",
    "priority",
    "materials",
    "consents",
    "mortgage_entry",
    "seizure_entry",
    "corrects",
    "entry",
    "secured_amount",
    "ruling",
    "term_years",
    "querier",
    "purpose",
    "proof",
    "authority_type",
];

/// The argument fields `command` reads; any other field of a request body is unknown.
pub fn fields_of(command: CommandName) -> &'static [&'static str] {
    match command {
        CommandName::Apply | CommandName::Accept | CommandName::HandleInstantly => INTAKE,
        CommandName::PreReview => &["pass", "problems"],
        CommandName::Amend | CommandName::SupplyMaterials => &["materials"],
        CommandName::CompleteTask => &["task", "ok", "reason"],
        CommandName::Suspend => &["cause", "note"],
        CommandName::Reject => &["ground", "note"],
        CommandName::Withdraw => &["consenting"],
        CommandName::Extend => &["working_days", "reason"],
        CommandName::DeferQuery => &["reason"],
        CommandName::Evaluate => &["rating", "comment"],
        CommandName::LawsuitFiled => &["court", "filed_on"],
        CommandName::RenewSeizure => &["term_years"],
        _ => &[],
    }
}

/// The fields a party (an entry of `applicants`) may have.
pub const PARTY_FIELDS: [&str; 5] = ["name", "id", "id_type", "role", "share"];

/// Refuses a field of `args` that `command` does not read (besides `extra`, the request's
/// own fields such as `command`), and a party field that is not one of [`PARTY_FIELDS`].
/// The scenario runner tolerates extra fields; the HTTP service does not (SPEC 10).
///
/// # Errors
/// `invalid_argument` naming the first unknown field.
pub fn no_unknown_fields(command: CommandName, args: &Map<String, Value>, extra: &[&str]) -> Result<(), Refusal> {
    let known = fields_of(command);
    if let Some(other) = args.keys().find(|k| !known.contains(&k.as_str()) && !extra.contains(&k.as_str())) {
        let mut expected: Vec<&str> = known.iter().chain(extra).copied().collect();
        expected.sort_unstable();
        return Err(Refusal::argument(
            other,
            format!("`{other}` is not a field of `{command}`: expected {}", expected.join(", ")),
        ));
    }
    for list in ["applicants", "consents"] {
        let parties = args.get(list).and_then(Value::as_array).into_iter().flatten();
        for (i, party) in parties.enumerate() {
            if let Some(other) = party.as_object().and_then(|p| p.keys().find(|k| !PARTY_FIELDS.contains(&k.as_str())))
            {
                let field = format!("{list}[{i}].{other}");
                return Err(Refusal::argument(
                    &field,
                    format!("`{field}` is not a party field: use name, id, id_type, role and share"),
                ));
            }
        }
    }
    Ok(())
}

/// The public command called `name`.
///
/// # Errors
/// `invalid_argument` naming `command` when no such command is sent from outside.
pub fn command_name(name: &str) -> Result<CommandName, Refusal> {
    COMMANDS
        .iter()
        .copied()
        .find(|c| c.as_str() == name)
        .ok_or_else(|| Refusal::argument("command", format!("unknown command `{name}`")))
}

/// Reads command `name` from the fields of `args`. `exists` says whether the case already
/// exists: an `accept` of an existing case (after online pre-review) takes only
/// `materials`, the rest comes from the application.
///
/// # Errors
/// `invalid_argument` naming the field that is missing or ill-typed, or the command when
/// it is unknown.
pub fn command(name: &str, args: &Map<String, Value>, exists: bool) -> Result<Command, Refusal> {
    let args = Args(args);
    Ok(match command_name(name)? {
        CommandName::Apply => {
            Command::Apply { intake: args.intake(Some(Channel::Online))?, materials: args.materials()? }
        }
        CommandName::PreReview => Command::PreReview {
            pass: args.need(Args::bool, "pass")?,
            problems: args.strings("problems")?.unwrap_or_default(),
        },
        CommandName::Amend => Command::Amend { materials: args.materials()? },
        CommandName::Accept => Command::Accept {
            intake: if exists { None } else { Some(args.intake(None)?) },
            materials: args.materials()?,
        },
        CommandName::HandleInstantly => {
            Command::HandleInstantly { intake: args.intake(None)?, materials: args.materials()? }
        }
        CommandName::SupplyMaterials => Command::SupplyMaterials { materials: args.materials()? },
        CommandName::CompleteTask => {
            let task = args.need(|a, f| a.parsed(f, |s| s.parse::<Task>()), "task")?;
            let outcome = if args.bool("ok")?.unwrap_or(true) {
                TaskOutcome::Succeeded
            } else {
                TaskOutcome::Failed { reason: args.str("reason")?.unwrap_or_default() }
            };
            Command::CompleteTask { task, outcome }
        }
        CommandName::Review => Command::Review,
        CommandName::Record => Command::Record,
        CommandName::IssueCertificate => Command::IssueCertificate,
        CommandName::Suspend => Command::Suspend {
            cause: args.need(|a, f| a.parsed(f, |s| s.parse::<SuspensionCause>()), "cause")?,
            note: args.str("note")?.unwrap_or_default(),
        },
        CommandName::Resume => Command::Resume,
        CommandName::Reject => {
            Command::Reject { ground: args.need(Args::str, "ground")?, note: args.str("note")?.unwrap_or_default() }
        }
        CommandName::Withdraw => Command::Withdraw { consenting: args.need(Args::strings, "consenting")? },
        CommandName::DeferQuery => Command::DeferQuery { reason: args.str("reason")?.unwrap_or_default() },
        CommandName::Extend => {
            Command::Extend { working_days: args.working_days()?, reason: args.str("reason")?.unwrap_or_default() }
        }
        CommandName::LawsuitFiled => Command::LawsuitFiled {
            court: args.need(Args::str, "court")?,
            filed_on: args.need(
                |a, f| {
                    a.parsed(f, |s| {
                        chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                            .map_err(|_| format!("`{s}` is not a date YYYY-MM-DD"))
                    })
                },
                "filed_on",
            )?,
        },
        CommandName::RenewSeizure => Command::RenewSeizure {
            term_years: match args.uint("term_years")? {
                None => None,
                Some(y) => Some(
                    u32::try_from(y)
                        .map_err(|_| Refusal::argument("term_years", format!("term_years: {y} is too large")))?,
                ),
            },
        },
        CommandName::Evaluate => {
            let rating = args.need(Args::uint, "rating")?;
            Command::Evaluate {
                rating: u8::try_from(rating)
                    .map_err(|_| Refusal::argument("rating", format!("rating {rating} is not between 1 and 5")))?,
                comment: args.str("comment")?.unwrap_or_default(),
            }
        }
        other => return Err(Refusal::argument("command", format!("unknown command `{other}`"))),
    })
}

/// Reads typed arguments from an object, refusing ill-typed or missing ones.
pub struct Args<'a>(pub &'a Map<String, Value>);

impl Args<'_> {
    fn bad(field: &str, what: &str) -> Refusal {
        Refusal::argument(field, format!("`{field}` must be {what}"))
    }

    /// A required field read by `read`.
    ///
    /// # Errors
    /// `invalid_argument` when the field is missing or `read` refuses it.
    pub fn need<T>(&self, read: impl Fn(&Self, &str) -> Result<Option<T>, Refusal>, field: &str) -> Result<T, Refusal> {
        read(self, field)?.ok_or_else(|| Refusal::argument(field, format!("`{field}` is missing")))
    }

    /// An optional string.
    ///
    /// # Errors
    /// `invalid_argument` when the field is not a string.
    pub fn str(&self, field: &str) -> Result<Option<String>, Refusal> {
        match self.0.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(Self::bad(field, "a string")),
        }
    }

    /// An optional list of strings.
    ///
    /// # Errors
    /// `invalid_argument` when the field is not a list of strings.
    pub fn strings(&self, field: &str) -> Result<Option<Vec<String>>, Refusal> {
        match self.0.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| v.as_str().map(str::to_owned).ok_or_else(|| Self::bad(field, "a list of strings")))
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(_) => Err(Self::bad(field, "a list of strings")),
        }
    }

    fn bool(&self, field: &str) -> Result<Option<bool>, Refusal> {
        match self.0.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(Self::bad(field, "true or false")),
        }
    }

    fn uint(&self, field: &str) -> Result<Option<u64>, Refusal> {
        match self.0.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v.as_u64().map(Some).ok_or_else(|| Self::bad(field, "a whole number ≥ 0")),
        }
    }

    /// A text argument read by `parse`; `invalid_argument` naming the field when it does not read.
    pub fn parsed<T>(&self, field: &str, parse: impl Fn(&str) -> Result<T, String>) -> Result<Option<T>, Refusal> {
        match self.str(field)? {
            None => Ok(None),
            Some(s) => parse(&s).map(Some).map_err(|e| Refusal::argument(field, format!("`{field}`: {e}"))),
        }
    }

    fn applicant(field: &str, value: &Value) -> Result<ApplicantInput, Refusal> {
        let name = value.get("name").and_then(Value::as_str);
        let id = value.get("id").and_then(Value::as_str);
        let (Some(name), Some(id), Some(party)) = (name, id, value.as_object()) else {
            return Err(Self::bad(field, "an object with `name` and `id`"));
        };
        let party = Args(party);
        let retag = |sub: &str, r: Refusal| {
            let message = r.message.replacen(&format!("`{sub}`"), &format!("`{field}.{sub}`"), 1);
            Refusal::argument(&format!("{field}.{sub}"), message)
        };
        Ok(ApplicantInput {
            name: name.into(),
            id: id.into(),
            id_type: party.parsed("id_type", |s| s.parse::<IdType>()).map_err(|r| retag("id_type", r))?,
            role: party.parsed("role", |s| s.parse::<PartyRole>()).map_err(|r| retag("role", r))?,
            share: party.str("share").map_err(|r| retag("share", r))?,
        })
    }

    fn parties(&self, field: &str) -> Result<Option<Vec<ApplicantInput>>, Refusal> {
        match self.0.get(field) {
            Some(Value::Array(items)) => Ok(Some(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, a)| Self::applicant(&format!("{field}[{i}]"), a))
                    .collect::<Result<Vec<_>, _>>()?,
            )),
            None | Some(Value::Null) => Ok(None),
            Some(_) => Err(Self::bad(field, "a list of {name, id}")),
        }
    }

    /// An argument naming a register entry: its `seq` (a number) or the id of the case
    /// whose recording wrote it (a string).
    fn entry_ref(&self, field: &str) -> Result<Option<EntryRef>, Refusal> {
        match self.0.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => match n.as_u64() {
                Some(seq) if seq > 0 => Ok(Some(EntryRef::Seq(seq))),
                _ => Err(Self::bad(field, "an entry's seq (a whole number from 1) or a case id")),
            },
            Some(Value::String(case)) if !case.trim().is_empty() => Ok(Some(EntryRef::Case(case.trim().to_owned()))),
            Some(_) => Err(Self::bad(field, "an entry's seq (a whole number from 1) or a case id")),
        }
    }

    fn register(&self) -> Result<RegisterInput, Refusal> {
        Ok(RegisterInput {
            mortgage_entry: self.entry_ref("mortgage_entry")?,
            seizure_entry: self.entry_ref("seizure_entry")?,
            corrects: self.entry_ref("corrects")?,
            entry: self.entry_ref("entry")?,
            secured_amount: match self.0.get("secured_amount") {
                Some(Value::Number(n)) => Some(n.to_string()),
                _ => self.str("secured_amount")?,
            },
            ruling: self.str("ruling")?,
            term_years: self.uint("term_years")?,
        })
    }

    fn intake(&self, channel: Option<Channel>) -> Result<IntakeInput, Refusal> {
        let kind = self.need(Args::str, "kind")?;
        let applicant_category =
            self.need(|a, f| a.parsed(f, |s| s.parse::<ApplicantCategory>()), "applicant_category")?;
        let applicants =
            self.parties("applicants")?.ok_or_else(|| Refusal::argument("applicants", "`applicants` is missing"))?;
        let unit = self.need(Args::str, "unit")?;
        let channel = match channel {
            Some(c) => c,
            None => self.need(|a, f| a.parsed(f, |s| s.parse::<Channel>()), "channel")?,
        };
        let priority = self.parsed("priority", |s| s.parse::<Priority>())?.unwrap_or(Priority::Standard);
        let consents = self.parties("consents")?.unwrap_or_default();
        Ok(IntakeInput {
            kind,
            applicant_category,
            applicants,
            unit,
            channel,
            priority,
            consents,
            register: self.register()?,
            query: crate::command::QueryInput {
                querier: self.parsed("querier", |s| s.parse::<crate::register::query::QuerierClass>())?,
                purpose: self.str("purpose")?,
                proof: self.str("proof")?,
                authority_type: self.str("authority_type")?,
            },
        })
    }

    /// `working_days` of an extension: a whole number ≥ 1 (SPEC 2.4). A whole number too
    /// large for 64 bits is kept as the largest, so the rules refuse it `exceeds_statutory`.
    fn working_days(&self) -> Result<u64, Refusal> {
        const FIELD: &str = "working_days";
        match self.0.get(FIELD) {
            None | Some(Value::Null) => Err(Refusal::argument(FIELD, "`working_days` is missing")),
            Some(Value::Number(n)) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
                (Some(k), _, _) => Ok(k),
                (None, Some(k), _) => Err(Refusal::argument(
                    FIELD,
                    format!("`working_days` is {k}: an extension is at least 1 working day"),
                )),
                (None, None, Some(f)) if f.fract() == 0.0 && f >= 1.0 => Ok(u64::MAX),
                _ => Err(Self::bad(FIELD, "a whole number of working days ≥ 1")),
            },
            Some(_) => Err(Self::bad(FIELD, "a whole number of working days ≥ 1")),
        }
    }

    fn materials(&self) -> Result<Vec<String>, Refusal> {
        Ok(self.strings("materials")?.unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;
    use serde_json::json;

    fn read(v: Value, exists: bool) -> Result<Command, Refusal> {
        let map = v.as_object().unwrap().clone();
        command(map["command"].as_str().unwrap(), &map, exists)
    }

    #[test]
    fn every_public_command_reads_its_fields() {
        let ok = read(json!({"command": "complete_task", "task": "tax", "ok": false, "reason": "x"}), true).unwrap();
        assert_eq!(ok.name(), CommandName::CompleteTask);
        let accept = read(json!({"command": "accept", "materials": ["a"]}), true).unwrap();
        assert!(matches!(accept, Command::Accept { intake: None, .. }));
        for name in COMMANDS {
            assert_eq!(command_name(name.as_str()).unwrap(), *name);
        }
        assert_eq!(COMMANDS.last(), Some(&CommandName::RenewSeizure));
        let lawsuit =
            read(json!({"command": "lawsuit_filed", "court": "城中区人民法院", "filed_on": "2025-10-09"}), true);
        assert!(matches!(lawsuit.unwrap(), Command::LawsuitFiled { .. }));
        let r = read(json!({"command": "lawsuit_filed", "court": "c", "filed_on": "10/09"}), true).unwrap_err();
        assert_eq!(r.detail, Some(crate::Detail::Field { name: "filed_on".into() }));
        for engine_own in &CommandName::ALL[COMMANDS.len()..] {
            assert!(command_name(engine_own.as_str()).is_err(), "{engine_own} is the engine's own");
        }
        assert!(command_name("auto_resume").is_err());
    }

    #[test]
    fn refusals_name_the_field() {
        let r = read(json!({"command": "extend", "working_days": -1}), true).unwrap_err();
        assert_eq!(r.code, ErrorCode::InvalidArgument);
        assert_eq!(r.detail, Some(crate::Detail::Field { name: "working_days".into() }));
        let r = read(json!({"command": "reject"}), true).unwrap_err();
        assert!(r.message.contains("`ground` is missing"), "{}", r.message);
        let r = read(
            json!({"command": "accept", "kind": "k", "applicant_category": "individual", "unit": "u",
                   "channel": "window", "applicants": [{"name": "a", "id": "b", "id_type": "driving_licence"}]}),
            false,
        )
        .unwrap_err();
        assert!(r.message.contains("applicants[0].id_type"), "{}", r.message);
    }

    #[test]
    fn unknown_fields_are_named() {
        let body = json!({"command": "accept", "kind": "k", "applicants": [{"name": "a", "id": "b", "age": 3}]});
        let r = no_unknown_fields(CommandName::Accept, body.as_object().unwrap(), &["command"]).unwrap_err();
        assert!(r.message.contains("applicants[0].age"), "{}", r.message);
        let body = json!({"command": "review", "note": "x"});
        let r = no_unknown_fields(CommandName::Review, body.as_object().unwrap(), &["command"]).unwrap_err();
        assert_eq!(r.detail, Some(crate::Detail::Field { name: "note".into() }));
        let body = json!({"command": "review", "expected_version": 3});
        no_unknown_fields(CommandName::Review, body.as_object().unwrap(), &["command", "expected_version"]).unwrap();
    }
}
