//! Behaviour particular to single resources: ticket requesters, linked assets, onboarding tickets, project keys,
//! list parameters, embeds (`include=`) and the fields filters can see but records do not store.

use serde_json::{Map, Value, json};

use crate::{
    State, WorkspaceMode,
    clock::{format_timestamp, parse_timestamp},
    handlers::{Context, thirty_days_before},
    resources::{DeleteMode, Resource, defaults},
    router::Reply,
    state::key_field,
    validate::FieldError,
};

/// Assets have a display id (their key) and an internal id; the internal ids start here so the two never agree.
const ASSET_ID_OFFSET: i64 = 14_000_000_000;

/// The collections whose records can link assets, each by `display_id`.
const ASSET_LINK_FIELDS: &[&str] = &["assets", "impacted_services"];

/// Builds a complete record: defaults, then `fields`, then key and timestamps when missing. Used by the seed,
/// by [`Sandbox::insert`](crate::Sandbox::insert) and for records created as a side effect.
pub(crate) fn new_record(
    state: &mut State,
    collection: &str,
    fields: Map<String, Value>,
    now: i64,
) -> (i64, Value) {
    let key_name = key_field(collection);
    let key = match fields.get(key_name).and_then(Value::as_i64) {
        Some(key) => key,
        None => state.allocate(collection),
    };
    let mut record = defaults(collection, now);
    crate::handlers::merge(&mut record, fields);
    record.insert(key_name.to_owned(), Value::from(key));
    let timestamp = Value::String(format_timestamp(now));
    record
        .entry("created_at")
        .or_insert_with(|| timestamp.clone());
    record.entry("updated_at").or_insert(timestamp);
    complete(state, collection, key, &mut record);
    (key, Value::Object(record))
}

/// Derived fields every stored record of the collection has.
fn complete(state: &State, collection: &str, key: i64, record: &mut Map<String, Value>) {
    if let Some(Value::String(description)) = record.get("description")
        && record.contains_key("description_text")
    {
        let text = strip_tags(description);
        record.insert("description_text".to_owned(), Value::String(text));
    }
    match collection {
        "assets" => {
            record
                .entry("id")
                .or_insert_with(|| Value::from(ASSET_ID_OFFSET + key));
        }
        "projects" if record.get("key").is_none_or(Value::is_null) => {
            let name = record.get("name").and_then(Value::as_str).unwrap_or("");
            let initials: String = name
                .split_whitespace()
                .filter_map(|word| word.chars().next())
                .filter(char::is_ascii_alphanumeric)
                .map(|letter| letter.to_ascii_uppercase())
                .take(10)
                .collect();
            let key_text = if initials.starts_with(|c: char| c.is_ascii_alphabetic()) {
                initials
            } else {
                format!("P{initials}")
            };
            record.insert("key".to_owned(), Value::String(key_text));
        }
        "project_tasks" if record.get("display_key").is_none_or(Value::is_null) => {
            let project_key = record
                .get("project_id")
                .and_then(Value::as_i64)
                .and_then(|project| state.record("projects", project))
                .and_then(|project| project.get("key"))
                .and_then(Value::as_str)
                .unwrap_or("TASK")
                .to_owned();
            record.insert(
                "display_key".to_owned(),
                Value::String(format!("{project_key}-{key}")),
            );
        }
        "conversations" => {
            if let Some(Value::String(body)) = record.get("body") {
                let text = strip_tags(body);
                record.insert("body_text".to_owned(), Value::String(text));
            }
        }
        _ => {}
    }
}

/// Text without HTML tags, for `description_text` and `body_text`.
fn strip_tags(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for character in html.chars() {
        match character {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            other if !in_tag => text.push(other),
            _ => {}
        }
    }
    text.trim().to_owned()
}

