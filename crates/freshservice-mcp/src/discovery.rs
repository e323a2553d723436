//! Discovery exposure: three meta-tools instead of hundreds.
//!
//! Listing every Freshservice tool with its schema costs tens of thousands of tokens, more than
//! many clients can spare. In discovery mode a server lists only `search_freshservice_tools`,
//! `get_freshservice_tool_schema` and `call_freshservice_tool`; they reach exactly the tools the
//! server's filters allow, with the same validation as a direct call.

use mcp_messages::{CallToolResult, JsonObject, Tool, ToolAnnotations};
use serde_json::{Value, json};

use crate::registry::{ExposedTool, View};

/// Searches the tools by words in their names, descriptions and tags.
pub(crate) const SEARCH_TOOL: &str = "search_freshservice_tools";
/// Returns one tool's input schema.
pub(crate) const SCHEMA_TOOL: &str = "get_freshservice_tool_schema";
/// Calls a tool by name.
pub(crate) const CALL_TOOL: &str = "call_freshservice_tool";

/// How many of a search's best hits carry their required arguments, so the model can call them
/// without asking for the schema first.
const HITS_WITH_ARGUMENTS: usize = 3;

/// The most tools one `get_freshservice_tool_schema` call describes.
const MAX_SCHEMAS: usize = 10;

/// The three meta-tools.
pub(crate) fn meta_tools() -> Vec<Tool> {
    let read_only = |title: &str| {
        let mut annotations = ToolAnnotations::default();
        annotations.read_only_hint = Some(true);
        annotations.open_world_hint = Some(false);
        (title.to_owned(), annotations)
    };
    let object = |value: Value| match value {
        Value::Object(object) => object,
        _ => JsonObject::new(),
    };
    let mut call_annotations = ToolAnnotations::default();
    call_annotations.read_only_hint = Some(false);
    call_annotations.destructive_hint = Some(true);
    call_annotations.open_world_hint = Some(true);
    let (search_title, search_annotations) = read_only("Search Freshservice tools");
    let (schema_title, schema_annotations) = read_only("Describe Freshservice tools");
    vec![
        Tool::new(
            SEARCH_TOOL,
            "Find the Freshservice tool for a task (tickets, changes, problems, releases, assets, projects, onboarding, people, knowledge base, ...): describe the task in plain words. The best hits come with their required arguments; call them with call_freshservice_tool.",
            object(json!({
                "type": "object",
                "properties": {
                    "query": {"type": "string", "minLength": 1, "description": "The task in plain words, e.g. \"who approved change 42\" or \"add a note to a ticket\""},
                    "tag": {"type": "string", "description": "Only tools of this module, e.g. changes"},
                    "limit": {"type": "integer", "minimum": 1, "maximum": 50, "description": "Most results (default 10)"}
                },
                "required": ["query"],
                "additionalProperties": false
            })),
        )
        .with_title(search_title)
        .with_annotations(search_annotations),
        Tool::new(
            SCHEMA_TOOL,
            "Get the full input schemas of Freshservice tools before calling them.",
            object(json!({
                "type": "object",
                "properties": {
                    "names": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": MAX_SCHEMAS, "description": "Tool names from search_freshservice_tools"},
                    "name": {"type": "string", "description": "One tool name (same as names with one item)"}
                },
                "additionalProperties": false
            })),
        )
        .with_title(schema_title)
        .with_annotations(schema_annotations),
        Tool::new(
            CALL_TOOL,
            "Call a Freshservice tool by name with arguments that follow its schema.",
            object(json!({
                "type": "object",
                "properties": {
                    "name": {"type": "string", "description": "Tool name"},
                    "arguments": {"type": "object", "description": "The tool's arguments"}
                },
                "required": ["name"],
                "additionalProperties": false
            })),
        )
        .with_title("Call a Freshservice tool")
        .with_annotations(call_annotations),
    ]
}

/// Runs `search_freshservice_tools`.
pub(crate) fn search(view: &View, arguments: &JsonObject) -> CallToolResult {
    let Some(query) = arguments
        .get("query")
        .and_then(Value::as_str)
        .filter(|q| !q.trim().is_empty())
    else {
        return CallToolResult::error(
            "/query: describe the task in a few words, e.g. \"filter tickets\" or \"who approved the change\"",
        );
    };
    let tag = match arguments.get("tag") {
        None | Some(Value::Null) => None,
        Some(Value::String(tag)) => {
            let tags = freshservice_schema::catalog().tags();
            if !tags.contains(&tag.as_str()) {
                return CallToolResult::error(format!(
                    "/tag: {tag:?} is not a module; use one of {}",
                    tags.join(", ")
                ));
            }
            Some(tag.as_str())
        }
        Some(other) => {
            return CallToolResult::error(format!(
                "/tag: expected a module name such as \"changes\", got {other}"
            ));
        }
    };
    let limit = arguments
        .get("limit")
        .and_then(Value::as_u64)
        .map_or(10, |limit| limit.clamp(1, 50)) as usize;
    let ranked = rank(view, query, tag);
    let results: Vec<Value> = ranked
        .iter()
        .take(limit)
        .enumerate()
        .map(|(index, exposed)| hit(exposed, index < HITS_WITH_ARGUMENTS))
        .collect();
    CallToolResult::structured(json!({ "tools": results, "matched": ranked.len() }))
}

