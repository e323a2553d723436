//! Integration tests through the public API: round trips and robustness against malformed input.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::{HeaderMap, HeaderName, HeaderValue};
use ratelimit_headers::{RateLimitStatus, parse_reset, parse_retry_after};

/// 2015-10-21T07:28:00Z.
fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_445_412_480)
}

/// Largest Structured Field Integer; larger numbers are written as this.
const MAX_INTEGER: u64 = 999_999_999_999_999;

/// Every field name the crate reads, plus one it must leave alone.
const NAMES: &[&str] = &[
    "ratelimit",
    "ratelimit-policy",
    "ratelimit-limit",
    "ratelimit-remaining",
    "ratelimit-reset",
    "x-ratelimit-limit",
    "x-ratelimit-total",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "x-ratelimit-used-currentrequest",
    "x-rate-limit-limit",
    "x-rate-limit-remaining",
    "x-rate-limit-reset",
    "retry-after",
    "x-unrelated",
];

/// Well-formed values of every shape, used as the starting points for mutation.
const SEEDS: &[&[u8]] = &[
    b"3000",
    b"0",
    b"1521",
    b"1445412570",
    b"1445412485000",
    b"18446744073709551615",
    b"Wed, 21 Oct 2015 07:28:30 GMT",
    b"Wednesday, 21-Oct-15 07:30:00 GMT",
    b"Wed Oct 21 07:28:01 2015",
    b"100, 100;w=10",
    b"10, 10;w=1, 50;w=60, 1000;w=3600",
    b"limit=100, remaining=50, reset=5",
    br#""burst";q=100;w=60, "daily";q=1000;w=86400"#,
    br#""burst";r=50;t=30, "daily";r=20;t=3600"#,
    br#""100-in-1min"; q=100; w=60; pk=:ZGVmYXVsdA==:"#,
    br#""a\"b\\c";r=1;t=2"#,
    b"burst;r=99, (a b);p=1, ?1, @1700000000, %\"caf%c3%a9\", 1.125",
];

/// Bytes that tend to matter to the parsers.
const INTERESTING: &[u8] = b"0123456789-+.,;=:\"\\()?@%* \tabqrtwZ\x7f\x80\xc3\xa9\xff";

