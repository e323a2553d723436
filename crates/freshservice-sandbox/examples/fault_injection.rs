//! The sandbox in an integration test: a stateful fake Freshservice on 127.0.0.1, with faults
//! injected on chosen catalogue operations, and a mock of one's own through the re-exported
//! wiremock (it takes precedence over the sandbox).
//!
//! ```sh
//! cargo run -p freshservice-sandbox --example fault_injection
//! ```

use freshservice_sandbox::Collection;
use std::time::Duration;

use freshservice_sandbox::wiremock::matchers::{method, path};
use freshservice_sandbox::wiremock::{Mock, ResponseTemplate};
use freshservice_sandbox::{Fault, Sandbox};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start().await;
    // Ticket reads answer 503 twice, then normally again; change lists get a 429 burst.
    sandbox.inject(
        "get_single_freshservice_ticket_by_id",
        Fault::Status(503),
        Some(2),
    )?;
    sandbox.inject(
        "list_all_freshservice_changes",
        Fault::RateLimited {
            retry_after: Duration::from_secs(5),
        },
        Some(3),
    )?;
    // A mock of one's own for one path.
    Mock::given(method("GET"))
        .and(path("/api/v2/tickets/3"))
        .respond_with(ResponseTemplate::new(404))
        .mount(sandbox.mock_server())
        .await;

    let http = reqwest::Client::new();
    let get = |path: &str| {
        http.get(format!("{}{path}", sandbox.uri()))
            .basic_auth(sandbox.api_key(), Some("X"))
            .send()
    };
    let mut statuses = Vec::new();
    for path in [
        "/api/v2/tickets/2",
        "/api/v2/tickets/2",
        "/api/v2/tickets/2",
        "/api/v2/changes",
        "/api/v2/tickets/3",
    ] {
        statuses.push(get(path).await?.status().as_u16());
    }
    assert_eq!(statuses, [503, 503, 200, 429, 404]);
    println!(
        "answers {statuses:?}; the sandbox holds {} tickets",
        sandbox.records(Collection::Tickets).len()
    );
    Ok(())
}
