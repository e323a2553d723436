//! `cargo xtask catalog ...`: import the endpoint catalogue from the documentation records, report on it, and
//! keep its files canonical.
//!
//! Only this command reads the reference data beside the workspace; builds and the server never do.

mod derive;
mod group;
mod openapi;
mod overrides;
mod paths;
mod records;
mod report;
mod samples;
mod tighten;
mod types;
mod words;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde_json::{Map, Value, json};

use self::derive::Draft;

/// The data directory of the schema crate, relative to the workspace root.
const DATA_DIR: &str = "crates/freshservice-schema/data";
const SOURCES_RS: &str = "crates/freshservice-schema/src/sources.rs";
const SAMPLES_DIR: &str = "crates/freshservice-sandbox/fixtures/samples";
const HELD_BACK_MD: &str = "docs/catalog-held-back.md";
/// Files in the data directory the importer keeps (it rewrites only the per-tag files).
const KEPT_FILES: &[&str] = &["enums.json", "common.json"];
const OVERRIDES: &str = "overrides.json";

pub(crate) fn run(root: &Path, args: &[&str]) -> Result<()> {
    match args {
        ["import", rest @ ..] => {
            let reference = reference_dir(root, rest)?;
            let outcome = build(root, &reference)?;
            write(root, &outcome)?;
            report::summary(&outcome);
            if !outcome.sample_problems.is_empty() || !outcome.unused_overrides.is_empty() {
                bail!(
                    "{} sample problem(s) and {} unused override(s); record them in data/overrides.json",
                    outcome.sample_problems.len(),
                    outcome.unused_overrides.len()
                );
            }
            Ok(())
        }
        ["report", rest @ ..] => {
            let reference = reference_dir(root, rest)?;
            let outcome = build(root, &reference)?;
            report::full(&outcome)
        }
        ["fmt", rest @ ..] => fmt(root, rest.contains(&"--check")),
        _ => bail!("usage: cargo xtask catalog import|report [--reference DIR] | fmt [--check]"),
    }
}

fn reference_dir(root: &Path, args: &[&str]) -> Result<PathBuf> {
    match args {
        [] => Ok(root.join("../shared/reference")),
        ["--reference", dir] => Ok(PathBuf::from(dir)),
        other => bail!("unexpected arguments {other:?}; use --reference DIR"),
    }
}

/// One operation as the import decided it.
#[derive(Debug, Clone)]
pub(crate) struct Decided {
    pub(crate) key: String,
    pub(crate) tag: String,
    pub(crate) spec: Value,
    /// Empty when exposed.
    pub(crate) hold: Vec<String>,
    pub(crate) records: Vec<usize>,
    /// Whether the operation came from the records (not only from an override).
    pub(crate) documented: bool,
}

impl Decided {
    pub(crate) fn name(&self) -> &str {
        self.spec["name"].as_str().unwrap_or("?")
    }
    pub(crate) fn method(&self) -> &str {
        self.spec["method"].as_str().unwrap_or("?")
    }
    pub(crate) fn path(&self) -> &str {
        self.spec["path"].as_str().unwrap_or("?")
    }
}

/// Everything the import produces, before it is written.
pub(crate) struct Outcome {
    pub(crate) operations: Vec<Decided>,
    /// Operations known only by method and path: `(tag, method, path)`.
    pub(crate) bare: Vec<(String, String, String)>,
    /// Endpoint lines that could not be read: `(record index, reason)`.
    pub(crate) unreadable: Vec<(usize, String)>,
    /// Data file name → canonical text (per-tag files plus the kept files).
    pub(crate) files: BTreeMap<String, String>,
    /// Tag → operation name → fixtures.
    pub(crate) fixtures: BTreeMap<String, BTreeMap<String, Vec<Value>>>,
    pub(crate) sample_problems: Vec<(String, String)>,
    pub(crate) skipped_samples: Vec<(String, String)>,
    pub(crate) multipart_samples: usize,
    /// Samples in a section that no operation claims.
    pub(crate) unclaimed_samples: Vec<String>,
    pub(crate) unused_overrides: Vec<String>,
    pub(crate) catalog: freshservice_schema::Catalog,
}

