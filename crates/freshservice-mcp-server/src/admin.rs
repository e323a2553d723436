//! The provisioning API: integrated accounts, MCP servers and API tokens, JSON in and out,
//! behind `Authorization: Bearer <admin key>`.
//!
//! Secrets flow one way: a Freshservice API key goes in and is sealed; URL and API tokens come
//! out once, in the response that creates them, and only their salted hashes are kept.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::clock::{format_rfc3339, parse_rfc3339};
use crate::directory::{BuildError, ClientSettings, Directory, client_for, log};
use crate::error::Error;
use crate::secrets::{is_id, issue_token, new_id, secrets_equal};
use crate::storage::{Account, ApiToken, Location, McpServer, ServerConfig};

/// The longest name an account or server may have, in characters.
const MAX_NAME_CHARS: usize = 200;

/// What the admin handlers share.
pub(crate) struct AdminState {
    pub(crate) directory: Arc<Directory>,
    pub(crate) admin_key: String,
    /// `http://host:port` without a trailing slash; MCP URLs are `<public_url>/mcp/<token>`.
    pub(crate) public_url: String,
    pub(crate) client_settings: ClientSettings,
}

/// An error answer: `{"error": {"message": ...}}` with a status.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }

    fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, format!("no {what} with this id"))
    }
}

impl From<Error> for ApiError {
    fn from(error: Error) -> Self {
        // The detail may name files or SQL; the operator reads it in the log.
        log(&format!("admin API: {error}"));
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal error; see the server log",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        error_response(self.status, &self.message)
    }
}

fn error_response(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({"error": {"message": message}}))).into_response()
}

type Answer = Result<Response, ApiError>;

/// The admin routes, with admin authentication on every one of them.
pub(crate) fn admin_router(state: Arc<AdminState>) -> Router {
    Router::new()
        .route(
            "/integrated-account",
            post(create_account).get(list_accounts),
        )
        .route(
            "/integrated-account/{id}",
            get(get_account).delete(delete_account),
        )
        .route(
            "/integrated-account/{id}/mcp",
            post(create_server).get(list_servers),
        )
        .route(
            "/integrated-account/{id}/mcp/{mcp_id}",
            get(get_server).patch(update_server).delete(delete_server),
        )
        .route(
            "/integrated-account/{id}/api-tokens",
            post(create_api_token).get(list_api_tokens),
        )
        .route(
            "/integrated-account/{id}/api-tokens/{token_id}",
            delete(delete_api_token),
        )
        .method_not_allowed_fallback(method_not_allowed)
        .route_layer(middleware::from_fn_with_state(
            Arc::clone(&state),
            require_admin,
        ))
        .with_state(state)
}

/// The answer for paths nobody serves.
pub(crate) async fn not_found() -> Response {
    error_response(StatusCode::NOT_FOUND, "no such endpoint")
}

async fn method_not_allowed() -> Response {
    error_response(
        StatusCode::METHOD_NOT_ALLOWED,
        "this endpoint does not accept this method",
    )
}

async fn require_admin(
    State(state): State<Arc<AdminState>>,
    request: Request,
    next: Next,
) -> Response {
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, key)| key.trim());
    match given {
        Some(key) if secrets_equal(key, &state.admin_key) => next.run(request).await,
        _ => {
            let mut response = error_response(
                StatusCode::UNAUTHORIZED,
                "missing or wrong admin key: send Authorization: Bearer <admin key>",
            );
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"freshservice-mcp-admin\""),
            );
            response
        }
    }
}

fn parse_body<T: DeserializeOwned>(body: &Bytes) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request(
            "the request needs a JSON object body",
        ));
    }
    serde_json::from_slice(body)
        .map_err(|error| ApiError::bad_request(format!("invalid request body: {error}")))
}

