//! Writing a [`RateLimitStatus`] as IETF RateLimit header fields.

use std::time::Duration;

use http::{HeaderMap, HeaderName, HeaderValue};

use crate::{RateLimitStatus, sf::MAX_INTEGER};

/// Policy name written when the reading has none.
const DEFAULT_POLICY_NAME: &str = "default";

impl RateLimitStatus {
    /// The IETF fields to send downstream, as a header map; see [`RateLimitStatus::ietf_fields`] for the contents.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// use http::HeaderMap;
    /// use ratelimit_headers::RateLimitStatus;
    ///
    /// let mut upstream = HeaderMap::new();
    /// upstream.insert("x-ratelimit-total", "100".parse().unwrap());
    /// upstream.insert("x-ratelimit-remaining", "42".parse().unwrap());
    /// let status = RateLimitStatus::from_headers(&upstream).with_window(Duration::from_secs(60));
    /// let downstream = status.to_ietf_headers();
    /// assert_eq!(downstream["ratelimit-policy"], r#""default";q=100;w=60"#);
    /// assert_eq!(downstream["ratelimit"], r#""default";r=42"#);
    /// assert!(downstream.get("ratelimit-reset").is_none());
    /// ```
    pub fn to_ietf_headers(&self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in self.ietf_fields() {
            // Every value written by `ietf_fields` is visible ASCII, so this conversion cannot fail.
            if let Ok(value) = HeaderValue::try_from(value) {
                headers.append(HeaderName::from_static(name), value);
            }
        }
        headers
    }

    /// The IETF fields to send downstream as (name, value) pairs with lowercase names, in a fixed order.
    ///
    /// Only fields whose values are known are written:
    ///
    /// | field | value | written when |
    /// |---|---|---|
    /// | `ratelimit-limit` | limit | limit known |
    /// | `ratelimit-remaining` | remaining | remaining known |
    /// | `ratelimit-reset` | reset, else retry-after, in seconds | either known |
    /// | `ratelimit-policy` | `"<name>";q=<limit>;w=<window>` | limit known (`w` only when the window is) |
    /// | `ratelimit` | `"<name>";r=<remaining>;t=<reset>` | remaining known (`t` as for `ratelimit-reset`) |
    /// | `retry-after` | retry-after in seconds | retry-after known |
    ///
    /// The first three are the draft-01 to draft-06 fields, the next two the draft-08 and later ones, so clients of
    /// either generation understand the result.
    ///
    /// Choices:
    ///
    /// - When neither reset nor retry-after is known, no reset is written even if the window is known.
    ///   A window says how long the quota lasts, not when the current one ends, and a guessed reset could make clients
    ///   wait far too long or retry too early.
    /// - Retry-after stands in for an unknown reset because, when the server asks for a pause, no quota comes back
    ///   before it ends.
    /// - Durations are rounded up to whole seconds, so clients never come back early.
    /// - Numbers above 999,999,999,999,999 are written as that value, the largest Structured Field Integer.
    /// - The policy name is `"default"` when unknown.
    ///   It is written as a quoted String; characters a String cannot carry (outside printable ASCII) become `_`.
    /// - A window shorter than one second is left out, because `w` must be at least 1.
    /// - `used` has no IETF equivalent and is not written.
    pub fn ietf_fields(&self) -> Vec<(&'static str, String)> {
        let reset = self.reset.or(self.retry_after).map(whole_seconds);
        let name = quoted_name(self.policy_name.as_deref().unwrap_or(DEFAULT_POLICY_NAME));
        let mut fields = Vec::new();
        if let Some(limit) = self.limit {
            fields.push(("ratelimit-limit", clamp(limit).to_string()));
        }
        if let Some(remaining) = self.remaining {
            fields.push(("ratelimit-remaining", clamp(remaining).to_string()));
        }
        if let Some(reset) = reset {
            fields.push(("ratelimit-reset", reset.to_string()));
        }
        if let Some(limit) = self.limit {
            let mut policy = format!("{name};q={}", clamp(limit));
            if let Some(window) = self.window.map(whole_seconds).filter(|window| *window > 0) {
                policy.push_str(&format!(";w={window}"));
            }
            fields.push(("ratelimit-policy", policy));
        }
        if let Some(remaining) = self.remaining {
            let mut limit = format!("{name};r={}", clamp(remaining));
            if let Some(reset) = reset {
                limit.push_str(&format!(";t={reset}"));
            }
            fields.push(("ratelimit", limit));
        }
        if let Some(retry_after) = self.retry_after {
            fields.push(("retry-after", whole_seconds(retry_after).to_string()));
        }
        fields
    }
}

fn clamp(number: u64) -> u64 {
    number.min(MAX_INTEGER)
}

fn whole_seconds(duration: Duration) -> u64 {
    let seconds = duration
        .as_secs()
        .saturating_add(u64::from(duration.subsec_nanos() > 0));
    clamp(seconds)
}

