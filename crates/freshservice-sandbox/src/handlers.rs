//! Create, list, get, update, delete and filter for the stateful resources, and the service rules they share:
//! pagination, workspaces, references between records and validation.

use freshservice_schema::{ALL_WORKSPACES, GLOBAL, PRIMARY_WORKSPACE_ID, parse_query};
use serde_json::{Map, Value, json};

use crate::{
    State, WorkspaceMode,
    account::Profile,
    actions,
    catalog_index::CatalogIndex,
    clock::{DAY, normalize_timestamp, parse_timestamp},
    filter,
    form_check::{self, Write},
    resources::{DeleteMode, FilterEndpoint, RESOURCES, Resource, Scope, defaults, resource},
    router::{Call, Config, Reply, Route, encode_query},
    rules,
    state::key_field,
    validate::{self, FieldError},
};

/// Default page size.
pub(crate) const DEFAULT_PER_PAGE: i64 = 30;
/// Largest page size.
pub(crate) const MAX_PER_PAGE: i64 = 100;

/// What a handler works with.
pub(crate) struct Context<'a> {
    pub(crate) state: &'a mut State,
    /// The account's form fields.
    pub(crate) profile: &'a mut Profile,
    /// The sandbox's current time, in seconds since the epoch.
    pub(crate) now: i64,
    pub(crate) config: &'a Config,
    pub(crate) catalog: &'a CatalogIndex,
    pub(crate) call: &'a Call,
}

impl Context<'_> {
    pub(crate) fn segments(&self) -> Vec<&str> {
        self.call.segments.iter().map(String::as_str).collect()
    }
}

