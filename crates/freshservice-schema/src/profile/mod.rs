//! Account profiles: the form fields one Freshservice account defines, and the input schemas they imply.
//!
//! The catalogue describes the documented default account. A real account adds ticket statuses and sources,
//! custom fields and its own category tree; it lists them through its form-field endpoints
//! (`GET /api/v2/ticket_form_fields`, `/change_form_fields`, ..., `/requester_fields`, `/agent_fields`).
//! An [`AccountProfile`] holds those answers as they came (parsed leniently, see [`FormField`]), and
//! [`Operation::input_schema_for`](crate::Operation::input_schema_for) lays them over the documented schema of
//! the operations each source shapes ([`ProfileSource::shaped_operations`]).
//! Nothing here does I/O: the caller fetches the answers and hands in their JSON bodies.

mod overlay;
mod wire;

use std::collections::BTreeMap;

use serde_json::Value;

use crate::{
    error::Error,
    workspace::{GLOBAL, PRIMARY_WORKSPACE_ID},
};

/// A form-field endpoint whose answer shapes the input schemas of some operations.
///
/// [`ProfileSource::ALL`] lists them; each names its catalogue tool, path and answer key, and the operations
/// it shapes, from one data table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum ProfileSource {
    /// `GET /api/v2/ticket_form_fields`: ticket statuses, sources, types, categories and custom fields.
    Tickets,
    /// `GET /api/v2/change_form_fields`.
    Changes,
    /// `GET /api/v2/problem_form_fields`.
    Problems,
    /// `GET /api/v2/release_form_fields`.
    Releases,
    /// `GET /api/v2/requester_fields`.
    Requesters,
    /// `GET /api/v2/agent_fields`.
    Agents,
}

/// One row of the source table.
struct SourceRow {
    source: ProfileSource,
    /// The catalogue tool that reads the fields.
    tool: &'static str,
    path: &'static str,
    /// The answer's envelope key.
    response_key: &'static str,
    /// Whether the endpoint takes a `workspace_id` query parameter (workspace-specific fields).
    by_workspace: bool,
    /// The member that says a field is mandatory for whoever calls the API (an agent or, for agent
    /// profiles, an admin).
    required_key: &'static str,
    /// The operations whose input schema the fields shape; create operations get `required` custom fields,
    /// update operations never require anything new.
    shapes: &'static [&'static str],
}

/// The sources, their endpoints and the operations each shapes.
///
/// Which flag makes a field mandatory differs per endpoint: tickets and requesters say
/// `required_for_agents` (`required_for_customers` is the portal's), changes, problems and releases say
/// `required`, and agent fields say `mandatory_for_admins` (`mandatory_for_agents` is about agents editing their
/// own profile, while the API creates and updates agents as an admin).
static SOURCES: [SourceRow; 6] = [
    SourceRow {
        source: ProfileSource::Tickets,
        tool: "list_all_freshservice_ticket_form_fields",
        path: "/api/v2/ticket_form_fields",
        response_key: "ticket_fields",
        by_workspace: true,
        required_key: "required_for_agents",
        shapes: &[
            "create_a_freshservice_ticket",
            "create_a_freshservice_child_ticket",
            "update_a_freshservice_ticket_by_id",
        ],
    },
    SourceRow {
        source: ProfileSource::Changes,
        tool: "list_all_freshservice_change_form_fields",
        path: "/api/v2/change_form_fields",
        response_key: "change_fields",
        by_workspace: true,
        required_key: "required",
        shapes: &[
            "create_a_freshservice_change",
            "update_a_freshservice_change_by_id",
        ],
    },
    SourceRow {
        source: ProfileSource::Problems,
        tool: "list_all_freshservice_problem_form_fields",
        path: "/api/v2/problem_form_fields",
        response_key: "problem_fields",
        by_workspace: true,
        required_key: "required",
        shapes: &[
            "create_a_freshservice_problem",
            "update_a_freshservice_problem_by_id",
        ],
    },
    SourceRow {
        source: ProfileSource::Releases,
        tool: "list_all_freshservice_release_form_fields",
        path: "/api/v2/release_form_fields",
        response_key: "release_fields",
        by_workspace: true,
        required_key: "required",
        shapes: &[
            "create_a_freshservice_release",
            "update_a_freshservice_release_by_id",
        ],
    },
    SourceRow {
        source: ProfileSource::Requesters,
        tool: "list_all_freshservice_requester_fields",
        path: "/api/v2/requester_fields",
        response_key: "requester_fields",
        by_workspace: false,
        required_key: "required_for_agents",
        shapes: &[
            "create_a_freshservice_requester",
            "update_a_freshservice_requester_by_id",
        ],
    },
    SourceRow {
        source: ProfileSource::Agents,
        tool: "list_all_freshservice_agent_fields",
        path: "/api/v2/agent_fields",
        response_key: "agent_fields",
        by_workspace: false,
        required_key: "mandatory_for_admins",
        shapes: &[
            "create_a_freshservice_agent",
            "update_a_freshservice_agent_by_id",
        ],
    },
];

