//! In-process cost of turning a `tools/call`'s arguments into a Freshservice request: JSON Schema
//! validation and routing (`arg_router::Operation::route`), for a typical read and a create with a
//! nested body. The operations are built from the catalogue the way the service builds its tools.
//!
//! `cargo bench -p freshservice-mcp --bench routing`; `cargo xtask bench` runs it and reports the medians.

use std::hint::black_box;

use arg_router::Operation;
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};

/// The router of one catalogue operation, with the same parameter mapping as the service's registry.
fn router(name: &str) -> Operation {
    freshservice_schema::catalog()
        .get(name)
        .unwrap_or_else(|| panic!("{name} is in the catalogue"))
        .router()
        .unwrap_or_else(|error| panic!("{name} builds a router: {error}"))
}

fn create_change_arguments() -> Value {
    json!({
        "requester_id": 7,
        "subject": "Upgrade the core switch firmware",
        "description": "<p>Firmware 9.3 fixes the spanning-tree fault seen last week.</p>",
        "status": 1,
        "priority": 2,
        "impact": 2,
        "risk": 2,
        "change_type": 2,
        "group_id": 3,
        "planned_start_date": "2026-12-01T22:00:00Z",
        "planned_end_date": "2026-12-01T23:30:00Z",
        "category": "Hardware",
        "maintenance_window": {"id": 4},
        "planning_fields": {
            "reason_for_change": {"description": "<p>Known firmware fault</p>"},
            "change_impact": {"description": "<p>Ten minutes without the core network</p>"},
            "rollout_plan": {"description": "<p>Stage on the standby switch first</p>"},
            "backout_plan": {"description": "<p>Boot the previous image</p>"}
        }
    })
}

fn routing(c: &mut Criterion) {
    let cases = [
        (
            "get_single_freshservice_change_by_id",
            json!({"change_id": 1}),
        ),
        ("create_a_freshservice_change", create_change_arguments()),
    ];
    let mut group = c.benchmark_group("route");
    for (name, arguments) in cases {
        let operation = router(name);
        // A case that stopped validating would measure the error path instead.
        if let Err(error) = operation.route(&arguments) {
            panic!("{name}: the bench arguments must route: {error}");
        }
        group.bench_function(name, |b| {
            b.iter(|| operation.route(black_box(&arguments)));
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2));
    targets = routing
}
criterion_main!(benches);
