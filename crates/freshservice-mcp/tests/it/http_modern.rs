//! The modern era (2026-07-28) over HTTP: stateless POSTs whose `MCP-Protocol-Version`,
//! `Mcp-Method` and `Mcp-Name` headers must mirror the body, errors that carry the request id,
//! and statuses the transport spec gives some errors (400 for -32020/-32022 and bad `_meta`,
//! 404 for -32601).

use std::time::Duration;

use freshservice_mcp::HttpConfig;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::harness::{Options, modern_meta};
use crate::http_harness::{GET_CHANGE, HttpServer, modern_request};

struct Case {
    name: &'static str,
    headers: Vec<(&'static str, String)>,
    body: Value,
    status: u16,
    /// `None`: a result; `Some(code)`: a JSON-RPC error with the request id.
    code: Option<i64>,
}

/// A well-formed request, to be broken by the case.
fn case(name: &'static str, method: &str, params: Value) -> Case {
    let (headers, body) = modern_request(41, method, params);
    Case {
        name,
        headers,
        body,
        status: 200,
        code: None,
    }
}

impl Case {
    fn header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.retain(|(existing, _)| *existing != name);
        self.headers.push((name, value.to_owned()));
        self
    }

    fn extra_header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.to_owned()));
        self
    }

    fn without(mut self, name: &'static str) -> Self {
        self.headers.retain(|(existing, _)| *existing != name);
        self
    }

    fn meta(mut self, key: &str, value: Value) -> Self {
        self.body["params"]["_meta"][key] = value;
        self
    }

    fn drop_meta(mut self, key: Option<&str>) -> Self {
        match key {
            Some(key) => {
                self.body["params"]["_meta"]
                    .as_object_mut()
                    .unwrap()
                    .remove(key);
            }
            None => {
                self.body["params"].as_object_mut().unwrap().remove("_meta");
            }
        }
        self
    }

    fn expect(mut self, status: u16, code: Option<i64>) -> Self {
        self.status = status;
        self.code = code;
        self
    }
}

const VERSION_KEY: &str = "io.modelcontextprotocol/protocolVersion";
const CAPABILITIES_KEY: &str = "io.modelcontextprotocol/clientCapabilities";

