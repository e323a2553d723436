//! Provisioning an MCP server over `freshservice-mcp serve`'s admin API: an integrated account
//! (its API key is sealed at rest), then a read-only server for its changes that expires, and the
//! URL an MCP client connects to.
//!
//! ```sh
//! # serve running with FRESHSERVICE_MCP_ADMIN_KEY set:
//! SERVE_URL=http://127.0.0.1:8080 FRESHSERVICE_MCP_ADMIN_KEY=... FRESHSERVICE_DOMAIN=acme \
//!   FRESHSERVICE_API_KEY=... cargo run -p freshservice-mcp-server --example provision
//! ```

use serde_json::{Value, json};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let base = std::env::var("SERVE_URL").unwrap_or_else(|_| "http://127.0.0.1:8080".into());
    let admin_key = std::env::var("FRESHSERVICE_MCP_ADMIN_KEY")?;
    let http = reqwest::Client::new();
    let post = |path: String, body: Value| {
        http.post(format!("{base}{path}"))
            .bearer_auth(&admin_key)
            .json(&body)
            .send()
    };
    let account: Value = post(
        "/integrated-account".into(),
        json!({
            "name": "Acme",
            "domain": std::env::var("FRESHSERVICE_DOMAIN")?,
            "api_key": std::env::var("FRESHSERVICE_API_KEY")?,
        }),
    )
    .await?
    .error_for_status()?
    .json()
    .await?;
    let account_id = account["id"]
        .as_str()
        .ok_or("no account id in the answer")?;
    let server: Value = post(
        format!("/integrated-account/{account_id}/mcp"),
        json!({
            "name": "Change desk (read only)",
            "config": {"methods": ["read"], "tags": ["changes"], "tool_exposure": "auto"},
            "expires_at": "2030-01-31T12:00:00Z",
        }),
    )
    .await?
    .error_for_status()?
    .json()
    .await?;
    // The URL holds the server's token: it is shown once, so hand it to the client now.
    println!("{}", server["url"].as_str().ok_or("no url in the answer")?);
    Ok(())
}
