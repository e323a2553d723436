//! The legacy era over HTTP: sessions minted by `initialize` and bound to their URL token,
//! 202 for notifications, 400/404 for missing and unknown sessions, DELETE, idle expiry and
//! the session cap, SSE replies for calls that log, `notifications/cancelled`, and graceful
//! shutdown.

use std::sync::Arc;
use std::time::Duration;

use freshservice_mcp::{
    HttpConfig, McpService, ResolveError, ServiceResolver, StaticResolver, mcp_router,
};
use reqwest::Method;
use serde_json::json;
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::harness::{Options, service};
use crate::http_harness::{GET_CHANGE, HttpServer, LEGACY};

#[tokio::test]
async fn a_legacy_session_from_initialize_to_delete() {
    let server = HttpServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/changes/5"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"change": {"id": 5}}))
                .insert_header("X-Ratelimit-Total", "100")
                .insert_header("X-Ratelimit-Remaining", "99"),
        )
        .expect(1)
        .mount(&server.mock)
        .await;
    let session = server.initialize().await;
    assert!(session.len() >= 22, "at least 128 bits: {session}");
    assert!(
        session.bytes().all(|byte| (0x21..=0x7e).contains(&byte)),
        "{session}"
    );
    assert_ne!(
        session,
        server.initialize().await,
        "session ids must differ"
    );

    let ping = server.legacy(&session, 1, "ping", json!({})).await;
    assert_eq!(ping.status, 200, "{ping:?}");
    assert_eq!(
        ping.json(),
        json!({"jsonrpc": "2.0", "id": 1, "result": {}})
    );
    assert!(ping.header("mcp-session-id").is_none());

    let list = server.legacy(&session, 2, "tools/list", json!({})).await;
    let tools = list.json()["result"]["tools"].as_array().unwrap().len();
    assert!(tools > 0, "{list:?}");
    assert!(list.json()["result"].get("resultType").is_none());

    let call = server
        .legacy(
            &session,
            3,
            "tools/call",
            json!({"name": GET_CHANGE, "arguments": {"change_id": 5}}),
        )
        .await;
    assert_eq!(call.status, 200, "{call:?}");
    assert_eq!(
        call.json()["result"]["structuredContent"],
        json!({"change": {"id": 5}})
    );
    assert_eq!(call.header("ratelimit-limit"), Some("100"), "{call:?}");
    assert_eq!(call.header("ratelimit-remaining"), Some("99"), "{call:?}");

    // Any supported legacy version is accepted in the header, whatever was negotiated (the
    // conformance suite sends 2025-03-26 on a 2025-11-25 session); no header means 2025-03-26.
    for version in ["2025-03-26", "2025-06-18", "2024-11-05"] {
        let reply = server
            .post(
                &[
                    ("mcp-session-id", &session),
                    ("mcp-protocol-version", version),
                ],
                &json!({"jsonrpc": "2.0", "id": 4, "method": "ping"}),
            )
            .await;
        assert_eq!(reply.status, 200, "{version}: {reply:?}");
    }
    let reply = server
        .post(
            &[("mcp-session-id", &session)],
            &json!({"jsonrpc": "2.0", "id": 5, "method": "ping"}),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");

    let get = server
        .send(
            Method::GET,
            &[
                ("accept", "text/event-stream"),
                ("mcp-session-id", &session),
            ],
            None,
        )
        .await;
    assert_eq!(get.status, 405, "{get:?}");

    let delete = server
        .send(
            Method::DELETE,
            &[
                ("mcp-session-id", &session),
                ("mcp-protocol-version", LEGACY),
            ],
            None,
        )
        .await;
    assert_eq!(delete.status, 204, "{delete:?}");
    let after = server.legacy(&session, 6, "tools/list", json!({})).await;
    assert_eq!(after.status, 404, "{after:?}");
    assert_eq!(after.json()["id"], 6);
    let again = server
        .send(Method::DELETE, &[("mcp-session-id", &session)], None)
        .await;
    assert_eq!(again.status, 404, "{again:?}");
}

