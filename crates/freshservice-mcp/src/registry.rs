//! The tool registry: every catalogue operation turned into its MCP tool definition once per
//! process, and per-server views that apply the method, tag and workspace rules.
//!
//! Compiling ~450 JSON Schemas into validators is the expensive part, and a session rarely calls
//! more than a few tools, so each tool's argument router (and its validator) is compiled on the
//! tool's first call and kept for the life of the process. Start-up and `tools/list` never pay
//! for it. A provisioned server is a cheap view (references plus a few edited tool definitions).

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use freshservice_schema::{
    AccountProfile, Catalog, FilterEndpoint, Operation, OperationKind, ProfileSource,
};
use mcp_messages::{JsonObject, Tool, ToolAnnotations};
use serde_json::{Value, json};

use crate::record_scope::{RecordScope, RecordTarget};
use crate::{Error, ToolFilter};

/// The name of the parameter that selects a workspace, wherever an operation takes it.
pub(crate) const WORKSPACE_PARAM: &str = "workspace_id";

/// One catalogue operation, compiled.
#[derive(Debug)]
pub(crate) struct ToolEntry {
    pub(crate) tool: Tool,
    pub(crate) operation: &'static Operation,
    /// Compiled on first use; an error is kept as its message (and cannot happen for the built-in
    /// catalogue, which a unit test compiles in full).
    router: OnceLock<Result<arg_router::Operation, String>>,
    pub(crate) takes_workspace: bool,
    /// Parameters holding a filter query, checked locally before anything is sent, with the
    /// endpoint's filterable fields when they are documented.
    pub(crate) query_params: Vec<(String, Option<&'static FilterEndpoint>)>,
    /// The arguments this server adds to the operation's own (shaping, paging, dry runs).
    pub(crate) meta: MetaArgs,
}

/// Arguments the server adds to a tool; they are taken out before the request is routed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct MetaArgs {
    /// `fields` and `include_html` on reads.
    pub(crate) shaping: bool,
    /// `max_items` on lists that page.
    pub(crate) max_items: bool,
    /// `dry_run` on writes.
    pub(crate) dry_run: bool,
}

impl ToolEntry {
    /// The operation's argument router, compiled on the first call of this tool.
    ///
    /// # Errors
    ///
    /// Why the operation's schema or path cannot be compiled.
    pub(crate) fn router(&self) -> Result<&arg_router::Operation, &str> {
        self.router
            .get_or_init(|| router_for(self.operation).map_err(|error| error.to_string()))
            .as_ref()
            .map_err(String::as_str)
    }
}

impl MetaArgs {
    fn for_operation(operation: &Operation) -> Self {
        let has = |name: &str| operation.params.iter().any(|param| param.name == name);
        let read = operation.is_read_only();
        Self {
            shaping: read && !has("fields") && !has("include_html"),
            max_items: read
                && operation.kind == OperationKind::List
                && has("page")
                && !has("max_items"),
            dry_run: !read && !has("dry_run"),
        }
    }

    /// Adds the schemas of these arguments to a tool's input schema.
    ///
    /// They carry no `description`: each name says what it does (`fields` to keep, `include_html`,
    /// `max_items` to collect across pages, `dry_run`), and the same sentence on hundreds of tools
    /// would cost more bytes of `tools/list` than all other parameter descriptions together. The
    /// server's instructions explain them once.
    fn extend_schema(self, schema: &mut JsonObject) {
        let Some(Value::Object(properties)) = schema.get_mut("properties") else {
            return;
        };
        if self.shaping {
            properties.insert(
                "fields".into(),
                json!({"type": "array", "items": {"type": "string", "minLength": 1}}),
            );
            properties.insert("include_html".into(), json!({"type": "boolean"}));
        }
        if self.max_items {
            properties.insert(
                "max_items".into(),
                json!({"type": "integer", "minimum": 1, "maximum": MAX_ITEMS}),
            );
        }
        if self.dry_run {
            properties.insert("dry_run".into(), json!({"type": "boolean"}));
        }
    }
}

/// The most records `max_items` may ask for: enough for an agent, bounded so one call cannot
/// spend the account's whole rate limit.
pub(crate) const MAX_ITEMS: u64 = 1000;

