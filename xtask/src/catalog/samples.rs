//! Documented sample requests as flat tool arguments, and the check that they route back to the same request.

use serde_json::{Map, Value, json};

use super::derive::path_fits;
use super::overrides::SampleFix;
use super::records::Sample;

/// A sample ready for the fixtures file, or why it cannot be one.
pub(crate) enum Outcome {
    Fixture(Value),
    /// A multipart upload: tools send JSON only, so there is nothing to check.
    Multipart,
    Skipped(String),
    Problem(String),
}

/// Whether a sample belongs to an operation given its key (`?key=value` or `?key=` suffix).
pub(crate) fn claims(key: &str, sample: &Sample) -> bool {
    let Some((_, query)) = key.split_once('?') else {
        return true;
    };
    let (name, value) = query.split_once('=').unwrap_or((query, ""));
    sample.curl.query().iter().any(|(k, v)| {
        k == name
            && if value.is_empty() {
                v.starts_with('"') && v.ends_with('"') && v.len() >= 2
            } else {
                v == value
            }
    })
}

/// Turn a sample into flat arguments plus the documented request, and check that routing reproduces it.
pub(crate) fn convert(
    operation: &freshservice_schema::Operation,
    sample: &Sample,
    fix: &SampleFix,
) -> Outcome {
    if let Some(reason) = &fix.skip {
        return Outcome::Skipped(reason.clone());
    }
    if let Some((_, reason)) = fix.skip_matching.iter().find(|(part, _)| {
        sample.curl.url.contains(part.as_str())
            || sample
                .curl
                .body
                .as_deref()
                .is_some_and(|body| body.contains(part.as_str()))
    }) {
        return Outcome::Skipped(reason.clone());
    }
    if sample.curl.multipart {
        return Outcome::Multipart;
    }
    let Some(path) = sample.curl.path() else {
        return Outcome::Problem(format!(
            "sample URL `{}` has no /api/v2 path",
            sample.curl.url
        ));
    };
    let path = path.trim_end_matches('/').to_owned();
    let Some(path_values) = path_fits(&operation.path, &path) else {
        return Outcome::Problem(format!(
            "sample path `{path}` does not fit `{}`",
            operation.path
        ));
    };
    let mut arguments = Map::new();
    for (name, value) in path_values {
        let schema = operation.param(&name).map(|param| &param.schema);
        arguments.insert(name, typed_value(&value, schema, false));
    }
    let query = sample.curl.query();
    for (key, value) in &query {
        let param = operation.params.iter().find(|param| {
            param.name == *key && param.location == freshservice_schema::ParamLocation::Query
        });
        let value = match param {
            Some(param) => {
                let raw = if param.quoted {
                    value
                        .strip_prefix('"')
                        .and_then(|v| v.strip_suffix('"'))
                        .unwrap_or(value)
                } else {
                    value.as_str()
                };
                typed_value(raw, Some(&param.schema), true)
            }
            None => Value::String(value.clone()),
        };
        if arguments.insert(key.clone(), value).is_some() {
            return Outcome::Problem(format!(
                "query key `{key}` repeats or clashes with a path parameter"
            ));
        }
    }
    let mut body = match &sample.curl.body {
        Some(text) => match serde_json::from_str::<Value>(text) {
            Ok(value) => Some(value),
            Err(error) => {
                return match &fix.invalid_json {
                    Some(reason) => Outcome::Skipped(reason.clone()),
                    None => Outcome::Problem(format!("sample body is not JSON: {error}")),
                };
            }
        },
        None => None,
    };
    if let (Some(key), Some(Value::Object(map))) = (&fix.unwrap, &body)
        && let Some(inner) = map.get(key)
    {
        body = Some(inner.clone());
    }
    if let Some(Value::Object(map)) = &mut body {
        for key in fix.drop.keys() {
            map.remove(key);
        }
    }
    match &body {
        Some(Value::Object(map)) => {
            for (key, value) in map {
                if arguments.insert(key.clone(), value.clone()).is_some() {
                    return Outcome::Problem(format!(
                        "body key `{key}` clashes with a path or query argument"
                    ));
                }
            }
        }
        Some(_) => return Outcome::Problem("sample body is not a JSON object".to_owned()),
        None => {}
    }
    let arguments = Value::Object(arguments);
    let query_pairs: Vec<Value> = query.iter().map(|(k, v)| json!([k, v])).collect();
    let fixture = json!({
        "arguments": arguments,
        "method": sample.curl.method,
        "path": path,
        "query": query_pairs,
        "body": body.clone().unwrap_or(Value::Null),
        "response": sample.response.clone().unwrap_or(Value::Null),
    });
    match check(operation, &fixture) {
        Ok(()) => Outcome::Fixture(fixture),
        Err(problem) => Outcome::Problem(problem),
    }
}

/// A path or query value as the schema wants it: numbers for integers, booleans, lists for arrays.
fn typed_value(text: &str, schema: Option<&Value>, query: bool) -> Value {
    let kind = schema
        .and_then(|schema| schema["type"].as_str())
        .unwrap_or("string");
    match kind {
        "integer" => text
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or_else(|_| text.into()),
        "number" => text
            .parse::<f64>()
            .map(Value::from)
            .unwrap_or_else(|_| text.into()),
        "boolean" => match text {
            "true" => true.into(),
            "false" => false.into(),
            _ => text.into(),
        },
        "array" if query => {
            let items = schema.map(|schema| &schema["items"]);
            Value::Array(
                text.split(',')
                    .map(|part| typed_value(part, items, false))
                    .collect(),
            )
        }
        _ => text.into(),
    }
}

