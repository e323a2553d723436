//! Create, read, list, update and delete round trips for every stateful resource.

use freshservice_sandbox::Collection;
use std::time::Duration;

use freshservice_sandbox::Sandbox;
use serde_json::{Value, json};

use crate::support::{Api, fixed_now, ids};

/// What DELETE leaves behind.
#[derive(Debug, Clone, Copy)]
enum Gone {
    Removed,
    Flag(&'static str, bool),
}

struct Trial {
    collection: &'static str,
    path: &'static str,
    singular: &'static str,
    plural: &'static str,
    key: &'static str,
    create: Value,
    update: Value,
    gone: Gone,
}

fn trials() -> Vec<Trial> {
    let trial = |collection, path, singular, plural, create, update, gone| Trial {
        collection,
        path,
        singular,
        plural,
        key: if collection == "assets" {
            "display_id"
        } else {
            "id"
        },
        create,
        update,
        gone,
    };
    vec![
        trial(
            "tickets",
            "/api/v2/tickets",
            "ticket",
            "tickets",
            json!({"subject": "Cannot print", "description": "<p>Printer offline</p>", "status": 2, "priority": 2, "requester_id": 101, "custom_fields": {"cf_affected_asset": "printer-3"}}),
            json!({"status": 3, "custom_fields": {"cf_room": "3.12"}}),
            Gone::Flag("deleted", true),
        ),
        trial(
            "ticket_tasks",
            "/api/v2/tickets/1/tasks",
            "task",
            "tasks",
            json!({"title": "Check pool size"}),
            json!({"title": "Check the pool size"}),
            Gone::Removed,
        ),
        trial(
            "ticket_time_entries",
            "/api/v2/tickets/1/time_entries",
            "time_entry",
            "time_entries",
            json!({"agent_id": 2, "time_spent": "00:30", "note": "Checked logs"}),
            json!({"time_spent": "00:45"}),
            Gone::Removed,
        ),
        trial(
            "changes",
            "/api/v2/changes",
            "change",
            "changes",
            json!({"subject": "Add index", "description": "<p>Add an index</p>", "status": 1, "priority": 2, "impact": 1, "risk": 1, "change_type": 2, "requester_id": 4, "assets": [{"display_id": 103}], "planned_start_date": "2025-03-12T20:00:00+01:00"}),
            json!({"status": 2, "impacted_services": [{"display_id": 106}]}),
            Gone::Removed,
        ),
        trial(
            "change_notes",
            "/api/v2/changes/1/notes",
            "note",
            "notes",
            json!({"body": "<p>Approved by CAB</p>"}),
            json!({"body": "<p>Edited</p>"}),
            Gone::Removed,
        ),
        trial(
            "change_tasks",
            "/api/v2/changes/1/tasks",
            "task",
            "tasks",
            json!({"title": "Take a backup"}),
            json!({"title": "Take a full backup"}),
            Gone::Removed,
        ),
        trial(
            "problems",
            "/api/v2/problems",
            "problem",
            "problems",
            json!({"subject": "Disk fills up", "description": "<p>Logs</p>", "requester_id": 2, "status": 1, "impact": 2, "priority": 2, "due_by": "2025-03-20T00:00:00Z"}),
            json!({"status": 2}),
            Gone::Flag("deleted", true),
        ),
        trial(
            "problem_notes",
            "/api/v2/problems/1/notes",
            "note",
            "notes",
            json!({"body": "<p>Root cause found</p>"}),
            json!({"body": "<p>Confirmed</p>"}),
            Gone::Removed,
        ),
        trial(
            "releases",
            "/api/v2/releases",
            "release",
            "releases",
            json!({"subject": "R2", "status": 1, "priority": 2, "release_type": 2, "planned_start_date": "2025-04-01T00:00:00Z", "planned_end_date": "2025-04-02T00:00:00Z"}),
            json!({"status": 3}),
            Gone::Flag("deleted", true),
        ),
        trial(
            "release_tasks",
            "/api/v2/releases/1/tasks",
            "task",
            "tasks",
            json!({"title": "Write release notes"}),
            json!({"title": "Write the release notes"}),
            Gone::Removed,
        ),
        trial(
            "assets",
            "/api/v2/assets",
            "asset",
            "assets",
            json!({"name": "db-prod-03", "asset_type_id": 2}),
            json!({"description": "New replica"}),
            Gone::Flag("deleted", true),
        ),
        trial(
            "asset_types",
            "/api/v2/asset_types",
            "asset_type",
            "asset_types",
            json!({"name": "Tablet", "parent_asset_type_id": 1}),
            json!({"description": "Tablets"}),
            Gone::Removed,
        ),
        trial(
            "projects",
            "/api/v2/pm/projects",
            "project",
            "projects",
            json!({"name": "Data centre move", "project_type": 1}),
            json!({"status_id": 2}),
            Gone::Removed,
        ),
        trial(
            "project_tasks",
            "/api/v2/pm/projects/1/tasks",
            "task",
            "tasks",
            json!({"title": "Label the racks", "type_id": 1, "assignee_id": 6}),
            json!({"status_id": 2}),
            Gone::Removed,
        ),
        trial(
            "agents",
            "/api/v2/agents",
            "agent",
            "agents",
            json!({"first_name": "Robin", "email": "robin@example.com", "roles": [{"role_id": 1, "assignment_scope": "entire_helpdesk"}]}),
            json!({"job_title": "Engineer"}),
            Gone::Flag("active", false),
        ),
        trial(
            "requesters",
            "/api/v2/requesters",
            "requester",
            "requesters",
            json!({"first_name": "Kai", "primary_email": "kai@example.com"}),
            json!({"job_title": "Analyst"}),
            Gone::Flag("active", false),
        ),
        trial(
            "groups",
            "/api/v2/groups",
            "group",
            "groups",
            json!({"name": "Security"}),
            json!({"description": "Security operations"}),
            Gone::Removed,
        ),
        trial(
            "departments",
            "/api/v2/departments",
            "department",
            "departments",
            json!({"name": "Legal"}),
            json!({"description": "Contracts"}),
            Gone::Removed,
        ),
        trial(
            "locations",
            "/api/v2/locations",
            "location",
            "locations",
            json!({"name": "Paris Office"}),
            json!({"address": {"city": "Paris"}}),
            Gone::Removed,
        ),
    ]
}

#[tokio::test]
async fn every_resource_round_trips() {
    let sandbox = Sandbox::builder().now(fixed_now()).start().await;
    let api = Api::new(&sandbox);
    for trial in trials() {
        let name = trial.collection;
        let collection = Collection::ALL
            .into_iter()
            .find(|collection| collection.name() == name)
            .unwrap_or_else(|| panic!("{name} is not a Collection"));
        let created = api.post(trial.path, trial.create.clone()).await;
        assert_eq!(created.status, 201, "{name}: {}", created.body);
        let record = &created.body[trial.singular];
        let key = record[trial.key]
            .as_i64()
            .unwrap_or_else(|| panic!("{name}: no key in {record}"));
        assert_eq!(record["created_at"], "2025-03-10T15:30:00Z", "{name}");
        assert_eq!(record["updated_at"], "2025-03-10T15:30:00Z", "{name}");
        let location = created.header("Location").unwrap_or_default().to_owned();
        assert_eq!(
            location,
            format!("{}{}/{key}", sandbox.uri(), trial.path),
            "{name}"
        );
        for (field, value) in trial.create.as_object().unwrap() {
            if field != "planned_start_date" {
                assert_eq!(&record[field], value, "{name}.{field}");
            }
        }
        let mut stored = sandbox.get(collection, key).unwrap();
        // Assets keep their type fields, which answers carry only with include=type_fields.
        stored.as_object_mut().unwrap().remove("type_fields");
        assert_eq!(&stored, record, "{name}: stored as answered");

        let item_path = format!("{}/{key}", trial.path);
        let read = api.get(&item_path).await;
        assert_eq!(
            (read.status, &read.body[trial.singular]),
            (200, record),
            "{name}"
        );
        let listed = api.get(&format!("{}?per_page=100", trial.path)).await;
        assert_eq!(listed.status, 200, "{name}: {}", listed.body);
        assert!(
            ids(&listed.body[trial.plural], trial.key).contains(&key),
            "{name}: not listed"
        );

        sandbox.set_now(fixed_now() + Duration::from_secs(60));
        let updated = api.put(&item_path, trial.update.clone()).await;
        assert_eq!(updated.status, 200, "{name}: {}", updated.body);
        let record = &updated.body[trial.singular];
        assert_eq!(record["updated_at"], "2025-03-10T15:31:00Z", "{name}");
        assert_eq!(record["created_at"], "2025-03-10T15:30:00Z", "{name}");
        for (field, value) in trial.update.as_object().unwrap() {
            if field != "custom_fields" {
                assert_eq!(&record[field], value, "{name}.{field}");
            }
        }
        assert_eq!(
            api.get(&item_path).await.body[trial.singular],
            *record,
            "{name}"
        );
        sandbox.set_now(fixed_now());

        let deleted = api.delete(&item_path).await;
        assert_eq!(
            (deleted.status, &deleted.body),
            (204, &Value::Null),
            "{name}"
        );
        match trial.gone {
            Gone::Removed => {
                assert_eq!(api.get(&item_path).await.status, 404, "{name}");
                assert!(sandbox.get(collection, key).is_none(), "{name}");
            }
            Gone::Flag(field, value) => {
                assert_eq!(
                    sandbox.get(collection, key).unwrap()[field],
                    value,
                    "{name}"
                );
            }
        }
    }
}

#[tokio::test]
async fn custom_fields_merge_and_dates_are_normalised() {
    let sandbox = Sandbox::builder().now(fixed_now()).start().await;
    let api = Api::new(&sandbox);
    let ticket = api
        .put(
            "/api/v2/tickets/1",
            json!({"custom_fields": {"cf_room": "3.12"}}),
        )
        .await;
    assert_eq!(ticket.status, 200, "{}", ticket.body);
    assert_eq!(
        ticket.body["ticket"]["custom_fields"],
        json!({"cf_affected_asset": "db-prod-01", "cf_room": "3.12"})
    );
    let change = api
        .post(
            "/api/v2/changes",
            json!({"subject": "s", "description": "d", "status": 1, "priority": 1, "impact": 1, "risk": 1, "change_type": 1, "planned_start_date": "2025-03-12T20:00:00+01:00"}),
        )
        .await;
    assert_eq!(change.status, 201, "{}", change.body);
    assert_eq!(
        change.body["change"]["planned_start_date"],
        "2025-03-12T19:00:00Z"
    );
    assert_eq!(change.body["change"]["workspace_id"], 2);
}

#[tokio::test]
async fn ticket_requesters_come_from_email_and_unknown_addresses_become_requesters() {
    let sandbox = Sandbox::start().await;
    let api = Api::new(&sandbox);
    let base = json!({"subject": "s", "description": "d", "status": 2, "priority": 1});
    let with = |extra: Value| {
        let mut body = base.clone();
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        body
    };
    let known = api
        .post(
            "/api/v2/tickets",
            with(json!({"email": "Dana.White@example.com"})),
        )
        .await;
    assert_eq!(known.body["ticket"]["requester_id"], 101, "{}", known.body);
    assert!(known.body["ticket"].get("email").is_none());
    let requesters_before = sandbox.records(Collection::Requesters).len();
    let new = api
        .post(
            "/api/v2/tickets",
            with(json!({"email": "newcomer@example.com", "name": "New Comer"})),
        )
        .await;
    assert_eq!(new.status, 201, "{}", new.body);
    let requester = new.body["ticket"]["requester_id"].as_i64().unwrap();
    assert_eq!(
        sandbox.records(Collection::Requesters).len(),
        requesters_before + 1
    );
    let stored = sandbox.get(Collection::Requesters, requester).unwrap();
    assert_eq!(
        (
            stored["first_name"].as_str(),
            stored["primary_email"].as_str()
        ),
        (Some("New Comer"), Some("newcomer@example.com"))
    );
    assert!(
        sandbox.get(Collection::Agents, requester).is_none(),
        "agents and requesters share one id space"
    );
    let nobody = api.post("/api/v2/tickets", base.clone()).await;
    assert_eq!(nobody.status, 400);
    assert_eq!(
        nobody.errors(),
        vec![("requester_id".to_owned(), "missing_field".to_owned())]
    );
}

#[tokio::test]
async fn conversations_reply_note_list_update_delete() {
    let sandbox = Sandbox::builder().now(fixed_now()).start().await;
    let api = Api::new(&sandbox);
    let reply = api
        .post(
            "/api/v2/tickets/3/reply",
            json!({"body": "<p>Looking into it</p>"}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(reply.body["conversation"]["private"], false);
    assert_eq!(reply.body["conversation"]["source"], 0);
    assert_eq!(reply.body["conversation"]["body_text"], "Looking into it");
    let note = api
        .post(
            "/api/v2/tickets/3/notes",
            json!({"body": "<p>Internal</p>"}),
        )
        .await;
    assert_eq!(note.status, 201, "{}", note.body);
    assert_eq!(
        (
            note.body["conversation"]["private"].as_bool(),
            note.body["conversation"]["source"].as_i64()
        ),
        (Some(true), Some(2))
    );
    let listed = api.get("/api/v2/tickets/3/conversations").await;
    assert_eq!(listed.body["meta"]["count"], 2);
    let note_id = note.body["conversation"]["id"].as_i64().unwrap();
    let edited = api
        .put(
            &format!("/api/v2/conversations/{note_id}"),
            json!({"body": "<p>Edited</p>"}),
        )
        .await;
    assert_eq!(
        (
            edited.status,
            edited.body["conversation"]["body_text"].as_str()
        ),
        (200, Some("Edited"))
    );
    assert_eq!(
        api.delete(&format!("/api/v2/conversations/{note_id}"))
            .await
            .status,
        204
    );
    assert_eq!(
        api.get("/api/v2/tickets/3/conversations").await.body["meta"]["count"],
        1
    );
    assert_eq!(
        api.post("/api/v2/tickets/999/reply", json!({"body": "x"}))
            .await
            .status,
        404
    );
    let with_conversations = api.get("/api/v2/tickets/1?include=conversations").await;
    assert_eq!(
        with_conversations.body["ticket"]["conversations"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
}

#[tokio::test]
async fn trash_restore_move_and_people_lifecycle() {
    let sandbox = Sandbox::builder()
        .workspaces(freshservice_sandbox::WorkspaceMode::MultiWorkspace)
        .start()
        .await;
    let api = Api::new(&sandbox);
    assert_eq!(api.delete("/api/v2/tickets/2").await.status, 204);
    assert!(!ids(&api.get("/api/v2/tickets").await.body["tickets"], "id").contains(&2));
    assert!(
        ids(
            &api.get("/api/v2/tickets?filter=deleted").await.body["tickets"],
            "id"
        )
        .contains(&2)
    );
    assert_eq!(
        api.put("/api/v2/tickets/2/restore", json!({})).await.status,
        204
    );
    assert!(ids(&api.get("/api/v2/tickets").await.body["tickets"], "id").contains(&2));

    let moved = api
        .put(
            "/api/v2/tickets/7/move_workspace",
            json!({"workspace_id": 3}),
        )
        .await;
    assert_eq!(
        (moved.status, moved.body["ticket"]["workspace_id"].as_i64()),
        (200, Some(3)),
        "{}",
        moved.body
    );
    let to_hr = api
        .put(
            "/api/v2/changes/2/move_workspace",
            json!({"workspace_id": 3}),
        )
        .await;
    assert_eq!(
        to_hr.errors(),
        vec![("workspace_id".to_owned(), "invalid_value".to_owned())]
    );

    assert_eq!(api.delete("/api/v2/agents/6").await.status, 204);
    assert_eq!(sandbox.get(Collection::Agents, 6).unwrap()["active"], false);
    let back = api.put("/api/v2/agents/6/reactivate", json!({})).await;
    assert_eq!(
        (back.status, back.body["agent"]["active"].as_bool()),
        (200, Some(true))
    );
    assert_eq!(
        api.delete("/api/v2/requesters/105/forget").await.status,
        204
    );
    assert!(sandbox.get(Collection::Requesters, 105).is_none());

    assert_eq!(api.delete("/api/v2/changes/1").await.status, 204);
    assert!(
        sandbox.records(Collection::ChangeNotes).is_empty(),
        "sub-resources go with their parent"
    );
}

#[tokio::test]
async fn onboarding_creates_a_request_and_its_ticket() {
    let sandbox = Sandbox::start().await;
    let api = Api::new(&sandbox);
    let created = api
        .post(
            "/api/v2/onboarding_requests",
            json!({"initiator_id": 103, "fields": {"cf_employee_name": "Noor Haddad", "cf_date_of_joining": "2025-03-17"}}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let request = &created.body["onboarding_request"];
    assert_eq!(
        request["subject"],
        "Employee Onboarding Request for Noor Haddad"
    );
    assert_eq!(request["status"], 1);
    let id = request["id"].as_i64().unwrap();
    let ticket = request["ticket_id"].as_i64().unwrap();
    let tickets = api
        .get(&format!("/api/v2/onboarding_requests/{id}/tickets"))
        .await;
    assert_eq!(ids(&tickets.body["onboarding_tickets"], "id"), vec![ticket]);
    assert_eq!(
        sandbox.get(Collection::Tickets, ticket).unwrap()["source"],
        13
    );
    assert_eq!(
        api.get(&format!("/api/v2/onboarding_requests/{id}"))
            .await
            .body["onboarding_request"],
        *request
    );
    assert!(
        ids(
            &api.get("/api/v2/onboarding_requests").await.body["onboarding_requests"],
            "id"
        )
        .contains(&id)
    );
    assert_eq!(
        api.put(&format!("/api/v2/onboarding_requests/{id}"), json!({}))
            .await
            .status,
        405
    );
    let missing = api
        .post("/api/v2/onboarding_requests", json!({"initiator_id": 103}))
        .await;
    assert_eq!(
        missing.errors(),
        vec![("fields".to_owned(), "missing_field".to_owned())]
    );
}

#[tokio::test]
async fn assets_relationships_and_project_task_metadata() {
    let sandbox = Sandbox::start().await;
    let api = Api::new(&sandbox);
    let asset = api.get("/api/v2/assets/101").await;
    assert_eq!(asset.body["asset"]["name"], "db-prod-01");
    assert!(asset.body["asset"].get("type_fields").is_none());
    assert_ne!(asset.body["asset"]["id"], asset.body["asset"]["display_id"]);
    let with_fields = api.get("/api/v2/assets/101?include=type_fields").await;
    assert_eq!(
        with_fields.body["asset"]["type_fields"]["asset_state_2"],
        "In Use"
    );

    let relationships = api.get("/api/v2/assets/101/relationships").await;
    assert_eq!(
        ids(&relationships.body["relationships"], "id"),
        vec![1, 3, 5]
    );
    let created = api
        .post(
            "/api/v2/relationships/bulk-create",
            json!({"relationships": [{"relationship_type_id": 3, "primary_id": 103, "primary_type": "asset", "secondary_id": 104, "secondary_type": "asset"}]}),
        )
        .await;
    assert_eq!(created.status, 202, "{}", created.body);
    assert_eq!(sandbox.records(Collection::Relationships).len(), 6);
    assert_eq!(
        api.delete("/api/v2/relationships?ids=1,2").await.status,
        204
    );
    assert_eq!(sandbox.records(Collection::Relationships).len(), 4);
    let bad = api
        .post(
            "/api/v2/relationships/bulk-create",
            json!({"relationships": [{"relationship_type_id": 9, "primary_id": 999, "primary_type": "asset", "secondary_id": 104, "secondary_type": "asset"}]}),
        )
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.errors().len(), 2);

    let types = api.get("/api/v2/pm/projects/1/task-types").await;
    assert_eq!(types.body["task_types"][0]["name"], "Task");
    let moved = api
        .put("/api/v2/pm/projects/1/task/2", json!({"status_id": 3}))
        .await;
    assert_eq!(
        (moved.status, moved.body["task"]["status_id"].as_i64()),
        (200, Some(3))
    );
    assert_eq!(
        api.get("/api/v2/pm/projects/2/tasks/1").await.status,
        404,
        "task 1 belongs to project 1"
    );
}
