//! From a URL token (and maybe an API token) to the `McpService` of a provisioned server.
//!
//! Resolution runs on every MCP request, so after the first request for a server it touches no
//! database: the server record and its built service are cached by server id, API tokens by
//! token id. Deletes and the expiry sweeper evict entries; an eviction epoch stops a lookup
//! that raced with a delete from putting the deleted record back.
//!
//! A shared database (PostgreSQL behind several instances) can change under us, so there every
//! request re-reads the server record and the API token by primary key, and the built service
//! is reused only while the record is unchanged. A delete, revocation or new expiry made on one
//! instance is therefore honoured by every other instance on its next request.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use freshservice_mcp::{AccountFields, McpService, MethodFilter, ToolFilter};
use tokio::sync::OnceCell;

use crate::clock::Clock;
use crate::error::Error;
use crate::secrets::{SecretKey, split_token};
use crate::storage::{Account, ApiToken, Location, McpServer, ServerConfig, Storage};

/// How long a legacy MCP session may stay unused (the HTTP layer's default idle timeout).
pub(crate) const SESSION_IDLE_SECS: i64 = 30 * 60;

/// The `WWW-Authenticate` challenge of servers that demand an API token.
pub(crate) const CHALLENGE: &str = "Bearer realm=\"freshservice-mcp\"";

/// Why a request was not given a service.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// No such server, or the secret is wrong (indistinguishable on purpose).
    NotFound,
    /// The server exists but the request may not use it.
    Unauthorized {
        www_authenticate: String,
        message: String,
    },
    /// Something on our side failed; the detail was logged.
    Internal(String),
}

/// Settings for the Freshservice clients the services use.
#[derive(Debug, Clone)]
pub(crate) struct ClientSettings {
    pub(crate) timeout: Duration,
    pub(crate) tools_page_size: usize,
    /// How long an account's form fields are kept before they are read again; `None` leaves
    /// every server with the documented schemas.
    pub(crate) fields_ttl: Option<Duration>,
}

impl Default for ClientSettings {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(30),
            tools_page_size: 100,
            fields_ttl: Some(freshservice_mcp::DEFAULT_PROFILE_TTL),
        }
    }
}

/// One account's form fields, shared by every server of the account while its key and
/// location stay what they were when it was made.
struct SharedFields {
    sealed_api_key: Vec<u8>,
    location: Location,
    fields: AccountFields,
}

/// Why a service could not be built from stored settings.
#[derive(Debug)]
pub(crate) enum BuildError {
    /// The configuration is invalid; the message names the value to fix.
    Config(String),
    /// The stored secret cannot be used.
    Internal(Error),
}

struct CachedServer {
    record: McpServer,
    service: OnceCell<McpService>,
}

/// Provisioned servers, cached in front of the storage.
pub(crate) struct Directory {
    storage: Arc<dyn Storage>,
    key: SecretKey,
    settings: ClientSettings,
    clock: Clock,
    servers: RwLock<HashMap<String, Arc<CachedServer>>>,
    api_tokens: RwLock<HashMap<String, ApiToken>>,
    /// Form fields by account id: read once per time-to-live for all of an account's servers.
    account_fields: RwLock<HashMap<String, SharedFields>>,
    epoch: AtomicU64,
}

impl std::fmt::Debug for Directory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Directory").finish_non_exhaustive()
    }
}

impl Directory {
    pub(crate) fn new(
        storage: Arc<dyn Storage>,
        key: SecretKey,
        settings: ClientSettings,
        clock: Clock,
    ) -> Self {
        Self {
            storage,
            key,
            settings,
            clock,
            servers: RwLock::default(),
            api_tokens: RwLock::default(),
            account_fields: RwLock::default(),
            epoch: AtomicU64::new(0),
        }
    }

    pub(crate) fn storage(&self) -> &Arc<dyn Storage> {
        &self.storage
    }

    pub(crate) fn key(&self) -> &SecretKey {
        &self.key
    }

    pub(crate) fn now(&self) -> i64 {
        (self.clock)()
    }

