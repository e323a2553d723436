//! The MCP endpoint mounted in an existing axum application, beside the application's own routes,
//! served with the connection limits of [`freshservice_mcp::serve_http_with`].
//!
//! ```sh
//! FRESHSERVICE_DOMAIN=acme FRESHSERVICE_API_KEY=... cargo run -p freshservice-mcp --example axum_app
//! # MCP clients connect to http://127.0.0.1:3000/mcp; the app's own page is at /status
//! ```

use axum::Router;
use axum::routing::get;
use freshservice_mcp::{HttpConfig, McpService, serve_http_with, single_service_router};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = freshservice_client::Client::builder()
        .domain(std::env::var("FRESHSERVICE_DOMAIN")?)
        .api_key(std::env::var("FRESHSERVICE_API_KEY")?)
        .build()?;
    let service = McpService::builder().client(client).build()?;
    // Loopback hosts and origins are allowed by default; add yours when serving a real name.
    let config = HttpConfig::default();
    let app = Router::new()
        .route("/status", get(|| async { "ok" }))
        // `single_service_router` serves both MCP protocol eras at `/mcp`, with no token: put your
        // own authentication in front of it (an axum middleware) when it leaves loopback.
        .merge(single_service_router(service, config.clone()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    serve_http_with(listener, app, &config, shutdown).await?;
    Ok(())
}
