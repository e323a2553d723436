//! [`RateLimitStatus`] and how it is read from a response's header map.

use std::time::{Duration, SystemTime};

use http::HeaderMap;

use crate::{
    sf::{self, BareItem, Member},
    value,
};

/// One upstream rate-limit reading. Default = nothing known.
///
/// Build it with [`RateLimitStatus::from_headers`]; every field is `None` when the response did not say.
///
/// # Where each field comes from
///
/// Four families of fields are understood, listed from highest to lowest precedence:
///
/// 1. The IETF list form (draft-08 and later): `RateLimit-Policy: "burst";q=100;w=60, ...` and
///    `RateLimit: "burst";r=50;t=30, ...`.
///    Policy names may be quoted Strings or bare Tokens.
///    When `RateLimit` names several policies, the most restrictive one is used: the lowest remaining quota, and on a
///    tie the longest reset.
///    Its limit and window come from the `RateLimit-Policy` entry with the same name.
///    When only `RateLimit-Policy` is present, the policy with the lowest quota is used.
/// 2. The draft-07 dictionary `RateLimit: limit=100, remaining=50, reset=5`.
/// 3. The separate fields of draft-01 to draft-06: `RateLimit-Limit` (first integer; a `w` parameter gives the
///    window), `RateLimit-Remaining`, `RateLimit-Reset`.
/// 4. Vendor fields: `X-RateLimit-Limit`, `X-RateLimit-Total` (Freshservice), `X-RateLimit-Remaining`,
///    `X-RateLimit-Reset`, and the same with an `X-Rate-Limit-` prefix.
///
/// Each field is taken from the highest family that supplies a valid value for it, so a lower family only fills
/// gaps.
/// The window also comes from integer `RateLimit-Policy` items (`100;w=10`, drafts 04 to 07): the one whose quota
/// equals the limit, or the only one.
/// `used` is read from `X-RateLimit-Used-CurrentRequest` and `retry_after` from `Retry-After`; no other family
/// carries them.
///
/// # How values are read
///
/// - Malformed values are ignored, never an error and never a panic: decimals such as `1.5`, negative numbers,
///   numbers that overflow `u64`, non-UTF-8 bytes and structured fields that do not parse.
/// - A structured field repeated over several header lines is joined with commas first, as RFC 9651 says.
///   A vendor integer field that a proxy merged into `100, 100` is read as its first element.
/// - `reset` is always a delay, never a timestamp.
///   `X-RateLimit-Reset` and `RateLimit-Reset` (which some servers send as Unix time despite the draft) go through
///   [`crate::parse_reset`]: integers below 10^9 are delta seconds, larger ones Unix epoch seconds, and from 10^12
///   epoch milliseconds, each turned into a delay from `now` that stops at zero.
///   The `t` and `reset` parameters of the newer forms are taken as delta seconds, as the drafts define them.
/// - `Retry-After` is delay-seconds or an HTTP-date; a date in the past gives zero.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimitStatus {
    /// Quota in the current window.
    pub limit: Option<u64>,
    /// Quota units left in the current window.
    pub remaining: Option<u64>,
    /// Credits this request consumed (`X-RateLimit-Used-CurrentRequest`); a vendor field with no IETF equivalent.
    pub used: Option<u64>,
    /// Delay until more quota becomes available.
    pub reset: Option<Duration>,
    /// Delay the server asked for with `Retry-After`.
    pub retry_after: Option<Duration>,
    /// Length of the quota window, from `w` or from [`RateLimitStatus::with_window`].
    pub window: Option<Duration>,
    /// Name of the IETF quota policy the reading describes.
    pub policy_name: Option<String>,
}

