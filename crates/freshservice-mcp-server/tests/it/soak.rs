//! Soak: 64 concurrent sessions, half legacy and half stateless 2026-07-28, against one `serve`
//! with the sandbox upstream, making mixed calls for `SOAK_SECONDS` (default 60). Every answer
//! must be a JSON-RPC response with the right id, `isError` only where expected, and the
//! process's memory and descriptors must stay flat after a warm-up.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use freshservice_sandbox::Sandbox;
use reqwest::Method;
use serde_json::{Value, json};

use crate::serve_harness::{Reply, Serve, temp_db};

const SESSIONS: usize = 64;
const WARM_UP: Duration = Duration::from_secs(10);

fn soak_duration() -> Duration {
    let seconds = std::env::var("SOAK_SECONDS")
        .ok()
        .and_then(|text| text.parse::<u64>().ok())
        .unwrap_or(60);
    // The samples need a warm-up and some time after it.
    Duration::from_secs(seconds.max(15))
}

/// (tool or method, arguments, whether an `isError` result is expected)
fn operation(step: u64) -> (&'static str, Value, bool) {
    match step % 6 {
        0 => (
            "list_all_freshservice_changes",
            json!({"per_page": 5}),
            false,
        ),
        1 => (
            "get_single_freshservice_change_by_id",
            json!({"change_id": 1}),
            false,
        ),
        2 => (
            "freshservice_changes_filter",
            json!({"query": "change_type:4 AND status:3"}),
            false,
        ),
        3 => (
            "create_a_freshservice_ticket",
            json!({"subject": "Soak", "description": "soak test", "status": 2, "priority": 1, "email": "soak@example.com"}),
            false,
        ),
        4 => (
            "get_single_freshservice_change_by_id",
            json!({"change_id": 987_654}),
            true,
        ),
        _ => ("tools/list", json!({}), false),
    }
}

#[derive(Debug, Clone, Copy)]
struct Sample {
    rss_kib: u64,
    fds: u64,
}

fn sample(pid: u32) -> Sample {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let rss_kib = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .count() as u64;
    Sample { rss_kib, fds }
}

/// Checks one answer: HTTP 200, a JSON-RPC response with `id`, and `isError` as expected.
fn check(serve: &Serve, reply: &Reply, id: u64, what: &str, expect_error: bool) {
    serve.scan(&reply.text);
    assert_eq!(reply.status, 200, "{what}: {}", reply.text);
    assert_eq!(reply.json["jsonrpc"], "2.0", "{what}: {}", reply.text);
    assert_eq!(reply.json["id"], id, "{what}: {}", reply.text);
    assert!(
        reply.json.get("error").is_none(),
        "{what}: a protocol error: {}",
        reply.text
    );
    let result = &reply.json["result"];
    assert!(result.is_object(), "{what}: {}", reply.text);
    if what != "tools/list" {
        assert_eq!(
            result["isError"] == true,
            expect_error,
            "{what}: {}",
            reply.text
        );
    }
}

async fn legacy_session(serve: &Serve, url: &str, until: Instant, calls: &Calls) {
    let mut mcp = serve.mcp(url);
    mcp.record = false;
    let init = mcp.initialize().await;
    assert_eq!(init.status, 200, "{}", init.text);
    // `initialize` used id 1.
    let mut id = 1;
    let mut step = 0;
    while Instant::now() < until {
        let (what, arguments, expect_error) = operation(step);
        step += 1;
        id += 1;
        let sent = Instant::now();
        let reply = if what == "tools/list" {
            mcp.request("tools/list", json!({})).await
        } else {
            mcp.request("tools/call", json!({"name": what, "arguments": arguments}))
                .await
        };
        check(serve, &reply, id, what, expect_error);
        calls.record(step - 1, sent.elapsed());
    }
}

