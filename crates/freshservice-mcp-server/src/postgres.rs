//! The PostgreSQL engine, for several `serve` instances sharing one database.
//!
//! Why these choices:
//! - Migrations run on start inside a transaction that holds an advisory lock, so instances
//!   starting together migrate once and the others wait, then see the new version.
//! - One `tokio_postgres` client pipelines the concurrent queries of an instance; every statement
//!   is a primary-key or indexed lookup. A dropped connection is re-opened on the next query.
//! - Expiry sweeping is one `DELETE … RETURNING`: instances sweeping at the same moment each
//!   delete different rows (or none), never fail on each other's work.
//! - The database URL carries a password, so it is never logged; connection errors are reported
//!   without it.
//! - Legacy MCP sessions live here too ([`SessionBackend`]), so any instance serves any session.
//!   Session ids and URL tokens are credentials: only their SHA-256 digests are stored (both are
//!   256 random bits, so a plain digest cannot be reversed by guessing).

use std::sync::Arc;

use std::time::Duration;

use freshservice_mcp::{BackendError, SessionBackend};
use serde_json::Value;
use sha2::{Digest, Sha256};
use tokio::sync::Mutex;
use tokio_postgres::{Client, NoTls, Row};

use crate::error::Error;
use crate::secrets::TokenHash;
use crate::storage::{Account, ApiToken, Location, McpServer, ServerConfig, Storage};

/// Each entry migrates from version `index` to `index + 1`. Append only.
const MIGRATIONS: &[&str] = &[
    r"
CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value BYTEA NOT NULL
);
CREATE TABLE integrated_accounts (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    domain         TEXT,
    base_url       TEXT,
    api_key_sealed BYTEA NOT NULL,
    created_at     BIGINT NOT NULL,
    seq            BIGSERIAL,
    CHECK ((domain IS NULL) <> (base_url IS NULL))
);
CREATE TABLE mcp_servers (
    id                     TEXT PRIMARY KEY,
    account_id             TEXT NOT NULL REFERENCES integrated_accounts (id) ON DELETE CASCADE,
    name                   TEXT NOT NULL,
    config                 TEXT NOT NULL,
    require_api_token_auth BOOLEAN NOT NULL,
    expires_at             BIGINT,
    token_salt             BYTEA NOT NULL,
    token_hash             BYTEA NOT NULL,
    created_at             BIGINT NOT NULL,
    seq                    BIGSERIAL
);
CREATE INDEX mcp_servers_by_account ON mcp_servers (account_id);
CREATE INDEX mcp_servers_by_expiry ON mcp_servers (expires_at) WHERE expires_at IS NOT NULL;
CREATE TABLE api_tokens (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES integrated_accounts (id) ON DELETE CASCADE,
    token_salt BYTEA NOT NULL,
    token_hash BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    seq        BIGSERIAL
);
CREATE INDEX api_tokens_by_account ON api_tokens (account_id);
",
    r"
CREATE TABLE mcp_sessions (
    id_hash    BYTEA PRIMARY KEY,
    token_hash BYTEA NOT NULL,
    state      TEXT NOT NULL,
    last_used  BIGINT NOT NULL
);
CREATE INDEX mcp_sessions_by_last_used ON mcp_sessions (last_used);
",
];

/// The advisory lock key that serialises migrations ("fsmcp" in ASCII).
const MIGRATION_LOCK: i64 = 0x0066_736d_6370;

const ACCOUNT_COLUMNS: &str = "id, name, domain, base_url, api_key_sealed, created_at";
const SERVER_COLUMNS: &str = "id, account_id, name, config, require_api_token_auth, expires_at, token_salt, token_hash, created_at";
const TOKEN_COLUMNS: &str = "id, account_id, token_salt, token_hash, created_at";

/// Storage in a PostgreSQL database shared by any number of instances.
pub(crate) struct PostgresStorage {
    config: tokio_postgres::Config,
    client: Mutex<Option<Arc<Client>>>,
}

impl std::fmt::Debug for PostgresStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Not the config: it holds the password.
        f.debug_struct("PostgresStorage").finish_non_exhaustive()
    }
}

fn storage_error(error: tokio_postgres::Error) -> Error {
    Error::Storage(error.to_string())
}

