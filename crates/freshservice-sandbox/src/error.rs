//! The one error type of the crate.
//!
//! Design note: the sandbox answers every HTTP request itself, so mistakes in requests become Freshservice-style
//! HTTP answers, never Rust errors.
//! Only the few things a host program does directly can fail: binding the listening address and inserting
//! records through [`Sandbox::insert`](crate::Sandbox::insert).

use std::net::SocketAddr;

/// Everything that can go wrong while starting the sandbox or changing its state directly.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The listening address could not be bound.
    #[error(
        "cannot listen on {address}: {source}; pick a free port or use port 0 for any free port"
    )]
    Bind {
        /// The address that was asked for.
        address: SocketAddr,
        /// What the operating system said.
        source: std::io::Error,
    },

    /// A record given to [`Sandbox::insert`](crate::Sandbox::insert) is not usable.
    #[error("invalid record for collection `{collection}`: {reason}")]
    InvalidRecord {
        /// The collection the record was meant for.
        collection: String,
        /// What is wrong and how to fix it.
        reason: String,
    },

    /// [`Sandbox::inject`](crate::Sandbox::inject) named no operation of the catalogue.
    #[error(
        "no catalogue operation named `{name}`: faults are injected by tool name, e.g. get_single_freshservice_ticket_by_id"
    )]
    UnknownOperation {
        /// The name given.
        name: String,
    },
}
