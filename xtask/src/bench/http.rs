//! `freshservice-mcp serve` over Streamable HTTP: a provisioned server for the sandbox, called in
//! both protocol eras, against the direct request; throughput at several concurrencies; and the
//! resident set with many open legacy sessions.

use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use serde_json::{Value, json};
use tokio::process::{Child, Command};

use super::{ANSWER_TIMEOUT, BATCH, Direct, SERVER_LOG, TOOL, WARM_UP, micros, proc_kib};

/// The tool call every HTTP measurement makes (the direct request is the same upstream GET).
fn tool_params() -> Value {
    json!({"name": TOOL, "arguments": {"change_id": 1}})
}

/// A tool no server has: its call goes through the whole MCP dispatch and stops before upstream.
const UNKNOWN_TOOL: &str = "xtask_bench_no_such_tool";

/// A running `freshservice-mcp serve --dev` with one provisioned server for the sandbox.
pub(super) struct Serve {
    child: Child,
    /// The provisioned server's `/mcp/<token>` URL.
    pub(super) url: String,
}

impl Serve {
    /// Starts `serve` on a free loopback port with a fresh database at `db`, then provisions an
    /// account for the sandbox and one MCP server with the full catalogue.
    pub(super) async fn start(
        binary: &Path,
        db: &Path,
        log: &std::fs::File,
        base_url: &str,
        api_key: &str,
    ) -> Result<Self> {
        for stale in [db.to_path_buf(), db.with_extension("db-journal")] {
            if stale.exists() {
                std::fs::remove_file(&stale)
                    .with_context(|| format!("removing {}", stale.display()))?;
            }
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .context("finding a free loopback port")?
            .port();
        let listen = format!("127.0.0.1:{port}");
        let admin_key = format!(
            "xtask-bench-admin-{}",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |elapsed| elapsed.as_nanos())
        );
        let child = Command::new(binary)
            .args(["serve", "--dev", "--listen", &listen, "--db"])
            .arg(db)
            .env("FRESHSERVICE_MCP_ADMIN_KEY", &admin_key)
            .env_remove("FRESHSERVICE_MCP_CONFIG")
            .env_remove("FRESHSERVICE_MCP_DB")
            .env_remove("FRESHSERVICE_MCP_DATABASE_URL")
            .env_remove("FRESHSERVICE_MCP_PUBLIC_URL")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log.try_clone().context("sharing the server log")?)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("spawning {} serve", binary.display()))?;
        let mut serve = Serve {
            child,
            url: String::new(),
        };
        let admin = reqwest::Client::new();
        let base = format!("http://{listen}");
        let started = Instant::now();
        let account = loop {
            let answer = admin
                .post(format!("{base}/integrated-account"))
                .bearer_auth(&admin_key)
                .json(&json!({"name": "bench", "base_url": base_url, "api_key": api_key}))
                .send()
                .await;
            match answer {
                Ok(response) => {
                    let status = response.status();
                    let body: Value = response.json().await.context("reading the account")?;
                    ensure!(
                        status.is_success(),
                        "POST /integrated-account answered {status}: {body}"
                    );
                    break body["id"]
                        .as_str()
                        .context("the account answer has no id")?
                        .to_owned();
                }
                Err(_) if started.elapsed() < ANSWER_TIMEOUT => {
                    if let Some(status) = serve.child.try_wait()? {
                        bail!("serve exited with {status} before listening; see {SERVER_LOG}");
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Err(error) => bail!("serve did not answer on {listen}: {error}; see {SERVER_LOG}"),
            }
        };
        let response = admin
            .post(format!("{base}/integrated-account/{account}/mcp"))
            .bearer_auth(&admin_key)
            .json(&json!({"name": "bench", "config": {}}))
            .send()
            .await
            .context("provisioning the MCP server")?;
        let status = response.status();
        let body: Value = response.json().await.context("reading the server")?;
        ensure!(
            status.is_success(),
            "POST /integrated-account/{{id}}/mcp answered {status}: {body}"
        );
        serve.url = body["url"]
            .as_str()
            .context("the provisioning answer has no url")?
            .to_owned();
        Ok(serve)
    }

    /// A `/proc/<pid>/status` field of the server, in MiB.
    pub(super) fn memory_mib(&self, field: &str) -> Result<f64> {
        let pid = self.child.id().with_context(|| {
            format!("serve exited before its memory was read; see {SERVER_LOG}")
        })?;
        Ok(proc_kib(pid, field)? / 1024.0)
    }

    /// Stops the server (SIGKILL: nothing of it is kept).
    pub(super) async fn stop(mut self) -> Result<()> {
        self.child.kill().await.context("stopping serve")
    }
}

