//! The transport-independent MCP service: one message in, at most one message out.
//!
//! Dual-era dispatch: a request whose `params._meta` carries a modern protocol version is served
//! statelessly under 2026-07-28 rules; anything else belongs to a legacy session, which must start
//! with `initialize`. The era is decided per request, from the envelope, so one process serves
//! both kinds of client.

use std::sync::{Arc, Mutex, OnceLock, RwLock};

use freshservice_client::Client;
use mcp_messages::{
    CacheScope, CallToolParams, DiscoverResult, ErrorObject, ErrorResponse, Implementation,
    InitializeParams, InitializeResult, JsonObject, ListToolsParams, ListToolsResult, LoggingLevel,
    LoggingMessageParams, Message, Notification, Request, RequestId, RequestMeta, Response,
    ResultType, SERVER_INFO_KEY, ServerCapabilities, SetLevelParams, Tool, decode_cursor,
    encode_cursor, error_code, method, modern_request_meta, negotiate_legacy_version, parse_params,
    supported_versions,
};
use ratelimit_headers::RateLimitStatus;
use serde_json::{Value, json};
use tokio::sync::mpsc::UnboundedSender;

use crate::account::AccountFields;
use crate::call::{CallContext, CallOutcome, call_tool, rate_limit_meta};
use crate::custom::{CustomTool, CustomTools, ToolContext, check_capabilities};
use crate::discovery;
use crate::exposure::{CORE_TOOLS, Listing, ToolExposure};
use crate::registry::{View, WorkspaceRule, compiled};
use crate::{Error, ToolFilter};

/// Where a request's notifications (progress, log messages) go. Transports usually pass the
/// same channel their responses go through, so notifications arrive before the response.
pub type Notifier = UnboundedSender<Message>;

const INSTRUCTIONS: &str = "Tools for the Freshservice service desk (REST API v2). \
Tool names say the module and action; ids in paths are integers (assets use display_id). \
Filter tools take a Freshservice query such as priority:3 AND status:2. \
When more pages exist, a list result has next_page: pass it as the same tool's page argument. \
Server-added arguments: fields (dotted paths to keep) and include_html on reads, max_items (follow pages) on lists, \
dry_run (return the request unsent) on writes. \
Failed calls return isError with the field or status to fix; rate-limit status is in each result's _meta.";

/// Added to [`INSTRUCTIONS`] when the meta-tools stand in for the tools that are not listed.
const META_INSTRUCTIONS: &str = " Not every tool is listed: search_freshservice_tools finds any other \
(describe the task in plain words), and call_freshservice_tool calls it.";

/// Builds an [`McpService`].
#[derive(Debug, Default)]
pub struct ServiceBuilder {
    client: Option<Client>,
    filter: ToolFilter,
    tools_page_size: Option<usize>,
    server_info: Option<Implementation>,
    workspaces: Vec<i64>,
    max_response_bytes: Option<usize>,
    exposure: ToolExposure,
    custom: CustomTools,
    duplicate_custom: Option<String>,
    account: Option<AccountFields>,
}

/// The default cap on the JSON a tool result carries (about 8,000 tokens): enough for a page of
/// compacted records, small enough to leave the model room to think.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 32 * 1024;

impl ServiceBuilder {
    /// The Freshservice client every tool call goes through.
    pub fn client(mut self, client: Client) -> Self {
        self.client = Some(client);
        self
    }

    /// Which tools to expose.
    pub fn filter(mut self, filter: ToolFilter) -> Self {
        self.filter = filter;
        self
    }

    /// Scopes the server to these workspaces (ids of 2 or more). With one, the server fills in
    /// `workspace_id` and hides it from the schemas; with several, calls must name one of them.
    /// Either way a call naming any other workspace (including 0, all, and 1, global) is refused
    /// before anything is sent.
    pub fn workspaces(mut self, workspaces: Vec<i64>) -> Self {
        self.workspaces = workspaces;
        self
    }

    /// How the tools are offered (default [`ToolExposure::Auto`]): every tool, the core set
    /// with the discovery meta-tools, or the meta-tools alone.
    pub fn tool_exposure(mut self, exposure: ToolExposure) -> Self {
        self.exposure = exposure;
        self
    }

