//! Ticket and change writes checked against the account's form fields, the way Freshservice checks them: coded
//! default fields (`status`, `source`, ...) against their choices, and on the customised account categories
//! against the category tree and `custom_fields` against each field's type, choices and mandatory flag.
//!
//! Errors name the field as the form fields do (`cf_business_impact`, `sub_category`), without a
//! `custom_fields.` prefix, as in the documented validation samples.

use serde_json::{Map, Value};

use crate::{
    account::{Account, FormModule, Profile, choices, name},
    clock::{parse_date, parse_timestamp},
    validate::FieldError,
};

/// Default fields whose values are choice ids.
const CODED: &[&str] = &[
    "status",
    "source",
    "priority",
    "urgency",
    "impact",
    "risk",
    "change_type",
];

/// One create or update, as the checks see it.
#[derive(Debug)]
pub(crate) struct Write<'a> {
    pub(crate) body: &'a Map<String, Value>,
    /// The stored record, on updates; `None` on creates.
    pub(crate) stored: Option<&'a Map<String, Value>>,
    /// The workspace of the record, whose fields apply besides the global ones.
    pub(crate) workspace: i64,
}

impl Write<'_> {
    /// A top-level value: the body's when the body has the key, the stored one otherwise.
    fn top(&self, key: &str) -> (bool, Option<&Value>) {
        match self.body.get(key) {
            Some(value) => (true, Some(value)),
            None => (false, self.stored.and_then(|stored| stored.get(key))),
        }
    }

    /// A custom field value, looked up the same way in `custom_fields`.
    fn custom(&self, key: &str) -> (bool, Option<&Value>) {
        let given = self
            .body
            .get("custom_fields")
            .and_then(Value::as_object)
            .and_then(|custom| custom.get(key));
        match given {
            Some(value) => (true, Some(value)),
            None => {
                let stored = self
                    .stored
                    .and_then(|stored| stored.get("custom_fields"))
                    .and_then(|custom| custom.get(key));
                (false, stored)
            }
        }
    }
}

/// Checks a ticket or change write; other collections are left alone. Catalogue errors about coded fields
/// (their documented codes) are replaced by the account's choices.
pub(crate) fn check(
    profile: &Profile,
    collection: &str,
    write: &Write<'_>,
    errors: &mut Vec<FieldError>,
) {
    let Some(module) = FormModule::checked_collection(collection) else {
        return;
    };
    let fields = profile.visible(module, write.workspace);
    let coded_field = |field_name: &str| {
        CODED.contains(&field_name)
            && fields
                .iter()
                .any(|field| name(field) == field_name && !choices(field).is_empty())
    };
    errors.retain(|error| !(error.code == "invalid_value" && coded_field(&error.field)));
    for field_name in CODED.iter().copied().filter(|field| coded_field(field)) {
        if let Some(code) = write.body.get(field_name).and_then(Value::as_i64)
            && let Some(field) = fields.iter().find(|field| name(field) == field_name)
        {
            check_code(field, code, errors);
        }
    }
    if profile.account != Account::Customised {
        return;
    }
    for field in fields.iter().filter(|field| is_default(field)) {
        if field.get("field_type").and_then(Value::as_str) == Some("default_category") {
            check_levels(field, |key| write.top(key), errors);
        }
    }
    check_custom_fields(module, &fields, write, errors);
}

fn is_default(field: &Value) -> bool {
    field.get("default_field").and_then(Value::as_bool) == Some(true)
}

fn is_required(field: &Value) -> bool {
    ["required_for_agents", "required"]
        .iter()
        .any(|flag| field.get(*flag).and_then(Value::as_bool) == Some(true))
}

fn field_type(field: &Value) -> &str {
    field
        .get("field_type")
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// `It should be one of these values: 'a,b,c'`, Freshservice's message for a value outside the choices.
fn one_of(items: impl Iterator<Item = String>) -> String {
    format!(
        "It should be one of these values: '{}'",
        items.collect::<Vec<_>>().join(",")
    )
}

fn check_code(field: &Value, code: i64, errors: &mut Vec<FieldError>) {
    let offered = choices(field);
    if offered
        .iter()
        .any(|choice| choice.get("id").and_then(Value::as_i64) == Some(code))
    {
        return;
    }
    let ids = offered
        .iter()
        .filter_map(|choice| choice.get("id").and_then(Value::as_i64))
        .map(|id| id.to_string());
    errors.push(FieldError::invalid(name(field), one_of(ids)));
}

fn choice_values(options: &[Value]) -> impl Iterator<Item = String> + '_ {
    options.iter().filter_map(|option| {
        option
            .get("value")
            .and_then(Value::as_str)
            .map(str::to_owned)
    })
}

