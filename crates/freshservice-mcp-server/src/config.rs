//! Settings of `serve`, merged from flags, then environment variables, then a JSON config file,
//! then defaults (the first that has a value wins).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::cli::ServeFlags;
use crate::secrets::SecretKey;

/// Where to listen when nothing says otherwise.
pub(crate) const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// The database file when nothing says otherwise.
pub(crate) const DEFAULT_DB: &str = "./freshservice-mcp.db";

/// The settings `serve` runs with. `Debug` shows every setting but the secrets.
pub(crate) struct ServeConfig {
    pub(crate) listen: SocketAddr,
    /// `None` when nothing named a file: `serve` then uses [`DEFAULT_DB`], or memory under `--dev`.
    pub(crate) db: Option<PathBuf>,
    /// A PostgreSQL URL; when set, the data lives there instead of in SQLite.
    pub(crate) database_url: Option<DatabaseUrl>,
    /// `scheme://host[:port][/prefix]` without a trailing slash.
    pub(crate) public_url: Option<String>,
    pub(crate) admin_key: Option<String>,
    pub(crate) secret_key: Option<SecretKey>,
    pub(crate) dev: bool,
    pub(crate) sweep_interval: Duration,
    pub(crate) freshservice_timeout: Duration,
    pub(crate) tools_page_size: usize,
    /// How long an account's form fields are kept before they are read again (`None`: never
    /// read; servers keep the documented schemas).
    pub(crate) fields_ttl: Option<Duration>,
    /// The most HTTP connections open at once.
    pub(crate) max_connections: usize,
    /// From accept to a connection's first complete request.
    pub(crate) first_request_timeout: Duration,
    /// How long a connection may stay idle between requests.
    pub(crate) idle_timeout: Duration,
    /// Extra `Host` values to accept besides the listen and public addresses.
    pub(crate) allowed_hosts: Vec<String>,
    /// `Origin` values to accept from browsers.
    pub(crate) allowed_origins: Vec<String>,
}

impl std::fmt::Debug for ServeConfig {
    // Hand-written so the admin key can never reach a log line through `{:?}`; the secret key
    // and the database URL redact themselves.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServeConfig")
            .field("listen", &self.listen)
            .field("db", &self.db)
            .field("database_url", &self.database_url)
            .field("public_url", &self.public_url)
            .field("admin_key", &self.admin_key.as_ref().map(|_| "<redacted>"))
            .field("secret_key", &self.secret_key)
            .field("dev", &self.dev)
            .field("sweep_interval", &self.sweep_interval)
            .field("freshservice_timeout", &self.freshservice_timeout)
            .field("tools_page_size", &self.tools_page_size)
            .field("fields_ttl", &self.fields_ttl)
            .field("max_connections", &self.max_connections)
            .field("first_request_timeout", &self.first_request_timeout)
            .field("idle_timeout", &self.idle_timeout)
            .field("allowed_hosts", &self.allowed_hosts)
            .field("allowed_origins", &self.allowed_origins)
            .finish()
    }
}

/// The config file. Every field is optional; unknown fields are mistakes and are refused.
/// It may hold the admin key, the secret key and a database password, so it has no `Debug`.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<String>,
    db: Option<PathBuf>,
    database_url: Option<String>,
    public_url: Option<String>,
    admin_key: Option<String>,
    secret_key: Option<String>,
    sweep_interval_secs: Option<u64>,
    freshservice_timeout_secs: Option<u64>,
    tools_page_size: Option<usize>,
    fields_ttl_secs: Option<u64>,
    max_connections: Option<usize>,
    first_request_timeout_secs: Option<u64>,
    idle_timeout_secs: Option<u64>,
    #[serde(default)]
    allowed_hosts: Vec<String>,
    #[serde(default)]
    allowed_origins: Vec<String>,
}