/// Runs the handler for a route.
pub(crate) fn handle(context: &mut Context<'_>, route: Route) -> Reply {
    match route {
        Route::List(resource, parent) => list(context, resource, parent),
        Route::Filter(endpoint, parent) => filter(context, endpoint, parent),
        Route::Create(resource, parent) => create(context, resource, parent),
        Route::Get(resource, parent, key) => get(context, resource, parent, key),
        Route::Update(resource, parent, key) => update(context, resource, parent, key),
        Route::Delete(resource, parent, key) => delete(context, resource, parent, key),
        Route::Action(action) => actions::run(context, action),
        Route::Catalog(matched) => actions::fallback(context, &matched),
        Route::MethodNotAllowed => Reply::error(
            405,
            "method_not_allowed",
            format!(
                "{} is not allowed on {}; check the method for this endpoint",
                context.call.method, context.call.raw_path
            ),
        ),
        Route::NotFound => Reply::error(
            404,
            "not_found",
            format!(
                "no Freshservice API endpoint matches {} {}",
                context.call.method, context.call.raw_path
            ),
        ),
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Shared helpers.

/// The request body as a JSON object (`{}` when empty).
pub(crate) fn body_object(context: &Context<'_>) -> Result<Map<String, Value>, Reply> {
    match &context.call.body {
        Err(message) => Err(Reply::validation(&[FieldError::new(
            "body",
            "invalid_json",
            format!("the request body is not valid JSON: {message}"),
        )])),
        Ok(None) => Ok(Map::new()),
        Ok(Some(Value::Object(map))) => Ok(map.clone()),
        Ok(Some(_)) => Err(Reply::validation(&[FieldError::new(
            "body",
            "invalid_json",
            "the request body must be a JSON object",
        )])),
    }
}

/// `page` and `per_page`, checked: both integers, `page` at least 1, `per_page` from 1 to 100.
pub(crate) fn page_params(context: &Context<'_>) -> Result<(i64, i64), Reply> {
    let read = |name: &str, default: i64, maximum: Option<i64>| -> Result<i64, FieldError> {
        let Some(text) = context.call.query(name) else {
            return Ok(default);
        };
        let value: i64 = text.trim().parse().map_err(|_| {
            FieldError::new(
                name,
                "datatype_mismatch",
                format!("expected a positive integer, got {text:?}"),
            )
        })?;
        if value < 1 {
            return Err(FieldError::invalid(name, "must be 1 or more"));
        }
        if let Some(maximum) = maximum
            && value > maximum
        {
            return Err(FieldError::invalid(
                name,
                format!("must be at most {maximum}"),
            ));
        }
        Ok(value)
    };
    let page = read("page", 1, None);
    let per_page = read("per_page", DEFAULT_PER_PAGE, Some(MAX_PER_PAGE));
    match (page, per_page) {
        (Ok(page), Ok(per_page)) => Ok((page, per_page)),
        (page, per_page) => {
            let errors: Vec<FieldError> =
                [page.err(), per_page.err()].into_iter().flatten().collect();
            Err(Reply::validation(&errors))
        }
    }
}

/// Cuts one page out of `items` and adds `Link: <...>; rel="next"` when another page follows.
pub(crate) fn paginate(
    context: &Context<'_>,
    items: Vec<Value>,
    page: i64,
    per_page: i64,
) -> (Vec<Value>, Option<String>) {
    let total = items.len();
    let start = usize::try_from((page - 1).saturating_mul(per_page)).unwrap_or(usize::MAX);
    let size = usize::try_from(per_page).unwrap_or(usize::MAX);
    let end = start.saturating_add(size);
    let slice: Vec<Value> = items.into_iter().skip(start).take(size).collect();
    let link = (end < total).then(|| next_link(context, page + 1));
    (slice, link)
}

fn next_link(context: &Context<'_>, page: i64) -> String {
    let mut pairs: Vec<String> = context
        .call
        .query
        .iter()
        .filter(|(key, _)| key != "page")
        .map(|(key, value)| format!("{}={}", encode_query(key), encode_query(value)))
        .collect();
    pairs.push(format!("page={page}"));
    format!(
        "<{}{}?{}>; rel=\"next\"",
        context.config.base_url,
        context.call.raw_path,
        pairs.join("&")
    )
}

fn with_link(reply: Reply, link: Option<String>) -> Reply {
    match link {
        Some(link) => reply.with_header("Link", link),
        None => reply,
    }
}

/// Whether the resource's records carry a `workspace_id` in this account mode.
pub(crate) fn workspace_scoped(resource: &Resource, mode: WorkspaceMode) -> bool {
    match resource.scope {
        Scope::Workspace | Scope::ItWorkspace => true,
        Scope::MspWorkspace => mode == WorkspaceMode::Msp,
        Scope::Account | Scope::Inherit => false,
    }
}

/// Whether a workspace is a business workspace (HR, facilities, ...), which has no changes, problems or releases.
fn is_business_workspace(context: &Context<'_>, workspace: i64) -> Option<String> {
    if context.config.mode != WorkspaceMode::MultiWorkspace {
        return None;
    }
    let record = context.state.record("workspaces", workspace)?;
    let template = record
        .get("template_name")
        .and_then(Value::as_str)
        .unwrap_or("it");
    (template != "it").then(|| {
        record
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or(template)
            .to_owned()
    })
}

/// The workspace a list reads: `None` for every workspace.
pub(crate) fn list_workspace(
    context: &Context<'_>,
    resource: &Resource,
) -> Result<Option<i64>, Reply> {
    if !workspace_scoped(resource, context.config.mode) {
        return Ok(None);
    }
    let Some(text) = context.call.query("workspace_id") else {
        return Ok(Some(PRIMARY_WORKSPACE_ID));
    };
    let Ok(workspace) = text.trim().parse::<i64>() else {
        return Err(Reply::validation(&[FieldError::new(
            "workspace_id",
            "datatype_mismatch",
            format!("expected a workspace id, got {text:?}"),
        )]));
    };
    if resource.scope == Scope::MspWorkspace && workspace <= GLOBAL {
        return Err(Reply::invalid(
            "workspace_id",
            format!(
                "{} belong to a client; use a client id above 1",
                resource.plural
            ),
        ));
    }
    if workspace == ALL_WORKSPACES {
        return Ok(None);
    }
    if workspace == GLOBAL {
        return Err(Reply::invalid(
            "workspace_id",
            format!(
                "1 is the global scope, which holds no {}; use 0 for every workspace or a workspace id",
                resource.plural
            ),
        ));
    }
    check_workspace(context, resource, workspace)
        .map(|()| Some(workspace))
        .map_err(|error| Reply::validation(&[error]))
}

fn check_workspace(
    context: &Context<'_>,
    resource: &Resource,
    workspace: i64,
) -> Result<(), FieldError> {
    if context.state.record("workspaces", workspace).is_none() {
        return Err(FieldError::invalid(
            "workspace_id",
            format!(
                "there is no workspace with id {workspace}; list them with GET /api/v2/workspaces"
            ),
        ));
    }
    if resource.scope == Scope::ItWorkspace
        && let Some(name) = is_business_workspace(context, workspace)
    {
        return Err(FieldError::invalid(
            "workspace_id",
            format!(
                "workspace {workspace} ({name}) is a business workspace, which has no {}; use an IT workspace",
                resource.plural
            ),
        ));
    }
    Ok(())
}

/// Whether the sandbox checks `workspace_id` in create bodies of this resource itself.
fn checks_body_workspace(resource: &Resource, mode: WorkspaceMode) -> bool {
    workspace_scoped(resource, mode) || resource.scope == Scope::MspWorkspace
}

/// The workspace of a new record, from the body or the primary workspace.
pub(crate) fn body_workspace(
    context: &Context<'_>,
    resource: &Resource,
    body: &Map<String, Value>,
) -> Result<Option<i64>, FieldError> {
    let scoped = workspace_scoped(resource, context.config.mode);
    match body.get("workspace_id") {
        None | Some(Value::Null) => Ok(scoped.then_some(PRIMARY_WORKSPACE_ID)),
        Some(_) if !checks_body_workspace(resource, context.config.mode) => Ok(None),
        Some(value) => {
            let Some(workspace) = value.as_i64() else {
                return Err(FieldError::new(
                    "workspace_id",
                    "datatype_mismatch",
                    "expected an integer workspace id",
                ));
            };
            if workspace == GLOBAL {
                return Err(FieldError::invalid(
                    "workspace_id",
                    format!(
                        "1 is the global scope; a {} must belong to a workspace (2 is the primary one)",
                        resource.noun()
                    ),
                ));
            }
            check_workspace(context, resource, workspace)?;
            Ok(Some(workspace))
        }
    }
}

fn in_workspace(record: &Value, workspace: Option<i64>) -> bool {
    match workspace {
        None => true,
        Some(workspace) => record.get("workspace_id").and_then(Value::as_i64) == Some(workspace),
    }
}

fn belongs_to(resource: &Resource, record: &Value, parent: Option<i64>) -> bool {
    match (resource.parent, parent) {
        (Some((_, field)), Some(parent)) => {
            record.get(field).and_then(Value::as_i64) == Some(parent)
        }
        _ => true,
    }
}

/// A 404 unless the parent of a sub-resource exists.
pub(crate) fn parent_exists(
    context: &Context<'_>,
    resource: &Resource,
    parent: Option<i64>,
) -> Result<(), Reply> {
    if let (Some((collection, _)), Some(parent)) = (resource.parent, parent)
        && context.state.record(collection, parent).is_none()
    {
        let noun = crate::resources::resource(collection)
            .map_or_else(|| collection.to_owned(), Resource::noun);
        return Err(Reply::not_found(&noun, parent));
    }
    Ok(())
}

/// The stored record, or a 404 (also when it belongs to another parent).
pub(crate) fn find<'s>(
    state: &'s State,
    resource: &Resource,
    parent: Option<i64>,
    key: i64,
) -> Result<&'s Value, Reply> {
    state
        .record(resource.collection, key)
        .filter(|record| belongs_to(resource, record, parent))
        .ok_or_else(|| match key_field(resource.collection) {
            "display_id" => Reply::error(
                404,
                "not_found",
                format!("there is no {} with display id {key}", resource.noun()),
            ),
            _ => Reply::not_found(&resource.noun(), key),
        })
}