    /// The cap on the JSON bytes of one tool result (default [`DEFAULT_MAX_RESPONSE_BYTES`]; 0 means
    /// no cap). Lists over the cap keep whole records and say how to get the rest.
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.max_response_bytes = Some(bytes);
        self
    }

    /// How many tools one `tools/list` page holds (default 100, at least 1).
    pub fn tools_page_size(mut self, size: usize) -> Self {
        self.tools_page_size = Some(size.max(1));
        self
    }

    /// Shapes the schemas of the tools the account's form fields describe (ticket statuses and
    /// sources, custom fields, categories; see [`AccountFields`]). The fields are read in the
    /// background, never on the way to an answer: until they arrive, and whenever the account
    /// will not show them, tools keep the documented schemas. When they arrive or change,
    /// legacy sessions that listed the tools get `notifications/tools/list_changed`, and the
    /// server declares `tools.listChanged`.
    pub fn account_fields(mut self, fields: AccountFields) -> Self {
        self.account = Some(fields);
        self
    }

    /// Serves an application's own tool beside the catalogue's (see [`CustomTool`]).
    pub fn custom_tool(mut self, tool: impl CustomTool) -> Self {
        if let Err(name) = self.custom.insert(Arc::new(tool)) {
            self.duplicate_custom.get_or_insert(name);
        }
        self
    }

    /// The name and version reported to clients (default: this crate's).
    pub fn server_info(mut self, info: Implementation) -> Self {
        self.server_info = Some(info);
        self
    }

    /// Builds the service.
    ///
    /// # Errors
    ///
    /// [`Error::MissingClient`] without a client; filter errors when a tag is unknown or the
    /// filters leave no tool.
    pub fn build(self) -> Result<McpService, Error> {
        let client = self.client.ok_or(Error::MissingClient)?;
        let workspace_rule = WorkspaceRule::from_scope(&self.workspaces)?;
        let view = View::build(
            compiled()?,
            freshservice_schema::catalog(),
            &self.filter,
            &workspace_rule,
            None,
        )?;
        let meta_tools = discovery::meta_tools();
        let taken = |name: &str| {
            view.get(name).is_some() || meta_tools.iter().any(|tool| tool.name == name)
        };
        if let Some(name) = self.duplicate_custom.or_else(|| {
            self.custom
                .definitions()
                .iter()
                .find(|tool| taken(&tool.name))
                .map(|tool| tool.name.clone())
        }) {
            return Err(Error::DuplicateTool { name });
        }
        let server_info = self.server_info.unwrap_or_else(|| {
            Implementation::new(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"))
                .with_title("Freshservice")
        });
        let listing = Listing::for_view(self.exposure, &view);
        let listed = listed_catalogue_tools(listing, &view, &meta_tools).len()
            + self.custom.definitions().len();
        let tools_page_size = self.tools_page_size.unwrap_or(100);
        let pages = listed.div_ceil(tools_page_size);
        let names = view
            .tools()
            .iter()
            .map(|exposed| exposed.tool.name.clone())
            .collect();
        if let Some(account) = &self.account {
            account.include_workspaces(&self.workspaces);
            // Starts reading at once when built inside a runtime (serve); stdio starts at the
            // first request.
            account.refresh_if_due();
        }
        Ok(McpService {
            inner: Arc::new(Inner {
                client,
                current: RwLock::new(Arc::new(Current::new(0, view, pages))),
                names,
                account: self.account,
                filter: self.filter,
                workspace_rule,
                tools_page_size,
                max_response_bytes: self
                    .max_response_bytes
                    .unwrap_or(DEFAULT_MAX_RESPONSE_BYTES),
                listing,
                meta_tools,
                custom: self.custom,
                server_info,
                last_rate_limit: Mutex::new(None),
            }),
        })
    }
}

/// The MCP service. Cheap to clone; share one between all sessions of a server.
#[derive(Debug, Clone)]
pub struct McpService {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    client: Client,
    /// The tools as the account's latest profile shapes them (or as documented, without one).
    current: RwLock<Arc<Current>>,
    /// The reachable tools' names, which no profile changes.
    names: Vec<String>,
    account: Option<AccountFields>,
    /// What the view is rebuilt from when the account's profile changes.
    filter: ToolFilter,
    workspace_rule: WorkspaceRule,
    tools_page_size: usize,
    max_response_bytes: usize,
    /// What `tools/list` shows, with `auto` decided.
    listing: Listing,
    meta_tools: Vec<Tool>,
    custom: CustomTools,
    server_info: Implementation,
    /// The most recent upstream reading: the limit is per account, so it is shared.
    last_rate_limit: Mutex<Option<RateLimitStatus>>,
}

