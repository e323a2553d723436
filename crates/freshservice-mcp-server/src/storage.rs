//! What `serve` keeps: integrated accounts, provisioned MCP servers and API tokens, behind a
//! small trait so another database engine can be added beside SQLite.
//!
//! Engine-neutral choices: ids are UUID-shaped random strings, times are unix seconds (UTC),
//! secrets are opaque byte strings (sealed API keys, token salts and hashes), and the server
//! configuration is one JSON document. Deleting an account deletes its servers and tokens.

#[cfg(test)]
use std::collections::HashMap;
#[cfg(test)]
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::secrets::TokenHash;

/// Where an account's Freshservice API lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Location {
    /// `acme` or `acme.freshservice.com`.
    Domain(String),
    /// An explicit base URL (proxies, the sandbox, tests).
    BaseUrl(String),
}

/// One Freshservice connection.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Account {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) location: Location,
    /// The API key, sealed with the account id as context.
    pub(crate) sealed_api_key: Vec<u8>,
    pub(crate) created_at: i64,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("location", &self.location)
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}

/// Which tools a provisioned server exposes. Empty lists mean no restriction.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ServerConfig {
    #[serde(default)]
    pub(crate) methods: Vec<String>,
    #[serde(default)]
    pub(crate) tags: Vec<String>,
    #[serde(default)]
    pub(crate) workspaces: Vec<i64>,
    /// `auto` (the default), `all`, `core` or `discovery`: how the tools are offered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) tool_exposure: Option<String>,
}

/// A provisioned MCP server, reachable at `/mcp/<id>.<secret>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct McpServer {
    pub(crate) id: String,
    pub(crate) account_id: String,
    pub(crate) name: String,
    pub(crate) config: ServerConfig,
    pub(crate) require_api_token_auth: bool,
    pub(crate) expires_at: Option<i64>,
    pub(crate) token: TokenHash,
    pub(crate) created_at: i64,
}

impl McpServer {
    /// Whether the server is expired at `now` (unix seconds).
    pub(crate) fn is_expired(&self, now: i64) -> bool {
        self.expires_at.is_some_and(|expires_at| now >= expires_at)
    }
}

/// An API token that `require_api_token_auth` servers of its account accept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiToken {
    pub(crate) id: String,
    pub(crate) account_id: String,
    pub(crate) token: TokenHash,
    pub(crate) created_at: i64,
}

/// A database engine.
#[async_trait::async_trait]
pub(crate) trait Storage: Send + Sync + 'static {
    /// Whether other processes may change the data at any moment (a database shared by several
    /// instances). Then readers must not trust what they cached.
    fn shared(&self) -> bool {
        false
    }

    /// A small value stored beside the data (e.g. the secret-key check): stores `value` unless
    /// the setting exists, and returns the stored value, so the first writer wins when several
    /// instances start at once.
    async fn setting_or_insert(&self, name: &str, value: &[u8]) -> Result<Vec<u8>, Error>;

    async fn insert_account(&self, account: &Account) -> Result<(), Error>;
    async fn account(&self, id: &str) -> Result<Option<Account>, Error>;
    /// All accounts, oldest first.
    async fn accounts(&self) -> Result<Vec<Account>, Error>;
    /// Deletes the account with its servers and tokens; false when there was none.
    async fn delete_account(&self, id: &str) -> Result<bool, Error>;

    async fn insert_server(&self, server: &McpServer) -> Result<(), Error>;
    async fn server(&self, id: &str) -> Result<Option<McpServer>, Error>;
    /// The account's servers, oldest first.
    async fn servers(&self, account_id: &str) -> Result<Vec<McpServer>, Error>;
    /// Sets (or clears) the server's expiry if it belongs to the account; false when there was
    /// none.
    async fn set_server_expiry(
        &self,
        account_id: &str,
        id: &str,
        expires_at: Option<i64>,
    ) -> Result<bool, Error>;
    /// Deletes the server if it belongs to the account; false when there was none.
    async fn delete_server(&self, account_id: &str, id: &str) -> Result<bool, Error>;
    /// Deletes every server expired at `now` and returns their ids.
    async fn delete_expired_servers(&self, now: i64) -> Result<Vec<String>, Error>;

    async fn insert_api_token(&self, token: &ApiToken) -> Result<(), Error>;
    async fn api_token(&self, id: &str) -> Result<Option<ApiToken>, Error>;
    /// The account's API tokens, oldest first.
    async fn api_tokens(&self, account_id: &str) -> Result<Vec<ApiToken>, Error>;
    /// Deletes the token if it belongs to the account; false when there was none.
    async fn delete_api_token(&self, account_id: &str, id: &str) -> Result<bool, Error>;

    /// Deletes the shared legacy MCP sessions last used before `used_before` (unix seconds) and
    /// returns how many; engines that keep no sessions have none.
    async fn delete_idle_sessions(&self, _used_before: i64) -> Result<u64, Error> {
        Ok(0)
    }
}

