//! `cargo xtask codegen [--check]`: files generated from the catalogue and the running service, committed so
//! reviews show what a change does to the tools a client sees.
//!
//! - `docs/tools.md`: every tool with its method, path, module and access, grouped by module.
//! - `crates/freshservice-mcp/tests/snapshots/tools.json`: the full `tools/list` result.
//!
//! Both come from a real `freshservice_mcp::McpService` driven through its public API (legacy session,
//! default filters, no network), so the snapshot is exactly what a client receives. The test
//! `codegen_is_fresh` fails when a committed file differs from what this renders (the rust-analyzer
//! `ensure_file_contents` pattern); it does not rewrite anything, so `cargo test` never dirties the tree.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result, bail};
use mcp_messages::{Message, Request, RequestId};
use serde_json::{Value, json};

/// The Markdown list of tools, relative to the workspace root.
const TOOLS_MD: &str = "docs/tools.md";
/// The `tools/list` snapshot, relative to the workspace root.
const TOOLS_JSON: &str = "crates/freshservice-mcp/tests/snapshots/tools.json";
/// What a stale file tells the developer to do.
const FIX: &str = "run `cargo xtask codegen` and commit";

/// One generated file: where it goes and what it must contain.
pub(crate) struct Generated {
    pub(crate) path: &'static str,
    pub(crate) text: String,
}

pub(crate) fn run(root: &Path, args: &[&str]) -> Result<()> {
    let check = match args {
        [] => false,
        ["--check"] => true,
        other => bail!("unexpected arguments {other:?}; use `cargo xtask codegen [--check]`"),
    };
    let files = render()?;
    if check {
        let stale = stale(root, &files);
        if !stale.is_empty() {
            bail!("{}", stale_message(&stale));
        }
        println!("codegen: {} files up to date", files.len());
        return Ok(());
    }
    for file in &files {
        if crate::write_if_changed(&root.join(file.path), &file.text)? {
            println!("updated {}", file.path);
        }
    }
    Ok(())
}

/// Every generated file, rendered in memory.
pub(crate) fn render() -> Result<Vec<Generated>> {
    let listed = tools_list()?;
    let mut snapshot = serde_json::to_string_pretty(&listed)?;
    snapshot.push('\n');
    let tools = listed["tools"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    Ok(vec![
        Generated {
            path: TOOLS_MD,
            text: tools_markdown(tools, freshservice_schema::catalog())?,
        },
        Generated {
            path: TOOLS_JSON,
            text: snapshot,
        },
    ])
}

/// For each generated file whose committed text differs: its path and the first line that differs.
fn stale(root: &Path, files: &[Generated]) -> Vec<String> {
    files
        .iter()
        .filter_map(|file| {
            let committed = match std::fs::read_to_string(root.join(file.path)) {
                Ok(text) => text,
                Err(error) => return Some(format!("{}: cannot be read ({error})", file.path)),
            };
            if committed == file.text {
                return None;
            }
            let line = committed
                .lines()
                .zip(file.text.lines())
                .position(|(old, new)| old != new)
                .unwrap_or_else(|| committed.lines().count().min(file.text.lines().count()));
            Some(format!("{}: differs from line {}", file.path, line + 1))
        })
        .collect()
}

fn stale_message(stale: &[String]) -> String {
    format!(
        "generated files are stale:\n  {}\n{FIX}",
        stale.join("\n  ")
    )
}

/// The `tools/list` result a legacy client gets from a default server, every page joined into one.
fn tools_list() -> Result<Value> {
    tools_list_with(freshservice_mcp::ToolExposure::All)
}

/// The same for a server with the given tool exposure (the catalogue report sizes both modes).
pub(crate) fn tools_list_with(exposure: freshservice_mcp::ToolExposure) -> Result<Value> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting a tokio runtime")?;
    runtime.block_on(async {
        // Listing tools never calls Freshservice; the discard port makes any accidental call fail fast.
        let client = freshservice_client::Client::builder()
            .base_url("http://127.0.0.1:9")
            .api_key("codegen")
            .build()
            .context("building the freshservice client")?;
        let service = freshservice_mcp::McpService::builder()
            .client(client)
            .tools_page_size(1000)
            .tool_exposure(exposure)
            .build()
            .context("building the MCP service")?;
        let session = freshservice_mcp::Session::new();
        let mut next_id = 0;
        let mut call = async |method: &str, params: Value| -> Result<Value> {
            next_id += 1;
            let request = Request::new(RequestId::Number(next_id), method, Some(params));
            match service.handle_request(&session, request, None).await {
                Message::Response(response) => Ok(response.result),
                Message::Error(error) => bail!("{method} failed: {}", error.error),
                other => bail!("{method} got an unexpected message: {other:?}"),
            }
        };
        call(
            "initialize",
            json!({
                "protocolVersion": mcp_messages::LATEST_LEGACY_PROTOCOL_VERSION,
                "capabilities": {},
                "clientInfo": {"name": "xtask-codegen", "version": env!("CARGO_PKG_VERSION")},
            }),
        )
        .await?;
        let mut listed = call("tools/list", json!({})).await?;
        let mut cursor = listed
            .get("nextCursor")
            .and_then(Value::as_str)
            .map(str::to_owned);
        while let Some(next) = cursor.take() {
            let page = call("tools/list", json!({"cursor": next})).await?;
            let more = page["tools"].as_array().cloned().unwrap_or_default();
            match listed["tools"].as_array_mut() {
                Some(tools) => tools.extend(more),
                None => bail!("tools/list result has no tools array"),
            }
            cursor = page
                .get("nextCursor")
                .and_then(Value::as_str)
                .map(str::to_owned);
        }
        if let Some(result) = listed.as_object_mut() {
            result.remove("nextCursor");
        }
        Ok(listed)
    })
}

