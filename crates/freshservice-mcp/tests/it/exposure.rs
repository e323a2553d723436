//! Tool exposures as a client sees them: what `tools/list` costs in each mode, that `auto` is the
//! default, and that the meta-tools reach the tools a mode does not list.

use freshservice_mcp::{CORE_TOOLS, ToolExposure};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::harness::{Options, Server, error_text};

/// effytech's 59-tool `tools/list`, the smallest listing among the Freshservice MCP servers
/// measured side by side (docs/peers.md); the core listing must cost less.
const EFFYTECH_TOOLS_LIST_BYTES: usize = 35_526;

/// The nine tools the managed Freshservice servers made familiar.
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

async fn server(exposure: Option<ToolExposure>) -> Server {
    let mut options = Options::default();
    match exposure {
        Some(exposure) => options.exposure = exposure,
        // What an embedder gets without choosing.
        None => options.exposure = ToolExposure::default(),
    }
    let mut server = Server::start_with(options).await;
    let initialized = server.initialize("2025-11-25").await;
    // The instructions point at the meta-tools exactly when some tools are not listed.
    let instructions = initialized["instructions"].as_str().unwrap();
    assert_eq!(
        instructions.contains("search_freshservice_tools"),
        exposure != Some(ToolExposure::All),
        "{exposure:?}: {instructions}"
    );
    server
}

/// Every page of `tools/list`, and the bytes of the results as the client received them.
async fn list_all(server: &mut Server) -> (Vec<Value>, usize) {
    let mut tools = Vec::new();
    let mut bytes = 0;
    let mut cursor: Option<String> = None;
    loop {
        let params = match &cursor {
            Some(cursor) => json!({ "cursor": cursor }),
            None => json!({}),
        };
        let page = server.result("tools/list", params).await;
        bytes += page.to_string().len();
        tools.extend(page["tools"].as_array().unwrap().iter().cloned());
        match page["nextCursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return (tools, bytes),
        }
    }
}

fn names(tools: &[Value]) -> Vec<&str> {
    tools
        .iter()
        .map(|tool| tool["name"].as_str().unwrap())
        .collect()
}

#[test]
fn auto_is_the_default() {
    assert_eq!(ToolExposure::default(), ToolExposure::Auto);
}

#[tokio::test]
async fn core_lists_the_known_tools_with_full_schemas_for_less_than_the_smallest_peer() {
    let mut all_server = server(Some(ToolExposure::All)).await;
    let (all_tools, all_bytes) = list_all(&mut all_server).await;
    for exposure in [None, Some(ToolExposure::Core)] {
        let mut server = server(exposure).await;
        let (tools, bytes) = list_all(&mut server).await;
        assert!(
            bytes < EFFYTECH_TOOLS_LIST_BYTES,
            "{exposure:?}: core tools/list is {bytes} bytes"
        );
        let listed = names(&tools);
        for name in KNOWN_NINE.iter().chain(&META_TOOLS) {
            assert!(listed.contains(name), "{exposure:?}: {name} is not listed");
        }
        assert_eq!(listed.len(), CORE_TOOLS.len() + META_TOOLS.len());
        // Full schemas: each core tool is listed exactly as the `all` mode lists it.
        for tool in &tools {
            if let Some(full) = all_tools.iter().find(|full| full["name"] == tool["name"]) {
                assert_eq!(tool, full);
            }
        }
        server.close().await;
    }
    assert!(all_bytes > 200_000, "all mode is the whole catalogue");
    all_server.close().await;
}

#[tokio::test]
async fn auto_lists_everything_when_the_filters_leave_a_small_set() {
    for (methods, tags, expect_all) in [("read", "changes", true), ("", "", false)] {
        let client = freshservice_client::Client::builder()
            .base_url("http://127.0.0.1:9")
            .api_key("k")
            .build()
            .unwrap();
        let service = freshservice_mcp::McpService::builder()
            .client(client)
            .filter(freshservice_mcp::ToolFilter::parse(methods, tags).unwrap())
            .build()
            .unwrap();
        let expected = if expect_all {
            ToolExposure::All
        } else {
            ToolExposure::Core
        };
        assert_eq!(service.tool_exposure(), expected, "{methods:?} {tags:?}");
        // Whatever is listed, every allowed tool is reachable.
        let reachable = service.tool_names().len();
        assert_eq!(
            reachable,
            freshservice_schema::catalog()
                .operations()
                .iter()
                .filter(|op| {
                    freshservice_mcp::ToolFilter::parse(methods, tags)
                        .unwrap()
                        .allows(op)
                })
                .count()
        );
    }
}

