//! Where requests may go: the base URL rules and the checks that keep every request under `/api/v2/` of it.
//!
//! The API key travels with every request, so the rules are strict on purpose: plain HTTP only to loopback,
//! no credentials or query in the base URL, and request paths that cannot escape the base origin or prefix.

use std::net::IpAddr;

use url::{Host, Url};

use crate::Error;

/// The prefix every request path must start with.
pub(crate) const API_PREFIX: &str = "/api/v2/";

const FRESHSERVICE_SUFFIX: &str = ".freshservice.com";

/// Turns `acme` or `acme.freshservice.com` into `https://acme.freshservice.com/`.
pub(crate) fn base_url_from_domain(domain: &str) -> Result<Url, Error> {
    let invalid = |reason: String| Error::InvalidConfig {
        setting: "domain",
        reason,
    };
    let normalized = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    if normalized.contains("://") || normalized.contains('/') {
        return Err(invalid(format!(
            "`{normalized}` is a URL; give the account name like `acme` or `acme.freshservice.com`, \
             or use base_url for a full URL"
        )));
    }
    let account = normalized
        .strip_suffix(FRESHSERVICE_SUFFIX)
        .unwrap_or(&normalized);
    if account.is_empty() {
        return Err(invalid(
            "empty; give the account name like `acme` or `acme.freshservice.com`".to_owned(),
        ));
    }
    // Freshservice API v2 only answers on `<account>.freshservice.com`, never on custom CNAMEs,
    // so anything with more labels is a mistake worth reporting.
    if account.contains('.') {
        return Err(invalid(format!(
            "`{normalized}` is not a freshservice domain; give the account name like `acme` or \
             `acme.freshservice.com` (API v2 does not answer on custom domains), or use base_url for a test server"
        )));
    }
    if let Err(reason) = check_label(account) {
        return Err(invalid(format!("`{account}` {reason}")));
    }
    Url::parse(&format!("https://{account}{FRESHSERVICE_SUFFIX}/"))
        .map_err(|error| invalid(format!("`{account}` does not make a valid URL: {error}")))
}

fn check_label(label: &str) -> Result<(), &'static str> {
    if label.len() > 63 {
        return Err("is longer than 63 characters");
    }
    if !label
        .bytes()
        .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-')
    {
        return Err("may only contain letters a-z, digits 0-9 and `-`");
    }
    if label.starts_with('-') || label.ends_with('-') {
        return Err("must not start or end with `-`");
    }
    Ok(())
}

/// Validates an explicit base URL and normalizes its path to end with `/`.
pub(crate) fn parse_base_url(raw: &str) -> Result<Url, Error> {
    let invalid = |reason: String| Error::InvalidConfig {
        setting: "base_url",
        reason,
    };
    let raw = raw.trim();
    // Checked on the raw text because the parser resolves dot segments (also `%2e%2e`) before we could see them.
    let raw_path = raw.split(['?', '#']).next().unwrap_or_default();
    if raw_path.split('/').any(is_dot_segment) {
        return Err(invalid(
            "must not contain `.` or `..` path segments".to_owned(),
        ));
    }
    let mut url = Url::parse(raw).map_err(|error| invalid(format!("not a valid URL ({error})")))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(invalid(
                "plain http is only allowed for loopback hosts (127.0.0.0/8, ::1, localhost); use https".to_owned(),
            ));
        }
        other => {
            return Err(invalid(format!(
                "scheme `{other}` is not supported; use https"
            )));
        }
    }
    if url.host().is_none() {
        return Err(invalid(
            "has no host; use a URL like https://acme.freshservice.com".to_owned(),
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(
            "must not contain credentials; set the key with api_key".to_owned(),
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("must not contain a query or fragment".to_owned()));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(address)) => IpAddr::V4(address).is_loopback(),
        Some(Host::Ipv6(address)) => IpAddr::V6(address).is_loopback(),
        None => false,
    }
}

/// Whether requests to this base URL should bypass proxies from the environment.
pub(crate) fn is_loopback_base(base: &Url) -> bool {
    is_loopback(base)
}

