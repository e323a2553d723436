//! The stdio transport writes each response exactly as `McpService::handle_request` followed by
//! `Message::to_json` would, byte for byte, although it takes shortcuts to get there (responses
//! serialised in their tasks, `tools/list` pages made once and kept).

use freshservice_mcp::mcp_messages::{self, Message};
use freshservice_mcp::{McpService, Session, serve_io};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::harness::{Options, READ_TIMEOUT, modern, service};

/// Sends `requests` one at a time over `serve_io` and returns each raw answer line; then asks
/// a fresh session of a second service (same settings) for the same answers the slow way.
async fn lines_and_expected(
    requests: &[Value],
    make: impl Fn() -> McpService,
) -> (Vec<String>, Vec<String>) {
    let (mut input, server_in) = tokio::io::duplex(64 * 1024);
    let (server_out, output) = tokio::io::duplex(64 * 1024);
    let task = tokio::spawn(serve_io(make(), server_in, server_out));
    let mut reader = BufReader::new(output);
    let mut lines = Vec::new();
    for request in requests {
        input
            .write_all(format!("{request}\n").as_bytes())
            .await
            .unwrap();
        let mut line = String::new();
        tokio::time::timeout(READ_TIMEOUT, reader.read_line(&mut line))
            .await
            .unwrap()
            .unwrap();
        lines.push(line.strip_suffix('\n').unwrap().to_owned());
    }
    drop(input);
    task.await.unwrap().unwrap();

    let reference = make();
    let session = Session::new();
    let mut expected = Vec::new();
    for request in requests {
        let Message::Request(request) = Message::parse(&request.to_string()).unwrap() else {
            panic!("not a request: {request}");
        };
        let response = reference.handle_request(&session, request, None).await;
        expected.push(response.to_json());
    }
    (lines, expected)
}

/// Every `tools/list` page of both eras, twice (made, then kept), with numeric and string ids.
fn listing_requests(pages: usize) -> Vec<Value> {
    let mut requests = vec![
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}),
    ];
    let mut id = 1;
    for round in 0..2 {
        for era_modern in [false, true] {
            for page in 0..pages {
                id += 1;
                let mut params = json!({});
                if page > 0 {
                    params["cursor"] = json!(mcp_messages::encode_cursor(page * 100));
                }
                if era_modern {
                    params = modern(params);
                }
                let id_value = if round == 0 {
                    json!(id)
                } else {
                    json!(format!("list \"{id}\""))
                };
                requests.push(json!({"jsonrpc": "2.0", "id": id_value, "method": "tools/list", "params": params}));
            }
        }
    }
    requests
}

#[tokio::test]
async fn tools_list_pages_are_byte_identical_to_the_message_path() {
    let mock = MockServer::start().await;
    let make = || {
        service(
            Options {
                page_size: Some(100),
                ..Options::default()
            },
            &mock,
        )
    };
    let pages = make().tool_names().len().div_ceil(100);
    assert!(pages > 1, "the catalogue should need several pages");
    let mut requests = listing_requests(pages);
    // A cursor that does not start a page is served too, just not kept.
    requests.push(json!({"jsonrpc": "2.0", "id": 9000, "method": "tools/list",
        "params": {"cursor": mcp_messages::encode_cursor(150)}}));
    // And an invalid one is an error response.
    requests.push(json!({"jsonrpc": "2.0", "id": 9001, "method": "tools/list",
        "params": {"cursor": "nope"}}));
    let (lines, expected) = lines_and_expected(&requests, make).await;
    assert_eq!(lines.len(), expected.len());
    for (index, (line, expected)) in lines.iter().zip(&expected).enumerate() {
        assert!(
            line == expected,
            "answer {index} differs:\n{line}\n{expected}"
        );
    }
    assert!(lines[1].contains("\"nextCursor\""));
    assert!(lines.last().unwrap().contains("\"error\""));
}

#[tokio::test]
async fn call_and_error_answers_are_byte_identical_to_the_message_path() {
    let mock = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/changes/7"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "change": {"id": 7, "subject": "Ünïcode \"quoted\" \u{1F600}", "ratio": 0.1, "empty": null}
        })))
        .mount(&mock)
        .await;
    let make = || service(Options::default(), &mock);
    let requests = vec![
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}),
        json!({"jsonrpc": "2.0", "id": "a\u{e9}\n", "method": "ping"}),
        json!({"jsonrpc": "2.0", "id": -3, "method": "tools/call", "params": {
            "name": "get_single_freshservice_change_by_id", "arguments": {"change_id": 7}}}),
        json!({"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": {
            "name": "get_single_freshservice_change_by_id", "arguments": {"change_id": "x/y", "bogus": 1}}}),
        json!({"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": {"name": "no_such_tool"}}),
        json!({"jsonrpc": "2.0", "id": 6, "method": "no/such/method"}),
        json!({"jsonrpc": "2.0", "id": 7, "method": "resources/list", "params": modern(json!({}))}),
    ];
    let (lines, expected) = lines_and_expected(&requests, make).await;
    assert_eq!(lines, expected);
    assert!(lines[2].contains("\"structuredContent\""), "{}", lines[2]);
    assert!(lines[3].contains("\"isError\":true"), "{}", lines[3]);
}
