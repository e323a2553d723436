//! One `tools/call`: route and validate the arguments, send the request, shape the result.
//!
//! Every failure here is a tool result with `isError: true`, written for the model: it names
//! the field or the status, says what Freshservice or the schema expected, and what to do next.

use arg_router::RoutedRequest;
use freshservice_client::{ApiRequest, ApiResponse, Client};
use mcp_messages::{
    CallToolResult, ContentBlock, JsonObject, Notification, ProgressParams, RequestId, method,
};
use ratelimit_headers::RateLimitStatus;
use serde_json::{Value, json};

use crate::Notifier;
use crate::record_scope::{RecordTarget, Refusal, workspace_of};
use crate::registry::{ExposedTool, MAX_ITEMS, MetaArgs, RecordCheck, ToolEntry};
use crate::shape::{ShapeOptions, shape};

/// The result of a call and the rate-limit status it observed, if it reached Freshservice.
pub(crate) struct CallOutcome {
    pub(crate) result: CallToolResult,
    pub(crate) rate_limit: Option<RateLimitStatus>,
}

impl CallOutcome {
    /// A result made without calling Freshservice.
    pub(crate) fn local(result: CallToolResult) -> Self {
        Self {
            result,
            rate_limit: None,
        }
    }
}

/// What a call needs from the service besides the tool and its arguments.
pub(crate) struct CallContext<'a> {
    pub(crate) client: &'a Client,
    pub(crate) max_response_bytes: usize,
    /// Where to report progress while following pages, when the client asked for it.
    pub(crate) progress: Option<(&'a Notifier, RequestId)>,
    /// The account's form fields, read again when Freshservice refuses a write over a field of
    /// an account-shaped tool (the account may have changed them).
    pub(crate) account: Option<&'a crate::AccountFields>,
}

/// The server's own arguments, taken out of the caller's before routing.
#[derive(Debug, Default)]
struct MetaValues {
    fields: Option<Vec<String>>,
    include_html: bool,
    max_items: Option<u64>,
    dry_run: bool,
}

pub(crate) async fn call_tool(
    context: &CallContext<'_>,
    exposed: &ExposedTool,
    mut arguments: JsonObject,
) -> CallOutcome {
    let entry = exposed.entry;
    let meta = match take_meta(entry.meta, &mut arguments) {
        Ok(meta) => meta,
        Err(problem) => return invalid_arguments(&entry.tool.name, &problem),
    };
    if let Err(problem) = exposed.scope_arguments(&mut arguments) {
        return invalid_arguments(&entry.tool.name, &problem);
    }
    if let Some(problem) = check_queries(entry, &arguments) {
        return invalid_arguments(&entry.tool.name, &problem);
    }
    let router = match exposed.router() {
        Ok(router) => router,
        Err(reason) => {
            return CallOutcome::local(CallToolResult::error(format!(
                "internal error: {} cannot be compiled ({reason}); nothing was sent to Freshservice",
                entry.tool.name
            )));
        }
    };
    let arguments = Value::Object(arguments);
    let routed = match router.route(&arguments) {
        Ok(routed) => routed,
        Err(error) => {
            let mut text = error.to_string();
            if let Some(hint) = workspace_hint(&entry.tool.name, &error, &arguments) {
                text.push('\n');
                text.push_str(&hint);
            }
            if let Some(schemas) = wrong_field_schemas(&exposed.tool.input_schema, &error) {
                text.push_str("\nThe schema of those arguments: ");
                text.push_str(&schemas);
            }
            return invalid_arguments(&entry.tool.name, &text);
        }
    };
    let record = match check_record(context, exposed, &routed).await {
        Ok(record) => record,
        Err(outcome) => return outcome,
    };
    if meta.dry_run {
        return dry_run_result(context.client, &routed);
    }
    let shape_options = ShapeOptions {
        fields: meta.fields.clone(),
        include_html: meta.include_html,
        max_bytes: context.max_response_bytes,
    };
    if let Some(max_items) = meta.max_items {
        let first = FirstPage { router, routed };
        return follow_pages(context, entry, arguments, first, max_items, &shape_options).await;
    }
    match context.client.send(api_request(&routed)).await {
        Ok(response) => {
            let rate_limit = response.rate_limit.clone();
            if let Some(record) = &record
                && let Err(message) = record.after(&entry.tool.name, &routed, &response.body)
            {
                return CallOutcome {
                    result: CallToolResult::error(message),
                    rate_limit: Some(rate_limit),
                };
            }
            CallOutcome {
                result: success_result(response, &shape_options),
                rate_limit: Some(rate_limit),
            }
        }
        Err(error) => {
            if exposed.is_account_shaped()
                && error.status().map(|status| status.as_u16()) == Some(400)
                && error.api_body().is_some_and(|body| !body.errors.is_empty())
                && let Some(account) = context.account
            {
                account.invalidate();
                account.refresh_if_due();
            }
            failure(&entry.tool.name, &error)
        }
    }
}

