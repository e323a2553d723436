//! The list of embedded data files: one `include_str!` line per file in `data/`.
//!
//! Written by `cargo xtask catalog import` (it adds a line for every per-module file it writes); a test
//! fails if a file in `data/` is missing from this list.

/// `(file name, file text)` for every catalogue data file, in file-name order.
pub(crate) const SOURCES: &[(&str, &str)] = &[
    ("agents.json", include_str!("../data/agents.json")),
    ("alerts.json", include_str!("../data/alerts.json")),
    (
        "announcements.json",
        include_str!("../data/announcements.json"),
    ),
    ("approvals.json", include_str!("../data/approvals.json")),
    ("asset_types.json", include_str!("../data/asset_types.json")),
    ("assets.json", include_str!("../data/assets.json")),
    ("attachments.json", include_str!("../data/attachments.json")),
    ("audit_logs.json", include_str!("../data/audit_logs.json")),
    (
        "business_hours.json",
        include_str!("../data/business_hours.json"),
    ),
    (
        "canned_responses.json",
        include_str!("../data/canned_responses.json"),
    ),
    ("changes.json", include_str!("../data/changes.json")),
    ("common.json", include_str!("../data/common.json")),
    ("contracts.json", include_str!("../data/contracts.json")),
    (
        "custom_objects.json",
        include_str!("../data/custom_objects.json"),
    ),
    ("departments.json", include_str!("../data/departments.json")),
    ("enums.json", include_str!("../data/enums.json")),
    ("groups.json", include_str!("../data/groups.json")),
    ("journeys.json", include_str!("../data/journeys.json")),
    (
        "legacy_projects.json",
        include_str!("../data/legacy_projects.json"),
    ),
    ("locations.json", include_str!("../data/locations.json")),
    ("offboarding.json", include_str!("../data/offboarding.json")),
    ("onboarding.json", include_str!("../data/onboarding.json")),
    ("oncall.json", include_str!("../data/oncall.json")),
    (
        "post_incident_reports.json",
        include_str!("../data/post_incident_reports.json"),
    ),
    ("problems.json", include_str!("../data/problems.json")),
    ("products.json", include_str!("../data/products.json")),
    ("projects.json", include_str!("../data/projects.json")),
    (
        "purchase_orders.json",
        include_str!("../data/purchase_orders.json"),
    ),
    ("releases.json", include_str!("../data/releases.json")),
    (
        "requester_groups.json",
        include_str!("../data/requester_groups.json"),
    ),
    ("requesters.json", include_str!("../data/requesters.json")),
    ("roles.json", include_str!("../data/roles.json")),
    (
        "service_catalog.json",
        include_str!("../data/service_catalog.json"),
    ),
    (
        "sla_policies.json",
        include_str!("../data/sla_policies.json"),
    ),
    ("software.json", include_str!("../data/software.json")),
    ("solutions.json", include_str!("../data/solutions.json")),
    ("status_page.json", include_str!("../data/status_page.json")),
    ("tickets.json", include_str!("../data/tickets.json")),
    ("vendors.json", include_str!("../data/vendors.json")),
    ("workspaces.json", include_str!("../data/workspaces.json")),
];
