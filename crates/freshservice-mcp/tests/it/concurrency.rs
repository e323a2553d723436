//! Requests run concurrently: pipelined requests each get one response, a slow call blocks
//! nothing, cancelled calls stay silent, and an id cannot be reused while it is in flight.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use freshservice_mcp::serve_io;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::harness::{Options, READ_TIMEOUT, Server, check_line, service};

const GET_CHANGE: &str = "get_single_freshservice_change_by_id";

/// Mounts a `GET /api/v2/changes/{id}` that answers after `delay`.
async fn slow_change(server: &Server, id: u64, delay: Duration) {
    Mock::given(method("GET"))
        .and(path(format!("/api/v2/changes/{id}")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"change": {"id": id}}))
                .set_delay(delay),
        )
        .mount(&server.mock)
        .await;
}

fn call(id: i64, change_id: u64) -> serde_json::Value {
    json!({
        "jsonrpc": "2.0",
        "id": id,
        "method": "tools/call",
        "params": {"name": GET_CHANGE, "arguments": {"change_id": change_id}},
    })
}

// `serve_io` runs in the test's own future, which `block_on` drives outside the worker threads,
// as `#[tokio::main]` does for the real binary. Tasks it spawns then go to the shared queue, so a
// worker can run a ping to completion while the reader is still registering it: the race in
// which that finished task found itself unregistered and dropped its response.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pipelined_pings_each_get_exactly_one_response() {
    const ROUNDS: usize = 20;
    const PINGS: usize = 50;
    let mock = MockServer::start().await;
    let service = service(Options::default(), &mock);
    let (mut input, server_in) = tokio::io::duplex(64 * 1024);
    let (server_out, output) = tokio::io::duplex(64 * 1024);
    let client = tokio::spawn(async move {
        let mut output = BufReader::new(output);
        for round in 0..ROUNDS {
            let mut batch = String::new();
            for id in 1..=PINGS {
                batch.push_str(&format!(
                    "{{\"jsonrpc\":\"2.0\",\"id\":\"r{round}-{id}\",\"method\":\"ping\"}}\n"
                ));
            }
            input.write_all(batch.as_bytes()).await.unwrap();
            let mut seen: HashMap<String, usize> = HashMap::new();
            for _ in 0..PINGS {
                let mut line = String::new();
                let read = tokio::time::timeout(READ_TIMEOUT, output.read_line(&mut line))
                    .await
                    .unwrap_or_else(|_| {
                        let missing: Vec<String> = (1..=PINGS)
                            .map(|id| format!("r{round}-{id}"))
                            .filter(|id| !seen.contains_key(id))
                            .collect();
                        panic!("no response to {missing:?}")
                    })
                    .unwrap();
                assert!(read > 0, "the server closed its output");
                let response = check_line(&line);
                assert_eq!(response["result"], json!({}), "{response}");
                *seen
                    .entry(response["id"].as_str().unwrap().to_owned())
                    .or_default() += 1;
            }
            for id in 1..=PINGS {
                assert_eq!(
                    seen.get(&format!("r{round}-{id}")),
                    Some(&1),
                    "round {round}"
                );
            }
        }
        drop(input);
        let mut rest = String::new();
        output.read_to_string(&mut rest).await.unwrap();
        assert_eq!(rest, "", "messages after the last response");
    });
    let served = tokio::time::timeout(
        Duration::from_secs(30),
        serve_io(service, server_in, server_out),
    )
    .await
    .expect("serve_io did not end after its input closed");
    served.unwrap();
    client.await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_call_does_not_block_a_later_ping() {
    let mut server = Server::initialized().await;
    slow_change(&server, 1, Duration::from_secs(2)).await;
    server.send(&call(100, 1)).await;
    let started = Instant::now();
    server
        .send(&json!({"jsonrpc": "2.0", "id": 101, "method": "ping"}))
        .await;
    let first = server.recv().await;
    assert_eq!(
        first["id"], 101,
        "the ping must not wait for the call: {first}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    let second = server.recv().await;
    assert_eq!(second["id"], 100, "{second}");
    assert_eq!(
        second["result"]["structuredContent"]["change"]["id"], 1,
        "{second}"
    );
    server.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_call_never_gets_a_response() {
    let mut server = Server::initialized().await;
    slow_change(&server, 1, Duration::from_secs(2)).await;
    server.send(&call(200, 1)).await;
    // Let the request reach the mock, so the cancellation interrupts real work.
    tokio::time::sleep(Duration::from_millis(300)).await;
    server
        .notify(
            "notifications/cancelled",
            json!({"requestId": 200, "reason": "user gave up"}),
        )
        .await;
    assert_eq!(server.result("ping", json!({})).await, json!({}));
    // Past the upstream delay: the call's response would have arrived by now.
    server.expect_silence(Duration::from_millis(2500)).await;
    assert_eq!(server.mock.received_requests().await.unwrap().len(), 1);
    // The id is free again and the server still serves calls.
    slow_change(&server, 2, Duration::ZERO).await;
    server.send(&call(200, 2)).await;
    let response = server.recv().await;
    assert_eq!(response["id"], 200, "{response}");
    assert_eq!(
        response["result"]["structuredContent"]["change"]["id"], 2,
        "{response}"
    );
    server.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_duplicate_in_flight_id_is_refused() {
    let mut server = Server::initialized().await;
    slow_change(&server, 1, Duration::from_millis(800)).await;
    server.send(&call(7, 1)).await;
    server
        .send(&json!({"jsonrpc": "2.0", "id": 7, "method": "ping"}))
        .await;
    let refused = server.recv().await;
    assert_eq!(refused["id"], 7, "{refused}");
    assert_eq!(refused["error"]["code"], -32600, "{refused}");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("in flight"),
        "{refused}"
    );
    let original = server.recv().await;
    assert_eq!(original["id"], 7, "{original}");
    assert_eq!(
        original["result"]["structuredContent"]["change"]["id"], 1,
        "{original}"
    );
    // Once answered, the id may be used again.
    server
        .send(&json!({"jsonrpc": "2.0", "id": 7, "method": "ping"}))
        .await;
    assert_eq!(
        server.recv().await,
        json!({"jsonrpc": "2.0", "id": 7, "result": {}})
    );
    server.close().await;
}
