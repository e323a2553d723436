//! The resources the sandbox keeps state for, described as data: where they live, how they are scoped,
//! what they link to, and what a new record looks like before the caller's fields are applied.

use serde_json::{Map, Value, json};

use crate::clock::{DAY, format_date, format_timestamp};

/// How a resource relates to workspaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// Account-level: `workspace_id` is neither stored nor filtered on.
    Account,
    /// Lives in one workspace; lists default to the primary one.
    Workspace,
    /// Like [`Scope::Workspace`], but only IT workspaces have it (changes, problems, releases).
    ItWorkspace,
    /// Per client on MSP accounts (departments, locations); account-level otherwise.
    MspWorkspace,
    /// A sub-resource: it inherits its parent's workspace.
    Inherit,
}

/// What `DELETE` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DeleteMode {
    /// The record is gone.
    Hard,
    /// The record is marked `deleted: true` and can be restored.
    Trash,
    /// The record is marked `active: false` (agents and requesters).
    Deactivate,
    /// The resource cannot be deleted.
    Forbidden,
}

/// One stateful resource.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Resource {
    /// Storage collection, see [`State`](crate::State).
    pub(crate) collection: &'static str,
    /// Collection path under `/api/v2`, one entry per segment; `{}` stands for the parent's id.
    pub(crate) path: &'static [&'static str],
    /// Envelope key of one record.
    pub(crate) singular: &'static str,
    /// Envelope key of a list.
    pub(crate) plural: &'static str,
    /// Parent collection and the field of the child that holds the parent's key.
    pub(crate) parent: Option<(&'static str, &'static str)>,
    pub(crate) scope: Scope,
    pub(crate) delete: DeleteMode,
    /// Lists come newest `created_at` first (otherwise in key order).
    pub(crate) newest_first: bool,
    pub(crate) creatable: bool,
    pub(crate) updatable: bool,
    /// Fields holding ids of other records, and the collections those ids may come from.
    pub(crate) references: &'static [(&'static str, &'static [&'static str])],
    /// Fields a create must have when the catalogue does not describe the create operation.
    pub(crate) required: &'static [&'static str],
}

impl Resource {
    /// The name used in messages, e.g. `time entry`.
    pub(crate) fn noun(&self) -> String {
        self.singular.replace('_', " ")
    }

    /// The collection path with the parent id filled in, without the `/api/v2` prefix.
    pub(crate) fn collection_path(&self, parent: Option<i64>) -> String {
        let mut path = String::new();
        for segment in self.path {
            path.push('/');
            match (*segment, parent) {
                ("{}", Some(parent)) => path.push_str(&parent.to_string()),
                (segment, _) => path.push_str(segment),
            }
        }
        path
    }
}

const BASE: Resource = Resource {
    collection: "",
    path: &[],
    singular: "",
    plural: "",
    parent: None,
    scope: Scope::Account,
    delete: DeleteMode::Hard,
    newest_first: false,
    creatable: true,
    updatable: true,
    references: &[],
    required: &[],
};

const USERS: &[&str] = &["requesters", "agents"];
const AGENTS: &[&str] = &["agents"];
const GROUPS: &[&str] = &["groups"];
const DEPARTMENTS: &[&str] = &["departments"];
const LOCATIONS: &[&str] = &["locations"];

const ITSM_REFERENCES: &[(&str, &[&str])] = &[
    ("requester_id", USERS),
    ("agent_id", AGENTS),
    ("group_id", GROUPS),
    ("department_id", DEPARTMENTS),
];

const CHILD_REFERENCES: &[(&str, &[&str])] = &[("agent_id", AGENTS), ("group_id", GROUPS)];

macro_rules! children {
    ($parent:literal, $parent_field:literal, $notes:literal, $tasks:literal, $times:literal) => {
        [
            Resource {
                collection: $notes,
                path: &[$parent, "{}", "notes"],
                singular: "note",
                plural: "notes",
                parent: Some(($parent, $parent_field)),
                scope: Scope::Inherit,
                references: &[("user_id", USERS)],
                required: &["body"],
                ..BASE
            },
            Resource {
                collection: $tasks,
                path: &[$parent, "{}", "tasks"],
                singular: "task",
                plural: "tasks",
                parent: Some(($parent, $parent_field)),
                scope: Scope::Inherit,
                references: CHILD_REFERENCES,
                required: &["title"],
                ..BASE
            },
            Resource {
                collection: $times,
                path: &[$parent, "{}", "time_entries"],
                singular: "time_entry",
                plural: "time_entries",
                parent: Some(($parent, $parent_field)),
                scope: Scope::Inherit,
                references: &[("agent_id", AGENTS)],
                ..BASE
            },
        ]
    };
}