/// The base URL's path without its trailing `/` (empty for a base at the root).
fn base_prefix(base: &Url) -> &str {
    base.path().trim_end_matches('/')
}

/// Joins an already percent-encoded `/api/v2/...` path and query onto the base URL.
///
/// The base path is kept: `http://127.0.0.1:1234/prefix/` + `/api/v2/tickets` is
/// `http://127.0.0.1:1234/prefix/api/v2/tickets`.
pub(crate) fn request_url(base: &Url, path_and_query: &str) -> Result<Url, Error> {
    let invalid = |reason: String| Error::InvalidRequest { reason };
    if !path_and_query.starts_with(API_PREFIX) {
        return Err(invalid(format!(
            "the path must start with `{API_PREFIX}`; got `{}`",
            shorten(path_and_query)
        )));
    }
    if path_and_query.contains("://") {
        return Err(invalid(
            "the path must not contain `://`; give a path, not a URL".to_owned(),
        ));
    }
    check_encoded(path_and_query).map_err(invalid)?;
    let path = path_and_query.split('?').next().unwrap_or_default();
    if path.split('/').any(is_dot_segment) {
        return Err(invalid(
            "the path must not contain `.` or `..` segments".to_owned(),
        ));
    }
    let joined = format!(
        "{}{}{path_and_query}",
        base.origin().ascii_serialization(),
        base_prefix(base)
    );
    let url = Url::parse(&joined)
        .map_err(|error| invalid(format!("the path does not make a valid URL ({error})")))?;
    // Defence in depth: whatever the parser made of the input, it must still point at the base origin and prefix.
    let expected_path = format!("{}{API_PREFIX}", base_prefix(base));
    if url.origin() != base.origin() || !url.path().starts_with(&expected_path) {
        return Err(invalid(format!(
            "the path must stay under `{expected_path}` of the base URL"
        )));
    }
    Ok(url)
}

/// Turns an absolute URL under the base (for example a `Link: rel="next"` target) back into a path and query
/// that [`request_url`] accepts.
pub(crate) fn relative_path_and_query(base: &Url, absolute: &str) -> Result<String, Error> {
    let invalid = |reason: String| Error::InvalidRequest { reason };
    let url = Url::parse(absolute.trim())
        .map_err(|error| invalid(format!("not a valid URL ({error})")))?;
    if url.origin() != base.origin() {
        return Err(invalid(format!(
            "`{}` is not on the configured freshservice host `{}`",
            shorten(url.as_str()),
            base.origin().ascii_serialization()
        )));
    }
    let relative = url
        .path()
        .strip_prefix(base_prefix(base))
        .filter(|path| path.starts_with(API_PREFIX))
        .ok_or_else(|| {
            invalid(format!(
                "`{}` is not under the base URL's `{API_PREFIX}`",
                shorten(url.as_str())
            ))
        })?;
    Ok(match url.query() {
        Some(query) => format!("{relative}?{query}"),
        None => relative.to_owned(),
    })
}

/// Accepts only characters that are valid as-is in a URL path or query, and well-formed `%XX` escapes.
fn check_encoded(path_and_query: &str) -> Result<(), String> {
    let bytes = path_and_query.as_bytes();
    for (index, &byte) in bytes.iter().enumerate() {
        let allowed = byte.is_ascii_graphic() && !b"\"<>\\^`{|}#".contains(&byte);
        if !allowed {
            let shown = if byte.is_ascii_graphic() {
                char::from(byte).to_string()
            } else {
                format!("byte 0x{byte:02x}")
            };
            return Err(format!(
                "the path and query must be percent-encoded; found `{shown}` at position {index}"
            ));
        }
        if byte == b'%' {
            let escape = bytes.get(index + 1..index + 3);
            if !escape.is_some_and(|pair| pair.iter().all(u8::is_ascii_hexdigit)) {
                return Err(format!("malformed percent-escape at position {index}"));
            }
        }
    }
    Ok(())
}

