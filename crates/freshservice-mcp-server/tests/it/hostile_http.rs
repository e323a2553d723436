//! Hostile clients against `serve`'s HTTP side, over raw TCP so nothing tidies the bytes up: an
//! oversized body, invalid UTF-8, 100 000 nested brackets, 10 000 headers, headers dribbled a
//! byte per second (slowloris) and a body dribbled past the read timeout. Each is refused with
//! the right status within a bounded time, and a normal call works after each.

use std::time::{Duration, Instant};

use freshservice_sandbox::Sandbox;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::serve_harness::{Serve, temp_db};

/// hyper's default limit on a request's headers, which `serve` keeps.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
const BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);
const SLACK: Duration = Duration::from_secs(5);

struct Target {
    address: String,
    path: String,
}

impl Target {
    fn head(&self, content_length: usize, extra: &str) -> String {
        format!(
            "POST {} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: {content_length}\r\nConnection: close\r\n{extra}\r\n",
            self.path, self.address
        )
    }

    /// Sends `head` then `body` at once; returns (status, whole answer).
    async fn send(&self, head: &str, body: &[u8]) -> (u16, String) {
        let mut stream = TcpStream::connect(&self.address).await.unwrap();
        // The server may answer and close before it has read everything (413 on the declared
        // length), so a failed write is not the test's concern; the answer is.
        let _ = stream.write_all(head.as_bytes()).await;
        let _ = stream.write_all(body).await;
        read_answer(&mut stream, Duration::from_secs(30)).await
    }

    /// A normal `tools/call` in the stateless era; panics unless it succeeds.
    async fn assert_serving(&self, after: &str) {
        let body = json!({"jsonrpc": "2.0", "id": 42, "method": "tools/call", "params": {
            "name": "get_single_freshservice_change_by_id",
            "arguments": {"change_id": 1},
            "_meta": {
                "io.modelcontextprotocol/protocolVersion": "2026-07-28",
                "io.modelcontextprotocol/clientCapabilities": {},
            },
        }})
        .to_string();
        let head = self.head(
            body.len(),
            "MCP-Protocol-Version: 2026-07-28\r\nMcp-Method: tools/call\r\nMcp-Name: get_single_freshservice_change_by_id\r\n",
        );
        let (status, answer) = self.send(&head, body.as_bytes()).await;
        assert_eq!(status, 200, "after {after}: {answer}");
        assert!(
            answer.contains("Primary Database Failover"),
            "after {after}: {answer}"
        );
    }
}

/// Reads until the server closes (or `limit` passes); returns the status and the text.
async fn read_answer(stream: &mut TcpStream, limit: Duration) -> (u16, String) {
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(limit, stream.read_to_end(&mut answer)).await;
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|status| status.parse().ok())
        .unwrap_or(0);
    (status, text)
}

fn json_body(answer: &str) -> Value {
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
    serde_json::from_str(body).unwrap_or(Value::Null)
}

