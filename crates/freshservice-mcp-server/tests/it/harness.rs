//! Shared helpers: the binary under test, a wiremock Freshservice, the Python client, a raw
//! stdio client, and the secrets check every spawned process gets.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex, OnceLock, mpsc};
use std::time::Duration;

use base64::Engine;
use serde_json::{Value, json};
use wiremock::MockServer;

/// The API key the tests configure; assertions check it arrives as Basic auth and never leaks.
pub(crate) const API_KEY: &str = "test-api-key-5f1c";

/// The version of the Python MCP client the tests install.
const PYTHON_MCP_VERSION: &str = "2.3.0";

pub(crate) fn server_binary() -> &'static str {
    env!("CARGO_BIN_EXE_freshservice-mcp")
}

/// Secrets a test handed to a process, with what each is; checked against what it wrote.
#[derive(Default, Clone)]
pub(crate) struct Secrets(Arc<Mutex<Vec<(String, String)>>>);

impl Secrets {
    /// Watches `secret`, described as `what` in failures. Values under 8 characters are too
    /// likely to occur by chance to be worth checking.
    pub(crate) fn add(&self, what: &str, secret: &str) {
        if secret.len() < 8 {
            return;
        }
        let mut secrets = self.0.lock().unwrap();
        if !secrets.iter().any(|(_, known)| known == secret) {
            secrets.push((what.to_owned(), secret.to_owned()));
        }
        // Basic credentials carry the key in base64; look for that form too.
        if what.contains("API key") {
            let basic = base64::engine::general_purpose::STANDARD.encode(format!("{secret}:X"));
            secrets.push((format!("{what} (as Basic credentials)"), basic));
        }
    }

    /// Panics naming the secret and `place` if any watched secret occurs in `haystack`.
    pub(crate) fn assert_absent_from(&self, place: &str, haystack: &[u8]) {
        for (what, secret) in self.0.lock().unwrap().iter() {
            assert!(
                !crate::serve_harness::contains_bytes(haystack, secret.as_bytes()),
                "{what} leaked into {place}"
            );
        }
    }
}

pub(crate) fn expected_authorization() -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{API_KEY}:X"));
    format!("Basic {encoded}")
}

/// A Python virtual environment with the `mcp` client, made once under `target/tmp`.
///
/// It is built in a scratch folder and renamed into place, so concurrent test processes never
/// see a half-made environment. (A moved venv still works when run as `bin/python`; only its
/// console-script shebangs would not, and we use none.)
pub(crate) fn python() -> &'static PathBuf {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| {
        let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
        let venv = root.join(format!("py-venv-mcp-{PYTHON_MCP_VERSION}"));
        let python = venv.join("bin").join("python");
        if python.exists() {
            return python;
        }
        let scratch = root.join(format!("py-venv-building-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&scratch);
        run_checked(
            std::process::Command::new("python3")
                .arg("-m")
                .arg("venv")
                .arg(&scratch),
        );
        run_checked(
            std::process::Command::new(scratch.join("bin").join("python"))
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                ])
                .arg(format!("mcp=={PYTHON_MCP_VERSION}")),
        );
        if std::fs::rename(&scratch, &venv).is_err() {
            // Another test process finished first; use its environment.
            let _ = std::fs::remove_dir_all(&scratch);
        }
        assert!(
            python.exists(),
            "no Python environment at {}",
            venv.display()
        );
        python
    })
}

fn run_checked(command: &mut std::process::Command) {
    let output = command
        .output()
        .unwrap_or_else(|error| panic!("cannot run {command:?}: {error}"));
    assert!(
        output.status.success(),
        "{command:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// What the Python client saw.
pub(crate) struct ClientRun {
    pub(crate) report: Value,
    pub(crate) stderr: String,
}

/// Runs the Python client in `mode` against `freshservice-mcp stdio --base-url <mock>`, making
/// `calls` (a JSON array of `{name, arguments}`), and returns its report.
pub(crate) async fn run_python_client(
    mode: &str,
    mock: &MockServer,
    calls: Value,
    extra_args: &[&str],
) -> ClientRun {
    let calls_file = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "calls-{}-{}.json",
        std::process::id(),
        unique()
    ));
    std::fs::write(&calls_file, calls.to_string()).unwrap();
    let calls_path = calls_file.to_string_lossy().into_owned();
    // These tests count what reaches the mock: the account's form fields (read in the
    // background, and tested against the sandbox) would add requests they do not expect.
    let mut server_args = vec!["--fields-ttl", "0"];
    server_args.extend_from_slice(extra_args);
    let run = run_python(
        "py_client.py",
        &["--mode", mode, "--calls", &calls_path],
        &mock.uri(),
        API_KEY,
        &server_args,
    )
    .await;
    let _ = std::fs::remove_file(&calls_file);
    run
}

