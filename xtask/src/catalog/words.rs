//! The project's own vocabulary: resource nouns, action verbs, module tags and the phrase dictionary that
//! describes common fields. Every description the importer writes is built from these tables and templates;
//! nothing here is taken from the documentation prose.

/// A resource noun in snake_case, with its parent for sub-resources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Noun {
    /// Full singular name used in tool names, e.g. `ticket_time_entry`.
    pub(crate) singular: String,
    /// Full plural name, e.g. `ticket_time_entries`.
    pub(crate) plural: String,
    /// The resource alone, singular, e.g. `time_entry`.
    pub(crate) leaf: String,
    /// The resource alone, plural, e.g. `time_entries`.
    pub(crate) leaf_plural: String,
    /// The parent resource, singular, e.g. `ticket`; `None` for top-level resources.
    pub(crate) parent: Option<String>,
}

impl Noun {
    pub(crate) fn words(&self) -> String {
        display(&spaced(&self.singular), true)
    }
    pub(crate) fn plural_words(&self) -> String {
        display(&spaced(&self.plural), false)
    }
    /// `time entries of a ticket` for sub-resources, `tickets` otherwise.
    pub(crate) fn plural_phrase(&self) -> String {
        match &self.parent {
            Some(parent) => format!(
                "{} of {}",
                display(&spaced(&self.leaf_plural), false),
                with_article(&display(&spaced(parent), true))
            ),
            None => display(&spaced(&self.plural), false),
        }
    }
    /// `a time entry of a ticket` for sub-resources, `a ticket` otherwise.
    pub(crate) fn singular_phrase(&self) -> String {
        match &self.parent {
            Some(parent) => format!(
                "{} of {}",
                with_article(&display(&spaced(&self.leaf), true)),
                with_article(&display(&spaced(parent), true))
            ),
            None => with_article(&display(&spaced(&self.singular), true)),
        }
    }
}

pub(crate) fn spaced(snake: &str) -> String {
    snake.replace(['_', '-'], " ")
}

/// Words as prose shows them: acronyms in capitals, and a countable noun for the nouns that are not.
pub(crate) fn display(words: &str, singular: bool) -> String {
    let mut out: Vec<String> = words
        .split(' ')
        .map(|word| match word {
            "cab" | "cabs" | "sla" | "csat" | "itil" => word.to_uppercase().replace("CABS", "CABs"),
            other => other.to_owned(),
        })
        .collect();
    if singular
        && let Some(last) = out.last_mut()
        && matches!(last.as_str(), "software" | "hours")
    {
        last.push_str(if last == "software" {
            " product"
        } else {
            " configuration"
        });
    }
    out.join(" ")
}

pub(crate) fn with_article(words: &str) -> String {
    let article = if words
        .chars()
        .next()
        .is_some_and(|c| "aeiouAEIOU".contains(c))
        && !words.starts_with("user")
        && !words.starts_with("usage")
    {
        "an"
    } else {
        "a"
    };
    format!("{article} {words}")
}

pub(crate) fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Nouns whose plural and singular are the same, or that look plural but are singular.
const INVARIANT: &[&str] = &["software", "business_hours", "status", "assignment_history"];

pub(crate) fn is_plural(noun: &str) -> bool {
    !INVARIANT.contains(&noun) && noun.ends_with('s') && !noun.ends_with("ss")
        || matches!(noun, "software" | "business_hours")
}

pub(crate) fn singular(noun: &str) -> String {
    if INVARIANT.contains(&noun) {
        return noun.to_owned();
    }
    if let Some(stem) = noun.strip_suffix("statuses") {
        return format!("{stem}status");
    }
    if let Some(stem) = noun.strip_suffix("ies") {
        return format!("{stem}y");
    }
    if let Some(stem) = noun.strip_suffix("sses") {
        return format!("{stem}ss");
    }
    noun.strip_suffix('s').unwrap_or(noun).to_owned()
}

