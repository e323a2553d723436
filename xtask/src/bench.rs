//! `cargo xtask bench [--calls N] [--cold-runs N] [--seconds N] [--sessions N] [--no-criterion]`:
//! measurements of the release binary against an in-process `freshservice_sandbox::Sandbox` on
//! 127.0.0.1, and the in-process criterion benches, printed as a Markdown table and written to
//! `target/bench/report.json`.
//!
//! The reference for every latency is a direct reqwest call of the same Freshservice request in the same run,
//! so the ratio says what the server adds, whatever the machine. Targets are reported as pass or miss, never
//! asserted: machines differ, and a bench that fails CI on a busy runner would teach people to ignore it.
//!
//! What it measures:
//! - `tools/call` over stdio and over Streamable HTTP (`serve`, modern stateless requests and a legacy
//!   session) against a direct GET, p50 and p99, in alternating batches so drift hits every kind;
//! - HTTP throughput with 1, 8 and 64 concurrent clients, against the direct GET at the same concurrency;
//! - cold start: process spawn until every `tools/list` page is answered (after `initialize`);
//! - peak RSS (`VmHWM`) of the stdio server after the calls, and of `serve` with 100 open legacy sessions;
//! - in-process costs with criterion (`http.rs` and `criterion.rs` beside this file): validation and
//!   routing of one call, and the URL-token lookup of `serve`.
//!
//! `cargo xtask bench agent [--json] [--steps]` runs only the token bill of the seed story's
//! workflows in each tool exposure (`agent.rs` beside this file); it needs no release build.

mod agent;
mod criterion;
mod http;

use std::fmt::Write as _;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

/// Where the JSON report goes, relative to the workspace root.
const REPORT: &str = "target/bench/report.json";
/// Where the servers' stderr goes, so a failing run can be diagnosed without mixing logs into the table.
const SERVER_LOG: &str = "target/bench/server-stderr.log";
/// Where criterion's own report goes.
const CRITERION_LOG: &str = "target/bench/criterion.log";
/// The database of the `serve` under test, recreated each run.
const SERVE_DB: &str = "target/bench/serve.db";
/// Concurrent clients of the throughput runs.
const CONCURRENCY: [usize; 3] = [1, 8, 64];
/// The release binary, relative to the workspace root.
const BINARY: &str = "target/release/freshservice-mcp";
/// The tool and the direct request it stands for: the same upstream GET.
const TOOL: &str = "get_single_freshservice_change_by_id";
const DIRECT_PATH: &str = "/api/v2/changes/1";
/// Calls of each kind per batch; the kinds alternate batch by batch.
const BATCH: usize = 10;
/// Unmeasured calls of each kind first, so connection set-up and lazy initialisation are not in the numbers.
const WARM_UP: usize = 20;
/// How long one answer may take before the run is abandoned.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(30);

/// Run settings, from the command line.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Settings {
    calls: usize,
    cold_runs: usize,
    /// Seconds of each throughput run (per concurrency, per kind).
    seconds: usize,
    sessions: usize,
    criterion: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            calls: 1000,
            cold_runs: 20,
            seconds: 3,
            sessions: 100,
            criterion: true,
        }
    }
}

const USAGE: &str =
    "cargo xtask bench [--calls N] [--cold-runs N] [--seconds N] [--sessions N] [--no-criterion]
       cargo xtask bench agent [--json] [--steps]";

fn parse_args(args: &[&str]) -> Result<Settings> {
    let mut settings = Settings::default();
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        let slot = match *flag {
            "--calls" => &mut settings.calls,
            "--cold-runs" => &mut settings.cold_runs,
            "--seconds" => &mut settings.seconds,
            "--sessions" => &mut settings.sessions,
            "--no-criterion" => {
                settings.criterion = false;
                continue;
            }
            other => bail!("unexpected argument {other:?}; use `{USAGE}`"),
        };
        let value = rest
            .next()
            .with_context(|| format!("{flag} needs a number, e.g. {flag} 100"))?;
        *slot =
            value.parse().ok().filter(|n| *n > 0).with_context(|| {
                format!("{flag} must be a positive whole number, not {value:?}")
            })?;
    }
    Ok(settings)
}

