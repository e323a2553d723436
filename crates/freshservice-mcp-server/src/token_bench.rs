//! The URL-token lookup of `serve`, set up for benches (`benches/token_lookup.rs`): not a stable
//! API, hidden from the docs.
//!
//! It is built from the same parts `serve` uses (SQLite in memory, the directory cache, the
//! salted SHA-256 token hashes), so what a bench measures is what every `/mcp/<token>` request
//! pays before its MCP message is read.

use std::sync::Arc;

use crate::clock::system_clock;
use crate::directory::{ClientSettings, Directory};
use crate::secrets::{SecretKey, TokenHash, issue_token, new_id, split_token};
use crate::sqlite::SqliteStorage;
use crate::storage::{Account, ApiToken, Location, McpServer, ServerConfig, Storage};

/// One provisioned server with the full catalogue, its URL token, and (when asked for) an API
/// token its requests must carry.
pub struct TokenLookup {
    directory: Directory,
    token: String,
    authorization: Option<String>,
    hash: TokenHash,
}

impl std::fmt::Debug for TokenLookup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenLookup").finish_non_exhaustive()
    }
}

impl TokenLookup {
    /// Provisions the server and resolves its token once, so the directory cache holds it and
    /// its service is built, as after the first request in a running `serve`.
    /// With `require_api_token`, every lookup also checks an `Authorization: Bearer` API token.
    pub async fn new(require_api_token: bool) -> Result<Self, String> {
        let text = |error: crate::error::Error| error.to_string();
        let storage: Arc<dyn Storage> = Arc::new(SqliteStorage::in_memory().map_err(text)?);
        let key = SecretKey::generate().map_err(text)?;
        let account_id = new_id().map_err(text)?;
        let account = Account {
            sealed_api_key: key.seal(b"bench-key", &account_id).map_err(text)?,
            id: account_id.clone(),
            name: "bench".into(),
            // Never contacted: resolving a token sends no Freshservice request.
            location: Location::BaseUrl("http://127.0.0.1:9".into()),
            created_at: 1,
        };
        storage.insert_account(&account).await.map_err(text)?;
        let server_id = new_id().map_err(text)?;
        let issued = issue_token(&server_id).map_err(text)?;
        storage
            .insert_server(&McpServer {
                id: server_id,
                account_id: account_id.clone(),
                name: "bench".into(),
                config: ServerConfig::default(),
                require_api_token_auth: require_api_token,
                expires_at: None,
                token: issued.hash.clone(),
                created_at: 1,
            })
            .await
            .map_err(text)?;
        let authorization = if require_api_token {
            let token_id = new_id().map_err(text)?;
            let api = issue_token(&token_id).map_err(text)?;
            storage
                .insert_api_token(&ApiToken {
                    id: token_id,
                    account_id,
                    token: api.hash,
                    created_at: 1,
                })
                .await
                .map_err(text)?;
            Some(format!("Bearer {}", api.token))
        } else {
            None
        };
        let lookup = Self {
            directory: Directory::new(storage, key, ClientSettings::default(), system_clock()),
            token: issued.token,
            authorization,
            hash: issued.hash,
        };
        if !lookup.resolve().await {
            return Err("the provisioned server's token does not resolve".into());
        }
        Ok(lookup)
    }

    /// Resolves the URL token (and API token) as `serve` does for every request; true when it
    /// yields the server's service.
    pub async fn resolve(&self) -> bool {
        self.directory
            .resolve(&self.token, self.authorization.as_deref())
            .await
            .is_ok()
    }

    /// Only the secret check: salted SHA-256 of the token's secret and the constant-time
    /// comparison with the stored hash.
    pub fn verify_secret(&self) -> bool {
        split_token(&self.token).is_some_and(|(_, secret)| self.hash.verify(secret))
    }
}
