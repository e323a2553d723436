//! `cargo xtask bench agent [--json] [--steps]`: the token bill of the seed story's two workflows
//! (CAB preparation and onboarding), driven the way a model drives them, in each tool exposure.
//!
//! Each run starts a fresh `freshservice_sandbox::Sandbox`, builds an `McpService` for it with one
//! exposure, and serves it with `freshservice_mcp::serve_io` on in-memory pipes: the bytes counted
//! are exactly the newline-delimited JSON-RPC lines a stdio client writes and reads, newline
//! included. Nothing is timed, so a debug build gives the same numbers as a release build.
//!
//! What a run counts:
//! - **handshake**: the legacy handshake (`initialize`, its answer, `notifications/initialized`);
//! - **tools/list**: the answer lines of every `tools/list` page;
//! - **requests**: the MCP requests after the handshake (`tools/list` pages and `tools/call`s) and
//!   the bytes of their lines;
//! - **responses**: every other line the server writes (tool results and any notification);
//! - **total**: handshake + tools/list + request bytes + response bytes; tokens are total / 4.
//!
//! How the model behaves in each mode (the same script whatever the mode; what is listed decides):
//! - It lists the tools (every page) and calls each tool it needs that is listed directly, with the
//!   arguments its listed schema describes. In `all` (and `auto` when it resolves to `all`) that
//!   is every step.
//! - For a needed tool that is not listed (`core`, `auto` resolved to `core`, `discovery`), it
//!   first asks `search_freshservice_tools` in plain words ([`Need::query`]: what a model writes
//!   for the step, not a tool name), takes the tool from the hits, and calls it through
//!   `call_freshservice_tool`. The tool must be among the first three hits (the ones that carry
//!   their required arguments); otherwise the mode is broken for that workflow.
//! - When a step passes arguments beyond the hit's `required` ones (optional arguments), the model
//!   asks `get_freshservice_tool_schema` for those tools first, all in one call with `names`.
//! - It finds what it needs before the first step rather than at each step; the order changes
//!   only the request ids, not the requests.
//! - One search per needed tool, with the default limit: the model does not guess that one
//!   search answered for two steps.
//!
//! The workflows mirror `crates/freshservice-mcp-server/tests/clients/py_workflows.py`: every
//! id comes from a previous result, and the outcome is checked against the sandbox's records as
//! the workflow tests check it, so a mode that breaks a workflow is reported, not measured.

use freshservice_sandbox::Collection;
use std::collections::HashSet;
use std::fmt::Write as _;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail, ensure};
use freshservice_mcp::{McpService, ToolExposure};
use freshservice_sandbox::Sandbox;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream};

use super::{ANSWER_TIMEOUT, utc_date};

/// effytech's `tools/list` (59 tools, compact JSON): the smallest listing among the Freshservice
/// MCP servers measured side by side (docs/peers.md, §5.4 "Side by side with freshservice-mcp").
const EFFYTECH_TOOLS_LIST_BYTES: usize = 35_526;

/// The usual rough conversion for JSON and English text.
const BYTES_PER_TOKEN: usize = 4;

/// A search hit the model takes must be among this many (the hits that carry their required
/// arguments).
const TOP_HITS: usize = 3;

/// The meta-tools `core` and `discovery` list.
const SEARCH_TOOL: &str = "search_freshservice_tools";
const SCHEMA_TOOL: &str = "get_freshservice_tool_schema";
const CALL_TOOL: &str = "call_freshservice_tool";

/// Every mode, in the order of the table.
const MODES: [ToolExposure; 4] = [
    ToolExposure::All,
    ToolExposure::Core,
    ToolExposure::Discovery,
    ToolExposure::Auto,
];

/// How big each in-memory pipe's buffer is; a longer line simply waits for the reader.
const PIPE_BYTES: usize = 64 * 1024;

const USAGE: &str = "cargo xtask bench agent [--json] [--steps]";

/// One of the seed story's workflows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Workflow {
    Cab,
    Onboarding,
}

impl Workflow {
    const EVERY: [Workflow; 2] = [Workflow::Cab, Workflow::Onboarding];