/// Every catalogue operation, sorted by name (so cursors are stable).
#[derive(Debug)]
pub(crate) struct Registry {
    entries: Vec<ToolEntry>,
}

/// The compiled registry of the built-in catalogue, built on first use.
pub(crate) fn compiled() -> Result<&'static Registry, Error> {
    static COMPILED: OnceLock<Result<Registry, (String, String)>> = OnceLock::new();
    let compiled = COMPILED.get_or_init(|| {
        Registry::compile(freshservice_schema::catalog()).map_err(|error| match error {
            Error::InvalidOperation { name, reason } => (name, reason),
            other => (String::new(), other.to_string()),
        })
    });
    match compiled {
        Ok(registry) => Ok(registry),
        Err((name, reason)) => Err(Error::InvalidOperation {
            name: name.clone(),
            reason: reason.clone(),
        }),
    }
}

impl Registry {
    /// The compiled entry of a catalogue operation, by name.
    #[cfg(test)]
    pub(crate) fn entry(&self, name: &str) -> Option<&ToolEntry> {
        self.entries.iter().find(|entry| entry.tool.name == name)
    }

    fn compile(catalog: &'static Catalog) -> Result<Self, Error> {
        let entries = catalog
            .operations()
            .iter()
            .map(entry_for)
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(Self { entries })
    }
}

/// How a server treats `workspace_id` on the tools that take it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum WorkspaceRule {
    /// No scope: the caller chooses (or omits) the workspace.
    Free,
    /// One workspace: the server fills it in and the parameter is hidden.
    Fixed(i64),
    /// Several workspaces: the caller must name one of them.
    OneOf(Vec<i64>),
}

impl WorkspaceRule {
    pub(crate) fn from_scope(workspaces: &[i64]) -> Result<Self, Error> {
        if let Some(bad) = workspaces.iter().find(|id| **id < 2) {
            return Err(Error::InvalidWorkspace { id: *bad });
        }
        let mut ids = workspaces.to_vec();
        ids.sort_unstable();
        ids.dedup();
        Ok(match ids.as_slice() {
            [] => Self::Free,
            [only] => Self::Fixed(*only),
            _ => Self::OneOf(ids),
        })
    }
}

/// A tool as one server exposes it.
#[derive(Debug)]
pub(crate) struct ExposedTool {
    pub(crate) entry: &'static ToolEntry,
    /// The registry's definition, unless the workspace rule or the account's profile edits it.
    pub(crate) tool: Cow<'static, Tool>,
    pub(crate) workspace: WorkspaceRule,
    /// The account's version of the operation, when the account's form fields shape it.
    account: Option<AccountShaped>,
    /// On a workspace-scoped server, the record whose workspace this tool's call must check.
    pub(crate) record: Option<RecordCheck>,
}

/// The record a call acts on and the server's scope it is checked against.
#[derive(Debug)]
pub(crate) struct RecordCheck {
    pub(crate) target: &'static RecordTarget,
    /// Shared by every tool of the server's view, with what it remembers of records.
    pub(crate) scope: Arc<RecordScope>,
}

/// What an account's profile changes in one operation: its router follows the overlaid schema.
#[derive(Debug)]
struct AccountShaped {
    profile: Arc<AccountProfile>,
    workspace: Option<i64>,
    /// Compiled on the first call, like the registry's.
    router: OnceLock<Result<arg_router::Operation, String>>,
}

impl ExposedTool {
    /// The argument router: the account's when its profile shapes the operation, the
    /// catalogue's otherwise.
    ///
    /// # Errors
    ///
    /// Why the operation's schema or path cannot be compiled.
    pub(crate) fn router(&self) -> Result<&arg_router::Operation, &str> {
        match &self.account {
            None => self.entry.router(),
            Some(shaped) => shaped
                .router
                .get_or_init(|| {
                    self.entry
                        .operation
                        .router_for(&shaped.profile, shaped.workspace)
                        .map_err(|error| error.to_string())
                })
                .as_ref()
                .map_err(String::as_str),
        }
    }

    /// Whether the account's form fields shaped this tool.
    pub(crate) fn is_account_shaped(&self) -> bool {
        self.account.is_some()
    }

