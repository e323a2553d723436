//! Account-aware schemas: the account's form fields, read from the (mock) Freshservice in the
//! background, shape the ticket tools; a session that listed the tools hears when they change;
//! an account that will not show its fields keeps the documented, extensible schemas.

use std::time::Duration;

use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::harness::{Options, Server};

/// The ticket form fields of an account with a custom status (6), a custom source (1008) and a
/// required custom dropdown, in the shape `GET /api/v2/ticket_form_fields` answers.
fn ticket_fields(statuses: &[(i64, &str)]) -> Value {
    let status_choices: Vec<Value> = statuses
        .iter()
        .map(|(id, label)| json!({"id": id, "value": label}))
        .collect();
    json!({"ticket_fields": [
        {"id": 1, "name": "status", "label": "Status", "field_type": "default_status",
         "default_field": true, "required_for_agents": true, "choices": status_choices,
         "nested_fields": [], "workspace_id": 1},
        {"id": 2, "name": "source", "label": "Source", "field_type": "default_source",
         "default_field": true, "required_for_agents": false,
         "choices": [{"id": 1, "value": "Email"}, {"id": 2, "value": "Portal"}, {"id": 3, "value": "Phone"},
                     {"id": 1008, "value": "Microsoft Teams"}],
         "nested_fields": [], "workspace_id": 1},
        {"id": 3, "name": "business_impact", "label": "Business impact", "field_type": "custom_dropdown",
         "default_field": false, "required_for_agents": true,
         "choices": [{"id": 11, "value": "Low"}, {"id": 12, "value": "High"}],
         "nested_fields": [], "workspace_id": 2}
    ]})
}

const DEFAULT_STATUSES: [(i64, &str); 5] = [
    (2, "Open"),
    (3, "Pending"),
    (4, "Resolved"),
    (5, "Closed"),
    (6, "Awaiting Vendor"),
];

async fn start(ttl: Duration) -> Server {
    Server::start_with(Options {
        account_ttl: Some(ttl),
        ..Options::default()
    })
    .await
}