/// The tools of one profile generation and their `tools/list` pages.
#[derive(Debug)]
struct Current {
    /// The account profile's generation the view was built from (0: the documented schemas).
    generation: u64,
    view: View,
    /// `tools/list` pages as JSON text, per page and era (legacy, modern), made on first request.
    list_pages: Vec<[OnceLock<Arc<str>>; 2]>,
}

impl Current {
    fn new(generation: u64, view: View, pages: usize) -> Self {
        Self {
            generation,
            view,
            list_pages: (0..pages).map(|_| Default::default()).collect(),
        }
    }
}

/// The state of one legacy session (one stdio process, or one HTTP session).
#[derive(Debug, Default)]
pub struct Session {
    state: Mutex<SessionState>,
}

#[derive(Debug, Default)]
struct SessionState {
    protocol_version: Option<String>,
    log_level: Option<LoggingLevel>,
    client_capabilities: JsonObject,
    /// The profile generation of the tool list this session last saw (listed, or was told
    /// about); `None` until it lists tools.
    listed_generation: Option<u64>,
}

impl Session {
    /// A new, uninitialised session.
    pub fn new() -> Self {
        Self::default()
    }

    /// The legacy version negotiated by `initialize`, if the session has been initialised.
    pub fn protocol_version(&self) -> Option<String> {
        self.lock().protocol_version.clone()
    }

    /// The session's protocol state (negotiated version, log level, client capabilities) as
    /// JSON, for a session store shared by several processes.
    pub fn to_json(&self) -> Value {
        let state = self.lock();
        json!({
            "protocolVersion": state.protocol_version,
            "logLevel": state.log_level,
            "clientCapabilities": state.client_capabilities,
        })
    }

