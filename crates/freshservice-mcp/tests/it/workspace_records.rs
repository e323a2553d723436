//! Workspace scope on by-id tools: a server scoped to workspace 3 reads a record's workspace
//! before acting on it (or checks the answer of the record's own get) and refuses records of
//! other workspaces without sending the write.

use freshservice_client::Client;
use freshservice_mcp::McpService;
use freshservice_mcp::mcp_messages::{Message, Request, RequestId};
use freshservice_mcp::{Session, ToolExposure};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::harness::{API_KEY, assert_no_secret, modern};

/// A ticket of the HR workspace (4) and one of workspace 3; the subject must never leak.
const OTHER: i64 = 40;
const OWN: i64 = 30;
const SECRET: &str = "Salary review of Dana";

fn scoped(mock: &MockServer, workspaces: Vec<i64>) -> McpService {
    let client = Client::builder()
        .base_url(mock.uri())
        .api_key(API_KEY)
        .build()
        .unwrap();
    McpService::builder()
        .client(client)
        .tool_exposure(ToolExposure::All)
        .workspaces(workspaces)
        .build()
        .unwrap()
}

async fn call(service: &McpService, name: &str, arguments: Value) -> Value {
    let session = Session::new();
    let request = Request::new(
        RequestId::Number(1),
        "tools/call",
        Some(modern(json!({"name": name, "arguments": arguments}))),
    );
    match service.handle_request(&session, request, None).await {
        Message::Response(response) => {
            assert_no_secret(&response.result.to_string());
            response.result
        }
        other => panic!("{name}: {other:?}"),
    }
}

fn ticket(id: i64, workspace: i64) -> Value {
    json!({"ticket": {"id": id, "subject": SECRET, "description_text": SECRET, "workspace_id": workspace}})
}

async fn mount_tickets(mock: &MockServer) {
    for (id, workspace) in [(OTHER, 4), (OWN, 3)] {
        let record = format!("/api/v2/tickets/{id}");
        Mock::given(method("GET"))
            .and(path(record.clone()))
            .respond_with(ResponseTemplate::new(200).set_body_json(ticket(id, workspace)))
            .mount(mock)
            .await;
        Mock::given(method("PUT"))
            .and(path(record.clone()))
            .respond_with(ResponseTemplate::new(200).set_body_json(ticket(id, workspace)))
            .mount(mock)
            .await;
        Mock::given(method("DELETE"))
            .and(path(record.clone()))
            .respond_with(ResponseTemplate::new(204))
            .mount(mock)
            .await;
        Mock::given(method("POST"))
            .and(path(format!("{record}/notes")))
            .respond_with(
                ResponseTemplate::new(201)
                    .set_body_json(json!({"conversation": {"id": 9, "body": "noted"}})),
            )
            .mount(mock)
            .await;
    }
    Mock::given(method("GET"))
        .and(path("/api/v2/tickets/99"))
        .respond_with(
            ResponseTemplate::new(404)
                .set_body_json(json!({"code": "access_denied", "message": "Record not found"})),
        )
        .mount(mock)
        .await;
}

/// The requests the mock received, as `METHOD /path`.
async fn received(mock: &MockServer) -> Vec<String> {
    mock.received_requests()
        .await
        .unwrap()
        .iter()
        .map(|request| format!("{} {}", request.method, request.url.path()))
        .collect()
}

fn refusal(result: &Value) -> &str {
    assert_eq!(result["isError"], true, "expected a refusal: {result}");
    assert!(
        result.get("structuredContent").is_none(),
        "a refusal carries no record: {result}"
    );
    assert!(!result.to_string().contains(SECRET), "leaked: {result}");
    result["content"][0]["text"].as_str().unwrap()
}

