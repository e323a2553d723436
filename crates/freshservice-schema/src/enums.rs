//! Coded enums: the integer codes Freshservice uses for statuses, priorities, sources and the like.
//!
//! The table lives in `data/enums.json` so schemas and Rust callers share one source of truth.

use crate::spec::EnumSpec;

/// A named set of integer codes with labels, e.g. `ticket_status` = 2 Open, 3 Pending, 4 Resolved, 5 Closed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CodedEnum {
    /// Catalogue name, e.g. `ticket_status`; parameters refer to it with `"enum": "<name>"`.
    pub name: String,
    /// What the codes classify, e.g. `Status of a ticket`.
    pub description: String,
    /// `(code, label)` pairs in ascending code order.
    pub codes: Vec<(i64, String)>,
    /// For a code set an account can extend (custom ticket statuses and sources), the catalogue tool that
    /// lists the account's own codes. Schemas then take any integer and name the documented codes in the
    /// description instead of refusing every other code; see [`AccountProfile`](crate::AccountProfile) for
    /// the account's exact set.
    pub extensible_via: Option<String>,
}

impl CodedEnum {
    pub(crate) fn from_spec(spec: &EnumSpec) -> Self {
        let mut codes: Vec<(i64, String)> = spec
            .codes
            .iter()
            .map(|code| (code.code, code.label.clone()))
            .collect();
        codes.sort_by_key(|(code, _)| *code);
        CodedEnum {
            name: spec.name.clone(),
            description: spec.description.clone(),
            codes,
            extensible_via: spec.extensible_via.clone(),
        }
    }

    /// True when an account can add codes of its own (see [`CodedEnum::extensible_via`]).
    pub fn is_extensible(&self) -> bool {
        self.extensible_via.is_some()
    }

    /// The label of a code, e.g. `Some("Open")` for ticket status 2.
    pub fn label(&self, code: i64) -> Option<&str> {
        self.codes
            .iter()
            .find(|(candidate, _)| *candidate == code)
            .map(|(_, label)| label.as_str())
    }

    /// The code whose label matches, ignoring ASCII case, e.g. `Some(2)` for `"open"`.
    pub fn code(&self, label: &str) -> Option<i64> {
        self.codes
            .iter()
            .find(|(_, candidate)| candidate.eq_ignore_ascii_case(label))
            .map(|(code, _)| *code)
    }

    /// Every code and label as prose, e.g. `2 Open, 3 Pending, 4 Resolved, 5 Closed`.
    pub fn describe_codes(&self) -> String {
        self.codes
            .iter()
            .map(|(code, label)| format!("{code} {label}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The committed coded enum with this name, e.g. `coded_enum("change_status")`.
pub fn coded_enum(name: &str) -> Option<&'static CodedEnum> {
    crate::catalog().coded_enum(name)
}

/// Every committed coded enum, sorted by name.
pub fn coded_enums() -> &'static [CodedEnum] {
    crate::catalog().coded_enums()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(name: &str, code: i64, label: &str) {
        let coded = coded_enum(name).unwrap_or_else(|| panic!("coded enum `{name}` is missing"));
        assert_eq!(coded.label(code), Some(label), "{name} {code}");
        assert_eq!(coded.code(label), Some(code), "{name} {label}");
        assert!(
            coded.describe_codes().contains(&format!("{code} {label}")),
            "{name}: {}",
            coded.describe_codes()
        );
    }

    #[test]
    fn documented_codes_are_present() {
        for (name, code, label) in [
            ("ticket_status", 2, "Open"),
            ("ticket_status", 5, "Closed"),
            ("ticket_priority", 4, "Urgent"),
            ("ticket_urgency", 3, "High"),
            ("ticket_impact", 1, "Low"),
            ("ticket_source", 18, "Employee Offboarding"),
            ("change_status", 6, "Closed"),
            ("change_type", 4, "Emergency"),
            ("change_risk", 4, "Very High"),
            ("problem_status", 2, "Change Requested"),
            ("release_status", 2, "On hold"),
            ("approval_status", 0, "Requested"),
            ("onboarding_status", 3, "Request In Progress"),
            ("project_status", 1, "Yet to start"),
            ("project_type", 0, "Software"),
            ("project_visibility", 1, "Public"),
            ("legacy_project_priority", 4, "Critical"),
        ] {
            check(name, code, label);
        }
    }

    #[test]
    fn unknown_names_and_codes_are_none() {
        assert!(coded_enum("no_such_enum").is_none());
        let status = coded_enum("ticket_status").unwrap();
        assert_eq!(status.label(1), None);
        assert_eq!(status.code("Snoozed"), None);
    }

    #[test]
    fn codes_are_ascending_and_unique() {
        for coded in coded_enums() {
            assert!(!coded.codes.is_empty(), "{} has no codes", coded.name);
            assert!(
                coded.codes.windows(2).all(|pair| pair[0].0 < pair[1].0),
                "{} codes are not strictly ascending",
                coded.name
            );
        }
    }
}
