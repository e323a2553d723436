//! Request validation driven by the catalogue: the parameters of the matching operation say which body fields
//! exist, which are required and what type each has, so the sandbox rejects exactly what the tool schemas rule out.

use freshservice_schema::{Operation, ParamLocation};
use serde_json::{Map, Value};

use crate::clock::{parse_date, parse_timestamp};

/// One entry of a Freshservice validation error body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FieldError {
    pub(crate) field: String,
    pub(crate) message: String,
    pub(crate) code: &'static str,
}

impl FieldError {
    pub(crate) fn new(
        field: impl Into<String>,
        code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
            code,
        }
    }

    pub(crate) fn missing(field: impl Into<String>) -> Self {
        FieldError::new(field, "missing_field", "this field is required")
    }

    pub(crate) fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError::new(field, "invalid_value", message)
    }

    pub(crate) fn missing_with(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError::new(field, "missing_field", message)
    }
}

/// Checks a request body against the body parameters of `operation`.
///
/// `skip` names fields the caller checks itself (for example `workspace_id`, whose rules depend on the account).
/// On updates, `required` is taken from the update operation, which normally requires nothing in the body.
pub(crate) fn body(
    operation: &Operation,
    body: &Map<String, Value>,
    skip: &[&str],
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let declared: Vec<_> = operation
        .params
        .iter()
        .filter(|param| param.location == ParamLocation::Body)
        .collect();
    for (name, value) in body {
        if skip.contains(&name.as_str()) {
            continue;
        }
        match declared.iter().find(|param| &param.name == name) {
            None => errors.push(FieldError::new(
                name.as_str(),
                "invalid_field",
                "unexpected field; this operation does not take it",
            )),
            Some(param) => {
                if !value.is_null() || param.required {
                    value_against(name, &param.schema, value, &mut errors);
                }
            }
        }
    }
    for param in &declared {
        if param.required
            && !skip.contains(&param.name.as_str())
            && body.get(&param.name).is_none_or(Value::is_null)
        {
            errors.push(FieldError::missing(param.name.as_str()));
        }
    }
    errors
}

/// Checks the query parameters `operation` declares. Undeclared parameters are ignored, as Freshservice does.
///
/// `include` may list several comma-separated embeds; each must be one of the declared values.
pub(crate) fn query(
    operation: &Operation,
    pairs: &[(String, String)],
    skip: &[&str],
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for param in operation
        .params
        .iter()
        .filter(|param| param.location == ParamLocation::Query)
    {
        if skip.contains(&param.name.as_str()) {
            continue;
        }
        let given = pairs
            .iter()
            .find(|(key, _)| key == &param.name)
            .map(|(_, value)| value.as_str());
        let Some(text) = given else {
            if param.required {
                errors.push(FieldError::missing(param.name.as_str()));
            }
            continue;
        };
        let schema = &param.schema;
        let value = match schema.get("type").and_then(Value::as_str) {
            Some("integer") => match text.trim().parse::<i64>() {
                Ok(number) => Value::from(number),
                Err(_) => {
                    errors.push(FieldError::new(
                        param.name.as_str(),
                        "datatype_mismatch",
                        format!("expected an integer, got {text:?}"),
                    ));
                    continue;
                }
            },
            Some("boolean") => match text {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                _ => {
                    errors.push(FieldError::new(
                        param.name.as_str(),
                        "datatype_mismatch",
                        format!("expected true or false, got {text:?}"),
                    ));
                    continue;
                }
            },
            _ => Value::String(text.to_owned()),
        };
        if param.name == "include" {
            for part in text
                .split(',')
                .map(str::trim)
                .filter(|part| !part.is_empty())
            {
                value_against(&param.name, schema, &Value::from(part), &mut errors);
            }
        } else {
            value_against(&param.name, schema, &value, &mut errors);
        }
    }
    errors
}

