//! The one wiremock responder: authentication, rate limiting and dispatch of every request to a handler.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use base64::Engine as _;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use serde_json::{Value, json};
use wiremock::{Request, Respond, ResponseTemplate};

use crate::faults::Fault;

use crate::{
    State, WorkspaceMode,
    account::{FormModule, Profile},
    catalog_index::{CatalogIndex, Matched},
    clock::Clock,
    handlers,
    ratelimit::{Charge, RateLimiter},
    resources::{DeleteMode, FILTERS, FilterEndpoint, RESOURCES, Resource, resource},
    validate::FieldError,
};

/// Everything set when the sandbox starts.
#[derive(Debug)]
pub(crate) struct Config {
    pub(crate) api_key: String,
    pub(crate) mode: WorkspaceMode,
    /// `http://127.0.0.1:PORT`, for `Location` and `Link` headers.
    pub(crate) base_url: String,
}

/// What changes while the sandbox runs.
#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) state: State,
    /// The account's form fields and whether they may be read.
    pub(crate) profile: Profile,
    pub(crate) clock: Clock,
    pub(crate) limiter: RateLimiter,
    /// Faults a test injected on chosen operations.
    pub(crate) faults: crate::faults::Faults,
}

/// Shared between the [`Sandbox`](crate::Sandbox) handle and the responder.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) config: Config,
    pub(crate) inner: Mutex<Inner>,
    pub(crate) catalog: CatalogIndex,
}

