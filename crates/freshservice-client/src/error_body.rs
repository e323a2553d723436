//! Freshservice's JSON error bodies.
//!
//! Only the validation body (`{"description", "errors": [...]}`) is documented; other statuses may carry
//! `{"code", "message"}`, `{"message"}` or nothing, so every field is optional and parsing is lenient:
//! a value of an unexpected JSON type is dropped rather than failing the whole body.

use serde::{Deserialize, Deserializer, Serialize};

/// An error body from Freshservice.
///
/// Documented shape: `{"description": "Validation failed", "errors": [{"field", "message", "code"}]}`.
/// The shapes `{"code", "message"}` and `{"message"}` are accepted too.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub struct ApiErrorBody {
    /// Summary of the failure, for example `Validation failed`.
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub description: Option<String>,
    /// Machine-readable error code, for example `invalid_credentials`.
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub code: Option<String>,
    /// Human-readable message.
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub message: Option<String>,
    /// Per-field problems (validation errors).
    #[serde(
        default,
        deserialize_with = "lenient_field_errors",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub errors: Vec<FieldError>,
}

/// One per-field problem in an [`ApiErrorBody`].
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub struct FieldError {
    /// The request field at fault (only present on 400s).
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub field: Option<String>,
    /// The field inside `field` at fault, for nested objects.
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub nested_field: Option<String>,
    /// Human-readable message.
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub message: Option<String>,
    /// Machine-readable error code, for example `invalid_value` or `missing_field`.
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub code: Option<String>,
}

impl ApiErrorBody {
    /// Parses a body; `None` unless it is a JSON object with at least one known field.
    pub(crate) fn from_json_bytes(bytes: &[u8]) -> Option<Self> {
        let value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
        if !value.is_object() {
            return None;
        }
        let body: Self = serde_json::from_value(value).ok()?;
        (body != Self::default()).then_some(body)
    }

    /// The messages of this body, most general first, for error messages.
    pub(crate) fn summary(&self) -> Vec<String> {
        let mut parts = Vec::new();
        if let Some(description) = non_blank(&self.description) {
            parts.push(description.to_owned());
        }
        match (non_blank(&self.message), non_blank(&self.code)) {
            (Some(message), Some(code)) => parts.push(format!("{message} ({code})")),
            (Some(message), None) => parts.push(message.to_owned()),
            (None, Some(code)) => parts.push(code.to_owned()),
            (None, None) => {}
        }
        parts.extend(self.errors.iter().filter_map(FieldError::summary));
        parts
    }
}

impl FieldError {
    fn summary(&self) -> Option<String> {
        let field = match (non_blank(&self.field), non_blank(&self.nested_field)) {
            (Some(field), Some(nested)) => Some(format!("{field}.{nested}")),
            (Some(field), None) => Some(field.to_owned()),
            (None, Some(nested)) => Some(nested.to_owned()),
            (None, None) => None,
        };
        let text = match (non_blank(&self.message), non_blank(&self.code)) {
            (Some(message), Some(code)) => format!("{message} ({code})"),
            (Some(message), None) => message.to_owned(),
            (None, Some(code)) => code.to_owned(),
            (None, None) => return field.map(|field| format!("{field}: invalid")),
        };
        Some(match field {
            Some(field) => format!("{field}: {text}"),
            None => text,
        })
    }
}

fn non_blank(text: &Option<String>) -> Option<&str> {
    text.as_deref()
        .map(str::trim)
        .filter(|text| !text.is_empty())
}

/// Accepts a string, number or boolean; anything else becomes `None`.
fn lenient_string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Ok(match serde_json::Value::deserialize(deserializer)? {
        serde_json::Value::String(text) => Some(text),
        serde_json::Value::Number(number) => Some(number.to_string()),
        serde_json::Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    })
}

/// Accepts an array of objects (skipping other items); anything else becomes empty.
fn lenient_field_errors<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<FieldError>, D::Error> {
    Ok(match serde_json::Value::deserialize(deserializer)? {
        serde_json::Value::Array(items) => items
            .into_iter()
            .filter(serde_json::Value::is_object)
            .filter_map(|item| serde_json::from_value(item).ok())
            .collect(),
        _ => Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(json: &str, expected_summary: Option<&str>) {
        let body = ApiErrorBody::from_json_bytes(json.as_bytes());
        let summary = body.map(|body| body.summary().join("; "));
        assert_eq!(summary.as_deref(), expected_summary, "{json}");
    }

    #[test]
    fn parses_known_shapes_leniently() {
        check(
            r#"{"description":"Validation failed","errors":[{"field":"time_period","message":"[:invalid_field]","code":"invalid_value"}]}"#,
            Some("Validation failed; time_period: [:invalid_field] (invalid_value)"),
        );
        check(
            r#"{"code":"access_denied","message":"You are not authorized"}"#,
            Some("You are not authorized (access_denied)"),
        );
        check(
            r#"{"message":"You have exceeded the limit of requests per hour"}"#,
            Some("You have exceeded the limit of requests per hour"),
        );
        check(r#"{"code":404}"#, Some("404"));
        check(
            r#"{"errors":[{"field":"error","nested_field":"id","code":"invalid_id"},{"field":"email"},"junk"]}"#,
            Some("error.id: invalid_id; email: invalid"),
        );
        check(
            r#"{"description":"x","errors":{"not":"an array"}}"#,
            Some("x"),
        );
        check(
            r#"{"message":{"nested":true},"description":"  "}"#,
            Some(""),
        );
        check(r#"{}"#, None);
        check(r#"{"unrelated":1}"#, None);
        check(r#"[1,2]"#, None);
        check("<html>oops</html>", None);
        check("", None);
    }

    #[test]
    fn serializes_without_empty_fields() {
        let body = ApiErrorBody::from_json_bytes(br#"{"message":"m","errors":[]}"#).unwrap();
        assert_eq!(serde_json::to_string(&body).unwrap(), r#"{"message":"m"}"#);
    }
}