impl RateLimitStatus {
    /// Reads the rate-limit fields of `headers`, resolving HTTP-dates and epoch timestamps against the system clock.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        Self::from_headers_at(headers, SystemTime::now())
    }

    /// Reads the rate-limit fields of `headers`, resolving HTTP-dates and epoch timestamps against `now`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::{Duration, SystemTime};
    ///
    /// use http::HeaderMap;
    /// use ratelimit_headers::RateLimitStatus;
    ///
    /// let mut headers = HeaderMap::new();
    /// headers.insert("ratelimit-policy", r#""burst";q=100;w=60, "daily";q=1000;w=86400"#.parse().unwrap());
    /// headers.insert("ratelimit", r#""burst";r=50;t=30, "daily";r=20;t=3600"#.parse().unwrap());
    /// let status = RateLimitStatus::from_headers_at(&headers, SystemTime::now());
    /// assert_eq!(status.policy_name.as_deref(), Some("daily"));
    /// assert_eq!((status.limit, status.remaining), (Some(1000), Some(20)));
    /// assert_eq!(status.reset, Some(Duration::from_secs(3600)));
    /// ```
    pub fn from_headers_at(headers: &HeaderMap, now: SystemTime) -> Self {
        let policy_members = joined(headers, "ratelimit-policy")
            .and_then(|bytes| sf::parse_list(&bytes))
            .unwrap_or_default();
        let (list_form, dictionary_form) = match joined(headers, "ratelimit") {
            Some(bytes) => match sf::parse_list(&bytes) {
                Some(members) => (list_reading(&policy_members, &members), Reading::default()),
                None => (
                    list_reading(&policy_members, &[]),
                    dictionary_reading(&bytes),
                ),
            },
            None => (list_reading(&policy_members, &[]), Reading::default()),
        };
        let separate_fields = separate_fields_reading(headers, now);
        let vendor = vendor_reading(headers, now);
        let families = [list_form, dictionary_form, separate_fields, vendor];

        let limit = families.iter().find_map(|reading| reading.limit);
        let window = families
            .iter()
            .find_map(|reading| reading.window)
            .or_else(|| integer_policy_window(&policy_members, headers, limit));
        Self {
            limit,
            remaining: families.iter().find_map(|reading| reading.remaining),
            used: first_value(headers, "x-ratelimit-used-currentrequest")
                .and_then(value::first_plain_integer),
            reset: families.iter().find_map(|reading| reading.reset),
            retry_after: first_value(headers, http::header::RETRY_AFTER.as_str())
                .and_then(|bytes| value::parse_retry_after(bytes, now).ok()),
            window,
            policy_name: families.into_iter().find_map(|reading| reading.policy_name),
        }
    }

    /// True when nothing at all is known.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Sets the window when upstream did not state one; a window read from the headers is kept.
    ///
    /// Freshservice sends no window, and its per-minute accounts use 60 seconds.
    pub fn with_window(mut self, window: Duration) -> Self {
        if self.window.is_none() {
            self.window = Some(window);
        }
        self
    }

    /// How long to wait before the next request, when the reading implies a wait.
    ///
    /// This is `retry_after` when known, otherwise `reset` when no quota remains, otherwise `None`.
    pub fn retry_delay(&self) -> Option<Duration> {
        self.retry_after.or(match self.remaining {
            Some(0) => self.reset,
            _ => None,
        })
    }
}

/// What one family of fields says.
#[derive(Debug, Default)]
struct Reading {
    limit: Option<u64>,
    remaining: Option<u64>,
    reset: Option<Duration>,
    window: Option<Duration>,
    policy_name: Option<String>,
}

fn first_value<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h [u8]> {
    headers.get(name).map(http::HeaderValue::as_bytes)
}

/// All lines of a structured field joined with commas, as RFC 9651 prescribes for repeated List and Dictionary
/// fields.
fn joined(headers: &HeaderMap, name: &str) -> Option<Vec<u8>> {
    let mut lines = headers.get_all(name).iter();
    let mut bytes = lines.next()?.as_bytes().to_vec();
    for line in lines {
        bytes.extend_from_slice(b", ");
        bytes.extend_from_slice(line.as_bytes());
    }
    Some(bytes)
}

fn items(members: &[Member]) -> impl Iterator<Item = &sf::Item> {
    members.iter().filter_map(|member| match member {
        Member::Item(item) => Some(item),
        Member::InnerList(..) => None,
    })
}

fn seconds_param(item: &sf::Item, key: &str) -> Option<Duration> {
    item.param(key)
        .and_then(BareItem::non_negative)
        .map(Duration::from_secs)
}

/// A `w` parameter; the drafts require at least one second.
fn window_param(item: &sf::Item) -> Option<Duration> {
    seconds_param(item, "w").filter(|window| !window.is_zero())
}

struct NamedPolicy<'a> {
    name: &'a str,
    quota: Option<u64>,
    window: Option<Duration>,
}

