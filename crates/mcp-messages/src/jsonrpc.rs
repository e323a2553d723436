//! The JSON-RPC 2.0 envelope shared by both MCP eras.
//!
//! Parsing is strict about the envelope (version, id type, no batches) and lenient about
//! everything inside `params`, which the method handlers validate themselves.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// JSON-RPC and MCP error codes.
pub mod error_code {
    /// The message is not valid JSON.
    pub const PARSE_ERROR: i32 = -32700;
    /// The JSON is not a valid JSON-RPC request.
    pub const INVALID_REQUEST: i32 = -32600;
    /// The method does not exist or is not offered.
    pub const METHOD_NOT_FOUND: i32 = -32601;
    /// The params are invalid: bad shape, unknown tool, invalid cursor, missing `_meta` (modern era).
    pub const INVALID_PARAMS: i32 = -32602;
    /// The server failed.
    pub const INTERNAL_ERROR: i32 = -32603;
    /// A resource was not found (legacy era only).
    pub const RESOURCE_NOT_FOUND: i32 = -32002;
    /// A URL elicitation is required (2025-11-25 only).
    pub const URL_ELICITATION_REQUIRED: i32 = -32042;
    /// An HTTP header disagrees with the body, or a required header is missing (modern era).
    pub const HEADER_MISMATCH: i32 = -32020;
    /// The request needs a client capability the client did not declare (modern era).
    pub const MISSING_REQUIRED_CLIENT_CAPABILITY: i32 = -32021;
    /// The request names a protocol version the server does not support (modern era).
    pub const UNSUPPORTED_PROTOCOL_VERSION: i32 = -32022;
}

/// A request id: a string or an integer, never null.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RequestId {
    /// An integer id.
    Number(i64),
    /// A string id.
    String(String),
}

impl std::fmt::Display for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Number(number) => write!(f, "{number}"),
            Self::String(text) => write!(f, "{text:?}"),
        }
    }
}

/// A request: it has an id and expects exactly one response.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Request {
    /// The id the response must carry.
    pub id: RequestId,
    /// The method name, e.g. `tools/call`.
    pub method: String,
    /// The params object, if any.
    pub params: Option<Value>,
}

impl Request {
    /// A request with the given id, method and params.
    pub fn new(id: RequestId, method: impl Into<String>, params: Option<Value>) -> Self {
        Self {
            id,
            method: method.into(),
            params,
        }
    }

    /// The `_meta` object of the params, if present.
    pub fn meta(&self) -> Option<&Map<String, Value>> {
        self.params.as_ref()?.get("_meta")?.as_object()
    }
}

/// A notification: no id, never answered.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Notification {
    /// The method name, e.g. `notifications/cancelled`.
    pub method: String,
    /// The params object, if any.
    pub params: Option<Value>,
}

impl Notification {
    /// A notification with the given method and params.
    pub fn new(method: impl Into<String>, params: Option<Value>) -> Self {
        Self {
            method: method.into(),
            params,
        }
    }
}

/// A successful response.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Response {
    /// The id of the request this answers.
    pub id: RequestId,
    /// The result object.
    pub result: Value,
}

impl Response {
    /// A response carrying `result`, serialised to JSON.
    ///
    /// Serialising our own result types cannot fail; should a foreign type fail, the result
    /// becomes `null` rather than a panic.
    pub fn new(id: RequestId, result: impl Serialize) -> Self {
        Self {
            id,
            result: serde_json::to_value(result).unwrap_or(Value::Null),
        }
    }
}

/// The `error` member of an error response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ErrorObject {
    /// One of [`error_code`] or an application code outside -32768..-32000.
    pub code: i32,
    /// A short description a person can read.
    pub message: String,
    /// Extra data, e.g. `{supported, requested}` for version errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

impl ErrorObject {
    /// An error with a code and message.
    pub fn new(code: i32, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            data: None,
        }
    }

    /// The same error with `data` attached.
    pub fn with_data(mut self, data: Value) -> Self {
        self.data = Some(data);
        self
    }

    /// -32601 for `method`.
    pub fn method_not_found(method: &str) -> Self {
        Self::new(
            error_code::METHOD_NOT_FOUND,
            format!("method not found: {method}"),
        )
    }

    /// -32602 with a message.
    pub fn invalid_params(message: impl Into<String>) -> Self {
        Self::new(error_code::INVALID_PARAMS, message)
    }
}

impl std::fmt::Display for ErrorObject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

impl std::error::Error for ErrorObject {}

/// An error response. The id is absent only when the request's id could not be read.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ErrorResponse {
    /// The id of the request this answers, when it could be read.
    pub id: Option<RequestId>,
    /// What went wrong.
    pub error: ErrorObject,
}

impl ErrorResponse {
    /// An error response for `id`.
    pub fn new(id: Option<RequestId>, error: ErrorObject) -> Self {
        Self { id, error }
    }
}