    fn name(self) -> &'static str {
        match self {
            Workflow::Cab => "cab",
            Workflow::Onboarding => "onboarding",
        }
    }

    /// The tools the workflow calls, what a model searches for each, and the arguments its steps
    /// pass (checked on every call, so this table cannot drift from the steps).
    fn needs(self) -> &'static [Need] {
        match self {
            Workflow::Cab => &[
                Need {
                    tool: "freshservice_changes_filter",
                    query: "filter changes",
                    arguments: &["query"],
                },
                Need {
                    tool: "get_single_freshservice_change_by_id",
                    query: "get change details",
                    arguments: &["change_id"],
                },
                Need {
                    tool: "get_single_freshservice_asset_by_id",
                    query: "get an asset by its display id",
                    arguments: &["display_id"],
                },
                Need {
                    tool: "freshservice_tickets_filter",
                    query: "filter tickets",
                    arguments: &["query"],
                },
            ],
            Workflow::Onboarding => &[
                Need {
                    tool: "create_a_freshservice_onboarding_request",
                    query: "create an onboarding request for a new hire",
                    arguments: &["initiator_id", "fields"],
                },
                Need {
                    tool: "list_all_freshservice_projects",
                    query: "list projects",
                    arguments: &[],
                },
                Need {
                    tool: "list_all_freshservice_groups",
                    query: "list the agent groups",
                    arguments: &[],
                },
                Need {
                    tool: "create_a_freshservice_project_task",
                    query: "create a task in a project",
                    arguments: &[
                        "project_id",
                        "title",
                        "type_id",
                        "assignee_id",
                        "planned_end_date",
                    ],
                },
            ],
        }
    }
}

/// A tool a workflow calls.
#[derive(Debug)]
struct Need {
    tool: &'static str,
    /// What a model asks `search_freshservice_tools` when the tool is not listed: the words it
    /// writes for the step (the change filter's are py_workflows.py's own).
    query: &'static str,
    /// The argument names the workflow's steps pass.
    arguments: &'static [&'static str],
}

pub(super) fn run(args: &[&str]) -> Result<()> {
    let mut as_json = false;
    let mut steps = false;
    for arg in args {
        match *arg {
            "--json" => as_json = true,
            "--steps" => steps = true,
            other => bail!("unexpected argument {other:?}; use `{USAGE}`"),
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the tokio runtime")?;
    let mut runs = Vec::new();
    for workflow in Workflow::EVERY {
        for exposure in MODES {
            let outcome = runtime.block_on(measure(workflow, exposure));
            runs.push(Run {
                workflow,
                exposure,
                outcome,
            });
        }
    }
    drop(runtime);

    let target = Target::from_runs(&runs);
    if as_json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report_json(&runs, &target))?
        );
    } else {
        print!("{}", table(&runs, steps));
        println!("{}", target.line());
    }
    let broken: Vec<String> = runs
        .iter()
        .filter_map(|run| {
            let error = run.outcome.as_ref().err()?;
            Some(format!(
                "{} in {}: {error:#}",
                run.workflow.name(),
                run.exposure
            ))
        })
        .collect();
    if !broken.is_empty() {
        bail!("broken workflows:\n  {}", broken.join("\n  "));
    }
    Ok(())
}

/// One workflow in one mode.
struct Run {
    workflow: Workflow,
    exposure: ToolExposure,
    outcome: Result<Measured>,
}

impl Run {
    fn mode(&self) -> String {
        match &self.outcome {
            Ok(measured) if measured.listing != self.exposure => {
                format!("{} ({})", self.exposure, measured.listing)
            }
            _ => self.exposure.to_string(),
        }
    }
}

/// What a successful run cost.
#[derive(Debug)]
struct Measured {
    /// The exposure the service resolved (`auto` becomes `all` or `core`).
    listing: ToolExposure,
    bill: Bill,
}

/// Bytes by part, and every exchange in order.
#[derive(Debug, Default)]
struct Bill {
    handshake: usize,
    tools_list: usize,
    pages: usize,
    requests: usize,
    request_bytes: usize,
    response_bytes: usize,
    steps: Vec<Step>,
}

/// One exchange: what the client wrote and what it read until the answer.
#[derive(Debug)]
struct Step {
    part: Part,
    label: String,
    sent: usize,
    received: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Handshake,
    ToolsList,
    Call,
}

impl Bill {
    fn total(&self) -> usize {
        self.handshake + self.tools_list + self.request_bytes + self.response_bytes
    }

    fn record(&mut self, part: Part, label: String, sent: usize, received: usize) {
        match part {
            Part::Handshake => self.handshake += sent + received,
            Part::ToolsList => {
                self.pages += 1;
                self.requests += 1;
                self.request_bytes += sent;
                self.tools_list += received;
            }
            Part::Call => {
                self.requests += 1;
                self.request_bytes += sent;
                self.response_bytes += received;
            }
        }
        self.steps.push(Step {
            part,
            label,
            sent,
            received,
        });
    }

    fn to_json(&self) -> Value {
        json!({
            "handshake_bytes": self.handshake,
            "tools_list_bytes": self.tools_list,
            "tools_list_pages": self.pages,
            "requests": self.requests,
            "request_bytes": self.request_bytes,
            "response_bytes": self.response_bytes,
            "total_bytes": self.total(),
            "tokens": tokens(self.total()),
            "steps": self.steps.iter().map(|step| json!({
                "step": step.label,
                "request_bytes": step.sent,
                "response_bytes": step.received,
            })).collect::<Vec<_>>(),
        })
    }
}

