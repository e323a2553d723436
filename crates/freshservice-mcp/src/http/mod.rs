//! The Streamable HTTP transport: an axum [`Router`](axum::Router) serving both protocol eras
//! on one endpoint, and [`serve_http`] to run it with graceful shutdown.
//!
//! Design note: the transport owns everything HTTP-shaped (status codes, headers, sessions,
//! DNS-rebinding checks, limits) and hands each JSON-RPC message to the transport-independent
//! [`McpService`](crate::McpService), exactly as the stdio transport does. Which service
//! answers is decided per request by a [`ServiceResolver`], so provisioning, authorization and
//! expiry live outside this module.

mod config;
mod endpoint;
mod headers;
mod resolver;
mod sessions;

use std::future::Future;

pub use config::HttpConfig;
pub use endpoint::{mcp_router, single_service_router};
pub use resolver::{ResolveError, ServiceResolver, StaticResolver};

/// Serves `router` on `listener` until `shutdown` completes, then stops accepting connections
/// and returns once the requests in flight have been answered (each is bounded by
/// [`HttpConfig::request_timeout`]).
///
/// # Errors
///
/// None in practice: accept errors are retried by axum. The `Result` leaves room for
/// listeners that can fail.
pub async fn serve_http<F>(
    listener: tokio::net::TcpListener,
    router: axum::Router,
    shutdown: F,
) -> std::io::Result<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
}