/// One MCP client of the provisioned server: its own connection, and the era it speaks.
#[derive(Clone)]
pub(super) struct HttpClient {
    client: reqwest::Client,
    url: Arc<str>,
    /// The legacy session, or `None` for modern stateless requests.
    session: Option<Arc<str>>,
}

impl HttpClient {
    /// A modern (2026-07-28) client: every request stands alone.
    pub(super) fn modern(url: &str) -> Self {
        HttpClient {
            client: reqwest::Client::new(),
            url: url.into(),
            session: None,
        }
    }

    /// A legacy client: `initialize` and `notifications/initialized` open a session.
    pub(super) async fn legacy(url: &str) -> Result<Self> {
        let client = reqwest::Client::new();
        let response = post(&client, url)
            .body(
                json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
                    "protocolVersion": mcp_messages::LATEST_LEGACY_PROTOCOL_VERSION,
                    "capabilities": {},
                    "clientInfo": {"name": "xtask-bench", "version": env!("CARGO_PKG_VERSION")},
                }})
                .to_string(),
            )
            .send()
            .await
            .context("POST initialize")?;
        let session = response
            .headers()
            .get("mcp-session-id")
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let status = response.status();
        let text = response.text().await.context("reading initialize")?;
        let session = session
            .with_context(|| format!("initialize answered {status} without a session: {text}"))?;
        let initialized = post(&client, url)
            .header("mcp-session-id", &session)
            .header(
                "mcp-protocol-version",
                mcp_messages::LATEST_LEGACY_PROTOCOL_VERSION,
            )
            .body(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}).to_string())
            .send()
            .await
            .context("POST notifications/initialized")?;
        ensure!(
            initialized.status().is_success(),
            "notifications/initialized answered {}",
            initialized.status()
        );
        Ok(HttpClient {
            client,
            url: url.into(),
            session: Some(session.into()),
        })
    }

    /// One `tools/call`, timed from sending the request until its whole answer is read.
    pub(super) async fn call(&self, id: u64) -> Result<Duration> {
        let request = match &self.session {
            None => self.modern_call(id, tool_params()),
            Some(session) => post(&self.client, &self.url)
                .header("mcp-session-id", &**session)
                .header(
                    "mcp-protocol-version",
                    mcp_messages::LATEST_LEGACY_PROTOCOL_VERSION,
                )
                .body(
                    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": tool_params()})
                        .to_string(),
                ),
        };
        let started = Instant::now();
        let response = request.send().await.context("POST tools/call")?;
        let status = response.status();
        let text = response.text().await.context("reading tools/call")?;
        let elapsed = started.elapsed();
        let answer = json_rpc_answer(&text, id)
            .with_context(|| format!("tools/call answered {status} with no answer: {text}"))?;
        if !status.is_success()
            || answer.get("error").is_some()
            || answer["result"]["isError"] == Value::Bool(true)
        {
            bail!("tools/call answered {status}: {answer}");
        }
        Ok(elapsed)
    }

    /// A modern `tools/call` of [`UNKNOWN_TOOL`], timed like [`HttpClient::call`]: the same
    /// transport and dispatch, answered with an error before any upstream request.
    pub(super) async fn call_unknown(&self, id: u64) -> Result<Duration> {
        let request = self.modern_call(
            id,
            json!({"name": UNKNOWN_TOOL, "arguments": {"change_id": 1}}),
        );
        let started = Instant::now();
        let response = request.send().await.context("POST tools/call")?;
        let status = response.status();
        let text = response.text().await.context("reading tools/call")?;
        let elapsed = started.elapsed();
        let answer = json_rpc_answer(&text, id)
            .with_context(|| format!("tools/call answered {status} with no answer: {text}"))?;
        ensure!(
            answer.get("error").is_some(),
            "tools/call of {UNKNOWN_TOOL} answered {status} without an error: {answer}"
        );
        Ok(elapsed)
    }

    fn modern_call(&self, id: u64, params: Value) -> reqwest::RequestBuilder {
        let mut params = params;
        let name = params["name"].as_str().unwrap_or_default().to_owned();
        params["_meta"] = json!({
            mcp_messages::PROTOCOL_VERSION_KEY: mcp_messages::MODERN_PROTOCOL_VERSION,
            "io.modelcontextprotocol/clientCapabilities": {},
        });
        post(&self.client, &self.url)
            .header(
                "mcp-protocol-version",
                mcp_messages::MODERN_PROTOCOL_VERSION,
            )
            .header("mcp-method", "tools/call")
            .header("mcp-name", name)
            .body(
                json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": params})
                    .to_string(),
            )
    }
}

