//! The typed operations extracted from the old OpenAPI description, and the method-and-path-only inventory.

use std::path::Path;

use anyhow::{Context, Result};
use serde_json::Value;

/// One typed operation.
#[derive(Debug, Clone)]
pub(crate) struct TypedOperation {
    pub(crate) method: String,
    /// Path with placeholders replaced by `{}`, for matching.
    pub(crate) shape: String,
    pub(crate) query: Vec<TypedField>,
    pub(crate) body: Vec<TypedField>,
}

/// A typed query parameter or body field.
#[derive(Debug, Clone)]
pub(crate) struct TypedField {
    pub(crate) name: String,
    /// `string`, `integer`, `number`, `boolean`, `object`, `array<string>`, `array<integer>`, `array<object>`.
    pub(crate) value_type: String,
    pub(crate) required: bool,
    pub(crate) format: Option<String>,
    /// Sub-property names of objects and arrays of objects.
    pub(crate) fields: Vec<String>,
}

/// An operation known only by method and path.
#[derive(Debug, Clone)]
pub(crate) struct BareOperation {
    pub(crate) module: String,
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) shape: String,
}

/// Replace every `{...}` placeholder with `{}` so differently named placeholders compare equal.
pub(crate) fn shape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut depth = 0;
    for c in path.chars() {
        match c {
            '{' => {
                depth += 1;
                if depth == 1 {
                    out.push_str("{}");
                }
            }
            '}' => depth -= 1,
            _ if depth > 0 => {}
            _ => out.push(c),
        }
    }
    out.trim_end_matches('/').to_owned()
}

pub(crate) fn load_typed(path: &Path) -> Result<Vec<TypedOperation>> {
    let value: Value = serde_json::from_str(&crate::read(path)?)
        .with_context(|| format!("parsing {}", path.display()))?;
    let items = value
        .as_array()
        .with_context(|| format!("{} is not a JSON array", path.display()))?;
    Ok(items
        .iter()
        .map(|item| TypedOperation {
            method: item["method"].as_str().unwrap_or_default().to_uppercase(),
            shape: shape(item["path"].as_str().unwrap_or_default()),
            query: fields(&item["query_params"]),
            body: fields(&item["body_fields"]),
        })
        .collect())
}

fn fields(value: &Value) -> Vec<TypedField> {
    value
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|field| TypedField {
                    name: field["name"].as_str().unwrap_or_default().to_owned(),
                    value_type: field["type"].as_str().unwrap_or_default().to_owned(),
                    required: field["required"].as_bool().unwrap_or(false),
                    format: field["format"].as_str().map(str::to_owned),
                    fields: field["fields"]
                        .as_array()
                        .map(|names| {
                            names
                                .iter()
                                .filter_map(Value::as_str)
                                .map(str::to_owned)
                                .collect()
                        })
                        .unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default()
}

pub(crate) fn load_bare(path: &Path) -> Result<Vec<BareOperation>> {
    let value: Value = serde_json::from_str(&crate::read(path)?)
        .with_context(|| format!("parsing {}", path.display()))?;
    let items = value
        .as_array()
        .with_context(|| format!("{} is not a JSON array", path.display()))?;
    Ok(items
        .iter()
        .map(|item| {
            let path = item["path"].as_str().unwrap_or_default().to_owned();
            BareOperation {
                module: item["module"].as_str().unwrap_or_default().to_owned(),
                method: item["method"].as_str().unwrap_or_default().to_uppercase(),
                shape: shape(&path),
                path,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_ignore_placeholder_names() {
        for (path, expect) in [
            (
                "/api/v2/tickets/{ticket_id}/notes",
                "/api/v2/tickets/{}/notes",
            ),
            (
                "/api/v2/ams/alerts/{}/notes/{}",
                "/api/v2/ams/alerts/{}/notes/{}",
            ),
            ("/api/v2/roles/", "/api/v2/roles"),
        ] {
            assert_eq!(shape(path), expect);
        }
    }
}
