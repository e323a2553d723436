//! The documented sample responses, for catalogue operations the sandbox keeps no state for.
//!
//! `cargo xtask catalog import` writes `fixtures/samples/<tag>.json` inside this crate: per
//! operation, its documented sample requests and the responses the reference shows. The sandbox
//! answers a stateless GET with that response, so such tools return what Freshservice would.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde_json::Value;

const FILES: &[&str] = &[
    include_str!("../fixtures/samples/agents.json"),
    include_str!("../fixtures/samples/alerts.json"),
    include_str!("../fixtures/samples/announcements.json"),
    include_str!("../fixtures/samples/approvals.json"),
    include_str!("../fixtures/samples/asset_types.json"),
    include_str!("../fixtures/samples/assets.json"),
    include_str!("../fixtures/samples/attachments.json"),
    include_str!("../fixtures/samples/audit_logs.json"),
    include_str!("../fixtures/samples/business_hours.json"),
    include_str!("../fixtures/samples/canned_responses.json"),
    include_str!("../fixtures/samples/changes.json"),
    include_str!("../fixtures/samples/contracts.json"),
    include_str!("../fixtures/samples/custom_objects.json"),
    include_str!("../fixtures/samples/departments.json"),
    include_str!("../fixtures/samples/groups.json"),
    include_str!("../fixtures/samples/journeys.json"),
    include_str!("../fixtures/samples/legacy_projects.json"),
    include_str!("../fixtures/samples/locations.json"),
    include_str!("../fixtures/samples/offboarding.json"),
    include_str!("../fixtures/samples/onboarding.json"),
    include_str!("../fixtures/samples/oncall.json"),
    include_str!("../fixtures/samples/post_incident_reports.json"),
    include_str!("../fixtures/samples/problems.json"),
    include_str!("../fixtures/samples/products.json"),
    include_str!("../fixtures/samples/projects.json"),
    include_str!("../fixtures/samples/purchase_orders.json"),
    include_str!("../fixtures/samples/releases.json"),
    include_str!("../fixtures/samples/requester_groups.json"),
    include_str!("../fixtures/samples/requesters.json"),
    include_str!("../fixtures/samples/roles.json"),
    include_str!("../fixtures/samples/service_catalog.json"),
    include_str!("../fixtures/samples/sla_policies.json"),
    include_str!("../fixtures/samples/software.json"),
    include_str!("../fixtures/samples/solutions.json"),
    include_str!("../fixtures/samples/status_page.json"),
    include_str!("../fixtures/samples/tickets.json"),
    include_str!("../fixtures/samples/vendors.json"),
    include_str!("../fixtures/samples/workspaces.json"),
];

static RESPONSES: LazyLock<HashMap<String, Value>> = LazyLock::new(|| {
    let mut responses = HashMap::new();
    for text in FILES {
        // The files are written by the importer and checked by its tests; a file that does not
        // parse only means fewer sample answers, never a panic.
        let Ok(Value::Object(operations)) = serde_json::from_str::<Value>(text) else {
            continue;
        };
        for (name, samples) in operations {
            let response = samples
                .as_array()
                .and_then(|samples| {
                    samples
                        .iter()
                        .find_map(|sample| sample.get("response").filter(|r| r.is_object()))
                })
                .cloned();
            if let Some(response) = response {
                responses.insert(name, response);
            }
        }
    }
    responses
});

/// The documented sample response of an operation, if the reference shows one.
pub(crate) fn response(operation: &str) -> Option<&'static Value> {
    RESPONSES.get(operation)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_samples_are_loaded() {
        assert!(
            RESPONSES.len() > 200,
            "only {} sample responses",
            RESPONSES.len()
        );
        let fields = response("list_all_freshservice_cabs")
            .or_else(|| response("get_single_freshservice_cab_by_id"));
        assert!(fields.is_some());
    }
}
