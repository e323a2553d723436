//! The catalogue quality rules, as a pure function the test suite and the catalogue importer both run.

use std::collections::{BTreeSet, HashMap};

use serde_json::Value;

use crate::catalog::{Catalog, Operation, OperationKind, ParamLocation, extensible_note};

/// Longest description, in characters, of an operation or a parameter.
pub const MAX_DESCRIPTION_CHARS: usize = 300;

/// One broken catalogue rule.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Finding {
    /// The operation at fault (empty for catalogue-wide findings).
    pub operation: String,
    /// What is wrong, naming the parameter where there is one.
    pub message: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{}: {}", self.operation, self.message)
    }
}

impl Catalog {
    /// Check every operation against the catalogue rules and list what is broken; empty means clean.
    ///
    /// Rules: valid and unique tool names following the naming pattern of their kind; method fitting the kind;
    /// path placeholders equal to the path parameters, which are required; no two operations sharing
    /// method, path and required query parameters; no body on GET or DELETE; `quoted` only on string query
    /// parameters; every parameter (and nested field) typed; descriptions, where present, non-blank and short
    /// (coded enums and quoted queries need one); coded enums naming every code in their description (a closed
    /// enum lists its codes in `enum`; an extensible one, which an account can add codes to, has no `enum`
    /// and its description also names the catalogue tool that lists the account's codes, a GET list that
    /// must exist); OAuth scopes in the `freshservice.` namespace.
    pub fn findings(&self) -> Vec<Finding> {
        self.findings_with(true)
    }

    /// [`findings`](Self::findings) that hold for each operation on its own: without the rules that
    /// need the other operations (unique names, distinct routes, the list tool an extensible coded
    /// enum points at). For checking one candidate operation before the catalogue around it exists.
    pub fn operation_findings(&self) -> Vec<Finding> {
        self.findings_with(false)
    }

    fn findings_with(&self, across_operations: bool) -> Vec<Finding> {
        let mut findings = Vec::new();
        let mut routes: HashMap<(String, String, BTreeSet<String>), &str> = HashMap::new();
        let mut names: HashMap<&str, usize> = HashMap::new();
        for operation in self.operations() {
            let mut report = |message: String| {
                findings.push(Finding {
                    operation: operation.name.clone(),
                    message,
                });
            };
            *names.entry(operation.name.as_str()).or_default() += 1;
            check_operation(operation, &mut report);
            self.check_extensible_codes(operation, across_operations, &mut report);

            // A required query parameter with a single allowed value selects an action on the same path
            // (`?operation=approve`), so its value is part of the route.
            let required_query: BTreeSet<String> = operation
                .params
                .iter()
                .filter(|param| param.location == ParamLocation::Query && param.required)
                .map(
                    |param| match param.schema.get("enum").and_then(Value::as_array) {
                        Some(values) if values.len() == 1 => {
                            format!("{}={}", param.name, values[0])
                        }
                        _ => param.name.clone(),
                    },
                )
                .collect();
            let route = (
                operation.method.to_string(),
                operation.path.clone(),
                required_query,
            );
            if let Some(other) = routes.insert(route, &operation.name)
                && across_operations
            {
                report(format!(
                    "same method, path and required query parameters as `{other}`; merge them or make one require a distinguishing query parameter"
                ));
            }
        }
        for (name, count) in names {
            if count > 1 && across_operations {
                findings.push(Finding {
                    operation: name.to_owned(),
                    message: format!("name used by {count} operations; names must be unique"),
                });
            }
        }
        findings
    }
}