pub(crate) fn run(root: &Path, args: &[&str]) -> Result<()> {
    if let ["agent", rest @ ..] = args {
        return agent::run(rest);
    }
    let settings = parse_args(args)?;
    if cfg!(debug_assertions) {
        // The client and the in-process sandbox are half of every measurement: built without
        // optimisation they make the direct call slow and every ratio look better than it is.
        return rerun_optimised(root, args);
    }
    build_release(root)?;
    let binary = root.join(BINARY);
    std::fs::create_dir_all(root.join("target/bench")).context("creating target/bench")?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the tokio runtime")?;
    let started = Instant::now();
    let mut metrics = runtime.block_on(measure(root, &binary, settings))?;
    drop(runtime);
    if settings.criterion {
        metrics.extend(criterion::run(root)?);
    }
    let elapsed = started.elapsed();
    // Ratios first (they travel between machines), then the targets, then the raw numbers.
    metrics.sort_by_key(|metric| match (metric.unit, metric.target) {
        (Unit::Ratio, _) => 0,
        (_, Some(_)) => 1,
        _ => 2,
    });

    let machine = Machine::detect();
    let date = utc_date(SystemTime::now());
    println!("{}", markdown_table(&metrics));
    println!(
        "machine: {} · {} · {} · {date} · {} calls of each kind, {} cold starts, {} s per throughput run, {} sessions, {:.1} s",
        machine.cpu,
        plural(machine.cpus, "CPU"),
        machine.memory,
        settings.calls,
        settings.cold_runs,
        settings.seconds,
        settings.sessions,
        elapsed.as_secs_f64(),
    );
    let report = json!({
        "date": date,
        "machine": {"cpu": machine.cpu, "cpus": machine.cpus, "memory": machine.memory},
        "settings": {
            "calls": settings.calls,
            "cold_runs": settings.cold_runs,
            "seconds": settings.seconds,
            "sessions": settings.sessions,
            "concurrency": CONCURRENCY,
            "criterion": settings.criterion,
            "batch": BATCH,
            "warm_up": WARM_UP,
        },
        "seconds": elapsed.as_secs_f64(),
        "metrics": metrics.iter().map(Metric::to_json).collect::<Vec<_>>(),
    });
    let mut text = serde_json::to_string_pretty(&report)?;
    text.push('\n');
    let path = root.join(REPORT);
    std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    println!("wrote {REPORT}");
    Ok(())
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Builds the binary the bench spawns, with the same cargo that runs xtask.
/// Runs the same bench from an optimised build of xtask.
fn rerun_optimised(root: &Path, args: &[&str]) -> Result<()> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    println!(
        "== cargo run --release -p xtask -- bench (the measuring client must be optimised too)"
    );
    let status = std::process::Command::new(cargo)
        .args(["run", "--quiet", "--release", "-p", "xtask", "--", "bench"])
        .args(args)
        .current_dir(root)
        .status()
        .context("running cargo run --release -p xtask")?;
    if !status.success() {
        bail!("the optimised bench failed ({status})");
    }
    Ok(())
}

fn build_release(root: &Path) -> Result<()> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    println!("== cargo build --release -p freshservice-mcp-server");
    let status = std::process::Command::new(cargo)
        .args(["build", "--release", "-p", "freshservice-mcp-server"])
        .current_dir(root)
        .status()
        .context("running cargo build --release")?;
    if !status.success() {
        bail!("cargo build --release -p freshservice-mcp-server failed ({status})");
    }
    Ok(())
}

