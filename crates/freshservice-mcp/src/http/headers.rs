//! Reading the request headers the transport cares about: media types, the MCP request
//! metadata headers (with their Base64 sentinel encoding), and single-valued fields.

use base64::Engine as _;
use http::HeaderMap;

/// `MCP-Protocol-Version`.
pub(crate) const PROTOCOL_VERSION: &str = "mcp-protocol-version";
/// `Mcp-Session-Id`.
pub(crate) const SESSION_ID: &str = "mcp-session-id";
/// `Mcp-Method`.
pub(crate) const METHOD: &str = "mcp-method";
/// `Mcp-Name`.
pub(crate) const NAME: &str = "mcp-name";

/// Why a header could not be read.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum HeaderProblem {
    /// Sent more than once with different values.
    Repeated,
    /// Not visible ASCII (after trimming), or a malformed Base64 sentinel.
    Invalid,
}

/// The one value of header `name`, with surrounding whitespace removed (RFC 9110 §5.5).
/// Repeats with the same value are tolerated; repeats that disagree are not, since a proxy and
/// this server could each pick a different one.
pub(crate) fn single(headers: &HeaderMap, name: &str) -> Result<Option<String>, HeaderProblem> {
    let mut found: Option<String> = None;
    for value in headers.get_all(name) {
        let text = value.to_str().map_err(|_| HeaderProblem::Invalid)?.trim();
        match &found {
            Some(previous) if previous != text => return Err(HeaderProblem::Repeated),
            Some(_) => {}
            None => found = Some(text.to_owned()),
        }
    }
    Ok(found)
}

/// Decodes the `=?base64?…?=` sentinel form of `Mcp-Name` (and `Mcp-Param-*`) values; other
/// values are literal.
pub(crate) fn decode_sentinel(value: &str) -> Result<String, HeaderProblem> {
    match value
        .strip_prefix("=?base64?")
        .and_then(|rest| rest.strip_suffix("?="))
    {
        Some(encoded) => {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .map_err(|_| HeaderProblem::Invalid)?;
            String::from_utf8(bytes).map_err(|_| HeaderProblem::Invalid)
        }
        None => Ok(value.to_owned()),
    }
}

/// Whether `Content-Type` names JSON (parameters such as `charset` are allowed).
pub(crate) fn is_json_content(headers: &HeaderMap) -> bool {
    headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| media_type(value).eq_ignore_ascii_case("application/json"))
}

/// Which response formats the client accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Accepts {
    pub(crate) json: bool,
    pub(crate) sse: bool,
}

impl Accepts {
    /// Reads `Accept`. No header means anything goes (RFC 9110 §12.5.1); a wildcard allows
    /// JSON, but an event stream is only chosen when the client names it (or `text/*`), since
    /// a client that never asked for one may not parse it.
    pub(crate) fn from_headers(headers: &HeaderMap) -> Self {
        let mut values = headers
            .get_all(http::header::ACCEPT)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .peekable();
        if values.peek().is_none() {
            return Self {
                json: true,
                sse: false,
            };
        }
        let mut accepts = Self {
            json: false,
            sse: false,
        };
        for range in values {
            let mut parts = range.split(';');
            let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let refused = parts.any(|parameter| {
                parameter
                    .trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            if refused {
                continue;
            }
            match media.as_str() {
                "application/json" | "application/*" | "*/*" => accepts.json = true,
                "text/event-stream" | "text/*" => accepts.sse = true,
                _ => {}
            }
        }
        accepts
    }

    /// Whether any response format the endpoint produces is acceptable.
    pub(crate) fn any(self) -> bool {
        self.json || self.sse
    }
}

fn media_type(value: &str) -> &str {
    value.split(';').next().unwrap_or("").trim()
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn accept_trials() {
        // (Accept values, json, sse)
        let trials: [(&[&str], bool, bool); 11] = [
            (&[], true, false),
            (&["application/json, text/event-stream"], true, true),
            (&["text/event-stream, application/json"], true, true),
            (&["application/json"], true, false),
            (&["text/event-stream"], false, true),
            (&["*/*"], true, false),
            (&["application/*;q=0.5, text/*"], true, true),
            (&["text/html"], false, false),
            (&["application/json;q=0, text/event-stream"], false, true),
            (&["Application/JSON"], true, false),
            (&["application/json", "text/event-stream"], true, true),
        ];
        for (values, json, sse) in trials {
            let pairs: Vec<_> = values.iter().map(|value| ("accept", *value)).collect();
            let accepts = Accepts::from_headers(&headers(&pairs));
            assert_eq!(accepts, Accepts { json, sse }, "{values:?}");
        }
    }

    #[test]
    fn content_type_trials() {
        let trials = [
            (Some("application/json"), true),
            (Some("application/json; charset=utf-8"), true),
            (Some("APPLICATION/JSON"), true),
            (Some("text/plain"), false),
            (Some("application/jsonx"), false),
            (None, false),
        ];
        for (value, expected) in trials {
            let map = match value {
                Some(value) => headers(&[("content-type", value)]),
                None => HeaderMap::new(),
            };
            assert_eq!(is_json_content(&map), expected, "{value:?}");
        }
    }

    #[test]
    fn single_value_trials() {
        type Expected = Result<Option<&'static str>, HeaderProblem>;
        let trials: [(&[&str], Expected); 5] = [
            (&[], Ok(None)),
            (&["  tools/call \t"], Ok(Some("tools/call"))),
            (&["a", "a"], Ok(Some("a"))),
            (&["a", "b"], Err(HeaderProblem::Repeated)),
            (&["caf\u{e9}"], Err(HeaderProblem::Invalid)),
        ];
        for (values, expected) in trials {
            let mut map = HeaderMap::new();
            for value in values {
                let value = HeaderValue::from_bytes(value.as_bytes()).unwrap();
                map.append("mcp-method", value);
            }
            let got = single(&map, METHOD);
            assert_eq!(
                got,
                expected.map(|value| value.map(str::to_owned)),
                "{values:?}"
            );
        }
    }

    #[test]
    fn sentinel_trials() {
        let trials = [
            ("get_ticket", Ok("get_ticket")),
            ("=?base64?SGVsbG8=?=", Ok("Hello")),
            (
                "=?base64?SGVsbG8sIOS4lueVjA==?=",
                Ok("Hello, \u{4e16}\u{754c}"),
            ),
            ("=?base64?SGVsbG8?=", Err(HeaderProblem::Invalid)),
            ("=?base64?SGVs!!!bG8=?=", Err(HeaderProblem::Invalid)),
            ("=?base64?/w==?=", Err(HeaderProblem::Invalid)),
            ("=?BASE64?SGVsbG8=?=", Ok("=?BASE64?SGVsbG8=?=")),
        ];
        for (value, expected) in trials {
            assert_eq!(
                decode_sentinel(value),
                expected.map(str::to_owned),
                "{value:?}"
            );
        }
    }
}