/// Merges `flags`, the environment (read through `env`) and the config file (read through
/// `read_file`). Each error is one line naming the setting to fix; none contains a secret.
pub(crate) fn resolve(
    flags: ServeFlags,
    env: impl Fn(&str) -> Option<String>,
    read_file: impl Fn(&Path) -> std::io::Result<String>,
) -> Result<ServeConfig, String> {
    let env = |name: &str| env(name).filter(|value| !value.trim().is_empty());
    let config_path = flags
        .config
        .clone()
        .or_else(|| env("FRESHSERVICE_MCP_CONFIG").map(PathBuf::from));
    let file = match &config_path {
        Some(path) => {
            let text = read_file(path)
                .map_err(|error| format!("cannot read --config {}: {error}", path.display()))?;
            serde_json::from_str::<FileConfig>(&text).map_err(|error| {
                // serde_json names the line and column, never the neighbouring values.
                format!(
                    "--config {} is not a valid config file: {error}",
                    path.display()
                )
            })?
        }
        None => FileConfig::default(),
    };

    let listen_text = flags
        .listen
        .or_else(|| env("FRESHSERVICE_MCP_LISTEN"))
        .or(file.listen)
        .unwrap_or_else(|| DEFAULT_LISTEN.to_owned());
    let listen: SocketAddr = listen_text.trim().parse().map_err(|_| {
        format!("--listen {listen_text:?} must be an IP address and port, e.g. 127.0.0.1:8080")
    })?;

    let db = flags
        .db
        .or_else(|| env("FRESHSERVICE_MCP_DB").map(PathBuf::from))
        .or(file.db);
    let database_url = flags
        .database_url
        .or_else(|| env("FRESHSERVICE_MCP_DATABASE_URL"))
        .or(file.database_url)
        .map(|url| {
            let url = url.trim().to_owned();
            if url.starts_with("postgres://") || url.starts_with("postgresql://") {
                Ok(DatabaseUrl(url))
            } else {
                Err("the database URL must start with postgres:// (postgres://USER:PASSWORD@HOST:PORT/DATABASE)".to_owned())
            }
        })
        .transpose()?;
    if db.is_some() && database_url.is_some() {
        return Err(
            "--db (SQLite) and --database-url (PostgreSQL) both name a database: keep one".into(),
        );
    }

    let public_url = flags
        .public_url
        .or_else(|| env("FRESHSERVICE_MCP_PUBLIC_URL"))
        .or(file.public_url)
        .map(|url| check_public_url(&url))
        .transpose()?;

    let admin_key = env("FRESHSERVICE_MCP_ADMIN_KEY")
        .or(file.admin_key)
        .map(|key| key.trim().to_owned());
    if let Some(key) = &admin_key
        && (key.len() < 16 || !key.bytes().all(|byte| byte.is_ascii_graphic()))
    {
        return Err("the admin key (FRESHSERVICE_MCP_ADMIN_KEY) must be at least 16 visible ASCII characters without spaces, e.g. from `openssl rand -base64 32`".into());
    }

    let secret_key = env("FRESHSERVICE_MCP_SECRET_KEY")
        .or(file.secret_key)
        .map(|text| {
            SecretKey::parse(&text)
                .map_err(|reason| format!("FRESHSERVICE_MCP_SECRET_KEY {reason}"))
        })
        .transpose()?;

    let sweep_interval = match flags
        .sweep_interval
        .or_else(|| env("FRESHSERVICE_MCP_SWEEP_INTERVAL"))
    {
        Some(text) => text
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|seconds| (1..=86_400).contains(seconds))
            .ok_or_else(|| {
                format!(
                    "--sweep-interval {text:?} must be a whole number of seconds from 1 to 86400"
                )
            })?,
        None => match file.sweep_interval_secs {
            Some(seconds) if (1..=86_400).contains(&seconds) => seconds,
            Some(_) => return Err("sweep_interval_secs in --config must be from 1 to 86400".into()),
            None => 60,
        },
    };
    let freshservice_timeout = match file.freshservice_timeout_secs {
        Some(seconds) if (1..=600).contains(&seconds) => seconds,
        Some(_) => {
            return Err("freshservice_timeout_secs in --config must be from 1 to 600".into());
        }
        None => 30,
    };
    let tools_page_size = match file.tools_page_size {
        Some(0) => return Err("tools_page_size in --config must be at least 1".into()),
        Some(size) => size,
        None => 100,
    };

    let fields_ttl = match (env("FRESHSERVICE_MCP_FIELDS_TTL"), file.fields_ttl_secs) {
        (Some(text), _) => fields_ttl("FRESHSERVICE_MCP_FIELDS_TTL", &text)?,
        (None, Some(seconds)) => fields_ttl("fields_ttl_secs in --config", &seconds.to_string())?,
        (None, None) => Some(freshservice_mcp::DEFAULT_PROFILE_TTL),
    };

    let http_defaults = freshservice_mcp::HttpConfig::default();
    let max_connections = match file.max_connections {
        Some(0) => return Err("max_connections in --config must be at least 1".into()),
        Some(count) => count,
        None => http_defaults.max_connections,
    };
    let seconds = |value: Option<u64>, name: &str, max: u64, default: Duration| match value {
        Some(seconds) if (1..=max).contains(&seconds) => Ok(Duration::from_secs(seconds)),
        Some(_) => Err(format!("{name} in --config must be from 1 to {max}")),
        None => Ok(default),
    };
    let first_request_timeout = seconds(
        file.first_request_timeout_secs,
        "first_request_timeout_secs",
        300,
        http_defaults.first_request_timeout,
    )?;
    let idle_timeout = seconds(
        file.idle_timeout_secs,
        "idle_timeout_secs",
        3600,
        http_defaults.idle_timeout,
    )?;

    Ok(ServeConfig {
        listen,
        db,
        database_url,
        public_url,
        admin_key,
        secret_key,
        dev: flags.dev,
        sweep_interval: Duration::from_secs(sweep_interval),
        freshservice_timeout: Duration::from_secs(freshservice_timeout),
        tools_page_size,
        fields_ttl,
        max_connections,
        first_request_timeout,
        idle_timeout,
        allowed_hosts: file.allowed_hosts,
        allowed_origins: file.allowed_origins,
    })
}

