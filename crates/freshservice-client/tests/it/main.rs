//! End-to-end tests of `freshservice-client` against wiremock (and one raw TCP server) on 127.0.0.1.

use std::time::Duration;

use base64::Engine as _;
use freshservice_client::{ApiRequest, Client, ClientBuilder, Error};
use http::{Method, StatusCode};
use serde_json::json;
use wiremock::{
    Mock, MockServer, Request, ResponseTemplate,
    matchers::{body_json, header, method, path},
};

mod rate_limit;

const KEY: &str = "Zq8sEcReTaPiKeY42";

fn basic_credentials() -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("{KEY}:X"))
}

fn builder_for(server: &MockServer) -> ClientBuilder {
    Client::builder().base_url(server.uri()).api_key(KEY)
}

fn client_for(server: &MockServer) -> Client {
    builder_for(server).build().unwrap()
}

/// The key, raw or encoded, must never show up in what an error prints.
fn assert_no_secret(error: &Error) {
    for text in [error.to_string(), format!("{error:?}")] {
        assert!(!text.contains(KEY), "{text}");
        assert!(!text.contains(&basic_credentials()), "{text}");
    }
}

async fn expect_error(client: &Client, request: ApiRequest) -> Error {
    let error = client
        .send(request)
        .await
        .expect_err("the request should fail");
    assert_no_secret(&error);
    error
}

#[tokio::test]
async fn sends_basic_auth_and_accept_headers() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/tickets/1"))
        .and(header(
            "authorization",
            format!("Basic {}", basic_credentials()).as_str(),
        ))
        .and(header("accept", "application/json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ticket": {"id": 1}})))
        .expect(1)
        .mount(&server)
        .await;

    let response = client_for(&server)
        .send(ApiRequest::new(Method::GET, "/api/v2/tickets/1"))
        .await
        .unwrap();
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.body, json!({"ticket": {"id": 1}}));

    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 1);
    // The documented header value for key `Zq8sEcReTaPiKeY42` is base64 of `Zq8sEcReTaPiKeY42:X`.
    assert_eq!(
        received[0].headers["authorization"],
        "Basic WnE4c0VjUmVUYVBpS2VZNDI6WA=="
    );
    assert!(
        received[0].headers.get("content-type").is_none(),
        "no body, so no content type"
    );
    assert!(
        received[0].headers["user-agent"]
            .to_str()
            .unwrap()
            .starts_with("freshservice-client/")
    );
}