    /// The service for a request to `/mcp/<path_token>` with this `Authorization` header.
    pub(crate) async fn resolve(
        &self,
        path_token: &str,
        authorization: Option<&str>,
    ) -> Result<McpService, Refusal> {
        let Some((id, secret)) = split_token(path_token) else {
            return Err(Refusal::NotFound);
        };
        let Some(cached) = self.cached_server(id).await? else {
            return Err(Refusal::NotFound);
        };
        if !cached.record.token.verify(secret) {
            return Err(Refusal::NotFound);
        }
        if cached.record.is_expired(self.now()) {
            return Err(Refusal::Unauthorized {
                www_authenticate: format!(
                    "{CHALLENGE}, error=\"invalid_token\", error_description=\"this MCP server has expired\""
                ),
                message: "this MCP server has expired: ask its administrator for a new URL".into(),
            });
        }
        if cached.record.require_api_token_auth {
            self.check_api_token(&cached.record.account_id, authorization)
                .await?;
        }
        cached
            .service
            .get_or_try_init(|| self.build_for(&cached.record))
            .await
            .cloned()
    }

    async fn build_for(&self, record: &McpServer) -> Result<McpService, Refusal> {
        let account = self
            .storage
            .account(&record.account_id)
            .await
            .map_err(|error| internal(&error))?
            // The account was deleted under us; its servers went with it.
            .ok_or(Refusal::NotFound)?;
        let shared = |client: &freshservice_client::Client| self.fields_for(&account, client);
        build_service(
            &account,
            &record.config,
            &self.key,
            &self.settings,
            Some(&shared),
        )
        .map_err(|error| match error {
            BuildError::Config(message) => {
                log(&format!(
                    "MCP server {} has an unusable stored configuration: {message}",
                    record.id
                ));
                Refusal::Internal(message)
            }
            BuildError::Internal(error) => internal(&error),
        })
    }

    async fn cached_server(&self, id: &str) -> Result<Option<Arc<CachedServer>>, Refusal> {
        if self.storage.shared() {
            return self.fresh_server(id).await;
        }
        if let Some(cached) = read(&self.servers).get(id) {
            return Ok(Some(Arc::clone(cached)));
        }
        let epoch = self.epoch.load(Ordering::Acquire);
        let Some(record) = self.storage.server(id).await.map_err(|e| internal(&e))? else {
            return Ok(None);
        };
        let cached = Arc::new(CachedServer {
            record,
            service: OnceCell::new(),
        });
        let mut servers = write(&self.servers);
        if self.epoch.load(Ordering::Acquire) == epoch {
            let entry = servers.entry(id.to_owned()).or_insert(cached);
            return Ok(Some(Arc::clone(entry)));
        }
        // Something was evicted while we read: serve this request from what we read, but do
        // not cache it, in case it was this very record.
        Ok(Some(cached))
    }

    /// The current record from a shared database, with the service built for it when an
    /// identical record was seen before.
    async fn fresh_server(&self, id: &str) -> Result<Option<Arc<CachedServer>>, Refusal> {
        let Some(record) = self.storage.server(id).await.map_err(|e| internal(&e))? else {
            write(&self.servers).remove(id);
            return Ok(None);
        };
        if let Some(cached) = read(&self.servers).get(id)
            && cached.record == record
        {
            return Ok(Some(Arc::clone(cached)));
        }
        let cached = Arc::new(CachedServer {
            record,
            service: OnceCell::new(),
        });
        write(&self.servers).insert(id.to_owned(), Arc::clone(&cached));
        Ok(Some(cached))
    }