/// The record a call on a workspace-scoped server acts on, once its workspace is known to be
/// permitted (or will be known from the answer, for the record's own get).
struct CheckedRecord<'a> {
    check: &'a RecordCheck,
    path: String,
    /// The record's own get: its answer is checked before it is returned.
    own_get: bool,
}

impl CheckedRecord<'_> {
    /// After a successful call: checks the own get's answer, and forgets the record's
    /// workspace when this call moved or deleted it.
    fn after(&self, tool: &str, routed: &RoutedRequest, body: &Value) -> Result<(), String> {
        if self.own_get {
            let workspace = workspace_of(body);
            self.check.scope.remember(&self.path, workspace);
            return self.check.scope.judge(tool, &self.path, workspace, false);
        }
        let deleted = routed.method == http::Method::DELETE && routed.path == self.path;
        let moved = routed
            .path
            .strip_prefix(self.path.as_str())
            .is_some_and(|rest| rest == "/move_workspace");
        if deleted || moved {
            self.check.scope.forget(&self.path);
        }
        Ok(())
    }
}

/// On a workspace-scoped server, checks the workspace of the record a by-id tool names before
/// anything else is sent (the record's own get is checked on its answer instead).
async fn check_record<'a>(
    context: &CallContext<'_>,
    exposed: &'a ExposedTool,
    routed: &RoutedRequest,
) -> Result<Option<CheckedRecord<'a>>, CallOutcome> {
    let Some(check) = &exposed.record else {
        return Ok(None);
    };
    let tool = &exposed.entry.tool.name;
    let (parent, own_get) = match check.target {
        RecordTarget::Unverifiable(reason) => {
            return Err(CallOutcome::local(CallToolResult::error(
                check.scope.unverifiable(tool, reason),
            )));
        }
        RecordTarget::OwnGet(parent) => (parent, true),
        RecordTarget::Parent(parent) => (parent, false),
    };
    let Some(path) = parent.record_path(&routed.path) else {
        return Err(CallOutcome::local(CallToolResult::error(format!(
            "internal error: {tool} names no record in {}; nothing was sent to Freshservice",
            routed.path
        ))));
    };
    let record = CheckedRecord {
        check,
        path: path.to_owned(),
        own_get,
    };
    if own_get {
        return Ok(Some(record));
    }
    let write = !exposed.entry.operation.is_read_only();
    match check
        .scope
        .check(context.client, tool, &record.path, write)
        .await
    {
        Ok(()) => Ok(Some(record)),
        Err(Refusal::Outside(message)) => Err(CallOutcome::local(CallToolResult::error(message))),
        Err(Refusal::ReadFailed(error)) => {
            let mut outcome = failure(tool, &error);
            // A missing record reads as the tool's own 404, as without a scope.
            if error.status().map(|status| status.as_u16()) != Some(404) {
                outcome.result.content.push(ContentBlock::text(format!(
                    "This was the answer to reading {} ({}) to check its workspace before {tool}; nothing else was sent.",
                    record.path, parent.get
                )));
            }
            Err(outcome)
        }
    }
}