fn tokens(bytes: usize) -> usize {
    bytes.div_ceil(BYTES_PER_TOKEN)
}

/// Runs one workflow in one mode against a fresh sandbox and checks its outcome.
async fn measure(workflow: Workflow, exposure: ToolExposure) -> Result<Measured> {
    let sandbox = Sandbox::start().await;
    let client = freshservice_client::Client::builder()
        .base_url(sandbox.uri())
        .api_key(sandbox.api_key())
        .build()
        .context("building the Freshservice client for the sandbox")?;
    let service = McpService::builder()
        .client(client)
        .tool_exposure(exposure)
        .build()
        .context("building the MCP service")?;
    let listing = service.tool_exposure();
    let mut agent = Agent::connect(service, workflow.needs());
    let result = drive(&mut agent, workflow, &sandbox).await;
    let bill = agent.close().await?;
    result?;
    Ok(Measured { listing, bill })
}

async fn drive(agent: &mut Agent, workflow: Workflow, sandbox: &Sandbox) -> Result<()> {
    agent.initialize().await?;
    agent.list_tools().await?;
    agent.prepare().await?;
    match workflow {
        Workflow::Cab => {
            let report = cab(agent).await?;
            check_cab(sandbox, &report)
        }
        Workflow::Onboarding => {
            let report = onboarding(agent).await?;
            check_onboarding(sandbox, &report)
        }
    }
}

/// The client end of one stdio session served in-process, counting every line both ways.
struct Wire {
    to_server: Option<DuplexStream>,
    from_server: BufReader<DuplexStream>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    next_id: i64,
    bill: Bill,
}

impl Wire {
    fn connect(service: McpService) -> Self {
        let (to_server, server_reads) = tokio::io::duplex(PIPE_BYTES);
        let (server_writes, from_server) = tokio::io::duplex(PIPE_BYTES);
        let server = tokio::spawn(freshservice_mcp::serve_io(
            service,
            server_reads,
            server_writes,
        ));
        Wire {
            to_server: Some(to_server),
            from_server: BufReader::new(from_server),
            server,
            next_id: 0,
            bill: Bill::default(),
        }
    }

    /// Writes one message as a line; returns its bytes.
    async fn send(&mut self, message: &Value) -> Result<usize> {
        let mut line = serde_json::to_string(message)?;
        line.push('\n');
        let pipe = self.to_server.as_mut().context("the session is closed")?;
        pipe.write_all(line.as_bytes())
            .await
            .context("writing to the server")?;
        pipe.flush().await.context("flushing to the server")?;
        Ok(line.len())
    }

    /// Sends a request, reads lines until its answer, and bills both; returns the result.
    async fn request(
        &mut self,
        part: Part,
        label: String,
        method: &str,
        params: Value,
    ) -> Result<Value> {
        self.next_id += 1;
        let id = self.next_id;
        let sent = self
            .send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await?;
        let mut received = 0;
        let answer = loop {
            let mut line = String::new();
            let read = tokio::time::timeout(ANSWER_TIMEOUT, self.from_server.read_line(&mut line))
                .await
                .with_context(|| format!("{label}: no answer within {ANSWER_TIMEOUT:?}"))?
                .context("reading from the server")?;
            ensure!(read > 0, "{label}: the server closed its output");
            received += read;
            let message: Value = serde_json::from_str(&line)
                .with_context(|| format!("{label}: the server wrote a line that is not JSON"))?;
            if message.get("id") == Some(&json!(id)) {
                break message;
            }
        };
        self.bill.record(part, label.clone(), sent, received);
        if let Some(error) = answer.get("error") {
            bail!("{label}: {method} failed: {error}");
        }
        answer
            .get("result")
            .cloned()
            .with_context(|| format!("{label}: answer without a result"))
    }

    /// Closes the server's input (its signal to stop) and waits for it.
    async fn close(mut self) -> Result<Bill> {
        drop(self.to_server.take());
        tokio::time::timeout(ANSWER_TIMEOUT, &mut self.server)
            .await
            .context("the server did not stop after its input closed")?
            .context("the server task failed")?
            .context("the server's I/O failed")?;
        Ok(self.bill)
    }
}

/// The model: what it has seen listed and how it reaches each tool it needs.
struct Agent {
    wire: Wire,
    needs: &'static [Need],
    listed: Vec<String>,
    /// The needed tools the model reaches through `call_freshservice_tool`.
    through_meta: HashSet<&'static str>,
}

impl Agent {
    fn connect(service: McpService, needs: &'static [Need]) -> Self {
        Agent {
            wire: Wire::connect(service),
            needs,
            listed: Vec::new(),
            through_meta: HashSet::new(),
        }
    }

