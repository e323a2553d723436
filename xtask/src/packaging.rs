//! Every published crate builds and tests from its own folder, as it will from its crates.io tarball.
//!
//! `cargo package` (run by `.ci/run`) proves that each crate's library and binaries build from the tarball,
//! but it never builds tests or benches, so a test reading `../../fixtures` would still pass there and fail
//! for anyone who runs the tests of the published crate. These tests close that gap:
//!
//! - no `include_str!`, `include_bytes!`, `#[path]` or `CARGO_MANIFEST_DIR` path in a crate's `src`, `tests`,
//!   `benches` or `examples` leaves the crate's folder, except in [`WORKSPACE_TESTS`];
//! - every file a packaged source reads is in the package (`cargo package --list`), and no workspace test is;
//! - every published crate carries both licence texts and valid `keywords` and `categories`.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// Integration tests of the workspace, not of a packaged crate: they run the MCP conformance suites installed
/// in the repository's `tests/conformance`. Each may read below that folder only, and none is packaged (the
/// two crates' `include` lists leave their `tests/` out).
const WORKSPACE_TESTS: &[(&str, &str)] = &[
    (
        "crates/freshservice-mcp/tests/it/http_conformance.rs",
        "tests/conformance",
    ),
    (
        "crates/freshservice-mcp-server/tests/it/conformance_serve.rs",
        "tests/conformance",
    ),
    (
        "crates/freshservice-mcp-server/tests/it/remote.rs",
        "tests/conformance",
    ),
];

/// The crates.io category slugs our crates may use (a subset of <https://crates.io/category_slugs>).
const CATEGORIES: &[&str] = &[
    "api-bindings",
    "command-line-utilities",
    "data-structures",
    "development-tools::testing",
    "encoding",
    "network-programming",
    "parser-implementations",
    "web-programming",
    "web-programming::http-client",
    "web-programming::http-server",
];

/// Where a path literal is resolved from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Base {
    /// The directory of the source file (`include_str!`, `include_bytes!`, `#[path]`).
    File,
    /// The crate's folder (`env!("CARGO_MANIFEST_DIR")` joined with a literal).
    Crate,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Str(String),
    Ident(String),
    Punct(char),
}

