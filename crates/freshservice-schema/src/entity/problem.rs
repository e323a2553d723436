//! [`Problem`]: the root cause behind one or more incidents.

use serde_json::{Map, Value};

use crate::entity::{Code, ProblemImpact, ProblemPriority, ProblemStatus};

model! {
    /// A problem (`/api/v2/problems`).
    pub struct Problem {
        /// Problem id.
        id: i64,
        /// Workspace the problem belongs to.
        workspace_id: i64,
        /// Subject line.
        subject: String,
        /// HTML description.
        description: String,
        /// Plain-text description.
        description_text: String,
        /// Status code.
        status: Code<ProblemStatus>,
        /// Priority code.
        priority: Code<ProblemPriority>,
        /// Impact code.
        impact: Code<ProblemImpact>,
        /// Initiator (user id).
        requester_id: i64,
        /// Assigned agent.
        agent_id: i64,
        /// Assigned agent group.
        group_id: i64,
        /// Department.
        department_id: i64,
        /// Category.
        category: String,
        /// Sub-category.
        sub_category: String,
        /// Item category.
        item_category: String,
        /// Due time.
        due_by: String,
        /// True when recorded as a known error.
        known_error: bool,
        /// Change associated with the problem.
        associated_change: i64,
        /// Root-cause analysis (cause, symptom, impact), each a description object.
        analysis_fields: Map<String, Value>,
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

entity!(Problem, "problem", "problems");
