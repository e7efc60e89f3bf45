//! A token bucket per connection: a phone may send a burst of messages
//! and then a steady few a second; beyond that its messages are refused
//! (the server answers with an error and, past [`Limit::STRIKES`]
//! refusals in a row, closes the connection).

use std::time::Duration;

/// One connection's allowance.
#[derive(Clone, Debug, PartialEq)]
pub struct Limit {
    tokens: f64,
    at: Duration,
    strikes: u32,
}

impl Limit {
    /// Messages allowed at once.
    pub const BURST: f64 = 20.0;
    /// Messages allowed per second, sustained.
    pub const PER_SECOND: f64 = 5.0;
    /// Refusals in a row after which the connection is dropped.
    pub const STRIKES: u32 = 50;

    /// A full allowance at `now`.
    pub fn new(now: Duration) -> Limit {
        Limit {
            tokens: Limit::BURST,
            at: now,
            strikes: 0,
        }
    }

    /// Whether a message arriving at `now` is allowed (and counted).
    pub fn allow(&mut self, now: Duration) -> bool {
        let elapsed = now.saturating_sub(self.at).as_secs_f64();
        self.at = self.at.max(now);
        self.tokens = (self.tokens + elapsed * Limit::PER_SECOND).min(Limit::BURST);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            self.strikes = 0;
            true
        } else {
            self.strikes += 1;
            false
        }
    }

    /// Whether the connection has been refused too often in a row.
    pub fn exhausted(&self) -> bool {
        self.strikes >= Limit::STRIKES
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_passes_then_the_steady_rate() {
        let t = Duration::from_secs(100);
        let mut l = Limit::new(t);
        let burst = (0..100).filter(|_| l.allow(t)).count();
        assert_eq!(burst, Limit::BURST as usize);
        // One second later: five more.
        let later = t + Duration::from_secs(1);
        let more = (0..100).filter(|_| l.allow(later)).count();
        assert_eq!(more, Limit::PER_SECOND as usize);
        // A clock that goes back gives nothing.
        assert!(!l.allow(t));
    }

    #[test]
    fn refusals_in_a_row_exhaust_the_connection_and_an_allowed_one_resets() {
        let t = Duration::ZERO;
        let mut l = Limit::new(t);
        for _ in 0..Limit::BURST as usize {
            assert!(l.allow(t));
        }
        for _ in 0..Limit::STRIKES - 1 {
            assert!(!l.allow(t));
        }
        assert!(!l.exhausted());
        assert!(l.allow(t + Duration::from_secs(1)));
        assert!(!l.exhausted());
        let t = t + Duration::from_secs(1);
        while l.allow(t) {}
        for _ in 0..Limit::STRIKES {
            l.allow(t);
        }
        assert!(l.exhausted());
    }
}
