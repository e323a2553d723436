//! The `freshservice-mcp` command: serves the Freshservice REST API v2 to MCP clients.
//!
//! Everything lives in the library target (`src/lib.rs`), so benches can reach the parts of
//! `serve` they measure; this file only hands over the arguments.

fn main() -> std::process::ExitCode {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    freshservice_mcp_server::run(&arguments)
}
