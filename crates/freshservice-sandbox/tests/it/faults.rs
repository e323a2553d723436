//! Faults injected through the public API only: error statuses that run out, a 429 burst with
//! `Retry-After`, a body that is not JSON, a slow answer, a faulted write that changes nothing,
//! and the re-exported wiremock for mocks of one's own.

use freshservice_sandbox::Collection;
use std::time::{Duration, Instant};

use freshservice_sandbox::wiremock::matchers::{method, path};
use freshservice_sandbox::wiremock::{Mock, ResponseTemplate};
use freshservice_sandbox::{Error, Fault, Sandbox};
use serde_json::json;

async fn call(sandbox: &Sandbox, verb: reqwest::Method, path: &str) -> reqwest::Response {
    let request = reqwest::Client::new()
        .request(verb.clone(), format!("{}{path}", sandbox.uri()))
        .basic_auth(sandbox.api_key(), Some("X"));
    let request = if verb == reqwest::Method::PUT {
        request.json(&json!({"subject": "changed by a faulted call"}))
    } else {
        request
    };
    request.send().await.unwrap()
}

#[tokio::test]
async fn injected_faults_apply_to_their_operation_and_run_out() {
    let sandbox = Sandbox::start().await;
    sandbox
        .inject(
            "get_single_freshservice_ticket_by_id",
            Fault::Status(503),
            Some(2),
        )
        .unwrap();
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(
            call(&sandbox, reqwest::Method::GET, "/api/v2/tickets/1")
                .await
                .status()
                .as_u16(),
        );
    }
    assert_eq!(statuses, [503, 503, 200]);
    // Other operations were never affected.
    assert_eq!(
        call(&sandbox, reqwest::Method::GET, "/api/v2/changes/1")
            .await
            .status(),
        200
    );

    sandbox
        .inject(
            "list_all_freshservice_changes",
            Fault::RateLimited {
                retry_after: Duration::from_secs(7),
            },
            Some(1),
        )
        .unwrap();
    let limited = call(&sandbox, reqwest::Method::GET, "/api/v2/changes").await;
    assert_eq!(limited.status(), 429);
    assert_eq!(limited.headers()["retry-after"], "7");
    assert_eq!(
        call(&sandbox, reqwest::Method::GET, "/api/v2/changes")
            .await
            .status(),
        200
    );

    sandbox
        .inject(
            "get_single_freshservice_ticket_by_id",
            Fault::MalformedBody,
            None,
        )
        .unwrap();
    for _ in 0..2 {
        let malformed = call(&sandbox, reqwest::Method::GET, "/api/v2/tickets/1").await;
        assert_eq!(malformed.status(), 200);
        let text = malformed.text().await.unwrap();
        assert!(
            serde_json::from_str::<serde_json::Value>(&text).is_err(),
            "{text}"
        );
    }
    sandbox.clear_faults();
    assert_eq!(
        call(&sandbox, reqwest::Method::GET, "/api/v2/tickets/1")
            .await
            .status(),
        200
    );

    sandbox
        .inject(
            "get_single_freshservice_change_by_id",
            Fault::Delay(Duration::from_millis(300)),
            Some(1),
        )
        .unwrap();
    let started = Instant::now();
    let slow = call(&sandbox, reqwest::Method::GET, "/api/v2/changes/1").await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    let body: serde_json::Value = slow.json().await.unwrap();
    assert_eq!(body["change"]["id"], 1, "a delayed call answers normally");
}

#[tokio::test]
async fn a_faulted_write_changes_nothing() {
    let sandbox = Sandbox::start().await;
    let before = sandbox.get(Collection::Tickets, 1).unwrap();
    sandbox
        .inject(
            "update_a_freshservice_ticket_by_id",
            Fault::Status(500),
            Some(1),
        )
        .unwrap();
    let refused = call(&sandbox, reqwest::Method::PUT, "/api/v2/tickets/1").await;
    assert_eq!(refused.status(), 500);
    assert_eq!(sandbox.get(Collection::Tickets, 1).unwrap(), before);
    let applied = call(&sandbox, reqwest::Method::PUT, "/api/v2/tickets/1").await;
    assert_eq!(applied.status(), 200);
    assert_eq!(
        sandbox.get(Collection::Tickets, 1).unwrap()["subject"],
        "changed by a faulted call"
    );
}

#[tokio::test]
async fn unknown_operations_are_refused_and_own_mocks_use_the_reexported_wiremock() {
    let sandbox = Sandbox::start().await;
    let error = sandbox
        .inject("get_a_tikcet", Fault::Status(500), None)
        .unwrap_err();
    assert!(matches!(error, Error::UnknownOperation { .. }), "{error}");
    assert!(error.to_string().contains("get_a_tikcet"));

    Mock::given(method("GET"))
        .and(path("/api/v2/tickets/3"))
        .respond_with(ResponseTemplate::new(418))
        .mount(sandbox.mock_server())
        .await;
    assert_eq!(
        call(&sandbox, reqwest::Method::GET, "/api/v2/tickets/3")
            .await
            .status(),
        418
    );
}