#[tokio::test]
async fn encoded_path_and_query_arrive_intact_under_a_base_prefix() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/prefix/api/v2/tickets/filter"))
        .and(|request: &Request| request.url.query() == Some("query=%22priority%3A3%22&page=2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"tickets": [], "total": 0})))
        .expect(1)
        .mount(&server)
        .await;

    let client = Client::builder()
        .base_url(format!("{}/prefix", server.uri()))
        .api_key(KEY)
        .build()
        .unwrap();
    let response = client
        .send(ApiRequest::new(
            Method::GET,
            "/api/v2/tickets/filter?query=%22priority%3A3%22&page=2",
        ))
        .await
        .unwrap();
    assert_eq!(response.body, json!({"tickets": [], "total": 0}));
}

#[tokio::test]
async fn posts_json_and_reads_201() {
    let server = MockServer::start().await;
    let ticket = json!({"subject": "Printer on fire", "priority": 4, "email": "a@b.c"});
    Mock::given(method("POST"))
        .and(path("/api/v2/tickets"))
        .and(header("content-type", "application/json"))
        .and(body_json(&ticket))
        .respond_with(
            ResponseTemplate::new(201)
                .insert_header("location", "https://acme.freshservice.com/api/v2/tickets/7")
                .set_body_json(json!({"ticket": {"id": 7}})),
        )
        .expect(1)
        .mount(&server)
        .await;

    let response = client_for(&server)
        .send(ApiRequest::new(Method::POST, "/api/v2/tickets").with_body(ticket))
        .await
        .unwrap();
    assert_eq!(response.status, StatusCode::CREATED);
    assert_eq!(response.body, json!({"ticket": {"id": 7}}));
    assert_eq!(
        response.headers["location"],
        "https://acme.freshservice.com/api/v2/tickets/7"
    );
}

#[tokio::test]
async fn no_content_and_empty_bodies_are_null() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path("/api/v2/tickets/7"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/api/v2/tickets/7/restore"))
        .respond_with(ResponseTemplate::new(200).set_body_string("  \n"))
        .mount(&server)
        .await;

    let client = client_for(&server);
    let deleted = client
        .send(ApiRequest::new(Method::DELETE, "/api/v2/tickets/7"))
        .await
        .unwrap();
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(deleted.body, serde_json::Value::Null);
    let restored = client
        .send(ApiRequest::new(Method::PUT, "/api/v2/tickets/7/restore"))
        .await
        .unwrap();
    assert_eq!(restored.status, StatusCode::OK);
    assert_eq!(restored.body, serde_json::Value::Null);
}

#[tokio::test]
async fn reads_rate_limit_headers_and_fills_in_the_window() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/agents"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("X-Ratelimit-Total", "100")
                .insert_header("X-Ratelimit-Remaining", "99")
                .insert_header("X-Ratelimit-Used-CurrentRequest", "1")
                .set_body_json(json!({"agents": []})),
        )
        .mount(&server)
        .await;

    let request = || ApiRequest::new(Method::GET, "/api/v2/agents");
    let response = client_for(&server).send(request()).await.unwrap();
    assert_eq!(response.rate_limit.limit, Some(100));
    assert_eq!(response.rate_limit.remaining, Some(99));
    assert_eq!(response.rate_limit.used, Some(1));
    assert_eq!(response.rate_limit.window, Some(Duration::from_secs(60)));

    let custom = builder_for(&server)
        .rate_limit_window(Duration::from_secs(3600))
        .build()
        .unwrap();
    let response = custom.send(request()).await.unwrap();
    assert_eq!(response.rate_limit.window, Some(Duration::from_secs(3600)));
}