async fn start() -> (Sandbox, Serve, Target) {
    let sandbox = Sandbox::start().await;
    let serve = Serve::start(&temp_db("hostile"), &[]);
    let account = serve
        .create_account(&sandbox.uri(), sandbox.api_key())
        .await;
    let created = serve
        .create_server(&account, json!({"name": "Hostile"}))
        .await;
    let url = created["url"].as_str().unwrap();
    let address = serve.base.trim_start_matches("http://").to_owned();
    let path = url.split(&serve.base).nth(1).unwrap().to_owned();
    let target = Target { address, path };
    target.assert_serving("start-up").await;
    (sandbox, serve, target)
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_bodies_and_headers_are_refused_and_serving_goes_on() {
    let (_sandbox, serve, target) = start().await;

    // 2 MiB, over the 1 MiB limit: refused on the declared length.
    let big = vec![b' '; 2 * 1024 * 1024];
    let (status, answer) = target.send(&target.head(big.len(), ""), &big).await;
    assert_eq!(status, 413, "{answer}");
    assert!(answer.contains("too large"), "{answer}");
    target.assert_serving("an oversized body").await;

    // Invalid UTF-8: a JSON-RPC parse error.
    let invalid = b"{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"\xff\xfe\"}";
    let (status, answer) = target.send(&target.head(invalid.len(), ""), invalid).await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(json_body(&answer)["error"]["code"], -32700, "{answer}");
    target.assert_serving("invalid UTF-8").await;

    // 100 000 nested arrays: a parse error, not a stack overflow.
    let nested = "[".repeat(100_000);
    let (status, answer) = target
        .send(&target.head(nested.len(), ""), nested.as_bytes())
        .await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(json_body(&answer)["error"]["code"], -32700, "{answer}");
    let nested_object = format!("{}1{}", "{\"a\":".repeat(50_000), "}".repeat(50_000));
    let (status, answer) = target
        .send(
            &target.head(nested_object.len(), ""),
            nested_object.as_bytes(),
        )
        .await;
    assert_eq!(status, 400, "{answer}");
    target.assert_serving("deeply nested JSON").await;

    // 10 000 headers: hyper allows 100 and answers 431 Request Header Fields Too Large.
    let many: String = (0..10_000)
        .map(|n| format!("X-Junk-{n}: {n}\r\n"))
        .collect();
    let (status, answer) = target.send(&target.head(2, &many), b"{}").await;
    assert_eq!(status, 431, "{answer}");
    target.assert_serving("10 000 headers").await;

    // One header line of 1 MiB: over hyper's read buffer, refused the same way.
    let long = format!("X-Long: {}\r\n", "a".repeat(1024 * 1024));
    let (status, answer) = target.send(&target.head(2, &long), b"{}").await;
    assert_eq!(status, 431, "{answer}");
    target.assert_serving("a 1 MiB header").await;

    assert!(
        serve.stderr().lines().count() < 20,
        "hostile requests should not flood the log: {}",
        serve.stderr()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn slow_clients_are_cut_off_and_serving_goes_on() {
    let (_sandbox, serve, target) = start().await;

    // Slowloris: the headers, a byte a second. Cut off once the header read timeout passes.
    let slowloris = async {
        let head = target.head(
            2,
            "X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n",
        );
        let started = Instant::now();
        let mut stream = TcpStream::connect(&target.address).await.unwrap();
        let mut answer = Vec::new();
        for byte in head.bytes() {
            if stream.write_all(&[byte]).await.is_err() {
                break;
            }
            // Stop as soon as the server answers or hangs up.
            let read = tokio::time::timeout(Duration::from_secs(1), stream.read_buf(&mut answer));
            if read.await.is_ok() {
                break;
            }
            assert!(
                started.elapsed() < HEADER_READ_TIMEOUT + SLACK,
                "the server still reads headers sent a byte a second after {:?}",
                started.elapsed()
            );
        }
        let took = started.elapsed();
        let text = String::from_utf8_lossy(&answer).into_owned();
        (took, text)
    };

    // A body sent a byte a second, after complete headers: 408 once the body read timeout passes.
    let slow_body = async {
        let body = br#"{"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}, "padding": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}"#;
        let started = Instant::now();
        let mut stream = TcpStream::connect(&target.address).await.unwrap();
        stream
            .write_all(target.head(body.len(), "").as_bytes())
            .await
            .unwrap();
        let mut answer = Vec::new();
        for byte in body {
            if stream.write_all(&[*byte]).await.is_err() {
                break;
            }
            let read = tokio::time::timeout(Duration::from_secs(1), stream.read_buf(&mut answer));
            if read.await.is_ok() {
                break;
            }
            assert!(
                started.elapsed() < BODY_READ_TIMEOUT + SLACK,
                "the server still reads a body sent a byte a second after {:?}",
                started.elapsed()
            );
        }
        let _ = tokio::time::timeout(SLACK, stream.read_to_end(&mut answer)).await;
        (
            started.elapsed(),
            String::from_utf8_lossy(&answer).into_owned(),
        )
    };

    // Meanwhile, everyone else is served.
    let others = async {
        for round in 0..5 {
            tokio::time::sleep(Duration::from_secs(2)).await;
            target
                .assert_serving(&format!("{round} rounds of slow clients"))
                .await;
        }
    };

    let ((loris_took, loris), (body_took, body), ()) = tokio::join!(slowloris, slow_body, others);
    assert!(
        loris_took >= HEADER_READ_TIMEOUT - Duration::from_secs(1),
        "cut off early, after {loris_took:?}: {loris}"
    );
    assert!(
        loris.is_empty() || loris.starts_with("HTTP/1.1 408"),
        "{loris}"
    );
    assert!(
        body.starts_with("HTTP/1.1 408"),
        "after {body_took:?}: {body}"
    );
    assert!(body.contains("did not arrive within"), "{body}");
    target.assert_serving("slow clients").await;
    drop(serve);
}

/// Reads until the server closes the connection or `limit` passes; true when it closed.
async fn closed_within(stream: &mut TcpStream, limit: Duration) -> bool {
    use tokio::io::AsyncReadExt;
    let mut buffer = [0_u8; 256];
    let deadline = std::time::Instant::now() + limit;
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buffer)).await {
            Ok(Ok(0) | Err(_)) => return true,
            Ok(Ok(_)) => {}
            Err(_) => return false,
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn thousands_of_idle_sockets_and_half_prefaces_do_not_hold_the_server() {
    let sandbox = Sandbox::start().await;
    let config = std::env::temp_dir().join(format!("fsmcp-limits-{}.json", std::process::id()));
    std::fs::write(
        &config,
        r#"{"first_request_timeout_secs": 2, "idle_timeout_secs": 2}"#,
    )
    .unwrap();
    let config_path = config.display().to_string();
    let serve = Serve::start(&temp_db("limits"), &["--config", &config_path]);
    let account = serve
        .create_account(&sandbox.uri(), sandbox.api_key())
        .await;
    let created = serve
        .create_server(&account, json!({"name": "Limits"}))
        .await;
    let url = created["url"].as_str().unwrap();
    let target = Target {
        address: serve.base.trim_start_matches("http://").to_owned(),
        path: url.split(&serve.base).nth(1).unwrap().to_owned(),
    };

    // 2,000 sockets that send nothing and 500 that stop halfway through the HTTP/2 preface.
    let mut silent = Vec::with_capacity(2_500);
    for _ in 0..2_000 {
        silent.push(TcpStream::connect(&target.address).await.unwrap());
    }
    for _ in 0..500 {
        let mut stream = TcpStream::connect(&target.address).await.unwrap();
        stream.write_all(b"PRI * HTTP/2.0\r\n").await.unwrap();
        silent.push(stream);
    }
    // A legitimate client is answered within a second all the same.
    let started = std::time::Instant::now();
    target.assert_serving("2,500 silent connections").await;
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "answered after {:?}",
        started.elapsed()
    );
    // Then the server closes every silent socket after the first-request timeout.
    let mut still_open = 0;
    for stream in &mut silent {
        if !closed_within(stream, Duration::from_secs(6)).await {
            still_open += 1;
        }
    }
    assert_eq!(still_open, 0, "sockets the server never closed");
    target.assert_serving("the timeouts").await;
    let _ = std::fs::remove_file(&config);
}
