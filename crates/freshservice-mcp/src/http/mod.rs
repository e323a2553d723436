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
/// [`HttpConfig::request_timeout`]).
///
/// Connections are limited so that clients who send nothing cannot hold the server: at most
/// [`HttpConfig::max_connections`] are open at once; a connection that has not sent a complete
/// first request within [`HttpConfig::first_request_timeout`] of being accepted (nothing at all,
/// half an HTTP/2 preface, endless headers) is closed, and so is one that stays idle for
/// [`HttpConfig::idle_timeout`] between requests; HTTP/2 connections are pinged every
/// [`HttpConfig::http2_keep_alive_interval`]. A client that has not sent a request's headers
/// within [`HttpConfig::header_read_timeout`] of their first byte is disconnected.
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
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(config.http2_keep_alive_interval)
        .keep_alive_timeout(config.http2_keep_alive_timeout);
    let permits = std::sync::Arc::new(tokio::sync::Semaphore::new(config.max_connections));
    let limits = watchdog::Limits {
        first_request: config.first_request_timeout,
        idle: config.idle_timeout,
    };
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        // At the cap, stop accepting: new connections wait in the backlog until one closes.
        let permit = tokio::select! {
            permit = std::sync::Arc::clone(&permits).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
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
        let activity = watchdog::Activity::new();
        let service =
            TowerToHyperService::new(watchdog::Tracked::new(router.clone(), activity.clone()));
        let builder = builder.clone();
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let connection = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
            // A connection error is the client's problem (reset, timeout, bad framing); an idle
            // connection is dropped, which closes its socket.
            let _ = activity.watch(watcher.watch(connection), limits).await;
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// Closing connections that hold a slot without asking anything.
mod watchdog {
    use std::future::Future;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};
    use std::task::{Context, Poll};
    use std::time::Duration;

    use tokio::time::Instant;

    /// How long a connection may hold its slot without a request in flight.
    #[derive(Debug, Clone, Copy)]
    pub(super) struct Limits {
        /// From accept to the first request.
        pub(super) first_request: Duration,
        /// From one answer to the next request.
        pub(super) idle: Duration,
    }

    /// What one connection is doing: requests in flight, and when it last stopped working.
    #[derive(Debug, Clone)]
    pub(super) struct Activity(Arc<State>);

    #[derive(Debug)]
    struct State {
        in_flight: AtomicUsize,
        /// When the connection was accepted, or answered its last request.
        idle_since: Mutex<Instant>,
        answered: AtomicUsize,
    }

    impl Activity {
        pub(super) fn new() -> Self {
            Self(Arc::new(State {
                in_flight: AtomicUsize::new(0),
                idle_since: Mutex::new(Instant::now()),
                answered: AtomicUsize::new(0),
            }))
        }

        /// Runs `connection` until it ends, or until it has been idle longer than `limits`
        /// allow, in which case it is dropped.
        pub(super) async fn watch<C: Future>(
            &self,
            connection: C,
            limits: Limits,
        ) -> Option<C::Output> {
            let mut connection = std::pin::pin!(connection);
            loop {
                // While a request runs, the request's own timeout bounds it: look again later.
                let deadline = if self.0.in_flight.load(Ordering::Acquire) > 0 {
                    Instant::now() + limits.first_request.min(limits.idle)
                } else {
                    self.deadline(limits)
                };
                tokio::select! {
                    output = &mut connection => return Some(output),
                    () = tokio::time::sleep_until(deadline) => {
                        if self.0.in_flight.load(Ordering::Acquire) == 0
                            && Instant::now() >= self.deadline(limits)
                        {
                            return None;
                        }
                    }
                }
            }
        }

        fn deadline(&self, limits: Limits) -> Instant {
            let since = *self.0.idle_since.lock().unwrap_or_else(|p| p.into_inner());
            let allowed = if self.0.answered.load(Ordering::Acquire) == 0 {
                limits.first_request
            } else {
                limits.idle
            };
            since + allowed
        }

        fn started(&self) {
            self.0.in_flight.fetch_add(1, Ordering::AcqRel);
        }

        fn finished(&self) {
            *self.0.idle_since.lock().unwrap_or_else(|p| p.into_inner()) = Instant::now();
            self.0.answered.fetch_add(1, Ordering::AcqRel);
            self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
        }
    }

    /// A tower service that tells its connection's [`Activity`] when requests start and end.
    #[derive(Debug, Clone)]
    pub(super) struct Tracked<S> {
        inner: S,
        activity: Activity,
    }

    impl<S> Tracked<S> {
        pub(super) fn new(inner: S, activity: Activity) -> Self {
            Self { inner, activity }
        }
    }

    /// Marks a request finished when its future completes or is dropped.
    struct Finish(Activity);

    impl Drop for Finish {
        fn drop(&mut self) {
            self.0.finished();
        }
    }

    impl<S, R> tower_service::Service<R> for Tracked<S>
    where
        S: tower_service::Service<R>,
        S::Future: Send + 'static,
    {
        type Response = S::Response;
        type Error = S::Error;
        type Future = std::pin::Pin<Box<dyn Future<Output = Result<S::Response, S::Error>> + Send>>;

        fn poll_ready(&mut self, context: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
            self.inner.poll_ready(context)
        }

        fn call(&mut self, request: R) -> Self::Future {
            self.activity.started();
            let finish = Finish(self.activity.clone());
            let future = self.inner.call(request);
            Box::pin(async move {
                let output = future.await;
                drop(finish);
                output
            })
        }
    }
}