/// Clients (workspaces) can only be created, changed or removed on MSP accounts.
pub(crate) fn msp_only(context: &Context<'_>, resource: &Resource) -> Option<Reply> {
    (resource.collection == "workspaces" && context.config.mode != WorkspaceMode::Msp).then(|| {
        Reply::error(
            403,
            "require_feature",
            "workspaces can only be created, updated or deleted through the API on Freshservice for MSPs accounts; start the sandbox with WorkspaceMode::Msp",
        )
    })
}

/// Every `assets` / `impacted_services` entry must name a stored asset by `display_id`.
pub(crate) fn check_links(state: &State, body: &Map<String, Value>, errors: &mut Vec<FieldError>) {
    for field in ASSET_LINK_FIELDS {
        let Some(Value::Array(items)) = body.get(*field) else {
            continue;
        };
        for (index, item) in items.iter().enumerate() {
            if let Some(display_id) = item.get("display_id").and_then(Value::as_i64)
                && state.record("assets", display_id).is_none()
            {
                errors.push(FieldError::invalid(
                    format!("{field}[{index}].display_id"),
                    format!("there is no asset with display id {display_id}"),
                ));
            }
        }
    }
}

/// Resource rules that run once the request is valid, just before a create is stored.
pub(crate) fn before_create(
    context: &mut Context<'_>,
    resource: &Resource,
    _parent: Option<i64>,
    body: &mut Map<String, Value>,
    errors: &mut Vec<FieldError>,
) {
    match resource.collection {
        "tickets" => resolve_requester(context, body, errors, true),
        "changes" | "problems" => resolve_requester(context, body, errors, false),
        "onboarding_requests" if !body.get("fields").is_some_and(Value::is_object) => {
            errors.push(FieldError::new(
                "fields",
                "datatype_mismatch",
                "expected an object of form answers, e.g. {\"cf_employee_name\": \"Ana\"}",
            ));
        }
        _ => {}
    }
}

/// Resource rules that run once the request is valid, just before an update is stored.
pub(crate) fn before_update(
    context: &mut Context<'_>,
    resource: &Resource,
    body: &mut Map<String, Value>,
    errors: &mut Vec<FieldError>,
) {
    if matches!(resource.collection, "tickets" | "changes" | "problems") {
        resolve_requester(context, body, errors, false);
    }
}

/// Turns `email` (or `phone` and `name`) into `requester_id`, creating a requester for an unknown address as
/// Freshservice does for tickets.
fn resolve_requester(
    context: &mut Context<'_>,
    body: &mut Map<String, Value>,
    errors: &mut Vec<FieldError>,
    is_ticket_create: bool,
) {
    let email = body.remove("email");
    let (phone, name) = if is_ticket_create {
        (body.remove("phone"), body.remove("name"))
    } else {
        (None, None)
    };
    if body
        .get("requester_id")
        .is_some_and(|value| !value.is_null())
    {
        return;
    }
    let name = name.as_ref().and_then(Value::as_str).map(str::to_owned);
    let requester = if let Some(email) = email.as_ref().and_then(Value::as_str) {
        match user_by(
            context.state,
            email,
            &["primary_email", "email", "secondary_emails"],
        ) {
            Some(id) => id,
            None if is_ticket_create => {
                let first_name =
                    name.unwrap_or_else(|| email.split('@').next().unwrap_or(email).to_owned());
                create_requester(
                    context,
                    json!({"first_name": first_name, "primary_email": email}),
                )
            }
            None => {
                errors.push(FieldError::invalid(
                    "email",
                    format!("no requester or agent has the email {email}"),
                ));
                return;
            }
        }
    } else if let Some(phone) = phone.as_ref().and_then(Value::as_str) {
        match user_by(
            context.state,
            phone,
            &["work_phone_number", "mobile_phone_number"],
        ) {
            Some(id) => id,
            None => match name {
                Some(first_name) => create_requester(
                    context,
                    json!({"first_name": first_name, "work_phone_number": phone}),
                ),
                None => {
                    errors.push(FieldError::new(
                        "name",
                        "missing_field",
                        "give a name with the phone number so a new requester can be created",
                    ));
                    return;
                }
            },
        }
    } else {
        if is_ticket_create {
            errors.push(FieldError::new(
                "requester_id",
                "missing_field",
                "say who the ticket is for with requester_id, email or phone",
            ));
        }
        return;
    };
    body.insert("requester_id".to_owned(), Value::from(requester));
}

