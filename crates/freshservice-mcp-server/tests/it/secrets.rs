//! Every error path at once, over `serve` and `stdio`, then a scan of everything the processes
//! wrote and answered and of the database file for every key and token in play: a wrong
//! Freshservice key (401), a rate limit (429), a validation failure, an unknown tool, an expired
//! server, a revoked API token, a wrong API token, a wrong admin key and a wrong URL token.

use std::time::Duration;

use freshservice_sandbox::Sandbox;
use reqwest::Method;
use serde_json::{Value, json};

use crate::harness::StdioServer;
use crate::serve::civil_from_days;
use crate::serve_harness::{ADMIN_KEY, SECRET_KEY, Serve, temp_db};

const SANDBOX_KEY: &str = "secrets-sandbox-key-4b7e90d2";
const WRONG_KEY: &str = "wrong-freshservice-key-c3a18f55";
const GET_CHANGE: &str = "get_single_freshservice_change_by_id";

/// RFC 3339 (UTC) for `seconds` from now.
fn expires_in(seconds: u64) -> String {
    let at = std::time::SystemTime::now() + Duration::from_secs(seconds);
    let unix = at.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let (days, rest) = (unix / 86_400, unix % 86_400);
    let (year, month, day) = civil_from_days(days as i64);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

fn error_text(response: &Value) -> String {
    assert_eq!(response["result"]["isError"], true, "{response}");
    response["result"]["content"][0]["text"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_error_path_keeps_every_secret() {
    let sandbox = Sandbox::builder()
        .api_key(SANDBOX_KEY)
        .rate_limit_per_minute(100_000)
        .start()
        .await;
    let tight = Sandbox::builder()
        .api_key(SANDBOX_KEY)
        .rate_limit_per_minute(1)
        .start()
        .await;
    let db = temp_db("secrets-matrix");
    let mut serve = Serve::start(&db, &["--sweep-interval", "3600"]);
    let good = serve.create_account(&sandbox.uri(), SANDBOX_KEY).await;
    let bad = serve.create_account(&sandbox.uri(), WRONG_KEY).await;
    let limited = serve.create_account(&tight.uri(), SANDBOX_KEY).await;
    let url_of = |created: &Value| created["url"].as_str().unwrap().to_owned();
    let open = url_of(&serve.create_server(&good, json!({"name": "Open"})).await);
    let bad_url = url_of(&serve.create_server(&bad, json!({"name": "Bad key"})).await);
    let limited_url = url_of(
        &serve
            .create_server(&limited, json!({"name": "Tight"}))
            .await,
    );
    let expiring = url_of(
        &serve
            .create_server(&good, json!({"name": "Short", "expires_at": expires_in(2)}))
            .await,
    );
    let guarded = url_of(
        &serve
            .create_server(
                &good,
                json!({"name": "Guarded", "require_api_token_auth": true}),
            )
            .await,
    );
    let (token_id, token) = serve.create_api_token(&good).await;

    // A wrong Freshservice key: 401 from upstream, an error result that names the key.
    let mut mcp = serve.mcp(&bad_url);
    assert_eq!(mcp.initialize().await.status, 200);
    let text = error_text(&mcp.call(GET_CHANGE, json!({"change_id": 1})).await);
    assert!(text.contains("401"), "{text}");

    // A rate limit: 429 from upstream.
    let mut mcp = serve.mcp(&limited_url);
    mcp.initialize().await;
    let mut limited_text = String::new();
    for _ in 0..3 {
        let response = mcp.call(GET_CHANGE, json!({"change_id": 1})).await;
        if response["result"]["isError"] == true {
            limited_text = error_text(&response);
            break;
        }
    }
    assert!(limited_text.contains("429"), "{limited_text}");

    // A validation failure and an unknown tool.
    let mut mcp = serve.mcp(&open);
    mcp.initialize().await;
    let text = error_text(&mcp.call(GET_CHANGE, json!({"change_id": "one"})).await);
    assert!(text.contains("change_id"), "{text}");
    let unknown = mcp.call("no_such_tool", json!({})).await;
    assert!(unknown.get("error").is_some(), "{unknown}");

    // A wrong URL token, a wrong admin key.
    let wrong_url = format!("{open}x");
    assert_eq!(serve.mcp(&wrong_url).initialize().await.status, 404);
    let refused = serve
        .send(
            Method::GET,
            &format!("{}/integrated-account", serve.base),
            Some(&format!("Bearer {ADMIN_KEY}x")),
            &[],
            None,
            true,
        )
        .await;
    assert_eq!(refused.status, 401);

    // A wrong API token, then the right one, then the same after it is revoked.
    let mut wrong = serve.mcp(&guarded);
    wrong.authorization = Some(format!("Bearer {token}x"));
    assert_eq!(wrong.initialize().await.status, 401);
    let mut right = serve.mcp(&guarded);
    right.authorization = Some(format!("Bearer {token}"));
    assert_eq!(right.initialize().await.status, 200);
    let revoked = serve
        .admin(
            Method::DELETE,
            &format!("/integrated-account/{good}/api-tokens/{token_id}"),
            None,
        )
        .await;
    assert_eq!(revoked.status, 204);
    assert_eq!(right.request("tools/list", json!({})).await.status, 401);

    // An expired server.
    let mut before = serve.mcp(&expiring);
    assert_eq!(before.initialize().await.status, 200);
    tokio::time::sleep(Duration::from_millis(2_200)).await;
    assert_eq!(before.request("tools/list", json!({})).await.status, 401);
    assert_eq!(serve.mcp(&expiring).initialize().await.status, 401);

    // The same upstream failures through stdio; its output is scanned when it is dropped.
    let (sandbox_uri, tight_uri) = (sandbox.uri(), tight.uri());
    tight.reset_rate_limit();
    tokio::task::spawn_blocking(move || {
        let limit = Duration::from_secs(30);
        let mut stdio = StdioServer::start(&sandbox_uri, WRONG_KEY, &[]);
        let text = error_text(&stdio.call(GET_CHANGE, json!({"change_id": 1}), limit));
        assert!(text.contains("401"), "{text}");
        let text = error_text(&stdio.call(GET_CHANGE, json!({"change_id": "one"}), limit));
        assert!(text.contains("change_id"), "{text}");
        let unknown = stdio.call("no_such_tool", json!({}), limit);
        assert!(unknown.get("error").is_some(), "{unknown}");
        drop(stdio);
        let mut stdio = StdioServer::start(&tight_uri, SANDBOX_KEY, &[]);
        let limited = (0..3)
            .map(|_| stdio.call(GET_CHANGE, json!({"change_id": 1}), limit))
            .find(|response| response["result"]["isError"] == true)
            .expect("no 429 through stdio");
        assert!(error_text(&limited).contains("429"), "{limited}");
    })
    .await
    .unwrap();

    // Everything the server said, stored and answered, after a clean stop.
    assert!(serve.stop().success());
    for (what, secret) in [
        ("the wrong Freshservice key", WRONG_KEY),
        ("the secret key", SECRET_KEY),
    ] {
        serve.watch_secret(what, secret);
    }
    serve.assert_no_leak();
    let stderr = serve.stderr();
    assert!(stderr.contains("listening on"), "{stderr}");
}
