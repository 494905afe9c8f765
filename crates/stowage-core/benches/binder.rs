//! The binder benchmark: N claims against N static volumes, from creation to every claim Bound.

#![allow(missing_docs, reason = "criterion's macros generate undocumented items")]

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use stowage_core::testing::{bind_world, settle_bound};

fn binder(c: &mut Criterion) {
    let mut group = c.benchmark_group("binder");
    group.sample_size(10);
    for n in [1_000usize, 10_000] {
        group.bench_with_input(BenchmarkId::new("bind_static", n), &n, |b, &n| {
            b.iter_batched(
                || bind_world(n),
                |mut cluster| {
                    settle_bound(&mut cluster, n);
                    // Returned so that criterion drops it outside the timed region.
                    cluster
                },
                criterion::BatchSize::LargeInput,
            );
        });
    }
    group.finish();
}

criterion_group!(benches, binder);
criterion_main!(benches);