const CHANGE_CHILDREN: [Resource; 3] = children!(
    "changes",
    "change_id",
    "change_notes",
    "change_tasks",
    "change_time_entries"
);
const PROBLEM_CHILDREN: [Resource; 3] = children!(
    "problems",
    "problem_id",
    "problem_notes",
    "problem_tasks",
    "problem_time_entries"
);
const RELEASE_CHILDREN: [Resource; 3] = children!(
    "releases",
    "release_id",
    "release_notes",
    "release_tasks",
    "release_time_entries"
);

/// Every stateful resource. Sub-resources come after their parents.
pub(crate) static RESOURCES: &[Resource] = &[
    Resource {
        collection: "tickets",
        path: &["tickets"],
        singular: "ticket",
        plural: "tickets",
        scope: Scope::Workspace,
        delete: DeleteMode::Trash,
        newest_first: true,
        references: &[
            ("requester_id", USERS),
            ("requested_for_id", USERS),
            ("responder_id", AGENTS),
            ("group_id", GROUPS),
            ("department_id", DEPARTMENTS),
        ],
        required: &["subject", "description", "status", "priority"],
        ..BASE
    },
    Resource {
        collection: "ticket_tasks",
        path: &["tickets", "{}", "tasks"],
        singular: "task",
        plural: "tasks",
        parent: Some(("tickets", "ticket_id")),
        scope: Scope::Inherit,
        references: CHILD_REFERENCES,
        required: &["title"],
        ..BASE
    },
    Resource {
        collection: "ticket_time_entries",
        path: &["tickets", "{}", "time_entries"],
        singular: "time_entry",
        plural: "time_entries",
        parent: Some(("tickets", "ticket_id")),
        scope: Scope::Inherit,
        references: &[("agent_id", AGENTS)],
        ..BASE
    },
    Resource {
        collection: "changes",
        path: &["changes"],
        singular: "change",
        plural: "changes",
        scope: Scope::ItWorkspace,
        newest_first: true,
        references: ITSM_REFERENCES,
        required: &["subject", "description"],
        ..BASE
    },
    CHANGE_CHILDREN[0],
    CHANGE_CHILDREN[1],
    CHANGE_CHILDREN[2],
    Resource {
        collection: "problems",
        path: &["problems"],
        singular: "problem",
        plural: "problems",
        scope: Scope::ItWorkspace,
        delete: DeleteMode::Trash,
        newest_first: true,
        references: ITSM_REFERENCES,
        required: &["subject", "description"],
        ..BASE
    },
    PROBLEM_CHILDREN[0],
    PROBLEM_CHILDREN[1],
    PROBLEM_CHILDREN[2],
    Resource {
        collection: "releases",
        path: &["releases"],
        singular: "release",
        plural: "releases",
        scope: Scope::ItWorkspace,
        delete: DeleteMode::Trash,
        newest_first: true,
        references: &[
            ("agent_id", AGENTS),
            ("group_id", GROUPS),
            ("department_id", DEPARTMENTS),
        ],
        required: &["subject", "description"],
        ..BASE
    },
    RELEASE_CHILDREN[0],
    RELEASE_CHILDREN[1],
    RELEASE_CHILDREN[2],
    Resource {
        collection: "assets",
        path: &["assets"],
        singular: "asset",
        plural: "assets",
        scope: Scope::Workspace,
        delete: DeleteMode::Trash,
        references: &[
            ("asset_type_id", &["asset_types"]),
            ("user_id", USERS),
            ("agent_id", AGENTS),
            ("group_id", GROUPS),
            ("department_id", DEPARTMENTS),
            ("location_id", LOCATIONS),
        ],
        required: &["name", "asset_type_id"],
        ..BASE
    },
    Resource {
        collection: "asset_types",
        path: &["asset_types"],
        singular: "asset_type",
        plural: "asset_types",
        references: &[("parent_asset_type_id", &["asset_types"])],
        required: &["name"],
        ..BASE
    },
    Resource {
        collection: "relationships",
        path: &["relationships"],
        singular: "relationship",
        plural: "relationships",
        creatable: false,
        updatable: false,
        delete: DeleteMode::Forbidden,
        ..BASE
    },
    Resource {
        collection: "relationship_types",
        path: &["relationship_types"],
        singular: "relationship_type",
        plural: "relationship_types",
        creatable: false,
        updatable: false,
        delete: DeleteMode::Forbidden,
        ..BASE
    },
    Resource {
        collection: "projects",
        path: &["pm", "projects"],
        singular: "project",
        plural: "projects",
        references: &[("manager_id", USERS)],
        required: &["name", "project_type"],
        ..BASE
    },
    Resource {
        collection: "project_tasks",
        path: &["pm", "projects", "{}", "tasks"],
        singular: "task",
        plural: "tasks",
        parent: Some(("projects", "project_id")),
        scope: Scope::Inherit,
        references: &[
            ("assignee_id", USERS),
            ("reporter_id", USERS),
            ("parent_id", &["project_tasks"]),
        ],
        required: &["title", "type_id"],
        ..BASE
    },
    Resource {
        collection: "onboarding_requests",
        path: &["onboarding_requests"],
        singular: "onboarding_request",
        plural: "onboarding_requests",
        updatable: false,
        delete: DeleteMode::Forbidden,
        references: &[("initiator_id", USERS)],
        required: &["fields"],
        ..BASE
    },
    Resource {
        collection: "agents",
        path: &["agents"],
        singular: "agent",
        plural: "agents",
        delete: DeleteMode::Deactivate,
        newest_first: true,
        references: &[("location_id", LOCATIONS), ("reporting_manager_id", USERS)],
        required: &["first_name", "email"],
        ..BASE
    },
    Resource {
        collection: "requesters",
        path: &["requesters"],
        singular: "requester",
        plural: "requesters",
        delete: DeleteMode::Deactivate,
        newest_first: true,
        references: &[("location_id", LOCATIONS), ("reporting_manager_id", USERS)],
        required: &["first_name"],
        ..BASE
    },
    Resource {
        collection: "groups",
        path: &["groups"],
        singular: "group",
        plural: "groups",
        scope: Scope::Workspace,
        references: &[("escalate_to", AGENTS)],
        required: &["name"],
        ..BASE
    },
    Resource {
        collection: "departments",
        path: &["departments"],
        singular: "department",
        plural: "departments",
        scope: Scope::MspWorkspace,
        references: &[("head_user_id", USERS), ("prime_user_id", USERS)],
        required: &["name"],
        ..BASE
    },
    Resource {
        collection: "locations",
        path: &["locations"],
        singular: "location",
        plural: "locations",
        scope: Scope::MspWorkspace,
        references: &[
            ("parent_location_id", LOCATIONS),
            ("primary_contact_id", USERS),
        ],
        required: &["name"],
        ..BASE
    },
    Resource {
        collection: "workspaces",
        path: &["workspaces"],
        singular: "workspace",
        plural: "workspaces",
        required: &["name"],
        ..BASE
    },
];

