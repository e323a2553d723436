//! Readers for single, non-structured values: plain integers, reset values and `Retry-After`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::Error;

/// Reset integers at or above this are read as Unix epoch seconds (2001-09-09), because as a delta they would
/// mean more than 31 years.
pub(crate) const EPOCH_SECONDS_FROM: u64 = 1_000_000_000;

/// Reset integers at or above this are read as Unix epoch milliseconds, because as epoch seconds they would lie
/// more than 30,000 years ahead.
pub(crate) const EPOCH_MILLIS_FROM: u64 = 1_000_000_000_000;

const RETRY_AFTER_EXPECTED: &str = "delay-seconds (a non-negative integer) or an HTTP-date";
const RESET_EXPECTED: &str =
    "non-negative integer delta seconds, Unix epoch seconds or milliseconds, or an HTTP-date";

/// Reads `Retry-After` as delay-seconds or an HTTP-date (IMF-fixdate, RFC 850 or asctime form).
///
/// A date is turned into the delay from `now`; a date in the past gives zero.
/// Surrounding whitespace is ignored.
///
/// # Errors
///
/// [`Error::InvalidValue`] when the value is neither a non-negative integer that fits in `u64` nor an HTTP-date.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, SystemTime};
///
/// let delay = ratelimit_headers::parse_retry_after(b"1521", SystemTime::now()).unwrap();
/// assert_eq!(delay, Duration::from_secs(1521));
/// ```
pub fn parse_retry_after(value: &[u8], now: SystemTime) -> Result<Duration, Error> {
    let trimmed = value.trim_ascii();
    plain_integer(trimmed)
        .map(Duration::from_secs)
        .or_else(|| http_date_delay(trimmed, now))
        .ok_or(Error::InvalidValue {
            field: "retry-after",
            expected: RETRY_AFTER_EXPECTED,
        })
}

/// Reads a vendor reset value such as `X-RateLimit-Reset`, whose meaning differs between APIs.
///
/// Integers below 10^9 are delta seconds.
/// Integers from 10^9 up to 10^12 are Unix epoch seconds and integers from 10^12 up are Unix epoch milliseconds;
/// both become the delay from `now`, and a moment in the past gives zero.
/// A delta in milliseconds cannot be told apart from a delta in seconds, so it is read as seconds: the caller waits
/// longer than needed rather than too little.
/// An HTTP-date is also accepted.
///
/// # Errors
///
/// [`Error::InvalidValue`] when the value is none of those forms (decimals such as `1.5` and negative numbers are
/// rejected), or names a moment this platform's clock cannot represent.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, SystemTime, UNIX_EPOCH};
///
/// let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
/// let delta = ratelimit_headers::parse_reset(b"30", now).unwrap();
/// let epoch = ratelimit_headers::parse_reset(b"1700000030", now).unwrap();
/// assert_eq!(delta, Duration::from_secs(30));
/// assert_eq!(epoch, Duration::from_secs(30));
/// ```
pub fn parse_reset(value: &[u8], now: SystemTime) -> Result<Duration, Error> {
    let trimmed = value.trim_ascii();
    let parsed = match plain_integer(trimmed) {
        Some(number) => reset_from_integer(number, now),
        None => http_date_delay(trimmed, now),
    };
    parsed.ok_or(Error::InvalidValue {
        field: "x-ratelimit-reset",
        expected: RESET_EXPECTED,
    })
}

/// Applies the delta / epoch-seconds / epoch-milliseconds rule of [`parse_reset`] to an integer.
pub(crate) fn reset_from_integer(number: u64, now: SystemTime) -> Option<Duration> {
    if number >= EPOCH_MILLIS_FROM {
        delay_until(UNIX_EPOCH.checked_add(Duration::from_millis(number))?, now)
    } else if number >= EPOCH_SECONDS_FROM {
        delay_until(UNIX_EPOCH.checked_add(Duration::from_secs(number))?, now)
    } else {
        Some(Duration::from_secs(number))
    }
}

