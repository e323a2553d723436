//! The embedded SQLite engine: one file, migrated on open.
//!
//! One connection behind a mutex is enough: every statement is a primary-key or indexed lookup
//! and the resolver caches what it reads. Calls run on tokio's blocking pool so a slow disk
//! never stalls the async workers.

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::error::Error;
use crate::secrets::TokenHash;
use crate::storage::{Account, ApiToken, Location, McpServer, ServerConfig, Storage};

/// Each entry migrates from version `index` to `index + 1`; the file's `user_version` says how
/// many have run. Append only: a released migration is never edited.
const MIGRATIONS: &[&str] = &[r"
CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
CREATE TABLE integrated_accounts (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    domain         TEXT,
    base_url       TEXT,
    api_key_sealed BLOB NOT NULL,
    created_at     INTEGER NOT NULL,
    CHECK ((domain IS NULL) <> (base_url IS NULL))
);
CREATE TABLE mcp_servers (
    id                     TEXT PRIMARY KEY,
    account_id             TEXT NOT NULL REFERENCES integrated_accounts (id) ON DELETE CASCADE,
    name                   TEXT NOT NULL,
    config                 TEXT NOT NULL,
    require_api_token_auth INTEGER NOT NULL,
    expires_at             INTEGER,
    token_salt             BLOB NOT NULL,
    token_hash             BLOB NOT NULL,
    created_at             INTEGER NOT NULL
);
CREATE INDEX mcp_servers_by_account ON mcp_servers (account_id);
CREATE INDEX mcp_servers_by_expiry ON mcp_servers (expires_at) WHERE expires_at IS NOT NULL;
CREATE TABLE api_tokens (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES integrated_accounts (id) ON DELETE CASCADE,
    token_salt BLOB NOT NULL,
    token_hash BLOB NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX api_tokens_by_account ON api_tokens (account_id);
"];

/// Storage in one SQLite file.
#[derive(Debug, Clone)]
pub(crate) struct SqliteStorage {
    connection: Arc<Mutex<Connection>>,
}

/// Creates the database file readable and writable by its owner only (0600), when it does not
/// exist yet: it holds sealed API keys and token hashes, which no other user should read.
/// SQLite gives its journal and WAL files the database file's permissions.
fn create_private(path: &Path) -> Result<(), Error> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(error) => Err(Error::Storage(format!(
            "cannot create {}: {error}",
            path.display()
        ))),
    }
}

impl SqliteStorage {
    /// Opens (creating if needed) and migrates the database at `path`.
    pub(crate) fn open(path: &Path) -> Result<Self, Error> {
        create_private(path)?;
        let connection = Connection::open(path)
            .map_err(|error| Error::Storage(format!("cannot open {}: {error}", path.display())))?;
        Self::prepare(connection)
    }

    /// A private in-memory database, for `--dev` and tests.
    pub(crate) fn in_memory() -> Result<Self, Error> {
        Self::prepare(Connection::open_in_memory()?)
    }

    fn prepare(mut connection: Connection) -> Result<Self, Error> {
        // secure_delete overwrites deleted rows, so a removed sealed key or token hash does not
        // linger in free pages of the file.
        connection.execute_batch(
            "PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON; PRAGMA busy_timeout = 5000;",
        )?;
        migrate(&mut connection)?;
        Ok(Self {
            connection: Arc::new(Mutex::new(connection)),
        })
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Connection) -> Result<T, Error> + Send + 'static,
    ) -> Result<T, Error> {
        let connection = Arc::clone(&self.connection);
        tokio::task::spawn_blocking(move || {
            // A panic mid-statement leaves no partial transaction behind (SQLite rolls back), so
            // the connection is still fine to use.
            let connection = connection
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            work(&connection)
        })
        .await
        .map_err(|error| Error::Storage(format!("database task failed: {error}")))?
    }
}

fn migrate(connection: &mut Connection) -> Result<(), Error> {
    let version: i64 = connection.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    let supported = MIGRATIONS.len() as i64;
    if version > supported {
        return Err(Error::SchemaTooNew {
            found: version,
            supported,
        });
    }
    for (index, migration) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        let transaction = connection.transaction()?;
        transaction.execute_batch(migration)?;
        transaction.pragma_update(None, "user_version", index as i64 + 1)?;
        transaction.commit()?;
    }
    Ok(())
}

const ACCOUNT_COLUMNS: &str = "id, name, domain, base_url, api_key_sealed, created_at";
const SERVER_COLUMNS: &str = "id, account_id, name, config, require_api_token_auth, expires_at, token_salt, token_hash, created_at";
const TOKEN_COLUMNS: &str = "id, account_id, token_salt, token_hash, created_at";