/// Rust source as identifiers, string literals and punctuation, without comments, numbers or lifetimes:
/// just enough to find the macros and attributes that name files.
fn tokens(source: &str) -> Vec<Token> {
    let chars: Vec<char> = source.chars().collect();
    let mut out = Vec::new();
    let mut index = 0;
    while index < chars.len() {
        let c = chars[index];
        let next = chars.get(index + 1).copied();
        if c == '/' && next == Some('/') {
            while index < chars.len() && chars[index] != '\n' {
                index += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while index < chars.len() {
                if chars[index] == '/' && chars.get(index + 1) == Some(&'*') {
                    depth += 1;
                    index += 2;
                } else if chars[index] == '*' && chars.get(index + 1) == Some(&'/') {
                    depth -= 1;
                    index += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    index += 1;
                }
            }
        } else if c == '"' {
            let mut text = String::new();
            index += 1;
            while index < chars.len() && chars[index] != '"' {
                if chars[index] == '\\' {
                    index += 1;
                    match chars.get(index) {
                        Some('n') => text.push('\n'),
                        Some('t') => text.push('\t'),
                        Some(&other) => text.push(other),
                        None => {}
                    }
                } else {
                    text.push(chars[index]);
                }
                index += 1;
            }
            index += 1;
            out.push(Token::Str(text));
        } else if (c == 'r' || c == 'b') && raw_string_start(&chars, index).is_some() {
            let (hashes, body_start) = raw_string_start(&chars, index).unwrap_or((0, index));
            let closing: Vec<char> = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            let mut end = body_start;
            while end < chars.len() && !chars[end..].starts_with(&closing) {
                end += 1;
            }
            out.push(Token::Str(chars[body_start..end].iter().collect()));
            index = end + closing.len();
        } else if c == '\'' {
            // A char literal ('x', '\n', '\u{..}') or a lifetime ('a): skip either.
            if next == Some('\\') {
                // Past the quote, the backslash and the escaped character (which may be a quote).
                index += 3;
                while index < chars.len() && chars[index] != '\'' {
                    index += 1;
                }
                index += 1;
            } else if chars.get(index + 2) == Some(&'\'') {
                index += 3;
            } else {
                index += 1;
            }
        } else if c.is_alphanumeric() || c == '_' {
            let start = index;
            while index < chars.len() && (chars[index].is_alphanumeric() || chars[index] == '_') {
                index += 1;
            }
            out.push(Token::Ident(chars[start..index].iter().collect()));
        } else {
            if !c.is_whitespace() {
                out.push(Token::Punct(c));
            }
            index += 1;
        }
    }
    out
}

/// For `r"`, `r#"`, `br"`, `b"` … at `index`: the number of `#` and where the body starts.
fn raw_string_start(chars: &[char], index: usize) -> Option<(usize, usize)> {
    // Only at the start of a token: `bar"` is an identifier followed by a string.
    if index > 0 && (chars[index - 1].is_alphanumeric() || chars[index - 1] == '_') {
        return None;
    }
    let mut at = index;
    if chars.get(at) == Some(&'b') {
        at += 1;
        if chars.get(at) == Some(&'"') {
            // A byte string: the ordinary string branch reads it from the quote.
            return None;
        }
    }
    if chars.get(at) != Some(&'r') {
        return None;
    }
    at += 1;
    let mut hashes = 0;
    while chars.get(at) == Some(&'#') {
        hashes += 1;
        at += 1;
    }
    (chars.get(at) == Some(&'"')).then_some((hashes, at + 1))
}

/// The paths a source file names for the compiler or reads at test time, each with its base.
fn file_reads(source: &str) -> Vec<(Base, String)> {
    let tokens = tokens(source);
    let mut reads = Vec::new();
    for (index, token) in tokens.iter().enumerate() {
        match token {
            // include_str!( … ) / include_bytes!( … ): the literals inside, concatenated (`concat!` pieces);
            // anything else in a `concat!` (a macro variable, `env!(…)`) becomes a `{name}` placeholder.
            Token::Ident(name)
                if (name == "include_str" || name == "include_bytes")
                    && tokens.get(index + 1) == Some(&Token::Punct('!'))
                    && tokens.get(index + 2) == Some(&Token::Punct('(')) =>
            {
                let mut depth = 0;
                let mut path = String::new();
                let mut skip_literal = false;
                for inner in &tokens[index + 2..] {
                    match inner {
                        Token::Punct('(') => depth += 1,
                        Token::Punct(')') => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        Token::Str(_) if skip_literal => skip_literal = false,
                        Token::Str(text) => path.push_str(text),
                        Token::Ident(name) if name == "concat" => {}
                        Token::Ident(name) => {
                            skip_literal = name == "env";
                            path.push_str(&format!("{{{name}}}"));
                        }
                        Token::Punct(_) => {}
                    }
                }
                reads.push((Base::File, path));
            }
            // #[path = "…"]
            Token::Ident(name)
                if name == "path"
                    && index > 0
                    && tokens[index - 1] == Token::Punct('[')
                    && tokens.get(index + 1) == Some(&Token::Punct('=')) =>
            {
                if let Some(Token::Str(path)) = tokens.get(index + 2) {
                    reads.push((Base::File, path.clone()));
                }
            }
            // env!("CARGO_MANIFEST_DIR") and the other literals of its statement (`.join("…")`,
            // `format!("{}/…", …)`, `concat!(…, "/…")`) name paths below the crate's folder.
            Token::Str(text) if text == "CARGO_MANIFEST_DIR" => {
                let is_boundary = |token: &Token| {
                    matches!(
                        token,
                        Token::Punct(';') | Token::Punct('{') | Token::Punct('}')
                    )
                };
                let start = tokens[..index]
                    .iter()
                    .rposition(is_boundary)
                    .map_or(0, |at| at + 1);
                let end = tokens[index..]
                    .iter()
                    .position(is_boundary)
                    .map_or(tokens.len(), |at| index + at);
                for other in &tokens[start..end] {
                    if let Token::Str(literal) = other
                        && literal != "CARGO_MANIFEST_DIR"
                    {
                        let relative = literal.trim_start_matches("{}").trim_start_matches('/');
                        reads.push((Base::Crate, relative.to_owned()));
                    }
                }
            }
            _ => {}
        }
    }
    reads
}

/// `base/relative` with `.` and `..` applied lexically (the files need not exist).
fn resolve(base: &Path, relative: &str) -> PathBuf {
    let mut out = PathBuf::new();
    for component in base.join(relative).components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Every `.rs` file under a folder, sorted.
fn rust_files(directory: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let Ok(entries) = std::fs::read_dir(directory) else {
        return files;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// The published crates of the workspace: name → folder (from `cargo metadata`).
fn published_crates() -> BTreeMap<String, (PathBuf, Value)> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
        ])
        .current_dir(crate::project_root())
        .output()
        .unwrap();
    assert!(output.status.success(), "cargo metadata failed");
    let metadata: Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut crates = BTreeMap::new();
    for package in metadata["packages"].as_array().unwrap() {
        // `publish = false` is an empty list of registries.
        if package["publish"].as_array().is_some_and(Vec::is_empty) {
            continue;
        }
        let manifest = PathBuf::from(package["manifest_path"].as_str().unwrap());
        let folder = manifest.parent().unwrap().to_path_buf();
        crates.insert(
            package["name"].as_str().unwrap().to_owned(),
            (folder, package.clone()),
        );
    }
    assert!(crates.len() >= 8, "only {} published crates", crates.len());
    crates
}

/// The files `cargo package` puts in a crate's tarball, relative to its folder.
fn package_list(name: &str) -> Vec<String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "package",
            "--list",
            "--allow-dirty",
            "--offline",
            "--locked",
            "-p",
            name,
        ])
        .current_dir(crate::project_root())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "cargo package --list -p {name}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Each file a crate's Rust sources read: (source file, base, literal, resolved path).