#[tokio::test]
async fn header_and_envelope_trials() {
    let server = HttpServer::start().await;
    let call = || {
        case(
            "",
            "tools/call",
            json!({"name": GET_CHANGE, "arguments": {}}),
        )
    };
    let cases = vec![
        case("discover", "server/discover", json!({})),
        case("tools/list", "tools/list", json!({})),
        Case {
            name: "tools/call with Mcp-Name",
            ..call()
        },
        // Header names are case-insensitive; values are trimmed of whitespace.
        Case {
            name: "Mcp-Name padded with whitespace",
            ..call()
        }
        .header("mcp-name", &format!("  {GET_CHANGE}\t")),
        Case {
            name: "Mcp-Name in the Base64 sentinel form",
            ..call()
        }
        .header("mcp-name", &format!("=?base64?{}?=", base64_of(GET_CHANGE))),
        Case {
            name: "a session id is ignored",
            ..call()
        }
        .header("mcp-session-id", "whatever"),
        // -32020 header mismatches.
        case("missing Mcp-Method", "tools/list", json!({}))
            .without("mcp-method")
            .expect(400, Some(-32020)),
        case("Mcp-Method of another method", "tools/list", json!({}))
            .header("mcp-method", "prompts/list")
            .expect(400, Some(-32020)),
        case("Mcp-Method in upper case", "tools/list", json!({}))
            .header("mcp-method", "TOOLS/LIST")
            .expect(400, Some(-32020)),
        case(
            "Mcp-Method repeated with another value",
            "tools/list",
            json!({}),
        )
        .extra_header("mcp-method", "tools/call")
        .expect(400, Some(-32020)),
        Case {
            name: "missing Mcp-Name",
            ..call()
        }
        .without("mcp-name")
        .expect(400, Some(-32020)),
        Case {
            name: "Mcp-Name of another tool",
            ..call()
        }
        .header("mcp-name", "wrong_tool_name")
        .expect(400, Some(-32020)),
        Case {
            name: "Mcp-Name with invalid Base64 padding",
            ..call()
        }
        .header("mcp-name", "=?base64?SGVsbG8?=")
        .expect(400, Some(-32020)),
        case(
            "missing MCP-Protocol-Version header",
            "tools/list",
            json!({}),
        )
        .without("mcp-protocol-version")
        .expect(400, Some(-32020)),
        case(
            "header version differs from _meta",
            "server/discover",
            json!({}),
        )
        .meta(VERSION_KEY, json!("v999.0.0"))
        .expect(400, Some(-32020)),
        // _meta problems: -32602 and 400.
        case("no _meta", "server/discover", json!({}))
            .drop_meta(None)
            .expect(400, Some(-32602)),
        case("_meta without the version", "server/discover", json!({}))
            .drop_meta(Some(VERSION_KEY))
            .expect(400, Some(-32602)),
        case(
            "_meta without client capabilities",
            "server/discover",
            json!({}),
        )
        .drop_meta(Some(CAPABILITIES_KEY))
        .expect(400, Some(-32602)),
        case("_meta with a bad log level", "tools/list", json!({}))
            .meta("io.modelcontextprotocol/logLevel", json!("loud"))
            .expect(400, Some(-32602)),
        // Unsupported versions: -32022 and 400.
        case(
            "unsupported version in header and _meta",
            "server/discover",
            json!({}),
        )
        .header("mcp-protocol-version", "v999.0.0")
        .meta(VERSION_KEY, json!("v999.0.0"))
        .expect(400, Some(-32022)),
        case(
            "a legacy version in modern _meta",
            "server/discover",
            json!({}),
        )
        .header("mcp-protocol-version", "2025-11-25")
        .meta(VERSION_KEY, json!("2025-11-25"))
        .expect(400, Some(-32022)),
        // Methods that do not exist in 2026-07-28: 404 and -32601.
        case("initialize", "initialize", json!({})).expect(404, Some(-32601)),
        case("ping", "ping", json!({})).expect(404, Some(-32601)),
        case(
            "logging/setLevel",
            "logging/setLevel",
            json!({"level": "info"}),
        )
        .expect(404, Some(-32601)),
        case(
            "resources/subscribe",
            "resources/subscribe",
            json!({"uri": "x"}),
        )
        .expect(404, Some(-32601)),
        case("unknown method", "unknown/method", json!({})).expect(404, Some(-32601)),
        // A params error after the envelope passed: a JSON-RPC error in a 200.
        case(
            "unknown tool",
            "tools/call",
            json!({"name": "no_such_tool"}),
        )
        .expect(200, Some(-32602)),
    ];
    for case in cases {
        let headers: Vec<(&str, &str)> = case
            .headers
            .iter()
            .map(|(name, value)| (*name, value.as_str()))
            .collect();
        let reply = server.post(&headers, &case.body).await;
        assert_eq!(reply.status, case.status, "{}: {reply:?}", case.name);
        assert!(
            reply.header("mcp-session-id").is_none(),
            "{}: a modern reply must not carry a session id",
            case.name
        );
        let body = reply.json();
        assert_eq!(body["id"], 41, "{}: {body}", case.name);
        match case.code {
            None => {
                assert!(body.get("error").is_none(), "{}: {body}", case.name);
                assert_eq!(
                    body["result"]["resultType"], "complete",
                    "{}: {body}",
                    case.name
                );
            }
            Some(code) => assert_eq!(body["error"]["code"], code, "{}: {body}", case.name),
        }
    }
}

fn base64_of(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(text)
}

#[tokio::test]
async fn an_unsupported_version_lists_the_supported_ones() {
    let server = HttpServer::start().await;
    let (mut headers, mut body) = modern_request(3, "server/discover", json!({}));
    headers[0].1 = "v999.0.0".into();
    body["params"]["_meta"][VERSION_KEY] = json!("v999.0.0");
    let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let reply = server.post(&headers, &body).await;
    assert_eq!(reply.status, 400);
    let data = &reply.json()["error"]["data"];
    assert_eq!(data["requested"], "v999.0.0", "{data}");
    let discover = server.modern(4, "server/discover", json!({})).await.json();
    assert_eq!(
        data["supported"], discover["result"]["supportedVersions"],
        "the error must list what discover lists"
    );
}