async fn measure(root: &Path, binary: &Path, settings: Settings) -> Result<Vec<Metric>> {
    let sandbox = freshservice_sandbox::Sandbox::builder()
        .rate_limit_per_minute(1_000_000)
        .record_requests(false)
        .start()
        .await;
    let log = std::fs::File::create(root.join(SERVER_LOG))
        .with_context(|| format!("creating {SERVER_LOG}"))?;
    let server = Server {
        binary,
        base_url: sandbox.uri(),
        api_key: sandbox.api_key().to_owned(),
        log,
    };
    let direct = Direct::new(&server.base_url, &server.api_key);

    let mut metrics = Vec::new();
    println!(
        "== stdio tools/call vs direct GET, {} calls each",
        settings.calls
    );
    let (ours, direct_calls, peak_rss) = overhead(&server, &direct, settings.calls).await?;
    latency_rows(&mut metrics, "stdio", &ours, &direct_calls)?;
    metrics.push(
        Metric::new(
            format!("stdio peak RSS after {} calls", settings.calls),
            peak_rss,
            Unit::Mebibytes,
        )
        .target(30.0),
    );

    println!(
        "== cold starts, {} runs (the account's ticket form fields take {} ms to read)",
        settings.cold_runs,
        SLOW_FIELDS.as_millis()
    );
    slow_form_fields(&sandbox).await;
    let cold = cold_start(&server, settings.cold_runs).await?;
    metrics.push(Metric::new(
        "cold start to initialize answered, median",
        p(&cold.initialized, 50.0)?,
        Unit::Millis,
    ));
    metrics.push(
        Metric::new(
            format!(
                "cold start to every tools/list page ({} tools), median",
                cold.tools
            ),
            p(&cold.listed, 50.0)?,
            Unit::Millis,
        )
        .target(50.0),
    );
    metrics.push(Metric::new(
        "cold start to every tools/list page, slowest",
        p(&cold.listed, 100.0)?,
        Unit::Millis,
    ));

    let db = root.join(SERVE_DB);
    let serve =
        http::Serve::start(binary, &db, &server.log, &server.base_url, &server.api_key).await?;
    println!(
        "== HTTP tools/call (modern, legacy) vs direct GET, {} calls each",
        settings.calls
    );
    let calls = http::overhead(&serve, &direct, settings.calls).await?;
    latency_rows(&mut metrics, "HTTP modern", &calls.modern, &calls.direct)?;
    latency_rows(
        &mut metrics,
        "HTTP legacy session",
        &calls.legacy,
        &calls.direct,
    )?;
    // The breakdown of the HTTP hop: the exchange alone, then with the MCP dispatch.
    for (kind, sample) in [
        ("HTTP GET to serve, unrouted 404", &calls.transport),
        ("HTTP modern tools/call of an unknown tool", &calls.dispatch),
    ] {
        metrics.push(Metric::new(
            format!("{kind}, p50"),
            p(sample, 50.0)?,
            Unit::Micros,
        ));
    }

    let duration = Duration::from_secs(u64::try_from(settings.seconds).unwrap_or(u64::MAX));
    for clients in CONCURRENCY {
        println!(
            "== throughput with {}, {} s each",
            plural(clients, "client"),
            settings.seconds
        );
        let ours = http::http_throughput(&serve, clients, duration).await?;
        let reference = http::direct_throughput(&direct, clients, duration).await?;
        let who = plural(clients, "client");
        metrics.push(Metric::new(
            format!("HTTP / direct throughput, {who}"),
            ours.calls_per_second / reference.calls_per_second.max(f64::EPSILON),
            Unit::Ratio,
        ));
        for (kind, run) in [("HTTP tools/call", &ours), ("direct GET", &reference)] {
            metrics.push(Metric::new(
                format!("{kind} throughput, {who}"),
                run.calls_per_second,
                Unit::PerSecond,
            ));
            metrics.push(Metric::new(
                format!("{kind} p50, {who}"),
                p(&run.latencies, 50.0)?,
                Unit::Micros,
            ));
            metrics.push(Metric::new(
                format!("{kind} p99, {who}"),
                p(&run.latencies, 99.0)?,
                Unit::Micros,
            ));
        }
    }
    metrics.push(Metric::new(
        "serve peak RSS after the HTTP calls and throughput runs",
        serve.memory_mib("VmHWM:")?,
        Unit::Mebibytes,
    ));
    serve.stop().await?;

    println!("== serve with {} open legacy sessions", settings.sessions);
    let serve =
        http::Serve::start(binary, &db, &server.log, &server.base_url, &server.api_key).await?;
    let (peak, now) = http::sessions_rss(&serve, settings.sessions).await?;
    serve.stop().await?;
    metrics.push(
        Metric::new(
            format!("serve peak RSS, {} open legacy sessions", settings.sessions),
            peak,
            Unit::Mebibytes,
        )
        .target(30.0),
    );
    metrics.push(Metric::new(
        format!(
            "serve current RSS, {} open legacy sessions",
            settings.sessions
        ),
        now,
        Unit::Mebibytes,
    ));
    Ok(metrics)
}

