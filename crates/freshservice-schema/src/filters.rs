//! What each filter endpoint can filter on, and a check of a parsed query against it.
//!
//! Facts from the API reference's filter sections. Custom fields (`cf_…`) are account-specific,
//! so any `cf_` name is accepted; everything else must be a documented field of the endpoint.

use crate::query::{Literal, Operator, Query, QueryError};

/// The kind of value a filterable field holds, which decides the operators and literals it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FieldKind {
    /// Integers (ids, coded fields): `:`, `!:`, `:>`, `:<` with numbers or `null`.
    Number,
    /// Dates and timestamps: only `:>` and `:<` with `'yyyy-mm-dd'`.
    Date,
    /// Text: `:` and `!:` with quoted strings or `null`.
    Text,
    /// Booleans: `:` with `true` or `false`.
    Boolean,
}

/// One filterable field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct FilterField {
    /// The field name used in queries.
    pub name: &'static str,
    /// Its value kind.
    pub kind: FieldKind,
}

/// A filter endpoint: the operation path, the query parameter, and its fields.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct FilterEndpoint {
    /// The operation's path template, e.g. `/api/v2/tickets/filter`.
    pub path: &'static str,
    /// The parameter carrying the query: `query` or `filter`.
    pub param: &'static str,
    /// The documented filterable fields.
    pub fields: &'static [FilterField],
    /// The last page the endpoint serves, when documented.
    pub max_pages: Option<u32>,
}

const fn number(name: &'static str) -> FilterField {
    FilterField {
        name,
        kind: FieldKind::Number,
    }
}
const fn date(name: &'static str) -> FilterField {
    FilterField {
        name,
        kind: FieldKind::Date,
    }
}
const fn text(name: &'static str) -> FilterField {
    FilterField {
        name,
        kind: FieldKind::Text,
    }
}

const PEOPLE: &[FilterField] = &[
    text("first_name"),
    text("last_name"),
    text("name"),
    text("job_title"),
    text("primary_email"),
    text("email"),
    text("work_phone_number"),
    text("mobile_phone_number"),
    number("department_id"),
    number("reporting_manager_id"),
    text("time_zone"),
    text("language"),
    number("location_id"),
    date("created_at"),
    date("updated_at"),
];

static ENDPOINTS: &[FilterEndpoint] = &[
    FilterEndpoint {
        path: "/api/v2/tickets/filter",
        param: "query",
        fields: &[
            number("workspace_id"),
            number("requester_id"),
            text("email"),
            number("agent_id"),
            number("group_id"),
            number("priority"),
            number("status"),
            number("impact"),
            number("urgency"),
            text("tag"),
            date("due_by"),
            date("fr_due_by"),
            date("created_at"),
            date("updated_at"),
        ],
        max_pages: None,
    },
    FilterEndpoint {
        path: "/api/v2/changes",
        param: "query",
        fields: &[
            number("workspace_id"),
            number("requester_id"),
            number("agent_id"),
            number("group_id"),
            number("department_id"),
            number("priority"),
            number("status"),
            number("impact"),
            number("risk"),
            number("change_type"),
            date("planned_start_date"),
            date("planned_end_date"),
            date("created_at"),
            date("updated_at"),
        ],
        max_pages: None,
    },
    FilterEndpoint {
        path: "/api/v2/assets",
        param: "filter",
        fields: &[
            number("workspace_id"),
            number("asset_type_id"),
            number("department_id"),
            number("location_id"),
            text("asset_state"),
            number("user_id"),
            number("agent_id"),
            text("name"),
            text("asset_tag"),
            date("created_at"),
            date("updated_at"),
            text("serial_number"),
            text("mac_addresses"),
            text("ip_addresses"),
            text("uuid"),
            text("item_id"),
            text("imei_number"),
            text("device42_id"),
        ],
        max_pages: Some(40),
    },
    FilterEndpoint {
        path: "/api/v2/requesters",
        param: "query",
        fields: PEOPLE,
        max_pages: Some(40),
    },
    FilterEndpoint {
        path: "/api/v2/agents",
        param: "query",
        fields: PEOPLE,
        max_pages: Some(40),
    },
    FilterEndpoint {
        path: "/api/v2/departments",
        param: "query",
        fields: &[
            text("name"),
            number("head_user_id"),
            number("prime_user_id"),
            date("created_at"),
            date("updated_at"),
        ],
        max_pages: None,
    },
    FilterEndpoint {
        path: "/api/v2/locations",
        param: "query",
        fields: &[
            text("name"),
            number("parent_location_id"),
            number("primary_contact_id"),
            date("created_at"),
            date("updated_at"),
        ],
        max_pages: None,
    },
    FilterEndpoint {
        path: "/api/v2/workspaces",
        param: "query",
        fields: &[text("name"), text("state")],
        max_pages: None,
    },
    FilterEndpoint {
        path: "/api/v2/pm/projects/{project_id}/tasks/filter",
        param: "query",
        fields: &[
            number("version_id"),
            number("sprint_id"),
            number("priority_id"),
            number("status_id"),
            number("type_id"),
            number("assignee_id"),
            number("reporter_id"),
            date("created_at"),
        ],
        max_pages: None,
    },
];

/// Every filter endpoint.
pub fn filter_endpoints() -> &'static [FilterEndpoint] {
    ENDPOINTS
}

/// The filter endpoint for an operation path and query parameter, if it is one.
pub fn filter_endpoint(path: &str, param: &str) -> Option<&'static FilterEndpoint> {
    ENDPOINTS
        .iter()
        .find(|endpoint| endpoint.path == path && endpoint.param == param)
}