/// The names of a nested field's levels, top first: its own name, then `nested_fields` by `level`.
fn level_names(field: &Value) -> Vec<&str> {
    let mut nested: Vec<(i64, &str)> = field
        .get("nested_fields")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|level| {
            (
                level.get("level").and_then(Value::as_i64).unwrap_or(0),
                name(level),
            )
        })
        .collect();
    nested.sort_by_key(|(level, _)| *level);
    std::iter::once(name(field))
        .chain(nested.into_iter().map(|(_, level_name)| level_name))
        .collect()
}

/// Checks a nested dropdown (the category tree or a custom `nested_field`): each level must be one of the
/// options under the level above, and a level can only be set when the level above is. Runs only when the
/// write touches one of the levels; `lookup` gives (in the body, effective value).
fn check_levels<'w>(
    field: &Value,
    lookup: impl Fn(&str) -> (bool, Option<&'w Value>),
    errors: &mut Vec<FieldError>,
) {
    let levels: Vec<(&str, bool, Option<&Value>)> = level_names(field)
        .into_iter()
        .map(|level| {
            let (given, value) = lookup(level);
            (level, given, value)
        })
        .collect();
    if !levels.iter().any(|(_, given, _)| *given) {
        return;
    }
    let blank = |value: Option<&Value>| {
        value.is_none_or(|value| value.is_null() || value.as_str() == Some(""))
    };
    let mut options = choices(field);
    for (index, (level, _, value)) in levels.iter().enumerate() {
        if blank(*value) {
            if let Some((deeper, _, _)) = levels[index + 1..]
                .iter()
                .find(|(_, _, deeper)| !blank(*deeper))
            {
                errors.push(FieldError::invalid(
                    *deeper,
                    format!("It should be blank unless {level} is set"),
                ));
            }
            return;
        }
        let chosen = value.and_then(Value::as_str).and_then(|text| {
            options
                .iter()
                .find(|option| option.get("value").and_then(Value::as_str) == Some(text))
        });
        match chosen {
            Some(option) => options = choices(option),
            None => {
                errors.push(FieldError::invalid(*level, one_of(choice_values(options))));
                return;
            }
        }
    }
}

fn check_custom_fields(
    module: FormModule,
    fields: &[&Value],
    write: &Write<'_>,
    errors: &mut Vec<FieldError>,
) {
    let custom: Vec<&Value> = fields
        .iter()
        .copied()
        .filter(|field| !is_default(field))
        .collect();
    let given = write.body.get("custom_fields").and_then(Value::as_object);
    for (key, value) in given.into_iter().flatten() {
        let top = custom.iter().find(|field| name(field) == key);
        let is_level = custom
            .iter()
            .any(|field| level_names(field).iter().skip(1).any(|level| level == key));
        match top {
            Some(field) if !value.is_null() => check_value(field, key, value, errors),
            Some(_) => {}
            None if is_level => {}
            None => errors.push(FieldError::invalid(
                key.as_str(),
                format!(
                    "Unexpected/invalid field in request: {key} is not a custom field of this account's {}; GET /api/v2/{} lists them",
                    module.envelope().replace('_', " "),
                    module.path()
                ),
            )),
        }
    }
    for field in custom
        .iter()
        .filter(|field| field_type(field) == "nested_field")
    {
        check_levels(field, |key| write.custom(key), errors);
    }
    if write.stored.is_none() {
        for field in custom.iter().filter(|field| is_required(field)) {
            let value = given.and_then(|given| given.get(name(field)));
            let blank = value.is_none_or(|value| value.is_null() || value.as_str() == Some(""));
            if blank {
                errors.push(FieldError::missing_with(
                    name(field),
                    "It should not be blank as this is a mandatory field",
                ));
            }
        }
    }
}

