//! The account the sandbox imitates: its form fields (statuses, sources, categories and custom fields), which
//! `GET /api/v2/*_form_fields` answers with and writes are checked against.
//!
//! The definitions are data: `fixtures/accounts/default.json` holds the fields of the default account (the
//! documented samples, with the catalogue's codes and the story's `cf_affected_asset`), and
//! `fixtures/accounts/customised.json` what the customised account adds to them.

use std::collections::BTreeMap;

use freshservice_schema::{ALL_WORKSPACES, GLOBAL};
use serde_json::{Map, Value};

const DEFAULT_FIELDS: &str = include_str!("../fixtures/accounts/default.json");
const CUSTOMISED_FIELDS: &str = include_str!("../fixtures/accounts/customised.json");

/// Which account the sandbox imitates (see the README for what each holds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Account {
    /// The documented default fields: ticket statuses 2 to 5, the documented sources, no custom fields but the
    /// story's `cf_affected_asset`. Ticket and change codes are checked against the form fields (the same codes
    /// as the catalogue); `custom_fields` and categories are not checked.
    #[default]
    Default,
    /// The default fields plus custom ticket statuses 6 and 7, custom source 1008 and custom ticket and change
    /// fields (one of each kind, some required). Writes are checked against all of them, as Freshservice does.
    Customised,
}

/// A module whose form fields the sandbox serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum FormModule {
    /// `GET /api/v2/ticket_form_fields`.
    Tickets,
    /// `GET /api/v2/change_form_fields`.
    Changes,
    /// `GET /api/v2/problem_form_fields`.
    Problems,
    /// `GET /api/v2/release_form_fields`.
    Releases,
}

impl FormModule {
    const ALL: [FormModule; 4] = [
        FormModule::Tickets,
        FormModule::Changes,
        FormModule::Problems,
        FormModule::Releases,
    ];

    /// The path segment after `/api/v2/`, e.g. `ticket_form_fields`.
    pub fn path(self) -> &'static str {
        match self {
            FormModule::Tickets => "ticket_form_fields",
            FormModule::Changes => "change_form_fields",
            FormModule::Problems => "problem_form_fields",
            FormModule::Releases => "release_form_fields",
        }
    }

    /// The envelope key of the answer, e.g. `ticket_fields`.
    pub fn envelope(self) -> &'static str {
        match self {
            FormModule::Tickets => "ticket_fields",
            FormModule::Changes => "change_fields",
            FormModule::Problems => "problem_fields",
            FormModule::Releases => "release_fields",
        }
    }

    pub(crate) fn from_path(segment: &str) -> Option<FormModule> {
        FormModule::ALL
            .into_iter()
            .find(|module| module.path() == segment)
    }

    /// The module whose writes are checked against form fields: tickets and changes.
    pub(crate) fn checked_collection(collection: &str) -> Option<FormModule> {
        match collection {
            "tickets" => Some(FormModule::Tickets),
            "changes" => Some(FormModule::Changes),
            _ => None,
        }
    }
}

/// The account's form fields and whether the API key may read them.
#[derive(Debug, Clone)]
pub(crate) struct Profile {
    pub(crate) account: Account,
    /// `false` makes every field-definition endpoint answer 403.
    pub(crate) access: bool,
    modules: BTreeMap<FormModule, Vec<Value>>,
}

impl Profile {
    pub(crate) fn new(account: Account, access: bool) -> Profile {
        let mut modules = parse_modules(DEFAULT_FIELDS);
        if account == Account::Customised {
            apply_additions(&mut modules, CUSTOMISED_FIELDS);
        }
        Profile {
            account,
            access,
            modules,
        }
    }

    /// Every field definition of a module, whatever its workspace.
    pub(crate) fn fields(&self, module: FormModule) -> &[Value] {
        self.modules.get(&module).map_or(&[], Vec::as_slice)
    }

    pub(crate) fn fields_mut(&mut self, module: FormModule) -> &mut Vec<Value> {
        self.modules.entry(module).or_default()
    }