#[tokio::test]
async fn a_scoped_server_refuses_records_of_other_workspaces_before_writing() {
    let mock = MockServer::start().await;
    mount_tickets(&mock).await;
    let service = scoped(&mock, vec![3]);

    // The record's own get: one request, its answer checked and not returned.
    let read = call(
        &service,
        "get_single_freshservice_ticket_by_id",
        json!({"ticket_id": OTHER}),
    )
    .await;
    let text = refusal(&read);
    assert!(
        text.contains("workspace 4") && text.contains("only in workspace 3"),
        "{text}"
    );
    assert_eq!(
        received(&mock).await,
        [format!("GET /api/v2/tickets/{OTHER}")]
    );

    for (name, arguments) in [
        (
            "update_a_freshservice_ticket_by_id",
            json!({"ticket_id": OTHER, "priority": 4}),
        ),
        (
            "delete_a_freshservice_ticket_by_id",
            json!({"ticket_id": OTHER}),
        ),
        (
            "create_a_freshservice_ticket_note",
            json!({"ticket_id": OTHER, "body": "Looked at it"}),
        ),
        (
            "update_a_freshservice_ticket_by_id",
            json!({"ticket_id": OTHER, "priority": 4, "dry_run": true}),
        ),
    ] {
        let result = call(&service, name, arguments).await;
        let text = refusal(&result);
        assert!(
            text.contains("workspace 4") && text.contains("nothing was changed"),
            "{name}: {text}"
        );
    }
    // The workspace read by the get is remembered: the refused writes sent nothing at all.
    assert_eq!(
        received(&mock).await,
        [format!("GET /api/v2/tickets/{OTHER}")]
    );

    // The same calls on a ticket of workspace 3 go through.
    let read = call(
        &service,
        "get_single_freshservice_ticket_by_id",
        json!({"ticket_id": OWN}),
    )
    .await;
    assert_ne!(read["isError"], true, "{read}");
    assert_eq!(read["structuredContent"]["ticket"]["id"], OWN);
    let dry = call(
        &service,
        "update_a_freshservice_ticket_by_id",
        json!({"ticket_id": OWN, "priority": 4, "dry_run": true}),
    )
    .await;
    assert_eq!(dry["structuredContent"]["sent"], false, "{dry}");
    for (name, arguments) in [
        (
            "update_a_freshservice_ticket_by_id",
            json!({"ticket_id": OWN, "priority": 4}),
        ),
        (
            "create_a_freshservice_ticket_note",
            json!({"ticket_id": OWN, "body": "Looked at it"}),
        ),
        (
            "delete_a_freshservice_ticket_by_id",
            json!({"ticket_id": OWN}),
        ),
    ] {
        let result = call(&service, name, arguments).await;
        assert_ne!(result["isError"], true, "{name}: {result}");
    }
    assert_eq!(
        received(&mock).await[1..],
        [
            format!("GET /api/v2/tickets/{OWN}"),
            format!("PUT /api/v2/tickets/{OWN}"),
            format!("POST /api/v2/tickets/{OWN}/notes"),
            format!("DELETE /api/v2/tickets/{OWN}"),
        ]
    );
    // A deleted record is forgotten: the next call reads it again.
    let again = call(
        &service,
        "create_a_freshservice_ticket_note",
        json!({"ticket_id": OWN, "body": "Again"}),
    )
    .await;
    assert_ne!(again["isError"], true, "{again}");
    let requests = received(&mock).await;
    assert_eq!(
        requests[requests.len() - 2..],
        [
            format!("GET /api/v2/tickets/{OWN}"),
            format!("POST /api/v2/tickets/{OWN}/notes"),
        ]
    );
    let writes_to_other = requests
        .iter()
        .filter(|request| !request.starts_with("GET") && request.contains(&OTHER.to_string()))
        .count();
    assert_eq!(writes_to_other, 0, "{requests:?}");
}

#[tokio::test]
async fn a_check_is_read_first_when_nothing_is_remembered() {
    let mock = MockServer::start().await;
    mount_tickets(&mock).await;
    let service = scoped(&mock, vec![3]);
    let result = call(
        &service,
        "delete_a_freshservice_ticket_by_id",
        json!({"ticket_id": OTHER}),
    )
    .await;
    refusal(&result);
    assert_eq!(
        received(&mock).await,
        [format!("GET /api/v2/tickets/{OTHER}")]
    );

    // A missing record answers as the tool's own 404 would, and nothing else is sent.
    let missing = call(
        &service,
        "update_a_freshservice_ticket_by_id",
        json!({"ticket_id": 99, "priority": 4}),
    )
    .await;
    assert_eq!(missing["isError"], true, "{missing}");
    let text = missing["content"][0]["text"].as_str().unwrap();
    assert!(text.contains("HTTP 404"), "{text}");
    assert_eq!(
        received(&mock).await.last().unwrap(),
        "GET /api/v2/tickets/99"
    );

    // Conversations name no ticket: a scoped server cannot check them and refuses them.
    let conversation = call(
        &service,
        "update_a_freshservice_conversation_by_id",
        json!({"conversation_id": 5, "body": "edited"}),
    )
    .await;
    assert_eq!(conversation["isError"], true, "{conversation}");
    assert_eq!(received(&mock).await.len(), 2);
}

#[tokio::test]
async fn servers_of_other_scopes_and_unscoped_modules_are_unchanged() {
    let mock = MockServer::start().await;
    mount_tickets(&mock).await;
    Mock::given(method("GET"))
        .and(path("/api/v2/agents/7"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"agent": {"id": 7}})))
        .mount(&mock)
        .await;
    // The server of workspace 3 remembers ticket 40 as outside its scope …
    let three = scoped(&mock, vec![3]);
    refusal(
        &call(
            &three,
            "create_a_freshservice_ticket_note",
            json!({"ticket_id": OTHER, "body": "x"}),
        )
        .await,
    );
    // … which a server of workspaces 3 and 4 neither sees nor needs: it reads for itself.
    let both = scoped(&mock, vec![3, 4]);
    let note = call(
        &both,
        "create_a_freshservice_ticket_note",
        json!({"ticket_id": OTHER, "body": "x"}),
    )
    .await;
    assert_ne!(note["isError"], true, "{note}");
    // Agents have no workspace: one request, as without a scope; an unscoped server sends no
    // extra read either.
    let agent = call(
        &three,
        "get_single_freshservice_agent_by_id",
        json!({"agent_id": 7}),
    )
    .await;
    assert_ne!(agent["isError"], true, "{agent}");
    let free = scoped(&mock, vec![]);
    let other = call(
        &free,
        "get_single_freshservice_ticket_by_id",
        json!({"ticket_id": OTHER}),
    )
    .await;
    assert_eq!(other["structuredContent"]["ticket"]["workspace_id"], 4);
    assert_eq!(
        received(&mock).await,
        [
            format!("GET /api/v2/tickets/{OTHER}"),
            format!("GET /api/v2/tickets/{OTHER}"),
            format!("POST /api/v2/tickets/{OTHER}/notes"),
            "GET /api/v2/agents/7".to_owned(),
            format!("GET /api/v2/tickets/{OTHER}"),
        ]
    );
}
