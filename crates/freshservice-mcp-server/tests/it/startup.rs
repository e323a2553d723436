//! Start-up failures: one clear line on stderr and a non-zero exit, never a panic.

use crate::harness::server_binary;

fn run(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut command = std::process::Command::new(server_binary());
    command
        .args(args)
        .env_remove("FRESHSERVICE_API_KEY")
        .env_remove("FRESHSERVICE_DOMAIN")
        .env_remove("FRESHSERVICE_BASE_URL")
        .stdin(std::process::Stdio::null());
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().unwrap()
}

/// Arguments, environment, and a fragment the error must contain.
type Trial<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);

#[test]
fn missing_configuration_is_one_clear_line() {
    let trials: &[Trial] = &[
        (
            &["stdio"],
            &[("FRESHSERVICE_DOMAIN", "acme")],
            "FRESHSERVICE_API_KEY",
        ),
        (
            &["stdio"],
            &[("FRESHSERVICE_API_KEY", "k")],
            "FRESHSERVICE_DOMAIN",
        ),
        (
            &["stdio", "--base-url", "http://example.com"],
            &[("FRESHSERVICE_API_KEY", "k")],
            "https",
        ),
        (
            &["stdio", "--methods", "erase"],
            &[
                ("FRESHSERVICE_API_KEY", "k"),
                ("FRESHSERVICE_DOMAIN", "acme"),
            ],
            "erase",
        ),
        (
            &["stdio", "--tags", "nothing"],
            &[
                ("FRESHSERVICE_API_KEY", "k"),
                ("FRESHSERVICE_DOMAIN", "acme"),
            ],
            "nothing",
        ),
        (&["bogus"], &[], "unknown command"),
    ];
    for (args, env, expected) in trials {
        let output = run(args, env);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{args:?} wrote to stdout");
    }
}

#[test]
fn help_and_version() {
    let help = run(&["--help"], &[]);
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("FRESHSERVICE_API_KEY"));
    let version = run(&["--version"], &[]);
    assert!(String::from_utf8_lossy(&version.stdout).starts_with("freshservice-mcp "));
}