    /// The fields a workspace sees: global ones (`workspace_id` null or 1) and its own. `ALL_WORKSPACES` (0) and
    /// `GLOBAL` (1) see only the global ones.
    pub(crate) fn visible(&self, module: FormModule, workspace: i64) -> Vec<&Value> {
        self.fields(module)
            .iter()
            .filter(
                |field| match field.get("workspace_id").and_then(Value::as_i64) {
                    None | Some(GLOBAL) => true,
                    Some(owner) => owner == workspace && workspace != ALL_WORKSPACES,
                },
            )
            .collect()
    }

    /// Adds a choice to a field's `choices` (or replaces the choice with that id), e.g. a ticket status.
    /// Returns `false` when the module has no field with that name.
    pub(crate) fn add_choice(&mut self, module: FormModule, field: &str, choice: Value) -> bool {
        let Some(choices) = self
            .fields_mut(module)
            .iter_mut()
            .find(|definition| name(definition) == field)
            .and_then(|definition| definition.get_mut("choices"))
            .and_then(Value::as_array_mut)
        else {
            return false;
        };
        let id = choice.get("id").cloned();
        match choices
            .iter_mut()
            .find(|existing| existing.get("id") == id.as_ref())
        {
            Some(existing) => *existing = choice,
            None => choices.push(choice),
        }
        true
    }

    /// The id a new custom ticket source gets: 1001 and up, after the highest in use.
    pub(crate) fn next_source_id(&self) -> i64 {
        self.field(FormModule::Tickets, "source")
            .map(choices)
            .into_iter()
            .flatten()
            .filter_map(|choice| choice.get("id").and_then(Value::as_i64))
            .max()
            .map_or(1001, |highest| highest.max(1000) + 1)
    }

    /// Whether the tickets or changes of the account have a custom field (or a nested level of one) with this
    /// name, in any workspace; filters accept such fields before any record holds them.
    pub(crate) fn is_custom_field(&self, collection: &str, field: &str) -> bool {
        let Some(module) = FormModule::checked_collection(collection) else {
            return false;
        };
        self.fields(module)
            .iter()
            .filter(|definition| {
                definition.get("default_field").and_then(Value::as_bool) == Some(false)
            })
            .any(|definition| {
                name(definition) == field
                    || definition
                        .get("nested_fields")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .any(|level| name(level) == field)
            })
    }

    fn field(&self, module: FormModule, field: &str) -> Option<&Value> {
        self.fields(module)
            .iter()
            .find(|definition| name(definition) == field)
    }
}

/// A field definition's `name`.
pub(crate) fn name(field: &Value) -> &str {
    field.get("name").and_then(Value::as_str).unwrap_or("")
}