fn api_request(routed: &RoutedRequest) -> ApiRequest {
    let request = ApiRequest::new(routed.method.clone(), routed.path_and_query());
    match &routed.body {
        Some(body) => request.with_body(body.clone()),
        None => request,
    }
}

fn failure(tool: &str, error: &freshservice_client::Error) -> CallOutcome {
    CallOutcome {
        result: CallToolResult::error(explain_failure(tool, error)),
        rate_limit: error.rate_limit().cloned(),
    }
}

/// Takes the server's own arguments out of `arguments`, checking their types.
fn take_meta(allowed: MetaArgs, arguments: &mut JsonObject) -> Result<MetaValues, String> {
    let mut meta = MetaValues::default();
    if allowed.shaping {
        if let Some(fields) = arguments.remove("fields") {
            let names: Option<Vec<String>> = fields.as_array().and_then(|items| {
                items
                    .iter()
                    .map(|item| item.as_str().filter(|s| !s.is_empty()).map(str::to_owned))
                    .collect()
            });
            meta.fields = Some(names.ok_or("/fields: expected an array of field names (dotted paths such as id or requester.email)")?);
        }
        if let Some(flag) = arguments.remove("include_html") {
            meta.include_html = flag
                .as_bool()
                .ok_or("/include_html: expected true or false")?;
        }
    }
    if allowed.max_items
        && let Some(value) = arguments.remove("max_items")
    {
        let count = value
            .as_u64()
            .filter(|count| (1..=MAX_ITEMS).contains(count))
            .ok_or_else(|| format!("/max_items: expected a whole number from 1 to {MAX_ITEMS}"))?;
        meta.max_items = Some(count);
    }
    if allowed.dry_run
        && let Some(flag) = arguments.remove("dry_run")
    {
        meta.dry_run = flag.as_bool().ok_or("/dry_run: expected true or false")?;
    }
    Ok(meta)
}

/// The exact request a write would send, without sending it.
fn dry_run_result(client: &Client, routed: &RoutedRequest) -> CallOutcome {
    let query: JsonObject = routed
        .query
        .iter()
        .map(|(name, value)| (name.clone(), Value::String(value.clone())))
        .collect();
    let path_and_query = routed.path_and_query();
    let url = format!(
        "{}{}",
        client.base_url().as_str().trim_end_matches('/'),
        path_and_query
    );
    let structured = json!({
        "dry_run": true,
        "sent": false,
        "method": routed.method.as_str(),
        "path": routed.path,
        "query": query,
        "body": routed.body,
        "url": url,
    });
    CallOutcome {
        result: CallToolResult::structured(structured),
        rate_limit: None,
    }
}

/// Below this share of the account's quota, `max_items` stops following pages: the rest of the
/// budget belongs to the other work on the account.
const LOW_BUDGET_SHARE: f64 = 0.1;

/// The first request of a paged read, and the router that places the page number in the next.
struct FirstPage<'a> {
    router: &'a arg_router::Operation,
    routed: RoutedRequest,
}

