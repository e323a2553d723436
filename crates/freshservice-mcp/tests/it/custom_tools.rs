//! Custom tools an embedder adds: listed after the catalogue, called through the same dispatch,
//! refused with -32021 when the caller lacks a capability they need (HTTP 400), logging only at
//! the caller's level, reporting progress, and never sharing a name with another tool.

use std::time::Duration;

use async_trait::async_trait;
use freshservice_client::Client;
use freshservice_mcp::{CustomTool, Error, HttpConfig, McpService, ToolContext};
use mcp_messages::{CallToolResult, JsonObject, Tool};
use serde_json::{Value, json};

use crate::fixture_tools::fixture_names;
use crate::harness::{Options, Server, all_tool_names, modern, modern_at_level, text_of};
use crate::http_harness::HttpServer;

fn with_fixtures() -> Options {
    Options {
        fixtures: true,
        ..Options::default()
    }
}

/// Every message up to and including the response to request `id`.
async fn until_response(server: &mut Server, id: i64) -> (Vec<Value>, Value) {
    let mut before = Vec::new();
    loop {
        let message = server.recv().await;
        if message.get("id") == Some(&json!(id)) {
            return (before, message);
        }
        before.push(message);
    }
}

#[tokio::test]
async fn custom_tools_are_listed_after_the_catalogue() {
    let mut server = Server::start_with(with_fixtures()).await;
    let mut names = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let params = match &cursor {
            Some(cursor) => modern(json!({ "cursor": cursor })),
            None => modern(json!({})),
        };
        let page = server.result("tools/list", params).await;
        for tool in page["tools"].as_array().unwrap() {
            names.push(tool["name"].as_str().unwrap().to_owned());
        }
        match page["nextCursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    let catalogue = all_tool_names();
    assert_eq!(names.len(), catalogue.len() + fixture_names().len());
    assert_eq!(names[..catalogue.len()], catalogue[..]);
    assert_eq!(names[catalogue.len()..], fixture_names()[..]);
}

#[tokio::test]
async fn a_call_without_a_needed_capability_is_refused_with_32021() {
    let mut server = Server::start_with(with_fixtures()).await;
    let error = server
        .error(
            "tools/call",
            modern(json!({ "name": "test_missing_capability", "arguments": {} })),
        )
        .await;
    assert_eq!(error["code"], -32021, "{error}");
    assert_eq!(
        error["data"]["requiredCapabilities"],
        json!({ "sampling": {} })
    );
    assert!(error["message"].as_str().unwrap().contains("sampling"));

    let mut params = modern(json!({ "name": "test_missing_capability", "arguments": {} }));
    params["_meta"]["io.modelcontextprotocol/clientCapabilities"] = json!({ "sampling": {} });
    let result = server.result("tools/call", params).await;
    assert_eq!(text_of(&result), "sampling was declared");
    assert_eq!(result["resultType"], "complete");
}

#[tokio::test]
async fn legacy_sessions_check_the_capabilities_sent_with_initialize() {
    let mut server = Server::start_with(with_fixtures()).await;
    server.initialize("2025-11-25").await;
    let error = server
        .error(
            "tools/call",
            json!({ "name": "test_missing_capability", "arguments": {} }),
        )
        .await;
    assert_eq!(error["code"], -32021, "{error}");

    let mut declared = Server::start_with(with_fixtures()).await;
    declared
        .result(
            "initialize",
            json!({
                "protocolVersion": "2025-11-25",
                "capabilities": { "sampling": {} },
                "clientInfo": { "name": "it", "version": "1" },
            }),
        )
        .await;
    let result = declared
        .result(
            "tools/call",
            json!({ "name": "test_missing_capability", "arguments": {} }),
        )
        .await;
    assert_eq!(text_of(&result), "sampling was declared");
}

#[tokio::test]
async fn over_http_the_capability_error_is_a_400() {
    let server = HttpServer::start_with_options(HttpConfig::default(), with_fixtures()).await;
    let reply = server
        .modern(
            7,
            "tools/call",
            json!({ "name": "test_missing_capability", "arguments": {} }),
        )
        .await;
    assert_eq!(reply.status, 400, "{reply:?}");
    assert_eq!(reply.json()["id"], 7);
    assert_eq!(reply.json()["error"]["code"], -32021);
}

#[tokio::test]
async fn custom_tool_logs_reach_only_clients_that_asked_for_that_level() {
    let mut server = Server::start_with(with_fixtures()).await;
    let call = json!({ "name": "test_logging_tool", "arguments": {} });

    let id = server
        .send_request("tools/call", modern(call.clone()))
        .await;
    let (before, response) = until_response(&mut server, id).await;
    assert!(before.is_empty(), "logged without a level: {before:?}");
    assert!(response["result"]["isError"].is_null(), "{response}");

    let id = server
        .send_request("tools/call", modern_at_level(call, "warning"))
        .await;
    let (before, _) = until_response(&mut server, id).await;
    let levels: Vec<&str> = before
        .iter()
        .map(|message| {
            assert_eq!(message["method"], "notifications/message");
            assert_eq!(message["params"]["logger"], "test_logging_tool");
            message["params"]["level"].as_str().unwrap()
        })
        .collect();
    assert_eq!(levels, ["warning", "error"]);
}

#[tokio::test]
async fn custom_tool_progress_arrives_before_the_result() {
    let mut server = Server::start_with(with_fixtures()).await;
    let mut params = modern(json!({ "name": "test_tool_with_progress", "arguments": {} }));
    params["_meta"]["progressToken"] = json!("p-1");
    let id = server.send_request("tools/call", params).await;
    let (before, response) = until_response(&mut server, id).await;
    let steps: Vec<f64> = before
        .iter()
        .map(|message| {
            assert_eq!(message["method"], "notifications/progress");
            assert_eq!(message["params"]["progressToken"], "p-1");
            message["params"]["progress"].as_f64().unwrap()
        })
        .collect();
    assert_eq!(steps, [0.0, 50.0, 100.0]);
    assert_eq!(text_of(&response["result"]), "progress reported");
    server.expect_silence(Duration::from_millis(50)).await;
}

struct Named(&'static str);

#[async_trait]
impl CustomTool for Named {
    fn definition(&self) -> Tool {
        Tool::new(self.0, "a tool", JsonObject::new())
    }

    async fn call(&self, _arguments: JsonObject, _context: ToolContext<'_>) -> CallToolResult {
        CallToolResult::error("not called in this test")
    }
}

fn build(tools: &[&'static str]) -> Result<McpService, Error> {
    let client = Client::builder()
        .base_url("http://127.0.0.1:9")
        .api_key("k")
        .build()
        .unwrap();
    tools
        .iter()
        .fold(McpService::builder().client(client), |builder, name| {
            builder.custom_tool(Named(name))
        })
        .build()
}

#[test]
fn a_custom_tool_may_not_take_a_name_already_in_use() {
    for (tools, taken) in [
        (
            &["get_single_freshservice_change_by_id"][..],
            "get_single_freshservice_change_by_id",
        ),
        (&["mine", "mine"][..], "mine"),
        (
            &["search_freshservice_tools"][..],
            "search_freshservice_tools",
        ),
    ] {
        match build(tools) {
            Err(Error::DuplicateTool { name }) => assert_eq!(name, taken),
            other => panic!("{tools:?}: expected DuplicateTool, got {other:?}"),
        }
    }
    assert!(build(&["mine", "yours"]).is_ok());
}