#[tokio::test]
async fn notifications_are_accepted_and_responses_refused() {
    let server = HttpServer::start().await;
    let headers = [
        ("mcp-protocol-version", "2026-07-28"),
        ("mcp-method", "notifications/cancelled"),
    ];
    let notification = json!({"jsonrpc": "2.0", "method": "notifications/cancelled",
        "params": {"requestId": 1, "_meta": modern_meta()}});
    let reply = server.post(&headers, &notification).await;
    assert_eq!(reply.status, 202, "{reply:?}");
    assert!(reply.text.is_empty());

    let mismatched = [
        ("mcp-protocol-version", "2026-07-28"),
        ("mcp-method", "notifications/progress"),
    ];
    let reply = server.post(&mismatched, &notification).await;
    assert_eq!(reply.status, 400, "{reply:?}");
    assert_eq!(reply.json()["error"]["code"], -32020);

    let response = json!({"jsonrpc": "2.0", "id": 1, "result": {}});
    let reply = server
        .post(&[("mcp-protocol-version", "2026-07-28")], &response)
        .await;
    assert_eq!(reply.status, 400, "{reply:?}");
    assert_eq!(reply.json()["error"]["code"], -32600);
}

#[tokio::test]
async fn a_tools_call_reaches_freshservice_and_carries_rate_limit_headers() {
    let server = HttpServer::start().await;
    let body = json!({"change": {"id": 42, "subject": "Upgrade the mail server"}});
    Mock::given(method("GET"))
        .and(path("/api/v2/changes/42"))
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
    let reply = server
        .modern(
            9,
            "tools/call",
            json!({"name": GET_CHANGE, "arguments": {"change_id": 42}}),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert!(
        !reply.is_sse(),
        "no notifications, so plain JSON: {reply:?}"
    );
    let result = &reply.json()["result"];
    assert_eq!(result["structuredContent"], body, "{result}");
    assert_eq!(result["resultType"], "complete");
    let trials = [
        ("ratelimit-limit", "100"),
        ("ratelimit-remaining", "42"),
        // Freshservice counts per minute.
        ("ratelimit-policy", "\"default\";q=100;w=60"),
        ("ratelimit", "\"default\";r=42"),
    ];
    for (name, value) in trials {
        assert_eq!(reply.header(name), Some(value), "{name}: {reply:?}");
        // The header repeats the `_meta` entry, as text.
        let meta = &result["_meta"][name];
        let meta_text = meta
            .as_str()
            .map_or_else(|| meta.to_string(), str::to_owned);
        assert_eq!(meta_text, value, "{name}");
    }
    assert!(reply.header("retry-after").is_none(), "{reply:?}");
    assert!(reply.header("mcp-session-id").is_none());

    // Only tools/call replies carry them.
    let list = server.modern(10, "tools/list", json!({})).await;
    assert!(list.header("ratelimit-limit").is_none(), "{list:?}");
}

#[tokio::test]
async fn a_429_comes_back_as_is_error_with_retry_after() {
    let server = HttpServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "37")
                .insert_header("X-Ratelimit-Total", "100")
                .insert_header("X-Ratelimit-Remaining", "0"),
        )
        .mount(&server.mock)
        .await;
    // Without a log level the reply is JSON; with one, the warning makes it an event stream,
    // and the headers must be there all the same.
    for (id, level) in [(2, None), (3, Some("warning"))] {
        let (headers, mut body) = modern_request(
            id,
            "tools/call",
            json!({"name": GET_CHANGE, "arguments": {"change_id": 3}}),
        );
        if let Some(level) = level {
            body["params"]["_meta"]["io.modelcontextprotocol/logLevel"] = json!(level);
        }
        let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let reply = server.post(&headers, &body).await;
        assert_eq!(reply.status, 200, "{reply:?}");
        assert_eq!(reply.is_sse(), level.is_some(), "{reply:?}");
        assert_eq!(reply.json()["result"]["isError"], true, "{reply:?}");
        let trials = [
            ("retry-after", "37"),
            ("ratelimit-remaining", "0"),
            ("ratelimit-limit", "100"),
            ("ratelimit-reset", "37"),
        ];
        for (name, value) in trials {
            assert_eq!(
                reply.header(name),
                Some(value),
                "{name} {level:?}: {reply:?}"
            );
        }
    }
}

