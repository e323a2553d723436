//! The MCP endpoint: one URL that serves both protocol eras.
//!
//! Every request passes the same gates in the same order: `Host` and `Origin` (403), the URL
//! token (404/401), the HTTP method (405), `Content-Type` (415), `Accept` (406), the body size
//! (413) and JSON-RPC parsing (400). Then the era is chosen from the envelope: an
//! `MCP-Protocol-Version: 2026-07-28` header or a protocol version in `params._meta` makes the
//! request modern and stateless; anything else belongs to a legacy session.
//!
//! Responses are JSON unless the call produced notifications (log messages) and the client
//! accepts an event stream; then the notifications and the response go out as one short SSE
//! stream. Notifications are held until the response is ready so the response headers can
//! carry the call's rate-limit status.

use std::sync::Arc;
use std::time::Duration;

use ::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use ::http::request::Parts;
use ::http::{Method, StatusCode};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use mcp_messages::{
    CancelledParams, Era, ErrorObject, ErrorResponse, Message, PROTOCOL_VERSION_KEY,
    Request as RpcRequest, RequestId, era_of, error_code, method, parse_params,
    require_modern_meta, unsupported_version,
};
use serde_json::Value;
use tokio::sync::mpsc;

use super::config::HttpConfig;
use super::headers::{self as mcp_headers, Accepts, HeaderProblem};
use super::resolver::{ResolveError, ServiceResolver, SingleService};
use super::sessions::{HttpSession, SessionStore};
use crate::{McpService, Session};

/// The `_meta` keys of a `tools/call` result that become response headers, in IETF order.
const RATE_LIMIT_FIELDS: [&str; 6] = [
    "ratelimit-limit",
    "ratelimit-remaining",
    "ratelimit-reset",
    "ratelimit-policy",
    "ratelimit",
    "retry-after",
];

/// State shared by every request of one router.
struct Shared {
    resolver: Arc<dyn ServiceResolver>,
    config: HttpConfig,
    sessions: SessionStore,
}

impl Shared {
    fn new(resolver: Arc<dyn ServiceResolver>, config: HttpConfig) -> Arc<Self> {
        let sessions = SessionStore::new(config.session_idle_timeout, config.max_sessions);
        Arc::new(Self {
            resolver,
            config,
            sessions,
        })
    }
}

/// A router serving one MCP endpoint per URL token, at `/mcp/{token}`; `resolver` maps each
/// token to its service.
pub fn mcp_router(resolver: Arc<dyn ServiceResolver>, config: HttpConfig) -> Router {
    Router::new()
        .route("/mcp/{token}", any(with_token))
        .with_state(Shared::new(resolver, config))
}

/// A router serving one service at `/mcp`, with no token in the URL: for embedding the
/// endpoint in an application that does its own routing and authentication.
pub fn single_service_router(service: McpService, config: HttpConfig) -> Router {
    Router::new()
        .route("/mcp", any(without_token))
        .with_state(Shared::new(Arc::new(SingleService(service)), config))
}

async fn with_token(
    State(shared): State<Arc<Shared>>,
    Path(token): Path<String>,
    request: Request,
) -> Response {
    endpoint(&shared, &token, request).await
}

async fn without_token(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    endpoint(&shared, "", request).await
}

async fn endpoint(shared: &Shared, token: &str, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    if let Err(response) = check_host_and_origin(&shared.config, &parts) {
        return response;
    }
    let authorization = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok());
    let service = match shared.resolver.resolve(token, authorization).await {
        Ok(service) => service,
        Err(error) => return resolve_failure(error),
    };
    match parts.method {
        Method::POST => post(shared, token, service, &parts.headers, body).await,
        Method::DELETE => delete(shared, token, &parts.headers).await,
        _ => method_not_allowed(&parts.headers, &parts.method),
    }
}

// ---------------------------------------------------------------------------------------------
// Gates shared by both eras.

