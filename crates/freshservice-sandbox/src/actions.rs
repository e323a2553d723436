//! Endpoints with behaviour of their own (conversations, restore, move, relationships, ...) and the generic
//! answer for every other catalogue operation.

use freshservice_schema::{OperationKind, ParamLocation};
use serde_json::{Map, Value, json};

use crate::{
    State,
    catalog_index::Matched,
    clock::format_timestamp,
    form_fields,
    handlers::{Context, body_object, find, page_params, paginate, remove_with_children},
    resources::{RESOURCES, Resource, resource},
    router::{Action, Reply},
    rules::{self, new_record},
    validate::{self, FieldError},
};

/// Runs a special endpoint.
pub(crate) fn run(context: &mut Context<'_>, action: Action) -> Reply {
    match action {
        Action::Reply(ticket) => add_conversation(context, ticket, false),
        Action::AddNote(ticket) => add_conversation(context, ticket, true),
        Action::Conversations(ticket) => list_conversations(context, ticket),
        Action::UpdateConversation(id) => update_conversation(context, id),
        Action::DeleteConversation(id) => {
            if context.state.remove("conversations", id).is_none() {
                return Reply::not_found("conversation", id);
            }
            Reply::no_content()
        }
        Action::Restore(resource, key) => set_flag(context, resource, key, "deleted", false, false),
        Action::Reactivate(resource, key) => set_flag(context, resource, key, "active", true, true),
        Action::MoveWorkspace(resource, key) => move_workspace(context, resource, key),
        Action::DeleteForever(resource, key) | Action::Forget(resource, key) => {
            if let Err(reply) = find(context.state, resource, None, key) {
                return reply;
            }
            remove_with_children(context.state, resource, key);
            Reply::no_content()
        }
        Action::OnboardingTickets(request) => {
            if context
                .state
                .record("onboarding_requests", request)
                .is_none()
            {
                return Reply::not_found("onboarding request", request);
            }
            let tickets: Vec<Value> = context
                .state
                .iter("tickets")
                .filter(|ticket| {
                    ticket.get("onboarding_request_id").and_then(Value::as_i64) == Some(request)
                })
                .cloned()
                .collect();
            Reply::ok(json!({"onboarding_tickets": tickets}))
        }
        Action::AssetRelationships(display_id) => {
            if context.state.record("assets", display_id).is_none() {
                return Reply::not_found("asset", display_id);
            }
            let involves = |record: &Value, side: &str| {
                record.get(format!("{side}_type")).and_then(Value::as_str) == Some("asset")
                    && record.get(format!("{side}_id")).and_then(Value::as_i64) == Some(display_id)
            };
            let relationships: Vec<Value> = context
                .state
                .iter("relationships")
                .filter(|record| involves(record, "primary") || involves(record, "secondary"))
                .cloned()
                .collect();
            Reply::ok(json!({"relationships": relationships}))
        }
        Action::FormFields(module) => form_fields::list(context, module),
        Action::UserFields => form_fields::user_fields(context),
        Action::CreateSource => form_fields::create_source(context),
        Action::BulkCreateRelationships => bulk_create_relationships(context),
        Action::DeleteRelationships => delete_relationships(context),
        Action::ProjectTaskMeta(project, kind) => {
            if context.state.record("projects", project).is_none() {
                return Reply::not_found("project", project);
            }
            let items = match kind {
                "task_types" => json!([
                    {"id": 1, "name": "Task"},
                    {"id": 2, "name": "Story"},
                    {"id": 3, "name": "Epic"},
                    {"id": 4, "name": "Bug"},
                ]),
                "task_statuses" => json!([
                    {"id": 1, "name": "Open", "category_id": 1},
                    {"id": 2, "name": "In Progress", "category_id": 2},
                    {"id": 3, "name": "Done", "category_id": 3},
                ]),
                _ => json!([
                    {"id": 1, "name": "Low"},
                    {"id": 2, "name": "Medium"},
                    {"id": 3, "name": "High"},
                    {"id": 4, "name": "Urgent"},
                ]),
            };
            Reply::ok(json!({ kind: items }))
        }
    }
}

fn tickets() -> Option<&'static Resource> {
    resource("tickets")
}

