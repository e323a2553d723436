//! The request a caller hands to [`Client::send`](crate::Client::send) and the response it gets back.

use http::{HeaderMap, Method, StatusCode};
use ratelimit_headers::RateLimitStatus;

/// One request to the Freshservice API.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ApiRequest {
    /// The HTTP method.
    pub method: Method,
    /// The percent-encoded path and query, starting with `/api/v2/`, for example
    /// `/api/v2/tickets/filter?query=%22priority%3A3%22`.
    pub path_and_query: String,
    /// The JSON body, if any; sent with `Content-Type: application/json`.
    pub body: Option<serde_json::Value>,
}

impl ApiRequest {
    /// A request without a body.
    pub fn new(method: Method, path_and_query: impl Into<String>) -> Self {
        Self {
            method,
            path_and_query: path_and_query.into(),
            body: None,
        }
    }

    /// Sets the JSON body.
    pub fn with_body(mut self, body: serde_json::Value) -> Self {
        self.body = Some(body);
        self
    }
}

/// A 2xx answer from Freshservice.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ApiResponse {
    /// The HTTP status (200, 201, 204, 207, ...).
    pub status: StatusCode,
    /// The answer's headers (for example `Location` on a 201).
    pub headers: HeaderMap,
    /// The JSON body; `Null` for 204 and for empty bodies.
    pub body: serde_json::Value,
    /// The rate-limit status read from the headers, with the configured window filled in when headers were present.
    pub rate_limit: RateLimitStatus,
}

impl ApiResponse {
    /// The URL of the next page, from a `Link` header with `rel="next"`.
    ///
    /// Parsing is lenient because Freshservice's own sample has a space after `<` and none before `rel`.
    /// Freshservice sends an absolute URL; turn it into a request with
    /// [`Client::relative_path_and_query`](crate::Client::relative_path_and_query).
    pub fn next_page_url(&self) -> Option<String> {
        self.headers
            .get_all(http::header::LINK)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .find_map(next_link)
    }
}

/// Finds the target of the first link with relation type `next` in one `Link` header value.
fn next_link(header: &str) -> Option<String> {
    let mut rest = header;
    while let Some(open) = rest.find('<') {
        let after_open = &rest[open + 1..];
        let close = after_open.find('>')?;
        let target = after_open[..close].trim();
        let after_close = &after_open[close + 1..];
        let params_end = after_close.find('<').unwrap_or(after_close.len());
        let params = &after_close[..params_end];
        if !target.is_empty() && has_next_relation(params) {
            return Some(target.to_owned());
        }
        rest = &after_close[params_end..];
    }
    None
}

fn has_next_relation(params: &str) -> bool {
    params.split([';', ',']).any(|param| {
        let Some((name, value)) = param.split_once('=') else {
            return false;
        };
        name.trim().eq_ignore_ascii_case("rel")
            && value
                .trim()
                .trim_matches('"')
                .split_ascii_whitespace()
                .any(|relation| relation.eq_ignore_ascii_case("next"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(link_values: &[&str], expected: Option<&str>) {
        let mut headers = HeaderMap::new();
        for value in link_values {
            headers.append(http::header::LINK, value.parse().unwrap());
        }
        let response = ApiResponse {
            status: StatusCode::OK,
            headers,
            body: serde_json::Value::Null,
            rate_limit: RateLimitStatus::default(),
        };
        assert_eq!(
            response.next_page_url().as_deref(),
            expected,
            "{link_values:?}"
        );
    }

    #[test]
    fn next_page_links() {
        let page2 = "https://domain.freshservice.com/api/v2/tickets?filter=all_tickets&page=2";
        check(&[], None);
        check(
            &[
                "< https://domain.freshservice.com/api/v2/tickets?filter=all_tickets&page=2>;rel=\"next\"",
            ],
            Some(page2),
        );
        check(
            &[
                "<https://domain.freshservice.com/api/v2/tickets?filter=all_tickets&page=2>; rel=next",
            ],
            Some(page2),
        );
        check(
            &[
                "<https://a/api/v2/x?page=1>; rel=\"prev\", <https://a/api/v2/x?page=3>; REL=\"Next\"",
            ],
            Some("https://a/api/v2/x?page=3"),
        );
        check(
            &[
                "<https://a/api/v2/x?page=1>; rel=\"prev\"",
                "<https://a/api/v2/x?page=3>; rel=\"next last\"",
            ],
            Some("https://a/api/v2/x?page=3"),
        );
        check(&["<https://a/api/v2/x?page=1>; rel=\"prev\""], None);
        check(&["<https://a/api/v2/x?page=1>; title=\"next\""], None);
        check(&["<>; rel=\"next\""], None);
        check(&["garbage"], None);
        check(&["<https://a/api/v2/x?page=2; rel=\"next\""], None);
    }

    #[test]
    fn request_builders() {
        let request = ApiRequest::new(Method::POST, "/api/v2/tickets")
            .with_body(serde_json::json!({"subject": "x"}));
        assert_eq!(request.method, Method::POST);
        assert_eq!(request.path_and_query, "/api/v2/tickets");
        assert_eq!(request.body, Some(serde_json::json!({"subject": "x"})));
        assert_eq!(ApiRequest::new(Method::GET, "/api/v2/tickets").body, None);
    }
}