impl Catalog {
    /// An extensible coded parameter has no closed `enum`, names every documented code, and points at a
    /// list tool of this catalogue for the account's own codes.
    fn check_extensible_codes(
        &self,
        operation: &Operation,
        across_operations: bool,
        report: &mut impl FnMut(String),
    ) {
        for param in &operation.params {
            let Some(coded) = param
                .coded_enum
                .as_deref()
                .and_then(|name| self.coded_enum(name))
            else {
                continue;
            };
            let Some(tool) = &coded.extensible_via else {
                continue;
            };
            let at = &param.name;
            if param.schema.get("enum").is_some() {
                report(format!(
                    "parameter `{at}`: extensible coded enum `{}` must not be a closed `enum`",
                    coded.name
                ));
            }
            let description = param.description();
            for (code, _) in &coded.codes {
                if !names_code(description, *code) {
                    report(format!(
                        "parameter `{at}` description must name code {code} (as `{code} <label>`)"
                    ));
                }
            }
            if !description.ends_with(&extensible_note(tool)) {
                report(format!(
                    "parameter `{at}` description must end by naming `{tool}`, where the account's own codes are listed"
                ));
            }
            let lists = self.get(tool).is_some_and(|lister| {
                lister.kind == OperationKind::List && lister.method == http::Method::GET
            });
            if across_operations && !lists {
                report(format!(
                    "coded enum `{}` is extensible via `{tool}`, which is not a GET list operation of the catalogue",
                    coded.name
                ));
            }
        }
    }
}

fn check_operation(operation: &Operation, report: &mut impl FnMut(String)) {
    if !is_valid_tool_name(&operation.name) {
        report("name must be 1-128 characters of A-Z, a-z, 0-9, `_`, `.` or `-`".to_owned());
    }
    if let Some(expected) = naming_violation(operation.kind, &operation.name) {
        report(format!(
            "a `{}` operation must be named {expected}",
            operation.kind
        ));
    }
    if let Some(expected) = method_violation(operation) {
        report(format!(
            "a `{}` operation must use {expected}, not {}",
            operation.kind, operation.method
        ));
    }
    check_text(report, "title", &operation.title, 80);
    check_text(
        report,
        "description",
        &operation.description,
        MAX_DESCRIPTION_CHARS,
    );
    if !operation
        .tag
        .chars()
        .all(|c| c.is_ascii_lowercase() || c == '_')
    {
        report(format!(
            "tag `{}` must be lowercase snake_case",
            operation.tag
        ));
    }
    if let Some(scope) = &operation.oauth_scope
        && (!scope.starts_with("freshservice.") || scope.contains(char::is_whitespace))
    {
        report(format!(
            "oauth scope `{scope}` must be one `freshservice.`-prefixed scope"
        ));
    }
    check_path(operation, report);

    let has_body = operation
        .params
        .iter()
        .any(|param| param.location == ParamLocation::Body);
    if has_body && matches!(operation.method, http::Method::GET | http::Method::DELETE) {
        report(format!(
            "{} operations cannot take body parameters",
            operation.method
        ));
    }
    if operation.name.ends_with("_filter")
        && !operation
            .params
            .iter()
            .any(|param| param.quoted && param.required)
    {
        report("a filter operation needs a required quoted query parameter".to_owned());
    }
    for param in &operation.params {
        let is_string = param.schema.get("type").and_then(Value::as_str) == Some("string");
        if param.quoted && !(param.location == ParamLocation::Query && is_string) {
            report(format!(
                "parameter `{}`: only string query parameters can be quoted",
                param.name
            ));
        }
        if param.quoted && param.description().trim().is_empty() {
            report(format!(
                "parameter `{}`: a quoted query needs a description of its syntax",
                param.name
            ));
        }
        check_schema(report, &param.name, &param.schema);
    }
}

fn check_path(operation: &Operation, report: &mut impl FnMut(String)) {
    let path = &operation.path;
    if !path.starts_with("/api/v2/") || path.ends_with('/') || path.contains(['[', ']', '?', ' ']) {
        report(format!(
            "path `{path}` must start with /api/v2/, have no trailing slash, query or square brackets"
        ));
    }
    let mut placeholders = BTreeSet::new();
    let mut rest = path.as_str();
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else {
            report(format!("path `{path}` has an unclosed `{{`"));
            break;
        };
        let placeholder = &after[..end];
        if !placeholders.insert(placeholder.to_owned()) {
            report(format!("path placeholder `{placeholder}` appears twice"));
        }
        rest = &after[end + 1..];
    }
    let path_params: BTreeSet<String> = operation
        .params
        .iter()
        .filter(|param| param.location == ParamLocation::Path)
        .map(|param| param.name.clone())
        .collect();
    if placeholders != path_params {
        report(format!(
            "path placeholders {placeholders:?} differ from path parameters {path_params:?}"
        ));
    }
    for param in &operation.params {
        if param.location == ParamLocation::Path && !param.required {
            report(format!("path parameter `{}` must be required", param.name));
        }
    }
}