fn create_requester(context: &mut Context<'_>, fields: Value) -> i64 {
    let fields = match fields {
        Value::Object(fields) => fields,
        _ => Map::new(),
    };
    let (key, record) = new_record(context.state, "requesters", fields, context.now);
    context.state.put("requesters", key, record);
    key
}

/// The requester or agent whose field (or any element of an array field) equals `wanted`, ignoring case.
pub(crate) fn user_by(state: &State, wanted: &str, fields: &[&str]) -> Option<i64> {
    let wanted = wanted.to_lowercase();
    for collection in ["requesters", "agents"] {
        for record in state.iter(collection) {
            let hit = fields.iter().any(|field| match record.get(*field) {
                Some(Value::String(text)) => text.to_lowercase() == wanted,
                Some(Value::Array(items)) => items
                    .iter()
                    .filter_map(Value::as_str)
                    .any(|text| text.to_lowercase() == wanted),
                _ => false,
            });
            if hit {
                return record.get("id").and_then(Value::as_i64);
            }
        }
    }
    None
}

/// Derived fields and side effects after a create or update has been merged into `record`.
pub(crate) fn after_write(
    context: &mut Context<'_>,
    resource: &Resource,
    key: i64,
    record: &mut Map<String, Value>,
    created: bool,
) {
    complete(context.state, resource.collection, key, record);
    if created && resource.collection == "onboarding_requests" {
        let employee = record
            .get("fields")
            .and_then(|fields| fields.get("cf_employee_name"))
            .and_then(Value::as_str)
            .unwrap_or("a new employee")
            .to_owned();
        let subject = format!("Employee Onboarding Request for {employee}");
        record.insert("subject".to_owned(), Value::String(subject.clone()));
        let requester = record.get("initiator_id").cloned().unwrap_or(Value::Null);
        let ticket_fields = json!({
            "subject": subject,
            "description": format!("<div>Onboarding for {employee}</div>"),
            "type": "Service Request",
            "source": 13,
            "status": 2,
            "priority": 2,
            "requester_id": requester,
            "workspace_id": freshservice_schema::PRIMARY_WORKSPACE_ID,
            "onboarding_request_id": key,
        });
        let fields = match ticket_fields {
            Value::Object(fields) => fields,
            _ => Map::new(),
        };
        let (ticket, ticket_record) = new_record(context.state, "tickets", fields, context.now);
        context.state.put("tickets", ticket, ticket_record);
        record.insert("ticket_id".to_owned(), Value::from(ticket));
    }
}

/// Whether the record sits in the trash.
pub(crate) fn is_trashed(resource: &Resource, record: &Value) -> bool {
    resource.delete == DeleteMode::Trash
        && record.get("deleted").and_then(Value::as_bool) == Some(true)
}

/// The record as filters see it: tickets gain the requester's `email`, people gain `name`.
pub(crate) fn searchable(state: &State, resource: &Resource, record: &Value) -> Value {
    let mut view = record.clone();
    let Value::Object(map) = &mut view else {
        return view;
    };
    match resource.collection {
        "tickets" if !map.contains_key("email") => {
            let email = map
                .get("requester_id")
                .and_then(Value::as_i64)
                .and_then(|id| user_email(state, id));
            map.insert("email".to_owned(), email.map_or(Value::Null, Value::String));
        }
        "agents" | "requesters" if !map.contains_key("name") => {
            map.insert("name".to_owned(), Value::String(full_name(record)));
        }
        _ => {}
    }
    view
}