/// The resource stored in `collection`.
pub(crate) fn resource(collection: &str) -> Option<&'static Resource> {
    RESOURCES
        .iter()
        .find(|resource| resource.collection == collection)
}

/// One filter endpoint: its path, its query parameter and the fields it documents.
#[derive(Debug)]
pub(crate) struct FilterEndpoint {
    pub(crate) collection: &'static str,
    /// Path under `/api/v2`; `{}` is the parent id.
    pub(crate) path: &'static [&'static str],
    /// `query`, or `filter` for assets.
    pub(crate) param: &'static str,
    /// The catalogue path of the endpoint, whose documented filterable fields
    /// (`freshservice_schema::filter_endpoint`) are accepted; fields present on stored records (or in
    /// their custom fields) are allowed too.
    pub(crate) schema_path: &'static str,
    /// Query field name to record field name.
    pub(crate) aliases: &'static [(&'static str, &'static str)],
    /// The last page the endpoint serves.
    pub(crate) max_pages: Option<i64>,
    /// Newest `created_at` first.
    pub(crate) newest_first: bool,
}

/// Every filter endpoint.
pub(crate) static FILTERS: &[FilterEndpoint] = &[
    FilterEndpoint {
        collection: "tickets",
        path: &["tickets", "filter"],
        param: "query",
        schema_path: "/api/v2/tickets/filter",
        aliases: &[("agent_id", "responder_id"), ("tag", "tags")],
        max_pages: None,
        newest_first: true,
    },
    FilterEndpoint {
        collection: "changes",
        path: &["changes"],
        param: "query",
        schema_path: "/api/v2/changes",
        aliases: &[],
        max_pages: None,
        newest_first: true,
    },
    FilterEndpoint {
        collection: "assets",
        path: &["assets"],
        param: "filter",
        schema_path: "/api/v2/assets",
        aliases: &[],
        max_pages: Some(40),
        newest_first: false,
    },
    FilterEndpoint {
        collection: "requesters",
        path: &["requesters"],
        param: "query",
        schema_path: "/api/v2/requesters",
        aliases: &[("department_id", "department_ids")],
        max_pages: Some(40),
        newest_first: true,
    },
    FilterEndpoint {
        collection: "agents",
        path: &["agents"],
        param: "query",
        schema_path: "/api/v2/agents",
        aliases: &[("department_id", "department_ids")],
        max_pages: Some(40),
        newest_first: true,
    },
    FilterEndpoint {
        collection: "departments",
        path: &["departments"],
        param: "query",
        schema_path: "/api/v2/departments",
        aliases: &[],
        max_pages: None,
        newest_first: false,
    },
    FilterEndpoint {
        collection: "locations",
        path: &["locations"],
        param: "query",
        schema_path: "/api/v2/locations",
        aliases: &[],
        max_pages: None,
        newest_first: false,
    },
    FilterEndpoint {
        collection: "workspaces",
        path: &["workspaces"],
        param: "query",
        schema_path: "/api/v2/workspaces",
        aliases: &[],
        max_pages: None,
        newest_first: false,
    },
    FilterEndpoint {
        collection: "project_tasks",
        path: &["pm", "projects", "{}", "tasks", "filter"],
        param: "query",
        schema_path: "/api/v2/pm/projects/{project_id}/tasks/filter",
        aliases: &[],
        max_pages: None,
        newest_first: false,
    },
];

