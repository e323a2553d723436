//! The HTTP harness: the router served on 127.0.0.1:0 with a wiremock Freshservice, requests
//! sent with reqwest exactly as written (no default headers slipped in), and replies checked
//! for the API key before any test looks at them.

use std::time::Duration;

use axum::Router;
use freshservice_mcp::{HttpConfig, serve_http, single_service_router};
use reqwest::Method;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use wiremock::MockServer;

use crate::harness::{Options, assert_no_secret, modern_meta, service};

/// The newest legacy version, sent by the legacy helpers.
pub(crate) const LEGACY: &str = "2025-11-25";

/// A tool every default service exposes (one path parameter, `change_id`).
pub(crate) const GET_CHANGE: &str = "get_single_freshservice_change_by_id";

/// One running router with its mock Freshservice.
pub(crate) struct HttpServer {
    pub(crate) mock: MockServer,
    /// `http://127.0.0.1:PORT`.
    pub(crate) origin: String,
    /// The MCP endpoint URL.
    pub(crate) url: String,
    client: reqwest::Client,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl HttpServer {
    /// `single_service_router` with the default configuration.
    pub(crate) async fn start() -> Self {
        Self::start_with(HttpConfig::default()).await
    }

    pub(crate) async fn start_with(config: HttpConfig) -> Self {
        Self::start_with_options(config, Options::default()).await
    }

    pub(crate) async fn start_with_options(config: HttpConfig, options: Options) -> Self {
        let mock = MockServer::start().await;
        let router = single_service_router(service(options, &mock), config);
        Self::serve(router, mock, "/mcp").await
    }

    /// Serves any router; `path` is the endpoint path tests talk to.
    pub(crate) async fn serve(router: Router, mock: MockServer, path: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let (shutdown, signal) = oneshot::channel::<()>();
        let task = tokio::spawn(serve_http(listener, router, async {
            let _ = signal.await;
        }));
        Self {
            mock,
            url: format!("{origin}{path}"),
            origin,
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap(),
            shutdown: Some(shutdown),
            task: Some(task),
        }
    }

    /// Sends a request with exactly these headers to `url` (the endpoint unless given).
    pub(crate) async fn send_to(
        &self,
        url: &str,
        method: Method,
        headers: &[(&str, &str)],
        body: Option<String>,
    ) -> Reply {
        let mut request = self.client.request(method, url);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.body(body);
        }
        Reply::read(request.send().await.unwrap()).await
    }

    pub(crate) async fn send(
        &self,
        method: Method,
        headers: &[(&str, &str)],
        body: Option<String>,
    ) -> Reply {
        self.send_to(&self.url, method, headers, body).await
    }

    /// POSTs `body` as JSON with the usual `Content-Type` and `Accept`, plus `headers`.
    pub(crate) async fn post(&self, headers: &[(&str, &str)], body: &Value) -> Reply {
        self.post_to(&self.url, headers, body).await
    }

    pub(crate) async fn post_to(&self, url: &str, headers: &[(&str, &str)], body: &Value) -> Reply {
        // A header the test gives replaces the default of the same name.
        let mut all: Vec<(&str, &str)> = [
            ("content-type", "application/json"),
            ("accept", "application/json, text/event-stream"),
        ]
        .into_iter()
        .filter(|(name, _)| {
            !headers
                .iter()
                .any(|(given, _)| given.eq_ignore_ascii_case(name))
        })
        .collect();
        all.extend_from_slice(headers);
        self.send_to(url, Method::POST, &all, Some(body.to_string()))
            .await
    }

    /// A modern request with correct `MCP-Protocol-Version`, `Mcp-Method` and `Mcp-Name`
    /// headers; `params` gets the modern `_meta`.
    pub(crate) async fn modern(&self, id: i64, method: &str, params: Value) -> Reply {
        let (headers, body) = modern_request(id, method, params);
        let headers: Vec<(&str, &str)> = headers
            .iter()
            .map(|(name, value)| (*name, value.as_str()))
            .collect();
        self.post(&headers, &body).await
    }

    /// The legacy handshake; returns the session id.
    pub(crate) async fn initialize(&self) -> String {
        self.initialize_at(&self.url).await
    }

