//! The client and its builder: configuration, authentication and the one `send` that does I/O.

use std::{fmt, sync::Arc, time::Duration};

use base64::Engine as _;
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use ratelimit_headers::RateLimitStatus;
use url::Url;

use crate::{
    ApiErrorBody, ApiRequest, ApiResponse, Error, Pacing, RetryPolicy, location, rate_limit::Budget,
};

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const DEFAULT_MAX_RESPONSE_BYTES: usize = 8 * 1024 * 1024;
const DEFAULT_RATE_LIMIT_WINDOW: Duration = Duration::from_secs(60);
const RAW_BODY_LIMIT: usize = 2 * 1024;
const SNIPPET_LIMIT: usize = 200;
const REDACTED: &str = "[redacted]";

/// A Freshservice API client.
///
/// Cheap to clone: clones share one connection pool, configuration and rate-limit reading.
/// By default it never retries; a 429 comes back as [`Error::Api`] with [`Error::retry_after`] set.
/// [`ClientBuilder::retry_policy`] and [`ClientBuilder::pacing`] turn on rate-limit handling.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base_url: Url,
    secret: Secret,
    timeout: Duration,
    connect_timeout: Duration,
    max_response_bytes: usize,
    rate_limit_window: Duration,
    user_agent: String,
    retry_policy: RetryPolicy,
    pacing: Pacing,
    budget: Budget,
}

/// The API key in the two forms it can leak in, kept only to scrub them from text that came off the network.
struct Secret {
    key: String,
    basic_credentials: String,
}

impl Secret {
    fn new(key: String) -> Self {
        let basic_credentials =
            base64::engine::general_purpose::STANDARD.encode(format!("{key}:X"));
        Self {
            key,
            basic_credentials,
        }
    }

    fn authorization(&self) -> Result<HeaderValue, Error> {
        let mut value = HeaderValue::try_from(format!("Basic {}", self.basic_credentials))
            .map_err(|_| Error::InvalidConfig {
                setting: "api_key",
                reason: "cannot be sent in a header".to_owned(),
            })?;
        // Marked sensitive so that HTTP layers leave it out of their own debug output.
        value.set_sensitive(true);
        Ok(value)
    }

    fn scrub(&self, text: &str) -> String {
        let mut scrubbed = text.to_owned();
        for secret in [&self.basic_credentials, &self.key] {
            if !secret.is_empty() && scrubbed.contains(secret.as_str()) {
                scrubbed = scrubbed.replace(secret.as_str(), REDACTED);
            }
        }
        scrubbed
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        formatter
            .debug_struct("Client")
            .field("base_url", &inner.base_url.as_str())
            .field("api_key", &REDACTED)
            .field("timeout", &inner.timeout)
            .field("connect_timeout", &inner.connect_timeout)
            .field("max_response_bytes", &inner.max_response_bytes)
            .field("rate_limit_window", &inner.rate_limit_window)
            .field("user_agent", &inner.user_agent)
            .field("retry_policy", &inner.retry_policy)
            .field("pacing", &inner.pacing)
            .finish()
    }
}

/// Configures a [`Client`]; start with [`Client::builder`].
///
/// Either [`domain`](Self::domain) or [`base_url`](Self::base_url) is required, and so is
/// [`api_key`](Self::api_key).
#[derive(Clone, Default)]
pub struct ClientBuilder {
    domain: Option<String>,
    base_url: Option<String>,
    api_key: Option<String>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    max_response_bytes: Option<usize>,
    rate_limit_window: Option<Duration>,
    user_agent: Option<String>,
    retry_policy: RetryPolicy,
    pacing: Pacing,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("ClientBuilder")
            .field("domain", &self.domain)
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| REDACTED))
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("rate_limit_window", &self.rate_limit_window)
            .field("user_agent", &self.user_agent)
            .field("retry_policy", &self.retry_policy)
            .field("pacing", &self.pacing)
            .finish()
    }
}

