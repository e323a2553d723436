//! [`Code`]: an integer code such as a ticket status, with its label from the coded enum table.
//!
//! Accounts define their own statuses and sources (a custom ticket status 6, a custom source 1001), so a code is
//! a plain integer tagged with the coded enum it belongs to, never a closed Rust enum: every code round-trips,
//! and [`Code::label`] answers only for the codes the documentation lists.

use std::{fmt, hash::Hash, marker::PhantomData};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::entity::field::Walk;

/// Names the coded enum (in the table behind [`coded_enum`](crate::coded_enum)) that a [`Code`] belongs to.
pub trait CodeKind {
    /// The coded enum's name, e.g. `ticket_status`.
    const ENUM: &'static str;
}

/// An integer code of the coded enum `K`, e.g. `Code<TicketStatus>`; unknown codes are kept as they are.
pub struct Code<K> {
    value: i64,
    // `fn() -> K` keeps `Code` Send, Sync and Copy whatever the marker type is.
    kind: PhantomData<fn() -> K>,
}

impl<K: CodeKind> Code<K> {
    /// The code with this integer value, known or not.
    pub const fn new(value: i64) -> Self {
        Code {
            value,
            kind: PhantomData,
        }
    }

    /// The integer sent on the wire.
    pub const fn value(self) -> i64 {
        self.value
    }

    /// The documented label, e.g. `Some("Open")` for ticket status 2; `None` for an account-defined code.
    pub fn label(self) -> Option<&'static str> {
        crate::coded_enum(K::ENUM)?.label(self.value)
    }

    /// The code whose documented label matches, ignoring ASCII case, e.g. ticket status `"closed"` is 5.
    pub fn from_label(label: &str) -> Option<Self> {
        crate::coded_enum(K::ENUM)?.code(label).map(Code::new)
    }

    /// True when the documentation lists this code.
    pub fn is_documented(self) -> bool {
        self.label().is_some()
    }
}

impl<K: CodeKind> fmt::Debug for Code<K> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}({})", K::ENUM, self.value)
    }
}

impl<K: CodeKind> fmt::Display for Code<K> {
    /// `2 Open` for a documented code, `6` for an account-defined one.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.label() {
            Some(label) => write!(formatter, "{} {label}", self.value),
            None => write!(formatter, "{}", self.value),
        }
    }
}

impl<K> Clone for Code<K> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<K> Copy for Code<K> {}

impl<K> PartialEq for Code<K> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl<K> Eq for Code<K> {}

impl<K> Hash for Code<K> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.value.hash(state);
    }
}

impl<K> From<Code<K>> for i64 {
    fn from(code: Code<K>) -> Self {
        code.value
    }
}

impl<K: CodeKind> From<i64> for Code<K> {
    fn from(value: i64) -> Self {
        Code::new(value)
    }
}

impl<K> Serialize for Code<K> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(self.value)
    }
}

impl<'de, K: CodeKind> Deserialize<'de> for Code<K> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        i64::deserialize(deserializer).map(Code::new)
    }
}

impl<K> Walk for Code<K> {
    fn walk(&self, _path: &str, _found: &mut Vec<String>) {}
}

macro_rules! code_kinds {
    ($($(#[$meta:meta])* $kind:ident => $name:literal,)*) => {
        $(
            $(#[$meta])*
            #[derive(Debug)]
            pub enum $kind {}

            impl CodeKind for $kind {
                const ENUM: &'static str = $name;
            }
        )*

        #[cfg(test)]
        pub(crate) const ALL_KINDS: &[&str] = &[$($name),*];
    };
}

code_kinds! {
    /// Ticket status: 2 Open, 3 Pending, 4 Resolved, 5 Closed, plus account-defined statuses.
    TicketStatus => "ticket_status",
    /// Ticket priority: 1 Low to 4 Urgent.
    TicketPriority => "ticket_priority",
    /// Ticket urgency: 1 Low to 3 High.
    TicketUrgency => "ticket_urgency",
    /// Ticket impact: 1 Low to 3 High.
    TicketImpact => "ticket_impact",
    /// Ticket source: 1 Email, 2 Portal, 3 Phone, …; account-defined sources from 1001.
    TicketSource => "ticket_source",
    /// Conversation source: 0 Email, 1 Form, 2 Note, ….
    ConversationSource => "conversation_source",
    /// Change status: 1 Open to 6 Closed.
    ChangeStatus => "change_status",
    /// Change priority: 1 Low to 4 Urgent.
    ChangePriority => "change_priority",
    /// Change impact: 1 Low to 3 High.
    ChangeImpact => "change_impact",
    /// Change type: 1 Minor, 2 Standard, 3 Major, 4 Emergency.
    ChangeType => "change_type",
    /// Change risk: 1 Low to 4 Very High.
    ChangeRisk => "change_risk",
    /// Problem status: 1 Open, 2 Change Requested, 3 Closed.
    ProblemStatus => "problem_status",
    /// Problem priority: 1 Low to 4 Urgent.
    ProblemPriority => "problem_priority",
    /// Problem impact: 1 Low to 3 High.
    ProblemImpact => "problem_impact",
    /// Release status: 1 Open to 5 Completed.
    ReleaseStatus => "release_status",
    /// Release priority: 1 Low to 4 Urgent.
    ReleasePriority => "release_priority",
    /// Release type: 1 Minor to 4 Emergency.
    ReleaseType => "release_type",
    /// Project (`/pm` API) status: 1 Yet to start, 2 In Progress, 3 Completed.
    ProjectStatus => "project_status",
    /// Project (`/pm` API) priority: 1 Low to 4 Urgent.
    ProjectPriority => "project_priority",
    /// Project type: 0 Software, 1 Business.
    ProjectType => "project_type",
    /// Project visibility: 0 Private, 1 Public.
    ProjectVisibility => "project_visibility",
    /// Onboarding request status: 1 Awaiting Information, 2 Request Cancelled, 3 Request In Progress.
    OnboardingStatus => "onboarding_status",
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_names_a_committed_coded_enum() {
        for name in ALL_KINDS {
            assert!(
                crate::coded_enum(name).is_some(),
                "coded enum `{name}` is missing"
            );
        }
    }

    #[test]
    fn labels_display_and_unknown_codes() {
        let open = Code::<TicketStatus>::new(2);
        assert_eq!(open.label(), Some("Open"));
        assert_eq!(open.to_string(), "2 Open");
        assert_eq!(format!("{open:?}"), "ticket_status(2)");
        assert_eq!(
            Code::<TicketStatus>::from_label("closed"),
            Some(Code::new(5))
        );
        let custom = Code::<TicketStatus>::from(6);
        assert!(!custom.is_documented());
        assert_eq!(custom.to_string(), "6");
        assert_eq!(i64::from(custom), 6);
        assert_eq!(serde_json::to_string(&custom).unwrap(), "6");
        let back: Code<TicketStatus> = serde_json::from_str("6").unwrap();
        assert_eq!(back, custom);
    }
}