/// How long an account's form fields are kept, from the seconds `text` gives for the setting
/// `name`: `None` for 0 (never read them).
pub(crate) fn fields_ttl(name: &str, text: &str) -> Result<Option<Duration>, String> {
    let seconds = text
        .trim()
        .parse::<u64>()
        .ok()
        .filter(|seconds| *seconds <= 86_400)
        .ok_or_else(|| {
            format!("{name} {text:?} must be a whole number of seconds from 0 (off) to 86400")
        })?;
    Ok((seconds > 0).then(|| Duration::from_secs(seconds)))
}

/// A PostgreSQL URL. It usually holds a password, so `Debug` does not show it.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct DatabaseUrl(pub(crate) String);

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DatabaseUrl(<redacted>)")
    }
}

/// Checks a public URL and returns it without a trailing slash.
fn check_public_url(url: &str) -> Result<String, String> {
    let url = url.trim().trim_end_matches('/');
    let parsed = url::Url::parse(url).ok().filter(|parsed| {
        matches!(parsed.scheme(), "http" | "https")
            && parsed.host_str().is_some()
            && parsed.query().is_none()
            && parsed.fragment().is_none()
            && parsed.username().is_empty()
            && parsed.password().is_none()
    });
    match parsed {
        Some(_) => Ok(url.to_owned()),
        None => Err(format!(
            "--public-url {url:?} must be an http or https URL such as https://mcp.example.com, without query or credentials"
        )),
    }
}