/// Any JSON-RPC message.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// A request.
    Request(Request),
    /// A notification.
    Notification(Notification),
    /// A successful response.
    Response(Response),
    /// An error response.
    Error(ErrorResponse),
}

/// The wire shape used for both directions; converted to [`Message`] after checks.
#[derive(Serialize, Deserialize)]
struct RawMessage {
    jsonrpc: Value,
    // A present `"id": null` must stay distinguishable from an absent id.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    id: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    method: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    params: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    result: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error: Option<Value>,
}

fn present<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(deserializer).map(Some)
}

impl Message {
    /// Parses one message.
    ///
    /// # Errors
    ///
    /// Returns the error response to send back: -32700 when the text is not JSON, -32600 when it
    /// is not a single valid JSON-RPC 2.0 message (batches were removed in 2025-06-18 and are
    /// refused). The response carries the request id whenever it could be read.
    pub fn parse(text: &str) -> Result<Message, ErrorResponse> {
        let value: Value = serde_json::from_str(text).map_err(|error| {
            ErrorResponse::new(
                None,
                ErrorObject::new(
                    error_code::PARSE_ERROR,
                    format!("parse error: the message is not valid JSON ({error})"),
                ),
            )
        })?;
        Self::from_value(value)
    }

    /// Converts an already parsed JSON value; see [`Message::parse`].
    ///
    /// # Errors
    ///
    /// As for [`Message::parse`], without the parse-error case.
    pub fn from_value(value: Value) -> Result<Message, ErrorResponse> {
        let invalid = |id: Option<RequestId>, why: &str| {
            ErrorResponse::new(
                id,
                ErrorObject::new(
                    error_code::INVALID_REQUEST,
                    format!("invalid request: {why}"),
                ),
            )
        };
        if value.is_array() {
            return Err(invalid(
                None,
                "batches are not supported; send one JSON-RPC message per request",
            ));
        }
        let Value::Object(_) = &value else {
            return Err(invalid(None, "a JSON-RPC message must be a JSON object"));
        };
        let raw: RawMessage = serde_json::from_value(value)
            .map_err(|_| invalid(None, "the `jsonrpc` member is missing"))?;
        let id = match &raw.id {
            None => None,
            Some(Value::Number(number)) => match number.as_i64() {
                Some(integer) => Some(RequestId::Number(integer)),
                None => return Err(invalid(None, "`id` must be a string or an integer")),
            },
            Some(Value::String(text)) => Some(RequestId::String(text.clone())),
            Some(Value::Null) if raw.error.is_some() => None,
            Some(_) => return Err(invalid(None, "`id` must be a string or an integer")),
        };
        if raw.jsonrpc != Value::String("2.0".into()) {
            return Err(invalid(id, "`jsonrpc` must be \"2.0\""));
        }
        if let Some(params) = &raw.params
            && !params.is_object()
        {
            return Err(invalid(id, "`params` must be an object"));
        }
        match (raw.method, raw.result, raw.error) {
            (Some(Value::String(method)), None, None) => Ok(match id {
                Some(id) => Message::Request(Request::new(id, method, raw.params)),
                None => Message::Notification(Notification::new(method, raw.params)),
            }),
            (Some(_), None, None) => Err(invalid(id, "`method` must be a string")),
            (None, Some(result), None) => match id {
                Some(id) => Ok(Message::Response(Response { id, result })),
                None => Err(invalid(None, "a response needs an `id`")),
            },
            (None, None, Some(error)) => {
                let error: ErrorObject = serde_json::from_value(error).map_err(|_| {
                    invalid(
                        id.clone(),
                        "`error` must have an integer `code` and a `message`",
                    )
                })?;
                Ok(Message::Error(ErrorResponse::new(id, error)))
            }
            _ => Err(invalid(
                id,
                "a message has exactly one of `method`, `result` or `error`",
            )),
        }
    }

    /// The message as a JSON value with `"jsonrpc": "2.0"`.
    pub fn to_value(&self) -> Value {
        let raw = match self {
            Message::Request(request) => RawMessage {
                jsonrpc: "2.0".into(),
                id: Some(id_value(&request.id)),
                method: Some(request.method.clone().into()),
                params: request.params.clone(),
                result: None,
                error: None,
            },
            Message::Notification(notification) => RawMessage {
                jsonrpc: "2.0".into(),
                id: None,
                method: Some(notification.method.clone().into()),
                params: notification.params.clone(),
                result: None,
                error: None,
            },
            Message::Response(response) => RawMessage {
                jsonrpc: "2.0".into(),
                id: Some(id_value(&response.id)),
                method: None,
                params: None,
                result: Some(response.result.clone()),
                error: None,
            },
            Message::Error(error) => RawMessage {
                jsonrpc: "2.0".into(),
                id: Some(error.id.as_ref().map_or(Value::Null, id_value)),
                method: None,
                params: None,
                result: None,
                error: serde_json::to_value(&error.error).ok(),
            },
        };
        serde_json::to_value(raw).unwrap_or(Value::Null)
    }

