//! Opt-in rate-limit handling: repeating requests that hit the limit, and pacing requests so that part of the
//! account's budget stays free.
//!
//! Design note: every decision is a pure function of durations ([`RetryPolicy::wait_before_retry`],
//! [`pacing_wait`], [`aged`]), so the rules are tested without a clock or a server; `Client::send` only sleeps for
//! what they return, with `tokio::time::sleep` inside its own future, so dropping that future cancels the wait.
//!
//! Freshservice sends no reset header and its limit is per account, so the pacing state is kept once per
//! [`Client`](crate::Client) and shared by its clones; a reading is trusted for one window after it was taken.

use std::{
    sync::{Mutex, MutexGuard},
    time::Duration,
};

use http::{Method, StatusCode};
use ratelimit_headers::RateLimitStatus;
use tokio::time::Instant;

use crate::Error;

const DEFAULT_MAX_ATTEMPTS: u32 = 3;
const DEFAULT_MAX_TOTAL_WAIT: Duration = Duration::from_secs(30);
const FIRST_BACKOFF: Duration = Duration::from_secs(1);

/// Which failed requests [`Client::send`](crate::Client::send) repeats, and how long it may wait in total.
///
/// Set it with [`ClientBuilder::retry_policy`](crate::ClientBuilder::retry_policy); the default is
/// [`RetryPolicy::none`].
///
/// A 429 is repeated only for idempotent methods (GET, HEAD, PUT, DELETE), never for POST or PATCH, after the
/// `Retry-After` delay. With [`with_transient_errors`](Self::with_transient_errors), 502, 503, 504 and
/// connection failures are repeated too, but only for GET and HEAD, because a write may have been applied before
/// the failure. Timeouts are never repeated: the request already used its whole timeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    rate_limit: bool,
    transient: bool,
    max_attempts: u32,
    max_total_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self::none()
    }
}

impl RetryPolicy {
    /// Never repeat a request; every error, 429 included, comes straight back after one attempt.
    ///
    /// [`with_max_total_wait`](Self::with_max_total_wait) still bounds the waiting done by [`Pacing`].
    pub const fn none() -> Self {
        Self {
            rate_limit: false,
            transient: false,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            max_total_wait: DEFAULT_MAX_TOTAL_WAIT,
        }
    }

    /// Repeat idempotent requests (GET, HEAD, PUT, DELETE) that got a 429, after the `Retry-After` delay.
    ///
    /// Without `Retry-After`, the wait is the reset the answer named when no quota remains, otherwise the
    /// rate-limit window ([`ClientBuilder::rate_limit_window`](crate::ClientBuilder::rate_limit_window)).
    /// Defaults: 3 attempts in all, at most 30 s of waiting in all.
    pub const fn on_rate_limit() -> Self {
        Self {
            rate_limit: true,
            ..Self::none()
        }
    }

    /// Also repeat GET and HEAD requests that got 502, 503 or 504 or could not reach Freshservice.
    ///
    /// The wait is `Retry-After` when the answer has one, otherwise 1 s doubling with each retry, never longer than
    /// the rate-limit window.
    pub const fn with_transient_errors(mut self) -> Self {
        self.transient = true;
        self
    }

    /// The number of attempts in all, the first one included; 3 by default, 1 means never repeat.
    ///
    /// 0 is refused by [`ClientBuilder::build`](crate::ClientBuilder::build).
    pub const fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts;
        self
    }

    /// The most time one [`Client::send`](crate::Client::send) may spend waiting, retries and pacing together;
    /// 30 s by default.
    ///
    /// When the next retry's wait would go over it, the last error is returned at once instead.
    pub const fn with_max_total_wait(mut self, wait: Duration) -> Self {
        self.max_total_wait = wait;
        self
    }

    pub(crate) fn max_total_wait(&self) -> Duration {
        self.max_total_wait
    }

    pub(crate) fn check(&self) -> Result<(), Error> {
        if self.max_attempts == 0 {
            return Err(Error::InvalidConfig {
                setting: "retry_policy",
                reason: "max_attempts must be at least 1 (1 means never repeat)".to_owned(),
            });
        }
        Ok(())
    }

    /// How long to wait before repeating a request that failed with `error` after `attempts` attempts and
    /// `waited` of waiting; `None` to give up.
    pub(crate) fn wait_before_retry(
        &self,
        method: &Method,
        error: &Error,
        attempts: u32,
        waited: Duration,
        window: Duration,
    ) -> Option<Duration> {
        if attempts >= self.max_attempts {
            return None;
        }
        let safe = *method == Method::GET || *method == Method::HEAD;
        let idempotent = safe || *method == Method::PUT || *method == Method::DELETE;
        let wait = match error {
            Error::Api {
                status: StatusCode::TOO_MANY_REQUESTS,
                rate_limit,
                ..
            } if self.rate_limit && idempotent => rate_limit.retry_delay().unwrap_or(window),
            Error::Api {
                status:
                    StatusCode::BAD_GATEWAY
                    | StatusCode::SERVICE_UNAVAILABLE
                    | StatusCode::GATEWAY_TIMEOUT,
                rate_limit,
                ..
            } if self.transient && safe => rate_limit
                .retry_after
                .unwrap_or_else(|| backoff(attempts, window)),
            Error::Communication { .. } if self.transient && safe => backoff(attempts, window),
            _ => return None,
        };
        (waited.saturating_add(wait) <= self.max_total_wait).then_some(wait)
    }
}