    async fn close(self) -> Result<Bill> {
        self.wire.close().await
    }

    /// The legacy handshake: `initialize`, then `notifications/initialized`.
    async fn initialize(&mut self) -> Result<()> {
        self.wire
            .request(
                Part::Handshake,
                "initialize".into(),
                "initialize",
                json!({
                    "protocolVersion": mcp_messages::LATEST_LEGACY_PROTOCOL_VERSION,
                    "capabilities": {},
                    "clientInfo": {"name": "xtask-bench-agent", "version": env!("CARGO_PKG_VERSION")},
                }),
            )
            .await?;
        let sent = self
            .wire
            .send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
            .await?;
        self.wire
            .bill
            .record(Part::Handshake, "notifications/initialized".into(), sent, 0);
        Ok(())
    }

    /// Every `tools/list` page.
    async fn list_tools(&mut self) -> Result<()> {
        let mut params = json!({});
        loop {
            let label = format!("tools/list page {}", self.wire.bill.pages + 1);
            let page = self
                .wire
                .request(Part::ToolsList, label, "tools/list", params)
                .await?;
            let tools = page["tools"]
                .as_array()
                .context("a tools/list page without tools")?;
            self.listed.extend(
                tools
                    .iter()
                    .filter_map(|tool| tool["name"].as_str().map(str::to_owned)),
            );
            match page.get("nextCursor").and_then(Value::as_str) {
                Some(cursor) => params = json!({"cursor": cursor}),
                None => return Ok(()),
            }
        }
    }

    fn is_listed(&self, name: &str) -> bool {
        self.listed.iter().any(|listed| listed == name)
    }

    /// Finds every needed tool that is not listed, and the schemas of those whose steps pass
    /// optional arguments (one call for all of them).
    async fn prepare(&mut self) -> Result<()> {
        let mut describe = Vec::new();
        for need in self.needs {
            if self.is_listed(need.tool) {
                continue;
            }
            ensure!(
                self.is_listed(SEARCH_TOOL) && self.is_listed(CALL_TOOL),
                "{} is not listed, and neither are the meta-tools that would reach it",
                need.tool
            );
            let found = self
                .call_listed(
                    SEARCH_TOOL,
                    json!({"query": need.query}),
                    format!("{SEARCH_TOOL} {:?}", need.query),
                )
                .await?;
            let hits = found["tools"]
                .as_array()
                .context("a search answer without tools")?;
            let names: Vec<&str> = hits.iter().filter_map(|hit| hit["name"].as_str()).collect();
            let Some(position) = names
                .iter()
                .position(|name| *name == need.tool)
                .filter(|position| *position < TOP_HITS)
            else {
                bail!(
                    "the search {:?} does not put {} in its top {TOP_HITS}: {:?}",
                    need.query,
                    need.tool,
                    &names[..names.len().min(5)]
                );
            };
            let required = hits[position]["required"].as_object();
            if need
                .arguments
                .iter()
                .any(|argument| !required.is_some_and(|required| required.contains_key(*argument)))
            {
                describe.push(need.tool);
            }
            self.through_meta.insert(need.tool);
        }
        if !describe.is_empty() {
            let described = self
                .call_listed(
                    SCHEMA_TOOL,
                    json!({"names": describe}),
                    format!("{SCHEMA_TOOL} {}", describe.join(", ")),
                )
                .await?;
            for name in &describe {
                let schema = described["tools"]
                    .as_array()
                    .and_then(|tools| tools.iter().find(|tool| tool["name"] == *name))
                    .and_then(|tool| tool.get("inputSchema"));
                ensure!(schema.is_some(), "{SCHEMA_TOOL} did not describe {name}");
            }
        }
        Ok(())
    }

    /// Calls a tool the model saw listed; returns its structured content.
    async fn call_listed(&mut self, name: &str, arguments: Value, label: String) -> Result<Value> {
        let result = self
            .wire
            .request(
                Part::Call,
                label,
                "tools/call",
                json!({"name": name, "arguments": arguments}),
            )
            .await?;
        if result["isError"] == true {
            bail!(
                "{name} failed: {}",
                result["content"][0]["text"].as_str().unwrap_or("(no text)")
            );
        }
        result
            .get("structuredContent")
            .cloned()
            .with_context(|| format!("{name} answered without structured content"))
    }