/// The host (with port, when not the scheme's default) of a public URL, as a `Host` header
/// carries it.
pub(crate) fn host_of(public_url: &str) -> Option<String> {
    let parsed = url::Url::parse(public_url).ok()?;
    let host = parsed.host_str()?;
    Some(match parsed.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(
        flags: ServeFlags,
        env: &[(&str, &str)],
        file: Option<&str>,
    ) -> Result<ServeConfig, String> {
        resolve(
            flags,
            |name| {
                env.iter()
                    .find(|(key, _)| *key == name)
                    .map(|(_, value)| (*value).to_owned())
            },
            |_| match file {
                Some(text) => Ok(text.to_owned()),
                None => Err(std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "no such file",
                )),
            },
        )
    }

    #[test]
    fn debug_never_shows_a_secret() {
        let admin = "admin-key-0123456789-secret";
        let secret = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
        let password = "pg-password-7391";
        let url = format!("postgres://fsmcp:{password}@127.0.0.1:5432/fsmcp");
        let flags = ServeFlags {
            database_url: Some(url.clone()),
            ..ServeFlags::default()
        };
        let flags_debug = format!("{flags:?}");
        let config = run(
            flags,
            &[
                ("FRESHSERVICE_MCP_ADMIN_KEY", admin),
                ("FRESHSERVICE_MCP_SECRET_KEY", secret),
            ],
            None,
        )
        .unwrap();
        let config_debug = format!("{config:?}");
        for (what, text) in [("ServeFlags", &flags_debug), ("ServeConfig", &config_debug)] {
            for needle in [admin, secret, password] {
                assert!(!text.contains(needle), "{what} shows a secret: {text}");
            }
        }
        assert!(config_debug.contains("listen"), "{config_debug}");
    }

    fn with_config() -> ServeFlags {
        ServeFlags {
            config: Some("c.json".into()),
            ..ServeFlags::default()
        }
    }

    #[test]
    fn defaults() {
        let config = run(ServeFlags::default(), &[], None).unwrap();
        assert_eq!(config.listen.to_string(), DEFAULT_LISTEN);
        assert_eq!(config.db, None);
        assert_eq!(config.sweep_interval, Duration::from_secs(60));
        assert!(config.admin_key.is_none() && config.secret_key.is_none() && !config.dev);
    }

    #[test]
    fn database_url_from_flag_env_or_file() {
        let url = "postgres://fsmcp:hunter2@127.0.0.1:5432/fsmcp";
        let env = [("FRESHSERVICE_MCP_DATABASE_URL", url)];
        let config = run(ServeFlags::default(), &env, None).unwrap();
        assert_eq!(config.database_url, Some(DatabaseUrl(url.into())));
        assert!(!format!("{config:?}").contains("hunter2"));

        let file = r#"{"database_url": "postgresql://u@db/x"}"#;
        let config = run(with_config(), &[], Some(file)).unwrap();
        assert_eq!(
            config.database_url,
            Some(DatabaseUrl("postgresql://u@db/x".into()))
        );

        let flags = ServeFlags {
            database_url: Some("mysql://u:hunter2@db/x".into()),
            ..ServeFlags::default()
        };
        let error = run(flags, &[], None).unwrap_err();
        assert!(
            error.contains("postgres://") && !error.contains("hunter2"),
            "{error}"
        );

        let flags = ServeFlags {
            db: Some("x.db".into()),
            ..ServeFlags::default()
        };
        let error = run(flags, &env, None).unwrap_err();
        assert!(error.contains("keep one"), "{error}");
    }

    #[test]
    fn flags_beat_env_beat_file() {
        let file = r#"{"listen": "127.0.0.1:1", "db": "file.db", "public_url": "http://file:1/",
                      "sweep_interval_secs": 5, "admin_key": "file-admin-key-0123456789"}"#;
        let config = run(with_config(), &[], Some(file)).unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:1");
        assert_eq!(config.db, Some(PathBuf::from("file.db")));
        assert_eq!(config.public_url.as_deref(), Some("http://file:1"));
        assert_eq!(config.sweep_interval, Duration::from_secs(5));
        assert_eq!(
            config.admin_key.as_deref(),
            Some("file-admin-key-0123456789")
        );

        let env = [
            ("FRESHSERVICE_MCP_LISTEN", "127.0.0.1:2"),
            ("FRESHSERVICE_MCP_DB", "env.db"),
            ("FRESHSERVICE_MCP_ADMIN_KEY", "env-admin-key-0123456789"),
            ("FRESHSERVICE_MCP_SWEEP_INTERVAL", "7"),
        ];
        let config = run(with_config(), &env, Some(file)).unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:2");
        assert_eq!(config.db, Some(PathBuf::from("env.db")));
        assert_eq!(
            config.admin_key.as_deref(),
            Some("env-admin-key-0123456789")
        );
        assert_eq!(config.sweep_interval, Duration::from_secs(7));

        let flags = ServeFlags {
            listen: Some("127.0.0.1:3".into()),
            db: Some("flag.db".into()),
            sweep_interval: Some("9".into()),
            ..with_config()
        };
        let config = run(flags, &env, Some(file)).unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:3");
        assert_eq!(config.db, Some(PathBuf::from("flag.db")));
        assert_eq!(config.sweep_interval, Duration::from_secs(9));
    }

    #[test]
    fn mistakes_are_named() {
        let secret = "do-not-echo-this-secret";
        let secret_env = [("FRESHSERVICE_MCP_SECRET_KEY", secret)];
        // Flags, environment, config file text, and a fragment the error must contain.
        type Trial<'a> = (
            ServeFlags,
            &'a [(&'a str, &'a str)],
            Option<&'a str>,
            &'a str,
        );
        let trials: Vec<Trial> = vec![
            (with_config(), &[], None, "cannot read --config"),
            (with_config(), &[], Some("{"), "not a valid config file"),
            (with_config(), &[], Some(r#"{"lisen": "x"}"#), "lisen"),
            (
                ServeFlags {
                    listen: Some("localhost:80".into()),
                    ..ServeFlags::default()
                },
                &[],
                None,
                "--listen",
            ),
            (
                ServeFlags {
                    public_url: Some("ftp://x".into()),
                    ..ServeFlags::default()
                },
                &[],
                None,
                "--public-url",
            ),
            (
                ServeFlags {
                    sweep_interval: Some("0".into()),
                    ..ServeFlags::default()
                },
                &[],
                None,
                "--sweep-interval",
            ),
            (
                ServeFlags::default(),
                &secret_env,
                None,
                "FRESHSERVICE_MCP_SECRET_KEY",
            ),
            (
                ServeFlags::default(),
                &[("FRESHSERVICE_MCP_ADMIN_KEY", "short")],
                None,
                "FRESHSERVICE_MCP_ADMIN_KEY",
            ),
            (
                with_config(),
                &[],
                Some(r#"{"tools_page_size": 0}"#),
                "tools_page_size",
            ),
        ];
        for (flags, env, file, expected) in trials {
            let error = run(flags, env, file).unwrap_err();
            assert!(error.contains(expected), "{expected}: {error}");
            assert!(!error.contains(secret), "{error}");
            assert_eq!(error.lines().count(), 1, "{error}");
        }
    }

    #[test]
    fn host_of_trials() {
        assert_eq!(
            host_of("http://127.0.0.1:8080").as_deref(),
            Some("127.0.0.1:8080")
        );
        assert_eq!(
            host_of("https://mcp.example.com/x").as_deref(),
            Some("mcp.example.com")
        );
        assert_eq!(host_of("http://[::1]:9").as_deref(), Some("[::1]:9"));
    }
}
