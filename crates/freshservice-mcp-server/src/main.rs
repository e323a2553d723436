//! The `freshservice-mcp` command.

fn main() {}
