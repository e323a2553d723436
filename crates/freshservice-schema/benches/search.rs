//! Cost of one tool search over the whole catalogue: analysing the request (words, stems, vocabulary
//! phrases) and scoring every operation that shares a word with it, for twelve requests written the way
//! people describe service-desk work. The index is built once, outside the timing.
//!
//! `cargo bench -p freshservice-schema --bench search`; `cargo xtask bench` runs it and reports the median.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use freshservice_schema::{ToolSearch, catalog, tool_search};

/// Representative requests: short and long, reads and writes, synonyms, phrases, ids.
const REQUESTS: [&str; 12] = [
    "list the workspaces on this account",
    "search the knowledge base for password reset",
    "who approved the emergency change",
    "raise a new incident for the broken printer",
    "show me ticket 4521",
    "who is on call right now",
    "add the rollback plan to change 301",
    "erase all personal data of a requester under GDPR",
    "how many software licences do we own",
    "post an outage notice on the status page about the email outage affecting the London office",
    "take requester 55 out of requester group 4",
    "uninstall Zoom from devices 11 and 12 in the inventory",
];

fn search(c: &mut Criterion) {
    let search = tool_search();
    for request in REQUESTS {
        // A request that stopped finding anything would measure the empty path instead.
        assert!(
            !search.search(request, |_| true, 10).is_empty(),
            "{request:?} finds nothing"
        );
    }
    let mut group = c.benchmark_group("tool_search");
    // Each iteration runs the next request of the twelve, so the median is that of one request of the mix.
    let mut next = 0;
    group.bench_function("per_request", |b| {
        b.iter(|| {
            let request = REQUESTS[next % REQUESTS.len()];
            next += 1;
            black_box(search.search(black_box(request), |_| true, 10))
        })
    });
    // The index build, which `tool_search()` does once per process.
    group.bench_function("build_index", |b| {
        b.iter(|| black_box(ToolSearch::new(black_box(catalog()))))
    });
    group.finish();
}

criterion_group!(benches, search);
criterion_main!(benches);