pub(crate) fn plural(noun: &str) -> String {
    if INVARIANT.contains(&noun) {
        return noun.to_owned();
    }
    if noun.ends_with("status") {
        return format!("{noun}es");
    }
    if let Some(stem) = noun.strip_suffix('y')
        && !stem.ends_with(['a', 'e', 'o', 'u'])
    {
        return format!("{stem}ies");
    }
    format!("{noun}s")
}

/// Path segments renamed for tool names: the API's name for a resource is not always the product's.
pub(crate) fn rename_segment(segment: &str, first: bool, after_pm: bool) -> String {
    let snake = segment.replace('-', "_");
    match snake.as_str() {
        "applications" => "software".to_owned(),
        "objects" => "custom_objects".to_owned(),
        "projects" if first && !after_pm => "legacy_projects".to_owned(),
        "service_catalog" => "service_catalog".to_owned(),
        _ => snake,
    }
}

/// Leading segments that only group an API family and take no part in names.
pub(crate) const SILENT_PREFIXES: &[&str] = &["pm", "ams"];

/// What to call a final segment that names an action rather than a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Action {
    /// Path segment (or literal query value) naming the action.
    pub(crate) segment: &'static str,
    /// Tool name template: `{s}` singular noun, `{p}` plural noun.
    pub(crate) name: &'static str,
    /// Title template.
    pub(crate) title: &'static str,
    /// Description template (our words).
    pub(crate) description: &'static str,
    /// The kind the tool gets.
    pub(crate) kind: &'static str,
}