/// The p50 and p99 rows of one way of calling the tool, with its ratios to the direct GET.
fn latency_rows(metrics: &mut Vec<Metric>, kind: &str, ours: &[f64], direct: &[f64]) -> Result<()> {
    let (ours_p50, ours_p99) = (p(ours, 50.0)?, p(ours, 99.0)?);
    let (direct_p50, direct_p99) = (p(direct, 50.0)?, p(direct, 99.0)?);
    metrics.push(
        Metric::new(
            format!("{kind} / direct at p50"),
            ours_p50 / direct_p50.max(f64::EPSILON),
            Unit::Ratio,
        )
        .target(1.2),
    );
    metrics.push(Metric::new(
        format!("{kind} / direct at p99"),
        ours_p99 / direct_p99.max(f64::EPSILON),
        Unit::Ratio,
    ));
    metrics.push(Metric::new(
        format!("{kind} tools/call p50"),
        ours_p50,
        Unit::Micros,
    ));
    metrics.push(Metric::new(
        format!("direct GET p50 (beside {kind})"),
        direct_p50,
        Unit::Micros,
    ));
    metrics.push(Metric::new(
        format!("{kind} tools/call p99"),
        ours_p99,
        Unit::Micros,
    ));
    metrics.push(Metric::new(
        format!("direct GET p99 (beside {kind})"),
        direct_p99,
        Unit::Micros,
    ));
    Ok(())
}

/// The reference: the same Freshservice request, sent straight to the sandbox with reqwest.
#[derive(Clone)]
struct Direct {
    client: reqwest::Client,
    url: std::sync::Arc<str>,
    api_key: std::sync::Arc<str>,
}

impl Direct {
    fn new(base_url: &str, api_key: &str) -> Self {
        Direct {
            client: reqwest::Client::new(),
            url: format!("{base_url}{DIRECT_PATH}").into(),
            api_key: api_key.into(),
        }
    }

    /// Another client of the same request, with its own connection.
    fn fresh(&self) -> Self {
        Direct {
            client: reqwest::Client::new(),
            ..self.clone()
        }
    }

    /// One GET, timed until the body is read, on a kept-alive connection.
    async fn get(&self) -> Result<Duration> {
        let started = Instant::now();
        let response = self
            .client
            .get(&*self.url)
            .basic_auth(&self.api_key, Some("X"))
            .timeout(ANSWER_TIMEOUT)
            .send()
            .await
            .with_context(|| format!("GET {}", self.url))?;
        let status = response.status();
        let body = response.bytes().await.context("reading the direct body")?;
        let elapsed = started.elapsed();
        if !status.is_success() || body.is_empty() {
            bail!("GET {} answered {status}", self.url);
        }
        Ok(elapsed)
    }
}

/// The percentile, or an error naming the empty sample (which would be a bug in the bench).
fn p(sample: &[f64], pct: f64) -> Result<f64> {
    percentile(sample, pct).context("no measurements were taken")
}

/// How to start one stdio server.
struct Server<'a> {
    binary: &'a Path,
    base_url: String,
    api_key: String,
    log: std::fs::File,
}