/// Newest `created_at` first (ties by key), or key order.
pub(crate) fn sort(items: &mut [Value], collection: &str, newest_first: bool) {
    let key = key_field(collection);
    items.sort_by(|left, right| {
        let by_key = || {
            let left = left.get(key).and_then(Value::as_i64);
            let right = right.get(key).and_then(Value::as_i64);
            left.cmp(&right)
        };
        if newest_first {
            let created = |record: &Value| {
                record
                    .get("created_at")
                    .and_then(Value::as_str)
                    .and_then(parse_timestamp)
            };
            created(right)
                .cmp(&created(left))
                .then_with(|| by_key().reverse())
        } else {
            by_key()
        }
    });
}

/// Adds a reference check for each id field the resource links to another collection through.
fn check_references(
    state: &State,
    resource: &Resource,
    body: &Map<String, Value>,
    errors: &mut Vec<FieldError>,
) {
    for (field, collections) in resource.references {
        let Some(id) = body.get(*field).and_then(Value::as_i64) else {
            continue;
        };
        if !collections
            .iter()
            .any(|collection| state.record(collection, id).is_some())
        {
            let noun = collections
                .iter()
                .map(|collection| resource_noun(collection))
                .collect::<Vec<_>>()
                .join(" or ");
            errors.push(FieldError::invalid(
                *field,
                format!("there is no {noun} with id {id}"),
            ));
        }
    }
}

