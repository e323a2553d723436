//! [`Release`] with its build and test plans.

use serde_json::{Map, Value};

use crate::entity::{Code, PlanNote, ReleasePriority, ReleaseStatus, ReleaseType};

model! {
    /// A release (`/api/v2/releases`).
    pub struct Release {
        /// Release id.
        id: i64,
        /// Workspace the release belongs to.
        workspace_id: i64,
        /// Subject line.
        subject: String,
        /// HTML description.
        description: String,
        /// Plain-text description.
        description_text: String,
        /// Status code.
        status: Code<ReleaseStatus>,
        /// Priority code.
        priority: Code<ReleasePriority>,
        /// Release type code.
        release_type: Code<ReleaseType>,
        /// Assigned agent.
        agent_id: i64,
        /// Assigned agent group.
        group_id: i64,
        /// Department initiating the release.
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
        /// Work start.
        work_start_date: String,
        /// Work end.
        work_end_date: String,
        /// Ids of associated assets.
        associated_assets: Vec<i64>,
        /// Ids of associated changes.
        associated_changes: Vec<i64>,
        /// Build and test plans.
        planning_fields: ReleasePlanningFields,
        /// Associated assets, as the API embeds them.
        assets: Vec<Map<String, Value>>,
        /// Account-defined fields by name.
        custom_fields: Map<String, Value>,
        /// Creation time (UTC, as sent).
        created_at: String,
        /// Last update time (UTC, as sent).
        updated_at: String,
    }
}

entity!(Release, "release", "releases");

model! {
    /// The planning section of a release.
    pub struct ReleasePlanningFields {
        /// Build plan.
        build_plan: PlanNote,
        /// Test plan.
        test_plan: PlanNote,
        /// Account-defined planning fields by name.
        custom_fields: Map<String, Value>,
    }
}
