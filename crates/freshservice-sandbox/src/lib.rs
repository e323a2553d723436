#![doc = include_str!("../README.md")]

mod account;
mod actions;
mod catalog_index;
mod clock;
mod error;
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

pub use crate::{
    account::{Account, FormModule},
    error::Error,
    sandbox::{
        DEFAULT_API_KEY, DEFAULT_RATE_LIMIT_PER_MINUTE, Sandbox, SandboxBuilder, Seed,
        WorkspaceMode,
    },
    state::State,
};
