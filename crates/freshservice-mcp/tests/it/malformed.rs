//! Bad input: every broken line gets an error (or nothing, for blank lines) and the server
//! keeps serving the lines after it.

use std::time::Duration;

use freshservice_mcp::MAX_LINE_BYTES;
use serde_json::{Value, json};

use crate::harness::Server;

/// Sends `line` and checks the error it gets, then checks that a `ping` still works.
async fn check(server: &mut Server, line: &[u8], code: i64, id: Value) {
    server.send_bytes(line).await;
    let response = server.recv().await;
    let shown = String::from_utf8_lossy(line);
    assert_eq!(response["jsonrpc"], "2.0", "{shown}: {response}");
    assert_eq!(response["error"]["code"], code, "{shown}: {response}");
    assert!(
        response["error"]["message"]
            .as_str()
            .is_some_and(|message| !message.is_empty()),
        "{shown}: {response}"
    );
    assert_eq!(response["id"], id, "{shown}: {response}");
    assert!(response.get("result").is_none(), "{shown}: {response}");
    let pong = server.result("ping", json!({})).await;
    assert_eq!(pong, json!({}), "ping after {shown}");
}

#[tokio::test]
async fn malformed_lines_get_errors_and_the_server_keeps_serving() {
    let trials: &[(&[u8], i64, Value)] = &[
        (b"not json\n", -32700, Value::Null),
        (
            b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\n",
            -32700,
            Value::Null,
        ),
        (
            b"[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]\n",
            -32600,
            Value::Null,
        ),
        (b"[]\n", -32600, Value::Null),
        (
            b"{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}\n",
            -32600,
            Value::Null,
        ),
        (
            b"{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"ping\",\"params\":[1]}\n",
            -32600,
            json!(5),
        ),
        (
            b"{\"jsonrpc\":\"2.0\",\"id\":\"p\",\"method\":\"ping\",\"params\":\"x\"}\n",
            -32600,
            json!("p"),
        ),
        (
            b"{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"p\xffing\"}\n",
            -32700,
            Value::Null,
        ),
        (b"\xfe\xff\n", -32700, Value::Null),
        (
            b"{\"jsonrpc\":\"1.0\",\"id\":\"v\",\"method\":\"ping\"}\n",
            -32600,
            json!("v"),
        ),
        (b"{\"id\":6,\"method\":\"ping\"}\n", -32600, Value::Null),
        (b"42\n", -32600, Value::Null),
        (
            b"{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"ping\"}\n",
            -32600,
            Value::Null,
        ),
        (
            b"{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":3}\n",
            -32600,
            json!(7),
        ),
    ];
    let mut server = Server::start().await;
    for (line, code, id) in trials {
        check(&mut server, line, *code, id.clone()).await;
    }
    server.close().await;
}

#[tokio::test]
async fn an_oversized_line_is_refused_and_the_next_line_is_served() {
    let mut server = Server::start().await;
    // A request that would be valid but for its size, so only the size can be at fault.
    let padding = "a".repeat(MAX_LINE_BYTES);
    let huge = format!(
        "{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{{\"pad\":\"{padding}\"}}}}\n"
    );
    check(&mut server, huge.as_bytes(), -32600, Value::Null).await;
    // Oversized twice in a row, then a request in the same write: the skip ends at the newline.
    let mut both = huge.clone().into_bytes();
    both.extend_from_slice(b"{\"jsonrpc\":\"2.0\",\"id\":\"after\",\"method\":\"ping\"}\n");
    server.send_bytes(&both).await;
    let refused = server.recv().await;
    assert_eq!(refused["error"]["code"], -32600, "{refused}");
    let pong = server.recv().await;
    assert_eq!(pong, json!({"jsonrpc": "2.0", "id": "after", "result": {}}));
    server.close().await;
}

#[tokio::test]
async fn blank_lines_are_ignored_and_crlf_is_accepted() {
    let mut server = Server::start().await;
    server.send_bytes(b"\n\n   \n\t\r\n\r\n").await;
    server.expect_silence(Duration::from_millis(200)).await;
    server
        .send_bytes(b"{\"jsonrpc\":\"2.0\",\"id\":\"crlf\",\"method\":\"ping\"}\r\n")
        .await;
    assert_eq!(
        server.recv().await,
        json!({"jsonrpc": "2.0", "id": "crlf", "result": {}})
    );
    server.close().await;
}

#[tokio::test]
async fn notifications_and_client_responses_get_no_answer() {
    let mut server = Server::start().await;
    for line in [
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        json!({"jsonrpc": "2.0", "method": "notifications/no_such_thing", "params": {}}),
        json!({"jsonrpc": "2.0", "method": "tools/list"}),
        json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 999}}),
        json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"bogus": true}}),
        json!({"jsonrpc": "2.0", "id": 99, "result": {}}),
        json!({"jsonrpc": "2.0", "id": 98, "error": {"code": -1, "message": "client side"}}),
    ] {
        server.send(&line).await;
    }
    server.expect_silence(Duration::from_millis(300)).await;
    assert_eq!(server.result("ping", json!({})).await, json!({}));
    server.close().await;
}
