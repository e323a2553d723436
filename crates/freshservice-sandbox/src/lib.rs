#![doc = include_str!("../README.md")]

mod account;
mod actions;
mod catalog_index;
mod clock;
mod collection;
mod error;
mod faults;
mod filter;
mod form_check;
mod form_fields;
mod handlers;
mod ratelimit;
mod resources;
mod router;
mod rules;
mod samples;
mod sandbox;
mod seed;
mod state;
mod validate;

/// The mock server the sandbox runs on, re-exported so tests mount their own mocks and match
/// requests with the same version.
pub use wiremock;

pub use crate::{
    account::{Account, FormModule},
    collection::Collection,
    error::Error,
    faults::Fault,
    sandbox::{
        DEFAULT_API_KEY, DEFAULT_RATE_LIMIT_PER_MINUTE, Sandbox, SandboxBuilder, Seed,
        WorkspaceMode,
    },
    state::State,
};
