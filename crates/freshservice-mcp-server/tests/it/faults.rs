//! Upstream faults through the real binary, over `serve` and `stdio`: a Freshservice that is slow,
//! resets, hangs up mid-answer, fails with 5xx, answers garbage, answers 10 MB, or drips one
//! byte every 100 ms. Each call must end as an `isError` tool result a model can act on, within
//! the client timeout plus slack, and a stuck call must not hold up anyone else.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::harness::{API_KEY, StdioServer};
use crate::serve_harness::{Serve, temp_db};

/// The Freshservice request timeout the servers under test get, in seconds.
const TIMEOUT_SECS: u64 = 2;
/// The longest any faulty call may take: the timeout plus generous slack for a busy CI box.
const BOUND: Duration = Duration::from_secs(TIMEOUT_SECS + 5);
const GET_CHANGE: &str = "get_single_freshservice_change_by_id";

/// Which fault the fake Freshservice plays, by change id; each entry has the words its error
/// text must contain (one of them), so a model knows what happened.
const FAULTS: &[(u64, &str, &[&str])] = &[
    (1, "connection reset", &["could not talk to freshservice"]),
    (
        2,
        "closed mid-response",
        &["could not talk to freshservice"],
    ),
    (3, "slow drip", &["did not answer within"]),
    (4, "500", &["HTTP 500"]),
    (5, "502", &["HTTP 502"]),
    (6, "503", &["HTTP 503"]),
    (7, "invalid JSON with 200", &["not JSON"]),
    (8, "10 MB answer", &["larger than"]),
    (9, "no answer (timeout)", &["did not answer within"]),
];
/// The change id that gets a quick, correct answer.
const HEALTHY: u64 = 10;

/// A fake Freshservice on 127.0.0.1 speaking just enough HTTP/1.1 to misbehave on purpose.
async fn faulty_freshservice() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            tokio::spawn(answer(stream));
        }
    });
    format!("http://{address}")
}