/// SplitMix64: a tiny fixed-seed generator, so failures reproduce exactly.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut mixed = self.0;
        mixed = (mixed ^ (mixed >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        mixed = (mixed ^ (mixed >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        mixed ^ (mixed >> 31)
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

fn mutate(rng: &mut Rng, value: &mut Vec<u8>) {
    let position = |rng: &mut Rng, value: &[u8]| rng.below(value.len() + 1);
    match rng.below(7) {
        0 if !value.is_empty() => {
            let at = rng.below(value.len());
            value[at] = *rng.pick(INTERESTING);
        }
        1 => {
            let at = position(rng, value);
            value.insert(at, *rng.pick(INTERESTING));
        }
        2 if !value.is_empty() => {
            value.remove(rng.below(value.len()));
        }
        3 => {
            let at = position(rng, value);
            value.truncate(at);
        }
        4 if !value.is_empty() => {
            let start = rng.below(value.len());
            let end = start + rng.below(value.len() - start + 1);
            let copy = value[start..end].to_vec();
            let at = position(rng, value);
            value.splice(at..at, copy);
        }
        5 => {
            let other = rng.pick(SEEDS);
            let at = position(rng, value);
            value.truncate(at);
            value.extend_from_slice(&other[rng.below(other.len())..]);
        }
        _ => {
            let at = position(rng, value);
            value.insert(at, rng.next() as u8);
        }
    }
}

fn whole_seconds(duration: Duration) -> u64 {
    (duration.as_secs() + u64::from(duration.subsec_nanos() > 0)).min(MAX_INTEGER)
}

/// What the emitted fields must say about `status`, checked on every input the tests produce.
fn check_emitted(status: &RateLimitStatus) {
    let fields = status.ietf_fields();
    let headers = status.to_ietf_headers();
    assert_eq!(headers.len(), fields.len(), "{status:?}");
    for (name, value) in &fields {
        assert_eq!(*name, name.to_ascii_lowercase());
        assert!(
            value.bytes().all(|byte| (0x20..0x7f).contains(&byte)),
            "{name}: {value:?}"
        );
        assert_eq!(headers.get(*name).unwrap(), value.as_str());
    }

    let reread = RateLimitStatus::from_headers_at(&headers, now());
    assert_eq!(
        reread.limit,
        status.limit.map(|n| n.min(MAX_INTEGER)),
        "{status:?}"
    );
    assert_eq!(
        reread.remaining,
        status.remaining.map(|n| n.min(MAX_INTEGER)),
        "{status:?}"
    );
    let written_reset = status.reset.or(status.retry_after).map(whole_seconds);
    // Reset values from 10^9 up read back as timestamps when only `ratelimit-reset` carries them.
    if written_reset.is_none_or(|seconds| seconds < 1_000_000_000) {
        assert_eq!(reread.reset.map(whole_seconds), written_reset, "{status:?}");
    }
    assert_eq!(
        reread.retry_after.map(whole_seconds),
        status.retry_after.map(whole_seconds)
    );
}

#[test]
fn malformed_inputs_never_panic() {
    let handwritten: &[&[u8]] = &[
        b"",
        b" ",
        b"\t",
        b",",
        b";",
        b"=",
        b"\"",
        b"\\",
        b"\"\\",
        b"(",
        b")",
        b"((((((((((",
        b":",
        b"::",
        b"?",
        b"@",
        b"%",
        b"%\"",
        b"%\"%",
        b"%\"%g0\"",
        b"-",
        b"--1",
        b"1.",
        b".1",
        b"1..1",
        b"1.2.3",
        b"9999999999999999999999999999999999999999",
        b"-9999999999999999",
        b"a;",
        b"a;=",
        b"a;b=",
        b"a=;",
        b"limit=",
        b"=limit",
        b"\"p\";r",
        b"\"p\";r=\"x\"",
        b"\"p\";t=-1;r=0",
        b"\xff",
        b"\xc3\xa9",
        b"\x80\x80\x80",
        b"1\xff",
        b"Wed, 21 Oct 2015 07:28:30 GM\xff",
        b"Wed, 99 Oct 2015 99:99:99 GMT",
        b"Mon, 01 Jan 9999 00:00:00 GMT",
        b"Thu, 01 Jan 1970 00:00:00 GMT",
        b"Sunday, 06-Nov-94 08:49:37 GMT",
        b"Sun Nov  6 08:49:37 1994",
        b"18446744073709551615",
        b"18446744073709551616",
    ];
    let clocks = [
        now(),
        UNIX_EPOCH,
        UNIX_EPOCH - Duration::from_secs(1),
        UNIX_EPOCH + Duration::from_secs(1 << 40),
    ];

    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let mut inputs: Vec<Vec<u8>> = handwritten.iter().map(|bytes| bytes.to_vec()).collect();
    for _ in 0..4000 {
        let mut value = rng.pick(SEEDS).to_vec();
        for _ in 0..=rng.below(4) {
            mutate(&mut rng, &mut value);
        }
        inputs.push(value);
    }

    let mut accepted_values = 0;
    let mut non_empty_readings = 0;
    for (index, input) in inputs.iter().enumerate() {
        for clock in clocks {
            let _ = parse_retry_after(input, clock);
            let _ = parse_reset(input, clock);
        }
        // Header values cannot hold most control bytes; those inputs still went through the helpers above.
        let Ok(value) = HeaderValue::from_bytes(input) else {
            continue;
        };
        accepted_values += 1;
        for name in NAMES {
            let mut headers = HeaderMap::new();
            headers.insert(HeaderName::from_static(name), value.clone());
            for clock in clocks {
                let status = RateLimitStatus::from_headers_at(&headers, clock);
                let _ = status.ietf_fields();
            }
            let status = RateLimitStatus::from_headers_at(&headers, now());
            non_empty_readings += usize::from(!status.is_empty());
            check_emitted(&status);
        }
        // A few fields at once, including repeated lines of the same field.
        let mut headers = HeaderMap::new();
        for _ in 0..=rng.below(5) {
            let name = HeaderName::from_static(NAMES[rng.below(NAMES.len())]);
            let other = &inputs[rng.below(index + 1)];
            if let Ok(other) = HeaderValue::from_bytes(other) {
                headers.append(name.clone(), other);
            }
            headers.append(name, value.clone());
        }
        for clock in clocks {
            check_emitted(&RateLimitStatus::from_headers_at(&headers, clock));
        }
    }
    // Guards against a generator change that would let almost nothing reach the header-map reader.
    assert!(
        accepted_values > 2000,
        "only {accepted_values} inputs were valid header values"
    );
    // And against mutations so heavy that every reading comes out empty.
    assert!(
        non_empty_readings > 5000,
        "only {non_empty_readings} readings were non-empty"
    );
}

fn check_round_trip(status: RateLimitStatus) {
    let reread = RateLimitStatus::from_headers_at(&status.to_ietf_headers(), now());
    assert_eq!(
        (reread.limit, reread.remaining, reread.reset),
        (status.limit, status.remaining, status.reset),
        "{status:?}"
    );
    assert_eq!(reread.retry_after, status.retry_after, "{status:?}");
    if status.limit.is_some() {
        assert_eq!(reread.window, status.window, "{status:?}");
    }
    if status.limit.is_some() || status.remaining.is_some() {
        let expected_name = status.policy_name.as_deref().unwrap_or("default");
        assert_eq!(
            reread.policy_name.as_deref(),
            Some(expected_name),
            "{status:?}"
        );
    }
}

fn reading(
    limit: Option<u64>,
    remaining: Option<u64>,
    reset: Option<u64>,
    window: Option<u64>,
    policy_name: Option<&str>,
) -> RateLimitStatus {
    let mut status = RateLimitStatus::default();
    status.limit = limit;
    status.remaining = remaining;
    status.reset = reset.map(Duration::from_secs);
    status.window = window.map(Duration::from_secs);
    status.policy_name = policy_name.map(str::to_owned);
    status
}

#[test]
fn round_trips() {
    let trials = [
        reading(None, None, None, None, None),
        reading(Some(3000), Some(2999), None, Some(60), None),
        reading(Some(100), Some(0), Some(30), Some(60), Some("burst")),
        reading(Some(100), None, Some(30), None, None),
        reading(None, Some(5), Some(7), None, Some("a \"quoted\" \\ name")),
        reading(None, None, Some(9), None, None),
        reading(Some(0), Some(0), Some(0), Some(1), Some("")),
        reading(
            Some(MAX_INTEGER),
            Some(MAX_INTEGER),
            Some(999_999_999),
            Some(86_400),
            None,
        ),
    ];
    for status in trials {
        check_round_trip(status);
    }

    let mut status = reading(Some(10), Some(0), Some(20), Some(60), None);
    status.retry_after = Some(Duration::from_secs(25));
    check_round_trip(status);

    // Generated readings, from a fixed seed.
    let mut rng = Rng(0x0dd_ba11);
    let maybe = |rng: &mut Rng, bound: u64| (rng.below(3) > 0).then(|| rng.next() % bound);
    for _ in 0..2000 {
        let names = [None, Some("default"), Some("burst"), Some("x/y:z*")];
        let mut status = reading(
            maybe(&mut rng, MAX_INTEGER + 1),
            maybe(&mut rng, MAX_INTEGER + 1),
            maybe(&mut rng, 1_000_000_000),
            maybe(&mut rng, 1_000_000).map(|window| window + 1),
            *rng.pick(&names),
        );
        status.retry_after = maybe(&mut rng, 1_000_000_000).map(Duration::from_secs);
        if status.reset.is_none() {
            // A known retry-after stands in for an unknown reset, so it reads back as the reset.
            let mut expected = status.clone();
            expected.reset = status.retry_after;
            let reread = RateLimitStatus::from_headers_at(&status.to_ietf_headers(), now());
            assert_eq!(reread.reset, expected.reset, "{status:?}");
            check_round_trip(expected);
        } else {
            check_round_trip(status);
        }
    }
}

#[test]
fn freshservice_to_ietf() {
    let mut upstream = HeaderMap::new();
    upstream.insert("x-ratelimit-total", HeaderValue::from_static("3000"));
    upstream.insert("x-ratelimit-remaining", HeaderValue::from_static("2999"));
    upstream.insert(
        "x-ratelimit-used-currentrequest",
        HeaderValue::from_static("1"),
    );
    let status =
        RateLimitStatus::from_headers_at(&upstream, now()).with_window(Duration::from_secs(60));
    assert_eq!(status.used, Some(1));
    let fields = status.ietf_fields();
    let expected = [
        ("ratelimit-limit", "3000"),
        ("ratelimit-remaining", "2999"),
        ("ratelimit-policy", r#""default";q=3000;w=60"#),
        ("ratelimit", r#""default";r=2999"#),
    ];
    assert_eq!(
        fields
            .iter()
            .map(|(name, value)| (*name, value.as_str()))
            .collect::<Vec<_>>(),
        expected
    );
}
