//! [`OnboardingRequest`]: an employee onboarding request.

use serde_json::{Map, Value};

use crate::entity::{Code, OnboardingStatus};

model! {
    /// An employee onboarding request (`/api/v2/onboarding_requests`).
    pub struct OnboardingRequest {
        /// Request id.
        id: i64,
        /// Status code.
        status: Code<OnboardingStatus>,
        /// Subject line.
        subject: String,
        /// Parent ticket created for the request.
        ticket_id: i64,
        /// Form answers by field name (`cf_*` and `msf_*` fields).
        fields: Map<String, Value>,
        /// Stakeholders by role, each with their response status.
        actors: Map<String, Value>,
        /// The objects that lookup fields point at, by field name.
        lookup_values: Map<String, Value>,
        /// Creation time (UTC, as sent).
        created_at: String,
        /// Last update time (UTC, as sent).
        updated_at: String,
    }
}

entity!(
    OnboardingRequest,
    "onboarding_request",
    "onboarding_requests"
);
