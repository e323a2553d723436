//! The `_meta` fields of the modern era, and how a request's era is recognised.
//!
//! A modern request carries its protocol version and client capabilities in
//! `params._meta` on every call instead of negotiating them once. The era is chosen per
//! request from that envelope, not from the method name: a legacy `initialize` still starts
//! a legacy session on a dual-era server.

use serde_json::{Map, Value, json};

use crate::jsonrpc::{ErrorObject, RequestId, error_code};
use crate::types::{Implementation, LoggingLevel};
use crate::version::{MODERN_PROTOCOL_VERSIONS, supported_versions};

/// `_meta` key: the protocol version of a modern request (required).
pub const PROTOCOL_VERSION_KEY: &str = "io.modelcontextprotocol/protocolVersion";
/// `_meta` key: the client's capabilities (required in modern requests).
pub const CLIENT_CAPABILITIES_KEY: &str = "io.modelcontextprotocol/clientCapabilities";
/// `_meta` key: the client's name and version (optional).
pub const CLIENT_INFO_KEY: &str = "io.modelcontextprotocol/clientInfo";
/// `_meta` key: the lowest log level the client wants for this request (optional).
pub const LOG_LEVEL_KEY: &str = "io.modelcontextprotocol/logLevel";
/// `_meta` key on results: the server's name and version.
pub const SERVER_INFO_KEY: &str = "io.modelcontextprotocol/serverInfo";
/// `_meta` key: the progress token of a request (both eras).
pub const PROGRESS_TOKEN_KEY: &str = "progressToken";

/// The protocol fields of a modern request's `_meta`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RequestMeta {
    /// The protocol version the request is written in.
    pub protocol_version: String,
    /// The capabilities the client declares for this request.
    pub client_capabilities: Map<String, Value>,
    /// The client's name and version, when sent.
    pub client_info: Option<Implementation>,
    /// The log level floor for this request; no `notifications/message` without it.
    pub log_level: Option<LoggingLevel>,
}

/// Recognises a request's era from its params.
///
/// Returns `Ok(None)` for a legacy-era request (no modern protocol version in `_meta`), and
/// `Ok(Some(meta))` for a valid modern one.
///
/// # Errors
///
/// -32602 when the version is present but the required fields are missing or malformed, and
/// -32022 (with `data {supported, requested}`) when the version is not one we speak.
pub fn modern_request_meta(params: Option<&Value>) -> Result<Option<RequestMeta>, ErrorObject> {
    let Some(meta) = params
        .and_then(|params| params.get("_meta"))
        .and_then(Value::as_object)
    else {
        return Ok(None);
    };
    let Some(version) = meta.get(PROTOCOL_VERSION_KEY) else {
        return Ok(None);
    };
    parse_modern_meta(meta, version).map(Some)
}

/// Reads the modern `_meta` of a request already known to be modern (for example from an HTTP
/// `MCP-Protocol-Version: 2026-07-28` header), so a missing `_meta` is an error, not legacy.
///
/// # Errors
///
/// As for [`modern_request_meta`], plus -32602 when `_meta` or its version is absent.
pub fn require_modern_meta(params: Option<&Value>) -> Result<RequestMeta, ErrorObject> {
    let meta = params
        .and_then(|params| params.get("_meta"))
        .and_then(Value::as_object)
        .ok_or_else(|| {
            ErrorObject::invalid_params(format!(
                "missing params._meta: modern requests must carry `{PROTOCOL_VERSION_KEY}` and `{CLIENT_CAPABILITIES_KEY}`"
            ))
        })?;
    let version = meta.get(PROTOCOL_VERSION_KEY).ok_or_else(|| {
        ErrorObject::invalid_params(format!("missing params._meta[\"{PROTOCOL_VERSION_KEY}\"]"))
    })?;
    parse_modern_meta(meta, version)
}

fn parse_modern_meta(
    meta: &Map<String, Value>,
    version: &Value,
) -> Result<RequestMeta, ErrorObject> {
    let Some(version) = version.as_str() else {
        return Err(ErrorObject::invalid_params(format!(
            "params._meta[\"{PROTOCOL_VERSION_KEY}\"] must be a string such as \"2026-07-28\""
        )));
    };
    if !MODERN_PROTOCOL_VERSIONS.contains(&version) {
        return Err(unsupported_version(version));
    }
    let client_capabilities = match meta.get(CLIENT_CAPABILITIES_KEY) {
        Some(Value::Object(capabilities)) => capabilities.clone(),
        Some(_) => {
            return Err(ErrorObject::invalid_params(format!(
                "params._meta[\"{CLIENT_CAPABILITIES_KEY}\"] must be an object"
            )));
        }
        None => {
            return Err(ErrorObject::invalid_params(format!(
                "missing params._meta[\"{CLIENT_CAPABILITIES_KEY}\"]: send {{}} when the client has none"
            )));
        }
    };
    let client_info = match meta.get(CLIENT_INFO_KEY) {
        None | Some(Value::Null) => None,
        Some(info) => Some(serde_json::from_value(info.clone()).map_err(|_| {
            ErrorObject::invalid_params(format!(
                "params._meta[\"{CLIENT_INFO_KEY}\"] must be {{\"name\": string, \"version\": string}}"
            ))
        })?),
    };
    let log_level = match meta.get(LOG_LEVEL_KEY) {
        None | Some(Value::Null) => None,
        Some(level) => Some(serde_json::from_value(level.clone()).map_err(|_| {
            ErrorObject::invalid_params(format!(
                "params._meta[\"{LOG_LEVEL_KEY}\"] must be one of debug, info, notice, warning, error, critical, alert, emergency"
            ))
        })?),
    };
    Ok(RequestMeta {
        protocol_version: version.to_owned(),
        client_capabilities,
        client_info,
        log_level,
    })
}