impl ClientBuilder {
    /// The Freshservice account: `acme` or `acme.freshservice.com` both mean `https://acme.freshservice.com`.
    ///
    /// Only labels of `a-z`, `0-9` and `-` are accepted (case is ignored); API v2 does not answer on custom domains.
    pub fn domain(mut self, domain: impl Into<String>) -> Self {
        self.domain = Some(domain.into());
        self
    }

    /// An explicit base URL instead of [`domain`](Self::domain), for proxies and test servers.
    ///
    /// `https` is required, except for loopback hosts (`127.0.0.0/8`, `::1`, `localhost`), which may use `http`.
    /// A path is kept as a prefix: with `http://127.0.0.1:1234/prefix`, the request `/api/v2/tickets` goes to
    /// `http://127.0.0.1:1234/prefix/api/v2/tickets`.
    pub fn base_url(mut self, url: impl AsRef<str>) -> Self {
        self.base_url = Some(url.as_ref().to_owned());
        self
    }

    /// The agent's API key (Profile Settings in Freshservice); sent as HTTP Basic auth `<key>:X`.
    ///
    /// Surrounding whitespace is ignored.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// The whole-request timeout, from sending to the last byte of the body; 30 s by default.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The timeout for opening a connection; 10 s by default.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// The largest response body accepted; 8 MiB by default.
    ///
    /// A larger 2xx body fails with [`Error::ResponseTooLarge`]; reading stops at the limit.
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = Some(limit);
        self
    }

    /// The rate-limit window to assume when Freshservice does not name one (it never does); 60 s by default.
    pub fn rate_limit_window(mut self, window: Duration) -> Self {
        self.rate_limit_window = Some(window);
        self
    }

    /// The `User-Agent` header; `freshservice-client/<version>` by default.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Which failed requests to repeat; [`RetryPolicy::none`] (never) by default.
    ///
    /// Its [`with_max_total_wait`](RetryPolicy::with_max_total_wait) also bounds the waiting done by
    /// [`pacing`](Self::pacing).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry_policy = policy;
        self
    }

    /// Whether to hold requests back to keep part of the rate-limit budget free; [`Pacing::none`] by default.
    ///
    /// The budget is tracked per client: clones share it, separately built clients do not, so build one client per
    /// account and clone it.
    pub fn pacing(mut self, pacing: Pacing) -> Self {
        self.pacing = pacing;
        self
    }

    /// Checks the settings and builds the client.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] naming the setting when the API key or both `domain` and `base_url` are missing,
    /// when both `domain` and `base_url` are set, or when a value is invalid.
    pub fn build(self) -> Result<Client, Error> {
        let base_url = match (&self.domain, &self.base_url) {
            (Some(_), Some(_)) => {
                return Err(Error::InvalidConfig {
                    setting: "base_url",
                    reason: "set either domain or base_url, not both".to_owned(),
                });
            }
            (Some(domain), None) => location::base_url_from_domain(domain)?,
            (None, Some(base_url)) => location::parse_base_url(base_url)?,
            (None, None) => {
                return Err(Error::InvalidConfig {
                    setting: "domain",
                    reason: "missing; set domain (for example `acme`) or base_url".to_owned(),
                });
            }
        };
        let secret = Secret::new(check_api_key(self.api_key)?);
        let timeout = positive("timeout", self.timeout.unwrap_or(DEFAULT_TIMEOUT))?;
        let connect_timeout = positive(
            "connect_timeout",
            self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT),
        )?;
        let rate_limit_window = positive(
            "rate_limit_window",
            self.rate_limit_window.unwrap_or(DEFAULT_RATE_LIMIT_WINDOW),
        )?;
        self.retry_policy.check()?;
        self.pacing.check()?;
        let max_response_bytes = self
            .max_response_bytes
            .unwrap_or(DEFAULT_MAX_RESPONSE_BYTES);
        if max_response_bytes == 0 {
            return Err(Error::InvalidConfig {
                setting: "max_response_bytes",
                reason: "must be at least 1".to_owned(),
            });
        }
        let user_agent = self.user_agent.unwrap_or_else(|| {
            concat!("freshservice-client/", env!("CARGO_PKG_VERSION")).to_owned()
        });
        let user_agent_value =
            HeaderValue::try_from(user_agent.as_str()).map_err(|_| Error::InvalidConfig {
                setting: "user_agent",
                reason: "must be visible ASCII without control characters".to_owned(),
            })?;

        let mut default_headers = HeaderMap::new();
        default_headers.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
        default_headers.insert(header::AUTHORIZATION, secret.authorization()?);
        let mut http = reqwest::Client::builder()
            .default_headers(default_headers)
            .user_agent(user_agent_value)
            .timeout(timeout)
            .connect_timeout(connect_timeout)
            // A redirect could carry the Authorization header to another host, so 3xx is reported, not followed.
            .redirect(reqwest::redirect::Policy::none())
            .https_only(base_url.scheme() == "https");
        if location::is_loopback_base(&base_url) {
            // A proxy from the environment cannot reach our loopback anyway, and would see plain-text credentials.
            http = http.no_proxy();
        }
        let http = http.build().map_err(|error| Error::InvalidConfig {
            setting: "base_url",
            reason: format!(
                "could not set up the HTTP client: {}",
                secret.scrub(&error_chain(&error))
            ),
        })?;

        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base_url,
                secret,
                timeout,
                connect_timeout,
                max_response_bytes,
                rate_limit_window,
                user_agent,
                retry_policy: self.retry_policy,
                pacing: self.pacing,
                budget: Budget::default(),
            }),
        })
    }
}