impl PostgresStorage {
    /// Connects to `url` (`postgres://user:password@host:port/database`) and migrates.
    pub(crate) async fn connect(url: &str) -> Result<Self, Error> {
        let config: tokio_postgres::Config = url.parse().map_err(|_| {
            Error::Storage(
                "the database URL is not a valid PostgreSQL URL: use postgres://USER:PASSWORD@HOST:PORT/DATABASE"
                    .into(),
            )
        })?;
        let storage = Self {
            config,
            client: Mutex::new(None),
        };
        storage.migrate().await?;
        Ok(storage)
    }

    /// The shared client, connecting (again) when there is none or it was closed.
    async fn client(&self) -> Result<Arc<Client>, Error> {
        let mut slot = self.client.lock().await;
        if let Some(client) = slot.as_ref().filter(|client| !client.is_closed()) {
            return Ok(Arc::clone(client));
        }
        let (client, connection) =
            self.config.connect(NoTls).await.map_err(|error| {
                Error::Storage(format!("cannot connect to PostgreSQL: {error}"))
            })?;
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                crate::directory::log(&format!("PostgreSQL connection lost: {error}"));
            }
        });
        let client = Arc::new(client);
        *slot = Some(Arc::clone(&client));
        Ok(client)
    }

    async fn migrate(&self) -> Result<(), Error> {
        let (mut client, connection) =
            self.config.connect(NoTls).await.map_err(|error| {
                Error::Storage(format!("cannot connect to PostgreSQL: {error}"))
            })?;
        let task = tokio::spawn(connection);
        let result = async {
            let transaction = client.transaction().await.map_err(storage_error)?;
            transaction
                .execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
                .await
                .map_err(storage_error)?;
            transaction
                .batch_execute(
                    "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL);
                     INSERT INTO schema_version SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM schema_version);",
                )
                .await
                .map_err(storage_error)?;
            let version: i64 = transaction
                .query_one("SELECT version FROM schema_version", &[])
                .await
                .map_err(storage_error)?
                .get(0);
            let supported = MIGRATIONS.len() as i64;
            if version > supported {
                return Err(Error::SchemaTooNew {
                    found: version,
                    supported,
                });
            }
            for migration in MIGRATIONS.iter().skip(version as usize) {
                transaction
                    .batch_execute(migration)
                    .await
                    .map_err(storage_error)?;
            }
            transaction
                .execute("UPDATE schema_version SET version = $1", &[&supported])
                .await
                .map_err(storage_error)?;
            transaction.commit().await.map_err(storage_error)
        }
        .await;
        drop(client);
        let _ = task.await;
        result
    }
}

fn account_from(row: &Row) -> Account {
    let domain: Option<String> = row.get(2);
    let base_url: Option<String> = row.get(3);
    Account {
        id: row.get(0),
        name: row.get(1),
        location: match (domain, base_url) {
            (Some(domain), _) => Location::Domain(domain),
            (None, base_url) => Location::BaseUrl(base_url.unwrap_or_default()),
        },
        sealed_api_key: row.get(4),
        created_at: row.get(5),
    }
}

fn server_from(row: &Row) -> Result<McpServer, Error> {
    let config: String = row.get(3);
    let config: ServerConfig = serde_json::from_str(&config)
        .map_err(|error| Error::Storage(format!("stored server config is invalid: {error}")))?;
    Ok(McpServer {
        id: row.get(0),
        account_id: row.get(1),
        name: row.get(2),
        config,
        require_api_token_auth: row.get(4),
        expires_at: row.get(5),
        token: TokenHash {
            salt: row.get(6),
            hash: row.get(7),
        },
        created_at: row.get(8),
    })
}

fn token_from(row: &Row) -> ApiToken {
    ApiToken {
        id: row.get(0),
        account_id: row.get(1),
        token: TokenHash {
            salt: row.get(2),
            hash: row.get(3),
        },
        created_at: row.get(4),
    }
}

/// A unique-key violation, reported like the other engines report it.
fn insert_error(error: tokio_postgres::Error) -> Error {
    if error.code() == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION) {
        Error::Storage(format!("already exists: {error}"))
    } else {
        storage_error(error)
    }
}

