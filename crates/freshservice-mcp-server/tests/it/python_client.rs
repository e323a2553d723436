//! The Python `mcp` client (2.x) against `freshservice-mcp stdio`, in its `legacy` and `auto`
//! modes, with wiremock standing in for Freshservice.

use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::harness::{API_KEY, expected_authorization, result_of, run_python_client, text_of};

fn with_rate_limit(template: ResponseTemplate, remaining: u32) -> ResponseTemplate {
    template
        .insert_header("X-Ratelimit-Total", "100")
        .insert_header("X-Ratelimit-Remaining", remaining.to_string().as_str())
        .insert_header("X-Ratelimit-Used-CurrentRequest", "1")
}

fn changes_body() -> Value {
    json!({"changes": [{"id": 7, "subject": "Upgrade the VPN", "status": 1, "priority": 2, "change_type": 2, "risk": 1}]})
}

fn tickets_body() -> Value {
    json!({"tickets": [{"id": 42, "subject": "Printer down", "priority": 3, "status": 2}], "total": 1})
}

async fn freshservice() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/changes"))
        .respond_with(with_rate_limit(
            ResponseTemplate::new(200).set_body_json(changes_body()),
            98,
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/tickets/filter"))
        .and(query_param("query", "\"priority:3 AND status:2\""))
        .respond_with(with_rate_limit(
            ResponseTemplate::new(200).set_body_json(tickets_body()),
            97,
        ))
        .mount(&server)
        .await;
    server
}

#[tokio::test(flavor = "multi_thread")]
async fn python_client_lists_every_tool_and_calls_in_both_modes() {
    let catalogue_size = freshservice_schema::catalog().operations().len();
    for (mode, expected_protocol) in [("legacy", "2025-11-25"), ("auto", "2026-07-28")] {
        let server = freshservice().await;
        let calls = json!([
            {"name": "list_all_freshservice_changes", "arguments": {"per_page": 10, "page": 1}},
            {"name": "freshservice_tickets_filter", "arguments": {"query": "priority:3 AND status:2"}},
        ]);
        // A small page size makes the client follow nextCursor several times.
        let run = run_python_client(
            mode,
            &server,
            calls,
            &["--tools-page-size", "4", "--tool-exposure", "all"],
        )
        .await;
        let report = &run.report;

        assert_eq!(
            report["protocol"], expected_protocol,
            "{mode}: {report}\n{}",
            run.stderr
        );
        let tools = report["tools"].as_array().unwrap();
        assert_eq!(
            tools.len(),
            catalogue_size,
            "{mode}: every tool listed once"
        );
        assert!(
            report["pages"].as_u64().unwrap() >= 2,
            "{mode}: the client followed nextCursor"
        );
        let mut names: Vec<&str> = tools.iter().filter_map(Value::as_str).collect();
        names.dedup();
        assert_eq!(
            names.len(),
            catalogue_size,
            "{mode}: no tool repeated across pages"
        );

        let changes = result_of(report, "list_all_freshservice_changes");
        assert_ne!(changes["isError"], true, "{mode}: {changes}");
        assert_eq!(changes["structuredContent"], changes_body(), "{mode}");
        assert_eq!(
            changes["_meta"]["ratelimit-limit"], 100,
            "{mode}: {changes}"
        );
        assert_eq!(
            changes["_meta"]["ratelimit-remaining"], 98,
            "{mode}: {changes}"
        );

        let tickets = result_of(report, "freshservice_tickets_filter");
        assert_ne!(tickets["isError"], true, "{mode}: {tickets}");
        assert_eq!(tickets["structuredContent"], tickets_body(), "{mode}");

        let received = server.received_requests().await.unwrap();
        assert_eq!(
            received.len(),
            2,
            "{mode}: exactly the two calls reached Freshservice"
        );
        for request in &received {
            assert_eq!(
                request
                    .headers
                    .get("authorization")
                    .unwrap()
                    .to_str()
                    .unwrap(),
                expected_authorization(),
                "{mode}: Basic auth with the API key"
            );
        }
        let changes_request = &received[0];
        assert_eq!(changes_request.url.path(), "/api/v2/changes");
        let mut pairs: Vec<(String, String)> = changes_request
            .url
            .query_pairs()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        pairs.sort();
        assert_eq!(
            pairs,
            vec![
                ("page".into(), "1".into()),
                ("per_page".into(), "10".into())
            ],
            "{mode}"
        );

        let filter_request = &received[1];
        assert_eq!(filter_request.url.path(), "/api/v2/tickets/filter");
        assert_eq!(
            filter_request.url.query(),
            Some("query=%22priority%3A3%20AND%20status%3A2%22"),
            "{mode}: the filter is wrapped in double quotes and URL-encoded"
        );
        assert!(
            !run.stderr.contains(API_KEY),
            "{mode}: the API key leaked into the server's stderr"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn rate_limited_call_is_an_error_result_without_retry() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/changes"))
        .respond_with(
            with_rate_limit(ResponseTemplate::new(429), 0)
                .insert_header("Retry-After", "37")
                .set_body_json(
                    json!({"message": "You have exceeded the limit of requests per minute"}),
                ),
        )
        .expect(1)
        .mount(&server)
        .await;
    let calls = json!([{"name": "list_all_freshservice_changes", "arguments": {}}]);
    let run = run_python_client("legacy", &server, calls, &[]).await;
    let result = result_of(&run.report, "list_all_freshservice_changes");

    assert_eq!(result["isError"], true, "{result}");
    let text = text_of(result);
    assert!(
        text.contains("429") && text.contains("37 seconds"),
        "{text}"
    );
    assert_eq!(result["_meta"]["ratelimit-remaining"], 0, "{result}");
    assert_eq!(result["_meta"]["ratelimit-limit"], 100, "{result}");
    assert_eq!(result["_meta"]["retry-after"], 37, "{result}");
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        1,
        "no retry happened"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_arguments_never_reach_freshservice() {
    let server = MockServer::start().await;
    let calls = json!([
        {"name": "update_a_freshservice_change_by_id", "arguments": {"change_id": "seven", "subject": "x"}},
        {"name": "create_a_freshservice_change", "arguments": {"subject": "No requester"}},
        {"name": "list_all_freshservice_changes", "arguments": {"bogus_field": 1}},
        {"name": "get_single_freshservice_asset_by_id", "arguments": {"display_id": "../x"}},
        {"name": "get_single_freshservice_ticket_by_id", "arguments": {"ticket_id": "1/2"}},
    ]);
    let run = run_python_client("auto", &server, calls, &[]).await;
    let expectations = [
        ("update_a_freshservice_change_by_id", "change_id"),
        ("create_a_freshservice_change", "description"),
        ("list_all_freshservice_changes", "bogus_field"),
        ("get_single_freshservice_asset_by_id", "display_id"),
        ("get_single_freshservice_ticket_by_id", "ticket_id"),
    ];
    for (name, field) in expectations {
        let result = result_of(&run.report, name);
        assert_eq!(result["isError"], true, "{name}: {result}");
        let text = text_of(result);
        assert!(text.contains(field), "{name} should name {field}: {text}");
        assert!(text.contains("nothing was sent"), "{name}: {text}");
    }
    assert!(
        server.received_requests().await.unwrap().is_empty(),
        "invalid calls reached Freshservice"
    );
}