fn check_host_and_origin(config: &HttpConfig, parts: &Parts) -> Result<(), Response> {
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .or_else(|| parts.uri.authority().map(|authority| authority.as_str()));
    match host {
        Some(host) if config.host_allowed(host) => {}
        Some(host) => {
            return Err(transport_error(
                StatusCode::FORBIDDEN,
                None,
                format!(
                    "forbidden: Host {host:?} is not allowed (DNS-rebinding protection); the operator can add it to the server's allowed hosts"
                ),
            ));
        }
        None => {
            return Err(transport_error(
                StatusCode::FORBIDDEN,
                None,
                "forbidden: the request has no Host header".to_owned(),
            ));
        }
    }
    if let Some(origin) = parts.headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("(not visible ASCII)");
        if !config.origin_allowed(origin) {
            return Err(transport_error(
                StatusCode::FORBIDDEN,
                None,
                format!(
                    "forbidden: Origin {origin:?} is not allowed (DNS-rebinding protection); the operator can add it to the server's allowed origins"
                ),
            ));
        }
    }
    Ok(())
}

fn resolve_failure(error: ResolveError) -> Response {
    match error {
        ResolveError::NotFound => transport_error(
            StatusCode::NOT_FOUND,
            None,
            ResolveError::NotFound.to_string(),
        ),
        ResolveError::Unauthorized {
            www_authenticate,
            message,
        } => {
            let mut response = transport_error(
                StatusCode::UNAUTHORIZED,
                None,
                format!("unauthorized: {message}"),
            );
            if let Ok(value) = HeaderValue::from_str(&www_authenticate) {
                response
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, value);
            }
            response
        }
        ResolveError::Internal(message) => {
            eprintln!("freshservice-mcp: service lookup failed: {message}");
            error_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                None,
                ErrorObject::new(
                    error_code::INTERNAL_ERROR,
                    "internal error: the server could not look up this MCP server; try again later",
                ),
            )
        }
    }
}

/// The protocol version header, when readable. A repeated header whose values disagree is a
/// header mismatch in either era.
fn version_header(headers: &HeaderMap) -> Result<Option<String>, ErrorObject> {
    mcp_headers::single(headers, mcp_headers::PROTOCOL_VERSION).map_err(|problem| {
        header_mismatch(format!(
            "the MCP-Protocol-Version header is {}: send it once, with one version",
            describe(&problem)
        ))
    })
}

fn is_modern_version(version: Option<&str>) -> bool {
    version.is_some_and(|version| era_of(version) == Some(Era::Modern))
}

/// No GET stream in either era: the server sends nothing unprompted (no list changes, no
/// server-initiated requests), so there is nothing to stream. The spec allows 405 for that.
fn method_not_allowed(headers: &HeaderMap, method: &Method) -> Response {
    let modern = version_header(headers)
        .ok()
        .flatten()
        .is_some_and(|version| is_modern_version(Some(&version)));
    let (allow, why) = match (modern, method) {
        (true, _) => (
            "POST",
            "protocol version 2026-07-28 only uses POST".to_owned(),
        ),
        (false, &Method::GET) => (
            "POST, DELETE",
            "this server opens no server-to-client stream: it sends nothing unprompted, so POST each message".to_owned(),
        ),
        (false, other) => ("POST, DELETE", format!("{other} is not supported here")),
    };
    let mut response = transport_error(
        StatusCode::METHOD_NOT_ALLOWED,
        None,
        format!("method not allowed: {why}"),
    );
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    response
}

async fn delete(shared: &Shared, token: &str, headers: &HeaderMap) -> Response {
    let version = match version_header(headers) {
        Ok(version) => version,
        Err(error) => return error_response(StatusCode::BAD_REQUEST, None, error),
    };
    if is_modern_version(version.as_deref()) {
        return method_not_allowed(headers, &Method::DELETE);
    }
    if let Some(version) = version.as_deref()
        && era_of(version).is_none()
    {
        return error_response(StatusCode::BAD_REQUEST, None, unsupported_version(version));
    }
    match mcp_headers::single(headers, mcp_headers::SESSION_ID) {
        Ok(Some(id)) => {
            let backend = shared.config.session_backend.as_deref();
            match shared.sessions.end(&id, token, backend).await {
                Ok(true) => StatusCode::NO_CONTENT.into_response(),
                Ok(false) => session_not_found(None),
                Err(error) => session_backend_failure(None, &error),
            }
        }
        Ok(None) | Err(_) => transport_error(
            StatusCode::BAD_REQUEST,
            None,
            "missing Mcp-Session-Id header: DELETE ends the session it names".to_owned(),
        ),
    }
}

