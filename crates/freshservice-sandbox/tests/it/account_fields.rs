//! Accounts and their form fields: what `GET /*_form_fields` shows, how writes are checked against it, the
//! 403 switch and changes while the sandbox runs.

use freshservice_sandbox::Collection;
use freshservice_sandbox::{Account, FormModule, Sandbox, WorkspaceMode};
use serde_json::{Value, json};

use crate::support::{Answer, Api, quoted};

async fn customised() -> Sandbox {
    Sandbox::builder()
        .account(Account::Customised)
        .start()
        .await
}

/// The field definition named `name` in a form-fields answer.
fn field<'a>(answer: &'a Answer, envelope: &str, name: &str) -> Option<&'a Value> {
    answer.body[envelope]
        .as_array()?
        .iter()
        .find(|field| field["name"] == name)
}

fn choice_ids(field: Option<&Value>) -> Vec<i64> {
    field
        .and_then(|field| field["choices"].as_array())
        .into_iter()
        .flatten()
        .filter_map(|choice| choice["id"].as_i64())
        .collect()
}

fn names(answer: &Answer, envelope: &str) -> Vec<String> {
    answer.body[envelope]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|field| field["name"].as_str().map(str::to_owned))
        .collect()
}

/// A valid ticket for the customised account, with `extra` merged in.
fn ticket(extra: Value) -> Value {
    let mut body = json!({
        "subject": "VPN drops every hour",
        "description": "<p>Since the vendor update</p>",
        "status": 2,
        "priority": 2,
        "requester_id": 101,
        "custom_fields": {"cf_business_impact": "High"},
    });
    for (key, value) in extra.as_object().cloned().unwrap_or_default() {
        if key == "custom_fields" {
            let custom = body["custom_fields"].as_object_mut().unwrap();
            custom.extend(value.as_object().cloned().unwrap_or_default());
        } else {
            body[key] = value;
        }
    }
    body
}

/// The single validation error of a 400 answer, as the whole body.
fn assert_one_error(answer: &Answer, field: &str, code: &str, message: &str) {
    assert_eq!(answer.status, 400, "{}", answer.body);
    assert_eq!(
        answer.body,
        json!({"description": "Validation failed", "errors": [{"field": field, "message": message, "code": code}]})
    );
}

#[tokio::test]
async fn form_fields_answer_for_both_accounts() {
    let default = Sandbox::start().await;
    let answer = Api::new(&default).get("/api/v2/ticket_form_fields").await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        choice_ids(field(&answer, "ticket_fields", "status")),
        vec![2, 3, 4, 5]
    );
    assert!(!choice_ids(field(&answer, "ticket_fields", "source")).contains(&1008));
    let custom: Vec<String> = answer.body["ticket_fields"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|field| field["default_field"] == false)
        .map(|field| field["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(custom, vec!["cf_affected_asset"]);

    let sandbox = customised().await;
    let api = Api::new(&sandbox);
    let answer = api.get("/api/v2/ticket_form_fields").await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        choice_ids(field(&answer, "ticket_fields", "status")),
        vec![2, 3, 4, 5, 6, 7]
    );
    assert!(choice_ids(field(&answer, "ticket_fields", "source")).contains(&1008));
    let impact = field(&answer, "ticket_fields", "cf_business_impact").unwrap();
    assert_eq!(impact["field_type"], "custom_dropdown");
    assert_eq!(impact["default_field"], false);
    assert_eq!(impact["required_for_agents"], true);
    let hardware = field(&answer, "ticket_fields", "cf_hardware").unwrap();
    assert_eq!(hardware["field_type"], "nested_field");
    assert_eq!(hardware["nested_fields"][1]["name"], "cf_hardware_model");
    assert_eq!(
        hardware["choices"][0]["nested_options"][0]["nested_options"][0]["value"],
        "Latitude 7440"
    );
    let category = field(&answer, "ticket_fields", "category").unwrap();
    assert_eq!(category["nested_fields"][0]["name"], "sub_category");

    let answer = api.get("/api/v2/change_form_fields").await;
    assert_eq!(answer.status, 200);
    let environment = field(&answer, "change_fields", "cf_environment").unwrap();
    assert_eq!(environment["required"], true);
    for module in [FormModule::Problems, FormModule::Releases] {
        let answer = api.get(&format!("/api/v2/{}", module.path())).await;
        assert_eq!(answer.status, 200);
        assert!(names(&answer, module.envelope()).contains(&"status".to_owned()));
    }
}

