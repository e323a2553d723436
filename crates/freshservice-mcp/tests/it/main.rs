//! Protocol-level tests of the embeddable service: `serve_io` over in-memory pipes, speaking
//! newline-delimited JSON-RPC, with a wiremock Freshservice on 127.0.0.1.

mod account_fields;
mod concurrency;
mod custom_tools;
mod exposure;
mod fixture_tools;
mod harness;
mod http_conformance;
mod http_gates;
mod http_harness;
mod http_legacy;
mod http_modern;
mod http_shared_sessions;
mod http_slow_clients;
mod legacy;
mod lifecycle;
mod logging;
mod malformed;
mod modern;
mod pagination;
mod stdio_bytes;
mod tools_call;
mod workspace_records;
