//! Several `serve` instances behind one PostgreSQL database, as behind a load balancer: what is
//! provisioned, issued, expired, revoked or deleted through one instance holds on the others at
//! once, and a legacy session started on one instance continues on another.
//!
//! The database comes from `FRESHSERVICE_MCP_TEST_DATABASE_URL` (a role that may create
//! databases; `.ci/run` starts a local PostgreSQL and sets it). Without it the tests skip with a
//! message, except under `CI=true`, where they fail.

use std::time::{Duration, Instant};

use freshservice_sandbox::Sandbox;
use reqwest::Method;
use serde_json::{Value, json};

use crate::serve_harness::{Reply, Serve, keys};

/// A new, empty database on the test server, or `None` on a machine without one.
async fn fresh_database() -> Option<String> {
    let Ok(base) = std::env::var("FRESHSERVICE_MCP_TEST_DATABASE_URL") else {
        let ci = std::env::var("CI").is_ok_and(|value| value == "true" || value == "1");
        assert!(
            !ci,
            "FRESHSERVICE_MCP_TEST_DATABASE_URL is not set: CI must run the PostgreSQL tests"
        );
        eprintln!(
            "skipping a PostgreSQL test: set FRESHSERVICE_MCP_TEST_DATABASE_URL=postgres://USER:PASSWORD@127.0.0.1/DB (a role that may CREATE DATABASE)"
        );
        return None;
    };
    let (client, connection) = tokio_postgres::connect(&base, tokio_postgres::NoTls)
        .await
        .expect("cannot connect to FRESHSERVICE_MCP_TEST_DATABASE_URL");
    tokio::spawn(connection);
    let name = format!("fsmcp_it_{}_{:x}", std::process::id(), rand_u64());
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let mut url = url::Url::parse(&base).unwrap();
    url.set_path(&format!("/{name}"));
    Some(url.to_string())
}

/// Every row of every table of the database as text (bytea as hex), for secret scans.
async fn database_text(database: &str) -> String {
    let (client, connection) = tokio_postgres::connect(database, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let mut text = String::new();
    for table in [
        "settings",
        "integrated_accounts",
        "mcp_servers",
        "api_tokens",
        "mcp_sessions",
    ] {
        let row = client
            .query_one(
                &format!("SELECT coalesce(string_agg(t::text, ' '), '') FROM {table} t"),
                &[],
            )
            .await
            .unwrap();
        text.push_str(row.get::<_, &str>(0));
        text.push('\n');
    }
    text
}

/// Fails if the secret part of a `<id>.<secret>` token is in the dump (the id is stored by
/// design).
fn assert_token_not_stored(dump: &str, token: &str, what: &str) {
    let secret = token.rsplit('.').next().unwrap_or(token);
    assert!(
        secret.len() >= 16,
        "{what}: {secret:?} is too short to search for"
    );
    assert_not_stored(dump, secret, what);
}

/// Fails if `secret` is in the dump, as text or as the hex of its bytes.
fn assert_not_stored(dump: &str, secret: &str, what: &str) {
    assert!(secret.len() >= 8, "{what}: too short to search for");
    let hex: String = secret.bytes().map(|byte| format!("{byte:02x}")).collect();
    assert!(!dump.contains(secret), "the {what} is stored in clear");
    assert!(!dump.contains(&hex), "the {what} is stored in clear (hex)");
}

fn rand_u64() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(std::time::SystemTime::now())
}

/// `serve` on the shared database; the URL goes in the environment, as operators should pass it.
fn instance(database_url: &str) -> Serve {
    let mut env: Vec<(&str, &str)> = keys();
    env.push(("FRESHSERVICE_MCP_DATABASE_URL", database_url));
    Serve::start_with(&["--sweep-interval", "1"], &env)
}

/// The same MCP URL as seen through another instance.
fn through(serve: &Serve, url: &str) -> String {
    let token = url.rsplit('/').next().unwrap();
    format!("{}/mcp/{token}", serve.base)
}

