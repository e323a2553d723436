//! The form-field answers as Freshservice sends them, and their reading into [`FormField`]s.
//!
//! The six endpoints share an envelope (`{"<source>_fields": [...]}`) but not a field vocabulary: tickets,
//! changes, problems and releases say `field_type`, `default_field` and `choices` of `{id, value,
//! nested_options}`; requesters say `type` and `default`; agents say `type`, `default_field` and
//! `mandatory_for_admins`. One lenient struct reads them all: unknown members are ignored, unknown types are
//! kept as [`FormFieldKind::Unknown`], and choices in an unexpected shape are skipped rather than refused.

use serde::Deserialize;
use serde_json::Value;

use super::{Choice, FormField, FormFieldKind, NestedField, ProfileSource};
use crate::error::Error;

/// One field of a form-field answer; every member but `name` may be absent or `null`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
struct WireField {
    name: String,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    label_for_admins: Option<String>,
    #[serde(default)]
    field_type: Option<String>,
    #[serde(default, rename = "type")]
    short_type: Option<String>,
    #[serde(default)]
    default_field: Option<bool>,
    #[serde(default)]
    default: Option<bool>,
    #[serde(default)]
    belongs_to_section: Option<bool>,
    #[serde(default)]
    date_only: Option<bool>,
    #[serde(default)]
    workspace_id: Option<i64>,
    #[serde(default)]
    choices: Option<Value>,
    #[serde(default)]
    nested_fields: Option<Vec<WireNestedField>>,
    /// Everything else, among it the per-source required flag.
    #[serde(flatten)]
    rest: serde_json::Map<String, Value>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
struct WireNestedField {
    name: String,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    level: Option<u32>,
}

/// Read one answer of `source`'s endpoint.
pub(super) fn parse(source: ProfileSource, body: &Value) -> Result<Vec<FormField>, Error> {
    let key = source.response_key();
    let shape_error = |expected: String| Error::ProfileResponse {
        tool: source.tool(),
        path: source.path(),
        expected,
    };
    let Some(items) = body.get(key).and_then(Value::as_array) else {
        return Err(shape_error(format!(
            "an object whose `{key}` is an array of fields"
        )));
    };
    items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let wire = WireField::deserialize(item).map_err(|error| {
                shape_error(format!(
                    "`{key}[{index}]` to be a field object with a string `name` ({error})"
                ))
            })?;
            Ok(field(source, wire))
        })
        .collect()
}

fn field(source: ProfileSource, wire: WireField) -> FormField {
    let field_type = wire.field_type.or(wire.short_type).unwrap_or_default();
    let custom = match wire.default_field.or(wire.default) {
        Some(default) => !default,
        // No flag: the type says it (`custom_*`, `nested_field`).
        None => field_type.starts_with("custom_") || field_type == "nested_field",
    };
    let kind = if custom {
        custom_kind(&field_type, wire.date_only)
    } else {
        FormFieldKind::BuiltIn
    };
    let required = wire
        .rest
        .get(source.required_key())
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let mut nested_fields: Vec<NestedField> = wire
        .nested_fields
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(index, nested)| NestedField {
            label: nested.label.unwrap_or_else(|| nested.name.clone()),
            name: nested.name,
            // Levels count from the top field, which is level 1.
            level: nested
                .level
                .unwrap_or(u32::try_from(index).unwrap_or(u32::MAX).saturating_add(2)),
        })
        .collect();
    nested_fields.sort_by_key(|nested| nested.level);
    FormField {
        label: wire
            .label
            .or(wire.label_for_admins)
            .unwrap_or_else(|| wire.name.clone()),
        name: wire.name,
        field_type,
        kind,
        custom,
        required,
        in_section: wire.belongs_to_section.unwrap_or(false),
        workspace_id: wire.workspace_id,
        choices: wire.choices.as_ref().map(choices).unwrap_or_default(),
        nested_fields,
    }
}

fn custom_kind(field_type: &str, date_only: Option<bool>) -> FormFieldKind {
    match field_type {
        "custom_text" | "text" => FormFieldKind::Text,
        "custom_paragraph" | "paragraph" => FormFieldKind::Paragraph,
        "custom_number" | "custom_big_number" | "number" => FormFieldKind::Number,
        "custom_decimal" | "decimal" => FormFieldKind::Decimal,
        // `date_only` is false when "request time information" is ticked.
        "custom_date" if date_only == Some(false) => FormFieldKind::DateTime,
        "custom_date" | "date" => FormFieldKind::Date,
        "custom_date_time" if date_only == Some(true) => FormFieldKind::Date,
        "custom_date_time" | "date_time" => FormFieldKind::DateTime,
        "custom_checkbox" | "checkbox" => FormFieldKind::Checkbox,
        "custom_dropdown" | "dropdown" | "dropdown_blank" => FormFieldKind::Dropdown,
        "custom_multi_select_dropdown" => FormFieldKind::MultiSelectDropdown,
        "nested_field" | "custom_nested_field" => FormFieldKind::NestedDropdown,
        "custom_url" | "url" => FormFieldKind::Url,
        "custom_phone_number" | "phone_number" => FormFieldKind::PhoneNumber,
        _ => FormFieldKind::Unknown,
    }
}

/// Choices as `{id, value, nested_options}` objects or plain strings; anything else is skipped.
fn choices(value: &Value) -> Vec<Choice> {
    let Some(items) = value.as_array() else {
        return Vec::new();
    };
    items.iter().filter_map(choice).collect()
}

