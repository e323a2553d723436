//! What every `/mcp/<token>` request of `serve` pays to find its server: the URL-token lookup
//! from the directory cache (split, salted SHA-256, constant-time compare, expiry check, service
//! handle), with and without an API token, and the hash check alone.
//!
//! `cargo bench -p freshservice-mcp-server --bench token_lookup`; `cargo xtask bench` runs it and
//! reports the medians.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use freshservice_mcp_server::TokenLookup;

fn token_lookup(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut group = c.benchmark_group("token");
    for (name, require_api_token) in [("resolve", false), ("resolve_with_api_token", true)] {
        let lookup = runtime
            .block_on(TokenLookup::new(require_api_token))
            .unwrap();
        group.bench_function(name, |b| {
            b.to_async(&runtime).iter(|| async {
                // A refused lookup would measure the error path instead.
                assert!(black_box(&lookup).resolve().await);
            });
        });
        if !require_api_token {
            group.bench_function("verify_secret", |b| {
                b.iter(|| black_box(&lookup).verify_secret());
            });
        }
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2));
    targets = token_lookup
}
criterion_main!(benches);
