//! The account-wide per-minute credit budget, as Freshservice runs it for accounts created after September 2020.

use std::time::{Duration, Instant};

/// The length of one rate-limit window.
pub(crate) const WINDOW: Duration = Duration::from_secs(60);

/// A fixed one-minute window that opens with the first request after the previous one closed.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    limit: u32,
    window_start: Option<Instant>,
    used: u32,
}

/// The outcome of charging one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Charge {
    /// Credits allowed per window (`X-RateLimit-Total`).
    pub(crate) total: u32,
    /// Credits left after this request (`X-RateLimit-Remaining`).
    pub(crate) remaining: u32,
    /// Credits this request used (`X-RateLimit-Used-CurrentRequest`); 0 when refused.
    pub(crate) used: u32,
    /// `Some(seconds until the window closes)` when the request is refused (`Retry-After`).
    pub(crate) retry_after: Option<u64>,
}

impl RateLimiter {
    pub(crate) fn new(limit: u32) -> Self {
        RateLimiter {
            limit,
            window_start: None,
            used: 0,
        }
    }

    /// Charges `cost` credits at `now`, or refuses when they do not fit in the current window.
    pub(crate) fn charge(&mut self, cost: u32, now: Instant) -> Charge {
        let start = match self.window_start {
            Some(start) if now.saturating_duration_since(start) < WINDOW => start,
            _ => {
                self.used = 0;
                self.window_start = Some(now);
                now
            }
        };
        let remaining = self.limit.saturating_sub(self.used);
        if cost > remaining {
            let left = WINDOW.saturating_sub(now.saturating_duration_since(start));
            let seconds = left.as_secs() + u64::from(left.subsec_nanos() > 0);
            return Charge {
                total: self.limit,
                remaining,
                used: 0,
                retry_after: Some(seconds.max(1)),
            };
        }
        self.used += cost;
        Charge {
            total: self.limit,
            remaining: self.limit - self.used,
            used: cost,
            retry_after: None,
        }
    }

    /// The state of the window at `now` without charging anything (for answers the account is not charged for).
    pub(crate) fn peek(&self, now: Instant) -> Charge {
        let used = match self.window_start {
            Some(start) if now.saturating_duration_since(start) < WINDOW => self.used,
            _ => 0,
        };
        Charge {
            total: self.limit,
            remaining: self.limit.saturating_sub(used),
            used: 0,
            retry_after: None,
        }
    }

    /// Forgets the current window, as if a minute had passed.
    pub(crate) fn reset(&mut self) {
        self.window_start = None;
        self.used = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charges_until_the_window_is_spent_then_refuses() {
        let mut limiter = RateLimiter::new(5);
        let start = Instant::now();
        let check =
            |limiter: &mut RateLimiter, cost, at: u64, expected: (u32, u32, Option<u64>)| {
                let charge = limiter.charge(cost, start + Duration::from_millis(at));
                assert_eq!(
                    (charge.remaining, charge.used, charge.retry_after),
                    expected,
                    "cost {cost} at {at} ms"
                );
                assert_eq!(charge.total, 5);
            };
        check(&mut limiter, 1, 0, (4, 1, None));
        check(&mut limiter, 3, 1_000, (1, 3, None));
        check(&mut limiter, 2, 10_500, (1, 0, Some(50)));
        check(&mut limiter, 1, 20_000, (0, 1, None));
        check(&mut limiter, 1, 59_999, (0, 0, Some(1)));
        assert_eq!(
            limiter
                .peek(start + Duration::from_millis(59_000))
                .remaining,
            0
        );
        assert_eq!(
            limiter
                .peek(start + Duration::from_millis(60_000))
                .remaining,
            5
        );
        check(&mut limiter, 1, 60_000, (4, 1, None));
        limiter.reset();
        check(&mut limiter, 5, 60_001, (0, 5, None));
    }
}