#[tokio::test]
async fn form_fields_follow_the_workspace() {
    let sandbox = Sandbox::builder()
        .account(Account::Customised)
        .workspaces(WorkspaceMode::MultiWorkspace)
        .start()
        .await;
    let api = Api::new(&sandbox);
    let it = api.get("/api/v2/ticket_form_fields?workspace_id=2").await;
    let hr = api.get("/api/v2/ticket_form_fields?workspace_id=3").await;
    let global = api.get("/api/v2/ticket_form_fields?workspace_id=0").await;
    assert!(names(&it, "ticket_fields").contains(&"cf_business_impact".to_owned()));
    assert!(!names(&hr, "ticket_fields").contains(&"cf_business_impact".to_owned()));
    assert!(names(&hr, "ticket_fields").contains(&"status".to_owned()));
    assert!(!names(&global, "ticket_fields").contains(&"cf_business_impact".to_owned()));
    let unknown = api.get("/api/v2/ticket_form_fields?workspace_id=9").await;
    assert_eq!(
        unknown.errors(),
        vec![("workspace_id".into(), "invalid_value".into())]
    );
    // An HR ticket has no IT fields: neither required nor accepted.
    let hr_ticket = json!({"subject": "Payslip", "description": "x", "status": 2, "priority": 1, "requester_id": 101, "workspace_id": 3});
    assert_eq!(api.post("/api/v2/tickets", hr_ticket).await.status, 201);
    let hr_with_it_field = ticket(json!({"workspace_id": 3}));
    let answer = api.post("/api/v2/tickets", hr_with_it_field).await;
    assert_eq!(
        answer.errors(),
        vec![("cf_business_impact".into(), "invalid_value".into())]
    );
}

