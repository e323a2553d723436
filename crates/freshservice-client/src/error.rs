//! The one error type of the crate.
//!
//! Design note: the variants follow where a failure happened, in the order a request travels.
//! `InvalidConfig` and `InvalidRequest` are caught before anything is sent, so they are never worth retrying.
//! `Timeout` and `Communication` mean the exchange broke down; whether Freshservice acted on the request is
//! unknown, which is why both are retryable only for callers who know the request is safe to repeat.
//! `Api` is a complete answer from Freshservice with a non-2xx status and keeps everything a caller may need to
//! decide what to do next (parsed body, raw body, rate-limit status, headers).
//! `InvalidResponsePayload` and `ResponseTooLarge` are answers this crate refuses to interpret.
//!
//! No variant ever holds the API key or the `Authorization` header: request headers are not kept at all, and
//! text that came back from the network is scrubbed of the key before it is stored.

use std::time::Duration;

use http::StatusCode;
use ratelimit_headers::RateLimitStatus;

use crate::ApiErrorBody;

/// Everything that can go wrong while configuring the client or sending a request.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
#[expect(
    clippy::large_enum_variant,
    reason = "Error::Api carries the whole answer inline so callers can match on it"
)]
pub enum Error {
    /// A [`ClientBuilder`](crate::ClientBuilder) setting is missing or invalid.
    #[error("invalid client setting `{setting}`: {reason}")]
    InvalidConfig {
        /// The builder setting at fault, named like its builder method (for example `api_key`).
        setting: &'static str,
        /// What is wrong and how to fix it.
        reason: String,
    },

    /// The request was rejected before it was sent.
    #[error("invalid request: {reason}")]
    InvalidRequest {
        /// What is wrong and how to fix it.
        reason: String,
    },

    /// No complete answer arrived within the whole-request timeout.
    #[error(
        "freshservice did not answer within {} ms; the request may or may not have reached freshservice, \
         so check before repeating a request that changes data",
        .after.as_millis()
    )]
    Timeout {
        /// The whole-request timeout that ran out (see [`ClientBuilder::timeout`](crate::ClientBuilder::timeout)).
        after: Duration,
    },

    /// The connection could not be made or broke down (refused, reset, TLS failure, DNS failure, ...).
    #[error("could not talk to freshservice: {reason}")]
    Communication {
        /// What the transport reported; never contains the API key.
        reason: String,
    },

    /// Freshservice answered with a status outside 2xx (redirects are not followed and end up here too).
    #[error("freshservice answered {status}: {}", api_summary(*.status, .body.as_ref(), .rate_limit))]
    Api {
        /// The HTTP status of the answer.
        status: StatusCode,
        /// The error body, when it had Freshservice's JSON error shape.
        body: Option<ApiErrorBody>,
        /// The raw body, lossily decoded as UTF-8 and cut to 2 KiB.
        raw_body: String,
        /// The rate-limit status read from the answer's headers; `retry_after` is set on 429s.
        rate_limit: RateLimitStatus,
        /// The answer's headers.
        headers: http::HeaderMap,
    },

    /// Freshservice answered 2xx with a body that is not JSON.
    #[error(
        "freshservice answered {status} with a body that is not JSON ({reason}); it starts with: {snippet}"
    )]
    InvalidResponsePayload {
        /// The HTTP status of the answer.
        status: StatusCode,
        /// Why the body could not be read as JSON.
        reason: String,
        /// The start of the body, lossily decoded as UTF-8.
        snippet: String,
    },

    /// The answer's body was larger than the configured limit; reading stopped at the limit.
    #[error(
        "freshservice answered with a body larger than {limit} bytes; ask for less (for example a smaller \
         `per_page`) or raise `max_response_bytes`"
    )]
    ResponseTooLarge {
        /// The limit that was exceeded (see [`ClientBuilder::max_response_bytes`](crate::ClientBuilder::max_response_bytes)).
        limit: usize,
    },
}

impl Error {
    /// The HTTP status of the answer, for errors that carry one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Api { status, .. } | Self::InvalidResponsePayload { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Whether repeating the same request later may succeed: timeouts, communication failures and the
    /// statuses 429, 502, 503 and 504.
    ///
    /// This says nothing about whether repeating is *safe*: a timed-out POST may already have created something.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Timeout { .. } | Self::Communication { .. } => true,
            Self::Api { status, .. } => matches!(
                *status,
                StatusCode::TOO_MANY_REQUESTS
                    | StatusCode::BAD_GATEWAY
                    | StatusCode::SERVICE_UNAVAILABLE
                    | StatusCode::GATEWAY_TIMEOUT
            ),
            _ => false,
        }
    }

    /// How long Freshservice asked to wait (its `Retry-After` header), for API errors that carry it.
    pub fn retry_after(&self) -> Option<Duration> {
        self.rate_limit().and_then(|status| status.retry_after)
    }

    /// The rate-limit status of the answer, for API errors.
    pub fn rate_limit(&self) -> Option<&RateLimitStatus> {
        match self {
            Self::Api { rate_limit, .. } => Some(rate_limit),
            _ => None,
        }
    }

    /// The parsed error body, for API errors whose body had Freshservice's error shape.
    pub fn api_body(&self) -> Option<&ApiErrorBody> {
        match self {
            Self::Api { body, .. } => body.as_ref(),
            _ => None,
        }
    }
}