/// Checks one custom field value against its field type. Nested fields are checked level by level elsewhere.
fn check_value(field: &Value, key: &str, value: &Value, errors: &mut Vec<FieldError>) {
    let expected = match field_type(field) {
        "custom_dropdown" | "custom_radio" => {
            let options = choices(field);
            let known = value.as_str().is_some_and(|text| {
                options
                    .iter()
                    .any(|option| option.get("value").and_then(Value::as_str) == Some(text))
            });
            if !known {
                errors.push(FieldError::invalid(key, one_of(choice_values(options))));
            }
            return;
        }
        "custom_number" if !(value.is_i64() || value.is_u64()) => "Integer",
        "custom_decimal" if !value.is_number() => "Number",
        "custom_checkbox" if !value.is_boolean() => "Boolean",
        "custom_text"
        | "custom_paragraph"
        | "custom_url"
        | "custom_phone_number"
        | "custom_email"
            if !value.is_string() =>
        {
            "String"
        }
        "custom_date" => {
            let date_only = field.get("date_only").and_then(Value::as_bool) != Some(false);
            let text = value.as_str().unwrap_or("");
            let fits =
                parse_date(text).is_some() || (!date_only && parse_timestamp(text).is_some());
            if fits {
                return;
            }
            "date in the format YYYY-MM-DD"
        }
        "custom_date_time" if value.as_str().and_then(parse_timestamp).is_none() => {
            "date-time such as 2025-01-31T09:00:00Z"
        }
        _ => return,
    };
    errors.push(FieldError::invalid(
        key,
        format!("It should be a/an {expected}"),
    ));
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// Runs the checks on a body (and a stored record for updates) and returns `(field, code, message)`.
    fn check_write(
        account: Account,
        collection: &str,
        body: Value,
        stored: Option<Value>,
    ) -> Vec<(String, &'static str, String)> {
        let profile = Profile::new(account, true);
        let body = body.as_object().cloned().unwrap_or_default();
        let stored = stored.and_then(|stored| stored.as_object().cloned());
        let write = Write {
            body: &body,
            stored: stored.as_ref(),
            workspace: 2,
        };
        let mut errors = Vec::new();
        check(&profile, collection, &write, &mut errors);
        errors
            .into_iter()
            .map(|error| (error.field, error.code, error.message))
            .collect()
    }

    fn fields_and_codes<'a>(
        errors: &'a [(String, &'static str, String)],
    ) -> Vec<(&'a str, &'a str)> {
        errors
            .iter()
            .map(|(field, code, _)| (field.as_str(), *code))
            .collect()
    }

    const REQUIRED: &str = r#"{"cf_business_impact": "High"}"#;

    fn ticket(extra: Value) -> Value {
        let mut body =
            json!({"status": 2, "custom_fields": serde_json::from_str::<Value>(REQUIRED).unwrap()});
        if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
            for (key, value) in extra {
                if key == "custom_fields" {
                    if let Some(custom) = body["custom_fields"].as_object_mut() {
                        custom.extend(value.as_object().cloned().unwrap_or_default());
                    }
                } else {
                    body.insert(key.clone(), value.clone());
                }
            }
        }
        body
    }

    #[test]
    fn ticket_writes_on_the_customised_account() {
        let check = |body: Value, stored: Option<Value>, expected: &[(&str, &str)]| {
            let errors = check_write(Account::Customised, "tickets", body.clone(), stored);
            assert_eq!(fields_and_codes(&errors), expected, "{body}: {errors:?}");
        };
        check(ticket(json!({"status": 6, "source": 1008})), None, &[]);
        check(
            ticket(json!({"status": 8})),
            None,
            &[("status", "invalid_value")],
        );
        check(
            ticket(json!({"custom_fields": {"cf_business_impact": "Severe"}})),
            None,
            &[("cf_business_impact", "invalid_value")],
        );
        check(
            json!({"status": 2}),
            None,
            &[("cf_business_impact", "missing_field")],
        );
        check(json!({"status": 7}), Some(json!({"status": 2})), &[]);
        check(
            ticket(
                json!({"custom_fields": {"cf_units_affected": "12", "cf_vendor_escalated": "yes", "cf_target_date": "2025-13-40", "cf_vendor_reference": 7}}),
            ),
            None,
            &[
                ("cf_units_affected", "invalid_value"),
                ("cf_vendor_escalated", "invalid_value"),
                ("cf_target_date", "invalid_value"),
                ("cf_vendor_reference", "invalid_value"),
            ],
        );
        check(
            ticket(
                json!({"custom_fields": {"cf_units_affected": 12, "cf_vendor_escalated": true, "cf_target_date": "2025-03-01", "cf_vendor_reference": "V-1", "cf_affected_asset": "db-prod-01"}}),
            ),
            None,
            &[],
        );
        check(
            ticket(json!({"custom_fields": {"cf_nope": 1}})),
            None,
            &[("cf_nope", "invalid_value")],
        );
        check(
            ticket(
                json!({"custom_fields": {"cf_hardware": "Laptop", "cf_hardware_make": "Dell", "cf_hardware_model": "XPS 13"}}),
            ),
            None,
            &[],
        );
        check(
            ticket(json!({"custom_fields": {"cf_hardware": "Laptop", "cf_hardware_make": "HP"}})),
            None,
            &[("cf_hardware_make", "invalid_value")],
        );
        check(
            ticket(json!({"custom_fields": {"cf_hardware_model": "XPS 13"}})),
            None,
            &[("cf_hardware_model", "invalid_value")],
        );
        // An update of a lower level is checked against the stored upper levels.
        check(
            json!({"custom_fields": {"cf_hardware_model": "ThinkPad T14"}}),
            Some(json!({"custom_fields": {"cf_hardware": "Laptop", "cf_hardware_make": "Lenovo"}})),
            &[],
        );
        check(
            json!({"category": "Hardware", "sub_category": "Computer", "item_category": "Mac"}),
            Some(json!({})),
            &[],
        );
        check(
            json!({"category": "Hardware", "sub_category": "Keyboard"}),
            Some(json!({})),
            &[("sub_category", "invalid_value")],
        );
    }

    #[test]
    fn messages_list_the_account_choices() {
        let errors = check_write(
            Account::Customised,
            "tickets",
            ticket(json!({"status": 9})),
            None,
        );
        assert_eq!(
            errors[0].2,
            "It should be one of these values: '2,3,4,5,6,7'"
        );
        let errors = check_write(
            Account::Customised,
            "tickets",
            ticket(json!({"custom_fields": {"cf_business_impact": "Severe"}})),
            None,
        );
        assert_eq!(
            errors[0].2,
            "It should be one of these values: 'Low,Medium,High'"
        );
        let errors = check_write(
            Account::Customised,
            "tickets",
            ticket(json!({"custom_fields": {"cf_units_affected": 1.5}})),
            None,
        );
        assert_eq!(errors[0].2, "It should be a/an Integer");
    }

    #[test]
    fn the_default_account_checks_codes_only() {
        let check = |collection: &str, body: Value, expected: &[(&str, &str)]| {
            let errors = check_write(Account::Default, collection, body.clone(), None);
            assert_eq!(fields_and_codes(&errors), expected, "{body}");
        };
        check(
            "tickets",
            json!({"status": 6, "source": 1008}),
            &[("status", "invalid_value"), ("source", "invalid_value")],
        );
        check(
            "tickets",
            json!({"status": 2, "custom_fields": {"anything": [1]}, "category": "Nope"}),
            &[],
        );
        check(
            "changes",
            json!({"status": 7}),
            &[("status", "invalid_value")],
        );
        check("problems", json!({"status": 70}), &[]);
    }

    #[test]
    fn change_custom_fields() {
        let check = |body: Value, expected: &[(&str, &str)]| {
            let errors = check_write(Account::Customised, "changes", body.clone(), None);
            assert_eq!(fields_and_codes(&errors), expected, "{body}");
        };
        check(
            json!({"custom_fields": {"cf_environment": "Staging", "cf_rollback_tested": true, "cf_downtime_minutes": 30}}),
            &[],
        );
        check(json!({}), &[("cf_environment", "missing_field")]);
        check(
            json!({"custom_fields": {"cf_environment": "Prod"}}),
            &[("cf_environment", "invalid_value")],
        );
        // Ticket fields are not change fields.
        check(
            json!({"custom_fields": {"cf_environment": "Staging", "cf_business_impact": "High"}}),
            &[("cf_business_impact", "invalid_value")],
        );
    }

    #[test]
    fn catalogue_enum_errors_give_way_to_the_account_choices() {
        let profile = Profile::new(Account::Customised, true);
        let body = json!({"status": 6, "custom_fields": {"cf_business_impact": "Low"}});
        let body = body.as_object().cloned().unwrap_or_default();
        let write = Write {
            body: &body,
            stored: None,
            workspace: 2,
        };
        let mut errors = vec![
            FieldError::invalid("status", "6 is not allowed; use one of 2, 3, 4, 5"),
            FieldError::new("subject", "missing_field", "this field is required"),
        ];
        check(&profile, "tickets", &write, &mut errors);
        let fields: Vec<&str> = errors.iter().map(|error| error.field.as_str()).collect();
        assert_eq!(fields, vec!["subject"]);
    }
}
