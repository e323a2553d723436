//! The entity model against every documented sample response, plus unknown members, unknown codes and labels.
//!
//! The samples live in `tests/fixtures/entity-samples/<entity>.json` in this crate, extracted from the
//! documentation records by `tests/extract_entity_samples.py` (see that file to rerun it).

use std::{collections::BTreeSet, fs, path::PathBuf};

use freshservice_schema::{
    Agent, Asset, AssetType, Change, ChangeImpact, ChangePriority, ChangeRisk, ChangeStatus,
    ChangeType, Code, Conversation, ConversationSource, Department, Entity, Field, Group, Location,
    Many, OnboardingRequest, OnboardingStatus, One, Problem, ProblemImpact, ProblemPriority,
    ProblemStatus, Project, ProjectPriority, ProjectStatus, ProjectTask, ProjectType,
    ProjectVisibility, Release, ReleasePriority, ReleaseStatus, ReleaseType, Requester, Ticket,
    TicketImpact, TicketPriority, TicketSource, TicketStatus, TicketUrgency, Workspace,
};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::{Value, json};

macro_rules! fixture {
    ($entity:literal) => {
        include_str!(concat!("../fixtures/entity-samples/", $entity, ".json"))
    };
}

/// Every fixture with the check for its entity type.
const FIXTURES: &[(&str, &str, Check)] = &[
    ("agent", fixture!("agent"), check::<Agent>),
    ("asset", fixture!("asset"), check::<Asset>),
    ("asset_type", fixture!("asset_type"), check::<AssetType>),
    ("change", fixture!("change"), check::<Change>),
    (
        "conversation",
        fixture!("conversation"),
        check::<Conversation>,
    ),
    ("department", fixture!("department"), check::<Department>),
    ("group", fixture!("group"), check::<Group>),
    ("location", fixture!("location"), check::<Location>),
    (
        "onboarding_request",
        fixture!("onboarding_request"),
        check::<OnboardingRequest>,
    ),
    ("problem", fixture!("problem"), check::<Problem>),
    ("project", fixture!("project"), check::<Project>),
    (
        "project_task",
        fixture!("project_task"),
        check::<ProjectTask>,
    ),
    ("release", fixture!("release"), check::<Release>),
    ("requester", fixture!("requester"), check::<Requester>),
    ("ticket", fixture!("ticket"), check::<Ticket>),
    ("workspace", fixture!("workspace"), check::<Workspace>),
];

/// Checks one fixture: returns how many objects it read and a line per problem found.
type Check = fn(&str, &str) -> (usize, Vec<String>);

/// Members whose documented sample disagrees with the documented type, per `(entity, record, response)`.
/// They are kept raw (and so still round-trip); listing them makes any new disagreement fail the test.
const KNOWN_MISMATCHES: &[(&str, u64, u64, &[&str])] = &[
    // Phone numbers sent as JSON numbers; every other agent sample sends strings.
    (
        "agent",
        237,
        1,
        &["work_phone_number", "mobile_phone_number"],
    ),
    // The MSP company samples send ids as strings ("id": "3"); the Freshservice samples send numbers.
    ("department", 402, 2, &["id"]),
    ("department", 403, 2, &["id"]),
    ("department", 404, 2, &["[0].id", "[1].id"]),
    ("department", 407, 2, &["id"]),
    // A single string where every other requester sample sends an array of strings.
    ("requester", 251, 1, &["secondary_emails"]),
];