impl Server<'_> {
    fn spawn(&self) -> Result<StdioServer> {
        let mut child = Command::new(self.binary)
            // The whole catalogue, as before auto became the default: the heaviest listing, and
            // the numbers stay comparable between runs.
            .args([
                "stdio",
                "--base-url",
                &self.base_url,
                "--tool-exposure",
                "all",
            ])
            .env("FRESHSERVICE_API_KEY", &self.api_key)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(self.log.try_clone().context("sharing the server log")?)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("spawning {}", self.binary.display()))?;
        let stdin = child.stdin.take().context("the server has no stdin")?;
        let stdout = child.stdout.take().context("the server has no stdout")?;
        Ok(StdioServer {
            child,
            stdin,
            stdout: BufReader::new(stdout).lines(),
            next_id: 0,
        })
    }
}

/// A running `freshservice-mcp stdio` and the client end of its pipes.
struct StdioServer {
    child: Child,
    stdin: ChildStdin,
    stdout: Lines<BufReader<ChildStdout>>,
    next_id: i64,
}

impl StdioServer {
    /// Sends one newline-delimited JSON-RPC message.
    async fn send(&mut self, message: &Value) -> Result<()> {
        let mut line = serde_json::to_string(message)?;
        line.push('\n');
        self.stdin
            .write_all(line.as_bytes())
            .await
            .context("writing to the server's stdin")?;
        self.stdin
            .flush()
            .await
            .context("flushing the server's stdin")
    }

    /// Sends a request and returns its result, skipping any notification the server sends meanwhile.
    async fn request(&mut self, method: &str, params: Value) -> Result<Value> {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await?;
        loop {
            let line = tokio::time::timeout(ANSWER_TIMEOUT, self.stdout.next_line())
                .await
                .with_context(|| {
                    format!("{method}: no answer within {ANSWER_TIMEOUT:?}; see {SERVER_LOG}")
                })?
                .context("reading the server's stdout")?
                .with_context(|| format!("{method}: the server closed stdout; see {SERVER_LOG}"))?;
            let message: Value = serde_json::from_str(&line)
                .with_context(|| format!("{method}: the server wrote a line that is not JSON"))?;
            if message.get("id") != Some(&json!(id)) {
                continue;
            }
            if let Some(error) = message.get("error") {
                bail!("{method} failed: {error}");
            }
            return message
                .get("result")
                .cloned()
                .with_context(|| format!("{method}: answer without result"));
        }
    }

    /// The legacy handshake: `initialize`, then `notifications/initialized`.
    async fn initialize(&mut self) -> Result<()> {
        self.request(
            "initialize",
            json!({
                "protocolVersion": mcp_messages::LATEST_LEGACY_PROTOCOL_VERSION,
                "capabilities": {},
                "clientInfo": {"name": "xtask-bench", "version": env!("CARGO_PKG_VERSION")},
            }),
        )
        .await?;
        self.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
            .await
    }

    /// Every `tools/list` page; returns how many tools there are.
    async fn list_all_tools(&mut self) -> Result<usize> {
        let mut count = 0;
        let mut params = json!({});
        loop {
            let page = self.request("tools/list", params).await?;
            count += page["tools"].as_array().map_or(0, Vec::len);
            match page.get("nextCursor").and_then(Value::as_str) {
                Some(cursor) => params = json!({"cursor": cursor}),
                None => return Ok(count),
            }
        }
    }

    /// Closes stdin (the server's signal to stop) and waits for it to exit.
    async fn close(self) -> Result<()> {
        let StdioServer {
            mut child, stdin, ..
        } = self;
        drop(stdin);
        tokio::time::timeout(ANSWER_TIMEOUT, child.wait())
            .await
            .context("the server did not exit after stdin closed")?
            .context("waiting for the server")?;
        Ok(())
    }
}