/// Runs `tests/clients/<script>` with `script_args`, pointing it at
/// `freshservice-mcp stdio --base-url <base_url> <server_args>` with `api_key`, and parses the one
/// JSON report it prints.
pub(crate) async fn run_python(
    script: &str,
    script_args: &[&str],
    base_url: &str,
    api_key: &str,
    server_args: &[&str],
) -> ClientRun {
    let python = python().clone();
    let script = format!("{}/tests/clients/{script}", env!("CARGO_MANIFEST_DIR"));
    // stderr goes to a file, so it survives a hung client and the test can show it.
    let stderr_file = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "client-{}-{}.stderr",
        std::process::id(),
        unique()
    ));
    let output = tokio::process::Command::new(python)
        .arg(&script)
        .args(script_args)
        .arg("--")
        .arg(server_binary())
        .args(["stdio", "--base-url", base_url])
        .args(server_args)
        .env("FRESHSERVICE_API_KEY", api_key)
        .env_remove("FRESHSERVICE_DOMAIN")
        .env("FRESHSERVICE_MCP_TRACE", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&stderr_file).unwrap())
        .kill_on_drop(true)
        .spawn()
        .unwrap()
        .wait_with_output();
    let output = tokio::time::timeout(std::time::Duration::from_secs(60), output).await;
    let stderr = std::fs::read_to_string(&stderr_file).unwrap_or_default();
    let _ = std::fs::remove_file(&stderr_file);
    let output = match output {
        Ok(output) => output.unwrap(),
        Err(_) => panic!("the Python client did not finish within 60 s; its stderr:\n{stderr}"),
    };
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "python client failed ({}):\nstdout:\n{stdout}\nstderr:\n{stderr}",
        output.status
    );
    let secrets = Secrets::default();
    secrets.add("the Freshservice API key", api_key);
    secrets.add("the Freshservice API key", API_KEY);
    // The client's stdout holds every response it read; its stderr holds the server's.
    secrets.assert_absent_from("the client's report (the responses)", stdout.as_bytes());
    secrets.assert_absent_from("the server's stderr", stderr.as_bytes());
    let report = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|error| panic!("bad report {error}: {stdout}"));
    ClientRun { report, stderr }
}

/// Runs the Python client in `mode` against a Streamable HTTP `url`, making `calls`.
pub(crate) async fn run_python_http(mode: &str, url: &str, calls: Value) -> Value {
    let calls_file = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "calls-{}-{}.json",
        std::process::id(),
        unique()
    ));
    std::fs::write(&calls_file, calls.to_string()).unwrap();
    let calls_path = calls_file.to_string_lossy().into_owned();
    let report = run_python_script_http(
        "py_client.py",
        &["--mode", mode, "--calls", &calls_path],
        url,
    )
    .await;
    let _ = std::fs::remove_file(&calls_file);
    report
}

/// Runs `tests/clients/<script>` with `script_args` against a Streamable HTTP `url` and parses
/// the one JSON report it prints.
pub(crate) async fn run_python_script_http(script: &str, script_args: &[&str], url: &str) -> Value {
    let python = python().clone();
    let script_path = format!("{}/tests/clients/{script}", env!("CARGO_MANIFEST_DIR"));
    let output = tokio::process::Command::new(python)
        .arg(&script_path)
        .args(script_args)
        .args(["--url", url])
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(std::time::Duration::from_secs(60), output)
        .await
        .expect("the Python client did not finish within 60 s")
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{script} {script_args:?} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // The URL is the credential: its token must not come back in any response.
    let secrets = Secrets::default();
    secrets.add("the URL token", crate::serve_harness::token_secret(url));
    secrets.assert_absent_from("the client's report (the responses)", &output.stdout);
    secrets.assert_absent_from("the client's stderr", &output.stderr);
    serde_json::from_str(stdout.trim())
        .unwrap_or_else(|error| panic!("bad report {error}: {stdout}"))
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// The result of the call named `name` in a client report.
pub(crate) fn result_of<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["results"]
        .as_array()
        .and_then(|results| results.iter().find(|entry| entry["name"] == name))
        .map(|entry| &entry["result"])
        .unwrap_or_else(|| panic!("no result for {name} in {report}"))
}

/// The text of the first content block of a tool result.
pub(crate) fn text_of(result: &Value) -> &str {
    result["content"][0]["text"].as_str().unwrap_or_default()
}

/// `freshservice-mcp stdio` driven line by line, for tests that need exact timing. Its stdout
/// and stderr are checked for the API key when it is dropped.
pub(crate) struct StdioServer {
    child: std::process::Child,
    stdin: Option<std::process::ChildStdin>,
    lines: mpsc::Receiver<String>,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
    readers: Vec<std::thread::JoinHandle<()>>,
    secrets: Secrets,
    next_id: u64,
    /// Responses read while waiting for another id.
    early: Vec<Value>,
}