#[async_trait::async_trait]
impl Storage for PostgresStorage {
    fn shared(&self) -> bool {
        true
    }

    async fn setting_or_insert(&self, name: &str, value: &[u8]) -> Result<Vec<u8>, Error> {
        let client = self.client().await?;
        client
            .execute(
                "INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
                &[&name, &value],
            )
            .await
            .map_err(storage_error)?;
        let row = client
            .query_one("SELECT value FROM settings WHERE name = $1", &[&name])
            .await
            .map_err(storage_error)?;
        Ok(row.get(0))
    }

    async fn insert_account(&self, account: &Account) -> Result<(), Error> {
        let (domain, base_url) = match &account.location {
            Location::Domain(domain) => (Some(domain.as_str()), None),
            Location::BaseUrl(url) => (None, Some(url.as_str())),
        };
        let client = self.client().await?;
        client
            .execute(
                &format!("INSERT INTO integrated_accounts ({ACCOUNT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)"),
                &[&account.id, &account.name, &domain, &base_url, &account.sealed_api_key, &account.created_at],
            )
            .await
            .map_err(insert_error)?;
        Ok(())
    }

    async fn account(&self, id: &str) -> Result<Option<Account>, Error> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                &format!("SELECT {ACCOUNT_COLUMNS} FROM integrated_accounts WHERE id = $1"),
                &[&id],
            )
            .await
            .map_err(storage_error)?;
        Ok(row.as_ref().map(account_from))
    }

    async fn accounts(&self) -> Result<Vec<Account>, Error> {
        let client = self.client().await?;
        let rows = client
            .query(
                &format!(
                    "SELECT {ACCOUNT_COLUMNS} FROM integrated_accounts ORDER BY created_at, seq"
                ),
                &[],
            )
            .await
            .map_err(storage_error)?;
        Ok(rows.iter().map(account_from).collect())
    }

    async fn delete_account(&self, id: &str) -> Result<bool, Error> {
        let client = self.client().await?;
        let deleted = client
            .execute("DELETE FROM integrated_accounts WHERE id = $1", &[&id])
            .await
            .map_err(storage_error)?;
        Ok(deleted > 0)
    }

    async fn insert_server(&self, server: &McpServer) -> Result<(), Error> {
        let config = serde_json::to_string(&server.config)
            .map_err(|error| Error::Storage(error.to_string()))?;
        let client = self.client().await?;
        client
            .execute(
                &format!("INSERT INTO mcp_servers ({SERVER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"),
                &[
                    &server.id,
                    &server.account_id,
                    &server.name,
                    &config,
                    &server.require_api_token_auth,
                    &server.expires_at,
                    &server.token.salt,
                    &server.token.hash,
                    &server.created_at,
                ],
            )
            .await
            .map_err(insert_error)?;
        Ok(())
    }

    async fn server(&self, id: &str) -> Result<Option<McpServer>, Error> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                &format!("SELECT {SERVER_COLUMNS} FROM mcp_servers WHERE id = $1"),
                &[&id],
            )
            .await
            .map_err(storage_error)?;
        row.as_ref().map(server_from).transpose()
    }

    async fn servers(&self, account_id: &str) -> Result<Vec<McpServer>, Error> {
        let client = self.client().await?;
        let rows = client
            .query(
                &format!("SELECT {SERVER_COLUMNS} FROM mcp_servers WHERE account_id = $1 ORDER BY created_at, seq"),
                &[&account_id],
            )
            .await
            .map_err(storage_error)?;
        rows.iter().map(server_from).collect()
    }

    async fn set_server_expiry(
        &self,
        account_id: &str,
        id: &str,
        expires_at: Option<i64>,
    ) -> Result<bool, Error> {
        let client = self.client().await?;
        let updated = client
            .execute(
                "UPDATE mcp_servers SET expires_at = $3 WHERE id = $1 AND account_id = $2",
                &[&id, &account_id, &expires_at],
            )
            .await
            .map_err(storage_error)?;
        Ok(updated > 0)
    }

    async fn delete_server(&self, account_id: &str, id: &str) -> Result<bool, Error> {
        let client = self.client().await?;
        let deleted = client
            .execute(
                "DELETE FROM mcp_servers WHERE id = $1 AND account_id = $2",
                &[&id, &account_id],
            )
            .await
            .map_err(storage_error)?;
        Ok(deleted > 0)
    }

    async fn delete_expired_servers(&self, now: i64) -> Result<Vec<String>, Error> {
        let client = self.client().await?;
        let rows = client
            .query(
                "DELETE FROM mcp_servers WHERE expires_at IS NOT NULL AND expires_at <= $1 RETURNING id",
                &[&now],
            )
            .await
            .map_err(storage_error)?;
        Ok(rows.iter().map(|row| row.get(0)).collect())
    }

    async fn insert_api_token(&self, token: &ApiToken) -> Result<(), Error> {
        let client = self.client().await?;
        client
            .execute(
                &format!("INSERT INTO api_tokens ({TOKEN_COLUMNS}) VALUES ($1, $2, $3, $4, $5)"),
                &[
                    &token.id,
                    &token.account_id,
                    &token.token.salt,
                    &token.token.hash,
                    &token.created_at,
                ],
            )
            .await
            .map_err(insert_error)?;
        Ok(())
    }

    async fn api_token(&self, id: &str) -> Result<Option<ApiToken>, Error> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                &format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE id = $1"),
                &[&id],
            )
            .await
            .map_err(storage_error)?;
        Ok(row.as_ref().map(token_from))
    }

    async fn api_tokens(&self, account_id: &str) -> Result<Vec<ApiToken>, Error> {
        let client = self.client().await?;
        let rows = client
            .query(
                &format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE account_id = $1 ORDER BY created_at, seq"),
                &[&account_id],
            )
            .await
            .map_err(storage_error)?;
        Ok(rows.iter().map(token_from).collect())
    }

    async fn delete_api_token(&self, account_id: &str, id: &str) -> Result<bool, Error> {
        let client = self.client().await?;
        let deleted = client
            .execute(
                "DELETE FROM api_tokens WHERE id = $1 AND account_id = $2",
                &[&id, &account_id],
            )
            .await
            .map_err(storage_error)?;
        Ok(deleted > 0)
    }

    async fn delete_idle_sessions(&self, used_before: i64) -> Result<u64, Error> {
        let client = self.client().await?;
        client
            .execute(
                "DELETE FROM mcp_sessions WHERE last_used < $1",
                &[&used_before],
            )
            .await
            .map_err(storage_error)
    }
}

