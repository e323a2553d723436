//! Tool exposures through the Python `mcp` client, over stdio and over a provisioned `serve` URL,
//! against the sandbox: what `core` lists and costs, how a tool it does not list is found and
//! called, and what `auto` (the default) chooses with and without filters.

use std::collections::BTreeSet;

use freshservice_mcp::CORE_TOOLS;
use freshservice_sandbox::Sandbox;
use serde_json::{Value, json};

use crate::harness::{run_python, run_python_script_http};
use crate::serve_harness::{Serve, temp_db};

/// effytech's 59-tool `tools/list` in bytes, the smallest of the Freshservice MCP servers
/// measured side by side (docs/peers.md).
const EFFYTECH_TOOLS_LIST_BYTES: u64 = 35_526;

const KNOWN_NINE: [&str; 9] = [
    "list_all_freshservice_changes",
    "update_a_freshservice_change_by_id",
    "create_a_freshservice_project_task",
    "list_all_freshservice_assets",
    "create_a_freshservice_onboarding_request",
    "freshservice_tickets_filter",
    "freshservice_changes_filter",
    "get_single_freshservice_asset_by_id",
    "list_all_freshservice_projects",
];

const META_TOOLS: [&str; 3] = [
    "search_freshservice_tools",
    "get_freshservice_tool_schema",
    "call_freshservice_tool",
];

/// The tool outside the core set that the model has to find and call.
const OUTSIDE: &str = "acknowledge_a_freshservice_alert_by_id";

/// As a user would ask it: the alert's id comes from the monitoring page they are looking at.
const REACH_ARGS: [&str; 6] = [
    "--reach",
    OUTSIDE,
    "--query",
    "acknowledge alert 101",
    "--id",
    "101",
];

fn listed(report: &Value) -> BTreeSet<String> {
    report["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|name| name.as_str().unwrap().to_owned())
        .collect()
}

fn core_set() -> BTreeSet<String> {
    CORE_TOOLS
        .iter()
        .chain(&META_TOOLS)
        .map(|name| (*name).to_owned())
        .collect()
}

fn changes_reads() -> BTreeSet<String> {
    freshservice_schema::catalog()
        .operations()
        .iter()
        .filter(|operation| operation.tag == "changes" && operation.is_read_only())
        .map(|operation| operation.name.clone())
        .collect()
}

/// What a `core` listing must show: the nine known tools (and the rest of the core set) with
/// the same schemas the describe tool gives, for less than effytech's listing; and the tool
/// outside it found by search and called on alert 101.
async fn assert_core_reaches_everything(report: &Value, sandbox: &Sandbox, how: &str) {
    let names = listed(report);
    assert_eq!(names, core_set(), "{how}: {report}");
    for name in KNOWN_NINE {
        assert!(names.contains(name), "{how}: {name} is not listed");
    }
    let bytes = report["list_bytes"].as_u64().unwrap();
    assert!(
        bytes < EFFYTECH_TOOLS_LIST_BYTES,
        "{how}: core tools/list is {bytes} bytes"
    );
    assert_eq!(report["schemas_match"], true, "{how}: {report}");
    assert_eq!(
        report["described"].as_array().unwrap().len(),
        CORE_TOOLS.len()
    );
    let search: Vec<&str> = report["search"]
        .as_array()
        .unwrap()
        .iter()
        .map(|name| name.as_str().unwrap())
        .collect();
    assert!(
        search.iter().take(3).any(|name| *name == OUTSIDE),
        "{how}: search for the alert tool gave {search:?}"
    );
    assert_eq!(
        report["reach_hit"]["required"]["alert_id"]["type"], "integer",
        "{how}: {}",
        report["reach_hit"]
    );
    let reached = &report["reached"];
    assert_ne!(reached["result"]["isError"], true, "{how}: {reached}");
    let id = reached["id"].as_i64().unwrap();
    let requests = sandbox.mock_server().received_requests().await.unwrap();
    let acknowledged = requests.iter().any(|request| {
        request.method.as_str() == "PUT"
            && request.url.path() == format!("/api/v2/ams/alerts/{id}/acknowledge")
    });
    assert!(
        acknowledged,
        "{how}: the sandbox saw no acknowledge of alert {id}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn core_over_stdio_lists_the_known_tools_and_reaches_the_rest() {
    let sandbox = Sandbox::start().await;
    let mut script_args = vec!["--mode", "legacy"];
    script_args.extend(REACH_ARGS);
    let run = run_python(
        "py_exposure.py",
        &script_args,
        &sandbox.uri(),
        sandbox.api_key(),
        // The account's form fields could reshape a listed schema mid-test; this test is about
        // the exposure.
        &["--tool-exposure", "core", "--fields-ttl", "0"],
    )
    .await;
    assert_core_reaches_everything(&run.report, &sandbox, "stdio core").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn auto_over_stdio_lists_everything_for_a_small_filter_and_core_otherwise() {
    let sandbox = Sandbox::start().await;
    let small = run_python(
        "py_exposure.py",
        &["--mode", "auto"],
        &sandbox.uri(),
        sandbox.api_key(),
        &[
            "--tags",
            "changes",
            "--methods",
            "read",
            "--fields-ttl",
            "0",
        ],
    )
    .await;
    assert_eq!(listed(&small.report), changes_reads(), "{}", small.report);
    assert!(
        small.stderr.contains("tool exposure all, chosen by auto"),
        "{}",
        small.stderr
    );

    let unfiltered = run_python(
        "py_exposure.py",
        &["--mode", "auto"],
        &sandbox.uri(),
        sandbox.api_key(),
        &[],
    )
    .await;
    assert_eq!(listed(&unfiltered.report), core_set());
    assert!(
        unfiltered
            .stderr
            .contains("tool exposure core, chosen by auto"),
        "{}",
        unfiltered.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn auto_over_serve_is_the_default_of_a_provisioned_server() {
    let sandbox = Sandbox::start().await;
    let serve = Serve::start(&temp_db("exposure"), &[]);
    let account = serve
        .create_account(&sandbox.uri(), sandbox.api_key())
        .await;
    let provision = |config: Value| {
        let serve = &serve;
        let account = account.clone();
        async move {
            let created = serve
                .create_server(&account, json!({"name": "exposure", "config": config}))
                .await;
            created["url"].as_str().unwrap().to_owned()
        }
    };

    let small = provision(json!({"tags": ["changes"], "methods": ["read"]})).await;
    let report = run_python_script_http("py_exposure.py", &["--mode", "auto"], &small).await;
    assert_eq!(listed(&report), changes_reads(), "{report}");

    let unfiltered = provision(json!({})).await;
    let mut script_args = vec!["--mode", "auto"];
    script_args.extend(REACH_ARGS);
    let report = run_python_script_http("py_exposure.py", &script_args, &unfiltered).await;
    assert_core_reaches_everything(&report, &sandbox, "serve auto").await;
}
