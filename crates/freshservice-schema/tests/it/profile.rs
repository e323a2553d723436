//! Account profiles: the documented form-field answers parse, and the overlay gives each account's operations
//! the schema its forms imply, validated by the same router the service uses.

use freshservice_schema::{
    AccountProfile, FormFieldKind, Operation, OperationKind, ProfileSource, catalog, coded_enums,
};
use serde_json::{Value, json};

/// The documented answer of each source (`tests/extract_form_field_samples.py`).
fn documented(source: ProfileSource) -> Value {
    let text = match source {
        ProfileSource::Tickets => include_str!("../fixtures/form-fields/tickets.json"),
        ProfileSource::Changes => include_str!("../fixtures/form-fields/changes.json"),
        ProfileSource::Problems => include_str!("../fixtures/form-fields/problems.json"),
        ProfileSource::Releases => include_str!("../fixtures/form-fields/releases.json"),
        ProfileSource::Requesters => include_str!("../fixtures/form-fields/requesters.json"),
        ProfileSource::Agents => include_str!("../fixtures/form-fields/agents.json"),
        other => panic!("no documented answer for {other:?}"),
    };
    serde_json::from_str(text).unwrap()
}

fn documented_profile() -> AccountProfile {
    let mut profile = AccountProfile::new();
    for source in ProfileSource::ALL {
        profile
            .add_response(source, None, &documented(source))
            .unwrap_or_else(|error| panic!("{source:?}: {error}"));
    }
    profile
}

fn operation(name: &str) -> &'static Operation {
    catalog()
        .get(name)
        .unwrap_or_else(|| panic!("no operation {name}"))
}

/// A customised account: a custom status and source, and one custom field of each kind.
fn customised_tickets() -> Value {
    json!({"ticket_fields": [
        {"name": "status", "label": "Status", "field_type": "default_status", "default_field": true,
         "required_for_agents": true, "workspace_id": 1, "choices": [
            {"id": 2, "value": "Open"}, {"id": 3, "value": "Pending"}, {"id": 4, "value": "Resolved"},
            {"id": 5, "value": "Closed"}, {"id": 6, "value": "Awaiting Vendor"}]},
        {"name": "source", "label": "Source", "field_type": "default_source", "default_field": true,
         "choices": [{"id": 1, "value": "Email"}, {"id": 2, "value": "Portal"}, {"id": 1008, "value": "iPhone "}]},
        {"name": "ticket_type", "label": "Type", "field_type": "default_ticket_type", "default_field": true,
         "choices": [{"id": 1, "value": "Incident"}, {"id": 2, "value": "Service Request"}, {"id": 3, "value": "Case"}]},
        {"name": "category", "label": "Category", "field_type": "default_category", "default_field": true,
         "choices": [
            {"id": 10, "value": "Hardware", "nested_options": [
                {"id": 11, "value": "Computer", "nested_options": [{"id": 12, "value": "Mac"}, {"id": 13, "value": "PC"}]},
                {"id": 14, "value": "Printer", "nested_options": []}]},
            {"id": 20, "value": "Software", "nested_options": [{"id": 21, "value": "MS Office", "nested_options": []}]}],
         "nested_fields": [{"name": "sub_category", "label": "Sub-Category", "level": 2},
                           {"name": "item_category", "label": "Item", "level": 3}]},
        {"name": "cost_centre", "label": "Cost centre", "field_type": "custom_dropdown", "default_field": false,
         "required_for_agents": true, "choices": [{"id": 1, "value": "IT"}, {"id": 2, "value": "HR"}]},
        {"name": "custom_dependent", "label": "Region", "field_type": "nested_field", "default_field": false,
         "choices": [{"id": 1, "value": "EMEA", "nested_options": [{"id": 2, "value": "France",
            "nested_options": [{"id": 3, "value": "Paris"}]}]}],
         "nested_fields": [{"name": "level_2", "label": "Country", "level": 2},
                           {"name": "level_3", "label": "City", "level": 3}]},
        {"name": "seats", "label": "Seats", "field_type": "custom_number", "default_field": false},
        {"name": "go_live", "label": "Go-live", "field_type": "custom_date", "default_field": false, "date_only": true},
        {"name": "vip", "label": "VIP", "field_type": "custom_checkbox", "default_field": false},
        {"name": "notes", "label": "Notes", "field_type": "custom_paragraph", "default_field": false},
        {"name": "asset_ref", "label": "Asset", "field_type": "custom_lookup_bigint", "default_field": false},
        {"name": "po_number", "label": "PO number", "field_type": "custom_text", "default_field": false,
         "required_for_agents": true, "belongs_to_section": true}
    ]})
}

