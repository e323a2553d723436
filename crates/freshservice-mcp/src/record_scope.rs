//! Workspace scope for records named by id: on a server scoped to some workspaces, a tool whose
//! path names a record of a workspace-scoped module (a ticket, a change, an asset, …) only acts
//! on records of those workspaces.
//!
//! List and create tools carry `workspace_id` and are scoped by their arguments
//! ([`crate::registry::ExposedTool::scope_arguments`]). A by-id tool sends no `workspace_id`: the
//! path names the record, and Freshservice acts on it in whatever workspace it lives. So before
//! such a tool runs, the server reads the record's `workspace_id` with the catalogue's own get
//! operation (for a sub-record, its parent's: the ticket of a note) and refuses the call when it
//! is outside the permitted workspaces. The record's own get needs no extra read: its answer is
//! checked before it is returned.
//!
//! Everything here is derived from the catalogue (paths, methods and parameters), so a new
//! module or sub-resource is covered without a code change:
//!
//! - A *workspace-scoped record* is `C/{id}` where the catalogue has a `GET C/{id}` and either a
//!   `PUT C/{id}/move_workspace`, or a list or create at `C` itself that takes `workspace_id`.
//! - An operation whose path starts with such a record (the outermost one) acts on it or on one
//!   of its sub-records, which inherit its workspace.
//! - A write at `C` itself that is not a create (bulk deletes by ids) and the records listed in
//!   [`UNPARENTED`] name records of scoped modules without their parent: a scoped server cannot
//!   check them before the write, so it refuses them.
//!
//! A record that carries no `workspace_id` (departments and locations outside MSP accounts,
//! records of accounts without workspaces) has no workspace to check and passes.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use freshservice_client::{ApiRequest, Client};
use freshservice_schema::{Catalog, Operation, OperationKind};
use http::Method;
use serde_json::Value;

use crate::registry::WORKSPACE_PARAM;

/// How long a record's workspace is trusted after it was read. Records change workspace only
/// through their move tool (this server forgets the record when it moves or deletes it); a move
/// made elsewhere is noticed at most this long after it happened.
pub(crate) const WORKSPACE_TTL: Duration = Duration::from_secs(60);

/// The most records whose workspace one server remembers.
pub(crate) const MAX_REMEMBERED: usize = 4096;

/// Collections of workspace-scoped modules whose records the catalogue reaches by their own id,
/// with no way to read their parent: conversations (the notes and replies of tickets, listed by
/// `GET /api/v2/tickets/{id}/conversations`) and attachments (of tickets, problems, changes and
/// releases). A scoped server refuses the tools on them.
const UNPARENTED: &[&str] = &[
    "/api/v2/conversations",
    "/api/v2/attachments",
    "/api/v2/itil_attachments",
];

/// The record a scoped operation acts on, or why it cannot be checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RecordTarget {
    /// The record's own get: its answer carries the workspace.
    OwnGet(ParentRecord),
    /// The record or one of its sub-records: read the record before the call.
    Parent(ParentRecord),
    /// Records of a scoped module the path does not lead to; refused on a scoped server.
    Unverifiable(&'static str),
}

/// A workspace-scoped record: the catalogue's get operation for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParentRecord {
    /// The get operation (`get_single_freshservice_ticket_by_id`).
    pub(crate) get: &'static str,
    /// Its path template (`/api/v2/tickets/{ticket_id}`).
    pub(crate) get_path: &'static str,
    /// How many `/`-separated segments the record's path has, so the record's concrete path is
    /// the first this many segments of the routed path (one segment per path value).
    segments: usize,
}

impl ParentRecord {
    /// The record's path within a routed path of an operation that maps to it.
    pub(crate) fn record_path<'a>(&self, routed_path: &'a str) -> Option<&'a str> {
        let end = routed_path
            .match_indices('/')
            .map(|(index, _)| index)
            .chain(std::iter::once(routed_path.len()))
            .nth(self.segments - 1)?;
        Some(&routed_path[..end])
    }
}

