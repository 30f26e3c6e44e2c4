//! Timers: what a case asks to be woken for, and what happens when it is.
//!
//! As in a sans-I/O protocol core, the case says which instants it needs (its
//! [`Case::timers`]) and which command each becomes when it comes due
//! ([`Timer::command`]); the executor stores them by [`Timer::key`] and due instant, claims
//! the due ones and decides their commands, without knowing what they mean.

use chrono::{DateTime, Utc};

use crate::alert::{AlertLevel, PlannedAlert};
use crate::case::{Case, State};
use crate::command::Command;
use crate::deadline::ClockKind;

/// What a timer does when it fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TimerKind {
    /// Raise a deadline alert.
    Alert {
        /// Promise or statutory.
        clock: ClockKind,
        /// Warning or breach.
        level: AlertLevel,
    },
    /// A public notice has run: the case resumes by itself.
    NoticeEnds,
}

/// One armed timer of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timer {
    /// What it does.
    pub kind: TimerKind,
    /// When it comes due (it fires once this instant has passed).
    pub at: DateTime<Utc>,
}

const ALERT_KEYS: [(&str, ClockKind, AlertLevel); 4] = [
    ("promise_warning", ClockKind::Promise, AlertLevel::Warning),
    ("promise_breach", ClockKind::Promise, AlertLevel::Breach),
    ("statutory_warning", ClockKind::Statutory, AlertLevel::Warning),
    ("statutory_breach", ClockKind::Statutory, AlertLevel::Breach),
];

/// The stored key of [`TimerKind::NoticeEnds`].
const NOTICE_ENDS: &str = "auto_resume";

impl Timer {
    /// The timer of an armed alert.
    pub fn alert(alert: PlannedAlert) -> Timer {
        Timer { kind: TimerKind::Alert { clock: alert.clock, level: alert.level }, at: alert.at }
    }

    /// The stable key a timer is stored under (with its instant, it names the timer).
    pub fn key(&self) -> &'static str {
        match self.kind {
            TimerKind::NoticeEnds => NOTICE_ENDS,
            TimerKind::Alert { clock, level } => ALERT_KEYS
                .iter()
                .find(|(_, c, l)| *c == clock && *l == level)
                .map(|(k, _, _)| *k)
                .expect("every clock and level has a key"),
        }
    }

    /// The timer stored under `key` at `at`; `None` for a key this version does not know.
    pub fn from_key(key: &str, at: DateTime<Utc>) -> Option<Timer> {
        let kind = if key == NOTICE_ENDS {
            TimerKind::NoticeEnds
        } else {
            let (_, clock, level) = ALERT_KEYS.iter().find(|(k, _, _)| *k == key)?;
            TimerKind::Alert { clock: *clock, level: *level }
        };
        Some(Timer { kind, at })
    }

    /// The alert it raises, if it is an alert.
    pub fn planned_alert(&self) -> Option<PlannedAlert> {
        match self.kind {
            TimerKind::Alert { clock, level } => Some(PlannedAlert { clock, level, at: self.at }),
            TimerKind::NoticeEnds => None,
        }
    }

    /// The command the engine decides on the case when the timer fires. A timer the case
    /// no longer arms is refused by `decide` and can be dropped.
    pub fn command(&self) -> Command {
        match self.planned_alert() {
            Some(alert) => Command::RaiseAlert { alert },
            None => Command::AutoResume,
        }
    }
}

impl Case {
    /// Every timer the case wants armed now: its running clocks' alerts not yet raised,
    /// and the end of a public notice it is suspended for.
    pub fn timers(&self) -> Vec<Timer> {
        let mut out: Vec<Timer> = self.armed_alerts().into_iter().map(Timer::alert).collect();
        if self.state() == State::Suspended {
            if let Some(notice) = self.suspension().and_then(|s| s.notice) {
                out.push(Timer { kind: TimerKind::NoticeEnds, at: notice.ends_at });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        let at = DateTime::from_timestamp(1_772_000_000, 0).unwrap();
        for (key, clock, level) in ALERT_KEYS {
            let t = Timer::from_key(key, at).unwrap();
            assert_eq!(t.key(), key);
            assert_eq!(t.planned_alert(), Some(PlannedAlert { clock, level, at }));
        }
        let notice = Timer::from_key(NOTICE_ENDS, at).unwrap();
        assert_eq!(notice.command(), Command::AutoResume);
        assert!(Timer::from_key("promise_reminder", at).is_none());
    }
}