/// Latencies (µs) of `tools/call` over stdio and of the direct GET, and the server's peak RSS (MiB).
async fn overhead(
    server: &Server<'_>,
    direct: &Direct,
    calls: usize,
) -> Result<(Vec<f64>, Vec<f64>, f64)> {
    let mut stdio = server.spawn()?;
    stdio.initialize().await?;

    let call_tool = async |stdio: &mut StdioServer| -> Result<Duration> {
        let started = Instant::now();
        let result = stdio
            .request(
                "tools/call",
                json!({"name": TOOL, "arguments": {"change_id": 1}}),
            )
            .await?;
        let elapsed = started.elapsed();
        if result.get("isError") == Some(&Value::Bool(true)) {
            bail!("{TOOL} answered with isError: {result}");
        }
        Ok(elapsed)
    };

    for _ in 0..WARM_UP {
        call_tool(&mut stdio).await?;
        direct.get().await?;
    }
    let mut ours = Vec::with_capacity(calls);
    let mut reference = Vec::with_capacity(calls);
    while ours.len() < calls {
        let batch = BATCH.min(calls - ours.len());
        for _ in 0..batch {
            ours.push(micros(call_tool(&mut stdio).await?));
        }
        for _ in 0..batch {
            reference.push(micros(direct.get().await?));
        }
    }
    let peak = match stdio.child.id() {
        Some(pid) => proc_kib(pid, "VmHWM:")? / 1024.0,
        None => bail!("the server exited before its peak RSS could be read; see {SERVER_LOG}"),
    };
    stdio.close().await?;
    Ok((ours, reference, peak))
}

/// How long the account's form fields take to read during the cold starts: the server reads them
/// in the background, so start-up must not wait for them.
const SLOW_FIELDS: Duration = Duration::from_millis(200);

/// Makes the sandbox answer the ticket form fields (its own, unchanged) after [`SLOW_FIELDS`].
async fn slow_form_fields(sandbox: &freshservice_sandbox::Sandbox) {
    let fields = sandbox.form_fields(freshservice_sandbox::FormModule::Tickets);
    wiremock::Mock::given(wiremock::matchers::method("GET"))
        .and(wiremock::matchers::path("/api/v2/ticket_form_fields"))
        .respond_with(
            wiremock::ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({ "ticket_fields": fields }))
                .set_delay(SLOW_FIELDS),
        )
        .mount(sandbox.mock_server())
        .await;
}

/// Cold starts, one entry per run, in milliseconds from spawn.
struct ColdStarts {
    /// Until `initialize` is answered: process start and service construction.
    initialized: Vec<f64>,
    /// Until the last `tools/list` page is answered.
    listed: Vec<f64>,
    /// How many tools the pages held.
    tools: usize,
}

async fn cold_start(server: &Server<'_>, runs: usize) -> Result<ColdStarts> {
    let mut cold = ColdStarts {
        initialized: Vec::with_capacity(runs),
        listed: Vec::with_capacity(runs),
        tools: 0,
    };
    for _ in 0..runs {
        let started = Instant::now();
        let mut stdio = server.spawn()?;
        stdio.initialize().await?;
        cold.initialized.push(started.elapsed().as_secs_f64() * 1e3);
        cold.tools = stdio.list_all_tools().await?;
        cold.listed.push(started.elapsed().as_secs_f64() * 1e3);
        stdio.close().await?;
    }
    Ok(cold)
}

fn micros(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e6
}

/// A `Name:   1234 kB` field of `/proc/<pid>/status`, such as `VmHWM:` (Linux only: other systems
/// have no /proc).
fn proc_kib(pid: u32, field: &str) -> Result<f64> {
    let path = format!("/proc/{pid}/status");
    let status = std::fs::read_to_string(&path)
        .with_context(|| format!("reading {path} (memory is measured on Linux only)"))?;
    kib_field(&status, field).with_context(|| format!("{path} has no {field} line"))
}

/// The number of a `Name:   1234 kB` line of /proc/*/status or /proc/meminfo.
fn kib_field(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(name))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

