//! The service rules: auth, headers, pagination, rate limits, credits, workspaces and validation.

use freshservice_sandbox::Collection;
use std::time::Duration;

use freshservice_sandbox::{Sandbox, Seed, WorkspaceMode};
use serde_json::json;

use crate::support::{Answer, Api, fixed_now, ids};

#[tokio::test]
async fn basic_auth_with_the_configured_key() {
    let sandbox = Sandbox::builder().api_key("s3cret").start().await;
    let check = |answer: Answer, expected: u16| {
        assert_eq!(answer.status, expected, "{}", answer.body);
        if expected == 401 {
            assert_eq!(answer.body["code"], "invalid_credentials");
            assert!(
                answer.body["message"]
                    .as_str()
                    .is_some_and(|message| !message.is_empty())
            );
        }
    };
    check(
        Api::with_key(&sandbox, Some("s3cret"))
            .get("/api/v2/tickets")
            .await,
        200,
    );
    check(
        Api::with_key(&sandbox, Some("sandbox"))
            .get("/api/v2/tickets")
            .await,
        401,
    );
    check(
        Api::with_key(&sandbox, None).get("/api/v2/tickets").await,
        401,
    );
    let default = Sandbox::start().await;
    check(
        Api::with_key(&default, Some("sandbox"))
            .get("/api/v2/agents")
            .await,
        200,
    );
}

#[tokio::test]
async fn every_answer_names_the_api_version_and_errors_have_bodies() {
    let sandbox = Sandbox::start().await;
    let api = Api::new(&sandbox);
    for (method, path, status, code) in [
        (reqwest::Method::GET, "/api/v2/tickets/1", 200, None),
        (
            reqwest::Method::GET,
            "/api/v2/tickets/9999",
            404,
            Some("not_found"),
        ),
        (
            reqwest::Method::GET,
            "/api/v2/no_such_thing",
            404,
            Some("not_found"),
        ),
        (reqwest::Method::GET, "/not/the/api", 404, Some("not_found")),
        (
            reqwest::Method::PUT,
            "/api/v2/tickets",
            405,
            Some("method_not_allowed"),
        ),
    ] {
        let answer = api.send(method.clone(), path, None).await;
        assert_eq!(answer.status, status, "{method} {path}: {}", answer.body);
        assert_eq!(
            answer.header("X-Freshservice-Api-Version"),
            Some("latest=v2; requested=v2")
        );
        assert_eq!(
            answer.body.get("code").and_then(|code| code.as_str()),
            code,
            "{path}"
        );
        assert!(
            answer
                .header("content-type")
                .unwrap_or_default()
                .starts_with("application/json")
        );
    }
    let bad_json = reqwest::Client::new()
        .post(format!("{}/api/v2/tickets", sandbox.uri()))
        .basic_auth("sandbox", Some("X"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(bad_json.status(), 400);
    let body: serde_json::Value = bad_json.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], "invalid_json");
}

#[tokio::test]
async fn pagination_pages_links_and_limits() {
    let sandbox = Sandbox::builder()
        .seed(Seed::Empty)
        .now(fixed_now())
        .start()
        .await;
    for index in 0..65 {
        sandbox
            .insert(Collection::Requesters, json!({"first_name": format!("Person {index}"), "primary_email": format!("p{index}@example.com")}))
            .unwrap();
    }
    let api = Api::new(&sandbox);
    let first = api.get("/api/v2/requesters").await;
    assert_eq!(first.body["requesters"].as_array().map(Vec::len), Some(30));
    let link = first.header("link").unwrap().to_owned();
    assert_eq!(
        link,
        format!("<{}/api/v2/requesters?page=2>; rel=\"next\"", sandbox.uri())
    );
    let next = link
        .trim_start_matches('<')
        .split('>')
        .next()
        .unwrap()
        .trim_start_matches(&sandbox.uri())
        .to_owned();
    let second = api.get(&next).await;
    assert_eq!(second.body["requesters"].as_array().map(Vec::len), Some(30));
    let third = api.get("/api/v2/requesters?page=3").await;
    assert_eq!(third.body["requesters"].as_array().map(Vec::len), Some(5));
    assert!(third.header("link").is_none(), "no Link on the last page");
    let all: Vec<i64> = [first, second, third]
        .iter()
        .flat_map(|page| ids(&page.body["requesters"], "id"))
        .collect();
    let mut unique = all.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!((all.len(), unique.len()), (65, 65));

    let big = api
        .get("/api/v2/requesters?per_page=100&order_type=asc")
        .await;
    assert_eq!(big.body["requesters"].as_array().map(Vec::len), Some(65));
    assert!(big.header("link").is_none());
    let kept = api
        .get("/api/v2/requesters?per_page=10&email=p1%40example.com")
        .await;
    assert_eq!(kept.body["requesters"].as_array().map(Vec::len), Some(1));
    let link = api
        .get("/api/v2/requesters?per_page=10&order_type=asc")
        .await
        .header("link")
        .unwrap()
        .to_owned();
    assert!(link.contains("per_page=10&order_type=asc&page=2"), "{link}");

    for (query, field, code) in [
        ("per_page=101", "per_page", "invalid_value"),
        ("per_page=0", "per_page", "invalid_value"),
        ("per_page=ten", "per_page", "datatype_mismatch"),
        ("page=0", "page", "invalid_value"),
        ("page=1.5", "page", "datatype_mismatch"),
    ] {
        let answer = api.get(&format!("/api/v2/tickets?{query}")).await;
        assert_eq!(answer.status, 400, "{query}");
        assert_eq!(answer.body["description"], "Validation failed");
        assert_eq!(
            answer.errors(),
            vec![(field.to_owned(), code.to_owned())],
            "{query}"
        );
    }
}