async fn answer(mut stream: TcpStream) {
    let mut head = Vec::new();
    let mut byte = [0_u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte).await {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let path = head.split_whitespace().nth(1).unwrap_or_default();
    let id: u64 = path
        .split('?')
        .next()
        .and_then(|path| path.rsplit('/').next())
        .and_then(|id| id.parse().ok())
        .unwrap_or(0);
    let json_head = |status: &str, length: usize| {
        format!(
            "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n"
        )
    };
    let body_of = |id: u64| json!({"change": {"id": id, "subject": "Fine"}}).to_string();
    match id {
        1 => {
            // Linger 0 turns the close into a TCP reset. The deprecation is about blocking on
            // drop, which a zero linger never does.
            #[allow(deprecated)]
            let _ = stream.set_linger(Some(Duration::ZERO));
            drop(stream);
        }
        2 => {
            let body = body_of(id);
            let _ = stream
                .write_all(json_head("200 OK", body.len() + 100).as_bytes())
                .await;
            let _ = stream.write_all(&body.as_bytes()[..10]).await;
            let _ = stream.shutdown().await;
        }
        3 => {
            let body = body_of(id);
            let _ = stream
                .write_all(json_head("200 OK", body.len() * 100).as_bytes())
                .await;
            for byte in body.bytes().cycle() {
                tokio::time::sleep(Duration::from_millis(100)).await;
                if stream.write_all(&[byte]).await.is_err() {
                    return;
                }
            }
        }
        4..=6 => {
            let status = [
                "500 Internal Server Error",
                "502 Bad Gateway",
                "503 Service Unavailable",
            ][(id - 4) as usize];
            let body = r#"{"code":"internal_error","message":"something broke"}"#;
            let _ = stream
                .write_all(format!("{}{body}", json_head(status, body.len())).as_bytes())
                .await;
        }
        7 => {
            let body = "<html>Service temporarily down</html>";
            let _ = stream
                .write_all(format!("{}{body}", json_head("200 OK", body.len())).as_bytes())
                .await;
        }
        8 => {
            let size = 10 * 1024 * 1024;
            let mut body = Vec::with_capacity(size);
            body.extend_from_slice(br#"{"change": {"id": 8, "subject": ""#);
            body.resize(size - 3, b'a');
            body.extend_from_slice(br#""}}"#);
            let _ = stream
                .write_all(json_head("200 OK", body.len()).as_bytes())
                .await;
            let _ = stream.write_all(&body).await;
        }
        9 => {
            tokio::time::sleep(Duration::from_secs(60)).await;
        }
        _ => {
            let body = body_of(id);
            let _ = stream
                .write_all(format!("{}{body}", json_head("200 OK", body.len())).as_bytes())
                .await;
        }
    }
}

fn text_of(response: &Value) -> String {
    response["result"]["content"][0]["text"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Checks one faulty call's response and how long it took.
fn check(transport: &str, fault: &str, fragments: &[&str], response: &Value, took: Duration) {
    assert!(
        took < BOUND,
        "{transport}, {fault}: took {took:?}, more than {BOUND:?}"
    );
    assert_eq!(
        response["result"]["isError"], true,
        "{transport}, {fault}: {response}"
    );
    let text = text_of(response);
    eprintln!("{transport}, {fault}, {took:?}: {text}");
    assert!(
        fragments.iter().any(|fragment| text.contains(fragment)),
        "{transport}, {fault}: the message should say one of {fragments:?}: {text}"
    );
    assert!(
        text.len() < 4096,
        "{transport}, {fault}: an error text a model can read, not a dump of {} bytes",
        text.len()
    );
}

fn assert_healthy(transport: &str, response: &Value) {
    assert_ne!(
        response["result"]["isError"], true,
        "{transport}: {response}"
    );
    assert_eq!(
        response["result"]["structuredContent"]["change"]["id"], HEALTHY,
        "{transport}: {response}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn upstream_faults_become_error_results_over_serve() {
    let upstream = faulty_freshservice().await;
    let config = temp_db("faults-config").with_extension("json");
    std::fs::write(
        &config,
        json!({"freshservice_timeout_secs": TIMEOUT_SECS}).to_string(),
    )
    .unwrap();
    let serve = Serve::start(&temp_db("faults"), &["--config", config.to_str().unwrap()]);
    let account = serve.create_account(&upstream, API_KEY).await;
    let created = serve
        .create_server(&account, json!({"name": "Faults"}))
        .await;
    let url = created["url"].as_str().unwrap().to_owned();

    // One session is stuck on a Freshservice that never answers...
    let stuck = {
        let serve = &serve;
        let url = url.clone();
        async move {
            let mut mcp = serve.mcp(&url);
            assert_eq!(mcp.initialize().await.status, 200);
            let started = Instant::now();
            let response = mcp.call(GET_CHANGE, json!({"change_id": 9})).await;
            (response, started.elapsed())
        }
    };
    // ...while another session on the same server goes through every fault and a healthy call.
    let others = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let mut mcp = serve.mcp(&url);
        assert_eq!(mcp.initialize().await.status, 200);
        let started = Instant::now();
        let healthy = mcp.call(GET_CHANGE, json!({"change_id": HEALTHY})).await;
        let healthy_took = started.elapsed();
        let mut results = Vec::new();
        for (id, fault, fragments) in FAULTS.iter().filter(|(id, ..)| *id != 9) {
            let started = Instant::now();
            let response = mcp.call(GET_CHANGE, json!({"change_id": id})).await;
            results.push((*fault, *fragments, response, started.elapsed()));
        }
        (healthy, healthy_took, results)
    };
    let ((stuck, stuck_took), (healthy, healthy_took, results)) = tokio::join!(stuck, others);

    assert_healthy("serve", &healthy);
    assert!(
        healthy_took < Duration::from_secs(2),
        "serve: a healthy call waited {healthy_took:?} behind a stuck one"
    );
    let (_, fault, fragments) = FAULTS.iter().find(|(id, ..)| *id == 9).unwrap();
    check("serve", fault, fragments, &stuck, stuck_took);
    for (fault, fragments, response, took) in &results {
        check("serve", fault, fragments, response, *took);
    }
    // Still serving after all that.
    let mut mcp = serve.mcp(&url);
    mcp.initialize().await;
    assert_healthy(
        "serve",
        &mcp.call(GET_CHANGE, json!({"change_id": HEALTHY})).await,
    );
    let _ = std::fs::remove_file(&config);
}

#[tokio::test(flavor = "multi_thread")]
async fn upstream_faults_become_error_results_over_stdio() {
    let upstream = faulty_freshservice().await;
    let timeout = TIMEOUT_SECS.to_string();
    tokio::task::spawn_blocking(move || {
        let mut stdio = StdioServer::start(&upstream, API_KEY, &["--timeout", &timeout]);
        // A request stuck on a silent Freshservice does not hold up the next one on the pipe.
        let started = Instant::now();
        let stuck = stdio.start_call(GET_CHANGE, json!({"change_id": 9}));
        let healthy = stdio.call(GET_CHANGE, json!({"change_id": HEALTHY}), BOUND);
        let healthy_took = started.elapsed();
        assert_healthy("stdio", &healthy);
        assert!(
            healthy_took < Duration::from_secs(2),
            "stdio: a healthy call waited {healthy_took:?} behind a stuck one"
        );
        let response = stdio.wait(stuck, BOUND);
        let (_, fault, fragments) = FAULTS.iter().find(|(id, ..)| *id == 9).unwrap();
        check("stdio", fault, fragments, &response, started.elapsed());

        for (id, fault, fragments) in FAULTS.iter().filter(|(id, ..)| *id != 9) {
            let started = Instant::now();
            let response = stdio.call(GET_CHANGE, json!({"change_id": id}), BOUND * 2);
            check("stdio", fault, fragments, &response, started.elapsed());
        }
        assert_healthy(
            "stdio",
            &stdio.call(GET_CHANGE, json!({"change_id": HEALTHY}), BOUND),
        );
    })
    .await
    .unwrap();
}