#[tokio::test]
async fn session_rule_trials() {
    let server = HttpServer::start().await;
    let session = server.initialize().await;
    let ping = json!({"jsonrpc": "2.0", "id": 9, "method": "ping"});
    let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    let answer = json!({"jsonrpc": "2.0", "id": 1, "result": {}});
    // (case, headers, body, status, JSON-RPC code of the body)
    type Trial<'a> = (
        &'a str,
        Vec<(&'a str, &'a str)>,
        &'a serde_json::Value,
        u16,
        Option<i64>,
    );
    let trials: Vec<Trial> = vec![
        (
            "request without a session",
            vec![],
            &ping,
            400,
            Some(-32600),
        ),
        (
            "request with an unknown session",
            vec![("mcp-session-id", "no-such-session")],
            &ping,
            404,
            Some(-32600),
        ),
        (
            "notification without a session",
            vec![],
            &initialized,
            400,
            Some(-32600),
        ),
        (
            "notification in the session",
            vec![("mcp-session-id", &session)],
            &initialized,
            202,
            None,
        ),
        (
            "response in the session",
            vec![("mcp-session-id", &session)],
            &answer,
            202,
            None,
        ),
        (
            "unsupported version header",
            vec![
                ("mcp-session-id", &session),
                ("mcp-protocol-version", "1999-01-01"),
            ],
            &ping,
            400,
            Some(-32022),
        ),
        (
            "request in the session",
            vec![("mcp-session-id", &session)],
            &ping,
            200,
            None,
        ),
    ];
    for (name, headers, body, status, code) in trials {
        let reply = server.post(&headers, body).await;
        assert_eq!(reply.status, status, "{name}: {reply:?}");
        match code {
            Some(code) => {
                let body = reply.json();
                assert_eq!(body["error"]["code"], code, "{name}: {body}");
                if body.get("id").is_some_and(|id| !id.is_null()) {
                    assert_eq!(body["id"], 9, "{name}: {body}");
                }
            }
            None if status == 202 => assert!(reply.text.is_empty(), "{name}: {reply:?}"),
            None => assert!(reply.json().get("result").is_some(), "{name}: {reply:?}"),
        }
    }
    // DELETE needs the session it ends.
    let reply = server.send(Method::DELETE, &[], None).await;
    assert_eq!(reply.status, 400, "{reply:?}");
}

#[tokio::test]
async fn a_failed_initialize_mints_no_session() {
    let server = HttpServer::start().await;
    let reply = server
        .post(
            &[],
            &json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": 7}}),
        )
        .await;
    assert_eq!(reply.json()["error"]["code"], -32602, "{reply:?}");
    assert!(reply.header("mcp-session-id").is_none(), "{reply:?}");
}

struct Resolver;

#[async_trait::async_trait]
impl ServiceResolver for Resolver {
    async fn resolve(
        &self,
        path_token: &str,
        authorization: Option<&str>,
    ) -> Result<McpService, ResolveError> {
        match (path_token, authorization) {
            ("broken", _) => Err(ResolveError::Internal("database is on fire".into())),
            ("guarded", Some("Bearer right")) => Ok(unreachable_service()),
            ("guarded", _) => Err(ResolveError::Unauthorized {
                www_authenticate: "Bearer realm=\"freshservice-mcp\"".into(),
                message: "send Authorization: Bearer <api token>".into(),
            }),
            _ => Err(ResolveError::NotFound),
        }
    }
}

fn unreachable_service() -> McpService {
    let client = freshservice_client::Client::builder()
        .base_url("http://127.0.0.1:9")
        .api_key("k")
        .build()
        .unwrap();
    McpService::builder().client(client).build().unwrap()
}