/// Check a schema and, recursively, its items and properties.
fn check_schema(report: &mut impl FnMut(String), at: &str, schema: &Value) {
    let typed = match schema.get("type") {
        Some(Value::String(_)) => true,
        // A nullable field: one real type plus "null".
        Some(Value::Array(types)) => {
            types.len() == 2
                && types.iter().filter(|t| t.as_str() == Some("null")).count() == 1
                && types.iter().all(Value::is_string)
        }
        _ => false,
    };
    if !typed {
        report(format!("parameter `{at}` has no type"));
    }
    // A description is optional: a parameter whose name, type and format say everything
    // (`ticket_id`, `first_name`, `start_date`) is better without one than with its name spelled
    // out again, which every client would pay for on every listing. When there is one, it must say
    // something. Coded enums always need one (it names every code, checked below), and so do
    // filter queries (their syntax).
    let description = schema.get("description").and_then(Value::as_str);
    if let Some(description) = description {
        check_text(
            report,
            &format!("parameter `{at}` description"),
            description,
            MAX_DESCRIPTION_CHARS,
        );
    }
    let description = description.unwrap_or("");
    if let Some(codes) = schema.get("enum").and_then(Value::as_array) {
        for code in codes.iter().filter_map(Value::as_i64) {
            if !names_code(description, code) {
                report(format!(
                    "parameter `{at}` description must name code {code} (as `{code} <label>`)"
                ));
            }
        }
    }
    if let Some(items) = schema.get("items") {
        check_schema(report, &format!("{at}[]"), items);
    }
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        for (name, property) in properties {
            check_schema(report, &format!("{at}.{name}"), property);
        }
    }
}

fn check_text(report: &mut impl FnMut(String), what: &str, text: &str, max_chars: usize) {
    let length = text.chars().count();
    if text.trim().is_empty() {
        report(format!("{what} is empty"));
    } else if length >= max_chars {
        report(format!(
            "{what} is {length} characters; keep it under {max_chars}"
        ));
    }
}

/// True when `code` appears as a whole number followed by a space and a label.
fn names_code(description: &str, code: i64) -> bool {
    let needle = code.to_string();
    description.match_indices(&needle).any(|(index, _)| {
        let before = description[..index].chars().next_back();
        let mut after = description[index + needle.len()..].chars();
        let starts_number = before.is_none_or(|c| !c.is_ascii_digit() && c != '-');
        let labelled = after.next() == Some(' ') && after.next().is_some_and(char::is_alphabetic);
        starts_number && labelled
    })
}

/// Tool names: 1-128 characters of `[A-Za-z0-9_.-]`.
pub(crate) fn is_valid_tool_name(name: &str) -> bool {
    (1..=128).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// `None` when the name follows the pattern for its kind, else the expected pattern.
fn naming_violation(kind: OperationKind, name: &str) -> Option<&'static str> {
    let noun = |rest: Option<&str>| {
        rest.is_some_and(|noun| {
            !noun.is_empty()
                && !noun.starts_with('_')
                && !noun.ends_with('_')
                && noun
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        })
    };
    let by_id = |prefix: &str| {
        noun(
            name.strip_prefix(prefix)
                .and_then(|rest| rest.strip_suffix("_by_id")),
        )
    };
    let ok = match kind {
        OperationKind::List => {
            noun(name.strip_prefix("list_all_freshservice_"))
                || noun(
                    name.strip_prefix("freshservice_")
                        .and_then(|rest| rest.strip_suffix("_filter")),
                )
        }
        OperationKind::Get => by_id("get_single_freshservice_"),
        OperationKind::Create => {
            noun(name.strip_prefix("create_a_freshservice_")) && !name.ends_with("_by_id")
        }
        OperationKind::Update => by_id("update_a_freshservice_"),
        OperationKind::Delete => by_id("delete_a_freshservice_"),
        OperationKind::Custom => noun(Some(name)) && name.contains("freshservice"),
    };
    if ok {
        return None;
    }
    Some(match kind {
        OperationKind::List => "list_all_freshservice_<plural> or freshservice_<plural>_filter",
        OperationKind::Get => "get_single_freshservice_<singular>_by_id",
        OperationKind::Create => "create_a_freshservice_<singular>",
        OperationKind::Update => "update_a_freshservice_<singular>_by_id",
        OperationKind::Delete => "delete_a_freshservice_<singular>_by_id",
        OperationKind::Custom => "snake_case containing `freshservice`",
    })
}

