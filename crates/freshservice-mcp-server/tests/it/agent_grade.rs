//! Agent-grade behaviour against the sandbox, through the embeddable service: discovery mode,
//! local rejection of wrong calls, and response shaping.

use freshservice_sandbox::Collection;
use std::collections::BTreeMap;

use freshservice_mcp::{McpService, Session, ToolExposure};
use freshservice_sandbox::Sandbox;
use mcp_messages::{Message, Request, RequestId};
use serde_json::{Value, json};

struct Harness {
    service: McpService,
    session: Session,
    next_id: i64,
}

impl Harness {
    async fn new(sandbox: &Sandbox, exposure: ToolExposure) -> Self {
        let client = freshservice_client::Client::builder()
            .base_url(sandbox.uri())
            .api_key(sandbox.api_key())
            .build()
            .unwrap();
        let service = McpService::builder()
            .client(client)
            .tool_exposure(exposure)
            .tools_page_size(1000)
            .build()
            .unwrap();
        let mut harness = Self {
            service,
            session: Session::new(),
            next_id: 0,
        };
        harness
            .request("initialize", json!({"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}))
            .await;
        harness
    }

    async fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let request = Request::new(RequestId::Number(self.next_id), method, Some(params));
        match self
            .service
            .handle_request(&self.session, request, None)
            .await
        {
            Message::Response(response) => response.result,
            other => panic!("{method}: {other:?}"),
        }
    }

    async fn call(&mut self, name: &str, arguments: Value) -> Value {
        self.request("tools/call", json!({"name": name, "arguments": arguments}))
            .await
    }
}

/// A schema-valid value for a required parameter: the first allowed value, or 1, "x", true.
fn example_value(schema: &Value) -> Value {
    if let Some(first) = schema["enum"].as_array().and_then(|values| values.first()) {
        return first.clone();
    }
    match schema["type"].as_str() {
        Some("string") => json!("x"),
        Some("boolean") => json!(true),
        Some("array") => json!([]),
        Some("object") => json!({}),
        _ => json!(1),
    }
}

fn text(result: &Value) -> String {
    result["content"]
        .as_array()
        .map(|blocks| {
            blocks
                .iter()
                .filter_map(|block| block["text"].as_str())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn discovery_lists_three_small_tools_that_reach_every_tag() {
    let sandbox = Sandbox::start().await;
    let mut harness = Harness::new(&sandbox, ToolExposure::Discovery).await;
    let listed = harness.request("tools/list", json!({})).await;
    let names: Vec<&str> = listed["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|tool| tool["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "search_freshservice_tools",
            "get_freshservice_tool_schema",
            "call_freshservice_tool"
        ]
    );
    let payload = listed.to_string().len();
    assert!(
        payload < 3 * 1024,
        "the discovery tools/list payload is {payload} bytes"
    );

    // Search finds tools by words, and the schema tool describes them.
    let found = harness
        .call(
            "search_freshservice_tools",
            json!({"query": "filter tickets"}),
        )
        .await;
    let first = found["structuredContent"]["tools"][0]["name"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(first, "freshservice_tickets_filter", "{found}");
    let schema = harness
        .call("get_freshservice_tool_schema", json!({"name": first}))
        .await;
    assert_eq!(
        schema["structuredContent"]["inputSchema"]["required"],
        json!(["query"])
    );

    // One read tool from every tag, called through call_freshservice_tool, reaches the sandbox.
    let catalog = freshservice_schema::catalog();
    let mut per_tag: BTreeMap<&str, &freshservice_schema::Operation> = BTreeMap::new();
    for operation in catalog.operations() {
        if !operation.is_read_only()
            || operation
                .params
                .iter()
                .any(|param| param.required && param.name != "page")
        {
            continue;
        }
        per_tag.entry(operation.tag.as_str()).or_insert(operation);
    }
    let tags = catalog.tags();
    let mut reached = 0;
    for tag in &tags {
        let Some(operation) = per_tag.get(tag) else {
            // A tag whose reads all need an id: call its first read with id 1.
            // (or, in a module that only writes, its first operation).
            let in_tag = |op: &&freshservice_schema::Operation| op.tag == *tag;
            let operation = catalog
                .operations()
                .iter()
                .filter(in_tag)
                .find(|op| op.is_read_only())
                .or_else(|| catalog.operations().iter().find(in_tag))
                .unwrap();
            let arguments: serde_json::Map<String, Value> = operation
                .params
                .iter()
                .filter(|param| param.required)
                .map(|param| (param.name.clone(), example_value(&param.schema)))
                .collect();
            let before = sandbox
                .mock_server()
                .received_requests()
                .await
                .unwrap()
                .len();
            let result = harness
                .call(
                    "call_freshservice_tool",
                    json!({"name": operation.name, "arguments": arguments}),
                )
                .await;
            let after = sandbox
                .mock_server()
                .received_requests()
                .await
                .unwrap()
                .len();
            assert_eq!(
                after,
                before + 1,
                "{tag}: {} did not reach the sandbox: {result}",
                operation.name
            );
            reached += 1;
            continue;
        };
        let result = harness
            .call(
                "call_freshservice_tool",
                json!({"name": operation.name, "arguments": {}}),
            )
            .await;
        assert_ne!(
            result["isError"],
            true,
            "{tag}: {} failed: {}",
            operation.name,
            text(&result)
        );
        reached += 1;
    }
    assert_eq!(reached, tags.len());
    assert!(tags.len() >= 30, "every module has a tag");

    // Unknown names are a tool error that says how to find tools.
    let unknown = harness
        .call("call_freshservice_tool", json!({"name": "drop_all_tables"}))
        .await;
    assert_eq!(unknown["isError"], true);
    assert!(text(&unknown).contains("search_freshservice_tools"));
}

/// Fifty-odd calls a model gets wrong; each must be refused locally with a message naming the
/// problem, and none may reach Freshservice.
#[tokio::test(flavor = "multi_thread")]
async fn wrong_calls_are_refused_before_anything_is_sent() {
    let sandbox = Sandbox::start().await;
    let mut harness = Harness::new(&sandbox, ToolExposure::All).await;
    let corpus: Vec<(&str, Value, &str)> = vec![
        // Bad query syntax.
        (
            "freshservice_tickets_filter",
            json!({"query": "priority:3 status:2"}),
            "AND or OR",
        ),
        (
            "freshservice_tickets_filter",
            json!({"query": "priority:"}),
            "a value after",
        ),
        (
            "freshservice_tickets_filter",
            json!({"query": "priority:high"}),
            "not a value",
        ),
        (
            "freshservice_tickets_filter",
            json!({"query": "(priority:3"}),
            "`)`",
        ),
        (
            "freshservice_tickets_filter",
            json!({"query": "tag:'open"}),
            "unterminated",
        ),
        (
            "freshservice_tickets_filter",
            json!({"query": "priority:3 AND"}),
            "ends here",
        ),
        ("freshservice_tickets_filter", json!({"query": ""}), "query"),
        (
            "freshservice_tickets_filter",
            json!({"query": "priority:3 # x"}),
            "unexpected character",
        ),
        (
            "freshservice_changes_filter",
            json!({"query": "status:3 OR"}),
            "ends here",
        ),
        (
            "freshservice_changes_filter",
            json!({"query": "status==3"}),
            "status",
        ),
        (
            "freshservice_assets_filter",
            json!({"filter": "name:'db"}),
            "unterminated",
        ),
        (
            "freshservice_requesters_filter",
            json!({"query": "first_name:jo"}),
            "not a value",
        ),
        (
            "freshservice_agents_filter",
            json!({"query": "AND"}),
            "condition",
        ),
        // Unknown filter fields (the message lists the valid ones).
        (
            "freshservice_tickets_filter",
            json!({"query": "colour:'red'"}),
            "filterable fields are",
        ),
        (
            "freshservice_tickets_filter",
            json!({"query": "priority:3 AND owner:5"}),
            "`owner`",
        ),
        (
            "freshservice_changes_filter",
            json!({"query": "severity:2"}),
            "change_type",
        ),
        (
            "freshservice_assets_filter",
            json!({"filter": "colour:'red'"}),
            "asset_type_id",
        ),
        (
            "freshservice_requesters_filter",
            json!({"query": "shoe_size:42"}),
            "`shoe_size`",
        ),
        (
            "freshservice_agents_filter",
            json!({"query": "salary:>1"}),
            "`salary`",
        ),
        (
            "freshservice_departments_filter",
            json!({"query": "budget:5"}),
            "`budget`",
        ),
        (
            "freshservice_locations_filter",
            json!({"query": "floor:3"}),
            "`floor`",
        ),
        // Wrong value types in queries.
        (
            "freshservice_tickets_filter",
            json!({"query": "priority:'high'"}),
            "takes a number",
        ),
        (
            "freshservice_tickets_filter",
            json!({"query": "created_at:'2025-01-01'"}),
            ":> or :<",
        ),
        (
            "freshservice_tickets_filter",
            json!({"query": "created_at:>'last week'"}),
            "yyyy-mm-dd",
        ),
        (
            "freshservice_tickets_filter",
            json!({"query": "email:5"}),
            "single quotes",
        ),
        (
            "freshservice_changes_filter",
            json!({"query": "planned_start_date:>5"}),
            "yyyy-mm-dd",
        ),
        (
            "freshservice_tickets_filter",
            json!({"query": format!("tag:'{}'", "x".repeat(520))}),
            "512",
        ),
        // Wrong enum codes (ticket status and source are not among them: accounts define their
        // own, so without the account's form fields an unknown one is Freshservice's to judge).
        (
            "create_a_freshservice_ticket",
            json!({"subject": "s", "description": "d", "status": 2, "priority": 2, "urgency": 9, "email": "a@b.co"}),
            "/urgency",
        ),
        (
            "create_a_freshservice_ticket",
            json!({"subject": "s", "description": "d", "status": 2, "priority": 7, "email": "a@b.co"}),
            "/priority",
        ),
        (
            "create_a_freshservice_change",
            json!({"subject": "s", "description": "d", "status": 1, "priority": 1, "impact": 1, "risk": 5, "change_type": 1}),
            "/risk",
        ),
        (
            "create_a_freshservice_change",
            json!({"subject": "s", "description": "d", "status": 7, "priority": 1, "impact": 1, "risk": 1, "change_type": 1}),
            "/status",
        ),
        (
            "create_a_freshservice_change",
            json!({"subject": "s", "description": "d", "status": 1, "priority": 1, "impact": 1, "risk": 1, "change_type": 9}),
            "/change_type",
        ),
        (
            "update_a_freshservice_change_by_id",
            json!({"change_id": 1, "impact": 4}),
            "/impact",
        ),
        (
            "update_a_freshservice_ticket_by_id",
            json!({"ticket_id": 1, "urgency": 0}),
            "/urgency",
        ),
        (
            "list_all_freshservice_changes",
            json!({"order_type": "sideways"}),
            "/order_type",
        ),
        // Missing required fields, top level and nested.
        (
            "create_a_freshservice_change",
            json!({"subject": "No details"}),
            "description",
        ),
        (
            "create_a_freshservice_ticket",
            json!({"description": "no subject", "status": 2, "priority": 1}),
            "subject",
        ),
        (
            "create_a_freshservice_project_task",
            json!({"project_id": 1, "type_id": 1}),
            "title",
        ),
        (
            "create_a_freshservice_onboarding_request",
            json!({"initiator_id": 1}),
            "fields",
        ),
        (
            "update_a_freshservice_change_by_id",
            json!({"change_id": 1, "assets": [{"name": "db"}]}),
            "display_id",
        ),
        (
            "update_a_freshservice_change_by_id",
            json!({"subject": "no id"}),
            "change_id",
        ),
        (
            "get_single_freshservice_asset_by_id",
            json!({}),
            "display_id",
        ),
        // The global workspace where it is refused, and workspace changes on update.
        (
            "create_a_freshservice_location",
            json!({"name": "HQ", "workspace_id": 1}),
            "global scope",
        ),
        (
            "create_a_freshservice_department",
            json!({"name": "Ops", "workspace_id": 1}),
            "global scope",
        ),
        (
            "update_a_freshservice_change_by_id",
            json!({"change_id": 1, "workspace_id": 3}),
            "move_a_freshservice_change_by_id",
        ),
        // Strings where numbers are needed, and other type mistakes.
        (
            "get_single_freshservice_change_by_id",
            json!({"change_id": "seven"}),
            "change_id",
        ),
        (
            "get_single_freshservice_ticket_by_id",
            json!({"ticket_id": "1/2"}),
            "ticket_id",
        ),
        (
            "get_single_freshservice_asset_by_id",
            json!({"display_id": "../admin"}),
            "display_id",
        ),
        (
            "list_all_freshservice_changes",
            json!({"per_page": "ten"}),
            "per_page",
        ),
        (
            "list_all_freshservice_changes",
            json!({"per_page": 500}),
            "per_page",
        ),
        ("list_all_freshservice_changes", json!({"page": 0}), "page"),
        (
            "create_a_freshservice_project_task",
            json!({"project_id": "Q4", "title": "t", "type_id": 1}),
            "project_id",
        ),
        (
            "update_a_freshservice_ticket_by_id",
            json!({"ticket_id": 1, "priority": "high"}),
            "priority",
        ),
        (
            "create_a_freshservice_ticket",
            json!({"subject": "s", "description": "d", "status": 2, "priority": 1, "email": "not-an-email"}),
            "email",
        ),
        // Unknown arguments and the server's own arguments misused.
        (
            "list_all_freshservice_changes",
            json!({"bogus": 1}),
            "bogus",
        ),
        (
            "list_all_freshservice_changes",
            json!({"fields": "id"}),
            "/fields",
        ),
        (
            "list_all_freshservice_changes",
            json!({"max_items": 0}),
            "/max_items",
        ),
        (
            "create_a_freshservice_change",
            json!({"dry_run": "yes"}),
            "/dry_run",
        ),
    ];
    assert!(corpus.len() >= 50, "{} wrong calls", corpus.len());
    for (name, arguments, fragment) in &corpus {
        let result = harness.call(name, arguments.clone()).await;
        assert_eq!(result["isError"], true, "{name} {arguments}: {result}");
        let message = text(&result);
        assert!(
            message.contains(fragment),
            "{name} {arguments}: expected {fragment:?} in:\n{message}"
        );
        assert!(message.contains("nothing was sent"), "{name}: {message}");
    }
    let received = sandbox.mock_server().received_requests().await.unwrap();
    assert!(
        received.is_empty(),
        "{} wrong calls reached the sandbox",
        received.len()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn dry_run_returns_the_request_without_sending_it() {
    let sandbox = Sandbox::start().await;
    let mut harness = Harness::new(&sandbox, ToolExposure::All).await;
    let result = harness
        .call(
            "update_a_freshservice_change_by_id",
            json!({"change_id": 1, "status": 4, "assets": [{"display_id": 101}], "dry_run": true}),
        )
        .await;
    assert_ne!(result["isError"], true, "{result}");
    let request = &result["structuredContent"];
    assert_eq!(request["method"], "PUT");
    assert_eq!(request["path"], "/api/v2/changes/1");
    assert_eq!(
        request["body"],
        json!({"status": 4, "assets": [{"display_id": 101}]})
    );
    assert!(
        sandbox
            .mock_server()
            .received_requests()
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        sandbox.get(Collection::Changes, 1).unwrap()["status"],
        3,
        "nothing changed"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn shaping_halves_list_answers_and_keeps_asked_fields() {
    let sandbox = Sandbox::start().await;
    let mut harness = Harness::new(&sandbox, ToolExposure::All).await;
    let http = reqwest::Client::new();
    for (tool, path, key) in [
        (
            "list_all_freshservice_tickets",
            "/api/v2/tickets",
            "tickets",
        ),
        (
            "list_all_freshservice_changes",
            "/api/v2/changes",
            "changes",
        ),
    ] {
        let raw: Value = http
            .get(format!("{}{path}", sandbox.uri()))
            .basic_auth(sandbox.api_key(), Some("X"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let raw_bytes = raw.to_string().len();
        let shaped = harness.call(tool, json!({})).await;
        let shaped_bytes = shaped["structuredContent"].to_string().len();
        println!("{tool}: {raw_bytes} bytes from Freshservice, {shaped_bytes} bytes to the model");
        assert!(
            shaped_bytes * 2 <= raw_bytes,
            "{tool}: {shaped_bytes} is not half of {raw_bytes}"
        );
        let records = raw[key].as_array().unwrap();
        assert_eq!(
            shaped["structuredContent"][key].as_array().unwrap().len(),
            records.len(),
            "{tool}: no record lost"
        );

        // Asked-for fields are all there, empty ones included.
        let fields = [
            "id",
            "subject",
            "status",
            "priority",
            "agent_id",
            "created_at",
        ];
        let projected = harness.call(tool, json!({"fields": fields})).await;
        for (raw_record, record) in records
            .iter()
            .zip(projected["structuredContent"][key].as_array().unwrap())
        {
            for field in fields {
                assert_eq!(
                    record.get(field),
                    raw_record.get(field),
                    "{tool}: field {field}"
                );
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn max_items_follows_pages_and_reports_progress() {
    let sandbox = Sandbox::start().await;
    let harness = Harness::new(&sandbox, ToolExposure::All).await;
    let (notifier, mut notifications) = tokio::sync::mpsc::unbounded_channel();
    let request = Request::new(
        RequestId::Number(99),
        "tools/call",
        Some(json!({
            "name": "list_all_freshservice_tickets",
            "arguments": {"per_page": 2, "max_items": 5, "fields": ["id"]},
            "_meta": {"progressToken": "pages"}
        })),
    );
    let Message::Response(response) = harness
        .service
        .handle_request(&harness.session, request, Some(&notifier))
        .await
    else {
        panic!("no response")
    };
    let result = response.result;
    assert_ne!(result["isError"], true, "{result}");
    let tickets = result["structuredContent"]["tickets"].as_array().unwrap();
    assert_eq!(tickets.len(), 5, "{result}");
    let mut ids: Vec<i64> = tickets
        .iter()
        .map(|ticket| ticket["id"].as_i64().unwrap())
        .collect();
    ids.dedup();
    assert_eq!(ids.len(), 5, "no record twice across pages");
    assert_eq!(
        result["structuredContent"]["next_page"], 4,
        "the page after the last one read"
    );
    let received = sandbox.mock_server().received_requests().await.unwrap();
    assert_eq!(received.len(), 3, "three pages of two");

    drop(notifier);
    let mut progress = Vec::new();
    while let Some(Message::Notification(notification)) = notifications.recv().await {
        assert_eq!(notification.method, "notifications/progress");
        let params = notification.params.unwrap();
        assert_eq!(params["progressToken"], "pages");
        progress.push(params["progress"].as_f64().unwrap());
    }
    assert_eq!(
        progress,
        vec![2.0, 4.0, 5.0],
        "strictly increasing, one per page"
    );
}
