//! Command-line parsing. Small enough that a hand-written parser beats a dependency, and it
//! lets every mistake produce one line that names the flag or variable to fix.

use std::path::PathBuf;
use std::time::Duration;

/// What to run.
#[derive(Debug, PartialEq)]
pub(crate) enum Command {
    Help,
    Version,
    Stdio(StdioOptions),
    Serve(ServeFlags),
    #[cfg(feature = "sandbox")]
    Sandbox(crate::demo::SandboxOptions),
    #[cfg(feature = "sandbox")]
    Demo(crate::demo::SandboxOptions),
}

/// The flags of `freshservice-mcp serve`; `config.rs` merges them with the environment and the
/// config file. Secrets have no flags: they would show in the process list.
#[derive(Default, PartialEq)]
pub(crate) struct ServeFlags {
    pub(crate) listen: Option<String>,
    pub(crate) db: Option<PathBuf>,
    pub(crate) database_url: Option<String>,
    pub(crate) config: Option<PathBuf>,
    pub(crate) public_url: Option<String>,
    pub(crate) sweep_interval: Option<String>,
    pub(crate) dev: bool,
}

impl std::fmt::Debug for ServeFlags {
    // Hand-written: a database URL usually holds a password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServeFlags")
            .field("listen", &self.listen)
            .field("db", &self.db)
            .field(
                "database_url",
                &self.database_url.as_ref().map(|_| "<redacted>"),
            )
            .field("config", &self.config)
            .field("public_url", &self.public_url)
            .field("sweep_interval", &self.sweep_interval)
            .field("dev", &self.dev)
            .finish()
    }
}

/// Settings of `freshservice-mcp stdio`.
#[derive(PartialEq)]
pub(crate) struct StdioOptions {
    pub(crate) domain: Option<String>,
    pub(crate) base_url: Option<String>,
    pub(crate) api_key: String,
    pub(crate) methods: String,
    pub(crate) tags: String,
    pub(crate) timeout: Duration,
    pub(crate) tools_page_size: usize,
    pub(crate) tool_exposure: freshservice_mcp::ToolExposure,
    pub(crate) workspaces: Vec<i64>,
    /// Retry 429s on idempotent requests, honouring Retry-After (off by default).
    pub(crate) retry_rate_limited: bool,
    /// Share of the account's per-minute budget to keep free by pacing requests (off by default).
    pub(crate) keep_free: Option<f64>,
    /// How long the account's form fields are kept before they are read again; `None`: never
    /// read them (documented schemas only).
    pub(crate) fields_ttl: Option<Duration>,
}

impl std::fmt::Debug for StdioOptions {
    // Hand-written so the API key can never reach a log line through `{:?}`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StdioOptions")
            .field("domain", &self.domain)
            .field("base_url", &self.base_url)
            .field("api_key", &"<redacted>")
            .field("methods", &self.methods)
            .field("tags", &self.tags)
            .field("timeout", &self.timeout)
            .field("tools_page_size", &self.tools_page_size)
            .field("tool_exposure", &self.tool_exposure)
            .field("workspaces", &self.workspaces)
            .field("retry_rate_limited", &self.retry_rate_limited)
            .field("keep_free", &self.keep_free)
            .field("fields_ttl", &self.fields_ttl)
            .finish()
    }
}

impl StdioOptions {
    /// Where requests go, for the start-up line (never the key).
    pub(crate) fn target_description(&self) -> String {
        match (&self.base_url, &self.domain) {
            (Some(url), _) => url.clone(),
            (None, Some(domain)) => format!("domain {domain}"),
            (None, None) => "nowhere".into(),
        }
    }
}