#[tokio::test]
async fn too_many_requests_is_returned_once_without_retrying() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/tickets"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "30")
                .insert_header("content-type", "application/json; charset=utf-8")
                .set_body_json(
                    json!({"message": "You have exceeded the limit of requests per minute"}),
                ),
        )
        .expect(1)
        .mount(&server)
        .await;

    let error = expect_error(
        &client_for(&server),
        ApiRequest::new(Method::GET, "/api/v2/tickets"),
    )
    .await;
    assert!(
        matches!(
            error,
            Error::Api {
                status: StatusCode::TOO_MANY_REQUESTS,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(error.status(), Some(StatusCode::TOO_MANY_REQUESTS));
    assert_eq!(error.retry_after(), Some(Duration::from_secs(30)));
    assert_eq!(
        error.rate_limit().and_then(|status| status.retry_after),
        Some(Duration::from_secs(30))
    );
    assert!(error.is_retryable());
    assert_eq!(
        error.to_string(),
        "freshservice answered 429 Too Many Requests: You have exceeded the limit of requests per minute; \
         rate limit reached, retry after 30 s"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn validation_errors_are_parsed() {
    let server = MockServer::start().await;
    let body = json!({
        "description": "Validation failed",
        "errors": [
            {"field": "priority", "message": "It should be one of these values: '1,2,3,4'", "code": "invalid_value"},
            {"field": "email", "message": "It should be a valid email address", "code": "missing_field"}
        ]
    });
    Mock::given(method("POST"))
        .and(path("/api/v2/tickets"))
        .respond_with(ResponseTemplate::new(400).set_body_json(&body))
        .mount(&server)
        .await;

    let request =
        ApiRequest::new(Method::POST, "/api/v2/tickets").with_body(json!({"priority": 9}));
    let error = expect_error(&client_for(&server), request).await;
    assert_eq!(error.status(), Some(StatusCode::BAD_REQUEST));
    assert!(!error.is_retryable());
    let parsed = error.api_body().unwrap();
    assert_eq!(parsed.description.as_deref(), Some("Validation failed"));
    assert_eq!(parsed.errors.len(), 2);
    assert_eq!(parsed.errors[0].field.as_deref(), Some("priority"));
    assert_eq!(parsed.errors[0].code.as_deref(), Some("invalid_value"));
    assert_eq!(
        parsed.errors[1].message.as_deref(),
        Some("It should be a valid email address")
    );
    assert_eq!(
        error.to_string(),
        "freshservice answered 400 Bad Request: Validation failed; \
         priority: It should be one of these values: '1,2,3,4' (invalid_value); \
         email: It should be a valid email address (missing_field)"
    );
    let Error::Api { raw_body, .. } = &error else {
        panic!("{error:?}")
    };
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(raw_body).unwrap(),
        body
    );
}

#[tokio::test]
async fn server_error_with_html_keeps_a_truncated_raw_body() {
    let server = MockServer::start().await;
    let html = format!(
        "<html><body>{}</body></html>",
        "Something went wrong. ".repeat(200)
    );
    Mock::given(method("GET"))
        .and(path("/api/v2/problems"))
        .respond_with(ResponseTemplate::new(500).set_body_raw(html.clone(), "text/html"))
        .mount(&server)
        .await;

    let error = expect_error(
        &client_for(&server),
        ApiRequest::new(Method::GET, "/api/v2/problems"),
    )
    .await;
    assert_eq!(error.status(), Some(StatusCode::INTERNAL_SERVER_ERROR));
    assert!(!error.is_retryable());
    assert_eq!(error.api_body(), None);
    assert_eq!(
        error.to_string(),
        "freshservice answered 500 Internal Server Error: no error details in the response body"
    );
    let Error::Api {
        raw_body, headers, ..
    } = &error
    else {
        panic!("{error:?}")
    };
    assert_eq!(raw_body.len(), 2048);
    assert!(html.starts_with(raw_body.as_str()));
    assert_eq!(headers["content-type"], "text/html");
}

#[tokio::test]
async fn gateway_errors_are_retryable() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/changes"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;

    let error = expect_error(
        &client_for(&server),
        ApiRequest::new(Method::GET, "/api/v2/changes"),
    )
    .await;
    assert_eq!(error.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    assert!(error.is_retryable());
    assert_eq!(error.retry_after(), None);
}

#[tokio::test]
async fn garbage_success_body_is_an_invalid_payload() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/assets"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw("<html>maintenance</html>", "text/html"),
        )
        .mount(&server)
        .await;

    let error = expect_error(
        &client_for(&server),
        ApiRequest::new(Method::GET, "/api/v2/assets"),
    )
    .await;
    match &error {
        Error::InvalidResponsePayload {
            status, snippet, ..
        } => {
            assert_eq!(*status, StatusCode::OK);
            assert_eq!(snippet, "<html>maintenance</html>");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(error.status(), Some(StatusCode::OK));
    assert!(error.to_string().contains("not JSON"), "{error}");
}

#[tokio::test]
async fn oversize_body_is_refused() {
    let server = MockServer::start().await;
    let big = json!({"tickets": ["x".repeat(4096)]});
    Mock::given(method("GET"))
        .and(path("/api/v2/tickets"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&big))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/agents"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"agents": []})))
        .mount(&server)
        .await;

    let client = builder_for(&server)
        .max_response_bytes(1024)
        .build()
        .unwrap();
    let error = expect_error(&client, ApiRequest::new(Method::GET, "/api/v2/tickets")).await;
    assert!(
        matches!(error, Error::ResponseTooLarge { limit: 1024 }),
        "{error:?}"
    );
    // A body under the limit still passes.
    let small = client
        .send(ApiRequest::new(Method::GET, "/api/v2/agents"))
        .await
        .unwrap();
    assert_eq!(small.body, json!({"agents": []}));
}

/// A server that streams a chunked body without end, so a client that buffered everything would never finish.
#[tokio::test]
async fn endless_chunked_body_stops_at_the_limit() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut request = vec![0_u8; 4096];
        let _ = socket.read(&mut request).await.unwrap();
        socket
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n")
            .await
            .unwrap();
        let chunk = format!("400\r\n{}\r\n", "a".repeat(0x400));
        let mut sent = 0_usize;
        while socket.write_all(chunk.as_bytes()).await.is_ok() {
            sent += 0x400;
            if sent > 64 * 1024 * 1024 {
                break;
            }
        }
        sent
    });

    let client = Client::builder()
        .base_url(format!("http://{address}"))
        .api_key(KEY)
        .max_response_bytes(8 * 1024)
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    let error = expect_error(&client, ApiRequest::new(Method::GET, "/api/v2/tickets")).await;
    assert!(
        matches!(error, Error::ResponseTooLarge { limit: 8192 }),
        "{error:?}"
    );
    drop(client);
    let sent = server.await.unwrap();
    assert!(
        sent < 64 * 1024 * 1024,
        "the client kept reading: {sent} bytes"
    );
}

