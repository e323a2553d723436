//! The import's last word on parameter descriptions: a description that only restates what a client
//! already sees is left out.
//!
//! A client sees, next to every parameter description, the parameter's name, its type and format,
//! and the tool's title and path. Templates (`ID of the {x}` on `x_id`, `Start date` on
//! `start_date`, `One tag` on the items of `tags`) and some hand-written texts say nothing beyond
//! those, yet every `tools/list` pays for them: with ~3,000 parameters they were a third of the
//! listing. So a description stays only when at least one of its words is not in the name, the
//! tool's title or path, the schema, or a short list of filler words ([`FILLER`]).
//!
//! Coded enums keep theirs (the catalogue appends every code to it) and so do quoted queries (the
//! filter syntax).

use std::collections::BTreeSet;

use serde_json::Value;

/// Words that add nothing on their own: articles, prepositions, and the nouns templates use to
/// pad a name into a phrase (`Active flag`, `Roles list`, `One tag`, `Note text`).
const FILLER: &[&str] = &[
    "a", "an", "the", "of", "to", "for", "in", "on", "by", "as", "with", "it", "its", "their",
    "is", "are", "be", "this", "that", "one", "each", "whether", "flag", "list", "value", "values",
    "record", "records", "line", "text", "entry",
];

/// Drops the descriptions that restate their parameter from one operation (catalogue JSON form).
pub(crate) fn operation(spec: &mut Value) {
    let mut context: BTreeSet<String> = BTreeSet::new();
    for key in ["title", "path"] {
        if let Some(text) = spec.get(key).and_then(Value::as_str) {
            context.extend(words(text));
        }
    }
    let Some(params) = spec.get_mut("params").and_then(Value::as_array_mut) else {
        return;
    };
    for param in params {
        // Shared parameters are written once, in common.json, by hand.
        if param.get("ref").is_some() || param.get("quoted").and_then(Value::as_bool) == Some(true)
        {
            continue;
        }
        let name = param["name"].as_str().unwrap_or_default().to_owned();
        field(param, &name, &context);
    }
}

/// One field and, recursively, its items and properties.
fn field(value: &mut Value, name: &str, context: &BTreeSet<String>) {
    let Some(map) = value.as_object_mut() else {
        return;
    };
    let coded = map.get("enum").is_some_and(Value::is_string);
    if !coded
        && let Some(description) = map.get("description").and_then(Value::as_str)
        && restates(name, description, context, map)
    {
        map.remove("description");
    }
    if let Some(items) = map.get_mut("items") {
        // An element is described by its array: `cc_emails` → `One email address`.
        field(items, name, context);
    }
    if let Some(properties) = map.get_mut("properties").and_then(Value::as_array_mut) {
        for property in properties {
            let child = property["name"].as_str().unwrap_or_default().to_owned();
            field(property, &child, context);
        }
    }
}

/// Whether every word of `description` is already known from the name, the context (title and
/// path), the schema (`flag` for a boolean, `UTC` for a date-time, ...) or [`FILLER`].
pub(crate) fn restates(
    name: &str,
    description: &str,
    context: &BTreeSet<String>,
    schema: &serde_json::Map<String, Value>,
) -> bool {
    let known: BTreeSet<String> = words(name).into_iter().chain(implied(schema)).collect();
    words(description).iter().all(|word| {
        known.contains(word) || context.contains(word) || FILLER.contains(&word.as_str())
    })
}

/// What a schema already says in words.
fn implied(schema: &serde_json::Map<String, Value>) -> Vec<String> {
    let mut out: Vec<&str> = Vec::new();
    match schema.get("type").and_then(Value::as_str) {
        Some("boolean") => out.push("whether"),
        Some("array") => out.push("list"),
        Some("integer" | "number") => out.push("number"),
        _ => {}
    }
    match schema.get("format").and_then(Value::as_str) {
        Some("date-time") => out.extend(["date", "time", "utc"]),
        Some("date") => out.push("date"),
        Some("email") => out.extend(["email", "address"]),
        _ => {}
    }
    out.into_iter().map(str::to_owned).collect()
}

