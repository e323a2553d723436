//! The quality gate over the committed catalogue: every operation, every data file, every schema.

use std::{collections::BTreeSet, fs, path::PathBuf};

use freshservice_schema::{
    Catalog, OperationKind, ParamLocation, canonical_json, catalog, data_sources,
};
use serde_json::{Value, json};

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data")
}

/// The catalogue `*.json` files actually present in `data/` (the importer's `overrides.json` is not one).
fn data_files_on_disk() -> BTreeSet<String> {
    fs::read_dir(data_dir())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".json") && name != "overrides.json")
        .collect()
}

#[test]
fn every_operation_is_valid() {
    let catalog = catalog();
    assert!(!catalog.operations().is_empty());

    let findings: Vec<String> = catalog.findings().iter().map(ToString::to_string).collect();
    assert!(
        findings.is_empty(),
        "catalogue findings:\n{}",
        findings.join("\n")
    );

    let names: Vec<&str> = catalog
        .operations()
        .iter()
        .map(|op| op.name.as_str())
        .collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(
        names, sorted,
        "operations must be unique and sorted by name"
    );

    for operation in catalog.operations() {
        let name = &operation.name;
        assert!(
            std::ptr::eq(catalog.get(name).unwrap(), operation),
            "{name}: get() must find it"
        );
        assert_eq!(
            operation.is_read_only(),
            operation.method == http::Method::GET,
            "{name}"
        );

        let schema = operation.input_schema();
        let meta = jsonschema::draft202012::meta::validate(&schema);
        assert!(
            meta.is_ok(),
            "{name}: input schema is not valid 2020-12: {meta:?}"
        );
        assert!(jsonschema::meta::is_valid(&schema), "{name}");
        assert_eq!(schema["type"], "object", "{name}");
        assert_eq!(schema["additionalProperties"], false, "{name}");

        let property_names: Vec<&String> =
            schema["properties"].as_object().unwrap().keys().collect();
        let param_names: Vec<&String> = operation.params.iter().map(|param| &param.name).collect();
        assert_eq!(
            property_names, param_names,
            "{name}: properties must keep declaration order"
        );

        let required: Vec<&str> = schema["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|value| value.as_str().unwrap())
            .collect();
        let expected_required: Vec<&str> = operation
            .params
            .iter()
            .filter(|param| param.required)
            .map(|param| param.name.as_str())
            .collect();
        assert_eq!(required, expected_required, "{name}");

        for param in &operation.params {
            // Descriptions are optional where the name says it all (see `Catalog::findings`), but
            // never on coded enums, which name their codes, or on filter queries.
            if param.schema.get("description").is_some()
                || param.quoted
                || param.schema["enum"]
                    .as_array()
                    .is_some_and(|codes| codes.iter().all(Value::is_i64))
            {
                assert!(
                    !param.description().trim().is_empty(),
                    "{name}.{}",
                    param.name
                );
            }
            if param.location == ParamLocation::Path {
                assert!(param.required, "{name}.{}", param.name);
                if param.name == "module_name" {
                    // Project associations name the associated module in the path.
                    assert_eq!(param.schema["type"], "string", "{name}.{}", param.name);
                    assert!(param.schema["enum"].is_array(), "{name}.{}", param.name);
                } else {
                    assert_eq!(
                        param.schema["type"], "integer",
                        "{name}.{}: path ids are integers",
                        param.name
                    );
                    assert_eq!(param.schema["minimum"], 1, "{name}.{}", param.name);
                }
            }
        }
    }
}

#[test]
fn every_data_file_is_listed_in_sources() {
    let listed: BTreeSet<String> = data_sources()
        .iter()
        .map(|(name, _)| (*name).to_owned())
        .collect();
    assert_eq!(
        listed,
        data_files_on_disk(),
        "src/sources.rs must list exactly the files in data/"
    );
    for (name, text) in data_sources() {
        let on_disk = fs::read_to_string(data_dir().join(name)).unwrap();
        assert_eq!(
            *text, on_disk,
            "{name}: sources.rs embeds a different file under this name"
        );
    }
}

#[test]
fn data_files_are_canonical() {
    for name in data_files_on_disk() {
        let text = fs::read_to_string(data_dir().join(&name)).unwrap();
        let canonical = canonical_json(&name, &text).unwrap();
        assert!(
            canonical == text,
            "data/{name} is not in canonical form; rewrite it with freshservice_schema::canonical_json"
        );
    }
}

#[test]
fn one_file_per_tag() {
    for (name, text) in data_sources() {
        let value: Value = serde_json::from_str(text).unwrap();
        if let Some(tag) = value.get("tag").and_then(Value::as_str) {
            assert_eq!(
                format!("{tag}.json"),
                *name,
                "a module's operations live in <tag>.json"
            );
        }
    }
    let tags: BTreeSet<String> = catalog()
        .tags()
        .iter()
        .map(|tag| (*tag).to_owned())
        .collect();
    let files: BTreeSet<String> = data_sources()
        .iter()
        .filter(|(name, _)| !matches!(*name, "enums.json" | "common.json"))
        .map(|(name, _)| name.trim_end_matches(".json").to_owned())
        .collect();
    assert_eq!(
        tags, files,
        "every tag has its file and every file holds operations"
    );
}

#[test]
fn every_module_is_covered() {
    let catalog = catalog();
    assert!(
        catalog.operations().len() >= 410,
        "{} operations",
        catalog.operations().len()
    );
    for tag in [
        "tickets",
        "problems",
        "changes",
        "releases",
        "assets",
        "asset_types",
        "software",
        "contracts",
        "purchase_orders",
        "projects",
        "onboarding",
        "offboarding",
        "agents",
        "requesters",
        "groups",
        "requester_groups",
        "roles",
        "departments",
        "locations",
        "products",
        "vendors",
        "service_catalog",
        "solutions",
        "announcements",
        "canned_responses",
        "business_hours",
        "sla_policies",
        "workspaces",
    ] {
        assert!(catalog.tags().contains(&tag), "no tools for {tag}");
    }
    // Sub-resources sit with their parent module.
    for (name, tag) in [
        ("create_a_freshservice_ticket_note", "tickets"),
        ("list_all_freshservice_ticket_conversations", "tickets"),
        ("list_all_freshservice_ticket_tasks", "tickets"),
        ("list_all_freshservice_ticket_time_entries", "tickets"),
        ("list_all_freshservice_ticket_approvals", "tickets"),
        ("list_all_freshservice_change_tasks", "changes"),
        ("list_all_freshservice_change_notes", "changes"),
        ("list_all_freshservice_change_time_entries", "changes"),
        ("list_all_freshservice_change_approvals", "changes"),
        ("list_all_freshservice_cabs", "changes"),
        ("list_all_freshservice_asset_components", "assets"),
        ("list_all_freshservice_relationships", "assets"),
        ("list_all_freshservice_project_tasks", "projects"),
        ("list_all_freshservice_project_task_notes", "projects"),
        ("list_all_freshservice_project_associations", "projects"),
        ("restore_a_freshservice_problem_by_id", "problems"),
    ] {
        let operation = catalog
            .get(name)
            .unwrap_or_else(|| panic!("missing {name}"));
        assert_eq!(operation.tag, tag, "{name}");
    }
    // Filter endpoints wrap their query in double quotes themselves.
    for (name, query) in [
        ("freshservice_tickets_filter", "query"),
        ("freshservice_changes_filter", "query"),
        ("freshservice_assets_filter", "filter"),
        ("freshservice_requesters_filter", "query"),
        ("freshservice_agents_filter", "query"),
        ("freshservice_departments_filter", "query"),
        ("freshservice_locations_filter", "query"),
        ("freshservice_workspaces_filter", "query"),
        ("freshservice_project_tasks_filter", "query"),
    ] {
        let param = catalog
            .get(name)
            .unwrap_or_else(|| panic!("missing {name}"))
            .param(query)
            .unwrap_or_else(|| panic!("{name} has no {query}"));
        assert!(param.quoted && param.required, "{name}.{query}");
        assert_eq!(param.location, ParamLocation::Query, "{name}.{query}");
    }
}

/// Spot checks of the expanded schemas the tools will publish.
fn check(operation: &str, param: &str, expect: Value) {
    let operation = catalog()
        .get(operation)
        .unwrap_or_else(|| panic!("no operation {operation}"));
    let param = operation
        .param(param)
        .unwrap_or_else(|| panic!("{} has no param {param}", operation.name));
    for (key, value) in expect.as_object().unwrap() {
        assert_eq!(
            &param.schema[key], value,
            "{}.{}[{key}]",
            operation.name, param.name
        );
    }
}

#[test]
fn expanded_schemas() {
    // Ticket status and source are extensible (an account adds its own): open integers whose description
    // names the documented codes and where the account's are listed; no closed `enum`.
    check(
        "create_a_freshservice_ticket",
        "status",
        json!({"type": "integer", "enum": null,
               "description": "Status of the ticket: 2 Open, 3 Pending, 4 Resolved, 5 Closed; or custom: ticket_form_fields"}),
    );
    check(
        "update_a_freshservice_ticket_by_id",
        "source",
        json!({"type": "integer", "enum": null}),
    );
    check(
        "create_a_freshservice_ticket",
        "priority",
        json!({"type": "integer", "enum": [1, 2, 3, 4],
               "description": "Priority of the ticket: 1 Low, 2 Medium, 3 High, 4 Urgent"}),
    );
    check(
        "create_a_freshservice_change",
        "status",
        json!({"type": "integer", "enum": [1, 2, 3, 4, 5, 6]}),
    );
    check(
        "create_a_freshservice_change",
        "change_type",
        json!({"enum": [1, 2, 3, 4]}),
    );
    check(
        "create_a_freshservice_change",
        "planned_start_date",
        json!({"type": "string", "format": "date-time"}),
    );
    check(
        "create_a_freshservice_change",
        "assets",
        json!({"type": "array", "items": {"type": "object", "properties": {"display_id": {
            "type": "integer", "minimum": 1, "description": "Display ID of the asset"}},
            "required": ["display_id"], "description": "One linked asset"}}),
    );
    check(
        "create_a_freshservice_change",
        "maintenance_window",
        json!({"type": "object", "required": ["id"]}),
    );
    check(
        "create_a_freshservice_change",
        "workspace_id",
        json!({"type": "integer", "minimum": 1}),
    );
    check(
        "list_all_freshservice_changes",
        "workspace_id",
        json!({"type": "integer", "minimum": 0}),
    );
    check(
        "list_all_freshservice_changes",
        "per_page",
        json!({"minimum": 1, "maximum": 100}),
    );
    check(
        "list_all_freshservice_changes",
        "order_type",
        json!({"enum": ["asc", "desc"]}),
    );
    check(
        "create_a_freshservice_ticket",
        "email",
        json!({"format": "email"}),
    );
    check(
        "create_a_freshservice_ticket",
        "custom_fields",
        json!({"type": "object"}),
    );
    check(
        "freshservice_tickets_filter",
        "query",
        json!({"type": "string", "maxLength": 512}),
    );
    check(
        "get_single_freshservice_asset_by_id",
        "display_id",
        json!({"type": "integer", "minimum": 1}),
    );
    check(
        "create_a_freshservice_onboarding_request",
        "fields",
        json!({"type": "object"}),
    );
}

#[test]
fn operation_shapes() {
    let catalog = catalog();
    for (name, kind, method, path, required) in [
        (
            "list_all_freshservice_changes",
            OperationKind::List,
            "GET",
            "/api/v2/changes",
            &[][..],
        ),
        (
            "freshservice_changes_filter",
            OperationKind::List,
            "GET",
            "/api/v2/changes",
            &["query"][..],
        ),
        (
            "get_single_freshservice_change_by_id",
            OperationKind::Get,
            "GET",
            "/api/v2/changes/{change_id}",
            &["change_id"][..],
        ),
        (
            "create_a_freshservice_change",
            OperationKind::Create,
            "POST",
            "/api/v2/changes",
            &[
                "subject",
                "description",
                "status",
                "priority",
                "impact",
                "risk",
                "change_type",
            ][..],
        ),
        (
            "update_a_freshservice_change_by_id",
            OperationKind::Update,
            "PUT",
            "/api/v2/changes/{change_id}",
            &["change_id"][..],
        ),
        (
            "list_all_freshservice_tickets",
            OperationKind::List,
            "GET",
            "/api/v2/tickets",
            &[][..],
        ),
        (
            "get_single_freshservice_ticket_by_id",
            OperationKind::Get,
            "GET",
            "/api/v2/tickets/{ticket_id}",
            &["ticket_id"][..],
        ),
        (
            "create_a_freshservice_ticket",
            OperationKind::Create,
            "POST",
            "/api/v2/tickets",
            &["subject", "description", "status", "priority"][..],
        ),
        (
            "update_a_freshservice_ticket_by_id",
            OperationKind::Update,
            "PUT",
            "/api/v2/tickets/{ticket_id}",
            &["ticket_id"][..],
        ),
        (
            "freshservice_tickets_filter",
            OperationKind::List,
            "GET",
            "/api/v2/tickets/filter",
            &["query"][..],
        ),
        (
            "list_all_freshservice_assets",
            OperationKind::List,
            "GET",
            "/api/v2/assets",
            &[][..],
        ),
        (
            "get_single_freshservice_asset_by_id",
            OperationKind::Get,
            "GET",
            "/api/v2/assets/{display_id}",
            &["display_id"][..],
        ),
        (
            "list_all_freshservice_projects",
            OperationKind::List,
            "GET",
            "/api/v2/pm/projects",
            &[][..],
        ),
        (
            "create_a_freshservice_project_task",
            OperationKind::Create,
            "POST",
            "/api/v2/pm/projects/{project_id}/tasks",
            &["project_id", "title", "type_id"][..],
        ),
        (
            "create_a_freshservice_onboarding_request",
            OperationKind::Create,
            "POST",
            "/api/v2/onboarding_requests",
            &["fields"][..],
        ),
    ] {
        let operation = catalog
            .get(name)
            .unwrap_or_else(|| panic!("missing {name}"));
        assert_eq!(operation.kind, kind, "{name}");
        assert_eq!(operation.method.as_str(), method, "{name}");
        assert_eq!(operation.path, path, "{name}");
        let actual: Vec<&str> = operation
            .params
            .iter()
            .filter(|param| param.required)
            .map(|param| param.name.as_str())
            .collect();
        assert_eq!(actual, required, "{name}");
    }
    // Workspace ids are not changeable by update, so updates do not offer workspace_id.
    for name in [
        "update_a_freshservice_change_by_id",
        "update_a_freshservice_ticket_by_id",
    ] {
        assert!(
            catalog.get(name).unwrap().param("workspace_id").is_none(),
            "{name}"
        );
    }
    let filter = catalog
        .get("freshservice_tickets_filter")
        .unwrap()
        .param("query")
        .unwrap();
    assert!(filter.quoted);
    assert_eq!(filter.location, ParamLocation::Query);
}

/// Load errors name the problem; run through the public constructor with small synthetic files.
fn check_error(files: &[(&str, &str)], expect: &str) {
    let error = Catalog::from_sources(files.iter().copied())
        .unwrap_err()
        .to_string();
    assert!(error.contains(expect), "{error:?} lacks {expect:?}");
}

#[test]
fn load_errors() {
    let op = |params: &str| {
        format!(
            r#"{{"tag": "t", "operations": [{{"name": "list_all_freshservice_things", "title": "T", "description": "D.", "kind": "list", "method": "GET", "path": "/api/v2/things", "params": [{params}]}}]}}"#
        )
    };
    check_error(&[("t.json", "{")], "`t.json` does not parse");
    check_error(
        &[("t.json", r#"{"operations": [], "extra": 1}"#)],
        "unknown field `extra`",
    );
    check_error(
        &[("t.json", &op(r#"{"ref": "nope"}"#))],
        "unknown shared parameter `nope`",
    );
    check_error(
        &[(
            "t.json",
            &op(r#"{"name": "s", "in": "query", "enum": "nope"}"#),
        )],
        "unknown coded enum `nope`",
    );
    check_error(
        &[(
            "t.json",
            &op(r#"{"name": "s", "in": "query", "type": "text"}"#),
        )],
        "unknown `type` `text`",
    );
    check_error(
        &[("t.json", &op(r#"{"name": "s", "type": "string"}"#))],
        "needs `in`",
    );
    check_error(
        &[("t.json", &op(r#"{"in": "query", "type": "string"}"#))],
        "needs a `name`",
    );
    check_error(
        &[(
            "t.json",
            &op(r#"{"name": "s", "in": "query", "type": "array"}"#),
        )],
        "arrays need `items`",
    );
    check_error(
        &[(
            "t.json",
            &op(
                r#"{"name": "s", "in": "query", "type": "string"}, {"name": "s", "in": "body", "type": "string"}"#,
            ),
        )],
        "parameter `s` is defined more than once",
    );
    check_error(
        &[("t.json", &op("")), ("u.json", &op(""))],
        "operation `list_all_freshservice_things` is defined more than once",
    );
    check_error(
        &[
            (
                "c.json",
                r#"{"params": [{"id": "p", "name": "p", "in": "query", "type": "integer"}]}"#,
            ),
            ("t.json", &op(r#"{"ref": "p", "type": "string"}"#)),
        ],
        "may only add `required` or `description`",
    );
    check_error(
        &[("t.json", &op("").replace("\"GET\"", "\"TRACE\""))],
        "unsupported http method `TRACE`",
    );
    check_error(
        &[("t.json", &op("").replace(r#""tag": "t", "#, ""))],
        "needs a non-empty `tag`",
    );
}

/// Every operation maps to an `arg-router` router (the one `freshservice-mcp` builds for its tool).
#[test]
fn every_operation_builds_a_router() {
    for operation in catalog().operations() {
        if let Err(error) = operation.router() {
            panic!("{}: {error}", operation.name);
        }
    }
}
