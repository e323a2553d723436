//! Project automation: `cargo xtask <command>` (the cargo-xtask convention; see `.cargo/config.toml`).
//!
//! Commands:
//! - `catalog import [--reference DIR]`: derive the endpoint catalogue from the documentation records.
//! - `catalog report`: coverage per module and the size of the tools/list payload.
//! - `catalog fmt [--check]`: rewrite (or check) the data files in canonical form.
//! - `codegen [--check]`: render (or check) `docs/tools.md` and the `tools/list` snapshot.
//! - `bench [--calls N] [--cold-runs N] [--seconds N] [--sessions N] [--no-criterion]`: stdio and HTTP overhead,
//!   throughput, cold start, RSS and criterion medians against the sandbox (`docs/performance.md`).
//! - `fuzz [--seconds N] [--target NAME]`: run the cargo-fuzz targets in `fuzz/` (needs cargo-fuzz).
//! - `search-eval [--file PATH] [--verbose]`: recall and MRR of the tool search on `fixtures/tool-search/`.
//! - `ci`: the checks `.ci/run` runs (fmt, clippy, package, tests, fuzz smoke), for developers.

mod bench;
mod catalog;
mod ci;
mod codegen;
mod fuzz;
#[cfg(test)]
mod packaging;
mod search_eval;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["catalog", rest @ ..] => catalog::run(&project_root(), rest),
        ["codegen", rest @ ..] => codegen::run(&project_root(), rest),
        ["bench", rest @ ..] => bench::run(&project_root(), rest),
        ["fuzz", rest @ ..] => fuzz::run(&project_root(), rest),
        ["search-eval", rest @ ..] => search_eval::run(&project_root(), rest),
        ["ci"] => ci::run(&project_root()),
        [] | ["help" | "--help" | "-h"] => {
            println!("{USAGE}");
            Ok(())
        }
        other => bail!("unknown command {other:?}\n{USAGE}"),
    }
}

const USAGE: &str = "usage:
  cargo xtask catalog import [--reference DIR]   derive data/*.json, samples and the held-back list
  cargo xtask catalog report                     coverage per module and tools/list payload size
  cargo xtask catalog fmt [--check]              canonicalise the catalogue data files
  cargo xtask codegen [--check]                  render docs/tools.md and the tools/list snapshot
  cargo xtask bench [--calls N] [--cold-runs N] [--seconds N] [--sessions N] [--no-criterion]
                                                 stdio and HTTP overhead vs direct calls, throughput at
                                                 1/8/64 clients, cold start, RSS, criterion medians
  cargo xtask fuzz [--seconds N] [--target NAME] run the cargo-fuzz targets in fuzz/ (60 s each)
  cargo xtask search-eval [--file PATH] [--verbose]
                                                 recall@1, recall@5 and MRR of the tool search on
                                                 fixtures/tool-search/ (--verbose: the misses)
  cargo xtask ci                                 what .ci/run checks: fmt, clippy, package, tests,
                                                 fuzz smoke (package needs a committed tree)";

/// The workspace root: the parent of this crate's manifest directory.
fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Read a file as UTF-8, naming it in the error.
fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

/// Write a file only when its content changes, so timestamps (and cargo rebuilds) follow real edits.
fn write_if_changed(path: &Path, text: &str) -> Result<bool> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == text) {
        return Ok(false);
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
    Ok(true)
}
