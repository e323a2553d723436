//! Two real service-desk workflows, replayed by the Python MCP client against the sandbox
//! through `freshservice-mcp stdio`; the assertions read the sandbox's final state.

use freshservice_sandbox::Collection;
use freshservice_sandbox::Sandbox;
use serde_json::Value;

use crate::harness::run_python;

async fn run_workflow(sandbox: &Sandbox, workflow: &str, mode: &str) -> Value {
    let run = run_python(
        "py_workflows.py",
        &["--mode", mode, "--workflow", workflow],
        &sandbox.uri(),
        sandbox.api_key(),
        &[],
    )
    .await;
    run.report
}

#[tokio::test(flavor = "multi_thread")]
async fn cab_preparation_works_in_discovery_mode() {
    let sandbox = Sandbox::start().await;
    let run = run_python(
        "py_workflows.py",
        &["--mode", "auto", "--workflow", "cab", "--discovery"],
        &sandbox.uri(),
        sandbox.api_key(),
        &["--tool-exposure", "discovery"],
    )
    .await;
    let report = run.report;
    assert_eq!(
        report["listed_tools"],
        serde_json::json!([
            "search_freshservice_tools",
            "get_freshservice_tool_schema",
            "call_freshservice_tool"
        ]),
        "{report}"
    );
    assert_eq!(report["change_subject"], "Primary Database Failover");
    assert_eq!(
        report["incidents"]["db-prod-01"],
        serde_json::json!([1, 3]),
        "{report}"
    );
    assert_eq!(
        report["incidents"]["db-prod-02"],
        serde_json::json!([2]),
        "{report}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn cab_preparation_finds_tonights_change_and_its_open_incidents() {
    for mode in ["legacy", "auto"] {
        let sandbox = Sandbox::start().await;
        let report = run_workflow(&sandbox, "cab", mode).await;

        let change = sandbox
            .get(Collection::Changes, report["change_id"].as_i64().unwrap())
            .unwrap();
        assert_eq!(
            change["subject"], "Primary Database Failover",
            "{mode}: {report}"
        );
        assert_eq!(change["change_type"], 4, "{mode}: an emergency change");

        // The right incidents: open, high or urgent, on the change's own assets — computed from
        // the sandbox's records, not from the story's text.
        let assets: Vec<i64> = change["assets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|link| link["display_id"].as_i64().unwrap())
            .collect();
        for display_id in assets {
            let asset = sandbox.get(Collection::Assets, display_id).unwrap();
            let name = asset["name"].as_str().unwrap();
            let mut expected: Vec<i64> = sandbox
                .records(Collection::Tickets)
                .iter()
                .filter(|ticket| {
                    ticket["custom_fields"]["cf_affected_asset"] == name
                        && ticket["status"] == 2
                        && ticket["priority"].as_i64().unwrap_or(0) >= 3
                })
                .map(|ticket| ticket["id"].as_i64().unwrap())
                .collect();
            expected.sort_unstable();
            assert!(!expected.is_empty(), "the story has incidents on {name}");
            let found: Vec<i64> = report["incidents"][name]
                .as_array()
                .unwrap_or_else(|| panic!("{mode}: no incidents reported for {name}: {report}"))
                .iter()
                .map(|id| id.as_i64().unwrap())
                .collect();
            assert_eq!(found, expected, "{mode}: incidents on {name}");
        }
        // The story's own answer, as a person would check it.
        assert_eq!(
            report["incidents"]["db-prod-01"],
            serde_json::json!([1, 3]),
            "{mode}"
        );
        assert_eq!(
            report["incidents"]["db-prod-02"],
            serde_json::json!([2]),
            "{mode}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn onboarding_creates_the_request_and_three_tasks_for_it_support() {
    let sandbox = Sandbox::start().await;
    let report = run_workflow(&sandbox, "onboarding", "auto").await;

    let request_id = report["onboarding_request_id"].as_i64().unwrap();
    let request = sandbox
        .get(Collection::OnboardingRequests, request_id)
        .unwrap();
    assert_eq!(request["fields"]["cf_employee_name"], "Jordan Rivera");
    assert_eq!(
        request["fields"]["cf_date_of_joining"], report["start_date"],
        "the start date the workflow chose is stored"
    );

    let it_support = sandbox
        .records(Collection::Groups)
        .into_iter()
        .find(|group| group["name"] == "IT Support")
        .unwrap();
    let members: Vec<Value> = it_support["members"].as_array().unwrap().clone();
    let project_id = report["project_id"].as_i64().unwrap();
    assert_eq!(
        sandbox.get(Collection::Projects, project_id).unwrap()["name"],
        "Q4 Hardware Deployments"
    );
    let created: Vec<Value> = sandbox
        .records(Collection::ProjectTasks)
        .into_iter()
        .filter(|task| {
            task["project_id"] == project_id
                && task["title"]
                    .as_str()
                    .unwrap_or("")
                    .contains("Jordan Rivera")
        })
        .collect();
    assert_eq!(
        created.len(),
        3,
        "three tasks read back from the sandbox: {created:?}"
    );
    for task in &created {
        assert!(
            members.contains(&task["assignee_id"]),
            "assigned within IT Support: {task}"
        );
        assert!(report["task_ids"].as_array().unwrap().contains(&task["id"]));
    }
}
