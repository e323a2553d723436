//! `cargo xtask search-eval [--file PATH] [--verbose]`: how well the tool search ranks the tools people ask for.
//!
//! Reads the files of `fixtures/tool-search/`, each `{"about": "...", "requests": [{"request": "...",
//! "tools": ["tool_name", ...], "module": "tag"}]}`, where a hit on any listed tool counts:
//! `requests.json` and `holdout.json` are the tuning sets (the second was held out until the first
//! round of tuning was done, then released), `unseen.json` is the held-out set, written by someone who
//! had seen neither the other sets nor the engine.
//!
//! Prints recall@1, recall@5 and MRR for each file present; for the file named by `--file PATH`
//! (`requests.json` by default) also recall@1 per module and, with `--verbose`, its misses with the
//! top five. The held-out set's requests, modules and misses are never printed, even when named by
//! `--file`: it is only a measure, so nothing gets tuned against it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use freshservice_schema::{ToolSearch, tool_search};
use serde_json::Value;

/// The first tuning set, relative to the workspace root.
const REQUESTS: &str = "fixtures/tool-search/requests.json";
/// The second tuning set (held out for the first round of tuning, then released).
const HOLDOUT: &str = "fixtures/tool-search/holdout.json";
/// The held-out set: only its figures are ever shown.
const UNSEEN: &str = "fixtures/tool-search/unseen.json";
/// Ranks looked at for the MRR; a tool further down counts as not found.
const MRR_DEPTH: usize = 50;

/// One request of a fixture file.
struct Request {
    text: String,
    tools: Vec<String>,
    module: String,
}

/// The figures of one file.
#[derive(Debug, Default)]
struct Score {
    count: usize,
    at_1: usize,
    at_5: usize,
    reciprocal_ranks: f64,
    /// `module → (requests, hits at rank 1)`.
    modules: BTreeMap<String, (usize, usize)>,
    /// `(request, expected tools, top five)` for every request not ranked first.
    misses: Vec<(String, Vec<String>, Vec<String>)>,
}

impl Score {
    fn recall_at_1(&self) -> f64 {
        ratio(self.at_1, self.count)
    }

    fn recall_at_5(&self) -> f64 {
        ratio(self.at_5, self.count)
    }

    fn mrr(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            self.reciprocal_ranks / self.count as f64
        }
    }

    fn summary(&self) -> String {
        format!(
            "{} requests: recall@1 {:.3}, recall@5 {:.3}, MRR {:.3}",
            self.count,
            self.recall_at_1(),
            self.recall_at_5(),
            self.mrr()
        )
    }
}

fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

pub(crate) fn run(root: &Path, args: &[&str]) -> Result<()> {
    let mut file: Option<PathBuf> = None;
    let mut verbose = false;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match *arg {
            "--file" => {
                let path = rest.next().context("--file needs a path")?;
                file = Some(PathBuf::from(path));
            }
            "--verbose" | "-v" => verbose = true,
            other => bail!("unknown search-eval option {other:?}"),
        }
    }
    let search = tool_search();
    let named = file.unwrap_or_else(|| root.join(REQUESTS));
    let unseen_path = root.join(UNSEEN);
    let named_is_unseen = same_file(&named, &unseen_path);
    let mut sets: Vec<(PathBuf, &str)> = vec![
        (root.join(REQUESTS), "tuning"),
        (root.join(HOLDOUT), "tuning"),
        (unseen_path.clone(), "held out"),
    ];
    if !sets.iter().any(|(path, _)| same_file(path, &named)) {
        sets.insert(0, (named.clone(), "named by --file"));
    }
    for (path, role) in &sets {
        if !path.exists() {
            println!("{}: not present", display(root, path));
            continue;
        }
        let score = evaluate(search, &load(path)?)?;
        println!("{} ({role}): {}", display(root, path), score.summary());
        if !same_file(path, &named) || named_is_unseen {
            continue;
        }
        println!("  recall@1 per module:");
        for (module, (count, hits)) in &score.modules {
            println!(
                "    {module:<24} {:.2} ({hits}/{count})",
                ratio(*hits, *count)
            );
        }
        if verbose {
            println!("  misses (not ranked first):");
            for (request, expected, top) in &score.misses {
                println!("    {request:?}\n      expected {expected:?}\n      top 5    {top:?}");
            }
        }
    }
    if named_is_unseen && verbose {
        println!("({UNSEEN} is the held-out set: its requests and misses are not shown)");
    }
    Ok(())
}

/// True when both paths name the same file (either may be relative or absent).
fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