/// Parses the arguments (without the program name), reading variables through `env`.
pub(crate) fn parse(
    arguments: &[String],
    env: impl Fn(&str) -> Option<String>,
) -> Result<Command, String> {
    let mut arguments = arguments.iter();
    let Some(subcommand) = arguments.next() else {
        return Err(
            "missing command: run `freshservice-mcp stdio` or `freshservice-mcp serve` (see --help)"
                .into(),
        );
    };
    match subcommand.as_str() {
        "-h" | "--help" | "help" => return Ok(Command::Help),
        "-V" | "--version" => return Ok(Command::Version),
        "stdio" => {}
        "serve" => return parse_serve(arguments.as_slice()),
        #[cfg(feature = "sandbox")]
        "sandbox" => return crate::demo::parse(arguments.as_slice()).map(Command::Sandbox),
        #[cfg(feature = "sandbox")]
        "demo" => return crate::demo::parse(arguments.as_slice()).map(Command::Demo),
        #[cfg(not(feature = "sandbox"))]
        "sandbox" | "demo" => {
            return Err(format!(
                "{subcommand}: this build has no sandbox; build with the `sandbox` feature (on by default)"
            ));
        }
        other => {
            return Err(format!(
                "unknown command {other:?}: the commands are stdio, serve, sandbox, demo, --help, --version"
            ));
        }
    }
    let non_empty = |value: Option<String>| value.filter(|value| !value.trim().is_empty());
    let mut options = StdioOptions {
        domain: non_empty(env("FRESHSERVICE_DOMAIN")),
        base_url: non_empty(env("FRESHSERVICE_BASE_URL")),
        api_key: String::new(),
        methods: String::new(),
        tags: String::new(),
        timeout: Duration::from_secs(30),
        tools_page_size: 100,
        tool_exposure: freshservice_mcp::ToolExposure::Auto,
        workspaces: Vec::new(),
        retry_rate_limited: false,
        keep_free: None,
        fields_ttl: Some(freshservice_mcp::DEFAULT_PROFILE_TTL),
    };
    while let Some(flag) = arguments.next() {
        let (name, inline_value) = match flag.split_once('=') {
            Some((name, value)) if name.starts_with("--") => (name, Some(value.to_owned())),
            _ => (flag.as_str(), None),
        };
        if matches!(name, "-h" | "--help") {
            return Ok(Command::Help);
        }
        let mut value = || {
            inline_value
                .clone()
                .or_else(|| arguments.next().cloned())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match name {
            "--domain" => options.domain = Some(value()?),
            "--base-url" => options.base_url = Some(value()?),
            "--methods" => options.methods = value()?,
            "--tags" => options.tags = value()?,
            "--timeout" => {
                let text = value()?;
                let seconds: u64 = text
                    .parse()
                    .ok()
                    .filter(|seconds| (1..=600).contains(seconds))
                    .ok_or_else(|| {
                        format!(
                            "--timeout {text:?} must be a whole number of seconds from 1 to 600"
                        )
                    })?;
                options.timeout = Duration::from_secs(seconds);
            }
            "--tools-page-size" => {
                let text = value()?;
                options.tools_page_size =
                    text.parse().ok().filter(|size| *size >= 1).ok_or_else(|| {
                        format!("--tools-page-size {text:?} must be a whole number of at least 1")
                    })?;
            }
            "--tool-exposure" => options.tool_exposure = value()?.parse()?,
            "--retry-rate-limited" if inline_value.is_none() => options.retry_rate_limited = true,
            "--fields-ttl" => {
                options.fields_ttl = crate::config::fields_ttl("--fields-ttl", &value()?)?;
            }
            "--keep-free" => {
                let text = value()?;
                options.keep_free = Some(
                    text.parse::<f64>()
                        .ok()
                        .filter(|share| (0.0..1.0).contains(share))
                        .ok_or_else(|| {
                            format!(
                                "--keep-free {text:?} must be a share from 0 to below 1, e.g. 0.2"
                            )
                        })?,
                );
            }
            "--workspace" => {
                let text = value()?;
                options.workspaces = text
                    .split(',')
                    .map(|id| id.trim().parse::<i64>().ok().filter(|id| *id >= 2))
                    .collect::<Option<Vec<i64>>>()
                    .ok_or_else(|| {
                        format!("--workspace {text:?} must be workspace ids of 2 or more, comma-separated (0 = all and 1 = global cannot scope a server)")
                    })?;
            }
            "--api-key" => {
                return Err("--api-key is not accepted (it would show in the process list): set FRESHSERVICE_API_KEY".into());
            }
            other => return Err(format!("unknown option {other:?} for stdio (see --help)")),
        }
    }
    options.api_key = non_empty(env("FRESHSERVICE_API_KEY"))
        .ok_or("FRESHSERVICE_API_KEY is not set: export the API key of a Freshservice agent (Profile settings → API key)")?;
    if options.domain.is_none() && options.base_url.is_none() {
        return Err(
            "no Freshservice account given: set FRESHSERVICE_DOMAIN (e.g. acme) or pass --base-url"
                .into(),
        );
    }
    Ok(Command::Stdio(options))
}

fn parse_serve(arguments: &[String]) -> Result<Command, String> {
    let mut flags = ServeFlags::default();
    let mut arguments = arguments.iter();
    while let Some(flag) = arguments.next() {
        let (name, inline_value) = match flag.split_once('=') {
            Some((name, value)) if name.starts_with("--") => (name, Some(value.to_owned())),
            _ => (flag.as_str(), None),
        };
        if matches!(name, "-h" | "--help") {
            return Ok(Command::Help);
        }
        let mut value = || {
            inline_value
                .clone()
                .or_else(|| arguments.next().cloned())
                .filter(|value| !value.trim().is_empty())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match name {
            "--listen" => flags.listen = Some(value()?),
            "--db" => flags.db = Some(PathBuf::from(value()?)),
            "--database-url" => flags.database_url = Some(value()?),
            "--config" => flags.config = Some(PathBuf::from(value()?)),
            "--public-url" => flags.public_url = Some(value()?),
            "--sweep-interval" => flags.sweep_interval = Some(value()?),
            "--dev" if inline_value.is_none() => flags.dev = true,
            "--admin-key" | "--secret-key" => {
                let variable = if name == "--admin-key" {
                    "FRESHSERVICE_MCP_ADMIN_KEY"
                } else {
                    "FRESHSERVICE_MCP_SECRET_KEY"
                };
                return Err(format!(
                    "{name} is not accepted (it would show in the process list): set {variable} or put it in the --config file"
                ));
            }
            other => return Err(format!("unknown option {other:?} for serve (see --help)")),
        }
    }
    Ok(Command::Serve(flags))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(arguments: &[&str], env: &[(&str, &str)]) -> Result<Command, String> {
        let arguments: Vec<String> = arguments.iter().map(|a| (*a).to_owned()).collect();
        parse(&arguments, |name| {
            env.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        })
    }

    /// Arguments, environment, and a fragment the error must contain.
    type Trial<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);

    #[test]
    fn parse_trials() {
        let key = [
            ("FRESHSERVICE_API_KEY", "k"),
            ("FRESHSERVICE_DOMAIN", "acme"),
        ];
        let Ok(Command::Stdio(options)) = run(
            &["stdio", "--methods", "read", "--tags=changes,assets"],
            &key,
        ) else {
            panic!("stdio did not parse")
        };
        assert_eq!(
            (options.methods.as_str(), options.tags.as_str()),
            ("read", "changes,assets")
        );
        assert_eq!(options.domain.as_deref(), Some("acme"));
        assert_eq!(run(&["--help"], &[]), Ok(Command::Help));
        assert_eq!(run(&["stdio", "--help"], &[]), Ok(Command::Help));
        assert_eq!(run(&["--version"], &[]), Ok(Command::Version));
        assert_eq!(run(&["serve", "--help"], &[]), Ok(Command::Help));
        assert_eq!(
            run(
                &[
                    "serve",
                    "--listen",
                    "127.0.0.1:0",
                    "--db=x.db",
                    "--dev",
                    "--public-url",
                    "http://h:1"
                ],
                &[]
            ),
            Ok(Command::Serve(ServeFlags {
                listen: Some("127.0.0.1:0".into()),
                db: Some("x.db".into()),
                public_url: Some("http://h:1".into()),
                dev: true,
                ..ServeFlags::default()
            }))
        );

        let failures: &[Trial] = &[
            (&[], &key, "missing command"),
            (&["serve-forever"], &key, "unknown command"),
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
            (&["stdio", "--timeout", "0"], &key, "--timeout"),
            (
                &["stdio", "--tools-page-size", "x"],
                &key,
                "--tools-page-size",
            ),
            (&["stdio", "--methods"], &key, "--methods needs a value"),
            (&["stdio", "--api-key", "k"], &key, "FRESHSERVICE_API_KEY"),
            (&["stdio", "--bogus"], &key, "unknown option"),
            (&["stdio", "--keep-free", "1.5"], &key, "--keep-free"),
            (&["stdio", "--fields-ttl", "soon"], &key, "--fields-ttl"),
            (
                &["stdio", "--tool-exposure", "some"],
                &key,
                "all, core, discovery or auto",
            ),
            (&["stdio", "--workspace", "1"], &key, "2 or more"),
            (&["serve", "--bogus"], &[], "unknown option"),
            (&["serve", "--listen"], &[], "--listen needs a value"),
            (&["serve", "--dev=yes"], &[], "unknown option"),
            (
                &["serve", "--admin-key", "k"],
                &[],
                "FRESHSERVICE_MCP_ADMIN_KEY",
            ),
            (
                &["serve", "--secret-key=k"],
                &[],
                "FRESHSERVICE_MCP_SECRET_KEY",
            ),
        ];
        for (arguments, env, expected) in failures {
            let error = run(arguments, env).unwrap_err();
            assert!(error.contains(expected), "{arguments:?}: {error}");
        }
    }

    #[test]
    fn agent_options() {
        let key = [
            ("FRESHSERVICE_API_KEY", "k"),
            ("FRESHSERVICE_DOMAIN", "acme"),
        ];
        let Ok(Command::Stdio(options)) = run(
            &[
                "stdio",
                "--retry-rate-limited",
                "--keep-free",
                "0.25",
                "--tool-exposure",
                "discovery",
                "--workspace",
                "3,4",
                "--fields-ttl",
                "0",
            ],
            &key,
        ) else {
            panic!("did not parse")
        };
        assert!(options.retry_rate_limited);
        assert_eq!(options.keep_free, Some(0.25));
        assert_eq!(options.fields_ttl, None);
        assert_eq!(
            options.tool_exposure,
            freshservice_mcp::ToolExposure::Discovery
        );
        assert_eq!(options.workspaces, vec![3, 4]);
    }

    #[test]
    fn debug_never_shows_the_key() {
        let Ok(Command::Stdio(options)) = run(
            &["stdio"],
            &[
                ("FRESHSERVICE_API_KEY", "secret-key-123"),
                ("FRESHSERVICE_DOMAIN", "acme"),
            ],
        ) else {
            panic!()
        };
        assert!(!format!("{options:?}").contains("secret-key-123"));
    }
}