fn check<T: Entity>(entity: &str, text: &str) -> (usize, Vec<String>) {
    let fixture: Value = serde_json::from_str(text).unwrap();
    assert_eq!(fixture["entity"], entity);
    let mut objects_read = 0;
    let mut problems = Vec::new();
    for sample in fixture["samples"].as_array().unwrap() {
        let record = sample["record"].as_u64().unwrap();
        let response = sample["response"].as_u64().unwrap();
        let label = format!(
            "{entity} record {record} response {response} ({})",
            sample["title"]
        );
        let body = &sample["body"];
        let envelope = sample["envelope"].as_str();
        let payload = envelope.map_or(body, |key| &body[key]);
        let objects: Vec<&Value> = match payload {
            Value::Array(items) => items.iter().collect(),
            object => vec![object],
        };

        let mut unexpected = Vec::new();
        for (index, object) in objects.iter().enumerate() {
            let typed: T = match serde_json::from_value((*object).clone()) {
                Ok(typed) => typed,
                Err(error) => {
                    problems.push(format!(
                        "{label}: object {index} does not deserialize: {error}"
                    ));
                    continue;
                }
            };
            objects_read += 1;
            if serde_json::to_value(&typed).unwrap() != **object {
                problems.push(format!("{label}: object {index} changed in the round trip"));
            }
            let prefix = if payload.is_array() {
                format!("[{index}].")
            } else {
                String::new()
            };
            unexpected.extend(
                typed
                    .unexpected_fields()
                    .into_iter()
                    .map(|path| format!("{prefix}{path}")),
            );
        }

        let expected: Vec<String> = KNOWN_MISMATCHES
            .iter()
            .filter(|(name, at_record, at_response, _)| {
                *name == entity && *at_record == record && *at_response == response
            })
            .flat_map(|(_, _, _, paths)| paths.iter().map(|path| (*path).to_owned()))
            .collect();
        if unexpected != expected {
            problems.push(format!(
                "{label}: members that do not fit the model {unexpected:?}, expected {expected:?}"
            ));
        }

        // Responses under the entity's own keys also round-trip through the envelope types, extras included.
        if envelope.is_some_and(|key| key == T::SINGULAR || key == T::PLURAL) {
            let outcome = if payload.is_array() {
                envelope_round_trip::<Many<T>>(body)
            } else {
                envelope_round_trip::<One<T>>(body)
            };
            if let Err(problem) = outcome {
                problems.push(format!("{label}: {problem}"));
            }
        }
    }
    (objects_read, problems)
}

fn envelope_round_trip<E: Serialize + DeserializeOwned>(body: &Value) -> Result<(), String> {
    let envelope: E = serde_json::from_value(body.clone())
        .map_err(|error| format!("envelope does not deserialize: {error}"))?;
    if &serde_json::to_value(&envelope).unwrap() == body {
        Ok(())
    } else {
        Err("envelope changed in the round trip".to_owned())
    }
}