    async fn check_api_token(
        &self,
        account_id: &str,
        authorization: Option<&str>,
    ) -> Result<(), Refusal> {
        let unauthorized = |error: Option<&str>, message: &str| Refusal::Unauthorized {
            www_authenticate: match error {
                Some(error) => format!("{CHALLENGE}, error=\"{error}\""),
                None => CHALLENGE.to_owned(),
            },
            message: message.to_owned(),
        };
        let Some(token) = authorization.and_then(bearer) else {
            return Err(unauthorized(
                None,
                "this MCP server requires an API token: send Authorization: Bearer <API token>",
            ));
        };
        let invalid = || {
            unauthorized(
                Some("invalid_token"),
                "the API token is not valid for this MCP server: issue one with POST /integrated-account/{id}/api-tokens",
            )
        };
        let Some((id, secret)) = split_token(token) else {
            return Err(invalid());
        };
        let Some(record) = self.cached_api_token(id).await? else {
            return Err(invalid());
        };
        // Both checks always run, so timing does not say which one failed.
        let secret_ok = record.token.verify(secret);
        let account_ok = record.account_id == account_id;
        if secret_ok & account_ok {
            Ok(())
        } else {
            Err(invalid())
        }
    }

    async fn cached_api_token(&self, id: &str) -> Result<Option<ApiToken>, Refusal> {
        if self.storage.shared() {
            // Revocation on another instance must count at once.
            return self.storage.api_token(id).await.map_err(|e| internal(&e));
        }
        if let Some(token) = read(&self.api_tokens).get(id) {
            return Ok(Some(token.clone()));
        }
        let epoch = self.epoch.load(Ordering::Acquire);
        let token = self.storage.api_token(id).await.map_err(|e| internal(&e))?;
        if let Some(token) = &token {
            let mut tokens = write(&self.api_tokens);
            if self.epoch.load(Ordering::Acquire) == epoch {
                tokens.insert(id.to_owned(), token.clone());
            }
        }
        Ok(token)
    }

    /// Caches a server that was just created, with the service built to validate it.
    pub(crate) fn insert_built(&self, record: McpServer, service: McpService) {
        let id = record.id.clone();
        let cached = Arc::new(CachedServer {
            record,
            service: OnceCell::new_with(Some(service)),
        });
        write(&self.servers).insert(id, cached);
    }

    /// Forgets the server `id`.
    pub(crate) fn evict_server(&self, id: &str) {
        let mut servers = write(&self.servers);
        self.epoch.fetch_add(1, Ordering::AcqRel);
        servers.remove(id);
    }

    /// Forgets the API token `id`.
    pub(crate) fn evict_api_token(&self, id: &str) {
        let mut tokens = write(&self.api_tokens);
        self.epoch.fetch_add(1, Ordering::AcqRel);
        tokens.remove(id);
    }

    /// Forgets everything of the account `account_id`.
    pub(crate) fn evict_account(&self, account_id: &str) {
        let mut servers = write(&self.servers);
        let mut tokens = write(&self.api_tokens);
        self.epoch.fetch_add(1, Ordering::AcqRel);
        servers.retain(|_, cached| cached.record.account_id != account_id);
        tokens.retain(|_, token| token.account_id != account_id);
    }

    /// Deletes expired servers from the storage and the cache; returns how many were deleted.
    pub(crate) async fn sweep(&self) -> Result<usize, Error> {
        let now = self.now();
        let deleted = self.storage.delete_expired_servers(now).await?;
        self.storage
            .delete_idle_sessions(now - SESSION_IDLE_SECS)
            .await?;
        for id in &deleted {
            self.evict_server(id);
        }
        // Expired entries whose rows another process already removed.
        let mut servers = write(&self.servers);
        servers.retain(|_, cached| !cached.record.is_expired(now));
        Ok(deleted.len())
    }

    /// Builds the service a server gets, to validate a configuration before storing it (and
    /// then to serve it: see [`insert_built`](Self::insert_built)).
    pub(crate) fn build(
        &self,
        account: &Account,
        config: &ServerConfig,
    ) -> Result<McpService, BuildError> {
        let shared = |client: &freshservice_client::Client| self.fields_for(account, client);
        build_service(account, config, &self.key, &self.settings, Some(&shared))
    }