pub(crate) const ACTIONS: &[Action] = &[
    Action {
        segment: "restore",
        name: "restore_a_freshservice_{s}_by_id",
        title: "Restore {S}",
        description: "Restores {a} that was deleted or archived, making it active again.",
        kind: "custom",
    },
    Action {
        segment: "move_workspace",
        name: "move_a_freshservice_{s}_by_id",
        title: "Move {S} to another workspace",
        description: "Moves {a} to another workspace; the record keeps its ID.",
        kind: "custom",
    },
    Action {
        segment: "forget",
        name: "forget_a_freshservice_{s}_by_id",
        title: "Forget {S}",
        description: "Permanently erases {a} and their personal data; this cannot be undone.",
        kind: "custom",
    },
    Action {
        segment: "reactivate",
        name: "reactivate_a_freshservice_{s}_by_id",
        title: "Reactivate {S}",
        description: "Reactivates a deactivated {w}.",
        kind: "custom",
    },
    Action {
        segment: "convert_to_agent",
        name: "convert_a_freshservice_{s}_to_agent_by_id",
        title: "Convert {S} to agent",
        description: "Turns {a} into an agent.",
        kind: "custom",
    },
    Action {
        segment: "convert_to_requester",
        name: "convert_a_freshservice_{s}_to_requester_by_id",
        title: "Convert {S} to requester",
        description: "Turns {a} into a requester.",
        kind: "custom",
    },
    Action {
        segment: "merge",
        name: "merge_a_freshservice_{s}_by_id",
        title: "Merge {S}s",
        description: "Merges other {w} records into this one, which is kept.",
        kind: "custom",
    },
    Action {
        segment: "promote",
        name: "promote_a_freshservice_{s}_by_id",
        title: "Promote {S} to major incident",
        description: "Marks an incident {w} as a major incident.",
        kind: "custom",
    },
    Action {
        segment: "demote",
        name: "demote_a_freshservice_{s}_by_id",
        title: "Demote {S} from major incident",
        description: "Turns a major incident {w} back into an ordinary incident.",
        kind: "custom",
    },
    Action {
        segment: "remind",
        name: "remind_a_freshservice_{s}_by_id",
        title: "Send {S} reminder",
        description: "Reminds the approvers of {a}.",
        kind: "custom",
    },
    Action {
        segment: "archive",
        name: "archive_a_freshservice_{s}_by_id",
        title: "Archive {S}",
        description: "Archives {a}; restore it to make it active again.",
        kind: "custom",
    },
    Action {
        segment: "acknowledge",
        name: "acknowledge_a_freshservice_{s}_by_id",
        title: "Acknowledge {S}",
        description: "Acknowledges {a}.",
        kind: "custom",
    },
    Action {
        segment: "resolve",
        name: "resolve_a_freshservice_{s}_by_id",
        title: "Resolve {S}",
        description: "Marks {a} as resolved.",
        kind: "custom",
    },
    Action {
        segment: "suppress",
        name: "suppress_a_freshservice_{s}_by_id",
        title: "Suppress {S}",
        description: "Suppresses {a} so it stops notifying.",
        kind: "custom",
    },
    Action {
        segment: "unsuppress",
        name: "unsuppress_a_freshservice_{s}_by_id",
        title: "Unsuppress {S}",
        description: "Lifts the suppression of {a}.",
        kind: "custom",
    },
    Action {
        segment: "send_for_approval",
        name: "send_a_freshservice_{s}_for_approval_by_id",
        title: "Send {S} for approval",
        description: "Sends {a} to its approvers.",
        kind: "custom",
    },
    Action {
        segment: "submit-for-approval",
        name: "submit_a_freshservice_{s}_for_approval_by_id",
        title: "Submit {S} for approval",
        description: "Submits {a} for approval; pass operation exactly as listed.",
        kind: "custom",
    },
    Action {
        segment: "approve",
        name: "approve_a_freshservice_{s}_by_id",
        title: "Approve {S}",
        description: "Approves {a} that is waiting for approval; pass operation exactly as listed.",
        kind: "custom",
    },
    Action {
        segment: "reject",
        name: "reject_a_freshservice_{s}_by_id",
        title: "Reject {S}",
        description: "Rejects {a} that is waiting for approval; pass operation exactly as listed.",
        kind: "custom",
    },
    Action {
        segment: "mark-as-primary",
        name: "mark_a_freshservice_{s}_as_primary_by_id",
        title: "Make {S} primary",
        description: "Makes {a} the primary one.",
        kind: "custom",
    },
    Action {
        segment: "export",
        name: "export_a_freshservice_{s}_by_id",
        title: "Export {S}",
        description: "Exports {a}.",
        kind: "custom",
    },
    Action {
        segment: "delete_forever",
        name: "delete_a_freshservice_{s}_forever_by_id",
        title: "Delete {S} permanently",
        description: "Permanently deletes {a} that is already in the trash; this cannot be undone.",
        kind: "custom",
    },
    Action {
        segment: "place_request",
        name: "request_a_freshservice_{s}_by_id",
        title: "Request {S}",
        description: "Raises a service request for {a}; the result is a new ticket.",
        kind: "custom",
    },
    Action {
        segment: "create_child_ticket",
        name: "create_a_freshservice_child_ticket",
        title: "Create child ticket",
        description: "Creates a ticket as the child of an existing ticket.",
        kind: "create",
    },
    Action {
        segment: "reply",
        name: "create_a_freshservice_{s}_reply",
        title: "Reply to {S}",
        description: "Adds a public reply to {a} and emails it to the requester.",
        kind: "create",
    },
];

/// Actions on a whole collection (no record ID before them).
pub(crate) const COLLECTION_ACTIONS: &[Action] = &[
    Action {
        segment: "filter",
        name: "freshservice_{p}_filter",
        title: "Filter {P}",
        description: "Finds {pw} matching a query over their fields.",
        kind: "list",
    },
    Action {
        segment: "search",
        name: "search_freshservice_{p}",
        title: "Search {P}",
        description: "Searches {pw} by text.",
        kind: "custom",
    },
    Action {
        segment: "view",
        name: "search_freshservice_{p}",
        title: "Search {P}",
        description: "Finds {pw} matching the conditions in the body.",
        kind: "custom",
    },
    Action {
        segment: "bulk-create",
        name: "bulk_create_freshservice_{p}",
        title: "Create {P} in bulk",
        description: "Creates several {pw} in one background job.",
        kind: "custom",
    },
    Action {
        segment: "export",
        name: "export_freshservice_{p}",
        title: "Export {P}",
        description: "Starts an export of the {pw}.",
        kind: "custom",
    },
    Action {
        segment: "reorder",
        name: "reorder_freshservice_{p}",
        title: "Reorder {P}",
        description: "Changes the order of the {pw}.",
        kind: "custom",
    },
    Action {
        segment: "current",
        name: "list_current_freshservice_{p}",
        title: "List current {P}",
        description: "Lists the {pw} happening now.",
        kind: "custom",
    },
];