/// The -32022 error for a version we do not speak, with `data {supported, requested}`.
pub fn unsupported_version(requested: &str) -> ErrorObject {
    ErrorObject::new(
        error_code::UNSUPPORTED_PROTOCOL_VERSION,
        format!("unsupported protocol version {requested:?}"),
    )
    .with_data(json!({ "supported": supported_versions(), "requested": requested }))
}

/// The progress token in a request's `_meta`, if any (string or integer).
pub fn progress_token(params: Option<&Value>) -> Option<RequestId> {
    let token = params?.get("_meta")?.get(PROGRESS_TOKEN_KEY)?;
    serde_json::from_value(token.clone()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn era_recognition_trials() {
        let caps = json!({});
        let trials: Vec<(Value, Result<bool, i32>)> = vec![
            (json!({}), Ok(false)),
            (json!({"_meta": {"progressToken": 1}}), Ok(false)),
            (
                json!({"_meta": {PROTOCOL_VERSION_KEY: "2026-07-28", CLIENT_CAPABILITIES_KEY: caps}}),
                Ok(true),
            ),
            (
                json!({"_meta": {PROTOCOL_VERSION_KEY: "2026-07-28"}}),
                Err(error_code::INVALID_PARAMS),
            ),
            (
                json!({"_meta": {PROTOCOL_VERSION_KEY: 7, CLIENT_CAPABILITIES_KEY: {}}}),
                Err(error_code::INVALID_PARAMS),
            ),
            (
                json!({"_meta": {PROTOCOL_VERSION_KEY: "1999-01-01", CLIENT_CAPABILITIES_KEY: {}}}),
                Err(error_code::UNSUPPORTED_PROTOCOL_VERSION),
            ),
            (
                json!({"_meta": {PROTOCOL_VERSION_KEY: "2025-11-25", CLIENT_CAPABILITIES_KEY: {}}}),
                Err(error_code::UNSUPPORTED_PROTOCOL_VERSION),
            ),
            (
                json!({"_meta": {PROTOCOL_VERSION_KEY: "2026-07-28", CLIENT_CAPABILITIES_KEY: []}}),
                Err(error_code::INVALID_PARAMS),
            ),
            (
                json!({"_meta": {PROTOCOL_VERSION_KEY: "2026-07-28", CLIENT_CAPABILITIES_KEY: {}, LOG_LEVEL_KEY: "loud"}}),
                Err(error_code::INVALID_PARAMS),
            ),
            (
                json!({"_meta": {PROTOCOL_VERSION_KEY: "2026-07-28", CLIENT_CAPABILITIES_KEY: {}, LOG_LEVEL_KEY: "info", CLIENT_INFO_KEY: {"name": "c", "version": "1"}}}),
                Ok(true),
            ),
        ];
        for (params, expected) in trials {
            let got = modern_request_meta(Some(&params));
            match (got, expected) {
                (Ok(meta), Ok(modern)) => assert_eq!(meta.is_some(), modern, "{params}"),
                (Err(error), Err(code)) => assert_eq!(error.code, code, "{params}"),
                (got, expected) => panic!("{params}: got {got:?}, expected {expected:?}"),
            }
        }
    }

    #[test]
    fn unsupported_version_names_both_sides() {
        let error = unsupported_version("1999-01-01");
        let data = error.data.unwrap();
        assert_eq!(data["requested"], "1999-01-01");
        assert!(
            data["supported"]
                .as_array()
                .unwrap()
                .contains(&json!("2026-07-28"))
        );
    }

    #[test]
    fn require_modern_meta_rejects_missing_meta() {
        assert_eq!(
            require_modern_meta(None).unwrap_err().code,
            error_code::INVALID_PARAMS
        );
        assert_eq!(
            require_modern_meta(Some(&json!({}))).unwrap_err().code,
            error_code::INVALID_PARAMS
        );
    }

    #[test]
    fn progress_tokens() {
        assert_eq!(
            progress_token(Some(&json!({"_meta": {"progressToken": 5}}))),
            Some(RequestId::Number(5))
        );
        assert_eq!(
            progress_token(Some(&json!({"_meta": {"progressToken": "t"}}))),
            Some(RequestId::String("t".into()))
        );
        assert_eq!(
            progress_token(Some(&json!({"_meta": {"progressToken": null}}))),
            None
        );
        assert_eq!(progress_token(None), None);
    }
}