/// A storage that forgets everything on exit, for tests.
#[cfg(test)]
#[derive(Debug, Default)]
pub(crate) struct MemoryStorage {
    data: Mutex<MemoryData>,
}

#[cfg(test)]
#[derive(Debug, Default)]
struct MemoryData {
    settings: HashMap<String, Vec<u8>>,
    accounts: Vec<Account>,
    servers: Vec<McpServer>,
    api_tokens: Vec<ApiToken>,
}

#[cfg(test)]
impl MemoryStorage {
    fn lock(&self) -> std::sync::MutexGuard<'_, MemoryData> {
        // Plain data: a panic elsewhere cannot leave it half-updated in a harmful way.
        self.data
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
fn conflict(what: &str, id: &str) -> Error {
    Error::Storage(format!("{what} {id} already exists"))
}

#[cfg(test)]
#[async_trait::async_trait]
impl Storage for MemoryStorage {
    async fn setting_or_insert(&self, name: &str, value: &[u8]) -> Result<Vec<u8>, Error> {
        Ok(self
            .lock()
            .settings
            .entry(name.to_owned())
            .or_insert_with(|| value.to_vec())
            .clone())
    }

    async fn insert_account(&self, account: &Account) -> Result<(), Error> {
        let mut data = self.lock();
        if data.accounts.iter().any(|other| other.id == account.id) {
            return Err(conflict("account", &account.id));
        }
        data.accounts.push(account.clone());
        Ok(())
    }

    async fn account(&self, id: &str) -> Result<Option<Account>, Error> {
        Ok(self.lock().accounts.iter().find(|a| a.id == id).cloned())
    }

    async fn accounts(&self) -> Result<Vec<Account>, Error> {
        Ok(self.lock().accounts.clone())
    }

    async fn delete_account(&self, id: &str) -> Result<bool, Error> {
        let mut data = self.lock();
        let before = data.accounts.len();
        data.accounts.retain(|account| account.id != id);
        data.servers.retain(|server| server.account_id != id);
        data.api_tokens.retain(|token| token.account_id != id);
        Ok(data.accounts.len() != before)
    }

    async fn insert_server(&self, server: &McpServer) -> Result<(), Error> {
        let mut data = self.lock();
        if !data.accounts.iter().any(|a| a.id == server.account_id) {
            return Err(Error::Storage(format!(
                "account {} does not exist",
                server.account_id
            )));
        }
        if data.servers.iter().any(|other| other.id == server.id) {
            return Err(conflict("MCP server", &server.id));
        }
        data.servers.push(server.clone());
        Ok(())
    }

    async fn server(&self, id: &str) -> Result<Option<McpServer>, Error> {
        Ok(self.lock().servers.iter().find(|s| s.id == id).cloned())
    }

