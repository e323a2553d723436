//! Errors of `serve`: storage, secrets and configuration.
//!
//! Design note: these are operator-facing. Admin API handlers turn them into JSON errors with a
//! status code (see `admin.rs`); a storage failure is never shown to an HTTP client in detail,
//! only logged, because it may carry paths and SQL.

/// Why a `serve` operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum Error {
    /// The database could not be opened, migrated, read or written.
    #[error("database error: {0}")]
    Storage(String),
    /// The database was written by a newer version of this program.
    #[error(
        "the database schema version {found} is newer than this program supports ({supported}): upgrade freshservice-mcp"
    )]
    SchemaTooNew {
        /// The version in the file.
        found: i64,
        /// The newest version this build knows.
        supported: i64,
    },
    /// The secret key does not decrypt what this database holds.
    #[error(
        "FRESHSERVICE_MCP_SECRET_KEY does not match the key this database was created with: use the original key or a new --db"
    )]
    WrongSecretKey,
    /// A stored secret could not be decrypted (tampered with, or sealed under another key).
    #[error(
        "a stored secret cannot be decrypted: the database was modified or the secret key changed"
    )]
    Unseal,
    /// The operating system's random number generator failed.
    #[error("the operating system's random number generator failed: {0}")]
    Random(String),
}

impl From<rusqlite::Error> for Error {
    fn from(error: rusqlite::Error) -> Self {
        Self::Storage(error.to_string())
    }
}

impl From<getrandom::Error> for Error {
    fn from(error: getrandom::Error) -> Self {
        Self::Random(error.to_string())
    }
}