    /// The message as one line of JSON (no embedded newlines), ready for stdio or an HTTP body.
    pub fn to_json(&self) -> String {
        self.to_value().to_string()
    }
}

/// Deserialises a request's params into `T`; absent params read as `{}`.
///
/// # Errors
///
/// -32602 naming what did not fit, so the client can fix its request.
pub fn parse_params<T: serde::de::DeserializeOwned>(
    params: Option<&Value>,
) -> Result<T, ErrorObject> {
    let params = params.cloned().unwrap_or_else(|| Value::Object(Map::new()));
    serde_json::from_value(params)
        .map_err(|error| ErrorObject::invalid_params(format!("invalid params: {error}")))
}

fn id_value(id: &RequestId) -> Value {
    match id {
        RequestId::Number(number) => Value::from(*number),
        RequestId::String(text) => Value::from(text.clone()),
    }
}

impl From<Response> for Message {
    fn from(response: Response) -> Self {
        Message::Response(response)
    }
}

impl From<ErrorResponse> for Message {
    fn from(error: ErrorResponse) -> Self {
        Message::Error(error)
    }
}

impl From<Notification> for Message {
    fn from(notification: Notification) -> Self {
        Message::Notification(notification)
    }
}

impl From<Request> for Message {
    fn from(request: Request) -> Self {
        Message::Request(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(input: &str, expect_ok: bool, expect_code: Option<i32>) {
        match Message::parse(input) {
            Ok(message) => {
                assert!(expect_ok, "{input} parsed as {message:?}");
                let again = Message::parse(&message.to_json()).unwrap();
                assert_eq!(again, message, "round trip of {input}");
            }
            Err(error) => {
                assert!(!expect_ok, "{input} failed: {error:?}");
                assert_eq!(Some(error.error.code), expect_code, "{input}");
            }
        }
    }

    #[test]
    fn envelope_trials() {
        let trials: &[(&str, bool, Option<i32>)] = &[
            (r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#, true, None),
            (
                r#"{"jsonrpc":"2.0","id":"a","method":"tools/list","params":{}}"#,
                true,
                None,
            ),
            (
                r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
                true,
                None,
            ),
            (r#"{"jsonrpc":"2.0","id":3,"result":{}}"#, true, None),
            (
                r#"{"jsonrpc":"2.0","id":3,"error":{"code":-32601,"message":"x"}}"#,
                true,
                None,
            ),
            (
                r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"x"}}"#,
                true,
                None,
            ),
            (r#"{"#, false, Some(error_code::PARSE_ERROR)),
            ("", false, Some(error_code::PARSE_ERROR)),
            (
                r#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#,
                false,
                Some(error_code::INVALID_REQUEST),
            ),
            (r#""ping""#, false, Some(error_code::INVALID_REQUEST)),
            (
                r#"{"id":1,"method":"ping"}"#,
                false,
                Some(error_code::INVALID_REQUEST),
            ),
            (
                r#"{"jsonrpc":"1.0","id":1,"method":"ping"}"#,
                false,
                Some(error_code::INVALID_REQUEST),
            ),
            (
                r#"{"jsonrpc":"2.0","id":null,"method":"ping"}"#,
                false,
                Some(error_code::INVALID_REQUEST),
            ),
            (
                r#"{"jsonrpc":"2.0","id":1.5,"method":"ping"}"#,
                false,
                Some(error_code::INVALID_REQUEST),
            ),
            (
                r#"{"jsonrpc":"2.0","id":{},"method":"ping"}"#,
                false,
                Some(error_code::INVALID_REQUEST),
            ),
            (
                r#"{"jsonrpc":"2.0","id":1,"method":7}"#,
                false,
                Some(error_code::INVALID_REQUEST),
            ),
            (
                r#"{"jsonrpc":"2.0","id":1,"method":"x","params":[1]}"#,
                false,
                Some(error_code::INVALID_REQUEST),
            ),
            (
                r#"{"jsonrpc":"2.0","id":1}"#,
                false,
                Some(error_code::INVALID_REQUEST),
            ),
            (
                r#"{"jsonrpc":"2.0","result":{}}"#,
                false,
                Some(error_code::INVALID_REQUEST),
            ),
            (
                r#"{"jsonrpc":"2.0","id":1,"method":"x","result":{}}"#,
                false,
                Some(error_code::INVALID_REQUEST),
            ),
        ];
        for (input, ok, code) in trials {
            check(input, *ok, *code);
        }
    }

    #[test]
    fn invalid_request_keeps_a_readable_id() {
        let error = Message::parse(r#"{"jsonrpc":"1.0","id":"abc","method":"ping"}"#).unwrap_err();
        assert_eq!(error.id, Some(RequestId::String("abc".into())));
    }

    #[test]
    fn error_response_without_id_serialises_null_id() {
        let message = Message::Error(ErrorResponse::new(
            None,
            ErrorObject::new(error_code::PARSE_ERROR, "bad"),
        ));
        assert_eq!(
            message.to_value(),
            json!({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"bad"}})
        );
    }
}
