//! A Freshservice MCP server on stdin/stdout in a few lines: what `freshservice-mcp stdio` does.
//!
//! ```sh
//! FRESHSERVICE_DOMAIN=acme FRESHSERVICE_API_KEY=... cargo run -p freshservice-mcp --example stdio_server
//! ```

use freshservice_mcp::{AccountFields, McpService, ToolFilter, serve_stdio};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = freshservice_client::Client::builder()
        .domain(std::env::var("FRESHSERVICE_DOMAIN")?)
        .api_key(std::env::var("FRESHSERVICE_API_KEY")?)
        .build()?;
    let service = McpService::builder()
        // The account's own statuses, sources and custom fields shape the schemas.
        .account_fields(AccountFields::new(client.clone()))
        .client(client)
        // Reads of changes and tickets only; the exposure is `auto` unless you choose one.
        .filter(ToolFilter::parse("read", "changes,tickets")?)
        .build()?;
    serve_stdio(service).await?;
    Ok(())
}