/// Checks one value against the JSON Schema subset the catalogue produces.
pub(crate) fn value_against(
    field: &str,
    schema: &Value,
    value: &Value,
    errors: &mut Vec<FieldError>,
) {
    let expected = schema.get("type").and_then(Value::as_str);
    let type_ok = match expected {
        Some("integer") => value.is_i64() || value.is_u64(),
        Some("number") => value.is_number(),
        Some("string") => value.is_string(),
        Some("boolean") => value.is_boolean(),
        Some("object") => value.is_object(),
        Some("array") => value.is_array(),
        _ => true,
    };
    if !type_ok {
        errors.push(FieldError::new(
            field,
            "datatype_mismatch",
            format!(
                "expected {}, got {}",
                article(expected.unwrap_or("value")),
                describe(value)
            ),
        ));
        return;
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.contains(value)
    {
        let listed: Vec<String> = allowed.iter().map(Value::to_string).collect();
        errors.push(FieldError::invalid(
            field,
            format!("{value} is not allowed; use one of {}", listed.join(", ")),
        ));
        return;
    }
    match value {
        Value::Number(number) => {
            let number = number.as_f64().unwrap_or(f64::NAN);
            if let Some(minimum) = schema.get("minimum").and_then(Value::as_f64)
                && number < minimum
            {
                errors.push(FieldError::invalid(
                    field,
                    format!("must be at least {minimum}"),
                ));
            }
            if let Some(maximum) = schema.get("maximum").and_then(Value::as_f64)
                && number > maximum
            {
                errors.push(FieldError::invalid(
                    field,
                    format!("must be at most {maximum}"),
                ));
            }
        }
        Value::String(text) => {
            let length = text.chars().count() as u64;
            if let Some(minimum) = schema.get("minLength").and_then(Value::as_u64)
                && length < minimum
            {
                errors.push(FieldError::invalid(
                    field,
                    format!("must be at least {minimum} characters long"),
                ));
            }
            if let Some(maximum) = schema.get("maxLength").and_then(Value::as_u64)
                && length > maximum
            {
                errors.push(FieldError::invalid(
                    field,
                    format!("must be at most {maximum} characters long"),
                ));
            }
            let format_ok = match schema.get("format").and_then(Value::as_str) {
                Some("date-time") => parse_timestamp(text).is_some(),
                Some("date") => parse_date(text).is_some(),
                Some("email") => is_email(text),
                _ => true,
            };
            if !format_ok {
                let wanted = match schema.get("format").and_then(Value::as_str) {
                    Some("date-time") => "a UTC timestamp such as 2025-01-31T09:00:00Z",
                    Some("date") => "a date such as 2025-01-31",
                    _ => "an email address",
                };
                errors.push(FieldError::invalid(
                    field,
                    format!("{text:?} is not {wanted}"),
                ));
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for (index, item) in items.iter().enumerate() {
                    value_against(&format!("{field}[{index}]"), item_schema, item, errors);
                }
            }
        }
        Value::Object(members) => {
            let properties = schema.get("properties").and_then(Value::as_object);
            if let Some(properties) = properties {
                for (name, member) in members {
                    let nested = format!("{field}.{name}");
                    match properties.get(name) {
                        Some(property) if !member.is_null() => {
                            value_against(&nested, property, member, errors)
                        }
                        Some(_) => {}
                        None if schema.get("additionalProperties") == Some(&Value::Bool(false)) => {
                            errors.push(FieldError::new(
                                nested,
                                "invalid_field",
                                "unexpected field",
                            ));
                        }
                        None => {}
                    }
                }
            }
            for required in schema
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                if members.get(required).is_none_or(Value::is_null) {
                    errors.push(FieldError::missing(format!("{field}.{required}")));
                }
            }
        }
        _ => {}
    }
}

fn is_email(text: &str) -> bool {
    match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !text.contains(char::is_whitespace)
        }
        None => false,
    }
}

fn article(kind: &str) -> String {
    match kind {
        "integer" | "object" | "array" => format!("an {kind}"),
        other => format!("a {other}"),
    }
}

fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(number) if number.is_f64() => "a decimal number",
        Value::Number(_) => "an integer",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn check(schema: Value, value: Value, expected: &[(&str, &str)]) {
        let mut errors = Vec::new();
        value_against("f", &schema, &value, &mut errors);
        let got: Vec<(&str, &str)> = errors
            .iter()
            .map(|error| (error.field.as_str(), error.code))
            .collect();
        assert_eq!(got, expected, "{schema} with {value}: {errors:?}");
    }

    #[test]
    fn values_against_schemas() {
        check(json!({"type": "integer", "minimum": 1}), json!(3), &[]);
        check(
            json!({"type": "integer", "minimum": 1}),
            json!(0),
            &[("f", "invalid_value")],
        );
        check(
            json!({"type": "integer"}),
            json!("3"),
            &[("f", "datatype_mismatch")],
        );
        check(
            json!({"type": "integer"}),
            json!(3.5),
            &[("f", "datatype_mismatch")],
        );
        check(
            json!({"type": "integer", "enum": [2, 3]}),
            json!(4),
            &[("f", "invalid_value")],
        );
        check(
            json!({"type": "string", "enum": ["asc"]}),
            json!("asc"),
            &[],
        );
        check(
            json!({"type": "string", "format": "date-time"}),
            json!("2025-01-01T10:00:00Z"),
            &[],
        );
        check(
            json!({"type": "string", "format": "date-time"}),
            json!("tomorrow"),
            &[("f", "invalid_value")],
        );
        check(
            json!({"type": "string", "format": "date"}),
            json!("2025-02-30"),
            &[("f", "invalid_value")],
        );
        check(
            json!({"type": "string", "format": "email"}),
            json!("a@b.co"),
            &[],
        );
        check(
            json!({"type": "string", "format": "email"}),
            json!("a@b"),
            &[("f", "invalid_value")],
        );
        check(
            json!({"type": "string", "maxLength": 2}),
            json!("abc"),
            &[("f", "invalid_value")],
        );
        check(
            json!({"type": "array", "items": {"type": "object", "properties": {"display_id": {"type": "integer"}}, "required": ["display_id"]}}),
            json!([{"display_id": 1}, {}, {"display_id": "x"}]),
            &[
                ("f[1].display_id", "missing_field"),
                ("f[2].display_id", "datatype_mismatch"),
            ],
        );
        check(
            json!({"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": false}),
            json!({"a": "x", "b": 1}),
            &[("f.b", "invalid_field")],
        );
        check(
            json!({"type": "object"}),
            json!([]),
            &[("f", "datatype_mismatch")],
        );
    }
}