    async fn servers(&self, account_id: &str) -> Result<Vec<McpServer>, Error> {
        Ok(self
            .lock()
            .servers
            .iter()
            .filter(|server| server.account_id == account_id)
            .cloned()
            .collect())
    }

    async fn set_server_expiry(
        &self,
        account_id: &str,
        id: &str,
        expires_at: Option<i64>,
    ) -> Result<bool, Error> {
        let mut data = self.lock();
        let server = data
            .servers
            .iter_mut()
            .find(|server| server.id == id && server.account_id == account_id);
        Ok(server
            .map(|server| server.expires_at = expires_at)
            .is_some())
    }

    async fn delete_server(&self, account_id: &str, id: &str) -> Result<bool, Error> {
        let mut data = self.lock();
        let before = data.servers.len();
        data.servers
            .retain(|server| !(server.id == id && server.account_id == account_id));
        Ok(data.servers.len() != before)
    }

    async fn delete_expired_servers(&self, now: i64) -> Result<Vec<String>, Error> {
        let mut data = self.lock();
        let expired = data
            .servers
            .iter()
            .filter(|server| server.is_expired(now))
            .map(|server| server.id.clone())
            .collect();
        data.servers.retain(|server| !server.is_expired(now));
        Ok(expired)
    }

    async fn insert_api_token(&self, token: &ApiToken) -> Result<(), Error> {
        let mut data = self.lock();
        if !data.accounts.iter().any(|a| a.id == token.account_id) {
            return Err(Error::Storage(format!(
                "account {} does not exist",
                token.account_id
            )));
        }
        if data.api_tokens.iter().any(|other| other.id == token.id) {
            return Err(conflict("API token", &token.id));
        }
        data.api_tokens.push(token.clone());
        Ok(())
    }

    async fn api_token(&self, id: &str) -> Result<Option<ApiToken>, Error> {
        Ok(self.lock().api_tokens.iter().find(|t| t.id == id).cloned())
    }

    async fn api_tokens(&self, account_id: &str) -> Result<Vec<ApiToken>, Error> {
        Ok(self
            .lock()
            .api_tokens
            .iter()
            .filter(|token| token.account_id == account_id)
            .cloned()
            .collect())
    }

    async fn delete_api_token(&self, account_id: &str, id: &str) -> Result<bool, Error> {
        let mut data = self.lock();
        let before = data.api_tokens.len();
        data.api_tokens
            .retain(|token| !(token.id == id && token.account_id == account_id));
        Ok(data.api_tokens.len() != before)
    }
}

/// Shared tests every engine must pass.
#[cfg(test)]
pub(crate) mod conformance {
    use super::*;

    fn hash(byte: u8) -> TokenHash {
        TokenHash {
            salt: vec![byte; 16],
            hash: vec![byte; 32],
        }
    }

    fn account(id: &str, created_at: i64) -> Account {
        Account {
            id: id.into(),
            name: format!("account {id}"),
            location: if created_at % 2 == 0 {
                Location::Domain("acme".into())
            } else {
                Location::BaseUrl("http://127.0.0.1:9/x".into())
            },
            sealed_api_key: vec![1, 2, 3, created_at as u8],
            created_at,
        }
    }

    fn server(id: &str, account_id: &str, expires_at: Option<i64>) -> McpServer {
        McpServer {
            id: id.into(),
            account_id: account_id.into(),
            name: format!("server {id}"),
            config: ServerConfig {
                methods: vec!["read".into()],
                tags: vec!["tickets".into(), "changes".into()],
                workspaces: vec![3, 4],
                tool_exposure: Some("discovery".into()),
            },
            require_api_token_auth: expires_at.is_none(),
            expires_at,
            token: hash(7),
            created_at: 100,
        }
    }