#[tokio::test]
async fn filter_endpoints_stop_at_their_page_limits() {
    let sandbox = Sandbox::start().await;
    let api = Api::new(&sandbox);
    for path in [
        "/api/v2/requesters?query=",
        "/api/v2/agents?query=",
        "/api/v2/assets?filter=",
    ] {
        let query = crate::support::quoted("created_at:>'2000-01-01'");
        let last = api.get(&format!("{path}{query}&page=40")).await;
        assert_eq!(last.status, 200, "{path}: {}", last.body);
        let beyond = api.get(&format!("{path}{query}&page=41")).await;
        assert_eq!(beyond.status, 400, "{path}");
        assert_eq!(
            beyond.errors(),
            vec![("page".to_owned(), "invalid_value".to_owned())]
        );
    }
    let tickets = api
        .get(&format!(
            "/api/v2/tickets/filter?query={}&page=41",
            crate::support::quoted("priority:1")
        ))
        .await;
    assert_eq!(
        tickets.status, 200,
        "tickets filter has no documented page limit"
    );
}

#[tokio::test]
async fn ticket_list_defaults_to_the_last_thirty_days() {
    let sandbox = Sandbox::builder().now(fixed_now()).start().await;
    let api = Api::new(&sandbox);
    let recent = ids(&api.get("/api/v2/tickets").await.body["tickets"], "id");
    assert!(!recent.contains(&9), "ticket 9 was created 45 days ago");
    assert!(recent.contains(&1) && recent.contains(&13));
    assert_eq!(recent.first(), Some(&1), "newest first");
    let since = ids(
        &api.get("/api/v2/tickets?updated_since=2025-01-01T00:00:00Z&per_page=100")
            .await
            .body["tickets"],
        "id",
    );
    assert!(since.contains(&9));
    let ascending = ids(
        &api.get("/api/v2/tickets?order_type=asc").await.body["tickets"],
        "id",
    );
    assert_eq!(ascending.last(), Some(&1));
    assert_eq!(
        api.get("/api/v2/tickets?updated_since=yesterday")
            .await
            .status,
        400
    );
    sandbox.set_now(fixed_now() + Duration::from_secs(40 * 86_400));
    assert!(ids(&api.get("/api/v2/tickets").await.body["tickets"], "id").is_empty());
    let service_requests = ids(
        &api.get("/api/v2/tickets?type=Service%20Request&updated_since=2025-01-01T00:00:00Z")
            .await
            .body["tickets"],
        "id",
    );
    assert_eq!(service_requests, vec![7, 13, 9]);
}

#[tokio::test]
async fn rate_limit_headers_credits_and_429() {
    let sandbox = Sandbox::builder().rate_limit_per_minute(10).start().await;
    let api = Api::new(&sandbox);
    let check = |answer: &Answer, status: u16, remaining: u64, used: u64| {
        assert_eq!(answer.status, status, "{}", answer.body);
        assert_eq!(answer.header_number("X-RateLimit-Total"), Some(10));
        assert_eq!(
            answer.header_number("X-RateLimit-Remaining"),
            Some(remaining)
        );
        assert_eq!(
            answer.header_number("X-RateLimit-Used-CurrentRequest"),
            Some(used)
        );
    };
    check(&api.get("/api/v2/tickets/1").await, 200, 9, 1);
    check(
        &api.get("/api/v2/tickets/1?include=requester,stats").await,
        200,
        6,
        3,
    );
    check(
        &api.get("/api/v2/tickets?include=requester").await,
        200,
        3,
        3,
    );
    check(&api.get("/api/v2/tickets/9999").await, 404, 2, 1);
    let refused = api.get("/api/v2/tickets?include=stats").await;
    check(&refused, 429, 2, 0);
    let retry = refused.header_number("Retry-After").unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    check(&api.get("/api/v2/agents").await, 200, 1, 1);
    check(&api.get("/api/v2/agents").await, 200, 0, 1);
    check(&api.get("/api/v2/agents").await, 429, 0, 0);
    assert_eq!(
        Api::with_key(&sandbox, Some("wrong"))
            .get("/api/v2/agents")
            .await
            .status,
        401
    );
    sandbox.reset_rate_limit();
    check(&api.get("/api/v2/agents").await, 200, 9, 1);
}

