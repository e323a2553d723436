//! Operations that cannot be built, and why.

use arg_router::{Error, Operation, ParamSpec};
use http::Method;
use serde_json::{Value, json};

fn check(template: &str, params: Vec<ParamSpec>, schema: Value, expected: Option<&str>) {
    let outcome = Operation::new(Method::GET, template, params, schema);
    match (outcome, expected) {
        (Ok(_), None) => {}
        (Err(Error::InvalidOperation { reason }), Some(fragment)) => {
            assert!(
                reason.contains(fragment),
                "{template}: {reason:?} lacks {fragment:?}"
            )
        }
        (outcome, expected) => panic!("{template}: got {outcome:?}, expected {expected:?}"),
    }
}

fn object() -> Value {
    json!({"type": "object"})
}

#[test]
fn construction_checks() {
    check("/a/{id}", vec![ParamSpec::path("id")], object(), None);
    check(
        "/a/{id}",
        vec![],
        object(),
        Some("placeholder {id} but no path parameter"),
    );
    check(
        "/a/{id}",
        vec![ParamSpec::query("id")],
        object(),
        Some("placeholder {id} but no path parameter"),
    );
    check(
        "/a",
        vec![ParamSpec::path("id")],
        object(),
        Some("path parameter \"id\" has no placeholder {id}"),
    );
    check(
        "/a/{id}",
        vec![ParamSpec::path("ticket_id")],
        object(),
        Some("no path parameter"),
    );
    check(
        "/a/{id}",
        vec![ParamSpec::path("ticket_id").with_wire_name("id")],
        object(),
        None,
    );
    check(
        "/a",
        vec![ParamSpec::query("x"), ParamSpec::body("x")],
        object(),
        Some("declared twice"),
    );
    check(
        "/a",
        vec![
            ParamSpec::query("x"),
            ParamSpec::query("y").with_wire_name("x"),
        ],
        object(),
        Some("reuses wire name"),
    );
    check(
        "/a",
        vec![
            ParamSpec::query("x"),
            ParamSpec::body("y").with_wire_name("x"),
        ],
        object(),
        None,
    );
    check(
        "/a",
        vec![ParamSpec::query("")],
        object(),
        Some("empty name"),
    );
    check(
        "/a",
        vec![ParamSpec::query("x").with_wire_name("")],
        object(),
        Some("empty wire name"),
    );
    check("a", vec![], object(), Some("must start with '/'"));
    check("/a/{id", vec![], object(), Some("unclosed"));
}

#[test]
fn schema_checks() {
    check("/a", vec![], json!(true), Some("must be a JSON object"));
    check("/a", vec![], json!({}), Some("\"type\": \"object\""));
    check(
        "/a",
        vec![],
        json!({"type": "array"}),
        Some("\"type\": \"object\""),
    );
    check(
        "/a",
        vec![],
        json!({"type": "object", "properties": []}),
        Some("\"properties\" must be an object"),
    );
    check(
        "/a",
        vec![ParamSpec::query("x")],
        json!({"type": "object", "properties": {"x": {}, "y": {}}}),
        Some("property \"y\" has no parameter"),
    );
    check(
        "/a",
        vec![ParamSpec::query("x")],
        json!({"type": "object", "properties": {"x": {"type": 12}}}),
        Some("not a valid JSON Schema"),
    );
    check(
        "/a",
        vec![ParamSpec::query("x")],
        json!({"type": "object", "properties": {"x": {"pattern": "("}}}),
        Some("not a valid JSON Schema"),
    );
    check(
        "/a",
        vec![ParamSpec::query("x")],
        json!({"type": "object", "properties": {"x": {"$ref": "https://example.com/x.json"}}}),
        Some("not a valid JSON Schema"),
    );
    check(
        "/a",
        vec![ParamSpec::query("x"), ParamSpec::query("y")],
        json!({"type": "object", "properties": {"x": {}}, "additionalProperties": false}),
        Some("parameter \"y\" is not under the input schema's \"properties\""),
    );
    check(
        "/a",
        vec![ParamSpec::query("y")],
        json!({"type": "object", "unevaluatedProperties": false}),
        Some("parameter \"y\" is not under"),
    );
    check(
        "/a",
        vec![],
        json!({"type": "object", "$ref": "#/$defs/missing"}),
        Some("not a valid JSON Schema"),
    );
    check(
        "/a",
        vec![],
        json!({"type": "object", "$schema": "https://example.com/custom-dialect"}),
        Some("not a valid JSON Schema"),
    );
    check(
        "/a",
        vec![ParamSpec::query("x")],
        json!({
            "type": "object",
            "$defs": {"id": {"type": "integer"}},
            "properties": {"x": {"$ref": "#/$defs/id"}}
        }),
        None,
    );
}

#[test]
fn draft_2020_12_is_the_default_and_schema_is_honoured() {
    let schema = |dialect: Option<&str>| {
        let mut schema = json!({
            "type": "object",
            "properties": {"pair": {"prefixItems": [{"type": "integer"}]}}
        });
        if let Some(dialect) = dialect {
            schema["$schema"] = json!(dialect);
        }
        schema
    };
    let default = Operation::new(
        Method::POST,
        "/p",
        vec![ParamSpec::body("pair")],
        schema(None),
    )
    .unwrap();
    assert!(default.validate(&json!({"pair": ["a"]})).is_err());
    let draft7 = Operation::new(
        Method::POST,
        "/p",
        vec![ParamSpec::body("pair")],
        schema(Some("http://json-schema.org/draft-07/schema#")),
    )
    .unwrap();
    assert!(draft7.validate(&json!({"pair": ["a"]})).is_ok());
}

#[test]
fn accessors_return_what_was_given() {
    let schema = json!({"type": "object", "properties": {"id": {"type": "integer"}}});
    let op = Operation::new(
        Method::DELETE,
        "/x/{id}",
        vec![ParamSpec::path("id")],
        schema.clone(),
    )
    .unwrap();
    assert_eq!(op.method(), &Method::DELETE);
    assert_eq!(op.path_template(), "/x/{id}");
    assert_eq!(op.params().len(), 1);
    assert_eq!(op.params()[0].name, "id");
    assert_eq!(op.input_schema(), &schema);
    let debug = format!("{op:?}");
    assert!(debug.contains("/x/{id}"), "{debug}");
}
