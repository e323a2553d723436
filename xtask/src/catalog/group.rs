//! Grouping records into endpoints: each method-and-path line, with the heading it sits under, the records that
//! continue it (extra examples), and the overview tables of its module.

use super::records::{Record, Row, Sample};

/// One documented method-and-path line with its context.
#[derive(Debug, Clone)]
pub(crate) struct Endpoint {
    /// Index of the record holding the method and path lines.
    pub(crate) record: usize,
    /// Heading of the section, product tags removed.
    pub(crate) heading: String,
    pub(crate) method: String,
    pub(crate) raw_path: String,
    pub(crate) scope: Option<String>,
    /// Rows of the tables in the section's own records.
    pub(crate) local_rows: Vec<Row>,
    /// Rows of the module overview tables.
    pub(crate) module_rows: Vec<Row>,
    pub(crate) samples: Vec<Sample>,
    /// Request bodies shown on their own (a `Request` block), parsed.
    pub(crate) requests: Vec<serde_json::Value>,
    /// Lines of the section that hold an API URL (`/api/v2/...`), for query keys.
    pub(crate) urls: Vec<String>,
    /// The section's text, lower-cased, for spotting parameter names.
    pub(crate) text: String,
}

const VERBS: &[&str] = &[
    "Create",
    "Update",
    "View",
    "List",
    "Filter",
    "Search",
    "Delete",
    "Get",
    "Add",
    "Remove",
    "Move",
    "Restore",
    "Show",
    "Retrieve",
    "Trigger",
    "Send",
    "Convert",
    "Forget",
    "Deactivate",
    "Reactivate",
    "Merge",
    "Approve",
    "Reject",
    "Submit",
    "Cancel",
    "Request",
    "Promote",
    "Demote",
    "Acknowledge",
    "Resolve",
    "Suppress",
    "Unsuppress",
    "Archive",
    "Enable",
    "Set",
    "Export",
    "Reorder",
    "Publish",
    "Edit",
    "Download",
    "Lookup",
];

fn is_module_heading(record: &Record) -> bool {
    let first = record.title.split_whitespace().next().unwrap_or("");
    record.tagged
        && record.endpoints().is_empty()
        && !VERBS.contains(&first)
        && !record.title.ends_with("Properties")
}

/// Every endpoint line in page order. `fixes` may replace a record's method and path line (by record index).
pub(crate) fn endpoints(
    records: &[Record],
    fixes: &dyn Fn(usize, &str, &str) -> (String, String),
) -> Vec<Endpoint> {
    let mut found = Vec::new();
    let mut module_rows: Vec<Row> = Vec::new();
    let mut heading: Option<usize> = None;
    for (index, record) in records.iter().enumerate() {
        if is_module_heading(record) {
            module_rows = record
                .tables()
                .into_iter()
                .flat_map(|t| rows_of(&t))
                .collect();
            for follower in records[index + 1..]
                .iter()
                .take_while(|next| !next.tagged && next.endpoints().is_empty())
            {
                module_rows.extend(follower.tables().iter().flat_map(rows_of));
            }
        }
        if record.tagged {
            heading = Some(index);
        }
        let pairs = record.endpoints();
        if pairs.is_empty() {
            continue;
        }
        let start = heading.filter(|&h| h <= index).unwrap_or(index);
        let mut end = index + 1;
        while end < records.len() && !records[end].tagged && records[end].endpoints().is_empty() {
            end += 1;
        }
        let group = &records[start..end];
        let local_rows: Vec<Row> = group
            .iter()
            .flat_map(|member| member.tables())
            .flat_map(|table| rows_of(&table))
            .collect();
        let samples: Vec<Sample> = group.iter().flat_map(Record::samples).collect();
        let requests: Vec<serde_json::Value> = group.iter().flat_map(Record::requests).collect();
        let urls: Vec<String> = group
            .iter()
            .flat_map(|member| member.lines.iter())
            .filter(|line| line.contains("/api/v2/") && !line.starts_with("curl"))
            .cloned()
            .collect();
        let text = group
            .iter()
            .flat_map(|member| member.lines.iter())
            .map(|line| line.to_lowercase())
            .collect::<Vec<_>>()
            .join("\n");
        let scope = record.scopes().into_iter().next();
        for (_, method, raw_path) in pairs {
            let (method, raw_path) = fixes(index, &method, &raw_path);
            found.push(Endpoint {
                record: index,
                heading: records[start].title.clone(),
                method,
                raw_path,
                scope: scope.clone(),
                local_rows: local_rows.clone(),
                module_rows: module_rows.clone(),
                samples: samples.clone(),
                requests: requests.clone(),
                urls: urls.clone(),
                text: text.clone(),
            });
        }
    }
    found
}

/// A table's rows; the rows of a `Metadata parameters` table belong under `metadata`.
fn rows_of(table: &super::records::Table) -> Vec<Row> {
    table
        .rows
        .iter()
        .cloned()
        .map(|mut row| {
            if table.header.starts_with("Metadata") {
                row.name = format!("metadata.{}", row.name);
            }
            row
        })
        .collect()
}