#[tokio::test]
async fn embeds_add_their_data() {
    let sandbox = Sandbox::start().await;
    let api = Api::new(&sandbox);
    let ticket = api
        .get("/api/v2/tickets/1?include=requester,stats,assets")
        .await;
    let ticket = &ticket.body["ticket"];
    assert_eq!(ticket["requester"]["email"], "dana.white@example.com");
    assert_eq!(ticket["requester"]["name"], "Dana White");
    assert!(ticket["stats"].get("resolved_at").is_some());
    assert_eq!(ticket["assets"][0]["name"], "db-prod-01");
    let plain = api.get("/api/v2/tickets/1").await;
    assert!(plain.body["ticket"].get("requester").is_none());
    let bad = api.get("/api/v2/changes/1?include=everything").await;
    assert_eq!(
        bad.errors(),
        vec![("include".to_owned(), "invalid_value".to_owned())]
    );
}

#[tokio::test]
async fn workspace_rules() {
    let sandbox = Sandbox::builder()
        .workspaces(WorkspaceMode::MultiWorkspace)
        .start()
        .await;
    let api = Api::new(&sandbox);
    let primary = ids(&api.get("/api/v2/tickets").await.body["tickets"], "id");
    assert!(!primary.contains(&11), "ticket 11 is in HR");
    let hr = ids(
        &api.get("/api/v2/tickets?workspace_id=3").await.body["tickets"],
        "id",
    );
    assert_eq!(hr, vec![11]);
    let everywhere = ids(
        &api.get("/api/v2/tickets?workspace_id=0").await.body["tickets"],
        "id",
    );
    assert!(everywhere.contains(&11) && everywhere.contains(&1));
    let groups = ids(&api.get("/api/v2/groups").await.body["groups"], "id");
    assert!(!groups.contains(&6));
    assert_eq!(
        api.get("/api/v2/tickets?workspace_id=1").await.errors(),
        vec![("workspace_id".to_owned(), "invalid_value".to_owned())]
    );
    assert_eq!(
        api.get("/api/v2/tickets?workspace_id=77").await.errors(),
        vec![("workspace_id".to_owned(), "invalid_value".to_owned())]
    );

    for collection in ["changes", "problems", "releases"] {
        let listed = api
            .get(&format!("/api/v2/{collection}?workspace_id=3"))
            .await;
        assert_eq!(listed.status, 400, "{collection} in HR");
        assert_eq!(
            listed.errors(),
            vec![("workspace_id".to_owned(), "invalid_value".to_owned())]
        );
    }
    let change = json!({"subject": "s", "description": "d", "status": 1, "priority": 1, "impact": 1, "risk": 1, "change_type": 1, "workspace_id": 4});
    let refused = api.post("/api/v2/changes", change).await;
    assert_eq!(
        refused.errors(),
        vec![("workspace_id".to_owned(), "invalid_value".to_owned())]
    );
    let ticket = api
        .post("/api/v2/tickets", json!({"subject": "s", "description": "d", "status": 2, "priority": 1, "requester_id": 101, "workspace_id": 4}))
        .await;
    assert_eq!(
        (
            ticket.status,
            ticket.body["ticket"]["workspace_id"].as_i64()
        ),
        (201, Some(4))
    );
    let default = api.post("/api/v2/tickets", json!({"subject": "s", "description": "d", "status": 2, "priority": 1, "requester_id": 101})).await;
    assert_eq!(default.body["ticket"]["workspace_id"], 2);
    let moved = api
        .put("/api/v2/tickets/1", json!({"workspace_id": 3}))
        .await;
    assert_eq!(
        moved.errors(),
        vec![("workspace_id".to_owned(), "invalid_field".to_owned())]
    );

    for collection in ["locations", "departments"] {
        let global = api
            .post(
                &format!("/api/v2/{collection}"),
                json!({"name": "Anywhere", "workspace_id": 1}),
            )
            .await;
        assert_eq!(global.status, 400, "{collection}");
        assert_eq!(
            global.errors(),
            vec![("workspace_id".to_owned(), "invalid_value".to_owned())],
            "{collection}"
        );
    }
    let workspaces = api.get("/api/v2/workspaces").await;
    assert_eq!(ids(&workspaces.body["workspaces"], "id"), vec![2, 3, 4]);
    assert_eq!(
        api.post("/api/v2/workspaces", json!({"name": "Legal"}))
            .await
            .status,
        403
    );
}