/// Lowercase words of a text (letters and digits), each reduced to its singular.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(|word| singular(&word.to_ascii_lowercase()))
        .collect()
}

/// A crude singular that maps both forms of a word to the same string (`entries` and `entry`,
/// `emails` and `email`); it only has to agree with itself.
fn singular(word: &str) -> String {
    if word.len() > 4
        && let Some(stem) = word.strip_suffix("ies")
    {
        return format!("{stem}y");
    }
    if word.ends_with("ss") || word.len() <= 3 {
        return word.to_owned();
    }
    word.strip_suffix('s').unwrap_or(word).to_owned()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn check(name: &str, description: &str, schema: Value, expect: bool) {
        let context: BTreeSet<String> =
            words("Update ticket time entry /api/v2/tickets/{ticket_id}")
                .into_iter()
                .collect();
        let schema = schema.as_object().unwrap().clone();
        assert_eq!(
            restates(name, description, &context, &schema),
            expect,
            "{name}: {description:?}"
        );
    }

    #[test]
    fn restating_descriptions() {
        for (name, description, schema, expect) in [
            (
                "ticket_id",
                "ID of the ticket",
                json!({"type": "integer"}),
                true,
            ),
            (
                "agent_ids",
                "IDs of the agents",
                json!({"type": "array"}),
                true,
            ),
            ("first_name", "First name", json!({"type": "string"}), true),
            ("active", "Active flag", json!({"type": "boolean"}), true),
            (
                "billable",
                "Whether the time is billable",
                json!({"type": "boolean"}),
                true,
            ),
            (
                "start_time",
                "Start time (UTC)",
                json!({"format": "date-time"}),
                true,
            ),
            (
                "cc_emails",
                "One email address",
                json!({"format": "email"}),
                true,
            ),
            (
                "subject",
                "Subject line of the ticket",
                json!({"type": "string"}),
                true,
            ),
            ("note", "Note text", json!({"type": "string"}), true),
            // Anything more stays.
            (
                "group_id",
                "ID of the agent group",
                json!({"type": "integer"}),
                false,
            ),
            (
                "time_spent",
                "Time spent, as hh:mm",
                json!({"type": "string"}),
                false,
            ),
            ("description", "HTML", json!({"type": "string"}), false),
            (
                "email",
                "Requester's email; an unknown address creates a new contact",
                json!({"format": "email"}),
                false,
            ),
            (
                "notify_before",
                "Seconds before the due date to send a reminder",
                json!({"type": "integer"}),
                false,
            ),
        ] {
            check(name, description, schema, expect);
        }
    }

    #[test]
    fn operations_keep_coded_enums_quoted_queries_and_shared_parameters() {
        let mut spec = json!({
            "title": "List tickets",
            "path": "/api/v2/tickets/{ticket_id}",
            "params": [
                {"name": "ticket_id", "in": "path", "type": "integer", "description": "ID of the ticket"},
                {"name": "status", "in": "query", "enum": "ticket_status", "description": "Status of the ticket"},
                {"name": "query", "in": "query", "quoted": true, "type": "string", "description": "Query"},
                {"ref": "page"},
                {"name": "tags", "in": "body", "type": "array", "items": {"type": "string", "description": "One tag"}, "description": "Complete tag list; tags left out are removed"},
                {"name": "address", "in": "body", "type": "object", "properties": [{"name": "city", "type": "string", "description": "City"}], "description": "Postal address"},
            ],
        });
        operation(&mut spec);
        let params = spec["params"].as_array().unwrap();
        assert!(params[0].get("description").is_none());
        assert_eq!(params[1]["description"], "Status of the ticket");
        assert_eq!(params[2]["description"], "Query");
        assert_eq!(params[3], json!({"ref": "page"}));
        assert!(params[4]["items"].get("description").is_none());
        assert!(params[4].get("description").is_some());
        assert!(params[5]["properties"][0].get("description").is_none());
        assert_eq!(params[5]["description"], "Postal address");
    }
}