/// Path segments compare with `-` and `_` treated alike (`mark-as-primary`, `bulk_create`).
fn same_segment(a: &str, b: &str) -> bool {
    a.replace('-', "_") == b.replace('-', "_")
}

pub(crate) fn action(segment: &str) -> Option<&'static Action> {
    ACTIONS
        .iter()
        .find(|action| same_segment(action.segment, segment))
}

pub(crate) fn collection_action(segment: &str) -> Option<&'static Action> {
    COLLECTION_ACTIONS
        .iter()
        .find(|action| same_segment(action.segment, segment))
}

/// Fill an action template: `{s}`/`{p}` snake nouns, `{S}`/`{P}` capitalised words, `{w}` words, `{a}` and
/// `{pw}` phrases.
pub(crate) fn fill(template: &str, noun: &Noun) -> String {
    template
        .replace("{s}", &noun.singular)
        .replace("{pw}", &noun.plural_phrase())
        .replace("{p}", &noun.plural)
        .replace("{S}", &noun.words())
        .replace("{P}", &noun.plural_words())
        .replace("{w}", &noun.words())
        .replace("{a}", &noun.singular_phrase())
}

/// The module tag of an API path (from `/api/v2/`): one data file per tag.
pub(crate) fn tag_for(path: &str) -> &'static str {
    let rest = path.trim_start_matches("/api/v2/");
    let segments: Vec<&str> = rest.split('/').collect();
    let first = segments.first().copied().unwrap_or("");
    if segments.contains(&"status") || first == "maintenance-windows" {
        return "status_page";
    }
    match first {
        "tickets" | "conversations" | "ticket_form_fields" | "ticket_fields" => "tickets",
        "service_catalog" | "service-catalog" => "service_catalog",
        "problems" | "problem_form_fields" => "problems",
        "changes" | "change_form_fields" | "cabs" => "changes",
        "releases" | "release_form_fields" => "releases",
        "workspaces" | "workspace" | "workspace_form_fields" => "workspaces",
        "approvals" => "approvals",
        "requesters" | "requester_fields" | "users" => "requesters",
        "agents" | "agent_fields" => "agents",
        "roles" => "roles",
        "groups" => "groups",
        "requester_groups" => "requester_groups",
        "locations" => "locations",
        "products" => "products",
        "vendors" => "vendors",
        "ams" => "alerts",
        "assets" | "relationships" | "relationship_types" => "assets",
        "itam" => "itam",
        "asset_types" => "asset_types",
        "purchase_orders" => "purchase_orders",
        "applications" => "software",
        "contracts" | "contract_types" => "contracts",
        "departments" | "department_fields" => "departments",
        "business_hours" => "business_hours",
        "projects" => "legacy_projects",
        "pm" => "projects",
        "solutions" => "solutions",
        "announcements" => "announcements",
        "onboarding_requests" => "onboarding",
        "offboarding_requests" => "offboarding",
        "journeys" => "journeys",
        "oncall" => "oncall",
        "objects" => "custom_objects",
        "post-incident-reports" => "post_incident_reports",
        "sla_policies" => "sla_policies",
        "canned_response_folders" | "canned_responses" => "canned_responses",
        "audit_log" => "audit_logs",
        "attachments" | "itil_attachments" => "attachments",
        _ => "other",
    }
}

