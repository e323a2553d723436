//! End-to-end tests of the `freshservice-mcp` binary with real MCP clients, against a
//! wiremock Freshservice on 127.0.0.1.

mod account_fields;
mod agent_grade;
mod conformance_serve;
mod demo;
mod exposure;
mod faults;
mod harness;
mod hostile_http;
mod python_client;
mod remote;
mod scale_out;
mod secrets;
mod serve;
mod serve_harness;
mod soak;
mod startup;
mod workflows;
mod workspace_scope;