impl StdioServer {
    /// Starts `stdio --base-url <base_url> <args>` with `api_key` and completes `initialize`.
    pub(crate) fn start(base_url: &str, api_key: &str, args: &[&str]) -> Self {
        let mut child = std::process::Command::new(server_binary())
            .args(["stdio", "--base-url", base_url])
            .args(args)
            .env("FRESHSERVICE_API_KEY", api_key)
            .env_remove("FRESHSERVICE_DOMAIN")
            .env("FRESHSERVICE_MCP_TRACE", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let secrets = Secrets::default();
        secrets.add("the Freshservice API key", api_key);
        let (stdout, stderr) = (Arc::default(), Arc::default());
        let (sender, lines) = mpsc::channel();
        let out_pipe = child.stdout.take().unwrap();
        let err_pipe = child.stderr.take().unwrap();
        let readers = vec![
            {
                let stdout = Arc::clone(&stdout);
                std::thread::spawn(move || {
                    for line in BufReader::new(out_pipe).lines().map_while(Result::ok) {
                        push_line(&stdout, &line);
                        let _ = sender.send(line);
                    }
                })
            },
            {
                let stderr = Arc::clone(&stderr);
                std::thread::spawn(move || {
                    for line in BufReader::new(err_pipe).lines().map_while(Result::ok) {
                        push_line(&stderr, &line);
                    }
                })
            },
        ];
        let mut server = Self {
            stdin: child.stdin.take(),
            child,
            lines,
            stdout,
            stderr,
            readers,
            secrets,
            next_id: 1,
            early: Vec::new(),
        };
        let init = server.request(
            "initialize",
            json!({"protocolVersion": "2025-06-18", "capabilities": {},
                   "clientInfo": {"name": "fault-tests", "version": "1"}}),
            Duration::from_secs(30),
        );
        assert!(init.get("result").is_some(), "{init}");
        server.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
        server
    }

    fn send(&mut self, message: &Value) {
        let stdin = self.stdin.as_mut().unwrap();
        writeln!(stdin, "{message}").unwrap();
        stdin.flush().unwrap();
    }

    /// Sends a request and returns its id without waiting.
    pub(crate) fn start_request(&mut self, method: &str, params: Value) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    /// Starts a `tools/call` without waiting; see [`Self::wait`].
    pub(crate) fn start_call(&mut self, name: &str, arguments: Value) -> u64 {
        self.start_request("tools/call", json!({"name": name, "arguments": arguments}))
    }

    /// Waits at most `limit` for the response to request `id`.
    pub(crate) fn wait(&mut self, id: u64, limit: Duration) -> Value {
        if let Some(at) = self.early.iter().position(|message| message["id"] == id) {
            return self.early.remove(at);
        }
        let deadline = std::time::Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            let line = match self.lines.recv_timeout(left) {
                Ok(line) => line,
                Err(_) => panic!(
                    "no response to id {id} within {limit:?}; stderr:\n{}",
                    self.stderr.lock().unwrap()
                ),
            };
            let message: Value = serde_json::from_str(&line)
                .unwrap_or_else(|error| panic!("stdout carried a non-JSON line ({error}): {line}"));
            if message["id"] == id {
                return message;
            }
            if message.get("id").is_some() {
                self.early.push(message);
            }
        }
    }

    /// Sends a request and waits at most `limit` for its response.
    pub(crate) fn request(&mut self, method: &str, params: Value, limit: Duration) -> Value {
        let id = self.start_request(method, params);
        self.wait(id, limit)
    }

    /// `tools/call` with a time limit; returns the JSON-RPC response.
    pub(crate) fn call(&mut self, name: &str, arguments: Value, limit: Duration) -> Value {
        self.request(
            "tools/call",
            json!({"name": name, "arguments": arguments}),
            limit,
        )
    }
}

fn push_line(buffer: &Mutex<String>, line: &str) {
    let mut text = buffer.lock().unwrap();
    text.push_str(line);
    text.push('\n');
}

impl Drop for StdioServer {
    fn drop(&mut self) {
        // Closing stdin is how an MCP client ends a stdio server.
        drop(self.stdin.take());
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while self.child.try_wait().ok().flatten().is_none() && std::time::Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        for reader in self.readers.drain(..) {
            let _ = reader.join();
        }
        if !std::thread::panicking() {
            let stdout = self.stdout.lock().unwrap();
            let stderr = self.stderr.lock().unwrap();
            self.secrets.assert_absent_from(
                "the stdio server's stdout (the responses)",
                stdout.as_bytes(),
            );
            self.secrets
                .assert_absent_from("the stdio server's stderr", stderr.as_bytes());
        }
    }
}
