//! The opt-in rate-limit handling against wiremock: retries on 429, the wait cap, pacing and cancellation.
//!
//! Waits are real but short (a paused tokio clock would fire the request timeout while waiting on the socket).
//! Timing checks are lower bounds, or upper bounds far below a wait that must not have happened.

use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use freshservice_client::{ApiRequest, Client, Error, Pacing, RetryPolicy};
use http::{Method, StatusCode};
use serde_json::json;
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{method, path},
};

use super::{KEY, builder_for, client_for};

const TICKET: &str = "/api/v2/tickets/1";

fn too_many(retry_after: Option<&str>) -> ResponseTemplate {
    let template = ResponseTemplate::new(429)
        .set_body_json(json!({"message": "You have exceeded the limit of requests per minute"}));
    match retry_after {
        Some(seconds) => template.insert_header("Retry-After", seconds),
        None => template,
    }
}

fn ok() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"ticket": {"id": 1}}))
}

fn budget(total: u64, remaining: u64) -> ResponseTemplate {
    ok().insert_header("X-Ratelimit-Total", total.to_string().as_str())
        .insert_header("X-Ratelimit-Remaining", remaining.to_string().as_str())
        .insert_header("X-Ratelimit-Used-CurrentRequest", "1")
}

/// Answers `verb` on the ticket with `first` for the first `times` requests, then with 200.
async fn first_then_ok(server: &MockServer, verb: &str, first: ResponseTemplate, times: u64) {
    Mock::given(method(verb))
        .and(path(TICKET))
        .respond_with(first)
        .up_to_n_times(times)
        .mount(server)
        .await;
    Mock::given(method(verb))
        .and(path(TICKET))
        .respond_with(ok())
        .mount(server)
        .await;
}

async fn always(server: &MockServer, template: ResponseTemplate) {
    Mock::given(path(TICKET))
        .respond_with(template)
        .mount(server)
        .await;
}

async fn requests(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

fn get() -> ApiRequest {
    ApiRequest::new(Method::GET, TICKET)
}

fn retrying(server: &MockServer) -> Client {
    builder_for(server)
        .retry_policy(RetryPolicy::on_rate_limit())
        .build()
        .unwrap()
}

fn assert_status(result: Result<freshservice_client::ApiResponse, Error>, expected: StatusCode) {
    match result {
        Err(error) => assert_eq!(error.status(), Some(expected), "{error:?}"),
        Ok(response) => panic!("expected {expected}, got {response:?}"),
    }
}

#[tokio::test]
async fn by_default_429_and_503_come_back_after_one_request() {
    for (label, template) in [
        ("429", too_many(Some("1"))),
        (
            "503",
            ResponseTemplate::new(503).insert_header("Retry-After", "1"),
        ),
    ] {
        let server = MockServer::start().await;
        first_then_ok(&server, "GET", template, 1).await;
        let started = Instant::now();
        let result = client_for(&server).send(get()).await;
        assert!(started.elapsed() < Duration::from_millis(900), "{label}");
        assert!(result.is_err(), "{label}: {result:?}");
        assert_eq!(requests(&server).await, 1, "{label}");
    }
}

#[tokio::test]
async fn a_get_that_hits_the_limit_is_repeated_after_retry_after() {
    let server = MockServer::start().await;
    first_then_ok(&server, "GET", too_many(Some("1")), 1).await;

    let started = Instant::now();
    let response = retrying(&server).send(get()).await.unwrap();
    assert_eq!(response.body, json!({"ticket": {"id": 1}}));
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(requests(&server).await, 2);
}

#[tokio::test]
async fn only_idempotent_methods_are_repeated() {
    for (verb, repeated) in [
        (Method::GET, true),
        (Method::HEAD, true),
        (Method::PUT, true),
        (Method::DELETE, true),
        (Method::POST, false),
        (Method::PATCH, false),
    ] {
        let server = MockServer::start().await;
        first_then_ok(&server, verb.as_str(), too_many(Some("0")), 1).await;
        let mut request = ApiRequest::new(verb.clone(), TICKET);
        if matches!(verb, Method::POST | Method::PUT | Method::PATCH) {
            request = request.with_body(json!({"subject": "x"}));
        }
        let result = retrying(&server).send(request).await;
        if repeated {
            assert!(result.is_ok(), "{verb}: {result:?}");
            assert_eq!(requests(&server).await, 2, "{verb}");
        } else {
            assert_status(result, StatusCode::TOO_MANY_REQUESTS);
            assert_eq!(requests(&server).await, 1, "{verb}");
        }
    }
}

#[tokio::test]
async fn a_create_is_never_repeated() {
    let server = MockServer::start().await;
    first_then_ok(&server, "POST", too_many(Some("1")), 1).await;
    let client = builder_for(&server)
        .retry_policy(
            RetryPolicy::on_rate_limit()
                .with_transient_errors()
                .with_max_attempts(5),
        )
        .build()
        .unwrap();

    let started = Instant::now();
    let request =
        ApiRequest::new(Method::POST, "/api/v2/tickets/1").with_body(json!({"subject": "x"}));
    let error = client.send(request).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_millis(900));
    assert_eq!(error.status(), Some(StatusCode::TOO_MANY_REQUESTS));
    assert_eq!(error.retry_after(), Some(Duration::from_secs(1)));
    assert_eq!(requests(&server).await, 1);
}

