//! Every catalogue operation, called with minimal schema-valid arguments, gets an answer that is neither a 404
//! nor a server error.

use freshservice_sandbox::Sandbox;
use freshservice_schema::{Operation, ParamLocation};
use serde_json::{Map, Value, json};

use crate::support::Api;

/// An existing key for a path placeholder, so that operations on seeded records find them.
fn placeholder_value(name: &str) -> i64 {
    match name {
        "display_id" => 101,
        "requester_id" => 101,
        "workspace_id" => 2,
        _ => 1,
    }
}

/// A minimal value the schema accepts.
fn sample(name: &str, schema: &Value) -> Value {
    if let Some(first) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|values| values.first())
    {
        return first.clone();
    }
    let minimum = schema
        .get("minimum")
        .and_then(Value::as_i64)
        .unwrap_or(1)
        .max(1);
    match schema.get("type").and_then(Value::as_str) {
        Some("integer") if name.ends_with("_id") => json!(placeholder_value(name).max(minimum)),
        Some("integer") => json!(minimum),
        Some("number") => json!(1),
        Some("boolean") => json!(false),
        Some("string") => match schema.get("format").and_then(Value::as_str) {
            Some("date-time") => json!("2025-03-12T10:00:00Z"),
            Some("date") => json!("2025-03-12"),
            Some("email") => json!("someone@example.com"),
            _ if name == "query" || name == "filter" => json!("created_at:>'2000-01-01'"),
            _ if name == "ids" => json!("1"),
            _ => json!("sample"),
        },
        Some("array") => match schema.get("items") {
            Some(items) if schema.get("minItems").is_some() => json!([sample(name, items)]),
            _ => json!([]),
        },
        Some("object") => {
            let mut object = Map::new();
            let properties = schema.get("properties").and_then(Value::as_object);
            for required in schema
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                if let Some(property) = properties.and_then(|properties| properties.get(required)) {
                    object.insert(required.to_owned(), sample(required, property));
                }
            }
            Value::Object(object)
        }
        _ => json!("sample"),
    }
}

fn minimal_arguments(operation: &Operation) -> Value {
    let mut arguments = Map::new();
    for param in operation.params.iter().filter(|param| param.required) {
        let integer = param.schema.get("type").and_then(Value::as_str) == Some("integer");
        let value = if param.location == ParamLocation::Path && integer {
            json!(placeholder_value(&param.name))
        } else {
            sample(&param.name, &param.schema)
        };
        arguments.insert(param.name.clone(), value);
    }
    Value::Object(arguments)
}

fn router(operation: &Operation) -> arg_router::Operation {
    operation.router().unwrap()
}

async fn call(api: &Api, operation: &Operation) -> (u16, Value, String) {
    let arguments = minimal_arguments(operation);
    let routed = router(operation).route(&arguments).unwrap_or_else(|error| {
        panic!(
            "{}: arguments {arguments} do not fit the schema: {error}",
            operation.name
        )
    });
    let target = routed.path_and_query();
    let answer = api
        .send(routed.method.clone(), &target, routed.body.clone())
        .await;
    (
        answer.status,
        answer.body,
        format!("{} {target}", routed.method),
    )
}

#[tokio::test]
async fn every_catalogue_operation_answers() {
    let operations = freshservice_schema::catalog().operations();
    assert!(!operations.is_empty());
    let shared = Sandbox::builder()
        .rate_limit_per_minute(1_000_000)
        .start()
        .await;
    let shared_api = Api::new(&shared);
    let mut successes = 0;
    let mut report = Vec::new();
    // Deletes run on a sandbox of their own so they cannot remove records later operations read.
    let destructive = |operation: &&Operation| {
        operation.method == http::Method::DELETE
            || operation.name.contains("delete")
            || operation.name.contains("forget")
    };
    for operation in operations
        .iter()
        .filter(|operation| !destructive(operation))
    {
        let (status, body, target) = call(&shared_api, operation).await;
        report.push((operation.name.clone(), status, body, target));
    }
    for operation in operations.iter().filter(destructive) {
        let own = Sandbox::builder()
            .rate_limit_per_minute(1_000_000)
            .start()
            .await;
        let (status, body, target) = call(&Api::new(&own), operation).await;
        report.push((operation.name.clone(), status, body, target));
    }
    let mut failures = Vec::new();
    for (name, status, body, target) in &report {
        if (200..300).contains(status) {
            successes += 1;
        } else if *status == 404 || *status >= 500 {
            failures.push(format!("{name}: {target} -> {status} {body}"));
        } else if *status == 400 {
            assert_eq!(
                body["description"], "Validation failed",
                "{name}: a 400 carries a validation body"
            );
        }
    }
    assert!(
        failures.is_empty(),
        "{} operations failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        successes * 10 >= report.len() * 9,
        "only {successes} of {} operations succeeded with minimal arguments:\n{}",
        report.len(),
        report
            .iter()
            .filter(|(_, status, _, _)| !(200..300).contains(status))
            .map(|(name, status, body, target)| format!("{name}: {target} -> {status} {body}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}
