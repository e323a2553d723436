//! `cargo xtask fuzz [--seconds N] [--target NAME]`: builds the cargo-fuzz targets in `fuzz/` and runs each for
//! N seconds (60 by default), failing when any of them finds a crash, a timeout or an out-of-memory input.
//!
//! The toolchain is stable, and cargo-fuzz passes `-Z` flags, so every cargo-fuzz call runs with
//! `RUSTC_BOOTSTRAP=1`. The committed seeds in `fuzz/corpus/<target>` are read but never written: new inputs go to
//! a scratch corpus under `fuzz/target/corpus/<target>`, which later runs start from. Each target's libFuzzer log
//! is kept in `fuzz/target/logs/<target>.log`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

/// The fuzz targets, in run order; keep in step with the `[[bin]]` entries of `fuzz/Cargo.toml`.
const TARGETS: &[&str] = &[
    "jsonrpc_message",
    "arg_router",
    "filter_query",
    "ratelimit_headers",
];

/// The cargo-fuzz version CI installs; the hint for a missing cargo-fuzz names it too.
const CARGO_FUZZ_VERSION: &str = "0.13.2";

/// Limits for every run: bounded inputs, and one allocation of 512 MB or more counts as a failure, so unbounded
/// allocation driven by input size is caught instead of swapping the machine.
const LIBFUZZER_FLAGS: &[&str] = &[
    "-max_len=65536",
    "-rss_limit_mb=1024",
    "-malloc_limit_mb=512",
    "-timeout=10",
    "-print_final_stats=1",
];

/// cargo-fuzz build flags shared by `build` and `run`, so `run` reuses the build: AddressSanitizer and debug
/// assertions (integer overflow panics) on an optimised build.
const BUILD_FLAGS: &[&str] = &["--sanitizer", "address", "--debug-assertions"];

/// Run settings, from the command line.
#[derive(Debug, Clone, PartialEq)]
struct Settings {
    seconds: u64,
    target: Option<String>,
}

fn parse_args(args: &[&str]) -> Result<Settings> {
    let mut settings = Settings {
        seconds: 60,
        target: None,
    };
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        let value = rest
            .next()
            .with_context(|| format!("{flag} needs a value"))?;
        match *flag {
            "--seconds" => {
                settings.seconds = value
                    .parse()
                    .ok()
                    .filter(|seconds| *seconds > 0)
                    .with_context(|| {
                        format!("--seconds must be a positive integer, not {value:?}")
                    })?;
            }
            "--target" => {
                if !TARGETS.contains(value) {
                    bail!(
                        "unknown fuzz target {value:?}; the targets are {}",
                        TARGETS.join(", ")
                    );
                }
                settings.target = Some((*value).to_owned());
            }
            other => bail!("unknown flag {other:?}; use --seconds N or --target NAME"),
        }
    }
    Ok(settings)
}

/// What one target's run reported.
#[derive(Debug, Default, PartialEq)]
struct Outcome {
    executions: Option<u64>,
    per_second: Option<u64>,
    new_units: Option<u64>,
    peak_rss_mb: Option<u64>,
    /// Where libFuzzer wrote the failing input, when it found one.
    artifact: Option<String>,
}

/// Reads libFuzzer's final statistics and the artifact line from its log.
fn read_log(log: &str) -> Outcome {
    let stat = |name: &str| {
        log.lines().find_map(|line| {
            line.strip_prefix(name)?
                .strip_prefix(':')?
                .trim()
                .parse()
                .ok()
        })
    };
    Outcome {
        executions: stat("stat::number_of_executed_units"),
        per_second: stat("stat::average_exec_per_sec"),
        new_units: stat("stat::new_units_added"),
        peak_rss_mb: stat("stat::peak_rss_mb"),
        artifact: log.lines().find_map(|line| {
            let (_, path) = line.split_once("Test unit written to ")?;
            Some(path.trim().to_owned())
        }),
    }
}