    /// Calls one of the workflow's tools, directly or through `call_freshservice_tool`.
    async fn call(&mut self, tool: &'static str, arguments: Value) -> Result<Value> {
        let need = self
            .needs
            .iter()
            .find(|need| need.tool == tool)
            .with_context(|| format!("{tool} is not in the workflow's needs"))?;
        if let Some(object) = arguments.as_object() {
            for key in object.keys() {
                ensure!(
                    need.arguments.contains(&key.as_str()),
                    "the needs of {tool} do not list the argument {key}"
                );
            }
        }
        if self.through_meta.contains(tool) {
            let label = format!("{CALL_TOOL} {tool}");
            self.call_listed(
                CALL_TOOL,
                json!({"name": tool, "arguments": arguments}),
                label,
            )
            .await
        } else {
            self.call_listed(tool, arguments, tool.to_owned()).await
        }
    }
}

/// Prepares the CAB: tonight's emergency change, its assets, open high-priority incidents on them.
async fn cab(agent: &mut Agent) -> Result<Value> {
    let found = agent
        .call(
            "freshservice_changes_filter",
            json!({"query": "change_type:4 AND status:3"}),
        )
        .await?;
    let now = unix_now();
    let tonight = found["changes"]
        .as_array()
        .context("the change filter answered without changes")?
        .iter()
        .find(|change| {
            change["planned_start_date"]
                .as_str()
                .and_then(parse_timestamp)
                .is_some_and(|start| now <= start && start <= now + 24 * 3600)
        })
        .context("no emergency change awaiting approval is planned within 24 hours")?;
    let change_id = tonight["id"].clone();
    let change = agent
        .call(
            "get_single_freshservice_change_by_id",
            json!({"change_id": change_id}),
        )
        .await?["change"]
        .take();
    let mut incidents = serde_json::Map::new();
    for link in change["assets"].as_array().into_iter().flatten() {
        let asset = agent
            .call(
                "get_single_freshservice_asset_by_id",
                json!({"display_id": link["display_id"]}),
            )
            .await?["asset"]
            .take();
        let name = asset["name"].as_str().context("an asset without a name")?;
        let found = agent
            .call(
                "freshservice_tickets_filter",
                json!({"query": format!("cf_affected_asset:'{name}' AND status:2 AND priority:>3")}),
            )
            .await?;
        let mut ids: Vec<i64> = found["tickets"]
            .as_array()
            .context("the ticket filter answered without tickets")?
            .iter()
            .filter_map(|ticket| ticket["id"].as_i64())
            .collect();
        ids.sort_unstable();
        incidents.insert(name.to_owned(), json!(ids));
    }
    Ok(json!({
        "change_id": change["id"],
        "change_subject": change["subject"],
        "incidents": incidents,
    }))
}

/// The CAB outcome, checked as `tests/it/workflows.rs` checks it: the emergency change, and the
/// open high or urgent incidents on each of its assets computed from the sandbox's records.
fn check_cab(sandbox: &Sandbox, report: &Value) -> Result<()> {
    let change_id = report["change_id"]
        .as_i64()
        .with_context(|| format!("no change id in {report}"))?;
    let change = sandbox
        .get(Collection::Changes, change_id)
        .with_context(|| format!("change {change_id} is not in the sandbox"))?;
    ensure!(
        change["subject"] == "Primary Database Failover" && change["change_type"] == 4,
        "the workflow picked the wrong change: {report}"
    );
    let links = change["assets"].as_array().cloned().unwrap_or_default();
    ensure!(!links.is_empty(), "tonight's change has no assets");
    for link in links {
        let display_id = link["display_id"]
            .as_i64()
            .context("an asset link without id")?;
        let asset = sandbox
            .get(Collection::Assets, display_id)
            .with_context(|| format!("asset {display_id} is not in the sandbox"))?;
        let name = asset["name"].as_str().context("an asset without a name")?;
        let mut expected: Vec<i64> = sandbox
            .records(Collection::Tickets)
            .iter()
            .filter(|ticket| {
                ticket["custom_fields"]["cf_affected_asset"] == name
                    && ticket["status"] == 2
                    && ticket["priority"].as_i64().unwrap_or(0) >= 3
            })
            .filter_map(|ticket| ticket["id"].as_i64())
            .collect();
        expected.sort_unstable();
        ensure!(!expected.is_empty(), "the story has no incidents on {name}");
        ensure!(
            report["incidents"][name] == json!(expected),
            "incidents on {name}: found {}, expected {expected:?}",
            report["incidents"][name]
        );
    }
    Ok(())
}