async fn post(
    shared: &Shared,
    token: &str,
    service: McpService,
    headers: &HeaderMap,
    body: Body,
) -> Response {
    if !mcp_headers::is_json_content(headers) {
        return transport_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            None,
            "unsupported media type: POST one JSON-RPC message with Content-Type: application/json"
                .to_owned(),
        );
    }
    let accepts = Accepts::from_headers(headers);
    if !accepts.any() {
        return transport_error(
            StatusCode::NOT_ACCEPTABLE,
            None,
            "not acceptable: send Accept: application/json, text/event-stream".to_owned(),
        );
    }
    let bytes = match read_body(body, headers, &shared.config).await {
        Ok(bytes) => bytes,
        Err(response) => return response,
    };
    let message = match std::str::from_utf8(&bytes) {
        Ok(text) => Message::parse(text),
        Err(_) => Err(ErrorResponse::new(
            None,
            ErrorObject::new(
                error_code::PARSE_ERROR,
                "parse error: the body is not valid UTF-8",
            ),
        )),
    };
    let message = match message {
        Ok(message) => message,
        Err(error) => return json_response(StatusCode::BAD_REQUEST, &error.into()),
    };
    let header_version = match version_header(headers) {
        Ok(version) => version,
        Err(error) => return error_response(StatusCode::BAD_REQUEST, request_id(&message), error),
    };
    let modern = is_modern_version(header_version.as_deref()) || meta_version(&message).is_some();
    let call = Call {
        shared,
        headers,
        accepts,
        header_version,
    };
    if modern {
        call.modern(service, message).await
    } else {
        call.legacy(token, service, message).await
    }
}

async fn read_body(
    body: Body,
    headers: &HeaderMap,
    config: &HttpConfig,
) -> Result<Bytes, Response> {
    let limit = config.max_body_bytes;
    let too_large = || {
        transport_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            None,
            format!("request body too large: the limit is {limit} bytes"),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(too_large());
    }
    // hyper bounds only the headers; without this a client that trickles its body would hold
    // the connection and this task for as long as it likes.
    let timeout = config.body_read_timeout;
    let Ok(read) = tokio::time::timeout(timeout, axum::body::to_bytes(body, limit)).await else {
        return Err(transport_error(
            StatusCode::REQUEST_TIMEOUT,
            None,
            format!(
                "request timeout: the body did not arrive within {} s; send it in one go",
                timeout.as_secs_f64()
            ),
        ));
    };
    read.map_err(|error| {
        let over_limit = std::error::Error::source(&error)
            .is_some_and(|source| source.is::<http_body_util::LengthLimitError>());
        if over_limit {
            too_large()
        } else {
            transport_error(
                StatusCode::BAD_REQUEST,
                None,
                "the request body could not be read".to_owned(),
            )
        }
    })
}

/// One POSTed message on its way through an era's rules.
struct Call<'a> {
    shared: &'a Shared,
    headers: &'a HeaderMap,
    accepts: Accepts,
    header_version: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Modern era (2026-07-28): stateless, headers mirror the body.

