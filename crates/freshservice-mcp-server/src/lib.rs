#![doc = include_str!("../README.md")]

mod admin;
mod cli;
mod clock;
mod config;
#[cfg(feature = "sandbox")]
mod demo;
mod directory;
mod error;
#[cfg(feature = "postgres")]
mod postgres;
mod secrets;
mod serve;
mod sqlite;
mod storage;
mod token_bench;

use std::process::ExitCode;

use cli::{Command, StdioOptions};
use freshservice_mcp::{McpService, ToolFilter};
#[doc(hidden)]
pub use token_bench::TokenLookup;

const USAGE: &str = "\
freshservice-mcp: the Freshservice REST API v2 as Model Context Protocol tools

USAGE:
    freshservice-mcp stdio [OPTIONS]     serve one MCP client on stdin/stdout
    freshservice-mcp serve [OPTIONS]     serve provisioned MCP servers over Streamable HTTP
    freshservice-mcp demo [--listen ADDR] [--account default|customised]
                                         run a fake Freshservice with a story and print how to connect
    freshservice-mcp sandbox [--listen ADDR] [--account default|customised]
                                         run only the fake Freshservice (default 127.0.0.1:8765, key `sandbox`);
                                         customised: custom ticket statuses, a source and custom fields

OPTIONS (stdio):
    --domain <NAME>          Freshservice domain, e.g. acme or acme.freshservice.com [env: FRESHSERVICE_DOMAIN]
    --base-url <URL>         explicit API base URL instead of a domain; plain http only for loopback [env: FRESHSERVICE_BASE_URL]
    --methods <LIST>         only these methods: read, write, list, get, create, update, delete, custom
    --tags <LIST>            only these modules, e.g. tickets,changes,assets
    --timeout <SECONDS>      timeout of each Freshservice request (default 30)
    --tools-page-size <N>    tools per tools/list page (default 100)
    --tool-exposure <MODE>   how tools are listed (every mode reaches every allowed tool):
                             auto (default): all when the allowed tools' schemas fit in 32 KiB, else core
                             all: every tool's schema (whole catalogue about 300 KB)
                             core: the everyday ticket, change, problem, asset, project and onboarding
                             tools plus the three meta-tools below (under 35 KB)
                             discovery: only the meta-tools that search, describe and call tools (about 2 KB)
    --workspace <IDS>        scope to these workspaces: one id is filled in for you; several must be named per call
    --retry-rate-limited     retry a 429 on reads, updates and deletes after Retry-After (never creates; off by default)
    --keep-free <SHARE>      pace requests to keep this share of the account's per-minute budget free, e.g. 0.2
    --fields-ttl <SECS>      read the account's form fields (custom statuses, sources, fields, categories) in the
                             background and shape the tools' schemas with them, again after SECS (default 600;
                             0: never, the documented schemas only)

The API key is read from FRESHSERVICE_API_KEY only, so it never shows in a process list.
Logs go to stderr; stdout carries only MCP messages.

