//! Integration tests: the sandbox driven over HTTP on 127.0.0.1, as a client would use it.

mod account_fields;
mod catalog;
mod crud;
mod faults;
mod filters;
mod mocks;
mod samples;
mod service_rules;
mod story;
mod support;