fn check_api_key(key: Option<String>) -> Result<String, Error> {
    let invalid = |reason: &str| Error::InvalidConfig {
        setting: "api_key",
        reason: reason.to_owned(),
    };
    let Some(key) = key else {
        return Err(invalid(
            "missing; set it with ClientBuilder::api_key (the agent's key from Profile Settings)",
        ));
    };
    // The key itself never goes into a message, even when it is wrong.
    let key = key.trim();
    if key.is_empty() {
        return Err(invalid("empty; use the agent's key from Profile Settings"));
    }
    if !key.bytes().all(|byte| byte.is_ascii_graphic()) {
        return Err(invalid(
            "must be visible ASCII without spaces; check for stray characters",
        ));
    }
    if key.contains(':') {
        return Err(invalid(
            "must not contain `:`; give only the key, the password part `X` is added for you",
        ));
    }
    Ok(key.to_owned())
}

fn positive(setting: &'static str, duration: Duration) -> Result<Duration, Error> {
    if duration.is_zero() {
        return Err(Error::InvalidConfig {
            setting,
            reason: "must be greater than zero".to_owned(),
        });
    }
    Ok(duration)
}

impl Client {
    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The base URL requests are joined onto; its path always ends with `/`.
    pub fn base_url(&self) -> &Url {
        &self.inner.base_url
    }

    /// Turns an absolute URL under the base URL, such as [`ApiResponse::next_page_url`], into a path and query
    /// for [`ApiRequest`].
    ///
    /// # Errors
    ///
    /// [`Error::InvalidRequest`] when the URL is on another host or outside the base URL's `/api/v2/`.
    pub fn relative_path_and_query(&self, url: &str) -> Result<String, Error> {
        location::relative_path_and_query(&self.inner.base_url, url)
    }