fn post(client: &reqwest::Client, url: &str) -> reqwest::RequestBuilder {
    client
        .post(url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .timeout(ANSWER_TIMEOUT)
}

/// The JSON-RPC answer with `id`, from a JSON body or an SSE stream of `data:` lines.
fn json_rpc_answer(text: &str, id: u64) -> Option<Value> {
    let whole = serde_json::from_str::<Value>(text).ok();
    whole
        .into_iter()
        .chain(
            text.lines()
                .filter_map(|line| line.strip_prefix("data:"))
                .filter_map(|data| serde_json::from_str(data.trim()).ok()),
        )
        .find(|message: &Value| message.get("id") == Some(&json!(id)))
}

/// Latencies (µs) of `tools/call` over HTTP in both eras and of the direct GET, one connection each.
pub(super) struct Overhead {
    pub(super) modern: Vec<f64>,
    pub(super) legacy: Vec<f64>,
    pub(super) direct: Vec<f64>,
    /// A GET of a path `serve` does not route (404) on its own connection: the HTTP exchange alone.
    pub(super) transport: Vec<f64>,
    /// A modern `tools/call` of an unknown tool: the exchange plus the MCP dispatch, no upstream.
    pub(super) dispatch: Vec<f64>,
}

/// The three kinds alternate in batches, so drift on the machine affects all of them.
pub(super) async fn overhead(serve: &Serve, direct: &Direct, calls: usize) -> Result<Overhead> {
    let modern = HttpClient::modern(&serve.url);
    let legacy = HttpClient::legacy(&serve.url).await?;
    let probe = Probe::new(&serve.url)?;
    let mut id = 0;
    let mut next = || {
        id += 1;
        id
    };
    for _ in 0..WARM_UP {
        modern.call(next()).await?;
        legacy.call(next()).await?;
        direct.get().await?;
        probe.get().await?;
        modern.call_unknown(next()).await?;
    }
    let mut out = Overhead {
        modern: Vec::with_capacity(calls),
        legacy: Vec::with_capacity(calls),
        direct: Vec::with_capacity(calls),
        transport: Vec::with_capacity(calls),
        dispatch: Vec::with_capacity(calls),
    };
    while out.modern.len() < calls {
        let batch = BATCH.min(calls - out.modern.len());
        for _ in 0..batch {
            out.modern.push(micros(modern.call(next()).await?));
        }
        for _ in 0..batch {
            out.legacy.push(micros(legacy.call(next()).await?));
        }
        for _ in 0..batch {
            out.direct.push(micros(direct.get().await?));
        }
        for _ in 0..batch {
            out.transport.push(micros(probe.get().await?));
        }
        for _ in 0..batch {
            out.dispatch
                .push(micros(modern.call_unknown(next()).await?));
        }
    }
    Ok(out)
}

/// GETs of a path `serve` does not route, on a kept-alive connection of their own.
struct Probe {
    client: reqwest::Client,
    url: String,
}

impl Probe {
    fn new(mcp_url: &str) -> Result<Self> {
        let base = mcp_url
            .find("/mcp/")
            .map(|at| &mcp_url[..at])
            .with_context(|| format!("the MCP URL {mcp_url} has no /mcp/ path"))?;
        Ok(Probe {
            client: reqwest::Client::new(),
            url: format!("{base}/xtask-bench-unrouted"),
        })
    }

    /// One GET, timed until its (404) body is read.
    async fn get(&self) -> Result<Duration> {
        let started = Instant::now();
        let response = self
            .client
            .get(&self.url)
            .timeout(ANSWER_TIMEOUT)
            .send()
            .await
            .with_context(|| format!("GET {}", self.url))?;
        let status = response.status();
        let body = response.bytes().await.context("reading the 404 body")?;
        let elapsed = started.elapsed();
        ensure!(
            status == reqwest::StatusCode::NOT_FOUND && !body.is_empty(),
            "GET {} answered {status}, not 404",
            self.url
        );
        Ok(elapsed)
    }
}

/// What `clients` concurrent clients achieved in a fixed time.
pub(super) struct Throughput {
    pub(super) calls_per_second: f64,
    /// Latency of every call, µs.
    pub(super) latencies: Vec<f64>,
}

/// `clients` modern clients (one connection each) calling as fast as they can for `duration`.
pub(super) async fn http_throughput(
    serve: &Serve,
    clients: usize,
    duration: Duration,
) -> Result<Throughput> {
    let mut tasks = Vec::with_capacity(clients);
    for _ in 0..clients {
        tasks.push(HttpClient::modern(&serve.url));
    }
    throughput(tasks, duration, |client, id| async move {
        client.call(id).await
    })
    .await
}

/// The direct GET at the same concurrency: the most the upstream and this machine allow.
pub(super) async fn direct_throughput(
    direct: &Direct,
    clients: usize,
    duration: Duration,
) -> Result<Throughput> {
    let tasks = (0..clients).map(|_| direct.fresh()).collect();
    throughput(
        tasks,
        duration,
        |direct, _| async move { direct.get().await },
    )
    .await
}

/// Runs one task per client: a warm-up call (connection set-up), then calls until the deadline.
async fn throughput<C, F, Fut>(clients: Vec<C>, duration: Duration, call: F) -> Result<Throughput>
where
    C: Clone + Send + Sync + 'static,
    F: Fn(C, u64) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<Duration>> + Send,
{
    let count = clients.len();
    let start = Arc::new(tokio::sync::Barrier::new(count + 1));
    let mut tasks = tokio::task::JoinSet::new();
    for (index, client) in clients.into_iter().enumerate() {
        let start = Arc::clone(&start);
        let call = call.clone();
        tasks.spawn(async move {
            let mut id = (index as u64) << 32;
            call(client.clone(), id).await?;
            start.wait().await;
            let deadline = Instant::now() + duration;
            let mut latencies = Vec::new();
            while Instant::now() < deadline {
                id += 1;
                latencies.push(micros(call(client.clone(), id).await?));
            }
            anyhow::Ok(latencies)
        });
    }
    start.wait().await;
    let started = Instant::now();
    let mut latencies = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        latencies.extend(joined.context("a client task panicked")??);
    }
    // Calls still running at the deadline finish and count, so divide by the time they took.
    let elapsed = started.elapsed().as_secs_f64();
    #[allow(clippy::cast_precision_loss)]
    let calls_per_second = latencies.len() as f64 / elapsed.max(f64::EPSILON);
    Ok(Throughput {
        calls_per_second,
        latencies,
    })
}