#[tokio::test]
async fn core_reaches_a_tool_it_does_not_list_through_the_meta_tools() {
    let mut server = server(Some(ToolExposure::Core)).await;
    let (tools, _) = list_all(&mut server).await;
    let target = "acknowledge_a_freshservice_alert_by_id";
    assert!(!names(&tools).contains(&target));
    Mock::given(method("PUT"))
        .and(path("/api/v2/ams/alerts/7/acknowledge"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"alert": {"id": 7, "state": "acknowledged"}})),
        )
        .expect(1)
        .mount(&server.mock)
        .await;

    let found = server
        .call_tool(
            "search_freshservice_tools",
            json!({"query": "acknowledge the alert"}),
        )
        .await;
    let hits = found["structuredContent"]["tools"].as_array().unwrap();
    assert!(
        hits.iter().take(5).any(|hit| hit["name"] == target),
        "{found}"
    );
    // The best hits carry what calling them takes.
    let best = &hits[0];
    assert!(best["required"].is_object(), "{best}");
    assert!(best["optional"].is_array(), "{best}");
    let hit = hits.iter().find(|hit| hit["name"] == target).unwrap();
    let required = &hit["required"];
    assert_eq!(required["alert_id"]["type"], "integer", "{hit}");

    let called = server
        .call_tool(
            "call_freshservice_tool",
            json!({"name": target, "arguments": {"alert_id": 7}}),
        )
        .await;
    assert_ne!(called["isError"], true, "{called}");
    assert_eq!(called["structuredContent"]["alert"]["id"], 7, "{called}");
    server.close().await;
}

#[tokio::test]
async fn the_schema_tool_describes_several_tools_at_once() {
    let mut server = server(Some(ToolExposure::Discovery)).await;
    let both = server
        .call_tool(
            "get_freshservice_tool_schema",
            json!({"names": ["get_single_freshservice_ticket_by_id", "no_such_tool", "list_all_freshservice_problems"]}),
        )
        .await;
    let described = &both["structuredContent"];
    assert_eq!(
        described["tools"][0]["inputSchema"]["required"],
        json!(["ticket_id"]),
        "{both}"
    );
    assert_eq!(
        described["tools"][1]["name"],
        "list_all_freshservice_problems"
    );
    assert_eq!(described["unknown"], json!(["no_such_tool"]));
    // One name keeps its single-tool answer.
    let one = server
        .call_tool(
            "get_freshservice_tool_schema",
            json!({"name": "get_single_freshservice_ticket_by_id"}),
        )
        .await;
    assert_eq!(
        one["structuredContent"]["name"],
        "get_single_freshservice_ticket_by_id"
    );
    for bad in [json!({}), json!({"names": []}), json!({"names": [1]})] {
        let refused = server
            .call_tool("get_freshservice_tool_schema", bad.clone())
            .await;
        assert!(error_text(&refused).contains("/names"), "{bad}: {refused}");
    }
    server.close().await;
}

#[tokio::test]
async fn an_invalid_call_through_the_meta_tool_shows_the_schema_of_the_wrong_fields() {
    let mut server = server(Some(ToolExposure::Discovery)).await;
    let refused = server
        .call_tool(
            "call_freshservice_tool",
            json!({
                "name": "update_a_freshservice_change_by_id",
                "arguments": {"change_id": 1, "priority": 7},
            }),
        )
        .await;
    let text = error_text(&refused);
    assert!(text.contains("/priority"), "{text}");
    let schema_text = text
        .split("The schema of those arguments: ")
        .nth(1)
        .unwrap_or_else(|| panic!("no schema in {text}"));
    let schema: Value = serde_json::from_str(schema_text.lines().next().unwrap()).unwrap();
    assert_eq!(schema["priority"]["enum"], json!([1, 2, 3, 4]), "{schema}");
    assert!(server.mock.received_requests().await.unwrap().is_empty());
    server.close().await;
}