#[tokio::test]
async fn msp_clients_scope_departments_and_locations() {
    let sandbox = Sandbox::builder()
        .workspaces(WorkspaceMode::Msp)
        .start()
        .await;
    let api = Api::new(&sandbox);
    let created = api
        .post(
            "/api/v2/departments",
            json!({"name": "Acme Finance", "workspace_id": 4}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["department"]["id"].as_i64().unwrap();
    assert!(
        !ids(
            &api.get("/api/v2/departments").await.body["departments"],
            "id"
        )
        .contains(&id)
    );
    assert_eq!(
        ids(
            &api.get("/api/v2/departments?workspace_id=4").await.body["departments"],
            "id"
        ),
        vec![id]
    );
    assert_eq!(
        api.get("/api/v2/departments?workspace_id=1").await.status,
        400
    );
    assert_eq!(
        api.get("/api/v2/locations?workspace_id=0").await.status,
        400
    );
    let changes_for_client = api.get("/api/v2/changes?workspace_id=4").await;
    assert_eq!(
        changes_for_client.status, 200,
        "MSP clients are IT workspaces"
    );
    let client = api
        .post("/api/v2/workspaces", json!({"name": "Initech"}))
        .await;
    assert_eq!(client.status, 201, "{}", client.body);
    assert_eq!(api.delete("/api/v2/workspaces/3").await.status, 400);
    assert_eq!(
        api.put("/api/v2/workspaces/2", json!({"name": "x"}))
            .await
            .status,
        400
    );
    let initech = client.body["workspace"]["id"].as_i64().unwrap();
    assert_eq!(
        api.delete(&format!("/api/v2/workspaces/{initech}"))
            .await
            .status,
        204
    );
}

#[tokio::test]
async fn validation_errors_follow_the_catalogue() {
    let sandbox = Sandbox::start().await;
    let api = Api::new(&sandbox);
    let check = |answer: Answer, expected: &[(&str, &str)]| {
        assert_eq!(answer.status, 400, "{}", answer.body);
        assert_eq!(answer.body["description"], "Validation failed");
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(f, c)| ((*f).to_owned(), (*c).to_owned()))
            .collect();
        assert_eq!(answer.errors(), expected, "{}", answer.body);
        for error in answer.body["errors"].as_array().unwrap() {
            assert!(
                error["message"]
                    .as_str()
                    .is_some_and(|message| !message.is_empty())
            );
        }
    };
    check(
        api.post(
            "/api/v2/tickets",
            json!({"description": "d", "status": 2, "requester_id": 101}),
        )
        .await,
        &[("subject", "missing_field"), ("priority", "missing_field")],
    );
    check(
        api.post("/api/v2/tickets", json!({"subject": 5, "description": "d", "status": 9, "priority": 1, "requester_id": 101})).await,
        &[("subject", "datatype_mismatch"), ("status", "invalid_value")],
    );
    check(
        api.post("/api/v2/tickets", json!({"subject": "s", "description": "d", "status": 2, "priority": 1, "requester_id": 101, "colour": "red"})).await,
        &[("colour", "invalid_field")],
    );
    check(
        api.post("/api/v2/tickets", json!({"subject": "s", "description": "d", "status": 2, "priority": 1, "requester_id": 4242})).await,
        &[("requester_id", "invalid_value")],
    );
    check(
        api.put(
            "/api/v2/changes/1",
            json!({"assets": [{"display_id": 999}], "planned_start_date": "tonight"}),
        )
        .await,
        &[
            ("planned_start_date", "invalid_value"),
            ("assets[0].display_id", "invalid_value"),
        ],
    );
    check(
        api.post("/api/v2/pm/projects/1/tasks", json!({"title": "t"}))
            .await,
        &[("type_id", "missing_field")],
    );
    check(
        api.get("/api/v2/changes?order_type=sideways").await,
        &[("order_type", "invalid_value")],
    );
    let created = api
        .post("/api/v2/tickets", json!({"subject": "s", "description": "d", "status": 2, "priority": 1, "requester_id": 101, "group_id": null}))
        .await;
    assert_eq!(
        created.status, 201,
        "null is accepted for optional fields: {}",
        created.body
    );
    assert_eq!(
        api.post("/api/v2/tickets/999/tasks", json!({"title": "t"}))
            .await
            .status,
        404
    );
}
