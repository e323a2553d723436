//! `tools/call`: protocol errors versus `isError` results, the upstream exchange, rate-limit
//! `_meta`, and every kind of upstream failure ending in bounded time with actionable text.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use wiremock::matchers::{any, body_json, header, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

use crate::harness::{API_KEY, BASIC_CREDENTIALS, Options, Server, error_text, modern, text_of};

const GET_CHANGE: &str = "get_single_freshservice_change_by_id";
const LIST_CHANGES: &str = "list_all_freshservice_changes";
const UPDATE_CHANGE: &str = "update_a_freshservice_change_by_id";

#[tokio::test]
async fn unknown_tools_and_malformed_calls_are_json_rpc_errors() {
    // (params, text the message must contain)
    let trials = [
        (
            json!({"name": "no_such_tool", "arguments": {}}),
            "no_such_tool",
        ),
        (json!({"name": "delete_everything"}), "delete_everything"),
        (json!({"arguments": {}}), "name"),
        (json!({}), "name"),
        (json!({"name": 5}), ""),
        (json!({"name": LIST_CHANGES, "arguments": [1]}), ""),
        (json!({"name": LIST_CHANGES, "arguments": "page=2"}), ""),
    ];
    let mut server = Server::initialized().await;
    for (params, needle) in &trials {
        for params in [params.clone(), modern(params.clone())] {
            let error = server.error("tools/call", params.clone()).await;
            assert_eq!(error["code"], -32602, "{params}: {error}");
            let message = error["message"].as_str().unwrap();
            assert!(message.contains(needle), "{params}: {message}");
        }
    }
    assert!(server.mock.received_requests().await.unwrap().is_empty());
    server.close().await;
}

#[tokio::test]
async fn invalid_arguments_are_tool_errors_and_nothing_is_sent() {
    // (tool, arguments, the field the text must name)
    let trials = [
        (GET_CHANGE, json!({}), "change_id"),
        (GET_CHANGE, json!({"change_id": "abc"}), "change_id"),
        (GET_CHANGE, json!({"change_id": 0}), "change_id"),
        (GET_CHANGE, json!({"change_id": 1, "bogus": true}), "bogus"),
        (LIST_CHANGES, json!({"per_page": 500}), "per_page"),
        (LIST_CHANGES, json!({"page": "two"}), "page"),
        (
            UPDATE_CHANGE,
            json!({"change_id": 1, "subject": 5}),
            "subject",
        ),
    ];
    let mut server = Server::initialized().await;
    for (tool, arguments, field) in trials {
        for modern_era in [false, true] {
            let params = json!({"name": tool, "arguments": arguments});
            let params = if modern_era { modern(params) } else { params };
            let result = server.result("tools/call", params).await;
            let text = error_text(&result);
            assert!(text.contains(field), "{tool} {arguments}: {text}");
            assert!(text.contains(tool), "{text}");
            assert!(text.contains("nothing was sent"), "{text}");
            assert!(result.get("structuredContent").is_none(), "{result}");
        }
    }
    assert!(server.mock.received_requests().await.unwrap().is_empty());
    server.close().await;
}

#[tokio::test]
async fn a_successful_call_returns_the_body_with_rate_limit_meta() {
    let body = json!({"change": {"id": 42, "subject": "Upgrade the mail server", "status": 1}});
    for modern_era in [false, true] {
        let mut server = Server::initialized().await;
        Mock::given(method("GET"))
            .and(path("/api/v2/changes/42"))
            .and(header(
                "authorization",
                format!("Basic {BASIC_CREDENTIALS}").as_str(),
            ))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(&body)
                    .insert_header("X-Ratelimit-Total", "100")
                    .insert_header("X-Ratelimit-Remaining", "42")
                    .insert_header("X-Ratelimit-Used-CurrentRequest", "1"),
            )
            .expect(1)
            .mount(&server.mock)
            .await;
        let params = json!({"name": GET_CHANGE, "arguments": {"change_id": 42}});
        let params = if modern_era { modern(params) } else { params };
        let result = server.result("tools/call", params).await;
        assert!(
            result.get("isError").is_none() || result["isError"] == false,
            "{result}"
        );
        assert_eq!(result["structuredContent"], body);
        assert_eq!(result["content"][0]["type"], "text");
        let text: Value = serde_json::from_str(text_of(&result)).unwrap();
        assert_eq!(text, body);
        let meta = &result["_meta"];
        assert_eq!(meta["ratelimit-limit"], json!(100), "{meta}");
        assert_eq!(meta["ratelimit-remaining"], json!(42), "{meta}");
        assert!(meta["ratelimit-limit"].is_u64() && meta["ratelimit-remaining"].is_u64());
        if modern_era {
            assert_eq!(result["resultType"], "complete", "{result}");
            assert!(
                meta["io.modelcontextprotocol/serverInfo"].is_object(),
                "{meta}"
            );
        } else {
            assert!(result.get("resultType").is_none(), "{result}");
        }
        server.close().await;
    }
}