    /// Sends one request and returns a 2xx answer.
    ///
    /// `path_and_query` must be percent-encoded and start with `/api/v2/`; it is joined onto the base URL,
    /// keeping the base URL's path as a prefix.
    ///
    /// By default the request is sent exactly once. With a [`RetryPolicy`] or [`Pacing`] set on the builder, it may
    /// wait first or be repeated (see the crate's "Rate limits" section); the error is then the last attempt's.
    /// All waiting happens inside the returned future, so dropping it cancels both the wait and the request.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidRequest`] for a path outside `/api/v2/`, with `://`, dot segments or unencoded characters;
    ///   nothing is sent.
    /// - [`Error::Timeout`] and [`Error::Communication`] when no complete answer arrived.
    /// - [`Error::Api`] for any non-2xx status, including 3xx (redirects are not followed) and 429.
    /// - [`Error::InvalidResponsePayload`] for a 2xx body that is not JSON.
    /// - [`Error::ResponseTooLarge`] for a 2xx body over [`ClientBuilder::max_response_bytes`].
    pub async fn send(&self, request: ApiRequest) -> Result<ApiResponse, Error> {
        let inner = &self.inner;
        let url = location::request_url(&inner.base_url, &request.path_and_query)?;
        let body = request
            .body
            .as_ref()
            .map(serde_json::to_vec)
            .transpose()
            .map_err(|error| Error::InvalidRequest {
                reason: format!("the body cannot be serialized: {error}"),
            })?;
        let mut attempts = 0_u32;
        let mut waited = Duration::ZERO;
        loop {
            waited = waited.saturating_add(self.pace(waited).await);
            attempts = attempts.saturating_add(1);
            let error = match self.send_once(&request.method, &url, body.as_ref()).await {
                Ok(response) => return Ok(response),
                Err(error) => error,
            };
            let Some(wait) = inner.retry_policy.wait_before_retry(
                &request.method,
                &error,
                attempts,
                waited,
                inner.rate_limit_window,
            ) else {
                return Err(error);
            };
            tokio::time::sleep(wait).await;
            waited = waited.saturating_add(wait);
        }
    }

    /// The latest rate-limit reading from any answer to this client or its clones, while it is current.
    ///
    /// `None` before the first answer with rate-limit headers, and again once the reading is older than its window
    /// (or its `Retry-After`), since the budget has refilled by then. `reset` and `retry_after` are counted down to
    /// now; `remaining` is as Freshservice said it, without requests sent since.
    /// Callers that loop (following pages, for example) can stop early when `remaining` runs low.
    pub fn last_rate_limit(&self) -> Option<RateLimitStatus> {
        self.inner.budget.latest(self.inner.rate_limit_window)
    }

    /// Waits as long as [`Pacing`] asks, within what is left of the wait cap; returns how long it waited.
    async fn pace(&self, already_waited: Duration) -> Duration {
        let inner = &self.inner;
        let Some(keep_free) = inner.pacing.fraction() else {
            return Duration::ZERO;
        };
        let mut slept = Duration::ZERO;
        // Each round sleeps a positive time or leaves, and the cap shrinks with every sleep.
        while let Some(wait) = inner.budget.take_turn(keep_free, inner.rate_limit_window) {
            let room = inner
                .retry_policy
                .max_total_wait()
                .saturating_sub(already_waited.saturating_add(slept));
            if room.is_zero() || wait.is_zero() {
                inner.budget.count_forced_turn();
                break;
            }
            let wait = wait.min(room);
            tokio::time::sleep(wait).await;
            slept = slept.saturating_add(wait);
        }
        slept
    }