fn add_conversation(context: &mut Context<'_>, ticket: i64, is_note: bool) -> Reply {
    let Some(tickets) = tickets() else {
        return Reply::error(500, "internal_error", "tickets are not modelled");
    };
    if let Err(reply) = find(context.state, tickets, None, ticket) {
        return reply;
    }
    let mut body = match body_object(context) {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let segments = context.segments();
    let errors = match context.catalog.find(&http::Method::POST, &segments) {
        Some(matched) => validate::body(matched.operation, &body, &[]),
        None if !body.get("body").is_some_and(Value::is_string) => {
            vec![FieldError::missing("body")]
        }
        None => Vec::new(),
    };
    if !errors.is_empty() {
        return Reply::validation(&errors);
    }
    body.insert("ticket_id".to_owned(), Value::from(ticket));
    body.insert(
        "source".to_owned(),
        Value::from(if is_note { 2 } else { 0 }),
    );
    if is_note {
        body.entry("private").or_insert(Value::Bool(true));
    } else {
        body.insert("private".to_owned(), Value::Bool(false));
    }
    body.remove("id");
    let (key, record) = new_record(context.state, "conversations", body, context.now);
    context.state.put("conversations", key, record.clone());
    touch(context.state, "tickets", ticket, context.now);
    Reply::json(201, json!({"conversation": record})).with_header(
        "Location",
        format!("{}/api/v2/conversations/{key}", context.config.base_url),
    )
}

fn list_conversations(context: &mut Context<'_>, ticket: i64) -> Reply {
    let Some(tickets) = tickets() else {
        return Reply::error(500, "internal_error", "tickets are not modelled");
    };
    if let Err(reply) = find(context.state, tickets, None, ticket) {
        return reply;
    }
    let (page, per_page) = match page_params(context) {
        Ok(page) => page,
        Err(reply) => return reply,
    };
    let items: Vec<Value> = context
        .state
        .iter("conversations")
        .filter(|record| record.get("ticket_id").and_then(Value::as_i64) == Some(ticket))
        .cloned()
        .collect();
    let count = items.len();
    let (items, link) = paginate(context, items, page, per_page);
    let reply = Reply::ok(json!({"conversations": items, "meta": {"count": count}}));
    match link {
        Some(link) => reply.with_header("Link", link),
        None => reply,
    }
}

fn update_conversation(context: &mut Context<'_>, id: i64) -> Reply {
    let Some(Value::Object(mut record)) = context.state.get_in("conversations", id) else {
        return Reply::not_found("conversation", id);
    };
    let body = match body_object(context) {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let segments = context.segments();
    if let Some(matched) = context.catalog.find(&http::Method::PUT, &segments) {
        let errors = validate::body(matched.operation, &body, &[]);
        if !errors.is_empty() {
            return Reply::validation(&errors);
        }
    }
    for (name, value) in body {
        if !matches!(name.as_str(), "id" | "ticket_id" | "created_at") {
            record.insert(name, value);
        }
    }
    record.insert(
        "updated_at".to_owned(),
        Value::String(format_timestamp(context.now)),
    );
    let (_, record) = new_record(context.state, "conversations", record, context.now);
    context.state.put("conversations", id, record.clone());
    Reply::ok(json!({"conversation": record}))
}

fn touch(state: &mut State, collection: &str, key: i64, now: i64) {
    if let Some(Value::Object(record)) = state.record_mut(collection, key) {
        record.insert(
            "updated_at".to_owned(),
            Value::String(format_timestamp(now)),
        );
    }
}

/// Restore (`deleted = false`, 204) and reactivate (`active = true`, 200 with the record).
fn set_flag(
    context: &mut Context<'_>,
    resource: &Resource,
    key: i64,
    field: &str,
    value: bool,
    answer_record: bool,
) -> Reply {
    if let Err(reply) = find(context.state, resource, None, key) {
        return reply;
    }
    touch(context.state, resource.collection, key, context.now);
    if let Some(Value::Object(record)) = context.state.record_mut(resource.collection, key) {
        record.insert(field.to_owned(), Value::Bool(value));
    }
    match context.state.get_in(resource.collection, key) {
        Some(record) if answer_record => Reply::ok(json!({ resource.singular: record })),
        _ => Reply::no_content(),
    }
}

fn move_workspace(context: &mut Context<'_>, resource: &'static Resource, key: i64) -> Reply {
    if let Err(reply) = find(context.state, resource, None, key) {
        return reply;
    }
    let body = match body_object(context) {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    if body.get("workspace_id").is_none_or(Value::is_null) {
        return Reply::validation(&[FieldError::missing("workspace_id")]);
    }
    let workspace = match crate::handlers::body_workspace(context, resource, &body) {
        Ok(Some(workspace)) => workspace,
        Ok(None) => return Reply::validation(&[FieldError::missing("workspace_id")]),
        Err(error) => return Reply::validation(&[error]),
    };
    touch(context.state, resource.collection, key, context.now);
    if let Some(Value::Object(record)) = context.state.record_mut(resource.collection, key) {
        record.insert("workspace_id".to_owned(), Value::from(workspace));
        for (name, value) in body {
            if name != "workspace_id" && record.contains_key(&name) {
                record.insert(name, value);
            }
        }
    }
    let record = context
        .state
        .get_in(resource.collection, key)
        .unwrap_or(Value::Null);
    Reply::ok(json!({ resource.singular: rules::render(context, resource, &record) }))
}

fn bulk_create_relationships(context: &mut Context<'_>) -> Reply {
    let body = match body_object(context) {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let Some(Value::Array(items)) = body.get("relationships") else {
        return Reply::validation(&[FieldError::missing("relationships")]);
    };
    let mut errors = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let field = |name: &str| format!("relationships[{index}].{name}");
        match item.get("relationship_type_id").and_then(Value::as_i64) {
            None => errors.push(FieldError::missing(field("relationship_type_id"))),
            Some(kind) if context.state.record("relationship_types", kind).is_none() => errors
                .push(FieldError::invalid(
                    field("relationship_type_id"),
                    format!("there is no relationship type with id {kind}"),
                )),
            Some(_) => {}
        }
        for side in ["primary", "secondary"] {
            let id = item.get(format!("{side}_id")).and_then(Value::as_i64);
            let kind = item.get(format!("{side}_type")).and_then(Value::as_str);
            match (id, kind) {
                (None, _) => errors.push(FieldError::missing(field(&format!("{side}_id")))),
                (_, None) => errors.push(FieldError::missing(field(&format!("{side}_type")))),
                (Some(id), Some("asset")) if context.state.record("assets", id).is_none() => errors
                    .push(FieldError::invalid(
                        field(&format!("{side}_id")),
                        format!("there is no asset with display id {id}"),
                    )),
                _ => {}
            }
        }
    }
    if !errors.is_empty() {
        return Reply::validation(&errors);
    }
    let mut created = Vec::new();
    for item in items {
        let Value::Object(fields) = item.clone() else {
            continue;
        };
        let (key, record) = new_record(context.state, "relationships", fields, context.now);
        context.state.put("relationships", key, record);
        created.push(key);
    }
    let job = context.state.allocate_counter("relationship_jobs");
    let job_id = format!("sandbox-job-{job}");
    Reply::json(
        202,
        json!({
            "job_id": job_id,
            "href": format!("{}/api/v2/jobs/{job_id}", context.config.base_url),
            "relationship_ids": created,
        }),
    )
}

fn delete_relationships(context: &mut Context<'_>) -> Reply {
    let Some(text) = context.call.query("ids") else {
        return Reply::validation(&[FieldError::missing("ids")]);
    };
    let mut ids = Vec::new();
    for part in text
        .split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
    {
        match part.parse::<i64>() {
            Ok(id) => ids.push(id),
            Err(_) => return Reply::invalid("ids", format!("{part:?} is not a relationship id")),
        }
    }
    for id in ids {
        context.state.remove("relationships", id);
    }
    Reply::no_content()
}

/// The answer for a catalogue operation the sandbox keeps no state for: validated like any other request,
/// then a small body shaped like the real one.
pub(crate) fn fallback(context: &mut Context<'_>, matched: &Matched) -> Reply {
    let operation = matched.operation;
    if let Some(reply) = missing_owner(context) {
        return reply;
    }
    let mut errors = validate::query(operation, &context.call.query, &["page", "per_page"]);
    let takes_body = operation
        .params
        .iter()
        .any(|param| param.location == ParamLocation::Body);
    let body = if takes_body {
        match body_object(context) {
            Ok(body) => {
                errors.extend(validate::body(operation, &body, &[]));
                body
            }
            Err(reply) => return reply,
        }
    } else {
        Map::new()
    };
    if operation.param("page").is_some()
        && let Err(reply) = page_params(context)
    {
        return reply;
    }
    if !errors.is_empty() {
        return Reply::validation(&errors);
    }
    let (singular, plural) = envelope_names(&operation.path, operation.kind);
    let now = Value::String(format_timestamp(context.now));
    let mut object = Map::new();
    for (name, value) in &matched.placeholders {
        let value = value
            .parse::<i64>()
            .map_or_else(|_| Value::String(value.clone()), Value::from);
        object.insert(name.clone(), value);
    }
    let path_id = matched
        .placeholders
        .last()
        .and_then(|(_, value)| value.parse::<i64>().ok());
    let method = &operation.method;
    if *method == http::Method::DELETE {
        return Reply::no_content();
    }
    // Reads without state answer with the documented sample, so the tool returns what
    // Freshservice would; writes echo the caller's fields, which is what a client checks.
    if *method == http::Method::GET
        && let Some(sample) = crate::samples::response(&operation.name)
    {
        return Reply::ok(sample.clone());
    }
    if *method == http::Method::GET {
        if operation.kind == OperationKind::List {
            let sample = json!({
                "id": 1,
                "name": format!("Sample {}", singular.replace('_', " ")),
                "created_at": now,
                "updated_at": now,
            });
            return Reply::ok(json!({ plural: [sample] }));
        }
        object.insert("id".to_owned(), Value::from(path_id.unwrap_or(1)));
        object.insert("created_at".to_owned(), now.clone());
        object.insert("updated_at".to_owned(), now);
        return Reply::ok(json!({ singular: object }));
    }
    if operation.path.ends_with("/restore") {
        return Reply::no_content();
    }
    object.extend(body);
    if operation.kind == OperationKind::Create {
        let id = context.state.allocate_counter(&operation.name);
        object.insert("id".to_owned(), Value::from(id));
        object.insert("created_at".to_owned(), now.clone());
        object.insert("updated_at".to_owned(), now);
        return Reply::json(201, json!({ singular: object }));
    }
    if let Some(id) = path_id {
        object.entry("id").or_insert(Value::from(id));
    }
    object.insert("updated_at".to_owned(), now);
    Reply::ok(json!({ singular: object }))
}

/// A 404 when the path hangs off a stateful record that does not exist, e.g. `/tickets/999/activities`.
fn missing_owner(context: &Context<'_>) -> Option<Reply> {
    let segments = context.segments();
    for resource in RESOURCES
        .iter()
        .filter(|resource| resource.parent.is_none())
    {
        let length = resource.path.len();
        if segments.len() > length + 1 && segments[..length] == *resource.path {
            let key = segments[length].parse::<i64>().ok()?;
            if context.state.record(resource.collection, key).is_none() {
                return Some(Reply::not_found(&resource.noun(), key));
            }
        }
    }
    None
}

/// Envelope keys derived from the path: `/solutions/categories/{id}` → (`category`, `categories`);
/// an action such as `/tickets/{id}/restore` answers with the record it acts on (`ticket`).
pub(crate) fn envelope_names(path: &str, kind: OperationKind) -> (String, String) {
    let segments: Vec<&str> = path
        .trim_start_matches("/api/v2")
        .split('/')
        .filter(|segment| !segment.is_empty())
        .collect();
    let is_placeholder = |segment: &str| segment.starts_with('{');
    let literal = match segments.as_slice() {
        [.., owner, placeholder, action]
            if kind == OperationKind::Custom
                && is_placeholder(placeholder)
                && !is_placeholder(action)
                && !is_placeholder(owner) =>
        {
            owner
        }
        _ => segments
            .iter()
            .rev()
            .find(|segment| !is_placeholder(segment))
            .unwrap_or(&"record"),
    };
    let plural = literal.replace('-', "_");
    let singular = singular_of(&plural);
    (singular, plural)
}

fn singular_of(plural: &str) -> String {
    if let Some(stem) = plural.strip_suffix("ies") {
        format!("{stem}y")
    } else if plural.ends_with("sses") || plural.ends_with("ches") || plural.ends_with("xes") {
        plural[..plural.len() - 2].to_owned()
    } else if let Some(stem) = plural.strip_suffix('s')
        && !plural.ends_with("ss")
    {
        stem.to_owned()
    } else {
        plural.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_names_follow_the_path() {
        let check = |path: &str, kind: OperationKind, expected: (&str, &str)| {
            let (singular, plural) = envelope_names(path, kind);
            assert_eq!((singular.as_str(), plural.as_str()), expected, "{path}");
        };
        check(
            "/api/v2/solutions/categories/{id}",
            OperationKind::Get,
            ("category", "categories"),
        );
        check(
            "/api/v2/announcements",
            OperationKind::List,
            ("announcement", "announcements"),
        );
        check(
            "/api/v2/tickets/{id}/restore",
            OperationKind::Custom,
            ("ticket", "tickets"),
        );
        check(
            "/api/v2/changes/{id}/approval-groups",
            OperationKind::List,
            ("approval_group", "approval_groups"),
        );
        check(
            "/api/v2/business_hours",
            OperationKind::List,
            ("business_hour", "business_hours"),
        );
        check(
            "/api/v2/audit_log/export",
            OperationKind::Custom,
            ("export", "export"),
        );
        check(
            "/api/v2/addresses",
            OperationKind::List,
            ("address", "addresses"),
        );
    }
}