impl ProfileSource {
    /// Every source, in table order.
    pub const ALL: [ProfileSource; 6] = [
        ProfileSource::Tickets,
        ProfileSource::Changes,
        ProfileSource::Problems,
        ProfileSource::Releases,
        ProfileSource::Requesters,
        ProfileSource::Agents,
    ];

    fn row(self) -> &'static SourceRow {
        // Every variant has exactly one row; a test checks the table against `ALL`.
        SOURCES
            .iter()
            .find(|row| row.source == self)
            .unwrap_or(&SOURCES[0])
    }

    /// The catalogue tool that reads this source, e.g. `list_all_freshservice_ticket_form_fields`.
    pub fn tool(self) -> &'static str {
        self.row().tool
    }

    /// The endpoint path, e.g. `/api/v2/ticket_form_fields`.
    pub fn path(self) -> &'static str {
        self.row().path
    }

    /// The answer's envelope key, e.g. `ticket_fields`.
    pub fn response_key(self) -> &'static str {
        self.row().response_key
    }

    /// Whether the endpoint takes `workspace_id` (Employee Support Mode and MSP accounts have
    /// workspace-specific fields); requester and agent fields are account-wide.
    pub fn by_workspace(self) -> bool {
        self.row().by_workspace
    }

    /// The operations (tool names) whose input schema this source shapes.
    pub fn shaped_operations(self) -> &'static [&'static str] {
        self.row().shapes
    }

    /// The source that shapes the operation with this name, if any.
    pub fn for_operation(name: &str) -> Option<ProfileSource> {
        SOURCES
            .iter()
            .find(|row| row.shapes.contains(&name))
            .map(|row| row.source)
    }

    /// The source read by this catalogue tool, e.g. `list_all_freshservice_change_form_fields`.
    pub fn from_tool(tool: &str) -> Option<ProfileSource> {
        SOURCES
            .iter()
            .find(|row| row.tool == tool)
            .map(|row| row.source)
    }

    pub(crate) fn required_key(self) -> &'static str {
        self.row().required_key
    }

    /// The tool's noun (`ticket_form_fields`), used in descriptions to say where the account's choices are listed.
    pub(crate) fn noun(self) -> &'static str {
        let tool = self.tool();
        tool.strip_prefix("list_all_freshservice_").unwrap_or(tool)
    }
}

impl std::fmt::Display for ProfileSource {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(self.noun())
    }
}

/// What kind of value a form field takes, from its `field_type` (`type` on requester and agent fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FormFieldKind {
    /// `custom_text`: single-line text.
    Text,
    /// `custom_paragraph`: multi-line text.
    Paragraph,
    /// `custom_number`, `custom_big_number`: an integer.
    Number,
    /// `custom_decimal`: a number.
    Decimal,
    /// `custom_date` (and `custom_date_time` with `date_only: true`): `yyyy-mm-dd`.
    Date,
    /// `custom_date_time`, and `custom_date` with `date_only: false` ("request time information").
    DateTime,
    /// `custom_checkbox`: a boolean.
    Checkbox,
    /// `custom_dropdown`: one of the choice values.
    Dropdown,
    /// `custom_multi_select_dropdown`: a list of choice values.
    MultiSelectDropdown,
    /// `nested_field`: a dropdown whose choices have `nested_options`; the deeper levels are sibling fields
    /// named in `nested_fields`.
    NestedDropdown,
    /// `custom_url`.
    Url,
    /// `custom_phone_number`.
    PhoneNumber,
    /// A built-in field (`default_status`, `default_category`, the agents' `job_title`, ...).
    BuiltIn,
    /// A custom field type this crate does not know; its value is not checked.
    Unknown,
}

/// One choice of a dropdown or coded field: `{"id": 6, "value": "Awaiting Vendor"}`, with `nested_options`
/// for the deeper levels of a nested dropdown or the category tree.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Choice {
    /// The code for coded fields (status 6, source 1008); the choice's record id for dropdowns; absent when
    /// the answer gives plain strings.
    pub id: Option<i64>,
    /// The value sent and shown, e.g. `Awaiting Vendor` or `Hardware`.
    pub value: String,
    /// The choices under this one, for nested dropdowns.
    pub nested: Vec<Choice>,
}

/// A deeper level of a nested dropdown: `sub_category` (level 2) and `item_category` (level 3) under
/// `category`, or a custom nested dropdown's own level fields.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NestedField {
    /// The field name the level's value is sent under.
    pub name: String,
    /// Display label.
    pub label: String,
    /// 2 for the first level below the top, 3 for the next.
    pub level: u32,
}