fn display(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Reads a fixture file; every listed tool must be in the catalogue.
fn load(path: &Path) -> Result<Vec<Request>> {
    let text = crate::read(path)?;
    let value: Value =
        serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    let Some(entries) = value.get("requests").and_then(Value::as_array) else {
        bail!("{}: no `requests` array", path.display());
    };
    let catalog = freshservice_schema::catalog();
    let mut requests = Vec::with_capacity(entries.len());
    let mut unknown = 0;
    for (position, entry) in entries.iter().enumerate() {
        let text = entry.get("request").and_then(Value::as_str);
        let tools: Option<Vec<String>> =
            entry.get("tools").and_then(Value::as_array).map(|tools| {
                tools
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            });
        let (Some(text), Some(tools)) = (text, tools) else {
            bail!(
                "{}: request {position} needs `request` and `tools`",
                path.display()
            );
        };
        if tools.is_empty() {
            bail!("{}: request {position} lists no tools", path.display());
        }
        unknown += tools
            .iter()
            .filter(|tool| catalog.get(tool).is_none())
            .count();
        let module = entry
            .get("module")
            .and_then(Value::as_str)
            .unwrap_or("(none)")
            .to_owned();
        requests.push(Request {
            text: text.to_owned(),
            tools,
            module,
        });
    }
    if unknown > 0 {
        // Names are not printed: the held-out file is never shown.
        bail!(
            "{}: {unknown} listed tool name(s) are not in the catalogue",
            path.display()
        );
    }
    Ok(requests)
}

fn evaluate(search: &ToolSearch<'_>, requests: &[Request]) -> Result<Score> {
    let mut score = Score::default();
    for request in requests {
        let ranked: Vec<&str> = search
            .search(&request.text, |_| true, MRR_DEPTH)
            .into_iter()
            .map(|hit| hit.operation.name.as_str())
            .collect();
        let rank = ranked
            .iter()
            .position(|name| request.tools.iter().any(|tool| tool == name));
        score.count += 1;
        let module = score.modules.entry(request.module.clone()).or_default();
        module.0 += 1;
        if rank == Some(0) {
            score.at_1 += 1;
            module.1 += 1;
        } else {
            score.misses.push((
                request.text.clone(),
                request.tools.clone(),
                ranked
                    .iter()
                    .take(5)
                    .map(|name| (*name).to_owned())
                    .collect(),
            ));
        }
        if rank.is_some_and(|rank| rank < 5) {
            score.at_5 += 1;
        }
        if let Some(rank) = rank {
            score.reciprocal_ranks += 1.0 / (rank + 1) as f64;
        }
    }
    Ok(score)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The targets, which each tuning set must meet.
    const MIN_RECALL_AT_1: f64 = 0.85;
    const MIN_RECALL_AT_5: f64 = 0.97;
    /// Floors for the held-out set, set once a little below its first measurement (recall@1 0.871,
    /// recall@5 0.984, MRR 0.917 over 310 requests): they catch a regression, they are not a target to
    /// tune towards, and they are not to be raised by tuning against it.
    const UNSEEN_MIN_RECALL_AT_1: f64 = 0.84;
    const UNSEEN_MIN_RECALL_AT_5: f64 = 0.96;

    fn root() -> PathBuf {
        crate::project_root()
    }

    #[track_caller]
    fn check_tuning_set(file: &str) {
        let path = root().join(file);
        if !path.exists() {
            return;
        }
        let score = evaluate(tool_search(), &load(&path).unwrap()).unwrap();
        let misses: Vec<String> = score
            .misses
            .iter()
            .map(|(request, expected, top)| format!("{request:?}: want {expected:?}, got {top:?}"))
            .collect();
        assert!(
            score.recall_at_1() >= MIN_RECALL_AT_1 && score.recall_at_5() >= MIN_RECALL_AT_5,
            "{file}: {} (targets recall@1 {MIN_RECALL_AT_1}, recall@5 {MIN_RECALL_AT_5}); misses:\n{}",
            score.summary(),
            misses.join("\n")
        );
    }

    #[test]
    fn the_tuning_sets_meet_the_targets() {
        check_tuning_set(REQUESTS);
        check_tuning_set(HOLDOUT);
    }

    #[test]
    fn the_held_out_set_stays_above_its_floor() {
        let path = root().join(UNSEEN);
        if !path.exists() {
            return;
        }
        let score = evaluate(tool_search(), &load(&path).unwrap()).unwrap();
        // Only the figures: the held-out requests are never shown.
        assert!(
            score.recall_at_1() >= UNSEEN_MIN_RECALL_AT_1
                && score.recall_at_5() >= UNSEEN_MIN_RECALL_AT_5,
            "{UNSEEN}: {} (floors recall@1 {UNSEEN_MIN_RECALL_AT_1}, recall@5 {UNSEEN_MIN_RECALL_AT_5})",
            score.summary()
        );
    }

    #[test]
    fn the_held_out_set_is_recognised_by_path() {
        let root = root();
        assert!(same_file(&root.join(REQUESTS), &root.join(REQUESTS)));
        assert!(!same_file(&root.join(REQUESTS), &root.join(UNSEEN)));
    }

    #[test]
    fn figures_count_a_hit_on_any_listed_tool() {
        let requests = vec![
            Request {
                text: "list the workspaces".into(),
                tools: vec![
                    "freshservice_workspaces_filter".into(),
                    "list_all_freshservice_workspaces".into(),
                ],
                module: "workspaces".into(),
            },
            Request {
                text: "".into(),
                tools: vec!["list_all_freshservice_workspaces".into()],
                module: "workspaces".into(),
            },
        ];
        let score = evaluate(tool_search(), &requests).unwrap();
        assert_eq!(score.count, 2);
        assert_eq!(score.at_1, 1);
        assert_eq!(score.misses.len(), 1);
        assert!((score.mrr() - 0.5).abs() < 1e-9);
        assert_eq!(score.modules["workspaces"], (2, 1));
    }
}
