//! Evaluates parsed filter queries ([`freshservice_schema::Query`]) over stored records.
//!
//! The matching rules (also in the README):
//! - a field is looked up at the top level of the record (after the endpoint's aliases, e.g. ticket `tag` reads
//!   `tags`), then in `custom_fields`, then in asset `type_fields` (where keys carry a type suffix, so
//!   `asset_state` finds `asset_state_7`);
//! - an array field yields each element, so `tag:'vpn'` matches when any tag equals `vpn`;
//! - `null`, `""` and `[]` count as empty: `field:null` matches empty fields, `field!:null` the others;
//! - `:` matches when any value equals the literal: numbers numerically, booleans exactly, strings ignoring
//!   case, and a `'yyyy-mm-dd'` literal also equals any timestamp on that UTC day; `!:` is its negation;
//! - `:>` and `:<` (at least, at most) compare numbers numerically and dates by UTC day;
//! - `~[f1|f2]:'prefix'` matches when any of the fields starts with the prefix, ignoring case.

use freshservice_schema::{Condition, Literal, Operator, Query};
use serde_json::Value;

use crate::clock::utc_date_of;

/// A query the endpoint cannot run, with a message for the 400 body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unsupported(pub(crate) String);

/// Checks the parts of a query the parser leaves open: known fields and operator/value pairs.
pub(crate) fn check(query: &Query, is_known: &dyn Fn(&str) -> bool) -> Result<(), Unsupported> {
    match query {
        Query::And(parts) | Query::Or(parts) => {
            parts.iter().try_for_each(|part| check(part, is_known))
        }
        Query::Condition(condition) => {
            known(&condition.field, is_known)?;
            check_condition(condition)
        }
        Query::StartsWith { fields, .. } => fields.iter().try_for_each(|f| known(f, is_known)),
        _ => Err(Unsupported(
            "this kind of condition is not supported by the sandbox".into(),
        )),
    }
}

fn known(field: &str, is_known: &dyn Fn(&str) -> bool) -> Result<(), Unsupported> {
    if is_known(field) {
        Ok(())
    } else {
        Err(Unsupported(format!(
            "`{field}` is not a field this endpoint can filter on; check the spelling (names are snake_case and case-sensitive)"
        )))
    }
}

fn check_condition(condition: &Condition) -> Result<(), Unsupported> {
    let ordered = matches!(condition.operator, Operator::AtLeast | Operator::AtMost);
    let comparable = match &condition.value {
        Literal::Number(_) => true,
        value => value.is_date(),
    };
    if ordered && !comparable {
        return Err(Unsupported(format!(
            "`{}{}` needs a number or a date written as 'yyyy-mm-dd'",
            condition.field,
            condition.operator.as_str()
        )));
    }
    if matches!(
        condition.operator,
        Operator::Equals | Operator::NotEquals | Operator::AtLeast | Operator::AtMost
    ) {
        Ok(())
    } else {
        Err(Unsupported(format!(
            "the operator in `{}` is not supported by the sandbox",
            condition.field
        )))
    }
}

/// Whether `record` matches `query`; `aliases` maps query field names to record field names.
pub(crate) fn matches(query: &Query, record: &Value, aliases: &[(&str, &str)]) -> bool {
    match query {
        Query::And(parts) => parts.iter().all(|part| matches(part, record, aliases)),
        Query::Or(parts) => parts.iter().any(|part| matches(part, record, aliases)),
        Query::Condition(condition) => condition_matches(condition, record, aliases),
        Query::StartsWith { fields, prefix } => {
            let prefix = prefix.to_lowercase();
            fields.iter().any(|field| {
                values(record, field, aliases).iter().any(|value| {
                    value
                        .as_str()
                        .is_some_and(|text| text.to_lowercase().starts_with(&prefix))
                })
            })
        }
        _ => false,
    }
}

fn condition_matches(condition: &Condition, record: &Value, aliases: &[(&str, &str)]) -> bool {
    let found = values(record, &condition.field, aliases);
    let literal = &condition.value;
    match condition.operator {
        Operator::Equals => equals_any(&found, literal),
        Operator::NotEquals => !equals_any(&found, literal),
        Operator::AtLeast => found
            .iter()
            .any(|value| compare(value, literal).is_some_and(|order| order.is_ge())),
        Operator::AtMost => found
            .iter()
            .any(|value| compare(value, literal).is_some_and(|order| order.is_le())),
        _ => false,
    }
}

fn equals_any(found: &[&Value], literal: &Literal) -> bool {
    match literal {
        Literal::Null => found.is_empty(),
        literal => found.iter().any(|value| equals(value, literal)),
    }
}

fn equals(value: &Value, literal: &Literal) -> bool {
    match (value, literal) {
        (Value::Number(number), Literal::Number(_)) => number
            .as_f64()
            .is_some_and(|left| Some(left) == literal.as_f64()),
        (Value::Bool(left), Literal::Bool(right)) => left == right,
        (Value::String(left), Literal::String(right)) => {
            left.to_lowercase() == right.to_lowercase()
                || (literal.is_date() && utc_date_of(left).as_deref() == Some(right.as_str()))
        }
        _ => false,
    }
}

