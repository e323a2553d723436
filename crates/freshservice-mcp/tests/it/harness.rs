//! The harness: `serve_io` on in-memory pipes, a wiremock Freshservice on 127.0.0.1, and a
//! line-level client that never waits longer than [`READ_TIMEOUT`] for a message.
//!
//! Every line the server writes passes through [`Server::recv`] or [`Server::close`], and both
//! check it for the API key, so the secret check covers the output of every test.

use std::time::{Duration, Instant};

use freshservice_client::Client;
use freshservice_mcp::{AccountFields, McpService, ToolExposure, serve_io};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use wiremock::MockServer;

/// The API key of every test client; distinctive so that a leak cannot hide in ordinary text.
pub(crate) const API_KEY: &str = "fs-test-secret-Zq7x91";

/// Base64 of `{API_KEY}:X`, the form the key takes in the `Authorization` header. The mock of
/// `a_successful_call_returns_the_body_with_rate_limit_meta` only answers these credentials, so
/// the constant cannot drift from the key unnoticed.
pub(crate) const BASIC_CREDENTIALS: &str = "ZnMtdGVzdC1zZWNyZXQtWnE3eDkxOlg=";

/// The longest a test waits for one message before it fails.
pub(crate) const READ_TIMEOUT: Duration = Duration::from_secs(5);

/// The modern protocol version.
pub(crate) const MODERN: &str = "2026-07-28";

/// The legacy versions the server speaks.
pub(crate) const LEGACY_VERSIONS: [&str; 4] =
    ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"];

/// How a test server is configured.
pub(crate) struct Options {
    pub(crate) page_size: Option<usize>,
    pub(crate) client_timeout: Duration,
    /// Points the client somewhere other than the mock (e.g. a closed port).
    pub(crate) base_url: Option<String>,
    /// Also serve the conformance fixture tools (custom tools).
    pub(crate) fixtures: bool,
    /// How tools are listed; the protocol tests list the whole catalogue.
    pub(crate) exposure: ToolExposure,
    /// Read the account's form fields from the mock, kept this long.
    pub(crate) account_ttl: Option<Duration>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            page_size: None,
            client_timeout: Duration::from_secs(10),
            base_url: None,
            fixtures: false,
            exposure: ToolExposure::All,
            account_ttl: None,
        }
    }
}

/// A service whose client talks to `mock` (or to `options.base_url`).
pub(crate) fn service(options: Options, mock: &MockServer) -> McpService {
    let client = Client::builder()
        .base_url(options.base_url.unwrap_or_else(|| mock.uri()))
        .api_key(API_KEY)
        .timeout(options.client_timeout)
        .build()
        .unwrap();
    let mut builder = McpService::builder()
        .client(client.clone())
        .tool_exposure(options.exposure);
    if let Some(ttl) = options.account_ttl {
        builder = builder.account_fields(AccountFields::with_ttl(client, ttl));
    }
    if let Some(size) = options.page_size {
        builder = builder.tools_page_size(size);
    }
    if options.fixtures {
        builder = crate::fixture_tools::with_fixtures(builder);
    }
    builder.build().unwrap()
}

/// One running `serve_io` with its mock Freshservice.
pub(crate) struct Server {
    pub(crate) mock: MockServer,
    input: Option<DuplexStream>,
    lines: mpsc::UnboundedReceiver<String>,
    task: Option<JoinHandle<std::io::Result<()>>>,
    next_id: i64,
}

impl Server {
    pub(crate) async fn start() -> Self {
        Self::start_with(Options::default()).await
    }

    /// A server whose legacy session is already initialised with the newest legacy version.
    pub(crate) async fn initialized() -> Self {
        let mut server = Self::start().await;
        server.initialize("2025-11-25").await;
        server
    }

