//! Rejected arguments: every problem is reported, with its pointer and what was expected.

use arg_router::{Error, Operation, ParamSpec};
use http::Method;
use serde_json::json;

use crate::{change_note, check, item_get, ticket_filter, ticket_update};

#[test]
fn wrong_types_and_missing_arguments() {
    let note = change_note();
    check(
        &note,
        json!({"change_id": "abc", "body": "x"}),
        "error:\n/change_id: \"abc\" is not of type \"integer\"",
    );
    check(
        &note,
        json!({"change_id": 1}),
        "error:\narguments: missing required argument \"body\"",
    );
    check(
        &note,
        json!({"change_id": 1, "body": "x", "notify_emails": ["a", 2]}),
        "error:\n/notify_emails/1: 2 is not of type \"string\"",
    );
    check(
        &ticket_filter(),
        json!({"query": "x", "page": 0}),
        "error:\n/page: 0 is less than the minimum of 1",
    );
}

#[test]
fn nested_problems_carry_their_pointer() {
    check(
        &ticket_update(),
        json!({"ticket_id": 1, "assets": [{"display_id": 1}, {"display_id": "two"}, {}]}),
        "error:\n/assets/1/display_id: \"two\" is not of type \"integer\"\n/assets/2: missing required property \"display_id\"",
    );
}

#[test]
fn unknown_arguments_list_the_known_ones() {
    check(
        &change_note(),
        json!({"change_id": 1, "body": "x", "bogus": 1}),
        "error:\n/bogus: unknown argument \"bogus\"; known arguments: \"body\", \"change_id\", \"notify_emails\"",
    );
    // With additionalProperties false the schema's own complaint would only repeat ours.
    check(
        &ticket_update(),
        json!({"ticket_id": 1, "a/b": 1, "zz": 2}),
        "error:\n/a~1b: unknown argument \"a/b\"; known arguments: \"assets\", \"bypass_mandatory\", \"custom_fields\", \"subject\", \"ticket_id\"\n/zz: unknown argument \"zz\"; known arguments: \"assets\", \"bypass_mandatory\", \"custom_fields\", \"subject\", \"ticket_id\"",
    );
    let none = Operation::new(Method::GET, "/ping", vec![], json!({"type": "object"})).unwrap();
    check(
        &none,
        json!({"x": 1}),
        "error:\n/x: unknown argument \"x\"; this operation takes no arguments",
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    check(
        &ticket_update(),
        json!({"ticket_id": "1", "subject": "", "assets": [{"display_id": null}], "custom_fields": [], "extra": true}),
        "error:\n\
         /assets/0/display_id: null is not of type \"integer\"\n\
         /custom_fields: [] is not of type \"object\"\n\
         /extra: unknown argument \"extra\"; known arguments: \"assets\", \"bypass_mandatory\", \"custom_fields\", \"subject\", \"ticket_id\"\n\
         /subject: \"\" is shorter than 1 character\n\
         /ticket_id: \"1\" is not of type \"integer\"",
    );
    check(
        &change_note(),
        json!({"notify_emails": "a"}),
        "error:\n\
         arguments: missing required argument \"body\"\n\
         arguments: missing required argument \"change_id\"\n\
         /notify_emails: \"a\" is not of type \"array\"",
    );
}

#[test]
fn non_object_arguments_are_one_root_problem() {
    let note = change_note();
    for (arguments, found) in [
        (json!([1]), "an array"),
        (json!("x"), "a string"),
        (json!(3), "a number"),
        (json!(false), "a boolean"),
    ] {
        check(
            &note,
            arguments,
            &format!("error:\narguments: must be a JSON object of arguments, not {found}"),
        );
    }
}

#[test]
fn bad_path_values_are_refused_even_if_the_schema_allows_them() {
    let get = item_get();
    for id in ["", ".", ".."] {
        check(
            &get,
            json!({ "item_id": id }),
            "error:\n/item_id: must not be empty or a dot segment",
        );
    }
    let loose = Operation::new(
        Method::DELETE,
        "/things/{id}",
        vec![ParamSpec::path("id")],
        json!({"type": "object"}),
    )
    .unwrap();
    for (value, found) in [
        (json!(null), "null"),
        (json!({"a": 1}), "an object"),
        (json!([1]), "an array"),
    ] {
        check(
            &loose,
            json!({ "id": value }),
            &format!(
                "error:\n/id: must be a string, number or boolean to fill path placeholder {{id}}, not {found}"
            ),
        );
    }
    // Path parameters are required even when the schema forgets to say so.
    check(
        &loose,
        json!({}),
        "error:\narguments: missing required argument \"id\"",
    );
}

#[test]
fn schema_problems_are_not_repeated_by_routing() {
    // The schema already rejects the object; routing must not add a second line for it.
    check(
        &item_get(),
        json!({"item_id": {"a": 1}}),
        "error:\n/item_id: {\"a\":1} is not of types \"boolean\", \"integer\", \"string\"",
    );
}

#[test]
fn huge_values_are_not_echoed() {
    let long = "x".repeat(500);
    let error = change_note()
        .route(&json!({"change_id": long, "body": "b"}))
        .unwrap_err();
    let Error::InvalidArguments { problems } = &error else {
        panic!("unexpected error {error:?}");
    };
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].pointer, "/change_id");
    assert_eq!(problems[0].message, "value is not of type \"integer\"");
}

#[test]
fn odd_arguments_never_panic() {
    let operations = [change_note(), ticket_filter(), ticket_update(), item_get()];
    let odd = [
        json!(null),
        json!(""),
        json!(-0.0),
        json!(u64::MAX),
        json!(i64::MIN),
        json!([]),
        json!([[[]]]),
        json!({"": {"~": "/"}}),
        json!("\u{0}\u{ffff}"),
        json!("%"),
    ];
    for operation in &operations {
        for value in &odd {
            for name in operation
                .params()
                .iter()
                .map(|p| p.name.as_str())
                .chain(["", "~1", "/"])
            {
                // Either outcome is fine; what matters is that an error, if any, names a problem.
                if let Err(error) = operation.route(&json!({ name: value })) {
                    assert!(!error.problems().is_empty(), "{error:?}");
                }
            }
        }
    }
}