/// What a new record of `collection` holds before the caller's fields are applied.
pub(crate) fn defaults(collection: &str, now: i64) -> Map<String, Value> {
    let timestamp = |offset: i64| Value::String(format_timestamp(now + offset));
    let value = match collection {
        "tickets" => json!({
            "subject": "",
            "description": "",
            "description_text": "",
            "type": "Incident",
            "status": 2,
            "priority": 1,
            "urgency": 1,
            "impact": 1,
            "source": 2,
            "requester_id": null,
            "requested_for_id": null,
            "responder_id": null,
            "group_id": null,
            "department_id": null,
            "category": null,
            "sub_category": null,
            "item_category": null,
            "email_config_id": null,
            "cc_emails": [],
            "fwd_emails": [],
            "reply_cc_emails": [],
            "to_emails": null,
            "tags": [],
            "assets": [],
            "fr_escalated": false,
            "is_escalated": false,
            "spam": false,
            "deleted": false,
            "due_by": timestamp(3 * DAY),
            "fr_due_by": timestamp(DAY),
            "custom_fields": {},
        }),
        "changes" => json!({
            "subject": "",
            "description": "",
            "description_text": "",
            "requester_id": null,
            "agent_id": null,
            "group_id": null,
            "department_id": null,
            "status": 1,
            "priority": 1,
            "impact": 1,
            "risk": 1,
            "change_type": 1,
            "approval_status": null,
            "planned_start_date": null,
            "planned_end_date": null,
            "category": null,
            "sub_category": null,
            "item_category": null,
            "assets": [],
            "impacted_services": [],
            "custom_fields": {},
        }),
        "problems" => json!({
            "subject": "",
            "description": "",
            "description_text": "",
            "requester_id": null,
            "agent_id": null,
            "group_id": null,
            "department_id": null,
            "status": 1,
            "priority": 1,
            "impact": 1,
            "known_error": false,
            "due_by": null,
            "category": null,
            "assets": [],
            "deleted": false,
            "custom_fields": {},
        }),
        "releases" => json!({
            "subject": "",
            "description": "",
            "description_text": "",
            "agent_id": null,
            "group_id": null,
            "department_id": null,
            "status": 1,
            "priority": 1,
            "release_type": 1,
            "planned_start_date": null,
            "planned_end_date": null,
            "assets": [],
            "deleted": false,
            "custom_fields": {},
        }),
        "assets" => json!({
            "name": "",
            "description": null,
            "asset_type_id": null,
            "asset_tag": null,
            "impact": "low",
            "author_type": "User",
            "usage_type": "permanent",
            "user_id": null,
            "location_id": null,
            "department_id": null,
            "agent_id": null,
            "group_id": null,
            "assigned_on": null,
            "deleted": false,
            "type_fields": {},
        }),
        "asset_types" => {
            json!({"parent_asset_type_id": null, "description": null, "visible": true})
        }
        "agents" => json!({
            "first_name": "",
            "last_name": null,
            "email": null,
            "job_title": null,
            "work_phone_number": null,
            "mobile_phone_number": null,
            "department_ids": [],
            "location_id": null,
            "reporting_manager_id": null,
            "occasional": false,
            "active": true,
            "time_zone": "UTC",
            "language": "en",
            "group_ids": [],
            "role_ids": [],
            "custom_fields": {},
        }),
        "requesters" => json!({
            "first_name": "",
            "last_name": null,
            "primary_email": null,
            "secondary_emails": [],
            "job_title": null,
            "work_phone_number": null,
            "mobile_phone_number": null,
            "department_ids": [],
            "location_id": null,
            "reporting_manager_id": null,
            "active": true,
            "is_agent": false,
            "time_zone": "UTC",
            "language": "en",
            "custom_fields": {},
        }),
        "groups" => json!({
            "description": null,
            "agent_ids": [],
            "members": [],
            "observers": [],
            "leaders": [],
            "escalate_to": null,
            "unassigned_for": null,
            "business_hours_id": null,
            "auto_ticket_assign": false,
            "restricted": false,
            "approval_required": false,
        }),
        "departments" => json!({
            "description": null,
            "head_user_id": null,
            "prime_user_id": null,
            "domains": [],
            "custom_fields": {},
        }),
        "locations" => json!({
            "parent_location_id": null,
            "primary_contact_id": null,
            "address": {},
        }),
        "projects" => json!({
            "description": "",
            "key": null,
            "status_id": 1,
            "priority_id": 2,
            "project_type": 0,
            "manager_id": null,
            "visibility": 1,
            "archived": false,
            "sprint_duration": 14,
            "start_date": format_date(now),
            "end_date": format_date(now + 10 * DAY),
            "custom_fields": {},
        }),
        "project_tasks" => json!({
            "description": "",
            "status_id": 1,
            "priority_id": 2,
            "reporter_id": null,
            "assignee_id": null,
            "parent_id": null,
            "planned_start_date": null,
            "planned_end_date": null,
            "planned_effort": null,
            "story_points": null,
            "sprint_id": null,
            "version_id": null,
            "custom_fields": {},
        }),
        "onboarding_requests" => json!({"status": 1, "ticket_id": null, "fields": {}}),
        "conversations" => json!({
            "body": "",
            "body_text": "",
            "incoming": false,
            "private": false,
            "source": 0,
            "user_id": null,
            "to_emails": [],
            "cc_emails": [],
            "bcc_emails": [],
            "attachments": [],
        }),
        "relationships" => json!({}),
        "relationship_types" => json!({}),
        "workspaces" => json!({
            "description": null,
            "primary": false,
            "restricted": false,
            "state": "active",
            "template_name": "it",
            "type": "workspace",
        }),
        name if name.ends_with("_tasks") => json!({
            "title": "",
            "description": "",
            "status": 1,
            "agent_id": null,
            "group_id": null,
            "due_date": null,
            "notify_before": 0,
        }),
        name if name.ends_with("_time_entries") => json!({
            "agent_id": null,
            "note": "",
            "time_spent": "00:00",
            "billable": true,
            "timer_running": false,
            "executed_at": timestamp(0),
            "start_time": timestamp(0),
            "task_id": null,
        }),
        name if name.ends_with("_notes") => json!({"body": "", "body_text": "", "user_id": null}),
        _ => json!({}),
    };
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_filter_endpoint_has_documented_fields() {
        for endpoint in FILTERS {
            let documented =
                freshservice_schema::filter_endpoint(endpoint.schema_path, endpoint.param);
            assert!(
                documented.is_some_and(|documented| !documented.fields.is_empty()),
                "{}",
                endpoint.schema_path
            );
        }
    }

    use super::*;

    #[test]
    fn collections_are_unique_and_parents_come_first() {
        for (index, resource) in RESOURCES.iter().enumerate() {
            assert!(
                RESOURCES[..index]
                    .iter()
                    .all(|earlier| earlier.collection != resource.collection),
                "{} twice",
                resource.collection
            );
            if let Some((parent, _)) = resource.parent {
                assert!(
                    RESOURCES[..index]
                        .iter()
                        .any(|earlier| earlier.collection == parent),
                    "{} before its parent",
                    resource.collection
                );
                assert!(resource.path.contains(&"{}"));
            }
        }
        for filter in FILTERS {
            assert!(
                resource(filter.collection).is_some(),
                "{}",
                filter.collection
            );
        }
    }

    #[test]
    fn collection_paths_fill_the_parent() {
        let tasks = resource("project_tasks").unwrap();
        assert_eq!(tasks.collection_path(Some(7)), "/pm/projects/7/tasks");
        assert_eq!(
            resource("tickets").unwrap().collection_path(None),
            "/tickets"
        );
        assert_eq!(
            resource("ticket_time_entries").unwrap().noun(),
            "time entry"
        );
    }
}
