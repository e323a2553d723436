//! Shutdown: closing the input ends `serve_io`, after in-flight calls are answered.

use std::time::Duration;

use serde_json::json;
use wiremock::matchers::any;
use wiremock::{Mock, ResponseTemplate};

use crate::harness::Server;

#[tokio::test]
async fn closing_the_input_ends_serve_io() {
    let mut server = Server::start().await;
    assert_eq!(server.result("ping", json!({})).await, json!({}));
    let (elapsed, rest) = server.close().await;
    assert!(elapsed < Duration::from_secs(2), "took {elapsed:?}");
    assert!(rest.is_empty(), "{rest:?}");
}

#[tokio::test]
async fn closing_the_input_of_an_idle_server_ends_serve_io() {
    let server = Server::start().await;
    let (elapsed, rest) = server.close().await;
    assert!(elapsed < Duration::from_secs(2), "took {elapsed:?}");
    assert!(rest.is_empty(), "{rest:?}");
}

#[tokio::test]
async fn an_in_flight_call_is_answered_before_serve_io_returns() {
    let mut server = Server::initialized().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"change": {"id": 5}}))
                .set_delay(Duration::from_millis(500)),
        )
        .mount(&server.mock)
        .await;
    let id = server
        .send_request(
            "tools/call",
            json!({"name": "get_single_freshservice_change_by_id", "arguments": {"change_id": 5}}),
        )
        .await;
    // A partial line at the end of the input is served too.
    server
        .send_bytes(b"{\"jsonrpc\":\"2.0\",\"id\":\"last\",\"method\":\"ping\"}")
        .await;
    let (elapsed, rest) = server.close().await;
    assert!(elapsed < Duration::from_secs(4), "took {elapsed:?}");
    let ids: Vec<_> = rest.iter().map(|message| message["id"].clone()).collect();
    assert_eq!(ids.len(), 2, "{rest:?}");
    assert!(ids.contains(&json!("last")), "{rest:?}");
    let call = rest
        .iter()
        .find(|message| message["id"] == id)
        .unwrap_or_else(|| panic!("no answer to the call: {rest:?}"));
    assert_eq!(
        call["result"]["structuredContent"]["change"]["id"], 5,
        "{call}"
    );
}