/// The nearest-rank percentile: the smallest value with at least `pct`% of the sample at or below it.
/// `None` for an empty sample or a `pct` outside 0..=100.
fn percentile(sample: &[f64], pct: f64) -> Option<f64> {
    if sample.is_empty() || !(0.0..=100.0).contains(&pct) {
        return None;
    }
    let mut sorted = sample.to_vec();
    sorted.sort_by(f64::total_cmp);
    // Truncation is intended: the rank is a small positive whole number.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let rank = (pct / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.max(1) - 1).copied()
}

/// What a number measures, and how it is printed.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Unit {
    /// Nanoseconds, printed in µs from 1000 ns up.
    Nanos,
    Micros,
    Millis,
    Mebibytes,
    PerSecond,
    Ratio,
}

impl Unit {
    fn symbol(self) -> &'static str {
        match self {
            Unit::Nanos => "ns",
            Unit::Micros => "µs",
            Unit::Millis => "ms",
            Unit::PerSecond => "calls/s",
            Unit::Mebibytes => "MiB",
            Unit::Ratio => "×",
        }
    }

    fn format(self, value: f64) -> String {
        match self {
            Unit::Nanos if value >= 1000.0 => format!("{:.2} µs", value / 1000.0),
            Unit::Nanos | Unit::Micros | Unit::PerSecond => {
                format!("{value:.0} {}", self.symbol())
            }
            Unit::Millis => format!("{value:.1} {}", self.symbol()),
            // Two decimals, so a value just under a whole-number target does not print as the target.
            Unit::Mebibytes => format!("{value:.2} {}", self.symbol()),
            Unit::Ratio => format!("{value:.2}{}", self.symbol()),
        }
    }
}

/// One row of the report; `target` is an upper bound, reported as pass or miss.
#[derive(Debug, Clone, PartialEq)]
struct Metric {
    name: String,
    value: f64,
    unit: Unit,
    target: Option<f64>,
}

impl Metric {
    fn new(name: impl Into<String>, value: f64, unit: Unit) -> Self {
        Metric {
            name: name.into(),
            value,
            unit,
            target: None,
        }
    }

    fn target(mut self, upper_bound: f64) -> Self {
        self.target = Some(upper_bound);
        self
    }

    /// `Some(true)` when under the target, `Some(false)` when at or over it, `None` without a target.
    fn passes(&self) -> Option<bool> {
        self.target.map(|bound| self.value < bound)
    }

    fn verdict(&self) -> &'static str {
        match self.passes() {
            Some(true) => "pass",
            Some(false) => "miss",
            None => "",
        }
    }

    fn to_json(&self) -> Value {
        json!({
            "name": self.name,
            "value": self.value,
            "unit": self.unit.symbol(),
            "target_below": self.target,
            "pass": self.passes(),
        })
    }
}

/// The report as a Markdown table, ready to paste into `docs/performance.md`.
fn markdown_table(metrics: &[Metric]) -> String {
    let mut out = String::from("| measurement | value | target | verdict |\n|---|---:|---:|---|\n");
    for metric in metrics {
        let target = metric
            .target
            .map(|bound| format!("< {}", metric.unit.format(bound)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "| {} | {} | {target} | {} |",
            metric.name,
            metric.unit.format(metric.value),
            metric.verdict()
        );
    }
    out
}

/// What the numbers ran on.
struct Machine {
    cpu: String,
    cpus: usize,
    memory: String,
}

impl Machine {
    fn detect() -> Self {
        let cpu = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|text| {
                text.lines()
                    .find_map(|line| line.strip_prefix("model name"))
                    .and_then(|rest| rest.split_once(':'))
                    .map(|(_, model)| model.trim().to_owned())
            })
            .unwrap_or_else(|| "unknown CPU".to_owned());
        let memory = std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|text| kib_field(&text, "MemTotal:"))
            .map_or_else(
                || "unknown memory".to_owned(),
                |kib| format!("{:.1} GiB RAM", kib / 1024.0 / 1024.0),
            );
        Machine {
            cpu,
            cpus: std::thread::available_parallelism().map_or(1, usize::from),
            memory,
        }
    }
}