/// 1 s before the first retry, doubling after that, never more than `window`.
fn backoff(attempts: u32, window: Duration) -> Duration {
    let doublings = attempts.saturating_sub(1).min(16);
    FIRST_BACKOFF.saturating_mul(1 << doublings).min(window)
}

/// Whether [`Client::send`](crate::Client::send) holds requests back to keep part of the rate-limit budget free.
///
/// Set it with [`ClientBuilder::pacing`](crate::ClientBuilder::pacing); the default is [`Pacing::none`].
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Pacing {
    keep_free: Option<f64>,
}

impl Pacing {
    /// Send at once, whatever the budget.
    pub const fn none() -> Self {
        Self { keep_free: None }
    }

    /// Keep `fraction` of the per-window budget free: `0.2` keeps 20 % of the calls for others.
    ///
    /// Before each attempt, when the last reading says the request would leave fewer than `fraction × limit` calls
    /// (or none at all), the client waits until the window is expected to refill: one window after the reading,
    /// or sooner when the reading named a reset. After a 429 it waits for that answer's `Retry-After` instead.
    /// The wait counts against [`RetryPolicy::with_max_total_wait`]; when that is used up, the request goes anyway.
    /// `fraction` must be from 0.0 up to but not including 1.0; 0.0 waits only when nothing is left.
    pub const fn keep_free(fraction: f64) -> Self {
        Self {
            keep_free: Some(fraction),
        }
    }

    pub(crate) fn fraction(&self) -> Option<f64> {
        self.keep_free
    }

    pub(crate) fn check(&self) -> Result<(), Error> {
        match self.keep_free {
            Some(fraction) if !(0.0..1.0).contains(&fraction) => Err(Error::InvalidConfig {
                setting: "pacing",
                reason: format!(
                    "keep_free must be a fraction from 0.0 up to but not including 1.0, for example 0.2; got {fraction}"
                ),
            }),
            _ => Ok(()),
        }
    }
}

/// The latest rate-limit reading of one client and its clones.
#[derive(Debug, Default)]
pub(crate) struct Budget {
    reading: Mutex<Option<Reading>>,
}

#[derive(Debug)]
struct Reading {
    status: RateLimitStatus,
    taken_at: Instant,
    /// Attempts let through by pacing since the reading, which the reading cannot know about yet.
    sent_since: u64,
}

impl Budget {
    /// Remembers `status` when it says anything about the budget.
    pub(crate) fn record(&self, status: &RateLimitStatus) {
        if status.limit.is_none() && status.remaining.is_none() && status.retry_after.is_none() {
            return;
        }
        *self.lock() = Some(Reading {
            status: status.clone(),
            taken_at: Instant::now(),
            sent_since: 0,
        });
    }

    /// The latest reading while it is current, with `reset` and `retry_after` counted down to now.
    pub(crate) fn latest(&self, window: Duration) -> Option<RateLimitStatus> {
        let guard = self.lock();
        let reading = guard.as_ref()?;
        aged(&reading.status, reading.taken_at.elapsed(), window)
    }

    /// `None` when an attempt may go now (and counts it), otherwise how long pacing asks to wait first.
    pub(crate) fn take_turn(&self, keep_free: f64, window: Duration) -> Option<Duration> {
        let mut guard = self.lock();
        // No reading yet: nothing to hold back for.
        let reading = guard.as_mut()?;
        let wait = pacing_wait(
            &reading.status,
            reading.sent_since,
            reading.taken_at.elapsed(),
            keep_free,
            window,
        );
        if wait.is_none() {
            reading.sent_since = reading.sent_since.saturating_add(1);
        }
        wait
    }

