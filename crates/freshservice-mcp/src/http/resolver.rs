//! How a request's URL token becomes the [`McpService`] that serves it.
//!
//! The router knows nothing about provisioning: a server that keeps its MCP servers in a
//! database implements [`ServiceResolver`]; [`StaticResolver`] covers tests and fixed setups.

use std::collections::HashMap;

use crate::McpService;

/// Finds the service behind a URL token. Called once per HTTP request, before the body is read,
/// so authorization, expiry and revocation take effect on the very next request.
#[async_trait::async_trait]
pub trait ServiceResolver: Send + Sync + 'static {
    /// Finds the MCP service for the token in the URL path (`/mcp/{token}`); `authorization` is
    /// the raw `Authorization` header value, if any (for servers that also require an API token).
    ///
    /// # Errors
    ///
    /// [`ResolveError::NotFound`] (HTTP 404) when no server has this token,
    /// [`ResolveError::Unauthorized`] (401) when the server needs credentials the request lacks,
    /// and [`ResolveError::Internal`] (500) when the lookup itself failed.
    async fn resolve(
        &self,
        path_token: &str,
        authorization: Option<&str>,
    ) -> Result<McpService, ResolveError>;
}

/// Why a URL token could not be resolved.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ResolveError {
    /// No server has this token (or it expired and is gone): HTTP 404.
    #[error("no MCP server at this URL: check the token in the URL")]
    NotFound,
    /// The server needs credentials the request lacks or got wrong: HTTP 401.
    #[error("unauthorized: {message}")]
    Unauthorized {
        /// The `WWW-Authenticate` challenge, e.g. `Bearer realm="freshservice-mcp"`.
        www_authenticate: String,
        /// What the client must send, shown in the response body.
        message: String,
    },
    /// The lookup failed: HTTP 500. The text is logged to stderr, never sent to the client.
    #[error("service lookup failed: {0}")]
    Internal(String),
}

/// A fixed map from URL token to service, for tests and simple embedding. It ignores the
/// `Authorization` header; tokens are compared with the map's ordinary lookup.
#[derive(Debug, Clone, Default)]
pub struct StaticResolver {
    services: HashMap<String, McpService>,
}

impl StaticResolver {
    /// An empty resolver: every token is unknown.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) the service for `token`.
    pub fn with_service(mut self, token: impl Into<String>, service: McpService) -> Self {
        self.insert(token, service);
        self
    }

    /// Adds (or replaces) the service for `token`.
    pub fn insert(&mut self, token: impl Into<String>, service: McpService) {
        self.services.insert(token.into(), service);
    }
}

#[async_trait::async_trait]
impl ServiceResolver for StaticResolver {
    async fn resolve(
        &self,
        path_token: &str,
        _authorization: Option<&str>,
    ) -> Result<McpService, ResolveError> {
        self.services
            .get(path_token)
            .cloned()
            .ok_or(ResolveError::NotFound)
    }
}

/// The resolver behind [`crate::single_service_router`]: one service, no token.
#[derive(Debug)]
pub(crate) struct SingleService(pub(crate) McpService);

#[async_trait::async_trait]
impl ServiceResolver for SingleService {
    async fn resolve(
        &self,
        _path_token: &str,
        _authorization: Option<&str>,
    ) -> Result<McpService, ResolveError> {
        Ok(self.0.clone())
    }
}
