//! `tools/list` pagination: small pages, stable cursors, bogus cursors refused.

use std::collections::HashSet;

use serde_json::{Value, json};

use crate::harness::{Options, Server, all_tool_names, modern};

/// Follows `nextCursor` from the first page to the last and returns the tool names in order.
async fn walk(server: &mut Server, page_size: usize, modern_era: bool) -> Vec<String> {
    let mut names = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..1000 {
        let mut params = match &cursor {
            Some(cursor) => json!({"cursor": cursor}),
            None => json!({}),
        };
        if modern_era {
            params = modern(params);
        }
        let page = server.result("tools/list", params).await;
        let tools = page["tools"].as_array().unwrap();
        assert!(!tools.is_empty(), "empty page: {page}");
        assert!(tools.len() <= page_size, "page larger than {page_size}");
        names.extend(
            tools
                .iter()
                .map(|tool| tool["name"].as_str().unwrap().to_owned()),
        );
        match &page["nextCursor"] {
            Value::String(next) => cursor = Some(next.clone()),
            Value::Null => return names,
            other => panic!("nextCursor must be a string: {other}"),
        }
    }
    panic!("nextCursor never ended");
}

#[tokio::test]
async fn following_next_cursor_yields_every_tool_once_in_a_stable_order() {
    let expected = all_tool_names();
    assert!(expected.len() > 6, "the test needs several pages");
    let unique: HashSet<&String> = expected.iter().collect();
    assert_eq!(unique.len(), expected.len(), "duplicate tool names");
    let options = Options {
        page_size: Some(3),
        ..Options::default()
    };
    let mut server = Server::start_with(options).await;
    server.initialize("2025-11-25").await;
    let legacy = walk(&mut server, 3, false).await;
    assert_eq!(legacy, expected);
    assert_eq!(walk(&mut server, 3, false).await, legacy, "order changed");
    assert_eq!(
        walk(&mut server, 3, true).await,
        legacy,
        "modern order differs"
    );
    server.close().await;
}

#[tokio::test]
async fn the_default_page_holds_the_first_hundred_tools() {
    let expected = all_tool_names();
    let mut server = Server::initialized().await;
    let page = server.result("tools/list", json!({})).await;
    let names: Vec<&str> = page["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|tool| tool["name"].as_str().unwrap())
        .collect();
    let size = expected.len().min(100);
    assert_eq!(names, expected[..size]);
    assert_eq!(
        page.get("nextCursor").is_some(),
        expected.len() > size,
        "{}",
        page["nextCursor"]
    );
    for tool in page["tools"].as_array().unwrap() {
        assert_eq!(tool["inputSchema"]["type"], "object", "{tool}");
        assert!(tool["description"].is_string(), "{tool}");
    }
    server.close().await;
}

#[tokio::test]
async fn bogus_cursors_are_invalid_params() {
    let options = Options {
        page_size: Some(3),
        ..Options::default()
    };
    let mut server = Server::start_with(options).await;
    server.initialize("2025-11-25").await;
    let first = server.result("tools/list", json!({})).await;
    let valid = first["nextCursor"].as_str().unwrap().to_owned();
    let past_end = "c1.ffff".to_owned();
    for cursor in [
        "bogus".to_owned(),
        String::new(),
        format!("{valid}x"),
        format!("x{valid}"),
        past_end,
        "c1.-1".to_owned(),
    ] {
        let error = server.error("tools/list", json!({"cursor": cursor})).await;
        assert_eq!(error["code"], -32602, "{cursor:?}: {error}");
        assert!(
            error["message"].as_str().unwrap().contains("cursor"),
            "{error}"
        );
    }
    // The valid cursor still works after the refusals.
    server.result("tools/list", json!({"cursor": valid})).await;
    server.close().await;
}