/// Follows `next_page` until `max_items` records are collected, the pages end, or the account's
/// rate-limit budget runs low; reports progress when the client asked for it.
async fn follow_pages(
    context: &CallContext<'_>,
    entry: &ToolEntry,
    mut arguments: Value,
    first: FirstPage<'_>,
    max_items: u64,
    shape_options: &ShapeOptions,
) -> CallOutcome {
    let max_items = usize::try_from(max_items).unwrap_or(usize::MAX);
    let FirstPage { router, routed } = first;
    let mut routed = routed;
    let mut collected: Vec<Value> = Vec::new();
    let mut envelope: Option<(String, JsonObject)> = None;
    let mut last_rate_limit = None;
    let mut stop_note = None;
    let mut pages = 0u32;
    let next_page = loop {
        let response = match context.client.send(api_request(&routed)).await {
            Ok(response) => response,
            Err(error) if collected.is_empty() => return failure(&entry.tool.name, &error),
            Err(error) => {
                stop_note = Some(format!(
                    "Stopped early: the next page failed ({}).",
                    explain_failure(&entry.tool.name, &error)
                ));
                break None;
            }
        };
        pages += 1;
        last_rate_limit = Some(response.rate_limit.clone());
        let next = response
            .next_page_url()
            .and_then(|url| next_page_number(&url));
        let Value::Object(mut body) = response.body else {
            break None;
        };
        let Some(key) = body
            .iter()
            .find(|(_, value)| value.is_array())
            .map(|(key, _)| key.clone())
        else {
            // Not a list answer after all: return it as it is.
            return CallOutcome {
                result: success_result_value(Value::Object(body), next, shape_options),
                rate_limit: last_rate_limit,
            };
        };
        if let Some(Value::Array(records)) = body.remove(&key) {
            collected.extend(records);
        }
        if envelope.is_none() {
            envelope = Some((key, body));
        }
        if let Some((token_holder, token)) = &context.progress {
            let params = ProgressParams::new(
                token.clone(),
                collected.len().min(max_items) as f64,
                Some(max_items as f64),
            );
            if let Ok(params) = serde_json::to_value(params) {
                let _ = token_holder.send(Notification::new(method::PROGRESS, Some(params)).into());
            }
        }
        let Some(next) = next else {
            break None;
        };
        if collected.len() >= max_items {
            break Some(next);
        }
        if let (Some(limit), Some(remaining)) =
            (response.rate_limit.limit, response.rate_limit.remaining)
            && (remaining as f64) < (limit as f64) * LOW_BUDGET_SHARE
        {
            stop_note = Some(format!(
                "Stopped early after {pages} pages: only {remaining} of the account's {limit} requests are left in this window."
            ));
            break Some(next);
        }
        if let Value::Object(object) = &mut arguments {
            object.insert("page".into(), Value::from(next));
        }
        routed = match router.route(&arguments) {
            Ok(routed) => routed,
            Err(_) => break Some(next),
        };
    };
    let more_on_this_page = collected.len() > max_items;
    collected.truncate(max_items);
    let (key, mut body) = envelope.unwrap_or_else(|| ("records".to_owned(), JsonObject::new()));
    body.remove("total");
    body.insert(key, Value::Array(collected));
    let mut result = success_result_value(Value::Object(body), next_page, shape_options);
    let mut notes = Vec::new();
    if more_on_this_page {
        notes.push(
            "More records were on the last page read; ask for a larger max_items to see them."
                .to_owned(),
        );
    }
    notes.extend(stop_note);
    if !notes.is_empty() {
        result.content.push(ContentBlock::text(notes.join(" ")));
    }
    CallOutcome {
        result,
        rate_limit: last_rate_limit,
    }
}