#[tokio::test]
async fn slow_answer_times_out() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/tickets"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({}))
                .set_delay(Duration::from_secs(5)),
        )
        .mount(&server)
        .await;

    let client = builder_for(&server)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let error = expect_error(&client, ApiRequest::new(Method::GET, "/api/v2/tickets")).await;
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "took {:?}",
        started.elapsed()
    );
    assert!(
        matches!(error, Error::Timeout { after } if after == Duration::from_millis(300)),
        "{error:?}"
    );
    assert!(error.is_retryable());
    let message = error.to_string();
    assert!(
        message.contains("300 ms") && message.contains("may or may not have reached"),
        "{message}"
    );
}

#[tokio::test]
async fn refused_connection_is_a_communication_error() {
    let address = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    // The listener is dropped here, so the port refuses connections.
    let client = Client::builder()
        .base_url(format!("http://{address}"))
        .api_key(KEY)
        .build()
        .unwrap();
    let error = expect_error(&client, ApiRequest::new(Method::GET, "/api/v2/tickets")).await;
    assert!(matches!(error, Error::Communication { .. }), "{error:?}");
    assert!(error.is_retryable());
    assert_eq!(error.status(), None);
    assert!(
        error
            .to_string()
            .starts_with("could not talk to freshservice: "),
        "{error}"
    );
}