    /// The account's shared form fields, made with `client` when the account has none yet (or
    /// its key or location changed since).
    fn fields_for(
        &self,
        account: &Account,
        client: &freshservice_client::Client,
    ) -> Option<AccountFields> {
        let ttl = self.settings.fields_ttl?;
        let mut shared = write(&self.account_fields);
        if let Some(known) = shared.get(&account.id)
            && known.sealed_api_key == account.sealed_api_key
            && known.location == account.location
        {
            return Some(known.fields.clone());
        }
        let fields = AccountFields::with_ttl(client.clone(), ttl);
        shared.insert(
            account.id.clone(),
            SharedFields {
                sealed_api_key: account.sealed_api_key.clone(),
                location: account.location.clone(),
                fields: fields.clone(),
            },
        );
        Some(fields)
    }
}

/// Runs the sweeper every `interval` until the process ends.
pub(crate) fn spawn_sweeper(directory: Arc<Directory>, interval: Duration) {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            match directory.sweep().await {
                Ok(0) => {}
                Ok(count) => log(&format!("deleted {count} expired MCP server(s)")),
                Err(error) => log(&format!("expiry sweep failed: {error}")),
            }
        }
    });
}

/// A Freshservice client for `account`.
pub(crate) fn client_for(
    location: &Location,
    api_key: &str,
    settings: &ClientSettings,
) -> Result<freshservice_client::Client, freshservice_client::Error> {
    let builder = freshservice_client::Client::builder()
        .api_key(api_key)
        .timeout(settings.timeout)
        .user_agent(concat!("freshservice-mcp/", env!("CARGO_PKG_VERSION")));
    match location {
        Location::Domain(domain) => builder.domain(domain.clone()),
        Location::BaseUrl(url) => builder.base_url(url),
    }
    .build()
}

/// The filter a server configuration asks for.
pub(crate) fn filter_for(config: &ServerConfig) -> Result<ToolFilter, String> {
    let methods = config
        .methods
        .iter()
        .map(|method| method.parse::<MethodFilter>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| format!("config.methods: {error}"))?;
    Ok(ToolFilter::all()
        .with_methods(methods)
        .with_tags(config.tags.clone()))
}

/// Gives the account's shared form fields for a service built with this client.
type FieldsFor<'a> = &'a dyn Fn(&freshservice_client::Client) -> Option<AccountFields>;

fn build_service(
    account: &Account,
    config: &ServerConfig,
    key: &SecretKey,
    settings: &ClientSettings,
    fields_for: Option<FieldsFor<'_>>,
) -> Result<McpService, BuildError> {
    let api_key = key
        .unseal(&account.sealed_api_key, &account.id)
        .map_err(BuildError::Internal)?;
    let api_key = String::from_utf8(api_key).map_err(|_| BuildError::Internal(Error::Unseal))?;
    let client = client_for(&account.location, &api_key, settings)
        .map_err(|error| BuildError::Config(error.to_string()))?;
    let filter = filter_for(config).map_err(BuildError::Config)?;
    let exposure = match config.tool_exposure.as_deref() {
        None => freshservice_mcp::ToolExposure::Auto,
        Some(text) => text
            .parse()
            .map_err(|message| BuildError::Config(format!("config.tool_exposure: {message}")))?,
    };
    let mut builder = McpService::builder();
    if let Some(fields) = fields_for.and_then(|fields_for| fields_for(&client)) {
        builder = builder.account_fields(fields);
    }
    builder
        .client(client)
        .filter(filter)
        .tool_exposure(exposure)
        .workspaces(config.workspaces.clone())
        .tools_page_size(settings.tools_page_size)
        .build()
        .map_err(|error| {
            BuildError::Config(match error {
                freshservice_mcp::Error::NoToolsLeft => {
                    "config.methods and config.tags together leave no tool: widen one of them"
                        .into()
                }
                freshservice_mcp::Error::UnknownTag { .. } => format!("config.tags: {error}"),
                freshservice_mcp::Error::InvalidWorkspace { .. } => {
                    format!("config.workspaces: {error}")
                }
                other => other.to_string(),
            })
        })
}