async fn mount_fields(server: &Server, body: Value, delay: Duration) {
    Mock::given(method("GET"))
        .and(path("/api/v2/ticket_form_fields"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(body)
                .set_delay(delay),
        )
        .mount(&server.mock)
        .await;
}

/// Sends a request and reads until its response, returning the notifications that came first.
async fn exchange(server: &mut Server, method: &str, params: Value) -> (Vec<Value>, Value) {
    let id = server.send_request(method, params).await;
    let mut before = Vec::new();
    loop {
        let message = server.recv().await;
        if message["id"] == id {
            return (before, message["result"].clone());
        }
        before.push(message);
    }
}

async fn create_ticket_schema(server: &mut Server) -> Value {
    let (_, listed) = exchange(server, "tools/list", json!({})).await;
    listed["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|tool| tool["name"] == "create_a_freshservice_ticket")
        .unwrap()["inputSchema"]
        .clone()
}

fn is_list_changed(message: &Value) -> bool {
    message["method"] == "notifications/tools/list_changed"
}

#[tokio::test]
async fn the_accounts_fields_shape_the_ticket_tools_and_the_client_is_told() {
    let mut server = start(Duration::from_secs(3600)).await;
    // Slow enough that the first listing is served before the fields arrive.
    mount_fields(
        &server,
        ticket_fields(&DEFAULT_STATUSES),
        Duration::from_millis(300),
    )
    .await;
    let initialized = server.initialize("2025-11-25").await;
    assert_eq!(
        initialized["capabilities"]["tools"]["listChanged"], true,
        "{initialized}"
    );

    // First listing: the documented schema, whose status stays open to the account's codes.
    let documented = create_ticket_schema(&mut server).await;
    assert!(documented["properties"]["status"].get("enum").is_none());

    // Then the fields arrive and the session is told, unprompted.
    let told = server.recv_within(Duration::from_secs(5)).await;
    assert!(
        told.as_ref().is_some_and(is_list_changed),
        "expected list_changed, got {told:?}"
    );
    let shaped = create_ticket_schema(&mut server).await;
    let status = &shaped["properties"]["status"];
    assert_eq!(status["enum"], json!([2, 3, 4, 5, 6]), "{status}");
    assert!(
        status["description"]
            .as_str()
            .unwrap()
            .contains("6 Awaiting Vendor")
    );
    let source = &shaped["properties"]["source"];
    assert!(
        source["enum"].as_array().unwrap().contains(&json!(1008)),
        "{source}"
    );
    let custom = &shaped["properties"]["custom_fields"];
    assert_eq!(
        custom["properties"]["business_impact"]["enum"],
        json!(["Low", "High"]),
        "{custom}"
    );
    assert_eq!(custom["required"], json!(["business_impact"]), "{custom}");

    // Calls follow the same schema: a value outside the choices and a missing required field
    // are refused before anything is sent.
    for (custom_fields, expected) in [
        (json!({"business_impact": "Huge"}), "business_impact"),
        (json!({}), "business_impact"),
    ] {
        let (_, refused) = exchange(
            &mut server,
            "tools/call",
            json!({"name": "create_a_freshservice_ticket", "arguments": {
                "subject": "Printer", "description": "Jammed", "status": 6, "priority": 1,
                "source": 1008, "email": "a@b.co", "custom_fields": custom_fields,
            }}),
        )
        .await;
        assert_eq!(refused["isError"], true, "{refused}");
        let text = refused["content"][0]["text"].as_str().unwrap();
        assert!(text.contains(expected), "{text}");
    }
    let writes = server
        .mock
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|request| request.method.as_str() == "POST")
        .count();
    assert_eq!(writes, 0, "a refused call reached Freshservice");
    server.close().await;
}

#[tokio::test]
async fn an_account_that_hides_its_fields_keeps_the_documented_extensible_schemas() {
    let mut server = start(Duration::from_secs(3600)).await;
    Mock::given(method("GET"))
        .and(path("/api/v2/ticket_form_fields"))
        .respond_with(ResponseTemplate::new(403).set_body_json(
            json!({"code": "access_denied", "message": "You are not authorized to perform this action."}),
        ))
        .mount(&server.mock)
        .await;
    Mock::given(method("PUT"))
        .and(path("/api/v2/tickets/42"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"ticket": {"id": 42, "status": 9}})),
        )
        .expect(1)
        .mount(&server.mock)
        .await;
    server.initialize("2025-11-25").await;
    let schema = create_ticket_schema(&mut server).await;
    // Give the background read time to be refused, then look again: nothing changed.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let again = create_ticket_schema(&mut server).await;
    assert_eq!(schema, again);
    let status = &again["properties"]["status"];
    assert!(status.get("enum").is_none(), "{status}");
    let described = status["description"].as_str().unwrap();
    assert!(
        described.contains("2 Open") && described.contains("5 Closed"),
        "{described}"
    );

    let (notes, updated) = exchange(
        &mut server,
        "tools/call",
        json!({"name": "update_a_freshservice_ticket_by_id", "arguments": {"ticket_id": 42, "status": 9}}),
    )
    .await;
    assert_ne!(updated["isError"], true, "{updated}");
    assert!(!notes.iter().any(is_list_changed), "{notes:?}");
    server.close().await;
}

#[tokio::test]
async fn a_change_on_the_account_is_seen_after_the_time_to_live() {
    let ttl = Duration::from_millis(700);
    let mut server = start(ttl).await;
    mount_fields(
        &server,
        ticket_fields(&DEFAULT_STATUSES),
        Duration::from_millis(0),
    )
    .await;
    server.initialize("2025-11-25").await;
    // Wait for the first profile (told or listed already shaped).
    let mut schema = create_ticket_schema(&mut server).await;
    for _ in 0..20 {
        if schema["properties"]["status"]["enum"].is_array() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        while server
            .recv_within(Duration::from_millis(10))
            .await
            .is_some()
        {}
        schema = create_ticket_schema(&mut server).await;
    }
    assert_eq!(
        schema["properties"]["status"]["enum"],
        json!([2, 3, 4, 5, 6])
    );

    // The account adds a status.
    server.mock.reset().await;
    let mut statuses = DEFAULT_STATUSES.to_vec();
    statuses.push((7, "On Hold"));
    mount_fields(&server, ticket_fields(&statuses), Duration::from_millis(0)).await;
    tokio::time::sleep(ttl + Duration::from_millis(100)).await;
    // Any request after the time-to-live starts a read; its result is announced.
    let (_, _) = exchange(&mut server, "ping", json!({})).await;
    let told = server.recv_within(Duration::from_secs(5)).await;
    assert!(
        told.as_ref().is_some_and(is_list_changed),
        "expected list_changed, got {told:?}"
    );
    let schema = create_ticket_schema(&mut server).await;
    assert_eq!(
        schema["properties"]["status"]["enum"],
        json!([2, 3, 4, 5, 6, 7])
    );
    server.close().await;
}