fn check_name(name: &str) -> Result<String, ApiError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(ApiError::bad_request(format!(
            "name must have 1 to {MAX_NAME_CHARS} characters"
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(ApiError::bad_request(
            "name must not contain control characters",
        ));
    }
    Ok(name.to_owned())
}

fn check_id(id: &str, what: &str) -> Result<(), ApiError> {
    if is_id(id) {
        Ok(())
    } else {
        Err(ApiError::not_found(what))
    }
}

fn created(body: Value) -> Answer {
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

fn ok(body: Value) -> Answer {
    Ok(Json(body).into_response())
}

fn no_content() -> Answer {
    Ok(StatusCode::NO_CONTENT.into_response())
}

// ---- integrated accounts ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateAccount {
    name: String,
    #[serde(default)]
    domain: Option<String>,
    #[serde(default)]
    base_url: Option<String>,
    api_key: String,
}

fn account_json(account: &Account) -> Value {
    let mut body = json!({"id": account.id, "name": account.name});
    match &account.location {
        Location::Domain(domain) => body["domain"] = json!(domain),
        Location::BaseUrl(url) => body["base_url"] = json!(url),
    }
    body["created_at"] = json!(format_rfc3339(account.created_at));
    body
}

async fn create_account(State(state): State<Arc<AdminState>>, body: Bytes) -> Answer {
    let request: CreateAccount = parse_body(&body)?;
    let name = check_name(&request.name)?;
    let non_empty = |value: Option<String>| {
        value
            .map(|value| value.trim().to_owned())
            .filter(|value| !value.is_empty())
    };
    let location = match (non_empty(request.domain), non_empty(request.base_url)) {
        (Some(domain), None) => Location::Domain(domain),
        (None, Some(url)) => Location::BaseUrl(url),
        (Some(_), Some(_)) => {
            return Err(ApiError::bad_request(
                "give either domain or base_url, not both",
            ));
        }
        (None, None) => {
            return Err(ApiError::bad_request(
                "domain is missing: give domain (e.g. acme) or base_url",
            ));
        }
    };
    // Building a client checks the domain or URL and the key's shape without sending anything.
    // Its messages never contain the key.
    client_for(&location, &request.api_key, &state.client_settings)
        .map_err(|error| ApiError::bad_request(error.to_string()))?;
    let id = new_id()?;
    let directory = &state.directory;
    let account = Account {
        sealed_api_key: directory
            .key()
            .seal(request.api_key.trim().as_bytes(), &id)?,
        id,
        name,
        location,
        created_at: directory.now(),
    };
    directory.storage().insert_account(&account).await?;
    log(&format!("created integrated account {}", account.id));
    created(account_json(&account))
}

async fn list_accounts(State(state): State<Arc<AdminState>>) -> Answer {
    let accounts = state.directory.storage().accounts().await?;
    ok(Value::Array(accounts.iter().map(account_json).collect()))
}

async fn load_account(state: &AdminState, id: &str) -> Result<Account, ApiError> {
    check_id(id, "integrated account")?;
    state
        .directory
        .storage()
        .account(id)
        .await?
        .ok_or_else(|| ApiError::not_found("integrated account"))
}

async fn get_account(State(state): State<Arc<AdminState>>, Path(id): Path<String>) -> Answer {
    ok(account_json(&load_account(&state, &id).await?))
}

async fn delete_account(State(state): State<Arc<AdminState>>, Path(id): Path<String>) -> Answer {
    check_id(&id, "integrated account")?;
    let directory = &state.directory;
    if !directory.storage().delete_account(&id).await? {
        return Err(ApiError::not_found("integrated account"));
    }
    directory.evict_account(&id);
    log(&format!(
        "deleted integrated account {id} with its MCP servers and API tokens"
    ));
    no_content()
}

// ---- MCP servers ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateServer {
    name: String,
    #[serde(default)]
    config: ServerConfig,
    #[serde(default)]
    require_api_token_auth: bool,
    #[serde(default)]
    expires_at: Option<String>,
}

