//! Successful routing: where each argument lands and how it is encoded.

use arg_router::{Operation, ParamSpec, QueryStyle, RoutedRequest};
use http::Method;
use serde_json::json;

use crate::{change_note, check, item_get, ticket_filter, ticket_update};

#[test]
fn path_query_and_body() {
    let note = change_note();
    check(
        &note,
        json!({"change_id": 42, "body": "<p>done</p>"}),
        "POST /api/v2/changes/42/notes\n{\"body\":\"<p>done</p>\"}",
    );
    check(
        &note,
        json!({"change_id": 7, "body": "x", "notify_emails": ["a@example.com"]}),
        "POST /api/v2/changes/7/notes\n{\"body\":\"x\",\"notify_emails\":[\"a@example.com\"]}",
    );

    let filter = ticket_filter();
    check(
        &filter,
        json!({"query": "priority:3 AND status:2"}),
        "GET /api/v2/tickets/filter?query=%22priority%3A3%20AND%20status%3A2%22",
    );
    check(
        &filter,
        json!({"query": "\"priority:3\"", "page": 2, "include": ["stats", "requester"], "archived": false}),
        "GET /api/v2/tickets/filter?query=%22priority%3A3%22&page=2&include=stats%2Crequester&archived=false",
    );
    check(
        &filter,
        json!({"query": "x", "updated_since": null, "include": []}),
        "GET /api/v2/tickets/filter?query=%22x%22",
    );

    let update = ticket_update();
    check(
        &update,
        json!({"ticket_id": 5, "assets": [{"display_id": 1}, {"display_id": 2, "extra": {"k": [1, null]}}]}),
        "PUT /api/v2/tickets/5\n{\"assets\":[{\"display_id\":1},{\"display_id\":2,\"extra\":{\"k\":[1,null]}}]}",
    );
    check(
        &update,
        json!({"ticket_id": 5, "custom_fields": {"cf_team": "ops", "cf_n": 1.5}, "bypass_mandatory": true}),
        "PUT /api/v2/tickets/5?bypass_mandatory=true\n{\"custom_fields\":{\"cf_team\":\"ops\",\"cf_n\":1.5}}",
    );
    check(
        &update,
        json!({"ticket_id": 9}),
        "PUT /api/v2/tickets/9\n{}",
    );
}

#[test]
fn routed_request_fields() {
    let request = change_note()
        .route(&json!({"change_id": 3, "body": "b"}))
        .unwrap();
    assert_eq!(request.method, Method::POST);
    assert_eq!(request.path, "/api/v2/changes/3/notes");
    assert!(request.query.is_empty());
    assert_eq!(request.body, Some(json!({"body": "b"})));

    let request = ticket_filter()
        .route(&json!({"query": "a b", "page": 3}))
        .unwrap();
    assert_eq!(
        request.query,
        vec![
            ("query".to_owned(), "\"a b\"".to_owned()),
            ("page".to_owned(), "3".to_owned())
        ]
    );
    assert_eq!(request.body, None);
}

#[test]
fn null_arguments_count_as_empty() {
    let list = Operation::new(
        Method::GET,
        "/api/v2/agents",
        vec![ParamSpec::query("page")],
        json!({"type": "object", "properties": {"page": {"type": "integer"}}}),
    )
    .unwrap();
    check(&list, json!(null), "GET /api/v2/agents");
    check(&list, json!({}), "GET /api/v2/agents");
}

#[test]
fn path_values_stay_in_one_segment() {
    let get = item_get();
    for (id, expected) in [
        (json!("../admin"), "GET /api/v2/items/..%2Fadmin/details"),
        (json!("1/2"), "GET /api/v2/items/1%2F2/details"),
        (json!("%2e%2e"), "GET /api/v2/items/%252e%252e/details"),
        (json!("..%2f"), "GET /api/v2/items/..%252f/details"),
        (json!("a b"), "GET /api/v2/items/a%20b/details"),
        (json!("x?y=1#z"), "GET /api/v2/items/x%3Fy%3D1%23z/details"),
        (json!("..."), "GET /api/v2/items/%2E%2E%2E/details"),
        (
            json!("naïve/日本"),
            "GET /api/v2/items/na%C3%AFve%2F%E6%97%A5%E6%9C%AC/details",
        ),
        (json!(17), "GET /api/v2/items/17/details"),
        (json!(true), "GET /api/v2/items/true/details"),
    ] {
        check(&get, json!({ "item_id": id }), expected);
    }
}

#[test]
fn double_quoted_style_accepts_prequoted_input() {
    let op = Operation::new(
        Method::GET,
        "/search",
        vec![
            ParamSpec::query("q")
                .with_wire_name("query")
                .with_query_style(QueryStyle::DoubleQuoted),
        ],
        json!({"type": "object", "properties": {"q": {}}}),
    )
    .unwrap();
    for (q, expected) in [
        (json!("status:2"), "GET /search?query=%22status%3A2%22"),
        (json!("\"status:2\""), "GET /search?query=%22status%3A2%22"),
        (
            json!("name:'a b'"),
            "GET /search?query=%22name%3A%27a%20b%27%22",
        ),
        (json!(3), "GET /search?query=%223%22"),
        (
            json!(["a", 1, true]),
            "GET /search?query=%22a%2C1%2Ctrue%22",
        ),
    ] {
        check(&op, json!({ "q": q }), expected);
    }
}

#[test]
fn query_objects_only_when_the_schema_says_object() {
    let op = Operation::new(
        Method::GET,
        "/things",
        vec![ParamSpec::query("filter"), ParamSpec::query("loose")],
        json!({
            "type": "object",
            "properties": {"filter": {"type": ["object", "null"]}, "loose": {}}
        }),
    )
    .unwrap();
    check(
        &op,
        json!({"filter": {"a": 1}}),
        "GET /things?filter=%7B%22a%22%3A1%7D",
    );
    check(
        &op,
        json!({"loose": {"a": 1}}),
        "error:\n/loose: must be a string, number, boolean or list of those to go in the query, not an object",
    );
    check(
        &op,
        json!({"loose": [1, {"a": 1}, [2]]}),
        "error:\n/loose/1: query list items must be strings, numbers or booleans, not an object\n/loose/2: query list items must be strings, numbers or booleans, not an array",
    );
}

#[test]
fn operation_is_send_sync_and_reusable() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Operation>();
    assert_send_sync::<RoutedRequest>();

    let note = change_note();
    for id in 1..=3 {
        let request = note.route(&json!({"change_id": id, "body": "b"})).unwrap();
        assert_eq!(request.path, format!("/api/v2/changes/{id}/notes"));
    }
}
