//! The overlay: an operation's documented input schema, reshaped by an account's form fields.
//!
//! Three things change, and only in the operations a [`ProfileSource`] shapes:
//! - built-in coded and choice fields (status, source, priority, ..., ticket type) take the account's choices,
//!   named with their labels in the description;
//! - `category` and its nested levels (`sub_category`, `item_category`) take the account's category tree: each
//!   level is an enum of every value at that depth (the union over parents), and the description says which
//!   values belong under which parent when that fits in [`MAP_BUDGET`] characters, else points at the form-field
//!   tool; a per-parent `if`/`then` would be exact but costs every listing, and Freshservice refuses a wrong
//!   pair anyway;
//! - `custom_fields` becomes a closed object of the account's custom fields, typed, with the fields the account
//!   makes mandatory `required` on create (never on update, never for fields in dynamic sections).

use serde_json::{Map, Value, json};

use super::{AccountProfile, Choice, FormField, FormFieldKind, NestedField, ProfileSource};
use crate::catalog::{Operation, OperationKind};

/// Built-in fields whose choices replace a body parameter's documented values: `(form field, parameter)`.
/// Integer parameters take the choices' ids (codes), string parameters their values.
const CHOICE_FIELDS: &[(&str, &str)] = &[
    ("status", "status"),
    ("source", "source"),
    ("priority", "priority"),
    ("urgency", "urgency"),
    ("impact", "impact"),
    ("risk", "risk"),
    ("change_type", "change_type"),
    ("release_type", "release_type"),
    ("ticket_type", "type"),
];

/// Longest parent-to-children map written into a nested level's description, in characters.
const MAP_BUDGET: usize = 400;

impl Operation {
    /// The input schema of this operation for one account: [`input_schema`](Self::input_schema) with the
    /// account's choices, category tree and custom fields laid over it (see [`AccountProfile`]).
    ///
    /// `workspace` is the workspace the call acts in (the `workspace_id` it sends, or the one the caller is
    /// limited to); the fields of that workspace apply when the profile has them, else the account-wide ones.
    /// An operation no [`ProfileSource`] shapes, or whose source the profile lacks, gets exactly
    /// [`input_schema`](Self::input_schema).
    pub fn input_schema_for(&self, profile: &AccountProfile, workspace: Option<i64>) -> Value {
        let base = self.input_schema();
        let Some(source) = ProfileSource::for_operation(&self.name) else {
            return base;
        };
        let Some(fields) = profile.fields(source, workspace) else {
            return base;
        };
        overlay(base, source, &fields, self.kind == OperationKind::Create)
    }

    /// The argument router of this operation for one account: [`router`](Self::router) validating against
    /// [`input_schema_for`](Self::input_schema_for).
    ///
    /// # Errors
    ///
    /// As [`router`](Self::router).
    pub fn router_for(
        &self,
        profile: &AccountProfile,
        workspace: Option<i64>,
    ) -> Result<arg_router::Operation, arg_router::Error> {
        self.router_with_schema(self.input_schema_for(profile, workspace))
    }
}

fn overlay(mut schema: Value, source: ProfileSource, fields: &[&FormField], create: bool) -> Value {
    let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) else {
        return schema;
    };
    let (custom, built_in): (Vec<&FormField>, Vec<&FormField>) =
        fields.iter().copied().partition(|field| field.custom);
    for field in &built_in {
        if let Some((_, param)) = CHOICE_FIELDS.iter().find(|(name, _)| *name == field.name)
            && let Some(property) = properties.get_mut(*param)
        {
            with_choices(property, field);
        }
        if !field.nested_fields.is_empty() && !field.choices.is_empty() {
            nested_levels(properties, field, source);
        }
    }
    let mut custom_required = false;
    if let Some(property) = properties.get_mut("custom_fields") {
        let (custom_schema, required) = custom_fields(&custom, create, source);
        *property = custom_schema;
        custom_required = required;
    }
    if custom_required
        && let Some(required) = schema.get_mut("required").and_then(Value::as_array_mut)
        && !required.iter().any(|name| name == "custom_fields")
    {
        required.push("custom_fields".into());
    }
    schema
}

/// True when the schema's `type` is `kind` or `[kind, "null"]`.
fn has_type(schema: &Value, kind: &str) -> bool {
    match schema.get("type") {
        Some(Value::String(single)) => single == kind,
        Some(Value::Array(types)) => types.iter().any(|t| t == kind),
        _ => false,
    }
}

