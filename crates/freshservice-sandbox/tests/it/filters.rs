//! The filter query language, evaluated for real, checked by examples and against a reference evaluator.

use freshservice_sandbox::Collection;
use std::collections::BTreeSet;

use freshservice_sandbox::{Sandbox, Seed};
use serde_json::{Value, json};

use crate::support::{Api, encode, fixed_now, ids, quoted};

#[tokio::test]
async fn query_errors() {
    let sandbox = Sandbox::start().await;
    let api = Api::new(&sandbox);
    let unquoted = api
        .get(&format!(
            "/api/v2/tickets/filter?query={}",
            encode("priority:3")
        ))
        .await;
    assert_eq!(
        unquoted.status, 500,
        "an unquoted query is a server error, as in Freshservice"
    );
    let half = api
        .get(&format!(
            "/api/v2/tickets/filter?query={}",
            encode("\"priority:3")
        ))
        .await;
    assert_eq!(half.status, 500);
    for (query, field) in [
        ("priority:", "query"),
        ("priority:3 AND", "query"),
        ("(priority:3", "query"),
        ("colour:'red'", "query"),
        ("priority:>'high'", "query"),
    ] {
        let answer = api
            .get(&format!("/api/v2/tickets/filter?query={}", quoted(query)))
            .await;
        assert_eq!(answer.status, 400, "{query}: {}", answer.body);
        assert_eq!(answer.body["description"], "Validation failed");
        assert_eq!(
            answer.errors(),
            vec![(field.to_owned(), "invalid_value".to_owned())],
            "{query}"
        );
        assert!(
            answer.body["errors"][0]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
    }
    let assets = api
        .get(&format!("/api/v2/assets?filter={}", quoted("name:")))
        .await;
    assert_eq!(
        assets.errors(),
        vec![("filter".to_owned(), "invalid_value".to_owned())]
    );
    let missing = api.get("/api/v2/tickets/filter").await;
    assert_eq!(
        missing.errors(),
        vec![("query".to_owned(), "missing_field".to_owned())]
    );

    let padding = "priority:1 OR ";
    let mut long = padding.repeat((512 - 10) / padding.len());
    long.push_str("priority:1");
    while long.chars().count() < 512 {
        long.insert(0, ' ');
    }
    assert_eq!(long.chars().count(), 512);
    assert_eq!(
        api.get(&format!("/api/v2/tickets/filter?query={}", quoted(&long)))
            .await
            .status,
        200
    );
    let too_long = format!(" {long}");
    assert_eq!(
        api.get(&format!(
            "/api/v2/tickets/filter?query={}",
            quoted(&too_long)
        ))
        .await
        .status,
        400
    );
    let with_view = api
        .get(&format!(
            "/api/v2/changes?view=my_open&query={}",
            quoted("status:1")
        ))
        .await;
    assert_eq!(with_view.status, 400);
}

#[tokio::test]
async fn every_filter_endpoint_answers_with_total() {
    let sandbox = Sandbox::builder().now(fixed_now()).start().await;
    let api = Api::new(&sandbox);
    let check = |path: &str, plural: &str, key: &str, expected: &[i64]| {
        let path = path.to_owned();
        let plural = plural.to_owned();
        let key = key.to_owned();
        let expected = expected.to_vec();
        let api = &api;
        async move {
            let answer = api.get(&path).await;
            assert_eq!(answer.status, 200, "{path}: {}", answer.body);
            let mut got = ids(&answer.body[&plural], &key);
            got.sort_unstable();
            assert_eq!(got, expected, "{path}");
            assert_eq!(answer.body["total"], expected.len(), "{path}");
        }
    };
    let q = quoted;
    check(
        &format!(
            "/api/v2/tickets/filter?query={}",
            q("priority:4 AND status:2")
        ),
        "tickets",
        "id",
        &[1],
    )
    .await;
    check(
        &format!(
            "/api/v2/tickets/filter?query={}",
            q("tag:'VPN' OR agent_id:null")
        ),
        "tickets",
        "id",
        &[3, 6],
    )
    .await;
    check(
        &format!(
            "/api/v2/tickets/filter?query={}",
            q("email:'dana.white@example.com'")
        ),
        "tickets",
        "id",
        &[1],
    )
    .await;
    check(
        &format!(
            "/api/v2/tickets/filter?query={}",
            q("created_at:>'2025-03-09' AND created_at:<'2025-03-09'")
        ),
        "tickets",
        "id",
        &[2, 10],
    )
    .await;
    check(
        &format!("/api/v2/tickets/filter?query={}", q("due_by:<'2025-03-01'")),
        "tickets",
        "id",
        &[9],
    )
    .await;
    check(
        &format!("/api/v2/changes?query={}", q("change_type:4 AND status!:6")),
        "changes",
        "id",
        &[1],
    )
    .await;
    check(
        &format!(
            "/api/v2/changes?query={}",
            q("planned_start_date:'2025-03-10'")
        ),
        "changes",
        "id",
        &[1],
    )
    .await;
    check(
        &format!(
            "/api/v2/assets?filter={}",
            q("asset_type_id:2 AND asset_state:'in use'")
        ),
        "assets",
        "display_id",
        &[101, 102, 103],
    )
    .await;
    check(
        &format!("/api/v2/assets?filter={}", q("asset_state:'In Stock'")),
        "assets",
        "display_id",
        &[107],
    )
    .await;
    check(
        &format!("/api/v2/requesters?query={}", q("department_id:2")),
        "requesters",
        "id",
        &[101, 105],
    )
    .await;
    check(
        &format!(
            "/api/v2/requesters?query={}",
            q("~[first_name|last_name]:'ber'")
        ),
        "requesters",
        "id",
        &[105],
    )
    .await;
    check(
        &format!("/api/v2/requesters?query={}", q("cost_centre:'FIN-100'")),
        "requesters",
        "id",
        &[101, 105],
    )
    .await;
    check(
        &format!(
            "/api/v2/agents?query={}",
            q("name:'sam lee' OR email:'priya.shah@example.com'")
        ),
        "agents",
        "id",
        &[2, 3],
    )
    .await;
    check(
        &format!("/api/v2/departments?query={}", q("name:'finance'")),
        "departments",
        "id",
        &[2],
    )
    .await;
    check(
        &format!("/api/v2/locations?query={}", q("~[name]:'new'")),
        "locations",
        "id",
        &[3],
    )
    .await;
    check(
        &format!("/api/v2/workspaces?query={}", q("name:'IT'")),
        "workspaces",
        "id",
        &[2],
    )
    .await;
    check(
        &format!(
            "/api/v2/pm/projects/1/tasks/filter?query={}",
            q("status_id:2 OR assignee_id:6")
        ),
        "tasks",
        "id",
        &[1, 2],
    )
    .await;
    let other_project = api
        .get(&format!(
            "/api/v2/pm/projects/9/tasks/filter?query={}",
            q("status_id:2")
        ))
        .await;
    assert_eq!(other_project.status, 404);
    let requesters = api
        .get(&format!(
            "/api/v2/requesters?query={}",
            q("created_at:>'2000-01-01'")
        ))
        .await;
    assert_eq!(
        ids(&requesters.body["requesters"], "id"),
        vec![105, 104, 103, 102, 101],
        "newest first"
    );
}

#[tokio::test]
async fn filter_results_page_with_links() {
    let sandbox = Sandbox::builder().seed(Seed::Empty).start().await;
    for index in 0..35 {
        sandbox
            .insert(
                Collection::Tickets,
                json!({"subject": format!("t{index}"), "priority": 3, "status": 2}),
            )
            .unwrap();
    }
    let api = Api::new(&sandbox);
    let first = api
        .get(&format!(
            "/api/v2/tickets/filter?query={}",
            quoted("priority:3")
        ))
        .await;
    assert_eq!(
        (
            first.body["total"].as_u64(),
            first.body["tickets"].as_array().map(Vec::len)
        ),
        (Some(35), Some(30))
    );
    let link = first.header("link").unwrap();
    assert!(link.ends_with("&page=2>; rel=\"next\""), "{link}");
    assert!(link.contains("query=%22priority%3A3%22"), "{link}");
    let second = api
        .get(&format!(
            "/api/v2/tickets/filter?query={}&page=2",
            quoted("priority:3")
        ))
        .await;
    assert_eq!(second.body["tickets"].as_array().map(Vec::len), Some(5));
    assert!(second.header("link").is_none());
}

// ---------------------------------------------------------------------------------------------------------------
// Property test: generated records and queries, compared with a reference evaluator written from the rules.

/// xorshift64*, so the test needs no dependency and always generates the same cases.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const TAGS: &[&str] = &["vpn", "Email", "database", "printer"];
const TEAMS: &[&str] = &["Network", "network ops", "Desk", "Data"];
const DATES: &[&str] = &[
    "2025-02-27",
    "2025-03-01",
    "2025-03-03",
    "2025-03-05",
    "2025-03-08",
];

#[derive(Debug, Clone)]
enum Lit {
    Null,
    Bool(bool),
    Number(i64),
    Text(String),
}

#[derive(Debug, Clone)]
enum Op {
    Eq,
    Ne,
    Ge,
    Le,
}

#[derive(Debug, Clone)]
enum Expr {
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Cond(&'static str, Op, Lit),
    Prefix(Vec<&'static str>, String),
}

fn render(expr: &Expr) -> String {
    let group = |parts: &[Expr], joiner: &str| {
        parts
            .iter()
            .map(|part| match part {
                Expr::And(_) | Expr::Or(_) => format!("({})", render(part)),
                _ => render(part),
            })
            .collect::<Vec<_>>()
            .join(joiner)
    };
    match expr {
        Expr::And(parts) => group(parts, " AND "),
        Expr::Or(parts) => group(parts, " OR "),
        Expr::Cond(field, op, lit) => {
            let op = match op {
                Op::Eq => ":",
                Op::Ne => "!:",
                Op::Ge => ":>",
                Op::Le => ":<",
            };
            let lit = match lit {
                Lit::Null => "null".to_owned(),
                Lit::Bool(value) => value.to_string(),
                Lit::Number(value) => value.to_string(),
                Lit::Text(text) => format!("'{text}'"),
            };
            format!("{field}{op}{lit}")
        }
        Expr::Prefix(fields, prefix) => format!("~[{}]:'{prefix}'", fields.join("|")),
    }
}

fn generate_record(rng: &mut Rng) -> Value {
    let mut custom = serde_json::Map::new();
    if rng.chance(70) {
        custom.insert("cf_score".into(), json!(rng.below(10)));
    }
    if rng.chance(70) {
        custom.insert("cf_flag".into(), json!(rng.chance(50)));
    }
    if rng.chance(70) {
        custom.insert("cf_team".into(), json!(rng.pick(TEAMS)));
    }
    let tags: Vec<&str> = (0..rng.below(3)).map(|_| *rng.pick(TAGS)).collect();
    let day = rng.pick(DATES);
    let created = format!("{day}T{:02}:{:02}:00Z", rng.below(24), rng.below(60));
    let nullable = |rng: &mut Rng, range: u64| {
        if rng.chance(30) {
            Value::Null
        } else {
            json!(rng.below(range) + 1)
        }
    };
    json!({
        "subject": "generated",
        "priority": rng.below(4) + 1,
        "status": rng.below(4) + 2,
        "group_id": nullable(rng, 3),
        "responder_id": nullable(rng, 3),
        "tags": tags,
        "created_at": created,
        "updated_at": created,
        "custom_fields": custom,
    })
}

fn generate_condition(rng: &mut Rng) -> Expr {
    let numeric = |rng: &mut Rng, field: &'static str, range: i64| {
        let op = rng.pick(&[Op::Eq, Op::Ne, Op::Ge, Op::Le]).clone();
        let lit = if matches!(op, Op::Eq | Op::Ne) && rng.chance(20) {
            Lit::Null
        } else {
            Lit::Number(rng.below(range as u64) as i64)
        };
        Expr::Cond(field, op, lit)
    };
    let text_case = |rng: &mut Rng, text: &str| {
        if rng.chance(50) {
            text.to_uppercase()
        } else {
            text.to_owned()
        }
    };
    match rng.below(10) {
        0 => numeric(rng, "priority", 6),
        1 => numeric(rng, "status", 7),
        2 => numeric(rng, "group_id", 5),
        3 => numeric(rng, "agent_id", 5),
        4 => numeric(rng, "cf_score", 11),
        5 => {
            let op = rng.pick(&[Op::Eq, Op::Ne]).clone();
            let tag = rng.clone_pick(TAGS);
            let lit = if rng.chance(20) {
                Lit::Null
            } else {
                Lit::Text(text_case(rng, &tag))
            };
            Expr::Cond("tag", op, lit)
        }
        6 => {
            let op = rng.pick(&[Op::Eq, Op::Ge, Op::Le]).clone();
            Expr::Cond("created_at", op, Lit::Text((*rng.pick(DATES)).to_owned()))
        }
        7 => Expr::Cond(
            "cf_flag",
            rng.pick(&[Op::Eq, Op::Ne]).clone(),
            Lit::Bool(rng.chance(50)),
        ),
        8 => {
            let op = rng.pick(&[Op::Eq, Op::Ne]).clone();
            let team = rng.clone_pick(TEAMS);
            let lit = if rng.chance(20) {
                Lit::Null
            } else {
                Lit::Text(text_case(rng, &team))
            };
            Expr::Cond("cf_team", op, lit)
        }
        _ => {
            let prefix = rng.clone_pick(&["net", "NE", "d", "data", "x"]);
            Expr::Prefix(vec!["cf_team"], prefix)
        }
    }
}

impl Rng {
    fn clone_pick(&mut self, items: &[&str]) -> String {
        (*self.pick(items)).to_owned()
    }
}

fn generate_query(rng: &mut Rng, depth: u32) -> Expr {
    if depth == 0 || rng.chance(40) {
        return generate_condition(rng);
    }
    let parts = (0..rng.below(3) + 2)
        .map(|_| generate_query(rng, depth - 1))
        .collect();
    if rng.chance(50) {
        Expr::And(parts)
    } else {
        Expr::Or(parts)
    }
}

/// The reference: the README's matching rules, written out directly.
fn reference(expr: &Expr, record: &Value) -> bool {
    match expr {
        Expr::And(parts) => parts.iter().all(|part| reference(part, record)),
        Expr::Or(parts) => parts.iter().any(|part| reference(part, record)),
        Expr::Prefix(fields, prefix) => fields.iter().any(|field| {
            field_values(record, field)
                .iter()
                .filter_map(Value::as_str)
                .any(|text| text.to_lowercase().starts_with(&prefix.to_lowercase()))
        }),
        Expr::Cond(field, op, lit) => {
            let values = field_values(record, field);
            let equal = |value: &Value| match lit {
                Lit::Null => false,
                Lit::Bool(wanted) => value.as_bool() == Some(*wanted),
                Lit::Number(wanted) => value.as_i64() == Some(*wanted),
                Lit::Text(wanted) => value.as_str().is_some_and(|text| {
                    text.to_lowercase() == wanted.to_lowercase()
                        || (wanted.len() == 10 && text.get(..10) == Some(wanted.as_str()))
                }),
            };
            let any_equal = match lit {
                Lit::Null => values.is_empty(),
                _ => values.iter().any(equal),
            };
            let order = |value: &Value| match lit {
                Lit::Number(wanted) => value.as_i64().map(|number| number.cmp(wanted)),
                Lit::Text(date) => value
                    .as_str()
                    .and_then(|text| text.get(..10))
                    .map(|day| day.cmp(date.as_str())),
                _ => None,
            };
            match op {
                Op::Eq => any_equal,
                Op::Ne => !any_equal,
                Op::Ge => values
                    .iter()
                    .any(|value| order(value).is_some_and(|o| o.is_ge())),
                Op::Le => values
                    .iter()
                    .any(|value| order(value).is_some_and(|o| o.is_le())),
            }
        }
    }
}

fn field_values(record: &Value, field: &str) -> Vec<Value> {
    let field = match field {
        "agent_id" => "responder_id",
        "tag" => "tags",
        other => other,
    };
    let value = record
        .get(field)
        .or_else(|| record["custom_fields"].get(field))
        .cloned()
        .unwrap_or(Value::Null);
    match value {
        Value::Null => vec![],
        Value::Array(items) => items,
        Value::String(text) if text.is_empty() => vec![],
        other => vec![other],
    }
}

#[tokio::test]
async fn filters_agree_with_a_reference_evaluator() {
    let sandbox = Sandbox::builder()
        .seed(Seed::Empty)
        .now(fixed_now())
        .rate_limit_per_minute(100_000)
        .start()
        .await;
    let mut rng = Rng(0x5EED_CAFE_F00D_0001);
    let mut records = Vec::new();
    for _ in 0..80 {
        records.push(
            sandbox
                .insert(Collection::Tickets, generate_record(&mut rng))
                .unwrap(),
        );
    }
    let api = Api::new(&sandbox);
    let mut non_trivial = 0;
    for case in 0..400 {
        let expr = generate_query(&mut rng, 3);
        let text = render(&expr);
        if text.len() > 512 {
            continue;
        }
        let expected: BTreeSet<i64> = records
            .iter()
            .filter(|record| reference(&expr, record))
            .map(|record| record["id"].as_i64().unwrap())
            .collect();
        let answer = api
            .get(&format!(
                "/api/v2/tickets/filter?query={}&per_page=100",
                quoted(&text)
            ))
            .await;
        assert_eq!(answer.status, 200, "case {case}: {text}: {}", answer.body);
        let got: BTreeSet<i64> = ids(&answer.body["tickets"], "id").into_iter().collect();
        assert_eq!(got, expected, "case {case}: {text}");
        assert_eq!(answer.body["total"], expected.len(), "case {case}: {text}");
        if !expected.is_empty() && expected.len() < records.len() {
            non_trivial += 1;
        }
    }
    assert!(
        non_trivial > 150,
        "only {non_trivial} queries split the records; the generator is too narrow"
    );
}