    /// Replaces the protocol state with one from [`to_json`](Self::to_json); fields that are
    /// missing or malformed are left as they are.
    pub fn restore_json(&self, value: &Value) {
        let mut state = self.lock();
        if let Some(version) = value.get("protocolVersion").and_then(Value::as_str) {
            state.protocol_version = Some(version.to_owned());
        }
        if let Some(level) = value.get("logLevel") {
            state.log_level = serde_json::from_value(level.clone()).unwrap_or(state.log_level);
        }
        if let Some(Value::Object(capabilities)) = value.get("clientCapabilities") {
            state.client_capabilities = capabilities.clone();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, SessionState> {
        // A poisoned lock only means another task panicked mid-update of plain data; the
        // data itself is still usable.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Who is calling a tool, as far as the call needs to know.
struct Caller<'a> {
    log_level: Option<LoggingLevel>,
    capabilities: &'a JsonObject,
    modern: bool,
}

/// How a request is being served.
enum Served {
    Legacy,
    Modern(Box<RequestMeta>),
}

impl McpService {
    /// A builder.
    pub fn builder() -> ServiceBuilder {
        ServiceBuilder::default()
    }

    /// How this service offers its tools, with [`ToolExposure::Auto`] decided: `All`, `Core`
    /// or `Discovery`.
    pub fn tool_exposure(&self) -> ToolExposure {
        self.inner.listing.exposure()
    }

    /// The names of the tools this service reaches (whether listed or behind the discovery
    /// meta-tools), in catalogue order.
    pub fn tool_names(&self) -> Vec<&str> {
        self.inner.names.iter().map(String::as_str).collect()
    }

    /// Changes of the account's profile (its generation), when the service has
    /// [account fields](ServiceBuilder::account_fields): a transport that can write to its
    /// client unprompted (stdio) watches it and sends what [`list_changed`](Self::list_changed)
    /// gives.
    pub fn tool_changes(&self) -> Option<tokio::sync::watch::Receiver<u64>> {
        self.inner.account.as_ref().map(AccountFields::subscribe)
    }

    /// `notifications/tools/list_changed` for a legacy session that listed the tools before the
    /// account's profile last changed, once per change; `None` otherwise.
    pub fn list_changed(&self, session: &Session) -> Option<Message> {
        let account = self.inner.account.as_ref()?;
        let generation = account.generation();
        let mut state = session.lock();
        match state.listed_generation {
            Some(seen) if seen != generation => {
                state.listed_generation = Some(generation);
                Some(Notification::new(method::TOOLS_LIST_CHANGED, None).into())
            }
            _ => None,
        }
    }

    /// The tools as the account's latest profile shapes them; rebuilt (once per change) when the
    /// profile changed since the last request, and a read started when it is due.
    fn current(&self) -> Arc<Current> {
        let current = Arc::clone(&self.inner.current.read().unwrap_or_else(|p| p.into_inner()));
        let Some(account) = &self.inner.account else {
            return current;
        };
        account.refresh_if_due();
        let generation = account.generation();
        if current.generation == generation {
            return current;
        }
        let profile = account.profile();
        let built = compiled().and_then(|registry| {
            View::build(
                registry,
                freshservice_schema::catalog(),
                &self.inner.filter,
                &self.inner.workspace_rule,
                profile.as_ref(),
            )
        });
        let Ok(view) = built else {
            // The same filters built a view before, so this cannot fail; serve what we have.
            return current;
        };
        let fresh = Arc::new(Current::new(generation, view, current.list_pages.len()));
        let mut slot = self
            .inner
            .current
            .write()
            .unwrap_or_else(|p| p.into_inner());
        if slot.generation < generation {
            *slot = Arc::clone(&fresh);
        }
        Arc::clone(&slot)
    }

    /// Handles one incoming message. Returns the response for a request and `None` for
    /// notifications and responses. Notifications for the client go to `notifier`.
    pub async fn handle(
        &self,
        session: &Session,
        message: Message,
        notifier: Option<&Notifier>,
    ) -> Option<Message> {
        match message {
            Message::Request(request) => {
                Some(self.handle_request(session, request, notifier).await)
            }
            Message::Notification(notification) => {
                if notification.method == method::INITIALIZED {
                    // Nothing to do: requests are served as soon as `initialize` was answered.
                }
                None
            }
            Message::Response(_) | Message::Error(_) => None,
        }
    }

    /// Handles one request and returns its response.
    pub async fn handle_request(
        &self,
        session: &Session,
        request: Request,
        notifier: Option<&Notifier>,
    ) -> Message {
        let id = request.id.clone();
        let result = match self.dispatch(session, request, notifier).await {
            Ok(Payload::Value(value)) => Ok(value),
            Ok(Payload::Text(text)) => serde_json::from_str(&text).map_err(internal),
            Err(error) => Err(error),
        };
        match result {
            Ok(result) => Response::new(id, result).into(),
            Err(error) => ErrorResponse::new(Some(id), error).into(),
        }
    }

    /// Handles one request and returns its response as one line of JSON (without the newline),
    /// exactly as [`Message::to_json`] would write [`McpService::handle_request`]'s answer, but
    /// without building and copying JSON values that are only written out.
    pub(crate) async fn handle_request_json(
        &self,
        session: &Session,
        request: Request,
        notifier: Option<&Notifier>,
    ) -> String {
        let id = request.id.clone();
        let line = match self.dispatch(session, request, notifier).await {
            Ok(payload) => response_json(&id, &payload),
            Err(error) => Err(error),
        };
        line.unwrap_or_else(|error| Message::from(ErrorResponse::new(Some(id), error)).to_json())
    }

    async fn dispatch(
        &self,
        session: &Session,
        request: Request,
        notifier: Option<&Notifier>,
    ) -> Result<Payload, ErrorObject> {
        if let Some(account) = &self.inner.account {
            // Any request may find the account's fields due; reading them never delays it.
            account.refresh_if_due();
        }
        let served = match modern_request_meta(request.params.as_ref())? {
            Some(meta) => Served::Modern(Box::new(meta)),
            None => Served::Legacy,
        };
        let params = request.params.as_ref();
        match served {
            Served::Modern(meta) => match request.method.as_str() {
                method::SERVER_DISCOVER => Ok(Payload::Value(self.discover())),
                method::TOOLS_LIST => self.list_tools(params, true, None).map(Payload::Text),
                method::TOOLS_CALL => {
                    let caller = Caller {
                        log_level: meta.log_level,
                        capabilities: &meta.client_capabilities,
                        modern: true,
                    };
                    self.call(params, caller, notifier)
                        .await
                        .map(Payload::Value)
                }
                method::PROMPTS_LIST
                | method::RESOURCES_LIST
                | method::RESOURCES_TEMPLATES_LIST
                | method::PROMPTS_GET
                | method::RESOURCES_READ => self
                    .empty_feature(&request.method, params, true)
                    .map(Payload::Value),
                method::INITIALIZE | method::PING | method::LOGGING_SET_LEVEL => {
                    Err(ErrorObject::new(
                        error_code::METHOD_NOT_FOUND,
                        format!(
                            "{} does not exist in protocol version 2026-07-28 (it was removed with the handshake)",
                            request.method
                        ),
                    ))
                }
                other => Err(ErrorObject::method_not_found(other)),
            },
            Served::Legacy => {
                // A session that listed the tools before the account's fields changed hears of
                // it before this answer (stdio also tells it unprompted).
                if let (Some(notifier), Some(message)) = (notifier, self.list_changed(session)) {
                    // A closed channel means the client left; nothing to tell.
                    let _ = notifier.send(message);
                }
                match request.method.as_str() {
                    method::INITIALIZE => self.initialize(session, params).map(Payload::Value),
                    method::PING => Ok(Payload::Value(json!({}))),
                    method::SERVER_DISCOVER => Err(mcp_messages::require_modern_meta(params)
                        .err()
                        .unwrap_or_else(|| {
                            ErrorObject::invalid_params("server/discover needs modern _meta")
                        })),
                    method::TOOLS_LIST | method::TOOLS_CALL | method::LOGGING_SET_LEVEL
                        if session.protocol_version().is_none() =>
                    {
                        Err(ErrorObject::new(
                            error_code::INVALID_REQUEST,
                            format!(
                                "session not initialized: send initialize first, or send {} in params._meta to use protocol version 2026-07-28",
                                mcp_messages::PROTOCOL_VERSION_KEY
                            ),
                        ))
                    }
                    method::TOOLS_LIST => self
                        .list_tools(params, false, Some(session))
                        .map(Payload::Text),
                    method::TOOLS_CALL => {
                        let (log_level, capabilities) = {
                            let state = session.lock();
                            (state.log_level, state.client_capabilities.clone())
                        };
                        let caller = Caller {
                            log_level,
                            capabilities: &capabilities,
                            modern: false,
                        };
                        self.call(params, caller, notifier)
                            .await
                            .map(Payload::Value)
                    }
                    method::PROMPTS_LIST
                    | method::RESOURCES_LIST
                    | method::RESOURCES_TEMPLATES_LIST
                    | method::PROMPTS_GET
                    | method::RESOURCES_READ => self
                        .empty_feature(&request.method, params, false)
                        .map(Payload::Value),
                    method::LOGGING_SET_LEVEL => {
                        let SetLevelParams { level, .. } = parse_params(params)?;
                        session.lock().log_level = Some(level);
                        Ok(Payload::Value(json!({})))
                    }
                    other => Err(ErrorObject::method_not_found(other)),
                }
            }
        }
    }

    fn initialize(&self, session: &Session, params: Option<&Value>) -> Result<Value, ErrorObject> {
        let params: InitializeParams = parse_params(params)?;
        let version = negotiate_legacy_version(&params.protocol_version);
        if let Some(account) = &self.inner.account {
            // The earliest moment a stdio server runs inside its runtime: start reading the
            // account's fields while the client reads this answer.
            account.refresh_if_due();
        }
        {
            let mut state = session.lock();
            state.protocol_version = Some(version.to_owned());
            state.client_capabilities = params.capabilities;
        }
        let result = InitializeResult::new(
            version,
            self.capabilities(false),
            self.inner.server_info.clone(),
        )
        .with_instructions(self.instructions());
        serde_json::to_value(result).map_err(internal)
    }

    /// Prompts and resources: this server has none, and says so with empty lists rather than
    /// "method not found", so clients that list everything (and cache the lists) work as usual.
    fn empty_feature(
        &self,
        method_name: &str,
        params: Option<&Value>,
        modern: bool,
    ) -> Result<Value, ErrorObject> {
        let key = match method_name {
            method::PROMPTS_LIST => "prompts",
            method::RESOURCES_LIST => "resources",
            method::RESOURCES_TEMPLATES_LIST => "resourceTemplates",
            method::RESOURCES_READ => {
                let uri = params
                    .and_then(|params| params.get("uri"))
                    .cloned()
                    .unwrap_or(Value::Null);
                return Err(ErrorObject::invalid_params(format!(
                    "resource not found: {uri}; this server has no resources"
                ))
                .with_data(json!({ "uri": uri })));
            }
            _ => {
                let name = params
                    .and_then(|params| params.get("name"))
                    .cloned()
                    .unwrap_or(Value::Null);
                return Err(ErrorObject::invalid_params(format!(
                    "prompt not found: {name}; this server has no prompts"
                )));
            }
        };
        let mut result = JsonObject::new();
        result.insert(key.into(), json!([]));
        if modern {
            result.insert("resultType".into(), json!("complete"));
            result.insert("ttlMs".into(), json!(300_000));
            result.insert("cacheScope".into(), json!("private"));
            result.insert("_meta".into(), Value::Object(self.server_info_meta()));
        }
        Ok(Value::Object(result))
    }

    fn discover(&self) -> Value {
        let mut result = DiscoverResult::new(
            supported_versions()
                .into_iter()
                .map(str::to_owned)
                .collect(),
            self.capabilities(true),
        );
        result.instructions = Some(self.instructions());
        result.cache_scope = CacheScope::Private;
        result.meta = Some(self.server_info_meta());
        serde_json::to_value(result).unwrap_or(Value::Null)
    }

    /// Tools and logging; prompts and resources are declared empty. Legacy sessions get
    /// `listChanged` when account fields can change the tools; the modern era would need a
    /// `subscriptions/listen` stream, which this server does not offer (its clients see changes
    /// when their `ttlMs` runs out).
    fn capabilities(&self, modern: bool) -> ServerCapabilities {
        let mut capabilities =
            ServerCapabilities::tools_and_logging().with_empty_prompts_and_resources();
        if !modern
            && self.inner.account.is_some()
            && let Some(tools) = capabilities.tools.as_mut()
        {
            tools.list_changed = Some(true);
        }
        capabilities
    }

    /// How long a modern client may cache `tools/list`: five minutes, or less when the account's
    /// profile is due to be read again sooner.
    fn list_ttl_ms(&self) -> u64 {
        const LIST_TTL_MS: u64 = 300_000;
        match &self.inner.account {
            None => LIST_TTL_MS,
            Some(account) => {
                let due = u64::try_from(account.time_to_refresh().as_millis()).unwrap_or(u64::MAX);
                LIST_TTL_MS.min(due)
            }
        }
    }

    fn instructions(&self) -> String {
        if self.inner.listing.has_meta_tools() {
            format!("{INSTRUCTIONS}{META_INSTRUCTIONS}")
        } else {
            INSTRUCTIONS.to_owned()
        }
    }

    fn server_info_meta(&self) -> JsonObject {
        let mut meta = JsonObject::new();
        meta.insert(
            SERVER_INFO_KEY.into(),
            serde_json::to_value(&self.inner.server_info).unwrap_or(Value::Null),
        );
        meta
    }

    /// Every listed tool, in `tools/list` order.
    fn listed_tools<'a>(&'a self, current: &'a Current) -> Vec<&'a Tool> {
        listed_catalogue_tools(self.inner.listing, &current.view, &self.inner.meta_tools)
            .into_iter()
            .chain(self.inner.custom.definitions())
            .collect()
    }

    /// One `tools/list` page as JSON text. Pages that start where `nextCursor` points are made
    /// once per era and profile generation and kept: the list changes only with the account's
    /// profile.
    fn list_tools(
        &self,
        params: Option<&Value>,
        modern: bool,
        session: Option<&Session>,
    ) -> Result<Arc<str>, ErrorObject> {
        let ListToolsParams { cursor, .. } = parse_params(params)?;
        let current = self.current();
        if let Some(session) = session {
            session.lock().listed_generation = Some(current.generation);
        }
        let listed = self.listed_tools(&current);
        let start = match cursor.as_deref() {
            None => 0,
            Some(cursor) => decode_cursor(cursor)
                .filter(|offset| *offset < listed.len())
                .ok_or_else(|| ErrorObject::invalid_params(format!("invalid cursor {cursor:?}: use the nextCursor of the previous tools/list page, or omit it")))?,
        };
        let page_size = self.inner.tools_page_size;
        let slot = (start % page_size == 0)
            .then(|| current.list_pages.get(start / page_size))
            .flatten()
            .map(|eras| &eras[usize::from(modern)]);
        if let Some(text) = slot.and_then(OnceLock::get) {
            return Ok(Arc::clone(text));
        }
        let text = self.render_page(&listed, start, modern)?;
        Ok(match slot {
            Some(slot) => Arc::clone(slot.get_or_init(|| text)),
            None => text,
        })
    }

    fn render_page(
        &self,
        listed: &[&Tool],
        start: usize,
        modern: bool,
    ) -> Result<Arc<str>, ErrorObject> {
        let end = (start + self.inner.tools_page_size).min(listed.len());
        let next_cursor = (end < listed.len()).then(|| encode_cursor(end));
        // The page is written without its tools, whose array is then put in place of the empty
        // one: `tools` is the first field, and copying ~100 tool definitions only to write them
        // out would cost more than writing them.
        let mut result = ListToolsResult::new(Vec::new(), next_cursor);
        if modern {
            result.result_type = Some(ResultType::Complete);
            // The list depends on the server's filters (its authorization), not on the caller's
            // connection, so private caching is right; it never changes while the process runs.
            result.ttl_ms = Some(self.list_ttl_ms());
            result.cache_scope = Some(CacheScope::Private);
            result.meta = Some(self.server_info_meta());
        }
        let rest = serde_json::to_string(&result).map_err(internal)?;
        let tools = serde_json::to_string(&listed[start..end]).map_err(internal)?;
        let Some(rest) = rest.strip_prefix(EMPTY_TOOLS_HEAD) else {
            return Err(ErrorObject::new(
                error_code::INTERNAL_ERROR,
                "internal error: a tools/list page does not start with its tools",
            ));
        };
        let mut text = String::with_capacity(rest.len() + tools.len() + 10);
        text.push_str(TOOLS_HEAD);
        text.push_str(&tools);
        text.push_str(rest);
        Ok(Arc::from(text))
    }

    async fn call(
        &self,
        params: Option<&Value>,
        caller: Caller<'_>,
        notifier: Option<&Notifier>,
    ) -> Result<Value, ErrorObject> {
        let Caller {
            log_level,
            capabilities,
            modern,
        } = caller;
        let CallToolParams {
            name, arguments, ..
        } = parse_params(params)?;
        let progress = match (notifier, mcp_messages::progress_token(params)) {
            (Some(notifier), Some(token)) => Some((notifier, token)),
            _ => None,
        };
        let context = CallContext {
            client: &self.inner.client,
            max_response_bytes: self.inner.max_response_bytes,
            progress,
            account: self.inner.account.as_ref(),
        };
        let current = self.current();
        let view = &current.view;
        let arguments = arguments.unwrap_or_default();
        let discovery = self.inner.listing.has_meta_tools();
        let outcome = match name.as_str() {
            discovery::SEARCH_TOOL if discovery => {
                CallOutcome::local(discovery::search(view, &arguments))
            }
            discovery::SCHEMA_TOOL if discovery => {
                CallOutcome::local(discovery::schema(view, &arguments))
            }
            discovery::CALL_TOOL if discovery => {
                let target = arguments
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let target_arguments = match arguments.get("arguments") {
                    None | Some(Value::Null) => JsonObject::new(),
                    Some(Value::Object(object)) => object.clone(),
                    Some(_) => {
                        return self.finish(
                            CallOutcome::local(mcp_messages::CallToolResult::error(
                                "/arguments: expected an object holding the tool's arguments",
                            )),
                            &name,
                            log_level,
                            notifier,
                            modern,
                        );
                    }
                };
                match view.get(target) {
                    Some(exposed) => call_tool(&context, exposed, target_arguments).await,
                    None => CallOutcome::local(discovery::unknown(target)),
                }
            }
            _ if let Some(tool) = self.inner.custom.get(&name) => {
                check_capabilities(tool.as_ref(), &name, capabilities)?;
                let context = ToolContext {
                    tool: &name,
                    log_floor: log_level,
                    notifier,
                    progress_token: mcp_messages::progress_token(params),
                };
                CallOutcome::local(tool.call(arguments, context).await)
            }
            _ => {
                let Some(exposed) = view.get(&name) else {
                    return Err(ErrorObject::invalid_params(format!(
                        "Unknown tool: {name}. Call tools/list to see the tools this server offers."
                    )));
                };
                call_tool(&context, exposed, arguments).await
            }
        };
        self.finish(outcome, &name, log_level, notifier, modern)
    }

    /// Adds the rate-limit and server metadata to a tool result and logs failures.
    fn finish(
        &self,
        outcome: CallOutcome,
        name: &str,
        log_level: Option<LoggingLevel>,
        notifier: Option<&Notifier>,
        modern: bool,
    ) -> Result<Value, ErrorObject> {
        let rate_limit = match outcome.rate_limit {
            Some(status) => {
                *self.lock_rate_limit() = Some(status.clone());
                Some(status)
            }
            None => self.lock_rate_limit().clone().map(|mut status| {
                // Delays are relative to when they were read; repeated later they would tell
                // the client to wait for a moment that has already passed.
                status.reset = None;
                status.retry_after = None;
                status
            }),
        };
        let mut result = outcome.result;
        let mut meta = rate_limit.as_ref().map(rate_limit_meta).unwrap_or_default();
        if modern {
            result.result_type = Some(ResultType::Complete);
            meta.extend(self.server_info_meta());
        }
        if !meta.is_empty() {
            result.meta = Some(meta);
        }
        if result.is_error == Some(true) {
            self.log(log_level, notifier, LoggingLevel::Warning, name, &result);
        }
        serde_json::to_value(result).map_err(internal)
    }

    /// Sends a log notification when the client asked for this level or lower.
    fn log(
        &self,
        floor: Option<LoggingLevel>,
        notifier: Option<&Notifier>,
        level: LoggingLevel,
        tool: &str,
        result: &mcp_messages::CallToolResult,
    ) {
        let (Some(floor), Some(notifier)) = (floor, notifier) else {
            return;
        };
        if level < floor {
            return;
        }
        let text = result
            .content
            .iter()
            .find_map(|block| match block {
                mcp_messages::ContentBlock::Text { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .unwrap_or("");
        let params = LoggingMessageParams::new(
            level,
            Some("freshservice-mcp".into()),
            json!({ "tool": tool, "message": text }),
        );
        if let Ok(params) = serde_json::to_value(params) {
            // A closed channel means the client went away; nothing to report to.
            let _ = notifier.send(Notification::new(method::LOGGING_MESSAGE, Some(params)).into());
        }
    }

    fn lock_rate_limit(&self) -> std::sync::MutexGuard<'_, Option<RateLimitStatus>> {
        self.inner
            .last_rate_limit
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The catalogue's part of `tools/list`: every allowed tool, the allowed core tools followed by
/// the meta-tools, or the meta-tools alone.
fn listed_catalogue_tools<'a>(
    listing: Listing,
    view: &'a View,
    meta_tools: &'a [Tool],
) -> Vec<&'a Tool> {
    let catalogue = view.tools().iter().map(|exposed| exposed.tool.as_ref());
    match listing {
        Listing::All => catalogue.collect(),
        Listing::Core => catalogue
            .filter(|tool| CORE_TOOLS.contains(&tool.name.as_str()))
            .chain(meta_tools)
            .collect(),
        Listing::Discovery => meta_tools.iter().collect(),
    }
}

/// How a `tools/list` result starts, without and with its tools.
const EMPTY_TOOLS_HEAD: &str = "{\"tools\":[]";
const TOOLS_HEAD: &str = "{\"tools\":";

/// What a request answers with.
enum Payload {
    Value(Value),
    /// JSON text made ahead of time: `tools/list` pages, which never change while the process runs.
    Text(Arc<str>),
}

/// A JSON-RPC response as one line, field for field what [`Message::to_json`] writes for it.
fn response_json(id: &RequestId, payload: &Payload) -> Result<String, ErrorObject> {
    let id = match id {
        RequestId::Number(number) => number.to_string(),
        RequestId::String(text) => serde_json::to_string(text).map_err(internal)?,
    };
    let head = format!("{{\"jsonrpc\":\"2.0\",\"id\":{id},\"result\":");
    let mut line = match payload {
        Payload::Value(value) => {
            let mut line = head.into_bytes();
            serde_json::to_writer(&mut line, value).map_err(internal)?;
            // serde_json writes only UTF-8.
            String::from_utf8(line).map_err(|error| {
                ErrorObject::new(
                    error_code::INTERNAL_ERROR,
                    format!("internal error: {error}"),
                )
            })?
        }
        Payload::Text(text) => {
            let mut line = String::with_capacity(head.len() + text.len() + 1);
            line.push_str(&head);
            line.push_str(text);
            line
        }
    };
    line.push('}');
    Ok(line)
}

fn internal(error: serde_json::Error) -> ErrorObject {
    ErrorObject::new(
        error_code::INTERNAL_ERROR,
        format!("internal error: {error}"),
    )
}