    pub(crate) async fn start_with(options: Options) -> Self {
        let mock = MockServer::start().await;
        let service = service(options, &mock);
        let (input, server_in) = tokio::io::duplex(64 * 1024);
        let (server_out, output) = tokio::io::duplex(64 * 1024);
        let task = tokio::spawn(serve_io(service, server_in, server_out));
        // Lines are read by a task of their own, so a timed-out wait never loses half a line.
        let (sender, lines) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            let mut reader = BufReader::new(output);
            loop {
                let mut line = String::new();
                match reader.read_line(&mut line).await {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        if sender.send(line).is_err() {
                            break;
                        }
                    }
                }
            }
        });
        Self {
            mock,
            input: Some(input),
            lines,
            task: Some(task),
            next_id: 0,
        }
    }

    /// A fresh request id (1, 2, 3, ...).
    pub(crate) fn next_id(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id
    }

    pub(crate) async fn send_bytes(&mut self, bytes: &[u8]) {
        let input = self.input.as_mut().expect("input already closed");
        input.write_all(bytes).await.unwrap();
        input.flush().await.unwrap();
    }

    pub(crate) async fn send_line(&mut self, line: &str) {
        self.send_bytes(format!("{line}\n").as_bytes()).await;
    }

    pub(crate) async fn send(&mut self, message: &Value) {
        self.send_line(&message.to_string()).await;
    }

    pub(crate) async fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}))
            .await;
    }

    /// Sends a request with a fresh id and returns that id.
    pub(crate) async fn send_request(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id();
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await;
        id
    }

    /// The next message, within `wait`; `None` when none came.
    pub(crate) async fn recv_within(&mut self, wait: Duration) -> Option<Value> {
        match tokio::time::timeout(wait, self.lines.recv()).await {
            Err(_) => None,
            Ok(None) => panic!("the server closed its output"),
            Ok(Some(line)) => Some(check_line(&line)),
        }
    }

    /// The next message; fails the test after [`READ_TIMEOUT`].
    pub(crate) async fn recv(&mut self) -> Value {
        match self.recv_within(READ_TIMEOUT).await {
            Some(message) => message,
            None => panic!("no message from the server within {READ_TIMEOUT:?}"),
        }
    }

    /// Fails when any message arrives within `wait`.
    pub(crate) async fn expect_silence(&mut self, wait: Duration) {
        if let Some(message) = self.recv_within(wait).await {
            panic!("expected no message, got {message}");
        }
    }

    /// Sends a request and returns its whole response, which must be the very next message.
    pub(crate) async fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params).await;
        let response = self.recv().await;
        assert_eq!(
            response["id"], id,
            "expected the response to {method}: {response}"
        );
        assert!(response.get("method").is_none(), "{response}");
        response
    }

    /// The `result` of a request that must succeed.
    pub(crate) async fn result(&mut self, method: &str, params: Value) -> Value {
        let response = self.request(method, params).await;
        assert!(response.get("error").is_none(), "{method}: {response}");
        response["result"].clone()
    }

    /// The `error` of a request that must fail at the JSON-RPC level.
    pub(crate) async fn error(&mut self, method: &str, params: Value) -> Value {
        let response = self.request(method, params).await;
        assert!(response.get("result").is_none(), "{method}: {response}");
        response["error"].clone()
    }

    /// The legacy handshake: `initialize`, then `notifications/initialized`.
    pub(crate) async fn initialize(&mut self, version: &str) -> Value {
        let result = self
            .result(
                "initialize",
                json!({
                    "protocolVersion": version,
                    "capabilities": {},
                    "clientInfo": {"name": "it", "version": "1.0"},
                }),
            )
            .await;
        self.notify("notifications/initialized", json!({})).await;
        result
    }

    /// A legacy `tools/call` result.
    pub(crate) async fn call_tool(&mut self, name: &str, arguments: Value) -> Value {
        self.result("tools/call", json!({"name": name, "arguments": arguments}))
            .await
    }

    /// Closes the server's input, waits for `serve_io` to return `Ok`, and returns how long
    /// that took and every message written after the last one read.
    pub(crate) async fn close(mut self) -> (Duration, Vec<Value>) {
        let started = Instant::now();
        drop(self.input.take());
        let task = self.task.take().expect("closed twice");
        let outcome = tokio::time::timeout(Duration::from_secs(10), task)
            .await
            .expect("serve_io did not return within 10 s of its input closing")
            .expect("serve_io panicked");
        let elapsed = started.elapsed();
        outcome.expect("serve_io returned an error");
        let mut rest = Vec::new();
        while let Ok(Some(line)) =
            tokio::time::timeout(Duration::from_secs(1), self.lines.recv()).await
        {
            rest.push(check_line(&line));
        }
        (elapsed, rest)
    }
}

/// Parses one output line after checking that it is a single line of JSON without the secret.
pub(crate) fn check_line(line: &str) -> Value {
    assert_no_secret(line);
    let body = line
        .strip_suffix('\n')
        .unwrap_or_else(|| panic!("an output line must end with a newline: {line:?}"));
    assert!(!body.contains('\n'), "embedded newline in {body:?}");
    serde_json::from_str(body).unwrap_or_else(|error| panic!("not JSON ({error}): {body}"))
}

pub(crate) fn assert_no_secret(text: &str) {
    assert!(!text.contains(API_KEY), "the API key leaked: {text}");
    assert!(
        !text.contains(BASIC_CREDENTIALS),
        "the Basic credentials leaked: {text}"
    );
}

/// Modern `_meta` with the two required fields.
pub(crate) fn modern_meta() -> Value {
    json!({
        "io.modelcontextprotocol/protocolVersion": MODERN,
        "io.modelcontextprotocol/clientCapabilities": {},
    })
}

/// `params` (an object) with modern `_meta` added.
pub(crate) fn modern(mut params: Value) -> Value {
    params["_meta"] = modern_meta();
    params
}

/// `params` with modern `_meta` that asks for log messages from `level` up.
pub(crate) fn modern_at_level(mut params: Value, level: &str) -> Value {
    let mut meta = modern_meta();
    meta["io.modelcontextprotocol/logLevel"] = json!(level);
    params["_meta"] = meta;
    params
}

/// The text of the first content block of a tool result.
pub(crate) fn text_of(result: &Value) -> &str {
    result["content"][0]["text"]
        .as_str()
        .unwrap_or_else(|| panic!("no text block in {result}"))
}

/// Asserts that a tool result is an `isError` result and returns its text.
pub(crate) fn error_text(result: &Value) -> &str {
    assert_eq!(result["isError"], true, "expected isError: {result}");
    text_of(result)
}

/// The names of every catalogue tool, in `tools/list` order when every tool is listed.
pub(crate) fn all_tool_names() -> Vec<String> {
    let client = Client::builder()
        .base_url("http://127.0.0.1:9")
        .api_key(API_KEY)
        .build()
        .unwrap();
    McpService::builder()
        .client(client)
        .tool_exposure(ToolExposure::All)
        .build()
        .unwrap()
        .tool_names()
        .into_iter()
        .map(str::to_owned)
        .collect()
}