#[test]
fn every_documented_sample_round_trips() {
    let mut problems = Vec::new();
    for (entity, text, check) in FIXTURES {
        let (objects, found) = check(entity, text);
        if objects == 0 {
            problems.push(format!("{entity}: no sample object deserialized"));
        }
        problems.extend(found);
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_fixture_file_is_checked() {
    let directory = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/entity-samples");
    let on_disk: BTreeSet<String> = fs::read_dir(&directory)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter_map(|name| name.strip_suffix(".json").map(str::to_owned))
        .collect();
    let listed: BTreeSet<String> = FIXTURES
        .iter()
        .map(|(entity, ..)| (*entity).to_owned())
        .collect();
    assert_eq!(on_disk, listed);
}

#[test]
fn unknown_members_and_codes_survive() {
    let input = json!({
        "id": 42,
        "status": 6,
        "source": 1001,
        "priority": 2,
        "group_id": null,
        "custom_fields": {"cf_team": "blue", "cf_score": 1.5},
        "sentiment_score": {"value": 0.7},
        "attachments": [{"id": 1, "name": "a.txt", "virus_scanned": true}],
    });
    let ticket: Ticket = serde_json::from_value(input.clone()).unwrap();
    assert_eq!(serde_json::to_value(&ticket).unwrap(), input);

    let status = *ticket.status.value().unwrap();
    assert_eq!((status.value(), status.label()), (6, None));
    let source = *ticket.source.value().unwrap();
    assert_eq!((source.value(), source.label()), (1001, None));
    assert_eq!(ticket.priority.value().unwrap().label(), Some("Medium"));
    assert!(ticket.group_id.is_null());
    assert!(ticket.responder_id.is_absent());
    assert_eq!(ticket.extra["sentiment_score"], json!({"value": 0.7}));
    let attachment = &ticket.attachments.value().unwrap()[0];
    assert_eq!(attachment.extra["virus_scanned"], json!(true));
    assert!(ticket.unexpected_fields().is_empty());
}

#[test]
fn values_of_an_unexpected_type_are_kept_and_reported() {
    let input = json!({
        "id": "17",
        "roles": [{"role_id": 3, "groups": ["x"]}],
        "work_phone_number": 5550100,
    });
    let agent: Agent = serde_json::from_value(input.clone()).unwrap();
    assert_eq!(serde_json::to_value(&agent).unwrap(), input);
    assert_eq!(agent.id.raw(), Some(&json!("17")));
    assert_eq!(
        agent.unexpected_fields(),
        ["id", "work_phone_number", "roles[0].groups"]
    );
}

#[test]
fn documented_codes_have_their_labels() {
    for (code, expected) in [
        (Code::<TicketStatus>::new(2).label(), Some("Open")),
        (Code::<TicketStatus>::new(5).label(), Some("Closed")),
        (Code::<TicketStatus>::new(6).label(), None),
        (Code::<TicketPriority>::new(4).label(), Some("Urgent")),
        (Code::<TicketUrgency>::new(3).label(), Some("High")),
        (Code::<TicketImpact>::new(1).label(), Some("Low")),
        (Code::<TicketSource>::new(2).label(), Some("Portal")),
        (Code::<TicketSource>::new(1001).label(), None),
        (Code::<ConversationSource>::new(2).label(), Some("Note")),
        (Code::<ChangeStatus>::new(6).label(), Some("Closed")),
        (Code::<ChangePriority>::new(1).label(), Some("Low")),
        (Code::<ChangeImpact>::new(3).label(), Some("High")),
        (Code::<ChangeType>::new(4).label(), Some("Emergency")),
        (Code::<ChangeRisk>::new(4).label(), Some("Very High")),
        (
            Code::<ProblemStatus>::new(2).label(),
            Some("Change Requested"),
        ),
        (Code::<ProblemPriority>::new(3).label(), Some("High")),
        (Code::<ProblemImpact>::new(2).label(), Some("Medium")),
        (Code::<ReleaseStatus>::new(2).label(), Some("On hold")),
        (Code::<ReleasePriority>::new(4).label(), Some("Urgent")),
        (Code::<ReleaseType>::new(1).label(), Some("Minor")),
        (Code::<ProjectStatus>::new(1).label(), Some("Yet to start")),
        (Code::<ProjectPriority>::new(4).label(), Some("Urgent")),
        (Code::<ProjectType>::new(0).label(), Some("Software")),
        (Code::<ProjectVisibility>::new(1).label(), Some("Public")),
        (
            Code::<OnboardingStatus>::new(3).label(),
            Some("Request In Progress"),
        ),
    ] {
        assert_eq!(code, expected);
    }
}

/// The first object of the first sample with this envelope key in a fixture.
fn first_object<T: Entity>(text: &str, envelope: &str) -> T {
    let fixture: Value = serde_json::from_str(text).unwrap();
    let sample = fixture["samples"]
        .as_array()
        .unwrap()
        .iter()
        .find(|sample| sample["envelope"] == envelope)
        .unwrap();
    let payload = &sample["body"][envelope];
    let object = if payload.is_array() {
        &payload[0]
    } else {
        payload
    };
    serde_json::from_value(object.clone()).unwrap()
}

#[test]
fn samples_read_as_typed_values() {
    let ticket: Ticket = first_object(fixture!("ticket"), "ticket");
    assert_eq!(
        ticket.status.value().and_then(|code| code.label()),
        Some("Open")
    );
    assert!(
        ticket
            .created_at
            .value()
            .is_some_and(|at| at.ends_with('Z'))
    );

    let change: Change = first_object(fixture!("change"), "changes");
    assert!(
        change
            .change_type
            .value()
            .is_some_and(|code| code.label().is_some())
    );
    let window = change.maintenance_window.value().unwrap();
    assert!(window.id.value().is_some());

    let asset: Asset = first_object(fixture!("asset"), "asset");
    assert!(
        asset
            .type_fields
            .value()
            .is_some_and(|fields| !fields.is_empty())
    );

    let location: Location = first_object(fixture!("location"), "location");
    assert!(
        location
            .address
            .value()
            .is_some_and(|address| address.city.value().is_some())
    );

    let project: Project = first_object(fixture!("project"), "project");
    assert!(
        project
            .visibility
            .value()
            .is_some_and(|code| code.label().is_some())
    );

    let request: OnboardingRequest =
        first_object(fixture!("onboarding_request"), "onboarding_request");
    assert!(
        request
            .status
            .value()
            .is_some_and(|code| code.label().is_some())
    );
    assert!(
        request
            .fields
            .value()
            .is_some_and(|fields| !fields.is_empty())
    );

    let mut new_ticket = Ticket::default();
    new_ticket.subject = "Printer on fire".into();
    new_ticket.status = Code::<TicketStatus>::from_label("open")
        .map(Field::from)
        .unwrap_or_default();
    new_ticket.group_id = None.into();
    assert_eq!(
        serde_json::to_value(One::new(new_ticket)).unwrap(),
        json!({"ticket": {"subject": "Printer on fire", "status": 2, "group_id": null}})
    );
}
