//! The field-definition endpoints: `GET /*_form_fields`, `GET /requester_fields` and `/agent_fields`, and
//! `POST /ticket_fields/sources`, all refused with 403 when form fields are switched off.

use freshservice_schema::{ALL_WORKSPACES, GLOBAL, PRIMARY_WORKSPACE_ID};
use serde_json::{Value, json};

use crate::{
    account::{FormModule, choice, choices, name},
    actions,
    clock::format_timestamp,
    handlers::{Context, body_object, page_params},
    router::Reply,
    validate::{self, FieldError},
};

/// The documented 403 body of a request the API key is not allowed to make.
fn access_denied() -> Reply {
    Reply::error(
        403,
        "access_denied",
        "You are not authorized to perform this action.",
    )
}

/// `GET /api/v2/<module>_form_fields[?workspace_id=N]`: the global fields and those of the workspace (the
/// primary one by default; 0 and 1 give the global fields only), all on one page.
pub(crate) fn list(context: &mut Context<'_>, module: FormModule) -> Reply {
    if !context.profile.access {
        return access_denied();
    }
    let segments = context.segments();
    if let Some(matched) = context.catalog.find(&http::Method::GET, &segments) {
        let skip = ["page", "per_page", "workspace_id"];
        let errors = validate::query(matched.operation, &context.call.query, &skip);
        if !errors.is_empty() {
            return Reply::validation(&errors);
        }
    }
    if let Err(reply) = page_params(context) {
        return reply;
    }
    let workspace = match workspace(context) {
        Ok(workspace) => workspace,
        Err(error) => return Reply::validation(&[error]),
    };
    let fields: Vec<Value> = context
        .profile
        .visible(module, workspace)
        .into_iter()
        .cloned()
        .collect();
    Reply::ok(json!({ module.envelope(): fields }))
}

fn workspace(context: &Context<'_>) -> Result<i64, FieldError> {
    let Some(text) = context.call.query("workspace_id") else {
        return Ok(PRIMARY_WORKSPACE_ID);
    };
    let workspace = text.trim().parse::<i64>().map_err(|_| {
        FieldError::new(
            "workspace_id",
            "datatype_mismatch",
            format!("expected a workspace id, got {text:?}"),
        )
    })?;
    let known = workspace == ALL_WORKSPACES
        || workspace == GLOBAL
        || context.state.record("workspaces", workspace).is_some();
    if !known {
        return Err(FieldError::invalid(
            "workspace_id",
            format!(
                "there is no workspace with id {workspace}; list them with GET /api/v2/workspaces"
            ),
        ));
    }
    Ok(workspace)
}

/// `GET /api/v2/requester_fields` and `/agent_fields`: the generic answer, unless form fields are refused.
pub(crate) fn user_fields(context: &mut Context<'_>) -> Reply {
    if !context.profile.access {
        return access_denied();
    }
    let segments = context.segments();
    match context.catalog.find(&http::Method::GET, &segments) {
        Some(matched) => actions::fallback(context, &matched),
        None => Reply::error(404, "not_found", "no such field list"),
    }
}

/// `POST /api/v2/ticket_fields/sources` with `{"name": "..."}`: adds a ticket source (choice id 1001 and up)
/// that the ticket form fields show and ticket writes accept.
pub(crate) fn create_source(context: &mut Context<'_>) -> Reply {
    if !context.profile.access {
        return access_denied();
    }
    let body = match body_object(context) {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let segments = context.segments();
    let mut errors = match context.catalog.find(&http::Method::POST, &segments) {
        Some(matched) => validate::body(matched.operation, &body, &[]),
        None => Vec::new(),
    };
    let label = body
        .get("name")
        .and_then(Value::as_str)
        .map(str::trim)
        .unwrap_or("");
    if errors.is_empty() && label.is_empty() {
        errors.push(FieldError::missing("name"));
    }
    let sources = context
        .profile
        .fields(FormModule::Tickets)
        .iter()
        .find(|field| name(field) == "source")
        .map(choices)
        .unwrap_or_default();
    let taken = sources.iter().any(|source| {
        source
            .get("value")
            .and_then(Value::as_str)
            .is_some_and(|value| value.trim().eq_ignore_ascii_case(label))
    });
    if errors.is_empty() && taken {
        errors.push(FieldError::new(
            "name",
            "duplicate_value",
            format!("a ticket source named {label:?} already exists"),
        ));
    }
    if !errors.is_empty() {
        return Reply::validation(&errors);
    }
    let choice_id = context.profile.next_source_id();
    let position = sources.len() + 1;
    context
        .profile
        .add_choice(FormModule::Tickets, "source", choice(choice_id, label));
    let id = context.state.allocate_counter("ticket_sources");
    let now = format_timestamp(context.now);
    Reply::json(
        201,
        json!({"source": {
            "id": id,
            "created_at": now,
            "updated_at": now,
            "choice_id": choice_id,
            "value": label,
            "position": position,
            "visible": true,
            "default": false,
        }}),
    )
}
