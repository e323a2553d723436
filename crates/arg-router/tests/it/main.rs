//! Integration tests for `arg-router`: every test goes through the public API only.
//!
//! Each table row renders the outcome as text, `METHOD path?query` plus the body on a second
//! line, or the error's `Display` (one problem per line), and compares it with `check`.

mod construction;
mod problems;
mod routing;

use arg_router::{Operation, ParamSpec, QueryStyle};
use http::Method;
use serde_json::{Value, json};

/// Renders a routing outcome so a whole request or problem list is one comparable string.
fn render(operation: &Operation, arguments: &Value) -> String {
    match operation.route(arguments) {
        Ok(request) => {
            let mut out = format!("{} {}", request.method, request.path_and_query());
            if let Some(body) = request.body {
                out.push('\n');
                out.push_str(&body.to_string());
            }
            assert!(
                operation.validate(arguments).is_ok(),
                "validate must agree with route"
            );
            out
        }
        Err(error) => {
            let validated = operation.validate(arguments).unwrap_err();
            assert_eq!(
                validated.problems(),
                error.problems(),
                "validate must report what route reports"
            );
            format!("error:\n{error}")
        }
    }
}

fn check(operation: &Operation, arguments: Value, expected: &str) {
    assert_eq!(
        render(operation, &arguments),
        expected,
        "arguments: {arguments}"
    );
}

/// POST with a path id and body fields.
fn change_note() -> Operation {
    Operation::new(
        Method::POST,
        "/api/v2/changes/{change_id}/notes",
        vec![
            ParamSpec::path("change_id"),
            ParamSpec::body("body"),
            ParamSpec::body("notify_emails"),
        ],
        json!({
            "type": "object",
            "properties": {
                "change_id": {"type": "integer"},
                "body": {"type": "string"},
                "notify_emails": {"type": "array", "items": {"type": "string"}}
            },
            "required": ["change_id", "body"]
        }),
    )
    .unwrap()
}

/// GET with query parameters only, one of them in the double-quoted query language style.
fn ticket_filter() -> Operation {
    Operation::new(
        Method::GET,
        "/api/v2/tickets/filter",
        vec![
            ParamSpec::query("query").with_query_style(QueryStyle::DoubleQuoted),
            ParamSpec::query("page"),
            ParamSpec::query("include"),
            ParamSpec::query("updated_since").with_wire_name("updated_since"),
            ParamSpec::query("archived"),
        ],
        json!({
            "type": "object",
            "properties": {
                "query": {"type": "string"},
                "page": {"type": "integer", "minimum": 1},
                "include": {"type": "array", "items": {"type": "string"}},
                "updated_since": {"type": ["string", "null"]},
                "archived": {"type": "boolean"}
            },
            "required": ["query"]
        }),
    )
    .unwrap()
}

/// PUT with a path id and nested body values that must pass through untouched.
fn ticket_update() -> Operation {
    Operation::new(
        Method::PUT,
        "/api/v2/tickets/{id}",
        vec![
            ParamSpec::path("ticket_id").with_wire_name("id"),
            ParamSpec::body("subject"),
            ParamSpec::body("assets"),
            ParamSpec::body("custom_fields"),
            ParamSpec::query("bypass_mandatory"),
        ],
        json!({
            "type": "object",
            "properties": {
                "ticket_id": {"type": "integer"},
                "subject": {"type": "string", "minLength": 1},
                "assets": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {"display_id": {"type": "integer"}},
                        "required": ["display_id"]
                    }
                },
                "custom_fields": {"type": "object"},
                "bypass_mandatory": {"type": "boolean"}
            },
            "required": ["ticket_id"],
            "additionalProperties": false
        }),
    )
    .unwrap()
}

/// GET with an unconstrained string id, to probe path encoding.
fn item_get() -> Operation {
    Operation::new(
        Method::GET,
        "/api/v2/items/{item_id}/details",
        vec![ParamSpec::path("item_id")],
        json!({
            "type": "object",
            "properties": {"item_id": {"type": ["string", "integer", "boolean"]}},
            "required": ["item_id"]
        }),
    )
    .unwrap()
}
