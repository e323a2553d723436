//! Coverage numbers, the tools/list size per module, and the generated list of held-back operations.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use anyhow::Result;
use serde_json::{Value, json};

use super::Outcome;

/// A short class for a hold-back reason, for the per-module summary.
fn reason_class(reason: &str) -> String {
    if reason.contains("no documented type") {
        "untyped parameter".into()
    } else if reason.contains("same name as a path or query") {
        "name clash".into()
    } else if reason.contains("already used by") {
        "duplicate name".into()
    } else if reason.contains("same method, path") {
        "duplicate route".into()
    } else if reason.contains("cannot take body") {
        "body on GET/DELETE".into()
    } else {
        reason
            .split([';', ':', '('])
            .next()
            .unwrap_or(reason)
            .trim()
            .chars()
            .take(60)
            .collect()
    }
}

#[derive(Default)]
struct Counts {
    documented: usize,
    exposed: usize,
    held: usize,
    added: usize,
    bare: usize,
    reasons: BTreeMap<String, usize>,
}

fn counts(outcome: &Outcome) -> BTreeMap<String, Counts> {
    let mut by_tag: BTreeMap<String, Counts> = BTreeMap::new();
    for operation in &outcome.operations {
        let counts = by_tag.entry(operation.tag.clone()).or_default();
        if operation.documented {
            counts.documented += 1;
        } else {
            counts.added += 1;
        }
        if operation.hold.is_empty() {
            counts.exposed += 1;
        } else {
            counts.held += 1;
            for reason in &operation.hold {
                *counts.reasons.entry(reason_class(reason)).or_default() += 1;
            }
        }
    }
    for (tag, _, _) in &outcome.bare {
        by_tag.entry(tag.clone()).or_default().bare += 1;
    }
    by_tag
}

/// The short summary printed after an import.
pub(crate) fn summary(outcome: &Outcome) {
    let by_tag = counts(outcome);
    let documented: usize = by_tag.values().map(|c| c.documented).sum();
    let exposed: usize = by_tag.values().map(|c| c.exposed).sum();
    let held: usize = by_tag.values().map(|c| c.held).sum();
    let bare: usize = by_tag.values().map(|c| c.bare).sum();
    let fixtures: usize = outcome
        .fixtures
        .values()
        .flat_map(|ops| ops.values())
        .map(Vec::len)
        .sum();
    println!(
        "catalogue: {documented} documented operations, {exposed} exposed, {held} held back; {bare} known only by method and path"
    );
    println!(
        "samples: {fixtures} checked, {} skipped by overrides, {} multipart (not checked), {} unclaimed, {} problems",
        outcome.skipped_samples.len(),
        outcome.multipart_samples,
        outcome.unclaimed_samples.len(),
        outcome.sample_problems.len()
    );
    for (record, reason) in &outcome.unreadable {
        println!("unreadable endpoint line in record {record}: {reason}");
    }
    for (operation, problem) in &outcome.sample_problems {
        println!("sample problem: {operation}: {problem}");
    }
    for unclaimed in &outcome.unclaimed_samples {
        println!("unclaimed sample: {unclaimed}");
    }
    for key in &outcome.unused_overrides {
        println!("unused override: {key}");
    }
}

/// Estimated tokens of a JSON text: one per four bytes, the usual rule of thumb for English and JSON.
fn tokens(bytes: usize) -> usize {
    bytes / 4
}