fn build(root: &Path, reference: &Path) -> Result<Outcome> {
    let data = root.join(DATA_DIR);
    let records = records::load(&reference.join("freshservice-api-docs.json"))?;
    let typed = openapi::load_typed(&reference.join("freshservice-openapi-operations.json"))?;
    let bare = openapi::load_bare(&reference.join("freshservice-operations-not-in-openapi.json"))?;
    let overrides = overrides::load(&data.join(OVERRIDES))?;

    for (index, fix) in &overrides.records {
        let Some(record) = records.get(*index) else {
            bail!("overrides: record {index} does not exist");
        };
        if record.title != fix.title {
            bail!(
                "overrides: record {index} is titled `{}`, not `{}`; the reference changed, re-check the fix",
                record.title,
                fix.title
            );
        }
    }
    let fixes = |index: usize, method: &str, path: &str| match overrides.records.get(&index) {
        Some(fix) => (
            fix.method.clone().unwrap_or_else(|| method.to_owned()),
            fix.path.clone().unwrap_or_else(|| path.to_owned()),
        ),
        None => (method.to_owned(), path.to_owned()),
    };
    let endpoints = group::endpoints(&records, &fixes);
    let unwraps: std::collections::HashMap<String, String> = overrides
        .operations
        .iter()
        .filter_map(|(key, fix)| Some((key.clone(), fix.samples.unwrap.clone()?)))
        .collect();
    let (mut drafts, unreadable) = derive::derive(&endpoints, &typed, &unwraps);
    let derived_keys: BTreeSet<String> = drafts.iter().map(|draft| draft.key.clone()).collect();
    let unused_overrides = overrides::apply(&mut drafts, &overrides)?;
    // Descriptions that only restate a parameter's name, schema or tool are left out.
    for draft in &mut drafts {
        tighten::operation(&mut draft.spec);
    }

    // Samples are pooled per method and path and go to the operation whose key claims them.
    let mut pools: BTreeMap<(String, String), Vec<records::Sample>> = BTreeMap::new();
    for draft in &drafts {
        let route = (
            draft.spec["method"].as_str().unwrap_or_default().to_owned(),
            draft
                .key
                .split_once(' ')
                .map(|(_, rest)| rest.split('?').next().unwrap_or(rest))
                .unwrap_or_default()
                .to_owned(),
        );
        let pool = pools.entry(route).or_default();
        for sample in &draft.samples {
            if !pool.iter().any(|known| {
                known.curl.url == sample.curl.url && known.curl.body == sample.curl.body
            }) {
                pool.push(sample.clone());
            }
        }
    }

    let kept: Vec<(String, String)> = KEPT_FILES
        .iter()
        .map(|name| Ok(((*name).to_owned(), crate::read(&data.join(name))?)))
        .collect::<Result<_>>()?;

    // The gate, one operation at a time: it must load and pass every catalogue rule on its own.
    let mut decided: Vec<Decided> = Vec::new();
    for draft in drafts {
        let mut hold = draft.hold.clone();
        if hold.is_empty() {
            hold.extend(gate(&kept, &draft));
        }
        decided.push(Decided {
            documented: derived_keys.contains(&draft.key),
            key: draft.key,
            tag: draft.tag,
            spec: draft.spec,
            hold,
            records: draft.records,
        });
    }
    // Across operations: names and routes must be unique; the first in key order keeps them.
    decided.sort_by(|a, b| a.key.cmp(&b.key));
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    for operation in decided
        .iter_mut()
        .filter(|operation| operation.hold.is_empty())
    {
        let name = operation.name().to_owned();
        if let Some(first) = names.get(&name) {
            operation.hold.push(format!(
                "tool name `{name}` is already used by `{first}`; rename it in overrides"
            ));
        } else {
            names.insert(name, operation.key.clone());
        }
    }

    let (files, catalog) = loop {
        let files = render_files(&kept, &decided)?;
        let catalog = freshservice_schema::Catalog::from_sources(
            files
                .iter()
                .map(|(name, text)| (name.as_str(), text.as_str())),
        )
        .context("the generated catalogue does not load")?;
        let findings = catalog.findings();
        if findings.is_empty() {
            break (files, catalog);
        }
        // Cross-operation findings (shared routes): hold the named operations back and try again.
        for finding in findings {
            let Some(operation) = decided.iter_mut().find(|operation| {
                operation.hold.is_empty() && operation.name() == finding.operation
            }) else {
                bail!("catalogue finding without an operation: {finding}");
            };
            operation.hold.push(finding.message.clone());
        }
    };

    let mut outcome = Outcome {
        operations: decided,
        bare: Vec::new(),
        unreadable,
        files,
        fixtures: BTreeMap::new(),
        sample_problems: Vec::new(),
        skipped_samples: Vec::new(),
        multipart_samples: 0,
        unclaimed_samples: Vec::new(),
        unused_overrides,
        catalog,
    };

    // Samples of exposed operations.
    let mut claimed: BTreeSet<(String, Option<String>)> = BTreeSet::new();
    for operation in outcome
        .operations
        .iter()
        .filter(|operation| operation.hold.is_empty())
    {
        let Some(entry) = outcome.catalog.get(operation.name()) else {
            continue;
        };
        let fix = overrides
            .operations
            .get(&operation.key)
            .map(|fix| fix.samples.clone())
            .unwrap_or_default();
        let route = (
            operation.method().to_owned(),
            operation
                .key
                .split_once(' ')
                .map(|(_, rest)| rest.split('?').next().unwrap_or(rest))
                .unwrap_or_default()
                .to_owned(),
        );
        let siblings: Vec<&str> = outcome
            .operations
            .iter()
            .filter(|other| other.key != operation.key && other.key.contains('?'))
            .filter(|other| other.key.starts_with(&format!("{} {}?", route.0, route.1)))
            .map(|other| other.key.as_str())
            .collect();
        for sample in pools.get(&route).into_iter().flatten() {
            if sample.curl.method != operation.method() || !samples::claims(&operation.key, sample)
            {
                continue;
            }
            if !operation.key.contains('?')
                && siblings.iter().any(|key| samples::claims(key, sample))
            {
                continue;
            }
            claimed.insert((sample.curl.url.clone(), sample.curl.body.clone()));
            match samples::convert(entry, sample, &fix) {
                samples::Outcome::Fixture(fixture) => {
                    let list = outcome
                        .fixtures
                        .entry(operation.tag.clone())
                        .or_default()
                        .entry(operation.name().to_owned())
                        .or_default();
                    if !list.contains(&fixture) {
                        list.push(fixture);
                    }
                }
                samples::Outcome::Multipart => outcome.multipart_samples += 1,
                samples::Outcome::Skipped(reason) => {
                    outcome
                        .skipped_samples
                        .push((operation.name().to_owned(), reason));
                }
                samples::Outcome::Problem(problem) => outcome.sample_problems.push((
                    format!("{} ({})", operation.key, operation.name()),
                    format!("{problem}; url {}", sample.curl.url),
                )),
            }
        }
    }
    outcome.skipped_samples.dedup();
    // Samples no operation claims (usually a method that differs from the section's method line).
    for ((method, path), pool) in &pools {
        for sample in pool {
            if !claimed.contains(&(sample.curl.url.clone(), sample.curl.body.clone())) {
                outcome.unclaimed_samples.push(format!(
                    "{method} {path}: sample {} {}",
                    sample.curl.method, sample.curl.url
                ));
            }
        }
    }

    // Operations known only by method and path.
    let documented: BTreeSet<(String, String)> = outcome
        .operations
        .iter()
        .map(|operation| {
            (
                operation.method().to_owned(),
                openapi::shape(operation.path()),
            )
        })
        .collect();
    let mut seen = BTreeSet::new();
    for operation in bare {
        if documented.contains(&(operation.method.clone(), operation.shape.clone()))
            || !seen.insert((operation.method.clone(), operation.shape.clone()))
        {
            continue;
        }
        let _ = &operation.module;
        outcome.bare.push((
            words::tag_for(&operation.path).to_owned(),
            operation.method,
            operation.path,
        ));
    }
    Ok(outcome)
}