/// Extracts the credentials of an `Authorization: Bearer` header (the scheme is case-insensitive).
fn bearer(header: &str) -> Option<&str> {
    let (scheme, credentials) = header.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| credentials.trim())
        .filter(|credentials| !credentials.is_empty())
}

fn internal(error: &Error) -> Refusal {
    log(&format!("cannot resolve an MCP server: {error}"));
    Refusal::Internal("the server could not load this MCP server; see its log".into())
}

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    // The maps hold plain data; a panic elsewhere cannot leave them inconsistent.
    lock.read().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// One log line on stderr. Callers never pass secrets.
pub(crate) fn log(message: &str) {
    eprintln!("freshservice-mcp: {message}");
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicI64;

    use super::*;
    use crate::secrets::{issue_token, new_id};
    use crate::storage::MemoryStorage;

    struct Fixture {
        directory: Directory,
        now: Arc<AtomicI64>,
        account: Account,
    }

    async fn fixture() -> Fixture {
        let now = Arc::new(AtomicI64::new(1_000));
        let clock_now = Arc::clone(&now);
        let key = SecretKey::generate().unwrap();
        let storage: Arc<dyn Storage> = Arc::new(MemoryStorage::default());
        let id = new_id().unwrap();
        let account = Account {
            sealed_api_key: key.seal(b"fs-key", &id).unwrap(),
            id,
            name: "acme".into(),
            location: Location::BaseUrl("http://127.0.0.1:9".into()),
            created_at: 1,
        };
        storage.insert_account(&account).await.unwrap();
        let directory = Directory::new(
            storage,
            key,
            ClientSettings::default(),
            Arc::new(move || clock_now.load(Ordering::SeqCst)),
        );
        Fixture {
            directory,
            now,
            account,
        }
    }

    impl Fixture {
        async fn server(&self, expires_at: Option<i64>, require: bool) -> (McpServer, String) {
            let id = new_id().unwrap();
            let issued = issue_token(&id).unwrap();
            let record = McpServer {
                id,
                account_id: self.account.id.clone(),
                name: "s".into(),
                config: ServerConfig {
                    methods: vec!["read".into()],
                    ..ServerConfig::default()
                },
                require_api_token_auth: require,
                expires_at,
                token: issued.hash,
                created_at: 1,
            };
            let storage = self.directory.storage();
            storage.insert_server(&record).await.unwrap();
            (record, issued.token)
        }

        async fn api_token(&self, account_id: &str) -> (ApiToken, String) {
            let id = new_id().unwrap();
            let issued = issue_token(&id).unwrap();
            let record = ApiToken {
                id,
                account_id: account_id.into(),
                token: issued.hash,
                created_at: 1,
            };
            let storage = self.directory.storage();
            storage.insert_api_token(&record).await.unwrap();
            (record, issued.token)
        }
    }

    fn is_unauthorized(result: &Result<McpService, Refusal>) -> bool {
        matches!(result, Err(Refusal::Unauthorized { www_authenticate, .. }) if www_authenticate.starts_with(CHALLENGE))
    }

    #[tokio::test]
    async fn unknown_wrong_and_right_tokens() {
        let f = fixture().await;
        let (_, token) = f.server(None, false).await;
        assert!(f.directory.resolve(&token, None).await.is_ok());
        // Second time from the cache.
        assert!(f.directory.resolve(&token, None).await.is_ok());
        let (id, secret) = split_token(&token).unwrap();
        let mut wrong = secret.to_owned().into_bytes();
        wrong[0] = if wrong[0] == b'A' { b'B' } else { b'A' };
        let wrong = format!("{id}.{}", String::from_utf8(wrong).unwrap());
        for bad in [
            wrong.as_str(),
            "nonsense",
            "",
            &format!("{}.{secret}", new_id().unwrap()),
        ] {
            assert_eq!(
                f.directory.resolve(bad, None).await.err(),
                Some(Refusal::NotFound),
                "{bad}"
            );
        }
    }

    #[tokio::test]
    async fn expiry_refuses_at_once_and_the_sweeper_deletes() {
        let f = fixture().await;
        let (record, token) = f.server(Some(1_010), false).await;
        let (_, forever) = f.server(None, false).await;
        assert!(f.directory.resolve(&token, None).await.is_ok());
        f.now.store(1_010, Ordering::SeqCst);
        assert!(is_unauthorized(&f.directory.resolve(&token, None).await));
        assert_eq!(f.directory.sweep().await.unwrap(), 1);
        assert_eq!(
            f.directory.storage().server(&record.id).await.unwrap(),
            None
        );
        assert_eq!(
            f.directory.resolve(&token, None).await.err(),
            Some(Refusal::NotFound)
        );
        assert!(f.directory.resolve(&forever, None).await.is_ok());
    }

    #[tokio::test]
    async fn api_token_auth() {
        let f = fixture().await;
        let (_, token) = f.server(None, true).await;
        let (api_record, api_token) = f.api_token(&f.account.id).await;
        let right = format!("Bearer {api_token}");
        assert!(f.directory.resolve(&token, Some(&right)).await.is_ok());
        assert!(
            f.directory
                .resolve(&token, Some(&format!("bearer  {api_token}")))
                .await
                .is_ok()
        );

        // A token of another account is not accepted.
        let other = Account {
            id: new_id().unwrap(),
            ..f.account.clone()
        };
        f.directory.storage().insert_account(&other).await.unwrap();
        let (_, foreign) = f.api_token(&other.id).await;
        let (_, server_token_as_api_token) = (0, token.clone());
        for header in [
            None,
            Some("Bearer".to_owned()),
            Some("Basic abc".to_owned()),
            Some(format!("Bearer {foreign}")),
            Some(format!("Bearer {server_token_as_api_token}")),
            Some(format!("Bearer {api_token}x")),
        ] {
            let result = f.directory.resolve(&token, header.as_deref()).await;
            assert!(is_unauthorized(&result), "{header:?}");
        }

        // Deleting the token (and evicting it) takes effect at once.
        f.directory
            .storage()
            .delete_api_token(&f.account.id, &api_record.id)
            .await
            .unwrap();
        f.directory.evict_api_token(&api_record.id);
        assert!(is_unauthorized(
            &f.directory.resolve(&token, Some(&right)).await
        ));
    }

    #[tokio::test]
    async fn deleting_an_account_forgets_its_servers() {
        let f = fixture().await;
        let (_, token) = f.server(None, false).await;
        assert!(f.directory.resolve(&token, None).await.is_ok());
        f.directory
            .storage()
            .delete_account(&f.account.id)
            .await
            .unwrap();
        f.directory.evict_account(&f.account.id);
        assert_eq!(
            f.directory.resolve(&token, None).await.err(),
            Some(Refusal::NotFound)
        );
    }

    #[tokio::test]
    async fn resolution_from_the_cache_is_fast() {
        let f = fixture().await;
        let (_, token) = f.server(None, true).await;
        let (_, api_token) = f.api_token(&f.account.id).await;
        let header = format!("Bearer {api_token}");
        f.directory.resolve(&token, Some(&header)).await.unwrap();
        let rounds = 200u32;
        let started = std::time::Instant::now();
        for _ in 0..rounds {
            f.directory.resolve(&token, Some(&header)).await.unwrap();
        }
        let each = started.elapsed() / rounds;
        // Generous for a debug build on a loaded machine; a release build takes microseconds.
        assert!(each < Duration::from_millis(1), "{each:?} per resolution");
    }

    #[test]
    fn bearer_trials() {
        let check = |header: &str, expected: Option<&str>| {
            assert_eq!(bearer(header), expected, "{header:?}");
        };
        check("Bearer abc", Some("abc"));
        check("bearer abc ", Some("abc"));
        check("BEARER   abc", Some("abc"));
        check("Basic abc", None);
        check("Bearer", None);
        check("Bearer ", None);
        check("", None);
    }
}
