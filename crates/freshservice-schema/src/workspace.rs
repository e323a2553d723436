//! Workspace rules: the reserved workspace ids and what a `workspace_id` means on reads.
//!
//! Accounts in Employee Support Mode split their data into workspaces (IT, HR, Facilities, ...);
//! in Freshservice for MSPs a workspace is a client. The same `workspace_id` attribute serves both.

/// `workspace_id=0` on a list or filter endpoint: every workspace the caller can see.
///
/// Applies only as a query parameter on reads (tickets, tickets/filter, changes, problems, releases, assets and
/// other list endpoints); records from all workspaces then carry only their global fields.
/// Never valid as the workspace of a new record.
pub const ALL_WORKSPACES: i64 = 0;

/// `workspace_id=1`: the global (account-level) scope.
///
/// On reads of account-wide settings (business hours, canned responses, SLA policies) it means "global only".
/// It is rejected when creating locations, departments and service catalog items, which must live in a real
/// workspace, and it cannot be created, renamed or deleted as an MSP client.
pub const GLOBAL: i64 = 1;

/// `workspace_id=2`: the primary workspace of a standard account (the default client on an MSP account).
///
/// Records created without a `workspace_id` land here, and list endpoints called without one read only here
/// (status pages are an exception and list every workspace).
pub const PRIMARY_WORKSPACE_ID: i64 = 2;

/// On an MSP account, `workspace_id=3` is the MSP's own workspace.
pub const MSP_OWN_WORKSPACE_ID: i64 = 3;

/// What the `workspace_id` query parameter of a list or filter endpoint selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WorkspaceScope {
    /// No `workspace_id`: the primary workspace only.
    Primary,
    /// `workspace_id=0`: every accessible workspace, global fields only.
    All,
    /// `workspace_id=1`: account-level (global) records only, where the endpoint supports that.
    Global,
    /// Any other id: that one workspace.
    Workspace(i64),
}

impl WorkspaceScope {
    /// Interpret the `workspace_id` of a read request (`None` when the parameter is omitted).
    pub fn from_query(workspace_id: Option<i64>) -> Self {
        match workspace_id {
            None => WorkspaceScope::Primary,
            Some(ALL_WORKSPACES) => WorkspaceScope::All,
            Some(GLOBAL) => WorkspaceScope::Global,
            Some(other) => WorkspaceScope::Workspace(other),
        }
    }

    /// The id that selects the same scope explicitly; `None` for [`WorkspaceScope::Primary`], which is the default.
    pub fn to_query(self) -> Option<i64> {
        match self {
            WorkspaceScope::Primary => None,
            WorkspaceScope::All => Some(ALL_WORKSPACES),
            WorkspaceScope::Global => Some(GLOBAL),
            WorkspaceScope::Workspace(id) => Some(id),
        }
    }
}

/// Whether `workspace_id` can be the home of a newly created record: a real workspace, neither "all" nor global.
pub fn is_assignable(workspace_id: i64) -> bool {
    workspace_id > GLOBAL
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(query: Option<i64>, expect: WorkspaceScope, assignable: bool) {
        let scope = WorkspaceScope::from_query(query);
        assert_eq!(scope, expect, "{query:?}");
        // Primary is the default, so it round-trips to "omit the parameter".
        let round_trip = if expect == WorkspaceScope::Primary {
            None
        } else {
            query
        };
        assert_eq!(scope.to_query(), round_trip, "{query:?}");
        if let Some(id) = query {
            assert_eq!(is_assignable(id), assignable, "{id}");
        }
    }

    #[test]
    fn workspace_ids_map_to_scopes() {
        check(None, WorkspaceScope::Primary, false);
        check(Some(0), WorkspaceScope::All, false);
        check(Some(1), WorkspaceScope::Global, false);
        check(Some(2), WorkspaceScope::Workspace(2), true);
        check(Some(7), WorkspaceScope::Workspace(7), true);
        check(Some(-3), WorkspaceScope::Workspace(-3), false);
    }
}
