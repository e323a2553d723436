//! A small HTTP client for the sandbox and helpers shared by the tests.

use freshservice_sandbox::Sandbox;
use reqwest::Method;
use serde_json::Value;

/// An answer: status, headers and the JSON body (`Null` when empty).
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) body: Value,
}

impl Answer {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    pub(crate) fn header_number(&self, name: &str) -> Option<u64> {
        self.header(name).and_then(|value| value.parse().ok())
    }

    /// The `(field, code)` pairs of a validation error body.
    pub(crate) fn errors(&self) -> Vec<(String, String)> {
        self.body["errors"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|error| {
                (
                    error["field"].as_str().unwrap_or("").to_owned(),
                    error["code"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect()
    }
}

/// A client bound to one sandbox and key.
pub(crate) struct Api {
    client: reqwest::Client,
    base: String,
    key: Option<String>,
}

impl Api {
    pub(crate) fn new(sandbox: &Sandbox) -> Api {
        Api::with_key(sandbox, Some(sandbox.api_key()))
    }

    pub(crate) fn with_key(sandbox: &Sandbox, key: Option<&str>) -> Api {
        Api {
            client: reqwest::Client::new(),
            base: sandbox.uri(),
            key: key.map(str::to_owned),
        }
    }

    /// Sends a request; `path` is everything after the host, already encoded (`/api/v2/tickets?page=2`).
    pub(crate) async fn send(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(key) = &self.key {
            request = request.basic_auth(key, Some("X"));
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.unwrap();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap()
        };
        Answer {
            status,
            headers,
            body,
        }
    }

    pub(crate) async fn get(&self, path: &str) -> Answer {
        self.send(Method::GET, path, None).await
    }

    pub(crate) async fn post(&self, path: &str, body: Value) -> Answer {
        self.send(Method::POST, path, Some(body)).await
    }

    pub(crate) async fn put(&self, path: &str, body: Value) -> Answer {
        self.send(Method::PUT, path, Some(body)).await
    }

    pub(crate) async fn delete(&self, path: &str) -> Answer {
        self.send(Method::DELETE, path, None).await
    }
}

/// Percent-encodes a query value (everything outside the RFC 3986 unreserved set).
pub(crate) fn encode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// `"<query>"`, quoted and encoded for a filter endpoint.
pub(crate) fn quoted(query: &str) -> String {
    encode(&format!("\"{query}\""))
}

/// The `id` (or another integer key) of every record in a list.
pub(crate) fn ids(records: &Value, key: &str) -> Vec<i64> {
    records
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|record| record[key].as_i64())
        .collect()
}

/// A fixed instant, 2025-03-10T15:30:00Z, for deterministic dates.
pub(crate) fn fixed_now() -> std::time::SystemTime {
    std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_741_620_600)
}