impl Shared {
    /// The state, even after a panic in another thread: the data is plain JSON and stays usable.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The catch-all responder mounted on the mock server.
#[derive(Debug)]
pub(crate) struct Router(pub(crate) Arc<Shared>);

/// One HTTP request, decoded.
#[derive(Debug)]
pub(crate) struct Call {
    pub(crate) method: http::Method,
    /// The path as received (percent-encoded), for `Link` headers.
    pub(crate) raw_path: String,
    /// Decoded path segments after `/api/v2`.
    pub(crate) segments: Vec<String>,
    /// Decoded query pairs in order.
    pub(crate) query: Vec<(String, String)>,
    /// The JSON body: `Ok(None)` when empty, `Err` with the parser's message when it is not JSON.
    pub(crate) body: Result<Option<Value>, String>,
}

impl Call {
    fn from_request(request: &Request) -> Option<Call> {
        let raw_path = request.url.path().to_owned();
        let rest = raw_path.strip_prefix("/api/v2")?;
        if !(rest.is_empty() || rest.starts_with('/')) {
            return None;
        }
        let segments = rest
            .split('/')
            .filter(|segment| !segment.is_empty())
            .map(|segment| percent_decode_str(segment).decode_utf8_lossy().into_owned())
            .collect();
        let query = request
            .url
            .query()
            .map(|query| {
                query
                    .split('&')
                    .filter(|pair| !pair.is_empty())
                    .map(|pair| {
                        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                        (decode_query(key), decode_query(value))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let body = if request.body.iter().all(u8::is_ascii_whitespace) {
            Ok(None)
        } else {
            serde_json::from_slice(&request.body)
                .map(Some)
                .map_err(|error| error.to_string())
        };
        Some(Call {
            method: request.method.clone(),
            raw_path,
            segments,
            query,
            body,
        })
    }

    /// The first value of a query parameter.
    pub(crate) fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// The embeds asked for with `include=a,b`.
    pub(crate) fn includes(&self) -> Vec<&str> {
        self.query("include")
            .map(|value| {
                value
                    .split(',')
                    .map(str::trim)
                    .filter(|part| !part.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }

    fn segment_refs(&self) -> Vec<&str> {
        self.segments.iter().map(String::as_str).collect()
    }
}

/// Query values are form-encoded by some clients (`+` for space) and percent-encoded by others.
fn decode_query(text: &str) -> String {
    percent_decode_str(&text.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

/// Characters escaped when the sandbox writes a query string (everything but RFC 3986 unreserved).
const QUERY_ESCAPES: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes one query key or value.
pub(crate) fn encode_query(text: &str) -> String {
    utf8_percent_encode(text, QUERY_ESCAPES).to_string()
}

/// An answer before it becomes a wiremock response.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: Option<Value>,
    pub(crate) headers: Vec<(String, String)>,
}

impl Reply {
    pub(crate) fn json(status: u16, body: Value) -> Reply {
        Reply {
            status,
            body: Some(body),
            headers: Vec::new(),
        }
    }

    pub(crate) fn ok(body: Value) -> Reply {
        Reply::json(200, body)
    }

    pub(crate) fn no_content() -> Reply {
        Reply {
            status: 204,
            body: None,
            headers: Vec::new(),
        }
    }

    /// A top-level `{"code", "message"}` error, the shape Freshservice uses outside validation errors.
    pub(crate) fn error(status: u16, code: &str, message: impl Into<String>) -> Reply {
        Reply::json(status, json!({"code": code, "message": message.into()}))
    }

    pub(crate) fn not_found(noun: &str, key: i64) -> Reply {
        Reply::error(
            404,
            "not_found",
            format!("there is no {noun} with id {key}"),
        )
    }

    /// The 400 validation body: `{"description": "Validation failed", "errors": [...]}`.
    pub(crate) fn validation(errors: &[FieldError]) -> Reply {
        let errors: Vec<Value> = errors
            .iter()
            .map(
                |error| json!({"field": error.field, "message": error.message, "code": error.code}),
            )
            .collect();
        Reply::json(
            400,
            json!({"description": "Validation failed", "errors": errors}),
        )
    }

    pub(crate) fn invalid(field: &str, message: impl Into<String>) -> Reply {
        Reply::validation(&[FieldError::invalid(field, message)])
    }

    pub(crate) fn with_header(mut self, name: &str, value: impl Into<String>) -> Reply {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    fn render(self, charge: Option<Charge>) -> ResponseTemplate {
        let mut template = ResponseTemplate::new(self.status)
            .insert_header("X-Freshservice-Api-Version", "latest=v2; requested=v2");
        if let Some(charge) = charge {
            template = template
                .insert_header("X-RateLimit-Total", charge.total.to_string().as_str())
                .insert_header(
                    "X-RateLimit-Remaining",
                    charge.remaining.to_string().as_str(),
                )
                .insert_header(
                    "X-RateLimit-Used-CurrentRequest",
                    charge.used.to_string().as_str(),
                );
            if let Some(seconds) = charge.retry_after {
                template = template.insert_header("Retry-After", seconds.to_string().as_str());
            }
        }
        for (name, value) in &self.headers {
            template = template.append_header(name.as_str(), value.as_str());
        }
        if let Some(body) = self.body {
            let bytes = serde_json::to_vec(&body).unwrap_or_default();
            template = template.set_body_raw(bytes, "application/json; charset=utf-8");
        }
        template
    }
}

/// Where a request goes.
#[derive(Debug)]
pub(crate) enum Route {
    List(&'static Resource, Option<i64>),
    Filter(&'static FilterEndpoint, Option<i64>),
    Create(&'static Resource, Option<i64>),
    Get(&'static Resource, Option<i64>, i64),
    Update(&'static Resource, Option<i64>, i64),
    Delete(&'static Resource, Option<i64>, i64),
    Action(Action),
    Catalog(Matched),
    MethodNotAllowed,
    NotFound,
}

/// Endpoints with behaviour of their own.
#[derive(Debug)]
pub(crate) enum Action {
    Reply(i64),
    AddNote(i64),
    Conversations(i64),
    UpdateConversation(i64),
    DeleteConversation(i64),
    Restore(&'static Resource, i64),
    MoveWorkspace(&'static Resource, i64),
    DeleteForever(&'static Resource, i64),
    Forget(&'static Resource, i64),
    Reactivate(&'static Resource, i64),
    OnboardingTickets(i64),
    AssetRelationships(i64),
    BulkCreateRelationships,
    DeleteRelationships,
    ProjectTaskMeta(i64, &'static str),
    /// `GET /ticket_form_fields` and the other modules' form fields.
    FormFields(FormModule),
    /// `GET /requester_fields` and `/agent_fields`: the documented sample, unless form fields are refused.
    UserFields,
    /// `POST /ticket_fields/sources`.
    CreateSource,
}

impl Route {
    /// List calls cost two credits per embed, single-object calls one.
    fn is_list(&self) -> bool {
        match self {
            Route::List(..) | Route::Filter(..) => true,
            Route::Action(action) => matches!(
                action,
                Action::Conversations(_)
                    | Action::OnboardingTickets(_)
                    | Action::AssetRelationships(_)
            ),
            Route::Catalog(matched) => {
                matched.operation.kind == freshservice_schema::OperationKind::List
            }
            _ => false,
        }
    }
}

impl Respond for Router {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let shared = &self.0;
        let mut inner = shared.lock();
        if !authorized(request, &shared.config.api_key) {
            // Without valid credentials the request is not attributed to the account, so it costs nothing.
            let charge = inner.limiter.peek(Instant::now());
            return Reply::error(
                401,
                "invalid_credentials",
                "send the API key as the Basic auth user name (password X): Authorization: Basic base64(<api key>:X)",
            )
            .render(Some(charge));
        }
        let call = Call::from_request(request);
        let route = call.as_ref().map(|call| resolve(call, &shared.catalog));
        let cost = match (&call, &route) {
            (Some(call), Some(route)) => {
                let per_embed = if route.is_list() { 2 } else { 1 };
                let embeds = u32::try_from(call.includes().len()).unwrap_or(u32::MAX);
                embeds.saturating_mul(per_embed).saturating_add(1)
            }
            _ => 1,
        };
        let charge = inner.limiter.charge(cost, Instant::now());
        if charge.retry_after.is_some() {
            return Reply::error(
                429,
                "rate_limit_exceeded",
                format!(
                    "the account has used its {} API credits for this minute; retry after the Retry-After seconds",
                    charge.total
                ),
            )
            .render(Some(charge));
        }
        let fault = call.as_ref().and_then(|call| {
            let segments: Vec<&str> = call.segments.iter().map(String::as_str).collect();
            let operation = shared.catalog.find(&call.method, &segments)?.operation;
            inner.faults.take(&operation.name)
        });
        let mut delay = None;
        match fault {
            Some(Fault::Status(status)) => {
                return Reply::error(status, "injected_fault", "a fault the test injected")
                    .render(Some(charge));
            }
            Some(Fault::RateLimited { retry_after }) => {
                return Reply::error(
                    429,
                    "rate_limit_exceeded",
                    "a burst of 429s the test injected; retry after the Retry-After seconds",
                )
                .with_header("Retry-After", retry_after.as_secs().max(1).to_string())
                .render(Some(charge));
            }
            Some(Fault::MalformedBody) => {
                return ResponseTemplate::new(200).set_body_raw(
                    &b"{\"ticket\": {\"id\": 1, "[..],
                    "application/json; charset=utf-8",
                );
            }
            Some(Fault::Delay(pause)) => delay = Some(pause),
            None => {}
        }
        let reply = match (call, route) {
            (Some(call), Some(route)) => {
                let now = inner.clock.now();
                let inner = &mut *inner;
                let mut context = handlers::Context {
                    state: &mut inner.state,
                    profile: &mut inner.profile,
                    now,
                    config: &shared.config,
                    catalog: &shared.catalog,
                    call: &call,
                };
                handlers::handle(&mut context, route)
            }
            _ => Reply::error(
                404,
                "not_found",
                format!(
                    "no Freshservice API endpoint at {}; paths start with /api/v2/",
                    request.url.path()
                ),
            ),
        };
        let template = reply.render(Some(charge));
        match delay {
            Some(pause) => template.set_delay(pause),
            None => template,
        }
    }
}

fn authorized(request: &Request, api_key: &str) -> bool {
    let Some(header) = request
        .headers
        .get(http::header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
    else {
        return false;
    };
    let Some(encoded) = header
        .strip_prefix("Basic ")
        .or_else(|| header.strip_prefix("basic "))
    else {
        return false;
    };
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else {
        return false;
    };
    let Ok(text) = String::from_utf8(decoded) else {
        return false;
    };
    let user = text.split_once(':').map_or(text.as_str(), |(user, _)| user);
    user == api_key
}

/// Fits `segments` to a resource path; `Some(parent id)` when it fits (the parent is `None` for top-level paths).
fn fit(template: &[&str], segments: &[&str]) -> Option<Option<i64>> {
    if template.len() != segments.len() {
        return None;
    }
    let mut parent = None;
    for (expected, given) in template.iter().zip(segments) {
        if *expected == "{}" {
            parent = Some(given.parse::<i64>().ok()?);
        } else if expected != given {
            return None;
        }
    }
    Some(parent)
}

/// Picks the route for a call.
pub(crate) fn resolve(call: &Call, catalog: &CatalogIndex) -> Route {
    use http::Method;

    let segments = call.segment_refs();
    let method = &call.method;
    if let Some(route) = special(method, &segments) {
        return route;
    }
    if method == Method::GET {
        for endpoint in FILTERS {
            if let Some(parent) = fit(endpoint.path, &segments) {
                let dedicated = endpoint.path.last() == Some(&"filter");
                if dedicated || call.query(endpoint.param).is_some() {
                    return Route::Filter(endpoint, parent);
                }
            }
        }
    }
    let mut item_with_bad_key = false;
    for resource in RESOURCES {
        if let Some(parent) = fit(resource.path, &segments) {
            match *method {
                Method::GET => return Route::List(resource, parent),
                Method::POST if resource.creatable => return Route::Create(resource, parent),
                _ => {}
            }
        }
        if let Some((last, prefix)) = segments.split_last()
            && let Some(parent) = fit(resource.path, prefix)
        {
            let Ok(key) = last.parse::<i64>() else {
                item_with_bad_key = true;
                continue;
            };
            match *method {
                Method::GET => return Route::Get(resource, parent, key),
                Method::PUT if resource.updatable => return Route::Update(resource, parent, key),
                Method::DELETE if resource.delete != DeleteMode::Forbidden => {
                    return Route::Delete(resource, parent, key);
                }
                _ => {}
            }
        }
    }
    if let Some(matched) = catalog.find(method, &segments) {
        let id_like = !matched.last_is_literal;
        if !(item_with_bad_key && id_like) {
            return Route::Catalog(matched);
        }
        return Route::NotFound;
    }
    let resource_path = RESOURCES.iter().any(|resource| {
        fit(resource.path, &segments).is_some()
            || segments
                .split_last()
                .is_some_and(|(_, prefix)| fit(resource.path, prefix).is_some())
    });
    if resource_path || catalog.knows_path(&segments) {
        Route::MethodNotAllowed
    } else {
        Route::NotFound
    }
}

fn special(method: &http::Method, segments: &[&str]) -> Option<Route> {
    use http::Method;

    let id = |text: &str| text.parse::<i64>().ok();
    let known = |collection: &str| resource(collection);
    let route = match (method.clone(), segments) {
        (Method::POST, ["tickets", ticket, "reply"]) => Route::Action(Action::Reply(id(ticket)?)),
        (Method::POST, ["tickets", ticket, "notes"]) => Route::Action(Action::AddNote(id(ticket)?)),
        (Method::GET, ["tickets", ticket, "conversations"]) => {
            Route::Action(Action::Conversations(id(ticket)?))
        }
        (Method::PUT, ["conversations", conversation]) => {
            Route::Action(Action::UpdateConversation(id(conversation)?))
        }
        (Method::DELETE, ["conversations", conversation]) => {
            Route::Action(Action::DeleteConversation(id(conversation)?))
        }
        (
            Method::PUT,
            [
                collection @ ("tickets" | "problems" | "releases" | "assets"),
                key,
                "restore",
            ],
        ) => Route::Action(Action::Restore(known(collection)?, id(key)?)),
        (
            Method::PUT,
            [
                collection @ ("tickets" | "problems" | "changes" | "releases" | "assets"),
                key,
                "move_workspace",
            ],
        ) => Route::Action(Action::MoveWorkspace(known(collection)?, id(key)?)),
        (Method::PUT, ["assets", key, "delete_forever"]) => {
            Route::Action(Action::DeleteForever(known("assets")?, id(key)?))
        }
        (Method::DELETE, [collection @ ("agents" | "requesters"), key, "forget"]) => {
            Route::Action(Action::Forget(known(collection)?, id(key)?))
        }
        (Method::PUT, [collection @ ("agents" | "requesters"), key, "reactivate"]) => {
            Route::Action(Action::Reactivate(known(collection)?, id(key)?))
        }
        (Method::GET, ["onboarding_requests", request, "tickets"]) => {
            Route::Action(Action::OnboardingTickets(id(request)?))
        }
        (Method::GET, ["assets", key, "relationships"]) => {
            Route::Action(Action::AssetRelationships(id(key)?))
        }
        (Method::POST, ["relationships", "bulk-create"]) => {
            Route::Action(Action::BulkCreateRelationships)
        }
        (Method::DELETE, ["relationships"]) => Route::Action(Action::DeleteRelationships),
        (
            Method::GET,
            [
                "pm",
                "projects",
                project,
                kind @ ("task-types" | "task-statuses" | "task-priorities"),
            ],
        ) => {
            let kind = match *kind {
                "task-types" => "task_types",
                "task-statuses" => "task_statuses",
                _ => "task_priorities",
            };
            Route::Action(Action::ProjectTaskMeta(id(project)?, kind))
        }
        (Method::PUT, ["pm", "projects", project, "task", task]) => {
            Route::Update(known("project_tasks")?, Some(id(project)?), id(task)?)
        }
        (Method::GET, [segment]) if FormModule::from_path(segment).is_some() => {
            Route::Action(Action::FormFields(FormModule::from_path(segment)?))
        }
        (Method::GET, ["requester_fields" | "agent_fields"]) => Route::Action(Action::UserFields),
        (Method::POST, ["ticket_fields", "sources"]) => Route::Action(Action::CreateSource),
        (Method::POST, ["workspace"]) => Route::Create(known("workspaces")?, None),
        (Method::PUT | Method::DELETE, ["workspace", key]) => {
            let workspaces = known("workspaces")?;
            if method == Method::PUT {
                Route::Update(workspaces, None, id(key)?)
            } else {
                Route::Delete(workspaces, None, id(key)?)
            }
        }
        _ => return None,
    };
    Some(route)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(method: http::Method, path: &str) -> Option<Call> {
        let url: url::Url = format!("http://127.0.0.1{path}").parse().unwrap();
        let request = Request {
            url,
            method,
            headers: http::HeaderMap::new(),
            body: Vec::new(),
        };
        Call::from_request(&request)
    }

    #[test]
    fn routes() {
        let catalog = CatalogIndex::new(freshservice_schema::catalog().operations());
        let check = |method: http::Method, path: &str, expected: &str| {
            let Some(parsed) = call(method.clone(), path) else {
                assert_eq!("404", expected, "{method} {path}");
                return;
            };
            let route = resolve(&parsed, &catalog);
            let got = match &route {
                Route::List(resource, parent) => format!("list {} {parent:?}", resource.collection),
                Route::Filter(endpoint, parent) => {
                    format!("filter {} {parent:?}", endpoint.collection)
                }
                Route::Create(resource, parent) => {
                    format!("create {} {parent:?}", resource.collection)
                }
                Route::Get(resource, parent, key) => {
                    format!("get {} {parent:?} {key}", resource.collection)
                }
                Route::Update(resource, parent, key) => {
                    format!("update {} {parent:?} {key}", resource.collection)
                }
                Route::Delete(resource, parent, key) => {
                    format!("delete {} {parent:?} {key}", resource.collection)
                }
                Route::Action(action) => format!("action {action:?}"),
                Route::Catalog(matched) => format!("catalog {}", matched.operation.name),
                Route::MethodNotAllowed => "405".to_owned(),
                Route::NotFound => "404".to_owned(),
            };
            assert_eq!(got, expected, "{method} {path}");
        };
        use http::Method;
        check(Method::GET, "/api/v2/tickets", "list tickets None");
        check(
            Method::GET,
            "/api/v2/tickets/filter?query=%22a:1%22",
            "filter tickets None",
        );
        check(
            Method::GET,
            "/api/v2/changes?query=%22a:1%22",
            "filter changes None",
        );
        check(Method::GET, "/api/v2/changes", "list changes None");
        check(Method::GET, "/api/v2/assets?filter=x", "filter assets None");
        check(Method::POST, "/api/v2/tickets", "create tickets None");
        check(Method::PUT, "/api/v2/tickets", "405");
        check(Method::GET, "/api/v2/tickets/7", "get tickets None 7");
        check(Method::GET, "/api/v2/tickets/seven", "404");
        check(
            Method::DELETE,
            "/api/v2/tickets/7/tasks/3",
            "delete ticket_tasks Some(7) 3",
        );
        check(
            Method::GET,
            "/api/v2/pm/projects/2/tasks/filter?query=x",
            "filter project_tasks Some(2)",
        );
        check(
            Method::PUT,
            "/api/v2/pm/projects/2/task/5",
            "update project_tasks Some(2) 5",
        );
        check(Method::POST, "/api/v2/tickets/4/reply", "action Reply(4)");
        check(Method::PUT, "/api/v2/onboarding_requests/4", "405");
        check(Method::GET, "/api/v2/nothing/here", "404");
        check(Method::GET, "/elsewhere", "404");
    }

    #[test]
    fn query_decoding_accepts_both_encodings() {
        let parsed = call(
            http::Method::GET,
            "/api/v2/x?query=%22a%3A1%20AND+b%3A2%22&page=2",
        )
        .unwrap();
        assert_eq!(parsed.query("query"), Some("\"a:1 AND b:2\""));
        assert_eq!(parsed.query("page"), Some("2"));
        assert_eq!(encode_query("\"a:1 b\""), "%22a%3A1%20b%22");
    }
}