    /// Applies the workspace rule to the caller's arguments, or says why the call is refused.
    pub(crate) fn scope_arguments(&self, arguments: &mut JsonObject) -> Result<(), String> {
        let given = arguments.get(WORKSPACE_PARAM);
        match &self.workspace {
            WorkspaceRule::Free => Ok(()),
            WorkspaceRule::Fixed(id) => {
                if let Some(value) = given
                    && value.as_i64() != Some(*id)
                {
                    return Err(format!(
                        "/workspace_id: this server works only in workspace {id}; leave workspace_id out and the server fills it in (got {value})"
                    ));
                }
                arguments.insert(WORKSPACE_PARAM.into(), Value::from(*id));
                Ok(())
            }
            WorkspaceRule::OneOf(ids) => match given.and_then(Value::as_i64) {
                Some(id) if ids.contains(&id) => Ok(()),
                Some(id) => Err(format!(
                    "/workspace_id: this server is limited to workspaces {ids:?}; workspace {id} is not one of them (0 = all and 1 = global are never allowed here)"
                )),
                None => Err(format!(
                    "/workspace_id: required on this server; pass one of {ids:?}"
                )),
            },
        }
    }
}

/// The tools one server exposes, in registry order.
#[derive(Debug)]
pub(crate) struct View {
    tools: Vec<ExposedTool>,
    by_name: HashMap<String, usize>,
}

impl View {
    pub(crate) fn build(
        registry: &'static Registry,
        catalog: &'static Catalog,
        filter: &ToolFilter,
        workspace: &WorkspaceRule,
        profile: Option<&Arc<AccountProfile>>,
    ) -> Result<Self, Error> {
        let known_tags = catalog.tags();
        for tag in &filter.tags {
            if !known_tags.contains(&tag.as_str()) {
                return Err(Error::UnknownTag {
                    value: tag.clone(),
                    known: known_tags.join(", "),
                });
            }
        }
        // One per view: a view belongs to one server (one account, one scope), so what it
        // remembers about records is never seen by a server of another scope.
        let record_scope = match workspace {
            WorkspaceRule::Free => None,
            WorkspaceRule::Fixed(id) => Some(Arc::new(RecordScope::new(vec![*id]))),
            WorkspaceRule::OneOf(ids) => Some(Arc::new(RecordScope::new(ids.clone()))),
        };
        let mut tools = Vec::new();
        for entry in &registry.entries {
            let Some(operation) = catalog.get(&entry.tool.name) else {
                continue;
            };
            if !filter.allows(operation) {
                continue;
            }
            let rule = if entry.takes_workspace {
                workspace.clone()
            } else {
                WorkspaceRule::Free
            };
            let account = profile
                .filter(|_| ProfileSource::for_operation(&operation.name).is_some())
                .map(|profile| AccountShaped {
                    profile: Arc::clone(profile),
                    // Several workspaces have several sets of fields: the account-wide ones
                    // (global and primary) are the fair common ground.
                    workspace: match workspace {
                        WorkspaceRule::Fixed(id) => Some(*id),
                        _ => None,
                    },
                    router: OnceLock::new(),
                });
            let base: Cow<'static, Tool> = match &account {
                None => Cow::Borrowed(&entry.tool),
                Some(shaped) => Cow::Owned(account_tool(entry, &shaped.profile, shaped.workspace)),
            };
            let tool = match &rule {
                WorkspaceRule::Free => base,
                scoped => Cow::Owned(scoped_tool(&base, scoped)),
            };
            let record = record_scope.as_ref().and_then(|scope| {
                crate::record_scope::targets()
                    .get(operation.name.as_str())
                    .map(|target| RecordCheck {
                        target,
                        scope: Arc::clone(scope),
                    })
            });
            tools.push(ExposedTool {
                entry,
                tool,
                workspace: rule,
                account,
                record,
            });
        }
        if tools.is_empty() {
            return Err(Error::NoToolsLeft);
        }
        let by_name = tools
            .iter()
            .enumerate()
            .map(|(index, exposed)| (exposed.tool.name.clone(), index))
            .collect();
        Ok(Self { tools, by_name })
    }

    pub(crate) fn get(&self, name: &str) -> Option<&ExposedTool> {
        self.by_name.get(name).map(|index| &self.tools[*index])
    }

    pub(crate) fn tools(&self) -> &[ExposedTool] {
        &self.tools
    }
}