/// One field of an account's form, as its form-field endpoint describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FormField {
    /// The field name: a body key for built-in fields (`status`, `ticket_type`, `category`), a key of
    /// `custom_fields` for custom ones.
    pub name: String,
    /// Display label (for agents or admins).
    pub label: String,
    /// The type exactly as the answer gave it (`custom_dropdown`, `default_status`, ...).
    pub field_type: String,
    /// The type, classified.
    pub kind: FormFieldKind,
    /// True for an account-defined field (sent inside `custom_fields`).
    pub custom: bool,
    /// True when the account makes the field mandatory for whoever calls the API (see [`ProfileSource`]).
    pub required: bool,
    /// True when the field belongs to a dynamic section, shown (and so required) only for some values of
    /// another field; such fields are never made required in a schema.
    pub in_section: bool,
    /// The workspace the field belongs to; `None` or [`GLOBAL`] for account-wide fields.
    pub workspace_id: Option<i64>,
    /// Choices of dropdowns and coded fields, in the answer's order.
    pub choices: Vec<Choice>,
    /// The deeper levels of a nested dropdown.
    pub nested_fields: Vec<NestedField>,
}

impl FormField {
    /// True when the field belongs to every workspace (no workspace, or the global one).
    pub fn is_global(&self) -> bool {
        self.workspace_id.is_none_or(|id| id == GLOBAL)
    }
}

/// The fields one account defines, per [`ProfileSource`]: an account-wide list (fetched without
/// `workspace_id`) and, for accounts with workspaces, one list per workspace.
///
/// Build it from the JSON bodies of the form-field endpoints, exactly as Freshservice answers them, with
/// [`AccountProfile::add_response`] (once per page); then ask any operation for
/// [`input_schema_for`](crate::Operation::input_schema_for) or [`router_for`](crate::Operation::router_for).
///
/// # Examples
///
/// ```
/// use freshservice_schema::{AccountProfile, ProfileSource, catalog};
/// use serde_json::json;
///
/// let body = json!({"ticket_fields": [
///     {"name": "status", "label": "Status", "field_type": "default_status", "default_field": true,
///      "choices": [{"id": 2, "value": "Open"}, {"id": 6, "value": "Awaiting Vendor"}]},
///     {"name": "cost_centre", "label": "Cost centre", "field_type": "custom_dropdown",
///      "default_field": false, "required_for_agents": true,
///      "choices": [{"id": 1, "value": "IT"}, {"id": 2, "value": "HR"}]}
/// ]});
/// let profile = AccountProfile::new()
///     .with_response(ProfileSource::Tickets, None, &body)
///     .unwrap();
/// let create = catalog().get("create_a_freshservice_ticket").unwrap();
/// let schema = create.input_schema_for(&profile, None);
/// assert_eq!(schema["properties"]["status"]["enum"], json!([2, 6]));
/// assert_eq!(
///     schema["properties"]["custom_fields"]["properties"]["cost_centre"]["enum"],
///     json!(["IT", "HR"])
/// );
/// assert_eq!(schema["properties"]["custom_fields"]["required"], json!(["cost_centre"]));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountProfile {
    sources: BTreeMap<ProfileSource, SourceFields>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct SourceFields {
    account_wide: Option<Vec<FormField>>,
    by_workspace: BTreeMap<i64, Vec<FormField>>,
}

impl AccountProfile {
    /// An empty profile: every operation keeps its documented schema.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add the answer of `source`'s endpoint, fetched with `workspace` as its `workspace_id` query parameter
    /// (`None` when fetched without one). Call it once per page; a field seen again replaces the earlier one.
    ///
    /// # Errors
    ///
    /// [`Error::ProfileResponse`] when `body` is not `{"<response key>": [fields]}` or a field is not an object
    /// with a string `name` and the documented member types. Unknown members and field types are kept, not
    /// refused.
    pub fn add_response(
        &mut self,
        source: ProfileSource,
        workspace: Option<i64>,
        body: &Value,
    ) -> Result<(), Error> {
        let parsed = wire::parse(source, body)?;
        let fields = self.sources.entry(source).or_default();
        let list = match workspace {
            None => fields.account_wide.get_or_insert_with(Vec::new),
            Some(id) => fields.by_workspace.entry(id).or_default(),
        };
        for field in parsed {
            match list
                .iter_mut()
                .find(|known| known.name == field.name && known.workspace_id == field.workspace_id)
            {
                Some(known) => *known = field,
                None => list.push(field),
            }
        }
        Ok(())
    }

    /// [`add_response`](Self::add_response) for building a profile in one expression.
    ///
    /// # Errors
    ///
    /// As [`add_response`](Self::add_response).
    pub fn with_response(
        mut self,
        source: ProfileSource,
        workspace: Option<i64>,
        body: &Value,
    ) -> Result<Self, Error> {
        self.add_response(source, workspace, body)?;
        Ok(self)
    }