#[tokio::test]
async fn arguments_are_routed_to_path_query_and_body() {
    let mut server = Server::initialized().await;
    Mock::given(method("PUT"))
        .and(path("/api/v2/changes/7"))
        .and(body_json(json!({"subject": "Renamed", "priority": 2})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"change": {"id": 7}})))
        .expect(1)
        .mount(&server.mock)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/changes"))
        .and(query_param("per_page", "5"))
        .and(query_param("page", "3"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"changes": []})))
        .expect(1)
        .mount(&server.mock)
        .await;
    let updated = server
        .call_tool(
            UPDATE_CHANGE,
            json!({"change_id": 7, "subject": "Renamed", "priority": 2}),
        )
        .await;
    assert_eq!(
        updated["structuredContent"],
        json!({"change": {"id": 7}}),
        "{updated}"
    );
    let listed = server
        .call_tool(LIST_CHANGES, json!({"per_page": 5, "page": 3}))
        .await;
    assert_eq!(
        listed["structuredContent"],
        json!({"changes": []}),
        "{listed}"
    );
    server.close().await;
}

#[tokio::test]
async fn a_204_answer_is_a_success() {
    // The catalogue has no delete tool yet; any 204 (what Freshservice sends for deletes) must
    // read as success, not as an unparseable body.
    let mut server = Server::initialized().await;
    Mock::given(method("PUT"))
        .and(path("/api/v2/changes/9"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server.mock)
        .await;
    let result = server
        .call_tool(UPDATE_CHANGE, json!({"change_id": 9, "subject": "x"}))
        .await;
    assert!(result.get("isError").is_none(), "{result}");
    assert_eq!(
        result["structuredContent"],
        json!({"status": 204, "success": true})
    );
    server.close().await;
}

#[tokio::test]
async fn a_next_link_becomes_the_next_page_number() {
    let mut server = Server::initialized().await;
    let link = format!(
        "<{}/api/v2/changes?per_page=1&page=2>; rel=\"next\"",
        server.mock.uri()
    );
    Mock::given(method("GET"))
        .and(path("/api/v2/changes"))
        .and(query_param("page", "1"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"changes": [{"id": 1}]}))
                .insert_header("Link", link.as_str()),
        )
        .mount(&server.mock)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/changes"))
        .and(query_param("page", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"changes": [{"id": 2}]})))
        .mount(&server.mock)
        .await;
    let first = server
        .call_tool(LIST_CHANGES, json!({"per_page": 1, "page": 1}))
        .await;
    let structured = &first["structuredContent"];
    assert_eq!(structured["changes"], json!([{"id": 1}]), "{first}");
    assert_eq!(structured["next_page"], json!(2), "{first}");
    let text: Value = serde_json::from_str(text_of(&first)).unwrap();
    assert_eq!(&text, structured);
    // The value is usable as it is: it goes straight back in as the `page` argument.
    let next = structured["next_page"].clone();
    let second = server
        .call_tool(LIST_CHANGES, json!({"per_page": 1, "page": next}))
        .await;
    assert_eq!(
        second["structuredContent"],
        json!({"changes": [{"id": 2}]}),
        "the last page has no next_page: {second}"
    );
    server.close().await;
}

/// How an upstream failure is staged.
enum Upstream {
    Answer(ResponseTemplate),
    /// Nothing listens on the port.
    ClosedPort,
}

