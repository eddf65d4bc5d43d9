//! Criterion suite: each workload of the performance plan, with splitapply
//! next to the baselines a user would otherwise pick and the bound that
//! limits it. Every contender's result is checked once before it is timed.
//!
//! ```text
//! cargo bench --bench apply                         # N = 10^7
//! SPLITAPPLY_BENCH_N=1000000 cargo bench --bench apply -- W1
//! ```

use splitapply_workloads::*;

use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};
use splitapply::kernels::Exp;
use splitapply::{Engine, FuncTable, Kernel, Plan, Strategy};

const K: usize = 250;

fn group<'a>(c: &'a mut Criterion, name: &str, n: usize) -> BenchmarkGroup<'a, WallTime> {
    let mut g = c.benchmark_group(name);
    g.throughput(Throughput::Elements(n as u64));
    g.sample_size(10);
    g.warm_up_time(Duration::from_millis(500));
    g.measurement_time(Duration::from_secs(3));
    g
}

/// One workload: the table, the `dyn Fn` twins of its functions, the
/// inputs, and how far splitapply may differ from the `dyn Fn` reference
/// (0 = bitwise; built-in transcendental kernels differ from std by ULPs).
struct Workload<'a> {
    table: &'a FuncTable<f64>,
    boxed: &'a [DynFn],
    idx: &'a [u32],
    x: &'a [f64],
    max_rel: f64,
}

impl Workload<'_> {
    /// Benchmarks splitapply (automatic strategy, then each of `forced`) and
    /// the `dyn Fn` baselines (and the argsort port if asked), after checking
    /// each against the reference.
    fn bench(&self, g: &mut BenchmarkGroup<'_, WallTime>, forced: &[Strategy], with_argsort: bool) {
        let Workload {
            table,
            boxed,
            idx,
            x,
            max_rel,
        } = *self;
        let want = reference(boxed, idx, x);
        let mut out = vec![0.0; x.len()];
        for &strategy in [Strategy::Auto].iter().chain(forced) {
            let engine = Engine::new().strategy(strategy);
            let name = match strategy {
                Strategy::Auto => "splitapply".to_string(),
                s => format!("splitapply_{s:?}").to_lowercase(),
            };
            engine.apply_into(table, idx, x, &mut out).unwrap();
            check(&name, &out, &want, max_rel);
            g.bench_function(&name, |b| {
                b.iter(|| engine.apply_into(table, idx, x, &mut out).unwrap())
            });
        }
        type Baseline = fn(&[DynFn], &[u32], &[f64], &mut [f64]);
        let mut baselines: Vec<(&str, Baseline)> = vec![
            ("dyn_fn_rayon", dyn_loop_parallel),
            ("dyn_fn_serial", dyn_loop_serial),
        ];
        if with_argsort {
            baselines.push(("argsort_port", argsort_port));
        }
        for (name, run) in baselines {
            run(boxed, idx, x, &mut out);
            check(name, &out, &want, 0.0);
            g.bench_function(name, |b| b.iter(|| run(boxed, idx, x, &mut out)));
        }
    }
}

/// The fused streaming loop: the bandwidth bound of the linear workloads.
fn bound_fused(g: &mut BenchmarkGroup<'_, WallTime>, idx: &[u32], x: &[f64]) {
    let mut out = vec![0.0; x.len()];
    fused_linear(idx, x, &mut out);
    let want: Vec<f64> = idx.iter().zip(x).map(|(&i, &v)| i as f64 * v).collect();
    check("bound_fused", &out, &want, 0.0);
    g.bench_function("bound_fused", |b| b.iter(|| fused_linear(idx, x, &mut out)));
}

fn w1_closures(c: &mut Criterion) {
    let n = bench_n(10_000_000);
    let (idx, x) = uniform_input(n, K, 1);
    let (table, boxed) = linear_closures(K);
    let mut g = group(c, "W1_k250_closures", n);
    Workload {
        table: &table,
        boxed: &boxed,
        idx: &idx,
        x: &x,
        max_rel: 0.0,
    }
    .bench(&mut g, &[Strategy::Bucket], true);
    bound_fused(&mut g, &idx, &x);
    g.finish();
}

fn w1a_affine(c: &mut Criterion) {
    let n = bench_n(10_000_000);
    let (idx, x) = uniform_input(n, K, 1);
    let (_, boxed) = linear_closures(K);
    let table = linear_affine(K);
    let mut g = group(c, "W1a_k250_affine", n);
    Workload {
        table: &table,
        boxed: &boxed,
        idx: &idx,
        x: &x,
        max_rel: 0.0,
    }
    .bench(&mut g, &[Strategy::Bucket], false);
    bound_fused(&mut g, &idx, &x);
    g.finish();
}