/// Onboards a new hire starting next Monday and plans three hardware tasks for IT Support.
async fn onboarding(agent: &mut Agent) -> Result<Value> {
    let start_date = next_monday(unix_now());
    let request = agent
        .call(
            "create_a_freshservice_onboarding_request",
            json!({
                "initiator_id": 103,
                "fields": {
                    "cf_employee_name": "Jordan Rivera",
                    "cf_job_title": "Network Engineer",
                    "cf_date_of_joining": start_date,
                    "cf_department": 2,
                    "cf_location": 1,
                },
            }),
        )
        .await?["onboarding_request"]
        .take();
    let projects = agent
        .call("list_all_freshservice_projects", json!({}))
        .await?;
    let project = projects["projects"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|project| project["name"] == "Q4 Hardware Deployments")
        .context("no project Q4 Hardware Deployments")?
        .clone();
    let groups = agent
        .call("list_all_freshservice_groups", json!({}))
        .await?;
    let it_support = groups["groups"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|group| group["name"] == "IT Support")
        .context("no group IT Support")?;
    // Project tasks have one assignee; a group's work goes to its members, led by the leader.
    let members = it_support
        .get("members")
        .or_else(|| it_support.get("agent_ids"))
        .and_then(Value::as_array)
        .filter(|members| !members.is_empty())
        .context("IT Support has no members")?
        .clone();
    let titles = [
        "Prepare laptop for Jordan Rivera",
        "Create accounts for Jordan Rivera",
        "Deliver desk phone to Jordan Rivera",
    ];
    let mut task_ids = Vec::new();
    for (index, title) in titles.iter().enumerate() {
        let task = agent
            .call(
                "create_a_freshservice_project_task",
                json!({
                    "project_id": project["id"],
                    "title": title,
                    "type_id": 1,
                    "assignee_id": members[index % members.len()],
                    "planned_end_date": format!("{start_date}T09:00:00Z"),
                }),
            )
            .await?;
        let task = task.get("task").unwrap_or(&task);
        task_ids.push(task["id"].clone());
    }
    Ok(json!({
        "onboarding_request_id": request["id"],
        "start_date": start_date,
        "project_id": project["id"],
        "group_members": members,
        "task_ids": task_ids,
    }))
}

/// The onboarding outcome, checked as `tests/it/workflows.rs` checks it: the request is stored
/// with the chosen start date, and three tasks in the project are assigned within IT Support.
fn check_onboarding(sandbox: &Sandbox, report: &Value) -> Result<()> {
    let request_id = report["onboarding_request_id"]
        .as_i64()
        .with_context(|| format!("no onboarding request id in {report}"))?;
    let request = sandbox
        .get(Collection::OnboardingRequests, request_id)
        .with_context(|| format!("onboarding request {request_id} is not in the sandbox"))?;
    ensure!(
        request["fields"]["cf_employee_name"] == "Jordan Rivera"
            && request["fields"]["cf_date_of_joining"] == report["start_date"],
        "the onboarding request is not the one sent: {request}"
    );
    let it_support = sandbox
        .records(Collection::Groups)
        .into_iter()
        .find(|group| group["name"] == "IT Support")
        .context("the sandbox has no IT Support group")?;
    let members = it_support["members"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let project_id = report["project_id"]
        .as_i64()
        .with_context(|| format!("no project id in {report}"))?;
    let created: Vec<Value> = sandbox
        .records(Collection::ProjectTasks)
        .into_iter()
        .filter(|task| {
            task["project_id"] == project_id
                && task["title"]
                    .as_str()
                    .is_some_and(|title| title.contains("Jordan Rivera"))
        })
        .collect();
    ensure!(
        created.len() == 3,
        "{} tasks for Jordan Rivera in project {project_id}, expected 3",
        created.len()
    );
    let reported = report["task_ids"].as_array().cloned().unwrap_or_default();
    for task in &created {
        ensure!(
            members.contains(&task["assignee_id"]),
            "a task assigned outside IT Support: {task}"
        );
        ensure!(
            reported.contains(&task["id"]),
            "task {} was not reported",
            task["id"]
        );
    }
    Ok(())
}

/// Seconds since the epoch, by the model's clock (the sandbox seeds relative to the same clock).
fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
        })
}

/// `YYYY-MM-DD` of the Monday after the day of `now` (a week on, when `now` is a Monday).
fn next_monday(now: i64) -> String {
    let today = now.div_euclid(86_400);
    // 1970-01-01 was a Thursday: Monday is 0 after shifting by 3.
    let weekday = (today + 3).rem_euclid(7);
    let monday = today + (7 - weekday);
    let seconds = u64::try_from(monday * 86_400).unwrap_or(0);
    let date = utc_date(UNIX_EPOCH + Duration::from_secs(seconds));
    date[..10].to_owned()
}

/// Parses Freshservice's `YYYY-MM-DDTHH:MM:SSZ` into seconds since the epoch.
fn parse_timestamp(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    let shape_ok = bytes.len() == 20
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes[10] == b'T'
        && bytes[13] == b':'
        && bytes[16] == b':'
        && bytes[19] == b'Z';
    if !shape_ok {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let digits = text.get(range)?;
        digits
            .bytes()
            .all(|byte| byte.is_ascii_digit())
            .then(|| digits.parse().ok())?
    };
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let shifted_year = if month <= 2 { year - 1 } else { year };
    let era = shifted_year.div_euclid(400);
    let year_of_era = shifted_year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    Some(days * 86_400 + hour * 3600 + minute * 60 + second)
}