fn customised_profile() -> AccountProfile {
    AccountProfile::new()
        .with_response(ProfileSource::Tickets, None, &customised_tickets())
        .unwrap()
}

#[test]
fn the_sources_are_catalogue_tools_and_shape_catalogue_operations() {
    for source in ProfileSource::ALL {
        let reader = operation(source.tool());
        assert_eq!(reader.path, source.path(), "{source:?}");
        assert_eq!(reader.kind, OperationKind::List, "{source:?}");
        assert_eq!(
            reader.param("workspace_id").is_some(),
            source.by_workspace(),
            "{source:?}: workspace_id"
        );
        for name in source.shaped_operations() {
            let shaped = operation(name);
            assert_eq!(shaped.tag, reader.tag, "{name}");
            assert!(
                matches!(shaped.kind, OperationKind::Create | OperationKind::Update),
                "{name}"
            );
            assert!(shaped.param("custom_fields").is_some(), "{name}");
        }
    }
}

#[test]
fn the_extensible_enums_are_ticket_status_and_source_listed_by_ticket_form_fields() {
    let extensible: Vec<(&str, &str)> = coded_enums()
        .iter()
        .filter_map(|coded| Some((coded.name.as_str(), coded.extensible_via.as_deref()?)))
        .collect();
    let tickets = ProfileSource::Tickets.tool();
    assert_eq!(
        extensible,
        [("ticket_source", tickets), ("ticket_status", tickets)]
    );
    // Without a profile an account's own codes pass, and the documented ones are named.
    let router = operation("update_a_freshservice_ticket_by_id")
        .router()
        .unwrap();
    router
        .route(&json!({"ticket_id": 1, "status": 6, "source": 1008}))
        .unwrap();
    // Closed enums still refuse.
    assert!(
        router
            .route(&json!({"ticket_id": 1, "priority": 6}))
            .is_err()
    );
}

#[test]
fn every_documented_answer_parses() {
    let profile = documented_profile();
    for (source, count, custom) in [
        (ProfileSource::Tickets, 15, &["it_field"][..]),
        (
            ProfileSource::Changes,
            22,
            &["it_field", "custom_dropdowm"][..],
        ),
        (ProfileSource::Problems, 13, &["it_field"][..]),
        (ProfileSource::Releases, 13, &["it_field"][..]),
        (
            ProfileSource::Requesters,
            9,
            &["quidditch_role", "hogsmeade_permission"][..],
        ),
        (
            ProfileSource::Agents,
            24,
            &[
                "nickname",
                "work_history",
                "contract_worker",
                "previous_years_of_experience",
                "job_family",
                "date_of_joining",
                "home_phone_number",
                "google_profile_url",
            ][..],
        ),
    ] {
        let fields = profile.fields(source, None).unwrap();
        assert_eq!(fields.len(), count, "{source:?}");
        let names: Vec<&str> = fields
            .iter()
            .filter(|field| field.custom)
            .map(|field| field.name.as_str())
            .collect();
        assert_eq!(names, custom, "{source:?}");
    }
    let tickets = profile.fields(ProfileSource::Tickets, None).unwrap();
    let status = tickets.iter().find(|field| field.name == "status").unwrap();
    let codes: Vec<i64> = status.choices.iter().filter_map(|c| c.id).collect();
    assert_eq!(codes, [2, 3, 4, 5]);
    let source = tickets.iter().find(|field| field.name == "source").unwrap();
    assert!(source.choices.iter().any(|c| c.id == Some(1001)));
    let category = tickets
        .iter()
        .find(|field| field.name == "category")
        .unwrap();
    assert_eq!(category.nested_fields[1].name, "item_category");
    let agents = profile.fields(ProfileSource::Agents, None).unwrap();
    let kinds: Vec<FormFieldKind> = agents
        .iter()
        .filter(|field| field.custom)
        .map(|field| field.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            FormFieldKind::Text,
            FormFieldKind::Paragraph,
            FormFieldKind::Checkbox,
            FormFieldKind::Number,
            FormFieldKind::Dropdown,
            FormFieldKind::Date,
            FormFieldKind::PhoneNumber,
            FormFieldKind::Url
        ]
    );
    // Admins must give an agent's name and email; the sample makes nothing else mandatory for them.
    let required: Vec<&str> = agents
        .iter()
        .filter(|field| field.required)
        .map(|field| field.name.as_str())
        .collect();
    assert_eq!(required, ["name", "email"]);
}