/// Check one draft alone against the catalogue rules.
fn gate(kept: &[(String, String)], draft: &Draft) -> Vec<String> {
    let file = json!({"tag": draft.tag, "operations": [draft.spec]});
    let text = match freshservice_schema::canonical_json("draft.json", &file.to_string()) {
        Ok(text) => text,
        Err(error) => return vec![format!("not a valid catalogue entry: {error}")],
    };
    let sources = kept
        .iter()
        .map(|(name, text)| (name.as_str(), text.as_str()))
        .chain([("draft.json", text.as_str())]);
    match freshservice_schema::Catalog::from_sources(sources) {
        // The rules that need the other operations are judged on the whole catalogue below.
        Ok(catalog) => catalog
            .operation_findings()
            .into_iter()
            .map(|finding| finding.message)
            .collect(),
        Err(error) => vec![error.to_string()],
    }
}

fn render_files(
    kept: &[(String, String)],
    decided: &[Decided],
) -> Result<BTreeMap<String, String>> {
    let mut by_tag: BTreeMap<&str, Vec<&Value>> = BTreeMap::new();
    for operation in decided.iter().filter(|operation| operation.hold.is_empty()) {
        by_tag
            .entry(&operation.tag)
            .or_default()
            .push(&operation.spec);
    }
    let mut files = BTreeMap::new();
    for (name, text) in kept {
        files.insert(
            name.clone(),
            freshservice_schema::canonical_json(name, text)?,
        );
    }
    for (tag, operations) in by_tag {
        let name = format!("{tag}.json");
        let file = json!({"tag": tag, "operations": operations});
        files.insert(
            name.clone(),
            freshservice_schema::canonical_json(&name, &file.to_string())?,
        );
    }
    Ok(files)
}

