//! The account's own schemas, through the Python `mcp` client and `freshservice-mcp stdio`, against
//! a sandbox account with custom statuses, a custom source and custom fields: what the schema
//! lists, what goes through, what is refused before it is sent, an account that hides its
//! fields, and a change seen after the time-to-live.

use freshservice_sandbox::Collection;
use freshservice_sandbox::{Account, Sandbox};
use serde_json::Value;

use crate::harness::run_python;

async fn customised(form_fields_access: bool) -> Sandbox {
    Sandbox::builder()
        .account(Account::Customised)
        .form_fields_access(form_fields_access)
        .start()
        .await
}

fn text(result: &Value) -> &str {
    result["content"][0]["text"].as_str().unwrap_or_default()
}

/// Tickets the sandbox holds, by subject.
fn tickets_with_subject(sandbox: &Sandbox, subject: &str) -> usize {
    sandbox
        .records(Collection::Tickets)
        .iter()
        .filter(|ticket| ticket["subject"] == subject)
        .count()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_create_ticket_schema_is_the_accounts_and_calls_follow_it() {
    let sandbox = customised(true).await;
    let before = sandbox.records(Collection::Tickets).len();
    let run = run_python(
        "py_account.py",
        &["--scenario", "customised"],
        &sandbox.uri(),
        sandbox.api_key(),
        &[],
    )
    .await;
    let report = &run.report;

    let status = &report["status"];
    for code in [2, 3, 4, 5, 6, 7] {
        assert!(
            status["enum"].as_array().unwrap().contains(&code.into()),
            "{status}"
        );
    }
    assert!(
        status["description"]
            .as_str()
            .unwrap()
            .contains("6 Awaiting Vendor"),
        "{status}"
    );
    assert!(
        report["source"]["enum"]
            .as_array()
            .unwrap()
            .contains(&1008.into()),
        "{}",
        report["source"]
    );
    let custom = &report["custom_fields"];
    let properties = &custom["properties"];
    assert_eq!(
        properties["cf_business_impact"]["enum"],
        serde_json::json!(["Low", "Medium", "High"]),
        "{custom}"
    );
    assert!(
        properties["cf_units_affected"]["type"]
            .to_string()
            .contains("integer"),
        "{custom}"
    );
    assert_eq!(properties["cf_target_date"]["format"], "date", "{custom}");
    assert!(
        properties["cf_vendor_escalated"]["type"]
            .to_string()
            .contains("boolean")
    );
    assert!(
        custom["required"]
            .as_array()
            .unwrap()
            .contains(&"cf_business_impact".into()),
        "{custom}"
    );

    // Created with the custom status and source, updated to the other custom status, read back.
    assert_ne!(report["created"]["isError"], true, "{}", report["created"]);
    assert_ne!(report["updated"]["isError"], true, "{}", report["updated"]);
    let read = &report["read"]["structuredContent"]["ticket"];
    assert_eq!(read["status"], 7, "{read}");
    assert_eq!(read["source"], 1008, "{read}");
    let id = read["id"].as_i64().unwrap();
    let stored = sandbox.get(Collection::Tickets, id).unwrap();
    assert_eq!(stored["status"], 7);
    assert_eq!(stored["custom_fields"]["cf_business_impact"], "High");

    // Refused before anything was sent, each naming the field.
    let outside = &report["outside_choices"];
    assert_eq!(outside["isError"], true, "{outside}");
    assert!(text(outside).contains("cf_business_impact"), "{outside}");
    assert!(text(outside).contains("nothing was sent"), "{outside}");
    let missing = &report["missing_required"];
    assert_eq!(missing["isError"], true, "{missing}");
    assert!(text(missing).contains("cf_business_impact"), "{missing}");
    assert_eq!(tickets_with_subject(&sandbox, "s"), 0);
    assert_eq!(sandbox.records(Collection::Tickets).len(), before + 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_account_that_hides_its_fields_still_takes_its_own_status_codes() {
    let sandbox = customised(false).await;
    let run = run_python(
        "py_account.py",
        &["--scenario", "refused"],
        &sandbox.uri(),
        sandbox.api_key(),
        &[],
    )
    .await;
    let report = &run.report;
    assert_eq!(report["unchanged"], true, "{report}");
    assert_eq!(report["told"], false, "{report}");
    let status = &report["status"];
    assert!(status.get("enum").is_none(), "{status}");
    let described = status["description"].as_str().unwrap();
    assert!(
        described.contains("2 Open") && described.contains("5 Closed"),
        "{described}"
    );
    // Sent, not refused, and the account took it.
    assert_ne!(report["updated"]["isError"], true, "{}", report["updated"]);
    assert_eq!(sandbox.get(Collection::Tickets, 1).unwrap()["status"], 6);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_on_the_account_is_seen_after_the_time_to_live_with_list_changed() {
    let sandbox = customised(true).await;
    let run = run_python(
        "py_account.py",
        &["--scenario", "ttl"],
        &sandbox.uri(),
        sandbox.api_key(),
        &["--fields-ttl", "1"],
    )
    .await;
    let report = &run.report;
    assert_eq!(report["told"], true, "{report}");
    let added = report["source_id"].as_i64().unwrap();
    assert!(
        report["source"]["enum"]
            .as_array()
            .unwrap()
            .contains(&added.into()),
        "{report}"
    );
    assert!(
        report["source"]["description"]
            .as_str()
            .unwrap()
            .contains("Walk-in kiosk"),
        "{report}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_provisioned_server_lists_the_accounts_schemas_and_tells_its_legacy_sessions() {
    use crate::serve_harness::{Serve, temp_db};
    use freshservice_sandbox::FormModule;
    use serde_json::json;
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, ResponseTemplate};

    let sandbox = customised(true).await;
    // The account's own ticket fields, answered slowly: the session lists the tools first.
    let fields = sandbox.form_fields(FormModule::Tickets);
    Mock::given(method("GET"))
        .and(path("/api/v2/ticket_form_fields"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "ticket_fields": fields }))
                .set_delay(std::time::Duration::from_millis(500)),
        )
        .mount(sandbox.mock_server())
        .await;
    let db = temp_db("account-fields").display().to_string();
    let mut env = crate::serve_harness::keys();
    env.push(("FRESHSERVICE_MCP_FIELDS_TTL", "600"));
    let serve = Serve::start_with(&["--db", &db], &env);
    let account = serve
        .create_account(&sandbox.uri(), sandbox.api_key())
        .await;
    let created = serve
        .create_server(&account, json!({"name": "desk", "config": {}}))
        .await;
    let mut mcp = serve.mcp(created["url"].as_str().unwrap());
    let init = mcp.initialize().await;
    assert_eq!(
        init.json["result"]["capabilities"]["tools"]["listChanged"], true,
        "{}",
        init.text
    );
    let status_of = |reply: &crate::serve_harness::Reply| {
        reply.json["result"]["tools"]
            .as_array()
            .unwrap()
            .iter()
            .find(|tool| tool["name"] == "create_a_freshservice_ticket")
            .unwrap()["inputSchema"]["properties"]["status"]
            .clone()
    };
    let first = mcp.request("tools/list", json!({})).await;
    assert!(status_of(&first).get("enum").is_none(), "{}", first.text);

    let mut told = false;
    let mut shaped = None;
    for _ in 0..50 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let reply = mcp.request("tools/list", json!({})).await;
        told |= reply.text.contains("notifications/tools/list_changed");
        let status = status_of(&reply);
        if status["enum"].is_array() {
            shaped = Some(status);
            break;
        }
    }
    let shaped = shaped.expect("the account's schema never arrived");
    assert!(shaped["enum"].as_array().unwrap().contains(&6.into()));
    assert!(told, "the legacy session was not told the list changed");

    let refused = mcp
        .call(
            "create_a_freshservice_ticket",
            json!({"subject": "s", "description": "d", "email": "a@b.co", "status": 6, "priority": 1,
                   "custom_fields": {"cf_business_impact": "Huge"}}),
        )
        .await;
    assert_eq!(refused["result"]["isError"], true, "{refused}");
    assert_eq!(tickets_with_subject(&sandbox, "s"), 0);
}