#[tokio::test]
async fn follows_the_next_link_to_the_second_page() {
    let server = MockServer::start().await;
    let page2 = format!("{}/api/v2/tickets?filter=all_tickets&page=2", server.uri());
    Mock::given(method("GET"))
        .and(path("/api/v2/tickets"))
        .and(|request: &Request| request.url.query() == Some("filter=all_tickets"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("link", format!("< {page2}>;rel=\"next\"").as_str())
                .set_body_json(json!({"tickets": [{"id": 1}]})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/tickets"))
        .and(|request: &Request| request.url.query() == Some("filter=all_tickets&page=2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"tickets": [{"id": 2}]})))
        .mount(&server)
        .await;

    let client = client_for(&server);
    let first = client
        .send(ApiRequest::new(
            Method::GET,
            "/api/v2/tickets?filter=all_tickets",
        ))
        .await
        .unwrap();
    let next = first.next_page_url().unwrap();
    assert_eq!(next, page2);
    let next_path = client.relative_path_and_query(&next).unwrap();
    assert_eq!(next_path, "/api/v2/tickets?filter=all_tickets&page=2");
    let second = client
        .send(ApiRequest::new(Method::GET, next_path))
        .await
        .unwrap();
    assert_eq!(second.body, json!({"tickets": [{"id": 2}]}));
    assert_eq!(second.next_page_url(), None);

    let foreign = client.relative_path_and_query("https://evil.example/api/v2/tickets?page=2");
    assert!(
        matches!(foreign, Err(Error::InvalidRequest { .. })),
        "{foreign:?}"
    );
}

#[tokio::test]
async fn paths_outside_the_api_are_refused_before_sending() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    for bad in [
        "/api/v1/tickets",
        "/admin",
        "//evil.example/api/v2/tickets",
        "http://evil.example/api/v2/tickets",
        "/api/v2/redirect?to=https://evil.example",
        "/api/v2/../../admin",
        "/api/v2/tickets?query=\"priority:3\"",
    ] {
        let error = expect_error(&client, ApiRequest::new(Method::GET, bad)).await;
        assert!(
            matches!(error, Error::InvalidRequest { .. }),
            "{bad}: {error:?}"
        );
        assert!(!error.is_retryable());
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn redirects_are_reported_not_followed() {
    let server = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&elsewhere)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/tickets"))
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("location", format!("{}/steal", elsewhere.uri()).as_str()),
        )
        .expect(1)
        .mount(&server)
        .await;

    let error = expect_error(
        &client_for(&server),
        ApiRequest::new(Method::GET, "/api/v2/tickets"),
    )
    .await;
    assert_eq!(error.status(), Some(StatusCode::FOUND));
    assert!(
        error.to_string().contains("redirects are not followed"),
        "{error}"
    );
}

#[tokio::test]
async fn echoed_credentials_are_scrubbed_from_errors() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/tickets"))
        .respond_with(|request: &Request| {
            let echoed = request.headers["authorization"]
                .to_str()
                .unwrap()
                .to_owned();
            ResponseTemplate::new(401).set_body_json(json!({
                "code": "invalid_credentials",
                "message": format!("bad credentials {echoed} for key {KEY}"),
            }))
        })
        .mount(&server)
        .await;

    let error = expect_error(
        &client_for(&server),
        ApiRequest::new(Method::GET, "/api/v2/tickets"),
    )
    .await;
    assert_eq!(
        error.to_string(),
        "freshservice answered 401 Unauthorized: bad credentials Basic [redacted] for key [redacted] \
         (invalid_credentials); check the api key"
    );
    let Error::Api { raw_body, .. } = &error else {
        panic!("{error:?}")
    };
    assert!(raw_body.contains("[redacted]"), "{raw_body}");
}

#[test]
fn builder_rejects_bad_settings() {
    let check =
        |builder: ClientBuilder, expected_setting: &str, fragment: &str| match builder.build() {
            Err(Error::InvalidConfig { setting, reason }) => {
                assert_eq!(setting, expected_setting, "{reason}");
                assert!(reason.contains(fragment), "{reason}");
                assert!(!reason.contains(KEY), "{reason}");
            }
            other => panic!("expected InvalidConfig for {expected_setting}, got {other:?}"),
        };
    check(
        Client::builder()
            .api_key(KEY)
            .base_url("http://acme.freshservice.com"),
        "base_url",
        "use https",
    );
    check(
        Client::builder()
            .api_key(KEY)
            .base_url("http://192.168.1.10:8080"),
        "base_url",
        "use https",
    );
    check(Client::builder().api_key(KEY), "domain", "missing");
    check(Client::builder().domain("acme"), "api_key", "missing");
    check(
        Client::builder().domain("acme!").api_key(KEY),
        "domain",
        "may only contain",
    );

    let client = Client::builder()
        .api_key(KEY)
        .base_url("http://localhost:8080")
        .build()
        .unwrap();
    assert_eq!(client.base_url().as_str(), "http://localhost:8080/");
    let client = Client::builder()
        .api_key(KEY)
        .domain("Acme.FreshService.com")
        .build()
        .unwrap();
    assert_eq!(client.base_url().as_str(), "https://acme.freshservice.com/");
    let debug = format!("{client:?}");
    assert!(
        !debug.contains(KEY) && !debug.contains(&basic_credentials()),
        "{debug}"
    );
}