fn w2_exp_poly(c: &mut Criterion) {
    let n = bench_n(10_000_000);
    let (idx, x) = uniform_input(n, K, 2);
    let (table, boxed) = exp_poly(K);
    let mut g = group(c, "W2_k250_exp_poly", n);
    // Exp differs from std exp by at most 1 ULP.
    Workload {
        table: &table,
        boxed: &boxed,
        idx: &idx,
        x: &x,
        max_rel: 4.0 * f64::EPSILON,
    }
    .bench(&mut g, &[], false);
    // Compute bound: the single-kernel SIMD map `out = exp(x)` over all N
    // points (reads x, writes out: the same DRAM traffic less idx).
    let mut out = vec![0.0; n];
    single_kernel_map(&Exp::new(), &x, &mut out);
    let want: Vec<f64> = x.iter().map(|v| v.exp()).collect();
    check("bound_single_kernel_exp", &out, &want, 4.0 * f64::EPSILON);
    g.bench_function("bound_single_kernel_exp", |b| {
        b.iter(|| single_kernel_map(&Exp::new(), &x, &mut out))
    });
    g.finish();
}

/// One kernel over all points, split over the current pool in chunks.
fn single_kernel_map(kernel: &impl Kernel<f64>, x: &[f64], out: &mut [f64]) {
    use rayon::prelude::*;
    out.par_chunks_mut(1 << 14)
        .zip(x.par_chunks(1 << 14))
        .for_each(|(o, x)| kernel.eval(x, o));
}

fn w3_sorted(c: &mut Criterion) {
    let n = bench_n(10_000_000);
    let (idx, x) = sorted_input(n, K, 3);
    let (table, boxed) = linear_closures(K);
    let mut g = group(c, "W3_k250_sorted", n);
    Workload {
        table: &table,
        boxed: &boxed,
        idx: &idx,
        x: &x,
        max_rel: 0.0,
    }
    .bench(&mut g, &[Strategy::Bucket], false);
    bound_fused(&mut g, &idx, &x);
    g.finish();
}

fn w4_two_functions(c: &mut Criterion) {
    let n = bench_n(10_000_000);
    let (idx, x) = piecewise_input(n, 4);
    let (table, boxed) = piecewise();
    let mut g = group(c, "W4_k2_piecewise", n);
    Workload {
        table: &table,
        boxed: &boxed,
        idx: &idx,
        x: &x,
        max_rel: W4_MAX_REL,
    }
    .bench(&mut g, &[Strategy::Bucket, Strategy::Select], false);
    bound_fused(&mut g, &idx, &x);
    g.finish();
}

fn w5_plan(c: &mut Criterion) {
    let n = bench_n(10_000_000);
    let (idx, x) = uniform_input(n, K, 2);
    let (table, boxed) = exp_poly(K);
    let want = reference(&boxed, &idx, &x);
    let plan = Plan::new(&idx, K).unwrap();
    let mut out = vec![0.0; n];
    plan.apply_into(&table, &x, &mut out).unwrap();
    check("plan", &out, &want, 4.0 * f64::EPSILON);
    let mut g = group(c, "W5_k250_exp_poly_plan", n);
    g.bench_function("splitapply_plan", |b| {
        b.iter(|| plan.apply_into(&table, &x, &mut out).unwrap())
    });
    g.bench_function("splitapply_no_plan", |b| {
        b.iter(|| {
            Engine::new()
                .apply_into(&table, &idx, &x, &mut out)
                .unwrap()
        })
    });
    g.finish();
}

fn w6_huge_k(c: &mut Criterion) {
    let n = bench_n(10_000_000);
    let k = 100_000;
    let (idx, x) = uniform_input(n, k, 6);
    let (table, boxed) = linear_closures(k);
    let mut g = group(c, "W6_k100000_closures", n);
    Workload {
        table: &table,
        boxed: &boxed,
        idx: &idx,
        x: &x,
        max_rel: 0.0,
    }
    .bench(&mut g, &[Strategy::Bucket, Strategy::Runs], false);
    g.finish();
}

fn w7_zipf(c: &mut Criterion) {
    let n = bench_n(10_000_000);
    let (idx, x) = zipf_input(n, K, 7);
    let (table, boxed) = linear_closures(K);
    let mut g = group(c, "W7_k250_zipf", n);
    Workload {
        table: &table,
        boxed: &boxed,
        idx: &idx,
        x: &x,
        max_rel: 0.0,
    }
    .bench(&mut g, &[], false);
    g.finish();
}

/// Tile-length sweep on W1: the chunk-size lesson of the original
/// discussion, on the bucket strategy.
fn tile_sweep(c: &mut Criterion) {
    let n = bench_n(10_000_000);
    let (idx, x) = uniform_input(n, K, 1);
    let (table, boxed) = linear_closures(K);
    let want = reference(&boxed, &idx, &x);
    let mut out = vec![0.0; n];
    let mut g = group(c, "tile_sweep_W1", n);
    for shift in [8u32, 10, 12, 14, 15, 16, 17, 18, 19, 20] {
        let engine = Engine::new()
            .tile_len(1 << shift)
            .strategy(Strategy::Bucket);
        engine.apply_into(&table, &idx, &x, &mut out).unwrap();
        check("tile sweep", &out, &want, 0.0);
        g.bench_function(format!("tile_{:06}", 1u32 << shift), |b| {
            b.iter(|| engine.apply_into(&table, &idx, &x, &mut out).unwrap())
        });
    }
    g.finish();
}

criterion_group!(
    benches,
    tile_sweep,
    w1_closures,
    w1a_affine,
    w2_exp_poly,
    w3_sorted,
    w4_two_functions,
    w5_plan,
    w6_huge_k,
    w7_zipf
);
criterion_main!(benches);