/// `None` when the method fits the kind, else the expected method(s).
fn method_violation(operation: &Operation) -> Option<&'static str> {
    let method = &operation.method;
    match operation.kind {
        OperationKind::List | OperationKind::Get => (method != http::Method::GET).then_some("GET"),
        OperationKind::Create => (method != http::Method::POST).then_some("POST"),
        OperationKind::Update => {
            (!matches!(*method, http::Method::PUT | http::Method::PATCH)).then_some("PUT or PATCH")
        }
        OperationKind::Delete => (method != http::Method::DELETE).then_some("DELETE"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENUMS: &str = r#"{"enums": [{"name": "colour", "description": "Colour", "codes": [{"code": 1, "label": "Red"}, {"code": 2, "label": "Blue"}]},
        {"name": "shade", "description": "Shade", "extensible_via": "list_all_freshservice_things", "codes": [{"code": 1, "label": "Light"}]},
        {"name": "tint", "description": "Tint", "extensible_via": "get_single_freshservice_thing_by_id", "codes": [{"code": 1, "label": "Pale"}]}]}"#;

    /// Build a one-operation catalogue from `operation` JSON and compare its findings with `expect` (substrings).
    fn check(operation: &str, expect: &[&str]) {
        let file = format!(r#"{{"tag": "things", "operations": [{operation}]}}"#);
        let catalog =
            Catalog::from_sources([("enums.json", ENUMS), ("things.json", file.as_str())])
                .unwrap_or_else(|error| panic!("{error}"));
        let findings: Vec<String> = catalog.findings().iter().map(ToString::to_string).collect();
        assert_eq!(findings.len(), expect.len(), "{findings:#?}");
        for (finding, expected) in findings.iter().zip(expect) {
            assert!(finding.contains(expected), "{finding:?} lacks {expected:?}");
        }
    }

    fn operation(name: &str, kind: &str, method: &str, path: &str, params: &str) -> String {
        format!(
            r#"{{"name": "{name}", "title": "Thing", "description": "Does a thing.", "kind": "{kind}", "method": "{method}", "path": "{path}", "oauth_scope": "freshservice.things.view", "params": [{params}]}}"#
        )
    }

    const THING_ID: &str = r#"{"name": "thing_id", "in": "path", "required": true, "type": "integer", "minimum": 1, "description": "ID of the thing"}"#;

    #[test]
    fn clean_operations_have_no_findings() {
        check(
            &operation(
                "list_all_freshservice_things",
                "list",
                "GET",
                "/api/v2/things",
                "",
            ),
            &[],
        );
        check(
            &operation(
                "get_single_freshservice_thing_by_id",
                "get",
                "GET",
                "/api/v2/things/{thing_id}",
                THING_ID,
            ),
            &[],
        );
        check(
            &operation(
                "freshservice_things_filter",
                "list",
                "GET",
                "/api/v2/things/filter",
                r#"{"name": "query", "in": "query", "required": true, "quoted": true, "type": "string", "description": "Filter"}"#,
            ),
            &[],
        );
        check(
            &operation(
                "update_a_freshservice_thing_by_id",
                "update",
                "PUT",
                "/api/v2/things/{thing_id}",
                &format!(r#"{THING_ID}, {{"name": "colour", "in": "body", "enum": "colour"}}"#),
            ),
            &[],
        );
        // A parameter whose name says it all needs no description.
        check(
            &operation(
                "get_single_freshservice_thing_by_id",
                "get",
                "GET",
                "/api/v2/things/{thing_id}",
                r#"{"name": "thing_id", "in": "path", "required": true, "type": "integer", "minimum": 1}"#,
            ),
            &[],
        );
    }

    #[test]
    fn each_rule_reports() {
        check(
            &operation("list all things", "list", "GET", "/api/v2/things", ""),
            &["1-128 characters", "must be named"],
        );
        check(
            &operation(
                "get_things",
                "get",
                "GET",
                "/api/v2/things/{thing_id}",
                THING_ID,
            ),
            &["must be named get_single"],
        );
        check(
            &operation(
                "create_a_freshservice_thing",
                "create",
                "PUT",
                "/api/v2/things",
                "",
            ),
            &["must use POST"],
        );
        check(
            &operation(
                "list_all_freshservice_things",
                "list",
                "GET",
                "/api/v2/things/{thing_id}",
                "",
            ),
            &["differ from path parameters"],
        );
        check(
            &operation(
                "get_single_freshservice_thing_by_id",
                "get",
                "GET",
                "/api/v2/things/{thing_id}",
                r#"{"name": "thing_id", "in": "path", "type": "integer", "description": "ID"}"#,
            ),
            &["must be required"],
        );
        check(
            &operation(
                "list_all_freshservice_things",
                "list",
                "GET",
                "/api/v2/things",
                r#"{"name": "colour", "in": "body", "type": "string", "description": "Colour"}"#,
            ),
            &["cannot take body parameters"],
        );
        check(
            &operation(
                "list_all_freshservice_things",
                "list",
                "GET",
                "/api/v2/things",
                r#"{"name": "page", "in": "query"}"#,
            ),
            &["has no type"],
        );
        check(
            &operation(
                "list_all_freshservice_things",
                "list",
                "GET",
                "/api/v2/things",
                r#"{"name": "page", "in": "query", "type": "integer", "description": " "}"#,
            ),
            &["description is empty"],
        );
        check(
            &operation(
                "freshservice_things_filter",
                "list",
                "GET",
                "/api/v2/things/filter",
                r#"{"name": "query", "in": "query", "required": true, "quoted": true, "type": "string"}"#,
            ),
            &["a quoted query needs a description"],
        );
        check(
            &operation(
                "list_all_freshservice_things",
                "list",
                "GET",
                "/api/v2/things",
                r#"{"name": "page", "in": "body", "quoted": true, "type": "integer", "description": "Page"}"#,
            ),
            &[
                "cannot take body",
                "only string query parameters can be quoted",
            ],
        );
        check(
            &operation(
                "freshservice_things_filter",
                "list",
                "GET",
                "/api/v2/things",
                "",
            ),
            &["needs a required quoted query parameter"],
        );
        check(
            &operation(
                "create_a_freshservice_thing",
                "create",
                "POST",
                "/api/v2/things",
                r#"{"name": "shape", "in": "body", "type": "object", "properties": [{"name": "sides", "type": "integer", "description": ""}], "description": "Shape"}"#,
            ),
            &["`shape.sides` description is empty"],
        );
        check(
            &operation(
                "list_all_freshservice_things",
                "list",
                "GET",
                "/api/things/",
                "",
            ),
            &["must start with /api/v2/"],
        );
        let long = "x".repeat(MAX_DESCRIPTION_CHARS);
        check(
            &operation(
                "list_all_freshservice_things",
                "list",
                "GET",
                "/api/v2/things",
                &format!(
                    r#"{{"name": "page", "in": "query", "type": "integer", "description": "{long}"}}"#
                ),
            ),
            &["keep it under 300"],
        );
    }

    #[test]
    fn extensible_enums_are_open_and_point_at_a_list_tool() {
        let list = operation(
            "list_all_freshservice_things",
            "list",
            "GET",
            "/api/v2/things",
            "",
        );
        let update = |params: &str| {
            operation(
                "update_a_freshservice_thing_by_id",
                "update",
                "PUT",
                "/api/v2/things/{thing_id}",
                &format!("{THING_ID}, {params}"),
            )
        };
        // Open integer, documented codes and the list tool named.
        check(
            &format!(
                "{list}, {}",
                update(r#"{"name": "shade", "in": "body", "enum": "shade"}"#)
            ),
            &[],
        );
        let catalog = Catalog::from_sources([
            ("enums.json", ENUMS),
            (
                "things.json",
                format!(
                    r#"{{"tag": "things", "operations": [{list}, {}]}}"#,
                    update(r#"{"name": "shade", "in": "body", "enum": "shade"}"#)
                )
                .as_str(),
            ),
        ])
        .unwrap();
        let shade = catalog
            .get("update_a_freshservice_thing_by_id")
            .unwrap()
            .param("shade")
            .unwrap();
        assert_eq!(
            shade.schema,
            serde_json::json!({"type": "integer", "description": "Shade: 1 Light; or custom: things"})
        );
        // The lister must be a list operation of the catalogue.
        check(
            &format!(
                "{list}, {}",
                update(r#"{"name": "tint", "in": "body", "enum": "tint"}"#)
            ),
            &["not a GET list operation"],
        );
        // Alone, an operation is not judged on the lister it points at: that needs the others.
        let alone = Catalog::from_sources([
            ("enums.json", ENUMS),
            (
                "things.json",
                format!(
                    r#"{{"tag": "things", "operations": [{}]}}"#,
                    update(r#"{"name": "shade", "in": "body", "enum": "shade"}"#)
                )
                .as_str(),
            ),
        ])
        .unwrap();
        assert!(alone.operation_findings().is_empty());
        assert!(
            alone
                .findings()
                .iter()
                .any(|finding| finding.message.contains("not a GET list operation"))
        );
        // A parameter's own lead keeps the codes and the tool after it.
        check(
            &format!(
                "{list}, {}",
                update(
                    r#"{"name": "shade", "in": "body", "enum": "shade", "description": "Shade of the thing"}"#
                )
            ),
            &[],
        );
    }

    #[test]
    fn duplicate_routes_are_reported_unless_a_required_query_differs() {
        let list = operation(
            "list_all_freshservice_things",
            "list",
            "GET",
            "/api/v2/things",
            "",
        );
        let twin = operation(
            "list_all_freshservice_others",
            "list",
            "GET",
            "/api/v2/things",
            "",
        );
        check(&format!("{list}, {twin}"), &["same method, path"]);
        let filter = operation(
            "freshservice_things_filter",
            "list",
            "GET",
            "/api/v2/things",
            r#"{"name": "query", "in": "query", "required": true, "quoted": true, "type": "string", "description": "Filter"}"#,
        );
        check(&format!("{list}, {filter}"), &[]);
        let action = |name: &str, value: &str| {
            operation(
                name,
                "custom",
                "PUT",
                "/api/v2/things/{thing_id}",
                &format!(
                    r#"{THING_ID}, {{"name": "operation", "in": "query", "required": true, "type": "string", "values": ["{value}"], "description": "Action"}}"#
                ),
            )
        };
        let approve = action("approve_a_freshservice_thing_by_id", "approve");
        let reject = action("reject_a_freshservice_thing_by_id", "reject");
        check(&format!("{approve}, {reject}"), &[]);
        let again = action("approve_again_freshservice_thing_by_id", "approve");
        check(&format!("{approve}, {again}"), &["same method, path"]);
    }

    #[test]
    fn codes_must_be_named_as_number_and_label() {
        for (description, code, expect) in [
            ("Colour: 1 Red, 2 Blue", 1, true),
            ("Colour: 1 Red, 2 Blue", 2, true),
            ("Colour: 11 Red", 1, false),
            ("Colour 1", 1, false),
            ("Colour: 12 Blue", 2, false),
            ("0 Requested", 0, true),
        ] {
            assert_eq!(
                names_code(description, code),
                expect,
                "{description:?} {code}"
            );
        }
    }

    #[test]
    fn tool_names() {
        for (name, expect) in [
            ("list_all_freshservice_changes", true),
            ("a.b-c_D9", true),
            ("", false),
            ("has space", false),
            ("ünïcode", false),
        ] {
            assert_eq!(is_valid_tool_name(name), expect, "{name:?}");
        }
        assert!(is_valid_tool_name(&"a".repeat(128)));
        assert!(!is_valid_tool_name(&"a".repeat(129)));
    }
}