fn compare(value: &Value, literal: &Literal) -> Option<std::cmp::Ordering> {
    match (value, literal) {
        (Value::Number(number), Literal::Number(_)) => {
            number.as_f64()?.partial_cmp(&literal.as_f64()?)
        }
        (Value::String(text), Literal::String(date)) if literal.is_date() => {
            Some(utc_date_of(text)?.as_str().cmp(date.as_str()))
        }
        _ => None,
    }
}

/// The non-empty values of a field: one for a scalar, each element for an array, none when missing or empty.
pub(crate) fn values<'a>(
    record: &'a Value,
    field: &str,
    aliases: &[(&str, &str)],
) -> Vec<&'a Value> {
    let name = aliases
        .iter()
        .find(|(alias, _)| *alias == field)
        .map_or(field, |(_, target)| *target);
    let found = record
        .get(name)
        .or_else(|| {
            record
                .get("custom_fields")
                .and_then(|custom| custom.get(name))
        })
        .or_else(|| type_field(record, name));
    let mut out = Vec::new();
    match found {
        Some(Value::Array(items)) => out.extend(items.iter().filter(|item| !is_empty(item))),
        Some(value) if !is_empty(value) => out.push(value),
        _ => {}
    }
    out
}

fn type_field<'a>(record: &'a Value, name: &str) -> Option<&'a Value> {
    let fields = record.get("type_fields")?.as_object()?;
    fields.get(name).or_else(|| {
        fields.iter().find_map(|(key, value)| {
            key.strip_prefix(name)
                .and_then(|rest| rest.strip_prefix('_'))
                .filter(|suffix| suffix.bytes().all(|byte| byte.is_ascii_digit()))
                .map(|_| value)
        })
    })
}

/// Whether the record has this field anywhere the evaluator looks.
pub(crate) fn has_field(record: &Value, field: &str) -> bool {
    record.get(field).is_some()
        || record
            .get("custom_fields")
            .and_then(|custom| custom.get(field))
            .is_some()
        || type_field(record, field).is_some()
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(text) => text.is_empty(),
        Value::Array(items) => items.is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use freshservice_schema::parse_query;
    use serde_json::json;

    use super::*;

    fn check(query: &str, record: &Value, expected: bool) {
        let parsed = parse_query(query).unwrap();
        assert_eq!(
            matches(
                &parsed,
                record,
                &[("tag", "tags"), ("agent_id", "responder_id")]
            ),
            expected,
            "{query} on {record}"
        );
    }

    #[test]
    fn conditions() {
        let ticket = json!({
            "priority": 3,
            "status": 2,
            "responder_id": null,
            "tags": ["vpn", "Network"],
            "subject": "VPN down",
            "created_at": "2025-03-10T23:30:00Z",
            "due_by": "2025-03-12",
            "custom_fields": {"cf_affected_asset": "db-prod-01", "cf_urgent": true, "cf_score": 2.5},
            "type_fields": {"asset_state_12": "In Use"},
        });
        check("priority:3", &ticket, true);
        check("priority:3.0", &ticket, true);
        check("priority:4", &ticket, false);
        check("priority!:4", &ticket, true);
        check("priority:>3 AND priority:<3", &ticket, true);
        check("priority:>4", &ticket, false);
        check("agent_id:null", &ticket, true);
        check("agent_id!:null", &ticket, false);
        check("group_id:null", &ticket, true);
        check("tag:'network'", &ticket, true);
        check("tag!:'vpn'", &ticket, false);
        check("subject:'vpn DOWN'", &ticket, true);
        check("created_at:'2025-03-10'", &ticket, true);
        check(
            "created_at:>'2025-03-10' AND created_at:<'2025-03-10'",
            &ticket,
            true,
        );
        check("created_at:>'2025-03-11'", &ticket, false);
        check("due_by:<'2025-03-12'", &ticket, true);
        check("cf_affected_asset:'db-prod-01'", &ticket, true);
        check("cf_urgent:true", &ticket, true);
        check("cf_urgent:false", &ticket, false);
        check("cf_score:>2", &ticket, true);
        check("asset_state:'in use'", &ticket, true);
        check("status:'2'", &ticket, false);
        check("priority:4 OR (status:2 AND tag:'vpn')", &ticket, true);
        check("priority:4 OR status:3", &ticket, false);
        check("~[subject|status]:'vp'", &ticket, true);
        check("~[subject]:'down'", &ticket, false);
    }

    #[test]
    fn checks_reject_unknown_fields_and_bad_orderings() {
        let is_known = |field: &str| field != "nope";
        let trials = [
            ("priority:3", true),
            ("nope:3", false),
            ("priority:3 AND (status:2 OR nope:1)", false),
            ("~[nope]:'a'", false),
            ("priority:>'high'", false),
            ("priority:>null", false),
            ("created_at:>'2025-01-01'", true),
            ("priority:<true", false),
        ];
        for (query, ok) in trials {
            let parsed = parse_query(query).unwrap();
            assert_eq!(super::check(&parsed, &is_known).is_ok(), ok, "{query}");
        }
    }

    #[test]
    fn field_presence() {
        let record = json!({"a": 1, "custom_fields": {"b": null}, "type_fields": {"c_3": 1}});
        for (field, present) in [
            ("a", true),
            ("b", true),
            ("c", true),
            ("d", false),
            ("c_", false),
        ] {
            assert_eq!(has_field(&record, field), present, "{field}");
        }
    }
}