fn write(root: &Path, outcome: &Outcome) -> Result<()> {
    let data = root.join(DATA_DIR);
    // Remove per-tag files that no longer have operations.
    for entry in std::fs::read_dir(&data).with_context(|| format!("listing {}", data.display()))? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if name.ends_with(".json")
            && !KEPT_FILES.contains(&name.as_str())
            && name != OVERRIDES
            && !outcome.files.contains_key(&name)
        {
            std::fs::remove_file(data.join(&name))?;
        }
    }
    for (name, text) in &outcome.files {
        crate::write_if_changed(&data.join(name), text)?;
    }
    crate::write_if_changed(&root.join(SOURCES_RS), &sources_rs(outcome.files.keys()))?;

    let samples_dir = root.join(SAMPLES_DIR);
    if samples_dir.exists() {
        for entry in std::fs::read_dir(&samples_dir)? {
            let path = entry?.path();
            let stale = path
                .file_stem()
                .and_then(|stem| stem.to_str())
                .is_some_and(|stem| !outcome.fixtures.contains_key(stem));
            if stale && path.extension().is_some_and(|ext| ext == "json") {
                std::fs::remove_file(&path)?;
            }
        }
    }
    for (tag, operations) in &outcome.fixtures {
        let mut map = Map::new();
        for (name, list) in operations {
            map.insert(name.clone(), Value::Array(list.clone()));
        }
        let mut text = serde_json::to_string_pretty(&Value::Object(map))?;
        text.push('\n');
        crate::write_if_changed(&samples_dir.join(format!("{tag}.json")), &text)?;
    }
    crate::write_if_changed(
        &root.join(HELD_BACK_MD),
        &report::held_back_markdown(outcome),
    )?;
    Ok(())
}

