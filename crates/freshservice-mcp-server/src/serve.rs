//! `freshservice-mcp serve`: the admin API and every provisioned server's `/mcp/<token>` on one
//! listener, with the SQLite storage and the expiry sweeper behind them.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use freshservice_mcp::{
    HttpConfig, McpService, ResolveError, ServiceResolver, SessionBackend, mcp_router,
};

use crate::admin::{AdminState, admin_router, not_found};
use crate::cli::ServeFlags;
use crate::clock::system_clock;
use crate::config::{self, ServeConfig, host_of};
use crate::directory::{ClientSettings, Directory, Refusal, SESSION_IDLE_SECS, log, spawn_sweeper};
use crate::error::Error;
#[cfg(feature = "postgres")]
use crate::postgres::PostgresStorage;
use crate::secrets::{SecretKey, generate_admin_key};
use crate::sqlite::SqliteStorage;
use crate::storage::Storage;

/// The setting that proves the secret key is the one the database was written with.
const KEY_CHECK_SETTING: &str = "secret_key_check";
const KEY_CHECK_PLAINTEXT: &[u8] = b"freshservice-mcp secret key check";

/// The `ServiceResolver` the HTTP transport calls for every request.
struct Resolver(Arc<Directory>);

#[async_trait::async_trait]
impl ServiceResolver for Resolver {
    async fn resolve(
        &self,
        path_token: &str,
        authorization: Option<&str>,
    ) -> Result<McpService, ResolveError> {
        self.0
            .resolve(path_token, authorization)
            .await
            .map_err(|refusal| match refusal {
                Refusal::NotFound => ResolveError::NotFound,
                Refusal::Unauthorized {
                    www_authenticate,
                    message,
                } => ResolveError::Unauthorized {
                    www_authenticate,
                    message,
                },
                Refusal::Internal(message) => ResolveError::Internal(message),
            })
    }
}

/// A start-up failure: the line to print and the exit status.
struct Fatal {
    message: String,
    status: u8,
}

impl Fatal {
    /// A configuration mistake the operator must fix (status 2).
    fn config(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            status: 2,
        }
    }

    /// Something failed at run time (status 1).
    fn runtime(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            status: 1,
        }
    }
}

impl From<Error> for Fatal {
    fn from(error: Error) -> Self {
        match error {
            Error::WrongSecretKey | Error::SchemaTooNew { .. } => Self::config(error.to_string()),
            other => Self::runtime(other.to_string()),
        }
    }
}

/// Runs `serve` until SIGINT or SIGTERM.
pub(crate) fn run(flags: ServeFlags) -> ExitCode {
    match start(flags) {
        Ok(()) => ExitCode::SUCCESS,
        Err(fatal) => {
            eprintln!("freshservice-mcp: {}", fatal.message);
            ExitCode::from(fatal.status)
        }
    }
}

fn start(flags: ServeFlags) -> Result<(), Fatal> {
    let config = config::resolve(
        flags,
        |name| std::env::var(name).ok(),
        |path| std::fs::read_to_string(path),
    )
    .map_err(Fatal::config)?;
    // Check every setting before saying anything, so a mistake is the only line printed.
    if config.admin_key.is_none() && !config.dev {
        return Err(Fatal::config(
            "no admin key: set FRESHSERVICE_MCP_ADMIN_KEY (or admin_key in --config), or pass --dev for a throwaway one",
        ));
    }
    if config.secret_key.is_none() && !config.dev {
        return Err(Fatal::config(
            "no secret key: set FRESHSERVICE_MCP_SECRET_KEY to 32 bytes in base64 or hex (e.g. `openssl rand -base64 32`), or pass --dev for a throwaway one",
        ));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|error| Fatal::runtime(format!("cannot start the async runtime: {error}")))?;
    runtime.block_on(serve(config))
}

async fn serve(config: ServeConfig) -> Result<(), Fatal> {
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|error| Fatal::runtime(format!("cannot listen on {}: {error}", config.listen)))?;
    let local = listener
        .local_addr()
        .map_err(|error| Fatal::runtime(format!("cannot read the listening address: {error}")))?;
    let public_url = match &config.public_url {
        Some(url) => url.clone(),
        None if local.ip().is_unspecified() => {
            return Err(Fatal::config(format!(
                "listening on {local} needs --public-url: the address MCP clients use to reach this server"
            )));
        }
        None => format!("http://{local}"),
    };
    let (storage, sessions) = open_storage(&config).await?;

    let admin_key = match &config.admin_key {
        Some(key) => key.clone(),
        None => {
            let key = generate_admin_key()?;
            log(&format!(
                "--dev: generated a throwaway admin key for this run: {key}"
            ));
            key
        }
    };
    let secret_key = match &config.secret_key {
        Some(key) => key.clone(),
        None => {
            log(
                "--dev: generated a throwaway secret key; API keys stored in this run cannot be decrypted after it ends",
            );
            SecretKey::generate()?
        }
    };
    check_secret_key(storage.as_ref(), &secret_key).await?;

    let settings = ClientSettings {
        timeout: config.freshservice_timeout,
        tools_page_size: config.tools_page_size,
        fields_ttl: config.fields_ttl,
    };
    let directory = Arc::new(Directory::new(
        Arc::clone(&storage),
        secret_key,
        settings.clone(),
        system_clock(),
    ));
    spawn_sweeper(Arc::clone(&directory), config.sweep_interval);

    let state = Arc::new(AdminState {
        directory: Arc::clone(&directory),
        admin_key,
        public_url: public_url.clone(),
        client_settings: settings,
    });
    let http = {
        let http = http_config(&config, local, &public_url)
            .with_session_idle_timeout(std::time::Duration::from_secs(SESSION_IDLE_SECS as u64));
        match sessions {
            Some(backend) => http.with_session_backend(backend),
            None => http,
        }
    };
    let router = admin_router(state)
        .merge(mcp_router(Arc::new(Resolver(directory)), http.clone()))
        .fallback(not_found);

    log(&format!(
        "listening on http://{local}; MCP URLs look like {public_url}/mcp/<token>; admin API at {public_url}/integrated-account"
    ));
    // The connection limits (cap, first-request and idle timeouts) come from the same settings.
    freshservice_mcp::serve_http_with(listener, router, &http, shutdown_signal())
        .await
        .map_err(|error| Fatal::runtime(format!("the HTTP server failed: {error}")))?;
    log("stopped");
    Ok(())
}