/// The registry's tool with the account's version of its input schema (the server's own
/// arguments added as usual).
fn account_tool(entry: &ToolEntry, profile: &AccountProfile, workspace: Option<i64>) -> Tool {
    let mut tool = entry.tool.clone();
    if let Value::Object(mut schema) = entry.operation.input_schema_for(profile, workspace) {
        if schema
            .get("required")
            .and_then(Value::as_array)
            .is_some_and(Vec::is_empty)
        {
            schema.shift_remove("required");
        }
        entry.meta.extend_schema(&mut schema);
        tool.input_schema = schema;
    }
    tool
}

/// The tool definition a workspace-scoped server shows: `workspace_id` hidden (one workspace) or
/// required and limited to the allowed ids (several).
fn scoped_tool(tool: &Tool, rule: &WorkspaceRule) -> Tool {
    let mut tool = tool.clone();
    let schema = &mut tool.input_schema;
    let mut required: Vec<Value> = schema
        .get("required")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    required.retain(|name| name != WORKSPACE_PARAM);
    match rule {
        WorkspaceRule::Fixed(_) => {
            if let Some(Value::Object(properties)) = schema.get_mut("properties") {
                properties.shift_remove(WORKSPACE_PARAM);
            }
        }
        WorkspaceRule::OneOf(ids) => {
            if let Some(Value::Object(properties)) = schema.get_mut("properties") {
                properties.insert(
                    WORKSPACE_PARAM.into(),
                    json!({
                        "type": "integer",
                        "enum": ids,
                        "description": format!("Workspace to work in; this server allows only {ids:?}"),
                    }),
                );
            }
            required.push(Value::from(WORKSPACE_PARAM));
        }
        WorkspaceRule::Free => {}
    }
    if required.is_empty() {
        schema.remove("required");
    } else {
        schema.insert("required".into(), Value::Array(required));
    }
    tool
}

/// The argument router of an operation: path template, parameter placement and the compiled
/// input schema (without the server's own arguments, which are taken out before routing).
fn router_for(operation: &Operation) -> Result<arg_router::Operation, Error> {
    operation.router().map_err(|error| Error::InvalidOperation {
        name: operation.name.clone(),
        reason: error.to_string(),
    })
}

fn entry_for(operation: &'static Operation) -> Result<ToolEntry, Error> {
    let serde_json::Value::Object(schema_object) = operation.input_schema() else {
        return Err(Error::InvalidOperation {
            name: operation.name.clone(),
            reason: "input schema is not a JSON object".into(),
        });
    };
    let mut tool = Tool::new(&operation.name, &operation.description, schema_object)
        .with_title(&operation.title);
    let annotations = annotations_for(operation);
    if annotations != ToolAnnotations::default() {
        tool = tool.with_annotations(annotations);
    }
    // An empty `required` says nothing a missing one does not.
    if tool
        .input_schema
        .get("required")
        .and_then(Value::as_array)
        .is_some_and(Vec::is_empty)
    {
        tool.input_schema.shift_remove("required");
    }
    let takes_workspace = operation
        .params
        .iter()
        .any(|param| param.name == WORKSPACE_PARAM);
    let query_params = operation
        .params
        .iter()
        .filter(|param| param.quoted)
        .map(|param| {
            (
                param.name.clone(),
                freshservice_schema::filter_endpoint(&operation.path, &param.name),
            )
        })
        .collect();
    let meta = MetaArgs::for_operation(operation);
    meta.extend_schema(&mut tool.input_schema);
    Ok(ToolEntry {
        tool,
        operation,
        router: OnceLock::new(),
        takes_workspace,
        query_params,
        meta,
    })
}