#[tokio::test]
async fn custom_status_and_source_round_trip() {
    let sandbox = customised().await;
    let api = Api::new(&sandbox);
    let created = api
        .post(
            "/api/v2/tickets",
            ticket(json!({"status": 6, "source": 1008, "category": "Hardware", "sub_category": "Computer", "item_category": "Mac", "custom_fields": {"cf_hardware": "Laptop", "cf_hardware_make": "Lenovo", "cf_hardware_model": "ThinkPad T14", "cf_units_affected": 40, "cf_target_date": "2025-03-14", "cf_vendor_escalated": true, "cf_vendor_reference": "VND-8812"}})),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["ticket"]["id"].as_i64().unwrap();
    assert_eq!(created.body["ticket"]["status"], 6);
    assert_eq!(created.body["ticket"]["source"], 1008);
    let updated = api
        .put(
            &format!("/api/v2/tickets/{id}"),
            json!({"status": 7, "custom_fields": {"cf_business_impact": "Medium"}}),
        )
        .await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    let read = api.get(&format!("/api/v2/tickets/{id}")).await;
    let stored = &read.body["ticket"];
    assert_eq!(stored["status"], 7);
    assert_eq!(stored["source"], 1008);
    assert_eq!(stored["custom_fields"]["cf_business_impact"], "Medium");
    assert_eq!(stored["custom_fields"]["cf_hardware_model"], "ThinkPad T14");
    assert_eq!(stored["custom_fields"]["cf_units_affected"], 40);
    // The same codes are refused by the default account, with its own choices in the message.
    let default = Sandbox::start().await;
    let answer = Api::new(&default)
        .post("/api/v2/tickets", ticket(json!({"status": 6})))
        .await;
    assert_one_error(
        &answer,
        "status",
        "invalid_value",
        "It should be one of these values: '2,3,4,5'",
    );
}

#[tokio::test]
async fn writes_outside_the_account_fields_are_refused() {
    let sandbox = customised().await;
    let api = Api::new(&sandbox);
    let tickets_before = sandbox.records(Collection::Tickets).len();
    let answer = api
        .post("/api/v2/tickets", ticket(json!({"status": 9})))
        .await;
    assert_one_error(
        &answer,
        "status",
        "invalid_value",
        "It should be one of these values: '2,3,4,5,6,7'",
    );
    let answer = api
        .post("/api/v2/tickets", ticket(json!({"source": 1009})))
        .await;
    assert_eq!(
        answer.errors(),
        vec![("source".into(), "invalid_value".into())]
    );
    let answer = api
        .post(
            "/api/v2/tickets",
            ticket(json!({"custom_fields": {"cf_business_impact": "Severe"}})),
        )
        .await;
    assert_one_error(
        &answer,
        "cf_business_impact",
        "invalid_value",
        "It should be one of these values: 'Low,Medium,High'",
    );
    let answer = api
        .post(
            "/api/v2/tickets",
            ticket(json!({"custom_fields": {"cf_units_affected": "forty"}})),
        )
        .await;
    assert_one_error(
        &answer,
        "cf_units_affected",
        "invalid_value",
        "It should be a/an Integer",
    );
    let answer = api
        .post(
            "/api/v2/tickets",
            ticket(json!({"custom_fields": {"cf_colour": "red"}})),
        )
        .await;
    assert_one_error(
        &answer,
        "cf_colour",
        "invalid_value",
        "Unexpected/invalid field in request: cf_colour is not a custom field of this account's ticket fields; GET /api/v2/ticket_form_fields lists them",
    );
    let mut missing = ticket(json!({}));
    missing["custom_fields"] = json!({});
    let answer = api.post("/api/v2/tickets", missing).await;
    assert_one_error(
        &answer,
        "cf_business_impact",
        "missing_field",
        "It should not be blank as this is a mandatory field",
    );
    let answer = api
        .post(
            "/api/v2/tickets",
            ticket(json!({"custom_fields": {"cf_hardware": "Laptop", "cf_hardware_make": "HP"}})),
        )
        .await;
    assert_one_error(
        &answer,
        "cf_hardware_make",
        "invalid_value",
        "It should be one of these values: 'Dell,Lenovo'",
    );
    let answer = api
        .put(
            "/api/v2/tickets/1",
            json!({"category": "Hardware", "sub_category": "Keyboard"}),
        )
        .await;
    assert_eq!(
        answer.errors(),
        vec![("sub_category".into(), "invalid_value".into())]
    );
    // Changes: a required custom dropdown and the change's own fields.
    let change = json!({
        "subject": "Patch the firewall", "description": "x", "requester_id": 101, "status": 1, "priority": 2,
        "impact": 2, "risk": 2, "change_type": 2, "custom_fields": {"cf_rollback_tested": true},
    });
    let answer = api.post("/api/v2/changes", change.clone()).await;
    assert_eq!(
        answer.errors(),
        vec![("cf_environment".into(), "missing_field".into())]
    );
    let mut change = change;
    change["custom_fields"]["cf_environment"] = json!("Staging");
    let answer = api.post("/api/v2/changes", change).await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    let answer = api
        .put(
            "/api/v2/changes/1",
            json!({"custom_fields": {"cf_downtime_minutes": "1h"}}),
        )
        .await;
    assert_eq!(
        answer.errors(),
        vec![("cf_downtime_minutes".into(), "invalid_value".into())]
    );
    // None of the refused tickets was stored.
    assert_eq!(sandbox.records(Collection::Tickets).len(), tickets_before);
}

#[tokio::test]
async fn refused_form_fields_answer_403_and_writes_still_follow_the_account() {
    let sandbox = Sandbox::builder()
        .account(Account::Customised)
        .form_fields_access(false)
        .start()
        .await;
    let api = Api::new(&sandbox);
    for path in [
        "ticket_form_fields",
        "change_form_fields",
        "problem_form_fields",
        "release_form_fields",
        "requester_fields",
        "agent_fields",
    ] {
        let answer = api.get(&format!("/api/v2/{path}")).await;
        assert_eq!(answer.status, 403, "{path}");
        assert_eq!(
            answer.body,
            json!({"code": "access_denied", "message": "You are not authorized to perform this action."})
        );
    }
    let answer = api
        .post("/api/v2/ticket_fields/sources", json!({"name": "Kiosk"}))
        .await;
    assert_eq!(answer.status, 403);
    let answer = api
        .post(
            "/api/v2/tickets",
            ticket(json!({"status": 6, "source": 1008})),
        )
        .await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    let answer = api
        .post("/api/v2/tickets", ticket(json!({"status": 8})))
        .await;
    assert_eq!(
        answer.errors(),
        vec![("status".into(), "invalid_value".into())]
    );
    sandbox.set_form_fields_access(true);
    assert_eq!(api.get("/api/v2/ticket_form_fields").await.status, 200);
    assert_eq!(api.get("/api/v2/agent_fields").await.status, 200);
}

#[tokio::test]
async fn changes_at_runtime_show_and_are_accepted() {
    let sandbox = customised().await;
    let api = Api::new(&sandbox);
    assert_eq!(
        api.post("/api/v2/tickets", ticket(json!({"status": 8})))
            .await
            .status,
        400
    );
    sandbox.add_ticket_status(8, "With Legal");
    sandbox.add_ticket_source(1020, "Kiosk");
    sandbox.update_form_fields(FormModule::Tickets, |fields| {
        fields.push(json!({
            "id": 71000, "name": "cf_floor", "label": "Floor", "field_type": "custom_number",
            "default_field": false, "required_for_agents": false, "choices": [], "nested_fields": [],
            "workspace_id": 2,
        }));
    });
    let answer = api.get("/api/v2/ticket_form_fields").await;
    assert!(choice_ids(field(&answer, "ticket_fields", "status")).contains(&8));
    assert!(choice_ids(field(&answer, "ticket_fields", "source")).contains(&1020));
    assert!(field(&answer, "ticket_fields", "cf_floor").is_some());
    let answer = api
        .post(
            "/api/v2/tickets",
            ticket(json!({"status": 8, "source": 1020, "custom_fields": {"cf_floor": 3}})),
        )
        .await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    assert!(
        sandbox
            .form_fields(FormModule::Tickets)
            .iter()
            .any(|field| field["name"] == "cf_floor")
    );

    // A source created through the API gets the next custom id and is usable at once.
    let created = api
        .post(
            "/api/v2/ticket_fields/sources",
            json!({"name": "Walk-in kiosk"}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.body["source"]["choice_id"], 1021);
    assert_eq!(created.body["source"]["value"], "Walk-in kiosk");
    assert_eq!(created.body["source"]["default"], false);
    let answer = api.get("/api/v2/ticket_form_fields").await;
    assert!(choice_ids(field(&answer, "ticket_fields", "source")).contains(&1021));
    let answer = api
        .post("/api/v2/tickets", ticket(json!({"source": 1021})))
        .await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    let duplicate = api
        .post(
            "/api/v2/ticket_fields/sources",
            json!({"name": "walk-in kiosk"}),
        )
        .await;
    assert_eq!(
        duplicate.errors(),
        vec![("name".into(), "duplicate_value".into())]
    );
    let nameless = api.post("/api/v2/ticket_fields/sources", json!({})).await;
    assert_eq!(
        nameless.errors(),
        vec![("name".into(), "missing_field".into())]
    );
}

#[tokio::test]
async fn the_default_account_is_unchanged() {
    let sandbox = Sandbox::start().await;
    assert_eq!(sandbox.account(), Account::Default);
    let api = Api::new(&sandbox);
    // Any custom field and category, as before; the documented codes only.
    let body = json!({"subject": "s", "description": "d", "status": 5, "priority": 4, "source": 18, "requester_id": 101, "category": "Anything", "custom_fields": {"cf_whatever": [1, 2]}});
    assert_eq!(api.post("/api/v2/tickets", body).await.status, 201);
    let answer = api
        .post(
            "/api/v2/tickets",
            json!({"subject": "s", "description": "d", "status": 2, "priority": 1, "source": 1008, "requester_id": 101}),
        )
        .await;
    assert_eq!(
        answer.errors(),
        vec![("source".into(), "invalid_value".into())]
    );
    let answer = api.put("/api/v2/changes/1", json!({"status": 7})).await;
    assert_eq!(
        answer.errors(),
        vec![("status".into(), "invalid_value".into())]
    );
    // A source added through the API is accepted from then on.
    let created = api
        .post("/api/v2/ticket_fields/sources", json!({"name": "Kiosk"}))
        .await;
    assert_eq!(created.body["source"]["choice_id"], 1001);
    let answer = api.put("/api/v2/tickets/1", json!({"source": 1001})).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
}

#[tokio::test]
async fn filters_know_the_account_custom_fields() {
    let default = Sandbox::start().await;
    let path = format!(
        "/api/v2/tickets/filter?query={}",
        quoted("cf_business_impact:'High'")
    );
    let answer = Api::new(&default).get(&path).await;
    assert_eq!(
        answer.errors(),
        vec![("query".into(), "invalid_value".into())]
    );
    let sandbox = customised().await;
    let api = Api::new(&sandbox);
    let answer = api.get(&path).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.body["total"], 0);
    let created = api.post("/api/v2/tickets", ticket(json!({}))).await;
    assert_eq!(created.status, 201);
    let answer = api.get(&path).await;
    assert_eq!(answer.body["total"], 1);
}