#[tokio::test]
async fn resolver_outcomes_become_statuses() {
    let server = HttpServer::serve(
        mcp_router(Arc::new(Resolver), HttpConfig::default()),
        MockServer::start().await,
        "/mcp/unused",
    )
    .await;
    let discover = json!({"jsonrpc": "2.0", "id": 1, "method": "server/discover", "params": {"_meta": {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
    }}});
    let modern = [
        ("mcp-protocol-version", "2026-07-28"),
        ("mcp-method", "server/discover"),
    ];
    // (token, Authorization, status)
    let trials = [
        ("unknown", None, 404),
        ("broken", None, 500),
        ("guarded", None, 401),
        ("guarded", Some("Bearer wrong"), 401),
        ("guarded", Some("Bearer right"), 200),
    ];
    for (token, authorization, status) in trials {
        let mut headers = modern.to_vec();
        if let Some(authorization) = authorization {
            headers.push(("authorization", authorization));
        }
        let url = format!("{}/mcp/{token}", server.origin);
        let reply = server.post_to(&url, &headers, &discover).await;
        assert_eq!(reply.status, status, "{token} {authorization:?}: {reply:?}");
        match status {
            401 => {
                assert_eq!(
                    reply.header("www-authenticate"),
                    Some("Bearer realm=\"freshservice-mcp\"")
                );
                assert!(reply.text.contains("Bearer <api token>"), "{reply:?}");
            }
            500 => assert!(
                !reply.text.contains("on fire"),
                "internal detail leaked: {reply:?}"
            ),
            _ => {}
        }
    }
    // Host and Origin are checked before the resolver is asked.
    let url = format!("{}/mcp/guarded", server.origin);
    let mut headers = modern.to_vec();
    headers.push(("origin", "http://evil.example.com"));
    assert_eq!(server.post_to(&url, &headers, &discover).await.status, 403);
}

#[tokio::test]
async fn sessions_are_bound_to_their_url_token() {
    let mock = MockServer::start().await;
    let resolver = StaticResolver::new()
        .with_service("token-a", service(Options::default(), &mock))
        .with_service("token-b", service(Options::default(), &mock));
    let server = HttpServer::serve(
        mcp_router(Arc::new(resolver), HttpConfig::default()),
        mock,
        "/mcp/token-a",
    )
    .await;
    let session = server.initialize().await;
    let ping = json!({"jsonrpc": "2.0", "id": 1, "method": "ping"});
    let headers = [("mcp-session-id", session.as_str())];
    let url_b = format!("{}/mcp/token-b", server.origin);
    assert_eq!(server.post_to(&url_b, &headers, &ping).await.status, 404);
    let reply = server.send_to(&url_b, Method::DELETE, &headers, None).await;
    assert_eq!(
        reply.status, 404,
        "a session cannot be ended from another token"
    );
    assert_eq!(server.post(&headers, &ping).await.status, 200);
    let url_c = format!("{}/mcp/token-c", server.origin);
    assert_eq!(server.post_to(&url_c, &headers, &ping).await.status, 404);
}

#[tokio::test]
async fn idle_sessions_expire() {
    let server = HttpServer::start_with(
        HttpConfig::default().with_session_idle_timeout(Duration::from_millis(1200)),
    )
    .await;
    let session = server.initialize().await;
    // Use keeps it alive: together these pauses outlast the idle timeout.
    for id in 0..3 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let reply = server.legacy(&session, id, "ping", json!({})).await;
        assert_eq!(reply.status, 200, "{reply:?}");
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        server.legacy(&session, 9, "ping", json!({})).await.status,
        404
    );
}