impl Call<'_> {
    async fn modern(self, service: McpService, message: Message) -> Response {
        let request = match message {
            Message::Request(request) => request,
            Message::Notification(notification) => {
                // Notification POSTs have no header rules in 2026-07-28; a mirrored method that
                // disagrees with the body is still refused, since a proxy may have routed on it.
                if let Err(error) = check_method_header(self.headers, &notification.method, false) {
                    return error_response(StatusCode::BAD_REQUEST, None, error);
                }
                let _ = service
                    .handle(&Session::new(), Message::Notification(notification), None)
                    .await;
                return StatusCode::ACCEPTED.into_response();
            }
            Message::Response(_) | Message::Error(_) => {
                return transport_error(
                    StatusCode::BAD_REQUEST,
                    None,
                    "clients must not send responses in protocol version 2026-07-28".to_owned(),
                );
            }
        };
        let id = request.id.clone();
        if let Err(error) =
            check_modern_envelope(self.headers, self.header_version.as_deref(), &request)
        {
            return error_response(StatusCode::BAD_REQUEST, Some(id), error);
        }
        let tools_call = request.method == method::TOOLS_CALL;
        let timeout = self.shared.config.request_timeout;
        let (notifier, mut notifications) = mpsc::unbounded_channel();
        // Runs inside this handler's future: when the client closes the connection, hyper drops
        // the future and with it the upstream Freshservice request, which is the cancellation
        // 2026-07-28 asks for.
        let session = Session::new();
        let response = tokio::time::timeout(
            timeout,
            service.handle_request(&session, request, Some(&notifier)),
        )
        .await
        .unwrap_or_else(|_| timed_out(id, timeout));
        drop(notifier);
        let notifications = drain(&mut notifications);
        let status = modern_status(&response);
        respond(status, &response, &notifications, self.accepts, tools_call)
    }
}

/// Checks the transport rules of a modern request: the version header against `_meta`, the
/// `_meta` itself, and the mirrored `Mcp-Method` and `Mcp-Name` headers.
fn check_modern_envelope(
    headers: &HeaderMap,
    header_version: Option<&str>,
    request: &RpcRequest,
) -> Result<(), ErrorObject> {
    let Some(header_version) = header_version else {
        return Err(header_mismatch(format!(
            "missing MCP-Protocol-Version header: send the version of params._meta[\"{PROTOCOL_VERSION_KEY}\"]"
        )));
    };
    if let Some(Value::String(body_version)) = request_meta_version(request)
        && body_version != header_version
    {
        return Err(header_mismatch(format!(
            "MCP-Protocol-Version header {header_version:?} does not match params._meta[\"{PROTOCOL_VERSION_KEY}\"] {body_version:?}"
        )));
    }
    require_modern_meta(request.params.as_ref())?;
    check_method_header(headers, &request.method, true)?;
    check_name_header(headers, &request.method, request.params.as_ref())
}

fn check_method_header(
    headers: &HeaderMap,
    body_method: &str,
    required: bool,
) -> Result<(), ErrorObject> {
    match mcp_headers::single(headers, mcp_headers::METHOD) {
        Ok(Some(value)) if value == body_method => Ok(()),
        Ok(Some(value)) => Err(header_mismatch(format!(
            "Mcp-Method header {value:?} does not match the body's method {body_method:?}"
        ))),
        Ok(None) if !required => Ok(()),
        Ok(None) => Err(header_mismatch(format!(
            "missing Mcp-Method header: send Mcp-Method: {body_method}"
        ))),
        Err(problem) => Err(header_mismatch(format!(
            "the Mcp-Method header is {}",
            describe(&problem)
        ))),
    }
}

/// `Mcp-Name` mirrors `params.name` (tools, prompts) or `params.uri` (resources).
fn check_name_header(
    headers: &HeaderMap,
    body_method: &str,
    params: Option<&Value>,
) -> Result<(), ErrorObject> {
    let field = match body_method {
        method::TOOLS_CALL | "prompts/get" => "name",
        "resources/read" => "uri",
        _ => return Ok(()),
    };
    let body_value = params
        .and_then(|params| params.get(field))
        .and_then(Value::as_str);
    let header = mcp_headers::single(headers, mcp_headers::NAME).map_err(|problem| {
        header_mismatch(format!("the Mcp-Name header is {}", describe(&problem)))
    })?;
    match (header, body_value) {
        (None, None) => Ok(()),
        (None, Some(body_value)) => Err(header_mismatch(format!(
            "missing Mcp-Name header: send Mcp-Name: {body_value} (Base64 sentinel form if it is not plain ASCII)"
        ))),
        (Some(header), body_value) => {
            let decoded = mcp_headers::decode_sentinel(&header).map_err(|problem| {
                header_mismatch(format!("the Mcp-Name header is {}", describe(&problem)))
            })?;
            if Some(decoded.as_str()) == body_value {
                Ok(())
            } else {
                Err(header_mismatch(format!(
                    "Mcp-Name header {decoded:?} does not match params.{field} {}",
                    body_value.map_or_else(|| "(absent)".to_owned(), |value| format!("{value:?}"))
                )))
            }
        }
    }
}