    /// One attempt: sends the request and reads the answer.
    async fn send_once(
        &self,
        method: &Method,
        url: &Url,
        body: Option<&Vec<u8>>,
    ) -> Result<ApiResponse, Error> {
        let inner = &self.inner;
        let mut outgoing = inner.http.request(method.clone(), url.clone());
        if let Some(bytes) = body {
            outgoing = outgoing
                .header(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                )
                .body(bytes.clone());
        }
        let mut response = outgoing
            .send()
            .await
            .map_err(|error| self.transport_error(&error))?;

        let status = response.status();
        let headers = response.headers().clone();
        let mut rate_limit = RateLimitStatus::from_headers(&headers);
        if !rate_limit.is_empty() && rate_limit.window.is_none() {
            rate_limit = rate_limit.with_window(inner.rate_limit_window);
        }
        inner.budget.record(&rate_limit);
        let (bytes, complete) = read_capped(&mut response, inner.max_response_bytes)
            .await
            .map_err(|error| self.transport_error(&error))?;

        if status.is_success() {
            if !complete {
                return Err(Error::ResponseTooLarge {
                    limit: inner.max_response_bytes,
                });
            }
            let body = if status == StatusCode::NO_CONTENT || bytes.trim_ascii().is_empty() {
                serde_json::Value::Null
            } else {
                serde_json::from_slice(&bytes).map_err(|error| Error::InvalidResponsePayload {
                    status,
                    reason: error.to_string(),
                    snippet: truncate(
                        &inner.secret.scrub(&String::from_utf8_lossy(&bytes)),
                        SNIPPET_LIMIT,
                    ),
                })?
            };
            return Ok(ApiResponse {
                status,
                headers,
                body,
                rate_limit,
            });
        }

        // An error body cut off at the limit is still worth reporting, so it is not an error of its own here.
        let text = inner.secret.scrub(&String::from_utf8_lossy(&bytes));
        Err(Error::Api {
            status,
            body: ApiErrorBody::from_json_bytes(text.as_bytes()),
            raw_body: truncate(&text, RAW_BODY_LIMIT),
            rate_limit,
            headers,
        })
    }

    fn transport_error(&self, error: &reqwest::Error) -> Error {
        let inner = &self.inner;
        if error.is_connect() && error.is_timeout() {
            return Error::Communication {
                reason: format!(
                    "could not connect to {} within {} ms; nothing was sent",
                    inner.base_url.origin().ascii_serialization(),
                    inner.connect_timeout.as_millis()
                ),
            };
        }
        if error.is_timeout() {
            return Error::Timeout {
                after: inner.timeout,
            };
        }
        Error::Communication {
            reason: inner.secret.scrub(&error_chain(error)),
        }
    }
}

