//! [`Project`] and [`ProjectTask`] of the new-generation project management API (`/api/v2/pm`).

use serde_json::{Map, Number, Value};

use crate::entity::{
    Attachment, Code, ProjectPriority, ProjectStatus, ProjectType, ProjectVisibility,
};

model! {
    /// A project of the `/api/v2/pm` API (not the legacy `/api/v2/projects`).
    pub struct Project {
        /// Project id.
        id: i64,
        /// Name.
        name: String,
        /// Short key that prefixes task keys, e.g. `PRJ`.
        key: String,
        /// Description.
        description: String,
        /// Status code.
        status_id: Code<ProjectStatus>,
        /// Priority code.
        priority_id: Code<ProjectPriority>,
        /// Software or business project.
        project_type: Code<ProjectType>,
        /// Private or public.
        visibility: Code<ProjectVisibility>,
        /// Project manager (user id).
        manager_id: i64,
        /// Start date (`yyyy-mm-dd` or a timestamp, as sent).
        start_date: String,
        /// End date.
        end_date: String,
        /// Sprint length in days.
        sprint_duration: i64,
        /// True when archived.
        archived: bool,
        /// Attached files.
        attachments: Vec<Attachment>,
        /// Account-defined fields by name.
        custom_fields: Map<String, Value>,
        /// Creation time (UTC, as sent).
        created_at: String,
        /// Last update time (UTC, as sent).
        updated_at: String,
    }
}

entity!(Project, "project", "projects");

model! {
    /// A task of a `/api/v2/pm` project.
    ///
    /// Status and priority ids are defined per project (`task-statuses`, `task-priorities`), so they are plain
    /// ids here rather than codes.
    pub struct ProjectTask {
        /// Task id.
        id: i64,
        /// Project the task belongs to.
        project_id: i64,
        /// Task key, e.g. `PRJ-12`.
        display_key: String,
        /// Title.
        title: String,
        /// Description.
        description: String,
        /// Task type (per project).
        type_id: i64,
        /// Status (per project).
        status_id: i64,
        /// Priority (per project).
        priority_id: i64,
        /// Reporter (user id).
        reporter_id: i64,
        /// Assignee (user id).
        assignee_id: i64,
        /// Parent task.
        parent_id: i64,
        /// Story points.
        story_points: Number,
        /// Sprint.
        sprint_id: i64,
        /// Version.
        version_id: i64,
        /// Planned start.
        planned_start_date: String,
        /// Planned end.
        planned_end_date: String,
        /// Planned effort, e.g. `1w 2d 3h 4m`.
        planned_effort: String,
        /// Planned duration, e.g. `1w 3d`.
        planned_duration: String,
        /// Attached files.
        attachments: Vec<Attachment>,
        /// Account-defined fields by name.
        custom_fields: Map<String, Value>,
        /// Creation time (UTC, as sent).
        created_at: String,
        /// Last update time (UTC, as sent).
        updated_at: String,
    }
}

entity!(ProjectTask, "task", "tasks");
