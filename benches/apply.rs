//! Criterion suite: every workload of the catalogue in
//! `splitapply-workloads`, splitapply (automatic, then each strategy worth
//! forcing) next to the per-element `dyn Fn` loops and the bounds that
//! limit it. Every contender's result is checked once before it is timed.
//! For ratios measured side by side, use `apply_probe` (see
//! `workloads/src/bin/apply_probe.rs`).
//!
//! ```text
//! cargo bench --bench apply                         # N = 10^7
//! SPLITAPPLY_BENCH_N=1000000 cargo bench --bench apply -- W1/
//! ```

use splitapply_workloads::*;

use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};
use splitapply::{Engine, Plan, Strategy};

fn group<'a>(c: &'a mut Criterion, name: &str, n: usize) -> BenchmarkGroup<'a, WallTime> {
    let mut g = c.benchmark_group(name);
    g.throughput(Throughput::Elements(n as u64));
    g.sample_size(10);
    g.warm_up_time(Duration::from_millis(500));
    g.measurement_time(Duration::from_secs(3));
    g
}

/// Benchmarks one workload: splitapply (automatic, then each forced
/// strategy, or with and without a plan), the `dyn Fn` baselines, and the
/// workload's bounds, each splitapply and baseline result checked first.
fn bench_workload(c: &mut Criterion, w: &Workload) {
    let n = w.x.len();
    let (table, idx, x, boxed) = (&w.table, &w.idx[..], &w.x[..], &w.boxed[..]);
    let want = reference(boxed, idx, x);
    let mut out = vec![0.0; n];
    let mut g = group(c, w.name, n);
    if w.through_plan {
        let plan = Plan::new(idx, table.len()).unwrap();
        plan.apply_into(table, x, &mut out).unwrap();
        check("plan", &out, &want, w.max_rel);
        g.bench_function("splitapply_plan", |b| {
            b.iter(|| plan.apply_into(table, x, &mut out).unwrap())
        });
    }
    for &strategy in [Strategy::Auto].iter().chain(w.forced) {
        let engine = Engine::new().strategy(strategy);
        let name = match (strategy, w.through_plan) {
            (Strategy::Auto, false) => "splitapply".to_string(),
            (Strategy::Auto, true) => "splitapply_no_plan".to_string(),
            (s, _) => format!("splitapply_{}", strategy_name(s)),
        };
        engine.apply_into(table, idx, x, &mut out).unwrap();
        check(&name, &out, &want, w.max_rel);
        g.bench_function(&name, |b| {
            b.iter(|| engine.apply_into(table, idx, x, &mut out).unwrap())
        });
    }
    if !w.through_plan {
        type Baseline = fn(&[DynFn], &[u32], &[f64], &mut [f64]);
        let mut baselines: Vec<(&str, Baseline)> = vec![
            ("dyn_fn_rayon", dyn_loop_parallel),
            ("dyn_fn_serial", dyn_loop_serial),
        ];
        if w.name == "W1" {
            baselines.push(("argsort_port", argsort_port));
        }
        for (name, run) in baselines {
            run(boxed, idx, x, &mut out);
            check(name, &out, &want, 0.0);
            g.bench_function(name, |b| b.iter(|| run(boxed, idx, x, &mut out)));
        }
    }
    for &bound in w.bounds {
        g.bench_function(bound.name(), |b| b.iter(|| bound.run(idx, x, &mut out)));
    }
    g.finish();
}

fn catalogue(c: &mut Criterion) {
    let n = bench_n(10_000_000);
    for name in NAMES {
        let w = workload(name, n).expect("a catalogue name");
        bench_workload(c, &w);
    }
}

/// Tile-length sweep on W1: the chunk-size lesson of the original
/// discussion, on the bucket strategy.
fn tile_sweep(c: &mut Criterion) {
    let n = bench_n(10_000_000);
    let w = workload("W1", n).expect("W1 is in the catalogue");
    let want = reference(&w.boxed, &w.idx, &w.x);
    let mut out = vec![0.0; n];
    let mut g = group(c, "tile_sweep_W1", n);
    for shift in [8u32, 10, 12, 14, 15, 16, 17, 18, 19, 20] {
        let engine = Engine::new()
            .tile_len(1 << shift)
            .strategy(Strategy::Bucket);
        engine.apply_into(&w.table, &w.idx, &w.x, &mut out).unwrap();
        check("tile sweep", &out, &want, 0.0);
        g.bench_function(format!("tile_{:06}", 1u32 << shift), |b| {
            b.iter(|| engine.apply_into(&w.table, &w.idx, &w.x, &mut out).unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, tile_sweep, catalogue);
criterion_main!(benches);