/// The record target of every catalogue operation that has one, by operation name.
pub(crate) fn targets() -> &'static HashMap<&'static str, RecordTarget> {
    static TARGETS: OnceLock<HashMap<&'static str, RecordTarget>> = OnceLock::new();
    TARGETS.get_or_init(|| targets_of(freshservice_schema::catalog()))
}

fn is_placeholder(segment: &str) -> bool {
    segment.starts_with('{') && segment.ends_with('}')
}

/// A path template with its placeholders' names dropped, so `C/{ticket_id}` and `C/{id}` match.
fn shape(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            if is_placeholder(segment) {
                "{}"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn targets_of(catalog: &'static Catalog) -> HashMap<&'static str, RecordTarget> {
    let operations = catalog.operations();
    let takes_workspace =
        |operation: &Operation| operation.params.iter().any(|p| p.name == WORKSPACE_PARAM);
    // Record get operations, by the shape of the collection they read from.
    let mut records: HashMap<String, &'static Operation> = HashMap::new();
    for operation in operations {
        let Some((collection, last)) = operation.path.rsplit_once('/') else {
            continue;
        };
        if operation.method == Method::GET
            && is_placeholder(last)
            && last != "{workspace_id}"
            && !collection.ends_with('}')
        {
            records.entry(shape(collection)).or_insert(operation);
        }
    }
    let scoped: HashMap<String, &'static Operation> = records
        .into_iter()
        .filter(|(collection, _)| {
            operations.iter().any(|operation| {
                let path = shape(&operation.path);
                (operation.method == Method::PUT
                    && path == format!("{collection}/{{}}/move_workspace"))
                    || (path == **collection
                        && takes_workspace(operation)
                        && (operation.method == Method::GET || operation.method == Method::POST))
            })
        })
        .collect();
    let mut targets = HashMap::new();
    for operation in operations {
        // A path that holds the workspace itself is scoped by its arguments.
        if operation.path.contains("{workspace_id}") {
            continue;
        }
        let segments: Vec<&str> = operation.path.split('/').collect();
        let parent = (1..segments.len()).find_map(|index| {
            if !is_placeholder(segments[index]) || is_placeholder(segments[index - 1]) {
                return None;
            }
            let get = scoped.get(&shape(&segments[..index].join("/")))?;
            Some(ParentRecord {
                get: &get.name,
                get_path: &get.path,
                segments: index + 1,
            })
        });
        let target = match parent {
            Some(parent)
                if operation.method == Method::GET
                    && parent.segments == segments.len()
                    && parent.get == operation.name =>
            {
                RecordTarget::OwnGet(parent)
            }
            Some(parent) => RecordTarget::Parent(parent),
            None if !operation.is_read_only()
                && operation.kind != OperationKind::Create
                && scoped.contains_key(&shape(&operation.path)) =>
            {
                RecordTarget::Unverifiable(
                    "it acts on several records by ids, whose workspaces this server cannot check before the write; act on them one at a time with the by-id tools",
                )
            }
            None if UNPARENTED
                .iter()
                .any(|collection| operation.path.starts_with(&format!("{collection}/"))) =>
            {
                RecordTarget::Unverifiable(
                    "it names the record by its own id, and this server cannot read which ticket or other record (and so which workspace) it belongs to",
                )
            }
            None => continue,
        };
        targets.insert(operation.name.as_str(), target);
    }
    targets
}

/// The workspaces one server permits and what it has learned about records' workspaces.
#[derive(Debug)]
pub(crate) struct RecordScope {
    permitted: Vec<i64>,
    /// Record path → its workspace (`None`: the record carries none) and when it was read.
    remembered: Mutex<HashMap<String, (Option<i64>, Instant)>>,
}

/// Why a call is refused, or the failure of the read that should have checked it.
pub(crate) enum Refusal {
    /// The record is outside the permitted workspaces (or cannot be checked): the message.
    Outside(String),
    /// Reading the record failed; the caller reports it as the tool's own failure.
    ReadFailed(Box<freshservice_client::Error>),
}

impl RecordScope {
    pub(crate) fn new(mut permitted: Vec<i64>) -> Self {
        permitted.sort_unstable();
        permitted.dedup();
        Self {
            permitted,
            remembered: Mutex::new(HashMap::new()),
        }
    }

    fn remembered(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Option<i64>, Instant)>> {
        self.remembered.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The workspace this server read for a record less than [`WORKSPACE_TTL`] ago.
    fn recall(&self, record_path: &str) -> Option<Option<i64>> {
        let remembered = self.remembered();
        let (workspace, read_at) = remembered.get(record_path)?;
        (read_at.elapsed() < WORKSPACE_TTL).then_some(*workspace)
    }

    /// Remembers a record's workspace, keeping at most [`MAX_REMEMBERED`] records.
    pub(crate) fn remember(&self, record_path: &str, workspace: Option<i64>) {
        let mut remembered = self.remembered();
        if remembered.len() >= MAX_REMEMBERED && !remembered.contains_key(record_path) {
            remembered.retain(|_, (_, read_at)| read_at.elapsed() < WORKSPACE_TTL);
            if remembered.len() >= MAX_REMEMBERED {
                remembered.clear();
            }
        }
        remembered.insert(record_path.to_owned(), (workspace, Instant::now()));
    }

    /// Forgets a record (after this server moved or deleted it).
    pub(crate) fn forget(&self, record_path: &str) {
        self.remembered().remove(record_path);
    }

    /// Checks a record's workspace, reading the record unless it was read recently.
    pub(crate) async fn check(
        &self,
        client: &Client,
        tool: &str,
        record_path: &str,
        write: bool,
    ) -> Result<(), Refusal> {
        let workspace = match self.recall(record_path) {
            Some(workspace) => workspace,
            None => {
                let response = client
                    .send(ApiRequest::new(Method::GET, record_path))
                    .await
                    .map_err(|error| Refusal::ReadFailed(Box::new(error)))?;
                let workspace = workspace_of(&response.body);
                self.remember(record_path, workspace);
                workspace
            }
        };
        self.judge(tool, record_path, workspace, write)
            .map_err(Refusal::Outside)
    }

    /// Whether a record in `workspace` may be acted on; the refusal's text otherwise.
    pub(crate) fn judge(
        &self,
        tool: &str,
        record_path: &str,
        workspace: Option<i64>,
        write: bool,
    ) -> Result<(), String> {
        let Some(workspace) = workspace else {
            return Ok(());
        };
        if self.permitted.contains(&workspace) {
            return Ok(());
        }
        let scope = match self.permitted.as_slice() {
            [only] => format!("this server works only in workspace {only}"),
            several => format!("this server is limited to workspaces {several:?}"),
        };
        let outcome = if write {
            "nothing was changed"
        } else {
            "its content is not returned"
        };
        Err(format!(
            "{tool} was refused: the record {record_path} is in workspace {workspace}, and {scope}; {outcome}. \
             Work with records of the permitted workspaces, or use a server scoped to workspace {workspace}."
        ))
    }

    /// The refusal of a tool whose records cannot be checked.
    pub(crate) fn unverifiable(&self, tool: &str, reason: &str) -> String {
        format!(
            "{tool} is not available on a server scoped to workspaces {:?}: {reason}. Nothing was sent to Freshservice.",
            self.permitted
        )
    }
}

/// The `workspace_id` of a record answer: `{"ticket": {..., "workspace_id": 3}}` or a bare
/// record. `None` when the record carries none (or `null`).
pub(crate) fn workspace_of(body: &Value) -> Option<i64> {
    let object = body.as_object()?;
    if let Some(value) = object.get(WORKSPACE_PARAM) {
        return value.as_i64();
    }
    object
        .values()
        .filter_map(Value::as_object)
        .find_map(|record| record.get(WORKSPACE_PARAM))
        .and_then(Value::as_i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_by_id_operation_of_a_scoped_module_maps_to_its_record_get() {
        let catalog = freshservice_schema::catalog();
        let targets = targets();
        let mut modules = std::collections::BTreeSet::new();
        for operation in catalog.operations() {
            let Some(target) = targets.get(operation.name.as_str()) else {
                continue;
            };
            let (RecordTarget::OwnGet(parent) | RecordTarget::Parent(parent)) = target else {
                continue;
            };
            let get = catalog.get(parent.get).unwrap();
            assert_eq!(get.method, Method::GET, "{}", operation.name);
            assert_eq!(get.path, parent.get_path, "{}", operation.name);
            modules.insert(get.tag.clone());
            // The record's path is the operation's first segments, up to a placeholder.
            let prefix: Vec<&str> = operation.path.split('/').take(parent.segments).collect();
            assert_eq!(
                shape(&prefix.join("/")),
                shape(&get.path),
                "{}",
                operation.name
            );
            // The get reads the record with nothing but the record's id.
            assert_eq!(
                get.params
                    .iter()
                    .filter(|param| param.required)
                    .map(|param| param.name.as_str())
                    .collect::<Vec<_>>(),
                [get.path
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .trim_matches(['{', '}'])],
                "{}",
                get.name
            );
            // A routed path of the operation yields the record's concrete path.
            let routed: String = operation
                .path
                .split('/')
                .map(|segment| {
                    if is_placeholder(segment) {
                        "7"
                    } else {
                        segment
                    }
                })
                .collect::<Vec<_>>()
                .join("/");
            let record = parent.record_path(&routed).unwrap();
            assert_eq!(
                record,
                shape(&get.path).replace("{}", "7"),
                "{}",
                operation.name
            );
            if matches!(target, RecordTarget::OwnGet(_)) {
                assert_eq!(operation.name, get.name);
            }
        }
        let modules: Vec<&str> = modules.iter().map(String::as_str).collect();
        for module in [
            "tickets",
            "problems",
            "changes",
            "releases",
            "assets",
            "purchase_orders",
            "software",
            "contracts",
            "groups",
        ] {
            assert!(
                modules.contains(&module),
                "{module} missing from {modules:?}"
            );
        }
        for module in ["agents", "requesters", "vendors", "products", "projects"] {
            assert!(!modules.contains(&module), "{module} in {modules:?}");
        }
    }

    /// Every operation whose path goes through a record of a module that has a move tool (the
    /// modules Freshservice documents as workspace-specific) has a target.
    #[test]
    fn every_operation_under_a_movable_record_is_covered() {
        let catalog = freshservice_schema::catalog();
        let movable: Vec<String> = catalog
            .operations()
            .iter()
            .filter_map(|operation| operation.path.strip_suffix("/move_workspace"))
            .map(shape)
            .collect();
        assert!(movable.len() >= 8, "{movable:?}");
        for operation in catalog.operations() {
            let path = shape(&operation.path);
            if movable
                .iter()
                .any(|record| path == *record || path.starts_with(&format!("{record}/")))
            {
                assert!(
                    matches!(
                        targets().get(operation.name.as_str()),
                        Some(RecordTarget::OwnGet(_) | RecordTarget::Parent(_))
                    ),
                    "{}",
                    operation.name
                );
            }
        }
    }

    #[test]
    fn target_trials() {
        let own = |name: &str| match targets().get(name) {
            Some(RecordTarget::OwnGet(parent)) => Some(parent.get_path),
            _ => None,
        };
        let parent = |name: &str| match targets().get(name) {
            Some(RecordTarget::Parent(parent)) => Some(parent.get_path),
            _ => None,
        };
        let unverifiable =
            |name: &str| matches!(targets().get(name), Some(RecordTarget::Unverifiable(_)));
        assert_eq!(
            own("get_single_freshservice_ticket_by_id"),
            Some("/api/v2/tickets/{ticket_id}")
        );
        assert_eq!(
            own("get_single_freshservice_asset_by_id"),
            Some("/api/v2/assets/{display_id}")
        );
        for (name, record) in [
            (
                "update_a_freshservice_ticket_by_id",
                "/api/v2/tickets/{ticket_id}",
            ),
            (
                "delete_a_freshservice_ticket_by_id",
                "/api/v2/tickets/{ticket_id}",
            ),
            (
                "create_a_freshservice_ticket_note",
                "/api/v2/tickets/{ticket_id}",
            ),
            (
                "list_all_freshservice_ticket_conversations",
                "/api/v2/tickets/{ticket_id}",
            ),
            (
                "get_single_freshservice_ticket_task_by_id",
                "/api/v2/tickets/{ticket_id}",
            ),
            (
                "update_a_freshservice_ticket_status_page_incident_by_id",
                "/api/v2/tickets/{ticket_id}",
            ),
            (
                "update_a_freshservice_change_approval_by_id",
                "/api/v2/changes/{change_id}",
            ),
            (
                "move_a_freshservice_change_by_id",
                "/api/v2/changes/{change_id}",
            ),
            (
                "create_a_freshservice_child_ticket",
                "/api/v2/tickets/{ticket_id}",
            ),
            (
                "delete_freshservice_software_users",
                "/api/v2/applications/{software_id}",
            ),
        ] {
            assert_eq!(parent(name), Some(record), "{name}");
        }
        for name in [
            "update_a_freshservice_conversation_by_id",
            "delete_a_freshservice_conversation_by_id",
            "get_single_freshservice_attachment_by_id",
            "delete_freshservice_software",
        ] {
            assert!(unverifiable(name), "{name}");
        }
        // Lists, filters and creates carry workspace_id; account-wide records have no workspace;
        // paths holding the workspace itself are scoped by their arguments.
        for name in [
            "list_all_freshservice_tickets",
            "freshservice_tickets_filter",
            "create_a_freshservice_ticket",
            "get_single_freshservice_agent_by_id",
            "update_a_freshservice_requester_by_id",
            "get_single_freshservice_oncall_schedule_by_id",
            "get_single_freshservice_workspace_by_id",
        ] {
            assert_eq!(targets().get(name), None, "{name}");
        }
    }

    #[test]
    fn record_path_trials() {
        let ticket = match targets().get("create_a_freshservice_ticket_note") {
            Some(RecordTarget::Parent(parent)) => parent.clone(),
            other => panic!("{other:?}"),
        };
        for (routed, expected) in [
            ("/api/v2/tickets/42/notes", Some("/api/v2/tickets/42")),
            ("/api/v2/tickets/42", Some("/api/v2/tickets/42")),
            ("/api/v2/tickets/a%2Fb/notes", Some("/api/v2/tickets/a%2Fb")),
            ("/api/v2", None),
        ] {
            assert_eq!(ticket.record_path(routed), expected, "{routed}");
        }
    }

    #[test]
    fn workspace_of_trials() {
        for (body, expected) in [
            (
                serde_json::json!({"ticket": {"id": 1, "workspace_id": 4}}),
                Some(4),
            ),
            (serde_json::json!({"id": 1, "workspace_id": 3}), Some(3)),
            (
                serde_json::json!({"ticket": {"id": 1, "workspace_id": null}}),
                None,
            ),
            (serde_json::json!({"department": {"id": 1}}), None),
            (serde_json::json!([1, 2]), None),
            (Value::Null, None),
        ] {
            assert_eq!(workspace_of(&body), expected, "{body}");
        }
    }

    #[test]
    fn judging_and_remembering() {
        let scope = RecordScope::new(vec![4, 3]);
        assert!(scope.judge("t", "/api/v2/tickets/1", Some(3), true).is_ok());
        assert!(scope.judge("t", "/api/v2/tickets/1", None, true).is_ok());
        for outside in [0, 1, 2, 5] {
            let message = scope
                .judge("t", "/api/v2/tickets/1", Some(outside), false)
                .unwrap_err();
            assert!(
                message.contains(&format!("workspace {outside}"))
                    && message.contains("[3, 4]")
                    && message.contains("not returned"),
                "{message}"
            );
        }
        let fixed = RecordScope::new(vec![3]);
        let message = fixed.judge("t", "/r/1", Some(4), true).unwrap_err();
        assert!(
            message.contains("only in workspace 3") && message.contains("nothing was changed"),
            "{message}"
        );
        fixed.remember("/r/1", Some(4));
        assert_eq!(fixed.recall("/r/1"), Some(Some(4)));
        fixed.forget("/r/1");
        assert_eq!(fixed.recall("/r/1"), None);
        for index in 0..MAX_REMEMBERED + 10 {
            fixed.remember(&format!("/r/{index}"), Some(3));
        }
        assert!(fixed.remembered().len() <= MAX_REMEMBERED);
    }
}