fn full_name(record: &Value) -> String {
    let part = |field: &str| {
        record
            .get(field)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    format!("{} {}", part("first_name"), part("last_name"))
        .trim()
        .to_owned()
}

fn user(state: &State, id: i64) -> Option<&Value> {
    state
        .record("requesters", id)
        .or_else(|| state.record("agents", id))
}

fn user_email(state: &State, id: i64) -> Option<String> {
    let record = user(state, id)?;
    record
        .get("primary_email")
        .or_else(|| record.get("email"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

fn user_summary(state: &State, id: Option<i64>) -> Value {
    let Some(record) = id.and_then(|id| user(state, id)) else {
        return Value::Null;
    };
    json!({
        "id": record.get("id"),
        "name": full_name(record),
        "email": record.get("primary_email").or_else(|| record.get("email")),
        "mobile": record.get("mobile_phone_number"),
        "phone": record.get("work_phone_number"),
    })
}

/// The record as the API returns it, with the embeds asked for by `include=`.
pub(crate) fn render(context: &Context<'_>, resource: &Resource, record: &Value) -> Value {
    let includes = context.call.includes();
    let mut out = record.clone();
    let Value::Object(map) = &mut out else {
        return out;
    };
    let state = &*context.state;
    match resource.collection {
        "assets" if !includes.contains(&"type_fields") => {
            map.remove("type_fields");
        }
        "tickets" => {
            for include in &includes {
                let value = match *include {
                    "requester" => {
                        user_summary(state, record.get("requester_id").and_then(Value::as_i64))
                    }
                    "requested_for" => user_summary(
                        state,
                        record.get("requested_for_id").and_then(Value::as_i64),
                    ),
                    "stats" => ticket_stats(state, record),
                    "conversations" => {
                        let id = record.get("id").and_then(Value::as_i64);
                        let conversations: Vec<Value> = state
                            .iter("conversations")
                            .filter(|conversation| {
                                conversation.get("ticket_id").and_then(Value::as_i64) == id
                            })
                            .take(10)
                            .cloned()
                            .collect();
                        Value::Array(conversations)
                    }
                    "assets" => {
                        let linked: Vec<Value> = linked_assets(record)
                            .filter_map(|display_id| state.get_in("assets", display_id))
                            .map(|mut asset| {
                                if let Value::Object(asset) = &mut asset {
                                    asset.remove("type_fields");
                                }
                                asset
                            })
                            .collect();
                        Value::Array(linked)
                    }
                    "onboarding_context" => record
                        .get("onboarding_request_id")
                        .and_then(Value::as_i64)
                        .and_then(|request| state.record("onboarding_requests", request))
                        .map_or(
                            Value::Null,
                            |request| json!({"fields": request.get("fields")}),
                        ),
                    _ => continue,
                };
                map.insert((*include).to_owned(), value);
            }
        }
        "changes" if includes.contains(&"stats") => {
            let status = record.get("status").and_then(Value::as_i64).unwrap_or(1);
            let updated = record.get("updated_at").cloned().unwrap_or(Value::Null);
            map.insert(
                "stats".to_owned(),
                json!({
                    "closed_at": if status == 6 { updated.clone() } else { Value::Null },
                    "status_updated_at": updated,
                }),
            );
        }
        _ => {}
    }
    out
}

fn linked_assets(record: &Value) -> impl Iterator<Item = i64> + '_ {
    record
        .get("assets")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|link| link.get("display_id").and_then(Value::as_i64))
}

fn ticket_stats(state: &State, record: &Value) -> Value {
    let status = record.get("status").and_then(Value::as_i64).unwrap_or(2);
    let updated = record.get("updated_at").cloned().unwrap_or(Value::Null);
    let id = record.get("id").and_then(Value::as_i64);
    let first_response = state
        .iter("conversations")
        .find(|conversation| {
            conversation.get("ticket_id").and_then(Value::as_i64) == id
                && conversation.get("source").and_then(Value::as_i64) == Some(0)
        })
        .and_then(|conversation| conversation.get("created_at").cloned())
        .unwrap_or(Value::Null);
    json!({
        "first_responded_at": first_response,
        "agent_responded_at": first_response,
        "requester_responded_at": null,
        "resolved_at": if status >= 4 { updated.clone() } else { Value::Null },
        "closed_at": if status == 5 { updated.clone() } else { Value::Null },
        "status_updated_at": updated,
    })
}

/// One condition of a plain list.
type Keep = Box<dyn Fn(&Value) -> bool>;

/// Which records a plain list keeps, and whether it is read backwards.
pub(crate) struct ListRules {
    keep: Vec<Keep>,
    /// The order asked for with `order_type` is the reverse of the resource's natural order.
    pub(crate) reverse: bool,
}

impl ListRules {
    pub(crate) fn keeps(&self, record: &Value) -> bool {
        self.keep.iter().all(|keep| keep(record))
    }
}

fn field_equals(field: &'static str, wanted: Value) -> Keep {
    Box::new(move |record: &Value| record.get(field) == Some(&wanted))
}

fn text_equals(field: &'static str, wanted: &str) -> Keep {
    let wanted = wanted.to_lowercase();
    Box::new(move |record: &Value| {
        record
            .get(field)
            .and_then(Value::as_str)
            .is_some_and(|text| text.to_lowercase() == wanted)
    })
}

fn timestamp_at_least(field: &'static str, since: i64) -> Keep {
    Box::new(move |record: &Value| {
        record
            .get(field)
            .and_then(Value::as_str)
            .and_then(parse_timestamp)
            .is_some_and(|at| at >= since)
    })
}

fn integer_param(context: &Context<'_>, name: &str) -> Result<Option<i64>, Reply> {
    match context.call.query(name) {
        None => Ok(None),
        Some(text) => text.trim().parse().map(Some).map_err(|_| {
            Reply::validation(&[FieldError::new(
                name,
                "datatype_mismatch",
                format!("expected an integer, got {text:?}"),
            )])
        }),
    }
}

/// The list parameters of a plain (non-filter) list: trash, `updated_since`, `order_type` and per-resource ones.
pub(crate) fn list_rules(context: &Context<'_>, resource: &Resource) -> Result<ListRules, Reply> {
    let call = context.call;
    let mut keep: Vec<Keep> = Vec::new();
    let view_trash = match resource.collection {
        "tickets" => call.query("filter") == Some("deleted"),
        "assets" => call.query("trashed") == Some("true"),
        _ => false,
    };
    if resource.delete == DeleteMode::Trash {
        keep.push(Box::new(move |record: &Value| {
            (record.get("deleted").and_then(Value::as_bool) == Some(true)) == view_trash
        }));
    }
    match call.query("updated_since") {
        Some(text) => {
            let Some(since) = parse_timestamp(text) else {
                return Err(Reply::invalid(
                    "updated_since",
                    format!("{text:?} is not a UTC timestamp such as 2025-01-31T00:00:00Z"),
                ));
            };
            keep.push(timestamp_at_least("updated_at", since));
        }
        // Without updated_since, Freshservice lists only tickets created in the last 30 days.
        None if resource.collection == "tickets" => {
            keep.push(timestamp_at_least(
                "created_at",
                thirty_days_before(context.now),
            ));
        }
        None => {}
    }
    let reverse = match call.query("order_type") {
        None => false,
        Some("asc") => resource.newest_first,
        Some("desc") => !resource.newest_first,
        Some(other) => {
            return Err(Reply::invalid(
                "order_type",
                format!("{other:?} is not a sort direction; use asc or desc"),
            ));
        }
    };
    match resource.collection {
        "tickets" => {
            match call.query("filter") {
                None | Some("deleted") => keep.push(field_equals("spam", Value::Bool(false))),
                Some("spam") => keep.push(field_equals("spam", Value::Bool(true))),
                Some("new_and_my_open") => keep.push(field_equals("status", Value::from(2))),
                Some("watching") => keep.push(Box::new(|_: &Value| false)),
                Some(other) => {
                    return Err(Reply::invalid(
                        "filter",
                        format!(
                            "{other:?} is not a ticket view; use new_and_my_open, watching, spam or deleted"
                        ),
                    ));
                }
            }
            if let Some(requester) = integer_param(context, "requester_id")? {
                keep.push(field_equals("requester_id", Value::from(requester)));
            }
            if let Some(email) = call.query("email") {
                let requester = user_by(
                    context.state,
                    email,
                    &["primary_email", "email", "secondary_emails"],
                );
                keep.push(field_equals(
                    "requester_id",
                    requester.map_or(Value::Bool(false), Value::from),
                ));
            }
            if let Some(kind) = call.query("type") {
                keep.push(text_equals("type", kind));
            }
        }
        "changes" => {
            if let Some(requester) = integer_param(context, "requester_id")? {
                keep.push(field_equals("requester_id", Value::from(requester)));
            }
            if call.query("view") == Some("unassigned") {
                keep.push(field_equals("agent_id", Value::Null));
            }
        }
        "projects" => {
            let status_in = |codes: &'static [i64]| -> Keep {
                Box::new(move |record: &Value| {
                    record
                        .get("status_id")
                        .and_then(Value::as_i64)
                        .is_some_and(|status| codes.contains(&status))
                })
            };
            match call.query("filter") {
                None => keep.push(field_equals("archived", Value::Bool(false))),
                Some("archived") => keep.push(field_equals("archived", Value::Bool(true))),
                Some("completed") => keep.push(status_in(&[3])),
                Some("incomplete") => keep.push(status_in(&[1, 2])),
                Some("open") => keep.push(status_in(&[1])),
                Some("in_progress") => keep.push(status_in(&[2])),
                Some(other) => {
                    return Err(Reply::invalid(
                        "filter",
                        format!(
                            "{other:?} is not a project filter; use completed, incomplete, archived, open or in_progress"
                        ),
                    ));
                }
            }
        }
        "agents" => {
            if let Some(email) = call.query("email") {
                keep.push(text_equals("email", email));
            }
        }
        "requesters" => {
            if let Some(email) = call.query("email") {
                keep.push(text_equals("primary_email", email));
            }
        }
        _ => {}
    }
    Ok(ListRules { keep, reverse })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_stripped() {
        for (html, text) in [
            ("<div>Hello <b>world</b></div>", "Hello world"),
            ("plain", "plain"),
            ("a < b", "a"),
            ("", ""),
        ] {
            assert_eq!(strip_tags(html), text, "{html}");
        }
    }

    #[test]
    fn new_records_get_keys_defaults_and_derived_fields() {
        let mut state = State::default();
        let fields = json!({"name": "Q4 Hardware Deployments"})
            .as_object()
            .unwrap()
            .clone();
        let (key, project) = new_record(&mut state, "projects", fields, 0);
        assert_eq!(key, 1);
        assert_eq!(project["key"], "QHD");
        assert_eq!(project["created_at"], "1970-01-01T00:00:00Z");
        state.put("projects", key, project);
        let fields = json!({"title": "t", "project_id": 1})
            .as_object()
            .unwrap()
            .clone();
        let (_, task) = new_record(&mut state, "project_tasks", fields, 0);
        assert_eq!(task["display_key"], "QHD-1");
        let fields = json!({"display_id": 7, "name": "db"})
            .as_object()
            .unwrap()
            .clone();
        let (key, asset) = new_record(&mut state, "assets", fields, 0);
        assert_eq!((key, asset["id"].as_i64()), (7, Some(ASSET_ID_OFFSET + 7)));
    }
}