/// Parses each filter query with the same grammar Freshservice uses and checks its fields, so a
/// bad query costs no request (Freshservice answers some of them with a bare 500).
fn check_queries(entry: &ToolEntry, arguments: &JsonObject) -> Option<String> {
    for (name, endpoint) in &entry.query_params {
        let Some(Value::String(text)) = arguments.get(name) else {
            continue;
        };
        // The router adds the surrounding double quotes; accept a query already wrapped in them.
        let inner = text
            .strip_prefix('"')
            .and_then(|rest| rest.strip_suffix('"'))
            .unwrap_or(text);
        let problem = match freshservice_schema::parse_query(inner) {
            Err(error) => Some(format!(
                "{} (at character {} of {inner:?})",
                error.message, error.position
            )),
            Ok(query) => endpoint
                .and_then(|endpoint| endpoint.check(&query).err())
                .map(|error| error.message),
        };
        if let Some(problem) = problem {
            let mut message = format!("/{name}: the filter query is invalid: {problem}");
            message.push_str(
                "\nQuery syntax: field:value, field:>value, field:<value, field!:value, joined with AND/OR and parentheses; \
                 strings and dates in single quotes ('2025-01-31'), numbers bare, null for empty.",
            );
            if let Some(endpoint) = endpoint {
                message.push_str(&format!(
                    "\nFilterable fields: {} (and custom fields cf_…).",
                    endpoint.field_names()
                ));
            }
            return Some(message);
        }
    }
    None
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

/// The input-schema entries of the top-level arguments a routing error names (wrong values and
/// missing required arguments), as compact JSON, so a model that never saw the tool's schema
/// (in core or discovery exposure) can fix the call without another round trip. Unknown
/// arguments are left out: their message already lists the known ones.
fn wrong_field_schemas(schema: &JsonObject, error: &arg_router::Error) -> Option<String> {
    let properties = schema.get("properties")?.as_object()?;
    let mut wrong = JsonObject::new();
    for problem in error.problems() {
        let name = match problem.pointer.strip_prefix('/') {
            Some(rest) => rest
                .split('/')
                .next()
                .unwrap_or(rest)
                .replace("~1", "/")
                .replace("~0", "~"),
            None => match problem.message.strip_prefix("missing required argument ") {
                Some(name) => name.trim_matches('"').to_owned(),
                None => continue,
            },
        };
        if let Some(property) = properties.get(&name) {
            wrong.entry(name).or_insert_with(|| property.clone());
        }
    }
    (!wrong.is_empty())
        .then(|| serde_json::to_string(&wrong).ok())
        .flatten()
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
fn success_result(response: ApiResponse, shape_options: &ShapeOptions) -> CallToolResult {
    let next_page = response
        .next_page_url()
        .and_then(|url| next_page_number(&url));
    let body = match response.body {
        Value::Null => json!({ "status": response.status.as_u16(), "success": true }),
        other => other,
    };
    success_result_value(body, next_page, shape_options)
}

fn success_result_value(
    body: Value,
    next_page: Option<u64>,
    shape_options: &ShapeOptions,
) -> CallToolResult {
    let (shaped, note) = shape(body, shape_options);
    let mut structured = match shaped {
        Value::Object(_) => shaped,
        other => json!({ "result": other }),
    };
    if let (Some(next_page), Value::Object(object)) = (next_page, &mut structured) {
        object.insert("next_page".into(), Value::from(next_page));
    }
    let mut result = CallToolResult::structured(structured);
    if let Some(note) = note {
        result.content.push(ContentBlock::text(note));
    }
    result
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
        let error = entry.router().unwrap().route(&arguments).unwrap_err();
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
    fn wrong_fields_come_with_their_schemas() {
        let tool = "create_a_freshservice_ticket";
        let entry = crate::registry::compiled().unwrap().entry(tool).unwrap();
        let schema = &entry.tool.input_schema;
        let wrong = |arguments: Value| {
            let error = entry.router().unwrap().route(&arguments).unwrap_err();
            wrong_field_schemas(schema, &error)
                .map(|text| serde_json::from_str::<JsonObject>(&text).unwrap())
        };
        // A wrong code and a missing required argument: both schemas, each with its codes.
        let both = wrong(
            json!({"subject": "Printer", "description": "Jammed", "priority": 9, "email": "a@b.c"}),
        )
        .unwrap();
        assert_eq!(
            both["priority"], schema["properties"]["priority"],
            "{both:?}"
        );
        assert!(both["priority"]["enum"].is_array());
        assert_eq!(both["status"], schema["properties"]["status"], "{both:?}");
        assert_eq!(both.len(), 2, "{both:?}");
        // An argument the tool does not take names the known ones in its message instead.
        assert_eq!(
            wrong(
                json!({"subject": "a", "description": "b", "status": 2, "priority": 1, "email": "a@b.c", "colour": 1})
            ),
            None
        );
    }

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
