//! Where the engine reads the time: the system clock, or a controllable one.

use chrono::{DateTime, Utc};
use std::sync::Arc;
use tokio::sync::watch;

/// A source of the current instant.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;

    /// Changes when the clock is set (a manual clock); `None` for real time.
    fn jumped(&self) -> Option<watch::Receiver<DateTime<Utc>>> {
        None
    }
}

/// The operating system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that moves only when told to: for tests and simulations.
#[derive(Debug, Clone)]
pub struct ManualClock {
    now: Arc<watch::Sender<DateTime<Utc>>>,
}

impl ManualClock {
    /// A clock standing at `start`.
    pub fn new(start: DateTime<Utc>) -> ManualClock {
        ManualClock { now: Arc::new(watch::channel(start).0) }
    }

    /// Moves the clock to `instant` (backwards too; the engine refuses commands that would
    /// go back in a case's history).
    pub fn set(&self, instant: DateTime<Utc>) {
        self.now.send_replace(instant);
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: chrono::Duration) {
        let next = self.now() + by;
        self.set(next);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.borrow()
    }

    fn jumped(&self) -> Option<watch::Receiver<DateTime<Utc>>> {
        Some(self.now.subscribe())
    }
}

/// `t` truncated to the microsecond.
pub(crate) fn to_micros(t: DateTime<Utc>) -> DateTime<Utc> {
    use chrono::SubsecRound;
    t.trunc_subsecs(6)
}

/// Microseconds since the epoch: how instants are stored.
pub(crate) fn micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

/// The instant of stored microseconds.
pub(crate) fn from_micros(us: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(us).unwrap_or_default()
}
