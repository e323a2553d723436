//! `freshservice-mcp sandbox` and `freshservice-mcp demo`: a fake Freshservice on 127.0.0.1, so
//! anyone can try the server without an account.
//!
//! `sandbox` runs only the fake service. `demo` runs it, starts `serve` beside it with one
//! provisioned MCP server for the sandbox account, and prints, ready to paste, the stdio command,
//! the Claude Desktop configuration and the Streamable HTTP URL.

use std::net::SocketAddr;
use std::process::ExitCode;

use freshservice_sandbox::{Account, Sandbox};

/// The port the demo's sandbox listens on unless told otherwise, so the printed configuration
/// stays valid across restarts.
const DEMO_PORT: u16 = 8765;

/// Options of `sandbox` and `demo`.
#[derive(Debug, PartialEq)]
pub(crate) struct SandboxOptions {
    pub(crate) listen: SocketAddr,
    /// The documented default account, or one with custom statuses, a source and custom fields.
    pub(crate) account: Account,
}

/// Parses `--listen ADDR` (default 127.0.0.1:8765) and `--account default|customised`.
pub(crate) fn parse(arguments: &[String]) -> Result<SandboxOptions, String> {
    let mut listen = SocketAddr::from(([127, 0, 0, 1], DEMO_PORT));
    let mut account = Account::Default;
    let mut arguments = arguments.iter();
    while let Some(flag) = arguments.next() {
        let (name, inline) = match flag.split_once('=') {
            Some((name, value)) => (name, Some(value.to_owned())),
            None => (flag.as_str(), None),
        };
        match name {
            "--listen" => {
                let text = inline
                    .or_else(|| arguments.next().cloned())
                    .ok_or("--listen needs an address such as 127.0.0.1:8765")?;
                listen = text.parse().map_err(|_| {
                    format!("--listen {text:?} is not an address: write it as 127.0.0.1:8765")
                })?;
                // The sandbox accepts a well-known key; it must never be reachable from elsewhere.
                if !listen.ip().is_loopback() {
                    return Err(format!(
                        "--listen {listen}: the sandbox only listens on loopback addresses (127.0.0.1 or [::1])"
                    ));
                }
            }
            "--account" => {
                let text = inline
                    .or_else(|| arguments.next().cloned())
                    .ok_or("--account needs default or customised")?;
                account = match text.as_str() {
                    "default" => Account::Default,
                    "customised" | "customized" => Account::Customised,
                    other => {
                        return Err(format!(
                            "--account {other:?}: use default (the documented account) or customised (custom statuses, a source and custom fields)"
                        ));
                    }
                };
            }
            other => {
                return Err(format!(
                    "unknown option {other:?} (the options are --listen and --account)"
                ));
            }
        }
    }
    Ok(SandboxOptions { listen, account })
}

/// Runs the sandbox until Ctrl-C; with `demo`, first prints how to connect an MCP client.
pub(crate) fn run(options: &SandboxOptions, demo: bool) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("freshservice-mcp: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        let sandbox = match Sandbox::builder()
            .account(options.account)
            .record_requests(false)
            .listen(options.listen)
            .await
        {
            Ok(sandbox) => sandbox,
            Err(error) => {
                eprintln!(
                    "freshservice-mcp: cannot start the sandbox on {}: {error}",
                    options.listen
                );
                return ExitCode::FAILURE;
            }
        };
        if demo {
            let serve_address = SocketAddr::new(options.listen.ip(), options.listen.port().wrapping_add(1));
            let remote = match start_remote(serve_address, &sandbox.uri(), sandbox.api_key()).await {
                Ok(remote) => Some(remote),
                Err(message) => {
                    eprintln!("freshservice-mcp: the Streamable HTTP server did not start ({message}); stdio still works");
                    None
                }
            };
            print!("{}", instructions(&sandbox.uri(), sandbox.api_key()));
            if let Some(remote) = &remote {
                println!(
                    "Or connect any MCP client over Streamable HTTP (both protocol eras) to:\n\n    {}\n",
                    remote.url
                );
            }
            use std::io::Write as _;
            let _ = std::io::stdout().flush();
            eprintln!("freshservice-mcp: sandbox running; press Ctrl-C to stop");
            let _ = tokio::signal::ctrl_c().await;
            drop(remote);
            return ExitCode::SUCCESS;
        } else {
            println!(
                "sandbox: a fake Freshservice at {} (API key {:?})",
                sandbox.uri(),
                sandbox.api_key()
            );
        }
        eprintln!("freshservice-mcp: sandbox running; press Ctrl-C to stop");
        let _ = tokio::signal::ctrl_c().await;
        ExitCode::SUCCESS
    })
}

/// The `serve` child process of a demo and the MCP URL it provisioned. Dropping it stops the child.
struct Remote {
    child: std::process::Child,
    url: String,
}