/// The storage, and where legacy sessions are shared when several instances use one database.
type Opened = (Arc<dyn Storage>, Option<Arc<dyn SessionBackend>>);

async fn open_storage(config: &ServeConfig) -> Result<Opened, Fatal> {
    #[cfg(feature = "postgres")]
    if let Some(url) = &config.database_url {
        let storage = Arc::new(PostgresStorage::connect(&url.0).await?);
        log(
            "storage: PostgreSQL, shared with any other instance on it (records are re-read on every request; legacy sessions live there too)",
        );
        return Ok((storage.clone(), Some(storage)));
    }
    #[cfg(not(feature = "postgres"))]
    if config.database_url.is_some() {
        return Err(Fatal::config(
            "--database-url: this build has no PostgreSQL support; build with the `postgres` feature (on by default) or use --db",
        ));
    }
    let storage: Arc<dyn Storage> = Arc::new(match &config.db {
        Some(path) => SqliteStorage::open(path)?,
        None if config.dev => {
            log("--dev: no --db given, so everything is kept in memory and lost on exit");
            SqliteStorage::in_memory()?
        }
        None => SqliteStorage::open(&PathBuf::from(config::DEFAULT_DB))?,
    });
    Ok((storage, None))
}

/// Refuses a secret key that differs from the one the database was first used with, instead
/// of failing later on every request.
async fn check_secret_key(storage: &dyn Storage, key: &SecretKey) -> Result<(), Error> {
    // Several instances may start on an empty shared database at once: the first proof stored
    // wins, and every instance checks its key against that one.
    let proof = key.seal(KEY_CHECK_PLAINTEXT, KEY_CHECK_SETTING)?;
    let stored = storage.setting_or_insert(KEY_CHECK_SETTING, &proof).await?;
    match key.unseal(&stored, KEY_CHECK_SETTING) {
        Ok(plaintext) if plaintext == KEY_CHECK_PLAINTEXT => Ok(()),
        _ => Err(Error::WrongSecretKey),
    }
}

/// The `Host` and `Origin` allow-lists: the local names, the listening address, the public
/// URL's host, and whatever the config file adds.
fn http_config(config: &ServeConfig, local: SocketAddr, public_url: &str) -> HttpConfig {
    let defaults = HttpConfig::default();
    let mut hosts = defaults.allowed_hosts.clone();
    let mut origins = defaults.allowed_origins.clone();
    let listen_host = match local {
        SocketAddr::V4(address) => address.ip().to_string(),
        SocketAddr::V6(address) => format!("[{}]", address.ip()),
    };
    if !local.ip().is_unspecified() {
        hosts.push(listen_host);
    }
    if let Some(host) = host_of(public_url) {
        hosts.push(host);
    }
    if let Ok(url) = url::Url::parse(public_url) {
        origins.push(url.origin().ascii_serialization());
    }
    hosts.extend(config.allowed_hosts.iter().cloned());
    origins.extend(config.allowed_origins.iter().cloned());
    hosts.dedup();
    origins.dedup();
    defaults
        .with_allowed_hosts(hosts)
        .with_allowed_origins(origins)
        .with_max_connections(config.max_connections)
        .with_first_request_timeout(config.first_request_timeout)
        .with_idle_timeout(config.idle_timeout)
}

async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    log("shutting down: finishing requests in flight");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::MemoryStorage;

    #[tokio::test]
    async fn a_different_secret_key_is_refused() {
        let storage = MemoryStorage::default();
        let key = SecretKey::generate().unwrap();
        check_secret_key(&storage, &key).await.unwrap();
        check_secret_key(&storage, &key).await.unwrap();
        let other = SecretKey::generate().unwrap();
        assert!(matches!(
            check_secret_key(&storage, &other).await,
            Err(Error::WrongSecretKey)
        ));
    }
}