fn resource_noun(collection: &str) -> String {
    resource(collection).map_or_else(|| collection.to_owned(), Resource::noun)
}

/// Shallow merge, except that `custom_fields` (and asset `type_fields`) merge one level deeper.
pub(crate) fn merge(record: &mut Map<String, Value>, body: Map<String, Value>) {
    for (name, value) in body {
        match (name.as_str(), record.get_mut(&name), value) {
            (
                "custom_fields" | "type_fields",
                Some(Value::Object(existing)),
                Value::Object(update),
            ) => {
                existing.extend(update);
            }
            (_, _, value) => {
                record.insert(name, value);
            }
        }
    }
}

/// Rewrites `date-time` fields to `YYYY-MM-DDTHH:MM:SSZ`, as Freshservice returns them.
fn normalize_dates(context: &Context<'_>, method: &http::Method, body: &mut Map<String, Value>) {
    let segments = context.segments();
    let Some(matched) = context.catalog.find(method, &segments) else {
        return;
    };
    for param in &matched.operation.params {
        if param.schema.get("format").and_then(Value::as_str) != Some("date-time") {
            continue;
        }
        if let Some(Value::String(text)) = body.get(&param.name)
            && let Some(normalized) = normalize_timestamp(text)
        {
            body.insert(param.name.clone(), Value::String(normalized));
        }
    }
}

fn location(context: &Context<'_>, resource: &Resource, parent: Option<i64>, key: i64) -> String {
    format!(
        "{}/api/v2{}/{key}",
        context.config.base_url,
        resource.collection_path(parent)
    )
}

// ---------------------------------------------------------------------------------------------------------------
// Handlers.

fn list(context: &mut Context<'_>, resource: &'static Resource, parent: Option<i64>) -> Reply {
    if let Err(reply) = parent_exists(context, resource, parent) {
        return reply;
    }
    let (page, per_page) = match page_params(context) {
        Ok(page) => page,
        Err(reply) => return reply,
    };
    let workspace = match list_workspace(context, resource) {
        Ok(workspace) => workspace,
        Err(reply) => return reply,
    };
    if let Some(reply) = check_declared_query(context) {
        return reply;
    }
    let rules = match rules::list_rules(context, resource) {
        Ok(rules) => rules,
        Err(reply) => return reply,
    };
    let mut items: Vec<Value> = context
        .state
        .iter(resource.collection)
        .filter(|record| belongs_to(resource, record, parent))
        .filter(|record| in_workspace(record, workspace))
        .filter(|record| rules.keeps(record))
        .cloned()
        .collect();
    sort(&mut items, resource.collection, resource.newest_first);
    if rules.reverse {
        items.reverse();
    }
    let (items, link) = paginate(context, items, page, per_page);
    let items: Vec<Value> = items
        .iter()
        .map(|record| rules::render(context, resource, record))
        .collect();
    with_link(Reply::ok(json!({ resource.plural: items })), link)
}

/// Checks the query parameters the catalogue declares for this request, apart from the ones handled here.
fn check_declared_query(context: &Context<'_>) -> Option<Reply> {
    let segments = context.segments();
    let matched = context.catalog.find(&context.call.method, &segments)?;
    let skip = ["page", "per_page", "workspace_id", "query", "filter"];
    let errors = validate::query(matched.operation, &context.call.query, &skip);
    (!errors.is_empty()).then(|| Reply::validation(&errors))
}

