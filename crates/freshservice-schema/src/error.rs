//! Errors raised while loading catalogue data.
//!
//! Design note: the only fallible step in this crate is turning catalogue JSON into a [`Catalog`](crate::Catalog)
//! (and the canonical re-serialisation that shares its parser).
//! The committed data is checked by the test suite, so at run time these errors can only come from data a caller
//! supplies through [`Catalog::from_sources`](crate::Catalog::from_sources), typically the catalogue importer.
//! Every message names the file or operation at fault and says how to fix it, because the reader is a person
//! editing a data file, not a program choosing a recovery strategy.
//!
//! The one run-time input is an account's form-field answers given to an
//! [`AccountProfile`](crate::AccountProfile): [`Error::ProfileResponse`] names the endpoint and the shape it
//! expected, so the operator can tell a changed API from a proxy's error page. Anything within the documented
//! shape (unknown members, unknown field types, odd choices) is kept, not refused.

/// Everything that can go wrong while loading or canonicalising catalogue data, or reading an account's form fields.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A data file is not valid JSON or does not have the catalogue file shape.
    #[error(
        "data file `{file}` does not parse as catalogue json: {source}; fix the file or run the catalogue formatter"
    )]
    Parse {
        /// Name of the data file.
        file: String,
        /// The underlying JSON error, with line and column.
        #[source]
        source: serde_json::Error,
    },
    /// Two definitions of the same kind share a name.
    #[error(
        "{what} `{name}` is defined more than once (in `{first}` and `{second}`); rename or remove one"
    )]
    Duplicate {
        /// What was duplicated: `operation`, `coded enum`, `shared parameter` or `parameter`.
        what: &'static str,
        /// The duplicated name.
        name: String,
        /// Where it was first seen.
        first: String,
        /// Where it was seen again.
        second: String,
    },
    /// A parameter refers to a shared parameter or coded enum that does not exist.
    #[error("{context}: unknown {what} `{name}`; define it in data/{file} or fix the reference")]
    UnknownReference {
        /// The operation and parameter holding the reference.
        context: String,
        /// `shared parameter` or `coded enum`.
        what: &'static str,
        /// The name that was not found.
        name: String,
        /// The file where such definitions conventionally live.
        file: &'static str,
    },
    /// An operation uses an HTTP method the catalogue does not support.
    #[error("{context}: unsupported http method `{method}`; use GET, POST, PUT, PATCH or DELETE")]
    InvalidMethod {
        /// The operation.
        context: String,
        /// The method as written.
        method: String,
    },
    /// A form-field answer given to an [`AccountProfile`](crate::AccountProfile) is not the documented shape.
    #[error("the answer of {tool} ({path}) is not the documented shape: expected {expected}")]
    ProfileResponse {
        /// The catalogue tool that reads the endpoint, e.g. `list_all_freshservice_ticket_form_fields`.
        tool: &'static str,
        /// The endpoint path, e.g. `/api/v2/ticket_form_fields`.
        path: &'static str,
        /// What was expected where the answer differs.
        expected: String,
    },
    /// A definition is structurally incomplete or inconsistent.
    #[error("{context}: {message}")]
    InvalidDefinition {
        /// The file, operation and parameter at fault.
        context: String,
        /// What is wrong and how to fix it.
        message: String,
    },
}