#[test]
fn every_shaped_schema_of_the_documented_account_is_valid_and_routes() {
    let profile = documented_profile();
    for source in ProfileSource::ALL {
        for name in source.shaped_operations() {
            let operation = operation(name);
            let schema = operation.input_schema_for(&profile, None);
            assert_ne!(schema, operation.input_schema(), "{name} is not shaped");
            assert!(
                jsonschema::draft202012::meta::validate(&schema).is_ok(),
                "{name}: {schema}"
            );
            assert_eq!(
                schema["properties"]["custom_fields"]["additionalProperties"], false,
                "{name}"
            );
            operation
                .router_for(&profile, None)
                .unwrap_or_else(|error| panic!("{name}: {error}"));
        }
    }
    let change = operation("create_a_freshservice_change").input_schema_for(&profile, None);
    assert_eq!(
        change["properties"]["status"]["description"],
        "Status of the change: 1 Open, 2 Planning, 3 Awaiting Approval, 4 Pending Release, 5 Pending Review, 6 Closed"
    );
    assert_eq!(
        change["properties"]["custom_fields"]["properties"]["custom_dropdowm"]["enum"],
        json!(["First Choice", "Second Choice", null])
    );
    let ticket = operation("create_a_freshservice_ticket").input_schema_for(&profile, None);
    assert_eq!(ticket["properties"]["type"]["enum"], json!(["Case"]));
    assert!(
        ticket["properties"]["source"]["description"]
            .as_str()
            .unwrap()
            .ends_with("15 MS Teams, 1001 Source Name")
    );
    // The documented category tree is too big to map into a description: it points at the tool.
    assert_eq!(
        ticket["properties"]["sub_category"]["description"],
        "Sub-Category; one listed under the chosen category in ticket_form_fields"
    );
}

#[test]
fn operations_the_profile_does_not_shape_keep_their_exact_schema() {
    let profile = documented_profile();
    let empty = AccountProfile::new();
    let mut unshaped = 0;
    for operation in catalog().operations() {
        let base = serde_json::to_string(&operation.input_schema()).unwrap();
        assert_eq!(
            serde_json::to_string(&operation.input_schema_for(&empty, None)).unwrap(),
            base,
            "{} with an empty profile",
            operation.name
        );
        if ProfileSource::for_operation(&operation.name).is_none() {
            unshaped += 1;
            for workspace in [None, Some(2), Some(3)] {
                assert_eq!(
                    serde_json::to_string(&operation.input_schema_for(&profile, workspace))
                        .unwrap(),
                    base,
                    "{}",
                    operation.name
                );
            }
        }
    }
    assert!(unshaped > 400, "{unshaped}");
    // A profile without the change fields leaves changes alone.
    let tickets_only = customised_profile();
    let change = operation("create_a_freshservice_change");
    assert_eq!(
        change.input_schema_for(&tickets_only, None),
        change.input_schema()
    );
}