/// Reads are safe; creates add without overwriting; updates and deletes overwrite, and
/// repeating them changes nothing further.
///
/// Only hints that differ from the MCP defaults are written (readOnly false, destructive true,
/// idempotent false, openWorld true): a client reads a missing hint as its default, so the
/// meaning is the same and `tools/list` is smaller. Every tool reaches Freshservice, so
/// `openWorldHint` is always the default; the title is the tool's own `title`.
fn annotations_for(operation: &Operation) -> ToolAnnotations {
    let mut annotations = ToolAnnotations::default();
    if operation.is_read_only() {
        annotations.read_only_hint = Some(true);
        return annotations;
    }
    let (destructive, idempotent) = match operation.kind {
        OperationKind::Create => (false, false),
        OperationKind::Update | OperationKind::Delete => (true, true),
        _ => (true, false),
    };
    annotations.destructive_hint = (!destructive).then_some(false);
    annotations.idempotent_hint = idempotent.then_some(true);
    annotations
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(filter: &ToolFilter, workspaces: &[i64]) -> Result<View, Error> {
        View::build(
            compiled().unwrap(),
            freshservice_schema::catalog(),
            filter,
            &WorkspaceRule::from_scope(workspaces)?,
            None,
        )
    }

    #[test]
    fn every_catalogue_operation_becomes_a_valid_tool() {
        let view = view(&ToolFilter::all(), &[]).unwrap();
        assert_eq!(
            view.tools().len(),
            freshservice_schema::catalog().operations().len()
        );
        for exposed in view.tools() {
            let tool = &exposed.tool;
            assert!(
                mcp_messages::is_valid_tool_name(&tool.name),
                "{}",
                tool.name
            );
            assert_eq!(tool.input_schema["type"], "object", "{}", tool.name);
            assert!(tool.description.as_deref().is_some_and(|d| !d.is_empty()));
            assert!(tool.title.as_deref().is_some_and(|t| !t.is_empty()));
            let operation = freshservice_schema::catalog().get(&tool.name).unwrap();
            let annotations = tool.annotations.clone().unwrap_or_default();
            // Missing hints are the MCP defaults: not read-only, destructive, not idempotent,
            // open world. The title is never repeated inside the annotations.
            assert_eq!(
                annotations.read_only_hint.unwrap_or(false),
                operation.is_read_only(),
                "{}",
                tool.name
            );
            assert_eq!(annotations.title, None, "{}", tool.name);
            assert_eq!(annotations.open_world_hint, None, "{}", tool.name);
            assert_ne!(annotations.read_only_hint, Some(false), "{}", tool.name);
            assert_ne!(annotations.destructive_hint, Some(true), "{}", tool.name);
            assert_ne!(annotations.idempotent_hint, Some(false), "{}", tool.name);
            assert_ne!(
                tool.input_schema.get("required"),
                Some(&json!([])),
                "{}",
                tool.name
            );
        }
    }

    /// The whole default catalogue, listed in full, as a client receives it: every `tools/list`
    /// page's tools joined into one `{"tools": [...]}`, serialised compactly (what
    /// `cargo xtask catalog report` prints as "tools/list as served, all mode").
    #[tokio::test]
    async fn the_full_listing_stays_under_its_byte_budget() {
        const BUDGET: usize = 300_000;
        let client = freshservice_client::Client::builder()
            .base_url("http://127.0.0.1:9")
            .api_key("size-test")
            .build()
            .unwrap();
        let service = crate::McpService::builder()
            .client(client)
            .tool_exposure(crate::ToolExposure::All)
            .build()
            .unwrap();
        let session = crate::Session::new();
        let mut next_id = 0;
        let mut call = async |method: &str, params: Value| {
            next_id += 1;
            let request = mcp_messages::Request::new(
                mcp_messages::RequestId::Number(next_id),
                method,
                Some(params),
            );
            match service.handle_request(&session, request, None).await {
                mcp_messages::Message::Response(response) => response.result,
                other => panic!("{method}: {other:?}"),
            }
        };
        call(
            "initialize",
            json!({"protocolVersion": mcp_messages::LATEST_LEGACY_PROTOCOL_VERSION,
                   "capabilities": {}, "clientInfo": {"name": "size-test", "version": "0"}}),
        )
        .await;
        let mut tools = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let params = match &cursor {
                Some(next) => json!({"cursor": next}),
                None => json!({}),
            };
            let page = call("tools/list", params).await;
            tools.extend(page["tools"].as_array().unwrap().iter().cloned());
            match page.get("nextCursor").and_then(Value::as_str) {
                Some(next) => cursor = Some(next.to_owned()),
                None => break,
            }
        }
        assert_eq!(
            tools.len(),
            freshservice_schema::catalog().operations().len()
        );
        let bytes = json!({"tools": tools}).to_string().len();
        assert!(
            bytes <= BUDGET,
            "the full tools/list is {bytes} bytes, over the {BUDGET}-byte budget; shorten what the catalogue repeats (see `cargo xtask catalog report`)"
        );
    }

    #[test]
    fn every_catalogue_operation_compiles_its_router() {
        // Routers are compiled on first call, so this is what stands between a broken catalogue
        // entry and a failing call in production.
        let registry = compiled().unwrap();
        for operation in freshservice_schema::catalog().operations() {
            let entry = registry.entry(&operation.name).unwrap();
            let router = entry.router().unwrap();
            assert_eq!(router.path_template(), operation.path, "{}", operation.name);
            assert!(std::ptr::eq(router, entry.router().unwrap()));
        }
    }

    #[test]
    fn annotation_trials() {
        let catalog = freshservice_schema::catalog();
        let trials = [
            ("list_all_freshservice_changes", Some(true), None, None),
            ("create_a_freshservice_change", None, Some(false), None),
            ("update_a_freshservice_change_by_id", None, None, Some(true)),
            ("delete_a_freshservice_change_by_id", None, None, Some(true)),
            ("restore_a_freshservice_problem_by_id", None, None, None),
        ];
        for (name, read_only, destructive, idempotent) in trials {
            let annotations = annotations_for(catalog.get(name).unwrap());
            assert_eq!(annotations.read_only_hint, read_only, "{name}");
            assert_eq!(annotations.destructive_hint, destructive, "{name}");
            assert_eq!(annotations.idempotent_hint, idempotent, "{name}");
            assert_eq!(annotations.open_world_hint, None, "{name}");
        }
    }

    #[test]
    fn unknown_tags_are_refused_with_the_known_ones() {
        let filter = ToolFilter::parse("", "tickets,nope").unwrap();
        let message = view(&filter, &[]).unwrap_err().to_string();
        assert!(
            message.contains("\"nope\"") && message.contains("changes"),
            "{message}"
        );
    }

    #[test]
    fn reserved_workspaces_cannot_scope_a_server() {
        for bad in [0, 1, -3] {
            assert!(matches!(
                view(&ToolFilter::all(), &[bad]),
                Err(Error::InvalidWorkspace { .. })
            ));
        }
    }

    #[test]
    fn one_workspace_hides_the_parameter_and_fills_it_in() {
        let view = view(&ToolFilter::all(), &[3]).unwrap();
        let list = view.get("list_all_freshservice_changes").unwrap();
        assert!(
            list.tool.input_schema["properties"]
                .get("workspace_id")
                .is_none()
        );
        let mut arguments = JsonObject::new();
        list.scope_arguments(&mut arguments).unwrap();
        assert_eq!(arguments["workspace_id"], 3);
        let mut other = JsonObject::new();
        other.insert("workspace_id".into(), Value::from(4));
        assert!(
            list.scope_arguments(&mut other)
                .unwrap_err()
                .contains("workspace 3")
        );
    }

    #[test]
    fn several_workspaces_require_one_of_them() {
        let view = view(&ToolFilter::all(), &[4, 3, 4]).unwrap();
        let list = view.get("list_all_freshservice_changes").unwrap();
        let schema = &list.tool.input_schema;
        assert_eq!(schema["properties"]["workspace_id"]["enum"], json!([3, 4]));
        assert!(
            schema["required"]
                .as_array()
                .unwrap()
                .contains(&json!("workspace_id"))
        );
        for (given, ok) in [
            (Some(3), true),
            (Some(4), true),
            (Some(0), false),
            (Some(1), false),
            (Some(5), false),
            (None, false),
        ] {
            let mut arguments = JsonObject::new();
            if let Some(id) = given {
                arguments.insert("workspace_id".into(), Value::from(id));
            }
            assert_eq!(
                list.scope_arguments(&mut arguments).is_ok(),
                ok,
                "{given:?}"
            );
        }
    }
}
