//! [`Change`] with its planning fields and maintenance or blackout window.

use serde_json::{Map, Value};

use crate::entity::{ChangeImpact, ChangePriority, ChangeRisk, ChangeStatus, ChangeType, Code};

model! {
    /// A change (`/api/v2/changes`).
    pub struct Change {
        /// Change id.
        id: i64,
        /// Workspace the change belongs to.
        workspace_id: i64,
        /// Subject line.
        subject: String,
        /// HTML description.
        description: String,
        /// Plain-text description.
        description_text: String,
        /// Status code.
        status: Code<ChangeStatus>,
        /// Priority code.
        priority: Code<ChangePriority>,
        /// Impact code.
        impact: Code<ChangeImpact>,
        /// Risk code.
        risk: Code<ChangeRisk>,
        /// Change type code.
        change_type: Code<ChangeType>,
        /// Approval status code of the change (not the approval object's status codes).
        approval_status: i64,
        /// Initiator (user id).
        requester_id: i64,
        /// Assigned agent.
        agent_id: i64,
        /// Assigned agent group.
        group_id: i64,
        /// Department initiating the change.
        department_id: i64,
        /// Category.
        category: String,
        /// Sub-category.
        sub_category: String,
        /// Item category.
        item_category: String,
        /// Planned start.
        planned_start_date: String,
        /// Planned end.
        planned_end_date: String,
        /// Maintenance window id.
        change_window_id: i64,
        /// Associated maintenance window.
        maintenance_window: ChangeWindow,
        /// Overlapping blackout window.
        blackout_window: ChangeWindow,
        /// Reason, impact, rollout and backout plans.
        planning_fields: ChangePlanningFields,
        /// Associated assets, as the API embeds them.
        assets: Vec<Map<String, Value>>,
        /// Impacted services, as the API embeds them.
        impacted_services: Vec<Map<String, Value>>,
        /// Account-defined fields by name.
        custom_fields: Map<String, Value>,
        /// Creation time (UTC, as sent).
        created_at: String,
        /// Last update time (UTC, as sent).
        updated_at: String,
    }
}

entity!(Change, "change", "changes");

model! {
    /// A maintenance or blackout window attached to a change.
    pub struct ChangeWindow {
        /// Window id.
        id: i64,
        /// Window name.
        name: String,
        /// Description.
        description: String,
        /// Window start.
        window_start_date: String,
        /// Window end.
        window_end_date: String,
    }
}

model! {
    /// The planning section of a change.
    ///
    /// The documentation names these members inconsistently (`impact` in request bodies, `change_impact` in the
    /// field list), so both are modelled; anything else lands in `extra`.
    pub struct ChangePlanningFields {
        /// Reason for the change.
        reason_for_change: PlanNote,
        /// Impact of the change.
        impact: PlanNote,
        /// Impact of the change, under its field-list name.
        change_impact: PlanNote,
        /// Rollout plan.
        rollout_plan: PlanNote,
        /// Backout plan.
        backout_plan: PlanNote,
        /// Account-defined planning fields by name.
        custom_fields: Map<String, Value>,
    }
}

model! {
    /// One planning entry of a change or release, e.g. a rollout plan.
    pub struct PlanNote {
        /// The entry's text (HTML).
        description: String,
    }
}