/// 2026-07-28 gives some JSON-RPC errors their own HTTP status; the rest travel in a 200.
fn modern_status(response: &Message) -> StatusCode {
    match response {
        Message::Error(error) => match error.error.code {
            error_code::METHOD_NOT_FOUND => StatusCode::NOT_FOUND,
            error_code::HEADER_MISMATCH
            | error_code::MISSING_REQUIRED_CLIENT_CAPABILITY
            | error_code::UNSUPPORTED_PROTOCOL_VERSION
            | error_code::INVALID_REQUEST
            | error_code::PARSE_ERROR => StatusCode::BAD_REQUEST,
            _ => StatusCode::OK,
        },
        _ => StatusCode::OK,
    }
}

// ---------------------------------------------------------------------------------------------
// Legacy era (2024-11-05 to 2025-11-25): sessions minted by initialize.

impl Call<'_> {
    async fn legacy(self, token: &str, service: McpService, message: Message) -> Response {
        let id = request_id(&message);
        if let Some(version) = self.header_version.as_deref()
            && era_of(version).is_none()
        {
            return error_response(StatusCode::BAD_REQUEST, id, unsupported_version(version));
        }
        if let Message::Request(request) = message {
            if request.method == method::INITIALIZE {
                return self.initialize(token, service, request).await;
            }
            return match self
                .session(token, &service, Some(request.id.clone()))
                .await
            {
                Ok(session) => self.legacy_request(session, request).await,
                Err(response) => response,
            };
        }
        let session = match self.session(token, &service, None).await {
            Ok(session) => session,
            Err(response) => return response,
        };
        match message {
            Message::Notification(notification) if notification.method == method::CANCELLED => {
                if let Ok(params) = parse_params::<CancelledParams>(notification.params.as_ref()) {
                    session.cancel_call(&params.request_id);
                }
            }
            Message::Notification(_) => {
                let _ = session
                    .service
                    .handle(&session.session, message, None)
                    .await;
            }
            // This server sends no requests, so a response answers nothing; accepted all the same.
            Message::Response(_) | Message::Error(_) | Message::Request(_) => {}
        }
        StatusCode::ACCEPTED.into_response()
    }

    /// `initialize` starts a session; the id goes out only when the handshake succeeded.
    async fn initialize(&self, token: &str, service: McpService, request: RpcRequest) -> Response {
        let session = Session::new();
        let response = service.handle_request(&session, request, None).await;
        if !matches!(response, Message::Response(_)) {
            return respond(StatusCode::OK, &response, &[], self.accepts, false);
        }
        let id = match self.shared.sessions.insert(token, service, session) {
            Ok(session) => {
                if let Some(backend) = self.shared.config.session_backend.as_deref()
                    && let Err(error) = session.persist(backend).await
                {
                    self.shared.sessions.remove(session.id(), token);
                    return session_backend_failure(None, &error);
                }
                session.id().to_owned()
            }
            Err(error) => {
                eprintln!("freshservice-mcp: no random bytes for a session id: {error}");
                return error_response(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    None,
                    ErrorObject::new(
                        error_code::INTERNAL_ERROR,
                        "internal error: the server could not create a session; try again later",
                    ),
                );
            }
        };
        let mut http = respond(StatusCode::OK, &response, &[], self.accepts, false);
        if let Ok(value) = HeaderValue::from_str(&id) {
            http.headers_mut()
                .insert(HeaderName::from_static(mcp_headers::SESSION_ID), value);
        }
        http
    }

    async fn session(
        &self,
        token: &str,
        service: &McpService,
        id: Option<RequestId>,
    ) -> Result<Arc<HttpSession>, Response> {
        match mcp_headers::single(self.headers, mcp_headers::SESSION_ID) {
            Ok(Some(session_id)) => {
                let backend = self.shared.config.session_backend.as_deref();
                match self
                    .shared
                    .sessions
                    .lookup(&session_id, token, service, backend)
                    .await
                {
                    Ok(Some(session)) => Ok(session),
                    Ok(None) => Err(session_not_found(id)),
                    Err(error) => Err(session_backend_failure(id, &error)),
                }
            }
            Ok(None) | Err(_) => Err(transport_error(
                StatusCode::BAD_REQUEST,
                id,
                format!(
                    "missing Mcp-Session-Id header: send initialize first and repeat the session id it returns, or send {PROTOCOL_VERSION_KEY} in params._meta to use protocol version 2026-07-28 without a session"
                ),
            )),
        }
    }

    /// Runs a request in a task of its own: in the legacy era a dropped connection is not a
    /// cancellation (only `notifications/cancelled` is), so the call finishes either way.
    async fn legacy_request(&self, session: Arc<HttpSession>, request: RpcRequest) -> Response {
        let id = request.id.clone();
        let tools_call = request.method == method::TOOLS_CALL;
        let timeout = self.shared.config.request_timeout;
        let (notifier, mut notifications) = mpsc::unbounded_channel();
        let task_session = Arc::clone(&session);
        let task_id = id.clone();
        let call = async move {
            tokio::time::timeout(
                timeout,
                task_session.service.handle_request(
                    &task_session.session,
                    request,
                    Some(&notifier),
                ),
            )
            .await
            .unwrap_or_else(|_| timed_out(task_id, timeout))
        };
        let Some(task) = session.spawn_call(id.clone(), call) else {
            return respond(
                StatusCode::OK,
                &ErrorResponse::new(
                    Some(id.clone()),
                    ErrorObject::new(
                        error_code::INVALID_REQUEST,
                        format!("request id {id} is already in use by a request in flight"),
                    ),
                )
                .into(),
                &[],
                self.accepts,
                false,
            );
        };
        let response = match task.await {
            Ok(response) => response,
            Err(error) if error.is_cancelled() => {
                // Cancelled by the client: the spec says to send no response for it. An empty
                // event stream says exactly that; a JSON-only client still needs a body.
                if self.accepts.sse {
                    return sse_response(StatusCode::OK, &[]);
                }
                ErrorResponse::new(
                    Some(id),
                    ErrorObject::new(
                        error_code::INTERNAL_ERROR,
                        "the request was cancelled by notifications/cancelled",
                    ),
                )
                .into()
            }
            Err(_) => {
                session.finish_call(&id);
                ErrorResponse::new(
                    Some(id),
                    ErrorObject::new(error_code::INTERNAL_ERROR, "internal error"),
                )
                .into()
            }
        };
        if let Some(backend) = self.shared.config.session_backend.as_deref()
            && let Err(error) = session.persist(backend).await
        {
            // The answer stands; only the state change (a new log level) is not shared.
            eprintln!("freshservice-mcp: the session store failed: {error}");
        }
        let notifications = drain(&mut notifications);
        respond(
            StatusCode::OK,
            &response,
            &notifications,
            self.accepts,
            tools_call,
        )
    }
}

