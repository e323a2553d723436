//! Serde round trips of sample messages of each era (from `tests/fixtures/`): every field a real
//! client or server sends must survive parse → serialise unchanged.

use mcp_messages::{
    CallToolParams, CallToolResult, CancelledParams, DiscoverResult, InitializeParams,
    InitializeResult, ListToolsParams, ListToolsResult, LoggingMessageParams, Message,
    ProgressParams, SetLevelParams, modern_request_meta,
};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn check<T: Serialize + DeserializeOwned>(sample: &Value) {
    let typed: T = serde_json::from_value(sample.clone())
        .unwrap_or_else(|error| panic!("{sample} did not parse: {error}"));
    let again = serde_json::to_value(&typed).unwrap();
    assert_eq!(&again, sample, "round trip changed the message");
}

#[test]
fn legacy_samples_round_trip() {
    let samples = fixture("legacy.json");
    check::<InitializeParams>(&samples["initialize_params"]);
    check::<InitializeResult>(&samples["initialize_result"]);
    check::<ListToolsParams>(&samples["list_tools_params"]);
    check::<ListToolsResult>(&samples["list_tools_result"]);
    check::<CallToolParams>(&samples["call_tool_params"]);
    check::<CallToolResult>(&samples["call_tool_result"]);
    check::<CancelledParams>(&samples["cancelled_params"]);
    check::<ProgressParams>(&samples["progress_params"]);
    check::<SetLevelParams>(&samples["set_level_params"]);
    check::<LoggingMessageParams>(&samples["logging_message_params"]);
}

#[test]
fn modern_samples_round_trip() {
    let samples = fixture("modern.json");
    check::<DiscoverResult>(&samples["discover_result"]);
    check::<ListToolsResult>(&samples["list_tools_result"]);
    check::<CallToolParams>(&samples["call_tool_params"]);
    check::<CallToolResult>(&samples["call_tool_result"]);
}

#[test]
fn modern_request_is_recognised_from_its_envelope() {
    let samples = fixture("modern.json");
    let request = serde_json::json!({
        "jsonrpc": "2.0", "id": 9, "method": "tools/call", "params": samples["call_tool_params"]
    });
    let Message::Request(request) = Message::from_value(request).unwrap() else {
        panic!("not a request")
    };
    let meta = modern_request_meta(request.params.as_ref())
        .unwrap()
        .unwrap();
    assert_eq!(meta.protocol_version, "2026-07-28");
    assert_eq!(meta.client_info.unwrap().name, "py");

    let legacy = fixture("legacy.json");
    assert!(
        modern_request_meta(Some(&legacy["call_tool_params"]))
            .unwrap()
            .is_none()
    );
}

#[test]
fn tool_schema_keywords_survive() {
    let samples = fixture("legacy.json");
    let result: ListToolsResult =
        serde_json::from_value(samples["list_tools_result"].clone()).unwrap();
    let schema = &result.tools[0].input_schema;
    assert!(schema.contains_key("$schema"));
    assert!(schema.contains_key("$defs"));
    assert_eq!(schema["additionalProperties"], Value::Bool(false));
}
