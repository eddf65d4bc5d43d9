//! Workloads and the baselines a user would otherwise pick, shared by the
//! criterion benches, the probes and the roofline report. Every baseline
//! here is checked against the naive loop by its user before it is timed.

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rayon::prelude::*;
use splitapply::FuncTable;
use splitapply::kernels::{Affine, Exp, Poly};

/// A per-element boxed closure, the obvious Rust answer.
pub type DynFn = Box<dyn Fn(f64) -> f64 + Send + Sync>;

/// Uniform random points in [0, 1) and function numbers in 0..k.
pub fn uniform_input(n: usize, k: usize, seed: u64) -> (Vec<u32>, Vec<f64>) {
    let mut rng = StdRng::seed_from_u64(seed);
    let x = (0..n).map(|_| rng.random::<f64>()).collect();
    let idx = (0..n).map(|_| rng.random_range(0..k as u32)).collect();
    (idx, x)
}

/// W3's inputs: those of `uniform_input`, indices sorted (long runs).
pub fn sorted_input(n: usize, k: usize, seed: u64) -> (Vec<u32>, Vec<f64>) {
    let (mut idx, x) = uniform_input(n, k, seed);
    idx.sort_unstable();
    (idx, x)
}

/// W4's inputs: uniform points, each choosing its piece of `piecewise` by
/// itself (`x >= 0.5`), as `np.piecewise` does.
pub fn piecewise_input(n: usize, seed: u64) -> (Vec<u32>, Vec<f64>) {
    let (_, x) = uniform_input(n, 2, seed);
    let idx = x.iter().map(|&v| u32::from(v >= 0.5)).collect();
    (idx, x)
}

/// W7's inputs: uniform points and `zipf_indices`.
pub fn zipf_input(n: usize, k: usize, seed: u64) -> (Vec<u32>, Vec<f64>) {
    let (_, x) = uniform_input(n, k, seed);
    (zipf_indices(n, k, seed), x)
}

/// Function numbers drawn with probability proportional to 1/(j+1).
pub fn zipf_indices(n: usize, k: usize, seed: u64) -> Vec<u32> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut cdf = Vec::with_capacity(k);
    let mut acc = 0.0;
    for j in 0..k {
        acc += 1.0 / (j as f64 + 1.0);
        cdf.push(acc);
    }
    (0..n)
        .map(|_| {
            let u = rng.random::<f64>() * acc;
            cdf.partition_point(|&c| c < u).min(k - 1) as u32
        })
        .collect()
}

/// W1: f_j(x) = j * x as closures, in both forms.
pub fn linear_closures(k: usize) -> (FuncTable<f64>, Vec<DynFn>) {
    let mut table = FuncTable::with_capacity(k);
    let mut boxed: Vec<DynFn> = Vec::with_capacity(k);
    for j in 0..k {
        table.push_fn(move |x: f64| j as f64 * x);
        boxed.push(Box::new(move |x: f64| j as f64 * x));
    }
    (table, boxed)
}

/// W1a: the same functions as built-in `Affine(j, 0)`.
pub fn linear_affine(k: usize) -> FuncTable<f64> {
    let mut table = FuncTable::with_capacity(k);
    for j in 0..k {
        table.push(Affine::new(j as f64, 0.0));
    }
    table
}

/// The degree-8 polynomial of W2 for function `j`.
pub fn w2_coeffs(j: usize) -> Vec<f64> {
    (0..9).map(|d| 1.0 / ((d + 1 + j % 7) as f64)).collect()
}

/// W2: even functions are `Exp`, odd ones a degree-8 `Poly`; the `dyn Fn`
/// twins call std `exp` and a scalar Horner loop.
pub fn exp_poly(k: usize) -> (FuncTable<f64>, Vec<DynFn>) {
    let mut table = FuncTable::with_capacity(k);
    let mut boxed: Vec<DynFn> = Vec::with_capacity(k);
    for j in 0..k {
        if j % 2 == 0 {
            table.push(Exp::new());
            boxed.push(Box::new(f64::exp));
        } else {
            let c = w2_coeffs(j);
            table.push(Poly::new(c.clone()));
            boxed.push(Box::new(move |x: f64| {
                c.iter()
                    .rev()
                    .skip(1)
                    .fold(c[c.len() - 1], |acc, &ci| acc.mul_add(x, ci))
            }));
        }
    }
    (table, boxed)
}