struct NamedLimit<'a> {
    name: &'a str,
    remaining: u64,
    reset: Option<Duration>,
}

/// Draft-08 and later: named items in `RateLimit-Policy` and `RateLimit`.
fn list_reading(policy_members: &[Member], limit_members: &[Member]) -> Reading {
    let policies: Vec<NamedPolicy<'_>> = items(policy_members)
        .filter_map(|item| {
            Some(NamedPolicy {
                name: item.bare.name()?,
                quota: item.param("q").and_then(BareItem::non_negative),
                window: window_param(item),
            })
        })
        .collect();
    // `r` is required, so an item without a valid one is malformed and skipped.
    let limits = items(limit_members).filter_map(|item| {
        Some(NamedLimit {
            name: item.bare.name()?,
            remaining: item.param("r").and_then(BareItem::non_negative)?,
            reset: seconds_param(item, "t"),
        })
    });
    // `min_by_key` keeps the first of equal keys, so ties beyond the reset go to the earlier item.
    let most_restrictive = limits.min_by_key(|limit| {
        (
            limit.remaining,
            std::cmp::Reverse(limit.reset.unwrap_or_default()),
        )
    });
    match most_restrictive {
        Some(chosen) => {
            let policy = policies.iter().find(|policy| policy.name == chosen.name);
            Reading {
                limit: policy.and_then(|policy| policy.quota),
                remaining: Some(chosen.remaining),
                reset: chosen.reset,
                window: policy.and_then(|policy| policy.window),
                policy_name: Some(chosen.name.to_owned()),
            }
        }
        None => match policies
            .iter()
            .filter_map(|policy| Some((policy.quota?, policy)))
            .min_by_key(|(quota, _)| *quota)
        {
            Some((quota, policy)) => Reading {
                limit: Some(quota),
                window: policy.window,
                policy_name: Some(policy.name.to_owned()),
                ..Reading::default()
            },
            None => Reading::default(),
        },
    }
}

/// Draft-07: `RateLimit: limit=100, remaining=50, reset=5`.
fn dictionary_reading(bytes: &[u8]) -> Reading {
    let Some(dictionary) = sf::parse_dictionary(bytes) else {
        return Reading::default();
    };
    let integer = |key: &str| {
        dictionary
            .iter()
            .rev()
            .find(|(name, _)| name == key)
            .and_then(|(_, member)| match member {
                Member::Item(item) => item.bare.non_negative(),
                Member::InnerList(..) => None,
            })
    };
    Reading {
        limit: integer("limit"),
        remaining: integer("remaining"),
        reset: integer("reset").map(Duration::from_secs),
        ..Reading::default()
    }
}

/// The first member of a structured List field, as a non-negative Integer.
fn first_integer(headers: &HeaderMap, name: &str) -> Option<u64> {
    let members = sf::parse_list(&joined(headers, name)?)?;
    match members.first()? {
        Member::Item(item) => item.bare.non_negative(),
        Member::InnerList(..) => None,
    }
}

/// Draft-01 to draft-06: `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset`.
fn separate_fields_reading(headers: &HeaderMap, now: SystemTime) -> Reading {
    Reading {
        limit: first_integer(headers, "ratelimit-limit"),
        remaining: first_integer(headers, "ratelimit-remaining"),
        reset: first_integer(headers, "ratelimit-reset")
            .and_then(|number| value::reset_from_integer(number, now)),
        ..Reading::default()
    }
}

/// `X-RateLimit-*` and `X-Rate-Limit-*`.
fn vendor_reading(headers: &HeaderMap, now: SystemTime) -> Reading {
    let integer = |names: &[&str]| {
        names
            .iter()
            .find_map(|name| first_value(headers, name).and_then(value::first_plain_integer))
    };
    let reset = ["x-ratelimit-reset", "x-rate-limit-reset"]
        .iter()
        .find_map(|name| {
            let bytes = first_value(headers, name)?;
            // An HTTP-date contains a comma, so the first comma-separated element is only a fallback.
            value::parse_reset(bytes, now).ok().or_else(|| {
                let first = bytes.split(|byte| *byte == b',').next()?;
                value::parse_reset(first, now).ok()
            })
        });
    Reading {
        limit: integer(&[
            "x-ratelimit-limit",
            "x-ratelimit-total",
            "x-rate-limit-limit",
        ]),
        remaining: integer(&["x-ratelimit-remaining", "x-rate-limit-remaining"]),
        reset,
        ..Reading::default()
    }
}

