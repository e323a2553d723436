//! The two workflows the story seed is built for, replayed over HTTP.

use freshservice_sandbox::Collection;
use freshservice_sandbox::Sandbox;
use serde_json::json;

use crate::support::{Api, fixed_now, ids, quoted};

#[tokio::test]
async fn cab_preparation_finds_the_incidents_on_the_failover_assets() {
    let sandbox = Sandbox::builder().now(fixed_now()).start().await;
    let api = Api::new(&sandbox);

    let changes = api
        .get(&format!(
            "/api/v2/changes?query={}",
            quoted("change_type:4 AND status:3")
        ))
        .await;
    assert_eq!(
        ids(&changes.body["changes"], "id"),
        vec![1],
        "{}",
        changes.body
    );
    let change = &changes.body["changes"][0];
    assert_eq!(change["subject"], "Primary Database Failover");
    assert_eq!(
        change["planned_start_date"], "2025-03-10T22:00:00Z",
        "tonight at 22:00 UTC"
    );
    let tonight = api
        .get(&format!(
            "/api/v2/changes?query={}",
            quoted("change_type:4 AND planned_start_date:'2025-03-10'")
        ))
        .await;
    assert_eq!(ids(&tonight.body["changes"], "id"), vec![1]);

    let mut found = Vec::new();
    for link in change["assets"].as_array().unwrap() {
        let display_id = link["display_id"].as_i64().unwrap();
        let asset = api.get(&format!("/api/v2/assets/{display_id}")).await;
        assert_eq!(asset.status, 200);
        let name = asset.body["asset"]["name"].as_str().unwrap().to_owned();
        let query = format!("cf_affected_asset:'{name}' AND status:2 AND priority:>3");
        let incidents = api
            .get(&format!("/api/v2/tickets/filter?query={}", quoted(&query)))
            .await;
        assert_eq!(incidents.status, 200, "{}", incidents.body);
        found.push((name, ids(&incidents.body["tickets"], "id")));
    }
    assert_eq!(
        found,
        vec![
            ("db-prod-01".to_owned(), vec![1, 3]),
            ("db-prod-02".to_owned(), vec![2])
        ],
        "ticket 4 is low priority, ticket 5 is resolved, ticket 6 is on another asset"
    );
}

#[tokio::test]
async fn onboarding_a_new_hire_with_project_tasks_for_it_support() {
    let sandbox = Sandbox::builder().now(fixed_now()).start().await;
    let api = Api::new(&sandbox);
    let request = api
        .post(
            "/api/v2/onboarding_requests",
            json!({"fields": {"cf_employee_name": "Noor Haddad", "cf_job_title": "Analyst", "cf_date_of_joining": "2025-03-17"}}),
        )
        .await;
    assert_eq!(request.status, 201, "{}", request.body);

    let projects = api.get("/api/v2/pm/projects").await;
    let project = projects.body["projects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|project| project["name"] == "Q4 Hardware Deployments")
        .unwrap()
        .clone();
    let project_id = project["id"].as_i64().unwrap();
    let groups = api.get("/api/v2/groups").await;
    let it_support = groups.body["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|group| group["name"] == "IT Support")
        .unwrap()
        .clone();
    let members = it_support["agent_ids"].as_array().unwrap().clone();
    for (index, title) in [
        "Prepare laptop for Noor Haddad",
        "Create accounts for Noor Haddad",
        "Book desk for Noor Haddad",
    ]
    .iter()
    .enumerate()
    {
        let assignee = &members[index % members.len()];
        let created = api
            .post(
                &format!("/api/v2/pm/projects/{project_id}/tasks"),
                json!({"title": title, "type_id": 1, "assignee_id": assignee, "planned_end_date": "2025-03-17T09:00:00Z"}),
            )
            .await;
        assert_eq!(created.status, 201, "{}", created.body);
        assert_eq!(
            created.body["task"]["display_key"],
            format!("Q4HW-{}", created.body["task"]["id"])
        );
    }
    let stored: Vec<_> = sandbox
        .records(Collection::ProjectTasks)
        .into_iter()
        .filter(|task| {
            task["project_id"] == project_id
                && task["title"].as_str().unwrap().ends_with("Noor Haddad")
        })
        .collect();
    assert_eq!(stored.len(), 3);
    assert!(
        stored
            .iter()
            .all(|task| members.contains(&task["assignee_id"]))
    );
    let onboarding = sandbox.records(Collection::OnboardingRequests);
    assert_eq!(
        onboarding.last().unwrap()["fields"]["cf_employee_name"],
        "Noor Haddad"
    );
}