#[tokio::test]
async fn a_wait_over_the_cap_gives_up_at_once() {
    let server = MockServer::start().await;
    first_then_ok(&server, "GET", too_many(Some("30")), 1).await;
    let client = builder_for(&server)
        .retry_policy(RetryPolicy::on_rate_limit().with_max_total_wait(Duration::from_secs(2)))
        .build()
        .unwrap();

    let started = Instant::now();
    let error = client.send(get()).await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(error.status(), Some(StatusCode::TOO_MANY_REQUESTS));
    assert_eq!(error.retry_after(), Some(Duration::from_secs(30)));
    assert_eq!(requests(&server).await, 1);
}

#[tokio::test]
async fn attempts_are_capped_and_the_last_error_is_returned() {
    let server = MockServer::start().await;
    always(&server, too_many(Some("0"))).await;
    let client = builder_for(&server)
        .retry_policy(RetryPolicy::on_rate_limit().with_max_attempts(3))
        .build()
        .unwrap();

    assert_status(client.send(get()).await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(requests(&server).await, 3);
}

#[tokio::test]
async fn without_retry_after_the_retry_waits_one_window() {
    let server = MockServer::start().await;
    first_then_ok(&server, "GET", too_many(None), 1).await;
    let client = builder_for(&server)
        .rate_limit_window(Duration::from_millis(300))
        .retry_policy(RetryPolicy::on_rate_limit())
        .build()
        .unwrap();

    let started = Instant::now();
    client.send(get()).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(requests(&server).await, 2);
}

#[tokio::test]
async fn gateway_errors_are_repeated_only_when_asked_and_only_for_get() {
    let transient = RetryPolicy::on_rate_limit().with_transient_errors();
    for (verb, policy, expected_requests) in [
        (Method::GET, transient, 2),
        (Method::GET, RetryPolicy::on_rate_limit(), 1),
        (Method::PUT, transient, 1),
        (Method::DELETE, transient, 1),
    ] {
        let server = MockServer::start().await;
        first_then_ok(&server, verb.as_str(), ResponseTemplate::new(503), 1).await;
        // The backoff is never longer than the window, which keeps this test fast.
        let client = builder_for(&server)
            .rate_limit_window(Duration::from_millis(200))
            .retry_policy(policy)
            .build()
            .unwrap();
        let result = client.send(ApiRequest::new(verb.clone(), TICKET)).await;
        if expected_requests == 2 {
            assert!(result.is_ok(), "{verb}: {result:?}");
        } else {
            assert_status(result, StatusCode::SERVICE_UNAVAILABLE);
        }
        assert_eq!(
            requests(&server).await,
            expected_requests,
            "{verb} {policy:?}"
        );
    }
}

/// A server that closes every connection as soon as it is open.
#[tokio::test]
async fn broken_connections_are_repeated_for_get_only() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&connections);
    let server = tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            drop(socket);
        }
    });

    let client = Client::builder()
        .base_url(format!("http://{address}"))
        .api_key(KEY)
        .rate_limit_window(Duration::from_millis(100))
        .retry_policy(
            RetryPolicy::on_rate_limit()
                .with_transient_errors()
                .with_max_attempts(2),
        )
        .build()
        .unwrap();
    let error = client.send(get()).await.unwrap_err();
    assert!(matches!(error, Error::Communication { .. }), "{error:?}");
    assert_eq!(connections.load(Ordering::SeqCst), 2);

    let error = client
        .send(ApiRequest::new(Method::PUT, TICKET).with_body(json!({"status": 2})))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Communication { .. }), "{error:?}");
    assert_eq!(connections.load(Ordering::SeqCst), 3);
    server.abort();
}