    /// Runs the whole contract against `storage`, which must be empty.
    pub(crate) async fn check(storage: &dyn Storage) {
        assert_eq!(storage.setting_or_insert("k", b"v2").await.unwrap(), b"v2");
        assert_eq!(storage.setting_or_insert("k", b"v3").await.unwrap(), b"v2");
        assert_eq!(storage.setting_or_insert("n", b"n1").await.unwrap(), b"n1");
        assert_eq!(storage.setting_or_insert("n", b"n2").await.unwrap(), b"n1");

        let (a, b) = (account("a", 10), account("b", 11));
        storage.insert_account(&a).await.unwrap();
        storage.insert_account(&b).await.unwrap();
        assert!(storage.insert_account(&a).await.is_err());
        assert_eq!(storage.account("a").await.unwrap(), Some(a.clone()));
        assert_eq!(storage.account("zz").await.unwrap(), None);
        assert_eq!(
            storage.accounts().await.unwrap(),
            vec![a.clone(), b.clone()]
        );

        let s1 = server("s1", "a", Some(50));
        let s2 = server("s2", "a", None);
        let s3 = server("s3", "b", Some(500));
        for s in [&s1, &s2, &s3] {
            storage.insert_server(s).await.unwrap();
        }
        assert!(
            storage
                .insert_server(&server("s4", "nope", None))
                .await
                .is_err()
        );
        assert_eq!(storage.server("s1").await.unwrap(), Some(s1.clone()));
        assert_eq!(
            storage.servers("a").await.unwrap(),
            vec![s1.clone(), s2.clone()]
        );
        assert!(!storage.delete_server("b", "s2").await.unwrap());
        assert!(
            storage
                .set_server_expiry("a", "s2", Some(55))
                .await
                .unwrap()
        );
        assert!(!storage.set_server_expiry("b", "s2", Some(1)).await.unwrap());
        assert_eq!(
            storage.server("s2").await.unwrap().unwrap().expires_at,
            Some(55)
        );
        assert!(storage.set_server_expiry("a", "s2", None).await.unwrap());
        assert_eq!(
            storage.server("s2").await.unwrap().unwrap().expires_at,
            None
        );
        assert_eq!(
            storage.delete_expired_servers(60).await.unwrap(),
            vec!["s1"]
        );
        assert_eq!(storage.server("s1").await.unwrap(), None);
        assert!(storage.delete_expired_servers(60).await.unwrap().is_empty());
        assert!(storage.delete_server("a", "s2").await.unwrap());
        assert!(!storage.delete_server("a", "s2").await.unwrap());

        let t1 = ApiToken {
            id: "t1".into(),
            account_id: "b".into(),
            token: hash(9),
            created_at: 12,
        };
        storage.insert_api_token(&t1).await.unwrap();
        assert_eq!(storage.api_token("t1").await.unwrap(), Some(t1.clone()));
        assert_eq!(storage.api_tokens("b").await.unwrap(), vec![t1.clone()]);
        assert!(!storage.delete_api_token("a", "t1").await.unwrap());
        assert!(storage.delete_api_token("b", "t1").await.unwrap());
        storage
            .insert_api_token(&ApiToken {
                id: "t2".into(),
                ..t1
            })
            .await
            .unwrap();

        assert!(storage.delete_account("b").await.unwrap());
        assert!(!storage.delete_account("b").await.unwrap());
        assert_eq!(storage.server("s3").await.unwrap(), None);
        assert_eq!(storage.api_token("t2").await.unwrap(), None);
        assert_eq!(storage.accounts().await.unwrap(), vec![a]);
    }

    /// One account with `count` servers that expire at once.
    #[cfg(feature = "postgres")]
    pub(crate) async fn seed_expiring(storage: &dyn Storage, count: usize) {
        storage.insert_account(&account("x", 10)).await.unwrap();
        for index in 0..count {
            let server = server(&format!("e{index}"), "x", Some(1));
            storage.insert_server(&server).await.unwrap();
        }
    }

    #[tokio::test]
    async fn memory_storage_passes() {
        check(&MemoryStorage::default()).await;
    }
}
