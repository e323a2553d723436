//! Slow clients against `serve_http_with`: headers dribbled past `header_read_timeout` lose the
//! connection, a body dribbled past `body_read_timeout` gets 408, and the server keeps serving.

use std::time::{Duration, Instant};

use freshservice_mcp::{HttpConfig, serve_http_with, single_service_router};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use wiremock::MockServer;

use crate::harness::{Options, service};

const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#;

async fn start(config: HttpConfig) -> (String, MockServer) {
    let mock = MockServer::start().await;
    let router = single_service_router(service(Options::default(), &mock), config.clone());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move {
        serve_http_with(listener, router, &config, std::future::pending())
            .await
            .unwrap();
    });
    (address, mock)
}

/// Writes `chunks` one by one with `pause` between them until the server closes or answers;
/// returns what it answered and when.
async fn dribble(address: &str, chunks: &[&[u8]], pause: Duration) -> (String, Duration) {
    let started = Instant::now();
    let mut stream = TcpStream::connect(address).await.unwrap();
    for chunk in chunks {
        if stream.write_all(chunk).await.is_err() {
            break;
        }
        tokio::time::sleep(pause).await;
        // Stop writing once the server has answered or hung up.
        let mut probe = [0_u8; 1];
        match tokio::time::timeout(Duration::from_millis(1), stream.peek(&mut probe)).await {
            Ok(Ok(_)) | Ok(Err(_)) => break,
            Err(_) => {}
        }
    }
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer)).await;
    (
        String::from_utf8_lossy(&answer).into_owned(),
        started.elapsed(),
    )
}

async fn normal_post(address: &str) -> String {
    let request = format!(
        "POST /mcp HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{INITIALIZE}",
        INITIALIZE.len()
    );
    let (answer, _) = dribble(address, &[request.as_bytes()], Duration::ZERO).await;
    answer
}

#[tokio::test]
async fn headers_dribbled_past_the_header_read_timeout_lose_the_connection() {
    let config = HttpConfig::default().with_header_read_timeout(Duration::from_millis(500));
    let (address, _mock) = start(config).await;
    let head = b"POST /mcp HTTP/1.1\r\nHost: localhost\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    let chunks: Vec<&[u8]> = head.chunks(1).collect();
    let (answer, elapsed) = dribble(&address, &chunks, Duration::from_millis(100)).await;
    assert!(
        elapsed < Duration::from_secs(3),
        "cut off after {elapsed:?} with {answer:?}"
    );
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{answer:?}"
    );
    assert!(normal_post(&address).await.starts_with("HTTP/1.1 200"));
}

#[tokio::test]
async fn a_body_dribbled_past_the_body_read_timeout_gets_408() {
    let config = HttpConfig::default().with_body_read_timeout(Duration::from_millis(500));
    let (address, _mock) = start(config).await;
    let head = format!(
        "POST /mcp HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: {}\r\n\r\n",
        INITIALIZE.len()
    );
    let mut chunks: Vec<&[u8]> = vec![head.as_bytes()];
    chunks.extend(INITIALIZE.as_bytes().chunks(1));
    let (answer, elapsed) = dribble(&address, &chunks, Duration::from_millis(100)).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer:?}");
    assert!(answer.contains("did not arrive within"), "{answer:?}");
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
    assert!(normal_post(&address).await.starts_with("HTTP/1.1 200"));
}

/// Reads until the server closes the connection (EOF or reset) or `limit` passes; true when it
/// closed.
async fn closed_within(stream: &mut TcpStream, limit: Duration) -> bool {
    let mut buffer = [0_u8; 256];
    let deadline = Instant::now() + limit;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buffer)).await {
            Ok(Ok(0) | Err(_)) => return true,
            Ok(Ok(_)) => {}
            Err(_) => return false,
        }
    }
}

#[tokio::test]
async fn idle_sockets_and_half_prefaces_are_closed_while_clients_are_served() {
    let config = HttpConfig::default()
        .with_first_request_timeout(Duration::from_millis(800))
        .with_idle_timeout(Duration::from_millis(800));
    let (address, _mock) = start(config).await;
    let mut idle = Vec::new();
    for _ in 0..300 {
        idle.push(TcpStream::connect(&address).await.unwrap());
    }
    // Half of the HTTP/2 client preface: the protocol sniff never completes.
    let mut half_prefaces = Vec::new();
    for _ in 0..100 {
        let mut stream = TcpStream::connect(&address).await.unwrap();
        stream.write_all(b"PRI * HTTP/2.0\r\n").await.unwrap();
        half_prefaces.push(stream);
    }
    // A client that sends one request and then keeps its connection open without asking more.
    let mut kept = TcpStream::connect(&address).await.unwrap();
    let request = format!(
        "POST /mcp HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: {}\r\n\r\n{INITIALIZE}",
        INITIALIZE.len()
    );
    kept.write_all(request.as_bytes()).await.unwrap();

    // A legitimate client is answered at once, whatever the others hold.
    let started = Instant::now();
    let answer = normal_post(&address).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(1));

    // After the timeouts every silent connection is closed by the server, and the kept-alive
    // one once it has been idle long enough.
    for stream in idle.iter_mut().chain(half_prefaces.iter_mut()) {
        assert!(closed_within(stream, Duration::from_secs(5)).await);
    }
    assert!(closed_within(&mut kept, Duration::from_secs(5)).await);
    assert!(normal_post(&address).await.starts_with("HTTP/1.1 200"));
}

#[tokio::test]
async fn at_the_connection_cap_new_clients_wait_for_a_free_slot() {
    let config = HttpConfig::default()
        .with_max_connections(4)
        .with_first_request_timeout(Duration::from_millis(600));
    let (address, _mock) = start(config).await;
    let mut holders = Vec::new();
    for _ in 0..4 {
        holders.push(TcpStream::connect(&address).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    // The fifth waits in the backlog until the silent four are closed, then is served.
    let started = Instant::now();
    let answer = normal_post(&address).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(300),
        "served after {waited:?}, before a slot was free"
    );
    assert!(waited < Duration::from_secs(3), "{waited:?}");
}
