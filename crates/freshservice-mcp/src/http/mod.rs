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
pub use sessions::{BackendError, SessionBackend};

/// Serves `router` on `listener` with the default [`HttpConfig`] connection limits; see
/// [`serve_http_with`].
///
/// # Errors
///
/// None in practice; see [`serve_http_with`].
pub async fn serve_http<F>(
    listener: tokio::net::TcpListener,
    router: axum::Router,
    shutdown: F,
) -> std::io::Result<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    serve_http_with(listener, router, &HttpConfig::default(), shutdown).await
}

/// Serves `router` on `listener` until `shutdown` completes, then stops accepting connections
/// and returns once the requests in flight have been answered (each is bounded by
/// [`HttpConfig::request_timeout`]). A client that has not sent a request's headers within
/// [`HttpConfig::header_read_timeout`] of its first byte is disconnected.
///
/// # Errors
///
/// None in practice: accept errors (a full descriptor table, an aborted handshake) are
/// retried after a pause. The `Result` leaves room for listeners that can fail.
pub async fn serve_http_with<F>(
    listener: tokio::net::TcpListener,
    router: axum::Router,
    config: &HttpConfig,
    shutdown: F,
) -> std::io::Result<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    use hyper_util::server::conn::auto::Builder;
    use hyper_util::server::graceful::GracefulShutdown;
    use hyper_util::service::TowerToHyperService;

    // axum::serve sets no timer, so hyper's header read timeout never fires there and a client
    // dribbling its headers keeps a connection forever (slowloris).
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(config.header_read_timeout);
    builder.http2().timer(TokioTimer::new());
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(_) => {
                    // Out of descriptors or a handshake aborted: pause rather than spin.
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(router.clone());
        let builder = builder.clone();
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let connection = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
            // A connection error is the client's problem (reset, timeout, bad framing).
            let _ = watcher.watch(connection).await;
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}
