//! The documented sample requests, turned into flat tool arguments by `cargo xtask catalog import`
//! (`fixtures/samples/<tag>.json` in this crate, whose responses the sandbox serves), must validate against
//! each tool's input schema in the catalogue and route to exactly the documented method, path, query and body.

use std::{collections::BTreeMap, fs, path::PathBuf};

use freshservice_schema::{Operation, catalog};
use serde_json::{Value, json};

fn samples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/samples")
}

/// Tag → operation name → samples.
fn fixtures() -> BTreeMap<String, BTreeMap<String, Vec<Value>>> {
    let mut all = BTreeMap::new();
    for entry in fs::read_dir(samples_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|ext| ext != "json") {
            continue;
        }
        let tag = path.file_stem().unwrap().to_str().unwrap().to_owned();
        let value: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        let operations = value
            .as_object()
            .unwrap()
            .iter()
            .map(|(name, samples)| (name.clone(), samples.as_array().unwrap().clone()))
            .collect();
        all.insert(tag, operations);
    }
    all
}

/// The router `freshservice-mcp` builds for an operation (see its registry).
fn router(operation: &Operation) -> arg_router::Operation {
    operation
        .router()
        .unwrap_or_else(|error| panic!("{}: {error}", operation.name))
}

/// Route one sample and compare with the documented request; `Err` says what differs.
fn check(operation: &Operation, sample: &Value) -> Result<(), String> {
    let routed = router(operation)
        .route(&sample["arguments"])
        .map_err(|error| format!("arguments do not validate: {error}"))?;
    if routed.method.as_str() != sample["method"] {
        return Err(format!(
            "method {} instead of {}",
            routed.method, sample["method"]
        ));
    }
    if routed.path != sample["path"] {
        return Err(format!(
            "path {} instead of {}",
            routed.path, sample["path"]
        ));
    }
    let mut expected: Vec<(String, String)> = sample["query"]
        .as_array()
        .unwrap()
        .iter()
        .map(|pair| {
            (
                pair[0].as_str().unwrap().to_owned(),
                pair[1].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let mut actual = routed.query.clone();
    expected.sort();
    actual.sort();
    if expected != actual {
        return Err(format!("query {actual:?} instead of {expected:?}"));
    }
    // A sample without a body and a routed empty object both send no fields.
    let expected_body = match &sample["body"] {
        Value::Null => json!({}),
        body => body.clone(),
    };
    let actual_body = routed.body.unwrap_or_else(|| json!({}));
    if actual_body != expected_body {
        return Err(format!("body {actual_body} instead of {expected_body}"));
    }
    Ok(())
}

#[test]
fn every_documented_sample_routes_to_the_documented_request() {
    let catalog = catalog();
    let mut failures = Vec::new();
    let mut operations = 0;
    let mut samples = 0;
    for (tag, by_name) in fixtures() {
        for (name, list) in by_name {
            let Some(operation) = catalog.get(&name) else {
                failures.push(format!("{tag}/{name}: no such operation"));
                continue;
            };
            assert_eq!(operation.tag, tag, "{name} is filed under the wrong tag");
            operations += 1;
            for (index, sample) in list.iter().enumerate() {
                samples += 1;
                if let Err(problem) = check(operation, sample) {
                    failures.push(format!("{name}[{index}]: {problem}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Most operations have a usable documented sample; an emptied fixtures folder must not pass.
    assert!(
        operations >= 380,
        "only {operations} operations have samples"
    );
    assert!(samples >= 500, "only {samples} samples");
}

#[test]
fn samples_can_fail() {
    let operation = catalog().get("update_a_freshservice_change_by_id").unwrap();
    let good = json!({
        "arguments": {"change_id": 7, "subject": "x"},
        "method": "PUT",
        "path": "/api/v2/changes/7",
        "query": [],
        "body": {"subject": "x"},
    });
    assert_eq!(check(operation, &good), Ok(()));
    for (field, value, expect) in [
        ("path", json!("/api/v2/changes/8"), "path"),
        ("method", json!("POST"), "method"),
        ("body", json!({"subject": "y"}), "body"),
        ("query", json!([["page", "1"]]), "query"),
        ("arguments", json!({"change_id": "seven"}), "validate"),
    ] {
        let mut bad = good.clone();
        bad[field] = value;
        let problem = check(operation, &bad).unwrap_err();
        assert!(problem.contains(expect), "{field}: {problem}");
    }
}
