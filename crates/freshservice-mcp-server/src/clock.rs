//! Time: unix seconds inside, RFC 3339 UTC on the wire. The clock is injectable so expiry can
//! be tested without sleeping.

use std::sync::Arc;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The current time in unix seconds.
pub(crate) type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// The system clock.
pub(crate) fn system_clock() -> Clock {
    Arc::new(|| OffsetDateTime::now_utc().unix_timestamp())
}

/// `seconds` as RFC 3339 in UTC, e.g. `2026-01-31T12:00:00Z`.
pub(crate) fn format_rfc3339(seconds: i64) -> String {
    OffsetDateTime::from_unix_timestamp(seconds)
        .ok()
        .and_then(|time| time.format(&Rfc3339).ok())
        .unwrap_or_else(|| seconds.to_string())
}

/// Reads an RFC 3339 time (any offset) as unix seconds, rounding a fraction up so a server
/// never lives longer than asked.
pub(crate) fn parse_rfc3339(text: &str) -> Option<i64> {
    let time = OffsetDateTime::parse(text, &Rfc3339).ok()?;
    let seconds = time.unix_timestamp();
    Some(if time.nanosecond() > 0 {
        seconds.saturating_add(1)
    } else {
        seconds
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_trials() {
        let check = |text: &str, expected: Option<i64>| {
            assert_eq!(parse_rfc3339(text), expected, "{text}");
        };
        check("1970-01-01T00:00:00Z", Some(0));
        check("2026-01-31T12:00:00Z", Some(1_769_860_800));
        check("2026-01-31T13:00:00+01:00", Some(1_769_860_800));
        check("2026-01-31T12:00:00.5Z", Some(1_769_860_801));
        check("2026-01-31", None);
        check("tomorrow", None);
        assert_eq!(format_rfc3339(1_769_860_800), "2026-01-31T12:00:00Z");
    }
}