/// `YYYY-MM-DD HH:MM UTC`, without a date crate (Howard Hinnant's days-to-civil algorithm).
fn utc_date(now: SystemTime) -> String {
    let secs = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let (hour, minute) = ((secs % 86_400) / 3600, (secs % 3600) / 60);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02} UTC")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_is_nearest_rank() {
        fn check(sample: &[f64], pct: f64, want: Option<f64>) {
            assert_eq!(percentile(sample, pct), want, "p{pct} of {sample:?}");
        }
        let ten: Vec<f64> = (1..=10).rev().map(f64::from).collect();
        check(&ten, 50.0, Some(5.0));
        check(&ten, 99.0, Some(10.0));
        check(&ten, 100.0, Some(10.0));
        check(&ten, 0.0, Some(1.0));
        check(&ten, 10.0, Some(1.0));
        check(&ten, 11.0, Some(2.0));
        check(&[7.0], 99.0, Some(7.0));
        check(&[], 50.0, None);
        check(&ten, 101.0, None);
        check(&ten, f64::NAN, None);
    }

    #[test]
    fn targets_report_pass_and_miss() {
        fn check(metric: Metric, want: &str) {
            assert_eq!(metric.verdict(), want, "{metric:?}");
        }
        check(Metric::new("r", 1.1, Unit::Ratio).target(1.2), "pass");
        check(Metric::new("r", 1.2, Unit::Ratio).target(1.2), "miss");
        check(Metric::new("r", 3.0, Unit::Ratio), "");
    }

    #[test]
    fn table_row_shows_value_target_and_verdict() {
        let table = markdown_table(&[Metric::new("cold", 12.345, Unit::Millis).target(50.0)]);
        assert!(
            table.ends_with("| cold | 12.3 ms | < 50.0 ms | pass |\n"),
            "{table}"
        );
    }

    #[test]
    fn args_parse_and_reject() {
        assert_eq!(parse_args(&[]).unwrap(), Settings::default());
        assert_eq!(
            parse_args(&[
                "--calls",
                "5",
                "--no-criterion",
                "--cold-runs",
                "2",
                "--seconds",
                "1",
                "--sessions",
                "3"
            ])
            .unwrap(),
            Settings {
                calls: 5,
                cold_runs: 2,
                seconds: 1,
                sessions: 3,
                criterion: false,
            }
        );
        assert!(parse_args(&["--calls", "0"]).is_err());
        assert!(parse_args(&["--calls"]).is_err());
        assert!(parse_args(&["--sessions", "-1"]).is_err());
        assert!(parse_args(&["--fast"]).is_err());
    }

    #[test]
    fn units_print_readably() {
        fn check(unit: Unit, value: f64, want: &str) {
            assert_eq!(unit.format(value), want, "{unit:?} {value}");
        }
        check(Unit::Nanos, 853.4, "853 ns");
        check(Unit::Nanos, 10_000.0, "10.00 µs");
        check(Unit::PerSecond, 1234.6, "1235 calls/s");
        check(Unit::Ratio, 1.234, "1.23×");
    }

    #[test]
    fn utc_date_matches_known_days() {
        fn check(secs: u64, want: &str) {
            assert_eq!(utc_date(UNIX_EPOCH + Duration::from_secs(secs)), want);
        }
        check(0, "1970-01-01 00:00 UTC");
        check(951_782_400, "2000-02-29 00:00 UTC");
        check(1_795_000_000, "2026-11-18 11:06 UTC");
    }

    #[test]
    fn kib_field_reads_proc_lines() {
        let status = "Name:\tx\nVmHWM:\t   20480 kB\nVmRSS:\t 1 kB\n";
        assert_eq!(kib_field(status, "VmHWM:"), Some(20480.0));
        assert_eq!(kib_field(status, "VmPeak:"), None);
    }
}
