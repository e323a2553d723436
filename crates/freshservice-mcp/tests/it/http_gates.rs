//! The gates every request passes before the era rules: `Host` and `Origin` (DNS-rebinding
//! protection), the HTTP method, `Content-Type`, `Accept`, the body size and JSON-RPC parsing.
//! Each case names the HTTP status and the JSON-RPC error code (and id) of the reply.

use freshservice_mcp::HttpConfig;
use reqwest::Method;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::http_harness::{HttpServer, modern_request};

const MODERN_DISCOVER: &str = r#"{"jsonrpc":"2.0","id":7,"method":"server/discover","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}"#;
const LEGACY_INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":7,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"it","version":"1"}}}"#;

struct Case {
    name: &'static str,
    method: Method,
    headers: Vec<(&'static str, String)>,
    body: Option<String>,
    status: u16,
    /// The JSON-RPC error code of the body, or `None` for a body without error (or no body).
    code: Option<i64>,
    /// The `id` the error must carry.
    id: Value,
    /// A header the reply must carry.
    header: Option<(&'static str, &'static str)>,
}

fn case(name: &'static str, method: Method, body: Option<&str>) -> Case {
    Case {
        name,
        method,
        headers: vec![
            ("content-type", "application/json".into()),
            ("accept", "application/json, text/event-stream".into()),
        ],
        body: body.map(str::to_owned),
        status: 200,
        code: None,
        id: Value::Null,
        header: None,
    }
}

impl Case {
    fn with(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.retain(|(existing, _)| *existing != name);
        self.headers.push((name, value.into()));
        self
    }

    fn without(mut self, name: &'static str) -> Self {
        self.headers.retain(|(existing, _)| *existing != name);
        self
    }

    fn modern(self) -> Self {
        self.with("mcp-protocol-version", "2026-07-28")
            .with("mcp-method", "server/discover")
    }

    fn expect(mut self, status: u16, code: Option<i64>, id: Value) -> Self {
        self.status = status;
        self.code = code;
        self.id = id;
        self
    }

