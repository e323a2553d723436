//! Helpers for the `serve` tests: the binary as a child process on 127.0.0.1, its admin API, and
//! a small MCP client speaking JSON-RPC over HTTP.
//!
//! Every `Serve` keeps a list of the secrets it was given or handed out (the admin and secret
//! keys from its environment, each Freshservice API key of `create_account`, the secret half of
//! each URL token and API token) and checks, as each recorded response arrives and again when
//! it is dropped, that none of them shows in a response, on the process's stdout or stderr, or
//! in the database file. Tests get the check for free; more secrets can be added with
//! [`Serve::watch_secret`].

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

use crate::harness::{Secrets, server_binary};

/// The admin key the tests configure.
pub(crate) const ADMIN_KEY: &str = "serve-test-admin-key-3f9a1c7e";
/// The secret key the tests configure (32 bytes in hex).
pub(crate) const SECRET_KEY: &str =
    "7d1f0c9b2a4e6f8801234567890abcdeffedcba0987654321a2b3c4d5e6f7081";

/// A database path under the target's temporary folder, unique per call, with no file yet.
pub(crate) fn temp_db(label: &str) -> PathBuf {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "serve-{label}-{}-{}.db",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    path
}

/// Every byte SQLite keeps for `db`: the file and its journals.
pub(crate) fn db_bytes(db: &Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    for suffix in ["", "-wal", "-shm", "-journal"] {
        if let Ok(mut part) = std::fs::read(format!("{}{suffix}", db.display())) {
            bytes.append(&mut part);
        }
    }
    bytes
}

/// Whether `needle` occurs in `haystack`.
pub(crate) fn contains_bytes(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty()
        && haystack
            .windows(needle.len())
            .any(|window| window == needle)
}

/// One HTTP exchange as the client saw it.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) text: String,
    /// The JSON body, or for an event stream the last JSON-RPC message with an id.
    pub(crate) json: Value,
}

impl Reply {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }
}

/// A running `freshservice-mcp serve`.
pub(crate) struct Serve {
    child: Child,
    readers: Vec<std::thread::JoinHandle<()>>,
    /// The SQLite database the process was started on, scanned for secrets at the end.
    db: Option<PathBuf>,
    secrets: Secrets,
    /// `http://127.0.0.1:PORT`
    pub(crate) base: String,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
    http: reqwest::Client,
    /// Every response body seen, except those of one-time create calls.
    pub(crate) seen: Mutex<Vec<String>>,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // The pipes close with the process, so the readers finish with everything it wrote.
        for reader in self.readers.drain(..) {
            let _ = reader.join();
        }
        // A failing test has already said why; a second panic here would abort the run.
        if !std::thread::panicking() {
            self.assert_no_leak();
        }
    }
}

/// The environment of a test server: both keys, nothing else of ours.
pub(crate) fn keys() -> Vec<(&'static str, &'static str)> {
    vec![
        ("FRESHSERVICE_MCP_ADMIN_KEY", ADMIN_KEY),
        ("FRESHSERVICE_MCP_SECRET_KEY", SECRET_KEY),
    ]
}

/// Runs the binary with `args` and `env` and waits for its exit (for start-up failures).
pub(crate) fn run_to_exit(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut command = base_command(args, env);
    command.stdin(Stdio::null());
    command.output().unwrap()
}

fn base_command(args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(server_binary());
    command.args(args);
    for name in [
        "FRESHSERVICE_MCP_ADMIN_KEY",
        "FRESHSERVICE_MCP_SECRET_KEY",
        "FRESHSERVICE_MCP_LISTEN",
        "FRESHSERVICE_MCP_DB",
        "FRESHSERVICE_MCP_DATABASE_URL",
        "FRESHSERVICE_MCP_CONFIG",
        "FRESHSERVICE_MCP_PUBLIC_URL",
        "FRESHSERVICE_MCP_SWEEP_INTERVAL",
        "FRESHSERVICE_MCP_FIELDS_TTL",
        "FRESHSERVICE_API_KEY",
    ] {
        command.env_remove(name);
    }
    // Most tests count what reaches their mock Freshservice, and the servers would also read
    // the account's form fields in the background: off unless a test turns it on.
    if !env
        .iter()
        .any(|(name, _)| *name == "FRESHSERVICE_MCP_FIELDS_TTL")
    {
        command.env("FRESHSERVICE_MCP_FIELDS_TTL", "0");
    }
    for (name, value) in env {
        command.env(name, value);
    }
    command
}