/// Build the router the way the MCP service does and compare its request with the documented one.
pub(crate) fn check(
    operation: &freshservice_schema::Operation,
    fixture: &Value,
) -> Result<(), String> {
    let router = router(operation)?;
    let routed = router
        .route(&fixture["arguments"])
        .map_err(|error| format!("arguments do not validate: {error}"))?;
    if routed.method.as_str() != fixture["method"].as_str().unwrap_or_default() {
        return Err(format!(
            "method {} differs from the sample's",
            routed.method
        ));
    }
    if routed.path != fixture["path"].as_str().unwrap_or_default() {
        return Err(format!(
            "routed path {} differs from {}",
            routed.path, fixture["path"]
        ));
    }
    let mut expected: Vec<(String, String)> = fixture["query"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|pair| {
            (
                pair[0].as_str().unwrap_or_default().to_owned(),
                pair[1].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let mut actual = routed.query.clone();
    expected.sort();
    actual.sort();
    if expected != actual {
        return Err(format!("routed query {actual:?} differs from {expected:?}"));
    }
    let empty = json!({});
    let expected_body = if fixture["body"].is_null() {
        &empty
    } else {
        &fixture["body"]
    };
    let actual_body = routed.body.as_ref().unwrap_or(&empty);
    if expected_body != actual_body {
        return Err(format!(
            "routed body {actual_body} differs from {expected_body}"
        ));
    }
    Ok(())
}

/// The argument router for an operation, as `freshservice-mcp` builds it.
pub(crate) fn router(
    operation: &freshservice_schema::Operation,
) -> Result<arg_router::Operation, String> {
    operation
        .router()
        .map_err(|error| format!("the router refuses the operation: {error}"))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::catalog::records::Curl;

    fn operation() -> freshservice_schema::Catalog {
        let file = json!({"tag": "things", "operations": [{
        "name": "freshservice_things_filter", "title": "Filter things", "description": "Finds things.",
        "kind": "list", "method": "GET", "path": "/api/v2/things/{thing_id}/parts",
        "params": [
            {"name": "thing_id", "in": "path", "required": true, "type": "integer", "minimum": 1, "description": "ID"},
            {"name": "query", "in": "query", "required": true, "quoted": true, "type": "string", "description": "Q"},
            {"name": "ids", "in": "query", "type": "array", "items": {"type": "integer", "description": "One"}, "description": "IDs"}
        ]}]});
        freshservice_schema::Catalog::from_sources([("things.json", file.to_string().as_str())])
            .unwrap()
    }

    fn sample(url: &str, body: Option<&str>) -> Sample {
        Sample {
            curl: Curl {
                method: "GET".to_owned(),
                url: url.to_owned(),
                body: body.map(str::to_owned),
                multipart: false,
            },
            response: None,
        }
    }

    #[test]
    fn samples_become_arguments_that_route_back() {
        let catalog = operation();
        let op = &catalog.operations()[0];
        let good = sample(
            "https://d/api/v2/things/7/parts?query=%22a:1%22&ids=1,2",
            None,
        );
        let Outcome::Fixture(fixture) = convert(op, &good, &SampleFix::default()) else {
            panic!("expected a fixture");
        };
        assert_eq!(
            fixture["arguments"],
            json!({"thing_id": 7, "query": "a:1", "ids": [1, 2]})
        );
        assert_eq!(fixture["path"], "/api/v2/things/7/parts");

        let wrong_path = sample("https://d/api/v2/thing/7/parts?query=%22a%22", None);
        assert!(
            matches!(convert(op, &wrong_path, &SampleFix::default()), Outcome::Problem(p) if p.contains("does not fit"))
        );
        let placeholder = sample("https://d/api/v2/things/[id]/parts?query=%22a%22", None);
        assert!(
            matches!(convert(op, &placeholder, &SampleFix::default()), Outcome::Problem(p) if p.contains("validate"))
        );
        let skipped = SampleFix {
            skip_matching: [("[id]".to_owned(), "placeholder".to_owned())].into(),
            ..SampleFix::default()
        };
        assert!(
            matches!(convert(op, &placeholder, &skipped), Outcome::Skipped(r) if r == "placeholder")
        );
    }

    #[test]
    fn keys_claim_their_samples() {
        let quoted = sample("https://d/api/v2/things?query=%22a%22", None);
        let plain = sample("https://d/api/v2/things?query=a", None);
        assert!(claims("GET /api/v2/things?query=", &quoted));
        assert!(!claims("GET /api/v2/things?query=", &plain));
        assert!(claims("GET /api/v2/things", &plain));
        let approve = sample("https://d/api/v2/things/1?operation=approve", None);
        assert!(claims(
            "PUT /api/v2/things/{id}?operation=approve",
            &approve
        ));
        assert!(!claims(
            "PUT /api/v2/things/{id}?operation=reject",
            &approve
        ));
    }
}