    fn expect_header(mut self, name: &'static str, value: &'static str) -> Self {
        self.header = Some((name, value));
        self
    }
}

async fn check(server: &HttpServer, case: Case) {
    let headers: Vec<(&str, &str)> = case
        .headers
        .iter()
        .map(|(name, value)| (*name, value.as_str()))
        .collect();
    let reply = server
        .send(case.method.clone(), &headers, case.body.clone())
        .await;
    assert_eq!(reply.status, case.status, "{}: {reply:?}", case.name);
    if let Some((name, value)) = case.header {
        assert_eq!(reply.header(name), Some(value), "{}: {reply:?}", case.name);
    }
    match case.code {
        Some(code) => {
            let body = reply.json();
            assert_eq!(body["jsonrpc"], "2.0", "{}: {body}", case.name);
            assert_eq!(body["error"]["code"], code, "{}: {body}", case.name);
            assert_eq!(body["id"], case.id, "{}: {body}", case.name);
            assert!(
                !body["error"]["message"].as_str().unwrap().is_empty(),
                "{}: {body}",
                case.name
            );
        }
        None if case.status == 200 => {
            let body = reply.json();
            assert!(body.get("result").is_some(), "{}: {body}", case.name);
        }
        None => {}
    }
}

#[tokio::test]
async fn gate_trials() {
    let server = HttpServer::start_with(HttpConfig::default().with_max_body_bytes(4096)).await;
    let port = server.origin.rsplit(':').next().unwrap().to_owned();
    let big = format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"ping","params":{{"pad":"{}"}}}}"#,
        "x".repeat(5000)
    );
    let cases = vec![
        // DNS-rebinding protection, both eras.
        case("evil Host, legacy", Method::POST, Some(LEGACY_INITIALIZE))
            .with("host", "evil.example.com")
            .expect(403, Some(-32600), Value::Null),
        case(
            "evil Host and Origin, legacy",
            Method::POST,
            Some(LEGACY_INITIALIZE),
        )
        .with("host", "evil.example.com")
        .with("origin", "http://evil.example.com")
        .expect(403, Some(-32600), Value::Null),
        case("evil Origin, legacy", Method::POST, Some(LEGACY_INITIALIZE))
            .with("origin", "http://evil.example.com")
            .expect(403, Some(-32600), Value::Null),
        case(
            "evil Host with a port, modern",
            Method::POST,
            Some(MODERN_DISCOVER),
        )
        .modern()
        .with("host", format!("evil.example.com:{port}"))
        .expect(403, Some(-32600), Value::Null),
        case("evil Origin, modern", Method::POST, Some(MODERN_DISCOVER))
            .modern()
            .with("origin", "https://evil.example.com")
            .expect(403, Some(-32600), Value::Null),
        case("lookalike Origin", Method::POST, Some(MODERN_DISCOVER))
            .modern()
            .with("origin", "http://localhost.evil.example.com")
            .expect(403, Some(-32600), Value::Null),
        case("null Origin", Method::POST, Some(MODERN_DISCOVER))
            .modern()
            .with("origin", "null")
            .expect(403, Some(-32600), Value::Null),
        case("evil Host on GET", Method::GET, None)
            .with("host", "evil.example.com")
            .expect(403, Some(-32600), Value::Null),
        case(
            "localhost Host and Origin with a port",
            Method::POST,
            Some(MODERN_DISCOVER),
        )
        .modern()
        .with("host", format!("localhost:{port}"))
        .with("origin", format!("http://localhost:{port}")),
        case("[::1] Host", Method::POST, Some(MODERN_DISCOVER))
            .modern()
            .with("host", format!("[::1]:{port}")),
        case(
            "127.0.0.1 Origin over https",
            Method::POST,
            Some(MODERN_DISCOVER),
        )
        .modern()
        .with("origin", "https://127.0.0.1:6274"),
        // Methods.
        case("GET, legacy", Method::GET, None)
            .without("content-type")
            .with("accept", "text/event-stream")
            .expect(405, Some(-32600), Value::Null)
            .expect_header("allow", "POST, DELETE"),
        case("GET, modern", Method::GET, None)
            .with("mcp-protocol-version", "2026-07-28")
            .expect(405, Some(-32600), Value::Null)
            .expect_header("allow", "POST"),
        case("DELETE, modern", Method::DELETE, None)
            .with("mcp-protocol-version", "2026-07-28")
            .with("mcp-session-id", "ignored")
            .expect(405, Some(-32600), Value::Null)
            .expect_header("allow", "POST"),
        case("PUT", Method::PUT, Some(MODERN_DISCOVER))
            .expect(405, Some(-32600), Value::Null)
            .expect_header("allow", "POST, DELETE"),
        // Media types.
        case("text/plain body", Method::POST, Some(MODERN_DISCOVER))
            .modern()
            .with("content-type", "text/plain")
            .expect(415, Some(-32600), Value::Null),
        case("no Content-Type", Method::POST, Some(MODERN_DISCOVER))
            .modern()
            .without("content-type")
            .expect(415, Some(-32600), Value::Null),
        case("JSON with a charset", Method::POST, Some(MODERN_DISCOVER))
            .modern()
            .with("content-type", "application/json; charset=utf-8"),
        case("Accept text/html", Method::POST, Some(MODERN_DISCOVER))
            .modern()
            .with("accept", "text/html")
            .expect(406, Some(-32600), Value::Null),
        case(
            "Accept JSON refused with q=0",
            Method::POST,
            Some(MODERN_DISCOVER),
        )
        .modern()
        .with("accept", "application/json;q=0")
        .expect(406, Some(-32600), Value::Null),
        case("no Accept", Method::POST, Some(MODERN_DISCOVER))
            .modern()
            .without("accept"),
        case("Accept only JSON", Method::POST, Some(MODERN_DISCOVER))
            .modern()
            .with("accept", "application/json"),
        // Body.
        case("body over the limit", Method::POST, Some(&big))
            .modern()
            .expect(413, Some(-32600), Value::Null),
        case("not JSON", Method::POST, Some("{not json"))
            .modern()
            .expect(400, Some(-32700), Value::Null),
        case(
            "control character in a JSON string",
            Method::POST,
            Some("\"\u{0}\""),
        )
        .modern()
        .expect(400, Some(-32700), Value::Null),
        case("batch", Method::POST, Some(&format!("[{MODERN_DISCOVER}]")))
            .modern()
            .expect(400, Some(-32600), Value::Null),
        case(
            "not JSON-RPC 2.0",
            Method::POST,
            Some(r#"{"jsonrpc":"1.0","id":3,"method":"ping"}"#),
        )
        .expect(400, Some(-32600), json!(3)),
    ];
    for case in cases {
        check(&server, case).await;
    }
    // Nothing above may have reached Freshservice.
    assert!(server.mock.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_reply_to_a_browser_origin_check_is_a_json_rpc_error_without_id() {
    let server = HttpServer::start().await;
    let (headers, body) = modern_request(5, "tools/list", json!({}));
    let mut headers: Vec<(&str, &str)> = headers
        .iter()
        .map(|(name, value)| (*name, value.as_str()))
        .collect();
    headers.push(("origin", "http://evil.example.com"));
    let reply = server.post(&headers, &body).await;
    assert_eq!(reply.status, 403);
    let body = reply.json();
    assert_eq!(body["id"], Value::Null, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("evil.example.com"),
        "{body}"
    );
}

#[tokio::test]
async fn configured_hosts_and_origins_replace_the_local_defaults() {
    let server = HttpServer::start_with(
        HttpConfig::default()
            .with_allowed_hosts(["mcp.example.com"])
            .with_allowed_origins(["https://app.example.com"]),
    )
    .await;
    // (Host, Origin, status)
    let trials = [
        ("mcp.example.com", None, 200),
        ("mcp.example.com:8443", Some("https://app.example.com"), 200),
        ("mcp.example.com", Some("http://localhost"), 403),
        ("localhost", None, 403),
    ];
    for (host, origin, status) in trials {
        let (headers, body) = modern_request(1, "server/discover", json!({}));
        let mut headers: Vec<(&str, &str)> = headers
            .iter()
            .map(|(name, value)| (*name, value.as_str()))
            .collect();
        headers.push(("host", host));
        if let Some(origin) = origin {
            headers.push(("origin", origin));
        }
        let reply = server.post(&headers, &body).await;
        assert_eq!(reply.status, status, "{host} {origin:?}: {reply:?}");
    }
}

/// A chunked body carries no `Content-Length`, so the limit must hold while reading.
#[tokio::test]
async fn a_chunked_body_over_the_limit_is_refused_while_reading() {
    let server = HttpServer::start_with(HttpConfig::default().with_max_body_bytes(1024)).await;
    let address = server.origin.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let chunk = "x".repeat(600);
    let request = format!(
        "POST /mcp HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
         Accept: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n\
         {len:x}\r\n{chunk}\r\n{len:x}\r\n{chunk}\r\n0\r\n\r\n",
        len = chunk.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        stream.read_to_string(&mut response),
    )
    .await
    .expect("no reply within 5 s");
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
    assert!(response.contains("-32600"), "{response}");
}

#[tokio::test]
async fn other_paths_are_not_the_endpoint() {
    let server = HttpServer::start().await;
    let reply = server
        .send_to(
            &format!("{}/mcp/extra", server.origin),
            Method::POST,
            &[("content-type", "application/json")],
            Some(MODERN_DISCOVER.into()),
        )
        .await;
    assert_eq!(reply.status, 404, "{reply:?}");
}
