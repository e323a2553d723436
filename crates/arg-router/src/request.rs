//! The routed request: what an HTTP client needs to send one call.

use percent_encoding::utf8_percent_encode;

use crate::template::OUTSIDE_UNRESERVED;

/// One call, split into method, path, query and body; ready for an HTTP client.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RoutedRequest {
    /// The operation's method.
    pub method: http::Method,
    /// The percent-encoded path, starting with `/`.
    pub path: String,
    /// Raw (not yet encoded) query pairs, in parameter declaration order.
    pub query: Vec<(String, String)>,
    /// `Some` object of the body arguments given when the operation has any body parameters, else `None`.
    pub body: Option<serde_json::Value>,
}

impl RoutedRequest {
    /// The path followed by `?` and the encoded query, or just the path when there is no query.
    ///
    /// Keys and values are percent-encoded with everything outside the RFC 3986 unreserved set
    /// escaped, so a space becomes `%20` (never `+`) and `:`, `"`, `&`, `=` cannot change the
    /// structure of the query.
    pub fn path_and_query(&self) -> String {
        let mut out = self.path.clone();
        for (index, (key, value)) in self.query.iter().enumerate() {
            out.push(if index == 0 { '?' } else { '&' });
            out.extend(utf8_percent_encode(key, OUTSIDE_UNRESERVED));
            out.push('=');
            out.extend(utf8_percent_encode(value, OUTSIDE_UNRESERVED));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_and_query_encodes_pairs() {
        fn check(query: &[(&str, &str)], expected: &str) {
            let request = RoutedRequest {
                method: http::Method::GET,
                path: "/api/v2/tickets".to_owned(),
                query: query
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect(),
                body: None,
            };
            assert_eq!(request.path_and_query(), expected);
        }
        check(&[], "/api/v2/tickets");
        check(&[("page", "2")], "/api/v2/tickets?page=2");
        check(
            &[("query", "\"priority:3 AND status:2\"")],
            "/api/v2/tickets?query=%22priority%3A3%20AND%20status%3A2%22",
        );
        check(
            &[("a", "x&y=z"), ("b c", "+~._-")],
            "/api/v2/tickets?a=x%26y%3Dz&b%20c=%2B~._-",
        );
        check(
            &[("include", "stats,requester")],
            "/api/v2/tickets?include=stats%2Crequester",
        );
        check(&[("q", "é")], "/api/v2/tickets?q=%C3%A9");
        check(&[("empty", "")], "/api/v2/tickets?empty=");
    }
}