/// Reads the body up to `limit` bytes; `complete` is false when the body was longer (the rest is not read).
async fn read_capped(
    response: &mut reqwest::Response,
    limit: usize,
) -> Result<(Vec<u8>, bool), reqwest::Error> {
    if response
        .content_length()
        .is_some_and(|length| length > limit as u64)
    {
        return Ok((Vec::new(), false));
    }
    // Sized once from Content-Length (already known to be within the limit) rather than grown
    // chunk by chunk.
    let expected = response
        .content_length()
        .and_then(|length| usize::try_from(length).ok())
        .unwrap_or(0);
    let mut bytes = Vec::with_capacity(expected);
    while let Some(chunk) = response.chunk().await? {
        let room = limit - bytes.len();
        if chunk.len() > room {
            bytes.extend_from_slice(&chunk[..room]);
            return Ok((bytes, false));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok((bytes, true))
}

/// The error and its sources, skipping sources that only repeat what is already said.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    message
}

/// Cuts `text` to at most `limit` bytes on a character boundary.
fn truncate(text: &str, limit: usize) -> String {
    if text.len() <= limit {
        return text.to_owned();
    }
    let mut cut = limit;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    text[..cut].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "sEcReTkEy123456";

    fn check_build(builder: ClientBuilder, expected: Result<&str, (&str, &str)>) {
        match (builder.build(), expected) {
            (Ok(client), Ok(base)) => assert_eq!(client.base_url().as_str(), base),
            (Err(Error::InvalidConfig { setting, reason }), Err((expected_setting, fragment))) => {
                assert_eq!(setting, expected_setting, "{reason}");
                assert!(reason.contains(fragment), "{reason}");
                assert!(!reason.contains(KEY), "{reason}");
            }
            (result, expected) => panic!("got {result:?}, expected {expected:?}"),
        }
    }

    #[test]
    fn builder_settings() {
        let valid = || Client::builder().api_key(KEY);
        check_build(valid().domain("acme"), Ok("https://acme.freshservice.com/"));
        check_build(
            valid().base_url("http://127.0.0.1:1/x"),
            Ok("http://127.0.0.1:1/x/"),
        );
        check_build(valid(), Err(("domain", "missing")));
        check_build(
            valid().domain("acme").base_url("https://x.example"),
            Err(("base_url", "not both")),
        );
        check_build(
            valid().base_url("http://example.com"),
            Err(("base_url", "use https")),
        );
        check_build(valid().domain("a.b.c"), Err(("domain", "custom domains")));
        check_build(
            Client::builder().domain("acme"),
            Err(("api_key", "missing")),
        );
        check_build(
            Client::builder().domain("acme").api_key("  "),
            Err(("api_key", "empty")),
        );
        check_build(
            Client::builder().domain("acme").api_key(format!("{KEY}:X")),
            Err(("api_key", "`:`")),
        );
        check_build(
            Client::builder().domain("acme").api_key(format!("{KEY} x")),
            Err(("api_key", "visible ASCII")),
        );
        check_build(
            valid().domain("acme").timeout(Duration::ZERO),
            Err(("timeout", "greater than zero")),
        );
        check_build(
            valid().domain("acme").connect_timeout(Duration::ZERO),
            Err(("connect_timeout", "greater than zero")),
        );
        check_build(
            valid().domain("acme").rate_limit_window(Duration::ZERO),
            Err(("rate_limit_window", "greater than zero")),
        );
        check_build(
            valid().domain("acme").max_response_bytes(0),
            Err(("max_response_bytes", "at least 1")),
        );
        check_build(
            valid().domain("acme").user_agent("bad\nagent"),
            Err(("user_agent", "visible ASCII")),
        );
        check_build(
            valid()
                .domain("acme")
                .retry_policy(RetryPolicy::on_rate_limit().with_max_attempts(0)),
            Err(("retry_policy", "max_attempts must be at least 1")),
        );
        check_build(
            valid().domain("acme").pacing(Pacing::keep_free(1.0)),
            Err(("pacing", "keep_free must be a fraction")),
        );
        check_build(
            valid().domain("acme").pacing(Pacing::keep_free(f64::NAN)),
            Err(("pacing", "got NaN")),
        );
        check_build(
            valid()
                .domain("acme")
                .retry_policy(RetryPolicy::on_rate_limit().with_transient_errors())
                .pacing(Pacing::keep_free(0.2)),
            Ok("https://acme.freshservice.com/"),
        );
    }

    #[test]
    fn debug_output_hides_the_key() {
        let builder = Client::builder().domain("acme").api_key(KEY);
        let builder_debug = format!("{builder:?}");
        let client = builder.build().unwrap();
        let client_debug = format!("{client:?}");
        let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{KEY}:X"));
        for debug in [&builder_debug, &client_debug] {
            assert!(!debug.contains(KEY), "{debug}");
            assert!(!debug.contains(&encoded), "{debug}");
            assert!(debug.contains(REDACTED), "{debug}");
        }
        assert!(
            client_debug.contains("https://acme.freshservice.com/"),
            "{client_debug}"
        );
    }

    #[test]
    fn scrubbing() {
        let secret = Secret::new(KEY.to_owned());
        let encoded = secret.basic_credentials.clone();
        assert_eq!(
            secret.scrub(&format!("a {KEY} b Basic {encoded} c")),
            "a [redacted] b Basic [redacted] c"
        );
        assert_eq!(secret.scrub("nothing here"), "nothing here");
    }

    #[test]
    fn truncation_keeps_characters_whole() {
        assert_eq!(truncate("abc", 5), "abc");
        assert_eq!(truncate("abcdef", 3), "abc");
        assert_eq!(truncate("aé", 2), "a");
    }
}