fn is_nullable(schema: &Value) -> bool {
    schema
        .get("type")
        .and_then(Value::as_array)
        .is_some_and(|types| types.iter().any(|t| t == "null"))
}

/// The part of a description before its list of codes (`Status of the ticket: 2 Open, ...`).
fn lead<'a>(schema: &'a Value, fallback: &'a str) -> &'a str {
    schema
        .get("description")
        .and_then(Value::as_str)
        .map(|description| description.split(": ").next().unwrap_or(description))
        .filter(|lead| !lead.is_empty())
        .unwrap_or(fallback)
}

fn set_enum(schema: &mut Value, mut values: Vec<Value>) {
    if is_nullable(schema) {
        values.push(Value::Null);
    }
    if let Some(object) = schema.as_object_mut() {
        object.insert("enum".into(), Value::Array(values));
    }
}

fn set_description(schema: &mut Value, description: String) {
    if let Some(object) = schema.as_object_mut() {
        // Keep `description` last, as the catalogue writes it.
        object.remove("description");
        object.insert("description".into(), description.into());
    }
}

/// A built-in coded or choice field: the account's codes (integers) or values (strings).
fn with_choices(property: &mut Value, field: &FormField) {
    if has_type(property, "integer") {
        let mut codes: Vec<(i64, &str)> = field
            .choices
            .iter()
            .filter_map(|choice| choice.id.map(|id| (id, choice.value.trim())))
            .collect();
        codes.sort_by_key(|(code, _)| *code);
        codes.dedup_by_key(|(code, _)| *code);
        if codes.is_empty() {
            return;
        }
        let named = codes
            .iter()
            .map(|(code, label)| format!("{code} {label}"))
            .collect::<Vec<_>>()
            .join(", ");
        let description = format!("{}: {named}", lead(property, &field.label));
        set_enum(
            property,
            codes.iter().map(|(code, _)| (*code).into()).collect(),
        );
        set_description(property, description);
    } else if has_type(property, "string") {
        let values = unique(field.choices.iter().map(|choice| choice.value.as_str()));
        if values.is_empty() {
            return;
        }
        set_enum(property, values.into_iter().map(Value::from).collect());
        set_description(
            property,
            format!("{} as this account defines it", field.label),
        );
    }
}

/// Values in first-seen order, without repeats.
fn unique<'a>(values: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut seen = Vec::new();
    for value in values {
        if !seen.contains(&value) {
            seen.push(value);
        }
    }
    seen
}

/// The choices `depth` levels below the top (0 = the top choices).
fn at_depth(choices: &[Choice], depth: usize) -> Vec<&Choice> {
    let mut level: Vec<&Choice> = choices.iter().collect();
    for _ in 0..depth {
        level = level
            .iter()
            .flat_map(|choice| choice.nested.iter())
            .collect();
    }
    level
}