/// The window of an unnamed quota policy: integer items of `RateLimit-Policy` (drafts 04 to 07) and of
/// `RateLimit-Limit` (drafts 01 to 03), such as `100;w=10`.
fn integer_policy_window(
    policy_members: &[Member],
    headers: &HeaderMap,
    limit: Option<u64>,
) -> Option<Duration> {
    let limit_members = joined(headers, "ratelimit-limit")
        .and_then(|bytes| sf::parse_list(&bytes))
        .unwrap_or_default();
    let policies: Vec<(u64, Duration)> = items(policy_members)
        .chain(items(&limit_members))
        .filter_map(|item| Some((item.bare.non_negative()?, window_param(item)?)))
        .collect();
    let matching = limit.and_then(|limit| {
        policies
            .iter()
            .find(|(quota, _)| *quota == limit)
            .map(|(_, window)| *window)
    });
    matching.or(match policies.as_slice() {
        [(_, window)] => Some(*window),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use std::time::UNIX_EPOCH;

    use http::{HeaderName, HeaderValue};

    use super::*;

    /// 2015-10-21T07:28:00Z.
    fn now() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_445_412_480)
    }

    fn secs(seconds: u64) -> Option<Duration> {
        Some(Duration::from_secs(seconds))
    }

    fn header_map(headers: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        map
    }

    fn check(headers: &[(&str, &str)], expected: RateLimitStatus) {
        let got = RateLimitStatus::from_headers_at(&header_map(headers), now());
        assert_eq!(got, expected, "headers {headers:?}");
    }

    fn status(
        limit: Option<u64>,
        remaining: Option<u64>,
        reset: Option<Duration>,
    ) -> RateLimitStatus {
        RateLimitStatus {
            limit,
            remaining,
            reset,
            ..RateLimitStatus::default()
        }
    }

    #[test]
    fn freshservice_headers() {
        check(
            &[
                ("X-Ratelimit-Total", "3000"),
                ("X-Ratelimit-Remaining", "2999"),
                ("X-Ratelimit-Used-CurrentRequest", "1"),
                ("X-Freshservice-Api-Version", "latest=v2; requested=v2"),
            ],
            RateLimitStatus {
                used: Some(1),
                ..status(Some(3000), Some(2999), None)
            },
        );
        check(
            &[
                ("x-RATELIMIT-total", " 100 "),
                ("X-RateLimit-REMAINING", "0"),
                ("x-ratelimit-used-currentrequest", "3"),
            ],
            RateLimitStatus {
                used: Some(3),
                ..status(Some(100), Some(0), None)
            },
        );
        check(
            &[("Retry-After", "1521")],
            RateLimitStatus {
                retry_after: secs(1521),
                ..RateLimitStatus::default()
            },
        );
        check(
            &[
                ("X-Ratelimit-Total", "100"),
                ("X-Ratelimit-Remaining", "0"),
                ("X-Ratelimit-Used-CurrentRequest", "1"),
                ("Retry-After", "39"),
            ],
            RateLimitStatus {
                used: Some(1),
                retry_after: secs(39),
                ..status(Some(100), Some(0), None)
            },
        );
    }

    #[test]
    fn retry_after_forms() {
        let retry_after = |seconds| RateLimitStatus {
            retry_after: secs(seconds),
            ..RateLimitStatus::default()
        };
        check(
            &[("Retry-After", "Wed, 21 Oct 2015 07:28:30 GMT")],
            retry_after(30),
        );
        check(
            &[("retry-after", "Wednesday, 21-Oct-15 07:30:00 GMT")],
            retry_after(120),
        );
        check(
            &[("Retry-After", "Wed Oct 21 07:28:01 2015")],
            retry_after(1),
        );
        check(
            &[("Retry-After", "Tue, 20 Oct 2015 07:28:30 GMT")],
            retry_after(0),
        );
        check(&[("Retry-After", "1.5")], RateLimitStatus::default());
        check(&[("Retry-After", "-10")], RateLimitStatus::default());
        check(
            &[("Retry-After", "Wed, 21 Oct 2015 07:28:30")],
            RateLimitStatus::default(),
        );
    }

    #[test]
    fn vendor_reset_forms() {
        let reset = |seconds| status(None, None, secs(seconds));
        check(&[("X-RateLimit-Reset", "30")], reset(30));
        check(&[("X-RateLimit-Reset", "1445412570")], reset(90));
        check(&[("X-RateLimit-Reset", "1445412000")], reset(0));
        check(&[("X-RateLimit-Reset", "1445412485000")], reset(5));
        check(
            &[("X-RateLimit-Reset", "Wed, 21 Oct 2015 07:29:00 GMT")],
            reset(60),
        );
        check(&[("X-RateLimit-Reset", "30, 30")], reset(30));
        check(&[("X-Rate-Limit-Reset", "7")], reset(7));
        check(&[("X-RateLimit-Reset", "1.5")], RateLimitStatus::default());
        // GitLab sends Unix time in the draft field, so the same rule applies there.
        check(&[("RateLimit-Reset", "1445412540")], reset(60));
        check(&[("RateLimit-Reset", "60")], reset(60));
    }

    #[test]
    fn vendor_aliases() {
        check(
            &[("X-RateLimit-Limit", "60"), ("X-RateLimit-Remaining", "59")],
            status(Some(60), Some(59), None),
        );
        check(
            &[
                ("X-Rate-Limit-Limit", "60"),
                ("X-Rate-Limit-Remaining", "59"),
            ],
            status(Some(60), Some(59), None),
        );
        // `X-RateLimit-Limit` wins over Freshservice's `X-RateLimit-Total` when both appear.
        check(
            &[("X-RateLimit-Total", "3000"), ("X-RateLimit-Limit", "100")],
            status(Some(100), None, None),
        );
        // A proxy merged two copies.
        check(
            &[("X-RateLimit-Limit", "100, 100")],
            status(Some(100), None, None),
        );
    }

    #[test]
    fn separate_fields_drafts_01_to_06() {
        check(
            &[
                ("RateLimit-Limit", "100"),
                ("RateLimit-Remaining", "50"),
                ("RateLimit-Reset", "5"),
            ],
            status(Some(100), Some(50), secs(5)),
        );
        check(
            &[
                ("RateLimit-Limit", "100, 100;w=10"),
                ("RateLimit-Remaining", "50"),
                ("RateLimit-Reset", "5"),
            ],
            RateLimitStatus {
                window: secs(10),
                ..status(Some(100), Some(50), secs(5))
            },
        );
        check(
            &[
                ("RateLimit-Limit", "10, 10;w=1, 50;w=60, 1000;w=3600"),
                ("RateLimit-Remaining", "9"),
            ],
            RateLimitStatus {
                window: secs(1),
                ..status(Some(10), Some(9), None)
            },
        );
        check(
            &[
                ("RateLimit-Limit", "100"),
                ("RateLimit-Remaining", "50"),
                ("RateLimit-Reset", "5"),
                ("RateLimit-Policy", "100;w=10"),
            ],
            RateLimitStatus {
                window: secs(10),
                ..status(Some(100), Some(50), secs(5))
            },
        );
        // Several unnamed policies and none matches the limit: the window stays unknown.
        check(
            &[
                ("RateLimit-Limit", "100"),
                ("RateLimit-Policy", "10;w=1, 1000;w=3600"),
            ],
            status(Some(100), None, None),
        );
        // One unnamed policy describes the limit even if the numbers differ.
        check(
            &[("RateLimit-Limit", "99"), ("RateLimit-Policy", "100;w=10")],
            RateLimitStatus {
                window: secs(10),
                ..status(Some(99), None, None)
            },
        );
    }

    #[test]
    fn dictionary_draft_07() {
        check(
            &[("RateLimit", "limit=100, remaining=50, reset=5")],
            status(Some(100), Some(50), secs(5)),
        );
        check(
            &[
                ("RateLimit", "limit=100, remaining=50, reset=5"),
                ("RateLimit-Policy", "10;w=1, 100;w=60"),
            ],
            RateLimitStatus {
                window: secs(60),
                ..status(Some(100), Some(50), secs(5))
            },
        );
        // Unknown keys are allowed; a negative value is ignored on its own.
        check(
            &[("RateLimit", "remaining=-1, limit=7, x-vendor=?1")],
            status(Some(7), None, None),
        );
    }

    #[test]
    fn list_form_drafts_08_and_later() {
        let policy = r#""burst";q=100;w=60, "daily";q=1000;w=86400"#;
        check(
            &[
                ("RateLimit-Policy", policy),
                ("RateLimit", r#""burst";r=50;t=30, "daily";r=20;t=3600"#),
            ],
            RateLimitStatus {
                window: secs(86400),
                policy_name: Some("daily".to_owned()),
                ..status(Some(1000), Some(20), secs(3600))
            },
        );
        check(
            &[
                ("RateLimit-Policy", policy),
                ("RateLimit", r#""burst";r=0;t=30, "daily";r=20;t=3600"#),
            ],
            RateLimitStatus {
                window: secs(60),
                policy_name: Some("burst".to_owned()),
                ..status(Some(100), Some(0), secs(30))
            },
        );
        // Tied remaining: the longer reset is the more restrictive.
        check(
            &[
                ("RateLimit-Policy", policy),
                ("RateLimit", r#""burst";r=5;t=30, "daily";r=5;t=3600"#),
            ],
            RateLimitStatus {
                window: secs(86400),
                policy_name: Some("daily".to_owned()),
                ..status(Some(1000), Some(5), secs(3600))
            },
        );
        // Tokens as names, and the two fields on separate lines.
        check(
            &[
                ("RateLimit-Policy", "burst;q=100;w=60"),
                ("RateLimit-Policy", "daily;q=1000;w=86400"),
                ("RateLimit", "burst;r=99"),
            ],
            RateLimitStatus {
                window: secs(60),
                policy_name: Some("burst".to_owned()),
                ..status(Some(100), Some(99), None)
            },
        );
        // A quoted name matches the same name written as a Token.
        check(
            &[
                ("RateLimit-Policy", "fixedwindow;q=100;w=60"),
                ("RateLimit", r#""fixedwindow";r=99;t=50"#),
            ],
            RateLimitStatus {
                window: secs(60),
                policy_name: Some("fixedwindow".to_owned()),
                ..status(Some(100), Some(99), secs(50))
            },
        );
        // Escapes in names, spaces after semicolons, and extra parameters.
        check(
            &[
                (
                    "RateLimit-Policy",
                    r#""a\"b"; q=5; w=1; qu="requests"; pk=:cGs=:"#,
                ),
                ("RateLimit", r#""a\"b"; r=4; t=1; pk=:cGs=:; acme-x=1"#),
            ],
            RateLimitStatus {
                window: secs(1),
                policy_name: Some("a\"b".to_owned()),
                ..status(Some(5), Some(4), secs(1))
            },
        );
        // Only the policy field: the lowest quota.
        check(
            &[("RateLimit-Policy", policy)],
            RateLimitStatus {
                window: secs(60),
                policy_name: Some("burst".to_owned()),
                ..status(Some(100), None, None)
            },
        );
        // No policy shares the name, so the limit and window stay unknown.
        check(
            &[
                ("RateLimit-Policy", policy),
                ("RateLimit", r#""other";r=3"#),
            ],
            RateLimitStatus {
                policy_name: Some("other".to_owned()),
                ..status(None, Some(3), None)
            },
        );
        // Items without a valid `r` are skipped, the rest still count.
        check(
            &[(
                "RateLimit",
                r#""a";r=-1, "b";t=5, "c";r=1.5, 7;r=1, (x y);r=1, "d";r=8"#,
            )],
            RateLimitStatus {
                policy_name: Some("d".to_owned()),
                ..status(None, Some(8), None)
            },
        );
        // `w=0` is not a valid window.
        check(
            &[("RateLimit-Policy", r#""p";q=10;w=0"#)],
            RateLimitStatus {
                policy_name: Some("p".to_owned()),
                ..status(Some(10), None, None)
            },
        );
    }

    #[test]
    fn precedence_between_families() {
        // The list form wins field by field; lower families fill what it leaves out.
        check(
            &[
                ("RateLimit-Policy", r#""p";q=100;w=60"#),
                ("RateLimit", r#""p";r=50"#),
                ("RateLimit-Limit", "7"),
                ("RateLimit-Remaining", "6"),
                ("RateLimit-Reset", "40"),
                ("X-RateLimit-Limit", "5000"),
                ("X-RateLimit-Remaining", "4999"),
                ("X-RateLimit-Reset", "3"),
            ],
            RateLimitStatus {
                window: secs(60),
                policy_name: Some("p".to_owned()),
                ..status(Some(100), Some(50), secs(40))
            },
        );
        check(
            &[
                ("RateLimit", "limit=100, remaining=50"),
                ("RateLimit-Remaining", "6"),
                ("X-RateLimit-Reset", "3"),
            ],
            status(Some(100), Some(50), secs(3)),
        );
        check(
            &[
                ("RateLimit-Remaining", "6"),
                ("X-RateLimit-Total", "3000"),
                ("X-RateLimit-Remaining", "2999"),
            ],
            status(Some(3000), Some(6), None),
        );
        // A malformed higher family falls through to the next one.
        check(
            &[
                ("RateLimit", r#""p";r=oops"#),
                ("RateLimit-Remaining", "1.5"),
                ("X-RateLimit-Remaining", "9"),
            ],
            status(None, Some(9), None),
        );
    }

    #[test]
    fn malformed_values_are_ignored() {
        for bad in [
            "",
            " ",
            "1.5",
            "-3",
            "+3",
            "abc",
            "3 apples",
            "0x10",
            "1e3",
            "99999999999999999999",
        ] {
            check(
                &[
                    ("X-RateLimit-Total", bad),
                    ("X-RateLimit-Remaining", bad),
                    ("X-RateLimit-Used-CurrentRequest", bad),
                    ("X-RateLimit-Reset", bad),
                    ("Retry-After", bad),
                    ("RateLimit-Limit", bad),
                    ("RateLimit-Remaining", bad),
                    ("RateLimit-Reset", bad),
                ],
                RateLimitStatus::default(),
            );
        }
        for bad in [
            r#""open;r=1"#,
            r#""p";r=1,"#,
            r#""p";R=1"#,
            "limit=100,,remaining=1",
            "limit=1.5",
            r#""p";q=1000000000000000"#,
            "(((",
        ] {
            check(
                &[("RateLimit", bad), ("RateLimit-Policy", bad)],
                RateLimitStatus::default(),
            );
        }
        // One bad line spoils the whole combined structured field.
        check(
            &[("RateLimit", r#""p";r=1"#), ("RateLimit", "\"broken")],
            RateLimitStatus::default(),
        );
    }

    #[test]
    fn non_utf8_values_are_ignored() {
        let mut headers = HeaderMap::new();
        for name in [
            "x-ratelimit-total",
            "retry-after",
            "ratelimit",
            "ratelimit-policy",
            "x-ratelimit-reset",
        ] {
            headers.insert(name, HeaderValue::from_bytes(b"1\xff\xfe").unwrap());
        }
        headers.insert(
            "x-ratelimit-remaining",
            HeaderValue::from_bytes(b"\xe9").unwrap(),
        );
        let status = RateLimitStatus::from_headers_at(&headers, now());
        assert!(status.is_empty(), "{status:?}");
    }

    #[test]
    fn helpers() {
        assert!(RateLimitStatus::default().is_empty());
        assert!(!RateLimitStatus::from_headers(&header_map(&[("retry-after", "1")])).is_empty());
        assert!(
            !RateLimitStatus {
                policy_name: Some(String::new()),
                ..RateLimitStatus::default()
            }
            .is_empty()
        );

        let minute = Duration::from_secs(60);
        assert_eq!(
            RateLimitStatus::default().with_window(minute).window,
            Some(minute)
        );
        let stated = RateLimitStatus {
            window: secs(10),
            ..RateLimitStatus::default()
        };
        assert_eq!(stated.with_window(minute).window, secs(10));

        let delay_trials = [
            (RateLimitStatus::default(), None),
            (status(Some(10), Some(0), secs(30)), secs(30)),
            (status(Some(10), Some(1), secs(30)), None),
            (status(Some(10), Some(0), None), None),
            (
                RateLimitStatus {
                    retry_after: secs(5),
                    ..status(Some(10), Some(0), secs(30))
                },
                secs(5),
            ),
        ];
        for (reading, expected) in delay_trials {
            assert_eq!(reading.retry_delay(), expected, "{reading:?}");
        }
    }
}