fn account_from(row: &Row<'_>) -> rusqlite::Result<Account> {
    let domain: Option<String> = row.get(2)?;
    let base_url: Option<String> = row.get(3)?;
    Ok(Account {
        id: row.get(0)?,
        name: row.get(1)?,
        location: match (domain, base_url) {
            (Some(domain), _) => Location::Domain(domain),
            (None, base_url) => Location::BaseUrl(base_url.unwrap_or_default()),
        },
        sealed_api_key: row.get(4)?,
        created_at: row.get(5)?,
    })
}

fn server_from(row: &Row<'_>) -> rusqlite::Result<McpServer> {
    let config: String = row.get(3)?;
    let config: ServerConfig = serde_json::from_str(&config).map_err(|error| {
        rusqlite::Error::FromSqlConversionFailure(3, rusqlite::types::Type::Text, Box::new(error))
    })?;
    Ok(McpServer {
        id: row.get(0)?,
        account_id: row.get(1)?,
        name: row.get(2)?,
        config,
        require_api_token_auth: row.get(4)?,
        expires_at: row.get(5)?,
        token: TokenHash {
            salt: row.get(6)?,
            hash: row.get(7)?,
        },
        created_at: row.get(8)?,
    })
}

fn token_from(row: &Row<'_>) -> rusqlite::Result<ApiToken> {
    Ok(ApiToken {
        id: row.get(0)?,
        account_id: row.get(1)?,
        token: TokenHash {
            salt: row.get(2)?,
            hash: row.get(3)?,
        },
        created_at: row.get(4)?,
    })
}

#[async_trait::async_trait]
impl Storage for SqliteStorage {
    async fn setting_or_insert(&self, name: &str, value: &[u8]) -> Result<Vec<u8>, Error> {
        let (name, value) = (name.to_owned(), value.to_vec());
        self.run(move |db| {
            db.execute(
                "INSERT INTO settings (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING",
                params![name, value],
            )?;
            Ok(db.query_row(
                "SELECT value FROM settings WHERE name = ?1",
                [name],
                |row| row.get(0),
            )?)
        })
        .await
    }

    async fn insert_account(&self, account: &Account) -> Result<(), Error> {
        let account = account.clone();
        self.run(move |db| {
            let (domain, base_url) = match &account.location {
                Location::Domain(domain) => (Some(domain.as_str()), None),
                Location::BaseUrl(url) => (None, Some(url.as_str())),
            };
            db.execute(
                &format!("INSERT INTO integrated_accounts ({ACCOUNT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"),
                params![account.id, account.name, domain, base_url, account.sealed_api_key, account.created_at],
            )?;
            Ok(())
        })
        .await
    }

    async fn account(&self, id: &str) -> Result<Option<Account>, Error> {
        let id = id.to_owned();
        self.run(move |db| {
            Ok(db
                .query_row(
                    &format!("SELECT {ACCOUNT_COLUMNS} FROM integrated_accounts WHERE id = ?1"),
                    [id],
                    account_from,
                )
                .optional()?)
        })
        .await
    }