    pub(crate) async fn initialize_at(&self, url: &str) -> String {
        let reply = self
            .post_to(
                url,
                &[],
                &json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
                    "protocolVersion": LEGACY,
                    "capabilities": {},
                    "clientInfo": {"name": "http-it", "version": "1.0"},
                }}),
            )
            .await;
        assert_eq!(reply.status, 200, "{reply:?}");
        assert_eq!(
            reply.json()["result"]["protocolVersion"],
            LEGACY,
            "{reply:?}"
        );
        let session = reply
            .header("mcp-session-id")
            .unwrap_or_else(|| panic!("no session id: {reply:?}"))
            .to_owned();
        let initialized = self
            .post_to(
                url,
                &[
                    ("mcp-session-id", &session),
                    ("mcp-protocol-version", LEGACY),
                ],
                &json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
            )
            .await;
        assert_eq!(initialized.status, 202, "{initialized:?}");
        assert!(initialized.text.is_empty(), "{initialized:?}");
        session
    }

    /// A legacy request within `session`.
    pub(crate) async fn legacy(
        &self,
        session: &str,
        id: i64,
        method: &str,
        params: Value,
    ) -> Reply {
        self.post(
            &[
                ("mcp-session-id", session),
                ("mcp-protocol-version", LEGACY),
            ],
            &json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}),
        )
        .await
    }

    /// Triggers graceful shutdown and waits (at most 10 s) for `serve_http` to return `Ok`.
    pub(crate) async fn shut_down(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        let task = self.task.take().expect("shut down twice");
        tokio::time::timeout(Duration::from_secs(10), task)
            .await
            .expect("serve_http did not return within 10 s of shutdown")
            .expect("serve_http panicked")
            .expect("serve_http returned an error");
    }

    /// Starts graceful shutdown without waiting for it.
    pub(crate) fn begin_shutdown(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

/// The headers and body of a well-formed modern request.
pub(crate) fn modern_request(
    id: i64,
    method: &str,
    mut params: Value,
) -> (Vec<(&'static str, String)>, Value) {
    params["_meta"] = modern_meta();
    let mut headers = vec![
        ("mcp-protocol-version", "2026-07-28".to_owned()),
        ("mcp-method", method.to_owned()),
    ];
    if let Some(name) = params.get("name").and_then(Value::as_str) {
        headers.push(("mcp-name", name.to_owned()));
    }
    let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
    (headers, body)
}

/// One HTTP reply, read whole.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) text: String,
}

impl Reply {
    async fn read(response: reqwest::Response) -> Self {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        for value in headers.values() {
            assert_no_secret(&String::from_utf8_lossy(value.as_bytes()));
        }
        assert_no_secret(&text);
        Self {
            status,
            headers,
            text,
        }
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|value| value.to_str().unwrap())
    }

    pub(crate) fn is_sse(&self) -> bool {
        self.header("content-type")
            .is_some_and(|value| value.starts_with("text/event-stream"))
    }

    /// Every JSON-RPC message of the body: the events of an event stream, or the one JSON body.
    pub(crate) fn messages(&self) -> Vec<Value> {
        if !self.is_sse() {
            assert_eq!(
                self.header("content-type"),
                Some("application/json"),
                "{self:?}"
            );
            return vec![serde_json::from_str(&self.text).unwrap()];
        }
        let mut messages = Vec::new();
        for event in self
            .text
            .split("\n\n")
            .filter(|event| !event.trim().is_empty())
        {
            let mut data = String::new();
            for line in event.lines() {
                if let Some(value) = line.strip_prefix("data:") {
                    data.push_str(value.trim_start());
                } else {
                    assert!(
                        line.starts_with("event: message") || line.starts_with(':'),
                        "unexpected SSE line {line:?} in {self:?}"
                    );
                }
            }
            messages.push(serde_json::from_str(&data).unwrap());
        }
        messages
    }

    /// The one response message (the last message of an event stream).
    pub(crate) fn json(&self) -> Value {
        self.messages()
            .pop()
            .unwrap_or_else(|| panic!("no message in {self:?}"))
    }
}