/// Opens `sessions` legacy sessions on a fresh `serve`, one `tools/call` in each, and returns
/// (peak RSS, current RSS) in MiB with all of them still open.
pub(super) async fn sessions_rss(serve: &Serve, sessions: usize) -> Result<(f64, f64)> {
    let mut open = Vec::with_capacity(sessions);
    for index in 0..sessions {
        let client = HttpClient::legacy(&serve.url).await?;
        client.call(index as u64 + 1).await?;
        open.push(client);
    }
    let peak = serve.memory_mib("VmHWM:")?;
    let now = serve.memory_mib("VmRSS:")?;
    drop(open);
    Ok((peak, now))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_come_from_json_or_sse() {
        fn check(text: &str, id: u64, want: Option<Value>) {
            assert_eq!(json_rpc_answer(text, id), want, "{text:?}");
        }
        let answer = json!({"jsonrpc": "2.0", "id": 3, "result": {}});
        check(&answer.to_string(), 3, Some(answer.clone()));
        check(&answer.to_string(), 4, None);
        let sse = format!(
            "event: message\ndata: {}\n\nevent: message\ndata: {answer}\n\n",
            json!({"jsonrpc": "2.0", "method": "notifications/progress"})
        );
        check(&sse, 3, Some(answer));
        check("not json", 3, None);
    }
}