/// A field definition's `choices` (or a choice's `nested_options`).
pub(crate) fn choices(field: &Value) -> &[Value] {
    field
        .get("choices")
        .or_else(|| field.get("nested_options"))
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn parse_modules(text: &str) -> BTreeMap<FormModule, Vec<Value>> {
    // The files are part of the crate and parsed by its tests; a broken file only means no fields.
    let Ok(Value::Object(file)) = serde_json::from_str::<Value>(text) else {
        return BTreeMap::new();
    };
    FormModule::ALL
        .into_iter()
        .map(|module| {
            let fields = file
                .get(module.envelope())
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            (module, fields)
        })
        .collect()
}

/// Applies `{"<envelope>": {"choices": {"<field>": [choices]}, "fields": [definitions]}}`.
fn apply_additions(modules: &mut BTreeMap<FormModule, Vec<Value>>, text: &str) {
    let Ok(Value::Object(file)) = serde_json::from_str::<Value>(text) else {
        return;
    };
    for module in FormModule::ALL {
        let Some(Value::Object(additions)) = file.get(module.envelope()) else {
            continue;
        };
        let fields = modules.entry(module).or_default();
        let extra_choices = additions.get("choices").and_then(Value::as_object);
        for (field_name, extra) in extra_choices.into_iter().flatten() {
            let target = fields
                .iter_mut()
                .find(|definition| name(definition) == field_name)
                .and_then(|definition| definition.get_mut("choices"))
                .and_then(Value::as_array_mut);
            if let (Some(target), Some(extra)) = (target, extra.as_array()) {
                target.extend(extra.iter().cloned());
            }
        }
        let extra_fields = additions.get("fields").and_then(Value::as_array);
        fields.extend(extra_fields.into_iter().flatten().cloned());
    }
}

/// A choice object for a new ticket status or source, in the shape the form fields use.
pub(crate) fn choice(id: i64, value: &str) -> Value {
    let mut choice = Map::new();
    choice.insert("id".to_owned(), Value::from(id));
    choice.insert("value".to_owned(), Value::from(value));
    Value::Object(choice)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The coded fields of the default account offer exactly the catalogue's codes, so the default account
    /// accepts the same codes with or without form fields.
    #[test]
    fn default_codes_are_the_catalogue_codes() {
        let profile = Profile::new(Account::Default, true);
        let coded = [
            (FormModule::Tickets, "status", "ticket_status"),
            (FormModule::Tickets, "source", "ticket_source"),
            (FormModule::Tickets, "priority", "ticket_priority"),
            (FormModule::Tickets, "urgency", "ticket_urgency"),
            (FormModule::Tickets, "impact", "ticket_impact"),
            (FormModule::Changes, "status", "change_status"),
            (FormModule::Changes, "priority", "change_priority"),
            (FormModule::Changes, "impact", "change_impact"),
            (FormModule::Changes, "risk", "change_risk"),
            (FormModule::Changes, "change_type", "change_type"),
            (FormModule::Problems, "status", "problem_status"),
            (FormModule::Releases, "status", "release_status"),
        ];
        for (module, field, enum_name) in coded {
            let offered: Vec<i64> = profile
                .field(module, field)
                .map(choices)
                .unwrap_or_default()
                .iter()
                .filter_map(|choice| choice["id"].as_i64())
                .collect();
            let catalogue: Vec<i64> = freshservice_schema::coded_enum(enum_name)
                .map(|coded| coded.codes.iter().map(|(code, _)| *code).collect())
                .unwrap_or_default();
            assert_eq!(offered, catalogue, "{module:?} {field}");
        }
    }

    #[test]
    fn the_customised_account_adds_choices_and_fields() {
        let default = Profile::new(Account::Default, true);
        let customised = Profile::new(Account::Customised, true);
        let ids = |profile: &Profile, field: &str| -> Vec<i64> {
            profile
                .field(FormModule::Tickets, field)
                .map(choices)
                .unwrap_or_default()
                .iter()
                .filter_map(|choice| choice["id"].as_i64())
                .collect()
        };
        assert_eq!(ids(&default, "status"), vec![2, 3, 4, 5]);
        assert_eq!(ids(&customised, "status"), vec![2, 3, 4, 5, 6, 7]);
        assert!(ids(&customised, "source").contains(&1008));
        assert!(
            customised
                .field(FormModule::Tickets, "cf_hardware")
                .is_some()
        );
        assert!(
            customised
                .field(FormModule::Changes, "cf_environment")
                .is_some()
        );
        assert!(
            default
                .field(FormModule::Changes, "cf_environment")
                .is_none()
        );
        assert_eq!(customised.next_source_id(), 1009);
        assert_eq!(default.next_source_id(), 1001);
        for module in FormModule::ALL {
            assert!(!default.fields(module).is_empty(), "{module:?}");
            assert_eq!(FormModule::from_path(module.path()), Some(module));
        }
    }

    #[test]
    fn workspaces_see_global_fields_and_their_own() {
        let profile = Profile::new(Account::Customised, true);
        let names = |workspace: i64| -> Vec<&str> {
            profile
                .visible(FormModule::Tickets, workspace)
                .into_iter()
                .map(name)
                .collect()
        };
        assert!(names(2).contains(&"cf_business_impact"));
        assert!(names(2).contains(&"status"));
        assert!(!names(3).contains(&"cf_business_impact"));
        assert!(names(3).contains(&"status"));
        assert!(!names(0).contains(&"cf_business_impact"));
    }
}
