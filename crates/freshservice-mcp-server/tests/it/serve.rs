//! `freshservice-mcp serve` end to end: provisioning over the admin API, MCP over HTTP against a
//! wiremock Freshservice, filters, expiry, API-token auth, restarts and secrets.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::harness::{API_KEY, expected_authorization};
use crate::serve_harness::{
    ADMIN_KEY, SECRET_KEY, Serve, contains_bytes, db_bytes, keys, run_to_exit, temp_db,
};

fn changes_body() -> Value {
    json!({"changes": [{"id": 7, "subject": "Upgrade the VPN", "status": 1}]})
}

fn projects_body() -> Value {
    json!({"projects": [{"id": 3, "name": "Office move"}]})
}

/// A Freshservice that answers the reads the tests make and accepts any write (so a write that
/// slipped through would show up as a received request, not as an error).
async fn freshservice() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/changes"))
        .respond_with(ResponseTemplate::new(200).set_body_json(changes_body()))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/pm/projects"))
        .respond_with(ResponseTemplate::new(200).set_body_json(projects_body()))
        .mount(&server)
        .await;
    for verb in ["POST", "PUT", "DELETE"] {
        Mock::given(method(verb))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
            .mount(&server)
            .await;
    }
    server
}

fn url_of(created: &Value) -> String {
    created["url"].as_str().unwrap().to_owned()
}

fn is_unknown_tool(response: &Value) -> bool {
    response["error"]["message"]
        .as_str()
        .is_some_and(|message| message.contains("Unknown tool"))
}

async fn writes_received(server: &MockServer) -> Vec<String> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|request| request.method.as_str() != "GET")
        .map(|request| format!("{} {}", request.method, request.url.path()))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn provision_and_call_tools_over_http() {
    let mock = freshservice().await;
    let db = temp_db("provision");
    let serve = Serve::start(&db, &[]);
    let account = serve.create_account(&mock.uri(), API_KEY).await;

    let created = serve
        .create_server(
            &account,
            json!({"name": "Everything", "config": {"tool_exposure": "all"}}),
        )
        .await;
    let url = url_of(&created);
    assert!(
        url.starts_with(&format!("{}/mcp/", serve.base)),
        "{url} is not under {}",
        serve.base
    );
    assert_eq!(created["name"], "Everything");
    assert_eq!(created["expires_at"], Value::Null);

    let mut client = serve.mcp(&url);
    let init = client.initialize().await;
    assert_eq!(init.status, 200, "{}", init.text);
    assert_eq!(
        init.json["result"]["serverInfo"]["name"],
        "freshservice-mcp"
    );
    let names = client.tool_names().await;
    assert_eq!(
        names.len(),
        freshservice_schema::catalog().operations().len()
    );
    let response = client
        .call("list_all_freshservice_changes", json!({"per_page": 5}))
        .await;
    let result = &response["result"];
    assert_ne!(result["isError"], true, "{response}");
    assert_eq!(result["structuredContent"], changes_body());

    let received = mock.received_requests().await.unwrap();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].url.path(), "/api/v2/changes");
    assert_eq!(
        received[0].headers.get("authorization").unwrap(),
        expected_authorization().as_str(),
        "the stored API key is used, decrypted, as Basic auth"
    );

    // The admin API lists and shows, never with the URL.
    let listed = serve
        .admin(
            Method::GET,
            &format!("/integrated-account/{account}/mcp"),
            None,
        )
        .await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.json.as_array().unwrap().len(), 1);
    assert_eq!(listed.json[0]["id"], created["id"]);
    assert!(listed.json[0].get("url").is_none(), "{}", listed.text);
    let server_id = created["id"].as_str().unwrap();
    let shown = serve
        .admin(
            Method::GET,
            &format!("/integrated-account/{account}/mcp/{server_id}"),
            None,
        )
        .await;
    assert_eq!(shown.status, 200, "{}", shown.text);
    assert_eq!(shown.json["name"], "Everything");
    let accounts = serve.admin(Method::GET, "/integrated-account", None).await;
    assert_eq!(accounts.json[0]["base_url"], mock.uri());

    // Deleting the server takes its URL down at once.
    let deleted = serve
        .admin(
            Method::DELETE,
            &format!("/integrated-account/{account}/mcp/{server_id}"),
            None,
        )
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.text);
    let after = serve.mcp(&url).initialize().await;
    assert_eq!(after.status, 404, "{}", after.text);
}