impl Serve {
    /// Starts `serve --listen 127.0.0.1:0` with the test keys, on `db`, plus `args`.
    pub(crate) fn start(db: &Path, args: &[&str]) -> Self {
        let db = db.display().to_string();
        let mut all = vec!["--db", db.as_str()];
        all.extend_from_slice(args);
        Self::start_with(&all, &keys())
    }

    /// Starts `serve --listen 127.0.0.1:0 <args>` with exactly `env`, and waits until it listens.
    pub(crate) fn start_with(args: &[&str], env: &[(&str, &str)]) -> Self {
        let mut all = vec!["serve", "--listen", "127.0.0.1:0"];
        all.extend_from_slice(args);
        let secrets = Secrets::default();
        for (name, value) in env {
            if name.ends_with("_KEY") || name.ends_with("_URL") && value.contains('@') {
                secrets.add(name, value);
            }
        }
        let db = all
            .iter()
            .position(|arg| *arg == "--db")
            .and_then(|at| all.get(at + 1))
            .map(PathBuf::from);
        let mut child = base_command(&all, env)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = Arc::new(Mutex::new(String::new()));
        let stderr = Arc::new(Mutex::new(String::new()));
        let (listening_tx, listening_rx) = mpsc::channel();
        let mut readers = Vec::new();
        {
            let stderr = Arc::clone(&stderr);
            let pipe = child.stderr.take().unwrap();
            readers.push(std::thread::spawn(move || {
                for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                    if let Some(rest) = line.split("listening on ").nth(1) {
                        let address = rest.split(';').next().unwrap_or_default().to_owned();
                        let _ = listening_tx.send(address);
                    }
                    let mut text = stderr.lock().unwrap();
                    text.push_str(&line);
                    text.push('\n');
                }
            }));
        }
        {
            let stdout = Arc::clone(&stdout);
            let pipe = child.stdout.take().unwrap();
            readers.push(std::thread::spawn(move || {
                for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                    let mut text = stdout.lock().unwrap();
                    text.push_str(&line);
                    text.push('\n');
                }
            }));
        }
        let base = match listening_rx.recv_timeout(Duration::from_secs(30)) {
            Ok(base) => base,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                // Give the reader a moment to collect the last lines.
                std::thread::sleep(Duration::from_millis(200));
                panic!(
                    "serve did not start listening; stderr:\n{}",
                    stderr.lock().unwrap()
                );
            }
        };
        Self {
            child,
            readers,
            db,
            secrets,
            base,
            stdout,
            stderr,
            http: reqwest::Client::builder().no_proxy().build().unwrap(),
            seen: Mutex::new(Vec::new()),
        }
    }

    /// The process id, for sampling its resources.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Adds a secret the end-of-test check looks for (e.g. a key given to the process another
    /// way).
    pub(crate) fn watch_secret(&self, what: &str, secret: &str) {
        self.secrets.add(what, secret);
    }

    /// Panics if a watched secret occurs in `text`, something the test read from the server.
    pub(crate) fn scan(&self, text: &str) {
        self.secrets
            .assert_absent_from("a response from serve", text.as_bytes());
    }

    /// Panics if a watched secret occurs in any response recorded so far, on the process's
    /// stdout or stderr, or in its database file. Runs on drop too.
    pub(crate) fn assert_no_leak(&self) {
        for seen in self.seen.lock().unwrap().iter() {
            self.secrets
                .assert_absent_from("a response from serve", seen.as_bytes());
        }
        self.secrets
            .assert_absent_from("serve's stdout", self.stdout().as_bytes());
        self.secrets
            .assert_absent_from("serve's stderr", self.stderr().as_bytes());
        if let Some(db) = &self.db {
            self.secrets
                .assert_absent_from("the database file", &db_bytes(db));
        }
    }

    /// What the process wrote to stderr so far.
    pub(crate) fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// What the process wrote to stdout so far.
    pub(crate) fn stdout(&self) -> String {
        self.stdout.lock().unwrap().clone()
    }

    /// Sends SIGTERM and waits (at most 15 s) for the process to end.
    pub(crate) fn stop(&mut self) -> ExitStatus {
        let pid = self.child.id().to_string();
        let status = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(status.success(), "kill -TERM failed");
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                // Let the reader threads drain the pipes.
                std::thread::sleep(Duration::from_millis(200));
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "serve did not stop within 15 s of SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// An HTTP request with an optional `Authorization` value and JSON body.
    pub(crate) async fn send(
        &self,
        method: Method,
        url: &str,
        authorization: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<&Value>,
        record: bool,
    ) -> Reply {
        let mut request = self.http.request(method, url);
        if let Some(authorization) = authorization {
            request = request.header("Authorization", authorization);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request
                .header("Content-Type", "application/json")
                .body(body.to_string());
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        if record {
            let headers_text = format!("{headers:?}");
            self.scan(&text);
            self.scan(&headers_text);
            let mut seen = self.seen.lock().unwrap();
            seen.push(text.clone());
            seen.push(headers_text);
        }
        let json = parse_body(&headers, &text);
        Reply {
            status,
            headers,
            text,
            json,
        }
    }

    /// An admin API call with the right admin key.
    pub(crate) async fn admin(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let url = format!("{}{path}", self.base);
        let authorization = format!("Bearer {ADMIN_KEY}");
        self.send(method, &url, Some(&authorization), &[], body.as_ref(), true)
            .await
    }

    /// An admin create whose answer carries a one-time secret, so it is not recorded.
    pub(crate) async fn admin_once(&self, path: &str, body: Value) -> Reply {
        let url = format!("{}{path}", self.base);
        let authorization = format!("Bearer {ADMIN_KEY}");
        let reply = self
            .send(
                Method::POST,
                &url,
                Some(&authorization),
                &[],
                Some(&body),
                false,
            )
            .await;
        if let Some(url) = reply.json["url"].as_str() {
            self.watch_secret("a URL token", token_secret(url));
        }
        if let Some(token) = reply.json["token"].as_str() {
            self.watch_secret("an API token", token_secret(token));
        }
        reply
    }

    /// Creates an integrated account pointing at `base_url`; returns its id.
    pub(crate) async fn create_account(&self, base_url: &str, api_key: &str) -> String {
        self.watch_secret("a Freshservice API key", api_key);
        let reply = self
            .admin(
                Method::POST,
                "/integrated-account",
                Some(json!({"name": "Acme IT", "base_url": base_url, "api_key": api_key})),
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        reply.json["id"].as_str().unwrap().to_owned()
    }

    /// Provisions a server on `account` with `body`; returns the whole create answer.
    pub(crate) async fn create_server(&self, account: &str, body: Value) -> Value {
        let reply = self
            .admin_once(&format!("/integrated-account/{account}/mcp"), body)
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        reply.json
    }

    /// Issues an API token for `account`; returns the token text.
    pub(crate) async fn create_api_token(&self, account: &str) -> (String, String) {
        let reply = self
            .admin_once(
                &format!("/integrated-account/{account}/api-tokens"),
                json!({}),
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        (
            reply.json["id"].as_str().unwrap().to_owned(),
            reply.json["token"].as_str().unwrap().to_owned(),
        )
    }

    /// A client for the MCP URL `url`.
    pub(crate) fn mcp<'a>(&'a self, url: &str) -> McpHttp<'a> {
        McpHttp {
            serve: self,
            url: url.to_owned(),
            authorization: None,
            session: None,
            next_id: 1,
            record: true,
        }
    }
}

/// The secret half of a `<id>.<secret>` token, or of the token at the end of an MCP URL; the id
/// half is no secret (the admin API lists it).
pub(crate) fn token_secret(token_or_url: &str) -> &str {
    let token = token_or_url.rsplit('/').next().unwrap_or(token_or_url);
    token.rsplit('.').next().unwrap_or(token)
}

fn parse_body(headers: &HeaderMap, text: &str) -> Value {
    let is_stream = headers
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/event-stream"));
    if !is_stream {
        return serde_json::from_str(text).unwrap_or(Value::Null);
    }
    text.lines()
        .rev()
        .filter_map(|line| line.strip_prefix("data:"))
        .filter_map(|data| serde_json::from_str::<Value>(data.trim()).ok())
        .find(|message| message.get("id").is_some())
        .unwrap_or(Value::Null)
}

/// A legacy-era MCP client over plain JSON-RPC POSTs.
pub(crate) struct McpHttp<'a> {
    serve: &'a Serve,
    url: String,
    pub(crate) authorization: Option<String>,
    session: Option<String>,
    next_id: u64,
    /// Whether replies are kept in `Serve::seen` (long runs scan each one instead).
    pub(crate) record: bool,
}