impl FilterEndpoint {
    /// The field named `name`; custom fields (`cf_…`) are not listed and return `None`.
    pub fn field(&self, name: &str) -> Option<&FilterField> {
        self.fields.iter().find(|field| field.name == name)
    }

    /// The documented field names, comma-separated, for messages.
    pub fn field_names(&self) -> String {
        self.fields
            .iter()
            .map(|field| field.name)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Checks every condition of `query` against this endpoint's fields and their value kinds.
    ///
    /// # Errors
    ///
    /// The first problem, naming the field and what it takes (position 0: the parsed tree does
    /// not keep offsets).
    pub fn check(&self, query: &Query) -> Result<(), QueryError> {
        match query {
            Query::And(parts) | Query::Or(parts) => {
                parts.iter().try_for_each(|part| self.check(part))
            }
            Query::StartsWith { fields, .. } => fields
                .iter()
                .try_for_each(|name| self.known(name).map(|_| ())),
            Query::Condition(condition) => {
                let Some(kind) = self.known(&condition.field)? else {
                    return Ok(());
                };
                check_value(&condition.field, kind, condition.operator, &condition.value)
            }
        }
    }

    /// The kind of a known field, `None` for a custom field, or an error for an unknown one.
    fn known(&self, name: &str) -> Result<Option<FieldKind>, QueryError> {
        if let Some(field) = self.field(name) {
            return Ok(Some(field.kind));
        }
        if name.starts_with("cf_") {
            return Ok(None);
        }
        Err(QueryError {
            position: 0,
            message: format!(
                "`{name}` cannot be filtered on here; the filterable fields are {} (and custom fields named cf_…)",
                self.field_names()
            ),
        })
    }
}

fn check_value(
    field: &str,
    kind: FieldKind,
    operator: Operator,
    value: &Literal,
) -> Result<(), QueryError> {
    let problem = |message: String| {
        Err(QueryError {
            position: 0,
            message,
        })
    };
    match kind {
        FieldKind::Date => {
            if !matches!(operator, Operator::AtLeast | Operator::AtMost) {
                return problem(format!(
                    "`{field}` is a date: compare it with :> or :<, e.g. {field}:>'2025-01-31'"
                ));
            }
            if !value.is_date() {
                return problem(format!(
                    "`{field}` is a date: write the value as 'yyyy-mm-dd', e.g. {field}:>'2025-01-31'"
                ));
            }
        }
        FieldKind::Number => match value {
            Literal::Number(_) => {}
            Literal::Null if matches!(operator, Operator::Equals | Operator::NotEquals) => {}
            _ => {
                return problem(format!(
                    "`{field}` takes a number (or null), written bare, e.g. {field}:3"
                ));
            }
        },
        FieldKind::Text => {
            if matches!(operator, Operator::AtLeast | Operator::AtMost) {
                return problem(format!(
                    "`{field}` is text: use : or !: (not {})",
                    operator.as_str()
                ));
            }
            if !matches!(value, Literal::String(_) | Literal::Null) {
                return problem(format!(
                    "`{field}` is text: put the value in single quotes, e.g. {field}:'value'"
                ));
            }
        }
        FieldKind::Boolean => {
            if !matches!(value, Literal::Bool(_)) || operator != Operator::Equals {
                return problem(format!("`{field}` is true or false: write {field}:true"));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::parse_query;

    #[test]
    fn check_trials() {
        let tickets = filter_endpoint("/api/v2/tickets/filter", "query").unwrap();
        let trials: &[(&str, Option<&str>)] = &[
            ("priority:3 AND status:2", None),
            ("agent_id:null", None),
            ("created_at:>'2025-01-01'", None),
            ("tag:'vpn' OR cf_region:'emea'", None),
            ("cf_score:>3", None),
            ("colour:'red'", Some("`colour` cannot be filtered on here")),
            ("priority:'high'", Some("takes a number")),
            ("created_at:'2025-01-01'", Some("compare it with :> or :<")),
            ("created_at:>'yesterday'", Some("'yyyy-mm-dd'")),
            ("tag:>3", Some("is text")),
            ("email:7", Some("single quotes")),
            ("priority:3 AND (status:2 OR owner:1)", Some("`owner`")),
        ];
        for (query, expected) in trials {
            let result = tickets.check(&parse_query(query).unwrap());
            match (result, expected) {
                (Ok(()), None) => {}
                (Err(error), Some(fragment)) => {
                    assert!(error.message.contains(fragment), "{query}: {error}")
                }
                (got, _) => panic!("{query}: {got:?}"),
            }
        }
    }

    #[test]
    fn unknown_fields_list_the_valid_ones() {
        let changes = filter_endpoint("/api/v2/changes", "query").unwrap();
        let error = changes
            .check(&parse_query("colour:'red'").unwrap())
            .unwrap_err();
        assert!(
            error.message.contains("change_type") && error.message.contains("planned_start_date")
        );
    }

    #[test]
    fn every_endpoint_is_a_catalogue_operation() {
        for endpoint in filter_endpoints() {
            let found = crate::catalog().operations().iter().any(|operation| {
                operation.path == endpoint.path
                    && operation
                        .params
                        .iter()
                        .any(|param| param.name == endpoint.param && param.quoted)
            });
            assert!(
                found,
                "{} ?{}= is not a quoted parameter of any catalogue operation",
                endpoint.path, endpoint.param
            );
        }
    }
}