/// A stateless 2026-07-28 `tools/call` with the headers that era requires.
async fn modern_call(
    serve: &Serve,
    url: &str,
    authorization: Option<&str>,
    name: &str,
    arguments: Value,
) -> Reply {
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
        "name": name,
        "arguments": arguments,
        "_meta": {
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientCapabilities": {},
        },
    }});
    serve
        .send(
            Method::POST,
            url,
            authorization,
            &[
                ("Accept", "application/json, text/event-stream"),
                ("MCP-Protocol-Version", "2026-07-28"),
                ("Mcp-Method", "tools/call"),
                ("Mcp-Name", name),
            ],
            Some(&body),
            true,
        )
        .await
}

fn assert_tool_ok(reply: &Reply, context: &str) {
    assert_eq!(reply.status, 200, "{context}: {}", reply.text);
    assert!(
        reply.json["result"]["isError"].is_null(),
        "{context}: {}",
        reply.text
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn instances_share_servers_api_tokens_expiry_and_deletion() {
    let Some(database) = fresh_database().await else {
        return;
    };
    // A key long enough to search the database for.
    let sandbox = Sandbox::builder()
        .api_key("fs-scale-out-key-8c1d2e3f")
        .start()
        .await;
    let a = instance(&database);
    let b = instance(&database);

    // Provisioned on A, used through B.
    let account = a.create_account(&sandbox.uri(), sandbox.api_key()).await;
    let open = a
        .create_server(
            &account,
            json!({"name": "open", "config": {"methods": ["read"]}}),
        )
        .await;
    let open_url = open["url"].as_str().unwrap();
    let reply = modern_call(
        &b,
        &through(&b, open_url),
        None,
        "list_all_freshservice_changes",
        json!({}),
    )
    .await;
    assert_tool_ok(&reply, "A's server through B");
    let listed = b
        .admin(
            Method::GET,
            &format!("/integrated-account/{account}/mcp"),
            None,
        )
        .await;
    assert_eq!(listed.json.as_array().unwrap().len(), 1, "{}", listed.text);

    // An API token issued on B opens A; revoked on A, it is refused on B at once.
    let guarded = a
        .create_server(
            &account,
            json!({"name": "guarded", "require_api_token_auth": true}),
        )
        .await;
    let guarded_url = guarded["url"].as_str().unwrap();
    let (token_id, api_token) = b.create_api_token(&account).await;
    let bearer = format!("Bearer {api_token}");
    let reply = modern_call(
        &a,
        guarded_url,
        Some(&bearer),
        "list_all_freshservice_changes",
        json!({}),
    )
    .await;
    assert_tool_ok(&reply, "B's API token on A");
    let revoked = a
        .admin(
            Method::DELETE,
            &format!("/integrated-account/{account}/api-tokens/{token_id}"),
            None,
        )
        .await;
    assert_eq!(revoked.status, 204, "{}", revoked.text);
    let reply = modern_call(
        &b,
        &through(&b, guarded_url),
        Some(&bearer),
        "list_all_freshservice_changes",
        json!({}),
    )
    .await;
    assert_eq!(
        reply.status, 401,
        "revoked on A, still accepted on B: {}",
        reply.text
    );
    assert!(reply.header("www-authenticate").is_some());

    // Expired through B: A refuses at once, and the sweepers (both running every second)
    // delete it without tripping over each other.
    let open_id = open["id"].as_str().unwrap();
    let expired = b
        .admin(
            Method::PATCH,
            &format!("/integrated-account/{account}/mcp/{open_id}"),
            Some(json!({"expires_at": "2001-01-01T00:00:00Z"})),
        )
        .await;
    assert_eq!(expired.status, 200, "{}", expired.text);
    assert_eq!(expired.json["expired"], true, "{}", expired.text);
    let reply = modern_call(
        &a,
        open_url,
        None,
        "list_all_freshservice_changes",
        json!({}),
    )
    .await;
    assert_eq!(
        reply.status, 401,
        "expired on B, still served by A: {}",
        reply.text
    );
    assert!(reply.text.contains("expired"), "{}", reply.text);
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let gone = a
            .admin(
                Method::GET,
                &format!("/integrated-account/{account}/mcp/{open_id}"),
                None,
            )
            .await;
        if gone.status == 404 {
            break;
        }
        assert!(Instant::now() < deadline, "the sweepers never deleted it");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let reply = modern_call(
        &b,
        &through(&b, open_url),
        None,
        "list_all_freshservice_changes",
        json!({}),
    )
    .await;
    assert_eq!(reply.status, 404, "{}", reply.text);

    // Deleted on B: gone on A.
    let guarded_id = guarded["id"].as_str().unwrap();
    let deleted = b
        .admin(
            Method::DELETE,
            &format!("/integrated-account/{account}/mcp/{guarded_id}"),
            None,
        )
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.text);
    let (_, fresh_token) = a.create_api_token(&account).await;
    let reply = modern_call(
        &a,
        guarded_url,
        Some(&format!("Bearer {fresh_token}")),
        "list_all_freshservice_changes",
        json!({}),
    )
    .await;
    assert_eq!(
        reply.status, 404,
        "deleted on B, still served by A: {}",
        reply.text
    );

    let dump = database_text(&database).await;
    assert!(
        dump.contains("guarded") || dump.contains(&account),
        "{dump}"
    );
    assert_not_stored(&dump, sandbox.api_key(), "Freshservice API key");
    assert_token_not_stored(&dump, &api_token, "API token");
    assert_token_not_stored(&dump, &fresh_token, "API token");
    for url in [open_url, guarded_url] {
        assert_token_not_stored(&dump, url.rsplit('/').next().unwrap(), "URL token");
    }
    for serve in [&a, &b] {
        let stderr = serve.stderr();
        assert!(!stderr.contains("database error"), "{stderr}");
        assert!(
            !stderr.contains(&database),
            "the database URL was logged: {stderr}"
        );
    }
}
#[tokio::test(flavor = "multi_thread")]
async fn a_legacy_session_started_on_one_instance_continues_on_another() {
    let Some(database) = fresh_database().await else {
        return;
    };
    let sandbox = Sandbox::start().await;
    let a = instance(&database);
    let b = instance(&database);
    let account = a.create_account(&sandbox.uri(), sandbox.api_key()).await;
    let server = a
        .create_server(
            &account,
            json!({"name": "legacy", "config": {"tool_exposure": "all"}}),
        )
        .await;
    let url = server["url"].as_str().unwrap();

    let mut on_a = a.mcp(url);
    let reply = on_a.initialize().await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let session = on_a.session_id().unwrap().to_owned();

    // The next requests of the same session land on B.
    let mut on_b = b.mcp(&through(&b, url)).with_session(&session);
    let names = on_b.tool_names().await;
    assert!(names.len() > 400, "{}", names.len());
    let response = on_b.call("list_all_freshservice_changes", json!({})).await;
    assert!(response["result"]["isError"].is_null(), "{response}");

    // Ended on B: A answers 404, so the client knows to start over.
    let ended = b
        .send(
            Method::DELETE,
            &through(&b, url),
            None,
            &[
                ("Mcp-Session-Id", session.as_str()),
                ("MCP-Protocol-Version", "2025-06-18"),
            ],
            None,
            true,
        )
        .await;
    assert_eq!(ended.status, 204, "{}", ended.text);
    let reply = on_a.request("tools/list", json!({})).await;
    assert_eq!(reply.status, 404, "{}", reply.text);

    // Sessions were stored as digests only.
    let mut again = a.mcp(url);
    again.initialize().await;
    let live = again.session_id().unwrap().to_owned();
    let dump = database_text(&database).await;
    assert!(
        dump.contains("protocolVersion"),
        "the session is not in the database: {dump}"
    );
    assert_not_stored(&dump, &live, "session id");
    assert_token_not_stored(&dump, url.rsplit('/').next().unwrap(), "URL token");
}
