//! The rules of each command (SPEC 5.2, checks 9–13 and the command's own codes), once the
//! checks every command shares have passed.

use super::*;

/// The acceptance decision (条例 Art. 17) before it becomes an event. Short-lived, so the
/// size difference between its variants does not matter.
#[allow(clippy::large_enum_variant)]
enum Outcome {
    Accepted {
        pledged: Vec<MaterialId>,
        acceptance: Acceptance,
    },
    NotAccepted {
        missing: Vec<MaterialId>,
    },
}

impl<'a> Decider<'a> {
    fn completion(&self, acceptance: &Acceptance) -> Result<Completion, Refusal> {
        let now = self.ctx.now;
        let used = acceptance
            .clocks
            .working_days_used(now, self.ctx.calendar, self.hours())
            .map_err(|e| refuse(e.code(), e.to_string()))?;
        Ok(Completion {
            at: now,
            working_days_used: used.value,
            provisional: used.provisional,
            on_time: now <= acceptance.deadlines.promise.due_at,
            within_statute: now <= acceptance.deadlines.statutory.due_at,
        })
    }

    fn project(&self, clocks: &CaseClocks) -> Result<crate::deadline::Deadlines, Refusal> {
        clocks
            .project(self.ctx.calendar, self.hours())
            .map_err(|e| refuse(e.code(), e.to_string()))
    }

    /// The acceptance decision shared by `accept` and `handle_instantly`.
    fn acceptance_outcome(
        &self,
        kind: &KindSpec,
        materials: &[MaterialId],
        intake: &Intake,
        policy: &Policy,
    ) -> Result<Outcome, Refusal> {
        let present: BTreeSet<&MaterialId> = materials.iter().collect();
        let missing: Vec<&crate::catalogue::MaterialSpec> = kind
            .applicant_materials()
            .filter(|m| !present.contains(&m.id))
            .collect();
        let key_missing = missing.iter().any(|m| m.key);
        if key_missing || (!missing.is_empty() && !kind.pledges) {
            return Ok(Outcome::NotAccepted {
                missing: missing.iter().map(|m| m.id.clone()).collect(),
            });
        }
        let pledged = missing.iter().map(|m| m.id.clone()).collect();
        let clocks = policy.clocks(&intake.kind, intake.category, self.ctx.now);
        let deadlines = self.project(&clocks)?;
        Ok(Outcome::Accepted {
            pledged,
            acceptance: Acceptance {
                at: self.ctx.now,
                by: self.ctx.actor.id().clone(),
                policy: policy.id().clone(),
                clocks,
                deadlines,
            },
        })
    }