/// The coded enum a field takes, given the resource it belongs to.
pub(crate) fn coded_enum(resource: &str, field: &str) -> Option<&'static str> {
    let leaf = resource.rsplit('_').next().unwrap_or(resource);
    Some(match (resource, leaf, field) {
        ("ticket" | "child_ticket", _, "status") => "ticket_status",
        ("ticket" | "child_ticket", _, "priority") => "ticket_priority",
        ("ticket" | "child_ticket", _, "urgency") => "ticket_urgency",
        ("ticket" | "child_ticket", _, "impact") => "ticket_impact",
        ("ticket" | "child_ticket", _, "source") => "ticket_source",
        ("problem", _, "status") => "problem_status",
        ("problem", _, "priority") => "problem_priority",
        ("problem", _, "impact") => "problem_impact",
        ("change", _, "status") => "change_status",
        ("change", _, "priority") => "change_priority",
        ("change", _, "impact") => "change_impact",
        ("change", _, "risk") => "change_risk",
        ("change", _, "change_type") => "change_type",
        ("release", _, "status") => "release_status",
        ("release", _, "priority") => "release_priority",
        ("release", _, "release_type") => "release_type",
        ("ticket_task", _, "status") => "ticket_task_status",
        ("problem_task" | "change_task" | "release_task", _, "status") => "task_status",
        (resource, _, "approval_type") if resource.contains("approval") => "approval_type",
        ("solution_article", _, "status") => "solution_article_status",
        ("solution_article", _, "article_type") => "solution_article_type",
        (_, "agent", "scoreboard_level_id") => "agent_scoreboard_level",
        ("project", _, "priority_id") => "project_priority",
        ("project", _, "status_id") => "project_status",
        ("project", _, "project_type") => "project_type",
        ("project", _, "visibility") => "project_visibility",
        ("legacy_project", _, "status") => "legacy_project_status",
        ("legacy_project", _, "priority") => "legacy_project_priority",
        ("service_catalog_item", _, "visibility") => "service_item_visibility",
        ("ticket_requested_item", _, "stage") => "requested_item_stage",
        _ => return None,
    })
}

/// Records that cannot live in the global scope (workspace 1): creating them there is refused.
pub(crate) fn rejects_global_workspace(resource: &str) -> bool {
    matches!(resource, "location" | "department" | "service_catalog_item")
}

/// Field names whose values are amounts, not counts or IDs, so "number" means a JSON number.
pub(crate) fn is_decimal_field(name: &str) -> bool {
    [
        "cost",
        "price",
        "amount",
        "tax",
        "discount",
        "percentage",
        "rate",
        "value",
        "quantity_float",
    ]
    .iter()
    .any(|word| name.split('_').any(|part| part == *word))
}

/// Fields the server fills in; they never belong in a request.
pub(crate) fn is_server_field(name: &str) -> bool {
    matches!(
        name,
        "id" | "created_at"
            | "updated_at"
            | "deleted"
            | "description_text"
            | "fr_escalated"
            | "is_escalated"
            | "spam"
            | "attachments"
            | "created_by"
            | "updated_by"
            | "body_text"
            | "to_emails"
            | "fwd_emails"
            | "reply_cc_emails"
            | "resolution_notes"
            | "resolution_notes_html"
            | "requested_for_id_fetched"
    ) || name.ends_with("_text") && name != "body_text"
}

