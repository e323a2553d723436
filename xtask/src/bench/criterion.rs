//! The in-process criterion benches: runs them with `cargo bench` and reads each median from
//! `target/criterion/<group>/<function>/new/estimates.json`.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use super::{CRITERION_LOG, Metric, Unit};

/// One criterion bench function and how it is reported.
struct Case {
    package: &'static str,
    bench: &'static str,
    /// `<group>/<function>`, the directory under `target/criterion`.
    id: &'static str,
    name: &'static str,
    target_ns: Option<f64>,
}

const CASES: &[Case] = &[
    Case {
        package: "freshservice-mcp-server",
        bench: "token_lookup",
        id: "token/resolve",
        name: "URL-token lookup from the cache, median",
        target_ns: Some(10_000.0),
    },
    Case {
        package: "freshservice-mcp-server",
        bench: "token_lookup",
        id: "token/resolve_with_api_token",
        name: "URL-token + API-token lookup, median",
        target_ns: None,
    },
    Case {
        package: "freshservice-mcp-server",
        bench: "token_lookup",
        id: "token/verify_secret",
        name: "salted SHA-256 + constant-time compare alone, median",
        target_ns: None,
    },
    Case {
        package: "freshservice-mcp",
        bench: "routing",
        id: "route/get_single_freshservice_change_by_id",
        name: "validate + route get_single_freshservice_change_by_id, median",
        target_ns: None,
    },
    Case {
        package: "freshservice-mcp",
        bench: "routing",
        id: "route/create_a_freshservice_change",
        name: "validate + route create_a_freshservice_change (nested body), median",
        target_ns: None,
    },
    Case {
        package: "freshservice-schema",
        bench: "search",
        id: "tool_search/per_request",
        name: "tool search over the whole catalogue, one request of ten, median",
        target_ns: Some(1_000_000.0),
    },
    Case {
        package: "freshservice-schema",
        bench: "search",
        id: "tool_search/build_index",
        name: "tool search index build (once per process), median",
        target_ns: None,
    },
];

/// Runs every bench of [`CASES`] (one `cargo bench` per bench target) and returns their medians.
pub(super) fn run(root: &Path) -> Result<Vec<Metric>> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let log_path = root.join(CRITERION_LOG);
    let log =
        std::fs::File::create(&log_path).with_context(|| format!("creating {CRITERION_LOG}"))?;
    let started = SystemTime::now();
    let mut targets: Vec<(&str, &str)> = CASES.iter().map(|c| (c.package, c.bench)).collect();
    targets.dedup();
    for (package, bench) in targets {
        println!("== cargo bench -p {package} --bench {bench}");
        let status = std::process::Command::new(&cargo)
            .args(["bench", "-p", package, "--bench", bench])
            .current_dir(root)
            .stdout(log.try_clone().context("sharing the criterion log")?)
            .status()
            .context("running cargo bench")?;
        if !status.success() {
            bail!(
                "cargo bench -p {package} --bench {bench} failed ({status}); see {CRITERION_LOG}"
            );
        }
    }
    let criterion_dir = target_dir(root).join("criterion");
    CASES
        .iter()
        .map(|case| {
            let path = criterion_dir.join(case.id).join("new/estimates.json");
            let median = fresh_median(&path, started)?;
            let metric = Metric::new(case.name, median, Unit::Nanos);
            Ok(match case.target_ns {
                Some(bound) => metric.target(bound),
                None => metric,
            })
        })
        .collect()
}

/// Where cargo (and so criterion) writes, honouring `CARGO_TARGET_DIR`.
fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from)
}

/// The median point estimate (ns) of an `estimates.json` written after `since`, so a bench that
/// stopped running cannot report an old number.
fn fresh_median(path: &Path, since: SystemTime) -> Result<f64> {
    let modified = std::fs::metadata(path)
        .and_then(|meta| meta.modified())
        .with_context(|| format!("{} is missing; see {CRITERION_LOG}", path.display()))?;
    if modified < since {
        bail!(
            "{} was not rewritten by this run; see {CRITERION_LOG}",
            path.display()
        );
    }
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    median_ns(&text).with_context(|| format!("{} has no median point estimate", path.display()))
}

fn median_ns(estimates: &str) -> Option<f64> {
    serde_json::from_str::<Value>(estimates)
        .ok()?
        .get("median")?
        .get("point_estimate")?
        .as_f64()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_comes_from_the_point_estimate() {
        fn check(text: &str, want: Option<f64>) {
            assert_eq!(median_ns(text), want, "{text}");
        }
        check(
            r#"{"mean":{"point_estimate":9.0},"median":{"point_estimate":853.5,"standard_error":3.0}}"#,
            Some(853.5),
        );
        check(r#"{"mean":{"point_estimate":9.0}}"#, None);
        check("not json", None);
    }

    #[test]
    fn cases_name_distinct_directories() {
        let mut ids: Vec<&str> = CASES.iter().map(|case| case.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), CASES.len());
    }
}
