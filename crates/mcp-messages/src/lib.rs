#![doc = include_str!("../README.md")]

mod cursor;
mod jsonrpc;
mod meta;
mod types;
mod version;

pub use cursor::{decode_cursor, encode_cursor};
pub use jsonrpc::{
    ErrorObject, ErrorResponse, Message, Notification, Request, RequestId, Response, error_code,
    parse_params,
};
pub use meta::{
    CLIENT_CAPABILITIES_KEY, CLIENT_INFO_KEY, LOG_LEVEL_KEY, PROGRESS_TOKEN_KEY,
    PROTOCOL_VERSION_KEY, RequestMeta, SERVER_INFO_KEY, modern_request_meta, progress_token,
    require_modern_meta, unsupported_version,
};
pub use types::{
    Annotations, CacheScope, CallToolParams, CallToolResult, CancelledParams, ContentBlock,
    DiscoverResult, EmptyResult, Implementation, InitializeParams, InitializeResult, JsonObject,
    ListToolsParams, ListToolsResult, LoggingLevel, LoggingMessageParams, ProgressParams,
    ResourceContents, ResultType, Role, ServerCapabilities, SetLevelParams, Tool, ToolAnnotations,
    ToolsCapability, is_valid_tool_name, method,
};
pub use version::{
    DEFAULT_HTTP_LEGACY_VERSION, Era, LATEST_LEGACY_PROTOCOL_VERSION, LEGACY_PROTOCOL_VERSIONS,
    MODERN_PROTOCOL_VERSION, MODERN_PROTOCOL_VERSIONS, era_of, negotiate_legacy_version,
    supported_versions,
};