fn digest(text: &str) -> Vec<u8> {
    Sha256::digest(text.as_bytes()).to_vec()
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs() as i64)
}

#[async_trait::async_trait]
impl SessionBackend for PostgresStorage {
    async fn save(&self, id: &str, token: &str, state: &Value) -> Result<(), BackendError> {
        let client = self.client().await?;
        // A session id taken under another token is never overwritten.
        client
            .execute(
                "INSERT INTO mcp_sessions (id_hash, token_hash, state, last_used) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (id_hash) DO UPDATE SET state = excluded.state, last_used = excluded.last_used
                 WHERE mcp_sessions.token_hash = excluded.token_hash",
                &[&digest(id), &digest(token), &state.to_string(), &unix_now()],
            )
            .await?;
        Ok(())
    }

    async fn load(
        &self,
        id: &str,
        token: &str,
        idle_timeout: Duration,
    ) -> Result<Option<Value>, BackendError> {
        let client = self.client().await?;
        let now = unix_now();
        let oldest = now.saturating_sub(idle_timeout.as_secs() as i64);
        let row = client
            .query_opt(
                "UPDATE mcp_sessions SET last_used = $3
                 WHERE id_hash = $1 AND token_hash = $2 AND last_used >= $4
                 RETURNING state",
                &[&digest(id), &digest(token), &now, &oldest],
            )
            .await?;
        Ok(match row {
            Some(row) => Some(serde_json::from_str(row.get::<_, &str>(0))?),
            None => None,
        })
    }

    async fn delete(&self, id: &str, token: &str) -> Result<bool, BackendError> {
        let client = self.client().await?;
        let deleted = client
            .execute(
                "DELETE FROM mcp_sessions WHERE id_hash = $1 AND token_hash = $2",
                &[&digest(id), &digest(token)],
            )
            .await?;
        Ok(deleted > 0)
    }
}