pub(crate) fn run(root: &Path, args: &[&str]) -> Result<()> {
    let settings = parse_args(args)?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let fuzz_cargo = || {
        let mut command = Command::new(&cargo);
        command
            .arg("fuzz")
            .current_dir(root)
            .env("RUSTC_BOOTSTRAP", "1");
        command
    };

    let installed = fuzz_cargo()
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !installed {
        bail!(
            "cargo-fuzz is not installed; install it with `cargo install cargo-fuzz --version {CARGO_FUZZ_VERSION} --locked`"
        );
    }

    println!("== cargo fuzz build (all targets)");
    let status = fuzz_cargo()
        .arg("build")
        .args(BUILD_FLAGS)
        .status()
        .context("starting `cargo fuzz build`")?;
    if !status.success() {
        bail!("`cargo fuzz build` failed ({status})");
    }

    let targets: Vec<&str> = match &settings.target {
        Some(target) => vec![target.as_str()],
        None => TARGETS.to_vec(),
    };
    let logs = root.join("fuzz/target/logs");
    std::fs::create_dir_all(&logs).with_context(|| format!("creating {}", logs.display()))?;
    let mut failures = Vec::new();
    for target in targets {
        println!("== fuzz {target} for {} s", settings.seconds);
        let scratch = root.join("fuzz/target/corpus").join(target);
        std::fs::create_dir_all(&scratch)
            .with_context(|| format!("creating {}", scratch.display()))?;
        let seeds = root.join("fuzz/corpus").join(target);
        let log_path = logs.join(format!("{target}.log"));
        let log_file = std::fs::File::create(&log_path)
            .with_context(|| format!("creating {}", log_path.display()))?;
        let status = fuzz_cargo()
            .arg("run")
            .args(BUILD_FLAGS)
            .arg(target)
            .arg(&scratch)
            .arg(&seeds)
            .arg("--")
            .arg(format!("-max_total_time={}", settings.seconds))
            .args(LIBFUZZER_FLAGS)
            .stdout(log_file.try_clone().context("sharing the log file")?)
            .stderr(log_file)
            .status()
            .with_context(|| format!("starting `cargo fuzz run {target}`"))?;
        let log = crate::read(&log_path)?;
        let outcome = read_log(&log);
        let number = |value: Option<u64>| value.map_or_else(|| "?".to_owned(), |n| n.to_string());
        println!(
            "   {} execs, {} exec/s, {} new corpus units, peak RSS {} MB (log: {})",
            number(outcome.executions),
            number(outcome.per_second),
            number(outcome.new_units),
            number(outcome.peak_rss_mb),
            relative(root, &log_path),
        );
        if !status.success() || outcome.artifact.is_some() {
            let tail: Vec<&str> = log.lines().rev().take(40).collect();
            for line in tail.into_iter().rev() {
                eprintln!("   | {line}");
            }
            let artifact = outcome
                .artifact
                .unwrap_or_else(|| "none written (see the log)".to_owned());
            eprintln!(
                "   FAILED ({status}); crash artifact: {artifact}\n   reproduce: RUSTC_BOOTSTRAP=1 cargo fuzz run {} {target} {artifact}",
                BUILD_FLAGS.join(" ")
            );
            failures.push(format!("{target} (artifact: {artifact})"));
        }
    }
    if !failures.is_empty() {
        bail!(
            "fuzzing found problems in {}; turn each artifact into a unit test in the crate that owns the code (fuzz/README.md)",
            failures.join(", ")
        );
    }
    println!("== fuzz: no crash, timeout or out-of-memory input found");
    Ok(())
}

/// `path` relative to the workspace root when it is inside it, for shorter messages.
fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .map(PathBuf::from)
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arg_trials() {
        fn check(args: &[&str], expected: Result<(u64, Option<&str>), &str>) {
            let got = parse_args(args)
                .map(|settings| (settings.seconds, settings.target))
                .map_err(|error| error.to_string());
            match expected {
                Ok((seconds, target)) => {
                    assert_eq!(got, Ok((seconds, target.map(str::to_owned))), "{args:?}")
                }
                Err(needle) => {
                    let message = got.unwrap_err();
                    assert!(message.contains(needle), "{args:?}: {message}");
                }
            }
        }
        check(&[], Ok((60, None)));
        check(&["--seconds", "5"], Ok((5, None)));
        check(
            &["--target", "filter_query", "--seconds", "1"],
            Ok((1, Some("filter_query"))),
        );
        check(&["--seconds", "0"], Err("positive integer"));
        check(&["--seconds"], Err("needs a value"));
        check(&["--target", "nope"], Err("ratelimit_headers"));
        check(&["--runs", "3"], Err("unknown flag"));
    }

    #[test]
    fn final_stats_and_artifact_are_read() {
        let log = "#2 INITED cov: 10 ft: 11 corp: 1/1b exec/s: 0 rss: 30Mb\n\
            ==1== ERROR: libFuzzer: deadly signal\n\
            artifact_prefix='/w/fuzz/artifacts/arg_router/'; Test unit written to /w/fuzz/artifacts/arg_router/crash-ab12\n\
            stat::number_of_executed_units: 123456\n\
            stat::average_exec_per_sec:     2057\n\
            stat::new_units_added:          88\n\
            stat::slowest_unit_time_sec:    0\n\
            stat::peak_rss_mb:              71\n";
        assert_eq!(
            read_log(log),
            Outcome {
                executions: Some(123456),
                per_second: Some(2057),
                new_units: Some(88),
                peak_rss_mb: Some(71),
                artifact: Some("/w/fuzz/artifacts/arg_router/crash-ab12".to_owned()),
            }
        );
        assert_eq!(
            read_log("Done 10 runs in 1 second(s)\n"),
            Outcome::default()
        );
    }

    /// Every target must be a `[[bin]]` of the fuzz crate and have committed seeds.
    #[test]
    fn targets_match_fuzz_crate() {
        let root = crate::project_root();
        let manifest = crate::read(&root.join("fuzz/Cargo.toml")).unwrap();
        let bins: Vec<&str> = manifest
            .lines()
            .filter_map(|line| line.strip_prefix("name = \""))
            .filter_map(|rest| rest.strip_suffix('"'))
            .skip(1)
            .collect();
        assert_eq!(bins, TARGETS);
        for target in TARGETS {
            let seeds = std::fs::read_dir(root.join("fuzz/corpus").join(target))
                .unwrap()
                .count();
            assert!(seeds > 0, "{target} has no seeds");
        }
    }
}
