//! Bytes as a tool call: the first two bytes pick a catalogue operation, the rest are its JSON
//! arguments, validated and routed the way the server's registry does it.
#![no_main]

use std::sync::LazyLock;

use arg_router::Operation;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

/// Every catalogue operation compiled once, as `freshservice-mcp`'s registry compiles them.
static ROUTERS: LazyLock<Vec<Operation>> = LazyLock::new(|| {
    freshservice_schema::catalog()
        .operations()
        .iter()
        .map(|operation| {
            operation
                .router()
                .unwrap_or_else(|error| panic!("{} does not compile: {error}", operation.name))
        })
        .collect()
});

fuzz_target!(|data: &[u8]| {
    let [high, low, rest @ ..] = data else {
        return;
    };
    let routers = &*ROUTERS;
    let router = &routers[usize::from(u16::from_be_bytes([*high, *low])) % routers.len()];
    let Ok(arguments) = serde_json::from_slice::<Value>(rest) else {
        return;
    };
    let routed = router.route(&arguments);
    assert_eq!(
        router.validate(&arguments).is_ok(),
        routed.is_ok(),
        "validate and route disagree"
    );
    match routed {
        Ok(request) => {
            assert_eq!(&request.method, router.method());
            let target = request.path_and_query();
            assert!(target.starts_with('/'), "{target}");
            // No argument may add a dot segment that a proxy would resolve to another endpoint.
            assert!(
                request
                    .path
                    .split('/')
                    .all(|segment| segment != "." && segment != ".."),
                "dot segment in {target}"
            );
            // Whatever the arguments held, the target must be a valid request URI.
            assert!(
                target.parse::<http::Uri>().is_ok(),
                "not a valid request target: {target}"
            );
        }
        Err(error) => assert!(!error.problems().is_empty(), "an error without problems"),
    }
});