/// Whether the CAB workflow in `core` costs less than effytech's listing alone.
struct Target {
    total: Option<usize>,
}

impl Target {
    fn from_runs(runs: &[Run]) -> Self {
        let total = runs
            .iter()
            .find(|run| run.workflow == Workflow::Cab && run.exposure == ToolExposure::Core)
            .and_then(|run| run.outcome.as_ref().ok())
            .map(|measured| measured.bill.total());
        Target { total }
    }

    fn holds(&self) -> Option<bool> {
        self.total.map(|total| total < EFFYTECH_TOOLS_LIST_BYTES)
    }

    fn line(&self) -> String {
        let goal = format!(
            "target: the CAB workflow in core mode costs fewer bytes in total than effytech's tools/list ({} bytes)",
            grouped(EFFYTECH_TOOLS_LIST_BYTES)
        );
        match self.total {
            None => format!("{goal}: UNKNOWN, the CAB workflow broke in core mode"),
            Some(total) if total < EFFYTECH_TOOLS_LIST_BYTES => format!(
                "{goal}: HOLDS, {} bytes ({} to spare)",
                grouped(total),
                grouped(EFFYTECH_TOOLS_LIST_BYTES - total)
            ),
            Some(total) => format!(
                "{goal}: MISSED, {} bytes ({} over)",
                grouped(total),
                grouped(total - EFFYTECH_TOOLS_LIST_BYTES)
            ),
        }
    }
}

fn report_json(runs: &[Run], target: &Target) -> Value {
    json!({
        "bytes_per_token": BYTES_PER_TOKEN,
        "bytes": "JSON-RPC lines as a stdio client writes and reads them, newline included; total = handshake + tools/list + request bytes + response bytes",
        "effytech_tools_list_bytes": EFFYTECH_TOOLS_LIST_BYTES,
        "runs": runs.iter().map(|run| {
            let mut entry = json!({
                "workflow": run.workflow.name(),
                "mode": run.exposure.as_str(),
            });
            match &run.outcome {
                Ok(measured) => {
                    entry["listing"] = json!(measured.listing.as_str());
                    entry["ok"] = json!(true);
                    if let (Some(entry), Value::Object(bill)) = (entry.as_object_mut(), measured.bill.to_json()) {
                        entry.extend(bill);
                    }
                }
                Err(error) => {
                    entry["ok"] = json!(false);
                    entry["error"] = json!(format!("{error:#}"));
                }
            }
            entry
        }).collect::<Vec<_>>(),
        "target": {
            "workflow": "cab",
            "mode": "core",
            "total_bytes": target.total,
            "limit_bytes": EFFYTECH_TOOLS_LIST_BYTES,
            "holds": target.holds(),
        },
    })
}