fn filter(
    context: &mut Context<'_>,
    endpoint: &'static FilterEndpoint,
    parent: Option<i64>,
) -> Reply {
    let Some(resource) = resource(endpoint.collection) else {
        return Reply::error(
            500,
            "internal_error",
            "the sandbox has no resource for this filter",
        );
    };
    if let Err(reply) = parent_exists(context, resource, parent) {
        return reply;
    }
    let Some(raw) = context.call.query(endpoint.param) else {
        return Reply::validation(&[FieldError::missing(endpoint.param)]);
    };
    let quoted = raw.len() >= 2 && raw.starts_with('"') && raw.ends_with('"');
    if !quoted {
        // Freshservice answers an unquoted query with a server error, not a validation error.
        return Reply::error(
            500,
            "internal_error",
            format!(
                "the {} value must be wrapped in double quotes, e.g. {}=\"priority:3\"",
                endpoint.param, endpoint.param
            ),
        );
    }
    let text = &raw[1..raw.len() - 1];
    if endpoint.collection == "changes" && context.call.query("view").is_some() {
        return Reply::invalid(
            "query",
            "query and view cannot be used together; send one of them",
        );
    }
    let query = match parse_query(text) {
        Ok(query) => query,
        Err(error) => return Reply::invalid(endpoint.param, error.to_string()),
    };
    let (page, per_page) = match page_params(context) {
        Ok(page) => page,
        Err(reply) => return reply,
    };
    if let Some(max_pages) = endpoint.max_pages
        && page > max_pages
    {
        return Reply::invalid(
            "page",
            format!("this filter serves at most {max_pages} pages; narrow the query instead"),
        );
    }
    let workspace = match list_workspace(context, resource) {
        Ok(workspace) => workspace,
        Err(reply) => return reply,
    };
    let candidates: Vec<(&Value, Value)> = context
        .state
        .iter(resource.collection)
        .filter(|record| belongs_to(resource, record, parent))
        .map(|record| (record, rules::searchable(context.state, resource, record)))
        .collect();
    let is_known = |field: &str| {
        freshservice_schema::filter_endpoint(endpoint.schema_path, endpoint.param)
            .is_some_and(|documented| documented.field(field).is_some())
            || endpoint.aliases.iter().any(|(alias, _)| *alias == field)
            || candidates
                .iter()
                .any(|(_, view)| filter::has_field(view, field))
            || context.profile.is_custom_field(endpoint.collection, field)
    };
    if let Err(filter::Unsupported(message)) = filter::check(&query, &is_known) {
        return Reply::invalid(endpoint.param, message);
    }
    let mut items: Vec<Value> = candidates
        .iter()
        .filter(|(record, _)| in_workspace(record, workspace))
        .filter(|(record, _)| !rules::is_trashed(resource, record))
        .filter(|(_, view)| filter::matches(&query, view, endpoint.aliases))
        .map(|(record, _)| (*record).clone())
        .collect();
    sort(&mut items, resource.collection, endpoint.newest_first);
    let total = items.len();
    let (items, link) = paginate(context, items, page, per_page);
    let items: Vec<Value> = items
        .iter()
        .map(|record| rules::render(context, resource, record))
        .collect();
    with_link(
        Reply::ok(json!({ resource.plural: items, "total": total })),
        link,
    )
}

fn get(
    context: &mut Context<'_>,
    resource: &'static Resource,
    parent: Option<i64>,
    key: i64,
) -> Reply {
    if let Err(reply) = parent_exists(context, resource, parent) {
        return reply;
    }
    if let Some(reply) = check_declared_query(context) {
        return reply;
    }
    match find(context.state, resource, parent, key) {
        Ok(record) => {
            Reply::ok(json!({ resource.singular: rules::render(context, resource, record) }))
        }
        Err(reply) => reply,
    }
}