fn reads_of(folder: &Path) -> Vec<(PathBuf, String, PathBuf)> {
    let mut all = Vec::new();
    for part in ["src", "tests", "benches", "examples"] {
        for file in rust_files(&folder.join(part)) {
            let source = std::fs::read_to_string(&file).unwrap();
            for (base, literal) in file_reads(&source) {
                let from = match base {
                    Base::File => file.parent().unwrap().to_path_buf(),
                    Base::Crate => folder.to_path_buf(),
                };
                all.push((file.clone(), literal.clone(), resolve(&from, &literal)));
            }
        }
    }
    all
}

#[test]
fn packaged_crates_read_nothing_outside_themselves() {
    let root = crate::project_root();
    let mut escapes = Vec::new();
    let mut exceptions_used = Vec::new();
    for (folder, _) in published_crates().values() {
        for (file, literal, resolved) in reads_of(folder) {
            if resolved.starts_with(folder) {
                continue;
            }
            let relative_file = file
                .strip_prefix(&root)
                .unwrap()
                .to_str()
                .unwrap()
                .to_owned();
            let allowed = WORKSPACE_TESTS.iter().any(|(test, below)| {
                *test == relative_file && resolved.starts_with(root.join(below))
            });
            if allowed {
                exceptions_used.push(relative_file);
            } else {
                escapes.push(format!(
                    "{relative_file}: \"{literal}\" is outside the crate"
                ));
            }
        }
    }
    assert!(
        escapes.is_empty(),
        "a published crate must build and test from its own folder; move these files into the crate \
         (or a cross-crate check into xtask):\n{}",
        escapes.join("\n")
    );
    for (test, _) in WORKSPACE_TESTS {
        assert!(
            exceptions_used.iter().any(|used| used == test),
            "{test} no longer reads the repository root: remove it from WORKSPACE_TESTS"
        );
    }
}

