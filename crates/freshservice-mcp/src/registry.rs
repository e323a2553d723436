//! The tool registry: catalogue operations that pass the server's filters, each with its MCP
//! tool definition and a compiled argument router.

use std::collections::HashMap;

use arg_router::{ParamSpec, QueryStyle};
use freshservice_schema::{Catalog, Operation, OperationKind, ParamLocation};
use mcp_protocol::{Tool, ToolAnnotations};

use crate::{Error, ToolFilter};

/// One exposed tool.
#[derive(Debug)]
pub(crate) struct ToolEntry {
    pub(crate) tool: Tool,
    pub(crate) router: arg_router::Operation,
}

/// The tools of one server, in catalogue order (sorted by name, so cursors are stable).
#[derive(Debug)]
pub(crate) struct Registry {
    entries: Vec<ToolEntry>,
    by_name: HashMap<String, usize>,
}

impl Registry {
    pub(crate) fn build(catalog: &'static Catalog, filter: &ToolFilter) -> Result<Self, Error> {
        let known_tags = catalog.tags();
        for tag in &filter.tags {
            if !known_tags.contains(&tag.as_str()) {
                return Err(Error::UnknownTag {
                    value: tag.clone(),
                    known: known_tags.join(", "),
                });
            }
        }
        let mut entries = Vec::new();
        for operation in catalog.operations().iter().filter(|op| filter.allows(op)) {
            entries.push(entry_for(operation)?);
        }
        if entries.is_empty() {
            return Err(Error::NoToolsLeft);
        }
        let by_name = entries
            .iter()
            .enumerate()
            .map(|(index, entry)| (entry.tool.name.clone(), index))
            .collect();
        Ok(Self { entries, by_name })
    }

    pub(crate) fn get(&self, name: &str) -> Option<&ToolEntry> {
        self.by_name.get(name).map(|index| &self.entries[*index])
    }

    pub(crate) fn entries(&self) -> &[ToolEntry] {
        &self.entries
    }
}

fn entry_for(operation: &'static Operation) -> Result<ToolEntry, Error> {
    let params = operation
        .params
        .iter()
        .map(|param| {
            let spec = match param.location {
                ParamLocation::Path => ParamSpec::path(&param.name),
                ParamLocation::Query => ParamSpec::query(&param.name),
                _ => ParamSpec::body(&param.name),
            };
            if param.quoted {
                spec.with_query_style(QueryStyle::DoubleQuoted)
            } else {
                spec
            }
        })
        .collect();
    let input_schema = operation.input_schema();
    let router = arg_router::Operation::new(
        operation.method.clone(),
        &operation.path,
        params,
        input_schema.clone(),
    )
    .map_err(|error| Error::InvalidOperation {
        name: operation.name.clone(),
        reason: error.to_string(),
    })?;
    let serde_json::Value::Object(schema_object) = input_schema else {
        return Err(Error::InvalidOperation {
            name: operation.name.clone(),
            reason: "input schema is not a JSON object".into(),
        });
    };
    let tool = Tool::new(&operation.name, &operation.description, schema_object)
        .with_title(&operation.title)
        .with_annotations(annotations_for(operation));
    Ok(ToolEntry { tool, router })
}

/// Reads are safe; creates add without overwriting; updates and deletes overwrite, and
/// repeating them changes nothing further.
fn annotations_for(operation: &Operation) -> ToolAnnotations {
    let mut annotations = ToolAnnotations::default();
    annotations.title = Some(operation.title.clone());
    annotations.open_world_hint = Some(true);
    if operation.is_read_only() {
        annotations.read_only_hint = Some(true);
    } else {
        annotations.read_only_hint = Some(false);
        let (destructive, idempotent) = match operation.kind {
            OperationKind::Create => (false, false),
            OperationKind::Update | OperationKind::Delete => (true, true),
            _ => (true, false),
        };
        annotations.destructive_hint = Some(destructive);
        annotations.idempotent_hint = Some(idempotent);
    }
    annotations
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalogue_operation_becomes_a_valid_tool() {
        let registry = Registry::build(freshservice_schema::catalog(), &ToolFilter::all()).unwrap();
        assert_eq!(
            registry.entries().len(),
            freshservice_schema::catalog().operations().len()
        );
        for entry in registry.entries() {
            assert!(
                mcp_protocol::is_valid_tool_name(&entry.tool.name),
                "{}",
                entry.tool.name
            );
            assert_eq!(
                entry.tool.input_schema["type"], "object",
                "{}",
                entry.tool.name
            );
            assert!(
                entry
                    .tool
                    .description
                    .as_deref()
                    .is_some_and(|d| !d.is_empty())
            );
            let annotations = entry.tool.annotations.as_ref().unwrap();
            let operation = freshservice_schema::catalog()
                .get(&entry.tool.name)
                .unwrap();
            if operation.is_read_only() {
                assert_eq!(annotations.read_only_hint, Some(true));
            } else {
                assert_eq!(annotations.read_only_hint, Some(false));
                assert!(annotations.destructive_hint.is_some());
            }
        }
    }

    #[test]
    fn annotation_trials() {
        let catalog = freshservice_schema::catalog();
        let trials = [
            ("list_all_freshservice_changes", Some(true), None, None),
            (
                "create_a_freshservice_change",
                Some(false),
                Some(false),
                Some(false),
            ),
            (
                "update_a_freshservice_change_by_id",
                Some(false),
                Some(true),
                Some(true),
            ),
        ];
        for (name, read_only, destructive, idempotent) in trials {
            let annotations = annotations_for(catalog.get(name).unwrap());
            assert_eq!(annotations.read_only_hint, read_only, "{name}");
            assert_eq!(annotations.destructive_hint, destructive, "{name}");
            assert_eq!(annotations.idempotent_hint, idempotent, "{name}");
        }
    }

    #[test]
    fn unknown_tags_are_refused_with_the_known_ones() {
        let filter = ToolFilter::parse("", "tickets,nope").unwrap();
        let error = Registry::build(freshservice_schema::catalog(), &filter).unwrap_err();
        let message = error.to_string();
        assert!(
            message.contains("\"nope\"") && message.contains("changes"),
            "{message}"
        );
    }
}
