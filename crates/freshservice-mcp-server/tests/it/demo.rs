//! `freshservice-mcp demo`: the sandbox, plus a provisioned Streamable HTTP server that a real
//! client can use straight from the printed URL.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use serde_json::json;

use crate::harness::{run_python_http, server_binary};

/// Two free neighbouring loopback ports (the demo uses PORT and PORT + 1).
fn free_port_pair() -> u16 {
    for _ in 0..50 {
        let first = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = first.local_addr().unwrap().port();
        if port < u16::MAX && std::net::TcpListener::bind(("127.0.0.1", port + 1)).is_ok() {
            return port;
        }
    }
    panic!("no free pair of ports");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_prints_a_working_http_url() {
    let port = free_port_pair();
    let mut demo = Command::new(server_binary())
        .args(["demo", "--listen", &format!("127.0.0.1:{port}")])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = demo.stdout.take().unwrap();
    let url = tokio::task::spawn_blocking(move || {
        let mut lines = BufReader::new(stdout).lines();
        let mut printed = String::new();
        while let Some(Ok(line)) = lines.next() {
            printed.push_str(&line);
            printed.push('\n');
            if let Some(url) = line
                .trim()
                .strip_prefix(&format!("http://127.0.0.1:{}/mcp/", port + 1))
            {
                return (format!("http://127.0.0.1:{}/mcp/{url}", port + 1), printed);
            }
        }
        panic!("the demo printed no MCP URL:\n{printed}");
    });
    let (url, printed) = tokio::time::timeout(std::time::Duration::from_secs(30), url)
        .await
        .unwrap()
        .unwrap();
    assert!(
        printed.contains(&format!("stdio --base-url http://127.0.0.1:{port}")),
        "{printed}"
    );
    assert!(printed.contains("\"mcpServers\""), "{printed}");

    let calls =
        json!([{"name": "get_single_freshservice_change_by_id", "arguments": {"change_id": 1}}]);
    let report = run_python_http("legacy", &url, calls).await;
    let result = &report["results"][0]["result"];
    assert_eq!(
        result["structuredContent"]["change"]["subject"], "Primary Database Failover",
        "{report}"
    );

    // Ctrl-C stops the demo and its server.
    let _ = Command::new("kill")
        .args(["-INT", &demo.id().to_string()])
        .status();
    let status = tokio::task::spawn_blocking(move || demo.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "{status}");
    let stopped = std::net::TcpStream::connect(("127.0.0.1", port + 1)).is_err();
    assert!(stopped, "the demo's serve process outlived it");
}