#[tokio::test]
async fn log_messages_come_first_on_an_event_stream_when_asked_for() {
    let server = HttpServer::start().await;
    // (logLevel in _meta, Accept, expect an event stream with the warning)
    let trials = [
        (Some("warning"), "application/json, text/event-stream", true),
        (Some("debug"), "text/event-stream, application/json", true),
        (Some("error"), "application/json, text/event-stream", false),
        (None, "application/json, text/event-stream", false),
        (Some("warning"), "application/json", false),
    ];
    for (level, accept, streamed) in trials {
        let (headers, mut body) = modern_request(
            8,
            "tools/call",
            json!({"name": GET_CHANGE, "arguments": {"change_id": "not a number"}}),
        );
        if let Some(level) = level {
            body["params"]["_meta"]["io.modelcontextprotocol/logLevel"] = json!(level);
        }
        let mut headers: Vec<(&str, &str)> =
            headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        headers.push(("accept", accept));
        let reply = server.post(&headers, &body).await;
        assert_eq!(reply.status, 200, "{level:?} {accept}: {reply:?}");
        assert_eq!(reply.is_sse(), streamed, "{level:?} {accept}: {reply:?}");
        let messages = reply.messages();
        let (response, notifications) = messages.split_last().unwrap();
        assert_eq!(response["id"], 8);
        assert_eq!(response["result"]["isError"], true, "{response}");
        if streamed {
            assert_eq!(notifications.len(), 1, "{messages:?}");
            assert_eq!(notifications[0]["method"], "notifications/message");
            assert_eq!(notifications[0]["params"]["level"], "warning");
            assert_eq!(reply.header("x-accel-buffering"), Some("no"));
        } else {
            assert!(notifications.is_empty(), "{messages:?}");
        }
    }
    assert!(server.mock.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_slow_call_times_out_with_an_error_carrying_the_id() {
    let server = HttpServer::start_with(
        HttpConfig::default().with_request_timeout(Duration::from_millis(300)),
    )
    .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&server.mock)
        .await;
    let session = server.initialize().await;
    let params = json!({"name": GET_CHANGE, "arguments": {"change_id": 1}});
    for modern_era in [true, false] {
        let started = std::time::Instant::now();
        let reply = if modern_era {
            server.modern(6, "tools/call", params.clone()).await
        } else {
            server
                .legacy(&session, 6, "tools/call", params.clone())
                .await
        };
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "modern {modern_era}: {:?}",
            started.elapsed()
        );
        assert_eq!(reply.status, 200, "{reply:?}");
        let body = reply.json();
        assert_eq!(body["id"], 6, "{body}");
        assert_eq!(body["error"]["code"], -32603, "{body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains("timed out"), "{body}");
    }
    // The timed-out legacy call is no longer in flight: its id can be used again.
    let reuse = server.legacy(&session, 6, "ping", json!({})).await;
    assert_eq!(reuse.json()["result"], json!({}), "{reuse:?}");
}

/// Closing the response is the cancellation in 2026-07-28: the upstream request must go too.
#[tokio::test]
async fn closing_the_connection_cancels_the_upstream_request() {
    let mut upstream = crate::http_legacy::HangingUpstream::start().await;
    let server = HttpServer::start_with_options(
        HttpConfig::default(),
        Options {
            base_url: Some(upstream.url.clone()),
            ..Options::default()
        },
    )
    .await;
    let (headers, body) = modern_request(
        1,
        "tools/call",
        json!({"name": GET_CHANGE, "arguments": {"change_id": 1}}),
    );
    let client = reqwest::Client::builder()
        .timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    let mut request = client
        .post(&server.url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(body.to_string());
    for (name, value) in &headers {
        request = request.header(*name, value);
    }
    let sent = request.send().await;
    assert!(sent.is_err(), "the upstream never answers: {sent:?}");
    drop(client);
    upstream
        .expect_closed(Duration::from_secs(5))
        .await
        .expect("the upstream request was not cancelled after the client went away");
}
