//! `cargo xtask ci`: the cargo checks `.ci/run` runs, in the same order with the same flags, so a developer
//! sees locally what CI will say. `.ci/run` stays the source of truth (it also prepares the machine, including
//! `cargo install cargo-fuzz`, which is not a check and so not a step here).

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

/// The cargo invocations of `.ci/run`, in order; keep them in step with that script.
const STEPS: &[&[&str]] = &[
    &["fmt", "--all", "--", "--check"],
    &[
        "clippy",
        "--workspace",
        "--all-targets",
        "--locked",
        "--",
        "-D",
        "warnings",
    ],
    &["package", "--workspace", "--exclude", "xtask", "--locked"],
    &[
        "build",
        "--locked",
        "--no-default-features",
        "-p",
        "freshservice-mcp",
    ],
    &[
        "clippy",
        "--locked",
        "--no-default-features",
        "-p",
        "freshservice-mcp",
        "--",
        "-D",
        "warnings",
    ],
    &[
        "build",
        "--locked",
        "--no-default-features",
        "-p",
        "freshservice-mcp-server",
    ],
    &[
        "clippy",
        "--locked",
        "--no-default-features",
        "-p",
        "freshservice-mcp-server",
        "--",
        "-D",
        "warnings",
    ],
    &["test", "--workspace", "--locked"],
    &["xtask", "fuzz", "--seconds", "60"],
];

pub(crate) fn run(root: &Path) -> Result<()> {
    // `cargo xtask` sets CARGO to the cargo that runs us, so the steps use the same toolchain.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    for args in STEPS {
        let line = format!("cargo {}", args.join(" "));
        println!("== {line}");
        let status = Command::new(&cargo)
            .args(*args)
            .current_dir(root)
            .status()
            .with_context(|| format!("starting `{line}`"))?;
        if !status.success() {
            bail!("`{line}` failed ({status})");
        }
    }
    println!("== ci: all checks passed");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The steps must stay the ones `.ci/run` runs.
    #[test]
    fn steps_match_ci_script() {
        let script = crate::read(&crate::project_root().join(".ci/run")).unwrap();
        let in_script: Vec<String> = script
            .lines()
            .map(str::trim)
            .filter(|line| line.starts_with("cargo ") && !line.contains("--version"))
            // Installing tools prepares the machine; it is not a check.
            .filter(|line| !line.starts_with("cargo install "))
            .map(str::to_owned)
            .collect();
        let ours: Vec<String> = STEPS
            .iter()
            .map(|args| format!("cargo {}", args.join(" ")))
            .collect();
        assert_eq!(ours, in_script);
    }
}