#[tokio::test]
async fn the_session_cap_drops_the_least_recently_used_session() {
    let server = HttpServer::start_with(HttpConfig::default().with_max_sessions(2)).await;
    let first = server.initialize().await;
    let second = server.initialize().await;
    assert_eq!(
        server.legacy(&first, 1, "ping", json!({})).await.status,
        200
    );
    let third = server.initialize().await;
    assert_eq!(
        server.legacy(&second, 2, "ping", json!({})).await.status,
        404
    );
    assert_eq!(
        server.legacy(&first, 3, "ping", json!({})).await.status,
        200
    );
    assert_eq!(
        server.legacy(&third, 4, "ping", json!({})).await.status,
        200
    );
}

#[tokio::test]
async fn a_call_that_logs_answers_with_an_event_stream() {
    let server = HttpServer::start().await;
    let session = server.initialize().await;
    let failing = json!({"name": GET_CHANGE, "arguments": {"change_id": "abc"}});
    // Before setLevel: no log, plain JSON.
    let quiet = server
        .legacy(&session, 1, "tools/call", failing.clone())
        .await;
    assert!(!quiet.is_sse(), "{quiet:?}");
    assert_eq!(quiet.json()["result"]["isError"], true);

    let set = server
        .legacy(&session, 2, "logging/setLevel", json!({"level": "warning"}))
        .await;
    assert_eq!(set.json()["result"], json!({}), "{set:?}");
    let loud = server
        .legacy(&session, 3, "tools/call", failing.clone())
        .await;
    assert_eq!(loud.status, 200);
    assert!(loud.is_sse(), "{loud:?}");
    assert_eq!(loud.header("cache-control"), Some("no-cache"));
    let messages = loud.messages();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert_eq!(messages[0]["method"], "notifications/message");
    assert_eq!(messages[0]["params"]["level"], "warning");
    assert_eq!(messages[0]["params"]["data"]["tool"], GET_CHANGE);
    assert_eq!(messages[1]["id"], 3);
    assert_eq!(messages[1]["result"]["isError"], true);

    // A client that only takes JSON gets the response alone.
    let json_only = server
        .post(
            &[("mcp-session-id", &session), ("accept", "application/json")],
            &json!({"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": failing}),
        )
        .await;
    assert!(!json_only.is_sse(), "{json_only:?}");
    assert_eq!(json_only.json()["id"], 4);
    assert!(server.mock.received_requests().await.unwrap().is_empty());
}

/// A fake Freshservice that accepts connections, reads requests and never answers, and reports
/// when a connection is closed by the other side.
pub(crate) struct HangingUpstream {
    pub(crate) url: String,
    accepted: mpsc::UnboundedReceiver<()>,
    closed: mpsc::UnboundedReceiver<()>,
}

impl HangingUpstream {
    pub(crate) async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (accepted_sender, accepted) = mpsc::unbounded_channel();
        let (closed_sender, closed) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let _ = accepted_sender.send(());
                let closed_sender = closed_sender.clone();
                tokio::spawn(async move {
                    let mut buffer = [0u8; 4096];
                    while let Ok(read) = socket.read(&mut buffer).await {
                        if read == 0 {
                            break;
                        }
                    }
                    let _ = closed_sender.send(());
                });
            }
        });
        Self {
            url,
            accepted,
            closed,
        }
    }

    /// Waits for a request to arrive.
    pub(crate) async fn expect_request(&mut self, wait: Duration) {
        tokio::time::timeout(wait, self.accepted.recv())
            .await
            .expect("no request reached the upstream")
            .expect("upstream gone");
    }

    /// `Some` once a connection was closed by the MCP server, within `wait`.
    pub(crate) async fn expect_closed(&mut self, wait: Duration) -> Option<()> {
        tokio::time::timeout(wait, self.closed.recv())
            .await
            .ok()
            .flatten()
    }
}