/// One search hit: what the tool does and, for the best hits, what calling it takes.
fn hit(exposed: &ExposedTool, with_arguments: bool) -> Value {
    let tool = &exposed.tool;
    let mut hit = json!({
        "name": tool.name,
        "description": tool.description,
        "tag": tool_tag(exposed),
        "read_only": tool.annotations.as_ref().and_then(|a| a.read_only_hint).unwrap_or(false),
    });
    if with_arguments {
        let schema = &tool.input_schema;
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|names| names.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let properties = schema.get("properties").and_then(Value::as_object);
        let required_schemas: JsonObject = required
            .iter()
            .filter_map(|name| {
                let property = properties?.get(*name)?;
                Some(((*name).to_owned(), property.clone()))
            })
            .collect();
        let optional: Vec<&str> = properties
            .map(|properties| {
                properties
                    .keys()
                    .map(String::as_str)
                    .filter(|name| !required.contains(name))
                    .collect()
            })
            .unwrap_or_default();
        hit["required"] = Value::Object(required_schemas);
        hit["optional"] = json!(optional);
    }
    hit
}

/// The view's tools for a query, best first, ranked by the catalogue's tool search (which knows
/// service-desk words: "raise an incident" finds `create_a_freshservice_ticket`).
fn rank<'v>(view: &'v View, query: &str, tag: Option<&str>) -> Vec<&'v ExposedTool> {
    let allowed = |operation: &freshservice_schema::Operation| {
        tag.is_none_or(|tag| operation.tag == tag) && view.get(&operation.name).is_some()
    };
    freshservice_schema::tool_search()
        .search(query, allowed, usize::MAX)
        .into_iter()
        .filter_map(|hit| view.get(&hit.operation.name))
        .collect()
}

/// Runs `get_freshservice_tool_schema`: one tool by `name` (answered as that tool's
/// description), or up to ten by `names` (answered as a list, with the names not found).
pub(crate) fn schema(view: &View, arguments: &JsonObject) -> CallToolResult {
    let describe = |exposed: &ExposedTool| {
        json!({
            "name": exposed.tool.name,
            "description": exposed.tool.description,
            "inputSchema": exposed.tool.input_schema,
            "annotations": exposed.tool.annotations,
        })
    };
    let names = match (arguments.get("names"), arguments.get("name")) {
        (None | Some(Value::Null), Some(Value::String(name))) => {
            return match view.get(name) {
                Some(exposed) => CallToolResult::structured(describe(exposed)),
                None => unknown(name),
            };
        }
        (Some(Value::Array(names)), _) => {
            let names: Option<Vec<&str>> = names.iter().map(Value::as_str).collect();
            match names {
                Some(names) if !names.is_empty() && names.len() <= MAX_SCHEMAS => names,
                _ => {
                    return CallToolResult::error(format!(
                        "/names: give 1 to {MAX_SCHEMAS} tool names as strings, as returned by search_freshservice_tools"
                    ));
                }
            }
        }
        _ => {
            return CallToolResult::error(
                "/names: give the tool names, as returned by search_freshservice_tools, e.g. {\"names\": [\"get_single_freshservice_ticket_by_id\"]}",
            );
        }
    };
    let mut tools = Vec::new();
    let mut missing = Vec::new();
    for name in names {
        match view.get(name) {
            Some(exposed) => tools.push(describe(exposed)),
            None => missing.push(name),
        }
    }
    if tools.is_empty() {
        return CallToolResult::error(format!(
            "No tool named {} on this server; find tools with search_freshservice_tools.",
            missing.join(", ")
        ));
    }
    let mut result = json!({ "tools": tools });
    if !missing.is_empty() {
        result["unknown"] = json!(missing);
    }
    CallToolResult::structured(result)
}

/// The error for a name this server does not offer.
pub(crate) fn unknown(name: &str) -> CallToolResult {
    CallToolResult::error(format!(
        "No tool named {name:?} on this server; find tools with search_freshservice_tools."
    ))
}

fn tool_tag(exposed: &ExposedTool) -> &'static str {
    freshservice_schema::catalog()
        .get(&exposed.tool.name)
        .map_or("", |operation| operation.tag.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_meta_tools_are_small() {
        let payload = serde_json::to_string(&json!({"tools": meta_tools()})).unwrap();
        assert!(payload.len() < 3 * 1024, "{} bytes", payload.len());
        for tool in meta_tools() {
            assert!(mcp_messages::is_valid_tool_name(&tool.name));
        }
    }
}