fn choice(item: &Value) -> Option<Choice> {
    match item {
        Value::String(value) => Some(Choice {
            id: None,
            value: value.clone(),
            nested: Vec::new(),
        }),
        Value::Object(object) => {
            let value = object.get("value")?.as_str()?.to_owned();
            // Ids are integers, or numeric strings on the newer forms (`"id": "1"`).
            let id = object.get("id").and_then(|id| {
                id.as_i64()
                    .or_else(|| id.as_str().and_then(|text| text.parse().ok()))
            });
            let nested = object
                .get("nested_options")
                .map(choices)
                .unwrap_or_default();
            Some(Choice { id, value, nested })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(source: ProfileSource, item: Value, expect: (&str, FormFieldKind, bool, bool)) {
        let key = source.response_key();
        let fields = parse(source, &json!({ key: [item] })).unwrap();
        let field = &fields[0];
        assert_eq!(
            (
                field.name.as_str(),
                field.kind,
                field.custom,
                field.required
            ),
            expect,
            "{field:?}"
        );
    }

    #[test]
    fn every_documented_shape_reads() {
        use FormFieldKind::*;
        use ProfileSource::*;
        for (source, item, expect) in [
            (
                Tickets,
                json!({"name": "status", "field_type": "default_status", "default_field": true, "required_for_agents": true}),
                ("status", BuiltIn, false, true),
            ),
            (
                Tickets,
                json!({"name": "due", "field_type": "custom_date", "default_field": false, "date_only": true}),
                ("due", Date, true, false),
            ),
            (
                Tickets,
                json!({"name": "when", "field_type": "custom_date", "default_field": false, "date_only": false}),
                ("when", DateTime, true, false),
            ),
            (
                Tickets,
                json!({"name": "at", "field_type": "custom_date_time", "default_field": false}),
                ("at", DateTime, true, false),
            ),
            (
                Changes,
                json!({"name": "it_field", "field_type": "custom_text", "default_field": false, "required": true, "required_for_agents": false}),
                ("it_field", Text, true, true),
            ),
            (
                Requesters,
                json!({"name": "vip", "type": "custom_checkbox", "default": false, "required_for_agents": true}),
                ("vip", Checkbox, true, true),
            ),
            (
                Requesters,
                json!({"name": "first_name", "type": "default_first_name", "default": true}),
                ("first_name", BuiltIn, false, false),
            ),
            (
                Agents,
                json!({"name": "home_phone", "type": "custom_phone_number", "default_field": false,
                       "mandatory_for_agents": true, "mandatory_for_admins": false}),
                ("home_phone", PhoneNumber, true, false),
            ),
            (
                Agents,
                json!({"name": "email", "type": "email", "default_field": true, "mandatory_for_admins": true}),
                ("email", BuiltIn, false, true),
            ),
            // Unknown types are kept; a missing default flag is read from the type.
            (
                Tickets,
                json!({"name": "lookup", "field_type": "custom_lookup_bigint", "default_field": false}),
                ("lookup", Unknown, true, false),
            ),
            (
                Tickets,
                json!({"name": "n", "field_type": "custom_decimal"}),
                ("n", Decimal, true, false),
            ),
            (
                Tickets,
                json!({"name": "x", "field_type": null, "default_field": null, "choices": null, "label": null}),
                ("x", BuiltIn, false, false),
            ),
        ] {
            check(source, item, expect);
        }
    }

    #[test]
    fn choices_read_ids_values_and_nested_options_and_skip_the_rest() {
        let fields = parse(
            ProfileSource::Tickets,
            &json!({"ticket_fields": [{"name": "category", "field_type": "default_category", "default_field": true,
                "choices": [
                    {"id": 1, "value": "Hardware", "nested_options": [{"id": 2, "value": "Computer",
                        "nested_options": [{"id": 3, "value": "Mac"}]}]},
                    {"id": "7", "value": "Software"},
                    "Plain",
                    {"id": 9},
                    ["English", "en"]
                ],
                "nested_fields": [{"name": "item_category", "level": 3}, {"name": "sub_category", "label": "Sub", "level": 2}]}]}),
        )
        .unwrap();
        let category = &fields[0];
        let values: Vec<(Option<i64>, &str)> = category
            .choices
            .iter()
            .map(|choice| (choice.id, choice.value.as_str()))
            .collect();
        assert_eq!(
            values,
            [
                (Some(1), "Hardware"),
                (Some(7), "Software"),
                (None, "Plain")
            ]
        );
        assert_eq!(category.choices[0].nested[0].nested[0].value, "Mac");
        let nested: Vec<(&str, &str, u32)> = category
            .nested_fields
            .iter()
            .map(|nested| (nested.name.as_str(), nested.label.as_str(), nested.level))
            .collect();
        assert_eq!(
            nested,
            [
                ("sub_category", "Sub", 2),
                ("item_category", "item_category", 3)
            ]
        );
    }

    #[test]
    fn bodies_that_are_not_the_documented_shape_are_errors_naming_the_source() {
        for (source, body, expect) in [
            (
                ProfileSource::Tickets,
                json!({"tickets": []}),
                "`ticket_fields` is an array",
            ),
            (
                ProfileSource::Changes,
                json!([]),
                "list_all_freshservice_change_form_fields",
            ),
            (
                ProfileSource::Agents,
                json!({"agent_fields": [{"label": "no name"}]}),
                "`agent_fields[0]`",
            ),
            (
                ProfileSource::Requesters,
                json!({"requester_fields": [{"name": "a", "default": "yes"}]}),
                "/api/v2/requester_fields",
            ),
            (
                ProfileSource::Problems,
                json!({"problem_fields": [7]}),
                "field object with a string `name`",
            ),
        ] {
            let error = parse(source, &body).unwrap_err().to_string();
            assert!(error.contains(expect), "{error:?} lacks {expect:?}");
        }
    }
}