/// Test support: a fresh database on the server named by `FRESHSERVICE_MCP_TEST_DATABASE_URL`.
#[cfg(test)]
pub(crate) mod testing {
    /// The URL of a new, empty database, or `None` (after saying why) when no PostgreSQL is
    /// configured on a developer machine. Under `CI=true` a missing database is a failure.
    pub(crate) async fn fresh_database() -> Option<String> {
        let Ok(base) = std::env::var("FRESHSERVICE_MCP_TEST_DATABASE_URL") else {
            let ci = std::env::var("CI").is_ok_and(|value| value == "true" || value == "1");
            assert!(
                !ci,
                "FRESHSERVICE_MCP_TEST_DATABASE_URL is not set: CI must run the PostgreSQL tests"
            );
            eprintln!(
                "skipping a PostgreSQL test: set FRESHSERVICE_MCP_TEST_DATABASE_URL=postgres://USER:PASSWORD@127.0.0.1/DB (a role that may CREATE DATABASE)"
            );
            return None;
        };
        let (client, connection) = tokio_postgres::connect(&base, tokio_postgres::NoTls)
            .await
            .expect("cannot connect to FRESHSERVICE_MCP_TEST_DATABASE_URL");
        tokio::spawn(connection);
        let mut bytes = [0u8; 8];
        getrandom::fill(&mut bytes).unwrap();
        let name = format!(
            "fsmcp_test_{}",
            bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
        );
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        let mut url = url::Url::parse(&base).unwrap();
        url.set_path(&format!("/{name}"));
        Some(url.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn postgres_storage_passes() {
        let Some(url) = testing::fresh_database().await else {
            return;
        };
        let storage = PostgresStorage::connect(&url).await.unwrap();
        crate::storage::conformance::check(&storage).await;
    }

    #[tokio::test]
    async fn instances_starting_together_migrate_once() {
        let Some(url) = testing::fresh_database().await else {
            return;
        };
        let starts: Vec<_> = (0..4)
            .map(|_| {
                let url = url.clone();
                tokio::spawn(async move { PostgresStorage::connect(&url).await.map(drop) })
            })
            .collect();
        for start in starts {
            start.await.unwrap().unwrap();
        }
        let storage = PostgresStorage::connect(&url).await.unwrap();
        let client = storage.client().await.unwrap();
        let version: i64 = client
            .query_one("SELECT version FROM schema_version", &[])
            .await
            .unwrap()
            .get(0);
        assert_eq!(version, MIGRATIONS.len() as i64);
        let rows: i64 = client
            .query_one("SELECT count(*) FROM schema_version", &[])
            .await
            .unwrap()
            .get(0);
        assert_eq!(rows, 1);

        client
            .execute("UPDATE schema_version SET version = 99", &[])
            .await
            .unwrap();
        let error = PostgresStorage::connect(&url).await.unwrap_err();
        assert!(
            matches!(error, Error::SchemaTooNew { found: 99, .. }),
            "{error}"
        );
    }

    #[tokio::test]
    async fn concurrent_sweepers_delete_each_expired_server_once() {
        let Some(url) = testing::fresh_database().await else {
            return;
        };
        let first = PostgresStorage::connect(&url).await.unwrap();
        let second = PostgresStorage::connect(&url).await.unwrap();
        crate::storage::conformance::seed_expiring(&first, 40).await;
        let (a, b) = tokio::join!(
            first.delete_expired_servers(i64::MAX - 1),
            second.delete_expired_servers(i64::MAX - 1)
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a.len() + b.len(), 40, "{a:?} {b:?}");
        assert!(a.iter().all(|id| !b.contains(id)));
    }

    #[tokio::test]
    async fn a_bad_url_is_refused_without_echoing_it() {
        let error = PostgresStorage::connect("postgres://user:hunter2@127.0.0.1:1/db")
            .await
            .unwrap_err();
        assert!(!error.to_string().contains("hunter2"), "{error}");
        let error = PostgresStorage::connect("not a url with hunter2")
            .await
            .unwrap_err();
        assert!(!error.to_string().contains("hunter2"), "{error}");
    }
}