#[tokio::test(flavor = "multi_thread")]
async fn admin_api_needs_the_admin_key() {
    let serve = Serve::start(&temp_db("admin-auth"), &[]);
    let url = format!("{}/integrated-account", serve.base);
    for authorization in [
        None,
        Some("Bearer wrong-admin-key-000000000".to_owned()),
        Some(format!("Basic {ADMIN_KEY}")),
        Some(format!("Bearer {ADMIN_KEY}x")),
        Some("Bearer".to_owned()),
    ] {
        for (verb, body) in [
            (Method::GET, None),
            (
                Method::POST,
                Some(json!({"name": "x", "domain": "acme", "api_key": "k"})),
            ),
        ] {
            let reply = serve
                .send(
                    verb.clone(),
                    &url,
                    authorization.as_deref(),
                    &[],
                    body.as_ref(),
                    true,
                )
                .await;
            assert_eq!(reply.status, 401, "{verb} with {authorization:?}");
            assert!(
                reply.json["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains("admin key"),
                "{}",
                reply.text
            );
            assert!(
                reply
                    .header("www-authenticate")
                    .unwrap()
                    .starts_with("Bearer")
            );
        }
    }
    let ok = serve.admin(Method::GET, "/integrated-account", None).await;
    assert_eq!((ok.status, ok.json.clone()), (200, json!([])));
    let lowercase = serve
        .send(
            Method::GET,
            &url,
            Some(&format!("bearer {ADMIN_KEY}")),
            &[],
            None,
            true,
        )
        .await;
    assert_eq!(lowercase.status, 200, "the scheme is case-insensitive");
    let nowhere = serve.admin(Method::GET, "/nothing-here", None).await;
    assert_eq!(nowhere.status, 404);
    assert!(
        nowhere.json["error"]["message"].is_string(),
        "{}",
        nowhere.text
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_requests_name_what_to_fix() {
    let mock = freshservice().await;
    let serve = Serve::start(&temp_db("validation"), &[]);
    let account = serve.create_account(&mock.uri(), API_KEY).await;
    let mcp = format!("/integrated-account/{account}/mcp");
    // (path, body, status, fragment of the message)
    let trials: Vec<(String, Value, u16, &str)> = vec![
        (
            mcp.clone(),
            json!({"name": "x", "config": {"methods": ["erase"]}}),
            400,
            "erase",
        ),
        (
            mcp.clone(),
            json!({"name": "x", "config": {"tags": ["nothing"]}}),
            400,
            "nothing",
        ),
        (
            mcp.clone(),
            json!({"name": "x", "config": {"workspaces": [1]}}),
            400,
            "workspace",
        ),
        (
            mcp.clone(),
            json!({"name": "x", "config": {"colour": "red"}}),
            400,
            "colour",
        ),
        (
            mcp.clone(),
            json!({"name": "x", "expires_at": "2020-01-01T00:00:00Z"}),
            400,
            "future",
        ),
        (
            mcp.clone(),
            json!({"name": "x", "expires_at": "next week"}),
            400,
            "RFC 3339",
        ),
        (mcp.clone(), json!({"name": ""}), 400, "name"),
        (mcp.clone(), json!({}), 400, "name"),
        (
            "/integrated-account/00000000-0000-4000-8000-000000000000/mcp".into(),
            json!({"name": "x"}),
            404,
            "integrated account",
        ),
        (
            "/integrated-account/nope/mcp".into(),
            json!({"name": "x"}),
            404,
            "integrated account",
        ),
        (
            "/integrated-account".into(),
            json!({"name": "x", "domain": "acme", "base_url": mock.uri(), "api_key": "k"}),
            400,
            "not both",
        ),
        (
            "/integrated-account".into(),
            json!({"name": "x", "api_key": "k"}),
            400,
            "domain",
        ),
        (
            "/integrated-account".into(),
            json!({"name": "x", "base_url": "http://example.com", "api_key": "k"}),
            400,
            "https",
        ),
        (
            "/integrated-account".into(),
            json!({"name": "x", "domain": "acme", "api_key": "has space"}),
            400,
            "api_key",
        ),
        (
            "/integrated-account".into(),
            json!({"name": "x", "domain": "acme"}),
            400,
            "api_key",
        ),
    ];
    for (path, body, status, fragment) in trials {
        let reply = serve.admin(Method::POST, &path, Some(body.clone())).await;
        assert_eq!(reply.status, status, "{path} {body}: {}", reply.text);
        let message = reply.json["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(fragment), "{path} {body}: {message}");
    }
    let broken = serve
        .send(
            Method::POST,
            &format!("{}/integrated-account", serve.base),
            Some(&format!("Bearer {ADMIN_KEY}")),
            &[("Content-Type", "application/json")],
            None,
            true,
        )
        .await;
    assert_eq!(broken.status, 400, "{}", broken.text);
    assert!(writes_received(&mock).await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn read_only_server_never_writes() {
    let mock = freshservice().await;
    let serve = Serve::start(&temp_db("read-only"), &[]);
    let account = serve.create_account(&mock.uri(), API_KEY).await;
    let created = serve
        .create_server(
            &account,
            json!({"name": "Read only", "config": {"methods": ["read"], "tool_exposure": "all"}}),
        )
        .await;
    let mut client = serve.mcp(&url_of(&created));
    assert_eq!(client.initialize().await.status, 200);
    let names = client.tool_names().await;
    let catalog = freshservice_schema::catalog();
    let expected: Vec<&str> = catalog
        .operations()
        .iter()
        .filter(|operation| operation.is_read_only())
        .map(|operation| operation.name.as_str())
        .collect();
    assert_eq!(names.len(), expected.len());
    assert!(names.iter().all(|name| expected.contains(&name.as_str())));

    for (name, arguments) in [
        (
            "create_a_freshservice_change",
            json!({"subject": "x", "description": "y", "email": "a@b.c"}),
        ),
        (
            "delete_a_freshservice_ticket_by_id",
            json!({"ticket_id": 1}),
        ),
        (
            "update_a_freshservice_ticket_by_id",
            json!({"ticket_id": 1, "subject": "x"}),
        ),
        (
            "restore_a_freshservice_ticket_by_id",
            json!({"ticket_id": 1}),
        ),
    ] {
        let response = client.call(name, arguments).await;
        assert!(is_unknown_tool(&response), "{name}: {response}");
    }
    let read = client
        .call("list_all_freshservice_changes", json!({}))
        .await;
    assert_ne!(read["result"]["isError"], true, "{read}");
    assert_eq!(writes_received(&mock).await, Vec::<String>::new());
    assert_eq!(mock.received_requests().await.unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn projects_server_lists_only_project_tools() {
    let mock = freshservice().await;
    let serve = Serve::start(&temp_db("projects"), &[]);
    let account = serve.create_account(&mock.uri(), API_KEY).await;
    let created = serve
        .create_server(
            &account,
            json!({"name": "Projects", "config": {"tags": ["Projects"], "tool_exposure": "all"}}),
        )
        .await;
    assert_eq!(created["config"]["tags"], json!(["projects"]));
    let mut client = serve.mcp(&url_of(&created));
    assert_eq!(client.initialize().await.status, 200);
    let mut names = client.tool_names().await;
    names.sort();
    let mut expected: Vec<String> = freshservice_schema::catalog()
        .operations()
        .iter()
        .filter(|operation| operation.tag == "projects")
        .map(|operation| operation.name.clone())
        .collect();
    expected.sort();
    assert!(!expected.is_empty());
    assert_eq!(names, expected);

    let refused = client
        .call("list_all_freshservice_tickets", json!({}))
        .await;
    assert!(is_unknown_tool(&refused), "{refused}");
    let projects = client
        .call("list_all_freshservice_projects", json!({}))
        .await;
    assert_eq!(
        projects["result"]["structuredContent"],
        projects_body(),
        "{projects}"
    );
    let paths: Vec<String> = mock
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|request| request.url.path().to_owned())
        .collect();
    assert_eq!(paths, ["/api/v2/pm/projects"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn expired_server_is_refused_then_swept() {
    let mock = freshservice().await;
    let expires_at = |seconds: u64| {
        let at = std::time::SystemTime::now() + Duration::from_secs(seconds);
        let unix = at.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
        // RFC 3339 in UTC, computed by hand to keep the tests free of a date crate.
        let (days, rest) = (unix / 86_400, unix % 86_400);
        let (year, month, day) = civil_from_days(days as i64);
        format!(
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
            rest / 3600,
            rest / 60 % 60,
            rest % 60
        )
    };

    // A sweeper that never runs during the test: refusal must not depend on it.
    let serve = Serve::start(&temp_db("expiry"), &["--sweep-interval", "3600"]);
    let account = serve.create_account(&mock.uri(), API_KEY).await;
    let created = serve
        .create_server(
            &account,
            json!({"name": "Short", "expires_at": expires_at(2)}),
        )
        .await;
    let url = url_of(&created);
    assert_eq!(serve.mcp(&url).initialize().await.status, 200);
    tokio::time::sleep(Duration::from_millis(3_100)).await;
    let refused = serve.mcp(&url).initialize().await;
    assert_eq!(refused.status, 401, "{}", refused.text);
    assert!(
        refused
            .header("www-authenticate")
            .unwrap()
            .starts_with("Bearer realm=\"freshservice-mcp\"")
    );
    let id = created["id"].as_str().unwrap();
    let shown = serve
        .admin(
            Method::GET,
            &format!("/integrated-account/{account}/mcp/{id}"),
            None,
        )
        .await;
    assert_eq!(shown.json["expired"], true, "{}", shown.text);

    // A sweeper every second deletes it.
    let swept = Serve::start(&temp_db("sweep"), &["--sweep-interval", "1"]);
    let account = swept.create_account(&mock.uri(), API_KEY).await;
    let created = swept
        .create_server(
            &account,
            json!({"name": "Short", "expires_at": expires_at(2)}),
        )
        .await;
    let id = created["id"].as_str().unwrap().to_owned();
    let path = format!("/integrated-account/{account}/mcp/{id}");
    let mut status = 200;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        status = swept.admin(Method::GET, &path, None).await.status;
        if status == 404 {
            break;
        }
    }
    assert_eq!(status, 404, "the sweeper did not delete the expired server");
    assert_eq!(swept.mcp(&url_of(&created)).initialize().await.status, 404);
    assert!(swept.stderr().contains("expired"), "{}", swept.stderr());
}

/// Days since 1970-01-01 to (year, month, day), after Howard Hinnant's `civil_from_days`.
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[tokio::test(flavor = "multi_thread")]
async fn api_token_auth_missing_wrong_and_right() {
    let mock = freshservice().await;
    let serve = Serve::start(&temp_db("api-token"), &[]);
    let account = serve.create_account(&mock.uri(), API_KEY).await;
    let other_account = serve.create_account(&mock.uri(), "other-key-1234").await;
    let created = serve
        .create_server(
            &account,
            json!({"name": "Guarded", "require_api_token_auth": true}),
        )
        .await;
    let url = url_of(&created);
    let (token_id, token) = serve.create_api_token(&account).await;
    let (_, foreign) = serve.create_api_token(&other_account).await;

    for authorization in [
        None,
        Some("Bearer not-a-token".to_owned()),
        Some(format!("Bearer {foreign}")),
        Some(format!("Bearer {}", url.rsplit('/').next().unwrap())),
        Some(format!("Basic {token}")),
    ] {
        let mut client = serve.mcp(&url);
        client.authorization = authorization.clone();
        let reply = client.initialize().await;
        assert_eq!(reply.status, 401, "{authorization:?}: {}", reply.text);
        assert!(
            reply
                .header("www-authenticate")
                .unwrap()
                .starts_with("Bearer realm=\"freshservice-mcp\""),
            "{:?}",
            reply.headers
        );
    }

    let mut client = serve.mcp(&url);
    client.authorization = Some(format!("Bearer {token}"));
    assert_eq!(client.initialize().await.status, 200);
    let response = client
        .call("list_all_freshservice_changes", json!({}))
        .await;
    assert_ne!(response["result"]["isError"], true, "{response}");

    // Each request is checked: revoking the token stops the open session too.
    let revoked = serve
        .admin(
            Method::DELETE,
            &format!("/integrated-account/{account}/api-tokens/{token_id}"),
            None,
        )
        .await;
    assert_eq!(revoked.status, 204, "{}", revoked.text);
    let after = client.request("tools/list", json!({})).await;
    assert_eq!(after.status, 401, "{}", after.text);
    let listed = serve
        .admin(
            Method::GET,
            &format!("/integrated-account/{account}/api-tokens"),
            None,
        )
        .await;
    assert_eq!(listed.json, json!([]));
}

#[tokio::test(flavor = "multi_thread")]
async fn servers_survive_a_restart() {
    let mock = freshservice().await;
    let db = temp_db("restart");
    let mut first = Serve::start(&db, &[]);
    let account = first.create_account(&mock.uri(), API_KEY).await;
    let created = first
        .create_server(
            &account,
            json!({"name": "Durable", "config": {"methods": ["read"]}}),
        )
        .await;
    let status = first.stop();
    assert!(
        status.success(),
        "graceful stop: {status:?}\n{}",
        first.stderr()
    );
    drop(first);

    let second = Serve::start(&db, &[]);
    // The URL names the old port; the token is what matters.
    let token = url_of(&created).rsplit('/').next().unwrap().to_owned();
    let mut client = second.mcp(&format!("{}/mcp/{token}", second.base));
    assert_eq!(client.initialize().await.status, 200);
    let response = client
        .call("list_all_freshservice_changes", json!({}))
        .await;
    assert_eq!(
        response["result"]["structuredContent"],
        changes_body(),
        "{response}"
    );
    assert!(is_unknown_tool(
        &client
            .call(
                "delete_a_freshservice_ticket_by_id",
                json!({"ticket_id": 1})
            )
            .await
    ));
    drop(second);

    // Another secret key cannot read this database: refused at start, not on every request.
    let db_text = db.display().to_string();
    let other_key = "11".repeat(32);
    let output = run_to_exit(
        &["serve", "--listen", "127.0.0.1:0", "--db", &db_text],
        &[
            ("FRESHSERVICE_MCP_ADMIN_KEY", ADMIN_KEY),
            ("FRESHSERVICE_MCP_SECRET_KEY", &other_key),
        ],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("FRESHSERVICE_MCP_SECRET_KEY"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn secrets_never_leak() {
    let mock = freshservice().await;
    let db = temp_db("secrets");
    let mut serve = Serve::start(&db, &[]);
    let account = serve.create_account(&mock.uri(), API_KEY).await;
    let open = serve.create_server(&account, json!({"name": "Open"})).await;
    let guarded = serve
        .create_server(
            &account,
            json!({"name": "Guarded", "require_api_token_auth": true}),
        )
        .await;
    let (_, api_token) = serve.create_api_token(&account).await;
    let secret_of = |token: &str| token.rsplit('.').next().unwrap().to_owned();
    let open_url = url_of(&open);
    let guarded_url = url_of(&guarded);
    let open_secret = secret_of(&open_url);
    let guarded_secret = secret_of(&guarded_url);
    let api_token_secret = secret_of(&api_token);

    // Exercise everything that answers: admin reads, MCP calls, failures.
    for path in [
        "/integrated-account".to_owned(),
        format!("/integrated-account/{account}"),
        format!("/integrated-account/{account}/mcp"),
        format!(
            "/integrated-account/{account}/mcp/{}",
            open["id"].as_str().unwrap()
        ),
        format!("/integrated-account/{account}/api-tokens"),
    ] {
        assert_eq!(
            serve.admin(Method::GET, &path, None).await.status,
            200,
            "{path}"
        );
    }
    let mut client = serve.mcp(&open_url);
    client.initialize().await;
    client.tool_names().await;
    client
        .call("list_all_freshservice_changes", json!({}))
        .await;
    client.call("no_such_tool", json!({})).await;
    let mut guarded_client = serve.mcp(&guarded_url);
    guarded_client.authorization = Some(format!("Bearer {api_token}"));
    guarded_client.initialize().await;
    guarded_client
        .call("list_all_freshservice_changes", json!({}))
        .await;
    let mut wrong = serve.mcp(&guarded_url);
    wrong.authorization = Some(format!("Bearer {api_token}x"));
    wrong.initialize().await;
    serve.mcp(&format!("{open_url}x")).initialize().await;

    let status = serve.stop();
    assert!(status.success(), "{status:?}");
    let secrets = [
        ("the Freshservice API key", API_KEY.to_owned()),
        ("the admin key", ADMIN_KEY.to_owned()),
        ("the secret key", SECRET_KEY.to_owned()),
        ("a URL token", open_secret),
        ("a URL token", guarded_secret),
        ("an API token", api_token_secret),
    ];
    let seen = serve.seen.lock().unwrap().join("\n");
    let (stdout, stderr) = (serve.stdout(), serve.stderr());
    let file = db_bytes(&db);
    assert!(!file.is_empty());
    for (what, secret) in &secrets {
        assert!(
            !seen.contains(secret.as_str()),
            "{what} in an HTTP response"
        );
        assert!(!stdout.contains(secret.as_str()), "{what} on stdout");
        assert!(!stderr.contains(secret.as_str()), "{what} on stderr");
        assert!(
            !contains_bytes(&file, secret.as_bytes()),
            "{what} in clear in the database"
        );
    }
    assert!(stderr.contains("listening on"), "{stderr}");
}

#[test]
fn serve_refuses_to_start_without_keys() {
    let db = temp_db("refusals");
    let db = db.display().to_string();
    let base = ["serve", "--listen", "127.0.0.1:0", "--db", db.as_str()];
    let admin = ("FRESHSERVICE_MCP_ADMIN_KEY", ADMIN_KEY);
    let secret = ("FRESHSERVICE_MCP_SECRET_KEY", SECRET_KEY);
    // Extra arguments, environment, and a fragment of the one stderr line.
    type Trial<'a> = (&'a [&'a str], Vec<(&'a str, &'a str)>, &'a str);
    let trials: &[Trial] = &[
        (&[], vec![secret], "FRESHSERVICE_MCP_ADMIN_KEY"),
        (&[], vec![admin], "FRESHSERVICE_MCP_SECRET_KEY"),
        (
            &[],
            vec![admin, ("FRESHSERVICE_MCP_SECRET_KEY", "too-short")],
            "FRESHSERVICE_MCP_SECRET_KEY",
        ),
        (
            &[],
            vec![("FRESHSERVICE_MCP_ADMIN_KEY", "short"), secret],
            "FRESHSERVICE_MCP_ADMIN_KEY",
        ),
        (
            &["--config", "/nonexistent/config.json"],
            keys(),
            "--config",
        ),
        (&["--public-url", "ftp://x"], keys(), "--public-url"),
        (&["--admin-key", "abc"], keys(), "process list"),
    ];
    for (extra, env, fragment) in trials {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        let output = run_to_exit(&args, env);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{extra:?}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{extra:?}: {stderr}");
        assert!(stderr.contains(fragment), "{extra:?}: {stderr}");
        assert!(!stderr.contains("too-short"), "{stderr}");
        assert!(output.stdout.is_empty());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn dev_mode_generates_and_prints_an_admin_key() {
    let mock = freshservice().await;
    let serve = Serve::start_with(&["--dev"], &[]);
    let stderr = serve.stderr();
    assert!(stderr.contains("throwaway secret key"), "{stderr}");
    assert!(stderr.contains("in memory"), "{stderr}");
    let key = stderr
        .lines()
        .find_map(|line| line.split("admin key for this run: ").nth(1))
        .unwrap_or_else(|| panic!("no admin key printed: {stderr}"))
        .trim()
        .to_owned();
    let url = format!("{}/integrated-account", serve.base);
    let body = json!({"name": "Dev", "base_url": mock.uri(), "api_key": API_KEY});
    let reply = serve
        .send(
            Method::POST,
            &url,
            Some(&format!("Bearer {key}")),
            &[],
            Some(&body),
            false,
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let refused = serve
        .send(
            Method::GET,
            &url,
            Some(&format!("Bearer {ADMIN_KEY}")),
            &[],
            None,
            true,
        )
        .await;
    assert_eq!(refused.status, 401);
}

#[tokio::test(flavor = "multi_thread")]
async fn deleting_an_account_takes_its_servers_down() {
    let mock = freshservice().await;
    let serve = Serve::start(&temp_db("delete-account"), &[]);
    let account = serve.create_account(&mock.uri(), API_KEY).await;
    let created = serve
        .create_server(&account, json!({"name": "Doomed"}))
        .await;
    let url = url_of(&created);
    assert_eq!(serve.mcp(&url).initialize().await.status, 200);
    let deleted = serve
        .admin(
            Method::DELETE,
            &format!("/integrated-account/{account}"),
            None,
        )
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.text);
    assert_eq!(serve.mcp(&url).initialize().await.status, 404);
    let gone = serve
        .admin(Method::GET, &format!("/integrated-account/{account}"), None)
        .await;
    assert_eq!(gone.status, 404);
    let again = serve
        .admin(
            Method::DELETE,
            &format!("/integrated-account/{account}"),
            None,
        )
        .await;
    assert_eq!(again.status, 404);
}
