#![doc = include_str!("../README.md")]

/// The protocol types custom tools are written with.
pub use mcp_messages;

mod account;
mod call;
mod custom;
mod discovery;
mod error;
mod exposure;
mod filter;
#[cfg(feature = "streamable-http")]
mod http;
mod record_scope;
mod registry;
mod service;
mod shape;
mod stdio;

#[cfg(feature = "streamable-http")]
pub use self::http::{
    BackendError, HttpConfig, ResolveError, ServiceResolver, SessionBackend, StaticResolver,
    mcp_router, serve_http, serve_http_with, single_service_router,
};
pub use account::{AccountFields, DEFAULT_PROFILE_TTL, RefreshOutcome};
pub use custom::{CustomTool, ToolContext};
pub use error::Error;
pub use exposure::{AUTO_ALL_MAX_BYTES, CORE_TOOLS, ToolExposure};
pub use filter::{MethodFilter, ToolFilter};
pub use service::{DEFAULT_MAX_RESPONSE_BYTES, McpService, Notifier, ServiceBuilder, Session};
pub use stdio::{MAX_LINE_BYTES, serve_io, serve_stdio};