/// A non-negative decimal integer with nothing else around it except whitespace.
///
/// `str::parse` alone would also accept a leading `+`, which no rate-limit field allows.
pub(crate) fn plain_integer(bytes: &[u8]) -> Option<u64> {
    let digits = bytes.trim_ascii();
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

/// Like [`plain_integer`], but when a proxy merged repeated fields into one comma-separated value, reads the first.
pub(crate) fn first_plain_integer(bytes: &[u8]) -> Option<u64> {
    plain_integer(bytes.split(|byte| *byte == b',').next()?)
}

fn http_date_delay(bytes: &[u8], now: SystemTime) -> Option<Duration> {
    let text = std::str::from_utf8(bytes).ok()?;
    let when = httpdate::parse_http_date(text).ok()?;
    delay_until(when, now)
}

fn delay_until(when: SystemTime, now: SystemTime) -> Option<Duration> {
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2015-10-21T07:28:00Z.
    fn now() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_445_412_480)
    }

    #[test]
    fn plain_integers() {
        let trials: &[(&[u8], Option<u64>)] = &[
            (b"0", Some(0)),
            (b" 42\t", Some(42)),
            (b"007", Some(7)),
            (b"18446744073709551615", Some(u64::MAX)),
            (b"18446744073709551616", None),
            (b"", None),
            (b"  ", None),
            (b"+5", None),
            (b"-5", None),
            (b"1.5", None),
            (b"1e3", None),
            (b"0x10", None),
            (b"4 2", None),
            (b"\xff1", None),
        ];
        for (input, expected) in trials {
            assert_eq!(plain_integer(input), *expected, "input {input:?}");
        }
        assert_eq!(first_plain_integer(b"100, 100"), Some(100));
        assert_eq!(first_plain_integer(b"x, 100"), None);
    }

    #[test]
    fn retry_after_values() {
        let trials: &[(&[u8], Option<u64>)] = &[
            (b"1521", Some(1521)),
            (b" 0 ", Some(0)),
            (b"Wed, 21 Oct 2015 07:28:30 GMT", Some(30)),
            (b"Wednesday, 21-Oct-15 07:29:00 GMT", Some(60)),
            (b"Wed Oct 21 07:28:05 2015", Some(5)),
            (b"Tue, 20 Oct 2015 07:28:00 GMT", Some(0)),
            (b"Wed, 21 Oct 2015 07:28:30 UTC", None),
            (b"1.5", None),
            (b"-1", None),
            (b"soon", None),
            (b"99999999999999999999", None),
            (b"", None),
        ];
        for (input, expected) in trials {
            let got = parse_retry_after(input, now()).ok().map(|d| d.as_secs());
            assert_eq!(got, *expected, "input {:?}", String::from_utf8_lossy(input));
        }
        let error = parse_retry_after(b"soon", now()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid `retry-after` value: expected delay-seconds (a non-negative integer) or an HTTP-date"
        );
    }

    #[test]
    fn reset_values() {
        let trials: &[(&str, Option<u64>)] = &[
            ("30", Some(30)),
            ("999999999", Some(999_999_999)),
            ("1445412540", Some(60)),
            ("1445412000", Some(0)),
            ("1445412485000", Some(5)),
            ("1445412485999", Some(5)),
            ("Wed, 21 Oct 2015 07:28:30 GMT", Some(30)),
            ("1.5", None),
            ("-30", None),
            ("", None),
        ];
        for (input, expected) in trials {
            let got = parse_reset(input.as_bytes(), now())
                .ok()
                .map(|d| d.as_secs());
            assert_eq!(got, *expected, "input {input:?}");
        }
        // Sub-second precision is kept so that callers can round as they see fit.
        assert_eq!(
            parse_reset(b"1445412485500", now()).unwrap(),
            Duration::from_millis(5500)
        );
    }
}
