//! UTC timestamps without a date-time dependency: Freshservice only needs `YYYY-MM-DDTHH:MM:SSZ` and
//! `YYYY-MM-DD`, and both are a few lines of civil-calendar arithmetic.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Seconds in one day.
pub(crate) const DAY: i64 = 86_400;

/// Where the sandbox reads the time from.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Clock {
    /// The host's clock.
    System,
    /// A frozen instant, in seconds since the Unix epoch.
    Fixed(i64),
}

impl Clock {
    /// The current time in seconds since the Unix epoch.
    pub(crate) fn now(self) -> i64 {
        match self {
            Clock::System => seconds_from_system_time(SystemTime::now()),
            Clock::Fixed(seconds) => seconds,
        }
    }
}

/// Seconds since the Unix epoch; instants before 1970 count backwards.
pub(crate) fn seconds_from_system_time(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        Err(before) => -i64::try_from(before.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

/// The inverse of [`seconds_from_system_time`].
pub(crate) fn system_time_from_seconds(seconds: i64) -> SystemTime {
    if seconds >= 0 {
        UNIX_EPOCH + Duration::from_secs(seconds.unsigned_abs())
    } else {
        UNIX_EPOCH - Duration::from_secs(seconds.unsigned_abs())
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
pub(crate) fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date of a day count since 1970-01-01, as `(year, month, day)`.
pub(crate) fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `YYYY-MM-DDTHH:MM:SSZ`, the form Freshservice uses for every timestamp.
pub(crate) fn format_timestamp(seconds: i64) -> String {
    let days = seconds.div_euclid(DAY);
    let in_day = seconds.rem_euclid(DAY);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        in_day / 3600,
        in_day % 3600 / 60,
        in_day % 60
    )
}

/// `YYYY-MM-DD` of the UTC day the instant falls in.
pub(crate) fn format_date(seconds: i64) -> String {
    let (year, month, day) = civil_from_days(seconds.div_euclid(DAY));
    format!("{year:04}-{month:02}-{day:02}")
}

/// Parses a strict `YYYY-MM-DD` into days since 1970-01-01.
pub(crate) fn parse_date(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let year = digits(text.get(0..4)?)?;
    let month = digits(text.get(5..7)?)?;
    let day = digits(text.get(8..10)?)?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    Some(days_from_civil(year, month, day))
}

/// Parses the ISO 8601 forms Freshservice accepts into seconds since the epoch.
///
/// Accepted: `YYYY-MM-DD`, then optionally `T` (or a space) and `HH:MM`, optional `:SS`, optional fraction,
/// optional `Z` or `±HH:MM` / `±HHMM`. UTC is assumed when no zone is given.
pub(crate) fn parse_timestamp(text: &str) -> Option<i64> {
    let text = text.trim();
    let days = parse_date(text.get(0..10)?)?;
    let rest = &text[10..];
    if rest.is_empty() {
        return Some(days * DAY);
    }
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    let hours = digits(rest.get(0..2)?)?;
    if rest.as_bytes().get(2) != Some(&b':') {
        return None;
    }
    let minutes = digits(rest.get(3..5)?)?;
    let mut rest = &rest[5..];
    let mut seconds = 0;
    if let Some(after) = rest.strip_prefix(':') {
        seconds = digits(after.get(0..2)?)?;
        rest = &after[2..];
        if let Some(fraction) = rest.strip_prefix('.') {
            let end = fraction
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(fraction.len());
            if end == 0 {
                return None;
            }
            rest = &fraction[end..];
        }
    }
    if hours > 23 || minutes > 59 || seconds > 60 {
        return None;
    }
    let offset = match rest {
        "" | "Z" | "z" => 0,
        zone => {
            let sign = match zone.as_bytes().first() {
                Some(b'+') => 1,
                Some(b'-') => -1,
                _ => return None,
            };
            let zone = zone.get(1..)?;
            let (zone_hours, zone_minutes) = match zone.len() {
                5 if zone.as_bytes().get(2) == Some(&b':') => {
                    (digits(zone.get(0..2)?)?, digits(zone.get(3..5)?)?)
                }
                4 => (digits(zone.get(0..2)?)?, digits(zone.get(2..4)?)?),
                2 => (digits(zone)?, 0),
                _ => return None,
            };
            sign * (zone_hours * 3600 + zone_minutes * 60)
        }
    };
    Some(days * DAY + hours * 3600 + minutes * 60 + seconds - offset)
}

/// Normalises any accepted timestamp to the `YYYY-MM-DDTHH:MM:SSZ` form.
pub(crate) fn normalize_timestamp(text: &str) -> Option<String> {
    parse_timestamp(text).map(format_timestamp)
}

/// The UTC date of a stored value: the value itself when it is a date, the date part of a timestamp otherwise.
pub(crate) fn utc_date_of(text: &str) -> Option<String> {
    if let Some(days) = parse_date(text) {
        return Some(format_date(days * DAY));
    }
    parse_timestamp(text).map(format_date)
}

fn digits(text: &str) -> Option<i64> {
    if text.is_empty() || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip() {
        fn check(text: &str, expected: Option<&str>) {
            assert_eq!(
                normalize_timestamp(text).as_deref(),
                expected,
                "input {text:?}"
            );
        }
        check("2025-01-31T10:20:30Z", Some("2025-01-31T10:20:30Z"));
        check("2025-01-31", Some("2025-01-31T00:00:00Z"));
        check("2025-01-31T10:20", Some("2025-01-31T10:20:00Z"));
        check("2025-01-31 10:20:30.123Z", Some("2025-01-31T10:20:30Z"));
        check("2025-01-31T01:00:00+02:00", Some("2025-01-30T23:00:00Z"));
        check("2025-01-31T23:00:00-0130", Some("2025-02-01T00:30:00Z"));
        check("2024-02-29T00:00:00Z", Some("2024-02-29T00:00:00Z"));
        check("1969-12-31T23:59:59Z", Some("1969-12-31T23:59:59Z"));
        check("2023-02-29", None);
        check("2025-13-01", None);
        check("2025-01-31T25:00:00Z", None);
        check("2025-01-31T10:20:30.Z", None);
        check("2025-1-31", None);
        check("yesterday", None);
        check("2025-01-31T10:20:30+1", None);
        check("2025-01-31T10:20:30+aéb", None);
        check("2025-01-31T10:20:30+é:00", None);
        check("2025-01-31Té", None);
        check("2025-01-31T10:é", None);
    }

    #[test]
    fn civil_conversion_matches_known_days() {
        fn check(days: i64, date: (i64, i64, i64)) {
            assert_eq!(civil_from_days(days), date);
            assert_eq!(days_from_civil(date.0, date.1, date.2), days);
        }
        check(0, (1970, 1, 1));
        check(-1, (1969, 12, 31));
        check(11_016, (2000, 2, 29));
        check(20_089, (2025, 1, 1));
    }

    #[test]
    fn dates_of_stored_values() {
        fn check(text: &str, expected: Option<&str>) {
            assert_eq!(utc_date_of(text).as_deref(), expected, "input {text:?}");
        }
        check("2025-06-01", Some("2025-06-01"));
        check("2025-06-01T23:30:00Z", Some("2025-06-01"));
        check("2025-06-01T23:30:00-02:00", Some("2025-06-02"));
        check("soon", None);
    }

    #[test]
    fn system_time_round_trips() {
        for seconds in [0, 1, -1, 1_700_000_000] {
            assert_eq!(
                seconds_from_system_time(system_time_from_seconds(seconds)),
                seconds
            );
        }
    }
}
