//! UTF-8 text as a Freshservice filter query, then the field check of every filter endpoint.
#![no_main]

use freshservice_schema::{filter_endpoints, parse_query};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let Ok(query) = parse_query(text) else {
        return;
    };
    for endpoint in filter_endpoints() {
        let _ = endpoint.check(&query);
    }
});