impl McpHttp<'_> {
    /// The legacy session id, once `initialize` succeeded.
    pub(crate) fn session_id(&self) -> Option<&str> {
        self.session.as_deref()
    }

    /// Continues the legacy session `id` (e.g. one started on another instance).
    pub(crate) fn with_session(mut self, id: &str) -> Self {
        self.session = Some(id.to_owned());
        self
    }

    /// POSTs one JSON-RPC message.
    pub(crate) async fn post(&mut self, message: &Value) -> Reply {
        let mut headers = vec![("Accept", "application/json, text/event-stream")];
        let session = self.session.clone();
        if let Some(session) = &session {
            headers.push(("Mcp-Session-Id", session.as_str()));
            headers.push(("MCP-Protocol-Version", "2025-06-18"));
        }
        self.serve
            .send(
                Method::POST,
                &self.url,
                self.authorization.as_deref(),
                &headers,
                Some(message),
                self.record,
            )
            .await
    }

    /// A request; returns the reply (JSON-RPC response in `json`).
    pub(crate) async fn request(&mut self, method: &str, params: Value) -> Reply {
        let id = self.next_id;
        self.next_id += 1;
        self.post(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await
    }

    /// `initialize` then `notifications/initialized`; returns the `initialize` reply.
    pub(crate) async fn initialize(&mut self) -> Reply {
        let reply = self
            .request(
                "initialize",
                json!({
                    "protocolVersion": "2025-06-18",
                    "capabilities": {},
                    "clientInfo": {"name": "serve-tests", "version": "1.0"}
                }),
            )
            .await;
        if reply.status == 200 {
            self.session = reply.header("mcp-session-id").map(str::to_owned);
            assert!(self.session.is_some(), "no Mcp-Session-Id: {reply:?}");
            let note = self
                .post(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
                .await;
            assert_eq!(note.status, 202, "{}", note.text);
        }
        reply
    }

    /// Every tool name, following `nextCursor`.
    pub(crate) async fn tool_names(&mut self) -> Vec<String> {
        let mut names = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let params = match &cursor {
                Some(cursor) => json!({"cursor": cursor}),
                None => json!({}),
            };
            let reply = self.request("tools/list", params).await;
            assert_eq!(reply.status, 200, "{}", reply.text);
            let result = &reply.json["result"];
            for tool in result["tools"].as_array().unwrap() {
                names.push(tool["name"].as_str().unwrap().to_owned());
            }
            match result["nextCursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => return names,
            }
        }
    }

    /// `tools/call`; returns the JSON-RPC response (with `result` or `error`).
    pub(crate) async fn call(&mut self, name: &str, arguments: Value) -> Value {
        let reply = self
            .request("tools/call", json!({"name": name, "arguments": arguments}))
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        reply.json
    }
}
