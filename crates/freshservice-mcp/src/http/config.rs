//! Limits and allow-lists of the Streamable HTTP endpoint, and how `Host` and `Origin` values
//! are matched against them.
//!
//! An allow-list entry without a port matches any port: a local server's port is often chosen
//! at start-up (or is 0 in tests), and DNS-rebinding protection is about the host name, which
//! an attacker's page cannot choose freely, not about the port.

use std::sync::Arc;
use std::time::Duration;

use super::sessions::SessionBackend;

/// How the HTTP endpoint checks and limits requests. Start from [`HttpConfig::default`] and
/// adjust with the `with_*` setters.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct HttpConfig {
    /// `Host` values accepted: `name` (any port), `name:port`, IPv6 in brackets (`[::1]`), or
    /// `*` for any host. Default: `localhost`, `127.0.0.1` and `[::1]` with any port.
    pub allowed_hosts: Vec<String>,
    /// `Origin` values accepted when a request carries one: `scheme://name` (any port),
    /// `scheme://name:port`, or `*`. Default: `http` and `https` on the default hosts, any port.
    pub allowed_origins: Vec<String>,
    /// The largest request body accepted (default 1 MiB); larger bodies get 413.
    pub max_body_bytes: usize,
    /// How long one request may run before it is cancelled (default 120 s).
    pub request_timeout: Duration,
    /// How long a client may take to send a request's headers, from its first byte (default
    /// 10 s); a slower client is disconnected. Applied by [`serve_http`](crate::serve_http).
    pub header_read_timeout: Duration,
    /// How long a client may take to send a request's body once its headers arrived (default
    /// 30 s); a slower one gets 408.
    pub body_read_timeout: Duration,
    /// How long a legacy session may stay unused before it is forgotten (default 30 min).
    pub session_idle_timeout: Duration,
    /// How many legacy sessions are kept at once (default 10 000); the least recently used one
    /// is dropped to make room, and its client re-initialises on the next request.
    pub max_sessions: usize,
    /// Where legacy sessions are shared with other instances (default: none, sessions live in
    /// this process only). See [`SessionBackend`].
    pub session_backend: Option<Arc<dyn SessionBackend>>,
    /// The most connections open at once (default 4 096); at the cap new connections wait in
    /// the listen backlog until one closes. Applied by [`serve_http`](crate::serve_http).
    pub max_connections: usize,
    /// How long a new connection may take to send its first complete request, from accept
    /// (default 10 s): covers a client that sends nothing, half a TLS-less HTTP/2 preface, or
    /// headers that never end. Applied by [`serve_http`](crate::serve_http).
    pub first_request_timeout: Duration,
    /// How long a connection may stay open with no request in flight after its last answer
    /// (default 60 s). Applied by [`serve_http`](crate::serve_http).
    pub idle_timeout: Duration,
    /// How often an HTTP/2 connection is pinged (default 30 s); one that does not answer within
    /// [`http2_keep_alive_timeout`](Self::http2_keep_alive_timeout) is closed.
    pub http2_keep_alive_interval: Duration,
    /// How long an HTTP/2 ping may go unanswered (default 10 s).
    pub http2_keep_alive_timeout: Duration,
}

const LOCAL_HOSTS: [&str; 3] = ["localhost", "127.0.0.1", "[::1]"];

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            allowed_hosts: LOCAL_HOSTS.iter().map(|host| (*host).to_owned()).collect(),
            allowed_origins: LOCAL_HOSTS
                .iter()
                .flat_map(|host| [format!("http://{host}"), format!("https://{host}")])
                .collect(),
            max_body_bytes: 1024 * 1024,
            request_timeout: Duration::from_secs(120),
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
            session_idle_timeout: Duration::from_secs(30 * 60),
            max_sessions: 10_000,
            session_backend: None,
            max_connections: 4096,
            first_request_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            http2_keep_alive_interval: Duration::from_secs(30),
            http2_keep_alive_timeout: Duration::from_secs(10),
        }
    }
}