#[tokio::test]
async fn a_legacy_call_survives_a_dropped_connection_until_cancelled() {
    let mut upstream = HangingUpstream::start().await;
    let server = HttpServer::start_with_options(
        HttpConfig::default(),
        Options {
            base_url: Some(upstream.url.clone()),
            ..Options::default()
        },
    )
    .await;
    let session = server.initialize().await;
    let body = json!({"jsonrpc": "2.0", "id": 77, "method": "tools/call",
        "params": {"name": GET_CHANGE, "arguments": {"change_id": 1}}});
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(400))
        .build()
        .unwrap();
    let sent = impatient
        .post(&server.url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("mcp-session-id", &session)
        .body(body.to_string())
        .send()
        .await;
    assert!(sent.is_err(), "{sent:?}");
    upstream.expect_request(Duration::from_secs(1)).await;
    drop(impatient);
    // In the legacy era a dropped connection is not a cancellation.
    assert!(
        upstream
            .expect_closed(Duration::from_millis(700))
            .await
            .is_none(),
        "the call was cancelled by the dropped connection"
    );
    let cancel = server
        .post(
            &[("mcp-session-id", &session)],
            &json!({"jsonrpc": "2.0", "method": "notifications/cancelled",
                "params": {"requestId": 77, "reason": "user gave up"}}),
        )
        .await;
    assert_eq!(cancel.status, 202, "{cancel:?}");
    upstream
        .expect_closed(Duration::from_secs(5))
        .await
        .expect("notifications/cancelled did not stop the call");
}

#[tokio::test]
async fn a_cancelled_call_gets_no_response_message() {
    let mut upstream = HangingUpstream::start().await;
    let server = Arc::new(
        HttpServer::start_with_options(
            HttpConfig::default(),
            Options {
                base_url: Some(upstream.url.clone()),
                ..Options::default()
            },
        )
        .await,
    );
    let session = server.initialize().await;
    let call = {
        let server = Arc::clone(&server);
        let session = session.clone();
        tokio::spawn(async move {
            server
                .legacy(
                    &session,
                    5,
                    "tools/call",
                    json!({"name": GET_CHANGE, "arguments": {"change_id": 1}}),
                )
                .await
        })
    };
    upstream.expect_request(Duration::from_secs(2)).await;
    let cancel = server
        .post(
            &[("mcp-session-id", &session)],
            &json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 5}}),
        )
        .await;
    assert_eq!(cancel.status, 202);
    let reply = call.await.unwrap();
    assert_eq!(reply.status, 200, "{reply:?}");
    assert!(reply.is_sse(), "{reply:?}");
    assert!(reply.messages().is_empty(), "{reply:?}");
    // The id is free again.
    let reuse = server.legacy(&session, 5, "ping", json!({})).await;
    assert_eq!(reuse.json()["result"], json!({}), "{reuse:?}");
}

#[tokio::test]
async fn graceful_shutdown_lets_calls_in_flight_finish() {
    let mut server = HttpServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"change": {"id": 1}}))
                .set_delay(Duration::from_millis(600)),
        )
        .mount(&server.mock)
        .await;
    let session = server.initialize().await;
    let url = server.url.clone();
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": GET_CHANGE, "arguments": {"change_id": 1}}});
    let call = tokio::spawn({
        let session = session.clone();
        async move {
            reqwest::Client::new()
                .post(&url)
                .header("content-type", "application/json")
                .header("accept", "application/json")
                .header("mcp-session-id", session)
                .body(body.to_string())
                .send()
                .await
                .unwrap()
                .json::<serde_json::Value>()
                .await
                .unwrap()
        }
    });
    // Shut down only once the call is under way (it has reached Freshservice).
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while server.mock.received_requests().await.unwrap().is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "the call never reached Freshservice"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.begin_shutdown();
    let reply = call.await.unwrap();
    assert_eq!(
        reply["result"]["structuredContent"],
        json!({"change": {"id": 1}}),
        "{reply}"
    );
    server.shut_down().await;
    let refused = reqwest::Client::new()
        .post(&server.url)
        .body("{}")
        .send()
        .await;
    assert!(
        refused.is_err(),
        "still serving after shutdown: {refused:?}"
    );
}