#[tokio::test]
async fn pacing_waits_for_the_window_when_the_budget_is_low() {
    let server = MockServer::start().await;
    always(&server, budget(10, 1)).await;
    let window = Duration::from_millis(500);
    let client = builder_for(&server)
        .rate_limit_window(window)
        .pacing(Pacing::keep_free(0.2))
        .build()
        .unwrap();
    assert_eq!(client.last_rate_limit(), None);

    let started = Instant::now();
    client.send(get()).await.unwrap();
    let reading = client.last_rate_limit().unwrap();
    assert_eq!((reading.limit, reading.remaining), (Some(10), Some(1)));
    assert_eq!(reading.used, Some(1));
    assert_eq!(reading.window, Some(window));
    // 1 call left is under the 2 kept free; a clone shares the reading, so it waits too.
    client.clone().send(get()).await.unwrap();
    assert!(started.elapsed() >= window, "{:?}", started.elapsed());
    assert_eq!(requests(&server).await, 2);
}

#[tokio::test]
async fn pacing_does_not_wait_with_budget_to_spare_or_when_off() {
    let window = Duration::from_secs(5);
    for (remaining, pacing) in [(5, Pacing::keep_free(0.2)), (1, Pacing::none())] {
        let server = MockServer::start().await;
        always(&server, budget(10, remaining)).await;
        let client = builder_for(&server)
            .rate_limit_window(window)
            .pacing(pacing)
            .build()
            .unwrap();
        let started = Instant::now();
        for _ in 0..3 {
            client.send(get()).await.unwrap();
        }
        assert!(started.elapsed() < Duration::from_secs(4), "{pacing:?}");
        assert_eq!(client.last_rate_limit().unwrap().remaining, Some(remaining));
    }
}

#[tokio::test]
async fn pacing_waits_no_longer_than_the_cap_then_sends() {
    let server = MockServer::start().await;
    always(&server, budget(10, 0)).await;
    let client = builder_for(&server)
        .rate_limit_window(Duration::from_secs(10))
        .retry_policy(RetryPolicy::none().with_max_total_wait(Duration::from_millis(300)))
        .pacing(Pacing::keep_free(0.2))
        .build()
        .unwrap();

    client.send(get()).await.unwrap();
    let started = Instant::now();
    client.send(get()).await.unwrap();
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_millis(300), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    assert_eq!(requests(&server).await, 2);
}

#[tokio::test]
async fn pacing_honours_the_retry_after_of_a_429_passed_back() {
    let server = MockServer::start().await;
    first_then_ok(&server, "GET", too_many(Some("1")), 1).await;
    let client = builder_for(&server)
        .pacing(Pacing::keep_free(0.0))
        .build()
        .unwrap();

    let started = Instant::now();
    assert_status(client.send(get()).await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(requests(&server).await, 1);
    let reading = client.last_rate_limit().unwrap();
    assert!(
        reading
            .retry_after
            .is_some_and(|wait| wait <= Duration::from_secs(1))
    );
    client.send(get()).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(requests(&server).await, 2);
}

#[tokio::test]
async fn the_last_reading_expires_with_its_window() {
    let server = MockServer::start().await;
    always(&server, budget(100, 40)).await;
    let client = builder_for(&server)
        .rate_limit_window(Duration::from_millis(200))
        .build()
        .unwrap();

    client.send(get()).await.unwrap();
    assert_eq!(client.last_rate_limit().unwrap().remaining, Some(40));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(client.last_rate_limit(), None);
}

#[tokio::test]
async fn dropping_send_during_a_retry_wait_cancels_the_retry() {
    let server = MockServer::start().await;
    always(&server, too_many(Some("1"))).await;
    let client = retrying(&server);

    let cut_short = tokio::time::timeout(Duration::from_millis(300), client.send(get())).await;
    assert!(cut_short.is_err(), "{cut_short:?}");
    assert_eq!(requests(&server).await, 1);
    // Long enough for the retry to have gone out had the wait survived the drop.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(requests(&server).await, 1);
}

#[tokio::test]
async fn dropping_send_during_a_pacing_wait_cancels_the_request() {
    let server = MockServer::start().await;
    always(&server, budget(10, 0)).await;
    let client = builder_for(&server)
        .rate_limit_window(Duration::from_secs(1))
        .pacing(Pacing::keep_free(0.2))
        .build()
        .unwrap();

    client.send(get()).await.unwrap();
    let cut_short = tokio::time::timeout(Duration::from_millis(300), client.send(get())).await;
    assert!(cut_short.is_err(), "{cut_short:?}");
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(requests(&server).await, 1);
}
