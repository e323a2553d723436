//! The modern era: stateless requests identified by `_meta`, `server/discover`, removed methods.

use serde_json::{Value, json};

use crate::harness::{LEGACY_VERSIONS, MODERN, Server, modern, modern_meta};

#[tokio::test]
async fn discover_describes_the_server() {
    let mut server = Server::start().await;
    let result = server.result("server/discover", modern(json!({}))).await;
    assert_eq!(result["resultType"], "complete", "{result}");
    let supported: Vec<&str> = result["supportedVersions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|version| version.as_str().unwrap())
        .collect();
    assert!(supported.contains(&MODERN), "{supported:?}");
    for legacy in LEGACY_VERSIONS {
        assert!(
            supported.contains(&legacy),
            "{legacy} missing from {supported:?}"
        );
    }
    assert!(result["ttlMs"].is_u64(), "{result}");
    assert!(
        ["public", "private"].contains(&result["cacheScope"].as_str().unwrap()),
        "{result}"
    );
    assert!(result["capabilities"]["tools"].is_object(), "{result}");
    let info = &result["_meta"]["io.modelcontextprotocol/serverInfo"];
    assert_eq!(info["name"], "freshservice-mcp", "{result}");
    assert!(info["version"].is_string(), "{result}");
    server.close().await;
}

#[tokio::test]
async fn modern_tools_list_carries_caching_fields_without_a_handshake() {
    let mut server = Server::start().await;
    let result = server.result("tools/list", modern(json!({}))).await;
    assert_eq!(result["resultType"], "complete", "{result}");
    assert!(result["ttlMs"].is_u64(), "{result}");
    assert!(result["cacheScope"].is_string(), "{result}");
    assert!(
        result["_meta"]["io.modelcontextprotocol/serverInfo"]["name"].is_string(),
        "{result}"
    );
    assert!(!result["tools"].as_array().unwrap().is_empty());
    server.close().await;
}

#[tokio::test]
async fn modern_meta_trials() {
    let meta_without = |key: &str| {
        let mut meta = modern_meta();
        meta.as_object_mut().unwrap().remove(key);
        meta
    };
    let with_version = |version: Value| {
        let mut meta = modern_meta();
        meta["io.modelcontextprotocol/protocolVersion"] = version;
        meta
    };
    // (method, params, expected error code)
    let trials: Vec<(&str, Value, i64)> = vec![
        (
            "tools/list",
            json!({"_meta": meta_without("io.modelcontextprotocol/clientCapabilities")}),
            -32602,
        ),
        (
            "server/discover",
            json!({"_meta": meta_without("io.modelcontextprotocol/clientCapabilities")}),
            -32602,
        ),
        (
            "tools/list",
            json!({"_meta": with_version(json!(20260728))}),
            -32602,
        ),
        ("server/discover", json!({}), -32602),
        ("server/discover", json!({"_meta": {}}), -32602),
        (
            "server/discover",
            json!({"_meta": {"progressToken": 1}}),
            -32602,
        ),
        ("ping", modern(json!({})), -32601),
        (
            "logging/setLevel",
            modern(json!({"level": "debug"})),
            -32601,
        ),
        (
            "initialize",
            modern(json!({
                "protocolVersion": "2025-11-25",
                "capabilities": {},
                "clientInfo": {"name": "it", "version": "1"},
            })),
            -32601,
        ),
        ("completion/complete", modern(json!({})), -32601),
        ("resources/read", modern(json!({"uri": "test://x"})), -32602),
        ("tools/list", modern(json!({"cursor": "bogus"})), -32602),
    ];
    let mut server = Server::start().await;
    for (method, params, code) in trials {
        let error = server.error(method, params.clone()).await;
        assert_eq!(error["code"], code, "{method} {params}: {error}");
        assert!(error["message"].is_string(), "{error}");
    }
    server.close().await;
}

#[tokio::test]
async fn an_unsupported_modern_version_names_both_sides() {
    let mut server = Server::start().await;
    for method in ["server/discover", "tools/list", "tools/call", "ping"] {
        let mut meta = modern_meta();
        meta["io.modelcontextprotocol/protocolVersion"] = json!("2099-01-01");
        let error = server.error(method, json!({"_meta": meta})).await;
        assert_eq!(error["code"], -32022, "{method}: {error}");
        assert_eq!(error["data"]["requested"], "2099-01-01", "{error}");
        let supported = error["data"]["supported"].as_array().unwrap();
        assert!(supported.contains(&json!(MODERN)), "{error}");
        assert!(supported.contains(&json!("2025-11-25")), "{error}");
    }
    server.close().await;
}