fn quoted_name(name: &str) -> String {
    let mut quoted = String::with_capacity(name.len() + 2);
    quoted.push('"');
    for character in name.chars() {
        match character {
            '"' | '\\' => {
                quoted.push('\\');
                quoted.push(character);
            }
            ' '..='~' => quoted.push(character),
            _ => quoted.push('_'),
        }
    }
    quoted.push('"');
    quoted
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(seconds: u64) -> Option<Duration> {
        Some(Duration::from_secs(seconds))
    }

    fn check(status: RateLimitStatus, expected: &[(&str, &str)]) {
        let fields = status.ietf_fields();
        let got: Vec<(&str, &str)> = fields
            .iter()
            .map(|(name, value)| (*name, value.as_str()))
            .collect();
        assert_eq!(got, expected, "status {status:?}");

        let headers = status.to_ietf_headers();
        assert_eq!(headers.len(), expected.len());
        for (name, value) in expected {
            assert_eq!(headers.get(*name).unwrap(), value, "header {name}");
        }
    }

    #[test]
    fn fields() {
        check(RateLimitStatus::default(), &[]);
        check(
            RateLimitStatus {
                limit: Some(100),
                remaining: Some(0),
                used: Some(1),
                reset: secs(30),
                retry_after: secs(31),
                window: secs(60),
                policy_name: Some("burst".to_owned()),
            },
            &[
                ("ratelimit-limit", "100"),
                ("ratelimit-remaining", "0"),
                ("ratelimit-reset", "30"),
                ("ratelimit-policy", r#""burst";q=100;w=60"#),
                ("ratelimit", r#""burst";r=0;t=30"#),
                ("retry-after", "31"),
            ],
        );
        // Freshservice on a 429: no reset, so Retry-After stands in for it.
        check(
            RateLimitStatus {
                limit: Some(100),
                remaining: Some(0),
                used: Some(1),
                retry_after: secs(1521),
                window: secs(60),
                ..RateLimitStatus::default()
            },
            &[
                ("ratelimit-limit", "100"),
                ("ratelimit-remaining", "0"),
                ("ratelimit-reset", "1521"),
                ("ratelimit-policy", r#""default";q=100;w=60"#),
                ("ratelimit", r#""default";r=0;t=1521"#),
                ("retry-after", "1521"),
            ],
        );
        // Window known, reset unknown: no reset is guessed.
        check(
            RateLimitStatus {
                limit: Some(3000),
                remaining: Some(2999),
                window: secs(60),
                ..RateLimitStatus::default()
            },
            &[
                ("ratelimit-limit", "3000"),
                ("ratelimit-remaining", "2999"),
                ("ratelimit-policy", r#""default";q=3000;w=60"#),
                ("ratelimit", r#""default";r=2999"#),
            ],
        );
        check(
            RateLimitStatus {
                remaining: Some(5),
                ..RateLimitStatus::default()
            },
            &[
                ("ratelimit-remaining", "5"),
                ("ratelimit", r#""default";r=5"#),
            ],
        );
        check(
            RateLimitStatus {
                limit: Some(5),
                reset: secs(9),
                ..RateLimitStatus::default()
            },
            &[
                ("ratelimit-limit", "5"),
                ("ratelimit-reset", "9"),
                ("ratelimit-policy", r#""default";q=5"#),
            ],
        );
        check(
            RateLimitStatus {
                window: secs(60),
                used: Some(2),
                ..RateLimitStatus::default()
            },
            &[],
        );
    }

    #[test]
    fn value_edges() {
        check(
            RateLimitStatus {
                limit: Some(u64::MAX),
                remaining: Some(1_000_000_000_000_000),
                reset: Some(Duration::new(u64::MAX, 1)),
                window: Some(Duration::from_millis(1500)),
                ..RateLimitStatus::default()
            },
            &[
                ("ratelimit-limit", "999999999999999"),
                ("ratelimit-remaining", "999999999999999"),
                ("ratelimit-reset", "999999999999999"),
                ("ratelimit-policy", r#""default";q=999999999999999;w=2"#),
                (
                    "ratelimit",
                    r#""default";r=999999999999999;t=999999999999999"#,
                ),
            ],
        );
        check(
            RateLimitStatus {
                limit: Some(1),
                retry_after: Some(Duration::from_millis(100)),
                window: Some(Duration::ZERO),
                ..RateLimitStatus::default()
            },
            &[
                ("ratelimit-limit", "1"),
                ("ratelimit-reset", "1"),
                ("ratelimit-policy", r#""default";q=1"#),
                ("retry-after", "1"),
            ],
        );
    }

    #[test]
    fn policy_names() {
        let trials = [
            ("", r#""""#),
            ("burst", r#""burst""#),
            (r#"say "hi" \o/"#, r#""say \"hi\" \\o/""#),
            ("café\t1", r#""caf__1""#),
        ];
        for (name, expected) in trials {
            let status = RateLimitStatus {
                limit: Some(1),
                policy_name: Some(name.to_owned()),
                ..RateLimitStatus::default()
            };
            let fields = status.ietf_fields();
            assert_eq!(
                fields.last().unwrap(),
                &("ratelimit-policy", format!("{expected};q=1")),
                "name {name:?}"
            );
        }
    }
}