#[test]
fn packages_hold_what_their_sources_read_and_no_workspace_test() {
    let root = crate::project_root();
    let mut problems = Vec::new();
    for (name, (folder, _)) in published_crates() {
        let listed = package_list(&name);
        for (test, _) in WORKSPACE_TESTS {
            let in_crate = root.join(test);
            if let Ok(relative) = in_crate.strip_prefix(&folder) {
                let relative = relative.to_str().unwrap();
                if listed.iter().any(|file| file == relative) {
                    problems.push(format!("{name}: packages the workspace test {relative}"));
                }
            }
        }
        for (file, literal, resolved) in reads_of(&folder) {
            let Ok(source) = file.strip_prefix(&folder) else {
                continue;
            };
            let Ok(target) = resolved.strip_prefix(&folder) else {
                continue;
            };
            let source = source.to_str().unwrap();
            if !listed.iter().any(|file| file == source) {
                continue;
            }
            // A placeholder (`{name}`) or a folder stands for the files under it.
            let target = target.to_str().unwrap();
            let prefix = target.split('{').next().unwrap_or(target);
            let shipped = listed
                .iter()
                .any(|file| file == target || (!prefix.is_empty() && file.starts_with(prefix)));
            if !shipped {
                problems.push(format!(
                    "{name}: {source} reads \"{literal}\", which the package leaves out (see `include` in its Cargo.toml)"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn published_crates_carry_licences_keywords_and_categories() {
    let root = crate::project_root();
    let mut problems = Vec::new();
    for (name, (folder, package)) in published_crates() {
        for licence in ["LICENSE-MIT", "LICENSE-APACHE"] {
            let ours = std::fs::read(root.join(licence)).unwrap();
            match std::fs::read(folder.join(licence)) {
                Ok(copy) if copy == ours => {}
                Ok(_) => problems.push(format!("{name}: {licence} differs from the root's")),
                Err(_) => problems.push(format!("{name}: no {licence} (copy the root's)")),
            }
        }
        if package["license"] != "MIT OR Apache-2.0" {
            problems.push(format!("{name}: license is {}", package["license"]));
        }
        let keywords = package["keywords"].as_array().unwrap();
        if keywords.is_empty() || keywords.len() > 5 {
            problems.push(format!("{name}: {} keywords (1 to 5)", keywords.len()));
        }
        for keyword in keywords {
            let keyword = keyword.as_str().unwrap();
            let valid = keyword.len() <= 20
                && keyword.starts_with(|c: char| c.is_ascii_alphabetic())
                && keyword
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '+');
            if !valid {
                problems.push(format!(
                    "{name}: keyword {keyword:?} is not a crates.io keyword"
                ));
            }
        }
        let categories = package["categories"].as_array().unwrap();
        if categories.is_empty() || categories.len() > 5 {
            problems.push(format!("{name}: {} categories (1 to 5)", categories.len()));
        }
        for category in categories {
            let category = category.as_str().unwrap();
            if !CATEGORIES.contains(&category) {
                problems.push(format!(
                    "{name}: category {category:?} is not in CATEGORIES"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(source: &str, expect: &[(Base, &str)]) {
        let found = file_reads(source);
        let expect: Vec<(Base, String)> = expect
            .iter()
            .map(|(base, path)| (*base, (*path).to_owned()))
            .collect();
        assert_eq!(found, expect, "{source}");
    }

    /// The forms the workspace uses today, and the ones that must not be mistaken for paths.
    #[test]
    fn finds_the_paths_a_source_names() {
        check(
            r#"const A: &str = include_str!("../data/a.json");"#,
            &[(Base::File, "../data/a.json")],
        );
        check(
            r#"#![doc = include_str!("../README.md")]"#,
            &[(Base::File, "../README.md")],
        );
        check(
            "include_bytes!(concat!(\n \"../../fixtures/\",\n $entity,\n \".json\"\n))",
            &[(Base::File, "../../fixtures/{entity}.json")],
        );
        check(
            r#"include_str!(concat!(env!("OUT_DIR"), "/gen.rs"))"#,
            &[(Base::File, "{env}/gen.rs")],
        );
        check(
            r#"#[path = "../shared/mod.rs"] mod shared;"#,
            &[(Base::File, "../shared/mod.rs")],
        );
        check(
            "fn d() -> PathBuf {\n    PathBuf::from(env!(\"CARGO_MANIFEST_DIR\"))\n        .join(\"../../tests/conformance\")\n}",
            &[(Base::Crate, "../../tests/conformance")],
        );
        check(
            r#"let path = format!("{}/../../fixtures/mcp/{name}", env!("CARGO_MANIFEST_DIR"));"#,
            &[(Base::Crate, "../../fixtures/mcp/{name}")],
        );
        check(
            r#"let p = concat!(env!("CARGO_MANIFEST_DIR"), "/../x");"#,
            &[(Base::Crate, "../x")],
        );
        check(
            r#"let t = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("../x");"#,
            &[],
        );
        check(
            "// include_str!(\"../../x\")\n/* #[path = \"../y\"] */ let s = \"include_str!(\\\"../z\\\")\";",
            &[],
        );
        check(
            r##"let raw = r#"include_str!("../z")"#; let c = '"'; let l: &'a str = "x";"##,
            &[],
        );
        check(
            r#"let q = '\''; let s = include_str!("../a");"#,
            &[(Base::File, "../a")],
        );
        check(r#"check("../admin", Ok("..%2Fadmin"));"#, &[]);
    }

    #[test]
    fn resolves_lexically() {
        let crate_dir = Path::new("/w/crates/a");
        for (base, literal, inside) in [
            ("/w/crates/a/src", "../README.md", true),
            ("/w/crates/a/tests/it", "../fixtures/x.json", true),
            ("/w/crates/a/src", "../../../fixtures/samples/x.json", false),
            ("/w/crates/a", "../../tests/conformance", false),
            ("/w/crates/a", "./data/../data/x", true),
            ("/w/crates/a", "../a-b/x", false),
        ] {
            assert_eq!(
                resolve(Path::new(base), literal).starts_with(crate_dir),
                inside,
                "{base} + {literal}"
            );
        }
    }
}