    /// True when no answer has been added.
    pub fn is_empty(&self) -> bool {
        self.sources.is_empty()
    }

    /// The fields of `source` that apply in `workspace`, or `None` when the profile has no answer for it.
    ///
    /// With a workspace: that workspace's own answer when the profile has one, else the account-wide answer
    /// restricted to global fields and fields of that workspace. Without: the account-wide answer (global and
    /// primary-workspace fields, which is what Freshservice returns without `workspace_id`), else the primary
    /// workspace's answer.
    pub fn fields(&self, source: ProfileSource, workspace: Option<i64>) -> Option<Vec<&FormField>> {
        let fields = self.sources.get(&source)?;
        match workspace {
            Some(id) => {
                if let Some(own) = fields.by_workspace.get(&id) {
                    return Some(own.iter().collect());
                }
                let account_wide = fields.account_wide.as_ref()?;
                Some(
                    account_wide
                        .iter()
                        .filter(|field| field.is_global() || field.workspace_id == Some(id))
                        .collect(),
                )
            }
            None => fields
                .account_wide
                .as_ref()
                .or_else(|| fields.by_workspace.get(&PRIMARY_WORKSPACE_ID))
                .map(|list| list.iter().collect()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_table_has_one_row_per_source_and_no_operation_twice() {
        let mut seen = std::collections::BTreeSet::new();
        for source in ProfileSource::ALL {
            assert_eq!(
                SOURCES.iter().filter(|row| row.source == source).count(),
                1,
                "{source:?}"
            );
            assert_eq!(ProfileSource::from_tool(source.tool()), Some(source));
            for name in source.shaped_operations() {
                assert!(seen.insert(*name), "{name} is shaped twice");
                assert_eq!(ProfileSource::for_operation(name), Some(source));
            }
        }
        assert_eq!(SOURCES.len(), ProfileSource::ALL.len());
        assert_eq!(
            ProfileSource::for_operation("create_a_freshservice_ticket_note"),
            None
        );
    }

    fn field(name: &str, workspace_id: Option<i64>) -> Value {
        json!({"name": name, "label": name, "field_type": "custom_text", "default_field": false,
               "workspace_id": workspace_id})
    }

    fn names(fields: Option<Vec<&FormField>>) -> Option<Vec<&str>> {
        fields.map(|fields| fields.iter().map(|field| field.name.as_str()).collect())
    }

    #[test]
    fn workspaces_pick_their_own_answer_or_the_global_fields() {
        let account_wide = json!({"ticket_fields": [field("global", None), field("also_global", Some(1)),
            field("primary", Some(2)), field("hr", Some(3))]});
        let hr_own = json!({"ticket_fields": [field("hr_only", Some(3))]});
        let profile = AccountProfile::new()
            .with_response(ProfileSource::Tickets, None, &account_wide)
            .unwrap()
            .with_response(ProfileSource::Tickets, Some(3), &hr_own)
            .unwrap();
        for (workspace, expect) in [
            (None, Some(vec!["global", "also_global", "primary", "hr"])),
            (Some(3), Some(vec!["hr_only"])),
            (Some(2), Some(vec!["global", "also_global", "primary"])),
            (Some(4), Some(vec!["global", "also_global"])),
        ] {
            assert_eq!(
                names(profile.fields(ProfileSource::Tickets, workspace)),
                expect,
                "{workspace:?}"
            );
        }
        assert_eq!(names(profile.fields(ProfileSource::Changes, None)), None);

        // Only workspace answers: without a workspace, the primary workspace's.
        let primary = AccountProfile::new()
            .with_response(
                ProfileSource::Changes,
                Some(2),
                &json!({"change_fields": [field("p", Some(2))]}),
            )
            .unwrap();
        assert_eq!(
            names(primary.fields(ProfileSource::Changes, None)),
            Some(vec!["p"])
        );
        assert_eq!(names(primary.fields(ProfileSource::Changes, Some(5))), None);
    }

    #[test]
    fn pages_add_up_and_a_field_seen_again_replaces_the_first() {
        let mut profile = AccountProfile::new();
        assert!(profile.is_empty());
        for page in [
            json!({"ticket_fields": [field("a", None), field("b", None)]}),
            json!({"ticket_fields": [field("c", None),
                {"name": "a", "label": "A again", "field_type": "custom_number", "default_field": false}]}),
        ] {
            profile
                .add_response(ProfileSource::Tickets, None, &page)
                .unwrap();
        }
        let fields = profile.fields(ProfileSource::Tickets, None).unwrap();
        assert_eq!(names(Some(fields.clone())), Some(vec!["a", "b", "c"]));
        assert_eq!(fields[0].kind, FormFieldKind::Number);
        assert!(!profile.is_empty());
    }
}