#[test]
fn the_customised_create_ticket_schema() {
    let schema =
        operation("create_a_freshservice_ticket").input_schema_for(&customised_profile(), None);
    let properties = &schema["properties"];
    assert_eq!(
        properties["status"],
        json!({"type": "integer", "enum": [2, 3, 4, 5, 6],
               "description": "Status of the ticket: 2 Open, 3 Pending, 4 Resolved, 5 Closed, 6 Awaiting Vendor"})
    );
    assert_eq!(properties["source"]["enum"], json!([1, 2, 1008]));
    assert_eq!(
        properties["source"]["description"],
        "Channel the ticket came in through (default 2 Portal): 1 Email, 2 Portal, 1008 iPhone"
    );
    assert_eq!(
        properties["type"]["enum"],
        json!(["Incident", "Service Request", "Case"])
    );
    assert_eq!(
        properties["category"]["enum"],
        json!(["Hardware", "Software"])
    );
    assert_eq!(
        properties["sub_category"],
        json!({"type": "string", "enum": ["Computer", "Printer", "MS Office"],
               "description": "Sub-Category, by category: Hardware: Computer, Printer; Software: MS Office"})
    );
    assert_eq!(
        properties["item_category"]["description"],
        "Item, by sub_category: Computer: Mac, PC"
    );
    let custom = &properties["custom_fields"];
    assert_eq!(
        custom["properties"],
        json!({
            "cost_centre": {"type": "string", "enum": ["IT", "HR"], "description": "Cost centre"},
            "custom_dependent": {"type": ["string", "null"], "enum": ["EMEA", null], "description": "Region"},
            "level_2": {"type": ["string", "null"], "enum": ["France", null], "description": "Country, by custom_dependent: EMEA: France"},
            "level_3": {"type": ["string", "null"], "enum": ["Paris", null], "description": "City, by level_2: France: Paris"},
            "seats": {"type": ["integer", "null"], "description": "Seats"},
            "go_live": {"type": ["string", "null"], "format": "date", "description": "Go-live"},
            "vip": {"type": ["boolean", "null"], "description": "VIP"},
            "notes": {"type": ["string", "null"], "description": "Notes"},
            "asset_ref": {"description": "Asset (custom_lookup_bigint, not checked here)"},
            "po_number": {"type": ["string", "null"], "description": "PO number"}
        })
    );
    // Required for agents, but not in a dynamic section.
    assert_eq!(custom["required"], json!(["cost_centre"]));
    assert_eq!(custom["additionalProperties"], false);
    assert!(
        schema["required"]
            .as_array()
            .unwrap()
            .contains(&json!("custom_fields"))
    );
    // The child ticket is a create too.
    let child = operation("create_a_freshservice_child_ticket")
        .input_schema_for(&customised_profile(), None);
    assert_eq!(
        child["properties"]["custom_fields"]["required"],
        json!(["cost_centre"])
    );
}

/// Route `arguments` through the account-aware router: `Ok` with the body, or the problems as text.
fn route(name: &str, profile: &AccountProfile, arguments: Value) -> Result<Value, String> {
    operation(name)
        .router_for(profile, None)
        .unwrap()
        .route(&arguments)
        .map(|request| request.body.unwrap_or(Value::Null))
        .map_err(|error| error.to_string())
}

#[test]
fn the_router_refuses_what_the_account_refuses_and_names_the_field() {
    let profile = customised_profile();
    let create = |extra: Value| {
        let mut arguments = json!({"subject": "Printer on fire", "description": "It is.", "status": 6,
                                   "priority": 2, "email": "a@example.com", "source": 1008,
                                   "custom_fields": {"cost_centre": "IT"}});
        for (key, value) in extra.as_object().unwrap() {
            arguments[key] = value.clone();
        }
        route("create_a_freshservice_ticket", &profile, arguments)
    };
    let body = create(json!({"category": "Hardware", "sub_category": "Computer", "item_category": "Mac",
        "custom_fields": {"cost_centre": "HR", "custom_dependent": "EMEA", "level_2": "France",
                          "seats": 3, "go_live": "2025-09-01", "vip": true, "asset_ref": 42, "notes": null}}))
    .unwrap();
    assert_eq!(body["custom_fields"]["level_2"], "France");
    assert_eq!(body["status"], 6);

    for (extra, expect) in [
        // A custom status the account does not have.
        (json!({"status": 7}), &["/status"][..]),
        (json!({"source": 1009}), &["/source"][..]),
        (json!({"type": "Problem"}), &["/type"][..]),
        (json!({"category": "Furniture"}), &["/category"][..]),
        // A dropdown value outside the choices.
        (
            json!({"custom_fields": {"cost_centre": "Sales"}}),
            &["/custom_fields/cost_centre", "\"Sales\""][..],
        ),
        // A wrong type.
        (
            json!({"custom_fields": {"cost_centre": "IT", "seats": "three"}}),
            &["/custom_fields/seats", "integer"][..],
        ),
        (
            json!({"custom_fields": {"cost_centre": "IT", "go_live": "next week"}}),
            &["/custom_fields/go_live"][..],
        ),
        // A missing required custom field, and no custom fields at all.
        (
            json!({"custom_fields": {"vip": false}}),
            &["/custom_fields", "cost_centre"][..],
        ),
        (json!({"custom_fields": null}), &["custom_fields"][..]),
        // An unknown custom field: refused, with the known ones named.
        (
            json!({"custom_fields": {"cost_centre": "IT", "cost_center": "IT"}}),
            &[
                "/custom_fields",
                "cost_center",
                "cost_centre",
                "go_live",
                "level_3",
            ][..],
        ),
    ] {
        let arguments = if extra["custom_fields"].is_null() && extra.get("custom_fields").is_some()
        {
            json!({"subject": "s", "description": "d", "status": 2, "priority": 1, "email": "a@example.com"})
        } else {
            Value::Null
        };
        let outcome = if arguments.is_null() {
            create(extra.clone())
        } else {
            route("create_a_freshservice_ticket", &profile, arguments)
        };
        let message = outcome.expect_err(&format!("{extra} was accepted"));
        for part in expect {
            assert!(
                message.contains(part),
                "{extra}: {message:?} lacks {part:?}"
            );
        }
    }
}

