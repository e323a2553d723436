//! The sandbox is a wiremock server: users mount their own mocks on it and inspect what it received.

use freshservice_sandbox::Collection;
use freshservice_sandbox::Sandbox;
use serde_json::json;
use wiremock::{
    Mock, ResponseTemplate,
    matchers::{method, path},
};

use crate::support::Api;

#[tokio::test]
async fn extra_mocks_take_precedence_and_requests_are_recorded() {
    let sandbox = Sandbox::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/tickets/1"))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(sandbox.mock_server())
        .await;
    let api = Api::new(&sandbox);
    assert_eq!(api.get("/api/v2/tickets/1").await.status, 503);
    assert_eq!(api.get("/api/v2/tickets/2").await.status, 200);
    let created = api
        .post("/api/v2/problems/1/notes", json!({"body": "<p>seen</p>"}))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);

    let received = sandbox.mock_server().received_requests().await.unwrap();
    let seen: Vec<String> = received
        .iter()
        .map(|request| format!("{} {}", request.method, request.url.path()))
        .collect();
    assert_eq!(
        seen,
        vec![
            "GET /api/v2/tickets/1",
            "GET /api/v2/tickets/2",
            "POST /api/v2/problems/1/notes"
        ]
    );
    assert_eq!(
        received[2].body_json::<serde_json::Value>().unwrap(),
        json!({"body": "<p>seen</p>"})
    );
}

#[tokio::test]
async fn listen_on_a_chosen_address_and_report_bind_errors() {
    let sandbox = Sandbox::listen("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    assert!(sandbox.address().ip().is_loopback());
    assert_eq!(sandbox.uri(), format!("http://{}", sandbox.address()));
    assert_eq!(sandbox.base_url(), sandbox.uri());
    assert_eq!(
        Api::new(&sandbox).get("/api/v2/workspaces/2").await.status,
        200
    );
    let taken = Sandbox::listen(sandbox.address()).await;
    assert!(
        matches!(taken, Err(freshservice_sandbox::Error::Bind { .. })),
        "{taken:?}"
    );
    let quiet = Sandbox::builder().record_requests(false).start().await;
    Api::new(&quiet).get("/api/v2/tickets").await;
    assert!(quiet.mock_server().received_requests().await.is_none());
}

#[tokio::test]
async fn direct_inserts_and_snapshots() {
    let sandbox = Sandbox::builder()
        .seed(freshservice_sandbox::Seed::Empty)
        .start()
        .await;
    assert_eq!(sandbox.state().collections(), vec!["workspaces"]);
    let ticket = sandbox
        .insert(
            Collection::Tickets,
            json!({"subject": "Direct", "created_at": "@now-2d"}),
        )
        .unwrap();
    assert_eq!(ticket["id"], 1);
    assert_eq!(ticket["workspace_id"], 2);
    assert_eq!(ticket["status"], 2, "defaults are filled in");
    assert!(ticket["created_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(sandbox.state().get(Collection::Tickets, 1), Some(ticket));
    // An unknown collection is a compile error now (`Collection`); a record that is not an
    // object is still refused.
    assert!(sandbox.insert(Collection::Tickets, json!([1])).is_err());
}