/// A short description of a field, in our words. `resource` is the words of the record it belongs to.
pub(crate) fn describe_field(name: &str, resource: &str, value_type: &str) -> String {
    let r = resource;
    let fixed = match name {
        "subject" => Some(format!("Subject line of the {r}")),
        "description" | "body" | "content" => Some("HTML".to_owned()),
        "name" => Some(format!("Name of the {r}")),
        "title" => Some(format!("Title of the {r}")),
        "status" => Some(format!("Status of the {r}")),
        "priority" => Some(format!("Priority of the {r}")),
        "urgency" => Some(format!("Urgency of the {r}")),
        "impact" => Some(format!("Impact of the {r}")),
        "risk" => Some(format!("Risk of the {r}")),
        "source" => Some("Channel it came in through".to_owned()),
        "type" => Some(format!("Type of the {r}")),
        "email" => Some("Email address".to_owned()),
        "phone" => Some("Phone number".to_owned()),
        "requester_id" => Some("ID of the requester".to_owned()),
        "requested_for_id" => Some("ID of the user the request is for".to_owned()),
        "responder_id" => Some("ID of the agent to assign".to_owned()),
        "agent_id" => Some("ID of the agent".to_owned()),
        "group_id" => Some("ID of the agent group".to_owned()),
        "department_id" => Some("ID of the department".to_owned()),
        "location_id" => Some("ID of the location".to_owned()),
        "workspace_id" => Some("Workspace ID".to_owned()),
        "due_by" => Some("When it is due (UTC)".to_owned()),
        "fr_due_by" => Some("When the first response is due (UTC)".to_owned()),
        "category" => Some(format!("Category of the {r}")),
        "cc_emails" => Some("Addresses to copy".to_owned()),
        "tags" => Some("Tags".to_owned()),
        "custom_fields" => Some("Keyed by internal name".to_owned()),
        "page" => Some("Page of results, from 1".to_owned()),
        "per_page" => Some("Results per page, 1 to 100".to_owned()),
        "include" => Some("Related data to embed; each embed costs extra API credits".to_owned()),
        "query" => Some(format!("Condition over {r} fields")),
        "filter" => Some("Predefined view or condition to filter by".to_owned()),
        "order_by" => Some("Field to sort by".to_owned()),
        "order_type" => Some("Sort direction".to_owned()),
        "updated_since" => Some("Only records updated at or after this UTC time".to_owned()),
        "note" => Some("Note text".to_owned()),
        "time_spent" => Some("Time spent, as hh:mm".to_owned()),
        "timer_running" => Some("Whether the timer is running".to_owned()),
        "billable" => Some("Whether the time is billable".to_owned()),
        "executed_at" => Some("When the work was done (UTC)".to_owned()),
        "start_time" => Some("Start time (UTC)".to_owned()),
        "end_time" => Some("End time (UTC)".to_owned()),
        "start_date" => Some("Start date".to_owned()),
        "end_date" => Some("End date".to_owned()),
        "due_date" => Some("Due date".to_owned()),
        "notify_before" => Some("Seconds before the due date to send a reminder".to_owned()),
        "private" => Some("Whether only agents can see it".to_owned()),
        "incoming" => Some("Whether it counts as coming from outside".to_owned()),
        "notify_emails" => Some("Addresses to notify".to_owned()),
        "first_name" => Some("First name".to_owned()),
        "last_name" => Some("Last name".to_owned()),
        "job_title" => Some("Job title".to_owned()),
        "primary_email" => Some("Primary email address".to_owned()),
        "secondary_emails" => Some("Additional email addresses".to_owned()),
        "work_phone_number" => Some("Work phone number".to_owned()),
        "mobile_phone_number" => Some("Mobile phone number".to_owned()),
        "address" => Some("Postal address".to_owned()),
        "time_zone" => Some("Time zone name".to_owned()),
        "time_format" => Some("Clock format, 12h or 24h".to_owned()),
        "language" => Some("Language code, e.g. en".to_owned()),
        "background_information" => Some("Background notes".to_owned()),
        "reporting_manager_id" => Some("User ID of the reporting manager".to_owned()),
        "visibility" => Some(format!("Who can see the {r}")),
        "planned_start_date" => Some("Planned start (UTC)".to_owned()),
        "planned_end_date" => Some("Planned end (UTC)".to_owned()),
        "assets" => Some("Linked assets".to_owned()),
        "display_id" => Some("Display ID".to_owned()),
        "members" => Some("Member user IDs".to_owned()),
        "ids" => Some("IDs to act on".to_owned()),
        "search_term" => Some("Text to search for".to_owned()),
        "key" => Some(format!("Short key of the {r}")),
        "message" => Some("Message text".to_owned()),
        "comments" | "comment" => Some("Comment text".to_owned()),
        "remarks" => Some("Remarks".to_owned()),
        "color" => Some("Colour".to_owned()),
        "state" => Some(format!("State of the {r}")),
        "operation" => Some("Action to apply; pass the listed value".to_owned()),
        "parent" => Some("Parent module".to_owned()),
        "parent_id" => Some("ID of the parent record".to_owned()),
        "parent_type" => Some("Type of the parent record".to_owned()),
        _ => None,
    };
    if let Some(text) = fixed {
        return text;
    }
    describe_by_shape(name, value_type)
}

