//! People: [`Agent`], [`Requester`] (contacts on MSP accounts) and agent [`Group`].

use serde_json::{Map, Value};

model! {
    /// An agent (`/api/v2/agents`).
    pub struct Agent {
        /// User id.
        id: i64,
        /// First name.
        first_name: String,
        /// Last name.
        last_name: String,
        /// Primary email address.
        email: String,
        /// True for an occasional (day-pass) agent.
        occasional: bool,
        /// True when active; false once deactivated.
        active: bool,
        /// Job title.
        job_title: String,
        /// Work phone.
        work_phone_number: String,
        /// Mobile phone.
        mobile_phone_number: String,
        /// Departments.
        department_ids: Vec<i64>,
        /// Department names, when embedded.
        department_names: Vec<String>,
        /// True when the agent sees every ticket of their departments.
        can_see_all_tickets_from_associated_departments: bool,
        /// Workspaces whose tickets the agent sees in full.
        can_see_all_tickets_from_associated_workspace_ids: Vec<i64>,
        /// Reporting manager (user id).
        reporting_manager_id: i64,
        /// Postal address.
        address: String,
        /// Time zone name.
        time_zone: String,
        /// `12h` or `24h`.
        time_format: String,
        /// Language code, e.g. `en`.
        language: String,
        /// Location.
        location_id: i64,
        /// Location name, when embedded.
        location_name: String,
        /// Background information.
        background_information: String,
        /// Email signature (HTML).
        signature: String,
        /// Gamification level.
        scoreboard_level_id: i64,
        /// Gamification points.
        scoreboard_points: i64,
        /// Groups the agent is a member of.
        member_of: Vec<i64>,
        /// Groups the agent observes.
        observer_of: Vec<i64>,
        /// Group memberships awaiting approval.
        member_of_pending_approval: Vec<i64>,
        /// Group observerships awaiting approval.
        observer_of_pending_approval: Vec<i64>,
        /// Roles and their scope.
        roles: Vec<AgentRole>,
        /// Workspaces the agent belongs to.
        belongs_to_workspace_ids: Vec<i64>,
        /// Workspaces the agent has access to.
        workspace_ids: Vec<i64>,
        /// Per-workspace details, as the API embeds them.
        workspace_info: Vec<Map<String, Value>>,
        /// True when the agent has logged in at least once.
        has_logged_in: bool,
        /// True when API key access is enabled.
        api_key_enabled: bool,
        /// True when tickets are auto-assigned to the agent.
        auto_assign_tickets: bool,
        /// When auto-assignment was last switched.
        auto_assign_status_changed_at: String,
        /// True for a VIP user.
        vip_user: bool,
        /// Id in an external system.
        external_id: String,
        /// Last login time.
        last_login_at: String,
        /// Last activity time.
        last_active_at: String,
        /// Account-defined fields by name.
        custom_fields: Map<String, Value>,
        /// Creation time (UTC, as sent).
        created_at: String,
        /// Last update time (UTC, as sent).
        updated_at: String,
    }
}

entity!(Agent, "agent", "agents");

model! {
    /// One role of an agent and where it applies.
    pub struct AgentRole {
        /// Role id.
        role_id: i64,
        /// `entire_helpdesk`, `member_groups`, `specified_groups` or `assigned_items`.
        assignment_scope: String,
        /// Groups the role applies to, for group scopes.
        groups: Vec<i64>,
        /// Workspace the role applies in.
        workspace_id: i64,
    }
}

model! {
    /// A requester (`/api/v2/requesters`; a contact on MSP accounts).
    pub struct Requester {
        /// User id.
        id: i64,
        /// First name.
        first_name: String,
        /// Last name.
        last_name: String,
        /// Primary email address.
        primary_email: String,
        /// Email address, on responses that use this name.
        email: String,
        /// Other email addresses.
        secondary_emails: Vec<String>,
        /// True when the user is also an agent.
        is_agent: bool,
        /// True when active; false once deactivated.
        active: bool,
        /// True when the user has logged in at least once.
        has_logged_in: bool,
        /// Job title.
        job_title: String,
        /// Work phone.
        work_phone_number: String,
        /// Mobile phone.
        mobile_phone_number: String,
        /// Departments.
        department_ids: Vec<i64>,
        /// True when the requester sees every ticket of their departments.
        can_see_all_tickets_from_associated_departments: bool,
        /// Workspaces (MSP clients) whose tickets the contact sees.
        can_see_all_tickets_from_associated_workspace_ids: Vec<i64>,
        /// Workspaces (MSP clients) the contact belongs to.
        belongs_to_workspace_ids: Vec<i64>,
        /// Reporting manager (user id).
        reporting_manager_id: i64,
        /// Postal address.
        address: String,
        /// Time zone name.
        time_zone: String,
        /// `12h` or `24h`.
        time_format: String,
        /// Language code, e.g. `en`.
        language: String,
        /// Location.
        location_id: i64,
        /// Background information.
        background_information: String,
        /// Id in an external system.
        external_id: String,
        /// Account-defined fields by name.
        custom_fields: Map<String, Value>,
        /// Creation time (UTC, as sent).
        created_at: String,
        /// Last update time (UTC, as sent).
        updated_at: String,
    }
}

entity!(Requester, "requester", "requesters");

model! {
    /// An agent group (`/api/v2/groups`).
    pub struct Group {
        /// Group id.
        id: i64,
        /// Workspace the group belongs to (cannot be changed).
        workspace_id: i64,
        /// Name.
        name: String,
        /// Description.
        description: String,
        /// Escalate tickets unassigned for this long, e.g. `30m`.
        unassigned_for: String,
        /// Business hours the group works to.
        business_hours_id: i64,
        /// User escalated to.
        escalate_to: i64,
        /// Member agents.
        members: Vec<i64>,
        /// Observer agents.
        observers: Vec<i64>,
        /// Group leaders.
        leaders: Vec<i64>,
        /// Members awaiting approval.
        members_pending_approval: Vec<i64>,
        /// Observers awaiting approval.
        observers_pending_approval: Vec<i64>,
        /// Leaders awaiting approval.
        leaders_pending_approval: Vec<i64>,
        /// True when restricted.
        restricted: bool,
        /// True when membership changes need approval.
        approval_required: bool,
        /// True when tickets are auto-assigned within the group.
        auto_ticket_assign: bool,
        /// On-call schedule.
        ocs_schedule_id: i64,
        /// Creation time (UTC, as sent).
        created_at: String,
        /// Last update time (UTC, as sent).
        updated_at: String,
    }
}

entity!(Group, "group", "groups");
