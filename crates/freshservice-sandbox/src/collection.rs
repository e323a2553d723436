//! The names of the record collections the sandbox keeps, as a type: a typo is a compile error,
//! not an empty list.

/// A collection of records the sandbox keeps, named after the API resource (sub-resources
/// prefixed by their parent). Assets are keyed by `display_id`, everything else by `id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Collection {
    /// `tickets`.
    Tickets,
    /// `conversations`: the notes and replies of tickets.
    Conversations,
    /// `ticket_tasks`.
    TicketTasks,
    /// `ticket_time_entries`.
    TicketTimeEntries,
    /// `changes`.
    Changes,
    /// `change_notes`.
    ChangeNotes,
    /// `change_tasks`.
    ChangeTasks,
    /// `change_time_entries`.
    ChangeTimeEntries,
    /// `problems`.
    Problems,
    /// `problem_notes`.
    ProblemNotes,
    /// `problem_tasks`.
    ProblemTasks,
    /// `problem_time_entries`.
    ProblemTimeEntries,
    /// `releases`.
    Releases,
    /// `release_notes`.
    ReleaseNotes,
    /// `release_tasks`.
    ReleaseTasks,
    /// `release_time_entries`.
    ReleaseTimeEntries,
    /// `assets`, keyed by `display_id`.
    Assets,
    /// `asset_types`.
    AssetTypes,
    /// `relationships` between assets and other records.
    Relationships,
    /// `relationship_types`.
    RelationshipTypes,
    /// `projects` (`/pm/projects`).
    Projects,
    /// `project_tasks`.
    ProjectTasks,
    /// `onboarding_requests`.
    OnboardingRequests,
    /// `agents`.
    Agents,
    /// `requesters`.
    Requesters,
    /// `groups`.
    Groups,
    /// `departments`.
    Departments,
    /// `locations`.
    Locations,
    /// `workspaces`.
    Workspaces,
}

impl Collection {
    /// Every collection.
    pub const ALL: [Collection; 29] = [
        Self::Tickets,
        Self::Conversations,
        Self::TicketTasks,
        Self::TicketTimeEntries,
        Self::Changes,
        Self::ChangeNotes,
        Self::ChangeTasks,
        Self::ChangeTimeEntries,
        Self::Problems,
        Self::ProblemNotes,
        Self::ProblemTasks,
        Self::ProblemTimeEntries,
        Self::Releases,
        Self::ReleaseNotes,
        Self::ReleaseTasks,
        Self::ReleaseTimeEntries,
        Self::Assets,
        Self::AssetTypes,
        Self::Relationships,
        Self::RelationshipTypes,
        Self::Projects,
        Self::ProjectTasks,
        Self::OnboardingRequests,
        Self::Agents,
        Self::Requesters,
        Self::Groups,
        Self::Departments,
        Self::Locations,
        Self::Workspaces,
    ];

    /// The collection's name, as [`State::collections`](crate::State::collections) lists it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Tickets => "tickets",
            Self::Conversations => "conversations",
            Self::TicketTasks => "ticket_tasks",
            Self::TicketTimeEntries => "ticket_time_entries",
            Self::Changes => "changes",
            Self::ChangeNotes => "change_notes",
            Self::ChangeTasks => "change_tasks",
            Self::ChangeTimeEntries => "change_time_entries",
            Self::Problems => "problems",
            Self::ProblemNotes => "problem_notes",
            Self::ProblemTasks => "problem_tasks",
            Self::ProblemTimeEntries => "problem_time_entries",
            Self::Releases => "releases",
            Self::ReleaseNotes => "release_notes",
            Self::ReleaseTasks => "release_tasks",
            Self::ReleaseTimeEntries => "release_time_entries",
            Self::Assets => "assets",
            Self::AssetTypes => "asset_types",
            Self::Relationships => "relationships",
            Self::RelationshipTypes => "relationship_types",
            Self::Projects => "projects",
            Self::ProjectTasks => "project_tasks",
            Self::OnboardingRequests => "onboarding_requests",
            Self::Agents => "agents",
            Self::Requesters => "requesters",
            Self::Groups => "groups",
            Self::Departments => "departments",
            Self::Locations => "locations",
            Self::Workspaces => "workspaces",
        }
    }
}

impl std::fmt::Display for Collection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_collection_is_one_the_sandbox_keeps() {
        for collection in Collection::ALL {
            let name = collection.name();
            assert!(
                crate::resources::resource(name).is_some() || name == "conversations",
                "{name} is not a collection the sandbox keeps"
            );
        }
    }
}