/// `Hardware: Computer, Printer; Software: MS Office` for the level below `parents`, or `None` when longer
/// than [`MAP_BUDGET`].
fn parent_map(parents: &[&Choice]) -> Option<String> {
    let map = parents
        .iter()
        .filter(|parent| !parent.nested.is_empty())
        .map(|parent| {
            let children = unique(parent.nested.iter().map(|child| child.value.as_str()));
            format!("{}: {}", parent.value, children.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ");
    (map.chars().count() <= MAP_BUDGET).then_some(map)
}

/// The schema of one level of a nested dropdown: an enum of every value at that depth.
fn level_schema(base: Option<&Value>, values: Vec<&str>, description: String) -> Value {
    let mut schema = match base {
        Some(base) if has_type(base, "string") => base.clone(),
        _ => json!({"type": ["string", "null"]}),
    };
    if let Some(object) = schema.as_object_mut() {
        object.remove("format");
        object.remove("maxLength");
    }
    set_enum(&mut schema, values.into_iter().map(Value::from).collect());
    set_description(&mut schema, description);
    schema
}

/// The top field of a nested dropdown and its deeper levels, each a property of `properties` when present
/// there (built-in `category`) or inserted (custom nested dropdowns, whose levels are sibling custom fields).
fn nested_levels(properties: &mut Map<String, Value>, field: &FormField, source: ProfileSource) {
    let insert = field.custom;
    let mut levels: Vec<(&str, &str, usize)> = vec![(field.name.as_str(), field.label.as_str(), 0)];
    levels.extend(
        field
            .nested_fields
            .iter()
            .map(|NestedField { name, label, level }| {
                (
                    name.as_str(),
                    label.as_str(),
                    usize::try_from(level.saturating_sub(1)).unwrap_or(usize::MAX),
                )
            }),
    );
    for (index, (name, label, depth)) in levels.iter().enumerate() {
        if !insert && !properties.contains_key(*name) {
            continue;
        }
        let values = unique(
            at_depth(&field.choices, *depth)
                .iter()
                .map(|choice| choice.value.as_str()),
        );
        if values.is_empty() {
            continue;
        }
        // The level's description: which of its values belong under which value of the level above.
        let description = match index.checked_sub(1).map(|above| levels[above]) {
            None => label.to_string(),
            Some((parent, _, parent_depth)) => {
                match parent_map(&at_depth(&field.choices, parent_depth)) {
                    Some(map) => format!("{label}, by {parent}: {map}"),
                    None => format!(
                        "{label}; one listed under the chosen {parent} in {}",
                        source.noun()
                    ),
                }
            }
        };
        let schema = level_schema(properties.get(*name), values, description);
        properties.insert((*name).to_owned(), schema);
    }
}

/// The `custom_fields` object of the account, and whether it has required members.
fn custom_fields(fields: &[&FormField], create: bool, source: ProfileSource) -> (Value, bool) {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for field in fields {
        let mandatory = create && field.required && !field.in_section;
        properties.insert(field.name.clone(), custom_value(field, !mandatory));
        if field.kind == FormFieldKind::NestedDropdown {
            // The top level keeps the field's own nullability; the deeper levels are optional.
            nested_levels(&mut properties, field, source);
        }
        if mandatory {
            required.push(Value::from(field.name.as_str()));
        }
    }
    let names: Vec<String> = properties.keys().map(|name| regex_escape(name)).collect();
    let mut schema = Map::new();
    schema.insert("type".into(), "object".into());
    schema.insert("properties".into(), Value::Object(properties));
    let has_required = !required.is_empty();
    if has_required {
        schema.insert("required".into(), Value::Array(required));
    }
    schema.insert("additionalProperties".into(), false.into());
    // Repeats the names so that an unknown one is refused with every known one listed: a validator
    // shortens an `enum` of names in its message, but quotes a `pattern` whole.
    schema.insert(
        "propertyNames".into(),
        json!({ "pattern": format!("^({})$", names.join("|")) }),
    );
    schema.insert(
        "description".into(),
        format!("This account's custom fields, by name ({})", source.noun()).into(),
    );
    (Value::Object(schema), has_required)
}

/// `name` with the regular-expression metacharacters escaped.
fn regex_escape(name: &str) -> String {
    let mut escaped = String::with_capacity(name.len());
    for character in name.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(character) {
            escaped.push('\\');
        }
        escaped.push(character);
    }
    escaped
}

/// The schema of one custom field's value.
fn custom_value(field: &FormField, nullable: bool) -> Value {
    let values = || -> Vec<Value> {
        unique(field.choices.iter().map(|choice| choice.value.as_str()))
            .into_iter()
            .map(Value::from)
            .collect()
    };
    let mut schema = match field.kind {
        FormFieldKind::Text
        | FormFieldKind::Paragraph
        | FormFieldKind::Url
        | FormFieldKind::PhoneNumber => json!({"type": "string"}),
        FormFieldKind::Number => json!({"type": "integer"}),
        FormFieldKind::Decimal => json!({"type": "number"}),
        FormFieldKind::Checkbox => json!({"type": "boolean"}),
        FormFieldKind::Date => json!({"type": "string", "format": "date"}),
        FormFieldKind::DateTime => json!({"type": "string", "format": "date-time"}),
        FormFieldKind::Dropdown | FormFieldKind::NestedDropdown if !field.choices.is_empty() => {
            json!({"type": "string", "enum": values()})
        }
        FormFieldKind::Dropdown | FormFieldKind::NestedDropdown => json!({"type": "string"}),
        FormFieldKind::MultiSelectDropdown if !field.choices.is_empty() => {
            json!({"type": "array", "items": {"type": "string", "enum": values()}})
        }
        FormFieldKind::MultiSelectDropdown => json!({"type": "array", "items": {"type": "string"}}),
        // Not a type this crate knows: any value, said so.
        FormFieldKind::BuiltIn | FormFieldKind::Unknown => {
            return json!({"description": format!("{} ({}, not checked here)", field.label, field.field_type)});
        }
    };
    if nullable && let Some(object) = schema.as_object_mut() {
        if let Some(Value::String(single)) = object.get("type").cloned() {
            object.insert("type".into(), json!([single, "null"]));
        }
        if let Some(Value::Array(values)) = object.get_mut("enum") {
            values.push(Value::Null);
        }
    }
    if field.label != field.name && !field.label.is_empty() {
        set_description(&mut schema, field.label.clone());
    }
    schema
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(kind: FormFieldKind, choices: &[&str]) -> FormField {
        FormField {
            name: "f".into(),
            label: "Field".into(),
            field_type: "custom_x".into(),
            kind,
            custom: true,
            required: false,
            in_section: false,
            workspace_id: None,
            choices: choices
                .iter()
                .map(|value| Choice {
                    id: None,
                    value: (*value).into(),
                    nested: Vec::new(),
                })
                .collect(),
            nested_fields: Vec::new(),
        }
    }

    #[test]
    fn custom_values_by_kind() {
        use FormFieldKind::*;
        for (kind, choices, nullable, expect) in [
            (
                Text,
                &[][..],
                false,
                json!({"type": "string", "description": "Field"}),
            ),
            (
                Paragraph,
                &[],
                true,
                json!({"type": ["string", "null"], "description": "Field"}),
            ),
            (
                Number,
                &[],
                false,
                json!({"type": "integer", "description": "Field"}),
            ),
            (
                Decimal,
                &[],
                false,
                json!({"type": "number", "description": "Field"}),
            ),
            (
                Checkbox,
                &[],
                false,
                json!({"type": "boolean", "description": "Field"}),
            ),
            (
                Date,
                &[],
                false,
                json!({"type": "string", "format": "date", "description": "Field"}),
            ),
            (
                DateTime,
                &[],
                true,
                json!({"type": ["string", "null"], "format": "date-time", "description": "Field"}),
            ),
            (
                Dropdown,
                &["A", "B", "A"],
                true,
                json!({"type": ["string", "null"], "enum": ["A", "B", null], "description": "Field"}),
            ),
            (
                Dropdown,
                &[],
                false,
                json!({"type": "string", "description": "Field"}),
            ),
            (
                MultiSelectDropdown,
                &["A"],
                false,
                json!({"type": "array", "items": {"type": "string", "enum": ["A"]}, "description": "Field"}),
            ),
            (
                Unknown,
                &[],
                true,
                json!({"description": "Field (custom_x, not checked here)"}),
            ),
        ] {
            assert_eq!(
                custom_value(&field(kind, choices), nullable),
                expect,
                "{kind:?}"
            );
        }
    }

    #[test]
    fn names_are_escaped_for_the_pattern() {
        for (name, expect) in [
            ("cost_centre", "cost_centre"),
            ("cf_a.b", r"cf_a\.b"),
            ("x(1)|y", r"x\(1\)\|y"),
        ] {
            assert_eq!(regex_escape(name), expect);
        }
    }

    #[test]
    fn leads_stop_at_the_codes() {
        for (description, expect) in [
            (
                json!({"description": "Status of the ticket: 2 Open"}),
                "Status of the ticket",
            ),
            (json!({"description": "Impact"}), "Impact"),
            (json!({}), "Label"),
            (json!({"description": ": x"}), "Label"),
        ] {
            assert_eq!(lead(&description, "Label"), expect);
        }
    }

    #[test]
    fn parent_maps_fit_the_budget_or_are_left_out() {
        let tree = |children: usize| Choice {
            id: None,
            value: "Top".into(),
            nested: (0..children)
                .map(|index| Choice {
                    id: None,
                    value: format!("Child {index}"),
                    nested: Vec::new(),
                })
                .collect(),
        };
        assert_eq!(
            parent_map(&[&tree(2)]).as_deref(),
            Some("Top: Child 0, Child 1")
        );
        assert_eq!(parent_map(&[&tree(100)]), None);
    }
}