    /// Counts an attempt that goes although pacing asked to wait (the wait cap ran out).
    pub(crate) fn count_forced_turn(&self) {
        if let Some(reading) = self.lock().as_mut() {
            reading.sent_since = reading.sent_since.saturating_add(1);
        }
    }

    fn lock(&self) -> MutexGuard<'_, Option<Reading>> {
        // The reading is replaced whole or has one counter bumped, so it is consistent even after a panic elsewhere.
        self.reading
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// `status` as seen `elapsed` after it was read, or `None` once its window (or its `Retry-After`) has passed.
fn aged(status: &RateLimitStatus, elapsed: Duration, window: Duration) -> Option<RateLimitStatus> {
    let window = status.window.unwrap_or(window);
    if elapsed >= window.max(status.retry_after.unwrap_or_default()) {
        return None;
    }
    let mut status = status.clone();
    status.reset = status.reset.map(|reset| reset.saturating_sub(elapsed));
    status.retry_after = status.retry_after.map(|wait| wait.saturating_sub(elapsed));
    Some(status)
}

/// How long pacing holds the next attempt back, `elapsed` after `status` was read and `sent_since` attempts later.
fn pacing_wait(
    status: &RateLimitStatus,
    sent_since: u64,
    elapsed: Duration,
    keep_free: f64,
    window: Duration,
) -> Option<Duration> {
    // A `Retry-After` is the server's own word on when to come back, so it overrides any estimate.
    if let Some(retry_after) = status.retry_after {
        let left = retry_after.saturating_sub(elapsed);
        return (!left.is_zero()).then_some(left);
    }
    let window = status.window.unwrap_or(window);
    let refill = status.reset.map_or(window, |reset| reset.min(window));
    let left = refill.saturating_sub(elapsed);
    if left.is_zero() {
        return None;
    }
    let remaining = status.remaining?.saturating_sub(sent_since);
    // Limits are far below 2^52, so the float conversions are exact.
    let reserve = status.limit.map_or(0.0, |limit| keep_free * limit as f64);
    let too_low = remaining == 0 || ((remaining - 1) as f64) < reserve;
    too_low.then_some(left)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    fn secs(seconds: u64) -> Duration {
        Duration::from_secs(seconds)
    }

    fn status(
        limit: Option<u64>,
        remaining: Option<u64>,
        retry_after: Option<u64>,
    ) -> RateLimitStatus {
        let mut status = RateLimitStatus::default().with_window(MINUTE);
        status.limit = limit;
        status.remaining = remaining;
        status.retry_after = retry_after.map(secs);
        status
    }

    fn api_error(code: u16, retry_after: Option<u64>) -> Error {
        Error::Api {
            status: StatusCode::from_u16(code).unwrap(),
            body: None,
            raw_body: String::new(),
            rate_limit: status(None, None, retry_after),
            headers: http::HeaderMap::new(),
        }
    }

    fn communication() -> Error {
        Error::Communication {
            reason: "connection reset".to_owned(),
        }
    }

    #[test]
    fn retry_decisions() {
        let on_429 = RetryPolicy::on_rate_limit();
        let transient = RetryPolicy::on_rate_limit().with_transient_errors();
        let check = |policy: RetryPolicy,
                     method: Method,
                     error: Error,
                     attempts: u32,
                     waited: u64,
                     expected: Option<u64>| {
            assert_eq!(
                policy.wait_before_retry(&method, &error, attempts, secs(waited), MINUTE),
                expected.map(secs),
                "{policy:?} {method} {error} after {attempts} attempts and {waited} s"
            );
        };
        // Off by default.
        check(
            RetryPolicy::none(),
            Method::GET,
            api_error(429, Some(1)),
            1,
            0,
            None,
        );
        check(
            RetryPolicy::default(),
            Method::GET,
            api_error(429, Some(1)),
            1,
            0,
            None,
        );
        // Idempotent methods only.
        for method in [Method::GET, Method::HEAD, Method::PUT, Method::DELETE] {
            check(on_429, method, api_error(429, Some(2)), 1, 0, Some(2));
        }
        for method in [Method::POST, Method::PATCH] {
            check(on_429, method.clone(), api_error(429, Some(2)), 1, 0, None);
            check(transient, method, api_error(429, Some(2)), 1, 0, None);
        }
        // No Retry-After: the window, which is more than the default cap.
        check(
            on_429.with_max_total_wait(secs(120)),
            Method::GET,
            api_error(429, None),
            1,
            0,
            Some(60),
        );
        check(on_429, Method::GET, api_error(429, None), 1, 0, None);
        // Attempts and the wait cap.
        check(on_429, Method::GET, api_error(429, Some(1)), 2, 0, Some(1));
        check(on_429, Method::GET, api_error(429, Some(1)), 3, 0, None);
        check(
            on_429.with_max_attempts(1),
            Method::GET,
            api_error(429, Some(1)),
            1,
            0,
            None,
        );
        check(
            on_429,
            Method::GET,
            api_error(429, Some(10)),
            1,
            20,
            Some(10),
        );
        check(on_429, Method::GET, api_error(429, Some(11)), 1, 20, None);
        check(on_429, Method::GET, api_error(429, Some(31)), 1, 0, None);
        check(
            on_429.with_max_total_wait(secs(2)),
            Method::GET,
            api_error(429, Some(30)),
            1,
            0,
            None,
        );
        check(on_429, Method::GET, api_error(429, Some(0)), 1, 30, Some(0));
        // Transient failures: only when asked, only for GET and HEAD.
        check(on_429, Method::GET, api_error(503, None), 1, 0, None);
        check(on_429, Method::GET, communication(), 1, 0, None);
        check(transient, Method::GET, api_error(503, None), 1, 0, Some(1));
        check(transient, Method::HEAD, api_error(502, None), 2, 0, Some(2));
        check(
            transient.with_max_attempts(9),
            Method::GET,
            api_error(504, None),
            4,
            0,
            Some(8),
        );
        check(
            transient,
            Method::GET,
            api_error(503, Some(5)),
            1,
            0,
            Some(5),
        );
        check(transient, Method::GET, communication(), 1, 0, Some(1));
        check(transient, Method::PUT, api_error(503, None), 1, 0, None);
        check(transient, Method::DELETE, communication(), 1, 0, None);
        check(
            RetryPolicy::none().with_transient_errors(),
            Method::GET,
            api_error(503, None),
            1,
            0,
            Some(1),
        );
        // Never: other statuses, timeouts, refused requests.
        check(transient, Method::GET, api_error(500, None), 1, 0, None);
        check(transient, Method::GET, api_error(404, None), 1, 0, None);
        check(
            transient,
            Method::GET,
            Error::Timeout { after: secs(1) },
            1,
            0,
            None,
        );
        check(
            transient,
            Method::GET,
            Error::InvalidRequest {
                reason: "bad path".to_owned(),
            },
            1,
            0,
            None,
        );
    }

    #[test]
    fn backoff_doubles_up_to_the_window() {
        assert_eq!(backoff(1, MINUTE), secs(1));
        assert_eq!(backoff(2, MINUTE), secs(2));
        assert_eq!(backoff(3, MINUTE), secs(4));
        assert_eq!(backoff(10, MINUTE), MINUTE);
        assert_eq!(backoff(u32::MAX, MINUTE), MINUTE);
        assert_eq!(
            backoff(1, Duration::from_millis(300)),
            Duration::from_millis(300)
        );
    }

    #[test]
    fn pacing_decisions() {
        let check = |status: RateLimitStatus,
                     sent_since: u64,
                     elapsed: u64,
                     keep_free: f64,
                     expected: Option<u64>| {
            assert_eq!(
                pacing_wait(&status, sent_since, secs(elapsed), keep_free, MINUTE),
                expected.map(secs),
                "{status:?} {sent_since} sent, {elapsed} s later, keep {keep_free}"
            );
        };
        // 10 calls, keep 20 % free: the request may leave 2 but not 1.
        check(status(Some(10), Some(3), None), 0, 0, 0.2, None);
        check(status(Some(10), Some(2), None), 0, 0, 0.2, Some(60));
        check(status(Some(10), Some(1), None), 0, 15, 0.2, Some(45));
        // Attempts let through since the reading count.
        check(status(Some(10), Some(4), None), 1, 0, 0.2, None);
        check(status(Some(10), Some(4), None), 2, 0, 0.2, Some(60));
        // Keeping nothing free waits only when nothing is left.
        check(status(Some(10), Some(1), None), 0, 0, 0.0, None);
        check(status(Some(10), Some(0), None), 0, 0, 0.0, Some(60));
        check(status(None, Some(0), None), 0, 0, 0.5, Some(60));
        check(status(None, Some(1), None), 0, 0, 0.5, None);
        // A reading from a window that has passed says nothing.
        check(status(Some(10), Some(0), None), 0, 60, 0.2, None);
        check(status(Some(10), Some(0), None), 0, 600, 0.2, None);
        // Nothing known about the remaining calls.
        check(status(Some(10), None, None), 0, 0, 0.2, None);
        // Retry-After wins, both ways.
        check(status(Some(10), Some(0), Some(5)), 0, 2, 0.2, Some(3));
        check(status(Some(10), Some(0), Some(5)), 0, 5, 0.2, None);
        check(status(None, None, Some(120)), 0, 0, 0.2, Some(120));
        // A named reset shortens the wait but never lengthens it past the window.
        let mut reset = status(Some(10), Some(0), None);
        reset.reset = Some(secs(10));
        check(reset.clone(), 0, 4, 0.2, Some(6));
        reset.reset = Some(secs(600));
        check(reset, 0, 0, 0.2, Some(60));
        // The reading's own window wins over the configured one.
        let mut short = status(Some(10), Some(0), None);
        short.window = Some(secs(5));
        check(short, 0, 1, 0.2, Some(4));
    }

    #[test]
    fn readings_age() {
        let reading = {
            let mut reading = status(Some(100), Some(40), Some(30));
            reading.reset = Some(secs(20));
            reading
        };
        let now = aged(&reading, secs(25), MINUTE).unwrap();
        assert_eq!(now.retry_after, Some(secs(5)));
        assert_eq!(now.reset, Some(Duration::ZERO));
        assert_eq!((now.limit, now.remaining), (Some(100), Some(40)));
        assert_eq!(aged(&reading, secs(60), MINUTE), None);
        // A Retry-After longer than the window keeps the reading alive until it has passed.
        let long = status(Some(100), Some(0), Some(90));
        assert!(aged(&long, secs(80), MINUTE).is_some());
        assert_eq!(aged(&long, secs(90), MINUTE), None);
        assert_eq!(
            aged(&status(Some(1), Some(1), None), Duration::ZERO, MINUTE),
            Some(status(Some(1), Some(1), None))
        );
    }

    #[test]
    fn settings_are_checked() {
        for fraction in [0.0, 0.2, 0.999] {
            assert!(Pacing::keep_free(fraction).check().is_ok(), "{fraction}");
        }
        for fraction in [1.0, 1.5, -0.1, f64::NAN, f64::INFINITY] {
            let error = Pacing::keep_free(fraction).check().unwrap_err();
            assert!(
                matches!(&error, Error::InvalidConfig { setting: "pacing", reason } if reason.contains("keep_free")),
                "{error:?}"
            );
        }
        assert!(Pacing::none().check().is_ok());
        assert!(RetryPolicy::on_rate_limit().check().is_ok());
        assert!(RetryPolicy::none().with_max_attempts(1).check().is_ok());
        let error = RetryPolicy::on_rate_limit()
            .with_max_attempts(0)
            .check()
            .unwrap_err();
        assert!(
            matches!(&error, Error::InvalidConfig { setting: "retry_policy", reason } if reason.contains("max_attempts")),
            "{error:?}"
        );
    }

    #[test]
    fn budget_records_only_readings_about_the_budget() {
        let budget = Budget::default();
        assert_eq!(budget.latest(MINUTE), None);
        assert_eq!(budget.take_turn(0.2, MINUTE), None);
        budget.record(&RateLimitStatus::default().with_window(MINUTE));
        assert_eq!(budget.latest(MINUTE), None);
        let mut used_only = RateLimitStatus::default().with_window(MINUTE);
        used_only.used = Some(1);
        budget.record(&used_only);
        assert_eq!(budget.latest(MINUTE), None);

        budget.record(&status(Some(10), Some(4), None));
        assert_eq!(budget.latest(MINUTE).and_then(|s| s.remaining), Some(4));
        // 4 left, 2 kept free: two turns go, the third waits.
        assert_eq!(budget.take_turn(0.2, MINUTE), None);
        assert_eq!(budget.take_turn(0.2, MINUTE), None);
        assert!(budget.take_turn(0.2, MINUTE).is_some());
        // The caller sees the reading as it came, not the local count.
        assert_eq!(budget.latest(MINUTE).and_then(|s| s.remaining), Some(4));
        // A fresh reading replaces the count.
        budget.record(&status(Some(10), Some(2), None));
        assert_eq!(budget.take_turn(0.0, MINUTE), None);
        // A forced turn counts like any other: 2 left, 2 sent.
        budget.count_forced_turn();
        assert!(
            budget
                .take_turn(0.0, MINUTE)
                .is_some_and(|wait| wait <= MINUTE)
        );
    }
}