#[tokio::test]
async fn upstream_failures_are_actionable_tool_errors_in_bounded_time() {
    let validation = json!({
        "description": "Validation failed",
        "errors": [{"field": "subject", "message": "It should be a/an String", "code": "datatype_mismatch"}],
    });
    // (what upstream does, texts the error must contain, texts it must not contain)
    let trials: Vec<(Upstream, Vec<&str>, Vec<&str>)> = vec![
        (
            Upstream::Answer(ResponseTemplate::new(400).set_body_json(&validation)),
            vec![
                "400",
                "Validation failed",
                "subject",
                "It should be a/an String",
                "datatype_mismatch",
            ],
            vec![],
        ),
        (
            Upstream::Answer(ResponseTemplate::new(404)),
            vec!["404", "check the id"],
            vec![],
        ),
        (
            Upstream::Answer(ResponseTemplate::new(500).set_body_raw(
                "<html><body><h1>Internal Server Error</h1></body></html>",
                "text/html",
            )),
            vec!["500", "retrying later"],
            vec!["<html"],
        ),
        (
            Upstream::Answer(
                ResponseTemplate::new(200).set_body_raw("this is not json {", "application/json"),
            ),
            vec!["200", "not JSON", "base URL"],
            vec!["before Freshservice answered"],
        ),
        (
            Upstream::Answer(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"change": {}}))
                    .set_delay(Duration::from_secs(3)),
            ),
            vec!["300 ms"],
            vec![],
        ),
        (
            // Text that came back from the network is scrubbed of the key before it is shown.
            Upstream::Answer(ResponseTemplate::new(401).set_body_json(json!({
                "code": "invalid_credentials",
                "message": format!("Invalid API key {API_KEY}"),
            }))),
            vec!["401", "API key"],
            vec![],
        ),
        (
            Upstream::ClosedPort,
            vec!["could not talk to freshservice"],
            vec![],
        ),
    ];
    for (upstream, present, absent) in trials {
        let closed_port = match upstream {
            Upstream::ClosedPort => {
                let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
                let url = format!("http://{}", listener.local_addr().unwrap());
                drop(listener);
                Some(url)
            }
            Upstream::Answer(_) => None,
        };
        let options = Options {
            client_timeout: Duration::from_millis(300),
            base_url: closed_port,
            ..Options::default()
        };
        let mut server = Server::start_with(options).await;
        server.initialize("2025-11-25").await;
        if let Upstream::Answer(template) = upstream {
            Mock::given(any())
                .respond_with(template)
                .mount(&server.mock)
                .await;
        }
        let started = Instant::now();
        let result = server.call_tool(GET_CHANGE, json!({"change_id": 3})).await;
        let elapsed = started.elapsed();
        let text = error_text(&result);
        assert!(elapsed < Duration::from_secs(2), "took {elapsed:?}: {text}");
        assert!(text.contains(GET_CHANGE), "{text}");
        for needle in &present {
            assert!(text.contains(needle), "missing {needle:?} in: {text}");
        }
        for needle in &absent {
            assert!(!text.contains(needle), "unexpected {needle:?} in: {text}");
        }
        server.close().await;
    }
}

#[tokio::test]
async fn a_429_names_the_delay_and_is_not_retried() {
    let mut server = Server::initialized().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "37")
                .insert_header("X-Ratelimit-Total", "100")
                .insert_header("X-Ratelimit-Remaining", "0"),
        )
        .mount(&server.mock)
        .await;
    let result = server.call_tool(GET_CHANGE, json!({"change_id": 3})).await;
    let text = error_text(&result);
    assert!(text.contains("429"), "{text}");
    assert!(text.contains("37 seconds"), "{text}");
    assert_eq!(result["_meta"]["ratelimit-remaining"], json!(0), "{result}");
    assert_eq!(result["_meta"]["retry-after"], json!(37), "{result}");
    // Give a retry, were there one, time to arrive.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(server.mock.received_requests().await.unwrap().len(), 1);

    // A later call that never reaches Freshservice reports the last reading, but not its
    // delays: they were relative to a moment that has passed.
    let later = server
        .call_tool(GET_CHANGE, json!({"change_id": "abc"}))
        .await;
    error_text(&later);
    let meta = &later["_meta"];
    assert_eq!(meta["ratelimit-limit"], json!(100), "{later}");
    assert_eq!(meta["ratelimit-remaining"], json!(0), "{later}");
    assert!(meta.get("retry-after").is_none(), "stale delay: {meta}");
    assert!(meta.get("ratelimit-reset").is_none(), "stale reset: {meta}");
    assert_eq!(server.mock.received_requests().await.unwrap().len(), 1);
    server.close().await;
}