/// One row of `docs/tools.md`.
struct Row<'a> {
    name: &'a str,
    method: &'a str,
    path: &'a str,
    read_only: bool,
    description: String,
}

/// HTTP methods in the order a reader expects them for one path.
fn method_rank(method: &str) -> usize {
    ["GET", "POST", "PUT", "PATCH", "DELETE"]
        .iter()
        .position(|known| *known == method)
        .unwrap_or(usize::MAX)
}

/// `docs/tools.md`: the listed tools grouped by module, rows ordered by path then method.
fn tools_markdown(tools: &[Value], catalog: &freshservice_schema::Catalog) -> Result<String> {
    let mut by_tag: BTreeMap<&str, Vec<Row<'_>>> = BTreeMap::new();
    for tool in tools {
        let name = tool["name"].as_str().context("a listed tool has no name")?;
        let Some(operation) = catalog.get(name) else {
            bail!("listed tool `{name}` is not in the catalogue");
        };
        let description = tool["description"]
            .as_str()
            .unwrap_or(&operation.description)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .replace('|', "\\|");
        by_tag.entry(&operation.tag).or_default().push(Row {
            name,
            method: operation.method.as_str(),
            path: &operation.path,
            read_only: operation.is_read_only(),
            description,
        });
    }
    for rows in by_tag.values_mut() {
        rows.sort_by(|a, b| {
            (a.path, method_rank(a.method), a.method, a.name).cmp(&(
                b.path,
                method_rank(b.method),
                b.method,
                b.name,
            ))
        });
    }

    let total = tools.len();
    let reads = by_tag
        .values()
        .flatten()
        .filter(|row| row.read_only)
        .count();
    let mut out = String::new();
    out.push_str("# Tools\n\n");
    out.push_str("Generated by `cargo xtask codegen`; do not edit.\n");
    out.push_str("The tools a server with default filters lists, from the catalogue in `crates/freshservice-schema/data`.\n");
    out.push_str("The full `tools/list` result is in `crates/freshservice-mcp/tests/snapshots/tools.json`.\n\n");
    let _ = writeln!(
        out,
        "**{total} tools** in {} modules: {reads} read (GET), {} write.\n",
        by_tag.len(),
        total - reads
    );
    out.push_str("| module | tools | read | write |\n|---|---:|---:|---:|\n");
    for (tag, rows) in &by_tag {
        let reads = rows.iter().filter(|row| row.read_only).count();
        let _ = writeln!(
            out,
            "| [{tag}](#{}) | {} | {reads} | {} |",
            tag.replace('_', "-").to_lowercase(),
            rows.len(),
            rows.len() - reads
        );
    }
    let _ = writeln!(
        out,
        "| **total** | **{total}** | **{reads}** | **{}** |",
        total - reads
    );
    for (tag, rows) in &by_tag {
        let _ = writeln!(out, "\n## {tag}\n");
        let _ = writeln!(
            out,
            "{} {}.\n",
            rows.len(),
            if rows.len() == 1 { "tool" } else { "tools" }
        );
        out.push_str("| tool | method | path | access | description |\n|---|---|---|---|---|\n");
        for row in rows {
            let _ = writeln!(
                out,
                "| `{}` | {} | `{}` | {} | {} |",
                row.name,
                row.method,
                row.path,
                if row.read_only { "read" } else { "write" },
                row.description
            );
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codegen_is_fresh() {
        let files = render().unwrap();
        let stale = stale(&crate::project_root(), &files);
        assert!(stale.is_empty(), "{}", stale_message(&stale));
    }

    #[test]
    fn stale_reports_the_file_and_first_differing_line() {
        let dir = std::env::temp_dir().join(format!("xtask-codegen-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("docs")).unwrap();
        std::fs::write(dir.join(TOOLS_MD), "a\nb\nc\n").unwrap();
        let check = |text: &str| {
            let files = [
                Generated {
                    path: TOOLS_MD,
                    text: text.to_owned(),
                },
                Generated {
                    path: TOOLS_JSON,
                    text: "{}\n".to_owned(),
                },
            ];
            stale(&dir, &files)
        };
        let missing = format!("{TOOLS_JSON}: cannot be read");
        let fresh = check("a\nb\nc\n");
        assert_eq!(fresh.len(), 1);
        assert!(fresh[0].starts_with(&missing), "{fresh:?}");
        assert_eq!(
            check("a\nX\nc\n")[0],
            format!("{TOOLS_MD}: differs from line 2")
        );
        assert_eq!(
            check("a\nb\nc\nd\n")[0],
            format!("{TOOLS_MD}: differs from line 4")
        );
        std::fs::create_dir_all(dir.join(TOOLS_JSON).parent().unwrap()).unwrap();
        std::fs::write(dir.join(TOOLS_JSON), "{}\n").unwrap();
        assert!(check("a\nb\nc\n").is_empty());
        assert!(stale_message(&check("b\n")).ends_with(FIX));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn markdown_groups_by_module_and_counts() {
        let catalog = freshservice_schema::catalog();
        let tools: Vec<Value> = catalog
            .operations()
            .iter()
            .filter(|op| op.tag == "tickets" || op.tag == "changes")
            .map(|op| json!({"name": op.name, "description": "One | two\nthree."}))
            .collect();
        let text = tools_markdown(&tools, catalog).unwrap();
        let count = |tag: &str| {
            catalog
                .operations()
                .iter()
                .filter(|op| op.tag == tag)
                .count()
        };
        assert!(text.contains(&format!("**{} tools** in 2 modules", tools.len())));
        assert!(text.contains(&format!("\n## changes\n\n{} tools.\n", count("changes"))));
        assert!(text.contains("| One \\| two three. |"));
        assert!(text.find("## changes") < text.find("## tickets"));
        let unknown = tools_markdown(&[json!({"name": "no_such_tool"})], catalog).unwrap_err();
        assert!(unknown.to_string().contains("no_such_tool"), "{unknown}");
    }
}
