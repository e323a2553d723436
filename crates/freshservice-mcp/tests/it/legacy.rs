//! The legacy (handshake) era: `initialize`, session rules, `ping`, `logging/setLevel`.

use serde_json::json;

use crate::harness::{LEGACY_VERSIONS, Server};

#[tokio::test]
async fn initialize_echoes_supported_versions_and_counter_offers_others() {
    let mut trials: Vec<(&str, &str)> = LEGACY_VERSIONS.iter().map(|v| (*v, *v)).collect();
    trials.extend([
        ("1999-01-01", "2025-11-25"),
        ("2099-01-01", "2025-11-25"),
        // The handshake is a legacy mechanism, so a modern version in it gets the counter-offer.
        ("2026-07-28", "2025-11-25"),
    ]);
    for (requested, expected) in trials {
        let mut server = Server::start().await;
        let result = server.initialize(requested).await;
        assert_eq!(result["protocolVersion"], expected, "{requested}: {result}");
        assert_eq!(result["serverInfo"]["name"], "freshservice-mcp", "{result}");
        assert!(result["serverInfo"]["version"].is_string(), "{result}");
        assert!(result["capabilities"]["tools"].is_object(), "{result}");
        assert!(result["capabilities"]["logging"].is_object(), "{result}");
        assert!(result["instructions"].is_string(), "{result}");
        // The session works after the handshake.
        let tools = server.result("tools/list", json!({})).await;
        assert!(
            !tools["tools"].as_array().unwrap().is_empty(),
            "{requested}"
        );
        server.close().await;
    }
}

#[tokio::test]
async fn requests_before_initialize_are_refused_except_ping() {
    let mut server = Server::start().await;
    for (method, params) in [
        ("tools/list", json!({})),
        (
            "tools/call",
            json!({"name": "list_all_freshservice_changes", "arguments": {}}),
        ),
        ("logging/setLevel", json!({"level": "info"})),
    ] {
        let error = server.error(method, params).await;
        assert_eq!(error["code"], -32600, "{method}: {error}");
        assert!(
            error["message"].as_str().unwrap().contains("initialize"),
            "{method}: {error}"
        );
    }
    assert_eq!(server.result("ping", json!({})).await, json!({}));
    assert!(server.mock.received_requests().await.unwrap().is_empty());
    server.close().await;
}

#[tokio::test]
async fn legacy_results_carry_no_modern_fields() {
    let mut server = Server::initialized().await;
    let tools = server.result("tools/list", json!({})).await;
    for field in ["resultType", "ttlMs", "cacheScope"] {
        assert!(tools.get(field).is_none(), "{field} in a legacy result");
    }
    server.close().await;
}

#[tokio::test]
async fn method_trials_in_an_initialized_session() {
    // (method, params, Ok(result) or Err(code))
    let trials = [
        ("ping", json!({}), Ok(json!({}))),
        ("logging/setLevel", json!({"level": "debug"}), Ok(json!({}))),
        (
            "logging/setLevel",
            json!({"level": "warning"}),
            Ok(json!({})),
        ),
        (
            "logging/setLevel",
            json!({"level": "emergency"}),
            Ok(json!({})),
        ),
        ("logging/setLevel", json!({"level": "loud"}), Err(-32602)),
        ("logging/setLevel", json!({"level": 3}), Err(-32602)),
        ("logging/setLevel", json!({}), Err(-32602)),
        // No prompts or resources: empty lists, and not-found for reads.
        ("resources/list", json!({}), Ok(json!({"resources": []}))),
        ("prompts/list", json!({}), Ok(json!({"prompts": []}))),
        (
            "resources/templates/list",
            json!({}),
            Ok(json!({"resourceTemplates": []})),
        ),
        ("resources/read", json!({"uri": "test://x"}), Err(-32602)),
        ("prompts/get", json!({"name": "x"}), Err(-32602)),
        ("completion/complete", json!({}), Err(-32601)),
        ("no/such/method", json!({}), Err(-32601)),
        ("tools/list", json!({"cursor": 5}), Err(-32602)),
    ];
    let mut server = Server::initialized().await;
    for (method, params, expected) in trials {
        let response = server.request(method, params.clone()).await;
        match expected {
            Ok(result) => assert_eq!(response["result"], result, "{method} {params}"),
            Err(code) => {
                assert_eq!(
                    response["error"]["code"], code,
                    "{method} {params}: {response}"
                );
                if code == -32601 {
                    assert!(
                        response["error"]["message"]
                            .as_str()
                            .unwrap()
                            .contains(method),
                        "{response}"
                    );
                }
            }
        }
    }
    server.close().await;
}

#[tokio::test]
async fn a_modern_request_does_not_initialize_the_legacy_session() {
    let mut server = Server::start().await;
    let discovered = server
        .result("server/discover", crate::harness::modern(json!({})))
        .await;
    assert_eq!(discovered["resultType"], "complete");
    let error = server.error("tools/list", json!({})).await;
    assert_eq!(error["code"], -32600, "{error}");
    server.initialize("2025-06-18").await;
    server.result("tools/list", json!({})).await;
    // Modern requests stay stateless after the legacy session started.
    let modern = server
        .result("tools/list", crate::harness::modern(json!({})))
        .await;
    assert_eq!(modern["resultType"], "complete");
    server.close().await;
}
