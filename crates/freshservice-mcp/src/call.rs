//! One `tools/call`: route and validate the arguments, send the request, shape the result.
//!
//! Every failure here is a tool result with `isError: true`, written for the model: it names
//! the field or the status, says what Freshservice or the schema expected, and what to do next.

use freshservice_client::{ApiRequest, ApiResponse, Client};
use mcp_protocol::{CallToolResult, JsonObject};
use ratelimit_headers::RateLimitStatus;
use serde_json::{Value, json};

use crate::registry::ExposedTool;

/// The result of a call and the rate-limit status it observed, if it reached Freshservice.
pub(crate) struct CallOutcome {
    pub(crate) result: CallToolResult,
    pub(crate) rate_limit: Option<RateLimitStatus>,
}

pub(crate) async fn call_tool(
    client: &Client,
    exposed: &ExposedTool,
    mut arguments: JsonObject,
) -> CallOutcome {
    let entry = exposed.entry;
    if let Err(problem) = exposed.scope_arguments(&mut arguments) {
        return invalid_arguments(&entry.tool.name, &problem);
    }
    let arguments = Value::Object(arguments);
    let routed = match entry.router.route(&arguments) {
        Ok(routed) => routed,
        Err(error) => {
            let mut text = error.to_string();
            if let Some(hint) = workspace_hint(&entry.tool.name, &error, &arguments) {
                text.push('\n');
                text.push_str(&hint);
            }
            return invalid_arguments(&entry.tool.name, &text);
        }
    };
    let mut request = ApiRequest::new(routed.method.clone(), routed.path_and_query());
    if let Some(body) = routed.body {
        request = request.with_body(body);
    }
    match client.send(request).await {
        Ok(response) => {
            let rate_limit = response.rate_limit.clone();
            CallOutcome {
                result: success_result(&response),
                rate_limit: Some(rate_limit),
            }
        }
        Err(error) => {
            let rate_limit = error.rate_limit().cloned();
            CallOutcome {
                result: CallToolResult::error(explain_failure(&entry.tool.name, &error)),
                rate_limit,
            }
        }
    }
}

/// Workspace rules the schema alone states poorly: the global workspace cannot hold records that
/// refuse it, and a record changes workspace only through its move tool.
fn workspace_hint(tool: &str, error: &arg_router::Error, arguments: &Value) -> Option<String> {
    let about_workspace = error
        .problems()
        .iter()
        .any(|problem| problem.pointer == "/workspace_id");
    if !about_workspace {
        return None;
    }
    if let Some(entity) = tool
        .strip_prefix("update_a_freshservice_")
        .and_then(|rest| rest.strip_suffix("_by_id"))
    {
        let move_tool = format!("move_a_freshservice_{entity}_by_id");
        return Some(
            if freshservice_schema::catalog().get(&move_tool).is_some() {
                format!(
                    "Hint: workspace_id cannot change on update; call {move_tool} to move the {entity} to another workspace."
                )
            } else {
                "Hint: workspace_id cannot change on update.".to_owned()
            },
        );
    }
    match arguments.get("workspace_id").and_then(Value::as_i64) {
        Some(1) => Some(
            "Hint: workspace 1 is the global scope, which cannot hold this; pass the id of a workspace (2 is the primary workspace).".to_owned(),
        ),
        Some(0) => Some(
            "Hint: workspace 0 means all workspaces and only works on lists; pass the id of one workspace (2 is the primary workspace).".to_owned(),
        ),
        _ => None,
    }
}

fn invalid_arguments(tool: &str, problems: &str) -> CallOutcome {
    CallOutcome {
        result: CallToolResult::error(format!(
            "The arguments for {tool} are invalid; nothing was sent to Freshservice.\n{problems}\n\
             Fix these arguments (the tool's inputSchema lists every field and its type) and call again."
        )),
        rate_limit: None,
    }
}

/// Freshservice answers with an object for every read and write, except deletes (204, no body).
/// `structuredContent` must be an object in the legacy era, so anything else is wrapped.
fn success_result(response: &ApiResponse) -> CallToolResult {
    let mut structured = match &response.body {
        Value::Object(_) => response.body.clone(),
        Value::Null => json!({ "status": response.status.as_u16(), "success": true }),
        other => json!({ "result": other }),
    };
    let next_page = response
        .next_page_url()
        .and_then(|url| next_page_number(&url));
    if let (Some(next_page), Value::Object(object)) = (next_page, &mut structured) {
        object.insert("next_page".into(), Value::from(next_page));
    }
    CallToolResult::structured(structured)
}

/// The `page` of Freshservice's `Link: <...>; rel="next"` URL. Every paginated tool takes it as
/// its `page` argument, so the model can pass it straight back; the absolute URL itself names a
/// host and path that no tool accepts.
fn next_page_number(url: &str) -> Option<u64> {
    let (_, query) = url.split_once('?')?;
    let query = query.split_once('#').map_or(query, |(query, _)| query);
    query
        .split('&')
        .find_map(|pair| match pair.split_once('=') {
            Some(("page", value)) => value.parse().ok(),
            _ => None,
        })
}