/// A short description of one element of an array field.
pub(crate) fn describe_item(array_name: &str) -> String {
    let last = array_name.rsplit('.').next().unwrap_or(array_name);
    if last.ends_with("ids") || last == "members" || last == "leaders" || last == "observers" {
        return "One ID".to_owned();
    }
    if last.contains("email") {
        return "One email address".to_owned();
    }
    if last.is_empty() {
        return "One entry".to_owned();
    }
    format!("One {}", spaced(&singular(last)))
}

/// Templates for names that follow a convention: `*_id`, `*_ids`, `is_*`, `*_at`, `*_date`, `*_count`.
fn describe_by_shape(name: &str, value_type: &str) -> String {
    if let Some(stem) = name.strip_suffix("_ids") {
        return format!("IDs of the {}", spaced(&plural(stem)));
    }
    if let Some(stem) = name.strip_suffix("_id") {
        return format!("ID of the {}", spaced(stem));
    }
    if let Some(stem) = name.strip_prefix("is_") {
        return format!("Whether it is {}", spaced(stem));
    }
    if let Some(stem) = name.strip_prefix("has_") {
        return format!("Whether it has {}", spaced(stem));
    }
    if let Some(stem) = name.strip_suffix("_at") {
        return format!("{} time (UTC)", capitalise(&spaced(stem)));
    }
    if let Some(stem) = name.strip_suffix("_count") {
        return format!("Number of {}", spaced(stem));
    }
    if let Some(stem) = name.strip_suffix("_email") {
        return format!("{} email address", capitalise(&spaced(stem)));
    }
    let words = capitalise(&spaced(name));
    match value_type {
        "boolean" => format!("{words} flag"),
        "array" => format!("{words} list"),
        _ => words,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn singular_and_plural() {
        for (plural_form, singular_form) in [
            ("tickets", "ticket"),
            ("time_entries", "time_entry"),
            ("task_statuses", "task_status"),
            ("categories", "category"),
            ("software", "software"),
            ("business_hours", "business_hours"),
            ("sla_policies", "sla_policy"),
            ("canned_responses", "canned_response"),
        ] {
            assert_eq!(singular(plural_form), singular_form);
            assert_eq!(plural(singular_form), plural_form);
        }
        assert!(is_plural("tickets"));
        assert!(!is_plural("csat_response"));
        assert!(!is_plural("status"));
    }

    #[test]
    fn phrases() {
        let noun = Noun {
            singular: "ticket_time_entry".into(),
            plural: "ticket_time_entries".into(),
            leaf: "time_entry".into(),
            leaf_plural: "time_entries".into(),
            parent: Some("ticket".into()),
        };
        assert_eq!(noun.plural_phrase(), "time entries of a ticket");
        assert_eq!(noun.singular_phrase(), "a time entry of a ticket");
        assert_eq!(
            fill("restore_a_freshservice_{s}_by_id", &noun),
            "restore_a_freshservice_ticket_time_entry_by_id"
        );
        assert_eq!(
            describe_field("reporting_manager_id", "agent", "integer"),
            "User ID of the reporting manager"
        );
        assert_eq!(
            describe_field("asset_type_id", "asset", "integer"),
            "ID of the asset type"
        );
        assert_eq!(
            describe_field("member_ids", "group", "array"),
            "IDs of the members"
        );
    }

    #[test]
    fn tags() {
        for (path, tag) in [
            ("/api/v2/tickets/{ticket_id}", "tickets"),
            (
                "/api/v2/tickets/{ticket_id}/status/pages/{p}/incidents",
                "status_page",
            ),
            ("/api/v2/pm/projects", "projects"),
            ("/api/v2/projects", "legacy_projects"),
            ("/api/v2/applications/{id}/users", "software"),
        ] {
            assert_eq!(tag_for(path), tag, "{path}");
        }
    }
}