/// The plain table, the reference listing and, with `steps`, every exchange of every run.
fn table(runs: &[Run], steps: bool) -> String {
    let header = [
        "workflow",
        "mode",
        "handshake",
        "tools/list",
        "requests",
        "request bytes",
        "response bytes",
        "total bytes",
        "≈tokens",
    ];
    let mut rows: Vec<Vec<String>> = vec![header.iter().map(|cell| (*cell).to_owned()).collect()];
    let mut broken = Vec::new();
    for run in runs {
        let mut row = vec![run.workflow.name().to_owned(), run.mode()];
        match &run.outcome {
            Ok(measured) => {
                let bill = &measured.bill;
                row.extend([
                    grouped(bill.handshake),
                    format!("{} ({}p)", grouped(bill.tools_list), bill.pages),
                    bill.requests.to_string(),
                    grouped(bill.request_bytes),
                    grouped(bill.response_bytes),
                    grouped(bill.total()),
                    grouped(tokens(bill.total())),
                ]);
            }
            Err(error) => {
                row.push("BROKEN".to_owned());
                broken.push(format!(
                    "{} in {}: {error:#}",
                    run.workflow.name(),
                    run.mode()
                ));
            }
        }
        rows.push(row);
    }
    rows.push(vec![
        "effytech".to_owned(),
        "tools/list".to_owned(),
        String::new(),
        grouped(EFFYTECH_TOOLS_LIST_BYTES),
        String::new(),
        String::new(),
        String::new(),
        grouped(EFFYTECH_TOOLS_LIST_BYTES),
        grouped(tokens(EFFYTECH_TOOLS_LIST_BYTES)),
    ]);
    let columns = header.len();
    let widths: Vec<usize> = (0..columns)
        .map(|column| {
            rows.iter()
                .filter_map(|row| row.get(column))
                .map(|cell| cell.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in &rows {
        let mut line = String::new();
        for (column, cell) in row.iter().enumerate() {
            let pad = widths[column] - cell.chars().count();
            if column < 2 || cell == "BROKEN" {
                let _ = write!(line, "{cell}{}  ", " ".repeat(pad));
            } else {
                let _ = write!(line, "{}{cell}  ", " ".repeat(pad));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out.push_str(
        "bytes are JSON-RPC lines as a stdio client writes and reads them, newline included\n\
         handshake: initialize, its answer, notifications/initialized; tools/list: its answers (Np: pages)\n\
         requests: every request after the handshake, tools/list pages included; responses: all other answers\n\
         total = handshake + tools/list + request bytes + response bytes; tokens = total / 4\n\
         effytech: its tools/list alone, 59 tools (docs/peers.md §5.4)\n",
    );
    for line in &broken {
        let _ = writeln!(out, "BROKEN {line}");
    }
    if steps {
        for run in runs {
            let Ok(measured) = &run.outcome else { continue };
            let _ = writeln!(out, "\n{} in {}:", run.workflow.name(), run.mode());
            for step in &measured.bill.steps {
                let part = match step.part {
                    Part::Handshake => "handshake",
                    Part::ToolsList => "listing",
                    Part::Call => "call",
                };
                let _ = writeln!(
                    out,
                    "  {part:<9}  {:>7} ↑  {:>7} ↓  {}",
                    grouped(step.sent),
                    grouped(step.received),
                    step.label
                );
            }
        }
    }
    out
}

/// `1234567` as `1,234,567`.
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sum of the parts is the total, and every request after the handshake is billed once.
    fn check_consistent(mode: ToolExposure, bill: &Bill) {
        let billed: usize = bill
            .steps
            .iter()
            .map(|step| step.sent + step.received)
            .sum();
        assert_eq!(billed, bill.total(), "{mode}");
        let requests = bill
            .steps
            .iter()
            .filter(|step| step.part != Part::Handshake)
            .count();
        assert_eq!(requests, bill.requests, "{mode}");
        assert!(bill.handshake > 0 && bill.response_bytes > 0, "{mode}");
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn the_cab_workflow_succeeds_and_lists_for_less_in_core_and_discovery() {
        let mut bills = Vec::new();
        for mode in [
            ToolExposure::All,
            ToolExposure::Core,
            ToolExposure::Discovery,
        ] {
            let measured = measure(Workflow::Cab, mode)
                .await
                .unwrap_or_else(|error| panic!("the CAB workflow broke in {mode}: {error:#}"));
            assert_eq!(measured.listing, mode);
            check_consistent(mode, &measured.bill);
            bills.push(measured.bill);
        }
        let [all, core, discovery] = &bills[..] else {
            unreachable!()
        };
        assert!(core.tools_list < all.tools_list, "{core:?} vs {all:?}");
        // The target, deterministic in bytes: the whole CAB preparation in core mode,
        // listing included, costs less than the smallest peer's tools/list alone.
        assert!(
            core.total() < EFFYTECH_TOOLS_LIST_BYTES,
            "the CAB workflow in core mode costs {} bytes",
            core.total()
        );
        assert!(
            discovery.tools_list < core.tools_list,
            "{discovery:?} vs {core:?}"
        );
        // Discovery finds every tool before calling it; the steps themselves are the same.
        assert!(discovery.requests > core.requests);
        let calls = |bill: &Bill| {
            bill.steps
                .iter()
                .filter(|step| step.part == Part::Call && !step.label.starts_with(SEARCH_TOOL))
                .filter(|step| !step.label.starts_with(SCHEMA_TOOL))
                .count()
        };
        assert_eq!(calls(core), calls(discovery));
        assert_eq!(calls(all), calls(core));
    }

    #[test]
    fn timestamps_and_dates() {
        for (text, expected) in [
            ("1970-01-01T00:00:00Z", Some(0)),
            ("2024-02-29T22:00:00Z", Some(1_709_244_000)),
            ("2024-02-29 22:00:00Z", None),
            ("2024-13-01T00:00:00Z", None),
            ("2024-02-29T22:00:00", None),
        ] {
            assert_eq!(parse_timestamp(text), expected, "{text}");
        }
        // 2024-02-29 was a Thursday, 2024-03-04 a Monday.
        assert_eq!(next_monday(1_709_244_000), "2024-03-04");
        assert_eq!(next_monday(1_709_510_400), "2024-03-11");
    }

    #[test]
    fn numbers_group_by_thousands() {
        for (n, expected) in [
            (0, "0"),
            (999, "999"),
            (35_526, "35,526"),
            (1_234_567, "1,234,567"),
        ] {
            assert_eq!(grouped(n), expected);
        }
    }
}