/// The shared session store failed: the detail goes to stderr, the client gets a retryable 500.
fn session_backend_failure(
    id: Option<RequestId>,
    error: &super::sessions::BackendError,
) -> Response {
    eprintln!("freshservice-mcp: the session store failed: {error}");
    error_response(
        StatusCode::INTERNAL_SERVER_ERROR,
        id,
        ErrorObject::new(
            error_code::INTERNAL_ERROR,
            "internal error: the session store is unavailable; try again shortly",
        ),
    )
}

fn session_not_found(id: Option<RequestId>) -> Response {
    transport_error(
        StatusCode::NOT_FOUND,
        id,
        "session not found: it ended, expired or never existed; send initialize to start a new one"
            .to_owned(),
    )
}

// ---------------------------------------------------------------------------------------------
// Responses.

fn respond(
    status: StatusCode,
    response: &Message,
    notifications: &[Message],
    accepts: Accepts,
    tools_call: bool,
) -> Response {
    let mut http = if (accepts.sse && !notifications.is_empty()) || !accepts.json {
        let mut messages = notifications.to_vec();
        messages.push(response.clone());
        sse_response(status, &messages)
    } else {
        json_response(status, response)
    };
    if tools_call {
        copy_rate_limit_headers(response, http.headers_mut());
    }
    http
}