#[test]
fn updates_never_require_and_still_check() {
    let profile = customised_profile();
    let schema = operation("update_a_freshservice_ticket_by_id").input_schema_for(&profile, None);
    assert!(
        schema["properties"]["custom_fields"]
            .get("required")
            .is_none()
    );
    assert_eq!(schema["required"], json!(["ticket_id"]));
    for arguments in [
        json!({"ticket_id": 1}),
        json!({"ticket_id": 1, "status": 6}),
        json!({"ticket_id": 1, "custom_fields": {}}),
        json!({"ticket_id": 1, "custom_fields": {"cost_centre": null, "vip": true}}),
    ] {
        route(
            "update_a_freshservice_ticket_by_id",
            &profile,
            arguments.clone(),
        )
        .unwrap_or_else(|error| panic!("{arguments}: {error}"));
    }
    let refused = route(
        "update_a_freshservice_ticket_by_id",
        &profile,
        json!({"ticket_id": 1, "custom_fields": {"cost_centre": "Sales"}}),
    )
    .unwrap_err();
    assert!(refused.contains("/custom_fields/cost_centre"), "{refused}");
}

#[test]
fn a_workspace_gets_its_own_fields_or_the_global_ones() {
    let hr_fields = json!({"ticket_fields": [
        {"name": "status", "field_type": "default_status", "default_field": true, "workspace_id": 1,
         "choices": [{"id": 2, "value": "Open"}, {"id": 5, "value": "Closed"}, {"id": 7, "value": "With HR"}]},
        {"name": "employee_id", "label": "Employee ID", "field_type": "custom_text", "default_field": false,
         "required_for_agents": true, "workspace_id": 3}
    ]});
    let profile = customised_profile()
        .with_response(ProfileSource::Tickets, Some(3), &hr_fields)
        .unwrap();
    let create = operation("create_a_freshservice_ticket");
    let hr = create.input_schema_for(&profile, Some(3));
    assert_eq!(hr["properties"]["status"]["enum"], json!([2, 5, 7]));
    assert_eq!(
        hr["properties"]["custom_fields"]["required"],
        json!(["employee_id"])
    );
    // Another workspace falls back to the account-wide answer.
    let it = create.input_schema_for(&profile, Some(4));
    assert_eq!(it["properties"]["status"]["enum"], json!([2, 3, 4, 5, 6]));
    assert_eq!(
        it,
        create.input_schema_for(&profile, None),
        "the account-wide answer has only global fields"
    );
}

#[test]
fn unknown_field_types_and_odd_choices_are_tolerated() {
    let body = json!({"ticket_fields": [
        {"name": "hologram", "label": "Hologram", "field_type": "custom_hologram", "default_field": false,
         "required_for_agents": true, "choices": "not a list", "brand_new_member": {"x": 1}},
        {"name": "status", "field_type": "default_status", "default_field": true, "choices": [{"value": "no id"}]}
    ]});
    let profile = AccountProfile::new()
        .with_response(ProfileSource::Tickets, None, &body)
        .unwrap();
    let create = operation("create_a_freshservice_ticket");
    let schema = create.input_schema_for(&profile, None);
    // A status without codes keeps the documented schema.
    assert_eq!(
        schema["properties"]["status"],
        create.input_schema()["properties"]["status"]
    );
    assert_eq!(
        schema["properties"]["custom_fields"]["properties"]["hologram"],
        json!({"description": "Hologram (custom_hologram, not checked here)"})
    );
    route(
        "create_a_freshservice_ticket",
        &profile,
        json!({"subject": "s", "description": "d", "status": 2, "priority": 1, "email": "a@example.com",
               "custom_fields": {"hologram": [1, {"any": "value"}]}}),
    )
    .unwrap();
}
