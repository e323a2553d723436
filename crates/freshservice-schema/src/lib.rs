#![doc = include_str!("../README.md")]

mod canonical;
mod catalog;
mod entity;
mod enums;
mod error;
mod filters;
mod lint;
mod profile;
mod query;
mod search;
mod sources;
mod spec;
mod workspace;

use std::sync::LazyLock;

pub use crate::{
    canonical::canonical_json,
    catalog::{Catalog, Operation, OperationKind, Param, ParamLocation},
    entity::{
        Address, Agent, AgentRole, Asset, AssetType, Attachment, Change, ChangeImpact,
        ChangePlanningFields, ChangePriority, ChangeRisk, ChangeStatus, ChangeType, ChangeWindow,
        Code, CodeKind, Conversation, ConversationSource, Department, Entity, Field, Group,
        Location, Many, OnboardingRequest, OnboardingStatus, One, PlanNote, PrimaryContact,
        Problem, ProblemImpact, ProblemPriority, ProblemStatus, Project, ProjectPriority,
        ProjectStatus, ProjectTask, ProjectType, ProjectVisibility, Release, ReleasePlanningFields,
        ReleasePriority, ReleaseStatus, ReleaseType, Requester, Ticket, TicketImpact,
        TicketPriority, TicketSource, TicketStatus, TicketUrgency, Workspace, WorkspaceMetadata,
    },
    enums::{CodedEnum, coded_enum, coded_enums},
    error::Error,
    filters::{FieldKind, FilterEndpoint, FilterField, filter_endpoint, filter_endpoints},
    lint::{Finding, MAX_DESCRIPTION_CHARS},
    profile::{AccountProfile, Choice, FormField, FormFieldKind, NestedField, ProfileSource},
    query::{Condition, Literal, MAX_QUERY_LENGTH, Operator, Query, QueryError, parse_query},
    search::{SearchHit, ToolSearch, tool_search},
    workspace::{
        ALL_WORKSPACES, GLOBAL, MSP_OWN_WORKSPACE_ID, PRIMARY_WORKSPACE_ID, WorkspaceScope,
        is_assignable,
    },
};

static CATALOG: LazyLock<Catalog> = LazyLock::new(|| {
    // The committed data is loaded and linted by the test suite (tests/it/catalog.rs), so this cannot fail
    // for a build whose tests pass.
    Catalog::from_sources(sources::SOURCES.iter().copied()).expect(
        "the committed catalogue data loads; `cargo test -p freshservice-schema` shows why not",
    )
});

/// The committed endpoint catalogue, parsed on first use and shared afterwards.
pub fn catalog() -> &'static Catalog {
    &CATALOG
}

/// The embedded data files as `(file name, file text)`, in file-name order; what [`catalog()`] is built from.
pub fn data_sources() -> &'static [(&'static str, &'static str)] {
    sources::SOURCES
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_is_send_sync_and_shared() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Catalog>();
        assert!(std::ptr::eq(catalog(), catalog()));
    }
}
