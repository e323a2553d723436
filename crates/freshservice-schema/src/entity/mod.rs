//! The ITIL entity model: typed serde structs for the objects Freshservice returns.
//!
//! Field names and types come from the sample responses in the documentation records.
//! Every member is a [`Field`] (absent, `null`, typed, or raw JSON of an unexpected type), every coded member is
//! a [`Code`] that keeps account-defined codes, and every struct keeps the members it does not name in `extra`;
//! together these make `deserialize → serialize` return the same JSON value, which the integration tests check
//! against every documented sample.
//! Response envelopes (`{"ticket": {...}}`, `{"tickets": [...]}`) are [`One`] and [`Many`].

use std::fmt;

use serde::{Serialize, de::DeserializeOwned};

/// Declares a model struct: every listed member becomes a `pub` [`Field`] that is skipped when absent, plus
/// `extra` for the members the model does not name, and a `Walk` impl that finds raw members.
macro_rules! model {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $(
                $(#[$field_meta:meta])*
                $field:ident : $ty:ty,
            )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        #[non_exhaustive]
        pub struct $name {
            $(
                $(#[$field_meta])*
                #[serde(default, skip_serializing_if = "crate::entity::Field::is_absent")]
                pub $field: crate::entity::Field<$ty>,
            )*
            /// Members this model does not name (custom or newer ones), kept verbatim.
            #[serde(flatten)]
            pub extra: serde_json::Map<String, serde_json::Value>,
        }

        impl crate::entity::field::Walk for $name {
            fn walk(&self, path: &str, found: &mut Vec<String>) {
                $(
                    crate::entity::field::Walk::walk(
                        &self.$field,
                        &crate::entity::field::member_path(path, stringify!($field)),
                        found,
                    );
                )*
            }
        }
    };
}

/// Implements [`Entity`] for a model struct with its envelope keys.
macro_rules! entity {
    ($name:ident, $singular:literal, $plural:literal) => {
        impl crate::entity::Entity for $name {
            const SINGULAR: &'static str = $singular;
            const PLURAL: &'static str = $plural;

            fn unexpected_fields(&self) -> Vec<String> {
                let mut found = Vec::new();
                crate::entity::field::Walk::walk(self, "", &mut found);
                found
            }
        }
    };
}

mod asset;
mod attachment;
mod change;
mod code;
mod envelope;
mod field;
mod onboarding;
mod org;
mod people;
mod problem;
mod project;
mod release;
mod ticket;

pub use self::{
    asset::{Asset, AssetType},
    attachment::Attachment,
    change::{Change, ChangePlanningFields, ChangeWindow, PlanNote},
    code::{
        ChangeImpact, ChangePriority, ChangeRisk, ChangeStatus, ChangeType, Code, CodeKind,
        ConversationSource, OnboardingStatus, ProblemImpact, ProblemPriority, ProblemStatus,
        ProjectPriority, ProjectStatus, ProjectType, ProjectVisibility, ReleasePriority,
        ReleaseStatus, ReleaseType, TicketImpact, TicketPriority, TicketSource, TicketStatus,
        TicketUrgency,
    },
    envelope::{Many, One},
    field::Field,
    onboarding::OnboardingRequest,
    org::{Address, Department, Location, PrimaryContact, Workspace, WorkspaceMetadata},
    people::{Agent, AgentRole, Group, Requester},
    problem::Problem,
    project::{Project, ProjectTask},
    release::{Release, ReleasePlanningFields},
    ticket::{Conversation, Ticket},
};

/// A top-level Freshservice object with its response envelope keys, e.g. `ticket` and `tickets`.
pub trait Entity: Serialize + DeserializeOwned + Clone + Default + PartialEq + fmt::Debug {
    /// The envelope key of a single object, e.g. `ticket` in `{"ticket": {...}}`.
    const SINGULAR: &'static str;
    /// The envelope key of a list, e.g. `tickets` in `{"tickets": [...]}`.
    const PLURAL: &'static str;

    /// Dotted paths (e.g. `roles[0].groups`) of members whose JSON did not fit the documented type and was kept
    /// raw; empty when the object matches the model.
    fn unexpected_fields(&self) -> Vec<String>;
}
