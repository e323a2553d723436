//! The sandbox in an integration test: a stateful fake Freshservice on 127.0.0.1, with a fault
//! mounted on one operation (your own wiremock mocks take precedence over the sandbox).
//!
//! ```sh
//! cargo run -p freshservice-sandbox --example fault_injection
//! ```

use freshservice_sandbox::Sandbox;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

#[tokio::main]
async fn main() {
    let sandbox = Sandbox::start().await;
    // Ticket 2 answers 503 twice, then the sandbox serves it again.
    Mock::given(method("GET"))
        .and(path("/api/v2/tickets/2"))
        .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", "1"))
        .up_to_n_times(2)
        .mount(sandbox.mock_server())
        .await;

    let http = reqwest::Client::new();
    let get = |id: u32| {
        http.get(format!("{}/api/v2/tickets/{id}", sandbox.uri()))
            .basic_auth(sandbox.api_key(), Some("X"))
            .send()
    };
    let statuses = [
        get(2).await.unwrap().status().as_u16(),
        get(2).await.unwrap().status().as_u16(),
        get(2).await.unwrap().status().as_u16(),
    ];
    assert_eq!(statuses, [503, 503, 200]);
    // The sandbox's state, for assertions.
    assert!(!sandbox.records("tickets").is_empty());
    println!(
        "ticket 2 answered {statuses:?}; the sandbox holds {} tickets",
        sandbox.records("tickets").len()
    );
}