fn sources_rs<'a>(names: impl Iterator<Item = &'a String>) -> String {
    let mut out = String::from(
        "//! The list of embedded data files: one `include_str!` line per file in `data/`.\n\
         //!\n\
         //! Written by `cargo xtask catalog import` (it adds a line for every per-module file it writes); a test\n\
         //! fails if a file in `data/` is missing from this list.\n\
         \n\
         /// `(file name, file text)` for every catalogue data file, in file-name order.\n\
         pub(crate) const SOURCES: &[(&str, &str)] = &[\n",
    );
    for name in names {
        let entry = format!("\"{name}\", include_str!(\"../data/{name}\")");
        // rustfmt's layout, so `cargo fmt --check` passes on a fresh import: a tuple whose items
        // are wider than its call-width limit (60) gets one item per line.
        if entry.len() > 60 {
            out.push_str(&format!(
                "    (\n        \"{name}\",\n        include_str!(\"../data/{name}\"),\n    ),\n"
            ));
        } else {
            out.push_str(&format!("    ({entry}),\n"));
        }
    }
    out.push_str("];\n");
    out
}

fn fmt(root: &Path, check: bool) -> Result<()> {
    let data = root.join(DATA_DIR);
    let mut stale = Vec::new();
    let mut names: Vec<String> = std::fs::read_dir(&data)?
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".json") && name != OVERRIDES)
        .collect();
    names.sort();
    for name in names {
        let path = data.join(&name);
        let text = crate::read(&path)?;
        let canonical = freshservice_schema::canonical_json(&name, &text)?;
        if canonical != text {
            stale.push(name.clone());
            if !check {
                std::fs::write(&path, canonical)?;
            }
        }
    }
    // The overrides file is plain pretty JSON with a final newline.
    let overrides = data.join(OVERRIDES);
    if overrides.exists() {
        let text = crate::read(&overrides)?;
        let value: Value = serde_json::from_str(&text).context("parsing overrides.json")?;
        let mut canonical = serde_json::to_string_pretty(&value)?;
        canonical.push('\n');
        if canonical != text {
            stale.push(OVERRIDES.to_owned());
            if !check {
                std::fs::write(&overrides, canonical)?;
            }
        }
    }
    if check && !stale.is_empty() {
        bail!(
            "not canonical: {}; run `cargo xtask catalog fmt`",
            stale.join(", ")
        );
    }
    for name in &stale {
        println!("formatted {name}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;
    use std::process::{Command, Stdio};

    use super::*;

    /// The generated sources list is already in rustfmt's layout, so CI's `cargo fmt --check` passes after an import.
    #[test]
    fn sources_rs_is_rustfmt_stable() {
        let mut names: Vec<String> = freshservice_schema::data_sources()
            .iter()
            .map(|(name, _)| (*name).to_owned())
            .collect();
        // Both sides of the width limit, whatever the catalogue holds today.
        names.extend(
            [
                "a.json",
                "abcdefghij.json",
                "abcdefghijk.json",
                "a_very_long_module_name.json",
            ]
            .map(String::from),
        );
        names.sort();
        let text = sources_rs(names.iter());
        let mut rustfmt =
            Command::new(std::env::var_os("RUSTFMT").unwrap_or_else(|| "rustfmt".into()))
                .args(["--edition", "2024"])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .unwrap();
        rustfmt
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        let output = rustfmt.wait_with_output().unwrap();
        assert!(output.status.success());
        assert_eq!(String::from_utf8(output.stdout).unwrap(), text);
    }
}
