//! Discovery exposure: three meta-tools instead of hundreds.
//!
//! Listing every Freshservice tool with its schema costs tens of thousands of tokens, more than
//! many clients can spare. In discovery mode a server lists only `search_freshservice_tools`,
//! `get_freshservice_tool_schema` and `call_freshservice_tool`; they reach exactly the tools the
//! server's filters allow, with the same validation as a direct call.

use mcp_protocol::{CallToolResult, JsonObject, Tool, ToolAnnotations};
use serde_json::{Value, json};

use crate::registry::{ExposedTool, View};

/// Searches the tools by words in their names, descriptions and tags.
pub(crate) const SEARCH_TOOL: &str = "search_freshservice_tools";
/// Returns one tool's input schema.
pub(crate) const SCHEMA_TOOL: &str = "get_freshservice_tool_schema";
/// Calls a tool by name.
pub(crate) const CALL_TOOL: &str = "call_freshservice_tool";

/// How a server offers its tools.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ToolExposure {
    /// Every allowed tool is listed with its schema.
    #[default]
    All,
    /// Three meta-tools that search, describe and call the allowed tools.
    Discovery,
}

impl std::str::FromStr for ToolExposure {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, String> {
        match value.trim().to_ascii_lowercase().as_str() {
            "all" => Ok(Self::All),
            "discovery" => Ok(Self::Discovery),
            other => Err(format!(
                "unknown tool exposure {other:?}: use all or discovery"
            )),
        }
    }
}

/// The three meta-tools.
pub(crate) fn meta_tools() -> Vec<Tool> {
    let read_only = |title: &str| {
        let mut annotations = ToolAnnotations::default();
        annotations.title = Some(title.to_owned());
        annotations.read_only_hint = Some(true);
        annotations.open_world_hint = Some(false);
        annotations
    };
    let object = |value: Value| match value {
        Value::Object(object) => object,
        _ => JsonObject::new(),
    };
    let mut call_annotations = ToolAnnotations::default();
    call_annotations.title = Some("Call a Freshservice tool".to_owned());
    call_annotations.read_only_hint = Some(false);
    call_annotations.destructive_hint = Some(true);
    call_annotations.open_world_hint = Some(true);
    vec![
        Tool::new(
            SEARCH_TOOL,
            "Find Freshservice tools (tickets, changes, problems, releases, assets, projects, onboarding, people, ...) by words; returns names to use with the other two tools.",
            object(json!({
                "type": "object",
                "properties": {
                    "query": {"type": "string", "minLength": 1, "description": "Words to look for, e.g. \"filter tickets\" or \"change note\""},
                    "tag": {"type": "string", "description": "Only tools of this module, e.g. changes"},
                    "limit": {"type": "integer", "minimum": 1, "maximum": 50, "description": "Most results to return (default 10)"}
                },
                "required": ["query"],
                "additionalProperties": false
            })),
        )
        .with_annotations(read_only("Search Freshservice tools")),
        Tool::new(
            SCHEMA_TOOL,
            "Get a Freshservice tool's input schema before calling it.",
            object(json!({
                "type": "object",
                "properties": {"name": {"type": "string", "description": "Tool name from search_freshservice_tools"}},
                "required": ["name"],
                "additionalProperties": false
            })),
        )
        .with_annotations(read_only("Describe a Freshservice tool")),
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
            "/query: give some words to search for, e.g. \"filter tickets\"",
        );
    };
    let tag = arguments.get("tag").and_then(Value::as_str);
    let limit = arguments
        .get("limit")
        .and_then(Value::as_u64)
        .map_or(10, |limit| limit.clamp(1, 50)) as usize;
    let words: Vec<String> = query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(|word| singular(&word.to_lowercase()))
        .collect();
    let mut scored: Vec<(usize, &ExposedTool, &str)> = view
        .tools()
        .iter()
        .filter_map(|exposed| {
            let tool_tag = tool_tag(exposed);
            if tag.is_some_and(|tag| tag != tool_tag) {
                return None;
            }
            let name = exposed.tool.name.to_lowercase();
            let text = format!(
                "{} {}",
                exposed.tool.title.as_deref().unwrap_or(""),
                exposed.tool.description.as_deref().unwrap_or("")
            )
            .to_lowercase();
            let score: usize = words
                .iter()
                .map(|word| {
                    3 * usize::from(name.contains(word.as_str()))
                        + 2 * usize::from(tool_tag.contains(word.as_str()))
                        + usize::from(text.contains(word.as_str()))
                })
                .sum();
            (score > 0).then_some((score, exposed, tool_tag))
        })
        .collect();
    // Highest score first; shorter names first on a tie (the plain operation before its variants).
    scored.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then(a.1.tool.name.len().cmp(&b.1.tool.name.len()))
    });
    let results: Vec<Value> = scored
        .iter()
        .take(limit)
        .map(|(_, exposed, tool_tag)| {
            json!({
                "name": exposed.tool.name,
                "description": exposed.tool.description,
                "tag": tool_tag,
                "read_only": exposed.tool.annotations.as_ref().and_then(|a| a.read_only_hint).unwrap_or(false),
            })
        })
        .collect();
    CallToolResult::structured(json!({ "tools": results, "matched": scored.len() }))
}

/// Runs `get_freshservice_tool_schema`.
pub(crate) fn schema(view: &View, arguments: &JsonObject) -> CallToolResult {
    let Some(name) = arguments.get("name").and_then(Value::as_str) else {
        return CallToolResult::error(
            "/name: give the tool name, as returned by search_freshservice_tools",
        );
    };
    match view.get(name) {
        Some(exposed) => CallToolResult::structured(json!({
            "name": exposed.tool.name,
            "description": exposed.tool.description,
            "inputSchema": exposed.tool.input_schema,
            "annotations": exposed.tool.annotations,
        })),
        None => unknown(name),
    }
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

/// A crude singular, so "tickets" finds `ticket` tools and "changes" finds `change`.
fn singular(word: &str) -> String {
    if let Some(stem) = word.strip_suffix("ies") {
        format!("{stem}y")
    } else if word.len() > 3 && word.ends_with('s') && !word.ends_with("ss") {
        word[..word.len() - 1].to_owned()
    } else {
        word.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_meta_tools_are_small() {
        let payload = serde_json::to_string(&json!({"tools": meta_tools()})).unwrap();
        assert!(payload.len() < 3 * 1024, "{} bytes", payload.len());
        for tool in meta_tools() {
            assert!(mcp_protocol::is_valid_tool_name(&tool.name));
        }
    }

    #[test]
    fn singular_trials() {
        for (word, expected) in [
            ("tickets", "ticket"),
            ("changes", "change"),
            ("properties", "property"),
            ("class", "class"),
            ("cab", "cab"),
        ] {
            assert_eq!(singular(word), expected);
        }
    }
}
