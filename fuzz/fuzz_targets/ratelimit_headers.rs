//! Bytes as response header lines (`name: value`, one per line), read as a rate-limit status
//! and written back as IETF fields, which must read back to the same quota.
#![no_main]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::{HeaderMap, HeaderName, HeaderValue};
use libfuzzer_sys::fuzz_target;
use ratelimit_headers::{RateLimitStatus, parse_reset, parse_retry_after};

fuzz_target!(|data: &[u8]| {
    // A fixed clock keeps every run reproducible from its input alone.
    let now = UNIX_EPOCH + Duration::from_secs(1_764_000_000);
    let mut headers = HeaderMap::new();
    for line in data.split(|byte| *byte == b'\n') {
        let Some(colon) = line.iter().position(|byte| *byte == b':') else {
            continue;
        };
        let (name, value) = (&line[..colon], &line[colon + 1..]);
        let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.trim_ascii()),
            HeaderValue::from_bytes(value.trim_ascii()),
        ) else {
            continue;
        };
        let _ = parse_reset(value.as_bytes(), now);
        let _ = parse_retry_after(value.as_bytes(), now);
        headers.append(name, value);
    }

    for status in [
        RateLimitStatus::from_headers_at(&headers, now),
        RateLimitStatus::from_headers_at(&headers, SystemTime::UNIX_EPOCH),
    ] {
        let status = status.with_window(Duration::from_secs(60));
        let _ = status.retry_delay();
        let written = status.to_ietf_headers();
        assert_eq!(
            written.len(),
            status.ietf_fields().len(),
            "a written field was dropped: {status:?}"
        );
        // Our own output must read back with the same quota (values are clamped to the largest
        // structured-field integer, so compare only values below it).
        let again = RateLimitStatus::from_headers_at(&written, now);
        const MAX: u64 = 999_999_999_999_999;
        if status.limit.is_some_and(|limit| limit <= MAX) {
            assert_eq!(again.limit, status.limit, "limit of {status:?}");
        }
        if status.remaining.is_some_and(|remaining| remaining <= MAX) {
            assert_eq!(again.remaining, status.remaining, "remaining of {status:?}");
        }
    }
});