fn explain_failure(tool: &str, error: &freshservice_client::Error) -> String {
    use freshservice_client::Error as ClientError;
    match error {
        ClientError::Api { status, .. } if status.as_u16() == 429 => {
            let wait = error
                .retry_after()
                .map(|delay| format!("Retry after {} seconds.", delay.as_secs()))
                .unwrap_or_else(|| "Wait about a minute before retrying.".into());
            format!(
                "Freshservice rate limit reached (HTTP 429) while calling {tool}; the request was not carried out. {wait} \
                 The account's limit is shared by every client, so make fewer calls (use filters and per_page) when you continue."
            )
        }
        ClientError::Api { status, body, .. } => {
            let mut message = format!("Freshservice refused {tool} with HTTP {status}");
            if let Some(body) = body {
                if let Some(description) = body.description.as_deref().or(body.message.as_deref()) {
                    message.push_str(&format!(": {description}"));
                }
                for field_error in &body.errors {
                    message.push_str(&format!(
                        "\n- field {}: {} (code {})",
                        field_error.field.as_deref().unwrap_or("(none)"),
                        field_error.message.as_deref().unwrap_or("invalid"),
                        field_error.code.as_deref().unwrap_or("unknown"),
                    ));
                }
            }
            message.push('\n');
            message.push_str(hint_for_status(status.as_u16()));
            message
        }
        // Freshservice did answer these, so "failed before Freshservice answered" would mislead:
        // a write may have been carried out.
        ClientError::InvalidResponsePayload { .. } => format!(
            "Freshservice answered {tool}, but the answer could not be used: {error}. \
             A body that is not JSON usually means the server's base URL reaches something other than the Freshservice API \
             (a proxy or a login page); the operator must fix the server's configuration. \
             If {tool} changes data, the change may have been made: read it back before calling again."
        ),
        ClientError::ResponseTooLarge { .. } => format!(
            "Freshservice answered {tool}, but the answer could not be used: {error}. \
             For lists, pass a smaller per_page and follow next_page instead."
        ),
        other => format!(
            "Calling {tool} failed before Freshservice answered: {other}. {}",
            if other.is_retryable() {
                "This may be temporary; retrying once is reasonable (for writes, first check whether the change was made)."
            } else {
                "Retrying will not help until the cause is fixed."
            }
        ),
    }
}

fn hint_for_status(status: u16) -> &'static str {
    match status {
        400 => "Fix the fields listed above and call again.",
        401 => {
            "The Freshservice API key was rejected; the operator must fix the server's configuration."
        }
        403 => {
            "The agent behind the API key lacks permission for this, or the feature is not enabled on the account."
        }
        404 => "No such object: check the id (assets use display_id) and the workspace_id.",
        405 => "Freshservice does not allow this method on this path.",
        409 => "The object is in a conflicting state; read it again and retry with current values.",
        500..=599 => "Freshservice had a server error; retrying later may help.",
        _ => "Check the arguments and try again.",
    }
}

/// The rate-limit status as `_meta` entries with IETF names (numbers where the field is one).
pub(crate) fn rate_limit_meta(status: &RateLimitStatus) -> JsonObject {
    let mut meta = JsonObject::new();
    for (name, value) in status.ietf_fields() {
        let value = value
            .parse::<u64>()
            .map(Value::from)
            .unwrap_or(Value::String(value));
        meta.insert(name.to_owned(), value);
    }
    if let Some(used) = status.used {
        meta.insert("freshservice-credits-used".into(), Value::from(used));
    }
    meta
}

#[cfg(test)]
mod tests {

    fn hint_for(tool: &str, arguments: Value) -> Option<String> {
        let entry = crate::registry::compiled().unwrap().entry(tool).unwrap();
        let error = entry.router.route(&arguments).unwrap_err();
        workspace_hint(tool, &error, &arguments)
    }

    #[test]
    fn workspace_hints() {
        let global = hint_for(
            "create_a_freshservice_location",
            json!({"name": "HQ", "workspace_id": 1}),
        )
        .unwrap();
        assert!(
            global.contains("global scope") && global.contains("2 is the primary"),
            "{global}"
        );
        let moved = hint_for(
            "update_a_freshservice_change_by_id",
            json!({"change_id": 1, "workspace_id": 3}),
        )
        .unwrap();
        assert!(
            moved.contains("move_a_freshservice_change_by_id"),
            "{moved}"
        );
        assert_eq!(
            hint_for("create_a_freshservice_location", json!({"name": 5})),
            None
        );
    }

    use super::*;

    #[test]
    fn next_page_number_trials() {
        let trials = [
            (
                "https://acme.freshservice.com/api/v2/changes?page=2",
                Some(2),
            ),
            (
                "https://a/api/v2/tickets?filter=all_tickets&per_page=10&page=31",
                Some(31),
            ),
            ("http://127.0.0.1:1/api/v2/changes?page=3#top", Some(3)),
            ("https://a/api/v2/changes?per_page=2", None),
            ("https://a/api/v2/changes?page=two", None),
            ("https://a/api/v2/changes?subpage=2", None),
            ("https://a/api/v2/changes", None),
        ];
        for (url, expected) in trials {
            assert_eq!(next_page_number(url), expected, "{url}");
        }
    }
}