fn server_json(server: &McpServer, now: i64) -> Value {
    json!({
        "id": server.id,
        "account_id": server.account_id,
        "name": server.name,
        "config": server.config,
        "require_api_token_auth": server.require_api_token_auth,
        "expires_at": server.expires_at.map(format_rfc3339),
        "expired": server.is_expired(now),
        "created_at": format_rfc3339(server.created_at),
    })
}

/// Trims, lowercases and de-duplicates a list of names, keeping the first occurrence.
fn normalise(values: Vec<String>) -> Vec<String> {
    let mut seen = Vec::new();
    for value in values {
        let value = value.trim().to_ascii_lowercase();
        if !value.is_empty() && !seen.contains(&value) {
            seen.push(value);
        }
    }
    seen
}

async fn create_server(
    State(state): State<Arc<AdminState>>,
    Path(account_id): Path<String>,
    body: Bytes,
) -> Answer {
    let account = load_account(&state, &account_id).await?;
    let request: CreateServer = parse_body(&body)?;
    let name = check_name(&request.name)?;
    let directory = &state.directory;
    let now = directory.now();
    let expires_at = match request.expires_at.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => {
            let seconds = parse_rfc3339(text).ok_or_else(|| {
                ApiError::bad_request(format!(
                    "expires_at {text:?} is not an RFC 3339 time such as 2030-01-31T12:00:00Z"
                ))
            })?;
            if seconds <= now {
                return Err(ApiError::bad_request(format!(
                    "expires_at {text:?} is not in the future"
                )));
            }
            Some(seconds)
        }
    };
    let mut config = request.config;
    config.methods = normalise(config.methods);
    config.tags = normalise(config.tags);
    let mut workspaces = Vec::new();
    for id in config.workspaces {
        if !workspaces.contains(&id) {
            workspaces.push(id);
        }
    }
    config.workspaces = workspaces;
    let service = directory
        .build(&account, &config)
        .map_err(|error| match error {
            BuildError::Config(message) => ApiError::bad_request(message),
            BuildError::Internal(error) => ApiError::from(error),
        })?;
    let id = new_id()?;
    let issued = issue_token(&id)?;
    let record = McpServer {
        id,
        account_id: account.id,
        name,
        config,
        require_api_token_auth: request.require_api_token_auth,
        expires_at,
        token: issued.hash,
        created_at: now,
    };
    directory.storage().insert_server(&record).await?;
    log(&format!(
        "provisioned MCP server {} for integrated account {}",
        record.id, record.account_id
    ));
    let mut body = server_json(&record, now);
    body["url"] = json!(format!("{}/mcp/{}", state.public_url, issued.token));
    directory.insert_built(record, service);
    created(body)
}

async fn list_servers(
    State(state): State<Arc<AdminState>>,
    Path(account_id): Path<String>,
) -> Answer {
    load_account(&state, &account_id).await?;
    let directory = &state.directory;
    let now = directory.now();
    let servers = directory.storage().servers(&account_id).await?;
    ok(Value::Array(
        servers.iter().map(|s| server_json(s, now)).collect(),
    ))
}

async fn get_server(
    State(state): State<Arc<AdminState>>,
    Path((account_id, id)): Path<(String, String)>,
) -> Answer {
    check_id(&account_id, "integrated account")?;
    check_id(&id, "MCP server")?;
    let directory = &state.directory;
    match directory.storage().server(&id).await? {
        Some(server) if server.account_id == account_id => {
            ok(server_json(&server, directory.now()))
        }
        _ => Err(ApiError::not_found("MCP server in this integrated account")),
    }
}

/// `PATCH {"expires_at": "<RFC 3339>" | null}`: moves or clears a server's expiry. A time in the
/// past expires the server at once, on every instance sharing the database.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateServer {
    expires_at: Option<String>,
}

