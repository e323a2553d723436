//! Log notifications: only when the client asked for them (legacy `logging/setLevel`, modern
//! `_meta` logLevel), at or above the requested level, and always before the response.

use std::time::Duration;

use serde_json::{Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, ResponseTemplate};

use crate::harness::{Server, error_text, modern, modern_at_level};

const GET_CHANGE: &str = "get_single_freshservice_change_by_id";

/// Sends a request and returns every notification that came before its response, and the response.
async fn exchange(server: &mut Server, params: Value) -> (Vec<Value>, Value) {
    let id = server.send_request("tools/call", params).await;
    let mut before = Vec::new();
    loop {
        let message = server.recv().await;
        if message.get("id") == Some(&json!(id)) {
            // Nothing for this request may follow its response.
            server.expect_silence(Duration::from_millis(100)).await;
            return (before, message);
        }
        assert!(message.get("method").is_some(), "unexpected {message}");
        before.push(message);
    }
}

fn check_warning(notifications: &[Value], context: &str) {
    assert_eq!(notifications.len(), 1, "{context}: {notifications:?}");
    let notification = &notifications[0];
    assert_eq!(notification["method"], "notifications/message", "{context}");
    assert_eq!(notification["params"]["level"], "warning", "{context}");
    assert_eq!(
        notification["params"]["data"]["tool"], GET_CHANGE,
        "{context}"
    );
    assert!(
        notification["params"]["data"]["message"]
            .as_str()
            .unwrap()
            .contains("change_id"),
        "{context}: {notification}"
    );
}

#[tokio::test]
async fn legacy_set_level_controls_log_notifications() {
    // (level set with logging/setLevel, whether a failing call logs a warning)
    let trials = [
        (None, false),
        (Some("debug"), true),
        (Some("warning"), true),
        (Some("error"), false),
        (Some("emergency"), false),
    ];
    for (level, expected) in trials {
        let mut server = Server::initialized().await;
        if let Some(level) = level {
            server
                .result("logging/setLevel", json!({"level": level}))
                .await;
        }
        let failing = json!({"name": GET_CHANGE, "arguments": {"change_id": "abc"}});
        let (before, response) = exchange(&mut server, failing).await;
        error_text(&response["result"]);
        if expected {
            check_warning(&before, &format!("{level:?}"));
        } else {
            assert!(before.is_empty(), "{level:?}: {before:?}");
        }
        server.close().await;
    }
}

#[tokio::test]
async fn an_upstream_failure_is_logged_and_a_success_is_not() {
    let mut server = Server::initialized().await;
    server
        .result("logging/setLevel", json!({"level": "debug"}))
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"change": {"id": 1}})))
        .up_to_n_times(1)
        .mount(&server.mock)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(404))
        .mount(&server.mock)
        .await;
    let call = json!({"name": GET_CHANGE, "arguments": {"change_id": 1}});
    let (before, response) = exchange(&mut server, call.clone()).await;
    assert!(response["result"].get("isError").is_none(), "{response}");
    assert!(before.is_empty(), "a success logged {before:?}");
    let (before, response) = exchange(&mut server, call).await;
    assert!(error_text(&response["result"]).contains("404"));
    assert_eq!(before.len(), 1, "{before:?}");
    assert_eq!(before[0]["params"]["level"], "warning");
    assert!(
        before[0]["params"]["data"]["message"]
            .as_str()
            .unwrap()
            .contains("404")
    );
    server.close().await;
}

#[tokio::test]
async fn modern_log_level_is_per_request() {
    let failing = json!({"name": GET_CHANGE, "arguments": {"change_id": "abc"}});
    // (params, whether a warning is logged)
    let trials = [
        (modern(failing.clone()), false),
        (modern_at_level(failing.clone(), "warning"), true),
        (modern_at_level(failing.clone(), "info"), true),
        (modern_at_level(failing.clone(), "error"), false),
    ];
    let mut server = Server::start().await;
    for (params, expected) in trials {
        let context = params["_meta"].to_string();
        let (before, response) = exchange(&mut server, params).await;
        error_text(&response["result"]);
        if expected {
            check_warning(&before, &context);
        } else {
            assert!(before.is_empty(), "{context}: {before:?}");
        }
    }
    // A legacy level does not leak into modern requests, nor the other way round.
    server.initialize("2025-11-25").await;
    server
        .result("logging/setLevel", json!({"level": "debug"}))
        .await;
    let (before, _) = exchange(&mut server, modern(failing.clone())).await;
    assert!(before.is_empty(), "{before:?}");
    let (before, _) = exchange(&mut server, failing).await;
    check_warning(&before, "legacy after setLevel");
    server.close().await;
}