/// How far W4's built-in `Poly` may differ from its closure twin, which
/// uses `f64::mul_add`: bitwise when the build has FMA; without it `wide`
/// rounds the multiply and the add separately.
pub const W4_MAX_REL: f64 = if cfg!(target_feature = "fma") {
    0.0
} else {
    4.0 * f64::EPSILON
};

/// W4: a two-piece function, `1 - x^2/2` below 0.5 and `x/2 + 0.5` above,
/// as built-in `Poly` and `Affine` and as closures.
pub fn piecewise() -> (FuncTable<f64>, Vec<DynFn>) {
    let mut table = FuncTable::new();
    table.push(Poly::new(vec![1.0, 0.0, -0.5]));
    table.push(Affine::new(0.5, 0.5));
    let boxed: Vec<DynFn> = vec![
        Box::new(|x: f64| (-0.5f64).mul_add(x, 0.0).mul_add(x, 1.0)),
        Box::new(|x: f64| x.mul_add(0.5, 0.5)),
    ];
    (table, boxed)
}

/// The per-element `dyn Fn` loop on the current rayon pool.
pub fn dyn_loop_parallel(f: &[DynFn], idx: &[u32], x: &[f64], out: &mut [f64]) {
    out.par_iter_mut()
        .zip(idx.par_iter())
        .zip(x.par_iter())
        .with_min_len(4096)
        .for_each(|((o, &i), &v)| *o = f[i as usize](v));
}

/// The per-element `dyn Fn` loop on one thread.
pub fn dyn_loop_serial(f: &[DynFn], idx: &[u32], x: &[f64], out: &mut [f64]) {
    for ((o, &i), &v) in out.iter_mut().zip(idx).zip(x) {
        *o = f[i as usize](v);
    }
}

/// The numpy algorithm ported to Rust, one thread: argsort the indices,
/// find each function's range by binary search, fancy-index each group out,
/// evaluate it, and fancy-index the results back.
pub fn argsort_port(f: &[DynFn], idx: &[u32], x: &[f64], out: &mut [f64]) {
    let mut order: Vec<u32> = (0..idx.len() as u32).collect();
    order.sort_unstable_by_key(|&i| idx[i as usize]);
    let sorted: Vec<u32> = order.iter().map(|&i| idx[i as usize]).collect();
    for (j, func) in f.iter().enumerate() {
        let lo = sorted.partition_point(|&v| v < j as u32);
        let hi = sorted.partition_point(|&v| v <= j as u32);
        let group = &order[lo..hi];
        let values: Vec<f64> = group.iter().map(|&i| func(x[i as usize])).collect();
        for (&i, v) in group.iter().zip(values) {
            out[i as usize] = v;
        }
    }
}

/// The bandwidth bound of W1/W1a: one fused streaming pass that reads `idx`
/// and `x` and writes `out` (20 bytes per point), on the current pool.
pub fn fused_linear(idx: &[u32], x: &[f64], out: &mut [f64]) {
    out.par_iter_mut()
        .zip(idx.par_iter())
        .zip(x.par_iter())
        .with_min_len(4096)
        .for_each(|((o, &i), &v)| *o = i as f64 * v);
}

/// Naive reference: `f[idx[i]](x[i])` one point at a time.
pub fn reference(f: &[DynFn], idx: &[u32], x: &[f64]) -> Vec<f64> {
    idx.iter().zip(x).map(|(&i, &v)| f[i as usize](v)).collect()
}

/// Panics unless `got` equals `want` within `max_rel` relative error
/// (0 for bitwise equality), naming the first bad position.
pub fn check(name: &str, got: &[f64], want: &[f64], max_rel: f64) {
    assert_eq!(got.len(), want.len(), "{name}: length");
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        let ok = if max_rel == 0.0 {
            g.to_bits() == w.to_bits()
        } else {
            (g - w).abs() <= max_rel * w.abs().max(f64::MIN_POSITIVE)
        };
        assert!(ok, "{name}: wrong result at {i}: got {g}, want {w}");
    }
}

/// Problem size: `SPLITAPPLY_BENCH_N` or the default.
pub fn bench_n(default: usize) -> usize {
    std::env::var("SPLITAPPLY_BENCH_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}