impl Drop for Remote {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `freshservice-mcp serve --dev` on `address` (memory storage, keys made here) and
/// provisions one server for the sandbox account through the admin API.
async fn start_remote(
    address: SocketAddr,
    sandbox_url: &str,
    sandbox_key: &str,
) -> Result<Remote, String> {
    let admin_key = crate::secrets::generate_admin_key().map_err(|error| error.to_string())?;
    let binary = std::env::current_exe().map_err(|error| error.to_string())?;
    let child = std::process::Command::new(binary)
        .args(["serve", "--dev", "--listen", &address.to_string()])
        .env("FRESHSERVICE_MCP_ADMIN_KEY", &admin_key)
        .env_remove("FRESHSERVICE_MCP_DB")
        .env_remove("FRESHSERVICE_MCP_CONFIG")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|error| error.to_string())?;
    let mut remote = Remote {
        child,
        url: String::new(),
    };
    let admin = reqwest::Client::new();
    let base = format!("http://{address}");
    let post = |path: String, body: serde_json::Value| {
        admin
            .post(format!("{base}{path}"))
            .bearer_auth(&admin_key)
            .json(&body)
            .send()
    };
    let mut account = None;
    for _ in 0..100 {
        if let Ok(response) = post(
            "/integrated-account".into(),
            serde_json::json!({"name": "Sandbox", "base_url": sandbox_url, "api_key": sandbox_key}),
        )
        .await
        {
            let body: serde_json::Value =
                response.json().await.map_err(|error| error.to_string())?;
            account = body["id"].as_str().map(str::to_owned);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let account = account.ok_or("the admin API did not answer")?;
    let created: serde_json::Value = post(
        format!("/integrated-account/{account}/mcp"),
        serde_json::json!({"name": "demo", "config": {}}),
    )
    .await
    .map_err(|error| error.to_string())?
    .json()
    .await
    .map_err(|error| error.to_string())?;
    remote.url = created["url"]
        .as_str()
        .ok_or("no url in the provisioning answer")?
        .to_owned();
    Ok(remote)
}

/// What the demo prints: the stdio command and the Claude Desktop configuration.
pub(crate) fn instructions(base_url: &str, api_key: &str) -> String {
    let binary = std::env::current_exe()
        .ok()
        .and_then(|path| path.to_str().map(str::to_owned))
        .unwrap_or_else(|| "freshservice-mcp".into());
    let config = serde_json::json!({
        "mcpServers": {
            "freshservice-sandbox": {
                "command": binary,
                "args": ["stdio", "--base-url", base_url],
                "env": { "FRESHSERVICE_API_KEY": api_key }
            }
        }
    });
    let pretty = serde_json::to_string_pretty(&config).unwrap_or_default();
    let core = freshservice_mcp::CORE_TOOLS.len();
    format!(
        "A fake Freshservice is running at {base_url} with a story to explore:\n\
         tonight's emergency change \"Primary Database Failover\", its database servers and the incidents on them,\n\
         the project \"Q4 Hardware Deployments\", agents, groups and requesters.\n\n\
         Run the MCP server on stdio against it:\n\n    \
         FRESHSERVICE_API_KEY={api_key} {binary} stdio --base-url {base_url}\n\n\
         Or paste this into Claude Desktop's claude_desktop_config.json:\n\n{pretty}\n\n\
         The server lists the {core} everyday tools (about 24 KB of schemas, --tool-exposure core, chosen by the default auto)\n\
         and finds every other tool with search_freshservice_tools; add \"--tool-exposure\", \"all\" to list all of them (about 287 KB)\n\
         or \"discovery\" for the three search, describe and call tools alone (about 1.8 KB).\n\n\
         Then ask, for example: \"Prepare tonight's CAB: which open high-priority incidents affect the assets of the emergency change?\"\n\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_trials() {
        let args = |list: &[&str]| list.iter().map(|a| (*a).to_owned()).collect::<Vec<_>>();
        assert_eq!(parse(&[]).unwrap().listen.port(), DEMO_PORT);
        assert_eq!(parse(&[]).unwrap().account, Account::Default);
        assert_eq!(
            parse(&args(&["--account", "customised"])).unwrap().account,
            Account::Customised
        );
        assert_eq!(
            parse(&args(&["--listen", "127.0.0.1:9000"]))
                .unwrap()
                .listen
                .port(),
            9000
        );
        assert_eq!(
            parse(&args(&["--listen=[::1]:9001"]))
                .unwrap()
                .listen
                .port(),
            9001
        );
        for (bad, fragment) in [
            (args(&["--listen", "0.0.0.0:80"]), "loopback"),
            (args(&["--listen", "nowhere"]), "not an address"),
            (args(&["--listen"]), "needs an address"),
            (args(&["--port", "1"]), "unknown option"),
            (args(&["--account", "mine"]), "customised"),
        ] {
            let error = parse(&bad).unwrap_err();
            assert!(error.contains(fragment), "{bad:?}: {error}");
        }
    }

    #[test]
    fn instructions_are_ready_to_paste() {
        let text = instructions("http://127.0.0.1:8765", "sandbox");
        assert!(text.contains("FRESHSERVICE_API_KEY=sandbox"));
        assert!(text.contains("stdio --base-url http://127.0.0.1:8765"));
        let start = text.find('{').unwrap();
        let end = text.rfind('}').unwrap();
        let config: serde_json::Value = serde_json::from_str(&text[start..=end]).unwrap();
        assert_eq!(
            config["mcpServers"]["freshservice-sandbox"]["args"][2],
            "http://127.0.0.1:8765"
        );
    }
}