/// `cargo xtask catalog report`.
pub(crate) fn full(outcome: &Outcome) -> Result<()> {
    let by_tag = counts(outcome);
    let catalog = &outcome.catalog;
    println!(
        "{:<22} {:>10} {:>8} {:>9} {:>6}  held-back reasons",
        "module", "documented", "exposed", "held", "bare"
    );
    let mut totals = Counts::default();
    for (tag, counts) in &by_tag {
        let reasons: Vec<String> = counts
            .reasons
            .iter()
            .map(|(reason, n)| format!("{reason} ×{n}"))
            .collect();
        println!(
            "{:<22} {:>10} {:>8} {:>9} {:>6}  {}",
            tag,
            counts.documented,
            counts.exposed,
            counts.held,
            counts.bare,
            reasons.join(", ")
        );
        totals.documented += counts.documented;
        totals.exposed += counts.exposed;
        totals.held += counts.held;
        totals.bare += counts.bare;
        totals.added += counts.added;
        for (reason, n) in &counts.reasons {
            *totals.reasons.entry(reason.clone()).or_default() += n;
        }
    }
    println!(
        "{:<22} {:>10} {:>8} {:>9} {:>6}",
        "total", totals.documented, totals.exposed, totals.held, totals.bare
    );
    let documented_exposed = outcome
        .operations
        .iter()
        .filter(|operation| operation.documented && operation.hold.is_empty())
        .count();
    println!();
    println!(
        "exposed: {} tools ({} of {} documented operations = {:.1}%, plus {} added by overrides)",
        catalog.operations().len(),
        documented_exposed,
        totals.documented,
        100.0 * documented_exposed as f64 / totals.documented.max(1) as f64,
        totals.added
    );
    println!("held back by reason:");
    for (reason, n) in &totals.reasons {
        println!("  {n:>4}  {reason}");
    }
    println!("  {:>4}  known only by method and path", totals.bare);

    // What a client really receives, from the service itself (default filters, every page joined).
    let listed = crate::codegen::tools_list_with(freshservice_mcp::ToolExposure::All)?;
    let tools = listed["tools"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    println!();
    println!("tools/list as served in all mode, by module (compact JSON; tokens = bytes/4):");
    print!("{}", size_table(tools, catalog));
    for (label, exposure) in [
        ("all", freshservice_mcp::ToolExposure::All),
        ("core", freshservice_mcp::ToolExposure::Core),
        ("discovery", freshservice_mcp::ToolExposure::Discovery),
    ] {
        let listed = crate::codegen::tools_list_with(exposure)?;
        let count = listed["tools"].as_array().map_or(0, Vec::len);
        let served = listed.to_string().len();
        println!(
            "tools/list as served, {label} mode: {served} bytes, about {} tokens, {count} tools ({} bytes per tool)",
            tokens(served),
            served / count.max(1)
        );
    }
    Ok(())
}

/// Per module: tools, bytes of their definitions in `{"tools": [...]}`, bytes per tool and tokens;
/// then the total, which is the length of the whole `{"tools": [...]}`.
fn size_table(tools: &[Value], catalog: &freshservice_schema::Catalog) -> String {
    let mut by_tag: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for tool in tools {
        let tag = tool["name"]
            .as_str()
            .and_then(|name| catalog.get(name))
            .map_or("(not in the catalogue)", |operation| operation.tag.as_str());
        let entry = by_tag.entry(tag).or_default();
        entry.0 += 1;
        // The tool's own JSON plus the comma that separates it from the next one.
        entry.1 += tool.to_string().len() + 1;
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<22} {:>6} {:>9} {:>9} {:>8}",
        "module", "tools", "bytes", "per tool", "tokens"
    );
    for (tag, (count, bytes)) in &by_tag {
        let _ = writeln!(
            out,
            "{:<22} {:>6} {:>9} {:>9} {:>8}",
            tag,
            count,
            bytes,
            bytes / count.max(&1),
            tokens(*bytes)
        );
    }
    let total = json!({ "tools": tools }).to_string().len();
    let _ = writeln!(
        out,
        "{:<22} {:>6} {:>9} {:>9} {:>8}",
        "total",
        tools.len(),
        total,
        total / tools.len().max(1),
        tokens(total)
    );
    out
}

/// `docs/catalog-held-back.md`.
pub(crate) fn held_back_markdown(outcome: &Outcome) -> String {
    let mut out = String::new();
    out.push_str("# Catalogue operations held back\n\n");
    out.push_str("Generated by `cargo xtask catalog import`; do not edit by hand.\n");
    out.push_str("Hand corrections go in `crates/freshservice-schema/data/overrides.json`.\n\n");
    out.push_str("An operation becomes a tool only when its documentation record yields a method, a path whose placeholders are all typed parameters, and a typed schema for every documented parameter, and the result passes the catalogue rules.\n");
    out.push_str("Everything else is listed here with the reason.\n\n");
    let held: Vec<_> = outcome
        .operations
        .iter()
        .filter(|operation| !operation.hold.is_empty())
        .collect();
    let _ = writeln!(out, "## From the documentation records ({})\n", held.len());
    if held.is_empty() {
        out.push_str("None.\n");
    } else {
        out.push_str("| module | operation | method | path | records | reason |\n|---|---|---|---|---|---|\n");
        let mut sorted = held.clone();
        sorted.sort_by(|a, b| (&a.tag, &a.key).cmp(&(&b.tag, &b.key)));
        for operation in sorted {
            let records: Vec<String> = operation.records.iter().map(ToString::to_string).collect();
            let _ = writeln!(
                out,
                "| {} | `{}` | {} | `{}` | {} | {} |",
                operation.tag,
                operation.name(),
                operation.method(),
                operation.path(),
                records.join(", "),
                operation.hold.join("; ").replace('|', "\\|")
            );
        }
    }
    let _ = writeln!(
        out,
        "\n## Known only by method and path ({})\n",
        outcome.bare.len()
    );
    out.push_str("These come from the newer method-and-path inventory and are absent from the documentation records, so nothing types their parameters.\n");
    out.push_str("They are not exposed with guessed schemas.\n\n");
    out.push_str("| module | method | path | reason |\n|---|---|---|---|\n");
    let mut bare = outcome.bare.clone();
    bare.sort();
    for (tag, method, path) in bare {
        let _ = writeln!(
            out,
            "| {tag} | {method} | `{path}` | known only by method and path |"
        );
    }
    if !outcome.unclaimed_samples.is_empty() {
        let _ = writeln!(
            out,
            "\n## Samples that fit no operation ({})\n",
            outcome.unclaimed_samples.len()
        );
        out.push_str("Sample requests whose method differs from their section's method line, or that call another endpoint (such as the background-jobs status).
");
        out.push_str(
            "They are not checked.

",
        );
        for unclaimed in &outcome.unclaimed_samples {
            let _ = writeln!(out, "- {unclaimed}");
        }
    }
    if !outcome.unreadable.is_empty() {
        let _ = writeln!(
            out,
            "\n## Unreadable endpoint lines ({})\n",
            outcome.unreadable.len()
        );
        out.push_str("| record | reason |\n|---|---|\n");
        for (record, reason) in &outcome.unreadable {
            let _ = writeln!(out, "| {record} | {} |", reason.replace('|', "\\|"));
        }
    }
    out
}