    // 9–13 per command.
    pub(super) fn command_rules(&self, kind: &'a KindSpec, role: Role) -> Result<Vec<Draft>, Refusal> {
        let ctx = self.ctx;
        match self.command {
            Command::Apply { intake, materials } => {
                let intake = self.parse_intake(intake, kind)?;
                let materials = self.parse_materials(materials, kind)?;
                Ok(vec![self.draft(
                    role,
                    State::PreReview,
                    Change::Applied { intake, materials },
                )])
            }
            Command::PreReview { pass, problems } => {
                let problems: Vec<String> = problems
                    .iter()
                    .map(|p| p.trim().to_owned())
                    .filter(|p| !p.is_empty())
                    .collect();
                let to = if *pass { State::AwaitingVisit } else { State::Returned };
                Ok(vec![self.draft(
                    role,
                    to,
                    Change::PreReviewed { pass: *pass, problems },
                )])
            }
            Command::Amend { materials } => {
                let materials = self.parse_materials(materials, kind)?;
                Ok(vec![self.draft(role, State::PreReview, Change::Amended { materials })])
            }
            Command::Accept { materials, .. } => {
                let (intake, opens) = match (self.case, self.intake_input()) {
                    (Some(case), _) => (case.intake().clone(), false),
                    (None, Some(input)) => (self.parse_intake(input, kind)?, true),
                    (None, None) => unreachable!("arguments checked"),
                };
                let mut given = self.parse_materials(materials, kind)?;
                if let Some(case) = self.case {
                    given.extend(case.materials().iter().cloned());
                    given.sort_by_key(|m| kind.materials.iter().position(|x| &x.id == m));
                    given.dedup();
                }
                let policy = self.policy()?;
                let intake_field = opens.then(|| intake.clone());
                let change = match self.acceptance_outcome(kind, &given, &intake, policy)? {
                    Outcome::Accepted { pledged, acceptance } => Change::Accepted {
                        intake: intake_field,
                        materials: given,
                        pledged,
                        tasks: kind.tasks.clone(),
                        acceptance,
                    },
                    Outcome::NotAccepted { missing } => Change::NotAccepted {
                        intake: intake_field,
                        materials: given,
                        missing,
                    },
                };
                let to = if matches!(change, Change::Accepted { .. }) {
                    State::Accepted
                } else {
                    State::NotAccepted
                };
                Ok(vec![self.draft(role, to, change)])
            }
            Command::HandleInstantly {
                intake: input,
                materials,
            } => {
                let policy = self.policy()?;
                if !policy.is_instant(&kind.id, input.applicant_category) {
                    return Err(refuse(
                        ErrorCode::NotInstantKind,
                        format!(
                            "`{}` for {} is not handled on the spot under policy `{}`",
                            kind.id,
                            input.applicant_category,
                            policy.id()
                        ),
                    ));
                }
                let intake = self.parse_intake(input, kind)?;
                let given = self.parse_materials(materials, kind)?;
                let change = match self.acceptance_outcome(kind, &given, &intake, policy)? {
                    Outcome::NotAccepted { missing } => Change::NotAccepted {
                        intake: Some(intake),
                        materials: given,
                        missing,
                    },
                    Outcome::Accepted { pledged, .. } if !pledged.is_empty() => {
                        let names: Vec<String> = pledged.iter().map(|m| m.to_string()).collect();
                        return Err(Refusal::new(
                            ErrorCode::MaterialsPending,
                            format!(
                                "an instant case completes on the spot; bring {} or accept the case instead",
                                names.join(", ")
                            ),
                        )
                        .with(Detail::Materials { materials: names }));
                    }
                    Outcome::Accepted { acceptance, .. } => {
                        if kind.blocked_by_seizure && ctx.unit_seized {
                            return Err(self.unit_seized(&intake.unit));
                        }
                        let completion = self.completion(&acceptance)?;
                        Change::HandledInstantly {
                            intake,
                            materials: given,
                            acceptance,
                            completion,
                        }
                    }
                };
                let to = if matches!(change, Change::HandledInstantly { .. }) {
                    State::Completed
                } else {
                    State::NotAccepted
                };
                Ok(vec![self.draft(role, to, change)])
            }
            Command::SupplyMaterials { materials } => {
                let case = self.case();
                let materials = self.parse_materials(materials, kind)?;
                let cleared: Vec<MaterialId> = materials
                    .iter()
                    .filter(|m| case.pledged().contains(*m))
                    .cloned()
                    .collect();
                Ok(vec![self.draft(
                    role,
                    case.state(),
                    Change::MaterialsSupplied { materials, cleared },
                )])
            }
            Command::CompleteTask { task, outcome } => {
                let case = self.case();
                if case.tasks().get(task) == Some(&TaskStatus::Succeeded) {
                    return Err(refuse(
                        ErrorCode::InvalidTransition,
                        format!("the `{task}` task already succeeded"),
                    ));
                }
                let (status, reason) = match outcome {
                    TaskOutcome::Succeeded => (TaskStatus::Succeeded, None),
                    TaskOutcome::Failed { reason } => (TaskStatus::Failed, Some(reason.trim().to_owned())),
                };
                Ok(vec![self.draft(
                    role,
                    case.state(),
                    Change::TaskCompleted {
                        task: *task,
                        status,
                        reason,
                    },
                )])
            }
            Command::Review => {
                let case = self.case();
                self.check_separation(case)?;
                let acceptance = case.acceptance().expect("accepted");
                if kind.produces == Produces::QueryResult {
                    let completion = self.completion(acceptance)?;
                    return Ok(vec![self.draft(
                        role,
                        State::Completed,
                        Change::Reviewed {
                            completion: Some(completion),
                        },
                    )]);
                }
                let mut drafts = vec![self.draft(role, State::Reviewed, Change::Reviewed { completion: None })];
                if let Some(days) = kind.public_notice_days {
                    let local = self.hours().local_date(ctx.now);
                    let end = ctx
                        .calendar
                        .add_working_days_projected(local, days)
                        .map_err(|e| refuse(e.code(), e.to_string()))?;
                    let notice = Notice {
                        days,
                        ends_at: self.hours().closing_on(end.value),
                    };
                    drafts.push(Draft {
                        command: CommandName::AutoSuspend,
                        actor: Actor::system(case.centre().clone()).id().clone(),
                        role: Role::System,
                        at: ctx.now,
                        state_after: State::Suspended,
                        change: Change::Suspended {
                            cause: SuspensionCause::PublicNotice,
                            note: format!("public notice of {days} working days (公告)"),
                            resume_to: State::Reviewed,
                            notice: Some(notice),
                        },
                    });
                }
                Ok(drafts)
            }
            Command::Record => {
                let case = self.case();
                self.check_separation(case)?;
                if !case.pledged().is_empty() {
                    let materials: Vec<String> = case.pledged().iter().map(|m| m.to_string()).collect();
                    return Err(Refusal::new(
                        ErrorCode::MaterialsPending,
                        format!("pledged materials are still outstanding: {}", materials.join(", ")),
                    )
                    .with(Detail::Materials { materials }));
                }
                let pending: Vec<_> = case
                    .tasks()
                    .iter()
                    .filter(|(_, s)| **s != TaskStatus::Succeeded)
                    .map(|(t, _)| *t)
                    .collect();
                if !pending.is_empty() {
                    let names: Vec<&str> = pending.iter().map(|t| t.as_str()).collect();
                    return Err(Refusal::new(
                        ErrorCode::TasksPending,
                        format!("parallel tasks have not succeeded: {}", names.join(", ")),
                    )
                    .with(Detail::Tasks { tasks: pending }));
                }
                if kind.blocked_by_seizure && ctx.unit_seized {
                    return Err(self.unit_seized(&case.intake().unit));
                }
                let completion = if kind.produces.issues_certificate() {
                    None
                } else {
                    Some(self.completion(case.acceptance().expect("accepted"))?)
                };
                let to = if completion.is_some() {
                    State::Completed
                } else {
                    State::Recorded
                };
                Ok(vec![self.draft(role, to, Change::Recorded { completion })])
            }
            Command::IssueCertificate => {
                let completion = self.completion(self.case().acceptance().expect("accepted"))?;
                Ok(vec![self.draft(
                    role,
                    State::Completed,
                    Change::CertificateIssued { completion },
                )])
            }
            Command::Suspend { cause, note } => {
                let case = self.case();
                Ok(vec![self.draft(
                    role,
                    State::Suspended,
                    Change::Suspended {
                        cause: *cause,
                        note: note.trim().to_owned(),
                        resume_to: case.state(),
                        notice: None,
                    },
                )])
            }
            Command::Resume => Ok(vec![self.resumed(role, ctx.now, false)?]),
            Command::AutoResume => {
                let case = self.case();
                let Some(notice) = case.suspension().and_then(|s| s.notice) else {
                    return Err(refuse(
                        ErrorCode::InvalidTransition,
                        "the case is not suspended for a public notice",
                    ));
                };
                if ctx.now < notice.ends_at {
                    return Err(refuse(
                        ErrorCode::InvalidTransition,
                        format!("the public notice runs until {}", self.hours().format(notice.ends_at)),
                    ));
                }
                let at = notice.ends_at.max(case.updated_at());
                Ok(vec![self.resumed(role, at, true)?])
            }
            Command::Reject { ground, note } => {
                let ground = RejectionGround::ALL.into_iter().find(|g| g.as_str() == ground.trim()).ok_or_else(|| {
                    Refusal::new(
                        ErrorCode::InvalidGround,
                        format!(
                            "`{ground}` is not a ground of 条例 Art. 22 (violates_law, ownership_dispute, right_expired, legally_barred)"
                        ),
                    )
                    .with(Detail::Field { name: "ground".into() })
                })?;
                Ok(vec![self.draft(
                    role,
                    State::Rejected,
                    Change::Rejected {
                        ground,
                        note: note.trim().to_owned(),
                    },
                )])
            }
            Command::Withdraw { consenting } => {
                let case = self.case();
                let given: BTreeSet<String> = consenting.iter().map(|c| c.trim().to_ascii_uppercase()).collect();
                if let Some(stranger) = given.iter().find(|c| !case.has_applicant(c)) {
                    return Err(Refusal::argument(
                        "consenting",
                        format!("`{stranger}` is not an applicant of this case"),
                    ));
                }
                let missing: Vec<String> = case
                    .intake()
                    .applicants
                    .iter()
                    .map(|a| a.id.as_str().to_owned())
                    .filter(|id| !given.contains(id))
                    .collect();
                if !missing.is_empty() {
                    return Err(Refusal::new(
                        ErrorCode::PartialWithdrawal,
                        format!("every applicant must consent; missing: {}", missing.join(", ")),
                    )
                    .with(Detail::Consent { missing }));
                }
                Ok(vec![self.draft(
                    role,
                    State::Withdrawn,
                    Change::Withdrawn {
                        consenting: given.into_iter().collect(),
                    },
                )])
            }
            Command::Extend { working_days, reason } => {
                let case = self.case();
                let acceptance = case.acceptance().expect("accepted");
                let clocks = acceptance
                    .clocks
                    .extended(*working_days, ctx.calendar, self.hours())
                    .map_err(|e| match e {
                        DeadlineError::ExceedsStatutory {
                            promise_due,
                            statutory_due,
                            ..
                        } => {
                            let message = match promise_due {
                                Some(due) => format!(
                                    "{working_days} more working days would put the promise at {}, after the statutory deadline {}",
                                    self.hours().format(due),
                                    self.hours().format(statutory_due)
                                ),
                                None => format!(
                                    "{working_days} more working days would put the promise past the statutory deadline {} (beyond any date regflow computes)",
                                    self.hours().format(statutory_due)
                                ),
                            };
                            Refusal::new(ErrorCode::ExceedsStatutory, message)
                            .with(Detail::Deadlines {
                                promise_due,
                                statutory_due,
                            })
                        }
                        other => Refusal::new(other.code(), other.to_string())
                            .with(Detail::Field { name: "working_days".into() }),
                    })?;
                let deadlines = self.project(&clocks)?;
                let days = clocks.extension_days() - acceptance.clocks.extension_days();
                Ok(vec![self.draft(
                    role,
                    case.state(),
                    Change::Extended {
                        days,
                        reason: reason.trim().to_owned(),
                        clocks,
                        deadlines,
                    },
                )])
            }
            Command::Evaluate { rating, comment } => {
                if self.case().evaluation().is_some() {
                    return Err(refuse(ErrorCode::AlreadyEvaluated, "the case was already evaluated"));
                }
                Ok(vec![self.draft(
                    role,
                    State::Completed,
                    Change::Evaluated {
                        rating: *rating,
                        comment: comment.trim().to_owned(),
                    },
                )])
            }
            Command::RaiseAlert { alert } => {
                let case = self.case();
                if !case.armed_alerts().contains(alert) {
                    return Err(refuse(
                        ErrorCode::InvalidTransition,
                        "that alert is not armed on this case",
                    ));
                }
                if ctx.now < alert.at {
                    return Err(refuse(ErrorCode::InvalidTransition, "that alert is not due yet"));
                }
                let mut d = self.draft(role, case.state(), Change::AlertRaised { alert: *alert });
                d.at = alert.at.max(case.updated_at());
                Ok(vec![d])
            }
            Command::Reproject => {
                let case = self.case();
                let acceptance = case.acceptance().expect("accepted");
                let deadlines = self.project(&acceptance.clocks)?;
                let notice = match case.suspension() {
                    Some(s) => match s.notice {
                        Some(n) => {
                            let start = self.hours().local_date(s.since);
                            let end = ctx
                                .calendar
                                .add_working_days_projected(start, n.days)
                                .map_err(|e| refuse(e.code(), e.to_string()))?;
                            Some(Notice {
                                days: n.days,
                                ends_at: self.hours().closing_on(end.value),
                            })
                        }
                        None => None,
                    },
                    None => None,
                };
                let notice_moved = notice.is_some() && notice != case.suspension().and_then(|s| s.notice);
                if !deadlines.moved_from(&acceptance.deadlines) && !notice_moved {
                    return Ok(Vec::new());
                }
                Ok(vec![self.draft(
                    role,
                    case.state(),
                    Change::Reprojected { deadlines, notice },
                )])
            }
        }
    }

    fn unit_seized(&self, unit: &UnitNumber) -> Refusal {
        refuse(
            ErrorCode::UnitSeized,
            format!("unit {unit} carries a seizure that has not been released (查扣冻规定 Art. 25)"),
        )
        .with(Detail::Field { name: "unit".into() })
    }

    fn resumed(&self, role: Role, at: DateTime<Utc>, automatic: bool) -> Result<Draft, Refusal> {
        let case = self.case();
        let s = case.suspension().expect("suspended");
        let acceptance = case.acceptance().expect("accepted");
        let closed = Suspension::new(s.since, at).expect("resume is not before suspension");
        let clocks = acceptance.clocks.clone().with_suspension(closed);
        let deadlines = self.project(&clocks)?;
        let mut d = self.draft(
            role,
            s.resume_to,
            Change::Resumed {
                automatic,
                clocks,
                deadlines,
            },
        );
        d.at = at;
        Ok(d)
    }
}