/// The human part of an [`Error::Api`] message: what Freshservice said, plus a hint where one helps.
fn api_summary(
    status: StatusCode,
    body: Option<&ApiErrorBody>,
    rate_limit: &RateLimitStatus,
) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(body) = body {
        parts.extend(body.summary());
    }
    if parts.is_empty() {
        parts.push("no error details in the response body".to_owned());
    }
    if status.is_redirection() {
        parts.push("redirects are not followed; check the domain or base_url setting".to_owned());
    } else if status == StatusCode::UNAUTHORIZED {
        parts.push("check the api key".to_owned());
    } else if status == StatusCode::TOO_MANY_REQUESTS {
        match rate_limit.retry_after {
            Some(wait) => parts.push(format!(
                "rate limit reached, retry after {} s",
                wait.as_secs()
            )),
            None => parts.push("rate limit reached, retry later".to_owned()),
        }
    }
    parts.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(error: Error, expected_display: &str, retryable: bool) {
        assert_eq!(error.to_string(), expected_display);
        assert_eq!(error.is_retryable(), retryable, "{expected_display}");
    }

    fn api(status: StatusCode, body: Option<ApiErrorBody>) -> Error {
        Error::Api {
            status,
            body,
            raw_body: String::new(),
            rate_limit: RateLimitStatus::default(),
            headers: http::HeaderMap::new(),
        }
    }

    fn body(json: &str) -> Option<ApiErrorBody> {
        ApiErrorBody::from_json_bytes(json.as_bytes())
    }

    #[test]
    fn display_and_retryability() {
        check(
            Error::InvalidConfig {
                setting: "api_key",
                reason: "missing".to_owned(),
            },
            "invalid client setting `api_key`: missing",
            false,
        );
        check(
            Error::InvalidRequest {
                reason: "bad".to_owned(),
            },
            "invalid request: bad",
            false,
        );
        check(
            Error::Timeout {
                after: Duration::from_millis(300),
            },
            "freshservice did not answer within 300 ms; the request may or may not have reached freshservice, \
             so check before repeating a request that changes data",
            true,
        );
        check(
            Error::Communication {
                reason: "connection refused".to_owned(),
            },
            "could not talk to freshservice: connection refused",
            true,
        );
        check(
            api(StatusCode::NOT_FOUND, None),
            "freshservice answered 404 Not Found: no error details in the response body",
            false,
        );
        check(
            api(
                StatusCode::BAD_REQUEST,
                body(
                    r#"{"description":"Validation failed","errors":[{"field":"priority","message":"It should be one of 1,2,3,4","code":"invalid_value"}]}"#,
                ),
            ),
            "freshservice answered 400 Bad Request: Validation failed; priority: It should be one of 1,2,3,4 (invalid_value)",
            false,
        );
        check(
            api(
                StatusCode::UNAUTHORIZED,
                body(r#"{"code":"invalid_credentials","message":"You have to be logged in"}"#),
            ),
            "freshservice answered 401 Unauthorized: You have to be logged in (invalid_credentials); check the api key",
            false,
        );
        check(
            api(StatusCode::TOO_MANY_REQUESTS, None),
            "freshservice answered 429 Too Many Requests: no error details in the response body; rate limit reached, retry later",
            true,
        );
        check(
            api(StatusCode::FOUND, None),
            "freshservice answered 302 Found: no error details in the response body; redirects are not followed; \
             check the domain or base_url setting",
            false,
        );
        check(
            api(StatusCode::BAD_GATEWAY, None),
            "freshservice answered 502 Bad Gateway: no error details in the response body",
            true,
        );
        check(
            api(StatusCode::SERVICE_UNAVAILABLE, None),
            "freshservice answered 503 Service Unavailable: no error details in the response body",
            true,
        );
        check(
            api(StatusCode::GATEWAY_TIMEOUT, None),
            "freshservice answered 504 Gateway Timeout: no error details in the response body",
            true,
        );
        check(
            api(StatusCode::INTERNAL_SERVER_ERROR, None),
            "freshservice answered 500 Internal Server Error: no error details in the response body",
            false,
        );
        check(
            Error::InvalidResponsePayload {
                status: StatusCode::OK,
                reason: "expected value at line 1 column 1".to_owned(),
                snippet: "<html>".to_owned(),
            },
            "freshservice answered 200 OK with a body that is not JSON (expected value at line 1 column 1); it starts with: <html>",
            false,
        );
        check(
            Error::ResponseTooLarge { limit: 10 },
            "freshservice answered with a body larger than 10 bytes; ask for less (for example a smaller `per_page`) \
             or raise `max_response_bytes`",
            false,
        );
    }

    #[test]
    fn accessors() {
        let error = api(StatusCode::BAD_REQUEST, body(r#"{"message":"nope"}"#));
        assert_eq!(error.status(), Some(StatusCode::BAD_REQUEST));
        assert_eq!(
            error.api_body().and_then(|b| b.message.as_deref()),
            Some("nope")
        );
        assert_eq!(error.rate_limit(), Some(&RateLimitStatus::default()));
        assert_eq!(error.retry_after(), None);

        let error = Error::Timeout {
            after: Duration::from_secs(1),
        };
        assert_eq!(error.status(), None);
        assert_eq!(error.api_body(), None);
        assert_eq!(error.rate_limit(), None);
    }
}