OPTIONS (serve):
    --listen <ADDR:PORT>     where to listen (default 127.0.0.1:8080) [env: FRESHSERVICE_MCP_LISTEN]
    --db <PATH>              SQLite database file (default ./freshservice-mcp.db) [env: FRESHSERVICE_MCP_DB]
    --database-url <URL>     PostgreSQL instead of SQLite, shared by several instances:
                             postgres://USER:PASSWORD@HOST:PORT/DB [env: FRESHSERVICE_MCP_DATABASE_URL,
                             which keeps the password out of the process list]
    --public-url <URL>       base of the MCP URLs handed out (default http://<listen address>) [env: FRESHSERVICE_MCP_PUBLIC_URL]
    --config <FILE>          JSON config file; flags beat the environment, which beats the file [env: FRESHSERVICE_MCP_CONFIG]
    --sweep-interval <SECS>  how often expired servers are deleted (default 60) [env: FRESHSERVICE_MCP_SWEEP_INTERVAL]
    --dev                    generate a throwaway admin key and secret key (printed on stderr) and,
                             without --db, keep everything in memory

Secrets come from the environment or the config file only:
    FRESHSERVICE_MCP_ADMIN_KEY    the admin API's bearer key (at least 16 characters)
    FRESHSERVICE_MCP_SECRET_KEY   32 bytes in base64 or hex that encrypt stored Freshservice API keys

Each account's form fields shape its servers' schemas, read once per account and kept for
FRESHSERVICE_MCP_FIELDS_TTL seconds (or fields_ttl_secs in --config; default 600, 0: never read).

Admin API (Authorization: Bearer <admin key>): POST/GET /integrated-account, GET/DELETE
/integrated-account/{id}, POST/GET /integrated-account/{id}/mcp, GET/DELETE
/integrated-account/{id}/mcp/{mcp_id}, POST/GET /integrated-account/{id}/api-tokens,
DELETE /integrated-account/{id}/api-tokens/{token_id}. MCP clients use the URL the create answer shows once.

    freshservice-mcp --help | --version
";

/// Runs the command line `arguments` (without the program name) and returns the exit status.
///
/// This is the whole of `freshservice-mcp`; the binary only collects its arguments and calls this.
pub fn run(arguments: &[String]) -> ExitCode {
    let command = match cli::parse(arguments, |name| std::env::var(name).ok()) {
        Ok(command) => command,
        Err(message) => {
            eprintln!("freshservice-mcp: {message}");
            return ExitCode::from(2);
        }
    };
    match command {
        Command::Help => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        Command::Version => {
            println!("freshservice-mcp {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Command::Stdio(options) => run_stdio(options),
        Command::Serve(flags) => serve::run(flags),
        #[cfg(feature = "sandbox")]
        Command::Sandbox(options) => demo::run(&options, false),
        #[cfg(feature = "sandbox")]
        Command::Demo(options) => demo::run(&options, true),
    }
}

fn run_stdio(options: StdioOptions) -> ExitCode {
    let service = match build_service(&options) {
        Ok(service) => service,
        Err(message) => {
            eprintln!("freshservice-mcp: {message}");
            return ExitCode::from(2);
        }
    };
    // One client on one pipe: a single thread answers sooner than a pool, since a request, its
    // upstream call and its response never wait for a wake-up on another thread.
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("freshservice-mcp: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!(
        "freshservice-mcp: serving {} tools on stdio for {} (tool exposure {}{})",
        service.tool_names().len(),
        options.target_description(),
        service.tool_exposure(),
        if options.tool_exposure == freshservice_mcp::ToolExposure::Auto {
            ", chosen by auto"
        } else {
            ""
        },
    );
    match runtime.block_on(freshservice_mcp::serve_stdio(service)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("freshservice-mcp: stdio failed: {error}");
            ExitCode::FAILURE
        }
    }
}

fn build_service(options: &StdioOptions) -> Result<McpService, String> {
    let mut client = freshservice_client::Client::builder()
        .api_key(options.api_key.clone())
        .timeout(options.timeout)
        .user_agent(concat!("freshservice-mcp/", env!("CARGO_PKG_VERSION")));
    if options.retry_rate_limited {
        client = client.retry_policy(freshservice_client::RetryPolicy::on_rate_limit());
    }
    if let Some(share) = options.keep_free {
        client = client.pacing(freshservice_client::Pacing::keep_free(share));
    }
    client = match (&options.base_url, &options.domain) {
        (Some(base_url), _) => client.base_url(base_url),
        (None, Some(domain)) => client.domain(domain.clone()),
        (None, None) => unreachable!("cli::parse requires a domain or base URL"),
    };
    let client = client.build().map_err(|error| error.to_string())?;
    let filter =
        ToolFilter::parse(&options.methods, &options.tags).map_err(|error| error.to_string())?;
    let mut builder = McpService::builder();
    if let Some(ttl) = options.fields_ttl {
        builder = builder.account_fields(freshservice_mcp::AccountFields::with_ttl(
            client.clone(),
            ttl,
        ));
    }
    builder
        .client(client)
        .filter(filter)
        .tools_page_size(options.tools_page_size)
        .tool_exposure(options.tool_exposure)
        .workspaces(options.workspaces.clone())
        .build()
        .map_err(|error| error.to_string())
}