    async fn accounts(&self) -> Result<Vec<Account>, Error> {
        self.run(|db| {
            let mut statement = db.prepare(&format!(
                "SELECT {ACCOUNT_COLUMNS} FROM integrated_accounts ORDER BY created_at, rowid"
            ))?;
            let rows = statement.query_map([], account_from)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    async fn delete_account(&self, id: &str) -> Result<bool, Error> {
        let id = id.to_owned();
        self.run(move |db| {
            Ok(db.execute("DELETE FROM integrated_accounts WHERE id = ?1", [id])? > 0)
        })
        .await
    }

    async fn insert_server(&self, server: &McpServer) -> Result<(), Error> {
        let server = server.clone();
        self.run(move |db| {
            let config = serde_json::to_string(&server.config)
                .map_err(|error| Error::Storage(error.to_string()))?;
            db.execute(
                &format!("INSERT INTO mcp_servers ({SERVER_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"),
                params![
                    server.id,
                    server.account_id,
                    server.name,
                    config,
                    server.require_api_token_auth,
                    server.expires_at,
                    server.token.salt,
                    server.token.hash,
                    server.created_at
                ],
            )?;
            Ok(())
        })
        .await
    }

    async fn server(&self, id: &str) -> Result<Option<McpServer>, Error> {
        let id = id.to_owned();
        self.run(move |db| {
            Ok(db
                .query_row(
                    &format!("SELECT {SERVER_COLUMNS} FROM mcp_servers WHERE id = ?1"),
                    [id],
                    server_from,
                )
                .optional()?)
        })
        .await
    }

    async fn servers(&self, account_id: &str) -> Result<Vec<McpServer>, Error> {
        let account_id = account_id.to_owned();
        self.run(move |db| {
            let mut statement = db.prepare(&format!(
                "SELECT {SERVER_COLUMNS} FROM mcp_servers WHERE account_id = ?1 ORDER BY created_at, rowid"
            ))?;
            let rows = statement.query_map([account_id], server_from)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    async fn set_server_expiry(
        &self,
        account_id: &str,
        id: &str,
        expires_at: Option<i64>,
    ) -> Result<bool, Error> {
        let (account_id, id) = (account_id.to_owned(), id.to_owned());
        self.run(move |db| {
            Ok(db.execute(
                "UPDATE mcp_servers SET expires_at = ?3 WHERE id = ?1 AND account_id = ?2",
                params![id, account_id, expires_at],
            )? > 0)
        })
        .await
    }

    async fn delete_server(&self, account_id: &str, id: &str) -> Result<bool, Error> {
        let (account_id, id) = (account_id.to_owned(), id.to_owned());
        self.run(move |db| {
            Ok(db.execute(
                "DELETE FROM mcp_servers WHERE id = ?1 AND account_id = ?2",
                [id, account_id],
            )? > 0)
        })
        .await
    }

    async fn delete_expired_servers(&self, now: i64) -> Result<Vec<String>, Error> {
        self.run(move |db| {
            let mut statement = db.prepare(
                "DELETE FROM mcp_servers WHERE expires_at IS NOT NULL AND expires_at <= ?1 RETURNING id",
            )?;
            let rows = statement.query_map([now], |row| row.get(0))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    async fn insert_api_token(&self, token: &ApiToken) -> Result<(), Error> {
        let token = token.clone();
        self.run(move |db| {
            db.execute(
                &format!("INSERT INTO api_tokens ({TOKEN_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5)"),
                params![
                    token.id,
                    token.account_id,
                    token.token.salt,
                    token.token.hash,
                    token.created_at
                ],
            )?;
            Ok(())
        })
        .await
    }

    async fn api_token(&self, id: &str) -> Result<Option<ApiToken>, Error> {
        let id = id.to_owned();
        self.run(move |db| {
            Ok(db
                .query_row(
                    &format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE id = ?1"),
                    [id],
                    token_from,
                )
                .optional()?)
        })
        .await
    }

    async fn api_tokens(&self, account_id: &str) -> Result<Vec<ApiToken>, Error> {
        let account_id = account_id.to_owned();
        self.run(move |db| {
            let mut statement = db.prepare(&format!(
                "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE account_id = ?1 ORDER BY created_at, rowid"
            ))?;
            let rows = statement.query_map([account_id], token_from)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    async fn delete_api_token(&self, account_id: &str, id: &str) -> Result<bool, Error> {
        let (account_id, id) = (account_id.to_owned(), id.to_owned());
        self.run(move |db| {
            Ok(db.execute(
                "DELETE FROM api_tokens WHERE id = ?1 AND account_id = ?2",
                [id, account_id],
            )? > 0)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_new_database_file_is_private_to_its_owner() {
        use std::os::unix::fs::PermissionsExt;
        let path = std::env::temp_dir().join(format!("fsmcp-private-{}.db", std::process::id()));
        let _ = std::fs::remove_file(&path);
        SqliteStorage::open(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        let _ = std::fs::remove_file(&path);
        assert_eq!(mode, 0o600, "{mode:o}");
    }

    #[tokio::test]
    async fn sqlite_storage_passes() {
        crate::storage::conformance::check(&SqliteStorage::in_memory().unwrap()).await;
    }

    #[tokio::test]
    async fn data_survives_reopening_and_migrations_are_idempotent() {
        let path = std::env::temp_dir().join(format!(
            "freshservice-mcp-sqlite-test-{}.db",
            std::process::id()
        ));
        let _ = std::fs::remove_file(&path);
        {
            let storage = SqliteStorage::open(&path).unwrap();
            storage.setting_or_insert("k", b"v").await.unwrap();
        }
        let storage = SqliteStorage::open(&path).unwrap();
        assert_eq!(storage.setting_or_insert("k", b"w").await.unwrap(), b"v");
        drop(storage);

        // A file from a newer program is refused, not half-read.
        let connection = Connection::open(&path).unwrap();
        connection.pragma_update(None, "user_version", 99).unwrap();
        drop(connection);
        let error = SqliteStorage::open(&path).unwrap_err();
        assert!(
            matches!(error, Error::SchemaTooNew { found: 99, .. }),
            "{error}"
        );
        let _ = std::fs::remove_file(&path);
    }
}
