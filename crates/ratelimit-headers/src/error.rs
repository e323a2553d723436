//! The crate's error type.
//!
//! Design note: reading a whole header map never fails.
//! The IETF drafts tell clients to ignore malformed rate-limit fields, and an upstream that sends garbage must not
//! break the request that carried it, so [`crate::RateLimitStatus::from_headers`] skips bad values silently.
//! Errors exist only for the single-value helpers ([`crate::parse_retry_after`], [`crate::parse_reset`]), whose
//! callers asked about one specific value and may want to log why it was rejected.

/// Why a single rate-limit header value was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The value is not in any form this crate understands for that field.
    #[error("invalid `{field}` value: expected {expected}")]
    InvalidValue {
        /// Lowercase name of the header field that was being read.
        field: &'static str,
        /// The forms that would have been accepted.
        expected: &'static str,
    },
}
