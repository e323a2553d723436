//! Shared helpers: the binary under test, a wiremock Freshservice, and the Python client.

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::OnceLock;

use base64::Engine;
use serde_json::Value;
use wiremock::MockServer;

/// The API key the tests configure; assertions check it arrives as Basic auth and never leaks.
pub(crate) const API_KEY: &str = "test-api-key-5f1c";

/// The version of the Python MCP client the tests install.
const PYTHON_MCP_VERSION: &str = "2.3.0";

pub(crate) fn server_binary() -> &'static str {
    env!("CARGO_BIN_EXE_freshservice-mcp")
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
    let run = run_python(
        "py_client.py",
        &["--mode", mode, "--calls", &calls_path],
        &mock.uri(),
        API_KEY,
        extra_args,
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
    assert!(
        !stdout.contains(api_key) && !stderr.contains(api_key),
        "the API key leaked into the client's output"
    );
    let report = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|error| panic!("bad report {error}: {stdout}"));
    ClientRun { report, stderr }
}

/// Runs the Python client in `mode` against a Streamable HTTP `url`, making `calls`.
pub(crate) async fn run_python_http(mode: &str, url: &str, calls: Value) -> Value {
    let python = python().clone();
    let calls_file = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "calls-{}-{}.json",
        std::process::id(),
        unique()
    ));
    std::fs::write(&calls_file, calls.to_string()).unwrap();
    let script = format!("{}/tests/clients/py_client.py", env!("CARGO_MANIFEST_DIR"));
    let output = tokio::process::Command::new(python)
        .arg(&script)
        .args(["--mode", mode, "--calls"])
        .arg(&calls_file)
        .args(["--url", url])
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(std::time::Duration::from_secs(60), output)
        .await
        .expect("the Python client did not finish within 60 s")
        .unwrap();
    let _ = std::fs::remove_file(&calls_file);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "python client ({mode}) failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
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
