//! How long a webhook's delivery loop waits before its next pass.

use std::time::Duration;

/// The longest wait after failures.
const MAX: Duration = Duration::from_secs(60);

/// After a clean pass, the loop's poll interval; after a failed one, a wait that doubles from
/// the configured first wait up to a minute, and starts again at the first after a success.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Backoff {
    first: Duration,
    next: Duration,
}

impl Backoff {
    /// Starting at `first` (at least a millisecond).
    pub(crate) fn new(first: Duration) -> Backoff {
        let first = first.max(Duration::from_millis(1));
        Backoff { first, next: first }
    }

    /// The wait after a pass that `failed` or not, for a loop polling every `poll`.
    pub(crate) fn after(&mut self, failed: bool, poll: Duration) -> Duration {
        if failed {
            let wait = self.next;
            self.next = (self.next * 2).min(MAX);
            wait
        } else {
            self.next = self.first;
            poll
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_double_the_wait_up_to_a_minute_and_a_success_resets_it() {
        let poll = Duration::from_secs(1);
        let mut b = Backoff::new(Duration::from_millis(500));
        let waits: Vec<u128> = (0..9).map(|_| b.after(true, poll).as_millis()).collect();
        assert_eq!(waits, [500, 1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000]);
        assert_eq!(b.after(false, poll), poll);
        assert_eq!(b.after(true, poll), Duration::from_millis(500));
    }
}