impl HttpConfig {
    /// Replaces the accepted `Host` values.
    pub fn with_allowed_hosts<I, S>(mut self, hosts: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.allowed_hosts = hosts.into_iter().map(Into::into).collect();
        self
    }

    /// Replaces the accepted `Origin` values.
    pub fn with_allowed_origins<I, S>(mut self, origins: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.allowed_origins = origins.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the largest accepted request body, in bytes.
    pub fn with_max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// Sets how long one request may run.
    pub fn with_request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Sets how long a client may take to send a request's headers (at least 1 ms).
    pub fn with_header_read_timeout(mut self, timeout: Duration) -> Self {
        self.header_read_timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// Replaces [`max_connections`](Self::max_connections) (at least 1).
    pub fn with_max_connections(mut self, connections: usize) -> Self {
        self.max_connections = connections.max(1);
        self
    }

    /// Replaces [`first_request_timeout`](Self::first_request_timeout) (at least 1 ms).
    pub fn with_first_request_timeout(mut self, timeout: Duration) -> Self {
        self.first_request_timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// Replaces [`idle_timeout`](Self::idle_timeout) (at least 1 ms).
    pub fn with_idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// Replaces the HTTP/2 keep-alive [interval](Self::http2_keep_alive_interval) and
    /// [timeout](Self::http2_keep_alive_timeout) (each at least 1 ms).
    pub fn with_http2_keep_alive(mut self, interval: Duration, timeout: Duration) -> Self {
        self.http2_keep_alive_interval = interval.max(Duration::from_millis(1));
        self.http2_keep_alive_timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// Sets how long a client may take to send a request's body.
    pub fn with_body_read_timeout(mut self, timeout: Duration) -> Self {
        self.body_read_timeout = timeout;
        self
    }

    /// Sets how long an unused legacy session is kept.
    pub fn with_session_idle_timeout(mut self, timeout: Duration) -> Self {
        self.session_idle_timeout = timeout;
        self
    }

    /// Shares legacy sessions with other instances through `backend`.
    pub fn with_session_backend(mut self, backend: Arc<dyn SessionBackend>) -> Self {
        self.session_backend = Some(backend);
        self
    }

    /// Sets how many legacy sessions are kept at once (at least 1).
    pub fn with_max_sessions(mut self, sessions: usize) -> Self {
        self.max_sessions = sessions.max(1);
        self
    }

    /// Whether a `Host` header value is on the allow-list.
    pub(crate) fn host_allowed(&self, host: &str) -> bool {
        let Some((name, port)) = split_authority(host) else {
            return false;
        };
        self.allowed_hosts
            .iter()
            .any(|entry| entry == "*" || authority_matches(entry, name, port))
    }

    /// Whether an `Origin` header value is on the allow-list. `null` (sandboxed documents, file
    /// URLs) only passes a `*` entry.
    pub(crate) fn origin_allowed(&self, origin: &str) -> bool {
        if self.allowed_origins.iter().any(|entry| entry == "*") {
            return true;
        }
        let Some((scheme, authority)) = origin.split_once("://") else {
            return false;
        };
        let Some((name, port)) = split_authority(authority) else {
            return false;
        };
        self.allowed_origins.iter().any(|entry| {
            entry
                .split_once("://")
                .is_some_and(|(entry_scheme, entry_authority)| {
                    entry_scheme.eq_ignore_ascii_case(scheme)
                        && authority_matches(entry_authority, name, port)
                })
        })
    }
}

/// Splits `name[:port]` (IPv6 in brackets). `None` when the value is not an authority.
fn split_authority(authority: &str) -> Option<(&str, Option<&str>)> {
    let split_at = if authority.starts_with('[') {
        authority.find(']')? + 1
    } else {
        authority.find(':').unwrap_or(authority.len())
    };
    let (name, rest) = authority.split_at(split_at);
    let port = match rest {
        "" => None,
        rest => {
            let port = rest.strip_prefix(':')?;
            if port.is_empty() || !port.bytes().all(|byte| byte.is_ascii_digit()) {
                return None;
            }
            Some(port)
        }
    };
    if name.is_empty() || name.contains(['/', '@', ' ', '?', '#']) {
        return None;
    }
    Some((name, port))
}

fn authority_matches(entry: &str, name: &str, port: Option<&str>) -> bool {
    let Some((entry_name, entry_port)) = split_authority(entry) else {
        return false;
    };
    entry_name.eq_ignore_ascii_case(name) && (entry_port.is_none() || entry_port == port)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_trials() {
        let config = HttpConfig::default();
        let custom = HttpConfig::default().with_allowed_hosts(["mcp.example.com:8443"]);
        let any = HttpConfig::default().with_allowed_hosts(["*"]);
        // (config, Host value, accepted)
        let trials = [
            (&config, "localhost", true),
            (&config, "localhost:3000", true),
            (&config, "LOCALHOST:3000", true),
            (&config, "127.0.0.1:65535", true),
            (&config, "[::1]:8080", true),
            (&config, "[::1]", true),
            (&config, "evil.example.com", false),
            (&config, "evil.example.com:3000", false),
            (&config, "localhost.evil.example.com", false),
            (&config, "127.0.0.1.nip.io", false),
            (&config, "localhost:", false),
            (&config, "localhost:80x", false),
            (&config, "user@localhost", false),
            (&config, "", false),
            (&config, "[::1", false),
            (&custom, "mcp.example.com:8443", true),
            (&custom, "mcp.example.com:443", false),
            (&custom, "mcp.example.com", false),
            (&custom, "localhost", false),
            (&any, "anything.example", true),
        ];
        for (config, host, expected) in trials {
            assert_eq!(config.host_allowed(host), expected, "{host:?}");
        }
    }

    #[test]
    fn origin_trials() {
        let config = HttpConfig::default();
        let custom = HttpConfig::default().with_allowed_origins(["https://app.example.com"]);
        let any = HttpConfig::default().with_allowed_origins(["*"]);
        // (config, Origin value, accepted)
        let trials = [
            (&config, "http://localhost", true),
            (&config, "http://localhost:6274", true),
            (&config, "https://127.0.0.1:3000", true),
            (&config, "http://[::1]:3000", true),
            (&config, "HTTP://LOCALHOST:1", true),
            (&config, "http://evil.example.com", false),
            (&config, "http://localhost.evil.example.com", false),
            (&config, "ftp://localhost", false),
            (&config, "null", false),
            (&config, "localhost", false),
            (&config, "http://localhost/path", false),
            (&custom, "https://app.example.com", true),
            (&custom, "https://app.example.com:8443", true),
            (&custom, "http://app.example.com", false),
            (&custom, "http://localhost", false),
            (&any, "null", true),
        ];
        for (config, origin, expected) in trials {
            assert_eq!(config.origin_allowed(origin), expected, "{origin:?}");
        }
    }

    #[test]
    fn setters_replace_the_defaults() {
        let config = HttpConfig::default()
            .with_max_body_bytes(10)
            .with_request_timeout(Duration::from_secs(1))
            .with_session_idle_timeout(Duration::from_secs(2))
            .with_header_read_timeout(Duration::ZERO)
            .with_body_read_timeout(Duration::from_secs(4))
            .with_max_sessions(0);
        assert_eq!(config.max_body_bytes, 10);
        assert_eq!(config.request_timeout, Duration::from_secs(1));
        assert_eq!(config.session_idle_timeout, Duration::from_secs(2));
        assert_eq!(config.max_sessions, 1);
        assert_eq!(config.header_read_timeout, Duration::from_millis(1));
        assert_eq!(config.body_read_timeout, Duration::from_secs(4));
        assert_eq!(
            HttpConfig::default().header_read_timeout,
            Duration::from_secs(10)
        );
        assert_eq!(HttpConfig::default().max_body_bytes, 1024 * 1024);
        assert_eq!(HttpConfig::default().allowed_origins.len(), 6);
    }
}