async fn modern_session(serve: &Serve, url: &str, until: Instant, calls: &Calls, offset: u64) {
    let meta = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
    });
    let mut step = offset;
    let mut id = 1000 * offset;
    while Instant::now() < until {
        let (what, arguments, expect_error) = operation(step);
        step += 1;
        id += 1;
        let (method, name, params) = if what == "tools/list" {
            ("tools/list", None, json!({"_meta": meta}))
        } else {
            (
                "tools/call",
                Some(what),
                json!({"name": what, "arguments": arguments, "_meta": meta}),
            )
        };
        let mut headers = vec![
            ("Accept", "application/json, text/event-stream"),
            ("MCP-Protocol-Version", "2026-07-28"),
            ("Mcp-Method", method),
        ];
        if let Some(name) = name {
            headers.push(("Mcp-Name", name));
        }
        let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        let sent = Instant::now();
        let reply = serve
            .send(Method::POST, url, None, &headers, Some(&body), false)
            .await;
        check(serve, &reply, id, what, expect_error);
        calls.record(step - 1, sent.elapsed());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn sixty_four_sessions_stay_correct_and_flat() {
    let sandbox = Sandbox::builder()
        .api_key("soak-sandbox-key-8e2d1f0a")
        .rate_limit_per_minute(100_000_000)
        .record_requests(false)
        .start()
        .await;
    let serve = Serve::start(&temp_db("soak"), &[]);
    let account = serve
        .create_account(&sandbox.uri(), sandbox.api_key())
        .await;
    let created = serve.create_server(&account, json!({"name": "Soak"})).await;
    let url = created["url"].as_str().unwrap().to_owned();

    let duration = soak_duration();
    let started = Instant::now();
    let until = started + duration;
    let calls = Calls::default();
    let sessions = (0..SESSIONS).map(|index| {
        let (serve, url, calls) = (&serve, url.as_str(), &calls);
        async move {
            if index % 2 == 0 {
                legacy_session(serve, url, until, calls).await;
            } else {
                modern_session(serve, url, until, calls, index as u64).await;
            }
        }
    });
    let sampler = async {
        tokio::time::sleep(WARM_UP).await;
        let first = sample(serve.pid());
        let calls_at_warm_up = calls.total();
        tokio::time::sleep_until((until - Duration::from_millis(500)).into()).await;
        (first, calls_at_warm_up)
    };
    let ((first, calls_at_warm_up), ()) = tokio::join!(sampler, async {
        futures_join_all(sessions).await;
    });
    let last = sample(serve.pid());
    let total = calls.total();
    let elapsed = started.elapsed();
    eprintln!(
        "soak: {SESSIONS} sessions for {elapsed:.1?}: {total} calls ({:.0}/s), {} after the warm-up; \
         RSS {} KiB -> {} KiB, fds {} -> {}",
        total as f64 / elapsed.as_secs_f64(),
        total - calls_at_warm_up,
        first.rss_kib,
        last.rss_kib,
        first.fds,
        last.fds
    );
    eprintln!("soak: mean latency per operation: {}", calls.means());
    assert!(
        total > SESSIONS as u64 * 6,
        "too few calls to mean anything: {total}"
    );
    let allowance_kib = (first.rss_kib * 15 / 100).max(8 * 1024);
    assert!(
        last.rss_kib <= first.rss_kib + allowance_kib,
        "RSS grew from {} KiB to {} KiB",
        first.rss_kib,
        last.rss_kib
    );
    assert!(
        last.fds <= first.fds + 16,
        "open descriptors grew from {} to {}",
        first.fds,
        last.fds
    );
    assert!(!serve.stderr().contains("panicked"), "{}", serve.stderr());
}

/// Calls made and time spent, per operation kind.
#[derive(Default)]
struct Calls {
    count: [AtomicU64; 6],
    micros: [AtomicU64; 6],
}

impl Calls {
    fn record(&self, step: u64, took: Duration) {
        let kind = (step % 6) as usize;
        self.count[kind].fetch_add(1, Ordering::Relaxed);
        self.micros[kind].fetch_add(took.as_micros() as u64, Ordering::Relaxed);
    }

    fn total(&self) -> u64 {
        self.count
            .iter()
            .map(|count| count.load(Ordering::Relaxed))
            .sum()
    }

    fn means(&self) -> String {
        (0..6_u64)
            .map(|kind| {
                let count = self.count[kind as usize].load(Ordering::Relaxed).max(1);
                let micros = self.micros[kind as usize].load(Ordering::Relaxed);
                format!("{} {} ms", operation(kind).0, micros / count / 1000)
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Polls every future to completion concurrently (no `futures` crate in this workspace).
async fn futures_join_all<F: std::future::Future<Output = ()>>(futures: impl Iterator<Item = F>) {
    let mut set = Vec::new();
    for future in futures {
        set.push(Box::pin(future));
    }
    std::future::poll_fn(|context| {
        set.retain_mut(|future| future.as_mut().poll(context).is_pending());
        if set.is_empty() {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
}