/// The rate-limit fields the service put in the result's `_meta`, as response headers, so an
/// HTTP client or proxy can pace itself without parsing the body.
fn copy_rate_limit_headers(response: &Message, headers: &mut HeaderMap) {
    let Message::Response(response) = response else {
        return;
    };
    let Some(meta) = response.result.get("_meta").and_then(Value::as_object) else {
        return;
    };
    for name in RATE_LIMIT_FIELDS {
        let text = match meta.get(name) {
            Some(Value::Number(number)) => number.to_string(),
            Some(Value::String(text)) => text.clone(),
            _ => continue,
        };
        if let Ok(value) = HeaderValue::from_str(&text) {
            headers.insert(HeaderName::from_static(name), value);
        }
    }
}

fn json_response(status: StatusCode, message: &Message) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        message.to_json(),
    )
        .into_response()
}

/// A finished event stream: one `message` event per JSON-RPC message. No event ids, since
/// nothing is kept to resume from.
fn sse_response(status: StatusCode, messages: &[Message]) -> Response {
    let mut body = String::new();
    for message in messages {
        body.push_str("event: message\ndata: ");
        body.push_str(&message.to_json());
        body.push_str("\n\n");
    }
    (
        status,
        [
            (header::CONTENT_TYPE, "text/event-stream"),
            (header::CACHE_CONTROL, "no-cache"),
            (HeaderName::from_static("x-accel-buffering"), "no"),
        ],
        body,
    )
        .into_response()
}

fn error_response(status: StatusCode, id: Option<RequestId>, error: ErrorObject) -> Response {
    json_response(status, &ErrorResponse::new(id, error).into())
}

/// A transport-level refusal: -32600 with a message saying what to change.
fn transport_error(status: StatusCode, id: Option<RequestId>, message: String) -> Response {
    error_response(
        status,
        id,
        ErrorObject::new(error_code::INVALID_REQUEST, message),
    )
}

fn header_mismatch(message: String) -> ErrorObject {
    ErrorObject::new(
        error_code::HEADER_MISMATCH,
        format!("header mismatch: {message}"),
    )
}

fn describe(problem: &HeaderProblem) -> &'static str {
    match problem {
        HeaderProblem::Repeated => "repeated with different values",
        HeaderProblem::Invalid => "not valid (visible ASCII, or the =?base64?...?= form)",
    }
}

fn timed_out(id: RequestId, timeout: Duration) -> Message {
    ErrorResponse::new(
        Some(id),
        ErrorObject::new(
            error_code::INTERNAL_ERROR,
            format!(
                "timed out after {} s: the request was cancelled; if it changed data, read the data back before retrying",
                timeout.as_secs_f64()
            ),
        ),
    )
    .into()
}

fn drain(notifications: &mut mpsc::UnboundedReceiver<Message>) -> Vec<Message> {
    let mut drained = Vec::new();
    while let Ok(message) = notifications.try_recv() {
        drained.push(message);
    }
    drained
}

fn request_id(message: &Message) -> Option<RequestId> {
    match message {
        Message::Request(request) => Some(request.id.clone()),
        _ => None,
    }
}

fn request_meta_version(request: &RpcRequest) -> Option<&Value> {
    request.meta()?.get(PROTOCOL_VERSION_KEY)
}

/// The protocol version in a request's or notification's `_meta`, when it has one.
fn meta_version(message: &Message) -> Option<&Value> {
    let params = match message {
        Message::Request(request) => request.params.as_ref(),
        Message::Notification(notification) => notification.params.as_ref(),
        Message::Response(_) | Message::Error(_) => None,
    }?;
    params.get("_meta")?.get(PROTOCOL_VERSION_KEY)
}