fn create(context: &mut Context<'_>, resource: &'static Resource, parent: Option<i64>) -> Reply {
    if let Err(reply) = parent_exists(context, resource, parent) {
        return reply;
    }
    if let Some(reply) = rules::msp_only(context, resource) {
        return reply;
    }
    let mut body = match body_object(context) {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let mut errors = Vec::new();
    let skip: &[&str] = if checks_body_workspace(resource, context.config.mode) {
        &["workspace_id"]
    } else {
        &[]
    };
    let segments = context.segments();
    match context.catalog.find(&http::Method::POST, &segments) {
        Some(matched) => {
            errors.extend(validate::body(matched.operation, &body, skip));
            errors.extend(validate::query(matched.operation, &context.call.query, &[]));
        }
        None => {
            for field in resource.required {
                if body.get(*field).is_none_or(Value::is_null) {
                    errors.push(FieldError::missing(*field));
                }
            }
        }
    }
    let workspace = match body_workspace(context, resource, &body) {
        Ok(workspace) => workspace,
        Err(error) => {
            errors.push(error);
            None
        }
    };
    check_references(context.state, resource, &body, &mut errors);
    rules::check_links(context.state, &body, &mut errors);
    let write = Write {
        body: &body,
        stored: None,
        workspace: workspace.unwrap_or(PRIMARY_WORKSPACE_ID),
    };
    form_check::check(context.profile, resource.collection, &write, &mut errors);
    if errors.is_empty() {
        rules::before_create(context, resource, parent, &mut body, &mut errors);
    }
    if !errors.is_empty() {
        return Reply::validation(&errors);
    }
    normalize_dates(context, &http::Method::POST, &mut body);
    let key = context.state.allocate(resource.collection);
    let mut record = defaults(resource.collection, context.now);
    record.insert(key_field(resource.collection).to_owned(), Value::from(key));
    merge(&mut record, body);
    if let Some((_, field)) = resource.parent {
        record.insert(field.to_owned(), json!(parent));
    }
    if let Some(workspace) = workspace {
        record.insert("workspace_id".to_owned(), Value::from(workspace));
    }
    let now = Value::String(crate::clock::format_timestamp(context.now));
    record.insert("created_at".to_owned(), now.clone());
    record.insert("updated_at".to_owned(), now);
    rules::after_write(context, resource, key, &mut record, true);
    let record = Value::Object(record);
    context.state.put(resource.collection, key, record.clone());
    let location = location(context, resource, parent, key);
    Reply::json(
        201,
        json!({ resource.singular: rules::render(context, resource, &record) }),
    )
    .with_header("Location", location)
}

fn update(
    context: &mut Context<'_>,
    resource: &'static Resource,
    parent: Option<i64>,
    key: i64,
) -> Reply {
    if let Err(reply) = parent_exists(context, resource, parent) {
        return reply;
    }
    if let Some(reply) = rules::msp_only(context, resource) {
        return reply;
    }
    let existing = match find(context.state, resource, parent, key) {
        Ok(record) => record.clone(),
        Err(reply) => return reply,
    };
    if resource.collection == "workspaces" && key <= PRIMARY_WORKSPACE_ID {
        return Reply::invalid("id", format!("workspace {key} cannot be updated"));
    }
    let mut body = match body_object(context) {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let mut errors = Vec::new();
    let handles_workspace = workspace_scoped(resource, context.config.mode);
    if handles_workspace && body.contains_key("workspace_id") {
        errors.push(FieldError::new(
            "workspace_id",
            "invalid_field",
            format!(
                "the workspace cannot change in an update; use PUT /api/v2/{}/{key}/move_workspace",
                resource.plural
            ),
        ));
    }
    let skip: &[&str] = if handles_workspace {
        &["workspace_id"]
    } else {
        &[]
    };
    let segments = context.segments();
    if let Some(matched) = context.catalog.find(&http::Method::PUT, &segments) {
        errors.extend(validate::body(matched.operation, &body, skip));
        errors.extend(validate::query(matched.operation, &context.call.query, &[]));
    }
    check_references(context.state, resource, &body, &mut errors);
    rules::check_links(context.state, &body, &mut errors);
    let write = Write {
        body: &body,
        stored: existing.as_object(),
        workspace: existing
            .get("workspace_id")
            .and_then(Value::as_i64)
            .unwrap_or(PRIMARY_WORKSPACE_ID),
    };
    form_check::check(context.profile, resource.collection, &write, &mut errors);
    if errors.is_empty() {
        rules::before_update(context, resource, &mut body, &mut errors);
    }
    if !errors.is_empty() {
        return Reply::validation(&errors);
    }
    normalize_dates(context, &http::Method::PUT, &mut body);
    let Value::Object(mut record) = existing else {
        return Reply::error(500, "internal_error", "stored record is not an object");
    };
    merge(&mut record, body);
    record.insert(
        "updated_at".to_owned(),
        Value::String(crate::clock::format_timestamp(context.now)),
    );
    rules::after_write(context, resource, key, &mut record, false);
    let record = Value::Object(record);
    context.state.put(resource.collection, key, record.clone());
    Reply::ok(json!({ resource.singular: rules::render(context, resource, &record) }))
}

fn delete(
    context: &mut Context<'_>,
    resource: &'static Resource,
    parent: Option<i64>,
    key: i64,
) -> Reply {
    if let Err(reply) = parent_exists(context, resource, parent) {
        return reply;
    }
    if let Some(reply) = rules::msp_only(context, resource) {
        return reply;
    }
    if let Err(reply) = find(context.state, resource, parent, key) {
        return reply;
    }
    if resource.collection == "workspaces" && key <= 3 {
        return Reply::invalid("id", format!("workspace {key} cannot be deleted"));
    }
    let timestamp = Value::String(crate::clock::format_timestamp(context.now));
    let mark = |state: &mut State, field: &str, value: bool| {
        if let Some(Value::Object(record)) = state.record_mut(resource.collection, key) {
            record.insert(field.to_owned(), Value::Bool(value));
            record.insert("updated_at".to_owned(), timestamp.clone());
        }
    };
    match resource.delete {
        DeleteMode::Hard => remove_with_children(context.state, resource, key),
        DeleteMode::Trash => mark(context.state, "deleted", true),
        DeleteMode::Deactivate => mark(context.state, "active", false),
        DeleteMode::Forbidden => {
            return Reply::error(
                405,
                "method_not_allowed",
                format!("{} cannot be deleted", resource.plural),
            );
        }
    }
    Reply::no_content()
}

/// Removes a record and the sub-resources that hang off it.
pub(crate) fn remove_with_children(state: &mut State, resource: &Resource, key: i64) {
    state.remove(resource.collection, key);
    for child in RESOURCES.iter().filter(|child| {
        child
            .parent
            .is_some_and(|(collection, _)| collection == resource.collection)
    }) {
        let Some((_, field)) = child.parent else {
            continue;
        };
        let keys: Vec<i64> = state
            .iter(child.collection)
            .filter(|record| record.get(field).and_then(Value::as_i64) == Some(key))
            .filter_map(|record| {
                record
                    .get(key_field(child.collection))
                    .and_then(Value::as_i64)
            })
            .collect();
        for child_key in keys {
            state.remove(child.collection, child_key);
        }
    }
    if resource.collection == "tickets" {
        let keys: Vec<i64> = state
            .iter("conversations")
            .filter(|record| record.get("ticket_id").and_then(Value::as_i64) == Some(key))
            .filter_map(|record| record.get("id").and_then(Value::as_i64))
            .collect();
        for conversation in keys {
            state.remove("conversations", conversation);
        }
    }
}

/// The oldest `created_at` a default ticket list shows.
pub(crate) fn thirty_days_before(now: i64) -> i64 {
    now - 30 * DAY
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn merge_goes_one_level_into_custom_fields() {
        let mut record = json!({"a": 1, "custom_fields": {"x": 1, "y": 2}})
            .as_object()
            .unwrap()
            .clone();
        let body = json!({"a": 2, "custom_fields": {"y": 3, "z": 4}, "tags": ["t"]})
            .as_object()
            .unwrap()
            .clone();
        merge(&mut record, body);
        assert_eq!(
            Value::Object(record),
            json!({"a": 2, "custom_fields": {"x": 1, "y": 3, "z": 4}, "tags": ["t"]})
        );
    }

    #[test]
    fn newest_first_sorts_by_created_at_then_key() {
        let mut items = vec![
            json!({"id": 1, "created_at": "2025-01-02T00:00:00Z"}),
            json!({"id": 2, "created_at": "2025-01-03T00:00:00Z"}),
            json!({"id": 3, "created_at": "2025-01-02T00:00:00Z"}),
        ];
        sort(&mut items, "tickets", true);
        let ids: Vec<i64> = items
            .iter()
            .map(|item| item["id"].as_i64().unwrap())
            .collect();
        assert_eq!(ids, vec![2, 3, 1]);
        sort(&mut items, "tickets", false);
        let ids: Vec<i64> = items
            .iter()
            .map(|item| item["id"].as_i64().unwrap())
            .collect();
        assert_eq!(ids, vec![1, 2, 3]);
    }
}
