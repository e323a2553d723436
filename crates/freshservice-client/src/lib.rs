#![doc = include_str!("../README.md")]
//!
//! Crate layout: `client` (builder, auth, `send`), `location` (base URL and path rules), `exchange`
//! (request and response types), `rate_limit` (opt-in retries and pacing), `error` and `error_body` (errors and
//! Freshservice's error bodies).

// `Error::Api` keeps status, parsed body, raw body, rate-limit status and headers inline so callers can match on
// them directly; the extra size only matters on the error path, which is dominated by network time anyway.
#![expect(
    clippy::result_large_err,
    reason = "Error::Api carries the whole answer by design"
)]

mod client;
mod error;
mod error_body;
mod exchange;
mod location;
mod rate_limit;

pub use client::{Client, ClientBuilder};
pub use error::Error;
pub use error_body::{ApiErrorBody, FieldError};
pub use exchange::{ApiRequest, ApiResponse};
pub use rate_limit::{Pacing, RetryPolicy};
pub use ratelimit_headers::RateLimitStatus;