async fn update_server(
    State(state): State<Arc<AdminState>>,
    Path((account_id, id)): Path<(String, String)>,
    body: Bytes,
) -> Answer {
    check_id(&account_id, "integrated account")?;
    check_id(&id, "MCP server")?;
    // The field must be present: `{}` would otherwise read as "clear the expiry".
    let present = serde_json::from_slice::<Value>(&body)
        .ok()
        .is_some_and(|value| value.get("expires_at").is_some());
    if !present {
        return Err(ApiError::bad_request(
            "send {\"expires_at\": \"2030-01-31T12:00:00Z\"} to set the expiry, or {\"expires_at\": null} to clear it",
        ));
    }
    let request: UpdateServer = parse_body(&body)?;
    let expires_at = match request.expires_at.as_deref().map(str::trim) {
        None => None,
        Some(text) => Some(parse_rfc3339(text).ok_or_else(|| {
            ApiError::bad_request(format!(
                "expires_at {text:?} is not an RFC 3339 time such as 2030-01-31T12:00:00Z"
            ))
        })?),
    };
    let directory = &state.directory;
    if !directory
        .storage()
        .set_server_expiry(&account_id, &id, expires_at)
        .await?
    {
        return Err(ApiError::not_found("MCP server in this integrated account"));
    }
    directory.evict_server(&id);
    log(&format!("changed the expiry of MCP server {id}"));
    match directory.storage().server(&id).await? {
        Some(server) => ok(server_json(&server, directory.now())),
        None => Err(ApiError::not_found("MCP server in this integrated account")),
    }
}

async fn delete_server(
    State(state): State<Arc<AdminState>>,
    Path((account_id, id)): Path<(String, String)>,
) -> Answer {
    check_id(&account_id, "integrated account")?;
    check_id(&id, "MCP server")?;
    let directory = &state.directory;
    if !directory.storage().delete_server(&account_id, &id).await? {
        return Err(ApiError::not_found("MCP server in this integrated account"));
    }
    directory.evict_server(&id);
    log(&format!("deleted MCP server {id}"));
    no_content()
}

// ---- API tokens ----

fn api_token_json(token: &ApiToken) -> Value {
    json!({
        "id": token.id,
        "account_id": token.account_id,
        "created_at": format_rfc3339(token.created_at),
    })
}

async fn create_api_token(
    State(state): State<Arc<AdminState>>,
    Path(account_id): Path<String>,
    body: Bytes,
) -> Answer {
    let account = load_account(&state, &account_id).await?;
    // No settings yet; an empty object is accepted so clients may always send one.
    if !body.iter().all(u8::is_ascii_whitespace) {
        let _: EmptyBody = parse_body(&body)?;
    }
    let directory = &state.directory;
    let id = new_id()?;
    let issued = issue_token(&id)?;
    let record = ApiToken {
        id,
        account_id: account.id,
        token: issued.hash,
        created_at: directory.now(),
    };
    directory.storage().insert_api_token(&record).await?;
    log(&format!(
        "issued API token {} for integrated account {}",
        record.id, record.account_id
    ));
    let mut body = api_token_json(&record);
    body["token"] = json!(issued.token);
    created(body)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EmptyBody {}

async fn list_api_tokens(
    State(state): State<Arc<AdminState>>,
    Path(account_id): Path<String>,
) -> Answer {
    load_account(&state, &account_id).await?;
    let tokens = state.directory.storage().api_tokens(&account_id).await?;
    ok(Value::Array(tokens.iter().map(api_token_json).collect()))
}

async fn delete_api_token(
    State(state): State<Arc<AdminState>>,
    Path((account_id, id)): Path<(String, String)>,
) -> Answer {
    check_id(&account_id, "integrated account")?;
    check_id(&id, "API token")?;
    let directory = &state.directory;
    if !directory
        .storage()
        .delete_api_token(&account_id, &id)
        .await?
    {
        return Err(ApiError::not_found("API token in this integrated account"));
    }
    directory.evict_api_token(&id);
    log(&format!("revoked API token {id}"));
    no_content()
}