/// `.` and `..`, also when written as `%2e` escapes (URL parsers resolve those too).
fn is_dot_segment(segment: &str) -> bool {
    let decoded = segment.to_ascii_lowercase().replace("%2e", ".");
    decoded == "." || decoded == ".."
}

fn shorten(text: &str) -> String {
    const MAX: usize = 120;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_domain(input: &str, expected: Result<&str, &str>) {
        let result = base_url_from_domain(input)
            .map(|url| url.to_string())
            .map_err(|error| error.to_string());
        match expected {
            Ok(url) => assert_eq!(result.as_deref(), Ok(url), "{input}"),
            Err(fragment) => {
                let message = result.expect_err(input);
                assert!(message.contains(fragment), "{input}: {message}");
                assert!(
                    message.starts_with("invalid client setting `domain`"),
                    "{message}"
                );
            }
        }
    }

    #[test]
    fn domains() {
        check_domain("acme", Ok("https://acme.freshservice.com/"));
        check_domain(
            " ACME.freshservice.com. ",
            Ok("https://acme.freshservice.com/"),
        );
        check_domain("my-co2", Ok("https://my-co2.freshservice.com/"));
        check_domain("", Err("empty"));
        check_domain(".freshservice.com", Err("empty"));
        check_domain("https://acme.freshservice.com", Err("use base_url"));
        check_domain("help.acme.com", Err("custom domains"));
        check_domain("acme_co", Err("may only contain"));
        check_domain("-acme", Err("must not start or end"));
        check_domain("ac me", Err("may only contain"));
        check_domain(&"a".repeat(64), Err("longer than 63"));
    }

    fn check_base(input: &str, expected: Result<&str, &str>) {
        let result = parse_base_url(input)
            .map(|url| url.to_string())
            .map_err(|error| error.to_string());
        match expected {
            Ok(url) => assert_eq!(result.as_deref(), Ok(url), "{input}"),
            Err(fragment) => {
                let message = result.expect_err(input);
                assert!(message.contains(fragment), "{input}: {message}");
                assert!(
                    message.starts_with("invalid client setting `base_url`"),
                    "{message}"
                );
            }
        }
    }

    #[test]
    fn base_urls() {
        check_base(
            "https://acme.freshservice.com",
            Ok("https://acme.freshservice.com/"),
        );
        check_base(
            "https://proxy.example.com/fs",
            Ok("https://proxy.example.com/fs/"),
        );
        check_base(
            "http://127.0.0.1:1234/prefix/",
            Ok("http://127.0.0.1:1234/prefix/"),
        );
        check_base("http://127.9.9.9", Ok("http://127.9.9.9/"));
        check_base("http://[::1]:80", Ok("http://[::1]/"));
        check_base("http://LocalHost:8080", Ok("http://localhost:8080/"));
        check_base("http://acme.freshservice.com", Err("use https"));
        check_base("http://10.0.0.1", Err("use https"));
        check_base("http://localhost.evil.com", Err("use https"));
        check_base("ftp://127.0.0.1", Err("scheme `ftp`"));
        check_base("acme.freshservice.com", Err("not a valid URL"));
        check_base("https://user:pw@acme.freshservice.com", Err("credentials"));
        check_base(
            "https://acme.freshservice.com/?x=1",
            Err("query or fragment"),
        );
        check_base("https://acme.freshservice.com/#x", Err("query or fragment"));
        check_base(
            "https://acme.freshservice.com/a/%2e%2e/b",
            Err("path segments"),
        );
    }

    fn check_join(base: &str, path_and_query: &str, expected: Result<&str, &str>) {
        let base = parse_base_url(base).unwrap();
        let result = request_url(&base, path_and_query)
            .map(|url| url.to_string())
            .map_err(|error| error.to_string());
        match expected {
            Ok(url) => assert_eq!(result.as_deref(), Ok(url), "{path_and_query}"),
            Err(fragment) => {
                let message = result.expect_err(path_and_query);
                assert!(message.contains(fragment), "{path_and_query}: {message}");
                assert!(message.starts_with("invalid request"), "{message}");
            }
        }
    }

    #[test]
    fn joins() {
        let root = "https://acme.freshservice.com";
        check_join(
            root,
            "/api/v2/tickets",
            Ok("https://acme.freshservice.com/api/v2/tickets"),
        );
        check_join(
            root,
            "/api/v2/tickets/filter?query=%22priority%3A3%22&page=2",
            Ok(
                "https://acme.freshservice.com/api/v2/tickets/filter?query=%22priority%3A3%22&page=2",
            ),
        );
        check_join(
            "http://127.0.0.1:1234/prefix",
            "/api/v2/tickets/1?include=stats",
            Ok("http://127.0.0.1:1234/prefix/api/v2/tickets/1?include=stats"),
        );
        check_join(
            root,
            "/api/v2/requesters/a%2Fb",
            Ok("https://acme.freshservice.com/api/v2/requesters/a%2Fb"),
        );
        check_join(
            root,
            "/api/v2/x?q=a..b",
            Ok("https://acme.freshservice.com/api/v2/x?q=a..b"),
        );
        check_join(root, "/api/v1/tickets", Err("must start with `/api/v2/`"));
        check_join(root, "api/v2/tickets", Err("must start with `/api/v2/`"));
        check_join(root, "/api/v2", Err("must start with `/api/v2/`"));
        check_join(
            root,
            "https://evil.com/api/v2/x",
            Err("must start with `/api/v2/`"),
        );
        check_join(root, "/api/v2/x?next=https://evil.com", Err("`://`"));
        check_join(root, "/api/v2/../../admin", Err("`.` or `..`"));
        check_join(root, "/api/v2/%2E%2e/admin", Err("`.` or `..`"));
        check_join(root, "/api/v2/./tickets", Err("`.` or `..`"));
        check_join(root, "/api/v2/x\\..\\y", Err("percent-encoded"));
        check_join(
            root,
            "/api/v2/tickets?query=\"priority:3\"",
            Err("percent-encoded"),
        );
        check_join(root, "/api/v2/tickets#frag", Err("percent-encoded"));
        check_join(root, "/api/v2/tickets?q=a b", Err("percent-encoded"));
        check_join(root, "/api/v2/tickets\n", Err("percent-encoded"));
        check_join(root, "/api/v2/tické", Err("percent-encoded"));
        check_join(
            root,
            "/api/v2/tickets?q=%zz",
            Err("malformed percent-escape"),
        );
        check_join(
            root,
            "/api/v2/tickets?q=%2",
            Err("malformed percent-escape"),
        );
    }

    fn check_relative(base: &str, absolute: &str, expected: Result<&str, &str>) {
        let base = parse_base_url(base).unwrap();
        let result = relative_path_and_query(&base, absolute).map_err(|error| error.to_string());
        match expected {
            Ok(path) => assert_eq!(result.as_deref(), Ok(path), "{absolute}"),
            Err(fragment) => {
                let message = result.expect_err(absolute);
                assert!(message.contains(fragment), "{absolute}: {message}");
            }
        }
    }

    #[test]
    fn relative_paths() {
        let root = "https://acme.freshservice.com";
        check_relative(
            root,
            "https://acme.freshservice.com/api/v2/tickets?filter=all_tickets&page=2",
            Ok("/api/v2/tickets?filter=all_tickets&page=2"),
        );
        check_relative(
            "http://127.0.0.1:9/prefix",
            "http://127.0.0.1:9/prefix/api/v2/agents?page=3",
            Ok("/api/v2/agents?page=3"),
        );
        check_relative(
            root,
            "https://evil.com/api/v2/tickets",
            Err("not on the configured freshservice host"),
        );
        check_relative(
            root,
            "http://acme.freshservice.com/api/v2/tickets",
            Err("not on the configured freshservice host"),
        );
        check_relative(
            root,
            "https://acme.freshservice.com/other",
            Err("is not under"),
        );
        check_relative(
            "http://127.0.0.1:9/prefix",
            "http://127.0.0.1:9/api/v2/agents",
            Err("is not under"),
        );
        check_relative(root, "not a url", Err("not a valid URL"));
    }
}
