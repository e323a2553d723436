//! Errors of the embeddable service.
//!
//! Design note: a failure has two audiences. Configuration mistakes (a bad filter, a catalogue
//! entry that does not compile) stop the service from being built and are reported here, to
//! the operator. Failures while serving are never `Error`s: protocol faults become JSON-RPC
//! errors and tool failures become `isError` results written for the model, so this enum stays
//! small.

/// Why the service could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A `--methods` value is not one we know.
    #[error(
        "unknown method filter {value:?}: use one or more of read, write, list, get, create, update, delete, custom"
    )]
    UnknownMethodFilter {
        /// The value given.
        value: String,
    },
    /// A `--tags` value names no module in the catalogue.
    #[error("unknown tag {value:?}: use one or more of {known}")]
    UnknownTag {
        /// The value given.
        value: String,
        /// The tags that exist, comma-separated.
        known: String,
    },
    /// The filters leave no tool at all.
    #[error("the method and tag filters leave no tool: widen --methods or --tags")]
    NoToolsLeft,
    /// A catalogue operation could not be turned into a router (a catalogue bug).
    #[error("catalogue operation {name} is invalid: {reason}")]
    InvalidOperation {
        /// The operation name.
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// A workspace scope names a reserved id.
    #[error(
        "workspace {id} cannot scope a server: 0 means all workspaces and 1 the global scope; use workspace ids of 2 or more"
    )]
    InvalidWorkspace {
        /// The id given.
        id: i64,
    },
    /// The service needs a Freshservice client.
    #[error("no Freshservice client configured: call ServiceBuilder::client")]
    MissingClient,
    /// Two tools would share a name.
    #[error(
        "tool name {name} is taken: a custom tool needs a name no catalogue tool, discovery meta-tool or other custom tool has"
    )]
    DuplicateTool {
        /// The name in question.
        name: String,
    },
}
